//! The workspace layer: files and folders, and the library operations that
//! run on them. Which files a run takes (`discover`, `input`, packed in
//! `input_list`), git's view of them (`vcs`), Flexible Configuration's
//! settings (`flexible`), the settings of a run (`settings`), one file's
//! outcome and planned writes (`outcome`, `plan`, `deploy`; `beside`, what
//! a config's folder says of the files planned next to it), the plans of a
//! run checked against each other (`claims`), the next steps of a run
//! grouped across files (`steps`), the paths a run keeps to its end
//! (`paths`), atomic writes (`write`), and the operations behind
//! `migrate`, `explain` and `verify` (`ops`).

pub mod beside;
pub mod claims;
pub mod deploy;
pub mod discover;
pub mod flexible;
pub mod git;
pub mod input;
pub mod input_list;
pub mod ops;
pub mod outcome;
pub mod paths;
pub mod plan;
pub mod project;
pub mod settings;
pub mod steps;
pub mod vcs;
pub mod write;

/// Settings that cannot work together, or with the run's inputs: the run
/// stops before any file is read.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("`-` (standard input) can be given only once")]
    StdinTwice,
    #[error("--stdin-filename names standard input, but `-` is not among the paths")]
    StdinNameWithoutStdin,
    /// An invalid `--include` or `--exclude` glob.
    #[error("{0}")]
    Walk(String),
    #[error(
        "--collector-out needs exactly one input file, since each config gets its own collector config"
    )]
    CollectorOutNeedsOneFile,
    /// The project config file is unreadable or invalid (the message
    /// names the file, line and column).
    #[error("{0}")]
    Config(String),
    /// `--collector-out -`: standard output is the report's (or, for `-`
    /// as input, the migrated config's), and a file named `-` is a trap.
    #[error(
        "--collector-out - is not supported: standard output carries the report (or the migrated config); name a file, or `./-` for a file named `-`"
    )]
    CollectorOutIsStdout,
    /// The schemas of `--schema-dir` could not be loaded.
    #[error("--schema-dir: {0}")]
    Schema(String),
}
