//! Typed legacy settings: the `telemetry/opencensus` block as KrakenD's
//! OpenCensus module reads it.
//!
//! The structs mirror the Go structs of krakend-opencensus field for field
//! (same keys, same Go types), so that decoding accepts and refuses exactly
//! what KrakenD accepted and refused. Conversion to OpenTelemetry lives in
//! `convert`; this module only reads.

pub mod decode;
mod exporter;

pub use exporter::LegacyExporter;

use decode::{AnyObject, Decode, Decoder, Spanned, StringList, StringMap, legacy_struct};

use crate::model::diagnostic::Diagnostic;
use crate::syntax::tree::{Node, Span};

legacy_struct!(
    /// The service-level block.
    Settings {
        sample_rate: i64 = "sample_rate",
        reporting_period: i64 = "reporting_period",
        enabled_layers: EnabledLayers = "enabled_layers",
        exporters: Exporters = "exporters",
    }
);

legacy_struct!(
    /// Which instrumentation layers run. When the object is present, a
    /// layer not written is off (Go's zero value).
    EnabledLayers {
        router: bool = "router",
        pipe: bool = "pipe",
        backend: bool = "backend",
    }
);

legacy_struct!(
    /// The exporters, one optional struct each (keys from
    /// [`LegacyExporter::key`]), and the `extra_config` slot the module
    /// never read.
    Exporters {
        influxdb: Influxdb = LegacyExporter::Influxdb.key(),
        zipkin: Zipkin = LegacyExporter::Zipkin.key(),
        jaeger: Jaeger = LegacyExporter::Jaeger.key(),
        prometheus: Prometheus = LegacyExporter::Prometheus.key(),
        logger: AnyObject = LegacyExporter::Logger.key(),
        xray: Xray = LegacyExporter::Xray.key(),
        stackdriver: Stackdriver = LegacyExporter::Stackdriver.key(),
        ocagent: Ocagent = LegacyExporter::Ocagent.key(),
        datadog: Datadog = LegacyExporter::Datadog.key(),
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

legacy_struct!(
    /// The only setting an endpoint or backend block can hold.
    PathAggregation {
        path_aggregation: String = "path_aggregation",
    }
);

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

/// A decoded block, with every leaf field it contained (for the check that
/// the conversion accounts for each of them).
#[derive(Debug)]
pub struct Decoded<T> {
    pub settings: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
    pub fields: Vec<(String, Span)>,
}

/// Decode a block value found at `pointer`.
pub fn decode<T: Decode>(node: &Node, pointer: &str, name: &str) -> Decoded<T> {
    let mut decoder = Decoder::default();
    let settings = T::decode(node, pointer, name, &mut decoder);
    let settings = if decoder.failed { None } else { settings };
    Decoded {
        settings,
        diagnostics: decoder.diagnostics,
        fields: decoder.fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    #[test]
    fn reads_the_documented_xray_example() {
        let text = r#"{
          "sample_rate": 100, "reporting_period": 0,
          "exporters": {"xray": {"version": "latest", "region": "eu-west-1",
            "use_env": false, "access_key_id": "A", "secret_access_key": "S"}}}"#;
        let node = json::parse(text).unwrap();
        let decoded = decode::<Settings>(&node, "/b", "telemetry/opencensus");
        let settings = decoded.settings.unwrap();
        assert_eq!(settings.sample_rate.unwrap().value, 100);
        let xray = settings.exporters.unwrap().value.xray.unwrap().value;
        assert_eq!(xray.region.unwrap().value, "eu-west-1");
        assert_eq!(xray.version.unwrap().pointer, "/b/exporters/xray/version");
        assert_eq!(decoded.fields.len(), 7);
    }

    #[test]
    fn null_exporters_is_an_error() {
        let node = json::parse(r#"{"exporters": null}"#).unwrap();
        let decoded = decode::<Settings>(&node, "", "telemetry/opencensus");
        assert!(decoded.settings.is_none());
        assert!(decoded.diagnostics[0].message.contains("found null"));
    }
}
