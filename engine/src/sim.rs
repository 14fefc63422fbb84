//! One job's simulation: the step loop sense → adapter → act.
//!
//! A step runs two fixed bevy schedules around the adapter call:
//! `sense` (scripted behaviours, then the sensor model) builds the
//! observation; the adapter answers with a control; `act` (actuation, the
//! rapier step, read-back, criteria, trace hash, clock) applies it. The
//! adapter lives outside the ECS world so that one adapter instance can serve
//! many jobs on a worker thread.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, SingleThreadedExecutor};

use crate::adapter::{
    AdapterFault, AdapterFaultKind, AutonomyAdapter, Control, GoalInfo, JobEnd, JobStart, Observation,
    RoadInfo,
};
use crate::criteria::Criteria;
use crate::formula::Formulas;
use crate::monitor::{MonitorLog, MonitorRun};
use crate::outcome::{Outcome, RunError, RunResult};
use crate::sensor::ObservationBuf;
use crate::spec::WorldSpec;
use crate::trace::{TraceBody, TraceFrame, Tracer};
use crate::world::{Clock, Command, Ego, Fault, Snapshot, build};
use crate::{behaviour, criteria, dynamics, formula, sensor, signals, trace};

/// Options of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Keep every step's state in [`RunResult::trace`] (for replays; costs memory).
    pub record_trace: bool,
}

/// Whether the run goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// More steps to go.
    Running,
    /// The duration is over, or the ego collided, or the world faulted.
    Finished,
}

fn advance_clock(mut clock: ResMut<Clock>) {
    clock.step += 1;
    clock.t = clock.step as f64 * clock.dt;
}

fn schedule() -> Schedule {
    let mut s = Schedule::default();
    s.set_executor(SingleThreadedExecutor::new());
    s.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    s
}

/// A job's world, ready to step.
pub struct Simulation {
    world: World,
    sense: Schedule,
    act: Schedule,
    ego: Entity,
    job: JobStart,
    total_steps: u64,
    control: Control,
}

impl Simulation {
    /// Builds the world of a resolved scenario instance.
    pub fn new(spec: &WorldSpec) -> Self {
        let mut world = build(spec);
        world.insert_resource(ObservationBuf::default());
        let stop = crate::stop::StopState::new(spec.stop, world.resource::<Snapshot>(), spec.dt);
        world.insert_resource(stop);
        let mut sense = schedule();
        sense.add_systems((behaviour::run_scripts, sensor::sense).chain());
        let mut act = schedule();
        act.add_systems(
            (
                dynamics::actuate,
                dynamics::step_physics,
                dynamics::sync,
                criteria::judge,
                signals::compute,
                formula::observe,
                trace::hash_step,
                advance_clock,
                crate::stop::judge,
            )
                .chain(),
        );
        let ego = world.query_filtered::<Entity, With<Ego>>().single(&world).expect("the world has one ego");
        let limits = spec.ego.limits;
        let job = JobStart {
            scenario: spec.scenario.clone(),
            seed: spec.seed,
            dt: spec.dt,
            duration: spec.duration,
            ego: limits,
            road: RoadInfo {
                lanes: spec.road.lanes,
                lane_width: spec.road.lane_width,
                speed_limit: spec.road.speed_limit,
                lane_drop: spec.road.lane_drop,
            },
            goal: GoalInfo { s: spec.ego.goal_s },
            route: crate::junction::route_info(&spec.road),
        };
        let total_steps = libm::round(spec.duration / spec.dt) as u64;
        Self { world, sense, act, ego, job, total_steps, control: Control::default() }
    }

    /// Hands over the rapier world in its current state, for measuring the
    /// engine against bare rapier stepping the very same bodies.
    pub fn into_physics(mut self) -> rapier3d::prelude::PhysicsWorld {
        self.world.remove_resource::<crate::world::Physics>().expect("the world has physics").0
    }

    /// This step's value of every signal of [`crate::signals::SIGNALS`], in
    /// that order; `None` in a world without formula criteria (whose
    /// signals are not computed).
    pub fn signals(&self) -> Option<&[f64]> {
        let s = self.world.resource::<crate::signals::Signals>();
        s.is_active().then_some(&s.values[..])
    }

    /// What the adapter is told at `reset`.
    pub fn job_start(&self) -> &JobStart {
        &self.job
    }

    /// Steps the run lasts if nothing stops it early.
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    /// Runs the behaviours and the sensor model; returns this step's observation.
    pub fn observe(&mut self) -> &Observation {
        self.sense.run(&mut self.world);
        &self.world.resource::<ObservationBuf>().0
    }

    /// Applies the adapter's control (clamped to the ego's limits) and advances one step.
    pub fn act(&mut self, control: Control) -> StepStatus {
        let lim = self.job.ego;
        self.control = Control {
            accel: control.accel.clamp(-lim.max_decel, lim.max_accel),
            steer: control.steer.clamp(-lim.max_steer, lim.max_steer),
        };
        if let Some(mut cmd) = self.world.get_mut::<Command>(self.ego) {
            *cmd = Command::Drive { accel: self.control.accel, steer: self.control.steer };
        }
        self.act.run(&mut self.world);
        let clock = self.world.resource::<Clock>();
        if clock.step >= self.total_steps
            || self.world.resource::<Criteria>().collided
            || self.world.resource::<Fault>().0.is_some()
            || self.world.resource::<crate::stop::StopState>().fired_at.is_some()
        {
            StepStatus::Finished
        } else {
            StepStatus::Running
        }
    }

    fn frame(&self) -> TraceFrame {
        let snap = self.world.resource::<Snapshot>();
        let clock = self.world.resource::<Clock>();
        TraceFrame {
            step: clock.step - 1,
            t: clock.t,
            bodies: snap
                .bodies
                .iter()
                .map(|b| TraceBody {
                    id: b.id,
                    x: b.pos.x,
                    y: b.pos.y,
                    yaw: b.yaw,
                    vx: b.vel.x,
                    vy: b.vel.y,
                    s: b.route.s,
                    d: b.route.d,
                })
                .collect(),
            observed: self.world.resource::<ObservationBuf>().0.objects.iter().map(|o| o.id).collect(),
            observation: self.world.resource::<ObservationBuf>().0.clone(),
            control: self.control,
            margins: self.world.resource::<Criteria>().current().collect(),
        }
    }

    /// The verdicts and outcome so far, with the adapter's error if any.
    fn finish(&self, adapter_error: Option<AdapterFault>, trace: Option<Vec<TraceFrame>>) -> RunResult {
        let clock = *self.world.resource::<Clock>();
        let verdicts = self.world.resource::<Criteria>().verdicts(clock.t);
        let formulas = self.world.resource::<Formulas>();
        let formula_verdicts = if formulas.is_empty() { Vec::new() } else { formulas.clone().verdicts() };
        let error = match (self.world.resource::<Fault>().0.clone(), adapter_error) {
            (Some(e), _) => Some(RunError::Engine(e)),
            (None, Some(a)) => Some(RunError::Adapter(a)),
            (None, None) => None,
        };
        let outcome = if error.is_some() {
            Outcome::Error
        } else if verdicts.iter().all(|v| v.passed) && formula_verdicts.iter().all(|v| v.passed) {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        RunResult {
            outcome,
            verdicts,
            formula_verdicts,
            error,
            steps: clock.step,
            sim_time: clock.t,
            trace_hash: self.world.resource::<Tracer>().finish(),
            trace,
            monitors: MonitorRun::default(),
            stopped_at: self.world.resource::<crate::stop::StopState>().fired_at,
        }
    }

    /// Runs a whole job against an adapter: `reset`, one `step` per
    /// simulation step, `end`. An adapter fault ends the job as `error`.
    pub fn run(spec: &WorldSpec, adapter: &mut dyn AutonomyAdapter, options: RunOptions) -> RunResult {
        let mut trace: Option<Vec<TraceFrame>> = None;
        let mut sink = |frame: TraceFrame| trace.get_or_insert_with(Vec::new).push(frame);
        let sink: Option<&mut dyn FnMut(TraceFrame)> =
            if options.record_trace { Some(&mut sink) } else { None };
        let mut result = Self::run_inner(spec, adapter, sink);
        if options.record_trace {
            result.trace = Some(trace.unwrap_or_default());
        }
        result
    }

    /// [`run`](Self::run), handing every step's [`TraceFrame`] to `sink` as
    /// it is made instead of keeping them (so a caller can stream them to a
    /// file or keep a [`BoundedTrace`](crate::BoundedTrace)); the result
    /// has no trace. The trace hash is the same as `run`'s.
    pub fn run_with_sink(
        spec: &WorldSpec,
        adapter: &mut dyn AutonomyAdapter,
        sink: &mut dyn FnMut(TraceFrame),
    ) -> RunResult {
        Self::run_inner(spec, adapter, Some(sink))
    }

    fn run_inner(
        spec: &WorldSpec,
        adapter: &mut dyn AutonomyAdapter,
        mut sink: Option<&mut dyn FnMut(TraceFrame)>,
    ) -> RunResult {
        let mut sim = Simulation::new(spec);
        if let Err(fault) = adapter.reset(sim.job_start()) {
            let result = sim.finish(Some(fault), None);
            adapter.end(JobEnd::Error);
            return result;
        }
        let mut adapter_error = None;
        let mut monitors = MonitorLog::new();
        loop {
            let step = sim.world.resource::<Clock>().step;
            let answer = adapter.step(sim.observe());
            let control = match answer {
                Ok(c) if c.accel.is_finite() && c.steer.is_finite() => {
                    monitors.observe(step, adapter.active_monitors());
                    c
                }
                Ok(c) => {
                    adapter_error = Some(AdapterFault::new(
                        AdapterFaultKind::Protocol,
                        format!("non-finite control at step {step}: accel={}, steer={}", c.accel, c.steer),
                    ));
                    break;
                }
                Err(fault) => {
                    adapter_error = Some(fault);
                    break;
                }
            };
            let status = sim.act(control);
            if let Some(sink) = sink.as_mut() {
                sink(sim.frame());
            }
            if status == StepStatus::Finished {
                break;
            }
        }
        let mut result = sim.finish(adapter_error, None);
        result.monitors = monitors.finish(result.steps, spec.dt, adapter.monitor_names());
        adapter.end(match result.outcome {
            Outcome::Pass => JobEnd::Pass,
            Outcome::Fail => JobEnd::Fail,
            Outcome::Error => JobEnd::Error,
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_have_no_ambiguities() {
        let spec = crate::testing::straight_spec(20.0, 0.9, vec![]);
        let mut sim = Simulation::new(&spec);
        sim.sense.initialize(&mut sim.world).expect("sense schedule builds without ambiguity");
        sim.act.initialize(&mut sim.world).expect("act schedule builds without ambiguity");
    }
}
