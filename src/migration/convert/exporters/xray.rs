//! `exporters.xray` -> KrakenD OTLP to the collector, `awsxray` there.
//!
//! The OpenCensus X-Ray exporter sent traces straight to AWS with keys from
//! the config (or the SDK chain with `use_env`). Now KrakenD sends OTLP to
//! a collector (ADOT by default), whose `awsxray` exporter takes its
//! credentials from the AWS SDK default chain only: the collector config
//! has no place for keys, and oc2otel never writes them anywhere.

use super::{Context, dead, secret};
use crate::migration::convert::non_empty;
use crate::migration::intent::{CollectorExporter, Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::Xray;
use crate::model::legacy::decode::Spanned;
use crate::model::redact::redact_str;

const CREDENTIALS_HELP: &str = "give the collector credentials through its environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), a shared profile (AWS_PROFILE), or better an IAM role (ECS task role, EKS IRSA or Pod Identity, EC2 instance profile)";

pub fn convert(exporter: &Spanned<Box<Xray>>, cx: &mut Context) -> Option<Destination> {
    let xray = &exporter.value;
    let env = xray.use_env.as_ref().is_some_and(|f| f.value);
    let keys =
        non_empty(&xray.access_key_id).is_some() && non_empty(&xray.secret_access_key).is_some();
    if !env && !keys {
        // Without `use_env`, krakend-opencensus gave the exporter static
        // credentials from the two keys; aws-sdk-go refuses empty ones.
        cx.unknown_keys(&xray.unknown, Xray::KEYS, "`exporters.xray`");
        dead(
            exporter,
            LegacyExporter::Xray,
            "has no `use_env: true` and not both `access_key_id` and `secret_access_key`, so KrakenD gave it empty static credentials, which the AWS SDK refuses",
            "if X-Ray should receive the traces, set `use_env: true` (the collector takes its credentials from its environment or an IAM role, which is what `use_env` did)",
            (
                &xray.unknown,
                &["use_env", "access_key_id", "secret_access_key"],
                &[],
            ),
            cx,
        );
        return None;
    }
    let collector = cx.options.collector.exporter_name();
    let endpoint = cx.options.otlp_endpoint.to_string();
    cx.push(
        Diagnostic::info(
            Code::Xray,
            format!("`xray` becomes the OTLP exporter `{collector}` (traces only) to the collector at {endpoint}, which exports to X-Ray with `awsxray`"),
        )
        .at(exporter.pointer.clone(), exporter.span.clone())
        .with_fate(
            Action::Converted,
            Context::target(&format!("exporters.otlp[{collector}]")),
        ),
    );

    let region = region(exporter, cx);
    if let Some(use_env) = &xray.use_env {
        let why = if use_env.value {
            "the collector always takes credentials from the AWS SDK default chain, which is what `use_env: true` did"
        } else {
            "the collector cannot hold static keys; it always uses the AWS SDK default chain"
        };
        cx.push(
            Diagnostic::info(Code::Xray, format!("`use_env` dropped: {why}"))
                .at(use_env.pointer.clone(), use_env.span.clone())
                .with_fate(Action::Dropped, None),
        );
    }
    for key in [&xray.access_key_id, &xray.secret_access_key]
        .into_iter()
        .flatten()
    {
        secret(key, "AWS credential", CREDENTIALS_HELP, cx);
    }

    version(exporter, cx);
    cx.push(
        Diagnostic::warning(
            Code::XrayBehaviour,
            "X-Ray data changes shape: the server segment is named after `service_name` (OpenCensus used span names such as the endpoint path), span attributes become metadata instead of searchable annotations, and trace IDs are W3C IDs",
        )
        .at(exporter.pointer.clone(), exporter.span.clone())
        .with_help("update X-Ray groups, filter expressions and alarms that match segment names; list attributes to search on under `indexed_attributes` of the collector's `awsxray` exporter (e.g. [http.route, krakend.stage]); use ADOT collector 0.34 or later, which accepts W3C trace IDs"),
    );
    cx.unknown_keys(&xray.unknown, Xray::KEYS, "`exporters.xray`");
    Some(Destination {
        route: Route::Collector(CollectorExporter::AwsXray { region }),
        signals: LegacyExporter::Xray.signals(),
        legacy: LegacyExporter::Xray.key(),
        pointer: exporter.pointer.clone(),
    })
}

/// `region`: the `awsxray` exporter's, or a warning that the collector
/// needs one.
fn region(exporter: &Spanned<Box<Xray>>, cx: &mut Context) -> Option<String> {
    let xray = &exporter.value;
    match non_empty(&xray.region) {
        Some(region) => {
            cx.push(
                Diagnostic::info(
                    Code::XrayRegion,
                    format!(
                        "`region: {:?}` becomes the `awsxray` exporter's region",
                        redact_str(&region.value)
                    ),
                )
                .at(region.pointer.clone(), region.span.clone())
                .with_fate(
                    Action::Moved,
                    Context::collector_target("exporters.awsxray.region"),
                ),
            );
            Some(region.value.trim().to_string())
        }
        None => {
            let (pointer, span, fate) = match &xray.region {
                Some(f) => (f.pointer.clone(), f.span.clone(), true),
                None => (
                    crate::syntax::tree::child_pointer(&exporter.pointer, "region"),
                    exporter.span.clone(),
                    false,
                ),
            };
            let mut d = Diagnostic::warning(
                Code::XrayRegion,
                "no X-Ray `region`: the collector takes it from AWS_REGION / AWS_DEFAULT_REGION or EC2 instance metadata, and does not start without one",
            )
            .at(pointer, span)
            .with_help("set AWS_REGION in the collector's environment, or add `region` under `exporters.awsxray` in the collector config");
            if fate {
                d = d.with_fate(Action::Dropped, None);
            }
            cx.push(d);
            None
        }
    }
}

/// `version`: the service version, or KrakenD's own when absent.
fn version(exporter: &Spanned<Box<Xray>>, cx: &mut Context) {
    let xray = &exporter.value;
    match non_empty(&xray.version) {
        Some(version) => {
            cx.push(
                Diagnostic::info(
                    Code::XrayVersion,
                    format!("`version: {:?}` becomes `service_version`: it was the `service.version` of X-Ray segments (not an X-Ray API version), and is now on every span and metric", redact_str(&version.value)),
                )
                .at(version.pointer.clone(), version.span.clone())
                .with_fate(Action::Converted, Context::target("service_version")),
            );
            if !cx.options.version().has_service_version() {
                cx.push(
                    Diagnostic::warning(
                        Code::TargetVersion,
                        format!(
                            "KrakenD {} ignores `service_version` (it arrived in 2.6.1)",
                            cx.options.version()
                        ),
                    )
                    .at(version.pointer.clone(), version.span.clone()),
                );
            }
            cx.service_version = Some(version.value.clone());
        }
        None => {
            if let Some(f) = &xray.version {
                cx.push(
                    Diagnostic::info(Code::XrayVersion, "`version` is empty: dropped")
                        .at(f.pointer.clone(), f.span.clone())
                        .with_fate(Action::Dropped, None),
                );
            }
            cx.push(
                Diagnostic::info(
                    Code::XrayVersion,
                    "no X-Ray `version`: segments carried `service.version: \"KrakenD-opencensus\"`; OpenTelemetry reports KrakenD's own version instead",
                )
                .at(exporter.pointer.clone(), exporter.span.clone())
                .with_help("set `service_version` in the new block to choose another value"),
            );
        }
    }
}
