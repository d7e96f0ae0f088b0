//! `--write` and git (issue 12, points 10 and 11): asking git about a
//! repository runs none of the programs the repository configures, and
//! the dirty-tree guard refuses files written through links out of the
//! work tree and local edits git hides.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{bin, fixture, git};

const XRAY: &str = "rules/xray_docs.json";

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// A repository holding `k.json` (a legacy config), committed.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    fs::create_dir(&root).unwrap();
    git(&root, &["init", "-q"]);
    fs::write(root.join("k.json"), fixture(XRAY)).unwrap();
    fs::write(
        root.join(".gitattributes"),
        "*.json filter=evil diff=evil\n",
    )
    .unwrap();
    git(&root, &["add", "."]);
    git(&root, &["commit", "-q", "-m", "config"]);
    dir
}

/// Point 10: a repository whose fsmonitor, hooks, filter drivers, diff
/// programs, pager and credential helper each record that they ran. After
/// `--check`, a preview, `--write` and `explain`, none has.
#[cfg(unix)]
#[test]
fn git_runs_nothing_the_repository_configures() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repository();
    let root = dir.path().join("repo");
    let marker = dir.path().join("ran");
    let script = dir.path().join("evil.sh");
    fs::write(
        &script,
        format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\ncat\n", marker.display()),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let hooks = dir.path().join("hooks");
    fs::create_dir(&hooks).unwrap();
    for hook in [
        "post-index-change",
        "pre-commit",
        "post-checkout",
        "reference-transaction",
        "fsmonitor-watchman",
        "pre-auto-gc",
    ] {
        fs::copy(&script, hooks.join(hook)).unwrap();
        fs::copy(&script, root.join(".git/hooks").join(hook)).unwrap();
    }
    let program = |what: &str| format!("{} {what}", script.display());
    for (key, value) in [
        ("core.fsmonitor", program("fsmonitor")),
        ("core.hooksPath", hooks.display().to_string()),
        ("core.pager", program("pager")),
        ("pager.status", program("pager-status")),
        ("filter.evil.clean", program("clean")),
        ("filter.evil.smudge", program("smudge")),
        ("filter.evil.process", program("process")),
        ("diff.evil.textconv", program("textconv")),
        ("diff.external", program("diff")),
        ("credential.helper", program("credential")),
        ("core.askPass", program("askpass")),
        ("core.sshCommand", program("ssh")),
        ("core.editor", program("editor")),
    ] {
        git(&root, &["config", key, &value]);
    }
    // A new modification time: `git status` would hash the file again,
    // through the clean filter.
    let k = root.join("k.json");
    fs::write(&k, fs::read(&k).unwrap()).unwrap();
    let check = run(&root, &["migrate", "--check", "k.json"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    let preview = run(&root, &["migrate", "k.json"]);
    assert_eq!(preview.status.code(), Some(0), "{}", text(&preview));
    let explain = run(&root, &["explain", "k.json"]);
    assert_eq!(explain.status.code(), Some(0), "{}", text(&explain));
    let write = run(&root, &["migrate", "--write", "k.json"]);
    assert_eq!(write.status.code(), Some(0), "{}", text(&write));
    assert!(
        fs::read_to_string(&k)
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
    assert!(
        !marker.exists(),
        "repository programs ran: {}",
        fs::read_to_string(&marker).unwrap_or_default()
    );
}

/// Point 11: a committed symlink to a file outside the repository, and
/// one to a folder outside it: `--write` refuses both (the outside file is
/// not rewritten, no collector config appears outside), unless
/// `--allow-dirty`, which writes the config through the link and the
/// collector config next to the link, inside the tree.
#[cfg(unix)]
#[test]
fn links_out_of_the_work_tree_are_refused() {
    use std::os::unix::fs::symlink;
    let dir = repository();
    let root = dir.path().join("repo");
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("k.json"), fixture(XRAY)).unwrap();
    symlink(outside.join("k.json"), root.join("link.json")).unwrap();
    symlink(&outside, root.join("conf")).unwrap();
    git(&root, &["add", "link.json", "conf"]);
    git(&root, &["commit", "-q", "-m", "links"]);
    for name in ["link.json", "conf/k.json"] {
        let output = run(&root, &["migrate", "--write", name]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(
            text(&output).contains("outside that tree"),
            "{}",
            text(&output)
        );
        assert_eq!(
            fs::read_to_string(outside.join("k.json")).unwrap(),
            fixture(XRAY)
        );
        let mut outside_files: Vec<_> = fs::read_dir(&outside)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        outside_files.sort();
        assert_eq!(outside_files, ["k.json"]);
        assert!(!root.join("link.otel-collector.yaml").exists());
    }
    let output = run(&root, &["migrate", "--write", "--allow-dirty", "link.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        fs::symlink_metadata(root.join("link.json"))
            .unwrap()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(outside.join("k.json"))
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
    assert!(root.join("link.otel-collector.yaml").is_file());
}

/// Point 11: local edits that `--skip-worktree` or `--assume-unchanged`
/// hide from `git status` are edits all the same.
#[test]
fn edits_git_hides_are_refused() {
    for flag in ["--skip-worktree", "--assume-unchanged"] {
        let dir = repository();
        let root = dir.path().join("repo");
        let k = root.join("k.json");
        git(&root, &["update-index", flag, "k.json"]);
        // Unchanged: written.
        let output = run(&root, &["migrate", "--check", "k.json"]);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        let edited = fixture(XRAY).replace("eu-west-1", "eu-west-2");
        fs::write(&k, &edited).unwrap();
        let output = run(&root, &["migrate", "--write", "k.json"]);
        assert_eq!(output.status.code(), Some(2), "{flag}: {}", text(&output));
        assert!(text(&output).contains(flag), "{}", text(&output));
        assert_eq!(fs::read_to_string(&k).unwrap(), edited);
        assert!(!root.join("k.otel-collector.yaml").exists());
        // The edit undone: git's copy again, written.
        fs::write(&k, fixture(XRAY)).unwrap();
        let output = run(&root, &["migrate", "--write", "k.json"]);
        assert_eq!(output.status.code(), Some(0), "{flag}: {}", text(&output));
    }
}
