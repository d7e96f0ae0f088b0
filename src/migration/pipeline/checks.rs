//! The document checks, one place for every format: what the document
//! says about itself before its blocks are converted (legacy blocks KrakenD
//! never read, configs embedded in strings, the config version, the
//! `$schema` version), and what the planned edits would do to it (text no
//! edit may touch, comments that would go).

use crate::migration::options::KrakendVersion;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::locate::{self, Scope};
use crate::model::redact;
use crate::syntax::edit::Edit;
use crate::syntax::source::Format;
use crate::syntax::source::LineIndex;
use crate::syntax::tree::{Node, NodeKind, child_pointer};

use super::input::Input;

/// Legacy blocks where KrakenD never looks, or shadowed by a later
/// duplicate of a parent key: reported, left as they are.
pub fn unread(input: &Input) -> Vec<Diagnostic> {
    input
        .located
        .blocks
        .iter()
        .filter(|b| b.scope == Scope::Unread)
        .map(|block| {
            let why = if block.later_document {
                "it is in a later document of the YAML stream, and KrakenD reads only the first"
            } else if block.shadowed {
                "a later duplicate of one of its parent keys hides it"
            } else {
                "KrakenD reads it only in the service, endpoint and backend `extra_config`"
            };
            Diagnostic::warning(
                Code::MisplacedBlock,
                format!(
                    "`{}` here was never read by KrakenD ({why}): left unchanged",
                    block.namespace.key()
                ),
            )
            .at(block.pointer(), block.member().key_span.clone())
            .with_help("move the settings to the service `extra_config` if they were meant to apply, or delete them")
            .with_fate(Action::Manual, None)
        })
        .collect()
}

/// Legacy blocks inside string values: a whole KrakenD config embedded
/// in another file (a Kubernetes ConfigMap, Helm values). oc2otel does
/// not rewrite strings; it says where they are.
pub fn embedded(input: &Input) -> Vec<Diagnostic> {
    if !may_embed(input) {
        return Vec::new();
    }
    input
        .strings(embeds_legacy_block)
        .into_iter()
        .map(|(pointer, span)| {
            Diagnostic::warning(
                Code::EmbeddedConfig,
                "this string holds a KrakenD config with an OpenCensus block (an embedded config, such as a Kubernetes ConfigMap or Helm values): it is not rewritten",
            )
            .at(pointer, span)
            .with_help("extract the config into its own file and run oc2otel on it, or migrate the block by hand")
            .with_fate(Action::Manual, None)
        })
        .collect()
}

/// Whether a string value of the document may spell `opencensus`, read
/// on the JSON text without walking its tree: not when every
/// `opencensus` of the text is inside the key of a located legacy member
/// and no `\u` escape could spell one (JSON's other escapes give no
/// letter). Any other text (YAML and TOML escape letters in more ways, a
/// template renders) is walked.
fn may_embed(input: &Input) -> bool {
    let Some(mentions) = &input.mentions else {
        return true;
    };
    let keys: Vec<_> = input
        .located
        .blocks
        .iter()
        .map(|b| b.member().key_span.clone())
        .collect();
    !mentions.all_within(&keys)
}

/// Whether a string value holds a legacy block as config text.
fn embeds_legacy_block(s: &str) -> bool {
    // Both namespaces contain "opencensus": most strings are rejected
    // without building the quoted forms.
    if !s.contains("opencensus") {
        return false;
    }
    [locate::OPENCENSUS, locate::OPENCENSUS_V1]
        .iter()
        .any(|key| {
            s.match_indices(key).any(|(at, _)| {
                let before = s[..at].ends_with('"');
                let after = &s[at + key.len()..];
                (before && after.starts_with('"')) || after.starts_with(':')
            })
        })
}

/// KrakenD 1.x configs (`"version": 2`) predate OpenTelemetry; they are
/// refused before anything else is said about them.
pub fn version(input: &Input) -> Option<Diagnostic> {
    let (span, value) = input.root_member("version")?;
    let is_three = matches!(&value.kind, NodeKind::Number(n) if n.parse::<f64>() == Ok(3.0));
    (!is_three).then(|| {
        Diagnostic::error(
            Code::KrakendV1,
            "this is not a KrakenD 2 config (`version` is not 3): OpenTelemetry needs KrakenD 2.6 or later and config version 3",
        )
        .at("/version", span)
        .with_help("upgrade the file to KrakenD 2 first (krakend-config-migrator renames the v1 keys and sets `\"version\": 3`), then migrate")
    })
}

/// A number beyond a 64-bit float (`1e309`) anywhere in a JSON config:
/// KrakenD reads the config with Go's `encoding/json` into untyped maps,
/// whose numbers are `float64`, and the decoder refuses such a number,
/// and with it the whole config. (YAML's decoder reads it as a string.)
pub fn numbers(input: &Input) -> Option<Diagnostic> {
    if input.format != Format::Json {
        return None;
    }
    let root = input.root()?;
    // Almost no config has such a number: it is looked for first without
    // keeping any path, which is spelled only for the one found.
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Number(raw) if beyond_float64(raw) => {
                return Some(out_of_range(raw, pointer_to(root, node), node));
            }
            NodeKind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            NodeKind::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    None
}

/// Whether a JSON number literal is beyond a float64. Only a literal with
/// an exponent or more than 308 digits can be, and only those are parsed.
fn beyond_float64(raw: &str) -> bool {
    (raw.len() > 308 || raw.bytes().any(|b| b == b'e' || b == b'E'))
        && raw.parse::<f64>().is_ok_and(f64::is_infinite)
}

/// The JSON pointer of `target`, a node of the tree under `root`.
fn pointer_to(root: &Node, target: &Node) -> String {
    enum Step<'a> {
        Key(&'a str),
        Index(usize),
    }
    let mut path: Vec<Step> = Vec::new();
    let mut stack = vec![(root, 0, None)];
    while let Some((node, depth, step)) = stack.pop() {
        path.truncate(depth);
        path.extend(step);
        if std::ptr::eq(node, target) {
            break;
        }
        match &node.kind {
            NodeKind::Object(members) => stack.extend(
                members
                    .iter()
                    .map(|m| (&m.value, path.len(), Some(Step::Key(&m.key)))),
            ),
            NodeKind::Array(items) => stack.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (item, path.len(), Some(Step::Index(i)))),
            ),
            _ => {}
        }
    }
    path.iter().fold(String::new(), |pointer, step| match step {
        Step::Key(key) => child_pointer(&pointer, key),
        Step::Index(i) => child_pointer(&pointer, &i.to_string()),
    })
}

fn out_of_range(raw: &str, pointer: String, node: &Node) -> Diagnostic {
    Diagnostic::error(
        Code::OutOfRange,
        format!(
            "`{raw}` is beyond the range of a 64-bit float: Go's JSON decoder, which KrakenD reads its config with, refuses it, so KrakenD refuses the whole config"
        ),
    )
    .at(pointer, node.span.clone())
    .with_help("write the number KrakenD should read, then migrate again")
}

/// A `$schema` naming a KrakenD version without OpenTelemetry.
pub fn schema_url(input: &Input, target: KrakendVersion) -> Option<Diagnostic> {
    let (_, value) = input.root_member("$schema")?;
    let url = value.as_str()?;
    let version = KrakendVersion::from_schema_url(url)?;
    (version < KrakendVersion::FIRST_OTEL).then(|| {
        Diagnostic::warning(
            Code::OldSchema,
            format!(
                "`$schema` names KrakenD {version}, which has no OpenTelemetry module (it arrived in 2.6)"
            ),
        )
        .at("/$schema", value.span.clone())
        .with_help(format!(
            "run KrakenD 2.6 or later and point `$schema` at its version (https://www.krakend.io/schema/{}/krakend.json)",
            target.schema_folder()
        ))
    })
}

/// An edit must not rewrite text the format protects (a YAML anchor used
/// elsewhere, a template action): that is a manual step.
pub fn protected(input: &Input, edits: &[Edit]) -> Option<Diagnostic> {
    let text = input.text;
    for edit in edits {
        for (span, why) in &input.protected {
            if span.start < edit.range.end && edit.range.start < span.end {
                let (line, _) = LineIndex::new(text).line_col(text, span.start);
                return Some(
                    Diagnostic::error(
                        Code::Protected,
                        format!("the text to rewrite overlaps line {line}, which cannot be edited automatically: {why}"),
                    )
                    .at("", span.clone())
                    .with_help("make this part of the file plain (or migrate it by hand), then run oc2otel again")
                    .with_fate(Action::Manual, None),
                );
            }
        }
    }
    None
}

/// Comments inside the text an edit rewrites disappear with it: say so,
/// comment by comment (they are the first thing people miss).
pub fn dropped_comments(input: &Input, edits: &[Edit]) -> Vec<Diagnostic> {
    let text = input.text;
    edits
        .iter()
        .flat_map(|edit| input.comments_in(edit.range.clone()))
        .map(|span| {
            // Quoted with its credentials hidden (`# password: ...`).
            let comment = text[span.clone()].trim_end();
            let comment =
                &redact::Redacted::new(comment, &redact::lexical::comment_secret_spans(comment))
                    .text;
            let shown: String = comment.chars().take(60).collect();
            let more = if shown.len() < comment.len() {
                "..."
            } else {
                ""
            };
            Diagnostic::warning(
                Code::CommentDropped,
                format!("the comment `{shown}{more}` was inside the legacy block and goes with it"),
            )
            .at("", span)
            .with_help("re-add it next to the new block if it still matters")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::migration::options::Options;
    use crate::model::diagnostic::Code;
    use crate::syntax::source::Format;

    #[test]
    fn an_out_of_range_number_is_pointed_at_through_arrays_and_escaped_keys() {
        let text = r#"{"version": 3, "a": [1, {"b/~": [true, 1e309]}], "extra_config": {"telemetry/opencensus": {"exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}}}"#;
        let m = crate::migration::migrate(text, Format::Json, "k.json", &Options::default(), None);
        let found = m
            .diagnostics
            .iter()
            .find(|d| d.code == Code::OutOfRange)
            .expect("the number is refused");
        assert_eq!(found.pointer, "/a/1/b~1~0/1");
        assert_eq!(&text[found.span.clone().unwrap()], "1e309");
    }

    fn embedded_pointers(text: &str) -> Vec<String> {
        let m = crate::migration::migrate(text, Format::Json, "k.json", &Options::default(), None);
        m.diagnostics
            .iter()
            .filter(|d| d.code == Code::EmbeddedConfig)
            .map(|d| d.pointer.clone())
            .collect()
    }

    #[test]
    fn an_embedded_block_is_found_beside_real_ones_and_spelt_with_escapes() {
        let block = r#""telemetry/opencensus": {"exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}"#;
        // Only the real block's key says `opencensus`: nothing embedded.
        let plain = format!(r#"{{"version": 3, "extra_config": {{{block}}}}}"#);
        assert!(embedded_pointers(&plain).is_empty());
        // A string holding a config, beside the real block.
        let literal = format!(
            r#"{{"version": 3, "s": "{{\"telemetry/opencensus\": {{}}}}", "extra_config": {{{block}}}}}"#
        );
        assert_eq!(embedded_pointers(&literal), ["/s"]);
        // The same string with its letters escaped: the text never says
        // `opencensus` outside the real key, the string still does.
        let escaped = format!(
            r#"{{"version": 3, "s": "{{\"telemetry/\u006fpen\u0063ensus\": {{}}}}", "extra_config": {{{block}}}}}"#
        );
        assert_eq!(embedded_pointers(&escaped), ["/s"]);
    }
}
