//! KrakenD versions, and what each brings to the OpenTelemetry module.
//!
//! The facts (`service_version` from 2.6.1, `custom_metric_reporting_period`
//! from 2.10, `OTEL_PROPAGATORS` from 2.11) decide both how a block is read
//! ([`crate::model::otel`]) and what a migration may write, so they live
//! with the model.

use std::fmt;
use std::str::FromStr;

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
    /// KrakenD CE 3.0 (`reference/krakend-3.md`): known but not yet
    /// released, so never the default. It reads no OpenCensus block and
    /// has no `telemetry/influx`; its OpenTelemetry module (krakend-otel
    /// v2) is assumed to read the 2.x keys.
    pub const V3: KrakendVersion = KrakendVersion::new(3, 0, 0);

    /// The version a config is migrated for by its `$schema` URL: the
    /// one the URL names if it has the OpenTelemetry module (2.6 or
    /// later; older ones are warned about elsewhere, OC009).
    pub fn targeted_by_schema(url: &str) -> Option<KrakendVersion> {
        KrakendVersion::from_schema_url(url).filter(|v| *v >= KrakendVersion::FIRST_OTEL)
    }

    /// The version a `$schema` URL names (`https://www.krakend.io/schema/v2.10/krakend.json`):
    /// the first path segment shaped `vX.Y`.
    pub fn from_schema_url(url: &str) -> Option<KrakendVersion> {
        url.split('/').find_map(|part| {
            let digits = part.strip_prefix('v')?;
            let mut parts = digits.split('.');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next()?.parse().ok()?;
            Some(KrakendVersion::new(major, minor, 0))
        })
    }

    /// Whether it still reads `telemetry/opencensus` (3.0 removed the
    /// module: a leftover block is ignored without a word).
    pub fn reads_opencensus(self) -> bool {
        self < KrakendVersion::V3
    }

    /// OTLP over HTTP to an `https://` host uses TLS from 2.10 (krakend-otel
    /// v0.9.2's scheme handling); gRPC is always plain text.
    pub fn has_otlp_https(self) -> bool {
        self >= KrakendVersion::new(2, 10, 0)
    }

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

#[cfg(test)]
mod tests {
    use super::*;

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
        let v: KrakendVersion = "3.0".parse().unwrap();
        assert!(!v.reads_opencensus() && v.has_otlp_https() && v.has_propagators_env());
        assert_eq!(
            KrakendVersion::from_schema_url("https://www.krakend.io/schema/v2.10/krakend.json"),
            Some(KrakendVersion::new(2, 10, 0))
        );
        assert_eq!(
            KrakendVersion::from_schema_url("https://www.krakend.io/schema/krakend.json"),
            None
        );
    }
}
