//! The migration's semantic self-check: the behaviour of the output must
//! be the behaviour of the legacy block, except where a diagnostic of the
//! migration says otherwise.
//!
//! The baseline is taken from the input before it is dropped: the legacy
//! block's behaviour and, when the config already has a
//! `telemetry/opentelemetry` block (which the migration keeps as it is),
//! that block's behaviour too. The new side is read from the output text
//! (never from the migration's intent), so a rendering mistake cannot
//! hide. [`explanation`] is the explicit list of what
//! explains each kind of difference. A difference nothing explains is a bug
//! in oc2otel (the migration never changes behaviour silently), reported as
//! an internal error; the file is then left unchanged.

use crate::migration::options::Options;
use crate::migration::render::collector::CollectorConfig;
use crate::model::diagnostic::{Code, Diagnostic, Severity};
use crate::syntax::tree::Node;

use super::collector::Collector;
use super::compare::{self, Finding, Kind};
use super::legacy::LegacySide;
use super::{Behaviour, otel};

/// What may explain a kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explanation {
    /// A diagnostic with one of these codes, at least this severe.
    Diagnostic(&'static [(Code, Severity)]),
    /// The config already had a `telemetry/opentelemetry` block, which is
    /// kept as it is and governs every exporter in it; or one of these
    /// diagnostics.
    ExistingBlock(&'static [(Code, Severity)]),
    /// Routes the existing `telemetry/opentelemetry` block already had, as
    /// many times as the output has them; or one of these diagnostics
    /// (one that announces a destination the migration adds on purpose
    /// belongs here).
    ExistingRouteOr(&'static [(Code, Severity)]),
    /// Documented in `docs/mapping.md`, no diagnostic needed.
    Documented,
    /// Nothing: the migration must never do this.
    Never,
}

/// The explicit list: what explains each kind of finding.
pub fn explanation(kind: Kind) -> Explanation {
    use Explanation::*;
    use Severity::{Info, Warning};
    match kind {
        // The config does not work as written: never acceptable.
        Kind::Problem => Never,
        // Telemetry that no longer arrives, or arrives elsewhere: never.
        Kind::RouteMissing | Kind::RouteChanged => Never,
        // An existing block's own exporters reach their own places;
        // `--metrics emf` adds CloudWatch on purpose, and says so.
        Kind::RouteAdded => ExistingRouteOr(&[(Code::CloudwatchMetrics, Info)]),
        // A double export is never the migration's to add: only an existing
        // block that already sent there as often explains it (and the merge
        // keeps a place the existing block serves to its own exporters).
        Kind::RouteCount => ExistingRouteOr(&[]),
        // An existing block's sampler, layers and period govern every
        // exporter in it. The merge refuses when they would change what the
        // appended exporters do; a place one of its own exporters already
        // reached keeps the behaviour the user already had for it.
        Kind::Sampling | Kind::Layer | Kind::Period => ExistingBlock(&[]),
        // One service name in OpenTelemetry: the others are dropped with a
        // warning (an existing block's name wins, with a warning too).
        Kind::ServiceName => ExistingBlock(&[(Code::ServiceName, Warning)]),
        // Plain text where the legacy exporter used TLS: the target
        // KrakenD has no OTLP over HTTPS.
        Kind::TlsLost => Diagnostic(&[(Code::Tls, Warning)]),
        // The user named the Jaeger collector (--jaeger-collector).
        Kind::AgentToCollector => Diagnostic(&[(Code::JaegerAgent, Warning)]),
        // The target KrakenD ignores `service_version`.
        Kind::ServiceVersion => ExistingBlock(&[(Code::TargetVersion, Warning)]),
        // Inherent changes still need their diagnostic.
        Kind::ParentBased => Diagnostic(&[(Code::SamplingRatio, Warning)]),
        Kind::Propagation => Diagnostic(&[(Code::B3Propagation, Warning)]),
        Kind::UnrecordedContext => Diagnostic(&[(Code::UnrecordedPropagation, Warning)]),
        Kind::DefaultVersion => Diagnostic(&[(Code::XrayVersion, Info)]),
        Kind::PrometheusPort => Diagnostic(&[(Code::Prometheus, Warning)]),
        Kind::ReceiverPort => Diagnostic(&[
            (Code::Jaeger, Warning),
            (Code::Datadog, Warning),
            (Code::Dogstatsd, Warning),
            (Code::Ocagent, Warning),
        ]),
        Kind::ProxyMetric => Documented,
    }
}

fn diagnosed(codes: &[(Code, Severity)], diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| {
        codes
            .iter()
            .any(|(code, severity)| d.code == *code && d.severity >= *severity)
    })
}

/// The findings between `legacy` and `new` that nothing explains;
/// `existing` is the behaviour of a `telemetry/opentelemetry` block the
/// config already had.
pub fn unexplained(
    legacy: &Behaviour,
    new: &Behaviour,
    existing: Option<&Behaviour>,
    diagnostics: &[Diagnostic],
) -> Vec<Finding> {
    compare::compare(legacy, new)
        .into_iter()
        .filter(|f| match explanation(f.kind) {
            Explanation::Never => true,
            Explanation::Documented => false,
            Explanation::Diagnostic(codes) => !diagnosed(codes, diagnostics),
            Explanation::ExistingBlock(codes) => {
                existing.is_none() && !diagnosed(codes, diagnostics)
            }
            Explanation::ExistingRouteOr(codes) => {
                let existing_route = existing.is_some_and(|e| {
                    f.route.as_ref().is_some_and(|(signal, destination)| {
                        let at = |b: &Behaviour| {
                            b.routes_of(*signal)
                                .filter(|r| {
                                    r.destination.same_place(destination)
                                        || destination.reached_by(&r.destination)
                                })
                                .count()
                        };
                        at(e) >= at(new)
                    })
                });
                !existing_route && !diagnosed(codes, diagnostics)
            }
        })
        .collect()
}

/// What the input did, taken before the input tree is dropped: one legacy
/// block's behaviour and, when the config already has a
/// `telemetry/opentelemetry` block (kept as it is), that block's.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub legacy: LegacySide,
    existing: Option<Behaviour>,
}

fn parse_collector(collector: Option<&CollectorConfig>) -> Result<Option<Collector>, String> {
    collector
        .map(|c| Collector::parse(&c.to_yaml()).map_err(|e| e.message))
        .transpose()
}

impl Baseline {
    pub fn new(legacy: LegacySide, existing: Option<Behaviour>) -> Baseline {
        Baseline { legacy, existing }
    }

    /// The behaviour of the `telemetry/opentelemetry` block the input
    /// `root` already has, if any. `collector` is the collector config the
    /// migration writes: an existing exporter that sends to it reaches
    /// what it will reach after the migration.
    pub fn existing(
        root: &Node,
        collector: Option<&CollectorConfig>,
        options: &Options,
    ) -> Option<Behaviour> {
        match otel::read(root, options.version()) {
            otel::Read::Absent => None,
            read => {
                let collector = parse_collector(collector).ok().flatten();
                let endpoint = collector.as_ref().map(|_| &options.otlp_endpoint);
                Some(otel::of_read(read, collector.as_ref(), endpoint))
            }
        }
    }

    /// Check what the migrated text holds where the legacy block was
    /// (`new`, read from the output) with the collector config written
    /// with it. Returns an internal error per unexplained difference.
    pub fn check(
        &self,
        new: otel::Read,
        collector: Option<&CollectorConfig>,
        options: &Options,
        diagnostics: &[Diagnostic],
    ) -> Vec<Diagnostic> {
        let legacy = &self.legacy;
        let collector = match parse_collector(collector) {
            Ok(collector) => collector,
            Err(message) => {
                return vec![internal(
                    legacy,
                    format!("the collector config does not parse ({message})"),
                )];
            }
        };
        // Without a collector config, no exporter is the collector's.
        let endpoint = collector.as_ref().map(|_| &options.otlp_endpoint);
        let new = otel::of_read(new, collector.as_ref(), endpoint);
        unexplained(&legacy.behaviour, &new, self.existing.as_ref(), diagnostics)
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
}

fn internal(legacy: &LegacySide, message: String) -> Diagnostic {
    Diagnostic::internal(message).at(legacy.pointer.clone(), legacy.key_span.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::behaviour::legacy;
    use crate::migration::migrate;
    use crate::model::locate;
    use crate::syntax::json;
    use crate::syntax::source::Format;

    const LEGACY: &str = r#"{"version": 3, "extra_config": {"telemetry/opencensus": {
        "sample_rate": 20,
        "exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}}}"#;

    /// The baseline of `LEGACY`, its migration, and a check of `output`
    /// (the migrated text, possibly tampered with) with `diagnostics`.
    fn check_output(
        tamper: impl Fn(&str) -> String,
        keep: impl Fn(&Diagnostic) -> bool,
    ) -> Vec<Diagnostic> {
        let options = Options::default();
        let migration = migrate(LEGACY, Format::Json, "krakend.json", &options, None);
        let input = json::parse(LEGACY).unwrap();
        let located = locate::locate(&input);
        let collector = migration.collector.as_ref();
        let legacy = legacy::from_located(&located).unwrap().unwrap();
        let existing = Baseline::existing(&input, collector, &options);
        let baseline = Baseline::new(legacy, existing);
        let output = tamper(migration.output.as_deref().unwrap());
        let diagnostics: Vec<Diagnostic> = migration
            .diagnostics
            .into_iter()
            .filter(|d| keep(d))
            .collect();
        let new = otel::read(&json::parse(&output).unwrap(), options.version());
        baseline.check(new, collector, &options, &diagnostics)
    }

    #[test]
    fn the_migration_as_written_passes() {
        assert!(check_output(str::to_string, |_| true).is_empty());
    }

    #[test]
    fn a_silent_change_of_behaviour_is_an_internal_error() {
        let found = check_output(|o| o.replace("\"trace_sample_rate\": 0.2,", ""), |_| true);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].code, Code::Internal);
        assert!(
            found[0].message.contains("every request"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].pointer, "/extra_config/telemetry~1opencensus");
        let found = check_output(|o| o.replace("\"port\": 4317", "\"port\": 4318"), |_| true);
        // The exporter no longer reaches the collector, so nor X-Ray.
        assert!(
            found
                .iter()
                .any(|d| d.message.contains("no longer reach xray")),
            "{found:#?}"
        );
    }

    #[test]
    fn a_double_export_is_a_difference() {
        // A second exporter to the collector: traces reach X-Ray twice.
        // Routes were once deduplicated before comparing, which hid this.
        let double = |o: &str| {
            let mut root: serde_json::Value = serde_json::from_str(o).unwrap();
            let otlp = root
                .pointer_mut("/extra_config/telemetry~1opentelemetry/exporters/otlp")
                .and_then(serde_json::Value::as_array_mut)
                .unwrap();
            let mut twin = otlp[0].clone();
            twin["name"] = "twin".into();
            otlp.push(twin);
            root.to_string()
        };
        let found = check_output(double, |_| true);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].message.contains("2 times") && found[0].message.contains("double export"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn an_inherent_change_still_needs_its_diagnostic() {
        let found = check_output(str::to_string, |d| d.code != Code::SamplingRatio);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].message.contains("parent-based"),
            "{}",
            found[0].message
        );
        let found = check_output(str::to_string, |d| d.code != Code::B3Propagation);
        assert!(found[0].message.contains("B3"), "{}", found[0].message);
    }
}
