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
//! configures; whether a file has local edits is decided by hashing its
//! bytes as git names a blob and comparing that with the name the index
//! holds (no blob is read, so the guard's memory does not grow with the
//! files' sizes; only the refusals are kept). Repository roots are found by
//! looking for `.git` upwards, without a process per folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::workspace::git;

/// A snapshot of the repositories holding a set of files.
#[derive(Debug, Default)]
pub struct GitGuard {
    /// Why each file (by its real path) must not be replaced; a file git
    /// holds a clean copy of is not kept.
    refusals: HashMap<PathBuf, String>,
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
                continue;
            };
            by_root.entry(root).or_default().push(real);
        }
        for (root, reals) in by_root {
            guard.refusals.extend(read_repository(&root, &reals));
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
        self.refusals.get(&real).cloned()
    }
}

/// Why each of `reals` (files inside the repository at `root`) must not
/// be replaced; the clean ones are left out.
///
/// A file git holds a clean copy of is known by its bytes hashing to the
/// object name the index holds (as `git hash-object` would), so no blob
/// is read and nothing of a file outlives its check: a run over a large
/// repository holds only the index, HEAD's listing and the refusals.
fn read_repository(root: &Path, reals: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let relatives: std::collections::HashSet<&Path> = reals
        .iter()
        .map(|real| real.strip_prefix(root).unwrap_or(real))
        .collect();
    let wanted = |path: &Path| relatives.contains(path);
    let index = match git::index(root, wanted) {
        Ok(index) => index,
        Err(e) => return undecided(reals, &e),
    };
    let head = git::head_tree(root, wanted);
    let mut refusals = Vec::new();
    // Files the index holds as HEAD does, whose bytes are not git's copy
    // as they stand, with whether they are once CRLF is LF again (git's
    // own conversion, where its attributes say it converts).
    let mut differing = Vec::new();
    for real in reals {
        let relative = real.strip_prefix(root).unwrap_or(real);
        let why = match index.get(relative) {
            None => "it is not committed to git (untracked or ignored)".to_string(),
            Some(entry) if entry.stage != 0 => "it has unresolved merge conflicts".to_string(),
            Some(entry) if head.get(relative) != Some(&entry.object) => {
                "it has uncommitted changes (staged)".to_string()
            }
            Some(entry) => match std::fs::read(real) {
                Ok(bytes) if is_blob(&bytes, &entry.object) => continue,
                Ok(bytes) => {
                    let same_as_lf = same_once_converted(&bytes, &entry.object);
                    differing.push((real, relative, entry, same_as_lf));
                    continue;
                }
                Err(e) => format!("it cannot be read to compare it with git's copy: {e}"),
            },
        };
        refusals.push((real.clone(), why));
    }
    // Git's attributes are asked only when a file would be git's copy with
    // LF line ends.
    let converted: Vec<&Path> = differing
        .iter()
        .filter(|(.., same_as_lf)| *same_as_lf)
        .map(|(_, relative, ..)| *relative)
        .collect();
    let (autocrlf, attributed) = if converted.is_empty() {
        (false, Default::default())
    } else {
        match git::line_end_attributes(root, &converted) {
            Ok(attributed) => (git::autocrlf(root), attributed),
            Err(e) => {
                let unsure: Vec<PathBuf> = differing.iter().map(|(r, ..)| (*r).clone()).collect();
                refusals.extend(undecided(&unsure, &e));
                return refusals;
            }
        }
    };
    for (real, relative, entry, same_as_lf) in differing {
        let converts = || {
            attributed
                .get(relative)
                .cloned()
                .unwrap_or_default()
                .converts(autocrlf)
        };
        if !(same_as_lf && converts()) {
            refusals.push((real.clone(), local_edits(entry)));
        }
    }
    refusals
}

/// The refusal of each of `reals` when git could not say (`error`).
fn undecided(reals: &[PathBuf], error: &str) -> Vec<(PathBuf, String)> {
    let why = format!("git could not tell whether it has uncommitted changes ({error})");
    reals.iter().map(|r| (r.clone(), why.clone())).collect()
}

/// Why a work-tree file that is not git's copy of `entry` may not be
/// replaced.
fn local_edits(entry: &git::IndexEntry) -> String {
    if entry.skip_worktree() {
        "it has local edits that git hides (--skip-worktree)".to_string()
    } else if entry.assume_unchanged() {
        "it has local edits that git hides (--assume-unchanged)".to_string()
    } else {
        "it has uncommitted changes".to_string()
    }
}

/// Whether `bytes`, checked out with CRLF line ends, are the blob named
/// `object` once those are LF again (hashed a line at a time, no copy).
fn same_once_converted(bytes: &[u8], object: &str) -> bool {
    // The text between the `\r` of each CRLF, each part up to a `\r`
    // and the last one to the end.
    let cuts = || memchr::memmem::find_iter(bytes, b"\r\n");
    let crlf = cuts().count();
    crlf > 0 && {
        let starts = std::iter::once(0).chain(cuts().map(|cut| cut + 1));
        let ends = cuts().chain(std::iter::once(bytes.len()));
        let parts = starts.zip(ends).map(|(start, end)| &bytes[start..end]);
        is_blob_of(parts, bytes.len() - crlf, object)
    }
}

/// Whether `contents` stored as a blob would be named `object`.
fn is_blob(contents: &[u8], object: &str) -> bool {
    is_blob_of(std::iter::once(contents), contents.len(), object)
}

/// Whether the blob made of `parts` (`length` bytes in all) would be
/// named `object`: the hash of `blob <length>\0` and the contents, SHA-1
/// or, in a repository that uses it, SHA-256 (its names are 64 hex
/// digits).
fn is_blob_of<'a>(parts: impl Iterator<Item = &'a [u8]>, length: usize, object: &str) -> bool {
    use sha1::Digest;
    fn digest<'p, D: Digest>(parts: impl Iterator<Item = &'p [u8]>, length: usize) -> Vec<u8> {
        let mut hasher = D::new();
        hasher.update(format!("blob {length}\0").as_bytes());
        for part in parts {
            hasher.update(part);
        }
        hasher.finalize().to_vec()
    }
    let digest = match object.len() {
        40 => digest::<sha1::Sha1>(parts, length),
        64 => digest::<sha2::Sha256>(parts, length),
        _ => return false,
    };
    let hex = object.as_bytes().chunks(2).map(|pair| {
        std::str::from_utf8(pair)
            .ok()
            .and_then(|pair| u8::from_str_radix(pair, 16).ok())
    });
    digest
        .iter()
        .zip(hex)
        .all(|(byte, named)| named == Some(*byte))
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

    #[test]
    fn a_sha256_repository_is_read_alike() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let init = Command::new("git")
            .args(["init", "-q", "--object-format=sha256"])
            .arg(root)
            .output()
            .unwrap();
        if !init.status.success() {
            eprintln!("notice: this git cannot make a SHA-256 repository; not checked");
            return;
        }
        for name in ["clean", "modified"] {
            fs::write(root.join(format!("{name}.json")), "{\"a\": 1}\n").unwrap();
        }
        run(root, &["add", "."]);
        run(root, &["commit", "-q", "-m", "init"]);
        fs::write(root.join("modified.json"), "{\"a\": 2}\n").unwrap();
        let files = [root.join("clean.json"), root.join("modified.json")];
        let guard = GitGuard::snapshot(&files);
        assert_eq!(guard.refusal(&files[0], Write::Replace), None);
        let why = guard.refusal(&files[1], Write::Replace).unwrap();
        assert!(why.contains("uncommitted changes"), "{why}");
    }

    #[test]
    fn line_ends_count_as_gits_own_only_where_git_converts_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        run(root, &["init", "-q"]);
        run(root, &["config", "core.autocrlf", "True"]);
        let names = ["auto.json", "never.json", "binary.json"];
        fs::write(
            root.join(".gitattributes"),
            "never.json -text\nbinary.json binary\n",
        )
        .unwrap();
        for name in names {
            fs::write(root.join(name), "{\n}\n").unwrap();
        }
        run(root, &["add", "."]);
        run(root, &["commit", "-q", "-m", "init"]);
        // Each checked out with CRLF since: git's own doing only where it
        // converts (core.autocrlf, spelt `True`); a change elsewhere.
        for name in names {
            fs::write(root.join(name), "{\r\n}\r\n").unwrap();
        }
        let files: Vec<PathBuf> = names.iter().map(|n| root.join(n)).collect();
        let guard = GitGuard::snapshot(&files);
        assert_eq!(guard.refusal(&files[0], Write::Replace), None);
        for file in &files[1..] {
            let why = guard.refusal(file, Write::Replace);
            assert!(
                why.is_some_and(|w| w.contains("uncommitted")),
                "{}",
                file.display()
            );
        }
    }

    #[test]
    fn blob_names_are_the_ones_git_gives() {
        // `printf 'hello\n' | git hash-object --stdin`, and the empty blob.
        assert!(is_blob(
            b"hello\n",
            "ce013625030ba8dba906f756967f9e9ca394464a"
        ));
        assert!(is_blob(b"", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"));
        // The same in a SHA-256 repository.
        assert!(is_blob(
            b"hello\n",
            "2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4"
        ));
        assert!(!is_blob(
            b"hello\n",
            "ce013625030ba8dba906f756967f9e9ca394464b"
        ));
        assert!(!is_blob(b"hello\n", "not a name"));
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
