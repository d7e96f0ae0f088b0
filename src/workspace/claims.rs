//! The files the plans of a run write, checked against each other before
//! anything is written: no two plans may write one file with different
//! bytes (two configs whose collector configs share a name, a
//! `--collector-out` that is also the deploy snippet's path, a collector
//! config that is also a config of the run).
//!
//! Plans are claimed in input order; a plan that would write a claimed
//! file with other bytes, or whose own files collide, is refused whole (an
//! error, nothing of it written). The first plan keeps its files even if
//! its own write later fails, so a refusal never depends on what happened
//! on disk.
//!
//! A run over one folder need not keep every claim to its end, which made
//! its memory grow with the repository. Every file a plan writes is next
//! to its config (the collector config, the deploy snippet, the config
//! itself), and the walk gives the configs in path order, where all the
//! paths below a folder come together. So once the run has passed a
//! folder, no later plan writes there: its claims are let go. That holds
//! only where each folder is reached by one path ([`Claims::scoped`]: the
//! walk met no link and no folder mounted inside it), and for a write
//! that lands in its config's folder. A write through a link into another
//! folder may land anywhere, a folder already let go included: it is kept
//! to the run's end, and refused if the run has let a folder go, since the
//! claims it might collide with are gone (unless the file already holds
//! exactly its bytes: a plan with other bytes is refused when it is
//! planned). Migrating that config on its own checks it against
//! everything.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::model::diagnostic::Diagnostic;
use crate::workspace::outcome::FileOutcome;
use crate::workspace::paths::PathList;
use crate::workspace::plan::{Folder, Location, PlannedWrite, WriteKind};
use crate::workspace::write;

/// The files claimed so far by the plans of a run.
#[derive(Debug, Default)]
pub struct Claims {
    /// Claims kept to the run's end: every claim of a run that is not
    /// scoped, and the writes through links of one that is.
    everywhere: Table,
    /// In a scoped run, the claims of each folder on the way to the
    /// current config's folder, outermost first.
    folders: Vec<(PathBuf, Table)>,
    scoped: bool,
    /// Whether a folder's claims were let go.
    let_go: bool,
}

/// Claims, each one table entry with no allocation of its own: the names
/// of the claimed files are numbered (a repository's configs share a few
/// names), and their owners are entries of one list.
#[derive(Debug, Default)]
struct Table {
    claimed: HashMap<ClaimKey, Held>,
    /// The file names of the claimed files, each once, by their number in
    /// `ClaimKey`.
    names: HashMap<Box<OsStr>, u32>,
    /// The configs whose plans hold the claimed files.
    owners: PathList,
}

/// A claimed [`Location`], its name by its number in `Table::names`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClaimKey {
    folder: Folder,
    name: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Claim {
    kind: WriteKind,
    /// The digest of a new file's bytes (a run's plans are not all kept in
    /// memory); a config's are never compared.
    digest: u64,
}

/// A claim of an earlier plan, and the config whose plan it is (its
/// number in `Table::owners`).
#[derive(Debug, Clone, Copy)]
struct Held {
    claim: Claim,
    owner: usize,
}

impl Claim {
    fn of(write: &PlannedWrite) -> Claim {
        Claim {
            kind: write.kind,
            digest: write.digest,
        }
    }
}

impl Claims {
    /// Claims for a run whose inputs are one walk of one folder, in path
    /// order, with each folder reached by one path: the claims of a folder
    /// the run has passed are let go.
    pub fn scoped() -> Claims {
        Claims {
            scoped: true,
            ..Claims::default()
        }
    }

    /// Claim the files of `outcome`'s plan, or refuse the plan.
    pub fn claim(&mut self, outcome: &mut FileOutcome) {
        let config = self.config_folder(outcome);
        if let Some((folder, _)) = &config {
            self.leave_folders_outside(folder);
        }
        let mut mine: Vec<(&PlannedWrite, Claim, bool)> = Vec::new();
        for write in &outcome.writes {
            let claim = Claim::of(write);
            let here = config
                .as_ref()
                .is_some_and(|(_, real)| write.location.folder == **real);
            // A file that already holds exactly these bytes meets no other
            // plan: one with other bytes is refused when it is planned.
            if self.scoped && !here && self.let_go && !write.is_done() {
                return outcome.refuse(beyond_reach(write, &outcome.path));
            }
            let location = &write.location;
            let earlier = match mine.iter().find(|(w, _, _)| w.location == *location) {
                Some((_, mine, _)) => Some((*mine, outcome.path.as_str())),
                None => self.earlier(location),
            };
            if let Some((earlier, owner)) = earlier
                && collide(&earlier, &claim)
            {
                let diagnostic = conflict(write, earlier.kind, owner);
                return outcome.refuse(diagnostic);
            }
            mine.push((write, claim, here));
        }
        let (here, elsewhere): (Vec<_>, Vec<_>) = mine.into_iter().partition(|(_, _, h)| *h);
        if let (Some((folder, _)), false) = (config, here.is_empty()) {
            let table = self.table_of(folder);
            table.hold(
                &outcome.path,
                here.iter().map(|(w, c, _)| (&w.location, *c)),
            );
        }
        let elsewhere = elsewhere.iter().map(|(w, c, _)| (&w.location, *c));
        self.everywhere.hold(&outcome.path, elsewhere);
    }

    /// In a scoped run, the folder of the config `outcome` replaces: as the
    /// walk spells it, and what it is (the config is never a link there).
    fn config_folder<'a>(&self, outcome: &'a FileOutcome) -> Option<(PathBuf, &'a Folder)> {
        if !self.scoped {
            return None;
        }
        let config = outcome
            .writes
            .iter()
            .find(|w| w.kind == WriteKind::Config)?;
        Some((write::parent_dir(&config.path), &config.location.folder))
    }

    /// Let go of the claims of the folders `folder` is not in: the run has
    /// passed them.
    fn leave_folders_outside(&mut self, folder: &Path) {
        while let Some((open, _)) = self.folders.last() {
            if folder.starts_with(open) {
                break;
            }
            self.folders.pop();
            self.let_go = true;
        }
    }

    /// The claims of `folder`, the innermost open one or a new one.
    fn table_of(&mut self, folder: PathBuf) -> &mut Table {
        if self.folders.last().is_none_or(|(open, _)| *open != folder) {
            self.folders.push((folder, Table::default()));
        }
        let last = self.folders.len() - 1;
        &mut self.folders[last].1
    }

    /// The claim an earlier plan holds on `location`, with its config.
    fn earlier(&self, location: &Location) -> Option<(Claim, &str)> {
        std::iter::once(&self.everywhere)
            .chain(self.folders.iter().map(|(_, table)| table))
            .find_map(|table| table.get(location))
    }
}

impl Table {
    fn get(&self, location: &Location) -> Option<(Claim, &str)> {
        let name = match location.name.as_deref() {
            // A name no claim has: no claim on it.
            Some(name) => Some(*self.names.get(name)?),
            None => None,
        };
        let key = ClaimKey {
            folder: location.folder.clone(),
            name,
        };
        let held = self.claimed.get(&key)?;
        Some((held.claim, self.owners.get(held.owner).unwrap_or_default()))
    }

    /// Hold `claims` for the plan of the config `owner`.
    fn hold<'a>(&mut self, owner: &str, claims: impl Iterator<Item = (&'a Location, Claim)>) {
        let mut claims = claims.peekable();
        if claims.peek().is_none() {
            return;
        }
        let owner = self.owners.push(owner);
        for (location, claim) in claims {
            let name = location.name.as_deref().map(|name| self.name_number(name));
            let key = ClaimKey {
                folder: location.folder.clone(),
                name,
            };
            self.claimed.entry(key).or_insert(Held { claim, owner });
        }
    }

    fn name_number(&mut self, name: &OsStr) -> u32 {
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

/// The refusal of a write through a link in a run that has let go of
/// folders it passed: the file it lands in may be one of theirs.
fn beyond_reach(write: &PlannedWrite, config: &str) -> Diagnostic {
    Diagnostic::error(
        write.kind.in_the_way(),
        format!(
            "{} is a link to a file in another folder, which another config of this run may also write: this config and its files are left unchanged",
            write.path.display()
        ),
    )
    .with_help(format!(
        "migrate this config on its own (`oc2otel migrate {config}`), which checks the link's target against every other file it writes, or replace the link by a file"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Code;
    use crate::syntax::source::ReadBytes;
    use crate::workspace::outcome::FileStatus;

    fn outcome(path: &str, writes: Vec<PlannedWrite>) -> FileOutcome {
        let mut outcome = FileOutcome::new(
            path.into(),
            crate::syntax::source::Format::Json,
            FileStatus::WouldMigrate,
        );
        outcome.writes = writes;
        outcome
    }

    fn new_file(kind: WriteKind, path: &Path, text: &str) -> PlannedWrite {
        let entry = std::fs::symlink_metadata(path).ok();
        PlannedWrite::new_file(kind, path, entry.as_ref(), text.as_bytes().to_vec(), None)
    }

    fn config(path: &Path) -> PlannedWrite {
        PlannedWrite::config(path, ReadBytes::Bytes(b"{}".to_vec()), b"{}".to_vec())
    }

    /// A config's plan: `collector`, then the config itself.
    fn plan_with(config_path: &Path, collector: PlannedWrite) -> FileOutcome {
        let path = config_path.display().to_string();
        outcome(&path, vec![collector, config(config_path)])
    }

    /// A config's plan: its collector config (holding `text`) and itself.
    fn plan(config_path: &Path, text: &str) -> FileOutcome {
        let collector = crate::workspace::beside::sibling_collector_path(config_path);
        plan_with(
            config_path,
            new_file(WriteKind::Collector, &collector, text),
        )
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

    /// A temporary folder holding `folders`.
    fn tree(folders: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for folder in folders {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        }
        dir
    }

    #[test]
    fn a_scoped_run_lets_go_of_the_folders_it_has_passed() {
        let dir = tree(&["a", "a/b", "c"]);
        let root = dir.path();
        let mut claims = Claims::scoped();
        for (path, text) in [("a/k.json", "a"), ("a/b/k.json", "b"), ("a/l.json", "l")] {
            let mut plan = plan(&root.join(path), text);
            claims.claim(&mut plan);
            assert_eq!(plan.status, FileStatus::WouldMigrate, "{path}");
        }
        // `a` is still open below `a/b`: a later config of `a` whose
        // collector config is `a`'s first one is refused.
        let mut clash = outcome(
            "a/m.json",
            vec![
                new_file(
                    WriteKind::Collector,
                    &root.join("a/k.otel-collector.yaml"),
                    "m",
                ),
                config(&root.join("a/m.json")),
            ],
        );
        claims.claim(&mut clash);
        assert_eq!(clash.status, FileStatus::Error);
        assert_eq!(
            claims.folders.len(),
            1,
            "a/b was let go on the way back to a"
        );
        let mut next = plan(&root.join("c/k.json"), "c");
        claims.claim(&mut next);
        assert_eq!(next.status, FileStatus::WouldMigrate);
        assert_eq!(claims.folders.len(), 1, "only c is held");
        assert!(claims.everywhere.claimed.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_write_through_a_link_is_held_to_the_end_or_refused_once_folders_are_let_go() {
        let dir = tree(&["a", "b", "shared"]);
        let root = dir.path();
        // b's collector config is a link into `shared`.
        let link = root.join("b/k.otel-collector.yaml");
        std::os::unix::fs::symlink(root.join("shared/otel.yaml"), &link).unwrap();
        std::fs::write(root.join("shared/otel.yaml"), "old").unwrap();
        let config_b = root.join("b/k.json");
        let linked = |claims: &mut Claims| {
            let mut plan = plan_with(&config_b, new_file(WriteKind::Collector, &link, "new"));
            claims.claim(&mut plan);
            plan
        };
        // First in the run: held to the end.
        let mut claims = Claims::scoped();
        assert_eq!(linked(&mut claims).status, FileStatus::WouldMigrate);
        assert_eq!(claims.everywhere.claimed.len(), 1);
        // After a folder was let go: refused, and it says how to migrate it.
        let mut claims = Claims::scoped();
        claims.claim(&mut plan(&root.join("a/k.json"), "a"));
        let refused = linked(&mut claims);
        assert_eq!(refused.status, FileStatus::Error);
        // Unless the file already holds its bytes, or the link stays in
        // the config's folder.
        let done = |claims: &mut Claims| {
            // As `PlannedWrite::create` plans it: the file holds "old".
            let entry = std::fs::symlink_metadata(&link).ok();
            let there = Some(ReadBytes::Bytes(b"old".to_vec()));
            let collector = PlannedWrite::new_file(
                WriteKind::Collector,
                &link,
                entry.as_ref(),
                b"old".to_vec(),
                there,
            );
            let mut plan = plan_with(&config_b, collector);
            plan.writes.iter_mut().for_each(PlannedWrite::keep_summary);
            claims.claim(&mut plan);
            plan.status
        };
        assert_eq!(done(&mut claims), FileStatus::WouldMigrate);
        let near = root.join("b/near.otel-collector.yaml");
        std::fs::write(root.join("b/real.yaml"), "r").unwrap();
        std::os::unix::fs::symlink(root.join("b/real.yaml"), &near).unwrap();
        let near_collector = new_file(WriteKind::Collector, &near, "n");
        let mut near_plan = plan_with(&root.join("b/near.json"), near_collector);
        claims.claim(&mut near_plan);
        let status = near_plan.status;
        assert_eq!(
            status,
            FileStatus::WouldMigrate,
            "{:?}",
            near_plan.diagnostics
        );
        let d = refused.diagnostics.last().unwrap();
        assert!(
            d.message.contains("is a link to a file in another folder"),
            "{}",
            d.message
        );
        let asked = format!("oc2otel migrate {}", config_b.display());
        assert!(
            d.help.as_deref().is_some_and(|h| h.contains(&asked)),
            "{d:?}"
        );
        // A run that is not scoped keeps everything and checks it.
        let mut claims = Claims::default();
        claims.claim(&mut plan(&root.join("a/k.json"), "a"));
        assert_eq!(linked(&mut claims).status, FileStatus::WouldMigrate);
    }
}
