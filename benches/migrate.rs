//! Benchmark: migrating one large generated config, side by side with
//! `jq 'del(.extra_config["telemetry/opencensus"])'` on the same file.
//!
//! Run with `cargo bench --bench migrate`. It prints wall times (median
//! and best of several runs) and the peak resident memory of each process;
//! it asserts nothing, since speed is a figure to read, not a test.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENDPOINTS: usize = 4_000;
const RUNS: usize = 9;

/// A KrakenD config of about 2 MB: 4,000 endpoints with two backends each,
/// a path_aggregation block on every tenth, and the service OpenCensus
/// block with X-Ray, Prometheus and Jaeger.
fn generate() -> String {
    let mut out = String::with_capacity(2_200_000);
    out.push_str("{\n  \"$schema\": \"https://www.krakend.io/schema/v2.13/krakend.json\",\n  \"version\": 3,\n  \"name\": \"bench-gateway\",\n  \"port\": 8080,\n  \"timeout\": \"3s\",\n");
    out.push_str("  \"extra_config\": {\n    \"telemetry/logging\": {\"level\": \"INFO\", \"stdout\": true},\n");
    out.push_str("    \"telemetry/opencensus\": {\n      \"sample_rate\": 25,\n      \"reporting_period\": 30,\n      \"enabled_layers\": {\"router\": true, \"backend\": true},\n      \"exporters\": {\n        \"xray\": {\"region\": \"eu-west-1\", \"use_env\": true, \"version\": \"2.4.0\"},\n        \"prometheus\": {\"port\": 9091, \"namespace\": \"krakend\"},\n        \"jaeger\": {\"endpoint\": \"http://jaeger:14268/api/traces\", \"service_name\": \"bench-gateway\"}\n      }\n    },\n");
    out.push_str("    \"security/cors\": {\"allow_origins\": [\"*\"], \"allow_methods\": [\"GET\", \"POST\"]}\n  },\n  \"endpoints\": [\n");
    for i in 0..ENDPOINTS {
        let extra = if i % 10 == 0 {
            ",\n      \"extra_config\": {\n        \"telemetry/opencensus\": {\"path_aggregation\": \"lastparam\"},\n        \"qos/ratelimit/router\": {\"max_rate\": 100}\n      }"
        } else {
            ",\n      \"extra_config\": {\n        \"qos/ratelimit/router\": {\"max_rate\": 100}\n      }"
        };
        let _ = write!(
            out,
            "    {{\n      \"endpoint\": \"/api/v1/resource-{i}/{{id}}\",\n      \"method\": \"GET\",\n      \"backend\": [\n        {{\n          \"url_pattern\": \"/internal/resource-{i}/{{id}}\",\n          \"host\": [\"http://service-{s}.internal:8080\"],\n          \"encoding\": \"json\",\n          \"allow\": [\"id\", \"name\", \"status\", \"created_at\"]\n        }},\n        {{\n          \"url_pattern\": \"/internal/meta-{i}\",\n          \"host\": [\"http://meta.internal:8080\"],\n          \"group\": \"meta\"\n        }}\n      ]{extra}\n    }}{comma}\n",
            s = i % 17,
            comma = if i + 1 < ENDPOINTS { "," } else { "" }
        );
    }
    out.push_str("  ]\n}\n");
    out
}

struct Measured {
    median: Duration,
    best: Duration,
    peak_rss_kb: i64,
}

/// Run a command once: its wall time, exit status and peak RSS (KiB).
// The child is reaped by wait4 (which also reports its memory), not by
// `Child::wait`, hence the allow.
#[allow(clippy::zombie_processes)]
fn run_once(command: &mut Command) -> Option<(Duration, i32, i64)> {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let (status, rss) = wait_with_rusage(child.id() as libc::pid_t);
    Some((start.elapsed(), status, rss))
}

/// Run `command` (stdin from `input`, stdout discarded) `RUNS` times.
fn measure(program: &str, args: &[&str], input: &Path) -> Option<Measured> {
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..RUNS {
        let stdin = std::fs::File::open(input).ok()?;
        let (time, status, rss) = run_once(Command::new(program).args(args).stdin(stdin))?;
        times.push(time);
        assert!(status == 0 || status == 2, "{program} exited with {status}");
        peak = peak.max(rss);
    }
    times.sort();
    Some(Measured {
        median: times[times.len() / 2],
        best: times[0],
        peak_rss_kb: peak,
    })
}

/// Wait for a child and return its exit status and peak RSS (KiB).
fn wait_with_rusage(pid: libc::pid_t) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: wait4 writes into the two locals we pass; pid is our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4 failed");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

fn row(label: &str, m: &Measured) {
    println!(
        "  {label:<58} median {:>8.1} ms   best {:>8.1} ms   peak RSS {:>6.1} MB",
        m.median.as_secs_f64() * 1e3,
        m.best.as_secs_f64() * 1e3,
        m.peak_rss_kb as f64 / 1024.0
    );
}

fn main() {
    let text = generate();
    // `cargo bench --bench migrate -- --save FILE` writes the config for profiling.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--save") {
        std::fs::write(&args[i + 1], &text).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("krakend.json");
    std::fs::write(&config, &text).unwrap();
    println!(
        "oc2otel benchmark: generated config of {:.2} MB, {ENDPOINTS} endpoints, {RUNS} runs each",
        text.len() as f64 / 1_048_576.0
    );
    let oc2otel = env!("CARGO_BIN_EXE_oc2otel");
    let filter = measure(oc2otel, &["migrate", "-"], &config).expect("oc2otel runs");
    row("oc2otel migrate - (stdin to stdout)", &filter);

    // --write rewrites the file, so each run gets a fresh copy.
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..RUNS {
        let work = dir.path().join("work.json");
        std::fs::write(&work, &text).unwrap();
        let _ = std::fs::remove_file(dir.path().join("work.otel-collector.yaml"));
        let (time, status, rss) = run_once(
            Command::new(oc2otel)
                .args(["migrate", "--write", "-q"])
                .arg(&work),
        )
        .unwrap();
        times.push(time);
        assert_eq!(status, 0);
        peak = peak.max(rss);
    }
    times.sort();
    let write = Measured {
        median: times[RUNS / 2],
        best: times[0],
        peak_rss_kb: peak,
    };
    row("oc2otel migrate --write", &write);

    match measure(
        "jq",
        &["del(.extra_config[\"telemetry/opencensus\"])"],
        &config,
    ) {
        Some(jq) => {
            row("jq 'del(.extra_config[\"telemetry/opencensus\"])'", &jq);
            println!(
                "  oc2otel / jq (median): {:.2} for the filter, {:.2} for --write",
                filter.median.as_secs_f64() / jq.median.as_secs_f64(),
                write.median.as_secs_f64() / jq.median.as_secs_f64()
            );
        }
        None => println!("  jq is not installed: install it (apt install jq) to compare"),
    }
}
