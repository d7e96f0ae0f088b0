//! The project config file, `oc2otel.toml`: found up from the first path
//! (not past the repository's root) or named with `--config`; flags win
//! over per-path overrides, which win over the file's top level, which
//! wins over the defaults; `-v` says where each setting came from; an
//! unknown key or a bad value is an error at its line and column.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{bin, fixture};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A git work tree with an X-Ray config and a Zipkin one (which only
/// otelcol-contrib can export), and `oc2otel.toml` holding `config`.
fn repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let git = std::process::Command::new("git")
        .current_dir(d)
        .args(["init", "-q"])
        .status()
        .unwrap();
    assert!(git.success());
    for (path, name) in [
        ("services/orders/krakend.json", "rules/xray_docs.json"),
        ("services/zipkin/krakend.json", "rules/zipkin_contrib.json"),
    ] {
        fs::create_dir_all(d.join(path).parent().unwrap()).unwrap();
        fs::write(d.join(path), fixture(name)).unwrap();
    }
    fs::write(d.join("oc2otel.toml"), config).unwrap();
    dir
}

fn collector_of(dir: &Path, service: &str) -> String {
    fs::read_to_string(dir.join(format!("services/{service}/krakend.otel-collector.yaml")))
        .unwrap_or_default()
}

#[test]
fn the_file_is_found_up_from_the_paths_and_its_settings_apply() {
    let dir = repo("collector = \"contrib\"\nexclude = [\"services/orders/**\"]\n");
    // Found from a folder below it.
    let out = run_in(
        &dir.path().join("services"),
        &["migrate", "--write", "--allow-dirty", "zipkin"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(collector_of(dir.path(), "zipkin").contains("otelcol-contrib"));
    // Its exclude applies as the flag would.
    let out = run_in(dir.path(), &["migrate", "--write", "--allow-dirty", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(collector_of(dir.path(), "orders"), "");
}

#[test]
fn a_flag_wins_over_an_override_which_wins_over_the_file() {
    let config = "collector = \"adot\"\notlp-endpoint = \"collector:4317\"\n\n[[overrides]]\npaths = [\"services/zipkin/**\"]\ncollector = \"contrib\"\n";
    let dir = repo(config);
    let out = run_in(
        dir.path(),
        &["migrate", "--write", "--allow-dirty", "-v", "."],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The file's top level for one, the override for the other.
    let orders = collector_of(dir.path(), "orders");
    let zipkin = collector_of(dir.path(), "zipkin");
    assert!(orders.contains("ADOT collector"), "{orders}");
    assert!(zipkin.contains("otelcol-contrib"), "{zipkin}");
    let config_path = fs::canonicalize(dir.path()).unwrap().join("oc2otel.toml");
    assert!(
        stderr.contains(&format!(
            "setting collector = adot (from {})",
            config_path.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("setting metrics = legacy (from default)"),
        "{stderr}"
    );
    assert!(stderr.contains("override 1 of"), "{stderr}");
    assert!(
        stderr.contains("for services/zipkin/**: collector = contrib"),
        "{stderr}"
    );
    // A flag wins over both: ADOT has no zipkin exporter.
    let dir = repo(config);
    let out = run_in(dir.path(), &["migrate", "--collector", "adot", "-v", "."]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[OC014]"), "{stderr}");
    assert!(
        stderr.contains("setting collector = adot (from --collector)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("collector = contrib (a flag wins)"),
        "{stderr}"
    );
}

#[test]
fn config_names_the_file_and_the_search_stops_at_the_repository() {
    let dir = repo("collector = \"adot\"\n");
    // Above the repository: not read.
    let outer = tempfile::tempdir().unwrap();
    fs::write(outer.path().join("oc2otel.toml"), "collector = \"adot\"\n").unwrap();
    let inner = outer.path().join("repo");
    fs::create_dir_all(inner.join(".git")).unwrap();
    fs::write(
        inner.join("krakend.json"),
        fixture("rules/zipkin_contrib.json"),
    )
    .unwrap();
    // Not read: the default (`auto`) takes contrib for Zipkin. Read, its
    // `adot` would refuse the file.
    let out = run_in(&inner, &["migrate", "krakend.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Named: read wherever it is.
    let named = dir.path().join("oc2otel.toml");
    let out = run_in(
        &inner,
        &[
            "migrate",
            "--config",
            named.to_str().unwrap(),
            "krakend.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("OC014"), "{}", text(&out.stderr));
}

#[test]
fn unknown_keys_and_bad_values_are_errors_with_line_and_column() {
    for (config, at, says) in [
        (
            "collector = \"adot\"\ncolector = \"contrib\"\n",
            "oc2otel.toml:2:1: ",
            "colector",
        ),
        (
            "metrics = \"cloudwatch\"\n",
            "oc2otel.toml:1:11: ",
            "cloudwatch",
        ),
        (
            "otlp-endpoint = \"http://x:4317\"\n",
            "oc2otel.toml:1:17: ",
            "without a scheme",
        ),
        (
            "[[overrides]]\npaths = [\"a/**\"]\nkrakend = \"2.10\"\n",
            "oc2otel.toml:3:1: ",
            "krakend",
        ),
        (
            "include = \"services/**\"\n",
            "oc2otel.toml:1:11: ",
            "sequence",
        ),
    ] {
        let dir = repo(config);
        let out = run_in(dir.path(), &["migrate", "--write", "."]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{config}: {stderr}");
        assert!(
            stderr.contains(at) && stderr.contains(says),
            "{config}: {stderr}"
        );
        // Nothing was read or written.
        assert_eq!(collector_of(dir.path(), "orders"), "", "{config}");
    }
}
