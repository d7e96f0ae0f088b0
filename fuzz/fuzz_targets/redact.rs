//! Redaction of arbitrary text, parseable or not, and of arbitrary
//! credentials in the shapes that used to leak (issue 12).
//!
//! * The lexical scan (used for files that do not parse) must not panic,
//!   must return sorted, disjoint spans on character boundaries, and must
//!   hide at least every value that the structural scan hides when the
//!   text does parse: a file that breaks must not show more than one that
//!   parses.
//! * The input as a password in URL user info (any character but `://`),
//!   as the value of a parameter whose name only its decoding reveals, as
//!   a template action or variable in a credential's place, and as the
//!   value of a name/value header pair, is hidden whole.
//! * The input as a string value, written as a JSON string (and as a YAML
//!   scalar): the literal map either spells the value exactly, range by
//!   range, or is absent (and the whole literal is hidden).

#![no_main]

use libfuzzer_sys::fuzz_target;
use oc2otel::model::redact::{
    Redacted, lexical_secret_spans, literal, secret_spans, string_secret_ranges,
};
use oc2otel::syntax::source::Format;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    lexical_invariants(text);
    shapes(text);
    literal_maps(text);
});

fn lexical_invariants(text: &str) {
    let lexical = lexical_secret_spans(text);
    let mut end = 0;
    for span in &lexical {
        assert!(span.start >= end && span.start < span.end && span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        end = span.end;
    }
    let redacted = Redacted::new(text, &lexical);
    assert!(redacted.map(text.len()) == redacted.text.len());

    if let Ok(parsed) = oc2otel::syntax::parse(text, Format::Json) {
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
}

/// Whether `ranges` of `value` cover the bytes `at`.
fn covered(ranges: &[std::ops::Range<usize>], at: std::ops::Range<usize>) -> bool {
    at.is_empty()
        || ranges
            .iter()
            .any(|r| r.start <= at.start && at.end <= r.end)
}

fn shapes(secret: &str) {
    if secret.is_empty() || secret.contains("://") {
        return;
    }
    // User info of any character: the last `@` before the host ends it.
    let url = format!("https://svc:{secret}@zipkin:9411/api/v2/spans");
    let at = 12..12 + secret.len();
    assert!(
        covered(&string_secret_ranges(&url), at),
        "user info shown: {url:?}"
    );
    // A parameter value, under names only decoding reveals.
    if !secret.contains(['&', ';', '#']) {
        for name in ["%70", "to%6Ben", "token[]", "api%5Fkey"] {
            for mark in ['?', '#'] {
                let url = format!("http://h:1/x{mark}a=1&{name}={secret}");
                let start = url.len() - secret.len();
                assert!(
                    covered(&string_secret_ranges(&url), start..url.len()),
                    "parameter shown: {url:?}"
                );
            }
        }
    }
    // In a document: a template action and a variable in a credential's
    // place, and a name/value pair, the secret JSON-escaped where it is a
    // JSON string.
    let quoted = serde_json::to_string(secret).expect("a string");
    if !secret.contains("}}") && !secret.contains('"') && !secret.contains('\\') {
        let template = format!(
            "{{{{ $api_token := \"{secret}\" }}}}\n{{\"password\": \"{{{{ env \"X\" | default \"{secret}\" }}}}\"}}"
        );
        let redacted = Redacted::new(&template, &lexical_secret_spans(&template)).text;
        assert!(!redacted.contains(secret), "template shown: {redacted:?}");
    }
    let pair = format!("{{\"m\": {{\"name\": \"Authorization\", \"value\": {quoted}}}}}");
    let root = oc2otel::syntax::parse_tree(&pair, Format::Json).expect("JSON");
    let spans = secret_spans(&pair, &root);
    // An environment reference names a secret, it holds none.
    let value = pair.len() - 2 - quoted.len()..pair.len() - 2;
    assert!(
        oc2otel::model::redact::policy::is_reference(secret) || covered(&spans, value),
        "pair shown: {pair:?} {spans:?}"
    );
    let lexical = lexical_secret_spans(&pair);
    for s in spans {
        assert!(lexical.iter().any(|l| l.start <= s.start && s.end <= l.end));
    }
}

fn literal_maps(value: &str) {
    let quoted = serde_json::to_string(value).expect("a string");
    let map = literal::map(&quoted, value).expect("a JSON string spells its value");
    check_map(&quoted, value, &map);
    // A YAML double-quoted scalar of the same value, and a plain one.
    if let Ok(tree) = oc2otel::syntax::parse_tree(&format!("k: {quoted}\n"), Format::Yaml)
        && let Some(node) = tree.get("k")
        && let Some(parsed) = node.value.as_str()
    {
        let raw = &format!("k: {quoted}\n")[node.value.span.clone()];
        if let Some(map) = literal::map(raw, parsed) {
            check_map(raw, parsed, &map);
        }
    }
}

/// Every range of the value on character boundaries maps onto text that
/// decodes to exactly that range.
fn check_map(raw: &str, value: &str, map: &literal::LiteralMap) {
    let bounds: Vec<usize> = value
        .char_indices()
        .map(|(i, _)| i)
        .chain([value.len()])
        .step_by(3)
        .collect();
    for pair in bounds.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let r = map.range(a..b);
        assert!(r.start <= r.end && r.end <= raw.len(), "{r:?} of {raw:?}");
        let piece = &raw[r];
        let decoded = literal::value_of(&format!("\"{piece}\"")).unwrap_or_default();
        assert_eq!(decoded, value[a..b], "{raw:?} {a}..{b}");
    }
}
