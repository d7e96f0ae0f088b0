//! `--metrics emf`: KrakenD's metrics also go to CloudWatch.
//!
//! This rule owns no legacy field: it applies an option. OpenCensus in
//! KrakenD had no CloudWatch exporter, so CloudWatch is a destination the
//! legacy config never had, and the report says so. The metrics travel
//! with the OTLP exporter to the collector (which then carries metrics, so
//! it loses `disable_metrics`); the collector's `awsemf` exporter writes
//! them to CloudWatch Logs in Embedded Metric Format, and CloudWatch
//! extracts the metrics from there.
//!
//! The route is added even when no legacy exporter went through the
//! collector (Prometheus only, Jaeger, Datadog): the user asked for
//! CloudWatch, and every other destination stays as it was.

use super::Context;
use crate::migration::intent::{CollectorExporter, Destination, Intent, Route, Signals};
use crate::migration::options::MetricsTarget;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::target::{EMF_IAM_ACTIONS, EMF_LOG_GROUP, EMF_NAMESPACE, TEMPORALITY_ENV};

/// The `legacy` name of the destination this rule adds.
pub const OPTION: &str = "--metrics emf";

/// Add the CloudWatch route to `intent` when `--metrics emf` asks for it.
/// Runs before the sampling and period rules, which must see that an OTLP
/// exporter now carries metrics.
pub fn route(intent: &mut Intent, cx: &mut Context) {
    if cx.options.metrics != MetricsTarget::Emf {
        return;
    }
    // The X-Ray region is the only region a legacy config can name; metrics
    // belong in the same region as the traces.
    let region = intent.destinations.iter().find_map(|d| match &d.route {
        Route::Collector(CollectorExporter::AwsXray { region }) => region.clone(),
        _ => None,
    });
    intent.destinations.push(Destination {
        route: Route::Collector(CollectorExporter::AwsEmf {
            region: region.clone(),
        }),
        signals: Signals::METRICS,
        legacy: OPTION,
        pointer: cx.block_pointer.clone(),
    });
    let pointer = cx.block_pointer.clone();
    let span = cx.block_span.clone();
    let exporter = cx.options.collector.exporter_name();
    cx.push(
        Diagnostic::info(
            Code::CloudwatchMetrics,
            format!(
                "`--metrics emf`: KrakenD's metrics now also go to CloudWatch (namespace `{EMF_NAMESPACE}`, log group `{EMF_LOG_GROUP}`) through the OTLP exporter `{exporter}` and the collector's `awsemf` exporter; the legacy config never sent them there"
            ),
        )
        .at(pointer.clone(), span.clone())
        .with_help(format!(
            "grant the collector's IAM role {}; gateways sharing an account and region also share the namespace, so give each its own `namespace` in the collector config to tell them apart",
            EMF_IAM_ACTIONS.join(", ")
        )),
    );
    cx.push(
        Diagnostic::warning(
            Code::MetricsTemporality,
            "KrakenD exports cumulative metrics and `awsemf` turns only sums into deltas: without delta temporality CloudWatch shows KrakenD's histograms (durations, sizes) as running totals",
        )
        .at(pointer.clone(), span.clone())
        .with_help(format!("set {TEMPORALITY_ENV}=delta in KrakenD's environment"))
        .with_fate(Action::Manual, Some(format!("env: {TEMPORALITY_ENV}=delta"))),
    );
    if region.is_none() {
        cx.push(
            Diagnostic::warning(
                Code::CloudwatchRegion,
                "no AWS region for `awsemf`: the legacy config names none (no X-Ray `region`), and the collector does not start without one",
            )
            .at(pointer, span)
            .with_help("set AWS_REGION in the collector's environment, or add `region` under `exporters.awsemf` in the collector config"),
        );
    }
}

/// `--metrics emf` on a block that exported nothing: no OpenTelemetry
/// block is written, so there are no metrics to route.
pub fn ignored(cx: &mut Context) {
    if cx.options.metrics != MetricsTarget::Emf {
        return;
    }
    let pointer = cx.block_pointer.clone();
    let span = cx.block_span.clone();
    cx.push(
        Diagnostic::info(
            Code::CloudwatchMetrics,
            "`--metrics emf` has no effect here: the legacy block exported nothing, so no OpenTelemetry block (and no collector) is written",
        )
        .at(pointer, span),
    );
}
