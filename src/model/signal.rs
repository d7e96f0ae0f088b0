//! The two kinds of telemetry KrakenD exports, and sets of them: what a
//! legacy exporter carried, what an OpenTelemetry exporter carries, what a
//! route delivers.

use serde::Serialize;

/// A kind of telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    Traces,
    Metrics,
}

impl Signal {
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Metrics => "metrics",
        }
    }
}

/// Which signals a destination receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Signals {
    pub traces: bool,
    pub metrics: bool,
}

impl Signals {
    pub const TRACES: Signals = Signals {
        traces: true,
        metrics: false,
    };
    pub const METRICS: Signals = Signals {
        traces: false,
        metrics: true,
    };
    pub const BOTH: Signals = Signals {
        traces: true,
        metrics: true,
    };

    pub fn union(self, other: Signals) -> Signals {
        Signals {
            traces: self.traces || other.traces,
            metrics: self.metrics || other.metrics,
        }
    }

    /// Whether the set holds `signal`.
    pub fn has(self, signal: Signal) -> bool {
        match signal {
            Signal::Traces => self.traces,
            Signal::Metrics => self.metrics,
        }
    }
}
