//! Where the characters of a string value are written in its source
//! literal, so that a secret inside a string (user info, a query value,
//! a password in an embedded config) is hidden at its own bytes.
//!
//! A literal may spell its value with escapes (`\u0041`, YAML's `\L`,
//! `\x41`, TOML's `\U0001F600`), quotes doubled (`'it''s'`), or across
//! lines (YAML folding, TOML `"""` strings). The map is built by decoding
//! the literal here and is used only when the decoded text equals the
//! value the parser produced; any other literal (a folded YAML scalar, an
//! escape this decoder does not know) is hidden whole by the caller. No
//! arithmetic assumes one format's escapes.

use std::ops::Range;

/// Decoded byte offsets of a value mapped to byte offsets in its literal.
#[derive(Debug, Clone)]
pub struct LiteralMap {
    /// (offset in the value, offset in the literal) of each character.
    starts: Vec<(usize, usize)>,
    /// (length of the value, end of the content in the literal).
    end: (usize, usize),
}

impl LiteralMap {
    /// The bytes of the literal that spell `range` of the value (every
    /// escape that produced a character of it, whole).
    pub fn range(&self, range: Range<usize>) -> Range<usize> {
        let at = |offset: usize| {
            if offset >= self.end.0 {
                return self.end.1;
            }
            let i = self.starts.partition_point(|&(v, _)| v <= offset);
            self.starts[i.saturating_sub(1)].1
        };
        let start = at(range.start);
        let end = if range.end >= self.end.0 {
            self.end.1
        } else {
            // The start of the character at `end` (or after it).
            let i = self.starts.partition_point(|&(v, _)| v < range.end);
            self.starts.get(i).map_or(self.end.1, |&(_, r)| r)
        };
        start..end.max(start)
    }
}

/// The map of `raw` (a node's source bytes) onto `value`, when `raw`
/// provably spells `value`.
pub fn map(raw: &str, value: &str) -> Option<LiteralMap> {
    let (decoded, starts, end) = decode(raw)?;
    (decoded == value).then_some(LiteralMap {
        starts,
        end: (decoded.len(), end),
    })
}

/// The value a literal spells, as this module reads it: plain text as
/// is, quoted text with its escapes decoded.
pub fn value_of(raw: &str) -> Option<String> {
    decode(raw).map(|(decoded, _, _)| decoded)
}

type Decoded = (String, Vec<(usize, usize)>, usize);

fn decode(raw: &str) -> Option<Decoded> {
    for quotes in ["\"\"\"", "'''"] {
        if raw.len() >= 6 && raw.starts_with(quotes) && raw.ends_with(quotes) {
            // TOML multi-line strings: a newline right after the opening
            // quotes is not part of the value.
            let mut start = 3;
            if raw[start..].starts_with("\r\n") {
                start += 2;
            } else if raw[start..].starts_with('\n') {
                start += 1;
            }
            let inner = start..raw.len() - 3;
            return if quotes == "'''" {
                Some(verbatim(raw, inner))
            } else {
                escaped(raw, inner, true)
            };
        }
    }
    match raw.as_bytes().first() {
        Some(b'"') if raw.len() >= 2 && raw.ends_with('"') => escaped(raw, 1..raw.len() - 1, false),
        Some(b'\'') if raw.len() >= 2 && raw.ends_with('\'') => {
            Some(single_quoted(raw, 1..raw.len() - 1))
        }
        _ => Some(verbatim(raw, 0..raw.len())),
    }
}

fn verbatim(raw: &str, inner: Range<usize>) -> Decoded {
    let text = &raw[inner.clone()];
    let starts = text
        .char_indices()
        .map(|(i, _)| (i, inner.start + i))
        .collect();
    (text.to_string(), starts, inner.end)
}

/// YAML single quotes: `''` is one quote.
fn single_quoted(raw: &str, inner: Range<usize>) -> Decoded {
    let mut out = String::new();
    let mut starts = Vec::new();
    let mut chars = raw[inner.clone()].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        starts.push((out.len(), inner.start + i));
        out.push(c);
        if c == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
            chars.next();
        }
    }
    (out, starts, inner.end)
}

/// Double quotes with backslash escapes: JSON's, YAML's (`\x`, `\U`,
/// `\L`, `\P`, `\N`, `\_`, `\e`, ...) and TOML's (a backslash at the end
/// of a line of a `"""` string joins the lines).
fn escaped(raw: &str, inner: Range<usize>, multiline: bool) -> Option<Decoded> {
    let bytes = raw.as_bytes();
    let mut out = String::new();
    let mut starts = Vec::new();
    let mut i = inner.start;
    while i < inner.end {
        let c = raw[i..].chars().next()?;
        if c != '\\' {
            starts.push((out.len(), i));
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let next = *bytes.get(i + 1)?;
        if multiline && matches!(next, b' ' | b'\t' | b'\r' | b'\n') {
            // A line-ending backslash: the whitespace after it goes.
            let mut j = i + 1;
            while j < inner.end && matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n') {
                j += 1;
            }
            i = j;
            continue;
        }
        let (decoded, len) = escape(raw, i)?;
        starts.push((out.len(), i));
        out.push(decoded);
        i += len;
    }
    Some((out, starts, inner.end))
}

/// The character an escape at `at` stands for, and the escape's length.
fn escape(raw: &str, at: usize) -> Option<(char, usize)> {
    let bytes = raw.as_bytes();
    let simple = match bytes.get(at + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'\'' => '\'',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' | b'\t' => '\t',
        b'0' => '\0',
        b'a' => '\u{7}',
        b'v' => '\u{b}',
        b'e' => '\u{1b}',
        b' ' => ' ',
        b'_' => '\u{a0}',
        b'N' => '\u{85}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex(raw.as_bytes(), at, 2),
        b'u' => return utf16(raw, at),
        b'U' => return hex(raw.as_bytes(), at, 8),
        _ => return None,
    };
    Some((simple, 2))
}

fn hex_value(raw: &[u8], from: usize, digits: usize) -> Option<u32> {
    let text = raw.get(from..from + digits)?;
    if !text.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(text).ok()?, 16).ok()
}

/// The character of the escape at `at` (a backslash, a letter, then
/// `digits` hex digits: `\x6f`, `\u006f`, `\U0000006f`), with the
/// escape's length.
pub fn hex(raw: &[u8], at: usize, digits: usize) -> Option<(char, usize)> {
    let code = hex_value(raw, at + 2, digits)?;
    Some((char::from_u32(code)?, 2 + digits))
}

/// `\uXXXX`, with a JSON surrogate pair (`\uD83D\uDE00`) as one character.
fn utf16(raw: &str, at: usize) -> Option<(char, usize)> {
    let high = hex_value(raw.as_bytes(), at + 2, 4)?;
    if !(0xD800..0xDC00).contains(&high) {
        return Some((char::from_u32(high)?, 6));
    }
    if raw.get(at + 6..at + 8) != Some("\\u") {
        return None;
    }
    let low = hex_value(raw.as_bytes(), at + 8, 4)?;
    if !(0xDC00..0xE000).contains(&low) {
        return None;
    }
    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
    Some((char::from_u32(code)?, 12))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal bytes of `part` (found in `value`) of a literal.
    fn spelled<'r>(raw: &'r str, value: &str, part: &str) -> Option<&'r str> {
        let at = value.find(part).unwrap();
        let map = map(raw, value)?;
        Some(&raw[map.range(at..at + part.len())])
    }

    #[test]
    fn maps_values_through_each_formats_escapes() {
        assert_eq!(spelled("abc", "abc", "b"), Some("b"));
        assert_eq!(
            spelled(r#""u:\u0070w@h""#, "u:pw@h", "u:pw"),
            Some(r"u:\u0070w")
        );
        // YAML's \L and \P are three bytes in the value, two in the text:
        // the offsets after them move by one each.
        let value = "\u{2028}\u{2029}http://u:SECRET@h";
        assert_eq!(
            spelled(r#""\L\Phttp://u:SECRET@h""#, value, "u:SECRET"),
            Some("u:SECRET")
        );
        assert_eq!(
            spelled(r#""\x41\U0001F600 pw""#, "A\u{1F600} pw", "pw"),
            Some("pw")
        );
        assert_eq!(
            spelled(r#""\ud83d\ude00 pw""#, "\u{1F600} pw", "\u{1F600}"),
            Some(r"\ud83d\ude00")
        );
        assert_eq!(spelled("'it''s pw'", "it's pw", "pw"), Some("pw"));
        assert_eq!(spelled("'it''s pw'", "it's pw", "'s"), Some("''s"));
        // TOML multi-line strings.
        assert_eq!(
            spelled(
                "\"\"\"\nfirst \\\n   SECRET\"\"\"",
                "first SECRET",
                "SECRET"
            ),
            Some("SECRET")
        );
        assert_eq!(
            spelled("'''\nfirst\nSECRET'''", "first\nSECRET", "SECRET"),
            Some("SECRET")
        );
    }

    #[test]
    fn a_literal_that_does_not_spell_the_value_has_no_map() {
        // A folded YAML scalar: a line break in the text, a space in the
        // value.
        assert!(map("http://u:pa\n  ss@h", "http://u:pa ss@h").is_none());
        assert!(map("\"first\n  SECRET\"", "first SECRET").is_none());
        assert!(map(r#""\q""#, "q").is_none());
        assert!(map(r#""\ud83d""#, "x").is_none());
        assert_eq!(value_of(r#""a\tb""#).as_deref(), Some("a\tb"));
    }
}
