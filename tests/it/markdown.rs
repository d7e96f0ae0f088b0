//! `--format markdown`, for pull-request comments and
//! `$GITHUB_STEP_SUMMARY`: its snapshot, its Mermaid text for every rule
//! fixture (rendered in a browser by `browser.rs`), and names that try to
//! break out of a label or a line.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{bin, fixture, snapshot_settings};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The Mermaid blocks of a markdown report.
pub fn mermaid_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = markdown;
    while let Some(at) = rest.find("```mermaid\n") {
        let body = &rest[at + "```mermaid\n".len()..];
        let end = body.find("```").expect("a closed fence");
        blocks.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    blocks
}

/// The flags a rule fixture's `.options` file asks for.
fn flags(fixture: &Path) -> Vec<String> {
    let Ok(options) = std::fs::read_to_string(fixture.with_extension("options")) else {
        return Vec::new();
    };
    options
        .lines()
        .filter_map(|l| l.split_once('='))
        .flat_map(|(k, v)| {
            [
                format!("--{}", k.trim().replace('_', "-")),
                v.trim().to_string(),
            ]
        })
        .collect()
}

/// Every rule fixture's markdown report: (fixture name, markdown).
pub fn rule_reports() -> Vec<(String, String)> {
    let dir = crate::common::manifest_dir().join("tests/fixtures/rules");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    fixtures.sort();
    fixtures
        .iter()
        .map(|f| {
            let mut args = vec!["migrate".to_string(), "--format".into(), "markdown".into()];
            args.extend(flags(f));
            args.push(f.file_name().unwrap().to_string_lossy().into_owned());
            let out = bin().current_dir(&dir).args(&args).output().unwrap();
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                text(&out.stdout),
            )
        })
        .collect()
}

#[test]
fn a_repository_reads_as_one_markdown_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (path, name) in [
        ("services/orders/krakend.json", "rules/xray_docs.json"),
        ("services/search/krakend.json", "rules/prometheus.json"),
        ("services/orders-eu/krakend.json", "rules/xray_docs.json"),
    ] {
        std::fs::create_dir_all(d.join(path).parent().unwrap()).unwrap();
        std::fs::write(d.join(path), fixture(name)).unwrap();
    }
    let out = run_in(d, &["migrate", "--format", "markdown", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    for canary in ["AKIAFIXTURECANARY01", "fixture/canary+secret/value0001"] {
        assert!(!report.contains(canary));
    }
    // The same pipelines are drawn once.
    assert_eq!(mermaid_blocks(&report).len(), 2, "{report}");
    assert!(report.contains("Same pipelines as ./services/orders/krakend.json."));
    snapshot_settings().bind(|| insta::assert_snapshot!("markdown_repository", report));
}

#[test]
fn every_rule_fixture_that_migrates_has_a_picture() {
    let reports = rule_reports();
    let pictures = reports
        .iter()
        .filter(|(_, md)| !mermaid_blocks(md).is_empty())
        .count();
    // Most fixtures migrate; those that are refused or change nothing
    // have no picture.
    assert!(
        pictures > 30,
        "only {pictures} of {} have a picture",
        reports.len()
    );
    for (name, md) in &reports {
        for block in mermaid_blocks(md) {
            assert!(block.starts_with("flowchart LR\n"), "{name}");
            assert!(block.contains("subgraph before") && block.contains("subgraph after"));
        }
    }
}
