//! One snapshot per rule fixture (`tests/fixtures/rules/*.json`): the diff
//! of the config, the collector config and every diagnostic, as oc2otel's
//! library produces them. A sidecar `<name>.options` file sets options
//! (`collector=contrib`, `krakend_version=2.10`, `otlp_endpoint=host:port`,
//! `metrics=emf`, `jaeger_collector=host:port`).
//!
//! Each snapshot is also checked for the properties every migration must
//! have: no secret canary in any output, every legacy field of a migrated
//! block accounted for, and a second run that changes nothing.

use std::fmt::Write;
use std::path::Path;

use oc2otel::migration::options::Options;
use oc2otel::migration::{Status, migrate};
use oc2otel::model::redact::Redacted;
use oc2otel::syntax::diff;
use oc2otel::syntax::source::Format;

fn options_for(fixture: &Path) -> Options {
    let mut options = Options::default();
    let Ok(text) = std::fs::read_to_string(fixture.with_extension("options")) else {
        return options;
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line.split_once('=').expect("key=value");
        match key.trim() {
            "collector" => options.collector = value.trim().parse().unwrap(),
            "krakend_version" => options.krakend_version = value.trim().parse().unwrap(),
            "otlp_endpoint" => options.otlp_endpoint = value.trim().parse().unwrap(),
            "metrics" => options.metrics = value.trim().parse().unwrap(),
            "jaeger_collector" => options.jaeger_collector = Some(value.trim().parse().unwrap()),
            "merge_settings" => options.merge_settings = value.trim().parse().unwrap(),
            other => panic!("unknown option {other}"),
        }
    }
    options
}

/// The readable account of one migration that the snapshots hold.
pub fn describe(text: &str, options: &Options, name: &str) -> String {
    let migration = migrate(text, Format::Json, name, options, None);
    let mut out = String::new();
    let status = match migration.status {
        Status::Migrate => "migrate",
        Status::Unchanged => "unchanged",
        Status::Error => "error",
    };
    let _ = writeln!(out, "status: {status}");
    if let Some(output) = &migration.output {
        let old = Redacted::new(text, &migration.input_secrets);
        let new = Redacted::new(
            output,
            &oc2otel::model::redact::spans_in(output, Format::Json),
        );
        let _ = writeln!(out, "--- config diff ---");
        out.push_str(&diff::unified(
            name,
            name,
            Some(&old.text),
            &new.text,
            false,
        ));
    }
    let _ = writeln!(out, "--- collector config ---");
    match &migration.collector {
        Some(collector) => out.push_str(&collector.to_yaml()),
        None => out.push_str("(none)\n"),
    }
    let _ = writeln!(out, "--- diagnostics ---");
    for d in &migration.diagnostics {
        let at = match (d.line, d.column) {
            (Some(l), Some(c)) => format!("{l}:{c}"),
            _ => "-".into(),
        };
        let _ = writeln!(
            out,
            "{} {} {at} {}\n    {}",
            d.severity.as_str(),
            d.code.as_str(),
            if d.pointer.is_empty() {
                "\"\""
            } else {
                &d.pointer
            },
            d.message
        );
        if let Some(help) = &d.help {
            let _ = writeln!(out, "    help: {help}");
        }
        if let Some(fate) = &d.fate {
            let _ = writeln!(
                out,
                "    fate: {}{}",
                fate.action.as_str(),
                fate.target
                    .as_ref()
                    .map(|t| format!(" -> {t}"))
                    .unwrap_or_default()
            );
        }
    }
    out
}

#[test]
fn rules() {
    crate::common::snapshot_settings().bind(|| {
        insta::glob!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rules"),
            "*.json",
            |path| {
                let text = std::fs::read_to_string(path).unwrap();
                let options = options_for(path);
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let description = describe(&text, &options, &name);
                assert!(
                    !description.to_lowercase().contains("canary"),
                    "a secret canary leaked into the report of {name}"
                );
                assert!(
                    !description.contains("OC901"),
                    "internal error in {name}:\n{description}"
                );
                // A second run over the result changes nothing.
                let first = migrate(&text, Format::Json, &name, &options, None);
                if let Some(output) = &first.output {
                    let second = migrate(output, Format::Json, &name, &options, None);
                    assert_eq!(second.status, Status::Unchanged, "second run of {name}");
                    assert!(
                        !output.to_lowercase().contains("canary"),
                        "secret copied in {name}"
                    );
                }
                if let Some(collector) = &first.collector {
                    assert!(!collector.to_yaml().to_lowercase().contains("canary"));
                }
                insta::assert_snapshot!(description);
            }
        );
    });
}

/// A rule fixture written another way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// A Flexible Configuration template: the fixture with an action
    /// appended to its root object.
    Template,
    Yaml,
    Toml,
}

/// Fixtures that cannot be written in a variant, and why. Every other
/// fixture runs in every variant.
const NOT_EXPRESSIBLE: &[(&str, Variant, &str)] = &[
    (
        "misplaced.json",
        Variant::Template,
        "a template does not say where a literal block lands, so every literal block is migrated",
    ),
    (
        "existing_otel_conflict.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "existing_otel_empty_array.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "existing_otel_merge.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "existing_otel_partial.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "existing_otel_port_zero.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "existing_otel_prometheus_off.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "existing_otel_conflict_existing.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "existing_otel_conflict_legacy.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "existing_otel_playground.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "emf_existing_otel.json",
        Variant::Template,
        "a template's own telemetry/opentelemetry is never merged into (OC010 refuses)",
    ),
    (
        "krakend_3.json",
        Variant::Template,
        "a template is scanned for the legacy keys only: its literal telemetry/influx gets no OC030",
    ),
    (
        "duplicate_keys.json",
        Variant::Yaml,
        "YAML forbids duplicate keys",
    ),
    (
        "duplicate_keys.json",
        Variant::Toml,
        "TOML forbids duplicate keys",
    ),
    ("null_exporters.json", Variant::Toml, "TOML has no null"),
];

/// The fixture as a template: a member whose value an action writes is
/// appended to the root object, so the file is a real template.
fn as_template(json: &str) -> String {
    let end = json.rfind('}').expect("a root object");
    let body = json[..end].trim_end();
    format!("{body},\n  \"port\": {{{{ .service.port }}}}\n}}\n")
}

/// A JSON value as TOML: objects are tables (arrays of objects, arrays of
/// tables), everything else inline.
fn toml_item(value: &serde_json::Value) -> toml_edit::Item {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut table = toml_edit::Table::new();
            for (k, v) in map {
                table.insert(k, toml_item(v));
            }
            toml_edit::Item::Table(table)
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            let mut tables = toml_edit::ArrayOfTables::new();
            for item in items {
                if let toml_edit::Item::Table(t) = toml_item(item) {
                    tables.push(t);
                }
            }
            toml_edit::Item::ArrayOfTables(tables)
        }
        other => toml_edit::Item::Value(toml_value(other)),
    }
}

fn toml_value(value: &serde_json::Value) -> toml_edit::Value {
    use serde_json::Value;
    match value {
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or_default().into(),
        },
        Value::String(s) => s.as_str().into(),
        Value::Array(items) => toml_edit::Value::Array(items.iter().map(toml_value).collect()),
        Value::Object(map) => {
            let mut table = toml_edit::InlineTable::new();
            for (k, v) in map {
                table.insert(k, toml_value(v));
            }
            toml_edit::Value::InlineTable(table)
        }
        Value::Null => panic!("TOML has no null (list the fixture in NOT_EXPRESSIBLE)"),
    }
}

/// The fixture written as `variant`, and the format to read it as.
fn written(json: &str, variant: Variant) -> (String, Format) {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    match variant {
        Variant::Template => (as_template(json), Format::Template),
        Variant::Yaml => (yaml_serde::to_string(&value).unwrap(), Format::Yaml),
        Variant::Toml => {
            let toml_edit::Item::Table(root) = toml_item(&value) else {
                panic!("a root object")
            };
            (toml_edit::DocumentMut::from(root).to_string(), Format::Toml)
        }
    }
}

/// A pointer with the place of the legacy block removed: a template's
/// pointers start at the block's key, which is all it knows.
fn from_block(pointer: &str) -> &str {
    [
        "/telemetry~1opencensus",
        "/github_com~1devopsfaith~1krakend-opencensus",
    ]
    .iter()
    .filter_map(|key| pointer.find(key))
    .min()
    .map_or(pointer, |at| &pointer[at..])
}

/// `value` with the members of every object sorted: the order a format
/// appends in does not change what KrakenD reads.
fn sorted(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// What must be the same in every variant: the status, each diagnostic's
/// code, severity and pointer, the new blocks and the collector config.
fn outcome(text: &str, format: Format, options: &Options) -> String {
    let migration = migrate(text, format, "krakend", options, None);
    let mut diagnostics: Vec<String> = migration
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d.severity.as_str(),
                d.code.as_str(),
                from_block(&d.pointer)
            )
        })
        .collect();
    diagnostics.sort();
    let blocks: Vec<serde_json::Value> = match (&migration.output, format) {
        (None, _) => Vec::new(),
        (Some(output), Format::Template) => {
            let actions = oc2otel::syntax::template::actions(output);
            oc2otel::syntax::template::scan_key(output, &actions, "telemetry/opentelemetry")
                .map(|n| n.to_json())
                .collect()
        }
        (Some(output), _) => {
            let root = oc2otel::syntax::parse_tree(output, format)
                .unwrap()
                .to_json();
            let extra = root.get("extra_config").unwrap_or(&root);
            extra
                .get("telemetry/opentelemetry")
                .cloned()
                .into_iter()
                .collect()
        }
    };
    format!(
        "{:?}\n{}\n{}\n{}",
        migration.status,
        diagnostics.join("\n"),
        serde_json::to_string_pretty(&sorted(&serde_json::Value::Array(blocks))).unwrap(),
        migration
            .collector
            .as_ref()
            .map_or_else(String::new, |c| c.to_yaml())
    )
}

#[test]
fn every_rule_fixture_migrates_alike_as_a_template_and_in_yaml_and_toml() {
    for (name, _, _) in NOT_EXPRESSIBLE {
        assert!(
            crate::common::rules::fixtures()
                .iter()
                .any(|p| p.file_name().unwrap() == *name),
            "{name} is listed but does not exist"
        );
    }
    let mut compared = 0;
    let mut differences = Vec::new();
    for path in crate::common::rules::fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let json = std::fs::read_to_string(&path).unwrap();
        let options = options_for(&path);
        let expected = outcome(&json, Format::Json, &options);
        for variant in [Variant::Template, Variant::Yaml, Variant::Toml] {
            if NOT_EXPRESSIBLE
                .iter()
                .any(|(n, v, _)| *n == name && *v == variant)
            {
                continue;
            }
            let (text, format) = written(&json, variant);
            let got = outcome(&text, format, &options);
            if got != expected {
                let diff = similar::TextDiff::from_lines(&expected, &got)
                    .unified_diff()
                    .to_string();
                differences.push(format!(
                    "{name} as {variant:?} differs from the JSON fixture:\n{text}\n{diff}"
                ));
            }
            compared += 1;
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
    assert!(compared >= 120, "{compared} variants compared");
}
