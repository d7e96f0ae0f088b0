//! The command line, as clap derive types. Parsing only: `settings.rs`
//! turns these into the library's settings, and the operations check
//! combinations that clap cannot express.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::migration::options::{
    CollectorFlavor, MergeSettings, MetricsTarget, OtlpEndpoint, TargetVersion,
};
use crate::migration::render::deploy::Platform;
use crate::report::{Format, ViewFormat};

const ABOUT: &str = "Migrate KrakenD configs from OpenCensus (telemetry/opencensus) to OpenTelemetry, \
and write the ADOT collector config the new block sends to.";

const EXAMPLES: &str = "\
Examples:
  oc2otel migrate krakend.json                preview the change as a diff (writes nothing)
  oc2otel migrate --check .                   list the configs under . that still need migrating
  oc2otel migrate --write krakend.json        apply it, and write krakend.otel-collector.yaml
  oc2otel migrate --check krakend.json        exit 1 while a migration is pending (for CI)
  oc2otel migrate - < krakend.json            print the migrated config on stdout
  oc2otel migrate --format json krakend.json  machine-readable report
  oc2otel explain krakend.json                what happens to each legacy field, and why
  oc2otel verify old.json new.json            check that a migration kept the behaviour";

const MIGRATE_EXAMPLES: &str = "\
Examples:
  oc2otel migrate krakend.json
      Show the diff of krakend.json and of the collector config to be created.
  oc2otel migrate --write krakend.json prod.json
      Rewrite both files in place; each gets its <stem>.otel-collector.yaml.
  oc2otel migrate --check .
      Walk the repository (honouring .gitignore) and list the configs to migrate.
  oc2otel migrate --write --exclude 'legacy/**' config/
      Migrate every config under config/ except those under config/legacy/.
  oc2otel migrate --check --format json krakend.json
      In CI: exit 1 if krakend.json still uses OpenCensus, with a JSON report.
  oc2otel migrate --collector contrib --otlp-endpoint otel-collector:4317 krakend.json
      Target an otelcol-contrib collector reachable at otel-collector:4317.
  oc2otel migrate --write --collector-out adot.yaml - < krakend.json > new.json
      Filter stdin to stdout and write the collector config to adot.yaml.
  oc2otel migrate --write --metrics emf --emit-deploy ecs krakend.json
      Also send metrics to CloudWatch, and write krakend.deploy.ecs.json.
  oc2otel migrate --check --format sarif krakend.json > oc2otel.sarif
      Code scanning: a SARIF log of every diagnostic and pending migration.

Exit status: 0 done or nothing to do, 1 --check found pending migrations,
2 an error in any file (bad input, I/O, refused migration) or bad usage.";

#[derive(Debug, Parser)]
#[command(
    name = "oc2otel",
    version,
    about = ABOUT,
    after_help = EXAMPLES,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Global options come last in every command's help (after the command's
/// own options), not interleaved with them.
#[derive(Debug, Args)]
#[command(next_display_order = 1000)]
pub struct GlobalArgs {
    /// When to color the output (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print only errors and the files concerned.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every diagnostic with its source snippet.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate KrakenD configs: preview (default), --write or --check.
    #[command(after_help = MIGRATE_EXAMPLES)]
    Migrate(MigrateArgs),
    /// Explain what happens to every legacy field, and why (writes nothing).
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Check that a migrated config does what the legacy one did.
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Print a shell completion script (e.g. `oc2otel completions bash`).
    Completions(CompletionsArgs),
    /// Print the man page (roff) of oc2otel or of one of its commands.
    #[command(hide = true)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`migrate`); the main page if absent.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
    /// Write every page (oc2otel.1, oc2otel-migrate.1, ...) into DIR instead.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  oc2otel explain krakend.json
      A table per legacy block: field, action, where it went, why, and the page to read.
  oc2otel explain --format json krakend.json
      The same as one JSON document.
  oc2otel explain --collector contrib --krakend-version 2.10 krakend.json
      The fates for another collector and KrakenD version (they change some of them).

Exit status: 0 explained, 2 a file could not be read or migrated (its errors are
listed, with the fates computed before the refusal) or bad usage.";

const VERIFY_EXAMPLES: &str = "\
Examples:
  oc2otel verify krakend.json.orig krakend.json
      Compare the effective telemetry of the legacy config with the migrated one
      (the collector config is krakend.otel-collector.yaml next to it, if present).
  oc2otel verify --new-collector adot.yaml --otlp-endpoint adot:4317 old.json new.json
      A hand migration whose collector config is adot.yaml, reached at adot:4317.
  oc2otel verify --format json old.json new.json
      Both behaviours and the differences as one JSON document.
  oc2otel verify <(git show HEAD:krakend.json) krakend.json
      The committed legacy config against the migrated one (pipes and `-` are read).

Exit status: 0 same behaviour (notes list inherent changes), 1 differences
(listed), 2 bad input or usage.";

/// The library's option enums as flag values, with one help line each
/// (the library's types know nothing of clap; a new variant fails to
/// compile here until it has its value).
macro_rules! value_enum {
    ($ty:ty { $($variant:ident => $name:literal, $help:literal;)* }) => {
        impl ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &[$(Self::$variant),*]
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(match self {
                    $(Self::$variant => PossibleValue::new($name).help($help)),*
                })
            }
        }
    };
}

value_enum!(CollectorFlavor {
    Auto => "auto", "Per file: ADOT when it ships every exporter the file needs, else otelcol-contrib";
    Adot => "adot", "AWS Distro for OpenTelemetry (aws-otel-collector)";
    Contrib => "contrib", "The upstream otelcol-contrib distribution";
});

value_enum!(MetricsTarget {
    Legacy => "legacy", "Metrics go where the legacy exporters sent them, nowhere else";
    Emf => "emf", "Also to CloudWatch, through the collector's awsemf exporter";
});

value_enum!(MergeSettings {
    Refuse => "refuse", "Refuse the merge (error OC010 says what to change)";
    Existing => "existing", "Keep the existing block's setting; the appended exporters follow it";
    Legacy => "legacy", "Write the legacy setting; the existing exporters follow it too";
});

value_enum!(Platform {
    Compose => "compose", "Docker Compose services: <stem>.deploy.compose.yaml";
    Ecs => "ecs", "An Amazon ECS task definition: <stem>.deploy.ecs.json";
    K8s => "k8s", "Kubernetes objects (a Deployment with the sidecar): <stem>.deploy.k8s.yaml";
});

/// `--format` of `migrate`: the values are the report layer's formats.
impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let spec = self.spec();
        Some(PossibleValue::new(spec.name).help(spec.help))
    }
}

/// `--format` of `explain` and `verify`.
impl ValueEnum for ViewFormat {
    fn value_variants<'a>() -> &'a [Self] {
        ViewFormat::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let (name, help) = self.describe();
        Some(PossibleValue::new(name).help(help))
    }
}

/// What the migrated configs target, shared by `migrate` and `explain`
/// (whose fates depend on it).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Collector distribution the collector config is written for (`auto`: ADOT, unless a file needs an exporter only otelcol-contrib ships).
    #[arg(long, value_enum, default_value_t = CollectorFlavor::Auto)]
    pub collector: CollectorFlavor,

    /// Where KrakenD reaches the collector over OTLP/gRPC.
    #[arg(long, value_name = "HOST[:PORT]", default_value = "localhost:4317", value_parser = parse_endpoint)]
    pub otlp_endpoint: OtlpEndpoint,

    /// KrakenD version the result must run on: `auto` (each file's `$schema` version, else the latest) or X.Y (2.6 or later; 3.0 is known).
    #[arg(long, value_name = "auto|X.Y", default_value = "auto", value_parser = parse_target)]
    pub krakend_version: TargetVersion,

    /// The Jaeger collector's OTLP gRPC address (port 4317 by default), where a Jaeger exporter that sent to a jaeger-agent (`agent_endpoint`, no OTLP port) now sends.
    #[arg(long, value_name = "HOST[:PORT]", value_parser = parse_endpoint)]
    pub jaeger_collector: Option<OtlpEndpoint>,

    /// Also send KrakenD's metrics to CloudWatch (`emf`: the collector's awsemf exporter).
    #[arg(long, value_enum, value_name = "TARGET", default_value_t = MetricsTarget::Legacy)]
    pub metrics: MetricsTarget,

    /// Which side wins a sampling, layer or period setting that an existing telemetry/opentelemetry block and the legacy block both govern (default: refuse the merge and say what to change).
    #[arg(long, value_enum, value_name = "SIDE", default_value_t = MergeSettings::Refuse)]
    pub merge_settings: MergeSettings,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Config files or folders to explain (folders are walked as `migrate` walks them); `-` reads standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Human)]
    pub format: ViewFormat,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Walk folders without honouring `.gitignore`, `.ignore` and git's exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// The project config file [default: the first oc2otel.toml up from the first PATH].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The config with the OpenCensus block (before the migration).
    #[arg(value_name = "LEGACY")]
    pub legacy: PathBuf,

    /// The migrated config (after).
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// The collector config NEW sends to [default: <NEW stem>.otel-collector.yaml next to NEW, if it exists].
    #[arg(long, value_name = "FILE")]
    pub new_collector: Option<PathBuf>,

    /// The old spelling of --new-collector (it clashed with `migrate --collector`).
    #[arg(
        long,
        value_name = "FILE",
        hide = true,
        conflicts_with = "new_collector"
    )]
    pub collector: Option<PathBuf>,

    /// Where NEW's KrakenD reaches that collector: the OTLP exporter sending there is followed through it.
    #[arg(long, value_name = "HOST[:PORT]", default_value = "localhost:4317", value_parser = parse_endpoint)]
    pub otlp_endpoint: OtlpEndpoint,

    /// KrakenD version NEW runs on (decides whether `service_version` and per-exporter periods apply); `auto`: the version of NEW's `$schema`, else the latest release, as migrate decides.
    #[arg(long, value_name = "auto|X.Y", default_value = "auto", value_parser = parse_target)]
    pub krakend_version: TargetVersion,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Human)]
    pub format: ViewFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Config files or folders to migrate (folders are walked); `-` reads standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Rewrite the files in place and write their collector configs.
    #[arg(long, conflicts_with = "check")]
    pub write: bool,

    /// Write nothing; list the files that need migration and exit 1 if any.
    #[arg(long)]
    pub check: bool,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Write the collector config here instead of next to the config (one input only).
    #[arg(long, value_name = "FILE")]
    pub collector_out: Option<PathBuf>,

    /// Write a sidecar snippet for the collector next to each config.
    #[arg(long, value_enum, value_name = "PLATFORM")]
    pub emit_deploy: Option<Platform>,

    /// Validate each new block against KrakenD's JSON schemas in DIR (laid out as vX.Y/...).
    #[arg(long, value_name = "DIR")]
    pub schema_dir: Option<PathBuf>,

    /// Write files even if git holds no clean copy of them (uncommitted changes).
    #[arg(long)]
    pub allow_dirty: bool,

    /// In folders, also walk what .gitignore / .ignore files exclude.
    #[arg(long)]
    pub no_ignore: bool,

    /// In folders, only take files matching GLOB (repeatable; `*.tmpl`, `config/**`).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// In folders, skip files matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// The project config file [default: the first oc2otel.toml up from the first PATH].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Standard input's name in messages; its extension gives the format (`.yaml`, `.toml`).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// End with a table of how often each diagnostic code was reported.
    #[arg(long)]
    pub statistics: bool,

    /// Also exit 1 when a warning (`warning`) or a manual step (`manual`) remains.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,
}

/// What else fails a run (`--fail-on`), besides errors and `--check`'s pending files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any warning diagnostic.
    Warning,
    /// Any next step a person must do by hand.
    Manual,
}

fn parse_endpoint(s: &str) -> Result<OtlpEndpoint, String> {
    s.parse()
}

fn parse_target(s: &str) -> Result<TargetVersion, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
