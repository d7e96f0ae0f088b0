//! The report for people: in preview the diffs on stdout, in `--check` the
//! paths of the files to migrate, for standard input the filtered config;
//! on stderr the diagnostics with source snippets (rendered by
//! annotate-snippets, as rustc and ruff do), a line per file written, and
//! a summary.
//!
//! Snippets are cut from the redacted source, so a secret never reaches
//! the terminal even when a diagnostic points at its line.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use super::{Lines, Reporter, Streams, Style, Verbosity, bold, printable, shown, steps};
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::next_steps;
use crate::model::redact::Redacted;
use crate::workspace::outcome::{FileOutcome, FileStatus, Summary};
use crate::workspace::settings::{Mode, Shown};

/// `--format human`.
pub struct Human {
    mode: Mode,
    style: Style,
    /// The help texts already printed in this run: each is printed once.
    helps: HashSet<String>,
}

impl Human {
    pub fn new(mode: Mode, style: Style) -> Human {
        Human {
            mode,
            style,
            helps: HashSet::new(),
        }
    }

    /// What this run shows of the diagnostics of `file`.
    fn policy(&self, file: &FileOutcome) -> Policy {
        let migration = matches!(
            file.status,
            FileStatus::WouldMigrate | FileStatus::Unchanged | FileStatus::Migrated
        );
        let (warnings, infos) = levels(self.mode, self.style.verbosity, migration);
        Policy {
            warnings,
            infos,
            every_help: self.style.verbosity == Verbosity::Verbose,
        }
    }
}

impl Reporter<FileOutcome, Summary> for Human {
    fn file(&mut self, file: &FileOutcome, out: &mut Streams<'_>) -> io::Result<()> {
        let verbosity = self.style.verbosity;
        match (&file.filtered, self.mode) {
            (Some(bytes), Mode::Preview | Mode::Write) => out.stdout.write_all(bytes)?,
            (_, Mode::Preview) => {
                out.stdout.write_all(file.diff.as_bytes())?;
                if file.diff_redacted && verbosity != Verbosity::Quiet {
                    let note = format!(
                        "note: {}: secrets are hidden in this diff, so it does not apply with `git apply`; run --write\n",
                        shown(&file.path)
                    );
                    out.stderr.write_all(note.as_bytes())?;
                }
            }
            (_, Mode::Check) if file.status == FileStatus::WouldMigrate => {
                // Quiet: the bare path, for scripts (`xargs`); standard
                // input is `-` alone either way.
                let line = if verbosity == Verbosity::Quiet || file.path == "-" {
                    format!("{}\n", file.path)
                } else {
                    format!("{}: {}\n", shown(&file.path), pending_reason(file))
                };
                out.stdout.write_all(line.as_bytes())?;
            }
            _ => {}
        }
        let policy = self.policy(file);
        let shown = render(
            &file.path,
            &file.diagnostics,
            file.source.as_ref(),
            &policy,
            self.style.stderr_color,
            &mut self.helps,
        );
        out.stderr.write_all(shown.as_bytes())?;
        if self.mode == Mode::Write
            && let Some(line) = status_line(file)
            && (verbosity != Verbosity::Quiet || file.status == FileStatus::Error)
        {
            out.stderr.write_all(format!("{line}\n").as_bytes())?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut Streams<'_>) -> io::Result<()> {
        if self.style.verbosity == Verbosity::Quiet {
            return Ok(());
        }
        let color = self.style.stderr_color;
        let verbose = self.style.verbosity == Verbosity::Verbose;
        let mut text = next_steps(summary, verbose, color);
        if self.style.statistics {
            text.push_str(&statistics(summary, color));
        }
        text.push_str(&self::summary(summary, self.mode, color));
        if !verbose && summary.infos > 0 {
            let _ = writeln!(
                text,
                "{} info diagnostics not shown: -v shows them",
                summary.infos
            );
        }
        out.stderr.write_all(text.as_bytes())
    }
}

/// How much of a file's warnings and infos a run shows; `migration`: the
/// file was taken and migrated (or found unchanged). --check says what is
/// pending: the warnings of a config are counted on its line and answered
/// by the next steps. Those of a file that could not be taken (a folder
/// with no config, a file too large) or that failed are shown.
fn levels(mode: Mode, verbosity: Verbosity, migration: bool) -> (Show, Show) {
    match (verbosity, mode) {
        (Verbosity::Quiet, _) => (Show::Hidden, Show::Hidden),
        (Verbosity::Verbose, _) => (Show::Full, Show::Full),
        (Verbosity::Normal, Mode::Check) if migration => (Show::Hidden, Show::Hidden),
        (Verbosity::Normal, _) => (Show::Line, Show::Hidden),
    }
}

/// What the human report shows of a config's diagnostics, read from the
/// same [`levels`] the report uses: errors alone where it hides the
/// warnings and infos of a migrated config (`--check` unless `-v`,
/// `--write -q`; a config with an error shows more, and the workspace
/// finds its secrets then). The preview shows diffs, which need them
/// whatever the level.
pub fn diagnostics_shown(mode: Mode, verbosity: Verbosity) -> Shown {
    let hidden = levels(mode, verbosity, true) == (Show::Hidden, Show::Hidden);
    if hidden && mode != Mode::Preview {
        Shown::Errors
    } else {
        Shown::Everything
    }
}

/// The short reason on a pending file's `--check` line.
fn pending_reason(file: &FileOutcome) -> String {
    let warnings = file.count(Severity::Warning);
    let steps = file
        .diagnostics
        .iter()
        .filter_map(next_steps::step_for)
        .map(|s| s.id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let mut reason = "uses telemetry/opencensus".to_string();
    let counts: Vec<String> = [(warnings, "warning"), (steps, "next step")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect();
    if !counts.is_empty() {
        reason.push_str(&format!(" ({})", counts.join(", ")));
    }
    reason
}

/// How much of a diagnostic of some severity is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    Hidden,
    /// `warning[OC106] path:5:7: message`.
    Line,
    /// With the source line, as rustc shows it.
    Full,
}

/// What a run shows of each diagnostic. Errors are always shown in full.
#[derive(Debug, Clone, Copy)]
struct Policy {
    warnings: Show,
    infos: Show,
    /// Every diagnostic's help (`-v`); otherwise each help text once per
    /// run, and none where a next step answers the diagnostic.
    every_help: bool,
}

impl Policy {
    fn show(&self, severity: Severity) -> Show {
        match severity {
            Severity::Error => Show::Full,
            Severity::Warning => self.warnings,
            Severity::Info => self.infos,
        }
    }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// How many diagnostics with the same message are shown before the rest
/// are folded into one line (a config with 400 endpoints using
/// `path_aggregation` should not print 400 snippets).
const REPEATS_SHOWN: usize = 3;

/// The diagnostics of one file at `path`, with snippets cut from its
/// redacted `source`: errors and warnings in full (infos on one line
/// unless `verbosity` is verbose), every help shown (the views that are
/// not a run over many files use this).
pub fn diagnostics(
    path: &str,
    diagnostics: &[Diagnostic],
    source: Option<&Redacted>,
    verbosity: Verbosity,
    color: bool,
) -> String {
    let (warnings, infos) = match verbosity {
        Verbosity::Quiet => (Show::Hidden, Show::Hidden),
        Verbosity::Normal => (Show::Full, Show::Line),
        Verbosity::Verbose => (Show::Full, Show::Full),
    };
    let policy = Policy {
        warnings,
        infos,
        every_help: true,
    };
    render(
        path,
        diagnostics,
        source,
        &policy,
        color,
        &mut HashSet::new(),
    )
}

/// The diagnostics of one file as `policy` shows them; `helps` holds the
/// help texts this run has already printed.
fn render(
    path: &str,
    diagnostics: &[Diagnostic],
    source: Option<&Redacted>,
    policy: &Policy,
    color: bool,
    helps: &mut HashSet<String>,
) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let verbose = policy.every_help;
    let mut seen: std::collections::HashMap<(Severity, &str, &str), usize> = Default::default();
    let mut folded: Vec<(&Diagnostic, Vec<usize>)> = Vec::new();
    let mut out = String::new();
    for d in diagnostics {
        let show = policy.show(d.severity);
        if show == Show::Hidden {
            continue;
        }
        let key = (d.severity, d.code.as_str(), d.message.as_str());
        let count = seen.entry(key).or_default();
        *count += 1;
        if *count > REPEATS_SHOWN && !verbose {
            match folded.iter_mut().find(|(first, _)| {
                (first.severity, first.code.as_str(), first.message.as_str()) == key
            }) {
                Some((_, lines)) => lines.extend(d.line),
                None => folded.push((d, d.line.into_iter().collect())),
            }
            continue;
        }
        let help = help_to_show(d, policy, helps);
        if show == Show::Full {
            out.push_str(&render_full(d, help, path, source, &renderer));
            out.push('\n');
        } else {
            out.push_str(&render_line(d, help, path, color));
        }
    }
    for (first, lines) in folded {
        let listed: Vec<String> = lines.iter().take(8).map(usize::to_string).collect();
        let more = if lines.len() > 8 { ", ..." } else { "" };
        let _ = writeln!(
            out,
            "{}[{}] {}: {} more like the above (lines {}{more}); -v shows them all",
            first.severity.as_str(),
            first.code.as_str(),
            super::shown(path),
            lines.len().max(1),
            listed.join(", ")
        );
    }
    out
}

/// The help of `d` to print with it: with `-v` always; else not when a
/// next step answers `d` (the step is listed once at the end, unless `d`
/// is an error, whose help says how to unblock this file), and each text
/// only the first time in the run.
fn help_to_show<'d>(
    d: &'d Diagnostic,
    policy: &Policy,
    helps: &mut HashSet<String>,
) -> Option<&'d str> {
    let help = d.help.as_deref()?;
    if policy.every_help {
        return Some(help);
    }
    if d.severity != Severity::Error && next_steps::step_for(d).is_some() {
        return None;
    }
    helps.insert(help.to_string()).then_some(help)
}

/// One line: `info[OC104] krakend.json:5:7: message`.
fn render_line(d: &Diagnostic, help: Option<&str>, path: &str, color: bool) -> String {
    let (start, end) = if color {
        ("\u{1b}[1;94m", "\u{1b}[0m")
    } else {
        ("", "")
    };
    let path = shown(path);
    let location = match (d.line, d.column) {
        (Some(line), Some(column)) => format!("{path}:{line}:{column}"),
        _ => path.into_owned(),
    };
    let mut line = format!(
        "{start}{}[{}]{end} {location}: {}\n",
        d.severity.as_str(),
        d.code.as_str(),
        shown(&d.message)
    );
    if let Some(help) = help {
        let _ = writeln!(line, "  = help: {}", shown(help));
    }
    line
}

fn render_full(
    d: &Diagnostic,
    help: Option<&str>,
    path: &str,
    source: Option<&Redacted>,
    renderer: &Renderer,
) -> String {
    let title = level(d.severity)
        .primary_title(Cow::Owned(shown(&d.message).into_owned()))
        .id(Cow::Borrowed(d.code.as_str()));
    let shown_path = shown(path).into_owned();
    let mut group = match snippet(d, source) {
        Some((text, line, span)) => title.element(
            Snippet::source(text)
                .path(shown_path.clone())
                .line_start(line)
                .annotation(AnnotationKind::Primary.span(span)),
        ),
        None => {
            // No source to show (the file could not be decoded), but the
            // place is known: print it as `--> path:line:column`.
            let mut origin = annotate_snippets::Origin::path(shown_path.clone());
            if let (Some(line), Some(column)) = (d.line, d.column) {
                origin = origin.line(line).char_column(column);
            }
            title.element(origin)
        }
    };
    if let Some(help) = help {
        group = group.element(Level::HELP.message(shown(help).into_owned()));
    }
    let rendered = renderer.render(&[group]);
    located_at_the_column(rendered, &shown_path, d)
}

/// annotate-snippets prints the column of the annotation in the snippet it
/// was given, which is a window of a long line (with secrets replaced and
/// control characters escaped): the `--> path:line:column` line is put
/// back to the diagnostic's own column in the file, as the other formats
/// report it.
fn located_at_the_column(rendered: String, path: &str, d: &Diagnostic) -> String {
    let (Some(line), Some(column)) = (d.line, d.column) else {
        return rendered;
    };
    let prefix = format!("{path}:{line}:");
    let Some(at) = rendered.find(&prefix).map(|i| i + prefix.len()) else {
        return rendered;
    };
    let digits = rendered[at..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    format!("{}{column}{}", &rendered[..at], &rendered[at + digits..])
}

/// How much of a long line a snippet shows around its span: a snippet
/// costs the same whatever the length of the line (a 448 KB line with
/// 100,000 diagnostics on it renders in linear time).
const WINDOW: usize = 80;
const SPAN_SHOWN: usize = 120;

/// The first source line of the diagnostic's span (from the redacted
/// text, at most [`WINDOW`] bytes either side of the span, control
/// characters escaped), its number, and the span within it.
fn snippet(
    d: &Diagnostic,
    source: Option<&Redacted>,
) -> Option<(String, usize, std::ops::Range<usize>)> {
    let (span, source, line) = (d.span.as_ref()?, source?, d.line?);
    let text = &source.text;
    let mapped = source.map_span(span);
    let at = floor_char(text, mapped.start.min(text.len()));
    // The line's ends are looked for only as far as the window reaches:
    // beyond it, the line is cut anyway.
    let reach_back = floor_char(text, at.saturating_sub(WINDOW + 1));
    let line_start = text[reach_back..at]
        .rfind('\n')
        .map_or(reach_back, |i| reach_back + i + 1);
    let end = floor_char(text, mapped.end.clamp(at, text.len()).min(at + SPAN_SHOWN));
    let reach = floor_char(text, (end + WINDOW + 1).min(text.len()));
    let line_end = text[at..reach].find('\n').map_or(reach, |i| at + i);
    let line_end = if text[..line_end].ends_with('\r') {
        line_end - 1
    } else {
        line_end
    }
    .max(at);
    let end = end.min(line_end);
    let from = floor_char(text, at.saturating_sub(WINDOW).max(line_start));
    let to = floor_char(text, (end + WINDOW).min(line_end)).max(end);
    let (before, marked, after) = (&text[from..at], &text[at..end], &text[end..to]);
    let mut snippet = String::new();
    if from > line_start {
        snippet.push_str("...");
    }
    snippet.push_str(&printable(before, Lines::Kept));
    let start = snippet.len();
    snippet.push_str(&printable(marked, Lines::Kept));
    let span_end = snippet.len();
    snippet.push_str(&printable(after, Lines::Kept));
    if to < line_end {
        snippet.push_str("...");
    }
    Some((snippet, line, start..span_end))
}

/// The start of the character holding byte `at`.
fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The closing summary, as a small table.
pub fn summary(s: &Summary, mode: Mode, color: bool) -> String {
    let migrated_label = match mode {
        Mode::Write => "migrated",
        Mode::Preview | Mode::Check => "to migrate",
    };
    let mut out = String::new();
    let rows = [
        ("files scanned", s.files),
        (migrated_label, s.migrated),
        ("unchanged", s.unchanged),
        ("skipped", s.skipped),
        ("manual steps", s.manual),
        ("warnings", s.warnings),
        ("errors", s.errors),
    ];
    let _ = writeln!(out, "{}", bold("summary", color));
    for (label, n) in rows {
        let _ = writeln!(out, "  {label:<14}{n:>7}");
    }
    let hint = match mode {
        Mode::Preview if s.migrated > 0 && s.errors == 0 => "run again with --write to apply",
        Mode::Preview if s.migrated > 0 => {
            "run again with --write to apply the files without errors"
        }
        Mode::Check if s.migrated > 0 => "migrations are pending: run `oc2otel migrate --write`",
        _ => "",
    };
    if !hint.is_empty() {
        let _ = writeln!(out, "{hint}");
    }
    out
}

/// How many files a next step names, unless the report is verbose.
pub const STEP_FILES: usize = 3;

/// How many files the report names under each next step at `verbosity`
/// (`None`: all).
pub fn step_files(verbosity: Verbosity) -> Option<usize> {
    match verbosity {
        Verbosity::Quiet => Some(0),
        Verbosity::Verbose => None,
        _ => Some(STEP_FILES),
    }
}

/// The next steps of the run, each once with its counts and files (the
/// first [`STEP_FILES`], or with `verbose` all of them).
pub fn next_steps(s: &Summary, verbose: bool, color: bool) -> String {
    let mut out = String::new();
    if s.steps.is_empty() {
        return out;
    }
    let _ = writeln!(out, "{}", bold("next steps", color));
    let max = (!verbose).then_some(STEP_FILES);
    for (n, group) in s.steps.groups().enumerate() {
        let _ = writeln!(out, "  {:>2}. {}", n + 1, steps::headline(&group));
        let _ = writeln!(out, "      {}", steps::files(&group, max));
    }
    out
}

/// `--statistics`: how often each code was reported, most frequent first
/// (as ruff's).
pub fn statistics(s: &Summary, color: bool) -> String {
    let mut rows: Vec<(&crate::model::diagnostic::Code, &usize)> = s.codes.0.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut out = String::new();
    let _ = writeln!(out, "{}", bold("statistics", color));
    for (code, count) in rows {
        let _ = writeln!(out, "  {count:>6}  {}  {}", code.as_str(), code.name());
    }
    out
}

/// One line per file for `--write`.
pub fn status_line(file: &FileOutcome) -> Option<String> {
    let collector = file
        .collector_path
        .as_ref()
        .map(|c| format!(" (collector config: {})", shown(c)))
        .unwrap_or_default();
    let path = shown(&file.path);
    match file.status {
        FileStatus::Migrated => Some(format!("migrated {path}{collector}")),
        FileStatus::WouldMigrate => Some(format!("would migrate {path}{collector}")),
        FileStatus::Error => Some(format!("error in {path}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Code;
    use crate::syntax::source::LineIndex;

    /// Errors alone exactly where a migrated config's warnings and infos
    /// are hidden and no diff is shown: `--check` without `-v`, and
    /// `--write -q`.
    #[test]
    fn errors_alone_are_shown_by_check_and_a_quiet_write() {
        for mode in [Mode::Check, Mode::Preview, Mode::Write] {
            for verbosity in [Verbosity::Quiet, Verbosity::Normal, Verbosity::Verbose] {
                let errors = matches!(
                    (mode, verbosity),
                    (Mode::Check, Verbosity::Quiet | Verbosity::Normal)
                        | (Mode::Write, Verbosity::Quiet)
                );
                let expected = if errors {
                    Shown::Errors
                } else {
                    Shown::Everything
                };
                assert_eq!(
                    diagnostics_shown(mode, verbosity),
                    expected,
                    "{mode:?} {verbosity:?}"
                );
            }
        }
    }

    /// A diagnostic at `offset` of `text`, located.
    fn at(text: &str, offset: usize, len: usize) -> Diagnostic {
        let mut d = Diagnostic::warning(Code::UnknownKey, "m").at("/k", offset..offset + len);
        d.locate(text, &LineIndex::new(text));
        d
    }

    #[test]
    fn a_snippet_of_a_long_line_is_a_window_with_the_files_column() {
        // One line of 1 MB, a secret and a control character near the span.
        let text = format!(
            "{{\"a\": \"{}\", \"password\": \"S1\", \"b\u{1b}\": 1, \"c\": \"{}\"}}",
            "x".repeat(500_000),
            "y".repeat(500_000)
        );
        let secret = text.find("\"S1\"").unwrap();
        let source = Redacted::new(&text, std::slice::from_ref(&(secret..secret + 4)));
        let key = text.find("\"b\u{1b}\"").unwrap();
        let d = at(&text, key, 1_000);
        let (snippet, line, span) = snippet(&d, Some(&source)).unwrap();
        assert_eq!(line, 1);
        // Bounded by the window, whatever the line's length.
        assert!(
            snippet.len() <= 2 * WINDOW + SPAN_SHOWN + 6 + 16,
            "{}",
            snippet.len()
        );
        assert!(
            snippet.starts_with("...") && snippet.ends_with("..."),
            "{snippet}"
        );
        assert!(
            snippet.contains("\"password\": \"<redacted>\""),
            "{snippet}"
        );
        assert_eq!(&snippet[span.start..span.start + 9], "\"b\\u{1b}\"");
        // The location is the file's column, not the window's.
        let rendered = render_full(&d, None, "k.json", Some(&source), &Renderer::plain());
        assert!(rendered.len() < 1_000, "{rendered}");
        let column = d.column.unwrap();
        assert!(
            rendered.contains(&format!("--> k.json:1:{column}\n")),
            "{rendered}"
        );
        // A short line is shown whole.
        let text = "{\"a\": 1}";
        let d = at(text, 1, 3);
        let (short, _, span) = super::snippet(&d, Some(&Redacted::new(text, &[]))).unwrap();
        assert_eq!((short.as_str(), span), (text, 1..4));
    }
}
