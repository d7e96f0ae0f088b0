//! Tier 3's verdicts: which diagnostic explains which kind of difference,
//! and the differences no diagnostic explains today (the known gaps).

use super::compare::Difference;

/// Which diagnostics explain a kind of difference. A kind with no code is
/// never acceptable.
pub const EXPLAINED_BY: &[(&str, &[&str])] = &[
    // Exact at 0 and 100 %, within 5 sigma in between: only explained by
    // an existing block's sampler kept with --merge-settings existing.
    ("sampled", &["OC031"]),
    // An existing telemetry/opentelemetry block governs every exporter.
    ("layers", &["OC010", "OC031"]),
    // A legacy service name that cannot be kept (another exporter's
    // name won, or zipkin's empty default), warned per exporter; X-Ray
    // named segments after spans.
    ("service", &["OC107", "OC204", "OC010"]),
    ("version", &["OC203", "OC020", "OC010"]),
    // B3 headers become W3C traceparent.
    ("headers:sampled", &["OC106"]),
    ("headers:unsampled", &["OC106"]),
    // Trace context no longer forwarded on requests that are not recorded
    // (sampling below 100 %, or no trace exporter): OC108. Added where
    // the legacy config had none: never.
    ("headers:lost-sampled", &["OC108"]),
    ("headers:lost-unsampled", &["OC108"]),
    ("headers:new", &[]),
];

/// A difference no diagnostic explains, kept visible until oc2otel
/// reports or removes it (the facts: ../shared/reference/legacy-behaviour-corrections.md,
/// the section named) makes oc2otel report or remove it.
pub struct KnownGap {
    pub kind: &'static str,
    /// The config (label prefix, as `Produced::label`).
    pub config: &'static str,
    pub why: &'static str,
    pub fidelity: &'static str,
}

/// Every difference tier 3 sees today that no diagnostic explains: none.
/// The fidelity issue made oc2otel report the last ones (trace context
/// on unrecorded requests: OC108; legacy default service names: OC107).
pub const KNOWN_GAPS: &[KnownGap] = &[];

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
