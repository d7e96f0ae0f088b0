//! `--metrics emf` over every rule fixture, for both collector flavours:
//! the collector config passes the strict key oracle and the awsemf
//! promises (namespace, log group, no rollups, a batch before it, metrics
//! pipelines only), the KrakenD exporter to the collector carries metrics
//! with the legacy period, the new block validates against every KrakenD
//! schema, and a second run changes nothing. The snapshots of
//! `tests/fixtures/rules/emf_*.json` (in `tests/rules.rs`) show the whole
//! output for the interesting cases.

use oc2otel::migration::options::{CollectorFlavor, MetricsTarget, Options};
use oc2otel::migration::{Status, migrate};
use oc2otel::syntax::source::Format;
use serde_json::Value;

fn emf(collector: CollectorFlavor) -> Options {
    Options {
        collector,
        metrics: MetricsTarget::Emf,
        ..Options::default()
    }
}

#[test]
fn every_fixture_routes_metrics_to_cloudwatch_with_valid_configs() {
    let mut checked = 0;
    for fixture in crate::common::rules::fixtures() {
        let text = std::fs::read_to_string(&fixture).unwrap();
        for flavor in [CollectorFlavor::Adot, CollectorFlavor::Contrib] {
            let options = emf(flavor);
            let name = fixture.display();
            let migration = migrate(&text, Format::Json, "krakend.json", &options, None);
            assert!(
                !migration
                    .diagnostics
                    .iter()
                    .any(|d| d.code.as_str() == "OC901"),
                "{name}: {:?}",
                migration.diagnostics
            );
            if migration.status != Status::Migrate {
                continue;
            }
            let Some(collector) = &migration.collector else {
                // Only a block that exported nothing gets no collector.
                assert!(
                    migration.intent.is_none(),
                    "{name}: --metrics emf without a collector"
                );
                continue;
            };
            let yaml = collector.to_yaml();
            let mut problems = crate::common::collector::problems(&yaml, flavor.as_str());
            problems.extend(crate::common::collector::emf_problems(&yaml));
            problems.extend(crate::common::collector::xray_problems(&yaml));
            assert!(problems.is_empty(), "{name}: {problems:?}\n{yaml}");

            let codes: Vec<&str> = migration
                .diagnostics
                .iter()
                .map(|d| d.code.as_str())
                .collect();
            assert!(
                codes.contains(&"OC501") && codes.contains(&"OC502"),
                "{name}: {codes:?}"
            );

            let output = migration.output.as_deref().unwrap();
            let block = crate::common::rules::new_block(output).unwrap();
            let exporter = block["exporters"]["otlp"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["name"] == flavor.exporter_name());
            // Absent only when an existing block already had an exporter to
            // the collector (a merge, reported with OC010).
            if let Some(exporter) = exporter {
                assert!(
                    exporter.get("disable_metrics").is_none(),
                    "{name}: {exporter}"
                );
                assert!(
                    block["metric_reporting_period"].is_number()
                        || block["exporters"]["otlp"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|e| e["custom_metric_reporting_period"].is_number())
                        || codes.contains(&"OC010"),
                    "{name}: no metric period in {block:#}"
                );
            } else {
                assert!(codes.contains(&"OC010"), "{name}: no collector exporter");
            }

            let again = migrate(output, Format::Json, "krakend.json", &options, None);
            assert_eq!(again.status, Status::Unchanged, "{name}: second run");
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} migrations were checked");
}

#[test]
fn every_new_block_with_emf_validates_against_every_krakend_schema() {
    let Some(dir) = crate::common::schema_dir() else {
        return;
    };
    let checked = crate::common::rules::assert_new_blocks_validate(
        &dir,
        &[emf(CollectorFlavor::Adot), emf(CollectorFlavor::Contrib)],
    );
    assert!(checked > 300, "only {checked} blocks were checked");
}

#[test]
fn the_cloudwatch_batch_follows_who_shares_the_pipeline() {
    // awsemf alone: a minute, as in ADOT's canonical configs.
    let xray = crate::common::fixture("rules/emf_xray.json");
    let m = migrate(
        &xray,
        Format::Json,
        "k.json",
        &emf(CollectorFlavor::Adot),
        None,
    );
    let config: Value = yaml_serde::from_str(&m.collector.unwrap().to_yaml()).unwrap();
    assert_eq!(config["processors"]["batch/metrics"]["timeout"], "60s");
    // With InfluxDB in the same pipeline, the legacy 5 s cadence wins.
    let influx = crate::common::fixture("rules/emf_contrib_influxdb.json");
    let m = migrate(
        &influx,
        Format::Json,
        "k.json",
        &emf(CollectorFlavor::Contrib),
        None,
    );
    let config: Value = yaml_serde::from_str(&m.collector.unwrap().to_yaml()).unwrap();
    assert_eq!(config["processors"]["batch/metrics"]["timeout"], "5s");
    assert_eq!(
        config["service"]["pipelines"]["metrics"]["exporters"],
        serde_json::json!(["influxdb", "awsemf"])
    );
}

#[test]
fn without_the_option_nothing_goes_to_cloudwatch() {
    for fixture in crate::common::rules::fixtures() {
        let text = std::fs::read_to_string(&fixture).unwrap();
        let m = migrate(&text, Format::Json, "k.json", &Options::default(), None);
        if let Some(collector) = &m.collector {
            assert!(
                !collector.to_yaml().contains("awsemf"),
                "{}",
                fixture.display()
            );
        }
        assert!(
            !m.diagnostics
                .iter()
                .any(|d| d.code.as_str().starts_with("OC50")),
            "{}",
            fixture.display()
        );
    }
}

#[test]
fn the_emf_oracle_catches_mistakes() {
    let bad = "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  awsemf:\n    namespace: Other\n    dimension_rollup_option: None\n    metric_declarations:\n      - dimensions: [[a]]\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [awsemf]\n";
    let mut problems = crate::common::collector::problems(bad, "adot");
    problems.extend(crate::common::collector::emf_problems(bad));
    for expected in [
        "telemetry type is not supported",
        "dimension_rollup_option",
        "metric_name_selectors",
        "awsemf.namespace",
        "awsemf in the traces pipeline",
        "does not batch",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected}: {problems:?}"
        );
    }
}
