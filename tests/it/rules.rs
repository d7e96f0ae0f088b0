//! One snapshot per rule fixture (`tests/fixtures/rules/*.json`): the diff
//! of the config, the collector config and every diagnostic, as oc2otel's
//! library produces them. A sidecar `<name>.options` file sets options
//! (`collector=contrib`, `krakend_version=2.10`, `otlp_endpoint=host:port`,
//! `metrics=emf`).
//!
//! Each snapshot is also checked for the properties every migration must
//! have: no secret canary in any output, every legacy field of a migrated
//! block accounted for, and a second run that changes nothing.

use std::fmt::Write;
use std::path::Path;

use oc2otel::migration::options::{CollectorFlavor, Options};
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
            "collector" => {
                options.collector = match value.trim() {
                    "contrib" => CollectorFlavor::Contrib,
                    _ => CollectorFlavor::Adot,
                }
            }
            "krakend_version" => options.krakend_version = value.trim().parse().unwrap(),
            "otlp_endpoint" => options.otlp_endpoint = value.trim().parse().unwrap(),
            "metrics" => options.metrics = value.trim().parse().unwrap(),
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
