//! Reading a `telemetry/opentelemetry` block the way krakend-otel does.
//!
//! Keys are matched as [`crate::model::decode`] describes (the same rules
//! as for the legacy block). Unlike the legacy reader, nothing here becomes
//! a diagnostic: the first value of a wrong type, or two exporters with one
//! name, make KrakenD refuse the whole block and run without OpenTelemetry,
//! and that is all a caller needs to know ([`Refusal`]). `null` is Go's
//! "absent". Fields KrakenD reads but no part of oc2otel needs (attribute
//! and header lists) are only type-checked.

use super::{Backend, BackendSignal, Block, Exporters, Global, Layers, Otlp, Prometheus, Proxy};
use crate::model::decode::{self, go_float, go_int, type_mismatch};
use crate::syntax::tree::{Member, Node, NodeKind, Span, child_pointer};

/// Why KrakenD refuses a block, located.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub message: String,
    pub pointer: String,
    pub span: Span,
}

/// Where the exporter lists of a decoded block are written, as JSON
/// pointers with the keys as written (`Exporters` is read as `exporters`):
/// the place to append to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Where {
    pub exporters: Option<String>,
    pub otlp: Option<String>,
    pub prometheus: Option<String>,
}

/// A decoded block and where its exporter lists are.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub block: Block,
    pub at: Where,
}

const BLOCK_FIELDS: &[&str] = &[
    "service_name",
    "service_version",
    "deploy_env",
    "skip_paths",
    "metric_reporting_period",
    "trace_sample_rate",
    "layers",
    "exporters",
];

/// Decode the block `value`, found at `pointer`.
pub fn decode(value: &Node, pointer: &str) -> Result<Decoded, Refusal> {
    let Some(members) = value.members() else {
        return Err(Refusal {
            message: format!("the block must be an object, found {}", value.type_name()),
            pointer: pointer.to_string(),
            span: value.span.clone(),
        });
    };
    let mut go = Go::default();
    let mut at = Where::default();
    let extra = members
        .iter()
        .filter(|m| !BLOCK_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(&m.key)))
        .map(|m| (m.key.to_string(), m.value.to_json()))
        .collect();
    let block = Block {
        extra,
        deploy_env: go.string(value, pointer, "deploy_env"),
        skip_paths: go.strings(value, pointer, "skip_paths"),
        service_name: go.string(value, pointer, "service_name"),
        service_version: go.string(value, pointer, "service_version"),
        trace_sample_rate: go.float(value, pointer, "trace_sample_rate"),
        metric_reporting_period: go.int(value, pointer, "metric_reporting_period", false),
        layers: go.layers(value, pointer),
        exporters: go.exporters(value, pointer, &mut at),
    };
    if let Some(refusal) = go.refusal {
        return Err(refusal);
    }
    if let Some(name) = duplicate_name(&block) {
        let exporters = at.exporters.clone().unwrap_or_else(|| pointer.to_string());
        return Err(Refusal {
            message: format!(
                "two exporters are named `{name}`: KrakenD requires unique names and runs without OpenTelemetry"
            ),
            pointer: exporters,
            span: value.span.clone(),
        });
    }
    Ok(Decoded { block, at })
}

fn duplicate_name(block: &Block) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    block.names().find(|n| !seen.insert(*n)).map(str::to_string)
}

/// Typed reads of optional fields that remember the first type error.
#[derive(Default)]
struct Go {
    refusal: Option<Refusal>,
}

impl Go {
    fn refuse(&mut self, member: &Member, pointer: &str, expected: &str) {
        if self.refusal.is_none() {
            self.refusal = Some(Refusal {
                message: type_mismatch(&member.key, expected, &member.value),
                pointer: pointer.to_string(),
                span: member.span.clone(),
            });
        }
    }

    /// The member Go stores in `name` and its pointer, unless absent or
    /// null.
    fn member<'n>(&self, object: &'n Node, base: &str, name: &str) -> Option<(&'n Member, String)> {
        let member = decode::field(object, name)?;
        (member.value.kind != NodeKind::Null).then(|| (member, child_pointer(base, &member.key)))
    }

    fn string(&mut self, object: &Node, base: &str, name: &str) -> Option<String> {
        let (m, p) = self.member(object, base, name)?;
        match &m.value.kind {
            NodeKind::String(s) => Some(s.to_string()),
            _ => {
                self.refuse(m, &p, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, object: &Node, base: &str, name: &str) -> Option<bool> {
        let (m, p) = self.member(object, base, name)?;
        match m.value.kind {
            NodeKind::Bool(b) => Some(b),
            _ => {
                self.refuse(m, &p, "a boolean");
                None
            }
        }
    }

    fn int(&mut self, object: &Node, base: &str, name: &str, unsigned: bool) -> Option<i64> {
        let (m, p) = self.member(object, base, name)?;
        let expected = if unsigned {
            "a whole number >= 0"
        } else {
            "a whole number"
        };
        let value = match &m.value.kind {
            NodeKind::Number(raw) => go_int(raw).ok(),
            _ => None,
        };
        match value {
            Some(n) if !(unsigned && n < 0) => Some(n),
            _ => {
                self.refuse(m, &p, expected);
                None
            }
        }
    }

    fn float(&mut self, object: &Node, base: &str, name: &str) -> Option<f64> {
        let (m, p) = self.member(object, base, name)?;
        let value = match &m.value.kind {
            NodeKind::Number(raw) => go_float(raw),
            _ => None,
        };
        if value.is_none() {
            self.refuse(m, &p, "a number");
        }
        value
    }

    fn object<'n>(
        &mut self,
        object: &'n Node,
        base: &str,
        name: &str,
    ) -> Option<(&'n Node, String)> {
        let (m, p) = self.member(object, base, name)?;
        match m.value.kind {
            NodeKind::Object(_) => Some((&m.value, p)),
            _ => {
                self.refuse(m, &p, "an object");
                None
            }
        }
    }

    fn array<'n>(
        &mut self,
        object: &'n Node,
        base: &str,
        name: &str,
    ) -> Option<(&'n [Node], String)> {
        let (m, p) = self.member(object, base, name)?;
        match &m.value.kind {
            NodeKind::Array(items) => Some((items.as_slice(), p)),
            _ => {
                self.refuse(m, &p, "an array");
                None
            }
        }
    }

    /// Go `[]string`.
    fn strings(&mut self, object: &Node, base: &str, name: &str) -> Option<Vec<String>> {
        let (m, p) = self.member(object, base, name)?;
        let items = match &m.value.kind {
            NodeKind::Array(items) => items,
            _ => {
                self.refuse(m, &p, "an array of strings");
                return None;
            }
        };
        let strings: Option<Vec<String>> =
            items.iter().map(|i| i.as_str().map(String::from)).collect();
        if strings.is_none() {
            self.refuse(m, &p, "an array of strings");
        }
        strings
    }

    /// Fields read only for their type: a wrong one refuses the block.
    fn check(&mut self, object: &Node, base: &str, bools: &[&str], arrays: &[&str]) {
        for name in bools {
            self.boolean(object, base, name);
        }
        for name in arrays {
            self.array(object, base, name);
        }
    }

    fn layers(&mut self, block: &Node, pointer: &str) -> Option<Layers> {
        const ATTRIBUTES: &[&str] = &[
            "metrics_static_attributes",
            "traces_static_attributes",
            "skip_headers",
        ];
        let (layers, lp) = self.object(block, pointer, "layers")?;
        let global = self.object(layers, &lp, "global").map(|(g, gp)| {
            self.check(g, &gp, &[], ATTRIBUTES);
            Global {
                disable_metrics: self.boolean(g, &gp, "disable_metrics"),
                disable_traces: self.boolean(g, &gp, "disable_traces"),
                disable_propagation: self.boolean(g, &gp, "disable_propagation"),
                report_headers: self.boolean(g, &gp, "report_headers"),
                semantic_convention: self.string(g, &gp, "semantic_convention"),
            }
        });
        let proxy = self.object(layers, &lp, "proxy").map(|(o, op)| {
            self.check(o, &op, &[], ATTRIBUTES);
            Proxy {
                disable_metrics: self.boolean(o, &op, "disable_metrics"),
                disable_traces: self.boolean(o, &op, "disable_traces"),
                report_headers: self.boolean(o, &op, "report_headers"),
            }
        });
        let backend = self.object(layers, &lp, "backend").map(|(b, bp)| Backend {
            metrics: self.backend_signal(b, &bp, "metrics"),
            traces: self.backend_signal(b, &bp, "traces"),
        });
        Some(Layers {
            global,
            proxy,
            backend,
        })
    }

    fn backend_signal(&mut self, backend: &Node, base: &str, name: &str) -> Option<BackendSignal> {
        let (o, op) = self.object(backend, base, name)?;
        self.check(o, &op, &[], &["static_attributes", "skip_headers"]);
        Some(BackendSignal {
            disable_stage: self.boolean(o, &op, "disable_stage"),
            round_trip: self.boolean(o, &op, "round_trip"),
            read_payload: self.boolean(o, &op, "read_payload"),
            detailed_connection: self.boolean(o, &op, "detailed_connection"),
            report_headers: self.boolean(o, &op, "report_headers"),
        })
    }

    fn exporters(&mut self, block: &Node, pointer: &str, at: &mut Where) -> Option<Exporters> {
        let (exporters, ep) = self.object(block, pointer, "exporters")?;
        at.exporters = Some(ep.clone());
        let otlp = self.array(exporters, &ep, "otlp").map(|(items, lp)| {
            at.otlp = Some(lp.clone());
            self.entries(items, &lp, Go::otlp)
        });
        let prometheus = self.array(exporters, &ep, "prometheus").map(|(items, lp)| {
            at.prometheus = Some(lp.clone());
            self.entries(items, &lp, Go::prometheus)
        });
        Some(Exporters { otlp, prometheus })
    }

    /// The entries of an exporter list; a `null` element is skipped, any
    /// other non-object refuses the block.
    fn entries<T>(
        &mut self,
        items: &[Node],
        base: &str,
        read: fn(&mut Go, &Node, &str) -> T,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let pointer = child_pointer(base, &i.to_string());
            match item.kind {
                NodeKind::Object(_) => out.push(read(self, item, &pointer)),
                NodeKind::Null => {}
                _ => {
                    if self.refusal.is_none() {
                        self.refusal = Some(Refusal {
                            message: format!(
                                "an exporter must be an object, found {}",
                                item.type_name()
                            ),
                            pointer,
                            span: item.span.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    fn otlp(&mut self, item: &Node, p: &str) -> Otlp {
        Otlp {
            name: self.string(item, p, "name"),
            host: self.string(item, p, "host"),
            port: self.int(item, p, "port", false),
            use_http: self.boolean(item, p, "use_http"),
            disable_metrics: self.boolean(item, p, "disable_metrics"),
            disable_traces: self.boolean(item, p, "disable_traces"),
            custom_metric_reporting_period: self.int(
                item,
                p,
                "custom_metric_reporting_period",
                true,
            ),
            span: item.span.clone(),
        }
    }

    fn prometheus(&mut self, item: &Node, p: &str) -> Prometheus {
        // `listen_ip` is in KrakenD's schema; a wrong type there is refused
        // by the schema check KrakenD runs first.
        self.string(item, p, "listen_ip");
        Prometheus {
            name: self.string(item, p, "name"),
            host: self.string(item, p, "host"),
            port: self.int(item, p, "port", false),
            process_metrics: self.boolean(item, p, "process_metrics"),
            go_metrics: self.boolean(item, p, "go_metrics"),
            disable_metrics: self.boolean(item, p, "disable_metrics"),
            span: item.span.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    fn read(text: &str) -> Result<Decoded, Refusal> {
        decode(&json::parse(text).unwrap(), "/b")
    }

    #[test]
    fn keys_match_like_go() {
        let d = read(r#"{"Trace_Sample_Rate": 0.1, "TRACE_SAMPLE_RATE": 0.3, "trace_sample_rate": 0.5, "@c": 1,
            "Exporters": {"OTLP": [{"name": "a", "Port": 0}, null]}}"#)
        .unwrap();
        assert_eq!(d.block.trace_sample_rate, Some(0.5));
        assert_eq!(d.block.extra, [("@c".to_string(), serde_json::json!(1))]);
        assert_eq!(d.block.otlp()[0].port, Some(0));
        assert_eq!(d.block.otlp().len(), 1);
        assert_eq!(d.at.otlp.as_deref(), Some("/b/Exporters/OTLP"));
    }

    #[test]
    fn wrong_types_and_duplicate_names_are_refused() {
        let r = read(r#"{"trace_sample_rate": "0.5"}"#).unwrap_err();
        assert_eq!(r.pointer, "/b/trace_sample_rate");
        assert_eq!(
            r.message,
            "`trace_sample_rate` must be a number, found a string"
        );
        let r = read(r#"{"exporters": {"otlp": [{"name": "a", "port": 4317.5}]}}"#).unwrap_err();
        assert!(r.message.contains("whole number"), "{}", r.message);
        let r = read(r#"{"exporters": {"otlp": [{"custom_metric_reporting_period": -1}]}}"#)
            .unwrap_err();
        assert!(r.message.contains(">= 0"), "{}", r.message);
        let r = read(r#"{"exporters": {"otlp": [{"name": "a"}], "prometheus": [{"name": "a"}]}}"#)
            .unwrap_err();
        assert!(r.message.contains("`a`"));
        let r =
            read(r#"{"layers": {"backend": {"traces": {"static_attributes": {}}}}}"#).unwrap_err();
        assert_eq!(r.pointer, "/b/layers/backend/traces/static_attributes");
        assert!(read("[]").is_err() && read(r#"{"skip_paths": [1]}"#).is_err());
    }
}
