//! The view of a text that everything printed is cut from: the secrets
//! replaced by a visible marker, and offsets of the original mapped onto
//! the copy so that diagnostics still point at the right place.

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

    #[test]
    fn overlapping_spans_are_joined() {
        let text = "0123456789";
        let redacted = Redacted::new(text, &[2..5, 3..8, 4..6]);
        assert_eq!(redacted.text, "01<redacted>89");
        assert_eq!(redacted.map(9), 2 + MARKER.len() + 1);
    }
}
