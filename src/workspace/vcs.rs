//! The guard that keeps `--write` from destroying uncommitted work.
//!
//! Like `cargo fix`, oc2otel refuses to rewrite a file that git does not
//! hold a clean copy of (modified, staged, untracked or ignored), unless
//! `--allow-dirty`: the commit is the undo. Files outside any git work
//! tree are written: the preview is the safety net there.
//!
//! The state of each repository is read once, before anything is written
//! (so oc2otel's own writes cannot change the answer), with two git
//! commands per repository; repository roots are found by looking for
//! `.git` upwards, without a process per folder.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Default)]
struct Repository {
    /// Paths (relative to the root) git tracks.
    tracked: HashSet<PathBuf>,
    /// Tracked paths with changes in the work tree or the index.
    changed: HashSet<PathBuf>,
    /// Set when git could not be asked; every file is then refused.
    failure: Option<String>,
}

/// A snapshot of the repositories holding a set of files.
#[derive(Debug, Default)]
pub struct GitGuard {
    repositories: HashMap<PathBuf, Repository>,
}

/// The work tree root above `dir` (canonical), if any.
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

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn paths(bytes: &[u8]) -> impl Iterator<Item = PathBuf> + '_ {
    bytes
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
}

fn read_repository(root: &Path) -> Repository {
    let tracked = match git(root, &["ls-files", "-z"]) {
        Ok(out) => paths(&out).collect(),
        Err(e) => {
            return Repository {
                failure: Some(e),
                ..Repository::default()
            };
        }
    };
    let status = match git(
        root,
        &["status", "--porcelain=v1", "-z", "--untracked-files=no"],
    ) {
        Ok(out) => out,
        Err(e) => {
            return Repository {
                failure: Some(e),
                ..Repository::default()
            };
        }
    };
    let mut changed = HashSet::new();
    let mut entries = status.split(|&b| b == 0).filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        if entry.len() < 4 {
            continue;
        }
        let (code, path) = entry.split_at(3);
        changed.insert(PathBuf::from(String::from_utf8_lossy(path).into_owned()));
        // A rename or copy is followed by its source path.
        if (code[0] == b'R' || code[0] == b'C')
            && let Some(source) = entries.next()
        {
            changed.insert(PathBuf::from(String::from_utf8_lossy(source).into_owned()));
        }
    }
    Repository {
        tracked,
        changed,
        failure: None,
    }
}

impl GitGuard {
    /// Read the state of every repository holding one of `files`.
    pub fn snapshot(files: &[PathBuf]) -> GitGuard {
        let mut cache = HashMap::new();
        let mut guard = GitGuard::default();
        for file in files {
            let Some(dir) = canonical_parent(file) else {
                continue;
            };
            if let Some(root) = repository_root(&dir, &mut cache) {
                guard
                    .repositories
                    .entry(root.clone())
                    .or_insert_with(|| read_repository(&root));
            }
        }
        guard
    }

    /// Why writing `file` could lose work, or `None` if git holds a clean
    /// copy of it (or it is not in a repository).
    pub fn refusal(&self, file: &Path) -> Option<String> {
        let dir = canonical_parent(file)?;
        let name = std::fs::canonicalize(file).ok()?.file_name()?.to_owned();
        let (root, repo) = self
            .repositories
            .iter()
            .filter(|(root, _)| dir.starts_with(root))
            .max_by_key(|(root, _)| root.as_os_str().len())?;
        if let Some(failure) = &repo.failure {
            return Some(format!(
                "git could not tell whether it has uncommitted changes ({failure})"
            ));
        }
        let relative = dir.strip_prefix(root).ok()?.join(name);
        if !repo.tracked.contains(&relative) {
            Some("it is not committed to git (untracked or ignored)".into())
        } else if repo.changed.contains(&relative) {
            Some("it has uncommitted changes".into())
        } else {
            None
        }
    }
}

/// The canonical folder of a file (following a symlinked file to its
/// target, since that is what gets written).
fn canonical_parent(file: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(file).ok()?;
    real.parent().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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
        for name in ["clean.json", "modified.json", "staged.json"] {
            fs::write(root.join("svc").join(name), "{}").unwrap();
        }
        run(root, &["add", "."]);
        run(root, &["commit", "-q", "-m", "init"]);
        fs::write(root.join("svc/modified.json"), "{ }").unwrap();
        fs::write(root.join("svc/staged.json"), "{ }").unwrap();
        run(root, &["add", "svc/staged.json"]);
        fs::write(root.join("svc/new.json"), "{}").unwrap();
        let files: Vec<PathBuf> = ["clean", "modified", "staged", "new"]
            .iter()
            .map(|n| root.join("svc").join(format!("{n}.json")))
            .collect();
        let guard = GitGuard::snapshot(&files);
        assert_eq!(guard.refusal(&files[0]), None);
        assert!(guard.refusal(&files[1]).unwrap().contains("uncommitted"));
        assert!(guard.refusal(&files[2]).unwrap().contains("uncommitted"));
        assert!(guard.refusal(&files[3]).unwrap().contains("not committed"));

        let outside = tempfile::tempdir().unwrap();
        let loose = outside.path().join("k.json");
        fs::write(&loose, "{}").unwrap();
        assert_eq!(
            GitGuard::snapshot(std::slice::from_ref(&loose)).refusal(&loose),
            None
        );
    }
}
