//! What reached a sink, normalised for comparison: OTLP/JSON export
//! requests (from the collector's `otlphttp` exporter with `encoding:
//! json`) read into traces, each with its service, version and the layers
//! that made spans; and the trace headers the fake backend received.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::sink::Request;

/// One trace, normalised.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Trace {
    pub service: String,
    pub version: Option<String>,
    /// router, pipe, backend, client: by the `oracle.layer` attribute the
    /// gateway stand-in sets, else `client` for client-kind spans.
    pub layers: BTreeSet<String>,
    /// Span names by layer.
    pub names: BTreeSet<String>,
}

fn attribute<'a>(attributes: &'a Value, key: &str) -> Option<&'a str> {
    attributes.as_array()?.iter().find(|a| a["key"] == key)?["value"]["stringValue"].as_str()
}

/// Traces by trace id, from OTLP/JSON trace export requests.
pub fn traces(requests: &[Request]) -> BTreeMap<String, Trace> {
    let mut traces: BTreeMap<String, Trace> = BTreeMap::new();
    for request in requests {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            continue;
        };
        for rs in body["resourceSpans"].as_array().into_iter().flatten() {
            let resource = &rs["resource"]["attributes"];
            let service = attribute(resource, "service.name")
                .unwrap_or("")
                .to_string();
            let version = attribute(resource, "service.version").map(str::to_string);
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for span in ss["spans"].as_array().into_iter().flatten() {
                    let id = span["traceId"].as_str().unwrap_or("").to_string();
                    let client = matches!(span["kind"].as_i64(), Some(3))
                        || span["kind"] == "SPAN_KIND_CLIENT";
                    let layer = attribute(&span["attributes"], "oracle.layer")
                        .map(str::to_string)
                        .or_else(|| client.then(|| "client".to_string()))
                        .unwrap_or_else(|| "other".to_string());
                    let trace = traces.entry(id).or_insert_with(|| Trace {
                        service: service.clone(),
                        version: version.clone(),
                        layers: BTreeSet::new(),
                        names: BTreeSet::new(),
                    });
                    trace
                        .names
                        .insert(format!("{layer}: {}", span["name"].as_str().unwrap_or("")));
                    trace.layers.insert(layer);
                }
            }
        }
    }
    traces
}

/// Data point names of OTLP/JSON metric export requests.
pub fn metric_names(requests: &[Request]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for request in requests {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            continue;
        };
        for rm in body["resourceMetrics"].as_array().into_iter().flatten() {
            for sm in rm["scopeMetrics"].as_array().into_iter().flatten() {
                for m in sm["metrics"].as_array().into_iter().flatten() {
                    if let Some(name) = m["name"].as_str() {
                        names.insert(name.to_string());
                    }
                }
            }
        }
    }
    names
}

/// The trace context a backend request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    None,
    /// B3 multi headers, with X-B3-Sampled.
    B3 {
        sampled: bool,
    },
    /// W3C traceparent, with its sampled flag.
    W3c {
        sampled: bool,
    },
}

impl Context {
    pub fn of(request: &Request) -> Context {
        if request.header("x-b3-traceid").is_some() {
            let sampled = request.header("x-b3-sampled") == Some("1");
            return Context::B3 { sampled };
        }
        if let Some(tp) = request.header("traceparent") {
            let sampled = tp.rsplit('-').next().is_some_and(|flags| flags == "01");
            return Context::W3c { sampled };
        }
        Context::None
    }

    pub fn sampled(self) -> Option<bool> {
        match self {
            Context::None => None,
            Context::B3 { sampled } | Context::W3c { sampled } => Some(sampled),
        }
    }

    /// The header family, without the decision.
    pub fn family(self) -> &'static str {
        match self {
            Context::None => "none",
            Context::B3 { .. } => "b3",
            Context::W3c { .. } => "w3c",
        }
    }
}
