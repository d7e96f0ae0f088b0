//! `oc2otel verify LEGACY NEW`: compare the effective telemetry of a
//! legacy config and of its migration ([`crate::workspace::ops::verify`]
//! does the work). Exit 0 for the same behaviour, 1 for differences (as
//! `migrate --check` with pending work: something to fix), 2 for an input
//! that could not be read.

use super::ExitStatus;
use super::args::VerifyArgs;
use super::printer::Printer;
use crate::workspace::ops::verify::{self, Verified};
use crate::workspace::settings::Origins;

pub fn run(args: VerifyArgs, origins: Origins, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let format = args.format;
    if args.collector.is_some() {
        printer.err("oc2otel: warning: `verify --collector` is now `--new-collector` (the old spelling goes away in a later release)\n")?;
    }
    let verified = verify::verify(&super::settings::verify(args, origins));
    let mut reporter = format.verify(printer.style);
    printer.report(|out| {
        reporter.file(&verified, out)?;
        reporter.finish(&(), out)
    })?;
    Ok(match verified {
        Verified::Compared(comparison) if comparison.equivalent() => ExitStatus::Success,
        Verified::Compared(_) => ExitStatus::Pending,
        Verified::BadInput(_) => ExitStatus::Error,
    })
}
