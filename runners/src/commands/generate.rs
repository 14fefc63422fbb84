//! `gauntlet generate`: scenarios for the coverage gaps, written, validated,
//! run over seeds and fuzzed within their new ranges.
//!
//! [`crate::generate::fill_gaps`] writes the generated files; they are then
//! validated like any scenario file (`gauntlet validate`), run with the
//! adapter under test over seeds `0..seeds` (records with their provenance,
//! failures triaged), and what is left of the budget goes to a fuzz campaign
//! over them (search strategy), whose shrunk failures are saved as
//! regressions.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gauntlet_reports::record::{Outcome, RecordWriter};
use gauntlet_scenarios::Scenario;

use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::checks::requirement_checks;
use crate::commands::fuzz::{FuzzConfig, FuzzReport, fuzz};
use crate::commands::validate::validate;
use crate::error::RunnerError;
use crate::execute::{ExecOptionsSweep, execute};
use crate::fuzz::{ShrinkOptions, StrategyKind};
use crate::generate::{GapGeneration, GapOptions, fill_gaps, load_realisations};
use crate::job::{AdapterIdentity, Job};
use crate::plan::Library;

/// Options of `gauntlet generate`.
#[derive(Debug, Clone)]
pub struct GenerateConfig {
    /// Library scenario files and folders the gaps are measured against and generated from.
    pub library: Vec<PathBuf>,
    /// Taxonomy (default: `taxonomy/default.ron` or the built-in copy).
    pub taxonomy: Option<PathBuf>,
    /// Realisations (default: `taxonomy/realisations.ron` or the built-in copy).
    pub realisations: Option<PathBuf>,
    /// Folder of the generated files.
    pub out: PathBuf,
    /// Simulations in all: fairness runs, seeds, then the fuzz campaign.
    pub budget: usize,
    /// Stop starting new pairs after this long.
    pub time_budget: Option<Duration>,
    /// Fuzz campaign seed.
    pub seed: u64,
    /// Seeds each generated file runs over.
    pub seeds: u64,
    /// Worker threads.
    pub threads: usize,
    /// The adapter under test.
    pub adapter: AdapterSpec,
    /// External adapter options.
    pub exec: ExecOptions,
    /// Records of the seed runs.
    pub records: PathBuf,
    /// Records of the fuzz campaign.
    pub fuzz_records: PathBuf,
    /// Where shrunk failures are saved (`None`: not saved).
    pub regressions: Option<PathBuf>,
    /// Shrinking.
    pub shrink: ShrinkOptions,
    /// The command line, for the files' headers.
    pub command: String,
}

/// How one generated file fared over its seeds.
#[derive(Debug, Clone)]
pub struct SeedResult {
    /// Scenario id.
    pub id: String,
    /// Runs that passed.
    pub passed: usize,
    /// Failing runs: seed, first violated criterion, and triage in words.
    pub failed: Vec<(u64, String, String)>,
    /// Runs that ended in an error.
    pub errored: usize,
}

/// What `gauntlet generate` did.
#[derive(Debug, Clone)]
pub struct GenerateReport {
    /// The gap generation.
    pub gaps: GapGeneration,
    /// Problems `gauntlet validate` finds in the generated files (none expected).
    pub problems: Vec<String>,
    /// Per generated file, its seed runs.
    pub seeds: Vec<SeedResult>,
    /// The fuzz campaign over the generated files, when budget was left.
    pub fuzz: Option<FuzzReport>,
    /// Where the seed runs' records went.
    pub records: PathBuf,
}

impl GenerateReport {
    /// Exit code: 1 when a generated file is invalid, or a seed run or fuzz instance failed or errored.
    pub fn exit_code(&self) -> u8 {
        let seeds_bad = self.seeds.iter().any(|s| !s.failed.is_empty() || s.errored > 0);
        u8::from(
            !self.problems.is_empty() || seeds_bad || self.fuzz.as_ref().is_some_and(|f| f.exit_code() != 0),
        )
    }

    /// The report in words.
    pub fn render(&self) -> String {
        let mut out = self.gaps.render();
        for p in &self.problems {
            let _ = writeln!(out, "invalid: {p}");
        }
        if !self.seeds.is_empty() {
            let _ = writeln!(out, "seed runs (records: {}):", self.records.display());
        }
        for s in &self.seeds {
            let _ = writeln!(
                out,
                "  {}: {} passed, {} failed, {} errors",
                s.id,
                s.passed,
                s.failed.len(),
                s.errored
            );
            for (seed, criterion, triage) in &s.failed {
                let _ = writeln!(out, "    seed {seed}: {criterion}; {triage}");
            }
        }
        match &self.fuzz {
            Some(f) => {
                let _ = writeln!(out, "fuzzing the generated files (records: {}):", f.out.display());
                out.push_str(&f.render());
            }
            None => {
                let _ = writeln!(out, "no fuzzing: nothing generated or no budget left");
            }
        }
        out
    }
}

/// Runs `gauntlet generate`.
pub fn generate(config: &GenerateConfig) -> Result<GenerateReport, RunnerError> {
    let taxonomy = crate::taxonomy::load_taxonomy(config.taxonomy.as_deref())?;
    let realisations = load_realisations(config.realisations.as_deref(), &taxonomy)?;
    let library = Library::load(&config.library)?;
    let options = GapOptions {
        out: config.out.clone(),
        budget: Some(config.budget),
        time_budget: config.time_budget,
        seeds_per_file: config.seeds as usize,
        command: config.command.clone(),
    };
    let gaps = fill_gaps(&library.scenarios, &taxonomy, &realisations, &options)?;
    let paths: Vec<PathBuf> = gaps.generated().map(|g| g.path.clone()).collect();
    let mut report = GenerateReport {
        gaps,
        problems: Vec::new(),
        seeds: Vec::new(),
        fuzz: None,
        records: config.records.clone(),
    };
    if paths.is_empty() {
        return Ok(report);
    }
    report.problems = validate(&paths, Some(&taxonomy))?.problems;
    let scenarios: Vec<Arc<Scenario>> =
        paths.iter().map(|p| Scenario::load(p).map(Arc::new)).collect::<Result<_, _>>()?;

    let factory = AdapterFactory::new(&config.adapter, &config.exec)?;
    let identity = AdapterIdentity::resolve(&factory)?;
    let jobs: Vec<Job> = scenarios
        .iter()
        .flat_map(|s| {
            let checks: Arc<[_]> = requirement_checks(&taxonomy, s.hazards()).into();
            (0..config.seeds)
                .map(move |seed| Job::seeded(Arc::clone(s), seed).with_checks(Arc::clone(&checks)))
        })
        .collect();
    if let Some(dir) = config.records.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| RunnerError::Io { path: dir.to_path_buf(), source })?;
    }
    let file = File::create(&config.records)
        .map_err(|source| RunnerError::Io { path: config.records.clone(), source })?;
    let mut writer = RecordWriter::new(BufWriter::new(file));
    let mut seeds: Vec<SeedResult> = scenarios
        .iter()
        .map(|s| SeedResult { id: s.id().to_owned(), passed: 0, failed: Vec::new(), errored: 0 })
        .collect();
    execute(
        &jobs,
        &factory,
        &identity,
        ExecOptionsSweep { threads: config.threads, triage: true },
        &|| true,
        |record| {
            writer.write(&record)?;
            if let Some(s) = seeds.iter_mut().find(|s| s.id == record.scenario) {
                match record.outcome {
                    Outcome::Pass => s.passed += 1,
                    Outcome::Error => s.errored += 1,
                    Outcome::Fail => {
                        let criterion =
                            record.verdicts.iter().find(|v| !v.passed).map_or("?", |v| v.criterion.as_str());
                        let triage = record.triage.as_ref().map_or_else(
                            || "not triaged".to_owned(),
                            |t| match t.avoidable {
                                Some(true) => format!(
                                    "avoidable: {} from t = {:.2} s",
                                    t.manoeuvre.as_deref().unwrap_or("?"),
                                    t.from_t.unwrap_or(0.0)
                                ),
                                Some(false) => format!("unavoidable: {}", t.note),
                                None => format!("triage unsettled: {}", t.note),
                            },
                        );
                        s.failed.push((record.seed, criterion.to_owned(), triage));
                    }
                }
            }
            Ok::<(), gauntlet_reports::record::WriteError>(())
        },
    )
    .map_err(|e| RunnerError::Fuzz(crate::fuzz::FuzzError::Execute(e.to_string())))?;
    factory.finish_log()?;
    report.seeds = seeds;

    let left = config.budget.saturating_sub(report.gaps.simulations);
    if left > 0 {
        let fuzz_config = FuzzConfig {
            paths,
            budget: left,
            seed: config.seed,
            strategy: StrategyKind::Search,
            threads: config.threads,
            adapter: config.adapter.clone(),
            exec: config.exec.clone(),
            out: config.fuzz_records.clone(),
            regressions: config.regressions.clone(),
            taxonomy: config.taxonomy.clone(),
            coverage_from: None,
            shrink: config.shrink,
            formulas: None,
            fill_gaps: None,
            against: None,
        };
        report.fuzz = Some(fuzz(&fuzz_config)?);
    }
    Ok(report)
}
