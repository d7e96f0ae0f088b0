//! Credentials the legacy block held: every one is said to be rotated.
//!
//! The exporter rules warn about the secrets they know (X-Ray keys, the
//! InfluxDB password, agent headers, user info in an address). This rule
//! runs last over the whole block, converted or not, duplicate or not:
//! every other credential-like value (an unknown `api_key`, a token in
//! `default_labels` or `global_tags`, a URL with a password anywhere) gets
//! its warning too, since it leaves with the block but was stored in plain
//! text. What is a credential is [`crate::model::redact::policy`]'s call.

use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::redact::policy::{is_secret_key, redact_str, string_secret_ranges};
use crate::syntax::tree::{Member, Node, NodeKind, Span, push_escaped, unescape_token};

/// A warning, by JSON pointer, for each credential-like value inside a
/// legacy block (`block`, at `pointer`) that no conversion rule already
/// warned about: unknown keys (`api_key`), generic maps (`default_labels`,
/// `global_tags`), header values, credentials in URLs. The values go away
/// with the block, but they were stored in plain text, so they must be
/// rotated. `warned` are the diagnostics so far: a field under a pointer
/// that already has a [`Code::Secret`] diagnostic is not repeated.
pub fn rotate(block: &Node, pointer: &str, warned: &[Diagnostic]) -> Vec<Diagnostic> {
    let already: std::collections::HashSet<&str> = warned
        .iter()
        .filter(|d| d.code == Code::Secret)
        .map(|d| d.pointer.as_str())
        .collect();
    // The pointer or one of its ancestors: a lookup per level, so that a
    // block of 100,000 credentials stays linear.
    let is_warned = |p: &str| {
        already.contains(p)
            || p.char_indices()
                .filter(|&(i, c)| c == '/' && i > 0)
                .any(|(i, _)| already.contains(&p[..i]))
    };
    let mut found = credentials(block, pointer);
    found.sort_by_key(|(_, span, _)| span.start);
    found
        .into_iter()
        .filter(|(at, _, _)| !is_warned(at))
        .map(|(at, span, what)| {
            // `tags[1]` for an element, the key for a member.
            let mut tokens = at.rsplit('/').map(|t| unescape_token(t).into_owned());
            let last = tokens.next().unwrap_or_default();
            let name = match (last.parse::<usize>(), tokens.next()) {
                (Ok(i), Some(parent)) => format!("{parent}[{i}]"),
                _ => last,
            };
            // A key may hold the credential itself (`apikey=...`).
            let name = redact_str(&name);
            let message = match what {
                "URL credential" => format!(
                    "`{name}` contains credentials (in a URL, or a `key=value` string): they are not copied anywhere; rotate them, since they have been stored in plain text"
                ),
                _ => format!(
                    "{what} `{name}` is in the config file: it is not copied anywhere; rotate it, since it has been stored in plain text"
                ),
            };
            Diagnostic::warning(Code::Secret, message)
                .at(at, span)
                .with_help("keep credentials out of config files: give them to the component that needs them through its environment, or use an IAM role")
        })
        .collect()
}

/// Every credential-like value of `block`, by pointer, with its span and
/// what it is ("credential", "header value", "URL credential").
///
/// Why the path steps: a block has many fields and nearly none is a
/// credential, so a field's pointer is written out only when it is found;
/// the walk keeps, for each container it enters, its parent and its token.
fn credentials(block: &Node, pointer: &str) -> Vec<(String, Span, &'static str)> {
    let mut walk = Walk {
        base: pointer,
        steps: Vec::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    match &block.kind {
        NodeKind::Object(_) | NodeKind::Array(_) => walk.stack.push((block, None)),
        NodeKind::String(value) if !string_secret_ranges(value).is_empty() => {
            walk.found
                .push((pointer.to_string(), block.span.clone(), "URL credential"));
        }
        _ => {}
    }
    while let Some((node, at)) = walk.stack.pop() {
        match &node.kind {
            NodeKind::Object(members) => {
                for member in members {
                    walk.member(member, at);
                }
            }
            NodeKind::Array(elements) => {
                for (i, element) in elements.iter().enumerate() {
                    walk.child(element, at, Token::Index(i));
                }
            }
            _ => {}
        }
    }
    walk.found
}

/// One reference token of a pointer, as the walk met it.
#[derive(Clone, Copy)]
enum Token<'n> {
    Key(&'n str),
    Index(usize),
}

/// The state of [`credentials`]: `steps` are the containers entered (the
/// step of their parent container, `None` for the block, and their
/// token); `stack` the containers still to read, with their step.
struct Walk<'n, 'p> {
    base: &'p str,
    steps: Vec<(Option<usize>, Token<'n>)>,
    stack: Vec<(&'n Node, Option<usize>)>,
    found: Vec<(String, Span, &'static str)>,
}

impl<'n> Walk<'n, '_> {
    /// A member of the container at step `at`.
    fn member(&mut self, member: &'n Member, at: Option<usize>) {
        let key = Token::Key(&member.key);
        let headers = member.key.eq_ignore_ascii_case("headers");
        if let (true, Some(headers)) = (headers, member.value.members()) {
            // One warning per header, named by its pointer.
            for header in headers.iter().filter(|h| holds_value(&h.value)) {
                let mut pointer = self.pointer(at, key);
                push_token(&mut pointer, Token::Key(&header.key));
                self.found
                    .push((pointer, header.span.clone(), "header value"));
            }
        } else if headers || is_secret_key(&member.key) {
            if holds_value(&member.value) {
                let pointer = self.pointer(at, key);
                self.found
                    .push((pointer, member.span.clone(), "credential"));
            }
        } else {
            self.child(&member.value, at, key);
        }
    }

    /// A value inside the container at step `at`, under `token`.
    fn child(&mut self, node: &'n Node, at: Option<usize>, token: Token<'n>) {
        match &node.kind {
            NodeKind::Object(_) | NodeKind::Array(_) => {
                self.steps.push((at, token));
                self.stack.push((node, Some(self.steps.len() - 1)));
            }
            NodeKind::String(value) if !string_secret_ranges(value).is_empty() => {
                let pointer = self.pointer(at, token);
                self.found
                    .push((pointer, node.span.clone(), "URL credential"));
            }
            _ => {}
        }
    }

    /// The pointer of `token` inside the container at step `at`.
    fn pointer(&self, mut at: Option<usize>, token: Token<'n>) -> String {
        let mut tokens = vec![token];
        while let Some(step) = at {
            let (parent, token) = self.steps[step];
            tokens.push(token);
            at = parent;
        }
        let mut out = self.base.to_string();
        for token in tokens.into_iter().rev() {
            push_token(&mut out, token);
        }
        out
    }
}

fn push_token(out: &mut String, token: Token<'_>) {
    match token {
        Token::Key(key) => {
            out.push('/');
            push_escaped(out, key);
        }
        Token::Index(i) => {
            use std::fmt::Write;
            let _ = write!(out, "/{i}");
        }
    }
}

/// Whether a secret's value holds something to rotate: a non-empty
/// string, a number, or a container holding one.
fn holds_value(node: &Node) -> bool {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::String(s) if !s.is_empty() => return true,
            NodeKind::Number(_) => return true,
            NodeKind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            NodeKind::Array(elements) => stack.extend(elements),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    /// Every kind of credential, at every depth, named by its pointer
    /// (escaped keys, array indices), each once, in document order.
    #[test]
    fn credentials_are_named_by_their_pointers() {
        let text = r#"{"api_key": "k", "a/b": {"headers": {"x-token": "t", "empty": ""}},
            "tags": ["plain", "user:pw@host", {"password": ["p"]}],
            "m~n": [[{"url": "https://u:p@h"}]], "nothing": {"password": ""}}"#;
        let block = json::parse(text).unwrap();
        let found: Vec<(String, &str)> = credentials(&block, "/b")
            .into_iter()
            .map(|(at, _, what)| (at, what))
            .collect();
        let mut expected = vec![
            ("/b/api_key".to_string(), "credential"),
            ("/b/a~1b/headers/x-token".to_string(), "header value"),
            ("/b/tags/1".to_string(), "URL credential"),
            ("/b/tags/2/password".to_string(), "credential"),
            ("/b/m~0n/0/0/url".to_string(), "URL credential"),
        ];
        let mut found_sorted = found.clone();
        found_sorted.sort();
        expected.sort();
        assert_eq!(found_sorted, expected);
        let warned = rotate(&block, "/b", &[]);
        assert_eq!(warned.len(), expected.len());
        let starts: Vec<usize> = warned
            .iter()
            .filter_map(|d| d.span.as_ref())
            .map(|s| s.start)
            .collect();
        assert!(starts.is_sorted() && starts.len() == warned.len());
    }
}
