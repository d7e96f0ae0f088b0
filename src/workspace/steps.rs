//! The next steps of a run: every diagnostic that asks for an action
//! ([`crate::model::next_steps`]), grouped by step across files, so that a
//! report says "set OTEL_PROPAGATORS=... in KrakenD's environment: 34
//! configs" once instead of once per file.
//!
//! Built as the files are handed to the reporter, in input order, so the
//! file lists are in the order the report shows the files; only paths and
//! counts are kept, never a message. A report that names only the first
//! few files of a step (the human report names three) keeps only those:
//! the counts are exact, and a run over a repository does not keep a path
//! for every config it migrates until its end.

use std::collections::BTreeMap;

use crate::model::diagnostic::Code;
use crate::model::next_steps::{self, Step};
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

/// The files of a step: entries of the run's [`PathList`], the first of
/// them or all (see [`NextSteps::listing`]), and how many there are.
#[derive(Debug, Clone, Copy)]
pub struct StepFiles<'a> {
    ids: &'a [usize],
    paths: &'a PathList,
    count: usize,
}

impl<'a> StepFiles<'a> {
    /// How many files the step concerns, listed or not.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The files listed, in input order.
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

/// A step as the run keeps it: the files it lists, by their index in the
/// run's list, and how many it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    step: &'static Step,
    files: Vec<usize>,
    configs: usize,
    occurrences: usize,
    /// The number of the last file counted (a file is counted once, however
    /// many of its diagnostics ask for the step).
    last_file: usize,
}

/// The next steps of a run so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NextSteps {
    /// By the step's place in the table.
    groups: BTreeMap<usize, Group>,
    /// Each file some step lists, once (a file is under several steps).
    paths: PathList,
    /// How many files each step lists (`None`: all).
    listed: Option<usize>,
    /// How many files were taken in.
    files: usize,
}

impl NextSteps {
    /// Steps that list the first `listed` files each (`None`: all of them)
    /// and only count the others.
    pub fn listing(listed: Option<usize>) -> NextSteps {
        NextSteps {
            listed,
            ..NextSteps::default()
        }
    }

    /// Take in one file's diagnostics.
    pub fn add(&mut self, file: &FileOutcome) {
        self.files += 1;
        let number = self.files;
        let mut id = None;
        for d in &file.diagnostics {
            let Some((rank, step)) = next_steps::ranked_step_for(d) else {
                continue;
            };
            let group = self.groups.entry(rank).or_insert_with(|| Group {
                step,
                files: Vec::new(),
                configs: 0,
                occurrences: 0,
                last_file: 0,
            });
            group.occurrences += 1;
            if group.last_file == number {
                continue;
            }
            group.last_file = number;
            group.configs += 1;
            if self.listed.is_none_or(|max| group.files.len() < max) {
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
                count: g.configs,
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

    #[test]
    fn steps_that_list_a_few_files_count_them_all() {
        let mut all = NextSteps::default();
        let mut few = NextSteps::listing(Some(2));
        let mut none = NextSteps::listing(Some(0));
        for path in ["a.json", "b.json", "c.json", "d.json"] {
            let f = file(path, vec![b3(), secret(), secret()]);
            for steps in [&mut all, &mut few, &mut none] {
                steps.add(&f);
            }
        }
        for (steps, listed) in [(&all, 4), (&few, 2), (&none, 0)] {
            let groups: Vec<StepGroup> = steps.groups().collect();
            assert_eq!(groups.len(), 2);
            for g in &groups {
                assert_eq!(g.files.len(), 4, "{listed}: every file counted once");
                assert_eq!(g.files.iter().count(), listed);
            }
            assert_eq!(groups[0].occurrences, 8);
            assert!(
                groups[1]
                    .files
                    .iter()
                    .eq(["a.json", "b.json", "c.json", "d.json"]
                        .into_iter()
                        .take(listed))
            );
        }
        // Only the listed files' paths are kept.
        assert_eq!((few.paths.len(), none.paths.len()), (2, 0));
    }
}
