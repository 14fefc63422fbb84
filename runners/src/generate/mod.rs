//! Coverage-gap generation: scenarios synthesised for the uncovered feasible
//! pairs of the taxonomy, from library scenarios and the values'
//! [`Realisations`].
//!
//! For each uncovered feasible pair, riskiest first ([`Gaps::pairs`] order of
//! the coverage that the library's tags give), [`fill_gaps`] looks for library
//! scenarios that exhibit one value and can realise the other: the other
//! value's realisation is a transform ([`transform::apply`]) and the
//! scenario's current value of that dimension is itself realisable (a
//! setting, not geometry). Candidates are tried riskiest scenario first; each
//! is transformed, retagged (hazards that cannot arise under the new tags are
//! dropped), validated like any scenario file, and checked for *fairness*
//! ([`fairness`]): at its nominal instance the reference driver passes it, or
//! triage finds a manoeuvre within the ego's limits that avoids its first
//! violation. The first fair candidate is written to the output folder with a
//! header saying from what, for which pair, by which transform and why; a pair
//! that no transform reaches is reported as needing a hand-written scenario,
//! with the reasons. A generated scenario covers every pair its tags hold, so
//! later pairs it covers are skipped.
//!
//! Everything is deterministic: pairs, candidates and the fairness runs are
//! in a fixed order and run on one thread. `--budget` counts simulations
//! (fairness runs and their triage, then the seeds the command runs), and
//! `--time-budget` stops starting new pairs; both leave the lower-risk pairs.
//!
//! [`Gaps::pairs`]: gauntlet_taxonomy::Gaps

mod fairness;
pub mod transform;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gauntlet_reports::provenance::{Provenance, ProvenanceKind};
use gauntlet_ron_source::SourceFile;
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::raw::GeneratedFile;
use gauntlet_scenarios::regression::Regression;
use gauntlet_taxonomy::{
    CoverageOptions, JobFacts, JobOutcome, PairGap, Realisation, Realisations, RiskRank, Taxonomy, ValueRef,
    coverage,
};

pub use fairness::{Fairness, fairness};

use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::error::RunnerError;
use crate::job::AdapterIdentity;

/// The default folder of generated scenarios.
pub const DEFAULT_GENERATED: &str = "scenarios/generated";
/// The default realisations file, relative to the working directory.
pub const DEFAULT_REALISATIONS: &str = "taxonomy/realisations.ron";
/// Candidates tried per pair before it is given up.
pub const MAX_CANDIDATES: usize = 3;

/// The provenance a record of `scenario` carries: its `generated` section.
pub fn provenance(scenario: &Scenario) -> Option<Provenance> {
    scenario.file().generated.as_ref().map(|g| Provenance {
        kind: ProvenanceKind::Generated,
        from: g.from.clone(),
        file: g.file.clone(),
        pair: g.pair.clone(),
    })
}

/// Loads `path`, or `taxonomy/realisations.ron` when it exists here, or the
/// built-in copy; validated against `taxonomy`.
pub fn load_realisations(path: Option<&Path>, taxonomy: &Taxonomy) -> Result<Realisations, RunnerError> {
    let default = PathBuf::from(DEFAULT_REALISATIONS);
    let chosen = match path {
        Some(p) => Some(p.to_path_buf()),
        None if default.is_file() => Some(default),
        None => None,
    };
    let loaded = match chosen {
        Some(p) => Realisations::load(&p, taxonomy),
        None => Realisations::builtin(taxonomy),
    };
    loaded.map_err(|d| RunnerError::Taxonomy(Box::new(d)))
}

/// What gap generation does.
#[derive(Debug, Clone)]
pub struct GapOptions {
    /// Folder the generated scenarios are written to.
    pub out: PathBuf,
    /// Simulations it may spend (fairness runs, triage, and `seeds_per_file` per file); `None`: no limit.
    pub budget: Option<usize>,
    /// Stop starting new pairs after this long (the only input that is not deterministic).
    pub time_budget: Option<Duration>,
    /// Simulations the caller will spend on each generated file afterwards (its seeds), counted here.
    pub seeds_per_file: usize,
    /// The command line written into each file's header.
    pub command: String,
}

/// A generated scenario.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The file written.
    pub path: PathBuf,
    /// Its scenario id.
    pub id: String,
    /// The library scenario it was made from.
    pub from: String,
    /// The transform, in words.
    pub transform: String,
    /// Why it is fair.
    pub fair: String,
}

/// What became of one uncovered pair.
#[derive(Debug, Clone)]
pub enum PairOutcome {
    /// A scenario was generated for it.
    Generated(Generated),
    /// A scenario generated for an earlier pair covers it too.
    CoveredBy(String),
    /// Candidates existed but none was valid and fair: each with why it was discarded.
    Discarded(Vec<(String, String)>),
    /// No transform reaches it: it needs a hand-written scenario (why).
    NeedsHandWritten(String),
    /// The budget was spent before its turn.
    OverBudget,
}

/// One uncovered pair and what became of it.
#[derive(Debug, Clone)]
pub struct PairReport {
    /// First value.
    pub a: ValueRef,
    /// Second value.
    pub b: ValueRef,
    /// The risk rank of the hazards that can arise there.
    pub rank: RiskRank,
    /// What became of it.
    pub outcome: PairOutcome,
}

/// What gap generation did.
#[derive(Debug, Clone, Default)]
pub struct GapGeneration {
    /// The uncovered pairs, riskiest first.
    pub pairs: Vec<PairReport>,
    /// Values the taxonomy has and the realisations file does not declare.
    pub undeclared: Vec<String>,
    /// Simulations spent (fairness runs and their triage).
    pub simulations: usize,
}

impl GapGeneration {
    /// The scenarios generated, in pair order.
    pub fn generated(&self) -> impl Iterator<Item = &Generated> {
        self.pairs.iter().filter_map(|p| match &p.outcome {
            PairOutcome::Generated(g) => Some(g),
            _ => None,
        })
    }

    /// The report, one block per pair.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let count = |f: fn(&PairOutcome) -> bool| self.pairs.iter().filter(|p| f(&p.outcome)).count();
        let _ = writeln!(
            out,
            "gap generation: {} uncovered feasible pairs; {} generated, {} covered by them, {} discarded (no fair candidate), {} need a hand-written scenario, {} over budget; {} simulations",
            self.pairs.len(),
            count(|o| matches!(o, PairOutcome::Generated(_))),
            count(|o| matches!(o, PairOutcome::CoveredBy(_))),
            count(|o| matches!(o, PairOutcome::Discarded(_))),
            count(|o| matches!(o, PairOutcome::NeedsHandWritten(_))),
            count(|o| matches!(o, PairOutcome::OverBudget)),
            self.simulations
        );
        for p in &self.pairs {
            let _ = write!(
                out,
                "{} {}: {} × {}: {}: ",
                rank_text(p.rank),
                p.a.dimension,
                p.a.value,
                p.b.dimension,
                p.b.value
            );
            match &p.outcome {
                PairOutcome::Generated(g) => {
                    let _ = writeln!(
                        out,
                        "generated {} (from {}; {}); fair: {}",
                        g.path.display(),
                        g.from,
                        g.transform,
                        g.fair
                    );
                }
                PairOutcome::CoveredBy(id) => {
                    let _ = writeln!(out, "covered by generated {id}");
                }
                PairOutcome::Discarded(tried) => {
                    let _ = writeln!(out, "no fair candidate");
                    for (id, why) in tried {
                        let _ = writeln!(out, "    {id}: {why}");
                    }
                }
                PairOutcome::NeedsHandWritten(why) => {
                    let _ = writeln!(out, "needs a hand-written scenario: {why}");
                }
                PairOutcome::OverBudget => {
                    let _ = writeln!(out, "not tried (budget spent)");
                }
            }
        }
        if !self.undeclared.is_empty() {
            let _ = writeln!(out, "no realisation declared: {}", self.undeclared.join(", "));
        }
        out
    }
}

fn rank_text(rank: RiskRank) -> String {
    format!("{:?}/{}", rank.class, rank.weight)
}

/// The coverage facts of a library's tags: each scenario as one passing run.
pub fn library_facts(library: &[Arc<Scenario>]) -> Vec<JobFacts> {
    library
        .iter()
        .map(|s| JobFacts {
            scenario: s.id().to_owned(),
            seed: 0,
            tags: s.tags().clone(),
            hazards: s.hazards().to_vec(),
            outcome: JobOutcome::Pass,
            verdicts: Vec::new(),
        })
        .collect()
}

fn holds(tags: &BTreeMap<String, String>, v: &ValueRef) -> bool {
    tags.get(&v.dimension).is_some_and(|x| *x == v.value)
}

/// A library scenario that can be made to exhibit `want` while it exhibits `have`.
struct Candidate<'a> {
    source: &'a Arc<Scenario>,
    want: &'a ValueRef,
    realisation: &'a Realisation,
}

/// The candidates for a pair, riskiest scenario first (then by id), or why there are none.
fn candidates<'a>(
    gap: &'a PairGap,
    library: &'a [Arc<Scenario>],
    taxonomy: &Taxonomy,
    realisations: &'a Realisations,
) -> Result<Vec<Candidate<'a>>, String> {
    let mut found = Vec::new();
    let mut why = Vec::new();
    for (have, want) in [(&gap.a, &gap.b), (&gap.b, &gap.a)] {
        let name = format!("{}: {}", want.dimension, want.value);
        let realisation = match realisations.get(&want.dimension, &want.value) {
            None => {
                why.push(format!("{name} has no realisation declared"));
                continue;
            }
            Some(Realisation::NotRealisable { reason }) => {
                why.push(format!("{name} is not realisable ({reason})"));
                continue;
            }
            Some(r) => r,
        };
        let exhibiting: Vec<&Arc<Scenario>> = library.iter().filter(|s| holds(s.tags(), have)).collect();
        if exhibiting.is_empty() {
            why.push(format!(
                "no library scenario exhibits {}: {} to realise {name} on",
                have.dimension, have.value
            ));
            continue;
        }
        let before = found.len();
        for s in exhibiting {
            let current = s.tags().get(&want.dimension);
            let replaceable = current
                .is_none_or(|v| realisations.get(&want.dimension, v).is_some_and(Realisation::is_realisable));
            if replaceable {
                found.push(Candidate { source: s, want, realisation });
            }
        }
        if found.len() == before {
            why.push(format!(
                "every library scenario with {}: {} has a {} that is not a setting a transform may replace",
                have.dimension, have.value, want.dimension
            ));
        }
    }
    if found.is_empty() {
        return Err(why.join("; "));
    }
    found.sort_by(|x, y| {
        taxonomy
            .scenario_risk(y.source.hazards())
            .cmp(&taxonomy.scenario_risk(x.source.hazards()))
            .then_with(|| x.source.id().cmp(y.source.id()))
            .then_with(|| x.want.cmp(y.want))
    });
    Ok(found)
}

/// A candidate transformed, validated, not yet judged fair.
struct Made {
    scenario: Arc<Scenario>,
    transform: String,
    path: PathBuf,
    text: String,
}

fn make(c: &Candidate<'_>, gap: &PairGap, taxonomy: &Taxonomy, options: &GapOptions) -> Result<Made, String> {
    let mut file = c.source.file().clone();
    let transform = transform::apply(&mut file, &c.want.dimension, &c.want.value, c.realisation)
        .map_err(|e| format!("the transform does not apply: {e}"))?;
    let id = format!("{}.gen_{}_{}", c.source.id(), c.want.dimension, c.want.value);
    let value_title =
        taxonomy.value(&c.want.dimension, &c.want.value).map_or(c.want.value.as_str(), |v| v.title.as_str());
    file.title = format!("{} [{}]", file.title, value_title);
    file.description = format!(
        "{} Generated from {} for the uncovered pair {}: {} × {}: {}: {}.",
        file.description,
        c.source.id(),
        gap.a.dimension,
        gap.a.value,
        gap.b.dimension,
        gap.b.value,
        transform
    );
    file.hazards.retain(|h| taxonomy.hazard(h).is_some_and(|hz| hz.can_arise_in(&file.tags)));
    let problems: Vec<String> = taxonomy
        .check_tags(&file.tags, &file.hazards)
        .into_iter()
        .filter(|p| !p.is_warning())
        .map(|p| p.to_string())
        .collect();
    if !problems.is_empty() {
        return Err(format!("its tags are refused: {}", problems.join("; ")));
    }
    let path = options.out.join(format!("{id}.ron"));
    file.id = id;
    // A boundary mark is a claim about the source's own conditions; a
    // variant in other conditions has to earn its own.
    file.beyond = None;
    file.generated = Some(GeneratedFile {
        from: c.source.id().to_owned(),
        file: Regression::relative_file(&options.out, c.source.path()),
        pair: vec![
            format!("{}: {}", gap.a.dimension, gap.a.value),
            format!("{}: {}", gap.b.dimension, gap.b.value),
        ],
        transforms: vec![format!("{}: {} ← {}", c.want.dimension, c.want.value, transform)],
    });
    let body = gauntlet_scenarios::mutation::scenario_ron(&file);
    let scenario = Scenario::from_source(SourceFile::new(&path, body.clone())).map_err(|e| {
        format!(
            "the result is not a valid scenario: {}",
            e.diagnostics.first().map(|d| d.to_string()).unwrap_or_default()
        )
    })?;
    Ok(Made { scenario: Arc::new(scenario), transform, path, text: body })
}

fn header(made: &Made, c: &Candidate<'_>, gap: &PairGap, fair: &str, options: &GapOptions) -> String {
    let hazards = if gap.hazards.is_empty() { "none".to_owned() } else { gap.hazards.join(", ") };
    format!(
        "// Generated by `gauntlet generate`: review it before keeping it (README \"Generated scenarios\").\n\
         // From: {} ({})\n\
         // Pair: {}: {} × {}: {}, uncovered by the library; hazards that can arise there: {hazards} (rank {})\n\
         // Transform: {}: {} ← {}\n\
         // Fair: {fair}\n\
         // Command: {}\n",
        c.source.path().display(),
        c.source.id(),
        gap.a.dimension,
        gap.a.value,
        gap.b.dimension,
        gap.b.value,
        rank_text(gap.rank),
        c.want.dimension,
        c.want.value,
        made.transform,
        options.command,
    )
}

/// The reference driver, for the fairness runs.
pub(crate) fn reference() -> Result<(AdapterFactory, AdapterIdentity), RunnerError> {
    let factory = AdapterFactory::new(&AdapterSpec::Builtin("reference".into()), &ExecOptions::default())?;
    let identity = AdapterIdentity::resolve(&factory)?;
    Ok((factory, identity))
}

/// Generates scenarios for the pairs the library's tags leave uncovered (see the module docs).
pub fn fill_gaps(
    library: &[Arc<Scenario>],
    taxonomy: &Taxonomy,
    realisations: &Realisations,
    options: &GapOptions,
) -> Result<GapGeneration, RunnerError> {
    let start = Instant::now();
    let mut facts = library_facts(library);
    let report = coverage(taxonomy, &facts, &CoverageOptions::default());
    let (factory, identity) = reference()?;
    let mut adapter = factory.make();
    let mut out = GapGeneration {
        undeclared: realisations.undeclared(taxonomy).iter().map(|(d, v)| format!("{d}: {v}")).collect(),
        ..GapGeneration::default()
    };
    let mut spent = 0usize;
    let mut written: Vec<String> = Vec::new();
    for gap in &report.gaps.pairs {
        let mut pair = PairReport {
            a: gap.a.clone(),
            b: gap.b.clone(),
            rank: gap.rank,
            outcome: PairOutcome::OverBudget,
        };
        if let Some(f) = facts.iter().find(|f| holds(&f.tags, &gap.a) && holds(&f.tags, &gap.b)) {
            pair.outcome = PairOutcome::CoveredBy(f.scenario.clone());
            out.pairs.push(pair);
            continue;
        }
        let over_time = options.time_budget.is_some_and(|t| start.elapsed() >= t);
        let over_budget = options.budget.is_some_and(|b| spent + 1 + options.seeds_per_file > b);
        if over_time || over_budget {
            out.pairs.push(pair);
            continue;
        }
        let found = match candidates(gap, library, taxonomy, realisations) {
            Err(why) => {
                pair.outcome = PairOutcome::NeedsHandWritten(why);
                out.pairs.push(pair);
                continue;
            }
            Ok(found) => found,
        };
        let mut tried = Vec::new();
        for c in found.iter().take(MAX_CANDIDATES) {
            if options.budget.is_some_and(|b| spent + 1 + options.seeds_per_file > b) {
                break;
            }
            let made = match make(c, gap, taxonomy, options) {
                Ok(m) => m,
                Err(why) => {
                    tried.push((c.source.id().to_owned(), why));
                    continue;
                }
            };
            if written.contains(&made.scenario.id().to_owned()) {
                tried.push((
                    c.source.id().to_owned(),
                    format!("{} was generated already", made.scenario.id()),
                ));
                continue;
            }
            let (verdict, runs) = fairness(&made.scenario, taxonomy, adapter.as_mut(), &identity);
            spent += runs;
            match verdict {
                Fairness::Fair(why) => {
                    let text = format!("{}{}", header(&made, c, gap, &why, options), made.text);
                    std::fs::create_dir_all(&options.out)
                        .map_err(|source| RunnerError::Io { path: options.out.clone(), source })?;
                    std::fs::write(&made.path, text)
                        .map_err(|source| RunnerError::Io { path: made.path.clone(), source })?;
                    spent += options.seeds_per_file;
                    written.push(made.scenario.id().to_owned());
                    facts.push(JobFacts {
                        scenario: made.scenario.id().to_owned(),
                        seed: 0,
                        tags: made.scenario.tags().clone(),
                        hazards: made.scenario.hazards().to_vec(),
                        outcome: JobOutcome::Pass,
                        verdicts: Vec::new(),
                    });
                    pair.outcome = PairOutcome::Generated(Generated {
                        path: made.path,
                        id: made.scenario.id().to_owned(),
                        from: c.source.id().to_owned(),
                        transform: format!("{}: {} ← {}", c.want.dimension, c.want.value, made.transform),
                        fair: why,
                    });
                    break;
                }
                Fairness::Unfair(why) => {
                    tried.push((made.scenario.id().to_owned(), format!("unfair: {why}")))
                }
            }
        }
        if !matches!(pair.outcome, PairOutcome::Generated(_)) && !tried.is_empty() {
            pair.outcome = PairOutcome::Discarded(tried);
        }
        out.pairs.push(pair);
    }
    out.simulations = spent;
    Ok(out)
}
