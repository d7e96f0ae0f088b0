//! Migrating one configuration text: the whole pipeline, without I/O.
//!
//! parse -> locate legacy blocks -> decode them -> convert to an intent ->
//! render the new block (or merge into an existing one) and the collector
//! config -> turn all of it into edits -> apply -> verify the result.
//!
//! Verification re-parses the output and checks that no legacy block is
//! left, that the new block reads back exactly as rendered, and (with a
//! schema) that it is valid for the target KrakenD version. Anything that
//! fails there is a bug in oc2otel, reported as an internal error; the
//! file is then left alone.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::migration::behaviour;
use crate::migration::convert::{self, Context};
use crate::migration::intent::Intent;
use crate::migration::options::{KrakendVersion, Options};
use crate::migration::render::collector::CollectorConfig;
use crate::migration::render::{krakend, merge};
use crate::migration::schema::SchemaValidator;
use crate::model::diagnostic::{self, Code, Diagnostic, Severity};
use crate::model::legacy::{self, PathAggregation, Settings};
use crate::model::locate::{self, BlockRef, Namespace, OPENTELEMETRY, Scope};
use crate::model::redact;
use crate::syntax::edit::{self, Edit};
use crate::syntax::source::{Format, LineIndex};
use crate::syntax::tree::{Node, Span, child_pointer};
use crate::syntax::{self, Editor};

mod template;

/// What a migration decided for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Legacy blocks were found and converted: the output differs.
    Migrate,
    /// Nothing to migrate.
    Unchanged,
    /// The file cannot be migrated; the diagnostics say why.
    Error,
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub status: Status,
    /// The format the file was read as (a `.json` file with template
    /// actions is a template).
    pub format: Format,
    /// The migrated text, when `status` is `Migrate`.
    pub output: Option<String>,
    /// The collector config the new block pushes to, if it needs one.
    pub collector: Option<CollectorConfig>,
    /// Sorted, with lines and columns.
    pub diagnostics: Vec<Diagnostic>,
    /// Spans of secret values in the input (see [`redact::spans_in`] for
    /// the output's, which only a diff needs).
    pub input_secrets: Vec<Span>,
    /// The intent of the service-level block, if one was converted.
    pub intent: Option<Intent>,
}

impl Migration {
    fn finish(
        format: Format,
        status: Status,
        text: &str,
        mut diagnostics: Vec<Diagnostic>,
        input_secrets: Vec<Span>,
    ) -> Migration {
        let index = LineIndex::new(text);
        for d in &mut diagnostics {
            d.locate(text, &index);
        }
        diagnostic::sort(&mut diagnostics);
        Migration {
            status,
            format,
            output: None,
            collector: None,
            diagnostics,
            input_secrets,
            intent: None,
        }
    }
}

/// Migrate `text`. `source_name` names the file in the collector header.
pub fn migrate(
    text: &str,
    format: Format,
    source_name: &str,
    options: &Options,
    schema: Option<&SchemaValidator>,
) -> Migration {
    if format == Format::Template {
        return template::migrate(text, source_name, options, schema);
    }
    let parsed = match syntax::parse(text, format) {
        Ok(parsed) => parsed,
        // Flexible Configuration files often keep a `.json` name.
        Err(_) if format == Format::Json && text.contains("{{") => {
            return template::migrate(text, source_name, options, schema);
        }
        Err(err) => {
            let end = text[err.offset..]
                .chars()
                .next()
                .map_or(err.offset, |c| err.offset + c.len_utf8());
            let d = Diagnostic::error(
                Code::InvalidSyntax,
                format!(
                    "invalid {}: {}",
                    format.as_str().to_uppercase(),
                    err.message
                ),
            )
            .at("", err.offset..end);
            return Migration::finish(
                format,
                Status::Error,
                text,
                vec![d],
                redact::lexical_secret_spans(text),
            );
        }
    };
    let root = parsed.root();
    let protected = parsed.protected().to_vec();
    let input_secrets = redact::secret_spans(root);
    let mut run = Run {
        text,
        options,
        root,
        doc: &*parsed,
        diagnostics: Vec::new(),
        edits: Vec::new(),
        removals: BTreeMap::new(),
    };
    let located = locate::locate(root);
    for block in located.blocks.iter().filter(|b| b.scope == Scope::Unread) {
        let why = if block.shadowed {
            "a later duplicate of one of its parent keys hides it"
        } else {
            "KrakenD reads it only in the service, endpoint and backend `extra_config`"
        };
        run.diagnostics.push(
            Diagnostic::warning(
                Code::MisplacedBlock,
                format!(
                    "`{}` here was never read by KrakenD ({why}): left unchanged",
                    block.namespace.key()
                ),
            )
            .at(block.pointer(), block.member().key_span.clone())
            .with_help("move the settings to the service `extra_config` if they were meant to apply, or delete them")
            .with_fate(crate::model::diagnostic::Action::Manual, None),
        );
    }
    run.check_embedded();
    if !located.is_pending() {
        return Migration::finish(
            format,
            Status::Unchanged,
            text,
            run.diagnostics,
            input_secrets,
        );
    }
    if !run.check_version() {
        return Migration::finish(format, Status::Error, text, run.diagnostics, input_secrets);
    }
    run.check_schema_url(options.krakend_version);

    let intent = run.service_blocks(&located);
    run.scoped_blocks(&located);
    for block in located.blocks.iter().filter(|b| b.scope != Scope::Unread) {
        let found =
            convert::secrets::rotate(&block.member().value, &block.pointer(), &run.diagnostics);
        run.diagnostics.extend(found);
    }
    let mut collector = None;
    let mut expected_block: Option<(String, Value)> = None;
    if let Some((intent, block)) = &intent
        && let Some(expected) = run.place_intent(&located, block, intent)
    {
        expected_block = Some(expected);
        collector = CollectorConfig::for_intent(intent, options, source_name);
    }
    run.flush_removals();
    run.check_protected(&protected);
    run.report_dropped_comments();
    let Run {
        mut diagnostics,
        edits,
        ..
    } = run;
    let intent = intent.map(|(intent, _)| intent);
    // What the input did, for the semantic check of the output.
    let baseline = options
        .verify_output
        .then(|| behaviour::check::Baseline::of(root, &located, collector.as_ref(), options));
    // The input tree is no longer needed: free it before the output is
    // parsed for verification, so that only one tree is alive at a time.
    drop(located);
    drop(parsed);

    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Migration::finish(format, Status::Error, text, diagnostics, input_secrets);
    }
    let output = match edit::apply(text, &edits) {
        Ok(output) => output,
        Err(err) => {
            diagnostics.push(internal(format!("the edits could not be applied: {err}")));
            return Migration::finish(format, Status::Error, text, diagnostics, input_secrets);
        }
    };
    if let Some(baseline) = baseline {
        let output_root = match verify(&output, format, expected_block.as_ref(), schema) {
            Ok(root) => root,
            Err(problems) => {
                diagnostics.extend(problems);
                return Migration::finish(format, Status::Error, text, diagnostics, input_secrets);
            }
        };
        // The output must behave as the legacy block did, or say why not.
        let problems = baseline.check(&output_root, collector.as_ref(), options, &diagnostics);
        drop(output_root);
        if !problems.is_empty() {
            diagnostics.extend(problems);
            return Migration::finish(format, Status::Error, text, diagnostics, input_secrets);
        }
    }
    let mut migration =
        Migration::finish(format, Status::Migrate, text, diagnostics, input_secrets);
    migration.output = Some(output);
    migration.collector = collector;
    migration.intent = intent;
    migration
}

/// Check the output of a migration: it parses, holds no legacy block the
/// tool should have migrated, the new block reads back exactly as rendered
/// and, with a schema, is valid for the target KrakenD version. Any
/// problem is a bug in oc2otel. Returns the parsed output.
fn verify(
    output: &str,
    format: Format,
    expected: Option<&(String, Value)>,
    schema: Option<&SchemaValidator>,
) -> Result<Node, Vec<Diagnostic>> {
    let root = syntax::parse_tree(output, format).map_err(|e| {
        vec![internal(format!(
            "the migrated text does not parse ({})",
            e.message
        ))]
    })?;
    let mut problems = Vec::new();
    if locate::locate(&root).is_pending() {
        problems.push(internal(
            "a legacy block is still present after migration".into(),
        ));
    }
    if let Some((pointer, value)) = expected {
        match root.pointer(pointer) {
            Some(node) if node.to_json() == *value => {}
            _ => problems.push(internal(format!(
                "the block at {pointer} does not read back as written"
            ))),
        }
        if let Some(schema) = schema {
            for (at, message) in schema.validate(value) {
                problems.push(
                    Diagnostic::error(
                        Code::SchemaViolation,
                        format!(
                            "internal error: the new block breaks KrakenD's schema at {pointer}{at}: {message}"
                        ),
                    )
                    .with_help(format!(
                        "checked against {}; this is a bug in oc2otel, and the file was left unchanged",
                        schema.file.display()
                    )),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(root)
    } else {
        Err(problems)
    }
}

fn internal(message: String) -> Diagnostic {
    Diagnostic::error(Code::Internal, format!("internal error: {message}"))
        .with_help("this is a bug in oc2otel; the file was left unchanged. Please report it with the file (secrets removed)")
}

/// State of one migration while edits are gathered.
struct Run<'a> {
    text: &'a str,
    options: &'a Options,
    root: &'a Node,
    doc: &'a dyn syntax::Document,
    diagnostics: Vec<Diagnostic>,
    edits: Vec<Edit>,
    /// Members to remove, per container (keyed by the container's span so
    /// that two removals in one object become one set of edits).
    removals: BTreeMap<(usize, usize), (&'a Node, Vec<usize>)>,
}

impl<'a> Run<'a> {
    fn editor(&self) -> Box<dyn Editor + 'a> {
        self.doc.editor()
    }

    fn remove(&mut self, block: &BlockRef<'a>) {
        let key = (block.container.span.start, block.container.span.end);
        self.removals
            .entry(key)
            .or_insert_with(|| (block.container, Vec::new()))
            .1
            .push(block.index);
    }

    fn flush_removals(&mut self) {
        let editor = self.editor();
        for (container, indices) in std::mem::take(&mut self.removals).into_values() {
            match editor.remove_members(container, &indices) {
                Ok(edits) => self.edits.extend(edits),
                Err(refused) => self
                    .diagnostics
                    .push(internal(refused.why).at("", refused.span)),
            }
        }
    }

    /// An edit must not rewrite text the format protects (a YAML anchor
    /// used elsewhere, a template action): that is a manual step.
    fn check_protected(&mut self, protected: &[(Span, String)]) {
        let index = LineIndex::new(self.text);
        for edit in &self.edits {
            for (span, why) in protected {
                if span.start < edit.range.end && edit.range.start < span.end {
                    let (line, _) = index.line_col(self.text, span.start);
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::Protected,
                            format!("the text to rewrite overlaps line {line}, which cannot be edited automatically: {why}"),
                        )
                        .at("", span.clone())
                        .with_help("make this part of the file plain (or migrate it by hand), then run oc2otel again")
                        .with_fate(crate::model::diagnostic::Action::Manual, None),
                    );
                    return;
                }
            }
        }
    }

    /// Comments inside the text an edit rewrites disappear with it: say so,
    /// comment by comment (they are the first thing people miss).
    fn report_dropped_comments(&mut self) {
        let mut found = Vec::new();
        for edit in &self.edits {
            found.extend(self.doc.comments_in(edit.range.clone()));
        }
        for span in found {
            let comment = self.text[span.clone()].trim_end();
            let shown: String = comment.chars().take(60).collect();
            let more = if shown.len() < comment.len() {
                "..."
            } else {
                ""
            };
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::CommentDropped,
                    format!(
                        "the comment `{shown}{more}` was inside the legacy block and goes with it"
                    ),
                )
                .at("", span)
                .with_help("re-add it next to the new block if it still matters"),
            );
        }
    }

    /// Legacy blocks inside string values: a whole KrakenD config embedded
    /// in another file (a Kubernetes ConfigMap, Helm values). oc2otel does
    /// not rewrite strings; it says where they are.
    fn check_embedded(&mut self) {
        // Most files hold no such string: look first without building
        // pointers, which is what costs.
        let mut quick = vec![self.root];
        let mut any = false;
        while let Some(node) = quick.pop() {
            match &node.kind {
                crate::syntax::tree::NodeKind::String(s) if embeds_legacy_block(s) => {
                    any = true;
                    break;
                }
                crate::syntax::tree::NodeKind::Object(members) => {
                    quick.extend(members.iter().map(|m| &m.value))
                }
                crate::syntax::tree::NodeKind::Array(items) => quick.extend(items.iter()),
                _ => {}
            }
        }
        if !any {
            return;
        }
        let mut stack = vec![(self.root, String::new())];
        while let Some((node, pointer)) = stack.pop() {
            match &node.kind {
                crate::syntax::tree::NodeKind::String(s) if embeds_legacy_block(s) => {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            Code::EmbeddedConfig,
                            "this string holds a KrakenD config with an OpenCensus block (an embedded config, such as a Kubernetes ConfigMap or Helm values): it is not rewritten",
                        )
                        .at(pointer, node.span.clone())
                        .with_help("extract the config into its own file and run oc2otel on it, or migrate the block by hand")
                        .with_fate(crate::model::diagnostic::Action::Manual, None),
                    );
                }
                crate::syntax::tree::NodeKind::Object(members) => {
                    for m in members {
                        stack.push((&m.value, child_pointer(&pointer, &m.key)));
                    }
                }
                crate::syntax::tree::NodeKind::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        stack.push((item, child_pointer(&pointer, &i.to_string())));
                    }
                }
                _ => {}
            }
        }
    }

    /// KrakenD 1.x configs (`"version": 2`) predate OpenTelemetry; they
    /// are refused before anything else is said about them.
    fn check_version(&mut self) -> bool {
        let Some(version) = self.root.get("version") else {
            return true;
        };
        let is_three = matches!(&version.value.kind, crate::syntax::tree::NodeKind::Number(n) if n.parse::<f64>() == Ok(3.0));
        if !is_three {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::KrakendV1,
                    "this is not a KrakenD 2 config (`version` is not 3): OpenTelemetry needs KrakenD 2.6 or later and config version 3",
                )
                .at("/version", version.span.clone())
                .with_help("upgrade the file to KrakenD 2 first (krakend-config-migrator renames the v1 keys and sets `\"version\": 3`), then migrate"),
            );
        }
        is_three
    }

    /// A `$schema` naming a KrakenD version without OpenTelemetry.
    fn check_schema_url(&mut self, target: KrakendVersion) {
        let Some(member) = self.root.get("$schema") else {
            return;
        };
        let Some(url) = member.value.as_str() else {
            return;
        };
        let Some(version) = url.split('/').find_map(|part| {
            part.strip_prefix('v')
                .and_then(|v| v.parse::<KrakendVersionLoose>().ok())
        }) else {
            return;
        };
        if version.0 < KrakendVersion::FIRST_OTEL {
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::OldSchema,
                    format!(
                        "`$schema` names KrakenD {}, which has no OpenTelemetry module (it arrived in 2.6)",
                        version.0
                    ),
                )
                .at("/$schema", member.value.span.clone())
                .with_help(format!(
                    "run KrakenD 2.6 or later and point `$schema` at its version (https://www.krakend.io/schema/{}/krakend.json)",
                    target.schema_folder()
                )),
            );
        }
    }

    /// Decide which service-level block KrakenD reads, convert it, and
    /// schedule the removal of the others.
    fn service_blocks(&mut self, located: &locate::Located<'a>) -> Option<(Intent, BlockRef<'a>)> {
        let service: Vec<BlockRef<'a>> = located.service().cloned().collect();
        // KrakenD renames the v1 key onto the v2 one, so the v2 key wins;
        // within one key the last duplicate wins.
        let effective = service
            .iter()
            .filter(|b| !b.duplicate)
            .max_by_key(|b| b.namespace == Namespace::Current)
            .cloned()?;
        for other in service
            .iter()
            .filter(|b| b.index != effective.index || b.container.span != effective.container.span)
        {
            let message = if other.namespace == effective.namespace {
                format!(
                    "duplicate `{}`: KrakenD reads only the last one, so this one never ran; removed",
                    other.namespace.key()
                )
            } else {
                format!(
                    "both `{}` and `{}` are present: KrakenD reads `{}`, so this one never ran; removed",
                    Namespace::Current.key(),
                    Namespace::V1.key(),
                    effective.namespace.key()
                )
            };
            let code = if other.namespace == effective.namespace {
                Code::DuplicateKey
            } else {
                Code::BothNamespaces
            };
            self.diagnostics.push(
                Diagnostic::warning(code, message)
                    .at(other.pointer(), other.member().key_span.clone())
                    .with_fate(crate::model::diagnostic::Action::Dropped, None),
            );
            self.remove(other);
        }

        let member = effective.member();
        let pointer = effective.pointer();
        let decoded =
            legacy::decode::<Settings>(&member.value, &pointer, effective.namespace.key());
        self.diagnostics.extend(decoded.diagnostics);
        let settings = decoded.settings?;
        let mut cx = Context::new(
            self.options,
            pointer,
            member.key_span.clone(),
            decoded.fields,
        );
        let intent = convert::convert(&settings, &mut cx);
        for (pointer, span) in cx.unaccounted() {
            self.diagnostics.push(
                internal(format!("the field at {pointer} was not accounted for")).at(pointer, span),
            );
        }
        self.diagnostics.extend(cx.diagnostics);
        match intent {
            Some(intent) => {
                if effective.namespace == Namespace::V1 {
                    self.diagnostics.push(
                        Diagnostic::info(
                            Code::V1Namespace,
                            format!(
                                "the KrakenD 1 key `{}` is replaced by `{OPENTELEMETRY}`",
                                Namespace::V1.key()
                            ),
                        )
                        .at(effective.pointer(), member.key_span.clone()),
                    );
                }
                Some((intent, effective))
            }
            None => {
                self.remove(&effective);
                None
            }
        }
    }

    /// Endpoint and backend blocks: report, then remove.
    fn scoped_blocks(&mut self, located: &locate::Located<'a>) {
        let scoped: Vec<BlockRef<'a>> = located
            .blocks
            .iter()
            .filter(|b| matches!(b.scope, Scope::Endpoint | Scope::Backend))
            .cloned()
            .collect();
        for block in scoped {
            let member = block.member();
            let pointer = block.pointer();
            if block.duplicate {
                self.diagnostics.push(
                    Diagnostic::info(
                        Code::DuplicateKey,
                        format!(
                            "duplicate `{}`: KrakenD read only the last one; removed",
                            block.namespace.key()
                        ),
                    )
                    .at(pointer, member.key_span.clone())
                    .with_fate(crate::model::diagnostic::Action::Dropped, None),
                );
                self.remove(&block);
                continue;
            }
            let decoded =
                legacy::decode::<PathAggregation>(&member.value, &pointer, block.namespace.key());
            self.diagnostics.extend(decoded.diagnostics);
            if let Some(settings) = decoded.settings {
                let mut cx = Context::new(
                    self.options,
                    pointer,
                    member.key_span.clone(),
                    decoded.fields,
                );
                convert::endpoint::convert(&settings, &mut cx);
                for (pointer, span) in cx.unaccounted() {
                    self.diagnostics.push(
                        internal(format!("the field at {pointer} was not accounted for"))
                            .at(pointer, span),
                    );
                }
                self.diagnostics.extend(cx.diagnostics);
            }
            self.remove(&block);
        }
    }

    /// Write the intent: replace the legacy block with a new one, or merge
    /// into an existing `telemetry/opentelemetry`. Returns the pointer and
    /// value the new block must read back as.
    fn place_intent(
        &mut self,
        located: &locate::Located<'a>,
        block: &BlockRef<'a>,
        intent: &Intent,
    ) -> Option<(String, Value)> {
        let existing = located
            .service_extra
            .as_ref()
            .and_then(|(extra, pointer)| extra.get(OPENTELEMETRY).map(|m| (m, pointer.clone())));
        if let Some((existing, extra_pointer)) = existing {
            let pointer = child_pointer(&extra_pointer, OPENTELEMETRY);
            let plan = merge::merge(
                &existing.value,
                &pointer,
                existing.key_span.clone(),
                intent,
                self.options,
            );
            let refused = plan.refused();
            self.diagnostics.extend(plan.diagnostics);
            if refused {
                return None;
            }
            let editor = self.editor();
            let mut expected = existing.value.to_json();
            // Separate appends to an empty array would each write its only
            // element: its values are written in one edit instead.
            let mut into_empty: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for insertion in plan.insertions {
                match insertion {
                    merge::Insertion::Element { array, value } => {
                        let node = self.root.pointer(&array)?;
                        if let Some(list) = pointer_in(&mut expected, &pointer, &array)
                            .and_then(Value::as_array_mut)
                        {
                            list.push(value.clone());
                        }
                        if node.elements().is_some_and(<[Node]>::is_empty) {
                            into_empty.entry(array).or_default().push(value);
                        } else {
                            self.edits.push(editor.append_element(node, &value));
                        }
                    }
                    merge::Insertion::Member { object, key, value } => {
                        let node = self.root.pointer(&object)?;
                        self.edits.push(editor.append_member(node, &key, &value));
                        if let Some(map) = pointer_in(&mut expected, &pointer, &object)
                            .and_then(Value::as_object_mut)
                        {
                            map.insert(key, value);
                        }
                    }
                }
            }
            for (array, values) in into_empty {
                let (parent, _) = array.rsplit_once('/')?;
                let key = convert::pointer_key(&array);
                let object = self.root.pointer(parent)?;
                let index = object.members()?.iter().rposition(|m| m.key == key)?;
                self.edits.extend(editor.replace_member(
                    object,
                    index,
                    &key,
                    &Value::Array(values),
                ));
            }
            self.remove(block);
            return Some((pointer, expected));
        }
        let value = krakend::block(intent, self.options);
        let edits =
            self.editor()
                .replace_member(block.container, block.index, OPENTELEMETRY, &value);
        self.edits.extend(edits);
        Some((
            child_pointer(&block.container_pointer, OPENTELEMETRY),
            value,
        ))
    }
}

/// Whether a string value holds a legacy block as config text.
fn embeds_legacy_block(s: &str) -> bool {
    // Both namespaces contain "opencensus": most strings are rejected
    // without building the quoted forms.
    if !s.contains("opencensus") {
        return false;
    }
    [locate::OPENCENSUS, locate::OPENCENSUS_V1]
        .iter()
        .any(|key| {
            s.match_indices(key).any(|(at, _)| {
                let before = s[..at].ends_with('"');
                let after = &s[at + key.len()..];
                (before && after.starts_with('"')) || after.starts_with(':')
            })
        })
}

/// The value at `target` inside `block`, which sits at `base`.
fn pointer_in<'v>(block: &'v mut Value, base: &str, target: &str) -> Option<&'v mut Value> {
    let rest = target.strip_prefix(base)?;
    block.pointer_mut(rest)
}

/// A version from a `$schema` URL (`v2.4`), without the >= 2.6 check that
/// `--krakend-version` applies.
struct KrakendVersionLoose(KrakendVersion);

impl std::str::FromStr for KrakendVersionLoose {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let mut parts = s.split('.');
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or(())?;
        let minor = parts.next().and_then(|p| p.parse().ok()).ok_or(())?;
        Ok(KrakendVersionLoose(KrakendVersion::new(major, minor, 0)))
    }
}
