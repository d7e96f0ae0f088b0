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
use crate::locate::Namespace;
use crate::tree::{Node, NodeKind, Span};

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
                continue;
            }
            let Some(end) = value_end(text, value_start) else {
                continue;
            };
            if let Some(action) = actions
                .iter()
                .find(|a| a.span.start >= value_start && a.span.start < end)
            {
                return Some((key_span, After::Templated(action.clone())));
            }
            if let Ok(mut value) = json::parse(&text[value_start..end]) {
                shift(&mut value, value_start);
                return Some((key_span, After::Literal(key_start..end, value)));
            }
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
        After::Templated(_) => None,
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
            });
        }
    }
    found.sort_by_key(|f| match f {
        Found::Literal { key_span, .. } | Found::Templated { key_span, .. } => key_span.start,
    });
    // A legacy key inside another block's value is that block's business
    // (an unknown key there), not a block of its own.
    let outer: Vec<Span> = found
        .iter()
        .filter_map(|f| match f {
            Found::Literal { span, .. } => Some(span.clone()),
            Found::Templated { .. } => None,
        })
        .collect();
    found.retain(|f| {
        let key = match f {
            Found::Literal { key_span, .. } | Found::Templated { key_span, .. } => key_span,
        };
        !outer
            .iter()
            .any(|o| o.start < key.start && key.end <= o.end)
    });
    (actions, found)
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
}
