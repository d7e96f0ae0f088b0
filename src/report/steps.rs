//! How the next steps of a run read, for every format that lists them
//! (the human report, the markdown report, the JSON report's `text`): the
//! step's text with its counts, and the files it concerns.

use std::borrow::Cow;

use super::shown;
use crate::model::next_steps::Count;
use crate::workspace::steps::StepGroup;

fn plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// The step with its counts: "set OTEL_PROPAGATORS=... in KrakenD's
/// environment: 34 configs", "rotate 8 credentials found in 4 files: ...".
pub fn headline(group: &StepGroup<'_>) -> String {
    let files = group.files.len();
    match group.step.count {
        Count::Configs => format!(
            "{}: {}",
            group.step.text,
            plural(files, "config", "configs")
        ),
        Count::Items {
            singular,
            plural: p,
        } => group
            .step
            .text
            .replace("{items}", &plural(group.occurrences, singular, p))
            .replace("{files}", &plural(files, "file", "files")),
    }
}

/// The files a step concerns: all of them, or the first `max` and how many
/// more.
pub fn files(group: &StepGroup<'_>, max: Option<usize>) -> String {
    let shown_files: Vec<Cow<'_, str>> = group
        .files
        .iter()
        .take(max.unwrap_or(usize::MAX))
        .map(|f| shown(f))
        .collect();
    let rest = group.files.len() - shown_files.len();
    let mut text = shown_files.join(", ");
    if rest > 0 {
        text.push_str(&format!(" and {rest} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::{Action, Code, Diagnostic};
    use crate::model::next_steps::by_id;
    use crate::syntax::source::Format;
    use crate::workspace::outcome::{FileOutcome, FileStatus};
    use crate::workspace::steps::NextSteps;

    #[test]
    fn counts_read_as_configs_or_as_items_in_files() {
        let outcome = |path: &str, code: Code| {
            let mut file = FileOutcome::new(path.into(), Format::Json, FileStatus::WouldMigrate);
            let b3 = by_id("set-otel-propagators").unwrap().code == code;
            let diagnostic = Diagnostic::warning(code, "x");
            file.diagnostics = vec![match b3 {
                true => diagnostic.with_fate(
                    Action::Manual,
                    Some("env: OTEL_PROPAGATORS=tracecontext,baggage,b3multi".into()),
                ),
                false => diagnostic,
            }];
            file
        };
        let mut steps = NextSteps::default();
        for path in ["a", "b", "c\u{1b}"] {
            steps.add(&outcome(path, Code::B3Propagation));
        }
        let group = steps.groups().next().unwrap();
        assert_eq!(group.step.id, "set-otel-propagators");
        assert!(headline(&group).ends_with(": 3 configs"));
        assert_eq!(files(&group, Some(2)), "a, b and 1 more");
        assert_eq!(files(&group, None), "a, b, c\\u{1b}");
        let mut steps = NextSteps::default();
        steps.add(&outcome("a", Code::Secret));
        let secrets = steps.groups().next().unwrap();
        assert!(
            headline(&secrets).starts_with("rotate 1 credential found in 1 file ("),
            "{}",
            headline(&secrets)
        );
    }
}
