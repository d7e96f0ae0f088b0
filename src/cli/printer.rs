//! Where output goes and how it looks: colors per stream, verbosity, and
//! writes that treat a closed pipe (`oc2otel ... | head`) as the end of
//! interest rather than an error.

use std::io::{self, Write};

use super::args::ColorChoice;
use crate::report::human::Verbosity;

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub stdout_color: bool,
    pub stderr_color: bool,
    pub verbosity: Verbosity,
}

impl Printer {
    pub fn new(choice: ColorChoice, verbosity: Verbosity) -> Printer {
        let choice = match choice {
            ColorChoice::Auto => anstream::ColorChoice::Auto,
            ColorChoice::Always => anstream::ColorChoice::Always,
            ColorChoice::Never => anstream::ColorChoice::Never,
        };
        let resolve = |auto: anstream::ColorChoice| {
            let c = if choice == anstream::ColorChoice::Auto {
                auto
            } else {
                choice
            };
            c != anstream::ColorChoice::Never
        };
        Printer {
            stdout_color: resolve(anstream::AutoStream::choice(&io::stdout())),
            stderr_color: resolve(anstream::AutoStream::choice(&io::stderr())),
            verbosity,
        }
    }

    /// Write to stdout. A closed pipe is not an error.
    pub fn out(&self, text: &str) -> io::Result<()> {
        quiet_pipe(io::stdout().lock().write_all(text.as_bytes()))
    }

    pub fn out_bytes(&self, bytes: &[u8]) -> io::Result<()> {
        quiet_pipe(io::stdout().lock().write_all(bytes))
    }

    /// Write to stderr.
    pub fn err(&self, text: &str) -> io::Result<()> {
        quiet_pipe(io::stderr().lock().write_all(text.as_bytes()))
    }
}

fn quiet_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
