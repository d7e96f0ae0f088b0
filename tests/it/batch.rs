//! Whole repositories: the fixture repository `tests/fixtures/repo` (nested
//! services in JSON, YAML and TOML, environments, an ignored folder,
//! Flexible Configuration with partials and settings, unrelated files) is
//! copied to a temporary folder and migrated as users do.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{bin, git, manifest_dir, snapshot_settings};

/// Copy the fixture repository into a fresh temporary folder.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&manifest_dir().join("tests/fixtures/repo"), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file below `root` with its bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// A copy of the repository, committed to a fresh git repository.
fn committed_repo() -> tempfile::TempDir {
    let dir = repo();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "fixture"]);
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The files a run created or changed, as one readable text.
fn changes(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> String {
    let mut out = String::new();
    for (path, bytes) in after {
        let label = match before.get(path) {
            None => "created",
            Some(old) if old != bytes => "changed",
            _ => continue,
        };
        out.push_str(&format!("===== {label}: {path}\n{}", text(bytes)));
        if !bytes.ends_with(b"\n") {
            out.push_str("\n(no newline at end of file)\n");
        }
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        out.push_str(&format!("===== deleted: {path}\n"));
    }
    out
}

const CONTRIB: [&str; 2] = ["--collector", "contrib"];

#[test]
fn preview_and_json_report_of_a_repository() {
    let dir = repo();
    let before = tree(dir.path());
    let preview = run(
        dir.path(),
        &["migrate", "--color", "never", CONTRIB[0], CONTRIB[1], "."],
    );
    assert_eq!(preview.status.code(), Some(0), "{}", text(&preview.stderr));
    assert_eq!(tree(dir.path()), before, "a preview wrote something");
    let json = run(
        dir.path(),
        &["migrate", "--format", "json", CONTRIB[0], CONTRIB[1], "."],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let statuses: BTreeMap<String, String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        !statuses.keys().any(|p| p.contains("generated/")),
        "an ignored folder was walked"
    );
    assert_eq!(
        statuses["./flexible-settings/settings/service.json"],
        "unchanged"
    );
    assert_eq!(
        statuses["./flexible/partials/telemetry.tmpl"],
        "would_migrate"
    );
    assert_eq!(
        statuses["./services/payments/krakend.yaml"],
        "would_migrate"
    );
    assert_eq!(statuses["./services/search/krakend.toml"], "would_migrate");
    assert_eq!(statuses["./environments/prod/krakend.json"], "skipped");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("batch_preview_stdout", text(&preview.stdout));
        insta::assert_snapshot!("batch_preview_stderr", text(&preview.stderr));
        insta::assert_snapshot!("batch_report_json", text(&json.stdout));
    });
}

#[test]
fn write_migrates_the_repository_and_a_second_run_changes_nothing() {
    let dir = committed_repo();
    let before = tree(dir.path());
    let check = run(
        dir.path(),
        &["migrate", "--check", CONTRIB[0], CONTRIB[1], "."],
    );
    assert_eq!(check.status.code(), Some(1));
    snapshot_settings().bind(|| insta::assert_snapshot!("batch_check_stdout", text(&check.stdout)));

    let write = run(
        dir.path(),
        &[
            "migrate", "--write", "--color", "never", CONTRIB[0], CONTRIB[1], ".",
        ],
    );
    assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
    let after = tree(dir.path());
    snapshot_settings()
        .bind(|| insta::assert_snapshot!("batch_written_files", changes(&before, &after)));
    assert!(
        !after.keys().any(|p| p.contains(".oc2otel-")),
        "temporary files left behind"
    );

    // The migrated tree is committed; nothing is pending any more.
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "migrated"]);
    let again = run(
        dir.path(),
        &["migrate", "--write", CONTRIB[0], CONTRIB[1], "."],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(tree(dir.path()), after, "a second --write changed files");
    let check = run(
        dir.path(),
        &["migrate", "--check", CONTRIB[0], CONTRIB[1], "."],
    );
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert_eq!(text(&check.stdout), "");
}

#[test]
fn uncommitted_files_are_not_written_without_allow_dirty() {
    let dir = committed_repo();
    let orders = dir.path().join("services/orders/krakend.json");
    let edited = format!("{}\n", fs::read_to_string(&orders).unwrap());
    fs::write(&orders, &edited).unwrap();
    let untracked = dir.path().join("services/orders/extra.json");
    fs::copy(&orders, &untracked).unwrap();
    let staging = dir.path().join("environments/staging/krakend.json");
    let staging_before = fs::read(&staging).unwrap();

    let output = run(
        dir.path(),
        &["migrate", "--write", CONTRIB[0], CONTRIB[1], "."],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("uncommitted changes"), "{stderr}");
    assert!(stderr.contains("not committed to git"), "{stderr}");
    assert!(stderr.contains("--allow-dirty"), "{stderr}");
    assert_eq!(
        fs::read_to_string(&orders).unwrap(),
        edited,
        "a dirty file was written"
    );
    assert!(
        fs::read_to_string(&untracked)
            .unwrap()
            .contains("telemetry/opencensus")
    );
    assert!(
        !dir.path()
            .join("services/orders/krakend.otel-collector.yaml")
            .exists()
    );
    // Clean files were migrated all the same.
    assert_ne!(fs::read(&staging).unwrap(), staging_before);

    let output = run(
        dir.path(),
        &[
            "migrate",
            "--write",
            "--allow-dirty",
            CONTRIB[0],
            CONTRIB[1],
            ".",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        fs::read_to_string(&orders)
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
    assert!(
        fs::read_to_string(&untracked)
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
}

#[test]
fn outside_git_writes_proceed() {
    let dir = repo();
    let output = run(
        dir.path(),
        &["migrate", "--write", CONTRIB[0], CONTRIB[1], "services"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // Prometheus is scraped: no collector config for the search service.
    assert!(
        !dir.path()
            .join("services/search/krakend.otel-collector.yaml")
            .exists()
    );
    assert!(
        fs::read_to_string(dir.path().join("services/search/krakend.toml"))
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
    assert!(
        dir.path()
            .join("services/orders/krakend.otel-collector.yaml")
            .exists()
    );
}

#[test]
fn ignore_files_and_globs_choose_the_files() {
    let dir = committed_repo();
    fs::write(dir.path().join(".gitignore"), "services/search/\n").unwrap();
    let walked = |args: &[&str]| -> Vec<String> {
        // -q: the bare paths, one per line.
        let mut all = vec!["migrate", "--check", "-q"];
        all.extend_from_slice(args);
        let output = run(dir.path(), &all);
        text(&output.stdout).lines().map(String::from).collect()
    };
    let default = walked(&["."]);
    assert!(!default.iter().any(|p| p.contains("search")), "{default:?}");
    assert!(
        !default.iter().any(|p| p.contains("generated")),
        "{default:?}"
    );
    let everything = walked(&["--no-ignore", "."]);
    assert!(
        everything.iter().any(|p| p.contains("services/search")),
        "{everything:?}"
    );
    assert!(
        everything.iter().any(|p| p.contains("generated")),
        "{everything:?}"
    );
    assert_eq!(
        walked(&["--include", "*.yaml", "."]),
        ["./services/payments/krakend.yaml"]
    );
    let excluded = walked(&["--exclude", "services/**", "--exclude", "*.tmpl", "."]);
    assert_eq!(excluded, ["./environments/staging/krakend.json"]);
    // A hidden folder is skipped.
    fs::create_dir_all(dir.path().join(".old")).unwrap();
    fs::copy(
        dir.path().join("services/orders/krakend.json"),
        dir.path().join(".old/krakend.json"),
    )
    .unwrap();
    assert!(!walked(&["."]).iter().any(|p| p.contains(".old")));
}

#[test]
fn a_broken_file_is_reported_and_the_others_are_migrated() {
    let dir = repo();
    let broken = dir.path().join("services/broken/krakend.json");
    fs::create_dir_all(broken.parent().unwrap()).unwrap();
    fs::write(
        &broken,
        "{\"extra_config\": {\"telemetry/opencensus\": {\"sample_rate\": 1,}}}",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &["migrate", "--write", CONTRIB[0], CONTRIB[1], "services"],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("services/broken/krakend.json:1:"),
        "{stderr}"
    );
    assert!(
        fs::read_to_string(dir.path().join("services/orders/krakend.json"))
            .unwrap()
            .contains("opentelemetry")
    );
    assert!(fs::read_to_string(&broken).unwrap().contains("opencensus"));
}

#[test]
fn templates_with_repeated_or_broken_legacy_blocks() {
    let dir = tempfile::tempdir().unwrap();
    // Two equal keys side by side: KrakenD keeps the last, so the first
    // goes and only the second is migrated (no duplicate new key).
    let repeated = dir.path().join("repeated.tmpl");
    fs::write(
        &repeated,
        "{\n  \"port\": {{ .port }},\n  \"extra_config\": {\n    \"telemetry/opencensus\": {\"exporters\": {\"prometheus\": {\"port\": 9091}}},\n    \"telemetry/opencensus\": {\"exporters\": {\"prometheus\": {\"port\": 9092}}}\n  }\n}\n",
    )
    .unwrap();
    // Alternatives between actions: each branch is migrated.
    let branches = dir.path().join("branches.tmpl");
    fs::write(
        &branches,
        "{\n  \"extra_config\": {\n    {{ if .prod }}\n    \"telemetry/opencensus\": {\"exporters\": {\"prometheus\": {\"port\": 9091}}}\n    {{ else }}\n    \"telemetry/opencensus\": {\"exporters\": {\"prometheus\": {\"port\": 9092}}}\n    {{ end }}\n  }\n}\n",
    )
    .unwrap();
    // A literal block that is not JSON: an error at its place, untouched.
    let broken = dir.path().join("broken.tmpl");
    let broken_text = "{\n  \"port\": {{ .port }},\n  \"extra_config\": {\n    \"telemetry/opencensus\": {\"sample_rate\": 10, \"reporting\"}\n  }\n}\n";
    fs::write(&broken, broken_text).unwrap();

    let output = run(dir.path(), &["migrate", "--write", "--color", "never", "."]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[OC001]") && stderr.contains("broken.tmpl:4:5"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&broken).unwrap(), broken_text);

    let repeated = fs::read_to_string(&repeated).unwrap();
    assert_eq!(
        repeated.matches("telemetry/opentelemetry").count(),
        1,
        "{repeated}"
    );
    assert!(
        repeated.contains("9092") && !repeated.contains("9091"),
        "{repeated}"
    );
    assert!(!repeated.contains("opencensus"), "{repeated}");
    assert!(stderr.contains("warning[OC006]"), "{stderr}");

    let branches = fs::read_to_string(&branches).unwrap();
    assert_eq!(
        branches.matches("telemetry/opentelemetry").count(),
        2,
        "{branches}"
    );
    assert!(branches.contains("{{ if .prod }}") && branches.contains("{{ else }}"));

    // Nothing left to do but the broken file.
    let output = run(dir.path(), &["migrate", "--check", "."]);
    assert_eq!(text(&output.stdout), "");
    assert_eq!(output.status.code(), Some(2));
}

/// Two configs with one stem in a folder (`krakend.json`, `krakend.yaml`)
/// never share a collector config or a snippet: each gets names of its
/// own (`krakend.json.otel-collector.yaml`, `krakend.yaml.otel-...`),
/// chosen from the folder's listing alone, so every run (preview,
/// `--check`, `--write`, again) names them alike and succeeds.
#[test]
fn two_configs_with_one_stem_get_collector_configs_of_their_own() {
    let yaml = "version: 3\nextra_config:\n  telemetry/opencensus:\n    sample_rate: 50\n    exporters:\n      xray:\n        region: us-east-1\n        use_env: true\n";
    let setup = || {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("krakend.json"),
            crate::common::fixture("rules/xray_docs.json"),
        )
        .unwrap();
        fs::write(dir.path().join("krakend.yaml"), yaml).unwrap();
        dir
    };
    let written = |dir: &Path| {
        let before = tree(dir);
        let args = [
            "--color",
            "never",
            "migrate",
            "--write",
            "--emit-deploy",
            "compose",
            ".",
        ];
        let output = run(dir, &args);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        changes(&before, &tree(dir))
    };
    let (first, second) = (setup(), setup());
    let preview = text(
        &run(
            first.path(),
            &[
                "migrate",
                "--color",
                "never",
                "--emit-deploy",
                "compose",
                ".",
            ],
        )
        .stdout,
    );
    let changed = written(first.path());
    for name in [
        "krakend.json.otel-collector.yaml",
        "krakend.yaml.otel-collector.yaml",
        "krakend.json.deploy.compose.yaml",
        "krakend.yaml.deploy.compose.yaml",
    ] {
        assert!(
            changed.contains(&format!("===== created: {name}")),
            "{changed}"
        );
        assert!(preview.contains(&format!("+++ b/{name}")), "{preview}");
    }
    assert!(changed.contains("region: eu-west-1") && changed.contains("region: us-east-1"));
    // Each snippet mounts its own collector config.
    let compose =
        fs::read_to_string(first.path().join("krakend.yaml.deploy.compose.yaml")).unwrap();
    assert!(
        compose.contains("./krakend.yaml.otel-collector.yaml:"),
        "{compose}"
    );
    // The same result in another copy; then nothing left to do.
    assert_eq!(written(second.path()), changed);
    assert_eq!(written(first.path()), "");
    let check = run(first.path(), &["migrate", "--check", "."]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
}

/// A walk lets go of the plans of the folders it has passed (memory flat
/// as the repository grows). A collector config that is a link into
/// another folder (one shared collector config, linked from each service;
/// its name ignored here, so that the walk never meets the link) may land
/// in a folder let go: where it already holds exactly the plan's text,
/// no plan can write it otherwise, and the walk migrates the config.
#[cfg(unix)]
#[test]
fn a_shared_collector_config_behind_a_link_is_checked_against_every_plan() {
    let dir = tempfile::tempdir().unwrap();
    let json = crate::common::fixture("rules/xray_docs.json");
    for folder in ["a", "b", "shared"] {
        fs::create_dir_all(dir.path().join(folder)).unwrap();
    }
    for folder in ["a", "b"] {
        fs::write(dir.path().join(folder).join("krakend.json"), &json).unwrap();
    }
    // b's collector config, made once, moved to `shared` and linked.
    let alone = run(dir.path(), &["migrate", "--write", "b/krakend.json"]);
    assert_eq!(alone.status.code(), Some(0), "{}", text(&alone.stderr));
    let shared = dir.path().join("shared/otel-collector.yaml");
    fs::rename(dir.path().join("b/krakend.otel-collector.yaml"), &shared).unwrap();
    std::os::unix::fs::symlink(&shared, dir.path().join("b/krakend.otel-collector.yaml")).unwrap();
    fs::write(dir.path().join("b/krakend.json"), &json).unwrap();
    fs::write(dir.path().join(".ignore"), "*.otel-collector.yaml\n").unwrap();
    let before = fs::read(&shared).unwrap();
    let check = run(dir.path(), &["migrate", "--color", "never", "--check", "."]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let output = run(dir.path(), &["migrate", "--color", "never", "--write", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    for folder in ["a", "b"] {
        let migrated = fs::read_to_string(dir.path().join(folder).join("krakend.json")).unwrap();
        assert!(migrated.contains("telemetry/opentelemetry"), "{folder}");
    }
    assert_eq!(
        fs::read(&shared).unwrap(),
        before,
        "the shared file is as it was"
    );
}

/// A folder bind-mounted inside the walked one is met at two paths with
/// no link on the way: the walk keeps every plan to its end, and the two
/// spellings of one config are one file (as before plans were let go).
/// Needs the right to mount (root); says so and passes otherwise.
#[cfg(target_os = "linux")]
#[test]
fn a_folder_mounted_twice_in_a_walk_is_one_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (src, mnt) = (dir.path().join("src"), dir.path().join("mnt"));
    fs::create_dir_all(&src).unwrap();
    fs::create_dir_all(&mnt).unwrap();
    let json = crate::common::fixture("rules/xray_docs.json");
    fs::write(src.join("krakend.json"), &json).unwrap();
    let mounted = std::process::Command::new("mount")
        .arg("--bind")
        .arg(&src)
        .arg(&mnt)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!(
            "notice: a_folder_mounted_twice_in_a_walk_is_one_folder skipped: cannot bind-mount here (needs root)"
        );
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mnt.clone());
    let output = run(dir.path(), &["migrate", "--color", "never", "--check", "."]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("./src/krakend.json is also the config ./mnt/krakend.json"),
        "{stderr}"
    );
}

#[test]
fn large_data_files_and_empty_folders_are_warnings_not_failures() {
    let dir = repo();
    // A data dump far larger than any config, found by the walk (sparse:
    // only its size matters, it is refused before it is read).
    let dump = dir.path().join("services/orders/fixtures.json");
    fs::File::create(&dump)
        .unwrap()
        .set_len(40 * 1024 * 1024)
        .unwrap();
    fs::create_dir_all(dir.path().join("empty")).unwrap();
    let output = run(
        dir.path(),
        &[
            "migrate", "--check", CONTRIB[0], CONTRIB[1], "services", "empty",
        ],
    );
    let stderr = text(&output.stderr);
    // Pending migrations, not errors.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("not scanned") && stderr.contains("fixtures.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no config file found in this folder"),
        "{stderr}"
    );
    // Named on the command line, the same file is an error.
    let output = run(
        dir.path(),
        &["migrate", "--check", "services/orders/fixtures.json"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_fatal() {
    let dir = repo();
    std::os::unix::fs::symlink("..", dir.path().join("services/loop")).unwrap();
    let output = run(
        dir.path(),
        &["migrate", "--check", CONTRIB[0], CONTRIB[1], "services"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("symlink loop"),
        "{}",
        text(&output.stderr)
    );
    // Each real file once, by its direct path; the link also leads out of
    // `services` (to the whole repository), and those files are real too.
    let paths: Vec<PathBuf> = text(&output.stdout)
        .lines()
        .map(|l| PathBuf::from(l.split_once(": ").map_or(l, |(p, _)| p)))
        .collect();
    for direct in [
        "services/orders/krakend.json",
        "services/payments/krakend.yaml",
        "services/search/krakend.toml",
    ] {
        assert_eq!(
            paths.iter().filter(|p| p.ends_with(direct)).count(),
            1,
            "{paths:?}"
        );
        assert!(paths.contains(&PathBuf::from(direct)), "{paths:?}");
    }
}

#[test]
fn piped_output_has_no_progress_bar() {
    let dir = repo();
    let output = run(
        dir.path(),
        &["migrate", "--check", CONTRIB[0], CONTRIB[1], "."],
    );
    assert!(!text(&output.stderr).contains('\r'));
    let quiet = run(
        dir.path(),
        &["migrate", "-q", "--check", CONTRIB[0], CONTRIB[1], "."],
    );
    assert_eq!(text(&quiet.stderr), "");
}

/// The part of a human `--check` report from its next steps on, without
/// the files each step names.
fn steps_and_summary(out: &Output) -> String {
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let from = text
        .find("next steps\n")
        .unwrap_or_else(|| panic!("{text}"));
    text[from..]
        .lines()
        // The files of each step (`-v` lists them all) aside.
        .filter(|l| !l.contains("not shown") && !l.starts_with("      "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The human `--check` shows a config's errors alone and lets the text of
/// its other diagnostics go as soon as they are made (they are only
/// counted): its next steps, counts and summary are exactly those of
/// `--check -v`, which keeps and shows every message.
#[test]
fn a_check_that_counts_warnings_reports_what_a_verbose_one_reports() {
    let dir = repo();
    let check = |verbose: bool| {
        let mut command = bin();
        command.args(["migrate", "--check", "--color", "never"]);
        if verbose {
            command.arg("-v");
        }
        command.arg(dir.path()).output().unwrap()
    };
    let (counted, shown) = (check(false), check(true));
    assert_eq!(counted.status.code(), Some(1));
    assert_eq!(shown.status.code(), Some(1));
    let counted = steps_and_summary(&counted);
    assert!(
        counted.contains("OTEL_PROPAGATORS") && counted.contains("warnings"),
        "{counted}"
    );
    assert_eq!(counted, steps_and_summary(&shown));
}
