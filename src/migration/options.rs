//! Settings of a migration that do not come from the file: which collector
//! receives the telemetry, where it listens, and which KrakenD version the
//! result must run on.

use std::fmt;
use std::str::FromStr;

/// Which collector distribution the generated collector config targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CollectorFlavor {
    /// AWS Distro for OpenTelemetry (aws-otel-collector).
    #[default]
    Adot,
    /// The upstream otelcol-contrib distribution.
    Contrib,
}

impl CollectorFlavor {
    pub fn as_str(self) -> &'static str {
        match self {
            CollectorFlavor::Adot => "adot",
            CollectorFlavor::Contrib => "contrib",
        }
    }

    /// The name of the KrakenD OTLP exporter that points at the collector.
    pub fn exporter_name(self) -> &'static str {
        match self {
            CollectorFlavor::Adot => "adot",
            CollectorFlavor::Contrib => "otel_collector",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            CollectorFlavor::Adot => "the ADOT collector (aws-otel-collector)",
            CollectorFlavor::Contrib => "the OpenTelemetry collector (otelcol-contrib)",
        }
    }
}

/// Where KrakenD sends OTLP for the collector: `HOST[:PORT]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtlpEndpoint {
    pub host: String,
    pub port: u16,
}

impl Default for OtlpEndpoint {
    fn default() -> Self {
        OtlpEndpoint {
            host: "localhost".into(),
            port: 4317,
        }
    }
}

impl fmt::Display for OtlpEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl FromStr for OtlpEndpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.contains("://") {
            return Err(format!(
                "`{s}`: give HOST[:PORT] without a scheme; KrakenD sends OTLP over plain gRPC"
            ));
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("`{s}`: missing `]` after an IPv6 address"))?;
            match after {
                "" => (host, None),
                _ => (
                    host,
                    Some(after.strip_prefix(':').ok_or_else(|| {
                        format!("`{s}`: expected `:PORT` after the IPv6 address")
                    })?),
                ),
            }
        } else {
            match s.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') => (host, Some(port)),
                Some(_) => {
                    return Err(format!("`{s}`: write an IPv6 address as [ADDRESS]:PORT"));
                }
                None => (s, None),
            }
        };
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        if !valid_host {
            return Err(format!("`{s}`: `{host}` is not a host name or address"));
        }
        let port = match port {
            None => 4317,
            Some(p) => match p.parse::<u16>() {
                Ok(port) if port > 0 => port,
                _ => return Err(format!("`{s}`: the port must be a number from 1 to 65535")),
            },
        };
        Ok(OtlpEndpoint {
            host: host.to_string(),
            port,
        })
    }
}

/// A KrakenD version `MAJOR.MINOR[.PATCH]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KrakendVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl KrakendVersion {
    /// The newest version whose schema and behaviour oc2otel knows.
    pub const LATEST: KrakendVersion = KrakendVersion::new(2, 13, 0);
    /// The first version with the OpenTelemetry module.
    pub const FIRST_OTEL: KrakendVersion = KrakendVersion::new(2, 6, 0);

    pub const fn new(major: u32, minor: u32, patch: u32) -> KrakendVersion {
        KrakendVersion {
            major,
            minor,
            patch,
        }
    }

    /// `service_version` exists from 2.6.1.
    pub fn has_service_version(self) -> bool {
        self >= KrakendVersion::new(2, 6, 1)
    }

    /// `OTEL_PROPAGATORS` is honoured from 2.11.
    pub fn has_propagators_env(self) -> bool {
        self >= KrakendVersion::new(2, 11, 0)
    }

    /// `custom_metric_reporting_period` exists from 2.10.
    pub fn has_custom_metric_period(self) -> bool {
        self >= KrakendVersion::new(2, 10, 0)
    }

    /// The folder of this version's schemas: `v2.13`.
    pub fn schema_folder(self) -> String {
        format!("v{}.{}", self.major, self.minor)
    }
}

impl Default for KrakendVersion {
    fn default() -> Self {
        KrakendVersion::LATEST
    }
}

impl fmt::Display for KrakendVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

impl FromStr for KrakendVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let digits = s.strip_prefix('v').unwrap_or(s);
        let parts: Vec<&str> = digits.split('.').collect();
        let number = |p: &str| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u32>().ok())
                .flatten()
        };
        let parsed = match parts.as_slice() {
            [major, minor] => number(major).zip(number(minor)).map(|(a, b)| (a, b, 0)),
            [major, minor, patch] => number(major)
                .zip(number(minor))
                .zip(number(patch))
                .map(|((a, b), c)| (a, b, c)),
            _ => None,
        };
        let Some((major, minor, patch)) = parsed else {
            return Err(format!("`{s}` is not a version like 2.13"));
        };
        let version = KrakendVersion::new(major, minor, patch);
        if version < KrakendVersion::FIRST_OTEL {
            return Err(format!(
                "KrakenD {version} has no OpenTelemetry module; it arrived in 2.6 (upgrade KrakenD first)"
            ));
        }
        Ok(version)
    }
}

/// Where KrakenD's metrics go besides what the legacy block did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricsTarget {
    /// Only where the legacy exporters sent them.
    #[default]
    Legacy,
    /// Also to CloudWatch, through the collector's `awsemf` exporter.
    Emf,
}

impl FromStr for MetricsTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "legacy" => Ok(MetricsTarget::Legacy),
            "emf" => Ok(MetricsTarget::Emf),
            _ => Err(format!("`{s}`: expected `legacy` or `emf`")),
        }
    }
}

/// Everything a migration needs besides the file.
#[derive(Debug, Clone)]
pub struct Options {
    pub collector: CollectorFlavor,
    pub otlp_endpoint: OtlpEndpoint,
    pub krakend_version: KrakendVersion,
    /// Re-parse and check the migrated text (see `migrate::verify`). Only
    /// `--check`, which writes nothing, turns this off to save the second
    /// parse.
    pub verify_output: bool,
    /// `--metrics`: an extra destination for KrakenD's metrics.
    pub metrics: MetricsTarget,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            collector: CollectorFlavor::default(),
            otlp_endpoint: OtlpEndpoint::default(),
            krakend_version: KrakendVersion::default(),
            verify_output: true,
            metrics: MetricsTarget::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_endpoints() {
        let e: OtlpEndpoint = "collector:4319".parse().unwrap();
        assert_eq!((e.host.as_str(), e.port), ("collector", 4319));
        let e: OtlpEndpoint = "adot".parse().unwrap();
        assert_eq!(e.port, 4317);
        let e: OtlpEndpoint = "[::1]:4317".parse().unwrap();
        assert_eq!(
            (e.host.as_str(), e.to_string().as_str()),
            ("::1", "[::1]:4317")
        );
        assert!("http://x:4317".parse::<OtlpEndpoint>().is_err());
        assert!("x:0".parse::<OtlpEndpoint>().is_err());
        assert!("x:70000".parse::<OtlpEndpoint>().is_err());
        assert!(":4317".parse::<OtlpEndpoint>().is_err());
        assert!("a b".parse::<OtlpEndpoint>().is_err());
    }

    #[test]
    fn parses_versions() {
        let v: KrakendVersion = "2.13".parse().unwrap();
        assert_eq!(v, KrakendVersion::LATEST);
        assert_eq!(v.schema_folder(), "v2.13");
        let v: KrakendVersion = "2.6.1".parse().unwrap();
        assert!(v.has_service_version() && !v.has_propagators_env());
        assert!("2.5".parse::<KrakendVersion>().unwrap_err().contains("2.6"));
        assert!("two".parse::<KrakendVersion>().is_err());
        assert!("2.".parse::<KrakendVersion>().is_err());
    }
}
