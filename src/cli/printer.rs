//! Where output goes and how it looks: colors per stream, verbosity, and
//! writes that treat a closed pipe (`oc2otel ... | head`) as the end of
//! interest rather than an error.

use std::io::{self, Write};

use super::args::{ColorChoice, GlobalArgs};
use crate::report::{Streams, Style, Verbosity};

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub style: Style,
}

impl Printer {
    pub fn new(global: &GlobalArgs) -> Printer {
        let choice = match global.color {
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
        let verbosity = if global.quiet {
            Verbosity::Quiet
        } else if global.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        Printer {
            style: Style {
                verbosity,
                stdout_color: resolve(anstream::AutoStream::choice(&io::stdout())),
                stderr_color: resolve(anstream::AutoStream::choice(&io::stderr())),
                statistics: false,
            },
        }
    }

    /// Give a reporter the standard streams.
    pub fn report<T>(&self, f: impl FnOnce(&mut Streams<'_>) -> T) -> T {
        let mut stdout = QuietPipe(io::stdout());
        let mut stderr = QuietPipe(io::stderr());
        f(&mut Streams {
            stdout: &mut stdout,
            stderr: &mut stderr,
        })
    }

    /// Write to stdout.
    pub fn out_bytes(&self, bytes: &[u8]) -> io::Result<()> {
        QuietPipe(io::stdout().lock()).write_all(bytes)
    }

    /// With `-v`, where each setting came from (once per run, on stderr).
    pub fn settings(&self, lines: &[String]) -> io::Result<()> {
        if self.style.verbosity != Verbosity::Verbose {
            return Ok(());
        }
        self.err(&lines.iter().map(|l| format!("{l}\n")).collect::<String>())
    }

    /// Write to stderr.
    pub fn err(&self, text: &str) -> io::Result<()> {
        QuietPipe(io::stderr().lock()).write_all(text.as_bytes())
    }
}

/// A stream whose reader may go away: a closed pipe is not an error, and
/// what would have gone into it is dropped.
struct QuietPipe<W>(W);

impl<W: Write> Write for QuietPipe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.0.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(buf.len()),
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.0.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}
