//! Reading a container without building it, for a focused parse.
//!
//! Why: a focused parse leaves empty every container that misses its
//! focus, and most of a large config does; building those containers'
//! members only to drop them was most of the parse. A container is first
//! read here, with exactly the checks the building parser makes (the same
//! string, number and literal readers, the same nesting limit), so that
//! the parser accepts and refuses the same texts either way. When the
//! container turns out to reach the focus (it runs past the next range's
//! start) or to hold a number the focus keeps, the parser goes back to
//! its start and builds it.
//!
//! Why one loop and a stack of bits instead of a function per value (as
//! the building parser has): skipping is a third of a repository
//! `--check`, and nearly every token of a config is short, so the calls
//! and the dispatch on the closing bracket cost more than the bytes. The
//! loop keeps whether each open container is an object in one bit, and
//! the open ranges as jsonc-parser counts them (an array one, an object
//! and its member two) in a counter.

use super::{MAX_OPEN_RANGES, Parser, scan};
use crate::syntax::tree::NodeKind;

/// How reading a value without building it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Skipped {
    /// Read to its end.
    Read,
    /// It must be built: it runs past `limit`, or holds a number the
    /// focus keeps. Where the reading stopped means nothing.
    Build,
    /// Not JSON the parser accepts.
    Invalid,
}

/// Whether each open container is an object, innermost in the lowest
/// bit of the stack. Its depth never passes `MAX_OPEN_RANGES`, since
/// each container opens at least one range.
struct Nesting {
    objects: [u64; MAX_OPEN_RANGES / 64 + 1],
    depth: usize,
    /// The innermost container's bit, asked at every entry: read from the
    /// stack only when a container closes.
    innermost_object: bool,
}

impl Nesting {
    fn push(&mut self, object: bool) {
        let (word, bit) = (self.depth / 64, self.depth % 64);
        let mask = 1u64 << bit;
        if object {
            self.objects[word] |= mask;
        } else {
            self.objects[word] &= !mask;
        }
        self.depth += 1;
        self.innermost_object = object;
    }

    /// Close the innermost container; whether any is still open.
    fn pop(&mut self) -> bool {
        self.depth -= 1;
        let Some(top) = self.depth.checked_sub(1) else {
            return false;
        };
        self.innermost_object = self.objects[top / 64] & (1u64 << (top % 64)) != 0;
        true
    }

    /// Whether the innermost open container is an object.
    fn in_object(&self) -> bool {
        self.innermost_object
    }
}

impl Parser<'_> {
    /// Read the container at `pos` (its `{` or `[`), itself inside `open`
    /// ranges, without building it; a container that runs past `limit`
    /// must be built.
    pub(super) fn skip_value(&mut self, open: usize, limit: usize) -> Skipped {
        if open > MAX_OPEN_RANGES {
            return Skipped::Invalid;
        }
        let mut nesting = Nesting {
            objects: [0; MAX_OPEN_RANGES / 64 + 1],
            depth: 0,
            innermost_object: false,
        };
        // The ranges open around the entry being read.
        let mut open = open;
        if !self.enter(&mut nesting, &mut open) {
            return Skipped::Read;
        }
        if open > MAX_OPEN_RANGES {
            return Skipped::Invalid;
        }
        loop {
            // At the start of an entry of the innermost container.
            if self.pos > limit {
                return Skipped::Build;
            }
            if nesting.in_object() && !self.skip_key() {
                return Skipped::Invalid;
            }
            let entered = match self.peek() {
                Some(b'{' | b'[') => {
                    let entered = self.enter(&mut nesting, &mut open);
                    // `open` grows only here: checked where it does.
                    if open > MAX_OPEN_RANGES {
                        return Skipped::Invalid;
                    }
                    entered
                }
                _ => match self.skip_scalar() {
                    Skipped::Read => false,
                    other => return other,
                },
            };
            if entered {
                // Its first entry is next.
                continue;
            }
            // After a value: a comma, or the close of one container or
            // more.
            loop {
                let object = nesting.in_object();
                match self.separator(if object { b'}' } else { b']' }) {
                    Some(true) => break,
                    Some(false) => {
                        open -= if object { 2 } else { 1 };
                        if !nesting.pop() {
                            return Skipped::Read;
                        }
                    }
                    None => return Skipped::Invalid,
                }
            }
        }
    }

    /// Open the container at `pos`: true with `pos` at its first entry
    /// (`open` is then the ranges open around its entries), false when it
    /// is empty (`pos` after it, nothing pushed).
    fn enter(&mut self, nesting: &mut Nesting, open: &mut usize) -> bool {
        let object = self.peek() == Some(b'{');
        let close = if object { b'}' } else { b']' };
        self.pos += 1;
        self.skip_whitespace();
        if self.peek() == Some(close) {
            self.pos += 1;
            return false;
        }
        nesting.push(object);
        *open += if object { 2 } else { 1 };
        true
    }

    /// `"key":` and the whitespace around the colon, as `member` reads it.
    fn skip_key(&mut self) -> bool {
        if self.peek() != Some(b'"') || !self.skip_string() {
            return false;
        }
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return false;
        }
        self.pos += 1;
        self.skip_whitespace();
        true
    }

    /// A string, number or literal at `pos`.
    fn skip_scalar(&mut self) -> Skipped {
        let read = |ok: bool| if ok { Skipped::Read } else { Skipped::Invalid };
        match self.peek() {
            Some(b'"') => read(self.skip_string()),
            Some(b't') => read(self.literal(b"true", NodeKind::Null).is_some()),
            Some(b'f') => read(self.literal(b"false", NodeKind::Null).is_some()),
            Some(b'n') => read(self.literal(b"null", NodeKind::Null).is_some()),
            Some(b'-' | b'0'..=b'9') => match self.number() {
                None => Skipped::Invalid,
                Some(literal) if self.focus.is_some_and(|f| f.keeps_number(literal)) => {
                    Skipped::Build
                }
                Some(_) => Skipped::Read,
            },
            _ => Skipped::Invalid,
        }
    }

    /// A string at `pos`: a run without escapes is only scanned; any other
    /// is read as `string` reads it. Most strings of a config end within
    /// the sixteen bytes after their quote: that case is checked here, in
    /// the loop that calls it.
    #[inline(always)]
    fn skip_string(&mut self) -> bool {
        let body = self.pos + 1;
        if let Some(end) = self.bytes.get(body..).and_then(scan::short_string) {
            self.pos = body + end + 1;
            return true;
        }
        self.skip_long_string()
    }

    #[inline(never)]
    fn skip_long_string(&mut self) -> bool {
        let body = self.pos + 1;
        match self.run_from(body) {
            Some((run, b'"')) => {
                self.pos = body + run + 1;
                true
            }
            Some(_) => self.string().is_some(),
            None => false,
        }
    }
}
