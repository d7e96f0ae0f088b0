//! Flexible Configuration templates (Go `text/template` files that render
//! to JSON): finding members written as literal text, and editing them.
//!
//! A template is never rendered or executed. It is scanned: `{{ ... }}`
//! actions are located, then each key the caller asks for that appears as
//! a quoted JSON key outside them is followed by its value. A value written
//! as plain JSON (no action inside) is parsed and can be edited in place,
//! the actions around it untouched ([`TemplateEditor`]). A value with an
//! action inside, or produced by one (`{{ marshal .service.extra_config }}`),
//! cannot be: it is reported as such, with the action. Which keys matter,
//! and what their values mean, is the caller's business.

use super::{Editor, Refused, json};
use crate::syntax::edit::Edit;
use crate::syntax::tree::{Member, Node, NodeKind, Span};

/// A `{{ ... }}` action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub span: Span,
    /// The text between the delimiters, trimmed (`marshal .service`).
    pub expression: String,
}

/// A key found in a template, with what follows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// `"key": value` written as plain JSON.
    Literal {
        key: String,
        key_span: Span,
        /// The member, from the key to the end of the value.
        span: Span,
        /// The value, parsed (spans are offsets in the template).
        value: Node,
    },
    /// `"key":` followed by something an action writes or changes.
    Templated {
        key: String,
        key_span: Span,
        action: Action,
    },
    /// `"key":` followed by literal text that is not JSON (or never
    /// closes): what was meant cannot be told.
    Broken {
        key: String,
        key_span: Span,
        /// Where the value starts.
        value_start: usize,
        /// Where the problem is, and what it is.
        at: usize,
        message: String,
    },
}

impl Found {
    pub fn key(&self) -> &str {
        match self {
            Found::Literal { key, .. }
            | Found::Templated { key, .. }
            | Found::Broken { key, .. } => key,
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

/// The actions of a template, and the keys found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub actions: Vec<Action>,
    /// In document order; a key inside another found literal value is
    /// that value's business, not a finding of its own.
    pub found: Vec<Found>,
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

/// Whether `pos` is inside an action. Actions are sorted and do not
/// overlap, so this is a binary search.
fn inside(actions: &[Action], pos: usize) -> bool {
    let after = actions.partition_point(|a| a.span.start <= pos);
    after > 0 && pos < actions[after - 1].span.end
}

/// The first action that starts at or after `pos`.
fn next_action(actions: &[Action], pos: usize) -> Option<&Action> {
    actions.get(actions.partition_point(|a| a.span.start < pos))
}

/// The end of the JSON value starting at `start`: an object or array
/// followed through strings and nesting, a string to its closing quote, a
/// scalar to its delimiter; `None` if it never closes.
fn value_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes.get(start)? {
        b'{' | b'[' => container_end(bytes, start),
        b'"' => string_end(bytes, start),
        _ => Some(
            start
                + text[start..]
                    .find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']'))
                    .unwrap_or(text.len() - start),
        ),
    }
}

fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn container_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i)? - 1,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
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

/// Every occurrence of `"key":` outside the actions, with what follows.
fn members<'t>(
    text: &'t str,
    actions: &'t [Action],
    key: &'t str,
) -> impl Iterator<Item = Found> + 't {
    let quoted = format!("\"{key}\"");
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let key_start = text[at..].find(&quoted).map(|i| at + i)?;
            at = key_start + quoted.len();
            if inside(actions, key_start) {
                continue;
            }
            let rest = &text[at..];
            let colon = rest.len() - rest.trim_start().len();
            if !rest[colon..].starts_with(':') {
                // The key is a string value, not a member.
                continue;
            }
            let after_colon = &rest[colon + 1..];
            let value_start = at + colon + 1 + (after_colon.len() - after_colon.trim_start().len());
            return Some(follow(text, actions, key, key_start..at, value_start));
        }
    })
}

/// What follows the key at `key_span`, whose value starts at `value_start`.
fn follow(text: &str, actions: &[Action], key: &str, key_span: Span, value_start: usize) -> Found {
    let key = key.to_string();
    if let Some(action) = next_action(actions, value_start).filter(|a| a.span.start == value_start)
    {
        let action = action.clone();
        return Found::Templated {
            key,
            key_span,
            action,
        };
    }
    let broken = |at: usize, message: String| Found::Broken {
        key: key.clone(),
        key_span: key_span.clone(),
        value_start,
        at,
        message,
    };
    let Some(end) = value_end(text, value_start).filter(|&end| end > value_start) else {
        return broken(value_start, "this value is never closed".into());
    };
    if let Some(action) = next_action(actions, value_start).filter(|a| a.span.start < end) {
        let action = action.clone();
        return Found::Templated {
            key,
            key_span,
            action,
        };
    }
    match json::parse(&text[value_start..end]) {
        Ok(mut value) => {
            shift(&mut value, value_start);
            let span = key_span.start..end;
            Found::Literal {
                key,
                key_span,
                span,
                value,
            }
        }
        Err(err) => broken(value_start + err.offset, err.message),
    }
}

/// The literal values written under `key` (outside the actions).
pub fn scan_key<'t>(
    text: &'t str,
    actions: &'t [Action],
    key: &'t str,
) -> impl Iterator<Item = Node> + 't {
    members(text, actions, key).filter_map(|found| match found {
        Found::Literal { value, .. } => Some(value),
        Found::Templated { .. } | Found::Broken { .. } => None,
    })
}

/// Find `keys` in a template, and what follows each.
pub fn scan(text: &str, keys: &[&str]) -> Scan {
    let actions = actions(text);
    let found = find(text, &actions, keys);
    Scan { actions, found }
}

/// Where `keys` are in a template whose `actions` are known, in document
/// order (see [`Scan::found`]).
pub fn find(text: &str, actions: &[Action], keys: &[&str]) -> Vec<Found> {
    let mut found: Vec<Found> = keys
        .iter()
        .flat_map(|key| members(text, actions, key).collect::<Vec<_>>())
        .collect();
    found.sort_by_key(|f| f.key_span().start);
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
    found
}

/// How many objects and arrays are open at each of `positions` (sorted),
/// counting brackets outside strings and actions in one pass: a member of
/// the rendered config's root object is at depth 1. What an action writes
/// cannot be counted.
pub fn depths(text: &str, actions: &[Action], positions: &[usize]) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(positions.len());
    let mut depth = 0usize;
    let mut i = 0;
    let mut action = 0;
    for &pos in positions {
        while i < pos.min(bytes.len()) {
            while action < actions.len() && actions[action].span.end <= i {
                action += 1;
            }
            if let Some(a) = actions.get(action)
                && a.span.start <= i
            {
                i = a.span.end;
                continue;
            }
            match bytes[i] {
                b'"' => i = string_end(bytes, i).unwrap_or(bytes.len()),
                b'{' | b'[' => {
                    depth += 1;
                    i += 1;
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        out.push(depth);
    }
    out
}

/// Every string value written as literal JSON outside the actions (keys
/// excluded), decoded, with its span; in one pass.
pub fn string_values(text: &str, actions: &[Action]) -> Vec<(Span, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut action = 0;
    while let Some(offset) = text[i..].find('"') {
        let start = i + offset;
        while action < actions.len() && actions[action].span.end <= start {
            action += 1;
        }
        let next_action = actions.get(action);
        if let Some(a) = next_action
            && a.span.start <= start
        {
            i = a.span.end;
            continue;
        }
        let Some(end) = string_end(bytes, start) else {
            break;
        };
        let is_key = text[end..].trim_start().starts_with(':');
        let spans_action = next_action.is_some_and(|a| a.span.start < end);
        if !is_key
            && !spans_action
            && let Ok(value) = serde_json::from_str::<String>(&text[start..end])
        {
            out.push((start..end, value));
        }
        i = end;
    }
    out
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

/// The editor of a template's literal members. An object it is given
/// holds literal members of one object of the template (from [`scan`]);
/// replacements are written in the template's layout, removals take the
/// comma that goes with a member unless an action is in the way.
pub struct TemplateEditor<'t> {
    text: &'t str,
    actions: &'t [Action],
}

impl<'t> TemplateEditor<'t> {
    pub fn new(text: &'t str, actions: &'t [Action]) -> TemplateEditor<'t> {
        TemplateEditor { text, actions }
    }
}

impl Editor for TemplateEditor<'_> {
    fn replace_member(
        &self,
        object: &Node,
        index: usize,
        new_key: &str,
        value: &serde_json::Value,
    ) -> Vec<Edit> {
        let member = &object.members().expect("replace_member on an object")[index];
        // The member alone is the object whose layout the value takes.
        let holder = Node {
            span: member.span.clone(),
            kind: NodeKind::Object(vec![member.clone()]),
        };
        vec![json::replace_member(self.text, &holder, 0, new_key, value)]
    }

    fn remove_members(&self, object: &Node, indices: &[usize]) -> Result<Vec<Edit>, Refused> {
        let members = object.members().expect("remove_members on an object");
        let mut sorted: Vec<usize> = indices.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        // Members next to each other (only a comma between) go as one.
        let mut runs: Vec<(&Member, &Member)> = Vec::new();
        for &i in &sorted {
            let member = &members[i];
            match runs.last_mut() {
                Some((_, last)) if self.text[last.span.end..member.span.start].trim() == "," => {
                    *last = member
                }
                _ => runs.push((member, member)),
            }
        }
        runs.into_iter()
            .map(|(first, last)| {
                removal_range(self.text, self.actions, &(first.span.start..last.span.end))
                    .map(Edit::deletion)
                    .ok_or_else(|| Refused {
                        span: first.key_span.clone(),
                        why: "this block sits next to a template action, so removing it could leave a stray comma in the rendered config".into(),
                    })
            })
            .collect()
    }

    fn append_member(&self, object: &Node, key: &str, value: &serde_json::Value) -> Edit {
        json::append_member(self.text, object, key, value)
    }

    fn append_element(&self, array: &Node, value: &serde_json::Value) -> Edit {
        json::append_element(self.text, array, value)
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

    const KEYS: &[&str] = &[
        "telemetry/opencensus",
        "github_com/devopsfaith/krakend-opencensus",
    ];

    #[test]
    fn finds_literal_and_templated_blocks() {
        let Scan { actions, found } = scan(TEMPLATE, KEYS);
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
    fn a_literal_value_that_is_not_json_is_found_broken() {
        for (text, message) in [
            (
                "{\"telemetry/opencensus\": {\"sample_rate\": 10, \"x\",}, \"p\": {{ .p }}}",
                "expected",
            ),
            ("{\"telemetry/opencensus\": {\"a\": [1, 2}", "never closed"),
            ("{\"telemetry/opencensus\": nul, \"p\": 1}", ""),
        ] {
            match &scan(text, KEYS).found[..] {
                [Found::Broken { message: m, at, .. }] => {
                    assert!(m.contains(message), "{text}: {m}");
                    assert!(*at < text.len());
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        // Any JSON value is a literal: what it must be is the caller's call.
        let text = "{\"version\": 2, \"$schema\": \"https://x/v2.4/krakend.json\", \"n\": null}";
        let found = scan(text, &["version", "$schema", "n"]).found;
        let values: Vec<serde_json::Value> = found
            .iter()
            .map(|f| match f {
                Found::Literal { value, .. } => value.to_json(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            values,
            [
                serde_json::json!(2),
                "https://x/v2.4/krakend.json".into(),
                serde_json::Value::Null
            ]
        );
    }

    #[test]
    fn depth_and_string_values_skip_actions() {
        let text = "{\n  \"version\": 2,\n  {{ if .x }}{ \"a\": [{{ .y }}] }{{ end }}\n  \"c\": {\"s\": \"{\\\"k\\\": 1}\"}\n}";
        let actions = actions(text);
        let at = [text.find("\"version").unwrap(), text.find("\"s\"").unwrap()];
        assert_eq!(depths(text, &actions, &at), [1, 2]);
        let strings: Vec<String> = string_values(text, &actions)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(strings, ["{\"k\": 1}"]);
    }

    #[test]
    fn the_editor_removes_neighbours_together_or_refuses() {
        let text = "{\"x\": 1, \"a\": {}, \"b\": {}}";
        let found = scan(text, &["a", "b"]).found;
        let members: Vec<Member> = found
            .iter()
            .map(|f| match f {
                Found::Literal {
                    key,
                    key_span,
                    span,
                    value,
                } => Member {
                    key: key.as_str().into(),
                    key_span: key_span.clone(),
                    span: span.clone(),
                    value: value.clone(),
                },
                other => panic!("{other:?}"),
            })
            .collect();
        let holder = Node {
            span: members[0].span.start..members[1].span.end,
            kind: NodeKind::Object(members),
        };
        let all = actions(text);
        let editor = TemplateEditor::new(text, &all);
        let edits = editor.remove_members(&holder, &[1, 0]).unwrap();
        assert_eq!(
            crate::syntax::edit::apply(text, &edits).unwrap(),
            "{\"x\": 1}"
        );
        let text = "{ {{ x }} \"a\": {} }";
        let found = scan(text, &["a"]).found;
        let Found::Literal {
            key,
            key_span,
            span,
            value,
        } = found[0].clone()
        else {
            panic!()
        };
        let holder = Node {
            span: span.clone(),
            kind: NodeKind::Object(vec![Member {
                key: key.into(),
                key_span,
                span,
                value,
            }]),
        };
        let all = actions(text);
        let refused = TemplateEditor::new(text, &all).remove_members(&holder, &[0]);
        assert!(refused.unwrap_err().why.contains("stray comma"));
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
