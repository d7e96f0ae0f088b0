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
//! * uses only plumbing that reads the index and trees as they are
//!   stored, never filtering: `ls-files`, `ls-tree`, `config --get`.
//!   Whether a work-tree file differs from the index is decided by
//!   hashing its bytes as git names a blob (`crate::workspace::vcs`), not
//!   by `git status` (which may run clean filters and the fsmonitor).

use std::collections::HashMap;
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
}

impl IndexEntry {
    pub fn skip_worktree(&self) -> bool {
        self.tag == b'S'
    }

    pub fn assume_unchanged(&self) -> bool {
        self.tag.is_ascii_lowercase()
    }
}

/// Each NUL-terminated record `git <args>` prints in `root`, read as it
/// comes (a large repository's listing is never held whole), or why git
/// failed.
fn each_record(root: &Path, args: &[&str], mut record: impl FnMut(&str)) -> Result<(), String> {
    use std::io::BufRead;
    let mut child = command(root)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    // Read from a thread: git may fill the error pipe while this one
    // reads its output.
    let mut stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut text);
        text
    });
    let mut reader = std::io::BufReader::new(stdout);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_until(0, &mut buffer) {
            Ok(0) => break,
            Ok(_) => {
                if buffer.last() == Some(&0) {
                    buffer.pop();
                }
                if !buffer.is_empty() {
                    record(&String::from_utf8_lossy(&buffer));
                }
            }
            Err(e) => return Err(format!("cannot read what git printed: {e}")),
        }
    }
    let status = child.wait().map_err(|e| format!("cannot run git: {e}"))?;
    let errors = errors.join().unwrap_or_default();
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&errors).trim()
        ))
    }
}

/// The entries of the index of the repository at `root` for the paths
/// (relative to it) that `wanted` accepts (a conflicted path keeps the
/// entry of its highest stage). Only those are kept: a run holds what it
/// may write, not the whole repository.
pub fn index(
    root: &Path,
    wanted: impl Fn(&Path) -> bool,
) -> Result<HashMap<PathBuf, IndexEntry>, String> {
    let mut entries = HashMap::new();
    each_record(root, &["ls-files", "-z", "--stage", "-v"], |record| {
        // `<tag> <mode> <object> <stage>\t<path>`
        let Some((head, path)) = record.split_once('\t') else {
            return;
        };
        if !wanted(Path::new(path)) {
            return;
        }
        let parts: Vec<&str> = head.split(' ').collect();
        let [tag, _mode, object, stage] = parts[..] else {
            return;
        };
        entries.insert(
            PathBuf::from(path),
            IndexEntry {
                tag: tag.bytes().next().unwrap_or(b'H'),
                object: object.to_string(),
                stage: stage.parse().unwrap_or(0),
            },
        );
    })?;
    Ok(entries)
}

/// The objects of the commit checked out (`HEAD`) for the paths that
/// `wanted` accepts; empty when there is no commit yet.
pub fn head_tree(root: &Path, wanted: impl Fn(&Path) -> bool) -> HashMap<PathBuf, String> {
    let mut objects = HashMap::new();
    let listed = each_record(
        root,
        &["ls-tree", "-r", "-z", "--full-tree", "HEAD"],
        |record| {
            // `<mode> <type> <object>\t<path>`
            let Some((head, path)) = record.split_once('\t') else {
                return;
            };
            if let Some(object) = head.split(' ').nth(2)
                && wanted(Path::new(path))
            {
                objects.insert(PathBuf::from(path), object.to_string());
            }
        },
    );
    if listed.is_err() {
        return HashMap::new();
    }
    objects
}

/// A path's line-end attributes, as `git check-attr` gives them: `set`,
/// `unset`, `unspecified` or a value (`auto`, `lf`, `crlf`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineEnds {
    pub text: String,
    pub eol: String,
}

impl Default for LineEnds {
    fn default() -> LineEnds {
        LineEnds {
            text: "unspecified".into(),
            eol: "unspecified".into(),
        }
    }
}

impl LineEnds {
    /// Whether git converts the file's line ends on checkout, with
    /// `core.autocrlf` on (`autocrlf`) or off: `text` set (or `auto`, or
    /// another value) does; `-text` (also `binary`) never does; with
    /// `text` unspecified, an `eol` or `core.autocrlf` does.
    pub fn converts(&self, autocrlf: bool) -> bool {
        match self.text.as_str() {
            "unset" => false,
            "unspecified" => autocrlf || matches!(self.eol.as_str(), "lf" | "crlf"),
            _ => true,
        }
    }
}

/// The line-end attributes of `paths` (relative to `root`). `git
/// check-attr` reads the attribute files only, never a file's contents
/// (`ls-files --eol` reads every blob and every work-tree file of the
/// repository, and holds far more memory than this run).
pub fn line_end_attributes(
    root: &Path,
    paths: &[&Path],
) -> Result<HashMap<PathBuf, LineEnds>, String> {
    use std::io::BufRead;
    let mut found: HashMap<PathBuf, LineEnds> = HashMap::new();
    if paths.is_empty() {
        return Ok(found);
    }
    let mut child = command(root)
        .args(["check-attr", "-z", "--stdin", "text", "eol"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut request = Vec::new();
    for path in paths {
        request.extend_from_slice(path.to_string_lossy().as_bytes());
        request.push(0);
    }
    // Written from a thread: git answers while it reads, and a pipe holds
    // only so much.
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &request));
    let mut reader = std::io::BufReader::new(child.stdout.take().expect("piped"));
    // `<path> NUL <attribute> NUL <value> NUL`, for each path and attribute.
    let mut field = || {
        let mut bytes = Vec::new();
        match reader.read_until(0, &mut bytes) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                bytes.pop();
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
        }
    };
    let mut complete = true;
    loop {
        match (field(), field(), field()) {
            (Some(path), Some(attribute), Some(value)) => {
                let ends = found.entry(PathBuf::from(path)).or_default();
                match attribute.as_str() {
                    "text" => ends.text = value,
                    "eol" => ends.eol = value,
                    _ => {}
                }
            }
            (None, None, None) => break,
            _ => {
                complete = false;
                break;
            }
        }
    }
    // Stop reading before waiting for the writer: git, blocked on a full
    // output pipe, would never read the rest of its input.
    drop(reader);
    if !complete {
        let _ = child.kill();
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| format!("cannot run git: {e}"))?;
    if status.success() && complete {
        Ok(found)
    } else {
        Err("git check-attr failed".into())
    }
}

/// Whether git converts line ends of files checked out (`core.autocrlf`).
pub fn autocrlf(root: &Path) -> bool {
    run(root, &["config", "--get", "core.autocrlf"]).is_ok_and(|out| {
        // Git's booleans are case-insensitive.
        matches!(
            String::from_utf8_lossy(&out)
                .trim()
                .to_ascii_lowercase()
                .as_str(),
            "true" | "input" | "yes" | "on" | "1"
        )
    })
}
