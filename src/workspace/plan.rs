//! The files a migration plans to write, and the one write path that
//! carries a plan out.
//!
//! A plan is decided before anything is written: the collector config and
//! the deploy snippet are created only where no file is, or where one
//! already holds exactly their text (a rerun after a partial write); the
//! config is replaced only if it still holds the bytes that were read.
//! No two plans of a run may write one file with different bytes (two
//! configs whose collector configs share a name, a `--collector-out` that
//! is also the deploy snippet's path): [`crate::workspace::claims`] checks
//! each plan against those before it, in input order, before anything is
//! written.
//!
//! Writing follows the plan's order, the collector config and the snippet
//! before the config that points at them, so that a config never points at
//! a file that could not be written; the first failure stops the rest.
//! Each write is atomic and guarded ([`crate::workspace::write`]), and
//! `--write` refuses a config git holds no clean copy of
//! ([`crate::workspace::vcs`]) before writing anything of its plan.

use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use crate::model::diagnostic::{Code, Diagnostic};
use crate::syntax::source::{self, ReadBytes, ReadError};
use crate::workspace::beside::Beside;
use crate::workspace::vcs::{self, GitGuard};
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
    pub(crate) fn in_the_way(self) -> Code {
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
    /// Where the write really lands, so that two spellings of one file
    /// are one file.
    pub location: Location,
    /// The bytes to write.
    pub bytes: Vec<u8>,
    /// What the file holds now, as read; `None`: it does not exist, and
    /// the write creates it.
    pub current: Option<ReadBytes>,
    /// A digest of a new file's bytes, to tell two plans' files apart
    /// once the bytes are gone (0 for a config, whose bytes are never
    /// compared).
    pub digest: u64,
    /// `bytes` and `current` were let go ([`PlannedWrite::keep_summary`]):
    /// the plan says where each file goes, and cannot be carried out.
    summary_only: bool,
    /// Whether the file held these bytes when the summary was kept.
    done: bool,
}

impl PlannedWrite {
    /// The rewrite of a config read as `current`.
    pub fn config(path: &Path, current: ReadBytes, bytes: Vec<u8>) -> PlannedWrite {
        PlannedWrite::config_in(path, current, bytes, None)
    }

    /// [`PlannedWrite::config`] for a config whose folder `beside` listed:
    /// what the folder is, and whether the config is a link, come from the
    /// listing when it says.
    pub(crate) fn config_in(
        path: &Path,
        current: ReadBytes,
        bytes: Vec<u8>,
        beside: Option<&Beside>,
    ) -> PlannedWrite {
        let listed_plain = beside.is_some_and(|b| b.config_is_link == Some(false));
        let entry = if listed_plain {
            None
        } else {
            std::fs::symlink_metadata(path).ok()
        };
        let folder = beside.and_then(|b| b.folder.as_ref());
        PlannedWrite {
            kind: WriteKind::Config,
            path: path.to_path_buf(),
            location: Location::with_entry_in(path, entry.as_ref(), folder),
            bytes,
            current: Some(current),
            digest: 0,
            summary_only: false,
            done: false,
        }
    }

    /// A new file (collector config or snippet) at `path`, where `entry`
    /// says what is there now (links not followed), with its bytes.
    pub fn new_file(
        kind: WriteKind,
        path: &Path,
        entry: Option<&std::fs::Metadata>,
        bytes: Vec<u8>,
        current: Option<ReadBytes>,
    ) -> PlannedWrite {
        PlannedWrite::new_file_in(kind, path, entry, bytes, current, None)
    }

    /// [`PlannedWrite::new_file`] in a folder known to be `folder`, if it is.
    fn new_file_in(
        kind: WriteKind,
        path: &Path,
        entry: Option<&std::fs::Metadata>,
        bytes: Vec<u8>,
        current: Option<ReadBytes>,
        folder: Option<&Folder>,
    ) -> PlannedWrite {
        PlannedWrite {
            kind,
            path: path.to_path_buf(),
            location: Location::with_entry_in(path, entry, folder),
            digest: digest(&bytes),
            bytes,
            current,
            summary_only: false,
            done: false,
        }
    }

    /// Let go of the bytes to write and the bytes read, keeping where each
    /// file goes and the digest: what a run that writes nothing needs to
    /// check its plans against each other (`--check` over a repository
    /// holds several chunks of plans at once). Such a plan is never
    /// carried out ([`execute`] refuses it).
    pub fn keep_summary(&mut self) {
        self.done = self.is_done();
        self.bytes = Vec::new();
        self.current = None;
        self.summary_only = true;
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
        PlannedWrite::create_in(kind, path, text, None)
    }

    /// [`PlannedWrite::create`] for a file in the folder of a config that
    /// `beside` listed: its folder is known, and where the listing holds
    /// no name that could be this file's, nothing is looked up.
    pub fn create_in(
        kind: WriteKind,
        path: &Path,
        text: String,
        beside: Option<&Beside>,
    ) -> Result<PlannedWrite, Box<Diagnostic>> {
        // One look at the path says whether it exists and whether it is a
        // link (most often it does not exist: nothing more to ask).
        let entry = match beside {
            Some(beside) if beside.collector_absent && kind == WriteKind::Collector => None,
            _ => std::fs::symlink_metadata(path).ok(),
        };
        let current = if entry.is_some() && path.exists() {
            match source::read_file(path) {
                Ok(bytes) => Some(ReadBytes::Bytes(bytes)),
                Err(err) => return Err(Box::new(unreadable(kind, path, &err))),
            }
        } else {
            None
        };
        let folder = beside.and_then(|b| b.folder.as_ref());
        let bytes = text.into_bytes();
        let write = PlannedWrite::new_file_in(kind, path, entry.as_ref(), bytes, current, folder);
        if write.current.as_deref().is_some_and(|c| *c != write.bytes) {
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
        if self.summary_only {
            return self.done;
        }
        self.kind != WriteKind::Config && self.current.as_deref() == Some(&self.bytes)
    }

    /// What the file holds now, as text for a diff.
    pub fn current_text(&self) -> Option<String> {
        self.current
            .as_ref()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    /// Write it: create a new file, or replace the config if it still
    /// holds what was read.
    /// The refusal of a plan kept as a summary.
    fn without_contents(&self) -> Diagnostic {
        Diagnostic::error(
            Code::Unreadable,
            format!(
                "cannot write {}: it was planned by a run that writes nothing, without its contents",
                self.kind.describe(&self.path)
            ),
        )
    }

    fn execute(&self) -> Result<(), Box<Diagnostic>> {
        if self.is_done() {
            return Ok(());
        }
        let written = match (&self.current, self.kind) {
            (Some(current), WriteKind::Config) => write::replace(&self.path, current, &self.bytes),
            _ => write::create(&self.path, &self.bytes).or_else(|err| {
                // Another plan of this run with the same file and the same
                // bytes (see `Claims`) got there first: done.
                let same = err.kind() == io::ErrorKind::AlreadyExists
                    && source::file_holds(&self.path, &self.bytes).unwrap_or(false);
                if same { Ok(()) } else { Err(err) }
            }),
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
    // Nothing of a plan is written if any of it was kept as a summary.
    if let Some(summary) = writes.iter().find(|w| w.summary_only) {
        return Err(Box::new(summary.without_contents()));
    }
    if let Some(guard) = guard {
        for write in writes {
            let (how, what) = match write.kind {
                WriteKind::Config => (vcs::Write::Replace, String::new()),
                WriteKind::Collector | WriteKind::Deploy => (
                    vcs::Write::Create,
                    format!("{}: ", write.kind.describe(&write.path)),
                ),
            };
            if let Some(why) = guard.refusal(&write.path, how) {
                let refusal = Diagnostic::error(Code::DirtyFile, format!("not written: {what}{why}"))
                    .with_help("commit or stash your changes first (the commit is the undo), keep the files inside the work tree, or pass --allow-dirty");
                return Err(Box::new(refusal));
            }
        }
    }
    writes.iter().try_for_each(PlannedWrite::execute)
}

/// Where a write lands: the file's name in its folder, the folder known
/// by what it is (its device and inode), not by how a path spells it, and
/// a symlinked file followed to its target (a write goes through a
/// symlinked config).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    pub(crate) folder: Folder,
    pub(crate) name: Option<Box<std::ffi::OsStr>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Folder {
    /// Device and inode (where there are inodes: not in the playground's
    /// WebAssembly build).
    #[cfg_attr(not(unix), allow(dead_code))]
    Identity(u64, u64),
    /// The path, where the folder cannot be looked at (resolved where
    /// there are no inodes).
    Path(Box<Path>),
}

impl Location {
    /// The location of `path`, whose own metadata (links not followed) the
    /// caller has read: `entry` (`None`: nothing is there). `folder`, when
    /// known, is what the folder of `path` is: it serves unless `path` is
    /// a link, whose target may lie elsewhere.
    fn with_entry_in(
        path: &Path,
        entry: Option<&std::fs::Metadata>,
        folder: Option<&Folder>,
    ) -> Location {
        let is_link = entry.is_some_and(|e| e.file_type().is_symlink());
        if let (Some(folder), false) = (folder, is_link) {
            return Location {
                folder: folder.clone(),
                name: path.file_name().map(Box::from),
            };
        }
        let target = write::resolve_entry(path, entry).unwrap_or_else(|_| path.to_path_buf());
        let dir = write::parent_dir(&target);
        Location {
            folder: Folder::of(&dir),
            name: target.file_name().map(Box::from),
        }
    }
}

impl Folder {
    #[cfg(unix)]
    pub(crate) fn of(dir: &Path) -> Folder {
        use std::os::unix::fs::MetadataExt;
        match std::fs::metadata(dir) {
            Ok(meta) => Folder::Identity(meta.dev(), meta.ino()),
            Err(_) => Folder::Path(dir.into()),
        }
    }

    #[cfg(not(unix))]
    pub(crate) fn of(dir: &Path) -> Folder {
        Folder::Path(
            std::fs::canonicalize(dir)
                .unwrap_or_else(|_| dir.to_path_buf())
                .into(),
        )
    }
}

pub(crate) fn digest(bytes: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
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
            PlannedWrite::config(&config, ReadBytes::Bytes(b"old".to_vec()), b"new".to_vec()),
        ];
        let err = execute(&writes, None).unwrap_err();
        assert!(
            err.message.contains("the config is left unchanged"),
            "{err:?}"
        );
        assert_eq!(std::fs::read(&config).unwrap(), b"old");
    }

    #[test]
    fn a_plan_kept_as_a_summary_is_never_carried_out() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("k.json");
        std::fs::write(&config, "old").unwrap();
        let collector = dir.path().join("k.otel-collector.yaml");
        let mut writes = [
            PlannedWrite::create(WriteKind::Collector, &collector, "x".into()).unwrap(),
            PlannedWrite::config(&config, ReadBytes::Bytes(b"old".to_vec()), b"new".to_vec()),
        ];
        let digest_before = writes[0].digest;
        writes.iter_mut().for_each(PlannedWrite::keep_summary);
        assert_eq!(writes[0].digest, digest_before, "the digest is kept");
        assert!(
            writes
                .iter()
                .all(|w| w.bytes.is_empty() && w.current.is_none())
        );
        let err = execute(&writes, None).unwrap_err();
        assert!(err.message.contains("without its contents"), "{err:?}");
        assert_eq!(std::fs::read(&config).unwrap(), b"old");
        assert!(!collector.exists());
    }
}
