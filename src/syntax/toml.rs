//! TOML: parsing into the located tree (with toml_edit, which keeps spans),
//! and edits written in TOML.
//!
//! In TOML a table can be spread over several places: its own `[header]`
//! section, the sections of its sub-tables (anywhere in the file), dotted
//! keys. Every byte range that belongs to a member is recorded while the
//! tree is built (its *extent*), so that removing or replacing the member
//! deletes exactly those lines and nothing else. A new block is written in
//! the style of the one it replaces: header tables for header tables, an
//! inline table for an inline table.

use std::collections::HashMap;

use serde_json::Value;
use toml_edit::{Document, Item, Table};

use super::{Editor, Refused, SyntaxError, line_start, next_line_start};
use crate::syntax::edit::Edit;
use crate::syntax::tree::{Member, Node, NodeKind, Span};

/// Deeper nesting is refused before any recursion can overflow the stack.
const MAX_DEPTH: usize = 256;

/// How a member is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Style {
    /// `[prefix."key"]` sections; `header` is the span of its own header.
    Header { header: Span },
    /// `key = value` on one line (the value may be an inline table).
    Inline,
    /// Only through sub-tables or dotted keys.
    Implicit,
}

/// What the editor needs to know about each member, by key position.
#[derive(Debug, Clone, Default)]
struct Layout {
    /// Member key start -> (style, byte ranges that belong to the member).
    members: HashMap<usize, (Style, Vec<Span>)>,
    /// Start of each `[header]` / `[[header]]` line, sorted.
    headers: Vec<usize>,
}

/// A parsed TOML document, with where each member is written.
pub struct TomlDocument<'t> {
    text: &'t str,
    root: Node,
    layout: Layout,
}

impl super::Document for TomlDocument<'_> {
    fn root(&self) -> &Node {
        &self.root
    }

    fn protected(&self) -> &[(Span, String)] {
        &[]
    }

    fn editor(&self) -> Box<dyn Editor + '_> {
        Box::new(TomlEditor {
            text: self.text,
            layout: &self.layout,
        })
    }

    fn comments_in(&self, range: Span) -> Vec<Span> {
        super::hash_comments_in(self.text, range)
    }

    fn into_root(self: Box<Self>) -> Node {
        self.root
    }
}

struct Builder<'a> {
    text: &'a str,
    layout: Layout,
}

impl Builder<'_> {
    /// End of the section whose header starts at `start`: the next header,
    /// minus the blank and comment lines just above it (they belong to it).
    fn section_end(&self, start: usize) -> usize {
        let next = self
            .layout
            .headers
            .iter()
            .copied()
            .find(|&h| h > start)
            .unwrap_or(self.text.len());
        let mut end = next;
        while end > start {
            let previous = line_start(self.text, end.saturating_sub(1));
            let line = self.text[previous..end].trim();
            if previous <= start || !(line.is_empty() || line.starts_with('#')) {
                break;
            }
            end = previous;
        }
        end.max(next_line_start(self.text, start))
    }

    fn value_node(&mut self, value: &toml_edit::Value, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(too_deep(value.span().map_or(0, |s| s.start)));
        }
        let span = value.span().unwrap_or(0..0);
        let kind = match value {
            toml_edit::Value::String(s) => NodeKind::String(s.value().into()),
            toml_edit::Value::Integer(i) => {
                NodeKind::Number(compact_str::format_compact!("{}", i.value()))
            }
            toml_edit::Value::Float(f) => match serde_json::Number::from_f64(*f.value()) {
                Some(n) => NodeKind::Number(n.to_string().into()),
                None => NodeKind::String(f.value().to_string().into()),
            },
            toml_edit::Value::Boolean(b) => NodeKind::Bool(*b.value()),
            toml_edit::Value::Datetime(d) => NodeKind::String(d.value().to_string().into()),
            toml_edit::Value::Array(a) => NodeKind::Array(
                a.iter()
                    .map(|v| self.value_node(v, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            toml_edit::Value::InlineTable(t) => {
                let mut members = Vec::new();
                for (key, v) in t.iter() {
                    let key_span = t.key(key).and_then(|k| k.span()).unwrap_or(0..0);
                    let node = self.value_node(v, depth + 1)?;
                    members.push(Member {
                        key: key.into(),
                        span: key_span.start..node.span.end.max(key_span.end),
                        key_span,
                        value: node,
                    });
                }
                NodeKind::Object(members)
            }
        };
        Ok(Node { span, kind })
    }

    /// A table's node, and the byte ranges that belong to it.
    fn table_node(
        &mut self,
        table: &Table,
        depth: usize,
    ) -> Result<(Node, Vec<Span>), SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(too_deep(table.span().map_or(0, |s| s.start)));
        }
        let mut extents = Vec::new();
        let header = (!table.is_implicit() && !table.is_dotted() && table.position().is_some())
            .then(|| table.span())
            .flatten();
        let span = match &header {
            Some(h) => {
                let start = line_start(self.text, h.start);
                let end = self.section_end(start);
                extents.push(start..end);
                start..end
            }
            None => table.span().unwrap_or(0..0),
        };
        let mut members = Vec::new();
        for (key, item) in table.iter() {
            let key_span = table.key(key).and_then(|k| k.span()).unwrap_or(0..0);
            let (node, style, item_extents) = match item {
                Item::Value(v) => {
                    let node = self.value_node(v, depth + 1)?;
                    let line = line_start(self.text, key_span.start)
                        ..next_line_start(self.text, node.span.end.max(key_span.end));
                    (node, Style::Inline, vec![line])
                }
                Item::Table(t) => {
                    let (node, ext) = self.table_node(t, depth + 1)?;
                    let style = if !t.is_implicit() && !t.is_dotted() && t.position().is_some() {
                        Style::Header {
                            header: t.span().unwrap_or(0..0),
                        }
                    } else {
                        Style::Implicit
                    };
                    (node, style, ext)
                }
                Item::ArrayOfTables(array) => {
                    let mut elements = Vec::new();
                    let mut ext = Vec::new();
                    for t in array.iter() {
                        let (node, e) = self.table_node(t, depth + 1)?;
                        elements.push(node);
                        ext.extend(e);
                    }
                    let start = ext.first().map_or(key_span.start, |e| e.start);
                    let end = ext.last().map_or(key_span.end, |e| e.end);
                    (
                        Node {
                            span: start..end,
                            kind: NodeKind::Array(elements),
                        },
                        Style::Implicit,
                        ext,
                    )
                }
                Item::None => continue,
            };
            let member_span = match &style {
                Style::Header { .. } => node.span.clone(),
                _ => key_span.start..node.span.end.max(key_span.end),
            };
            extents.extend(item_extents.iter().cloned());
            let item_extents = self.join_blank_gaps(merge(item_extents));
            self.layout
                .members
                .insert(key_span.start, (style, item_extents));
            members.push(Member {
                key: key.into(),
                key_span,
                span: member_span,
                value: node,
            });
        }
        Ok((
            Node {
                span,
                kind: NodeKind::Object(members),
            },
            merge(extents),
        ))
    }
}

impl Builder<'_> {
    /// Ranges separated only by blank lines are one range: deleting them
    /// together leaves no run of empty lines behind.
    fn join_blank_gaps(&self, ranges: Vec<Span>) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        for r in ranges {
            match out.last_mut() {
                Some(last) if self.text[last.end..r.start].trim().is_empty() => last.end = r.end,
                _ => out.push(r),
            }
        }
        out
    }
}

fn too_deep(offset: usize) -> SyntaxError {
    SyntaxError {
        message: format!(
            "nesting is too deep (more than {MAX_DEPTH} levels); this is not a KrakenD config"
        ),
        offset,
    }
}

/// Sort and merge overlapping or touching ranges.
fn merge(mut ranges: Vec<Span>) -> Vec<Span> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Span> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Every header position of the document, in order.
fn headers(table: &Table, text: &str, depth: usize, out: &mut Vec<usize>) {
    if depth > MAX_DEPTH {
        return;
    }
    for (_, item) in table.iter() {
        match item {
            Item::Table(t) => {
                if !t.is_implicit()
                    && !t.is_dotted()
                    && t.position().is_some()
                    && let Some(span) = t.span()
                {
                    out.push(line_start(text, span.start));
                }
                headers(t, text, depth + 1, out);
            }
            Item::ArrayOfTables(array) => {
                for t in array.iter() {
                    if let Some(span) = t.span() {
                        out.push(line_start(text, span.start));
                    }
                    headers(t, text, depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

/// Parse `text` as TOML, with the layout the editor needs.
pub fn parse(text: &str) -> Result<TomlDocument<'_>, SyntaxError> {
    let document = Document::parse(text.to_string()).map_err(|e| SyntaxError {
        message: e.message().trim().to_string(),
        offset: e.span().map_or(0, |s| s.start),
    })?;
    let mut header_starts = Vec::new();
    headers(document.as_table(), text, 0, &mut header_starts);
    header_starts.sort_unstable();
    header_starts.dedup();
    let mut builder = Builder {
        text,
        layout: Layout {
            headers: header_starts,
            ..Layout::default()
        },
    };
    let (mut root, _) = builder.table_node(document.as_table(), 0)?;
    root.span = 0..text.len();
    Ok(TomlDocument {
        text,
        root,
        layout: builder.layout,
    })
}

// ---------------------------------------------------------------------------
// Writing TOML.

/// A key: bare when it can be, else a basic string.
pub fn key_text(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        key.to_string()
    } else {
        serde_json::to_string(key).expect("a string serialises")
    }
}

/// An inline TOML value (TOML has no null; a null comment becomes "").
pub fn inline_value(value: &Value) -> String {
    match value {
        Value::Null => "\"\"".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => serde_json::to_string(s).expect("a string serialises"),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(inline_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{} = {}", key_text(k), inline_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn is_table(value: &Value) -> bool {
    matches!(value, Value::Object(m) if !m.is_empty())
}

fn is_table_array(value: &Value) -> bool {
    matches!(value, Value::Array(items) if !items.is_empty() && items.iter().all(is_table))
}

/// `[path]` sections for a table: its own entries first, then one section
/// per sub-table and per element of an array of tables.
fn sections(
    path: &str,
    map: &serde_json::Map<String, Value>,
    header: bool,
    out: &mut Vec<String>,
    nl: &str,
) {
    let entries: Vec<String> = map
        .iter()
        .filter(|(_, v)| !is_table(v) && !is_table_array(v))
        .map(|(k, v)| format!("{} = {}", key_text(k), inline_value(v)))
        .collect();
    if header || !entries.is_empty() {
        let mut lines = vec![format!("[{path}]")];
        lines.extend(entries);
        out.push(lines.join(nl));
    }
    for (k, v) in map {
        let child = format!("{path}.{}", key_text(k));
        match v {
            Value::Object(inner) if is_table(v) => sections(&child, inner, false, out, nl),
            Value::Array(items) if is_table_array(v) => {
                for item in items {
                    let mut lines = vec![format!("[[{child}]]")];
                    if let Value::Object(fields) = item {
                        lines.extend(
                            fields
                                .iter()
                                .map(|(k, v)| format!("{} = {}", key_text(k), inline_value(v))),
                        );
                    }
                    out.push(lines.join(nl));
                }
            }
            _ => {}
        }
    }
}

/// The TOML implementation of [`Editor`].
struct TomlEditor<'a> {
    text: &'a str,
    layout: &'a Layout,
}

impl TomlEditor<'_> {
    fn member_info(&self, member: &Member) -> (Style, Vec<Span>) {
        self.layout
            .members
            .get(&member.key_span.start)
            .cloned()
            .unwrap_or((Style::Inline, vec![member.span.clone()]))
    }
}

impl TomlEditor<'_> {
    /// The edits that remove the members at `indices` of `object`.
    fn removal(&self, object: &Node, indices: &[usize]) -> Vec<Edit> {
        let members = object.members().expect("remove_members on a table");
        let mut ranges = Vec::new();
        for &i in indices {
            let (style, extents) = self.member_info(&members[i]);
            match style {
                // Inside an inline table, remove `key = value` with its comma.
                Style::Inline
                    if self.text[members[i].span.clone()].lines().count() <= 1
                        && is_inside_inline_table(self.text, &members[i]) =>
                {
                    return super::json::remove_members(object, indices);
                }
                _ => ranges.extend(extents),
            }
        }
        merge(ranges).into_iter().map(Edit::deletion).collect()
    }
}

impl Editor for TomlEditor<'_> {
    fn replace_member(
        &self,
        object: &Node,
        index: usize,
        new_key: &str,
        value: &Value,
    ) -> Vec<Edit> {
        let members = object.members().expect("replace_member on a table");
        let member = &members[index];
        let (style, extents) = self.member_info(member);
        let nl = super::newline(self.text);
        match style {
            Style::Header { header } => {
                // The header's path up to the legacy key, then the new key.
                let prefix = &self.text[header.start + 1..member.key_span.start];
                let path = format!("{}{}", prefix.trim_start_matches('['), key_text(new_key));
                let mut out = Vec::new();
                if let Value::Object(map) = value {
                    sections(&path, map, true, &mut out, nl);
                }
                let text = format!("{}{nl}", out.join(&format!("{nl}{nl}")));
                // The first place the table was written gets the new text;
                // the other places are deleted.
                replace_extents(&extents, member, text)
            }
            Style::Inline => vec![Edit::replacement(
                member.key_span.start..member.value.span.end,
                format!("{} = {}", key_text(new_key), inline_value(value)),
            )],
            Style::Implicit => {
                // Dotted keys or sub-tables only: write one line where the
                // first of them was, with the same dotted prefix.
                let first = extents.first().cloned().unwrap_or(member.span.clone());
                let prefix = &self.text[first.start..member.key_span.start];
                let prefix = if prefix.trim_start().starts_with('[') {
                    ""
                } else {
                    prefix
                };
                let line = format!(
                    "{prefix}{} = {}{nl}",
                    key_text(new_key),
                    inline_value(value)
                );
                replace_extents(&extents, member, line)
            }
        }
    }

    fn remove_members(&self, object: &Node, indices: &[usize]) -> Result<Vec<Edit>, Refused> {
        Ok(self.removal(object, indices))
    }

    fn append_member(&self, object: &Node, key: &str, value: &Value) -> Edit {
        let nl = super::newline(self.text);
        let line = format!("{} = {}", key_text(key), inline_value(value));
        let members = object.members().unwrap_or_default();
        // A table's own `key = value` lines come before its sub-tables: a
        // line after the last sub-table would belong to that sub-table.
        let own = members
            .iter()
            .rev()
            .find(|m| matches!(self.member_info(m).0, Style::Inline));
        let has_header = self.text[object.span.clone()].starts_with('[');
        let last = match own {
            Some(own) => Some(own),
            None if has_header => None,
            None => members.last(),
        };
        match last {
            Some(last) => {
                let at = next_line_start(self.text, last.value.span.end.max(last.key_span.end));
                let sep = if at > 0 && !self.text[..at].ends_with('\n') {
                    nl
                } else {
                    ""
                };
                Edit::insertion(at, format!("{sep}{line}{nl}"))
            }
            None => Edit::insertion(
                next_line_start(self.text, object.span.start),
                format!("{line}{nl}"),
            ),
        }
    }

    fn append_element(&self, array: &Node, value: &Value) -> Edit {
        let elements = array.elements().unwrap_or_default();
        match elements.last() {
            // An inline array: `, value` before the closing bracket.
            Some(last) if !self.text[array.span.clone()].trim_start().starts_with("[[") => {
                Edit::insertion(last.span.end, format!(", {}", inline_value(value)))
            }
            Some(last) => {
                let nl = super::newline(self.text);
                let header_end = self.text[last.span.start..]
                    .find(']')
                    .map_or(last.span.start, |i| last.span.start + i);
                let header = self.text[last.span.start..header_end + 2]
                    .trim()
                    .to_string();
                let mut lines = vec![header];
                if let Value::Object(fields) = value {
                    lines.extend(
                        fields
                            .iter()
                            .map(|(k, v)| format!("{} = {}", key_text(k), inline_value(v))),
                    );
                }
                Edit::insertion(last.span.end, format!("{nl}{}{nl}", lines.join(nl)))
            }
            None => Edit::replacement(
                array.span.clone(),
                inline_value(&Value::Array(vec![value.clone()])),
            ),
        }
    }
}

fn is_inside_inline_table(text: &str, member: &Member) -> bool {
    let before = &text[line_start(text, member.key_span.start)..member.key_span.start];
    before.contains('{') || before.trim_end().ends_with(',')
}

/// The first extent becomes `text`, the others are deleted.
fn replace_extents(extents: &[Span], member: &Member, text: String) -> Vec<Edit> {
    let mut edits = vec![Edit::replacement(
        extents.first().cloned().unwrap_or(member.span.clone()),
        text,
    )];
    edits.extend(extents.iter().skip(1).cloned().map(Edit::deletion));
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::edit::apply;
    use serde_json::json;

    const TEXT: &str = "version = 3\n\n[extra_config.\"telemetry/logging\"]\nlevel = \"INFO\"\n\n# the old telemetry\n[extra_config.\"telemetry/opencensus\"]\nsample_rate = 100\n\n[extra_config.\"telemetry/opencensus\".exporters.xray]\nregion = \"eu-west-1\"\n\n[extra_config.router]\nreturn_error_msg = true\n";

    #[test]
    fn builds_the_tree_and_the_extents() {
        let parsed = parse(TEXT).unwrap();
        let layout = &parsed.layout;
        assert_eq!(
            parsed
                .root
                .pointer("/extra_config/telemetry~1opencensus")
                .unwrap()
                .to_json(),
            json!({"sample_rate": 100, "exporters": {"xray": {"region": "eu-west-1"}}})
        );
        let extra = parsed.root.pointer("/extra_config").unwrap();
        let member = extra.get("telemetry/opencensus").unwrap();
        let (_, extents) = &layout.members[&member.key_span.start];
        let texts: Vec<&str> = extents.iter().map(|r| &TEXT[r.clone()]).collect();
        assert_eq!(
            texts,
            [
                "[extra_config.\"telemetry/opencensus\"]\nsample_rate = 100\n\n[extra_config.\"telemetry/opencensus\".exporters.xray]\nregion = \"eu-west-1\"\n"
            ]
        );
    }

    #[test]
    fn replaces_header_tables_keeping_everything_else() {
        let parsed = parse(TEXT).unwrap();
        let layout = &parsed.layout;
        let extra = parsed.root.pointer("/extra_config").unwrap();
        let index = extra
            .members()
            .unwrap()
            .iter()
            .position(|m| m.key == "telemetry/opencensus")
            .unwrap();
        let editor = TomlEditor { text: TEXT, layout };
        let value = json!({"trace_sample_rate": 1, "exporters": {"otlp": [{"name": "adot", "port": 4317}]}});
        let out = apply(
            TEXT,
            &editor.replace_member(extra, index, "telemetry/opentelemetry", &value),
        )
        .unwrap();
        assert_eq!(
            out,
            "version = 3\n\n[extra_config.\"telemetry/logging\"]\nlevel = \"INFO\"\n\n# the old telemetry\n[extra_config.\"telemetry/opentelemetry\"]\ntrace_sample_rate = 1\n\n[[extra_config.\"telemetry/opentelemetry\".exporters.otlp]]\nname = \"adot\"\nport = 4317\n\n[extra_config.router]\nreturn_error_msg = true\n"
        );
        let reparsed = parse(&out).unwrap();
        assert_eq!(
            reparsed
                .root
                .pointer("/extra_config/telemetry~1opentelemetry")
                .unwrap()
                .to_json(),
            value
        );
    }

    #[test]
    fn inline_and_dotted_members() {
        let text = "[extra_config]\n\"telemetry/opencensus\" = { sample_rate = 5 }\nother = 1\n";
        let parsed = parse(text).unwrap();
        let layout = &parsed.layout;
        let extra = parsed.root.pointer("/extra_config").unwrap();
        let editor = TomlEditor { text, layout };
        let out = apply(
            text,
            &editor.replace_member(extra, 0, "telemetry/opentelemetry", &json!({"a": [1]})),
        )
        .unwrap();
        assert_eq!(
            out,
            "[extra_config]\n\"telemetry/opentelemetry\" = { a = [1] }\nother = 1\n"
        );
        assert_eq!(
            apply(text, &editor.removal(extra, &[0])).unwrap(),
            "[extra_config]\nother = 1\n"
        );

        let text = "[[endpoints]]\nendpoint = \"/a\"\nextra_config.\"telemetry/opencensus\".path_aggregation = \"off\"\nmethod = \"GET\"\n";
        let parsed = parse(text).unwrap();
        let layout = &parsed.layout;
        let extra = parsed.root.pointer("/endpoints/0/extra_config").unwrap();
        let editor = TomlEditor { text, layout };
        assert_eq!(
            apply(text, &editor.removal(extra, &[0])).unwrap(),
            "[[endpoints]]\nendpoint = \"/a\"\nmethod = \"GET\"\n"
        );
    }

    #[test]
    fn a_member_appended_to_a_table_with_sub_tables_stays_in_its_table() {
        let text = "[a]\nx = 1\n\n[a.b]\ny = 2\n\n[[a.list]]\nz = 3\n";
        let document = parse(text).unwrap();
        let a = document.root.pointer("/a").unwrap();
        let editor = TomlEditor {
            text,
            layout: &document.layout,
        };
        let out = apply(text, &[editor.append_member(a, "k", &json!([1]))]).unwrap();
        assert_eq!(
            out,
            "[a]\nx = 1\nk = [1]\n\n[a.b]\ny = 2\n\n[[a.list]]\nz = 3\n"
        );
        let text = "[a]\n\n[[a.list]]\nz = 3\n";
        let document = parse(text).unwrap();
        let a = document.root.pointer("/a").unwrap();
        let editor = TomlEditor {
            text,
            layout: &document.layout,
        };
        let out = apply(text, &[editor.append_member(a, "k", &json!(1))]).unwrap();
        let reparsed = parse(&out).unwrap();
        assert_eq!(
            reparsed.root.to_json(),
            json!({"a": {"list": [{"z": 3}], "k": 1}}),
            "{out}"
        );
    }

    #[test]
    fn errors_are_located() {
        let Err(err) = parse("a = 1\nb = \n") else {
            panic!("parsed")
        };
        assert!(err.offset >= 6, "{err:?}");
        let deep = format!("a = {}1{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&deep).is_err());
    }
}
