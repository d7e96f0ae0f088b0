//! The fast path of JSON parsing: a strict RFC 8259 recursive-descent
//! parser that builds the located [`Node`] tree in one pass over the bytes.
//!
//! Why it exists: the reference path (jsonc-parser, then serde_json's
//! RFC 8259 check, then the conversion of jsonc's AST into our tree) reads
//! every byte three times and allocates an intermediate AST; on a large
//! config that dominates a migration, which parses its input and its output.
//! Nearly every config is plain, valid JSON, so this parser handles that
//! common case alone. The reference path stays the oracle: this parser
//! accepts only texts it is sure the reference path accepts, with exactly
//! the tree it would build (same spans, decoded strings, numbers as
//! written, duplicates in document order), and gives up (`None`) on
//! anything else, errors included, so that every error message and offset
//! is still the reference path's. A differential property test and the
//! `formats` fuzz target hold it to that.
//!
//! What it gives up on, besides invalid JSON: escapes of lone surrogates
//! (which jsonc-parser refuses), nesting near the reference path's limit,
//! and any whitespace other than JSON's four (a BOM included).

mod scan;
mod skip;

use crate::syntax::focus::Focus;
use crate::syntax::tree::{Member, Node, NodeKind, Text};

use skip::Skipped;

/// jsonc-parser refuses a value once its stack of open ranges (each array,
/// each object and each object member) holds more than 512; this parser
/// gives up a little earlier so that the reference path decides near it.
const MAX_OPEN_RANGES: usize = 500;

/// The tree of `text` when it is strict JSON the reference parser accepts;
/// `None` when the reference parser must decide.
pub(super) fn parse(text: &str) -> Option<Node> {
    parse_with(text, None)
}

/// As [`parse`], with a focus when one is given: a container (other than
/// the root) that does not touch it may be left empty ([`Focus`]).
pub(super) fn parse_with(text: &str, focus: Option<&Focus>) -> Option<Node> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        members: Vec::new(),
        elements: Vec::new(),
        focus,
    };
    parser.skip_whitespace();
    let root = parser.value(0)?;
    parser.skip_whitespace();
    (parser.pos == parser.bytes.len()).then_some(root)
}

/// The entries of `scratch` from `base` on, moved (one copy of their
/// bytes) into a vector of exactly their number.
fn take_from<T>(scratch: &mut Vec<T>, base: usize) -> Vec<T> {
    if base == 0 {
        // `split_off(0)` would hand over the scratch's whole capacity.
        let mut all = std::mem::take(scratch);
        all.shrink_to_fit();
        return all;
    }
    scratch.split_off(base)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// The members of the objects being read, innermost last: an object's
    /// are moved out into a vector of exactly their number when it closes
    /// (a vector grown by pushes holds up to twice what it needs, and a
    /// tree is mostly small objects and arrays).
    members: Vec<Member>,
    /// The same for the elements of arrays.
    elements: Vec<Node>,
    /// What a focused parse builds in full; `None` also inside a member
    /// built whole.
    focus: Option<&'t Focus>,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// JSON's four whitespace characters, and nothing else. A line's
    /// indentation (a third of a pretty-printed config) is measured
    /// sixteen bytes at a time.
    #[inline(always)]
    fn skip_whitespace(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\n') => {
                    self.pos += 1;
                    self.pos += scan::leading_spaces(&self.bytes[self.pos..]);
                }
                _ => return,
            }
        }
    }

    /// One value starting at `pos` (no whitespace before it), inside
    /// `open` ranges as jsonc-parser counts them.
    fn value(&mut self, open: usize) -> Option<Node> {
        if open > MAX_OPEN_RANGES {
            return None;
        }
        let start = self.pos;
        let kind = match self.peek()? {
            b'{' | b'[' => {
                if let Some(empty) = self.left_unbuilt(open)? {
                    return Some(empty);
                }
                return match self.peek()? {
                    b'{' => self.object(open),
                    _ => self.array(open),
                };
            }
            b'"' => NodeKind::String(self.string()?),
            b't' => self.literal(b"true", NodeKind::Bool(true))?,
            b'f' => self.literal(b"false", NodeKind::Bool(false))?,
            b'n' => self.literal(b"null", NodeKind::Null)?,
            b'-' | b'0'..=b'9' => NodeKind::Number(self.number()?.into()),
            _ => return None,
        };
        Some(Node {
            span: start..self.pos,
            kind,
        })
    }

    /// The container at `pos`, inside `open` ranges, read without being
    /// built, when a focus may leave it empty: `Some(None)` when it must be
    /// built after all (`pos` is back at its start), `None` when the text
    /// is not accepted. This is the one place a container is left empty:
    /// the root, what a member built whole holds, and what reaches the
    /// focus or holds a number it keeps are built, each as a whole parse
    /// builds it (what such a container holds is decided here in turn).
    fn left_unbuilt(&mut self, open: usize) -> Option<Option<Node>> {
        let Some(focus) = self.focus.filter(|_| open > 0) else {
            return Some(None);
        };
        let start = self.pos;
        // A container that ends by the next range's start misses it.
        let limit = focus.next_start(start).unwrap_or(usize::MAX);
        let empty = match self.bytes[start] {
            b'{' => NodeKind::Object(Vec::new()),
            _ => NodeKind::Array(Vec::new()),
        };
        match self.skip_value(open, limit) {
            Skipped::Invalid => None,
            Skipped::Read if self.pos <= limit => Some(Some(Node {
                span: start..self.pos,
                kind: empty,
            })),
            _ => {
                self.pos = start;
                Some(None)
            }
        }
    }

    fn literal(&mut self, word: &[u8], kind: NodeKind) -> Option<NodeKind> {
        let end = self.pos.checked_add(word.len())?;
        if self.bytes.get(self.pos..end)? != word {
            return None;
        }
        self.pos = end;
        Some(kind)
    }

    /// After a value inside a container: skip whitespace, then `,` (true,
    /// with the whitespace after it skipped) or `close` (false).
    #[inline(always)]
    fn separator(&mut self, close: u8) -> Option<bool> {
        self.skip_whitespace();
        let b = self.peek()?;
        self.pos += 1;
        if b == b',' {
            self.skip_whitespace();
            Some(true)
        } else if b == close {
            Some(false)
        } else {
            None
        }
    }

    fn array(&mut self, open: usize) -> Option<Node> {
        let start = self.pos;
        self.pos += 1;
        self.skip_whitespace();
        let base = self.elements.len();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                let element = self.value(open + 1)?;
                self.elements.push(element);
                if !self.separator(b']')? {
                    break;
                }
            }
        }
        Some(Node {
            span: start..self.pos,
            kind: NodeKind::Array(take_from(&mut self.elements, base)),
        })
    }

    fn object(&mut self, open: usize) -> Option<Node> {
        let start = self.pos;
        self.pos += 1;
        self.skip_whitespace();
        let base = self.members.len();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                let member = self.member(open)?;
                self.members.push(member);
                if !self.separator(b'}')? {
                    break;
                }
            }
        }
        Some(Node {
            span: start..self.pos,
            kind: NodeKind::Object(take_from(&mut self.members, base)),
        })
    }

    /// `"key": value`, in an object inside `open` ranges: jsonc-parser
    /// counts the object and the member, so the value is two deeper.
    fn member(&mut self, open: usize) -> Option<Member> {
        let key_start = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        let key = self.string()?;
        let key_span = key_start..self.pos;
        self.skip_whitespace();
        if self.peek()? != b':' {
            return None;
        }
        self.pos += 1;
        self.skip_whitespace();
        // `open` is 0 for the root object's members.
        // A member built whole is read with no focus, put back after it.
        let whole = self
            .focus
            .filter(|focus| focus.keeps_member(open == 0, &key, &key_span));
        if whole.is_some() {
            self.focus = None;
        }
        let value = self.value(open + 2);
        if whole.is_some() {
            self.focus = whole;
        }
        let value = value?;
        Some(Member {
            key,
            key_span,
            span: key_start..value.span.end,
            value,
        })
    }

    /// A string at `pos` (its opening quote), decoded.
    fn string(&mut self) -> Option<Text> {
        let body = self.pos + 1;
        let (run, stop) = self.run_from(body)?;
        if stop == b'"' {
            self.pos = body + run + 1;
            return self.text.get(body..body + run).map(Text::from);
        }
        let mut out = String::with_capacity(run + 16);
        out.push_str(self.text.get(body..body + run)?);
        self.pos = body + run;
        self.escaped_rest(&mut out)?;
        Some(out.into())
    }

    /// From `from`: the length of the run of plain string bytes and the
    /// byte that ends it (`"` or `\`), or `None` when the run holds a
    /// control character (Go and serde_json refuse them raw) or the text
    /// ends first.
    fn run_from(&self, from: usize) -> Option<(usize, u8)> {
        scan::string_run(self.bytes.get(from..)?)
    }

    /// The rest of a string whose first escape is at `pos`, appended to
    /// `out`; `pos` ends after the closing quote.
    fn escaped_rest(&mut self, out: &mut String) -> Option<()> {
        loop {
            // `pos` is at a backslash.
            let escape = *self.bytes.get(self.pos + 1)?;
            self.pos += 2;
            match escape {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{08}'),
                b'f' => out.push('\u{0C}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => out.push(self.unicode_escape()?),
                _ => return None,
            }
            let (run, stop) = self.run_from(self.pos)?;
            out.push_str(self.text.get(self.pos..self.pos + run)?);
            self.pos += run;
            if stop == b'"' {
                self.pos += 1;
                return Some(());
            }
        }
    }

    /// The character of a `\u` escape whose hex digits start at `pos`: a
    /// character outside the surrogates, or a high surrogate escape followed
    /// by a low one. Lone surrogates are left to the reference path.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        match first {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.pos..self.pos + 2)? != b"\\u" {
                    return None;
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return None;
                }
                char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            }
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(first),
        }
    }

    /// Four hex digits at `pos` (either case).
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        let mut value = 0;
        for &d in digits {
            value = value * 16 + char::from(d).to_digit(16)?;
        }
        self.pos += 4;
        Some(value)
    }

    /// A number as RFC 8259 writes it, as written.
    fn number(&mut self) -> Option<&'t str> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        self.text.get(start..self.pos)
    }

    /// Skip ASCII digits; how many there were.
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::Span;

    /// Every object and array of `node` holds no room beyond its entries.
    fn exactly_sized(node: &Node) -> bool {
        match &node.kind {
            NodeKind::Object(members) => {
                members.capacity() == members.len()
                    && members.iter().all(|m| exactly_sized(&m.value))
            }
            NodeKind::Array(elements) => {
                elements.capacity() == elements.len() && elements.iter().all(exactly_sized)
            }
            _ => true,
        }
    }

    #[test]
    fn containers_are_read_into_vectors_of_exactly_their_size() {
        let text = r#"{"a": [{"b": [1, 2, 3], "c": {}}, [], [[4], {"d": 5, "e": 6}]],
            "f": {"g": [7, 8, 9, 10, 11], "h": {"i": null}}, "j": true}"#;
        let root = parse(text).unwrap();
        assert!(exactly_sized(&root));
        assert_eq!(root, crate::syntax::json::parse(text).unwrap());
    }

    /// `focused` is `full` read with `focus`: every container that touches
    /// the focus (and the root, and all below a member whose key touches
    /// it) whole, every other one empty, with its span and kind; every
    /// scalar as it is. `within` says a member above is built whole.
    fn read_with_focus(full: &Node, focused: &Node, focus: &Focus, depth: usize, within: bool) {
        assert_eq!(full.span, focused.span);
        let whole = depth == 0 || within || focus.touches(&full.span);
        match (&full.kind, &focused.kind) {
            (NodeKind::Object(all), NodeKind::Object(kept)) if whole => {
                assert_eq!(all.len(), kept.len(), "{:?}", full.span);
                for (a, k) in all.iter().zip(kept) {
                    assert_eq!(
                        (&a.key, &a.key_span, &a.span),
                        (&k.key, &k.key_span, &k.span)
                    );
                    let member = focus.keeps_member(depth == 0, &a.key, &a.key_span);
                    read_with_focus(&a.value, &k.value, focus, depth + 1, within || member);
                }
            }
            (NodeKind::Array(all), NodeKind::Array(kept)) if whole => {
                assert_eq!(all.len(), kept.len(), "{:?}", full.span);
                for (a, k) in all.iter().zip(kept) {
                    read_with_focus(a, k, focus, depth + 1, within);
                }
            }
            (NodeKind::Object(_), NodeKind::Object(kept)) => assert!(kept.is_empty()),
            (NodeKind::Array(_), NodeKind::Array(kept)) => assert!(kept.is_empty()),
            (a, k) => assert_eq!(a, k),
        }
    }

    fn container_spans(node: &Node, out: &mut Vec<Span>) {
        match &node.kind {
            NodeKind::Object(members) => {
                out.push(node.span.clone());
                members.iter().for_each(|m| container_spans(&m.value, out));
            }
            NodeKind::Array(elements) => {
                out.push(node.span.clone());
                elements.iter().for_each(|e| container_spans(e, out));
            }
            _ => {}
        }
    }

    #[test]
    fn a_focused_parse_builds_what_touches_the_focus_and_empties_the_rest() {
        let text = r#"{"a": [{"b": [1, 2, 3], "c": {}}, [], [[4], {"d": 5, "e": 6}]],
            "f": {"g": [7, 8, 9, 10, 11], "h": {"i": null}}, "j": true, "k": {"l": "m"}}"#;
        let full = parse(text).unwrap();
        let mut spans = Vec::new();
        container_spans(&full, &mut spans);
        // Each container's span, a point inside it, a point at its start,
        // and pairs of them: the tree agrees with the focus every time.
        let mut foci = vec![Focus::default()];
        for span in &spans {
            foci.push(Focus::new(vec![span.clone()]));
            let point = |at: usize| Focus::new(std::iter::once(at..at).collect());
            foci.push(point(span.start + 1));
            foci.push(point(span.start));
            for other in spans.iter().step_by(3) {
                foci.push(Focus::new(vec![span.clone(), other.end - 1..other.end - 1]));
            }
        }
        let mut emptied = 0;
        for focus in &foci {
            let focused = parse_with(text, Some(focus)).unwrap();
            read_with_focus(&full, &focused, focus, 0, false);
            emptied += usize::from(focused != full);
        }
        assert!(emptied > foci.len() / 2, "most foci leave something out");
        let nothing = parse_with(text, Some(&Focus::default())).unwrap();
        assert!(
            nothing
                .members()
                .unwrap()
                .iter()
                .all(|m| match &m.value.kind {
                    NodeKind::Object(c) => c.is_empty(),
                    NodeKind::Array(c) => c.is_empty(),
                    _ => true,
                }),
            "without a focus, only the root's own members are read"
        );
    }

    #[test]
    fn a_focus_keeps_the_root_members_it_names_and_its_wide_numbers() {
        let text = r#"{"extra_config": {"a": {"b": [1]}}, "endpoints": [{"x": {"y": 1}},
            {"z": [{"n": 1e400}, {"m": 2}]}, {"w": {}}], "other": {"extra_config": {"c": {}}}}"#;
        let full = parse(text).unwrap();
        let focus = Focus::new(Vec::new())
            .with_root_members(&["extra_config"])
            .with_wide_numbers();
        let tree = parse_with(text, Some(&focus)).unwrap();
        let empty = |pointer: &str| match &tree.pointer(pointer).unwrap().kind {
            NodeKind::Object(members) => members.is_empty(),
            NodeKind::Array(elements) => elements.is_empty(),
            _ => false,
        };
        assert_eq!(tree.get("extra_config"), full.get("extra_config"));
        // The wide number is kept with every container around it; the
        // containers beside them are not.
        assert_eq!(
            tree.pointer("/endpoints/1/z/0/n").unwrap().kind,
            NodeKind::Number("1e400".into())
        );
        assert!(empty("/endpoints/0") && empty("/endpoints/1/z/1") && empty("/endpoints/2"));
        // Only the root's member of that name.
        assert!(empty("/other"));
        let narrow = Focus::new(Vec::new()).with_root_members(&["extra_config"]);
        let tree = parse_with(text, Some(&narrow)).unwrap();
        assert!(
            tree.get("endpoints")
                .unwrap()
                .value
                .elements()
                .unwrap()
                .is_empty()
        );
    }
}
