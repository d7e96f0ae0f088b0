//! Names and values reach no terminal, CI log or written comment raw
//! (issue 12, point 12): a file name with a line break must not inject a
//! GitHub workflow command or YAML, and escape sequences and carriage
//! returns in names or values are shown escaped, in every format and in
//! the files `--write` creates.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::bin;

/// A file name that would be a workflow command, an escape sequence and a
/// carriage return if printed as it is.
const NAME: &str = "k\n::error file=x::pwned-CANARY12_12\u{1b}[31m\rX.json";

/// A value with an escape sequence (clears the screen) and a carriage
/// return, where a message quotes it (the service name).
const CONFIG: &str = "{\n  \"version\": 3,\n  \"extra_config\": {\"telemetry/opencensus\": {\n    \"sample_rate\": 100,\n    \"exporters\": {\n      \"zipkin\": {\"collector_url\": \"http://zipkin:9411/api/v2/spans\", \"service_name\": \"svc\\u001b[2J\\rCANARY12_12V\\u202e\"},\n      \"xray\": {\"region\": \"eu-west-1\", \"use_env\": true}\n    }\n  }}\n}\n";

fn run(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .arg(NAME)
        .output()
        .unwrap()
}

/// No raw control character but the line feed, and no line that starts a
/// workflow command unless `commands` says they are allowed at line start
/// (the github format, whose own lines are commands).
fn assert_no_raw_control(what: &str, bytes: &[u8], commands: bool) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{what} holds a raw {c:?}:\n{text}"
        );
    }
    for line in text.lines() {
        assert!(
            !line.starts_with("::error file=x"),
            "{what} has an injected command:\n{text}"
        );
        if commands {
            assert!(
                ["::error ", "::warning ", "::notice "]
                    .iter()
                    .any(|c| line.starts_with(c)),
                "{what}: a line that is not an annotation: {line:?}"
            );
        }
    }
}

#[test]
fn names_and_values_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(NAME), CONFIG).unwrap();
    let contrib = ["migrate", "--collector", "contrib", "--color", "never"];
    for mode in [
        &[][..],
        &["-v"],
        &["--check", "-v"],
        &["--format", "json", "-v"],
        &["--format", "sarif"],
    ] {
        let mut args = contrib.to_vec();
        args.extend_from_slice(mode);
        let output = run(dir.path(), &args);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{mode:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_no_raw_control(&format!("stdout of {mode:?}"), &output.stdout, false);
        assert_no_raw_control(&format!("stderr of {mode:?}"), &output.stderr, false);
    }
    // The human report shows the name escaped, where it can be read.
    let output = run(dir.path(), &[&contrib[..], &["--check"]].concat());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("k\\n::error file=x::pwned-CANARY12_12\\u{1b}[31m\\rX.json"),
        "{stdout}"
    );
    // JSON keeps the real name (a tool acts on it), JSON-escaped.
    let output = run(dir.path(), &[&contrib[..], &["--format", "json"]].concat());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["files"][0]["path"], NAME);

    // GitHub: every line of stdout is an annotation, none injected.
    let output = run(
        dir.path(),
        &[&contrib[..], &["--format", "github", "-v"]].concat(),
    );
    assert_no_raw_control("stdout of github", &output.stdout, true);
    assert_no_raw_control("stderr of github", &output.stderr, false);

    // --write: the collector config's header comment holds the name on
    // one line, and the file reads as the same YAML.
    let output = run(dir.path(), &[&contrib[..], &["--write", "-v"]].concat());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_no_raw_control("stderr of --write", &output.stderr, false);
    let collector = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".otel-collector.yaml"))
        .expect("a collector config");
    let yaml = fs::read_to_string(&collector).unwrap();
    assert_no_raw_control("the collector config", yaml.as_bytes(), false);
    assert!(yaml.lines().all(|l| !l.starts_with("::")), "{yaml}");
    let first = yaml.lines().next().unwrap();
    assert!(
        first.starts_with("# ") && first.contains("pwned-CANARY12_12\\u{1b}"),
        "{first}"
    );
    let parsed: serde_json::Value = yaml_serde::from_str(&yaml).unwrap();
    assert!(parsed["exporters"]["zipkin"].is_object(), "{yaml}");
}
