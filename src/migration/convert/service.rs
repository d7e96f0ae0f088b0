//! The service name, which OpenCensus set per exporter and OpenTelemetry
//! sets once (`service_name`, the `service.name` resource attribute).
//!
//! Faithful by default: each exporter that named the service reported its
//! `service_name` (`service` for Datadog) or, without one, its library's
//! default (jaeger `OpenCensus`, datadog `opencensus-app`, ocagent
//! `KrakenD-Opencensus`, zipkin an empty name). The name the backends saw
//! is written as `service_name`: the first explicit one in
//! [`LegacyExporter::SERVICE_NAME_ORDER`], else the first non-empty
//! default. Where an exporter saw another name, or a name OpenTelemetry
//! cannot send (empty: krakend-otel then falls back to the config's `name`
//! or `KrakenD`), a warning names the old and the new one.

use super::Context;
use crate::migration::intent::Intent;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::decode::Spanned;
use crate::model::legacy::{Exporters, LegacyExporter};
use crate::model::redact::redact_str;
use crate::syntax::tree::{Span, child_pointer};

/// KrakenD's name when neither `service_name` nor the config's `name` is set.
const KRAKEND_DEFAULT: &str = "KrakenD";

/// One exporter that named the service.
struct Named {
    exporter: LegacyExporter,
    /// The field, when written.
    field: Option<Spanned<String>>,
    /// The name it reported.
    name: String,
    explicit: bool,
    pointer: String,
    span: Span,
}

fn named(exporters: &Spanned<Exporters>, intent: &Intent) -> Vec<Named> {
    let e = &exporters.value;
    LegacyExporter::SERVICE_NAME_ORDER
        .into_iter()
        .filter(|&x| intent.destinations.iter().any(|d| d.legacy == x.key()))
        .filter_map(|x| {
            let span = e.span_of(x)?.clone();
            let field = e.service_name(x).cloned();
            let written = field
                .as_ref()
                .map(|f| f.value.trim())
                .filter(|v| !v.is_empty());
            let (name, explicit) = match written {
                Some(v) => (v.to_string(), true),
                None => (x.default_service_name()?.to_string(), false),
            };
            let pointer = child_pointer(&exporters.pointer, x.key());
            Some(Named {
                exporter: x,
                field,
                name,
                explicit,
                pointer,
                span,
            })
        })
        .collect()
}

pub fn convert(
    exporters: &Spanned<Exporters>,
    intent: &Intent,
    cx: &mut Context,
) -> Option<String> {
    let named = named(exporters, intent);
    let chosen = named
        .iter()
        .find(|n| n.explicit)
        .or_else(|| named.iter().find(|n| !n.name.is_empty()))
        .map(|n| n.name.clone());
    // What the destinations see now: the written name, else KrakenD's
    // fallback.
    let now = match (&chosen, &cx.config_name) {
        (Some(name), _) => format!("{:?}", redact_str(name)),
        (None, Some(name)) => format!("{:?} (the config's `name`)", redact_str(name)),
        (None, None) => format!("{KRAKEND_DEFAULT:?} (KrakenD's default)"),
    };
    for n in &named {
        let diagnostic = if Some(&n.name) == chosen.as_ref() {
            kept(n)
        } else {
            renamed(n, &now)
        };
        cx.push(diagnostic);
    }
    chosen
}

/// The name this exporter reported is written as `service_name`.
fn kept(n: &Named) -> Diagnostic {
    let key = n.exporter.key();
    let field = n.exporter.service_name_field().unwrap_or("service_name");
    let adopt = "to report the config's `name` (or `KrakenD`) instead, delete `service_name` from the new block";
    if n.explicit {
        let f = n.field.as_ref().expect("an explicit name is written");
        return Diagnostic::info(
            Code::ServiceName,
            format!(
                "`{key}.{field}` becomes `service_name: {:?}`",
                redact_str(&n.name)
            ),
        )
        .at(f.pointer.clone(), f.span.clone())
        .with_help(adopt)
        .with_fate(Action::Moved, Context::target("service_name"));
    }
    let d = Diagnostic::info(
        Code::ServiceName,
        format!(
            "without `{field}`, `{key}` named the service {:?} (its default): written as `service_name: {:?}` so that its backend keeps seeing that name",
            n.name,
            n.name
        ),
    )
    .with_help(adopt);
    match &n.field {
        // An empty field: the default took its place.
        Some(f) => d
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Converted, Context::target("service_name")),
        None => d.at(n.pointer.clone(), n.span.clone()),
    }
}

/// This exporter's backend now sees another name.
fn renamed(n: &Named, now: &str) -> Diagnostic {
    let key = n.exporter.key();
    let field = n.exporter.service_name_field().unwrap_or("service_name");
    let why = if n.name.is_empty() {
        "an empty name, which OpenTelemetry cannot send (KrakenD falls back to the config's `name`, else `KrakenD`)".to_string()
    } else if n.explicit {
        format!(
            "{:?}, but OpenTelemetry has a single service name",
            redact_str(&n.name)
        )
    } else {
        format!(
            "{:?} (its default without `{field}`), but OpenTelemetry has a single service name",
            n.name
        )
    };
    let d = Diagnostic::warning(
        Code::ServiceName,
        format!("`{key}` reported the service as {why}: its backend now sees {now} instead"),
    )
    .with_help(format!(
        "update the dashboards, monitors and filters of {key}'s backend that select the service by name"
    ));
    match &n.field {
        Some(f) => d
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        None => d.at(n.pointer.clone(), n.span.clone()),
    }
}
