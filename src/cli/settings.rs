//! Arguments to settings, once per run (as uv's `settings`): the clap
//! types end here, and the library gets [`crate::workspace::settings`].
//! Each setting's origin (flag or default) is read from clap's matches.

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use super::args::{Cli, ExplainArgs, MigrateArgs, TargetArgs, VerifyArgs};
use super::printer::Printer;
use crate::migration::options::Options;
use crate::workspace::discover::DiscoverOptions;
use crate::workspace::settings::{
    ExplainSettings, FileSettings, MigrateSettings, Mode, Origin, Origins, VerifySettings,
    WalkSettings,
};

/// Where each setting of the subcommand in `matches` came from, by its
/// long flag (`otlp-endpoint`; positional arguments by their field name).
pub fn origins(matches: &ArgMatches) -> Origins {
    let mut origins = Origins::default();
    let Some((name, sub)) = matches.subcommand() else {
        return origins;
    };
    let command = Cli::command();
    let Some(definition) = command.find_subcommand(name) else {
        return origins;
    };
    for arg in definition.get_arguments() {
        let id = arg.get_id().as_str();
        if sub.ids().any(|present| present.as_str() == id)
            && sub.value_source(id) == Some(ValueSource::CommandLine)
        {
            origins.set(arg.get_long().unwrap_or(id), Origin::CommandLine);
        }
    }
    origins
}

/// The migration options both `migrate` and `explain` take.
fn options(target: TargetArgs) -> Options {
    Options {
        collector: target.collector,
        otlp_endpoint: target.otlp_endpoint,
        krakend_version: target.krakend_version,
        metrics: target.metrics,
        jaeger_collector: target.jaeger_collector,
        merge_settings: target.merge_settings,
        ..Options::default()
    }
}

/// The settings of `migrate`.
pub fn migrate(args: MigrateArgs, origins: Origins, printer: &Printer) -> MigrateSettings {
    let mode = if args.write {
        Mode::Write
    } else if args.check {
        Mode::Check
    } else {
        Mode::Preview
    };
    let discover = DiscoverOptions {
        no_ignore: args.no_ignore,
        include: args.include,
        exclude: args.exclude,
    };
    // `--stdin-filename` alone reads standard input (as ruff's does).
    let mut paths = args.paths;
    if args.stdin_filename.is_some() && origins.of("paths") == Origin::Default {
        paths = vec!["-".into()];
    }
    MigrateSettings {
        mode,
        walk: WalkSettings {
            paths,
            discover,
            stdin_name: args.stdin_filename,
        },
        file: FileSettings {
            options: options(args.target),
            deploy: args.emit_deploy,
        },
        collector_out: args.collector_out,
        schema_dir: args.schema_dir,
        allow_dirty: args.allow_dirty,
        diff: args.format.diff(printer.style.stdout_color),
        shown: args.format.shown(mode, printer.style.verbosity),
        step_files: args.format.step_files(printer.style.verbosity),
        pictures: args.format.spec().pictures,
        origins,
        project: None,
    }
}

/// The settings of `explain`.
pub fn explain(args: ExplainArgs, origins: Origins) -> ExplainSettings {
    let discover = DiscoverOptions {
        no_ignore: args.no_ignore,
        ..DiscoverOptions::default()
    };
    ExplainSettings {
        walk: WalkSettings {
            paths: args.paths,
            discover,
            stdin_name: None,
        },
        file: FileSettings {
            options: options(args.target),
            deploy: None,
        },
        origins,
        project: None,
    }
}

/// The settings of `verify`.
pub fn verify(args: VerifyArgs, origins: Origins) -> VerifySettings {
    VerifySettings {
        legacy: args.legacy,
        new: args.new,
        collector: args.new_collector.or(args.collector),
        otlp_endpoint: args.otlp_endpoint,
        krakend_version: args.krakend_version,
        origins,
    }
}
