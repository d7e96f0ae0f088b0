//! `migrate --emit-deploy`: where a config's sidecar snippet goes, whether
//! it may go there, and what the report says about it. The snippet itself
//! is rendered by [`crate::migration::render::deploy`].
//!
//! The snippet is a file next to the config, `<stem>.deploy.<platform>.<ext>`,
//! planned like the collector config (see [`crate::workspace::plan`]):
//! previewed as a diff, written (before the config) with `--write`, and
//! never written over a different file.

use std::path::{Path, PathBuf};

use crate::migration::Migration;
use crate::migration::options::Options;
use crate::migration::render::deploy::{Platform, Sidecar};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::workspace::beside::Beside;
use crate::workspace::plan::{PlannedWrite, WriteKind};

/// `dir/krakend.json` -> `dir/krakend.deploy.compose.yaml`.
pub fn sibling_path(config: &Path, platform: Platform) -> PathBuf {
    snippet_path(
        config,
        platform,
        &crate::workspace::beside::sibling_stem(config),
    )
}

/// [`sibling_path`] for a config whose companions start with `stem`.
fn snippet_path(config: &Path, platform: Platform, stem: &str) -> PathBuf {
    config.with_file_name(format!("{stem}.{}", platform.file_suffix()))
}

/// Plan the snippet of one migrated config. `config` is `None` for
/// standard input; `beside`, its folder's listing when the run made one
/// (the folder is then not listed again). Diagnostics go to
/// `diagnostics`; `Err` means a file is in the way (the error says
/// which), and the config must be left unchanged.
pub fn plan(
    platform: Platform,
    config: Option<&Path>,
    beside: Option<&Beside>,
    migration: &Migration,
    collector_path: Option<&Path>,
    options: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<PlannedWrite>, Box<Diagnostic>> {
    let name = platform.display_name();
    let (Some(intent), Some(collector)) = (&migration.intent, &migration.collector) else {
        diagnostics.push(Diagnostic::info(
            Code::DeploySnippet,
            format!("no {name} snippet: this config sends nothing through a collector, so there is no sidecar to run"),
        ));
        return Ok(None);
    };
    let (Some(config), Some(collector_path)) = (config, collector_path) else {
        diagnostics.push(Diagnostic::info(
            Code::DeploySnippet,
            format!("no {name} snippet: it is written only next to a config file, not for standard input"),
        ));
        return Ok(None);
    };
    let file_name = |p: &Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let config_name = file_name(config);
    let collector_name = file_name(collector_path);
    let path = match beside {
        Some(beside) => snippet_path(config, platform, &beside.stem),
        None => sibling_path(config, platform),
    };
    let sidecar = Sidecar::new(
        platform,
        intent,
        collector,
        options,
        &config_name,
        &collector_name,
        &collector_source(&path, collector_path, &collector_name),
    )
    .for_service(&service_name(migration, config));
    let snippet = sidecar.render();

    let write = PlannedWrite::create_in(WriteKind::Deploy, &path, snippet.text, beside)?;

    let mut help = Vec::new();
    if !snippet.placeholders.is_empty() {
        help.push(format!("fill in {}", snippet.placeholders.join(", ")));
    }
    if !snippet.iam_actions.is_empty() {
        let role = match platform {
            Platform::Compose => "the collector's credentials need",
            Platform::Ecs => "the task role needs",
            Platform::K8s => "the service account's IAM role needs",
        };
        help.push(format!("{role} {}", snippet.iam_actions.join(", ")));
    }
    match platform {
        Platform::Ecs => help.push(format!(
            "upload the collector config: aws s3 cp {collector_name} s3://<config-bucket>/{collector_name}"
        )),
        Platform::K8s => help.push(format!(
            "create KrakenD's ConfigMap: kubectl create configmap {} --from-file={config_name}",
            sidecar.krakend_config_map()
        )),
        Platform::Compose => {}
    }
    let mut d = Diagnostic::info(
        Code::DeploySnippet,
        format!(
            "{name} snippet for the collector sidecar: {}",
            path.display()
        ),
    )
    .with_step(crate::model::next_steps::DEPLOY_SNIPPET_WRITTEN);
    if !help.is_empty() {
        d = d.with_help(help.join("; "));
    }
    diagnostics.push(d);
    if let Some(problem) = snippet.endpoint_problem {
        diagnostics.push(Diagnostic::warning(Code::DeployEndpoint, problem));
    }
    Ok(Some(write))
}

/// The service a config is, for the names of its snippet: the config's
/// own `name`, else its folder's name when the file has a generic name
/// (`services/orders/krakend.json` is `orders`), else the file's stem
/// (`prod.json` is `prod`).
fn service_name(migration: &Migration, config: &Path) -> String {
    if let Some(name) = migration
        .config_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        return name.to_string();
    }
    let stem = config
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let generic = ["krakend", "config", "gateway", "api-gateway", "settings"]
        .iter()
        .any(|g| stem.eq_ignore_ascii_case(g));
    // The folder as the path names it (not resolved): a run's names
    // depend on its arguments, not on where the repository is checked out.
    let folder = config
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned());
    match folder {
        Some(folder) if generic => folder,
        _ => stem,
    }
}

/// How a Compose file next to the config names the collector config: by
/// its file name when the two sit side by side (the default), else by an
/// absolute path (`--collector-out` elsewhere).
fn collector_source(snippet: &Path, collector: &Path, collector_name: &str) -> String {
    let dir = |p: &Path| {
        p.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let (a, b) = (dir(snippet), dir(collector));
    let same = a == b
        || matches!(
            (std::fs::canonicalize(&a), std::fs::canonicalize(&b)),
            (Ok(x), Ok(y)) if x == y
        );
    if same {
        format!("./{collector_name}")
    } else {
        std::fs::canonicalize(&b)
            .map(|d| d.join(collector_name))
            .unwrap_or_else(|_| collector.to_path_buf())
            .display()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_names_follow_the_config() {
        assert_eq!(
            sibling_path(Path::new("conf/prod.json"), Platform::Compose),
            Path::new("conf/prod.deploy.compose.yaml")
        );
        assert_eq!(
            sibling_path(Path::new("krakend.json"), Platform::Ecs),
            Path::new("krakend.deploy.ecs.json")
        );
        assert_eq!(
            sibling_path(Path::new("krakend.json"), Platform::K8s),
            Path::new("krakend.deploy.k8s.yaml")
        );
    }

    #[test]
    fn the_collector_config_is_found_beside_the_snippet() {
        assert_eq!(
            collector_source(
                Path::new("conf/k.deploy.compose.yaml"),
                Path::new("conf/k.otel-collector.yaml"),
                "k.otel-collector.yaml"
            ),
            "./k.otel-collector.yaml"
        );
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("adot.yaml");
        let source = collector_source(Path::new("k.deploy.compose.yaml"), &elsewhere, "adot.yaml");
        assert!(Path::new(&source).is_absolute(), "{source}");
        assert!(source.ends_with("adot.yaml"));
    }
}
