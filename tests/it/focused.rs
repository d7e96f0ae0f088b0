//! A JSON config is read with a focus: only what the migration reads is
//! built (`migration::pipeline::focus`), and the secret scan reads what
//! was left unbuilt again, a part at a time. A run must decide exactly
//! what a run that builds the whole config decides: the same status,
//! output, collector config, diagnostics and hidden bytes, in every mode
//! (`--check`, `--write -q`, `--write`, the preview), on every fixture and
//! every config of the shared corpus.

use std::path::PathBuf;

use oc2otel::migration::options::Options;
use oc2otel::migration::pipeline::{Read, migrate_reading};
use oc2otel::migration::{Migration, migrate};
use oc2otel::syntax::source::Format;

use crate::common::{files_below, manifest_dir, notice, shared_dir};

/// The bytes `spans` cover, as sorted disjoint ranges.
fn covered(spans: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let mut spans = spans.to_vec();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for span in spans.into_iter().filter(|s| !s.is_empty()) {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// What a run decides and hides.
fn decided(m: &Migration) -> impl PartialEq + std::fmt::Debug {
    let diagnostics: Vec<_> = m
        .diagnostics
        .iter()
        .map(|d| {
            let at = (d.pointer.clone(), d.span.clone(), d.fate.clone());
            (d.severity, d.code, d.message.clone(), at)
        })
        .collect();
    let collector = m.collector.as_ref().map(|c| c.to_yaml());
    let hidden = (covered(&m.input_secrets), covered(&m.output_secrets));
    (m.status, m.output.clone(), collector, diagnostics, hidden)
}

/// The options of each mode: `--check`, `--write -q`, `--write`, preview.
fn modes() -> [Options; 4] {
    let quiet = Options {
        find_secrets: false,
        show_output: false,
        ..Options::default()
    };
    [
        Options {
            verify_output: false,
            ..quiet.clone()
        },
        quiet.clone(),
        Options {
            find_secrets: true,
            ..quiet
        },
        Options::default(),
    ]
}

/// Each file migrated both ways in every mode; how many legacy configs
/// there were.
fn focused_runs_decide_as_whole_ones(files: &[PathBuf]) -> usize {
    let mut legacy = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        legacy += usize::from(text.contains("opencensus"));
        for options in modes() {
            let run = |read| migrate_reading(&text, Format::Json, "k.json", &options, None, read);
            let (focused, whole) = (run(Read::Focused), run(Read::Whole));
            assert_eq!(
                decided(&focused),
                decided(&whole),
                "{} ({options:?})",
                path.display()
            );
            // And what a run chooses (focused or whole by mode and size).
            let chosen = migrate(&text, Format::Json, "k.json", &options, None);
            assert_eq!(decided(&chosen), decided(&whole), "{}", path.display());
        }
    }
    legacy
}

#[test]
fn a_focused_read_decides_what_a_whole_one_does_on_every_fixture() {
    let files = files_below(&manifest_dir().join("tests/fixtures"), &["json"]);
    let legacy = focused_runs_decide_as_whole_ones(&files);
    assert!(legacy > 60, "the fixtures hold legacy configs ({legacy})");
}

/// `count` endpoints holding secrets in every way the redaction knows:
/// header values, a name/value pair, URL user info, a client secret, a
/// secret key over an array of objects.
fn secret_endpoints(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                r#"{{"endpoint": "/e{i}", "backend": [{{"host": ["https://user:pw{i}@api.example.com"], "url_pattern": "/a",
                "extra_config": {{"modifier/martian": {{"fifo.Group": {{"modifiers": [
                {{"header.Modifier": {{"scope": ["request"], "name": "Authorization", "value": "Bearer s{i}"}}}}]}}}},
                "plugin/http-client": {{"headers": {{"X-Api-Key": "k{i}", "X-List": ["a", {{"b": "c"}}]}}}},
                "auth/client-credentials": {{"client_id": "id", "client_secret": "cs{i}", "token_url": "https://t"}},
                "passwords": [{{"x": "p{i}"}}]}}}}]}}"#
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What only the parts a focus leaves out may hold: a number KrakenD
/// refuses deep in an endpoint, a legacy block in an endpoint, a config
/// embedded in a string, a settings file that is the service
/// `extra_config` itself with an existing block to merge into, secrets
/// of every kind in few and in many endpoints.
#[test]
fn a_focused_read_decides_what_a_whole_one_does_where_the_focus_is_narrow() {
    let legacy = r#""telemetry/opencensus": {"sample_rate": 50, "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}"#;
    let texts = [
        format!(
            r#"{{"version": 3, "endpoints": [{{"endpoint": "/a", "backend": [{{"extra_config": {{"x": {{"limit": 1e400}}}}}}]}}], "extra_config": {{{legacy}}}}}"#
        ),
        format!(
            r#"{{"version": 3, "endpoints": [{{"endpoint": "/a", "extra_config": {{{legacy}}}}}, {{"endpoint": "/b"}}]}}"#
        ),
        format!(
            r#"{{"version": 3, "endpoints": [{{"endpoint": "/a", "backend": [{{"host": ["{{\"extra_config\": {{\"telemetry/opencensus\": {{}}}}}}"]}}]}}], "extra_config": {{{legacy}}}}}"#
        ),
        format!(
            r#"{{"telemetry/opentelemetry": {{"exporters": {{"otlp": [{{"name": "a", "host": "c"}}]}}}}, {legacy}}}"#
        ),
        format!(
            r#"{{"version": 3, "endpoints": [{}], "extra_config": {{{legacy}}}}}"#,
            secret_endpoints(3)
        ),
        // Endpoints beyond what the secret scan reads again whole, in a
        // config large enough that a run finding secrets reads it focused.
        format!(
            r#"{{"version": 3, "endpoints": [{}], "extra_config": {{{legacy}}}}}"#,
            secret_endpoints(600)
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.path().join(format!("{i}.json"));
            assert!(oc2otel::syntax::json::parse(text).is_ok(), "{text}");
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    assert_eq!(focused_runs_decide_as_whole_ones(&files), texts.len());
}

#[test]
fn a_focused_read_decides_what_a_whole_one_does_on_the_corpus() {
    let Some(shared) = shared_dir() else {
        notice("focused: the shared corpus is absent; its comparison is skipped");
        return;
    };
    let files = files_below(&shared.join("corpus"), &["json"]);
    let legacy = focused_runs_decide_as_whole_ones(&files);
    assert!(legacy > 5, "the corpus holds legacy configs ({legacy})");
}
