//! The collector configuration the new KrakenD block pushes to.
//!
//! The collector rejects unknown keys, so the YAML is written from a small
//! typed model and uses only keys the target distribution accepts (ADOT
//! v0.49 / otelcol-contrib). It is written by hand rather than by a serde
//! emitter so it can carry comments telling the operator where credentials
//! come from; every scalar that comes from user data goes through
//! [`yaml_scalar`], which quotes anything that is not plainly safe.
//! Credentials never appear: only `${env:VAR}` references.

use std::fmt::Write;

use crate::migration::intent::{CollectorExporter, Intent, Signals};
use crate::migration::options::{CollectorFlavor, Options};
use crate::model::redact::{Lines, printable};
use crate::model::target::{
    EMF_BATCH_SECONDS, EMF_LOG_GROUP, EMF_NAMESPACE, GCP_DETECTOR, HEALTH_CHECK_PORT,
    INFLUX_PASSWORD_ENV, INFLUX_USERNAME_ENV,
};

#[derive(Debug, Clone, PartialEq)]
pub struct CollectorConfig {
    pub flavor: CollectorFlavor,
    /// File name of the KrakenD config, for the header comment.
    pub source_name: String,
    /// Name of the KrakenD OTLP exporter that points here.
    pub krakend_exporter: String,
    /// The OTLP gRPC port the collector listens on.
    pub receiver_port: u16,
    pub exporters: Vec<(CollectorExporter, Signals)>,
    /// The batch timeout of the metrics pipeline: KrakenD's push period.
    pub metrics_period: i64,
}

impl CollectorConfig {
    /// The collector config an intent needs, if any destination goes
    /// through the collector.
    pub fn for_intent(intent: &Intent, options: &Options, source_name: &str) -> Option<Self> {
        let exporters: Vec<(CollectorExporter, Signals)> = intent
            .collector_exporters()
            .map(|(e, s)| (e.clone(), s))
            .collect();
        if exporters.is_empty() {
            return None;
        }
        Some(CollectorConfig {
            flavor: options.collector,
            source_name: source_name.to_string(),
            krakend_exporter: options.collector.exporter_name().to_string(),
            receiver_port: options.otlp_endpoint.port,
            exporters,
            metrics_period: intent.metric_period,
        })
    }

    fn pipeline(&self, traces: bool) -> Vec<&'static str> {
        self.exporters
            .iter()
            .filter(|(_, s)| if traces { s.traces } else { s.metrics })
            .map(|(e, _)| e.id())
            .collect()
    }

    /// The YAML text.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        let traces = self.pipeline(true);
        let metrics = self.pipeline(false);
        let _ = writeln!(
            out,
            "# Configuration for {}, written by oc2otel from {}.",
            self.flavor.display_name(),
            // A file name may hold a line break: it must not end the comment.
            printable(&self.source_name, Lines::One)
        );
        let _ = writeln!(
            out,
            "# KrakenD sends OTLP over gRPC to port {} (exporter `{}` of telemetry/opentelemetry).",
            self.receiver_port, self.krakend_exporter
        );
        let _ = writeln!(out, "# No credentials are stored in this file:");
        for (exporter, _) in &self.exporters {
            let note = match exporter {
                CollectorExporter::AwsXray { .. } => {
                    "awsxray uses the AWS SDK default chain: AWS_ACCESS_KEY_ID and\n#   AWS_SECRET_ACCESS_KEY in the environment, AWS_PROFILE, or an IAM role (ECS task\n#   role, EKS IRSA or Pod Identity, EC2 instance profile)."
                        .to_string()
                }
                CollectorExporter::AwsEmf { .. } => {
                    "awsemf uses the AWS SDK default chain (the environment, AWS_PROFILE or an IAM\n#   role); the role needs logs:PutLogEvents, logs:CreateLogGroup,\n#   logs:CreateLogStream, logs:DescribeLogStreams and logs:DescribeLogGroups."
                        .to_string()
                }
                CollectorExporter::GoogleCloud { .. } => {
                    "googlecloud uses Application Default Credentials\n#   (GOOGLE_APPLICATION_CREDENTIALS or the workload's identity).".to_string()
                }
                CollectorExporter::Influxdb { .. } => format!(
                    "influxdb reads {INFLUX_USERNAME_ENV} and {INFLUX_PASSWORD_ENV} from the environment."
                ),
                CollectorExporter::Zipkin { .. } => "zipkin needs none.".to_string(),
            };
            let _ = writeln!(out, "# - {note}");
        }
        out.push_str("extensions:\n  health_check:\n");
        let _ = writeln!(out, "    endpoint: 0.0.0.0:{HEALTH_CHECK_PORT}");
        out.push_str("receivers:\n  otlp:\n    protocols:\n      grpc:\n");
        let _ = writeln!(out, "        endpoint: 0.0.0.0:{}", self.receiver_port);
        out.push_str("processors:\n");
        // First in every pipeline, as the collector's docs advise: under
        // memory pressure it refuses data before the batch processor
        // holds it, instead of the container being killed. A check
        // interval and a limit are required; a percentage of the
        // container's memory fits any sidecar size.
        out.push_str(
            "  memory_limiter:\n    check_interval: 1s\n    limit_percentage: 80\n    spike_limit_percentage: 25\n",
        );
        // Google Cloud needs each replica's monitored resource, which
        // OpenCensus' Autodetect gave and KrakenD's resource lacks.
        let detect = self
            .exporters
            .iter()
            .any(|(e, _)| matches!(e, CollectorExporter::GoogleCloud { .. }));
        if detect {
            let _ = writeln!(
                out,
                "  resourcedetection:\n    detectors: [{GCP_DETECTOR}]\n    timeout: 2s\n    override: false"
            );
        }
        if !traces.is_empty() {
            // The 50-segment limit is X-Ray's: said only where X-Ray is.
            let why = if traces.contains(&"awsxray") {
                " # X-Ray takes at most 50 segments per call"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  batch/traces:\n    timeout: 1s\n    send_batch_size: 50{why}"
            );
        }
        if metrics == ["awsemf"] {
            let _ = writeln!(
                out,
                "  batch/metrics:\n    timeout: {EMF_BATCH_SECONDS}s # CloudWatch keeps one data point per minute"
            );
        } else if !metrics.is_empty() {
            // A legacy backend in the pipeline keeps the cadence it had.
            let _ = writeln!(
                out,
                "  batch/metrics:\n    timeout: {}s",
                self.metrics_period.max(1)
            );
        }
        out.push_str("exporters:\n");
        for (exporter, _) in &self.exporters {
            write_exporter(&mut out, exporter);
        }
        out.push_str("service:\n  extensions: [health_check]\n  pipelines:\n");
        for (signal, ids, batch) in [
            ("traces", &traces, "batch/traces"),
            ("metrics", &metrics, "batch/metrics"),
        ] {
            if ids.is_empty() {
                continue;
            }
            let detect = if ids.contains(&"googlecloud") {
                "resourcedetection, "
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    {signal}:\n      receivers: [otlp]\n      processors: [memory_limiter, {detect}{batch}]\n      exporters: [{}]",
                ids.join(", ")
            );
        }
        out
    }
}

fn write_exporter(out: &mut String, exporter: &CollectorExporter) {
    match exporter {
        CollectorExporter::AwsXray {
            region: Some(region),
        } => {
            let _ = writeln!(out, "  awsxray:\n    region: {}", yaml_scalar(region));
        }
        CollectorExporter::AwsXray { region: None } => {
            out.push_str(
                "  awsxray: {} # no region in the legacy config: set AWS_REGION for the collector\n",
            );
        }
        CollectorExporter::AwsEmf { region } => {
            out.push_str("  awsemf:\n");
            match region {
                Some(region) => {
                    let _ = writeln!(out, "    region: {}", yaml_scalar(region));
                }
                None => out.push_str(
                    "    # no region in the legacy config: set AWS_REGION for the collector\n",
                ),
            }
            let _ = writeln!(
                out,
                "    namespace: {EMF_NAMESPACE}\n    log_group_name: {EMF_LOG_GROUP}\n    dimension_rollup_option: NoDimensionRollup # one dimension set per metric, no rollups"
            );
        }
        CollectorExporter::Zipkin { endpoint } => {
            let _ = writeln!(out, "  zipkin:\n    endpoint: {}", yaml_scalar(endpoint));
        }
        CollectorExporter::GoogleCloud {
            project: Some(project),
        } => {
            let _ = writeln!(out, "  googlecloud:\n    project: {}", yaml_scalar(project));
        }
        CollectorExporter::GoogleCloud { project: None } => {
            out.push_str("  googlecloud: {} # project taken from the credentials\n");
        }
        CollectorExporter::Influxdb {
            endpoint,
            db,
            timeout,
            username,
            password,
        } => {
            let _ = writeln!(out, "  influxdb:\n    endpoint: {}", yaml_scalar(endpoint));
            if let Some(timeout) = timeout {
                let _ = writeln!(out, "    timeout: {}", yaml_scalar(timeout));
            }
            out.push_str("    v1_compatibility:\n      enabled: true\n");
            match db {
                Some(db) => {
                    let _ = writeln!(out, "      db: {}", yaml_scalar(db));
                }
                None => out.push_str("      # db: set the database name here\n"),
            }
            if *username {
                let _ = writeln!(
                    out,
                    "      username: {}",
                    yaml_scalar(&format!("${{env:{INFLUX_USERNAME_ENV}}}"))
                );
            }
            if *password {
                let _ = writeln!(
                    out,
                    "      password: {}",
                    yaml_scalar(&format!("${{env:{INFLUX_PASSWORD_ENV}}}"))
                );
            }
        }
    }
}

/// A YAML scalar for `s` (quoted unless plain reads back the same).
pub fn yaml_scalar(s: &str) -> String {
    crate::syntax::yaml::scalar_text(s)
}

#[cfg(test)]
mod tests {
    use super::yaml_scalar;

    #[test]
    fn the_emf_note_names_every_iam_action() {
        use crate::migration::intent::{CollectorExporter, Signals};
        use crate::model::target::EMF_IAM_ACTIONS;
        let config = super::CollectorConfig {
            flavor: crate::migration::options::CollectorFlavor::Adot,
            source_name: "k.json".into(),
            krakend_exporter: "adot".into(),
            receiver_port: 4317,
            exporters: vec![(CollectorExporter::AwsEmf { region: None }, Signals::METRICS)],
            metrics_period: 10,
        };
        let text = config.to_yaml().replace("\n#   ", " ");
        for action in EMF_IAM_ACTIONS {
            assert!(text.contains(action), "{action}");
        }
    }

    #[test]
    fn quotes_what_yaml_would_misread() {
        assert_eq!(yaml_scalar("eu-west-1"), "eu-west-1");
        assert_eq!(
            yaml_scalar("http://zipkin:9411/api/v2/spans"),
            "http://zipkin:9411/api/v2/spans"
        );
        assert_eq!(yaml_scalar("yes"), "\"yes\"");
        assert_eq!(yaml_scalar("1.5"), "\"1.5\"");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("${env:X}"), "\"${env:X}\"");
        assert_eq!(yaml_scalar("#x"), "\"#x\"");
        assert_eq!(yaml_scalar(""), "\"\"");
        assert_eq!(yaml_scalar("x\ny"), "\"x\\ny\"");
    }
}
