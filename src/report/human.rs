//! The report for people: diagnostics with source snippets (rendered by
//! annotate-snippets, as rustc and ruff do), and a summary.
//!
//! Snippets are cut from the redacted source, so a secret never reaches
//! the terminal even when a diagnostic points at its line.

use std::borrow::Cow;
use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use super::{FileReport, FileStatus, Summary};
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::redact::Redacted;

/// How much to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Errors and warnings with snippets, infos on one line each.
    Normal,
    /// Everything with snippets.
    Verbose,
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

/// The diagnostics of one file.
pub fn diagnostics(file: &FileReport, verbosity: Verbosity, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let shown: Vec<&Diagnostic> = file
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error || verbosity != Verbosity::Quiet)
        .collect();
    let mut seen: std::collections::HashMap<(Severity, &str, &str), usize> = Default::default();
    let mut folded: Vec<(&Diagnostic, Vec<usize>)> = Vec::new();
    let mut out = String::new();
    for d in shown {
        let key = (d.severity, d.code.as_str(), d.message.as_str());
        let count = seen.entry(key).or_default();
        *count += 1;
        if *count > REPEATS_SHOWN && verbosity != Verbosity::Verbose {
            match folded.iter_mut().find(|(first, _)| {
                (first.severity, first.code.as_str(), first.message.as_str()) == key
            }) {
                Some((_, lines)) => lines.extend(d.line),
                None => folded.push((d, d.line.into_iter().collect())),
            }
            continue;
        }
        let full = match d.severity {
            Severity::Error => true,
            Severity::Warning => verbosity != Verbosity::Quiet,
            Severity::Info => verbosity == Verbosity::Verbose,
        };
        if full {
            out.push_str(&render_full(d, &file.path, file.source.as_ref(), &renderer));
            out.push('\n');
        } else {
            out.push_str(&render_line(d, &file.path, color));
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
            file.path,
            lines.len().max(1),
            listed.join(", ")
        );
    }
    out
}

/// One line: `info[OC104] krakend.json:5:7: message`.
fn render_line(d: &Diagnostic, path: &str, color: bool) -> String {
    let (start, end) = if color {
        ("\u{1b}[1;94m", "\u{1b}[0m")
    } else {
        ("", "")
    };
    let location = match (d.line, d.column) {
        (Some(line), Some(column)) => format!("{path}:{line}:{column}"),
        _ => path.to_string(),
    };
    let mut line = format!(
        "{start}{}[{}]{end} {location}: {}\n",
        d.severity.as_str(),
        d.code.as_str(),
        d.message
    );
    if let Some(help) = &d.help {
        let _ = writeln!(line, "  = help: {help}");
    }
    line
}

fn render_full(
    d: &Diagnostic,
    path: &str,
    source: Option<&Redacted>,
    renderer: &Renderer,
) -> String {
    let title = level(d.severity)
        .primary_title(Cow::Owned(d.message.clone()))
        .id(Cow::Borrowed(d.code.as_str()));
    let mut group = match snippet(d, source) {
        Some((text, line, span)) => title.element(
            Snippet::source(text)
                .path(path.to_string())
                .line_start(line)
                .annotation(AnnotationKind::Primary.span(span)),
        ),
        None => {
            // No source to show (the file could not be decoded), but the
            // place is known: print it as `--> path:line:column`.
            let mut origin = annotate_snippets::Origin::path(path.to_string());
            if let (Some(line), Some(column)) = (d.line, d.column) {
                origin = origin.line(line).char_column(column);
            }
            title.element(origin)
        }
    };
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.clone()));
    }
    renderer.render(&[group])
}

/// The first source line of the diagnostic's span (from the redacted
/// text), its number, and the span within it.
fn snippet(
    d: &Diagnostic,
    source: Option<&Redacted>,
) -> Option<(String, usize, std::ops::Range<usize>)> {
    let (span, source, line) = (d.span.as_ref()?, source?, d.line?);
    let text = &source.text;
    let mapped = source.map_span(span);
    let at = mapped.start.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let snippet = text[line_start..line_end]
        .trim_end_matches('\r')
        .to_string();
    let start = (at - line_start).min(snippet.len());
    let end = (mapped.end.min(line_end).saturating_sub(line_start))
        .min(snippet.len())
        .max(start);
    Some((snippet, line, start..end))
}

/// The closing summary, as a small table.
pub fn summary(s: &Summary, mode: &str, color: bool) -> String {
    let s = *s;
    let bold = |t: &str| {
        if color {
            format!("\u{1b}[1m{t}\u{1b}[0m")
        } else {
            t.to_string()
        }
    };
    let migrated_label = match mode {
        "write" => "migrated",
        _ => "to migrate",
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
    let _ = writeln!(out, "{}", bold("summary"));
    for (label, n) in rows {
        let _ = writeln!(out, "  {label:<14}{n:>7}");
    }
    let hint = match mode {
        "preview" if s.migrated > 0 && s.errors == 0 => "run again with --write to apply",
        "preview" if s.migrated > 0 => "run again with --write to apply the files without errors",
        "check" if s.migrated > 0 => "migrations are pending: run `oc2otel migrate --write`",
        _ => "",
    };
    if !hint.is_empty() {
        let _ = writeln!(out, "{hint}");
    }
    out
}

/// One line per file for `--check` and `--write`.
pub fn status_line(file: &FileReport) -> Option<String> {
    let collector = file
        .collector_path
        .as_ref()
        .map(|c| format!(" (collector config: {c})"))
        .unwrap_or_default();
    match file.status {
        FileStatus::Migrated => Some(format!("migrated {}{collector}", file.path)),
        FileStatus::WouldMigrate => Some(format!("would migrate {}{collector}", file.path)),
        FileStatus::Error => Some(format!("error in {}", file.path)),
        _ => None,
    }
}
