//! What both benchmarks measure with: running a command several times
//! for its median and best wall time and its peak memory, and printing a
//! figure and its ratio to an anchor (jq, rg, cp) with the goal.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Wall times and peak memory of several runs of one command.
pub struct Figures {
    pub median: Duration,
    pub best: Duration,
    pub peak_rss_kb: i64,
}

/// Run a command once (output discarded): its wall time, exit status and
/// peak RSS (KiB), or `None` when it cannot start.
// The child is reaped by wait4 (which also reports its memory), not by
// `Child::wait`, hence the allow.
#[allow(clippy::zombie_processes)]
pub fn run_once(command: &mut Command) -> Option<(Duration, i32, i64)> {
    run_once_with_cpu(command).map(|(wall, status, rss, _)| (wall, status, rss))
}

/// [`run_once`], with the CPU time (user and system) the command used.
#[allow(clippy::zombie_processes)]
pub fn run_once_with_cpu(command: &mut Command) -> Option<(Duration, i32, i64, Duration)> {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 writes into the two locals we pass; pid is our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4 failed");
    let seconds = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    Some((
        start.elapsed(),
        libc::WEXITSTATUS(status),
        usage.ru_maxrss,
        cpu,
    ))
}

/// `runs` runs of the command `make` builds, each after `before`; every
/// exit status must satisfy `accept`. `None` when the command cannot start.
pub fn measure(
    runs: usize,
    mut make: impl FnMut() -> Command,
    mut before: impl FnMut(),
    accept: impl Fn(i32) -> bool,
) -> Option<Figures> {
    let mut times = Vec::with_capacity(runs);
    let mut peak = 0;
    for _ in 0..runs {
        before();
        let mut command = make();
        let (time, status, rss) = run_once(&mut command)?;
        assert!(accept(status), "{command:?} exited with {status}");
        times.push(time);
        peak = peak.max(rss);
    }
    times.sort();
    Some(Figures {
        median: times[times.len() / 2],
        best: times[0],
        peak_rss_kb: peak,
    })
}

pub fn row(label: &str, f: &Figures) {
    println!(
        "  {label:<58} median {:>8.1} ms   best {:>8.1} ms   peak RSS {:>6.1} MB",
        f.median.as_secs_f64() * 1e3,
        f.best.as_secs_f64() * 1e3,
        f.peak_rss_kb as f64 / 1024.0
    );
}

/// `what` as a ratio of its anchor's median, against the goal.
pub fn ratio_line(what: &str, ours: Duration, anchor: Duration, name: &str, goal: f64) {
    let ratio = ours.as_secs_f64() / anchor.as_secs_f64();
    let verdict = if ratio <= goal { "met" } else { "NOT met" };
    println!("  {what:<44} {ratio:>5.2}x {name}   (goal: at most {goal}x, {verdict})");
}
