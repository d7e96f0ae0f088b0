//! The output formats, each one variant with one arm in [`Format::spec`]:
//! its name for `--format`, its line in `--help`, how the preview's diffs
//! are made for it, and the reporter that writes it. The command line takes
//! its `--format` values from [`Format::ALL`], so a new format is a new
//! reporter file plus a variant here (see docs/design.md).

use super::explain::{ExplainHuman, ExplainJson};
use super::verify::{VerifyHuman, VerifyJson};
use super::{Reporter, Style, Verbosity, github, human, json, markdown, sarif};
use crate::workspace::ops::explain::{ExplainSummary, Explained};
use crate::workspace::ops::verify::Verified;
use crate::workspace::outcome::{FileOutcome, Summary};
use crate::workspace::settings::{DiffStyle, Mode, Shown};

/// A reporter of `migrate`.
pub type MigrateReporter = Box<dyn Reporter<FileOutcome, Summary>>;

/// The formats of `migrate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
}

/// What a format is.
pub struct FormatSpec {
    /// The `--format` value.
    pub name: &'static str,
    /// Its line in `--help`.
    pub help: &'static str,
    /// How the preview's diffs are made, on a terminal that takes colors
    /// (`None`: the format prints none, so none is made).
    pub diff: DiffStyle,
    /// Whether it shows each config's before/after picture (made only
    /// then).
    pub pictures: bool,
    /// The reporter, for a run in a mode.
    pub reporter: fn(Mode, Style) -> MigrateReporter,
}

impl Format {
    /// In `--help` order.
    pub const ALL: &'static [Format] = &[
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
    ];

    pub fn spec(self) -> FormatSpec {
        match self {
            Format::Human => FormatSpec {
                name: "human",
                help: "Diffs and annotated diagnostics",
                diff: DiffStyle::Colored,
                pictures: false,
                reporter: |mode, style| Box::new(human::Human::new(mode, style)),
            },
            Format::Json => FormatSpec {
                name: "json",
                help: "One JSON document on stdout (shape: docs/cli.md#json-report)",
                diff: DiffStyle::None,
                pictures: false,
                reporter: |_, _| Box::new(json::Json::default()),
            },
            Format::Sarif => FormatSpec {
                name: "sarif",
                help: "One SARIF 2.1.0 log on stdout, for code scanning",
                diff: DiffStyle::None,
                pictures: false,
                reporter: |mode, _| Box::new(sarif::Sarif::new(mode)),
            },
            Format::Github => FormatSpec {
                name: "github",
                help: "GitHub Actions annotations (workflow commands) on stdout",
                diff: DiffStyle::None,
                pictures: false,
                reporter: |mode, style| Box::new(github::Github::new(mode, style)),
            },
            Format::Markdown => FormatSpec {
                name: "markdown",
                help: "Markdown with a before/after Mermaid diagram per file, for pull requests and $GITHUB_STEP_SUMMARY",
                diff: DiffStyle::None,
                pictures: true,
                reporter: |mode, _| Box::new(markdown::Markdown::new(mode)),
            },
        }
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn reporter(self, mode: Mode, style: Style) -> MigrateReporter {
        (self.spec().reporter)(mode, style)
    }

    /// How the preview's diffs are made for this format on a standard
    /// output that does (`color`) or does not take colors.
    pub fn diff(self, color: bool) -> DiffStyle {
        match self.spec().diff {
            DiffStyle::Colored if !color => DiffStyle::Plain,
            style => style,
        }
    }

    /// How many files this format's report lists under each next step at
    /// `verbosity` (`None`: all of them).
    pub fn step_files(self, verbosity: Verbosity) -> Option<usize> {
        match self {
            Format::Human => human::step_files(verbosity),
            Format::Github => Some(human::STEP_FILES),
            Format::Markdown => Some(markdown::STEP_FILES),
            Format::Json => None,
            Format::Sarif => Some(0),
        }
    }

    /// What this format's report shows of each config's diagnostics in
    /// `mode` at `verbosity`.
    pub fn shown(self, mode: Mode, verbosity: Verbosity) -> Shown {
        match self {
            Format::Human => human::diagnostics_shown(mode, verbosity),
            _ => Shown::Everything,
        }
    }
}

/// The formats of `explain` and `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewFormat {
    Human,
    Json,
}

impl ViewFormat {
    /// In `--help` order.
    pub const ALL: &'static [ViewFormat] = &[ViewFormat::Human, ViewFormat::Json];

    /// The `--format` value and its line in `--help`.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            ViewFormat::Human => ("human", "Tables for people"),
            ViewFormat::Json => ("json", "One JSON document on stdout (shape in docs/cli.md)"),
        }
    }

    pub fn explain(self, style: Style) -> Box<dyn Reporter<Explained, ExplainSummary>> {
        match self {
            ViewFormat::Human => Box::new(ExplainHuman::new(style)),
            ViewFormat::Json => Box::new(ExplainJson::default()),
        }
    }

    pub fn verify(self, style: Style) -> Box<dyn Reporter<Verified>> {
        match self {
            ViewFormat::Human => Box::new(VerifyHuman::new(style)),
            ViewFormat::Json => Box::new(VerifyJson::new(style)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_listed_once_by_a_distinct_name() {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(names[0], "human");
    }

    #[test]
    fn only_a_format_that_shows_diffs_gets_them_and_colors_follow_the_terminal() {
        assert_eq!(Format::Human.diff(true), DiffStyle::Colored);
        assert_eq!(Format::Human.diff(false), DiffStyle::Plain);
        assert_eq!(Format::Json.diff(true), DiffStyle::None);
    }
}
