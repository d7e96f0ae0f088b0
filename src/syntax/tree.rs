//! A format-neutral document tree whose every node knows its byte range.
//!
//! JSON, YAML and TOML parsers each produce this tree; everything after
//! parsing (locating legacy blocks, reading typed settings, pointing
//! diagnostics at lines) works on it and never needs to know the format.
//! Unlike `serde_json::Value` it keeps duplicate keys and the original
//! number literals, because KrakenD's Go parser has opinions about both.

use std::ops::Range;

/// A byte range in the source text.
pub type Span = Range<usize>;

/// The text of a key, a string or a number literal. Nearly all of a
/// config's keys and most of its values are shorter than 24 bytes, and
/// such a text is kept inline, without an allocation of its own: a
/// config's tree is built and freed with a fraction of the allocations.
pub type Text = compact_str::CompactString;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Bytes of the value itself (for a string, including its quotes).
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    /// A number as written, normalised to JSON number syntax.
    Number(Text),
    String(Text),
    Array(Vec<Node>),
    /// Members in document order, duplicates included.
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: Text,
    /// Bytes of the key as written (with quotes in JSON).
    pub key_span: Span,
    /// From the start of the key to the end of the value.
    pub span: Span,
    pub value: Node,
}

impl Node {
    /// A short name of the value's type for messages ("an object", ...).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Number(_) => "a number",
            NodeKind::String(_) => "a string",
            NodeKind::Array(_) => "an array",
            NodeKind::Object(_) => "an object",
        }
    }

    pub fn members(&self) -> Option<&[Member]> {
        match &self.kind {
            NodeKind::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn elements(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Array(elements) => Some(elements),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The member with exactly this key. With duplicates the last one wins,
    /// as it does in KrakenD (Go maps keep the last value).
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.members()?.iter().rev().find(|m| m.key == key)
    }

    /// The node at a JSON pointer (RFC 6901), following the same
    /// last-duplicate-wins rule as [`Node::get`].
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = unescape_token(token);
            node = match &node.kind {
                NodeKind::Object(_) => &node.get(&token)?.value,
                NodeKind::Array(elements) => elements.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The value as `serde_json::Value`, with KrakenD's duplicate rule (the
    /// last occurrence of a key wins, at the position of the first).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(raw) => raw
                .parse::<serde_json::Number>()
                .map(Value::Number)
                .unwrap_or(Value::Null),
            NodeKind::String(s) => Value::String(s.to_string()),
            NodeKind::Array(elements) => Value::Array(elements.iter().map(Node::to_json).collect()),
            NodeKind::Object(members) => {
                let mut map = serde_json::Map::new();
                for member in members {
                    map.insert(member.key.to_string(), member.value.to_json());
                }
                Value::Object(map)
            }
        }
    }
}

/// Escape one reference token of a JSON pointer (`~` -> `~0`, `/` -> `~1`).
pub fn escape_token(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped(&mut out, token);
    out
}

/// Append `token` escaped: one pass, and one copy when (as for nearly
/// every key) there is nothing to escape.
pub fn push_escaped(out: &mut String, token: &str) {
    // Byte positions: `~` and `/` are ASCII, so they never fall inside a
    // UTF-8 sequence (and a byte loop beats a char pattern on short keys).
    let mut rest = token;
    while let Some(i) = rest.bytes().position(|b| b == b'~' || b == b'/') {
        out.push_str(&rest[..i]);
        out.push_str(if rest.as_bytes()[i] == b'~' {
            "~0"
        } else {
            "~1"
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// Unescape one reference token of a JSON pointer (`~1` -> `/`, `~0` ->
/// `~`), borrowing when there is no escape (nearly always).
pub fn unescape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    }
}

/// Build a JSON pointer from a parent pointer and one more token.
pub fn child_pointer(parent: &str, token: &str) -> String {
    let mut out = String::with_capacity(parent.len() + 1 + token.len());
    out.push_str(parent);
    out.push('/');
    push_escaped(&mut out, token);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(kind: NodeKind) -> Node {
        Node { span: 0..0, kind }
    }

    fn member(key: &str, value: Node) -> Member {
        Member {
            key: key.into(),
            key_span: 0..0,
            span: 0..0,
            value,
        }
    }

    #[test]
    fn pointer_escapes_and_last_duplicate_wins() {
        let root = leaf(NodeKind::Object(vec![
            member("a/b", leaf(NodeKind::Number("1".into()))),
            member("a/b", leaf(NodeKind::Number("2".into()))),
        ]));
        assert_eq!(child_pointer("", "a/b"), "/a~1b");
        assert_eq!(
            root.pointer("/a~1b").unwrap().kind,
            NodeKind::Number("2".into())
        );
        assert_eq!(root.to_json(), serde_json::json!({"a/b": 2}));
    }
}
