//! The playground (issue 15, docs/playground.md): oc2otel in the browser.
//!
//! - The library builds for `wasm32-unknown-unknown` (a cargo build of its
//!   own, in `target/wasm-check`), and the native binary still has its
//!   allocator, mimalloc.
//! - The per-text preview the page shows (`report::preview`) is what the
//!   command line prints: for every rule fixture, the same diff and the
//!   same diagnostics.
//! - The page works end to end in headless Chromium
//!   (`tests/browser/playground.mjs`, playwright-core driving Debian's
//!   chromium): the X-Ray example pasted, the diff, the collector config,
//!   the rotate warnings, a click that selects a diagnostic's place, another
//!   collector flavour, the command line's located error for broken JSON,
//!   a 2 MB config migrated in the worker (no WebAssembly on the page), no request after the load,
//!   and a screenshot (into `docs/playground.png` with
//!   `OC2OTEL_SCREENSHOT_PLAYGROUND=docs/playground.png`).
//!
//! Without the wasm32 target, the wasm tests say so and pass; with
//! `OC2OTEL_REQUIRE_WASM=1` (as in CI) they fail instead. The browser test
//! also needs node, `npm ci` in tests/browser and /usr/bin/chromium, and
//! fails without them under `OC2OTEL_REQUIRE_BROWSER=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use oc2otel::report::preview::{self, Request};
use serde_json::{Value, json};

fn require(variable: &str, why: &str, what: &str) {
    if std::env::var(variable).as_deref() == Ok("1") {
        panic!("{variable}=1 but {why}");
    }
    crate::common::notice(&format!(
        "{what} is skipped: {why}; set {variable}=1 to make this a failure"
    ));
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // The outer cargo's settings for this test run are not the inner
    // build's (its own target directory, no inherited target).
    command
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET");
    command
}

/// Whether rustc has the standard library for wasm32 (rustup's target).
fn wasm_target_installed() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    sysroot
        .join("lib/rustlib/wasm32-unknown-unknown/lib")
        .is_dir()
}

#[test]
fn the_library_builds_for_wasm32() {
    if !wasm_target_installed() {
        let why = "the wasm32-unknown-unknown target is not installed (rustup target add wasm32-unknown-unknown)";
        return require("OC2OTEL_REQUIRE_WASM", why, "the WebAssembly build test");
    }
    // CI keeps the playground's builds per machine; the check shares
    // that folder there (a lock of its own, not the outer cargo's).
    let target_dir = std::env::var_os("OC2OTEL_PLAYGROUND_TARGET_DIR").map_or_else(
        || crate::common::manifest_dir().join("target/wasm-check"),
        PathBuf::from,
    );
    let out = cargo()
        .current_dir(crate::common::manifest_dir())
        .args(["build", "--lib", "--locked", "--quiet"])
        .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(&target_dir)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the library does not build for wasm32:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rlib = target_dir.join("wasm32-unknown-unknown/debug/liboc2otel.rlib");
    assert!(rlib.is_file(), "{} is missing", rlib.display());
}

#[test]
fn the_native_binary_keeps_mimalloc() {
    // The allocator moved to a target-specific dependency for wasm32; the
    // binary built for this machine must still link it.
    let binary = std::fs::read(env!("CARGO_BIN_EXE_oc2otel")).unwrap();
    let has = |needle: &[u8]| binary.windows(needle.len()).any(|w| w == needle);
    assert!(
        has(b"mi_malloc") || has(b"mi_heap_malloc"),
        "no mimalloc symbol in the binary"
    );
}

/// `(flag, value)` pairs of a fixture's `.options` file, as the command
/// line takes them, and the same as a preview request.
fn fixture_options(fixture: &Path) -> (Vec<String>, Request) {
    let mut args = Vec::new();
    let mut request = Request::default();
    let text = std::fs::read_to_string(fixture.with_extension("options")).unwrap_or_default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line.split_once('=').expect("key=value");
        let value = value.trim().to_string();
        args.push(format!("--{}", key.trim().replace('_', "-")));
        args.push(value.clone());
        let field = match key.trim() {
            "collector" => &mut request.collector,
            "otlp_endpoint" => &mut request.otlp_endpoint,
            "krakend_version" => &mut request.krakend_version,
            "metrics" => &mut request.metrics,
            "jaeger_collector" => &mut request.jaeger_collector,
            "merge_settings" => &mut request.merge_settings,
            other => panic!("unknown option {other} in {}", fixture.display()),
        };
        *field = Some(value);
    }
    (args, request)
}

/// `oc2otel migrate ARGS krakend.json` in a folder holding `text` as
/// krakend.json: (stdout, stderr).
fn cli(text: &str, args: &[String]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("krakend.json"), text).unwrap();
    let out = crate::common::bin()
        .current_dir(dir.path())
        .args(["migrate", "--color", "never"])
        .args(args)
        .arg("krakend.json")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_preview_is_what_the_command_line_prints_for_every_rule_fixture() {
    let fixtures = crate::common::rules::fixtures();
    assert!(fixtures.len() > 40);
    for fixture in fixtures {
        let text = std::fs::read_to_string(&fixture).unwrap();
        let (args, mut request) = fixture_options(&fixture);
        request.format = Some("json".into());
        let page = preview::preview(&text, &request);
        let name = fixture.display();
        let (diff, _) = cli(&text, &args);
        assert_eq!(page.diff, diff, "{name}: the diff");
        let mut json_args = args.clone();
        json_args.extend(["--format".to_string(), "json".to_string()]);
        let (report, _) = cli(&text, &json_args);
        let report: Value = serde_json::from_str(&report).unwrap();
        let file = &report["files"][0];
        assert_eq!(page.status, file["status"], "{name}");
        let expected: Vec<Value> = file["diagnostics"].as_array().unwrap().clone();
        let shown: Vec<Value> = page
            .diagnostics
            .iter()
            .map(|d| {
                json!({"severity": d.severity, "code": d.code, "message": d.message,
                       "pointer": d.pointer, "line": d.line, "column": d.column, "help": d.help})
            })
            .collect();
        assert_eq!(shown, expected, "{name}: the diagnostics");
        let collector = page.collector.as_deref().unwrap_or_default();
        assert_eq!(
            page.collector_path.is_some(),
            file["collector_path"].is_string(),
            "{name}"
        );
        assert!(
            !collector.contains("AKIA") && !page.diff.contains("AKIA"),
            "{name}"
        );
    }
}

#[test]
fn bad_input_gets_the_command_lines_located_error() {
    let text = broken();
    let page = preview::preview(&text, &Request::default());
    let (_, stderr) = cli(&text, &[]);
    let first = page.diagnostics.first().expect("an error");
    assert_eq!(first.rendered, cli_error(&stderr), "{stderr}");
    assert_eq!((first.line, first.column), (Some(5), Some(15)));
}

fn example() -> String {
    std::fs::read_to_string(crate::common::manifest_dir().join("examples/xray/krakend.json"))
        .unwrap()
}

/// The X-Ray example without the comma after `"port": 8080`.
fn broken() -> String {
    let text = example();
    assert!(text.contains("\"port\": 8080,"));
    text.replacen("\"port\": 8080,", "\"port\": 8080", 1)
}

/// The first diagnostic the human report prints: everything before the
/// next steps.
fn cli_error(stderr: &str) -> String {
    let end = stderr.find("\nnext steps\n").unwrap_or(stderr.len());
    stderr[..end].trim_end().to_string()
}

/// A config of about 2 MB: 4,000 endpoints, a `path_aggregation` block on
/// every tenth (as `benches/migrate.rs` makes).
fn big() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "{\n  \"version\": 3,\n  \"name\": \"big\",\n  \"extra_config\": {\n    \"telemetry/opencensus\": {\"sample_rate\": 25, \"exporters\": {\"xray\": {\"region\": \"eu-west-1\", \"use_env\": true}, \"prometheus\": {\"port\": 9091}}}\n  },\n  \"endpoints\": [\n",
    );
    for i in 0..4_000 {
        let extra = if i % 10 == 0 {
            ",\n      \"extra_config\": {\"telemetry/opencensus\": {\"path_aggregation\": \"lastparam\"}, \"qos/ratelimit/router\": {\"max_rate\": 100}}"
        } else {
            ",\n      \"extra_config\": {\"qos/ratelimit/router\": {\"max_rate\": 100}}"
        };
        let _ = write!(
            out,
            "    {{\n      \"endpoint\": \"/api/v1/resource-{i}/{{id}}\",\n      \"method\": \"GET\",\n      \"backend\": [\n        {{\n          \"url_pattern\": \"/internal/resource-{i}/{{id}}\",\n          \"host\": [\"http://service-{s}.internal:8080\"],\n          \"encoding\": \"json\",\n          \"allow\": [\"id\", \"name\", \"status\", \"created_at\", \"updated_at\", \"owner\"]\n        }},\n        {{\n          \"url_pattern\": \"/internal/meta-{i}\",\n          \"host\": [\"http://meta.internal:8080\"],\n          \"group\": \"meta\"\n        }}\n      ]{extra}\n    }}{comma}\n",
            s = i % 17,
            comma = if i + 1 < 4_000 { "," } else { "" }
        );
    }
    out.push_str("  ]\n}\n");
    out
}

/// Why the browser test cannot run here, if it cannot.
fn browser_missing() -> Option<String> {
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".into());
    }
    let harness = crate::common::manifest_dir().join("tests/browser");
    if !harness.join("node_modules/playwright-core").is_dir() {
        return Some(
            "tests/browser/node_modules/playwright-core is missing (run `npm ci` in tests/browser)"
                .into(),
        );
    }
    let chromium =
        std::env::var_os("CHROMIUM").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from);
    if !chromium.exists() {
        return Some(format!(
            "{} is missing (apt-get install chromium)",
            chromium.display()
        ));
    }
    None
}

/// Build the page with `playground/build.sh` (incremental: seconds once
/// built), installing nothing; the folder it wrote, or why not.
fn build_playground() -> Result<PathBuf, String> {
    let root = crate::common::manifest_dir();
    let out = Command::new("bash")
        .arg(root.join("playground/build.sh"))
        .env("OC2OTEL_PLAYGROUND_NO_INSTALL", "1")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => Ok(root.join("playground/dist")),
        Some(3) => Err(format!("{} (run playground/build.sh once)", stderr.trim())),
        _ => panic!("playground/build.sh failed:\n{stderr}"),
    }
}

#[test]
fn the_playground_works_in_a_browser() {
    if let Some(why) = browser_missing() {
        return require(
            "OC2OTEL_REQUIRE_BROWSER",
            &why,
            "the playground's browser test",
        );
    }
    let dist = match build_playground() {
        Ok(dist) => dist,
        Err(why) => {
            // The page cannot be built without the wasm tools: CI requires
            // them (OC2OTEL_REQUIRE_WASM), as it requires the browser.
            require(
                "OC2OTEL_REQUIRE_WASM",
                &why,
                "the playground's browser test",
            );
            return require(
                "OC2OTEL_REQUIRE_BROWSER",
                &why,
                "the playground's browser test",
            );
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let screenshot = match std::env::var_os("OC2OTEL_SCREENSHOT_PLAYGROUND") {
        Some(path) => crate::common::manifest_dir().join(path),
        None => dir.path().join("playground.png"),
    };
    let (_, stderr) = cli(&broken(), &[]);
    let spec = json!({
        "dist": dist,
        "example": example(),
        "broken": broken(),
        "cli_error": cli_error(&stderr),
        "big": big(),
        "secrets": ["AKIAEXAMPLEEXAMPLE00", "example/NOT+a+real+secret/do+not+use00"],
        "screenshot": screenshot,
    });
    let input = dir.path().join("spec.json");
    std::fs::write(&input, spec.to_string()).unwrap();
    let out = Command::new("node")
        .current_dir(crate::common::manifest_dir().join("tests/browser"))
        .arg("playground.mjs")
        .arg(&input)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("{l}\n{stderr}")))
        .collect();
    let failed: Vec<&Value> = results.iter().filter(|r| r["ok"] != true).collect();
    assert!(failed.is_empty(), "{failed:#?}\n{stderr}");
    // Every check ran: none can pass by not running.
    assert_eq!(results.len(), 31, "{stdout}\n{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{}",
        screenshot.display()
    );
}
