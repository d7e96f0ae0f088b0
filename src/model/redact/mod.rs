//! Keeping secrets out of everything oc2otel prints and writes.
//!
//! Legacy telemetry blocks hold AWS keys, InfluxDB passwords and agent
//! headers, and the rest of a KrakenD config often holds more (JWT secrets,
//! API keys). Whatever oc2otel shows — diffs, source snippets, reports,
//! messages — is built from a [`Redacted`] copy of the text in which the
//! secrets are replaced by a visible marker, and messages are scrubbed of
//! them. One job per file:
//!
//! - [`policy`]: which key names, URL parts and parts of a string are
//!   secrets (the single policy the others follow);
//! - [`structural`]: the secrets of a parsed tree and document;
//! - [`lexical`]: the secrets of text that does not parse (and of
//!   comments, and of configs held in strings);
//! - [`literal`]: where a string's characters are written in its source;
//! - [`view`]: the redacted copy, its offset mapping, the words messages
//!   must not quote, and the escaping of everything shown.

pub mod lexical;
pub mod literal;
pub mod policy;
pub mod structural;
pub mod view;

pub use lexical::lexical_secret_spans;
pub use policy::{is_secret_key, is_secret_query_name, redact_str, string_secret_ranges};
pub(crate) use structural::{Unbuilt, document_spans_with};
pub use structural::{document_spans, secret_spans};
pub use view::{Lines, MARKER, Redacted, Scrubber, printable, redacted_text};

use crate::syntax::tree::Span;

/// Secret spans of a text in `format`: its document's when it parses,
/// lexical when it does not (or is a template).
pub fn spans_in(text: &str, format: crate::syntax::source::Format) -> Vec<Span> {
    match crate::syntax::parse(text, format) {
        Ok(parsed) => document_spans(text, &*parsed),
        Err(_) => lexical_secret_spans(text),
    }
}
