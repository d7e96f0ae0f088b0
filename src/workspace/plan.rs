//! The files a migration plans to write, and the one write path that
//! carries a plan out.
//!
//! A plan is decided before anything is written: the collector config and
//! the deploy snippet are created only where no file is, or where one
//! already holds exactly their text (a rerun after a partial write); the
//! config is replaced only if it still holds the bytes that were read.
//! Writing follows the plan's order, the collector config and the snippet
//! before the config that points at them, so that a config never points at
//! a file that could not be written; the first failure stops the rest.
//! Each write is atomic and guarded ([`crate::workspace::write`]), and
//! `--write` refuses a config git holds no clean copy of
//! ([`crate::workspace::vcs`]) before writing anything of its plan.

use std::path::{Path, PathBuf};

use crate::model::diagnostic::{Code, Diagnostic};
use crate::syntax::source::{self, ReadError};
use crate::workspace::vcs::GitGuard;
use crate::workspace::write;

/// What a planned file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// The collector config the new block sends to.
    Collector,
    /// The sidecar snippet of `--emit-deploy`.
    Deploy,
    /// The migrated config itself, replaced in place.
    Config,
}

impl WriteKind {
    /// The file, as messages name it.
    fn describe(self, path: &Path) -> String {
        match self {
            WriteKind::Collector => format!("the collector config {}", path.display()),
            WriteKind::Deploy => format!("the deploy snippet {}", path.display()),
            WriteKind::Config => path.display().to_string(),
        }
    }

    /// The code of a file in the way of this one.
    fn in_the_way(self) -> Code {
        match self {
            WriteKind::Deploy => Code::DeployFileExists,
            WriteKind::Collector | WriteKind::Config => Code::CollectorFileExists,
        }
    }
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedWrite {
    pub kind: WriteKind,
    pub path: PathBuf,
    /// The bytes to write.
    pub bytes: Vec<u8>,
    /// What the file holds now, as read; `None`: it does not exist, and
    /// the write creates it.
    pub current: Option<Vec<u8>>,
}

impl PlannedWrite {
    /// The rewrite of a config read as `current`.
    pub fn config(path: &Path, current: Vec<u8>, bytes: Vec<u8>) -> PlannedWrite {
        PlannedWrite {
            kind: WriteKind::Config,
            path: path.to_path_buf(),
            bytes,
            current: Some(current),
        }
    }

    /// A new file (collector config or snippet) at `path`, holding `text`.
    /// A file already there is read: holding the same text, it is left as
    /// it is; holding anything else, it is never overwritten, and the
    /// error says so (the config must then be left unchanged too).
    pub fn create(
        kind: WriteKind,
        path: &Path,
        text: String,
    ) -> Result<PlannedWrite, Box<Diagnostic>> {
        let current = if path.exists() {
            match source::read_file(path) {
                Ok(bytes) => Some(bytes),
                Err(err) => return Err(Box::new(unreadable(kind, path, &err))),
            }
        } else {
            None
        };
        let write = PlannedWrite {
            kind,
            path: path.to_path_buf(),
            bytes: text.into_bytes(),
            current,
        };
        if write.current.as_ref().is_some_and(|c| *c != write.bytes) {
            let help = match kind {
                WriteKind::Collector => {
                    "move or delete that file, or choose another with --collector-out, then migrate again"
                }
                WriteKind::Deploy | WriteKind::Config => {
                    "move or delete that file, then migrate again"
                }
            };
            return Err(Box::new(
                Diagnostic::error(
                    kind.in_the_way(),
                format!(
                    "{} already exists with other contents: it is not overwritten, and the config is left unchanged",
                    path.display()
                ),
                )
                .with_help(help),
            ));
        }
        Ok(write)
    }

    /// Whether the file already holds these bytes (nothing to write).
    pub fn is_done(&self) -> bool {
        self.kind != WriteKind::Config && self.current.as_ref() == Some(&self.bytes)
    }

    /// What the file holds now, as text for a diff.
    pub fn current_text(&self) -> Option<String> {
        self.current
            .as_ref()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    /// Write it: create a new file, or replace the config if it still
    /// holds what was read.
    fn execute(&self) -> Result<(), Box<Diagnostic>> {
        if self.is_done() {
            return Ok(());
        }
        let written = match (&self.current, self.kind) {
            (Some(current), WriteKind::Config) => write::replace(&self.path, current, &self.bytes),
            _ => write::create(&self.path, &self.bytes),
        };
        written.map_err(|err| {
            let left = match self.kind {
                WriteKind::Config => "the file is left unchanged",
                WriteKind::Collector | WriteKind::Deploy => "the config is left unchanged",
            };
            Box::new(Diagnostic::error(
                Code::Unreadable,
                format!(
                    "cannot write {}: {err}; {left}",
                    self.kind.describe(&self.path)
                ),
            ))
        })
    }
}

/// The error for an existing file in a planned file's place that cannot
/// be read to compare it.
fn unreadable(kind: WriteKind, path: &Path, err: &ReadError) -> Diagnostic {
    let message = match kind {
        WriteKind::Collector | WriteKind::Config => format!(
            "cannot read the existing collector config {}: {err}",
            path.display()
        ),
        WriteKind::Deploy => format!(
            "cannot read the existing {} to compare it: {err}",
            path.display()
        ),
    };
    Diagnostic::error(kind.in_the_way(), message)
}

/// Carry out a plan: refuse it whole if `guard` says a config it replaces
/// holds uncommitted work, else write each file in order, stopping at the
/// first failure. The error is the diagnostic to report.
pub fn execute(writes: &[PlannedWrite], guard: Option<&GitGuard>) -> Result<(), Box<Diagnostic>> {
    if let Some(guard) = guard {
        for write in writes.iter().filter(|w| w.kind == WriteKind::Config) {
            if let Some(why) = guard.refusal(&write.path) {
                let refusal = Diagnostic::error(Code::DirtyFile, format!("not written: {why}"))
                    .with_help("commit or stash your changes first (the commit is the undo), or pass --allow-dirty");
                return Err(Box::new(refusal));
            }
        }
    }
    writes.iter().try_for_each(PlannedWrite::execute)
}

/// `dir/krakend.json` -> `dir/krakend.otel-collector.yaml`: where a
/// config's collector config goes unless `--collector-out` says otherwise.
pub fn sibling_collector_path(config: &Path) -> PathBuf {
    let stem = config
        .file_stem()
        .map_or_else(|| "krakend".into(), |s| s.to_string_lossy().into_owned());
    config.with_file_name(format!("{stem}.otel-collector.yaml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_the_way_is_kept_unless_it_already_holds_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        let new = PlannedWrite::create(WriteKind::Collector, &path, "a: 1\n".into()).unwrap();
        assert_eq!(new.current, None);
        std::fs::write(&path, "a: 1\n").unwrap();
        let same = PlannedWrite::create(WriteKind::Collector, &path, "a: 1\n".into()).unwrap();
        assert!(same.is_done());
        let other = PlannedWrite::create(WriteKind::Deploy, &path, "b: 2\n".into()).unwrap_err();
        assert_eq!(other.code, Code::DeployFileExists);
        assert!(other.message.contains("already exists with other contents"));
    }

    #[test]
    fn a_plan_stops_at_its_first_failure() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("k.json");
        std::fs::write(&config, "old").unwrap();
        let writes = [
            PlannedWrite::create(
                WriteKind::Collector,
                &dir.path().join("no/c.yaml"),
                "x".into(),
            )
            .unwrap(),
            PlannedWrite::config(&config, b"old".to_vec(), b"new".to_vec()),
        ];
        let err = execute(&writes, None).unwrap_err();
        assert!(
            err.message.contains("the config is left unchanged"),
            "{err:?}"
        );
        assert_eq!(std::fs::read(&config).unwrap(), b"old");
    }

    #[test]
    fn collector_configs_go_next_to_their_config() {
        assert_eq!(
            sibling_collector_path(Path::new("conf/prod.json")),
            Path::new("conf/prod.otel-collector.yaml")
        );
    }
}
