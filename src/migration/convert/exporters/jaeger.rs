//! `exporters.jaeger` -> KrakenD OTLP straight to Jaeger.
//!
//! Jaeger ingests OTLP itself (since 1.35, on by default since 1.46), so no
//! collector is needed; but the Thrift endpoints OpenCensus used (HTTP
//! 14268, UDP agent 6831) are not OTLP ports, hence port 4317.

use super::{Context, dead, unreadable};
use crate::migration::convert::address::Address;
use crate::migration::convert::{address, non_empty};
use crate::migration::intent::{Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic, Severity};
use crate::model::legacy::Jaeger;
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::decode::Spanned;
use crate::model::otel::defaults::{OTLP_HTTP_PORT, OTLP_PORT};
use crate::model::version::KrakendVersion;

pub fn convert(exporter: &Spanned<Box<Jaeger>>, cx: &mut Context) -> Option<Destination> {
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
    let agent = non_empty(&jaeger.endpoint).is_none();
    let target = target(exporter, field, &address, agent, cx)?;
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
            host: target.host,
            port: target.port,
            tls: target.tls,
        },
        signals: LegacyExporter::Jaeger.signals(),
        legacy: LegacyExporter::Jaeger.key(),
        pointer: exporter.pointer.clone(),
    })
}

/// Where the OTLP exporter sends.
struct Target {
    host: String,
    port: u16,
    tls: bool,
}

/// The Jaeger endpoint the traces now go to, with the diagnostic that
/// says so; `None` when it cannot be known (an agent without
/// `--jaeger-collector`: an error, the file left as it is).
fn target(
    exporter: &Spanned<Box<Jaeger>>,
    field: &Spanned<String>,
    address: &Address,
    agent: bool,
    cx: &mut Context,
) -> Option<Target> {
    let at = |d: Diagnostic| d.at(field.pointer.clone(), field.span.clone());
    if agent {
        // A jaeger-agent (UDP 6831, Thrift compact) has no OTLP port
        // (jaeger `cmd/agent/app/ports.go`): OTLP goes to the collector,
        // which the legacy config does not name.
        let was = format!(
            "{}:{}",
            address::bracketed(&address.host),
            address.port.unwrap_or(6831)
        );
        let Some(collector) = cx.options.jaeger_collector.clone() else {
            cx.push(
                at(Diagnostic::error(
                    Code::JaegerAgent,
                    format!("`agent_endpoint` ({was}) is a jaeger-agent, which has no OTLP port: the traces must go to the Jaeger collector (or all-in-one), whose address this config does not name"),
                ))
                .with_help("run again with --jaeger-collector HOST[:PORT], the Jaeger collector's OTLP gRPC address (port 4317 by default)")
                .with_fate(Action::Manual, None),
            );
            cx.settle_rest_under(
                &exporter.pointer,
                Severity::Info,
                Code::Jaeger,
                "left with the `jaeger` exporter until the collector's address is given",
                Action::Manual,
            );
            return None;
        };
        cx.push(
            at(Diagnostic::warning(
                Code::JaegerAgent,
                format!("`agent_endpoint` becomes the OTLP exporter `jaeger` (traces only) to the Jaeger collector at {collector} (--jaeger-collector): the jaeger-agent at {was} has no OTLP port, and forwarded the spans to a collector"),
            ))
            .with_help("make sure the Jaeger collector accepts OTLP on that port (on by default from Jaeger 1.46); the agent no longer receives KrakenD's spans")
            .with_fate(Action::Converted, Context::target("exporters.otlp[jaeger]")),
        );
        return Some(Target {
            host: collector.host,
            port: collector.port,
            tls: false,
        });
    }
    let https = address
        .scheme
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"));
    let version = cx.options.version();
    let tls = https && version.has_otlp_https();
    let port = if tls { OTLP_HTTP_PORT } else { OTLP_PORT };
    let host = address::bracketed(&address.host);
    cx.push(
        at(Diagnostic::warning(
            Code::Jaeger,
            format!(
                "`{}` becomes the OTLP exporter `jaeger` (traces only) to {host}:{port}{}: Jaeger's Thrift ports ({}) are not OTLP ports",
                field.key,
                if tls { " over HTTPS" } else { "" },
                address.port.map_or_else(|| "14268, 6831".to_string(), |p| p.to_string())
            ),
        ))
        .with_help("Jaeger accepts OTLP on 4317 (gRPC) and 4318 (HTTP) from 1.35 (enabled by default from 1.46); make sure that port is reachable")
        .with_fate(Action::Converted, Context::target("exporters.otlp[jaeger]")),
    );
    if https {
        cx.push(tls_note(field, &host, tls, version));
    }
    Some(Target {
        host: address.host.clone(),
        port,
        tls,
    })
}

/// An `https://` endpoint: TLS kept with OTLP over HTTP from KrakenD
/// 2.10, else lost (the OTLP gRPC exporter is always plain text).
fn tls_note(
    field: &Spanned<String>,
    host: &str,
    kept: bool,
    version: KrakendVersion,
) -> Diagnostic {
    let d = if kept {
        Diagnostic::info(
            Code::Tls,
            format!("`{}` is https: TLS is kept with OTLP over HTTP (`use_http: true`, host `https://{host}`, port {OTLP_HTTP_PORT}), since KrakenD's OTLP gRPC exporter is always plain text", field.key),
        )
        .with_help(format!("Jaeger's OTLP HTTP receiver on {host}:{OTLP_HTTP_PORT} must serve TLS with a certificate KrakenD trusts"))
    } else {
        Diagnostic::warning(
            Code::Tls,
            format!("`{}` is https, but KrakenD {version} sends OTLP in plain text: TLS is lost (its gRPC exporter never uses TLS, and OTLP over HTTPS arrived in 2.10)", field.key),
        )
        .with_help("target KrakenD 2.10 or later (--krakend-version) to keep TLS with OTLP over HTTPS, or keep Jaeger on a trusted network")
    };
    d.at(field.pointer.clone(), field.value_span.clone())
}
