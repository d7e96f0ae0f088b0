//! Reading legacy settings the way KrakenD's Go code reads them.
//!
//! The OpenCensus module decodes its block with Go's `encoding/json` after a
//! round trip through `map[string]interface{}`; the rules that follow from
//! it (case-insensitive keys, the greatest spelling and then the last
//! duplicate wins, `float64` integers, a type error fails the block) are
//! shared with the OpenTelemetry reader in [`crate::model::decode`]. A
//! migration must reproduce them, or it would migrate a config KrakenD
//! never ran. Here every one of them also becomes a diagnostic: a type
//! error fails the block (KrakenD logged it and ran without OpenCensus),
//! an ignored duplicate or a case-insensitive match is a warning.
//!
//! Unknown keys are ignored by Go; here they are collected so that every one
//! of them is reported.

use crate::model::decode::{self as go, IntProblem, go_int, type_mismatch};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::syntax::tree::{Member, Node, NodeKind, Span, child_pointer};

/// A decoded value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    /// JSON pointer of the value.
    pub pointer: String,
    /// The key as written (it may differ in case from the field name).
    pub key: String,
    /// From the start of the key to the end of the value.
    pub span: Span,
    /// The value alone.
    pub value_span: Span,
}

/// A key the legacy module does not know. `comment` marks keys KrakenD's
/// schemas reserve for comments (`@comment`, `$id`, `_note`, `#x`).
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub key: String,
    pub pointer: String,
    pub span: Span,
    pub value: serde_json::Value,
    pub comment: bool,
}

/// Whether KrakenD's schemas treat a key as a comment (`^[@$_#]`).
pub fn is_comment_key(key: &str) -> bool {
    key.starts_with(['@', '$', '_', '#'])
}

/// Collects diagnostics and the pointers of every leaf field seen, so that
/// the conversion can be checked to account for each of them.
#[derive(Debug, Default)]
pub struct Decoder {
    pub diagnostics: Vec<Diagnostic>,
    pub fields: Vec<(String, Span)>,
    pub failed: bool,
}

impl Decoder {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.failed = true;
        self.diagnostics.push(diagnostic);
    }
}

/// A Go type a legacy field is decoded into.
pub trait Decode: Sized {
    /// Leaf values are single fields; structs report their own members.
    const LEAF: bool = true;
    /// What Go expects, for messages: "an integer".
    const EXPECTED: &'static str;
    fn decode(node: &Node, pointer: &str, name: &str, decoder: &mut Decoder) -> Option<Self>;
}

fn type_error<T: Decode>(node: &Node, pointer: &str, name: &str) -> Diagnostic {
    let hint = if matches!(node.kind, NodeKind::Null) {
        " (KrakenD's schema rejects null; remove the key or give it a value)"
    } else {
        ""
    };
    Diagnostic::error(
        Code::InvalidValue,
        format!("{}{hint}", type_mismatch(name, T::EXPECTED, node)),
    )
    .at(pointer, node.span.clone())
    .with_help(DECODE_HELP)
}

const DECODE_HELP: &str = "KrakenD fails to decode the whole OpenCensus block when a value has the wrong type, so the block never ran; fix the value, then migrate";

impl Decode for i64 {
    const EXPECTED: &'static str = "an integer";

    fn decode(node: &Node, pointer: &str, name: &str, decoder: &mut Decoder) -> Option<i64> {
        let NodeKind::Number(raw) = &node.kind else {
            decoder.error(type_error::<i64>(node, pointer, name));
            return None;
        };
        match go_int(raw) {
            Ok(value) => Some(value),
            Err(problem) => {
                let code = if problem == IntProblem::Fraction {
                    Code::InvalidValue
                } else {
                    Code::OutOfRange
                };
                let what = match problem {
                    IntProblem::Fraction => "must be a whole number",
                    IntProblem::Range => "is out of range for a 64-bit integer",
                };
                decoder.error(
                    Diagnostic::error(code, format!("`{name}` {what}, found {raw}"))
                        .at(pointer, node.span.clone())
                        .with_help(DECODE_HELP),
                );
                None
            }
        }
    }
}

impl Decode for bool {
    const EXPECTED: &'static str = "true or false";

    fn decode(node: &Node, pointer: &str, name: &str, decoder: &mut Decoder) -> Option<bool> {
        match node.kind {
            NodeKind::Bool(b) => Some(b),
            _ => {
                decoder.error(type_error::<bool>(node, pointer, name));
                None
            }
        }
    }
}

impl Decode for String {
    const EXPECTED: &'static str = "a string";

    fn decode(node: &Node, pointer: &str, name: &str, decoder: &mut Decoder) -> Option<String> {
        match &node.kind {
            NodeKind::String(s) => Some(s.to_string()),
            _ => {
                decoder.error(type_error::<String>(node, pointer, name));
                None
            }
        }
    }
}

/// A struct kept on the heap: the exporters' structs are hundreds of
/// bytes each, and the struct holding all of them is moved whole as it is
/// decoded and converted.
impl<T: Decode> Decode for Box<T> {
    const LEAF: bool = T::LEAF;
    const EXPECTED: &'static str = T::EXPECTED;

    fn decode(node: &Node, pointer: &str, name: &str, decoder: &mut Decoder) -> Option<Self> {
        T::decode(node, pointer, name, decoder).map(Box::new)
    }
}

/// Go `map[string]string`: an object whose values are strings. Entries keep
/// their own spans because some of them are secrets (ocagent headers).
#[derive(Debug, Clone, PartialEq)]
pub struct StringMap(pub Vec<Spanned<String>>);

impl Decode for StringMap {
    const EXPECTED: &'static str = "an object of strings";

    fn decode(node: &Node, pointer: &str, name: &str, decoder: &mut Decoder) -> Option<Self> {
        let Some(members) = node.members() else {
            decoder.error(type_error::<StringMap>(node, pointer, name));
            return None;
        };
        let mut entries = Vec::new();
        let mut ok = true;
        for member in members {
            let entry_pointer = child_pointer(pointer, &member.key);
            match String::decode(&member.value, &entry_pointer, &member.key, decoder) {
                Some(value) => entries.push(Spanned {
                    value,
                    pointer: entry_pointer,
                    key: member.key.to_string(),
                    span: member.span.clone(),
                    value_span: member.value.span.clone(),
                }),
                None => ok = false,
            }
        }
        ok.then_some(StringMap(entries))
    }
}

/// Go `[]string`.
#[derive(Debug, Clone, PartialEq)]
pub struct StringList(pub Vec<String>);

impl Decode for StringList {
    const EXPECTED: &'static str = "an array of strings";

    fn decode(node: &Node, pointer: &str, name: &str, decoder: &mut Decoder) -> Option<Self> {
        let Some(elements) = node.elements() else {
            decoder.error(type_error::<StringList>(node, pointer, name));
            return None;
        };
        let mut out = Vec::new();
        for (i, element) in elements.iter().enumerate() {
            out.push(String::decode(
                element,
                &child_pointer(pointer, &i.to_string()),
                name,
                decoder,
            )?);
        }
        Some(StringList(out))
    }
}

/// Go `map[string]interface{}` (or `*struct{}`): any object, contents unused
/// by the conversion beyond being reported.
#[derive(Debug, Clone, PartialEq)]
pub struct AnyObject(pub serde_json::Value);

impl Decode for AnyObject {
    const EXPECTED: &'static str = "an object";

    fn decode(node: &Node, pointer: &str, name: &str, decoder: &mut Decoder) -> Option<Self> {
        match node.kind {
            NodeKind::Object(_) => Some(AnyObject(node.to_json())),
            _ => {
                decoder.error(type_error::<AnyObject>(node, pointer, name));
                None
            }
        }
    }
}

/// Reads the members of one JSON object into struct fields, Go style.
pub struct ObjectReader<'a> {
    node: &'a Node,
    pointer: String,
    claimed: Vec<bool>,
}

impl<'a> ObjectReader<'a> {
    /// `None` (with an error recorded) if `node` is not an object.
    pub fn new(
        node: &'a Node,
        pointer: &str,
        name: &str,
        decoder: &mut Decoder,
    ) -> Option<ObjectReader<'a>> {
        let Some(members) = node.members() else {
            decoder.error(type_error::<AnyObject>(node, pointer, name));
            return None;
        };
        Some(ObjectReader {
            node,
            pointer: pointer.to_string(),
            claimed: vec![false; members.len()],
        })
    }

    fn members(&self) -> &'a [Member] {
        self.node.members().unwrap_or_default()
    }

    /// Decode the member Go would store in field `name`. Returns `None` when
    /// the field is absent or (with an error recorded) has a bad value.
    pub fn field<T: Decode>(&mut self, name: &str, decoder: &mut Decoder) -> Option<Spanned<T>> {
        let members = self.members();
        // Go keeps the last value of a repeated key, then decodes the
        // spellings in sorted order: the greatest spelling is written last.
        let winner = go::winner(members, name)?;
        let candidates = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.key.eq_ignore_ascii_case(name));
        for (i, loser) in candidates {
            self.claimed[i] = true;
            if i == winner {
                continue;
            }
            let why = if loser.key == members[winner].key {
                format!(
                    "duplicate key `{}`: KrakenD keeps only the last occurrence, so this one is ignored",
                    loser.key
                )
            } else {
                format!(
                    "`{}` and `{}` are the same field for KrakenD (keys match case-insensitively); `{}` wins, so this one is ignored",
                    loser.key, members[winner].key, members[winner].key
                )
            };
            let pointer = child_pointer(&self.pointer, &loser.key);
            decoder.diagnostics.push(
                Diagnostic::warning(Code::DuplicateKey, why)
                    .at(pointer.clone(), loser.span.clone())
                    .with_fate(Action::Dropped, None),
            );
        }
        let member = &members[winner];
        let pointer = child_pointer(&self.pointer, &member.key);
        if member.key != name {
            decoder.diagnostics.push(
                Diagnostic::warning(
                    Code::CaseInsensitiveKey,
                    format!(
                        "`{}` is read as `{name}` only because KrakenD matches keys case-insensitively",
                        member.key
                    ),
                )
                .at(pointer.clone(), member.key_span.clone())
                .with_help(format!("spell it `{name}`")),
            );
        }
        if T::LEAF {
            decoder.fields.push((pointer.clone(), member.span.clone()));
        }
        let value = T::decode(&member.value, &pointer, name, decoder)?;
        Some(Spanned {
            value,
            pointer,
            key: member.key.to_string(),
            span: member.span.clone(),
            value_span: member.value.span.clone(),
        })
    }

    /// The members no field claimed: keys KrakenD ignores.
    pub fn unknown(self, decoder: &mut Decoder) -> Vec<Unknown> {
        let members = self.members();
        let mut out = Vec::new();
        for (i, member) in members.iter().enumerate() {
            if self.claimed[i] {
                continue;
            }
            let pointer = child_pointer(&self.pointer, &member.key);
            decoder.fields.push((pointer.clone(), member.span.clone()));
            out.push(Unknown {
                key: member.key.to_string(),
                pointer,
                span: member.span.clone(),
                value: member.value.to_json(),
                comment: is_comment_key(&member.key),
            });
        }
        out
    }
}

/// Declares a legacy settings struct: each field is an optional
/// [`Spanned`] value decoded from the given key, plus the unknown keys.
macro_rules! legacy_struct {
    ($(#[$meta:meta])* $name:ident { $($field:ident: $ty:ty = $key:expr),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            $(pub $field: Option<$crate::model::legacy::decode::Spanned<$ty>>,)*
            /// Keys KrakenD ignores here.
            pub unknown: Vec<$crate::model::legacy::decode::Unknown>,
        }

        impl $name {
            /// The keys KrakenD reads here, in field order.
            pub const KEYS: &'static [&'static str] = &[$($key),*];
        }

        impl $crate::model::legacy::decode::Decode for $name {
            const LEAF: bool = false;
            const EXPECTED: &'static str = "an object";

            fn decode(
                node: &$crate::syntax::tree::Node,
                pointer: &str,
                name: &str,
                decoder: &mut $crate::model::legacy::decode::Decoder,
            ) -> Option<Self> {
                let mut reader =
                    $crate::model::legacy::decode::ObjectReader::new(node, pointer, name, decoder)?;
                let before = decoder.failed;
                decoder.failed = false;
                let mut out = $name {
                    $($field: reader.field::<$ty>($key, decoder),)*
                    unknown: Vec::new(),
                };
                // In place: a struct of exporters is kilobytes, and a
                // copy of it per level was a tenth of a `--check`'s copies.
                out.unknown = reader.unknown(decoder);
                let failed = decoder.failed;
                decoder.failed |= before;
                (!failed).then_some(out)
            }
        }
    };
}

pub(crate) use legacy_struct;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    legacy_struct!(Sample {
        rate: i64 = "sample_rate",
        on: bool = "on",
    });

    fn decode(text: &str) -> (Option<Sample>, Decoder) {
        let node = json::parse(text).unwrap();
        let mut decoder = Decoder::default();
        let out = Sample::decode(&node, "", "block", &mut decoder);
        (out, decoder)
    }

    #[test]
    fn case_insensitive_keys_and_duplicates_follow_go() {
        let (out, decoder) = decode(r#"{"SAMPLE_RATE": 1, "sample_rate": 2, "Sample_Rate": 3}"#);
        assert_eq!(out.unwrap().rate.unwrap().value, 2);
        assert_eq!(decoder.diagnostics.len(), 2);
        let (out, decoder) = decode(r#"{"sample_rate": 1, "sample_rate": 5}"#);
        assert_eq!(out.unwrap().rate.unwrap().value, 5);
        assert_eq!(decoder.diagnostics[0].code, Code::DuplicateKey);
        assert_eq!(Sample::KEYS, ["sample_rate", "on"]);
        let (out, decoder) = decode(r#"{"On": true}"#);
        assert!(out.unwrap().on.unwrap().value);
        assert_eq!(decoder.diagnostics[0].code, Code::CaseInsensitiveKey);
    }

    #[test]
    fn wrong_types_fail_the_block_and_unknown_keys_are_kept() {
        let (out, decoder) = decode(r#"{"sample_rate": "100", "x": 1}"#);
        assert!(out.is_none());
        assert!(decoder.failed);
        assert!(
            decoder.diagnostics[0]
                .message
                .contains("must be an integer")
        );
        let (out, _) = decode(r#"{"@comment": "hi", "tag": 1}"#);
        let unknown = out.unwrap().unknown;
        assert_eq!(unknown.len(), 2);
        assert!(unknown[0].comment && !unknown[1].comment);
        let (out, decoder) = decode(r#"[1]"#);
        assert!(out.is_none() && decoder.failed);
    }
}
