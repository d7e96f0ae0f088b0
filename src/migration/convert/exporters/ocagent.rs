//! `exporters.ocagent` -> KrakenD OTLP to the same host, port 4317.
//!
//! The OpenCensus agent protocol is gone (collectors dropped its receiver
//! in 0.134), so the target must now accept OTLP. Headers and compression
//! can only be set through the OTLP exporter's environment variables; the
//! header values are treated as secrets and never printed.

use super::influxdb::is_go_duration;
use super::{Context, dead, secret, unreadable};
use crate::migration::convert::{address, non_empty};
use crate::migration::intent::{Destination, Route};
use crate::migration::options::MetricsTarget;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::Ocagent;
use crate::model::legacy::decode::Spanned;
use crate::model::otel::defaults::OTLP_PORT;
use crate::model::target::HEADERS_ENV;

pub fn convert(exporter: &Spanned<Box<Ocagent>>, cx: &mut Context) -> Option<Destination> {
    let agent = &exporter.value;
    cx.unknown_keys(&agent.unknown, Ocagent::KEYS, "`exporters.ocagent`");
    let Some(field) = non_empty(&agent.address) else {
        dead(
            exporter,
            LegacyExporter::Ocagent,
            "has no `address`, so KrakenD could not create it",
            "give it its `address` (HOST:PORT of the agent, which must now accept OTLP on 4317)",
            (&agent.unknown, &["address", "insecure"], &[]),
            cx,
        );
        return None;
    };
    if !alive(exporter, cx) {
        return None;
    }
    let Some(address) = address::parse(&field.value) else {
        unreadable(exporter, field, LegacyExporter::Ocagent, cx);
        return None;
    };
    let port = OTLP_PORT;
    cx.push(
        Diagnostic::warning(
            Code::Ocagent,
            format!(
                "`address` becomes the OTLP exporter `ocagent` (metrics and traces) to {}:{port}: the receiving side must accept OTLP, since the OpenCensus protocol{} is gone from current collectors",
                address::bracketed(&address.host),
                address.port.map(|p| format!(" (port {p})")).unwrap_or_default()
            ),
        )
        .at(field.pointer.clone(), field.span.clone())
        .with_help("enable an OTLP gRPC receiver on port 4317 where the agent ran")
        .with_fate(Action::Converted, Context::target("exporters.otlp[ocagent]")),
    );
    super::address_warnings(&address, field, cx);
    if let Some(headers) = &agent.headers {
        let names: Vec<String> = headers.value.0.iter().map(|h| h.key.clone()).collect();
        let assignment = names
            .iter()
            .map(|n| format!("{n}=<value>"))
            .collect::<Vec<_>>()
            .join(",");
        cx.push(
            Diagnostic::info(
                Code::OtlpHeaders,
                "`headers` cannot be written in the new block: KrakenD's OTLP exporters read headers only from KrakenD's environment, and send them with every OTLP exporter",
            )
            .at(headers.pointer.clone(), headers.span.clone())
            .with_help(format!("set {HEADERS_ENV}={assignment} in KrakenD's environment (every OTLP exporter of KrakenD sends these headers, not only `ocagent`)"))
            .with_fate(Action::Manual, Some(format!("env: {HEADERS_ENV}"))),
        );
        for header in &headers.value.0 {
            secret(
                header,
                "header value",
                "pass it to KrakenD through OTEL_EXPORTER_OTLP_HEADERS, from a secret store",
                cx,
            );
        }
    }
    if let Some(f) = &agent.insecure {
        cx.push(
            Diagnostic::info(
                Code::Ocagent,
                "`insecure: true` dropped: KrakenD's OTLP gRPC exporter always sends in plain text, as the agent exporter did with it",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &agent.reconnection {
        cx.push(
            Diagnostic::info(
                Code::Ocagent,
                "`reconnection` dropped: the OTLP exporter reconnects on its own",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &agent.enable_compression {
        let d = if f.value {
            Diagnostic::info(
                Code::Ocagent,
                "`enable_compression` cannot be written in the new block",
            )
            .with_help("set OTEL_EXPORTER_OTLP_COMPRESSION=gzip in KrakenD's environment")
            .with_fate(
                Action::Manual,
                Some("env: OTEL_EXPORTER_OTLP_COMPRESSION".into()),
            )
        } else {
            Diagnostic::info(
                Code::Ocagent,
                "`enable_compression: false` dropped: OTLP is uncompressed by default",
            )
            .with_fate(Action::Dropped, None)
        };
        cx.push(d.at(f.pointer.clone(), f.span.clone()));
    }
    Some(Destination {
        route: Route::Otlp {
            name: LegacyExporter::Ocagent.key(),
            host: address.host,
            port,
            tls: false,
        },
        signals: LegacyExporter::Ocagent.signals(),
        legacy: LegacyExporter::Ocagent.key(),
        pointer: exporter.pointer.clone(),
    })
}

/// Whether KrakenD could create and connect the exporter; an error
/// (OC294) when it never delivered anything.
fn alive(exporter: &Spanned<Box<Ocagent>>, cx: &mut Context) -> bool {
    let agent = &exporter.value;
    if !agent.insecure.as_ref().is_some_and(|f| f.value) {
        // krakend-opencensus passed no transport credentials without
        // `insecure: true`, and grpc-go refuses such a dial: no TLS, and
        // no telemetry either.
        dead(
            exporter,
            LegacyExporter::Ocagent,
            "has no `insecure: true`, so KrakenD dialled the agent without transport credentials, which gRPC refuses (there was no TLS either)",
            "if the agent (now an OTLP receiver on port 4317) should receive the telemetry in plain text, as the migrated exporter sends it, set `insecure: true`",
            (&agent.unknown, &["insecure"], &[]),
            cx,
        );
        return false;
    }
    if let Some(f) = agent
        .reconnection
        .as_ref()
        .filter(|f| !f.value.is_empty() && !is_go_duration(&f.value))
    {
        // The factory failed on it, and KrakenD skips exporters whose
        // factory fails.
        dead(
            exporter,
            LegacyExporter::Ocagent,
            &format!(
                "has a `reconnection` ({:?}) that is not a Go duration, so KrakenD could not create it",
                f.value
            ),
            "write `reconnection` as a Go duration such as `5s`, or delete it",
            (&[], &[], &[]),
            cx,
        );
        return false;
    }
    true
}

/// `OTEL_EXPORTER_OTLP_HEADERS` is read by every OTLP exporter of KrakenD
/// (`legacy-behaviour-corrections.md`, "Smaller facts"): when the agent's
/// headers go there and another OTLP exporter is written (the collector,
/// Jaeger, the Datadog Agent), that one receives the headers, credential
/// included, too.
pub fn shared_headers(
    exporter: &Spanned<Box<Ocagent>>,
    destinations: &[Destination],
    cx: &mut Context,
) {
    let Some(headers) = &exporter.value.headers else {
        return;
    };
    if !destinations
        .iter()
        .any(|d| d.legacy == LegacyExporter::Ocagent.key())
    {
        return;
    }
    // `--metrics emf` adds the collector route after the exporters.
    let emf = (cx.options.metrics == MetricsTarget::Emf).then(|| Destination {
        route: Route::Collector(crate::migration::intent::CollectorExporter::AwsEmf {
            region: None,
        }),
        signals: crate::migration::intent::Signals::METRICS,
        legacy: "--metrics emf",
        pointer: String::new(),
    });
    let others: Vec<String> = destinations
        .iter()
        .chain(emf.as_ref())
        .filter(|d| d.legacy != LegacyExporter::Ocagent.key())
        .filter_map(|d| match &d.route {
            Route::Otlp {
                name, host, port, ..
            } => Some(format!("`{name}` ({}:{port})", address::bracketed(host))),
            Route::Collector(_) => Some(format!(
                "`{}` (the collector at {})",
                cx.options.collector.exporter_name(),
                cx.options.otlp_endpoint
            )),
            Route::Prometheus { .. } => None,
        })
        .fold(Vec::new(), |mut acc, o| {
            if !acc.contains(&o) {
                acc.push(o);
            }
            acc
        });
    if others.is_empty() {
        return;
    }
    cx.push(
        Diagnostic::warning(
            Code::OtlpHeaders,
            format!(
                "{HEADERS_ENV} also reaches the other OTLP exporters of the new block: {} would receive the agent's headers, credentials included",
                others.join(", ")
            ),
        )
        .at(headers.pointer.clone(), headers.span.clone())
        .with_help("if those receivers must not see the credential, send the agent's telemetry through a collector that adds the headers itself (the `headers` of its otlp exporter) instead of setting the variable in KrakenD's environment"),
    );
}
