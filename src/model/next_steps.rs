//! What a person does after a migration, as data: **the next-step table**.
//!
//! A diagnostic says what happened to one file; a next step says what to do
//! about it, once per run however many files need it ("set
//! OTEL_PROPAGATORS=... in KrakenD's environment: 34 configs"). Each row of
//! [`STEPS`] names the diagnostics it answers (a code, narrowed where one
//! code covers several situations by a [`When`]), the imperative text shown
//! once per run, how its count reads, and whether a person must do it by
//! hand (the summary's "manual steps" counts the distinct manual steps).
//!
//! The grouping (deduplicated across files, the configs and files each
//! step concerns) is the workspace's; the reporters print it. A new
//! diagnostic that asks for an action is one new row here; a rule that
//! needs to tell two situations of one code apart sets a key on the
//! diagnostic ([`Diagnostic::with_step`]) and the row matches it with
//! [`When::Key`].

use crate::model::diagnostic::{Action, Code, Diagnostic, Severity};

/// Which diagnostics of a row's code the row answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Every diagnostic of the code.
    Any,
    /// Warnings and errors of the code (its infos only inform).
    Warning,
    /// Diagnostics of the code whose field had this fate.
    Action(Action),
    /// Diagnostics of the code whose fate's target starts with this (an
    /// environment variable: `env: OTEL_PROPAGATORS`).
    Target(&'static str),
    /// Diagnostics that carry this key ([`Diagnostic::with_step`]).
    Key(&'static str),
}

/// How a step's count reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// "...: 34 configs".
    Configs,
    /// "rotate 8 credentials found in 4 files": the text holds `{items}`
    /// (the number of diagnostics, with this noun) and `{files}`.
    Items {
        singular: &'static str,
        plural: &'static str,
    },
}

/// One row of the next-step table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Stable, kebab-case: the JSON report's `id`.
    pub id: &'static str,
    pub code: Code,
    pub when: When,
    /// The imperative text, shown once per run.
    pub text: &'static str,
    pub count: Count,
    /// A person must do it by hand, outside oc2otel (set a variable, grant
    /// a role, edit a template); a step that is a rerun of oc2otel with
    /// another flag is not manual.
    pub manual: bool,
}

const fn step(id: &'static str, code: Code, when: When, text: &'static str, manual: bool) -> Step {
    Step {
        id,
        code,
        when,
        text,
        count: Count::Configs,
        manual,
    }
}

/// The next-step table, in the order the steps are listed: what stops a
/// migration first, then what the new configs need to run, then what
/// changes for the people who read the telemetry.
pub static STEPS: &[Step] = &[
    step(
        "fix-syntax",
        Code::InvalidSyntax,
        When::Any,
        "fix the files that do not parse (the errors above give line and column), then migrate again",
        true,
    ),
    step(
        "fix-invalid-values",
        Code::InvalidValue,
        When::Warning,
        "fix the legacy values KrakenD could not decode (the errors above), then migrate again",
        true,
    ),
    step(
        "upgrade-krakend-1",
        Code::KrakendV1,
        When::Any,
        "upgrade the KrakenD 1 configs to KrakenD 2 first (krakend-config-migrator), then migrate again",
        true,
    ),
    step(
        "fix-dead-exporters",
        Code::DeadExporter,
        When::Warning,
        "fix or delete the legacy exporters that never delivered anything (the errors above say why and how), then migrate again",
        true,
    ),
    step(
        "name-jaeger-collector",
        Code::JaegerAgent,
        When::Action(Action::Manual),
        "migrate again with --jaeger-collector HOST[:PORT], the Jaeger collector's OTLP address (a jaeger-agent has no OTLP port)",
        false,
    ),
    step(
        "use-contrib",
        Code::NeedsContrib,
        When::Warning,
        "migrate again with --collector contrib (ADOT has no exporter for some backends of these configs)",
        false,
    ),
    step(
        "resolve-existing-opentelemetry",
        Code::ExistingOpenTelemetry,
        When::Warning,
        "reconcile the existing telemetry/opentelemetry block with the legacy one by hand, then migrate again",
        true,
    ),
    step(
        "choose-otlp-endpoint",
        Code::EndpointConflict,
        When::Warning,
        "migrate again with another --otlp-endpoint (a direct exporter sends to the collector's)",
        false,
    ),
    step(
        "move-files-in-the-way",
        Code::CollectorFileExists,
        When::Warning,
        "move or delete the collector configs in the way (or pick another --collector-out), then migrate again",
        true,
    ),
    step(
        "move-snippets-in-the-way",
        Code::DeployFileExists,
        When::Warning,
        "move or delete the deployment snippets in the way, then migrate again",
        true,
    ),
    step(
        "commit-first",
        Code::DirtyFile,
        When::Any,
        "commit or stash the uncommitted changes (the commit is the undo), or pass --allow-dirty",
        false,
    ),
    step(
        "report-bug",
        Code::Internal,
        When::Any,
        "report the internal errors as bugs of oc2otel (those files were left unchanged)",
        true,
    ),
    step(
        "migrate-templates-by-hand",
        Code::TemplatedBlock,
        When::Any,
        "migrate by hand the legacy blocks that templates write or insert (migrate the rendered config, then copy its new block)",
        true,
    ),
    step(
        "migrate-embedded-configs",
        Code::EmbeddedConfig,
        When::Any,
        "migrate the configs kept inside strings (ConfigMaps, Helm values) where they live (`oc2otel migrate -` reads one from standard input)",
        true,
    ),
    step(
        "move-misplaced-blocks",
        Code::MisplacedBlock,
        When::Any,
        "move the legacy settings KrakenD never read to the service's extra_config, or delete them",
        true,
    ),
    step(
        "migrate-before-krakend-3",
        Code::Krakend3,
        When::Warning,
        "migrate these configs before upgrading to KrakenD 3.0 (it ignores telemetry/opencensus without a word, so they would export no telemetry at all)",
        false,
    ),
    step(
        "replace-telemetry-influx",
        Code::InfluxRemoved,
        When::Warning,
        "replace the telemetry/influx blocks before upgrading to KrakenD 3.0, which removed that component (send metrics through OpenTelemetry instead)",
        true,
    ),
    Step {
        id: "rotate-credentials",
        code: Code::Secret,
        when: When::Warning,
        text: "rotate {items} found in {files} (stored in plain text; the new configs do not hold them)",
        count: Count::Items {
            singular: "credential",
            plural: "credentials",
        },
        manual: true,
    },
    step(
        "collector-aws-credentials",
        Code::Xray,
        When::Action(Action::Converted),
        "give the collector AWS credentials allowed xray:PutTraceSegments and xray:PutTelemetryRecords (an IAM role, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its environment)",
        true,
    ),
    step(
        "collector-aws-region",
        Code::XrayRegion,
        When::Warning,
        "set AWS_REGION in the collector's environment (the legacy X-Ray exporter named no region)",
        true,
    ),
    step(
        "cloudwatch-iam",
        Code::CloudwatchMetrics,
        When::Any,
        "grant the collector's IAM role logs:PutLogEvents, logs:CreateLogGroup, logs:CreateLogStream, logs:DescribeLogStreams and logs:DescribeLogGroups (CloudWatch metrics)",
        true,
    ),
    step(
        "cloudwatch-region",
        Code::CloudwatchRegion,
        When::Warning,
        "set AWS_REGION in the collector's environment for CloudWatch metrics",
        true,
    ),
    step(
        "googlecloud-credentials",
        Code::Stackdriver,
        When::Action(Action::Converted),
        "give the collector Google Cloud credentials (Application Default Credentials through GOOGLE_APPLICATION_CREDENTIALS, or the workload's identity)",
        true,
    ),
    step(
        "set-otel-propagators",
        Code::B3Propagation,
        When::Target("env: OTEL_PROPAGATORS"),
        "set OTEL_PROPAGATORS=tracecontext,baggage,b3multi in KrakenD's environment (callers and backends speaking B3 stay in the same traces)",
        true,
    ),
    step(
        "b3-needs-krakend-2.11",
        Code::B3Propagation,
        When::Action(Action::Dropped),
        "keep B3 propagation by targeting KrakenD 2.11 or later (--krakend-version), or move callers and backends to W3C traceparent",
        true,
    ),
    step(
        "set-metrics-temporality",
        Code::MetricsTemporality,
        When::Any,
        "set OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta in KrakenD's environment (CloudWatch metrics)",
        true,
    ),
    step(
        "set-otlp-compression",
        Code::Ocagent,
        When::Target("env: OTEL_EXPORTER_OTLP_COMPRESSION"),
        "set OTEL_EXPORTER_OTLP_COMPRESSION=gzip in KrakenD's environment, as the OpenCensus agent exporter compressed",
        true,
    ),
    step(
        "set-otlp-headers",
        Code::OtlpHeaders,
        When::Target("env: OTEL_EXPORTER_OTLP_HEADERS"),
        "set OTEL_EXPORTER_OTLP_HEADERS in KrakenD's environment from a secret store (the agent exporter sent headers)",
        true,
    ),
    step(
        "datadog-agent-otlp",
        Code::Datadog,
        When::Action(Action::Converted),
        "enable the Datadog Agent's OTLP receiver (DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT=0.0.0.0:4317)",
        true,
    ),
    step(
        "datadog-agent-otlp-metrics",
        Code::Dogstatsd,
        When::Warning,
        "enable metrics on the Datadog Agent's OTLP receiver (DD_OTLP_CONFIG_METRICS_ENABLED=true), since KrakenD's metrics no longer go to DogStatsD",
        true,
    ),
    step(
        "jaeger-otlp",
        Code::Jaeger,
        When::Action(Action::Converted),
        "make sure Jaeger accepts OTLP on port 4317 (Jaeger 1.35 or later) where KrakenD sends",
        true,
    ),
    step(
        "ocagent-otlp",
        Code::Ocagent,
        When::Action(Action::Converted),
        "run an OTLP gRPC receiver on port 4317 where the OpenCensus agent ran",
        true,
    ),
    step(
        "write-stdin-collector",
        Code::CollectorFileExists,
        When::Key(STDIN_COLLECTOR),
        "write the collector config of standard input with --write --collector-out FILE",
        false,
    ),
    step(
        "deploy-placeholders",
        Code::DeploySnippet,
        When::Key(DEPLOY_SNIPPET_WRITTEN),
        "fill in the <placeholders> of the deployment snippets and merge them into your deployments",
        true,
    ),
    step(
        "deploy-endpoint",
        Code::DeployEndpoint,
        When::Any,
        "migrate again with an --otlp-endpoint the snippet's collector listens on (see the warnings above)",
        false,
    ),
    step(
        "keep-jaeger-tls",
        Code::Tls,
        When::Warning,
        "target KrakenD 2.10 or later (--krakend-version) to keep TLS to Jaeger with OTLP over HTTPS, or keep Jaeger on a trusted network",
        true,
    ),
    step(
        "check-unrecorded-trace-context",
        Code::UnrecordedPropagation,
        When::Warning,
        "check the backends that continued the gateway's traces, since requests KrakenD does not record no longer carry its trace context",
        true,
    ),
    step(
        "update-prometheus-dashboards",
        Code::Prometheus,
        When::Warning,
        "update Prometheus dashboards, recording rules and alerts, since metric names change",
        true,
    ),
    step(
        "update-xray-queries",
        Code::XrayBehaviour,
        When::Warning,
        "update X-Ray groups, filter expressions and alarms that match segment names or annotations",
        true,
    ),
];

/// The key of the OC015 info that says standard input's collector config
/// was not written.
pub const STDIN_COLLECTOR: &str = "stdin-collector-not-written";

/// The key of an OC601 diagnostic that announces a written snippet (as
/// opposed to one that says no snippet is needed).
pub const DEPLOY_SNIPPET_WRITTEN: &str = "deploy-snippet-written";

impl When {
    fn matches(self, d: &Diagnostic) -> bool {
        match self {
            When::Any => true,
            When::Warning => d.severity >= Severity::Warning,
            When::Action(action) => d.fate.as_ref().is_some_and(|f| f.action == action),
            When::Target(prefix) => d
                .fate
                .as_ref()
                .and_then(|f| f.target.as_deref())
                .is_some_and(|t| t.starts_with(prefix)),
            When::Key(key) => d.step == Some(key),
        }
    }
}

/// The step that answers `d`, if any: the first row of its code that
/// matches.
pub fn step_for(d: &Diagnostic) -> Option<&'static Step> {
    ranked_step_for(d).map(|(_, step)| step)
}

/// [`step_for`], with the step's rank: its place in the table, which is
/// the order the steps are listed in (ids are unique, so each step has
/// one).
pub fn ranked_step_for(d: &Diagnostic) -> Option<(usize, &'static Step)> {
    // Every diagnostic of a run is asked this on the thread that reports:
    // the rows of its code are looked at, not the whole table.
    static ROWS_BY_CODE: std::sync::LazyLock<Vec<Vec<usize>>> = std::sync::LazyLock::new(|| {
        let mut rows = vec![Vec::new(); Code::ALL.len()];
        for (rank, step) in STEPS.iter().enumerate() {
            rows[step.code as usize].push(rank);
        }
        rows
    });
    ROWS_BY_CODE[d.code as usize]
        .iter()
        .map(|&rank| (rank, &STEPS[rank]))
        .find(|(_, s)| s.when.matches(d))
}

/// A step by its id.
pub fn by_id(id: &str) -> Option<&'static Step> {
    STEPS.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Fate;

    /// The lookup by code finds what a scan of the whole table finds, for
    /// every code, severity and fate a step's condition reads.
    #[test]
    fn the_step_of_a_diagnostic_is_the_first_matching_row_of_the_table() {
        // No fate, and one of each action and of each target the table
        // names.
        let mut fates = vec![None];
        for step in STEPS {
            match step.when {
                When::Action(action) => fates.push(Some(Fate {
                    action,
                    target: None,
                })),
                When::Target(prefix) => fates.push(Some(Fate {
                    action: Action::Moved,
                    target: Some(format!("{prefix}x")),
                })),
                _ => {}
            }
        }
        let keys = STEPS.iter().filter_map(|s| match s.when {
            When::Key(key) => Some(Some(key)),
            _ => None,
        });
        let keys: Vec<Option<&'static str>> = [None].into_iter().chain(keys).collect();
        for &code in Code::ALL {
            for severity in [Severity::Info, Severity::Warning, Severity::Error] {
                for fate in &fates {
                    for &step in &keys {
                        let mut d = Diagnostic::new(severity, code, "m");
                        d.fate = fate.clone();
                        d.step = step;
                        let scanned = STEPS
                            .iter()
                            .enumerate()
                            .find(|(_, s)| s.code == d.code && s.when.matches(&d));
                        let found = ranked_step_for(&d);
                        assert_eq!(found.map(|(r, _)| r), scanned.map(|(r, _)| r), "{d:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn ids_are_unique_kebab_case_and_texts_are_imperative() {
        let mut ids: Vec<&str> = STEPS.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        let len = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), len, "duplicate step id");
        for step in STEPS {
            assert!(
                step.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.".contains(c)),
                "{}",
                step.id
            );
            // "text: 34 configs" reads as one sentence only if the text
            // has no colon of its own.
            assert!(
                !step.text.ends_with('.') && !step.text.contains(": "),
                "{}",
                step.id
            );
            assert!(step.text.starts_with(char::is_lowercase), "{}", step.id);
            if let Count::Items { .. } = step.count {
                assert!(step.text.contains("{items}") && step.text.contains("{files}"));
            }
        }
    }

    #[test]
    fn a_code_is_narrowed_by_the_fate_of_its_diagnostic() {
        let env = Diagnostic::warning(Code::B3Propagation, "m").with_fate(
            Action::Manual,
            Some("env: OTEL_PROPAGATORS=tracecontext,baggage,b3multi".into()),
        );
        assert_eq!(step_for(&env).unwrap().id, "set-otel-propagators");
        let mut old = env.clone();
        old.fate = Some(Fate {
            action: Action::Dropped,
            target: None,
        });
        assert_eq!(step_for(&old).unwrap().id, "b3-needs-krakend-2.11");
        // An info of a code whose row wants warnings asks for nothing.
        assert!(step_for(&Diagnostic::info(Code::Secret, "`x` is empty: dropped")).is_none());
        assert!(step_for(&Diagnostic::info(Code::DeploySnippet, "no snippet")).is_none());
        let written =
            Diagnostic::info(Code::DeploySnippet, "snippet").with_step(DEPLOY_SNIPPET_WRITTEN);
        assert_eq!(step_for(&written).unwrap().id, "deploy-placeholders");
        assert_eq!(by_id("rotate-credentials").unwrap().code, Code::Secret);
    }
}
