//! Migrating one configuration text: one pipeline for every format,
//! without I/O.
//!
//! [`input`] gives the located legacy blocks (a parsed document's, or a
//! template's literal blocks) with the editor of the text's syntax; then
//! the same steps run for all: the document checks ([`checks`]), the
//! conversion of every block KrakenD reads ([`blocks`]), the new block in
//! place of the legacy one or merged into an existing one, and the
//! collector config ([`place`]), the edits applied, and the output
//! verified with the behaviour self-check ([`verify`]). Anything that fails
//! there is a bug in oc2otel, reported as an internal error; the file is
//! then left alone.

mod blocks;
mod checks;
mod focus;
mod input;
mod place;
mod target;
mod verify;

use crate::migration::behaviour::check::Baseline;
use crate::migration::behaviour::legacy;
use crate::migration::intent::Intent;
use crate::migration::options::Options;
use crate::migration::render::collector::CollectorConfig;
use crate::migration::schema::SchemaValidator;
use crate::model::diagnostic::{self, Code, Diagnostic};
use crate::model::locate::Mentions;
use crate::model::redact;
use crate::syntax::edit::{self, Edit};
use crate::syntax::source::{Format, LineCursor};
use crate::syntax::template;
use crate::syntax::tree::Span;
use crate::syntax::{self};

use blocks::Run;
use input::{Input, LEGACY_KEYS};
use place::Expected;
use verify::SelfCheck;

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
    /// Spans of secret values in the input.
    pub input_secrets: Vec<Span>,
    /// Spans of secret values in the output, when there is one: its own,
    /// and every input secret the edits left in place (an anchor that no
    /// longer sits under `headers` is still a header value), so that the
    /// two sides of a diff hide the same bytes.
    pub output_secrets: Vec<Span>,
    /// The intent of the (last) service-level block converted.
    pub intent: Option<Intent>,
    /// The config's own `name` (KrakenD's root `name`), when it has one:
    /// what deployment snippets name the service after.
    pub config_name: Option<String>,
    /// The options the file was migrated with, `auto` resolved: the
    /// collector flavour and KrakenD version it was migrated for.
    pub options: Options,
}

impl Migration {
    fn finish(
        format: Format,
        status: Status,
        text: &str,
        mut diagnostics: Vec<Diagnostic>,
        input_secrets: Vec<Span>,
        options: Options,
    ) -> Migration {
        // Sorted first: their offsets then increase, and one pass over
        // the text places them all.
        diagnostic::sort(&mut diagnostics);
        let mut lines = LineCursor::new(text);
        // No message quotes a secret of the input, whichever rule wrote it.
        let scrubber = redact::Scrubber::new(text, &input_secrets);
        for d in &mut diagnostics {
            d.locate_in_order(&mut lines);
            scrubber.diagnostic(d);
        }
        Migration {
            status,
            format,
            output: None,
            collector: None,
            diagnostics,
            input_secrets,
            output_secrets: Vec::new(),
            intent: None,
            config_name: None,
            options,
        }
    }
}

/// Everything decided about a text before its edits are applied; owns
/// nothing of the input's tree, which is freed before the output is read.
struct Plan {
    format: Format,
    status: Status,
    diagnostics: Vec<Diagnostic>,
    input_secrets: Vec<Span>,
    edits: Vec<Edit>,
    expected: Vec<Expected>,
    checks: Vec<SelfCheck>,
    /// Whether the self-check may read a JSON output with a focus
    /// ([`focus::of_output`]).
    focus_output: bool,
    collector: Option<CollectorConfig>,
    intent: Option<Intent>,
    config_name: Option<String>,
    /// The options, `auto` resolved for this file.
    options: Options,
}

impl Plan {
    fn stop(
        input: &Input,
        status: Status,
        diagnostics: Vec<Diagnostic>,
        options: &Options,
    ) -> Plan {
        Plan {
            format: input.format,
            status,
            diagnostics,
            input_secrets: input.secrets.clone(),
            edits: Vec::new(),
            expected: Vec::new(),
            checks: Vec::new(),
            focus_output: false,
            collector: None,
            intent: None,
            config_name: input
                .root_member("name")
                .and_then(|(_, node)| node.as_str().map(String::from)),
            options: options.clone(),
        }
    }
}

pub use target::version_of as target_version;

/// Migrate `text`. `source_name` names the file in the collector header.
pub fn migrate(
    text: &str,
    format: Format,
    source_name: &str,
    options: &Options,
    schema: Option<&SchemaValidator>,
) -> Migration {
    migrate_reading(text, format, source_name, options, schema, Read::Chosen)
}

/// How much of a JSON input's tree is built: [`migrate`] chooses; the
/// tests hold the focused read to the whole one through
/// [`migrate_reading`].
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Focused when that costs nothing, or when the config is large: a run
    /// that finds the secrets reads each unbuilt part again for them,
    /// which costs more than building a small config whole.
    Chosen,
    /// What the migration reads ([`focus::of_input`]).
    Focused,
    Whole,
}

/// From this size on, a run that finds the config's secrets reads it with
/// a focus too: its memory then stays within a few times its size.
const FOCUSED_WITH_SECRETS_FROM: usize = 256 * 1024;

/// [`migrate`], reading a JSON input as `read` says. Public for the tests
/// that hold the reads to each other only.
#[doc(hidden)]
pub fn migrate_reading(
    text: &str,
    format: Format,
    source_name: &str,
    options: &Options,
    schema: Option<&SchemaValidator>,
    read: Read,
) -> Migration {
    let again = |format| migrate_reading(text, format, source_name, options, schema, read);
    let plan = match format {
        Format::Template => {
            let scan = template::scan(text, &LEGACY_KEYS);
            // A partial without actions may be a plain YAML document
            // (Flexible Configuration also renders YAML): migrate it as one.
            if scan.found.is_empty() && scan.actions.is_empty() && syntax::yaml::parse(text).is_ok()
            {
                let mut migration = again(Format::Yaml);
                migration.format = Format::Template;
                return migration;
            }
            let holders = input::holders(text, &scan);
            plan(Input::template(text, &scan, &holders), options, source_name)
        }
        _ => {
            let mentions = Mentions::of(text, format);
            match parse_input(text, format, mentions.as_ref(), options, read) {
                Ok(document) => {
                    let input = Input::tree_mentioning(
                        text,
                        format,
                        &*document,
                        options.find_secrets,
                        mentions,
                    );
                    plan(input, options, source_name)
                }
                // Flexible Configuration files often keep a `.json` name.
                Err(_) if format == Format::Json && text.contains("{{") => {
                    return again(Format::Template);
                }
                Err(err) => return invalid(text, format, err, options),
            }
        }
    };
    apply(text, plan, schema)
}

/// The input's document, built only where the migration reads it when it
/// can be ([`focus::of_input`]: a JSON text whose `mentions` are known).
fn parse_input<'t>(
    text: &'t str,
    format: Format,
    mentions: Option<&Mentions>,
    options: &Options,
    read: Read,
) -> Result<Box<dyn syntax::Document + 't>, syntax::SyntaxError> {
    let focused = match read {
        Read::Chosen => !options.find_secrets || text.len() >= FOCUSED_WITH_SECRETS_FROM,
        Read::Focused => true,
        Read::Whole => false,
    };
    let focus = mentions.filter(|_| focused).map(focus::of_input);
    syntax::parse_focused(text, format, focus.as_ref())
}

/// A text that does not parse.
fn invalid(text: &str, format: Format, err: syntax::SyntaxError, options: &Options) -> Migration {
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
    let secrets = redact::lexical_secret_spans(text);
    Migration::finish(
        format,
        Status::Error,
        text,
        vec![d],
        secrets,
        options.clone(),
    )
}

/// Every step up to the edits, for any input.
fn plan(input: Input<'_>, options: &Options, source_name: &str) -> Plan {
    // `auto` is resolved first: every step below sees one collector and
    // one KrakenD version.
    let mut decodes = blocks::Decodes::default();
    let (resolved, target_notes) = target::resolve(&input, options, &mut decodes);
    let options = &resolved;
    let mut run = Run::new(&input, options);
    run.decodes = decodes;
    run.diagnostics.extend(input.notices.iter().cloned());
    run.diagnostics.extend(checks::unread(&input));
    run.diagnostics.extend(checks::embedded(&input));
    run.diagnostics.extend(target::influx_removed(&input));
    if !input.located.is_pending() {
        let status = if run.failed() {
            Status::Error
        } else {
            Status::Unchanged
        };
        return Plan::stop(&input, status, run.diagnostics, options);
    }
    if let Some(refused) = checks::version(&input).or_else(|| checks::numbers(&input)) {
        run.diagnostics.push(refused);
        return Plan::stop(&input, Status::Error, run.diagnostics, options);
    }
    run.diagnostics.extend(target_notes);
    run.diagnostics.extend(target::krakend_3(&input));
    run.diagnostics
        .extend(checks::schema_url(&input, options.version()));
    let converted = blocks::service(&mut run);
    blocks::scoped(&mut run);
    let mut expected = Vec::new();
    let mut placed = Vec::new();
    let mut collectors = Vec::new();
    let mut intent = None;
    for (block_intent, block) in converted {
        if let Some(block_expected) = place::place(&mut run, &block, &block_intent) {
            placed.push((block.container.span.clone(), expected.len()));
            expected.push(block_expected);
            collectors.extend(CollectorConfig::for_intent(
                &block_intent,
                options,
                source_name,
            ));
            intent = Some(block_intent);
        }
    }
    collectors.dedup();
    if collectors.len() > 1 {
        run.diagnostics.push(
            Diagnostic::error(
                Code::TemplatedBlock,
                "the template's legacy blocks need different collector configs, and one config gets one collector file",
            )
            .with_help("migrate the variants separately (for example one template per environment)"),
        );
    }
    let collector = collectors.pop();
    run.flush_removals();
    run.diagnostics
        .extend(checks::protected(&input, &run.edits));
    let dropped = checks::dropped_comments(&input, &run.edits);
    run.diagnostics.extend(dropped);
    let checks = if options.verify_output {
        self_checks(&input, &placed, collector.as_ref(), options)
    } else {
        Vec::new()
    };
    // The output's secrets come partly from the input's on a focused parse
    // (see `focus`): only when those were found, or none are shown.
    let focus_output = input.format == Format::Json
        && options.verify_output
        && (options.find_secrets || !options.show_output);
    let status = if run.failed() {
        Status::Error
    } else {
        Status::Migrate
    };
    let Run {
        diagnostics, edits, ..
    } = run;
    Plan {
        edits,
        expected,
        checks,
        focus_output,
        collector,
        intent,
        ..Plan::stop(&input, status, diagnostics, options)
    }
}

/// What each service-level legacy block did, read independently of the
/// conversion, with the new block that replaced it (by index into the
/// expected blocks); and what an existing `telemetry/opentelemetry` did.
fn self_checks(
    input: &Input,
    placed: &[(Span, usize)],
    collector: Option<&CollectorConfig>,
    options: &Options,
) -> Vec<SelfCheck> {
    let existing = input
        .root()
        .and_then(|root| Baseline::existing(root, collector, options));
    // A legacy block that does not decode has failed the migration.
    legacy::sides(&input.located)
        .into_iter()
        .flatten()
        .map(|side| SelfCheck {
            placed: placed
                .iter()
                .find(|(container, _)| *container == side.container)
                .map(|(_, index)| *index),
            baseline: Baseline::new(side, existing.clone()),
        })
        .collect()
}

/// Apply the plan's edits and check the output.
fn apply(text: &str, plan: Plan, schema: Option<&SchemaValidator>) -> Migration {
    let Plan {
        format,
        status,
        mut diagnostics,
        input_secrets,
        ..
    } = plan;
    let options = &plan.options;
    let finish = |status, diagnostics, input_secrets| {
        Migration::finish(
            format,
            status,
            text,
            diagnostics,
            input_secrets,
            options.clone(),
        )
    };
    if status != Status::Migrate {
        return finish(status, diagnostics, input_secrets);
    }
    let output = match edit::apply(text, &plan.edits) {
        Ok(output) => output,
        Err(err) => {
            diagnostics.push(Diagnostic::internal(format!(
                "the edits could not be applied: {err}"
            )));
            return finish(Status::Error, diagnostics, input_secrets);
        }
    };
    let checked_secrets = if options.verify_output {
        let focus = (plan.focus_output)
            .then(|| focus::of_output(&plan.edits, &output))
            .flatten();
        let output_check = verify::Checked {
            format,
            expected: &plan.expected,
            checks: &plan.checks,
            collector: plan.collector.as_ref(),
            focus: focus.as_ref(),
        };
        match output_check.run(&output, schema, options, &diagnostics) {
            Ok(secrets) => Some(secrets),
            Err(problems) => {
                diagnostics.extend(problems);
                return finish(Status::Error, diagnostics, input_secrets);
            }
        }
    } else {
        None
    };
    // The collector config says it stores no credentials: hold it to that
    // wherever it is written or shown (`--check` shows no output, and
    // skips this with the rest of the output's checks).
    if let Some(collector) = &plan.collector
        && options.verify_output
        && !redact::spans_in(&collector.to_yaml(), Format::Yaml).is_empty()
    {
        diagnostics.push(Diagnostic::internal(
            "the collector config would hold a credential",
        ));
        return finish(Status::Error, diagnostics, input_secrets);
    }
    // The input's secrets where the edits moved them, and every secret the
    // output holds as it reads (a credential-looking value that only the
    // edits placed in a secret's context, say), found on the verifying
    // parse (with a focus, in what it built: the moved input secrets are
    // the rest's, see `focus`). Unverified (only `--check`, which shows
    // no output), the moved input secrets are all.
    let mut output_secrets = edit::map_spans(&input_secrets, &plan.edits);
    output_secrets.extend(checked_secrets.unwrap_or_default());
    let mut migration = finish(Status::Migrate, diagnostics, input_secrets);
    migration.output_secrets = output_secrets;
    migration.output = Some(output);
    migration.collector = plan.collector;
    migration.intent = plan.intent;
    migration.config_name = plan.config_name;
    migration
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "{\n  {{ include \"endpoints.tmpl\" }},\n  \"extra_config\": {\"telemetry/opencensus\": {\"sample_rate\": 20, \"exporters\": {\"xray\": {\"region\": \"eu-west-1\", \"use_env\": true}}}}\n}\n";

    fn template_plan(options: &Options) -> Plan {
        let scan = template::scan(TEMPLATE, &LEGACY_KEYS);
        let holders = input::holders(TEMPLATE, &scan);
        plan(
            Input::template(TEMPLATE, &scan, &holders),
            options,
            "k.tmpl",
        )
    }

    #[test]
    fn a_templates_block_gets_the_behaviour_self_check() {
        let options = Options::default();
        let mut plan = template_plan(&options);
        assert_eq!(plan.status, Status::Migrate);
        assert_eq!(plan.checks.len(), 1);
        let output = edit::apply(TEMPLATE, &plan.edits).unwrap();
        let check = |plan: &Plan, output: &str, diagnostics: &[Diagnostic]| {
            let checked = verify::Checked {
                format: Format::Template,
                expected: &plan.expected,
                checks: &plan.checks,
                collector: plan.collector.as_ref(),
                focus: None,
            };
            checked
                .run(output, None, &options, diagnostics)
                .err()
                .unwrap_or_default()
        };
        assert!(check(&plan, &output, &plan.diagnostics).is_empty());
        // An inherent change needs its diagnostic.
        let without: Vec<Diagnostic> = plan
            .diagnostics
            .iter()
            .filter(|d| d.code != Code::SamplingRatio)
            .cloned()
            .collect();
        let found = check(&plan, &output, &without);
        assert!(found[0].message.contains("parent-based"), "{found:#?}");
        // A block rendered wrong (and read back as rendered) is caught.
        let tampered = output.replace("0.2", "0.5");
        plan.expected[0].value["trace_sample_rate"] = 0.5.into();
        let found = check(&plan, &tampered, &plan.diagnostics);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.contains("sampling"), "{found:#?}");
    }
}
