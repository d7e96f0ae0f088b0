//! Reports: what a run prints. Every output is a [`Reporter`] (as ruff's
//! `Emitter`): it is handed each file's result as soon as the file is done,
//! in input order, then the run's totals, and writes to standard output and
//! standard error. `migrate` has four, one file each: [`human`], [`json`],
//! [`sarif`] and [`github`] (the CI ones share [`ci`]); the `explain` and
//! `verify` views ([`explain`], [`verify`], laid out with [`text`]) are
//! reporters too. [`format`] is the one place that maps a `--format` value
//! to its reporter. What several formats print alike: the next steps
//! ([`steps`]) and the escaping of names ([`escape`]).
//!
//! Reporters render; they never decide. A status, a total or a planned
//! write comes from the workspace's outcomes, so no two formats can
//! disagree about a file.

pub mod ci;
pub mod explain;
pub mod format;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod picture;
pub mod preview;
pub mod sarif;
pub mod steps;
pub mod svg;
pub mod text;
pub mod verify;

use std::borrow::Cow;
use std::io::{self, Write};

pub use crate::model::redact::{Lines, printable};
pub use format::{Format, ViewFormat};

/// A name or value as every report shows it: on one line, control
/// characters escaped ([`printable`], the one escaping function, which
/// the collector config's comments and the deploy snippets use too).
pub fn shown(text: &str) -> Cow<'_, str> {
    printable(text, Lines::One)
}

/// A JSON document with the characters a terminal could act on escaped
/// as JSON escapes (`\u202e`): serde escapes C0 controls itself, not
/// DEL, C1, the line separators and bidirectional controls. The data is
/// the same once parsed.
pub fn json_text(text: String) -> String {
    if !text.chars().any(crate::model::redact::view::is_unsafe_char) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if crate::model::redact::view::is_unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Where a reporter writes.
pub struct Streams<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
}

/// An output format. `F` is what a file's result is (a migration's
/// [`FileOutcome`](crate::workspace::outcome::FileOutcome), an
/// explanation, a comparison), `S` the run's totals.
pub trait Reporter<F, S = ()> {
    /// One file's result, as soon as it is known.
    fn file(&mut self, file: &F, out: &mut Streams<'_>) -> io::Result<()>;

    /// The end of the run: close the document, print the summary.
    fn finish(&mut self, summary: &S, out: &mut Streams<'_>) -> io::Result<()>;
}

/// How much to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Errors and warnings with snippets, infos on one line each.
    Normal,
    /// Everything with snippets.
    Verbose,
}

/// How a report looks on this terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub verbosity: Verbosity,
    /// Whether standard output takes colors.
    pub stdout_color: bool,
    /// Whether standard error takes colors.
    pub stderr_color: bool,
    /// `--statistics`: end with a table of counts per diagnostic code.
    pub statistics: bool,
}

/// `text` in bold, when `color`.
fn bold(text: &str, color: bool) -> String {
    if color {
        format!("\u{1b}[1m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}
