//! What CI and shells use besides `migrate` itself: the pre-commit hook
//! definition runs the real command line, completion scripts and man pages
//! are generated from the real clap definition.

use std::fs;

use crate::common::{bin, fixture, temp_file};
use serde_json::Value;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_pre_commit_hook_fails_while_a_config_needs_migrating() {
    let hooks: Value = yaml_serde::from_str(
        &fs::read_to_string(crate::common::manifest_dir().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hook = hooks
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "oc2otel-check")
        .expect("the oc2otel-check hook");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["pass_filenames"], true);

    // `files` is a Python regex searched in each path; this one is also
    // valid for the regex crate.
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    for path in [
        "krakend.json",
        "config/krakend.yaml",
        "config/krakend.yml",
        "settings/service.toml",
        "config/krakend.tmpl",
    ] {
        assert!(files.is_match(path), "{path} should be checked");
    }
    for path in ["README.md", "src/main.rs", "krakend.json.bak"] {
        assert!(!files.is_match(path), "{path} should not be checked");
    }

    // The entry is the binary this crate builds, with flags it accepts.
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[0], "oc2otel");
    let (dir, _) = temp_file("krakend.json", fixture("rules/xray_docs.json").as_bytes());
    fs::write(dir.path().join("package.json"), "{\"name\": \"web\"}\n").unwrap();
    let run = |files: &[&str]| {
        bin()
            .current_dir(dir.path())
            .args(&entry[1..])
            .args(files)
            .output()
            .unwrap()
    };
    let out = run(&["krakend.json", "package.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("krakend.json: uses telemetry/opencensus"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(text(&out.stdout).lines().count(), 1);
    let unrelated = run(&["package.json"]);
    assert_eq!(
        unrelated.status.code(),
        Some(0),
        "{}",
        text(&unrelated.stderr)
    );

    let write = bin()
        .current_dir(dir.path())
        .args(["migrate", "--write", "krakend.json"])
        .output()
        .unwrap();
    assert_eq!(write.status.code(), Some(0));
    assert_eq!(run(&["krakend.json"]).status.code(), Some(0));
}

#[test]
fn completions_cover_every_shell_and_the_real_options() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for word in [
            "migrate",
            "completions",
            "emit-deploy",
            "metrics",
            "collector-out",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
        // Shells that complete values offer the formats too.
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(
                script.contains("sarif"),
                "{shell} completions lack --format values"
            );
        }
    }
    let bash = text(&bin().args(["completions", "bash"]).output().unwrap().stdout);
    assert!(bash.contains("complete -F _oc2otel"), "{bash}");
    let out = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_pages_render_the_options() {
    let out = bin().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(page.contains(".TH oc2otel 1"), "{page}");
    assert!(page.contains("migrate") && page.contains("completions"));

    let page = text(&bin().args(["man", "migrate"]).output().unwrap().stdout);
    assert!(page.contains(".TH oc2otel-migrate 1"), "{page}");
    // roff escapes hyphens in option names.
    for option in [
        "\\-\\-write",
        "\\-\\-check",
        "\\-\\-metrics",
        "\\-\\-emit\\-deploy",
        "\\-\\-format",
        "sarif",
    ] {
        assert!(page.contains(option), "the page lacks {option}");
    }

    let out = bin().args(["man", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("migrate"));

    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["man", "--out-dir"])
        .arg(dir.path().join("man1"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut pages: Vec<String> = fs::read_dir(dir.path().join("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "oc2otel-completions.1",
            "oc2otel-explain.1",
            "oc2otel-migrate.1",
            "oc2otel-verify.1",
            "oc2otel.1"
        ]
    );
}

/// The hook as pre-commit runs it in a repository that holds more than
/// KrakenD configs: the staged files matching its `files` pattern are all
/// passed; those that never mention OpenCensus (a `tsconfig.json` with
/// comments, a Helm template) are skipped, not errors, so a commit of
/// unrelated files passes; a legacy config fails it until migrated, or
/// until the user's `--exclude` leaves it out (it applies to named files).
#[test]
fn the_pre_commit_hook_passes_a_repository_of_unrelated_files() {
    let hooks: Value = yaml_serde::from_str(
        &fs::read_to_string(crate::common::manifest_dir().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hook = &hooks[0];
    let entry: Vec<String> = hook["entry"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(String::from)
        .collect();
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |path: &str, text: &str| {
        let path = d.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "web/tsconfig.json",
        "{\n  // strict mode\n  \"compilerOptions\": {\"strict\": true,},\n}\n",
    );
    write(
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n  labels: {{ toYaml .Values.labels | nindent 4 }}\n{{- end }}\n",
    );
    write("settings.toml", "[tool]\nname = 'x'\n");
    write(
        "services/done/krakend.json",
        "{\"version\": 3, \"extra_config\": {\"telemetry/opentelemetry\": {}}}\n",
    );
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(d)
            .args(args)
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    // What pre-commit passes: the staged files its `files` pattern takes.
    let staged = || -> Vec<String> {
        git(&["diff", "--cached", "--name-only"])
            .lines()
            .filter(|p| files.is_match(p))
            .map(String::from)
            .collect()
    };
    let hook_run = |extra: &[&str]| {
        bin()
            .current_dir(d)
            .args(&entry[1..])
            .args(extra)
            .args(staged())
            .output()
            .unwrap()
    };
    assert_eq!(staged().len(), 4, "{:?}", staged());
    let out = hook_run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");

    write(
        "services/xray/krakend.json",
        &fixture("rules/xray_docs.json"),
    );
    git(&["add", "-A"]);
    let out = hook_run(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("services/xray/krakend.json: "));
    // A user's `args: [--exclude, 'services/xray/**']` leaves it out.
    let out = hook_run(&["--exclude", "services/xray/**"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = hook_run(&["--exclude", "krakend.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// Standard input in YAML and TOML, named by `--stdin-filename`: the
/// format comes from the name's extension, and messages use the name.
#[test]
fn stdin_takes_its_format_and_name_from_stdin_filename() {
    let yaml = "version: 3\nextra_config:\n  telemetry/opencensus:\n    sample_rate: 100\n    exporters:\n      prometheus:\n        port: 9091\n";
    let toml = "version = 3\n[extra_config.\"telemetry/opencensus\"]\nsample_rate = 100\n[extra_config.\"telemetry/opencensus\".exporters.prometheus]\nport = 9091\n";
    for (name, input) in [("gw.yaml", yaml), ("gw.toml", toml)] {
        let out = crate::common::abin()
            .args(["migrate", "--stdin-filename", name, "-"])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let migrated = text(&out.stdout);
        assert!(migrated.contains("telemetry/opentelemetry") && !migrated.contains("opencensus"));
        // Edited in its own syntax: still YAML, still TOML.
        if name.ends_with("yaml") {
            assert!(migrated.starts_with("version: 3\n"), "{migrated}");
        } else {
            assert!(migrated.starts_with("version = 3\n"), "{migrated}");
        }
        assert!(
            text(&out.stderr).contains(&format!("] {name}:")),
            "{}",
            text(&out.stderr)
        );
    }
    // Named without `-`: standard input is still what is read.
    let out = crate::common::abin()
        .args(["migrate", "--check", "--stdin-filename", "gw.yaml"])
        .write_stdin(yaml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("gw.yaml: "));
}
