//! `oc2otel migrate`: find the configs, migrate each one, then preview,
//! check or write, and report.
//!
//! Files are processed in parallel, in chunks whose results are printed in
//! order as soon as the chunk is done, so memory stays flat however many
//! files a repository holds. Each file is independent: a failure is
//! reported and the others go on; the run then exits 2. Nothing is written
//! unless `--write` is given; then the collector config is written before
//! the config that points at it, and a file git holds no clean copy of is
//! refused unless `--allow-dirty`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use super::ExitStatus;
use super::args::{DeployArg, MigrateArgs, OutputFormat};
use super::deploy;
use super::printer::Printer;
use crate::migration::options::Options;
use crate::migration::render::deploy::Platform;
use crate::migration::schema::SchemaValidator;
use crate::migration::{self, Status};
use crate::model::diagnostic::{Code, Diagnostic, Severity};
use crate::model::redact::Redacted;
use crate::report::{self, FileReport, FileStatus, Summary, human};
use crate::syntax::diff;
use crate::syntax::source::{self, Format};
use crate::workspace::discover::{self, DiscoverOptions};
use crate::workspace::flexible::TemplateIndex;
use crate::workspace::vcs::GitGuard;
use crate::workspace::write;

/// How many files are processed between two flushes of the output.
const CHUNK: usize = 64;

/// Runs with at least this many files get a progress bar (on a terminal).
const PROGRESS_THRESHOLD: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Preview,
    Write,
    Check,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Preview => "preview",
            Mode::Write => "write",
            Mode::Check => "check",
        }
    }

    /// The level of a pending migration in CI reports.
    fn pending(self) -> Option<Severity> {
        match self {
            Mode::Check => Some(Severity::Error),
            Mode::Preview => Some(Severity::Warning),
            Mode::Write => None,
        }
    }
}

/// What one run needs to process a file.
struct Job {
    options: Options,
    schema: Option<SchemaValidator>,
    mode: Mode,
    format: OutputFormat,
    collector_out: Option<PathBuf>,
    deploy: Option<Platform>,
    guard: Option<GitGuard>,
    templates: TemplateIndex,
    printer: Printer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    Stdin,
    /// A file, and whether the user named it (rather than a walk found it).
    File(PathBuf, bool),
}

/// The outcome of one input, ready to print.
struct Outcome {
    report: FileReport,
    /// Human diagnostics, rendered in the worker.
    rendered: String,
    /// For stdin: the text to print on stdout.
    stdout: Option<Vec<u8>>,
}

pub fn run(args: MigrateArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let mode = if args.write {
        Mode::Write
    } else if args.check {
        Mode::Check
    } else {
        Mode::Preview
    };
    let stdin_count = args.paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        bail!("`-` (standard input) can be given only once");
    }
    let walked: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let discovery = discover::discover(
        &walked,
        &DiscoverOptions {
            no_ignore: args.no_ignore,
            include: args.include.clone(),
            exclude: args.exclude.clone(),
        },
    )
    .map_err(anyhow::Error::msg)?;
    let mut inputs: Vec<Input> = Vec::new();
    if stdin_count == 1 {
        inputs.push(Input::Stdin);
    }
    inputs.extend(
        discovery
            .files
            .iter()
            .map(|p| Input::File(p.clone(), walked.contains(p))),
    );
    if args.collector_out.is_some() && (inputs.len() != 1 || walked.iter().any(|p| p.is_dir())) {
        bail!(
            "--collector-out needs exactly one input file, since each config gets its own collector config"
        );
    }
    let schema = match &args.schema_dir {
        Some(dir) => Some(
            SchemaValidator::load(dir, args.krakend_version)
                .map_err(anyhow::Error::msg)
                .context("--schema-dir")?,
        ),
        None => None,
    };
    let guard =
        (mode == Mode::Write && !args.allow_dirty).then(|| GitGuard::snapshot(&discovery.files));
    let job = Job {
        options: Options {
            collector: super::input::flavor(args.collector),
            otlp_endpoint: args.otlp_endpoint.clone(),
            krakend_version: args.krakend_version,
            // --check writes nothing and answers "is anything pending?":
            // it skips re-reading its own output, the self-check that
            // guards a write (preview and --write run it).
            verify_output: mode != Mode::Check,
            metrics: super::input::metrics(args.metrics),
        },
        schema,
        mode,
        format: args.format,
        collector_out: args.collector_out.clone(),
        deploy: args.emit_deploy.map(|d| match d {
            DeployArg::Compose => Platform::Compose,
            DeployArg::Ecs => Platform::Ecs,
            DeployArg::K8s => Platform::K8s,
        }),
        guard,
        templates: TemplateIndex::for_files(&discovery.files),
        printer: *printer,
    };

    let progress = progress_bar(inputs.len(), args.format, printer);
    let mut summary = Summary::default();
    let mut json = report::json::Stream::default();
    // A SARIF log is one document: its results (small, no source text) are
    // kept until the end.
    let mut sarif = Vec::new();
    if args.format == OutputFormat::Json {
        printer.out(&json.begin())?;
    }
    let mut emit = |outcome: Outcome| -> anyhow::Result<()> {
        summary.add(&outcome.report);
        match args.format {
            OutputFormat::Json => printer.out(&json.file(&outcome.report))?,
            OutputFormat::Sarif => {
                sarif.extend(report::sarif::results(&outcome.report, mode.pending()))
            }
            OutputFormat::Github => printer.out(&report::github::annotations(
                &outcome.report,
                mode.pending(),
                printer.verbosity,
            ))?,
            OutputFormat::Human => progress.suspend(|| print_human(&outcome, mode, printer))?,
        }
        Ok(())
    };
    // What the walk could not read comes first, as reports of their own.
    for problem in &discovery.problems {
        let diagnostic = if problem.is_error {
            Diagnostic::error(Code::Unreadable, problem.message.clone())
        } else {
            Diagnostic::warning(Code::Unreadable, problem.message.clone())
        };
        let status = if problem.is_error {
            FileStatus::Error
        } else {
            FileStatus::Skipped
        };
        emit(failed(
            &problem.path.display().to_string(),
            Format::from_path(&problem.path),
            diagnostic,
            status,
            &job,
        ))?;
    }
    for chunk in inputs.chunks(CHUNK) {
        let outcomes: Vec<Outcome> = chunk
            .par_iter()
            .map(|input| {
                let outcome = process(input, &job);
                progress.inc(1);
                outcome
            })
            .collect();
        for outcome in outcomes {
            emit(outcome)?;
        }
    }
    progress.finish_and_clear();
    match args.format {
        OutputFormat::Json => printer.out(&json.end(&summary))?,
        OutputFormat::Sarif => printer.out(&report::sarif::log(sarif))?,
        // The summary goes to stderr, into the step's log.
        OutputFormat::Human | OutputFormat::Github
            if printer.verbosity != human::Verbosity::Quiet =>
        {
            let color = args.format == OutputFormat::Human && printer.stderr_color;
            printer.err(&human::summary(&summary, mode.as_str(), color))?
        }
        OutputFormat::Human | OutputFormat::Github => {}
    }
    Ok(if summary.errors > 0 {
        ExitStatus::Error
    } else if mode == Mode::Check && summary.migrated > 0 {
        ExitStatus::Pending
    } else {
        ExitStatus::Success
    })
}

/// A progress bar on stderr for long runs on a terminal; hidden otherwise.
fn progress_bar(total: usize, format: OutputFormat, printer: &Printer) -> indicatif::ProgressBar {
    let visible = total >= PROGRESS_THRESHOLD
        && format == OutputFormat::Human
        && printer.verbosity != human::Verbosity::Quiet
        && std::io::stderr().is_terminal();
    if !visible {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

fn print_human(outcome: &Outcome, mode: Mode, printer: &Printer) -> anyhow::Result<()> {
    let report = &outcome.report;
    match (&outcome.stdout, mode) {
        (Some(bytes), Mode::Preview | Mode::Write) => printer.out_bytes(bytes)?,
        (_, Mode::Preview) => printer.out(&report.diff)?,
        (_, Mode::Check) if report.status == FileStatus::WouldMigrate => {
            printer.out(&format!("{}\n", report.path))?
        }
        _ => {}
    }
    printer.err(&outcome.rendered)?;
    if mode == Mode::Write
        && let Some(line) = human::status_line(report)
        && (printer.verbosity != human::Verbosity::Quiet || report.status == FileStatus::Error)
    {
        printer.err(&format!("{line}\n"))?;
    }
    Ok(())
}

/// Render what a report says for people, then drop its source text, so
/// that finished files cost almost no memory.
fn finish(mut report: FileReport, job: &Job, stdout: Option<Vec<u8>>) -> Outcome {
    let rendered = match job.format {
        OutputFormat::Human => {
            human::diagnostics(&report, job.printer.verbosity, job.printer.stderr_color)
        }
        OutputFormat::Json | OutputFormat::Sarif | OutputFormat::Github => String::new(),
    };
    report.source = None;
    Outcome {
        report,
        rendered,
        stdout,
    }
}

/// A report for a file that could not be read or decoded.
fn failed(
    path: &str,
    format: Format,
    diagnostic: Diagnostic,
    status: FileStatus,
    job: &Job,
) -> Outcome {
    let report = FileReport {
        path: path.to_string(),
        format,
        status,
        collector_path: None,
        diagnostics: vec![diagnostic],
        source: None,
        diff: String::new(),
    };
    finish(report, job, None)
}

/// Whether the bytes mention a legacy key at all: the cheap test that lets
/// a walk skip unrelated files without parsing them.
fn mentions_legacy(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"opencensus").is_some()
}

fn process(input: &Input, job: &Job) -> Outcome {
    let (display, format, bytes) = match input {
        Input::Stdin => {
            let bytes = source::read_bounded(std::io::stdin().lock()).map_err(Into::into);
            ("-".to_string(), Format::Json, bytes)
        }
        Input::File(path, _) => {
            let display = path.display().to_string();
            let format = Format::from_path(path);
            if job.mode == Mode::Write {
                // Temporary files of killed runs go, whether or not this
                // file needs a write (src/write.rs says which are stale).
                write::sweep_stale_temp_files(&write::parent_dir(path));
            }
            (display, format, source::read_file(path))
        }
    };
    // A file found by a walk that never mentions a legacy key is skipped
    // unparsed; a file the user named is always read in full, so that its
    // problems are reported.
    let walked = matches!(input, Input::File(_, false));
    let bytes = match bytes {
        Ok(bytes) => bytes,
        // A walk meets data files (fixtures, dumps) far larger than any
        // config: said, but not a failure of the run.
        Err(err @ source::ReadError::TooLarge { .. }) if walked => {
            let d = Diagnostic::warning(Code::NotText, format!("not scanned: {err}"))
                .with_help("name the file on the command line if it really is a KrakenD config");
            return failed(&display, format, d, FileStatus::Skipped, job);
        }
        Err(err) => {
            let code = match err {
                source::ReadError::TooLarge { .. } => Code::NotText,
                _ => Code::Unreadable,
            };
            return failed(
                &display,
                format,
                Diagnostic::error(code, err.to_string()),
                FileStatus::Error,
                job,
            );
        }
    };
    let stdin = *input == Input::Stdin;
    if walked && !mentions_legacy(&bytes) {
        let report = FileReport {
            path: display,
            format,
            status: FileStatus::Skipped,
            collector_path: None,
            diagnostics: Vec::new(),
            source: None,
            diff: String::new(),
        };
        return finish(report, job, None);
    }
    let text = match source::decode(&bytes) {
        Ok(text) => text,
        Err(err) => {
            return failed(
                &display,
                format,
                decode_diagnostic(&bytes, &err),
                FileStatus::Error,
                job,
            );
        }
    };
    let name = match input {
        Input::Stdin => "standard input".to_string(),
        Input::File(path, _) => path
            .file_name()
            .map_or_else(|| display.clone(), |n| n.to_string_lossy().into_owned()),
    };
    let migration =
        migration::migrate(&text.text, format, &name, &job.options, job.schema.as_ref());
    let redacted_input = Redacted::new(&text.text, &migration.input_secrets);
    let format = migration.format;
    let mut report = FileReport {
        path: display.clone(),
        format,
        status: FileStatus::Unchanged,
        collector_path: None,
        diagnostics: migration.diagnostics.clone(),
        source: Some(redacted_input),
        diff: String::new(),
    };
    if let (Input::File(path, _), Status::Migrate) = (input, migration.status) {
        let pulls = job.templates.pulls(path);
        if !pulls.is_empty() {
            report.diagnostics = crate::workspace::flexible::pulled_block_diagnostics(
                &text.text,
                format,
                &pulls,
                &migration.diagnostics,
            );
            return finish(report, job, None);
        }
    }
    match migration.status {
        Status::Unchanged => return finish(report, job, stdin.then(|| bytes.clone())),
        Status::Error => {
            report.status = FileStatus::Error;
            return finish(report, job, None);
        }
        Status::Migrate => {}
    }
    let output = migration.output.clone().unwrap_or_default();
    let collector_yaml = migration.collector.as_ref().map(|c| c.to_yaml());
    let collector_path: Option<PathBuf> = match (&migration.collector, input) {
        (None, _) => None,
        (Some(_), _) if job.collector_out.is_some() => job.collector_out.clone(),
        (Some(_), Input::File(path, _)) => Some(sibling_collector_path(path)),
        (Some(_), Input::Stdin) => None,
    };
    report.collector_path = collector_path.as_ref().map(|p| p.display().to_string());

    // Never overwrite a collector config that says something else.
    let existing = match &collector_path {
        Some(path) if path.exists() => match source::read_file(path) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(err) => {
                report.status = FileStatus::Error;
                report.diagnostics.push(Diagnostic::error(
                    Code::CollectorFileExists,
                    format!(
                        "cannot read the existing collector config {}: {err}",
                        path.display()
                    ),
                ));
                return finish(report, job, None);
            }
        },
        _ => None,
    };
    if let (Some(existing), Some(yaml), Some(path)) = (&existing, &collector_yaml, &collector_path)
        && existing != yaml
    {
        report.status = FileStatus::Error;
        report.diagnostics.push(
            Diagnostic::error(
                Code::CollectorFileExists,
                format!(
                    "{} already exists with other contents: it is not overwritten, and the config is left unchanged",
                    path.display()
                ),
            )
            .with_help("move or delete that file, or choose another with --collector-out, then migrate again"),
        );
        return finish(report, job, None);
    }

    let input_path = match input {
        Input::File(path, _) => Some(path.as_path()),
        Input::Stdin => None,
    };
    let deploy = match job.deploy.map(|platform| {
        deploy::plan(
            platform,
            input_path,
            &migration,
            collector_path.as_deref(),
            &job.options,
            &mut report.diagnostics,
        )
    }) {
        Some(Err(())) => {
            report.status = FileStatus::Error;
            return finish(report, job, None);
        }
        Some(Ok(planned)) => planned,
        None => None,
    };

    if job.mode == Mode::Preview && !stdin {
        let color = job.printer.stdout_color && job.format == OutputFormat::Human;
        let redacted_output =
            Redacted::new(&output, &crate::model::redact::spans_in(&output, format));
        let redacted_input = report
            .source
            .as_ref()
            .map(|s| s.text.as_str())
            .unwrap_or_default();
        report.diff = diff::unified(
            &display,
            &display,
            Some(redacted_input),
            &redacted_output.text,
            color,
        );
        if let (Some(yaml), Some(path)) = (&collector_yaml, &report.collector_path) {
            report
                .diff
                .push_str(&diff::unified(path, path, existing.as_deref(), yaml, color));
        }
        if let Some(d) = &deploy {
            let path = d.path.display().to_string();
            report.diff.push_str(&diff::unified(
                &path,
                &path,
                d.existing.as_deref(),
                &d.text,
                color,
            ));
        }
    }
    if stdin && collector_yaml.is_some() && job.collector_out.is_none() {
        report.diagnostics.push(Diagnostic::info(
            Code::CollectorFileExists,
            "the collector config is not written when reading standard input without --collector-out FILE",
        ));
    }
    if job.mode == Mode::Write {
        if let (Input::File(path, _), Some(guard)) = (input, &job.guard)
            && let Some(why) = guard.refusal(path)
        {
            report.status = FileStatus::Error;
            report.diagnostics.push(
                Diagnostic::error(Code::DirtyFile, format!("not written: {why}"))
                    .with_help("commit or stash your changes first (the commit is the undo), or pass --allow-dirty"),
            );
            return finish(report, job, None);
        }
        if let (Some(yaml), Some(path)) = (&collector_yaml, &collector_path)
            && existing.is_none()
            && let Err(err) = write::create(path, yaml.as_bytes())
        {
            report.status = FileStatus::Error;
            report.diagnostics.push(Diagnostic::error(
                Code::Unreadable,
                format!(
                    "cannot write the collector config {}: {err}; the config is left unchanged",
                    path.display()
                ),
            ));
            return finish(report, job, None);
        }
        if let Some(d) = &deploy
            && d.existing.is_none()
            && let Err(err) = write::create(&d.path, d.text.as_bytes())
        {
            report.status = FileStatus::Error;
            report.diagnostics.push(Diagnostic::error(
                Code::Unreadable,
                format!(
                    "cannot write the deploy snippet {}: {err}; the config is left unchanged",
                    d.path.display()
                ),
            ));
            return finish(report, job, None);
        }
        if let Input::File(path, _) = input
            && let Err(err) = write::replace(path, &bytes, &text.to_file_bytes(&output))
        {
            report.status = FileStatus::Error;
            report.diagnostics.push(Diagnostic::error(
                Code::Unreadable,
                format!(
                    "cannot write {}: {err}; the file is left unchanged",
                    path.display()
                ),
            ));
            return finish(report, job, None);
        }
    }
    report.status = if job.mode == Mode::Write {
        FileStatus::Migrated
    } else {
        FileStatus::WouldMigrate
    };
    let stdout = stdin.then(|| text.to_file_bytes(&output));
    finish(report, job, stdout)
}

/// `dir/krakend.json` -> `dir/krakend.otel-collector.yaml`.
pub fn sibling_collector_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "krakend".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.otel-collector.yaml"))
}

/// A located error for bytes that are not a text config.
fn decode_diagnostic(bytes: &[u8], err: &source::DecodeError) -> Diagnostic {
    let mut d = Diagnostic::error(Code::NotText, err.to_string());
    if let Some((line, column)) = err.line_col(bytes) {
        d.line = Some(line);
        d.column = Some(column);
    }
    d
}
