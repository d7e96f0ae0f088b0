//! The effective telemetry behaviour of a configuration, in terms that do
//! not depend on either module's syntax, so that a legacy block and its
//! replacement can be compared.
//!
//! The two sides are computed independently of each other and of the
//! migration's own [`crate::migration::intent::Intent`]: [`legacy`] reads an
//! OpenCensus block with OpenCensus' semantics, [`otel`] reads the text of
//! a `telemetry/opentelemetry` block with KrakenD's OpenTelemetry
//! semantics and resolves the exporters that point at the collector through
//! the collector config ([`collector`]). [`compare`] lists every difference
//! between the two; [`check`] is the migration's own use of it: a
//! difference that no diagnostic of the migration explains is a bug.
//!
//! The model holds what a user would notice: how many traces are recorded,
//! which instrumentation layers record them, which signal reaches which
//! destination and how often metrics are pushed, and the service name and
//! version the destinations see. Metric and span names are not part of it
//! (they all change, and the diagnostics say so).

pub mod check;
pub mod collector;
pub mod compare;
pub mod legacy;
pub mod otel;

use std::fmt;

use serde::Serialize;

pub use crate::model::signal::Signal;

/// How many requests are traced.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Sampling {
    /// No trace is recorded.
    Off,
    /// Every request is traced, whatever the caller decided.
    Always,
    /// A fraction of the requests that start a trace.
    Ratio {
        rate: f64,
        /// An incoming request whose caller decided "not sampled" is never
        /// traced (OpenTelemetry's parent-based sampler). OpenCensus' ratio
        /// sampler still sampled those at `rate`.
        parent_based: bool,
    },
}

impl Sampling {
    pub fn is_off(self) -> bool {
        self == Sampling::Off
    }

    /// Same sampling, ignoring who decides for requests with a parent.
    pub fn same_rate(self, other: Sampling) -> bool {
        match (self, other) {
            (Sampling::Ratio { rate: a, .. }, Sampling::Ratio { rate: b, .. }) => {
                (a - b).abs() < 1e-9
            }
            (a, b) => std::mem::discriminant(&a) == std::mem::discriminant(&b),
        }
    }
}

impl fmt::Display for Sampling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sampling::Off => write!(f, "no traces"),
            Sampling::Always => write!(f, "every request"),
            Sampling::Ratio { rate, parent_based } => {
                let percent = (rate * 100.0 * 1000.0).round() / 1000.0;
                if *parent_based {
                    write!(f, "{percent} % of new traces (parent-based)")
                } else {
                    write!(f, "{percent} % of requests")
                }
            }
        }
    }
}

/// What one instrumentation layer records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LayerSignals {
    /// `None`: the layer has no metrics in this module at all (OpenCensus'
    /// pipe layer only traced).
    pub metrics: Option<bool>,
    pub traces: bool,
}

impl LayerSignals {
    pub const ON: LayerSignals = LayerSignals {
        metrics: Some(true),
        traces: true,
    };
    pub const OFF: LayerSignals = LayerSignals {
        metrics: Some(false),
        traces: false,
    };

    pub fn get(self, signal: Signal) -> Option<bool> {
        match signal {
            Signal::Traces => Some(self.traces),
            Signal::Metrics => self.metrics,
        }
    }
}

impl fmt::Display for LayerSignals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let metrics = self.metrics.unwrap_or(false);
        match (metrics, self.traces) {
            (true, true) => write!(f, "metrics and traces"),
            (true, false) => write!(f, "metrics"),
            (false, true) => write!(f, "traces"),
            (false, false) => write!(f, "off"),
        }
    }
}

/// The three instrumentation layers, under their OpenCensus names (the
/// OpenTelemetry names are `global`, `proxy` and `backend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Layers {
    pub router: LayerSignals,
    pub pipe: LayerSignals,
    pub backend: LayerSignals,
}

impl Layers {
    /// The layers with their names in both modules.
    pub fn named(&self) -> [(&'static str, LayerSignals); 3] {
        [
            ("router/global", self.router),
            ("pipe/proxy", self.pipe),
            ("backend", self.backend),
        ]
    }
}

/// Where telemetry ends up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Destination {
    /// AWS X-Ray; no region means the one of the environment.
    Xray {
        region: Option<String>,
    },
    Zipkin {
        endpoint: String,
    },
    /// Google Cloud (Stackdriver); no project means the credentials' one.
    GoogleCloud {
        project: Option<String>,
    },
    Influxdb {
        endpoint: String,
        db: Option<String>,
    },
    /// A `/metrics` endpoint scraped by Prometheus. No port: a random one
    /// (OpenCensus with port 0).
    Prometheus {
        port: Option<u16>,
    },
    /// A receiver KrakenD pushes to (Jaeger, the Datadog Agent, an
    /// OpenCensus agent, another collector), identified by its host. The
    /// port is shown but not compared: the legacy exporters spoke other
    /// protocols on other ports, and the new ones speak OTLP.
    Receiver {
        host: String,
        port: Option<u16>,
    },
    /// A jaeger-agent (UDP, Thrift compact): it forwarded the spans to a
    /// Jaeger collector the config does not name, and has no OTLP port.
    JaegerAgent {
        host: String,
        port: Option<u16>,
    },
    /// Anything else a collector exports to (`awsemf`, `datadog`, ...).
    Other {
        component: String,
        detail: String,
    },
}

impl Destination {
    /// The kind, for pairing a destination whose details changed.
    pub fn kind(&self) -> &str {
        match self {
            Destination::Xray { .. } => "xray",
            Destination::Zipkin { .. } => "zipkin",
            Destination::GoogleCloud { .. } => "googlecloud",
            Destination::Influxdb { .. } => "influxdb",
            Destination::Prometheus { .. } => "prometheus",
            Destination::Receiver { .. } => "receiver",
            Destination::JaegerAgent { .. } => "jaeger-agent",
            Destination::Other { component, .. } => component,
        }
    }

    /// Whether two destinations of one side are the same place: a
    /// receiver is its host (one agent may have taken several protocols).
    pub fn same_place(&self, other: &Destination) -> bool {
        match (self, other) {
            (Destination::Receiver { host: a, .. }, Destination::Receiver { host: b, .. }) => {
                a.eq_ignore_ascii_case(b)
            }
            (a, b) => a == b,
        }
    }

    /// Whether a legacy destination (`self`) is reached by a new one.
    /// Ports that cannot be compared (a random Prometheus port, the OTLP
    /// port of a host the legacy exporter reached with another protocol)
    /// are left to [`compare`], which notes them.
    pub fn reached_by(&self, new: &Destination) -> bool {
        match (self, new) {
            (Destination::Prometheus { port: None }, Destination::Prometheus { .. }) => true,
            (Destination::Receiver { host: a, .. }, Destination::Receiver { host: b, .. }) => {
                a.eq_ignore_ascii_case(b)
            }
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Xray { region: Some(r) } => write!(f, "xray (region {r})"),
            Destination::Xray { region: None } => {
                write!(f, "xray (region from the environment)")
            }
            Destination::Zipkin { endpoint } => write!(f, "zipkin ({endpoint})"),
            Destination::GoogleCloud { project: Some(p) } => write!(f, "googlecloud (project {p})"),
            Destination::GoogleCloud { project: None } => {
                write!(f, "googlecloud (project from the credentials)")
            }
            Destination::Influxdb {
                endpoint,
                db: Some(db),
            } => write!(f, "influxdb ({endpoint}, db {db})"),
            Destination::Influxdb { endpoint, db: None } => {
                write!(f, "influxdb ({endpoint}, no db)")
            }
            Destination::Prometheus { port: Some(p) } => write!(f, "prometheus (:{p})"),
            Destination::Prometheus { port: None } => write!(f, "prometheus (random port)"),
            Destination::Receiver {
                host,
                port: Some(p),
            } => write!(
                f,
                "{}:{p}",
                crate::migration::convert::address::bracketed(host)
            ),
            Destination::Receiver { host, port: None } => write!(f, "{host}"),
            Destination::JaegerAgent { host, port } => write!(
                f,
                "jaeger-agent {}:{}",
                crate::migration::convert::address::bracketed(host),
                port.unwrap_or(6831)
            ),
            Destination::Other { component, detail } if detail.is_empty() => {
                write!(f, "{component}")
            }
            Destination::Other { component, detail } => write!(f, "{component} ({detail})"),
        }
    }
}

/// One signal reaching one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub signal: Signal,
    pub destination: Destination,
    /// Seconds between metric pushes; `None` for traces and for scraped
    /// metrics.
    pub period: Option<i64>,
    /// How the telemetry gets there, for people.
    pub via: String,
    /// Sent over TLS straight from KrakenD (a legacy `https://` Jaeger
    /// endpoint; OTLP over HTTPS). Routes through the collector are not
    /// compared for it: the collector's exporter keeps its endpoint's
    /// scheme.
    pub tls: bool,
}

impl Route {
    pub fn describe(&self) -> String {
        format!("{} -> {}", self.signal.as_str(), self.destination)
    }
}

/// The service name a destination sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceName {
    /// Where it comes from: `jaeger.service_name`, `service_name`,
    /// `the config's name`, `KrakenD's default`.
    pub source: String,
    pub value: String,
    /// Written in the config, as opposed to a default.
    pub explicit: bool,
}

/// The service version X-Ray segments (legacy) or every resource (new)
/// carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceVersion {
    /// `None`: KrakenD's own version.
    pub value: Option<String>,
    pub explicit: bool,
}

impl fmt::Display for ServiceVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.value, self.explicit) {
            (Some(v), true) => write!(f, "{v:?}"),
            (Some(v), false) => write!(f, "{v:?} (default)"),
            (None, _) => write!(f, "KrakenD's version (default)"),
        }
    }
}

/// Which module's behaviour this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Module {
    Opencensus,
    Opentelemetry,
}

/// The effective telemetry of one configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Behaviour {
    pub module: Module,
    /// Why the module does not run at all (no block, or one KrakenD
    /// refuses); `None` when it runs.
    pub inactive: Option<String>,
    pub sampling: Sampling,
    pub layers: Layers,
    /// Sorted; only what actually flows (no trace routes when no trace is
    /// recorded). A route is there once per way the signal gets there.
    pub routes: Vec<Route>,
    /// Legacy: one per exporter that named the service; new: exactly one.
    pub service_names: Vec<ServiceName>,
    /// Legacy: only when traces reach X-Ray, the only place it went.
    pub service_version: Option<ServiceVersion>,
    /// The trace-context headers read and written, when any.
    pub propagation: Option<&'static str>,
    /// Backends receive trace context on every request, recorded or not
    /// (OpenCensus' backend transport wrote `X-B3-Sampled: 0` on the
    /// unsampled ones); KrakenD's OpenTelemetry injects only for recorded
    /// spans, so never.
    pub context_every_request: bool,
    /// Why something does not work as written (an exporter KrakenD could
    /// not create, a collector that cannot start, ...).
    pub problems: Vec<String>,
}

impl Behaviour {
    /// A configuration whose module does not run, and why.
    pub fn not_running(module: Module, why: impl Into<String>) -> Behaviour {
        Behaviour {
            module,
            inactive: Some(why.into()),
            sampling: Sampling::Off,
            layers: Layers {
                router: LayerSignals::OFF,
                pipe: LayerSignals::OFF,
                backend: LayerSignals::OFF,
            },
            routes: Vec::new(),
            service_names: Vec::new(),
            service_version: None,
            propagation: None,
            context_every_request: false,
            problems: Vec::new(),
        }
    }

    pub fn active(&self) -> bool {
        self.inactive.is_none()
    }

    pub fn routes_of(&self, signal: Signal) -> impl Iterator<Item = &Route> {
        self.routes.iter().filter(move |r| r.signal == signal)
    }

    pub fn carries(&self, signal: Signal) -> bool {
        self.routes_of(signal).next().is_some()
    }

    /// Sort the routes. They are not deduplicated: a signal sent twice to
    /// one place (two exporters, or one through two pipelines) is sent
    /// twice, and the comparison must see it.
    pub(crate) fn normalise(&mut self) {
        self.routes.sort_by(|a, b| {
            (a.signal, &a.destination, a.period, &a.via).cmp(&(
                b.signal,
                &b.destination,
                b.period,
                &b.via,
            ))
        });
    }

    /// How many routes send `signal` to the place of `destination`.
    pub fn count_at(&self, signal: Signal, destination: &Destination) -> usize {
        self.routes_of(signal)
            .filter(|r| r.destination.same_place(destination))
            .count()
    }
}
