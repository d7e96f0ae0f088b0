//! Reading a value without building it, for a focused parse.
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

use super::{MAX_OPEN_RANGES, Parser};
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

impl Parser<'_> {
    /// Read the value at `pos`, inside `open` ranges, without building it;
    /// a container that runs past `limit` must be built.
    pub(super) fn skip_value(&mut self, open: usize, limit: usize) -> Skipped {
        if open > MAX_OPEN_RANGES {
            return Skipped::Invalid;
        }
        let read = |ok: bool| if ok { Skipped::Read } else { Skipped::Invalid };
        match self.peek() {
            Some(b'{') => self.skip_entries(open, limit, b'}'),
            Some(b'[') => self.skip_entries(open, limit, b']'),
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

    /// The entries of the object or array at `pos`, up to `close`.
    fn skip_entries(&mut self, open: usize, limit: usize, close: u8) -> Skipped {
        self.pos += 1;
        self.skip_whitespace();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Skipped::Read;
        }
        loop {
            if self.pos > limit {
                return Skipped::Build;
            }
            let entry = match close {
                b'}' => self.skip_member(open, limit),
                _ => self.skip_value(open + 1, limit),
            };
            if entry != Skipped::Read {
                return entry;
            }
            match self.separator(close) {
                Some(true) => {}
                Some(false) => return Skipped::Read,
                None => return Skipped::Invalid,
            }
        }
    }

    /// `"key": value`, as `member` reads it.
    fn skip_member(&mut self, open: usize, limit: usize) -> Skipped {
        if self.peek() != Some(b'"') || !self.skip_string() {
            return Skipped::Invalid;
        }
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Skipped::Invalid;
        }
        self.pos += 1;
        self.skip_whitespace();
        self.skip_value(open + 2, limit)
    }

    /// A string at `pos`: a run without escapes is only scanned; any other
    /// is read as `string` reads it.
    fn skip_string(&mut self) -> bool {
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
