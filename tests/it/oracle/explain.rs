//! Tier 3's verdicts: which diagnostic explains which kind of difference,
//! and the differences no diagnostic explains today (the known gaps).

use super::compare::Difference;

/// Which diagnostics explain a kind of difference. A kind with no code is
/// never acceptable.
pub const EXPLAINED_BY: &[(&str, &[&str])] = &[
    // Exact at 0 and 100 %, within 5 sigma in between: never explained.
    ("sampled", &[]),
    // An existing telemetry/opentelemetry block governs every exporter.
    ("layers", &["OC010"]),
    // A legacy service name that cannot be kept (another exporter's
    // name won, or zipkin's empty default), warned per exporter; X-Ray
    // named segments after spans.
    ("service", &["OC107", "OC204", "OC010"]),
    ("version", &["OC203", "OC020", "OC010"]),
    // B3 headers become W3C traceparent.
    ("headers:sampled", &["OC106"]),
    ("headers:unsampled", &["OC106"]),
    // Trace context dropped or added: nothing says so today.
    ("headers:lost-sampled", &[]),
    ("headers:lost-unsampled", &[]),
    ("headers:new", &[]),
];

/// A difference no diagnostic explains today, kept visible until the
/// fidelity work (../shared/reference/legacy-behaviour-corrections.md,
/// the section named) makes oc2otel report or remove it.
pub struct KnownGap {
    pub kind: &'static str,
    /// The config (label prefix, as `Produced::label`).
    pub config: &'static str,
    pub why: &'static str,
    pub fidelity: &'static str,
}

const PROPAGATION: &str = "fidelity issue: Trace context propagation when not sampling";

const UNSAMPLED: (&str, &str) = (
    "OpenCensus wrote X-B3-* with X-B3-Sampled: 0 on unsampled requests; krakend-otel \
     injects only for recording spans, so backends start their own traces",
    PROPAGATION,
);
const NO_TRACE_EXPORTER: (&str, &str) = (
    "OpenCensus sampled and propagated B3 without any trace exporter; the migration has \
     no tracer, so nothing reaches the backend",
    PROPAGATION,
);

const fn gap(
    kind: &'static str,
    config: &'static str,
    why: (&'static str, &'static str),
) -> KnownGap {
    KnownGap {
        kind,
        config,
        why: why.0,
        fidelity: why.1,
    }
}

/// Every difference tier 3 sees today that no diagnostic explains.
pub const KNOWN_GAPS: &[KnownGap] = &[
    gap("headers:lost-unsampled", "rules/datadog.json", UNSAMPLED),
    gap(
        "headers:lost-unsampled",
        "rules/duplicate_keys.json",
        UNSAMPLED,
    ),
    gap(
        "headers:lost-unsampled",
        "rules/emf_no_region_traces_off.json",
        UNSAMPLED,
    ),
    gap("headers:lost-unsampled", "rules/emf_xray.json", UNSAMPLED),
    gap("headers:lost-unsampled", "rules/influxdb.json", UNSAMPLED),
    gap(
        "headers:lost-unsampled",
        "rules/jaeger_agent.json",
        UNSAMPLED,
    ),
    gap("headers:lost-unsampled", "rules/ocagent.json", UNSAMPLED),
    gap(
        "headers:lost-unsampled",
        "rules/prometheus_port_zero.json",
        UNSAMPLED,
    ),
    gap(
        "headers:lost-unsampled",
        "rules/xray_no_sample_rate.json",
        UNSAMPLED,
    ),
    gap(
        "headers:lost-unsampled",
        "rules/xray_use_env.json",
        UNSAMPLED,
    ),
    gap(
        "headers:lost-unsampled",
        "examples/xray/krakend.json",
        UNSAMPLED,
    ),
    gap(
        "headers:lost-sampled",
        "rules/both_namespaces.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/emf_no_exporters.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/emf_prometheus_only.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/jaeger_misspelt.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/logger_only.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/no_exporters.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/old_schema.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/prometheus.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/tabs_crlf.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/unknown_keys.json",
        NO_TRACE_EXPORTER,
    ),
    gap(
        "headers:lost-sampled",
        "rules/v1_namespace.json",
        NO_TRACE_EXPORTER,
    ),
];

/// How each difference of one config is taken.
#[derive(Debug, Default)]
pub struct Verdicts {
    pub explained: Vec<(Difference, &'static str)>,
    pub known: Vec<Difference>,
    pub unexplained: Vec<Difference>,
}

pub fn judge(label: &str, codes: &[String], differences: Vec<Difference>) -> Verdicts {
    let mut v = Verdicts::default();
    for d in differences {
        let kind = if d.kind == "service:xray" {
            "service"
        } else {
            d.kind
        };
        let by = EXPLAINED_BY
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[][..], |(_, c)| *c);
        let by = if d.kind == "service:xray" {
            &["OC204"][..]
        } else {
            by
        };
        if let Some(code) = by.iter().find(|c| codes.iter().any(|have| have == *c)) {
            v.explained.push((d, code));
        } else if KNOWN_GAPS
            .iter()
            .any(|g| g.kind == d.kind && label.starts_with(g.config))
        {
            v.known.push(d);
        } else {
            v.unexplained.push(d);
        }
    }
    v
}
