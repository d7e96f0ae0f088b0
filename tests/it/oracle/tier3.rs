//! Tier 3, differential: the same gateway runs the legacy config (with a
//! zipkin exporter added that sends its spans to the collector's zipkin
//! receiver) and the migrated one (its OTLP exporters pointed at the same
//! collector), with the same requests. The normalised results are compared
//! (sampled count, layers that make spans, service name and version, the
//! trace headers that reach the backend for sampled and unsampled
//! requests), and every difference must be one that oc2otel reported for
//! that config (by diagnostic code, `EXPLAINED_BY`) or a listed known gap
//! (`KNOWN_GAPS`, what the fidelity work is to empty; both in
//! `explain.rs`); anything else fails and prints both sides. The
//! normalisation and comparison are in `compare.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::{Value, json};

use super::compare::{Side, compare, describe, get_ci, legacy_block};
use super::configs::{self, Produced};
use super::explain::{KNOWN_GAPS, Verdicts, judge};
use super::sink::Sink;
use super::traces::{self, Context};
use super::{Oracles, free_port, stack};

/// The legacy config as run: one endpoint, and a zipkin exporter to the
/// capture collector (an existing zipkin exporter keeps its own service
/// name and local endpoint, only its URL changes).
fn legacy_run_config(legacy: &Value, backend: &Sink, zipkin: u16) -> Value {
    let mut config = stack::with_endpoint(legacy.clone(), backend);
    let block = legacy_block(&mut config).expect("legacy block");
    let url = format!("http://127.0.0.1:{zipkin}/api/v2/spans");
    let key = block
        .as_object()
        .and_then(|o| {
            o.keys()
                .rfind(|k| k.eq_ignore_ascii_case("exporters"))
                .cloned()
        })
        .unwrap_or_else(|| "exporters".to_string());
    if !block[&key].is_object() {
        block[&key] = json!({});
    }
    let exporters = block[&key].as_object_mut().expect("object");
    let existing = exporters
        .keys()
        .rfind(|k| k.eq_ignore_ascii_case("zipkin"))
        .cloned();
    match existing {
        Some(k) => exporters[&k]["collector_url"] = json!(url),
        None => {
            exporters.insert(
                "zipkin".into(),
                json!({"collector_url": url, "service_name": "", "ip": "127.0.0.1", "port": 8080}),
            );
        }
    }
    config
}

/// The migrated config as run: one endpoint, every OTLP exporter pointed
/// at the capture collector (its gRPC or HTTP port).
fn migrated_run_config(migrated: &Value, backend: &Sink, grpc: u16, http: u16) -> Value {
    let mut config = stack::with_endpoint(migrated.clone(), backend);
    let otlp = config
        .pointer_mut("/extra_config/telemetry~1opentelemetry/exporters/otlp")
        .and_then(Value::as_array_mut);
    for exporter in otlp.into_iter().flatten() {
        let port = if exporter["use_http"] == true {
            http
        } else {
            grpc
        };
        exporter["host"] = json!("127.0.0.1");
        exporter["port"] = json!(port);
    }
    config
}

fn capture_config(grpc: u16, http: u16, zipkin: u16, legacy: &Sink, new: &Sink) -> String {
    json!({
        "extensions": {"health_check": {}},
        "receivers": {
            "otlp": {"protocols": {
                "grpc": {"endpoint": format!("127.0.0.1:{grpc}")},
                "http": {"endpoint": format!("127.0.0.1:{http}")}
            }},
            "zipkin": {"endpoint": format!("127.0.0.1:{zipkin}")}
        },
        "exporters": {
            "otlphttp/legacy": stack::sink_exporter(legacy, ""),
            "otlphttp/new": stack::sink_exporter(new, "")
        },
        "service": {
            "extensions": ["health_check"],
            "pipelines": {
                "traces/legacy": {"receivers": ["zipkin"], "exporters": ["otlphttp/legacy"]},
                "traces/new": {"receivers": ["otlp"], "exporters": ["otlphttp/new"]}
            }
        }
    })
    .to_string()
}

/// Run both configs with `requests` requests each; the two sides.
pub fn run(oracles: &Oracles, legacy: &Value, migrated: &Value, requests: usize) -> (Side, Side) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (legacy_sink, new_sink) = (Sink::start("{}"), Sink::start("{}"));
    let (grpc, http, zipkin) = (free_port(), free_port(), free_port());
    let capture = capture_config(grpc, http, zipkin, &legacy_sink, &new_sink);
    let mut collector = stack::collector(oracles.adot_release(), &capture, dir.path());
    let backend = Sink::start("{\"ok\":true}");
    let config = legacy_run_config(legacy, &backend, zipkin);
    let legacy_contexts = run_gateway(oracles, &config, &backend, dir.path(), "legacy", requests);
    let backend = Sink::start("{\"ok\":true}");
    let config = migrated_run_config(migrated, &backend, grpc, http);
    let new_contexts = run_gateway(oracles, &config, &backend, dir.path(), "migrated", requests);
    // Both gateways have stopped, flushing what they held to the
    // collector; a graceful stop of the collector delivers the rest to the
    // sinks, which record each request before they answer it. So what the
    // sinks hold then is all there is: no wait for a quiet moment, which a
    // loaded machine can fake.
    collector.stop(Duration::from_secs(15));
    let (legacy_requests, new_requests) = (legacy_sink.requests(), new_sink.requests());
    (
        Side {
            traces: traces::traces(&legacy_requests),
            contexts: legacy_contexts,
        },
        Side {
            traces: traces::traces(&new_requests),
            contexts: new_contexts,
        },
    )
}

/// One gateway run: the trace context of each backend request.
fn run_gateway(
    oracles: &Oracles,
    config: &Value,
    backend: &Sink,
    dir: &std::path::Path,
    name: &str,
    requests: usize,
) -> Vec<Context> {
    let (mut gateway, port) = stack::gateway(&oracles.gateway, config, dir, name);
    stack::send(port, requests, &[]);
    // A graceful stop flushes the zipkin reporter and the span batcher.
    gateway.stop(Duration::from_secs(15));
    backend.requests().iter().map(Context::of).collect()
}

/// One differential case: a legacy config and oc2otel's migration of it.
pub struct Case {
    pub label: String,
    pub legacy: Value,
    pub migrated: Value,
    pub codes: Vec<String>,
    pub requests: usize,
}

/// The legacy `sample_rate` as KrakenD read it (0 when absent).
fn sample_rate(legacy: &mut Value) -> f64 {
    legacy_block(legacy)
        .and_then(|b| get_ci(b, "sample_rate").and_then(Value::as_f64))
        .unwrap_or(0.0)
}

/// A case from a legacy config text: migrated with `args` (then with
/// `--collector contrib` if ADOT cannot take it); `None` when it has no
/// service-level legacy block or oc2otel does not migrate it.
pub fn case(label: &str, text: &[u8], args: &[String]) -> Option<Case> {
    let mut legacy: Value = serde_json::from_slice(text).ok()?;
    legacy_block(&mut legacy)?;
    // The destination is faked: the run points every OTLP exporter at the
    // capture collector, so the fixture's own endpoint option is dropped.
    let mut args: Vec<String> = args.to_vec();
    if let Some(i) = args.iter().position(|a| a == "--otlp-endpoint") {
        args.drain(i..i + 2);
    }
    let contrib = [
        args.clone(),
        [args.clone(), vec!["--collector".into(), "contrib".into()]].concat(),
    ];
    let produced: Produced = contrib
        .iter()
        .find_map(|a| configs::migrate(label, "krakend.json", text, a))?;
    let migrated: Value = serde_json::from_str(produced.krakend.as_deref()?).ok()?;
    let rate = sample_rate(&mut legacy);
    Some(Case {
        label: produced.label,
        requests: if rate > 0.0 && rate < 100.0 {
            2000
        } else {
            100
        },
        legacy,
        migrated,
        codes: produced.codes,
    })
}

/// The cases, and the fixtures that make none (no service-level legacy
/// block, or oc2otel refuses them: nothing runs after the migration).
fn cases() -> (Vec<Case>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for fixture in crate::common::rules::fixtures() {
        let text = std::fs::read(&fixture).expect("fixture");
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        match case(
            &format!("rules/{name}"),
            &text,
            &configs::fixture_args(&fixture),
        ) {
            Some(c) => out.push(c),
            None => skipped.push(name),
        }
    }
    let example = crate::common::manifest_dir().join("examples/xray/krakend.json");
    let text = std::fs::read(&example).expect("example");
    out.extend(case("examples/xray/krakend.json", &text, &[]));
    (out, skipped)
}

struct Outcome {
    label: String,
    verdicts: Verdicts,
    spans: usize,
    requests: usize,
    sides: String,
}

fn differential(oracles: &Oracles, case: &Case) -> Outcome {
    let (before, after) = run(oracles, &case.legacy, &case.migrated, case.requests);
    let mut legacy = case.legacy.clone();
    let block = legacy_block(&mut legacy).cloned().unwrap_or(Value::Null);
    let differences = compare(&block, &before, &after, case.requests);
    let spans = [&before, &after]
        .iter()
        .flat_map(|s| s.traces.values())
        .map(|t| t.names.len())
        .sum();
    Outcome {
        label: case.label.clone(),
        verdicts: judge(&case.label, &case.codes, differences),
        spans,
        requests: 2 * case.requests,
        sides: format!(
            "  legacy:   {}\n  migrated: {}",
            describe(&before),
            describe(&after)
        ),
    }
}

#[test]
fn tier3_legacy_and_migrated_configs_behave_alike_or_say_why() {
    let Some(oracles) = super::oracles() else {
        return;
    };
    let (cases, skipped) = cases();
    assert!(cases.len() > 20, "only {} cases", cases.len());
    let outcomes = super::tier1::parallel(&cases, |c| differential(oracles, c));
    let mut failures = Vec::new();
    let mut seen_gaps = BTreeSet::new();
    for o in &outcomes {
        for d in &o.verdicts.known {
            seen_gaps.insert((d.kind, o.label.clone()));
        }
        if !o.verdicts.unexplained.is_empty() {
            failures.push(format!(
                "{}: unexplained {:?}\n  diagnostics: see `oc2otel migrate {}`\n{}",
                o.label, o.verdicts.unexplained, o.label, o.sides
            ));
        }
    }
    for gap in KNOWN_GAPS {
        if !seen_gaps
            .iter()
            .any(|(k, l)| *k == gap.kind && l.starts_with(gap.config))
        {
            failures.push(format!(
                "known gap `{}` on {} ({}) no longer occurs: remove it from KNOWN_GAPS",
                gap.kind, gap.config, gap.why
            ));
        }
    }
    // Explained differences by kind and code; known gaps by kind and section.
    let mut explained: BTreeMap<String, usize> = BTreeMap::new();
    for (d, code) in outcomes.iter().flat_map(|o| &o.verdicts.explained) {
        *explained
            .entry(format!("{} by {code}", d.kind))
            .or_insert(0) += 1;
    }
    let mut gaps: BTreeMap<String, usize> = BTreeMap::new();
    for (kind, label) in &seen_gaps {
        let gap = KNOWN_GAPS
            .iter()
            .find(|g| g.kind == *kind && label.starts_with(g.config));
        let fidelity = gap.map_or("", |g| g.fidelity);
        *gaps.entry(format!("{kind} ({fidelity})")).or_insert(0) += 1;
    }
    super::figures(&format!(
        "tier 3: {} configs run twice, {} requests sent, {} spans received; {} differences \
         explained by diagnostics {explained:?}; {} known gaps {gaps:?}; {} unexplained; \
         fixtures with nothing to run (no service-level block, or refused): {skipped:?}",
        outcomes.len(),
        outcomes.iter().map(|o| o.requests).sum::<usize>(),
        outcomes.iter().map(|o| o.spans).sum::<usize>(),
        explained.values().sum::<usize>(),
        seen_gaps.len(),
        failures.len()
    ));
    assert!(failures.is_empty(), "tier 3:\n{}", failures.join("\n"));
}

/// The oracle can fail: KrakenD's docs recipe "delete `sample_rate`" turns
/// 0 % into 100 % (OpenTelemetry samples everything by default); tier 3
/// must refuse such a hand migration.
#[test]
fn tier3_fails_on_a_hand_migration_that_deleted_sample_rate() {
    let Some(oracles) = super::oracles() else {
        return;
    };
    let text = crate::common::fixture("rules/xray_docs.json");
    let mut legacy: Value = serde_json::from_str(&text).expect("fixture");
    let block = legacy_block(&mut legacy).expect("legacy block");
    block.as_object_mut().expect("object").remove("sample_rate");
    let good = case("hand", legacy.to_string().as_bytes(), &[]).expect("migrates");
    let mut hand = legacy.clone();
    let extra = hand["extra_config"].as_object_mut().expect("extra_config");
    extra.remove("telemetry/opencensus");
    extra.insert(
        "telemetry/opentelemetry".into(),
        json!({"service_version": "latest",
               "exporters": {"otlp": [{"name": "adot", "host": "localhost", "port": 4317}]}}),
    );
    let hand_case = Case {
        migrated: hand,
        ..good
    };
    let outcome = differential(oracles, &hand_case);
    let sampled: Vec<_> = outcome
        .verdicts
        .unexplained
        .iter()
        .filter(|d| d.kind == "sampled")
        .collect();
    assert_eq!(
        sampled.len(),
        1,
        "{:?}\n{}",
        outcome.verdicts,
        outcome.sides
    );
    assert!(
        sampled[0].detail.starts_with("0 traces before, 100 after"),
        "{sampled:?}"
    );
    super::figures(&format!(
        "tier 3 self-test: deleting sample_rate is an unexplained sampling difference: {}",
        sampled[0].detail
    ));
}
