//! Adding the migrated exporters to a `telemetry/opentelemetry` block the
//! config already has.
//!
//! An existing block is never overwritten: its settings govern everything
//! exported through it. The migrated exporters are appended (with names
//! that do not collide, and skipped where an existing exporter already
//! sends to the same place) only when the existing settings give them the
//! behaviour the legacy block had. When they do not, and no per-exporter
//! setting can bridge the gap, the merge is refused with an error that
//! names the difference.

use serde_json::{Value, json};

use crate::migration::intent::{Intent, Layers, Sampling};
use crate::migration::options::Options;
use crate::migration::render::krakend::{self, ExporterEntry};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::syntax::tree::{Node, NodeKind, Span, child_pointer};

/// Something to add to the existing block.
#[derive(Debug, Clone, PartialEq)]
pub enum Insertion {
    /// Append `value` to the array at pointer `array`.
    Element { array: String, value: Value },
    /// Add `key: value` to the object at pointer `object`.
    Member {
        object: String,
        key: String,
        value: Value,
    },
}

#[derive(Debug, Default)]
pub struct Merge {
    pub insertions: Vec<Insertion>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Merge {
    pub fn refused(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::model::diagnostic::Severity::Error)
    }
}

fn number(node: Option<&Node>) -> Option<f64> {
    match &node?.kind {
        NodeKind::Number(raw) => raw.parse().ok(),
        _ => None,
    }
}

fn flag(node: Option<&Node>, key: &str) -> bool {
    node.and_then(|n| n.get(key))
        .is_some_and(|m| m.value.kind == NodeKind::Bool(true))
}

/// The sampling an existing block gives (KrakenD: absent -> 1; <= 0 or
/// >= 1 -> always; otherwise parent-based ratio).
fn existing_sampling(block: &Node) -> Sampling {
    match number(block.get("trace_sample_rate").map(|m| &m.value)) {
        Some(r) if r > 0.0 && r < 1.0 => Sampling::Ratio(r),
        _ => Sampling::Always,
    }
}

/// The metric period an existing block gives (absent -> 30, <= 0 -> 60).
fn existing_period(block: &Node) -> i64 {
    match number(block.get("metric_reporting_period").map(|m| &m.value)) {
        None => 30,
        Some(p) if p <= 0.0 => 60,
        Some(p) => p as i64,
    }
}

/// The layers an existing block leaves on, in OpenCensus terms.
fn existing_layers(block: &Node) -> Layers {
    let layers = block.get("layers").map(|m| &m.value);
    let layer = |name: &str| layers.and_then(|l| l.get(name)).map(|m| &m.value);
    let global = layer("global");
    let proxy = layer("proxy");
    let backend = layer("backend");
    let backend_off = |signal: &str| {
        backend
            .and_then(|b| b.get(signal))
            .map(|m| &m.value)
            .is_some_and(|s| {
                flag(Some(s), "disable_stage")
                    && !flag(Some(s), "round_trip")
                    && !flag(Some(s), "read_payload")
                    && !flag(Some(s), "detailed_connection")
            })
    };
    Layers {
        router: !(flag(global, "disable_metrics") && flag(global, "disable_traces")),
        pipe: !(flag(proxy, "disable_metrics") && flag(proxy, "disable_traces")),
        backend: !(backend_off("metrics") && backend_off("traces")),
    }
}

fn describe_sampling(s: Sampling) -> String {
    match s {
        Sampling::Off => "no traces".into(),
        Sampling::Ratio(r) => format!("{} % of traces", (r * 100.0 * 1000.0).round() / 1000.0),
        Sampling::Always => "every trace".into(),
    }
}

/// Plan the insertions into `existing` (the block at `pointer`, whose key
/// is at `key_span`).
pub fn merge(
    existing: &Node,
    pointer: &str,
    key_span: Span,
    intent: &Intent,
    options: &Options,
) -> Merge {
    let mut merge = Merge::default();
    let refuse = |message: String| {
        Diagnostic::error(Code::ExistingOpenTelemetry, message)
            .at(pointer.to_string(), key_span.clone())
            .with_help("make the existing `telemetry/opentelemetry` block match the legacy behaviour (or remove one of the two blocks), then migrate again")
    };
    if existing.members().is_none() {
        merge.diagnostics.push(refuse(format!(
            "the existing `telemetry/opentelemetry` is {}, not an object: the migrated exporters cannot be added to it",
            existing.type_name()
        )));
        return merge;
    }
    let exporters = existing.get("exporters").map(|m| &m.value);
    if let Some(e) = exporters
        && e.members().is_none()
    {
        merge.diagnostics.push(refuse(
            "the existing `telemetry/opentelemetry.exporters` is not an object".into(),
        ));
        return merge;
    }
    let list = |family: &str| exporters.and_then(|e| e.get(family)).map(|m| &m.value);
    for family in ["otlp", "prometheus"] {
        if let Some(l) = list(family)
            && l.elements().is_none()
        {
            merge.diagnostics.push(refuse(format!(
                "the existing `exporters.{family}` is not an array"
            )));
            return merge;
        }
    }
    let existing_entries = |family: &str| -> Vec<&Node> {
        list(family)
            .and_then(Node::elements)
            .map(|e| e.iter().collect())
            .unwrap_or_default()
    };
    let mut taken: Vec<String> = ["otlp", "prometheus"]
        .iter()
        .flat_map(|f| existing_entries(f))
        .filter_map(|e| {
            e.get("name")
                .and_then(|m| m.value.as_str())
                .map(String::from)
        })
        .collect();

    let mut added: Vec<ExporterEntry> = Vec::new();
    for mut entry in krakend::exporters(intent, options) {
        let same_place = existing_entries(entry.family).into_iter().find(|e| {
            if entry.family == "otlp" {
                let host = e
                    .get("host")
                    .and_then(|m| m.value.as_str())
                    .unwrap_or("localhost");
                let port = number(e.get("port").map(|m| &m.value)).unwrap_or(4317.0);
                Some(host.to_ascii_lowercase())
                    == entry.value["host"].as_str().map(str::to_ascii_lowercase)
                    && Some(port) == entry.value["port"].as_f64()
            } else {
                let port = number(e.get("port").map(|m| &m.value)).unwrap_or(9090.0);
                Some(port) == entry.value["port"].as_f64()
            }
        });
        if let Some(found) = same_place {
            let name = found
                .get("name")
                .and_then(|m| m.value.as_str())
                .unwrap_or("(unnamed)");
            // It covers the migrated exporter only for the signals it
            // does not disable.
            let missing_traces = entry.traces && flag(Some(found), "disable_traces");
            let missing_metrics = entry.metrics && flag(Some(found), "disable_metrics");
            if !missing_traces && !missing_metrics {
                merge.diagnostics.push(
                    Diagnostic::info(
                        Code::ExistingOpenTelemetry,
                        format!(
                            "the existing exporter `{name}` already sends to the place the migrated `{}` exporter would: not added twice",
                            entry.name()
                        ),
                    )
                    .at(pointer.to_string(), found.span.clone()),
                );
                continue;
            }
            if entry.family == "prometheus" {
                // A second Prometheus exporter cannot listen on that port.
                merge.diagnostics.push(refuse(format!(
                    "the existing Prometheus exporter `{name}` listens on the port the legacy block served metrics on, but has `disable_metrics: true`: enable its metrics or give it another port"
                )));
                continue;
            }
            let missing = match (missing_traces, missing_metrics) {
                (true, true) => "traces and metrics",
                (true, false) => "traces",
                _ => "metrics",
            };
            merge.diagnostics.push(
                Diagnostic::info(
                    Code::ExistingOpenTelemetry,
                    format!(
                        "the existing exporter `{name}` sends to the place the migrated `{}` exporter would, but not {missing}: the migrated exporter is added for them",
                        entry.name()
                    ),
                )
                .at(pointer.to_string(), found.span.clone()),
            );
            if !missing_traces && entry.traces {
                entry.traces = false;
                entry.value.insert("disable_traces".into(), json!(true));
            }
            if !missing_metrics && entry.metrics {
                entry.metrics = false;
                entry.value.insert("disable_metrics".into(), json!(true));
            }
        }
        let base = entry.name().to_string();
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.push(name.clone());
        entry.value.insert("name".into(), json!(name));
        added.push(entry);
    }

    let mut conflicts = Vec::new();
    if added.iter().any(|e| e.traces) {
        let have = existing_sampling(existing);
        let same = match (have, intent.sampling) {
            (Sampling::Ratio(a), Sampling::Ratio(b)) => (a - b).abs() < 1e-9,
            (a, b) => a == b,
        };
        if !same {
            conflicts.push(format!(
                "the existing block records {} but the legacy block recorded {}",
                describe_sampling(have),
                describe_sampling(intent.sampling)
            ));
        }
    }
    if added.iter().any(|e| e.family == "otlp" && e.metrics) {
        let have = existing_period(existing);
        if have != intent.metric_period {
            if options.krakend_version.has_custom_metric_period() {
                for entry in added.iter_mut().filter(|e| e.family == "otlp" && e.metrics) {
                    entry.value.insert(
                        "custom_metric_reporting_period".into(),
                        json!(intent.metric_period),
                    );
                }
                merge.diagnostics.push(
                    Diagnostic::info(
                        Code::ExistingOpenTelemetry,
                        format!(
                            "the existing block reports metrics every {have} s; the appended exporters keep the legacy {} s with `custom_metric_reporting_period`",
                            intent.metric_period
                        ),
                    )
                    .at(pointer.to_string(), key_span.clone()),
                );
            } else {
                conflicts.push(format!(
                    "the existing block reports metrics every {have} s but the legacy block every {} s (a per-exporter period needs KrakenD 2.10)",
                    intent.metric_period
                ));
            }
        }
    }
    if !added.is_empty() {
        let have = existing_layers(existing);
        if have != intent.layers {
            let show = |l: Layers| {
                format!(
                    "router {}, pipe {}, backend {}",
                    on_off(l.router),
                    on_off(l.pipe),
                    on_off(l.backend)
                )
            };
            conflicts.push(format!(
                "the existing block's layers ({}) differ from the legacy ones ({})",
                show(have),
                show(intent.layers)
            ));
        }
    }
    for conflict in conflicts {
        merge.diagnostics.push(refuse(format!(
            "cannot add the migrated exporters to the existing `telemetry/opentelemetry`: {conflict}"
        )));
    }
    if merge.refused() {
        return merge;
    }
    for (key, field) in [
        ("service_name", &intent.service_name),
        ("service_version", &intent.service_version),
    ] {
        let have = existing.get(key).and_then(|m| m.value.as_str());
        if let Some(want) = field
            && have != Some(want.as_str())
        {
            merge.diagnostics.push(
                Diagnostic::warning(
                    Code::ExistingOpenTelemetry,
                    format!(
                        "the legacy {key} {want:?} is not used: the existing block {} and governs the appended exporters",
                        have.map_or_else(|| format!("has no `{key}`"), |h| format!("sets {h:?}"))
                    ),
                )
                .at(pointer.to_string(), key_span.clone()),
            );
        }
    }
    for (key, value) in &intent.comments {
        if existing.get(key).is_none() {
            merge.insertions.push(Insertion::Member {
                object: pointer.to_string(),
                key: key.clone(),
                value: value.clone(),
            });
        }
    }
    let exporters_pointer = child_pointer(pointer, "exporters");
    let mut new_exporters = serde_json::Map::new();
    for family in ["otlp", "prometheus"] {
        let values: Vec<Value> = added
            .iter()
            .filter(|e| e.family == family)
            .map(|e| Value::Object(e.value.clone()))
            .collect();
        if values.is_empty() {
            continue;
        }
        match (exporters, list(family)) {
            (Some(_), Some(_)) => {
                for value in values {
                    merge.insertions.push(Insertion::Element {
                        array: child_pointer(&exporters_pointer, family),
                        value,
                    });
                }
            }
            (Some(_), None) => merge.insertions.push(Insertion::Member {
                object: exporters_pointer.clone(),
                key: family.to_string(),
                value: Value::Array(values),
            }),
            (None, _) => {
                new_exporters.insert(family.to_string(), Value::Array(values));
            }
        }
    }
    if !new_exporters.is_empty() {
        merge.insertions.push(Insertion::Member {
            object: pointer.to_string(),
            key: "exporters".into(),
            value: Value::Object(new_exporters),
        });
    }
    let names: Vec<String> = added.iter().map(|e| format!("`{}`", e.name())).collect();
    merge.diagnostics.push(
        Diagnostic::info(
            Code::ExistingOpenTelemetry,
            if names.is_empty() {
                "the config already has `telemetry/opentelemetry`, which already covers every migrated exporter; it is left as it is".to_string()
            } else {
                format!(
                    "the config already has `telemetry/opentelemetry`: the migrated exporters {} are appended to it, and its own settings are kept",
                    names.join(", ")
                )
            },
        )
        .at(pointer.to_string(), key_span),
    );
    merge
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}
