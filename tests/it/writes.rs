//! How `--write` writes (SPEC section 2, guarantee 5), at the command
//! line: permissions kept, symlinks written through and kept, the
//! collector file before the config that points to it, temporary files of
//! killed runs removed by the next `--write` (and never by preview or
//! `--check`, which write nothing), and a temporary file that a running
//! oc2otel holds never touched. The kill test is in `tests/kill.rs`.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{bin, fixture, temp_file};

const XRAY: &str = "rules/xray_docs.json";

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| oc2otel::workspace::write::is_temp_name(n))
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn modes_are_kept_and_symlinks_stay_links() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // krakend.json -> conf/current.json -> releases/v1.json (relative links)
    fs::create_dir_all(d.join("conf/releases")).unwrap();
    fs::write(d.join("conf/releases/v1.json"), fixture(XRAY)).unwrap();
    fs::set_permissions(
        d.join("conf/releases/v1.json"),
        fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    symlink("releases/v1.json", d.join("conf/current.json")).unwrap();
    symlink("conf/current.json", d.join("krakend.json")).unwrap();
    fs::write(d.join("private.json"), fixture("rules/prometheus.json")).unwrap();
    fs::set_permissions(d.join("private.json"), fs::Permissions::from_mode(0o600)).unwrap();

    let output = run_in(d, &["migrate", "--write", "krakend.json", "private.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));

    for link in ["krakend.json", "conf/current.json"] {
        assert!(
            fs::symlink_metadata(d.join(link))
                .unwrap()
                .file_type()
                .is_symlink(),
            "{link}"
        );
    }
    let real = d.join("conf/releases/v1.json");
    assert!(
        fs::read_to_string(&real)
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&real), 0o640);
    assert_eq!(mode(&d.join("private.json")), 0o600);
    // A new collector file is an ordinary config file.
    assert_eq!(mode(&d.join("krakend.otel-collector.yaml")), 0o644);
    // The temporary file was made next to the real file (a rename cannot
    // cross file systems), and none is left anywhere.
    for sub in ["", "conf", "conf/releases"] {
        assert!(temp_files(&d.join(sub)).is_empty(), "{sub}");
    }
}

/// The collector file is written first: when it cannot be, the config is
/// left as it was, so a config never points at a collector config that
/// does not exist.
#[test]
fn the_config_is_not_written_when_its_collector_file_cannot_be() {
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    // The collector's folder is a file: creating anything in it fails.
    fs::write(dir.path().join("not-a-dir"), "").unwrap();
    let output = run_in(
        dir.path(),
        &[
            "migrate",
            "--write",
            "--collector-out",
            "not-a-dir/c.yaml",
            "krakend.json",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("cannot write the collector config not-a-dir/c.yaml")
            && stderr.contains("the config is left unchanged"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), fixture(XRAY));
    assert!(temp_files(dir.path()).is_empty());
}

/// With strace on the machine: the rename that puts the collector file in
/// place comes before the one that replaces the config.
#[cfg(target_os = "linux")]
#[test]
fn the_collector_file_is_renamed_into_place_before_the_config() {
    if std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("notice: strace not found; skipping the rename order check");
        return;
    }
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let log = dir.path().join("strace.log");
    let status = std::process::Command::new("strace")
        .current_dir(dir.path())
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=rename,renameat,renameat2,link,linkat",
            "-o",
        ])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_oc2otel"))
        .args(["migrate", "-q", "--write", "krakend.json"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let trace = fs::read_to_string(&log).unwrap();
    let collector = trace
        .find("krakend.otel-collector.yaml\"")
        .expect("the collector file was renamed or linked into place");
    let config = trace
        .find("krakend.json\"")
        .expect("the config was renamed into place");
    assert!(collector < config, "{trace}");
}

#[cfg(unix)]
mod stale {
    use super::*;
    use std::os::fd::AsRawFd;

    /// A temporary file as a killed run leaves it: nobody holds its lock.
    fn abandoned(dir: &Path, name: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        fs::write(&path, "{\"half\": ").unwrap();
        path
    }

    #[test]
    fn the_next_write_removes_what_killed_runs_left() {
        let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
        let d = dir.path();
        let left = abandoned(d, ".oc2otel-Zx81Qa.tmp");
        let other = d.join("notes.tmp");
        fs::write(&other, "not ours").unwrap();

        // Preview and --check write nothing, not even a cleanup.
        for mode in ["--check", "--color=never"] {
            run_in(d, &["migrate", mode, "krakend.json"]);
            assert!(left.exists(), "{mode} removed a file");
        }
        let output = run_in(d, &["migrate", "--write", "krakend.json"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert!(!left.exists());
        assert!(other.exists());

        // Also when the config in that folder needs no write.
        let left = abandoned(d, ".oc2otel-Pq0001.tmp");
        let output = run_in(d, &["migrate", "--write", "krakend.json"]);
        assert_eq!(output.status.code(), Some(0));
        assert!(!left.exists());
    }

    #[test]
    fn a_temporary_file_held_by_a_running_oc2otel_is_not_removed() {
        let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
        let d = dir.path();
        // Another oc2otel, still writing: it holds the file's lock.
        let held = abandoned(d, ".oc2otel-Live01.tmp");
        let file = fs::File::open(&held).unwrap();
        // SAFETY: flock on a descriptor we own.
        assert_eq!(unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) }, 0);

        let output = run_in(d, &["migrate", "--write", "krakend.json"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert!(held.exists(), "a live writer's temporary file was removed");

        // Once that writer is gone, the file is stale.
        drop(file);
        let output = run_in(d, &["migrate", "--write", "krakend.json"]);
        assert_eq!(output.status.code(), Some(0));
        assert!(!held.exists());
    }
}
