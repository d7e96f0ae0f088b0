//! One module per input format: parse into a located tree, and write edits
//! in that format's syntax. The rest of oc2otel talks to a format only
//! through [`parse`] and the [`Editor`] trait.

pub mod diff;
pub mod edit;
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

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub root: Node,
    /// Byte ranges no edit may touch, with the reason (a YAML anchor that
    /// an alias elsewhere refers to, a template action).
    pub protected: Vec<(Span, String)>,
    /// Where each TOML member is written (TOML only).
    pub toml_layout: Option<toml::Layout>,
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
    /// Remove the members at `indices` of `object` (any order, no repeats).
    fn remove_members(&self, object: &Node, indices: &[usize]) -> Vec<Edit>;
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

/// Parse `text` in `format`.
pub fn parse(text: &str, format: Format) -> Result<Parsed, SyntaxError> {
    match format {
        Format::Json => json::parse(text).map(|root| Parsed {
            root,
            protected: Vec::new(),
            toml_layout: None,
        }),
        Format::Yaml => yaml::parse(text),
        Format::Toml => toml::parse(text).map(|(mut parsed, layout)| {
            parsed.toml_layout = Some(layout);
            parsed
        }),
        // Templates are scanned (see `template`), never parsed whole.
        Format::Template => Err(SyntaxError {
            message: "a template is not a document".into(),
            offset: 0,
        }),
    }
}

/// The editor for `text`, parsed as `parsed`.
pub fn editor<'a>(text: &'a str, parsed: &'a Parsed, format: Format) -> Box<dyn Editor + 'a> {
    match (format, &parsed.toml_layout) {
        (Format::Toml, Some(layout)) => Box::new(toml::TomlEditor { text, layout }),
        (Format::Yaml, _) => Box::new(yaml::YamlEditor {
            text,
            root: &parsed.root,
        }),
        _ => Box::new(json::JsonEditor { text }),
    }
}
