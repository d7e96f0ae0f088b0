//! `oc2otel explain`: what happens to every legacy field of each input,
//! and why ([`crate::workspace::ops::explain`] does the work). Exit 2 when
//! a file could not be read or migrated.

use super::ExitStatus;
use super::args::ExplainArgs;
use super::printer::Printer;
use crate::workspace::input::Inputs;
use crate::workspace::ops::explain::Explainer;
use crate::workspace::settings::Origins;

pub fn run(args: ExplainArgs, origins: Origins, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let format = args.format;
    let config = args.config.clone();
    let mut settings = super::settings::explain(args, origins);
    settings.load_project(config.as_deref())?;
    printer.settings(&settings.describe())?;
    let inputs = Inputs::collect(&settings.walk)?;
    let explainer = Explainer::new(settings, &inputs);
    let mut reporter = format.explain(printer.style);
    let summary = printer.report(|out| {
        let summary = explainer.run(&inputs, |explained| reporter.file(&explained, out))?;
        reporter.finish(&summary, out)?;
        std::io::Result::Ok(summary)
    })?;
    Ok(if summary.errors > 0 {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}
