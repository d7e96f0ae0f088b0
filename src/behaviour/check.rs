//! The migration's semantic self-check: the behaviour of the output must
//! be the behaviour of the legacy block, except where a diagnostic of the
//! migration says otherwise.
//!
//! [`explanation`] is the explicit list of which diagnostics explain which
//! kind of difference. A difference without one is a bug in oc2otel (the
//! migration never changes behaviour silently), reported as an internal
//! error; the file is then left unchanged.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::options::Options;
use crate::tree::Node;

use super::collector::Collector;
use super::compare::{self, Finding, Kind};
use super::legacy::LegacySide;
use super::{Behaviour, otel};

/// What may explain a kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explanation {
    /// A diagnostic with one of these codes, at least this severe.
    Diagnostic(&'static [(Code, Severity)]),
    /// Documented in `docs/mapping.md`, no diagnostic needed.
    Documented,
    /// Nothing: the migration must never do this.
    Never,
}

/// The explicit list: which diagnostics explain each kind of finding.
pub fn explanation(finding: &Finding) -> Explanation {
    use Explanation::*;
    use Severity::{Info, Warning};
    match finding.kind {
        // The config does not work as written: never acceptable.
        Kind::Problem => Never,
        // An existing `telemetry/opentelemetry` is kept as it is: its
        // sampler, layers and period govern every exporter in it. The merge
        // refuses when they would change what the appended exporters do;
        // a destination one of its own exporters already reached keeps the
        // behaviour the user already had for it. Its exporters add routes.
        Kind::Sampling | Kind::Layer | Kind::Period | Kind::RouteAdded => {
            Diagnostic(&[(Code::ExistingOpenTelemetry, Info)])
        }
        // Telemetry that no longer arrives, or arrives elsewhere: never.
        Kind::RouteMissing | Kind::RouteChanged => Never,
        // Only one service name in OpenTelemetry: the others are dropped
        // with a warning; an existing block's name wins with a warning.
        Kind::ServiceName => Diagnostic(&[
            (Code::ServiceName, Warning),
            (Code::ExistingOpenTelemetry, Warning),
        ]),
        // The target KrakenD ignores `service_version`, or an existing
        // block sets another one.
        Kind::ServiceVersion => Diagnostic(&[
            (Code::TargetVersion, Warning),
            (Code::ExistingOpenTelemetry, Warning),
        ]),
        // Inherent changes still need their diagnostic.
        Kind::ParentBased => Diagnostic(&[(Code::SamplingRatio, Warning)]),
        Kind::Propagation => Diagnostic(&[(Code::B3Propagation, Warning)]),
        Kind::DefaultVersion => Diagnostic(&[(Code::XrayVersion, Info)]),
        Kind::PrometheusPort => Diagnostic(&[(Code::Prometheus, Warning)]),
        Kind::ReceiverPort => Diagnostic(&[
            (Code::Jaeger, Warning),
            (Code::Datadog, Warning),
            (Code::Ocagent, Warning),
        ]),
        Kind::ProxyMetric => Documented,
    }
}

/// The findings no diagnostic explains.
pub fn unexplained(
    legacy: &Behaviour,
    new: &Behaviour,
    diagnostics: &[Diagnostic],
) -> Vec<Finding> {
    compare::compare(legacy, new)
        .into_iter()
        .filter(|f| match explanation(f) {
            Explanation::Never => true,
            Explanation::Documented => false,
            Explanation::Diagnostic(codes) => !diagnostics.iter().any(|d| {
                codes
                    .iter()
                    .any(|(code, severity)| d.code == *code && d.severity >= *severity)
            }),
        })
        .collect()
}

/// Check a migration: `legacy` from the input, `output` the parsed
/// migrated text, `collector_yaml` the collector config written with it.
/// Returns the internal errors, one per unexplained difference.
pub fn run(
    legacy: &LegacySide,
    output: &Node,
    collector_yaml: Option<&str>,
    options: &Options,
    diagnostics: &[Diagnostic],
) -> Vec<Diagnostic> {
    let collector = match collector_yaml.map(Collector::parse) {
        None => None,
        Some(Ok(collector)) => Some(collector),
        Some(Err(err)) => {
            return vec![internal(
                legacy,
                format!("the collector config does not parse ({})", err.message),
            )];
        }
    };
    // Without a collector config, no exporter is the collector's.
    let endpoint = collector.as_ref().map(|_| &options.otlp_endpoint);
    let new = otel::behaviour(
        output,
        collector.as_ref(),
        endpoint,
        options.krakend_version,
    );
    unexplained(&legacy.behaviour, &new, diagnostics)
        .into_iter()
        .map(|f| {
            internal(
                legacy,
                format!(
                    "the migrated config does not do what the legacy block did, and no diagnostic says so: {}",
                    f.message
                ),
            )
        })
        .collect()
}

fn internal(legacy: &LegacySide, message: String) -> Diagnostic {
    Diagnostic::error(Code::Internal, format!("internal error: {message}"))
        .at(legacy.pointer.clone(), legacy.key_span.clone())
        .with_help("this is a bug in oc2otel; the file was left unchanged. Please report it with the file (secrets removed)")
}
