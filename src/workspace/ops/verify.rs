//! `verify` as a library operation: compare the effective telemetry of a
//! config with an OpenCensus block and of its migrated version (plus the
//! collector config it sends to), for reviewers of a hand-made or older
//! migration.
//!
//! There are no migration diagnostics to explain a difference here, so
//! every difference counts; only changes inherent to any migration (B3
//! headers, parent-based sampling, ...) are notes. An input that cannot be
//! read or read as a config stops the comparison, with a located error.

use std::path::Path;

use serde::Serialize;

use crate::migration::behaviour::collector::Collector;
use crate::migration::behaviour::compare::{self, Finding};
use crate::migration::behaviour::{Behaviour, legacy, otel};
use crate::migration::options::TargetVersion;
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::locate;
use crate::model::redact::{self, Redacted, Scrubber};
use crate::model::version::KrakendVersion;
use crate::syntax;
use crate::syntax::source::{LineIndex, SourceText};
use crate::syntax::tree::Node;
use crate::workspace::beside::sibling_collector_path;
use crate::workspace::input::Input;
use crate::workspace::settings::VerifySettings;

/// What `verify` found.
#[derive(Debug, Clone)]
pub enum Verified {
    Compared(Box<Comparison>),
    /// An input stopped the check.
    BadInput(BadInput),
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub path: String,
    /// JSON pointer of the telemetry block, when there is one.
    pub block: Option<String>,
    pub behaviour: Behaviour,
}

/// Both behaviours and how they differ.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub legacy: Side,
    pub new: Side,
    /// The collector config followed, if any.
    pub collector: Option<String>,
    pub findings: Vec<Finding>,
    /// Advice about the inputs (a collector config that was not used, ...).
    pub hints: Vec<String>,
}

impl Comparison {
    pub fn differences(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.inherent)
    }

    pub fn notes(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.inherent)
    }

    /// Same behaviour, inherent changes aside.
    pub fn equivalent(&self) -> bool {
        self.differences().next().is_none()
    }
}

/// An input that stops the check: its path, the diagnostics and, for
/// snippets, the redacted text.
#[derive(Debug, Clone)]
pub struct BadInput {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
    pub source: Option<Redacted>,
}

impl BadInput {
    fn whole(input: &Input, diagnostic: Diagnostic) -> BadInput {
        BadInput {
            path: input.display(),
            diagnostics: vec![diagnostic],
            source: None,
        }
    }
}

/// Compare the behaviours of `settings.legacy` and `settings.new`.
pub fn verify(settings: &VerifySettings) -> Verified {
    match check(settings) {
        Ok(comparison) => Verified::Compared(Box::new(comparison)),
        Err(bad) => Verified::BadInput(bad),
    }
}

fn check(settings: &VerifySettings) -> Result<Comparison, BadInput> {
    let (legacy_input, new_input) = (
        Input::from_arg(&settings.legacy),
        Input::from_arg(&settings.new),
    );
    if legacy_input.is_stdin() && new_input.is_stdin() {
        return Err(BadInput::whole(
            &new_input,
            Diagnostic::error(
                Code::Unreadable,
                "standard input can be only one of LEGACY and NEW",
            ),
        ));
    }
    let (legacy, legacy_secrets) = legacy_side(&legacy_input)?;
    let (new_loaded, new_root) = parse(&new_input)?;
    let new_text = &new_loaded.text;
    let new_secrets = Scrubber::new(new_text, &redact::spans_in(new_text, new_input.format()));
    let collector_path = match &settings.collector {
        Some(path) => Some(path.clone()),
        None => new_input
            .path()
            .map(sibling_collector_path)
            .filter(|p| p.is_file()),
    };
    let collector = match &collector_path {
        Some(path) => Some(read_collector(path)?),
        None => None,
    };
    let version = new_version(&new_root, settings.krakend_version);
    let new = new_behaviour(&new_root, collector.as_ref(), settings, version);
    let hints = hints(
        &new_root,
        &new_input,
        collector_path.as_deref(),
        settings,
        version,
    );
    let mut comparison = Comparison {
        findings: compare::compare(&legacy.behaviour, &new),
        legacy,
        new: Side {
            path: new_input.display(),
            block: otel::find(&new_root).map(|(_, pointer)| pointer),
            behaviour: new,
        },
        collector: collector_path.map(|p| p.display().to_string()),
        hints,
    };
    for scrubber in [&legacy_secrets, &new_secrets] {
        scrub(&mut comparison, scrubber);
    }
    Ok(comparison)
}

/// What the comparison says in words, scrubbed of the inputs' secrets
/// (a service name or a version the policy calls a credential).
fn scrub(comparison: &mut Comparison, scrubber: &Scrubber) {
    let clean = |text: &mut String| {
        if let std::borrow::Cow::Owned(scrubbed) = scrubber.scrub(text) {
            *text = scrubbed;
        }
    };
    for side in [&mut comparison.legacy, &mut comparison.new] {
        let b = &mut side.behaviour;
        b.service_names.iter_mut().for_each(|n| clean(&mut n.value));
        if let Some(version) = b.service_version.as_mut().and_then(|v| v.value.as_mut()) {
            clean(version);
        }
        b.routes.iter_mut().for_each(|r| clean(&mut r.via));
        b.problems.iter_mut().for_each(clean);
        b.inactive.iter_mut().for_each(clean);
    }
    for f in &mut comparison.findings {
        for text in [&mut f.subject, &mut f.legacy, &mut f.new, &mut f.message] {
            clean(text);
        }
    }
    comparison.hints.iter_mut().for_each(clean);
}

/// Read and parse a config.
fn parse(input: &Input) -> Result<(SourceText, Node), BadInput> {
    let loaded = input
        .read_stream()
        .map_err(|d| BadInput::whole(input, *d))?;
    let text = &loaded.text;
    let format = input.format();
    match syntax::parse_tree(text, format) {
        Ok(root) => Ok((loaded, root)),
        Err(err) => {
            let end = text[err.offset..]
                .chars()
                .next()
                .map_or(err.offset, |c| err.offset + c.len_utf8());
            let message = format!(
                "invalid {}: {}",
                format.as_str().to_uppercase(),
                err.message
            );
            let mut d = Diagnostic::error(Code::InvalidSyntax, message).at("", err.offset..end);
            d.locate(text, &LineIndex::new(text));
            Err(BadInput {
                path: input.display(),
                diagnostics: vec![d],
                source: Some(Redacted::new(text, &redact::lexical_secret_spans(text))),
            })
        }
    }
}

/// The legacy config's service-level block and what it did, and the
/// scrubber of its secrets.
fn legacy_side(input: &Input) -> Result<(Side, Scrubber), BadInput> {
    let (loaded, root) = parse(input)?;
    let text = &loaded.text;
    let scrubber = Scrubber::new(text, &redact::spans_in(text, input.format()));
    match legacy::from_document(&root) {
        Ok(Some(side)) => Ok((
            Side {
                path: input.display(),
                block: Some(side.pointer),
                behaviour: side.behaviour,
            },
            scrubber,
        )),
        Ok(None) => Err(BadInput::whole(
            input,
            Diagnostic::error(
                Code::Unreadable,
                "no service-level `telemetry/opencensus` (or v1 key) block: nothing to verify against",
            )
            .with_help("LEGACY is the config before the migration, NEW the one after"),
        )),
        Err(diagnostics) => {
            let text = &loaded.text;
            let index = LineIndex::new(text);
            let diagnostics = diagnostics
                .into_iter()
                .map(|mut d| {
                    d.locate(text, &index);
                    d
                })
                .collect();
            Err(BadInput {
                path: input.display(),
                diagnostics,
                source: Some(Redacted::new(text, &redact::spans_in(text, input.format()))),
            })
        }
    }
}

/// Read and parse the collector config NEW sends to.
fn read_collector(path: &Path) -> Result<Collector, BadInput> {
    let input = Input::from_arg(path);
    let loaded = input
        .read_stream()
        .map_err(|d| BadInput::whole(&input, *d))?;
    Collector::parse(&loaded.text).map_err(|err| {
        let mut d = Diagnostic::error(
            Code::InvalidSyntax,
            format!("invalid collector config: {}", err.message),
        );
        d.line = err.line;
        d.column = err.column;
        // No snippet (a collector config may hold secrets that only JSON
        // redaction would miss): the location goes with the path.
        let mut bad = BadInput::whole(&input, d);
        if let (Some(line), Some(column)) = (err.line, err.column) {
            bad.path = format!("{}:{line}:{column}", bad.path);
        }
        bad
    })
}

/// The KrakenD version NEW runs on: the one asked for, or with `auto`
/// the version NEW's `$schema` names (2.6 or later), else the latest
/// release, as `migrate` decides for the file it writes.
fn new_version(root: &Node, asked: TargetVersion) -> KrakendVersion {
    if let TargetVersion::Exact(version) = asked {
        return version;
    }
    root.get("$schema")
        .and_then(|member| member.value.as_str())
        .and_then(KrakendVersion::targeted_by_schema)
        .unwrap_or(KrakendVersion::LATEST)
}

/// What NEW does, followed through its collector, on KrakenD `version`;
/// a legacy block left in it is a problem.
fn new_behaviour(
    root: &Node,
    collector: Option<&Collector>,
    settings: &VerifySettings,
    version: KrakendVersion,
) -> Behaviour {
    let mut new = otel::behaviour(root, collector, Some(&settings.otlp_endpoint), version);
    let located = locate::locate(root);
    if let Some(block) = located
        .blocks
        .iter()
        .find(|b| b.scope != locate::Scope::Unread)
    {
        new.problems.push(format!(
            "NEW still has `{}` at {}: KrakenD runs it next to OpenTelemetry",
            block.namespace.key(),
            block.pointer()
        ));
    }
    new
}

/// Advice when the collector config and NEW's OTLP exporters do not meet.
fn hints(
    root: &Node,
    new: &Input,
    collector_path: Option<&Path>,
    settings: &VerifySettings,
    version: KrakendVersion,
) -> Vec<String> {
    let endpoint = &settings.otlp_endpoint;
    // Whether an OTLP exporter of NEW sends to the collector endpoint.
    let feeds_collector = match otel::read(root, version) {
        otel::Read::Block(block) => block
            .otlp
            .iter()
            .any(|e| e.host.eq_ignore_ascii_case(&endpoint.host) && e.port == Some(endpoint.port)),
        _ => false,
    };
    let hint = match (collector_path, new.path()) {
        (Some(path), _) if !feeds_collector => format!(
            "no OTLP exporter of NEW sends to {endpoint}, so {} was not used; pass --otlp-endpoint with the host and port NEW's KrakenD reaches the collector at",
            path.display()
        ),
        (None, None) if feeds_collector => {
            "pass the collector config with --new-collector FILE".to_string()
        }
        (None, Some(path)) if feeds_collector => format!(
            "{} does not exist: pass the collector config with --new-collector FILE",
            sibling_collector_path(path).display()
        ),
        _ => return Vec::new(),
    };
    vec![hint]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::source::Format;

    fn version_of(text: &str, asked: TargetVersion) -> KrakendVersion {
        let document = syntax::parse(text, Format::Json).unwrap();
        new_version(document.root(), asked)
    }

    #[test]
    fn auto_takes_the_version_of_news_schema_as_migrate_does() {
        let schema = |v: &str| {
            format!(
                r#"{{"$schema": "https://www.krakend.io/schema/v{v}/krakend.json", "version": 3}}"#
            )
        };
        let v29 = KrakendVersion::new(2, 9, 0);
        assert_eq!(version_of(&schema("2.9"), TargetVersion::Auto), v29);
        // Before OpenTelemetry, or no `$schema`: the latest release.
        assert_eq!(
            version_of(&schema("2.5"), TargetVersion::Auto),
            KrakendVersion::LATEST
        );
        assert_eq!(
            version_of(r#"{"version": 3}"#, TargetVersion::Auto),
            KrakendVersion::LATEST
        );
        // A version asked for wins over `$schema`.
        let asked = KrakendVersion::new(2, 12, 0);
        assert_eq!(
            version_of(&schema("2.9"), TargetVersion::Exact(asked)),
            asked
        );
    }
}
