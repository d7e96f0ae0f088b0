//! The service settings of an existing `telemetry/opentelemetry` block
//! (sampler, layer switches, metric period) against the legacy block's,
//! when the migrated exporters are appended to it.
//!
//! A setting matters only for the signal it governs. Where the appended
//! exporters carry a signal that no existing exporter carries, the setting
//! can be changed to the legacy value without changing what the existing
//! exporters do: OpenTelemetry expresses the two separately (KrakenD's own
//! playground has Prometheus in the OpenTelemetry block and Jaeger, with
//! `pipe` off, in the OpenCensus block: `layers.proxy.disable_traces`
//! keeps the pipe layer's traces off, the Prometheus metrics stay as they
//! were). Where both carry it, the two blocks cannot both keep their
//! behaviour: OC010 refuses and says what to change, unless
//! `--merge-settings existing|legacy` says which side wins (a warning for
//! each resulting change).

use serde_json::{Map, Value};

use crate::migration::intent::{Intent, Layers, Sampling};
use crate::migration::options::{MergeSettings, Options};
use crate::migration::render::krakend::{self, Exporter};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::otel::{self, BackendSignal, Sampler};
use crate::model::signal::Signal;
use crate::syntax::tree::Span;

/// One service setting where the two blocks differ.
struct Difference {
    /// For people: `the proxy layer's traces`.
    what: String,
    signal: Signal,
    /// Path of the setting inside the block, and the legacy value.
    path: Vec<&'static str>,
    value: Value,
    existing: String,
    legacy: String,
}

fn on_off(on: bool) -> String {
    if on { "on" } else { "off" }.to_string()
}

pub(super) fn describe_sampling(s: Sampling) -> String {
    match s {
        Sampling::Off => "no traces".into(),
        Sampling::Ratio(r) => format!("{} % of traces", (r * 100.0 * 1000.0).round() / 1000.0),
        Sampling::Always => "every trace".into(),
    }
}

/// A backend signal object that is on or off.
fn backend_signal(on: bool) -> Value {
    if on {
        serde_json::json!({"disable_stage": false})
    } else {
        let off = BackendSignal::OFF;
        serde_json::json!({
            "disable_stage": off.disable_stage,
            "round_trip": off.round_trip,
            "read_payload": off.read_payload,
            "detailed_connection": off.detailed_connection,
        })
    }
}

/// The layer switches of both blocks, per signal.
fn layer_differences(block: &otel::Block, legacy: Layers) -> Vec<Difference> {
    let have = block.layer_switches();
    let flag = |what: &str,
                signal: Signal,
                path: Vec<&'static str>,
                existing: bool,
                legacy: bool,
                value: Value| {
        (existing != legacy).then(|| Difference {
            what: what.to_string(),
            signal,
            path,
            value,
            existing: on_off(existing),
            legacy: on_off(legacy),
        })
    };
    let t = Signal::Traces;
    let m = Signal::Metrics;
    [
        flag(
            "the global (router) layer's traces",
            t,
            vec!["layers", "global", "disable_traces"],
            have.global.traces,
            legacy.router,
            Value::Bool(!legacy.router),
        ),
        flag(
            "the proxy (pipe) layer's traces",
            t,
            vec!["layers", "proxy", "disable_traces"],
            have.proxy.traces,
            legacy.pipe,
            Value::Bool(!legacy.pipe),
        ),
        flag(
            "the backend layer's traces",
            t,
            vec!["layers", "backend", "traces"],
            have.backend.traces,
            legacy.backend,
            backend_signal(legacy.backend),
        ),
        flag(
            "the global (router) layer's metrics",
            m,
            vec!["layers", "global", "disable_metrics"],
            have.global.metrics,
            legacy.router,
            Value::Bool(!legacy.router),
        ),
        flag(
            "the backend layer's metrics",
            m,
            vec!["layers", "backend", "metrics"],
            have.backend.metrics,
            legacy.backend,
            backend_signal(legacy.backend),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every service setting that differs, for the signals the appended
/// exporters carry. The metric period is left to the caller when a
/// per-exporter period can bridge it.
fn differences(
    block: &otel::Block,
    added: &[Exporter],
    intent: &Intent,
    period_bridged: bool,
) -> Vec<Difference> {
    let carries = |s: Signal| added.iter().any(|e| e.carries(s));
    let mut out = Vec::new();
    let have = match block.sampler() {
        Sampler::ParentRatio(r) => Sampling::Ratio(r),
        Sampler::Always => Sampling::Always,
    };
    let same = match (have, intent.sampling) {
        (Sampling::Ratio(a), Sampling::Ratio(b)) => (a - b).abs() < 1e-9,
        (a, b) => a == b,
    };
    if !same && let Some(rate) = krakend::trace_sample_rate(intent.sampling) {
        out.push(Difference {
            what: "the sampling".into(),
            signal: Signal::Traces,
            path: vec!["trace_sample_rate"],
            value: rate.into(),
            existing: describe_sampling(have),
            legacy: describe_sampling(intent.sampling),
        });
    }
    let pushes = added
        .iter()
        .any(|e| matches!(e, Exporter::Otlp(_)) && e.carries(Signal::Metrics));
    let period = block.metric_period();
    if pushes && !period_bridged && period != intent.metric_period {
        out.push(Difference {
            what: "the metric reporting period".into(),
            signal: Signal::Metrics,
            path: vec!["metric_reporting_period"],
            value: intent.metric_period.into(),
            existing: format!("every {period} s"),
            legacy: format!("every {} s", intent.metric_period),
        });
    }
    out.extend(layer_differences(block, intent.layers));
    out.retain(|d| carries(d.signal));
    out
}

/// The existing exporters that carry `signal` (the period only concerns
/// the OTLP ones, which push).
fn carried_by(block: &otel::Block, signal: Signal, pushed_only: bool) -> Vec<String> {
    let name = |n: &Option<String>| format!("`{}`", n.as_deref().unwrap_or("(unnamed)"));
    let otlp = block
        .otlp()
        .iter()
        .filter(|e| e.carries(signal))
        .map(|e| name(&e.name));
    let prometheus = block
        .prometheus()
        .iter()
        .filter(|e| !pushed_only && e.carries(signal))
        .map(|e| name(&e.name));
    otlp.chain(prometheus).collect()
}

fn set(patch: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = patch;
    for key in parents {
        let entry = at
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        at = entry.as_object_mut().expect("an object");
    }
    at.insert(last.to_string(), value);
}

/// Decide every differing setting: the settings to write into the
/// existing block (a patch, nested like the block), and the diagnostics.
pub fn reconcile(
    block: &otel::Block,
    added: &[Exporter],
    intent: &Intent,
    options: &Options,
    period_bridged: bool,
    (pointer, span): (&str, Span),
) -> (Map<String, Value>, Vec<Diagnostic>) {
    let mut patch = Map::new();
    let mut out = Vec::new();
    let note = |severity: fn(Code, String) -> Diagnostic, message: String| {
        severity(Code::ExistingOpenTelemetry, message).at(pointer.to_string(), span.clone())
    };
    let info = |c, m: String| Diagnostic::info(c, m);
    // A side chosen with --merge-settings: its own code, so that a
    // behaviour change it causes is told apart from the merge's notes.
    let chosen = |m: String| {
        Diagnostic::warning(Code::MergeSetting, m).at(pointer.to_string(), span.clone())
    };
    let error = |c, m: String| Diagnostic::error(c, m);
    for d in differences(block, added, intent, period_bridged) {
        let setting = format!("`{}: {}`", d.path.join("."), d.value);
        let pushed_only = d.path == ["metric_reporting_period"];
        let owners = carried_by(block, d.signal, pushed_only);
        if owners.is_empty() {
            set(&mut patch, &d.path, d.value.clone());
            out.push(note(info, format!(
                "{}: {} in the existing block, {} in the legacy one; set to {setting}, which only the appended exporters see (no existing exporter carries {})",
                d.what, d.existing, d.legacy, d.signal.as_str()
            )));
            continue;
        }
        let owners = owners.join(", ");
        match options.merge_settings {
            MergeSettings::Refuse => out.push(
                note(error, format!(
                    "cannot add the migrated exporters to the existing `telemetry/opentelemetry`: {}: {} there, {} in the legacy block, and the existing exporters {owners} also carry {}",
                    d.what, d.existing, d.legacy, d.signal.as_str()
                ))
                .with_help(format!(
                    "to keep the legacy behaviour set {setting} in the existing block (its exporters {owners} then follow it too), or change the legacy block to match the existing one; or choose with --merge-settings existing (keep the existing setting) or --merge-settings legacy (write {setting})"
                )),
            ),
            MergeSettings::Existing => out.push(chosen(format!(
                "--merge-settings existing: {}: the existing block's {} is kept; the appended exporters lose the legacy {}",
                d.what, d.existing, d.legacy
            ))),
            MergeSettings::Legacy => {
                set(&mut patch, &d.path, d.value.clone());
                out.push(chosen(format!(
                    "--merge-settings legacy: {}: the legacy {} is written ({setting}); the existing exporters {owners} change from {} too",
                    d.what, d.legacy, d.existing
                )));
            }
        }
    }
    (patch, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    fn jaeger(layers: Layers) -> Intent {
        crate::migration::intent::jaeger_for_tests(Sampling::Always, layers)
    }

    fn run(existing: &str, merge_settings: MergeSettings) -> (Map<String, Value>, Vec<Diagnostic>) {
        let node = json::parse(existing).unwrap();
        let block = otel::decode(&node, "/b").unwrap().block;
        let pipe_off = Layers {
            pipe: false,
            ..Layers::ALL
        };
        let intent = jaeger(pipe_off);
        let options = Options {
            merge_settings,
            ..Options::default()
        };
        let added = krakend::exporters(&intent, &options);
        reconcile(&block, &added, &intent, &options, false, ("/b", 0..1))
    }

    #[test]
    fn a_layer_only_the_appended_exporters_see_is_merged() {
        let prometheus = r#"{"exporters": {"prometheus": [{"name": "p", "port": 9090}]}}"#;
        let (patch, notes) = run(prometheus, MergeSettings::Refuse);
        assert_eq!(
            Value::Object(patch),
            serde_json::json!({"layers": {"proxy": {"disable_traces": true}}})
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].severity, crate::model::diagnostic::Severity::Info);
    }

    #[test]
    fn a_layer_both_see_is_refused_or_decided_by_the_option() {
        let tempo = r#"{"exporters": {"otlp": [{"name": "tempo", "host": "tempo"}]}}"#;
        let (patch, notes) = run(tempo, MergeSettings::Refuse);
        assert!(patch.is_empty());
        assert!(
            notes[0].message.contains("`tempo` also carry traces"),
            "{notes:?}"
        );
        assert!(
            notes[0]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("`layers.proxy.disable_traces: true`"))
        );
        let (patch, notes) = run(tempo, MergeSettings::Existing);
        assert!(patch.is_empty());
        assert!(notes[0].message.starts_with("--merge-settings existing"));
        let (patch, notes) = run(tempo, MergeSettings::Legacy);
        assert!(!patch.is_empty());
        assert!(notes[0].message.contains("`tempo` change"), "{notes:?}");
    }
}
