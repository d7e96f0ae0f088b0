//! The report of `oc2otel explain`: for every legacy field, what happens
//! to it, where it goes, why, and which page to read; for people (a table
//! per legacy block) and for machines (JSON).
//!
//! It is built only from the migration's diagnostics: a diagnostic with a
//! fate is a field's row, other warnings and errors are listed after the
//! table. Messages never hold secret values, so nothing needs redacting.

use std::fmt::Write as _;
use std::io;

use serde::Serialize;

use super::json::FileList;
use super::text::{self, columns, wrap};
use super::{Reporter, Streams, Style, shown};
use crate::model::diagnostic::{Action, Diagnostic, Severity};
use crate::model::docs;
use crate::model::locate::{OPENCENSUS, OPENCENSUS_V1};
use crate::syntax::tree::escape_token;
use crate::workspace::ops::explain::{ExplainSummary, Explained};

/// The diagnostics that are fields' fates.
fn fields(file: &Explained) -> impl Iterator<Item = &Diagnostic> {
    file.diagnostics.iter().filter(|d| d.fate.is_some())
}

/// Warnings that are no field's fate; all errors (an error may also be a
/// field's fate, and must not hide in the table).
fn others(file: &Explained, severity: Severity) -> impl Iterator<Item = &Diagnostic> {
    file.diagnostics.iter().filter(move |d| {
        d.severity == severity && (severity == Severity::Error || d.fate.is_none())
    })
}

/// `explain` for people: per file, a table per legacy block, then the
/// other warnings and the errors, laid out for the terminal's width.
pub struct ExplainHuman {
    width: usize,
    color: bool,
    files: usize,
}

impl ExplainHuman {
    pub fn new(style: Style) -> ExplainHuman {
        ExplainHuman {
            width: text::width(),
            color: style.stdout_color,
            files: 0,
        }
    }
}

impl Reporter<Explained, ExplainSummary> for ExplainHuman {
    fn file(&mut self, file: &Explained, out: &mut Streams<'_>) -> io::Result<()> {
        let mut text = if self.files > 0 {
            "\n".to_string()
        } else {
            String::new()
        };
        self.files += 1;
        text.push_str(&human(file, self.width, self.color));
        out.stdout.write_all(text.as_bytes())
    }

    fn finish(&mut self, _summary: &ExplainSummary, _out: &mut Streams<'_>) -> io::Result<()> {
        Ok(())
    }
}

/// `explain --format json`: one document (shape in `docs/cli.md`).
#[derive(Debug, Default)]
pub struct ExplainJson {
    files: FileList,
}

impl Reporter<Explained, ExplainSummary> for ExplainJson {
    fn file(&mut self, file: &Explained, out: &mut Streams<'_>) -> io::Result<()> {
        self.files.item(&json_file(file), out.stdout)
    }

    fn finish(&mut self, _summary: &ExplainSummary, out: &mut Streams<'_>) -> io::Result<()> {
        self.files.end("\n}\n", out.stdout)
    }
}

/// The legacy block a pointer is in, and the rest of the pointer.
fn split_block(pointer: &str) -> (&str, &str) {
    for key in [OPENCENSUS, OPENCENSUS_V1] {
        let token = format!("/{}", escape_token(key));
        if let Some(at) = pointer.find(&token) {
            let end = at + token.len();
            if pointer[end..].is_empty() || pointer[end..].starts_with('/') {
                return (&pointer[..end], pointer[end..].trim_start_matches('/'));
            }
        }
    }
    (pointer, "")
}

fn location(d: &Diagnostic) -> String {
    match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{l}:{c}"),
        _ => "-".into(),
    }
}

/// One file for people: a table per legacy block, then the other warnings
/// and the errors. `width` is the terminal width to fit.
fn human(file: &Explained, width: usize, color: bool) -> String {
    let bold = |t: &str| super::bold(t, color);
    let mut out = String::new();
    let _ = writeln!(out, "{}", bold(&shown(&file.path)));
    let fields: Vec<&Diagnostic> = fields(file).collect();
    if fields.is_empty() && !file.error {
        out.push_str("  no OpenCensus block: nothing to explain\n");
    }
    // Where each signal went and goes, before the field by field account.
    if let Some(picture) = &file.picture {
        let _ = writeln!(out, "\n  {}", bold("pipelines"));
        // Each path on a line, wrapped to the terminal's width with its
        // continuation indented under it.
        for line in super::picture::text(picture).lines() {
            let indent = line.len() - line.trim_start().len() + 2;
            for (i, piece) in wrap(line.trim_start(), width.saturating_sub(indent + 4))
                .iter()
                .enumerate()
            {
                let pad = if i == 0 { indent } else { indent + 4 };
                let _ = writeln!(out, "{}{piece}", " ".repeat(pad));
            }
        }
    }
    let mut blocks: Vec<&str> = Vec::new();
    for d in &fields {
        let (block, _) = split_block(&d.pointer);
        if !blocks.contains(&block) {
            blocks.push(block);
        }
    }
    for block in blocks {
        let rows: Vec<&Diagnostic> = fields
            .iter()
            .copied()
            .filter(|d| split_block(&d.pointer).0 == block)
            .collect();
        let _ = writeln!(out, "\n  {}", bold(&shown(block)));
        out.push_str(&table(&rows, width, color));
    }
    for (title, severity) in [
        ("other changes", Severity::Warning),
        ("errors", Severity::Error),
    ] {
        let list: Vec<&Diagnostic> = others(file, severity).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n  {}", bold(title));
        for d in list {
            let head = format!(
                "{}[{}] {}: {}",
                d.severity.as_str(),
                d.code.as_str(),
                location(d),
                shown(&d.message)
            );
            for (n, line) in wrap(&head, width - 4).into_iter().enumerate() {
                let indent = if n == 0 { "  - " } else { "    " };
                let _ = writeln!(out, "{indent}{line}");
            }
            detail(&mut out, "    ", d, width);
        }
    }
    if !fields.is_empty() {
        let _ = writeln!(out, "\n  {}", summary(&fields));
    }
    out
}

fn detail(out: &mut String, indent: &str, d: &Diagnostic, width: usize) {
    let room = width.saturating_sub(indent.len() + 6);
    if let Some(help) = &d.help {
        for (n, line) in wrap(&shown(help), room).into_iter().enumerate() {
            let label = if n == 0 { "help: " } else { "      " };
            let _ = writeln!(out, "{indent}{label}{line}");
        }
    }
    let _ = writeln!(out, "{indent}docs: {}", docs::url(d.code, &d.pointer));
}

fn action_style(action: Action) -> &'static str {
    match action {
        Action::Moved | Action::Converted => "\u{1b}[32m",
        Action::Defaulted => "\u{1b}[36m",
        Action::Dropped => "\u{1b}[33m",
        Action::Manual => "\u{1b}[35m",
    }
}

/// One legacy block's table: a row per field (line, field, action, where
/// it went), with the why, the help and the page below it.
fn table(rows: &[&Diagnostic], width: usize, color: bool) -> String {
    const INDENT: &str = "  ";
    let line_w = rows
        .iter()
        .map(|d| location(d).len())
        .max()
        .unwrap_or(1)
        .max(4);
    let action_w = 9;
    let fixed = INDENT.len() + line_w + 2 + action_w + 2;
    let room = width.saturating_sub(fixed + 2).max(30);
    let field_w = rows
        .iter()
        .map(|d| field_name(d).chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, room / 2);
    let target_w = room.saturating_sub(field_w).max(12);
    let widths = [line_w, field_w, action_w, target_w];
    let header = vec![
        "LINE".to_string(),
        "FIELD".to_string(),
        "ACTION".to_string(),
        "WHERE IT WENT".to_string(),
    ];
    let mut out = columns(&[header], &widths, INDENT);
    let detail_indent = " ".repeat(INDENT.len() + line_w + 2);
    let why_w = width.saturating_sub(detail_indent.len()).max(30);
    for d in rows {
        let fate = d.fate.as_ref().expect("rows have a fate");
        let row = vec![
            location(d),
            field_name(d),
            fate.action.as_str().to_string(),
            fate.target
                .as_deref()
                .map_or_else(|| "-".into(), |t| shown(t).into_owned()),
        ];
        let mut text = columns(&[row], &widths, INDENT);
        if color {
            let action = fate.action.as_str();
            if let Some(at) = text.find(&format!("  {action}")) {
                text.replace_range(
                    at + 2..at + 2 + action.len(),
                    &format!("{}{action}\u{1b}[0m", action_style(fate.action)),
                );
            }
        }
        out.push_str(&text);
        for line in wrap(&shown(&d.message), why_w) {
            let _ = writeln!(out, "{detail_indent}{line}");
        }
        detail(&mut out, &detail_indent, d, width);
    }
    out
}

/// The field relative to its block (`exporters/xray/region`), or a name
/// for the block itself.
fn field_name(d: &Diagnostic) -> String {
    let (_, rest) = split_block(&d.pointer);
    if rest.is_empty() {
        "(the block)".into()
    } else {
        shown(rest).into_owned()
    }
}

fn summary(fields: &[&Diagnostic]) -> String {
    let mut counts = Vec::new();
    for action in [
        Action::Moved,
        Action::Converted,
        Action::Defaulted,
        Action::Dropped,
        Action::Manual,
    ] {
        let n = fields
            .iter()
            .filter(|d| d.fate.as_ref().is_some_and(|f| f.action == action))
            .count();
        if n > 0 {
            counts.push(format!("{n} {}", action.as_str()));
        }
    }
    format!(
        "{} {}: {}",
        fields.len(),
        if fields.len() == 1 {
            "entry"
        } else {
            "entries"
        },
        counts.join(", ")
    )
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    status: &'static str,
    fields: Vec<Field<'a>>,
    notes: Vec<Note<'a>>,
    errors: Vec<Note<'a>>,
}

#[derive(Serialize)]
struct Field<'a> {
    pointer: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    action: &'static str,
    target: Option<&'a str>,
    why: &'a str,
    help: Option<&'a str>,
    code: &'static str,
    docs: &'static str,
}

#[derive(Serialize)]
struct Note<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    pointer: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<&'a str>,
    docs: &'static str,
}

fn note(d: &Diagnostic) -> Note<'_> {
    Note {
        severity: d.severity.as_str(),
        code: d.code.as_str(),
        message: &d.message,
        pointer: &d.pointer,
        line: d.line,
        column: d.column,
        help: d.help.as_deref(),
        docs: docs::url(d.code, &d.pointer),
    }
}

/// One file of the JSON document.
fn json_file(f: &Explained) -> File<'_> {
    File {
        path: &f.path,
        status: if f.error { "error" } else { "ok" },
        fields: fields(f)
            .map(|d| {
                let fate = d.fate.as_ref().expect("fields have a fate");
                Field {
                    pointer: &d.pointer,
                    line: d.line,
                    column: d.column,
                    action: fate.action.as_str(),
                    target: fate.target.as_deref(),
                    why: &d.message,
                    help: d.help.as_deref(),
                    code: d.code.as_str(),
                    docs: docs::url(d.code, &d.pointer),
                }
            })
            .collect(),
        notes: others(f, Severity::Warning).map(note).collect(),
        errors: others(f, Severity::Error).map(note).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::split_block;

    #[test]
    fn pointers_split_at_the_legacy_key() {
        assert_eq!(
            split_block("/extra_config/telemetry~1opencensus/exporters/xray/region"),
            (
                "/extra_config/telemetry~1opencensus",
                "exporters/xray/region"
            )
        );
        assert_eq!(
            split_block("/endpoints/0/extra_config/github_com~1devopsfaith~1krakend-opencensus"),
            (
                "/endpoints/0/extra_config/github_com~1devopsfaith~1krakend-opencensus",
                ""
            )
        );
        assert_eq!(
            split_block("/extra_config/telemetry~1opencensusx/a"),
            ("/extra_config/telemetry~1opencensusx/a", "")
        );
    }
}
