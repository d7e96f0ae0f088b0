//! The Mermaid text of the markdown report, rendered as GitHub renders
//! it: the `mermaid` npm package in headless Chromium (Debian's, driven
//! by `playwright-core`; `tests/browser/`). Every rule fixture's diagram,
//! and one built from hostile names, must render to an SVG without a
//! parse error.
//!
//! Without node, the harness's npm packages (`npm ci` in tests/browser)
//! or `/usr/bin/chromium`, the test says so and passes; with
//! `OC2OTEL_REQUIRE_BROWSER=1` (as in CI) it fails instead.

use std::path::PathBuf;
use std::process::Command;

use oc2otel::migration::picture::{Edge, Node, NodeKind, Picture, Pipelines};

fn harness() -> PathBuf {
    crate::common::manifest_dir().join("tests/browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Why the browser test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if node.is_err() {
        return Some("node is not installed".into());
    }
    for package in ["mermaid", "playwright-core"] {
        if !harness().join("node_modules").join(package).is_dir() {
            return Some(format!(
                "tests/browser/node_modules/{package} is missing (run `npm ci` in tests/browser)"
            ));
        }
    }
    if !chromium().exists() {
        return Some(format!(
            "{} is missing (apt-get install chromium)",
            chromium().display()
        ));
    }
    None
}

/// A picture whose every label tries to end its quotes or open markup.
fn hostile() -> Picture {
    let evil = "a\"] --> x[\"pwn|b|`c`<img src=x onerror=alert(1)>#35;%%{init}%%\nend";
    let node = |id: &str, kind| Node {
        id: id.into(),
        kind,
        label: evil.into(),
        detail: Some(evil.into()),
    };
    let side = Pipelines {
        nodes: vec![
            node("n0", NodeKind::Krakend),
            node("n1", NodeKind::Exporter),
            node("n2", NodeKind::Collector),
            node("n3", NodeKind::Backend),
        ],
        edges: ["n0-n1", "n1-n2", "n2-n3"]
            .iter()
            .map(|e| {
                let (from, to) = e.split_once('-').unwrap();
                Edge {
                    from: from.into(),
                    to: to.into(),
                    label: evil.into(),
                }
            })
            .collect(),
    };
    Picture {
        before: side.clone(),
        after: side,
        dropped: vec![evil.into()],
    }
}

#[test]
fn every_diagram_renders_in_a_browser() {
    if let Some(why) = missing() {
        if std::env::var("OC2OTEL_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("OC2OTEL_REQUIRE_BROWSER=1 but {why}");
        }
        crate::common::notice(&format!(
            "the Mermaid render test is skipped: {why}; set OC2OTEL_REQUIRE_BROWSER=1 to make this a failure"
        ));
        return;
    }
    let mut diagrams = vec![serde_json::json!({
        "name": "hostile names",
        "text": oc2otel::report::picture::mermaid(&hostile()),
    })];
    for (name, markdown) in crate::markdown::rule_reports() {
        for (i, text) in crate::markdown::mermaid_blocks(&markdown)
            .into_iter()
            .enumerate()
        {
            diagrams.push(serde_json::json!({"name": format!("{name} #{i}"), "text": text}));
        }
    }
    assert!(diagrams.len() > 30);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("diagrams.json");
    std::fs::write(&input, serde_json::to_string(&diagrams).unwrap()).unwrap();
    let mut command = Command::new("node");
    command
        .current_dir(harness())
        .arg("render.mjs")
        .arg(&input)
        .env("CHROMIUM", chromium());
    // `OC2OTEL_SCREENSHOT=docs/pipeline.png` also saves the first rule
    // fixture's picture (the hostile one is first: skip it).
    if let Some(path) = std::env::var_os("OC2OTEL_SCREENSHOT") {
        diagrams.remove(0);
        std::fs::write(&input, serde_json::to_string(&diagrams).unwrap()).unwrap();
        command.arg(crate::common::manifest_dir().join(path));
    }
    let out = command.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let results: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("{l}\n{stderr}")))
        .collect();
    assert_eq!(results.len(), diagrams.len(), "{stdout}\n{stderr}");
    let failed: Vec<&serde_json::Value> = results.iter().filter(|r| r["ok"] != true).collect();
    assert!(failed.is_empty(), "{failed:#?}\n{stderr}");
    assert!(results.iter().all(|r| r["svg_bytes"].as_u64() > Some(1000)));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
