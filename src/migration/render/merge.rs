//! Adding the migrated exporters to a `telemetry/opentelemetry` block the
//! config already has.
//!
//! An existing block is never overwritten: its settings govern everything
//! exported through it. It is read as KrakenD reads it (the typed model,
//! [`crate::model::otel`]: case-insensitive keys, port 0 is 4317, ...).
//! The migrated exporters are appended (with names that do not collide,
//! and skipped where an existing exporter already sends to the same place)
//! only when the existing settings give them the behaviour the legacy
//! block had. When they do not, and no per-exporter setting can bridge the
//! gap, the merge is refused with an error that names the difference.

use serde_json::Value;

use crate::migration::intent::{Intent, Sampling};
use crate::migration::options::Options;
use crate::migration::render::krakend::{self, Exporter};
use crate::model::diagnostic::{Code, Diagnostic, Severity};
use crate::model::otel::{self, Where};
use crate::model::signal::Signal;
use crate::syntax::tree::{Node, Span};

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
    /// Replace the value of the member `key` (as written) of the object at
    /// pointer `object`.
    Replace {
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
            .any(|d| d.severity == Severity::Error)
    }
}

/// The existing block and where it is.
struct Existing<'a> {
    node: &'a Node,
    block: otel::Block,
    at: Where,
    pointer: &'a str,
    key_span: Span,
}

impl Existing<'_> {
    fn refuse(&self, message: String) -> Diagnostic {
        Diagnostic::error(Code::ExistingOpenTelemetry, message)
            .at(self.pointer.to_string(), self.key_span.clone())
            .with_help("make the existing `telemetry/opentelemetry` block match the legacy behaviour (or remove one of the two blocks), then migrate again")
    }

    fn info(&self, message: String, span: Span) -> Diagnostic {
        Diagnostic::info(Code::ExistingOpenTelemetry, message).at(self.pointer.to_string(), span)
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
    let decoded = if existing.members().is_none() {
        Err(format!(
            "the existing `telemetry/opentelemetry` is {}, not an object: the migrated exporters cannot be added to it",
            existing.type_name()
        ))
    } else {
        otel::decode(existing, pointer).map_err(|r| {
            format!(
                "KrakenD cannot read the existing `telemetry/opentelemetry` ({} at {}), so it runs without OpenTelemetry: the migrated exporters cannot be added to it",
                r.message, r.pointer
            )
        })
    };
    let existing = match decoded {
        Ok(decoded) => Existing {
            node: existing,
            block: decoded.block,
            at: decoded.at,
            pointer,
            key_span,
        },
        Err(message) => {
            let refusal = Diagnostic::error(Code::ExistingOpenTelemetry, message)
                .at(pointer.to_string(), key_span)
                .with_help("fix the existing `telemetry/opentelemetry` block (or remove it), then migrate again");
            merge.diagnostics.push(refusal);
            return merge;
        }
    };
    let mut added = plan_exporters(&existing, intent, options, &mut merge.diagnostics);
    let patch = check_settings(
        &existing,
        &mut added,
        intent,
        options,
        &mut merge.diagnostics,
    );
    if merge.refused() {
        return merge;
    }
    service_warnings(&existing, intent, &mut merge.diagnostics);
    unrecorded_context(&existing, &patch, intent, &mut merge.diagnostics);
    merge.insertions = insertions(&existing, intent, &added);
    patch_insertions(
        existing.node,
        existing.pointer,
        &patch,
        &mut merge.insertions,
    );
    let names: Vec<String> = added.iter().map(|e| format!("`{}`", e.name())).collect();
    merge.diagnostics.push(existing.info(
        if names.is_empty() {
            "the config already has `telemetry/opentelemetry`, which already covers every migrated exporter; it is left as it is".to_string()
        } else {
            format!(
                "the config already has `telemetry/opentelemetry`: the migrated exporters {} are appended to it, and its own settings are kept except where said",
                names.join(", ")
            )
        },
        existing.key_span.clone(),
    ));
    merge
}

/// OpenCensus forwarded trace context (B3) to backends on every request;
/// KrakenD's OpenTelemetry injects it only for the requests it records.
/// The conversion says so when the legacy block itself did not record
/// every request (`propagation::unrecorded`). When it did, the existing
/// block's sampler and backend layer still decide what the merged block
/// records wherever the merge leaves them as they are: then the merge
/// says so (a proptest found the silent case: an existing block sampling
/// a quarter that already covered the migrated Jaeger exporter).
fn unrecorded_context(
    existing: &Existing,
    patch: &serde_json::Map<String, Value>,
    intent: &Intent,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let legacy_recorded_all =
        intent.layers.backend && intent.carries_traces() && intent.sampling == Sampling::Always;
    if !legacy_recorded_all {
        return;
    }
    let samples_all = patch.contains_key("trace_sample_rate")
        || existing.block.sampler() == otel::Sampler::Always;
    let backend_traced = patch
        .get("layers")
        .and_then(|layers| layers.get("backend"))
        .is_some()
        || existing.block.layer_switches().backend.traces;
    let now = match (samples_all, backend_traced) {
        (true, true) => return,
        (false, _) => {
            let sampling = match existing.block.sampler() {
                otel::Sampler::ParentRatio(rate) => Sampling::Ratio(rate),
                otel::Sampler::Always => Sampling::Always,
            };
            format!("samples {}", super::reconcile::describe_sampling(sampling))
        }
        (true, false) => "records no backend spans".to_string(),
    };
    diagnostics.push(
        Diagnostic::warning(
            Code::UnrecordedPropagation,
            format!(
                "OpenCensus forwarded trace context (B3) to backends on every request, with `X-B3-Sampled: 0` on those it did not sample; the existing `telemetry/opentelemetry`, which governs the merged block, {now}, and KrakenD's OpenTelemetry injects trace context only for recorded requests: the other requests reach backends without the gateway's trace context"
            ),
        )
        .at(existing.pointer.to_string(), existing.key_span.clone())
        .with_help("backends that continued the gateway's trace now start their own for these requests; if they rely on it, record every request in the existing block (`trace_sample_rate: 1`, the backend layer's traces on)"),
    );
}

/// The existing exporters of the same kind that send to the same place as
/// `entry` (host and port as KrakenD dials them; a Prometheus port), in
/// the order they are written.
fn same_place(existing: &otel::Block, entry: &Exporter) -> Vec<(String, Span, Exporter)> {
    let named = |name: &Option<String>| name.as_deref().unwrap_or("(unnamed)").to_string();
    match entry {
        Exporter::Otlp(new) => existing
            .otlp()
            .iter()
            .filter(|e| e.host() == new.host() && e.port() == new.port())
            .map(|e| (named(&e.name), e.span.clone(), Exporter::Otlp(e.clone())))
            .collect(),
        Exporter::Prometheus(new) => existing
            .prometheus()
            .iter()
            .filter(|e| e.port() == new.port())
            .map(|e| {
                (
                    named(&e.name),
                    e.span.clone(),
                    Exporter::Prometheus(e.clone()),
                )
            })
            .collect(),
    }
}

/// "the existing {kind}exporter `a`", or "the existing {kind}exporters
/// `a` and `b`".
fn existing_exporters(kind: &str, found: &[(String, Span, Exporter)]) -> String {
    let names: Vec<String> = found.iter().map(|(n, ..)| format!("`{n}`")).collect();
    match names.as_slice() {
        [one] => format!("the existing {kind}exporter {one}"),
        [rest @ .., last] => format!(
            "the existing {kind}exporters {} and {last}",
            rest.join(", ")
        ),
        [] => format!("no existing {kind}exporter"),
    }
}

/// The migrated exporters to append: those whose place an existing
/// exporter does not already serve, with names that do not collide.
fn plan_exporters(
    existing: &Existing,
    intent: &Intent,
    options: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Exporter> {
    let mut taken: Vec<String> = existing.block.names().map(str::to_string).collect();
    let mut added = Vec::new();
    for mut entry in krakend::exporters(intent, options) {
        let found = same_place(&existing.block, &entry);
        if let Some((_, span, _)) = found.first() {
            let span = span.clone();
            let name = existing_exporters("", &found);
            let one = found.len() == 1;
            let (sends, listen, has, its, it) = if one {
                ("sends", "listens", "has", "its", "it")
            } else {
                ("send", "listen", "have", "their", "them")
            };
            // Together they cover the migrated exporter only for the
            // signals one of them does not disable: two exporters to one
            // place, one for traces and one for metrics, cover both.
            let missing =
                |s: Signal| entry.carries(s) && !found.iter().any(|(_, _, e)| e.carries(s));
            let (missing_traces, missing_metrics) =
                (missing(Signal::Traces), missing(Signal::Metrics));
            if !missing_traces && !missing_metrics {
                diagnostics.push(existing.info(
                    format!(
                        "{name} already {sends} to the place the migrated `{}` exporter would: not added twice",
                        entry.name()
                    ),
                    span,
                ));
                continue;
            }
            let Exporter::Otlp(otlp) = &mut entry else {
                // A second Prometheus exporter cannot listen on that port.
                diagnostics.push(existing.refuse(format!(
                    "{} {listen} on the port the legacy block served metrics on, but {has} `disable_metrics: true`: enable {its} metrics or give {it} another port",
                    existing_exporters("Prometheus ", &found)
                )));
                continue;
            };
            let missing = match (missing_traces, missing_metrics) {
                (true, true) => "traces and metrics",
                (true, false) => "traces",
                _ => "metrics",
            };
            diagnostics.push(existing.info(
                format!(
                    "{name} {sends} to the place the migrated `{}` exporter would, but not {missing}: the migrated exporter is added for them",
                    otlp.name.as_deref().unwrap_or_default()
                ),
                span,
            ));
            if !missing_traces && otlp.carries(Signal::Traces) {
                otlp.disable_traces = Some(true);
            }
            if !missing_metrics && otlp.carries(Signal::Metrics) {
                otlp.disable_metrics = Some(true);
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
        entry.set_name(name);
        added.push(entry);
    }
    added
}

/// Reconcile the existing block's sampler, period and layers with the
/// legacy ones (`reconcile`): a per-exporter period bridges the period
/// from KrakenD 2.10; the settings to change in the existing block come
/// back as a patch.
fn check_settings(
    existing: &Existing,
    added: &mut [Exporter],
    intent: &Intent,
    options: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> serde_json::Map<String, Value> {
    let pushes_metrics =
        |e: &Exporter| matches!(e, Exporter::Otlp(_)) && e.carries(Signal::Metrics);
    let have = existing.block.metric_period();
    let bridged = added.iter().any(pushes_metrics)
        && have != intent.metric_period
        && options.version().has_custom_metric_period();
    if bridged {
        for entry in added.iter_mut() {
            if let Exporter::Otlp(otlp) = entry
                && otlp.carries(Signal::Metrics)
            {
                otlp.custom_metric_reporting_period = Some(intent.metric_period);
            }
        }
        diagnostics.push(existing.info(
            format!(
                "the existing block reports metrics every {have} s; the appended exporters keep the legacy {} s with `custom_metric_reporting_period`",
                intent.metric_period
            ),
            existing.key_span.clone(),
        ));
    }
    let (patch, notes) = super::reconcile::reconcile(
        &existing.block,
        added,
        intent,
        options,
        bridged,
        (existing.pointer, existing.key_span.clone()),
    );
    diagnostics.extend(notes);
    patch
}

/// The patch of settings as insertions into the block as written: keys
/// matched as KrakenD reads them, objects merged, values replaced.
fn patch_insertions(
    node: &Node,
    pointer: &str,
    patch: &serde_json::Map<String, Value>,
    out: &mut Vec<Insertion>,
) {
    for (key, value) in patch {
        let written = crate::model::decode::field(node, key);
        match (written, value.as_object()) {
            (Some(member), Some(inner)) if member.value.members().is_some() => {
                let at = crate::syntax::tree::child_pointer(pointer, &member.key);
                patch_insertions(&member.value, &at, inner, out);
            }
            (Some(member), _) => out.push(Insertion::Replace {
                object: pointer.to_string(),
                key: member.key.to_string(),
                value: value.clone(),
            }),
            (None, _) => out.push(Insertion::Member {
                object: pointer.to_string(),
                key: key.clone(),
                value: value.clone(),
            }),
        }
    }
}

/// The legacy service name and version are not used when the existing
/// block says otherwise: it governs the appended exporters.
fn service_warnings(existing: &Existing, intent: &Intent, diagnostics: &mut Vec<Diagnostic>) {
    for (key, have, field) in [
        (
            "service_name",
            &existing.block.service_name,
            &intent.service_name,
        ),
        (
            "service_version",
            &existing.block.service_version,
            &intent.service_version,
        ),
    ] {
        let have = have.as_deref();
        if let Some(want) = field
            && have != Some(want.as_str())
        {
            diagnostics.push(
                Diagnostic::warning(
                    Code::ExistingOpenTelemetry,
                    format!(
                        "the legacy {key} {want:?} is not used: the existing block {} and governs the appended exporters",
                        have.map_or_else(|| format!("has no `{key}`"), |h| format!("sets {h:?}"))
                    ),
                )
                .at(existing.pointer.to_string(), existing.key_span.clone()),
            );
        }
    }
}

/// Where the comment keys and the appended exporters go: into the lists
/// KrakenD reads (as spelt in the file), or new members where there are
/// none.
fn insertions(existing: &Existing, intent: &Intent, added: &[Exporter]) -> Vec<Insertion> {
    let mut out = Vec::new();
    for (key, value) in &intent.comments {
        if existing.node.get(key).is_none() {
            out.push(Insertion::Member {
                object: existing.pointer.to_string(),
                key: key.clone(),
                value: value.clone(),
            });
        }
    }
    let mut new_exporters = serde_json::Map::new();
    for (family, list) in [
        ("otlp", &existing.at.otlp),
        ("prometheus", &existing.at.prometheus),
    ] {
        let values: Vec<Value> = added
            .iter()
            .filter(|e| e.family() == family)
            .map(Exporter::encode)
            .collect();
        if values.is_empty() {
            continue;
        }
        match (&existing.at.exporters, list) {
            (Some(_), Some(array)) => {
                out.extend(values.into_iter().map(|value| Insertion::Element {
                    array: array.clone(),
                    value,
                }))
            }
            (Some(object), None) => out.push(Insertion::Member {
                object: object.clone(),
                key: family.to_string(),
                value: Value::Array(values),
            }),
            (None, _) => {
                new_exporters.insert(family.to_string(), Value::Array(values));
            }
        }
    }
    if !new_exporters.is_empty() {
        out.push(Insertion::Member {
            object: existing.pointer.to_string(),
            key: "exporters".into(),
            value: Value::Object(new_exporters),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::intent::Layers;
    use crate::syntax::json;

    fn jaeger_intent(sampling: Sampling) -> Intent {
        crate::migration::intent::jaeger_for_tests(sampling, Layers::ALL)
    }

    fn merged(existing: &str, intent: &Intent) -> Merge {
        let node = json::parse(existing).unwrap();
        merge(&node, "/b", 0..1, intent, &Options::default())
    }

    #[test]
    fn an_upper_case_sample_rate_is_read_as_krakend_reads_it() {
        // Bug: the merge read `trace_sample_rate` case-sensitively, took
        // the absent rate's default (every trace) and refused.
        let m = merged(
            r#"{"TRACE_SAMPLE_RATE": 0.5, "exporters": {"otlp": [{"name": "x", "host": "other"}]}}"#,
            &jaeger_intent(Sampling::Ratio(0.5)),
        );
        assert!(!m.refused(), "{:#?}", m.diagnostics);
        assert_eq!(m.insertions.len(), 1);
    }

    #[test]
    fn port_zero_is_the_otlp_port() {
        // Bug: an existing exporter to the Jaeger host with `port: 0`
        // (4317 for KrakenD) got a second `jaeger` exporter next to it.
        let m = merged(
            r#"{"exporters": {"otlp": [{"name": "j", "host": "Jaeger", "port": 0, "disable_metrics": true}]}}"#,
            &jaeger_intent(Sampling::Always),
        );
        assert!(!m.refused(), "{:#?}", m.diagnostics);
        assert!(m.insertions.is_empty(), "{:#?}", m.insertions);
        assert!(m.diagnostics[0].message.contains("not added twice"));
    }

    #[test]
    fn exporters_to_one_place_cover_it_together() {
        // Bug: only the first existing exporter to the Jaeger host was
        // read; it sends no traces, so a second `jaeger` exporter was
        // added next to `t`, which does, and the traces went there twice.
        let m = merged(
            r#"{"exporters": {"otlp": [
                {"name": "m", "host": "jaeger", "disable_traces": true},
                {"name": "t", "host": "jaeger", "disable_metrics": true}]}}"#,
            &jaeger_intent(Sampling::Always),
        );
        assert!(!m.refused(), "{:#?}", m.diagnostics);
        assert!(m.insertions.is_empty(), "{:#?}", m.insertions);
        assert!(
            m.diagnostics[0]
                .message
                .contains("the existing exporters `m` and `t` already send"),
            "{:#?}",
            m.diagnostics
        );
    }

    #[test]
    fn an_existing_block_that_samples_less_is_said_to_leave_requests_without_context() {
        // Bug (found by the semantics proptest): the legacy block recorded
        // every request, the existing block that already covered its
        // Jaeger exporter samples a quarter, and nothing said that the
        // other requests no longer carry trace context to backends.
        let unrecorded = |existing: &str| {
            merged(existing, &jaeger_intent(Sampling::Always))
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::UnrecordedPropagation)
                .count()
        };
        let covering = r#"{"trace_sample_rate": 0.25, "exporters": {"otlp": [{"name": "j", "host": "jaeger"}]}}"#;
        assert_eq!(unrecorded(covering), 1);
        let no_backend_traces = r#"{"layers": {"backend": {"traces": {"disable_stage": true}}},
            "exporters": {"otlp": [{"name": "j", "host": "jaeger"}]}}"#;
        assert_eq!(unrecorded(no_backend_traces), 1);
        // Every request recorded: nothing to say.
        assert_eq!(
            unrecorded(r#"{"exporters": {"otlp": [{"name": "j", "host": "jaeger"}]}}"#),
            0
        );
    }

    #[test]
    fn a_block_krakend_refuses_is_not_merged_into() {
        let m = merged(
            r#"{"exporters": {"otlp": [{"name": "a"}, {"name": "a"}]}}"#,
            &jaeger_intent(Sampling::Always),
        );
        assert!(m.refused());
        assert!(
            m.diagnostics[0]
                .message
                .contains("two exporters are named `a`")
        );
    }
}
