//! Secrets in text that does not parse (its error snippet must not show a
//! secret either), in the comments of text that does, and inside strings
//! that hold a config of their own: a tokenizer that accepts any text, and
//! the rules that hide what follows a credential-like key.

use super::policy::{
    PAIR_NAME_KEYS, PAIR_VALUE_KEYS, credential_scan, is_secret_header_name, is_secret_key,
    string_secret_ranges,
};
use super::view::merge;
use crate::syntax::tree::Span;

/// How many strings-inside-strings deep an embedded config is scanned
/// (a config in a string in a string...): each level is scanned once
/// more, so the work stays a small multiple of the text.
const EMBEDDED_DEPTH: usize = 3;

/// Secret spans found lexically, for text that does not parse (its error
/// snippet must not show a secret either). The text is cut into tokens
/// (strings in either quote, bare words, punctuation, template actions)
/// without trusting it to be well formed, and these are hidden:
///
/// * the value after a credential-like key (or `headers`) and a `:` or
///   `=`; when the value is an object or array, every value inside it, up
///   to its closing bracket (or the end of the text); when it holds
///   template actions (`"{{ env "X" | default "..." }}"`), all of them;
/// * the rest of the line after a credential-like key that is followed by
///   another word or string on the same line but no `:`, which is how a
///   missing or extra quote shows (`"pass: "x"`, `"a": "b, "password": "x"`);
/// * the `value` beside a `name` that is a credential header
///   (`{"name": "Authorization", "value": "Basic ..."}`);
/// * credentials inside any token (`"apikey=..."`, URLs, a config held in
///   a string), and, over the raw text, the credentials of URL-like text,
///   by the scanner that [`super::secret_spans`] uses for strings (a stray
///   quote may have cut a URL into words);
/// * the value of a template variable named like a credential
///   (`{{ $api_token := "..." }}`);
/// * a string in single quotes or without its closing quote is what a
///   stray quote makes of the rest of a line: its content is scanned again.
///
/// For text that does parse as JSON this hides at least what
/// [`super::secret_spans`] hides (the fuzz target `redact` and a property
/// test check it). Linear in the text (one token of lookahead, each byte
/// seen a bounded number of times) and without recursion on nesting, so
/// neither size nor nesting matters.
pub fn lexical_secret_spans(text: &str) -> Vec<Span> {
    lexical_at(text, 0)
}

/// [`lexical_secret_spans`] of a text found `depth` strings deep.
pub(super) fn lexical_at(text: &str, depth: usize) -> Vec<Span> {
    let mut spans = Vec::new();
    let actions = closed_actions(text);
    scan(
        text,
        &Scan {
            base: 0,
            top: true,
            depth,
            actions: &actions,
        },
        &mut spans,
    );
    credential_scan(text, &mut spans);
    variables(text, &actions, &mut spans);
    // YAML and TOML values run to the end of the line, spaces included.
    spans.extend(line_secret_spans(text));
    merge(spans)
}

/// Secret spans of a comment in a file that parses (`# password = "..."`
/// left behind): its `key: value` and `key = value` pairs and URL
/// credentials. Prose that mentions a credential's name is not a value,
/// so the rules for text a stray quote has shifted are not applied.
pub fn comment_secret_spans(comment: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    credential_scan(comment, &mut spans);
    let body = comment.trim_start_matches(['#', '/', '*', ';', ' ', '\t']);
    let offset = comment.len() - body.len();
    spans.extend(
        line_secret_spans(body)
            .into_iter()
            .map(|s| offset + s.start..offset + s.end),
    );
    merge(spans)
}

/// Whether a string value holds text that may be a config of its own (an
/// SSM parameter, a ConfigMap, Helm values): scanned like a file.
pub(super) fn looks_embedded(value: &str) -> bool {
    looks_embedded_with(value, value.contains('\n'))
}

/// [`looks_embedded`] of a value whose line breaks are already known.
pub(super) fn looks_embedded_with(value: &str, line_break: bool) -> bool {
    line_break || value.trim_start().starts_with(['{', '['])
}

/// The template actions of `text` that close (`{{ ... }}`), in order. An
/// action left open ends the list: what follows is scanned as text.
fn closed_actions(text: &str) -> Vec<Span> {
    if !text.contains("{{") {
        return Vec::new();
    }
    crate::syntax::template::actions(text)
        .into_iter()
        .map(|a| a.span)
        .take_while(|span| text[..span.end].ends_with("}}") && span.len() >= 4)
        .collect()
}

/// Template variables named like credentials: `{{ $api_token := "..." }}`
/// (or `=`) hides what is assigned, up to the end of the action.
fn variables(text: &str, actions: &[Span], spans: &mut Vec<Span>) {
    for action in actions {
        let inner_start = action.start + 2;
        let inner_end = action.end - 2;
        let inner = &text[inner_start..inner_end];
        let body = inner.trim_start_matches(['-', ' ', '\t', '\r', '\n']);
        let Some(rest) = body.strip_prefix('$') else {
            continue;
        };
        let name_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let after = rest[name_len..].trim_start();
        let value = match after.strip_prefix(":=") {
            Some(v) => v,
            None if after.starts_with('=') && !after.starts_with("==") => &after[1..],
            None => continue,
        };
        if !is_secret_key(&rest[..name_len]) {
            continue;
        }
        let value = value.trim_start();
        let start = inner_end - value.len();
        let end = inner_start + inner.trim_end_matches(['-', ' ', '\t', '\r', '\n']).len();
        if end > start {
            spans.push(start..end);
        }
    }
}
/// `key: value` and `key = value` lines (YAML, TOML): the value up to an
/// end-of-line comment, whatever words it holds; a value that goes on
/// over the next lines (a quoted string left open on its line, a TOML
/// `"""` string, a YAML block or a value after an empty key or a comment)
/// up to where it ends.
fn line_secret_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let start = at;
        let body = &text[start..line_end(text, start)];
        at = next_line(text, start);
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
        let indent = body.len() - body.trim_start().len();
        if let Some(end) = continued_value(text, value_start, indent) {
            spans.push(value_start..end);
            at = at.max(next_line(text, end.saturating_sub(1).max(value_start)));
            continue;
        }
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

/// The end of a value that starts at `start` on a line indented by
/// `indent` and goes on over the next lines; `None` for a value that ends
/// on its own line.
fn continued_value(text: &str, start: usize, indent: usize) -> Option<usize> {
    let line = &text[start..line_end(text, start)];
    for quotes in ["\"\"\"", "'''"] {
        if line.starts_with(quotes) {
            return Some(
                text[start + 3..]
                    .find(quotes)
                    .map_or(text.len(), |i| start + 3 + i + 3),
            );
        }
    }
    if let Some(quote @ (b'"' | b'\'')) = line.bytes().next() {
        let close = closing_quote(text, start, quote);
        return (close > start + line.len()).then_some(close);
    }
    let rest_is_nothing = |rest: &str| {
        let rest = rest.trim_start();
        rest.is_empty() || rest.starts_with('#')
    };
    // `key:` alone, or with a comment, or a block scalar's `|` / `>-2`.
    let opens_block = rest_is_nothing(line)
        || line.starts_with(['|', '>'])
            && rest_is_nothing(
                line[1..].trim_start_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit()),
            );
    if !opens_block {
        return None;
    }
    // The lines indented deeper than the key are its value.
    let mut end = None;
    let mut at = next_line(text, start);
    while at < text.len() {
        let body = &text[at..line_end(text, at)];
        let trimmed = body.trim_start();
        if !trimmed.is_empty() {
            if body.len() - trimmed.len() <= indent {
                break;
            }
            end = Some(at + body.len());
        }
        at = next_line(text, at);
    }
    end
}

/// Where a string opened by `quote` at `start` closes (after the quote),
/// on any line; the end of the text if it never does.
fn closing_quote(text: &str, start: usize, quote: u8) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// The start of the line after the one holding `at`.
fn next_line(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Where a token scan runs: `base` is where its text starts in the whole
/// text, `top` whether strings are scanned again inside, `depth` how
/// many strings deep the text is, `actions` its template actions.
struct Scan<'a> {
    base: usize,
    top: bool,
    depth: usize,
    actions: &'a [Span],
}

/// A `{...}` being read, for the name/value pair rule: whether its `name`
/// is a credential header, and where its `value`s are.
#[derive(Default)]
struct Pair {
    secret_name: bool,
    values: Vec<Span>,
}

impl Pair {
    fn close(self, spans: &mut Vec<Span>) {
        if self.secret_name {
            spans.extend(self.values);
        }
    }
}

/// The token rules over `text`, which starts at `cx.base` in the whole
/// text. A string in single quotes or without its closing quote is what a
/// stray quote makes of the rest of a line, and a token holding template
/// actions may hide anything inside them, so (at the top level only,
/// which keeps the pass linear) their content is scanned again as text.
fn scan(text: &str, cx: &Scan<'_>, spans: &mut Vec<Span>) {
    let mut tokens = Tokens::new(text, cx.actions).peekable();
    let at = |span: &Span| cx.base + span.start..cx.base + span.end;
    let mut objects: Vec<Pair> = Vec::new();
    // The key whose `:` was just read: the next token is its value.
    let mut value_of: Option<std::borrow::Cow<'_, str>> = None;
    while let Some(token) = tokens.next() {
        if token.kind == TokenKind::Punct {
            if token.punct(text) == Some(b'{') {
                objects.push(Pair::default());
            } else if token.punct(text) == Some(b'}')
                && let Some(object) = objects.pop()
            {
                object.close(spans);
            }
            if !token.is_separator(text) {
                value_of = None;
            }
            continue;
        }
        if let (Some(key), Some(object)) = (value_of.take(), objects.last_mut()) {
            pair_rule(&key, &token, text, cx, object);
        }
        let raw = &text[token.span.clone()];
        let actions = token.actions;
        if cx.top
            && ((token.kind == TokenKind::String && (!token.terminated || raw.starts_with('\'')))
                || actions)
        {
            let (open, close) = if actions {
                (0, 0)
            } else {
                (1, usize::from(token.terminated))
            };
            let inner = Scan {
                base: cx.base + token.span.start + open,
                top: false,
                depth: cx.depth,
                actions: &[],
            };
            scan(&raw[open..raw.len() - close], &inner, spans);
        }
        // Credentials inside the token itself, whatever its role.
        url_spans(text, cx, &token, spans);
        let key = token.content(text);
        let secret_key = is_secret_key(&key) || key.eq_ignore_ascii_case("headers");
        if !secret_key {
            if tokens.peek().is_some_and(|next| next.is_separator(text)) {
                value_of = Some(key);
            }
            continue;
        }
        match tokens.peek() {
            Some(next) if next.is_separator(text) => {
                tokens.next();
                // A doubled separator (`"password":: "x"`) is a typo, not
                // the end of the value.
                while tokens.peek().is_some_and(|t| t.is_separator(text)) {
                    tokens.next();
                }
                match tokens.next() {
                    Some(value) if value.kind != TokenKind::Punct => {
                        // A stray word before the value (`"password": oops
                        // "x"`, a non-breaking space): the rest of the line,
                        // unless what follows is a comment.
                        let mut end = value.span.end;
                        if tokens.peek().is_some_and(|t| {
                            t.kind != TokenKind::Punct
                                && !text[value.span.end..t.span.start].contains('\n')
                                && !text[t.span.clone()].starts_with(['#', '/'])
                        }) {
                            end = end.max(line_end(text, end));
                            while tokens.peek().is_some_and(|t| t.span.start < end) {
                                tokens.next();
                            }
                        }
                        spans.push(at(&(value.span.start..end)));
                    }
                    Some(open) if open.opens(text) => {
                        hide_container(text, cx.base, &mut tokens, spans);
                    }
                    _ => {}
                }
            }
            Some(next)
                if next.kind != TokenKind::Punct
                    && !text[token.span.end..next.span.start].contains('\n') =>
            {
                let end = line_end(text, token.span.end);
                if end > token.span.end {
                    spans.push(cx.base + token.span.end..cx.base + end);
                }
                // Skip the tokens now hidden.
                while tokens.peek().is_some_and(|t| t.span.start < end) {
                    tokens.next();
                }
            }
            _ => {}
        }
    }
    for object in objects {
        object.close(spans);
    }
}

/// `{"name": "Authorization", "value": "..."}`: a credential header's
/// name makes the `value` beside it secret, in either order.
fn pair_rule(key: &str, value: &Token, text: &str, cx: &Scan<'_>, object: &mut Pair) {
    let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(key));
    if is(PAIR_NAME_KEYS) && is_secret_header_name(&value.content(text)) {
        object.secret_name = true;
    } else if is(PAIR_VALUE_KEYS) {
        object
            .values
            .push(cx.base + value.span.start..cx.base + value.span.end);
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

/// Credentials inside a token: a URL, a `key=value`, a config held in a
/// string. When a string literal holds escapes (or a config), its value
/// is checked and the whole literal hidden.
fn url_spans(text: &str, cx: &Scan<'_>, token: &Token, spans: &mut Vec<Span>) {
    let raw = &text[token.span.clone()];
    let value = token.content(text);
    let whole = cx.base + token.span.start..cx.base + token.span.end;
    if token.kind == TokenKind::String
        && cx.depth < EMBEDDED_DEPTH
        && looks_embedded(&value)
        && !lexical_at(&value, cx.depth + 1).is_empty()
    {
        spans.push(whole);
        return;
    }
    if !value.contains(['@', '?', '=', ':', '#']) {
        return;
    }
    let ranges = string_secret_ranges(&value);
    if ranges.is_empty() {
        return;
    }
    let (inner_start, inner) = match token.kind {
        TokenKind::String => {
            let close = usize::from(token.terminated);
            (token.span.start + 1, &raw[1..raw.len() - close])
        }
        _ => (token.span.start, raw),
    };
    if *value != *inner {
        spans.push(whole);
        return;
    }
    let start = cx.base + inner_start;
    spans.extend(ranges.into_iter().map(|r| start + r.start..start + r.end));
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
    /// It holds a template action (`{{ ... }}`, read whole, whatever
    /// quotes it holds).
    actions: bool,
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
/// A template action is read whole, inside a string or as a word of its
/// own.
struct Tokens<'t> {
    bytes: &'t [u8],
    at: usize,
    /// The text's closed actions, sorted, and the first not yet passed.
    actions: &'t [Span],
    next_action: usize,
}

impl<'t> Tokens<'t> {
    fn new(text: &'t str, actions: &'t [Span]) -> Tokens<'t> {
        Tokens {
            bytes: text.as_bytes(),
            at: 0,
            actions,
            next_action: 0,
        }
    }

    /// The end of the action that starts at `at`, if one does. Positions
    /// asked for only grow, so this is a moving cursor.
    fn action_at(&mut self, at: usize) -> Option<usize> {
        while self
            .actions
            .get(self.next_action)
            .is_some_and(|a| a.start < at)
        {
            self.next_action += 1;
        }
        self.actions
            .get(self.next_action)
            .filter(|a| a.start == at)
            .map(|a| a.end)
    }

    /// A string from its quote at `start` to the closing quote (or the
    /// end of its line), actions inside read whole.
    fn string(&mut self, start: usize) -> (usize, bool, bool) {
        let bytes = self.bytes;
        let quote = bytes[start];
        let mut j = start + 1;
        let (mut terminated, mut actions) = (false, false);
        while j < bytes.len() {
            if bytes[j] == b'{'
                && let Some(end) = self.action_at(j)
            {
                (j, actions) = (end, true);
                continue;
            }
            match bytes[j] {
                b'\\' => j += 2,
                b'\n' => break,
                b if b == quote => {
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
        (end, terminated, actions)
    }

    /// A word from `start`: up to whitespace or punctuation, actions
    /// inside read whole.
    fn word(&mut self, start: usize) -> (usize, bool) {
        let bytes = self.bytes;
        let mut j = start;
        let mut actions = false;
        while j < bytes.len() {
            if bytes[j] == b'{'
                && let Some(end) = self.action_at(j)
            {
                (j, actions) = (end, true);
                continue;
            }
            if bytes[j].is_ascii_whitespace()
                || matches!(
                    bytes[j],
                    b'{' | b'}' | b'[' | b']' | b':' | b',' | b'=' | b'"' | b'\''
                )
            {
                break;
            }
            j += 1;
        }
        (j, actions)
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
        let starts_action = first == b'{' && self.action_at(start).is_some();
        let (kind, end, terminated, actions) = match first {
            b'{' if starts_action => {
                let (end, _) = self.word(start);
                (TokenKind::Word, end, true, true)
            }
            b'{' | b'}' | b'[' | b']' | b':' | b',' | b'=' => {
                (TokenKind::Punct, start + 1, true, false)
            }
            b'"' | b'\'' => {
                let (end, terminated, actions) = self.string(start);
                (TokenKind::String, end, terminated, actions)
            }
            _ => {
                let (end, actions) = self.word(start);
                (TokenKind::Word, end, true, actions)
            }
        };
        self.at = end;
        Some(Token {
            kind,
            span: start..end,
            terminated,
            actions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::redact::{MARKER, Redacted, secret_spans};

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

    /// Damaged texts and the canaries each must hide.
    const DAMAGED: &[(&str, &[&str])] = &[
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

    #[test]
    fn finds_secrets_in_text_that_does_not_parse() {
        let cases = DAMAGED;
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
        let structural = secret_spans(text, &root);
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
}
