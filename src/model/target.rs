//! Facts about the platform the migrated config runs on: the collector's
//! components and which distribution ships them, AWS permissions, the
//! CloudWatch names oc2otel writes, the environment variables KrakenD and
//! the collector read. The conversion rules (which explain them in
//! diagnostics) and the renderers (which write them) both read them here,
//! so that a message and a file can never disagree.

/// `OTEL_PROPAGATORS`: KrakenD's propagators, honoured from KrakenD 2.11.
pub const PROPAGATORS_ENV: &str = "OTEL_PROPAGATORS";
/// Its value that keeps B3 callers and backends in the trace.
pub const B3_PROPAGATORS: &str = "tracecontext,baggage,b3multi";

/// The headers every OTLP exporter of KrakenD sends (from its environment).
pub const HEADERS_ENV: &str = "OTEL_EXPORTER_OTLP_HEADERS";

/// KrakenD's environment variable that makes its OTLP metrics deltas.
pub const TEMPORALITY_ENV: &str = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";

/// What the collector's role needs for `awsxray`.
pub const XRAY_IAM_ACTIONS: [&str; 2] = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/// What the collector's role needs for `awsemf` (ADOT's own IAM policy).
pub const EMF_IAM_ACTIONS: [&str; 5] = [
    "logs:PutLogEvents",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogStreams",
    "logs:DescribeLogGroups",
];

/// CloudWatch namespace of `--metrics emf` (ADOT's suggested KrakenD
/// config): one fixed name keeps dashboards and alarms portable.
pub const EMF_NAMESPACE: &str = "KrakenD";
/// Log group of the EMF records: fixed, so that an IAM policy can name it.
pub const EMF_LOG_GROUP: &str = "/aws/krakend/metrics";
/// Batch timeout before `awsemf`, as in ADOT's canonical configs:
/// CloudWatch keeps standard-resolution metrics per minute, so holding a
/// minute of KrakenD's pushes loses no resolution and cuts the calls.
pub const EMF_BATCH_SECONDS: i64 = 60;

/// The collector's health endpoint (ADOT's `/healthcheck` probes 13133).
pub const HEALTH_CHECK_PORT: u16 = 13133;

/// Where the collector's `influxdb` exporter reads its credentials.
pub const INFLUX_USERNAME_ENV: &str = "INFLUXDB_USERNAME";
pub const INFLUX_PASSWORD_ENV: &str = "INFLUXDB_PASSWORD";

/// The `resourcedetection` detector that gives Google Cloud exports their
/// monitored resource (GKE, GCE, Cloud Run, ...).
pub const GCP_DETECTOR: &str = "gcp";

/// A collector exporter oc2otel writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Component {
    AwsXray,
    AwsEmf,
    Zipkin,
    GoogleCloud,
    Influxdb,
}

impl Component {
    pub const ALL: [Component; 5] = [
        Component::AwsXray,
        Component::AwsEmf,
        Component::Zipkin,
        Component::GoogleCloud,
        Component::Influxdb,
    ];

    /// The component id in a collector config.
    pub fn id(self) -> &'static str {
        match self {
            Component::AwsXray => "awsxray",
            Component::AwsEmf => "awsemf",
            Component::Zipkin => "zipkin",
            Component::GoogleCloud => "googlecloud",
            Component::Influxdb => "influxdb",
        }
    }

    /// The component a collector config's type (`zipkin` of `zipkin/eu`)
    /// names, if oc2otel writes it.
    pub fn from_id(id: &str) -> Option<Component> {
        Component::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Whether the ADOT distribution (v0.49) ships it; otelcol-contrib
    /// ships them all.
    pub fn in_adot(self) -> bool {
        match self {
            Component::AwsXray | Component::AwsEmf => true,
            Component::Zipkin | Component::GoogleCloud | Component::Influxdb => false,
        }
    }
}

/// A collector exporter oc2otel writes, with its settings: the component
/// that exports to the final backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectorExporter {
    AwsXray {
        region: Option<String>,
    },
    /// CloudWatch metrics in Embedded Metric Format (`--metrics emf`).
    AwsEmf {
        region: Option<String>,
    },
    Zipkin {
        endpoint: String,
    },
    GoogleCloud {
        project: Option<String>,
    },
    Influxdb {
        endpoint: String,
        db: Option<String>,
        timeout: Option<String>,
        /// The legacy block had a username / password: the collector reads
        /// them from its environment.
        username: bool,
        password: bool,
    },
}

impl CollectorExporter {
    /// The collector component.
    pub fn component(&self) -> Component {
        match self {
            CollectorExporter::AwsXray { .. } => Component::AwsXray,
            CollectorExporter::AwsEmf { .. } => Component::AwsEmf,
            CollectorExporter::Zipkin { .. } => Component::Zipkin,
            CollectorExporter::GoogleCloud { .. } => Component::GoogleCloud,
            CollectorExporter::Influxdb { .. } => Component::Influxdb,
        }
    }

    /// The component id in the collector config.
    pub fn id(&self) -> &'static str {
        self.component().id()
    }

    /// Whether the ADOT distribution ships this exporter.
    pub fn in_adot(&self) -> bool {
        self.component().in_adot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_ids_round_trip() {
        for c in Component::ALL {
            assert_eq!(Component::from_id(c.id()), Some(c));
        }
        assert_eq!(Component::from_id("otlp"), None);
    }
}
