//! Tier 1: every collector config the suite produces passes the real
//! collector's `validate` (which decodes each component's config with
//! unknown keys as errors, builds the pipeline graph and calls every
//! factory, starting nothing), and every migrated KrakenD config is read by
//! the gateway stand-in (`check`) and a sample of them starts.
//!
//! A config whose components are not all in one oracle build is validated
//! in several: in the build that has most of them, with the exporters it
//! lacks replaced by a `debug` exporter (processors it lacks removed from
//! the pipelines), and again in each build that has an exporter the first
//! lacked. Exporter types no build has (awsxray, awsemf, influxdb: not
//! served by the Go module proxy, docs/testing.md) are counted as not
//! judged by a real factory; the static key lists of tests/it/common/
//! collector.rs still check them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use super::configs::{self, Produced};
use super::{Collector, Oracles, hermetic, run_with_timeout};

/// Run `validate` on one config text; the collector's message on failure.
pub fn validate(collector: &Collector, config: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("collector.yaml");
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    let mut cmd = std::process::Command::new(&collector.bin);
    cmd.arg("validate")
        .arg(format!("--config=file:{}", path.display()));
    hermetic(&mut cmd, dir.path());
    let output = run_with_timeout(&mut cmd, Duration::from_secs(120))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// One `validate` run: which build, on which text.
struct Check {
    build: usize,
    text: String,
}

/// The `validate` runs a config needs, and the exporter types that no
/// build has. `Err` when a receiver or extension is in no build.
fn plan(oracles: &Oracles, yaml: &str) -> Result<(Vec<Check>, Vec<String>), String> {
    let config: Value = yaml_serde::from_str(yaml).map_err(|e| e.to_string())?;
    let types = super::adot::component_types(&config);
    let score = |c: &Collector| {
        types
            .iter()
            .map(|(s, kinds)| kinds.iter().filter(|k| c.has(s, k)).count())
            .sum::<usize>()
    };
    let primary = (0..oracles.collectors.len())
        .max_by_key(|&i| (score(&oracles.collectors[i]), usize::MAX - i))
        .expect("a collector");
    let mut builds = BTreeSet::from([primary]);
    let mut unjudged = Vec::new();
    for kind in &types["exporters"] {
        match oracles
            .collectors
            .iter()
            .position(|c| c.has("exporters", kind))
        {
            Some(i) => {
                builds.insert(i);
            }
            None => unjudged.push(kind.clone()),
        }
    }
    let mut checks = Vec::new();
    for build in builds {
        let collector = &oracles.collectors[build];
        let text = if score(collector) == types.values().map(Vec::len).sum::<usize>() {
            yaml.to_string()
        } else {
            project(&config, collector)?
        };
        checks.push(Check { build, text });
    }
    Ok((checks, unjudged))
}

/// `config` with what `collector` lacks replaced: exporters by one `debug`
/// exporter, processors removed. Written as JSON, which is YAML.
fn project(config: &Value, collector: &Collector) -> Result<String, String> {
    let mut config = config.clone();
    let kind = |id: &str| id.split('/').next().unwrap_or(id).to_string();
    for section in ["receivers", "extensions"] {
        for (id, _) in config[section].as_object().into_iter().flatten() {
            if !collector.has(section, &kind(id)) {
                return Err(format!("{section}.{id} is in no oracle build"));
            }
        }
    }
    let stand_in = "debug/oracle_stand_in";
    let mut replaced = BTreeMap::new();
    for (section, replacement) in [("exporters", Some(stand_in)), ("processors", None)] {
        if let Some(map) = config[section].as_object_mut() {
            let gone: Vec<String> = map
                .keys()
                .filter(|id| !collector.has(section, &kind(id)))
                .cloned()
                .collect();
            for id in gone {
                map.remove(&id);
                replaced.insert(id, replacement);
            }
            if replacement.is_some() && replaced.values().any(Option::is_some) {
                map.insert(stand_in.to_string(), json!({}));
            }
        }
    }
    if let Some(pipelines) = config["service"]["pipelines"].as_object_mut() {
        for pipeline in pipelines.values_mut() {
            for section in ["exporters", "processors"] {
                let Some(ids) = pipeline[section].as_array_mut() else {
                    continue;
                };
                let mut kept: Vec<Value> = Vec::new();
                for id in ids.drain(..) {
                    let new = match id.as_str().and_then(|s| replaced.get(s)) {
                        Some(Some(stand_in)) => json!(stand_in),
                        Some(None) => continue,
                        None => id,
                    };
                    if !kept.contains(&new) {
                        kept.push(new);
                    }
                }
                *ids = kept;
            }
        }
    }
    serde_json::to_string_pretty(&config).map_err(|e| e.to_string())
}

/// Run `work` over `items` on two threads (the machine has two cores).
pub fn parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = work(item);
                    results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn tier1_collector_configs_pass_the_real_collectors_validate() {
    let Some(oracles) = super::oracles() else {
        return;
    };
    let all = configs::all();
    let mut distinct: Vec<&Produced> = Vec::new();
    for p in all.iter().filter(|p| p.collector.is_some()) {
        if !distinct.iter().any(|d| d.collector == p.collector) {
            distinct.push(p);
        }
    }
    let results = parallel(&distinct, |p| {
        let yaml = p.collector.as_deref().expect("filtered");
        let (checks, unjudged) = match plan(oracles, yaml) {
            Ok(plan) => plan,
            Err(e) => {
                return (
                    p.flavor,
                    Vec::new(),
                    vec![format!("{}: {e}", p.label)],
                    Vec::new(),
                );
            }
        };
        let mut failures = Vec::new();
        let mut builds = Vec::new();
        for check in checks {
            let collector = &oracles.collectors[check.build];
            builds.push(collector.release);
            if let Err(e) = validate(collector, &check.text) {
                failures.push(format!(
                    "{} (collector {}):\n{e}\n--- config ---\n{}",
                    p.label, collector.release, check.text
                ));
            }
        }
        (p.flavor, builds, failures, unjudged)
    });
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    assert!(
        failures.is_empty(),
        "tier 1 failures:\n{}",
        failures
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let flavour = |f: &str| results.iter().filter(|r| r.0 == f).count();
    let runs: usize = results.iter().map(|r| r.1.len()).sum();
    let mut unjudged: BTreeMap<&str, usize> = BTreeMap::new();
    for kind in results.iter().flat_map(|r| &r.3) {
        *unjudged.entry(kind.as_str()).or_default() += 1;
    }
    assert!(
        results.len() > 20,
        "only {} distinct configs",
        results.len()
    );
    // The googlecloud configs carry a resourcedetection processor (gcp
    // detector, the Stackdriver monitored resource): the v0.148.0 build
    // has both, so they passed its factories above.
    let detected = distinct
        .iter()
        .filter(|p| {
            p.collector
                .as_deref()
                .is_some_and(|y| y.contains("resourcedetection:") && y.contains("googlecloud"))
        })
        .count();
    assert!(
        detected > 0,
        "no googlecloud config with resourcedetection validated"
    );
    super::figures(&format!(
        "tier 1: {} collector configs produced, {} distinct validated (adot {}, contrib {}) in {runs} \
         validate runs ({detected} googlecloud configs with resourcedetection); exporter types \
         judged by no real factory (not buildable): {unjudged:?}",
        all.iter().filter(|p| p.collector.is_some()).count(),
        results.len(),
        flavour("adot"),
        flavour("contrib"),
    ));
}

/// Every migrated KrakenD config (JSON) whose input the gateway stand-in
/// reads is read by its `check` too (Go's encoding/json into the types
/// KrakenD's modules decode: a wrong type fails), and a sample starts and
/// answers `/__health`. Inputs it cannot read (Flexible Configuration
/// settings files and partials, snippets) are counted apart. KrakenD CE's
/// own `check` is not available (docs/testing.md).
#[test]
fn tier1_migrated_krakend_configs_are_read_and_start() {
    let Some(oracles) = super::oracles() else {
        return;
    };
    let krakend: Vec<&Produced> = configs::all()
        .iter()
        .filter(|p| p.krakend.is_some())
        .collect();
    let results = parallel(&krakend, |p| {
        if gateway_check(oracles, &p.input).is_err() {
            return None;
        }
        let output = p.krakend.as_deref().expect("filtered").as_bytes();
        Some((
            *p,
            gateway_check(oracles, output).map_err(|e| format!("{}: {e}", p.label)),
        ))
    });
    let readable: Vec<&Produced> = results.iter().flatten().map(|(p, _)| *p).collect();
    let failures: Vec<&String> = results
        .iter()
        .flatten()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    assert!(
        failures.is_empty(),
        "gateway check failures:\n{failures:#?}"
    );
    // Every 8th, so the sample covers fixtures, corpus and generated ones.
    let sample: Vec<&&Produced> = readable.iter().step_by(8).collect();
    parallel(&sample, |p| gateway_starts(oracles, p));
    assert!(
        readable.len() > 50,
        "only {} KrakenD configs",
        readable.len()
    );
    super::figures(&format!(
        "tier 1: {} migrated KrakenD configs read by the gateway stand-in's check ({} more whose \
         input it cannot read either), {} started and answered /__health",
        readable.len(),
        krakend.len() - readable.len(),
        sample.len()
    ));
}

fn gateway_check(oracles: &Oracles, config: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("krakend.json");
    std::fs::write(&path, config).expect("write");
    let mut cmd = std::process::Command::new(&oracles.gateway);
    cmd.args(["check", "-c"]).arg(&path);
    hermetic(&mut cmd, dir.path());
    match run_with_timeout(&mut cmd, Duration::from_secs(30)) {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
        Err(e) => Err(e),
    }
}

fn gateway_starts(oracles: &Oracles, p: &Produced) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("krakend.json");
    std::fs::write(&path, p.krakend.as_deref().expect("filtered")).expect("write");
    let port = super::free_port();
    let mut cmd = std::process::Command::new(&oracles.gateway);
    cmd.args(["run", "-c"])
        .arg(&path)
        .args(["-p", &port.to_string()]);
    hermetic(&mut cmd, dir.path());
    let mut gateway = super::Proc::spawn("gateway", &mut cmd, dir.path());
    gateway.wait_ready(
        &format!("http://127.0.0.1:{port}/__health"),
        Duration::from_secs(20),
    );
    // Dropping the guard kills it: a graceful stop would wait for the
    // exporters to flush to destinations that do not exist here.
    drop(gateway);
}

/// The oracle can fail: one unknown key in a config oc2otel wrote, and
/// `validate` refuses it (the unmodified config, the control, passes).
#[test]
fn tier1_fails_on_a_collector_config_with_an_unknown_key() {
    let Some(oracles) = super::oracles() else {
        return;
    };
    let fixture = crate::common::manifest_dir().join("tests/fixtures/rules/zipkin_contrib.json");
    let text = std::fs::read(&fixture).expect("fixture");
    let p = configs::migrate(
        "zipkin_contrib",
        "krakend.json",
        &text,
        &configs::fixture_args(&fixture),
    )
    .expect("migrates");
    let yaml = p.collector.expect("a collector config");
    let build = &oracles.collectors[1];
    assert!(build.has("exporters", "zipkin"));
    validate(build, &yaml).unwrap_or_else(|e| panic!("control must pass: {e}"));
    let broken = yaml.replacen(
        "  zipkin:\n",
        "  zipkin:\n    endpoint_url: http://typo\n",
        1,
    );
    assert_ne!(broken, yaml);
    let error = validate(build, &broken).expect_err("an unknown key must fail validate");
    assert!(error.contains("endpoint_url"), "{error}");
    let adot = &oracles.collectors[0];
    let receiver = yaml.replacen(
        "      grpc:\n",
        "      grpc:\n        max_recv_msg_size: 4\n        endpiont: x\n",
        1,
    );
    let error = validate(
        adot,
        &project(&yaml_serde::from_str(&receiver).expect("yaml"), adot).expect("projects"),
    )
    .expect_err("an unknown receiver key must fail validate");
    assert!(error.contains("endpiont"), "{error}");
    super::figures(
        "tier 1 self-test: unknown keys in the zipkin exporter and the otlp receiver fail validate",
    );
}

/// The projection keeps every pipeline and processor a build has and puts
/// one `debug` exporter where the exporters it lacks were. Needs no Go.
#[test]
fn projection_replaces_only_what_a_build_lacks() {
    let types = [
        ("receivers", &["otlp"][..]),
        ("processors", &["batch"][..]),
        ("exporters", &["debug", "otlp_grpc"][..]),
        ("extensions", &["health_check"][..]),
    ];
    let collector = Collector {
        release: "test",
        bin: std::path::PathBuf::new(),
        types: types
            .iter()
            .map(|(s, k)| (s.to_string(), k.iter().map(|k| k.to_string()).collect()))
            .collect(),
    };
    let config = json!({
        "extensions": {"health_check": {}},
        "receivers": {"otlp": {}},
        "processors": {"batch/traces": {}, "resourcedetection": {}},
        "exporters": {"awsxray": {"region": "eu-west-1"}, "zipkin": {}, "otlp": {}},
        "service": {"pipelines": {"traces": {
            "receivers": ["otlp"],
            "processors": ["resourcedetection", "batch/traces"],
            "exporters": ["awsxray", "zipkin", "otlp"]
        }}}
    });
    let projected: Value =
        serde_json::from_str(&project(&config, &collector).expect("projects")).expect("json");
    assert_eq!(
        projected["service"]["pipelines"]["traces"],
        json!({"receivers": ["otlp"], "processors": ["batch/traces"],
               "exporters": ["debug/oracle_stand_in", "otlp"]})
    );
    assert_eq!(
        projected["exporters"],
        json!({"otlp": {}, "debug/oracle_stand_in": {}})
    );
    let unknown_receiver = json!({"receivers": {"jaeger": {}}});
    assert!(project(&unknown_receiver, &collector).is_err());
}
