//! Writing a `telemetry/opentelemetry` block: exactly the fields that are
//! set, in a fixed order (comment keys first, then the service, the
//! period, the sampler, the layers, the exporters), so that a block reads
//! the same every time it is written.
//!
//! Which fields a migration sets is its decision (`render`); a number that
//! is whole is written as an integer (`1`, not `1.0`), which KrakenD reads
//! the same.

use serde_json::{Map, Number, Value, json};

use super::{BackendSignal, Block, Global, Layers, Otlp, Prometheus, Proxy};

/// Sets `key` when `value` is set.
fn put<T: Into<Value>>(map: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(value) = value {
        map.insert(key.to_string(), value.into());
    }
}

fn float(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        Number::from_f64(value).map_or(Value::Null, Value::Number)
    }
}

/// The whole block.
pub fn block(block: &Block) -> Value {
    let mut map = Map::new();
    for (key, value) in &block.extra {
        map.insert(key.clone(), value.clone());
    }
    put(&mut map, "service_name", block.service_name.clone());
    put(&mut map, "service_version", block.service_version.clone());
    put(&mut map, "deploy_env", block.deploy_env.clone());
    put(&mut map, "skip_paths", block.skip_paths.clone());
    put(
        &mut map,
        "metric_reporting_period",
        block.metric_reporting_period,
    );
    put(
        &mut map,
        "trace_sample_rate",
        block.trace_sample_rate.map(float),
    );
    put(&mut map, "layers", block.layers.as_ref().map(layers));
    if let Some(exporters) = &block.exporters {
        let mut lists = Map::new();
        let otlp = exporters.otlp.as_ref();
        put(
            &mut lists,
            "otlp",
            otlp.map(|l| l.iter().map(self::otlp).collect::<Vec<_>>()),
        );
        let prometheus = exporters.prometheus.as_ref();
        put(
            &mut lists,
            "prometheus",
            prometheus.map(|l| l.iter().map(self::prometheus).collect::<Vec<_>>()),
        );
        map.insert("exporters".into(), Value::Object(lists));
    }
    Value::Object(map)
}

/// One OTLP entry.
pub fn otlp(e: &Otlp) -> Value {
    let mut map = Map::new();
    put(&mut map, "name", e.name.clone());
    put(&mut map, "host", e.host.clone());
    put(&mut map, "port", e.port);
    put(&mut map, "use_http", e.use_http);
    put(&mut map, "disable_metrics", e.disable_metrics);
    put(&mut map, "disable_traces", e.disable_traces);
    put(
        &mut map,
        "custom_metric_reporting_period",
        e.custom_metric_reporting_period,
    );
    Value::Object(map)
}

/// One Prometheus entry.
pub fn prometheus(e: &Prometheus) -> Value {
    let mut map = Map::new();
    put(&mut map, "name", e.name.clone());
    put(&mut map, "host", e.host.clone());
    put(&mut map, "port", e.port);
    put(&mut map, "process_metrics", e.process_metrics);
    put(&mut map, "go_metrics", e.go_metrics);
    put(&mut map, "disable_metrics", e.disable_metrics);
    Value::Object(map)
}

fn layers(layers: &Layers) -> Value {
    let mut map = Map::new();
    put(&mut map, "global", layers.global.as_ref().map(global));
    put(&mut map, "proxy", layers.proxy.as_ref().map(proxy));
    if let Some(backend) = &layers.backend {
        let mut signals = Map::new();
        put(
            &mut signals,
            "metrics",
            backend.metrics.as_ref().map(backend_signal),
        );
        put(
            &mut signals,
            "traces",
            backend.traces.as_ref().map(backend_signal),
        );
        map.insert("backend".into(), Value::Object(signals));
    }
    Value::Object(map)
}

fn global(g: &Global) -> Value {
    let mut map = Map::new();
    put(&mut map, "disable_metrics", g.disable_metrics);
    put(&mut map, "disable_traces", g.disable_traces);
    put(&mut map, "disable_propagation", g.disable_propagation);
    put(&mut map, "report_headers", g.report_headers);
    put(
        &mut map,
        "semantic_convention",
        g.semantic_convention.clone(),
    );
    Value::Object(map)
}

fn proxy(p: &Proxy) -> Value {
    let mut map = Map::new();
    put(&mut map, "disable_metrics", p.disable_metrics);
    put(&mut map, "disable_traces", p.disable_traces);
    put(&mut map, "report_headers", p.report_headers);
    Value::Object(map)
}

fn backend_signal(s: &BackendSignal) -> Value {
    let mut map = Map::new();
    put(&mut map, "disable_stage", s.disable_stage);
    put(&mut map, "round_trip", s.round_trip);
    put(&mut map, "read_payload", s.read_payload);
    put(&mut map, "detailed_connection", s.detailed_connection);
    put(&mut map, "report_headers", s.report_headers);
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::otel::{Backend, Exporters, decode};
    use crate::syntax::json;

    #[test]
    fn writes_only_what_is_set_and_reads_back() {
        let b = Block {
            extra: vec![("@comment".into(), json!("kept"))],
            trace_sample_rate: Some(1.0),
            metric_reporting_period: Some(10),
            layers: Some(Layers {
                backend: Some(Backend {
                    metrics: Some(BackendSignal::OFF),
                    traces: None,
                }),
                ..Layers::default()
            }),
            exporters: Some(Exporters {
                otlp: Some(vec![Otlp {
                    name: Some("adot".into()),
                    port: Some(4317),
                    disable_metrics: Some(true),
                    ..Otlp::default()
                }]),
                prometheus: None,
            }),
            ..Block::default()
        };
        let value = block(&b);
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"@comment":"kept","metric_reporting_period":10,"trace_sample_rate":1,"layers":{"backend":{"metrics":{"disable_stage":true,"round_trip":false,"read_payload":false,"detailed_connection":false}}},"exporters":{"otlp":[{"name":"adot","port":4317,"disable_metrics":true}]}}"#
        );
        let node = json::parse(&value.to_string()).unwrap();
        let mut back = decode(&node, "").unwrap().block;
        back.exporters.as_mut().unwrap().otlp.as_mut().unwrap()[0].span = 0..0;
        assert_eq!(back, b);
    }
}
