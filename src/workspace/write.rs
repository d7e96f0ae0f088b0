//! Writing files so that a crash never leaves half a file behind, and a
//! killed run leaves nothing behind for long.
//!
//! Each file is written to a temporary file in the same directory, flushed
//! to disk, given the permissions (and, when allowed, the owner) of the
//! file it replaces, and renamed over it: a reader sees the old bytes or
//! the new bytes, never a mix. A symlinked config is written through the
//! link (the link stays a link).
//!
//! Two more checks keep a write from destroying someone else's work:
//! [`replace`] renames only if the file still holds the bytes oc2otel read
//! (another program may have edited, removed or replaced it meanwhile), and
//! [`create`] never overwrites a file that appeared since oc2otel looked.
//!
//! Temporary files are named `.oc2otel-<random>.tmp`. A run killed between
//! creating one and renaming it (SIGKILL, power loss) leaves it behind, so
//! every write first sweeps its directory of stale ones. "Stale" must never
//! include a temporary file that another oc2otel process, running at the
//! same time, is still writing. A name with a process id and a liveness
//! check would misjudge processes in other PID namespaces (two containers
//! sharing a volume) and recycled ids; an age limit would either keep
//! leftovers for minutes or delete slow writes. Instead each writer holds
//! an exclusive `flock(2)` on its temporary file from creation to rename;
//! the kernel releases it when the process ends, however it ends. The sweep
//! removes only files whose lock it can take, and only if the name still
//! points at the file it locked. The writer, once it holds its lock, checks
//! that its name still points at its file (a sweep may have taken the file
//! in the instant between creation and locking) and starts over if not.
//! Both sides check under the lock, so a live writer's file is never
//! removed.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tempfile::NamedTempFile;

/// Prefix of oc2otel's temporary files, so they can be recognised.
pub const TEMP_PREFIX: &str = ".oc2otel-";
/// Suffix of oc2otel's temporary files.
pub const TEMP_SUFFIX: &str = ".tmp";

/// The path a write to `path` must replace: the final target of a
/// symlink chain, or `path` itself.
pub fn resolve_target(path: &Path) -> io::Result<PathBuf> {
    resolve_entry(path, fs::symlink_metadata(path).ok().as_ref())
}

/// [`resolve_target`] for a caller that has read the path's own metadata
/// (links not followed) already: `entry` (`None`: nothing is there).
pub fn resolve_entry(path: &Path, entry: Option<&fs::Metadata>) -> io::Result<PathBuf> {
    match entry {
        Some(meta) if meta.file_type().is_symlink() => fs::canonicalize(path),
        _ => Ok(path.to_path_buf()),
    }
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Replace the contents of `path` with `bytes`, atomically, whatever the
/// file holds now. Prefer [`replace`] when the caller read the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve_target(path)?;
    let existing = fs::metadata(&target).ok();
    let temp = prepare(&target, bytes, existing.as_ref())?;
    commit(temp, &target, Commit::Replace)
}

/// Replace the contents of `path` with `bytes`, atomically, provided it
/// still holds `expected` (the bytes the caller read). If another program
/// changed, removed or replaced the file since, nothing is written and the
/// error says so.
pub fn replace(path: &Path, expected: &[u8], bytes: &[u8]) -> io::Result<()> {
    let target = resolve_target(path).map_err(vanished_or)?;
    let existing = fs::metadata(&target).map_err(vanished_or)?;
    let temp = prepare(&target, bytes, Some(&existing))?;
    // As late as possible: only the rename itself comes after this check.
    if let Err(err) = check_unchanged(&target, expected) {
        drop(temp);
        return Err(err);
    }
    commit(temp, &target, Commit::Replace)
}

/// Create `path` with `bytes`, atomically, failing with
/// [`io::ErrorKind::AlreadyExists`] if a file of that name exists (it
/// appeared since the caller looked): it is never overwritten.
pub fn create(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(already_exists());
    }
    let temp = prepare(path, bytes, None)?;
    commit(temp, path, Commit::NoClobber)
}

/// Write `bytes` to a locked temporary file next to `target`, flushed to
/// disk, with the permissions of `existing` (or those of a new config).
fn prepare(
    target: &Path,
    bytes: &[u8],
    existing: Option<&fs::Metadata>,
) -> io::Result<NamedTempFile> {
    let dir = parent_dir(target);
    sweep_stale_temp_files(&dir);
    let mut temp = locked_temp_file(&dir)?;
    temp.write_all(bytes)?;
    match existing {
        Some(meta) => {
            temp.as_file().set_permissions(meta.permissions())?;
            keep_owner(temp.as_file(), meta);
        }
        None => set_new_file_mode(temp.as_file())?,
    }
    temp.as_file().sync_all()?;
    Ok(temp)
}

#[derive(Clone, Copy)]
enum Commit {
    Replace,
    NoClobber,
}

fn commit(temp: NamedTempFile, target: &Path, how: Commit) -> io::Result<()> {
    match how {
        Commit::Replace => temp.persist(target).map_err(|e| e.error)?,
        Commit::NoClobber => temp.persist_noclobber(target).map_err(|e| {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                already_exists()
            } else {
                e.error
            }
        })?,
    };
    // Make the rename itself durable; not every platform can sync a folder.
    if let Ok(d) = fs::File::open(parent_dir(target)) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The target must still hold what was read: same bytes, still a regular
/// file, still there.
fn check_unchanged(target: &Path, expected: &[u8]) -> io::Result<()> {
    match crate::syntax::source::file_holds(target, expected) {
        Ok(true) => Ok(()),
        Ok(false) | Err(crate::syntax::source::ReadError::TooLarge { .. }) => Err(
            io::Error::other("it was changed by another program since oc2otel read it"),
        ),
        Err(crate::syntax::source::ReadError::NotAFile(kind)) => Err(io::Error::other(format!(
            "it was replaced by {kind} since oc2otel read it"
        ))),
        Err(crate::syntax::source::ReadError::Io(err)) => Err(vanished_or(err)),
    }
}

fn vanished_or(err: io::Error) -> io::Error {
    if err.kind() == io::ErrorKind::NotFound {
        io::Error::new(
            io::ErrorKind::NotFound,
            "it was removed or renamed by another program since oc2otel read it",
        )
    } else {
        err
    }
}

fn already_exists() -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        "a file of that name appeared since oc2otel looked; it is not overwritten",
    )
}

/// A temporary file in `dir` that this process holds the lock of (see the
/// module documentation for why the name is checked after locking).
fn locked_temp_file(dir: &Path) -> io::Result<NamedTempFile> {
    const ATTEMPTS: usize = 8;
    for _ in 0..ATTEMPTS {
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir)?;
        lock::exclusive(temp.as_file())?;
        if lock::same_file(temp.path(), temp.as_file()) {
            return Ok(temp);
        }
        // A sweep removed it before we locked it; its name is free again
        // (the random part makes reuse by someone else negligible), so
        // dropping it removes nothing of anyone's.
    }
    Err(io::Error::other(format!(
        "could not keep a temporary file in {} ({ATTEMPTS} attempts were removed by another process)",
        dir.display()
    )))
}

/// Whether a file name is one of oc2otel's temporary files.
pub fn is_temp_name(name: &str) -> bool {
    name.len() > TEMP_PREFIX.len() + TEMP_SUFFIX.len()
        && name.starts_with(TEMP_PREFIX)
        && name.ends_with(TEMP_SUFFIX)
}

/// Directories this process swept last: a sweep per directory and run is
/// enough, since this run's own files are always locked, and a second
/// sweep harms nothing. Known by the path as the run spells it (a folder
/// spelled two ways is swept twice): resolving it cost a `getcwd` and a
/// `readlink` per component, three times per config written. Only the
/// last [`SWEPT_KEPT`] are remembered, so that a run over a repository
/// does not keep every folder's path to its end: a walk takes a folder's
/// files together, so the folders a run is in are among the last ones.
static SWEPT: Mutex<Option<RecentFolders>> = Mutex::new(None);

/// How many swept folders are remembered.
const SWEPT_KEPT: usize = 1024;

/// The last folders swept, oldest first.
#[derive(Default)]
struct RecentFolders {
    known: HashSet<PathBuf>,
    order: std::collections::VecDeque<PathBuf>,
}

impl RecentFolders {
    /// Remember `dir`; false if it was already remembered.
    fn insert(&mut self, dir: &Path) -> bool {
        if self.known.contains(dir) {
            return false;
        }
        if self.order.len() == SWEPT_KEPT
            && let Some(oldest) = self.order.pop_front()
        {
            self.known.remove(&oldest);
        }
        self.known.insert(dir.to_path_buf());
        self.order.push_back(dir.to_path_buf());
        true
    }
}

/// Remove the temporary files that oc2otel runs left in `dir` when they
/// were killed; files that a running oc2otel holds are kept. Each
/// directory is swept once per process; returns how many files this call
/// removed. Failures are ignored: a leftover file harms nobody, and the
/// next run tries again.
pub fn sweep_stale_temp_files(dir: &Path) -> usize {
    {
        let mut swept = SWEPT.lock().unwrap_or_else(|e| e.into_inner());
        if !swept.get_or_insert_with(RecentFolders::default).insert(dir) {
            return 0;
        }
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(is_temp_name))
        .filter(|e| lock::remove_if_abandoned(&e.path()))
        .count()
}

/// Give the new file the owner of the old one. Only root can give a file
/// away; for anyone else the rename makes them the owner, as any editor's
/// save would.
fn keep_owner(file: &fs::File, meta: &fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    }
    #[cfg(not(unix))]
    let _ = (file, meta);
}

#[cfg(unix)]
fn set_new_file_mode(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // Temporary files are private (0600); a new config file is not.
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_mode(_file: &fs::File) -> io::Result<()> {
    Ok(())
}

/// Advisory locks on temporary files (see the module documentation).
#[cfg(unix)]
mod lock {
    use std::fs;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    use std::path::Path;

    /// Take the exclusive lock, waiting for a sweep that holds it.
    pub fn exclusive(file: &fs::File) -> io::Result<()> {
        loop {
            // SAFETY: flock on a file descriptor we own, no pointers.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Ok(());
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }

    /// Whether `path` (not followed if a symlink) is the open `file`.
    pub fn same_file(path: &Path, file: &fs::File) -> bool {
        match (fs::symlink_metadata(path), file.metadata()) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }

    /// Remove `path` if it is a regular file whose lock nobody holds.
    pub fn remove_if_abandoned(path: &Path) -> bool {
        // O_NOFOLLOW: a symlink with our name is not followed (it fails
        // to open and is left alone); O_NONBLOCK: nothing can block us.
        let Ok(file) = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
        else {
            return false;
        };
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return false;
        }
        // SAFETY: as above.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return false; // a live writer holds it
        }
        // Under the lock: the name must still be this file (the writer may
        // have renamed it into place, and a new file may carry the name).
        same_file(path, &file) && fs::remove_file(path).is_ok()
    }
}

/// Without flock, a temporary file's owner cannot be told alive or dead,
/// so nothing is swept.
#[cfg(not(unix))]
mod lock {
    use std::fs;
    use std::io;
    use std::path::Path;

    pub fn exclusive(_file: &fs::File) -> io::Result<()> {
        Ok(())
    }

    pub fn same_file(_path: &Path, _file: &fs::File) -> bool {
        true
    }

    pub fn remove_if_abandoned(_path: &Path) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_files(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| is_temp_name(n))
            .collect()
    }

    #[test]
    fn the_last_swept_folders_are_remembered_and_the_oldest_let_go() {
        let mut recent = RecentFolders::default();
        let folder = |i: usize| PathBuf::from(format!("team/svc-{i}"));
        for i in 0..SWEPT_KEPT {
            assert!(recent.insert(&folder(i)));
        }
        assert!(!recent.insert(&folder(0)), "remembered");
        assert!(recent.insert(&folder(SWEPT_KEPT)), "a new folder");
        assert!(recent.insert(&folder(0)), "the oldest was let go");
        assert!(!recent.insert(&folder(SWEPT_KEPT)));
        assert_eq!(
            (recent.known.len(), recent.order.len()),
            (SWEPT_KEPT, SWEPT_KEPT)
        );
    }

    #[test]
    fn replaces_contents_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        replace(&path, b"old", b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        assert!(temp_files(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace(&link, b"old", b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn refuses_to_replace_a_file_changed_or_removed_since_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        fs::write(&path, "edited by someone else").unwrap();
        let err = replace(&path, b"what oc2otel read", b"new").unwrap_err();
        assert!(
            err.to_string().contains("changed by another program"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "edited by someone else");

        fs::remove_file(&path).unwrap();
        let err = replace(&path, b"what oc2otel read", b"new").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("removed or renamed"), "{err}");
        assert!(!path.exists(), "a removed file must not come back");

        fs::create_dir(&path).unwrap();
        let err = replace(&path, b"what oc2otel read", b"new").unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn create_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        create(&path, b"first").unwrap();
        let err = create(&path, b"second").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&path).unwrap(), "first");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
        }
        assert!(temp_files(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn sweeps_abandoned_temp_files_but_not_locked_ones() {
        let dir = tempfile::tempdir().unwrap();
        // Left by a killed run: nobody holds its lock.
        let abandoned = dir.path().join(".oc2otel-AbCdEf.tmp");
        fs::write(&abandoned, "half a config").unwrap();
        // Being written by another run: locked.
        let live = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir.path())
            .unwrap();
        lock::exclusive(live.as_file()).unwrap();
        // Not ours: other names, a directory and a symlink with our name.
        fs::write(dir.path().join(".oc2otel-notes.txt"), "keep").unwrap();
        fs::write(dir.path().join("oc2otel-x.tmp"), "keep").unwrap();
        fs::create_dir(dir.path().join(".oc2otel-dir.tmp")).unwrap();
        std::os::unix::fs::symlink("k.json", dir.path().join(".oc2otel-link.tmp")).unwrap();

        assert_eq!(sweep_stale_temp_files(dir.path()), 1);
        assert!(!abandoned.exists());
        assert!(live.path().exists());
        for kept in [
            ".oc2otel-notes.txt",
            "oc2otel-x.tmp",
            ".oc2otel-dir.tmp",
            ".oc2otel-link.tmp",
        ] {
            assert!(
                fs::symlink_metadata(dir.path().join(kept)).is_ok(),
                "{kept} was removed"
            );
        }
        // Once per directory and process.
        fs::write(&abandoned, "again").unwrap();
        assert_eq!(sweep_stale_temp_files(dir.path()), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_sweep_between_creation_and_locking_is_survived() {
        let dir = tempfile::tempdir().unwrap();
        // Simulate the race: a temp file created but not yet locked is
        // removed by a sweep; the writer must notice and start over.
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir.path())
            .unwrap();
        assert!(lock::remove_if_abandoned(temp.path()));
        lock::exclusive(temp.as_file()).unwrap();
        assert!(!lock::same_file(temp.path(), temp.as_file()));
        // The real writer retries and keeps a file it holds.
        let kept = locked_temp_file(dir.path()).unwrap();
        assert!(lock::same_file(kept.path(), kept.as_file()));
        assert!(!lock::remove_if_abandoned(kept.path()));
    }
}
