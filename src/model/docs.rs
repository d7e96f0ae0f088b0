//! Where to read more about a diagnostic: the pages, and the refinement of
//! a code's page (its row in the code table, `diagnostic.rs`) by the legacy
//! exporter the diagnostic is about.
//!
//! Pages are KrakenD's own where it documents the new setup, and the
//! collector's (ADOT, otelcol-contrib exporters) where KrakenD's page only
//! describes the legacy exporter.

use crate::model::diagnostic::Code;
use crate::model::legacy::LegacyExporter;

pub const OPENTELEMETRY: &str = "https://www.krakend.io/docs/telemetry/opentelemetry/";
pub const OPENCENSUS: &str = "https://www.krakend.io/docs/telemetry/opencensus/";
pub const LAYERS: &str = "https://www.krakend.io/docs/telemetry/opentelemetry-layers-metrics/";
pub const CONFIG_STRUCTURE: &str = "https://www.krakend.io/docs/configuration/structure/";
pub const MIGRATING_V1: &str = "https://www.krakend.io/docs/configuration/migrating/";
pub const FLEXIBLE_CONFIG: &str = "https://www.krakend.io/docs/configuration/flexible-config/";
pub const ADOT_XRAY: &str = "https://aws-otel.github.io/docs/getting-started/x-ray";
pub const ADOT_COLLECTOR: &str = "https://aws-otel.github.io/docs/getting-started/collector";
pub const ADOT_CLOUDWATCH: &str =
    "https://aws-otel.github.io/docs/getting-started/cloudwatch-metrics";
pub const JAEGER: &str = "https://www.krakend.io/docs/telemetry/jaeger/";
pub const PROMETHEUS: &str = "https://www.krakend.io/docs/telemetry/prometheus/";
pub const DATADOG: &str = "https://www.krakend.io/docs/telemetry/datadog/";
pub const INFLUXDB: &str = "https://www.krakend.io/docs/telemetry/influxdb/";
pub const ZIPKIN_EXPORTER: &str = "https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/zipkinexporter";
pub const GOOGLECLOUD_EXPORTER: &str = "https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/googlecloudexporter";

/// The legacy exporter a pointer is inside of (`.../exporters/xray/...`).
fn exporter_in(pointer: &str) -> Option<&str> {
    let mut tokens = pointer.split('/');
    tokens.find(|t| *t == "exporters")?;
    tokens.next()
}

/// The page for a diagnostic at `pointer`: codes that are about a field in
/// general (a secret, an unknown key, a wrong value, an exporter needing
/// otelcol-contrib) point at the page of the exporter the field is in.
pub fn url(code: Code, pointer: &str) -> &'static str {
    let refined = matches!(
        code,
        Code::InvalidValue
            | Code::OutOfRange
            | Code::DuplicateKey
            | Code::CaseInsensitiveKey
            | Code::UnknownKey
            | Code::Secret
            | Code::Placeholder
            | Code::NeedsContrib
            | Code::EndpointConflict
    );
    if refined && let Some(e) = exporter_in(pointer).and_then(LegacyExporter::from_key) {
        return e.page();
    }
    code.docs_url()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_https_page() {
        for code in Code::ALL {
            assert!(code.docs_url().starts_with("https://"), "{}", code.as_str());
        }
    }

    #[test]
    fn field_level_codes_follow_the_exporter() {
        let p = "/extra_config/telemetry~1opencensus/exporters/xray/secret_access_key";
        assert_eq!(url(Code::Secret, p), ADOT_XRAY);
        let p = "/extra_config/telemetry~1opencensus/exporters/zipkin";
        assert_eq!(url(Code::NeedsContrib, p), ZIPKIN_EXPORTER);
        assert_eq!(url(Code::Secret, "/x"), OPENTELEMETRY);
        assert_eq!(url(Code::SamplingRatio, p), OPENTELEMETRY);
    }
}
