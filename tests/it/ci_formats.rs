//! `--format sarif` and `--format github`, as CI consumes them: the SARIF
//! log is read back with `serde-sarif`'s schema-generated types (and must
//! survive the round trip unchanged), its results point at the lines and
//! columns of the fields concerned; the GitHub annotations are escaped
//! workflow commands at the same places.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{bin, fixture, snapshot_settings, temp_file};
use serde_json::Value;
use serde_sarif::sarif::{ResultLevel, Sarif};

const XRAY: &str = "rules/xray_docs.json";
const CANARIES: [&str; 2] = ["AKIAFIXTURECANARY01", "fixture/canary+secret/value0001"];

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// 1-based line and column (in characters) of the first `needle`.
fn position(haystack: &str, needle: &str) -> (i64, i64) {
    let at = haystack.find(needle).unwrap_or_else(|| panic!("{needle}"));
    let line = haystack[..at].matches('\n').count() + 1;
    let start = haystack[..at].rfind('\n').map_or(0, |i| i + 1);
    let column = haystack[start..at].chars().count() + 1;
    (line as i64, column as i64)
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Parse a SARIF log with serde-sarif and check that nothing was lost on
/// the way: a field serde-sarif does not know (a misspelt one) would be.
fn parse_sarif(stdout: &str) -> Sarif {
    let original: Value = serde_json::from_str(stdout).expect("SARIF is JSON");
    let sarif: Sarif = serde_json::from_str(stdout).expect("serde-sarif reads the log");
    let mut again = serde_json::to_value(&sarif).unwrap();
    drop_nulls(&mut again);
    pretty_assertions::assert_eq!(
        again,
        original,
        "the log does not round-trip through serde-sarif"
    );
    sarif
}

/// What a test looks at in one SARIF result.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    rule: String,
    level: String,
    uri: Option<String>,
    line: Option<i64>,
    column: Option<i64>,
}

fn results(sarif: &Sarif) -> Vec<Found> {
    let run = &sarif.runs[0];
    run.results
        .iter()
        .flatten()
        .map(|r| {
            let location = r
                .locations
                .as_ref()
                .and_then(|l| l.first())
                .and_then(|l| l.physical_location.as_ref());
            let uri = location
                .and_then(|p| p.artifact_location.as_ref())
                .and_then(|a| a.uri.clone());
            let region = location.and_then(|p| p.region.as_ref());
            let level = r
                .level
                .as_ref()
                .map(|l| {
                    serde_json::to_value(l)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .unwrap_or_default();
            Found {
                rule: r.rule_id.clone().unwrap(),
                level,
                uri,
                line: region.and_then(|g| g.start_line),
                column: region.and_then(|g| g.start_column),
            }
        })
        .collect()
}

#[test]
fn sarif_results_point_at_the_fields_concerned() {
    let source = fixture(XRAY);
    let (dir, _) = temp_file("krakend.json", source.as_bytes());
    let out = run_in(
        dir.path(),
        &["migrate", "--check", "--format", "sarif", "krakend.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for canary in CANARIES {
        assert!(!stdout.contains(canary));
    }
    let sarif = parse_sarif(&stdout);
    assert_eq!(sarif.runs.len(), 1);
    let run = &sarif.runs[0];
    let driver = &run.tool.driver;
    assert_eq!(driver.name, "oc2otel");
    let rules = driver.rules.as_ref().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    for id in [
        "OC001", "OC106", "OC401", "OC501", "OC601", "OC701", "OC901",
    ] {
        assert!(ids.contains(&id), "no rule {id}");
    }
    for result in run.results.iter().flatten() {
        let index = result.rule_index.unwrap() as usize;
        assert_eq!(Some(&rules[index].id), result.rule_id.as_ref());
        assert!(
            rules[index]
                .help_uri
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"))
        );
    }

    let found = results(&sarif);
    let at = |code: &str| -> Vec<(String, Option<i64>, Option<i64>)> {
        found
            .iter()
            .filter(|r| r.rule == code)
            .map(|r| (r.level.clone(), r.line, r.column))
            .collect()
    };
    let (key_line, key_col) = position(&source, "\"access_key_id\"");
    let (secret_line, secret_col) = position(&source, "\"secret_access_key\"");
    assert_eq!(
        at("OC401"),
        [
            ("warning".to_string(), Some(key_line), Some(key_col)),
            ("warning".to_string(), Some(secret_line), Some(secret_col)),
        ]
    );
    let (region_line, region_col) = position(&source, "\"region\"");
    assert_eq!(
        at("OC202"),
        [("note".to_string(), Some(region_line), Some(region_col))]
    );
    // The pending migration is an error with --check, at the legacy block.
    let (block_line, block_col) = position(&source, "\"telemetry/opencensus\"");
    assert_eq!(
        at("OC701"),
        [("error".to_string(), Some(block_line), Some(block_col))]
    );
    assert!(
        found
            .iter()
            .all(|r| r.uri.as_deref() == Some("krakend.json"))
    );
}

#[test]
fn sarif_levels_follow_the_mode_and_errors_are_located() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    fs::write(
        dir.path().join("broken.json"),
        "{\n  \"version\": 3, \"@comment\": \"opencensus\",\n  \"extra_config\": [,]\n}\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "--format",
            "sarif",
            "krakend.json",
            "broken.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let sarif = parse_sarif(&text(&out.stdout));
    let found = results(&sarif);
    let pending: Vec<_> = found.iter().filter(|r| r.rule == "OC701").collect();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].level, "warning",
        "preview: a pending migration is a warning"
    );
    let broken: Vec<_> = found
        .iter()
        .filter(|r| r.uri.as_deref() == Some("broken.json"))
        .collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(
        (
            broken[0].rule.as_str(),
            broken[0].level.as_str(),
            broken[0].line,
            broken[0].column
        ),
        ("OC001", "error", Some(3), Some(20))
    );
    assert!(
        sarif.runs[0]
            .results
            .iter()
            .flatten()
            .any(|r| matches!(r.level, Some(ResultLevel::Error)))
    );

    // Once written, nothing is pending.
    let out = run_in(
        dir.path(),
        &["migrate", "--write", "--format", "sarif", "krakend.json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let found = results(&parse_sarif(&text(&out.stdout)));
    assert!(!found.iter().any(|r| r.rule == "OC701"));
    assert!(found.iter().any(|r| r.rule == "OC401"));
}

#[test]
fn github_annotations_are_workflow_commands_at_the_same_places() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let out = run_in(
        dir.path(),
        &["migrate", "--check", "--format", "github", "krakend.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for canary in CANARIES {
        assert!(!stdout.contains(canary));
    }
    // One command per line; no raw newline inside a message.
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")),
        "{stdout}"
    );
    assert!(stdout.starts_with(
        "::error file=krakend.json,line=4,col=5,title=oc2otel OC701 (migration-pending)::"
    ));
    // Infos are notices, shown only with -v; -q keeps errors only.
    assert!(!stdout.contains("::notice"));
    let verbose = text(
        &run_in(
            dir.path(),
            &["migrate", "-v", "--format", "github", "krakend.json"],
        )
        .stdout,
    );
    assert!(
        verbose.contains(
            "::notice file=krakend.json,line=5,col=7,title=oc2otel OC103 (sampling-always)::"
        ),
        "{verbose}"
    );
    let quiet = text(
        &run_in(
            dir.path(),
            &[
                "migrate",
                "-q",
                "--check",
                "--format",
                "github",
                "krakend.json",
            ],
        )
        .stdout,
    );
    assert_eq!(quiet.lines().count(), 1, "{quiet}");
    snapshot_settings().bind(|| insta::assert_snapshot!("github_check_xray", stdout));
}

#[test]
fn github_properties_are_escaped() {
    let (dir, _) = temp_file("a,b:c.json", fixture(XRAY).as_bytes());
    let out = run_in(
        dir.path(),
        &["migrate", "--check", "--format", "github", "a,b:c.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("::error file=a%2Cb%3Ac.json,line=4,col=5,"),
        "{stdout}"
    );
    // The help travels on the same line, its newline escaped.
    assert!(
        stdout.contains("%0Ahelp: run `oc2otel migrate`"),
        "{stdout}"
    );
}

#[test]
fn the_round_trip_check_catches_a_misspelt_field() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let out = run_in(
        dir.path(),
        &["migrate", "--format", "sarif", "krakend.json"],
    );
    let mut log: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    log["runs"][0]["results"][0]["ruleID"] = Value::from("OC106");
    let misspelt = serde_json::to_string(&log).unwrap();
    let caught = std::panic::catch_unwind(|| parse_sarif(&misspelt));
    assert!(caught.is_err(), "a misspelt field went unnoticed");
}
