//! Every migration the oracle tiers judge, produced by running the oc2otel
//! binary as a user does (`migrate --write --format json` on a copy in a
//! temporary folder): the rule fixtures in both collector flavours, with
//! and without `--metrics emf`, the deployment snippets' collector configs,
//! the corpus in `../shared/corpus`, and a sample of generated configs.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// No oc2otel run may take longer (they take milliseconds).
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// One migration's outputs.
#[derive(Debug, Clone)]
pub struct Produced {
    /// Where it came from, with its options (for messages).
    pub label: String,
    /// `adot` or `contrib`: the collector flavour it was written for.
    pub flavor: &'static str,
    /// The input, as given to oc2otel.
    pub input: Vec<u8>,
    /// The migrated KrakenD config (JSON inputs only).
    pub krakend: Option<String>,
    /// The collector config.
    pub collector: Option<String>,
    /// Diagnostic codes oc2otel reported.
    pub codes: Vec<String>,
}

/// Everything the suite produces, computed once per test run (several
/// tests judge the same set).
pub fn all() -> &'static [Produced] {
    static ALL: std::sync::OnceLock<Vec<Produced>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = rule_fixtures();
        all.extend(deploy_snippets());
        all.extend(corpus());
        all.extend(generated(40));
        all
    })
}

/// The options of a rule fixture (`<name>.options`), as CLI arguments.
pub fn fixture_args(fixture: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(fixture.with_extension("options")) else {
        return Vec::new();
    };
    let mut args = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line.split_once('=').expect("key=value");
        let flag = match key.trim() {
            "collector" => "--collector",
            "krakend_version" => "--krakend-version",
            "otlp_endpoint" => "--otlp-endpoint",
            "metrics" => "--metrics",
            "jaeger_collector" => "--jaeger-collector",
            "merge_settings" => "--merge-settings",
            other => panic!("unknown option {other} in {}", fixture.display()),
        };
        args.extend([flag.to_string(), value.trim().to_string()]);
    }
    args
}

/// Run `oc2otel migrate --write --format json ARGS` on a copy of `text`
/// named `name`; `None` when it wrote no migration (nothing to migrate, or
/// an error diagnostic left the file alone).
pub fn migrate(label: &str, name: &str, text: &[u8], args: &[String]) -> Option<Produced> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write input");
    let mut cmd = crate::common::bin();
    cmd.current_dir(dir.path())
        .args(["migrate", "--write", "--format", "json", "--color", "never"])
        .args(args)
        .arg(&path);
    let output = super::run_with_timeout(&mut cmd, TIMEOUT).expect("run oc2otel");
    let report: Value = serde_json::from_slice(&output.stdout).ok()?;
    let file = &report["files"][0];
    let codes = file["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect();
    if file["status"] != "migrated" {
        return None;
    }
    let collector = file["collector_path"]
        .as_str()
        .and_then(|p| std::fs::read_to_string(dir.path().join(p)).ok());
    let flavor = flavor_of(collector.as_deref());
    let krakend = name
        .ends_with(".json")
        .then(|| std::fs::read_to_string(&path).ok())
        .flatten();
    Some(Produced {
        label: format!("{label} {}", args.join(" ")).trim().to_string(),
        flavor,
        input: text.to_vec(),
        krakend,
        collector,
        codes,
    })
}

/// The flavour a collector config was written for, from its header
/// (`--collector auto`, the default, picks one per file).
fn flavor_of(collector: Option<&str>) -> &'static str {
    let header = collector.and_then(|c| c.lines().next()).unwrap_or_default();
    if header.contains("otelcol-contrib") {
        "contrib"
    } else {
        "adot"
    }
}

/// The rule fixtures, with `--collector auto` and each flavour forced
/// (unless its options pick one),
/// with and without `--metrics emf` (unless its options set it).
pub fn rule_fixtures() -> Vec<Produced> {
    let mut out = Vec::new();
    for fixture in crate::common::rules::fixtures() {
        let text = std::fs::read(&fixture).expect("fixture");
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let base = fixture_args(&fixture);
        for extra in variants(&base) {
            let args: Vec<String> = base.iter().cloned().chain(extra).collect();
            out.extend(migrate(
                &format!("rules/{name}"),
                "krakend.json",
                &text,
                &args,
            ));
        }
    }
    out
}

fn variants(base: &[String]) -> Vec<Vec<String>> {
    let has = |flag: &str| base.iter().any(|a| a == flag);
    let flavours: Vec<Vec<String>> = if has("--collector") {
        vec![vec![]]
    } else {
        // The default (`auto`, one flavour per file) and both forced.
        vec![
            vec![],
            vec!["--collector".into(), "adot".into()],
            vec!["--collector".into(), "contrib".into()],
        ]
    };
    let mut out = Vec::new();
    for flavour in flavours {
        out.push(flavour.clone());
        if !has("--metrics") {
            out.push([flavour, vec!["--metrics".into(), "emf".into()]].concat());
        }
    }
    out
}

/// The collector configs of the deployment snippets: the Kubernetes
/// snippet carries its own copy in a ConfigMap (Compose and ECS point at
/// the file `rule_fixtures` already has).
pub fn deploy_snippets() -> Vec<Produced> {
    let mut out = Vec::new();
    for name in [
        "xray_docs.json",
        "emf_xray.json",
        "zipkin_contrib.json",
        "stackdriver.json",
    ] {
        let fixture = crate::common::manifest_dir()
            .join("tests/fixtures/rules")
            .join(name);
        let text = std::fs::read(&fixture).expect("fixture");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("krakend.json");
        std::fs::write(&path, &text).expect("write");
        let mut args = fixture_args(&fixture);
        args.extend(["--emit-deploy".into(), "k8s".into()]);
        let mut cmd = crate::common::bin();
        cmd.current_dir(dir.path())
            .args(["migrate", "--write", "-q", "--color", "never"])
            .args(&args)
            .arg(&path);
        let output = super::run_with_timeout(&mut cmd, TIMEOUT).expect("run oc2otel");
        assert!(output.status.success(), "--emit-deploy k8s on {name}");
        let snippet = std::fs::read_to_string(dir.path().join("krakend.deploy.k8s.yaml"))
            .unwrap_or_else(|e| panic!("k8s snippet of {name}: {e}"));
        let collector = config_map_collector(&snippet, name);
        let flavor = flavor_of(Some(&collector));
        out.push(Produced {
            label: format!("deploy k8s ConfigMap of rules/{name}"),
            flavor,
            input: text.clone(),
            krakend: None,
            collector: Some(collector),
            codes: Vec::new(),
        });
    }
    out
}

/// The collector config held by the ConfigMap of a Kubernetes snippet.
fn config_map_collector(snippet: &str, name: &str) -> String {
    for doc in yaml_serde::Deserializer::from_str(snippet) {
        let Ok(value) = <Value as serde::Deserialize>::deserialize(doc) else {
            continue;
        };
        if value["kind"] == "ConfigMap"
            && let Some(text) = value["data"].as_object().and_then(|d| d.values().next())
        {
            return text.as_str().expect("ConfigMap data is text").to_string();
        }
    }
    panic!("no ConfigMap with a collector config in the k8s snippet of {name}")
}

/// Every corpus file that migrates, in both flavours.
pub fn corpus() -> Vec<Produced> {
    let Some(shared) = crate::common::shared_dir() else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("corpus"))
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "tsv")))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read(&file).expect("corpus file");
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for flavour in [
            vec![],
            vec!["--collector".to_string(), "contrib".to_string()],
        ] {
            out.extend(migrate(&format!("corpus/{name}"), &name, &text, &flavour));
        }
    }
    out
}

/// A deterministic sample of generated legacy configs (the property tests'
/// building blocks): sampling, periods, layers and the exporters that go
/// through the collector, in both flavours.
pub fn generated(count: usize) -> Vec<Produced> {
    let mut rng = 0x0c20_07e1_u64;
    let mut next = move |n: u64| {
        // xorshift64: reproducible without a dependency.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let mut out = Vec::new();
    for i in 0..count {
        let sample = [None, Some(0), Some(25), Some(100)][next(4) as usize];
        let period = [None, Some(0), Some(5), Some(60)][next(4) as usize];
        let layer = |v: u64| [None, Some(false), Some(true)][v as usize];
        let layers = (next(2) == 1).then(|| (layer(next(3)), layer(next(3)), layer(next(3))));
        let region = ["eu-west-1", "us-east-2"][next(2) as usize];
        let mut exporters = vec![("xray", json!({ "region": region }))];
        let contrib = next(2) == 1;
        if contrib && next(2) == 1 {
            exporters.push((
                "zipkin",
                json!({"collector_url": "http://zipkin:9411/api/v2/spans"}),
            ));
        }
        if contrib && next(2) == 1 {
            exporters.push(("stackdriver", json!({"project_id": "oracle-project"})));
        }
        let block = crate::common::legacy::block(sample, period, layers, exporters);
        let config = json!({"version": 3, "extra_config": {"telemetry/opencensus": block}});
        let mut args = Vec::new();
        if contrib {
            args.extend(["--collector".to_string(), "contrib".to_string()]);
        }
        if next(3) == 0 {
            args.extend(["--metrics".to_string(), "emf".to_string()]);
        }
        let text = serde_json::to_vec_pretty(&config).expect("json");
        out.extend(migrate(
            &format!("generated/{i}"),
            "krakend.json",
            &text,
            &args,
        ));
    }
    out
}
