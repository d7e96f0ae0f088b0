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
