//! Flexible Configuration templates go through the same pipeline as every
//! other format: the same document checks, the same conversion rules and
//! the same behaviour self-check. Each test here was a difference between
//! a template and its JSON twin once.

use oc2otel::migration::options::Options;
use oc2otel::migration::{Migration, Status, migrate};
use oc2otel::model::diagnostic::{Code, Severity};
use oc2otel::syntax::source::Format;

/// `json` as a template: an `include` action next to the service
/// `extra_config`, so that it is a real template.
fn as_template(json: &str) -> String {
    json.replacen(
        "\"extra_config\": {",
        "{{ include \"endpoints.tmpl\" }},\n  \"extra_config\": {",
        1,
    )
}

fn both(json: &str) -> (Migration, Migration) {
    let options = Options::default();
    let plain = migrate(json, Format::Json, "krakend.json", &options, None);
    let template = as_template(json);
    assert!(template.contains("{{ include"), "{template}");
    let templated = migrate(&template, Format::Template, "krakend.tmpl", &options, None);
    (plain, templated)
}

fn codes(m: &Migration) -> Vec<(Code, Severity)> {
    m.diagnostics.iter().map(|d| (d.code, d.severity)).collect()
}

#[test]
fn a_krakend_1_template_is_refused_like_its_json_twin() {
    let json = r#"{
  "version": 2,
  "extra_config": {
    "github_com/devopsfaith/krakend-opencensus": {"sample_rate": 100, "exporters": {"prometheus": {"port": 9091}}}
  }
}"#;
    let (plain, templated) = both(json);
    assert_eq!(plain.status, Status::Error);
    assert_eq!(
        templated.status,
        Status::Error,
        "{:#?}",
        templated.diagnostics
    );
    assert_eq!(codes(&plain), [(Code::KrakendV1, Severity::Error)]);
    assert_eq!(codes(&templated), codes(&plain));
    assert_eq!(templated.diagnostics[0].pointer, "/version");
}

#[test]
fn a_password_in_a_template_is_said_to_be_rotated() {
    let json = r#"{
  "version": 3,
  "extra_config": {
    "telemetry/opencensus": {"sample_rate": 100, "exporters": {
      "xray": {"region": "eu-west-1", "access_key_id": "AKIA-CANARY", "secret_access_key": "S-CANARY",
        "password": "P-CANARY"}
    }}
  }
}"#;
    let (plain, templated) = both(json);
    let rotate = |m: &Migration| -> Vec<String> {
        m.diagnostics
            .iter()
            .filter(|d| d.code == Code::Secret)
            .map(|d| d.pointer.rsplit('/').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        rotate(&plain),
        ["access_key_id", "secret_access_key", "password"]
    );
    assert_eq!(rotate(&templated), rotate(&plain));
    let output = templated.output.expect("migrated");
    assert!(!output.to_lowercase().contains("canary"), "{output}");
}

#[test]
fn the_v1_key_in_a_template_is_said_to_be_renamed() {
    let json = r#"{
  "version": 3,
  "extra_config": {
    "github_com/devopsfaith/krakend-opencensus": {"sample_rate": 100, "exporters": {"prometheus": {"port": 9091}}}
  }
}"#;
    let (plain, templated) = both(json);
    assert_eq!(
        templated.status,
        Status::Migrate,
        "{:#?}",
        templated.diagnostics
    );
    assert!(codes(&plain).contains(&(Code::V1Namespace, Severity::Info)));
    assert_eq!(codes(&templated), codes(&plain));
}

#[test]
fn both_keys_side_by_side_in_a_template_keep_the_v2_one() {
    let json = r#"{
  "version": 3,
  "extra_config": {
    "telemetry/opencensus": {"sample_rate": 100, "exporters": {"prometheus": {"port": 9091}}},
    "github_com/devopsfaith/krakend-opencensus": {"exporters": {"prometheus": {"port": 9092}}}
  }
}"#;
    let (plain, templated) = both(json);
    assert!(codes(&plain).contains(&(Code::BothNamespaces, Severity::Warning)));
    assert_eq!(codes(&templated), codes(&plain));
    let output = templated.output.expect("migrated");
    assert_eq!(
        output.matches("telemetry/opentelemetry").count(),
        1,
        "{output}"
    );
    assert!(
        output.contains("9091") && !output.contains("9092"),
        "{output}"
    );
}

#[test]
fn an_old_schema_in_a_template_is_said_like_in_json() {
    let json = r#"{
  "$schema": "https://www.krakend.io/schema/v2.4/krakend.json",
  "version": 3,
  "extra_config": {
    "telemetry/opencensus": {"sample_rate": 20, "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}
  }
}"#;
    let (plain, templated) = both(json);
    assert!(codes(&plain).contains(&(Code::OldSchema, Severity::Warning)));
    assert_eq!(templated.status, Status::Migrate);
    assert_eq!(codes(&templated), codes(&plain));
}

#[test]
fn influx_in_a_template_is_said_to_be_removed_in_3_0_like_in_json() {
    let json = r#"{
  "version": 3,
  "extra_config": {
    "telemetry/influx": {"address": "http://influxdb:8086", "ttl": "25s", "buffer_size": 0},
    "telemetry/opencensus": {"sample_rate": 100, "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}
  }
}"#;
    let (plain, templated) = both(json);
    let influx = |m: &Migration| {
        m.diagnostics
            .iter()
            .filter(|d| d.code == Code::InfluxRemoved)
            .map(|d| (d.severity, d.line))
            .collect::<Vec<_>>()
    };
    assert_eq!(influx(&plain), [(Severity::Warning, Some(4))]);
    // The template has one more line (its include) before the block.
    assert_eq!(influx(&templated), [(Severity::Warning, Some(5))]);
    assert_eq!(templated.status, plain.status);
}
