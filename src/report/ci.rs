//! What CI reports (`--format sarif`, `--format github`) show for a file:
//! its diagnostics, plus one finding for a migration that is still
//! pending.
//!
//! People read the path list of `--check` and machines read the `status`
//! of the JSON report; a code-scanning alert or a pull-request annotation
//! needs a finding with a code and a place instead. It is OC701, put where
//! the file first uses OpenCensus (the earliest diagnostic inside a legacy
//! block), or on the file as a whole when no diagnostic is there.

use std::borrow::Cow;

use crate::model::diagnostic::{Code, Severity};
use crate::workspace::outcome::{FileOutcome, FileStatus};
use crate::workspace::settings::Mode;

/// One thing a CI report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<'a> {
    pub severity: Severity,
    pub code: Code,
    pub message: Cow<'a, str>,
    pub help: Option<Cow<'a, str>>,
    /// 1-based; `None` for the file as a whole.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// JSON-pointer segments of the legacy keys.
const LEGACY_SEGMENTS: [&str; 2] = [
    "/telemetry~1opencensus",
    "/github_com~1devopsfaith~1krakend-opencensus",
];

/// The level of a pending migration in CI reports: it fails `--check`, is
/// worth a look in a preview, and is gone after `--write`.
pub fn pending_level(mode: Mode) -> Option<Severity> {
    match mode {
        Mode::Check => Some(Severity::Error),
        Mode::Preview => Some(Severity::Warning),
        Mode::Write => None,
    }
}

/// The findings of one file, in the order of the report; the pending
/// migration (with severity `pending`, when the file would be migrated)
/// comes first.
pub fn findings(file: &FileOutcome, pending: Option<Severity>) -> Vec<Finding<'_>> {
    let mut out = Vec::with_capacity(file.diagnostics.len() + 1);
    if let Some(severity) = pending
        && file.status == FileStatus::WouldMigrate
    {
        let at = file
            .diagnostics
            .iter()
            .find(|d| d.line.is_some() && LEGACY_SEGMENTS.iter().any(|s| d.pointer.contains(s)));
        out.push(Finding {
            severity,
            code: Code::MigrationPending,
            message: Cow::Borrowed(
                "this config still uses KrakenD's deprecated OpenCensus telemetry module (telemetry/opencensus)",
            ),
            help: Some(Cow::Borrowed(
                "run `oc2otel migrate` to preview the migration to telemetry/opentelemetry, then `oc2otel migrate --write` to apply it",
            )),
            line: at.and_then(|d| d.line),
            column: at.and_then(|d| d.column),
        });
    }
    out.extend(file.diagnostics.iter().map(|d| Finding {
        severity: d.severity,
        code: d.code,
        message: Cow::Borrowed(d.message.as_str()),
        help: d.help.as_deref().map(Cow::Borrowed),
        line: d.line,
        column: d.column,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Diagnostic;
    use crate::syntax::source::Format;

    fn report(status: FileStatus, diagnostics: Vec<Diagnostic>) -> FileOutcome {
        let mut file = FileOutcome::new("k.json".into(), Format::Json, status);
        file.diagnostics = diagnostics;
        file
    }

    fn located(code: Code, pointer: &str, line: usize) -> Diagnostic {
        let mut d = Diagnostic::info(code, "x").at(pointer, 0..1);
        d.line = Some(line);
        d.column = Some(3);
        d
    }

    #[test]
    fn a_pending_migration_points_at_the_first_legacy_diagnostic() {
        let file = report(
            FileStatus::WouldMigrate,
            vec![
                located(Code::OldSchema, "/$schema", 2),
                located(
                    Code::TracesOff,
                    "/extra_config/telemetry~1opencensus/sample_rate",
                    7,
                ),
            ],
        );
        let found = findings(&file, Some(Severity::Error));
        assert_eq!(found.len(), 3);
        assert_eq!(
            (found[0].code, found[0].severity, found[0].line),
            (Code::MigrationPending, Severity::Error, Some(7))
        );
    }

    #[test]
    fn no_pending_finding_once_migrated_or_when_not_asked() {
        let d = vec![located(Code::TracesOff, "/telemetry~1opencensus", 1)];
        for (status, pending) in [
            (FileStatus::Migrated, Some(Severity::Error)),
            (FileStatus::Unchanged, Some(Severity::Error)),
            (FileStatus::WouldMigrate, None),
        ] {
            let file = report(status, d.clone());
            assert!(
                findings(&file, pending)
                    .iter()
                    .all(|f| f.code != Code::MigrationPending)
            );
        }
        let file = report(FileStatus::WouldMigrate, Vec::new());
        let found = findings(&file, Some(Severity::Warning));
        assert_eq!((found[0].line, found[0].column), (None, None));
    }
}
