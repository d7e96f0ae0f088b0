//! Output checked against data nobody on this project wrote: KrakenD's
//! published JSON schemas, the collector's strict key lists, and the real
//! configurations of the public corpus (`../shared`). Without `../shared`
//! these tests print a notice and pass, unless OC2OTEL_REQUIRE_SHARED=1.

use std::path::{Path, PathBuf};

use oc2otel::migration::options::{CollectorFlavor, KrakendVersion, Options};
use oc2otel::migration::schema::SchemaValidator;
use oc2otel::migration::{Migration, Status, migrate};
use oc2otel::syntax::source::{self, Format};
use serde_json::Value;

const LEGACY_KEYS: [&str; 2] = [
    "telemetry/opencensus",
    "github_com/devopsfaith/krakend-opencensus",
];

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
    let Some(dir) = crate::common::schema_dir() else {
        return;
    };
    let checked = crate::common::rules::assert_new_blocks_validate(&dir, &flavours());
    assert!(checked > 100, "only {checked} blocks were checked");
}

#[test]
fn the_schema_oracle_rejects_a_wrong_block() {
    let Some(dir) = crate::common::schema_dir() else {
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
    let Some(dir) = crate::common::schema_dir() else {
        return;
    };
    for version in ["2.13", "2.6", "2.10"] {
        let output = crate::common::bin()
            .current_dir(crate::common::manifest_dir())
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
    for fixture in crate::common::rules::fixtures() {
        let text = std::fs::read_to_string(&fixture).unwrap();
        for options in flavours() {
            let migration = migrate(&text, Format::Json, "krakend.json", &options, None);
            let Some(collector) = &migration.collector else {
                continue;
            };
            let yaml = collector.to_yaml();
            // `auto` is resolved per file: the flavour written is the
            // migration's.
            let flavour = migration.options.collector.as_str();
            let mut problems = crate::common::collector::problems(&yaml, flavour);
            problems.extend(crate::common::collector::xray_problems(&yaml));
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
    let problems = crate::common::collector::problems(bad, "adot");
    for expected in ["access_key_id", "explicit endpoint", "`batch`", "`zipkin`"] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected}: {problems:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// The corpus.

/// Widen `range` over the whitespace and one comma around it.
fn widen(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
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
    start..end
}

/// Byte ranges a migration may change in JSON: each legacy member (and an
/// existing `telemetry/opentelemetry` member), widened.
fn allowed_json(text: &str) -> Vec<std::ops::Range<usize>> {
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
                        let r = prop.range();
                        ranges.push(widen(text, r.start..r.end));
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

/// Byte ranges a migration may change in a template: each literal legacy
/// member, found by brace matching (independently of oc2otel's scanner).
fn allowed_template(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    for key in LEGACY_KEYS.iter().chain(["telemetry/opentelemetry"].iter()) {
        for (start, _) in text.match_indices(&format!("\"{key}\"")) {
            let Some(open) = text[start..].find('{').map(|i| start + i) else {
                continue;
            };
            let mut depth = 0;
            let mut end = text.len();
            let mut in_string = false;
            let mut escaped = false;
            for (i, c) in text[open..].char_indices() {
                if in_string {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match c {
                    '"' => in_string = true,
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            ranges.push(widen(text, start..end));
        }
    }
    ranges
}

/// Byte ranges a migration may change in YAML: a legacy key's line and the
/// lines indented below it; plus the parent key's line, which may become
/// `key: {}`.
fn allowed_yaml(text: &str) -> Vec<std::ops::Range<usize>> {
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .collect();
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let mut ranges = Vec::new();
    for (i, (start, line)) in lines.iter().enumerate() {
        let key = line.trim_start().trim_start_matches("- ");
        let is_block = LEGACY_KEYS
            .iter()
            .chain(["telemetry/opentelemetry"].iter())
            .any(|k| key.starts_with(&format!("{k}:")) || key.starts_with(&format!("\"{k}\":")));
        if !is_block {
            continue;
        }
        let own = indent(line);
        let mut end = start + line.len();
        for (s, l) in &lines[i + 1..] {
            let blank = l.trim().is_empty() || l.trim_start().starts_with('#');
            if !blank && indent(l) <= own {
                break;
            }
            end = s + l.len();
        }
        let from = if i > 0 { lines[i - 1].0 } else { *start };
        ranges.push(from..end);
    }
    ranges
}

/// Every line of `old` that the migration changed must touch an allowed
/// range: the rest of the file is byte for byte the same.
fn outside_edits_unchanged(
    old: &str,
    new: &str,
    allowed: &[std::ops::Range<usize>],
) -> Result<(), String> {
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
            name != "MANIFEST.tsv" && name != "README.md"
        })
        .collect();
    files.sort();
    files
}

/// The new `telemetry/opentelemetry` blocks of a migrated output, read
/// with parsers independent of oc2otel where there is one.
fn new_blocks(output: &str, format: Format) -> Result<Vec<Value>, String> {
    let root: Value = match format {
        Format::Json => {
            serde_json::from_str(output).map_err(|e| format!("output does not parse: {e}"))?
        }
        Format::Yaml => {
            yaml_serde::from_str(output).map_err(|e| format!("output does not parse: {e}"))?
        }
        Format::Template => {
            let actions = oc2otel::syntax::template::actions(output);
            let found = oc2otel::syntax::template::scan(output, &LEGACY_KEYS).found;
            if found
                .iter()
                .any(|f| matches!(f, oc2otel::syntax::template::Found::Literal { .. }))
            {
                return Err("a literal legacy block is left".into());
            }
            return Ok(oc2otel::syntax::template::scan_key(
                output,
                &actions,
                "telemetry/opentelemetry",
            )
            .map(|n| n.to_json())
            .collect());
        }
        Format::Toml => return Err("no TOML in the corpus".into()),
    };
    let service = root.get("extra_config").unwrap_or(&root);
    for key in LEGACY_KEYS {
        if service.get(key).is_some() {
            return Err(format!("{key} is still in the service extra_config"));
        }
    }
    Ok(service
        .get("telemetry/opentelemetry")
        .cloned()
        .into_iter()
        .collect())
}

fn check_migration(
    name: &str,
    format: Format,
    text: &str,
    migration: &Migration,
    validator: &SchemaValidator,
    options: &Options,
) -> Result<&'static str, String> {
    if migration
        .diagnostics
        .iter()
        .any(|d| d.code.as_str() == "OC901")
    {
        return Err(format!("internal error: {:?}", migration.diagnostics));
    }
    match migration.status {
        Status::Error => {
            if !migration
                .diagnostics
                .iter()
                .any(|d| d.severity == oc2otel::model::diagnostic::Severity::Error)
            {
                return Err("error status without an error diagnostic".into());
            }
            Ok("refused")
        }
        Status::Unchanged => {
            // Left as it is: then a manual step (or a warning) says why.
            let said = migration
                .diagnostics
                .iter()
                .any(|d| d.severity >= oc2otel::model::diagnostic::Severity::Warning);
            if !said {
                return Err(format!(
                    "unchanged without a word: {:?}",
                    migration.diagnostics
                ));
            }
            Ok("manual")
        }
        Status::Migrate => {
            let output = migration.output.as_deref().unwrap();
            for block in new_blocks(output, migration.format)? {
                let errors = validator.validate(&block);
                if !errors.is_empty() {
                    return Err(format!("schema: {errors:?}"));
                }
            }
            let allowed = match migration.format {
                Format::Json => allowed_json(text),
                Format::Yaml => allowed_yaml(text),
                _ => {
                    let mut a = allowed_template(text);
                    a.extend(allowed_yaml(text));
                    a
                }
            };
            outside_edits_unchanged(text, output, &allowed)?;
            if let Some(collector) = &migration.collector {
                let problems = crate::common::collector::problems(
                    &collector.to_yaml(),
                    migration.options.collector.as_str(),
                );
                if !problems.is_empty() {
                    return Err(format!("collector: {problems:?}"));
                }
            }
            let again = migrate(output, format, name, options, None);
            if again.status != Status::Unchanged {
                return Err(format!(
                    "a second run is not a no-op: {:?}",
                    again.diagnostics
                ));
            }
            Ok("migrated")
        }
    }
}

#[test]
fn every_corpus_config_is_migrated_or_refused() {
    let Some(shared) = crate::common::shared_dir() else {
        return;
    };
    let validator =
        SchemaValidator::load(&shared.join("krakend-schema"), KrakendVersion::LATEST).unwrap();
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    for options in flavours() {
        for path in corpus_files(&shared) {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Ok(source) = source::decode(&bytes) else {
                *counts.entry("unreadable".into()).or_insert(0) += 1;
                continue;
            };
            if !LEGACY_KEYS.iter().any(|k| source.text.contains(k)) {
                continue;
            }
            let format = Format::from_path(&path);
            let migration = migrate(&source.text, format, &name, &options, Some(&validator));
            // The flavour asked for (`auto` resolves per file).
            let kind = format!(
                "{} {}",
                options.collector.as_str(),
                migration.format.as_str()
            );
            match check_migration(
                &name,
                format,
                &source.text,
                &migration,
                &validator,
                &options,
            ) {
                Ok(result) => *counts.entry(format!("{kind} {result}")).or_insert(0) += 1,
                Err(problem) => failures.push(format!("{name} ({kind}): {problem}")),
            }
        }
    }
    eprintln!("corpus: {counts:#?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let migrated: usize = counts
        .iter()
        .filter(|(k, _)| k.ends_with("migrated"))
        .map(|(_, n)| n)
        .sum();
    assert!(migrated >= 120, "{counts:?}");
    for kind in [
        "contrib template migrated",
        "auto json migrated",
        "auto yaml manual",
        "auto yaml refused",
    ] {
        assert!(
            counts.contains_key(kind),
            "nothing counted as {kind}: {counts:?}"
        );
    }
}

#[test]
fn the_binary_never_panics_on_the_corpus() {
    let Some(shared) = crate::common::shared_dir() else {
        return;
    };
    let files = corpus_files(&shared);
    for format in ["human", "json"] {
        let output = crate::common::bin()
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
    assert!(outside_edits_unchanged(old, touched, &allowed_json(old)).is_err());
    let fine = "{\n  \"a\": 1,\n  \"extra_config\": {}\n}\n";
    assert!(outside_edits_unchanged(old, fine, &allowed_json(old)).is_ok());
    let yaml = "a: 1\nextra_config:\n  telemetry/opencensus:\n    x: 1\nb: 2\n";
    let touched = "a: 1\nextra_config: {}\nb: 3\n";
    assert!(outside_edits_unchanged(yaml, touched, &allowed_yaml(yaml)).is_err());
    let fine = "a: 1\nextra_config: {}\nb: 2\n";
    assert!(outside_edits_unchanged(yaml, fine, &allowed_yaml(yaml)).is_ok());
}

/// KrakenD's own playground config (a corpus copy, read in place): its
/// OpenCensus Jaeger exporter (pipe layer off) sits next to an
/// OpenTelemetry block that already sends to Jaeger, and Prometheus: the
/// merge adds no second route to Jaeger and refuses nothing.
#[test]
fn the_playground_config_merges_without_a_second_route() {
    let Some(shared) = crate::common::shared_dir() else {
        return;
    };
    let path = shared
        .join("corpus")
        .join("krakend_playground-community__config__krakend__krakend@eacfc431.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let migration = migrate(
        &text,
        Format::Json,
        "krakend.json",
        &Options::default(),
        None,
    );
    assert_eq!(
        migration.status,
        oc2otel::migration::Status::Migrate,
        "{:#?}",
        migration.diagnostics
    );
    let output: serde_json::Value =
        serde_json::from_str(migration.output.as_deref().unwrap()).unwrap();
    let otlp = output
        .pointer("/extra_config/telemetry~1opentelemetry/exporters/otlp")
        .and_then(serde_json::Value::as_array)
        .unwrap();
    let to_jaeger = otlp.iter().filter(|e| e["host"] == "jaeger").count();
    assert_eq!(to_jaeger, 1, "{otlp:#?}");
    assert!(
        migration
            .diagnostics
            .iter()
            .any(|d| d.code.as_str() == "OC010" && d.message.contains("not added twice"))
    );
}
