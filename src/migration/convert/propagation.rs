//! B3 propagation: a behaviour change no JSON can express.
//!
//! OpenCensus in KrakenD read and wrote B3 multi-header trace context
//! (`X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`). KrakenD's OpenTelemetry
//! module uses W3C `traceparent` unless `OTEL_PROPAGATORS` says otherwise,
//! and honours that variable only from 2.11.

use super::Context;
use crate::migration::intent::Intent;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::target::{B3_PROPAGATORS as PROPAGATORS, PROPAGATORS_ENV};

/// Whether OpenCensus' B3 propagation mattered: with no trace recorded (or
/// no layer that propagates) there is no trace context for callers and
/// backends to lose.
pub fn applies(intent: &Intent) -> bool {
    let traced =
        intent.carries_traces() && intent.sampling != crate::migration::intent::Sampling::Off;
    traced && (intent.layers.router || intent.layers.backend)
}

pub fn advise(intent: &Intent, cx: &mut Context) {
    if !applies(intent) {
        return;
    }
    let version = cx.options.version();
    let help = if version.has_propagators_env() {
        format!(
            "set {PROPAGATORS_ENV}={PROPAGATORS} in KrakenD's environment so callers and backends that speak B3 stay in the same trace (add `xray` to join traces started by an AWS load balancer or API Gateway)"
        )
    } else {
        format!(
            "KrakenD {version} cannot propagate B3 ({PROPAGATORS_ENV} is honoured from 2.11): callers and backends that only speak B3 will start separate traces; target 2.11 or later to keep them joined"
        )
    };
    let span = cx.block_span.clone();
    let pointer = cx.block_pointer.clone();
    cx.push(
        Diagnostic::warning(
            Code::B3Propagation,
            "OpenCensus propagated trace context with B3 headers (X-B3-TraceId, X-B3-SpanId, X-B3-Sampled); OpenTelemetry uses W3C traceparent by default",
        )
        .at(pointer, span)
        .with_help(help)
        .with_fate(
            if version.has_propagators_env() { Action::Manual } else { Action::Dropped },
            version.has_propagators_env().then(|| format!("env: {PROPAGATORS_ENV}={PROPAGATORS}")),
        ),
    );
}
