//! Turning one finished job into its record.

use std::collections::BTreeMap;

use gauntlet_engine::{ENGINE_VERSION, RunResult};
use gauntlet_reports::record::{
    AdapterRef, JobKind, Outcome, ParamValue, RecordError, RunRecord, SCHEMA_VERSION, Verdict,
};
use gauntlet_scenarios::Scenario;

use crate::adapter::AdapterSpec;

/// The one-line command that reproduces a job.
pub fn replay_command(scenario: &Scenario, seed: u64, adapter: &AdapterSpec) -> String {
    let mut cmd = format!(
        "gauntlet replay {} --seed {seed}",
        shell_words::quote(&scenario.path().display().to_string())
    );
    if adapter.to_string() != crate::DEFAULT_ADAPTER {
        cmd.push_str(" --adapter ");
        cmd.push_str(&shell_words::quote(&adapter.to_string()));
    }
    cmd
}

/// Everything about a job that is not in the engine's result.
pub struct JobContext<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The seed.
    pub seed: u64,
    /// Why it ran.
    pub kind: JobKind,
    /// Resolved parameters.
    pub params: &'a BTreeMap<String, f64>,
    /// The adapter.
    pub adapter: &'a AdapterRef,
    /// Wall time of the run, ms (reported, never fed back into the simulation).
    pub wall_ms: f64,
    /// The replay command.
    pub replay: String,
}

/// The record of a finished job.
pub fn build_record(ctx: &JobContext<'_>, result: &RunResult) -> RunRecord {
    let outcome = match result.outcome {
        gauntlet_engine::Outcome::Pass => Outcome::Pass,
        gauntlet_engine::Outcome::Fail => Outcome::Fail,
        gauntlet_engine::Outcome::Error => Outcome::Error,
    };
    RunRecord {
        schema: SCHEMA_VERSION,
        scenario: ctx.scenario.id().to_owned(),
        title: ctx.scenario.title().to_owned(),
        file: ctx.scenario.path().display().to_string(),
        file_hash: ctx.scenario.file_hash().to_owned(),
        seed: ctx.seed,
        kind: ctx.kind,
        tags: ctx.scenario.tags().clone(),
        hazards: ctx.scenario.hazards().to_vec(),
        params: ctx.params.iter().map(|(k, v)| (k.clone(), ParamValue::Number(*v))).collect(),
        adapter: ctx.adapter.clone(),
        engine_version: ENGINE_VERSION.to_owned(),
        outcome,
        verdicts: result
            .verdicts
            .iter()
            .map(|v| Verdict {
                criterion: v.criterion.to_owned(),
                passed: v.passed,
                margin: v.margin,
                first_violation_t: v.first_violation_t,
                worst_t: Some(v.worst_t),
                impact_speed: v.impact_speed,
            })
            .collect(),
        error: result.error.as_ref().map(|e| RecordError { kind: e.kind().into(), message: e.to_string() }),
        steps: result.steps,
        sim_time: result.sim_time,
        wall_ms: ctx.wall_ms,
        trace_hash: result.trace_hash.to_hex(),
        replay: ctx.replay.clone(),
        extra: BTreeMap::new(),
    }
}

/// The record of a job that could not run at all (a panic, parameters that no longer fit).
pub fn error_record(ctx: &JobContext<'_>, kind: &str, message: String) -> RunRecord {
    let mut r = build_record(
        ctx,
        &RunResult {
            outcome: gauntlet_engine::Outcome::Error,
            verdicts: Vec::new(),
            error: None,
            steps: 0,
            sim_time: 0.0,
            trace_hash: gauntlet_engine::TraceHash([0; 32]),
            trace: None,
        },
    );
    r.error = Some(RecordError { kind: kind.to_owned().into(), message });
    r
}
