//! The guard that keeps `--write` from destroying uncommitted work.
//!
//! Like `cargo fix`, oc2otel refuses to rewrite a file that git does not
//! hold a clean copy of (modified, staged, untracked, ignored, conflicted,
//! or with local edits hidden by `--skip-worktree` or
//! `--assume-unchanged`), unless `--allow-dirty`: the commit is the undo.
//! It also refuses to write outside the work tree a file is named in: a
//! committed symlink to a file or a folder elsewhere would otherwise have
//! that file rewritten, or a collector config created there. Files
//! outside any git work tree are written: the preview is the safety net
//! there.
//!
//! The state of each repository is read once, before anything is written
//! (so oc2otel's own writes cannot change the answer), through
//! [`crate::workspace::git`], which runs nothing the repository
//! configures; whether a file has local edits is decided by comparing its
//! bytes with the blob the index holds. Repository roots are found by
//! looking for `.git` upwards, without a process per folder.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::workspace::git;

/// A snapshot of the repositories holding a set of files.
#[derive(Debug, Default)]
pub struct GitGuard {
    /// Why each file (by its real path) must not be replaced; `None`: git
    /// holds a clean copy.
    files: HashMap<PathBuf, Option<String>>,
}

/// What a write does to the file it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Replaces a config: git must hold a clean copy of it.
    Replace,
    /// Creates a new file (collector config, deploy snippet).
    Create,
}

/// The work tree root above `dir` (as given: links in it are not
/// resolved), if any.
fn repository_root(dir: &Path, cache: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let mut visited = Vec::new();
    let mut current = Some(dir.to_path_buf());
    let mut found = None;
    while let Some(d) = current {
        if let Some(known) = cache.get(&d) {
            found = known.clone();
            break;
        }
        visited.push(d.clone());
        if d.join(".git").exists() {
            found = Some(d);
            break;
        }
        current = d.parent().map(Path::to_path_buf);
    }
    for v in visited {
        cache.insert(v, found.clone());
    }
    found
}

/// `path` made absolute without resolving links (a link named in a
/// repository is that repository's, whatever it points to).
fn absolute(path: &Path) -> Option<PathBuf> {
    std::path::absolute(path).ok()
}

/// Where a write to `path` really lands: links followed, and for a file
/// that does not exist yet, its folder resolved.
fn real_location(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(path) {
        return Some(real);
    }
    let absolute = absolute(path)?;
    let dir = std::fs::canonicalize(absolute.parent()?).ok()?;
    Some(dir.join(absolute.file_name()?))
}

/// Why writing at `path` would leave the work tree it is named in: the
/// repository (resolved) that `path`'s folder, as written, is in, and
/// where the write would land.
fn outside_its_tree(path: &Path) -> Option<String> {
    let named = absolute(path)?;
    let root = repository_root(named.parent()?, &mut HashMap::new())?;
    let root = std::fs::canonicalize(&root).ok()?;
    let real = real_location(path)?;
    (!real.starts_with(&root)).then(|| {
        format!(
            "it is in the git work tree {}, but a link there would have it written at {}, outside that tree",
            root.display(),
            real.display()
        )
    })
}

impl GitGuard {
    /// Read the state of every repository holding one of `files` (the
    /// configs a run may replace).
    pub fn snapshot(files: &[PathBuf]) -> GitGuard {
        let mut cache = HashMap::new();
        let mut by_root: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        let mut guard = GitGuard::default();
        for file in files {
            let Ok(real) = std::fs::canonicalize(file) else {
                continue;
            };
            let Some(root) = real.parent().and_then(|d| repository_root(d, &mut cache)) else {
                guard.files.insert(real, None);
                continue;
            };
            by_root.entry(root).or_default().push(real);
        }
        for (root, reals) in by_root {
            guard.files.extend(read_repository(&root, &reals));
        }
        guard
    }

    /// Why writing `path` could lose work or leave its work tree, or
    /// `None` if it may be written.
    pub fn refusal(&self, path: &Path, write: Write) -> Option<String> {
        if let Some(why) = outside_its_tree(path) {
            return Some(why);
        }
        if write == Write::Create {
            return None;
        }
        let real = std::fs::canonicalize(path).ok()?;
        self.files.get(&real).cloned().flatten()
    }
}

/// The state of `reals` (files inside the repository at `root`): `None`
/// for a clean file, else why it is not.
fn read_repository(root: &Path, reals: &[PathBuf]) -> Vec<(PathBuf, Option<String>)> {
    let failed = |e: String| {
        let why = format!("git could not tell whether it has uncommitted changes ({e})");
        reals
            .iter()
            .map(|r| (r.clone(), Some(why.clone())))
            .collect()
    };
    let index = match git::index(root) {
        Ok(index) => index,
        Err(e) => return failed(e),
    };
    let head = git::head_tree(root);
    let mut states = Vec::new();
    let mut to_compare: Vec<(PathBuf, &git::IndexEntry)> = Vec::new();
    for real in reals {
        let relative = real.strip_prefix(root).unwrap_or(real);
        let why = match index.get(relative) {
            None => Some("it is not committed to git (untracked or ignored)"),
            Some(entry) if entry.stage != 0 => Some("it has unresolved merge conflicts"),
            Some(entry) if head.get(relative) != Some(&entry.object) => {
                Some("it has uncommitted changes (staged)")
            }
            Some(entry) => {
                to_compare.push((real.clone(), entry));
                continue;
            }
        };
        states.push((real.clone(), why.map(str::to_string)));
    }
    let objects: HashSet<String> = to_compare.iter().map(|(_, e)| e.object.clone()).collect();
    let blobs = match git::blobs(root, &objects.into_iter().collect::<Vec<_>>()) {
        Ok(blobs) => blobs,
        Err(e) => return failed(e),
    };
    let autocrlf = !to_compare.is_empty() && git::autocrlf(root);
    for (real, entry) in to_compare {
        let why = match (std::fs::read(&real), blobs.get(&entry.object)) {
            (Ok(bytes), Some(blob)) if same(&bytes, blob, entry, autocrlf) => None,
            (Err(e), _) => Some(format!(
                "it cannot be read to compare it with git's copy: {e}"
            )),
            _ if entry.skip_worktree() => {
                Some("it has local edits that git hides (--skip-worktree)".to_string())
            }
            _ if entry.assume_unchanged() => {
                Some("it has local edits that git hides (--assume-unchanged)".to_string())
            }
            _ => Some("it has uncommitted changes".to_string()),
        };
        states.push((real, why));
    }
    states
}

/// Whether a work-tree file holds what git has: the same bytes, or the
/// same text once git's own line-end conversion (text attributes,
/// `core.autocrlf`) is undone.
fn same(bytes: &[u8], blob: &[u8], entry: &git::IndexEntry, autocrlf: bool) -> bool {
    if bytes == blob {
        return true;
    }
    let converts =
        autocrlf || entry.eol_attributes.contains("text") || entry.eol_attributes.contains("eol=");
    converts && bytes.len() > blob.len() && {
        let mut normalised = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
                continue;
            }
            normalised.push(bytes[i]);
            i += 1;
        }
        normalised == blob
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::process::Command;

    fn run(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    }

    #[test]
    fn refuses_what_git_cannot_restore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        run(root, &["init", "-q"]);
        fs::create_dir_all(root.join("svc")).unwrap();
        let names = [
            "clean",
            "modified",
            "staged",
            "skip",
            "assume",
            "skipclean",
            "crlf",
        ];
        for name in names {
            fs::write(root.join("svc").join(format!("{name}.json")), "{\r\n}\r\n").unwrap();
        }
        // Stored with LF, checked out with CRLF.
        fs::write(root.join(".gitattributes"), "svc/crlf.json text eol=crlf\n").unwrap();
        run(root, &["add", "."]);
        run(root, &["commit", "-q", "-m", "init"]);
        fs::write(root.join("svc/modified.json"), "{ }").unwrap();
        fs::write(root.join("svc/staged.json"), "{ }").unwrap();
        run(root, &["add", "svc/staged.json"]);
        fs::write(root.join("svc/new.json"), "{}").unwrap();
        run(root, &["update-index", "--skip-worktree", "svc/skip.json"]);
        run(
            root,
            &["update-index", "--skip-worktree", "svc/skipclean.json"],
        );
        run(
            root,
            &["update-index", "--assume-unchanged", "svc/assume.json"],
        );
        fs::write(root.join("svc/skip.json"), "{ }").unwrap();
        fs::write(root.join("svc/assume.json"), "{ }").unwrap();
        let files: Vec<PathBuf> = names
            .iter()
            .chain(&["new"])
            .map(|n| root.join("svc").join(format!("{n}.json")))
            .collect();
        let guard = GitGuard::snapshot(&files);
        let why = |i: usize| guard.refusal(&files[i], Write::Replace);
        assert_eq!(why(0), None);
        assert!(why(1).unwrap().contains("uncommitted"));
        assert!(why(2).unwrap().contains("uncommitted changes (staged)"));
        assert!(why(3).unwrap().contains("--skip-worktree"));
        assert!(why(4).unwrap().contains("--assume-unchanged"));
        assert_eq!(why(5), None);
        // Checked out with CRLF by the attribute: git's copy, converted.
        assert_eq!(why(6), None);
        assert!(why(7).unwrap().contains("not committed"));

        let outside = tempfile::tempdir().unwrap();
        let loose = outside.path().join("k.json");
        fs::write(&loose, "{}").unwrap();
        assert_eq!(
            GitGuard::snapshot(std::slice::from_ref(&loose)).refusal(&loose, Write::Replace),
            None
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_write_through_links_out_of_the_work_tree() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let outside = dir.path().join("outside");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("k.json"), "{}").unwrap();
        run(&root, &["init", "-q"]);
        symlink(outside.join("k.json"), root.join("link.json")).unwrap();
        symlink(&outside, root.join("folder")).unwrap();
        run(&root, &["add", "."]);
        run(&root, &["commit", "-q", "-m", "links"]);
        let files = [root.join("link.json"), root.join("folder/k.json")];
        let guard = GitGuard::snapshot(&files);
        for file in &files {
            let why = guard.refusal(file, Write::Replace).unwrap();
            assert!(why.contains("outside that tree"), "{why}");
        }
        let collector = root.join("folder/k.otel-collector.yaml");
        assert!(guard.refusal(&collector, Write::Create).is_some());
        assert_eq!(
            guard.refusal(&root.join("k.otel-collector.yaml"), Write::Create),
            None
        );
    }
}
