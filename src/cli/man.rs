//! `oc2otel man [COMMAND]` (hidden, for packagers): roff man pages
//! generated from the clap definition, one per command, so the pages list
//! exactly the options the binary accepts.

use anyhow::{Context as _, bail};
use clap::CommandFactory;

use super::ExitStatus;
use super::args::{Cli, ManArgs};
use super::printer::Printer;

pub fn run(args: ManArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    // Without the implicit `help` command, as man pages do not need one.
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        clap_mangen::generate_to(root, dir)
            .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
        return Ok(ExitStatus::Success);
    }
    let command = match &args.command {
        None => root,
        Some(name) => match root.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let known: Vec<&str> = root
                    .get_subcommands()
                    .filter(|s| !s.is_hide_set())
                    .map(|s| s.get_name())
                    .collect();
                bail!("no command `{name}`; pages exist for: {}", known.join(", "));
            }
        },
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .source(format!("oc2otel {}", env!("CARGO_PKG_VERSION")))
        .render(&mut page)?;
    printer.out_bytes(&page)?;
    Ok(ExitStatus::Success)
}
