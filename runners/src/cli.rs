//! Command-line parsing and dispatch. Every command is a library function;
//! this module only maps arguments to configs and results to output and exit codes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::adapter::{AdapterSpec, ExecOptions};
use crate::commands::{replay, run, validate};
use crate::error::{EXIT_FAIL, EXIT_PASS, EXIT_USAGE, RunnerError};

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
    /// The system under test: `builtin:NAME` or `exec:"COMMAND ARGS…"`.
    #[arg(long, default_value = crate::DEFAULT_ADAPTER)]
    pub adapter: AdapterSpec,
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
    fn exec_options(&self) -> ExecOptions {
        ExecOptions {
            step_timeout: self.step_timeout,
            startup_timeout: self.startup_timeout,
            adapter_log: self.adapter_log.clone(),
        }
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
        /// Adapter options.
        #[command(flatten)]
        adapter: AdapterArgs,
    },
    /// Run one job again, bit for bit.
    Replay {
        /// The scenario file.
        scenario: PathBuf,
        /// The seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Write every body's state at every step to this CSV file.
        #[arg(long)]
        trace: Option<PathBuf>,
        /// Print the record as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Adapter options.
        #[command(flatten)]
        adapter: AdapterArgs,
    },
    /// Check scenario files; report every problem with file:line:column and field path.
    Validate {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List scenarios.
    List {
        /// Scenario files or folders.
        #[arg(default_value = "scenarios/library")]
        paths: Vec<PathBuf>,
    },
}

/// Parses `1s`, `250ms`, `2m`, `1h` or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.find(|c: char| c.is_ascii_alphabetic()).map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let v: f64 =
        num.trim().parse().map_err(|_| format!("expected a duration like `1s` or `250ms`, found {s:?}"))?;
    let secs = match unit {
        "ms" => v / 1000.0,
        "s" => v,
        "m" | "min" => v * 60.0,
        "h" => v * 3600.0,
        _ => return Err(format!("unknown unit {unit:?} in {s:?} (use ms, s, m or h)")),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("expected a non-negative duration, found {s:?}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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
        eprintln!("warning: {e}");
    }
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn dispatch(command: Command) -> Result<u8, RunnerError> {
    match command {
        Command::Run { paths, seeds, jobs, out, budget, time_budget, adapter } => {
            let config = run::RunConfig {
                paths,
                seeds,
                threads: jobs.unwrap_or_else(default_threads),
                exec: adapter.exec_options(),
                adapter: adapter.adapter,
                out,
                budget,
                time_budget,
                progress: true,
            };
            let report = run::run(&config)?;
            print!("{}", gauntlet_reports::render_summary(&report.summary));
            if report.skipped > 0 {
                println!("skipped {} of {} planned jobs (budget spent)", report.skipped, report.planned);
            }
            println!("records: {}", report.out.display());
            Ok(report.exit_code())
        }
        Command::Replay { scenario, seed, trace, json, adapter } => {
            let config = replay::ReplayConfig {
                scenario,
                seed,
                exec: adapter.exec_options(),
                adapter: adapter.adapter,
                trace_csv: trace,
            };
            let report = replay::replay(&config)?;
            if json {
                let line = report.record.to_json_line().map_err(|e| RunnerError::Usage(e.to_string()))?;
                print!("{line}");
            } else {
                print!("{}", replay::render_verdicts(&report.record));
            }
            Ok(match report.record.outcome {
                gauntlet_reports::record::Outcome::Pass => EXIT_PASS,
                _ => EXIT_FAIL,
            })
        }
        Command::Validate { paths } => {
            let report = validate::validate(&paths)?;
            for p in &report.problems {
                eprintln!("{p}");
            }
            println!("{} valid, {} problem(s)", report.valid.len(), report.problems.len());
            Ok(if report.problems.is_empty() { EXIT_PASS } else { EXIT_USAGE })
        }
        Command::List { paths } => {
            print!("{}", validate::list(&paths)?);
            Ok(EXIT_PASS)
        }
    }
}
