//! The report of `oc2otel verify`: the effective behaviour of the legacy
//! config and of the migrated one side by side, their routes, the
//! differences (which fail the check) and the notes (inherent changes no
//! config could avoid); for people and as JSON.

use std::fmt::Write as _;
use std::io;

use serde::Serialize;

use super::text::{self, columns, wrap};
use super::{Reporter, Streams, Style, Verbosity, human, shown};
use crate::migration::behaviour::compare::Finding;
use crate::migration::behaviour::{Behaviour, Route, Signal};
use crate::workspace::ops::verify::{BadInput, Comparison, Side, Verified};

/// `verify` for people: both behaviours side by side, their routes, the
/// differences and the notes; `-q`: only the differences and the verdict.
pub struct VerifyHuman {
    style: Style,
    width: usize,
}

impl VerifyHuman {
    pub fn new(style: Style) -> VerifyHuman {
        VerifyHuman {
            style,
            width: text::width(),
        }
    }
}

impl Reporter<Verified> for VerifyHuman {
    fn file(&mut self, verified: &Verified, out: &mut Streams<'_>) -> io::Result<()> {
        match verified {
            Verified::Compared(comparison) => {
                let quiet = self.style.verbosity == Verbosity::Quiet;
                let text = human_report(comparison, self.width, self.style.stdout_color, quiet);
                out.stdout.write_all(text.as_bytes())
            }
            Verified::BadInput(bad) => bad_input(bad, self.style, out),
        }
    }

    fn finish(&mut self, _summary: &(), _out: &mut Streams<'_>) -> io::Result<()> {
        Ok(())
    }
}

/// `verify --format json`: both behaviours and the differences as one
/// document (shape in `docs/cli.md`); an input that stops the check is
/// reported on stderr as for people.
pub struct VerifyJson {
    style: Style,
}

impl VerifyJson {
    pub fn new(style: Style) -> VerifyJson {
        VerifyJson { style }
    }
}

impl Reporter<Verified> for VerifyJson {
    fn file(&mut self, verified: &Verified, out: &mut Streams<'_>) -> io::Result<()> {
        match verified {
            Verified::Compared(comparison) => out.stdout.write_all(json(comparison)?.as_bytes()),
            Verified::BadInput(bad) => bad_input(bad, self.style, out),
        }
    }

    fn finish(&mut self, _summary: &(), _out: &mut Streams<'_>) -> io::Result<()> {
        Ok(())
    }
}

/// An input that stopped the check, with its snippets, on stderr.
fn bad_input(bad: &BadInput, style: Style, out: &mut Streams<'_>) -> io::Result<()> {
    let text = human::diagnostics(
        &bad.path,
        &bad.diagnostics,
        bad.source.as_ref(),
        Verbosity::Normal,
        style.stderr_color,
    );
    out.stderr.write_all(text.as_bytes())
}

fn service_names(b: &Behaviour) -> String {
    if b.service_names.is_empty() {
        return "-".into();
    }
    b.service_names
        .iter()
        .map(|n| format!("{:?} ({})", n.value, shown(&n.source)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn route_line(r: &Route) -> String {
    let route = shown(&r.describe()).into_owned();
    match (r.signal, r.period) {
        (Signal::Metrics, Some(p)) => format!("{route}, every {p} s"),
        _ => route,
    }
}

/// `text` in the ANSI style `code`, when `color`.
fn paint(code: &str, text: &str, color: bool) -> String {
    if color {
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}

/// The human report. `quiet`: only the differences and the verdict.
fn human_report(report: &Comparison, width: usize, color: bool, quiet: bool) -> String {
    let bold = |t: &str| paint("1", t, color);
    let mut out = String::new();
    if !quiet {
        inputs(&mut out, report, color);
        behaviours(&mut out, report, width, color);
        routes(&mut out, report, width, color);
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
        paint("32", "same behaviour: NEW does what LEGACY did", color)
    } else {
        let count = differences.len();
        let plural = if count == 1 { "" } else { "s" };
        let text = format!("NEW does not do what LEGACY did: {count} difference{plural}");
        paint("31", &text, color)
    };
    let _ = writeln!(out, "\n{verdict}");
    out
}

/// Which files and blocks were compared.
fn inputs(out: &mut String, report: &Comparison, color: bool) {
    let bold = |t: &str| paint("1", t, color);
    for (label, side) in [("LEGACY", &report.legacy), ("NEW", &report.new)] {
        let block = side.block.as_deref().map_or_else(
            || "no telemetry block".to_string(),
            |b| format!("block {}", shown(b)),
        );
        let _ = writeln!(
            out,
            "{} {}: {block}",
            bold(&format!("{label:<6}")),
            shown(&side.path)
        );
    }
    let collector = shown(report.collector.as_deref().unwrap_or("none"));
    let _ = writeln!(out, "{} {collector}", bold("collector"));
    out.push('\n');
}

/// Both behaviours side by side, a row per aspect.
fn behaviours(out: &mut String, report: &Comparison, width: usize, color: bool) {
    let (l, n) = (&report.legacy.behaviour, &report.new.behaviour);
    let label_w = 19;
    let value_w = (width.saturating_sub(label_w + 6) / 2).max(20);
    let widths = [label_w, value_w, value_w];
    let running = |b: &Behaviour| match &b.inactive {
        None => "yes".to_string(),
        Some(why) => format!("no: {}", shown(why)),
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
            .map_or_else(|| "-".to_string(), |v| shown(&v.to_string()).into_owned())
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
    let _ = writeln!(out, "{}", paint("1", header, color));
    out.push_str(body);
}

/// Where each side's signals go, and the hints about the inputs.
fn routes(out: &mut String, report: &Comparison, width: usize, color: bool) {
    let bold = |t: &str| paint("1", t, color);
    let sides = [
        ("LEGACY", &report.legacy.behaviour, true),
        ("NEW", &report.new.behaviour, false),
    ];
    for (label, b, is_legacy) in sides {
        let _ = writeln!(out, "\n{}", bold(&format!("{label} routes")));
        if b.routes.is_empty() {
            out.push_str("  none\n");
        }
        for r in &b.routes {
            let _ = writeln!(out, "  {}", route_line(r));
            for line in wrap(&format!("via {}", shown(&r.via)), width.saturating_sub(6)) {
                let _ = writeln!(out, "      {line}");
            }
        }
        // The new side's problems are differences, listed below; the
        // legacy side's say what it never did.
        if is_legacy {
            for p in &b.problems {
                list_item(out, &format!("not exported: {p}"), width);
            }
        }
    }
    if !report.hints.is_empty() {
        let _ = writeln!(out, "\n{}", bold("hints"));
        for h in &report.hints {
            list_item(out, h, width);
        }
    }
}

fn list_item(out: &mut String, text: &str, width: usize) {
    for (i, line) in wrap(&shown(text), width.saturating_sub(4))
        .into_iter()
        .enumerate()
    {
        let _ = writeln!(out, "{}{line}", if i == 0 { "  - " } else { "    " });
    }
}

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    equivalent: bool,
    legacy: &'a Side,
    new: &'a Side,
    collector: Option<&'a str>,
    differences: Vec<&'a Finding>,
    notes: Vec<&'a Finding>,
    hints: &'a [String],
}

/// The JSON report (one document, final newline).
fn json(report: &Comparison) -> io::Result<String> {
    let doc = Json {
        version: 1,
        equivalent: report.equivalent(),
        legacy: &report.legacy,
        new: &report.new,
        collector: report.collector.as_deref(),
        differences: report.differences().collect(),
        notes: report.notes().collect(),
        hints: &report.hints,
    };
    let mut out = super::json_text(serde_json::to_string_pretty(&doc).map_err(io::Error::other)?);
    out.push('\n');
    Ok(out)
}
