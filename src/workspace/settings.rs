//! The settings of a run, made once from the command line and passed down
//! (as uv's `settings`): nothing below `cli` sees clap types, and nothing
//! below `cli` decides a default.
//!
//! Two seams are ready for a project config file (`oc2otel.toml` found
//! upward from the inputs, with per-path overrides): every setting records
//! where its value came from ([`Origins`]), and what may differ from one
//! file to the next ([`FileSettings`]) is looked up per input
//! ([`MigrateSettings::for_file`]); today every input gets the run's.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::migration::options::{KrakendVersion, Options, OtlpEndpoint};
use crate::migration::render::deploy::Platform;
use crate::workspace::discover::DiscoverOptions;
use crate::workspace::input::Input;

/// What `migrate` does with a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Show the diffs, write nothing.
    Preview,
    /// Write the planned files.
    Write,
    /// Write nothing; only say what is pending.
    Check,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Preview => "preview",
            Mode::Write => "write",
            Mode::Check => "check",
        }
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Nobody set it: the built-in default.
    Default,
    /// A command-line flag.
    CommandLine,
}

/// The origin of each setting, by the setting's name (its long flag
/// without the dashes: `collector`, `otlp-endpoint`). A setting not listed
/// has its default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins(BTreeMap<String, Origin>);

impl Origins {
    pub fn set(&mut self, setting: impl Into<String>, origin: Origin) {
        self.0.insert(setting.into(), origin);
    }

    pub fn of(&self, setting: &str) -> Origin {
        self.0.get(setting).copied().unwrap_or(Origin::Default)
    }
}

/// How the preview shows a change (the diffs are made by the workers that
/// migrate the files, so their style is settled before the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffStyle {
    /// No diff: the report does not show one.
    None,
    /// A patch `git apply` accepts.
    Plain,
    /// Colored for a terminal, the changed words emphasised.
    Colored,
}

/// The settings that may differ from one file to the next.
#[derive(Debug, Clone, Default)]
pub struct FileSettings {
    /// What the migration of the file targets.
    pub options: Options,
    /// The platform of the sidecar snippet to write next to the config.
    pub deploy: Option<Platform>,
}

/// Which files a run takes.
#[derive(Debug, Clone, Default)]
pub struct WalkSettings {
    /// Files and folders as given; `-` is standard input.
    pub paths: Vec<PathBuf>,
    pub discover: DiscoverOptions,
    /// What standard input is called in messages, and whose extension
    /// says its format (`--stdin-filename`).
    pub stdin_name: Option<PathBuf>,
}

/// Everything `migrate` needs.
#[derive(Debug, Clone)]
pub struct MigrateSettings {
    pub mode: Mode,
    pub walk: WalkSettings,
    /// The settings of every file (until per-path overrides exist).
    pub file: FileSettings,
    /// Where the collector config goes instead of next to the config (one
    /// input only).
    pub collector_out: Option<PathBuf>,
    /// KrakenD's JSON schemas, to validate each new block against.
    pub schema_dir: Option<PathBuf>,
    /// Write files git holds no clean copy of.
    pub allow_dirty: bool,
    pub diff: DiffStyle,
    pub origins: Origins,
}

impl MigrateSettings {
    /// The defaults for `paths` in `mode`.
    pub fn new(mode: Mode, paths: Vec<PathBuf>) -> MigrateSettings {
        MigrateSettings {
            mode,
            walk: WalkSettings {
                paths,
                discover: DiscoverOptions::default(),
                stdin_name: None,
            },
            file: FileSettings::default(),
            collector_out: None,
            schema_dir: None,
            allow_dirty: false,
            diff: DiffStyle::Plain,
            origins: Origins::default(),
        }
    }

    /// The settings that apply to `input`.
    pub fn for_file(&self, _input: &Input) -> &FileSettings {
        &self.file
    }
}

/// Everything `explain` needs.
#[derive(Debug, Clone, Default)]
pub struct ExplainSettings {
    pub walk: WalkSettings,
    pub file: FileSettings,
    pub origins: Origins,
}

impl ExplainSettings {
    /// The settings that apply to `input`.
    pub fn for_file(&self, _input: &Input) -> &FileSettings {
        &self.file
    }
}

/// Everything `verify` needs.
#[derive(Debug, Clone)]
pub struct VerifySettings {
    /// The config before the migration (`-`: standard input).
    pub legacy: PathBuf,
    /// The config after it (`-`: standard input).
    pub new: PathBuf,
    /// The collector config NEW sends to; `None`: the one `migrate` would
    /// have written next to NEW, if it exists.
    pub collector: Option<PathBuf>,
    /// Where NEW's KrakenD reaches that collector.
    pub otlp_endpoint: OtlpEndpoint,
    /// The KrakenD version NEW runs on.
    pub krakend_version: KrakendVersion,
    pub origins: Origins,
}
