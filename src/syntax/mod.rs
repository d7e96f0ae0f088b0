//! Text and formats, knowing nothing of KrakenD's settings (which keys
//! matter is always the caller's business; only how strictly each format
//! is read follows what KrakenD's parsers accept): reading a source,
//! parsing each format (JSON, YAML, TOML) into a format-neutral located
//! tree, scanning templates for given keys, and writing byte-range edits
//! in a format's own syntax and style. The rest of oc2otel talks to a format only through
//! [`parse`], the [`Document`] it returns and the [`Editor`] trait; each
//! format's own state (YAML's anchors, TOML's table layout) stays private
//! to its module.

pub mod diff;
pub mod edit;
pub mod focus;
pub mod json;
pub mod source;
pub mod template;
pub mod toml;
pub mod tree;
pub mod yaml;

use crate::syntax::edit::Edit;
use crate::syntax::source::Format;
use crate::syntax::tree::{Node, Span};

pub use json::SyntaxError;

/// A parsed document: its tree, what no edit may touch, the editor that
/// writes edits in its syntax, and its comments.
pub trait Document {
    fn root(&self) -> &Node;
    /// Byte ranges no edit may touch, with the reason (a YAML anchor that
    /// an alias elsewhere refers to).
    fn protected(&self) -> &[(Span, String)];
    /// Edits in this document's syntax and layout.
    fn editor(&self) -> Box<dyn Editor + '_>;
    /// The comments that start inside `range`, each as its span.
    fn comments_in(&self, range: Span) -> Vec<Span>;
    /// Each alias (YAML `*name`) with the span of the anchored value it
    /// stands for, so that a secret an alias puts somewhere is hidden
    /// where it is written too.
    fn aliases(&self) -> &[(Span, Span)] {
        &[]
    }
    /// Documents after the first of a YAML stream: KrakenD reads only the
    /// first, but what the others hold is reported and redacted.
    fn other_documents(&self) -> &[Node] {
        &[]
    }
    /// The tree alone, for callers that only read.
    fn into_root(self: Box<Self>) -> Node;
}

/// An edit the editor will not make without a person: what is in the way,
/// and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub span: Span,
    pub why: String,
}

/// Format-specific edits on a parsed document. Every method returns edits
/// against the original text; nothing is applied here.
pub trait Editor {
    /// Replace member `index` of `object` with `new_key: value` (several
    /// edits when the member is written in several places, as TOML tables
    /// can be).
    fn replace_member(
        &self,
        object: &Node,
        index: usize,
        new_key: &str,
        value: &serde_json::Value,
    ) -> Vec<Edit>;
    /// Remove the members at `indices` of `object` (any order, no
    /// repeats), or say why that needs a person (only a template's editor
    /// does: an action next to a member can hide the comma that goes).
    fn remove_members(&self, object: &Node, indices: &[usize]) -> Result<Vec<Edit>, Refused>;
    /// Add `key: value` at the end of `object`.
    fn append_member(&self, object: &Node, key: &str, value: &serde_json::Value) -> Edit;
    /// Add `value` at the end of `array`.
    fn append_element(&self, array: &Node, value: &serde_json::Value) -> Edit;
}

/// The line terminator new lines are written with: CRLF when the file
/// uses it anywhere, else LF.
fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

pub(crate) fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

pub(crate) fn line_end(text: &str, pos: usize) -> usize {
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    if end > pos && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

pub(crate) fn next_line_start(text: &str, pos: usize) -> usize {
    text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1)
}

/// The `#` comments that start inside `range` (YAML and TOML syntax): a
/// `#` at the start of a line or after a space, outside quotes.
fn hash_comments_in(text: &str, range: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut line_begin = line_start(text, range.start);
    while line_begin < range.end.min(text.len()) {
        let end = line_end(text, line_begin);
        let line = &text[line_begin..end];
        let (mut single, mut double) = (false, false);
        let mut previous = ' ';
        for (i, c) in line.char_indices() {
            match c {
                '\'' if !double => single = !single,
                '"' if !single && previous != '\\' => double = !double,
                '#' if !single && !double && previous.is_whitespace() => {
                    let at = line_begin + i;
                    if at >= range.start && at < range.end {
                        out.push(at..end);
                    }
                    break;
                }
                _ => {}
            }
            previous = c;
        }
        line_begin = next_line_start(text, end);
        if line_begin == end {
            break;
        }
    }
    out
}

/// Parse `text` in `format`. Templates are scanned ([`template`]), never
/// parsed whole.
pub fn parse(text: &str, format: Format) -> Result<Box<dyn Document + '_>, SyntaxError> {
    parse_focused(text, format, None)
}

/// [`parse`] with a focus, when one is given: a JSON container that does
/// not touch it may be left empty ([`focus`]); YAML and TOML are parsed
/// whole.
pub fn parse_focused<'t>(
    text: &'t str,
    format: Format,
    focus: Option<&focus::Focus>,
) -> Result<Box<dyn Document + 't>, SyntaxError> {
    Ok(match format {
        Format::Json => Box::new(json::document(text, focus)?),
        Format::Yaml => Box::new(yaml::parse(text)?),
        Format::Toml => Box::new(toml::parse(text)?),
        Format::Template => {
            return Err(SyntaxError {
                message: "a template is not a document".into(),
                offset: 0,
            });
        }
    })
}

/// The tree of `text` in `format`, for callers that only read.
pub fn parse_tree(text: &str, format: Format) -> Result<Node, SyntaxError> {
    parse(text, format).map(|d| d.into_root())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_quotes() {
        let text = "a: 1 # one\n# two\nb: \"x # not\" # three\nc: 'y#z'\n";
        let found: Vec<&str> = hash_comments_in(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, ["# one", "# two", "# three"]);
        assert_eq!(hash_comments_in(text, 11..16).len(), 1);
    }
}
