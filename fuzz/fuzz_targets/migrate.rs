//! Bytes -> decode -> migrate -> re-parse -> migrate again.
//!
//! Whatever the input, oc2otel must not panic; an error must be an error
//! diagnostic; a migration's output must be JSON that KrakenD's parser
//! accepts (unless the text was a template), hold no legacy block, and
//! migrate to nothing the second time;
//! every diagnostic span must point inside the input, and map onto the
//! redacted copy that reports are cut from; and the focused read of the
//! config must decide and hide what the whole read does.

#![no_main]

use libfuzzer_sys::fuzz_target;
use oc2otel::migration::options::Options;
use oc2otel::migration::{Status, migrate};
use oc2otel::model::diagnostic::Severity;
use oc2otel::model::redact::Redacted;
use oc2otel::syntax::source::{Format, decode};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = decode(data) else {
        return;
    };
    let text = source.text.as_str();
    let options = Options::default();
    let first = migrate(text, Format::Json, "fuzz.json", &options, None);

    let read = |read| {
        use oc2otel::migration::pipeline::migrate_reading;
        migrate_reading(text, Format::Json, "fuzz.json", &options, None, read)
    };
    use oc2otel::migration::pipeline::Read;
    let (whole, focused) = (read(Read::Whole), read(Read::Focused));
    let decided = |m: &oc2otel::migration::Migration| {
        let diagnostics: Vec<_> = m
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.code, d.span.clone(), d.message.clone()))
            .collect();
        let mut secrets = m.input_secrets.clone();
        secrets.sort_by_key(|s| (s.start, s.end));
        secrets.dedup();
        (m.status, m.output.clone(), diagnostics, secrets)
    };
    assert_eq!(
        decided(&whole),
        decided(&focused),
        "a focused read decides otherwise"
    );
    assert_eq!(
        decided(&whole),
        decided(&first),
        "the chosen read decides otherwise"
    );

    let redacted = Redacted::new(text, &first.input_secrets);
    for d in &first.diagnostics {
        if let Some(span) = &d.span {
            assert!(span.start <= span.end && span.end <= text.len(), "{d:?}");
            let mapped = redacted.map_span(span);
            assert!(mapped.end <= redacted.text.len(), "{d:?}");
            assert!(d.line.is_some() && d.column.is_some(), "unlocated: {d:?}");
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
            // A `.json` file with `{{ ... }}` actions is a Flexible
            // Configuration template: migrated as one, and not JSON.
            if first.format == Format::Json {
                serde_json::from_str::<serde_json::Value>(output).expect("the output is JSON");
                let root = oc2otel::syntax::parse_tree(output, Format::Json)
                    .expect("the output parses strictly");
                assert!(
                    !oc2otel::model::locate::locate(&root).is_pending(),
                    "a legacy block is left"
                );
            }
            let second = migrate(output, first.format, "fuzz.json", &options, None);
            assert_eq!(
                second.status,
                Status::Unchanged,
                "a second run is not a no-op: {:?}",
                second.diagnostics
            );
            if let Some(collector) = &first.collector {
                let yaml = collector.to_yaml();
                assert!(!yaml.is_empty());
            }
        }
    }
});
