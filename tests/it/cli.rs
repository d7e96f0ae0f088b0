//! The command line as users drive it: exit codes, what each mode prints
//! and writes, standard input, bad input, and secrets.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{abin, bin, fixture, snapshot_settings, temp_file};
use insta_cmd::assert_cmd_snapshot;
use predicates::prelude::*;

const XRAY: &str = "rules/xray_docs.json";
const CANARIES: [&str; 2] = ["AKIAFIXTURECANARY01", "fixture/canary+secret/value0001"];

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_canary(output: &Output) {
    for canary in CANARIES {
        assert!(
            !text(&output.stdout).contains(canary),
            "stdout leaks {canary}"
        );
        assert!(
            !text(&output.stderr).contains(canary),
            "stderr leaks {canary}"
        );
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn help_shows_examples() {
    snapshot_settings().bind(|| {
        assert_cmd_snapshot!("help", bin().arg("--help"));
        assert_cmd_snapshot!("migrate_help", bin().args(["migrate", "--help"]));
    });
}

#[test]
fn version_is_printed() {
    abin()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("oc2otel "));
}

#[test]
fn preview_shows_both_diffs_and_writes_nothing() {
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let before = fs::read(&path).unwrap();
    snapshot_settings().bind(|| {
        assert_cmd_snapshot!(
            "preview_xray",
            bin()
                .current_dir(dir.path())
                .args(["migrate", "--color", "never", "krakend.json"])
        );
    });
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(files_in(dir.path()), ["krakend.json"]);
    let output = run_in(dir.path(), &["migrate", "krakend.json"]);
    assert_no_canary(&output);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn write_applies_then_a_second_write_and_check_are_no_ops() {
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let check = run_in(dir.path(), &["migrate", "--check", "krakend.json"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    // One line for the pending file: its path and why.
    assert_eq!(text(&check.stdout).lines().count(), 1);
    assert!(
        text(&check.stdout).starts_with("krakend.json: uses telemetry/opencensus ("),
        "{}",
        text(&check.stdout)
    );
    let quiet = run_in(dir.path(), &["migrate", "--check", "-q", "krakend.json"]);
    assert_eq!(text(&quiet.stdout), "krakend.json\n");
    assert_no_canary(&check);

    let write = run_in(dir.path(), &["migrate", "--write", "krakend.json"]);
    assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
    assert_no_canary(&write);
    assert!(
        text(&write.stderr)
            .contains("migrated krakend.json (collector config: krakend.otel-collector.yaml)")
    );
    assert_eq!(
        files_in(dir.path()),
        ["krakend.json", "krakend.otel-collector.yaml"]
    );
    let migrated = fs::read_to_string(&path).unwrap();
    let collector = fs::read_to_string(dir.path().join("krakend.otel-collector.yaml")).unwrap();
    for canary in CANARIES {
        assert!(!migrated.contains(canary) && !collector.contains(canary));
    }
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("write_xray_config", migrated);
        insta::assert_snapshot!("write_xray_collector", collector);
    });

    let again = run_in(dir.path(), &["migrate", "--write", "krakend.json"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(fs::read_to_string(&path).unwrap(), migrated);
    let check = run_in(dir.path(), &["migrate", "--check", "krakend.json"]);
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(text(&check.stdout), "");
}

#[test]
fn check_passes_on_a_config_without_legacy_blocks() {
    let (dir, _) = temp_file("krakend.json", br#"{"version": 3, "endpoints": []}"#);
    let output = run_in(dir.path(), &["migrate", "--check", "krakend.json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), "");
}

#[test]
fn invalid_json_is_located_and_nothing_is_touched() {
    let broken = "{\n  \"version\": 3,\n  \"extra_config\": {\n    \"telemetry/opencensus\": {\n      \"exporters\": {\"xray\": {\"secret_access_key\": \"AKIAFIXTURECANARY01\",}}\n    }\n  }\n}\n";
    let (dir, path) = temp_file("krakend.json", broken.as_bytes());
    for mode in ["--write", "--check", "--color=never"] {
        let output = run_in(dir.path(), &["migrate", mode, "krakend.json"]);
        assert_eq!(output.status.code(), Some(2), "{mode}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains("krakend.json:5:"), "{stderr}");
        assert!(stderr.contains("trailing comma"), "{stderr}");
        assert_no_canary(&output);
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), broken);
    assert_eq!(files_in(dir.path()), ["krakend.json"]);
}

#[test]
fn every_bad_input_exits_2_with_a_location_and_leaves_the_file() {
    let cases: [(&str, &[u8], &str); 6] = [
        ("empty.json", b"", "empty"),
        ("blank.json", b"  \n\t\n", "whitespace"),
        ("binary.json", b"{\"a\":\x00\x01}", "binary"),
        ("latin1.json", b"{\"name\": \"caf\xe9\"}", "UTF-8"),
        ("comment.json", b"{\n  // note\n  \"version\": 3\n}", "comments"),
        ("type.json", br#"{"version": 3, "extra_config": {"telemetry/opencensus": {"sample_rate": "100", "exporters": {}}}}"#, "must be an integer"),
    ];
    for (name, contents, expected) in cases {
        let (dir, path) = temp_file(name, contents);
        // Bytes that never mention OpenCensus are read from standard input
        // under the file's name: named, they would be skipped.
        let output = crate::common::run_on(dir.path(), &["migrate", "--write"], name);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert_eq!(fs::read(&path).unwrap(), contents, "{name} was changed");
        assert_eq!(files_in(dir.path()), [name], "{name} left files behind");
    }
}

#[test]
fn a_missing_file_is_an_error_but_others_are_processed() {
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let output = run_in(
        dir.path(),
        &["migrate", "--write", "missing.json", "krakend.json"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("missing.json"));
    assert!(
        fs::read_to_string(&path)
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
}

#[test]
fn stdin_is_a_filter() {
    let input = fixture(XRAY);
    let output = abin()
        .args(["migrate", "-"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let migrated = text(&output.stdout);
    assert!(migrated.contains("\"telemetry/opentelemetry\""));
    assert!(!migrated.contains("opencensus"));
    assert!(text(&output.stderr).contains("--collector-out"));
    assert_no_canary(&output);

    let unchanged = r#"{"version": 3}"#;
    abin()
        .args(["migrate", "-"])
        .write_stdin(unchanged)
        .assert()
        .success()
        .stdout(unchanged);
    abin()
        .args(["migrate", "--check", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout("-\n");
}

#[test]
fn stdin_with_collector_out_writes_the_collector_config() {
    let dir = tempfile::tempdir().unwrap();
    let output = abin()
        .current_dir(dir.path())
        .args(["migrate", "--write", "--collector-out", "adot.yaml", "-"])
        .write_stdin(fixture(XRAY))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let yaml = fs::read_to_string(dir.path().join("adot.yaml")).unwrap();
    assert!(yaml.contains("awsxray"));
}

#[test]
fn json_report_has_the_documented_shape() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let output = run_in(dir.path(), &["migrate", "--format", "json", "krakend.json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_no_canary(&output);
    assert_eq!(text(&output.stderr), "");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["version"], 1);
    let file = &report["files"][0];
    assert_eq!(file["path"], "krakend.json");
    assert_eq!(file["format"], "json");
    assert_eq!(file["status"], "would_migrate");
    assert_eq!(file["collector_path"], "krakend.otel-collector.yaml");
    let diagnostics = file["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        for key in ["severity", "code", "message", "pointer", "line", "column"] {
            assert!(d.get(key).is_some(), "diagnostic without {key}: {d}");
        }
        assert!(["error", "warning", "info"].contains(&d["severity"].as_str().unwrap()));
    }
    let secret = diagnostics
        .iter()
        .find(|d| {
            d["pointer"] == "/extra_config/telemetry~1opencensus/exporters/xray/secret_access_key"
        })
        .expect("a warning for the secret key");
    assert_eq!(secret["severity"], "warning");
    assert_eq!(secret["line"], 13);
    assert!(secret["message"].as_str().unwrap().contains("rotate"));
    assert_eq!(
        report["summary"],
        serde_json::json!({"files": 1, "migrated": 1, "unchanged": 0, "skipped": 0, "errors": 0,
            "warnings": diagnostics.iter().filter(|d| d["severity"] == "warning").count()})
    );
}

#[test]
fn usage_errors_exit_2() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    fs::write(dir.path().join("b.json"), "{}").unwrap();
    for args in [
        vec![
            "migrate",
            "--collector-out",
            "x.yaml",
            "krakend.json",
            "b.json",
        ],
        vec!["migrate", "--krakend-version", "2.5", "krakend.json"],
        vec![
            "migrate",
            "--otlp-endpoint",
            "http://x:4317",
            "krakend.json",
        ],
        vec!["migrate", "--write", "--check", "krakend.json"],
        vec!["migrate", "--schema-dir", "no-such-dir", "krakend.json"],
        vec!["migrate", "-", "-"],
        vec!["frobnicate"],
    ] {
        let output = run_in(dir.path(), &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert!(!text(&output.stderr).is_empty());
    }
}

#[test]
fn adot_refuses_exporters_it_does_not_ship() {
    let (dir, path) = temp_file("krakend.json", fixture("rules/zipkin_adot.json").as_bytes());
    let output = run_in(
        dir.path(),
        &["migrate", "--write", "--collector", "adot", "krakend.json"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--collector contrib"));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        fixture("rules/zipkin_adot.json")
    );
    let output = run_in(
        dir.path(),
        &[
            "migrate",
            "--write",
            "--collector",
            "contrib",
            "krakend.json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let yaml = fs::read_to_string(dir.path().join("krakend.otel-collector.yaml")).unwrap();
    assert!(yaml.contains("zipkin:\n    endpoint: http://zipkin:9411/api/v2/spans"));
}

/// KrakenD 3.0 reads no OpenCensus block: `--check` names that for every
/// pending file, as a next step (warnings themselves need `-v` there), in
/// full with `-v`, and in the JSON report.
#[test]
fn check_says_that_krakend_3_ignores_every_pending_block() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let output = run_in(dir.path(), &["migrate", "--check", "krakend.json"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("migrate these configs before upgrading to KrakenD 3.0 (it ignores telemetry/opencensus without a word"),
        "{stderr}"
    );
    let output = run_in(dir.path(), &["migrate", "--check", "-v", "krakend.json"]);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("warning[OC029]: KrakenD 3.0 ignores `telemetry/opencensus`"),
        "{stderr}"
    );
    let output = run_in(
        dir.path(),
        &["migrate", "--check", "--format", "json", "krakend.json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<&str> = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"OC029"), "{codes:?}");
}

/// `--collector auto` (the default) picks a collector per file: a
/// repository with an X-Ray config and a Zipkin config migrates in one
/// run, ADOT for one and otelcol-contrib for the other, each said.
#[test]
fn a_repository_with_xray_and_zipkin_configs_migrates_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("xray.json"), fixture(XRAY)).unwrap();
    fs::write(
        dir.path().join("zipkin.json"),
        fixture("rules/zipkin_auto.json"),
    )
    .unwrap();
    let output = run_in(dir.path(), &["migrate", "--write", "--format", "json", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut because = Vec::new();
    for file in report["files"].as_array().unwrap() {
        assert_eq!(file["status"], "migrated", "{file}");
        let note = file["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "OC027")
            .unwrap_or_else(|| panic!("no OC027 in {file}"));
        because.push(note["message"].as_str().unwrap().to_string());
    }
    because.sort();
    assert!(because[0].starts_with("collector: ADOT"), "{because:?}");
    assert!(
        because[1].starts_with("collector: otelcol-contrib"),
        "{because:?}"
    );
    let header = |name: &str| {
        let yaml = fs::read_to_string(dir.path().join(name)).unwrap();
        yaml.lines().next().unwrap().to_string()
    };
    assert!(header("xray.otel-collector.yaml").contains("ADOT"));
    assert!(header("zipkin.otel-collector.yaml").contains("otelcol-contrib"));
}

#[test]
fn an_existing_different_collector_config_is_not_overwritten() {
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let mine = dir.path().join("krakend.otel-collector.yaml");
    fs::write(&mine, "# hand-written\n").unwrap();
    let output = run_in(dir.path(), &["migrate", "--write", "krakend.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("already exists"));
    assert_eq!(fs::read_to_string(&mine).unwrap(), "# hand-written\n");
    assert_eq!(fs::read_to_string(&path).unwrap(), fixture(XRAY));
}

#[test]
fn colors_follow_the_flag() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let always = run_in(
        dir.path(),
        &["migrate", "--color", "always", "krakend.json"],
    );
    assert!(text(&always.stdout).contains("\u{1b}["));
    assert!(text(&always.stderr).contains("\u{1b}["));
    let never = run_in(dir.path(), &["migrate", "--color", "never", "krakend.json"]);
    assert!(!text(&never.stdout).contains('\u{1b}') && !text(&never.stderr).contains('\u{1b}'));
    let no_color = bin()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .args(["migrate", "krakend.json"])
        .output()
        .unwrap();
    assert!(!text(&no_color.stderr).contains('\u{1b}'));
}

#[test]
fn quiet_prints_only_errors() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let output = run_in(dir.path(), &["migrate", "-q", "--write", "krakend.json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "");
    let verbose = run_in(dir.path(), &["migrate", "-v", "--check", "krakend.json"]);
    assert_eq!(verbose.status.code(), Some(0));
}

#[test]
fn bom_and_crlf_survive_a_write() {
    let original = format!("\u{feff}{}", fixture(XRAY).replace('\n', "\r\n"));
    let (dir, path) = temp_file("krakend.json", original.as_bytes());
    let output = run_in(dir.path(), &["migrate", "--write", "krakend.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let written = fs::read_to_string(&path).unwrap();
    assert!(written.starts_with('\u{feff}'));
    assert!(
        !written.replace("\r\n", "").contains('\n'),
        "a bare LF was written"
    );
}

#[cfg(unix)]
#[test]
fn permissions_and_symlinks_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, real) = temp_file("real.json", fixture(XRAY).as_bytes());
    fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink("real.json", dir.path().join("krakend.json")).unwrap();
    let output = run_in(dir.path(), &["migrate", "--write", "krakend.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let link = dir.path().join("krakend.json");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(&real)
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(dir.path().join("krakend.otel-collector.yaml").exists());
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), fixture(XRAY)).unwrap();
    fs::write(
        dir.path().join("b.json"),
        "{ \"telemetry/opencensus\": nope",
    )
    .unwrap();
    fs::write(dir.path().join("c.json"), fixture("rules/prometheus.json")).unwrap();
    let output = run_in(
        dir.path(),
        &["migrate", "--write", "a.json", "b.json", "c.json"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        fs::read_to_string(dir.path().join("a.json"))
            .unwrap()
            .contains("opentelemetry")
    );
    assert!(
        fs::read_to_string(dir.path().join("c.json"))
            .unwrap()
            .contains("opentelemetry")
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("b.json")).unwrap(),
        "{ \"telemetry/opencensus\": nope"
    );
    let stderr = text(&output.stderr);
    assert!(stderr.contains("b.json:1:"), "{stderr}");
}

#[test]
fn fail_on_adds_warnings_or_manual_steps_to_the_exit_status() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let code = |args: &[&str]| {
        let mut all = vec!["migrate"];
        all.extend_from_slice(args);
        all.push("krakend.json");
        run_in(dir.path(), &all).status.code()
    };
    // A preview exits 0 on its own; what --fail-on names makes it 1.
    assert_eq!(code(&[]), Some(0));
    assert_eq!(code(&["--fail-on", "manual"]), Some(1));
    assert_eq!(code(&["--fail-on", "warning"]), Some(1));
    assert_eq!(code(&["--check", "--fail-on", "manual"]), Some(1));
    assert_eq!(code(&["--write"]), Some(0));
    // Migrated: nothing is pending and nothing is left to do.
    assert_eq!(code(&["--check", "--fail-on", "manual"]), Some(0));
    assert_eq!(code(&["--check", "--fail-on", "warning"]), Some(0));
    // A file with only a step that is no manual one (a rerun): 0.
    let (dir, _) = temp_file("k.json", fixture("rules/zipkin_adot.json").as_bytes());
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "--collector",
            "adot",
            "--fail-on",
            "manual",
            "k.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("migrate again with --collector contrib"));
}

#[test]
fn statistics_count_each_code_and_the_summary_counts_distinct_manual_steps() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let out = run_in(dir.path(), &["migrate", "--statistics", "krakend.json"]);
    let stderr = text(&out.stderr);
    let stats = &stderr[stderr.find("statistics\n").expect("a statistics table")..];
    // Two credentials: one row, counted twice.
    assert!(stats.contains("     2  OC401  secret\n"), "{stats}");
    let steps = &stderr[stderr.find("next steps\n").unwrap()..stderr.find("statistics\n").unwrap()];
    let listed = steps
        .lines()
        .filter(|l| l.trim_start().starts_with(char::is_numeric))
        .count();
    assert!(listed >= 3, "{steps}");
    assert!(
        steps.contains("rotate 2 credentials found in 1 file"),
        "{steps}"
    );
    // Every step listed is manual but the one that is a run of oc2otel
    // itself (migrate before KrakenD 3.0).
    let manual = listed - steps.matches("before upgrading to KrakenD 3.0").count();
    assert!(
        stderr.contains(&format!("  manual steps  {manual:>7}\n")),
        "{stderr}"
    );
    assert_no_canary(&out);
}

/// A preview whose diff hides secrets says so in one line: `<redacted>` is
/// not what the file holds, so the patch does not apply.
#[test]
fn a_redacted_preview_says_it_does_not_apply() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let out = run_in(dir.path(), &["migrate", "--color", "never", "krakend.json"]);
    let notes: Vec<String> = text(&out.stderr)
        .lines()
        .filter(|l| l.contains("does not apply with `git apply`"))
        .map(String::from)
        .collect();
    assert_eq!(notes.len(), 1, "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("<redacted>"));
    let (dir, _) = temp_file("k.json", fixture("rules/prometheus.json").as_bytes());
    let out = run_in(dir.path(), &["migrate", "--color", "never", "k.json"]);
    assert!(
        !text(&out.stderr).contains("git apply"),
        "{}",
        text(&out.stderr)
    );
}

/// The binary runs without transparent huge pages: with them, mimalloc's
/// arenas counted whole 2 MiB pages and doubled the peak memory
/// (docs/performance.md). The kernel says so in `/proc/PID/status` once
/// the constructor that turns them off has run (the process waits on
/// standard input meanwhile).
#[cfg(target_os = "linux")]
#[test]
fn the_binary_runs_without_transparent_huge_pages() {
    use std::process::Stdio;
    let mut child = bin()
        .args(["migrate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let thp_enabled = || {
        std::fs::read_to_string(&status)
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("THP_enabled:").map(|v| v.trim().to_string()))
    };
    let mut seen = thp_enabled();
    let start = std::time::Instant::now();
    while seen.as_deref() == Some("1") && start.elapsed() < std::time::Duration::from_secs(5) {
        std::thread::sleep(std::time::Duration::from_millis(10));
        seen = thp_enabled();
    }
    drop(child.stdin.take());
    let _ = child.wait();
    match seen {
        None => eprintln!("notice: this kernel does not report THP_enabled; not checked"),
        Some(value) => assert_eq!(value, "0", "transparent huge pages are still on"),
    }
}

/// The allocator gives freed pages back at once (src/main.rs): mimalloc's
/// own verbose listing of its options, which it prints when asked through
/// its environment, says so.
#[test]
fn the_allocator_gives_freed_pages_back_at_once() {
    let out = bin()
        .arg("--version")
        .env("MIMALLOC_VERBOSE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let delay = stderr
        .lines()
        .find_map(|l| l.strip_prefix("option 'purge_delay':"))
        .map(str::trim);
    assert_eq!(delay, Some("0"), "{stderr}");
}
