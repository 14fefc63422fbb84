//! Command-line parsing and dispatch. Every command is a library function;
//! this module only maps arguments to configs and results to output and exit codes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::adapter::{AdapterSpec, ExecOptions};
use crate::artefacts::{ArtefactOptions, error_chain};
use crate::commands::{catalogue, coverage, fuzz, import, merge, replay, report, run, validate};
use crate::error::{EXIT_FAIL, EXIT_PASS, EXIT_USAGE, RunnerError};
use crate::json::OutputFormat;
use crate::taxonomy::load_taxonomy;
use crate::{errln, out, outln};

/// Gauntlet: deterministic, physics-backed scenario testing for autonomy stacks.
#[derive(Debug, Parser)]
#[command(name = "gauntlet", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Adapter options shared by the commands that run jobs.
#[derive(Debug, Clone, clap::Args)]
pub struct AdapterArgs {
    /// The system under test: `builtin:NAME` or `exec:"COMMAND ARGS…"` [default: builtin:reference;
    /// `replay` of a regression or a record: the adapter it names].
    #[arg(long)]
    pub adapter: Option<AdapterSpec>,
    /// Longest wait for an external adapter's answer to `observe` (e.g. `1s`, `250ms`).
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub step_timeout: Duration,
    /// Longest wait for an external adapter's `hello` and `ready`.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub startup_timeout: Duration,
    /// Write every line exchanged with an external adapter to this JSON Lines file.
    #[arg(long)]
    pub adapter_log: Option<PathBuf>,
}

impl AdapterArgs {
    /// The named adapter, or the default one.
    fn spec(&self) -> AdapterSpec {
        self.adapter.clone().unwrap_or_else(default_adapter)
    }

    fn exec_options(&self) -> ExecOptions {
        ExecOptions {
            step_timeout: self.step_timeout,
            startup_timeout: self.startup_timeout,
            adapter_log: self.adapter_log.clone(),
        }
    }
}

/// The CI artefacts and verdict, shared by `run` and `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ArtefactArgs {
    /// Write JUnit XML (one test suite per scenario) to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown summary (verdict, gate, regressions, top-risk gaps) to this file.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write the self-contained HTML dashboard to this file; failing jobs are re-run for their traces.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Compare with an earlier records file: exit 1 then means a regression or a flake.
    #[arg(long, value_name = "OLD.jsonl")]
    pub baseline: Option<PathBuf>,
    /// With --baseline, also exit 1 on jobs that were already failing.
    #[arg(long, requires = "baseline")]
    pub strict: bool,
    /// With --baseline, how far each criterion's margin may shrink on a passing job, in that criterion's unit
    /// (default 0.1 × the criterion's scale; the gate file's [gate.margin_tolerance] wins per criterion).
    #[arg(long, value_parser = parse_tolerance, value_name = "X")]
    pub margin_tolerance: Option<f64>,
    /// Check the `[gate]` thresholds of this TOML file (e.g. gauntlet.toml); a failed check exits 1.
    #[arg(long, value_name = "FILE")]
    pub gate: Option<PathBuf>,
    /// Folder of earlier records files (`*.jsonl`, oldest name first) for the dashboard's trend.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Most failing jobs re-run to draw their traces in the dashboard.
    #[arg(long, default_value_t = crate::artefacts::DEFAULT_MAX_TRACES, value_name = "N")]
    pub max_traces: usize,
    /// Title of the JUnit report, the Markdown summary and the dashboard.
    #[arg(long, default_value = "Gauntlet")]
    pub title: String,
    /// Runtime-monitor figures.
    #[command(flatten)]
    pub monitors: MonitorArgs,
}

impl ArtefactArgs {
    fn options(self) -> ArtefactOptions {
        ArtefactOptions {
            title: self.title,
            junit: self.junit,
            markdown: self.markdown,
            html: self.html,
            baseline: self.baseline,
            strict: self.strict,
            margin_tolerance: self.margin_tolerance,
            gate: self.gate,
            history: self.history,
            max_traces: self.max_traces,
            monitors: self.monitors.overrides(),
        }
    }
}

/// Parses a non-negative, finite margin tolerance.
fn parse_tolerance(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("expected a non-negative number, found {s:?}")),
    }
}

/// The runtime-monitor figures' parameters (README "Runtime monitors").
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct MonitorArgs {
    /// A passing verdict is a near miss when its margin is under F × its threshold (> 0; overrides the gate
    /// file's [monitors] near_miss_fraction; default 0.5).
    #[arg(long, value_parser = parse_positive, value_name = "F")]
    pub near_miss_fraction: Option<f64>,
    /// How long before a safety event a monitor's activation may start and still announce it, s (> 0;
    /// overrides the gate file's [monitors] lead_window; default 5).
    #[arg(long, value_parser = parse_positive, value_name = "S")]
    pub lead_window: Option<f64>,
}

impl MonitorArgs {
    fn overrides(self) -> gauntlet_reports::monitors::MonitorOverrides {
        gauntlet_reports::monitors::MonitorOverrides {
            near_miss_fraction: self.near_miss_fraction,
            lead_window: self.lead_window,
        }
    }
}

/// Parses a finite number > 0.
fn parse_positive(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("expected a number > 0, found {s:?}")),
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every scenario × seed in parallel and stream one record per job.
    Run {
        /// Scenario files or folders.
        #[arg(default_value = "scenarios/library")]
        paths: Vec<PathBuf>,
        /// Seeds per scenario (seed 0 is the nominal instance).
        #[arg(long, default_value_t = 8)]
        seeds: u64,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Records file (JSON Lines).
        #[arg(long, default_value = "gauntlet-out/records.jsonl")]
        out: PathBuf,
        /// Run at most this many jobs.
        #[arg(long)]
        budget: Option<usize>,
        /// Stop handing out new jobs after this much time (e.g. `10m`).
        #[arg(long, value_parser = parse_duration)]
        time_budget: Option<Duration>,
        /// Taxonomy for risk ordering (default: taxonomy/default.ron, else the built-in copy).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Run only shard K of N (1-based): a stable partition by scenario id and seed.
        #[arg(long, value_name = "K/N")]
        shard: Option<crate::shard::Shard>,
        /// Keep the complete records already in --out and run only the missing jobs.
        #[arg(long)]
        resume: bool,
        /// Folder of saved regressions, run first (those of the sweep's scenarios, saved for this adapter).
        #[arg(long, default_value = "scenarios/regressions")]
        regressions: PathBuf,
        /// Do not run the saved regressions of the folder.
        #[arg(long)]
        no_regressions: bool,
        /// Do not triage failing jobs (triage re-runs each failing job with oracle manoeuvres).
        #[arg(long)]
        no_triage: bool,
        /// Output format: `json` prints one JSON document (`gauntlet schema NAME` gives its shape).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Exit 0 when nothing was judged (no job, e.g. an empty folder or `--seeds 0`) instead of 2.
        #[arg(long)]
        allow_empty: bool,
        /// Re-run every failing job once the sweep is over and write its trace to DIR/<job id>.mcap, for Foxglove.
        #[arg(long, value_name = "DIR")]
        mcap_failures: Option<PathBuf>,
        /// CI artefacts and verdict.
        #[command(flatten)]
        artefacts: ArtefactArgs,
        /// Adapter options.
        #[command(flatten)]
        adapter: AdapterArgs,
    },
    /// Run one job again, bit for bit: a scenario at a seed, a regression file, or one job of a records file.
    Replay {
        /// A scenario file, a regression file, or a records file (`.jsonl`, with --job or --line).
        target: PathBuf,
        /// The seed [default: 0 for a scenario, the saved one for a regression].
        #[arg(long)]
        seed: Option<u64>,
        /// How to build the instance: a record's `source` (JSON), as fuzz records' replay commands give it.
        #[arg(long, value_name = "JSON", value_parser = parse_source)]
        source: Option<gauntlet_reports::record::JobSource>,
        /// With a records file: the job with this id.
        #[arg(long, value_name = "ID", conflicts_with = "line")]
        job: Option<String>,
        /// With a records file: the job on this 1-based line.
        #[arg(long, value_name = "N")]
        line: Option<u64>,
        /// Write every body's state at every step to this CSV file.
        #[arg(long)]
        trace: Option<PathBuf>,
        /// Write the trace as an MCAP file for Foxglove: scene, frames, observation, control and criteria margins.
        #[arg(long, value_name = "FILE")]
        mcap: Option<PathBuf>,
        /// Print the record as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Run the job twice with fresh adapters and report the first step where the runs differ
        /// (observations: the simulator; answers to the same observation: the adapter).
        #[arg(long)]
        check_adapter: bool,
        /// Write the replay viewer (a self-contained, animated HTML page) to this file.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Taxonomy whose requirement checks the job is scored against (default: taxonomy/default.ron, else built-in).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Do not triage the job if it fails.
        #[arg(long)]
        no_triage: bool,
        /// Adapter options.
        #[command(flatten)]
        adapter: AdapterArgs,
    },
    /// Check scenario files; report every problem with file:line:column and field path.
    Validate {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Check tags and hazards against this taxonomy (default: taxonomy/default.ron, else built-in).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Output format: `json` prints one JSON document (`gauntlet schema NAME` gives its shape).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Check only the scenario files themselves, not their tags.
        #[arg(long)]
        no_taxonomy: bool,
    },
    /// Coverage of the taxonomy by a records file: per value, pairwise, per hazard, traceability, gaps.
    Coverage {
        /// Records file (JSON Lines).
        #[arg(default_value = "gauntlet-out/records.jsonl")]
        records: PathBuf,
        /// The taxonomy (default: taxonomy/default.ron, else built-in).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: coverage::CoverageFormat,
        /// Checked runs an ASIL C/D hazard needs in top-risk coverage (default: the taxonomy's evidence policy).
        #[arg(long)]
        top_risk_min_runs: Option<u32>,
        /// Runtime-monitor figures.
        #[command(flatten)]
        monitors: MonitorArgs,
        /// Report coverage of a catalogue instead: a file, or a shipped name (`nhtsa`, `r157`, `euro_ncap`).
        #[arg(long, value_name = "NAME|FILE")]
        catalogue: Option<String>,
        /// Scenario folder whose ids the catalogue's mappings must name (default: scenarios/library when present).
        #[arg(long, requires = "catalogue")]
        library: Option<PathBuf>,
    },
    /// Merge record files (e.g. the shards of one sweep) into one, sorted by job.
    Merge {
        /// The record files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The merged records file.
        #[arg(long)]
        out: PathBuf,
        /// Accept records of different engine versions.
        #[arg(long)]
        allow_mixed: bool,
        /// Output format: `json` prints one JSON document (`gauntlet schema NAME` gives its shape).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Exit 0 even when records of the same job and inputs disagree.
        #[arg(long)]
        allow_conflicts: bool,
    },
    /// Write the CI artefacts and reach the verdict of an existing records file.
    Report {
        /// Records file (JSON Lines).
        records: PathBuf,
        /// Exit 0 when the file holds no record (nothing judged) instead of 2.
        #[arg(long)]
        allow_empty: bool,
        /// Taxonomy for coverage (default: taxonomy/default.ron, else the built-in copy).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Output format: `json` prints one JSON document (`gauntlet schema NAME` gives its shape).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Worker threads for re-running failing jobs for the dashboard (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// CI artefacts and verdict.
        #[command(flatten)]
        artefacts: ArtefactArgs,
    },
    /// Fuzz scenarios: generate instances nobody wrote, search for failures,
    /// shrink each to its simplest form and save it as a regression.
    Fuzz {
        /// Scenario files or folders.
        #[arg(default_value = "scenarios/library")]
        paths: Vec<PathBuf>,
        /// Simulations of generated instances (shrinking comes on top).
        #[arg(long, default_value_t = 200)]
        budget: usize,
        /// Campaign seed: the same seed and budget give the same instances and records.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// `random` (uniform sampling) or `search` (falsification by the cross-entropy method).
        #[arg(long, value_enum, default_value_t = crate::fuzz::StrategyKind::Search)]
        strategy: crate::fuzz::StrategyKind,
        /// Worker threads (default: all cores); they never change the results.
        #[arg(long)]
        jobs: Option<usize>,
        /// Records file (JSON Lines).
        #[arg(long, default_value = "gauntlet-out/fuzz.jsonl")]
        out: PathBuf,
        /// Folder where shrunk failures are saved.
        #[arg(long, default_value = "scenarios/regressions")]
        regressions: PathBuf,
        /// Do not save shrunk failures.
        #[arg(long)]
        no_save: bool,
        /// Taxonomy directing the budget (default: taxonomy/default.ron, else the built-in copy).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Records of earlier sweeps: the coverage the campaign starts from.
        #[arg(long, value_name = "RECORDS")]
        coverage_from: Option<PathBuf>,
        /// Shrink at most this many failures, in the order found (default: all).
        #[arg(long)]
        max_shrinks: Option<usize>,
        /// Output format: `json` prints one JSON document (`gauntlet schema NAME` gives its shape).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Simulations one shrink may spend.
        #[arg(long, default_value_t = 300)]
        shrink_budget: usize,
        /// Falsify the requirement formulas (every formula; narrowed by `--hazard`, `--requirement`)
        /// instead of every criterion: the search minimises their robustness.
        #[arg(long)]
        formulas: bool,
        /// Falsify the formula checks of the requirements mitigating this hazard (repeatable; implies `--formulas`).
        #[arg(long = "hazard", value_name = "HAZARD")]
        hazards: Vec<String>,
        /// Falsify the formula checks of this requirement (repeatable; implies `--formulas`).
        #[arg(long = "requirement", value_name = "REQUIREMENT")]
        requirements: Vec<String>,
        /// First generate scenarios for the feasible pairs the paths leave uncovered (as `gauntlet generate`)
        /// and fuzz them with the rest; their fairness runs count against --budget.
        #[arg(long)]
        fill_gaps: bool,
        /// With --fill-gaps: folder of the generated scenarios.
        #[arg(long, default_value = crate::generate::DEFAULT_GENERATED)]
        generated: PathBuf,
        /// With --fill-gaps: realisations file (default: taxonomy/realisations.ron, else the built-in copy).
        #[arg(long)]
        realisations: Option<PathBuf>,
        /// Differential campaign: run every instance with this OLD adapter too and look only for
        /// instances where `--adapter` (NEW) violates a criterion OLD holds (`builtin:NAME` or `exec:"…"`).
        #[arg(long, value_name = "OLD")]
        against: Option<AdapterSpec>,
        /// With --against: NEW losing more than T of a criterion's scaled margin while OLD holds it
        /// is a failure too (margins divided by the criterion's scale).
        #[arg(long, value_name = "T", value_parser = parse_tolerance, requires = "against")]
        tolerance: Option<f64>,
        /// With --against: OLD's records file [default: the records file with `.against` before its extension].
        #[arg(long, value_name = "FILE", requires = "against")]
        against_out: Option<PathBuf>,
        /// Adapter options.
        #[command(flatten)]
        adapter: AdapterArgs,
    },
    /// Close coverage gaps: generate scenarios for the uncovered feasible pairs (riskiest first) from library
    /// scenarios and the values' realisations, keep the fair ones, run them over seeds and fuzz them.
    Generate {
        /// Library scenario files or folders (the gaps are theirs; the sources too).
        #[arg(long, default_value = "scenarios/library")]
        library: Vec<PathBuf>,
        /// Taxonomy (default: taxonomy/default.ron, else the built-in copy).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Realisations file (default: taxonomy/realisations.ron, else the built-in copy).
        #[arg(long)]
        realisations: Option<PathBuf>,
        /// Folder the generated scenarios are written to.
        #[arg(long, default_value = crate::generate::DEFAULT_GENERATED)]
        out: PathBuf,
        /// Simulations in all: fairness runs, seed runs, then fuzzing the generated files.
        #[arg(long, default_value_t = 400)]
        budget: usize,
        /// Stop starting new pairs after this much time (e.g. `5m`).
        #[arg(long, value_parser = parse_duration)]
        time_budget: Option<Duration>,
        /// Fuzz campaign seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Seeds each generated file runs over.
        #[arg(long, default_value_t = 8)]
        seeds: u64,
        /// Worker threads (default: all cores); they never change the results.
        #[arg(long)]
        jobs: Option<usize>,
        /// Records of the seed runs (JSON Lines).
        #[arg(long, default_value = "gauntlet-out/generate.jsonl")]
        records: PathBuf,
        /// Records of the fuzz campaign (JSON Lines).
        #[arg(long, default_value = "gauntlet-out/generate-fuzz.jsonl")]
        fuzz_records: PathBuf,
        /// Folder where shrunk failures are saved.
        #[arg(long, default_value = "scenarios/regressions")]
        regressions: PathBuf,
        /// Do not save shrunk failures.
        #[arg(long)]
        no_save: bool,
        /// Simulations one shrink may spend.
        #[arg(long, default_value_t = 300)]
        shrink_budget: usize,
        /// Adapter options (the adapter under test; fairness is always judged with builtin:reference).
        #[command(flatten)]
        adapter: AdapterArgs,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to standard output.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output: `gauntlet man > gauntlet.1`.
    Man,
    /// List scenarios.
    List {
        /// Scenario files or folders.
        #[arg(default_value = "scenarios/library")]
        paths: Vec<PathBuf>,
        /// Output format: `json` prints one JSON document (`gauntlet schema NAME` gives its shape).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Convert an OpenSCENARIO file (`.xosc`, on its OpenDRIVE road) into a Gauntlet scenario
    /// (RON) whose runs give the same trace hashes; refuses what is outside the supported subset.
    Import {
        /// The `.xosc` file.
        input: PathBuf,
        /// The RON file to write (default: the input with the extension `.ron`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The entity that is the ego (default `Ego`, `ego`, `hero`, else the first car).
        #[arg(long)]
        ego: Option<String>,
    },
    /// Print the JSON Schema of a JSON output (`record`, `run`, `report`, `validate`, `list`,
    /// `merge`, `fuzz`, `coverage`, `evidence-manifest`, `assurance-case`, `evidence-verify`);
    /// without a name, list the names.
    Schema {
        /// The schema's name.
        name: Option<String>,
    },
    /// Work with external adapters.
    Adapter {
        /// What to do with the adapter.
        #[command(subcommand)]
        command: AdapterCommand,
    },
    /// A release's evidence pack (build, verify) and its assurance case.
    Evidence {
        /// What to do.
        #[command(subcommand)]
        command: EvidenceCommand,
    },
}

/// `gauntlet evidence …`.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Assemble a release's evidence pack (folder and .tar): inputs, records, coverage, traceability
    /// matrix, hazard log, assurance case, gate verdict, dashboard, all hashed in manifest.json.
    /// Runs the sweep, or packs an existing records file (--records). Exit 1 when the verdict fails.
    Build {
        /// Scenario files or folders to sweep (not with --records).
        #[arg(default_value = "scenarios/library")]
        paths: Vec<PathBuf>,
        /// Pack this records file instead of running a sweep.
        #[arg(long, value_name = "RECORDS")]
        records: Option<PathBuf>,
        /// The pack folder (an earlier pack there is replaced); the archive is FOLDER.tar.
        #[arg(long, default_value = "gauntlet-out/evidence")]
        out: PathBuf,
        /// The release's name.
        #[arg(long, default_value = "unnamed")]
        release: String,
        /// Do not write the .tar archive.
        #[arg(long)]
        no_archive: bool,
        /// Seeds per scenario of the sweep.
        #[arg(long, default_value_t = 8, conflicts_with = "records")]
        seeds: u64,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// The taxonomy (default: taxonomy/default.ron, else the built-in copy).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Check the `[gate]` thresholds of this TOML file; packed, and its checks join the verdict.
        #[arg(long, value_name = "FILE")]
        gate: Option<PathBuf>,
        /// Folder of saved regressions the sweep runs first.
        #[arg(long, default_value = "scenarios/regressions")]
        regressions: PathBuf,
        /// Do not run the saved regressions.
        #[arg(long)]
        no_regressions: bool,
        /// Do not triage failing jobs of the sweep.
        #[arg(long)]
        no_triage: bool,
        /// Runtime-monitor figures.
        #[command(flatten)]
        monitors: MonitorArgs,
        /// Adapter options (the sweep's adapter; with --records, the records name theirs).
        #[command(flatten)]
        adapter: AdapterArgs,
    },
    /// Check a pack: every hash, no missing or extra file, the engine version, and re-run a seeded
    /// sample of its jobs for identical trace hashes. Exit 0 only when all holds.
    Verify {
        /// The pack folder or its .tar.
        pack: PathBuf,
        /// Jobs to re-run (all when fewer).
        #[arg(long, default_value_t = crate::evidence::verify::DEFAULT_SAMPLE)]
        sample: usize,
        /// Seed of the sample.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Output format: `json` prints one JSON document (`gauntlet schema evidence-verify`).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Adapter options (--adapter re-runs with that adapter instead of the one each record names).
        #[command(flatten)]
        adapter: AdapterArgs,
    },
    /// Write the assurance case (GSN) of a records file: case.html, case.md, case.json.
    Case {
        /// Records file (JSON Lines).
        records: PathBuf,
        /// The folder to write to.
        #[arg(long, default_value = "gauntlet-out/case")]
        out: PathBuf,
        /// The release's name.
        #[arg(long, default_value = "unnamed")]
        release: String,
        /// The taxonomy (default: taxonomy/default.ron, else the built-in copy).
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Runtime-monitor figures (the hazard goals' monitor context).
        #[command(flatten)]
        monitors: MonitorArgs,
    },
}

/// `gauntlet adapter …`.
#[derive(Debug, Subcommand)]
pub enum AdapterCommand {
    /// Check an adapter against the protocol, clause by clause (docs/adapter-protocol.md);
    /// exit 0 when it conforms, 1 when a clause fails.
    Check {
        /// The adapter: `exec:"COMMAND ARGS…"` (or `builtin:NAME`, conformant by construction).
        adapter: AdapterSpec,
        /// Longest wait for its answer to `observe`.
        #[arg(long, default_value = "1s", value_parser = parse_duration)]
        step_timeout: Duration,
        /// Longest wait for its answers to `hello` and `reset`.
        #[arg(long, default_value = "30s", value_parser = parse_duration)]
        startup_timeout: Duration,
        /// Output format: `json` prints one JSON document (`gauntlet schema adapter-check`).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
}

/// Parses a job source given as JSON.
fn parse_source(s: &str) -> Result<gauntlet_reports::record::JobSource, String> {
    serde_json::from_str(s).map_err(|e| format!("not a job source ({e}); copy it from a record's `source`"))
}

/// Parses a duration as `humantime` writes them (`1s`, `250ms`, `2m`,
/// `1m30s`, `1h 5m`) or a plain, non-negative number of seconds (`1.5`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(secs)
            .map_err(|_| format!("expected a non-negative duration, found {s:?}"));
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("expected a duration like `1s`, `250ms` or `1m30s`, found {s:?} ({e})"))
}

fn default_adapter() -> AdapterSpec {
    crate::DEFAULT_ADAPTER.parse().unwrap_or_else(|_| unreachable!("the default adapter spec parses"))
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The command line that continues an interrupted sweep: this one, with `--resume`.
fn resume_command() -> String {
    let mut args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    if !args.iter().any(|a| a == "--resume") {
        args.push("--resume".to_owned());
    }
    shell_words::join(args)
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_PASS });
        }
    };
    if let Err(e) = crate::adapter::install_interrupt_handler() {
        errln!("warning: {e}");
    }
    // Descendants of adapters that detach are re-parented here, and ended below.
    if let Err(e) = crate::adapter::become_subreaper() {
        errln!(
            "warning: cannot become a child subreaper ({e}); detached adapter descendants may outlive the sweep"
        );
    }
    let outcome = dispatch(cli.command);
    let orphans = crate::adapter::end_orphans();
    if orphans > 0 {
        errln!("ended {orphans} process(es) left behind by the adapter (detached from its process group)");
    }
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            errln!("error: {}", error_chain(&e));
            ExitCode::from(e.exit_code())
        }
    }
}

fn dispatch(command: Command) -> Result<u8, RunnerError> {
    match command {
        Command::Run {
            paths,
            seeds,
            jobs,
            out,
            budget,
            time_budget,
            taxonomy,
            shard,
            resume,
            regressions,
            no_regressions,
            no_triage,
            format,
            allow_empty,
            mcap_failures,
            artefacts,
            adapter,
        } => {
            let config = run::RunConfig {
                paths,
                seeds,
                threads: jobs.unwrap_or_else(default_threads),
                exec: adapter.exec_options(),
                adapter: adapter.spec(),
                out,
                budget,
                time_budget,
                progress: true,
                taxonomy: taxonomy.clone(),
                regressions: (!no_regressions).then_some(regressions),
                triage: !no_triage,
            };
            let sweep = run::SweepOptions { shard, resume, artefacts: artefacts.options(), mcap_failures };
            // The first SIGINT/SIGTERM stops handing out jobs; the sweep says how to resume.
            crate::adapter::set_graceful_interrupt(true);
            let report = run::run_with(&config, &sweep);
            crate::adapter::set_graceful_interrupt(false);
            let report = report?;
            for w in &report.warnings {
                errln!("warning: {w}");
            }
            let code = report.final_exit_code(allow_empty);
            if format == OutputFormat::Json {
                let json = crate::json::RunJson::new(&report, shard.map(|s| s.to_string()), code);
                out!("{}", crate::json::document("run", &json)?);
            } else {
                out!("{}", report.regressions.render());
                out!("{}", gauntlet_reports::render_summary(&report.summary));
                if crate::annotations::enabled() {
                    for problem in &report.summary.problems {
                        outln!("{}", crate::annotations::failing_job(problem));
                    }
                }
                if let Some(shard) = shard {
                    outln!("shard {shard}: {} planned jobs", report.planned);
                }
                if report.resumed > 0 {
                    outln!("resumed: kept {} complete record(s) of {}", report.resumed, report.out.display());
                }
                if report.skipped > 0 {
                    let why = if report.interrupted.is_some() { "interrupted" } else { "budget spent" };
                    let names = &report.skipped_scenarios;
                    let more = names.len().saturating_sub(10);
                    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                    outln!(
                        "skipped {} of {} planned jobs ({why}), in scenarios: {}{more}",
                        report.skipped,
                        report.planned,
                        names[..names.len().min(10)].join(", ")
                    );
                }
                if let Some(artefacts) = &report.artefacts {
                    out!("{}", artefacts.render_text());
                }
                if let Some(mcaps) = &report.mcap_failures {
                    out!("{}", mcaps.render_text());
                }
                outln!("records: {}", report.out.display());
            }
            if let Some(signal) = report.interrupted {
                errln!(
                    "interrupted by {}: kept {} record(s) in {} ({} not run); continue with:\n  {}",
                    crate::adapter::signal_name(signal),
                    report.judged(),
                    report.out.display(),
                    report.skipped,
                    resume_command()
                );
            } else if report.judged() == 0 && !allow_empty {
                errln!(
                    "error: nothing was judged: {} job(s) planned, none ran (no scenario, --seeds 0, \
                     a shard or budget with no job?); pass --allow-empty to accept an empty sweep",
                    report.planned
                );
            }
            Ok(code)
        }
        Command::Replay {
            target,
            seed,
            source,
            job,
            line,
            trace,
            mcap,
            json,
            check_adapter,
            html,
            taxonomy,
            no_triage,
            adapter,
        } => {
            let config = replay::ReplayConfig {
                target,
                seed,
                source,
                job: job.map(replay::JobSelector::Id).or(line.map(replay::JobSelector::Line)),
                exec: adapter.exec_options(),
                adapter: adapter.adapter,
                trace_csv: trace,
                mcap,
                taxonomy,
                triage: !no_triage,
            };
            if check_adapter {
                let divergence = crate::commands::check_adapter::check_adapter(&config)?;
                outln!("{divergence}");
                return Ok(match divergence {
                    crate::commands::check_adapter::Divergence::None { .. } => EXIT_PASS,
                    _ => EXIT_FAIL,
                });
            }
            let report = replay::replay(&config)?;
            for w in &report.warnings {
                errln!("warning: {w}");
            }
            if let Some(path) = &html {
                replay::write_replay_html(path, &report)?;
            }
            if json {
                outln!("{}", report.record.to_json_line()?);
            } else {
                out!("{}", replay::render_verdicts(&report.record));
                if let Some(check) = &report.regression {
                    out!("{}", check.render());
                }
                if let Some(against) = &report.against {
                    out!("{}", replay::render_verdicts(&against.record));
                    out!("{}", against.render(&report.record));
                }
            }
            Ok(match report.record.outcome {
                gauntlet_reports::record::Outcome::Pass => EXIT_PASS,
                _ => EXIT_FAIL,
            })
        }
        Command::Validate { paths, taxonomy, format, no_taxonomy } => {
            let taxonomy = if no_taxonomy { None } else { Some(load_taxonomy(taxonomy.as_deref())?) };
            let report = validate::validate(&paths, taxonomy.as_ref())?;
            for w in &report.warnings {
                errln!("warning: {w}");
            }
            let code = if report.problems.is_empty() { EXIT_PASS } else { EXIT_USAGE };
            if format == OutputFormat::Json {
                out!(
                    "{}",
                    crate::json::document("validate", &crate::json::ValidateJson::new(&report, code))?
                );
                return Ok(code);
            }
            for p in &report.problems {
                errln!("{p}");
                if crate::annotations::enabled() {
                    outln!("{}", crate::annotations::problem(p));
                }
            }
            outln!("{} valid, {} problem(s)", report.valid.len(), report.problems.len());
            Ok(code)
        }
        Command::Coverage { records, format, catalogue: Some(name), library, .. } => {
            let library = library.or_else(|| Some(PathBuf::from("scenarios/library")).filter(|p| p.is_dir()));
            let ids = library.as_deref().map(catalogue::library_ids).transpose()?;
            let catalogue = catalogue::load_catalogue(&name, ids.as_ref())?;
            let (report, warnings) = catalogue::coverage_of(&records, &catalogue)?;
            for w in &warnings {
                errln!("warning: {w}");
            }
            match format {
                coverage::CoverageFormat::Json => out!("{}", crate::json::document("catalogue", &report)?),
                coverage::CoverageFormat::Text => {
                    out!("{}", gauntlet_taxonomy::render_catalogue_text(&report))
                }
                coverage::CoverageFormat::Markdown => {
                    out!("{}", gauntlet_taxonomy::render_catalogue_markdown(&report))
                }
            }
            Ok(EXIT_PASS)
        }
        Command::Coverage {
            records, taxonomy, format, top_risk_min_runs, monitors, catalogue: None, ..
        } => {
            let taxonomy = load_taxonomy(taxonomy.as_deref())?;
            let options = gauntlet_taxonomy::CoverageOptions { top_risk_min_runs };
            let monitors = monitors.overrides().apply(Default::default());
            let (doc, warnings) = coverage::coverage_document(&records, &taxonomy, &options, monitors)?;
            for w in &warnings {
                errln!("warning: {w}");
            }
            if format == coverage::CoverageFormat::Json {
                out!("{}", crate::json::document("coverage", &doc)?);
            } else {
                out!("{}", coverage::render_document(&doc, format)?);
            }
            Ok(EXIT_PASS)
        }
        Command::Merge { inputs, out, allow_mixed, format, allow_conflicts } => {
            let config = merge::MergeConfig { inputs, out, allow_mixed, allow_conflicts };
            let report = merge::merge_files(&config)?;
            if format == OutputFormat::Json {
                out!("{}", crate::json::document("merge", &crate::json::MergeJson::new(&report))?);
                return Ok(report.exit_code());
            }
            out!("{}", report.render_text());
            Ok(report.exit_code())
        }
        Command::Report { records, allow_empty, taxonomy, format, jobs, artefacts } => {
            let config = report::ReportConfig {
                records,
                taxonomy,
                artefacts: artefacts.options(),
                threads: jobs.unwrap_or_else(default_threads),
                exec: ExecOptions::default(),
            };
            let output = report::report(&config)?;
            for w in &output.warnings {
                errln!("warning: {w}");
            }
            let code = output.final_exit_code(allow_empty);
            if code == EXIT_USAGE {
                errln!(
                    "error: nothing was judged: the records file holds no record; pass --allow-empty to accept it"
                );
            }
            if format == OutputFormat::Json {
                out!("{}", crate::json::document("report", &crate::json::ReportJson::new(&output, code))?);
                return Ok(code);
            }
            out!("{}", gauntlet_reports::render_summary(&output.summary));
            out!("{}", output.artefacts.render_text());
            Ok(code)
        }
        Command::Fuzz {
            paths,
            budget,
            seed,
            strategy,
            jobs,
            out,
            regressions,
            no_save,
            taxonomy,
            coverage_from,
            max_shrinks,
            format,
            shrink_budget,
            formulas,
            hazards,
            requirements,
            fill_gaps,
            generated,
            realisations,
            against,
            tolerance,
            against_out,
            adapter,
        } => {
            let fill_gaps = fill_gaps.then(|| fuzz::FillGaps {
                out: generated,
                realisations,
                command: format!("gauntlet fuzz --fill-gaps --budget {budget} --seed {seed}"),
            });
            let formulas = (formulas || !hazards.is_empty() || !requirements.is_empty())
                .then_some(fuzz::FormulaSelection { hazards, requirements });
            let config = fuzz::FuzzConfig {
                paths,
                budget,
                seed,
                strategy,
                threads: jobs.unwrap_or_else(default_threads),
                exec: adapter.exec_options(),
                adapter: adapter.spec(),
                out,
                regressions: (!no_save).then_some(regressions),
                taxonomy,
                coverage_from,
                shrink: crate::fuzz::ShrinkOptions { max_shrinks, budget: shrink_budget },
                formulas,
                fill_gaps,
                against: against.map(|adapter| fuzz::Differential { adapter, tolerance, out: against_out }),
            };
            let report = fuzz::fuzz(&config)?;
            if format == OutputFormat::Json {
                out!("{}", crate::json::document("fuzz", &crate::json::FuzzJson::new(&report))?);
                return Ok(report.exit_code());
            }
            out!("{}", gauntlet_reports::render_summary(&report.summary));
            out!("{}", report.render());
            outln!("records: {}", report.out.display());
            Ok(report.exit_code())
        }
        Command::Generate {
            library,
            taxonomy,
            realisations,
            out,
            budget,
            time_budget,
            seed,
            seeds,
            jobs,
            records,
            fuzz_records,
            regressions,
            no_save,
            shrink_budget,
            adapter,
        } => {
            let config = crate::commands::generate::GenerateConfig {
                command: format!("gauntlet generate --out {} --budget {budget} --seed {seed}", out.display()),
                library,
                taxonomy,
                realisations,
                out,
                budget,
                time_budget,
                seed,
                seeds,
                threads: jobs.unwrap_or_else(default_threads),
                exec: adapter.exec_options(),
                adapter: adapter.spec(),
                records,
                fuzz_records,
                regressions: (!no_save).then_some(regressions),
                shrink: crate::fuzz::ShrinkOptions { max_shrinks: None, budget: shrink_budget },
            };
            let report = crate::commands::generate::generate(&config)?;
            out!("{}", report.render());
            Ok(report.exit_code())
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "gauntlet", &mut std::io::stdout());
            Ok(EXIT_PASS)
        }
        Command::Man => {
            let page = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            let mut out = Vec::new();
            page.render(&mut out)
                .map_err(|source| RunnerError::Io { path: PathBuf::from("<stdout>"), source })?;
            std::io::Write::write_all(&mut std::io::stdout(), &out)
                .map_err(|source| RunnerError::Io { path: PathBuf::from("<stdout>"), source })?;
            Ok(EXIT_PASS)
        }
        Command::List { paths, format } => {
            let listing = validate::list_report(&paths)?;
            for w in &listing.warnings {
                errln!("warning: {w}");
            }
            if format == OutputFormat::Json {
                out!("{}", crate::json::document("list", &crate::json::ListJson::new(&listing))?);
            } else {
                out!("{}", listing.render_text());
            }
            Ok(EXIT_PASS)
        }
        Command::Import { input, out, ego } => {
            let report = import::import(&input, out.as_deref(), ego.as_deref())?;
            for n in &report.notes {
                errln!("note: {n}");
            }
            outln!("wrote {} ({})", report.out.display(), report.id);
            Ok(EXIT_PASS)
        }
        Command::Schema { name: None } => {
            for name in crate::json::SCHEMA_NAMES {
                outln!("{name}");
            }
            Ok(EXIT_PASS)
        }
        Command::Schema { name: Some(name) } => match crate::json::schema(&name) {
            Some(schema) => {
                outln!("{}", serde_json::to_string_pretty(&schema)?);
                Ok(EXIT_PASS)
            }
            None => {
                errln!("error: no schema named {name:?}; one of: {}", crate::json::SCHEMA_NAMES.join(", "));
                Ok(EXIT_USAGE)
            }
        },
        Command::Adapter {
            command: AdapterCommand::Check { adapter, step_timeout, startup_timeout, format },
        } => {
            let options = ExecOptions { step_timeout, startup_timeout, adapter_log: None };
            let report = crate::adapter::conformance::check_conformance(&adapter, &options)?;
            match format {
                OutputFormat::Text => out!("{}", report.render()),
                OutputFormat::Json => {
                    out!(
                        "{}",
                        crate::json::document("adapter-check", &crate::json::AdapterCheckJson::new(&report))?
                    )
                }
            }
            Ok(report.exit_code())
        }
        Command::Evidence { command } => evidence(command),
    }
}

fn evidence(command: EvidenceCommand) -> Result<u8, RunnerError> {
    use crate::evidence::{BuildConfig, CaseConfig, PackSource, VerifyConfig};
    match command {
        EvidenceCommand::Build {
            paths,
            records,
            out,
            release,
            no_archive,
            seeds,
            jobs,
            taxonomy,
            gate,
            regressions,
            no_regressions,
            no_triage,
            monitors,
            adapter,
        } => {
            let threads = jobs.unwrap_or_else(default_threads);
            let source = match records {
                Some(path) => PackSource::Records(path),
                None => PackSource::Sweep(Box::new(run::RunConfig {
                    paths,
                    seeds,
                    threads,
                    adapter: adapter.spec(),
                    exec: adapter.exec_options(),
                    out: PathBuf::new(),
                    budget: None,
                    time_budget: None,
                    progress: true,
                    taxonomy: taxonomy.clone(),
                    regressions: (!no_regressions).then_some(regressions),
                    triage: !no_triage,
                })),
            };
            let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
            let config = BuildConfig {
                out,
                archive: !no_archive,
                source,
                taxonomy,
                gate,
                release,
                created: None,
                command: shell_words::join(args),
                threads,
                exec: adapter.exec_options(),
                monitors: monitors.overrides(),
            };
            let report = crate::evidence::build(&config)?;
            for w in &report.warnings {
                errln!("warning: {w}");
            }
            out!("{}", report.render_text());
            Ok(report.exit_code())
        }
        EvidenceCommand::Verify { pack, sample, seed, format, adapter } => {
            let config =
                VerifyConfig { pack, sample, seed, exec: adapter.exec_options(), adapter: adapter.adapter };
            let report = crate::evidence::verify(&config)?;
            if format == OutputFormat::Json {
                out!("{}", crate::json::document("evidence-verify", &report)?);
            } else {
                out!("{}", report.render_text());
            }
            Ok(report.exit_code())
        }
        EvidenceCommand::Case { records, out, release, taxonomy, monitors } => {
            let monitors = monitors.overrides().apply(Default::default());
            let report = crate::evidence::case(&CaseConfig { records, taxonomy, release, out, monitors })?;
            for w in &report.warnings {
                errln!("warning: {w}");
            }
            let s = &report.summary;
            outln!(
                "assurance case: top goal {}; hazard goals {} supported, {} insufficient, {} undeveloped, {} failing",
                s.top.as_str(),
                s.hazards.supported,
                s.hazards.insufficient,
                s.hazards.undeveloped,
                s.hazards.failing
            );
            for path in &report.written {
                outln!("wrote {}", path.display());
            }
            Ok(EXIT_PASS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_humans_write_them() {
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h 5m"), Ok(Duration::from_secs(3900)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").unwrap_err().contains("1m30s"));
    }

    #[test]
    fn monitor_parameters_must_be_positive() {
        assert_eq!(parse_positive("0.25"), Ok(0.25));
        for bad in ["0", "-1", "nan", "inf", "soon"] {
            assert!(parse_positive(bad).unwrap_err().contains("> 0"), "{bad}");
        }
    }
}
