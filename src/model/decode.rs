//! How KrakenD's Go code reads a JSON object into a struct, shared by the
//! legacy block ([`crate::model::legacy`]) and the OpenTelemetry block
//! ([`crate::model::otel`]).
//!
//! Both modules decode their block with Go's `encoding/json` after a round
//! trip through `map[string]interface{}`, which decides three things that a
//! faithful reader must reproduce:
//!
//! * keys match struct fields case-insensitively; when several spellings
//!   are present, the round trip sorts the keys, so the byte-wise greatest
//!   spelling is decoded last and wins; of exact duplicates the map kept
//!   the last;
//! * numbers pass through `float64`, so `100.0` and `1e2` are a valid `int`
//!   but `50.5` is not, and nothing beyond `int64` fits;
//! * a value of the wrong type fails the whole decode.
//!
//! What a failure means differs (the legacy block becomes diagnostics, the
//! OpenTelemetry block a refusal), so this module only answers questions.

use crate::syntax::tree::{Member, Node};

/// The member of `members` whose value Go stores in field `name`: of the
/// keys equal to `name` but for ASCII case, the greatest spelling, and of
/// equal spellings the last. One pass and no allocation: every field of
/// every legacy struct is looked up here, and nearly all are absent.
pub fn winner(members: &[Member], name: &str) -> Option<usize> {
    let mut winner: Option<usize> = None;
    for (i, member) in members.iter().enumerate() {
        if !member.key.eq_ignore_ascii_case(name) {
            continue;
        }
        // A later candidate wins every tie.
        if winner.is_none_or(|w| member.key >= members[w].key) {
            winner = Some(i);
        }
    }
    winner
}

/// The member Go stores in field `name` of `object`, if any.
pub fn field<'n>(object: &'n Node, name: &str) -> Option<&'n Member> {
    let members = object.members()?;
    winner(members, name).map(|i| &members[i])
}

/// Why a JSON number is not a Go integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntProblem {
    /// It has a fractional part.
    Fraction,
    /// It does not fit a 64-bit integer.
    Range,
}

/// A JSON number as a Go `int` after the `float64` round trip: an
/// integral number in any notation, as long as it fits an `int64`.
pub fn go_int(raw: &str) -> Result<i64, IntProblem> {
    if let Ok(value) = raw.parse::<i64>() {
        return Ok(value);
    }
    let float: f64 = raw.parse().map_err(|_| IntProblem::Range)?;
    if !float.is_finite() {
        return Err(IntProblem::Range);
    }
    if float.fract() != 0.0 {
        return Err(IntProblem::Fraction);
    }
    // 2^63 is the first float64 that no longer fits an int64.
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&float) {
        return Err(IntProblem::Range);
    }
    Ok(float as i64)
}

/// A JSON number as a Go `float64`.
pub fn go_float(raw: &str) -> Option<f64> {
    raw.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// The message of a type error, the same for both blocks: "`port` must be
/// an integer, found a string".
pub fn type_mismatch(name: &str, expected: &str, found: &Node) -> String {
    format!("`{name}` must be {expected}, found {}", found.type_name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    #[test]
    fn numbers_follow_go_float_round_trip() {
        assert_eq!(go_int("100"), Ok(100));
        assert_eq!(go_int("1e2"), Ok(100));
        assert_eq!(go_int("100.0"), Ok(100));
        assert_eq!(go_int("-0"), Ok(0));
        assert_eq!(go_int("50.5"), Err(IntProblem::Fraction));
        assert_eq!(go_int("1e30"), Err(IntProblem::Range));
        assert_eq!(go_int("99999999999999999999"), Err(IntProblem::Range));
        assert_eq!(go_float("0.5"), Some(0.5));
        assert_eq!(go_float("1e400"), None);
    }

    #[test]
    fn the_greatest_spelling_then_the_last_duplicate_wins() {
        let node = json::parse(r#"{"SAMPLE_RATE": 1, "sample_rate": 2, "Sample_Rate": 3, "x": 0}"#)
            .unwrap();
        assert_eq!(field(&node, "sample_rate").unwrap().value.to_json(), 2);
        let node = json::parse(r#"{"a": 1, "a": 5}"#).unwrap();
        assert_eq!(field(&node, "A").unwrap().value.to_json(), 5);
        assert!(field(&node, "b").is_none());
        assert_eq!(
            type_mismatch("port", "an integer", &node),
            "`port` must be an integer, found an object"
        );
    }
}
