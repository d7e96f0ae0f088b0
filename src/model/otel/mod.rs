//! Typed OpenTelemetry settings: the `telemetry/opentelemetry` block as
//! KrakenD's OpenTelemetry module (krakend-otel) reads it, symmetric to
//! [`crate::model::legacy`] for the OpenCensus block.
//!
//! The structs mirror krakend-otel's `config.ConfigData` field for field:
//! every field is `None` when the key is absent (or `null`, which Go leaves
//! at its zero value), so the same type serves three jobs:
//!
//! * [`decode`] reads a block the way Go does (case-insensitive keys, the
//!   greatest spelling and then the last duplicate wins, `float64`
//!   integers, a type error or two exporters with one name make KrakenD
//!   refuse the whole block);
//! * [`defaults`] holds KrakenD's defaults, in one place: what an absent
//!   or zero field means (port 0, `trace_sample_rate` <= 0, period 0,
//!   layer objects applied per absent object);
//! * [`encode`] writes a block out, with exactly the fields that are set,
//!   in a fixed order: the migration decides what to write explicitly.
//!
//! Rendering, the merge into an existing block and the behaviour self-check
//! all read and write blocks through this model, so that they cannot
//! disagree about what a block means.

pub mod decode;
pub mod defaults;
pub mod encode;

pub use decode::{Decoded, Refusal, Where, decode};
pub use defaults::{LayerSwitches, Sampler, Switches};

use serde_json::Value;

use crate::syntax::tree::Span;

/// The block (`config.ConfigData`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// Members KrakenD does not read (comment keys such as `@comment`), in
    /// order, as written. Encoded first.
    pub extra: Vec<(String, Value)>,
    pub service_name: Option<String>,
    pub service_version: Option<String>,
    pub deploy_env: Option<String>,
    pub skip_paths: Option<Vec<String>>,
    /// Seconds (`*int`).
    pub metric_reporting_period: Option<i64>,
    pub trace_sample_rate: Option<f64>,
    pub layers: Option<Layers>,
    pub exporters: Option<Exporters>,
}

/// `exporters`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exporters {
    pub otlp: Option<Vec<Otlp>>,
    pub prometheus: Option<Vec<Prometheus>>,
}

/// One `exporters.otlp` entry (`OTLPExporter`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Otlp {
    pub name: Option<String>,
    pub host: Option<String>,
    pub port: Option<i64>,
    pub use_http: Option<bool>,
    pub disable_metrics: Option<bool>,
    pub disable_traces: Option<bool>,
    /// Seconds (`uint`), honoured from KrakenD 2.10.
    pub custom_metric_reporting_period: Option<i64>,
    /// Where the entry was read (empty for one built in memory).
    pub span: Span,
}

/// One `exporters.prometheus` entry (`PrometheusExporter`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prometheus {
    pub name: Option<String>,
    pub port: Option<i64>,
    pub host: Option<String>,
    pub process_metrics: Option<bool>,
    pub go_metrics: Option<bool>,
    pub disable_metrics: Option<bool>,
    /// Where the entry was read (empty for one built in memory).
    pub span: Span,
}

/// `layers` (`LayersOpts`; `proxy` is Go's `PipeOpts`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layers {
    pub global: Option<Global>,
    pub proxy: Option<Proxy>,
    pub backend: Option<Backend>,
}

/// `layers.global`. Attribute lists and header lists are type-checked when
/// read, not kept: no part of oc2otel needs their values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Global {
    pub disable_metrics: Option<bool>,
    pub disable_traces: Option<bool>,
    pub disable_propagation: Option<bool>,
    pub report_headers: Option<bool>,
    pub semantic_convention: Option<String>,
}

/// `layers.proxy`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Proxy {
    pub disable_metrics: Option<bool>,
    pub disable_traces: Option<bool>,
    pub report_headers: Option<bool>,
}

/// `layers.backend`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Backend {
    pub metrics: Option<BackendSignal>,
    pub traces: Option<BackendSignal>,
}

/// `layers.backend.metrics` or `.traces`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackendSignal {
    pub disable_stage: Option<bool>,
    pub round_trip: Option<bool>,
    pub read_payload: Option<bool>,
    pub detailed_connection: Option<bool>,
    /// Traces only.
    pub report_headers: Option<bool>,
}

impl BackendSignal {
    /// Everything off: no stage, no client instrumentation. Written in
    /// full because KrakenD applies its defaults per absent object only.
    pub const OFF: BackendSignal = BackendSignal {
        disable_stage: Some(true),
        round_trip: Some(false),
        read_payload: Some(false),
        detailed_connection: Some(false),
        report_headers: None,
    };
}

impl Block {
    /// The OTLP entries (none when absent).
    pub fn otlp(&self) -> &[Otlp] {
        self.exporters
            .as_ref()
            .and_then(|e| e.otlp.as_deref())
            .unwrap_or_default()
    }

    /// The Prometheus entries (none when absent).
    pub fn prometheus(&self) -> &[Prometheus] {
        self.exporters
            .as_ref()
            .and_then(|e| e.prometheus.as_deref())
            .unwrap_or_default()
    }

    /// Every exporter name, OTLP first, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let otlp = self.otlp().iter().map(|e| e.name.as_deref());
        let prometheus = self.prometheus().iter().map(|e| e.name.as_deref());
        otlp.chain(prometheus).map(Option::unwrap_or_default)
    }
}
