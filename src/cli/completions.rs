//! `oc2otel completions SHELL`: a completion script generated from the
//! same clap definition that parses the command line, so completions can
//! never drift from the real options.

use clap::CommandFactory;

use super::ExitStatus;
use super::args::{Cli, CompletionsArgs};
use super::printer::Printer;

pub fn run(args: CompletionsArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "oc2otel", &mut script);
    printer.out_bytes(&script)?;
    Ok(ExitStatus::Success)
}
