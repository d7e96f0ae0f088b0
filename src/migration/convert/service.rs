//! The service name, which OpenCensus set per exporter and OpenTelemetry
//! sets once (`service_name`, the `service.name` resource attribute).

use super::{Context, non_empty};
use crate::migration::intent::Intent;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::decode::Spanned;
use crate::model::legacy::{Exporters, LegacyExporter};
use crate::model::redact::redact_str;

pub fn convert(
    exporters: &Spanned<Exporters>,
    intent: &Intent,
    cx: &mut Context,
) -> Option<String> {
    let e = &exporters.value;
    let live = |x: LegacyExporter| intent.destinations.iter().any(|d| d.legacy == x.key());
    let candidates: Vec<(&str, Spanned<String>)> = LegacyExporter::SERVICE_NAME_ORDER
        .into_iter()
        .filter(|&x| live(x))
        .filter_map(|x| e.service_name(x).map(|f| (x.key(), f.clone())))
        .collect();
    let chosen = candidates
        .iter()
        .find_map(|(name, f)| non_empty(&Some(f.clone())).map(|f| (*name, f.value.clone())));
    for (name, f) in &candidates {
        let key = f.key.clone();
        let diagnostic = match &chosen {
            Some((_, value)) if *value == f.value => Diagnostic::info(
                Code::ServiceName,
                format!("`{name}.{key}` becomes `service_name: {:?}`", redact_str(value)),
            )
            .with_fate(Action::Moved, Context::target("service_name")),
            Some((from, value)) if !f.value.trim().is_empty() => Diagnostic::warning(
                Code::ServiceName,
                format!("`{name}.{key}` ({:?}) differs from {:?} (from {from}): OpenTelemetry has a single service name, so this one is dropped", redact_str(&f.value), redact_str(value)),
            )
            .with_fate(Action::Dropped, None),
            _ => Diagnostic::info(
                Code::ServiceName,
                format!("`{name}.{key}` is empty: dropped"),
            )
            .with_fate(Action::Dropped, None),
        };
        cx.push(diagnostic.at(f.pointer.clone(), f.span.clone()));
    }
    chosen.map(|(_, value)| value)
}
