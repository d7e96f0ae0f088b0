//! `--format github`: GitHub Actions workflow commands, one line per
//! finding, which the runner turns into annotations on the pull request
//! (`::warning file=krakend.json,line=13,col=5,title=...::message`).
//!
//! The levels follow the human report: errors always, warnings unless
//! `-q`, infos (as notices) only with `-v`. GitHub shows about ten
//! annotations per level and step, so a run over many files is grouped:
//! one annotation per code and file (at its first place, counting the
//! others), and past [`PER_LEVEL`] annotations of a level, one per code
//! for all the remaining files, listing them. The next steps and the
//! summary go to the step's log. Values are escaped as the runner
//! expects: `%`, CR and LF everywhere, and also `:` and `,` in
//! properties.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use super::{Reporter, Streams, Style, Verbosity, ci, human};
use crate::model::diagnostic::{Code, Severity};
use crate::workspace::outcome::{FileOutcome, Summary};
use crate::workspace::settings::Mode;

/// How many annotations of one level (error, warning, notice) are written
/// for single files: GitHub shows about ten per level and step, so past
/// this the rest are grouped per code across files.
pub const PER_LEVEL: usize = 10;

/// `--format github`: the annotations on stdout, the summary on stderr,
/// into the step's log.
pub struct Github {
    mode: Mode,
    verbosity: Verbosity,
    /// Annotations written per level.
    written: BTreeMap<Severity, usize>,
    /// Past [`PER_LEVEL`]: per level and code, the files and how many
    /// findings, written as one annotation each at the end.
    overflow: BTreeMap<(Severity, Code), (Vec<String>, usize)>,
}

impl Github {
    pub fn new(mode: Mode, style: Style) -> Github {
        Github {
            mode,
            verbosity: style.verbosity,
            written: BTreeMap::new(),
            overflow: BTreeMap::new(),
        }
    }
}

impl Reporter<FileOutcome, Summary> for Github {
    fn file(&mut self, file: &FileOutcome, out: &mut Streams<'_>) -> io::Result<()> {
        let mut text = String::new();
        for group in grouped(file, ci::pending_level(self.mode), self.verbosity) {
            let level = group.first.severity;
            let written = self.written.entry(level).or_default();
            if *written < PER_LEVEL {
                *written += 1;
                text.push_str(&annotation(file, &group));
            } else {
                let (files, count) = self.overflow.entry((level, group.first.code)).or_default();
                files.push(file.path.clone());
                *count += group.lines.len();
            }
        }
        out.stdout.write_all(text.as_bytes())
    }

    fn finish(&mut self, summary: &Summary, out: &mut Streams<'_>) -> io::Result<()> {
        let mut text = String::new();
        for ((severity, code), (files, count)) in &self.overflow {
            // Every file is named: a pull request shows this one
            // annotation where it would not show the others.
            let message = format!(
                "{count} more like this in {} files ({}): {}",
                files.len(),
                code.description(),
                files.join(", ")
            );
            let _ = writeln!(
                text,
                "::{} title={}::{}",
                command(*severity),
                property(&format!("oc2otel {} ({})", code.as_str(), code.name())),
                data(&message)
            );
        }
        out.stdout.write_all(text.as_bytes())?;
        if self.verbosity == Verbosity::Quiet {
            return Ok(());
        }
        // Plain: a CI log shows escape codes as they are.
        let mut log = human::next_steps(summary, false, false);
        log.push_str(&human::summary(summary, self.mode, false));
        out.stderr.write_all(log.as_bytes())
    }
}

/// The findings of one file with one code and level: one annotation, at
/// the first, that counts the others.
struct Group<'a> {
    first: ci::Finding<'a>,
    /// The lines of all of them (`None`: the file as a whole).
    lines: Vec<Option<usize>>,
}

/// The findings of one file shown at this verbosity, grouped by level and
/// code, in the order of their first finding.
fn grouped(file: &FileOutcome, pending: Option<Severity>, verbosity: Verbosity) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for finding in ci::findings(file, pending) {
        let shown = match finding.severity {
            Severity::Error => true,
            Severity::Warning => verbosity != Verbosity::Quiet,
            Severity::Info => verbosity == Verbosity::Verbose,
        };
        if !shown {
            continue;
        }
        let same = |g: &&mut Group<'_>| {
            g.first.severity == finding.severity && g.first.code == finding.code
        };
        match groups.iter_mut().find(same) {
            Some(group) => group.lines.push(finding.line),
            None => groups.push(Group {
                lines: vec![finding.line],
                first: finding,
            }),
        }
    }
    groups
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// The workflow command of one group of findings.
fn annotation(file: &FileOutcome, group: &Group<'_>) -> String {
    let finding = &group.first;
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
    // Escaped before the runner's own escapes: no name or value of a file
    // may end the command or start another one.
    let mut message = super::shown(&finding.message).into_owned();
    if group.lines.len() > 1 {
        let lines: Vec<String> = group.lines[1..]
            .iter()
            .map(|l| l.map_or_else(|| "-".to_string(), |l| l.to_string()))
            .collect();
        message.push_str(&format!(
            "\n(and {} more like it in this file: lines {})",
            lines.len(),
            lines.join(", ")
        ));
    }
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(&super::shown(help));
    }
    format!(
        "::{} {}::{}\n",
        command(finding.severity),
        properties.join(","),
        data(&message)
    )
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
