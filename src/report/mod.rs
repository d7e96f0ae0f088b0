//! Reports: what happened to each file, for people ([`human`]), for
//! machines ([`json`]) and for CI ([`sarif`], [`github`], both built on
//! [`ci`]). All render the same [`FileReport`]s. `explain` and `verify`
//! have their own reports ([`explain`], [`verify`]), laid out with
//! [`text`].

pub mod ci;
pub mod explain;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod text;
pub mod verify;

use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::redact::Redacted;
use crate::syntax::source::Format;

/// The status of a file in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// Written (`--write`).
    Migrated,
    /// Would be written (preview, `--check`).
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

/// Everything reported about one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as the user gave or the walk found it (`-` for stdin).
    pub path: String,
    pub format: Format,
    pub status: FileStatus,
    /// Where the collector config is (or would be) written.
    pub collector_path: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// The source with secrets hidden, for snippets (`None` if unreadable).
    pub source: Option<Redacted>,
    /// The rendered diff (preview only; may be empty).
    pub diff: String,
}

impl FileReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
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
    /// Diagnostics asking for a manual step.
    #[serde(skip)]
    pub manual: usize,
}

impl Summary {
    pub fn of(files: &[FileReport]) -> Summary {
        let mut summary = Summary::default();
        for file in files {
            summary.add(file);
        }
        summary
    }

    /// Count one more file.
    pub fn add(&mut self, file: &FileReport) {
        self.files += 1;
        match file.status {
            FileStatus::Migrated | FileStatus::WouldMigrate => self.migrated += 1,
            FileStatus::Unchanged => self.unchanged += 1,
            FileStatus::Skipped => self.skipped += 1,
            FileStatus::Error => self.errors += 1,
        }
        self.warnings += file.count(Severity::Warning);
        self.manual += file
            .diagnostics
            .iter()
            .filter(|d| {
                d.fate
                    .as_ref()
                    .is_some_and(|fate| fate.action == crate::model::diagnostic::Action::Manual)
            })
            .count();
    }
}
