//! The JSON report of `--format json` (shape in SPEC section 1, plus the
//! run's `next_steps`; docs/cli.md#json-report), written a file at a time, so that a run over many files never holds all their
//! reports; the text is that of one `serde_json` pretty document.

use std::io;

use serde::Serialize;

use super::{Reporter, Streams};
use crate::workspace::outcome::{FileOutcome, Summary};
use crate::workspace::steps::StepFiles;

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

/// One entry of the `next_steps` array: a step of the next-step table
/// (`id`, `manual`), its text with the run's counts, the codes it answers,
/// and the files it concerns.
#[derive(Serialize)]
struct NextStep<'a> {
    id: &'a str,
    text: String,
    manual: bool,
    code: &'a str,
    configs: usize,
    occurrences: usize,
    files: StepFiles<'a>,
}

fn next_steps(summary: &Summary) -> Vec<NextStep<'_>> {
    summary
        .steps
        .groups()
        .map(|g| NextStep {
            id: g.step.id,
            text: super::steps::headline(&g),
            manual: g.step.manual,
            code: g.step.code.as_str(),
            configs: g.files.len(),
            occurrences: g.occurrences,
            files: g.files,
        })
        .collect()
}

fn file(f: &FileOutcome) -> File<'_> {
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

/// `--format json`.
#[derive(Debug, Default)]
pub struct Json {
    files: FileList,
}

impl Reporter<FileOutcome, Summary> for Json {
    fn file(&mut self, outcome: &FileOutcome, out: &mut Streams<'_>) -> io::Result<()> {
        self.files.item(&file(outcome), out.stdout)
    }

    fn finish(&mut self, summary: &Summary, out: &mut Streams<'_>) -> io::Result<()> {
        let steps = serde_json::to_string_pretty(&next_steps(summary)).map_err(io::Error::other)?;
        let steps = steps.replace('\n', "\n  ");
        let summary = serde_json::to_string_pretty(summary).map_err(io::Error::other)?;
        let summary = summary.replace('\n', "\n  ");
        let end = format!(",\n  \"next_steps\": {steps},\n  \"summary\": {summary}\n}}\n");
        self.files.end(&end, out.stdout)
    }
}

/// The `"files"` array of a document `{"version": 1, "files": [...], ...}`
/// written an item at a time, laid out as `serde_json`'s pretty printer
/// lays out the whole document (shared by the `explain` view).
#[derive(Debug, Default)]
pub struct FileList {
    items: usize,
}

impl FileList {
    /// Write one item (the document's head before the first).
    pub fn item(&mut self, item: &impl Serialize, out: &mut dyn io::Write) -> io::Result<()> {
        let body = super::json_text(serde_json::to_string_pretty(item).map_err(io::Error::other)?);
        let mut text = String::new();
        if self.items == 0 {
            text.push_str(HEAD);
        }
        text.push_str(if self.items == 0 { "\n" } else { ",\n" });
        for (i, line) in body.lines().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str("    ");
            text.push_str(line);
        }
        self.items += 1;
        out.write_all(text.as_bytes())
    }

    /// Close the array, then write `rest` (`,` and the document's other
    /// members, or `\n}\n`).
    pub fn end(&mut self, rest: &str, out: &mut dyn io::Write) -> io::Result<()> {
        let close = if self.items == 0 {
            format!("{HEAD}]")
        } else {
            "\n  ]".to_string()
        };
        out.write_all(format!("{close}{rest}").as_bytes())
    }
}

const HEAD: &str = "{\n  \"version\": 1,\n  \"files\": [";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::{Code, Diagnostic as Diag};
    use crate::syntax::source::Format;
    use crate::workspace::outcome::FileStatus;

    fn outcome(path: &str) -> FileOutcome {
        let mut f = FileOutcome::new(path.into(), Format::Json, FileStatus::WouldMigrate);
        f.collector_path = Some("x.yaml".into());
        f.diagnostics = vec![Diag::warning(Code::Secret, "m").at("/a", 0..1)];
        f
    }

    #[derive(Serialize)]
    struct Whole<'a> {
        version: u32,
        files: Vec<File<'a>>,
        next_steps: Vec<NextStep<'a>>,
        summary: &'a Summary,
    }

    #[test]
    fn the_stream_writes_one_pretty_document() {
        for files in [vec![], vec![outcome("a")], vec![outcome("a"), outcome("b")]] {
            let mut json = Json::default();
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            let mut out = Streams {
                stdout: &mut stdout,
                stderr: &mut stderr,
            };
            for f in &files {
                json.file(f, &mut out).unwrap();
            }
            let summary = Summary::of(&files);
            json.finish(&summary, &mut out).unwrap();
            let whole = Whole {
                version: 1,
                files: files.iter().map(file).collect(),
                next_steps: next_steps(&summary),
                summary: &summary,
            };
            let mut expected = serde_json::to_string_pretty(&whole).unwrap();
            expected.push('\n');
            assert_eq!(String::from_utf8(stdout).unwrap(), expected);
            assert!(stderr.is_empty());
        }
    }
}
