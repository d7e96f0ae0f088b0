//! The SARIF 2.1.0 log of `--format sarif`, for code scanning (GitHub,
//! GitLab, Azure DevOps and other SARIF consumers).
//!
//! One run; the tool's rules are the diagnostic codes (id, kebab-case
//! name, a one-line description, a documentation link); each finding of
//! [`super::ci`] is a result with its level, message and place (the path
//! as given, relative paths under `%SRCROOT%`, and the 1-based line and
//! column; columns count Unicode code points, as oc2otel's do).
//!
//! The log is written from a few typed structs rather than with the
//! `serde-sarif` crate: that crate generates its types from the SARIF
//! schema at build time (syn, schemafy), a heavy build for the dozen
//! fields used here. The tests parse every log back with `serde-sarif`'s
//! types and compare the round trip, so a misnamed field fails them.

use std::io;

use serde::Serialize;

use super::ci::{self, Finding};
use super::{Reporter, Streams};
use crate::model::diagnostic::{Code, Severity};
use crate::workspace::outcome::{FileOutcome, Summary};
use crate::workspace::settings::Mode;

/// `--format sarif`. A SARIF log is one document: its results (small, no
/// source text) are kept until the end of the run.
pub struct Sarif {
    pending: Option<Severity>,
    results: Vec<SarifResult>,
}

impl Sarif {
    pub fn new(mode: Mode) -> Sarif {
        Sarif {
            pending: ci::pending_level(mode),
            results: Vec::new(),
        }
    }
}

impl Reporter<FileOutcome, Summary> for Sarif {
    fn file(&mut self, file: &FileOutcome, _out: &mut Streams<'_>) -> io::Result<()> {
        self.results.extend(results(file, self.pending));
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary, out: &mut Streams<'_>) -> io::Result<()> {
        out.stdout
            .write_all(log(std::mem::take(&mut self.results)).as_bytes())
    }
}

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    help_uri: &'static str,
    help: Text,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

/// One SARIF result, owned so that results can be gathered file by file
/// and the log written at the end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Debug, Clone, Serialize)]
struct Message {
    text: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
}

/// The results of one file. `pending` is the level of the pending-
/// migration result (`--check`: error; preview: warning; `--write`: none).
fn results(file: &FileOutcome, pending: Option<Severity>) -> Vec<SarifResult> {
    let artifact = artifact(&file.path);
    ci::findings(file, pending)
        .into_iter()
        .map(|f| result(f, artifact.as_ref()))
        .collect()
}

/// The whole log for `results` (with a final newline).
fn log(results: Vec<SarifResult>) -> String {
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "oc2otel",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: Code::ALL.iter().map(|&c| rule(c)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut out =
        super::json_text(serde_json::to_string_pretty(&log).expect("a SARIF log serialises"));
    out.push('\n');
    out
}

fn result(finding: Finding<'_>, artifact: Option<&ArtifactLocation>) -> SarifResult {
    let mut text = finding.message.into_owned();
    if let Some(help) = finding.help {
        text.push_str("\nhelp: ");
        text.push_str(&help);
    }
    SarifResult {
        rule_id: finding.code.as_str(),
        rule_index: rule_index(finding.code),
        level: match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        },
        message: Message { text },
        // Code scanning wants a line: a finding about the whole file is
        // put on line 1, without a column.
        locations: artifact
            .map(|a| Location {
                physical_location: PhysicalLocation {
                    artifact_location: a.clone(),
                    region: Region {
                        start_line: finding.line.unwrap_or(1),
                        start_column: finding.line.and(finding.column),
                    },
                },
            })
            .into_iter()
            .collect(),
    }
}

fn rule_index(code: Code) -> usize {
    Code::ALL
        .iter()
        .position(|&c| c == code)
        .expect("every code is in Code::ALL")
}

/// Where a report's path is, as a SARIF artifact; `None` for standard
/// input, which is no file a code-scanning tool could show.
fn artifact(path: &str) -> Option<ArtifactLocation> {
    if path == "-" {
        return None;
    }
    let path = path.replace('\\', "/");
    let relative = path.strip_prefix("./").unwrap_or(&path);
    Some(if relative.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode(relative)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode(relative),
            uri_base_id: Some("%SRCROOT%"),
        }
    })
}

/// Percent-encode what a URI path may not hold as is.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn rule(code: Code) -> Rule {
    Rule {
        id: code.as_str(),
        name: code.name(),
        short_description: Text {
            text: description(code).to_string(),
        },
        help_uri: code.docs_url(),
        help: Text {
            text: format!(
                "{} See oc2otel's docs/mapping.md (diagnostic codes) for what happens to each legacy field and why.",
                description(code)
            ),
        },
    }
}

/// One line per code, from the code table (`model/diagnostic.rs`).
pub fn description(code: Code) -> &'static str {
    code.description()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris() {
        let a = artifact("./conf/krakend.json").unwrap();
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("conf/krakend.json", Some("%SRCROOT%"))
        );
        let a = artifact("conf\\my krakend#1.json").unwrap();
        assert_eq!(a.uri, "conf/my%20krakend%231.json");
        let a = artifact("/srv/krakend.json").unwrap();
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("file:///srv/krakend.json", None)
        );
        assert!(artifact("-").is_none());
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn every_code_is_a_rule_with_a_description() {
        for &code in Code::ALL {
            assert!(description(code).ends_with('.'), "{}", code.as_str());
            assert_eq!(Code::ALL[rule_index(code)], code);
        }
    }
}
