//! `exporters.stackdriver` -> OTLP to the collector, `googlecloud` exporter
//! there (otelcol-contrib only).

use super::{Context, require_contrib};
use crate::migration::convert::non_empty;
use crate::migration::intent::{CollectorExporter, Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::Stackdriver;
use crate::model::legacy::decode::Spanned;
use crate::model::target::GCP_DETECTOR;

pub fn convert(exporter: &Spanned<Box<Stackdriver>>, cx: &mut Context) -> Option<Destination> {
    let stackdriver = &exporter.value;
    cx.unknown_keys(
        &stackdriver.unknown,
        Stackdriver::KEYS,
        "`exporters.stackdriver`",
    );
    let project = non_empty(&stackdriver.project_id).map(|f| f.value.trim().to_string());
    let component = CollectorExporter::GoogleCloud {
        project: project.clone(),
    };
    require_contrib(exporter, &component, cx);
    cx.push(
        Diagnostic::info(
            Code::Stackdriver,
            format!(
                "`stackdriver` becomes OTLP (metrics and traces) to the collector at {}, which exports with `googlecloud`",
                cx.options.otlp_endpoint
            ),
        )
        .at(exporter.pointer.clone(), exporter.span.clone())
        .with_help("the collector authenticates with Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS or the workload's identity)")
        .with_fate(
            Action::Converted,
            Context::target(&format!("exporters.otlp[{}]", cx.options.collector.exporter_name())),
        ),
    );
    // OpenCensus named the monitored resource (gke_container,
    // gce_instance, aws_ec2_instance) with `monitoredresource.Autodetect()`;
    // KrakenD's OpenTelemetry resource has only the service, so without a
    // detector every replica would write one `generic_node` series.
    cx.push(
        Diagnostic::info(
            Code::GcpResource,
            format!("the collector detects the monitored resource with a `resourcedetection` processor (`{}` detector), as OpenCensus' Autodetect did: without it every replica would write the same `generic_node` series, which Cloud Monitoring rejects as duplicate points", GCP_DETECTOR),
        )
        .at(exporter.pointer.clone(), exporter.span.clone())
        .with_help("run the collector on the replica's own host or pod (a sidecar), so that it detects that replica's resource"),
    );
    match &stackdriver.project_id {
        Some(f) if project.is_some() => cx.push(
            Diagnostic::info(
                Code::Stackdriver,
                "`project_id` becomes the `googlecloud` exporter's project",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(
                Action::Moved,
                Context::collector_target("exporters.googlecloud.project"),
            ),
        ),
        field => {
            let mut d = Diagnostic::info(
                Code::Stackdriver,
                "no `project_id`: the `googlecloud` exporter takes the project from the credentials or the metadata server",
            );
            d = match field {
                Some(f) => d
                    .at(f.pointer.clone(), f.span.clone())
                    .with_fate(Action::Dropped, None),
                None => d.at(exporter.pointer.clone(), exporter.span.clone()),
            };
            cx.push(d);
        }
    }
    if let Some(f) = &stackdriver.metric_prefix {
        cx.push(
            Diagnostic::warning(
                Code::Stackdriver,
                "`metric_prefix` dropped: metric names now come from OpenTelemetry (under workload.googleapis.com)",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_help("update Cloud Monitoring dashboards and alerting policies")
            .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &stackdriver.default_labels {
        cx.push(
            Diagnostic::warning(Code::Stackdriver, "`default_labels` dropped: no per-exporter labels in OpenTelemetry")
                .at(f.pointer.clone(), f.span.clone())
                .with_help("add them as `layers.global.metrics_static_attributes` in the new block (KrakenD 2.7 or later)")
                .with_fate(Action::Dropped, None),
        );
    }
    Some(Destination {
        route: Route::Collector(component),
        signals: LegacyExporter::Stackdriver.signals(),
        legacy: LegacyExporter::Stackdriver.key(),
        pointer: exporter.pointer.clone(),
    })
}
