//! The files a migration plans to write, and the one write path that
//! carries a plan out.
//!
//! A plan is decided before anything is written: the collector config and
//! the deploy snippet are created only where no file is, or where one
//! already holds exactly their text (a rerun after a partial write); the
//! config is replaced only if it still holds the bytes that were read.
//! No two plans of a run may write one file with different bytes (two
//! configs whose collector configs share a name, a `--collector-out` that
//! is also the deploy snippet's path): [`Claims`] checks each plan against
//! those before it, in input order, before anything is written.
//!
//! Writing follows the plan's order, the collector config and the snippet
//! before the config that points at them, so that a config never points at
//! a file that could not be written; the first failure stops the rest.
//! Each write is atomic and guarded ([`crate::workspace::write`]), and
//! `--write` refuses a config git holds no clean copy of
//! ([`crate::workspace::vcs`]) before writing anything of its plan.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use crate::model::diagnostic::{Code, Diagnostic};
use crate::syntax::source::{self, ReadBytes, ReadError};
use crate::workspace::outcome::FileOutcome;
use crate::workspace::paths::PathList;
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
    /// Where the write really lands, so that two spellings of one file
    /// are one file.
    pub location: Location,
    /// The bytes to write.
    pub bytes: Vec<u8>,
    /// What the file holds now, as read; `None`: it does not exist, and
    /// the write creates it.
    pub current: Option<ReadBytes>,
}

impl PlannedWrite {
    /// The rewrite of a config read as `current`.
    pub fn config(path: &Path, current: ReadBytes, bytes: Vec<u8>) -> PlannedWrite {
        PlannedWrite {
            kind: WriteKind::Config,
            path: path.to_path_buf(),
            location: Location::of(path),
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
        // One look at the path says whether it exists and whether it is a
        // link (most often it does not exist: nothing more to ask).
        let entry = std::fs::symlink_metadata(path).ok();
        let current = if entry.is_some() && path.exists() {
            match source::read_file(path) {
                Ok(bytes) => Some(ReadBytes::Bytes(bytes)),
                Err(err) => return Err(Box::new(unreadable(kind, path, &err))),
            }
        } else {
            None
        };
        let write = PlannedWrite {
            kind,
            path: path.to_path_buf(),
            location: Location::with_entry(path, entry.as_ref()),
            bytes: text.into_bytes(),
            current,
        };
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

/// The files the plans of a run write, each known by where it really is,
/// with the plan it belongs to. Plans are claimed in input order; a plan
/// that would write a claimed file with other bytes, or whose own files
/// collide, is refused whole (an error, nothing of it written). The first
/// plan keeps its files even if its own write later fails, so a refusal
/// never depends on what happened on disk.
#[derive(Debug, Default)]
pub struct Claims {
    claimed: HashMap<ClaimKey, Held>,
    /// The file names of the claimed files, each once (a repository's
    /// configs share a few names), by their number in `ClaimKey`.
    names: HashMap<Box<std::ffi::OsStr>, u32>,
    /// The configs whose plans hold the claimed files.
    owners: PathList,
}

/// A claimed [`Location`], its name by its number in `Claims::names`: the
/// claims of a run over a repository are one table entry each, with no
/// allocation of their own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClaimKey {
    folder: Folder,
    name: Option<u32>,
}

impl ClaimKey {
    /// The key of `location`, its name by its number (`name`).
    fn new(location: &Location, name: Option<u32>) -> ClaimKey {
        ClaimKey {
            folder: location.folder.clone(),
            name,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Claim {
    kind: WriteKind,
    /// A digest of a new file's bytes (a run's plans are not all kept in
    /// memory); a config's are never compared.
    digest: u64,
}

/// A claim of an earlier plan, and the config whose plan it is (its
/// number in `Claims::owners`).
#[derive(Debug, Clone, Copy)]
struct Held {
    claim: Claim,
    owner: usize,
}

impl Claim {
    fn of(write: &PlannedWrite) -> Claim {
        Claim {
            kind: write.kind,
            digest: match write.kind {
                WriteKind::Config => 0,
                WriteKind::Collector | WriteKind::Deploy => digest(&write.bytes),
            },
        }
    }
}

impl Claims {
    /// Claim the files of `outcome`'s plan, or refuse the plan.
    pub fn claim(&mut self, outcome: &mut FileOutcome) {
        let mut mine: Vec<(&Location, Claim)> = Vec::new();
        for write in &outcome.writes {
            let claim = Claim::of(write);
            let location = &write.location;
            let earlier = match mine.iter().find(|(l, _)| *l == location) {
                Some((_, mine)) => Some((*mine, outcome.path.as_str())),
                None => self.earlier(location),
            };
            if let Some((earlier, owner)) = earlier
                && collide(&earlier, &claim)
            {
                let diagnostic = conflict(write, earlier.kind, owner);
                return outcome.refuse(diagnostic);
            }
            mine.push((location, claim));
        }
        if mine.is_empty() {
            return;
        }
        let owner = self.owners.push(&outcome.path);
        for (location, claim) in mine {
            let name = location.name.as_deref().map(|name| self.name_number(name));
            let key = ClaimKey::new(location, name);
            self.claimed.entry(key).or_insert(Held { claim, owner });
        }
    }

    /// The claim an earlier plan holds on `location`, with its config.
    fn earlier(&self, location: &Location) -> Option<(Claim, &str)> {
        let name = match location.name.as_deref() {
            // A name no claim has: no claim on it.
            Some(name) => Some(*self.names.get(name)?),
            None => None,
        };
        let held = self.claimed.get(&ClaimKey::new(location, name))?;
        Some((held.claim, self.owners.get(held.owner).unwrap_or_default()))
    }

    fn name_number(&mut self, name: &std::ffi::OsStr) -> u32 {
        if let Some(&number) = self.names.get(name) {
            return number;
        }
        // More names than a u32 counts would not fit in memory.
        let number = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.insert(name.into(), number);
        number
    }
}

/// Whether two claims on one file cannot both hold: a config is nobody
/// else's file, and two new files must be the same bytes.
fn collide(a: &Claim, b: &Claim) -> bool {
    a.kind == WriteKind::Config || b.kind == WriteKind::Config || a.digest != b.digest
}

fn conflict(write: &PlannedWrite, kind: WriteKind, owner: &str) -> Diagnostic {
    let what = match kind {
        WriteKind::Collector => format!("the collector config of {owner}"),
        WriteKind::Deploy => format!("the deploy snippet of {owner}"),
        WriteKind::Config => format!("the config {owner}"),
    };
    Diagnostic::error(
        write.kind.in_the_way(),
        format!(
            "{} is also {what}, with other contents: this config and its files are left unchanged",
            write.path.display()
        ),
    )
    .with_help(
        "give each file its own path: rename one of the configs, or choose another --collector-out",
    )
}

/// Where a write lands: the file's name in its folder, the folder known
/// by what it is (its device and inode), not by how a path spells it, and
/// a symlinked file followed to its target (a write goes through a
/// symlinked config).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    folder: Folder,
    name: Option<Box<std::ffi::OsStr>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Folder {
    /// Device and inode.
    Identity(u64, u64),
    /// The path, where the folder cannot be looked at (resolved where
    /// there are no inodes).
    Path(Box<Path>),
}

impl Location {
    fn of(path: &Path) -> Location {
        Location::with_entry(path, std::fs::symlink_metadata(path).ok().as_ref())
    }

    /// The location of `path`, whose own metadata (links not followed) the
    /// caller has read: `entry` (`None`: nothing is there).
    fn with_entry(path: &Path, entry: Option<&std::fs::Metadata>) -> Location {
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
    fn of(dir: &Path) -> Folder {
        use std::os::unix::fs::MetadataExt;
        match std::fs::metadata(dir) {
            Ok(meta) => Folder::Identity(meta.dev(), meta.ino()),
            Err(_) => Folder::Path(dir.into()),
        }
    }

    #[cfg(not(unix))]
    fn of(dir: &Path) -> Folder {
        Folder::Path(
            std::fs::canonicalize(dir)
                .unwrap_or_else(|_| dir.to_path_buf())
                .into(),
        )
    }
}

fn digest(bytes: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// `dir/krakend.json` -> `dir/krakend.otel-collector.yaml`: where a
/// config's collector config goes unless `--collector-out` says otherwise.
pub fn sibling_collector_path(config: &Path) -> PathBuf {
    config.with_file_name(format!("{}.otel-collector.yaml", sibling_stem(config)))
}

/// The name a config's companion files (collector config, deploy
/// snippet) start with: its stem (`krakend` for `krakend.json`), or its
/// whole file name (`krakend.json`) when another config in its folder has
/// the same stem (`krakend.yaml`), so that the two never share a file.
/// It depends only on the folder's listing, never on what a run does, so
/// every run gives each config the same names.
pub fn sibling_stem(config: &Path) -> String {
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let stem = config
        .file_stem()
        .map_or_else(|| "krakend".into(), |s| s.to_string_lossy().into_owned());
    let own = name(config);
    let dir = write::parent_dir(config);
    let shared = std::fs::read_dir(&dir).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let path = entry.path();
            name(&path) != own
                && crate::workspace::discover::is_config_file(&path)
                && path
                    .file_stem()
                    .is_some_and(|s| s.to_string_lossy() == stem)
        })
    });
    match own {
        Some(own) if shared => own,
        _ => stem,
    }
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

    fn outcome(path: &str, writes: Vec<PlannedWrite>) -> FileOutcome {
        let mut outcome = FileOutcome::new(
            path.into(),
            crate::syntax::source::Format::Json,
            crate::workspace::outcome::FileStatus::WouldMigrate,
        );
        outcome.writes = writes;
        outcome
    }

    fn new_file(kind: WriteKind, path: &Path, text: &str) -> PlannedWrite {
        PlannedWrite {
            kind,
            path: path.to_path_buf(),
            location: Location::of(path),
            bytes: text.as_bytes().to_vec(),
            current: None,
        }
    }

    #[test]
    fn a_file_two_plans_would_write_differently_is_claimed_once() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join("k.otel-collector.yaml");
        let mut claims = Claims::default();
        let mut first = outcome("k.json", vec![new_file(WriteKind::Collector, &c, "a")]);
        claims.claim(&mut first);
        assert_eq!(first.writes.len(), 1);
        // The same bytes: one file for both.
        let mut same = outcome("k.yml", vec![new_file(WriteKind::Collector, &c, "a")]);
        claims.claim(&mut same);
        assert_eq!(same.writes.len(), 1);
        // Other bytes, under another spelling of the path: refused.
        let spelled = dir.path().join(".").join("k.otel-collector.yaml");
        let mut other = outcome(
            "k.yaml",
            vec![new_file(WriteKind::Collector, &spelled, "b")],
        );
        claims.claim(&mut other);
        assert!(other.writes.is_empty());
        let d = other.diagnostics.last().unwrap();
        assert_eq!(d.code, Code::CollectorFileExists);
        assert!(
            d.message.contains("is also the collector config of k.json"),
            "{}",
            d.message
        );
        // Another name in the same folder is another file; its owner is
        // named when a later plan collides with it.
        let j = dir.path().join("j.otel-collector.yaml");
        let mut third = outcome("j.json", vec![new_file(WriteKind::Collector, &j, "c")]);
        claims.claim(&mut third);
        assert_eq!(third.writes.len(), 1);
        let mut fourth = outcome("i.json", vec![new_file(WriteKind::Collector, &j, "d")]);
        claims.claim(&mut fourth);
        let d = fourth.diagnostics.last().unwrap();
        assert!(
            d.message.contains("collector config of j.json"),
            "{}",
            d.message
        );
    }

    #[test]
    fn a_plan_whose_own_files_collide_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.deploy.compose.yaml");
        let mut claims = Claims::default();
        let mut plan = outcome(
            "k.json",
            vec![
                new_file(WriteKind::Collector, &p, "receivers: {}"),
                new_file(WriteKind::Deploy, &p, "services: {}"),
            ],
        );
        claims.claim(&mut plan);
        assert_eq!(plan.status, crate::workspace::outcome::FileStatus::Error);
        assert_eq!(plan.diagnostics[0].code, Code::DeployFileExists);
        // A refused plan claims nothing.
        let mut next = outcome("j.json", vec![new_file(WriteKind::Collector, &p, "x")]);
        claims.claim(&mut next);
        assert_eq!(next.writes.len(), 1);
    }

    #[test]
    fn collector_configs_go_next_to_their_config() {
        assert_eq!(
            sibling_collector_path(Path::new("conf/prod.json")),
            Path::new("conf/prod.otel-collector.yaml")
        );
    }

    #[test]
    fn two_configs_with_one_stem_get_names_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("krakend.json");
        std::fs::write(&json, "{}").unwrap();
        // Alone (a collector config beside it is no config).
        std::fs::write(dir.path().join("krakend.otel-collector.yaml"), "").unwrap();
        assert_eq!(sibling_stem(&json), "krakend");
        let yaml = dir.path().join("krakend.yaml");
        std::fs::write(&yaml, "").unwrap();
        assert_eq!(
            sibling_collector_path(&json),
            dir.path().join("krakend.json.otel-collector.yaml")
        );
        assert_eq!(
            sibling_collector_path(&yaml),
            dir.path().join("krakend.yaml.otel-collector.yaml")
        );
    }
}
