//! The before/after picture of a migration
//! ([`crate::migration::picture`]) drawn as a standalone SVG: the same
//! picture as the markdown report's Mermaid flowchart (KrakenD -> exporter
//! -> collector -> backend, edges labelled with what flows, what was
//! dropped), for the playground page, which must not load Mermaid (no
//! network, and a 3 MB bundle for one picture).
//!
//! The layout is computed here, without measuring text: each node's
//! column is its distance from KrakenD, widths come from a generous
//! estimate of the characters' widths, and long labels wrap. Styling is
//! in presentation attributes, not a `<style>` element, so that a page
//! whose Content-Security-Policy forbids inline styles still draws it.
//!
//! Labels are user data (hosts, names, regions) and never hold a
//! credential (the picture leaves them out); every text is escaped for
//! XML, and control characters, which XML cannot carry, are written as
//! `\u{..}` escapes as in every other report ([`super::shown`]).

use std::fmt::Write as _;

use super::shown;
use crate::migration::picture::{Node, NodeKind, Picture, Pipelines};

/// Font size of labels, and the width estimate of one character at that
/// size (a little over the average of a sans-serif font, so that text
/// fits rather than spills).
const FONT: f64 = 12.0;
const CHAR_WIDTH: f64 = 6.6;
const LINE_HEIGHT: f64 = 15.0;
/// A label line longer than this wraps.
const WRAP: usize = 24;
const NODE_PAD_X: f64 = 11.0;
const NODE_PAD_Y: f64 = 9.0;
const MIN_NODE_WIDTH: f64 = 90.0;
const ROW_GAP: f64 = 22.0;
const PANEL_PAD: f64 = 18.0;
const TITLE_HEIGHT: f64 = 30.0;
/// Room between the two panels for the arrow from before to after.
const BETWEEN: f64 = 48.0;
const FONT_FAMILY: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// `text` safe inside an XML element or a quoted attribute.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in shown(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Not allowed in XML 1.0 even as a reference.
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A label's lines, each at most [`WRAP`] characters, broken after a
/// space, a slash or a comma where one is near.
fn wrap(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest: Vec<char> = shown(text).chars().collect();
    while rest.len() > WRAP {
        // After a space if there is one late enough, else after a mark
        // that separates parts of a name, else anywhere.
        let window = &rest[WRAP / 2..WRAP];
        let cut = window
            .iter()
            .rposition(|c| *c == ' ')
            .or_else(|| {
                window
                    .iter()
                    .rposition(|c| matches!(c, '/' | ',' | '-' | '.'))
            })
            .map_or(WRAP, |i| WRAP / 2 + i + 1);
        let line: String = rest.drain(..cut).collect();
        lines.push(line.trim_end().to_string());
    }
    let last: String = rest.into_iter().collect();
    if !last.is_empty() || lines.is_empty() {
        lines.push(last);
    }
    lines
}

fn text_width(lines: &[String]) -> f64 {
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    longest as f64 * CHAR_WIDTH
}

/// A node placed on the canvas, relative to its panel.
struct Placed<'a> {
    node: &'a Node,
    lines: Vec<String>,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

/// One side laid out: its nodes placed, its size, and how far down the
/// picture it starts.
struct Layout<'a> {
    nodes: Vec<Placed<'a>>,
    width: f64,
    height: f64,
    top: f64,
}

impl Layout<'_> {
    /// Moved down by `dy` (to centre the shorter side on the taller).
    fn down(mut self, dy: f64) -> Self {
        for node in &mut self.nodes {
            node.y += dy;
        }
        self.top += dy;
        self
    }
}

/// Each node's column: its longest distance from a node no edge enters
/// (KrakenD). Bounded by the number of nodes, so a cycle (which a picture
/// never has) cannot loop forever.
fn ranks(side: &Pipelines) -> Vec<usize> {
    let index = |id: &str| side.nodes.iter().position(|n| n.id == id);
    let mut rank = vec![0usize; side.nodes.len()];
    for _ in 0..side.nodes.len() {
        let mut changed = false;
        for edge in &side.edges {
            if let (Some(from), Some(to)) = (index(&edge.from), index(&edge.to))
                && rank[to] < rank[from] + 1
                && rank[from] < side.nodes.len()
            {
                rank[to] = rank[from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    rank
}

fn layout(side: &Pipelines) -> Layout<'_> {
    let rank = ranks(side);
    let columns = rank.iter().max().map_or(0, |r| r + 1);
    let mut placed: Vec<Placed<'_>> = side
        .nodes
        .iter()
        .map(|node| {
            let mut lines = wrap(&node.label);
            if let Some(detail) = &node.detail {
                lines.extend(wrap(detail));
            }
            let width = (text_width(&lines) + 2.0 * NODE_PAD_X).max(MIN_NODE_WIDTH);
            let height = lines.len() as f64 * LINE_HEIGHT + 2.0 * NODE_PAD_Y;
            Placed {
                node,
                lines,
                x: 0.0,
                y: 0.0,
                width,
                height,
            }
        })
        .collect();
    // Columns are as wide as their widest node, with room before each for
    // the labels of the edges that enter it.
    let mut x = PANEL_PAD;
    let mut column_x = Vec::with_capacity(columns);
    for column in 0..columns {
        let entering = side
            .edges
            .iter()
            .filter(|e| {
                let to = side.nodes.iter().position(|n| n.id == e.to);
                to.is_some_and(|t| rank[t] == column)
            })
            .map(|e| e.label.chars().count().min(WRAP) as f64 * CHAR_WIDTH)
            .fold(0.0, f64::max);
        if column > 0 {
            x += (entering + 22.0).max(50.0);
        }
        column_x.push(x);
        let widest = placed
            .iter()
            .zip(&rank)
            .filter(|(_, r)| **r == column)
            .map(|(p, _)| p.width)
            .fold(0.0, f64::max);
        x += widest;
    }
    let heights: Vec<f64> = (0..columns)
        .map(|column| {
            let members: Vec<f64> = placed
                .iter()
                .zip(&rank)
                .filter(|(_, r)| **r == column)
                .map(|(p, _)| p.height)
                .collect();
            members.iter().sum::<f64>() + ROW_GAP * members.len().saturating_sub(1) as f64
        })
        .collect();
    let tallest = heights.iter().copied().fold(0.0, f64::max);
    for column in 0..columns {
        // Centred in the tallest column; nodes in the order they were
        // drawn, which follows the destinations' order on both sides.
        let mut y = TITLE_HEIGHT + PANEL_PAD + (tallest - heights[column]) / 2.0;
        for (p, _) in placed.iter_mut().zip(&rank).filter(|(_, r)| **r == column) {
            p.x = column_x[column];
            p.y = y;
            y += p.height + ROW_GAP;
        }
    }
    // A side with KrakenD alone gets room for "nothing exported".
    let room = if side.nodes.len() <= 1 { 130.0 } else { 0.0 };
    Layout {
        nodes: placed,
        width: x + PANEL_PAD + room,
        height: TITLE_HEIGHT + 2.0 * PANEL_PAD + tallest,
        top: 0.0,
    }
}

/// The shape of a node, as Mermaid draws it in the markdown report:
/// KrakenD rounded, an exporter square, the collector with side bars, a
/// backend a cylinder.
fn shape(out: &mut String, p: &Placed<'_>, dx: f64) {
    let (x, y, w, h) = (dx + p.x, p.y, p.width, p.height);
    let paint = r##"fill="#f4f7fb" stroke="#44546a" stroke-width="1.3""##;
    let _ = match p.node.kind {
        NodeKind::Krakend => writeln!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="{:.1}" {paint}/>"#,
            h / 2.0
        ),
        NodeKind::Exporter => writeln!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="3" {paint}/>"#
        ),
        NodeKind::Collector => writeln!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" {paint}/><path d="M{:.1} {y:.1}v{h:.1}M{:.1} {y:.1}v{h:.1}" stroke="#44546a" stroke-width="1.3"/>"##,
            x + 6.0,
            x + w - 6.0
        ),
        NodeKind::Backend => {
            let e = 6.0;
            writeln!(
                out,
                r#"<path d="M{x:.1} {:.1}a{:.1} {e} 0 0 0 {w:.1} 0a{:.1} {e} 0 0 0 {:.1} 0v{:.1}a{:.1} {e} 0 0 0 {w:.1} 0v{:.1}" {paint}/>"#,
                y + e,
                w / 2.0,
                w / 2.0,
                -w,
                h - 2.0 * e,
                w / 2.0,
                -(h - 2.0 * e)
            )
        }
    };
}

fn node(out: &mut String, p: &Placed<'_>, dx: f64) {
    let kind = match p.node.kind {
        NodeKind::Krakend => "krakend",
        NodeKind::Exporter => "exporter",
        NodeKind::Collector => "collector",
        NodeKind::Backend => "backend",
    };
    let _ = writeln!(out, r#"<g class="node {kind}">"#);
    shape(out, p, dx);
    let label_lines = wrap(&p.node.label).len();
    let top = p.y + NODE_PAD_Y + LINE_HEIGHT - 3.0;
    for (i, line) in p.lines.iter().enumerate() {
        // The detail (a region, a host) is lighter than the name.
        let color = if i < label_lines {
            "#1b2733"
        } else {
            "#5a6b7e"
        };
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{color}">{}</text>"#,
            dx + p.x + p.width / 2.0,
            top + i as f64 * LINE_HEIGHT,
            xml_escape(line)
        );
    }
    out.push_str("</g>\n");
}

fn edges(out: &mut String, side: &Pipelines, layout: &Layout<'_>, dx: f64) {
    let find = |id: &str| layout.nodes.iter().find(|p| p.node.id == id);
    for edge in &side.edges {
        let (Some(from), Some(to)) = (find(&edge.from), find(&edge.to)) else {
            continue;
        };
        let (x1, y1) = (dx + from.x + from.width, from.y + from.height / 2.0);
        let (x2, y2) = (dx + to.x - 2.0, to.y + to.height / 2.0);
        let mid = (x1 + x2) / 2.0;
        let _ = writeln!(
            out,
            r##"<path class="edge" d="M{x1:.1} {y1:.1}C{mid:.1} {y1:.1} {mid:.1} {y2:.1} {x2:.1} {y2:.1}" fill="none" stroke="#44546a" stroke-width="1.3" marker-end="url(#oc2otel-arrow)"/>"##
        );
        let label = wrap(&edge.label);
        let width = text_width(&label) + 8.0;
        let height = label.len() as f64 * LINE_HEIGHT + 2.0;
        let cy = (y1 + y2) / 2.0;
        let _ = writeln!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="{width:.1}" height="{height:.1}" rx="3" fill="white" fill-opacity="0.9"/>"#,
            mid - width / 2.0,
            cy - height / 2.0
        );
        for (i, line) in label.iter().enumerate() {
            let _ = writeln!(
                out,
                r##"<text class="edge-label" x="{mid:.1}" y="{:.1}" text-anchor="middle" fill="#2d5f8a" font-size="11">{}</text>"##,
                cy - height / 2.0 + LINE_HEIGHT * (i as f64 + 1.0) - 3.0,
                xml_escape(line)
            );
        }
    }
}

fn panel(out: &mut String, title: &str, side: &Pipelines, layout: &Layout<'_>, dx: f64) {
    let _ = writeln!(
        out,
        r##"<g class="side"><rect x="{dx:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="#fbfcfe" stroke="#c7d0db"/>"##,
        layout.top, layout.width, layout.height
    );
    let _ = writeln!(
        out,
        r##"<text x="{:.1}" y="{:.1}" font-weight="600" fill="#1b2733">{}</text>"##,
        dx + PANEL_PAD,
        layout.top + 21.0,
        xml_escape(title)
    );
    edges(out, side, layout, dx);
    for p in &layout.nodes {
        node(out, p, dx);
    }
    if side.nodes.len() <= 1 {
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{:.1}" fill="#5a6b7e" font-style="italic">nothing exported</text>"##,
            dx + layout.width - PANEL_PAD - 110.0,
            layout.top + TITLE_HEIGHT + PANEL_PAD + 18.0
        );
    }
    out.push_str("</g>\n");
}

/// How the two sides are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    /// Before left, after right: the markdown report's picture.
    SideBySide,
    /// Before above after: for a narrow place (the playground's panel).
    Stacked,
}

/// The picture as an SVG document, before and after side by side (an
/// arrow between them), and what was dropped under them (dashed).
pub fn svg(picture: &Picture) -> String {
    svg_arranged(picture, Arrangement::SideBySide)
}

/// The lines of the "dropped" box, each at most `width` wide.
fn dropped_lines(picture: &Picture, width: f64) -> Vec<String> {
    if picture.dropped.is_empty() {
        return Vec::new();
    }
    let text = format!("dropped: {}", picture.dropped.join("; "));
    let per_line = ((width / CHAR_WIDTH) as usize).saturating_sub(4).max(20);
    text.chars()
        .collect::<Vec<char>>()
        .chunks(per_line)
        .map(|c| c.iter().collect())
        .collect()
}

/// The picture as an SVG document, its sides placed as `arrangement` says.
pub fn svg_arranged(picture: &Picture, arrangement: Arrangement) -> String {
    let before = layout(&picture.before);
    let mut after = layout(&picture.after);
    let (after_x, panels_width, panels_height, arrow) = match arrangement {
        Arrangement::SideBySide => {
            // The shorter side is centred on the taller.
            let tallest = before.height.max(after.height);
            let (b, a) = (before.height, after.height);
            after = after.down(((tallest - a) / 2.0).floor());
            let before_dy = ((tallest - b) / 2.0).floor();
            let x = before.width + BETWEEN;
            let arrow = format!(
                "M{:.1} {:.1}h22v-7l14 11l-14 11v-7h-22z",
                before.width + 6.0,
                tallest / 2.0 - 4.0
            );
            (x, x + after.width, tallest, (arrow, before_dy))
        }
        Arrangement::Stacked => {
            let y = before.height + BETWEEN;
            let height = y + after.height;
            after = after.down(y);
            let arrow = format!(
                "M{:.1} {:.1}v22h-7l11 14l11-14h-7v-22z",
                PANEL_PAD + 30.0,
                before.height + 6.0
            );
            (0.0, before.width.max(after.width), height, (arrow, 0.0))
        }
    };
    let (arrow, before_dy) = arrow;
    let before = before.down(before_dy);
    let dropped = dropped_lines(picture, panels_width);
    let dropped_height = if dropped.is_empty() {
        0.0
    } else {
        16.0 + dropped.len() as f64 * LINE_HEIGHT + 12.0
    };
    let (width, height) = (panels_width + 2.0, panels_height + dropped_height + 2.0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="-1 -1 {width:.0} {height:.0}" role="img" aria-labelledby="oc2otel-picture-title" font-family="{FONT_FAMILY}" font-size="{FONT}">"#
    );
    out.push_str(r#"<title id="oc2otel-picture-title">Telemetry pipelines before (OpenCensus) and after (OpenTelemetry) the migration</title>"#);
    out.push('\n');
    out.push_str(r##"<defs><marker id="oc2otel-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#44546a"/></marker></defs>"##);
    out.push('\n');
    panel(
        &mut out,
        "before: OpenCensus",
        &picture.before,
        &before,
        0.0,
    );
    let _ = writeln!(
        out,
        r##"<path class="before-after" d="{arrow}" fill="#2d5f8a"/>"##
    );
    panel(
        &mut out,
        "after: OpenTelemetry",
        &picture.after,
        &after,
        after_x,
    );
    if !dropped.is_empty() {
        let top = panels_height + 12.0;
        let _ = writeln!(
            out,
            r##"<g class="dropped"><rect x="0" y="{top:.1}" width="{:.1}" height="{:.1}" rx="6" fill="#fffaf0" stroke="#a0743a" stroke-dasharray="5 5"/>"##,
            width - 2.0,
            dropped_height - 12.0
        );
        for (i, line) in dropped.iter().enumerate() {
            let _ = writeln!(
                out,
                r##"<text x="12" y="{:.1}" fill="#6b4a1f">{}</text>"##,
                top + 6.0 + LINE_HEIGHT * (i as f64 + 1.0),
                xml_escape(line)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::migrate;
    use crate::migration::options::{MetricsTarget, Options};
    use crate::migration::picture::Edge;
    use crate::syntax::source::Format;

    fn hostile() -> Picture {
        let evil = "a\"]</text><script>alert(1)</script>&amp;\u{1b}[2J\u{0}'x\u{ffff}";
        let node = |id: &str, kind| Node {
            id: id.into(),
            kind,
            label: evil.into(),
            detail: Some(evil.into()),
        };
        let side = Pipelines {
            nodes: vec![
                node("n0", NodeKind::Krakend),
                node("n1", NodeKind::Exporter),
                node("n2", NodeKind::Collector),
                node("n3", NodeKind::Backend),
            ],
            edges: vec![
                Edge {
                    from: "n0".into(),
                    to: "n1".into(),
                    label: evil.into(),
                },
                Edge {
                    from: "n1".into(),
                    to: "n2".into(),
                    label: evil.into(),
                },
                Edge {
                    from: "n2".into(),
                    to: "n3".into(),
                    label: evil.into(),
                },
            ],
        };
        Picture {
            before: side.clone(),
            after: side,
            dropped: vec![evil.into()],
        }
    }

    /// The texts of every `<text>` element, as an XML reader sees them.
    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect()
    }

    #[test]
    fn hostile_labels_stay_text_in_well_formed_xml() {
        let svg = svg(&hostile());
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert!(
            !doc.descendants().any(|n| n.has_tag_name("script")),
            "{svg}"
        );
        let texts = texts(&svg);
        // The label is shown, escaped back to what it was, with its
        // control characters written as escapes.
        assert!(
            texts.iter().any(|t| t.contains("</text><script>")),
            "{texts:?}"
        );
        assert!(texts.iter().any(|t| t.contains("\\u{1b}")), "{texts:?}");
        assert!(!svg.contains('\u{1b}') && !svg.contains('\u{0}'));
    }

    #[test]
    fn the_xray_example_draws_both_sides_and_no_secret() {
        let text = include_str!("../../examples/xray/krakend.json");
        let options = Options {
            metrics: MetricsTarget::Emf,
            ..Options::default()
        };
        let m = migrate(text, Format::Json, "krakend.json", &options, None);
        let picture = crate::migration::picture::Picture::of(&m).expect("a picture");
        let svg = svg(&picture);
        let all = texts(&svg).join("\n");
        for shown in [
            "before: OpenCensus",
            "after: OpenTelemetry",
            "OpenCensus xray exporter",
            "OTLP exporter adot",
            "AWS X-Ray",
            "eu-west-1",
            "CloudWatch metrics (EMF)",
            "OTLP gRPC :4317",
            "(aws-otel-collector)",
        ] {
            assert!(all.contains(shown), "{shown} in {all}");
        }
        for secret in ["AKIAEXAMPLE", "NOT+a+real", "access_key"] {
            assert!(!svg.contains(secret), "{secret}");
        }
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let nodes = doc
            .descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("node ")))
            .count();
        assert_eq!(
            nodes,
            picture.before.nodes.len() + picture.after.nodes.len()
        );
        let edges = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("edge"))
            .count();
        assert_eq!(
            edges,
            picture.before.edges.len() + picture.after.edges.len()
        );
        // What was dropped is listed under the panels.
        let mut logger = picture.clone();
        logger.dropped = vec!["the logger exporter".into()];
        let dropped = texts(&super::svg(&logger));
        assert!(
            dropped.iter().any(|t| t == "dropped: the logger exporter"),
            "{dropped:?}"
        );
    }

    #[test]
    fn nodes_of_one_side_never_overlap_and_columns_follow_the_edges() {
        let svg = svg(&hostile());
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let num = |n: &roxmltree::Node<'_, '_>, a: &str| -> f64 {
            n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        };
        // The shape of each node group is its first child (a rect or a
        // cylinder path); rects give their boxes directly.
        let boxes: Vec<(f64, f64, f64, f64)> = doc
            .descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("node ")))
            .filter_map(|g| g.children().find(|c| c.has_tag_name("rect")))
            .map(|r| {
                (
                    num(&r, "x"),
                    num(&r, "y"),
                    num(&r, "width"),
                    num(&r, "height"),
                )
            })
            .collect();
        assert!(boxes.len() >= 6, "{boxes:?}");
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        // Each side is a chain: x grows along it.
        assert!(
            boxes[0].0 < boxes[1].0 && boxes[1].0 < boxes[2].0,
            "{boxes:?}"
        );
    }

    #[test]
    fn stacked_puts_after_below_before_with_the_same_texts() {
        let picture = hostile();
        let wide = svg(&picture);
        let tall = svg_arranged(&picture, Arrangement::Stacked);
        assert_eq!(texts(&wide), texts(&tall));
        let size = |svg: &str| -> (f64, f64) {
            let doc = roxmltree::Document::parse(svg).unwrap();
            let root = doc.root_element();
            let num = |a| root.attribute(a).unwrap().parse::<f64>().unwrap();
            (num("width"), num("height"))
        };
        let ((ww, wh), (tw, th)) = (size(&wide), size(&tall));
        assert!(tw < ww && th > wh, "{ww}x{wh} vs {tw}x{th}");
        let doc = roxmltree::Document::parse(&tall).unwrap();
        let panels: Vec<f64> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("side"))
            .filter_map(|g| g.children().find(|c| c.has_tag_name("rect")))
            .map(|r| r.attribute("y").unwrap().parse().unwrap())
            .collect();
        assert_eq!(panels.len(), 2);
        assert!(panels[1] > panels[0], "{panels:?}");
    }

    #[test]
    fn a_side_with_nothing_exported_says_so() {
        let mut picture = hostile();
        picture.before.nodes.truncate(1);
        picture.before.edges.clear();
        picture.dropped.clear();
        let texts = texts(&svg(&picture));
        assert!(texts.iter().any(|t| t == "nothing exported"), "{texts:?}");
        assert!(!texts.iter().any(|t| t.starts_with("dropped")));
    }

    #[test]
    fn long_labels_wrap() {
        let lines = wrap("http://zipkin.observability.internal.example.com:9411/api/v2/spans");
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= WRAP), "{lines:?}");
        assert_eq!(
            lines.concat().replace(' ', ""),
            "http://zipkin.observability.internal.example.com:9411/api/v2/spans"
        );
        assert_eq!(wrap("KrakenD"), ["KrakenD"]);
    }
}
