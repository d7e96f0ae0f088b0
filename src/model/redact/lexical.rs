//! Secrets in text that does not parse (its error snippet must not show a
//! secret either): a tokenizer that accepts any text, and the rules that
//! hide what follows a credential-like key.

use super::policy::{credential_scan, is_secret_key, string_secret_ranges};
use super::view::merge;
use crate::syntax::tree::Span;

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
///   [`super::secret_spans`] uses for strings (a stray quote may have cut a URL
///   into words);
/// * a string in single quotes or without its closing quote is what a
///   stray quote makes of the rest of a line: its content is scanned again.
///
/// For text that does parse this hides at least what [`super::secret_spans`]
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
