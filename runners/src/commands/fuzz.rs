//! `gauntlet fuzz`: a fuzz campaign over scenario files.
//!
//! Loads the scenarios and their fuzz spaces, orders them and splits the
//! budget by coverage gaps and risk ([`crate::fuzz::allocate`]), runs the
//! campaign ([`crate::fuzz::CampaignOptions`]) streaming records to `out`, saves
//! shrunk failures as regression files, and reports how coverage moved.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;

use gauntlet_reports::coverage::job_facts;
use gauntlet_reports::record::{RecordWriter, RunRecord, read_records};
use gauntlet_reports::{Summary, SummaryBuilder};
use gauntlet_scenarios::mutation::FuzzSpace;
use gauntlet_scenarios::regression::Saved;
use gauntlet_taxonomy::{CoverageOptions, JobFacts, coverage};

use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::error::RunnerError;
use crate::fuzz::{
    Against, Campaign, CampaignOptions, CampaignReport, CoverageMove, FuzzError, FuzzTarget, Machine,
    ShrinkOptions, StrategyKind, allocate,
};
use crate::job::AdapterIdentity;
use crate::plan::{Library, LoadError};

/// Options of a campaign.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    /// Scenario files and folders.
    pub paths: Vec<PathBuf>,
    /// Simulations of generated instances (shrinking comes on top).
    pub budget: usize,
    /// Campaign seed.
    pub seed: u64,
    /// How instances are picked.
    pub strategy: StrategyKind,
    /// Worker threads (they change how fast, never what).
    pub threads: usize,
    /// The adapter.
    pub adapter: AdapterSpec,
    /// External adapter options.
    pub exec: ExecOptions,
    /// Records file (JSON Lines).
    pub out: PathBuf,
    /// Folder of regression files; `None`: shrunk failures are not saved.
    pub regressions: Option<PathBuf>,
    /// Taxonomy directing the budget (default: `taxonomy/default.ron` or the built-in copy).
    pub taxonomy: Option<PathBuf>,
    /// Records of earlier sweeps: the coverage the campaign starts from.
    pub coverage_from: Option<PathBuf>,
    /// Shrinking.
    pub shrink: ShrinkOptions,
    /// Falsify requirement formulas instead of every criterion (`None`: every criterion).
    pub formulas: Option<FormulaSelection>,
    /// `--fill-gaps`: generate scenarios for the pairs the paths leave uncovered first, and fuzz them too.
    pub fill_gaps: Option<FillGaps>,
    /// A differential campaign against this OLD adapter (`--against`): see [`Differential`].
    pub against: Option<Differential>,
}

/// `fuzz --fill-gaps`: the gap generation of `gauntlet generate` ([`crate::generate::fill_gaps`])
/// feeding the campaign. Its fairness runs count against the campaign's budget; without
/// `--coverage-from`, the campaign starts from the coverage of the paths' tags, so the
/// coverage-directed budget favours the generated scenarios.
#[derive(Debug, Clone)]
pub struct FillGaps {
    /// Folder the generated scenarios are written to.
    pub out: PathBuf,
    /// Realisations file (default: `taxonomy/realisations.ron` or the built-in copy).
    pub realisations: Option<PathBuf>,
    /// The command line, for the files' headers.
    pub command: String,
}

/// `gauntlet fuzz --adapter NEW --against OLD [--tolerance T]`: every
/// instance runs with both adapters; only instances where NEW violates a
/// targeted criterion OLD holds (or loses more than `tolerance` of its
/// scaled margin while OLD holds) are failures, shrunk and saved naming
/// both adapters; failures both share are reported apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Differential {
    /// The OLD adapter.
    pub adapter: AdapterSpec,
    /// Scaled margin NEW may lose against OLD (`None`: only violations count).
    pub tolerance: Option<f64>,
    /// Where OLD's records go (JSON Lines; default: `out` with `.against` before its extension).
    pub out: Option<PathBuf>,
}

impl Differential {
    /// Where OLD's records of a campaign writing NEW's to `out` go.
    pub fn records_path(&self, out: &std::path::Path) -> PathBuf {
        self.out.clone().unwrap_or_else(|| {
            let stem = out.file_stem().map_or_else(|| "fuzz".into(), |s| s.to_string_lossy().into_owned());
            let ext = out.extension().map_or_else(|| "jsonl".into(), |e| e.to_string_lossy().into_owned());
            out.with_file_name(format!("{stem}.against.{ext}"))
        })
    }
}

/// Which requirement formulas a campaign falsifies (`--formulas`,
/// `--hazard`, `--requirement`): with no id, every formula; else the formula
/// checks of the named requirements and of those mitigating the named hazards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormulaSelection {
    /// Hazard ids of the taxonomy.
    pub hazards: Vec<String>,
    /// Requirement ids of the taxonomy.
    pub requirements: Vec<String>,
}

/// What a campaign did.
#[derive(Debug, Clone)]
pub struct FuzzReport {
    /// The campaign.
    pub campaign: CampaignReport,
    /// Summary of the records written.
    pub summary: Summary,
    /// How coverage moved.
    pub coverage: CoverageMove,
    /// Where the records went.
    pub out: PathBuf,
    /// With `--fill-gaps`: what the gap generation did.
    pub gaps: Option<crate::generate::GapGeneration>,
    /// Differential campaigns: OLD's adapter and where its records went.
    pub against: Option<(String, PathBuf)>,
}

impl FuzzReport {
    /// Exit code: 1 when any instance failed or errored, else 0.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.summary.totals.fail + self.summary.totals.error > 0)
    }

    /// The campaign in words: per scenario, each failure (original → shrunk,
    /// and where it was saved), and how coverage moved.
    pub fn render(&self) -> String {
        let c = &self.campaign;
        let mut out = self.gaps.as_ref().map(crate::generate::GapGeneration::render).unwrap_or_default();
        let _ = writeln!(
            out,
            "fuzz campaign: strategy {}, seed {}, target {}: {} simulations, {} more shrinking",
            c.strategy, c.seed, c.target, c.simulations, c.shrink_simulations
        );
        if let Some((old, _)) = &self.against {
            let _ = writeln!(
                out,
                "differential: every instance (and shrink probe) also ran against {old}; failures are those \
                 {old} does not share ({} shared failures reported apart)",
                c.shared.len()
            );
        }
        let _ = writeln!(
            out,
            "{:<40} {:>5} {:>5} {:>6} {:>9} {:>10}",
            "scenario", "share", "sims", "fails", "1st fail", "lowest"
        );
        for s in &c.scenarios {
            let first = s.first_failure.map_or_else(|| "-".to_owned(), |n| n.to_string());
            let lowest = s.lowest.map_or_else(|| "-".to_owned(), |x| format!("{x:.3}"));
            let _ = writeln!(
                out,
                "{:<40} {:>5} {:>5} {:>6} {:>9} {:>10}",
                s.scenario, s.share, s.simulations, s.failures, first, lowest
            );
        }
        for f in &c.failures {
            let _ = match f.against_margin {
                Some(o) => writeln!(
                    out,
                    "differential failure: {} {} {} (margin {:.3}; the OLD adapter holds it with margin {o:.3})",
                    f.scenario,
                    if f.margin < 0.0 { "violates" } else { "loses margin on" },
                    f.criterion,
                    f.margin
                ),
                None => {
                    writeln!(out, "failure: {} violates {} (margin {:.3})", f.scenario, f.criterion, f.margin)
                }
            };
            let _ = writeln!(out, "  original: {}", describe_genome(&f.original));
            match &f.shrunk {
                Some(s) => {
                    let _ = writeln!(
                        out,
                        "  shrunk:   {} (margin {:.3}; {} simulations{})",
                        describe_genome(&s.genome),
                        s.margin,
                        s.simulations,
                        if s.minimal { ", locally minimal" } else { ", shrink budget spent" }
                    );
                    match &s.saved {
                        Some(Saved::New(p)) => {
                            let _ = writeln!(out, "  saved {}", p.display());
                        }
                        Some(Saved::Duplicate(p)) => {
                            let _ = writeln!(out, "  already saved as {}", p.display());
                        }
                        None => {}
                    }
                }
                None => {
                    let _ = writeln!(out, "  not shrunk (--max-shrinks reached)");
                }
            }
        }
        for f in &c.shared {
            let _ = writeln!(
                out,
                "shared failure (not a finding): {} violates {} with both adapters (margins {:.3} and {:.3}): {}",
                f.scenario,
                f.criterion,
                f.margin,
                f.against_margin,
                describe_genome(&f.genome)
            );
        }
        let _ = writeln!(out, "coverage: {}", self.coverage);
        out
    }
}

/// One line: the values away from nominal are not listed (too long); the
/// mutations are.
fn describe_genome(g: &gauntlet_scenarios::mutation::Genome) -> String {
    let m = &g.mutations;
    let mut parts = vec![format!("seed {}", g.seed)];
    let values: Vec<String> = g.values.iter().map(|(k, v)| format!("{k}={v:.4}")).collect();
    if !values.is_empty() {
        parts.push(values.join(" "));
    }
    if !m.actors.is_empty() {
        let names: Vec<&str> = m.actors.iter().map(|a| a.template.as_str()).collect();
        parts.push(format!("+actors [{}]", names.join(", ")));
    }
    if !m.trigger_shifts.is_empty() {
        let shifts: Vec<String> = m.trigger_shifts.iter().map(|(k, v)| format!("{k}{v:+.3}s")).collect();
        parts.push(format!("shifts [{}]", shifts.join(", ")));
    }
    if !m.sensor.is_none() {
        let mut faults = Vec::new();
        if let Some(v) = m.sensor.noise_sigma {
            faults.push(format!("noise {v:.3}"));
        }
        if let Some(v) = m.sensor.dropout {
            faults.push(format!("dropout {v:.3}"));
        }
        if let Some(v) = m.sensor.latency_steps {
            faults.push(format!("latency {v}"));
        }
        parts.push(format!("faults [{}]", faults.join(", ")));
    }
    if let Some(d) = m.duration {
        parts.push(format!("duration {d:.2}s"));
    }
    parts.join("; ")
}

/// Runs a campaign.
pub fn fuzz(config: &FuzzConfig) -> Result<FuzzReport, RunnerError> {
    let factory = AdapterFactory::new(&config.adapter, &config.exec)?;
    let mut library = Library::load(&config.paths)?;
    let taxonomy = crate::taxonomy::load_taxonomy(config.taxonomy.as_deref())?;
    let mut budget = config.budget;
    let mut gaps = None;
    let mut before: Vec<JobFacts> = Vec::new();
    if let Some(fill) = &config.fill_gaps {
        let realisations = crate::generate::load_realisations(fill.realisations.as_deref(), &taxonomy)?;
        let options = crate::generate::GapOptions {
            out: fill.out.clone(),
            budget: Some(config.budget),
            time_budget: None,
            seeds_per_file: 0,
            command: fill.command.clone(),
        };
        let generation = crate::generate::fill_gaps(&library.scenarios, &taxonomy, &realisations, &options)?;
        budget = budget.saturating_sub(generation.simulations);
        if config.coverage_from.is_none() {
            before = crate::generate::library_facts(&library.scenarios);
        }
        for g in generation.generated() {
            library.scenarios.push(Arc::new(gauntlet_scenarios::Scenario::load(&g.path)?));
        }
        gaps = Some(generation);
    }
    let target = match &config.formulas {
        None => FuzzTarget::Criteria,
        Some(sel) => {
            FuzzTarget::formulas(&taxonomy, &sel.hazards, &sel.requirements).map_err(FuzzError::from)?
        }
    };
    let mut spaces = Vec::with_capacity(library.scenarios.len());
    let mut invalid = Vec::new();
    // A formula target skips the scenarios none of its formulas judges.
    for s in library.scenarios.iter().filter(|s| target.applies_to(s, Some(&taxonomy))) {
        match FuzzSpace::new(Arc::clone(s)) {
            Ok(space) => spaces.push(Arc::new(space)),
            Err(e) => invalid.push(e),
        }
    }
    if !invalid.is_empty() {
        return Err(LoadError(invalid).into());
    }
    if spaces.is_empty() && target != FuzzTarget::Criteria {
        return Err(FuzzError::NothingTargeted(target.describe()).into());
    }
    if let Some(path) = &config.coverage_from {
        for record in read_records(path) {
            let record = record?;
            before.push(job_facts(&record));
        }
    }
    let scenarios: Vec<&gauntlet_scenarios::Scenario> =
        spaces.iter().map(|s| s.scenario().as_ref()).collect();
    let start = coverage(&taxonomy, &before, &CoverageOptions::default());
    let allocations = allocate(&taxonomy, &scenarios, &start, budget);

    let identity = AdapterIdentity::resolve(&factory)?;
    // OLD's adapter of a differential campaign (its exchanges are not logged).
    let old = match &config.against {
        Some(d) => {
            let exec = ExecOptions { adapter_log: None, ..config.exec.clone() };
            let factory = AdapterFactory::new(&d.adapter, &exec)?;
            let identity = AdapterIdentity::resolve(&factory)?;
            Some((factory, identity, d.records_path(&config.out), d.tolerance))
        }
        None => None,
    };
    let mut writer = create_records(&config.out)?;
    let mut old_writer = match &old {
        Some((_, _, path, _)) => Some(create_records(path)?),
        None => None,
    };
    let mut summary = SummaryBuilder::default();
    let mut campaign_facts = Vec::new();
    let options = CampaignOptions {
        strategy: config.strategy,
        seed: config.seed,
        shrink: config.shrink,
        regressions: config.regressions.clone(),
        target,
    };
    let machine = Machine {
        factory: &factory,
        identity: &identity,
        threads: config.threads,
        taxonomy: Some(&taxonomy),
        triage: false,
    };
    let against = old.as_ref().map(|(factory, identity, _, tolerance)| Against {
        machine: Machine {
            factory,
            identity,
            threads: config.threads,
            taxonomy: Some(&taxonomy),
            triage: false,
        },
        tolerance: *tolerance,
    });
    let mut campaign = Campaign::new(&spaces, &options);
    if let Some(a) = &against {
        campaign = campaign.against(a);
    }
    let campaign =
        campaign.run(&allocations, &machine, &mut |record: RunRecord, old: Option<RunRecord>| {
            writer.write(&record)?;
            summary.add(&record);
            campaign_facts.push(job_facts(&record));
            if let (Some(w), Some(o)) = (old_writer.as_mut(), old) {
                w.write(&o)?;
            }
            Ok(())
        })?;
    drop(old_writer);
    factory.finish_log()?;
    let coverage = CoverageMove::new(&taxonomy, &before, &campaign_facts);
    Ok(FuzzReport {
        campaign,
        summary: summary.finish(),
        coverage,
        out: config.out.clone(),
        gaps,
        against: old.map(|(_, identity, path, _)| (identity.reference.spec.clone(), path)),
    })
}

/// A records file at `path` (its folder created).
fn create_records(path: &std::path::Path) -> Result<RecordWriter<BufWriter<File>>, RunnerError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| RunnerError::Io { path: dir.to_path_buf(), source })?;
    }
    let file = File::create(path).map_err(|source| RunnerError::Io { path: path.to_path_buf(), source })?;
    Ok(RecordWriter::new(BufWriter::new(file)))
}
