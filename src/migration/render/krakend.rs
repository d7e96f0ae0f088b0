//! The KrakenD `telemetry/opentelemetry` block for an intent, as a typed
//! block ([`crate::model::otel`]) that the model's encoder writes out.
//!
//! Where OpenTelemetry's defaults differ from what the legacy block did,
//! the legacy behaviour is written explicitly: `disable_traces` instead of
//! a sample rate of 0, the 10 s reporting period, fully disabled layer
//! objects. Every OTLP exporter states its port and protocol (KrakenD's
//! port 0 means 4317 even over HTTP, which surprises readers). Where the
//! defaults agree, nothing is written, so the block stays small.

use serde_json::Value;

use crate::migration::intent::{self, Intent, Route, Sampling};
use crate::migration::options::Options;
use crate::model::otel::{
    self, Backend, BackendSignal, Exporters, Global, Otlp, Prometheus, Proxy, encode,
};
use crate::model::signal::Signal;

/// One exporter of the new block.
#[derive(Debug, Clone, PartialEq)]
pub enum Exporter {
    Otlp(Otlp),
    Prometheus(Prometheus),
}

impl Exporter {
    pub fn name(&self) -> &str {
        match self {
            Exporter::Otlp(e) => e.name.as_deref(),
            Exporter::Prometheus(e) => e.name.as_deref(),
        }
        .unwrap_or_default()
    }

    pub fn set_name(&mut self, name: String) {
        match self {
            Exporter::Otlp(e) => e.name = Some(name),
            Exporter::Prometheus(e) => e.name = Some(name),
        }
    }

    /// Whether KrakenD sends `signal` through it.
    pub fn carries(&self, signal: Signal) -> bool {
        match self {
            Exporter::Otlp(e) => e.carries(signal),
            Exporter::Prometheus(e) => e.carries(signal),
        }
    }

    /// The list it belongs to under `exporters`.
    pub fn family(&self) -> &'static str {
        match self {
            Exporter::Otlp(_) => "otlp",
            Exporter::Prometheus(_) => "prometheus",
        }
    }

    pub fn encode(&self) -> Value {
        match self {
            Exporter::Otlp(e) => encode::otlp(e),
            Exporter::Prometheus(e) => encode::prometheus(e),
        }
    }
}

/// The exporters for an intent, in the order of the legacy exporters;
/// every collector-bound destination shares one OTLP exporter.
pub fn exporters(intent: &Intent, options: &Options) -> Vec<Exporter> {
    let traces_on = intent.sampling != Sampling::Off;
    let collector = intent.collector_signals();
    let mut out = Vec::new();
    let mut collector_done = false;
    for destination in &intent.destinations {
        let (name, host, port, signals) = match &destination.route {
            Route::Collector(_) if collector_done => continue,
            Route::Collector(_) => {
                collector_done = true;
                let endpoint = &options.otlp_endpoint;
                let name = options.collector.exporter_name();
                (name, endpoint.host.as_str(), endpoint.port, collector)
            }
            Route::Otlp {
                name,
                host,
                port,
                tls: true,
            } => {
                out.push(Exporter::Otlp(Otlp {
                    // OTLP over HTTP to an https:// host is TLS (KrakenD 2.10+).
                    host: Some(format!(
                        "https://{}",
                        crate::migration::convert::address::bracketed(host)
                    )),
                    use_http: Some(true),
                    ..otlp(
                        name,
                        host,
                        *port,
                        destination.signals.metrics,
                        destination.signals.traces && traces_on,
                    )
                }));
                continue;
            }
            Route::Otlp {
                name, host, port, ..
            } => (*name, host.as_str(), *port, destination.signals),
            Route::Prometheus { port } => {
                out.push(Exporter::Prometheus(Prometheus {
                    name: Some("prometheus".into()),
                    port: Some(i64::from(*port)),
                    process_metrics: Some(true),
                    go_metrics: Some(true),
                    ..Prometheus::default()
                }));
                continue;
            }
        };
        out.push(Exporter::Otlp(otlp(
            name,
            host,
            port,
            signals.metrics,
            signals.traces && traces_on,
        )));
    }
    out
}

fn otlp(name: &str, host: &str, port: u16, metrics: bool, traces: bool) -> Otlp {
    Otlp {
        name: Some(name.to_string()),
        // KrakenD dials the string `host:port`: an IPv6 literal needs its
        // brackets there, or the address has too many colons to split.
        host: Some(crate::migration::convert::address::bracketed(host)),
        port: Some(i64::from(port)),
        use_http: Some(false),
        disable_metrics: (!metrics).then_some(true),
        disable_traces: (!traces).then_some(true),
        ..Otlp::default()
    }
}

/// `trace_sample_rate` for a sampling, when it must be written.
pub fn trace_sample_rate(sampling: Sampling) -> Option<f64> {
    match sampling {
        Sampling::Off => None,
        Sampling::Ratio(ratio) => Some(ratio),
        Sampling::Always => Some(1.0),
    }
}

/// The `layers` object: only layers that were off are written, fully.
pub fn layers(layers: intent::Layers) -> Option<otel::Layers> {
    let global = (!layers.router).then_some(Global {
        disable_metrics: Some(true),
        disable_traces: Some(true),
        disable_propagation: Some(true),
        ..Global::default()
    });
    let proxy = (!layers.pipe).then_some(Proxy {
        disable_metrics: Some(true),
        disable_traces: Some(true),
        ..Proxy::default()
    });
    let backend = (!layers.backend).then_some(Backend {
        metrics: Some(BackendSignal::OFF),
        traces: Some(BackendSignal::OFF),
    });
    (global.is_some() || proxy.is_some() || backend.is_some()).then_some(otel::Layers {
        global,
        proxy,
        backend,
    })
}

/// The typed `telemetry/opentelemetry` block.
pub fn model(intent: &Intent, options: &Options) -> otel::Block {
    let exporters = exporters(intent, options);
    let otlp_metrics = exporters
        .iter()
        .any(|e| matches!(e, Exporter::Otlp(_)) && e.carries(Signal::Metrics));
    let traces = exporters.iter().any(|e| e.carries(Signal::Traces));
    let (otlp, prometheus) = split(&exporters);
    otel::Block {
        extra: intent.comments.clone(),
        service_name: intent.service_name.clone(),
        service_version: intent.service_version.clone(),
        metric_reporting_period: otlp_metrics.then_some(intent.metric_period),
        trace_sample_rate: traces.then(|| trace_sample_rate(intent.sampling)).flatten(),
        layers: layers(intent.layers),
        exporters: Some(Exporters {
            otlp: (!otlp.is_empty()).then_some(otlp),
            prometheus: (!prometheus.is_empty()).then_some(prometheus),
        }),
        ..otel::Block::default()
    }
}

/// The exporters by list.
pub fn split(exporters: &[Exporter]) -> (Vec<Otlp>, Vec<Prometheus>) {
    let mut otlp = Vec::new();
    let mut prometheus = Vec::new();
    for e in exporters {
        match e {
            Exporter::Otlp(e) => otlp.push(e.clone()),
            Exporter::Prometheus(e) => prometheus.push(e.clone()),
        }
    }
    (otlp, prometheus)
}

/// The whole `telemetry/opentelemetry` block, as written.
pub fn block(intent: &Intent, options: &Options) -> Value {
    encode::block(&model(intent, options))
}
