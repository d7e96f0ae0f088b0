//! Checking the output of a migration, for every format: it reads again
//! (parsed, or scanned for a template), holds no legacy block the
//! migration should have migrated, each new block reads back exactly as
//! rendered and, with a schema, is valid for the target KrakenD version;
//! then the behaviour self-check compares each legacy block with what the
//! output holds in its place. Any problem is a bug in oc2otel.

use crate::migration::behaviour::check::Baseline;
use crate::migration::behaviour::otel;
use crate::migration::options::Options;
use crate::migration::render::collector::CollectorConfig;
use crate::migration::schema::SchemaValidator;
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::locate::{self, Mentions, OPENTELEMETRY};
use crate::model::redact;
use crate::syntax::focus::Focus;
use crate::syntax::source::Format;
use crate::syntax::template::{self, Found};
use crate::syntax::tree::{Node, Span, child_pointer};
use crate::syntax::{self, Document};

use super::input::LEGACY_KEYS;
use super::place::Expected;

/// A legacy block's baseline, and which expected block replaced it.
pub struct SelfCheck {
    pub baseline: Baseline,
    pub placed: Option<usize>,
}

/// The output, read again the way its input was.
enum Output<'a> {
    Tree(Box<dyn Document + 'a>),
    /// A template's literal `telemetry/opentelemetry` values, in order,
    /// and whether a literal legacy block is left.
    Template {
        blocks: Vec<Node>,
        legacy_left: bool,
    },
}

impl<'a> Output<'a> {
    fn read(
        output: &'a str,
        format: Format,
        focus: Option<&Focus>,
    ) -> Result<Output<'a>, Box<Diagnostic>> {
        if format == Format::Template {
            let scan = template::scan(output, &LEGACY_KEYS);
            let legacy_left = scan
                .found
                .iter()
                .any(|f| matches!(f, Found::Literal { .. }));
            let blocks = template::scan_key(output, &scan.actions, OPENTELEMETRY).collect();
            return Ok(Output::Template {
                blocks,
                legacy_left,
            });
        }
        syntax::parse_focused(output, format, focus)
            .map(Output::Tree)
            .map_err(|e| {
                Box::new(Diagnostic::internal(format!(
                    "the migrated text does not parse ({})",
                    e.message
                )))
            })
    }

    /// The secret spans of the output this was read from.
    fn secret_spans(&self, output: &str) -> Vec<Span> {
        match self {
            // What a focus left unbuilt is the input's, whose secrets the
            // caller moves over.
            Output::Tree(document) => {
                redact::document_spans_with(output, &**document, redact::Unbuilt::Leave)
            }
            Output::Template { .. } => redact::lexical_secret_spans(output),
        }
    }

    fn legacy_left(&self, output: &str, format: Format) -> bool {
        match self {
            // A migrated JSON config rarely says `opencensus` at all: then
            // nothing of its tree is walked.
            Output::Tree(document) => {
                let mentions = Mentions::of(output, format);
                locate::locate_with(document.root(), mentions.as_ref()).is_pending()
            }
            Output::Template { legacy_left, .. } => *legacy_left,
        }
    }

    /// The `index`th expected block as the output holds it.
    fn read_back(&self, index: usize, expected: &Expected) -> Option<serde_json::Value> {
        match self {
            Output::Tree(document) => document
                .root()
                .pointer(&expected.pointer)
                .map(Node::to_json),
            Output::Template { blocks, .. } => blocks.get(index).map(Node::to_json),
        }
    }

    /// What KrakenD reads where a legacy block was (the `placed`th new
    /// block of a template; the service block of a config).
    fn new_block(&self, placed: Option<usize>, options: &Options) -> otel::Read {
        let version = options.version();
        match self {
            Output::Tree(document) => otel::read(document.root(), version),
            Output::Template { blocks, .. } => match placed.and_then(|i| blocks.get(i)) {
                Some(node) => {
                    let pointer = child_pointer("", OPENTELEMETRY);
                    otel::read_block(node, &pointer, None, version)
                }
                None => otel::Read::Absent,
            },
        }
    }
}

/// What an output must be: in `format`, holding the `expected` blocks,
/// doing what the `checks` say the legacy blocks did (with `collector`).
pub struct Checked<'p> {
    pub format: Format,
    pub expected: &'p [Expected],
    pub checks: &'p [SelfCheck],
    pub collector: Option<&'p CollectorConfig>,
    /// What of the output the check reads, when it need not be built
    /// whole (`pipeline::focus`).
    pub focus: Option<&'p Focus>,
}

impl Checked<'_> {
    /// Check `output`. When it is right: its secret spans if it is shown
    /// (`Options::show_output`), found on the same parse (a 2 MB config is
    /// not parsed a third time for them; with a focus, those of the parts
    /// built, the caller adding the input's for the rest);
    /// else every problem found. The behaviour is compared only for an
    /// output that verifies.
    pub fn run(
        &self,
        output: &str,
        schema: Option<&SchemaValidator>,
        options: &Options,
        diagnostics: &[Diagnostic],
    ) -> Result<Vec<Span>, Vec<Diagnostic>> {
        let read =
            Output::read(output, self.format, self.focus).map_err(|problem| vec![*problem])?;
        let problems = verify(
            &read,
            read.legacy_left(output, self.format),
            self.expected,
            schema,
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        let problems: Vec<Diagnostic> = self
            .checks
            .iter()
            .flat_map(|check| {
                let new = read.new_block(check.placed, options);
                check
                    .baseline
                    .check(new, self.collector, options, diagnostics)
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(match options.show_output {
            true => read.secret_spans(output),
            false => Vec::new(),
        })
    }
}

/// The output reads back as planned (`legacy_left`: it still holds a
/// legacy block).
fn verify(
    read: &Output,
    legacy_left: bool,
    expected: &[Expected],
    schema: Option<&SchemaValidator>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if legacy_left {
        problems.push(Diagnostic::internal(
            "a legacy block is still present after migration",
        ));
    }
    for (index, want) in expected.iter().enumerate() {
        if read.read_back(index, want).as_ref() != Some(&want.value) {
            problems.push(Diagnostic::internal(format!(
                "the block at {} does not read back as written",
                want.pointer
            )));
        }
        let Some(schema) = schema else {
            continue;
        };
        for (at, message) in schema.validate(&want.value) {
            problems.push(
                Diagnostic::error(
                    Code::SchemaViolation,
                    format!(
                        "internal error: the new block breaks KrakenD's schema at {}{at}: {message}",
                        want.pointer
                    ),
                )
                .with_help(format!(
                    "checked against {}; this is a bug in oc2otel, and the file was left unchanged",
                    schema.file.display()
                )),
            );
        }
    }
    problems
}
