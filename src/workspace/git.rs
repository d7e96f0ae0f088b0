//! Git, asked about a repository without running anything the repository
//! configures.
//!
//! A repository's configuration can name programs that git runs on its
//! own: `core.fsmonitor` (on every read of the index), hooks, the clean
//! and smudge filters of `.gitattributes` drivers (when `git status`
//! re-hashes a file), `diff.external` and textconv, pagers, credential
//! helpers, SSH commands. oc2otel is run over repositories it did not
//! write, so a repository must not be able to run code as the user
//! through it. Every call here:
//!
//! * overrides those settings on the command line (`-c`, which takes
//!   precedence over every configuration file, includes too):
//!   `core.fsmonitor=false`, `core.hooksPath=/dev/null`, `core.pager=cat`,
//!   an empty `credential.helper`, an empty `diff.external`,
//!   `protocol.allow=never` (no transport, so no lazy fetch of a partial
//!   clone), `core.untrackedCache=false`; with `--no-pager` and
//!   `--no-optional-locks` (nothing is written to `.git`);
//! * clears every `GIT_*` variable of the environment (`GIT_DIR`,
//!   `GIT_CONFIG_*`, `GIT_EXTERNAL_DIFF`, `GIT_EXEC_PATH` could point git
//!   elsewhere) and sets `GIT_CONFIG_NOSYSTEM=1`;
//! * uses only plumbing that reads the index, trees and blobs as they
//!   are stored, never filtering: `ls-files`, `ls-tree`, `cat-file
//!   --batch` (no `--filters`, no `--textconv`), `config --get`. Whether
//!   a work-tree file differs from the index is decided here by comparing
//!   bytes, not by `git status` (which may run clean filters and the
//!   fsmonitor).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The settings that name programs, overridden on every call.
const OVERRIDES: &[&str] = &[
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "credential.helper=",
    "diff.external=",
    "protocol.allow=never",
    "gc.auto=0",
    "maintenance.auto=false",
];

/// `git` in `root`, hardened as the module says.
fn command(root: &Path) -> Command {
    let mut command = Command::new("git");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GIT_") {
            command.env_remove(name);
        }
    }
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_PAGER", "cat")
        .arg("--no-pager")
        .arg("--no-optional-locks");
    for setting in OVERRIDES {
        command.arg("-c").arg(setting);
    }
    command.arg("-C").arg(root).stdin(Stdio::null());
    command
}

/// The standard output of `git <args>` in `root`, or why it failed.
fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = command(root)
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

/// One path of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// `ls-files -v`'s tag: `S` skip-worktree, a lowercase letter
    /// assume-unchanged.
    pub tag: u8,
    pub object: String,
    /// 0, or 1 to 3 for a conflict.
    pub stage: u8,
    /// `ls-files --eol`'s attribute column (`text eol=crlf`, ...).
    pub eol_attributes: String,
}

impl IndexEntry {
    pub fn skip_worktree(&self) -> bool {
        self.tag == b'S'
    }

    pub fn assume_unchanged(&self) -> bool {
        self.tag.is_ascii_lowercase()
    }
}

/// The index of the repository at `root`, by path relative to it (a
/// conflicted path keeps the entry of its highest stage).
pub fn index(root: &Path) -> Result<HashMap<PathBuf, IndexEntry>, String> {
    let out = run(root, &["ls-files", "-z", "--stage", "-v", "--eol"])?;
    let mut entries = HashMap::new();
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let record = String::from_utf8_lossy(record);
        // `<tag> <mode> <object> <stage>\t<eol info>\t<path>`
        let mut fields = record.splitn(3, '\t');
        let (Some(head), Some(eol), Some(path)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let parts: Vec<&str> = head.split(' ').collect();
        let [tag, _mode, object, stage] = parts[..] else {
            continue;
        };
        let attributes = eol
            .split_whitespace()
            .skip_while(|w| !w.starts_with("attr/"))
            .collect::<Vec<_>>()
            .join(" ");
        entries.insert(
            PathBuf::from(path),
            IndexEntry {
                tag: tag.bytes().next().unwrap_or(b'H'),
                object: object.to_string(),
                stage: stage.parse().unwrap_or(0),
                eol_attributes: attributes.trim_start_matches("attr/").to_string(),
            },
        );
    }
    Ok(entries)
}

/// The objects of the commit checked out (`HEAD`), by path; empty when
/// there is no commit yet.
pub fn head_tree(root: &Path) -> HashMap<PathBuf, String> {
    let Ok(out) = run(root, &["ls-tree", "-r", "-z", "--full-tree", "HEAD"]) else {
        return HashMap::new();
    };
    out.split(|&b| b == 0)
        .filter_map(|record| {
            let record = String::from_utf8_lossy(record);
            // `<mode> <type> <object>\t<path>`
            let (head, path) = record.split_once('\t')?;
            let object = head.split(' ').nth(2)?;
            Some((PathBuf::from(path), object.to_string()))
        })
        .collect()
}

/// Whether git converts line ends of files checked out (`core.autocrlf`).
pub fn autocrlf(root: &Path) -> bool {
    run(root, &["config", "--get", "core.autocrlf"]).is_ok_and(|out| {
        matches!(
            String::from_utf8_lossy(&out).trim(),
            "true" | "input" | "yes" | "on" | "1"
        )
    })
}

/// The contents of blobs, as stored (no filter), by object name.
pub fn blobs(root: &Path, objects: &[String]) -> Result<HashMap<String, Vec<u8>>, String> {
    if objects.is_empty() {
        return Ok(HashMap::new());
    }
    let mut child = command(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let request: String = objects.iter().map(|o| format!("{o}\n")).collect();
    // Written from a thread: git answers while it reads, and a pipe holds
    // only so much.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().expect("piped"));
    let mut found = HashMap::new();
    for _ in objects {
        let mut header = String::new();
        if reader.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            break;
        }
        // `<object> blob <size>`, or `<object> missing`.
        let parts: Vec<&str> = header.split_whitespace().collect();
        let [object, "blob", size] = parts[..] else {
            continue;
        };
        let size: usize = size
            .parse()
            .map_err(|_| format!("git cat-file: {header}"))?;
        let mut contents = vec![0; size + 1];
        reader
            .read_exact(&mut contents)
            .map_err(|e| format!("git cat-file: {e}"))?;
        contents.pop();
        found.insert(object.to_string(), contents);
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(found)
}
