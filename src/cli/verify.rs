//! `oc2otel verify LEGACY NEW`: compare the effective telemetry of a
//! config with an OpenCensus block and of its migrated version (plus the
//! collector config it sends to), for reviewers of a hand-made or older
//! migration.
//!
//! There are no migration diagnostics to explain a difference here, so
//! every difference fails the check (exit 1); only changes inherent to any
//! migration (B3 headers, parent-based sampling, ...) are notes. Inputs
//! that cannot be read are exit 2, with a located error.

use std::path::{Path, PathBuf};

use super::ExitStatus;
use super::args::{ReportFormat, VerifyArgs};
use super::input;
use super::printer::Printer;
use crate::migration::behaviour::collector::Collector;
use crate::migration::behaviour::{compare, legacy, otel};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::locate;
use crate::model::redact::{self, Redacted};
use crate::report::verify::{self, Report, Side};
use crate::report::{FileReport, FileStatus, human, text};
use crate::syntax;
use crate::syntax::source::LineIndex;
use crate::syntax::tree::Node;

/// An input that stops the check: its path, the diagnostics and, for
/// snippets, the redacted text.
struct BadInput {
    path: String,
    diagnostics: Vec<Diagnostic>,
    source: Option<Redacted>,
}

impl BadInput {
    fn whole(path: &Path, diagnostic: Diagnostic) -> BadInput {
        BadInput {
            path: path.display().to_string(),
            diagnostics: vec![diagnostic],
            source: None,
        }
    }
}

/// `dir/krakend.json` -> `dir/krakend.otel-collector.yaml`, as `migrate`
/// writes it.
fn sibling_collector(new: &Path) -> PathBuf {
    let stem = new
        .file_stem()
        .map_or_else(|| "krakend".into(), |s| s.to_string_lossy().into_owned());
    new.with_file_name(format!("{stem}.otel-collector.yaml"))
}

/// Read and parse a config.
fn parse(path: &Path) -> Result<(input::Input, Node), BadInput> {
    let input = input::read(path).map_err(|d| BadInput::whole(path, *d))?;
    let text = &input.text.text;
    match syntax::parse_tree(text, input.format) {
        Ok(root) => Ok((input, root)),
        Err(err) => {
            let end = text[err.offset..]
                .chars()
                .next()
                .map_or(err.offset, |c| err.offset + c.len_utf8());
            let mut d = Diagnostic::error(
                Code::InvalidSyntax,
                format!(
                    "invalid {}: {}",
                    input.format.as_str().to_uppercase(),
                    err.message
                ),
            )
            .at("", err.offset..end);
            d.locate(text, &LineIndex::new(text));
            Err(BadInput {
                path: input.display.clone(),
                diagnostics: vec![d],
                source: Some(Redacted::new(text, &redact::lexical_secret_spans(text))),
            })
        }
    }
}

pub fn run(args: VerifyArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match check(&args, printer) {
        Ok((out, equivalent)) => {
            printer.out(&out)?;
            // 1, as `migrate --check` with pending work: something to fix.
            Ok(if equivalent {
                ExitStatus::Success
            } else {
                ExitStatus::Pending
            })
        }
        Err(bad) => {
            let report = FileReport {
                path: bad.path,
                format: crate::syntax::source::Format::Json,
                status: FileStatus::Error,
                collector_path: None,
                diagnostics: bad.diagnostics,
                source: bad.source,
                diff: String::new(),
            };
            printer.err(&human::diagnostics(
                &report,
                human::Verbosity::Normal,
                printer.stderr_color,
            ))?;
            Ok(ExitStatus::Error)
        }
    }
}

/// The rendered report and whether the behaviours are equivalent.
fn check(args: &VerifyArgs, printer: &Printer) -> Result<(String, bool), BadInput> {
    if args.legacy.as_os_str() == "-" && args.new.as_os_str() == "-" {
        return Err(BadInput::whole(
            &args.new,
            Diagnostic::error(
                Code::Unreadable,
                "standard input can be only one of LEGACY and NEW",
            ),
        ));
    }
    let (legacy_input, legacy_root) = parse(&args.legacy)?;
    let legacy_side = match legacy::from_document(&legacy_root) {
        Ok(Some(side)) => side,
        Ok(None) => {
            return Err(BadInput::whole(
                &args.legacy,
                Diagnostic::error(
                    Code::Unreadable,
                    "no service-level `telemetry/opencensus` (or v1 key) block: nothing to verify against",
                )
                .with_help("LEGACY is the config before the migration, NEW the one after"),
            ));
        }
        Err(diagnostics) => {
            let text = &legacy_input.text.text;
            let index = LineIndex::new(text);
            let diagnostics = diagnostics
                .into_iter()
                .map(|mut d| {
                    d.locate(text, &index);
                    d
                })
                .collect();
            return Err(BadInput {
                path: legacy_input.display.clone(),
                diagnostics,
                source: Some(Redacted::new(text, &redact::secret_spans(&legacy_root))),
            });
        }
    };

    let (new_input, new_root) = parse(&args.new)?;
    let collector_path = match &args.collector {
        Some(path) => Some(path.clone()),
        None if args.new.as_os_str() != "-" => {
            Some(sibling_collector(&args.new)).filter(|p| p.is_file())
        }
        None => None,
    };
    let collector = match &collector_path {
        None => None,
        Some(path) => {
            let input = input::read(path).map_err(|d| BadInput::whole(path, *d))?;
            match Collector::parse(&input.text.text) {
                Ok(collector) => Some(collector),
                Err(err) => {
                    let mut d = Diagnostic::error(
                        Code::InvalidSyntax,
                        format!("invalid collector config: {}", err.message),
                    );
                    d.line = err.line;
                    d.column = err.column;
                    // No snippet (a collector config may hold secrets that
                    // only JSON redaction would miss): the location goes
                    // with the path.
                    let mut bad = BadInput::whole(path, d);
                    if let (Some(line), Some(column)) = (err.line, err.column) {
                        bad.path = format!("{}:{line}:{column}", bad.path);
                    }
                    return Err(bad);
                }
            }
        }
    };

    let mut new = otel::behaviour(
        &new_root,
        collector.as_ref(),
        Some(&args.otlp_endpoint),
        args.krakend_version,
    );
    let located = locate::locate(&new_root);
    if let Some(block) = located
        .blocks
        .iter()
        .find(|b| b.scope != locate::Scope::Unread)
    {
        new.problems.push(format!(
            "NEW still has `{}` at {}: KrakenD runs it next to OpenTelemetry",
            block.namespace.key(),
            block.pointer()
        ));
    }
    // Whether an OTLP exporter of NEW sends to the collector endpoint.
    let feeds_collector = match otel::read(&new_root, args.krakend_version) {
        otel::Read::Block(block) => block.otlp.iter().any(|e| {
            e.host.eq_ignore_ascii_case(&args.otlp_endpoint.host)
                && e.port == Some(args.otlp_endpoint.port)
        }),
        _ => false,
    };
    let mut hints = Vec::new();
    match &collector_path {
        Some(path) if !feeds_collector => hints.push(format!(
            "no OTLP exporter of NEW sends to {}, so {} was not used; pass --otlp-endpoint with the host and port NEW's KrakenD reaches the collector at",
            args.otlp_endpoint,
            path.display()
        )),
        None if feeds_collector => hints.push(if args.new.as_os_str() == "-" {
            "pass the collector config with --collector FILE".to_string()
        } else {
            format!(
                "{} does not exist: pass the collector config with --collector FILE",
                sibling_collector(&args.new).display()
            )
        }),
        _ => {}
    }
    let findings = compare::compare(&legacy_side.behaviour, &new);
    let new_block = otel::find(&new_root).map(|(_, pointer)| pointer);
    let collector_display = collector_path.as_ref().map(|p| p.display().to_string());
    let report = Report {
        legacy: Side {
            path: &legacy_input.display,
            block: Some(legacy_side.pointer.clone()),
            behaviour: &legacy_side.behaviour,
        },
        new: Side {
            path: &new_input.display,
            block: new_block,
            behaviour: &new,
        },
        collector: collector_display.as_deref(),
        findings: &findings,
        hints: &hints,
    };
    let out = match args.format {
        ReportFormat::Json => verify::json(&report),
        ReportFormat::Human => verify::human(
            &report,
            text::width(),
            printer.stdout_color,
            printer.verbosity == human::Verbosity::Quiet,
        ),
    };
    Ok((out, report.equivalent()))
}
