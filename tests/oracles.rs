//! Output checked against data nobody on this project wrote: KrakenD's
//! published JSON schemas, the collector's strict key lists, and the real
//! configurations of the public corpus (`../shared`). Without `../shared`
//! these tests print a notice and pass, unless OC2OTEL_REQUIRE_SHARED=1.

mod common;

use std::path::{Path, PathBuf};

use oc2otel::migrate::{Migration, Status, migrate};
use oc2otel::options::{CollectorFlavor, KrakendVersion, Options};
use oc2otel::schema::SchemaValidator;
use oc2otel::source::{self, Format};
use serde_json::Value;

const VERSIONS: &[&str] = &["2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13"];
const LEGACY_KEYS: [&str; 2] = [
    "telemetry/opencensus",
    "github_com/devopsfaith/krakend-opencensus",
];

/// The `telemetry/opentelemetry` block of a migrated config, wherever the
/// service `extra_config` is.
fn new_block(output: &str) -> Option<Value> {
    let root: Value = serde_json::from_str(output).ok()?;
    root.pointer("/extra_config/telemetry~1opentelemetry")
        .or_else(|| root.pointer("/telemetry~1opentelemetry"))
        .cloned()
}

fn rule_fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(common::manifest_dir().join("tests/fixtures/rules"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
    paths.sort();
    paths
}

/// Both collector flavours where a fixture allows it.
fn flavours() -> [Options; 2] {
    [
        Options::default(),
        Options {
            collector: CollectorFlavor::Contrib,
            ..Options::default()
        },
    ]
}

#[test]
fn every_new_block_validates_against_every_krakend_schema() {
    let Some(dir) = common::schema_dir() else {
        return;
    };
    let validators: Vec<(String, SchemaValidator)> = VERSIONS
        .iter()
        .map(|v| {
            (
                v.to_string(),
                SchemaValidator::load(&dir, v.parse().unwrap()).unwrap(),
            )
        })
        .collect();
    let mut checked = 0;
    for fixture in rule_fixtures() {
        let text = std::fs::read_to_string(&fixture).unwrap();
        for version in VERSIONS {
            for mut options in flavours() {
                options.krakend_version = version.parse().unwrap();
                let migration = migrate(&text, Format::Json, "krakend.json", &options, None);
                let Some(block) = migration.output.as_deref().and_then(new_block) else {
                    continue;
                };
                let (_, validator) = validators.iter().find(|(v, _)| v == version).unwrap();
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
    assert!(checked > 100, "only {checked} blocks were checked");
}

#[test]
fn the_schema_oracle_rejects_a_wrong_block() {
    let Some(dir) = common::schema_dir() else {
        return;
    };
    let validator = SchemaValidator::load(&dir, KrakendVersion::LATEST).unwrap();
    let wrong = serde_json::json!({"trace_sample_rate": 2, "exporters": {"otlp": [{"name": "x"}]}});
    let errors = validator.validate(&wrong);
    assert!(
        errors.iter().any(|(at, _)| at == "/trace_sample_rate"),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(at, _)| at == "/exporters/otlp/0"),
        "{errors:?}"
    );
}

#[test]
fn the_cli_validates_with_schema_dir() {
    let Some(dir) = common::schema_dir() else {
        return;
    };
    for version in ["2.13", "2.6", "2.10"] {
        let output = common::bin()
            .current_dir(common::manifest_dir())
            .args([
                "migrate",
                "--check",
                "--krakend-version",
                version,
                "--schema-dir",
            ])
            .arg(&dir)
            .arg("tests/fixtures/rules/all_exporters_contrib.json")
            .args(["--collector", "contrib"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn every_collector_config_passes_the_strict_key_oracle() {
    let mut checked = 0;
    for fixture in rule_fixtures() {
        let text = std::fs::read_to_string(&fixture).unwrap();
        for options in flavours() {
            let migration = migrate(&text, Format::Json, "krakend.json", &options, None);
            let Some(collector) = &migration.collector else {
                continue;
            };
            let yaml = collector.to_yaml();
            let flavour = options.collector.as_str();
            let mut problems = common::collector::problems(&yaml, flavour);
            problems.extend(common::collector::xray_problems(&yaml));
            assert!(
                problems.is_empty(),
                "{}: {problems:?}\n{yaml}",
                fixture.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 15,
        "only {checked} collector configs were checked"
    );
}

#[test]
fn the_collector_oracle_catches_mistakes() {
    let bad = "exporters:\n  awsxray:\n    access_key_id: AKIA\n    region: x\nreceivers:\n  otlp:\n    protocols:\n      grpc:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [batch]\n      exporters: [awsxray, zipkin]\n";
    let problems = common::collector::problems(bad, "adot");
    for expected in ["access_key_id", "explicit endpoint", "`batch`", "`zipkin`"] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected}: {problems:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// The corpus.

/// Byte ranges a migration may change: each legacy member (and an existing
/// `telemetry/opentelemetry` member) widened to the whitespace and the one
/// comma around it.
fn allowed_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    use jsonc_parser::ast::Value as Ast;
    use jsonc_parser::common::Ranged;
    let Ok(parsed) = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
    else {
        return Vec::new();
    };
    let mut ranges = Vec::new();
    let mut stack: Vec<&Ast> = parsed.value.iter().collect();
    while let Some(node) = stack.pop() {
        match node {
            Ast::Object(object) => {
                for prop in &object.properties {
                    let key = prop.name.as_str();
                    if LEGACY_KEYS.contains(&key) || key == "telemetry/opentelemetry" {
                        let range = prop.range();
                        let bytes = text.as_bytes();
                        let mut start = range.start;
                        while start > 0 && bytes[start - 1].is_ascii_whitespace() {
                            start -= 1;
                        }
                        if start > 0 && bytes[start - 1] == b',' {
                            start -= 1;
                        }
                        let mut end = range.end;
                        while end < bytes.len() && bytes[end].is_ascii_whitespace() {
                            end += 1;
                        }
                        if end < bytes.len() && bytes[end] == b',' {
                            end += 1;
                        }
                        ranges.push(start..end);
                    } else {
                        stack.push(&prop.value);
                    }
                }
            }
            Ast::Array(array) => stack.extend(array.elements.iter()),
            _ => {}
        }
    }
    ranges
}

/// Every line of `old` that the migration changed must touch an allowed
/// range: the rest of the file is byte for byte the same.
fn outside_edits_unchanged(old: &str, new: &str) -> Result<(), String> {
    let allowed = allowed_ranges(old);
    let diff = similar::TextDiff::from_lines(old, new);
    let mut line_starts = vec![0];
    line_starts.extend(old.match_indices('\n').map(|(i, _)| i + 1));
    for op in diff.ops() {
        let range = op.old_range();
        if op.tag() == similar::DiffTag::Equal || range.is_empty() {
            continue;
        }
        for line in range {
            let start = line_starts[line];
            let end = line_starts.get(line + 1).copied().unwrap_or(old.len());
            if !allowed.iter().any(|a| a.start < end && start < a.end) {
                return Err(format!(
                    "line {} changed outside the legacy blocks: {:?}",
                    line + 1,
                    &old[start..end]
                ));
            }
        }
    }
    Ok(())
}

fn corpus_files(shared: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".json") || name.ends_with(".json.sample")
        })
        .collect();
    files.sort();
    files
}

fn check_migration(
    name: &str,
    text: &str,
    migration: &Migration,
    validator: &SchemaValidator,
) -> Result<&'static str, String> {
    match migration.status {
        Status::Error => {
            if !migration
                .diagnostics
                .iter()
                .any(|d| d.severity == oc2otel::diagnostic::Severity::Error)
            {
                return Err("error status without an error diagnostic".into());
            }
            if migration
                .diagnostics
                .iter()
                .any(|d| d.code.as_str() == "OC901")
            {
                return Err(format!("internal error: {:?}", migration.diagnostics));
            }
            Ok("refused")
        }
        Status::Unchanged => {
            if let Ok(root) = serde_json::from_str::<Value>(text) {
                for key in LEGACY_KEYS {
                    let service = root.get("extra_config").and_then(|e| e.get(key)).is_some();
                    if service {
                        return Err(format!("unchanged although the service block {key} exists"));
                    }
                }
            }
            Ok("unchanged")
        }
        Status::Migrate => {
            let output = migration.output.as_deref().unwrap();
            let root: Value =
                serde_json::from_str(output).map_err(|e| format!("output does not parse: {e}"))?;
            for key in LEGACY_KEYS {
                let left = root.get("extra_config").and_then(|e| e.get(key)).is_some()
                    || root.get(key).is_some();
                if left {
                    return Err(format!("{key} is still in the service extra_config"));
                }
            }
            if let Some(block) = new_block(output) {
                let errors = validator.validate(&block);
                if !errors.is_empty() {
                    return Err(format!("schema: {errors:?}"));
                }
            }
            outside_edits_unchanged(text, output)?;
            if let Some(collector) = &migration.collector {
                let problems = common::collector::problems(&collector.to_yaml(), "adot");
                if !problems.is_empty() {
                    return Err(format!("collector: {problems:?}"));
                }
            }
            let again = migrate(output, Format::Json, name, &Options::default(), None);
            if again.status != Status::Unchanged {
                return Err("a second run is not a no-op".into());
            }
            Ok("migrated")
        }
    }
}

#[test]
fn every_corpus_config_is_migrated_or_refused() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let validator =
        SchemaValidator::load(&shared.join("krakend-schema"), KrakendVersion::LATEST).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    for path in corpus_files(&shared) {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(source) = source::decode(&bytes) else {
            *counts.entry("unreadable").or_insert(0) += 1;
            continue;
        };
        if !LEGACY_KEYS.iter().any(|k| source.text.contains(k)) {
            continue;
        }
        let migration = migrate(
            &source.text,
            Format::Json,
            &name,
            &Options::default(),
            Some(&validator),
        );
        match check_migration(&name, &source.text, &migration, &validator) {
            Ok(kind) => *counts.entry(kind).or_insert(0) += 1,
            Err(problem) => failures.push(format!("{name}: {problem}")),
        }
    }
    eprintln!("corpus: {counts:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        counts.get("migrated").copied().unwrap_or(0) >= 50,
        "{counts:?}"
    );
}

#[test]
fn the_binary_never_panics_on_the_corpus() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let files = corpus_files(&shared);
    for format in ["human", "json"] {
        let output = common::bin()
            .args(["migrate", "--color", "never", "--format", format])
            .args(&files)
            .output()
            .unwrap();
        let code = output.status.code();
        assert!(
            code == Some(0) || code == Some(2),
            "exit {code:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    }
}

#[test]
fn the_minimal_edit_check_can_fail() {
    let old = "{\n  \"a\": 1,\n  \"extra_config\": {\"telemetry/opencensus\": {}}\n}\n";
    let touched = "{\n  \"a\": 2,\n  \"extra_config\": {}\n}\n";
    assert!(outside_edits_unchanged(old, touched).is_err());
    let fine = "{\n  \"a\": 1,\n  \"extra_config\": {}\n}\n";
    assert!(outside_edits_unchanged(old, fine).is_ok());
}
