//! Tier 2, end to end: the migrated KrakenD config on the gateway stand-in,
//! the generated collector config on the real collector, a fake backend,
//! requests; then what reaches the far end is checked: the number of
//! traces, service name and version, a span for each enabled layer,
//! nothing at 0 %, and with `--metrics emf` KrakenD's metrics.
//!
//! The awsxray and awsemf exporters cannot be built (their modules are not
//! served by the Go module proxy, docs/testing.md), so the far end is an
//! `otlphttp` exporter (JSON) to a loopback sink put in their place, in the
//! same pipelines after the same processors; everything else in the
//! generated collector config runs unchanged.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use super::sink::Sink;
use super::{Oracles, free_port, stack, traces};

/// One migration of the matrix.
struct Case {
    label: &'static str,
    legacy: Value,
    emf: bool,
    /// Layers expected to make spans.
    layers: &'static [&'static str],
    /// Where KrakenD reaches the collector (`--otlp-endpoint` host).
    host: &'static str,
    /// service.name: the config's `name`, else KrakenD's default.
    service: &'static str,
    version: &'static str,
}

fn xray(sample_rate: i64, layers: Option<Value>) -> Value {
    let mut block = json!({
        "sample_rate": sample_rate,
        "exporters": {"xray": {"region": "eu-west-1", "version": "2026.11.1", "use_env": true}}
    });
    if let Some(layers) = layers {
        block["enabled_layers"] = layers;
    }
    json!({"version": 3, "extra_config": {"telemetry/opencensus": block}})
}

fn matrix() -> Vec<Case> {
    let example = crate::common::manifest_dir().join("examples/xray/krakend.json");
    let seed: Value =
        serde_json::from_slice(&std::fs::read(example).expect("example")).expect("json");
    let all = &["router", "pipe", "backend", "client"][..];
    vec![
        Case {
            label: "examples/xray (20 %, router and backend)",
            legacy: seed,
            emf: false,
            host: "127.0.0.1",
            layers: &["router", "backend", "client"],
            service: "orders-gateway",
            version: "2024.11.3",
        },
        Case {
            label: "sampling 0 %",
            legacy: xray(0, None),
            emf: false,
            host: "127.0.0.1",
            layers: all,
            service: "KrakenD",
            version: "2026.11.1",
        },
        Case {
            label: "sampling 25 %",
            legacy: xray(25, None),
            emf: false,
            host: "127.0.0.1",
            layers: all,
            service: "KrakenD",
            version: "2026.11.1",
        },
        Case {
            label: "sampling 100 %",
            legacy: xray(100, None),
            emf: false,
            host: "127.0.0.1",
            layers: all,
            service: "KrakenD",
            version: "2026.11.1",
        },
        Case {
            label: "router layer only",
            legacy: xray(100, Some(json!({"router": true}))),
            emf: false,
            host: "127.0.0.1",
            layers: &["router"],
            service: "KrakenD",
            version: "2026.11.1",
        },
        Case {
            label: "--metrics emf",
            legacy: xray(100, None),
            emf: true,
            host: "127.0.0.1",
            layers: all,
            service: "KrakenD",
            version: "2026.11.1",
        },
        Case {
            label: "IPv6 sidecar (--otlp-endpoint [::1]:PORT)",
            legacy: xray(100, None),
            emf: false,
            host: "[::1]",
            layers: all,
            service: "KrakenD",
            version: "2026.11.1",
        },
    ]
}

/// The migration of `legacy` with the collector on `port`: (KrakenD
/// config, collector config).
fn migrate(legacy: &Value, host: &str, port: u16, emf: bool) -> (Value, String) {
    let mut args = vec!["--otlp-endpoint".to_string(), format!("{host}:{port}")];
    if emf {
        args.extend(["--metrics".to_string(), "emf".to_string()]);
    }
    let text = serde_json::to_vec_pretty(legacy).expect("json");
    let p = super::configs::migrate("tier2", "krakend.json", &text, &args).expect("migrates");
    let krakend = serde_json::from_str(p.krakend.as_deref().expect("json")).expect("json");
    (krakend, p.collector.expect("a collector config"))
}

/// The collector config with awsxray and awsemf replaced by the sink.
fn with_sink(collector: &str, sink: &Sink) -> String {
    let mut config: Value = yaml_serde::from_str(collector).expect("collector YAML");
    let exporters = config["exporters"].as_object_mut().expect("exporters");
    for (kind, path) in [("awsxray", "/xray"), ("awsemf", "/emf")] {
        if exporters.remove(kind).is_some() {
            exporters.insert(
                format!("otlphttp/{kind}_stand_in"),
                stack::sink_exporter(sink, path),
            );
        }
    }
    for pipeline in config["service"]["pipelines"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for id in pipeline["exporters"].as_array_mut().into_iter().flatten() {
            if let Some(kind @ ("awsxray" | "awsemf")) = id.as_str() {
                *id = json!(format!("otlphttp/{kind}_stand_in"));
            }
        }
    }
    config.to_string()
}

/// What one end-to-end run delivered.
struct Delivered {
    traces: std::collections::BTreeMap<String, traces::Trace>,
    metrics: BTreeSet<String>,
}

/// Run the gateway on `krakend` and the collector on `collector` (sink in
/// place of the AWS exporters), send `requests`, stop both (they flush).
fn run(oracles: &Oracles, krakend: &Value, collector: &str, requests: usize) -> Delivered {
    let dir = tempfile::tempdir().expect("temp dir");
    let sink = Sink::start("{}");
    let backend = Sink::start("{\"ok\":true}");
    let mut otelcol = stack::collector(
        oracles.adot_release(),
        &with_sink(collector, &sink),
        dir.path(),
    );
    let config = stack::with_endpoint(krakend.clone(), &backend);
    let (mut gateway, port) = stack::gateway(&oracles.gateway, &config, dir.path(), "gateway");
    stack::send(port, requests, &[]);
    gateway.stop(Duration::from_secs(15));
    stack::settle(&sink, Duration::from_secs(20));
    // The metrics batch waits 60 s: stopping the collector flushes it.
    otelcol.stop(Duration::from_secs(20));
    let received = stack::settle(&sink, Duration::from_secs(5));
    let xray: Vec<_> = received
        .iter()
        .filter(|r| r.path.starts_with("/xray"))
        .cloned()
        .collect();
    let emf: Vec<_> = received
        .iter()
        .filter(|r| r.path.starts_with("/emf"))
        .cloned()
        .collect();
    Delivered {
        traces: traces::traces(&xray),
        metrics: traces::metric_names(&emf),
    }
}

/// Check what a case delivered; the figures, or what is wrong.
fn check(case: &Case, rate: f64, requests: usize, got: &Delivered) -> Result<String, String> {
    let n = got.traces.len();
    let expected = rate * requests as f64;
    let sigma = (requests as f64 * rate * (1.0 - rate)).sqrt();
    if (n as f64 - expected).abs() > 5.0 * sigma.max(0.2) {
        return Err(format!(
            "{n} traces of {requests} requests at {} %",
            rate * 100.0
        ));
    }
    for t in got.traces.values() {
        if t.service != case.service || t.version.as_deref() != Some(case.version) {
            let (service, version) = (case.service, case.version);
            return Err(format!(
                "service {} version {:?}, expected {service} {version}",
                t.service, t.version
            ));
        }
        let expected: BTreeSet<String> = case.layers.iter().map(|l| l.to_string()).collect();
        if t.layers != expected {
            return Err(format!("spans {:?}, expected layers {expected:?}", t.names));
        }
    }
    if case.emf && !got.metrics.contains("http.server.request.count") {
        return Err(format!(
            "no KrakenD metrics reached the awsemf pipeline: {:?}",
            got.metrics
        ));
    }
    let spans: usize = got.traces.values().map(|t| t.names.len()).sum();
    Ok(format!(
        "{n} traces, {spans} spans, {} metrics",
        got.metrics.len()
    ))
}

fn legacy_rate(legacy: &Value) -> f64 {
    let rate = legacy
        .pointer("/extra_config/telemetry~1opencensus/sample_rate")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    (rate / 100.0).clamp(0.0, 1.0)
}

#[test]
fn tier2_migrated_configs_deliver_end_to_end() {
    let Some(oracles) = super::oracles() else {
        return;
    };
    let cases = matrix();
    let results = super::tier1::parallel(&cases, |case| {
        let rate = legacy_rate(&case.legacy);
        let requests = if rate > 0.0 && rate < 1.0 { 1000 } else { 100 };
        let (krakend, collector) = migrate(&case.legacy, case.host, free_port(), case.emf);
        let got = run(oracles, &krakend, &collector, requests);
        (case.label, requests, check(case, rate, requests, &got))
    });
    let mut failures = Vec::new();
    for (label, requests, result) in &results {
        match result {
            Ok(figures) => {
                super::figures(&format!("tier 2: {label}: {requests} requests, {figures}"))
            }
            Err(e) => failures.push(format!("{label}: {e}")),
        }
    }
    assert!(failures.is_empty(), "tier 2:\n{}", failures.join("\n"));
}

/// The oracle can fail: a migration whose KrakenD config sends to another
/// port than its collector listens on delivers nothing.
#[test]
fn tier2_fails_on_a_migration_with_a_wrong_port() {
    let Some(oracles) = super::oracles() else {
        return;
    };
    let case = &matrix()[3];
    let (krakend, _) = migrate(&case.legacy, case.host, free_port(), false);
    let (_, collector) = migrate(&case.legacy, case.host, free_port(), false);
    let got = run(oracles, &krakend, &collector, 50);
    let error = check(case, 1.0, 50, &got).expect_err("a wrong port must fail tier 2");
    assert!(error.starts_with("0 traces of 50"), "{error}");
    super::figures(&format!(
        "tier 2 self-test: a wrong OTLP port fails: {error}"
    ));
}
