//! ADOT v0.49.0's component types, kept by hand because ADOT's own
//! collector cannot be built from the Go module proxy (a `replace` in its
//! go.mod, a patched vendor tree). Source: aws-observability/
//! aws-otel-collector v0.49.0, `pkg/defaultcomponents/defaults.go`, as read
//! in ../shared/reference/real-oracles.md ("ADOT v0.49.0 component set").
//! Renamed types keep their old name as an alias there; only the aliases
//! that page names are listed.

use std::collections::BTreeMap;

pub const EXTENSIONS: &[&str] = &[
    "awsproxy",
    "ecs_observer",
    "health_check",
    "pprof",
    "sigv4auth",
    "zpages",
    "file_storage",
];

pub const RECEIVERS: &[&str] = &[
    "awsecscontainermetrics",
    "awscontainerinsightreceiver",
    "awsxray",
    "statsd",
    "prometheus",
    "kafka",
    "jaeger",
    "zipkin",
    "otlp",
    "file_log",
];

pub const PROCESSORS: &[&str] = &[
    "groupbytrace",
    "tail_sampling",
    "attributes",
    "resource",
    "probabilistic_sampler",
    "span",
    "filter",
    "metrics_transform",
    "resource_detection",
    "metricsgeneration",
    "cumulativetodelta",
    "deltatorate",
    "batch",
    "memory_limiter",
    "k8s_attributes",
];

/// datadog, logzio and signalfx sit behind deprecation feature gates in
/// ADOT v0.49.0: a config oc2otel writes must not need a gate.
pub const EXPORTERS: &[&str] = &[
    "awsemf",
    "prometheus_remote_write",
    "prometheus",
    "file",
    "kafka",
    "debug",
    "otlp_grpc",
    "otlp_http",
    "awsxray",
    "load_balancing",
    "awscloudwatchlogs",
];

/// Old type names ADOT v0.49.0 still accepts, with the current name.
const ALIASES: &[(&str, &str, &str)] = &[
    ("exporters", "otlp", "otlp_grpc"),
    ("processors", "resourcedetection", "resource_detection"),
];

/// Is `kind` (a component id's type, before any `/name`) an ADOT v0.49.0
/// component of `section`?
pub fn ships(section: &str, kind: &str) -> bool {
    let list = match section {
        "extensions" => EXTENSIONS,
        "receivers" => RECEIVERS,
        "processors" => PROCESSORS,
        "exporters" => EXPORTERS,
        _ => return false,
    };
    let kind = ALIASES
        .iter()
        .find(|(s, old, _)| *s == section && *old == kind)
        .map_or(kind, |(_, _, new)| *new);
    list.contains(&kind)
}

/// The component types of a collector config, by section.
pub fn component_types(config: &serde_json::Value) -> BTreeMap<String, Vec<String>> {
    let mut types = BTreeMap::new();
    for section in ["receivers", "processors", "exporters", "extensions"] {
        let kinds = config[section]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, _)| id.split('/').next().unwrap_or(id).to_string())
            .collect();
        types.insert(section.to_string(), kinds);
    }
    types
}

/// The components of `config` that ADOT v0.49.0 does not ship.
pub fn foreign(config: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for (section, kinds) in component_types(config) {
        out.extend(
            kinds
                .into_iter()
                .filter(|k| !ships(&section, k))
                .map(|k| format!("{section}.{k}")),
        );
    }
    out
}

#[test]
fn the_adot_list_knows_aliases_and_rejects_contrib_only_types() {
    assert!(ships("exporters", "otlp"));
    assert!(ships("exporters", "otlp_grpc"));
    assert!(ships("processors", "resourcedetection"));
    assert!(!ships("exporters", "zipkin"));
    assert!(!ships("exporters", "googlecloud"));
    assert!(!ships("exporters", "influxdb"));
    assert!(!ships("exporters", "datadog"));
    let contrib = serde_json::json!({"exporters": {"zipkin": {}, "awsxray/eu": {}}});
    assert_eq!(foreign(&contrib), ["exporters.zipkin"]);
}

/// Every adot-flavour collector config the suite produces uses only ADOT
/// v0.49.0 component types. Needs no Go: it runs everywhere.
#[test]
fn adot_flavour_configs_use_only_adot_component_types() {
    let mut checked = 0;
    for p in super::configs::all().iter().filter(|p| p.flavor == "adot") {
        let Some(yaml) = &p.collector else { continue };
        let config: serde_json::Value = yaml_serde::from_str(yaml).expect("collector YAML");
        let foreign = foreign(&config);
        assert!(
            foreign.is_empty(),
            "{}: not in ADOT v0.49.0: {foreign:?}\n{yaml}",
            p.label
        );
        checked += 1;
    }
    assert!(checked > 50, "only {checked} adot-flavour configs");
    super::figures(&format!(
        "adot component types: {checked} adot-flavour collector configs checked"
    ));
}
