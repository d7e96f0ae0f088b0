//! JSON: strict parsing into a located [`Node`] tree, and edits that write
//! new values in the file's own style.
//!
//! KrakenD reads its config with Go's `encoding/json`, which rejects
//! comments, trailing commas, leading zeros and raw control characters in
//! strings. oc2otel must refuse exactly what KrakenD refuses, or it would
//! "migrate" a file that never ran. Two parsers cooperate: jsonc-parser (in
//! strict mode) gives byte ranges, good messages for the common mistakes and
//! a nesting limit that protects the stack; serde_json then checks the
//! remaining RFC 8259 rules that jsonc-parser is lenient about. That
//! reference path is slow on large files, so a hand-written strict parser
//! ([`fast`]) builds the same tree in one pass for the common case and
//! leaves anything it is not sure of, errors included, to the reference.

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};
use serde::Serialize;

mod fast;

use super::{Document, Editor, Refused};
use crate::syntax::edit::Edit;
use crate::syntax::focus::Focus;
use crate::syntax::tree::{Member, Node, NodeKind, Span};

/// A syntax error: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
}

fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parse `text` as strict JSON: by the fast parser ([`fast`]) when it is
/// sure, else by the reference path, which also gives every error.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    parse_with(text, None)
}

/// As [`parse`], but a container (other than the root) that does not
/// touch `focus` may be left empty ([`Focus`]); every byte is still read
/// and checked. A text the fast parser leaves to the reference path is
/// built whole.
pub fn parse_focused(text: &str, focus: &Focus) -> Result<Node, SyntaxError> {
    parse_with(text, Some(focus))
}

/// [`parse`], or [`parse_focused`] when there is a `focus`.
fn parse_with(text: &str, focus: Option<&Focus>) -> Result<Node, SyntaxError> {
    fast::parse_with(text, focus).map_or_else(|| parse_reference(text), Ok)
}

/// The fast parser alone: the tree, or `None` when it leaves `text` to the
/// reference path. Public for the differential tests only.
#[doc(hidden)]
pub fn parse_fast(text: &str) -> Option<Node> {
    fast::parse(text)
}

/// The reference path alone (jsonc-parser, the RFC 8259 check, the
/// conversion): the oracle the fast parser is tested against.
#[doc(hidden)]
pub fn parse_reference(text: &str) -> Result<Node, SyntaxError> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &collect, &strict_options()).map_err(|err| {
        SyntaxError {
            message: describe(err.kind()),
            offset: err.range().start,
        }
    })?;
    let Some(value) = parsed.value else {
        return Err(SyntaxError {
            message: "expected a JSON value, found only whitespace".into(),
            offset: 0,
        });
    };
    check_rfc8259(text)?;
    Ok(convert(value))
}

fn describe(kind: &ParseErrorKind) -> String {
    use ParseErrorKind::*;
    match kind {
        CommentsNotAllowed => "comments are not allowed in JSON (KrakenD rejects them)".into(),
        TrailingCommasNotAllowed => {
            "trailing comma: expected another value after ',' (KrakenD rejects trailing commas)"
                .into()
        }
        ExpectedComma => "expected ',' or a closing bracket".into(),
        ExpectedColonAfterObjectKey => "expected ':' after the object key".into(),
        ExpectedStringObjectProperty => "expected a double-quoted object key".into(),
        UnterminatedObject => "unterminated object: expected '}'".into(),
        UnterminatedArray => "unterminated array: expected ']'".into(),
        MultipleRootJsonValues => "expected the end of the file after the JSON value".into(),
        NestingDepthExceeded => {
            "nesting is too deep (more than 512 levels); this is not a KrakenD config".into()
        }
        SingleQuotedStringsNotAllowed => "strings must use double quotes".into(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => "invalid JSON".into(),
            }
        }
    }
}

/// serde_json is a strict RFC 8259 parser; it catches what jsonc-parser
/// accepts but Go does not (leading zeros, control characters in strings).
/// The depth was already bounded by jsonc-parser, so no recursion limit is
/// needed here.
fn check_rfc8259(text: &str) -> Result<(), SyntaxError> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let result =
        <serde::de::IgnoredAny as serde::Deserialize>::deserialize(&mut de).and_then(|_| de.end());
    result.map_err(|err| {
        let mut offset = offset_of(text, err.line(), err.column());
        let message = err.to_string();
        // serde_json reports the column of the last character it consumed;
        // for a control character that is the one before it. Point at the
        // control character itself.
        if message.starts_with("control character")
            && let Some(i) = text[offset..].find(|c: char| c < ' ')
        {
            offset += i;
        }
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head)
            .to_string();
        SyntaxError { message, offset }
    })
}

/// serde_json reports 1-based lines and 1-based byte columns.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let mut offset = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn span(range: jsonc_parser::common::Range) -> Span {
    range.start..range.end
}

fn convert(value: ast::Value<'_>) -> Node {
    let range = span(value.range());
    let kind = match value {
        ast::Value::StringLit(s) => NodeKind::String(s.value.into()),
        ast::Value::NumberLit(n) => NodeKind::Number(n.value.into()),
        ast::Value::BooleanLit(b) => NodeKind::Bool(b.value),
        ast::Value::NullKeyword(_) => NodeKind::Null,
        ast::Value::Array(a) => NodeKind::Array(a.elements.into_iter().map(convert).collect()),
        ast::Value::Object(o) => NodeKind::Object(
            o.properties
                .into_iter()
                .map(|prop| {
                    let member_span = span(prop.range);
                    let (key, key_span) = match prop.name {
                        ast::ObjectPropName::String(s) => (s.value.into(), span(s.range)),
                        ast::ObjectPropName::Word(w) => (w.value.into(), span(w.range)),
                    };
                    Member {
                        key,
                        key_span,
                        span: member_span,
                        value: convert(prop.value),
                    }
                })
                .collect(),
        ),
    };
    Node { span: range, kind }
}

// ---------------------------------------------------------------------------
// Writing values in the file's style.

/// How a file lays out JSON at one place: what a nesting level adds, which
/// line terminator it uses, and whether the place is written on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    pub indent_unit: String,
    pub newline: &'static str,
    /// Written on a single line (`{"a": 1}`): keep new values on one line.
    pub compact: bool,
    /// In compact mode, whether `:` and `,` are followed by a space.
    pub spaced: bool,
}

/// Leading whitespace of the line that contains byte `pos`.
pub fn line_indent(text: &str, pos: usize) -> &str {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len())]
}

/// Whether only whitespace precedes `pos` on its line.
fn starts_line(text: &str, pos: usize) -> bool {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    text[start..pos].chars().all(|c| c == ' ' || c == '\t')
}

/// The line terminator used at `pos`: that of the first line break at or
/// after it, else the first in the file, else LF.
fn newline_at(text: &str, pos: usize) -> &'static str {
    let crlf_before = |i: usize| i > 0 && text.as_bytes()[i - 1] == b'\r';
    match text[pos..]
        .find('\n')
        .map(|i| i + pos)
        .or_else(|| text.find('\n'))
    {
        Some(i) if crlf_before(i) => "\r\n",
        _ => "\n",
    }
}

/// The most frequent indentation step of the file (a tab if indented lines
/// start with tabs), used when the place being edited has no nested lines.
fn file_indent_unit(text: &str) -> String {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut previous = "";
    for line in text.lines().take(2000) {
        let indent = &line[..line
            .find(|c: char| c != ' ' && c != '\t')
            .unwrap_or(line.len())];
        if indent.len() == line.trim_end_matches('\r').len() {
            continue;
        }
        if let Some(step) = indent.strip_prefix(previous).filter(|s| !s.is_empty()) {
            *counts.entry(step).or_default() += 1;
        }
        previous = indent;
    }
    counts
        .into_iter()
        .max_by_key(|&(step, n)| (n, std::cmp::Reverse(step.len())))
        .map_or_else(|| "  ".to_string(), |(step, _)| step.to_string())
}

/// The style of a container node (object or array) as written in `text`.
pub fn style_of(text: &str, container: &Node) -> Style {
    let body = &text[container.span.clone()];
    let newline = newline_at(text, container.span.start);
    let spaced = body.contains(": ") || body.contains(", ") || !body.contains(':');
    if !body.contains('\n') && (body.len() > 2) {
        return Style {
            indent_unit: String::new(),
            newline,
            compact: true,
            spaced,
        };
    }
    let base = line_indent(text, container.span.start);
    let first_child = match &container.kind {
        NodeKind::Object(members) => members.first().map(|m| m.span.start),
        NodeKind::Array(elements) => elements.first().map(|e| e.span.start),
        _ => None,
    };
    let unit = first_child
        .filter(|&pos| starts_line(text, pos))
        .and_then(|pos| {
            line_indent(text, pos)
                .strip_prefix(base)
                .filter(|u| !u.is_empty())
        })
        .map(str::to_string)
        .unwrap_or_else(|| file_indent_unit(text));
    Style {
        indent_unit: unit,
        newline,
        compact: false,
        spaced: true,
    }
}

/// serde_json's compact output with `": "` and `", "` separators.
struct SpacedCompact;

impl serde_json::ser::Formatter for SpacedCompact {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// Render `value` in `style`, as if it started at a line indented by `base`.
pub fn render(value: &serde_json::Value, style: &Style, base: &str) -> String {
    let mut buf = Vec::new();
    // Serialising a `serde_json::Value` into memory cannot fail.
    if style.compact && style.spaced {
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, SpacedCompact);
        value.serialize(&mut ser).expect("in-memory JSON");
        return String::from_utf8(buf).expect("serde_json writes UTF-8");
    }
    if style.compact {
        return serde_json::to_string(value).expect("in-memory JSON");
    }
    let formatter = serde_json::ser::PrettyFormatter::with_indent(style.indent_unit.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    value.serialize(&mut ser).expect("in-memory JSON");
    let pretty = String::from_utf8(buf).expect("serde_json writes UTF-8");
    // serde_json escapes newlines inside strings, so every '\n' here is
    // a line break of the layout.
    pretty.replace('\n', &format!("{}{base}", style.newline))
}

fn quote(key: &str) -> String {
    serde_json::to_string(key).expect("a string serialises")
}

/// Replace member `index` of `object` by `new_key: value`, keeping the
/// member's position and the file's layout.
pub fn replace_member(
    text: &str,
    object: &Node,
    index: usize,
    new_key: &str,
    value: &serde_json::Value,
) -> Edit {
    let members = object.members().expect("replace_member on an object");
    let member = &members[index];
    let style = style_for_member(text, object, member);
    let separator = &text[member.key_span.end..member.value.span.start];
    let separator = if separator.contains('\n') || style.compact && !style.spaced {
        if style.compact && !style.spaced {
            ":"
        } else {
            ": "
        }
    } else {
        separator
    };
    let base = line_indent(text, member.span.start);
    Edit::replacement(
        member.span.clone(),
        format!(
            "{}{separator}{}",
            quote(new_key),
            render(value, &style, base)
        ),
    )
}

/// The style to write a member's new value in: that of the member's own
/// value when it is an object written over several lines, else the
/// enclosing object's.
fn style_for_member(text: &str, object: &Node, member: &Member) -> Style {
    let own = matches!(&member.value.kind, NodeKind::Object(m) if !m.is_empty())
        .then(|| style_of(text, &member.value));
    match own {
        Some(style) if !style.compact => style,
        _ => style_of(text, object),
    }
}

/// Remove the members at `indices` of `object`, with their commas and the
/// lines they sat on. Runs of neighbours are removed as one range, so the
/// edits never overlap; removing every member leaves `{}`.
pub fn remove_members(object: &Node, indices: &[usize]) -> Vec<Edit> {
    let members = object.members().expect("remove_members on an object");
    let mut sorted: Vec<usize> = indices.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() == members.len() {
        return vec![Edit::deletion(object.span.start + 1..object.span.end - 1)];
    }
    let mut edits = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let first = sorted[i];
        let mut last = first;
        while i + 1 < sorted.len() && sorted[i + 1] == last + 1 {
            i += 1;
            last = sorted[i];
        }
        i += 1;
        if last + 1 < members.len() {
            edits.push(Edit::deletion(
                members[first].span.start..members[last + 1].span.start,
            ));
        } else {
            // The run ends the object: take the comma before it instead.
            edits.push(Edit::deletion(
                members[first - 1].span.end..members[last].span.end,
            ));
        }
    }
    edits
}

/// A parsed JSON document.
pub struct JsonDocument<'t> {
    text: &'t str,
    root: Node,
}

/// Parse `text` as a JSON document.
pub fn document<'t>(text: &'t str, focus: Option<&Focus>) -> Result<JsonDocument<'t>, SyntaxError> {
    let root = parse_with(text, focus)?;
    Ok(JsonDocument { text, root })
}

impl Document for JsonDocument<'_> {
    fn root(&self) -> &Node {
        &self.root
    }

    fn protected(&self) -> &[(Span, String)] {
        &[]
    }

    fn editor(&self) -> Box<dyn Editor + '_> {
        Box::new(JsonEditor { text: self.text })
    }

    /// Strict JSON has no comments.
    fn comments_in(&self, _range: Span) -> Vec<Span> {
        Vec::new()
    }

    fn into_root(self: Box<Self>) -> Node {
        self.root
    }
}

/// The JSON implementation of [`Editor`].
struct JsonEditor<'a> {
    text: &'a str,
}

impl Editor for JsonEditor<'_> {
    fn replace_member(
        &self,
        object: &Node,
        index: usize,
        new_key: &str,
        value: &serde_json::Value,
    ) -> Vec<Edit> {
        vec![replace_member(self.text, object, index, new_key, value)]
    }

    fn remove_members(&self, object: &Node, indices: &[usize]) -> Result<Vec<Edit>, Refused> {
        Ok(remove_members(object, indices))
    }

    fn append_member(&self, object: &Node, key: &str, value: &serde_json::Value) -> Edit {
        append_member(self.text, object, key, value)
    }

    fn append_element(&self, array: &Node, value: &serde_json::Value) -> Edit {
        append_element(self.text, array, value)
    }
}

/// Add `key: value` as the last member of `object`.
pub fn append_member(text: &str, object: &Node, key: &str, value: &serde_json::Value) -> Edit {
    let members = object.members().expect("append_member on an object");
    let style = style_of(text, object);
    match members.last() {
        Some(last) if style.compact => {
            let sep = if style.spaced { ", " } else { "," };
            let colon = if style.spaced { ": " } else { ":" };
            Edit::insertion(
                last.span.end,
                format!("{sep}{}{colon}{}", quote(key), render(value, &style, "")),
            )
        }
        Some(last) => {
            let indent = line_indent(text, last.span.start);
            Edit::insertion(
                last.span.end,
                format!(
                    ",{}{indent}{}: {}",
                    style.newline,
                    quote(key),
                    render(value, &style, indent)
                ),
            )
        }
        None => {
            let outer = line_indent(text, object.span.start);
            let inner = format!("{outer}{}", style.indent_unit);
            Edit::replacement(
                object.span.start + 1..object.span.end - 1,
                format!(
                    "{nl}{inner}{}: {}{nl}{outer}",
                    quote(key),
                    render(value, &style, &inner),
                    nl = style.newline
                ),
            )
        }
    }
}

/// Add `value` as the last element of `array`.
pub fn append_element(text: &str, array: &Node, value: &serde_json::Value) -> Edit {
    let elements = array.elements().expect("append_element on an array");
    let style = style_of(text, array);
    match elements.last() {
        Some(last) if style.compact => {
            let sep = if style.spaced { ", " } else { "," };
            Edit::insertion(last.span.end, format!("{sep}{}", render(value, &style, "")))
        }
        Some(last) => {
            let indent = line_indent(text, last.span.start);
            Edit::insertion(
                last.span.end,
                format!(
                    ",{}{indent}{}",
                    style.newline,
                    render(value, &style, indent)
                ),
            )
        }
        None => {
            let outer = line_indent(text, array.span.start);
            let inner = format!("{outer}{}", style.indent_unit);
            Edit::replacement(
                array.span.start + 1..array.span.end - 1,
                format!(
                    "{nl}{inner}{}{nl}{outer}",
                    render(value, &style, &inner),
                    nl = style.newline
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::edit::apply;
    use serde_json::json;

    fn syntax_error(text: &str) -> SyntaxError {
        parse(text).expect_err("should not parse")
    }

    #[test]
    fn refuses_what_go_refuses() {
        assert!(
            syntax_error("{\"a\": 1,}")
                .message
                .contains("trailing comma")
        );
        assert!(
            syntax_error("{\"a\": 1 // x\n}")
                .message
                .contains("comments")
        );
        assert!(syntax_error("{\"a\": 01}").message.len() > 3);
        assert!(
            syntax_error("{\"a\": \"x\ty\"}")
                .message
                .contains("control character")
        );
        assert!(
            syntax_error("{\"a\": 1} {}")
                .message
                .contains("end of the file")
        );
        assert!(syntax_error("{'a': 1}").message.len() > 3);
        assert!(syntax_error("{\"a\": NaN}").message.len() > 3);
        assert!(syntax_error("{\"a\": +1}").message.len() > 3);
        assert!(syntax_error("{\"a\": .5}").message.len() > 3);
        assert!(syntax_error("{\"a\": \"\\x41\"}").message.len() > 3);
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let text = "{\n  \"a\": 1,\n}";
        let err = syntax_error(text);
        assert_eq!(&text[err.offset..err.offset + 1], ",");
        let text = "{\"a\": \"x\u{1}\"}";
        let err = syntax_error(text);
        assert!(err.offset >= 6, "{err:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(syntax_error(&text).message.contains("too deep"));
    }

    #[test]
    fn tree_has_spans_and_keeps_duplicates() {
        let text = r#"{"a": [1, "x"], "a": true}"#;
        let root = parse(text).unwrap();
        let members = root.members().unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(&text[members[0].span.clone()], r#""a": [1, "x"]"#);
        assert_eq!(&text[members[0].key_span.clone()], r#""a""#);
        assert_eq!(root.get("a").unwrap().value.kind, NodeKind::Bool(true));
    }

    #[test]
    fn replaces_a_member_in_the_local_style() {
        let text = "{\r\n\t\"extra_config\": {\r\n\t\t\"old\": {\r\n\t\t\t\"x\": 1\r\n\t\t}\r\n\t}\r\n}\r\n";
        let root = parse(text).unwrap();
        let extra = &root.get("extra_config").unwrap().value;
        let edit = replace_member(text, extra, 0, "new", &json!({"a": {"b": [1]}}));
        let out = apply(text, &[edit]).unwrap();
        assert_eq!(
            out,
            "{\r\n\t\"extra_config\": {\r\n\t\t\"new\": {\r\n\t\t\t\"a\": {\r\n\t\t\t\t\"b\": [\r\n\t\t\t\t\t1\r\n\t\t\t\t]\r\n\t\t\t}\r\n\t\t}\r\n\t}\r\n}\r\n"
        );
    }

    #[test]
    fn compact_places_stay_compact() {
        let text = r#"{"extra_config": {"old": {"x": 1}, "other": 2}}"#;
        let root = parse(text).unwrap();
        let extra = &root.get("extra_config").unwrap().value;
        let edit = replace_member(text, extra, 0, "new", &json!({"a": [1, 2]}));
        assert_eq!(
            apply(text, &[edit]).unwrap(),
            r#"{"extra_config": {"new": {"a": [1, 2]}, "other": 2}}"#
        );
    }

    #[test]
    fn removes_members_cleanly() {
        let text = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}";
        let root = parse(text).unwrap();
        let first = apply(text, &remove_members(&root, &[0])).unwrap();
        assert_eq!(first, "{\n  \"b\": 2,\n  \"c\": 3\n}");
        let last = apply(text, &remove_members(&root, &[2])).unwrap();
        assert_eq!(last, "{\n  \"a\": 1,\n  \"b\": 2\n}");
        let two = apply(text, &remove_members(&root, &[2, 1])).unwrap();
        assert_eq!(two, "{\n  \"a\": 1\n}");
        let ends = apply(text, &remove_members(&root, &[0, 2])).unwrap();
        assert_eq!(ends, "{\n  \"b\": 2\n}");
        let all = apply(text, &remove_members(&root, &[0, 1, 2])).unwrap();
        assert_eq!(all, "{}");
        let only = "{ \"x\": {\n    \"a\": 1\n  } }";
        let root = parse(only).unwrap();
        let inner = &root.get("x").unwrap().value;
        assert_eq!(
            apply(only, &remove_members(inner, &[0])).unwrap(),
            "{ \"x\": {} }"
        );
    }

    #[test]
    fn appends_members_and_elements() {
        let text = "{\n    \"otlp\": [\n        {\"name\": \"a\"}\n    ]\n}\n";
        let root = parse(text).unwrap();
        let array = &root.get("otlp").unwrap().value;
        let out = apply(text, &[append_element(text, array, &json!({"name": "b"}))]).unwrap();
        assert_eq!(
            out,
            "{\n    \"otlp\": [\n        {\"name\": \"a\"},\n        {\n            \"name\": \"b\"\n        }\n    ]\n}\n"
        );
        let out = apply(text, &[append_member(text, &root, "p", &json!([]))]).unwrap();
        assert_eq!(
            out,
            "{\n    \"otlp\": [\n        {\"name\": \"a\"}\n    ],\n    \"p\": []\n}\n"
        );
    }
}
