//! The library operations behind the commands, driven without the binary:
//! inputs and the one reader, a file from read to planned writes, the one
//! write path and its guards, whole runs, `explain` and `verify`, the
//! reporters behind `--format`, and the settings' origins.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::CommandFactory;
use oc2otel::migration::options::CollectorFlavor;
use oc2otel::migration::render::deploy::Platform;
use oc2otel::model::diagnostic::Code;
use oc2otel::report::{Format, Reporter, Streams, Style, Verbosity};
use oc2otel::workspace::SetupError;
use oc2otel::workspace::input::{Input, InputKind, Inputs, ReadOutcome};
use oc2otel::workspace::ops::explain::Explainer;
use oc2otel::workspace::ops::migrate::Migrator;
use oc2otel::workspace::ops::verify::{self, Verified};
use oc2otel::workspace::outcome::{FileOutcome, FileStatus, Summary};
use oc2otel::workspace::plan::WriteKind;
use oc2otel::workspace::settings::{
    ExplainSettings, MigrateSettings, Mode, Origin, Shown, VerifySettings, WalkSettings,
};

use crate::common::{fixture, git};

const XRAY: &str = "rules/xray_docs.json";
const CANARY: &str = "AKIAFIXTURECANARY01";

/// A folder with a legacy config `k.json` and an unrelated `other.json`.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("k.json"), fixture(XRAY)).unwrap();
    fs::write(dir.path().join("other.json"), "{\"version\": 3}\n").unwrap();
    dir
}

fn settings(mode: Mode, paths: &[&Path]) -> MigrateSettings {
    MigrateSettings::new(mode, paths.iter().map(|p| p.to_path_buf()).collect())
}

fn prepare(settings: MigrateSettings) -> (Migrator, Inputs) {
    let inputs = Inputs::collect(&settings.walk).unwrap();
    (Migrator::new(settings, &inputs).unwrap(), inputs)
}

/// The names of the files in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn how_an_input_is_read_depends_on_how_it_was_found() {
    let dir = folder();
    let (k, other) = (dir.path().join("k.json"), dir.path().join("other.json"));
    assert!(matches!(
        Input::walked(&other).read(),
        ReadOutcome::Skipped(None)
    ));
    // Named or walked, a file that never mentions a legacy key is skipped
    // unparsed (a hook names every changed file); `verify` reads it whole.
    assert!(matches!(
        Input::explicit(&other).read(),
        ReadOutcome::Skipped(None)
    ));
    assert!(Input::explicit(&other).read_named().is_ok());
    let ReadOutcome::Text(loaded) = Input::walked(&k).read() else {
        panic!("a walked legacy config is read");
    };
    assert_eq!(loaded.file_bytes(), fixture(XRAY).as_bytes());

    // Not text: a located error, walked or not.
    let binary = dir.path().join("binary.json");
    fs::write(&binary, "{\"telemetry/opencensus\": \n\0}").unwrap();
    for input in [Input::walked(&binary), Input::explicit(&binary)] {
        let ReadOutcome::Failed(d) = input.read() else {
            panic!("binary data is refused");
        };
        assert_eq!(
            (d.code, d.line, d.column),
            (Code::NotText, Some(2), Some(1))
        );
    }
    let ReadOutcome::Failed(d) = Input::explicit(dir.path().join("missing.json")).read() else {
        panic!("a missing file is an error");
    };
    assert_eq!(d.code, Code::Unreadable);

    let stdin = Input::from_arg(Path::new("-"));
    assert_eq!(
        (stdin.kind(), stdin.display(), stdin.name(), stdin.path()),
        (InputKind::Stdin, "-".into(), "standard input".into(), None)
    );
    assert_eq!(Input::from_arg(&k).name(), "k.json");
}

#[test]
fn inputs_put_stdin_first_and_tell_named_files_from_walked_ones() {
    let dir = folder();
    let k = dir.path().join("k.json");
    let walk = WalkSettings {
        paths: vec![PathBuf::from("-"), dir.path().to_path_buf(), k.clone()],
        ..WalkSettings::default()
    };
    let inputs = Inputs::collect(&walk).unwrap();
    let kinds: Vec<(InputKind, Option<PathBuf>)> = inputs
        .iter()
        .map(|i| (i.kind(), i.path().map(Path::to_path_buf)))
        .collect();
    let other = dir.path().join("other.json");
    assert_eq!(
        kinds,
        [
            (InputKind::Stdin, None),
            (InputKind::Explicit, Some(k.clone())),
            (InputKind::Walked, Some(other.clone())),
        ]
    );
    assert!(inputs.names_a_folder);
    assert_eq!(inputs.files(), [k, other]);

    let twice = WalkSettings {
        paths: vec![PathBuf::from("-"), PathBuf::from("-")],
        ..WalkSettings::default()
    };
    assert!(matches!(
        Inputs::collect(&twice),
        Err(SetupError::StdinTwice)
    ));
}

#[test]
fn settings_that_cannot_work_stop_the_run_before_any_file_is_read() {
    let dir = folder();
    let mut two = settings(Mode::Write, &[dir.path()]);
    two.collector_out = Some(dir.path().join("c.yaml"));
    let inputs = Inputs::collect(&two.walk).unwrap();
    let err = Migrator::new(two, &inputs).err().unwrap();
    assert!(matches!(err, SetupError::CollectorOutNeedsOneFile), "{err}");

    let mut glob = settings(Mode::Check, &[dir.path()]);
    glob.walk.discover.include = vec!["[".into()];
    let err = Inputs::collect(&glob.walk).unwrap_err();
    assert!(err.to_string().contains("invalid glob `[`"), "{err}");
    assert_eq!(files_in(dir.path()), ["k.json", "other.json"]);
}

#[test]
fn a_file_is_migrated_into_a_plan_and_nothing_is_written() {
    let dir = folder();
    let k = dir.path().join("k.json");
    let (migrator, _) = prepare(settings(Mode::Preview, &[&k]));
    let outcome = migrator.migrate_file(&Input::explicit(&k));
    assert_eq!(outcome.status, FileStatus::WouldMigrate);
    let collector = dir.path().join("k.otel-collector.yaml");
    let planned: Vec<(WriteKind, &Path, bool)> = outcome
        .writes
        .iter()
        .map(|w| (w.kind, w.path.as_path(), w.current.is_some()))
        .collect();
    assert_eq!(
        planned,
        [
            (WriteKind::Collector, collector.as_path(), false),
            (WriteKind::Config, k.as_path(), true),
        ]
    );
    assert_eq!(
        outcome.writes[1].current.as_deref(),
        Some(fixture(XRAY).as_bytes())
    );
    let new_config = String::from_utf8(outcome.writes[1].bytes.clone()).unwrap();
    assert!(new_config.contains("telemetry/opentelemetry"));
    assert_eq!(
        outcome.collector_path,
        Some(collector.display().to_string())
    );
    // The preview's diff covers both files and shows no secret.
    assert!(outcome.diff.contains("+++ b/") && outcome.diff.contains("otel-collector.yaml"));
    assert!(!outcome.diff.contains(CANARY));
    let source = outcome.source.as_ref().unwrap();
    assert!(source.text.contains("access_key_id") && !source.text.contains(CANARY));
    assert_eq!(files_in(dir.path()), ["k.json", "other.json"]);
}

/// A config with nothing to hide is held once: its report's source and
/// its planned write share the text as read. With a secret, the report
/// keeps a redacted copy; with a BOM, the write keeps the bytes as read.
#[test]
fn a_planned_config_and_its_report_share_the_text_as_read() {
    let dir = tempfile::tempdir().unwrap();
    let plain = fixture("rules/prometheus.json");
    assert!(!plain.contains("secret") && !plain.contains("password"));
    let cases = [
        ("plain.json", plain.clone().into_bytes(), true),
        ("secret.json", fixture(XRAY).into_bytes(), false),
        (
            "bom.json",
            [b"\xef\xbb\xbf", plain.as_bytes()].concat(),
            false,
        ),
    ];
    for (name, bytes, shared) in cases {
        let path = dir.path().join(name);
        fs::write(&path, &bytes).unwrap();
        let (migrator, _) = prepare(settings(Mode::Preview, &[&path]));
        let outcome = migrator.migrate_file(&Input::explicit(&path));
        assert_eq!(outcome.status, FileStatus::WouldMigrate, "{name}");
        let config = outcome
            .writes
            .iter()
            .find(|w| w.kind == WriteKind::Config)
            .unwrap();
        let current = config.current.as_ref().unwrap();
        assert_eq!(&**current, bytes.as_slice(), "{name}: the bytes as read");
        let source = &outcome.source.as_ref().unwrap().text;
        let same_memory = current.as_ptr() == source.as_ptr();
        assert_eq!(same_memory, shared, "{name}");
    }
}

#[test]
fn the_write_path_writes_what_was_planned() {
    let dir = folder();
    let k = dir.path().join("k.json");
    let (migrator, _) = prepare(settings(Mode::Write, &[&k]));
    let mut outcome = migrator.migrate_file(&Input::explicit(&k));
    assert_eq!(
        fs::read_to_string(&k).unwrap(),
        fixture(XRAY),
        "planning writes nothing"
    );
    let planned = outcome.writes.clone();
    migrator.apply(&mut outcome);
    assert_eq!(
        outcome.status,
        FileStatus::Migrated,
        "{:?}",
        outcome.diagnostics
    );
    for write in &planned {
        assert_eq!(
            fs::read(&write.path).unwrap(),
            write.bytes,
            "{:?}",
            write.kind
        );
    }
    // A second run finds nothing to do.
    let (again, _) = prepare(settings(Mode::Write, &[&k]));
    let outcome = again.migrate_file(&Input::explicit(&k));
    // It no longer mentions OpenCensus: skipped unparsed.
    assert_eq!(outcome.status, FileStatus::Skipped);
    assert!(outcome.writes.is_empty());
}

#[test]
fn a_file_in_the_way_stops_the_plan_whole() {
    let dir = folder();
    let k = dir.path().join("k.json");
    fs::write(dir.path().join("k.otel-collector.yaml"), "receivers: {}\n").unwrap();
    let (migrator, _) = prepare(settings(Mode::Preview, &[&k]));
    let outcome = migrator.migrate_file(&Input::explicit(&k));
    assert_eq!(outcome.status, FileStatus::Error);
    let last = outcome.diagnostics.last().unwrap();
    assert_eq!(last.code, Code::CollectorFileExists);
    assert!(last.message.contains("already exists with other contents"));
    assert!(outcome.writes.is_empty() && outcome.diff.is_empty());
}

#[test]
fn the_dirty_tree_guard_refuses_a_plan_before_any_of_it_is_written() {
    let dir = folder();
    let k = dir.path().join("k.json");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    fs::write(&k, fixture(XRAY).replace("eu-west-1", "eu-west-2")).unwrap();
    let outcomes = outcomes_of(Mode::Write, &[&k], Shown::Everything, |_| {});
    let [outcome] = outcomes.as_slice() else {
        panic!("one outcome");
    };
    assert_eq!(outcome.status, FileStatus::Error);
    assert_eq!(outcome.diagnostics.last().unwrap().code, Code::DirtyFile);
    assert!(!dir.path().join("k.otel-collector.yaml").exists());

    // --allow-dirty: written.
    let mut allowed = settings(Mode::Write, &[&k]);
    allowed.allow_dirty = true;
    let (migrator, inputs) = prepare(allowed);
    let summary = migrator.run(&inputs, &|| {}, |_| Ok::<(), ()>(())).unwrap();
    assert_eq!((summary.migrated, summary.errors), (1, 0));
    assert!(dir.path().join("k.otel-collector.yaml").exists());
}

#[test]
fn a_run_hands_over_outcomes_in_input_order_past_a_chunk() {
    let dir = tempfile::tempdir().unwrap();
    // More files than three chunks of parallel work hold: two chunks are
    // worked on at once (nothing is written), each lane more than once.
    let count = 3 * oc2otel::workspace::ops::CHUNK + 6;
    for i in 0..count {
        let text = if i % 3 == 0 {
            fixture(XRAY)
        } else {
            "{}".into()
        };
        fs::write(dir.path().join(format!("f{i:03}.json")), text).unwrap();
    }
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let (migrator, inputs) = prepare(settings(Mode::Check, &[dir.path(), &empty]));
    let done = AtomicUsize::new(0);
    let mut paths = Vec::new();
    let summary = migrator
        .run(
            &inputs,
            &|| {
                done.fetch_add(1, Ordering::Relaxed);
            },
            |o| {
                paths.push(o.path.clone());
                Ok::<(), ()>(())
            },
        )
        .unwrap();
    // The folder with nothing in it is said first, then each file in order.
    assert!(paths[0].ends_with("empty"), "{paths:?}");
    let files: Vec<String> = (0..count)
        .map(|i| {
            dir.path()
                .join(format!("f{i:03}.json"))
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(paths[1..], files[..]);
    assert_eq!(done.load(Ordering::Relaxed), count);
    let legacy = count.div_ceil(3);
    assert_eq!(
        (summary.files, summary.migrated, summary.skipped),
        (count + 1, legacy, count - legacy + 1)
    );
    assert_eq!(
        files_in(dir.path()).len(),
        count + 1,
        "--check writes nothing"
    );
}

/// Every outcome of a run in `mode` over `paths`, its report showing
/// `shown`; `adjust` changes the settings first.
fn outcomes_of(
    mode: Mode,
    paths: &[&Path],
    shown: Shown,
    adjust: impl Fn(&mut MigrateSettings),
) -> Vec<FileOutcome> {
    let mut settings = settings(mode, paths);
    settings.shown = shown;
    adjust(&mut settings);
    let (migrator, inputs) = prepare(settings);
    let mut outcomes = Vec::new();
    migrator
        .run(&inputs, &|| {}, |o| {
            outcomes.push(o);
            Ok::<(), ()>(())
        })
        .unwrap();
    outcomes
}

/// A `--check` whose report shows errors alone (the human one without
/// `-v`) does not look for the configs' secrets: a config without an
/// error comes out with the same status and diagnostics as in a run that
/// shows everything, marked unscrubbed and without its source. A config
/// with an error shows all its diagnostics, so it comes out as that run
/// makes it, scrubbed and with its redacted source, whether the error is
/// the pipeline's (an exporter ADOT lacks), the plan's (a file in the
/// way) or the run's claims' (the collector config on the deploy
/// snippet's path).
#[test]
fn a_check_showing_errors_alone_finds_secrets_only_for_configs_with_an_error() {
    let dir = folder();
    let k = dir.path().join("k.json");
    let influx = dir.path().join("influx.json");
    fs::write(
        &influx,
        r#"{"version": 3, "extra_config": {"telemetry/opencensus": {"exporters": {"influxdb": {"address": "http://u:pw@influx:8086", "db": "k"}}}}}"#,
    )
    .unwrap();
    let way = tempfile::tempdir().unwrap();
    let blocked = way.path().join("k.json");
    fs::write(&blocked, fixture(XRAY)).unwrap();
    fs::write(way.path().join("k.otel-collector.yaml"), "x: 1\n").unwrap();
    let none = |_: &mut MigrateSettings| {};
    let adot = |s: &mut MigrateSettings| s.file.options.collector = CollectorFlavor::Adot;
    let clash = |s: &mut MigrateSettings| {
        s.file.deploy = Some(Platform::Compose);
        s.collector_out = Some(dir.path().join("k.deploy.compose.yaml"));
    };
    type Adjust<'a> = &'a dyn Fn(&mut MigrateSettings);
    let cases: [(&[&Path], Adjust, bool); 4] = [
        (&[&k, &influx], &none, false),
        (&[&influx], &adot, true),
        (&[&blocked], &none, true),
        (&[&k], &clash, true),
    ];
    for (paths, adjust, error) in cases {
        let all = outcomes_of(Mode::Check, paths, Shown::Everything, adjust);
        let errors = outcomes_of(Mode::Check, paths, Shown::Errors, adjust);
        assert_eq!(all.len(), errors.len());
        for (all, errors) in all.iter().zip(&errors) {
            let what = &all.path;
            assert_eq!(all.status == FileStatus::Error, error, "{what}");
            assert_eq!(errors.status, all.status, "{what}");
            assert!(!all.unscrubbed && all.source.is_some(), "{what}");
            if error {
                assert_eq!(errors.diagnostics, all.diagnostics, "{what}");
                assert!(!errors.unscrubbed, "{what}");
                assert_eq!(
                    errors.source.as_ref().map(|s| &s.text),
                    all.source.as_ref().map(|s| &s.text),
                    "{what}"
                );
            } else {
                let codes =
                    |o: &FileOutcome| o.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>();
                assert_eq!(codes(errors), codes(all), "{what}");
                assert!(errors.unscrubbed && errors.source.is_none(), "{what}");
            }
        }
    }
}

/// `--write -q` does not look for the configs' secrets either: it writes
/// the same files as a run that shows everything.
#[test]
fn a_write_showing_errors_alone_writes_what_any_write_writes() {
    let mut written = Vec::new();
    for shown in [Shown::Everything, Shown::Errors] {
        let dir = folder();
        let outcomes = outcomes_of(Mode::Write, &[dir.path()], shown, |s| {
            s.allow_dirty = true;
        });
        let migrated: Vec<bool> = outcomes
            .iter()
            .map(|o| o.status == FileStatus::Migrated)
            .collect();
        let unscrubbed: Vec<bool> = outcomes.iter().map(|o| o.unscrubbed).collect();
        let files: Vec<(String, Vec<u8>)> = files_in(dir.path())
            .into_iter()
            .map(|name| {
                let bytes = fs::read(dir.path().join(&name)).unwrap();
                (name, bytes)
            })
            .collect();
        written.push((migrated, files));
        // Only a run that shows errors alone leaves a migrated config
        // unscrubbed.
        assert_eq!(
            unscrubbed,
            outcomes
                .iter()
                .map(|o| shown == Shown::Errors && o.status == FileStatus::Migrated)
                .collect::<Vec<_>>()
        );
    }
    assert!(written[0].0.contains(&true), "{:?}", written[0].0);
    assert_eq!(written[0], written[1]);
}

#[test]
fn explain_gives_the_fates_of_the_legacy_configs_only() {
    let dir = folder();
    let settings = ExplainSettings {
        walk: WalkSettings {
            paths: vec![dir.path().to_path_buf()],
            ..WalkSettings::default()
        },
        ..ExplainSettings::default()
    };
    let inputs = Inputs::collect(&settings.walk).unwrap();
    let explainer = Explainer::new(settings, &inputs);
    let mut explained = Vec::new();
    let summary = explainer
        .run(&inputs, |e| {
            explained.push(e);
            Ok::<(), ()>(())
        })
        .unwrap();
    assert_eq!((summary.files, summary.errors), (1, 0));
    assert!(explained[0].path.ends_with("k.json"));
    assert!(explained[0].diagnostics.iter().any(|d| d.fate.is_some()));
    // Named, an unrelated file is explained too: it has nothing to say.
    let named = explainer
        .explain_file(&Input::explicit(dir.path().join("other.json")))
        .unwrap();
    assert!(!named.error && named.diagnostics.is_empty());
}

#[test]
fn verify_compares_a_migration_with_its_source() {
    let dir = folder();
    let (old, k) = (dir.path().join("old.json"), dir.path().join("k.json"));
    fs::copy(&k, &old).unwrap();
    let (migrator, inputs) = prepare(settings(Mode::Write, &[&k]));
    migrator.run(&inputs, &|| {}, |_| Ok::<(), ()>(())).unwrap();
    let mut settings = VerifySettings {
        legacy: old,
        new: k,
        collector: None,
        otlp_endpoint: Default::default(),
        krakend_version: Default::default(),
        origins: Default::default(),
    };
    let Verified::Compared(comparison) = verify::verify(&settings) else {
        panic!("both configs read");
    };
    assert!(comparison.equivalent(), "{:?}", comparison.findings);
    assert!(
        comparison
            .collector
            .unwrap()
            .ends_with("k.otel-collector.yaml")
    );

    settings.legacy = PathBuf::from("-");
    settings.new = PathBuf::from("-");
    let Verified::BadInput(bad) = verify::verify(&settings) else {
        panic!("stdin twice is refused");
    };
    assert!(
        bad.diagnostics[0]
            .message
            .contains("only one of LEGACY and NEW")
    );
}

/// A reporter written outside the crate: what a new format implements.
#[derive(Default)]
struct Paths {
    files: usize,
}

impl Reporter<FileOutcome, Summary> for Paths {
    fn file(&mut self, file: &FileOutcome, out: &mut Streams<'_>) -> std::io::Result<()> {
        self.files += 1;
        writeln!(out.stdout, "{} {}", file.status.as_str(), file.path)
    }

    fn finish(&mut self, summary: &Summary, out: &mut Streams<'_>) -> std::io::Result<()> {
        writeln!(out.stderr, "{} of {}", summary.migrated, self.files)
    }
}

/// Run `reporter` over a check of `paths`; (stdout, stderr).
fn report(reporter: &mut dyn Reporter<FileOutcome, Summary>, paths: &[&Path]) -> (String, String) {
    let (migrator, inputs) = prepare(settings(Mode::Check, paths));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut out = Streams {
        stdout: &mut stdout,
        stderr: &mut stderr,
    };
    let summary = migrator
        .run(&inputs, &|| {}, |o| reporter.file(&o, &mut out))
        .unwrap();
    reporter.finish(&summary, &mut out).unwrap();
    (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

#[test]
fn any_reporter_takes_the_outcomes_of_a_run() {
    let dir = folder();
    let (stdout, stderr) = report(&mut Paths::default(), &[dir.path()]);
    let k = dir.path().join("k.json").display().to_string();
    let other = dir.path().join("other.json").display().to_string();
    assert_eq!(stdout, format!("would_migrate {k}\nskipped {other}\n"));
    assert_eq!(stderr, "1 of 2\n");
}

#[test]
fn every_format_has_a_reporter_that_reports_the_pending_file() {
    let dir = folder();
    let k = dir.path().join("k.json");
    let style = Style {
        verbosity: Verbosity::Normal,
        stdout_color: false,
        stderr_color: false,
        statistics: false,
    };
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["human", "json", "sarif", "github", "markdown"]);
    for &format in Format::ALL {
        let (stdout, stderr) = report(&mut *format.reporter(Mode::Check, style), &[&k]);
        let pending = match format {
            Format::Human => {
                stdout.starts_with(&format!("{}: uses telemetry/opencensus", k.display()))
            }
            Format::Json => {
                let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                doc["files"][0]["status"] == "would_migrate"
            }
            Format::Sarif => {
                let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                doc["runs"][0]["results"][0]["ruleId"] == "OC701"
            }
            Format::Github => stdout.starts_with("::error file="),
            Format::Markdown => stdout.contains("```mermaid\nflowchart LR\n"),
        };
        assert!(pending, "{}: {stdout}", format.name());
        assert!(!stdout.contains(CANARY) && !stderr.contains(CANARY));
    }
}

#[test]
fn settings_record_where_each_value_came_from() {
    let matches = oc2otel::cli::Cli::command()
        .try_get_matches_from(["oc2otel", "migrate", "--collector", "contrib", "k.json"])
        .unwrap();
    let origins = oc2otel::cli::settings::origins(&matches);
    assert_eq!(origins.of("collector"), Origin::CommandLine);
    assert_eq!(origins.of("paths"), Origin::CommandLine);
    assert_eq!(origins.of("otlp-endpoint"), Origin::Default);
    assert_eq!(origins.of("format"), Origin::Default);
}
