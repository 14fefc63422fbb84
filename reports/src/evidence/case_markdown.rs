//! The assurance case as Markdown: the summary, then the argument as a
//! nested list from the top goal down.

use std::collections::BTreeSet;

use super::case::{AssuranceCase, GsnNode, NodeKind};
use super::matrix::md;

fn kind_name(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Goal => "goal",
        NodeKind::Strategy => "strategy",
        NodeKind::Solution => "solution",
        NodeKind::Context => "context",
        NodeKind::Assumption => "assumption",
    }
}

/// Renders `case` as Markdown.
pub fn render_case_markdown(case: &AssuranceCase) -> String {
    let s = &case.summary;
    let mut out = format!("# Assurance case: release {}\n\n", md(&case.release));
    out.push_str(&format!("Top goal: **{}**.\n\n", s.top.as_str()));
    out.push_str("| goals | supported | insufficient | undeveloped | failing |\n|---|---|---|---|---|\n");
    for (name, c) in [("hazards", &s.hazards), ("requirement × hazard", &s.requirements)] {
        out.push_str(&format!(
            "| {name} | {} | {} | {} | {} |\n",
            c.supported, c.insufficient, c.undeveloped, c.failing
        ));
    }
    out.push_str("\n## Argument\n\n");
    let mut seen = BTreeSet::new();
    if let Some(root) = case.node(&case.root) {
        item(case, root, 0, &mut seen, &mut out);
    }
    out
}

fn item(case: &AssuranceCase, n: &GsnNode, depth: usize, seen: &mut BTreeSet<String>, out: &mut String) {
    let indent = "  ".repeat(depth);
    let links =
        n.links.iter().map(|l| format!("[{}]({})", md(&l.label), l.href)).collect::<Vec<_>>().join(", ");
    let links = if links.is_empty() { String::new() } else { format!(" — {links}") };
    let status = if n.kind == NodeKind::Context || n.kind == NodeKind::Assumption {
        kind_name(n.kind).to_owned()
    } else {
        format!("{}, {}", kind_name(n.kind), n.status.as_str())
    };
    out.push_str(&format!("{indent}- **{}** ({status}): {}{links}\n", md(&n.id), md(&n.text)));
    if !seen.insert(n.id.clone()) {
        return;
    }
    for id in &n.in_context_of {
        if let Some(c) = case.node(id) {
            let links = c
                .links
                .iter()
                .map(|l| format!("[{}]({})", md(&l.label), l.href))
                .collect::<Vec<_>>()
                .join(", ");
            let links = if links.is_empty() { String::new() } else { format!(" — {links}") };
            out.push_str(&format!(
                "{indent}  - *in context of* **{}** ({}): {}{links}\n",
                md(&c.id),
                kind_name(c.kind),
                md(&c.text)
            ));
        }
    }
    for id in &n.supported_by {
        if let Some(child) = case.node(id) {
            item(case, child, depth + 1, seen, out);
        }
    }
}
