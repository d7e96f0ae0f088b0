//! The report of `oc2otel verify`: the effective behaviour of the legacy
//! config and of the migrated one side by side, their routes, the
//! differences (which fail the check) and the notes (inherent changes no
//! config could avoid); for people and as JSON.

use std::fmt::Write;

use serde::Serialize;

use super::text::{columns, wrap};
use crate::migration::behaviour::compare::Finding;
use crate::migration::behaviour::{Behaviour, Route, Signal};

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side<'a> {
    pub path: &'a str,
    /// JSON pointer of the telemetry block, when there is one.
    pub block: Option<String>,
    pub behaviour: &'a Behaviour,
}

/// Everything `verify` reports.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    pub legacy: Side<'a>,
    pub new: Side<'a>,
    /// The collector config followed, if any.
    pub collector: Option<&'a str>,
    pub findings: &'a [Finding],
    /// Advice about the inputs (a collector config that was not used, ...).
    pub hints: &'a [String],
}

impl Report<'_> {
    pub fn differences(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.inherent)
    }

    pub fn notes(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.inherent)
    }

    /// Same behaviour, inherent changes aside.
    pub fn equivalent(&self) -> bool {
        self.differences().next().is_none()
    }
}

fn service_names(b: &Behaviour) -> String {
    if b.service_names.is_empty() {
        return "-".into();
    }
    b.service_names
        .iter()
        .map(|n| format!("{:?} ({})", n.value, n.source))
        .collect::<Vec<_>>()
        .join(", ")
}

fn route_line(r: &Route) -> String {
    match (r.signal, r.period) {
        (Signal::Metrics, Some(p)) => format!("{}, every {p} s", r.describe()),
        _ => r.describe(),
    }
}

/// The human report. `quiet`: only the differences and the verdict.
pub fn human(report: &Report, width: usize, color: bool, quiet: bool) -> String {
    let paint = |code: &str, t: &str| {
        if color {
            format!("\u{1b}[{code}m{t}\u{1b}[0m")
        } else {
            t.to_string()
        }
    };
    let bold = |t: &str| paint("1", t);
    let mut out = String::new();
    let (l, n) = (report.legacy.behaviour, report.new.behaviour);
    if !quiet {
        for (label, side) in [("LEGACY", &report.legacy), ("NEW", &report.new)] {
            let block = side.block.as_deref().map_or_else(
                || "no telemetry block".to_string(),
                |b| format!("block {b}"),
            );
            let _ = writeln!(
                out,
                "{} {}: {block}",
                bold(&format!("{label:<6}")),
                side.path
            );
        }
        let collector = report
            .collector
            .map_or_else(|| "none".to_string(), str::to_string);
        let _ = writeln!(out, "{} {collector}", bold("collector"));
        out.push('\n');

        let label_w = 19;
        let value_w = (width.saturating_sub(label_w + 6) / 2).max(20);
        let widths = [label_w, value_w, value_w];
        let running = |b: &Behaviour| match &b.inactive {
            None => "yes".to_string(),
            Some(why) => format!("no: {why}"),
        };
        let layer = |b: &Behaviour, s: crate::migration::behaviour::LayerSignals| {
            if b.active() {
                s.to_string()
            } else {
                "-".into()
            }
        };
        let version = |b: &Behaviour| {
            b.service_version
                .as_ref()
                .map_or_else(|| "-".to_string(), ToString::to_string)
        };
        let mut rows = vec![
            vec![
                String::new(),
                "LEGACY (OpenCensus)".to_string(),
                "NEW (OpenTelemetry)".to_string(),
            ],
            vec!["runs".into(), running(l), running(n)],
            vec![
                "sampling".into(),
                l.sampling.to_string(),
                n.sampling.to_string(),
            ],
        ];
        for ((name, a), (_, b)) in l.layers.named().into_iter().zip(n.layers.named()) {
            rows.push(vec![format!("{name} layer"), layer(l, a), layer(n, b)]);
        }
        rows.push(vec![
            "service name".into(),
            service_names(l),
            service_names(n),
        ]);
        rows.push(vec!["service version".into(), version(l), version(n)]);
        rows.push(vec![
            "propagation".into(),
            l.propagation.unwrap_or("-").into(),
            n.propagation.unwrap_or("-").into(),
        ]);
        // Laid out on plain text, then the header line is made bold.
        let table = columns(&rows, &widths, "");
        let (header, body) = table.split_once('\n').unwrap_or((&table, ""));
        let _ = writeln!(out, "{}", bold(header));
        out.push_str(body);

        for (label, b, is_legacy) in [("LEGACY", l, true), ("NEW", n, false)] {
            let _ = writeln!(out, "\n{}", bold(&format!("{label} routes")));
            if b.routes.is_empty() {
                out.push_str("  none\n");
            }
            for r in &b.routes {
                let _ = writeln!(out, "  {}", route_line(r));
                for line in wrap(&format!("via {}", r.via), width.saturating_sub(6)) {
                    let _ = writeln!(out, "      {line}");
                }
            }
            // The new side's problems are differences, listed below; the
            // legacy side's say what it never did.
            if is_legacy {
                for p in &b.problems {
                    list_item(&mut out, &format!("not exported: {p}"), width);
                }
            }
        }
        if !report.hints.is_empty() {
            let _ = writeln!(out, "\n{}", bold("hints"));
            for h in report.hints {
                list_item(&mut out, h, width);
            }
        }
    }
    let differences: Vec<&Finding> = report.differences().collect();
    if !differences.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            bold(&format!("differences ({})", differences.len()))
        );
        for f in &differences {
            list_item(&mut out, &f.message, width);
        }
    }
    let notes: Vec<&Finding> = report.notes().collect();
    if !notes.is_empty() && !quiet {
        let _ = writeln!(
            out,
            "\n{}",
            bold(&format!(
                "notes: inherent to any migration ({})",
                notes.len()
            ))
        );
        for f in &notes {
            list_item(&mut out, &f.message, width);
        }
    }
    let verdict = if report.equivalent() {
        paint("32", "same behaviour: NEW does what LEGACY did")
    } else {
        paint(
            "31",
            &format!(
                "NEW does not do what LEGACY did: {} difference{}",
                differences.len(),
                if differences.len() == 1 { "" } else { "s" }
            ),
        )
    };
    let _ = writeln!(out, "\n{verdict}");
    out
}

fn list_item(out: &mut String, text: &str, width: usize) {
    for (i, line) in wrap(text, width.saturating_sub(4)).into_iter().enumerate() {
        let _ = writeln!(out, "{}{line}", if i == 0 { "  - " } else { "    " });
    }
}

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    equivalent: bool,
    legacy: &'a Side<'a>,
    new: &'a Side<'a>,
    collector: Option<&'a str>,
    differences: Vec<&'a Finding>,
    notes: Vec<&'a Finding>,
    hints: &'a [String],
}

/// The JSON report (one document, final newline); shape in `docs/cli.md`.
pub fn json(report: &Report) -> String {
    let doc = Json {
        version: 1,
        equivalent: report.equivalent(),
        legacy: &report.legacy,
        new: &report.new,
        collector: report.collector,
        differences: report.differences().collect(),
        notes: report.notes().collect(),
        hints: report.hints,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("a report serialises");
    out.push('\n');
    out
}
