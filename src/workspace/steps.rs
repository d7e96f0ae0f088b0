//! The next steps of a run: every diagnostic that asks for an action
//! ([`crate::model::next_steps`]), grouped by step across files, so that a
//! report says "set OTEL_PROPAGATORS=... in KrakenD's environment: 34
//! configs" once instead of once per file.
//!
//! Built as the files are handed to the reporter, in input order, so the
//! file lists are in the order the report shows the files; only paths and
//! counts are kept, never a message.

use std::collections::BTreeMap;

use crate::model::diagnostic::Code;
use crate::model::next_steps::{self, STEPS, Step};
use crate::workspace::outcome::FileOutcome;

/// One step and what it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepGroup {
    pub step: &'static Step,
    /// The files it concerns, in input order, each once.
    pub files: Vec<String>,
    /// The diagnostics that asked for it (`rotate 8 credentials`).
    pub occurrences: usize,
}

/// The next steps of a run so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NextSteps {
    /// By the step's place in the table.
    groups: BTreeMap<usize, StepGroup>,
}

impl NextSteps {
    /// Take in one file's diagnostics.
    pub fn add(&mut self, file: &FileOutcome) {
        for d in &file.diagnostics {
            let Some(step) = next_steps::step_for(d) else {
                continue;
            };
            let rank = STEPS
                .iter()
                .position(|s| s.id == step.id)
                .unwrap_or(usize::MAX);
            let group = self.groups.entry(rank).or_insert_with(|| StepGroup {
                step,
                files: Vec::new(),
                occurrences: 0,
            });
            group.occurrences += 1;
            if group.files.last() != Some(&file.path) {
                group.files.push(file.path.clone());
            }
        }
    }

    /// The steps, in the table's order.
    pub fn groups(&self) -> impl Iterator<Item = &StepGroup> {
        self.groups.values()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// How many distinct steps a person must do by hand.
    pub fn manual(&self) -> usize {
        self.groups().filter(|g| g.step.manual).count()
    }
}

/// How often each code was reported over a run (`--statistics`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeCounts(pub BTreeMap<Code, usize>);

impl CodeCounts {
    pub fn add(&mut self, file: &FileOutcome) {
        for d in &file.diagnostics {
            *self.0.entry(d.code).or_default() += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::{Action, Diagnostic};
    use crate::syntax::source::Format;
    use crate::workspace::outcome::FileStatus;

    fn file(path: &str, diagnostics: Vec<Diagnostic>) -> FileOutcome {
        let mut f = FileOutcome::new(path.into(), Format::Json, FileStatus::WouldMigrate);
        f.diagnostics = diagnostics;
        f
    }

    fn secret() -> Diagnostic {
        Diagnostic::warning(Code::Secret, "rotate it")
    }

    fn b3() -> Diagnostic {
        Diagnostic::warning(Code::B3Propagation, "b3").with_fate(
            Action::Manual,
            Some("env: OTEL_PROPAGATORS=tracecontext,baggage,b3multi".into()),
        )
    }

    #[test]
    fn steps_are_grouped_across_files_with_their_counts() {
        let mut steps = NextSteps::default();
        steps.add(&file("a.json", vec![b3(), secret(), secret()]));
        steps.add(&file(
            "b.json",
            vec![b3(), Diagnostic::info(Code::Layers, "x")],
        ));
        steps.add(&file("c.json", vec![secret()]));
        let groups: Vec<&StepGroup> = steps.groups().collect();
        assert_eq!(groups.len(), 2);
        // In the table's order, not the order they were met.
        assert_eq!(groups[0].step.id, "rotate-credentials");
        assert_eq!((groups[0].occurrences, groups[0].files.len()), (3, 2));
        assert_eq!(groups[1].step.id, "set-otel-propagators");
        assert_eq!(groups[1].files, ["a.json", "b.json"]);
        assert_eq!(steps.manual(), 2);
    }
}
