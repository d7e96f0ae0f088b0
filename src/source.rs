//! Reading a configuration file into text we can edit safely.
//!
//! Everything downstream works on `&str` byte offsets, so this module is the
//! one place that turns raw bytes into text: it refuses what KrakenD itself
//! would refuse (invalid UTF-8, binary data, empty files) with a located
//! error, strips and remembers a UTF-8 byte order mark so that the mark is
//! written back unchanged, and bounds how much it reads so that a huge or
//! endless input (`/dev/zero`, a 100 MB dump) cannot exhaust memory.

use std::io::Read;
use std::ops::Range;
use std::path::Path;

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
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let in_partials = path
            .parent()
            .is_some_and(|p| p.components().any(|c| c.as_os_str() == "partials"));
        match extension.as_deref() {
            Some("yaml" | "yml") => Format::Yaml,
            Some("toml") => Format::Toml,
            Some("tmpl") => Format::Template,
            _ if in_partials => Format::Template,
            _ => Format::Json,
        }
    }
}

/// The text of one configuration, without its byte order mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// The text after the BOM (if any). All byte offsets refer to this.
    pub text: String,
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
}

/// Decode raw bytes into text, refusing what cannot be a configuration.
pub fn decode(bytes: &[u8]) -> Result<SourceText, DecodeError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(DecodeError::TooLarge {
            limit: MAX_FILE_BYTES,
        });
    }
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let (bom, body) = match bytes.strip_prefix(BOM.as_bytes()) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    if let Some(offset) = body.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary {
            offset: offset + if bom { 3 } else { 0 },
        });
    }
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(err) => {
            let offset = err.valid_up_to();
            return Err(DecodeError::InvalidUtf8 {
                offset: offset + if bom { 3 } else { 0 },
                byte: body[offset],
            });
        }
    };
    if text.trim().is_empty() {
        return Err(if text.is_empty() {
            DecodeError::Empty
        } else {
            DecodeError::OnlyWhitespace
        });
    }
    Ok(SourceText {
        text: text.to_owned(),
        bom,
    })
}

/// Read at most `MAX_FILE_BYTES + 1` bytes from a reader, so an endless or
/// huge stream is refused instead of filling memory.
pub fn read_bounded(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// 1-based line and column of byte offsets in a text. Columns count
/// characters (Unicode scalar values), as editors and compilers do.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { line_starts }
    }

    /// The 1-based (line, column) of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped_and_restored() {
        let src = decode(b"\xef\xbb\xbf{}\n").unwrap();
        assert!(src.bom);
        assert_eq!(src.text, "{}\n");
        assert_eq!(src.to_file_bytes("{ }\n"), b"\xef\xbb\xbf{ }\n");
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
