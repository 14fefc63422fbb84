//! The assurance case: a Goal Structuring Notation (GSN) argument that the
//! stack is acceptably safe for a release, built from the taxonomy and the
//! coverage report of the release's records.
//!
//! Shape (every status is derived from coverage's own figures, see
//! [`NodeStatus`]):
//!
//! ```text
//! G0  the stack is acceptably safe for the release within the taxonomy's domain
//!     (context: taxonomy, stack and engine, evidence policy; assumptions)
//! ├── S0  argument over each hazard, riskiest first
//! │   └── G.H  hazard H is mitigated                      ← coverage hazard status
//! │       ├── Sn.H        checked runs, violations, worst margin
//! │       ├── Sn.H.triage failing jobs by triage (when any failed)
//! │       ├── (context C.H.monitors: the runtime monitors' figures over H's jobs)
//! │       └── S.H  argument over the requirements mitigating H
//! │           └── G.H.R  requirement R holds for H        ← coverage trace status
//! │               └── Sn.H.R  the jobs, passing runs of needed, worst margin
//! └── G.ODD  the operating domain is exercised
//!     └── Sn.ODD.*  value, pair, hazard and top-risk coverage
//! ```

use gauntlet_taxonomy::{
    CoverageReport, HazardCoverage, HazardStatus, Share, Taxonomy, TraceStatus, hazard_status,
};

use super::index::EvidenceIndex;
use crate::summary::fmt_margin_unit;

/// The kind of a GSN element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A claim.
    Goal,
    /// How a goal is broken into sub-goals.
    Strategy,
    /// Evidence supporting a goal.
    Solution,
    /// What a claim is made in the context of.
    Context,
    /// Something taken as true without argument.
    Assumption,
}

/// What the evidence says of a node.
///
/// A hazard goal: *failing* when coverage's hazard status is `violated`;
/// *undeveloped* when it is `unexercised` or the hazard has no requirement;
/// *insufficient* when it is `not_checked`, or `held` while a requirement's
/// trace status for it is not `complete`; else *supported*. A requirement
/// goal (requirement × hazard) from its trace status: `complete` supported,
/// `insufficient` insufficient, `missing` undeveloped, `failing` failing.
/// A strategy or the top goal: failing if a child fails, else insufficient if
/// a child is insufficient or undeveloped, else supported.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    /// The evidence supports the claim.
    Supported,
    /// Evidence exists, but less than the evidence policy asks for.
    Insufficient,
    /// No evidence: the goal is not developed.
    Undeveloped,
    /// The evidence contradicts the claim.
    Failing,
    /// Context and assumptions: not judged.
    Neutral,
}

impl NodeStatus {
    /// `supported`, `insufficient`, `undeveloped`, `failing` or `neutral`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Supported => "supported",
            NodeStatus::Insufficient => "insufficient",
            NodeStatus::Undeveloped => "undeveloped",
            NodeStatus::Failing => "failing",
            NodeStatus::Neutral => "neutral",
        }
    }

    /// The status of a parent of nodes with these statuses.
    fn combine(children: impl IntoIterator<Item = NodeStatus>) -> NodeStatus {
        let mut out = NodeStatus::Supported;
        for s in children {
            match s {
                NodeStatus::Failing => return NodeStatus::Failing,
                NodeStatus::Insufficient | NodeStatus::Undeveloped => out = NodeStatus::Insufficient,
                NodeStatus::Supported | NodeStatus::Neutral => {}
            }
        }
        out
    }
}

/// A link from a node to a file of the evidence pack.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct NodeLink {
    /// What it shows.
    pub label: String,
    /// Relative to the case's folder.
    pub href: String,
}

/// One GSN element.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct GsnNode {
    /// Unique id (`G0`, `G.H-001`, `Sn.H-001.SR-002`).
    pub id: String,
    /// The kind.
    pub kind: NodeKind,
    /// The claim, strategy, evidence or context, in words.
    pub text: String,
    /// What the evidence says.
    pub status: NodeStatus,
    /// The nodes that support it (`SupportedBy`), in order.
    pub supported_by: Vec<String>,
    /// Its context and assumptions (`InContextOf`).
    pub in_context_of: Vec<String>,
    /// Where its evidence lies.
    pub links: Vec<NodeLink>,
}

/// Goal counts by status.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct StatusCounts {
    /// Supported.
    pub supported: u32,
    /// Insufficient evidence.
    pub insufficient: u32,
    /// Undeveloped.
    pub undeveloped: u32,
    /// Failing.
    pub failing: u32,
}

impl StatusCounts {
    fn add(&mut self, s: NodeStatus) {
        match s {
            NodeStatus::Supported => self.supported += 1,
            NodeStatus::Insufficient => self.insufficient += 1,
            NodeStatus::Undeveloped => self.undeveloped += 1,
            NodeStatus::Failing => self.failing += 1,
            NodeStatus::Neutral => {}
        }
    }
}

/// The case's verdict in figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct CaseSummary {
    /// The top goal's status.
    pub top: NodeStatus,
    /// Hazard goals by status.
    pub hazards: StatusCounts,
    /// Requirement goals (one per requirement × hazard) by status.
    pub requirements: StatusCounts,
}

/// The whole case.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AssuranceCase {
    /// The release argued about.
    pub release: String,
    /// The top goal's id.
    pub root: String,
    /// Figures of the verdict.
    pub summary: CaseSummary,
    /// Every node, parents before children.
    pub nodes: Vec<GsnNode>,
}

impl AssuranceCase {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&GsnNode> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// What a case is built from.
#[derive(Clone, Copy, Debug)]
pub struct CaseInput<'a> {
    /// The release's name.
    pub release: &'a str,
    /// The taxonomy.
    pub taxonomy: &'a Taxonomy,
    /// How the taxonomy is named (file and hash).
    pub taxonomy_label: &'a str,
    /// Coverage of the taxonomy by the release's records.
    pub coverage: &'a CoverageReport,
    /// The records, indexed.
    pub index: &'a EvidenceIndex,
    /// The adapters of the records (`builtin:reference (reference 0.1.0)`).
    pub adapters: &'a [String],
    /// The engine versions of the records.
    pub engines: &'a [String],
    /// Where the files the nodes link to lie, relative to the case (`""`: the same folder).
    pub base: &'a str,
    /// The runtime-monitor figures of the records, when any names a monitor:
    /// a hazard goal whose jobs declared monitors gets them as a *context*
    /// node (`C.H.monitors`, neutral, linked to `monitors.md`). They describe
    /// how well the stack's monitors warn in those jobs; they are not
    /// evidence that the hazard is mitigated, so no status depends on them.
    pub monitors: Option<&'a crate::monitors::MonitorReport>,
}

fn node(id: String, kind: NodeKind, text: String, status: NodeStatus) -> GsnNode {
    GsnNode { id, kind, text, status, supported_by: Vec::new(), in_context_of: Vec::new(), links: Vec::new() }
}

fn link(input: &CaseInput<'_>, label: &str, file: &str) -> NodeLink {
    NodeLink { label: label.to_owned(), href: format!("{}{file}", input.base) }
}

/// A hazard goal's status (see [`NodeStatus`]).
fn hazard_goal_status(h: &HazardCoverage, traces: &[TraceStatus]) -> NodeStatus {
    if h.requirements.is_empty() {
        return NodeStatus::Undeveloped;
    }
    match h.status {
        HazardStatus::Violated => NodeStatus::Failing,
        HazardStatus::Unexercised => NodeStatus::Undeveloped,
        HazardStatus::NotChecked => NodeStatus::Insufficient,
        HazardStatus::Held if traces.iter().all(|t| *t == TraceStatus::Complete) => NodeStatus::Supported,
        HazardStatus::Held => NodeStatus::Insufficient,
    }
}

/// A requirement goal's status (see [`NodeStatus`]).
fn requirement_goal_status(t: TraceStatus) -> NodeStatus {
    match t {
        TraceStatus::Complete => NodeStatus::Supported,
        TraceStatus::Insufficient => NodeStatus::Insufficient,
        TraceStatus::Missing => NodeStatus::Undeveloped,
        TraceStatus::Failing => NodeStatus::Failing,
    }
}

fn share(s: &Share) -> String {
    let pct = if s.total == 0 { 100.0 } else { 100.0 * f64::from(s.covered) / f64::from(s.total) };
    format!("{} of {} ({pct:.1} %)", s.covered, s.total)
}

fn share_status(s: &Share) -> NodeStatus {
    if s.covered >= s.total { NodeStatus::Supported } else { NodeStatus::Insufficient }
}

/// Builds the case (see the module docs for its shape).
pub fn assurance_case(input: &CaseInput<'_>) -> AssuranceCase {
    let cov = input.coverage;
    let tax = input.taxonomy;
    let mut nodes: Vec<GsnNode> = Vec::new();
    let mut hazard_counts = StatusCounts::default();
    let mut requirement_counts = StatusCounts::default();

    // Context and assumptions of the top goal.
    let policy = tax.evidence();
    let mut context = vec![
        node(
            "C.taxonomy".into(),
            NodeKind::Context,
            format!(
                "Operating domain and hazards: taxonomy {} ({} dimensions, {} hazards, {} requirements)",
                input.taxonomy_label,
                tax.dimensions().len(),
                tax.hazards().len(),
                tax.requirements().len()
            ),
            NodeStatus::Neutral,
        ),
        node(
            "C.stack".into(),
            NodeKind::Context,
            format!(
                "Stack under test: {}; engine {}; {} jobs ({} passed, {} failed, {} errored)",
                list_or_none(input.adapters),
                list_or_none(input.engines),
                cov.jobs.runs,
                cov.jobs.passed,
                cov.jobs.failed,
                cov.jobs.errored
            ),
            NodeStatus::Neutral,
        ),
        node(
            "C.policy".into(),
            NodeKind::Context,
            format!(
                "Evidence policy: passing runs per requirement and hazard by ASIL QM/A/B/C/D {:?}; top-risk \
                 hazards' 95 % Wilson upper bound on the violation rate at most {}",
                policy.min_passing_runs, policy.max_violation_rate
            ),
            NodeStatus::Neutral,
        ),
        node(
            "A.fidelity".into(),
            NodeKind::Assumption,
            "The scenarios and the simulated world represent the operating domain faithfully enough for \
             their verdicts to count as evidence (simulation fidelity is not argued here)"
                .into(),
            NodeStatus::Neutral,
        ),
        node(
            "A.hazards".into(),
            NodeKind::Assumption,
            "The taxonomy's hazards and their S/E/C classification come from a hazard analysis outside \
             this case and are complete for the operating domain"
                .into(),
            NodeStatus::Neutral,
        ),
    ];
    context[0].links.push(link(input, "taxonomy", "inputs/taxonomy.ron"));
    context[1].links.push(link(input, "records", "records.jsonl"));

    // Hazards, riskiest first (stable: taxonomy order within a class).
    let mut hazards: Vec<&HazardCoverage> = cov.hazards.iter().collect();
    hazards.sort_by_key(|h| std::cmp::Reverse(h.asil));
    let mut hazard_goals = Vec::new();
    let mut hazard_nodes: Vec<GsnNode> = Vec::new();
    for h in hazards {
        let gid = format!("G.{}", h.id);
        let mut traces = Vec::new();
        let mut req_goals = Vec::new();
        let mut req_nodes = Vec::new();
        for req in &h.requirements {
            let trace = super::hazard_log::trace_status(cov, req, &h.id);
            traces.push(trace);
            let status = requirement_goal_status(trace);
            requirement_counts.add(status);
            let text = tax.requirement(req).map(|r| r.text.clone()).unwrap_or_default();
            let rid = format!("G.{}.{req}", h.id);
            let mut goal =
                node(rid.clone(), NodeKind::Goal, format!("{req} holds for {}: {text}", h.id), status);
            let trace_figures = cov
                .traceability
                .iter()
                .find(|r| r.id == *req)
                .and_then(|r| r.hazards.iter().find(|x| x.id == h.id));
            if let Some(t) = trace_figures.filter(|_| trace != TraceStatus::Missing) {
                let merged = input.index.merged(req, &h.id);
                let worst = merged.worst.as_ref().map_or(String::new(), |w| {
                    format!(
                        "; worst margin {} {} (job {})",
                        w.criterion,
                        fmt_margin_unit(w.margin, &w.unit),
                        w.job
                    )
                });
                let mut sn = node(
                    format!("Sn.{}.{req}", h.id),
                    NodeKind::Solution,
                    format!(
                        "{} jobs of {} scenario(s): {} passing run(s) of {} needed, {} failing, {} not evaluated{worst}",
                        merged.jobs.len(),
                        t.scenarios.len(),
                        t.passing,
                        t.needed,
                        t.failing,
                        t.not_evaluated
                    ),
                    status,
                );
                sn.links.push(link(input, "traceability matrix", "traceability.csv"));
                goal.supported_by.push(sn.id.clone());
                req_goals.push(goal);
                req_nodes.push(sn);
            } else {
                req_goals.push(goal);
            }
        }
        let status = hazard_goal_status(h, &traces);
        hazard_counts.add(status);
        let mut goal = node(
            gid.clone(),
            NodeKind::Goal,
            format!(
                "{} is mitigated: {} (ASIL {}: {:?} {:?} {:?})",
                h.id,
                h.title,
                h.asil.as_str(),
                h.severity,
                h.exposure,
                h.controllability
            ),
            status,
        );
        goal.links.push(link(input, "hazard log", &format!("hazard-log.md#{}", h.id.to_lowercase())));
        let mut below = Vec::new();
        let monitor_lines =
            input.monitors.map(|m| crate::monitors::hazard_lines(m, &h.id)).unwrap_or_default();
        if !monitor_lines.is_empty() {
            let mut c = node(
                format!("C.{}.monitors", h.id),
                NodeKind::Context,
                format!(
                    "Runtime monitors in {}'s jobs (about the monitors, not evidence of mitigation): {}",
                    h.id,
                    monitor_lines.join("; ")
                ),
                NodeStatus::Neutral,
            );
            c.links.push(link(
                input,
                "runtime monitors",
                &format!("monitors.md#monitors-{}", h.id.to_lowercase()),
            ));
            goal.in_context_of.push(c.id.clone());
            below.push(c);
        }
        if h.exercised && !h.requirements.is_empty() {
            let interval = h.violation_interval.map_or(String::new(), |i| {
                format!(", 95 % interval of the violation rate {:.3}–{:.3}", i.low, i.high)
            });
            let worst = h.worst_margin.as_ref().map_or(String::new(), |w| {
                format!(
                    "; worst margin {} {} ({} seed {})",
                    w.criterion,
                    fmt_margin_unit(w.margin, &w.unit),
                    w.scenario,
                    w.seed
                )
            });
            let mut sn = node(
                format!("Sn.{}", h.id),
                NodeKind::Solution,
                format!(
                    "Coverage: hazard {}; {} checked run(s), {} violated{interval}{worst}",
                    hazard_status(h.status),
                    h.checks.checked,
                    h.checks.violated
                ),
                match h.status {
                    HazardStatus::Violated => NodeStatus::Failing,
                    HazardStatus::Held => NodeStatus::Supported,
                    _ => NodeStatus::Insufficient,
                },
            );
            sn.links.push(link(input, "coverage", "coverage.json"));
            goal.supported_by.push(sn.id.clone());
            below.push(sn);
            let triage = input.index.triage(&h.id);
            let failing = triage.avoidable + triage.unavoidable + triage.unknown + triage.untriaged;
            if failing > 0 {
                let mut sn = node(
                    format!("Sn.{}.triage", h.id),
                    NodeKind::Solution,
                    format!(
                        "Triage of the {failing} failing job(s): {} avoidable (the stack's failure), {} unavoidable, \
                         {} unknown, {} not triaged",
                        triage.avoidable, triage.unavoidable, triage.unknown, triage.untriaged
                    ),
                    NodeStatus::Failing,
                );
                sn.links.push(link(input, "hazard log", &format!("hazard-log.md#{}", h.id.to_lowercase())));
                goal.supported_by.push(sn.id.clone());
                below.push(sn);
            }
        }
        if !req_goals.is_empty() {
            let sid = format!("S.{}", h.id);
            let mut strategy = node(
                sid.clone(),
                NodeKind::Strategy,
                format!("Argument over the {} requirement(s) mitigating {}", req_goals.len(), h.id),
                NodeStatus::combine(req_goals.iter().map(|g| g.status)),
            );
            strategy.supported_by = req_goals.iter().map(|g| g.id.clone()).collect();
            goal.supported_by.push(sid);
            below.push(strategy);
            below.extend(req_goals);
            below.extend(req_nodes);
        }
        hazard_goals.push(goal.id.clone());
        hazard_nodes.push(goal);
        hazard_nodes.extend(below);
    }

    let mut s0 = node(
        "S0".into(),
        NodeKind::Strategy,
        format!(
            "Argument over each of the {} hazards of the taxonomy, riskiest (ASIL) first",
            hazard_goals.len()
        ),
        NodeStatus::combine(hazard_nodes.iter().filter(|n| hazard_goals.contains(&n.id)).map(|n| n.status)),
    );
    s0.supported_by = hazard_goals;
    s0.in_context_of.push("C.policy".into());

    // The operating domain.
    let figures = [
        ("values", "Dimension values exercised", &cov.value_coverage),
        ("pairs", "Feasible value pairs exercised", &cov.pair_coverage),
        ("hazards", "Hazards exercised", &cov.hazard_coverage),
        ("top_risk", "ASIL C/D hazards with sufficient evidence (top-risk coverage)", &cov.top_risk.hazards),
    ];
    let mut odd_solutions = Vec::new();
    for (id, what, s) in figures {
        let mut sn = node(
            format!("Sn.ODD.{id}"),
            NodeKind::Solution,
            format!("{what}: {}", share(s)),
            share_status(s),
        );
        sn.links.push(link(input, "coverage", "coverage.json"));
        odd_solutions.push(sn);
    }
    let mut odd = node(
        "G.ODD".into(),
        NodeKind::Goal,
        "The operating domain of the taxonomy is exercised: every hazard and every ASIL C/D hazard has the \
         evidence the policy asks for"
            .into(),
        NodeStatus::combine([share_status(&cov.hazard_coverage), share_status(&cov.top_risk.hazards)]),
    );
    odd.supported_by = odd_solutions.iter().map(|n| n.id.clone()).collect();
    odd.in_context_of.push("C.policy".into());

    let top_status = NodeStatus::combine([s0.status, odd.status]);
    let mut g0 = node(
        "G0".into(),
        NodeKind::Goal,
        format!(
            "The stack is acceptably safe for release {} within the operating domain of the taxonomy",
            input.release
        ),
        top_status,
    );
    g0.supported_by = vec!["S0".into(), "G.ODD".into()];
    g0.in_context_of = context.iter().filter(|c| c.id != "C.policy").map(|c| c.id.clone()).collect();

    nodes.push(g0);
    nodes.extend(context);
    nodes.push(s0);
    nodes.extend(hazard_nodes);
    nodes.push(odd);
    nodes.extend(odd_solutions);
    AssuranceCase {
        release: input.release.to_owned(),
        root: "G0".into(),
        summary: CaseSummary { top: top_status, hazards: hazard_counts, requirements: requirement_counts },
        nodes,
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() { "(none)".to_owned() } else { items.join(", ") }
}
