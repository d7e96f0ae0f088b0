//! `reporting_period` (seconds) -> `metric_reporting_period`.
//!
//! OpenCensus reports every 10 s when the period is absent or <= 0.
//! OpenTelemetry defaults to 30 s when the key is absent and to 60 s when
//! it is 0, so the effective legacy period is always written explicitly.
//! The period only matters to OTLP exporters that carry metrics: Prometheus
//! is scraped, and X-Ray never carried metrics.

use super::Context;
use crate::migration::intent::{CollectorExporter, Intent, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Settings;

/// The OpenCensus period used when none (or <= 0) is given.
pub const DEFAULT_SECONDS: i64 = 10;

/// `time.Duration(n) * time.Second` overflows an int64 beyond this.
const MAX_SECONDS: i64 = i64::MAX / 1_000_000_000;

pub fn convert(settings: &Settings, intent: &Intent, cx: &mut Context) -> i64 {
    let otlp_metrics = intent.otlp_carries_metrics();
    let Some(field) = &settings.reporting_period else {
        if otlp_metrics {
            let (pointer, span) = cx.absent("reporting_period");
            cx.push(
                Diagnostic::info(
                    Code::ReportingPeriod,
                    format!("no `reporting_period`: OpenCensus reported every {DEFAULT_SECONDS} s; written as `metric_reporting_period: {DEFAULT_SECONDS}` (OpenTelemetry would default to 30 s)"),
                )
                .at(pointer, span)
                .with_fate(Action::Defaulted, Context::target("metric_reporting_period")),
            );
        }
        return DEFAULT_SECONDS;
    };
    let period = field.value;
    if period > MAX_SECONDS {
        cx.push(
            Diagnostic::error(
                Code::OutOfRange,
                format!("`reporting_period: {period}` is too large: KrakenD's duration overflows beyond {MAX_SECONDS} seconds"),
            )
            .at(field.pointer.clone(), field.value_span.clone())
            // The field's fate, so that it is not also "not accounted for".
            .with_fate(Action::Manual, None),
        );
        return DEFAULT_SECONDS;
    }
    let effective = if period > 0 { period } else { DEFAULT_SECONDS };
    let xray = intent
        .destinations
        .iter()
        .any(|d| matches!(d.route, Route::Collector(CollectorExporter::AwsXray { .. })));
    let diagnostic = if !otlp_metrics {
        let quirk = if xray && period > 0 {
            "; the OpenCensus X-Ray exporter misread it as a flush interval in nanoseconds, which the collector's batch processor (1 s) replaces"
        } else {
            ""
        };
        Diagnostic::info(
            Code::ReportingPeriod,
            format!("`reporting_period` dropped: no OTLP exporter of this block carries metrics (Prometheus is scraped, so a push period does not apply){quirk}"),
        )
        .with_fate(Action::Dropped, None)
    } else if period > 0 {
        Diagnostic::info(
            Code::ReportingPeriod,
            format!("`reporting_period: {period}` becomes `metric_reporting_period: {period}`"),
        )
        .with_fate(Action::Moved, Context::target("metric_reporting_period"))
    } else {
        Diagnostic::info(
            Code::ReportingPeriod,
            format!("`reporting_period: {period}` meant OpenCensus' default of {DEFAULT_SECONDS} s: written as `metric_reporting_period: {DEFAULT_SECONDS}` (OpenTelemetry turns 0 into 60 s)"),
        )
        .with_fate(Action::Converted, Context::target("metric_reporting_period"))
    };
    cx.push(diagnostic.at(field.pointer.clone(), field.span.clone()));
    effective
}
