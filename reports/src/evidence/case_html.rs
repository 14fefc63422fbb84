//! The assurance case as a self-contained HTML page: the summary, the GSN
//! graph as inline SVG (laid out left to right, one column per level), and
//! every node in a table. No script, no external asset; well-formed XML.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::case::{AssuranceCase, GsnNode, NodeKind, NodeStatus};
use crate::html::escape;

const COL_W: f64 = 260.0;
const NODE_W: f64 = 220.0;
const NODE_H: f64 = 72.0;
const ROW_H: f64 = 88.0;
const PAD: f64 = 20.0;
const LINE_CHARS: usize = 36;
const LINES: usize = 3;

/// Where each node is drawn: (column, row), rows fractional for parents.
fn layout(case: &AssuranceCase) -> BTreeMap<String, (usize, f64)> {
    let mut pos = BTreeMap::new();
    let mut next_row = 0.0;
    place(case, &case.root, 0, &mut next_row, &mut pos);
    pos
}

fn place(
    case: &AssuranceCase,
    id: &str,
    depth: usize,
    next_row: &mut f64,
    pos: &mut BTreeMap<String, (usize, f64)>,
) -> f64 {
    pos.insert(id.to_owned(), (depth, 0.0));
    let children: Vec<String> = case.node(id).map_or(Vec::new(), |n| {
        n.supported_by.iter().chain(&n.in_context_of).filter(|c| !pos.contains_key(*c)).cloned().collect()
    });
    let rows: Vec<f64> = children.iter().map(|c| place(case, c, depth + 1, next_row, pos)).collect();
    let row = match (rows.first(), rows.last()) {
        (Some(a), Some(b)) => (a + b) / 2.0,
        _ => {
            let r = *next_row;
            *next_row += 1.0;
            r
        }
    };
    pos.insert(id.to_owned(), (depth, row));
    row
}

fn xy(p: (usize, f64)) -> (f64, f64) {
    (PAD + p.0 as f64 * COL_W, PAD + p.1 * ROW_H)
}

/// `text` cut into at most [`LINES`] lines of about [`LINE_CHARS`] characters.
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > LINE_CHARS {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > LINES {
        lines.truncate(LINES);
        let last = &mut lines[LINES - 1];
        let cut: String = last.chars().take(LINE_CHARS.saturating_sub(1)).collect();
        *last = format!("{cut}…");
    }
    lines
}

fn kind_class(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Goal => "goal",
        NodeKind::Strategy => "strategy",
        NodeKind::Solution => "solution",
        NodeKind::Context => "context",
        NodeKind::Assumption => "assumption",
    }
}

fn shape(n: &GsnNode, x: f64, y: f64) -> String {
    let (cx, cy) = (x + NODE_W / 2.0, y + NODE_H / 2.0);
    let mut s = match n.kind {
        NodeKind::Goal => format!(r#"<rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{NODE_H}"/>"#),
        NodeKind::Strategy => format!(
            r#"<polygon points="{:.1},{y:.1} {:.1},{y:.1} {:.1},{:.1} {x:.1},{:.1}"/>"#,
            x + 14.0,
            x + NODE_W,
            x + NODE_W - 14.0,
            y + NODE_H,
            y + NODE_H
        ),
        NodeKind::Context => {
            format!(r#"<rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{NODE_H}" rx="22" ry="22"/>"#)
        }
        NodeKind::Solution | NodeKind::Assumption => {
            format!(
                r#"<ellipse cx="{cx:.1}" cy="{cy:.1}" rx="{:.1}" ry="{:.1}"/>"#,
                NODE_W / 2.0,
                NODE_H / 2.0
            )
        }
    };
    if n.kind == NodeKind::Assumption {
        let _ = write!(s, r#"<text class="mark" x="{:.1}" y="{:.1}">A</text>"#, x + NODE_W - 6.0, y + NODE_H);
    }
    if n.kind == NodeKind::Goal && n.status == NodeStatus::Undeveloped {
        // GSN's undeveloped mark: a hollow diamond under the goal.
        let b = y + NODE_H;
        let _ = write!(
            s,
            r#"<polygon class="undeveloped-mark" points="{cx:.1},{b:.1} {:.1},{:.1} {cx:.1},{:.1} {:.1},{:.1}"/>"#,
            cx + 8.0,
            b + 8.0,
            b + 16.0,
            cx - 8.0,
            b + 8.0
        );
    }
    s
}

/// The GSN graph as an inline `<svg>` element.
fn svg(case: &AssuranceCase) -> String {
    let pos = layout(case);
    let cols = pos.values().map(|p| p.0).max().unwrap_or(0) + 1;
    let rows = pos.values().map(|p| p.1).fold(0.0_f64, f64::max) + 1.0;
    let width = 2.0 * PAD + cols as f64 * COL_W;
    let height = 2.0 * PAD + rows * ROW_H;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="gsn" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="GSN graph">"#
    );
    out.push_str(
        r#"<defs><marker id="solid" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="arrow-solid"/></marker><marker id="hollow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="arrow-hollow"/></marker></defs>"#,
    );
    // Edges under nodes.
    for n in &case.nodes {
        let Some(&from) = pos.get(&n.id) else { continue };
        let (fx, fy) = xy(from);
        let edges = n
            .supported_by
            .iter()
            .map(|c| (c, "supported-by"))
            .chain(n.in_context_of.iter().map(|c| (c, "in-context-of")));
        for (child, class) in edges {
            let Some(&to) = pos.get(child) else { continue };
            let (tx, ty) = xy(to);
            let (x1, y1, x2, y2) = (fx + NODE_W, fy + NODE_H / 2.0, tx, ty + NODE_H / 2.0);
            let mx = (x1 + x2) / 2.0;
            let marker = if class == "supported-by" { "solid" } else { "hollow" };
            let _ = write!(
                out,
                r#"<path class="edge {class}" d="M{x1:.1},{y1:.1} C{mx:.1},{y1:.1} {mx:.1},{y2:.1} {x2:.1},{y2:.1}" marker-end="url(#{marker})"/>"#
            );
        }
    }
    for n in &case.nodes {
        let Some(&p) = pos.get(&n.id) else { continue };
        let (x, y) = xy(p);
        let _ = write!(
            out,
            r#"<g class="node {} {}" id="{}" data-status="{}"><title>{}</title>{}"#,
            kind_class(n.kind),
            n.status.as_str(),
            escape(&format!("n-{}", n.id)),
            n.status.as_str(),
            escape(&format!("{} ({}): {}", n.id, n.status.as_str(), n.text)),
            shape(n, x, y)
        );
        let tx = x + NODE_W / 2.0;
        let _ = write!(
            out,
            r#"<text x="{tx:.1}" y="{:.1}"><tspan class="id">{}</tspan>"#,
            y + 16.0,
            escape(&n.id)
        );
        for line in wrap(&n.text) {
            let _ = write!(out, r#"<tspan x="{tx:.1}" dy="15">{}</tspan>"#, escape(&line));
        }
        out.push_str("</text></g>");
    }
    out.push_str("</svg>");
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}\
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}\
.graph{overflow:auto;border:1px solid #ddd}\
.gsn text{font-size:11px;text-anchor:middle;fill:#222}.gsn .id{font-weight:bold}.gsn .mark{font-weight:bold;font-size:14px}\
.gsn .node rect,.gsn .node polygon,.gsn .node ellipse{fill:#fff;stroke-width:2}\
.gsn .supported>rect,.gsn .supported>polygon,.gsn .supported>ellipse{stroke:#2e7d32;fill:#e8f5e9}\
.gsn .failing>rect,.gsn .failing>polygon,.gsn .failing>ellipse{stroke:#c62828;fill:#ffebee}\
.gsn .insufficient>rect,.gsn .insufficient>polygon,.gsn .insufficient>ellipse{stroke:#ef6c00;fill:#fff3e0}\
.gsn .undeveloped>rect,.gsn .undeveloped>polygon,.gsn .undeveloped>ellipse{stroke:#757575;stroke-dasharray:5 3;fill:#f5f5f5}\
.gsn .neutral>rect,.gsn .neutral>polygon,.gsn .neutral>ellipse{stroke:#1565c0;fill:#e3f2fd}\
.gsn .undeveloped-mark{fill:#fff!important;stroke:#757575!important;stroke-dasharray:none!important}\
.gsn .edge{fill:none;stroke:#555;stroke-width:1.2}.gsn .in-context-of{stroke-dasharray:4 3}\
.gsn .arrow-solid{fill:#555}.gsn .arrow-hollow{fill:#fff;stroke:#555}\
.status-supported{color:#2e7d32}.status-failing{color:#c62828}.status-insufficient{color:#ef6c00}.status-undeveloped{color:#757575}";

/// Renders `case` as one self-contained HTML page (polyglot XHTML: no
/// script, no external asset; links point at the pack's files).
pub fn render_case_html(case: &AssuranceCase) -> String {
    let s = &case.summary;
    let mut out = String::from(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>",
    );
    let _ = write!(
        out,
        "<title>Assurance case: {}</title><style>{STYLE}</style></head><body>",
        escape(&case.release)
    );
    let _ = write!(
        out,
        r#"<h1>Assurance case: release {}</h1><p id="top-status">Top goal: <strong class="status-{top}">{top}</strong></p>"#,
        escape(&case.release),
        top = s.top.as_str()
    );
    out.push_str(r#"<table id="summary"><tr><th>goals</th><th>supported</th><th>insufficient</th><th>undeveloped</th><th>failing</th></tr>"#);
    for (name, c) in [("hazards", &s.hazards), ("requirement × hazard", &s.requirements)] {
        let _ = write!(
            out,
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.supported, c.insufficient, c.undeveloped, c.failing
        );
    }
    out.push_str("</table>");
    out.push_str(
        "<p>Goal Structuring Notation: rectangles are goals, parallelograms strategies, ellipses \
         solutions (evidence), rounded rectangles context, ellipses marked A assumptions; a diamond under a \
         goal marks it undeveloped. Solid arrows: supported by; dashed: in context of. Colour: green \
         supported, orange insufficient evidence, grey undeveloped, red failing.</p>",
    );
    let _ = write!(out, r#"<div class="graph">{}</div>"#, svg(case));
    out.push_str(r#"<h2>Nodes</h2><table id="nodes"><tr><th>id</th><th>kind</th><th>status</th><th>text</th><th>evidence</th></tr>"#);
    for n in &case.nodes {
        let links = n
            .links
            .iter()
            .map(|l| format!(r#"<a href="{}">{}</a>"#, escape(&l.href), escape(&l.label)))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td>{}</td><td class="status-{st}">{st}</td><td>{}</td><td>{links}</td></tr>"#,
            escape(&n.id),
            kind_class(n.kind),
            escape(&n.text),
            st = n.status.as_str()
        );
    }
    out.push_str("</table></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_three_lines() {
        let lines = wrap(&"word ".repeat(60));
        assert_eq!(lines.len(), LINES);
        assert!(lines[2].ends_with('…'));
        assert!(lines.iter().all(|l| l.chars().count() <= LINE_CHARS));
        assert_eq!(wrap("short"), vec!["short".to_owned()]);
    }
}
