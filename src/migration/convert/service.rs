//! The service name, which OpenCensus set per exporter and OpenTelemetry
//! sets once (`service_name`, the `service.name` resource attribute).

use super::{Context, non_empty};
use crate::migration::intent::Intent;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Exporters;
use crate::model::legacy::decode::Spanned;

pub fn convert(
    exporters: &Spanned<Exporters>,
    intent: &Intent,
    cx: &mut Context,
) -> Option<String> {
    let e = &exporters.value;
    let candidates: Vec<(&str, Option<Spanned<String>>)> = vec![
        (
            "jaeger",
            e.jaeger.as_ref().and_then(|x| x.value.service_name.clone()),
        ),
        (
            "zipkin",
            e.zipkin.as_ref().and_then(|x| x.value.service_name.clone()),
        ),
        (
            "ocagent",
            e.ocagent
                .as_ref()
                .and_then(|x| x.value.service_name.clone()),
        ),
        (
            "datadog",
            e.datadog.as_ref().and_then(|x| x.value.service.clone()),
        ),
    ];
    let live = |name: &str| intent.destinations.iter().any(|d| d.legacy == name);
    let candidates: Vec<(&str, Spanned<String>)> = candidates
        .into_iter()
        .filter(|(name, _)| live(name))
        .filter_map(|(name, f)| f.map(|f| (name, f)))
        .collect();
    let chosen = candidates
        .iter()
        .find_map(|(name, f)| non_empty(&Some(f.clone())).map(|f| (*name, f.value.clone())));
    for (name, f) in &candidates {
        let key = f.key.clone();
        let diagnostic = match &chosen {
            Some((_, value)) if *value == f.value => Diagnostic::info(
                Code::ServiceName,
                format!("`{name}.{key}` becomes `service_name: {value:?}`"),
            )
            .with_fate(Action::Moved, Context::target("service_name")),
            Some((from, value)) if !f.value.trim().is_empty() => Diagnostic::warning(
                Code::ServiceName,
                format!("`{name}.{key}` ({:?}) differs from {value:?} (from {from}): OpenTelemetry has a single service name, so this one is dropped", f.value),
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
