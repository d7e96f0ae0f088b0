//! `explain` as a library operation: what happens to every legacy field of
//! each input, and why. It runs the migration (with the same options as
//! `migrate`, since they change the fates) and writes nothing.
//!
//! Folders are walked as `migrate` walks them; only the files that mention
//! `opencensus` are explained (and any file named on the command line). A
//! file the migration refuses is still explained as far as the migration
//! got (every fate computed before the refusal), with the errors that stop
//! it.

use crate::migration::picture::Picture;
use crate::migration::{self, Status};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::workspace::flexible::{self, TemplateIndex};
use crate::workspace::input::{Input, InputKind, Inputs, ReadOutcome};
use crate::workspace::settings::ExplainSettings;

/// What `explain` found in one input.
#[derive(Debug, Clone)]
pub struct Explained {
    /// As the user gave it (`-` for standard input).
    pub path: String,
    /// The file could not be read, parsed or migrated: its fates are those
    /// computed before the refusal, and the errors say why.
    pub error: bool,
    /// Sorted, located.
    pub diagnostics: Vec<Diagnostic>,
    /// The before/after picture of the telemetry pipelines, when the file
    /// has a legacy block that migrates.
    pub picture: Option<Picture>,
}

/// Totals over an `explain` run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExplainSummary {
    /// Files explained.
    pub files: usize,
    /// Of which could not be read or migrated.
    pub errors: usize,
}

/// An explain run: its settings and the templates' actions, read once.
pub struct Explainer {
    settings: ExplainSettings,
    templates: TemplateIndex,
}

impl Explainer {
    pub fn new(settings: ExplainSettings, inputs: &Inputs) -> Explainer {
        Explainer {
            settings,
            templates: TemplateIndex::for_files(&inputs.files()),
        }
    }

    /// Explain every input and hand each result, in input order, to `emit`
    /// (what the walk could not read comes first, as `migrate` has it).
    pub fn run<E>(
        &self,
        inputs: &Inputs,
        mut emit: impl FnMut(Explained) -> Result<(), E>,
    ) -> Result<ExplainSummary, E> {
        let mut summary = ExplainSummary::default();
        let mut hand_over = |explained: Explained| {
            summary.files += 1;
            summary.errors += usize::from(explained.error);
            emit(explained)
        };
        for problem in &inputs.problems {
            let d = if problem.is_error {
                Diagnostic::error(Code::Unreadable, problem.message.clone())
            } else {
                Diagnostic::warning(Code::Unreadable, problem.message.clone())
            };
            hand_over(Explained {
                path: problem.path.display().to_string(),
                error: problem.is_error,
                diagnostics: vec![d],
                picture: None,
            })?;
        }
        super::in_chunks(
            inputs,
            super::Order::Overlapping,
            |input| self.explain_file(input),
            |_| {},
            |explained| {
                explained
                    .into_iter()
                    .filter_map(|(_, explained)| explained)
                    .try_for_each(&mut hand_over)
            },
        )?;
        Ok(summary)
    }

    /// Explain one input. A file a walk found is left out (`None`) when it
    /// never mentions `opencensus`, is too large to be a config, or has no
    /// legacy block: a folder is explained by its legacy blocks, not by
    /// every JSON file in it.
    pub fn explain_file(&self, input: &Input) -> Option<Explained> {
        let loaded = match input.read() {
            ReadOutcome::Text(loaded) => loaded,
            // A file named on the command line is listed, if only to say
            // it has nothing to explain.
            ReadOutcome::Skipped(None) if input.kind() == InputKind::Explicit => {
                return Some(Explained {
                    path: input.display(),
                    error: false,
                    diagnostics: Vec::new(),
                    picture: None,
                });
            }
            ReadOutcome::Skipped(_) => return None,
            ReadOutcome::Failed(diagnostic) => {
                return Some(Explained {
                    path: input.display(),
                    error: true,
                    diagnostics: vec![diagnostic],
                    picture: None,
                });
            }
        };
        let text = &loaded.text;
        let options = &self.settings.for_file(input).options;
        let migration = migration::migrate(text, input.format(), &input.name(), options, None);
        let walked = input.kind() == InputKind::Walked;
        if walked && migration.status == Status::Unchanged && migration.diagnostics.is_empty() {
            return None;
        }
        // Settings a template pulls in are left for a manual step, as
        // `migrate` leaves them: explain says so rather than fates that
        // will not happen.
        let pulls = input
            .path()
            .map(|p| self.templates.pulls(p))
            .unwrap_or_default();
        let picture = Picture::of(&migration).filter(|_| pulls.is_empty());
        let diagnostics = if migration.status == Status::Migrate && !pulls.is_empty() {
            flexible::pulled_block_diagnostics(text, input.format(), &pulls, &migration.diagnostics)
        } else {
            migration.diagnostics
        };
        Some(Explained {
            path: input.display(),
            error: migration.status == Status::Error,
            diagnostics,
            picture,
        })
    }
}
