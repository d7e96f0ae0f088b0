//! Where two texts differ, as windows of whole lines a diff reads one at a
//! time.
//!
//! Why: a diff of two whole texts keeps tables for every line of both (a
//! 2 MB config of 80,000 lines: about 5.8 MB of line slices, hashes and
//! Myers vectors), though a migration changes a few small places and the
//! texts are the same, line for line, everywhere else. Walking both texts
//! once finds those places; each is diffed on its own, with [`MARGIN`]
//! equal lines around it, so the tables grow with the changes, not with
//! the file.
//!
//! Windows are exact where it matters: they cover every line that differs,
//! and the lines between two windows are equal and aligned, so the hunks
//! of all windows together are a patch from the old text to the new. Where
//! the walk cannot find the texts aligned again within [`SEARCH`] lines,
//! the rest of both texts is one window: as large as a whole diff, never
//! wrong.

use std::collections::VecDeque;
use std::ops::Range;

/// Equal lines kept on each side of a change: more than a hunk's context,
/// so each window's hunks have all their context, a change can slide as
/// it would in a whole diff, and two changes closer than twice this are
/// read together (their hunks may join).
pub(super) const MARGIN: usize = 8;

/// Equal lines in a row that show the texts aligned again after a change.
const AGAIN: usize = MARGIN;

/// How far (old and new lines skipped, together) the walk looks for the
/// texts to align again before it gives the rest to one window.
const SEARCH: usize = 512;

/// A part of both texts: their byte ranges and the line each starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Window {
    pub old: Range<usize>,
    pub new: Range<usize>,
    pub old_line: usize,
    pub new_line: usize,
}

/// Where a line starting at `from` ends, its terminator included: `\n`,
/// `\r\n` or a lone `\r`, as the diff splits lines.
fn line_end(text: &[u8], from: usize) -> usize {
    match memchr::memchr2(b'\n', b'\r', &text[from..]) {
        None => text.len(),
        Some(i) => {
            let at = from + i;
            if text[at] == b'\r' && text.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            }
        }
    }
}

/// The lines of a text from one offset on, split only as far as asked.
struct Ahead<'a> {
    text: &'a [u8],
    /// `ends[k]`: where line `k` (counted from the offset) ends.
    ends: Vec<usize>,
    from: usize,
}

impl<'a> Ahead<'a> {
    fn new(text: &'a [u8], from: usize) -> Self {
        Ahead {
            text,
            ends: Vec::new(),
            from,
        }
    }

    /// Line `k`, or `None` past the end.
    fn line(&mut self, k: usize) -> Option<&'a [u8]> {
        while self.ends.len() <= k {
            let start = self.ends.last().copied().unwrap_or(self.from);
            if start == self.text.len() {
                return None;
            }
            self.ends.push(line_end(self.text, start));
        }
        let start = if k == 0 { self.from } else { self.ends[k - 1] };
        Some(&self.text[start..self.ends[k]])
    }

    /// Where the first `k` lines end (`k` no more than were read).
    fn offset_after(&self, k: usize) -> usize {
        if k == 0 { self.from } else { self.ends[k - 1] }
    }
}

/// After the first lines of `old` and `new` differ: how many old and new
/// lines to skip to find the texts aligned again ([`AGAIN`] equal lines,
/// or both ends together), fewest skipped lines first, then fewest new
/// ones. `None` past [`SEARCH`].
fn align_again(old: &mut Ahead<'_>, new: &mut Ahead<'_>) -> Option<(usize, usize)> {
    let aligned = |old: &mut Ahead<'_>, new: &mut Ahead<'_>, a: usize, b: usize| {
        for t in 0..AGAIN {
            match (old.line(a + t), new.line(b + t)) {
                (None, None) => return true,
                (Some(x), Some(y)) if x == y => {}
                _ => return false,
            }
        }
        true
    };
    (1..=SEARCH).find_map(|skipped| {
        (0..=skipped)
            .map(|b| (skipped - b, b))
            .find(|&(a, b)| aligned(old, new, a, b))
    })
}

/// The windows that cover every line where `old` and `new` differ, in
/// order; empty when the texts are equal.
pub(super) fn windows(old: &str, new: &str) -> Vec<Window> {
    if old.is_empty() != new.is_empty() {
        // All of one text against nothing: nothing to align.
        return vec![Window {
            old: 0..old.len(),
            new: 0..new.len(),
            old_line: 0,
            new_line: 0,
        }];
    }
    let (old, new) = (old.as_bytes(), new.as_bytes());
    let mut walk = Walk::default();
    let mut at = LineStart::default();
    while at.old < old.len() || at.new < new.len() {
        let (oe, ne) = (line_end(old, at.old), line_end(new, at.new));
        if at.old < old.len() && at.new < new.len() && old[at.old..oe] == new[at.new..ne] {
            walk.equal(at, oe, ne);
            at = LineStart {
                old: oe,
                new: ne,
                old_line: at.old_line + 1,
                new_line: at.new_line + 1,
            };
            continue;
        }
        walk.change_at(at);
        let (mut old_ahead, mut new_ahead) = (Ahead::new(old, at.old), Ahead::new(new, at.new));
        let Some((a, b)) = align_again(&mut old_ahead, &mut new_ahead) else {
            walk.changed_to(old.len(), new.len());
            break;
        };
        at = LineStart {
            old: old_ahead.offset_after(a),
            new: new_ahead.offset_after(b),
            old_line: at.old_line + a,
            new_line: at.new_line + b,
        };
        walk.changed_to(at.old, at.new);
    }
    walk.finish()
}

/// Where a line starts in both texts, and its number in each.
#[derive(Clone, Copy, Default)]
struct LineStart {
    old: usize,
    new: usize,
    old_line: usize,
    new_line: usize,
}

/// The walk's state: the windows closed so far, the open one, and the
/// equal lines since the last change.
#[derive(Default)]
struct Walk {
    closed: Vec<Window>,
    open: Option<Window>,
    /// The starts of the last [`MARGIN`] equal lines, at most: where a new
    /// window opens.
    recent: VecDeque<LineStart>,
    /// Equal lines since the last change.
    equal_run: usize,
}

impl Walk {
    /// An equal line from `at` to `old_end`/`new_end`: the open window
    /// takes it while it is within the margin after its last change.
    fn equal(&mut self, at: LineStart, old_end: usize, new_end: usize) {
        if self.recent.len() == MARGIN {
            self.recent.pop_front();
        }
        self.recent.push_back(at);
        self.equal_run += 1;
        if let Some(window) = &mut self.open
            && self.equal_run <= MARGIN
        {
            window.old.end = old_end;
            window.new.end = new_end;
        }
    }

    /// Lines differ from `at` on: the open window takes the change (and
    /// the equal lines before it) when it is near, else the open window
    /// closes and a new one opens [`MARGIN`] lines before the change.
    fn change_at(&mut self, at: LineStart) {
        let near = self.equal_run <= 2 * MARGIN;
        match &mut self.open {
            Some(window) if near => {
                window.old.end = at.old;
                window.new.end = at.new;
            }
            _ => {
                let start = self.recent.front().copied().unwrap_or(at);
                self.closed.extend(self.open.take());
                self.open = Some(Window {
                    old: start.old..at.old,
                    new: start.new..at.new,
                    old_line: start.old_line,
                    new_line: start.new_line,
                });
            }
        }
        self.recent.clear();
        self.equal_run = 0;
    }

    /// The change ends at `old`/`new`, where the texts align again.
    fn changed_to(&mut self, old: usize, new: usize) {
        let window = self.open.as_mut().expect("a change opens a window");
        window.old.end = old;
        window.new.end = new;
    }

    fn finish(mut self) -> Vec<Window> {
        self.closed.extend(self.open.take());
        self.closed
    }
}

#[cfg(test)]
mod tests {
    use super::{MARGIN, SEARCH, Window, windows};

    /// `count` distinct lines, `line<from>` on.
    fn lines(from: usize, count: usize) -> String {
        (from..from + count).map(|i| format!("line{i}\n")).collect()
    }

    #[test]
    fn changes_far_apart_are_read_apart_with_their_margins() {
        let old = lines(0, 100);
        let new = old.replace("line10\n", "ten\n").replace("line80\n", "");
        let found = windows(&old, &new);
        let at = |text: &str, line: usize| lines(0, line).len().min(text.len());
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].old_line, 10 - MARGIN);
        assert_eq!(found[0].old, at(&old, 10 - MARGIN)..at(&old, 11 + MARGIN));
        assert_eq!(found[1].old_line, 80 - MARGIN);
        assert_eq!(found[1].new_line, 80 - MARGIN);
        assert_eq!(
            &old[found[1].old.clone()],
            &lines(80 - MARGIN, 2 * MARGIN + 1)
        );
        assert_eq!(
            &new[found[1].new.clone()],
            &old[found[1].old.clone()].replace("line80\n", "")
        );
    }

    #[test]
    fn changes_close_together_share_a_window() {
        let old = lines(0, 100);
        let new = old.replace("line40\n", "").replace("line50\n", "fifty\n");
        let found = windows(&old, &new);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].old_line, 40 - MARGIN);
        assert_eq!(
            &old[found[0].old.clone()],
            &lines(40 - MARGIN, 11 + 2 * MARGIN)
        );
    }

    #[test]
    fn texts_that_never_align_again_are_one_window_to_the_end() {
        let old = lines(0, 2 * SEARCH);
        let new = format!("line0\n{}", lines(10_000, 2 * SEARCH));
        let found = windows(&old, &new);
        let expected = Window {
            old: 0..old.len(),
            new: 0..new.len(),
            old_line: 0,
            new_line: 0,
        };
        assert_eq!(found, [expected]);
        assert!(windows(&old, &old).is_empty());
    }
}
