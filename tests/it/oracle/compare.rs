//! Tier 3's comparison: the two runs of a config normalised into sides,
//! and the differences between them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::traces::{Context, Trace};

/// One side of a run, normalised.
#[derive(Debug, Default)]
pub struct Side {
    pub traces: BTreeMap<String, Trace>,
    /// The trace context of each backend request, in request order.
    pub contexts: Vec<Context>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub kind: &'static str,
    pub detail: String,
}

/// The legacy block of a config (either key, the v2 one winning), its
/// exporters object found case-insensitively as Go's decoder does.
pub fn legacy_block(config: &mut Value) -> Option<&mut Value> {
    let extra = config.get_mut("extra_config")?.as_object_mut()?;
    let key = [
        "telemetry/opencensus",
        "github_com/devopsfaith/krakend-opencensus",
    ]
    .into_iter()
    .find(|k| extra.contains_key(*k))?;
    extra.get_mut(key)
}

pub fn get_ci<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .rfind(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The service names the legacy trace exporters gave, and X-Ray's
/// `service.version` (../shared/reference/legacy-behaviour-corrections.md,
/// "Default service names"). zipkin's own name is what the run captured.
fn legacy_names(block: &Value) -> (BTreeSet<String>, Option<String>) {
    let exporters = get_ci(block, "exporters").cloned().unwrap_or(Value::Null);
    let mut names = BTreeSet::new();
    let mut version = None;
    let named = |e: &Value, key: &str, default: &str| {
        get_ci(e, key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(default)
            .to_string()
    };
    if let Some(e) = get_ci(&exporters, "jaeger") {
        names.insert(named(e, "service_name", "OpenCensus"));
    }
    if let Some(e) = get_ci(&exporters, "datadog") {
        names.insert(named(e, "service", "opencensus-app"));
    }
    if let Some(e) = get_ci(&exporters, "ocagent") {
        names.insert(named(e, "service_name", "KrakenD-Opencensus"));
    }
    if let Some(e) = get_ci(&exporters, "xray") {
        names.insert("(X-Ray: segment named after each span)".to_string());
        version = Some(named(e, "version", "KrakenD-opencensus"));
    }
    (names, version)
}

/// Did the legacy block have an exporter that received traces? Without
/// one, the spans the added zipkin exporter captured reached nobody.
fn legacy_traced(block: &Value) -> bool {
    let exporters = get_ci(block, "exporters").cloned().unwrap_or(Value::Null);
    // jaeger without an endpoint could not be created (mapping.md, OC211).
    let jaeger = get_ci(&exporters, "jaeger").is_some_and(|j| {
        ["endpoint", "agent_endpoint"].iter().any(|k| {
            get_ci(j, k)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
        })
    });
    jaeger
        || ["xray", "zipkin", "datadog", "ocagent", "stackdriver"]
            .iter()
            .any(|e| get_ci(&exporters, e).is_some())
}

/// The differences between the two sides.
pub fn compare(
    legacy_block: &Value,
    legacy: &Side,
    new: &Side,
    requests: usize,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut diff = |kind: &'static str, detail: String| out.push(Difference { kind, detail });
    let no_traces = BTreeMap::new();
    let legacy_traces = if legacy_traced(legacy_block) {
        &legacy.traces
    } else {
        &no_traces
    };
    let (a, b) = (legacy_traces.len(), new.traces.len());
    let exact = [a, b].iter().any(|&n| n == 0 || n == requests);
    let p = (a + b) as f64 / (2 * requests) as f64;
    let sigma = (2.0 * requests as f64 * p * (1.0 - p)).sqrt();
    if (exact && a != b) || (!exact && (a as f64 - b as f64).abs() > 5.0 * sigma) {
        diff(
            "sampled",
            format!("{a} traces before, {b} after, of {requests} requests"),
        );
    }
    if a > 0 && b > 0 {
        let (before, after) = (layer_sets(legacy_traces), new.layer_sets_text());
        if before != after {
            diff(
                "layers",
                format!("spans by layer before {before}, after {after}"),
            );
        }
        let (mut names, version) = legacy_names(legacy_block);
        if get_ci(
            &get_ci(legacy_block, "exporters")
                .cloned()
                .unwrap_or(Value::Null),
            "zipkin",
        )
        .is_some()
        {
            names.extend(legacy_traces.values().map(|t| t.service.clone()));
        }
        let new_names: BTreeSet<String> = new.traces.values().map(|t| t.service.clone()).collect();
        for name in names.difference(&new_names) {
            let kind = if name.starts_with("(X-Ray") {
                "service:xray"
            } else {
                "service"
            };
            diff(
                kind,
                format!("service `{name}` before, {new_names:?} after"),
            );
        }
        let new_versions: BTreeSet<Option<String>> =
            new.traces.values().map(|t| t.version.clone()).collect();
        if let Some(v) = version.filter(|v| new_versions != BTreeSet::from([Some(v.clone())])) {
            diff(
                "version",
                format!("X-Ray service.version `{v}` before, {new_versions:?} after"),
            );
        }
    }
    out.extend(header_differences(&legacy.contexts, &new.contexts));
    out
}

/// The trace headers that reached the backend, by each side's own
/// sampling decision (requests are not paired: at a ratio the two
/// samplers pick different requests). A format change of the context of
/// sampled (`headers:sampled`) or unsampled requests (`headers:unsampled`);
/// a context no longer propagated for sampled (`headers:lost-sampled`) or
/// unsampled requests (`headers:lost-unsampled`), or one propagated that
/// was not (`headers:new`).
fn header_differences(before: &[Context], after: &[Context]) -> Vec<Difference> {
    let classes = |contexts: &[Context], sampled: bool| -> BTreeMap<&'static str, usize> {
        let mut families = BTreeMap::new();
        for c in contexts
            .iter()
            .filter(|c| c.sampled().unwrap_or(false) == sampled)
        {
            *families.entry(c.family()).or_insert(0) += 1;
        }
        families
    };
    let mut out = Vec::new();
    for sampled in [true, false] {
        let (b, a) = (classes(before, sampled), classes(after, sampled));
        let has = |m: &BTreeMap<&str, usize>| m.keys().any(|f| *f != "none");
        let kind = match (has(&b), has(&a)) {
            (true, true) if b.keys().ne(a.keys()) => {
                if sampled {
                    "headers:sampled"
                } else {
                    "headers:unsampled"
                }
            }
            (true, false) if sampled => "headers:lost-sampled",
            (true, false) => "headers:lost-unsampled",
            (false, true) => "headers:new",
            _ => continue,
        };
        let which = if sampled { "sampled" } else { "unsampled" };
        out.push(Difference {
            kind,
            detail: format!("backend headers of {which} requests {b:?} before, {a:?} after"),
        });
    }
    out
}

fn layer_sets(traces: &BTreeMap<String, Trace>) -> String {
    let sets: BTreeSet<Vec<&str>> = traces
        .values()
        .map(|t| t.layers.iter().map(String::as_str).collect())
        .collect();
    format!("{sets:?}")
}

impl Side {
    fn layer_sets_text(&self) -> String {
        layer_sets(&self.traces)
    }
}

/// What a side looked like, for failure messages.
pub fn describe(side: &Side) -> String {
    let services: BTreeSet<_> = side
        .traces
        .values()
        .map(|t| (&t.service, &t.version))
        .collect();
    let names: BTreeSet<_> = side.traces.values().flat_map(|t| t.names.iter()).collect();
    let families: BTreeMap<_, usize> = side.contexts.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(format!("{c:?}")).or_insert(0) += 1;
        m
    });
    format!(
        "{} traces; services {services:?}; spans {names:?}; layer sets {}; backend headers {families:?}",
        side.traces.len(),
        layer_sets(&side.traces),
    )
}

fn side(traces: usize, contexts: Vec<Context>) -> Side {
    let trace = Trace {
        service: "KrakenD".into(),
        version: None,
        layers: BTreeSet::from(["router".to_string()]),
        names: BTreeSet::new(),
    };
    Side {
        traces: (0..traces)
            .map(|i| (i.to_string(), trace.clone()))
            .collect(),
        contexts,
    }
}

/// Sampling is exact at 0 and 100 % and statistical in between; header
/// differences are taken by each side's own decision. Needs no Go.
#[test]
fn comparison_of_sampling_and_headers() {
    let block = serde_json::json!({"exporters": {"zipkin": {}}});
    let kinds = |a: &Side, b: &Side, n| -> Vec<&'static str> {
        compare(&block, a, b, n)
            .into_iter()
            .map(|d| d.kind)
            .collect()
    };
    assert_eq!(
        kinds(&side(0, vec![]), &side(100, vec![]), 100),
        ["sampled"]
    );
    assert_eq!(
        kinds(&side(100, vec![]), &side(99, vec![]), 100),
        ["sampled"]
    );
    assert!(kinds(&side(480, vec![]), &side(530, vec![]), 2000).is_empty());
    assert_eq!(
        kinds(&side(400, vec![]), &side(600, vec![]), 2000),
        ["sampled"]
    );
    let b3 = |sampled| Context::B3 { sampled };
    let w3c = |sampled| Context::W3c { sampled };
    let before = side(1, vec![b3(true), b3(false)]);
    let after = side(1, vec![w3c(true), Context::None]);
    assert_eq!(
        kinds(&before, &after, 2),
        ["headers:sampled", "headers:lost-unsampled"]
    );
    let none = side(0, vec![Context::None, Context::None]);
    assert_eq!(
        kinds(&side(0, vec![b3(true), b3(true)]), &none, 2),
        ["headers:lost-sampled"]
    );
    assert!(kinds(&none, &none, 2).is_empty());
}
