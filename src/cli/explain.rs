//! `oc2otel explain`: what happens to every legacy field of each input,
//! and why. It runs the migration (with the same options as `migrate`,
//! since they change the fates) and writes nothing.
//!
//! A file the migration refuses is still explained as far as the migration
//! got (every fate computed before the refusal), with the errors that stop
//! it; the run then exits 2.

use rayon::prelude::*;

use super::ExitStatus;
use super::args::{ExplainArgs, ReportFormat};
use super::input;
use super::printer::Printer;
use crate::migrate::{self, Status};
use crate::options::Options;
use crate::report::explain::{self, Explained};
use crate::report::text;

pub fn run(args: ExplainArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    if args.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        anyhow::bail!("`-` (standard input) can be given only once");
    }
    let options = Options {
        collector: input::flavor(args.collector),
        otlp_endpoint: args.otlp_endpoint.clone(),
        krakend_version: args.krakend_version,
        ..Options::default()
    };
    let files: Vec<Explained> = args
        .paths
        .par_iter()
        .map(|path| explain_one(path, &options))
        .collect();
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

fn explain_one(path: &std::path::Path, options: &Options) -> Explained {
    let display = path.display().to_string();
    let input = match input::read(path) {
        Ok(input) => input,
        Err(diagnostic) => {
            return Explained {
                path: display,
                error: true,
                diagnostics: vec![*diagnostic],
            };
        }
    };
    let migration = migrate::migrate(&input.text.text, input.format, &input.name, options, None);
    Explained {
        path: input.display,
        error: migration.status == Status::Error,
        diagnostics: migration.diagnostics,
    }
}
