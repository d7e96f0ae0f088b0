//! The part of a text a reader needs in full, for a parse that builds no
//! more tree than that.
//!
//! A reader that looks only at a few places of a large document (the
//! self-check reads back the blocks a migration wrote, and not the
//! thousands of endpoints beside them) can parse it with a focus: the
//! parser still reads and checks every byte, but a container that touches
//! none of the focus's ranges is left empty in the tree, instead of being
//! built and held whole. What touches the focus (the ranges themselves,
//! everything inside them and every container around them) is built as a
//! plain parse builds it, and so is every member whose key touches the
//! focus (the key decides what its value means), the root's members a
//! reader names, and, when asked, every number literal a 64-bit float may
//! not hold, with the containers around it.

use crate::syntax::tree::Span;

/// Byte ranges of a text that a focused parse builds in full.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// Sorted and disjoint (so their ends are sorted too). An empty range
    /// is a point: it touches the containers it lies strictly inside (a
    /// deletion's place, whose container lost a member).
    ranges: Vec<Span>,
    /// Members of the root with these keys are built whole.
    root_keys: Vec<&'static str>,
    /// Number literals with an exponent or more than 308 characters (every
    /// literal beyond a 64-bit float is one) keep their containers built.
    wide_numbers: bool,
}

impl Focus {
    /// The focus on `ranges`, in any order, overlapping or not.
    pub fn new(mut ranges: Vec<Span>) -> Focus {
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Span> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range == *last => {}
                // Overlapping or adjacent (two points at one place are
                // caught above): one range answers as the two did, since a
                // point at a range's end touches only what the range does.
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        Focus {
            ranges: merged,
            root_keys: Vec::new(),
            wide_numbers: false,
        }
    }

    /// This focus, with the root's members of these keys built whole.
    pub fn with_root_members(mut self, keys: &[&'static str]) -> Focus {
        self.root_keys.extend_from_slice(keys);
        self
    }

    /// This focus, keeping every number literal that may be beyond a
    /// 64-bit float in the tree, with every container around it.
    pub fn with_wide_numbers(mut self) -> Focus {
        self.wide_numbers = true;
        self
    }

    /// Whether a member with `key` at `key_span` (a member of the root
    /// when `at_root`) is built whole, with everything below it.
    pub fn keeps_member(&self, at_root: bool, key: &str, key_span: &Span) -> bool {
        self.touches(key_span) || (at_root && self.root_keys.contains(&key))
    }

    /// Whether a number literal, as written, keeps its containers.
    pub fn keeps_number(&self, literal: &str) -> bool {
        self.wide_numbers && (literal.len() > 308 || literal.contains(['e', 'E']))
    }

    /// Whether the container (or key) at `span` must be built in full: it
    /// overlaps a range, or holds a point strictly inside it.
    pub fn touches(&self, span: &Span) -> bool {
        // The first range ending after the container's start is the only
        // one that can begin before its end: the ranges are apart, so later
        // ones begin after this one ends. A point found here lies after
        // the start, so beginning before the end puts it strictly inside.
        self.next_start(span.start)
            .is_some_and(|start| start < span.end)
    }

    /// Where the first range that ends after `at` starts: a container
    /// that begins at `at` touches the focus only if it ends after that.
    pub fn next_start(&self, at: usize) -> Option<usize> {
        let first = self.ranges.partition_point(|r| r.end <= at);
        self.ranges.get(first).map(|r| r.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `touches` must answer, range by range, without the sorting.
    fn touches_naive(ranges: &[Span], span: &Span) -> bool {
        ranges.iter().any(|r| {
            if r.is_empty() {
                span.start < r.start && r.start < span.end
            } else {
                r.start < span.end && span.start < r.end
            }
        })
    }

    #[test]
    fn a_container_is_touched_by_what_overlaps_it_or_lies_strictly_inside() {
        let focus = Focus::new(vec![10..20, 30..30]);
        assert!(focus.touches(&(0..11)), "overlaps the range's start");
        assert!(focus.touches(&(12..15)), "inside the range");
        assert!(focus.touches(&(0..100)), "around the range");
        assert!(!focus.touches(&(0..10)), "ends where the range begins");
        assert!(!focus.touches(&(20..25)), "begins where the range ends");
        assert!(focus.touches(&(25..35)), "holds the point");
        assert!(!focus.touches(&(30..35)), "begins at the point");
        assert!(!focus.touches(&(25..30)), "ends at the point");
        assert!(!Focus::default().touches(&(0..100)));
    }

    #[test]
    fn merging_answers_as_the_ranges_would_one_by_one() {
        // Every set of up to three ranges and points over 0..8, against
        // every container span over 0..9.
        let mut spans = Vec::new();
        for start in 0..8 {
            for end in start..8 {
                spans.push(start..end);
            }
        }
        for a in &spans {
            for b in &spans {
                for c in spans.iter().step_by(5) {
                    let ranges = vec![a.clone(), b.clone(), c.clone()];
                    let focus = Focus::new(ranges.clone());
                    for start in 0..9 {
                        for end in start + 1..10 {
                            let span = start..end;
                            assert_eq!(
                                focus.touches(&span),
                                touches_naive(&ranges, &span),
                                "{ranges:?} against {span:?} (merged {:?})",
                                focus.ranges
                            );
                        }
                    }
                }
            }
        }
    }
}
