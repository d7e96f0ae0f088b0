//! The command line: parse arguments, run a subcommand, map the outcome to
//! an exit status. `main` stays a one-liner so tests can call [`run`].

pub mod args;
mod completions;
mod deploy;
mod explain;
mod input;
mod man;
mod migrate;
mod printer;
mod verify;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use printer::Printer;

use crate::report::human::Verbosity;

/// Exit statuses (SPEC section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done, or nothing to do.
    Success = 0,
    /// `--check` found pending migrations.
    Pending = 1,
    /// An error in a file, or bad usage.
    Error = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitStatus::Error.into()
            } else {
                ExitStatus::Success.into()
            };
        }
    };
    run(cli).into()
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let verbosity = if cli.global.quiet {
        Verbosity::Quiet
    } else if cli.global.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let printer = Printer::new(cli.global.color, verbosity);
    let result = match cli.command {
        args::Command::Migrate(args) => migrate::run(args, &printer),
        args::Command::Completions(args) => completions::run(args, &printer),
        args::Command::Man(args) => man::run(args, &printer),
        args::Command::Explain(args) => explain::run(args, &printer),
        args::Command::Verify(args) => verify::run(args, &printer),
    };
    match result {
        Ok(status) => status,
        Err(err) => {
            let _ = printer.err(&format!("oc2otel: error: {err:#}\n"));
            ExitStatus::Error
        }
    }
}
