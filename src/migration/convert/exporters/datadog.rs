//! `exporters.datadog` -> KrakenD OTLP to the Datadog Agent's OTLP
//! receiver, as KrakenD's own migration guide does.

use super::{Context, unreadable};
use crate::migration::convert::{address, non_empty};
use crate::migration::intent::{Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Datadog;
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::decode::Spanned;
use crate::model::otel::defaults::OTLP_PORT;

/// The trace agent OpenCensus used when `trace_address` was empty.
const DEFAULT_TRACE_ADDRESS: &str = "localhost:8126";

pub fn convert(exporter: &Spanned<Datadog>, cx: &mut Context) -> Option<Destination> {
    let datadog = &exporter.value;
    cx.unknown_keys(&datadog.unknown, Datadog::KEYS, "`exporters.datadog`");
    let trace = non_empty(&datadog.trace_address);
    let raw = trace.map_or(DEFAULT_TRACE_ADDRESS, |f| f.value.as_str());
    let Some(address) = address::parse(raw) else {
        if let Some(field) = trace {
            unreadable(exporter, field, LegacyExporter::Datadog, cx);
        }
        return None;
    };
    let port = OTLP_PORT;
    let message = format!(
        "`datadog` becomes the OTLP exporter `datadog` (metrics and traces) to the Datadog Agent at {}:{port}",
        address::bracketed(&address.host)
    );
    let diagnostic = match trace {
        Some(field) => {
            super::address_warnings(&address, field, cx);
            Diagnostic::warning(Code::Datadog, format!("`trace_address`: {message}"))
                .at(field.pointer.clone(), field.span.clone())
                .with_fate(
                    Action::Converted,
                    Context::target("exporters.otlp[datadog]"),
                )
        }
        None => Diagnostic::warning(
            Code::Datadog,
            format!("{message} (OpenCensus used the trace agent at {DEFAULT_TRACE_ADDRESS})"),
        )
        .at(exporter.pointer.clone(), exporter.span.clone()),
    };
    cx.push(diagnostic.with_help(
        "enable the Agent's OTLP receiver (DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT=0.0.0.0:4317); metric names change from OpenCensus view names to OpenTelemetry names",
    ));
    if let Some(stats) = &datadog.stats_address {
        let same_host = address::parse(&stats.value).is_some_and(|a| a.host == address.host);
        let d = if same_host || stats.value.is_empty() {
            Diagnostic::info(
                Code::Datadog,
                "`stats_address` dropped: metrics now travel over OTLP with the traces",
            )
        } else {
            Diagnostic::warning(
                Code::Datadog,
                format!(
                    "`stats_address` dropped: metrics now go to the Agent at {} with the traces, not to the DogStatsD host",
                    address.host
                ),
            )
        };
        cx.push(
            d.at(stats.pointer.clone(), stats.span.clone())
                .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &datadog.namespace {
        cx.push(
            Diagnostic::warning(
                Code::Datadog,
                "`namespace` dropped: OpenTelemetry metric names carry no prefix",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &datadog.tags {
        cx.push(
            Diagnostic::warning(Code::Datadog, "`tags` dropped: no per-exporter tags in OpenTelemetry")
                .at(f.pointer.clone(), f.span.clone())
                .with_help("add them as `layers.global.metrics_static_attributes` in the new block (KrakenD 2.7 or later), or as Agent tags")
                .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &datadog.global_tags {
        cx.push(
            Diagnostic::warning(
                Code::Datadog,
                "`global_tags` dropped: no per-exporter span tags in OpenTelemetry",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_help("add them as `layers.global.traces_static_attributes` in the new block (KrakenD 2.7 or later)")
            .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &datadog.disable_count_per_buckets {
        cx.push(
            Diagnostic::info(
                Code::Datadog,
                "`disable_count_per_buckets` dropped: OTLP histograms have no count-per-bucket metrics",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        );
    }
    Some(Destination {
        route: Route::Otlp {
            name: LegacyExporter::Datadog.key(),
            host: address.host,
            port,
        },
        signals: LegacyExporter::Datadog.signals(),
        legacy: LegacyExporter::Datadog.key(),
        pointer: exporter.pointer.clone(),
    })
}
