//! Flexible Configuration across files: which templates read which
//! settings.
//!
//! A settings file (`settings/service.json`) is data for templates. When a
//! template inserts its `extra_config` wholesale (`{{ marshal
//! .service.extra_config }}`), the legacy block in the settings file ends up
//! in the config KrakenD runs, but rewriting the settings file alone is a
//! change to the template's input whose effect only the template decides.
//! Such blocks are left unchanged and reported as a manual step that names
//! the template, the line and the action.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::diagnostic::{Code, Diagnostic};
use crate::syntax::source::LineIndex;
use crate::syntax::template;

/// A template action that reads settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsUse {
    pub template: PathBuf,
    pub line: usize,
    pub expression: String,
}

/// The settings namespace of a settings file (`settings/service.json` ->
/// `service`), if the path is one.
pub fn settings_namespace(path: &Path) -> Option<String> {
    let parent = path.parent()?;
    let in_settings = crate::syntax::source::has_folder(parent, "settings");
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    (in_settings && json)
        .then(|| path.file_stem()?.to_str().map(String::from))
        .flatten()
}

/// The folder holding the `settings` folder of a settings file.
fn flexible_root(path: &Path) -> Option<PathBuf> {
    let mut dir = path.parent()?;
    while dir.file_name().is_some_and(|n| n != "settings") {
        dir = dir.parent()?;
    }
    dir.parent().map(Path::to_path_buf)
}

/// Whether an action reads the `extra_config` of `namespace` whole:
/// `.service.extra_config` or `.service` itself.
fn reads_extra_config(expression: &str, namespace: &str) -> bool {
    let needle = format!(".{namespace}");
    expression.match_indices(&needle).any(|(i, _)| {
        let before_ok = i == 0 || !expression.as_bytes()[i - 1].is_ascii_alphanumeric();
        let rest = &expression[i + needle.len()..];
        let whole = rest.is_empty() || rest.starts_with([' ', ')', '|', '\t']);
        before_ok && (whole || rest.starts_with(".extra_config"))
    })
}

/// The template actions of Flexible Configuration folders, read once each.
#[derive(Debug, Default)]
pub struct TemplateIndex {
    /// Flexible Configuration root -> actions of its templates.
    roots: HashMap<PathBuf, Vec<SettingsUse>>,
}

impl TemplateIndex {
    /// Index the templates of the Flexible Configuration folders that hold
    /// the settings files among `files` (their `*.tmpl`, up to a few levels
    /// down, honouring nothing but the extension: templates are small).
    pub fn for_files(files: &[PathBuf]) -> TemplateIndex {
        let mut index = TemplateIndex::default();
        for file in files {
            if settings_namespace(file).is_none() {
                continue;
            }
            let Some(root) = flexible_root(file) else {
                continue;
            };
            if index.roots.contains_key(&root) {
                continue;
            }
            let mut uses = Vec::new();
            let walker = ignore::WalkBuilder::new(&root)
                .max_depth(Some(4))
                .hidden(true)
                .build();
            for entry in walker.flatten() {
                let path = entry.path();
                if path.extension().is_none_or(|e| e != "tmpl") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                let lines = LineIndex::new(&text);
                for action in template::actions(&text) {
                    uses.push(SettingsUse {
                        template: path.to_path_buf(),
                        line: lines.line_col(&text, action.span.start).0,
                        expression: action.expression,
                    });
                }
            }
            index.roots.insert(root, uses);
        }
        index
    }

    /// The actions that insert the `extra_config` of the settings file at
    /// `path` into a config.
    pub fn pulls(&self, path: &Path) -> Vec<&SettingsUse> {
        if self.roots.is_empty() {
            return Vec::new();
        }
        let (Some(namespace), Some(root)) = (settings_namespace(path), flexible_root(path)) else {
            return Vec::new();
        };
        self.roots
            .get(&root)
            .map(|uses| {
                uses.iter()
                    .filter(|u| reads_extra_config(&u.expression, &namespace))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A settings file whose `extra_config` a template inserts: the block is
/// left as it is and the diagnostics say which action uses it (the secret
/// warnings stay: the keys need rotating either way).
pub fn pulled_block_diagnostics(
    text: &str,
    format: crate::syntax::source::Format,
    pulls: &[&SettingsUse],
    diagnostics: &[Diagnostic],
) -> Vec<Diagnostic> {
    let uses: Vec<String> = pulls
        .iter()
        .map(|u| {
            format!(
                "`{{{{ {} }}}}` at {}:{}",
                u.expression,
                u.template.display(),
                u.line
            )
        })
        .collect();
    let blocks = crate::syntax::parse(text, format)
        .map(|parsed| {
            crate::model::locate::locate(parsed.root())
                .service()
                .map(|b| (b.pointer(), b.member().key_span.clone()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let index = LineIndex::new(text);
    let mut out: Vec<Diagnostic> = blocks
        .into_iter()
        .map(|(pointer, span)| {
            let mut d = Diagnostic::warning(
                Code::TemplatedBlock,
                format!(
                    "this settings block is inserted into the config by {}: it is left unchanged",
                    uses.join(", ")
                ),
            )
            .at(pointer, span)
            .with_help("migrate the rendered config to see the new block, then write it here by hand (or have the template write it)")
            .with_fate(crate::model::diagnostic::Action::Manual, None);
            d.locate(text, &index);
            d
        })
        .collect();
    out.extend(
        diagnostics
            .iter()
            .filter(|d| d.code == Code::Secret)
            .cloned(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_settings_files_and_their_uses() {
        assert_eq!(
            settings_namespace(Path::new("config/settings/service.json")).as_deref(),
            Some("service")
        );
        assert_eq!(
            settings_namespace(Path::new("config/settings/prod/env.json")).as_deref(),
            Some("env")
        );
        assert_eq!(settings_namespace(Path::new("config/service.json")), None);
        assert!(reads_extra_config(
            "marshal .service.extra_config",
            "service"
        ));
        assert!(reads_extra_config("marshal .service", "service"));
        assert!(!reads_extra_config(".service.port", "service"));
        assert!(!reads_extra_config(
            "marshal .myservice.extra_config",
            "service"
        ));
    }

    #[test]
    fn finds_the_template_that_pulls_a_settings_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("settings")).unwrap();
        std::fs::write(root.join("settings/service.json"), "{}").unwrap();
        std::fs::write(root.join("krakend.tmpl"), "{\n  \"version\": 3,\n  \"extra_config\": {{ marshal .service.extra_config }},\n  \"port\": {{ .service.port }}\n}\n").unwrap();
        let settings = root.join("settings/service.json");
        let index = TemplateIndex::for_files(std::slice::from_ref(&settings));
        let uses = index.pulls(&settings);
        assert_eq!(uses.len(), 1);
        assert_eq!(uses[0].line, 3);
        assert_eq!(uses[0].expression, "marshal .service.extra_config");
    }
}
