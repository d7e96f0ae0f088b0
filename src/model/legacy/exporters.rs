//! The legacy exporters: the struct of each, as krakend-opencensus reads
//! it, the `exporters` object that holds them, and [`LegacyExporter`]: what
//! oc2otel knows about each (the key it is written under, the diagnostic
//! code of its rule, the page that explains its replacement, the signals
//! it carried in KrakenD).
//!
//! Every place that treats exporters differently matches on
//! [`LegacyExporter`] without a wildcard, so a new exporter does not
//! compile until each of them says what to do with it.

use super::decode::{AnyObject, Spanned, StringList, StringMap, legacy_struct};
use crate::model::diagnostic::Code;
use crate::model::signal::Signals;
use crate::model::target::Component;
use crate::syntax::tree::Span;

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

    /// The service name it reported when its name field was absent or
    /// empty (`reference/legacy-behaviour-corrections.md`, "Default
    /// service names"): jaeger's library default, the Datadog exporter's,
    /// krakend-opencensus' for the agent, and zipkin's empty local
    /// endpoint name.
    pub fn default_service_name(self) -> Option<&'static str> {
        match self {
            LegacyExporter::Jaeger => Some("OpenCensus"),
            LegacyExporter::Datadog => Some("opencensus-app"),
            LegacyExporter::Ocagent => Some("KrakenD-Opencensus"),
            LegacyExporter::Zipkin => Some(""),
            LegacyExporter::Xray
            | LegacyExporter::Prometheus
            | LegacyExporter::Stackdriver
            | LegacyExporter::Influxdb
            | LegacyExporter::Logger => None,
        }
    }

    /// The collector component that replaces it, for exporters whose data
    /// now goes through the collector.
    pub fn collector_component(self) -> Option<Component> {
        match self {
            LegacyExporter::Xray => Some(Component::AwsXray),
            LegacyExporter::Zipkin => Some(Component::Zipkin),
            LegacyExporter::Stackdriver => Some(Component::GoogleCloud),
            LegacyExporter::Influxdb => Some(Component::Influxdb),
            LegacyExporter::Jaeger
            | LegacyExporter::Prometheus
            | LegacyExporter::Datadog
            | LegacyExporter::Ocagent
            | LegacyExporter::Logger => None,
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

legacy_struct!(
    /// The exporters, one optional struct each (keys from
    /// [`LegacyExporter::key`]), and the `extra_config` slot the module
    /// never read.
    Exporters {
        influxdb: Box<Influxdb> = LegacyExporter::Influxdb.key(),
        zipkin: Box<Zipkin> = LegacyExporter::Zipkin.key(),
        jaeger: Box<Jaeger> = LegacyExporter::Jaeger.key(),
        prometheus: Box<Prometheus> = LegacyExporter::Prometheus.key(),
        logger: AnyObject = LegacyExporter::Logger.key(),
        xray: Box<Xray> = LegacyExporter::Xray.key(),
        stackdriver: Box<Stackdriver> = LegacyExporter::Stackdriver.key(),
        ocagent: Box<Ocagent> = LegacyExporter::Ocagent.key(),
        datadog: Box<Datadog> = LegacyExporter::Datadog.key(),
        extra_config: AnyObject = "extra_config",
    }
);

legacy_struct!(Influxdb {
    address: String = "address",
    username: String = "username",
    password: String = "password",
    timeout: String = "timeout",
    ping: bool = "ping",
    db: String = "db",
    service_name: String = "service_name",
    buffer_size: i64 = "buffer_size",
});

legacy_struct!(Zipkin {
    collector_url: String = "collector_url",
    service_name: String = "service_name",
    ip: String = "ip",
    port: i64 = "port",
});

legacy_struct!(Jaeger {
    agent_endpoint: String = "agent_endpoint",
    endpoint: String = "endpoint",
    service_name: String = "service_name",
    buffer_max_count: i64 = "buffer_max_count",
    process_tags: AnyObject = "process_tags",
});

legacy_struct!(Prometheus {
    namespace: String = "namespace",
    port: i64 = "port",
    tag_host: bool = "tag_host",
    tag_path: bool = "tag_path",
    tag_method: bool = "tag_method",
    tag_statuscode: bool = "tag_statuscode",
});

legacy_struct!(Xray {
    use_env: bool = "use_env",
    region: String = "region",
    access_key_id: String = "access_key_id",
    secret_access_key: String = "secret_access_key",
    version: String = "version",
});

legacy_struct!(Stackdriver {
    project_id: String = "project_id",
    metric_prefix: String = "metric_prefix",
    default_labels: StringMap = "default_labels",
});

legacy_struct!(Ocagent {
    address: String = "address",
    service_name: String = "service_name",
    headers: StringMap = "headers",
    insecure: bool = "insecure",
    reconnection: String = "reconnection",
    enable_compression: bool = "enable_compression",
});

legacy_struct!(Datadog {
    namespace: String = "namespace",
    service: String = "service",
    trace_address: String = "trace_address",
    stats_address: String = "stats_address",
    tags: StringList = "tags",
    global_tags: AnyObject = "global_tags",
    disable_count_per_buckets: bool = "disable_count_per_buckets",
});

impl Exporters {
    /// Where exporter `e` is written, if it is.
    pub fn span_of(&self, e: LegacyExporter) -> Option<&Span> {
        match e {
            LegacyExporter::Xray => self.xray.as_ref().map(|x| &x.span),
            LegacyExporter::Jaeger => self.jaeger.as_ref().map(|x| &x.span),
            LegacyExporter::Zipkin => self.zipkin.as_ref().map(|x| &x.span),
            LegacyExporter::Prometheus => self.prometheus.as_ref().map(|x| &x.span),
            LegacyExporter::Datadog => self.datadog.as_ref().map(|x| &x.span),
            LegacyExporter::Stackdriver => self.stackdriver.as_ref().map(|x| &x.span),
            LegacyExporter::Influxdb => self.influxdb.as_ref().map(|x| &x.span),
            LegacyExporter::Ocagent => self.ocagent.as_ref().map(|x| &x.span),
            LegacyExporter::Logger => self.logger.as_ref().map(|x| &x.span),
        }
    }

    /// The exporters written, in the order they are written.
    pub fn written(&self) -> Vec<LegacyExporter> {
        let mut out: Vec<(usize, LegacyExporter)> = LegacyExporter::ALL
            .iter()
            .filter_map(|&e| self.span_of(e).map(|s| (s.start, e)))
            .collect();
        out.sort_by_key(|(start, _)| *start);
        out.into_iter().map(|(_, e)| e).collect()
    }

    /// The field that named the service for exporter `e`, if it has one
    /// and it is written (OpenCensus set a service name per exporter).
    pub fn service_name(&self, e: LegacyExporter) -> Option<&Spanned<String>> {
        match e {
            LegacyExporter::Jaeger => self.jaeger.as_ref()?.value.service_name.as_ref(),
            LegacyExporter::Zipkin => self.zipkin.as_ref()?.value.service_name.as_ref(),
            LegacyExporter::Ocagent => self.ocagent.as_ref()?.value.service_name.as_ref(),
            LegacyExporter::Datadog => self.datadog.as_ref()?.value.service.as_ref(),
            LegacyExporter::Xray
            | LegacyExporter::Prometheus
            | LegacyExporter::Stackdriver
            | LegacyExporter::Influxdb
            | LegacyExporter::Logger => None,
        }
    }
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
