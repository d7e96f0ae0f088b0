//! Secrets in a parsed tree: the values of credential-like keys, whatever
//! is under `headers`, the `value` of a credential header's name/value
//! pair, keys that hold a credential themselves, the credentials inside
//! strings (and inside configs held in strings); and, for a whole parsed
//! document, its comments and the YAML anchors that secrets come from.

use super::lexical::{comment_secret_spans, lexical_at, looks_embedded_with};
use super::literal;
use super::policy::{
    PAIR_NAME_KEYS, PAIR_VALUE_KEYS, SecretKeys, credential_ranges, is_reference,
    is_secret_header_name, marks,
};
use super::view::merge;
use crate::syntax::Document;
use crate::syntax::focus::Focus;
use crate::syntax::json;
use crate::syntax::tree::{Member, Node, NodeKind, Span};

/// Spans of secret values in the tree of `text`: scalar values of
/// credential-like keys, everything under a `headers` key, the `value` of
/// a credential header's name/value pair, keys that hold a credential
/// (`"password: x"` written as a key), and the credentials inside
/// strings (URL user info, secret query and fragment parameters,
/// credentials of a config held in a string).
///
/// A tree from a focused parse (`syntax::focus`) holds containers it left
/// unbuilt: each is read again from the text, on its own, and scanned in
/// the context the tree gives it, so that the spans are those of the
/// whole tree (the scan of a subtree depends only on it and on whether
/// what holds it is secret).
pub fn secret_spans(text: &str, root: &Node) -> Vec<Span> {
    let keys = &mut SecretKeys::new();
    let mut spans = scan(text, root, false, Unbuilt::ReadAgain, keys);
    spans.sort_by_key(|s| (s.start, s.end));
    spans
}

/// What a scan does with a container a focused parse left unbuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unbuilt {
    /// Read it again from the text and scan it: the spans are the whole
    /// tree's.
    ReadAgain,
    /// Leave it: the caller has its secrets from elsewhere (the self-check
    /// of an output, whose unbuilt parts are the input's, moved).
    Leave,
}

/// A container a focused parse left unbuilt: empty in the tree, not in
/// the text (a JSON container the tree holds whole is empty in the text
/// too, but for whitespace).
fn unbuilt(text: &str, node: &Node) -> bool {
    let empty = match &node.kind {
        NodeKind::Object(members) => members.is_empty(),
        NodeKind::Array(elements) => elements.is_empty(),
        _ => false,
    };
    empty
        && node.span.len() > 2
        && text
            .get(node.span.start + 1..node.span.end - 1)
            .is_some_and(|inner| !inner.trim_matches([' ', '\t', '\n', '\r']).is_empty())
}

/// Up to this many bytes, an unbuilt container is read again whole; a
/// larger one with a focus on nothing, its own containers left unbuilt in
/// turn, so that no more than this much is ever built at once.
const WHOLE_REGION: usize = 64 * 1024;

/// The secret spans of the unbuilt container at `span`, held by a secret
/// (`secret`) or not.
fn unbuilt_spans(
    text: &str,
    span: &Span,
    secret: bool,
    spans: &mut Vec<Span>,
    keys: &mut SecretKeys,
) {
    let region = &text[span.clone()];
    let root = match region.len() <= WHOLE_REGION {
        true => json::parse(region),
        false => json::parse_focused(region, &Focus::default()),
    };
    // The parser read these bytes already: they parse.
    if let Ok(root) = root {
        let found = scan(region, &root, secret, Unbuilt::ReadAgain, keys);
        spans.extend(
            found
                .into_iter()
                .map(|s| span.start + s.start..span.start + s.end),
        );
    }
}

/// The secret spans under `root` (itself held by a secret or not), in no
/// order; `keys` remembers the policy's verdicts over a document.
fn scan(
    text: &str,
    root: &Node,
    root_secret: bool,
    unbuilt_ones: Unbuilt,
    keys: &mut SecretKeys,
) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut stack: Vec<(&Node, bool)> = vec![(root, root_secret)];
    while let Some((node, secret)) = stack.pop() {
        if unbuilt(text, node) {
            if unbuilt_ones == Unbuilt::ReadAgain {
                unbuilt_spans(text, &node.span, secret, &mut spans, keys);
            }
            continue;
        }
        match &node.kind {
            NodeKind::Object(members) => {
                let pair = members.iter().any(names_a_secret_header);
                for member in members {
                    if keys.holds_credential(&member.key) {
                        spans.push(member.key_span.clone());
                    }
                    // Header values are credentials often enough
                    // (`authorization`, `x-api-key`) that all of them are
                    // hidden, whatever their shape.
                    let hidden = secret
                        || keys.is_secret(&member.key)
                        || member.key.eq_ignore_ascii_case("headers")
                        || pair && is_pair_value(member);
                    stack.push((&member.value, hidden));
                }
            }
            NodeKind::Array(elements) => {
                for element in elements {
                    stack.push((element, secret));
                }
            }
            NodeKind::String(value) => {
                if secret && !is_reference(value) {
                    spans.push(node.span.clone());
                } else {
                    string_spans(text, &node.span, value, &mut spans);
                }
            }
            NodeKind::Number(_) | NodeKind::Bool(_) if secret => spans.push(node.span.clone()),
            _ => {}
        }
    }
    spans
}

/// Every secret span of a parsed document: its trees' (a YAML stream's
/// later documents too), the credentials in
/// its comments (`# password = "..."` left in a YAML or TOML file), and
/// the YAML anchors whose values an alias puts in a secret's place
/// (`password: *pw` hides `&pw ...` where it is written).
pub fn document_spans(text: &str, document: &dyn Document) -> Vec<Span> {
    document_spans_with(text, document, Unbuilt::ReadAgain)
}

/// [`document_spans`], with what to do of unbuilt containers.
pub(crate) fn document_spans_with(
    text: &str,
    document: &dyn Document,
    unbuilt: Unbuilt,
) -> Vec<Span> {
    let keys = &mut SecretKeys::new();
    let mut spans = scan(text, document.root(), false, unbuilt, keys);
    for other in document.other_documents() {
        spans.extend(scan(text, other, false, unbuilt, keys));
    }
    for comment in document.comments_in(0..text.len()) {
        let start = comment.start;
        spans.extend(
            comment_secret_spans(&text[comment])
                .into_iter()
                .map(|s| start + s.start..start + s.end),
        );
    }
    let mut spans = merge(spans);
    alias_targets(document.aliases(), &mut spans);
    spans
}

/// Add the anchored text of each alias that a secret span covers, and
/// again for aliases inside that text (an anchor that is itself an alias).
fn alias_targets(aliases: &[(Span, Span)], spans: &mut Vec<Span>) {
    let covered = |spans: &[Span], alias: &Span| {
        let i = spans.partition_point(|s| s.start <= alias.start);
        i > 0 && spans[i - 1].end >= alias.end
    };
    let mut done = vec![false; aliases.len()];
    loop {
        let mut added = false;
        for (i, (alias, target)) in aliases.iter().enumerate() {
            if !done[i] && covered(spans, alias) {
                done[i] = true;
                spans.push(target.clone());
                added = true;
            }
        }
        if !added {
            break;
        }
        *spans = merge(std::mem::take(spans));
    }
}

/// `name: Authorization` (or `key`, `header`) in a name/value pair.
fn names_a_secret_header(member: &Member) -> bool {
    PAIR_NAME_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&member.key))
        && member.value.as_str().is_some_and(is_secret_header_name)
}

/// The `value` of a name/value pair, when it is a scalar.
fn is_pair_value(member: &Member) -> bool {
    PAIR_VALUE_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&member.key))
        && matches!(member.value.kind, NodeKind::String(_) | NodeKind::Number(_))
}

/// The credentials inside a string value, at the bytes that spell them
/// when the literal can be mapped onto the value, else the whole literal.
fn string_spans(text: &str, span: &Span, value: &str, spans: &mut Vec<Span>) {
    // Every string of a config comes here: one pass over its bytes
    // answers both questions for nearly all of them.
    let marks = marks(value);
    let mut ranges = match marks.separator {
        true => credential_ranges(value),
        false => Vec::new(),
    };
    if looks_embedded_with(value, marks.line_break) {
        ranges.extend(lexical_at(value, 1));
    }
    if ranges.is_empty() {
        return;
    }
    match text
        .get(span.clone())
        .and_then(|raw| literal::map(raw, value))
    {
        Some(map) => spans.extend(ranges.into_iter().map(|r| {
            let r = map.range(r);
            span.start + r.start..span.start + r.end
        })),
        None => spans.push(span.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::redact::Redacted;
    use crate::syntax::json;

    fn shown(text: &str) -> String {
        let root = json::parse(text).unwrap();
        Redacted::new(text, &secret_spans(text, &root))
            .text
            .to_string()
    }

    #[test]
    fn finds_and_hides_secret_values() {
        let text = r#"{"xray": {"region": "eu", "secret_access_key": "S3CR3T"},
  "headers": {"x-api": "H1"}, "url": "http://u:pw@h:1/p", "n": {"password": 1234}}"#;
        let root = json::parse(text).unwrap();
        let spans = secret_spans(text, &root);
        let redacted = Redacted::new(text, &spans);
        for leaked in ["S3CR3T", "H1", "u:pw", "1234"] {
            assert!(
                !redacted.text.contains(leaked),
                "{leaked} leaked: {}",
                redacted.text
            );
        }
        assert!(
            redacted
                .text
                .contains(r#""secret_access_key": "<redacted>""#)
        );
        assert!(redacted.text.contains("http://<redacted>@h:1/p"));
        // Offsets after a replacement move with it.
        let region = text.find("\"eu\"").unwrap();
        assert_eq!(&redacted.text[redacted.map(region)..][..4], "\"eu\"");
        let after = text.find("\"headers\"").unwrap();
        assert_eq!(&redacted.text[redacted.map(after)..][..9], "\"headers\"");
    }

    #[test]
    fn headers_of_any_shape_are_hidden() {
        let text =
            r#"{"headers": ["Bearer H1"], "Headers": "H2", "x": {"headers": {"a": {"b": "H3"}}}}"#;
        let shown = shown(text);
        for leaked in ["H1", "H2", "H3"] {
            assert!(!shown.contains(leaked), "{shown}");
        }
    }

    #[test]
    fn name_value_pairs_keys_escapes_and_embedded_configs() {
        let text = r#"{"m": {"value": "Basic P1", "name": "Authorization"},
  "o": {"name": "Content-Type", "value": "json"},
  "password: K1": true,
  "u": "http:\/\/u:\u0070w2@h\/x?a=1",
  "ssm": "{\"exporters\": {\"xray\": {\"secret_access_key\": \"E1\", \"region\": \"eu\"}}}"}"#;
        let shown = shown(text);
        for leaked in ["P1", "K1", "pw2", "\\u0070w2", "E1"] {
            assert!(!shown.contains(leaked), "{leaked}: {shown}");
        }
        // Only the secrets go: the rest of each string is still there.
        assert!(shown.contains(r#""value": "json""#), "{shown}");
        assert!(shown.contains(r#"http:\/\/<redacted>@h\/x?a=1"#), "{shown}");
        assert!(shown.contains(r#"\"region\": \"eu\""#), "{shown}");
    }
}
