//! The preview's diff is made a window at a time (`syntax::diff`): each
//! place where the texts differ is diffed on its own. It must stay a patch
//! that turns the old text into the new one, whatever the texts, and on
//! real migrations it must be the diff of the whole texts, hunk for hunk.

use std::path::PathBuf;

use oc2otel::migration::migrate;
use oc2otel::migration::options::Options;
use oc2otel::syntax::diff::unified;
use oc2otel::syntax::source::Format;
use proptest::prelude::*;

use crate::common::{files_below, manifest_dir, shared_dir};

/// The diff of the two whole texts, as `similar` makes it.
fn whole(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("a/k", "b/k")
        .to_string()
}

/// Lines with their terminators, split as the diff splits them: `\n`,
/// `\r\n` or a lone `\r`.
fn lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let end = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i + 2,
            b'\r' | b'\n' => i + 1,
            _ => {
                i += 1;
                continue;
            }
        };
        out.push(&text[start..end]);
        (start, i) = (end, end);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `(start, count)` of a hunk header's range: `12,3` or `12`.
fn range(field: &str) -> (usize, usize) {
    match field.split_once(',') {
        Some((start, count)) => (start.parse().unwrap(), count.parse().unwrap()),
        None => (field.parse().unwrap(), 1),
    }
}

/// `patch` applied to `old`, as `git apply` would: every context and
/// removed line must be the old text's, and every count must hold.
fn apply(old: &str, patch: &str) -> String {
    let old_lines = lines(old);
    let mut body: Vec<String> = Vec::new();
    for line in lines(patch) {
        if line.starts_with("\\ No newline at end of file") {
            let last = body.last_mut().expect("a marker follows a line");
            assert!(last.ends_with('\n'), "{patch}");
            last.pop();
        } else {
            body.push(line.to_string());
        }
    }
    let mut out = String::new();
    let mut at = 0;
    let mut rows = body.iter().peekable();
    assert!(rows.next().is_none_or(|l| l.starts_with("--- ")), "{patch}");
    assert!(rows.next().is_none_or(|l| l.starts_with("+++ ")), "{patch}");
    while let Some(header) = rows.next() {
        let fields: Vec<&str> = header.split(' ').collect();
        assert_eq!((fields[0], fields[3].trim_end()), ("@@", "@@"), "{header}");
        let (old_start, old_count) = range(&fields[1][1..]);
        let (_, new_count) = range(&fields[2][1..]);
        let first = if old_count == 0 {
            old_start
        } else {
            old_start - 1
        };
        assert!(first >= at, "hunks in order: {patch}");
        old_lines[at..first].iter().for_each(|l| out.push_str(l));
        at = first;
        let (mut olds, mut news) = (0, 0);
        while let Some(row) = rows.next_if(|r| !r.starts_with("@@ ")) {
            let (tag, text) = row.split_at(1);
            if tag != "+" {
                assert_eq!(old_lines[at], text, "{patch}");
                at += 1;
                olds += 1;
            }
            if tag != "-" {
                out.push_str(text);
                news += 1;
            }
        }
        assert_eq!((olds, news), (old_count, new_count), "{header}");
    }
    old_lines[at..].iter().for_each(|l| out.push_str(l));
    out
}

/// A text of lines from a small set (so that lines repeat, as braces do
/// in a config), each with a chosen terminator.
fn text() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec((0u8..6, 0u8..4), 0..200)
}

const WORDS: [&str; 6] = ["{", "}", "},", "  \"a\": 1,", "x", ""];
const ENDS: [&str; 4] = ["\n", "\n", "\r\n", "\r"];

fn render(rows: &[Row], final_end: bool) -> String {
    let mut out = String::new();
    for (i, &(word, end)) in rows.iter().enumerate() {
        out.push_str(WORDS[word as usize]);
        if final_end || i + 1 < rows.len() {
            out.push_str(ENDS[end as usize]);
        }
    }
    out
}

/// A line: which of [`WORDS`], ended by which of [`ENDS`].
type Row = (u8, u8);

/// An edit: where, how many lines removed, what inserted.
type Change = (usize, usize, Vec<Row>);

/// Edits at random places.
fn edits() -> impl Strategy<Value = Vec<Change>> {
    prop::collection::vec((0usize..200, 0usize..12, text()), 0..6)
}

fn edited(rows: &[Row], edits: &[Change]) -> Vec<Row> {
    let mut rows = rows.to_vec();
    for (at, removed, inserted) in edits {
        let at = (*at).min(rows.len());
        let end = (at + removed).min(rows.len());
        rows.splice(at..end, inserted.iter().take(30).copied());
    }
    rows
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn a_windowed_diff_is_a_patch(
        rows in text(),
        changes in edits(),
        ends in (any::<bool>(), any::<bool>()),
        created in any::<bool>(),
    ) {
        let old = render(&rows, ends.0);
        let new = render(&edited(&rows, &changes), ends.1);
        let patch = unified("k", "k", (!created).then_some(old.as_str()), &new, false);
        let from = if created { "" } else { old.as_str() };
        prop_assert_eq!(apply(from, &patch), new.clone());
        prop_assert_eq!(patch.is_empty(), from == new);
        // Colored, the same hunks.
        let colored = unified("k", "k", Some(&old), &new, true);
        let headers = |d: &str| d.lines().filter(|l| l.contains("@@ -")).count();
        prop_assert_eq!(headers(&colored), headers(&unified("k", "k", Some(&old), &new, false)));
    }
}

/// Configs far apart and close together: every legacy block's removal in
/// a config of many endpoints, and changes that fall within a few lines of
/// each other or at the ends.
#[test]
fn a_windowed_diff_is_the_whole_diff_on_many_scattered_changes() {
    let endpoint = |i: usize, legacy: bool| {
        let block = if legacy {
            "\n      \"extra_config\": {\n        \"telemetry/opencensus\": {\"path_aggregation\": \"lastparam\"}\n      },"
        } else {
            ""
        };
        format!(
            "    {{\n      \"endpoint\": \"/e{i}\",{block}\n      \"backend\": [{{\"url_pattern\": \"/a\"}}]\n    }}"
        )
    };
    for spacing in [1, 2, 3, 5, 7, 40] {
        let build = |legacy: bool| {
            let endpoints: Vec<String> = (0..300)
                .map(|i| endpoint(i, legacy && i % spacing == 0))
                .collect();
            format!(
                "{{\n  \"endpoints\": [\n{}\n  ]\n}}\n",
                endpoints.join(",\n")
            )
        };
        let (old, new) = (build(true), build(false));
        let patch = unified("k", "k", Some(&old), &new, false);
        assert_eq!(patch, whole(&old, &new), "every {spacing}th endpoint");
        assert_eq!(apply(&old, &patch), new);
    }
}

/// What a config file's name ends with.
const CONFIGS: &[&str] = &["json", "yaml", "yml", "toml", "tmpl"];

/// Each config migrated; its diff windowed and whole. How many changed.
fn diffs_are_whole_ones(files: &[PathBuf]) -> usize {
    let mut changed = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let format = Format::from_path(path);
        let name = path.display().to_string();
        let m = migrate(&text, format, &name, &Options::default(), None);
        let Some(output) = m.output else { continue };
        let patch = unified("k", "k", Some(&text), &output, false);
        assert_eq!(patch, whole(&text, &output), "{name}");
        changed += usize::from(!patch.is_empty());
    }
    changed
}

#[test]
fn a_windowed_diff_is_the_whole_diff_on_every_fixture() {
    let mut files = files_below(&manifest_dir().join("tests/fixtures"), CONFIGS);
    files.extend(files_below(&manifest_dir().join("examples"), CONFIGS));
    let changed = diffs_are_whole_ones(&files);
    assert!(changed > 40, "the fixtures migrate ({changed})");
}

#[test]
fn a_windowed_diff_is_the_whole_diff_on_the_shared_corpus() {
    let Some(shared) = shared_dir() else {
        return;
    };
    let files = files_below(&shared.join("corpus"), CONFIGS);
    let changed = diffs_are_whole_ones(&files);
    assert!(changed > 10, "the corpus migrates ({changed})");
}
