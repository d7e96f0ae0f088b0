//! The first byte picks a format (JSON, YAML, TOML, template); the rest
//! is decoded and migrated twice.
//!
//! Whatever the input, oc2otel must not panic; an error must come with an
//! error diagnostic; every diagnostic span must point inside the input;
//! a migrated JSON, YAML or TOML text must parse in its own format and
//! hold no legacy block; and migrating the output again must change
//! nothing (for every format, templates included).
//!
//! Every decoded input is also parsed as JSON by the fast parser and by
//! the reference path: the fast one either gives up or returns exactly the
//! reference's tree, and it gives up on everything the reference refuses.

#![no_main]

use libfuzzer_sys::fuzz_target;
use oc2otel::migration::options::Options;
use oc2otel::migration::{Status, migrate};
use oc2otel::model::diagnostic::Severity;
use oc2otel::syntax::source::{Format, decode};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (format, name) = match selector % 4 {
        0 => (Format::Json, "fuzz.json"),
        1 => (Format::Yaml, "fuzz.yaml"),
        2 => (Format::Toml, "fuzz.toml"),
        _ => (Format::Template, "fuzz.tmpl"),
    };
    let Ok(source) = decode(rest) else {
        return;
    };
    let text = source.text.as_str();
    json_parsers_agree(text);
    json_parsers_agree(rest_as_text(rest).unwrap_or(text));
    let options = Options::default();
    let first = migrate(text, format, name, &options, None);
    for d in &first.diagnostics {
        if let Some(span) = &d.span {
            assert!(span.start <= span.end && span.end <= text.len(), "{d:?}");
        }
    }
    match first.status {
        Status::Error => {
            assert!(first.output.is_none());
            assert!(
                first
                    .diagnostics
                    .iter()
                    .any(|d| d.severity == Severity::Error),
                "an error without an error diagnostic"
            );
        }
        Status::Unchanged => assert!(first.output.is_none()),
        Status::Migrate => {
            let output = first.output.as_deref().expect("a migration has an output");
            // A YAML file may have become JSON-compatible text or the
            // reverse only through a bug: each output is read in the
            // format the migration reports.
            if first.format != Format::Template {
                let parsed = oc2otel::syntax::parse(output, first.format)
                    .expect("the output parses in its own format");
                assert!(
                    !oc2otel::model::locate::locate(parsed.root()).is_pending(),
                    "a legacy block is left"
                );
            }
            let second = migrate(output, first.format, name, &options, None);
            assert_eq!(
                second.status,
                Status::Unchanged,
                "a second run is not a no-op: {:?}",
                second.diagnostics
            );
        }
    }
});

/// The input as it came, BOM included, when it is UTF-8.
fn rest_as_text(rest: &[u8]) -> Option<&str> {
    std::str::from_utf8(rest).ok()
}

fn json_parsers_agree(text: &str) {
    use oc2otel::syntax::json::{parse_fast, parse_reference};
    let reference = parse_reference(text);
    match (parse_fast(text), &reference) {
        (None, _) => {}
        (Some(tree), Ok(expected)) => assert_eq!(&tree, expected, "trees differ"),
        (Some(_), Err(err)) => {
            panic!("the fast parser accepts what the reference refuses: {err:?}")
        }
    }
    // A focused parse, which reads what it leaves unbuilt without building
    // it, accepts and refuses the same texts with the same errors.
    use oc2otel::syntax::focus::Focus;
    let late = text.len().saturating_sub(2);
    for focus in [
        Focus::default(),
        Focus::new(std::iter::once(late..late).collect()).with_wide_numbers(),
    ] {
        let focused = oc2otel::syntax::json::parse_focused(text, &focus);
        match (&focused, &reference) {
            (Ok(_), Ok(_)) => {}
            _ => assert_eq!(&focused, &reference, "a focused parse differs"),
        }
    }
}
