//! The JSON report of `--format json` (shape in SPEC section 1).

use serde::Serialize;

use super::{FileReport, Summary};

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files: Vec<File<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    format: &'a str,
    status: &'a str,
    collector_path: Option<&'a str>,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    severity: &'a str,
    code: &'a str,
    message: &'a str,
    pointer: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<&'a str>,
}

/// The whole report as one JSON document (with a final newline).
pub fn render(files: &[FileReport]) -> String {
    let report = Report {
        version: 1,
        files: files
            .iter()
            .map(|f| File {
                path: &f.path,
                format: f.format.as_str(),
                status: f.status.as_str(),
                collector_path: f.collector_path.as_deref(),
                diagnostics: f
                    .diagnostics
                    .iter()
                    .map(|d| Diagnostic {
                        severity: d.severity.as_str(),
                        code: d.code.as_str(),
                        message: &d.message,
                        pointer: &d.pointer,
                        line: d.line,
                        column: d.column,
                        help: d.help.as_deref(),
                    })
                    .collect(),
            })
            .collect(),
        summary: Summary::of(files),
    };
    let mut out = serde_json::to_string_pretty(&report).expect("a report serialises");
    out.push('\n');
    out
}
