//! `exporters.datadog` -> KrakenD OTLP to the Datadog Agent's OTLP
//! receiver, as KrakenD's own migration guide does.

use super::{Context, unreadable};
use crate::migration::convert::address::Address;
use crate::migration::convert::{address, non_empty};
use crate::migration::intent::{Destination, Route, Signals};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Datadog;
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::decode::Spanned;
use crate::model::otel::defaults::OTLP_PORT;

/// The trace agent OpenCensus used when `trace_address` was empty.
const DEFAULT_TRACE_ADDRESS: &str = "localhost:8126";
/// DogStatsD, where the metrics went when `stats_address` was empty.
const DEFAULT_STATS_ADDRESS: &str = "localhost:8125";
/// The exporter for the metrics when DogStatsD ran on another host than
/// the trace agent.
const METRICS_EXPORTER: &str = "datadog_metrics";

pub fn convert(exporter: &Spanned<Box<Datadog>>, cx: &mut Context) -> Vec<Destination> {
    let datadog = &exporter.value;
    cx.unknown_keys(&datadog.unknown, Datadog::KEYS, "`exporters.datadog`");
    let trace = non_empty(&datadog.trace_address);
    let raw = trace.map_or(DEFAULT_TRACE_ADDRESS, |f| f.value.as_str());
    let Some(address) = address::parse(raw) else {
        if let Some(field) = trace {
            unreadable(exporter, field, LegacyExporter::Datadog, cx);
        }
        return Vec::new();
    };
    let stats = non_empty(&datadog.stats_address);
    let stats_raw = stats.map_or(DEFAULT_STATS_ADDRESS, |f| f.value.as_str());
    let Some(dogstatsd) = address::parse(stats_raw) else {
        if let Some(field) = stats {
            unreadable(exporter, field, LegacyExporter::Datadog, cx);
        }
        return Vec::new();
    };
    // Metrics keep their host: the Agent that ran DogStatsD there gets
    // them over OTLP; with the trace agent's host, one exporter does both.
    let split = !dogstatsd.host.eq_ignore_ascii_case(&address.host);
    let port = OTLP_PORT;
    let what = if split {
        "traces"
    } else {
        "metrics and traces"
    };
    let message = format!(
        "`datadog` becomes the OTLP exporter `datadog` ({what}) to the Datadog Agent at {}:{port}",
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
    dogstatsd_moved(exporter, &dogstatsd, split, cx);
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
    let destination = |name: &'static str, host: &str, signals: Signals| Destination {
        route: Route::Otlp {
            name,
            host: host.to_string(),
            port,
            tls: false,
        },
        signals,
        legacy: LegacyExporter::Datadog.key(),
        pointer: exporter.pointer.clone(),
    };
    if split {
        vec![
            destination(
                LegacyExporter::Datadog.key(),
                &address.host,
                Signals::TRACES,
            ),
            destination(METRICS_EXPORTER, &dogstatsd.host, Signals::METRICS),
        ]
    } else {
        vec![destination(
            LegacyExporter::Datadog.key(),
            &address.host,
            LegacyExporter::Datadog.signals(),
        )]
    }
}

/// The metrics went to DogStatsD (`stats_address`, default
/// `localhost:8125`), not to the trace agent (the Datadog exporter's
/// `stats.go` ~18, 35-39): say where they go now, and what the Agent
/// there needs.
fn dogstatsd_moved(
    exporter: &Spanned<Box<Datadog>>,
    dogstatsd: &Address,
    split: bool,
    cx: &mut Context,
) {
    let host = address::bracketed(&dogstatsd.host);
    let was = format!("{host}:{}", dogstatsd.port.unwrap_or(8125));
    let (now, target) = if split {
        (
            format!(
                "the OTLP exporter `{METRICS_EXPORTER}` (metrics only) to the Agent on that host, {host}:{OTLP_PORT}"
            ),
            format!("exporters.otlp[{METRICS_EXPORTER}]"),
        )
    } else {
        (
            format!(
                "the OTLP exporter `datadog`, with the traces, to the Agent's OTLP receiver at {host}:{OTLP_PORT}"
            ),
            "exporters.otlp[datadog]".to_string(),
        )
    };
    let d = Diagnostic::warning(
        Code::Dogstatsd,
        format!("metrics went to DogStatsD at {was}, not to the trace agent; now they go over {now}"),
    )
    .with_help(format!(
        "enable the OTLP receiver with metrics on the Datadog Agent at {host} (DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT=0.0.0.0:{OTLP_PORT}; metrics are on by default, DD_OTLP_CONFIG_METRICS_ENABLED=true); DogStatsD no longer receives KrakenD's metrics"
    ));
    cx.push(match &exporter.value.stats_address {
        Some(f) => d
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Converted, Context::target(&target)),
        None => d.at(exporter.pointer.clone(), exporter.span.clone()),
    });
}
