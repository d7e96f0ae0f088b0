//! Migrating a Flexible Configuration template.
//!
//! The template is scanned, never rendered (see `formats::template`). Each
//! legacy block written as literal JSON is converted with the same rules
//! as in a plain config and replaced (or removed) in place, so the template
//! actions around it stay as they are. A block whose value is written or
//! changed by an action is a manual step naming the action.
//!
//! Without rendering, the place of a block in the final config is unknown:
//! a block with exporters or sampling settings is taken as the service
//! block, one holding only `path_aggregation` as an endpoint or backend
//! block. JSON pointers in diagnostics are relative to the block's key.

use serde_json::Value;

use super::{Migration, Status, internal};
use crate::migration::convert::{self, Context};
use crate::migration::options::Options;
use crate::migration::render::collector::CollectorConfig;
use crate::migration::render::krakend;
use crate::migration::schema::SchemaValidator;
use crate::model::diagnostic::{Action, Code, Diagnostic, Severity};
use crate::model::legacy::{self, PathAggregation, Settings};
use crate::model::locate::OPENTELEMETRY;
use crate::model::redact;
use crate::syntax::edit::{self, Edit};
use crate::syntax::json;
use crate::syntax::source::Format;
use crate::syntax::template::{self, Found};
use crate::syntax::tree::{Member, Node, NodeKind, Span, escape_token};

/// Whether a block holds only endpoint-level settings.
fn is_endpoint_block(value: &Node) -> bool {
    value.members().is_some_and(|members| {
        !members.is_empty()
            && members.iter().all(|m| {
                m.key.eq_ignore_ascii_case("path_aggregation")
                    || crate::model::legacy::decode::is_comment_key(&m.key)
            })
    })
}

/// A one-member object around a block, so the JSON editor can replace it
/// in the template's own layout.
fn container(key: &str, key_span: &Span, span: &Span, value: &Node) -> Node {
    Node {
        span: span.clone(),
        kind: NodeKind::Object(vec![Member {
            key: key.to_string(),
            key_span: key_span.clone(),
            span: span.clone(),
            value: value.clone(),
        }]),
    }
}

pub fn migrate(
    text: &str,
    source_name: &str,
    options: &Options,
    schema: Option<&SchemaValidator>,
) -> Migration {
    let format = Format::Template;
    let (actions, found) = template::scan(text);
    // A partial without actions may be a plain YAML document (Flexible
    // Configuration also renders YAML); migrate it as one.
    if found.is_empty() && actions.is_empty() && crate::syntax::yaml::parse(text).is_ok() {
        let mut migration = super::migrate(text, Format::Yaml, source_name, options, schema);
        migration.format = Format::Template;
        return migration;
    }
    let secrets = secret_spans(text, &found);
    if found.is_empty() {
        let mut diagnostics = Vec::new();
        if let Some(at) = mentions_outside_actions(text, &actions) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::TemplatedBlock,
                    "this template mentions an OpenCensus key, but not as a literal JSON block oc2otel can rewrite",
                )
                .at("", at..at + 1)
                .with_help("check this place by hand")
                .with_fate(Action::Manual, None),
            );
        }
        return Migration::finish(format, Status::Unchanged, text, diagnostics, secrets);
    }
    let writes_otel = template::scan_key(text, &actions, OPENTELEMETRY)
        .next()
        .is_some();
    let mut diagnostics = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    let mut expected: Vec<Value> = Vec::new();
    let mut collectors: Vec<CollectorConfig> = Vec::new();
    let mut intents = Vec::new();
    // Two equal keys side by side in one object: KrakenD reads only the
    // second, so the first never ran (as in a JSON config).
    let shadowed: Vec<bool> = found
        .iter()
        .enumerate()
        .map(|(i, block)| match block {
            Found::Literal { span, .. } => found[i + 1..].iter().any(|later| {
                later.namespace() == block.namespace()
                    && template::plain_siblings(text, &actions, span.end, later.key_span().start)
            }),
            _ => false,
        })
        .collect();
    for (block, shadowed) in found.iter().zip(shadowed) {
        match block {
            Found::Broken {
                namespace,
                key_span,
                at,
                message,
            } => {
                let (line, column) =
                    crate::syntax::source::LineIndex::new(text).line_col(text, *at);
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidSyntax,
                        format!(
                            "`{}` is followed by text that is not a JSON object ({message}, at {line}:{column}): KrakenD could not read the rendered config, and oc2otel cannot tell what was meant",
                            namespace.key()
                        ),
                    )
                    .at(format!("/{}", escape_token(namespace.key())), key_span.clone())
                    .with_help("fix the block (or the template around it), then migrate again"),
                );
            }
            Found::Literal {
                namespace,
                key_span,
                span,
                ..
            } if shadowed => {
                let pointer = format!("/{}", escape_token(namespace.key()));
                diagnostics.push(
                    Diagnostic::warning(
                        Code::DuplicateKey,
                        format!(
                            "duplicate `{}`: KrakenD reads only the last one, so this one never ran; removed",
                            namespace.key()
                        ),
                    )
                    .at(pointer.clone(), key_span.clone())
                    .with_fate(Action::Dropped, None),
                );
                remove(
                    text,
                    &actions,
                    span,
                    key_span,
                    &pointer,
                    &mut edits,
                    &mut diagnostics,
                );
            }
            Found::Templated {
                namespace,
                key_span,
                action,
            } => {
                let line = crate::syntax::source::LineIndex::new(text)
                    .line_col(text, action.span.start)
                    .0;
                diagnostics.push(
                    Diagnostic::warning(
                        Code::TemplatedBlock,
                        format!(
                            "`{}` is written by the template action `{{{{ {} }}}}` (line {line}): a block a template computes cannot be migrated automatically",
                            namespace.key(),
                            action.expression
                        ),
                    )
                    .at(format!("/{}", escape_token(namespace.key())), key_span.clone())
                    .with_help("migrate the settings file or partial the action reads (oc2otel does that for literal blocks), or write the new block by hand")
                    .with_fate(Action::Manual, None),
                );
            }
            Found::Literal {
                namespace,
                key_span,
                span,
                value,
            } => {
                let pointer = format!("/{}", escape_token(namespace.key()));
                if is_endpoint_block(value) {
                    let decoded =
                        legacy::decode::<PathAggregation>(value, &pointer, namespace.key());
                    diagnostics.extend(decoded.diagnostics);
                    if let Some(settings) = decoded.settings {
                        let mut cx = Context::new(
                            options,
                            pointer.clone(),
                            key_span.clone(),
                            decoded.fields,
                        );
                        convert::endpoint::convert(&settings, &mut cx);
                        account(&cx, &mut diagnostics);
                        diagnostics.extend(cx.diagnostics);
                    }
                    remove(
                        text,
                        &actions,
                        span,
                        key_span,
                        &pointer,
                        &mut edits,
                        &mut diagnostics,
                    );
                    continue;
                }
                let decoded = legacy::decode::<Settings>(value, &pointer, namespace.key());
                diagnostics.extend(decoded.diagnostics);
                let Some(settings) = decoded.settings else {
                    continue;
                };
                let mut cx =
                    Context::new(options, pointer.clone(), key_span.clone(), decoded.fields);
                let intent = convert::convert(&settings, &mut cx);
                account(&cx, &mut diagnostics);
                diagnostics.extend(cx.diagnostics);
                let Some(intent) = intent else {
                    remove(
                        text,
                        &actions,
                        span,
                        key_span,
                        &pointer,
                        &mut edits,
                        &mut diagnostics,
                    );
                    continue;
                };
                if writes_otel {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::ExistingOpenTelemetry,
                            "this template also writes `telemetry/opentelemetry`: the migrated exporters cannot be merged into it automatically",
                        )
                        .at(pointer.clone(), key_span.clone())
                        .with_help("merge the two blocks by hand (see `oc2otel migrate` on a rendered config for the new block), then run oc2otel again")
                        .with_fate(Action::Manual, None),
                    );
                    continue;
                }
                let block = krakend::block(&intent, options);
                let holder = container(namespace.key(), key_span, span, value);
                edits.push(json::replace_member(
                    text,
                    &holder,
                    0,
                    OPENTELEMETRY,
                    &block,
                ));
                expected.push(block);
                if let Some(collector) = CollectorConfig::for_intent(&intent, options, source_name)
                {
                    collectors.push(collector);
                }
                intents.push(intent);
            }
        }
    }
    collectors.dedup();
    if collectors.len() > 1 {
        diagnostics.push(
            Diagnostic::error(
                Code::TemplatedBlock,
                "the template's legacy blocks need different collector configs, and one config gets one collector file",
            )
            .with_help("migrate the variants separately (for example one template per environment)"),
        );
    }
    let done =
        |status, diagnostics| Migration::finish(format, status, text, diagnostics, secrets.clone());
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return done(Status::Error, diagnostics);
    }
    if edits.is_empty() {
        return done(Status::Unchanged, diagnostics);
    }
    let output = match edit::apply(text, &edits) {
        Ok(output) => output,
        Err(err) => {
            diagnostics.push(internal(format!("the edits could not be applied: {err}")));
            return done(Status::Error, diagnostics);
        }
    };
    if options.verify_output
        && let Err(problems) = verify(&output, &expected, schema)
    {
        diagnostics.extend(problems);
        return done(Status::Error, diagnostics);
    }
    let mut migration = done(Status::Migrate, diagnostics);
    migration.output = Some(output);
    migration.collector = collectors.pop();
    migration.intent = intents.pop();
    migration
}

/// The first legacy key written outside the template actions.
fn mentions_outside_actions(text: &str, actions: &[template::Action]) -> Option<usize> {
    [
        crate::model::locate::OPENCENSUS,
        crate::model::locate::OPENCENSUS_V1,
    ]
    .iter()
    .flat_map(|key| text.match_indices(key).map(|(i, _)| i))
    .filter(|&i| !actions.iter().any(|a| a.span.start <= i && i < a.span.end))
    .min()
}

/// Legacy fields no rule accounted for are internal errors.
fn account(cx: &Context, diagnostics: &mut Vec<Diagnostic>) {
    for (pointer, span) in cx.unaccounted() {
        diagnostics.push(
            internal(format!("the field at {pointer} was not accounted for")).at(pointer, span),
        );
    }
}

/// Remove a block, or say why it cannot be removed without a person.
fn remove(
    text: &str,
    actions: &[template::Action],
    span: &Span,
    key_span: &Span,
    pointer: &str,
    edits: &mut Vec<Edit>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match template::removal_range(text, actions, span) {
        Some(range) => edits.push(Edit::deletion(range)),
        None => diagnostics.push(
            Diagnostic::error(
                Code::TemplatedBlock,
                "this block sits next to a template action, so removing it could leave a stray comma in the rendered config",
            )
            .at(pointer.to_string(), key_span.clone())
            .with_help("remove the block by hand")
            .with_fate(Action::Manual, None),
        ),
    }
}

/// The output still scans, holds no literal legacy block, and holds the
/// new blocks exactly as rendered (and valid, with a schema).
fn verify(
    output: &str,
    expected: &[Value],
    schema: Option<&SchemaValidator>,
) -> Result<(), Vec<Diagnostic>> {
    let (actions, found) = template::scan(output);
    let mut problems = Vec::new();
    if found.iter().any(|f| matches!(f, Found::Literal { .. })) {
        problems.push(internal(
            "a literal legacy block is still present after migration".into(),
        ));
    }
    let written: Vec<Value> = template::scan_key(output, &actions, OPENTELEMETRY)
        .map(|node| node.to_json())
        .collect();
    for value in expected {
        if !written.contains(value) {
            problems.push(internal("a new block does not read back as written".into()));
        }
        if let Some(schema) = schema {
            for (at, message) in schema.validate(value) {
                problems.push(Diagnostic::error(
                    Code::SchemaViolation,
                    format!(
                        "internal error: the new block breaks KrakenD's schema at {at}: {message}"
                    ),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Secrets of a template: in the literal blocks (structurally) and
/// anywhere else (lexically).
fn secret_spans(text: &str, found: &[Found]) -> Vec<Span> {
    let mut spans = redact::lexical_secret_spans(text);
    for block in found {
        if let Found::Literal { value, .. } = block {
            spans.extend(redact::secret_spans(value));
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    spans.dedup();
    let mut out: Vec<Span> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}
