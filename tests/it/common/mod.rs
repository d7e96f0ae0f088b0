//! Helpers shared by the integration tests: snapshot settings (every
//! snapshot lives in the top-level `snapshots/` folder), the path of the
//! built binary, and access to the reference data in `../shared`.

#![allow(dead_code)]

pub mod collector;
pub mod legacy;
pub mod rules;

use std::path::{Path, PathBuf};

/// insta settings for this project: snapshots in `snapshots/`, named
/// without the module path.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// The oc2otel binary built for these tests.
pub fn bin() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_oc2otel"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

/// The binary as an assert_cmd command (for standard input).
pub fn abin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_oc2otel"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` next to the repository, if present. Without it the oracle
/// tests are skipped with a notice, unless OC2OTEL_REQUIRE_SHARED=1 (as in
/// CI), which makes its absence a failure.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = manifest_dir().join("..").join("shared");
    if dir.join("krakend-schema").is_dir() && dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if std::env::var("OC2OTEL_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!(
            "OC2OTEL_REQUIRE_SHARED=1 but {} (with krakend-schema/ and corpus/) is missing",
            dir.display()
        );
    }
    notice(&format!(
        "{} not found: the tests that use the shared reference data (schemas, corpus) \
         are skipped; put the shared folder next to the repository, or set \
         OC2OTEL_REQUIRE_SHARED=1 to make this a failure",
        dir.display()
    ));
    None
}

/// Print a notice that a person running `cargo test` sees: written to the
/// real standard error, past libtest's output capture (which only takes
/// `print!`/`eprint!`), and once per distinct text per run.
pub fn notice(text: &str) {
    use std::io::Write;
    static SHOWN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    if shown.iter().any(|t| t == text) {
        return;
    }
    shown.push(text.to_owned());
    let _ = writeln!(std::io::stderr().lock(), "\nnotice: {text}");
}

pub fn schema_dir() -> Option<PathBuf> {
    shared_dir().map(|d| d.join("krakend-schema"))
}

/// Read a fixture under `tests/fixtures`.
pub fn fixture(relative: &str) -> String {
    std::fs::read_to_string(manifest_dir().join("tests/fixtures").join(relative))
        .unwrap_or_else(|e| panic!("fixture {relative}: {e}"))
}

/// Copy a file into a fresh temporary directory; returns (dir, path).
pub fn temp_copy(source: &Path, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(source, &path).unwrap();
    (dir, path)
}

/// A temporary directory holding one file with `contents`.
pub fn temp_file(name: &str, contents: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    (dir, path)
}

/// Replace the temporary directory in command output with `[TMP]`.
pub fn scrub(text: &str, dir: &Path) -> String {
    let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    text.replace(&real.display().to_string(), "[TMP]")
        .replace(&dir.display().to_string(), "[TMP]")
}

/// Run oc2otel in `dir` on the bytes of `dir/name` (already written there),
/// with `args` before the input: named on the command line when the bytes
/// mention OpenCensus, else through standard input under that name
/// (`--stdin-filename`). A named file that never mentions OpenCensus is
/// skipped unread (so that a pre-commit hook can pass every changed
/// file); the tests of what oc2otel says about broken bytes read them
/// the way that is always read.
pub fn run_on(dir: &Path, args: &[&str], name: &str) -> std::process::Output {
    use std::io::Write;
    let contents = std::fs::read(dir.join(name)).unwrap();
    let mut cmd = bin();
    cmd.current_dir(dir).args(args);
    if memchr_opencensus(&contents) {
        return cmd.arg(name).output().unwrap();
    }
    let mut child = cmd
        .args(["--stdin-filename", name, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A refusal may close standard input before it is all written.
    let _ = stdin.write_all(&contents);
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn memchr_opencensus(bytes: &[u8]) -> bool {
    bytes
        .windows(b"opencensus".len())
        .any(|w| w == b"opencensus")
}

/// Run `git -C dir ARGS` with a fixed author, and fail the test if git
/// fails (saying which command and why).
pub fn git(dir: &Path, args: &[&str]) {
    let output = std::process::Command::new("git")
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
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every file below `dir`, recursively, sorted; only those whose extension
/// is one of `extensions`, unless it is empty. Nothing when `dir` cannot be
/// read.
pub fn files_below(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                folders.push(path);
            } else if extensions.is_empty()
                || path
                    .extension()
                    .is_some_and(|e| extensions.iter().any(|x| e == *x))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
