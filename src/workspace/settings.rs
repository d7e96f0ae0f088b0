//! The settings of a run, made once from the command line and passed down
//! (as uv's `settings`): nothing below `cli` sees clap types, and nothing
//! below `cli` decides a default.
//!
//! The project config file (`oc2otel.toml`, [`crate::workspace::project`])
//! fills what no flag gave: every setting records where its value came
//! from ([`Origins`]: a flag, the file, or the default), and what may
//! differ from one file to the next ([`FileSettings`]) is looked up per
//! input ([`MigrateSettings::for_file`]), with the file's per-path
//! overrides applied (a flag still wins).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::migration::options::{MetricsTarget, Options, OtlpEndpoint, TargetVersion};
use crate::migration::render::deploy::Platform;
use crate::workspace::SetupError;
use crate::workspace::discover::DiscoverOptions;
use crate::workspace::input::Input;
use crate::workspace::project::{self, PerFile, ProjectConfig};

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
    /// The top level of the project config file (`oc2otel.toml`).
    ConfigFile,
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

/// What the report shows of a config's diagnostics. It decides whether
/// the config's secrets are looked for at all: every message and snippet
/// shown is scrubbed of them, and looking costs a pass over every key and
/// string of the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shown {
    /// Messages and snippets of every severity.
    #[default]
    Everything,
    /// A config's errors alone; its warnings and infos are only counted
    /// (the human `--check` without `-v`).
    Errors,
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
    /// What the report shows of each config's diagnostics.
    pub shown: Shown,
    /// How many files the report lists under each next step (`None`: all);
    /// the run keeps only those, and counts the others.
    pub step_files: Option<usize>,
    /// Whether the report shows each config's before/after picture
    /// (`FileOutcome::picture` is made only then).
    pub pictures: bool,
    pub origins: Origins,
    /// The project config file, with its per-path overrides.
    pub project: Option<ProjectConfig>,
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
            shown: Shown::Everything,
            step_files: None,
            pictures: true,
            origins: Origins::default(),
            project: None,
        }
    }

    /// The settings that apply to `input`: the run's, with the overrides
    /// of the project config file whose paths match it (a flag still
    /// wins).
    pub fn for_file(&self, input: &Input) -> Cow<'_, FileSettings> {
        for_file(&self.file, self.project.as_ref(), &self.origins, input)
    }

    /// Read the project config file (`explicit`, else the one found up
    /// from the first path) and take from it every setting no flag gave.
    pub fn load_project(&mut self, explicit: Option<&Path>) -> Result<(), SetupError> {
        self.project = load(explicit, &self.walk.paths)?;
        if let Some(project) = &self.project {
            apply(project, &mut self.file, &mut self.walk, &mut self.origins);
        }
        Ok(())
    }

    /// Each setting with its value and where it came from, and each
    /// override (for `-v`).
    pub fn describe(&self) -> Vec<String> {
        describe(&self.file, &self.walk, &self.origins, self.project.as_ref())
    }
}

fn for_file<'a>(
    base: &'a FileSettings,
    project: Option<&ProjectConfig>,
    origins: &Origins,
    input: &Input,
) -> Cow<'a, FileSettings> {
    let (Some(project), Some(path)) = (project, input.path()) else {
        return Cow::Borrowed(base);
    };
    let mut file = Cow::Borrowed(base);
    for (_, o) in project.overrides_for(path) {
        set(file.to_mut(), &o.settings, origins, None);
    }
    file
}

/// Set in `file` what `values` sets and no flag gave; record the origin
/// when `origins` is given.
fn set(
    file: &mut FileSettings,
    values: &PerFile,
    flags: &Origins,
    mut origins: Option<&mut Origins>,
) {
    let free = |name: &str| flags.of(name) != Origin::CommandLine;
    let mut mark = |name: &str| {
        if let Some(o) = origins.as_deref_mut() {
            o.set(name, Origin::ConfigFile);
        }
    };
    if let Some(c) = values.collector.filter(|_| free("collector")) {
        file.options.collector = c.into();
        mark("collector");
    }
    if let Some(e) = values
        .otlp_endpoint
        .as_ref()
        .filter(|_| free("otlp-endpoint"))
    {
        file.options.otlp_endpoint = e.0.clone();
        mark("otlp-endpoint");
    }
    if let Some(v) = values.krakend_version.filter(|_| free("krakend-version")) {
        file.options.krakend_version = v.0;
        mark("krakend-version");
    }
    if let Some(m) = values.metrics.filter(|_| free("metrics")) {
        file.options.metrics = m.into();
        mark("metrics");
    }
    if let Some(e) = values
        .jaeger_collector
        .as_ref()
        .filter(|_| free("jaeger-collector"))
    {
        file.options.jaeger_collector = Some(e.0.clone());
        mark("jaeger-collector");
    }
    if let Some(m) = values.merge_settings.filter(|_| free("merge-settings")) {
        file.options.merge_settings = m.into();
        mark("merge-settings");
    }
}

fn load(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Option<ProjectConfig>, SetupError> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => {
            let first = paths
                .iter()
                .find(|p| p.as_os_str() != "-")
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            project::discover(&first)
        }
    };
    path.map(|p| ProjectConfig::load(&p))
        .transpose()
        .map_err(SetupError::Config)
}

fn apply(
    project: &ProjectConfig,
    file: &mut FileSettings,
    walk: &mut WalkSettings,
    origins: &mut Origins,
) {
    let flags = origins.clone();
    set(file, &project.top, &flags, Some(origins));
    for (name, globs, target) in [
        ("include", &project.include, &mut walk.discover.include),
        ("exclude", &project.exclude, &mut walk.discover.exclude),
    ] {
        if let Some(globs) = globs
            && flags.of(name) != Origin::CommandLine
        {
            target.clone_from(globs);
            origins.set(name, Origin::ConfigFile);
        }
    }
}

fn describe(
    file: &FileSettings,
    walk: &WalkSettings,
    origins: &Origins,
    project: Option<&ProjectConfig>,
) -> Vec<String> {
    let o = &file.options;
    let metrics = match o.metrics {
        MetricsTarget::Legacy => "legacy",
        MetricsTarget::Emf => "emf",
    };
    let rows = [
        ("collector", o.collector.as_str().to_string()),
        ("otlp-endpoint", o.otlp_endpoint.to_string()),
        ("krakend-version", o.krakend_version.to_string()),
        ("metrics", metrics.to_string()),
        (
            "jaeger-collector",
            o.jaeger_collector
                .as_ref()
                .map_or_else(|| "none".to_string(), ToString::to_string),
        ),
        ("merge-settings", o.merge_settings.as_str().to_string()),
        ("include", format!("{:?}", walk.discover.include)),
        ("exclude", format!("{:?}", walk.discover.exclude)),
    ];
    let file_name = project.map_or_else(String::new, |p| p.path.display().to_string());
    let mut out: Vec<String> = rows
        .iter()
        .map(|(name, value)| {
            let from = match origins.of(name) {
                Origin::Default => "default".to_string(),
                Origin::CommandLine => format!("--{name}"),
                Origin::ConfigFile => file_name.clone(),
            };
            format!("setting {name} = {value} (from {from})")
        })
        .collect();
    for (i, o) in project.iter().flat_map(|p| p.overrides.iter().enumerate()) {
        let values: Vec<String> = o
            .settings
            .set()
            .iter()
            .map(|(k, v)| {
                let flag = if origins.of(k) == Origin::CommandLine {
                    " (a flag wins)"
                } else {
                    ""
                };
                format!("{k} = {v}{flag}")
            })
            .collect();
        out.push(format!(
            "override {} of {file_name} for {}: {}",
            i + 1,
            o.paths.join(", "),
            values.join(", ")
        ));
    }
    out
}

/// Everything `explain` needs.
#[derive(Debug, Clone, Default)]
pub struct ExplainSettings {
    pub walk: WalkSettings,
    pub file: FileSettings,
    pub origins: Origins,
    pub project: Option<ProjectConfig>,
}

impl ExplainSettings {
    /// The settings that apply to `input` (as for `migrate`).
    pub fn for_file(&self, input: &Input) -> Cow<'_, FileSettings> {
        for_file(&self.file, self.project.as_ref(), &self.origins, input)
    }

    /// As [`MigrateSettings::load_project`].
    pub fn load_project(&mut self, explicit: Option<&Path>) -> Result<(), SetupError> {
        self.project = load(explicit, &self.walk.paths)?;
        if let Some(project) = &self.project {
            apply(project, &mut self.file, &mut self.walk, &mut self.origins);
        }
        Ok(())
    }

    /// As [`MigrateSettings::describe`].
    pub fn describe(&self) -> Vec<String> {
        describe(&self.file, &self.walk, &self.origins, self.project.as_ref())
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
    /// The KrakenD version NEW runs on (`auto`: from NEW's `$schema`).
    pub krakend_version: TargetVersion,
    pub origins: Origins,
}
