//! The behaviour of an OpenCensus block, with OpenCensus' semantics.
//!
//! The block is decoded as KrakenD decoded it ([`crate::model::legacy::decode`]);
//! everything after that is read here again, on purpose without the
//! conversion rules of [`crate::migration::convert`], so that a mistake in a rule
//! shows up as a difference instead of being repeated on both sides.
//!
//! OpenCensus facts used (see `docs/mapping.md`): `sample_rate` <= 0 or
//! absent records nothing, >= 100 everything, otherwise that percentage
//! (without honouring an unsampled caller); `reporting_period` <= 0 or
//! absent is 10 s; with `enabled_layers` present every layer not written
//! is off; the pipe layer only traces; xray, jaeger and zipkin carry
//! traces, prometheus and influxdb metrics, datadog, stackdriver and
//! ocagent both, logger nothing; an exporter KrakenD could not create
//! (no address) exports nothing.

use crate::migration::convert::address;
use crate::migration::convert::is_go_duration;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::legacy::decode::Spanned;
use crate::model::legacy::{self, Exporters, LegacyExporter, Settings};
use crate::model::locate::{self, BlockRef, Located, Namespace};
use crate::syntax::tree::{Node, Span};

use super::{
    Behaviour, Destination, LayerSignals, Layers, Module, Route, Sampling, ServiceName,
    ServiceVersion, Signal,
};

/// OpenCensus reports metrics every 10 s when the period is absent or <= 0.
pub const DEFAULT_PERIOD: i64 = 10;

/// The service version X-Ray segments carried when `xray.version` was empty.
pub const DEFAULT_XRAY_VERSION: &str = "KrakenD-opencensus";

/// The effective legacy block of a document and its behaviour.
#[derive(Debug, Clone)]
pub struct LegacySide {
    pub behaviour: Behaviour,
    /// Pointer of the block's value, and the span of its key.
    pub pointer: String,
    pub key_span: Span,
    pub namespace: Namespace,
    /// The object the block is a member of.
    pub container: Span,
}

/// The behaviour of the service-level legacy block of `root`; `Ok(None)`
/// when there is none. A block KrakenD could not decode is an error (the
/// decoding diagnostics).
pub fn from_document(root: &Node) -> Result<Option<LegacySide>, Vec<Diagnostic>> {
    from_located(&locate::locate(root))
}

/// As [`from_document`], for an already located document.
pub fn from_located(located: &Located<'_>) -> Result<Option<LegacySide>, Vec<Diagnostic>> {
    sides(located).into_iter().next().transpose()
}

/// One side per object that holds service-level legacy blocks, in order:
/// a config has one; a template may have several alternatives (`{{ if }}`
/// branches), each read as if it were the config's.
pub fn sides(located: &Located<'_>) -> Vec<Result<LegacySide, Vec<Diagnostic>>> {
    let mut containers: Vec<&Span> = Vec::new();
    for block in located.service() {
        if !containers.contains(&&block.container.span) {
            containers.push(&block.container.span);
        }
    }
    containers
        .into_iter()
        .filter_map(|container| {
            // KrakenD renames the v1 key onto the v2 one, so the v2 key
            // wins; of duplicates, the last one.
            let block = located
                .service()
                .filter(|b| &b.container.span == container && !b.duplicate)
                .max_by_key(|b| b.namespace == Namespace::Current)?;
            Some(side(block))
        })
        .collect()
}

fn side(block: &BlockRef<'_>) -> Result<LegacySide, Vec<Diagnostic>> {
    let member = block.member();
    let pointer = block.pointer();
    let decoded = legacy::decode::<Settings>(&member.value, &pointer, block.namespace.key());
    let Some(settings) = decoded.settings else {
        return Err(decoded
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect());
    };
    Ok(LegacySide {
        behaviour: behaviour(&settings),
        pointer,
        key_span: member.key_span.clone(),
        namespace: block.namespace,
        container: block.container.span.clone(),
    })
}

fn non_empty(field: &Option<Spanned<String>>) -> Option<&str> {
    field
        .as_ref()
        .map(|f| f.value.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// A host for an address a legacy exporter was given, or a problem.
fn host_of(raw: &str) -> Option<(String, Option<u16>)> {
    address::parse(raw).map(|a| (a.host.to_ascii_lowercase(), a.port))
}

/// An address with the user info removed (it is a credential).
fn endpoint_of(raw: &str) -> Option<String> {
    address::parse(raw).map(|a| a.without_credentials())
}

fn sampling(settings: &Settings) -> Sampling {
    match settings.sample_rate.as_ref().map(|f| f.value) {
        None | Some(..=0) => Sampling::Off,
        Some(100..) => Sampling::Always,
        Some(rate) => Sampling::Ratio {
            rate: rate as f64 / 100.0,
            parent_based: false,
        },
    }
}

fn layers(settings: &Settings) -> Layers {
    let Some(enabled) = &settings.enabled_layers else {
        return Layers {
            router: LayerSignals::ON,
            pipe: PIPE_ON,
            backend: LayerSignals::ON,
        };
    };
    let on = |f: &Option<Spanned<bool>>| f.as_ref().is_some_and(|f| f.value);
    let all_or_nothing = |f: &Option<Spanned<bool>>| {
        if on(f) {
            LayerSignals::ON
        } else {
            LayerSignals::OFF
        }
    };
    Layers {
        router: all_or_nothing(&enabled.value.router),
        pipe: LayerSignals {
            metrics: None,
            traces: on(&enabled.value.pipe),
        },
        backend: all_or_nothing(&enabled.value.backend),
    }
}

/// The behaviour of decoded settings.
pub fn behaviour(settings: &Settings) -> Behaviour {
    let period = match settings.reporting_period.as_ref().map(|f| f.value) {
        Some(p) if p > 0 => p,
        _ => DEFAULT_PERIOD,
    };
    let mut out = Behaviour {
        module: Module::Opencensus,
        inactive: None,
        sampling: sampling(settings),
        layers: layers(settings),
        routes: Vec::new(),
        service_names: Vec::new(),
        service_version: None,
        propagation: None,
        // The backend layer's transport wrote B3 on every request, sampled
        // or not, exporter or not (krakend-opencensus `http_transport.go`
        // ~153-175; opencensus-go `b3.go` ~112-123).
        context_every_request: false,
        problems: Vec::new(),
    };
    out.context_every_request = out.layers.backend.traces;
    let Some(exporters) = &settings.exporters else {
        out.problems
            .push("no `exporters`: the block exports nothing".into());
        return finish(out);
    };
    let e = &exporters.value;
    for exporter in LegacyExporter::ALL {
        let destination = match reach(exporter, e) {
            None => continue,
            Some(Err(problem)) => {
                out.problems.push(problem);
                continue;
            }
            Some(Ok(destination)) => destination,
        };
        for signal in [Signal::Traces, Signal::Metrics] {
            if !exporter.signals().has(signal) {
                continue;
            }
            // Datadog's metrics went to DogStatsD, not to the trace agent.
            let destination = match (exporter, signal, &e.datadog) {
                (LegacyExporter::Datadog, Signal::Metrics, Some(d)) => {
                    let raw = non_empty(&d.value.stats_address).unwrap_or("localhost:8125");
                    match receiver(raw, exporter.key(), "its `stats_address`") {
                        Ok(dogstatsd) => dogstatsd,
                        Err(problem) => {
                            out.problems.push(problem);
                            continue;
                        }
                    }
                }
                _ => destination.clone(),
            };
            let pushed =
                signal == Signal::Metrics && !matches!(destination, Destination::Prometheus { .. });
            out.routes.push(Route {
                signal,
                destination: destination.clone(),
                period: pushed.then_some(period),
                via: via(exporter.key()),
                tls: exporter == LegacyExporter::Jaeger && jaeger_https(e),
            });
        }
        // Each exporter named the service itself: its field, else its
        // library's default (zipkin's is empty).
        if let Some(field) = exporter.service_name_field() {
            let written = e
                .service_name(exporter)
                .map(|f| f.value.trim())
                .filter(|v| !v.is_empty());
            let named = match (written, exporter.default_service_name()) {
                (Some(v), _) => Some((format!("{}.{field}", exporter.key()), v, true)),
                (None, Some(default)) => {
                    Some((format!("{}'s default", exporter.key()), default, false))
                }
                (None, None) => None,
            };
            if let Some((source, value, explicit)) = named {
                out.service_names.push(ServiceName {
                    source,
                    value: value.to_string(),
                    explicit,
                });
            }
        }
    }
    if let Some(x) = &e.xray {
        out.service_version = Some(match non_empty(&x.value.version) {
            Some(v) => ServiceVersion {
                value: Some(v.to_string()),
                explicit: true,
            },
            None => ServiceVersion {
                value: Some(DEFAULT_XRAY_VERSION.to_string()),
                explicit: false,
            },
        });
    }
    finish(out)
}

/// Where a written exporter delivered, or why it delivered nothing;
/// `None` when it is not written.
fn reach(exporter: LegacyExporter, e: &Exporters) -> Option<Result<Destination, String>> {
    let key = exporter.key();
    Some(match exporter {
        LegacyExporter::Xray => {
            let x = &e.xray.as_ref()?.value;
            let env = x.use_env.as_ref().is_some_and(|f| f.value);
            let keys =
                non_empty(&x.access_key_id).is_some() && non_empty(&x.secret_access_key).is_some();
            if !env && !keys {
                return Some(Err(format!(
                    "`{key}` has neither `use_env: true` nor both keys: the AWS SDK refused its empty static credentials, so it sent nothing"
                )));
            }
            let region = non_empty(&x.region).map(|r| r.trim().to_string());
            Ok(Destination::Xray { region })
        }
        LegacyExporter::Jaeger => {
            let j = &e.jaeger.as_ref()?.value;
            // The Jaeger library prefers the collector endpoint.
            match non_empty(&j.endpoint).or_else(|| non_empty(&j.agent_endpoint)) {
                None => Err(format!(
                    "`{key}` has no endpoint: KrakenD could not create it, so it exported nothing"
                )),
                Some(raw) if non_empty(&j.endpoint).is_none() => match host_of(raw) {
                    Some((host, port)) => Ok(Destination::JaegerAgent { host, port }),
                    None => Err(format!("`{key}`: its `agent_endpoint` cannot be read")),
                },
                Some(raw) => receiver(raw, key, "its address"),
            }
        }
        LegacyExporter::Zipkin => {
            let z = &e.zipkin.as_ref()?.value;
            match non_empty(&z.collector_url).map(endpoint_of) {
                Some(Some(endpoint)) => Ok(Destination::Zipkin { endpoint }),
                Some(None) => Err(format!("`{key}`: its `collector_url` cannot be read")),
                None => Err(format!(
                    "`{key}` has no `collector_url`: it never reached a Zipkin"
                )),
            }
        }
        LegacyExporter::Prometheus => {
            let p = &e.prometheus.as_ref()?.value;
            match p.port.as_ref().map(|f| f.value) {
                None | Some(0) => Ok(Destination::Prometheus { port: None }),
                Some(port @ 1..=65535) => Ok(Destination::Prometheus {
                    port: Some(port as u16),
                }),
                Some(port) => Err(format!(
                    "`{key}.port: {port}` is not a TCP port: KrakenD could not listen"
                )),
            }
        }
        LegacyExporter::Datadog => {
            let d = &e.datadog.as_ref()?.value;
            let raw = non_empty(&d.trace_address).unwrap_or("localhost:8126");
            receiver(raw, key, "its `trace_address`")
        }
        LegacyExporter::Stackdriver => {
            let s = &e.stackdriver.as_ref()?.value;
            let project = non_empty(&s.project_id).map(|p| p.trim().to_string());
            Ok(Destination::GoogleCloud { project })
        }
        LegacyExporter::Influxdb => {
            let i = &e.influxdb.as_ref()?.value;
            let write_url = |raw: &str| address::parse(raw).map(|a| a.influx_legacy_write_url());
            match non_empty(&i.address).map(write_url) {
                Some(Some(endpoint)) => Ok(Destination::Influxdb {
                    endpoint,
                    db: non_empty(&i.db).map(str::to_string),
                }),
                Some(None) => Err(format!("`{key}`: its `address` cannot be read")),
                None => Err(format!(
                    "`{key}` has no `address`: KrakenD could not create it"
                )),
            }
        }
        LegacyExporter::Ocagent => {
            let o = &e.ocagent.as_ref()?.value;
            let reconnection = o.reconnection.as_ref().map_or("", |f| f.value.as_str());
            match non_empty(&o.address) {
                Some(_) if !o.insecure.as_ref().is_some_and(|f| f.value) => Err(format!(
                    "`{key}` has no `insecure: true`: gRPC refused to dial without transport credentials, so it exported nothing"
                )),
                Some(_) if !reconnection.is_empty() && !is_go_duration(reconnection) => {
                    Err(format!(
                        "`{key}`: its `reconnection` is not a Go duration, so KrakenD could not create it"
                    ))
                }
                Some(raw) => receiver(raw, key, "its `address`"),
                None => Err(format!(
                    "`{key}` has no `address`: KrakenD could not create it"
                )),
            }
        }
        LegacyExporter::Logger => {
            e.logger.as_ref()?;
            Err(format!(
                "`{key}` was never registered by KrakenD: it exported nothing"
            ))
        }
    })
}

/// Whether the Jaeger exporter sent to an `https://` collector endpoint.
fn jaeger_https(e: &Exporters) -> bool {
    e.jaeger
        .as_ref()
        .and_then(|j| non_empty(&j.value.endpoint))
        .and_then(address::parse)
        .and_then(|a| a.scheme)
        .is_some_and(|s| s.eq_ignore_ascii_case("https"))
}

/// A receiver at the host of `raw`, or why it cannot be read (`what`:
/// "its `address`").
fn receiver(raw: &str, exporter: &str, what: &str) -> Result<Destination, String> {
    match host_of(raw) {
        Some((host, port)) => Ok(Destination::Receiver { host, port }),
        None => Err(format!("`{exporter}`: {what} cannot be read")),
    }
}

fn via(exporter: &str) -> String {
    format!("OpenCensus exporter `{exporter}`")
}

/// The pipe layer of OpenCensus records traces only.
const PIPE_ON: LayerSignals = LayerSignals {
    metrics: None,
    traces: true,
};

/// Drop what does not flow: no trace reaches anything when none is
/// recorded.
fn finish(mut out: Behaviour) -> Behaviour {
    if out.sampling.is_off() {
        out.routes.retain(|r| r.signal != Signal::Traces);
    }
    // What is compared is what is delivered: with no trace going
    // anywhere, the sampler and X-Ray's service version do not matter.
    if !out.carries(Signal::Traces) {
        out.service_version = None;
        out.sampling = Sampling::Off;
    }
    // The router layer read, and the backend layer wrote, B3 headers.
    if out.carries(Signal::Traces) && (out.layers.router.traces || out.layers.backend.traces) {
        out.propagation = Some("B3 (X-B3-* headers)");
    }
    // A service name only matters where its exporter's data still goes.
    let routes = &out.routes;
    out.service_names.retain(|n| {
        let exporter = n.source.split(['.', '\'']).next().unwrap_or_default();
        routes.iter().any(|r| r.via == via(exporter))
    });
    out.normalise();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    fn of(text: &str) -> Behaviour {
        let root = json::parse(text).unwrap();
        from_document(&root).unwrap().unwrap().behaviour
    }

    #[test]
    fn absent_sample_rate_records_nothing() {
        let b = of(
            r#"{"extra_config": {"telemetry/opencensus": {"exporters": {"xray": {"region": "eu-west-1", "use_env": true}}}}}"#,
        );
        assert_eq!(b.sampling, Sampling::Off);
        assert!(b.routes.is_empty());
        assert_eq!(b.service_version, None);
    }

    #[test]
    fn a_ratio_is_not_parent_based_and_layers_default_to_off_when_listed() {
        let b = of(
            r#"{"extra_config": {"telemetry/opencensus": {"sample_rate": 20,
            "enabled_layers": {"router": true},
            "exporters": {"jaeger": {"endpoint": "http://Jaeger:14268/api/traces", "service_name": "gw"},
                          "prometheus": {"port": 9091}}}}}"#,
        );
        assert_eq!(
            b.sampling,
            Sampling::Ratio {
                rate: 0.2,
                parent_based: false
            }
        );
        assert_eq!(b.layers.router, LayerSignals::ON);
        assert!(!b.layers.pipe.traces && !b.layers.backend.traces);
        let routes: Vec<String> = b.routes.iter().map(Route::describe).collect();
        assert_eq!(
            routes,
            ["traces -> jaeger:14268", "metrics -> prometheus (:9091)"]
        );
        assert_eq!(b.service_names[0].value, "gw");
    }

    #[test]
    fn exporters_krakend_could_not_create_export_nothing() {
        let b = of(
            r#"{"extra_config": {"telemetry/opencensus": {"sample_rate": 100,
            "exporters": {"jaeger": {}, "logger": {}, "influxdb": {"address": ""}}}}}"#,
        );
        assert!(b.routes.is_empty());
        assert_eq!(b.problems.len(), 3);
    }

    #[test]
    fn the_v2_key_wins_and_bad_types_are_errors() {
        let b = of(r#"{"extra_config": {
            "telemetry/opencensus": {"sample_rate": 100, "exporters": {"xray": {"use_env": true}}},
            "github_com/devopsfaith/krakend-opencensus": {"exporters": {"prometheus": {"port": 1}}}}}"#);
        assert_eq!(b.routes.len(), 1);
        assert_eq!(b.routes[0].destination, Destination::Xray { region: None });
        let root =
            json::parse(r#"{"extra_config": {"telemetry/opencensus": {"sample_rate": "x"}}}"#)
                .unwrap();
        assert!(from_document(&root).is_err());
    }
}
