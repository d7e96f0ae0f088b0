//! Every difference between the behaviour of a legacy block and that of
//! its replacement.
//!
//! A finding is *inherent* when no OpenTelemetry config could avoid it
//! (B3 headers, OpenCensus' non-parent-based ratio sampler, a random
//! Prometheus port, the protocol change of a direct exporter, the default
//! X-Ray service version, the proxy layer's extra metric): `verify` shows
//! those as notes. Every other finding is a change of behaviour.
//!
//! What is compared only where it is delivered: the sampler and the
//! layers' traces only when a trace goes somewhere on either side, the
//! layers' metrics only when a metric does, the X-Ray service version only
//! when traces reach X-Ray.

use serde::Serialize;

use super::{Behaviour, Destination, Route, Sampling, Signal};

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The new config does not work as written.
    Problem,
    Sampling,
    RouteMissing,
    RouteAdded,
    RouteChanged,
    /// A signal reaches a place it reached before, but a different number
    /// of times (an export doubled, or two merged into one).
    RouteCount,
    Period,
    /// TLS to a destination KrakenD reached itself is lost.
    TlsLost,
    /// Spans a jaeger-agent forwarded now go straight to a Jaeger collector.
    AgentToCollector,
    Layer,
    ServiceName,
    ServiceVersion,
    // Inherent:
    ParentBased,
    Propagation,
    /// Backends no longer receive trace context on requests that are not
    /// recorded.
    UnrecordedContext,
    DefaultVersion,
    PrometheusPort,
    ReceiverPort,
    ProxyMetric,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Problem => "problem",
            Kind::Sampling => "sampling",
            Kind::RouteMissing => "route-missing",
            Kind::RouteAdded => "route-added",
            Kind::RouteChanged => "route-changed",
            Kind::RouteCount => "route-count",
            Kind::Period => "period",
            Kind::TlsLost => "tls-lost",
            Kind::AgentToCollector => "agent-to-collector",
            Kind::Layer => "layer",
            Kind::ServiceName => "service-name",
            Kind::ServiceVersion => "service-version",
            Kind::ParentBased => "parent-based",
            Kind::Propagation => "propagation",
            Kind::UnrecordedContext => "unrecorded-context",
            Kind::DefaultVersion => "default-version",
            Kind::PrometheusPort => "prometheus-port",
            Kind::ReceiverPort => "receiver-port",
            Kind::ProxyMetric => "proxy-metric",
        }
    }

    /// Whether no OpenTelemetry config could avoid it.
    pub fn inherent(self) -> bool {
        matches!(
            self,
            Kind::ParentBased
                | Kind::Propagation
                | Kind::UnrecordedContext
                | Kind::DefaultVersion
                | Kind::PrometheusPort
                | Kind::ReceiverPort
                | Kind::ProxyMetric
        )
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub inherent: bool,
    /// What differs: `sampling`, `traces -> xray (region eu-west-1)`, ...
    pub subject: String,
    /// The legacy value (`-` for none).
    pub legacy: String,
    /// The new value (`-` for none).
    pub new: String,
    /// A sentence for people.
    pub message: String,
    /// For a route only one side has (or one both have a different number
    /// of times): its signal and destination.
    #[serde(skip)]
    pub route: Option<(Signal, Destination)>,
}

impl Finding {
    fn new(
        kind: Kind,
        subject: impl Into<String>,
        legacy: impl Into<String>,
        new: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            kind,
            inherent: kind.inherent(),
            subject: subject.into(),
            legacy: legacy.into(),
            new: new.into(),
            message: message.into(),
            route: None,
        }
    }

    fn of_route(mut self, route: &Route) -> Finding {
        self.route = Some((route.signal, route.destination.clone()));
        self
    }
}

/// Compare a legacy behaviour with a new one.
pub fn compare(legacy: &Behaviour, new: &Behaviour) -> Vec<Finding> {
    let mut out = Vec::new();
    for problem in &new.problems {
        out.push(Finding::new(
            Kind::Problem,
            "new config",
            "-",
            problem.clone(),
            problem.clone(),
        ));
    }
    sampling(legacy, new, &mut out);
    routes(legacy, new, &mut out);
    layers(legacy, new, &mut out);
    service(legacy, new, &mut out);
    if let Some(old) = legacy.propagation
        && new.propagation != Some(old)
    {
        out.push(Finding::new(
            Kind::Propagation,
            "trace context",
            old,
            new.propagation.unwrap_or("-"),
            "trace context: OpenCensus read and wrote B3 headers; OpenTelemetry uses W3C traceparent unless KrakenD's environment sets OTEL_PROPAGATORS, which no config file shows",
        ));
    }
    unrecorded_context(legacy, new, &mut out);
    out
}

/// OpenCensus gave backends trace context on every request; KrakenD's
/// OpenTelemetry only on recorded ones, so only a new config that records
/// every request with the backend layer keeps it for all of them.
fn unrecorded_context(legacy: &Behaviour, new: &Behaviour, out: &mut Vec<Finding>) {
    let all_recorded = new.active()
        && new.carries(Signal::Traces)
        && new.sampling == Sampling::Always
        && new.layers.backend.traces;
    if !legacy.context_every_request || all_recorded {
        return;
    }
    let now = if new.active() && new.carries(Signal::Traces) {
        "only on recorded requests"
    } else {
        "never (no tracer)"
    };
    out.push(Finding::new(
        Kind::UnrecordedContext,
        "trace context on unrecorded requests",
        "every request",
        now,
        format!("trace context: OpenCensus forwarded it to backends on every request (X-B3-Sampled: 0 when not sampled); now {now}, so backends start their own traces for the others"),
    ));
}

/// The differences of a legacy route and the new route that reaches its
/// destination: another period, and the port changes no OpenTelemetry
/// config could avoid (noted once per place).
fn matched(l: &Route, n: &Route, noted_ports: &mut Vec<String>, out: &mut Vec<Finding>) {
    if l.tls && !n.tls {
        out.push(Finding::new(
            Kind::TlsLost,
            l.describe(),
            "TLS",
            "plain text",
            format!(
                "{} reach {} in plain text; the legacy exporter used TLS",
                l.signal.as_str(),
                n.destination
            ),
        ));
    }
    if let (Some(a), Some(b)) = (l.period, n.period)
        && a != b
    {
        out.push(Finding::new(
            Kind::Period,
            l.describe(),
            format!("every {a} s"),
            format!("every {b} s"),
            format!(
                "metrics reach {} every {b} s instead of every {a} s",
                n.destination
            ),
        ));
    }
    match (&l.destination, &n.destination) {
        (Destination::Prometheus { port: None }, Destination::Prometheus { port: Some(p) })
            if !noted_ports.contains(&l.destination.to_string()) =>
        {
            noted_ports.push(l.destination.to_string());
            out.push(Finding::new(
                Kind::PrometheusPort,
                l.describe(),
                "a random port",
                format!(":{p}"),
                format!("OpenCensus served /metrics on a random port (port 0); OpenTelemetry cannot, and serves it on :{p}"),
            ));
        }
        (Destination::Receiver { host, port: a }, Destination::Receiver { port: b, .. })
            if a != b && !noted_ports.contains(host) =>
        {
            noted_ports.push(host.clone());
            let old = a.map_or_else(|| "its default port".to_string(), |p| format!("port {p}"));
            let now = b.map_or_else(|| "its default port".to_string(), |p| format!("port {p}"));
            out.push(Finding::new(
                Kind::ReceiverPort,
                format!("receiver {host}"),
                old.clone(),
                now.clone(),
                format!("{}: the legacy exporter used {old} with its own protocol; telemetry now travels over OTLP to {now}, which the receiver must accept", crate::migration::convert::address::bracketed(host)),
            ));
        }
        _ => {}
    }
}

fn routes(legacy: &Behaviour, new: &Behaviour, out: &mut Vec<Finding>) {
    let mut new_used = vec![false; new.routes.len()];
    let mut unmatched: Vec<&Route> = Vec::new();
    let mut noted_ports: Vec<String> = Vec::new();
    for l in &legacy.routes {
        let found = new.routes.iter().enumerate().position(|(i, n)| {
            !new_used[i] && n.signal == l.signal && l.destination.reached_by(&n.destination)
        });
        let Some(i) = found else {
            unmatched.push(l);
            continue;
        };
        new_used[i] = true;
        let n = &new.routes[i];
        matched(l, n, &mut noted_ports, out);
    }
    let mut added: Vec<&Route> = new
        .routes
        .iter()
        .enumerate()
        .filter(|(i, _)| !new_used[*i])
        .map(|(_, r)| r)
        .collect();
    // A place both sides reach, a different number of times: one finding
    // per place, instead of a missing or an added route.
    let mut counted: Vec<(Signal, Destination)> = Vec::new();
    let unmatched: Vec<&Route> = unmatched
        .into_iter()
        .filter(|l| !recount(legacy, new, l, true, &mut counted, out))
        .collect();
    added.retain(|n| !recount(legacy, new, n, false, &mut counted, out));
    for l in unmatched {
        // A jaeger-agent forwarded to a collector the config did not name:
        // the new route to a receiver is that collector.
        if let Destination::JaegerAgent { .. } = &l.destination
            && let Some(i) = added.iter().position(|n| {
                n.signal == l.signal && matches!(n.destination, Destination::Receiver { .. })
            })
        {
            let n = added.remove(i);
            out.push(Finding::new(
                Kind::AgentToCollector,
                format!("{} -> {}", l.signal.as_str(), l.destination),
                l.destination.to_string(),
                n.destination.to_string(),
                format!(
                    "{} went to the {}, which forwarded them to a Jaeger collector; now straight to {}",
                    l.signal.as_str(),
                    l.destination,
                    n.destination
                ),
            ));
            continue;
        }
        let same_kind = added
            .iter()
            .position(|n| n.signal == l.signal && n.destination.kind() == l.destination.kind());
        match same_kind {
            Some(i) => {
                let n = added.remove(i);
                out.push(Finding::new(
                    Kind::RouteChanged,
                    format!("{} -> {}", l.signal.as_str(), l.destination.kind()),
                    l.destination.to_string(),
                    n.destination.to_string(),
                    format!(
                        "{} went to {} and now go to {}",
                        l.signal.as_str(),
                        l.destination,
                        n.destination
                    ),
                ));
            }
            None => out.push(
                Finding::new(
                    Kind::RouteMissing,
                    l.describe(),
                    l.via.clone(),
                    "-",
                    format!(
                        "{} no longer reach {} (legacy: {})",
                        l.signal.as_str(),
                        l.destination,
                        l.via
                    ),
                )
                .of_route(l),
            ),
        }
    }
    for n in added {
        out.push(
            Finding::new(
                Kind::RouteAdded,
                n.describe(),
                "-",
                n.via.clone(),
                format!(
                    "{} now also go to {} ({}), where the legacy config sent none",
                    n.signal.as_str(),
                    n.destination,
                    n.via
                ),
            )
            .of_route(n),
        );
    }
}

/// Whether `route` (of the legacy side when `is_legacy`) goes to a place
/// both sides reach a different number of times; the first such route of
/// a place adds the finding.
fn recount(
    legacy: &Behaviour,
    new: &Behaviour,
    route: &Route,
    is_legacy: bool,
    counted: &mut Vec<(Signal, Destination)>,
    out: &mut Vec<Finding>,
) -> bool {
    let place = &route.destination;
    let of_legacy = |l: &&Route| match is_legacy {
        true => l.destination.same_place(place),
        false => l.destination.reached_by(place),
    };
    let of_new = |n: &&Route| match is_legacy {
        true => place.reached_by(&n.destination),
        false => n.destination.same_place(place),
    };
    let legacy_n = legacy.routes_of(route.signal).filter(of_legacy).count();
    let new_n = new.routes_of(route.signal).filter(of_new).count();
    if legacy_n == 0 || new_n == 0 || legacy_n == new_n {
        return false;
    }
    let seen = counted
        .iter()
        .any(|(s, d)| *s == route.signal && (d.same_place(place) || d.reached_by(place)));
    if !seen {
        counted.push((route.signal, place.clone()));
        let double = if new_n > legacy_n {
            " (a double export)"
        } else {
            ""
        };
        out.push(
            Finding::new(
                Kind::RouteCount,
                route.describe(),
                format!("{legacy_n} times"),
                format!("{new_n} times"),
                format!(
                    "{} reach {place} {new_n} times where the legacy config sent them {legacy_n} times{double}",
                    route.signal.as_str()
                ),
            )
            .of_route(route),
        );
    }
    true
}

fn sampling(legacy: &Behaviour, new: &Behaviour, out: &mut Vec<Finding>) {
    if !(legacy.carries(Signal::Traces) || new.carries(Signal::Traces)) {
        return;
    }
    let (a, b) = (legacy.sampling, new.sampling);
    if !a.same_rate(b) {
        let hint = if b == Sampling::Always && a != Sampling::Always {
            " (KrakenD's OpenTelemetry samples every request when `trace_sample_rate` is absent, <= 0 or >= 1)"
        } else {
            ""
        };
        out.push(Finding::new(
            Kind::Sampling,
            "sampling",
            a.to_string(),
            b.to_string(),
            format!("sampling: the legacy config recorded {a}, the new one records {b}{hint}"),
        ));
    } else if let (
        Sampling::Ratio {
            rate,
            parent_based: false,
        },
        Sampling::Ratio {
            parent_based: true, ..
        },
    ) = (a, b)
    {
        let percent = (rate * 100.0 * 1000.0).round() / 1000.0;
        out.push(Finding::new(
            Kind::ParentBased,
            "sampling",
            a.to_string(),
            b.to_string(),
            format!("sampling: OpenCensus still sampled {percent} % of the requests whose caller said \"not sampled\"; KrakenD's OpenTelemetry sampler is parent-based and traces none of them"),
        ));
    }
}

fn layers(legacy: &Behaviour, new: &Behaviour, out: &mut Vec<Finding>) {
    if !(legacy.active() && new.active()) {
        return;
    }
    for signal in [Signal::Traces, Signal::Metrics] {
        if !(legacy.carries(signal) || new.carries(signal)) {
            continue;
        }
        for ((name, l), (_, n)) in legacy.layers.named().into_iter().zip(new.layers.named()) {
            match (l.get(signal), n.get(signal)) {
                (Some(a), Some(b)) if a != b => {
                    let state = |on: bool| if on { "on" } else { "off" };
                    out.push(Finding::new(
                        Kind::Layer,
                        format!("{name} layer {}", signal.as_str()),
                        state(a),
                        state(b),
                        format!(
                            "the {name} layer {} {}",
                            if b { "now records" } else { "no longer records" },
                            signal.as_str()
                        ),
                    ));
                }
                (None, Some(true)) if new.carries(signal) => out.push(Finding::new(
                    Kind::ProxyMetric,
                    format!("{name} layer {}", signal.as_str()),
                    "-",
                    "on",
                    "OpenTelemetry's proxy layer also records the krakend.proxy.duration metric, which OpenCensus' pipe layer never had",
                )),
                _ => {}
            }
        }
    }
}

fn service(legacy: &Behaviour, new: &Behaviour, out: &mut Vec<Finding>) {
    if !new.active() {
        return;
    }
    if let Some(now) = new.service_names.first() {
        for name in legacy.service_names.iter().filter(|n| n.value != now.value) {
            out.push(Finding::new(
                Kind::ServiceName,
                format!("service name ({})", name.source),
                format!("{:?}", name.value),
                format!("{:?}", now.value),
                format!(
                    "service name: `{}` was {:?}; the destinations now see {:?} (from {})",
                    name.source, name.value, now.value, now.source
                ),
            ));
        }
    }
    let (Some(old), Some(now)) = (&legacy.service_version, &new.service_version) else {
        return;
    };
    if !new.carries(Signal::Traces) || old.value == now.value {
        return;
    }
    let kind = if old.explicit {
        Kind::ServiceVersion
    } else {
        Kind::DefaultVersion
    };
    out.push(Finding::new(
        kind,
        "service version",
        old.to_string(),
        now.to_string(),
        format!("service version: X-Ray segments carried {old}; now {now}"),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::behaviour::{LayerSignals, Layers, Module, ServiceVersion};

    fn route(signal: Signal, destination: Destination, period: Option<i64>) -> Route {
        Route {
            signal,
            destination,
            period,
            via: "x".into(),
            tls: false,
        }
    }

    fn base(module: Module) -> Behaviour {
        Behaviour {
            module,
            inactive: None,
            sampling: Sampling::Always,
            layers: Layers {
                router: LayerSignals::ON,
                pipe: LayerSignals::ON,
                backend: LayerSignals::ON,
            },
            routes: vec![route(
                Signal::Traces,
                Destination::Xray {
                    region: Some("eu-west-1".into()),
                },
                None,
            )],
            service_names: Vec::new(),
            service_version: Some(ServiceVersion {
                value: Some("1".into()),
                explicit: true,
            }),
            propagation: None,
            context_every_request: false,
            problems: Vec::new(),
        }
    }

    fn kinds(findings: &[Finding]) -> Vec<Kind> {
        findings.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn equal_behaviours_have_no_findings() {
        let a = base(Module::Opencensus);
        assert!(compare(&a, &base(Module::Opentelemetry)).is_empty());
    }

    #[test]
    fn a_changed_region_is_one_changed_route() {
        let a = base(Module::Opencensus);
        let mut b = base(Module::Opentelemetry);
        b.routes[0].destination = Destination::Xray {
            region: Some("us-east-1".into()),
        };
        let found = compare(&a, &b);
        assert_eq!(kinds(&found), [Kind::RouteChanged]);
        assert_eq!(found[0].legacy, "xray (region eu-west-1)");
        assert_eq!(found[0].new, "xray (region us-east-1)");
    }

    #[test]
    fn a_place_reached_a_different_number_of_times_is_one_finding() {
        let a = base(Module::Opencensus);
        let mut b = base(Module::Opentelemetry);
        b.routes.push(b.routes[0].clone());
        let found = compare(&a, &b);
        assert_eq!(kinds(&found), [Kind::RouteCount]);
        assert_eq!(
            (found[0].legacy.as_str(), found[0].new.as_str()),
            ("1 times", "2 times")
        );
        // Fewer: two legacy exporters to one agent, one new exporter.
        let agent = |port| Destination::Receiver {
            host: "agent".into(),
            port: Some(port),
        };
        let mut a = base(Module::Opencensus);
        a.routes = vec![
            route(Signal::Traces, agent(14268), None),
            route(Signal::Traces, agent(55678), None),
        ];
        let mut b = base(Module::Opentelemetry);
        b.routes = vec![route(Signal::Traces, agent(4317), None)];
        let found = compare(&a, &b);
        assert!(kinds(&found).contains(&Kind::RouteCount), "{found:#?}");
        assert!(!kinds(&found).contains(&Kind::RouteMissing), "{found:#?}");
    }

    #[test]
    fn turning_traces_on_is_a_sampling_difference_and_a_new_route() {
        let mut a = base(Module::Opencensus);
        a.routes.clear();
        a.sampling = Sampling::Off;
        a.service_version = None;
        let found = compare(&a, &base(Module::Opentelemetry));
        assert_eq!(kinds(&found), [Kind::Sampling, Kind::RouteAdded]);
        assert!(found[0].message.contains("absent"), "{}", found[0].message);
    }

    #[test]
    fn layers_only_count_for_delivered_signals() {
        let mut a = base(Module::Opencensus);
        a.layers.backend = LayerSignals::OFF;
        a.layers.pipe = LayerSignals {
            metrics: None,
            traces: true,
        };
        let found = compare(&a, &base(Module::Opentelemetry));
        // Only traces are delivered: the backend's metrics do not matter,
        // nor does the proxy metric.
        assert_eq!(kinds(&found), [Kind::Layer]);
        assert_eq!(found[0].subject, "backend layer traces");
    }

    #[test]
    fn periods_and_parent_based_ratios() {
        let mut a = base(Module::Opencensus);
        let mut b = base(Module::Opentelemetry);
        a.sampling = Sampling::Ratio {
            rate: 0.2,
            parent_based: false,
        };
        b.sampling = Sampling::Ratio {
            rate: 0.2,
            parent_based: true,
        };
        let dd = Destination::Receiver {
            host: "dd".into(),
            port: Some(8126),
        };
        a.routes.push(route(Signal::Metrics, dd.clone(), Some(10)));
        b.routes.push(route(
            Signal::Metrics,
            Destination::Receiver {
                host: "dd".into(),
                port: Some(4317),
            },
            Some(30),
        ));
        let found = compare(&a, &b);
        assert_eq!(
            kinds(&found),
            [Kind::ParentBased, Kind::Period, Kind::ReceiverPort]
        );
        assert!(found.iter().filter(|f| f.inherent).count() == 2);
    }
}
