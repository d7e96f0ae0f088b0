//! Benchmark: a whole repository. Builds its own tree of 10,000 files
//! (2,000 legacy KrakenD configs of about 20 KB, 2,000 already migrated,
//! 6,000 unrelated files) and prints, side by side in one run:
//!
//! - `oc2otel migrate --check` against `rg -l -F telemetry/opencensus`;
//! - `oc2otel migrate --write --allow-dirty` against `cp -r` of the tree,
//!   and `--write` as most runs make it (in a git repository, guarded);
//! - the peak memory of oc2otel, for this tree and for one a quarter of
//!   its size (it should not grow with the number of files).
//!
//! Run with `cargo bench --bench batch`. It asserts nothing.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod support;
use support::{Figures, ratio_line, row, run_once, run_once_with_cpu};

const RUNS: usize = 5;
/// Runs of `--check` and of `rg`, taken in turn: short runs, whose ratio
/// is the figure most sensitive to noise (on a shared 2-core virtual
/// machine, runs of one command differ by a quarter; a median of 21 moves
/// less than one of 9).
const PAIRED_RUNS: usize = 21;

/// A legacy config of about 20 KB.
fn legacy_config(i: usize) -> String {
    let mut out = String::with_capacity(21_000);
    let _ = write!(
        out,
        "{{\n  \"version\": 3,\n  \"name\": \"service-{i}\",\n  \"extra_config\": {{\n    \"telemetry/opencensus\": {{\n      \"sample_rate\": {},\n      \"reporting_period\": 30,\n      \"enabled_layers\": {{\"router\": true, \"backend\": true}},\n      \"exporters\": {{\n        \"xray\": {{\"region\": \"eu-west-1\", \"use_env\": true, \"version\": \"1.{i}\"}},\n        \"prometheus\": {{\"port\": 9091, \"namespace\": \"krakend\"}}\n      }}\n    }}\n  }},\n  \"endpoints\": [\n",
        10 + i % 90
    );
    let endpoints = 36;
    for e in 0..endpoints {
        let extra = if e % 6 == 0 {
            ",\n      \"extra_config\": {\"telemetry/opencensus\": {\"path_aggregation\": \"pattern\"}}"
        } else {
            ""
        };
        let _ = write!(
            out,
            "    {{\n      \"endpoint\": \"/v1/resource-{e}/{{id}}\",\n      \"method\": \"GET\",\n      \"backend\": [\n        {{\n          \"url_pattern\": \"/internal/resource-{e}/{{id}}\",\n          \"host\": [\"http://service-{i}.internal:8080\"],\n          \"allow\": [\"id\", \"name\", \"status\", \"created_at\", \"updated_at\"],\n          \"encoding\": \"json\"\n        }}\n      ]{extra}\n    }}{}\n",
            if e + 1 < endpoints { "," } else { "" }
        );
    }
    out.push_str("  ]\n}\n");
    out
}

fn migrated_config(i: usize) -> String {
    legacy_config(i)
        .replace(
            "\"telemetry/opencensus\": {\n      \"sample_rate\"",
            "\"telemetry/opentelemetry\": {\n      \"trace_sample_rate\"",
        )
        .replace(
            "\"telemetry/opencensus\": {\"path_aggregation\": \"pattern\"}",
            "\"qos/ratelimit/router\": {\"max_rate\": 10}",
        )
}

/// Build the tree: `total` files, a fifth legacy, a fifth migrated, the
/// rest unrelated (sources, docs, manifests, package files).
fn build(root: &Path, total: usize) {
    let configs = total / 5;
    for i in 0..total {
        let dir = root.join(format!("team-{}/svc-{}", i % 20, i / 20));
        std::fs::create_dir_all(&dir).unwrap();
        let (name, text) = if i < configs {
            ("krakend.json".to_string(), legacy_config(i))
        } else if i < 2 * configs {
            ("krakend.json".to_string(), migrated_config(i))
        } else {
            match i % 4 {
                0 => (
                    "main.go".into(),
                    format!("package main\n\nfunc main() {{ println({i}) }}\n"),
                ),
                1 => ("README.md".into(), format!("# Service {i}\n\nDocs.\n")),
                2 => (
                    "deployment.yaml".into(),
                    format!(
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{i}\nspec:\n  replicas: 2\n"
                    ),
                ),
                _ => (
                    "package.json".into(),
                    format!("{{\"name\": \"svc-{i}\", \"version\": \"1.0.{i}\"}}\n"),
                ),
            }
        };
        // Two files may land in one folder: keep both.
        let path = if dir.join(&name).exists() {
            dir.join(format!("other-{name}"))
        } else {
            dir.join(name)
        };
        std::fs::write(path, text).unwrap();
    }
}

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn check_command(oc2otel: &str, tree: &Path) -> impl FnMut() -> Command {
    let (oc2otel, tree) = (oc2otel.to_string(), tree.to_path_buf());
    move || {
        let mut c = Command::new(&oc2otel);
        c.args(["migrate", "--check", "-q"]).arg(&tree);
        c
    }
}

fn main() {
    let oc2otel = env!("CARGO_BIN_EXE_oc2otel");
    // `cargo bench --bench batch -- --save DIR [FILES]` builds a tree for profiling.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--save") {
        let files = args
            .get(i + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        build(Path::new(&args[i + 1]), files);
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("tree");
    build(&tree, 10_000);
    let bytes: u64 = walk_size(&tree);
    println!(
        "oc2otel batch benchmark: 10,000 files ({:.1} MB; 2,000 legacy configs of ~13 KB, 2,000 migrated, 6,000 unrelated), {PAIRED_RUNS} runs of --check and rg in turn, {RUNS} of the others",
        bytes as f64 / 1_048_576.0
    );
    // The tree's writes reach the disk before anything is timed.
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() };
    let mut check_tree = check_command(oc2otel, &tree);
    let mut search_tree = || {
        let mut c = Command::new("rg");
        c.args(["-l", "-F", "telemetry/opencensus"]).arg(&tree);
        c
    };
    // Each run of one is next to a run of the other.
    let (check, search, paired) = if has("rg") {
        let (mut both, paired) =
            measure_alternating(PAIRED_RUNS, &mut [&mut check_tree, &mut search_tree])
                .expect("oc2otel and rg run");
        let search = both.pop();
        (both.pop().expect("two figures"), search, Some(paired))
    } else {
        (measure(check_tree, || {}), None, None)
    };
    row("oc2otel migrate --check", &check);
    if let Some(search) = &search {
        row("rg -l -F telemetry/opencensus", search);
    }
    let copy = work.path().join("copy");
    // Before each timed run, whatever an earlier run left to write back
    // reaches the disk: each command pays for its own writes only (cp's
    // time otherwise swings from 0.3 to 15 s with what is in flight).
    let settle = || {
        // SAFETY: sync takes no arguments and cannot fail.
        unsafe { libc::sync() };
    };
    let cp = measure(
        || {
            let mut c = Command::new("cp");
            c.arg("-r").arg(&tree).arg(&copy);
            c
        },
        || {
            let _ = std::fs::remove_dir_all(&copy);
            settle();
        },
    );
    row("cp -r (the tree)", &cp);
    // --write flushes each file it writes; this is a copy as durable.
    let durable_cp = measure(
        || {
            let mut c = Command::new("sh");
            c.args(["-c", "cp -r \"$0\" \"$1\" && sync"])
                .arg(&tree)
                .arg(&copy);
            c
        },
        || {
            let _ = std::fs::remove_dir_all(&copy);
            settle();
        },
    );
    row("cp -r, then sync (the copy on disk)", &durable_cp);
    let write = measure(
        || {
            let mut c = Command::new(oc2otel);
            c.args(["migrate", "--write", "--allow-dirty", "-q"])
                .arg(&copy);
            c
        },
        || {
            let _ = std::fs::remove_dir_all(&copy);
            let (_, status, _) =
                run_once(Command::new("cp").arg("-r").arg(&tree).arg(&copy)).expect("cp runs");
            assert_eq!(status, 0);
            settle();
        },
    );
    row("oc2otel migrate --write --allow-dirty", &write);
    let _ = std::fs::remove_dir_all(&copy);
    let guarded = write_in_git(oc2otel, &tree, &work.path().join("repo"), settle);
    if let Some(guarded) = &guarded {
        row("oc2otel migrate --write (in git, guarded)", guarded);
    }

    // Memory against the number of files: a quarter and four times the
    // tree, each `--check` (like for like); the highest of every run for
    // the 100 MB goal.
    let guarded_peak = guarded.as_ref().map_or(0, |g| g.peak_rss_kb);
    let highest_at_10k = check.peak_rss_kb.max(write.peak_rss_kb).max(guarded_peak);
    let mut peaks = vec![(10_000, check.peak_rss_kb)];
    for files in [2_500, 40_000] {
        let other = work.path().join(format!("tree-{files}"));
        build(&other, files);
        let f = measure(check_command(oc2otel, &other), || {});
        row(&format!("oc2otel migrate --check ({files} files)"), &f);
        peaks.push((files, f.peak_rss_kb));
        let _ = std::fs::remove_dir_all(&other);
    }
    peaks.sort();

    println!();
    match &search {
        Some(search) => ratio_line(
            "--check over the tree",
            check.median,
            search.median,
            "rg -l",
            1.5,
        ),
        None => println!("  rg is not installed (apt install ripgrep): no ratio for --check"),
    }
    if let Some(Paired { ratios, cpu }) = &paired {
        println!(
            "    run by run: median {:.2}x, quartiles {:.2}x to {:.2}x; CPU time (user + system) {:.0} ms against {:.0} ms ({:.2}x)",
            ratios[1],
            ratios[0],
            ratios[2],
            cpu.0.as_secs_f64() * 1e3,
            cpu.1.as_secs_f64() * 1e3,
            cpu.0.as_secs_f64() / cpu.1.as_secs_f64().max(1e-9),
        );
    }
    ratio_line(
        "--write over a copy of the tree",
        write.median,
        cp.median,
        "cp -r",
        1.5,
    );
    ratio_line(
        "--write, against a copy as durable",
        write.median,
        durable_cp.median,
        "cp -r && sync",
        1.5,
    );
    let shown: Vec<String> = peaks
        .iter()
        .map(|(files, kb)| format!("{:.1} MB for {files} files", *kb as f64 / 1024.0))
        .collect();
    let highest = peaks
        .iter()
        .map(|(_, kb)| *kb)
        .chain([highest_at_10k])
        .max()
        .unwrap_or(0) as f64
        / 1024.0;
    let (fewest, most) = (peaks[0].1 as f64, peaks[peaks.len() - 1].1 as f64);
    println!(
        "  peak RSS of --check: {}: {:.2}x the memory for {}x the files",
        shown.join(", "),
        most / fewest.max(1.0),
        peaks[peaks.len() - 1].0 / peaks[0].0.max(1),
    );
    println!(
        "  peak RSS, highest of every run: {highest:.1} MB (goal: at most 100 MB, flat; {})",
        if highest <= 100.0 {
            "under 100 MB"
        } else {
            "NOT under 100 MB"
        }
    );
}

/// `--write` as most runs make it: in a git repository, without
/// `--allow-dirty`, so that git's state of every config is read first.
/// The tree is committed once; each run starts from a clean checkout.
/// `None` (and a line that says so) without git.
fn write_in_git(oc2otel: &str, tree: &Path, repo: &Path, settle: impl Fn()) -> Option<Figures> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(repo)
            .args([
                "-c",
                "user.name=bench",
                "-c",
                "user.email=bench@example.com",
            ])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let copied = Command::new("cp").arg("-r").arg(tree).arg(repo).status();
    if !(copied.is_ok_and(|s| s.success())
        && git(&["init", "-q"])
        && git(&["add", "-A"])
        && git(&["commit", "-q", "-m", "tree"]))
    {
        println!("  git is not installed or failed: no figure for --write in a repository");
        return None;
    }
    let figures = measure(
        || {
            let mut c = Command::new(oc2otel);
            c.args(["migrate", "--write", "-q"]).arg(repo);
            c
        },
        || {
            assert!(git(&["reset", "-q", "--hard"]) && git(&["clean", "-fdq"]));
            settle();
        },
    );
    let _ = std::fs::remove_dir_all(repo);
    Some(figures)
}

/// `runs` runs of each command, taken in turn (one, two, one, two, ...)
/// after an unmeasured run of each: a ratio of two commands then compares
/// them under the same conditions (the page cache warm for both, neither
/// alone in the wake of the writes that built the input). Every exit
/// status is accepted; `None` when a command cannot start.
pub fn measure_alternating(
    runs: usize,
    makes: &mut [&mut dyn FnMut() -> Command],
) -> Option<(Vec<Figures>, Paired)> {
    for make in makes.iter_mut() {
        run_once(&mut make())?;
    }
    let mut times = vec![Vec::with_capacity(runs); makes.len()];
    let mut cpus = vec![Vec::with_capacity(runs); makes.len()];
    let mut peaks = vec![0; makes.len()];
    for _ in 0..runs {
        for (i, make) in makes.iter_mut().enumerate() {
            let (time, _, rss, cpu) = run_once_with_cpu(&mut make())?;
            times[i].push(time);
            cpus[i].push(cpu);
            peaks[i] = peaks[i].max(rss);
        }
    }
    let paired = Paired::of(&times, &cpus);
    let figures = times
        .into_iter()
        .zip(peaks)
        .map(|(mut times, peak)| {
            times.sort();
            Figures {
                median: times[times.len() / 2],
                best: times[0],
                peak_rss_kb: peak,
            }
        })
        .collect();
    Some((figures, paired))
}

/// The first command of alternating runs against the last, run by run:
/// on a machine whose speed drifts over a minute, the ratio of two runs
/// made one after the other moves less than the ratio of two medians.
pub struct Paired {
    /// The quartiles and median of the runs' wall-time ratios.
    pub ratios: [f64; 3],
    /// The median CPU time (user and system) of each command.
    pub cpu: (Duration, Duration),
}

impl Paired {
    fn of(times: &[Vec<Duration>], cpus: &[Vec<Duration>]) -> Paired {
        let (first, last) = (&times[0], &times[times.len() - 1]);
        let mut ratios: Vec<f64> = first
            .iter()
            .zip(last)
            .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64().max(1e-9))
            .collect();
        ratios.sort_by(f64::total_cmp);
        let at = |q: usize| ratios[(ratios.len() - 1) * q / 4];
        let median = |list: &[Duration]| {
            let mut list = list.to_vec();
            list.sort();
            list[list.len() / 2]
        };
        Paired {
            ratios: [at(1), at(2), at(3)],
            cpu: (median(&cpus[0]), median(&cpus[cpus.len() - 1])),
        }
    }
}

fn walk_size(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            total += walk_size(&entry.path());
        } else {
            total += entry.metadata().unwrap().len();
        }
    }
    total
}

/// `RUNS` runs of a command whose exit status says nothing here (`--check`
/// exits 1 when a file would change).
fn measure(make: impl FnMut() -> Command, before: impl FnMut()) -> Figures {
    support::measure(RUNS, make, before, |_| true).expect("the command starts")
}
