//! Benchmark: migrating one large generated config, side by side with
//! `jq 'del(.extra_config["telemetry/opencensus"])'` on the same file.
//!
//! Run with `cargo bench --bench migrate`. It prints wall times (median
//! and best of several runs) and the peak resident memory of each process;
//! it asserts nothing, since speed is a figure to read, not a test.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

mod support;
use support::{Figures, measure, ratio_line, row};

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

/// Instructions a command executes, counted by callgrind (stable on a
/// noisy machine, unlike wall time), or `None` without valgrind.
fn instructions(command: &mut Command) -> Option<u64> {
    let out_file = tempfile::NamedTempFile::new().ok()?;
    let mut valgrind = Command::new("valgrind");
    valgrind
        .arg("--tool=callgrind")
        .arg(format!(
            "--callgrind-out-file={}",
            out_file.path().display()
        ))
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        valgrind.current_dir(dir);
    }
    let out = valgrind.stdout(Stdio::null()).output().ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.contains("Collected :"))?;
    line.rsplit(':').next()?.trim().parse().ok()
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
    let size_mb = text.len() as f64 / 1_048_576.0;
    println!(
        "oc2otel benchmark: generated config of {size_mb:.2} MB, {ENDPOINTS} endpoints, {RUNS} runs each"
    );
    let oc2otel = env!("CARGO_BIN_EXE_oc2otel");
    let preview = measure(
        RUNS,
        || {
            let mut c = Command::new(oc2otel);
            c.args(["migrate", "--color", "never", "krakend.json"])
                .current_dir(dir.path());
            c
        },
        || {},
        |status| status <= 2,
    )
    .expect("oc2otel runs");
    row("oc2otel migrate krakend.json (preview: the diff)", &preview);
    let filter = measure_filter(oc2otel, &["migrate", "-"], &config).expect("oc2otel runs");
    row("oc2otel migrate - (stdin to stdout)", &filter);
    // --write rewrites the file, so each run gets a fresh copy. Quiet, it
    // shows errors alone and skips the search for secrets that warnings
    // shown must be scrubbed of: both are measured.
    let work = dir.path().join("work.json");
    let measure_write = |quiet: bool| {
        measure(
            RUNS,
            || {
                let mut c = Command::new(oc2otel);
                c.args(["migrate", "--write"]);
                if quiet {
                    c.arg("-q");
                }
                c.arg(&work);
                c
            },
            || {
                std::fs::write(&work, &text).unwrap();
                let _ = std::fs::remove_file(dir.path().join("work.otel-collector.yaml"));
            },
            |status| status == 0,
        )
        .expect("oc2otel runs")
    };
    let write = measure_write(true);
    row("oc2otel migrate --write -q", &write);
    let write_shown = measure_write(false);
    row("oc2otel migrate --write (warnings shown)", &write_shown);
    let jq_filter = "del(.extra_config[\"telemetry/opencensus\"])";
    let Some(jq) = measure_filter("jq", &[jq_filter], &config) else {
        println!("  jq is not installed: install it (apt install jq) to compare");
        return;
    };
    row("jq 'del(.extra_config[\"telemetry/opencensus\"])'", &jq);
    println!();
    ratio_line(
        "--write -q, wall time (median)",
        write.median,
        jq.median,
        "jq",
        0.25,
    );
    ratio_line(
        "--write, warnings shown, wall time (median)",
        write_shown.median,
        jq.median,
        "jq",
        0.25,
    );
    ratio_line(
        "preview, wall time (median)",
        preview.median,
        jq.median,
        "jq",
        0.5,
    );
    let single_goal = 3.0 * size_mb + 10.0;
    println!(
        "  peak RSS for a {size_mb:.2} MB file (goal: at most 3x its size plus 10 MB = {single_goal:.1} MB):"
    );
    for (mode, run) in [
        ("--write -q", &write),
        ("--write, warnings shown", &write_shown),
        ("preview", &preview),
    ] {
        let peak = run.peak_rss_kb as f64 / 1024.0;
        let verdict = if peak <= single_goal {
            "met"
        } else {
            "NOT met"
        };
        println!("    {mode:<26} {peak:5.1} MB  {verdict}");
    }
    callgrind_figures(oc2otel, dir.path(), &text, &config, jq_filter);
}

/// The same comparisons in instructions, when valgrind is installed.
fn callgrind_figures(oc2otel: &str, dir: &Path, text: &str, config: &Path, jq_filter: &str) {
    let Some(jq) = instructions(Command::new("jq").arg(jq_filter).arg(config)) else {
        println!("  valgrind is not installed (apt install valgrind): no instruction counts");
        return;
    };
    let preview = instructions(
        Command::new(oc2otel)
            .args(["migrate", "--color", "never", "krakend.json"])
            .current_dir(dir),
    );
    let work = dir.join("counted.json");
    let write_with = |flags: &[&str]| {
        std::fs::write(&work, text).unwrap();
        let _ = std::fs::remove_file(dir.join("counted.otel-collector.yaml"));
        instructions(
            Command::new(oc2otel)
                .args(["migrate", "--write"])
                .args(flags)
                .arg(&work),
        )
    };
    let write = write_with(&["-q"]);
    let write_shown = write_with(&[]);
    let check = instructions(
        Command::new(oc2otel)
            .args(["migrate", "--check", "-q"])
            .arg(config),
    );
    println!("\n  instructions (callgrind):");
    let millions = |n: u64| n as f64 / 1e6;
    println!("    jq                           {:>9.1} M", millions(jq));
    for (label, count, goal) in [
        ("oc2otel migrate --write -q", write, Some(0.25)),
        ("oc2otel migrate --write", write_shown, Some(0.25)),
        ("oc2otel migrate (preview)", preview, Some(0.5)),
        ("oc2otel migrate --check", check, None),
    ] {
        let Some(count) = count else { continue };
        let goal = goal.map_or(String::new(), |g| format!(" (goal {g}x)"));
        println!(
            "    {label:<28} {:>9.1} M   {:.2}x jq{goal}",
            millions(count),
            count as f64 / jq as f64
        );
    }
}

/// `program ARGS` with `input` as its standard input, `RUNS` times.
fn measure_filter(program: &str, args: &[&str], input: &Path) -> Option<Figures> {
    measure(
        RUNS,
        || {
            let mut c = Command::new(program);
            c.args(args);
            c.stdin(std::fs::File::open(input).expect("the generated config"));
            c
        },
        || {},
        |status| status == 0 || status == 2,
    )
}
