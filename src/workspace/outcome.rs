//! What a run did with each file ([`FileOutcome`]) and over all of them
//! ([`Summary`]): plain data that every reporter reads, so that no report
//! format re-derives a status or recounts a total.

use crate::migration::picture::Picture;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::redact::Redacted;
use crate::syntax::source::Format;
use crate::workspace::discover::Problem;
use crate::workspace::input::Input;
use crate::workspace::plan::PlannedWrite;
use crate::workspace::steps::{CodeCounts, NextSteps};

/// The status of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// Written (`--write`).
    Migrated,
    /// Would be written (preview, `--check`; `--write` before the write).
    WouldMigrate,
    Unchanged,
    /// Not a candidate (no legacy key), not read further.
    Skipped,
    Error,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Migrated => "migrated",
            FileStatus::WouldMigrate => "would_migrate",
            FileStatus::Unchanged => "unchanged",
            FileStatus::Skipped => "skipped",
            FileStatus::Error => "error",
        }
    }
}

/// Everything a run did and found for one file.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    /// The path as the user gave or the walk found it (`-` for stdin).
    pub path: String,
    pub format: Format,
    pub status: FileStatus,
    /// Where the collector config is (or would be) written.
    pub collector_path: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// The source with secrets hidden, for snippets (`None` if unreadable).
    pub source: Option<Redacted>,
    /// The before/after picture of the telemetry pipelines, when the
    /// file has a legacy block that migrates and the report shows it
    /// (`MigrateSettings::pictures`).
    pub picture: Option<Picture>,
    /// The preview's diff of every planned write (may be empty).
    pub diff: String,
    /// Secrets were hidden in `diff`: it shows `<redacted>` where the
    /// files hold values, so it does not apply as a patch.
    pub diff_redacted: bool,
    /// For standard input: what the filter prints (the migrated config,
    /// or the input unchanged). `None` after an error. The real bytes,
    /// secrets included: the filter's output, never a report's.
    pub filtered: Option<Vec<u8>>,
    /// The files to write, in the order they are written: the collector
    /// config, the deploy snippet, then the config that points at them.
    /// Their real bytes, secrets included: for the write path, never for
    /// a report (the preview shows `diff`, made from redacted texts).
    pub writes: Vec<PlannedWrite>,
    /// The config's secrets were not looked for (a report that shows only
    /// errors: `Shown::Errors`): its messages are as the rules wrote them
    /// and `source` is `None`. Such an outcome never has an error; one
    /// that has is migrated again with its secrets found
    /// ([`FileOutcome::needs_scrubbing`]).
    pub unscrubbed: bool,
}

impl FileOutcome {
    /// An outcome with nothing in it yet.
    pub fn new(path: String, format: Format, status: FileStatus) -> FileOutcome {
        FileOutcome {
            path,
            format,
            status,
            collector_path: None,
            diagnostics: Vec::new(),
            source: None,
            picture: None,
            diff: String::new(),
            diff_redacted: false,
            filtered: None,
            writes: Vec::new(),
            unscrubbed: false,
        }
    }

    /// An input that was not read further.
    pub fn skipped(input: &Input, diagnostic: Option<Diagnostic>) -> FileOutcome {
        let mut outcome = FileOutcome::new(input.display(), input.format(), FileStatus::Skipped);
        outcome.diagnostics.extend(diagnostic);
        outcome
    }

    /// An input that could not be read or decoded.
    pub fn failed(input: &Input, diagnostic: Diagnostic) -> FileOutcome {
        let mut outcome = FileOutcome::new(input.display(), input.format(), FileStatus::Error);
        outcome.diagnostics.push(diagnostic);
        outcome
    }

    /// Something a folder's walk could not read.
    pub fn from_problem(problem: &Problem) -> FileOutcome {
        let (status, diagnostic) = if problem.is_error {
            let d = Diagnostic::error(
                crate::model::diagnostic::Code::Unreadable,
                problem.message.clone(),
            );
            (FileStatus::Error, d)
        } else {
            let d = Diagnostic::warning(
                crate::model::diagnostic::Code::Unreadable,
                problem.message.clone(),
            );
            (FileStatus::Skipped, d)
        };
        let path = problem.path.display().to_string();
        let mut outcome = FileOutcome::new(path, Format::from_path(&problem.path), status);
        outcome.diagnostics.push(diagnostic);
        outcome
    }

    /// Stop: `diagnostic` says why the file is left as it is.
    pub fn refuse(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
        self.fail();
    }

    /// Mark the file failed: nothing of it is written or printed as output.
    pub fn fail(&mut self) {
        self.status = FileStatus::Error;
        self.writes.clear();
        self.diff.clear();
        self.filtered = None;
    }

    /// Whether this outcome is about to be shown with messages that were
    /// not scrubbed of the config's secrets: a report that shows only
    /// errors shows every diagnostic of a file that has one.
    pub fn needs_scrubbing(&self) -> bool {
        self.unscrubbed && (self.status == FileStatus::Error || self.count(Severity::Error) > 0)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    /// Files migrated, or that would be in preview and `--check`.
    pub migrated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    /// Files that could not be migrated.
    pub errors: usize,
    /// Warning diagnostics over all files.
    pub warnings: usize,
    /// Distinct next steps a person must do by hand (`steps`).
    #[serde(skip)]
    pub manual: usize,
    /// Info diagnostics over all files (shown only with `-v`).
    #[serde(skip)]
    pub infos: usize,
    /// What to do next, grouped across files.
    #[serde(skip)]
    pub steps: NextSteps,
    /// Diagnostics per code (`--statistics`).
    #[serde(skip)]
    pub codes: CodeCounts,
}

impl Summary {
    /// No file yet; each next step will list its first `listed` files
    /// (`None`: all of them), as the report shows them.
    pub fn listing(listed: Option<usize>) -> Summary {
        Summary {
            steps: NextSteps::listing(listed),
            ..Summary::default()
        }
    }

    pub fn of(files: &[FileOutcome]) -> Summary {
        let mut summary = Summary::default();
        for file in files {
            summary.add(file);
        }
        summary
    }

    /// Count one more file.
    pub fn add(&mut self, file: &FileOutcome) {
        self.files += 1;
        match file.status {
            FileStatus::Migrated | FileStatus::WouldMigrate => self.migrated += 1,
            FileStatus::Unchanged => self.unchanged += 1,
            FileStatus::Skipped => self.skipped += 1,
            FileStatus::Error => self.errors += 1,
        }
        self.warnings += file.count(Severity::Warning);
        self.infos += file.count(Severity::Info);
        self.steps.add(file);
        self.codes.add(file);
        self.manual = self.steps.manual();
    }
}
