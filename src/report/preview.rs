//! The preview of one text, as data: what `oc2otel migrate krakend.json`
//! shows for one file (the diff of the config and of the collector config
//! to be created, the diagnostics as the terminal prints them, the
//! pipelines before and after), for callers that have a text rather than
//! a file: the playground page (`playground/wasm`, which compiles this to
//! WebAssembly) and anything else that wants one call and a value.
//!
//! It reads no file, starts no thread and touches no clock, so it runs
//! in a browser. It reads the text as the command line reads standard
//! input (always, even when it never mentions `opencensus`), and builds
//! the preview as the command line does for a file named `krakend.<ext>`;
//! `tests/it/playground.rs` checks that, for every rule fixture, the diff
//! and the diagnostics are the command line's.
//!
//! Everything it returns is cut from redacted views, as every report:
//! the source and the new text with secrets replaced by `<redacted>`,
//! messages that name keys and never values, a picture without
//! credentials. The real migrated bytes are not part of it.

use serde::{Deserialize, Serialize};

use super::Verbosity;
use super::human;
use crate::migration::options::{
    CollectorFlavor, MergeSettings, MetricsTarget, Options, OtlpEndpoint, TargetVersion,
};
use crate::migration::picture::Picture;
use crate::migration::{self, Status};
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::redact::{self, Redacted};
use crate::syntax::diff;
use crate::syntax::source::{self, Format, LineIndex};
use crate::workspace::input::decode_diagnostic;
use crate::workspace::outcome::{FileOutcome, FileStatus};
use crate::workspace::steps::NextSteps;

/// The version of oc2otel that makes the previews.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the caller sets, as the command line's options: every field a
/// string as typed, checked here so that a bad value gets the command
/// line's message. Absent fields take the command line's defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Request {
    /// `auto` (judged from the text), `json`, `yaml`, `toml` or `template`.
    pub format: Option<String>,
    /// `--collector`: `adot` or `contrib`.
    pub collector: Option<String>,
    /// `--otlp-endpoint HOST[:PORT]`.
    pub otlp_endpoint: Option<String>,
    /// `--krakend-version X.Y`.
    pub krakend_version: Option<String>,
    /// `--metrics`: `legacy` or `emf`.
    pub metrics: Option<String>,
    /// `--jaeger-collector HOST[:PORT]`.
    pub jaeger_collector: Option<String>,
    /// `--merge-settings`: `refuse`, `existing` or `legacy`.
    pub merge_settings: Option<String>,
}

/// One diagnostic, with where it is in the text as given: line and column
/// (1-based, columns in characters) and, for selecting it in an editor,
/// offsets in UTF-16 code units, which is how JavaScript counts.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub severity: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub pointer: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    /// UTF-16 offsets of the span in the text as given (a byte order mark
    /// counts as one unit).
    pub start: Option<usize>,
    pub end: Option<usize>,
    pub docs: &'static str,
    /// `moved`, `converted`, `defaulted`, `dropped` or `manual`, for a
    /// legacy field.
    pub action: Option<&'static str>,
    pub target: Option<String>,
    /// The diagnostic as `oc2otel migrate -v` prints it (no colors), with
    /// its snippet cut from the redacted source.
    pub rendered: String,
}

/// A next step: what to do about some of the diagnostics.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub id: &'static str,
    /// With its counts, as the human report's list reads.
    pub text: String,
    pub manual: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// Everything the preview of one text shows.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// [`VERSION`].
    pub version: &'static str,
    /// `would_migrate`, `unchanged` or `error`, as in the JSON report.
    pub status: &'static str,
    /// The format the text was read as (`auto` resolved; a JSON text with
    /// template actions is a template).
    pub format: &'static str,
    /// The name the text goes by in the diff and the messages.
    pub path: String,
    /// The migrated config, secrets redacted.
    pub new_text: Option<String>,
    /// Whether `new_text` shows `<redacted>` where the real output holds a
    /// value.
    pub new_text_redacted: bool,
    pub collector_path: Option<String>,
    /// The collector config (it never holds a credential).
    pub collector: Option<String>,
    /// The preview's unified diff, as `oc2otel migrate` prints it.
    pub diff: String,
    pub diff_redacted: bool,
    /// The notes the command line prints with the diff.
    pub notes: Vec<String>,
    pub diagnostics: Vec<Shown>,
    pub counts: Counts,
    pub next_steps: Vec<Step>,
    pub picture: Option<Picture>,
    /// The picture drawn ([`super::svg`]): side by side, as the markdown
    /// report's, and stacked, for a narrow place.
    pub svg: Option<String>,
    pub svg_stacked: Option<String>,
    /// A bad option, as the command line words it; nothing else is set.
    pub option_error: Option<String>,
}

impl Preview {
    fn empty(path: String, format: Format) -> Preview {
        Preview {
            version: VERSION,
            status: FileStatus::Unchanged.as_str(),
            format: format.as_str(),
            path,
            new_text: None,
            new_text_redacted: false,
            collector_path: None,
            collector: None,
            diff: String::new(),
            diff_redacted: false,
            notes: Vec::new(),
            diagnostics: Vec::new(),
            counts: Counts::default(),
            next_steps: Vec::new(),
            picture: None,
            svg: None,
            svg_stacked: None,
            option_error: None,
        }
    }
}

/// `invalid value 'x' for '--flag <VALUE>': why`, as clap says it.
fn invalid(flag: &str, value: &str, why: &str) -> String {
    format!("invalid value '{value}' for '{flag}': {why}")
}

/// The options of a request, or the command line's message for the first
/// bad one.
pub fn options(request: &Request) -> Result<Options, String> {
    let mut options = Options::default();
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    if let Some(value) = given(&request.collector) {
        options.collector = value.parse::<CollectorFlavor>().map_err(|_| {
            let why = "possible values: auto, adot, contrib";
            invalid("--collector <COLLECTOR>", value, why)
        })?;
    }
    if let Some(value) = given(&request.otlp_endpoint) {
        options.otlp_endpoint = value
            .parse::<OtlpEndpoint>()
            .map_err(|why| invalid("--otlp-endpoint <HOST[:PORT]>", value, &why))?;
    }
    if let Some(value) = given(&request.krakend_version) {
        options.krakend_version = value
            .parse::<TargetVersion>()
            .map_err(|why| invalid("--krakend-version <X.Y|auto>", value, &why))?;
    }
    if let Some(value) = given(&request.metrics) {
        options.metrics = value
            .parse::<MetricsTarget>()
            .map_err(|why| invalid("--metrics <TARGET>", value, &why))?;
    }
    if let Some(value) = given(&request.jaeger_collector) {
        let endpoint = value
            .parse::<OtlpEndpoint>()
            .map_err(|why| invalid("--jaeger-collector <HOST[:PORT]>", value, &why))?;
        options.jaeger_collector = Some(endpoint);
    }
    if let Some(value) = given(&request.merge_settings) {
        options.merge_settings = value
            .parse::<MergeSettings>()
            .map_err(|why| invalid("--merge-settings <SIDE>", value, &why))?;
    }
    Ok(options)
}

/// The format of a request: named, or judged from the text.
pub fn format(request: &Request, text: &str) -> Result<Format, String> {
    match request.format.as_deref().map(str::trim) {
        None | Some("" | "auto") => Ok(guess_format(text)),
        Some("json") => Ok(Format::Json),
        Some("yaml" | "yml") => Ok(Format::Yaml),
        Some("toml") => Ok(Format::Toml),
        Some("template" | "tmpl") => Ok(Format::Template),
        Some(other) => Err(format!(
            "unknown format '{other}': expected auto, json, yaml, toml or template"
        )),
    }
}

/// The format a text is most likely written in, from its first line that
/// is not blank or a comment: `{` is JSON (a JSON text with template
/// actions is then read as a template by the migration), a TOML table
/// header or `key = value` is TOML, anything else YAML.
pub fn guess_format(text: &str) -> Format {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(first) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
    else {
        return Format::Json;
    };
    if first.starts_with('{') {
        return Format::Json;
    }
    let key_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | ' ');
    // `[name]`, `[[name]]`, `[a."b/c"]`; a JSON array has commas or
    // starts with a value (a config is never one anyway).
    let table = first
        .strip_prefix('[')
        .map(|rest| rest.trim_start_matches('[').trim_end_matches(']'))
        .is_some_and(|name| {
            first.ends_with(']')
                && !name.contains(',')
                && name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '"' | '\''))
        });
    let assignment = first
        .split_once('=')
        .is_some_and(|(key, _)| !key.trim().is_empty() && key.chars().all(key_char));
    if table || assignment {
        return Format::Toml;
    }
    if first.starts_with('[') {
        return Format::Json;
    }
    Format::Yaml
}

/// The name a text of `format` goes by: `krakend.json`, ...
fn path_for(format: Format) -> &'static str {
    match format {
        Format::Json => "krakend.json",
        Format::Yaml => "krakend.yaml",
        Format::Toml => "krakend.toml",
        Format::Template => "krakend.tmpl",
    }
}

/// The preview of `text` with `request`'s options. Never panics on any
/// text or request: a bad option is `option_error`, bad text an error
/// diagnostic, as on the command line.
pub fn preview(text: &str, request: &Request) -> Preview {
    let (format, options) = match (format(request, text), options(request)) {
        (Ok(format), Ok(options)) => (format, options),
        (Err(why), _) | (_, Err(why)) => return refused(why),
    };
    let path = path_for(format);
    let mut outcome = FileOutcome::new(path.into(), format, FileStatus::Unchanged);
    // The text as the command line decodes bytes: a byte order mark is
    // set aside, and empty, blank or binary text is refused.
    let bom = usize::from(text.starts_with('\u{feff}'));
    let decoded = match source::decode(text.as_bytes()) {
        Ok(decoded) => decoded,
        Err(err) => {
            outcome.status = FileStatus::Error;
            let d = decode_diagnostic(text.as_bytes(), &err);
            let mut p = finish(&outcome, &[d], text, 0, None);
            if let (Some(offset), Some(shown)) = (err.offset(), p.diagnostics.first_mut()) {
                // A NUL: select it (the text is valid UTF-8 here).
                let at = text.get(..offset).map_or(0, |t| t.encode_utf16().count());
                (shown.start, shown.end) = (Some(at), Some(at + 1));
            }
            return p;
        }
    };
    let text = decoded.text.as_str();
    let mut migration = migration::migrate(text, format, path, &options, None);
    outcome.format = migration.format;
    outcome.source = Some(Redacted::of_shared(&decoded.text, &migration.input_secrets));
    outcome.picture = Picture::of(&migration);
    outcome.diagnostics = std::mem::take(&mut migration.diagnostics);
    let mut new_text = None;
    match migration.status {
        Status::Unchanged => {}
        Status::Error => outcome.status = FileStatus::Error,
        Status::Migrate => {
            outcome.status = FileStatus::WouldMigrate;
            // The output's secrets are those the migration found on its
            // verifying parse (as the command line's diff has them): the
            // output is not parsed again, and not copied when nothing in
            // it is hidden.
            let output = migration.output.take().unwrap_or_default();
            let (shown_new, new_redacted) =
                match redact::redacted_text(&output, &migration.output_secrets) {
                    std::borrow::Cow::Owned(shown) => {
                        let hides = shown != output;
                        (shown, hides)
                    }
                    std::borrow::Cow::Borrowed(_) => (output, false),
                };
            let collector = migration.collector.as_ref().map(|c| {
                let stem = path.rsplit_once('.').map_or(path, |(stem, _)| stem);
                (format!("{stem}.otel-collector.yaml"), c.to_yaml())
            });
            outcome.diff = preview_diff(&outcome, &shown_new, collector.as_ref());
            let shown_old = outcome.source.as_ref().map(|s| s.text.as_str());
            outcome.diff_redacted =
                !outcome.diff.is_empty() && (shown_old != Some(text) || new_redacted);
            outcome.collector_path = collector.as_ref().map(|(p, _)| p.clone());
            new_text = Some((new_redacted, shown_new, collector));
        }
    }
    let diagnostics = outcome.diagnostics.clone();
    let mut p = finish(&outcome, &diagnostics, text, bom, outcome.picture.clone());
    if let Some((redacted, shown, collector)) = new_text {
        p.new_text_redacted = redacted;
        p.new_text = Some(shown);
        p.collector = collector.map(|(_, yaml)| yaml);
    }
    p
}

/// The preview of a request that cannot run: `why` is the message, as
/// the command line words a bad option.
pub fn refused(why: String) -> Preview {
    let mut p = Preview::empty(path_for(Format::Json).into(), Format::Json);
    p.status = FileStatus::Error.as_str();
    p.option_error = Some(why);
    p
}

/// The diff `oc2otel migrate` previews for a file: the config (both sides
/// redacted), then the collector config it would create.
fn preview_diff(outcome: &FileOutcome, new: &str, collector: Option<&(String, String)>) -> String {
    let path = &outcome.path;
    let old = outcome.source.as_ref().map_or("", |s| s.text.as_str());
    let mut out = diff::unified(path, path, Some(old), new, false);
    if let Some((collector_path, yaml)) = collector {
        out.push_str(&diff::unified(
            collector_path,
            collector_path,
            None,
            yaml,
            false,
        ));
    }
    out
}

/// The preview of an outcome: its status, its diagnostics located in
/// `text` (which follows `bom` UTF-16 units of byte order mark in the
/// text as given), its next steps and its picture.
fn finish(
    outcome: &FileOutcome,
    diagnostics: &[Diagnostic],
    text: &str,
    bom: usize,
    picture: Option<Picture>,
) -> Preview {
    let mut p = Preview::empty(outcome.path.clone(), outcome.format);
    p.status = outcome.status.as_str();
    p.collector_path = outcome.collector_path.clone();
    p.diff = outcome.diff.clone();
    p.diff_redacted = outcome.diff_redacted;
    if outcome.diff_redacted {
        // The command line's note, worded for a page that has no --write.
        p.notes.push(format!(
            "note: {}: secrets are hidden in this diff, so it does not apply with `git apply`; run --write",
            outcome.path
        ));
    }
    let offsets = Utf16::new(text, diagnostics);
    let index = LineIndex::new(text);
    p.diagnostics = diagnostics
        .iter()
        .map(|d| shown(d, outcome, text, &index, &offsets, bom))
        .collect();
    for d in diagnostics {
        match d.severity {
            Severity::Error => p.counts.errors += 1,
            Severity::Warning => p.counts.warnings += 1,
            Severity::Info => p.counts.infos += 1,
        }
    }
    let mut steps = NextSteps::default();
    steps.add(outcome);
    p.next_steps = steps
        .groups()
        .map(|g| Step {
            id: g.step.id,
            text: super::steps::headline(&g),
            manual: g.step.manual,
        })
        .collect();
    p.svg = picture.as_ref().map(super::svg::svg);
    p.svg_stacked = picture
        .as_ref()
        .map(|p| super::svg::svg_arranged(p, super::svg::Arrangement::Stacked));
    p.picture = picture;
    p
}

fn shown(
    d: &Diagnostic,
    outcome: &FileOutcome,
    text: &str,
    index: &LineIndex,
    offsets: &Utf16,
    bom: usize,
) -> Shown {
    let end = d
        .span
        .as_ref()
        .map(|s| index.line_col(text, s.end.min(text.len())));
    let rendered = human::diagnostics(
        &outcome.path,
        std::slice::from_ref(d),
        outcome.source.as_ref(),
        Verbosity::Verbose,
        false,
    );
    Shown {
        severity: d.severity.as_str(),
        code: d.code.as_str(),
        name: d.code.name(),
        message: d.message.clone(),
        help: d.help.as_deref().map(str::to_string),
        pointer: d.pointer.clone(),
        line: d.line,
        column: d.column,
        end_line: end.map(|(l, _)| l),
        end_column: end.map(|(_, c)| c),
        start: d
            .span
            .as_ref()
            .and_then(|s| offsets.get(s.start))
            .map(|o| o + bom),
        end: d
            .span
            .as_ref()
            .and_then(|s| offsets.get(s.end))
            .map(|o| o + bom),
        docs: crate::model::docs::url(d.code, &d.pointer),
        action: d.fate.as_ref().map(|f| f.action.as_str()),
        target: d.fate.as_ref().and_then(|f| f.target.clone()),
        rendered: rendered.trim_end().to_string(),
    }
}

/// UTF-16 offsets of the byte offsets the diagnostics' spans start and
/// end at, found in one pass over the text (a 2 MB config has hundreds of
/// diagnostics).
struct Utf16 {
    /// (byte offset, UTF-16 offset), sorted by byte offset.
    known: Vec<(usize, usize)>,
}

impl Utf16 {
    fn new(text: &str, diagnostics: &[Diagnostic]) -> Utf16 {
        let mut wanted: Vec<usize> = diagnostics
            .iter()
            .filter_map(|d| d.span.as_ref())
            .flat_map(|s| [s.start, s.end])
            .map(|o| o.min(text.len()))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut known = Vec::with_capacity(wanted.len());
        let (mut byte, mut units) = (0, 0);
        let mut chars = text.chars();
        for offset in wanted {
            while byte < offset {
                let Some(c) = chars.next() else { break };
                byte += c.len_utf8();
                units += c.len_utf16();
            }
            known.push((offset, units));
        }
        Utf16 { known }
    }

    fn get(&self, offset: usize) -> Option<usize> {
        let at = self
            .known
            .binary_search_by_key(&offset, |(b, _)| *b)
            .or_else(|i| i.checked_sub(1).ok_or(()))
            .ok()?;
        self.known.get(at).map(|(_, u)| *u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pairs: &[(&str, &str)]) -> Request {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
            .collect();
        serde_json::from_value(serde_json::Value::Object(map)).expect("a request")
    }

    const XRAY: &str = include_str!("../../examples/xray/krakend.json");

    #[test]
    fn the_xray_example_previews_as_the_command_line_shows_it() {
        let p = preview(XRAY, &Request::default());
        assert_eq!(
            (p.status, p.format, p.path.as_str()),
            ("would_migrate", "json", "krakend.json")
        );
        assert!(
            p.diff
                .starts_with("--- a/krakend.json\n+++ b/krakend.json\n"),
            "{}",
            p.diff
        );
        assert!(
            p.diff.contains("+    \"telemetry/opentelemetry\": {"),
            "{}",
            p.diff
        );
        assert!(
            p.diff
                .contains("--- /dev/null\n+++ b/krakend.otel-collector.yaml\n"),
            "{}",
            p.diff
        );
        assert!(p.diff.contains("\"<redacted>\""), "{}", p.diff);
        assert!(p.diff_redacted && p.notes.len() == 1, "{:?}", p.notes);
        let collector = p.collector.as_deref().expect("a collector config");
        assert!(collector.contains("awsxray:") && collector.contains("region: eu-west-1"));
        assert_eq!(
            p.collector_path.as_deref(),
            Some("krakend.otel-collector.yaml")
        );
        assert!(
            p.new_text
                .as_deref()
                .is_some_and(|t| t.contains("telemetry/opentelemetry"))
        );
        let secrets: Vec<&Shown> = p.diagnostics.iter().filter(|d| d.code == "OC401").collect();
        assert_eq!(secrets.len(), 2, "{:#?}", p.diagnostics);
        assert!(
            p.counts.warnings >= 3 && p.counts.errors == 0,
            "{:?}",
            p.counts
        );
        assert!(
            p.next_steps
                .iter()
                .any(|s| s.text.starts_with("rotate 2 credentials")),
            "{:?}",
            p.next_steps
        );
        let svg = p.svg.as_deref().expect("a picture");
        assert!(svg.starts_with("<svg") && svg.contains("AWS X-Ray"));
        let json = serde_json::to_string(&p).unwrap();
        for secret in ["AKIAEXAMPLEEXAMPLE00", "NOT+a+real+secret"] {
            assert!(!json.contains(secret), "{secret} shown");
        }
    }

    #[test]
    fn offsets_are_utf16_and_lines_are_the_command_lines() {
        // Characters before the block that take 2 UTF-16 units (an emoji)
        // and 1 unit but 2 bytes (é), after a byte order mark.
        let text = format!("\u{feff}{{\"name\": \"😀é\",\n{}", &XRAY[1..]);
        let p = preview(&text, &Request::default());
        let d = p
            .diagnostics
            .iter()
            .find(|d| d.code == "OC401")
            .expect("OC401");
        let units: Vec<u16> = text.encode_utf16().collect();
        let selected = String::from_utf16(&units[d.start.unwrap()..d.end.unwrap()]).unwrap();
        assert_eq!(
            selected, "\"access_key_id\": \"AKIAEXAMPLEEXAMPLE00\"",
            "{d:?}"
        );
        // Line and column point at the same place.
        let line = text
            .trim_start_matches('\u{feff}')
            .lines()
            .nth(d.line.unwrap() - 1)
            .unwrap();
        let column: String = line.chars().skip(d.column.unwrap() - 1).take(7).collect();
        assert_eq!(column, "\"access");
        assert!(d.rendered.starts_with("warning[OC401]: "), "{}", d.rendered);
        assert!(
            d.rendered.contains(&format!(
                "--> krakend.json:{}:{}",
                d.line.unwrap(),
                d.column.unwrap()
            )),
            "{}",
            d.rendered
        );
        assert!(
            d.rendered.contains("<redacted>") && !d.rendered.contains("AKIA"),
            "{}",
            d.rendered
        );
    }

    #[test]
    fn bad_input_gets_the_located_error() {
        let p = preview(
            "{\n  \"version\": 3,\n  \"extra_config\": {\n}\n",
            &Request::default(),
        );
        assert_eq!(p.status, "error");
        let d = &p.diagnostics[0];
        assert_eq!((d.severity, d.line.is_some()), ("error", true), "{d:?}");
        assert!(d.message.starts_with("invalid JSON"), "{d:?}");
        assert!(d.rendered.starts_with("error[OC"), "{}", d.rendered);
        assert!(p.diff.is_empty() && p.collector.is_none() && p.svg.is_none());
        for text in ["", "  \n", "{\"a\": \"\u{0}\"}"] {
            let p = preview(text, &request(&[("format", "json")]));
            assert_eq!(p.status, "error", "{text:?}");
            assert!(p.diagnostics[0].line.is_some(), "{:?}", p.diagnostics);
        }
        let nul = preview("{\"a\": \"\u{0}\"}", &Request::default());
        assert_eq!(
            (nul.diagnostics[0].start, nul.diagnostics[0].end),
            (Some(7), Some(8))
        );
    }

    #[test]
    fn options_are_checked_with_the_command_lines_words() {
        let p = preview(XRAY, &request(&[("otlp_endpoint", "http://x:4317")]));
        let why = p.option_error.expect("an error");
        assert!(
            why.starts_with("invalid value 'http://x:4317' for '--otlp-endpoint <HOST[:PORT]>': "),
            "{why}"
        );
        let p = preview(XRAY, &request(&[("krakend_version", "2.5")]));
        assert!(p.option_error.is_some_and(|w| w.contains("2.6")));
        let p = preview(XRAY, &request(&[("collector", "otelcol")]));
        assert!(p.option_error.is_some_and(|w| w.contains("adot, contrib")));
        assert!(serde_json::from_str::<Request>(r#"{"colector": "adot"}"#).is_err());
        let contrib = preview(
            XRAY,
            &request(&[("collector", "contrib"), ("metrics", "emf")]),
        );
        let yaml = contrib.collector.expect("a collector config");
        assert!(yaml.contains("awsemf:"), "{yaml}");
        assert!(
            contrib.diff.contains("\"name\": \"otel_collector\""),
            "{}",
            contrib.diff
        );
    }

    #[test]
    fn formats_are_guessed_from_the_text() {
        assert_eq!(guess_format(XRAY), Format::Json);
        assert_eq!(guess_format("\u{feff}\n# c\nversion: 3\n"), Format::Yaml);
        assert_eq!(guess_format("version = 3\n"), Format::Toml);
        assert_eq!(
            guess_format("# x\n[extra_config.\"telemetry/opencensus\"]\n"),
            Format::Toml
        );
        assert_eq!(guess_format("- a\n"), Format::Yaml);
        assert_eq!(guess_format("[1, 2]"), Format::Json);
        assert_eq!(guess_format("   "), Format::Json);
        let yaml = "version: 3\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      xray:\n        region: eu-west-1\n        use_env: true\n";
        let p = preview(yaml, &Request::default());
        assert_eq!(
            (p.format, p.status, p.path.as_str()),
            ("yaml", "would_migrate", "krakend.yaml")
        );
        let toml = "version = 3\n\n[extra_config.\"telemetry/opencensus\"]\nsample_rate = 100\n\n[extra_config.\"telemetry/opencensus\".exporters.xray]\nregion = \"eu-west-1\"\nuse_env = true\n";
        let p = preview(toml, &request(&[("format", "auto")]));
        assert_eq!(
            (p.format, p.status),
            ("toml", "would_migrate"),
            "{:?}",
            p.diagnostics
        );
    }

    #[test]
    fn a_config_without_a_legacy_block_is_unchanged() {
        let p = preview("{\"version\": 3}", &Request::default());
        assert_eq!(p.status, "unchanged");
        assert!(p.diff.is_empty() && p.new_text.is_none() && p.svg.is_none());
    }
}
