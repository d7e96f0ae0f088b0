//! The command line: parse the arguments, turn them into settings once,
//! call a library operation, hand its results to a reporter, and map the
//! outcome to an exit status. `main` stays a one-liner so tests can call
//! [`run`].

pub mod args;
mod completions;
mod explain;
mod man;
mod migrate;
mod printer;
pub mod settings;
mod verify;

use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches};

pub use args::Cli;
use printer::Printer;

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
    // As clap's `Parser::try_parse`, keeping the matches: they say which
    // settings the command line gave.
    let mut command = Cli::command();
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)))
        .map_err(|err| err.format(&mut command));
    match parsed {
        Ok((cli, matches)) => run(cli, &matches).into(),
        Err(err) => {
            let _ = err.print();
            if err.use_stderr() {
                ExitStatus::Error.into()
            } else {
                ExitStatus::Success.into()
            }
        }
    }
}

/// Run a parsed command line (`matches`: what clap parsed it from).
pub fn run(cli: Cli, matches: &ArgMatches) -> ExitStatus {
    let printer = Printer::new(&cli.global);
    let origins = settings::origins(matches);
    let result = match cli.command {
        args::Command::Migrate(args) => migrate::run(args, origins, &printer),
        args::Command::Completions(args) => completions::run(args, &printer),
        args::Command::Man(args) => man::run(args, &printer),
        args::Command::Explain(args) => explain::run(args, origins, &printer),
        args::Command::Verify(args) => verify::run(args, origins, &printer),
    };
    match result {
        Ok(status) => status,
        Err(err) => {
            let _ = printer.err(&format!("oc2otel: error: {err:#}\n"));
            ExitStatus::Error
        }
    }
}
