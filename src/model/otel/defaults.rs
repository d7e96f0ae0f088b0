//! KrakenD's defaults for the OpenTelemetry block, in one place: what each
//! absent, zero or out-of-range field means at run time.
//!
//! Facts (krakend-otel v0.14, `config/config.go`, `state/state.go`,
//! `exporter/otelcollector/otelcollector.go`, `exporter/prometheus`; see
//! `reference/opencensus-to-opentelemetry.md` §4 of the workspace):
//!
//! * `trace_sample_rate` absent, <= 0 or >= 1 samples every request; in
//!   between it is a parent-based ratio;
//! * `metric_reporting_period` absent is 30 s; 0 or negative is ignored by
//!   the SDK, which then pushes every 60 s; an OTLP exporter's
//!   `custom_metric_reporting_period` >= 1 overrides it from KrakenD 2.10;
//! * an OTLP `port` 0 is 4317 whatever `use_http` says (the schema's 4318
//!   for HTTP is not what the code does), an empty `host` is `localhost`;
//! * a Prometheus `port` 0 is 9090;
//! * layer defaults apply per absent object (`layers`, `layers.global`,
//!   `layers.backend.metrics`, ...), not per field: `backend.metrics: {}`
//!   leaves the stage on and the client instrumentation off;
//! * `service_version` is read from KrakenD 2.6.1.

use super::{BackendSignal, Block, Otlp, Prometheus};
use crate::model::signal::Signal;
use crate::model::version::KrakendVersion;

/// An OTLP exporter's port when `port` is 0 or absent.
pub const OTLP_PORT: u16 = 4317;
/// The OTLP/HTTP port receivers listen on (KrakenD itself dials 4317 for
/// port 0 even over HTTP, so oc2otel always writes it).
pub const OTLP_HTTP_PORT: u16 = 4318;
/// An OTLP exporter's host when `host` is empty or absent.
pub const OTLP_HOST: &str = "localhost";
/// A Prometheus exporter's port when `port` is 0 or absent.
pub const PROMETHEUS_PORT: u16 = 9090;
/// The metric push period when `metric_reporting_period` is absent.
pub const METRIC_PERIOD: i64 = 30;
/// The SDK's period when `metric_reporting_period` is 0 or negative.
pub const ZERO_METRIC_PERIOD: i64 = 60;

/// How many requests are traced, when any exporter carries traces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampler {
    /// Every request, whatever the caller decided.
    Always,
    /// This fraction of new traces; a caller's decision is kept.
    ParentRatio(f64),
}

/// What one layer records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches {
    pub metrics: bool,
    pub traces: bool,
}

impl Switches {
    pub const ON: Switches = Switches {
        metrics: true,
        traces: true,
    };

    /// Whether the layer records anything.
    pub fn any(self) -> bool {
        self.metrics || self.traces
    }
}

/// What the three layers record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerSwitches {
    pub global: Switches,
    pub proxy: Switches,
    pub backend: Switches,
}

fn on(flag: Option<bool>) -> bool {
    !flag.unwrap_or(false)
}

/// A backend signal is instrumented unless the stage is disabled and every
/// client detail is off (krakend-otel's `BackendOpts.Enabled`); an absent
/// object takes the defaults, which are on.
fn backend_enabled(signal: Option<&BackendSignal>) -> bool {
    signal.is_none_or(|s| {
        !s.disable_stage.unwrap_or(false)
            || s.round_trip.unwrap_or(false)
            || s.read_payload.unwrap_or(false)
            || s.detailed_connection.unwrap_or(false)
    })
}

impl Block {
    /// The sampler.
    pub fn sampler(&self) -> Sampler {
        match self.trace_sample_rate {
            Some(rate) if rate > 0.0 && rate < 1.0 => Sampler::ParentRatio(rate),
            _ => Sampler::Always,
        }
    }

    /// Seconds between metric pushes of the OTLP exporters, before any
    /// exporter's own period.
    pub fn metric_period(&self) -> i64 {
        match self.metric_reporting_period {
            None => METRIC_PERIOD,
            Some(p) if p <= 0 => ZERO_METRIC_PERIOD,
            Some(p) => p,
        }
    }

    /// What each layer records.
    pub fn layer_switches(&self) -> LayerSwitches {
        let layers = self.layers.as_ref();
        let global = layers.and_then(|l| l.global.as_ref());
        let proxy = layers.and_then(|l| l.proxy.as_ref());
        let backend = layers.and_then(|l| l.backend.as_ref());
        LayerSwitches {
            global: Switches {
                metrics: on(global.and_then(|g| g.disable_metrics)),
                traces: on(global.and_then(|g| g.disable_traces)),
            },
            proxy: Switches {
                metrics: on(proxy.and_then(|p| p.disable_metrics)),
                traces: on(proxy.and_then(|p| p.disable_traces)),
            },
            backend: Switches {
                metrics: backend_enabled(backend.and_then(|b| b.metrics.as_ref())),
                traces: backend_enabled(backend.and_then(|b| b.traces.as_ref())),
            },
        }
    }

    /// The service name KrakenD reports, when the block sets one.
    pub fn service_name(&self) -> Option<&str> {
        self.service_name.as_deref().filter(|s| !s.is_empty())
    }

    /// The service version `version` of KrakenD reports, when the block
    /// sets one it reads.
    pub fn service_version(&self, version: KrakendVersion) -> Option<&str> {
        self.service_version
            .as_deref()
            .filter(|s| !s.is_empty() && version.has_service_version())
    }
}

impl Otlp {
    /// The host KrakenD dials, as compared: trimmed, without scheme, path
    /// or IPv6 brackets, lowercase; `localhost` when empty.
    pub fn host(&self) -> String {
        normal_host(self.host.as_deref().unwrap_or_default())
    }

    /// The port KrakenD dials; `None` when it is not a TCP port.
    pub fn port(&self) -> Option<u16> {
        match self.port.unwrap_or(0) {
            0 => Some(OTLP_PORT),
            n => u16::try_from(n).ok(),
        }
    }

    pub fn http(&self) -> bool {
        self.use_http.unwrap_or(false)
    }

    /// Whether the exporter carries `signal`.
    pub fn carries(&self, signal: Signal) -> bool {
        match signal {
            Signal::Traces => on(self.disable_traces),
            Signal::Metrics => on(self.disable_metrics),
        }
    }

    /// Seconds between this exporter's metric pushes, given the block's.
    pub fn period(&self, block: i64, version: KrakendVersion) -> i64 {
        match self.custom_metric_reporting_period {
            Some(own) if own >= 1 && version.has_custom_metric_period() => own,
            _ => block,
        }
    }
}

impl Prometheus {
    /// The port KrakenD listens on; `None` when it is not a TCP port.
    pub fn port(&self) -> Option<u16> {
        match self.port.unwrap_or(0) {
            0 => Some(PROMETHEUS_PORT),
            n => u16::try_from(n).ok().filter(|&n| n > 0),
        }
    }

    /// Whether the exporter serves metrics (it never carries traces).
    pub fn carries(&self, signal: Signal) -> bool {
        signal == Signal::Metrics && on(self.disable_metrics)
    }
}

/// A host as written in an OTLP exporter, as compared.
pub fn normal_host(raw: &str) -> String {
    let host = raw
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if host.is_empty() {
        OTLP_HOST.to_string()
    } else {
        host
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::otel::{Backend, Layers};

    #[test]
    fn zero_and_absent_values_take_krakends_defaults() {
        let otlp = Otlp {
            host: Some(" http://[FD00::5]/ ".into()),
            port: Some(0),
            use_http: Some(true),
            ..Otlp::default()
        };
        assert_eq!((otlp.host().as_str(), otlp.port()), ("fd00::5", Some(4317)));
        assert_eq!(Otlp::default().host(), "localhost");
        let out_of_range = Otlp {
            port: Some(70000),
            ..Otlp::default()
        };
        assert_eq!(out_of_range.port(), None);
        assert_eq!(Prometheus::default().port(), Some(9090));
        let mut block = Block::default();
        assert_eq!(
            (block.sampler(), block.metric_period()),
            (Sampler::Always, 30)
        );
        block.trace_sample_rate = Some(0.0);
        block.metric_reporting_period = Some(0);
        assert_eq!(
            (block.sampler(), block.metric_period()),
            (Sampler::Always, 60)
        );
        block.trace_sample_rate = Some(0.5);
        assert_eq!(block.sampler(), Sampler::ParentRatio(0.5));
    }

    #[test]
    fn layer_defaults_apply_per_absent_object() {
        let mut block = Block::default();
        assert_eq!(block.layer_switches().backend, Switches::ON);
        block.layers = Some(Layers {
            backend: Some(Backend {
                metrics: Some(BackendSignal::default()),
                traces: Some(BackendSignal::OFF),
            }),
            ..Layers::default()
        });
        let backend = block.layer_switches().backend;
        // `metrics: {}` keeps the stage; the full off object turns it off.
        assert!(backend.metrics && !backend.traces);
        assert_eq!(block.layer_switches().global, Switches::ON);
    }

    #[test]
    fn a_custom_period_needs_krakend_2_10() {
        let otlp = Otlp {
            custom_metric_reporting_period: Some(5),
            ..Otlp::default()
        };
        assert_eq!(otlp.period(30, KrakendVersion::new(2, 10, 0)), 5);
        assert_eq!(otlp.period(30, KrakendVersion::new(2, 9, 0)), 30);
    }
}
