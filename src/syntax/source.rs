//! Reading a configuration file into text we can edit safely.
//!
//! Everything downstream works on `&str` byte offsets, so this module is the
//! one place that turns raw bytes into text: it refuses what KrakenD itself
//! would refuse (invalid UTF-8, binary data, empty files) with a located
//! error, strips and remembers a UTF-8 byte order mark so that the mark is
//! written back unchanged, and bounds how much it reads so that a huge or
//! endless input (`/dev/zero`, a 100 MB dump) cannot exhaust memory.

use std::io::Read;
use std::ops::{Deref, Range};
use std::path::Path;
use std::sync::Arc;

/// The largest file oc2otel reads. Real KrakenD configs are well under a
/// megabyte (the largest in the public corpus is 460 KB); anything this big
/// is almost certainly not a gateway config, and reading it whole would cost
/// memory proportional to its size several times over (text, tree, output).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

const BOM: &str = "\u{feff}";

/// The format a configuration is written in. It decides which parser and
/// which editor handle the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Json,
    Yaml,
    Toml,
    /// A Flexible Configuration template (Go template rendering to JSON).
    Template,
}

impl Format {
    /// The name used in reports (`"json"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Toml => "toml",
            Format::Template => "template",
        }
    }

    /// The format of a path, judged by its extension (and, for Flexible
    /// Configuration, its folder: everything under `partials/` is a
    /// template). Unknown extensions are read as JSON, KrakenD's native
    /// format (`krakend.json.sample`, stdin); a `.json` file holding
    /// template actions is recognised when it is read.
    pub fn from_path(path: &Path) -> Format {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let is = |name: &str| extension.eq_ignore_ascii_case(name);
        if is("yaml") || is("yml") {
            Format::Yaml
        } else if is("toml") {
            Format::Toml
        } else if is("tmpl") || path.parent().is_some_and(|p| has_folder(p, "partials")) {
            Format::Template
        } else {
            Format::Json
        }
    }
}

/// Whether one of the folders of `folder` (itself included) is named
/// `name`. A walk asks this of every file it finds: on Unix the path's
/// bytes are split on `/`, which names the same folders as
/// `Path::components` without building them.
pub fn has_folder(folder: &Path, name: &str) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        folder
            .as_os_str()
            .as_bytes()
            .split(|&b| b == b'/')
            .any(|part| part == name.as_bytes())
    }
    #[cfg(not(unix))]
    {
        folder.components().any(|c| c.as_os_str() == name)
    }
}

/// The text of one configuration, without its byte order mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// The text after the BOM (if any). All byte offsets refer to this.
    /// Shared: a config's report and its planned write keep the text as
    /// read, one copy for both (a 2 MB config is not held twice).
    pub text: Arc<String>,
    /// Whether the file started with a UTF-8 byte order mark.
    pub bom: bool,
}

impl SourceText {
    /// The bytes to write back for `text`: the BOM is restored if the
    /// original had one.
    pub fn to_file_bytes(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.bom {
            out.extend_from_slice(BOM.as_bytes());
        }
        out.extend_from_slice(text.as_bytes());
        out
    }

    /// [`SourceText::to_file_bytes`] of an owned text: its own memory
    /// when there is no BOM to restore.
    pub fn output_bytes(&self, text: String) -> Vec<u8> {
        file_bytes_of(text, self.bom)
    }

    /// The bytes this text was decoded from: decoding only takes the BOM
    /// off.
    pub fn file_bytes(&self) -> Vec<u8> {
        self.to_file_bytes(&self.text)
    }

    /// [`SourceText::file_bytes`], made of the text's own memory unless
    /// it is shared.
    pub fn into_file_bytes(self) -> Vec<u8> {
        file_bytes_of(Arc::unwrap_or_clone(self.text), self.bom)
    }

    /// The bytes as read, kept to compare the file with later: the shared
    /// text itself, unless a BOM must be put back in front.
    pub fn into_read_bytes(self) -> ReadBytes {
        match self.bom {
            false => ReadBytes::Text(self.text),
            true => ReadBytes::Bytes(self.into_file_bytes()),
        }
    }
}

/// A file's bytes as they were read: their own, or (a text with no BOM)
/// the [`SourceText`]'s shared text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadBytes {
    Bytes(Vec<u8>),
    Text(Arc<String>),
}

impl Deref for ReadBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            ReadBytes::Bytes(bytes) => bytes,
            ReadBytes::Text(text) => text.as_bytes(),
        }
    }
}

/// `text` as file bytes: its own memory, with the BOM put back in front
/// when the file had one.
fn file_bytes_of(text: String, bom: bool) -> Vec<u8> {
    let mut bytes = text.into_bytes();
    if bom {
        bytes.splice(0..0, BOM.bytes());
    }
    bytes
}

/// Why bytes could not become a `SourceText`. Each carries the byte offset
/// of the problem (in the original bytes) so the caller can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error("the file contains only whitespace")]
    OnlyWhitespace,
    #[error("the file is not valid UTF-8 (invalid byte 0x{byte:02x})")]
    InvalidUtf8 { offset: usize, byte: u8 },
    #[error("the file contains binary data (a NUL byte); it is not a text configuration")]
    Binary { offset: usize },
    #[error("the file is larger than {limit} bytes; KrakenD configs are far smaller")]
    TooLarge { limit: u64 },
}

impl DecodeError {
    /// Offset of the problem in the original bytes, if it has one.
    pub fn offset(&self) -> Option<usize> {
        match self {
            DecodeError::InvalidUtf8 { offset, .. } | DecodeError::Binary { offset } => {
                Some(*offset)
            }
            _ => None,
        }
    }

    /// The 1-based line and column of the problem in `bytes` (the bytes
    /// that failed to decode): where the bad byte is, or, for an empty or
    /// blank file, where a value was expected. `None` for a file too large
    /// to have been read. Columns count characters, and a BOM is not one,
    /// as in an editor.
    pub fn line_col(&self, bytes: &[u8]) -> Option<(usize, usize)> {
        let offset = match self {
            DecodeError::Empty => 0,
            DecodeError::OnlyWhitespace => bytes.len(),
            DecodeError::InvalidUtf8 { offset, .. } | DecodeError::Binary { offset } => *offset,
            DecodeError::TooLarge { .. } => return None,
        };
        let prefix = &bytes[..offset.min(bytes.len())];
        let prefix = prefix.strip_prefix(BOM.as_bytes()).unwrap_or(prefix);
        let prefix = String::from_utf8_lossy(prefix);
        Some(LineIndex::new(&prefix).line_col(&prefix, prefix.len()))
    }
}

/// Decode raw bytes into text, refusing what cannot be a configuration.
pub fn decode(bytes: &[u8]) -> Result<SourceText, DecodeError> {
    decode_owned(bytes.to_vec()).map_err(|(err, _)| err)
}

/// [`decode`], taking the bytes read: the text is made of the same memory,
/// without a copy (a run no longer holds a file twice, as bytes and as
/// text: [`SourceText::file_bytes`] gives the bytes back). On an error the
/// bytes come back as they were given, to point at the problem.
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<SourceText, (DecodeError, Vec<u8>)> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let err = DecodeError::TooLarge {
            limit: MAX_FILE_BYTES,
        };
        return Err((err, bytes));
    }
    if bytes.is_empty() {
        return Err((DecodeError::Empty, bytes));
    }
    let bom = bytes.starts_with(BOM.as_bytes());
    let skipped = if bom { BOM.len() } else { 0 };
    if let Some(offset) = memchr::memchr(0, &bytes[skipped..]) {
        let offset = offset + skipped;
        return Err((DecodeError::Binary { offset }, bytes));
    }
    // The bytes as they were given, for an error to point into.
    let restore = |mut bytes: Vec<u8>| {
        bytes.splice(0..0, BOM.as_bytes()[..skipped].iter().copied());
        bytes
    };
    bytes.drain(..skipped);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let byte = err.as_bytes()[valid];
            let offset = valid + skipped;
            return Err((
                DecodeError::InvalidUtf8 { offset, byte },
                restore(err.into_bytes()),
            ));
        }
    };
    if text.trim().is_empty() {
        let err = if text.is_empty() {
            DecodeError::Empty
        } else {
            DecodeError::OnlyWhitespace
        };
        return Err((err, restore(text.into_bytes())));
    }
    Ok(SourceText {
        text: Arc::new(text),
        bom,
    })
}

/// Read at most `MAX_FILE_BYTES + 1` bytes from a reader, so an endless or
/// huge stream is refused instead of filling memory.
pub fn read_bounded(reader: impl Read) -> std::io::Result<Vec<u8>> {
    // The size of a stream is unknown: reserve the limit at once. Pages
    // that are never written are never backed by memory, while a doubling
    // buffer would copy (and, with some allocators, keep) every step.
    read_bounded_sized(reader, MAX_FILE_BYTES)
}

/// [`read_bounded`] with the expected size, so the buffer is allocated
/// once instead of doubling past the size of the file.
fn read_bounded_sized(reader: impl Read, expected: u64) -> std::io::Result<Vec<u8>> {
    let capacity = expected.min(MAX_FILE_BYTES) as usize + 1;
    let mut bytes = Vec::with_capacity(capacity);
    reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A regular file whose open handle reported `size` bytes. One read asks
/// for a byte more than that; a read of a regular file returns fewer bytes
/// than asked only at its end, so exactly `size` bytes is the whole file,
/// and the read that would return nothing to say so is not made
/// (`read_to_end` also reads in pieces of 8 KiB at first: a 20 KB config
/// took four system calls, where this takes one, and a repository
/// `--check` reads thousands). Any other count (the file grew or shrank
/// since its size was read, or a file system answers in pieces) reads on
/// to the end, as a stream is read.
fn read_sized_file(file: std::fs::File, size: u64) -> std::io::Result<Vec<u8>> {
    read_sized(file, size, read_once)
}

/// [`read_sized_file`] for any reader, with its one read.
fn read_sized<R: Read>(
    mut reader: R,
    size: u64,
    read_once: impl FnOnce(&mut R, &mut Vec<u8>) -> std::io::Result<usize>,
) -> std::io::Result<Vec<u8>> {
    let Ok(size) = usize::try_from(size.min(MAX_FILE_BYTES)) else {
        return read_bounded_sized(reader, MAX_FILE_BYTES);
    };
    let mut bytes = Vec::with_capacity(size + 1);
    let read = read_once(&mut reader, &mut bytes)?;
    if read != size {
        let room = (MAX_FILE_BYTES + 1).saturating_sub(read as u64);
        reader.take(room).read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// One read into the spare room of `bytes`, which grows by what it read.
/// On Linux the room is read into as it is, without filling it first.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn read_once(file: &mut std::fs::File, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
    loop {
        match rustix::io::read(&*file, rustix::buffer::spare_capacity(bytes)) {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other.map_err(std::io::Error::from),
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn read_once(file: &mut std::fs::File, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
    read_once_filled(file, bytes)
}

/// [`read_once`] for any reader: the room is zeroed, then read into.
#[cfg_attr(any(target_os = "linux", target_os = "android"), allow(dead_code))]
fn read_once_filled(reader: &mut impl Read, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
    let start = bytes.len();
    bytes.resize(bytes.capacity(), 0);
    let read = loop {
        match reader.read(&mut bytes[start..]) {
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    bytes.truncate(start + *read.as_ref().unwrap_or(&0));
    read
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// A directory, a FIFO, a socket or a device: opening some of them
    /// blocks (a FIFO waits for a writer) or has side effects, and none
    /// of them is a config that can be replaced atomically.
    #[error("it is {0}, not a regular file; oc2otel reads and writes only regular files")]
    NotAFile(&'static str),
    #[error(
        "the file is {size} bytes, larger than the {limit}-byte limit; KrakenD configs are far smaller, so it was not read",
        limit = MAX_FILE_BYTES
    )]
    TooLarge { size: u64 },
}

/// Read a config file, refusing what is not a regular file and what is
/// larger than [`MAX_FILE_BYTES`] before reading any of it.
///
/// The type is checked twice: on the path before opening (so a device is
/// never opened), and on the open handle (the path may have been replaced
/// in between). The open is non-blocking, so a FIFO swapped in between
/// the two checks is refused instead of waiting forever for a writer.
/// Symbolic links are followed: a symlinked config is read through its
/// link, as KrakenD reads it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_checked(path)?;
    Ok(read_sized_file(file, size)?)
}

/// Open `path` as [`read_file`] reads it: what is not a regular file (or
/// is too large) is refused before it is opened; the open handle and its
/// size.
fn open_checked(path: &Path) -> Result<(std::fs::File, u64), ReadError> {
    check_regular(&std::fs::metadata(path)?)?;
    open_listed(path)
}

/// Read a file that a folder's listing has just shown to be a regular
/// file (a walk's entry): the listing already said what it is, so the
/// path is not looked up a second time before opening (one `stat` less
/// for each of a repository's files). The open handle is still checked,
/// so what was swapped in since the listing is refused as in
/// [`read_file`].
pub fn read_listed_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_listed(path)?;
    Ok(read_sized_file(file, size)?)
}

/// Open a path a listing showed to be a regular file, checking the open
/// handle again; the handle and its size.
fn open_listed(path: &Path) -> Result<(std::fs::File, u64), ReadError> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    check_regular(&meta)?;
    Ok((file, meta.len()))
}

/// Whether the file at `path` holds exactly `expected`, as [`read_file`]
/// would read it (the same refusals), compared a block at a time: a large
/// config is not held a second time to be compared.
pub fn file_holds(path: &Path, expected: &[u8]) -> Result<bool, ReadError> {
    let (mut file, size) = open_checked(path)?;
    if size != expected.len() as u64 {
        return Ok(false);
    }
    let mut block = vec![0u8; 64 * 1024];
    let mut rest = expected;
    loop {
        let n = match file.read(&mut block) {
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err.into()),
        };
        if n == 0 {
            return Ok(rest.is_empty());
        }
        // More than expected (the file grew since its size was read).
        if n > rest.len() || block[..n] != rest[..n] {
            return Ok(false);
        }
        rest = &rest[n..];
    }
}

fn check_regular(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotAFile(file_kind(&kind)));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { size: meta.len() });
    }
    Ok(())
}

/// What a non-regular file is, for messages.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK only changes how FIFOs and devices open; reads of a
    // regular file are unaffected. O_NOCTTY: a terminal swapped in never
    // becomes our controlling terminal.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// 1-based line and column of byte offsets in a text. Columns count
/// characters (Unicode scalar values), as editors and compilers do.
///
/// Finding a column costs a bounded amount whatever the length of the
/// line: the characters before every [`CHUNK`]th byte are counted once,
/// so a column is a lookup plus a count over less than a chunk (a 448 KB
/// line with 100,000 diagnostics on it stays linear).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Characters before byte `i * CHUNK`; empty for ASCII text, where a
    /// column is a byte count.
    chars_before: Vec<usize>,
}

/// Bytes between two counts of characters kept by [`LineIndex`].
const CHUNK: usize = 1024;

/// Characters in a byte range: the bytes that start one (any byte but a
/// UTF-8 continuation byte), so a range need not fall on boundaries.
fn chars_in(bytes: &[u8]) -> usize {
    #[cfg(test)]
    tests::COUNTED.with(|c| c.set(c.get() + bytes.len()));
    // Vectorised (bytecount counts the bytes that are not 0b10xx_xxxx).
    bytecount::num_chars(bytes)
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut chars_before = Vec::new();
        if !text.is_ascii() {
            let mut count = 0;
            for chunk in text.as_bytes().chunks(CHUNK) {
                chars_before.push(count);
                count += chars_in(chunk);
            }
            chars_before.push(count);
        }
        LineIndex {
            line_starts,
            chars_before,
        }
    }

    /// Characters before byte `offset` of `text`.
    fn chars_to(&self, text: &str, offset: usize) -> usize {
        if self.chars_before.is_empty() {
            return offset;
        }
        let chunk = offset / CHUNK;
        self.chars_before[chunk] + chars_in(&text.as_bytes()[chunk * CHUNK..offset])
    }

    /// The 1-based (line, column) of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.chars_to(text, offset) - self.chars_to(text, start);
        (line + 1, column + 1)
    }

    /// Byte range of the 1-based line `line`, without its line terminator.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map(|&next| next - 1)
            .unwrap_or(text.len());
        let end = if end > start && text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }
}

/// 1-based (line, column) of offsets taken in increasing order, found in
/// one pass over the text up to the last of them: what a file's sorted
/// diagnostics need, without a [`LineIndex`] of every line (a config has
/// hundreds of lines and a few dozen diagnostics). Lines are counted by a
/// scan that vectorises, and each column from the one before it on the
/// same line, so a long line with many offsets stays linear. An offset
/// before the previous one starts the count again from the top.
#[derive(Debug, Clone)]
pub struct LineCursor<'t> {
    text: &'t str,
    /// The last offset placed, its 0-based line, and the characters
    /// between its line's start and it.
    offset: usize,
    line: usize,
    column: usize,
}

impl<'t> LineCursor<'t> {
    pub fn new(text: &'t str) -> LineCursor<'t> {
        LineCursor {
            text,
            offset: 0,
            line: 0,
            column: 0,
        }
    }

    /// The 1-based (line, column) of `offset`, as [`LineIndex::line_col`].
    pub fn line_col(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            *self = LineCursor::new(self.text);
        }
        let bytes = &self.text.as_bytes()[self.offset..offset];
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += bytecount::count(bytes, b'\n');
                self.column = chars_in(&bytes[last + 1..]);
            }
            None => self.column += chars_in(bytes),
        }
        self.offset = offset;
        (self.line + 1, self.column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Bytes [`chars_in`] looked at, on this thread.
        pub(super) static COUNTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn columns_cost_a_bounded_count_on_a_long_line() {
        // One line of 1 MB with a multi-byte character every few bytes.
        let text = "a\u{e9}b ".repeat(200_000);
        let index = LineIndex::new(&text);
        let offsets: Vec<usize> = (0..10_000).map(|i| i * 100).collect();
        COUNTED.with(|c| c.set(0));
        for &offset in &offsets {
            let (line, column) = index.line_col(&text, offset);
            assert_eq!(line, 1);
            // Each `a\u{e9}b ` is five bytes and four characters.
            assert_eq!(column, offset / 5 * 4 + 1);
        }
        // At most two partial chunks per column (the line's start and the
        // offset), where counting from the line's start would be 500 MB.
        let counted = COUNTED.with(|c| c.get());
        assert!(
            counted <= offsets.len() * 2 * CHUNK,
            "{counted} bytes counted"
        );
        let (_, column) = index.line_col(&text, text.len());
        assert_eq!(column, 800_001);
        let ascii = LineIndex::new("ab\ncd");
        assert_eq!(ascii.line_col("ab\ncd", 4), (2, 2));

        // The cursor counts each byte once, however many offsets.
        let mut cursor = LineCursor::new(&text);
        COUNTED.with(|c| c.set(0));
        for &offset in &offsets {
            assert_eq!(cursor.line_col(offset), (1, offset / 5 * 4 + 1));
        }
        let counted = COUNTED.with(|c| c.get());
        assert!(counted <= text.len(), "{counted} bytes counted");
    }

    proptest::proptest! {
        /// The cursor places every offset where the index does, in order
        /// or after going back.
        #[test]
        fn a_line_cursor_agrees_with_the_line_index(
            text in "(a|\u{e9}|\n|\r\n|\u{1F600}| ){0,60}",
            picks in proptest::collection::vec(0usize..200, 0..12),
        ) {
            let index = LineIndex::new(&text);
            let mut cursor = LineCursor::new(&text);
            let mut offsets: Vec<usize> = picks.iter().map(|p| p % (text.len() + 1)).collect();
            let back = offsets.first().copied();
            offsets.sort_unstable();
            offsets.extend(back);
            for offset in offsets {
                proptest::prop_assert_eq!(
                    cursor.line_col(offset),
                    index.line_col(&text, offset)
                );
            }
        }
    }

    #[test]
    fn a_file_holds_exactly_the_expected_bytes_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        // Larger than a block, so that a difference late in it counts.
        let big: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &big).unwrap();
        assert!(file_holds(&path, &big).unwrap());
        let mut late = big.clone();
        *late.last_mut().unwrap() = b'!';
        assert!(!file_holds(&path, &late).unwrap());
        assert!(!file_holds(&path, &big[..big.len() - 1]).unwrap());
        let mut longer = big.clone();
        longer.push(b'a');
        assert!(!file_holds(&path, &longer).unwrap());
        std::fs::write(&path, b"").unwrap();
        assert!(file_holds(&path, b"").unwrap());
        assert!(matches!(
            file_holds(dir.path(), b""),
            Err(ReadError::NotAFile(_))
        ));
    }

    #[test]
    fn bom_is_stripped_and_restored() {
        let src = decode(b"\xef\xbb\xbf{}\n").unwrap();
        assert!(src.bom);
        assert_eq!(*src.text, "{}\n");
        assert_eq!(src.to_file_bytes("{ }\n"), b"\xef\xbb\xbf{ }\n");
        assert_eq!(src.output_bytes("{ }\n".into()), b"\xef\xbb\xbf{ }\n");
        let plain = decode(b"{}\n").unwrap();
        let output = String::from("{ }\n");
        let at = output.as_ptr();
        let bytes = plain.output_bytes(output);
        assert_eq!(
            (bytes.as_slice(), bytes.as_ptr()),
            (&b"{ }\n"[..], at),
            "not copied"
        );
    }

    #[test]
    fn refuses_what_is_not_text() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b" \n\t"), Err(DecodeError::OnlyWhitespace));
        assert_eq!(
            decode(b"{\"a\":\x00}"),
            Err(DecodeError::Binary { offset: 5 })
        );
        assert_eq!(
            decode(b"{\"a\": \"\xff\"}"),
            Err(DecodeError::InvalidUtf8 {
                offset: 7,
                byte: 0xff
            })
        );
    }

    #[test]
    fn decoding_owned_bytes_gives_them_back_whole_in_every_case() {
        let cases: [&[u8]; 8] = [
            b"{}\n",
            b"\xef\xbb\xbf{}\n",
            b"",
            b"\xef\xbb\xbf \n",
            b"\xef\xbb\xbf{\"a\":\x00}",
            b"\xef\xbb\xbf{\"a\": \"\xff\"}",
            // Whitespace beyond ASCII is still only whitespace.
            "\u{a0}\u{3000}".as_bytes(),
            b"{\n\"\xc3\xa9\xff\"}",
        ];
        for bytes in cases {
            match decode_owned(bytes.to_vec()) {
                Ok(text) => {
                    assert_eq!(text, decode(bytes).unwrap());
                    assert_eq!(text.file_bytes(), bytes);
                    assert_eq!(text.into_file_bytes(), bytes);
                }
                Err((err, back)) => {
                    assert_eq!(back, bytes, "{err}");
                    assert_eq!(Err(err), decode(bytes));
                }
            }
        }
        assert_eq!(
            decode("\u{a0}\u{3000}".as_bytes()),
            Err(DecodeError::OnlyWhitespace)
        );
        assert_eq!(
            decode(b"\xef\xbb\xbf{\"a\": \"\xff\"}"),
            Err(DecodeError::InvalidUtf8 {
                offset: 10,
                byte: 0xff
            })
        );
    }

    #[test]
    fn decode_errors_are_located() {
        let at = |bytes: &[u8]| decode(bytes).unwrap_err().line_col(bytes);
        assert_eq!(at(b""), Some((1, 1)));
        assert_eq!(at(b"  \n\t"), Some((2, 2)));
        // The BOM is not a column.
        assert_eq!(at(b"\xef\xbb\xbf{\"a\":\x00}"), Some((1, 6)));
        assert_eq!(at(b"{\n\"\xc3\xa9\xff\"}"), Some((2, 3)));
    }

    #[test]
    fn read_file_refuses_what_is_not_a_regular_file_or_too_large() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        std::fs::write(&path, "{}").unwrap();
        assert_eq!(read_file(&path).unwrap(), b"{}");
        assert!(matches!(
            read_file(dir.path()),
            Err(ReadError::NotAFile("a directory"))
        ));
        assert!(matches!(
            read_file(&dir.path().join("missing.json")),
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound
        ));
        // A sparse file: its size is known without writing 40 MB.
        let big = dir.path().join("big.json");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 1)
            .unwrap();
        assert!(matches!(
            read_file(&big),
            Err(ReadError::TooLarge { size }) if size == MAX_FILE_BYTES + 1
        ));
    }

    #[cfg(unix)]
    #[test]
    fn read_file_refuses_a_fifo_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.json");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Without a writer, a blocking open would never return.
        assert!(matches!(
            read_file(&fifo),
            Err(ReadError::NotAFile("a named pipe (FIFO)"))
        ));
        // Swapped in after a listing called it a regular file: the open
        // handle is checked, and the open does not wait either.
        assert!(matches!(
            read_listed_file(&fifo),
            Err(ReadError::NotAFile("a named pipe (FIFO)"))
        ));
    }

    /// A reader that hands out `data` at most `piece` bytes per read,
    /// counting its reads.
    struct Pieces<'a> {
        data: &'a [u8],
        piece: usize,
        reads: usize,
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.reads += 1;
            let n = buf.len().min(self.piece).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// A file read at the size its handle reported is read in one call;
    /// one that answers in pieces, grew or shrank since, or reports no
    /// size (as files under /proc do) is still read whole.
    #[test]
    fn a_file_of_its_reported_size_is_read_in_one_call_and_any_other_whole() {
        let data = b"{\"version\": 3}\n".repeat(50);
        let read = |reported: u64, piece: usize| {
            let mut reader = Pieces {
                data: &data,
                piece,
                reads: 0,
            };
            let bytes = read_sized(&mut reader, reported, read_once_filled).unwrap();
            assert_eq!(bytes, data, "reported {reported}, pieces of {piece}");
            reader.reads
        };
        let size = data.len() as u64;
        assert_eq!(read(size, usize::MAX), 1);
        assert_eq!(read(size, 100), data.len().div_ceil(100) + 1);
        assert_eq!(read(size - 10, usize::MAX), 3, "grew: read on to the end");
        assert_eq!(read(size + 10, usize::MAX), 2, "shrank: an end is seen");
        assert!(read(0, usize::MAX) > 1, "no size reported");
        let mut empty = Pieces {
            data: b"",
            piece: 1,
            reads: 0,
        };
        assert!(
            read_sized(&mut empty, 0, read_once_filled)
                .unwrap()
                .is_empty()
        );
        assert_eq!(empty.reads, 1);
        // A real file, read through the unfilled room where there is one.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        std::fs::write(&path, &data).unwrap();
        assert_eq!(read_file(&path).unwrap(), data);
        assert_eq!(read_listed_file(&path).unwrap(), data);
    }

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\r\n\u{e9}xy\nz";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 4), (2, 1));
        // 'x' follows a two-byte character: byte 6, column 2.
        assert_eq!(index.line_col(text, 6), (2, 2));
        assert_eq!(index.line_col(text, text.len()), (3, 2));
        assert_eq!(&text[index.line_range(text, 1)], "ab");
        assert_eq!(&text[index.line_range(text, 3)], "z");
    }
}
