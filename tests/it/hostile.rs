//! Hostile and broken input at the command line (SPEC section 2,
//! guarantee 5): every case is an error naming the file, line and column,
//! exit 2, the file byte-for-byte untouched and nothing left next to it,
//! in every mode. Plus the cases that must *not* be errors (duplicate
//! keys, a BOM), inputs built to exhaust the stack or memory, and files
//! that vanish or change while a run is going on.

use std::fs;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{bin, fixture, run_on, temp_file};

const XRAY: &str = "rules/xray_docs.json";

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `contents` in a file named `name`: in preview, `--check`, `--write` and
/// `--format json`, oc2otel exits 2 with `message` at `line:column` (a
/// 1-based location; `None` for an error about the whole file), and the
/// file is untouched with nothing next to it. Bytes that never mention
/// OpenCensus are skipped when the file is named (a hook passes every
/// changed file), so they are read from standard input under the file's
/// name ([`run_on`]), and the named file is checked to be skipped.
fn assert_refused(name: &str, contents: &[u8], message: &str, at: Option<(usize, usize)>) {
    let (dir, path) = temp_file(name, contents);
    if !contents.windows(10).any(|w| w == b"opencensus") {
        let named = run_in(dir.path(), &["migrate", "--check", name]);
        assert_eq!(
            named.status.code(),
            Some(0),
            "{name}: {}",
            text(&named.stderr)
        );
    }
    for mode in [
        &["--color=never"][..],
        &["--check"],
        &["--write"],
        &["-v", "--write"],
    ] {
        let mut args = vec!["migrate"];
        args.extend_from_slice(mode);
        let output = run_on(dir.path(), &args, name);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name} {mode:?}: {stderr}");
        assert!(stderr.contains(message), "{name} {mode:?}: {stderr}");
        let location = match at {
            Some((line, column)) => format!("--> {name}:{line}:{column}"),
            None => format!("--> {name}\n"),
        };
        assert!(
            stderr.contains(&location),
            "{name} {mode:?}: expected `{location}` in\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(fs::read(&path).unwrap(), contents, "{name} was changed");
        assert_eq!(files_in(dir.path()), [name], "{name} left files behind");
    }
    let output = run_on(
        dir.path(),
        &["migrate", "--write", "--format", "json"],
        name,
    );
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let file = &report["files"][0];
    assert_eq!(file["path"], name);
    assert_eq!(file["status"], "error");
    let error = file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .expect("an error diagnostic");
    assert!(error["message"].as_str().unwrap().contains(message));
    let (line, column) = at.map_or((None, None), |(l, c)| (Some(l), Some(c)));
    assert_eq!(error["line"].as_u64(), line.map(|l| l as u64), "{error}");
    assert_eq!(
        error["column"].as_u64(),
        column.map(|c| c as u64),
        "{error}"
    );
    assert_eq!(fs::read(&path).unwrap(), contents);
    assert_eq!(files_in(dir.path()), [name]);
}

#[test]
fn empty_and_blank_files() {
    assert_refused("empty.json", b"", "the file is empty", Some((1, 1)));
    // Where a value was expected: the end of the file.
    assert_refused(
        "blank.json",
        b"  \n\t\n",
        "the file contains only whitespace",
        Some((3, 1)),
    );
    assert_refused("crlf.json", b"\r\n\r\n ", "only whitespace", Some((3, 2)));
}

#[test]
fn binary_data_and_invalid_utf8() {
    assert_refused(
        "binary.json",
        b"{\"version\": 3,\n \"a\": \"\x00\x01\x02\"}",
        "binary data",
        Some((2, 8)),
    );
    // A PNG header: binary from the first bytes.
    assert_refused(
        "image.json",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "binary data",
        Some((3, 1)),
    );
    assert_refused(
        "latin1.json",
        b"{\n  \"name\": \"caf\xe9\"\n}",
        "not valid UTF-8 (invalid byte 0xe9)",
        Some((2, 15)),
    );
    // UTF-16 has NUL bytes between ASCII characters.
    assert_refused(
        "utf16.json",
        b"\xff\xfe{\x00}\x00",
        "binary data",
        Some((1, 4)),
    );
}

#[test]
fn truncated_json() {
    let full = fixture(XRAY);
    // Cut inside the legacy block, after `"region": "eu-west-1",`: the
    // innermost object left open is pointed at.
    let cut = full.find("\"region\"").unwrap() + "\"region\": \"eu-west-1\",".len();
    assert_refused(
        "truncated.json",
        &full.as_bytes()[..cut],
        "invalid JSON",
        Some((8, 17)),
    );
    // Cut inside a string.
    let cut = full.find("eu-west-1").unwrap() + 3;
    assert_refused(
        "in_string.json",
        &full.as_bytes()[..cut],
        "unterminated string",
        Some((10, 21)),
    );
}

#[test]
fn comments_and_trailing_commas_are_refused_as_krakend_refuses_them() {
    assert_refused(
        "line_comment.json",
        b"{\n  \"version\": 3, // KrakenD 2\n  \"endpoints\": []\n}",
        "comments are not allowed",
        Some((2, 17)),
    );
    assert_refused(
        "block_comment.json",
        b"{\n  /* old */ \"version\": 3\n}",
        "comments are not allowed",
        Some((2, 3)),
    );
    assert_refused(
        "trailing_object.json",
        b"{\n  \"version\": 3,\n  \"endpoints\": [],\n}",
        "trailing comma",
        Some((3, 18)),
    );
    assert_refused(
        "trailing_array.json",
        b"{\"version\": 3, \"endpoints\": [{}, {},]}",
        "trailing comma",
        Some((1, 36)),
    );
}

#[test]
fn other_syntax_krakend_refuses() {
    for (name, contents, message, at) in [
        ("single_quotes.json", "{'version': 3}", "", (1, 2)),
        ("leading_zero.json", "{\"version\": 03}", "", (1, 14)),
        ("nan.json", "{\"version\": NaN}", "", (1, 13)),
        (
            "two_values.json",
            "{}\n{}",
            "expected the end of the file",
            (2, 1),
        ),
        (
            "control.json",
            "{\"a\": \"x\ty\"}",
            "control character",
            (1, 9),
        ),
        (
            "control_line2.json",
            "{\"a\":\n\"\u{1}\"}",
            "control character",
            (2, 2),
        ),
    ] {
        assert_refused(name, contents.as_bytes(), message, Some(at));
    }
}

#[test]
fn a_bom_is_kept_when_migrated_and_not_counted_in_columns() {
    let original = format!("\u{feff}{}", fixture(XRAY));
    let (dir, path) = temp_file("krakend.json", original.as_bytes());
    let output = run_in(dir.path(), &["migrate", "--write", "krakend.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let written = fs::read(&path).unwrap();
    assert!(written.starts_with("\u{feff}{\n".as_bytes()));
    assert_eq!(written.iter().filter(|&&b| b == 0xef).count(), 1);
    assert!(text(&written).contains("telemetry/opentelemetry"));

    assert_refused(
        "bom_broken.json",
        "\u{feff}{\"version\": 3,}".as_bytes(),
        "trailing comma",
        Some((1, 14)),
    );
    assert_refused(
        "bom_binary.json",
        b"\xef\xbb\xbf{\"a\":\x00}",
        "binary data",
        Some((1, 6)),
    );
}

fn legacy(block: &str) -> String {
    format!(
        "{{\n  \"version\": 3,\n  \"extra_config\": {{\n    \"telemetry/opencensus\": {block}\n  }}\n}}\n"
    )
}

#[test]
fn wrong_types_are_refused_as_krakend_did() {
    // KrakenD failed to decode the whole block: it never ran.
    let config = legacy(
        r#"{"sample_rate": "100", "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}"#,
    );
    assert_refused(
        "string.json",
        config.as_bytes(),
        "`sample_rate` must be an integer, found a string",
        Some((4, 45)),
    );
    let config = legacy(
        r#"{"sample_rate": 50.5, "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}"#,
    );
    assert_refused(
        "fraction.json",
        config.as_bytes(),
        "`sample_rate` must be a whole number, found 50.5",
        Some((4, 45)),
    );
    let config = legacy(r#"{"exporters": {"xray": {"region": "eu-west-1", "use_env": "yes"}}}"#);
    assert_refused(
        "bool.json",
        config.as_bytes(),
        "`use_env` must be true or false, found a string",
        Some((4, 87)),
    );
}

#[test]
fn numbers_out_of_range() {
    for (name, number) in [
        ("huge.json", "99999999999999999999"),
        ("negative.json", "-9223372036854775809e3"),
    ] {
        let config = legacy(&format!(
            r#"{{"sample_rate": {number}, "exporters": {{"xray": {{"region": "eu-west-1", "use_env": true}}}}}}"#
        ));
        assert_refused(
            name,
            config.as_bytes(),
            &format!("`sample_rate` is out of range for a 64-bit integer, found {number}"),
            Some((4, 45)),
        );
    }
    // Beyond a float64, Go's JSON decoder refuses the number, and KrakenD
    // the whole config, wherever it is (issue 12, point 14).
    for (name, number) in [("overflow.json", "1e400"), ("float.json", "1e309")] {
        let config = legacy(&format!(
            r#"{{"sample_rate": {number}, "exporters": {{"xray": {{"region": "eu-west-1"}}}}}}"#
        ));
        assert_refused(
            name,
            config.as_bytes(),
            &format!(
                "`{number}` is beyond the range of a 64-bit float: Go's JSON decoder, which KrakenD reads its config with, refuses it, so KrakenD refuses the whole config"
            ),
            Some((4, 45)),
        );
    }
    let config = legacy(r#"{"exporters": {"xray": {"region": "eu-west-1"}}}"#)
        .replace("\"version\": 3,", "\"version\": 3, \"timeout\": -1e309,");
    assert_refused(
        "elsewhere.json",
        config.as_bytes(),
        "`-1e309` is beyond the range of a 64-bit float",
        Some((2, 28)),
    );
    // A period whose duration overflows is one error, not also an
    // internal one.
    let config = legacy(
        r#"{"reporting_period": 9223372037, "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}"#,
    );
    let (dir, _) = temp_file("period.json", config.as_bytes());
    let output = run_in(dir.path(), &["migrate", "--format", "json", "period.json"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: Vec<&serde_json::Value> = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["code"], "OC005");
    let config = legacy(r#"{"exporters": {"prometheus": {"port": 70000}}}"#);
    let (dir, path) = temp_file("port.json", config.as_bytes());
    let output = run_in(dir.path(), &["migrate", "--write", "port.json"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("--> port.json:4:"));
    assert_eq!(fs::read_to_string(&path).unwrap(), config);
}

#[test]
fn a_legacy_block_that_is_not_an_object() {
    for (name, value, found) in [
        ("string.json", "\"on\"", "a string"),
        ("array.json", "[{\"sample_rate\": 1}]", "an array"),
        ("number.json", "1", "a number"),
        ("bool.json", "true", "a boolean"),
        ("null.json", "null", "null"),
    ] {
        assert_refused(
            name,
            legacy(value).as_bytes(),
            &format!("`telemetry/opencensus` must be an object, found {found}"),
            Some((4, 29)),
        );
    }
}

#[test]
fn null_exporters() {
    assert_refused(
        "null_exporters.json",
        legacy(r#"{"sample_rate": 10, "exporters": null}"#).as_bytes(),
        "`exporters` must be an object, found null",
        Some((4, 62)),
    );
    assert_refused(
        "null_exporter.json",
        legacy(r#"{"exporters": {"xray": null}}"#).as_bytes(),
        "`xray` must be an object, found null",
        Some((4, 52)),
    );
}

#[test]
fn duplicate_keys_follow_krakend_the_last_one_wins_with_a_warning() {
    let config = legacy(
        r#"{"sample_rate": 10, "sample_rate": 50, "exporters": {"xray": {"region": "us-east-1", "region": "eu-west-1", "use_env": true}}}"#,
    );
    let (dir, path) = temp_file("dup.json", config.as_bytes());
    let output = run_in(
        dir.path(),
        &["migrate", "--write", "--format", "json", "dup.json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let duplicates: Vec<(u64, u64)> = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "OC006")
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(duplicates, [(4, 30), (4, 91)], "{report}");
    let migrated: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        migrated["extra_config"]["telemetry/opentelemetry"]["trace_sample_rate"],
        0.5
    );
    let collector = fs::read_to_string(dir.path().join("dup.otel-collector.yaml")).unwrap();
    assert!(collector.contains("region: eu-west-1") && !collector.contains("us-east-1"));

    // Two legacy blocks: the first never ran and is removed too.
    let config = "{\"version\": 3, \"extra_config\": {\n\"telemetry/opencensus\": {\"exporters\": {\"xray\": {\"region\": \"us-east-1\", \"use_env\": true}}},\n\"telemetry/opencensus\": {\"exporters\": {\"xray\": {\"region\": \"eu-west-1\", \"use_env\": true}}}}}";
    let (dir, path) = temp_file("two.json", config.as_bytes());
    let output = run_in(
        dir.path(),
        &["migrate", "--write", "--color=never", "two.json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("] two.json:2:1: "));
    let written = fs::read_to_string(&path).unwrap();
    assert!(!written.contains("opencensus") && !written.contains("us-east-1"));
}

#[test]
fn nesting_100000_levels_deep_does_not_overflow_the_stack() {
    let depth = 100_000;
    let cases = [
        (
            "arrays.json",
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        ),
        (
            "objects.json",
            format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)),
        ),
        // Unclosed, with a secret before it: the lexical scan runs too.
        (
            "unclosed.json",
            format!("{{\"password\": \"x\", \"a\": {}", "[{\"b\":".repeat(depth)),
        ),
        // Inside a legacy block that would otherwise migrate.
        (
            "in_legacy.json",
            legacy(&format!(
                "{{\"exporters\": {{\"xray\": {{\"region\": \"eu-west-1\", \"use_env\": true}}}}, \"deep\": {}0{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            )),
        ),
    ];
    for (name, contents) in cases {
        let (dir, path) = temp_file(name, contents.as_bytes());
        for format in ["human", "json"] {
            let output = run_on(
                dir.path(),
                &["migrate", "-v", "--write", "--format", format],
                name,
            );
            // A stack overflow is a signal, not exit 2.
            assert_eq!(
                output.status.code(),
                Some(2),
                "{name}: {}",
                text(&output.stderr)
            );
            let all = text(&output.stderr) + &text(&output.stdout);
            assert!(all.contains("nesting is too deep"), "{name}");
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), contents);
        assert_eq!(files_in(dir.path()), [name]);
    }
}

/// The variable that turns `measure_launcher` on, holding the arguments
/// of the oc2otel run to measure (a JSON array).
#[cfg(unix)]
const MEASURE_ARGS: &str = "OC2OTEL_TEST_MEASURE_ARGS";

/// Run oc2otel with `args` (in `cwd`, reading `stdin`) to the end and
/// return (exit code, peak RSS in KiB).
///
/// Linux charges a child with its parent's high-water RSS when it execs
/// after a fork or vfork, and this test binary runs every integration test
/// at once, so its own peak would hide the child's. The run is therefore
/// started from a fresh, small copy of this binary (`measure_launcher`).
#[cfg(unix)]
fn run_measured(args: &[&str], cwd: Option<&Path>, stdin: Option<fs::File>) -> (i32, i64) {
    let mut launcher = std::process::Command::new(std::env::current_exe().unwrap());
    launcher
        .args(["--ignored", "--exact", "hostile::measure_launcher"])
        .args(["--nocapture", "--test-threads=1", "--quiet"])
        .env(MEASURE_ARGS, serde_json::to_string(args).unwrap())
        .stdin(stdin.map_or_else(Stdio::null, Stdio::from));
    if let Some(cwd) = cwd {
        launcher.current_dir(cwd);
    }
    let output = launcher.output().unwrap();
    let stdout = text(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("measured: "))
        .unwrap_or_else(|| {
            panic!(
                "launcher printed no figure: {stdout}{}",
                text(&output.stderr)
            )
        });
    let (code, rss) = line.split_once(' ').unwrap();
    (code.parse().unwrap(), rss.parse().unwrap())
}

/// Not a test: `run_measured` starts this in a fresh process, which runs
/// the oc2otel command given in its environment and prints its exit code
/// and peak RSS, as reported by wait4. The child is reaped by wait4,
/// hence the allow.
#[cfg(unix)]
#[test]
#[ignore = "helper of run_measured, started by it in a fresh process"]
#[allow(clippy::zombie_processes)]
fn measure_launcher() {
    let args: Vec<String> = serde_json::from_str(&std::env::var(MEASURE_ARGS).unwrap()).unwrap();
    let child = bin()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 writes into the two locals; pid is our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4 failed");
    println!(
        "measured: {} {}",
        libc::WEXITSTATUS(status),
        usage.ru_maxrss
    );
}

#[cfg(unix)]
#[test]
fn a_100_mb_file_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        file.write_all(
            legacy(r#"{"exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}"#)
                .trim_end()
                .trim_end_matches('}')
                .as_bytes(),
        )
        .unwrap();
        file.write_all(b", \"pad\": [").unwrap();
        let chunk = "\"0123456789abcdef0123456789abcdef\",".repeat(1024);
        while file.get_ref().metadata().unwrap().len() < 100 * 1024 * 1024 {
            file.write_all(chunk.as_bytes()).unwrap();
            file.flush().unwrap();
        }
        file.write_all(b"0]}").unwrap();
    }
    let size = fs::metadata(&path).unwrap().len();
    assert!(size >= 100 * 1024 * 1024);

    let output = run_in(dir.path(), &["migrate", "--write", "huge.json"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "the file is {size} bytes, larger than the 33554432-byte limit"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--> huge.json\n"), "{stderr}");
    assert_eq!(files_in(dir.path()), ["huge.json"]);

    // Refused from its size, before reading: the peak memory stays far
    // below the file (and below the read limit itself).
    let (code, rss_kb) = run_measured(&["migrate", "huge.json"], Some(dir.path()), None);
    assert_eq!(code, 2);
    assert!(
        rss_kb < 24 * 1024,
        "peak RSS {rss_kb} KiB for a refused file"
    );

    // Standard input has no size: reading stops at the limit, and the
    // memory stays bounded by it, not by the input.
    let stdin = fs::File::open(&path).unwrap();
    let (code, rss_kb) = run_measured(&["migrate", "-"], None, Some(stdin));
    assert_eq!(code, 2);
    assert!(
        rss_kb < 90 * 1024,
        "peak RSS {rss_kb} KiB for 100 MB on standard input"
    );
}

/// Texts built to make a scan quadratic, 512 KB each, valid JSON (one
/// huge string, scanned for URL credentials) or not (the lexical secret
/// scan), and one line with 40,000 diagnostics: a linear scan takes well
/// under a second even in a debug build (the long line, about 7 s with
/// its snippets), a quadratic one (10^11 steps) minutes to hours.
#[test]
fn pathological_text_is_scanned_in_linear_time() {
    let size = 512 * 1024;
    let patterns = [
        "?a",
        "?p=",
        "&",
        "a@",
        ":@",
        "\"password\": [",
        "'",
        "\"token\" x\n",
        // Issue 12: template actions, variables, parameter names decoded,
        // name/value pairs, values over several lines, embedded configs.
        "{{",
        "{{ $password := ",
        "?%70=",
        "#access_token=",
        "\"name\": \"Authorization\", \"value\": ",
        "password: \"\n",
        "password:\n ",
        "{\"a\": \"{\\\"",
        "http://a:b@",
        "a:b@c@",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        let body = pattern.repeat(size / pattern.len());
        let valid = format!(
            "{{\"version\": 3, \"opencensus\": 1, \"s\": {}}}",
            serde_json::to_string(&body).unwrap()
        );
        // Both mention a legacy key, so that they are read and scanned.
        let broken = format!("{{\"version\": 3, \"opencensus\": 1,, {body}");
        for (kind, text) in [("valid", valid), ("broken", broken)] {
            let name = format!("{kind}{i}.json");
            fs::write(dir.path().join(&name), text).unwrap();
            names.push(name);
        }
    }
    // Issue 12, point 13: one line of 440 KB with 40,000 unknown keys
    // (and 4,000 credentials) in a legacy block: a diagnostic each, every
    // one with its snippet in `-v`.
    let keys: Vec<String> = (0..40_000)
        .map(|i| match i % 10 {
            0 => format!("\"token{i}\": \"s{i}\""),
            _ => format!("\"k{i}\": 1"),
        })
        .collect();
    let long = format!(
        "{{\"version\": 3, \"extra_config\": {{\"telemetry/opencensus\": {{\"exporters\": {{\"xray\": {{\"region\": \"eu\"}}}}, {}}}}}}}\n",
        keys.join(", ")
    );
    fs::write(dir.path().join("long.json"), long).unwrap();
    names.push("long.json".into());
    let start = Instant::now();
    let mut child = bin()
        .current_dir(dir.path())
        .args(["migrate", "-v"])
        .args(&names)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!(
                "scanning {} files of 512 KB took over a minute",
                names.len()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The broken ones are errors; the valid ones have nothing to migrate.
    assert_eq!(child.wait().unwrap().code(), Some(2));
}

#[test]
fn an_address_with_multibyte_characters_does_not_panic() {
    // Regression: found by the fuzz target `migrate` (a panic slicing a
    // host name inside a multi-byte character).
    let config = legacy(
        "{\"exporters\": {\"influxdb\": {\"address\": \"http://ja\u{660}eclient:1/x\", \"db\": \"k\"}}}",
    );
    let (dir, _) = temp_file("k.json", config.as_bytes());
    let output = run_in(
        dir.path(),
        &["migrate", "--collector", "contrib", "--write", "k.json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let collector = fs::read_to_string(dir.path().join("k.otel-collector.yaml")).unwrap();
    assert!(collector.contains("http://ja\u{660}eclient:1/x"));
}

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// Files that cannot be read, given next to one that can: each is a
/// located error, the good one is migrated, the run exits 2, and it never
/// hangs (a FIFO without a writer would block a plain open forever).
#[cfg(unix)]
#[test]
fn unreadable_files_are_errors_and_the_others_are_migrated() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("good.json"), fixture(XRAY)).unwrap();
    symlink("nowhere.json", d.join("dangling.json")).unwrap();
    fs::create_dir(d.join("dir.json")).unwrap();
    mkfifo(&d.join("fifo.json"));
    let socket = std::os::unix::net::UnixListener::bind(d.join("socket.json")).unwrap();
    symlink("/dev/zero", d.join("zero.json")).unwrap();
    let mut expected = vec![
        ("missing.json", "No such file or directory"),
        ("dangling.json", "No such file or directory"),
        ("dir.json", "no config file found in this folder"),
        ("fifo.json", "it is a named pipe (FIFO), not a regular file"),
        ("socket.json", "it is a socket, not a regular file"),
        ("zero.json", "it is a character device, not a regular file"),
    ];
    // Root reads through mode 000; test that only where it means something.
    if !is_root() {
        fs::write(d.join("locked.json"), fixture(XRAY)).unwrap();
        fs::set_permissions(d.join("locked.json"), fs::Permissions::from_mode(0o000)).unwrap();
        expected.push(("locked.json", "Permission denied"));
    }
    let mut args = vec!["migrate", "--write", "--color=never", "good.json"];
    args.extend(expected.iter().map(|(name, _)| *name));
    let start = Instant::now();
    let mut child = bin()
        .current_dir(d)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("oc2otel hangs on an unreadable file");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    for (name, why) in &expected {
        assert!(
            stderr.contains(why)
                && (stderr.contains(&format!("--> {name}\n"))
                    || stderr.contains(&format!("] {name}: "))),
            "{name}: {stderr}"
        );
    }
    assert!(
        fs::read_to_string(d.join("good.json"))
            .unwrap()
            .contains("telemetry/opentelemetry")
    );
    assert!(
        fs::symlink_metadata(d.join("dangling.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!d.join("nowhere.json").exists());
    assert!(!d.join("missing.json").exists());
    drop(socket);
}

/// Files removed or replaced while a `--write` run is going on. Whatever
/// the timing: no panic, every file left alone by the test holds its fully
/// migrated bytes, every error names a file the test tampered with, a
/// removed file is never brought back with old or partial contents, and
/// no temporary file is left.
#[cfg(unix)]
#[test]
fn files_that_vanish_or_change_mid_run() {
    const FILES: usize = 240;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let original = fixture(XRAY);
    let names: Vec<String> = (0..FILES).map(|i| format!("k{i:03}.json")).collect();
    for name in &names {
        fs::write(d.join(name), &original).unwrap();
    }
    let migrated = {
        let m = oc2otel::migration::migrate(
            &original,
            oc2otel::syntax::source::Format::Json,
            "k.json",
            &Default::default(),
            None,
        );
        m.output.unwrap()
    };
    // Every third file is tampered with, in the order oc2otel is given
    // them, while it runs: removed, replaced by a directory, or edited.
    let tampered: Vec<usize> = (0..FILES).filter(|i| i % 3 == 1).collect();
    let child = bin()
        .current_dir(&d)
        .args(["migrate", "--write", "--format", "json"])
        .args(&names)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for (n, &i) in tampered.iter().enumerate() {
        let path = d.join(&names[i]);
        match n % 3 {
            0 => {
                let _ = fs::remove_file(&path);
            }
            1 => {
                let _ = fs::remove_file(&path);
                let _ = fs::create_dir(&path);
            }
            _ => {
                let _ = fs::write(&path, "{\"edited\": true}\n");
            }
        }
        // Spread over the run, so that some land between oc2otel's read
        // of a file and its write.
        std::thread::sleep(Duration::from_millis(2));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(output.status.code(), Some(0 | 2)), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut errors = 0;
    for file in report["files"].as_array().unwrap() {
        if file["status"] == "error" {
            errors += 1;
            let name = file["path"].as_str().unwrap();
            let i = names.iter().position(|n| n == name).unwrap();
            assert!(tampered.contains(&i), "{name} failed untouched: {file}");
        }
    }
    assert_eq!(report["summary"]["errors"], errors);
    for (i, name) in names.iter().enumerate() {
        let path = d.join(name);
        if !tampered.contains(&i) {
            assert_eq!(fs::read_to_string(&path).unwrap(), migrated, "{name}");
            continue;
        }
        // Removed: gone, or (if the removal came after the write) never
        // restored with old bytes. Edited: the edit or the migration.
        if let Ok(meta) = fs::symlink_metadata(&path)
            && meta.is_file()
        {
            let now = fs::read_to_string(&path).unwrap();
            assert!(
                now == "{\"edited\": true}\n" || now == migrated,
                "{name} holds neither the edit nor the migration: {now}"
            );
        }
    }
    let leftovers: Vec<String> = files_in(&d)
        .into_iter()
        .filter(|n| oc2otel::workspace::write::is_temp_name(n))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Issue 12, point 9: a 455-byte file of nested aliases (a "billion
/// laughs") grew to 3.8 GB and aborted the run, losing the summary and the
/// report of every other file. Alias expansion is bounded: a located
/// error at the alias that crosses the bound, exit 2, the rest of the
/// batch migrated and the summary printed, under an address-space limit
/// of 512 MiB that the unbounded expansion would exceed many times over.
#[cfg(unix)]
#[test]
fn an_alias_bomb_is_a_located_error_and_the_batch_goes_on() {
    use std::os::unix::process::CommandExt;
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for name in 'b'..='i' {
        let items = vec![format!("*{previous}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{items}]\n"));
        previous = name;
    }
    bomb.push_str(
        "extra_config: {telemetry/opencensus: {exporters: {xray: {region: eu}}}, z: *i}\n",
    );
    assert!(bomb.len() < 500, "{}", bomb.len());
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bomb.yaml"), &bomb).unwrap();
    let good = fixture(XRAY);
    fs::write(dir.path().join("good.json"), &good).unwrap();
    for args in [
        &["migrate", "-v"][..],
        &["migrate", "--write"],
        &["explain"],
    ] {
        let mut command = bin();
        command
            .current_dir(dir.path())
            .args(args)
            .args(["bomb.yaml", "good.json"]);
        // SAFETY: setrlimit is async-signal-safe; the closure allocates
        // nothing.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 512 << 20,
                    rlim_max: 512 << 20,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        let output = command.output().unwrap();
        let stderr = text(&output.stderr) + &text(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("alias bomb"), "{stderr}");
        if args[0] == "migrate" {
            // At the alias that crosses the bound: the third `*e` (each
            // copies about 66,000 values).
            assert!(stderr.contains("--> bomb.yaml:6:11"), "{stderr}");
            assert!(stderr.contains("files scanned       2"), "{stderr}");
        }
    }
    assert_eq!(
        fs::read_to_string(dir.path().join("bomb.yaml")).unwrap(),
        bomb
    );
    let migrated = fs::read_to_string(dir.path().join("good.json")).unwrap();
    assert!(migrated.contains("telemetry/opentelemetry"), "{migrated}");
}

/// Issue 12, point 14: KrakenD reads a YAML config with yaml.v3's
/// `Unmarshal` (through viper), which decodes the first document of a
/// stream and ignores the others. The legacy block of the first document
/// is pending; one in a later document was never read.
#[test]
fn only_the_first_yaml_document_is_read() {
    let config = "version: 3\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      xray:\n        region: eu\n        use_env: true\n---\nversion: 3\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      xray:\n        region: us\n";
    let (dir, path) = temp_file("two.yaml", config.as_bytes());
    let output = run_in(dir.path(), &["migrate", "--check", "-v", "two.yaml"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "it is in a later document of the YAML stream, and KrakenD reads only the first"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--> two.yaml:11:3"), "{stderr}");
    let output = run_in(dir.path(), &["migrate", "--write", "two.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let written = fs::read_to_string(&path).unwrap();
    let (first, second) = written.split_once("---\n").unwrap();
    assert!(first.contains("telemetry/opentelemetry"), "{written}");
    assert_eq!(second, config.split_once("---\n").unwrap().1);
}

/// Issue 12, point 14: `--collector-out -` wrote a file named `-`; it is
/// a usage error now (standard output is the report's).
#[test]
fn collector_out_dash_is_a_usage_error() {
    let (dir, path) = temp_file("k.json", fixture(XRAY).as_bytes());
    let output = run_in(
        dir.path(),
        &["migrate", "--write", "--collector-out", "-", "k.json"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--collector-out - is not supported"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(files_in(dir.path()), ["k.json"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), fixture(XRAY));
}

/// A legacy key spelt with escapes is the legacy key to KrakenD (its
/// parsers decode keys): a walk that looked for `opencensus` as written
/// skipped such a config, and `--check` passed it. Each format's escapes.
#[test]
fn a_legacy_key_spelt_with_escapes_is_found_in_a_walk() {
    let block =
        r#"{"sample_rate": 100, "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}"#;
    for (name, contents) in [
        (
            "krakend.json",
            format!("{{\"version\": 3, \"extra_config\": {{\"telemetry/\\u006fpencensus\": {block}}}}}\n"),
        ),
        (
            "krakend.yaml",
            format!("version: 3\nextra_config:\n  \"telemetry/\\x6fpencensus\": {block}\n"),
        ),
        (
            "krakend.toml",
            "version = 3\n[extra_config.\"telemetry/\\u006fpencensus\".exporters.xray]\nregion = \"eu-west-1\"\nuse_env = true\n".to_string(),
        ),
        // A double-quoted YAML key folded over two lines (an explicit
        // key: an implicit one must fit on a line).
        (
            "folded.yaml",
            format!("version: 3\nextra_config:\n  ? \"telemetry/open\\\n    census\"\n  : {block}\n"),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(name), &contents).unwrap();
        let output = run_in(dir.path(), &["migrate", "--check", "."]);
        let said = text(&output.stdout) + &text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {said}");
        assert!(said.contains("to migrate          1"), "{name}: {said}");
    }
    // Escapes that spell no legacy key leave a file skipped, as before:
    // a Helm template's shell line continuation, a tsconfig.json with
    // comments (not a config KrakenD could read) and a `\u00e9`.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("job.yaml"),
        "command:\n  - sh\n  - -c\n  - |\n    ./migrate \\\n      --all\npath: \"C:\\\\Users\\\\x\"\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("tsconfig.json"),
        "{\n  // caf\\u00e9\n  \"compilerOptions\": {}\n}\n",
    )
    .unwrap();
    let output = run_in(dir.path(), &["migrate", "--check", "."]);
    let said = text(&output.stdout) + &text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{said}");
    assert!(said.contains("skipped             2"), "{said}");
}
