//! `oc2otel migrate`: read each input, migrate it, then preview, check or
//! write, and report.
//!
//! Files are processed in parallel and independently: a file that fails is
//! reported and the others go on; the run then exits 2. Nothing is written
//! unless `--write` is given, and for each file the collector config is
//! written before the config that points at it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use super::ExitStatus;
use super::args::{CollectorArg, MigrateArgs, OutputFormat};
use super::printer::Printer;
use crate::diagnostic::{Code, Diagnostic};
use crate::diff;
use crate::migrate::{self, Status};
use crate::options::{CollectorFlavor, Options};
use crate::redact::Redacted;
use crate::report::{self, FileReport, FileStatus, human};
use crate::schema::SchemaValidator;
use crate::source::{self, Format};
use crate::write;

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
}

/// What one run needs to process a file.
struct Job {
    options: Options,
    schema: Option<SchemaValidator>,
    mode: Mode,
    collector_out: Option<PathBuf>,
    color: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    Stdin,
    File(PathBuf),
}

/// The outcome of one input.
struct Outcome {
    report: FileReport,
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
    let inputs: Vec<Input> = args
        .paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::File(p.clone())
            }
        })
        .collect();
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        bail!("`-` (standard input) can be given only once");
    }
    if args.collector_out.is_some() && inputs.len() != 1 {
        bail!(
            "--collector-out needs exactly one input, since each config gets its own collector config"
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
    let job = Job {
        options: Options {
            collector: match args.collector {
                CollectorArg::Adot => CollectorFlavor::Adot,
                CollectorArg::Contrib => CollectorFlavor::Contrib,
            },
            otlp_endpoint: args.otlp_endpoint.clone(),
            krakend_version: args.krakend_version,
        },
        schema,
        mode,
        collector_out: args.collector_out.clone(),
        color: printer.stdout_color && args.format == OutputFormat::Human,
    };

    let outcomes: Vec<Outcome> = inputs
        .par_iter()
        .map(|input| process(input, &job))
        .collect();
    let reports: Vec<FileReport> = outcomes.iter().map(|o| o.report.clone()).collect();

    match args.format {
        OutputFormat::Json => printer.out(&report::json::render(&reports))?,
        OutputFormat::Human => print_human(&outcomes, &reports, mode, printer)?,
    }
    Ok(exit_status(&reports, mode))
}

fn exit_status(reports: &[FileReport], mode: Mode) -> ExitStatus {
    if reports.iter().any(|r| r.status == FileStatus::Error) {
        ExitStatus::Error
    } else if mode == Mode::Check && reports.iter().any(|r| r.status == FileStatus::WouldMigrate) {
        ExitStatus::Pending
    } else {
        ExitStatus::Success
    }
}

fn print_human(
    outcomes: &[Outcome],
    reports: &[FileReport],
    mode: Mode,
    printer: &Printer,
) -> anyhow::Result<()> {
    for outcome in outcomes {
        let report = &outcome.report;
        match (&outcome.stdout, mode) {
            (Some(bytes), Mode::Preview | Mode::Write) => printer.out_bytes(bytes)?,
            (_, Mode::Preview) => printer.out(&report.diff)?,
            (_, Mode::Check) if report.status == FileStatus::WouldMigrate => {
                printer.out(&format!("{}\n", report.path))?
            }
            _ => {}
        }
        let diagnostics = human::diagnostics(report, printer.verbosity, printer.stderr_color);
        printer.err(&diagnostics)?;
        if mode == Mode::Write
            && let Some(line) = human::status_line(report)
            && (printer.verbosity != human::Verbosity::Quiet || report.status == FileStatus::Error)
        {
            printer.err(&format!("{line}\n"))?;
        }
    }
    if printer.verbosity != human::Verbosity::Quiet {
        printer.err(&human::summary(
            reports,
            mode.as_str(),
            printer.stderr_color,
        ))?;
    }
    Ok(())
}

/// A report for a file that could not be read or decoded.
fn failed(path: &str, format: Format, diagnostic: Diagnostic, source: Option<Redacted>) -> Outcome {
    Outcome {
        report: FileReport {
            path: path.to_string(),
            format,
            status: FileStatus::Error,
            collector_path: None,
            diagnostics: vec![diagnostic],
            source,
            diff: String::new(),
        },
        stdout: None,
    }
}

fn process(input: &Input, job: &Job) -> Outcome {
    let (display, format, bytes) = match input {
        Input::Stdin => {
            let bytes = source::read_bounded(std::io::stdin().lock()).map_err(Into::into);
            ("-".to_string(), Format::Json, bytes)
        }
        Input::File(path) => {
            let display = path.display().to_string();
            let format = Format::from_path(path);
            if path.is_dir() {
                let d = Diagnostic::error(
                    Code::Unreadable,
                    "is a directory; give the config files to migrate",
                )
                .with_help("pass the files themselves, e.g. `oc2otel migrate config/*.json`");
                return failed(&display, format, d, None);
            }
            if job.mode == Mode::Write {
                // Temporary files of killed runs go, whether or not this
                // file needs a write (src/write.rs says which are stale).
                write::sweep_stale_temp_files(&write::parent_dir(path));
            }
            (display, format, source::read_file(path))
        }
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(err) => {
            let code = match err {
                source::ReadError::TooLarge { .. } => Code::NotText,
                _ => Code::Unreadable,
            };
            return failed(
                &display,
                format,
                Diagnostic::error(code, err.to_string()),
                None,
            );
        }
    };
    let text = match source::decode(&bytes) {
        Ok(text) => text,
        Err(err) => return failed(&display, format, decode_diagnostic(&bytes, &err), None),
    };
    let name = match input {
        Input::Stdin => "standard input".to_string(),
        Input::File(path) => path
            .file_name()
            .map_or_else(|| display.clone(), |n| n.to_string_lossy().into_owned()),
    };
    let migration = migrate::migrate(&text.text, format, &name, &job.options, job.schema.as_ref());
    let redacted_input = Redacted::new(&text.text, &migration.input_secrets);
    let mut report = FileReport {
        path: display.clone(),
        format,
        status: FileStatus::Unchanged,
        collector_path: None,
        diagnostics: migration.diagnostics.clone(),
        source: Some(redacted_input.clone()),
        diff: String::new(),
    };
    let stdin = *input == Input::Stdin;
    match migration.status {
        Status::Unchanged => {
            return Outcome {
                report,
                stdout: stdin.then(|| bytes.clone()),
            };
        }
        Status::Error => {
            report.status = FileStatus::Error;
            return Outcome {
                report,
                stdout: None,
            };
        }
        Status::Migrate => {}
    }
    let output = migration.output.clone().unwrap_or_default();
    let collector_yaml = migration.collector.as_ref().map(|c| c.to_yaml());
    let collector_path: Option<PathBuf> = match (&migration.collector, input) {
        (None, _) => None,
        (Some(_), _) if job.collector_out.is_some() => job.collector_out.clone(),
        (Some(_), Input::File(path)) => Some(sibling_collector_path(path)),
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
                return Outcome {
                    report,
                    stdout: None,
                };
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
        return Outcome {
            report,
            stdout: None,
        };
    }

    if job.mode == Mode::Preview && !stdin {
        let redacted_output = Redacted::new(&output, &crate::redact::spans_in(&output, format));
        report.diff = diff::unified(
            &display,
            &display,
            Some(&redacted_input.text),
            &redacted_output.text,
            job.color,
        );
        if let (Some(yaml), Some(path)) = (&collector_yaml, &report.collector_path) {
            report.diff.push_str(&diff::unified(
                path,
                path,
                existing.as_deref(),
                yaml,
                job.color,
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
            return Outcome {
                report,
                stdout: None,
            };
        }
        if let Input::File(path) = input
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
            return Outcome {
                report,
                stdout: None,
            };
        }
    }
    report.status = if job.mode == Mode::Write {
        FileStatus::Migrated
    } else {
        FileStatus::WouldMigrate
    };
    Outcome {
        report,
        stdout: stdin.then(|| text.to_file_bytes(&output)),
    }
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
