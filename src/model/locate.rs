//! Finding the legacy telemetry blocks of a document, and deciding which of
//! them KrakenD actually reads.
//!
//! KrakenD reads the OpenCensus block under two keys (the v2 key and the
//! v1 key it aliases), at three places: the service `extra_config`, each
//! endpoint's and each backend's (async agents included). A block anywhere
//! else, or shadowed by a later duplicate of one of its parent keys, is
//! never read; it is reported, not migrated.

use crate::syntax::source::Format;
use crate::syntax::tree::{Node, NodeKind, Span, child_pointer};

pub const OPENCENSUS: &str = "telemetry/opencensus";
pub const OPENCENSUS_V1: &str = "github_com/devopsfaith/krakend-opencensus";
pub const OPENTELEMETRY: &str = "telemetry/opentelemetry";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    /// `telemetry/opencensus`
    Current,
    /// `github_com/devopsfaith/krakend-opencensus`
    V1,
}

impl Namespace {
    pub fn key(self) -> &'static str {
        match self {
            Namespace::Current => OPENCENSUS,
            Namespace::V1 => OPENCENSUS_V1,
        }
    }

    pub fn of(key: &str) -> Option<Namespace> {
        match key {
            OPENCENSUS => Some(Namespace::Current),
            OPENCENSUS_V1 => Some(Namespace::V1),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The service `extra_config` (or a file that is only that object).
    Service,
    /// An endpoint's or async agent's `extra_config`.
    Endpoint,
    /// A backend's `extra_config`.
    Backend,
    /// Somewhere KrakenD never looks, or shadowed by a later duplicate key.
    Unread,
}

/// One legacy member: `container.members()[index]`.
#[derive(Debug, Clone)]
pub struct BlockRef<'a> {
    pub scope: Scope,
    pub namespace: Namespace,
    /// The object holding the member (an `extra_config`).
    pub container: &'a Node,
    pub container_pointer: String,
    pub index: usize,
    /// A later member of the same container has the same key, so KrakenD
    /// reads that one instead of this one.
    pub duplicate: bool,
    /// A parent key of this block is shadowed by a later duplicate.
    pub shadowed: bool,
    /// The block is in a document after the first of a YAML stream, which
    /// KrakenD never reads.
    pub later_document: bool,
}

impl<'a> BlockRef<'a> {
    pub fn member(&self) -> &'a crate::syntax::tree::Member {
        &self.container.members().expect("container is an object")[self.index]
    }

    /// Pointer of the block's value.
    pub fn pointer(&self) -> String {
        child_pointer(&self.container_pointer, self.namespace.key())
    }
}

/// All legacy members of a document, in document order.
#[derive(Debug, Default)]
pub struct Located<'a> {
    pub blocks: Vec<BlockRef<'a>>,
    /// The service-level `extra_config` object (the root itself for a file
    /// that holds only that object) and its pointer.
    pub service_extra: Option<(&'a Node, String)>,
}

impl<'a> Located<'a> {
    pub fn service(&self) -> impl Iterator<Item = &BlockRef<'a>> {
        self.blocks.iter().filter(|b| b.scope == Scope::Service)
    }

    /// Blocks oc2otel migrates: everything KrakenD reads.
    pub fn is_pending(&self) -> bool {
        self.blocks.iter().any(|b| b.scope != Scope::Unread)
    }
}

/// The service-level `telemetry/opentelemetry` member of a config and the
/// pointer of its value: in the root `extra_config`, or at the root of a
/// settings file that holds the service `extra_config` alone.
pub fn service_opentelemetry(root: &Node) -> Option<(&crate::syntax::tree::Member, String)> {
    match root.get("extra_config") {
        Some(extra) => extra
            .value
            .get(OPENTELEMETRY)
            .map(|m| (m, child_pointer("/extra_config", OPENTELEMETRY))),
        None => root
            .get(OPENTELEMETRY)
            .map(|m| (m, child_pointer("", OPENTELEMETRY))),
    }
}

/// Where a path of object keys / array indices sits in a KrakenD config.
fn scope_of(path: &[&str], fragment: bool) -> Scope {
    match path {
        ["extra_config"] if !fragment => Scope::Service,
        [] if fragment => Scope::Service,
        ["endpoints", i, "extra_config"] | ["async_agent", i, "extra_config"] if is_index(i) => {
            Scope::Endpoint
        }
        ["endpoints", i, "backend", j, "extra_config"]
        | ["async_agent", i, "backend", j, "extra_config"]
            if is_index(i) && is_index(j) =>
        {
            Scope::Backend
        }
        _ => Scope::Unread,
    }
}

fn is_index(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit())
}

/// One step from the root: an object key or an array index.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A container on the walk, linked to its parent so that paths and
/// pointers are only built for the few places where a block is found.
struct Frame<'a> {
    parent: Option<usize>,
    step: Option<Step<'a>>,
    depth: usize,
    /// False below a member that a later duplicate key shadows.
    live: bool,
}

fn steps<'a>(frames: &[Frame<'a>], mut at: usize) -> Vec<Step<'a>> {
    let mut out = Vec::with_capacity(frames[at].depth);
    while let Some(step) = frames[at].step {
        out.push(step);
        at = frames[at].parent.expect("a frame with a step has a parent");
    }
    out.reverse();
    out
}

/// Whether member `index` is the last one with its key. Small objects are
/// scanned; big ones (hostile input) use the precomputed set.
fn is_last_of_key(
    members: &[crate::syntax::tree::Member],
    index: usize,
    later: Option<&std::collections::HashSet<&str>>,
) -> bool {
    match later {
        Some(set) => !set.contains(members[index].key.as_str()),
        None => members[index + 1..]
            .iter()
            .all(|m| m.key != members[index].key),
    }
}

/// Find every legacy block of a YAML stream: those of its first document
/// (the one KrakenD reads), then those of the others, all unread; only
/// where the text's `mentions` are, when they are known.
pub fn locate_documents<'a>(
    root: &'a Node,
    others: &'a [Node],
    mentions: Option<&Mentions>,
) -> Located<'a> {
    let mut located = locate_with(root, mentions);
    for other in others {
        located.blocks.extend(
            locate_with(other, mentions)
                .blocks
                .into_iter()
                .map(|block| BlockRef {
                    scope: Scope::Unread,
                    later_document: true,
                    ..block
                }),
        );
    }
    located
}

/// Searchers built once per run (see [`Mentions::finder`]).
static WORD_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(Mentions::WORD));
static ESCAPE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("\\u"));

/// Where a JSON text spells `opencensus`, which both legacy keys contain,
/// when that is the only way its tree can hold one: without a `\u` escape
/// (JSON's other escapes spell no letter). A part of the tree whose bytes
/// hold none of these places holds no legacy block.
#[derive(Debug, Clone)]
pub struct Mentions(Vec<usize>);

impl Mentions {
    pub const WORD: &'static str = "opencensus";

    /// A searcher for [`Mentions::WORD`], built once for a run's every
    /// file (building one takes longer than searching a small file).
    pub fn finder() -> &'static memchr::memmem::Finder<'static> {
        &WORD_FINDER
    }

    /// The mentions of a text in `format`: known for JSON alone (YAML and
    /// TOML escape letters in more ways, a template renders), and not when
    /// a `\u` escape could spell a legacy key where the bytes do not.
    pub fn of(text: &str, format: Format) -> Option<Mentions> {
        if format != Format::Json {
            return None;
        }
        let bytes = text.as_bytes();
        if ESCAPE.find(bytes).is_some() {
            return None;
        }
        Some(Mentions(WORD_FINDER.find_iter(bytes).collect()))
    }

    /// Whether every mention lies within one of `spans`.
    pub fn all_within(&self, spans: &[Span]) -> bool {
        self.0
            .iter()
            .all(|&at| spans.iter().any(|span| Self::holds(span, at)))
    }

    /// The bytes of every mention.
    pub fn ranges(&self) -> impl Iterator<Item = Span> + '_ {
        self.0.iter().map(|&at| at..at + Self::WORD.len())
    }

    /// Whether one of the mentions lies within `span`.
    fn within(&self, span: &Span) -> bool {
        let first = self.0.partition_point(|&at| at < span.start);
        self.0.get(first).is_some_and(|&at| Self::holds(span, at))
    }

    /// Whether the mention at `at` lies within `span`.
    fn holds(span: &Span, at: usize) -> bool {
        span.start <= at && at + Self::WORD.len() <= span.end
    }
}

/// Find every legacy block of a document.
pub fn locate(root: &Node) -> Located<'_> {
    locate_with(root, None)
}

/// [`locate`], walking only the parts of the tree that the text's
/// [`Mentions`], when they are known, say may hold a legacy key (most of
/// a config's endpoints hold none).
pub fn locate_with<'a>(root: &'a Node, mentions: Option<&Mentions>) -> Located<'a> {
    let wanted = |node: &Node| {
        matches!(node.kind, NodeKind::Object(_) | NodeKind::Array(_))
            && mentions.is_none_or(|m| m.within(&node.span))
    };
    // A file whose root holds a legacy key but no `extra_config` is the
    // service `extra_config` itself (a Flexible Configuration settings file).
    let fragment = root.get("extra_config").is_none()
        && root
            .members()
            .is_some_and(|m| m.iter().any(|m| Namespace::of(&m.key).is_some()));
    let mut located = Located::default();
    if fragment {
        located.service_extra = Some((root, String::new()));
    } else if let Some(extra) = root.get("extra_config")
        && matches!(extra.value.kind, NodeKind::Object(_))
    {
        located.service_extra = Some((&extra.value, "/extra_config".to_string()));
    }

    let mut frames = vec![Frame {
        parent: None,
        step: None,
        depth: 0,
        live: true,
    }];
    let mut stack: Vec<(&Node, usize)> = vec![(root, 0)];
    let mut found = Vec::new();
    while let Some((node, frame)) = stack.pop() {
        match &node.kind {
            NodeKind::Object(members) => {
                let mut later: Option<std::collections::HashSet<&str>> =
                    (members.len() > 16).then(std::collections::HashSet::new);
                for (index, member) in members.iter().enumerate().rev() {
                    let last_of_key = is_last_of_key(members, index, later.as_ref());
                    if let Some(set) = later.as_mut() {
                        set.insert(member.key.as_str());
                    }
                    let live = frames[frame].live && last_of_key;
                    if let Some(namespace) = Namespace::of(&member.key) {
                        let path = steps(&frames, frame);
                        let tokens: Vec<String> = path
                            .iter()
                            .map(|s| match s {
                                Step::Key(k) => (*k).to_string(),
                                Step::Index(i) => i.to_string(),
                            })
                            .collect();
                        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
                        let scope = if frames[frame].live {
                            scope_of(&refs, fragment)
                        } else {
                            Scope::Unread
                        };
                        let container_pointer = tokens
                            .iter()
                            .fold(String::new(), |p, t| child_pointer(&p, t));
                        found.push(BlockRef {
                            scope,
                            namespace,
                            container: node,
                            container_pointer,
                            index,
                            duplicate: !last_of_key,
                            shadowed: !frames[frame].live,
                            later_document: false,
                        });
                        // The inside of a legacy block is its own business.
                        continue;
                    }
                    if wanted(&member.value) {
                        frames.push(Frame {
                            parent: Some(frame),
                            step: Some(Step::Key(&member.key)),
                            depth: frames[frame].depth + 1,
                            live,
                        });
                        stack.push((&member.value, frames.len() - 1));
                    }
                }
            }
            NodeKind::Array(elements) => {
                for (i, element) in elements.iter().enumerate().rev() {
                    if wanted(element) {
                        frames.push(Frame {
                            parent: Some(frame),
                            step: Some(Step::Index(i)),
                            depth: frames[frame].depth + 1,
                            live: frames[frame].live,
                        });
                        stack.push((element, frames.len() - 1));
                    }
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|b| b.member().span.start);
    located.blocks = found;
    located
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    fn scopes(text: &str) -> Vec<(Scope, String)> {
        let root = json::parse(text).unwrap();
        locate(&root)
            .blocks
            .iter()
            .map(|b| (b.scope, b.pointer()))
            .collect()
    }

    #[test]
    fn finds_blocks_at_every_place_krakend_reads() {
        let text = r#"{"version": 3,
          "extra_config": {"telemetry/opencensus": {}, "github_com/devopsfaith/krakend-opencensus": {}},
          "endpoints": [{"extra_config": {"telemetry/opencensus": {"path_aggregation": "off"}},
                         "backend": [{"extra_config": {"telemetry/opencensus": {}}}]}],
          "async_agent": [{"backend": [{"extra_config": {"telemetry/opencensus": {}}}]}],
          "other": {"telemetry/opencensus": {}}}"#;
        assert_eq!(
            scopes(text),
            vec![
                (Scope::Service, "/extra_config/telemetry~1opencensus".into()),
                (
                    Scope::Service,
                    "/extra_config/github_com~1devopsfaith~1krakend-opencensus".into()
                ),
                (
                    Scope::Endpoint,
                    "/endpoints/0/extra_config/telemetry~1opencensus".into()
                ),
                (
                    Scope::Backend,
                    "/endpoints/0/backend/0/extra_config/telemetry~1opencensus".into()
                ),
                (
                    Scope::Backend,
                    "/async_agent/0/backend/0/extra_config/telemetry~1opencensus".into()
                ),
                (Scope::Unread, "/other/telemetry~1opencensus".into()),
            ]
        );
    }

    #[test]
    fn shadowed_blocks_are_not_read() {
        let text = r#"{"extra_config": {"telemetry/opencensus": {"a": 1}}, "extra_config": {}}"#;
        assert_eq!(scopes(text)[0].0, Scope::Unread);
        let text =
            r#"{"extra_config": {"telemetry/opencensus": {"a": 1}, "telemetry/opencensus": {}}}"#;
        let root = json::parse(text).unwrap();
        let located = locate(&root);
        assert!(located.blocks[0].duplicate && !located.blocks[1].duplicate);
        assert_eq!(located.blocks[0].scope, Scope::Service);
    }

    /// Every found block as the pipeline sees it.
    fn found(located: &Located) -> Vec<(Scope, String, bool, bool)> {
        located
            .blocks
            .iter()
            .map(|b| (b.scope, b.pointer(), b.duplicate, b.shadowed))
            .collect()
    }

    /// A JSON value made of the keys that decide where a block is read,
    /// duplicates included.
    fn value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = proptest::sample::select(vec![
            "extra_config",
            "endpoints",
            "backend",
            "async_agent",
            OPENCENSUS,
            OPENCENSUS_V1,
            "other",
            "opencensus",
        ]);
        let leaf = prop_oneof![Just("1".to_string()), Just("\"opencensus\"".to_string())];
        leaf.prop_recursive(5, 48, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(", "))),
                proptest::collection::vec((key.clone(), inner), 0..4).prop_map(|members| {
                    let members: Vec<String> = members
                        .iter()
                        .map(|(k, v)| format!("\"{}\": {v}", k.replace('/', "\\/")))
                        .collect();
                    format!("{{{}}}", members.join(", "))
                }),
            ]
        })
    }

    proptest::proptest! {
        /// Walking only what mentions a legacy key finds what the whole
        /// walk finds, with the same scopes, duplicates and shadows.
        #[test]
        fn the_mentioned_parts_hold_every_block(text in value()) {
            let root = json::parse(&text).unwrap();
            let mentions = Mentions::of(&text, Format::Json).unwrap();
            proptest::prop_assert_eq!(
                found(&locate_with(&root, Some(&mentions))),
                found(&locate(&root))
            );
        }
    }

    #[test]
    fn a_unicode_escape_turns_the_pruning_off() {
        let text = r#"{"extra_config": {"telemetry/\u006fpencensus": {}}}"#;
        assert!(Mentions::of(text, Format::Json).is_none());
        let root = json::parse(text).unwrap();
        assert_eq!(locate(&root).blocks.len(), 1);
    }

    #[test]
    fn a_settings_fragment_is_the_service_extra_config() {
        let found = scopes(r#"{"telemetry/opencensus": {}, "security/cors": {}}"#);
        assert_eq!(
            found,
            vec![(Scope::Service, "/telemetry~1opencensus".into())]
        );
    }
}
