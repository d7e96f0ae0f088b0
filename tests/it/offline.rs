//! What oc2otel never does with what it reads: it opens no network
//! connection, executes and renders nothing (templates, `$(...)`, `${...}`
//! stay text), and writes only the configs it was given and their
//! collector files.
//!
//! Three kinds of proof: the dependency graph has no network client at
//! all; with strace on the machine, a run that reads URLs, templates and
//! shell syntax makes no socket and no exec; and a run in a network
//! namespace with no interface works the same as one with the network.
//! Those two skip with a notice where the tool is missing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{bin, fixture};

/// A legacy config whose values look like things to fetch, run or expand.
const BAIT: &str = r#"{
  "$schema": "https://www.krakend.io/schema/v2.13/krakend.json",
  "version": 3,
  "name": "{{ env \"HOME\" }}",
  "extra_config": {
    "telemetry/opencensus": {
      "sample_rate": 100,
      "exporters": {
        "jaeger": {"endpoint": "http://jaeger.example.com:14268/api/traces", "service_name": "$(touch pwned-by-subshell)"},
        "zipkin": {"collector_url": "http://127.0.0.1:9411/api/v2/spans", "service_name": "`touch pwned-by-backticks`"},
        "xray": {"region": "${AWS_REGION}", "version": "{{ .version }}", "use_env": true}
      }
    }
  },
  "endpoints": [{"endpoint": "/{{ .x }}", "backend": [{"host": ["http://localhost:1"], "url_pattern": "/$(id)"}]}]
}
"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The run every test makes: `--write` on the bait, with the schemas when
/// present (their loader must resolve references locally too).
fn migrate_args(dir: &Path) -> Vec<String> {
    let mut args = vec![
        "migrate".to_string(),
        "--write".into(),
        "--collector".into(),
        "contrib".into(),
    ];
    if let Some(schemas) = crate::common::schema_dir() {
        args.push("--schema-dir".into());
        args.push(schemas.display().to_string());
    }
    args.push(dir.join("krakend.json").display().to_string());
    args
}

fn bait_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("krakend.json"), BAIT).unwrap();
    dir
}

#[test]
fn no_network_client_is_in_the_dependency_graph() {
    let lock = fs::read_to_string(crate::common::manifest_dir().join("Cargo.lock")).unwrap();
    let packages: Vec<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert!(
        packages.contains(&"jsonschema"),
        "Cargo.lock not read right"
    );
    for client in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "curl-sys",
        "isahc",
        "attohttpc",
        "surf",
        "h2",
        "http",
        "rustls",
        "native-tls",
        "openssl",
        "openssl-sys",
        "tokio",
        "async-std",
        "mio",
        "socket2",
        "trust-dns-resolver",
        "hickory-resolver",
    ] {
        assert!(
            !packages.contains(&client),
            "{client} is in Cargo.lock: oc2otel must not be able to open connections"
        );
    }
}

#[test]
fn templates_and_shell_syntax_are_copied_as_text_never_run_or_expanded() {
    let dir = bait_dir();
    let output = bin()
        .current_dir(dir.path())
        .env("HOME", "/expanded-home")
        .env("AWS_REGION", "expanded-region")
        .args(migrate_args(dir.path()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let migrated = fs::read_to_string(dir.path().join("krakend.json")).unwrap();
    let collector = fs::read_to_string(dir.path().join("krakend.otel-collector.yaml")).unwrap();
    for literal in [
        "{{ env \\\"HOME\\\" }}",
        "$(touch pwned-by-subshell)",
        "/{{ .x }}",
        "/$(id)",
        "{{ .version }}",
    ] {
        assert!(
            migrated.contains(literal),
            "{literal} not kept verbatim:\n{migrated}"
        );
    }
    assert!(collector.contains("${AWS_REGION}"), "{collector}");
    let all = format!(
        "{migrated}{collector}{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert!(!all.contains("expanded-home") && !all.contains("expanded-region"));
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with("pwned")), "{names:?}");
}

/// Every file under `dir`: path -> (bytes, modification time).
fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else {
                let bytes = fs::read(&path).unwrap_or_default();
                files.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    (bytes, meta.modified().unwrap()),
                );
            }
        }
    }
    files
}

#[test]
fn only_the_given_configs_and_their_collector_files_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("other/deeper")).unwrap();
    for (name, contents) in [
        ("krakend.json", fixture("rules/xray_docs.json")),
        ("sibling.json", fixture("rules/prometheus.json")),
        (
            "other/deeper/krakend.json",
            fixture("rules/jaeger_agent.json"),
        ),
        ("other/given.json", fixture("rules/xray_use_env.json")),
        ("other/datadog.json", fixture("rules/datadog.json")),
        ("README.md", "notes".to_string()),
        (".gitignore", "*.yaml".to_string()),
    ] {
        fs::write(d.join(name), contents).unwrap();
    }
    let before = tree(d);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let output = bin()
        .current_dir(d)
        .args(["migrate", "--write", "krakend.json", "other/given.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let after = tree(d);
    let changed: Vec<String> = after
        .iter()
        .filter(|(path, now)| before.get(*path) != Some(now))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert_eq!(
        changed,
        [
            "krakend.json",
            "krakend.otel-collector.yaml",
            "other/given.json",
            "other/given.otel-collector.yaml"
        ]
    );
    assert!(
        before.keys().all(|p| after.contains_key(p)),
        "a file was removed"
    );
}

/// With strace: no socket of any kind and no exec beyond oc2otel's own,
/// while it reads URLs, templates and shell syntax and loads schemas.
#[cfg(target_os = "linux")]
#[test]
fn no_socket_and_no_exec_under_strace() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("notice: strace not found; skipping the system call check");
        return;
    }
    let dir = bait_dir();
    let log = dir.path().join("strace.log");
    let status = Command::new("strace")
        .current_dir(dir.path())
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=%network,execve,execveat,fork,vfork",
            "-o",
        ])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_oc2otel"))
        .args(migrate_args(dir.path()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let trace = fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = trace
        .lines()
        .filter(|l| !l.contains("+++ exited"))
        .collect();
    // The one exec is strace starting oc2otel itself.
    assert_eq!(calls.len(), 1, "{trace}");
    assert!(
        calls[0].contains("execve(") && calls[0].contains("oc2otel"),
        "{trace}"
    );
    assert!(
        !trace.contains("socket(") && !trace.contains("connect("),
        "{trace}"
    );
}

/// In a network namespace with no interface, the same run works and
/// writes the same bytes: nothing it does depends on the network.
#[cfg(target_os = "linux")]
#[test]
fn works_the_same_without_any_network() {
    let probe = Command::new("unshare").args(["-n", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("notice: cannot create a network namespace here; skipping");
        return;
    }
    let with = bait_dir();
    let without = bait_dir();
    let normal = bin().args(migrate_args(with.path())).output().unwrap();
    let isolated = Command::new("unshare")
        .arg("-n")
        .arg(env!("CARGO_BIN_EXE_oc2otel"))
        .args(migrate_args(without.path()))
        .output()
        .unwrap();
    assert_eq!(
        isolated.status.code(),
        Some(0),
        "{}",
        text(&isolated.stderr)
    );
    assert_eq!(normal.status.code(), Some(0));
    for name in ["krakend.json", "krakend.otel-collector.yaml"] {
        assert_eq!(
            fs::read(with.path().join(name)).unwrap(),
            fs::read(without.path().join(name)).unwrap(),
            "{name}"
        );
    }
}
