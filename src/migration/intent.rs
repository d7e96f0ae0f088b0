//! The telemetry intent: what a legacy block actually did, in terms that
//! do not depend on either module's config syntax.
//!
//! Conversion reads the legacy settings into this model (applying
//! OpenCensus defaults and quirks), and rendering writes the model out as a
//! KrakenD OpenTelemetry block plus a collector config (applying
//! OpenTelemetry's defaults and quirks). Keeping the two halves apart is
//! what makes the migration checkable: the model is the thing both configs
//! must agree on.

/// How many traces are recorded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    /// No trace is recorded (OpenCensus `sample_rate` <= 0 or absent).
    Off,
    /// A fraction in (0, 1) of root traces.
    Ratio(f64),
    /// Every trace.
    Always,
}

/// Which instrumentation layers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layers {
    pub router: bool,
    pub pipe: bool,
    pub backend: bool,
}

impl Layers {
    pub const ALL: Layers = Layers {
        router: true,
        pipe: true,
        backend: true,
    };
}

pub use crate::model::signal::Signals;
pub use crate::model::target::CollectorExporter;

/// How telemetry reaches one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// KrakenD pushes OTLP straight to `host:port` (gRPC, or HTTPS with
    /// `tls`).
    Otlp {
        name: &'static str,
        host: String,
        port: u16,
        /// OTLP over HTTP to an `https://` host: the only way KrakenD's
        /// OTLP exporter uses TLS (its gRPC exporter is always plain text).
        tls: bool,
    },
    /// KrakenD serves `/metrics` on `port` for Prometheus to scrape.
    Prometheus { port: u16 },
    /// KrakenD pushes OTLP to the collector, which exports with this.
    Collector(CollectorExporter),
}

/// One place telemetry goes, and the legacy exporter it replaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Destination {
    pub route: Route,
    pub signals: Signals,
    /// The legacy exporter key (`xray`, `jaeger`, ...), or the option
    /// that added the destination (`--metrics emf`).
    pub legacy: &'static str,
    /// JSON pointer of the legacy exporter (of the block, for an option).
    pub pointer: String,
}

/// What the legacy block did.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    pub service_name: Option<String>,
    pub service_version: Option<String>,
    pub sampling: Sampling,
    /// Seconds between metric reports (OpenCensus default: 10).
    pub metric_period: i64,
    pub layers: Layers,
    pub destinations: Vec<Destination>,
    /// Comment keys (`@comment`) of the legacy block, carried over.
    pub comments: Vec<(String, serde_json::Value)>,
}

impl Intent {
    /// Destinations reached through the collector.
    pub fn collector_exporters(&self) -> impl Iterator<Item = (&CollectorExporter, Signals)> {
        self.destinations.iter().filter_map(|d| match &d.route {
            Route::Collector(exporter) => Some((exporter, d.signals)),
            _ => None,
        })
    }

    /// Signals KrakenD must push to the collector.
    pub fn collector_signals(&self) -> Signals {
        self.collector_exporters()
            .fold(Signals::default(), |acc, (_, s)| acc.union(s))
    }

    /// Whether any OTLP exporter KrakenD writes carries metrics.
    pub fn otlp_carries_metrics(&self) -> bool {
        self.destinations
            .iter()
            .any(|d| d.signals.metrics && !matches!(d.route, Route::Prometheus { .. }))
    }

    /// Whether any destination receives traces.
    pub fn carries_traces(&self) -> bool {
        self.destinations.iter().any(|d| d.signals.traces)
    }
}

/// An intent with one OTLP destination (a Jaeger collector at
/// `jaeger:4317`, traces only), for the renderers' tests.
#[cfg(test)]
pub fn jaeger_for_tests(sampling: Sampling, layers: Layers) -> Intent {
    Intent {
        service_name: None,
        service_version: None,
        sampling,
        metric_period: 10,
        layers,
        destinations: vec![Destination {
            route: Route::Otlp {
                name: "jaeger",
                host: "jaeger".into(),
                port: 4317,
                tls: false,
            },
            signals: Signals::TRACES,
            legacy: "jaeger",
            pointer: "/x".into(),
        }],
        comments: Vec::new(),
    }
}
