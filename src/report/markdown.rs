//! `--format markdown`: a report for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. Per file that migrates (or failed), a heading,
//! the before/after picture of its telemetry pipelines as a Mermaid
//! diagram (GitHub draws it), and its warnings and errors folded in a
//! `<details>`; a file whose picture is that of an earlier one says so
//! instead of drawing it again; then the run's next steps and summary.
//!
//! Everything shown is a redacted view: the pictures hold no credential,
//! messages never hold a secret value, and every name goes through
//! [`shown`] and [`inline`] so that it cannot end a code span, open a tag
//! or forge a line.

use std::fmt::Write as _;
use std::io;

use super::shown;
use super::{Reporter, Streams, picture, steps};
use crate::migration::picture::Picture;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::workspace::outcome::{FileOutcome, FileStatus, Summary};
use crate::workspace::settings::Mode;

/// How many files keep their details open: past this, a long run is read
/// from the summary down.
const OPEN_FILES: usize = 3;
/// How many files a next step names.
pub const STEP_FILES: usize = 5;

/// `--format markdown`.
pub struct Markdown {
    mode: Mode,
    /// The pictures drawn so far, with the file that drew each.
    drawn: Vec<(Picture, String)>,
    files: usize,
}

impl Markdown {
    pub fn new(mode: Mode) -> Markdown {
        Markdown {
            mode,
            drawn: Vec::new(),
            files: 0,
        }
    }
}

/// Text safe inside a markdown line: control characters escaped, and the
/// characters that open markup (`<`, `&`, backticks, `|`, `*`, `_`, `[`)
/// written as HTML entities.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in shown(text).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' | '|' | '*' | '[' | ']' | '\\' | '#' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn status(file: &FileOutcome, mode: Mode) -> &'static str {
    match (file.status, mode) {
        (FileStatus::Migrated, _) => "migrated",
        (FileStatus::WouldMigrate, Mode::Write) => "not written",
        (FileStatus::WouldMigrate, _) => "to migrate",
        (FileStatus::Error, _) => "error",
        (FileStatus::Unchanged, _) => "left for a manual step",
        (FileStatus::Skipped, _) => "skipped",
    }
}

fn diagnostic_line(d: &Diagnostic) -> String {
    let at = d.line.map(|l| format!(" line {l}")).unwrap_or_default();
    format!(
        "- **{}** `{}`{at}: {}\n",
        d.severity.as_str(),
        d.code.as_str(),
        inline(&d.message)
    )
}

impl Markdown {
    fn section(&mut self, file: &FileOutcome) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### {} ({})\n",
            inline(&file.path),
            status(file, self.mode)
        );
        if let Some(picture) = &file.picture {
            match self.drawn.iter().find(|(p, _)| p == picture) {
                Some((_, first)) => {
                    let _ = writeln!(out, "Same pipelines as {}.\n", inline(first));
                }
                None => {
                    let _ = writeln!(out, "```mermaid\n{}```\n", picture::mermaid(picture));
                    self.drawn.push((picture.clone(), file.path.clone()));
                }
            }
        }
        let shown: Vec<&Diagnostic> = file
            .diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .collect();
        if !shown.is_empty() {
            let open = if self.files <= OPEN_FILES {
                " open"
            } else {
                ""
            };
            let errors = file.count(Severity::Error);
            let warnings = file.count(Severity::Warning);
            let _ = writeln!(
                out,
                "<details{open}><summary>{errors} errors, {warnings} warnings</summary>\n"
            );
            for d in shown {
                out.push_str(&diagnostic_line(d));
            }
            out.push_str("\n</details>\n\n");
        }
        out
    }
}

impl Reporter<FileOutcome, Summary> for Markdown {
    fn file(&mut self, file: &FileOutcome, out: &mut Streams<'_>) -> io::Result<()> {
        let listed = matches!(
            file.status,
            FileStatus::Migrated | FileStatus::WouldMigrate | FileStatus::Error
        );
        if !listed {
            return Ok(());
        }
        self.files += 1;
        let mut text = String::new();
        if self.files == 1 {
            text.push_str("## oc2otel: OpenCensus to OpenTelemetry\n\n");
        }
        text.push_str(&self.section(file));
        out.stdout.write_all(text.as_bytes())
    }

    fn finish(&mut self, summary: &Summary, out: &mut Streams<'_>) -> io::Result<()> {
        let mut text = String::new();
        if self.files == 0 {
            text.push_str(
                "## oc2otel: OpenCensus to OpenTelemetry\n\nNo config uses OpenCensus.\n\n",
            );
        }
        if !summary.steps.is_empty() {
            text.push_str("### Next steps\n\n");
            for (n, group) in summary.steps.groups().enumerate() {
                let by_hand = if group.step.manual { "" } else { " *(rerun)*" };
                let _ = writeln!(
                    text,
                    "{}. {}{by_hand}  \n   {}",
                    n + 1,
                    inline(&steps::headline(&group)),
                    inline(&steps::files(&group, Some(STEP_FILES)))
                );
            }
            text.push('\n');
        }
        let migrated = match self.mode {
            Mode::Write => "migrated",
            Mode::Preview | Mode::Check => "to migrate",
        };
        text.push_str("### Summary\n\n| | files |\n|---|---:|\n");
        for (label, n) in [
            ("scanned", summary.files),
            (migrated, summary.migrated),
            ("unchanged", summary.unchanged),
            ("skipped", summary.skipped),
            ("errors", summary.errors),
        ] {
            let _ = writeln!(text, "| {label} | {n} |");
        }
        let _ = writeln!(
            text,
            "\n{} manual steps, {} warnings.",
            summary.manual, summary.warnings
        );
        out.stdout.write_all(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_opens_no_markup() {
        assert_eq!(inline("a<b>`c`|d"), "a&lt;b&gt;&#96;c&#96;&#124;d");
        assert_eq!(inline("x\ny"), "x&#92;ny");
        assert_eq!(
            inline("services/orders/krakend.json"),
            "services/orders/krakend.json"
        );
    }
}
