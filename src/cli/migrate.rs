//! `oc2otel migrate`: find the configs, migrate each one, then preview,
//! check or write, and report ([`crate::workspace::ops::migrate`] does the
//! work; this file wires it to a reporter and a progress bar).

use std::io::IsTerminal;

use super::ExitStatus;
use super::args::{FailOn, MigrateArgs};
use super::printer::Printer;
use crate::report::{Format, Verbosity};
use crate::workspace::input::Inputs;
use crate::workspace::ops::migrate::Migrator;
use crate::workspace::outcome::Summary;
use crate::workspace::settings::{Mode, Origins};

/// Runs with at least this many files get a progress bar (on a terminal).
const PROGRESS_THRESHOLD: usize = 20;

pub fn run(args: MigrateArgs, origins: Origins, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let (format, fail_on, config) = (args.format, args.fail_on, args.config.clone());
    let mut style = printer.style;
    style.statistics = args.statistics;
    let mut settings = super::settings::migrate(args, origins, printer);
    settings.load_project(config.as_deref())?;
    printer.settings(&settings.describe())?;
    let mode = settings.mode;
    let inputs = Inputs::collect(&settings.walk)?;
    let migrator = Migrator::new(settings, &inputs)?;
    let mut reporter = format.reporter(mode, style);
    let progress = progress_bar(inputs.len(), format, printer);
    let summary = printer.report(|out| -> std::io::Result<Summary> {
        let summary = migrator.run(&inputs, &|| progress.inc(1), |outcome| {
            progress.suspend(|| reporter.file(&outcome, out))
        })?;
        progress.finish_and_clear();
        reporter.finish(&summary, out)?;
        Ok(summary)
    })?;
    let failed_on = match fail_on {
        Some(FailOn::Warning) => summary.warnings > 0,
        Some(FailOn::Manual) => summary.manual > 0,
        None => false,
    };
    Ok(if summary.errors > 0 {
        ExitStatus::Error
    } else if (mode == Mode::Check && summary.migrated > 0) || failed_on {
        ExitStatus::Pending
    } else {
        ExitStatus::Success
    })
}

/// A progress bar on stderr for long runs on a terminal; hidden otherwise.
fn progress_bar(total: usize, format: Format, printer: &Printer) -> indicatif::ProgressBar {
    let visible = total >= PROGRESS_THRESHOLD
        && format == Format::Human
        && printer.style.verbosity != Verbosity::Quiet
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
