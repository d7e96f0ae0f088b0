//! `exporters.prometheus` -> KrakenD's own OpenTelemetry Prometheus
//! exporter. The port stays; every metric name and label changes.

use super::Context;
use crate::migration::intent::{Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::Prometheus;
use crate::model::legacy::decode::Spanned;
use crate::model::redact::redact_str;

/// OpenTelemetry's Prometheus exporter listens here when the port is 0.
const OTEL_DEFAULT_PORT: u16 = crate::model::otel::defaults::PROMETHEUS_PORT;

pub fn convert(exporter: &Spanned<Box<Prometheus>>, cx: &mut Context) -> Option<Destination> {
    let prometheus = &exporter.value;
    cx.unknown_keys(
        &prometheus.unknown,
        Prometheus::KEYS,
        "`exporters.prometheus`",
    );
    let port = match &prometheus.port {
        Some(f) if (1..=65535).contains(&f.value) => {
            cx.push(
                Diagnostic::info(Code::Prometheus, format!("`port: {}` kept", f.value))
                    .at(f.pointer.clone(), f.span.clone())
                    .with_fate(
                        Action::Moved,
                        Context::target("exporters.prometheus[prometheus].port"),
                    ),
            );
            f.value as u16
        }
        Some(f) if f.value != 0 => {
            cx.push(
                Diagnostic::error(
                    Code::OutOfRange,
                    format!(
                        "`port: {}` is not a TCP port (KrakenD could not listen on it)",
                        f.value
                    ),
                )
                .at(f.pointer.clone(), f.value_span.clone()),
            );
            return None;
        }
        field => {
            let (pointer, span) = field.as_ref().map_or_else(
                || {
                    (
                        crate::syntax::tree::child_pointer(&exporter.pointer, "port"),
                        exporter.span.clone(),
                    )
                },
                |f| (f.pointer.clone(), f.span.clone()),
            );
            let mut d = Diagnostic::warning(
                Code::Prometheus,
                format!("no Prometheus `port`: OpenCensus listened on a random port; written as `port: {OTEL_DEFAULT_PORT}`, OpenTelemetry's default"),
            )
            .at(pointer, span)
            .with_help("point your Prometheus scrape config at this port");
            if field.is_some() {
                d = d.with_fate(
                    Action::Converted,
                    Context::target("exporters.prometheus[prometheus].port"),
                );
            }
            cx.push(d);
            OTEL_DEFAULT_PORT
        }
    };
    // A namespace the policy calls a credential is not quoted, even as a
    // metric name.
    let namespace = prometheus
        .namespace
        .as_ref()
        .map(|f| f.value.clone())
        .filter(|n| !n.is_empty() && matches!(redact_str(n), std::borrow::Cow::Borrowed(_)));
    let example_old = match &namespace {
        Some(ns) => format!("{}_opencensus_io_http_server_latency_bucket", sanitize(ns)),
        None => "opencensus_io_http_server_latency_bucket".to_string(),
    };
    cx.push(
        Diagnostic::warning(
            Code::Prometheus,
            format!("`prometheus` becomes the OpenTelemetry Prometheus exporter on port {port} with Go and process metrics (OpenCensus always exported them); every metric name and label changes, e.g. `{example_old}` becomes `http_server_duration_bucket`, in seconds instead of milliseconds"),
        )
        .at(exporter.pointer.clone(), exporter.span.clone())
        .with_help("update dashboards, recording rules and alerts; KrakenD publishes OpenTelemetry dashboards for Grafana (ID 20651)")
        .with_fate(Action::Converted, Context::target("exporters.prometheus[prometheus]")),
    );
    if let Some(f) = &prometheus.namespace {
        cx.push(
            Diagnostic::warning(
                Code::Prometheus,
                "`namespace` dropped: KrakenD's OpenTelemetry Prometheus exporter adds no metric prefix",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        );
    }
    for f in [
        &prometheus.tag_host,
        &prometheus.tag_path,
        &prometheus.tag_method,
        &prometheus.tag_statuscode,
    ]
    .into_iter()
    .flatten()
    {
        cx.push(
            Diagnostic::info(
                Code::Prometheus,
                format!("`{}` dropped: OpenTelemetry always labels requests with method, status code and route", f.key),
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        );
    }
    Some(Destination {
        route: Route::Prometheus { port },
        signals: LegacyExporter::Prometheus.signals(),
        legacy: LegacyExporter::Prometheus.key(),
        pointer: exporter.pointer.clone(),
    })
}

/// The OpenCensus Prometheus exporter's name sanitising.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
