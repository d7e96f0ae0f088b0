//! From legacy settings to an [`Intent`], one rule per file.
//!
//! Each rule reads one part of the legacy block, adds its part of the
//! intent, and records the fate of every field it owns as a diagnostic.
//! After all rules ran, [`Context::unaccounted`] lists any field left
//! without a fate; the migration treats that as an internal error, which is
//! how "every legacy field is accounted for" stays true as rules change.

pub mod address;
pub mod cloudwatch;
mod collision;
pub mod endpoint;
mod exporters;

pub use exporters::is_go_duration;
mod layers;
pub mod propagation;
mod reporting_period;
mod sampling;
pub mod secrets;
mod service;

use crate::migration::intent::{Intent, Route};
use crate::migration::options::Options;
use crate::model::diagnostic::{Action, Code, Diagnostic, Severity};
use crate::model::legacy::decode::{Spanned, Unknown};
use crate::model::legacy::{self, PathAggregation, Settings};
use crate::model::locate::OPENTELEMETRY;
use crate::model::redact::redact_str;
use crate::syntax::tree::{Node, Span, child_pointer};

/// Shared state of the rules converting one block.
pub struct Context<'a> {
    pub options: &'a Options,
    /// Pointer of the legacy block's value.
    pub block_pointer: String,
    /// Where to point for the block as a whole (its key).
    pub block_span: Span,
    pub diagnostics: Vec<Diagnostic>,
    /// Leaf fields of the block, from decoding.
    fields: Vec<(String, Span)>,
    /// Set by the X-Ray rule: its `version` becomes the service version.
    pub service_version: Option<String>,
    /// Comment keys to carry into the new block.
    pub comments: Vec<(String, serde_json::Value)>,
    /// The config's root `name`: KrakenD's OpenTelemetry service name when
    /// the block sets none.
    pub config_name: Option<String>,
}

impl<'a> Context<'a> {
    pub fn new(
        options: &'a Options,
        block_pointer: String,
        block_span: Span,
        fields: Vec<(String, Span)>,
    ) -> Context<'a> {
        Context {
            options,
            block_pointer,
            block_span,
            diagnostics: Vec::new(),
            fields,
            service_version: None,
            comments: Vec::new(),
            config_name: None,
        }
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// A field of the new KrakenD block, for fate targets (every rule
    /// names some: `concat` makes one allocation of their size, where
    /// `format!` cost several times the copy).
    pub fn target(path: &str) -> Option<String> {
        Some([OPENTELEMETRY, ".", path].concat())
    }

    /// A field of the collector config, for fate targets.
    pub fn collector_target(path: &str) -> Option<String> {
        Some(["collector: ", path].concat())
    }

    /// Pointer and span of a field that is absent: the field's would-be
    /// pointer, at the block's key.
    pub fn absent(&self, name: &str) -> (String, Span) {
        (
            child_pointer(&self.block_pointer, name),
            self.block_span.clone(),
        )
    }

    /// The pointers that have a fate, sorted for a binary search per
    /// field: a block of 100,000 fields stays fast, and the usual block of
    /// a few fields hashes nothing.
    fn fated(&self) -> Fated<'_> {
        let mut pointers: Vec<&str> = self
            .diagnostics
            .iter()
            .filter(|d| d.fate.is_some())
            .map(|d| d.pointer.as_str())
            .collect();
        pointers.sort_unstable();
        Fated(pointers)
    }

    /// Give every field under `prefix` that has no fate yet the fate
    /// `Dropped`, with `reason` (used when a whole exporter is dropped).
    pub fn drop_rest_under(&mut self, prefix: &str, severity: Severity, code: Code, reason: &str) {
        self.settle_rest_under(prefix, severity, code, reason, Action::Dropped);
    }

    /// Give every field under `prefix` that has no fate yet the fate
    /// `action`, with `reason`.
    pub fn settle_rest_under(
        &mut self,
        prefix: &str,
        severity: Severity,
        code: Code,
        reason: &str,
        action: Action,
    ) {
        let fated = self.fated();
        let under = format!("{prefix}/");
        let pending: Vec<(String, Span)> = self
            .fields
            .iter()
            .filter(|(p, _)| p.starts_with(&under) && !fated.contains(p.as_str()))
            .cloned()
            .collect();
        for (pointer, span) in pending {
            let key = redact_str(&pointer_key(&pointer)).into_owned();
            let what = match action {
                Action::Dropped => "dropped",
                _ => "not migrated",
            };
            self.push(
                Diagnostic::new(severity, code, format!("`{key}` {what}: {reason}"))
                    .at(pointer, span)
                    .with_fate(action, None),
            );
        }
    }

    /// The rules' diagnostics, and an internal error for each field no
    /// rule gave a fate to.
    pub fn finish(self) -> Vec<Diagnostic> {
        let unaccounted = self.unaccounted();
        let mut out = self.diagnostics;
        if !unaccounted.is_empty() {
            let internal = unaccounted.into_iter().map(|(pointer, span)| {
                Diagnostic::internal(format!("the field at {pointer} was not accounted for"))
                    .at(pointer, span)
            });
            out.splice(0..0, internal);
        }
        out
    }

    /// Fields that no rule gave a fate to.
    pub fn unaccounted(&self) -> Vec<(String, Span)> {
        let fated = self.fated();
        self.fields
            .iter()
            .filter(|(p, _)| !fated.contains(p.as_str()))
            .cloned()
            .collect()
    }

    /// Report the keys a struct did not know: comment keys are carried into
    /// the new block, others are dropped with a warning (and a suggestion
    /// when they look like a misspelt known key).
    pub fn unknown_keys(&mut self, unknown: &[Unknown], known: &[&str], context: &str) {
        self.unknown_keys_with_aliases(unknown, known, &[], context);
    }

    /// As [`Context::unknown_keys`], with old spellings (`collectorURL`)
    /// mapped to the key that replaced them.
    pub fn unknown_keys_with_aliases(
        &mut self,
        unknown: &[Unknown],
        known: &[&str],
        aliases: &[(&str, &str)],
        context: &str,
    ) {
        for key in unknown {
            if key.comment {
                self.carry_comment(key);
                continue;
            }
            let alias = aliases
                .iter()
                .find(|(old, _)| old.eq_ignore_ascii_case(&key.key))
                .map(|(_, new)| format!(" (an old spelling of `{new}`)"));
            let suggestion = alias
                .or_else(|| suggest(&key.key, known).map(|k| format!(" (did you mean `{k}`?)")))
                .unwrap_or_default();
            self.push(
                Diagnostic::warning(
                    Code::UnknownKey,
                    format!(
                        "unknown key `{}` in {context}{suggestion}: KrakenD ignored it, so it is dropped",
                        redact_str(&key.key)
                    ),
                )
                .at(key.pointer.clone(), key.span.clone())
                .with_fate(Action::Dropped, None),
            );
        }
    }

    fn carry_comment(&mut self, key: &Unknown) {
        let taken = self.comments.iter().any(|(k, _)| *k == key.key);
        if taken {
            self.push(
                Diagnostic::info(
                    Code::CommentKey,
                    format!(
                        "comment key `{}` dropped: the new block already carries a comment with this key",
                        redact_str(&key.key)
                    ),
                )
                .at(key.pointer.clone(), key.span.clone())
                .with_fate(Action::Dropped, None),
            );
        } else {
            self.comments.push((key.key.clone(), key.value.clone()));
            self.push(
                Diagnostic::info(
                    Code::CommentKey,
                    format!(
                        "comment key `{}` kept in the new block",
                        redact_str(&key.key)
                    ),
                )
                .at(key.pointer.clone(), key.span.clone())
                .with_fate(Action::Moved, Context::target(&key.key)),
            );
        }
    }
}

/// Pointers that have a fate, sorted.
struct Fated<'d>(Vec<&'d str>);

impl Fated<'_> {
    fn contains(&self, pointer: &str) -> bool {
        self.0.binary_search(&pointer).is_ok()
    }
}

/// The last token of a pointer, unescaped.
pub fn pointer_key(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~")
}

/// A known key close to `key`: equal once case and separators are ignored,
/// or within two edits of it.
pub(crate) fn suggest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let normal = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let key_n = normal(key);
    known
        .iter()
        .map(|k| (k, levenshtein(&key_n, &normal(k))))
        .filter(|&(_, d)| d <= 2)
        .min_by_key(|&(_, d)| d)
        .map(|(k, _)| *k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// A non-empty string field, or `None`.
pub fn non_empty(field: &Option<Spanned<String>>) -> Option<&Spanned<String>> {
    field.as_ref().filter(|f| !f.value.trim().is_empty())
}

/// Convert a decoded service-level block. Returns `None` when the block
/// exported nothing (no exporters, or none that KrakenD could create): it
/// is then removed and no OpenTelemetry block is written.
pub fn convert(settings: &Settings, cx: &mut Context) -> Option<Intent> {
    let known_root = [
        "sample_rate",
        "reporting_period",
        "enabled_layers",
        "exporters",
    ];
    cx.unknown_keys(&settings.unknown, &known_root, "the OpenCensus block");

    let Some(exporters) = &settings.exporters else {
        let (pointer, span) = cx.absent("exporters");
        cx.push(
            Diagnostic::info(
                Code::NoExporters,
                "the OpenCensus block has no `exporters`, so it exported nothing: it is removed and no OpenTelemetry block is written",
            )
            .at(pointer, span),
        );
        propagation::unrecorded(settings, None, cx);
        settle_without_exporters(cx);
        return None;
    };
    let destinations = exporters::convert(exporters, cx);
    if cx.diagnostics.iter().any(|d| d.code == Code::DeadExporter) {
        // The file is left as it is: nothing is removed or written.
        let block = cx.block_pointer.clone();
        cx.settle_rest_under(
            &block,
            Severity::Info,
            Code::DeadExporter,
            "the block is left as it is until its dead exporter is fixed",
            Action::Manual,
        );
        return None;
    }
    if destinations.is_empty() {
        cx.push(
            Diagnostic::warning(
                Code::NoExporters,
                "no exporter of this block could ever export anything in KrakenD: it is removed and no OpenTelemetry block is written",
            )
            .at(exporters.pointer.clone(), exporters.span.clone())
            .with_help("if an exporter was meant to work, fix it in the legacy block (see the warnings above) and migrate again"),
        );
        propagation::unrecorded(settings, None, cx);
        settle_without_exporters(cx);
        return None;
    }

    let mut intent = Intent {
        service_name: None,
        service_version: None,
        sampling: crate::migration::intent::Sampling::Off,
        metric_period: 10,
        layers: crate::migration::intent::Layers::ALL,
        destinations,
        comments: Vec::new(),
    };
    cloudwatch::route(&mut intent, cx);
    // After every route is known: `--metrics emf` also sends to the
    // collector.
    collision::check(&intent.destinations, cx);
    intent.sampling = sampling::convert(settings, &intent, cx);
    intent.metric_period = reporting_period::convert(settings, &intent, cx);
    intent.layers = layers::convert(settings, cx);
    intent.service_name = service::convert(exporters, &intent, cx);
    intent.service_version = cx.service_version.take();
    propagation::advise(&intent, cx);
    propagation::unrecorded(settings, Some(&intent), cx);
    intent.comments = std::mem::take(&mut cx.comments);
    Some(intent)
}

/// Convert a service-level block (the value `value` at `pointer`, whose
/// key is at `key_span`, as [`legacy::decode`] decoded it): every
/// diagnostic of decoding, of the rules and of the secrets rule, and the
/// intent when the block exported something. A field no rule accounted
/// for is an internal error.
pub fn service_block(
    decoded: legacy::Decoded<Settings>,
    value: &Node,
    pointer: String,
    key_span: Span,
    options: &Options,
    config_name: Option<&str>,
) -> (Option<Intent>, Vec<Diagnostic>) {
    let mut diagnostics = decoded.diagnostics;
    let mut intent = None;
    if let Some(settings) = decoded.settings {
        let mut cx = Context::new(options, pointer.clone(), key_span, decoded.fields);
        cx.config_name = config_name.filter(|n| !n.is_empty()).map(str::to_string);
        intent = convert(&settings, &mut cx);
        diagnostics.extend(cx.finish());
    }
    let rotate = secrets::rotate(value, &pointer, &diagnostics);
    diagnostics.extend(rotate);
    (intent, diagnostics)
}

/// Decode and convert an endpoint- or backend-level block, as
/// [`service_block`] does.
pub fn scoped_block(
    value: &Node,
    key: &str,
    pointer: String,
    key_span: Span,
    options: &Options,
) -> Vec<Diagnostic> {
    let decoded = legacy::decode::<PathAggregation>(value, &pointer, key);
    let mut diagnostics = decoded.diagnostics;
    if let Some(settings) = decoded.settings {
        let mut cx = Context::new(options, pointer.clone(), key_span, decoded.fields);
        endpoint::convert(&settings, &mut cx);
        diagnostics.extend(cx.finish());
    }
    let rotate = secrets::rotate(value, &pointer, &diagnostics);
    diagnostics.extend(rotate);
    diagnostics
}

/// When nothing is exported, every remaining field goes with the block.
fn settle_without_exporters(cx: &mut Context) {
    cloudwatch::ignored(cx);
    let block = cx.block_pointer.clone();
    cx.drop_rest_under(
        &block,
        Severity::Info,
        Code::NoExporters,
        "the block is removed because it exported nothing",
    );
}

/// The name KrakenD gives an OTLP route, for messages and fate targets.
pub fn otlp_target(intent_route: &Route, options: &Options) -> String {
    match intent_route {
        Route::Otlp { name, .. } => format!("exporters.otlp[{name}]"),
        Route::Prometheus { .. } => "exporters.prometheus[prometheus]".into(),
        Route::Collector(_) => format!("exporters.otlp[{}]", options.collector.exporter_name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys() {
        let known = ["service_name", "collector_url", "tag_statuscode"];
        assert_eq!(suggest("serviceName", &known), Some("service_name"));
        assert_eq!(suggest("collectorURL", &known), Some("collector_url"));
        assert_eq!(suggest("tag_status_code", &known), Some("tag_statuscode"));
        assert_eq!(suggest("url", &known), None);
    }
}
