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

fn file(f: &FileReport) -> File<'_> {
    File {
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
    }
}

/// The whole report as one JSON document (with a final newline).
pub fn render(files: &[FileReport]) -> String {
    let report = Report {
        version: 1,
        files: files.iter().map(file).collect(),
        summary: Summary::of(files),
    };
    let mut out = serde_json::to_string_pretty(&report).expect("a report serialises");
    out.push('\n');
    out
}

/// The same document written a file at a time, so that a run over many
/// files never holds all their reports: `begin`, `file` for each file,
/// then `end`. The text is identical to [`render`]'s.
#[derive(Debug, Default)]
pub struct Stream {
    files: usize,
}

impl Stream {
    pub fn begin(&mut self) -> String {
        "{\n  \"version\": 1,\n  \"files\": [".to_string()
    }

    pub fn file(&mut self, report: &FileReport) -> String {
        let body = serde_json::to_string_pretty(&file(report)).expect("a report serialises");
        let mut out = String::from(if self.files == 0 { "\n" } else { ",\n" });
        for (i, line) in body.lines().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str("    ");
            out.push_str(line);
        }
        self.files += 1;
        out
    }

    pub fn end(&mut self, summary: &Summary) -> String {
        let summary = serde_json::to_string_pretty(summary).expect("a summary serialises");
        let summary = summary.replace('\n', "\n  ");
        let close = if self.files == 0 { "]" } else { "\n  ]" };
        format!("{close},\n  \"summary\": {summary}\n}}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::{Code, Diagnostic as Diag};
    use crate::report::FileStatus;
    use crate::syntax::source::Format;

    fn report(path: &str) -> FileReport {
        FileReport {
            path: path.into(),
            format: Format::Json,
            status: FileStatus::WouldMigrate,
            collector_path: Some("x.yaml".into()),
            diagnostics: vec![Diag::warning(Code::Secret, "m").at("/a", 0..1)],
            source: None,
            diff: String::new(),
        }
    }

    #[test]
    fn the_stream_writes_the_same_document() {
        for files in [vec![], vec![report("a")], vec![report("a"), report("b")]] {
            let mut stream = Stream::default();
            let mut text = stream.begin();
            for f in &files {
                text.push_str(&stream.file(f));
            }
            text.push_str(&stream.end(&Summary::of(&files)));
            assert_eq!(text, render(&files));
        }
    }
}
