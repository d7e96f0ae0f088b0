//! The inputs of a run, packed into one buffer and front-coded, as git's
//! index v4 packs its paths.
//!
//! A run holds its list of inputs from the walk to its end. As one `Input`
//! each, a path cost its own allocation and its own copy of the folders
//! it shares with its neighbours, and the run's memory grew with the tree.
//! The walk sorts its paths, so a path shares most of its bytes with the
//! one before it (`team-3/svc-120/krakend.json` after
//! `team-3/svc-12/deployment.yaml`): an entry keeps how many bytes of the
//! path before it to drop, its kind, and the bytes that follow. Both
//! counts are varints, a byte each for most paths (what is dropped is a
//! file name and a folder or two, however deep the tree), so an entry
//! costs little more than a file name.
//!
//! The list is read in order only: a run takes its inputs a chunk at a
//! time, and only the chunks in flight hold real `Input`s.

use std::path::Path;

use crate::workspace::input::{Input, InputKind};

/// Inputs in one growing buffer: per entry, a varint of how many bytes to
/// drop from the end of the path before it (shifted left by two, the kind
/// in the two low bits), a varint of its suffix's length, then the suffix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputList {
    bytes: Vec<u8>,
    len: usize,
    /// The last entry's path, which the next one is coded against.
    last: Vec<u8>,
}

impl InputList {
    /// Add an input of `kind` at `path` (standard input's path is `-`, or
    /// its `--stdin-filename`).
    pub fn push(&mut self, kind: InputKind, path: &Path) {
        self.push_bytes(kind, &os::bytes(path));
    }

    fn push_bytes(&mut self, kind: InputKind, path: &[u8]) {
        let shared = shared_prefix(&self.last, path);
        let dropped = self.last.len() - shared;
        let suffix = &path[shared..];
        write_varint(&mut self.bytes, (dropped << 2) | kind_code(kind));
        write_varint(&mut self.bytes, suffix.len());
        self.bytes.extend_from_slice(suffix);
        self.last.truncate(shared);
        self.last.extend_from_slice(suffix);
        self.len += 1;
    }

    /// Add the entries of `other` after this list's.
    pub fn append(&mut self, other: InputList) {
        if self.is_empty() {
            *self = other;
            return;
        }
        // Coded again: its first entry follows another path now.
        let mut entries = other.iter();
        while let Some((kind, path)) = entries.next_raw() {
            self.push_bytes(kind, path);
        }
    }

    /// Give back the room the list grew into but does not use: it is
    /// kept for the whole run. (`last` stays: an entry pushed later is
    /// coded against it.)
    pub fn finish(&mut self) {
        self.bytes.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The inputs in order, each decoded as it is reached.
    pub fn iter(&self) -> Entries<'_> {
        Entries {
            bytes: &self.bytes,
            left: self.len,
            path: Vec::new(),
        }
    }

    /// The inputs in order, `size` at a time (the last chunk may be
    /// shorter): the only inputs a run holds whole.
    pub fn chunks(&self, size: usize) -> impl Iterator<Item = Vec<Input>> + '_ {
        let mut entries = self.iter();
        std::iter::from_fn(move || {
            let chunk: Vec<Input> = entries.by_ref().take(size).collect();
            (!chunk.is_empty()).then_some(chunk)
        })
    }
}

/// The entries of an [`InputList`], decoded in order.
pub struct Entries<'a> {
    bytes: &'a [u8],
    left: usize,
    /// The last entry's path, which the next one is decoded against.
    path: Vec<u8>,
}

impl Entries<'_> {
    /// The next entry's kind and path bytes.
    fn next_raw(&mut self) -> Option<(InputKind, &[u8])> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let head = read_varint(&mut self.bytes);
        let suffix_len = read_varint(&mut self.bytes);
        let (suffix, rest) = self.bytes.split_at(suffix_len);
        self.bytes = rest;
        let kept = self.path.len().saturating_sub(head >> 2);
        self.path.truncate(kept);
        self.path.extend_from_slice(suffix);
        Some((kind_of(head & 0b11), &self.path))
    }
}

impl Iterator for Entries<'_> {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        let (kind, path) = self.next_raw()?;
        Some(Input::of_kind(kind, os::path(path)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Entries<'_> {}

fn kind_code(kind: InputKind) -> usize {
    match kind {
        InputKind::Stdin => 0,
        InputKind::Explicit => 1,
        InputKind::Walked => 2,
    }
}

fn kind_of(code: usize) -> InputKind {
    match code {
        0 => InputKind::Stdin,
        1 => InputKind::Explicit,
        _ => InputKind::Walked,
    }
}

/// How many leading bytes `a` and `b` share.
pub(super) fn shared_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// LEB128: seven bits a byte, the high bit set on all but the last.
fn write_varint(out: &mut Vec<u8>, mut value: usize) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Read a varint [`write_varint`] wrote and step past it.
fn read_varint(bytes: &mut &[u8]) -> usize {
    let mut value = 0;
    let mut shift = 0;
    while let Some((&byte, rest)) = bytes.split_first() {
        *bytes = rest;
        value |= usize::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            break;
        }
        shift += 7;
    }
    value
}

/// A path as bytes and back, with no loss.
#[cfg(unix)]
mod os {
    use std::borrow::Cow;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};

    pub fn bytes(path: &Path) -> Cow<'_, [u8]> {
        Cow::Borrowed(path.as_os_str().as_bytes())
    }

    pub fn path(bytes: &[u8]) -> PathBuf {
        PathBuf::from(OsStr::from_bytes(bytes))
    }
}

/// A path as bytes and back, with no loss: the platform's own encoding
/// where a path is valid Unicode (always, for the playground's
/// WebAssembly), else its UTF-16 units (Windows) after a marker byte no
/// UTF-8 text holds.
#[cfg(not(unix))]
mod os {
    use std::borrow::Cow;
    use std::path::{Path, PathBuf};

    /// Never in UTF-8: the entry is not text.
    const WIDE: u8 = 0xff;

    pub fn bytes(path: &Path) -> Cow<'_, [u8]> {
        match path.to_str() {
            Some(text) => Cow::Borrowed(text.as_bytes()),
            None => Cow::Owned(wide(path)),
        }
    }

    pub fn path(bytes: &[u8]) -> PathBuf {
        match bytes.split_first() {
            Some((&WIDE, units)) => from_wide(units),
            _ => PathBuf::from(String::from_utf8_lossy(bytes).into_owned()),
        }
    }

    #[cfg(windows)]
    fn wide(path: &Path) -> Vec<u8> {
        use std::os::windows::ffi::OsStrExt;
        let units = path.as_os_str().encode_wide();
        std::iter::once(WIDE)
            .chain(units.flat_map(u16::to_le_bytes))
            .collect()
    }

    #[cfg(windows)]
    fn from_wide(bytes: &[u8]) -> PathBuf {
        use std::os::windows::ffi::OsStringExt;
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        PathBuf::from(std::ffi::OsString::from_wide(&units))
    }

    /// Elsewhere every path is valid Unicode.
    #[cfg(not(windows))]
    fn wide(path: &Path) -> Vec<u8> {
        path.to_string_lossy().into_owned().into_bytes()
    }

    #[cfg(not(windows))]
    fn from_wide(bytes: &[u8]) -> PathBuf {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::PathBuf;

    fn list_of(entries: &[(InputKind, &str)]) -> InputList {
        let mut list = InputList::default();
        for (kind, path) in entries {
            list.push(*kind, Path::new(path));
        }
        list
    }

    /// Each entry's kind and path, byte for byte (`Path`'s equality would
    /// take `a//b` for `a/b`).
    fn decoded(list: &InputList) -> Vec<(InputKind, String)> {
        list.iter()
            .map(|i| (i.kind(), i.display()))
            .collect::<Vec<_>>()
    }

    #[test]
    fn entries_read_back_in_order_with_their_kinds() {
        use InputKind::{Explicit, Stdin, Walked};
        let entries = [
            (Stdin, "-"),
            (Explicit, "k.json"),
            (Walked, "team-3/svc-12/deployment.yaml"),
            (Walked, "team-3/svc-120/krakend.json"),
            (Walked, "team-3/svc-120/krakend.json"),
            (Walked, "team-3/svc-120/krakend.json.tmpl"),
            (Walked, "team-3/svc-120"),
            (Walked, "zz/nothing/in/common.toml"),
            (Explicit, "é/ü/日本.yaml"),
            (Explicit, "é/ü/a.yaml"),
            (Walked, ""),
            (Walked, "a"),
            (Walked, "/abs/path.json"),
        ];
        let list = list_of(&entries);
        assert_eq!((list.len(), list.is_empty()), (entries.len(), false));
        let expected: Vec<(InputKind, String)> =
            entries.iter().map(|(k, p)| (*k, p.to_string())).collect();
        assert_eq!(decoded(&list), expected);
        assert_eq!(list.iter().len(), entries.len());
        assert!(InputList::default().iter().next().is_none());
    }

    #[test]
    fn an_entry_pushed_after_finish_reads_back() {
        let mut list = list_of(&[(InputKind::Walked, "team/a.json")]);
        list.finish();
        list.push(InputKind::Walked, Path::new("team/b.json"));
        let paths: Vec<_> = list.iter().map(|i| i.display()).collect();
        assert_eq!(paths, ["team/a.json", "team/b.json"]);
    }

    #[test]
    fn standard_input_keeps_its_name_and_comes_first() {
        let mut list = list_of(&[(InputKind::Stdin, "piped.yaml")]);
        list.append(list_of(&[
            (InputKind::Walked, "piped.yaml"),
            (InputKind::Walked, "piped.yml"),
        ]));
        list.finish();
        let first = list.iter().next().unwrap();
        assert!(first.is_stdin());
        assert_eq!((first.path(), first.display()), (None, "piped.yaml".into()));
        assert_eq!(
            decoded(&list),
            [
                (InputKind::Stdin, "piped.yaml".into()),
                (InputKind::Walked, "piped.yaml".into()),
                (InputKind::Walked, "piped.yml".into()),
            ]
        );
        let mut empty = InputList::default();
        empty.append(list.clone());
        assert_eq!(empty, list);
    }

    #[test]
    fn chunks_hold_every_entry_once_in_order() {
        let paths: Vec<String> = (0..150).map(|i| format!("svc-{i}/krakend.json")).collect();
        let mut list = InputList::default();
        for path in &paths {
            list.push(InputKind::Walked, Path::new(path));
        }
        let chunks: Vec<Vec<Input>> = list.chunks(64).collect();
        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, [64, 64, 22]);
        let shown: Vec<String> = chunks.iter().flatten().map(Input::display).collect();
        assert_eq!(shown, paths);
        assert_eq!(InputList::default().chunks(64).count(), 0);
    }

    /// The benchmark tree's paths: an entry is its file name and a few
    /// bytes, not a whole path.
    #[test]
    fn a_sorted_tree_costs_far_less_than_its_paths() {
        let mut paths: Vec<String> = (0..2000)
            .flat_map(|i| {
                let folder = format!("/tmp/tree40/team-{}/svc-{i}", i % 16);
                [
                    format!("{folder}/krakend.json"),
                    format!("{folder}/deployment.yaml"),
                ]
            })
            .collect();
        paths.sort();
        let mut list = InputList::default();
        for path in &paths {
            list.push(InputKind::Walked, Path::new(path));
        }
        list.finish();
        let whole: usize = paths.iter().map(String::len).sum();
        assert!(list.bytes.len() < 18 * paths.len(), "{}", list.bytes.len());
        assert!(list.bytes.len() * 2 < whole);
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_unicode_reads_back_byte_for_byte() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let odd = Path::new(OsStr::from_bytes(b"a/\xff\xfe.json"));
        let mut list = InputList::default();
        list.push(InputKind::Walked, odd);
        list.push(InputKind::Walked, Path::new("a/\u{e9}.json"));
        let back: Vec<PathBuf> = list
            .iter()
            .filter_map(|i| i.path().map(Into::into))
            .collect();
        assert_eq!(back[0].as_os_str().as_bytes(), b"a/\xff\xfe.json");
        assert_eq!(back[1], Path::new("a/\u{e9}.json"));
    }

    fn kind() -> impl Strategy<Value = InputKind> {
        prop_oneof![
            Just(InputKind::Stdin),
            Just(InputKind::Explicit),
            Just(InputKind::Walked),
        ]
    }

    proptest! {
        #[test]
        fn any_list_of_paths_reads_back_in_order(
            entries in prop::collection::vec((kind(), "[a-c/é.]{0,12}"), 0..60),
            sorted in any::<bool>(),
        ) {
            let mut entries = entries;
            if sorted {
                entries.sort_by(|a, b| a.1.cmp(&b.1));
            }
            let mut list = InputList::default();
            for (kind, path) in &entries {
                list.push(*kind, Path::new(path));
            }
            let expected: Vec<(InputKind, String)> = entries.clone();
            prop_assert_eq!(decoded(&list), expected);
        }
    }

    #[cfg(unix)]
    proptest! {
        #[test]
        fn any_bytes_read_back_byte_for_byte(
            paths in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..16), 0..40),
        ) {
            use std::ffi::OsStr;
            use std::os::unix::ffi::OsStrExt;
            let mut list = InputList::default();
            for path in &paths {
                list.push(InputKind::Walked, Path::new(OsStr::from_bytes(path)));
            }
            let back: Vec<Vec<u8>> = list
                .iter()
                .map(|i| i.path().unwrap().as_os_str().as_bytes().to_vec())
                .collect();
            prop_assert_eq!(back, paths);
        }
    }
}
