//! Arguments to settings, once per run (as uv's `settings`): the clap
//! types end here, and the library gets [`crate::workspace::settings`].
//! Each setting's origin (flag or default) is read from clap's matches.

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use super::args::{Cli, ExplainArgs, MigrateArgs, VerifyArgs};
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
    MigrateSettings {
        mode,
        walk: WalkSettings {
            paths: args.paths,
            discover,
        },
        file: FileSettings {
            options: Options {
                collector: args.collector.into(),
                otlp_endpoint: args.otlp_endpoint,
                krakend_version: args.krakend_version,
                metrics: args.metrics.into(),
                jaeger_collector: args.jaeger_collector,
                merge_settings: args.merge_settings.into(),
                ..Options::default()
            },
            deploy: args.emit_deploy.map(Into::into),
        },
        collector_out: args.collector_out,
        schema_dir: args.schema_dir,
        allow_dirty: args.allow_dirty,
        diff: args.format.diff(printer.style.stdout_color),
        origins,
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
        },
        file: FileSettings {
            options: Options {
                collector: args.collector.into(),
                otlp_endpoint: args.otlp_endpoint,
                krakend_version: args.krakend_version,
                metrics: args.metrics.into(),
                jaeger_collector: args.jaeger_collector,
                ..Options::default()
            },
            deploy: None,
        },
        origins,
    }
}

/// The settings of `verify`.
pub fn verify(args: VerifyArgs, origins: Origins) -> VerifySettings {
    VerifySettings {
        legacy: args.legacy,
        new: args.new,
        collector: args.collector,
        otlp_endpoint: args.otlp_endpoint,
        krakend_version: args.krakend_version,
        origins,
    }
}
