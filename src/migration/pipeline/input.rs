//! What the pipeline migrates, whatever the format: the located legacy
//! blocks, the editor that writes edits in the text's syntax, the ranges no
//! edit may touch, and what the document checks need.
//!
//! A parsed document (JSON, YAML, TOML) gives its blocks through
//! [`crate::model::locate`]. A Flexible Configuration template is scanned,
//! never rendered ([`crate::syntax::template`]): its legacy blocks written
//! as literal JSON become located blocks of their own. Without rendering,
//! the place of a block in the final config is unknown, so it is modelled
//! this way: literal blocks side by side in one object (nothing a template
//! decides between them) form one `extra_config` of their own, and blocks
//! apart (`{{ if }}` / `{{ else }}` branches) are alternatives, each
//! migrated; a block holding only `path_aggregation` is an endpoint's, any
//! other a service's; JSON pointers are relative to the block's key.

use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::decode::is_comment_key;
use crate::model::locate::{self, BlockRef, Located, Mentions, Namespace, OPENTELEMETRY, Scope};
use crate::model::redact;
use crate::syntax::source::{Format, LineIndex};
use crate::syntax::template::{self, Found, Scan, TemplateEditor};
use crate::syntax::tree::{Member, Node, NodeKind, Span, child_pointer, escape_token};
use crate::syntax::{Document, Editor};

/// The keys of the legacy block, for the template scanner.
pub const LEGACY_KEYS: [&str; 2] = [locate::OPENCENSUS, locate::OPENCENSUS_V1];

/// Where the text comes from.
pub enum Shape<'a> {
    Tree(&'a dyn Document),
    Template(&'a Scan),
}

/// The service-level `telemetry/opentelemetry` the config already has.
pub enum Existing<'a> {
    None,
    /// In the service `extra_config`, at this pointer: merged into.
    Block(&'a Member, String),
    /// Written by the template, where a merge cannot reach.
    InTemplate,
}

pub struct Input<'a> {
    pub text: &'a str,
    pub format: Format,
    pub located: Located<'a>,
    pub editor: Box<dyn Editor + 'a>,
    pub protected: Vec<(Span, String)>,
    pub shape: Shape<'a>,
    /// What the input says about itself before any block is read (a
    /// template's blocks that an action writes, or that are broken).
    pub notices: Vec<Diagnostic>,
    /// Spans of secret values, for everything shown of the input.
    pub secrets: Vec<Span>,
    /// Where a JSON text spells a legacy key, when nothing else can.
    pub mentions: Option<Mentions>,
    /// A template's literal members at the root of the rendered JSON
    /// that the document checks read (`version`, `$schema`).
    root_members: Vec<(String, Span, Node)>,
}

/// The root members the document checks read.
pub const ROOT_KEYS: [&str; 3] = ["version", "$schema", "name"];

impl<'a> Input<'a> {
    /// A parsed document; its secrets are found if `find_secrets`.
    pub fn tree(
        text: &'a str,
        format: Format,
        document: &'a dyn Document,
        find_secrets: bool,
    ) -> Input<'a> {
        let mentions = Mentions::of(text, format);
        Input::tree_mentioning(text, format, document, find_secrets, mentions)
    }

    /// [`Input::tree`], given the text's mentions of the legacy word
    /// (`Mentions::of(text, format)`, found once for the parse's focus and
    /// for the blocks' location).
    pub fn tree_mentioning(
        text: &'a str,
        format: Format,
        document: &'a dyn Document,
        find_secrets: bool,
        mentions: Option<Mentions>,
    ) -> Input<'a> {
        let located = locate::locate_documents(
            document.root(),
            document.other_documents(),
            mentions.as_ref(),
        );
        Input {
            text,
            format,
            located,
            mentions,
            editor: document.editor(),
            protected: document.protected().to_vec(),
            shape: Shape::Tree(document),
            notices: Vec::new(),
            secrets: if find_secrets {
                redact::document_spans(text, document)
            } else {
                Vec::new()
            },
            root_members: Vec::new(),
        }
    }

    /// A template, scanned for the legacy keys; `holders` from [`holders`].
    pub fn template(text: &'a str, scan: &'a Scan, holders: &'a [Node]) -> Input<'a> {
        let mut blocks = Vec::new();
        for holder in holders {
            let members = holder.members().unwrap_or_default();
            for (index, member) in members.iter().enumerate() {
                let Some(namespace) = Namespace::of(&member.key) else {
                    continue;
                };
                blocks.push(BlockRef {
                    scope: if is_endpoint_block(&member.value) {
                        Scope::Endpoint
                    } else {
                        Scope::Service
                    },
                    namespace,
                    container: holder,
                    container_pointer: String::new(),
                    index,
                    duplicate: members[index + 1..].iter().any(|m| m.key == member.key),
                    shadowed: false,
                    later_document: false,
                });
            }
        }
        let secrets = template_secrets(text, scan);
        let protected = scan
            .actions
            .iter()
            .map(|a| (a.span.clone(), "it is a template action".to_string()))
            .collect();
        Input {
            text,
            format: Format::Template,
            located: Located {
                blocks,
                service_extra: None,
            },
            editor: Box::new(TemplateEditor::new(text, &scan.actions)),
            protected,
            mentions: None,
            shape: Shape::Template(scan),
            notices: notices(text, scan, &secrets),
            secrets,
            root_members: template_root_members(text),
        }
    }

    /// The root of a parsed document.
    pub fn root(&self) -> Option<&'a Node> {
        match self.shape {
            Shape::Tree(document) => Some(document.root()),
            Shape::Template(_) => None,
        }
    }

    /// The member `key` of the config's root object, as KrakenD reads it
    /// (the last one): its span and value. In a template, the last literal
    /// one at the root of the rendered JSON.
    pub fn root_member(&self, key: &str) -> Option<(Span, &Node)> {
        match self.shape {
            Shape::Tree(document) => document.root().get(key).map(|m| (m.span.clone(), &m.value)),
            Shape::Template(_) => self
                .root_members
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|(_, span, value)| (span.clone(), value)),
        }
    }

    /// The comments that start inside `range`.
    pub fn comments_in(&self, range: Span) -> Vec<Span> {
        match self.shape {
            Shape::Tree(document) => document.comments_in(range),
            // Template comments are actions, which no edit touches.
            Shape::Template(_) => Vec::new(),
        }
    }

    /// The string values `wanted` accepts, with their pointers (`""`
    /// where a template cannot say) and spans.
    pub fn strings(&self, wanted: impl Fn(&str) -> bool) -> Vec<(String, Span)> {
        match self.shape {
            Shape::Tree(document) => tree_strings(document.root(), wanted),
            Shape::Template(scan) => template::string_values(self.text, &scan.actions)
                .into_iter()
                .filter(|(_, value)| wanted(value))
                .map(|(span, _)| (String::new(), span))
                .collect(),
        }
    }

    /// The `telemetry/opentelemetry` the service already has.
    pub fn existing(&self) -> Existing<'a> {
        match self.shape {
            Shape::Tree(_) => match &self.located.service_extra {
                Some((extra, pointer)) => match extra.get(OPENTELEMETRY) {
                    Some(member) => Existing::Block(member, child_pointer(pointer, OPENTELEMETRY)),
                    None => Existing::None,
                },
                None => Existing::None,
            },
            Shape::Template(scan) => {
                match template::scan_key(self.text, &scan.actions, OPENTELEMETRY).next() {
                    Some(_) => Existing::InTemplate,
                    None => Existing::None,
                }
            }
        }
    }
}

/// Whether a block holds only endpoint-level settings.
fn is_endpoint_block(value: &Node) -> bool {
    value.members().is_some_and(|members| {
        !members.is_empty()
            && members
                .iter()
                .all(|m| m.key.eq_ignore_ascii_case("path_aggregation") || is_comment_key(&m.key))
    })
}

/// The objects of a template's literal legacy blocks: blocks side by side
/// in one object share one; each is a member with its span as written.
pub fn holders(text: &str, scan: &Scan) -> Vec<Node> {
    let mut groups: Vec<Vec<Member>> = Vec::new();
    let mut last_end: Option<usize> = None;
    for found in &scan.found {
        let Found::Literal {
            key,
            key_span,
            span,
            value,
        } = found
        else {
            last_end = None;
            continue;
        };
        if value.members().is_none() {
            last_end = None;
            continue;
        }
        let member = Member {
            key: key.as_str().into(),
            key_span: key_span.clone(),
            span: span.clone(),
            value: value.clone(),
        };
        match (groups.last_mut(), last_end) {
            (Some(group), Some(end))
                if template::plain_siblings(text, &scan.actions, end, key_span.start) =>
            {
                group.push(member)
            }
            _ => groups.push(vec![member]),
        }
        last_end = Some(span.end);
    }
    groups
        .into_iter()
        .map(|members| Node {
            span: members[0].span.start..members[members.len() - 1].span.end,
            kind: NodeKind::Object(members),
        })
        .collect()
}

/// A template's legacy keys that are not literal blocks: written by an
/// action (a manual step), or followed by text that is not a JSON object
/// (an error); a key mentioned only inside actions is a manual step too.
fn notices(text: &str, scan: &Scan, secrets: &[Span]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let lines = LineIndex::new(text);
    for found in &scan.found {
        let pointer = format!("/{}", escape_token(found.key()));
        match found {
            Found::Templated {
                key,
                key_span,
                action,
            } => {
                let line = lines.line_col(text, action.span.start).0;
                // An action in a credential's place is quoted hidden.
                let hidden = secrets
                    .iter()
                    .any(|s| s.start < action.span.end && action.span.start < s.end);
                let expression = if hidden {
                    redact::MARKER
                } else {
                    action.expression.as_str()
                };
                out.push(
                    Diagnostic::warning(
                        Code::TemplatedBlock,
                        format!(
                            "`{key}` is written by the template action `{{{{ {expression} }}}}` (line {line}): a block a template computes cannot be migrated automatically",
                        ),
                    )
                    .at(pointer, key_span.clone())
                    .with_help("migrate the settings file or partial the action reads (oc2otel does that for literal blocks), or write the new block by hand")
                    .with_fate(Action::Manual, None),
                );
            }
            Found::Literal { value, .. } if value.members().is_some() => {}
            _ => out.push(broken(text, &lines, found, pointer)),
        }
    }
    if scan.found.is_empty()
        && let Some(at) = mentioned_in_actions(text, scan)
    {
        out.push(
            Diagnostic::warning(
                Code::TemplatedBlock,
                "this template mentions an OpenCensus key, but not as a literal JSON block oc2otel can rewrite",
            )
            .at("", at..at + 1)
            .with_help("check this place by hand")
            .with_fate(Action::Manual, None),
        );
    }
    out
}

/// A legacy key followed by a value that is not a JSON object.
fn broken(text: &str, lines: &LineIndex, found: &Found, pointer: String) -> Diagnostic {
    let (value_start, at, message) = match found {
        Found::Broken {
            value_start,
            at,
            message,
            ..
        } => (*value_start, *at, message.as_str()),
        Found::Literal { value, .. } => (value.span.start, value.span.start, ""),
        Found::Templated { .. } => unreachable!("templated blocks are not broken"),
    };
    let (at, message) = if text[value_start..].starts_with(['{', '[']) {
        (at, message)
    } else {
        (value_start, "a legacy block must be a JSON object")
    };
    let (line, column) = lines.line_col(text, at);
    Diagnostic::error(
        Code::InvalidSyntax,
        format!(
            "`{}` is followed by text that is not a JSON object ({message}, at {line}:{column}): KrakenD could not read the rendered config, and oc2otel cannot tell what was meant",
            found.key()
        ),
    )
    .at(pointer, found.key_span().clone())
    .with_help("fix the block (or the template around it), then migrate again")
}

/// The first legacy key written outside the actions.
fn mentioned_in_actions(text: &str, scan: &Scan) -> Option<usize> {
    LEGACY_KEYS
        .iter()
        .flat_map(|key| text.match_indices(key).map(|(i, _)| i))
        .filter(|&i| {
            !scan
                .actions
                .iter()
                .any(|a| a.span.start <= i && i < a.span.end)
        })
        .min()
}

/// Secrets of a template: in the literal blocks (structurally) and
/// anywhere else (lexically).
fn template_secrets(text: &str, scan: &Scan) -> Vec<Span> {
    let mut spans = redact::lexical_secret_spans(text);
    for found in &scan.found {
        if let Found::Literal { value, .. } = found {
            spans.extend(redact::secret_spans(text, value));
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// The string values of a tree `wanted` accepts, with their pointers.
fn tree_strings(root: &Node, wanted: impl Fn(&str) -> bool) -> Vec<(String, Span)> {
    // Most files hold no such string: look first without building
    // pointers, which is what costs.
    let mut quick = vec![root];
    let mut any = false;
    while let Some(node) = quick.pop() {
        match &node.kind {
            NodeKind::String(s) if wanted(s) => {
                any = true;
                break;
            }
            NodeKind::Object(members) => quick.extend(members.iter().map(|m| &m.value)),
            NodeKind::Array(items) => quick.extend(items.iter()),
            _ => {}
        }
    }
    if !any {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut stack = vec![(root, String::new())];
    while let Some((node, pointer)) = stack.pop() {
        match &node.kind {
            NodeKind::String(s) if wanted(s) => out.push((pointer, node.span.clone())),
            NodeKind::Object(members) => {
                for m in members {
                    stack.push((&m.value, child_pointer(&pointer, &m.key)));
                }
            }
            NodeKind::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, child_pointer(&pointer, &i.to_string())));
                }
            }
            _ => {}
        }
    }
    out
}

/// A template's literal `version` and `$schema` members at the root of
/// the rendered JSON (depth 1).
fn template_root_members(text: &str) -> Vec<(String, Span, Node)> {
    let scan = template::scan(text, &ROOT_KEYS);
    let starts: Vec<usize> = scan.found.iter().map(|f| f.key_span().start).collect();
    let depths = template::depths(text, &scan.actions, &starts);
    scan.found
        .into_iter()
        .zip(depths)
        .filter_map(|(found, depth)| match found {
            Found::Literal {
                key, span, value, ..
            } if depth == 1 => Some((key, span, value)),
            _ => None,
        })
        .collect()
}
