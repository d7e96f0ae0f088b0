//! KrakenD Flexible Configuration templates (Go `text/template` files that
//! render to JSON): finding legacy blocks written as literal text.
//!
//! A template is never rendered or executed. It is scanned: `{{ ... }}`
//! actions are located, then each legacy key that appears as a quoted JSON
//! key outside them is followed by its value. A value written as plain JSON
//! (no action inside) is parsed as JSON and can be migrated in place, the
//! actions around it untouched. A value with an action inside, or produced
//! by one (`{{ marshal .service.extra_config }}`), cannot be: it is reported
//! as a manual step that names the action.

use super::json;
use crate::model::locate::Namespace;
use crate::syntax::tree::{Node, NodeKind, Span};

/// A `{{ ... }}` action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub span: Span,
    /// The text between the delimiters, trimmed (`marshal .service`).
    pub expression: String,
}

/// A legacy key found in a template, with what follows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// `"key": {...}` written as plain JSON.
    Literal {
        namespace: Namespace,
        key_span: Span,
        /// The member, from the key to the end of the value.
        span: Span,
        /// The value, parsed (spans are offsets in the template).
        value: Node,
    },
    /// `"key":` followed by something an action writes or changes.
    Templated {
        namespace: Namespace,
        key_span: Span,
        action: Action,
    },
    /// `"key":` followed by literal text that is not a JSON object or
    /// array (or never closes): KrakenD could not read the rendered
    /// config either, and oc2otel cannot tell what was meant.
    Broken {
        namespace: Namespace,
        key_span: Span,
        /// Where the problem is, and what it is.
        at: usize,
        message: String,
    },
}

impl Found {
    pub fn namespace(&self) -> Namespace {
        match self {
            Found::Literal { namespace, .. }
            | Found::Templated { namespace, .. }
            | Found::Broken { namespace, .. } => *namespace,
        }
    }

    pub fn key_span(&self) -> &Span {
        match self {
            Found::Literal { key_span, .. }
            | Found::Templated { key_span, .. }
            | Found::Broken { key_span, .. } => key_span,
        }
    }
}

/// Every `{{ ... }}` action, in order. An unclosed `{{` runs to the end.
pub fn actions(text: &str) -> Vec<Action> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| at + i) {
        let close = text[open + 2..]
            .find("}}")
            .map_or(text.len(), |i| open + 2 + i + 2);
        let inner = text[open + 2..close.saturating_sub(2).max(open + 2)]
            .trim_matches(|c: char| c == '-' || c.is_whitespace());
        out.push(Action {
            span: open..close,
            expression: inner.to_string(),
        });
        at = close;
    }
    out
}

fn inside(actions: &[Action], pos: usize) -> bool {
    actions
        .iter()
        .any(|a| a.span.start <= pos && pos < a.span.end)
}

/// The end of the JSON value starting at `start` (an object or array),
/// following strings and nesting; `None` if it never closes.
fn value_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

fn shift(node: &mut Node, by: usize) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span = n.span.start + by..n.span.end + by;
        match &mut n.kind {
            NodeKind::Object(members) => {
                for m in members {
                    m.span = m.span.start + by..m.span.end + by;
                    m.key_span = m.key_span.start + by..m.key_span.end + by;
                    stack.push(&mut m.value);
                }
            }
            NodeKind::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// What follows one quoted key outside the actions.
enum After {
    /// A plain JSON value (spans are offsets in the template).
    Literal(Span, Node),
    /// A value an action writes or changes.
    Templated(Action),
    /// Literal text that is not a JSON object or array.
    Broken { at: usize, message: String },
}

/// Every occurrence of `"key":` outside the actions, with its value.
fn members<'t>(
    text: &'t str,
    actions: &'t [Action],
    key: &str,
) -> impl Iterator<Item = (Span, After)> + 't {
    let quoted = format!("\"{key}\"");
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let key_start = text[at..].find(&quoted).map(|i| at + i)?;
            at = key_start + quoted.len();
            if inside(actions, key_start) {
                continue;
            }
            let key_span = key_start..at;
            let rest = &text[at..];
            let colon = rest.len() - rest.trim_start().len();
            if !rest[colon..].starts_with(':') {
                // The key is a string value, not a member.
                continue;
            }
            let after_colon = &rest[colon + 1..];
            let value_start = at + colon + 1 + (after_colon.len() - after_colon.trim_start().len());
            if let Some(action) = actions.iter().find(|a| a.span.start == value_start) {
                return Some((key_span, After::Templated(action.clone())));
            }
            if !text[value_start..].starts_with(['{', '[']) {
                let message = "a legacy block must be a JSON object".to_string();
                return Some((
                    key_span,
                    After::Broken {
                        at: value_start,
                        message,
                    },
                ));
            }
            let Some(end) = value_end(text, value_start) else {
                let message = "this value is never closed".to_string();
                return Some((
                    key_span,
                    After::Broken {
                        at: value_start,
                        message,
                    },
                ));
            };
            if let Some(action) = actions
                .iter()
                .find(|a| a.span.start >= value_start && a.span.start < end)
            {
                return Some((key_span, After::Templated(action.clone())));
            }
            return Some(match json::parse(&text[value_start..end]) {
                Ok(mut value) => {
                    shift(&mut value, value_start);
                    (key_span, After::Literal(key_start..end, value))
                }
                Err(err) => (
                    key_span,
                    After::Broken {
                        at: value_start + err.offset,
                        message: err.message,
                    },
                ),
            });
        }
    })
}

/// The literal values written under `key` (outside the actions).
pub fn scan_key<'t>(
    text: &'t str,
    actions: &'t [Action],
    key: &str,
) -> impl Iterator<Item = Node> + 't {
    members(text, actions, key).filter_map(|(_, after)| match after {
        After::Literal(_, value) => Some(value),
        After::Templated(_) | After::Broken { .. } => None,
    })
}

/// Find the legacy keys of a template and what follows each.
pub fn scan(text: &str) -> (Vec<Action>, Vec<Found>) {
    let actions = actions(text);
    let mut found = Vec::new();
    for namespace in [Namespace::Current, Namespace::V1] {
        for (key_span, after) in members(text, &actions, namespace.key()) {
            found.push(match after {
                After::Literal(span, value) => Found::Literal {
                    namespace,
                    key_span,
                    span,
                    value,
                },
                After::Templated(action) => Found::Templated {
                    namespace,
                    key_span,
                    action,
                },
                After::Broken { at, message } => Found::Broken {
                    namespace,
                    key_span,
                    at,
                    message,
                },
            });
        }
    }
    found.sort_by_key(|f| f.key_span().start);
    // A legacy key inside another block's value is that block's business
    // (an unknown key there), not a block of its own.
    let outer: Vec<Span> = found
        .iter()
        .filter_map(|f| match f {
            Found::Literal { span, .. } => Some(span.clone()),
            Found::Templated { .. } | Found::Broken { .. } => None,
        })
        .collect();
    found.retain(|f| {
        let key = f.key_span();
        !outer
            .iter()
            .any(|o| o.start < key.start && key.end <= o.end)
    });
    (actions, found)
}

/// Whether the member ending at `end` and the key starting at `next` are
/// members of one object with nothing a template decides between them
/// (no action, no bracket closing the object): KrakenD then reads only the
/// second of two equal keys. Between `{{ if }}` and `{{ else }}` branches
/// both may be meant, so an action in between says no.
pub fn plain_siblings(text: &str, actions: &[Action], end: usize, next: usize) -> bool {
    if next < end
        || actions
            .iter()
            .any(|a| a.span.start < next && end < a.span.end)
    {
        return false;
    }
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    for &b in &text.as_bytes()[end..next] {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && !in_string
}

/// What surrounds a member in the text, for removing it without leaving a
/// stray comma: the range to delete, or `None` when an action is in the
/// way and only a person can tell.
pub fn removal_range(text: &str, actions: &[Action], member: &Span) -> Option<Span> {
    let bytes = text.as_bytes();
    let mut after = member.end;
    while after < bytes.len() && bytes[after].is_ascii_whitespace() {
        after += 1;
    }
    if bytes.get(after) == Some(&b',') {
        let mut next = after + 1;
        while next < bytes.len() && bytes[next].is_ascii_whitespace() {
            next += 1;
        }
        // `"a": {...},` then the next member: take the comma and the layout
        // up to the next member, as in plain JSON.
        return (!inside(actions, next) || actions.iter().any(|a| a.span.start == next))
            .then_some(member.start..next);
    }
    let mut before = member.start;
    while before > 0 && bytes[before - 1].is_ascii_whitespace() {
        before -= 1;
    }
    match bytes.get(before.wrapping_sub(1)) {
        Some(b',') if !inside(actions, before - 1) => Some(before - 1..member.end),
        Some(b'{') if matches!(bytes.get(after), Some(b'}')) => Some(member.start..member.end),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"{
  "version": 3,
  {{ include "service.tmpl" }},
  "extra_config": {
    {{ if .env.prod }}
    "telemetry/opencensus": {
      "sample_rate": 100,
      "exporters": {"prometheus": {"port": 9091}}
    },
    {{ end }}
    "github_com/devopsfaith/krakend-opencensus": {{ marshal .service.opencensus }},
    "x": {"telemetry/opencensus": {"path_aggregation": "{{ .agg }}"}}
  }
}"#;

    #[test]
    fn finds_literal_and_templated_blocks() {
        let (actions, found) = scan(TEMPLATE);
        assert_eq!(actions.len(), 5);
        assert_eq!(actions[0].expression, "include \"service.tmpl\"");
        assert_eq!(found.len(), 3);
        match &found[0] {
            Found::Literal { value, span, .. } => {
                assert_eq!(
                    value.to_json(),
                    serde_json::json!({"sample_rate": 100, "exporters": {"prometheus": {"port": 9091}}})
                );
                assert!(TEMPLATE[span.clone()].starts_with("\"telemetry/opencensus\": {"));
                let sample = &value.members().unwrap()[0];
                assert_eq!(&TEMPLATE[sample.span.clone()], "\"sample_rate\": 100");
            }
            other => panic!("{other:?}"),
        }
        match &found[1] {
            Found::Templated { action, .. } => {
                assert_eq!(action.expression, "marshal .service.opencensus")
            }
            other => panic!("{other:?}"),
        }
        match &found[2] {
            Found::Templated { action, .. } => assert_eq!(action.expression, ".agg"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn removal_keeps_the_json_valid_or_refuses() {
        let text = r#"{"a": 1, "telemetry/opencensus": {"x": 1}, "b": 2}"#;
        let span = text.find("\"telemetry").unwrap()..text.find(", \"b\"").unwrap();
        let r = removal_range(text, &[], &span).unwrap();
        assert_eq!(
            format!("{}{}", &text[..r.start], &text[r.end..]),
            r#"{"a": 1, "b": 2}"#
        );
        let text = r#"{"a": 1, "telemetry/opencensus": {"x": 1}}"#;
        let span = text.find("\"telemetry").unwrap()..text.len() - 1;
        let r = removal_range(text, &[], &span).unwrap();
        assert_eq!(
            format!("{}{}", &text[..r.start], &text[r.end..]),
            r#"{"a": 1}"#
        );
        let text = "{ {{ x }} \"telemetry/opencensus\": {} }";
        let actions = actions(text);
        let span = text.find("\"telemetry").unwrap()..text.len() - 2;
        assert_eq!(removal_range(text, &actions, &span), None);
    }

    #[test]
    fn a_literal_block_that_is_not_json_is_found_broken() {
        for (text, message) in [
            (
                "{\"telemetry/opencensus\": {\"sample_rate\": 10, \"x\",}, \"p\": {{ .p }}}",
                "expected",
            ),
            (
                "{\"telemetry/opencensus\": null, \"p\": {{ .p }}}",
                "object",
            ),
            ("{\"telemetry/opencensus\": {\"a\": [1, 2}", "never closed"),
        ] {
            let (_, found) = scan(text);
            match &found[..] {
                [Found::Broken { message: m, at, .. }] => {
                    assert!(m.contains(message), "{text}: {m}");
                    assert!(*at < text.len());
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn equal_keys_are_plain_siblings_only_without_an_action_between() {
        let plain = "{\"k\": {\"a\": \"}\"}, \"k\": {}}";
        let end = plain.find(", ").unwrap();
        let next = plain.rfind("\"k\"").unwrap();
        assert!(plain_siblings(plain, &actions(plain), end, next));
        // Alternatives: both may be meant.
        let branches = "{ {{ if .a }}\"k\": {}{{ else }}\"k\": {}{{ end }} }";
        let end = branches.find("{}").unwrap() + 2;
        let next = branches.rfind("\"k\"").unwrap();
        assert!(!plain_siblings(branches, &actions(branches), end, next));
        // Different objects.
        let nested = "{\"x\": {\"k\": {}}, \"k\": {}}";
        let end = nested.find("{}").unwrap() + 2;
        let next = nested.rfind("\"k\"").unwrap();
        assert!(!plain_siblings(nested, &actions(nested), end, next));
    }
}
