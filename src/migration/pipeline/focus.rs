//! What of a JSON config the migration reads, and what of its output the
//! self-check reads, so that each is parsed with that focus ([`Focus`])
//! and not built whole.
//!
//! The input ([`of_input`]): every mention of `opencensus` (the key of every legacy block, so each
//! block is built whole, and any string that may embed one), the root's
//! `extra_config` and `telemetry/opentelemetry` (the service's blocks, and
//! the existing block a merge reads), and every number literal that may
//! be beyond a 64-bit float, with the containers around it (the number
//! check). Every other check reads the root's scalars, which are always
//! built, or the located blocks; the secret scan reads each unbuilt
//! container again on its own (`redact::secret_spans`).
//!
//! The output:
//! Why: the self-check parses the output once more, and on a large config
//! that tree was the run's peak of memory (8 MB for a 2 MB config), while
//! the check reads only the new blocks and what lies around the edits. A
//! container the focus misses is left empty; for that to change nothing
//! the check sees, the focus holds:
//! - what the edits wrote, and so every container around it;
//! - each member whose span an edit touches, whole: a member whose key was
//!   rewritten holds a subtree whose context changed;
//! - each expected block where the input already had it (a merge keeps
//!   the existing block's other members), or the nearest node around it;
//! - the root's `extra_config` and `telemetry/opentelemetry` members,
//!   where the behaviour check reads the service block;
//! - every mention of `opencensus`, so that the search for a legacy block
//!   left behind walks all the tree it would walk.
//!
//! The output's secrets (found on this parse for the preview) are then
//! those of the built part, and, for an emptied container, the input's
//! own: its bytes and every key above it are the input's, and whether a
//! value is secret depends on those alone (the name/value pair rule looks
//! only at scalars, which are never emptied). So a focus is used only when
//! the input's secrets were found, or no output is shown.

use crate::model::locate::{Mentions, OPENTELEMETRY};
use crate::syntax::edit::{self, Edit};
use crate::syntax::focus::Focus;
use crate::syntax::source::Format;
use crate::syntax::tree::{Node, NodeKind, Span};

use super::place::Expected;

/// The focus of the input's parse, when it need not be built whole: a
/// JSON config whose mentions of the legacy word the bytes tell (no `\u`
/// escape).
pub fn of_input(text: &str, format: Format) -> Option<Focus> {
    if format != Format::Json {
        return None;
    }
    let mentions = Mentions::of(text, format)?;
    let focus = Focus::new(mentions.ranges().collect())
        .with_root_members(&["extra_config", OPENTELEMETRY])
        .with_wide_numbers();
    Some(focus)
}

/// The input's spans the self-check reads (see the module doc), for a
/// JSON document's `root`.
pub fn read_spans(root: &Node, edits: &[Edit], expected: &[Expected]) -> Vec<Span> {
    let mut spans = Vec::new();
    for edit in edits {
        if let NodeKind::Object(members) = &innermost_around(root, &edit.range).kind {
            spans.extend(
                members
                    .iter()
                    .filter(|m| touches(&m.span, &edit.range))
                    .map(|m| m.span.clone()),
            );
        }
    }
    for want in expected {
        spans.push(nearest(root, &want.pointer).span.clone());
    }
    if let Some(members) = root.members() {
        spans.extend(
            members
                .iter()
                .filter(|m| m.key == "extra_config" || m.key == OPENTELEMETRY)
                .map(|m| m.span.clone()),
        );
    }
    spans
}

/// The focus of the self-check's parse of `output`, made by `edits` from
/// a text whose [`read_spans`] are `read`. `None` when the mentions of the
/// legacy word cannot be told from the bytes (a `\u` escape): then the
/// output is built whole.
pub fn of_output(read: &[Span], edits: &[Edit], output: &str) -> Option<Focus> {
    let mentions = Mentions::of(output, Format::Json)?;
    let mut ranges = edit::map_spans(read, edits);
    ranges.extend(edit::written_ranges(edits));
    ranges.extend(mentions.ranges());
    Some(Focus::new(ranges))
}

/// Whether an edit of `range` touches a member at `span`: it overlaps it,
/// or inserts strictly inside it.
fn touches(span: &Span, range: &Span) -> bool {
    if range.is_empty() {
        span.start < range.start && range.start < span.end
    } else {
        range.start < span.end && span.start < range.end
    }
}

/// The innermost container of `root` whose bytes hold `range` strictly
/// inside (not at its first or last byte).
fn innermost_around<'a>(root: &'a Node, range: &Span) -> &'a Node {
    let inside = |node: &Node| node.span.start < range.start && range.end < node.span.end;
    let mut node = root;
    loop {
        // Entries are in document order: the only one that can hold the
        // range is the first that ends after its start (a config's
        // thousands of endpoints are not looked at one by one, per edit).
        let child = match &node.kind {
            NodeKind::Object(members) => {
                let at = members.partition_point(|m| m.value.span.end <= range.start);
                members.get(at).map(|m| &m.value)
            }
            NodeKind::Array(elements) => {
                elements.get(elements.partition_point(|e| e.span.end <= range.start))
            }
            _ => None,
        };
        match child {
            Some(child)
                if inside(child) && (child.members().is_some() || child.elements().is_some()) =>
            {
                node = child
            }
            _ => return node,
        }
    }
}

/// The node at `pointer`, or at its longest prefix that `root` holds.
fn nearest<'a>(root: &'a Node, pointer: &str) -> &'a Node {
    let mut end = pointer.len();
    loop {
        if let Some(node) = root.pointer(&pointer[..end]) {
            return node;
        }
        match pointer[..end].rfind('/') {
            Some(slash) => end = slash,
            None => return root,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::options::Options;
    use crate::migration::pipeline::{Input, Migration, apply, plan};
    use crate::syntax;

    /// A config whose endpoints hold secrets in every way the redaction
    /// knows (header values, a name/value pair, URL user info, a client
    /// secret), and legacy blocks at the service and endpoint levels.
    const CONFIG: &str = r#"{
  "version": 3,
  "name": "orders",
  "endpoints": [
    {"endpoint": "/a", "backend": [{"host": ["https://user:pa55w0rd@api.example.com"], "url_pattern": "/a",
      "extra_config": {"modifier/martian": {"fifo.Group": {"modifiers": [
        {"header.Modifier": {"scope": ["request"], "name": "Authorization", "value": "Bearer abc123secret"}}]}}}}]},
    {"endpoint": "/b", "extra_config": {"telemetry/opencensus": {"exporters": {"xray": {"region": "eu-west-1"}}}},
      "backend": [{"host": ["http://b"], "url_pattern": "/b", "extra_config": {"plugin/http-client": {"headers": {"X-Api-Key": "k3y-value"}}}}]},
    {"endpoint": "/c", "backend": [{"host": ["http://c"], "url_pattern": "/c",
      "extra_config": {"auth/client-credentials": {"client_id": "id", "client_secret": "s3cr3t-value", "token_url": "https://t"}}}]}
  ],
  "extra_config": {
    "telemetry/opencensus": {"sample_rate": 100, "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}},
    "telemetry/logging": {"level": "INFO"}
  }
}
"#;

    fn migrated(text: &str, focused: bool) -> Migration {
        let options = Options::default();
        assert!(options.show_output && options.find_secrets);
        let document = syntax::parse(text, Format::Json).unwrap();
        let input = Input::tree(text, Format::Json, &*document, true);
        let mut plan = plan(input, &options, "k.json");
        if !focused {
            plan.read_spans = None;
        }
        apply(text, plan, None)
    }

    /// The bytes `spans` cover, as sorted disjoint ranges.
    fn covered(spans: &[Span]) -> Vec<Span> {
        let mut spans = spans.to_vec();
        spans.sort_by_key(|s| (s.start, s.end));
        let mut out: Vec<Span> = Vec::new();
        for span in spans.into_iter().filter(|s| !s.is_empty()) {
            match out.last_mut() {
                Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                _ => out.push(span),
            }
        }
        out
    }

    /// The focused self-check finds what the whole one finds, and hides
    /// the same bytes of the output.
    fn same_as_whole(name: &str, text: &str) {
        let focused = migrated(text, true);
        let whole = migrated(text, false);
        assert_eq!(focused.status, whole.status, "{name}");
        assert_eq!(focused.output, whole.output, "{name}");
        let messages = |m: &Migration| {
            m.diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(messages(&focused), messages(&whole), "{name}");
        assert_eq!(
            covered(&focused.output_secrets),
            covered(&whole.output_secrets),
            "{name}"
        );
    }

    #[test]
    fn the_focused_self_check_sees_and_hides_what_the_whole_one_does() {
        same_as_whole("inline", CONFIG);
        let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rules");
        let mut seen = 0;
        for entry in std::fs::read_dir(rules).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                same_as_whole(&path.display().to_string(), &text);
                seen += 1;
            }
        }
        assert!(seen > 40, "the rule fixtures are read ({seen})");
    }

    /// Which of a config's endpoints a focused parse built.
    fn endpoints_built(tree: &Node) -> Vec<bool> {
        let endpoints = tree.get("endpoints").unwrap().value.elements().unwrap();
        endpoints
            .iter()
            .map(|e| !e.members().unwrap().is_empty())
            .collect()
    }

    #[test]
    fn the_output_is_read_without_the_endpoints_the_edits_left_alone() {
        let migration = migrated(CONFIG, true);
        let output = migration.output.as_deref().unwrap();
        let document = syntax::parse(CONFIG, Format::Json).unwrap();
        let input = Input::tree(CONFIG, Format::Json, &*document, true);
        let plan = plan(input, &Options::default(), "k.json");
        let focus = of_output(plan.read_spans.as_deref().unwrap(), &plan.edits, output).unwrap();
        let tree = syntax::json::parse_focused(output, &focus).unwrap();
        // The endpoint that lost its legacy block is read; the two others
        // are left empty, and so is nothing the check reads.
        assert_eq!(endpoints_built(&tree), [false, true, false]);
        let extra = tree.get("extra_config").unwrap().value.to_json();
        let whole = syntax::json::parse(output).unwrap();
        assert_eq!(extra, whole.get("extra_config").unwrap().value.to_json());
        // Among the secrets hidden in the output, the header value of an
        // endpoint left empty: it comes from the input's.
        let hidden = covered(&migration.output_secrets);
        let at = output.find("abc123secret").unwrap();
        assert!(
            hidden.iter().any(|s| s.start <= at && at < s.end),
            "{hidden:?}"
        );
    }

    #[test]
    fn the_input_is_read_without_what_the_migration_does_not_read() {
        assert!(of_input(CONFIG, Format::Yaml).is_none(), "JSON only");
        let focus = of_input(CONFIG, Format::Json).unwrap();
        let tree = syntax::json::parse_focused(CONFIG, &focus).unwrap();
        let whole = syntax::json::parse(CONFIG).unwrap();
        assert_eq!(endpoints_built(&tree), [false, true, false]);
        // The endpoint with a legacy block: the block whole, its backends
        // (no mention) left empty.
        let block = "/endpoints/1/extra_config/telemetry~1opencensus";
        assert_eq!(tree.pointer(block), whole.pointer(block));
        let backends = tree.pointer("/endpoints/1/backend").unwrap();
        assert_eq!(backends.elements(), Some(&[][..]));
        assert_eq!(tree.get("extra_config"), whole.get("extra_config"));
    }

    #[test]
    fn a_rewritten_key_keeps_its_member_whole() {
        let text = r#"{"a": {"b": {"c": [1]}}, "d": {"e": {}}}"#;
        let root = syntax::json::parse(text).unwrap();
        let key = text.find("\"b\"").unwrap();
        let spans = read_spans(
            &root,
            &[Edit::replacement(key..key + 3, "\"headers\"")],
            &[],
        );
        let member = &root.get("a").unwrap().value.get("b").unwrap().span;
        assert_eq!(spans, std::slice::from_ref(member));
        // An insertion inside `d`'s object reads its members it touches
        // (none), and an expected block under `d` is read where it is.
        let inside = text.find("{}").unwrap() + 1;
        let want = Expected {
            pointer: "/d/e/f".into(),
            value: serde_json::Value::Null,
        };
        let spans = read_spans(&root, &[Edit::insertion(inside, "\"x\": 1")], &[want]);
        let e = &root.pointer("/d/e").unwrap().span;
        assert_eq!(spans, std::slice::from_ref(e));
    }
}
