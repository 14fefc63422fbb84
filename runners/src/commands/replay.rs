//! `gauntlet replay`: one job again, bit for bit, with its trace (CSV) and
//! the replay viewer (HTML) on request.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use gauntlet_engine::{Simulation, TraceFrame};
use gauntlet_reports::record::{AdapterRef, JobKind, RunRecord};
use gauntlet_scenarios::Scenario;

use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::error::RunnerError;
use crate::record::{JobContext, build_record, replay_command};

/// What to replay.
#[derive(Debug, Clone)]
pub struct ReplayConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The seed.
    pub seed: u64,
    /// The adapter.
    pub adapter: AdapterSpec,
    /// External adapter options.
    pub exec: ExecOptions,
    /// Write every body's state at every step to this CSV file.
    pub trace_csv: Option<PathBuf>,
}

/// The replayed job.
#[derive(Debug, Clone)]
pub struct ReplayReport {
    /// Its record (identical to the sweep's, but for `wall_ms`).
    pub record: RunRecord,
    /// Its steps' states: every step of a short run; of a long one, a
    /// bounded sample (see [`crate::artefacts::ReplayTrace`]).
    pub trace: Vec<TraceFrame>,
}

/// Replays one job.
pub fn replay(config: &ReplayConfig) -> Result<ReplayReport, RunnerError> {
    if gauntlet_scenarios::regression::is_regression_file(&config.scenario) {
        return crate::fuzz::replay_regression(config);
    }
    let scenario = Scenario::load(&config.scenario)?;
    let factory = AdapterFactory::new(&config.adapter, &config.exec)?;
    let info = factory.preflight()?;
    let adapter_ref = AdapterRef { spec: config.adapter.to_string(), name: info.name, version: info.version };
    let mut adapter = factory.make();
    let instance = scenario.instance(config.seed);
    // Streams the CSV and keeps a bounded trace for the viewer.
    let mut sink = crate::artefacts::ReplayTrace::new(config.trace_csv.as_deref())?;
    let start = Instant::now();
    let result = Simulation::run_with_sink(&instance.world, adapter.as_mut(), &mut |f| sink.push(f));
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    drop(adapter);
    factory.finish_log()?;
    let trace = sink.finish()?;
    let ctx = JobContext {
        scenario: &scenario,
        seed: config.seed,
        kind: JobKind::Run,
        params: &instance.params,
        adapter: &adapter_ref,
        wall_ms,
        replay: replay_command(&scenario, config.seed, &config.adapter),
    };
    let record = build_record(&ctx, &result);
    Ok(ReplayReport { record, trace })
}

/// Writes the replay viewer of `report` (the job of `config`) to `path`: a
/// self-contained HTML page that animates the trace.
pub fn write_replay_html(
    path: &Path,
    config: &ReplayConfig,
    report: &ReplayReport,
) -> Result<(), RunnerError> {
    // The world of the replayed instance, for the road and the footprints.
    let world = if gauntlet_scenarios::regression::is_regression_file(&config.scenario) {
        crate::fuzz::regression_world(&config.scenario)?
    } else {
        Scenario::load(&config.scenario)?.instance(config.seed).world
    };
    let view = crate::artefacts::trace_view(&world, &report.trace, &report.record);
    let html = gauntlet_reports::render_replay(&report.record, &view);
    let io = |source| RunnerError::Io { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, html).map_err(io)
}

/// Writes one row per body per step: `step,t,id,x,y,yaw,vx,vy,s,d`.
pub fn write_trace_csv(path: &Path, trace: &[TraceFrame]) -> Result<(), RunnerError> {
    let io = |source| RunnerError::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut w = std::io::BufWriter::new(file);
    writeln!(w, "step,t,id,x,y,yaw,vx,vy,s,d").map_err(io)?;
    for f in trace {
        for b in &f.bodies {
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{}",
                f.step, f.t, b.id, b.x, b.y, b.yaw, b.vx, b.vy, b.s, b.d
            )
            .map_err(io)?;
        }
    }
    w.flush().map_err(io)
}

/// Human-readable verdicts of a record.
pub fn render_verdicts(r: &RunRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} seed {}: {} ({} steps, {:.2} s simulated)",
        r.scenario, r.seed, r.outcome, r.steps, r.sim_time
    );
    for v in &r.verdicts {
        let status = if v.passed { "ok  " } else { "FAIL" };
        let _ = write!(out, "  {status} {:<14} margin {:>10.3}", v.criterion, v.margin);
        if let Some(t) = v.first_violation_t {
            let _ = write!(out, "  first violation at {t:.2} s");
        }
        if let Some(s) = v.impact_speed {
            let _ = write!(out, "  impact {s:.2} m/s");
        }
        out.push('\n');
    }
    if let Some(e) = &r.error {
        let _ = writeln!(out, "  error: {}: {}", e.kind, e.message);
    }
    let _ = writeln!(out, "  trace hash {}", r.trace_hash);
    out
}
