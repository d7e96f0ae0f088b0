//! `oc2otel explain`: every legacy field with its fate, where it went, why
//! and the page to read, for people and as JSON; files the migration
//! refuses; options that change the fates; nothing written, nothing secret
//! printed.

use std::collections::BTreeSet;
use std::fs;
use std::process::Output;

use crate::common::{bin, fixture, manifest_dir, snapshot_settings, temp_file};
use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;

const CANARIES: [&str; 3] = [
    "AKIAFIXTURECANARY01",
    "fixture/canary+secret/value0001",
    "url-canary-pass",
];

fn explain(args: &[&str]) -> Output {
    bin()
        .current_dir(manifest_dir())
        .env("COLUMNS", "100")
        .arg("explain")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&output.stdout)))
}

/// Pointers of every leaf value under `pointer` in `value`.
fn leaves(value: &Value, pointer: String, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let token = k.replace('~', "~0").replace('/', "~1");
                leaves(v, format!("{pointer}/{token}"), out);
            }
        }
        _ => {
            out.insert(pointer);
        }
    }
}

#[test]
fn the_bundled_example_is_explained_field_by_field() {
    snapshot_settings().bind(|| {
        assert_cmd_snapshot!(
            "explain_xray_human",
            bin()
                .current_dir(manifest_dir())
                .env("COLUMNS", "100")
                .args(["explain", "--color", "never", "examples/xray/krakend.json"])
        );
        assert_cmd_snapshot!(
            "explain_xray_json",
            bin().current_dir(manifest_dir()).args([
                "explain",
                "--format",
                "json",
                "examples/xray/krakend.json"
            ])
        );
    });
}

#[test]
fn every_leaf_of_every_exporter_has_a_row_with_a_page() {
    let path = "tests/fixtures/rules/all_exporters_contrib.json";
    let output = explain(&["--format", "json", "--collector", "contrib", path]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report = json(&output);
    let file = &report["files"][0];
    assert_eq!(file["status"], "ok");
    let fields = file["fields"].as_array().unwrap();
    let listed: BTreeSet<String> = fields
        .iter()
        .map(|f| f["pointer"].as_str().unwrap().to_string())
        .collect();
    let source: Value =
        serde_json::from_str(&fs::read_to_string(manifest_dir().join(path)).unwrap()).unwrap();
    let block = "/extra_config/telemetry~1opencensus";
    let mut expected = BTreeSet::new();
    leaves(
        source.pointer(block).unwrap(),
        block.to_string(),
        &mut expected,
    );
    let missing: Vec<&String> = expected.difference(&listed).collect();
    assert!(missing.is_empty(), "fields without a row: {missing:?}");
    for field in fields {
        let action = field["action"].as_str().unwrap();
        assert!(
            ["moved", "converted", "defaulted", "dropped", "manual"].contains(&action),
            "{field}"
        );
        assert!(field["docs"].as_str().unwrap().starts_with("https://"));
        assert!(field["line"].as_u64().is_some() && field["column"].as_u64().is_some());
        assert!(!field["why"].as_str().unwrap().is_empty());
    }
    // Where a field went is named where there is such a place.
    let target = |pointer: &str| {
        fields
            .iter()
            .find(|f| f["pointer"] == format!("{block}{pointer}"))
            .map(|f| f["target"].clone())
            .unwrap()
    };
    assert_eq!(
        target("/exporters/xray/region"),
        "collector: exporters.awsxray.region"
    );
    assert_eq!(
        target("/reporting_period"),
        "telemetry/opentelemetry.metric_reporting_period"
    );
    assert_eq!(target("/exporters/logger"), Value::Null);
}

#[test]
fn a_refused_migration_shows_the_fates_so_far_and_the_errors() {
    let path = "tests/fixtures/rules/zipkin_adot.json";
    let output = explain(&["--color", "never", "--collector", "adot", path]);
    assert_eq!(output.status.code(), Some(2));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("errors"), "{stdout}");
    assert!(stdout.contains("error[OC014]"), "{stdout}");
    assert!(
        stdout.contains("exporters/zipkin/collector_url"),
        "{stdout}"
    );
    let report = json(&explain(&["--format", "json", "--collector", "adot", path]));
    let file = &report["files"][0];
    assert_eq!(file["status"], "error");
    assert!(!file["fields"].as_array().unwrap().is_empty());
    assert_eq!(file["errors"][0]["code"], "OC014");
    assert_eq!(
        file["errors"][0]["docs"],
        "https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/zipkinexporter"
    );
    // The option the error names makes it go through.
    let contrib = explain(&["--format", "json", "--collector", "contrib", path]);
    assert_eq!(contrib.status.code(), Some(0));
    assert_eq!(json(&contrib)["files"][0]["errors"], Value::Array(vec![]));
    snapshot_settings().bind(|| {
        assert_cmd_snapshot!(
            "explain_refused",
            bin()
                .current_dir(manifest_dir())
                .env("COLUMNS", "100")
                .args(["explain", "--color", "never", "--collector", "adot", path])
        );
    });
}

#[test]
fn options_change_the_fates() {
    let path = "tests/fixtures/rules/xray_docs.json";
    let fate = |args: &[&str]| {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push(path);
        let report = json(&explain(&all));
        report["files"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "OC106")
            .map(|f| (f["action"].clone(), f["target"].clone()))
            .unwrap()
    };
    // OTEL_PROPAGATORS exists from KrakenD 2.11: before, B3 is lost.
    assert_eq!(
        fate(&[]),
        (
            Value::from("manual"),
            Value::from("env: OTEL_PROPAGATORS=tracecontext,baggage,b3multi")
        )
    );
    assert_eq!(
        fate(&["--krakend-version", "2.10"]),
        (Value::from("dropped"), Value::Null)
    );
    let report = json(&explain(&[
        "--format",
        "json",
        "--otlp-endpoint",
        "adot:4317",
        path,
    ]));
    let why = report["files"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "OC201")
        .unwrap()["why"]
        .clone();
    assert!(why.as_str().unwrap().contains("adot:4317"), "{why}");
}

#[test]
fn nothing_is_written_and_no_secret_is_printed() {
    for name in ["xray_docs.json", "url_credentials.json"] {
        let (dir, path) = temp_file(name, fixture(&format!("rules/{name}")).as_bytes());
        let before = fs::read(&path).unwrap();
        for format in ["human", "json"] {
            let output = bin()
                .current_dir(dir.path())
                .args([
                    "explain",
                    "--collector",
                    "contrib",
                    "--format",
                    format,
                    name,
                ])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
            for canary in CANARIES {
                assert!(
                    !text(&output.stdout).contains(canary),
                    "{name} leaks {canary}"
                );
                assert!(
                    !text(&output.stderr).contains(canary),
                    "{name} leaks {canary}"
                );
            }
        }
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "{name}");
    }
}

#[test]
fn the_table_fits_an_80_column_terminal() {
    let output = bin()
        .current_dir(manifest_dir())
        .env("COLUMNS", "80")
        .args([
            "explain",
            "--color",
            "never",
            "--collector",
            "contrib",
            "tests/fixtures/rules/all_exporters_contrib.json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    for line in stdout.lines().filter(|l| !l.contains("https://")) {
        assert!(line.chars().count() <= 80, "too wide: {line:?}");
    }
    assert!(stdout.lines().count() > 40);
}

#[test]
fn unreadable_inputs_and_files_without_legacy_blocks() {
    let (dir, _) = temp_file("plain.json", br#"{"version": 3, "endpoints": []}"#);
    let output = bin()
        .current_dir(dir.path())
        .args(["explain", "--format", "json", "plain.json", "missing.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    assert_eq!(report["files"][0]["status"], "ok");
    assert_eq!(report["files"][0]["fields"], Value::Array(vec![]));
    assert_eq!(report["files"][1]["status"], "error");
    assert_eq!(report["files"][1]["errors"][0]["code"], "OC002");

    let output = bin()
        .current_dir(dir.path())
        .args(["explain", "--color", "never", "plain.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("no OpenCensus block: nothing to explain"));

    let (dir, _) = temp_file(
        "broken.json",
        b"{\n  \"version\": 3, \"@comment\": \"opencensus\",\n  \"extra_config\": {,}\n}\n",
    );
    let output = bin()
        .current_dir(dir.path())
        .args(["explain", "--format", "json", "broken.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = &json(&output)["files"][0]["errors"][0];
    assert_eq!(error["code"], "OC001");
    assert_eq!(
        (error["line"].clone(), error["column"].clone()),
        (3.into(), 20.into())
    );
}

#[test]
fn a_folder_is_walked_and_explained_by_its_legacy_blocks() {
    // The fixture repository of the batch tests, as it is (explain writes
    // nothing), from inside it: the default PATH is `.`.
    let repo = manifest_dir().join("tests/fixtures/repo");
    let output = bin()
        .current_dir(&repo)
        .args(["explain", "--format", "json", "--collector", "contrib"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report = json(&output);
    let paths: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // Every file with a legacy block, in path order; not the ignored
    // `generated/`, not the files that only mention OpenCensus
    // (`unrelated/package.json`) or never do.
    assert_eq!(
        paths,
        [
            "./environments/staging/krakend.json",
            "./flexible/partials/telemetry.tmpl",
            "./flexible-settings/settings/service.json",
            "./services/orders/krakend.json",
            "./services/payments/krakend.yaml",
            "./services/search/krakend.toml",
        ]
    );
    // Settings a template pulls in are a manual step, as `migrate` says.
    let settings = &report["files"][2]["fields"];
    assert_eq!(settings.as_array().unwrap().len(), 1, "{settings}");
    assert_eq!(settings[0]["action"], "manual");
    assert_eq!(settings[0]["code"], "OC026");
    // The YAML and TOML configs are explained field by field.
    for file in [4, 5] {
        assert!(report["files"][file]["fields"].as_array().unwrap().len() >= 4);
    }
}

/// Which side a merge keeps changes the fates, so explain takes
/// `--merge-settings` as migrate does, and `oc2otel.toml` sets it for
/// both (with `jaeger-collector`, the other option of the fates).
#[test]
fn merge_settings_come_from_the_flag_or_the_project_file() {
    let fixture_path = "tests/fixtures/rules/existing_otel_conflict_existing.json";
    let refused = explain(&["--format", "json", fixture_path]);
    // Every code the file's explanation holds: errors, notes and fates.
    let codes = |output: &Output| {
        let file = &json(output)["files"][0];
        ["errors", "notes", "fields"]
            .iter()
            .flat_map(|part| file[part].as_array().cloned().unwrap_or_default())
            .map(|d| {
                let severity = d["severity"].as_str().unwrap_or("fate").to_string();
                format!("{severity} {}", d["code"].as_str().unwrap_or_default())
            })
            .collect::<Vec<_>>()
    };
    assert!(
        codes(&refused).contains(&"error OC010".to_string()),
        "{:?}",
        codes(&refused)
    );
    let kept = explain(&[
        "--format",
        "json",
        "--merge-settings",
        "existing",
        fixture_path,
    ]);
    assert!(kept.status.success(), "{}", text(&kept.stderr));
    assert!(
        codes(&kept).contains(&"warning OC031".to_string()),
        "{:?}",
        codes(&kept)
    );

    // The same from the project file, for explain and for migrate.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("krakend.json"),
        fixture("rules/existing_otel_conflict_existing.json"),
    )
    .unwrap();
    fs::write(
        dir.path().join("oc2otel.toml"),
        "merge-settings = \"existing\"\njaeger-collector = \"jaeger:4317\"\n",
    )
    .unwrap();
    let from_file = bin()
        .current_dir(dir.path())
        .args(["explain", "--format", "json", "krakend.json"])
        .output()
        .unwrap();
    assert!(
        codes(&from_file).contains(&"warning OC031".to_string()),
        "{:?}",
        codes(&from_file)
    );
    let check = bin()
        .current_dir(dir.path())
        .args(["migrate", "--check", "-v", "krakend.json"])
        .output()
        .unwrap();
    // Pending (exit 1), not refused (exit 2); -v says where each came from.
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let said = text(&check.stderr) + &text(&check.stdout);
    assert!(
        said.contains("merge-settings") && said.contains("jaeger:4317"),
        "{said}"
    );
}
