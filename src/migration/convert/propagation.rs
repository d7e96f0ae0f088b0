//! B3 propagation: a behaviour change no JSON can express.
//!
//! OpenCensus in KrakenD read and wrote B3 multi-header trace context
//! (`X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`). KrakenD's OpenTelemetry
//! module uses W3C `traceparent` unless `OTEL_PROPAGATORS` says otherwise,
//! and honours that variable only from 2.11.

use super::Context;
use crate::migration::intent::{Intent, Sampling};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Settings;
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

/// OpenCensus' backend transport wrote B3 (`X-B3-Sampled: 0` when not
/// sampled) on every backend request, whatever the sampler and even with
/// no trace exporter (krakend-opencensus `http_transport.go` ~153-175);
/// krakend-otel injects headers only for recorded spans
/// (`http/client/transport_traces.go` ~71-75, 95). Unless every request
/// is recorded with the backend layer on, backends that joined the
/// gateway's trace now start their own: a warning. `intent` is `None`
/// when the block exported nothing.
pub fn unrecorded(settings: &Settings, intent: Option<&Intent>, cx: &mut Context) {
    let backend = settings
        .enabled_layers
        .as_ref()
        .is_none_or(|l| l.value.backend.as_ref().is_some_and(|b| b.value));
    let traced = intent.filter(|i| i.carries_traces());
    let all_recorded = traced.is_some_and(|i| i.sampling == Sampling::Always);
    if !backend || all_recorded {
        return;
    }
    let now = match traced.map(|i| i.sampling) {
        Some(Sampling::Ratio(r)) => format!(
            "at {} % sampling, the other requests reach backends without the gateway's trace context",
            (r * 100.0 * 1000.0).round() / 1000.0
        ),
        Some(_) => "with no trace recorded, no request carries the gateway's trace context to backends any more".to_string(),
        None => "with no exporter carrying traces, KrakenD's OpenTelemetry has no tracer: no request carries the gateway's trace context to backends any more".to_string(),
    };
    let span = cx.block_span.clone();
    let pointer = cx.block_pointer.clone();
    cx.push(
        Diagnostic::warning(
            Code::UnrecordedPropagation,
            format!("OpenCensus forwarded trace context (B3) to backends on every request, with `X-B3-Sampled: 0` on those it did not sample; KrakenD's OpenTelemetry injects it only for recorded requests: {now}"),
        )
        .at(pointer, span)
        .with_help("backends that continued the gateway's trace now start their own for these requests; if they rely on it, record every request (`trace_sample_rate: 1` with an exporter that carries traces), or let the backends sample on their own"),
    );
}
