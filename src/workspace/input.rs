//! The inputs of a run (as ripgrep's `Haystack`): standard input, a file
//! named on the command line, or a file a walk found; and the one reader
//! that turns any of them into text, or into the diagnostic that says why
//! not.
//!
//! A file, named or walked, whose bytes never mention a legacy key is
//! skipped unparsed (pre-commit names every changed file). What kind of
//! input a file is changes the rest: a walked file too large to be a
//! config is skipped with a warning, while for a file the user named that
//! is an error, as are its other read problems (not a regular file).
//!
//! The byte-level I/O (`read_file`, `read_bounded`, the size limit and the
//! refusal of FIFOs and devices) stays in `syntax::source` for now, where
//! the syntax layer's own tests exercise it; this module is its only
//! caller outside `write.rs`.

use std::path::{Path, PathBuf};

use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::locate::Mentions;
use crate::syntax::source::{self, DecodeError, Format, ReadError, SourceText};
use crate::workspace::SetupError;
use crate::workspace::discover::{self, Problem};
use crate::workspace::input_list::{Entries, InputList};
use crate::workspace::settings::WalkSettings;

/// Where an input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Standard input (`-`).
    Stdin,
    /// A file named on the command line.
    Explicit,
    /// A file a folder's walk found.
    Walked,
}

/// One input of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    kind: InputKind,
    /// `-` for standard input. Boxed: a box is the path's bytes alone,
    /// with no spare room (a run holds its inputs packed, in an
    /// [`InputList`], and only the chunks in flight as `Input`s).
    path: Box<Path>,
}

/// What reading an input gave.
#[derive(Debug)]
pub enum ReadOutcome {
    /// Its decoded text, which also gives back the bytes as read (to check
    /// them again before a write, and to echo them from a filter).
    Text(SourceText),
    /// A walked file that is not read further: it never mentions a legacy
    /// key (`None`), or it is too large to be a config (a warning).
    Skipped(Option<Diagnostic>),
    /// It could not be read or is not text: an error for the whole file.
    Failed(Diagnostic),
}

impl Input {
    pub fn stdin() -> Input {
        Input::stdin_named(None)
    }

    /// Standard input, known in messages by `name` (`--stdin-filename`),
    /// whose extension also says its format.
    pub fn stdin_named(name: Option<&Path>) -> Input {
        Input {
            kind: InputKind::Stdin,
            path: name.map_or_else(|| Path::new("-").into(), Box::from),
        }
    }

    pub fn explicit(path: impl Into<PathBuf>) -> Input {
        Input {
            kind: InputKind::Explicit,
            path: path.into().into_boxed_path(),
        }
    }

    pub fn walked(path: impl Into<PathBuf>) -> Input {
        Input {
            kind: InputKind::Walked,
            path: path.into().into_boxed_path(),
        }
    }

    /// An input of `kind` at `path` (`-`, or `--stdin-filename`'s name, for
    /// standard input).
    pub fn of_kind(kind: InputKind, path: PathBuf) -> Input {
        Input {
            kind,
            path: path.into_boxed_path(),
        }
    }

    /// A path as given on the command line: `-` is standard input.
    pub fn from_arg(path: &Path) -> Input {
        if path.as_os_str() == "-" {
            Input::stdin()
        } else {
            Input::explicit(path)
        }
    }

    pub fn kind(&self) -> InputKind {
        self.kind
    }

    pub fn is_stdin(&self) -> bool {
        self.kind == InputKind::Stdin
    }

    /// The file, or `None` for standard input.
    pub fn path(&self) -> Option<&Path> {
        (!self.is_stdin()).then_some(&*self.path)
    }

    /// As the user gave it or the walk found it (`-`, or the name of
    /// `--stdin-filename`, for standard input).
    pub fn display(&self) -> String {
        // What `Path::display` shows (invalid UTF-8 replaced), without
        // the formatting machinery: every outcome of a run names its file.
        self.path.to_string_lossy().into_owned()
    }

    /// The file name, for the collector config's header.
    pub fn name(&self) -> String {
        match self.path() {
            None if self.path.as_os_str() == "-" => "standard input".to_string(),
            None => self
                .path
                .file_name()
                .map_or_else(|| self.display(), |n| n.to_string_lossy().into_owned()),
            Some(path) => path
                .file_name()
                .map_or_else(|| self.display(), |n| n.to_string_lossy().into_owned()),
        }
    }

    /// The format the path says (standard input is read as JSON, unless
    /// `--stdin-filename` names another extension).
    pub fn format(&self) -> Format {
        Format::from_path(&self.path)
    }

    /// Read and decode the input; a file that never mentions a legacy key
    /// is skipped.
    pub fn read(&self) -> ReadOutcome {
        self.read_with(true)
    }

    fn read_with(&self, skip_unrelated: bool) -> ReadOutcome {
        let walked = self.kind == InputKind::Walked;
        let bytes = match self.path() {
            None => source::read_bounded(std::io::stdin().lock()).map_err(ReadError::from),
            Some(path) if walked => source::read_listed_file(path),
            Some(path) => source::read_file(path),
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            // A walk meets data files (fixtures, dumps) far larger than
            // any config: said, but not a failure of the run.
            Err(err @ ReadError::TooLarge { .. }) if walked => {
                let d = Diagnostic::warning(Code::NotText, format!("not scanned: {err}"))
                    .with_help(
                        "name the file on the command line if it really is a KrakenD config",
                    );
                return ReadOutcome::Skipped(Some(d));
            }
            Err(err) => return ReadOutcome::Failed(read_diagnostic(&err)),
        };
        // A file that never mentions a legacy key holds nothing to migrate,
        // whether a walk found it or a hook named it (a `tsconfig.json`
        // with comments, a Helm template): skipped unparsed, never an
        // error. Standard input is always read: it is a filter.
        if skip_unrelated && !self.is_stdin() && !mentions_legacy(&bytes) {
            return ReadOutcome::Skipped(None);
        }
        match source::decode_owned(bytes) {
            Ok(text) => ReadOutcome::Text(text),
            Err((err, bytes)) => ReadOutcome::Failed(decode_diagnostic(&bytes, &err)),
        }
    }

    /// Read an input that a walk did not find (standard input, a file
    /// named on the command line) in full: such an input is never skipped
    /// (`verify` reads a migrated config, which mentions no legacy key).
    pub fn read_named(&self) -> Result<SourceText, Box<Diagnostic>> {
        match self.read_with(false) {
            ReadOutcome::Text(loaded) => Ok(loaded),
            ReadOutcome::Failed(d) | ReadOutcome::Skipped(Some(d)) => Err(Box::new(d)),
            ReadOutcome::Skipped(None) => Err(Box::new(Diagnostic::warning(
                Code::Unreadable,
                "not read: it never mentions opencensus",
            ))),
        }
    }
}

impl Input {
    /// Read an input named for one comparison (`verify`): as
    /// [`Input::read_named`], and a pipe or a character device named as a
    /// file (`<(git show HEAD:krakend.json)` is `/dev/fd/63`) is read as
    /// the stream it is, bounded as standard input is. Migrate refuses
    /// those: a walk that opened a FIFO could block forever, and a config
    /// that is a pipe cannot be written back.
    pub fn read_stream(&self) -> Result<SourceText, Box<Diagnostic>> {
        let Some(path) = self.path() else {
            return self.read_named();
        };
        if !std::fs::metadata(path).is_ok_and(|m| is_stream(&m.file_type())) {
            return self.read_named();
        }
        let bytes = std::fs::File::open(path)
            .and_then(source::read_bounded)
            .map_err(|err| Box::new(read_diagnostic(&ReadError::from(err))))?;
        source::decode_owned(bytes)
            .map_err(|(err, bytes)| Box::new(decode_diagnostic(&bytes, &err)))
    }
}

#[cfg(unix)]
fn is_stream(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo() || kind.is_char_device()
}

#[cfg(not(unix))]
fn is_stream(_kind: &std::fs::FileType) -> bool {
    false
}

/// Whether the bytes may hold a legacy key: they mention `opencensus`
/// (both keys contain it), as written or once their escapes are decoded
/// (see [`mentions_with_escapes_decoded`]). The cheap test that lets a
/// walk skip unrelated files without parsing them, and never a config
/// KrakenD reads a legacy block from.
pub fn mentions_legacy(bytes: &[u8]) -> bool {
    Mentions::finder().find(bytes).is_some() || mentions_with_escapes_decoded(bytes)
}

/// Whether the bytes mention `opencensus` once their escapes are decoded:
/// `\uXXXX` (JSON, YAML, TOML), `\UXXXXXXXX` (YAML, TOML), `\xHH` (YAML),
/// and a backslash ending a line (a YAML double-quoted key folded over
/// two lines: the break and the next line's indentation go). KrakenD
/// decodes `"telemetry/\u006fpencensus"` into the legacy key. Only a
/// file with a backslash pays for the decoding, and a file whose escapes
/// spell no legacy key is still skipped (a shell line continuation in a
/// Helm template, a `\u00e9` in a `tsconfig.json`).
fn mentions_with_escapes_decoded(bytes: &[u8]) -> bool {
    if memchr::memchr(b'\\', bytes).is_none() {
        return false;
    }
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            decoded.push(bytes[at]);
            at += 1;
            continue;
        }
        let escape = match bytes.get(at + 1) {
            Some(b'u') => crate::model::redact::literal::hex(bytes, at, 4),
            Some(b'U') => crate::model::redact::literal::hex(bytes, at, 8),
            Some(b'x') => crate::model::redact::literal::hex(bytes, at, 2),
            Some(b'\n' | b'\r') => {
                at += 1;
                while bytes
                    .get(at)
                    .is_some_and(|b| matches!(b, b'\n' | b'\r' | b' ' | b'\t'))
                {
                    at += 1;
                }
                continue;
            }
            // An escaped backslash escapes nothing after it.
            Some(b'\\') => Some(('\\', 2)),
            _ => None,
        };
        match escape {
            Some((decoded_char, length)) => {
                let mut buffer = [0; 4];
                decoded.extend_from_slice(decoded_char.encode_utf8(&mut buffer).as_bytes());
                at += length;
            }
            None => {
                decoded.push(b'\\');
                at += 1;
            }
        }
    }
    Mentions::finder().find(&decoded).is_some()
}

/// The error for a file that could not be read.
fn read_diagnostic(err: &ReadError) -> Diagnostic {
    let code = match err {
        ReadError::TooLarge { .. } => Code::NotText,
        _ => Code::Unreadable,
    };
    Diagnostic::error(code, err.to_string())
}

/// A located error for bytes that are not a text config (also the
/// playground's, `report::preview`, for text that is not a config).
pub fn decode_diagnostic(bytes: &[u8], err: &DecodeError) -> Diagnostic {
    let mut d = Diagnostic::error(Code::NotText, err.to_string());
    if let Some((line, column)) = err.line_col(bytes) {
        d.line = Some(line);
        d.column = Some(column);
    }
    d
}

/// The inputs of a run, in order: standard input first, then the files the
/// paths name or hold.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Packed: a run holds them all until it ends.
    list: InputList,
    /// What the walk could not read; reported before the inputs.
    pub problems: Vec<Problem>,
    /// Whether one of the paths is a folder.
    pub names_a_folder: bool,
    /// The inputs are one folder's walk, in path order (where the files
    /// below a folder come together), and the walk met no link and no file
    /// system mounted inside the folder, so that each folder and file it
    /// took has one path.
    pub one_walk_in_order: bool,
}

impl Inputs {
    /// Expand the paths of `walk` (see [`discover`]).
    pub fn collect(walk: &WalkSettings) -> Result<Inputs, SetupError> {
        let is_stdin = |p: &PathBuf| p.as_os_str() == "-";
        let stdin = walk.paths.iter().filter(|p| is_stdin(p)).count();
        if stdin > 1 {
            return Err(SetupError::StdinTwice);
        }
        if stdin == 0 && walk.stdin_name.is_some() {
            return Err(SetupError::StdinNameWithoutStdin);
        }
        let named: Vec<PathBuf> = walk
            .paths
            .iter()
            .filter(|p| !is_stdin(p))
            .cloned()
            .collect();
        let discovery = discover::discover(&named, &walk.discover).map_err(SetupError::Walk)?;
        let mut list = InputList::default();
        if stdin == 1 {
            let name = walk.stdin_name.as_deref().unwrap_or(Path::new("-"));
            list.push(InputKind::Stdin, name);
        }
        list.append(discovery.files);
        list.finish();
        let names_a_folder = named.iter().any(|p| p.is_dir());
        Ok(Inputs {
            list,
            problems: discovery.problems,
            one_walk_in_order: discovery.one_plain_folder && stdin == 0,
            names_a_folder,
        })
    }

    /// How many inputs there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The inputs in order, each decoded as it is reached.
    pub fn iter(&self) -> Entries<'_> {
        self.list.iter()
    }

    /// The inputs in order, `size` at a time.
    pub fn chunks(&self, size: usize) -> impl Iterator<Item = Vec<Input>> + '_ {
        self.list.chunks(size)
    }

    /// The files among the inputs (not standard input).
    pub fn files(&self) -> Vec<PathBuf> {
        self.iter()
            .filter_map(|i| i.path().map(Path::to_path_buf))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::mentions_legacy;

    #[test]
    fn a_legacy_key_is_seen_through_escapes_and_only_through_them() {
        for spelt in [
            r#""telemetry/opencensus""#,
            r#""telemetry/\u006fpencensus""#,
            r#""telemetry/\U0000006fpencensus""#,
            r#""telemetry/\x6fpen\x63ensus""#,
            "\"telemetry/open\\\n    census\"",
            "\"telemetry/open\\\r\n\tcensus\"",
        ] {
            assert!(mentions_legacy(spelt.as_bytes()), "{spelt}");
        }
        for unrelated in [
            r#""telemetry/\\u006fpencensus""#,
            r#""caf\u00e9", "C:\\Users\\x", "\x""#,
            r#"\u00"#,
            r#"\U0011FFFF \uD800 \x"#,
            "\\",
            "",
        ] {
            assert!(!mentions_legacy(unrelated.as_bytes()), "{unrelated}");
        }
    }
}
