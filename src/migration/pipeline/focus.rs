//! What of a JSON config the migration reads, and what of its output the
//! self-check reads, so that each is parsed with that focus ([`Focus`])
//! and not built whole: a 2 MB config's tree is four times its size, and
//! both reads need only a small part of it.
//!
//! Both foci build the root's `extra_config` and `telemetry/opentelemetry`
//! whole (the service's blocks: the legacy ones, an existing block a merge
//! reads, and the new block the self-check reads back and compares), and
//! every mention of `opencensus`, a member whose key holds one whole (each
//! legacy block, in the input; one left behind, in the output).
//!
//! The input ([`of_input`]) also keeps every number literal that may be
//! beyond a 64-bit float, with the containers around it (the number
//! check). Every other check reads the root's scalars, which are always
//! built, or the located blocks; the secret scan reads each unbuilt
//! container again on its own (`redact::secret_spans`).
//!
//! The output ([`of_output`]) also holds what the edits wrote, and so
//! every container around it, and a member whose key an edit rewrote
//! whole. Its secrets (found on this parse for the preview) are those of
//! the built part and, for an unbuilt container, the input's own, moved:
//! its bytes and every key above it are the input's, and whether a value
//! is secret depends on those alone (the name/value pair rule looks only
//! at scalars, which are always built). So the output is read focused
//! only when the input's secrets were found, or no output is shown.

use crate::model::locate::{Mentions, OPENTELEMETRY};
use crate::syntax::edit::{self, Edit};
use crate::syntax::focus::Focus;
use crate::syntax::source::Format;

/// The root members that hold the service's blocks (the root itself holds
/// them in a settings file that is the service `extra_config`).
const SERVICE_MEMBERS: [&str; 2] = ["extra_config", OPENTELEMETRY];

/// The focus of the input's parse, for a JSON config whose mentions of the
/// legacy word the bytes tell ([`Mentions::of`]: none for another format
/// or with a `\u` escape, and the input is then built whole).
pub fn of_input(mentions: &Mentions) -> Focus {
    Focus::new(mentions.ranges().collect())
        .with_root_members(&SERVICE_MEMBERS)
        .with_wide_numbers()
}

/// The focus of the self-check's parse of `output`, which `edits` made.
/// `None` when the mentions of the legacy word cannot be told from the
/// bytes (a `\u` escape): then the output is built whole.
pub fn of_output(edits: &[Edit], output: &str) -> Option<Focus> {
    let mentions = Mentions::of(output, Format::Json)?;
    let mut ranges = edit::written_ranges(edits);
    ranges.extend(mentions.ranges());
    Some(Focus::new(ranges).with_root_members(&SERVICE_MEMBERS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::options::Options;
    use crate::migration::pipeline::{Input, Migration, apply, plan};
    use crate::syntax;
    use crate::syntax::tree::{Node, Span};

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
        plan.focus_output &= focused;
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
        let focus = of_output(&plan.edits, output).unwrap();
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
        assert!(Mentions::of(CONFIG, Format::Yaml).is_none(), "JSON only");
        let focus = of_input(&Mentions::of(CONFIG, Format::Json).unwrap());
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
        let key = text.find("\"b\"").unwrap();
        let edits = [Edit::replacement(key..key + 3, "\"headers\"")];
        let output = edit::apply(text, &edits).unwrap();
        let focus = of_output(&edits, &output).unwrap();
        let tree = syntax::json::parse_focused(&output, &focus).unwrap();
        let whole = syntax::json::parse(&output).unwrap();
        let member = "/a/headers";
        assert_eq!(tree.pointer(member), whole.pointer(member));
        assert_eq!(tree.pointer("/d").unwrap().members(), Some(&[][..]));
    }

    #[test]
    fn a_service_block_merged_into_is_read_back_whole() {
        let text = r#"{"endpoints": [{"a": {}}], "extra_config": {"telemetry/opentelemetry":
            {"exporters": {"otlp": [{"name": "a"}]}, "layers": {"backend": {"metrics": {}}}}}}"#;
        let inside = text.find("[{\"name").unwrap() + 1;
        let edits = [Edit::insertion(inside, "{\"name\": \"b\"}, ")];
        let output = edit::apply(text, &edits).unwrap();
        let focus = of_output(&edits, &output).unwrap();
        let tree = syntax::json::parse_focused(&output, &focus).unwrap();
        let whole = syntax::json::parse(&output).unwrap();
        assert_eq!(tree.get("extra_config"), whole.get("extra_config"));
        assert_eq!(
            tree.pointer("/endpoints").unwrap().elements(),
            Some(&[][..])
        );
    }
}
