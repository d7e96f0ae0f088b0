//! Secrets in a parsed tree: the values of credential-like keys, whatever
//! is under `headers`, and the credentials inside strings.

use super::policy::{is_secret_key, string_secret_ranges};
use crate::syntax::tree::{Node, NodeKind, Span};

/// Spans of secret values in a document: scalar values of credential-like
/// keys, everything under a `headers` key, and the credentials inside URLs
/// (user info, secret query parameters).
pub fn secret_spans(root: &Node) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut stack: Vec<(&Node, bool)> = vec![(root, false)];
    while let Some((node, secret)) = stack.pop() {
        match &node.kind {
            NodeKind::Object(members) => {
                for member in members {
                    // Header values are credentials often enough
                    // (`authorization`, `x-api-key`) that all of them are
                    // hidden, whatever their shape.
                    let hidden = secret
                        || is_secret_key(&member.key)
                        || member.key.eq_ignore_ascii_case("headers");
                    stack.push((&member.value, hidden));
                }
            }
            NodeKind::Array(elements) => {
                for element in elements {
                    stack.push((element, secret));
                }
            }
            NodeKind::String(value) => {
                if secret {
                    spans.push(node.span.clone());
                    continue;
                }
                let ranges = string_secret_ranges(value);
                if ranges.is_empty() {
                    continue;
                }
                // Only when the literal holds the string verbatim (no
                // escapes) can the ranges be mapped onto the source.
                let inner = node.span.start + 1;
                if node.span.len() == value.len() + 2 {
                    spans.extend(ranges.into_iter().map(|r| inner + r.start..inner + r.end));
                } else {
                    spans.push(node.span.clone());
                }
            }
            NodeKind::Number(_) | NodeKind::Bool(_) if secret => spans.push(node.span.clone()),
            _ => {}
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::redact::Redacted;
    use crate::syntax::json;

    #[test]
    fn finds_and_hides_secret_values() {
        let text = r#"{"xray": {"region": "eu", "secret_access_key": "S3CR3T"},
  "headers": {"x-api": "H1"}, "url": "http://u:pw@h:1/p", "n": {"password": 1234}}"#;
        let root = json::parse(text).unwrap();
        let spans = secret_spans(&root);
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
        let root = crate::syntax::json::parse(text).unwrap();
        let redacted = Redacted::new(text, &secret_spans(&root));
        for leaked in ["H1", "H2", "H3"] {
            assert!(!redacted.text.contains(leaked), "{}", redacted.text);
        }
    }
}
