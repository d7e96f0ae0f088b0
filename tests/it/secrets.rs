//! Secrets never travel (SPEC section 2, guarantee 3), at the command
//! line: a canary value in every place a credential can hide must appear
//! in no output stream of any mode, in no collector file, and (inside a
//! legacy block) not in the migrated config either; canaries outside the
//! legacy blocks stay in the file, untouched, and are still never printed.
//! Each legacy secret is named by a rotate warning with its JSON pointer.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{abin, bin, temp_file};

/// Canaries inside the legacy block: they go away with it.
const LEGACY: &[&str] = &[
    "CANARYINFLUXUSERINFO",
    "CANARYINFLUXQUERYP",
    "CANARYINFLUXPASSWORD",
    "CANARYZIPKINUSERINFO",
    "CANARYZIPKINTOKEN",
    "CANARYJAEGERUSERINFO",
    "CANARYJAEGERAPIKEY",
    "CANARYAGENTUSERINFO",
    "CANARYXRAYKEYID",
    "CANARYXRAYSECRET",
    "CANARYLABELAPIKEY",
    "CANARYOCAGENTUSERINFO",
    "CANARYHEADERCUSTOM",
    "CANARYHEADERAUTH",
    "CANARYDDUSERINFO",
    "CANARYDDGLOBALTOKEN",
    "CANARYDDTAGAPIKEY",
    "CANARYNEWRELICKEY",
];

/// Canaries elsewhere in the config: kept in the file, never printed.
const KEPT: &[&str] = &[
    "CANARYJWKUSERINFO",
    "CANARYSHAREDSECRET",
    "CANARYBACKENDUSERINFO",
    "CANARYCLIENTSECRET",
    "987654321987",
];

const CONFIG: &str = r#"{
  "version": 3,
  "extra_config": {
    "auth/validator": {"jwk_url": "https://jwk:CANARYJWKUSERINFO@idp/keys", "shared_secret": "CANARYSHAREDSECRET"},
    "telemetry/opencensus": {
      "sample_rate": 100,
      "reporting_period": 30,
      "exporters": {
        "influxdb": {"address": "http://influx:CANARYINFLUXUSERINFO@influx:8086/?u=writer&p=CANARYINFLUXQUERYP", "db": "krakend", "username": "writer", "password": "CANARYINFLUXPASSWORD"},
        "zipkin": {"collector_url": "http://z:CANARYZIPKINUSERINFO@zipkin:9411/api/v2/spans?token=CANARYZIPKINTOKEN", "service_name": "krakend"},
        "jaeger": {"endpoint": "http://j:CANARYJAEGERUSERINFO@jaeger:14268/api/traces?api_key=CANARYJAEGERAPIKEY", "agent_endpoint": "a:CANARYAGENTUSERINFO@jaeger:6831", "service_name": "krakend"},
        "xray": {"region": "eu-west-1", "access_key_id": "CANARYXRAYKEYID", "secret_access_key": "CANARYXRAYSECRET"},
        "stackdriver": {"project_id": "gcp", "default_labels": {"api_key": "CANARYLABELAPIKEY"}},
        "ocagent": {"address": "o:CANARYOCAGENTUSERINFO@agent:55678", "insecure": true, "headers": {"x-custom": "CANARYHEADERCUSTOM", "authorization": "Bearer CANARYHEADERAUTH"}},
        "datadog": {"trace_address": "d:CANARYDDUSERINFO@dd:8126", "stats_address": "dd:8125", "global_tags": {"token": "CANARYDDGLOBALTOKEN"}, "tags": ["env:prod", "apikey=CANARYDDTAGAPIKEY"]},
        "extra_config": {"newrelic": {"api_key": "CANARYNEWRELICKEY"}}
      }
    }
  },
  "endpoints": [{"endpoint": "/x", "backend": [{"host": ["http://b:CANARYBACKENDUSERINFO@b:80"], "extra_config": {"telemetry/opencensus": {"path_aggregation": "pattern"}, "auth/client-credentials": {"client_secret": "CANARYCLIENTSECRET", "pin": {"password": 987654321987}}}}]}]
}
"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_not_in(what: &str, haystack: &str, canaries: &[&str]) {
    for canary in canaries {
        assert!(!haystack.contains(canary), "{canary} leaked into {what}");
    }
}

fn assert_streams_clean(mode: &str, output: &Output) {
    let all: Vec<&str> = LEGACY.iter().chain(KEPT).copied().collect();
    assert_not_in(&format!("stdout of {mode}"), &text(&output.stdout), &all);
    assert_not_in(&format!("stderr of {mode}"), &text(&output.stderr), &all);
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

/// A `--check` that counts the warnings (no `-v`) and a `--write -q` do
/// not look for the configs' secrets; a config with an error shows its
/// diagnostics (all of them with `--check`), and they hide every secret
/// as in any other mode. The error comes from
/// the pipeline (exporters the ADOT collector lacks), from the plan (a file
/// in the way of the collector config), or from holding the run's plans
/// to each other (the collector config asked for on the deploy snippet's
/// path).
#[test]
fn a_check_that_shows_errors_alone_hides_secrets_once_it_shows_more() {
    // An unknown exporter key that holds a credential: its warning quotes
    // the key.
    let config = CONFIG.replace(
        r#""xray": {"region": "eu-west-1","#,
        r#""xray": {"region": "eu-west-1", "token=CANARYKEYTOKEN": 1,"#,
    );
    assert_ne!(config, CONFIG);
    let cases: [(&str, &[&str], &str); 3] = [
        ("pipeline", &["--collector", "adot"], "error[OC014]"),
        ("plan", &["--collector", "contrib"], "error[OC015]"),
        (
            "claims",
            &[
                "--collector",
                "contrib",
                "--emit-deploy",
                "compose",
                "--collector-out",
                "krakend.deploy.compose.yaml",
            ],
            "is also the collector config of krakend.json",
        ),
    ];
    // `--write -q` shows errors alone too, and then nothing but errors.
    for mode in [&["--check"][..], &["--write", "-q"]] {
        for (case, flags, error) in cases {
            let (dir, path) = temp_file("krakend.json", config.as_bytes());
            if case == "plan" {
                fs::write(dir.path().join("krakend.otel-collector.yaml"), "x: 1\n").unwrap();
            }
            let mut args = vec!["migrate", "--color", "never"];
            args.extend_from_slice(mode);
            args.extend_from_slice(flags);
            args.push("krakend.json");
            let output = run(dir.path(), &args);
            let stderr = text(&output.stderr);
            let what = format!("{case} {mode:?}");
            assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
            assert!(stderr.contains(error), "{what}: {stderr}");
            // With --check, the warnings are shown with the error, the
            // key's among them.
            assert_eq!(
                stderr.contains("warning[OC013]") && stderr.contains("token="),
                mode[0] == "--check",
                "{what}: {stderr}"
            );
            assert_streams_clean(&what, &output);
            assert_not_in(&what, &stderr, &["CANARYKEYTOKEN"]);
            assert_eq!(fs::read_to_string(&path).unwrap(), config, "{what}");
        }
    }
}

#[test]
fn canaries_appear_in_no_output_of_any_mode_nor_in_any_file_written() {
    let (dir, path) = temp_file("krakend.json", CONFIG.as_bytes());
    let contrib = ["--collector", "contrib"];
    for mode in [
        &[][..],
        &["-v"],
        &["--color", "always", "-v"],
        &["--check"],
        &["--check", "-v"],
        &["--format", "json"],
        &["--check", "--format", "json"],
    ] {
        let mut args = vec!["migrate"];
        args.extend_from_slice(&contrib);
        args.extend_from_slice(mode);
        args.push("krakend.json");
        let output = run(dir.path(), &args);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{mode:?}: {}",
            text(&output.stderr)
        );
        assert_streams_clean(&format!("{mode:?}"), &output);
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), CONFIG);

    // The preview shows where the secrets were, marked.
    let preview = run(
        dir.path(),
        &["migrate", "--collector", "contrib", "krakend.json"],
    );
    let diff = text(&preview.stdout);
    assert!(
        diff.contains(r#""secret_access_key": "<redacted>"}"#),
        "{diff}"
    );
    assert!(
        diff.contains("http://<redacted>@zipkin:9411/api/v2/spans?token=<redacted>"),
        "{diff}"
    );

    let write = run(
        dir.path(),
        &[
            "migrate",
            "--collector",
            "contrib",
            "--write",
            "--format",
            "json",
            "krakend.json",
        ],
    );
    assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
    assert_streams_clean("--write", &write);
    let migrated = fs::read_to_string(&path).unwrap();
    assert_not_in("the migrated config", &migrated, LEGACY);
    // Nothing lost: the secrets outside the legacy blocks are still there.
    for canary in KEPT {
        assert!(
            migrated.contains(canary),
            "{canary} was removed from the config"
        );
    }
    let collector = fs::read_to_string(dir.path().join("krakend.otel-collector.yaml")).unwrap();
    assert_not_in("the collector file", &collector, LEGACY);
    assert_not_in("the collector file", &collector, KEPT);
    // Query parameters that are not credentials are kept.
    assert!(
        collector.contains("endpoint: \"http://influx:8086/?u=writer\""),
        "{collector}"
    );
    assert!(
        collector.contains("endpoint: http://zipkin:9411/api/v2/spans\n"),
        "{collector}"
    );

    // A rotate warning per legacy secret, by pointer.
    let report: serde_json::Value = serde_json::from_slice(&write.stdout).unwrap();
    let warned: Vec<&str> = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "OC401" && d["severity"] == "warning")
        .inspect(|d| assert!(d["message"].as_str().unwrap().contains("rotate"), "{d}"))
        .map(|d| d["pointer"].as_str().unwrap())
        .collect();
    let block = "/extra_config/telemetry~1opencensus/exporters";
    for field in [
        "influxdb/address",
        "influxdb/password",
        "zipkin/collector_url",
        "jaeger/endpoint",
        "jaeger/agent_endpoint",
        "xray/access_key_id",
        "xray/secret_access_key",
        "stackdriver/default_labels/api_key",
        "ocagent/address",
        "ocagent/headers/x-custom",
        "ocagent/headers/authorization",
        "datadog/trace_address",
        "datadog/global_tags/token",
        "datadog/tags/1",
        "extra_config/newrelic/api_key",
    ] {
        let pointer = format!("{block}/{field}");
        assert!(
            warned.contains(&pointer.as_str()),
            "no warning for {pointer}: {warned:?}"
        );
    }
    // Secrets outside the legacy blocks are not the migration's business.
    assert!(warned.iter().all(|p| p.starts_with(block)), "{warned:?}");

    // A second run (nothing to migrate) prints nothing secret either.
    let again = run(dir.path(), &["migrate", "-v", "--write", "krakend.json"]);
    assert_eq!(again.status.code(), Some(0));
    assert_streams_clean("a second --write", &again);
}

#[test]
fn standard_input_prints_the_config_without_the_legacy_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let output = abin()
        .current_dir(dir.path())
        .args([
            "migrate",
            "--collector",
            "contrib",
            "--write",
            "--collector-out",
            "c.yaml",
            "-",
        ])
        .write_stdin(CONFIG)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // stdout is the migrated config itself: what was outside the legacy
    // block is part of it.
    let stdout = text(&output.stdout);
    assert_not_in("stdout", &stdout, LEGACY);
    assert!(KEPT.iter().all(|c| stdout.contains(c)));
    let all: Vec<&str> = LEGACY.iter().chain(KEPT).copied().collect();
    assert_not_in("stderr", &text(&output.stderr), &all);
    assert_not_in(
        "c.yaml",
        &fs::read_to_string(dir.path().join("c.yaml")).unwrap(),
        &all,
    );
}

/// Files that do not parse are redacted lexically: the error's snippet
/// shows the broken line with its secret replaced.
#[test]
fn secrets_in_files_that_do_not_parse_are_not_shown() {
    let cases: &[(&str, &str)] = &[
        (
            "trailing_comma.json",
            r#"{"exporters": {"ocagent": {"headers": {"x-api": "CANARY01"},}}}"#,
        ),
        ("url.json", r#"{"u": "http://user:CANARY02@host/x",}"#),
        ("bare.json", r#"{"password": 12345678CANARY03}"#),
        ("unterminated.json", r#"{"password": "CANARY04"#),
        ("next_line.json", "{\"api_key\":\n\"CANARY05\" \"x\": 1}"),
        ("single_quotes.json", r#"{'password': 'CANARY06',}"#),
        ("array.json", r#"{"secret_access_key": ["CANARY07"], }"#),
        ("escaped_key.json", r#"{"pass\u0077ord": "CANARY08",}"#),
        (
            "comment.json",
            "{\n  \"a\": 1, // password: CANARY09\n  \"b\": 2\n}",
        ),
        (
            "shifted_quote.json",
            r#"{"a": "b, "password": "CANARY10", "c": 1}"#,
        ),
        ("query.json", r#"{"url": "http://h/x?token=CANARY11",,}"#),
        ("tag.json", r#"{"tags": ["apikey=CANARY12"],,}"#),
        ("crlf.json", "{\r\n\"password\": \"CANARY13\r\n}"),
    ];
    for (name, contents) in cases {
        let (dir, path) = temp_file(name, contents.as_bytes());
        for mode in [
            &["-v"][..],
            &["--write"],
            &["--format", "json"],
            &["--check"],
        ] {
            let mut args = vec!["migrate", "--color", "never"];
            args.extend_from_slice(mode);
            let output = crate::common::run_on(dir.path(), &args, name);
            assert_eq!(output.status.code(), Some(2), "{name}");
            let all = text(&output.stdout) + &text(&output.stderr);
            assert!(
                !all.contains("CANARY"),
                "{name} {mode:?} shows a secret:\n{all}"
            );
            assert!(all.contains(&format!("{name}:")) || all.contains(&format!("\"{name}\"")));
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), *contents);
    }
}

/// A diagnostic on the line of a secret shows the line redacted: a type
/// error next to a key, a secret of the wrong type itself.
#[test]
fn snippets_of_errors_next_to_secrets_are_redacted() {
    for (name, block) in [
        (
            "same_line.json",
            r#"{"sample_rate": "x", "exporters": {"xray": {"region": "eu-west-1", "secret_access_key": "CANARY20"}}}"#,
        ),
        (
            "number_password.json",
            r#"{"exporters": {"influxdb": {"address": "http://i:8086", "password": 987600001234}}}"#,
        ),
        (
            "headers_array.json",
            r#"{"exporters": {"ocagent": {"address": "a:1", "headers": ["Bearer CANARY21"]}}}"#,
        ),
    ] {
        let config =
            format!("{{\"version\": 3, \"extra_config\": {{\"telemetry/opencensus\": {block}}}}}");
        let (dir, path) = temp_file(name, config.as_bytes());
        for format in ["human", "json"] {
            let output = run(
                dir.path(),
                &[
                    "migrate",
                    "-v",
                    "--collector",
                    "contrib",
                    "--format",
                    format,
                    name,
                ],
            );
            assert_eq!(
                output.status.code(),
                Some(2),
                "{name}: {}",
                text(&output.stderr)
            );
            let all = text(&output.stdout) + &text(&output.stderr);
            for canary in ["CANARY20", "CANARY21", "987600001234"] {
                assert!(!all.contains(canary), "{name} shows {canary}:\n{all}");
            }
            if format == "human" {
                assert!(all.contains("<redacted>"), "{all}");
            }
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), config);
    }
}

/// Issue 12, points 1 to 8: each shape in a file of its own with its own
/// canary, run in every format and mode (and `explain`, and `--write`):
/// the canary is in no output stream and in no file written next to the
/// config.
const SHAPES: &[(&str, &str, &str)] = &[
    // 1. User info with characters RFC 3986 allows there (and a few more).
    (
        "p1_comma.json",
        "CANARY12_1A",
        "{\"version\": 3,\n \"endpoints\": [{\"endpoint\": \"/x\", \"backend\": [{\"host\": [\"http://svc:Pa,ss-CANARY12_1A@search:9200\"]}]}],\n \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\"xray\": {\"region\": \"eu\"}}}}}\n",
    ),
    (
        "p1_paren.json",
        "CANARY12_1B",
        "{\"version\": 3,\n \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\"zipkin\": {\"collector_url\": \"https://svc:x(CANARY12_1B@zipkin:9411/api/v2/spans\", \"service_name\": \"k\"}}}}}\n",
    ),
    (
        "p1_chars.json",
        "CANARY12_1C",
        "{\"version\": 3,\n \"s\": \"http://svc:a'b[c{d\\\"e f CANARY12_1C@h:9200\",\n \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\"xray\": {\"region\": \"eu\"}}}}}\n",
    ),
    (
        "p1_broken.json",
        "CANARY12_1D",
        "{\"version\": 3,\n \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\"zipkin\": {\"collector_url\": \"https://svc:x(CANARY12_1D@zipkin:9411/x\",,}}}}}\n",
    ),
    // 2. A template action in a credential's place.
    (
        "p2.tmpl",
        "CANARY12_2A",
        "{\n  \"version\": 3,\n  \"extra_config\": {\n    \"telemetry/opencensus\": {\n      \"exporters\": {\n        \"xray\": {\"region\": \"eu-west-1\", \"secret_access_key\": \"{{ env \"AWS_SECRET_ACCESS_KEY\" | default \"wJalrCANARY12_2AKEY\" }}\"}\n      }\n    }\n  }\n}\n",
    ),
    // 3. A config embedded in a string (an SSM parameter).
    (
        "p3.json",
        "CANARY12_3A",
        "{\"version\": 3,\n \"parameters\": {\"ssm\": \"{\\\"version\\\": 3, \\\"extra_config\\\": {\\\"telemetry/opencensus\\\": {\\\"exporters\\\": {\\\"xray\\\": {\\\"region\\\": \\\"eu\\\", \\\"secret_access_key\\\": \\\"CANARY12_3A\\\"}}}}}\"}}\n",
    ),
    // 4. Query and fragment parameters named as the server decodes them.
    (
        "p4.json",
        "CANARY12_4",
        "{\"version\": 3,\n \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\n  \"influxdb\": {\"address\": \"http://influx:8086/?u=writer&%70=CANARY12_4A\", \"db\": \"k\"},\n  \"zipkin\": {\"collector_url\": \"http://zipkin:9411/api/v2/spans?to%6Ben=CANARY12_4B&token[]=CANARY12_4C#access_token=CANARY12_4D\", \"service_name\": \"k\"}}}}}\n",
    ),
    // 5. YAML aliases: a scalar anchor as a password, headers by alias.
    (
        "p5.yaml",
        "CANARY12_5",
        "version: 3\nshared:\n  hdrs: &hdrs\n    x-custom: CANARY12_5B\n  pw: &pw CANARY12_5A\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      influxdb:\n        address: http://influx:8086\n        db: k\n        password: *pw\n      ocagent:\n        address: agent:55678\n        headers: *hdrs\n",
    ),
    // 6. Files that do not parse, the secret on the error's line.
    (
        "p6_nbsp.json",
        "CANARY12_6A",
        "{\"version\": 3, \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\"influxdb\": {\"password\":\u{a0}\"CANARY12_6A\"}}}}}\n",
    ),
    // In YAML the line parses: the key is `password:` and the secret.
    (
        "p6_nbsp.yaml",
        "CANARY12_6G",
        "version: 3\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      influxdb:\n        address: http://i:8086\n        db: k\n        password:\u{a0}CANARY12_6G: x\n",
    ),
    (
        "p6_colons.json",
        "CANARY12_6B",
        "{\"version\": 3, \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\"influxdb\": {\"password\":: \"CANARY12_6B\"}}}}}\n",
    ),
    (
        "p6_word.json",
        "CANARY12_6C",
        "{\"version\": 3, \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\"influxdb\": {\"password\": oops \"CANARY12_6C\"}}}}}\n",
    ),
    (
        "p6_comment.yaml",
        "CANARY12_6D",
        "version: 3\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      influxdb:\n        password: # the password\n          CANARY12_6D: x: y\n",
    ),
    (
        "p6_quoted.yaml",
        "CANARY12_6E",
        "version: 3\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      influxdb:\n        password: \"first\n          CANARY12_6E\" junk\n",
    ),
    (
        "p6_multiline.toml",
        "CANARY12_6F",
        "version = 3\n[extra_config.\"telemetry/opencensus\".exporters.influxdb]\npassword = \"\"\"first\nCANARY12_6F\"\"\" junk\n",
    ),
    // 7. A template variable named like a credential, next to the block.
    (
        "p7.tmpl",
        "CANARY12_7A",
        "{\n  \"version\": 3,\n  {{ $api_token := \"CANARY12_7A\" }}\n  \"extra_config\": {\n    \"telemetry/opencensus\": {\"sample_rate\": 100, \"exporters\": {\"xray\": {\"region\": \"eu-west-1\"}}}\n  }\n}\n",
    ),
    // 8. Messages that quoted keys or values the policy calls secrets.
    (
        "p8_messages.json",
        "CANARY12_8",
        "{\"version\": 3,\n \"extra_config\": {\"telemetry/opencensus\": {\"sample_rate\": 100, \"apikey=CANARY12_8L\": 1, \"exporters\": {\n  \"token=CANARY12_8M\": {},\n  \"zipkin\": {\"collector_url\": \"http://zipkin:9411/api/v2/spans\", \"service_name\": \"apikey=CANARY12_8O\"},\n  \"xray\": {\"region\": \"eu-west-1\", \"version\": \"token=CANARY12_8P\"},\n  \"prometheus\": {\"port\": 9091, \"namespace\": \"token=CANARY12_8Q\"},\n  \"datadog\": {\"global_tags\": {\"apikey=CANARY12_8K\": \"x\"}}}}},\n \"endpoints\": [{\"endpoint\": \"/x\", \"extra_config\": {\"telemetry/opencensus\": {\"path_aggregation\": \"token=CANARY12_8N\"}}, \"backend\": [{\"host\": [\"h\"]}]}]}\n",
    ),
    (
        "p8_martian.json",
        "CANARY12_8H",
        "{\"version\": 3,\n \"extra_config\": {\n  \"modifier/martian\": {\"header.Modifier\": {\"scope\": [\"request\"], \"name\": \"Authorization\", \"value\": \"Basic CANARY12_8H\"}},\n  \"telemetry/opencensus\": {\"exporters\": {\"xray\": {\"region\": \"eu\"}}}}}\n",
    ),
    (
        "p8_comment.yaml",
        "CANARY12_8I",
        "version: 3\nextra_config:\n  # password: CANARY12_8I\n  telemetry/opencensus:\n    exporters:\n      xray:\n        region: eu\n",
    ),
    // A comment that goes with the legacy block is quoted (OC025).
    (
        "p8_dropped.yaml",
        "CANARY12_8R",
        "version: 3\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      xray:\n        # password: CANARY12_8R\n        region: eu\n",
    ),
    (
        "p8_comment.toml",
        "CANARY12_8J",
        "version = 3\n\n# password = \"CANARY12_8J\"\n[extra_config.\"telemetry/opencensus\"]\nsample_rate = 100\nexporters = { xray = { region = \"eu\" } }\n",
    ),
    // Escapes that make the value longer than its text before the secret
    // and shorter after it: offsets computed as if the literal were JSON
    // land 21 bytes away from the secret.
    (
        "p8_escapes.yaml",
        "CANARY12_8F",
        "version: 3\ns: \"@LS@http://u:CANARY12_8F@zipkin:9411/x@X@\"\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      xray:\n        region: eu\n",
    ),
    // A folded plain scalar: its text is two bytes longer than its value,
    // as a JSON string's is, and JSON arithmetic put the marker one byte
    // off.
    (
        "p8_folded.yaml",
        "CANARY12_8G",
        "version: 3\ns: http://u:CANARY12_8G@zipkin:9411/x\n  y\nextra_config:\n  telemetry/opencensus:\n    exporters:\n      xray:\n        region: eu\n",
    ),
];

/// What each mode prints, for one shape: no canary anywhere, and none in
/// any file but the config itself after `--write`. Returns where the
/// canary was seen.
fn shape_leaks(name: &str, canary: &str, contents: &str) -> Vec<String> {
    let mut leaks = Vec::new();
    let (dir, _) = temp_file(name, contents.as_bytes());
    let contrib = ["--collector", "contrib", "--color", "never"];
    for mode in [
        &[][..],
        &["-v"],
        &["--check", "-v"],
        &["--format", "json", "-v"],
        &["--format", "sarif"],
        &["--format", "github", "-v"],
        &["--write", "-v"],
    ] {
        let mut args = vec!["migrate"];
        args.extend_from_slice(&contrib);
        args.extend_from_slice(mode);
        args.push(name);
        let output = run(dir.path(), &args);
        let all = text(&output.stdout) + &text(&output.stderr);
        assert!(!all.contains("panicked"), "{name} {mode:?}: {all}");
        if all.contains(canary) {
            leaks.push(format!("{name} {mode:?} shows {canary}:\n{all}"));
        }
    }
    for format in ["human", "json"] {
        let explain = run(dir.path(), &["explain", "--format", format, name]);
        let all = text(&explain.stdout) + &text(&explain.stderr);
        if all.contains(canary) {
            leaks.push(format!(
                "{name} explain --format {format} shows {canary}:\n{all}"
            ));
        }
    }
    for entry in fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != name {
            let written = fs::read_to_string(&path).unwrap();
            if written.contains(canary) {
                leaks.push(format!("{canary} written to {path:?}:\n{written}"));
            }
        }
    }
    leaks
}

#[test]
fn every_shape_of_issue_12_is_hidden_in_every_format() {
    let mut leaks = Vec::new();
    for (name, canary, contents) in SHAPES {
        let contents = contents
            .replace("@LS@", &"\\L".repeat(21))
            .replace("@X@", &"\\x41".repeat(7));
        leaks.extend(shape_leaks(name, canary, &contents));
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n\n"));
}

/// Point 4: the collector config never receives a credential-bearing
/// query or fragment parameter, and each is said to be rotated (OC401).
#[test]
fn credential_parameters_never_reach_the_collector_config() {
    let (name, _, contents) = SHAPES.iter().find(|s| s.0 == "p4.json").unwrap();
    let (dir, _) = temp_file(name, contents.as_bytes());
    let output = run(
        dir.path(),
        &[
            "migrate",
            "--collector",
            "contrib",
            "--write",
            "--format",
            "json",
            name,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let collector = fs::read_to_string(dir.path().join("p4.otel-collector.yaml")).unwrap();
    assert!(
        collector.contains("endpoint: \"http://influx:8086/?u=writer\""),
        "{collector}"
    );
    assert!(
        collector.contains("endpoint: http://zipkin:9411/api/v2/spans\n"),
        "{collector}"
    );
    for gone in ["%70", "to%6Ben", "token[]", "access_token", "CANARY"] {
        assert!(!collector.contains(gone), "{gone} in\n{collector}");
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rotate: Vec<String> = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "OC401")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    for param in ["%70", "to%6Ben", "token[]", "access_token"] {
        assert!(
            rotate.iter().any(|m| m.contains(&format!("`{param}=`"))),
            "no OC401 for {param}: {rotate:#?}"
        );
    }
}

/// Point 1: `verify` shows no user info of a legacy config it cannot
/// read (a type error on the line of the URL).
#[test]
fn verify_errors_show_no_user_info() {
    let legacy = "{\"version\": 3, \"extra_config\": {\"telemetry/opencensus\": {\"exporters\": {\"zipkin\": {\n  \"collector_url\": \"https://svc:x(CANARY12_1E@zipkin:9411/x\", \"service_name\": 5}}}}}\n";
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("old.json"), legacy).unwrap();
    fs::write(dir.path().join("new.json"), "{\"version\": 3}\n").unwrap();
    for format in ["human", "json"] {
        let output = run(
            dir.path(),
            &["verify", "--format", format, "old.json", "new.json"],
        );
        let all = text(&output.stdout) + &text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{all}");
        assert!(all.contains("old.json"), "{all}");
        assert!(!all.contains("CANARY12_1E"), "{all}");
    }
}
