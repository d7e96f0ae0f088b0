//! Where a collector config sends what KrakenD pushes to it.
//!
//! The YAML is read with `yaml_serde`, the way the collector reads it in
//! the parts that decide delivery: OTLP receivers (a protocol is on when
//! its key is present; its endpoint defaults to `localhost`), pipelines
//! (`traces`, `metrics/<name>`, ...) that take data from a receiver and
//! hand it to exporters, and the exporters themselves. A pipeline naming a
//! component that is not defined stops the whole collector, so then
//! nothing is delivered. Processors that drop data on purpose (samplers,
//! filters) are reported, since the legacy exporters had none.

use serde_json::Value;

use crate::migration::convert::address;
use crate::model::target::Component;

use super::{Destination, Signal};

/// A collector config that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// 1-based, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// Where an OTLP receiver protocol listens.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listen {
    /// Lowercase; empty, `0.0.0.0` or `::` listen everywhere.
    host: String,
    /// `None` when it cannot be known (an `${env:...}` reference).
    port: Option<u16>,
}

impl Listen {
    fn parse(raw: &str) -> Listen {
        let raw = raw.trim();
        let (host, port) = match raw.strip_prefix('[') {
            Some(rest) => match rest.split_once("]:") {
                Some((h, p)) => (h, p),
                None => (rest.trim_end_matches(']'), ""),
            },
            None => raw.rsplit_once(':').unwrap_or((raw, "")),
        };
        Listen {
            host: host.to_ascii_lowercase(),
            port: port.parse().ok(),
        }
    }

    fn loopback_only(&self) -> bool {
        is_loopback(&self.host)
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

#[derive(Debug, Clone)]
struct OtlpReceiver {
    id: String,
    grpc: Option<Listen>,
    http: Option<Listen>,
}

#[derive(Debug, Clone)]
struct Pipeline {
    id: String,
    signal: Option<Signal>,
    receivers: Vec<String>,
    processors: Vec<String>,
    exporters: Vec<String>,
}

/// What decides delivery in a collector config.
#[derive(Debug, Clone)]
pub struct Collector {
    receivers: Vec<OtlpReceiver>,
    pipelines: Vec<Pipeline>,
    /// Exporter id and its destination (`None`: it discards, like `debug`).
    exporters: Vec<(String, Option<Destination>)>,
    /// Why the collector would not start, if it would not.
    pub fatal: Option<String>,
}

/// Processors that drop data by design.
const DROPPING: &[&str] = &["probabilistic_sampler", "tail_sampling", "filter"];

fn component_type(id: &str) -> &str {
    id.split('/').next().unwrap_or(id)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// A non-blank string setting, as written (the collector does not trim).
fn str_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// An endpoint of a collector exporter, without credentials.
fn clean_endpoint(raw: &str) -> String {
    address::parse(raw).map_or_else(|| raw.to_string(), |a| a.without_credentials())
}

/// The destination a collector exporter delivers to.
fn destination(id: &str, config: &Value) -> Option<Destination> {
    let kind = component_type(id);
    if let Some(component) = Component::from_id(kind) {
        return Some(written(component, config));
    }
    Some(match kind {
        "otlp" | "otlp_grpc" | "otlphttp" | "otlp_http" => {
            let endpoint = str_at(config, "/endpoint").unwrap_or_default();
            match address::parse(endpoint) {
                Some(a) => Destination::Receiver {
                    host: a.host.to_ascii_lowercase(),
                    port: a.port,
                },
                None => Destination::Other {
                    component: id.to_string(),
                    detail: "no endpoint".into(),
                },
            }
        }
        "prometheus" => Destination::Prometheus {
            port: str_at(config, "/endpoint").and_then(|e| Listen::parse(e).port),
        },
        "debug" | "logging" | "nop" => return None,
        _ => other(kind, config),
    })
}

/// The destination of a component oc2otel writes, read back.
fn written(component: Component, config: &Value) -> Destination {
    match component {
        Component::AwsXray => Destination::Xray {
            region: str_at(config, "/region").map(String::from),
        },
        Component::Zipkin => Destination::Zipkin {
            endpoint: str_at(config, "/endpoint")
                .map(clean_endpoint)
                .unwrap_or_default(),
        },
        Component::GoogleCloud => Destination::GoogleCloud {
            project: str_at(config, "/project").map(String::from),
        },
        // Compared as the URL the exporter writes to.
        Component::Influxdb => Destination::Influxdb {
            endpoint: str_at(config, "/endpoint")
                .map(|raw| {
                    address::parse(raw)
                        .map_or_else(|| raw.to_string(), |a| a.influx_collector_write_url())
                })
                .unwrap_or_default(),
            db: (config.pointer("/v1_compatibility/enabled") == Some(&Value::Bool(true)))
                .then(|| str_at(config, "/v1_compatibility/db").map(String::from))
                .flatten(),
        },
        Component::AwsEmf => other(component.id(), config),
    }
}

/// Any other exporter, named by its type and what says where it writes.
fn other(kind: &str, config: &Value) -> Destination {
    Destination::Other {
        component: kind.to_string(),
        detail: ["namespace", "log_group_name", "endpoint"]
            .iter()
            .filter_map(|&k| {
                let v = str_at(config, &format!("/{k}"))?;
                let v = if k == "endpoint" {
                    clean_endpoint(v)
                } else {
                    v.to_string()
                };
                Some(format!("{k} {v}"))
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

impl Collector {
    /// Parse a collector config.
    pub fn parse(yaml: &str) -> Result<Collector, ParseError> {
        let config: Value = yaml_serde::from_str(yaml).map_err(|e| {
            let location = e.location();
            ParseError {
                message: e.to_string(),
                line: location.as_ref().map(|l| l.line()),
                column: location.as_ref().map(|l| l.column()),
            }
        })?;
        if !config.is_object() {
            return Err(ParseError {
                message: "a collector config must be a mapping".into(),
                line: None,
                column: None,
            });
        }
        let section = |name: &str| config.get(name).and_then(Value::as_object);
        let receivers = section("receivers")
            .map(|r| {
                r.iter()
                    .filter(|(id, _)| component_type(id) == "otlp")
                    .map(|(id, cfg)| {
                        let protocol = |name: &str, default: &str| {
                            let p = cfg.pointer(&format!("/protocols/{name}"));
                            // `grpc:` with no value turns the protocol on.
                            p.map(|p| {
                                Listen::parse(
                                    p.get("endpoint").and_then(Value::as_str).unwrap_or(default),
                                )
                            })
                        };
                        OtlpReceiver {
                            id: id.clone(),
                            grpc: protocol("grpc", "localhost:4317"),
                            http: protocol("http", "localhost:4318"),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let exporters: Vec<(String, Option<Destination>)> = section("exporters")
            .map(|e| {
                e.iter()
                    .map(|(id, cfg)| (id.clone(), destination(id, cfg)))
                    .collect()
            })
            .unwrap_or_default();
        let pipelines: Vec<Pipeline> = config
            .pointer("/service/pipelines")
            .and_then(Value::as_object)
            .map(|p| {
                p.iter()
                    .map(|(id, cfg)| Pipeline {
                        id: id.clone(),
                        signal: match component_type(id) {
                            "traces" => Some(Signal::Traces),
                            "metrics" => Some(Signal::Metrics),
                            _ => None,
                        },
                        receivers: strings(cfg.get("receivers")),
                        processors: strings(cfg.get("processors")),
                        exporters: strings(cfg.get("exporters")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let defined = |name: &str, id: &str| section(name).is_some_and(|s| s.contains_key(id));
        let mut fatal = None;
        'check: for p in &pipelines {
            for (kind, ids) in [
                ("receivers", &p.receivers),
                ("processors", &p.processors),
                ("exporters", &p.exporters),
            ] {
                if let Some(id) = ids.iter().find(|id| !defined(kind, id)) {
                    fatal = Some(format!(
                        "pipeline `{}` uses `{id}`, which is not defined under `{kind}`: the collector does not start",
                        p.id
                    ));
                    break 'check;
                }
            }
            if p.receivers.is_empty() || p.exporters.is_empty() {
                fatal = Some(format!(
                    "pipeline `{}` needs at least one receiver and one exporter: the collector does not start",
                    p.id
                ));
                break;
            }
        }
        Ok(Collector {
            receivers,
            pipelines,
            exporters,
            fatal,
        })
    }

    /// What reaches which destination when KrakenD pushes OTLP to
    /// `host:port` (`http`: OTLP over HTTP). Each result carries a
    /// description of the path for people.
    pub fn resolve(
        &self,
        host: &str,
        port: u16,
        http: bool,
    ) -> Result<Vec<(Signal, Destination, String)>, String> {
        if let Some(fatal) = &self.fatal {
            return Err(fatal.clone());
        }
        let protocol = if http { "HTTP" } else { "gRPC" };
        let listening: Vec<(&OtlpReceiver, &Listen)> = self
            .receivers
            .iter()
            .filter_map(|r| {
                let listen = if http {
                    r.http.as_ref()
                } else {
                    r.grpc.as_ref()
                }?;
                (listen.port == Some(port)).then_some((r, listen))
            })
            .collect();
        if listening.is_empty() {
            return Err(format!(
                "the collector has no OTLP {protocol} receiver on port {port}"
            ));
        }
        let reachable: Vec<&OtlpReceiver> = listening
            .iter()
            .filter(|(_, l)| !l.loopback_only() || is_loopback(host))
            .map(|(r, _)| *r)
            .collect();
        if reachable.is_empty() {
            return Err(format!(
                "the collector's OTLP {protocol} receiver listens on localhost only, which {host} does not reach (listen on 0.0.0.0:{port})"
            ));
        }
        let mut out = Vec::new();
        let mut dropping = Vec::new();
        for p in &self.pipelines {
            let Some(signal) = p.signal else { continue };
            let Some(receiver) = reachable.iter().find(|r| p.receivers.contains(&r.id)) else {
                continue;
            };
            if let Some(d) = p
                .processors
                .iter()
                .find(|id| DROPPING.contains(&component_type(id)))
            {
                dropping.push(format!(
                    "pipeline `{}` drops {} on purpose with processor `{d}`",
                    p.id,
                    signal.as_str()
                ));
            }
            for id in &p.exporters {
                if let Some((_, Some(destination))) = self.exporters.iter().find(|(e, _)| e == id) {
                    out.push((
                        signal,
                        destination.clone(),
                        format!("`{}` pipeline `{}` -> exporter `{id}`", receiver.id, p.id),
                    ));
                }
            }
        }
        if let Some(first) = dropping.into_iter().next() {
            return Err(format!(
                "{first}, which the legacy exporters never did (remove it, or compare by hand)"
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADOT: &str = "
extensions:
  health_check:
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
exporters:
  awsxray:
    region: eu-west-1
  debug:
  prometheus:
    endpoint: 0.0.0.0:9464
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [awsxray, debug]
    metrics/prom:
      receivers: [otlp]
      exporters: [prometheus]
";

    #[test]
    fn follows_pipelines_from_the_receiver() {
        let c = Collector::parse(ADOT).unwrap();
        let reached: Vec<(Signal, String)> = c
            .resolve("adot", 4317, false)
            .unwrap()
            .into_iter()
            .map(|(s, d, _)| (s, d.to_string()))
            .collect();
        assert_eq!(
            reached,
            [
                (Signal::Traces, "xray (region eu-west-1)".to_string()),
                (Signal::Metrics, "prometheus (:9464)".to_string())
            ]
        );
        // `http:` with no endpoint listens on localhost:4318 only.
        assert!(c.resolve("localhost", 4318, true).is_ok());
        assert!(
            c.resolve("adot", 4318, true)
                .unwrap_err()
                .contains("localhost only")
        );
        assert!(
            c.resolve("adot", 4319, false)
                .unwrap_err()
                .contains("no OTLP gRPC")
        );
    }

    #[test]
    fn an_undefined_component_stops_the_collector() {
        let c = Collector::parse(&ADOT.replace("exporters: [prometheus]", "exporters: [awsemf]"))
            .unwrap();
        assert!(
            c.resolve("adot", 4317, false)
                .unwrap_err()
                .contains("`awsemf`")
        );
    }

    #[test]
    fn samplers_in_a_pipeline_are_reported() {
        let yaml = ADOT
            .replace(
                "exporters:\n  awsxray:",
                "processors:\n  probabilistic_sampler:\n    sampling_percentage: 10\nexporters:\n  awsxray:",
            )
            .replace(
                "      exporters: [awsxray, debug]",
                "      processors: [probabilistic_sampler]\n      exporters: [awsxray, debug]",
            );
        let c = Collector::parse(&yaml).unwrap();
        assert!(
            c.resolve("adot", 4317, false)
                .unwrap_err()
                .contains("probabilistic_sampler")
        );
    }

    #[test]
    fn bad_yaml_is_located() {
        let err = Collector::parse("receivers:\n  otlp: [\n").unwrap_err();
        assert!(err.line.is_some(), "{err:?}");
    }
}
