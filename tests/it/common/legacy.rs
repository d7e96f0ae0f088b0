//! Legacy OpenCensus blocks built from generated parts, for the property
//! tests: a key is written only when its part is `Some`.

use serde_json::{Map, Value, json};

/// `enabled_layers` parts: router, pipe, backend.
pub type Layers = (Option<bool>, Option<bool>, Option<bool>);

/// The `telemetry/opencensus` object for these parts.
pub fn block(
    sample_rate: Option<i64>,
    reporting_period: Option<i64>,
    layers: Option<Layers>,
    exporters: Vec<(&str, Value)>,
) -> Value {
    let mut block = Map::new();
    if let Some(s) = sample_rate {
        block.insert("sample_rate".into(), json!(s));
    }
    if let Some(p) = reporting_period {
        block.insert("reporting_period".into(), json!(p));
    }
    if let Some((router, pipe, backend)) = layers {
        let mut l = Map::new();
        for (k, v) in [("router", router), ("pipe", pipe), ("backend", backend)] {
            if let Some(v) = v {
                l.insert(k.into(), json!(v));
            }
        }
        block.insert("enabled_layers".into(), Value::Object(l));
    }
    let exporters: Map<String, Value> = exporters
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    block.insert("exporters".into(), Value::Object(exporters));
    Value::Object(block)
}
