//! Redaction of arbitrary text, parseable or not.
//!
//! The lexical scan (used for files that do not parse) must not panic,
//! must return sorted, disjoint spans on character boundaries, and must
//! hide at least every value that the structural scan hides when the text
//! does parse: a file that breaks must not show more than one that parses.

#![no_main]

use libfuzzer_sys::fuzz_target;
use oc2otel::model::redact::{Redacted, lexical_secret_spans, secret_spans};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lexical = lexical_secret_spans(text);
    let mut end = 0;
    for span in &lexical {
        assert!(span.start >= end && span.start < span.end && span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        end = span.end;
    }
    let redacted = Redacted::new(text, &lexical);
    assert!(redacted.map(text.len()) == redacted.text.len());

    if let Ok(parsed) = oc2otel::syntax::parse(text, oc2otel::syntax::source::Format::Json) {
        for secret in secret_spans(text, parsed.root()) {
            assert!(
                lexical
                    .iter()
                    .any(|l| l.start <= secret.start && secret.end <= l.end),
                "the lexical scan misses {:?} in {text:?}",
                &text[secret.clone()]
            );
        }
    }
});
