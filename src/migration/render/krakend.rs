//! The KrakenD `telemetry/opentelemetry` block for an intent.
//!
//! Where OpenTelemetry's defaults differ from what the legacy block did,
//! the legacy behaviour is written explicitly: `disable_traces` instead of
//! a sample rate of 0, the 10 s reporting period, fully disabled layer
//! objects. Where they agree, nothing is written, so the block stays small.

use serde_json::{Map, Value, json};

use crate::migration::intent::{Intent, Layers, Route, Sampling};
use crate::migration::options::Options;

/// One exporter entry of the block, with the signals it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct ExporterEntry {
    /// `otlp` or `prometheus`.
    pub family: &'static str,
    pub value: Map<String, Value>,
    pub traces: bool,
    pub metrics: bool,
}

impl ExporterEntry {
    pub fn name(&self) -> &str {
        self.value
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// The exporter entries for an intent, in the order of the legacy
/// exporters; every collector-bound destination shares one OTLP entry.
pub fn exporters(intent: &Intent, options: &Options) -> Vec<ExporterEntry> {
    let traces_on = intent.sampling != Sampling::Off;
    let collector = intent.collector_signals();
    let mut entries = Vec::new();
    let mut collector_done = false;
    for destination in &intent.destinations {
        let (family, value, signals) = match &destination.route {
            Route::Collector(_) if collector_done => continue,
            Route::Collector(_) => {
                collector_done = true;
                let endpoint = &options.otlp_endpoint;
                (
                    "otlp",
                    otlp(
                        options.collector.exporter_name(),
                        &endpoint.host,
                        endpoint.port,
                    ),
                    collector,
                )
            }
            Route::Otlp { name, host, port } => {
                ("otlp", otlp(name, host, *port), destination.signals)
            }
            Route::Prometheus { port } => {
                let mut value = Map::new();
                value.insert("name".into(), json!("prometheus"));
                value.insert("port".into(), json!(port));
                value.insert("process_metrics".into(), json!(true));
                value.insert("go_metrics".into(), json!(true));
                ("prometheus", value, destination.signals)
            }
        };
        let mut entry = ExporterEntry {
            family,
            value,
            traces: signals.traces && traces_on,
            metrics: signals.metrics,
        };
        if family == "otlp" {
            if !entry.metrics {
                entry.value.insert("disable_metrics".into(), json!(true));
            }
            if !entry.traces {
                entry.value.insert("disable_traces".into(), json!(true));
            }
        }
        entries.push(entry);
    }
    entries
}

fn otlp(name: &str, host: &str, port: u16) -> Map<String, Value> {
    let mut value = Map::new();
    value.insert("name".into(), json!(name));
    // KrakenD dials the string `host:port`: an IPv6 literal needs its
    // brackets there, or the address has too many colons to split.
    value.insert(
        "host".into(),
        json!(crate::migration::convert::address::bracketed(host)),
    );
    value.insert("port".into(), json!(port));
    value.insert("use_http".into(), json!(false));
    value
}

/// `trace_sample_rate` for a sampling, when it must be written.
pub fn trace_sample_rate(sampling: Sampling) -> Option<Value> {
    match sampling {
        Sampling::Off => None,
        Sampling::Ratio(ratio) => Some(json!(ratio)),
        Sampling::Always => Some(json!(1)),
    }
}

/// The `layers` object: only layers that were off are written, fully.
pub fn layers(layers: Layers) -> Option<Value> {
    let mut out = Map::new();
    if !layers.router {
        out.insert(
            "global".into(),
            json!({"disable_metrics": true, "disable_traces": true, "disable_propagation": true}),
        );
    }
    if !layers.pipe {
        out.insert(
            "proxy".into(),
            json!({"disable_metrics": true, "disable_traces": true}),
        );
    }
    if !layers.backend {
        let off = json!({
            "disable_stage": true,
            "round_trip": false,
            "read_payload": false,
            "detailed_connection": false
        });
        out.insert(
            "backend".into(),
            json!({"metrics": off.clone(), "traces": off}),
        );
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// The whole `telemetry/opentelemetry` block.
pub fn block(intent: &Intent, options: &Options) -> Value {
    let entries = exporters(intent, options);
    let mut block = Map::new();
    for (key, value) in &intent.comments {
        block.insert(key.clone(), value.clone());
    }
    if let Some(name) = &intent.service_name {
        block.insert("service_name".into(), json!(name));
    }
    if let Some(version) = &intent.service_version {
        block.insert("service_version".into(), json!(version));
    }
    if entries.iter().any(|e| e.family == "otlp" && e.metrics) {
        block.insert(
            "metric_reporting_period".into(),
            json!(intent.metric_period),
        );
    }
    if entries.iter().any(|e| e.traces)
        && let Some(rate) = trace_sample_rate(intent.sampling)
    {
        block.insert("trace_sample_rate".into(), rate);
    }
    if let Some(layers) = layers(intent.layers) {
        block.insert("layers".into(), layers);
    }
    let mut exporters = Map::new();
    for family in ["otlp", "prometheus"] {
        let list: Vec<Value> = entries
            .iter()
            .filter(|e| e.family == family)
            .map(|e| Value::Object(e.value.clone()))
            .collect();
        if !list.is_empty() {
            exporters.insert(family.into(), Value::Array(list));
        }
    }
    block.insert("exporters".into(), Value::Object(exporters));
    Value::Object(block)
}
