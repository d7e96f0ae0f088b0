//! An oracle for generated collector configs, independent of oc2otel's
//! own code: the keys the collector accepts (it rejects unknown keys), the
//! components each distribution ships, and the structural rules its
//! `validate` command enforces. Key lists follow the ADOT v0.49 /
//! collector-contrib v0.156 config structs (see ../shared/reference,
//! adot-collector.md part (c)).

#![allow(dead_code)]

use serde_json::Value;

const SESSION: &[&str] = &[
    "num_workers",
    "endpoint",
    "request_timeout_seconds",
    "max_retries",
    "no_verify_ssl",
    "proxy_address",
    "region",
    "local_mode",
    "resource_arn",
    "role_arn",
    "external_id",
];

fn allowed_exporter_keys(kind: &str) -> Option<Vec<&'static str>> {
    let mut keys: Vec<&'static str> = match kind {
        "awsxray" => vec![
            "indexed_attributes",
            "index_all_attributes",
            "aws_log_groups",
            "telemetry",
        ],
        "awsemf" => vec![
            "log_group_name",
            "log_stream_name",
            "namespace",
            "retain_initial_value_of_delta_metric",
            "dimension_rollup_option",
            "log_retention",
            "tags",
            "parse_json_encoded_attr_values",
            "metric_declarations",
            "metric_descriptors",
            "output_destination",
            "eks_fargate_container_insights_enabled",
            "resource_to_telemetry_conversion",
            "detailed_metrics",
            "version",
        ],
        "zipkin" => vec![
            "endpoint",
            "format",
            "default_service_name",
            "timeout",
            "headers",
            "tls",
            "sending_queue",
            "retry_on_failure",
        ],
        "googlecloud" => vec![
            "project",
            "user_agent",
            "metric",
            "trace",
            "log",
            "destination_project_quota",
            "sending_queue",
            "timeout",
        ],
        "influxdb" => vec![
            "endpoint",
            "timeout",
            "headers",
            "org",
            "bucket",
            "token",
            "v1_compatibility",
            "span_dimensions",
            "log_record_dimensions",
            "payload_max_lines",
            "payload_max_bytes",
            "metrics_schema",
            "sending_queue",
            "retry_on_failure",
        ],
        "debug" => vec![
            "verbosity",
            "sampling_initial",
            "sampling_thereafter",
            "use_internal_logger",
            "output_paths",
            "sending_queue",
        ],
        _ => return None,
    };
    if matches!(kind, "awsxray" | "awsemf") {
        keys.extend_from_slice(SESSION);
    }
    Some(keys)
}

/// Component types each distribution ships that oc2otel may emit.
fn ships(flavor: &str, section: &str, kind: &str) -> bool {
    let adot = match section {
        "receivers" => &["otlp"][..],
        "processors" => &[
            "batch",
            "memory_limiter",
            "resourcedetection",
            "resource_detection",
        ][..],
        "exporters" => &["awsxray", "awsemf", "debug", "otlp", "otlp_grpc"][..],
        "extensions" => &["health_check"][..],
        _ => &[][..],
    };
    let contrib_extra = match section {
        "exporters" => &["zipkin", "googlecloud", "influxdb", "prometheus"][..],
        _ => &[][..],
    };
    adot.contains(&kind) || (flavor == "contrib" && contrib_extra.contains(&kind))
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn subset(what: &str, value: &Value, allowed: &[&str], problems: &mut Vec<String>) {
    for key in keys(value) {
        if !allowed.contains(&key) {
            problems.push(format!(
                "{what}: key `{key}` is not accepted by the collector"
            ));
        }
    }
}

fn kind(id: &str) -> &str {
    id.split('/').next().unwrap_or(id)
}

/// The signals each exporter type accepts: the collector refuses to build
/// a pipeline that hands an exporter another signal.
fn supports(kind: &str, signal: &str) -> bool {
    match kind {
        "awsxray" | "zipkin" => signal == "traces",
        "awsemf" | "prometheus" => signal == "metrics",
        _ => true,
    }
}

/// The nested objects of `awsemf` (contrib v0.156 `config.go`,
/// `metric_declaration.go`, `resourcetotelemetry`), and its enumerated
/// `dimension_rollup_option`.
fn awsemf_nested(id: &str, body: &Value, problems: &mut Vec<String>) {
    if let Some(option) = body.get("dimension_rollup_option") {
        let valid = [
            "ZeroAndSingleDimensionRollup",
            "SingleDimensionRollupOnly",
            "NoDimensionRollup",
        ];
        if !option.as_str().is_some_and(|o| valid.contains(&o)) {
            problems.push(format!(
                "{id}.dimension_rollup_option: {option} is not one of {valid:?}"
            ));
        }
    }
    for declaration in body["metric_declarations"].as_array().into_iter().flatten() {
        subset(
            &format!("{id}.metric_declarations[]"),
            declaration,
            &["dimensions", "metric_name_selectors", "label_matchers"],
            problems,
        );
        if declaration["metric_name_selectors"]
            .as_array()
            .is_none_or(|s| s.is_empty())
        {
            problems.push(format!(
                "{id}.metric_declarations[] without metric_name_selectors is dropped"
            ));
        }
        for matcher in declaration["label_matchers"]
            .as_array()
            .into_iter()
            .flatten()
        {
            subset(
                &format!("{id}.label_matchers[]"),
                matcher,
                &["label_names", "separator", "regex"],
                problems,
            );
        }
    }
    for descriptor in body["metric_descriptors"].as_array().into_iter().flatten() {
        subset(
            &format!("{id}.metric_descriptors[]"),
            descriptor,
            &["metric_name", "unit", "overwrite"],
            problems,
        );
    }
    if let Some(conversion) = body.get("resource_to_telemetry_conversion") {
        subset(
            &format!("{id}.resource_to_telemetry_conversion"),
            conversion,
            &["enabled", "exclude_service_attributes"],
            problems,
        );
    }
}

/// Every problem the real collector would report for `yaml`, plus
/// oc2otel's own promises (explicit endpoints, no credentials).
pub fn problems(yaml: &str, flavor: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let config: Value = match yaml_serde::from_str(yaml) {
        Ok(v) => v,
        Err(e) => return vec![format!("not YAML: {e}")],
    };
    subset(
        "top level",
        &config,
        &[
            "receivers",
            "processors",
            "exporters",
            "connectors",
            "extensions",
            "service",
        ],
        &mut problems,
    );
    for section in ["receivers", "processors", "exporters", "extensions"] {
        for id in keys(&config[section]) {
            let k = kind(id);
            if !ships(flavor, section, k) {
                problems.push(format!(
                    "{section}.{id}: the {flavor} collector has no `{k}`"
                ));
            }
            let body = &config[section][id];
            let body = if body.is_null() {
                &Value::Object(Default::default())
            } else {
                body
            };
            match (section, k) {
                ("receivers", "otlp") => {
                    subset("receivers.otlp", body, &["protocols"], &mut problems);
                    let protocols = &body["protocols"];
                    subset(
                        "otlp.protocols",
                        protocols,
                        &["grpc", "http"],
                        &mut problems,
                    );
                    if keys(protocols).is_empty() {
                        problems.push("otlp receiver without a protocol".into());
                    }
                    for p in keys(protocols) {
                        let endpoint = protocols[p]["endpoint"].as_str().unwrap_or("");
                        if endpoint.is_empty() {
                            problems.push(format!(
                                "otlp.{p} has no explicit endpoint (defaults to localhost)"
                            ));
                        }
                        subset(
                            &format!("otlp.protocols.{p}"),
                            &protocols[p],
                            &[
                                "endpoint",
                                "transport",
                                "tls",
                                "max_recv_msg_size_mib",
                                "keepalive",
                                "auth",
                                "include_metadata",
                                "cors",
                                "max_request_body_size",
                            ],
                            &mut problems,
                        );
                    }
                }
                ("processors", "memory_limiter") => {
                    subset(
                        id,
                        body,
                        &[
                            "check_interval",
                            "limit_mib",
                            "spike_limit_mib",
                            "limit_percentage",
                            "spike_limit_percentage",
                        ],
                        &mut problems,
                    );
                    // The collector refuses to start without both
                    // (internal/memorylimiter/config.go, `Validate`).
                    if body["check_interval"].is_null() {
                        problems.push(format!("{id}: check_interval is required"));
                    }
                    if body["limit_mib"].is_null() && body["limit_percentage"].is_null() {
                        problems.push(format!("{id}: a limit is required"));
                    }
                }
                ("processors", "resourcedetection") => subset(
                    id,
                    body,
                    &[
                        "detectors",
                        "timeout",
                        "override",
                        "attributes",
                        "client",
                        "gcp",
                        "ec2",
                        "system",
                        "env",
                    ],
                    &mut problems,
                ),
                ("processors", "batch") => subset(
                    id,
                    body,
                    &[
                        "timeout",
                        "send_batch_size",
                        "send_batch_max_size",
                        "metadata_keys",
                        "metadata_cardinality_limit",
                    ],
                    &mut problems,
                ),
                ("extensions", "health_check") => subset(
                    id,
                    body,
                    &[
                        "endpoint",
                        "path",
                        "response_body",
                        "check_collector_pipeline",
                        "tls",
                        "cors",
                        "auth",
                    ],
                    &mut problems,
                ),
                ("exporters", k) => match allowed_exporter_keys(k) {
                    Some(allowed) => subset(id, body, &allowed, &mut problems),
                    None => problems.push(format!("exporters.{id}: no key list for `{k}`")),
                },
                _ => {}
            }
        }
    }
    for (id, body) in config["exporters"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(id, _)| kind(id) == "awsemf")
    {
        awsemf_nested(id, body, &mut problems);
    }
    if let Some(v1) = config["exporters"]["influxdb"].get("v1_compatibility") {
        subset(
            "influxdb.v1_compatibility",
            v1,
            &["enabled", "db", "username", "password"],
            &mut problems,
        );
    }
    let service = &config["service"];
    subset(
        "service",
        service,
        &["telemetry", "extensions", "pipelines"],
        &mut problems,
    );
    for ext in service["extensions"].as_array().into_iter().flatten() {
        let ext = ext.as_str().unwrap_or_default();
        if config["extensions"].get(ext).is_none() {
            problems.push(format!(
                "service.extensions references `{ext}`, which is not configured"
            ));
        }
    }
    let pipelines = &service["pipelines"];
    if keys(pipelines).is_empty() {
        problems.push("service must have at least one pipeline".into());
    }
    for name in keys(pipelines) {
        let signal = name.split('/').next().unwrap_or_default();
        if !["traces", "metrics", "logs"].contains(&signal) {
            problems.push(format!("unknown pipeline signal `{name}`"));
        }
        let pipeline = &pipelines[name];
        subset(
            name,
            pipeline,
            &["receivers", "processors", "exporters"],
            &mut problems,
        );
        for (part, section) in [
            ("receivers", "receivers"),
            ("processors", "processors"),
            ("exporters", "exporters"),
        ] {
            let list: Vec<&str> = pipeline[part]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if part != "processors" && list.is_empty() {
                problems.push(format!("pipeline {name} has no {part}"));
            }
            let mut seen = std::collections::HashSet::new();
            for id in list {
                if part == "exporters" && !supports(kind(id), signal) {
                    problems.push(format!(
                        "pipeline {name}: failed to create \"{id}\" exporter for data type \"{signal}\": telemetry type is not supported"
                    ));
                }
                if config[section].get(id).is_none() {
                    problems.push(format!(
                        "pipeline {name} references {part} `{id}`, which is not configured"
                    ));
                }
                if !seen.insert(id) {
                    problems.push(format!("pipeline {name} repeats `{id}`"));
                }
            }
        }
    }
    // Credentials only ever as environment references.
    fn walk(value: &Value, path: &str, problems: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let lower = k.to_lowercase();
                    let secretish = ["password", "secret", "token", "access_key", "username"]
                        .iter()
                        .any(|w| lower.contains(w));
                    if secretish
                        && let Some(s) = v.as_str()
                        && !(s.starts_with("${env:") && s.ends_with('}'))
                    {
                        problems.push(format!("{path}.{k} holds a literal credential"));
                    }
                    walk(v, &format!("{path}.{k}"), problems);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, path, problems)),
            _ => {}
        }
    }
    walk(&config, "", &mut problems);
    problems
}

/// Assert the X-Ray specifics the issue names: a 1 s / 50 batch before
/// awsxray, and the health check extension; and the production default
/// of every pipeline: `memory_limiter` first.
pub fn xray_problems(yaml: &str) -> Vec<String> {
    let config: Value = yaml_serde::from_str(yaml).unwrap();
    let mut problems = Vec::new();
    for (name, pipeline) in config["service"]["pipelines"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if pipeline["processors"][0] != "memory_limiter" {
            problems.push(format!(
                "pipeline {name} does not start with memory_limiter"
            ));
        }
    }
    let traces = &config["service"]["pipelines"]["traces"];
    let exporters = traces["exporters"].as_array().cloned().unwrap_or_default();
    if exporters.iter().any(|e| e == "awsxray") {
        let batch = &config["processors"]["batch/traces"];
        if batch["timeout"] != "1s" || batch["send_batch_size"] != 50 {
            problems.push(format!("batch/traces is {batch}, not 1s / 50"));
        }
        if !traces["processors"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x == "batch/traces"))
        {
            problems.push("the traces pipeline does not batch".into());
        }
    }
    if !config["service"]["extensions"]
        .as_array()
        .is_some_and(|e| e.iter().any(|x| x == "health_check"))
    {
        problems.push("no health_check extension in service.extensions".into());
    }
    problems
}

/// What `--metrics emf` promises (adot-collector.md part (b)): awsemf only
/// in metrics pipelines, after a batch processor, with KrakenD's namespace,
/// log group and no dimension rollups.
pub fn emf_problems(yaml: &str) -> Vec<String> {
    let config: Value = yaml_serde::from_str(yaml).unwrap();
    let mut problems = Vec::new();
    let emf = &config["exporters"]["awsemf"];
    if emf.is_null() {
        return vec!["no awsemf exporter".into()];
    }
    for (key, want) in [
        ("namespace", "KrakenD"),
        ("log_group_name", "/aws/krakend/metrics"),
        ("dimension_rollup_option", "NoDimensionRollup"),
    ] {
        if emf[key] != want {
            problems.push(format!("awsemf.{key} is {}, not {want}", emf[key]));
        }
    }
    let pipelines = config["service"]["pipelines"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut used = false;
    for (name, pipeline) in &pipelines {
        let has = pipeline["exporters"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x == "awsemf"));
        if !has {
            continue;
        }
        used = true;
        if !name.starts_with("metrics") {
            problems.push(format!("awsemf in the {name} pipeline"));
        }
        let batched = pipeline["processors"].as_array().is_some_and(|p| {
            p.iter()
                .filter_map(Value::as_str)
                .any(|id| kind(id) == "batch")
        });
        if !batched {
            problems.push(format!("the {name} pipeline does not batch before awsemf"));
        }
    }
    if !used {
        problems.push("awsemf is in no pipeline".into());
    }
    problems
}
