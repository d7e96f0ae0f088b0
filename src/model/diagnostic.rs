//! Diagnostics: what oc2otel tells the user about a file.
//!
//! Every legacy field ends up in exactly one diagnostic that records its
//! fate (moved, converted, defaulted, dropped or left as a manual step), and
//! every behaviour change or problem is a diagnostic too. A diagnostic
//! carries a stable code, a JSON pointer and, once located, a line and a
//! column, so the same value serves the human report, the JSON report and
//! `explain`.

use serde::Serialize;

use crate::syntax::source::{LineCursor, LineIndex};
use crate::syntax::tree::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What happened to a legacy field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Carried over unchanged to a new place.
    Moved,
    /// Carried over with a new form or unit.
    Converted,
    /// Absent in the legacy block; its legacy default was written explicitly.
    Defaulted,
    /// Removed; the message says why.
    Dropped,
    /// Needs a human: the tool cannot express it.
    Manual,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Moved => "moved",
            Action::Converted => "converted",
            Action::Defaulted => "defaulted",
            Action::Dropped => "dropped",
            Action::Manual => "manual",
        }
    }
}

/// The fate of one legacy field: what happened and where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fate {
    pub action: Action,
    /// Where the value went: a JSON pointer into the new KrakenD block, a
    /// path in the collector config (`collector:exporters.awsxray.region`),
    /// or an environment variable (`env:OTEL_PROPAGATORS`).
    pub target: Option<String>,
}

/// Declares [`Code`] from one table: every fact about a code is in its row
/// (the code as printed, a kebab-case name, the page to read, a one-line
/// description), and the documentation links, SARIF rules and the test
/// against `docs/mapping.md` derive from it.
macro_rules! codes {
    ($($variant:ident = $code:literal, $name:literal, $page:ident, $description:literal;)*) => {
        /// Stable diagnostic codes. The number never changes meaning once
        /// released, and a retired number is never reused ([`RETIRED`]);
        /// `docs/mapping.md` lists them all.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed: `OC101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// A short kebab-case name: `traces-off`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }

            /// The page that explains what this diagnostic is about
            /// ([`crate::model::docs::url`] refines it by exporter).
            pub fn docs_url(self) -> &'static str {
                match self { $(Code::$variant => $crate::model::docs::$page),* }
            }

            /// One sentence on what the code means.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $description),* }
            }
        }
    };
}

/// Codes that were released and are no longer emitted, with their names:
/// their numbers stay reserved. OC205 (`xray-credentials`) was declared
/// for the X-Ray keys and `use_env`, but those fates were always told by
/// OC401 (each key: rotate it) and OC201 (`use_env` dropped), so it never
/// reached a user.
pub const RETIRED: &[(&str, &str)] = &[("OC205", "xray-credentials")];

codes! {
    InvalidSyntax = "OC001", "invalid-syntax", CONFIG_STRUCTURE,
        "The file does not parse; nothing in it can be migrated.";
    Unreadable = "OC002", "unreadable-file", CONFIG_STRUCTURE,
        "A file could not be read or written.";
    NotText = "OC003", "not-a-text-config", CONFIG_STRUCTURE,
        "The file is empty, binary, not UTF-8 or too large to be a config.";
    InvalidValue = "OC004", "invalid-legacy-value", OPENCENSUS,
        "A legacy value KrakenD would have rejected, or an address oc2otel cannot read.";
    OutOfRange = "OC005", "number-out-of-range", OPENCENSUS,
        "A number beyond what KrakenD accepts.";
    DuplicateKey = "OC006", "duplicate-key", OPENCENSUS,
        "A repeated key: KrakenD reads only the last one.";
    CaseInsensitiveKey = "OC007", "case-insensitive-key", OPENCENSUS,
        "A key that matches a legacy field only case-insensitively, as Go's decoder allows.";
    KrakendV1 = "OC008", "krakend-1-config", MIGRATING_V1,
        "A KrakenD 1 config: upgrade it to KrakenD 2 first.";
    OldSchema = "OC009", "schema-before-2.6", OPENTELEMETRY,
        "$schema names a KrakenD version without the OpenTelemetry module.";
    ExistingOpenTelemetry = "OC010", "existing-opentelemetry", OPENTELEMETRY,
        "The config already has telemetry/opentelemetry: the migrated exporters are appended to it, or the merge is refused.";
    BothNamespaces = "OC011", "both-legacy-namespaces", OPENTELEMETRY,
        "Both legacy keys are present; only one of them ever ran.";
    NoExporters = "OC012", "no-exporters", OPENTELEMETRY,
        "The legacy block exported nothing; it is removed.";
    UnknownKey = "OC013", "unknown-key", OPENCENSUS,
        "A key KrakenD ignored; it is dropped.";
    NeedsContrib = "OC014", "exporter-needs-contrib", OPENTELEMETRY,
        "The exporter needs the otelcol-contrib collector (--collector contrib).";
    CollectorFileExists = "OC015", "collector-file-exists", ADOT_COLLECTOR,
        "A different collector config is in the way; nothing is overwritten.";
    SchemaViolation = "OC016", "schema-violation", OPENTELEMETRY,
        "The new block breaks KrakenD's schema: a bug in oc2otel.";
    MisplacedBlock = "OC017", "misplaced-legacy-block", OPENCENSUS,
        "A legacy block where KrakenD never read it; left unchanged.";
    CommentKey = "OC018", "comment-key", OPENCENSUS,
        "A comment key carried into the new block.";
    V1Namespace = "OC019", "v1-namespace", OPENTELEMETRY,
        "The KrakenD 1 key is replaced by telemetry/opentelemetry.";
    TargetVersion = "OC020", "target-version", OPENTELEMETRY,
        "A setting the target KrakenD version does not support.";
    Placeholder = "OC021", "placeholder", FLEXIBLE_CONFIG,
        "A host that is a template placeholder, copied as written.";
    DirtyFile = "OC022", "uncommitted-changes", CONFIG_STRUCTURE,
        "A file with uncommitted changes is not written without --allow-dirty.";
    Protected = "OC023", "protected-text", FLEXIBLE_CONFIG,
        "The edit would change text other configs share (a YAML anchor) or a template action; left unchanged.";
    EmbeddedConfig = "OC024", "embedded-config", FLEXIBLE_CONFIG,
        "A legacy block inside a string (a ConfigMap, Helm values): migrate that text where it lives.";
    CommentDropped = "OC025", "comment-dropped", CONFIG_STRUCTURE,
        "A comment inside the replaced legacy block is not carried over.";
    TemplatedBlock = "OC026", "templated-block", FLEXIBLE_CONFIG,
        "A legacy block a Flexible Configuration template writes or inserts: migrate it by hand.";
    CollectorFlavour = "OC027", "collector-flavour", ADOT_COLLECTOR,
        "--collector auto: which collector the file's collector config is for, and why.";
    KrakendVersion = "OC028", "krakend-version", OPENTELEMETRY,
        "--krakend-version auto: the target KrakenD version, read from $schema.";
    Krakend3 = "OC029", "krakend-3-ignores-opencensus", OPENTELEMETRY,
        "KrakenD 3.0 ignores every OpenCensus block without a word: its telemetry stops on that upgrade.";
    InfluxRemoved = "OC030", "krakend-3-influx-removed", OPENTELEMETRY,
        "telemetry/influx is removed in KrakenD 3.0; oc2otel does not migrate it.";
    MergeSetting = "OC031", "merge-setting", OPENTELEMETRY,
        "--merge-settings chose a side: a sampling, layer or period setting changes for the appended or the existing exporters.";
    TracesOff = "OC101", "traces-off", OPENTELEMETRY,
        "The legacy block recorded no traces, so traces stay off.";
    SamplingRatio = "OC102", "sampling-ratio", OPENTELEMETRY,
        "sample_rate becomes trace_sample_rate; OpenTelemetry samples parent-based.";
    SamplingAlways = "OC103", "sampling-always", OPENTELEMETRY,
        "Every trace is recorded, as before.";
    ReportingPeriod = "OC104", "reporting-period", OPENTELEMETRY,
        "reporting_period becomes metric_reporting_period, or is dropped.";
    Layers = "OC105", "layers", LAYERS,
        "enabled_layers becomes the OpenTelemetry layer switches.";
    B3Propagation = "OC106", "b3-propagation", OPENTELEMETRY,
        "OpenCensus propagated B3 headers; OpenTelemetry uses W3C traceparent unless OTEL_PROPAGATORS says otherwise.";
    ServiceName = "OC107", "service-name", OPENTELEMETRY,
        "The service name, taken from the legacy exporters.";
    UnrecordedPropagation = "OC108", "unrecorded-propagation", OPENTELEMETRY,
        "OpenCensus forwarded trace context on every request; KrakenD's OpenTelemetry only on recorded ones.";
    Xray = "OC201", "xray", ADOT_XRAY,
        "The X-Ray exporter becomes OTLP to the collector and its awsxray exporter.";
    XrayRegion = "OC202", "xray-region", ADOT_XRAY,
        "The X-Ray region moves to the collector, or is missing.";
    XrayVersion = "OC203", "xray-version", OPENTELEMETRY,
        "The X-Ray version becomes service_version.";
    XrayBehaviour = "OC204", "xray-segments", ADOT_XRAY,
        "X-Ray segment names, annotations and trace IDs change shape.";
    Jaeger = "OC211", "jaeger", JAEGER,
        "Jaeger becomes an OTLP exporter to the Jaeger host.";
    JaegerAgent = "OC212", "jaeger-agent", JAEGER,
        "A jaeger-agent has no OTLP port: the traces go to the Jaeger collector named with --jaeger-collector.";
    Zipkin = "OC221", "zipkin", ZIPKIN_EXPORTER,
        "Zipkin goes through the collector's zipkin exporter (otelcol-contrib).";
    Prometheus = "OC231", "prometheus", PROMETHEUS,
        "Prometheus becomes KrakenD's OpenTelemetry Prometheus exporter; metric names change.";
    Datadog = "OC241", "datadog", DATADOG,
        "Datadog becomes OTLP to the Datadog Agent.";
    Dogstatsd = "OC242", "datadog-dogstatsd", DATADOG,
        "Datadog metrics went to DogStatsD; they now go over OTLP to the Agent, whose OTLP receiver must take metrics.";
    Stackdriver = "OC251", "stackdriver", GOOGLECLOUD_EXPORTER,
        "Stackdriver becomes the collector's googlecloud exporter (otelcol-contrib).";
    GcpResource = "OC252", "gcp-resource", GOOGLECLOUD_EXPORTER,
        "Stackdriver's monitored resource: the collector detects it with a resourcedetection processor (gcp).";
    Influxdb = "OC261", "influxdb", INFLUXDB,
        "InfluxDB becomes the collector's influxdb exporter (otelcol-contrib).";
    Ocagent = "OC271", "ocagent", OPENTELEMETRY,
        "The OpenCensus agent exporter becomes OTLP; the target must accept OTLP.";
    OtlpHeaders = "OC272", "otlp-headers", OPENTELEMETRY,
        "Agent headers move to OTEL_EXPORTER_OTLP_HEADERS in KrakenD's environment, which every OTLP exporter of KrakenD sends.";
    Logger = "OC281", "logger", OPENCENSUS,
        "The logger exporter was never registered by KrakenD; it is dropped.";
    UnknownExporter = "OC291", "unknown-exporter", OPENCENSUS,
        "An exporter KrakenD ignored; it is dropped.";
    ExportersExtraConfig = "OC292", "exporters-extra-config", OPENCENSUS,
        "exporters.extra_config was never read; it is dropped.";
    EndpointConflict = "OC293", "endpoint-conflict", OPENTELEMETRY,
        "A direct exporter would send to the collector's own OTLP endpoint; choose another --otlp-endpoint.";
    DeadExporter = "OC294", "dead-exporter", OPENCENSUS,
        "An exporter that never delivered anything in KrakenD: the file is left as it is until it is fixed or removed.";
    Tls = "OC295", "tls", OPENTELEMETRY,
        "A legacy destination reached over TLS: kept with OTLP over HTTPS where the target KrakenD can, else lost.";
    PathAggregation = "OC301", "path-aggregation", LAYERS,
        "Endpoint and backend legacy blocks are removed.";
    Secret = "OC401", "secret", OPENTELEMETRY,
        "A credential stored in the config: never copied or printed; rotate it.";
    CloudwatchMetrics = "OC501", "cloudwatch-metrics", ADOT_CLOUDWATCH,
        "--metrics emf: KrakenD's metrics also go to CloudWatch through the collector's awsemf exporter.";
    MetricsTemporality = "OC502", "metrics-temporality", ADOT_CLOUDWATCH,
        "CloudWatch needs delta temporality from KrakenD: OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta.";
    CloudwatchRegion = "OC503", "cloudwatch-region", ADOT_CLOUDWATCH,
        "No AWS region for the awsemf exporter.";
    DeploySnippet = "OC601", "deploy-snippet", ADOT_COLLECTOR,
        "The sidecar deployment snippet (--emit-deploy), and what to fill in.";
    DeployEndpoint = "OC602", "deploy-endpoint", ADOT_COLLECTOR,
        "KrakenD's OTLP endpoint would miss the sidecar of the deployment snippet.";
    DeployFileExists = "OC603", "deploy-file-exists", ADOT_COLLECTOR,
        "A different deployment snippet is in the way; nothing is overwritten.";
    MigrationPending = "OC701", "migration-pending", OPENTELEMETRY,
        "The config still uses KrakenD's deprecated OpenCensus telemetry module.";
    Internal = "OC901", "internal-error", OPENTELEMETRY,
        "A bug in oc2otel; the file is left unchanged.";
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// JSON pointer of the field concerned; `""` for the whole document.
    pub pointer: String,
    /// Bytes the diagnostic points at, if it points at something.
    pub span: Option<Span>,
    /// 1-based line and column of `span.start`, filled by [`Diagnostic::locate`].
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What the user should do, when there is something to do (nearly
    /// always a fixed sentence: borrowed, not copied per diagnostic).
    pub help: Option<std::borrow::Cow<'static, str>>,
    pub fate: Option<Fate>,
    /// Which next step answers this diagnostic, where its code and fate
    /// alone do not say (see [`crate::model::next_steps`]).
    pub step: Option<&'static str>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            pointer: String::new(),
            span: None,
            line: None,
            column: None,
            help: None,
            fate: None,
            step: None,
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    pub fn info(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Info, code, message)
    }

    /// A bug in oc2otel: the file is left unchanged.
    pub fn internal(message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(Code::Internal, format!("internal error: {}", message.into()))
            .with_help("this is a bug in oc2otel; the file was left unchanged. Please report it with the file (secrets removed)")
    }

    pub fn at(mut self, pointer: impl Into<String>, span: Span) -> Diagnostic {
        self.pointer = pointer.into();
        self.span = Some(span);
        self
    }

    pub fn with_help(mut self, help: impl Into<std::borrow::Cow<'static, str>>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Mark the diagnostic for the next-step table's row keyed `key`.
    pub fn with_step(mut self, key: &'static str) -> Diagnostic {
        self.step = Some(key);
        self
    }

    pub fn with_fate(mut self, action: Action, target: Option<String>) -> Diagnostic {
        self.fate = Some(Fate { action, target });
        self
    }

    /// Let go of what only a diagnostic that is shown needs (its message,
    /// pointer and help), keeping what the counts and the next steps read
    /// (severity, code, fate, step). Why: a run that shows a config's
    /// errors alone (the human `--check`) counts the rest on the thread
    /// that reports, and memory handed from one thread to another to be
    /// freed there costs both threads more than it does to free it where
    /// it was made.
    pub fn keep_counted_only(&mut self) {
        self.message = String::new();
        self.pointer = String::new();
        self.help = None;
    }

    /// Fill line and column from the span.
    pub fn locate(&mut self, text: &str, index: &LineIndex) {
        self.place(|offset| index.line_col(text, offset));
    }

    /// [`Diagnostic::locate`] for a file's diagnostics taken in the order
    /// of their offsets ([`sort`]), in one pass over its text.
    pub fn locate_in_order(&mut self, lines: &mut LineCursor) {
        self.place(|offset| lines.line_col(offset));
    }

    fn place(&mut self, line_col: impl FnOnce(usize) -> (usize, usize)) {
        if let Some(span) = &self.span {
            let (line, column) = line_col(span.start);
            self.line = Some(line);
            self.column = Some(column);
        }
    }
}

/// Diagnostics of one file, in a stable order: by position, then severity
/// (errors first), then code.
///
/// The keys are sorted, then the diagnostics moved once into place: a
/// diagnostic is a couple of hundred bytes, and a sort that compares them
/// moves them at every step (11 M of the 950 M instructions of a
/// 10,000-file `--check`, for the 25 or so diagnostics of each config).
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_cached_key(|d| {
        let (start, end) = d.span.as_ref().map_or((0, 0), |s| (s.start, s.end));
        (start, end, std::cmp::Reverse(d.severity), d.code)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By position, then errors first, then code; diagnostics alike in all
    /// three keep the order they were made in.
    #[test]
    fn diagnostics_sort_by_place_then_severity_then_code_and_keep_ties() {
        let at = |severity, code, span: Option<Span>, message: &str| Diagnostic {
            span,
            ..Diagnostic::new(severity, code, message)
        };
        let mut list = vec![
            at(Severity::Info, Code::Secret, Some(5..9), "a"),
            at(Severity::Warning, Code::Secret, Some(5..9), "b"),
            at(Severity::Info, Code::DuplicateKey, Some(5..9), "c"),
            at(Severity::Info, Code::Secret, None, "d"),
            at(Severity::Info, Code::Secret, Some(5..9), "e"),
            at(Severity::Error, Code::Secret, Some(5..6), "f"),
        ];
        sort(&mut list);
        let order: String = list.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, "dfbcae");
    }

    /// The rows of the code table in `docs/mapping.md`: code and name.
    fn documented() -> Vec<(String, String)> {
        let page = include_str!("../../docs/mapping.md");
        let table = &page[page.find("## Diagnostic codes").expect("the codes section")..];
        table
            .lines()
            .filter_map(|line| {
                let mut cells = line.split('|').map(str::trim).skip(1);
                let code = cells.next()?;
                let name = cells.next()?.split(' ').next()?;
                code.starts_with("OC")
                    .then(|| (code.to_string(), name.to_string()))
            })
            .collect()
    }

    #[test]
    fn mapping_md_lists_every_code_with_its_name_and_no_other() {
        let declared: Vec<(String, String)> = Code::ALL
            .iter()
            .map(|c| (c.as_str().to_string(), c.name().to_string()))
            .chain(RETIRED.iter().map(|(c, n)| (c.to_string(), n.to_string())))
            .collect();
        let mut documented = documented();
        let mut expected = declared.clone();
        documented.sort();
        expected.sort();
        assert_eq!(documented, expected);
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert!(code.as_str().starts_with("OC") && code.as_str().len() == 5);
            assert!(!code.name().is_empty());
            assert!(code.description().ends_with('.'), "{}", code.as_str());
            assert!(code.docs_url().starts_with("https://"), "{}", code.as_str());
        }
        for (retired, _) in RETIRED {
            assert!(!seen.contains(retired), "{retired} is retired");
        }
    }
}
