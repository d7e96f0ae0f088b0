//! `--format github`: GitHub Actions workflow commands, one line per
//! finding, which the runner turns into annotations on the pull request
//! (`::warning file=krakend.json,line=13,col=5,title=...::message`).
//!
//! The levels follow the human report: errors always, warnings unless
//! `-q`, infos (as notices) only with `-v`; GitHub shows a limited number
//! of annotations per step, so the many infos stay out by default. Values
//! are escaped as the runner expects: `%`, CR and LF everywhere, and also
//! `:` and `,` in properties.

use std::fmt::Write as _;
use std::io;

use super::{Reporter, Streams, Style, Verbosity, ci, human};
use crate::model::diagnostic::Severity;
use crate::workspace::outcome::{FileOutcome, Summary};
use crate::workspace::settings::Mode;

/// `--format github`: the annotations on stdout, the summary on stderr,
/// into the step's log.
pub struct Github {
    mode: Mode,
    verbosity: Verbosity,
}

impl Github {
    pub fn new(mode: Mode, style: Style) -> Github {
        Github {
            mode,
            verbosity: style.verbosity,
        }
    }
}

impl Reporter<FileOutcome, Summary> for Github {
    fn file(&mut self, file: &FileOutcome, out: &mut Streams<'_>) -> io::Result<()> {
        let text = annotations(file, ci::pending_level(self.mode), self.verbosity);
        out.stdout.write_all(text.as_bytes())
    }

    fn finish(&mut self, summary: &Summary, out: &mut Streams<'_>) -> io::Result<()> {
        if self.verbosity == Verbosity::Quiet {
            return Ok(());
        }
        // Plain: a CI log shows escape codes as they are.
        out.stderr
            .write_all(human::summary(summary, self.mode, false).as_bytes())
    }
}

/// The workflow commands for one file.
fn annotations(file: &FileOutcome, pending: Option<Severity>, verbosity: Verbosity) -> String {
    let mut out = String::new();
    for finding in ci::findings(file, pending) {
        let shown = match finding.severity {
            Severity::Error => true,
            Severity::Warning => verbosity != Verbosity::Quiet,
            Severity::Info => verbosity == Verbosity::Verbose,
        };
        if !shown {
            continue;
        }
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if file.path != "-" {
            let path = file.path.strip_prefix("./").unwrap_or(&file.path);
            properties.push(format!("file={}", property(&super::shown(path))));
            if let Some(line) = finding.line {
                properties.push(format!("line={line}"));
                if let Some(column) = finding.column {
                    properties.push(format!("col={column}"));
                }
            }
        }
        properties.push(format!(
            "title={}",
            property(&format!(
                "oc2otel {} ({})",
                finding.code.as_str(),
                finding.code.name()
            ))
        ));
        // Escaped before the runner's own escapes: no name or value of a
        // file may end the command or start another one.
        let mut message = super::shown(&finding.message).into_owned();
        if let Some(help) = finding.help {
            message.push_str("\nhelp: ");
            message.push_str(&super::shown(&help));
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            data(&message)
        );
    }
    out
}

/// Escape a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
