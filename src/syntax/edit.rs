//! Text edits: the only way oc2otel changes a file.
//!
//! A migration is a set of [`Edit`]s (a byte range and the text that
//! replaces it), computed against the original text and applied back to
//! front. Because nothing else touches the text, every byte outside the
//! edited ranges is guaranteed to be unchanged: the minimal-edit promise of
//! the SPEC is a property of this module, not of each rule. Overlapping
//! edits are a bug in the caller and are rejected rather than guessed at.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: String,
}

impl Edit {
    pub fn replacement(range: Range<usize>, content: impl Into<String>) -> Edit {
        Edit {
            range,
            content: content.into(),
        }
    }

    pub fn deletion(range: Range<usize>) -> Edit {
        Edit {
            range,
            content: String::new(),
        }
    }

    pub fn insertion(at: usize, content: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            content: content.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("edits overlap at bytes {first:?} and {second:?}")]
    Overlap {
        first: Range<usize>,
        second: Range<usize>,
    },
    #[error("edit range {range:?} is outside the text or splits a character")]
    OutOfBounds { range: Range<usize> },
}

/// Apply edits to `text`. Edits may come in any order; two insertions at
/// the same offset keep their given order. Overlaps are an error.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].range.start, edits[i].range.end, i));
    for pair in order.windows(2) {
        let (a, b) = (&edits[pair[0]].range, &edits[pair[1]].range);
        // Touching is fine and so are several insertions at one point;
        // sharing bytes (or inserting inside a replaced range) is not.
        if b.start < a.end {
            return Err(EditError::Overlap {
                first: a.clone(),
                second: b.clone(),
            });
        }
    }
    for edit in edits {
        let r = &edit.range;
        if r.start > r.end
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            return Err(EditError::OutOfBounds { range: r.clone() });
        }
    }
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.content.len()).sum::<usize>());
    let mut cursor = 0;
    for &i in &order {
        let edit = &edits[i];
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.content);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

/// The edits in the order `apply` writes them, and `shift[i]`: how far
/// the edits before the `i`th move later text (one more than the edits).
fn in_order_with_shifts(edits: &[Edit]) -> (Vec<&Edit>, Vec<isize>) {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    // Stable: insertions at one offset stay in their given order, as in
    // `apply`.
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut shift = Vec::with_capacity(sorted.len() + 1);
    shift.push(0isize);
    for e in &sorted {
        let last = *shift.last().expect("not empty");
        shift.push(last + e.content.len() as isize - e.range.len() as isize);
    }
    (sorted, shift)
}

/// Where each edit's content is in the text `apply` makes of the edits
/// (valid ones), in the order it writes them.
pub fn written_ranges(edits: &[Edit]) -> Vec<Range<usize>> {
    let (sorted, shift) = in_order_with_shifts(edits);
    sorted
        .iter()
        .zip(&shift)
        .map(|(e, shift)| {
            let start = (e.range.start as isize + shift) as usize;
            start..start + e.content.len()
        })
        .collect()
}

/// Where the unedited parts of `spans` (ranges of the original text) are
/// in the text `edits` make of it: bytes outside the edits do not change,
/// they only move. A span an edit cuts into keeps its parts outside the
/// edit; what the edits write is not any span's.
pub fn map_spans(spans: &[Range<usize>], edits: &[Edit]) -> Vec<Range<usize>> {
    let (sorted, shift) = in_order_with_shifts(edits);
    let at = |offset: usize, i: usize| (offset as isize + shift[i]) as usize;
    let mut out = Vec::new();
    for span in spans {
        let mut start = span.start;
        // Edits are disjoint and sorted, so their ends are sorted too; an
        // insertion right at the span's start moves it.
        let mut i = sorted.partition_point(|e| e.range.end <= span.start);
        while start < span.end {
            match sorted.get(i) {
                Some(e) if e.range.start < span.end => {
                    if e.range.start > start {
                        out.push(at(start, i)..at(e.range.start, i));
                    }
                    start = start.max(e.range.end);
                    i += 1;
                }
                _ => {
                    out.push(at(start, i)..at(span.end, i));
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_move_with_the_text_around_the_edits() {
        let text = "a SECRET b KEY c PW";
        let spans = [2..8, 11..14, 17..19];
        let edits = [
            Edit::insertion(0, ">>"),
            Edit::replacement(9..13, "x"),
            Edit::deletion(15..16),
        ];
        let out = apply(text, &edits).unwrap();
        let found: Vec<&str> = map_spans(&spans, &edits)
            .into_iter()
            .map(|r| &out[r])
            .collect();
        // `KEY` lost `KE` to the replacement; its `Y` is still its own.
        assert_eq!(out, ">>a SECRET xY  PW");
        assert_eq!(found, ["SECRET", "Y", "PW"]);
    }

    #[test]
    fn written_ranges_hold_each_edit_s_content_in_the_output() {
        let text = "hello world";
        let edits = [
            Edit::insertion(11, "!"),
            Edit::replacement(6..11, "otel"),
            Edit::deletion(0..1),
            Edit::insertion(11, "?"),
            Edit::insertion(0, "<<"),
        ];
        let out = apply(text, &edits).unwrap();
        assert_eq!(out, "<<ello otel!?");
        let written: Vec<&str> = written_ranges(&edits)
            .into_iter()
            .map(|r| &out[r])
            .collect();
        assert_eq!(written, ["<<", "", "otel", "!", "?"]);
    }

    #[test]
    fn applies_in_offset_order_whatever_the_given_order() {
        let edits = [
            Edit::replacement(6..11, "otel"),
            Edit::deletion(0..1),
            Edit::insertion(11, "!"),
        ];
        assert_eq!(apply("hello world", &edits).unwrap(), "ello otel!");
    }

    #[test]
    fn rejects_overlaps() {
        let edits = [Edit::deletion(0..5), Edit::replacement(4..6, "x")];
        assert!(matches!(
            apply("hello world", &edits),
            Err(EditError::Overlap { .. })
        ));
        let inside = [Edit::deletion(2..5), Edit::insertion(3, "x")];
        assert!(apply("hello", &inside).is_err());
    }

    #[test]
    fn rejects_out_of_bounds_and_split_characters() {
        assert!(apply("abc", &[Edit::deletion(2..9)]).is_err());
        assert!(apply("\u{e9}", &[Edit::deletion(1..2)]).is_err());
    }

    #[test]
    fn insertions_at_one_point_keep_their_order() {
        let edits = [Edit::insertion(1, "x"), Edit::insertion(1, "y")];
        assert_eq!(apply("ab", &edits).unwrap(), "axyb");
    }
}
