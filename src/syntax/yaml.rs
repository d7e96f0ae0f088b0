//! YAML: parsing into the located tree, and edits written in YAML.
//!
//! KrakenD reads `krakend.yml` with Go's yaml.v3 into the same structure as
//! the JSON config. The tree is built from saphyr-parser's events (which
//! carry positions), with YAML 1.2 core-schema scalar resolution, aliases
//! resolved and `<<` merge keys applied as yaml.v3 does. Anchors that are
//! referenced elsewhere are reported as protected: rewriting the text that
//! defines them would break the references.
//!
//! Edits keep the file's layout: a block mapping is replaced by a block
//! mapping at the same column, indented with the file's step and its way
//! of indenting sequences; a flow mapping by a flow mapping.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::Value;

use super::{Document, Editor, Refused, SyntaxError, line_end, line_start, next_line_start};
use crate::syntax::edit::Edit;
use crate::syntax::tree::{Member, Node, NodeKind, Span, Text};

/// Nesting deeper than this is refused (and never reaches a recursive
/// function, so a hostile file cannot overflow the stack).
const MAX_DEPTH: usize = 512;

/// How much aliases may copy into the tree, in values and in bytes of
/// keys and strings: a 455-byte file of nested aliases (a "billion
/// laughs") would otherwise expand to gigabytes. A KrakenD config that
/// shares settings through anchors copies a few thousand values; yaml.v3,
/// KrakenD's YAML reader, refuses excessive aliasing too.
const MAX_ALIAS_VALUES: usize = 200_000;
const MAX_ALIAS_BYTES: usize = 16 << 20;

/// Character index (what saphyr reports) to byte offset.
struct Offsets {
    table: Option<Vec<usize>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            t.push(text.len());
            t
        });
        Offsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

enum Frame {
    Mapping {
        start: usize,
        flow: bool,
        anchor: usize,
        /// The builder's weight when the mapping opened.
        weight: Weight,
        members: Vec<Member>,
        key: Option<(Text, Span)>,
    },
    Sequence {
        start: usize,
        flow: bool,
        anchor: usize,
        weight: Weight,
        elements: Vec<Node>,
    },
}

/// Values and bytes (of keys and strings) in a tree: what an alias copies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Weight {
    values: usize,
    bytes: usize,
}

impl Weight {
    fn of_scalar(node: &Node) -> Weight {
        let bytes = match &node.kind {
            NodeKind::String(s) | NodeKind::Number(s) => s.len(),
            _ => 0,
        };
        Weight { values: 1, bytes }
    }

    fn add(&mut self, other: Weight) {
        self.values += other.values;
        self.bytes += other.bytes;
    }

    fn since(self, start: Weight) -> Weight {
        Weight {
            values: self.values - start.values,
            bytes: self.bytes - start.bytes,
        }
    }
}

/// Resolve a plain scalar with the YAML 1.2 core schema.
fn resolve_plain(value: &str) -> NodeKind {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return NodeKind::Null,
        "true" | "True" | "TRUE" => return NodeKind::Bool(true),
        "false" | "False" | "FALSE" => return NodeKind::Bool(false),
        _ => {}
    }
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    let negative = value.starts_with('-');
    let radix = |prefix: &str, radix: u32| {
        value
            .strip_prefix(prefix)
            .filter(|d| !d.is_empty())
            .and_then(|d| i64::from_str_radix(d, radix).ok())
    };
    if let Some(n) = radix("0x", 16).or_else(|| radix("0o", 8)) {
        return NodeKind::Number(n.to_string().into());
    }
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = digits.trim_start_matches('0');
        let body = if trimmed.is_empty() { "0" } else { trimmed };
        return NodeKind::Number(compact_str::format_compact!(
            "{}{body}",
            if negative { "-" } else { "" }
        ));
    }
    let looks_float = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    if looks_float
        && let Ok(f) = value.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return NodeKind::Number(n.to_string().into());
    }
    NodeKind::String(value.into())
}

/// Apply `<<` merge keys: members of the merged mappings are added unless
/// the mapping has them itself (yaml.v3 semantics).
fn apply_merge_keys(members: Vec<Member>) -> Vec<Member> {
    if !members.iter().any(|m| m.key == "<<") {
        return members;
    }
    let mut own: Vec<Member> = Vec::new();
    let mut merged: Vec<Member> = Vec::new();
    for member in members {
        if member.key != "<<" {
            own.push(member);
            continue;
        }
        let sources: Vec<&Node> = match &member.value.kind {
            NodeKind::Object(_) => vec![&member.value],
            NodeKind::Array(items) => items.iter().collect(),
            _ => Vec::new(),
        };
        for source in sources {
            for m in source.members().unwrap_or_default() {
                if !merged.iter().any(|x| x.key == m.key) {
                    merged.push(m.clone());
                }
            }
        }
    }
    merged.retain(|m| !own.iter().any(|o| o.key == m.key));
    merged.extend(own);
    merged
}

/// The tree being built from saphyr's events.
struct Builder<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    documents: Vec<Node>,
    /// Each anchored node, with its weight.
    anchors: HashMap<usize, (Node, Weight)>,
    aliased: Vec<usize>,
    /// Everything built so far, and what aliases copied of it.
    weight: Weight,
    copied: Weight,
    /// (alias span, anchored node span) of each alias.
    aliases: Vec<(Span, Span)>,
}

fn error(message: String, offset: usize) -> SyntaxError {
    SyntaxError { message, offset }
}

impl Builder<'_> {
    /// Attach a finished node to the frame below it (or to the documents).
    fn attach(&mut self, node: Node) -> Result<(), SyntaxError> {
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Sequence { elements, .. }) => elements.push(node),
            Some(Frame::Mapping { members, key, .. }) => {
                let Some((name, key_span)) = key.take() else {
                    return Err(error(
                        "mapping keys must be plain values (complex keys are not supported)".into(),
                        node.span.start,
                    ));
                };
                let mut end = node.span.end.max(key_span.end);
                // `key:` with an empty value: the member ends after the colon.
                if node.span.is_empty() && self.text.as_bytes().get(key_span.end) == Some(&b':') {
                    end = end.max(key_span.end + 1);
                }
                members.push(Member {
                    key: name,
                    span: key_span.start..end,
                    key_span,
                    value: node,
                });
            }
        }
        Ok(())
    }

    fn scalar(&mut self, node: Node, anchor: usize) -> Result<(), SyntaxError> {
        let weight = Weight::of_scalar(&node);
        self.weight.add(weight);
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        // A scalar where a key is expected is the key.
        if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut()
            && key.is_none()
        {
            let span = node.span.clone();
            let name = match node.kind {
                NodeKind::String(s) | NodeKind::Number(s) => s,
                NodeKind::Bool(b) => b.to_string().into(),
                NodeKind::Null => "null".into(),
                _ => unreachable!("a scalar"),
            };
            *key = Some((name, span));
            return Ok(());
        }
        self.attach(node)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), SyntaxError> {
        let Some((anchored, weight)) = self.anchors.get(&id) else {
            return Err(error("alias to an unknown anchor".into(), span.start));
        };
        // Counted before the copy is made: the bound holds memory down.
        self.copied.add(*weight);
        if self.copied.values > MAX_ALIAS_VALUES || self.copied.bytes > MAX_ALIAS_BYTES {
            return Err(error(
                format!(
                    "aliases expand this document beyond {MAX_ALIAS_VALUES} copied values or {} MiB (an alias bomb?); KrakenD's YAML reader refuses excessive aliasing too",
                    MAX_ALIAS_BYTES >> 20
                ),
                span.start,
            ));
        }
        let weight = *weight;
        let node = anchored.clone();
        self.weight.add(weight);
        self.aliased.push(id);
        self.aliases.push((span.clone(), node.span.clone()));
        if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut()
            && key.is_none()
        {
            return Err(error(
                "an alias cannot be a mapping key here".into(),
                span.start,
            ));
        }
        self.attach(Node {
            span,
            kind: node.kind,
        })
    }

    fn open(&mut self, mapping: bool, anchor: usize, start: usize) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(error(
                format!(
                    "nesting is too deep (more than {MAX_DEPTH} levels); this is not a KrakenD config"
                ),
                start,
            ));
        }
        let flow = opens_flow(self.text, start);
        // A block sequence is reported at its first item, or at its
        // dash: make it start at the dash either way.
        let start = if !mapping && !flow {
            dash_before(self.text, start)
        } else {
            start
        };
        let weight = self.weight;
        self.weight.add(Weight {
            values: 1,
            bytes: 0,
        });
        self.stack.push(if mapping {
            Frame::Mapping {
                start,
                flow,
                anchor,
                weight,
                members: Vec::new(),
                key: None,
            }
        } else {
            Frame::Sequence {
                start,
                flow,
                anchor,
                weight,
                elements: Vec::new(),
            }
        });
        Ok(())
    }

    fn close(&mut self, end: usize) -> Result<(), SyntaxError> {
        let frame = self.stack.pop().expect("balanced events");
        let (start, flow, anchor, opened, last, kind) = match frame {
            Frame::Mapping {
                start,
                flow,
                anchor,
                weight,
                members,
                ..
            } => {
                let last = members.iter().map(|m| m.span.end).max().unwrap_or(start);
                let kind = NodeKind::Object(apply_merge_keys(members));
                (start, flow, anchor, weight, last, kind)
            }
            Frame::Sequence {
                start,
                flow,
                anchor,
                weight,
                elements,
            } => {
                let last = elements.iter().map(|e| e.span.end).max().unwrap_or(start);
                (start, flow, anchor, weight, last, NodeKind::Array(elements))
            }
        };
        let node_end = if flow { end } else { last };
        let node = Node {
            span: start..node_end.max(start),
            kind,
        };
        if anchor > 0 {
            let weight = self.weight.since(opened);
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        self.attach(node)
    }

    /// The document KrakenD reads (the first: yaml.v3's `Unmarshal`, which
    /// KrakenD's config reader calls, decodes the first document of a
    /// stream and ignores the rest), the others, and the anchors an alias
    /// refers to (protected).
    fn finish(self) -> Result<Parsed, SyntaxError> {
        let mut documents = self.documents.into_iter();
        let Some(root) = documents.next() else {
            return Err(error(
                "expected a YAML document, found only comments".into(),
                0,
            ));
        };
        let protected = self
            .aliased
            .iter()
            .filter_map(|id| self.anchors.get(id))
            .map(|(node, _)| {
                (
                    node.span.clone(),
                    "it defines a YAML anchor that an alias elsewhere refers to".to_string(),
                )
            })
            .collect();
        Ok(Parsed {
            root,
            others: documents.collect(),
            protected,
            aliases: self.aliases,
        })
    }
}

/// What the builder hands over.
struct Parsed {
    root: Node,
    others: Vec<Node>,
    protected: Vec<(Span, String)>,
    aliases: Vec<(Span, Span)>,
}

/// A parsed YAML document.
pub struct YamlDocument<'t> {
    text: &'t str,
    root: Node,
    /// The documents after the first in a stream: KrakenD never reads them.
    others: Vec<Node>,
    protected: Vec<(Span, String)>,
    aliases: Vec<(Span, Span)>,
}

impl Document for YamlDocument<'_> {
    fn root(&self) -> &Node {
        &self.root
    }

    fn protected(&self) -> &[(Span, String)] {
        &self.protected
    }

    fn editor(&self) -> Box<dyn Editor + '_> {
        Box::new(YamlEditor {
            text: self.text,
            root: &self.root,
        })
    }

    fn comments_in(&self, range: Span) -> Vec<Span> {
        super::hash_comments_in(self.text, range)
    }

    fn aliases(&self) -> &[(Span, Span)] {
        &self.aliases
    }

    fn other_documents(&self) -> &[Node] {
        &self.others
    }

    fn into_root(self: Box<Self>) -> Node {
        self.root
    }
}

/// Parse `text` as YAML. Of a stream of several documents, the first is
/// the root (the one KrakenD reads); the others are kept apart.
pub fn parse(text: &str) -> Result<YamlDocument<'_>, SyntaxError> {
    let offsets = Offsets::new(text);
    let mut builder = Builder {
        text,
        stack: Vec::new(),
        documents: Vec::new(),
        anchors: HashMap::new(),
        aliased: Vec::new(),
        weight: Weight::default(),
        copied: Weight::default(),
        aliases: Vec::new(),
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let info = if e.info().contains("recursion limit") {
                "nesting is too deep; this is not a KrakenD config".to_string()
            } else {
                e.info().to_string()
            };
            error(info, offsets.byte(e.marker().index()))
        })?;
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index());
        match event {
            Event::Scalar(value, style, anchor, _tag) => {
                let kind = match style {
                    ScalarStyle::Plain => resolve_plain(&value),
                    _ => NodeKind::String(value.into()),
                };
                let node = Node {
                    span: start..end,
                    kind,
                };
                builder.scalar(node, anchor)?;
            }
            Event::Alias(id) => builder.alias(id, start..end)?,
            Event::MappingStart(anchor, _) => builder.open(true, anchor, start)?,
            Event::SequenceStart(anchor, _) => builder.open(false, anchor, start)?,
            Event::MappingEnd | Event::SequenceEnd => builder.close(end)?,
            Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::StreamStart
            | Event::StreamEnd
            | Event::Nothing => {}
        }
    }
    let parsed = builder.finish()?;
    Ok(YamlDocument {
        text,
        root: parsed.root,
        others: parsed.others,
        protected: parsed.protected,
        aliases: parsed.aliases,
    })
}

/// The position of the `-` that opens a block sequence item at `pos` (or
/// `pos` itself when it is the dash).
fn dash_before(text: &str, pos: usize) -> usize {
    if text.as_bytes().get(pos) == Some(&b'-') {
        return pos;
    }
    let line = &text[line_start(text, pos)..pos];
    let trimmed = line.trim_end_matches(' ');
    if trimmed.ends_with('-') {
        pos - (line.len() - trimmed.len()) - 1
    } else {
        pos
    }
}

// ---------------------------------------------------------------------------
// Writing YAML.

/// A scalar as YAML text: plain when that reads back as the same string,
/// else double-quoted (YAML accepts JSON escapes there).
pub fn scalar_text(s: &str) -> String {
    let plain_safe = !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':'))
        && !s.ends_with(':')
        && matches!(resolve_plain(s), NodeKind::String(_))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain_safe {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string serialises")
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => scalar_text(s),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        // Collections inside sequences of sequences: flow style (valid YAML).
        other => serde_json::to_string(other).expect("JSON serialises"),
    }
}

/// How a file lays out block YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Spaces per nesting level.
    pub unit: usize,
    /// Whether `- ` items are indented below their key (`key:\n  - a`)
    /// rather than written at the key's column (`key:\n- a`).
    pub indented_sequences: bool,
}

/// Block YAML for a mapping, each line starting at column `indent`.
fn mapping_lines(
    map: &serde_json::Map<String, Value>,
    indent: usize,
    layout: Layout,
    out: &mut Vec<String>,
) {
    let pad = " ".repeat(indent);
    for (key, value) in map {
        let key = scalar_text(key);
        match value {
            Value::Object(inner) if !inner.is_empty() => {
                out.push(format!("{pad}{key}:"));
                mapping_lines(inner, indent + layout.unit, layout, out);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push(format!("{pad}{key}:"));
                let dash = if layout.indented_sequences {
                    indent + layout.unit
                } else {
                    indent
                };
                sequence_lines(items, dash, layout, out);
            }
            scalar => out.push(format!("{pad}{key}: {}", value_text(scalar))),
        }
    }
}

fn sequence_lines(items: &[Value], dash: usize, layout: Layout, out: &mut Vec<String>) {
    let pad = " ".repeat(dash);
    for item in items {
        match item {
            Value::Object(map) if !map.is_empty() => {
                let mut lines = Vec::new();
                mapping_lines(map, dash + 2, layout, &mut lines);
                if let Some(first) = lines.first_mut() {
                    *first = format!("{pad}- {}", &first[dash + 2..]);
                }
                out.extend(lines);
            }
            other => out.push(format!("{pad}- {}", value_text(other))),
        }
    }
}

/// The layout of the document around a node.
fn layout_of(text: &str, root_hint: &Node) -> Layout {
    let mut unit = None;
    let mut indented = None;
    let mut stack = vec![root_hint];
    while let Some(node) = stack.pop() {
        if let NodeKind::Object(members) = &node.kind {
            for m in members {
                let key_col = column(text, m.key_span.start);
                match &m.value.kind {
                    NodeKind::Object(inner) if !is_flow(text, &m.value) => {
                        if unit.is_none()
                            && let Some(first) = inner.first()
                        {
                            let step = column(text, first.key_span.start).saturating_sub(key_col);
                            if step > 0 {
                                unit = Some(step);
                            }
                        }
                    }
                    NodeKind::Array(_) if !is_flow(text, &m.value) && indented.is_none() => {
                        indented = Some(column(text, m.value.span.start) > key_col);
                    }
                    _ => {}
                }
                stack.push(&m.value);
            }
        } else if let NodeKind::Array(items) = &node.kind {
            stack.extend(items.iter());
        }
        if unit.is_some() && indented.is_some() {
            break;
        }
    }
    Layout {
        unit: unit.unwrap_or(2),
        indented_sequences: indented.unwrap_or(true),
    }
}

/// Column (in characters) of byte `pos`.
fn column(text: &str, pos: usize) -> usize {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    text[start..pos].chars().count()
}

fn is_flow(text: &str, node: &Node) -> bool {
    opens_flow(text, node.span.start)
}

/// Whether the node written at `pos` is a flow collection: `{` or `[`,
/// possibly after an anchor and a tag (`&base !!map {`).
fn opens_flow(text: &str, mut pos: usize) -> bool {
    let bytes = text.as_bytes();
    while matches!(bytes.get(pos), Some(b'&' | b'!')) {
        while bytes.get(pos).is_some_and(|b| !b.is_ascii_whitespace()) {
            pos += 1;
        }
        while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
    }
    matches!(bytes.get(pos), Some(b'{' | b'['))
}

/// The YAML implementation of [`Editor`].
struct YamlEditor<'a> {
    text: &'a str,
    root: &'a Node,
}

impl YamlEditor<'_> {
    fn flow_value(value: &Value) -> String {
        super::json::render(
            value,
            &super::json::Style {
                indent_unit: String::new(),
                newline: "\n",
                compact: true,
                spaced: true,
            },
            "",
        )
    }

    /// `key:` followed by the block for `value`, its lines at `indent`.
    fn block_member(&self, key_text: &str, value: &Value, indent: usize, layout: Layout) -> String {
        let nl = super::newline(self.text);
        let mut lines = Vec::new();
        match value {
            Value::Object(map) if !map.is_empty() => mapping_lines(map, indent, layout, &mut lines),
            Value::Array(items) if !items.is_empty() => {
                sequence_lines(items, indent, layout, &mut lines)
            }
            scalar => return format!("{key_text}: {}", value_text(scalar)),
        }
        format!("{key_text}:{nl}{}", lines.join(nl))
    }
}

impl YamlEditor<'_> {
    /// The edits that remove the members at `indices` of `object`.
    fn removal(&self, object: &Node, indices: &[usize]) -> Vec<Edit> {
        if is_flow(self.text, object) {
            return super::json::remove_members(object, indices);
        }
        let members = object.members().expect("remove_members on a mapping");
        let mut sorted: Vec<usize> = indices.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() == members.len() {
            let first = &members[0];
            let last = &members[members.len() - 1];
            // `key:` on the line above: write `key: {}` on one line.
            let above = self.text[..line_start(self.text, first.key_span.start)].trim_end();
            if let Some(colon) = above.strip_suffix(':').map(str::len)
                && !above[line_start(above, above.len())..]
                    .trim_start()
                    .starts_with('#')
            {
                return vec![Edit::replacement(colon + 1..last.span.end, " {}")];
            }
            return vec![Edit::replacement(first.span.start..last.span.end, "{}")];
        }
        // Whole lines go: from the start of the key's line to the start of
        // the line after the value (an end-of-line comment goes with it).
        let mut edits: Vec<Edit> = Vec::new();
        for &i in &sorted {
            let start = line_start(self.text, members[i].key_span.start);
            let end = next_line_start(self.text, members[i].span.end);
            match edits.last_mut() {
                Some(previous) if previous.range.end >= start => {
                    previous.range.end = end.max(previous.range.end)
                }
                _ => edits.push(Edit::deletion(start..end)),
            }
        }
        edits
    }
}

impl Editor for YamlEditor<'_> {
    fn replace_member(
        &self,
        object: &Node,
        index: usize,
        new_key: &str,
        value: &Value,
    ) -> Vec<Edit> {
        let members = object.members().expect("replace_member on a mapping");
        let member = &members[index];
        let original_key = &self.text[member.key_span.clone()];
        let key_text = match original_key.as_bytes().first() {
            Some(b'"') => serde_json::to_string(new_key).expect("a string serialises"),
            Some(b'\'') => format!("'{}'", new_key.replace('\'', "''")),
            _ => scalar_text(new_key),
        };
        let content = if is_flow(self.text, object) || is_flow(self.text, &member.value) {
            format!("{key_text}: {}", Self::flow_value(value))
        } else {
            let layout = layout_of(self.text, self.root);
            let key_col = column(self.text, member.key_span.start);
            let child_col = match member.value.members().and_then(|m| m.first()) {
                // An alias (`key: *anchor`) resolves to a mapping written
                // elsewhere: its columns say nothing about this place.
                Some(first)
                    if !is_flow(self.text, &member.value)
                        && member.span.contains(&first.key_span.start) =>
                {
                    column(self.text, first.key_span.start)
                }
                _ => key_col + layout.unit,
            };
            self.block_member(&key_text, value, child_col.max(key_col + 1), layout)
        };
        vec![Edit::replacement(member.span.clone(), content)]
    }

    fn remove_members(&self, object: &Node, indices: &[usize]) -> Result<Vec<Edit>, Refused> {
        Ok(self.removal(object, indices))
    }

    fn append_member(&self, object: &Node, key: &str, value: &Value) -> Edit {
        let members = object.members().expect("append_member on a mapping");
        if is_flow(self.text, object) || members.is_empty() {
            let mut map = serde_json::Map::new();
            map.insert(key.to_string(), value.clone());
            return match members.last() {
                Some(last) => Edit::insertion(
                    last.span.end,
                    format!(", {}: {}", scalar_text(key), Self::flow_value(value)),
                ),
                None => {
                    Edit::replacement(object.span.clone(), Self::flow_value(&Value::Object(map)))
                }
            };
        }
        let last = members.last().expect("not empty");
        let key_col = column(self.text, last.key_span.start);
        let layout = layout_of(self.text, self.root);
        let block = self.block_member(&scalar_text(key), value, key_col + layout.unit, layout);
        let at = line_end(self.text, last.span.end);
        Edit::insertion(
            at,
            format!(
                "{}{}{block}",
                super::newline(self.text),
                " ".repeat(key_col)
            ),
        )
    }

    fn append_element(&self, array: &Node, value: &Value) -> Edit {
        let elements = array.elements().expect("append_element on a sequence");
        if is_flow(self.text, array) || elements.is_empty() {
            return match elements.last() {
                Some(last) => {
                    Edit::insertion(last.span.end, format!(", {}", Self::flow_value(value)))
                }
                None => Edit::replacement(
                    array.span.clone(),
                    Self::flow_value(&Value::Array(vec![value.clone()])),
                ),
            };
        }
        let dash = column(self.text, array.span.start);
        let layout = layout_of(self.text, self.root);
        let mut lines = Vec::new();
        sequence_lines(std::slice::from_ref(value), dash, layout, &mut lines);
        let last = elements.last().expect("not empty");
        let at = line_end(self.text, last.span.end);
        let nl = super::newline(self.text);
        Edit::insertion(at, format!("{nl}{}", lines.join(nl)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::edit::apply;
    use serde_json::json;

    fn root(text: &str) -> Node {
        parse(text).unwrap().root
    }

    #[test]
    fn builds_a_located_tree_with_core_schema_scalars() {
        let text = "version: 3\nextra_config:\n  telemetry/opencensus:\n    sample_rate: 100 # c\n    ratio: 0.5\n    name: \"100\"\n    on: true\n    off: ~\n    hex: 0x1F\n    empty:\n";
        let node = root(text);
        assert_eq!(
            node.to_json(),
            json!({"version": 3, "extra_config": {"telemetry/opencensus": {
                "sample_rate": 100, "ratio": 0.5, "name": "100", "on": true, "off": null, "hex": 31, "empty": null}}})
        );
        let block = node.pointer("/extra_config/telemetry~1opencensus").unwrap();
        let member = &block.members().unwrap()[0];
        assert_eq!(&text[member.span.clone()], "sample_rate: 100");
        let empty = &block.members().unwrap()[6];
        assert_eq!(&text[empty.span.clone()], "empty:");
    }

    #[test]
    fn aliases_merge_keys_and_protected_anchors() {
        let text = "base: &b\n  port: 9091\nprom:\n  <<: *b\n  namespace: k\n";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.root.pointer("/prom/port").unwrap().kind,
            NodeKind::Number("9091".into())
        );
        assert_eq!(parsed.protected.len(), 1);
        assert!(text[parsed.protected[0].0.clone()].contains("port: 9091"));
    }

    #[test]
    fn errors_have_positions_and_depth_is_bounded() {
        let Err(err) = parse("a: [1, 2\nb: 3\n") else {
            panic!("parsed")
        };
        assert!(err.offset > 0, "{err:?}");
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let Err(err) = parse(&deep) else {
            panic!("parsed")
        };
        assert!(err.message.contains("too deep"));
    }

    #[test]
    fn the_first_of_several_documents_is_the_root() {
        let parsed = parse("a: 1\n---\nb: 2\n---\nc: 3\n").unwrap();
        assert_eq!(parsed.root.to_json(), json!({"a": 1}));
        let others: Vec<_> = parsed.others.iter().map(Node::to_json).collect();
        assert_eq!(others, [json!({"b": 2}), json!({"c": 3})]);
    }

    #[test]
    fn aliases_that_expand_without_bound_are_refused_at_the_alias() {
        // Nine levels of nine aliases: 9^9 values if expanded.
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in 'b'..='j' {
            let items = vec![format!("*{previous}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{items}]\n"));
            previous = name;
        }
        let Err(err) = parse(&text) else {
            panic!("an alias bomb parsed")
        };
        assert!(err.message.contains("alias bomb"), "{err:?}");
        // At an alias of the line that crosses the bound.
        assert_eq!(&text[err.offset..err.offset + 1], "*");
        // Shared settings, the way configs use anchors, are fine.
        let mut text = String::from("base: &base {timeout: 3s, host: [a, b]}\nendpoints:\n");
        for i in 0..2000 {
            text.push_str(&format!("- {{endpoint: /e{i}, <<: *base}}\n"));
        }
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn aliases_are_listed_with_the_text_they_stand_for() {
        let text = "pw: &pw S1\nx:\n  password: *pw\n";
        let parsed = parse(text).unwrap();
        let [(alias, target)] = &parsed.aliases[..] else {
            panic!("{:?}", parsed.aliases)
        };
        // saphyr puts a scalar's anchor in its span.
        assert_eq!(
            (&text[alias.clone()], &text[target.clone()]),
            ("*pw", "&pw S1")
        );
    }

    #[test]
    fn replaces_a_block_member_in_the_file_layout() {
        let text = "extra_config:\n    telemetry/opencensus:\n        sample_rate: 1\n    other: x\nlist:\n- a\n";
        let node = root(text);
        let extra = node.pointer("/extra_config").unwrap();
        let editor = YamlEditor { text, root: &node };
        let value = json!({"trace_sample_rate": 1, "exporters": {"otlp": [{"name": "adot", "port": 4317}]}});
        let out = apply(
            text,
            &editor.replace_member(extra, 0, "telemetry/opentelemetry", &value),
        )
        .unwrap();
        assert_eq!(
            out,
            "extra_config:\n    telemetry/opentelemetry:\n        trace_sample_rate: 1\n        exporters:\n            otlp:\n            - name: adot\n              port: 4317\n    other: x\nlist:\n- a\n"
        );
        assert_eq!(
            root(&out)
                .pointer("/extra_config/telemetry~1opentelemetry")
                .unwrap()
                .to_json(),
            value
        );
    }

    #[test]
    fn an_alias_is_replaced_in_the_layout_of_its_own_place() {
        let text = "base: &oc {sample_rate: 1}\nextra_config:\n  telemetry/opencensus: *oc\n";
        let node = root(text);
        let extra = node.pointer("/extra_config").unwrap();
        let editor = YamlEditor { text, root: &node };
        let value = json!({"trace_sample_rate": 1, "exporters": {"otlp": [{"name": "adot"}]}});
        let out = apply(
            text,
            &editor.replace_member(extra, 0, "telemetry/opentelemetry", &value),
        )
        .unwrap();
        assert_eq!(
            out,
            "base: &oc {sample_rate: 1}\nextra_config:\n  telemetry/opentelemetry:\n    trace_sample_rate: 1\n    exporters:\n      otlp:\n        - name: adot\n"
        );
    }

    #[test]
    fn flow_members_stay_flow_and_removals_take_whole_lines() {
        let text = "extra_config: {telemetry/opencensus: {sample_rate: 1}, b: 2}\n";
        let node = root(text);
        let extra = node.pointer("/extra_config").unwrap();
        let editor = YamlEditor { text, root: &node };
        let out = apply(
            text,
            &editor.replace_member(extra, 0, "telemetry/opentelemetry", &json!({"a": [1]})),
        )
        .unwrap();
        assert_eq!(
            out,
            "extra_config: {telemetry/opentelemetry: {\"a\": [1]}, b: 2}\n"
        );

        let text = "e:\n  a: 1\n  telemetry/opencensus:\n    x: 1 # gone\n  b: 2\n";
        let node = root(text);
        let e = node.pointer("/e").unwrap();
        let editor = YamlEditor { text, root: &node };
        assert_eq!(
            apply(text, &editor.removal(e, &[1])).unwrap(),
            "e:\n  a: 1\n  b: 2\n"
        );
        assert_eq!(
            apply(text, &editor.removal(e, &[0, 1, 2])).unwrap(),
            "e: {}\n"
        );
    }

    #[test]
    fn appends_members_and_elements() {
        let text = "otel:\n  exporters:\n    prometheus:\n      - name: p\n        port: 9090\n";
        let node = root(text);
        let editor = YamlEditor { text, root: &node };
        let exporters = node.pointer("/otel/exporters").unwrap();
        let list = node.pointer("/otel/exporters/prometheus").unwrap();
        let out = apply(
            text,
            &[
                editor.append_element(list, &json!({"name": "q", "port": 9091})),
                editor.append_member(exporters, "otlp", &json!([{"name": "adot"}])),
            ],
        )
        .unwrap();
        assert_eq!(
            root(&out).to_json(),
            json!({"otel": {"exporters": {"prometheus": [{"name": "p", "port": 9090}, {"name": "q", "port": 9091}], "otlp": [{"name": "adot"}]}}})
        );
    }

    #[test]
    fn scalars_that_would_change_type_are_quoted() {
        for (s, expected) in [
            ("eu-west-1", "eu-west-1"),
            ("true", "\"true\""),
            ("1.5", "\"1.5\""),
            ("@comment", "\"@comment\""),
            ("yes", "\"yes\""),
            ("", "\"\""),
            ("a: b", "\"a: b\""),
        ] {
            assert_eq!(scalar_text(s), expected);
        }
    }
}
