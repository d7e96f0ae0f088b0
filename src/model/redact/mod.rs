//! Keeping secrets out of everything oc2otel prints.
//!
//! Legacy telemetry blocks hold AWS keys, InfluxDB passwords and agent
//! headers, and the rest of a KrakenD config often holds more (JWT secrets,
//! API keys). Whatever oc2otel shows — diffs, source snippets, reports — is
//! built from a [`Redacted`] copy of the text in which the values of
//! credential-like keys are replaced by a visible marker. One job per file:
//!
//! - [`policy`]: which key names, query names and parts of a string are
//!   secrets (the single policy the others follow);
//! - [`structural`]: the secrets of a parsed tree;
//! - [`lexical`]: the secrets of text that does not parse;
//! - [`view`]: the redacted copy and its offset mapping.

pub mod lexical;
pub mod policy;
pub mod structural;
pub mod view;

pub use lexical::lexical_secret_spans;
pub use policy::{is_secret_key, is_secret_query_name, string_secret_ranges};
pub use structural::secret_spans;
pub use view::{MARKER, Redacted};

use crate::syntax::tree::Span;

/// Secret spans of a text in `format`; lexical when it does not parse.
pub fn spans_in(text: &str, format: crate::syntax::source::Format) -> Vec<Span> {
    match crate::syntax::parse(text, format) {
        Ok(parsed) => secret_spans(parsed.root()),
        Err(_) => lexical_secret_spans(text),
    }
}
