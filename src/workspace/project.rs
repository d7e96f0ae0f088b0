//! The project config file, `oc2otel.toml`: what a team would otherwise
//! repeat on every command line (collector flavour, OTLP endpoint, KrakenD
//! version, metrics, the Jaeger collector, which side a merge keeps,
//! which files), and per-path overrides for the
//! services that differ.
//!
//! ```toml
//! collector = "adot"
//! otlp-endpoint = "localhost:4317"
//! krakend-version = "2.13"
//! metrics = "legacy"
//! merge-settings = "refuse"
//! jaeger-collector = "jaeger:4317"
//! exclude = ["legacy/**"]
//!
//! [[overrides]]
//! paths = ["services/zipkin/**"]
//! collector = "contrib"
//! ```
//!
//! One file per run: `--config FILE`, else the first `oc2otel.toml` found
//! going up from the first path (a file's folder, or the folder itself),
//! stopping at the root of its git repository (a folder holding `.git`)
//! or of the file system, as ruff and taplo look for theirs. Keys are
//! checked (an unknown or misspelt key, or a value of the wrong type, is
//! an error with the file's line and column), and a setting's value is a
//! type of its own, so that a new value (`auto`) is a new variant.
//! Precedence: a flag, then the last override whose paths match the file,
//! then the file's top level, then the default.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::migration::options::{
    CollectorFlavor, MergeSettings, MetricsTarget, OtlpEndpoint, TargetVersion,
};
use crate::syntax::source::LineIndex;

/// The file name looked for.
pub const FILE_NAME: &str = "oc2otel.toml";

/// `collector = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CollectorSetting {
    Auto,
    Adot,
    Contrib,
}

impl From<CollectorSetting> for CollectorFlavor {
    fn from(setting: CollectorSetting) -> CollectorFlavor {
        match setting {
            CollectorSetting::Auto => CollectorFlavor::Auto,
            CollectorSetting::Adot => CollectorFlavor::Adot,
            CollectorSetting::Contrib => CollectorFlavor::Contrib,
        }
    }
}

/// `metrics = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricsSetting {
    Legacy,
    Emf,
}

impl From<MetricsSetting> for MetricsTarget {
    fn from(setting: MetricsSetting) -> MetricsTarget {
        match setting {
            MetricsSetting::Legacy => MetricsTarget::Legacy,
            MetricsSetting::Emf => MetricsTarget::Emf,
        }
    }
}

/// `krakend-version = "auto"` or `"X.Y"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct VersionSetting(pub TargetVersion);

impl TryFrom<String> for VersionSetting {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse().map(VersionSetting)
    }
}

/// `merge-settings = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeSetting {
    Refuse,
    Existing,
    Legacy,
}

impl From<MergeSetting> for MergeSettings {
    fn from(setting: MergeSetting) -> MergeSettings {
        match setting {
            MergeSetting::Refuse => MergeSettings::Refuse,
            MergeSetting::Existing => MergeSettings::Existing,
            MergeSetting::Legacy => MergeSettings::Legacy,
        }
    }
}

/// `otlp-endpoint = "HOST[:PORT]"` (and `jaeger-collector`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct EndpointSetting(pub OtlpEndpoint);

impl TryFrom<String> for EndpointSetting {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse().map(EndpointSetting)
    }
}

/// The settings that may differ from one file to the next: the top level
/// of the file, and each override.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerFile {
    pub collector: Option<CollectorSetting>,
    pub otlp_endpoint: Option<EndpointSetting>,
    pub krakend_version: Option<VersionSetting>,
    pub metrics: Option<MetricsSetting>,
    pub jaeger_collector: Option<EndpointSetting>,
    pub merge_settings: Option<MergeSetting>,
}

impl PerFile {
    /// The settings set here, by their flag's name, with their values as
    /// written.
    pub fn set(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(c) = self.collector {
            out.push(("collector", CollectorFlavor::from(c).as_str().to_string()));
        }
        if let Some(e) = &self.otlp_endpoint {
            out.push(("otlp-endpoint", e.0.to_string()));
        }
        if let Some(v) = self.krakend_version {
            out.push(("krakend-version", v.0.to_string()));
        }
        if let Some(m) = self.metrics {
            let name = match m {
                MetricsSetting::Legacy => "legacy",
                MetricsSetting::Emf => "emf",
            };
            out.push(("metrics", name.to_string()));
        }
        if let Some(e) = &self.jaeger_collector {
            out.push(("jaeger-collector", e.0.to_string()));
        }
        if let Some(m) = self.merge_settings {
            out.push((
                "merge-settings",
                MergeSettings::from(m).as_str().to_string(),
            ));
        }
        out
    }
}

// No `#[serde(flatten)]`: serde cannot deny unknown fields through it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawFile {
    collector: Option<CollectorSetting>,
    otlp_endpoint: Option<EndpointSetting>,
    krakend_version: Option<VersionSetting>,
    metrics: Option<MetricsSetting>,
    jaeger_collector: Option<EndpointSetting>,
    merge_settings: Option<MergeSetting>,
    include: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawOverride {
    paths: Vec<String>,
    collector: Option<CollectorSetting>,
    otlp_endpoint: Option<EndpointSetting>,
    krakend_version: Option<VersionSetting>,
    metrics: Option<MetricsSetting>,
    jaeger_collector: Option<EndpointSetting>,
    merge_settings: Option<MergeSetting>,
}

/// Per-path settings: the files whose path (below the config file's
/// folder) matches one of `paths`.
#[derive(Debug, Clone)]
pub struct Override {
    pub paths: Vec<String>,
    matcher: GlobSet,
    pub settings: PerFile,
}

/// A parsed `oc2otel.toml`.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    pub path: PathBuf,
    /// Where the override globs are relative to (the file's folder).
    pub root: PathBuf,
    pub top: PerFile,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub overrides: Vec<Override>,
}

/// The first `oc2otel.toml` from `start` up, not past a git repository's
/// root.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = if start.is_dir() {
        start.to_path_buf()
    } else {
        crate::workspace::write::parent_dir(start)
    };
    let start = std::fs::canonicalize(&start).unwrap_or(start);
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

impl ProjectConfig {
    /// Read and check the file at `path`. The error says where:
    /// `oc2otel.toml:3:1: unknown field ...`.
    pub fn load(path: &Path) -> Result<ProjectConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("{}: cannot read it: {err}", path.display()))?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<ProjectConfig, String> {
        let mut raw: RawFile = toml_edit::de::from_str(text).map_err(|err| {
            let at = err.span().map_or_else(String::new, |span| {
                let (line, column) = LineIndex::new(text).line_col(text, span.start);
                format!(":{line}:{column}")
            });
            format!("{}{at}: {}", path.display(), err.message().trim())
        })?;
        let root = crate::workspace::write::parent_dir(path);
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        let mut overrides = Vec::new();
        for (i, o) in std::mem::take(&mut raw.overrides).into_iter().enumerate() {
            let mut builder = GlobSetBuilder::new();
            for pattern in &o.paths {
                let glob = Glob::new(pattern).map_err(|e| {
                    format!(
                        "{}: overrides[{i}]: invalid glob `{pattern}`: {e}",
                        path.display()
                    )
                })?;
                builder.add(glob);
            }
            let matcher = builder.build().map_err(|e| e.to_string())?;
            overrides.push(Override {
                paths: o.paths,
                matcher,
                settings: PerFile {
                    collector: o.collector,
                    otlp_endpoint: o.otlp_endpoint,
                    krakend_version: o.krakend_version,
                    metrics: o.metrics,
                    jaeger_collector: o.jaeger_collector,
                    merge_settings: o.merge_settings,
                },
            });
        }
        let t = raw;
        Ok(ProjectConfig {
            path: path.to_path_buf(),
            root,
            top: PerFile {
                collector: t.collector,
                otlp_endpoint: t.otlp_endpoint,
                krakend_version: t.krakend_version,
                metrics: t.metrics,
                jaeger_collector: t.jaeger_collector.clone(),
                merge_settings: t.merge_settings,
            },
            include: t.include,
            exclude: t.exclude,
            overrides,
        })
    }

    /// The overrides whose paths match `file`, in the file's order (a
    /// later one wins).
    pub fn overrides_for(&self, file: &Path) -> impl Iterator<Item = (usize, &Override)> {
        let relative = self.relative(file);
        self.overrides
            .iter()
            .enumerate()
            .filter(move |(_, o)| relative.as_ref().is_some_and(|r| o.matcher.is_match(r)))
    }

    /// `file` below the config file's folder, if it is there.
    fn relative(&self, file: &Path) -> Option<PathBuf> {
        let absolute = if file.is_absolute() {
            file.to_path_buf()
        } else {
            std::env::current_dir().ok()?.join(file)
        };
        let clean: PathBuf = absolute
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        if let Ok(rest) = clean.strip_prefix(&self.root) {
            return Some(rest.to_path_buf());
        }
        // Through a link: compare where both really are.
        let real = std::fs::canonicalize(&clean).ok()?;
        real.strip_prefix(&self.root).ok().map(Path::to_path_buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ProjectConfig, String> {
        ProjectConfig::parse(Path::new("oc2otel.toml"), text)
    }

    #[test]
    fn settings_and_overrides_are_read() {
        let config = parse(
            "collector = \"contrib\"\notlp-endpoint = \"adot:4319\"\nkrakend-version = \"2.10\"\nmetrics = \"emf\"\nexclude = [\"legacy/**\"]\n\n[[overrides]]\npaths = [\"services/zipkin/**\"]\ncollector = \"adot\"\n",
        )
        .unwrap();
        assert_eq!(config.top.collector, Some(CollectorSetting::Contrib));
        assert_eq!(config.top.otlp_endpoint.as_ref().unwrap().0.port, 4319);
        assert_eq!(
            config.exclude.as_deref(),
            Some(&["legacy/**".to_string()][..])
        );
        assert_eq!(config.overrides.len(), 1);
        assert_eq!(
            config.overrides[0].settings.set(),
            [("collector", "adot".to_string())]
        );
        let both = parse(
            "merge-settings = \"existing\"\n\n[[overrides]]\npaths = [\"a/**\"]\njaeger-collector = \"jaeger:4317\"\nmerge-settings = \"legacy\"\n",
        )
        .unwrap();
        assert_eq!(both.top.merge_settings, Some(MergeSetting::Existing));
        assert_eq!(
            both.overrides[0].settings.set(),
            [
                ("jaeger-collector", "jaeger:4317".to_string()),
                ("merge-settings", "legacy".to_string())
            ]
        );
        let err = parse("merge-settings = \"both\"\n").unwrap_err();
        assert!(err.contains("both") && err.contains(":1:"), "{err}");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_located() {
        let err = parse("collector = \"adot\"\ncolector = \"contrib\"\n").unwrap_err();
        assert!(err.starts_with("oc2otel.toml:2:1: "), "{err}");
        assert!(err.contains("colector"), "{err}");
        let err = parse("\n\nmetrics = \"cloudwatch\"\n").unwrap_err();
        assert!(err.starts_with("oc2otel.toml:3:11: "), "{err}");
        let err = parse("krakend-version = \"1.4\"\n").unwrap_err();
        assert!(err.starts_with("oc2otel.toml:1:19: "), "{err}");
        let err = parse("[[overrides]]\npaths = [\"a/**\"]\nmetric = \"emf\"\n").unwrap_err();
        assert!(err.starts_with("oc2otel.toml:3:1: "), "{err}");
        let err = parse("otlp-endpoint = 4317\n").unwrap_err();
        assert!(err.starts_with("oc2otel.toml:1:17: "), "{err}");
    }
}
