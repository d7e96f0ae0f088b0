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
use crate::workspace::paths::PathList;

/// One step and what it concerns, as a report reads it.
#[derive(Debug, Clone, Copy)]
pub struct StepGroup<'a> {
    pub step: &'static Step,
    /// The files it concerns, in input order, each once.
    pub files: StepFiles<'a>,
    /// The diagnostics that asked for it (`rotate 8 credentials`).
    pub occurrences: usize,
}

/// The files of a step: entries of the run's [`PathList`].
#[derive(Debug, Clone, Copy)]
pub struct StepFiles<'a> {
    ids: &'a [usize],
    paths: &'a PathList,
}

impl<'a> StepFiles<'a> {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let paths = self.paths;
        self.ids.iter().filter_map(move |&id| paths.get(id))
    }
}

impl serde::Serialize for StepFiles<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A step as the run keeps it: its files by their index in the run's list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    step: &'static Step,
    files: Vec<usize>,
    occurrences: usize,
}

/// The next steps of a run so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NextSteps {
    /// By the step's place in the table.
    groups: BTreeMap<usize, Group>,
    /// Each file some step concerns, once (a file is under several steps).
    paths: PathList,
}

impl NextSteps {
    /// Take in one file's diagnostics.
    pub fn add(&mut self, file: &FileOutcome) {
        let mut id = None;
        for d in &file.diagnostics {
            let Some(step) = next_steps::step_for(d) else {
                continue;
            };
            let rank = STEPS
                .iter()
                .position(|s| s.id == step.id)
                .unwrap_or(usize::MAX);
            let group = self.groups.entry(rank).or_insert_with(|| Group {
                step,
                files: Vec::new(),
                occurrences: 0,
            });
            group.occurrences += 1;
            let last = group.files.last().and_then(|&last| self.paths.get(last));
            if last != Some(file.path.as_str()) {
                group
                    .files
                    .push(*id.get_or_insert_with(|| self.paths.push(&file.path)));
            }
        }
    }

    /// The steps, in the table's order.
    pub fn groups(&self) -> impl Iterator<Item = StepGroup<'_>> {
        self.groups.values().map(|g| StepGroup {
            step: g.step,
            files: StepFiles {
                ids: &g.files,
                paths: &self.paths,
            },
            occurrences: g.occurrences,
        })
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
        let groups: Vec<StepGroup> = steps.groups().collect();
        assert_eq!(groups.len(), 2);
        // In the table's order, not the order they were met.
        assert_eq!(groups[0].step.id, "rotate-credentials");
        assert_eq!((groups[0].occurrences, groups[0].files.len()), (3, 2));
        assert_eq!(groups[1].step.id, "set-otel-propagators");
        assert!(groups[1].files.iter().eq(["a.json", "b.json"]));
        assert_eq!(steps.manual(), 2);
    }
}
