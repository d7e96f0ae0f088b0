//! `oc2otel explain`: what happens to every legacy field of each input,
//! and why. It runs the migration (with the same options as `migrate`,
//! since they change the fates) and writes nothing.
//!
//! Folders are walked as `migrate` walks them; only the files that
//! mention `opencensus` are explained (and any file named on the command
//! line).
//!
//! A file the migration refuses is still explained as far as the migration
//! got (every fate computed before the refusal), with the errors that stop
//! it; the run then exits 2.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::ExitStatus;
use super::args::{ExplainArgs, ReportFormat};
use super::input;
use super::printer::Printer;
use crate::migration::options::Options;
use crate::migration::{self, Status};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::report::explain::{self, Explained};
use crate::report::text;
use crate::workspace::discover::{self, DiscoverOptions};
use crate::workspace::flexible::{self, TemplateIndex};

pub fn run(args: ExplainArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let stdin = args.paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin > 1 {
        anyhow::bail!("`-` (standard input) can be given only once");
    }
    let options = Options {
        collector: input::flavor(args.collector),
        otlp_endpoint: args.otlp_endpoint.clone(),
        krakend_version: args.krakend_version,
        metrics: input::metrics(args.metrics),
        ..Options::default()
    };
    let named: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let discovery = discover::discover(
        &named,
        &DiscoverOptions {
            no_ignore: args.no_ignore,
            ..DiscoverOptions::default()
        },
    )
    .map_err(anyhow::Error::msg)?;
    let mut inputs: Vec<(PathBuf, bool)> = Vec::new();
    if stdin == 1 {
        inputs.push((PathBuf::from("-"), true));
    }
    inputs.extend(
        discovery
            .files
            .iter()
            .map(|p| (p.clone(), named.contains(p))),
    );
    // What a walk could not read is listed first, as migrate does.
    let mut files: Vec<Explained> = discovery
        .problems
        .iter()
        .map(|problem| Explained {
            path: problem.path.display().to_string(),
            error: problem.is_error,
            diagnostics: vec![if problem.is_error {
                Diagnostic::error(Code::Unreadable, problem.message.clone())
            } else {
                Diagnostic::warning(Code::Unreadable, problem.message.clone())
            }],
        })
        .collect();
    let templates = TemplateIndex::for_files(&discovery.files);
    files.extend(
        inputs
            .par_iter()
            .filter_map(|(path, named)| explain_one(path, *named, &options, &templates))
            .collect::<Vec<_>>(),
    );
    let out = match args.format {
        ReportFormat::Json => explain::json(&files),
        ReportFormat::Human => explain::human(&files, text::width(), printer.stdout_color),
    };
    printer.out(&out)?;
    Ok(if files.iter().any(|f| f.error) {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

/// Explain one input. A file a walk found (not `named`) is left out when
/// it never mentions `opencensus` or is too large to be a config: a folder
/// is explained by its legacy blocks, not by every JSON file in it.
fn explain_one(
    path: &Path,
    named: bool,
    options: &Options,
    templates: &TemplateIndex,
) -> Option<Explained> {
    let display = path.display().to_string();
    if !named {
        match crate::syntax::source::read_file(path) {
            Ok(bytes) if memchr::memmem::find(&bytes, b"opencensus").is_none() => return None,
            Err(crate::syntax::source::ReadError::TooLarge { .. }) => return None,
            _ => {}
        }
    }
    let input = match input::read(path) {
        Ok(input) => input,
        Err(diagnostic) => {
            return Some(Explained {
                path: display,
                error: true,
                diagnostics: vec![*diagnostic],
            });
        }
    };
    let migration = migration::migrate(&input.text.text, input.format, &input.name, options, None);
    if !named && migration.status == Status::Unchanged && migration.diagnostics.is_empty() {
        return None;
    }
    // Settings a template pulls in are left for a manual step, as
    // `migrate` leaves them: explain says so rather than fates that will
    // not happen.
    let pulls = templates.pulls(path);
    let diagnostics = if migration.status == Status::Migrate && !pulls.is_empty() {
        flexible::pulled_block_diagnostics(
            &input.text.text,
            input.format,
            &pulls,
            &migration.diagnostics,
        )
    } else {
        migration.diagnostics
    };
    Some(Explained {
        path: input.display,
        error: migration.status == Status::Error,
        diagnostics,
    })
}
