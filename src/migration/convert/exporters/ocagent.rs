//! `exporters.ocagent` -> KrakenD OTLP to the same host, port 4317.
//!
//! The OpenCensus agent protocol is gone (collectors dropped its receiver
//! in 0.134), so the target must now accept OTLP. Headers and compression
//! can only be set through the OTLP exporter's environment variables; the
//! header values are treated as secrets and never printed.

use super::{Context, secret, unreadable, unusable};
use crate::migration::convert::{address, non_empty};
use crate::migration::intent::{Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::Ocagent;
use crate::model::legacy::decode::Spanned;
use crate::model::otel::defaults::OTLP_PORT;

pub fn convert(exporter: &Spanned<Ocagent>, cx: &mut Context) -> Option<Destination> {
    let agent = &exporter.value;
    cx.unknown_keys(&agent.unknown, Ocagent::KEYS, "`exporters.ocagent`");
    let Some(field) = non_empty(&agent.address) else {
        unusable(
            exporter,
            LegacyExporter::Ocagent,
            "has no `address`",
            "if a key is misspelt (see the unknown keys reported for this exporter), fix it in the legacy block and migrate again",
            cx,
        );
        return None;
    };
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
                Code::Ocagent,
                "`headers` cannot be written in the new block: KrakenD's OTLP exporter reads them from its environment",
            )
            .at(headers.pointer.clone(), headers.span.clone())
            .with_help(format!("set OTEL_EXPORTER_OTLP_HEADERS={assignment} in KrakenD's environment"))
            .with_fate(Action::Manual, Some("env: OTEL_EXPORTER_OTLP_HEADERS".into())),
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
        let d = if f.value {
            Diagnostic::info(
                Code::Ocagent,
                "`insecure` dropped: KrakenD's OTLP gRPC exporter always sends in plain text",
            )
        } else {
            Diagnostic::warning(
                Code::Ocagent,
                "`insecure: false` dropped: TLS was on, but KrakenD's OTLP gRPC exporter always sends in plain text",
            )
            .with_help("keep the receiver on the same host or network, or send OTLP over HTTPS (`use_http: true` with an https:// host, KrakenD 2.10 or later)")
        };
        cx.push(
            d.at(f.pointer.clone(), f.span.clone())
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
        },
        signals: LegacyExporter::Ocagent.signals(),
        legacy: LegacyExporter::Ocagent.key(),
        pointer: exporter.pointer.clone(),
    })
}
