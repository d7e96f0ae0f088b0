//! One module per input format: parse into a located tree, and write edits
//! in that format's syntax. The rest of oc2otel talks to a format only
//! through [`parse`] and the [`Editor`] trait.

pub mod json;

use crate::edit::Edit;
use crate::source::Format;
use crate::tree::Node;

pub use json::SyntaxError;

/// Format-specific edits on a parsed document. Every method returns edits
/// against the original text; nothing is applied here.
pub trait Editor {
    /// Replace member `index` of `object` with `new_key: value`.
    fn replace_member(
        &self,
        object: &Node,
        index: usize,
        new_key: &str,
        value: &serde_json::Value,
    ) -> Edit;
    /// Remove the members at `indices` of `object` (any order, no repeats).
    fn remove_members(&self, object: &Node, indices: &[usize]) -> Vec<Edit>;
    /// Add `key: value` at the end of `object`.
    fn append_member(&self, object: &Node, key: &str, value: &serde_json::Value) -> Edit;
    /// Add `value` at the end of `array`.
    fn append_element(&self, array: &Node, value: &serde_json::Value) -> Edit;
}

/// Parse `text` in `format`.
pub fn parse(text: &str, format: Format) -> Result<Node, SyntaxError> {
    match format {
        Format::Json => json::parse(text),
    }
}

/// The editor for `text` in `format`.
pub fn editor(text: &str, format: Format) -> Box<dyn Editor + '_> {
    match format {
        Format::Json => Box::new(json::JsonEditor { text }),
    }
}
