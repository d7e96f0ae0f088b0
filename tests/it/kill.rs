//! A `--write` run killed at any moment loses nothing (SPEC section 2,
//! guarantee 5): every config is its old bytes or its new bytes, never a
//! mix; a config that was migrated has its collector file (written first);
//! and the next complete run finishes the job and leaves no temporary file.
//!
//! Many configs are written in one run and the run is killed (SIGKILL, no
//! chance to clean up) after delays drawn from a fixed seed and spread
//! over the length of a whole run, so the kills land at different points
//! of reading, fsyncing and renaming.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use crate::common::{bin, fixture};
use oc2otel::migration::options::Options;
use oc2otel::migration::{Status, migrate};
use oc2otel::syntax::source::Format;

const FILES: usize = 200;
const RUNS: usize = 8;

/// Fixtures that migrate with the default options, varied per file.
const SOURCES: &[&str] = &[
    "rules/xray_docs.json",
    "rules/prometheus.json",
    "rules/layers_off.json",
    "rules/datadog.json",
    "rules/ocagent.json",
    "rules/tabs_crlf.json",
    "rules/compact_one_line.json",
];

/// One config: its name, original bytes, migrated bytes and collector.
struct Case {
    name: String,
    old: String,
    new: String,
    collector: Option<String>,
}

fn cases() -> Vec<Case> {
    (0..FILES)
        .map(|i| {
            let source = fixture(SOURCES[i % SOURCES.len()]);
            // Make every file different, outside the legacy block.
            let old = source.replacen('{', &format!("{{\"@comment\": \"file {i}\", "), 1);
            let name = format!("k{i:03}.json");
            let migration = migrate(&old, Format::Json, &name, &Options::default(), None);
            assert_eq!(migration.status, Status::Migrate, "{name}");
            Case {
                name,
                new: migration.output.unwrap(),
                collector: migration.collector.map(|c| c.to_yaml()),
                old,
            }
        })
        .collect()
}

fn collector_name(case: &Case) -> String {
    case.name.replace(".json", ".otel-collector.yaml")
}

fn fresh_dir(cases: &[Case]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for case in cases {
        fs::write(dir.path().join(&case.name), &case.old).unwrap();
    }
    dir
}

fn command(dir: &Path, cases: &[Case]) -> std::process::Command {
    let mut cmd = bin();
    cmd.current_dir(dir)
        .args(["migrate", "--write", "-q"])
        .args(cases.iter().map(|c| &c.name))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// A small deterministic generator (xorshift), so every run of the test
/// kills at the same fractions of a run.
struct Rng(u64);

impl Rng {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(oc2otel::workspace::write::is_temp_name)
        })
        .collect()
}

/// Check the folder after a kill; returns how many configs were migrated.
fn check_after_kill(dir: &Path, cases: &[Case], run: usize) -> usize {
    let mut migrated = 0;
    for case in cases {
        let now = fs::read_to_string(dir.join(&case.name)).unwrap();
        serde_json::from_str::<serde_json::Value>(&now)
            .unwrap_or_else(|e| panic!("run {run}: {} does not parse: {e}", case.name));
        let collector = fs::read_to_string(dir.join(collector_name(case))).ok();
        if now == case.new {
            migrated += 1;
            // Written before the config: it must be there, complete.
            assert_eq!(
                collector, case.collector,
                "run {run}: {} is migrated but its collector file is not complete",
                case.name
            );
        } else {
            assert_eq!(
                now, case.old,
                "run {run}: {} is neither old nor new",
                case.name
            );
            // A collector file may already be there; if so, complete.
            if let Some(collector) = collector {
                assert_eq!(Some(collector), case.collector, "run {run}: {}", case.name);
            }
        }
    }
    // Nothing else than configs, collector files and temporary files.
    for entry in fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name.ends_with(".json")
                || name.ends_with(".otel-collector.yaml")
                || oc2otel::workspace::write::is_temp_name(&name),
            "run {run}: unexpected file {name}"
        );
    }
    migrated
}

#[test]
fn a_run_killed_at_any_moment_leaves_every_file_old_or_new() {
    let cases = cases();

    // How long a whole run takes here, to spread the kills over it.
    let calibration = fresh_dir(&cases);
    let start = Instant::now();
    let status = command(calibration.path(), &cases).status().unwrap();
    let full = start.elapsed();
    assert_eq!(status.code(), Some(0));
    assert_eq!(check_after_kill(calibration.path(), &cases, 0), FILES);

    let mut rng = Rng(0x0c2_07e1_5eed);
    let mut outcomes = BTreeMap::new();
    let mut left_behind = 0;
    for run in 1..=RUNS {
        let dir = fresh_dir(&cases);
        // Between 5 % and 95 % of a whole run, in eight bands.
        let band = (run - 1) as f64 / RUNS as f64;
        let fraction = 0.05 + 0.9 * (band + rng.next_fraction() / RUNS as f64);
        let delay = full.mul_f64(fraction);
        let mut child = command(dir.path(), &cases).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let migrated = check_after_kill(dir.path(), &cases, run);
        left_behind += temp_files(dir.path()).len();
        outcomes.insert(run, (delay, migrated));

        // The next complete run finishes and cleans up.
        let status = command(dir.path(), &cases).status().unwrap();
        assert_eq!(
            status.code(),
            Some(0),
            "run {run}: the run after the kill failed"
        );
        assert_eq!(check_after_kill(dir.path(), &cases, run), FILES);
        let leftovers = temp_files(dir.path());
        assert!(leftovers.is_empty(), "run {run}: {leftovers:?} left behind");
    }
    eprintln!(
        "whole run {full:?}; (delay, configs migrated when killed) per run: {outcomes:?}; temporary files found after the kills: {left_behind}"
    );
    // The kills did land mid-run: some runs stopped part-way.
    let partial = outcomes
        .values()
        .filter(|(_, m)| *m > 0 && *m < FILES)
        .count();
    assert!(partial >= 2, "too few kills landed mid-run: {outcomes:?}");
}
