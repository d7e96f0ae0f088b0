//! `oc2otel verify LEGACY NEW`: a faithful migration passes, hand
//! migrations that change behaviour fail with the change named, bad input
//! is a located error.
//!
//! The fixtures in `tests/fixtures/verify`: `legacy.json` (25 % sampling,
//! X-Ray, Prometheus, Datadog, pipe layer off, 15 s period) and its
//! migration by oc2otel `migrated.json` (+ collector config);
//! `untraced.json` (sample_rate 0) with its oc2otel migration
//! `untraced_oc2otel.json` and `hand_recipe.json`, a hand migration that
//! followed the "delete `sample_rate`" recipe; `hand_*.json`, the faithful
//! migration with one mistake each; `collector*.yaml`, hand-written ADOT
//! configs.

use std::fs;
use std::process::Output;

use crate::common::{bin, fixture, manifest_dir, snapshot_settings, temp_file};
use insta_cmd::assert_cmd_snapshot;
use oc2otel::migration::options::Options;
use oc2otel::migration::{Status, migrate};
use oc2otel::syntax::source::Format;
use serde_json::Value;

fn dir() -> std::path::PathBuf {
    manifest_dir().join("tests/fixtures/verify")
}

fn verify(args: &[&str]) -> Output {
    bin()
        .current_dir(dir())
        .env("COLUMNS", "100")
        .arg("verify")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn report(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let output = verify(&all);
    let value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&output.stdout), text(&output.stderr)));
    (output.status.code(), value)
}

fn kinds(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_faithful_fixtures_are_what_oc2otel_writes() {
    for (legacy, migrated) in [
        ("legacy.json", "migrated"),
        ("untraced.json", "untraced_oc2otel"),
    ] {
        let text = fixture(&format!("verify/{legacy}"));
        let name = format!("{migrated}.json");
        let migration = migrate(&text, Format::Json, &name, &Options::default(), None);
        assert_eq!(migration.status, Status::Migrate);
        assert_eq!(
            migration.output.unwrap(),
            fixture(&format!("verify/{name}")),
            "regenerate {name}"
        );
        assert_eq!(
            migration.collector.unwrap().to_yaml(),
            fixture(&format!("verify/{migrated}.otel-collector.yaml")),
            "regenerate {migrated}.otel-collector.yaml"
        );
    }
}

#[test]
fn a_faithful_migration_has_the_same_behaviour() {
    snapshot_settings().bind(|| {
        assert_cmd_snapshot!(
            "verify_faithful_human",
            bin().current_dir(dir()).env("COLUMNS", "100").args([
                "verify",
                "--color",
                "never",
                "legacy.json",
                "migrated.json"
            ])
        );
        assert_cmd_snapshot!(
            "verify_faithful_json",
            bin().current_dir(dir()).args([
                "verify",
                "--format",
                "json",
                "legacy.json",
                "migrated.json"
            ])
        );
    });
    let (code, untraced) = report(&["untraced.json", "untraced_oc2otel.json"]);
    assert_eq!(code, Some(0), "{untraced:#}");
    assert_eq!(untraced["equivalent"], true);
}

#[test]
fn deleting_sample_rate_turns_no_traces_into_every_trace_and_is_caught() {
    snapshot_settings().bind(|| {
        assert_cmd_snapshot!(
            "verify_deleted_sample_rate_human",
            bin().current_dir(dir()).env("COLUMNS", "100").args([
                "verify",
                "--color",
                "never",
                "--new-collector",
                "collector.yaml",
                "untraced.json",
                "hand_recipe.json"
            ])
        );
        assert_cmd_snapshot!(
            "verify_deleted_sample_rate_json",
            bin().current_dir(dir()).args([
                "verify",
                "--format",
                "json",
                "--new-collector",
                "collector.yaml",
                "untraced.json",
                "hand_recipe.json"
            ])
        );
    });
    let (code, r) = report(&[
        "--new-collector",
        "collector.yaml",
        "untraced.json",
        "hand_recipe.json",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(kinds(&r, "differences"), ["sampling", "route-added"]);
    assert_eq!(r["differences"][0]["legacy"], "no traces");
    assert_eq!(r["differences"][0]["new"], "every request");
}

#[test]
fn each_hand_mistake_is_caught_and_named() {
    let cases: [(&str, &str, &[&str], &str); 4] = [
        (
            "hand_no_datadog.json",
            "collector.yaml",
            &["route-missing", "route-missing"],
            "dd-agent",
        ),
        (
            "migrated.json",
            "collector_us_east_1.yaml",
            &["route-changed"],
            "us-east-1",
        ),
        (
            "hand_no_layers.json",
            "collector.yaml",
            &["layer"],
            "pipe/proxy layer traces",
        ),
        (
            "hand_no_period.json",
            "collector.yaml",
            &["period"],
            "every 30 s",
        ),
    ];
    for (new, collector, expected, mentions) in cases {
        let (code, r) = report(&["--new-collector", collector, "legacy.json", new]);
        assert_eq!(code, Some(1), "{new}: {r:#}");
        assert_eq!(kinds(&r, "differences"), expected, "{new}");
        assert_eq!(r["equivalent"], false);
        assert!(
            r["differences"].to_string().contains(mentions),
            "{new}: {}",
            r["differences"]
        );
        // The faithful file with the right collector passes.
    }
    let (code, r) = report(&[
        "--new-collector",
        "collector.yaml",
        "legacy.json",
        "migrated.json",
    ]);
    assert_eq!(code, Some(0), "{r:#}");
    assert_eq!(
        kinds(&r, "notes"),
        [
            "parent-based",
            "receiver-port",
            "propagation",
            "unrecorded-context"
        ]
    );
}

#[test]
fn the_collector_decides_where_telemetry_goes() {
    // Without a collector config, what goes to the collector endpoint
    // cannot be followed: a problem, and X-Ray is not reached.
    let (dir, _) = temp_file("legacy.json", fixture("verify/legacy.json").as_bytes());
    fs::copy(
        manifest_dir().join("tests/fixtures/verify/migrated.json"),
        dir.path().join("new.json"),
    )
    .unwrap();
    let output = bin()
        .current_dir(dir.path())
        .args(["verify", "--format", "json", "legacy.json", "new.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        kinds(&r, "differences"),
        ["problem", "route-missing", "route-added"]
    );
    assert!(r["hints"][0].as_str().unwrap().contains("--new-collector"));
    // With the collector at another address, --otlp-endpoint says so.
    let (code, r) = report(&[
        "--new-collector",
        "collector.yaml",
        "--otlp-endpoint",
        "adot:4317",
        "legacy.json",
        "migrated.json",
    ]);
    assert_eq!(code, Some(1));
    assert!(r["hints"][0].as_str().unwrap().contains("--otlp-endpoint"));
    // A collector whose pipeline samples again drops traces on purpose.
    let sampled = fs::read_to_string(manifest_dir().join("tests/fixtures/verify/collector.yaml"))
        .unwrap()
        .replace(
            "processors:\n",
            "processors:\n  probabilistic_sampler:\n    sampling_percentage: 10\n",
        )
        .replace(
            "processors: [batch/traces]",
            "processors: [probabilistic_sampler, batch/traces]",
        );
    fs::write(dir.path().join("sampled.yaml"), sampled).unwrap();
    let output = bin()
        .current_dir(dir.path())
        .args([
            "verify",
            "--format",
            "json",
            "--new-collector",
            "sampled.yaml",
            "legacy.json",
            "new.json",
        ])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        r["differences"][0]["message"]
            .as_str()
            .unwrap()
            .contains("probabilistic_sampler"),
        "{r:#}"
    );
}

#[test]
fn a_block_krakend_refuses_or_a_leftover_legacy_block_is_a_difference() {
    let (dir, _) = temp_file("legacy.json", fixture("verify/legacy.json").as_bytes());
    let migrated = fixture("verify/migrated.json");
    let wrong_type = migrated.replace(
        "\"trace_sample_rate\": 0.25",
        "\"trace_sample_rate\": \"0.25\"",
    );
    assert_ne!(wrong_type, migrated);
    fs::write(dir.path().join("typed.json"), wrong_type).unwrap();
    let both = migrated.replace(
        "\"extra_config\": {",
        "\"extra_config\": {\n    \"telemetry/opencensus\": {\"exporters\": {\"prometheus\": {\"port\": 9092}}},",
    );
    fs::write(dir.path().join("both.json"), both).unwrap();
    fs::copy(
        manifest_dir().join("tests/fixtures/verify/collector.yaml"),
        dir.path().join("collector.yaml"),
    )
    .unwrap();
    for (new, says) in [
        ("typed.json", "refuses the block"),
        ("both.json", "still has `telemetry/opencensus`"),
    ] {
        let output = bin()
            .current_dir(dir.path())
            .args([
                "verify",
                "--color",
                "never",
                "--new-collector",
                "collector.yaml",
                "legacy.json",
                new,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{new}");
        assert!(
            text(&output.stdout).contains(says),
            "{new}: {}",
            text(&output.stdout)
        );
    }
}

#[test]
fn bad_inputs_exit_2_with_a_location() {
    let (dir, _) = temp_file(
        "broken.json",
        b"{\n  \"version\": 3,\n  \"extra_config\": {\"telemetry/opencensus\": {\"x\": 1,}}\n}\n",
    );
    fs::write(dir.path().join("plain.json"), br#"{"version": 3}"#).unwrap();
    fs::write(
        dir.path().join("typed.json"),
        br#"{"version": 3, "extra_config": {"telemetry/opencensus": {"sample_rate": "25", "exporters": {}}}}"#,
    )
    .unwrap();
    fs::write(dir.path().join("bad.yaml"), "receivers:\n  otlp: [\n").unwrap();
    fs::copy(
        manifest_dir().join("tests/fixtures/verify/legacy.json"),
        dir.path().join("legacy.json"),
    )
    .unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["broken.json", "plain.json"], "broken.json:3:"),
        (
            &["plain.json", "plain.json"],
            "no service-level `telemetry/opencensus`",
        ),
        (&["typed.json", "plain.json"], "typed.json:1:"),
        (&["legacy.json", "missing.json"], "cannot read"),
        (
            &["--new-collector", "bad.yaml", "legacy.json", "plain.json"],
            "invalid collector config",
        ),
    ];
    for (args, says) in cases {
        let output = bin()
            .current_dir(dir.path())
            .args(["verify", "--color", "never"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            text(&output.stderr).contains(says),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert_eq!(text(&output.stdout), "", "{args:?}");
    }
    let output = bin()
        .current_dir(dir.path())
        .args([
            "verify",
            "--color",
            "never",
            "--new-collector",
            "bad.yaml",
            "legacy.json",
            "plain.json",
        ])
        .output()
        .unwrap();
    assert!(
        text(&output.stderr).contains("bad.yaml:3:"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn no_secret_is_printed() {
    // url_credentials' zipkin had no `service_name`: it reported an empty
    // name, which OpenTelemetry cannot send, so verify lists that one
    // difference (migrate warned with OC107) and exits 1.
    for (name, collector, status) in [
        ("xray_docs.json", "adot", 0),
        ("url_credentials.json", "contrib", 1),
    ] {
        let (dir, _) = temp_file(name, fixture(&format!("rules/{name}")).as_bytes());
        let migrated = bin()
            .current_dir(dir.path())
            .args([
                "migrate",
                "--collector",
                collector,
                "--collector-out",
                "new.otel-collector.yaml",
                "-",
            ])
            .stdin(fs::File::open(dir.path().join(name)).unwrap())
            .args(["--write"])
            .output()
            .unwrap();
        assert_eq!(
            migrated.status.code(),
            Some(0),
            "{}",
            text(&migrated.stderr)
        );
        fs::write(dir.path().join("new.json"), &migrated.stdout).unwrap();
        for format in ["human", "json"] {
            let output = bin()
                .current_dir(dir.path())
                .args(["verify", "--format", format, name, "new.json"])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(status),
                "{name}: {}",
                text(&output.stdout)
            );
            let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
            for canary in [
                "AKIAFIXTURECANARY01",
                "fixture/canary+secret",
                "url-canary-pass",
            ] {
                assert!(!all.contains(canary), "{name} leaks {canary}");
            }
        }
    }
}

/// `verify` reads what a shell hands it: process substitution (a pipe at
/// `/dev/fd/N`) for any of its inputs, and `-`; the collector option is
/// `--new-collector` (the old `--collector` still works, with a warning).
#[cfg(unix)]
#[test]
fn pipes_and_standard_input_are_read() {
    let exe = env!("CARGO_BIN_EXE_oc2otel");
    let script = format!(
        "'{exe}' verify --color never <(cat legacy.json) <(cat migrated.json) --new-collector <(cat migrated.otel-collector.yaml)"
    );
    let out = std::process::Command::new("bash")
        .current_dir(dir())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let legacy = fs::read(dir().join("legacy.json")).unwrap();
    let out = crate::common::abin()
        .current_dir(dir())
        .args(["verify", "-", "migrated.json"])
        .write_stdin(legacy)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .current_dir(dir())
        .args([
            "verify",
            "--collector",
            "migrated.otel-collector.yaml",
            "legacy.json",
            "migrated.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("now `--new-collector`"));
}
