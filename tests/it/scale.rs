//! A report a platform team acts on, over a generated repository of 50
//! configs (JSON, YAML, TOML and templates; X-Ray with and without stored
//! credentials, Jaeger, Prometheus, Datadog; templated blocks left for a
//! manual step; unrelated files): `--check` stays within two lines per
//! pending file plus 40, every help text is printed at most once per run,
//! the next steps carry their counts, `--fail-on` sets the exit status,
//! the preview stays short per file, and GitHub annotations stay within
//! what a pull request shows.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::bin;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn xray(i: usize, secrets: bool) -> String {
    let keys = if secrets {
        format!(
            ",\n          \"access_key_id\": \"AKIASCALE{i:08}\",\n          \"secret_access_key\": \"scale/secret/{i:04}\""
        )
    } else {
        // The collector's own credentials, as `use_env` meant.
        ",\n          \"use_env\": true".to_string()
    };
    format!(
        "{{\n  \"version\": 3,\n  \"name\": \"svc-{i}\",\n  \"extra_config\": {{\n    \"telemetry/opencensus\": {{\n      \"sample_rate\": 50,\n      \"exporters\": {{\n        \"xray\": {{\n          \"region\": \"eu-west-1\"{keys}\n        }}\n      }}\n    }}\n  }}\n}}\n"
    )
}

fn jaeger_yaml(i: usize) -> String {
    format!(
        "version: 3\nextra_config:\n  telemetry/opencensus:\n    sample_rate: 100\n    exporters:\n      jaeger:\n        endpoint: http://jaeger:14268/api/traces\n        service_name: svc-{i}\n      prometheus:\n        port: 9091\n"
    )
}

fn datadog(i: usize) -> String {
    format!(
        "{{\"version\": 3, \"extra_config\": {{\"telemetry/opencensus\": {{\"sample_rate\": 10, \"exporters\": {{\"datadog\": {{\"service\": \"svc-{i}\", \"trace_address\": \"dd-agent:8126\"}}}}}}}}}}\n"
    )
}

fn prometheus_toml(_i: usize) -> String {
    "version = 3\n[extra_config.\"telemetry/opencensus\"]\nsample_rate = 0\n[extra_config.\"telemetry/opencensus\".exporters.prometheus]\nport = 9092\n".to_string()
}

/// A template whose legacy block an action writes: a manual step.
fn templated(_i: usize) -> String {
    "{\n  \"version\": 3,\n  \"extra_config\": {\n    \"telemetry/opencensus\": {\n      \"sample_rate\": {{ .telemetry.rate }},\n      \"exporters\": {\"xray\": {\"region\": \"eu-west-1\"}}\n    }\n  }\n}\n".to_string()
}

/// The repository: 50 configs, of which 45 can be migrated and 5 are left
/// for a manual step, and files that are no configs.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |path: String, text: String| {
        let path = d.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    for i in 0..20 {
        write(format!("services/xray-{i}/krakend.json"), xray(i, i < 10));
    }
    for i in 0..10 {
        write(format!("services/jaeger-{i}/krakend.yaml"), jaeger_yaml(i));
    }
    for i in 0..10 {
        write(format!("services/datadog-{i}/krakend.json"), datadog(i));
    }
    for i in 0..5 {
        write(
            format!("services/metrics-{i}/krakend.toml"),
            prometheus_toml(i),
        );
    }
    for i in 0..5 {
        write(format!("flexible/f{i}/krakend.tmpl"), templated(i));
    }
    write("web/package.json".into(), "{\"name\": \"web\"}\n".into());
    write(
        "web/tsconfig.json".into(),
        "{\n  // comments\n  \"strict\": true,\n}\n".into(),
    );
    write(
        "chart/templates/d.yaml".into(),
        "name: {{ .Release.Name }}\n".into(),
    );
    write("README.md".into(), "# gateways\n".into());
    dir
}

const PENDING: usize = 45;

/// Lines of the form `= help: ...` or `help: ...`, counted by text.
fn helps(output: &str) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for line in output.lines() {
        if let Some(at) = line.find("help: ") {
            *seen.entry(line[at..].to_string()).or_default() += 1;
        }
    }
    seen
}

#[test]
fn check_is_short_and_says_what_to_do() {
    let dir = repository();
    let out = run_in(dir.path(), &["migrate", "--check", "--color", "never", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(stdout.lines().count(), PENDING, "{stdout}");
    let lines = stdout.lines().count() + stderr.lines().count();
    assert!(
        lines <= 2 * PENDING + 40,
        "{lines} lines:\n{stdout}{stderr}"
    );
    for (help, n) in helps(&stderr) {
        assert_eq!(n, 1, "{help}");
    }
    // The grouped steps, each once, with counts.
    for step in [
        "set OTEL_PROPAGATORS=tracecontext,baggage,b3multi in KrakenD's environment (callers and backends speaking B3 stay in the same traces): 40 configs",
        "rotate 20 credentials found in 10 files",
        "give the collector AWS credentials allowed xray:PutTraceSegments and xray:PutTelemetryRecords (an IAM role, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its environment): 20 configs",
        "enable the Datadog Agent's OTLP receiver (DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT=0.0.0.0:4317): 10 configs",
        "migrate by hand the legacy blocks that templates write or insert (migrate the rendered config, then copy its new block): 5 configs",
    ] {
        assert_eq!(stderr.matches(step).count(), 1, "{step}\n{stderr}");
    }
    let listed = stderr
        .lines()
        .skip_while(|l| *l != "next steps")
        .take_while(|l| *l != "summary")
        .filter(|l| {
            l.trim_start()
                .split('.')
                .next()
                .is_some_and(|n| n.parse::<usize>().is_ok())
        })
        .count();
    // Every step listed is manual but the one that is a run of oc2otel
    // itself (migrate before KrakenD 3.0).
    let manual = listed - stderr.matches("before upgrading to KrakenD 3.0").count();
    assert!(
        stderr.contains(&format!("  manual steps  {manual:>7}\n")),
        "{stderr}"
    );
    // No secret anywhere.
    assert!(!stdout.contains("AKIASCALE") && !stderr.contains("scale/secret"));
}

#[test]
fn help_texts_appear_once_per_run_in_every_mode() {
    let dir = repository();
    for args in [
        &["migrate", "."][..],
        &["migrate", "--check", "."],
        &["migrate", "--check", "--statistics", "."],
    ] {
        let out = run_in(dir.path(), args);
        let all = text(&out.stdout) + &text(&out.stderr);
        for (help, n) in helps(&all) {
            assert_eq!(n, 1, "{args:?}: {help}");
        }
        assert!(!all.contains("AKIASCALE"), "{args:?}");
    }
}

#[test]
fn the_preview_stays_short_per_file() {
    let dir = repository();
    let out = run_in(dir.path(), &["migrate", "--color", "never", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    // Diagnostics: a line each for warnings, no infos, no snippets; the
    // diffs are the rest (the config's and its collector config).
    let diagnostics = stderr.lines().count();
    assert!(
        diagnostics <= 6 * PENDING + 40,
        "{diagnostics} lines of diagnostics:\n{stderr}"
    );
    let total = stdout.lines().count() + diagnostics;
    assert!(total <= 60 * PENDING, "{total} lines");
    assert!(stderr.contains("info diagnostics not shown: -v shows them"));
}

#[test]
fn fail_on_makes_manual_steps_fail_ci_until_done() {
    let dir = repository();
    let code = |args: &[&str]| run_in(dir.path(), args).status.code();
    assert_eq!(
        code(&["migrate", "--check", "--fail-on", "manual", "."]),
        Some(1)
    );
    assert_eq!(code(&["migrate", "--write", "."]), Some(0));
    // Migrated: nothing pending, but the templates are still to do by hand.
    assert_eq!(code(&["migrate", "--check", "."]), Some(0));
    assert_eq!(
        code(&["migrate", "--check", "--fail-on", "manual", "."]),
        Some(1)
    );
    assert_eq!(
        code(&["migrate", "--check", "--fail-on", "warning", "."]),
        Some(1)
    );
    for i in 0..5 {
        fs::remove_file(dir.path().join(format!("flexible/f{i}/krakend.tmpl"))).unwrap();
    }
    assert_eq!(
        code(&["migrate", "--check", "--fail-on", "manual", "."]),
        Some(0)
    );
}

#[test]
fn github_annotations_stay_within_what_a_pull_request_shows() {
    let dir = repository();
    let out = run_in(
        dir.path(),
        &["migrate", "--check", "--format", "github", "."],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let mut per_level: HashMap<&str, usize> = HashMap::new();
    let mut codes = std::collections::BTreeSet::new();
    for line in stdout.lines() {
        let level = line
            .trim_start_matches("::")
            .split([' ', ':'])
            .next()
            .unwrap();
        *per_level.entry(level).or_default() += 1;
        if let Some(at) = line.find("title=oc2otel OC") {
            codes.insert(&line[at + 14..at + 19]);
        }
    }
    for (level, n) in &per_level {
        // Ten for single files, then one per code for the rest.
        assert!(*n <= 10 + codes.len(), "{level}: {n}\n{stdout}");
    }
    assert!(per_level["error"] >= 10, "{stdout}");
    // Every pending file is named, in an annotation or in a group.
    for i in 0..20 {
        let path = format!("services/xray-{i}/krakend.json");
        assert!(stdout.contains(&path), "{path}\n{stdout}");
    }
    assert!(stdout.lines().count() < 60, "{stdout}");
    assert!(text(&out.stderr).contains("next steps"));
}
