//! Keeping secrets out of everything oc2otel prints.
//!
//! Legacy telemetry blocks hold AWS keys, InfluxDB passwords and agent
//! headers, and the rest of a KrakenD config often holds more (JWT secrets,
//! API keys). Whatever oc2otel shows — diffs, source snippets, reports — is
//! built from a [`Redacted`] copy of the text in which the values of
//! credential-like keys are replaced by a visible marker. Spans into the
//! original text are mapped onto the copy, so diagnostics still point at
//! the right place.

use crate::tree::{Node, NodeKind, Span};

/// What replaces a secret in everything printed.
pub const MARKER: &str = "<redacted>";

/// Whether a key names a credential: passwords, secrets, tokens, API and
/// access keys, `*_key`, authorization headers.
pub fn is_secret_key(key: &str) -> bool {
    const WORDS: &[&[u8]] = &[
        b"password",
        b"passwd",
        b"passphrase",
        b"secret",
        b"token",
        b"apikey",
        b"accesskey",
        b"privatekey",
        b"credential",
        b"authorization",
        b"cookie",
        b"signature",
    ];
    let bytes = key.as_bytes();
    if bytes.len() < 3 {
        return false;
    }
    if bytes.len() >= 4 {
        let tail = &bytes[bytes.len() - 4..];
        if tail.eq_ignore_ascii_case(b"_key") || tail.eq_ignore_ascii_case(b"-key") {
            return true;
        }
    }
    // The key lowercased with separators removed, without allocating for
    // the usual short keys.
    let mut buffer = [0u8; 64];
    let mut owned = Vec::new();
    let squashed: &[u8] = if bytes.len() <= buffer.len() {
        let mut n = 0;
        for &b in bytes.iter().filter(|b| b.is_ascii_alphanumeric()) {
            buffer[n] = b.to_ascii_lowercase();
            n += 1;
        }
        &buffer[..n]
    } else {
        owned.extend(
            bytes
                .iter()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(u8::to_ascii_lowercase),
        );
        &owned
    };
    squashed == b"pwd"
        || WORDS
            .iter()
            .any(|w| squashed.len() >= w.len() && squashed.windows(w.len()).any(|win| win == *w))
}

/// Spans of secret values in a document: scalar values of credential-like
/// keys, every value of a `headers` object, and the user info of URLs.
pub fn secret_spans(root: &Node) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut stack: Vec<(&Node, bool)> = vec![(root, false)];
    while let Some((node, secret)) = stack.pop() {
        match &node.kind {
            NodeKind::Object(members) => {
                for member in members {
                    let key_secret = is_secret_key(&member.key);
                    let headers = member.key.eq_ignore_ascii_case("headers");
                    if let NodeKind::Object(inner) = &member.value.kind
                        && headers
                    {
                        for header in inner {
                            stack.push((&header.value, true));
                        }
                        continue;
                    }
                    stack.push((&member.value, secret || key_secret));
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
                } else if let Some(userinfo) = userinfo_range(value) {
                    // Only when the literal holds the string verbatim (no
                    // escapes) can the range be mapped onto the source.
                    let inner = node.span.start + 1;
                    if node.span.len() == value.len() + 2 {
                        spans.push(inner + userinfo.start..inner + userinfo.end);
                    } else {
                        spans.push(node.span.clone());
                    }
                }
            }
            NodeKind::Number(_) | NodeKind::Bool(_) if secret => spans.push(node.span.clone()),
            _ => {}
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    spans
}

/// Secret spans of a text in `format`; lexical when it does not parse.
pub fn spans_in(text: &str, format: crate::source::Format) -> Vec<Span> {
    match crate::formats::parse(text, format) {
        Ok(parsed) => secret_spans(&parsed.root),
        Err(_) => lexical_secret_spans(text),
    }
}

/// The `user:password` part of `scheme://user:password@host/...`.
fn userinfo_range(value: &str) -> Option<std::ops::Range<usize>> {
    let start = value.find("://")? + 3;
    let authority_end = value[start..]
        .find(['/', '?', '#'])
        .map_or(value.len(), |i| start + i);
    let at = value[start..authority_end].rfind('@')? + start;
    (at > start).then_some(start..at)
}

/// Secret spans found lexically, for text that does not parse: a
/// credential-like key followed by its value, in JSON (`"key": "value"`),
/// YAML (`key: value`) or TOML (`key = value`) shape.
pub fn lexical_secret_spans(text: &str) -> Vec<Span> {
    let mut spans = quoted_secret_spans(text);
    spans.extend(line_secret_spans(text));
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::new();
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// `key: value` and `key = value` lines (YAML, TOML): the value up to an
/// end-of-line comment.
fn line_secret_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let content = body.trim_start().trim_start_matches("- ");
        let offset = start + (body.len() - content.len());
        let Some(sep) = content.find([':', '=']) else {
            continue;
        };
        let key = content[..sep].trim().trim_matches(['"', '\'']);
        let plain_key = key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if key.is_empty() || !plain_key || !is_secret_key(key) {
            continue;
        }
        let after = &content[sep + 1..];
        let value = after.trim_start();
        let value_start = offset + sep + 1 + (after.len() - value.len());
        let value = match value.find(" #") {
            Some(i) => &value[..i],
            None => value,
        };
        let value = value.trim_end().trim_end_matches(',');
        if !value.is_empty() && !value.starts_with(['{', '[', '|', '>']) {
            spans.push(value_start..value_start + value.len());
        }
    }
    spans
}

/// A quoted credential-like key, a colon, then a quoted value (JSON).
fn quoted_secret_spans(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    let string_end = |start: usize| -> Option<usize> {
        let mut j = start + 1;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' => j += 2,
                b'"' => return Some(j + 1),
                b'\n' => return None,
                _ => j += 1,
            }
        }
        None
    };
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let Some(end) = string_end(i) else {
            i += 1;
            continue;
        };
        let key = &text[i + 1..end - 1];
        let mut j = end;
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
            j += 1;
        }
        if is_secret_key(key) && j < bytes.len() && bytes[j] == b':' {
            j += 1;
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n') {
                j += 1;
            }
            if j < bytes.len()
                && bytes[j] == b'"'
                && let Some(value_end) = string_end(j)
            {
                spans.push(j..value_end);
                i = value_end;
                continue;
            }
        }
        i = end;
    }
    spans
}

/// A text with its secrets replaced by [`MARKER`], and the means to map
/// offsets of the original onto it.
#[derive(Debug, Clone)]
pub struct Redacted {
    pub text: String,
    /// (start in the original, end in the original, start in the copy,
    /// length in the copy) of each replaced range, in order.
    pieces: Vec<(usize, usize, usize, usize)>,
}

impl Redacted {
    /// Replace each span (quoted string values keep their quotes).
    pub fn new(original: &str, spans: &[Span]) -> Redacted {
        let mut spans: Vec<Span> = spans.to_vec();
        spans.sort_by_key(|s| (s.start, s.end));
        let mut text = String::with_capacity(original.len());
        let mut pieces = Vec::new();
        let mut cursor = 0;
        for span in spans {
            if span.start < cursor || span.end > original.len() {
                continue;
            }
            text.push_str(&original[cursor..span.start]);
            let quoted = original[span.clone()].starts_with('"') && span.len() >= 2;
            let replacement = if quoted {
                format!("\"{MARKER}\"")
            } else {
                MARKER.to_string()
            };
            pieces.push((span.start, span.end, text.len(), replacement.len()));
            text.push_str(&replacement);
            cursor = span.end;
        }
        text.push_str(&original[cursor..]);
        Redacted { text, pieces }
    }

    /// Nothing to hide: the copy is the original.
    pub fn plain(original: &str) -> Redacted {
        Redacted {
            text: original.to_string(),
            pieces: Vec::new(),
        }
    }

    /// Where an offset of the original lands in the copy. Offsets inside a
    /// replaced range land at the start of its marker.
    pub fn map(&self, offset: usize) -> usize {
        let mut delta: isize = 0;
        for &(start, end, new_start, new_len) in &self.pieces {
            if offset < start {
                break;
            }
            if offset < end {
                return new_start;
            }
            delta += new_len as isize - (end - start) as isize;
        }
        (offset as isize + delta) as usize
    }

    /// A span of the original, mapped onto the copy.
    pub fn map_span(&self, span: &Span) -> Span {
        let start = self.map(span.start);
        let end = self.map(span.end).max(start);
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::json;

    #[test]
    fn recognises_credential_keys() {
        for key in [
            "access_key_id",
            "secret_access_key",
            "password",
            "api_key",
            "token",
            "Authorization",
            "client-secret",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "key",
            "region",
            "tag_host",
            "service_name",
            "path_aggregation",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

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
    fn finds_secrets_in_yaml_and_toml_lines() {
        let text = "xray:\n  access_key_id: AKIA-CANARY # key\n  region: eu\npassword = \"toml-canary\"\n- token: 'list-canary'\n";
        let redacted = Redacted::new(text, &lexical_secret_spans(text));
        assert!(
            !redacted.text.contains("CANARY") && !redacted.text.contains("canary"),
            "{}",
            redacted.text
        );
        assert!(redacted.text.contains("region: eu") && redacted.text.contains("# key"));
    }

    #[test]
    fn finds_secrets_in_text_that_does_not_parse() {
        let text = "{\"access_key_id\": \"AKIA\", \"region\": \"x\",, \"password\":\n \"p\"";
        let redacted = Redacted::new(text, &lexical_secret_spans(text));
        assert!(!redacted.text.contains("AKIA") && !redacted.text.contains("\"p\""));
        assert!(redacted.text.contains("\"x\""));
    }
}
