//! A run that does not look for a config's secrets (`--check`, `--write
//! -q`) reads a JSON config with a focus: only what the migration reads is
//! built (`migration::pipeline::focus`). It must decide exactly what a run
//! that builds the whole config decides (one that finds the secrets, and so
//! parses whole): the same status, output, collector config and
//! diagnostics, on every fixture and every config of the shared corpus.

use std::path::{Path, PathBuf};

use oc2otel::migration::options::Options;
use oc2otel::migration::{Migration, migrate};
use oc2otel::syntax::source::Format;

use crate::common::{manifest_dir, notice, shared_dir};

/// Every `.json` file under `dir`, sorted.
fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
}

/// What a run decides, without the messages' wording and pointers (a run
/// that finds the secrets scrubs them from both).
fn decided(m: &Migration) -> impl PartialEq + std::fmt::Debug {
    let diagnostics: Vec<_> = m
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.code, d.span.clone(), d.fate.clone()))
        .collect();
    let collector = m.collector.as_ref().map(|c| c.to_yaml());
    (m.status, m.output.clone(), collector, diagnostics)
}

/// Each file migrated both ways, for `--write -q` and for `--check`; how
/// many legacy configs there were.
fn focused_runs_decide_as_whole_ones(files: &[PathBuf]) -> usize {
    let mut legacy = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        legacy += usize::from(text.contains("opencensus"));
        for verify_output in [true, false] {
            let focused = Options {
                find_secrets: false,
                show_output: false,
                verify_output,
                ..Options::default()
            };
            let whole = Options {
                find_secrets: true,
                ..focused.clone()
            };
            let run =
                |options: &Options| migrate(&text, Format::Json, "krakend.json", options, None);
            let (a, b) = (run(&focused), run(&whole));
            assert_eq!(
                decided(&a),
                decided(&b),
                "{} (verify_output {verify_output})",
                path.display()
            );
            if b.input_secrets.is_empty() {
                let messages = |m: &Migration| -> Vec<(String, String)> {
                    m.diagnostics
                        .iter()
                        .map(|d| (d.pointer.clone(), d.message.clone()))
                        .collect()
                };
                assert_eq!(messages(&a), messages(&b), "{}", path.display());
            }
        }
    }
    legacy
}

#[test]
fn a_focused_read_decides_what_a_whole_one_does_on_every_fixture() {
    let mut files = Vec::new();
    json_files(&manifest_dir().join("tests/fixtures"), &mut files);
    let legacy = focused_runs_decide_as_whole_ones(&files);
    assert!(legacy > 60, "the fixtures hold legacy configs ({legacy})");
}

/// What only the parts a focus leaves out may hold: a number KrakenD
/// refuses deep in an endpoint, a legacy block in an endpoint, a config
/// embedded in a string, a settings file that is the service
/// `extra_config` itself with an existing block to merge into.
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
            r#"{{"version": 3, "endpoints": [{{"endpoint": "/a", "backend": [{{"host": ["{{"extra_config": {{"telemetry/opencensus": {{}}}}}}"]}}]}}], "extra_config": {{{legacy}}}}}"#
        ),
        format!(
            r#"{{"telemetry/opentelemetry": {{"exporters": {{"otlp": [{{"name": "a", "host": "c"}}]}}}}, {legacy}}}"#
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.path().join(format!("{i}.json"));
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
    let mut files = Vec::new();
    json_files(&shared.join("corpus"), &mut files);
    let legacy = focused_runs_decide_as_whole_ones(&files);
    assert!(legacy > 5, "the corpus holds legacy configs ({legacy})");
}
