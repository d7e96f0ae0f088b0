//! The behaviour of a `telemetry/opentelemetry` block, read from the text
//! of a config the way KrakenD's OpenTelemetry module (krakend-otel)
//! reads it, with the exporters that point at the collector followed
//! through the collector config.
//!
//! Go semantics that matter: keys match case-insensitively (the byte-wise
//! greatest spelling wins, as after KrakenD's map round trip); a value of
//! the wrong type or duplicate exporter names make KrakenD refuse the whole
//! block and run without OpenTelemetry; defaults apply per absent object
//! (`layers`, `layers.global`, `layers.backend.metrics`, ...), not per
//! field. KrakenD facts: `trace_sample_rate` absent, <= 0 or >= 1 samples
//! every request, in between is a parent-based ratio;
//! `metric_reporting_period` absent is 30 s and <= 0 is 60 s, overridden
//! per exporter by `custom_metric_reporting_period` >= 1 (KrakenD 2.10);
//! an OTLP port 0 is 4317 and an empty host `localhost`; a Prometheus port
//! 0 is 9090; traces are set up only when an exporter carries them.

use crate::migration::options::{KrakendVersion, OtlpEndpoint};
use crate::model::locate::OPENTELEMETRY;
use crate::syntax::tree::{Member, Node, NodeKind, Span, child_pointer};

use super::collector::Collector;
use super::{
    Behaviour, Destination, LayerSignals, Layers, Module, Route, Sampling, ServiceName,
    ServiceVersion, Signal,
};

/// OpenTelemetry's period when `metric_reporting_period` is absent.
pub const DEFAULT_PERIOD: i64 = 30;
/// The SDK's period when the configured one is 0 or negative.
pub const ZERO_PERIOD: i64 = 60;

/// One `exporters.otlp` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct OtlpExporter {
    pub name: String,
    /// Lowercase, without a scheme; `localhost` when empty.
    pub host: String,
    pub port: Option<u16>,
    pub http: bool,
    pub metrics: bool,
    pub traces: bool,
    /// Seconds between metric pushes.
    pub period: i64,
}

/// One `exporters.prometheus` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusExporter {
    pub name: String,
    pub port: Option<u16>,
    pub metrics: bool,
}

/// What KrakenD reads from the block, with its defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub pointer: String,
    pub service_name: ServiceName,
    pub service_version: ServiceVersion,
    pub sample_rate: Option<f64>,
    pub layers: Layers,
    pub otlp: Vec<OtlpExporter>,
    pub prometheus: Vec<PrometheusExporter>,
}

/// A reason KrakenD refuses the block, located.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub message: String,
    pub pointer: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// No service-level `telemetry/opentelemetry`.
    Absent,
    /// KrakenD cannot read the block, so it runs without OpenTelemetry.
    Refused(Refusal),
    Block(Block),
}

/// The service-level `telemetry/opentelemetry` member of a config: in the
/// root `extra_config`, or at the root of a settings file that holds the
/// service `extra_config` alone.
pub fn find(root: &Node) -> Option<(&Member, String)> {
    match root.get("extra_config") {
        Some(extra) => extra
            .value
            .get(OPENTELEMETRY)
            .map(|m| (m, child_pointer("/extra_config", OPENTELEMETRY))),
        None => root
            .get(OPENTELEMETRY)
            .map(|m| (m, child_pointer("", OPENTELEMETRY))),
    }
}

/// Read the block of `root` for KrakenD `version`.
pub fn read(root: &Node, version: KrakendVersion) -> Read {
    let Some((member, pointer)) = find(root) else {
        return Read::Absent;
    };
    if member.value.kind == NodeKind::Null {
        return Read::Absent;
    }
    let mut go = Go { refusal: None };
    let block = go.block(root, &member.value, &pointer, version);
    match (go.refusal, block) {
        (Some(refusal), _) => Read::Refused(refusal),
        (None, Some(block)) => match duplicate_name(&block) {
            Some(name) => Read::Refused(Refusal {
                message: format!(
                    "two exporters are named `{name}`: KrakenD requires unique names and runs without OpenTelemetry"
                ),
                pointer: child_pointer(&pointer, "exporters"),
                span: member.span.clone(),
            }),
            None => Read::Block(block),
        },
        (None, None) => Read::Absent,
    }
}

fn duplicate_name(block: &Block) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    block
        .otlp
        .iter()
        .map(|e| &e.name)
        .chain(block.prometheus.iter().map(|e| &e.name))
        .find(|n| !seen.insert(n.as_str()))
        .cloned()
}

/// The behaviour of the config `root`: its block, with the OTLP exporters
/// that send to the collector `endpoint` followed through `collector`.
/// Without an endpoint no exporter is taken for the collector's; with an
/// endpoint but no collector config, such exporters are a problem (where
/// their telemetry goes is unknown).
pub fn behaviour(
    root: &Node,
    collector: Option<&Collector>,
    endpoint: Option<&OtlpEndpoint>,
    version: KrakendVersion,
) -> Behaviour {
    let block = match read(root, version) {
        Read::Absent => {
            return Behaviour::not_running(
                Module::Opentelemetry,
                format!("no `{OPENTELEMETRY}` block"),
            );
        }
        Read::Refused(refusal) => {
            let why = format!(
                "KrakenD refuses the block and runs without OpenTelemetry: {} (at {})",
                refusal.message, refusal.pointer
            );
            let mut out = Behaviour::not_running(Module::Opentelemetry, why.clone());
            out.problems.push(why);
            return out;
        }
        Read::Block(block) => block,
    };
    of_block(&block, collector, endpoint)
}

/// The behaviour of a read block.
pub fn of_block(
    block: &Block,
    collector: Option<&Collector>,
    endpoint: Option<&OtlpEndpoint>,
) -> Behaviour {
    let mut out = Behaviour {
        module: Module::Opentelemetry,
        inactive: None,
        sampling: Sampling::Off,
        layers: block.layers,
        routes: Vec::new(),
        service_names: vec![block.service_name.clone()],
        service_version: Some(block.service_version.clone()),
        propagation: None,
        problems: Vec::new(),
    };
    for e in &block.prometheus {
        match (e.metrics, e.port) {
            (false, _) => {}
            (true, Some(port)) => out.routes.push(Route {
                signal: Signal::Metrics,
                destination: Destination::Prometheus { port: Some(port) },
                period: None,
                via: format!("Prometheus exporter `{}`", e.name),
            }),
            (true, None) => out.problems.push(format!(
                "Prometheus exporter `{}`: its port is not a TCP port, so nothing can scrape it",
                e.name
            )),
        }
    }
    for e in &block.otlp {
        let signals: Vec<Signal> = [(Signal::Traces, e.traces), (Signal::Metrics, e.metrics)]
            .into_iter()
            .filter_map(|(s, on)| on.then_some(s))
            .collect();
        if signals.is_empty() {
            continue;
        }
        let Some(port) = e.port else {
            out.problems.push(format!(
                "OTLP exporter `{}`: its port is not a TCP port, so nothing is delivered",
                e.name
            ));
            continue;
        };
        let period = |s: Signal| (s == Signal::Metrics).then_some(e.period);
        let to_collector =
            endpoint.filter(|c| e.host.eq_ignore_ascii_case(&c.host) && port == c.port);
        match (to_collector, collector) {
            (Some(_), Some(collector)) => match collector.resolve(&e.host, port, e.http) {
                Ok(reached) => {
                    for (signal, destination, via) in reached {
                        if signals.contains(&signal) {
                            out.routes.push(Route {
                                signal,
                                destination,
                                period: period(signal),
                                via: format!("OTLP exporter `{}` -> collector {via}", e.name),
                            });
                        }
                    }
                }
                Err(problem) => out.problems.push(format!(
                    "OTLP exporter `{}` sends to the collector at {}:{port}, but {problem}",
                    e.name, e.host
                )),
            },
            (Some(endpoint), None) => {
                out.problems.push(format!(
                    "OTLP exporter `{}` sends to the collector endpoint {endpoint}, but no collector config was given: its destinations are unknown",
                    e.name
                ));
                for signal in signals {
                    out.routes.push(direct(e, port, signal, period(signal)));
                }
            }
            (None, _) => {
                for signal in signals {
                    out.routes.push(direct(e, port, signal, period(signal)));
                }
            }
        }
    }
    if out.carries(Signal::Traces) {
        out.sampling = match block.sample_rate {
            Some(rate) if rate > 0.0 && rate < 1.0 => Sampling::Ratio {
                rate,
                parent_based: true,
            },
            _ => Sampling::Always,
        };
        if out.layers.router.traces || out.layers.backend.traces {
            out.propagation = Some("W3C traceparent");
        }
    }
    out.normalise();
    out
}

fn direct(e: &OtlpExporter, port: u16, signal: Signal, period: Option<i64>) -> Route {
    Route {
        signal,
        destination: Destination::Receiver {
            host: e.host.clone(),
            port: Some(port),
        },
        period,
        via: format!(
            "OTLP exporter `{}` ({})",
            e.name,
            if e.http { "HTTP" } else { "gRPC" }
        ),
    }
}

/// The member `name` of an object as Go's `encoding/json` picks it after
/// KrakenD's map round trip: keys match case-insensitively, and of several
/// spellings the byte-wise greatest is decoded last and wins; of exact
/// duplicates, the last.
pub fn go_field<'n>(object: &'n Node, name: &str) -> Option<&'n Member> {
    object
        .members()?
        .iter()
        .filter(|m| m.key.eq_ignore_ascii_case(name))
        .max_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()))
}

/// A tiny Go decoder: typed reads of optional fields that remember the
/// first type error, which makes KrakenD refuse the whole block.
struct Go {
    refusal: Option<Refusal>,
}

/// A JSON number as Go's `int` after the float64 round trip.
fn go_int(raw: &str) -> Option<i64> {
    let f: f64 = raw.parse().ok()?;
    (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
}

impl Go {
    fn refuse(&mut self, member: &Member, pointer: &str, expected: &str) {
        if self.refusal.is_none() {
            self.refusal = Some(Refusal {
                message: format!(
                    "`{}` must be {expected}, found {}",
                    member.key,
                    member.value.type_name()
                ),
                pointer: pointer.to_string(),
                span: member.span.clone(),
            });
        }
    }

    /// The member and its pointer, unless absent or null (which Go treats
    /// as absent for pointers and leaves the zero value for the rest).
    fn member<'n>(&self, object: &'n Node, base: &str, name: &str) -> Option<(&'n Member, String)> {
        let member = go_field(object, name)?;
        (member.value.kind != NodeKind::Null).then(|| (member, child_pointer(base, &member.key)))
    }

    fn string(&mut self, object: &Node, base: &str, name: &str) -> Option<String> {
        let (m, p) = self.member(object, base, name)?;
        match &m.value.kind {
            NodeKind::String(s) => Some(s.clone()),
            _ => {
                self.refuse(m, &p, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, object: &Node, base: &str, name: &str) -> bool {
        let Some((m, p)) = self.member(object, base, name) else {
            return false;
        };
        match m.value.kind {
            NodeKind::Bool(b) => b,
            _ => {
                self.refuse(m, &p, "a boolean");
                false
            }
        }
    }

    fn int(&mut self, object: &Node, base: &str, name: &str, unsigned: bool) -> Option<i64> {
        let (m, p) = self.member(object, base, name)?;
        let expected = if unsigned {
            "a whole number >= 0"
        } else {
            "a whole number"
        };
        match &m.value.kind {
            NodeKind::Number(raw) => match go_int(raw) {
                Some(n) if !(unsigned && n < 0) => Some(n),
                _ => {
                    self.refuse(m, &p, expected);
                    None
                }
            },
            _ => {
                self.refuse(m, &p, expected);
                None
            }
        }
    }

    fn float(&mut self, object: &Node, base: &str, name: &str) -> Option<f64> {
        let (m, p) = self.member(object, base, name)?;
        match &m.value.kind {
            NodeKind::Number(raw) => raw.parse().ok(),
            _ => {
                self.refuse(m, &p, "a number");
                None
            }
        }
    }

    fn object<'n>(
        &mut self,
        object: &'n Node,
        base: &str,
        name: &str,
    ) -> Option<(&'n Node, String)> {
        let (m, p) = self.member(object, base, name)?;
        match m.value.kind {
            NodeKind::Object(_) => Some((&m.value, p)),
            _ => {
                self.refuse(m, &p, "an object");
                None
            }
        }
    }

    fn array<'n>(
        &mut self,
        object: &'n Node,
        base: &str,
        name: &str,
    ) -> Option<(&'n [Node], String)> {
        let (m, p) = self.member(object, base, name)?;
        match &m.value.kind {
            NodeKind::Array(items) => Some((items.as_slice(), p)),
            _ => {
                self.refuse(m, &p, "an array");
                None
            }
        }
    }

    /// Fields KrakenD reads but the model does not need: only their type
    /// matters, since a wrong one makes KrakenD refuse the block.
    fn check_strings(&mut self, object: &Node, base: &str, names: &[&str]) {
        for name in names {
            self.string(object, base, name);
        }
    }

    fn check_bools(&mut self, object: &Node, base: &str, names: &[&str]) {
        for name in names {
            self.boolean(object, base, name);
        }
    }

    fn check_arrays(&mut self, object: &Node, base: &str, names: &[&str]) {
        for name in names {
            self.array(object, base, name);
        }
    }

    fn block(
        &mut self,
        root: &Node,
        value: &Node,
        pointer: &str,
        version: KrakendVersion,
    ) -> Option<Block> {
        if !matches!(value.kind, NodeKind::Object(_)) {
            self.refusal = Some(Refusal {
                message: format!("the block must be an object, found {}", value.type_name()),
                pointer: pointer.to_string(),
                span: value.span.clone(),
            });
            return None;
        }
        self.check_strings(value, pointer, &["deploy_env"]);
        self.check_arrays(value, pointer, &["skip_paths"]);
        let name = self
            .string(value, pointer, "service_name")
            .filter(|s| !s.is_empty());
        let service_name = match name {
            Some(value) => ServiceName {
                source: "service_name".into(),
                value,
                explicit: true,
            },
            None => match go_field(root, "name").and_then(|m| m.value.as_str()) {
                Some(n) if !n.is_empty() => ServiceName {
                    source: "the config's `name`".into(),
                    value: n.to_string(),
                    explicit: false,
                },
                _ => ServiceName {
                    source: "KrakenD's default".into(),
                    value: "KrakenD".into(),
                    explicit: false,
                },
            },
        };
        let version_field = self
            .string(value, pointer, "service_version")
            .filter(|s| !s.is_empty() && version.has_service_version());
        let service_version = ServiceVersion {
            explicit: version_field.is_some(),
            value: version_field,
        };
        let sample_rate = self.float(value, pointer, "trace_sample_rate");
        let global_period = match self.int(value, pointer, "metric_reporting_period", false) {
            None => DEFAULT_PERIOD,
            Some(p) if p <= 0 => ZERO_PERIOD,
            Some(p) => p,
        };
        let layers = self.layers(value, pointer);
        let mut otlp = Vec::new();
        let mut prometheus = Vec::new();
        if let Some((exporters, ep)) = self.object(value, pointer, "exporters") {
            if let Some((items, lp)) = self.array(exporters, &ep, "otlp") {
                for (i, item) in items.iter().enumerate() {
                    let ip = format!("{lp}/{i}");
                    if let Some(e) = self.otlp(item, &ip, global_period, version) {
                        otlp.push(e);
                    }
                }
            }
            if let Some((items, lp)) = self.array(exporters, &ep, "prometheus") {
                for (i, item) in items.iter().enumerate() {
                    let ip = format!("{lp}/{i}");
                    if let Some(e) = self.prometheus(item, &ip) {
                        prometheus.push(e);
                    }
                }
            }
        }
        Some(Block {
            pointer: pointer.to_string(),
            service_name,
            service_version,
            sample_rate,
            layers,
            otlp,
            prometheus,
        })
    }

    fn element_object(&mut self, item: &Node, pointer: &str) -> bool {
        match item.kind {
            NodeKind::Object(_) => true,
            NodeKind::Null => false,
            _ => {
                if self.refusal.is_none() {
                    self.refusal = Some(Refusal {
                        message: format!(
                            "an exporter must be an object, found {}",
                            item.type_name()
                        ),
                        pointer: pointer.to_string(),
                        span: item.span.clone(),
                    });
                }
                false
            }
        }
    }

    fn otlp(
        &mut self,
        item: &Node,
        p: &str,
        global_period: i64,
        version: KrakendVersion,
    ) -> Option<OtlpExporter> {
        if !self.element_object(item, p) {
            return None;
        }
        let name = self.string(item, p, "name").unwrap_or_default();
        let raw_host = self.string(item, p, "host").unwrap_or_default();
        let host = raw_host
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let host = if host.is_empty() {
            "localhost".to_string()
        } else {
            host
        };
        let port = match self.int(item, p, "port", false).unwrap_or(0) {
            0 => Some(4317),
            n => u16::try_from(n).ok(),
        };
        let http = self.boolean(item, p, "use_http");
        let metrics = !self.boolean(item, p, "disable_metrics");
        let traces = !self.boolean(item, p, "disable_traces");
        let custom = self.int(item, p, "custom_metric_reporting_period", true);
        let period = match custom {
            Some(c) if c >= 1 && version.has_custom_metric_period() => c,
            _ => global_period,
        };
        Some(OtlpExporter {
            name,
            host,
            port,
            http,
            metrics,
            traces,
            period,
        })
    }

    fn prometheus(&mut self, item: &Node, p: &str) -> Option<PrometheusExporter> {
        if !self.element_object(item, p) {
            return None;
        }
        let name = self.string(item, p, "name").unwrap_or_default();
        self.check_strings(item, p, &["host", "listen_ip"]);
        self.check_bools(item, p, &["process_metrics", "go_metrics"]);
        let port = match self.int(item, p, "port", false).unwrap_or(0) {
            0 => Some(9090),
            n => u16::try_from(n).ok().filter(|&n| n > 0),
        };
        let metrics = !self.boolean(item, p, "disable_metrics");
        Some(PrometheusExporter {
            name,
            port,
            metrics,
        })
    }

    /// `layers`, with defaults per absent object.
    fn layers(&mut self, block: &Node, pointer: &str) -> Layers {
        let all = Layers {
            router: LayerSignals::ON,
            pipe: LayerSignals::ON,
            backend: LayerSignals::ON,
        };
        let Some((layers, lp)) = self.object(block, pointer, "layers") else {
            return all;
        };
        let simple = |go: &mut Go, name: &str, extra: &[&str]| match go.object(layers, &lp, name) {
            None => LayerSignals::ON,
            Some((o, op)) => {
                go.check_bools(o, &op, extra);
                go.check_arrays(
                    o,
                    &op,
                    &[
                        "metrics_static_attributes",
                        "traces_static_attributes",
                        "skip_headers",
                    ],
                );
                LayerSignals {
                    metrics: Some(!go.boolean(o, &op, "disable_metrics")),
                    traces: !go.boolean(o, &op, "disable_traces"),
                }
            }
        };
        let router = simple(self, "global", &["disable_propagation", "report_headers"]);
        let pipe = simple(self, "proxy", &["report_headers"]);
        self.check_strings_in(layers, &lp, "global", &["semantic_convention"]);
        let backend = match self.object(layers, &lp, "backend") {
            None => LayerSignals::ON,
            Some((b, bp)) => {
                let enabled = |go: &mut Go, name: &str| match go.object(b, &bp, name) {
                    None => true,
                    Some((o, op)) => {
                        go.check_arrays(o, &op, &["static_attributes", "skip_headers"]);
                        go.check_bools(o, &op, &["report_headers"]);
                        !go.boolean(o, &op, "disable_stage")
                            || go.boolean(o, &op, "round_trip")
                            || go.boolean(o, &op, "read_payload")
                            || go.boolean(o, &op, "detailed_connection")
                    }
                };
                let metrics = enabled(self, "metrics");
                let traces = enabled(self, "traces");
                LayerSignals {
                    metrics: Some(metrics),
                    traces,
                }
            }
        };
        Layers {
            router,
            pipe,
            backend,
        }
    }

    fn check_strings_in(&mut self, layers: &Node, lp: &str, object: &str, names: &[&str]) {
        if let Some((o, op)) = self.object(layers, lp, object) {
            self.check_strings(o, &op, names);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    fn block(text: &str) -> Read {
        read(&json::parse(text).unwrap(), KrakendVersion::LATEST)
    }

    fn behaviour_of(text: &str) -> Behaviour {
        behaviour(
            &json::parse(text).unwrap(),
            None,
            None,
            KrakendVersion::LATEST,
        )
    }

    #[test]
    fn krakend_defaults_apply() {
        let b = behaviour_of(
            r#"{"extra_config": {"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "j", "host": "Jaeger"}]}}}}"#,
        );
        assert_eq!(b.sampling, Sampling::Always);
        let routes: Vec<String> = b.routes.iter().map(Route::describe).collect();
        assert_eq!(routes, ["traces -> jaeger:4317", "metrics -> jaeger:4317"]);
        assert_eq!(b.routes[1].period, Some(DEFAULT_PERIOD));
        assert_eq!(b.service_names[0].value, "KrakenD");
    }

    #[test]
    fn a_zero_sample_rate_means_every_request() {
        let b = behaviour_of(
            r#"{"name": "gw", "extra_config": {"telemetry/opentelemetry": {"trace_sample_rate": 0, "metric_reporting_period": 0,
                "exporters": {"otlp": [{"name": "a", "host": "x", "port": 4317}]}}}}"#,
        );
        assert_eq!(b.sampling, Sampling::Always);
        assert_eq!(b.routes[1].period, Some(ZERO_PERIOD));
        assert_eq!(b.service_names[0].value, "gw");
        let b = behaviour_of(
            r#"{"extra_config": {"telemetry/opentelemetry": {"trace_sample_rate": 0.25,
                "exporters": {"otlp": [{"name": "a", "host": "x", "disable_metrics": true}]}}}}"#,
        );
        assert_eq!(
            b.sampling,
            Sampling::Ratio {
                rate: 0.25,
                parent_based: true
            }
        );
    }

    #[test]
    fn layer_defaults_apply_per_absent_object() {
        let Read::Block(b) = block(
            r#"{"extra_config": {"telemetry/opentelemetry": {"layers": {
                "proxy": {"disable_traces": true},
                "backend": {"metrics": {}}}}}}"#,
        ) else {
            panic!()
        };
        assert_eq!(b.layers.router, LayerSignals::ON);
        assert_eq!(
            b.layers.pipe,
            LayerSignals {
                metrics: Some(true),
                traces: false
            }
        );
        // `metrics: {}` leaves only the stage on; `traces` absent is the default.
        assert_eq!(b.layers.backend, LayerSignals::ON);
        let Read::Block(b) = block(
            r#"{"extra_config": {"telemetry/opentelemetry": {"layers": {"backend": {
                "metrics": {"disable_stage": true}, "traces": {"disable_stage": true, "round_trip": false}}}}}}"#,
        ) else {
            panic!()
        };
        assert_eq!(b.layers.backend, LayerSignals::OFF);
    }

    #[test]
    fn wrong_types_and_duplicate_names_are_refused() {
        let Read::Refused(r) =
            block(r#"{"extra_config": {"telemetry/opentelemetry": {"trace_sample_rate": "0.5"}}}"#)
        else {
            panic!()
        };
        assert_eq!(
            r.pointer,
            "/extra_config/telemetry~1opentelemetry/trace_sample_rate"
        );
        let Read::Refused(r) = block(
            r#"{"extra_config": {"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "a", "port": 4317.5}]}}}}"#,
        ) else {
            panic!()
        };
        assert!(r.message.contains("whole number"), "{}", r.message);
        let Read::Refused(r) = block(
            r#"{"extra_config": {"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "a"}], "prometheus": [{"name": "a"}]}}}}"#,
        ) else {
            panic!()
        };
        assert!(r.message.contains("`a`"));
    }

    #[test]
    fn keys_match_like_go() {
        let Read::Block(b) = block(
            r#"{"extra_config": {"telemetry/opentelemetry": {"Trace_Sample_Rate": 0.1, "trace_sample_rate": 0.5}}}"#,
        ) else {
            panic!()
        };
        assert_eq!(b.sample_rate, Some(0.5));
    }
}
