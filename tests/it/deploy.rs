//! `migrate --emit-deploy compose|ecs|k8s`, as users drive it: each
//! snippet parses, names the collector config that was written beside it,
//! exposes the OTLP and health ports, carries the environment KrakenD and
//! the collector need, and never a credential value; it is previewed as a
//! diff, written with `--write`, and never written over a different file.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{bin, fixture, snapshot_settings, temp_file};
use serde::Deserialize;
use serde_json::{Value, json};

const XRAY: &str = "rules/xray_docs.json";
const INFLUX: &str = "rules/influxdb.json";
const CANARIES: [&str; 3] = [
    "AKIAFIXTURECANARY01",
    "fixture/canary+secret/value0001",
    "influx-canary-password-0001",
];
const ADOT_IMAGE: &str = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0";
const CONFIG_ARG: &str = "--config=/etc/otel/krakend.otel-collector.yaml";

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap()
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

/// Every YAML document of a file.
fn yaml_documents(text: &str) -> Vec<Value> {
    yaml_serde::Deserializer::from_str(text)
        .map(|doc| Value::deserialize(doc).expect("a YAML document"))
        .collect()
}

/// Names that hold credentials.
fn secretish(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "SECRET",
        "PASSWORD",
        "TOKEN",
        "ACCESS_KEY",
        "USERNAME",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

/// Every place a snippet could hold a credential value: `NAME=value`
/// strings, `{name, value}` pairs (ECS, Kubernetes) and `NAME: value`
/// maps. Names alone (pass-through) and references (`valueFrom`,
/// `secretKeyRef`) are fine.
fn credential_literals(value: &Value, at: &str, found: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if let Some((name, v)) = s.split_once('=')
                && secretish(name)
                && !v.is_empty()
            {
                found.push(format!("{at}: {s}"));
            }
        }
        Value::Object(map) => {
            if let (Some(Value::String(name)), Some(v)) = (map.get("name"), map.get("value"))
                && secretish(name)
            {
                found.push(format!("{at}: {name}={v}"));
            }
            for (k, v) in map {
                if secretish(k) && (v.is_string() || v.is_number()) {
                    found.push(format!("{at}.{k}: {v}"));
                }
                credential_literals(v, &format!("{at}.{k}"), found);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                credential_literals(v, &format!("{at}[{i}]"), found);
            }
        }
        _ => {}
    }
}

fn assert_no_credentials(snippet: &str, parsed: &[Value]) {
    for canary in CANARIES {
        assert!(!snippet.contains(canary), "the snippet leaks {canary}");
    }
    let mut found = Vec::new();
    for doc in parsed {
        credential_literals(doc, "", &mut found);
    }
    assert!(found.is_empty(), "credential values: {found:?}");
}

#[test]
fn the_credential_check_can_fail() {
    let mut found = Vec::new();
    let leaky = json!({
        "environment": ["AWS_SECRET_ACCESS_KEY=abc", "AWS_ACCESS_KEY_ID"],
        "env": [{"name": "INFLUXDB_PASSWORD", "value": "x"}],
        "map": {"AWS_SESSION_TOKEN": "y"}
    });
    credential_literals(&leaky, "", &mut found);
    assert_eq!(found.len(), 3, "{found:?}");
}

/// Migrate the X-Ray fixture with `--write --emit-deploy PLATFORM` and
/// return the directory, the snippet and the collector config written.
fn write_with(platform: &str, extra: &[&str]) -> (tempfile::TempDir, String, String) {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    // -v: the snippet's info, with its help, is shown.
    let mut args = vec!["migrate", "--write", "-v", "--emit-deploy", platform];
    args.extend_from_slice(extra);
    args.push("krakend.json");
    let out = run_in(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for canary in CANARIES {
        assert!(!text(&out.stdout).contains(canary) && !text(&out.stderr).contains(canary));
    }
    let ext = if platform == "ecs" { "json" } else { "yaml" };
    let name = format!("krakend.deploy.{platform}.{ext}");
    assert_eq!(
        files_in(dir.path()),
        [name.as_str(), "krakend.json", "krakend.otel-collector.yaml"]
    );
    assert!(
        text(&out.stderr).contains(&format!("snippet for the collector sidecar: {name}")),
        "{}",
        text(&out.stderr)
    );
    let snippet = fs::read_to_string(dir.path().join(&name)).unwrap();
    let collector = fs::read_to_string(dir.path().join("krakend.otel-collector.yaml")).unwrap();
    (dir, snippet, collector)
}

fn env_list(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|e| e.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn compose_runs_the_collector_next_to_krakend() {
    let (dir, snippet, _) = write_with(
        "compose",
        &["--metrics", "emf", "--otlp-endpoint", "adot-collector:4317"],
    );
    let docs = yaml_documents(&snippet);
    assert_eq!(docs.len(), 1);
    assert_no_credentials(&snippet, &docs);
    let services = &docs[0]["services"];
    let collector = &services["adot-collector"];
    assert_eq!(collector["image"], ADOT_IMAGE);
    assert_eq!(collector["command"], json!([CONFIG_ARG]));
    // The volume names the file that was written, relative to the snippet.
    let volume = collector["volumes"][0].as_str().unwrap();
    let (source, target) = volume.split_once(':').unwrap();
    assert!(dir.path().join(source).is_file(), "{volume}");
    assert_eq!(target, "/etc/otel/krakend.otel-collector.yaml:ro");
    assert_eq!(collector["expose"], json!(["4317", "13133"]));
    assert_eq!(
        collector["healthcheck"]["test"],
        json!(["CMD", "/healthcheck"])
    );
    assert_eq!(
        env_list(&collector["environment"]),
        [
            "AWS_REGION=eu-west-1",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN"
        ]
    );
    let krakend = &services["krakend"];
    assert_eq!(
        env_list(&krakend["environment"]),
        [
            "OTEL_PROPAGATORS=tracecontext,baggage,b3multi",
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta"
        ]
    );
    assert_eq!(
        krakend["depends_on"]["adot-collector"]["condition"],
        "service_healthy"
    );
    let config_volume = krakend["volumes"][0].as_str().unwrap();
    assert!(
        dir.path()
            .join(config_volume.split_once(':').unwrap().0)
            .is_file()
    );
    assert_eq!(
        krakend["command"],
        json!(["run", "-c", "/etc/krakend/krakend.json"])
    );
    // And the migrated config points at that service.
    let migrated: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("krakend.json")).unwrap())
            .unwrap();
    let otlp = &migrated["extra_config"]["telemetry/opentelemetry"]["exporters"]["otlp"][0];
    assert_eq!(
        (otlp["host"].as_str(), otlp["port"].as_u64()),
        (Some("adot-collector"), Some(4317))
    );
    snapshot_settings().bind(|| insta::assert_snapshot!("deploy_compose", snippet));
}

#[test]
fn ecs_is_a_task_definition_with_the_collector_healthy_first() {
    let (_dir, snippet, _) = write_with("ecs", &["--metrics", "emf"]);
    let task: Value = serde_json::from_str(&snippet).expect("the ECS snippet is JSON");
    assert_no_credentials(&snippet, std::slice::from_ref(&task));
    assert_eq!(task["networkMode"], "awsvpc");
    assert_eq!(
        task["taskRoleArn"],
        "arn:aws:iam::<account-id>:role/<task-role>"
    );
    let containers = task["containerDefinitions"].as_array().unwrap();
    let krakend = containers.iter().find(|c| c["name"] == "krakend").unwrap();
    let collector = containers
        .iter()
        .find(|c| c["name"] == "adot-collector")
        .unwrap();
    assert_eq!(collector["image"], ADOT_IMAGE);
    let command = collector["command"][0].as_str().unwrap();
    assert!(
        command.starts_with("--config=s3://<config-bucket>.s3.eu-west-1.amazonaws.com/")
            && command.ends_with("/krakend.otel-collector.yaml"),
        "{command}"
    );
    let ports: Vec<u64> = collector["portMappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["containerPort"].as_u64().unwrap())
        .collect();
    assert_eq!(ports, [4317, 13133]);
    assert_eq!(
        collector["environment"],
        json!([{"name": "AWS_REGION", "value": "eu-west-1"}])
    );
    assert_eq!(
        collector["healthCheck"]["command"],
        json!(["CMD", "/healthcheck"])
    );
    assert_eq!(
        krakend["dependsOn"],
        json!([{"containerName": "adot-collector", "condition": "HEALTHY"}])
    );
    let env: Vec<&str> = krakend["environment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        env,
        [
            "OTEL_PROPAGATORS",
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"
        ]
    );
    snapshot_settings().bind(|| insta::assert_snapshot!("deploy_ecs", snippet));
}

#[test]
fn k8s_is_a_deployment_with_the_sidecar_and_its_config_map() {
    let (_dir, snippet, collector_yaml) = write_with("k8s", &[]);
    let docs = yaml_documents(&snippet);
    assert_no_credentials(&snippet, &docs);
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ServiceAccount", "ConfigMap", "Deployment"]);
    assert_eq!(
        docs[0]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        "arn:aws:iam::<account-id>:role/<collector-role>"
    );
    // The ConfigMap holds exactly the collector config that was written.
    assert_eq!(
        docs[1]["data"]["krakend.otel-collector.yaml"].as_str(),
        Some(collector_yaml.as_str())
    );
    let pod = &docs[2]["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "krakend");
    let containers = pod["containers"].as_array().unwrap();
    let collector = containers
        .iter()
        .find(|c| c["name"] == "adot-collector")
        .unwrap();
    assert_eq!(collector["image"], ADOT_IMAGE);
    assert_eq!(collector["args"], json!([CONFIG_ARG]));
    let ports: Vec<u64> = collector["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["containerPort"].as_u64().unwrap())
        .collect();
    assert_eq!(ports, [4317, 13133]);
    assert_eq!(collector["readinessProbe"]["httpGet"]["port"], 13133);
    assert_eq!(
        collector["env"],
        json!([{"name": "AWS_REGION", "value": "eu-west-1"}])
    );
    // The ConfigMap is mounted where --config looks.
    let mount = &collector["volumeMounts"][0];
    assert_eq!(mount["mountPath"], "/etc/otel");
    let volume = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .unwrap();
    assert_eq!(volume["configMap"]["name"], docs[1]["metadata"]["name"]);
    let krakend = containers.iter().find(|c| c["name"] == "krakend").unwrap();
    assert_eq!(
        krakend["env"],
        json!([{"name": "OTEL_PROPAGATORS", "value": "tracecontext,baggage,b3multi"}])
    );
    snapshot_settings().bind(|| insta::assert_snapshot!("deploy_k8s", snippet));
}

#[test]
fn krakend_gets_otel_propagators_only_where_it_is_honoured() {
    for (version, expected) in [
        ("2.10", None),
        ("2.11", Some("tracecontext,baggage,b3multi")),
    ] {
        let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
        let out = run_in(
            dir.path(),
            &[
                "migrate",
                "--emit-deploy",
                "k8s",
                "--write",
                "--krakend-version",
                version,
                "krakend.json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let snippet = fs::read_to_string(dir.path().join("krakend.deploy.k8s.yaml")).unwrap();
        let docs = yaml_documents(&snippet);
        let krakend = docs[2]["spec"]["template"]["spec"]["containers"][0].clone();
        assert_eq!(krakend["image"], format!("krakend:{version}"));
        let propagators = krakend["env"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == "OTEL_PROPAGATORS")
            .map(|e| e["value"].as_str().unwrap().to_string());
        assert_eq!(propagators.as_deref(), expected, "KrakenD {version}");
    }
}

#[test]
fn the_otlp_endpoint_must_reach_the_snippets_collector() {
    let cases: [(&str, &[&str], Option<&str>); 5] = [
        // Compose: localhost is KrakenD's own container.
        ("compose", &[], Some("--otlp-endpoint adot-collector:4317")),
        ("compose", &["--otlp-endpoint", "adot-collector:4317"], None),
        // A host that can be a service name becomes the service's name.
        ("compose", &["--otlp-endpoint", "otel:4319"], None),
        // ECS and Kubernetes sidecars share KrakenD's network namespace.
        ("ecs", &[], None),
        (
            "k8s",
            &["--otlp-endpoint", "collector.internal:4317"],
            Some("--otlp-endpoint localhost:4317"),
        ),
    ];
    for (platform, extra, advice) in cases {
        let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
        let mut args = vec!["migrate", "--emit-deploy", platform];
        args.extend_from_slice(extra);
        args.push("krakend.json");
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        match advice {
            Some(advice) => assert!(
                stderr.contains("warning[OC602]") && stderr.contains(advice),
                "{platform} {extra:?}: {stderr}"
            ),
            None => assert!(!stderr.contains("OC602"), "{platform} {extra:?}: {stderr}"),
        }
    }
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "--write",
            "--emit-deploy",
            "compose",
            "--otlp-endpoint",
            "otel:4319",
            "krakend.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let snippet = fs::read_to_string(dir.path().join("krakend.deploy.compose.yaml")).unwrap();
    let docs = yaml_documents(&snippet);
    assert_eq!(
        docs[0]["services"]["otel"]["expose"],
        json!(["4319", "13133"])
    );
}

#[test]
fn preview_shows_the_snippet_as_a_diff_and_writes_nothing() {
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let before = fs::read(&path).unwrap();
    let out = run_in(
        dir.path(),
        &["migrate", "--emit-deploy", "k8s", "krakend.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("--- /dev/null\n+++ b/krakend.deploy.k8s.yaml\n"),
        "{stdout}"
    );
    assert!(stdout.contains("+kind: Deployment"));
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(files_in(dir.path()), ["krakend.json"]);
}

#[test]
fn a_different_snippet_in_the_way_is_never_overwritten() {
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let before = fs::read(&path).unwrap();
    let snippet = dir.path().join("krakend.deploy.compose.yaml");
    fs::write(&snippet, "services: {}\n").unwrap();
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "--write",
            "--emit-deploy",
            "compose",
            "krakend.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error[OC603]"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(fs::read_to_string(&snippet).unwrap(), "services: {}\n");
    assert_eq!(
        files_in(dir.path()),
        ["krakend.deploy.compose.yaml", "krakend.json"]
    );

    // The same contents are no obstacle (a rerun after a partial write).
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let first = run_in(
        dir.path(),
        &["migrate", "--emit-deploy", "compose", "krakend.json"],
    );
    let text_of = |stdout: &str| -> String {
        stdout
            .split("+++ b/krakend.deploy.compose.yaml\n")
            .nth(1)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| format!("{}\n", l.strip_prefix('+').unwrap()))
            .collect()
    };
    fs::write(
        dir.path().join("krakend.deploy.compose.yaml"),
        text_of(&text(&first.stdout)),
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "--write",
            "--emit-deploy",
            "compose",
            "krakend.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// Something other than a file in the snippet's place (here a FIFO, which
/// a plain open would wait on forever for a writer) is refused at once, as
/// the collector config's place is: an error, and the config unchanged.
#[cfg(unix)]
#[test]
fn a_fifo_in_the_snippets_place_is_refused_without_hanging() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let before = fs::read(&path).unwrap();
    let fifo = dir.path().join("krakend.deploy.compose.yaml");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let start = Instant::now();
    let mut child = bin()
        .current_dir(dir.path())
        .args(["--color", "never", "migrate", "--write"])
        .args(["--emit-deploy", "compose", "krakend.json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("oc2otel hangs on a FIFO in the snippet's place");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[OC603]") && stderr.contains("a named pipe (FIFO)"),
        "{stderr}"
    );
    assert_eq!(fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("krakend.otel-collector.yaml").exists());
}

/// `--collector-out` naming the deploy snippet's own path: one file, two
/// contents. Refused before anything is written (before, the collector
/// config was written there, then the snippet failed, and a stray file
/// stayed behind).
#[test]
fn a_collector_out_on_the_snippets_path_is_refused_before_any_write() {
    let (dir, path) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    let before = fs::read(&path).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "--write",
            "--emit-deploy",
            "compose",
            "--collector-out",
            "krakend.deploy.compose.yaml",
            "krakend.json",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[OC603]")
            && stderr.contains(
                "krakend.deploy.compose.yaml is also the collector config of krakend.json"
            ),
        "{stderr}"
    );
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(files_in(dir.path()), ["krakend.json"]);
}

#[test]
fn no_snippet_without_a_collector_or_a_file() {
    // Jaeger is reached directly: no collector, no sidecar.
    let (dir, _) = temp_file(
        "krakend.json",
        fixture("rules/jaeger_https.json").as_bytes(),
    );
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "--write",
            "-v",
            "--emit-deploy",
            "compose",
            "krakend.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("no Docker Compose snippet"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(files_in(dir.path()), ["krakend.json"]);

    let out = crate::common::abin()
        .args([
            "migrate",
            "-v",
            "--color",
            "never",
            "--emit-deploy",
            "ecs",
            "-",
        ])
        .write_stdin(fixture(XRAY))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("not for standard input"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn contrib_snippets_pass_influxdb_credentials_by_reference_only() {
    for platform in ["compose", "ecs", "k8s"] {
        let (dir, _) = temp_file("krakend.json", fixture(INFLUX).as_bytes());
        let out = run_in(
            dir.path(),
            &[
                "migrate",
                "--write",
                "--collector",
                "contrib",
                "--otlp-endpoint",
                "otel-collector:4317",
                "--emit-deploy",
                platform,
                "krakend.json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let ext = if platform == "ecs" { "json" } else { "yaml" };
        let snippet =
            fs::read_to_string(dir.path().join(format!("krakend.deploy.{platform}.{ext}")))
                .unwrap();
        let docs = if platform == "ecs" {
            vec![serde_json::from_str(&snippet).unwrap()]
        } else {
            yaml_documents(&snippet)
        };
        assert_no_credentials(&snippet, &docs);
        assert!(snippet.contains("otel/opentelemetry-collector-contrib:0.156.0"));
        assert!(
            !snippet.contains("/healthcheck"),
            "{platform}: the contrib image has no probe"
        );
        match platform {
            "compose" => {
                let collector = &docs[0]["services"]["otel-collector"];
                assert_eq!(
                    env_list(&collector["environment"]),
                    ["INFLUXDB_USERNAME", "INFLUXDB_PASSWORD"]
                );
                assert_eq!(
                    docs[0]["services"]["krakend"]["depends_on"]["otel-collector"]["condition"],
                    "service_started"
                );
            }
            "ecs" => {
                let collector = &docs[0]["containerDefinitions"][1];
                let secrets = collector["secrets"].as_array().unwrap();
                assert_eq!(secrets.len(), 2);
                assert!(secrets.iter().all(|s| {
                    s["valueFrom"]
                        .as_str()
                        .unwrap()
                        .starts_with("arn:aws:secretsmanager:")
                }));
                assert!(docs[0]["executionRoleArn"].is_string());
                assert_eq!(
                    docs[0]["containerDefinitions"][0]["dependsOn"][0]["condition"],
                    "START"
                );
            }
            _ => {
                let collector = &docs[1]["spec"]["template"]["spec"]["containers"][1];
                let env = collector["env"].as_array().unwrap();
                assert!(
                    env.iter()
                        .all(|e| e["valueFrom"]["secretKeyRef"]["name"] == "influxdb-credentials")
                );
                assert_eq!(env.len(), 2);
            }
        }
    }
}

#[test]
fn a_collector_config_elsewhere_is_mounted_from_where_it_is() {
    let (dir, _) = temp_file("krakend.json", fixture(XRAY).as_bytes());
    fs::create_dir(dir.path().join("otel")).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "migrate",
            "--write",
            "--emit-deploy",
            "compose",
            "--collector-out",
            "otel/adot.yaml",
            "krakend.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let snippet = fs::read_to_string(dir.path().join("krakend.deploy.compose.yaml")).unwrap();
    let docs = yaml_documents(&snippet);
    let collector = &docs[0]["services"]["adot-collector"];
    assert_eq!(
        collector["command"],
        json!(["--config=/etc/otel/adot.yaml"])
    );
    let volume = collector["volumes"][0].as_str().unwrap();
    let source = volume.strip_suffix(":/etc/otel/adot.yaml:ro").unwrap();
    assert!(
        Path::new(source).is_absolute() && Path::new(source).is_file(),
        "{volume}"
    );
}

#[test]
fn without_a_region_compose_asks_the_shell_and_the_others_say_so() {
    // Prometheus only, with --metrics emf: the collector exports to
    // CloudWatch, and no legacy field names a region.
    for (platform, ext) in [("compose", "yaml"), ("ecs", "json"), ("k8s", "yaml")] {
        let (dir, _) = temp_file(
            "krakend.json",
            fixture("rules/emf_prometheus_only.json").as_bytes(),
        );
        let out = run_in(
            dir.path(),
            &[
                "migrate",
                "--write",
                "-v",
                "--metrics",
                "emf",
                "--emit-deploy",
                platform,
                "krakend.json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("warning[OC503]"), "{stderr}");
        let snippet =
            fs::read_to_string(dir.path().join(format!("krakend.deploy.{platform}.{ext}")))
                .unwrap();
        match platform {
            "compose" => {
                let docs = yaml_documents(&snippet);
                let env = env_list(&docs[0]["services"]["adot-collector"]["environment"]);
                assert!(env[0].starts_with("AWS_REGION=${AWS_REGION:?"), "{env:?}");
            }
            "ecs" => {
                let task: Value = serde_json::from_str(&snippet).unwrap();
                assert_eq!(
                    task["containerDefinitions"][1]["environment"],
                    json!([{"name": "AWS_REGION", "value": "<region>"}])
                );
                assert!(stderr.contains("fill in <account-id>, <task-role>, <execution-role>, <krakend-image>, <region>, <config-bucket>"), "{stderr}");
            }
            _ => {
                let docs = yaml_documents(&snippet);
                let collector = &docs[2]["spec"]["template"]["spec"]["containers"][1];
                assert_eq!(
                    collector["env"],
                    json!([{"name": "AWS_REGION", "value": "<region>"}])
                );
            }
        }
    }
}

/// Two services of one repository: their snippets merge into one compose
/// file, one namespace or one account without a name in common (each
/// name carries the service, from the config's `name` or its folder),
/// and each collector config puts `memory_limiter` first and has a memory
/// limit to take its percentage of.
#[test]
fn snippets_of_two_services_coexist() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for service in ["orders", "payments"] {
        fs::create_dir_all(d.join("services").join(service)).unwrap();
        fs::write(
            d.join(format!("services/{service}/krakend.json")),
            fixture(XRAY),
        )
        .unwrap();
    }
    // A config's own `name` wins over its folder's.
    let named = fixture(XRAY).replacen("{", "{\n  \"name\": \"Payments API\",", 1);
    fs::write(d.join("services/payments/krakend.json"), named).unwrap();
    for platform in ["compose", "k8s", "ecs"] {
        let out = run_in(
            d,
            &[
                "migrate",
                "--write",
                "--allow-dirty",
                "--emit-deploy",
                platform,
                ".",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let ext = if platform == "ecs" { "json" } else { "yaml" };
        let read = |service: &str| {
            fs::read_to_string(d.join(format!(
                "services/{service}/krakend.deploy.{platform}.{ext}"
            )))
            .unwrap()
        };
        let names = |snippet: &str| -> Vec<String> {
            match platform {
                "compose" => yaml_documents(snippet)[0]["services"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect(),
                "k8s" => yaml_documents(snippet)
                    .iter()
                    .map(|doc| format!("{}/{}", doc["kind"], doc["metadata"]["name"]))
                    .collect(),
                _ => {
                    let task: Value = serde_json::from_str(snippet).unwrap();
                    vec![task["family"].as_str().unwrap().to_string()]
                }
            }
        };
        let (orders, payments) = (names(&read("orders")), names(&read("payments")));
        assert!(!orders.is_empty() && !payments.is_empty());
        for name in &orders {
            assert!(!payments.contains(name), "{platform}: {name} in both");
        }
        assert!(
            orders.iter().any(|n| n.contains("krakend-orders")),
            "{orders:?}"
        );
        assert!(
            payments.iter().any(|n| n.contains("krakend-payments-api")),
            "{payments:?}"
        );
        // Restore the legacy configs for the next platform.
        for service in ["orders", "payments"] {
            let config = d.join(format!("services/{service}/krakend.json"));
            let legacy = if service == "orders" {
                fixture(XRAY)
            } else {
                fixture(XRAY).replacen("{", "{\n  \"name\": \"Payments API\",", 1)
            };
            fs::write(&config, legacy).unwrap();
            let _ =
                fs::remove_file(d.join(format!("services/{service}/krakend.otel-collector.yaml")));
        }
    }
    let collector = crate::common::collector::problems(
        &fs::read_to_string(
            crate::common::manifest_dir()
                .join("tests/fixtures/verify/migrated.otel-collector.yaml"),
        )
        .unwrap(),
        "adot",
    );
    assert!(collector.is_empty(), "{collector:?}");
}

#[test]
fn snippets_set_resources_and_ecs_logs() {
    let (_dir, compose, _) = write_with("compose", &[]);
    let docs = yaml_documents(&compose);
    let collector = &docs[0]["services"]["adot-collector"];
    assert_eq!(collector["deploy"]["resources"]["limits"]["memory"], "512M");
    let (_dir, k8s, _) = write_with("k8s", &[]);
    let docs = yaml_documents(&k8s);
    for container in docs[2]["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
    {
        assert!(
            container["resources"]["requests"]["memory"].is_string(),
            "{container}"
        );
        assert!(
            container["resources"]["limits"]["memory"].is_string(),
            "{container}"
        );
    }
    let (_dir, ecs, _) = write_with("ecs", &[]);
    let task: Value = serde_json::from_str(&ecs).unwrap();
    for container in task["containerDefinitions"].as_array().unwrap() {
        assert_eq!(container["logConfiguration"]["logDriver"], "awslogs");
        assert!(container["memory"].is_number());
    }
    assert!(task["executionRoleArn"].is_string());
}
