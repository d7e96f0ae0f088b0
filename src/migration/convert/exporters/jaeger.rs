//! `exporters.jaeger` -> KrakenD OTLP straight to Jaeger.
//!
//! Jaeger ingests OTLP itself (since 1.35, on by default since 1.46), so no
//! collector is needed; but the Thrift endpoints OpenCensus used (HTTP
//! 14268, UDP agent 6831) are not OTLP ports, hence port 4317.

use super::{Context, dead, unreadable};
use crate::migration::convert::{address, non_empty};
use crate::migration::intent::{Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Jaeger;
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::decode::Spanned;
use crate::model::otel::defaults::OTLP_PORT;

pub fn convert(exporter: &Spanned<Jaeger>, cx: &mut Context) -> Option<Destination> {
    let jaeger = &exporter.value;
    // krakend-opencensus before 0.6 spelled the collector URL `collectorURL`.
    let aliases = [
        ("collectorURL", "endpoint"),
        ("serviceName", "service_name"),
    ];
    cx.unknown_keys_with_aliases(
        &jaeger.unknown,
        Jaeger::KEYS,
        &aliases,
        "`exporters.jaeger`",
    );
    // The Jaeger library uses the collector endpoint when both are set.
    let Some(field) = non_empty(&jaeger.endpoint).or_else(|| non_empty(&jaeger.agent_endpoint))
    else {
        dead(
            exporter,
            LegacyExporter::Jaeger,
            "has no `endpoint` or `agent_endpoint`, so KrakenD could not create it",
            "give it its `endpoint` (the Jaeger collector's URL)",
            (&jaeger.unknown, &["endpoint", "agent_endpoint"], &aliases),
            cx,
        );
        return None;
    };
    let Some(address) = address::parse(&field.value) else {
        unreadable(exporter, field, LegacyExporter::Jaeger, cx);
        return None;
    };
    let port = OTLP_PORT;
    cx.push(
        Diagnostic::warning(
            Code::Jaeger,
            format!(
                "`{}` becomes the OTLP exporter `jaeger` (traces only) to {}:{port}: Jaeger's Thrift ports ({}) are not OTLP ports",
                field.key,
                address::bracketed(&address.host),
                address.port.map_or_else(|| "14268, 6831".to_string(), |p| p.to_string())
            ),
        )
        .at(field.pointer.clone(), field.span.clone())
        .with_help("Jaeger accepts OTLP on 4317 from 1.35 (enabled by default from 1.46); make sure that port is reachable")
        .with_fate(Action::Converted, Context::target("exporters.otlp[jaeger]")),
    );
    super::address_warnings(&address, field, cx);
    for other in [&jaeger.endpoint, &jaeger.agent_endpoint]
        .into_iter()
        .flatten()
    {
        if other.pointer != field.pointer {
            cx.push(
                Diagnostic::info(
                    Code::Jaeger,
                    format!(
                        "`{}` dropped: `{}` takes precedence, as it did in KrakenD",
                        other.key, field.key
                    ),
                )
                .at(other.pointer.clone(), other.span.clone())
                .with_fate(Action::Dropped, None),
            );
        }
    }
    if let Some(f) = &jaeger.buffer_max_count {
        cx.push(
            Diagnostic::info(
                Code::Jaeger,
                "`buffer_max_count` dropped: the OTLP exporter batches on its own",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &jaeger.process_tags {
        cx.push(
            Diagnostic::warning(
                Code::Jaeger,
                "`process_tags` dropped: OpenTelemetry has no per-exporter process tags",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_help("add the tags as `layers.global.traces_static_attributes` in the new block (KrakenD 2.7 or later)")
            .with_fate(Action::Dropped, None),
        );
    }
    Some(Destination {
        route: Route::Otlp {
            name: LegacyExporter::Jaeger.key(),
            host: address.host,
            port,
        },
        signals: LegacyExporter::Jaeger.signals(),
        legacy: LegacyExporter::Jaeger.key(),
        pointer: exporter.pointer.clone(),
    })
}
