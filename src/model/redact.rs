//! Keeping secrets out of everything oc2otel prints.
//!
//! Legacy telemetry blocks hold AWS keys, InfluxDB passwords and agent
//! headers, and the rest of a KrakenD config often holds more (JWT secrets,
//! API keys). Whatever oc2otel shows — diffs, source snippets, reports — is
//! built from a [`Redacted`] copy of the text in which the values of
//! credential-like keys are replaced by a visible marker. Spans into the
//! original text are mapped onto the copy, so diagnostics still point at
//! the right place.

use std::ops::Range;

use crate::model::diagnostic::{Code, Diagnostic};
use crate::syntax::tree::{Node, NodeKind, Span, child_pointer};

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

/// A warning, by JSON pointer, for each credential-like value inside a
/// legacy block (`block`, at `pointer`) that no conversion rule already
/// warned about: unknown keys (`api_key`), generic maps (`default_labels`,
/// `global_tags`), header values, credentials in URLs. The values go away
/// with the block, but they were stored in plain text, so they must be
/// rotated. `warned` are the diagnostics so far: a field under a pointer
/// that already has a [`Code::Secret`] diagnostic is not repeated.
pub fn rotate_warnings(block: &Node, pointer: &str, warned: &[Diagnostic]) -> Vec<Diagnostic> {
    let already: Vec<&str> = warned
        .iter()
        .filter(|d| d.code == Code::Secret)
        .map(|d| d.pointer.as_str())
        .collect();
    let is_warned = |p: &str| {
        already
            .iter()
            .any(|w| p == *w || p.strip_prefix(w).is_some_and(|rest| rest.starts_with('/')))
    };
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
    found.sort_by_key(|(_, span, _)| span.start);
    found
        .into_iter()
        .filter(|(at, _, _)| !is_warned(at))
        .map(|(at, span, what)| {
            // `tags[1]` for an element, the key for a member.
            let mut tokens = at.rsplit('/').map(unescape_token);
            let last = tokens.next().unwrap_or_default();
            let name = match (last.parse::<usize>(), tokens.next()) {
                (Ok(i), Some(parent)) => format!("{parent}[{i}]"),
                _ => last,
            };
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

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Secret spans of a text in `format`; lexical when it does not parse.
pub fn spans_in(text: &str, format: crate::syntax::source::Format) -> Vec<Span> {
    match crate::syntax::parse(text, format) {
        Ok(parsed) => secret_spans(parsed.root()),
        Err(_) => lexical_secret_spans(text),
    }
}

/// Query parameters that carry credentials in URLs although their names
/// say little: InfluxDB's `p`, Google's `key`, signed URLs' `sig`.
const SECRET_QUERY_NAMES: &[&str] = &["p", "pw", "pass", "key", "sig", "auth"];

/// Whether a URL query parameter name names a credential.
pub fn is_secret_query_name(name: &str) -> bool {
    is_secret_key(name)
        || SECRET_QUERY_NAMES
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
}

/// Ranges of credentials inside a string: the user info of a URL
/// (`scheme://user:password@host`, or `user:password@host:port` without a
/// scheme), the values of secret query parameters (`?token=...`), and the
/// value of a `name=value` or `name: value` pair whose name is a
/// credential (`apikey=...` in a tag list, `Authorization: Bearer ...`).
pub fn string_secret_ranges(value: &str) -> Vec<Range<usize>> {
    if let Some(pair) = pair_value_range(value) {
        return vec![pair];
    }
    let mut ranges = Vec::new();
    credential_scan(value, &mut ranges);
    ranges
}

/// The value of `name=value` or `name: value` when `name` (a single word)
/// names a credential.
fn pair_value_range(value: &str) -> Option<Range<usize>> {
    let separator = value.find(['=', ':'])?;
    let name = &value[..separator];
    if name.is_empty()
        || name.contains(|c: char| c.is_whitespace() || c == '/')
        || !is_secret_key(name)
    {
        return None;
    }
    let rest = &value[separator + 1..];
    let start = separator + 1 + (rest.len() - rest.trim_start().len());
    (start < value.len()).then_some(start..value.len())
}

/// Secret spans found lexically, for text that does not parse (its error
/// snippet must not show a secret either). The text is cut into tokens
/// (strings in either quote, bare words, punctuation) without trusting it
/// to be well formed, and these are hidden:
///
/// * the value after a credential-like key (or `headers`) and a `:` or
///   `=`; when the value is an object or array, every value inside it, up
///   to its closing bracket (or the end of the text);
/// * the rest of the line after a credential-like key that is followed by
///   another word or string on the same line but no `:`, which is how a
///   missing or extra quote shows (`"pass: "x"`, `"a": "b, "password": "x"`);
/// * credentials inside any token (`"apikey=..."`, URLs), and, over the
///   raw text, the credentials of URL-like text, by the scanner that
///   [`secret_spans`] uses for strings (a stray quote may have cut a URL
///   into words);
/// * a string in single quotes or without its closing quote is what a
///   stray quote makes of the rest of a line: its content is scanned again.
///
/// For text that does parse this hides at least what [`secret_spans`]
/// hides (the fuzz target `redact` and a property test check it). Linear
/// in the text (one token of lookahead, each byte seen a bounded number of
/// times) and without a stack, so neither size nor nesting matters.
pub fn lexical_secret_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    scan(text, 0, true, &mut spans);
    credential_scan(text, &mut spans);
    // YAML and TOML values run to the end of the line, spaces included.
    spans.extend(line_secret_spans(text));
    merge(spans)
}

/// `key: value` and `key = value` lines (YAML, TOML): the value up to an
/// end-of-line comment, whatever words it holds.
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

/// The token rules over `text`, which starts at `base` in the whole text.
/// A string in single quotes or without its closing quote is what a stray
/// quote makes of the rest of a line, so (at the top level only, which
/// keeps the pass linear) its content is scanned again as text.
fn scan(text: &str, base: usize, top: bool, spans: &mut Vec<Span>) {
    let mut tokens = Tokens::new(text).peekable();
    let at = |span: &Span| base + span.start..base + span.end;
    while let Some(token) = tokens.next() {
        if token.kind == TokenKind::Punct {
            continue;
        }
        let raw = &text[token.span.clone()];
        if top && token.kind == TokenKind::String && (!token.terminated || raw.starts_with('\'')) {
            let close = usize::from(token.terminated);
            scan(
                &raw[1..raw.len() - close],
                base + token.span.start + 1,
                false,
                spans,
            );
        }
        // Credentials inside the token itself, whatever its role.
        url_spans(text, base, &token, spans);
        let key = token.content(text);
        let secret_key = is_secret_key(&key) || key.eq_ignore_ascii_case("headers");
        if secret_key {
            match tokens.peek() {
                Some(next) if next.is_separator(text) => {
                    tokens.next();
                    match tokens.next() {
                        Some(value) if value.kind != TokenKind::Punct => {
                            spans.push(at(&value.span));
                        }
                        Some(open) if open.opens(text) => {
                            hide_container(text, base, &mut tokens, spans);
                        }
                        _ => {}
                    }
                    continue;
                }
                Some(next)
                    if next.kind != TokenKind::Punct
                        && !text[token.span.end..next.span.start].contains('\n') =>
                {
                    let end = line_end(text, token.span.end);
                    if end > token.span.end {
                        spans.push(base + token.span.end..base + end);
                    }
                    // Skip the tokens now hidden.
                    while tokens.peek().is_some_and(|t| t.span.start < end) {
                        tokens.next();
                    }
                    continue;
                }
                _ => {}
            }
        }
    }
}

/// Credentials in URLs and URL-like text, in one pass over `text`; the
/// same scan serves string values (of parsed files) and raw text (of
/// files that do not parse, where a stray quote may have cut a URL into
/// words), so a file never shows more once it breaks.
///
/// * On `@`: the segment before it (since a quote, a space, `,{[(`, an
///   earlier `@` or a `://`) is user info if it holds a `:`
///   (`user:password@`, with or without a scheme, even with a raw `/` in
///   the password), or if it directly follows `://` and holds no `/`
///   (`https://user@host`, but not `http://host/npm/@scope`).
/// * After `?`, `&` or `;`: the value of a parameter whose name is a
///   credential (`token=`, InfluxDB's `p=`), up to `&`, `;`, `#`, a space
///   or a quote.
fn credential_scan(text: &str, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let is_break =
        |b: u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b',' | b'{' | b'[' | b'(');
    let (mut segment, mut colon, mut slash, mut after_scheme) = (0, false, false, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_break(b) {
            (segment, colon, slash, after_scheme) = (i + 1, false, false, false);
        } else if bytes[i..].starts_with(b"://") {
            i += 3;
            (segment, colon, slash, after_scheme) = (i, false, false, true);
            continue;
        } else if b == b':' {
            colon = true;
        } else if b == b'/' {
            slash = true;
        } else if b == b'@' {
            if i > segment && (colon || after_scheme && !slash) {
                out.push(segment..i);
            }
            (segment, colon, slash, after_scheme) = (i + 1, false, false, false);
        } else if matches!(b, b'?' | b'&' | b';') {
            let name_start = i + 1;
            let mut j = name_start;
            // The name ends at the next `?`, `&` or `;` too, so that each
            // byte is looked at a bounded number of times (`?a?a?a...`).
            while j < bytes.len()
                && !is_break(bytes[j])
                && !matches!(bytes[j], b'=' | b'?' | b'&' | b';' | b'#')
            {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'=' && is_secret_query_name(&text[name_start..j]) {
                let value_start = j + 1;
                let mut end = value_start;
                while end < bytes.len()
                    && !bytes[end].is_ascii_whitespace()
                    && !matches!(bytes[end], b'"' | b'\'' | b'&' | b';' | b'#')
                {
                    end += 1;
                }
                if end > value_start {
                    out.push(value_start..end);
                }
                // Go on after the hidden value (`?p=?p=?p=...` stays linear).
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

/// Hide every value inside a container whose opening bracket was just
/// read, up to its closing bracket. Keys (a token followed by `:` or `=`)
/// stay readable, unless the token follows a separator itself: then it is
/// a value, whatever damage comes after it.
fn hide_container(
    text: &str,
    base: usize,
    tokens: &mut std::iter::Peekable<Tokens<'_>>,
    spans: &mut Vec<Span>,
) {
    let mut depth = 1usize;
    let mut after_separator = false;
    while let Some(token) = tokens.next() {
        if token.kind == TokenKind::Punct {
            if token.opens(text) {
                depth += 1;
            } else if token.closes(text) {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            after_separator = token.is_separator(text);
            continue;
        }
        if after_separator || !tokens.peek().is_some_and(|next| next.is_separator(text)) {
            spans.push(base + token.span.start..base + token.span.end);
        }
        after_separator = false;
    }
}

/// Credentials inside a URL-like token. When a string literal holds
/// escapes, its unescaped value is checked and the whole literal hidden.
fn url_spans(text: &str, base: usize, token: &Token, spans: &mut Vec<Span>) {
    let raw = &text[token.span.clone()];
    if !raw.contains(['@', '?', '=', ':']) {
        return;
    }
    let (inner_start, inner) = match token.kind {
        TokenKind::String => {
            let close = usize::from(token.terminated);
            let inner = &raw[1..raw.len() - close];
            let value = token.content(text);
            if value != inner && !string_secret_ranges(&value).is_empty() {
                spans.push(base + token.span.start..base + token.span.end);
                return;
            }
            (base + token.span.start + 1, inner)
        }
        _ => (base + token.span.start, raw),
    };
    spans.extend(
        string_secret_ranges(inner)
            .into_iter()
            .map(|r| inner_start + r.start..inner_start + r.end),
    );
}

/// End of the line containing `at` (before `\r\n` or `\n`).
fn line_end(text: &str, at: usize) -> usize {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if end > at && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Sorted, with overlapping spans joined.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|s| (s.start, s.end));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans.into_iter().filter(|s| !s.is_empty()) {
        match merged.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// A string in double or single quotes; it ends at its closing quote,
    /// or unterminated at the end of its line.
    String,
    /// Anything else between delimiters: numbers, `true`, typos, `//`.
    Word,
    /// One of `{ } [ ] : , =`.
    Punct,
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    span: Span,
    terminated: bool,
}

impl Token {
    /// The text a key or value token stands for: a string's value
    /// (unescaped when it is a valid JSON string), or the word itself.
    fn content<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let raw = &text[self.span.clone()];
        if self.kind != TokenKind::String {
            return raw.into();
        }
        if self.terminated
            && raw.starts_with('"')
            && raw.contains('\\')
            && let Ok(value) = serde_json::from_str::<String>(raw)
        {
            return value.into();
        }
        let close = usize::from(self.terminated);
        raw[1..raw.len() - close].into()
    }

    fn punct(&self, text: &str) -> Option<u8> {
        (self.kind == TokenKind::Punct).then(|| text.as_bytes()[self.span.start])
    }

    fn is_separator(&self, text: &str) -> bool {
        matches!(self.punct(text), Some(b':' | b'='))
    }

    fn opens(&self, text: &str) -> bool {
        matches!(self.punct(text), Some(b'{' | b'['))
    }

    fn closes(&self, text: &str) -> bool {
        matches!(self.punct(text), Some(b'}' | b']'))
    }
}

/// A tokenizer that accepts any text. Every token boundary is at an ASCII
/// byte or at the end of the text, so spans are on character boundaries.
struct Tokens<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Tokens<'t> {
    fn new(text: &'t str) -> Tokens<'t> {
        Tokens {
            bytes: text.as_bytes(),
            at: 0,
        }
    }
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let bytes = self.bytes;
        while self.at < bytes.len() && bytes[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
        let start = self.at;
        let first = *bytes.get(start)?;
        let (kind, end, terminated) = match first {
            b'{' | b'}' | b'[' | b']' | b':' | b',' | b'=' => (TokenKind::Punct, start + 1, true),
            b'"' | b'\'' => {
                let mut j = start + 1;
                let mut terminated = false;
                while j < bytes.len() {
                    match bytes[j] {
                        b'\\' => j += 2,
                        b'\n' => break,
                        b if b == first => {
                            j += 1;
                            terminated = true;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                // An escape at the very end may step past it.
                let mut end = j.min(bytes.len());
                if !terminated && end > start + 1 && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
                (TokenKind::String, end, terminated)
            }
            _ => {
                let mut j = start;
                while j < bytes.len()
                    && !bytes[j].is_ascii_whitespace()
                    && !matches!(
                        bytes[j],
                        b'{' | b'}' | b'[' | b']' | b':' | b',' | b'=' | b'"' | b'\''
                    )
                {
                    j += 1;
                }
                (TokenKind::Word, j, true)
            }
        };
        self.at = end;
        Some(Token {
            kind,
            span: start..end,
            terminated,
        })
    }
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
        // Overlapping spans are joined, so no part of either is shown.
        let spans = merge(spans.to_vec());
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
    use crate::syntax::json;

    #[test]
    fn finds_secrets_in_yaml_and_toml_lines() {
        let text = "xray:\n  access_key_id: AKIA-CANARY # key\n  region: eu\npassword = \"toml-canary\"\n- token: 'list-canary'\nsecret: two words-canary\n";
        let redacted = Redacted::new(text, &lexical_secret_spans(text));
        assert!(
            !redacted.text.contains("CANARY") && !redacted.text.contains("canary"),
            "{}",
            redacted.text
        );
        assert!(redacted.text.contains("region: eu") && redacted.text.contains("# key"));
    }

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
    fn finds_credentials_in_urls() {
        fn hidden(value: &str) -> Vec<&str> {
            string_secret_ranges(value)
                .into_iter()
                .map(|r| &value[r])
                .collect()
        }
        assert_eq!(hidden("http://u:pw@h:1/p"), ["u:pw"]);
        assert_eq!(hidden("https://user@h/p"), ["user"]);
        // Found by a property test: a raw `/` in the password.
        assert_eq!(hidden("http://u:SEK/RET+1@influx:8086/x"), ["u:SEK/RET+1"]);
        assert!(hidden("http://h/npm/@scope/pkg").is_empty());
        assert_eq!(hidden("agent-user:pw@agent:55678"), ["agent-user:pw"]);
        assert_eq!(hidden("apikey=K1"), ["K1"]);
        assert_eq!(hidden("Authorization: Bearer T1"), ["Bearer T1"]);
        assert!(hidden("env:prod").is_empty());
        assert!(hidden("the token: none").is_empty());
        assert_eq!(
            hidden("http://h/api?u=writer&p=PW1&token=T2;key=K3#frag"),
            ["PW1", "T2", "K3"]
        );
        // Not credentials: e-mail addresses, empty values, plain URLs.
        assert!(hidden("ops@example.com").is_empty());
        assert!(hidden("http://h/x?token=&region=eu").is_empty());
        assert!(hidden("http://jaeger:14268/api/traces").is_empty());
    }

    #[test]
    fn finds_secrets_in_text_that_does_not_parse() {
        let cases: &[(&str, &[&str])] = &[
            // A trailing comma after a header value.
            (
                r#"{"ocagent": {"headers": {"x-api": "CANARY1"},}}"#,
                &["CANARY1"],
            ),
            (r#"{"u": "http://user:CANARY2@host/x",}"#, &["CANARY2"]),
            (r#"{"password": 12345678CANARY3}"#, &["CANARY3"]),
            // Unterminated, on the next line, escaped quotes inside.
            (r#"{"password": "CANARY4"#, &["CANARY4"]),
            ("{\"api_key\":\n\"CANARY5\" \"x\": 1}", &["CANARY5"]),
            (r#"{"token": "CAN\"ARY6", }"#, &["CAN", "ARY6"]),
            (r#"{'password': 'CANARY9',}"#, &["CANARY9"]),
            (
                r#"{"secret_access_key": ["CANARYA", {"k": "CANARYB"}], }"#,
                &["CANARYA", "CANARYB"],
            ),
            (
                r#"{"headers": {"Authorization": "CANARYC"} "x":1}"#,
                &["CANARYC"],
            ),
            (r#"{"pass\u0077ord": "CANARYD",}"#, &["CANARYD"]),
            // A comment mentions it.
            ("{\n// password: CANARYE\n\"a\": 1,}", &["CANARYE"]),
            // A missing quote shifts every string of the line.
            (r#"{"a": "b, "password": "CANARYF", "c": 1}"#, &["CANARYF"]),
            (r#"{"password: "CANARYG"}"#, &["CANARYG"]),
            // Unclosed: everything after the key is hidden.
            (r#"{"credentials": {"user": "CANARYH", "#, &["CANARYH"]),
            (
                r#"{"url": "http://h/x?api_key=CANARYI&region=eu",,}"#,
                &["CANARYI"],
            ),
            (
                r#"{"tags": ["env:prod", "apikey=CANARYK"],,}"#,
                &["CANARYK"],
            ),
            // Found by a property test: junk after a header value.
            ("{\"headers\": {\"a\": \"CANARYL\"\n = }}", &["CANARYL"]),
            // Found by a property test: a stray `'` swallows the line.
            (
                "{\"x\": {\n : '[ \"password\": \"CANARYO\"\n}}",
                &["CANARYO"],
            ),
            // Found by a property test: junk after a `key=value` string.
            ("[\"token=CANARYP\"0\n]", &["CANARYP"]),
            // A stray quote cuts a URL into words.
            (
                "\"  \"address\": \"http://u:CANARYM@h:1/?p=CANARYN\",",
                &["CANARYM", "CANARYN"],
            ),
            ("{\"password\": \"CANARYJ\r\n", &["CANARYJ"]),
        ];
        for (text, canaries) in cases {
            let spans = lexical_secret_spans(text);
            let redacted = Redacted::new(text, &spans);
            for canary in *canaries {
                assert!(
                    !redacted.text.contains(canary),
                    "{canary} shown: {}",
                    redacted.text
                );
            }
            assert!(redacted.text.contains(MARKER), "{}", redacted.text);
        }
        // What is not secret stays readable, so the error can be found.
        let text = "{\"access_key_id\": \"AKIA\", \"region\": \"x\",, \"password\":\n \"p\"";
        let redacted = Redacted::new(text, &lexical_secret_spans(text));
        assert!(!redacted.text.contains("AKIA") && !redacted.text.contains("\"p\""));
        assert!(redacted.text.contains("\"region\": \"x\",,"));
    }

    #[test]
    fn the_lexical_scan_hides_what_the_structural_one_does() {
        let text = r#"{"a": {"Password": "P1", "n": {"token": [1, {"x": true}]}},
  "headers": {"k": "H1", "deep": {"z": "H2"}}, "headers2": "v",
  "url": "http://u:pw@h/p?sig=S1", "esc": "http:\/\/u:pw@h", "pass\u0077d": "E1"}"#;
        let root = crate::syntax::json::parse(text).unwrap();
        let lexical = lexical_secret_spans(text);
        let structural = secret_spans(&root);
        assert!(!structural.is_empty());
        for s in structural {
            assert!(
                lexical.iter().any(|l| l.start <= s.start && s.end <= l.end),
                "{:?} not hidden lexically",
                &text[s]
            );
        }
    }

    #[test]
    fn overlapping_spans_are_joined() {
        let text = "0123456789";
        let redacted = Redacted::new(text, &[2..5, 3..8, 4..6]);
        assert_eq!(redacted.text, "01<redacted>89");
        assert_eq!(redacted.map(9), 2 + MARKER.len() + 1);
    }

    #[test]
    fn the_lexical_scan_survives_deep_and_odd_input() {
        let deep = format!("{{\"password\": {}", "[".repeat(200_000));
        assert_eq!(lexical_secret_spans(&deep), Vec::<Span>::new());
        let deep = format!("{{\"password\": {}\"x\"", "{\"a\":".repeat(100_000));
        assert_eq!(lexical_secret_spans(&deep).len(), 1);
        for odd in [
            "\"",
            "'",
            "\"\\",
            "\"\\\u{e9}",
            "\"a\\\n",
            "password",
            "password:",
            "\"token\" \"\u{e9}",
        ] {
            let spans = lexical_secret_spans(odd);
            let _ = Redacted::new(odd, &spans);
        }
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
