//! The migration never changes behaviour silently, over generated legacy
//! blocks: every exporter with ordinary and odd values (case, spaces,
//! placeholders, empty strings, default ports), every sampling, period and
//! layer edge, sometimes an existing `telemetry/opentelemetry` block, and
//! every collector flavour, collector endpoint and target version.
//!
//! The migration checks its own output against the legacy behaviour
//! (`oc2otel::migration::behaviour::check`): a difference no diagnostic explains is
//! an internal error (OC901). So the property is simply: no OC901, ever
//! (and no secret in the output).

use oc2otel::migration::migrate;
use oc2otel::migration::options::{
    CollectorFlavor, KrakendVersion, MetricsTarget, Options, OtlpEndpoint,
};
use oc2otel::model::diagnostic::Code;
use oc2otel::syntax::source::Format;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z]{3,8}",
        1 => Just("localhost".to_string()),
        1 => Just("Jaeger.Example.COM".to_string()),
        1 => Just("${AGENT_HOST}".to_string()),
        1 => Just("10.0.0.7".to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-z0-9-]{0,10}",
        1 => Just(String::new()),
        1 => Just("  spaced  ".to_string()),
        1 => Just("Mixed Case".to_string()),
    ]
}

fn maybe<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Option<T>> {
    prop::option::weighted(0.6, s)
}

fn exporter() -> impl Strategy<Value = (&'static str, Value)> {
    prop_oneof![
        (maybe(text()), maybe(any::<bool>()), maybe(text())).prop_map(|(region, env, version)| {
            let mut x = Map::new();
            if let Some(r) = region {
                x.insert("region".into(), json!(r));
            }
            if let Some(e) = env {
                x.insert("use_env".into(), json!(e));
            }
            if let Some(v) = version {
                x.insert("version".into(), json!(v));
            }
            ("xray", Value::Object(x))
        }),
        (
            host(),
            prop::sample::select(vec!["endpoint", "agent_endpoint"]),
            maybe(text())
        )
            .prop_map(|(h, key, name)| {
                let address = if key == "endpoint" {
                    format!("http://{h}:14268/api/traces")
                } else {
                    format!("{h}:6831")
                };
                let mut x = Map::new();
                x.insert(key.into(), json!(address));
                if let Some(n) = name {
                    x.insert("service_name".into(), json!(n));
                }
                ("jaeger", Value::Object(x))
            }),
        (host(), maybe(text())).prop_map(|(h, name)| {
            let mut x = Map::new();
            x.insert(
                "collector_url".into(),
                json!(format!("http://u:p@{h}:9411/api/v2/spans")),
            );
            if let Some(n) = name {
                x.insert("service_name".into(), json!(n));
            }
            ("zipkin", Value::Object(x))
        }),
        maybe(prop_oneof![Just(0i64), 1024i64..65000]).prop_map(|port| {
            let mut x = Map::new();
            if let Some(p) = port {
                x.insert("port".into(), json!(p));
            }
            ("prometheus", Value::Object(x))
        }),
        (maybe(host()), maybe(text())).prop_map(|(h, service)| {
            let mut x = Map::new();
            if let Some(h) = h {
                x.insert("trace_address".into(), json!(format!("{h}:8126")));
            }
            if let Some(s) = service {
                x.insert("service".into(), json!(s));
            }
            ("datadog", Value::Object(x))
        }),
        maybe(text()).prop_map(|project| {
            let mut x = Map::new();
            if let Some(p) = project {
                x.insert("project_id".into(), json!(p));
            }
            ("stackdriver", Value::Object(x))
        }),
        (
            host(),
            maybe(text()),
            maybe(prop::sample::select(vec!["5s", "oops"]))
        )
            .prop_map(|(h, db, timeout)| {
                let mut x = Map::new();
                x.insert("address".into(), json!(format!("http://{h}:8086")));
                if let Some(d) = db {
                    x.insert("db".into(), json!(d));
                }
                if let Some(t) = timeout {
                    x.insert("timeout".into(), json!(t));
                }
                x.insert("password".into(), json!("semantics-canary"));
                ("influxdb", Value::Object(x))
            }),
        (host(), maybe(text())).prop_map(|(h, name)| {
            let mut x = Map::new();
            x.insert("address".into(), json!(format!("{h}:55678")));
            if let Some(n) = name {
                x.insert("service_name".into(), json!(n));
            }
            ("ocagent", Value::Object(x))
        }),
        Just(("logger", json!({}))),
    ]
}

fn legacy_block() -> impl Strategy<Value = Value> {
    (
        maybe(prop_oneof![
            Just(0i64),
            Just(100),
            Just(-1),
            1i64..100,
            100i64..200
        ]),
        maybe(prop_oneof![Just(0i64), Just(-5), 1i64..120]),
        maybe((
            maybe(any::<bool>()),
            maybe(any::<bool>()),
            maybe(any::<bool>()),
        )),
        prop::collection::vec(exporter(), 0..5),
    )
        .prop_map(|(sample_rate, period, layers, exporters)| {
            crate::common::legacy::block(sample_rate, period, layers, exporters)
        })
}

/// An existing `telemetry/opentelemetry` block, sometimes.
fn existing_block() -> impl Strategy<Value = Option<Value>> {
    let otlp = (host(), prop_oneof![Just(0i64), Just(4317)], any::<bool>(), any::<bool>())
        .prop_map(|(h, port, dm, dt)| {
            json!({"host": h, "port": port, "disable_metrics": dm, "disable_traces": dt})
        });
    prop::option::weighted(
        0.3,
        (
            maybe(prop_oneof![Just(0.0f64), Just(0.25), Just(1.0)]),
            maybe(prop_oneof![Just(0i64), Just(10), Just(30)]),
            maybe(Just(
                json!({"proxy": {"disable_metrics": true, "disable_traces": true}}),
            )),
            prop::collection::vec(otlp, 0..3),
            maybe(text()),
        )
            .prop_map(|(rate, period, layers, otlp, name)| {
                let mut b = Map::new();
                if let Some(r) = rate {
                    b.insert("trace_sample_rate".into(), json!(r));
                }
                if let Some(p) = period {
                    b.insert("metric_reporting_period".into(), json!(p));
                }
                if let Some(l) = layers {
                    b.insert("layers".into(), l);
                }
                if let Some(n) = name {
                    b.insert("service_name".into(), json!(n));
                }
                let otlp: Vec<Value> = otlp
                    .into_iter()
                    .enumerate()
                    .map(|(i, mut e)| {
                        e["name"] = json!(format!("existing{i}"));
                        e
                    })
                    .collect();
                b.insert("exporters".into(), json!({"otlp": otlp}));
                Value::Object(b)
            }),
    )
}

fn options() -> impl Strategy<Value = Options> {
    (
        prop::sample::select(vec![CollectorFlavor::Adot, CollectorFlavor::Contrib]),
        prop::sample::select(vec![
            "localhost:4317",
            "adot:4317",
            "localhost:4319",
            "[::1]:4317",
        ]),
        prop::sample::select(vec!["2.6", "2.6.1", "2.10", "2.13"]),
        prop::sample::select(vec![MetricsTarget::Legacy, MetricsTarget::Emf]),
    )
        .prop_map(|(collector, endpoint, version, metrics)| Options {
            collector,
            otlp_endpoint: endpoint.parse::<OtlpEndpoint>().unwrap(),
            krakend_version: version.parse::<KrakendVersion>().unwrap().into(),
            metrics,
            ..Options::default()
        })
}

fn config() -> impl Strategy<Value = String> {
    (legacy_block(), existing_block(), maybe(text())).prop_map(|(legacy, existing, name)| {
        let mut extra = Map::new();
        extra.insert("telemetry/opencensus".into(), legacy);
        if let Some(e) = existing {
            extra.insert("telemetry/opentelemetry".into(), e);
        }
        let mut root = Map::new();
        root.insert("version".into(), json!(3));
        if let Some(n) = name {
            root.insert("name".into(), json!(n));
        }
        root.insert("extra_config".into(), Value::Object(extra));
        serde_json::to_string_pretty(&Value::Object(root)).unwrap()
    })
}

proptest! {
    // 600 cases unless PROPTEST_CASES asks for another number.
    #![proptest_config(ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            ProptestConfig::default().cases
        } else {
            600
        },
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_migration_changes_behaviour_silently(text in config(), options in options()) {
        let migration = migrate(&text, Format::Json, "krakend.json", &options, None);
        let internal: Vec<String> = migration
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::Internal)
            .map(|d| d.message.clone())
            .collect();
        prop_assert!(internal.is_empty(), "{internal:#?}\n{text}\n{options:?}");
        if let Some(output) = &migration.output {
            prop_assert!(!output.contains("semantics-canary"));
        }
    }
}

/// An existing block is read as KrakenD reads it: an upper-case
/// `TRACE_SAMPLE_RATE` is its sampler. The merge once read the key
/// case-sensitively, saw "every trace" and refused a config whose sampling
/// matched the legacy one. (Not a rule fixture: KrakenD's schema, which the
/// fixtures' new blocks must pass, has no upper-case keys.)
#[test]
fn an_existing_upper_case_sample_rate_merges() {
    let text = r#"{"version": 3, "extra_config": {
  "telemetry/opentelemetry": {"TRACE_SAMPLE_RATE": 0.5,
    "exporters": {"otlp": [{"name": "local", "host": "localhost", "port": 4317, "disable_metrics": true}]}},
  "telemetry/opencensus": {"sample_rate": 50,
    "exporters": {"jaeger": {"endpoint": "http://jaeger:14268/api/traces"}}}}}"#;
    let migration = migrate(
        text,
        Format::Json,
        "krakend.json",
        &Options::default(),
        None,
    );
    let errors: Vec<_> = migration
        .diagnostics
        .iter()
        .filter(|d| d.severity == oc2otel::model::diagnostic::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let output = migration.output.expect("migrated");
    assert!(output.contains("\"name\": \"jaeger\""), "{output}");
    assert!(output.contains("\"TRACE_SAMPLE_RATE\": 0.5"), "{output}");
}
