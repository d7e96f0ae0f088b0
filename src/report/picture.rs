//! The before/after picture of a migration
//! ([`crate::migration::picture`]) drawn two ways: as a Mermaid flowchart
//! for the markdown report (GitHub renders it in pull-request comments and
//! step summaries), and as lines of text for `explain` in a terminal.
//!
//! Labels are user data (hosts, names, regions). In Mermaid every
//! character that could end a label or start markup is written as an
//! entity code (`#34;`), so a hostile name can neither break the diagram
//! nor inject a link; node ids are the picture's own (`b_n0`), never user
//! text.

use std::fmt::Write as _;

use super::shown;
use crate::migration::picture::{NodeKind, Picture, Pipelines};

/// `text` as the inside of a quoted Mermaid label: letters, digits and a
/// few harmless marks as they are, everything else as `#<code>;`.
pub fn mermaid_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, ' ' | '.' | ',' | ':' | '/' | '_' | '-' | '(' | ')') {
            if c.is_control() {
                let _ = write!(out, "#{};", u32::from(c));
            } else {
                out.push(c);
            }
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

fn node_text(label: &str, detail: Option<&str>) -> String {
    match detail {
        Some(detail) => format!("{}<br/>{}", mermaid_label(label), mermaid_label(detail)),
        None => mermaid_label(label),
    }
}

fn side(out: &mut String, prefix: &str, title: &str, side: &Pipelines) {
    let _ = writeln!(out, "  subgraph {prefix}[\"{}\"]", mermaid_label(title));
    out.push_str("    direction LR\n");
    for node in &side.nodes {
        let text = node_text(&node.label, node.detail.as_deref());
        let id = format!("{prefix}_{}", node.id);
        let _ = match node.kind {
            NodeKind::Krakend => writeln!(out, "    {id}([\"{text}\"])"),
            NodeKind::Exporter => writeln!(out, "    {id}[\"{text}\"]"),
            NodeKind::Collector => writeln!(out, "    {id}[[\"{text}\"]]"),
            NodeKind::Backend => writeln!(out, "    {id}[(\"{text}\")]"),
        };
    }
    for edge in &side.edges {
        let _ = writeln!(
            out,
            "    {prefix}_{} -->|\"{}\"| {prefix}_{}",
            edge.from,
            mermaid_label(&edge.label),
            edge.to
        );
    }
    if side.nodes.len() <= 1 {
        let _ = writeln!(
            out,
            "    {prefix}_none[\"{}\"]",
            mermaid_label("nothing exported")
        );
    }
    out.push_str("  end\n");
}

/// The picture as a Mermaid flowchart (without the code fence).
pub fn mermaid(picture: &Picture) -> String {
    let mut out = String::from("flowchart LR\n");
    side(&mut out, "before", "before: OpenCensus", &picture.before);
    side(&mut out, "after", "after: OpenTelemetry", &picture.after);
    if !picture.dropped.is_empty() {
        let text = format!("dropped: {}", picture.dropped.join("; "));
        let _ = writeln!(out, "  dropped[\"{}\"]:::dropped", mermaid_label(&text));
        out.push_str("  before ~~~ dropped\n");
        out.push_str("  classDef dropped stroke-dasharray: 5 5\n");
    }
    out.push_str("  before ==> after\n");
    out
}

fn text_side(out: &mut String, title: &str, side: &Pipelines) {
    let _ = writeln!(out, "  {title}");
    let paths = side.paths();
    if paths.iter().all(|p| p.len() <= 1) {
        out.push_str("    nothing exported\n");
        return;
    }
    for path in paths {
        let mut line = String::from("    ");
        for (node, edge) in path {
            if let Some(edge) = edge {
                let _ = write!(line, " --{}--> ", shown(edge));
            }
            line.push_str(&shown(&node.label));
            if let Some(detail) = &node.detail
                && node.kind != NodeKind::Krakend
            {
                let _ = write!(line, " ({})", shown(detail));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
}

/// The picture as text for a terminal: one line per path from KrakenD to
/// a backend, before and after, then what was dropped.
pub fn text(picture: &Picture) -> String {
    let mut out = String::new();
    text_side(&mut out, "before (OpenCensus)", &picture.before);
    text_side(&mut out, "after (OpenTelemetry)", &picture.after);
    if !picture.dropped.is_empty() {
        let dropped: Vec<String> = picture
            .dropped
            .iter()
            .map(|d| shown(d).into_owned())
            .collect();
        let _ = writeln!(out, "  dropped: {}", dropped.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::picture::{Edge, Node};

    fn hostile() -> Picture {
        let node = |id: &str, kind, label: &str| Node {
            id: id.into(),
            kind,
            label: label.into(),
            detail: Some("a\"]|b[`<script>`\n".into()),
        };
        let side = Pipelines {
            nodes: vec![
                node("n0", NodeKind::Krakend, "KrakenD"),
                node("n1", NodeKind::Backend, "x\"] --> y[\"z |a| ```"),
            ],
            edges: vec![Edge {
                from: "n0".into(),
                to: "n1".into(),
                label: "traces|\"]".into(),
            }],
        };
        Picture {
            before: side.clone(),
            after: side,
            dropped: vec!["the \"evil\" exporter".into()],
        }
    }

    #[test]
    fn hostile_labels_cannot_leave_their_quotes() {
        let chart = mermaid(&hostile());
        for line in chart.lines() {
            // Every quote the chart has is one of its own: two per label.
            assert_eq!(line.matches('"').count() % 2, 0, "{line}");
            assert!(!line.contains('`') && !line.contains("<script"), "{line}");
        }
        assert!(chart.contains("#34;"), "{chart}");
        assert!(mermaid_label("a|b[c]").contains("#124;"));
        let text = text(&hostile());
        assert!(!text.contains('\n') || text.lines().count() >= 3);
        assert!(!text.contains("\n\"]"), "{text}");
    }
}
