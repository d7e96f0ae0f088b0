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
use crate::syntax::tree::{Node, NodeKind, Span, child_pointer, unescape_token};

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
fn credentials(block: &Node, pointer: &str) -> Vec<(String, Span, &'static str)> {
    let mut found = Vec::new();
    let mut stack: Vec<(&Node, String, Option<&str>)> = vec![(block, pointer.to_string(), None)];
    while let Some((node, at, key)) = stack.pop() {
        match &node.kind {
            NodeKind::Object(members) => {
                for member in members {
                    let child = child_pointer(&at, &member.key);
                    if member.key.eq_ignore_ascii_case("headers")
                        && member.value.members().is_some()
                    {
                        // One warning per header, named by its pointer.
                        for header in member.value.members().unwrap_or_default() {
                            if holds_value(&header.value) {
                                found.push((
                                    child_pointer(&child, &header.key),
                                    header.span.clone(),
                                    "header value",
                                ));
                            }
                        }
                    } else if is_secret_key(&member.key)
                        || member.key.eq_ignore_ascii_case("headers")
                    {
                        if holds_value(&member.value) {
                            found.push((child, member.span.clone(), "credential"));
                        }
                    } else {
                        stack.push((&member.value, child, Some(&member.key)));
                    }
                }
            }
            NodeKind::Array(elements) => {
                for (i, element) in elements.iter().enumerate() {
                    stack.push((element, format!("{at}/{i}"), key));
                }
            }
            NodeKind::String(value) if !string_secret_ranges(value).is_empty() => {
                found.push((at, node.span.clone(), "URL credential"));
            }
            _ => {}
        }
    }
    found
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
