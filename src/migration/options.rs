//! Settings of a migration that do not come from the file: which collector
//! receives the telemetry, where it listens, and which KrakenD version the
//! result must run on.

use std::fmt;
use std::str::FromStr;

pub use crate::model::version::KrakendVersion;

/// Which collector distribution the generated collector config targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CollectorFlavor {
    /// Chosen per file by the migration: ADOT when it ships a component
    /// for every exporter of the file, else otelcol-contrib (an info
    /// diagnostic says which and why). The migration resolves it before
    /// anything is converted, so the rules only ever see `Adot` or
    /// `Contrib`; an unresolved `Auto` names ADOT's, which is what it
    /// picks when nothing needs contrib.
    #[default]
    Auto,
    /// AWS Distro for OpenTelemetry (aws-otel-collector).
    Adot,
    /// The upstream otelcol-contrib distribution.
    Contrib,
}

impl CollectorFlavor {
    /// The values a user (flag or config file) can name, in help order.
    pub const ALL: [CollectorFlavor; 3] = [
        CollectorFlavor::Auto,
        CollectorFlavor::Adot,
        CollectorFlavor::Contrib,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CollectorFlavor::Auto => "auto",
            CollectorFlavor::Adot => "adot",
            CollectorFlavor::Contrib => "contrib",
        }
    }

    /// The name of the KrakenD OTLP exporter that points at the collector.
    pub fn exporter_name(self) -> &'static str {
        match self {
            CollectorFlavor::Auto | CollectorFlavor::Adot => "adot",
            CollectorFlavor::Contrib => "otel_collector",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            CollectorFlavor::Auto | CollectorFlavor::Adot => {
                "the ADOT collector (aws-otel-collector)"
            }
            CollectorFlavor::Contrib => "the OpenTelemetry collector (otelcol-contrib)",
        }
    }

    /// Whether the collector config is for ADOT (its components only).
    pub fn is_adot(self) -> bool {
        self != CollectorFlavor::Contrib
    }
}

impl FromStr for CollectorFlavor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        CollectorFlavor::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("`{s}`: expected `auto`, `adot` or `contrib`"))
    }
}

/// The KrakenD version a migration targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetVersion {
    /// Per file: the `vX.Y` of its `$schema` URL (2.6 or later), else
    /// [`KrakendVersion::LATEST`]. The migration resolves it first.
    #[default]
    Auto,
    /// This version, whatever the file says.
    Exact(KrakendVersion),
}

impl TargetVersion {
    /// The version in effect: an unresolved `Auto` is the latest, which is
    /// what it resolves to for a file without a `$schema` version.
    pub fn version(self) -> KrakendVersion {
        match self {
            TargetVersion::Auto => KrakendVersion::LATEST,
            TargetVersion::Exact(v) => v,
        }
    }
}

impl From<KrakendVersion> for TargetVersion {
    fn from(v: KrakendVersion) -> TargetVersion {
        TargetVersion::Exact(v)
    }
}

impl fmt::Display for TargetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetVersion::Auto => write!(f, "auto"),
            TargetVersion::Exact(v) => write!(f, "{v}"),
        }
    }
}

impl FromStr for TargetVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(TargetVersion::Auto),
            _ => s.parse().map(TargetVersion::Exact),
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

/// Which side wins when the legacy block is merged into an existing
/// `telemetry/opentelemetry` block and a service setting (sampler, layer
/// switch, metric period) differs for a signal both blocks' exporters
/// carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MergeSettings {
    /// Neither: the merge is refused (OC010 says what to change).
    #[default]
    Refuse,
    /// The existing block's setting stays; the appended exporters follow it.
    Existing,
    /// The legacy setting is written; the existing exporters follow it too.
    Legacy,
}

impl MergeSettings {
    /// The values a user (flag or config file) can name, in help order.
    pub const ALL: [MergeSettings; 3] = [
        MergeSettings::Refuse,
        MergeSettings::Existing,
        MergeSettings::Legacy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MergeSettings::Refuse => "refuse",
            MergeSettings::Existing => "existing",
            MergeSettings::Legacy => "legacy",
        }
    }
}

impl FromStr for MergeSettings {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        MergeSettings::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("`{s}`: expected `refuse`, `existing` or `legacy`"))
    }
}

/// Everything a migration needs besides the file.
#[derive(Debug, Clone)]
pub struct Options {
    pub collector: CollectorFlavor,
    pub otlp_endpoint: OtlpEndpoint,
    pub krakend_version: TargetVersion,
    /// Re-parse and check the migrated text (see `migrate::verify`). Only
    /// `--check`, which writes and shows nothing, turns this off to save
    /// the second parse; `Migration::output_secrets` then holds only the
    /// input's secrets where the edits moved them, not what a rescan of
    /// the output would add, so such an output is not for showing.
    pub verify_output: bool,
    /// Find the input's secrets, to scrub them from every message and to
    /// hide them in every text shown of the input. Only a `--check` whose
    /// report shows the errors alone (the human one without `-v`, which
    /// counts the warnings) turns this off, to spare the scan of every key
    /// and string: `Migration::input_secrets` is then empty and the
    /// messages are as the rules wrote them, not for showing. The workspace
    /// migrates a file again with it on before any of it is shown
    /// (`workspace::ops::migrate`).
    pub find_secrets: bool,
    /// The migrated text is shown (the preview's diff): the secrets of the
    /// output are found on its verifying parse, to be hidden there.
    /// `--write` and `--check` show no output and turn this off;
    /// `Migration::output_secrets` then holds only the input's secrets
    /// where the edits moved them.
    pub show_output: bool,
    /// `--metrics`: an extra destination for KrakenD's metrics.
    pub metrics: MetricsTarget,
    /// `--jaeger-collector`: where a Jaeger exporter that sent to a
    /// jaeger-agent (which has no OTLP port) now sends OTLP.
    pub jaeger_collector: Option<OtlpEndpoint>,
    /// `--merge-settings`: which side wins a setting the legacy block and
    /// an existing `telemetry/opentelemetry` block both govern.
    pub merge_settings: MergeSettings,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            collector: CollectorFlavor::default(),
            otlp_endpoint: OtlpEndpoint::default(),
            krakend_version: TargetVersion::default(),
            verify_output: true,
            find_secrets: true,
            show_output: true,
            metrics: MetricsTarget::default(),
            jaeger_collector: None,
            merge_settings: MergeSettings::default(),
        }
    }
}

impl Options {
    /// The KrakenD version the result must run on.
    pub fn version(&self) -> KrakendVersion {
        self.krakend_version.version()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_values_parse_as_a_config_file_would_name_them() {
        assert_eq!("auto".parse(), Ok(CollectorFlavor::Auto));
        assert_eq!("contrib".parse(), Ok(CollectorFlavor::Contrib));
        assert!("otelcol".parse::<CollectorFlavor>().is_err());
        assert_eq!("auto".parse(), Ok(TargetVersion::Auto));
        assert_eq!(
            "3.0".parse(),
            Ok(TargetVersion::Exact(KrakendVersion::new(3, 0, 0)))
        );
        assert_eq!(TargetVersion::Auto.version(), KrakendVersion::LATEST);
        assert!("2.5".parse::<TargetVersion>().is_err());
    }

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
}
