//! Diagnostics: what oc2otel tells the user about a file.
//!
//! Every legacy field ends up in exactly one diagnostic that records its
//! fate (moved, converted, defaulted, dropped or left as a manual step), and
//! every behaviour change or problem is a diagnostic too. A diagnostic
//! carries a stable code, a JSON pointer and, once located, a line and a
//! column, so the same value serves the human report, the JSON report and
//! `explain`.

use serde::Serialize;

use crate::syntax::source::LineIndex;
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

macro_rules! codes {
    ($($variant:ident = $code:literal, $name:literal;)*) => {
        /// Stable diagnostic codes. The number never changes meaning once
        /// released; `docs/mapping.md` lists them all.
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
        }
    };
}

codes! {
    InvalidSyntax = "OC001", "invalid-syntax";
    Unreadable = "OC002", "unreadable-file";
    NotText = "OC003", "not-a-text-config";
    InvalidValue = "OC004", "invalid-legacy-value";
    OutOfRange = "OC005", "number-out-of-range";
    DuplicateKey = "OC006", "duplicate-key";
    CaseInsensitiveKey = "OC007", "case-insensitive-key";
    KrakendV1 = "OC008", "krakend-1-config";
    OldSchema = "OC009", "schema-before-2.6";
    ExistingOpenTelemetry = "OC010", "existing-opentelemetry";
    BothNamespaces = "OC011", "both-legacy-namespaces";
    NoExporters = "OC012", "no-exporters";
    UnknownKey = "OC013", "unknown-key";
    NeedsContrib = "OC014", "exporter-needs-contrib";
    CollectorFileExists = "OC015", "collector-file-exists";
    SchemaViolation = "OC016", "schema-violation";
    MisplacedBlock = "OC017", "misplaced-legacy-block";
    CommentKey = "OC018", "comment-key";
    V1Namespace = "OC019", "v1-namespace";
    TargetVersion = "OC020", "target-version";
    Placeholder = "OC021", "placeholder";
    DirtyFile = "OC022", "uncommitted-changes";
    Protected = "OC023", "protected-text";
    EmbeddedConfig = "OC024", "embedded-config";
    CommentDropped = "OC025", "comment-dropped";
    TemplatedBlock = "OC026", "templated-block";
    TracesOff = "OC101", "traces-off";
    SamplingRatio = "OC102", "sampling-ratio";
    SamplingAlways = "OC103", "sampling-always";
    ReportingPeriod = "OC104", "reporting-period";
    Layers = "OC105", "layers";
    B3Propagation = "OC106", "b3-propagation";
    ServiceName = "OC107", "service-name";
    Xray = "OC201", "xray";
    XrayRegion = "OC202", "xray-region";
    XrayVersion = "OC203", "xray-version";
    XrayBehaviour = "OC204", "xray-segments";
    XrayCredentials = "OC205", "xray-credentials";
    Jaeger = "OC211", "jaeger";
    Zipkin = "OC221", "zipkin";
    Prometheus = "OC231", "prometheus";
    Datadog = "OC241", "datadog";
    Stackdriver = "OC251", "stackdriver";
    Influxdb = "OC261", "influxdb";
    Ocagent = "OC271", "ocagent";
    Logger = "OC281", "logger";
    UnknownExporter = "OC291", "unknown-exporter";
    ExportersExtraConfig = "OC292", "exporters-extra-config";
    EndpointConflict = "OC293", "endpoint-conflict";
    PathAggregation = "OC301", "path-aggregation";
    Secret = "OC401", "secret";
    CloudwatchMetrics = "OC501", "cloudwatch-metrics";
    MetricsTemporality = "OC502", "metrics-temporality";
    CloudwatchRegion = "OC503", "cloudwatch-region";
    DeploySnippet = "OC601", "deploy-snippet";
    DeployEndpoint = "OC602", "deploy-endpoint";
    DeployFileExists = "OC603", "deploy-file-exists";
    MigrationPending = "OC701", "migration-pending";
    Internal = "OC901", "internal-error";
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
    /// What the user should do, when there is something to do.
    pub help: Option<String>,
    pub fate: Option<Fate>,
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

    pub fn at(mut self, pointer: impl Into<String>, span: Span) -> Diagnostic {
        self.pointer = pointer.into();
        self.span = Some(span);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_fate(mut self, action: Action, target: Option<String>) -> Diagnostic {
        self.fate = Some(Fate { action, target });
        self
    }

    /// Fill line and column from the span.
    pub fn locate(&mut self, text: &str, index: &LineIndex) {
        if let Some(span) = &self.span {
            let (line, column) = index.line_col(text, span.start);
            self.line = Some(line);
            self.column = Some(column);
        }
    }
}

/// Diagnostics of one file, in a stable order: by position, then severity
/// (errors first), then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let pos = |d: &Diagnostic| d.span.as_ref().map_or((0, 0), |s| (s.start, s.end));
        pos(a)
            .cmp(&pos(b))
            .then(b.severity.cmp(&a.severity))
            .then(a.code.cmp(&b.code))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert!(code.as_str().starts_with("OC") && code.as_str().len() == 5);
            assert!(!code.name().is_empty());
        }
    }
}
