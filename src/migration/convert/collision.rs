//! A direct destination on the collector's `host:port`.
//!
//! The legacy exporters spoke different protocols on different ports (the
//! Datadog trace agent on 8126, an OpenCensus agent on 55678, Jaeger's
//! Thrift collector on 14268); their replacements all speak OTLP, on 4317.
//! When one of them ends up on the host and port of the collector
//! (`--otlp-endpoint`), only one process can listen there: the Datadog
//! Agent's telemetry would go to the collector, which has no exporter for
//! it, and be lost. The default Datadog Agent address (`localhost`) next to
//! a sidecar collector on `localhost:4317` is the common case. oc2otel
//! cannot choose another port for either, so this is an error.
//!
//! Two direct destinations on one host are left alone: that is often one
//! agent that received both protocols, and now receives OTLP once.

use super::Context;
use crate::migration::intent::{Destination, Route};
use crate::model::diagnostic::{Code, Diagnostic};

pub fn check(destinations: &[Destination], cx: &mut Context) {
    let uses_collector = destinations
        .iter()
        .any(|d| matches!(d.route, Route::Collector(_)));
    if !uses_collector {
        return;
    }
    let collector = cx.options.otlp_endpoint.clone();
    for d in destinations {
        let Route::Otlp { host, port, .. } = &d.route else {
            continue;
        };
        if !(host.eq_ignore_ascii_case(&collector.host) && *port == collector.port) {
            continue;
        }
        let span = cx
            .fields
            .iter()
            .find(|(p, _)| p.starts_with(&format!("{}/", d.pointer)))
            .map_or_else(|| cx.block_span.clone(), |(_, s)| s.clone());
        cx.push(
            Diagnostic::error(
                Code::EndpointConflict,
                format!(
                    "`{}` and the collector (--otlp-endpoint {collector}) would both receive OTLP on {}:{port}, where only one of them can listen: the other's telemetry would be lost",
                    d.legacy,
                    crate::migration::convert::address::bracketed(host)
                ),
            )
            .at(d.pointer.clone(), span)
            .with_help(format!(
                "give the collector another port or host with --otlp-endpoint (for example --otlp-endpoint {}:4319), or point `{}` at the host its receiver really runs on, then migrate again",
                collector.host, d.legacy
            )),
        );
    }
}
