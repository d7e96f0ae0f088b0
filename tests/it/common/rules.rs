//! The rule fixtures (`tests/fixtures/rules/*.json`) and the schema oracle
//! over what oc2otel makes of them, shared by the tests that vary options.

use std::path::{Path, PathBuf};

use oc2otel::migration::migrate;
use oc2otel::migration::options::Options;
use oc2otel::migration::schema::SchemaValidator;
use oc2otel::syntax::source::Format;
use serde_json::Value;

/// Every KrakenD version with an OpenTelemetry module.
pub const KRAKEND_VERSIONS: &[&str] = &["2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13"];

/// The rule fixtures, sorted.
pub fn fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(super::manifest_dir().join("tests/fixtures/rules"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
    paths.sort();
    paths
}

/// The `telemetry/opentelemetry` block of a migrated config, wherever the
/// service `extra_config` is.
pub fn new_block(output: &str) -> Option<Value> {
    let root: Value = serde_json::from_str(output).ok()?;
    root.pointer("/extra_config/telemetry~1opentelemetry")
        .or_else(|| root.pointer("/telemetry~1opentelemetry"))
        .cloned()
}

/// Migrate every fixture with each of `options`, targeting every KrakenD
/// version, and assert that each new block validates against that
/// version's schema in `schema_dir`. Returns how many blocks were checked.
pub fn assert_new_blocks_validate(schema_dir: &Path, options: &[Options]) -> usize {
    let fixtures: Vec<(PathBuf, String)> = fixtures()
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    let mut checked = 0;
    for version in KRAKEND_VERSIONS {
        let validator = SchemaValidator::load(schema_dir, version.parse().unwrap()).unwrap();
        for (fixture, text) in &fixtures {
            for options in options {
                let mut options = options.clone();
                options.krakend_version = version.parse().unwrap();
                let migration = migrate(text, Format::Json, "krakend.json", &options, None);
                let Some(block) = migration.output.as_deref().and_then(new_block) else {
                    continue;
                };
                let errors = validator.validate(&block);
                assert!(
                    errors.is_empty(),
                    "{} for KrakenD {version}: {errors:?}\n{block:#}",
                    fixture.display()
                );
                checked += 1;
            }
        }
    }
    checked
}
