//! Endpoint and backend blocks: `path_aggregation`, removed.
//!
//! The only OpenCensus setting below the service level chose how request
//! paths labelled metrics. OpenTelemetry labels them with the route pattern
//! (`http.route`), which is what the default `pattern` did; the other modes
//! have no equivalent and get a warning.

use super::Context;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::PathAggregation;
use crate::model::redact::redact_str;

pub fn convert(settings: &PathAggregation, cx: &mut Context) {
    cx.unknown_keys(
        &settings.unknown,
        &["path_aggregation"],
        "this OpenCensus block",
    );
    let Some(field) = &settings.path_aggregation else {
        let pointer = cx.block_pointer.clone();
        let span = cx.block_span.clone();
        cx.push(
            Diagnostic::info(
                Code::PathAggregation,
                "OpenCensus block without `path_aggregation` removed: OpenTelemetry labels metrics with the route pattern, the OpenCensus default",
            )
            .at(pointer, span),
        );
        return;
    };
    let diagnostic = match field.value.as_str() {
        "pattern" | "" => Diagnostic::info(
            Code::PathAggregation,
            format!(
                "`path_aggregation: {:?}` dropped: OpenTelemetry labels metrics with the route pattern (`http.route`), which is what it did",
                redact_str(&field.value)
            ),
        ),
        "lastparam" => Diagnostic::warning(
            Code::PathAggregation,
            "`path_aggregation: \"lastparam\"` dropped: OpenTelemetry has no equivalent; metrics are labelled with the route pattern (`http.route`) instead",
        ),
        "off" => Diagnostic::warning(
            Code::PathAggregation,
            "`path_aggregation: \"off\"` dropped: raw request paths no longer label metrics; OpenTelemetry uses the route pattern (`http.route`), and the raw path stays in traces (`url.full`)",
        ),
        other => Diagnostic::warning(
            Code::PathAggregation,
            format!(
                "`path_aggregation: {:?}` dropped: not a known mode, so KrakenD used `pattern`, which is what OpenTelemetry does",
                redact_str(other)
            ),
        ),
    };
    cx.push(
        diagnostic
            .at(field.pointer.clone(), field.span.clone())
            .with_fate(Action::Dropped, None),
    );
}
