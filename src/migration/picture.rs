//! The before/after picture of a migration's telemetry pipelines: which
//! signal went where through OpenCensus, and where it goes now (KrakenD ->
//! OTLP exporter -> collector -> X-Ray / CloudWatch / ...), with what was
//! dropped. Plain, serialisable data, drawn as Mermaid by the markdown
//! report, as text by `explain`, and as SVG by anything else that wants it.
//!
//! It is read from what the migration decided (the intent of the legacy
//! block, whose destinations the new block and the collector config are
//! rendered from, and the fates of the legacy fields), never from a
//! reporter's guess. Labels hold names and hosts, never a credential: the
//! user info and query of every URL are left out.

use serde::Serialize;

use crate::migration::Migration;
use crate::migration::intent::{Intent, Route, Sampling, Signals};
use crate::model::diagnostic::{Action, Code};
use crate::model::target::CollectorExporter;

/// Both sides of a migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picture {
    /// Through OpenCensus.
    pub before: Pipelines,
    /// Through OpenTelemetry.
    pub after: Pipelines,
    /// Legacy settings that no longer have an effect (an exporter that
    /// never exported, B3 propagation before KrakenD 2.11, ...).
    pub dropped: Vec<String>,
}

/// One side: a graph from KrakenD to the backends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pipelines {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// What a node is, for its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Krakend,
    /// An exporter inside KrakenD.
    Exporter,
    Collector,
    /// Where the telemetry ends up.
    Backend,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// Stable within the picture, safe as an identifier (`n0`, `n1`).
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    /// A second line: a region, a host, a port.
    pub detail: Option<String>,
}

/// An arrow, labelled with what flows (`traces`, `traces, metrics`,
/// `OTLP gRPC :4317`, `scraped`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: String,
}

impl Pipelines {
    /// The node with this kind, label and detail, added if new.
    fn node(&mut self, kind: NodeKind, label: String, detail: Option<String>) -> String {
        if let Some(n) = self
            .nodes
            .iter()
            .find(|n| n.kind == kind && n.label == label && n.detail == detail)
        {
            return n.id.clone();
        }
        let id = format!("n{}", self.nodes.len());
        self.nodes.push(Node {
            id: id.clone(),
            kind,
            label,
            detail,
        });
        id
    }

    /// An edge, merged into one between the same nodes (`traces` and
    /// `metrics` become `traces, metrics`).
    fn edge(&mut self, from: &str, to: &str, label: String) {
        if let Some(e) = self.edges.iter_mut().find(|e| e.from == from && e.to == to) {
            let mut parts: Vec<&str> = e.label.split(", ").collect();
            for part in label.split(", ") {
                if !parts.contains(&part) {
                    parts.push(part);
                }
            }
            // Signals read in one order whatever order they came in.
            parts.sort_by_key(|p| match *p {
                "traces" => 0,
                "metrics" => 1,
                _ => 2,
            });
            e.label = parts.join(", ");
            return;
        }
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            label,
        });
    }

    pub fn node_by_id(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Every path from KrakenD to a backend, as node ids with the labels
    /// of the edges between them, in the order they were drawn.
    pub fn paths(&self) -> Vec<Vec<(&Node, Option<&str>)>> {
        let mut out = Vec::new();
        let Some(root) = self.nodes.iter().find(|n| n.kind == NodeKind::Krakend) else {
            return out;
        };
        let mut stack: Vec<Vec<(&Node, Option<&str>)>> = vec![vec![(root, None)]];
        while let Some(path) = stack.pop() {
            let last = path.last().map(|(n, _)| n.id.as_str()).unwrap_or_default();
            let next: Vec<&Edge> = self.edges.iter().filter(|e| e.from == last).collect();
            if next.is_empty() || path.len() > self.nodes.len() {
                out.push(path);
                continue;
            }
            for edge in next.into_iter().rev() {
                if let Some(to) = self.node_by_id(&edge.to) {
                    let mut longer = path.clone();
                    longer.push((to, Some(edge.label.as_str())));
                    stack.push(longer);
                }
            }
        }
        out
    }
}

impl Picture {
    /// The picture of a migration that has a new block; `None` for one
    /// that changes nothing or failed.
    pub fn of(migration: &Migration) -> Option<Picture> {
        if migration.status != crate::migration::Status::Migrate {
            return None;
        }
        let intent = migration.intent.as_ref()?;
        let (port, exporter) = match &migration.collector {
            Some(c) => (c.receiver_port, c.krakend_exporter.clone()),
            None => (4317, String::new()),
        };
        let collector = migration
            .collector
            .as_ref()
            .map(|c| c.flavor.display_name());
        let mut picture = Picture {
            before: before(intent),
            after: after(intent, &exporter, port, collector),
            dropped: dropped(migration),
        };
        if intent.sampling == Sampling::Off && intent.carries_traces() {
            picture
                .dropped
                .push("traces: the legacy block sampled none".to_string());
        }
        Some(picture)
    }
}

/// The signals of a destination that actually flow: no traces when none
/// is sampled.
fn flowing(intent: &Intent, signals: Signals) -> Option<String> {
    let traces = signals.traces && intent.sampling != Sampling::Off;
    match (traces, signals.metrics) {
        (true, true) => Some("traces, metrics".into()),
        (true, false) => Some("traces".into()),
        (false, true) => Some("metrics".into()),
        (false, false) => None,
    }
}

fn before(intent: &Intent) -> Pipelines {
    let mut p = Pipelines::default();
    let krakend = p.node(
        NodeKind::Krakend,
        "KrakenD".into(),
        Some("OpenCensus".into()),
    );
    for d in &intent.destinations {
        // A destination an option added (`--metrics emf`) is new.
        if d.legacy.starts_with("--") {
            continue;
        }
        let Some(signals) = flowing(intent, d.signals) else {
            continue;
        };
        let exporter = p.node(
            NodeKind::Exporter,
            format!("OpenCensus {} exporter", d.legacy),
            None,
        );
        p.edge(&krakend, &exporter, signals.clone());
        let (label, mut detail) = backend(&d.route, d.legacy);
        // The legacy exporter spoke its own protocol on its own port.
        if let Route::Otlp { host, .. } = &d.route {
            detail = Some(without_credentials(host));
        }
        let to = p.node(NodeKind::Backend, label, detail);
        let how = match d.route {
            Route::Prometheus { .. } => "scraped".to_string(),
            _ => signals,
        };
        p.edge(&exporter, &to, how);
    }
    p
}

fn after(intent: &Intent, exporter: &str, port: u16, collector: Option<&str>) -> Pipelines {
    let mut p = Pipelines::default();
    let krakend = p.node(
        NodeKind::Krakend,
        "KrakenD".into(),
        Some("OpenTelemetry".into()),
    );
    for d in &intent.destinations {
        let Some(signals) = flowing(intent, d.signals) else {
            continue;
        };
        let (label, detail) = backend(&d.route, d.legacy);
        match &d.route {
            Route::Collector(_) => {
                let otlp = p.node(
                    NodeKind::Exporter,
                    format!("OTLP exporter {exporter}"),
                    None,
                );
                p.edge(&krakend, &otlp, signals.clone());
                let name = collector.unwrap_or("the collector");
                let hub = p.node(NodeKind::Collector, capitalise(name), None);
                p.edge(&otlp, &hub, format!("OTLP gRPC :{port}"));
                let to = p.node(NodeKind::Backend, label, detail);
                p.edge(&hub, &to, signals);
            }
            Route::Otlp { name, .. } => {
                let otlp = p.node(NodeKind::Exporter, format!("OTLP exporter {name}"), None);
                p.edge(&krakend, &otlp, signals);
                let to = p.node(NodeKind::Backend, label, detail);
                p.edge(&otlp, &to, "OTLP gRPC".into());
            }
            Route::Prometheus { port } => {
                let prom = p.node(
                    NodeKind::Exporter,
                    "Prometheus exporter".into(),
                    Some(format!(":{port}/metrics")),
                );
                p.edge(&krakend, &prom, signals);
                let to = p.node(NodeKind::Backend, label, detail);
                p.edge(&prom, &to, "scraped".into());
            }
        }
    }
    p
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A backend's name and detail.
fn backend(route: &Route, legacy: &str) -> (String, Option<String>) {
    let region =
        |r: &Option<String>| Some(r.clone().unwrap_or_else(|| "region from AWS_REGION".into()));
    match route {
        Route::Collector(exporter) => match exporter {
            CollectorExporter::AwsXray { region: r } => ("AWS X-Ray".into(), region(r)),
            CollectorExporter::AwsEmf { region: r } => {
                ("CloudWatch metrics (EMF)".into(), region(r))
            }
            CollectorExporter::Zipkin { endpoint } => {
                ("Zipkin".into(), Some(without_credentials(endpoint)))
            }
            CollectorExporter::GoogleCloud { project } => (
                "Google Cloud".into(),
                Some(
                    project
                        .clone()
                        .unwrap_or_else(|| "project from the credentials".into()),
                ),
            ),
            CollectorExporter::Influxdb { endpoint, db, .. } => {
                let at = without_credentials(endpoint);
                let detail = match db {
                    Some(db) => format!("{at}, db {db}"),
                    None => at,
                };
                ("InfluxDB".into(), Some(detail))
            }
        },
        Route::Otlp { host, port, .. } => {
            let name = match legacy {
                "jaeger" => "Jaeger",
                "datadog" => "Datadog Agent",
                "ocagent" => "OTLP receiver (was the OpenCensus agent)",
                _ => "OTLP receiver",
            };
            (
                name.into(),
                Some(format!("{}:{port}", without_credentials(host))),
            )
        }
        Route::Prometheus { port } => ("Prometheus".into(), Some(format!("scrapes :{port}"))),
    }
}

/// `scheme://user:pass@host/path?query` -> `scheme://host/path`: a label
/// never carries a credential.
fn without_credentials(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let host = authority.rsplit('@').next().unwrap_or_default();
    match scheme {
        Some(scheme) => format!("{scheme}://{host}{path}"),
        None => format!("{host}{path}"),
    }
}

/// What the legacy block had that no longer has an effect: exporters that
/// never exported, and B3 propagation where it cannot be kept.
fn dropped(migration: &Migration) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in &migration.diagnostics {
        if d.fate.as_ref().is_none_or(|f| f.action != Action::Dropped) {
            continue;
        }
        let item = match d.code {
            Code::Logger | Code::UnknownExporter => {
                let name = d.pointer.rsplit('/').next().unwrap_or_default();
                format!("the {name} exporter")
            }
            Code::ExportersExtraConfig => "exporters.extra_config".to_string(),
            Code::B3Propagation => "B3 propagation".to_string(),
            _ => continue,
        };
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::migrate;
    use crate::migration::options::Options;
    use crate::syntax::source::Format;

    fn picture(json: &str) -> Picture {
        let m = migrate(json, Format::Json, "k.json", &Options::default(), None);
        Picture::of(&m).expect("a picture")
    }

    #[test]
    fn xray_goes_through_the_collector_after() {
        let p = picture(
            r#"{"version": 3, "extra_config": {"telemetry/opencensus": {"sample_rate": 100, "exporters": {"xray": {"region": "eu-west-1", "use_env": true}, "prometheus": {"port": 9091}, "logger": {}}}}}"#,
        );
        let line = |side: &Pipelines| -> Vec<String> {
            side.paths()
                .iter()
                .map(|path| {
                    path.iter()
                        .map(|(n, l)| format!("{}>{}", l.unwrap_or(""), n.label))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        assert_eq!(
            line(&p.before),
            [
                ">KrakenD traces>OpenCensus xray exporter traces>AWS X-Ray",
                ">KrakenD metrics>OpenCensus prometheus exporter scraped>Prometheus",
            ]
        );
        assert_eq!(
            line(&p.after),
            [
                ">KrakenD traces>OTLP exporter adot OTLP gRPC :4317>The ADOT collector (aws-otel-collector) traces>AWS X-Ray",
                ">KrakenD metrics>Prometheus exporter scraped>Prometheus",
            ]
        );
        assert!(
            p.dropped.contains(&"the logger exporter".to_string()),
            "{:?}",
            p.dropped
        );
    }

    #[test]
    fn labels_never_carry_credentials() {
        assert_eq!(
            without_credentials("http://user:pw@zipkin:9411/api/v2/spans?token=x"),
            "http://zipkin:9411/api/v2/spans"
        );
        assert_eq!(without_credentials("a:b@host:8086"), "host:8086");
        assert_eq!(without_credentials("host"), "host");
    }
}
