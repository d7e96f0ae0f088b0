//! Typed legacy settings: the `telemetry/opencensus` block as KrakenD's
//! OpenCensus module reads it.
//!
//! The structs mirror the Go structs of krakend-opencensus field for field
//! (same keys, same Go types), so that decoding accepts and refuses exactly
//! what KrakenD accepted and refused. Conversion to OpenTelemetry lives in
//! `convert`; this module only reads.

pub mod decode;
mod exporters;

pub use exporters::{
    Datadog, Exporters, Influxdb, Jaeger, LegacyExporter, Ocagent, Prometheus, Stackdriver, Xray,
    Zipkin,
};

use decode::{Decode, Decoder, legacy_struct};

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
    /// The only setting an endpoint or backend block can hold.
    PathAggregation {
        path_aggregation: String = "path_aggregation",
    }
);

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
