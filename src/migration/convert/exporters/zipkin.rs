//! `exporters.zipkin` -> OTLP to the collector, `zipkin` exporter there
//! (otelcol-contrib only: ADOT ships no zipkin exporter).

use super::{Context, dead, require_contrib, unreadable};
use crate::migration::convert::{address, non_empty};
use crate::migration::intent::{CollectorExporter, Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::Zipkin;
use crate::model::legacy::decode::Spanned;

pub fn convert(exporter: &Spanned<Box<Zipkin>>, cx: &mut Context) -> Option<Destination> {
    let zipkin = &exporter.value;
    cx.unknown_keys(&zipkin.unknown, Zipkin::KEYS, "`exporters.zipkin`");
    let Some(url) = non_empty(&zipkin.collector_url) else {
        dead(
            exporter,
            LegacyExporter::Zipkin,
            "has no `collector_url`, so KrakenD could not create it",
            "give it its `collector_url` (the Zipkin server's span endpoint)",
            (&zipkin.unknown, &["collector_url"], &[]),
            cx,
        );
        return None;
    };
    let Some(address) = address::parse(&url.value) else {
        unreadable(exporter, url, LegacyExporter::Zipkin, cx);
        return None;
    };
    let component = CollectorExporter::Zipkin {
        endpoint: address.without_credentials(),
    };
    require_contrib(exporter, &component, cx);
    cx.push(
        Diagnostic::info(
            Code::Zipkin,
            format!(
                "`collector_url` becomes the collector's `zipkin` exporter endpoint; KrakenD sends the traces over OTLP to the collector at {}",
                cx.options.otlp_endpoint
            ),
        )
        .at(url.pointer.clone(), url.span.clone())
        .with_fate(Action::Moved, Context::collector_target("exporters.zipkin.endpoint")),
    );
    super::address_warnings(&address, url, cx);
    for f in [&zipkin.ip].into_iter().flatten() {
        local_endpoint_dropped(&f.pointer, &f.span, &f.key, cx);
    }
    if let Some(f) = &zipkin.port {
        local_endpoint_dropped(&f.pointer, &f.span, &f.key, cx);
    }
    Some(Destination {
        route: Route::Collector(component),
        signals: LegacyExporter::Zipkin.signals(),
        legacy: LegacyExporter::Zipkin.key(),
        pointer: exporter.pointer.clone(),
    })
}

fn local_endpoint_dropped(
    pointer: &str,
    span: &crate::syntax::tree::Span,
    key: &str,
    cx: &mut Context,
) {
    cx.push(
        Diagnostic::info(
            Code::Zipkin,
            format!("`{key}` dropped: it set the local endpoint of Zipkin spans, which OpenTelemetry derives from the host"),
        )
        .at(pointer, span.clone())
        .with_fate(Action::Dropped, None),
    );
}
