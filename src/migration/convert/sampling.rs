//! `sample_rate` (percent, integer) -> `trace_sample_rate` or no traces.
//!
//! OpenCensus treats a rate <= 0 (and an absent rate) as "never sample",
//! but OpenTelemetry in KrakenD treats `trace_sample_rate` <= 0 as "always
//! sample". Writing the naive `trace_sample_rate: 0` would turn a gateway
//! that traced nothing into one that traces everything, so "no traces" is
//! written as `disable_traces: true` on every OTLP exporter instead.

use super::Context;
use crate::migration::intent::{Intent, Sampling};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Settings;

pub fn convert(settings: &Settings, intent: &Intent, cx: &mut Context) -> Sampling {
    let carries_traces = intent.carries_traces();
    let Some(field) = &settings.sample_rate else {
        if carries_traces {
            let (pointer, span) = cx.absent("sample_rate");
            cx.push(
                Diagnostic::warning(
                    Code::TracesOff,
                    "no `sample_rate`: OpenCensus defaults to 0 and recorded no traces, so traces stay off (`disable_traces: true` on the OTLP exporters)",
                )
                .at(pointer, span)
                .with_help("to start tracing, set `trace_sample_rate` (0 to 1) and remove `disable_traces`; never `trace_sample_rate: 0`, which OpenTelemetry reads as 100 %")
                .with_fate(Action::Defaulted, Context::target("exporters.otlp[*].disable_traces")),
            );
        }
        return Sampling::Off;
    };
    let rate = field.value;
    let sampling = match rate {
        ..=0 => Sampling::Off,
        100.. => Sampling::Always,
        _ => Sampling::Ratio(rate as f64 / 100.0),
    };
    let diagnostic = if !carries_traces {
        Diagnostic::info(
            Code::TracesOff,
            format!("`sample_rate: {rate}` dropped: no exporter of this block carries traces"),
        )
        .with_fate(Action::Dropped, None)
    } else {
        match sampling {
            Sampling::Off => Diagnostic::info(
                Code::TracesOff,
                format!("`sample_rate: {rate}` recorded no traces: written as `disable_traces: true` on the OTLP exporters, not as `trace_sample_rate: 0` (which OpenTelemetry reads as 100 %)"),
            )
            .with_fate(Action::Converted, Context::target("exporters.otlp[*].disable_traces")),
            Sampling::Ratio(ratio) => Diagnostic::warning(
                Code::SamplingRatio,
                format!("`sample_rate: {rate}` becomes `trace_sample_rate: {ratio}`; OpenTelemetry samples parent-based: a request whose caller decided \"not sampled\" is not traced, where OpenCensus still sampled {rate} % of them"),
            )
            .with_fate(Action::Converted, Context::target("trace_sample_rate")),
            Sampling::Always => Diagnostic::info(
                Code::SamplingAlways,
                format!("`sample_rate: {rate}` becomes `trace_sample_rate: 1` (every trace)"),
            )
            .with_fate(Action::Converted, Context::target("trace_sample_rate")),
        }
    };
    cx.push(diagnostic.at(field.pointer.clone(), field.span.clone()));
    sampling
}
