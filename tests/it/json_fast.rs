//! The fast JSON parser against the reference path (jsonc-parser, the
//! RFC 8259 check, the conversion), which is the oracle: on every text the
//! fast parser either gives up or returns exactly the reference's tree, and
//! it gives up on every text the reference refuses. Texts: generated JSON
//! (compact and pretty, odd whitespace), odd numbers, escapes, surrogates,
//! control characters, comments, trailing commas, single quotes, a BOM,
//! deep nesting, random mutations of all of these, every file under
//! `tests/fixtures/` and the shared corpus.

use std::path::Path;

use oc2otel::syntax::focus::Focus;
use oc2otel::syntax::json::{parse, parse_fast, parse_focused, parse_reference};
use oc2otel::syntax::tree::{Node, NodeKind};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::{files_below, manifest_dir, notice, shared_dir};

/// The differential property; true when the fast parser accepted.
fn agree(text: &str) -> Result<bool, TestCaseError> {
    let reference = parse_reference(text);
    let fast = parse_fast(text);
    match (&fast, &reference) {
        (None, _) => {}
        (Some(tree), Ok(expected)) => {
            prop_assert_eq!(tree, expected, "trees differ for {:?}", text)
        }
        (Some(_), Err(err)) => {
            return Err(TestCaseError::fail(format!(
                "the fast parser accepts {text:?}, the reference refuses it: {err:?}"
            )));
        }
    }
    prop_assert_eq!(&parse(text), &reference, "parse differs for {:?}", text);
    // A focused parse accepts and refuses the same texts, with the same
    // errors, whatever it leaves unbuilt.
    for focus in foci(text) {
        match (&reference, parse_focused(text, &focus)) {
            (Ok(whole), Ok(focused)) => focused_agrees(whole, &focused, &focus, true)?,
            (expected, focused) => prop_assert_eq!(&focused, expected, "{:?} {:?}", text, focus),
        }
    }
    Ok(fast.is_some())
}

/// Foci on a text: none, a point in its middle, one just before its last
/// two bytes (inside a last container), a range over its second third, a
/// point keeping wide numbers and the root's `a`.
fn foci(text: &str) -> Vec<Focus> {
    let (third, half) = (text.len() / 3, text.len() / 2);
    let late = text.len().saturating_sub(2);
    let point = |at: usize| Focus::new(std::iter::once(at..at).collect());
    vec![
        Focus::default(),
        point(half),
        point(late),
        Focus::new(std::iter::once(third..2 * third).collect()),
        point(half).with_wide_numbers().with_root_members(&["a"]),
    ]
}

/// A focused tree is the whole one with some containers left empty (the
/// same span and kind), never one that touches the focus, nor the root.
fn focused_agrees(
    whole: &Node,
    focused: &Node,
    focus: &Focus,
    root: bool,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(&whole.span, &focused.span);
    let kept = |n: &Node| n.members().map(<[_]>::len).or(n.elements().map(<[_]>::len));
    match (&whole.kind, &focused.kind) {
        (NodeKind::Object(all), NodeKind::Object(got)) if !got.is_empty() || all.is_empty() => {
            prop_assert_eq!(all.len(), got.len());
            for (a, g) in all.iter().zip(got) {
                prop_assert_eq!(
                    (&a.key, &a.key_span, &a.span),
                    (&g.key, &g.key_span, &g.span)
                );
                focused_agrees(&a.value, &g.value, focus, false)?;
            }
        }
        (NodeKind::Array(all), NodeKind::Array(got)) if !got.is_empty() || all.is_empty() => {
            prop_assert_eq!(all.len(), got.len());
            for (a, g) in all.iter().zip(got) {
                focused_agrees(a, g, focus, false)?;
            }
        }
        (NodeKind::Object(_), NodeKind::Object(_)) | (NodeKind::Array(_), NodeKind::Array(_)) => {
            prop_assert!(
                !root && !focus.touches(&whole.span),
                "{:?} left empty ({:?} entries) though it touches the focus",
                whole.span,
                kept(whole)
            );
        }
        (a, g) => prop_assert_eq!(a, g),
    }
    Ok(())
}

fn check(text: &str) -> bool {
    match agree(text) {
        Ok(accepted) => accepted,
        Err(err) => panic!("{err}"),
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "01",
    "-01",
    "00",
    "-",
    "1.",
    ".5",
    "-.5",
    "1e",
    "1e+",
    "1E+2",
    "1e-2",
    "1E2",
    "-0.0e0",
    "1e309",
    "-1e309",
    "1e-400",
    "+1",
    "0x10",
    "1.5e3",
    "123456789012345678901234567890",
    "-9223372036854775809",
    "18446744073709551616",
    "NaN",
    "Infinity",
    "-Infinity",
    "1.0",
    "0.000001",
    "2.5E-3",
    "1e05",
    "0e0",
    "0.e1",
    "1..2",
    "1ee2",
    "--1",
];

const STRINGS: &[&str] = &[
    r#""""#,
    r#""plain""#,
    r#""\u0000""#,
    r#""\u001f\u007F""#,
    r#""\ud83d\ude00""#,
    r#""\uD83D\uDE00""#,
    r#""\ud800""#,
    r#""\udc00""#,
    r#""\ud800x""#,
    r#""\ud800\u0041""#,
    r#""\ud800\ud800""#,
    r#""\udbff\udfff""#,
    r#""\u00e9\u20AC""#,
    r#""\uzzzz""#,
    r#""\u12""#,
    r#""\"\\\/\b\f\n\r\t""#,
    r#""\'""#,
    r#""\x41""#,
    r#""\v""#,
    r#""\0""#,
    r#""\a""#,
    "\"tab\there\"",
    "\"nl\nhere\"",
    "\"nul\u{0}\"",
    "\"del\u{7f}\"",
    "\"é€😀\"",
    "\"\u{feff}\"",
    "\"\u{2028}\"",
    "'single'",
    "\"unterminated",
    "\"back\\",
    "\"a\\\"b\"",
];

const SPACES: &[&str] = &[
    "", "", "", " ", "  ", "\n", "\r\n", "\t", "\n    ", " \r\n\t ", "\u{0b}", "\u{0c}", "\u{a0}",
    "\u{feff}", "\u{2028}", "/* c */", "// c\n",
];

fn space() -> impl Strategy<Value = &'static str> {
    prop::sample::select(SPACES)
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(NUMBERS).prop_map(str::to_owned),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| serde_json::to_string(&f).unwrap()),
        "-?(0|[1-9][0-9]{0,4})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?",
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(STRINGS).prop_map(str::to_owned),
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        "\"([a-z]|\\\\[nt\"/\\\\]|\\\\u00[0-9a-fA-F]{2}|é)*\"",
    ]
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => number(),
        3 => string(),
        1 => prop::sample::select(&["true", "false", "null", "tru", "nul", "True", "falsey"][..])
            .prop_map(str::to_owned),
    ]
}

/// JSON-like text built from the pieces above, with odd whitespace, an
/// occasional trailing comma, and sometimes a missing comma or colon.
fn text() -> impl Strategy<Value = String> {
    let leaf = (space(), scalar(), space()).prop_map(|(a, s, b)| format!("{a}{s}{b}"));
    leaf.prop_recursive(5, 48, 5, |inner| {
        let comma = prop::sample::select(&[",", ",", ",", ",", ", ", "", ",,"][..]);
        prop_oneof![
            (
                prop::collection::vec((inner.clone(), comma.clone()), 0..5),
                space(),
                any::<bool>()
            )
                .prop_map(|(items, sp, trailing)| {
                    let mut body = join(items);
                    if trailing && !body.is_empty() {
                        body.push(',');
                    }
                    format!("[{sp}{body}]")
                }),
            (
                prop::collection::vec(
                    (
                        string(),
                        space(),
                        prop::sample::select(&[":", ":", ": ", ""][..]),
                        inner
                    ),
                    0..5
                ),
                comma,
                space()
            )
                .prop_map(|(members, comma, sp)| {
                    let body: Vec<String> = members
                        .into_iter()
                        .map(|(k, s, colon, v)| format!("{k}{s}{colon}{v}"))
                        .collect();
                    format!("{{{sp}{}}}", body.join(comma))
                }),
        ]
    })
}

fn join(items: Vec<(String, &str)>) -> String {
    let last = items.len().saturating_sub(1);
    let mut out = String::new();
    for (i, (item, comma)) in items.into_iter().enumerate() {
        out.push_str(&item);
        if i < last {
            out.push_str(comma);
        }
    }
    out
}

/// Valid JSON values, rendered by serde_json.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, String),
    Delete(usize, usize),
    Truncate(usize),
    Bom,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let piece = prop_oneof![
        prop::sample::select(
            &[
                ",", "]", "}", "[", "{", ":", "\"", "\\", "'", "/", "0", "-", ".", "e", "\u{0}",
                "\u{1f}", "\n", "\u{feff}", "\u{a0}", "/*x*/", "//x\n", "\\u", "\\ud800", "é"
            ][..]
        )
        .prop_map(str::to_owned),
        any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        4 => (any::<usize>(), piece).prop_map(|(at, s)| Mutation::Insert(at, s)),
        3 => (any::<usize>(), 1usize..4).prop_map(|(at, n)| Mutation::Delete(at, n)),
        2 => any::<usize>().prop_map(Mutation::Truncate),
        1 => Just(Mutation::Bom),
    ]
}

/// The char boundary of `text` that `seed` picks.
fn boundary(text: &str, seed: usize) -> usize {
    let mut at = seed % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(text: &str, mutation: &Mutation) -> String {
    let mut out = text.to_owned();
    match mutation {
        Mutation::Insert(seed, piece) => out.insert_str(boundary(text, *seed), piece),
        Mutation::Delete(seed, n) => {
            let start = boundary(text, *seed);
            let end = text[start..]
                .char_indices()
                .nth(*n)
                .map_or(text.len(), |(i, _)| start + i);
            out.replace_range(start..end, "");
        }
        Mutation::Truncate(seed) => out.truncate(boundary(text, *seed)),
        Mutation::Bom => out.insert(0, '\u{feff}'),
    }
    out
}

/// Pretty-printed with an odd indentation and line terminator.
fn pretty(value: &Value, indent: &str, newline: &str) -> String {
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    serde::Serialize::serialize(value, &mut ser).unwrap();
    String::from_utf8(buf).unwrap().replace('\n', newline)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn valid_json_takes_the_fast_path(
        value in value(),
        indent in prop::sample::select(&["", " ", "\t", "   "][..]),
        newline in prop::sample::select(&["\n", "\r\n", "\r", " \n"][..]),
        (before, after) in (space(), space()),
    ) {
        let compact = serde_json::to_string(&value).unwrap();
        prop_assert!(agree(&compact)?, "the fast parser gave up on {:?}", compact);
        let spaced = format!("{before}{}{after}", pretty(&value, indent, newline));
        let accepted = agree(&spaced)?;
        let plain = |s: &str| s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        if plain(before) && plain(after) {
            prop_assert!(accepted, "the fast parser gave up on {:?}", spaced);
        }
    }

    #[test]
    fn odd_json_agrees(text in text()) {
        agree(&text)?;
    }

    #[test]
    fn mutated_json_agrees(
        text in prop_oneof![text(), value().prop_map(|v| pretty(&v, "  ", "\n"))],
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut text = text;
        for m in &mutations {
            text = mutate(&text, m);
            agree(&text)?;
        }
    }
}

#[test]
fn odd_numbers_and_escapes() {
    // Each also where a focus near the end leaves its container unbuilt.
    let skipped = |v: &str| format!("{{\"x\": [{v}], \"y\": [0]}}");
    for n in NUMBERS {
        for text in [
            n.to_string(),
            format!("[{n}]"),
            format!("{{\"n\": {n}}}"),
            skipped(n),
        ] {
            check(&text);
        }
    }
    for s in STRINGS {
        for text in [
            s.to_string(),
            format!("[{s}]"),
            format!("{{{s}: {s}}}"),
            skipped(s),
        ] {
            check(&text);
        }
        check(&format!("{{\"x\": {{{s}: 1}}, \"y\": [0]}}"));
    }
    // Written as they are: the fast parser keeps these and agrees.
    for text in [
        "1E+2",
        "-0",
        "1e309",
        "[-0.0e0, 1E2]",
        r#""\ud83d\ude00""#,
        r#""\u0000""#,
        r#"{"a": 1, "a": 2}"#,
    ] {
        assert!(check(text), "the fast parser gave up on {text:?}");
    }
    // Left to the reference.
    for text in [
        "\u{feff}{}",
        r#""\ud800""#,
        "{} // c",
        "[1,]",
        "{'a': 1}",
        "",
        " ",
        "01",
        "[1 2]",
    ] {
        assert!(!check(text), "the fast parser took {text:?}");
    }
}

#[test]
fn deep_nesting_is_left_to_the_reference_near_its_limit() {
    let arrays = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let objects = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    let mixed = |n: usize| format!("{}1{}", "[{\"a\":".repeat(n), "}]".repeat(n));
    for n in (1..=20)
        .chain(240..=270)
        .chain(495..=520)
        .chain([600, 2000])
    {
        check(&arrays(n));
        check(&objects(n));
        check(&mixed(n));
    }
    assert!(check(&arrays(400)) && check(&objects(200)));
    assert!(!check(&arrays(600)) && parse_reference(&arrays(600)).is_err());
}

/// Every UTF-8 file below `dir` agrees; returns (JSON files the reference
/// accepts, of those the fast parser took).
fn check_files(dir: &Path) -> (usize, usize) {
    let (mut valid, mut fast) = (0, 0);
    for path in files_below(dir, &[]) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let accepted = agree(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if parse_reference(&text).is_ok() && path.extension().is_some_and(|e| e == "json") {
            valid += 1;
            fast += usize::from(accepted);
        }
    }
    (valid, fast)
}

#[test]
fn every_fixture_agrees() {
    let (valid, fast) = check_files(&manifest_dir().join("tests/fixtures"));
    assert!(valid > 10, "only {valid} valid JSON fixtures found");
    assert_eq!(fast, valid, "the fast parser gave up on a valid fixture");
}

#[test]
fn every_corpus_file_agrees() {
    let Some(shared) = shared_dir() else {
        notice("json_fast: the shared corpus is absent; its differential test is skipped");
        return;
    };
    let (valid, fast) = check_files(&shared.join("corpus"));
    assert!(valid > 10, "only {valid} valid JSON files in the corpus");
    assert_eq!(
        fast, valid,
        "the fast parser gave up on a valid corpus file"
    );
}
