//! The legacy exporters, and what oc2otel knows about each: the key it is
//! written under, the diagnostic code of its rule, the page that explains
//! its replacement, and the signals it carried in KrakenD.
//!
//! Every place that treats exporters differently matches on this enum
//! without a wildcard, so a new exporter does not compile until each of
//! them says what to do with it.

use crate::model::diagnostic::Code;
use crate::model::signal::Signals;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LegacyExporter {
    Xray,
    Jaeger,
    Zipkin,
    Prometheus,
    Datadog,
    Stackdriver,
    Influxdb,
    Ocagent,
    Logger,
}

impl LegacyExporter {
    pub const ALL: [LegacyExporter; 9] = [
        LegacyExporter::Xray,
        LegacyExporter::Jaeger,
        LegacyExporter::Zipkin,
        LegacyExporter::Prometheus,
        LegacyExporter::Datadog,
        LegacyExporter::Stackdriver,
        LegacyExporter::Influxdb,
        LegacyExporter::Ocagent,
        LegacyExporter::Logger,
    ];

    /// The key under `exporters`.
    pub const fn key(self) -> &'static str {
        match self {
            LegacyExporter::Xray => "xray",
            LegacyExporter::Jaeger => "jaeger",
            LegacyExporter::Zipkin => "zipkin",
            LegacyExporter::Prometheus => "prometheus",
            LegacyExporter::Datadog => "datadog",
            LegacyExporter::Stackdriver => "stackdriver",
            LegacyExporter::Influxdb => "influxdb",
            LegacyExporter::Ocagent => "ocagent",
            LegacyExporter::Logger => "logger",
        }
    }

    /// The exporter written under `key`.
    pub fn from_key(key: &str) -> Option<LegacyExporter> {
        LegacyExporter::ALL.into_iter().find(|e| e.key() == key)
    }

    /// The code of the diagnostics about it.
    pub fn code(self) -> Code {
        match self {
            LegacyExporter::Xray => Code::Xray,
            LegacyExporter::Jaeger => Code::Jaeger,
            LegacyExporter::Zipkin => Code::Zipkin,
            LegacyExporter::Prometheus => Code::Prometheus,
            LegacyExporter::Datadog => Code::Datadog,
            LegacyExporter::Stackdriver => Code::Stackdriver,
            LegacyExporter::Influxdb => Code::Influxdb,
            LegacyExporter::Ocagent => Code::Ocagent,
            LegacyExporter::Logger => Code::Logger,
        }
    }

    /// The page that explains its replacement: its code's.
    pub fn page(self) -> &'static str {
        self.code().docs_url()
    }

    /// The field that named the service, for exporters that had one.
    pub fn service_name_field(self) -> Option<&'static str> {
        match self {
            LegacyExporter::Jaeger | LegacyExporter::Zipkin | LegacyExporter::Ocagent => {
                Some("service_name")
            }
            LegacyExporter::Datadog => Some("service"),
            LegacyExporter::Xray
            | LegacyExporter::Prometheus
            | LegacyExporter::Stackdriver
            | LegacyExporter::Influxdb
            | LegacyExporter::Logger => None,
        }
    }

    /// What it exported in KrakenD (`reference/opencensus-to-opentelemetry.md`
    /// §3): the logger was never registered, so nothing.
    pub fn signals(self) -> Signals {
        match self {
            LegacyExporter::Xray | LegacyExporter::Jaeger | LegacyExporter::Zipkin => {
                Signals::TRACES
            }
            LegacyExporter::Prometheus | LegacyExporter::Influxdb => Signals::METRICS,
            LegacyExporter::Datadog | LegacyExporter::Stackdriver | LegacyExporter::Ocagent => {
                Signals::BOTH
            }
            LegacyExporter::Logger => Signals::default(),
        }
    }

    /// The order in which their service names are taken for the one
    /// OpenTelemetry service name (the first non-empty wins).
    pub const SERVICE_NAME_ORDER: [LegacyExporter; 4] = [
        LegacyExporter::Jaeger,
        LegacyExporter::Zipkin,
        LegacyExporter::Ocagent,
        LegacyExporter::Datadog,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_codes_are_distinct() {
        let mut codes = std::collections::HashSet::new();
        for e in LegacyExporter::ALL {
            assert_eq!(LegacyExporter::from_key(e.key()), Some(e));
            assert!(codes.insert(e.code()), "{e:?}");
            assert!(e.page().starts_with("https://"));
        }
        assert_eq!(LegacyExporter::from_key("xray2"), None);
    }
}
