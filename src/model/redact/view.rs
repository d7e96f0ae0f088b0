//! The view of a text that everything printed is cut from: the secrets
//! replaced by a visible marker, offsets of the original mapped onto the
//! copy so that diagnostics still point at the right place, the words a
//! message must not quote ([`Redacted::scrub`]), and the one escaping
//! function every shown name or value goes through ([`printable`]).

use std::borrow::Cow;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::syntax::tree::Span;

/// What replaces a secret in everything printed.
pub const MARKER: &str = "<redacted>";

/// Sorted, with overlapping spans joined.
pub(super) fn merge(mut spans: Vec<Span>) -> Vec<Span> {
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

/// Whether `spans` leave a text as it is: the redacted text can be the
/// original itself.
fn hides_nothing(spans: &[Span]) -> bool {
    spans.iter().all(|span| span.is_empty())
}

/// The text of [`Redacted::new`] alone: the original itself, not a copy,
/// when no span hides anything (a 2 MB config's diff is made of the two
/// whole texts).
pub fn redacted_text<'a>(original: &'a str, spans: &[Span]) -> Cow<'a, str> {
    match hides_nothing(spans) {
        true => Cow::Borrowed(original),
        // The text alone: no scrubber or offset map is made for it.
        false => Cow::Owned(replaced(original, &merge(spans.to_vec())).0),
    }
}

/// The secrets at `spans` (sorted, apart) replaced by [`MARKER`] (quoted
/// string values keep their quotes), and where each replacement went
/// (`Redacted::pieces`).
fn replaced(original: &str, spans: &[Span]) -> (String, Vec<(usize, usize, usize, usize)>) {
    let mut text = String::with_capacity(original.len());
    let mut pieces = Vec::new();
    let mut cursor = 0;
    for span in spans {
        if span.start < cursor
            || span.end > original.len()
            || !original.is_char_boundary(span.start)
            || !original.is_char_boundary(span.end)
        {
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
    (text, pieces)
}

/// A text with its secrets replaced by [`MARKER`], and the means to map
/// offsets of the original onto it.
#[derive(Debug, Clone)]
pub struct Redacted {
    /// Shared with the original where nothing is hidden
    /// ([`Redacted::of_shared`]).
    pub text: Arc<String>,
    /// (start in the original, end in the original, start in the copy,
    /// length in the copy) of each replaced range, in order.
    pieces: Vec<(usize, usize, usize, usize)>,
    scrubber: Scrubber,
}

impl Redacted {
    /// Replace each span (quoted string values keep their quotes).
    pub fn new(original: &str, spans: &[Span]) -> Redacted {
        // Overlapping spans are joined, so no part of either is shown.
        let spans = merge(spans.to_vec());
        let (text, pieces) = replaced(original, &spans);
        Redacted {
            text: Arc::new(text),
            pieces,
            scrubber: Scrubber::new(original, &spans),
        }
    }

    /// [`Redacted::new`] of a shared text: the text itself, not a copy,
    /// when no span hides anything (a large config's report keeps the
    /// text its planned write keeps).
    pub fn of_shared(original: &Arc<String>, spans: &[Span]) -> Redacted {
        match hides_nothing(spans) {
            true => Redacted {
                text: Arc::clone(original),
                pieces: Vec::new(),
                scrubber: Scrubber::default(),
            },
            false => Redacted::new(original, spans),
        }
    }

    /// Where an offset of the original lands in the copy. Offsets inside a
    /// replaced range land at the start of its marker. Logarithmic in the
    /// number of secrets (a line with 100,000 of them stays linear).
    pub fn map(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|&(start, ..)| start <= offset);
        let Some(&(start, end, new_start, new_len)) = i.checked_sub(1).map(|i| &self.pieces[i])
        else {
            return offset;
        };
        if offset < end {
            return new_start;
        }
        debug_assert!(start <= offset);
        new_start + new_len + (offset - end)
    }

    /// A span of the original, mapped onto the copy.
    pub fn map_span(&self, span: &Span) -> Span {
        let start = self.map(span.start);
        let end = self.map(span.end).max(start);
        start..end
    }

    /// `message` with every secret of the original replaced by the marker
    /// (see [`Scrubber`]).
    pub fn scrub<'m>(&self, message: &'m str) -> Cow<'m, str> {
        self.scrubber.scrub(message)
    }

    pub fn scrubber(&self) -> &Scrubber {
        &self.scrubber
    }
}

/// The words no message may quote: the text of every secret of a source,
/// as written and as its value reads (escapes decoded, as `{:?}` quotes
/// it, as a JSON pointer spells it). Messages are built from keys and
/// values in many places; this is the last line, so that a message that
/// quotes a secret in any of these forms shows the marker instead.
/// Secrets shorter than [`Scrubber::SHORTEST`] bytes are left to the
/// rules that build the messages (a four-letter word in a message is too
/// likely to be something else), as are `true`, `false` and `null`.
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    /// `None` when there is nothing to scrub (boxed: most sources have
    /// no secret, and a `Redacted` travels in every outcome).
    words: Option<Box<Words>>,
}

#[derive(Debug, Clone)]
struct Words {
    short: Option<AhoCorasick>,
    /// Words longer than [`Scrubber::LONG`], looked for one by one in the
    /// rare message at least as long (an automaton of a 500 KB secret
    /// would cost more than every message it could be in).
    long: Vec<String>,
}

impl Scrubber {
    pub const SHORTEST: usize = 4;
    const LONG: usize = 1024;

    /// The scrubber of `original`'s secrets at `spans`.
    pub fn new(original: &str, spans: &[Span]) -> Scrubber {
        let mut words: Vec<String> = Vec::new();
        let mut add = |word: &str| {
            let word = word.trim();
            if word.len() >= Self::SHORTEST
                && !matches!(word, "true" | "false" | "null")
                && !word.contains(MARKER)
            {
                words.push(word.to_string());
            }
        };
        for span in spans {
            let Some(raw) = original.get(span.clone()) else {
                continue;
            };
            add(raw);
            add(raw.trim_matches(['"', '\'']));
            if let Some(value) = super::literal::value_of(raw) {
                add(&value);
                let debug = format!("{value:?}");
                add(&debug[1..debug.len() - 1]);
                add(&crate::syntax::tree::escape_token(&value));
            }
        }
        words.sort();
        words.dedup();
        if words.is_empty() {
            return Scrubber::default();
        }
        let (mut long, words): (Vec<String>, Vec<String>) =
            words.into_iter().partition(|w| w.len() > Self::LONG);
        long.sort_by_key(|w| std::cmp::Reverse(w.len()));
        // An NFA: built in time linear in the words, where a DFA would
        // take time and memory per state and byte (a 500 KB secret).
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .match_kind(MatchKind::LeftmostLongest)
            .build(&words)
            .ok();
        Scrubber {
            words: Some(Box::new(Words {
                short: automaton.filter(|_| !words.is_empty()),
                long,
            })),
        }
    }

    /// `message` with each secret word replaced by the marker.
    pub fn scrub<'m>(&self, message: &'m str) -> Cow<'m, str> {
        let mut message = Cow::Borrowed(message);
        let Some(all) = &self.words else {
            return message;
        };
        for word in &all.long {
            if word.len() <= message.len() && message.contains(word.as_str()) {
                message = Cow::Owned(message.replace(word.as_str(), MARKER));
            }
        }
        let Some(words) = &all.short else {
            return message;
        };
        if !words.is_match(message.as_ref()) {
            return message;
        }
        Cow::Owned(words.replace_all(message.as_ref(), &[MARKER].repeat(words.patterns_len())))
    }

    /// Scrub a diagnostic's message, help and pointer in place.
    pub fn diagnostic(&self, d: &mut crate::model::diagnostic::Diagnostic) {
        if self.words.is_none() {
            return;
        }
        if let Cow::Owned(m) = self.scrub(&d.message) {
            d.message = m;
        }
        if let Some(help) = &d.help
            && let Cow::Owned(h) = self.scrub(help)
        {
            d.help = Some(h.into());
        }
        if let Cow::Owned(p) = self.scrub(&d.pointer) {
            d.pointer = p;
        }
        if let Some(fate) = &mut d.fate
            && let Some(target) = &fate.target
            && let Cow::Owned(t) = self.scrub(target)
        {
            fate.target = Some(t);
        }
    }
}

/// How [`printable`] treats line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// A name or value shown on one line: every line break is escaped.
    One,
    /// Text shown line by line (a snippet, a diff): `\n`, and `\r` right
    /// before it, are kept; tabs too.
    Kept,
}

/// A name or value made safe to show on a terminal, in a CI log or in a
/// comment of a written file: control characters (C0 but tab, DEL, C1),
/// Unicode line and paragraph separators and the bidirectional overrides
/// and isolates (which can make a terminal show text other than what is
/// there) are written as visible escapes: `\n`, `\r`, `\t`, `\u{1b}`.
/// Nothing else changes, so a name without such characters is shown as
/// it is. The one escaping function of every report, the collector
/// config's comments and the deploy snippets.
pub fn printable(text: &str, lines: Lines) -> Cow<'_, str> {
    let Some(mut at) = first_unsafe(text, lines) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    let mut done = 0;
    // Copy up to each character `first_unsafe` finds, escape it, go on
    // after it: what is unsafe is decided in one place.
    while let Some(c) = text[at..].chars().next() {
        out.push_str(&text[done..at]);
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
        done = at + c.len_utf8();
        match first_unsafe(&text[done..], lines) {
            Some(next) => at = done + next,
            None => break,
        }
    }
    out.push_str(&text[done..]);
    Cow::Owned(out)
}

/// Where the first character [`printable`] escapes starts, if any. Bytes
/// are looked at one by one and only a non-ASCII one is decoded: a whole
/// config goes through here for every diff.
fn first_unsafe(text: &str, lines: Lines) -> Option<usize> {
    let bytes = text.as_bytes();
    let many = lines == Lines::Kept;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let safe = match b {
            0x20..=0x7e => true,
            b'\n' | b'\t' => many,
            b'\r' => many && bytes.get(i + 1) == Some(&b'\n'),
            0x80.. => {
                // `i` is at a character's first byte: ASCII bytes are
                // characters, and a multi-byte one is skipped whole.
                let c = text[i..].chars().next()?;
                if is_unsafe_char(c) {
                    return Some(i);
                }
                i += c.len_utf8();
                continue;
            }
            _ => false,
        };
        if !safe {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Characters never shown as they are (line breaks and tab aside).
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{200e}' | '\u{200f}' | '\u{61c}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redacted_text_is_the_original_itself_when_nothing_is_hidden() {
        let text = r#"{"password": "hunter2", "a": 1}"#;
        let (empty, hidden, first) = (5..5, 13..22, 0..1);
        let cases = [
            vec![],
            vec![empty],
            vec![hidden.clone()],
            vec![first, hidden],
        ];
        for spans in cases {
            let got = redacted_text(text, &spans);
            assert_eq!(*got, *Redacted::new(text, &spans).text);
            let hides = spans.iter().any(|s| !s.is_empty());
            assert_eq!(matches!(got, Cow::Owned(_)), hides, "{spans:?}");
        }
    }

    #[test]
    fn overlapping_spans_are_joined() {
        let text = "0123456789";
        let redacted = Redacted::new(text, &[2..5, 3..8, 4..6]);
        assert_eq!(*redacted.text, "01<redacted>89");
        assert_eq!(redacted.map(9), 2 + MARKER.len() + 1);
        assert_eq!(redacted.map(1), 1);
        assert_eq!(redacted.map(4), 2);
    }

    #[test]
    fn offsets_map_past_many_secrets() {
        let text = "ab".repeat(1000);
        let spans: Vec<Span> = (0..1000).map(|i| 2 * i + 1..2 * i + 2).collect();
        let redacted = Redacted::new(&text, &spans);
        for i in 0..1000 {
            assert_eq!(redacted.map(2 * i), i * (1 + MARKER.len()));
        }
        assert_eq!(redacted.map(text.len()), redacted.text.len());
    }

    #[test]
    fn messages_are_scrubbed_of_every_form_of_a_secret() {
        let text = r#"{"password": "S\u0045CRET\"1", "token": "ab", "k": "x/SEC~2"}"#;
        let at = |s: &str| {
            let i = text.find(s).unwrap();
            i..i + s.len()
        };
        let redacted = Redacted::new(
            text,
            &[at(r#""S\u0045CRET\"1""#), at("\"ab\""), at("\"x/SEC~2\"")],
        );
        assert_eq!(
            redacted.scrub("value SECRET\"1, or \"SECRET\\\"1\""),
            "value <redacted>, or \"<redacted>\""
        );
        // Short secrets are left to the messages' own rules.
        assert_eq!(redacted.scrub("ab"), "ab");
        assert_eq!(redacted.scrub("/k/x~1SEC~02"), "/k/<redacted>");
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(printable("k.json", Lines::One), "k.json");
        assert_eq!(
            printable("a\n::error file=x::pwned", Lines::One),
            "a\\n::error file=x::pwned"
        );
        assert_eq!(
            printable("\u{1b}[31mred\r\u{7f}\u{85}\u{202e}", Lines::One),
            "\\u{1b}[31mred\\r\\u{7f}\\u{85}\\u{202e}"
        );
        assert_eq!(printable("a\tb\r\nc\rd\n", Lines::Kept), "a\tb\r\nc\\rd\n");
        assert_eq!(printable("\u{2028}é", Lines::Kept), "\\u{2028}é");
        // The byte scan steps over multi-byte characters whole, and finds
        // an unsafe one after them.
        assert_eq!(
            printable("aé\u{85}b\u{7f}", Lines::Kept),
            "aé\\u{85}b\\u{7f}"
        );
        assert!(matches!(
            printable("aé日本\n", Lines::Kept),
            Cow::Borrowed(_)
        ));
    }
}
