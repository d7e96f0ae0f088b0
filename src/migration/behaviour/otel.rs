//! The behaviour of a `telemetry/opentelemetry` block, read from the text
//! of a config the way KrakenD's OpenTelemetry module (krakend-otel)
//! reads it, with the exporters that point at the collector followed
//! through the collector config.
//!
//! Reading the block and KrakenD's defaults are the typed model's
//! ([`crate::model::otel`]); this module turns what it reads into routes:
//! which signal reaches which destination, how often, with which sampler
//! and layers. Traces are set up only when an exporter carries them.

use crate::migration::options::{KrakendVersion, OtlpEndpoint};
use crate::model::decode;
use crate::model::locate::{self, OPENTELEMETRY};
use crate::model::otel::{self, Sampler};
use crate::model::signal::Signal as ModelSignal;
use crate::syntax::tree::{Member, Node, NodeKind};

use super::collector::Collector;
use super::{
    Behaviour, Destination, LayerSignals, Layers, Module, Route, Sampling, ServiceName,
    ServiceVersion, Signal,
};

pub use crate::model::otel::Refusal;

/// One `exporters.otlp` entry, with KrakenD's defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct OtlpExporter {
    pub name: String,
    /// Lowercase, without a scheme; `localhost` when empty.
    pub host: String,
    pub port: Option<u16>,
    pub http: bool,
    /// OTLP over HTTP to an `https://` host, from KrakenD 2.10.
    pub tls: bool,
    pub metrics: bool,
    pub traces: bool,
    /// Seconds between metric pushes.
    pub period: i64,
}

/// One `exporters.prometheus` entry, with KrakenD's defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusExporter {
    pub name: String,
    pub port: Option<u16>,
    pub metrics: bool,
}

/// What KrakenD does with the block, its defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub pointer: String,
    pub service_name: ServiceName,
    pub service_version: ServiceVersion,
    pub sampler: Sampler,
    pub layers: Layers,
    pub otlp: Vec<OtlpExporter>,
    pub prometheus: Vec<PrometheusExporter>,
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
    locate::service_opentelemetry(root)
}

/// Read the block of `root` for KrakenD `version`.
pub fn read(root: &Node, version: KrakendVersion) -> Read {
    let Some((member, pointer)) = find(root) else {
        return Read::Absent;
    };
    let name = decode::field(root, "name").and_then(|m| m.value.as_str());
    read_block(&member.value, &pointer, name, version)
}

/// Read the block `value` at `pointer` of a config named `config_name`
/// (its root `name`, which is the service name when the block sets none).
pub fn read_block(
    value: &Node,
    pointer: &str,
    config_name: Option<&str>,
    version: KrakendVersion,
) -> Read {
    if value.kind == NodeKind::Null {
        return Read::Absent;
    }
    match otel::decode(value, pointer) {
        Err(refusal) => Read::Refused(refusal),
        Ok(decoded) => Read::Block(effective(&decoded.block, pointer, config_name, version)),
    }
}

/// The block as KrakenD runs it.
fn effective(
    block: &otel::Block,
    pointer: &str,
    config_name: Option<&str>,
    version: KrakendVersion,
) -> Block {
    let service_name = match (block.service_name(), config_name.filter(|n| !n.is_empty())) {
        (Some(value), _) => ServiceName {
            source: "service_name".into(),
            value: value.to_string(),
            explicit: true,
        },
        (None, Some(name)) => ServiceName {
            source: "the config's `name`".into(),
            value: name.to_string(),
            explicit: false,
        },
        (None, None) => ServiceName {
            source: "KrakenD's default".into(),
            value: "KrakenD".into(),
            explicit: false,
        },
    };
    let version_field = block.service_version(version).map(str::to_string);
    let switches = block.layer_switches();
    let layer = |s: otel::Switches| LayerSignals {
        metrics: Some(s.metrics),
        traces: s.traces,
    };
    let period = block.metric_period();
    Block {
        pointer: pointer.to_string(),
        service_name,
        service_version: ServiceVersion {
            explicit: version_field.is_some(),
            value: version_field,
        },
        sampler: block.sampler(),
        layers: Layers {
            router: layer(switches.global),
            pipe: layer(switches.proxy),
            backend: layer(switches.backend),
        },
        otlp: block
            .otlp()
            .iter()
            .map(|e| OtlpExporter {
                name: e.name.clone().unwrap_or_default(),
                host: e.host(),
                port: e.port(),
                http: e.http(),
                tls: e.http()
                    && e.host
                        .as_deref()
                        .is_some_and(|h| h.trim().to_ascii_lowercase().starts_with("https://"))
                    && version.has_otlp_https(),
                metrics: e.carries(ModelSignal::Metrics),
                traces: e.carries(ModelSignal::Traces),
                period: e.period(period, version),
            })
            .collect(),
        prometheus: block
            .prometheus()
            .iter()
            .map(|e| PrometheusExporter {
                name: e.name.clone().unwrap_or_default(),
                port: e.port(),
                metrics: e.carries(ModelSignal::Metrics),
            })
            .collect(),
    }
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
    of_read(read(root, version), collector, endpoint)
}

/// The behaviour of what [`read`] or [`read_block`] found.
pub fn of_read(
    read: Read,
    collector: Option<&Collector>,
    endpoint: Option<&OtlpEndpoint>,
) -> Behaviour {
    let block = match read {
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
        context_every_request: false,
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
                tls: false,
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
                                tls: false,
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
        out.sampling = match block.sampler {
            Sampler::ParentRatio(rate) => Sampling::Ratio {
                rate,
                parent_based: true,
            },
            Sampler::Always => Sampling::Always,
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
            match (e.http, e.tls) {
                (true, true) => "HTTPS",
                (true, false) => "HTTP",
                _ => "gRPC",
            }
        ),
        tls: e.tls,
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
        assert_eq!(b.routes[1].period, Some(otel::defaults::METRIC_PERIOD));
        assert_eq!(b.service_names[0].value, "KrakenD");
    }

    #[test]
    fn a_zero_sample_rate_means_every_request() {
        let b = behaviour_of(
            r#"{"name": "gw", "extra_config": {"telemetry/opentelemetry": {"trace_sample_rate": 0, "metric_reporting_period": 0,
                "exporters": {"otlp": [{"name": "a", "host": "x", "port": 4317}]}}}}"#,
        );
        assert_eq!(b.sampling, Sampling::Always);
        assert_eq!(b.routes[1].period, Some(otel::defaults::ZERO_METRIC_PERIOD));
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
        assert_eq!(b.sampler, Sampler::ParentRatio(0.5));
    }
}
