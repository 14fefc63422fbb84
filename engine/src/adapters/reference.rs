//! The reference adapter: a plain, honest driver. It keeps its lane
//! (Stanley), follows the road user ahead (IDM), slows for curves, yields to
//! people about to enter its path, and brakes hard when a collision is
//! imminent. Below a time-to-collision of [`TTC_KEEP`] it brakes
//! progressively; it treats a vehicle moving over into its lane as in its
//! path up to [`MERGE_HORIZON`] ahead. It acts on its track memory
//! (`adapters/tracker.rs`), not on the raw object list: objects lost for a
//! moment are kept, new ones are confirmed over a few frames (a ghost does
//! not make it brake), a changed id is followed by position; and it judges
//! who is vulnerable by size as well as by the reported class. When the
//! vehicle reports a fault (`ego.fault`), it stops in its lane
//! ([`FAULT_STOP_DECEL`]). It sees only the observation. It passes the default sweep; it is the baseline the
//! planted-weakness adapters are derived from.

use crate::actor::ActorKind;
use crate::adapter::{
    AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobStart, ObjectObservation, Observation,
};
use crate::adapters::tracker::Tracker;
use crate::control::{Idm, stanley_steer};
use crate::math::sqrt;

/// Time-to-collision the reference driver keeps to what it follows, s
/// (it brakes progressively below it; emergency braking is below
/// [`ReferenceTuning::emergency_ttc`]).
pub const TTC_KEEP: f64 = 2.6;
/// How far ahead it predicts a vehicle moving over into its lane, s.
pub const MERGE_HORIZON: f64 = 3.0;
/// Sideways speed above which a vehicle is crossing, not merging, m/s.
pub const MERGE_MAX_VD: f64 = 3.0;

/// Width under which a road user is treated as a pedestrian or cyclist
/// whatever class it is reported as, m.
pub const VULNERABLE_WIDTH: f64 = 1.0;

/// Reserve on the deceleration an emergency by need calls for (× the need).
const NEED_MARGIN: f64 = 1.3;

/// Deceleration of its minimal risk manoeuvre, m/s²: once the vehicle
/// reports a fault (protocol 1.4 `ego.fault`), it stops in its lane at this
/// rate (or harder where what is ahead asks for it) and stays stopped.
pub const FAULT_STOP_DECEL: f64 = 2.0;

/// Knobs of the reference driver (defaults are the reference behaviour).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferenceTuning {
    /// Time-to-collision under which it brakes as hard as it can, s.
    pub emergency_ttc: f64,
    /// Time-to-collision it keeps by braking progressively below it, s ([`TTC_KEEP`]).
    pub ttc_keep: f64,
    /// Whether it also brakes as hard as it can when avoiding a collision
    /// needs a large share of its braking limit, whatever the time-to-collision
    /// (false: only below [`emergency_ttc`](Self::emergency_ttc)).
    pub emergency_by_need: bool,
    /// Comfortable lateral acceleration it aims at in curves, m/s².
    pub curve_lateral_accel: f64,
    /// Largest change of requested acceleration per second outside emergencies, m/s³.
    pub jerk_limit: f64,
    /// Extra lateral margin around its lane within which road users count as in its path, m.
    pub corridor_margin: f64,
    /// Whether it reacts to pedestrians and cyclists at all.
    pub sees_vulnerable: bool,
    /// Whether it acts on its track memory (false: on each frame's list as reported).
    pub track_memory: bool,
    /// Whether a narrow road user ([`VULNERABLE_WIDTH`]) counts as vulnerable
    /// whatever its reported class (false: it trusts the class).
    pub vulnerable_by_size: bool,
    /// Acceleration its car-following model (IDM) speeds up with, m/s².
    pub idm_accel: f64,
    /// Comfortable deceleration of its car-following model (IDM), m/s².
    pub idm_decel: f64,
    /// Whether it changes lane when its lane ends (protocol 1.4's
    /// `road.lane_drop`, [`super::lane_change`]; false: it ignores the lane drop).
    pub follows_lane_drop: bool,
}

impl Default for ReferenceTuning {
    fn default() -> Self {
        Self {
            emergency_ttc: 2.0,
            ttc_keep: TTC_KEEP,
            emergency_by_need: true,
            curve_lateral_accel: 2.5,
            jerk_limit: 8.0,
            corridor_margin: 0.4,
            sees_vulnerable: true,
            track_memory: true,
            vulnerable_by_size: true,
            idm_accel: 2.0,
            idm_decel: 3.0,
            follows_lane_drop: true,
        }
    }
}

/// The road user the ego follows or yields to.
#[derive(Debug, Clone, Copy)]
struct Leader {
    /// Gap bumper to bumper along the route, m.
    gap: f64,
    /// Its speed along the route, m/s (0 for someone crossing).
    vs: f64,
    /// Its deceleration along the route as tracked (≤ 0), m/s².
    accel: f64,
}

/// The built-in reference driver.
#[derive(Debug, Clone, Default)]
pub struct ReferenceAdapter {
    tuning: ReferenceTuning,
    job: Option<JobStart>,
    target_lane: Option<i32>,
    last_accel: f64,
    /// Whether it decided to stop for the current amber (kept through the red).
    stopping_for_light: bool,
    /// Whether it has stood at its route's stop sign.
    stopped_at_sign: bool,
    tracker: Tracker,
    /// Its forward-collision warning ([`super::monitors`]) in the last answer.
    fcw: bool,
    /// The route through a junction, when `reset` gave one (protocol 1.3).
    route: Option<super::route_ahead::RouteAhead>,
    /// Its lane's end, when `reset` gave one (protocol 1.4).
    lane_drop: Option<super::lane_change::LaneDropDriver>,
}

impl ReferenceAdapter {
    /// A reference driver with other knobs.
    pub fn with_tuning(tuning: ReferenceTuning) -> Self {
        Self { tuning, ..Self::default() }
    }

    /// The most constraining road user in or entering the ego's path.
    fn leader(&self, obs: &Observation, job: &JobStart) -> Option<Leader> {
        if self.tuning.track_memory {
            let confirmed = self.tracker.tracks().iter().filter(|t| t.confirmed()).map(|t| (&t.obj, t.accel));
            self.leader_among(confirmed, obs, job)
        } else {
            self.leader_among(obs.objects.iter().map(|o| (o, 0.0)), obs, job)
        }
    }

    fn leader_among<'a>(
        &self,
        objects: impl Iterator<Item = (&'a ObjectObservation, f64)>,
        obs: &Observation,
        job: &JobStart,
    ) -> Option<Leader> {
        let ego = &obs.ego;
        let half_ego = 0.5 * job.ego.width;
        let mut best: Option<Leader> = None;
        for (o, accel) in objects {
            if o.s <= ego.s {
                continue;
            }
            // A motorcycle is narrow but rides along the road like a car.
            let vulnerable = matches!(o.kind, ActorKind::Pedestrian | ActorKind::Cyclist | ActorKind::Animal)
                || (self.tuning.vulnerable_by_size
                    && o.width < VULNERABLE_WIDTH
                    && o.kind != ActorKind::Motorcycle);
            if vulnerable && !self.tuning.sees_vulnerable {
                continue;
            }
            let gap = super::gap_ahead(ego, o, job.ego.length);
            if !self.in_path(o, ego.d, half_ego, gap, ego.vs, vulnerable) {
                continue;
            }
            // Someone crossing has no speed along our path: treat as standing.
            let crossing = vulnerable && o.vd.abs() > 0.3;
            let (along, accel) = if crossing { (0.0, 0.0) } else { (o.vs, accel.min(0.0)) };
            if best.is_none_or(|l| gap < l.gap) {
                best = Some(Leader { gap, vs: along, accel });
            }
        }
        best
    }

    /// Whether a vehicle in the next lane is moving over into the ego's
    /// corridor (a cut-in or a merge) and gets there within
    /// [`MERGE_HORIZON`] (or `tta`, if sooner). Crossing traffic, faster
    /// sideways than [`MERGE_MAX_VD`], is not merging.
    fn merging(&self, o: &ObjectObservation, ego_d: f64, half: f64, tta: f64) -> bool {
        let off = o.d - ego_d;
        let Some(job) = self.job.as_ref() else { return false };
        if o.vd.abs() < 0.3 || o.vd.abs() > MERGE_MAX_VD || off * o.vd >= 0.0 {
            return false;
        }
        if off.abs() > half + job.road.lane_width {
            return false;
        }
        off.abs() - o.vd.abs() * tta.min(MERGE_HORIZON) < half
    }

    /// The acceleration that keeps the time-to-collision with `l` from
    /// falling below `ttc_keep` ([`TTC_KEEP`]): braking the closing speed down at
    /// `closing² / gap` (which holds the time-to-collision), more the
    /// further below it is, on top of what the leader's own braking takes.
    fn ttc_guard(&self, l: Leader, ego_vs: f64) -> Option<f64> {
        let closing = ego_vs - l.vs;
        if closing <= 0.0 || l.gap <= 0.0 {
            return None;
        }
        let (ttc, keep) = (l.gap / closing, self.tuning.ttc_keep);
        // The leader's braking counts for as long as it lasts within the
        // time-to-collision: a leader about to stand still brakes no more.
        let lead_brake = match (l.accel < 0.0, l.vs > 0.0) {
            (true, true) => l.accel * (l.vs / -l.accel / ttc).min(1.0),
            (true, false) => 0.0,
            (false, _) => l.accel,
        };
        (ttc < keep).then(|| lead_brake - closing * closing / l.gap * (1.0 + (keep - ttc)))
    }

    /// The deceleration an imminent collision with `l` calls for, if it is
    /// imminent: the braking limit when its time-to-collision is short; when
    /// avoiding it needs a large share of the braking limit (to cancel the
    /// closing speed within the gap, or, when it is braking (tracked), to stop
    /// behind the point where it will stop), that need with a [`NEED_MARGIN`]
    /// reserve, up to the limit — braking no harder than the situation asks.
    fn emergency(&self, l: Leader, ego_vs: f64, job: &JobStart) -> Option<f64> {
        let room = (l.gap - 1.0).max(0.1);
        let closing = ego_vs - l.vs;
        let mut needed: f64 = 0.0;
        if closing > 0.0 {
            if l.gap / closing < self.tuning.emergency_ttc {
                return Some(job.ego.max_decel);
            }
            needed = closing * closing / (2.0 * room);
        }
        if !self.tuning.emergency_by_need {
            return None;
        }
        if l.accel < -0.5 && ego_vs > 0.0 && l.vs > 0.0 {
            let lead_stop = l.vs * l.vs / (-2.0 * l.accel);
            needed = needed.max(ego_vs * ego_vs / (2.0 * (room + lead_stop)));
        }
        (needed > 0.6 * job.ego.max_decel).then(|| (NEED_MARGIN * needed).min(job.ego.max_decel))
    }

    fn in_path(
        &self,
        o: &ObjectObservation,
        ego_d: f64,
        half_ego: f64,
        gap: f64,
        ego_vs: f64,
        vulnerable: bool,
    ) -> bool {
        let half = half_ego + 0.5 * o.width + self.tuning.corridor_margin;
        if (o.d - ego_d).abs() < half {
            return true;
        }
        // Will it be in our corridor when we get there (plus a second of slack)?
        let tta = gap.max(0.0) / ego_vs.max(1.0) + 1.0;
        if !vulnerable {
            return self.merging(o, ego_d, half, tta);
        }
        if o.vd.abs() < 0.2 {
            return false;
        }
        let later = o.d + o.vd * tta;
        let (lo, hi) = if later < o.d { (later, o.d) } else { (o.d, later) };
        lo < ego_d + half && hi > ego_d - half
    }
}

/// Deceleration up to which the reference driver stops for amber, m/s².
const AMBER_COMFORT_DECEL: f64 = 3.0;

/// The acceleration its traffic light allows (`f64::INFINITY` for no
/// limit): the reference driver stops at the stop line (IDM towards a
/// standing leader there) for red, and for amber when it can do so within
/// [`AMBER_COMFORT_DECEL`]; once it has decided to stop (`stopping`) it keeps
/// stopping through the red. A red it can no longer stop for (beyond
/// `max_decel`) it clears.
fn signal_accel(stopping: &mut bool, obs: &Observation, idm: &Idm, desired: f64, max_decel: f64) -> f64 {
    use crate::traffic_light::SignalState;
    let Some(light) = obs.signal.filter(|l| l.state != SignalState::Green && l.distance > 0.0) else {
        *stopping = false;
        return f64::INFINITY;
    };
    let v = obs.ego.vs.max(0.0);
    let needed = v * v / (2.0 * light.distance);
    if !*stopping {
        let limit = if light.state == SignalState::Amber { AMBER_COMFORT_DECEL } else { max_decel };
        *stopping = needed <= limit;
    }
    if !*stopping {
        return f64::INFINITY;
    }
    // Stop with the front bumper a metre before the line.
    let stop = Idm { min_gap: 1.0, ..*idm };
    stop.accel(obs.ego.vs, desired, Some((light.distance, 0.0)))
}

impl AutonomyAdapter for ReferenceAdapter {
    fn info(&self) -> AdapterInfo {
        AdapterInfo { name: "reference".into(), version: env!("CARGO_PKG_VERSION").into() }
    }

    fn reset(&mut self, job: &JobStart) -> Result<(), AdapterFault> {
        self.job = Some(job.clone());
        self.target_lane = None;
        self.last_accel = 0.0;
        self.stopping_for_light = false;
        self.stopped_at_sign = false;
        self.tracker.reset();
        self.fcw = false;
        self.route = job.route.as_ref().map(super::route_ahead::RouteAhead::new);
        self.lane_drop = (job.road.lane_drop)
            .filter(|_| self.tuning.follows_lane_drop)
            .map(super::lane_change::LaneDropDriver::new);
        Ok(())
    }

    fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
        let Some(job) = self.job.as_ref() else {
            return Err(AdapterFault::new(crate::adapter::AdapterFaultKind::Protocol, "step before reset"));
        };
        if self.tuning.track_memory {
            self.tracker.update(obs);
        }
        let ego = &obs.ego;
        let lanes = job.road.lanes as i32;
        let mut lane =
            *self.target_lane.get_or_insert(if ego.lane >= 0 { ego.lane } else { 0 }.clamp(0, lanes - 1));
        let mut desired = job.road.speed_limit * 0.95;
        if ego.curvature.abs() > 1e-4 {
            desired = desired.min(sqrt(self.tuning.curve_lateral_accel / ego.curvature.abs()));
        }
        // Its lane ending ahead: a lane change into a gap, or a stop before the end.
        let mut d_ref = lane as f64 * job.road.lane_width;
        let (mut heading_err, mut lane_end_cap) = (ego.heading_err, f64::INFINITY);
        if let Some(ld) = self.lane_drop.as_mut() {
            let step = if self.tuning.track_memory {
                let confirmed = self.tracker.tracks().iter().filter(|t| t.confirmed()).map(|t| &t.obj);
                ld.step(confirmed, ego, job, obs.t, &mut lane, desired)
            } else {
                ld.step(obs.objects.iter(), ego, job, obs.t, &mut lane, desired)
            };
            self.target_lane = Some(lane);
            d_ref = step.d_ref;
            desired = step.desired;
            lane_end_cap = step.accel_cap;
            if step.vd_ref != 0.0 {
                heading_err -= crate::math::atan2(step.vd_ref, ego.vs.max(1.0));
            }
        }
        let lateral_err = ego.d - d_ref - ego.lane_shift;
        let steer = stanley_steer(
            lateral_err,
            heading_err,
            ego.vs,
            ego.curvature,
            job.ego.wheelbase,
            job.ego.max_steer,
        );
        if let Some(route) = &self.route {
            let d = lane as f64 * job.road.lane_width;
            desired = desired.min(route.curve_speed(ego.s, d, self.tuning.curve_lateral_accel));
        }
        let idm =
            Idm { accel: self.tuning.idm_accel, decel: self.tuning.idm_decel, min_gap: 4.0, headway: 1.5 };
        let leader = self.leader(obs, job);
        let mut accel = idm.accel(ego.vs, desired, leader.map(|l| (l.gap, l.vs)));
        if let Some(guard) = leader.and_then(|l| self.ttc_guard(l, ego.vs)) {
            accel = accel.min(guard);
        }
        let emergency = leader.and_then(|l| self.emergency(l, ego.vs, job));
        if let Some(decel) = emergency {
            accel = accel.min(-decel);
        }
        let emergency = emergency.is_some();
        if obs.ego.fault.is_some() {
            accel = accel.min(-FAULT_STOP_DECEL);
        }
        let max_decel = job.ego.max_decel;
        accel = accel.min(signal_accel(&mut self.stopping_for_light, obs, &idm, desired, max_decel));
        accel = accel.min(lane_end_cap);
        if let Some(route) = &self.route {
            let give_way = if self.tuning.track_memory {
                let confirmed = self.tracker.tracks().iter().filter(|t| t.confirmed()).map(|t| &t.obj);
                route.give_way(confirmed, ego, job, &idm, desired)
            } else {
                route.give_way(obs.objects.iter(), ego, job, &idm, desired)
            };
            accel = accel.min(give_way);
            accel = accel.min(route.stop_sign(&mut self.stopped_at_sign, ego, job, &idm, desired));
        }
        accel = accel.clamp(-job.ego.max_decel, job.ego.max_accel);
        if !emergency {
            let max_step = self.tuning.jerk_limit * job.dt;
            accel = accel.clamp(self.last_accel - max_step, self.last_accel + max_step);
        }
        self.last_accel = accel;
        // The warning looks at what the driver acts on: its confirmed tracks
        // (with track memory), else the frame as reported.
        let ttc = if self.tuning.track_memory {
            let confirmed = self.tracker.tracks().iter().filter(|t| t.confirmed()).map(|t| &t.obj);
            super::monitors::min_ttc_among(confirmed, obs, job)
        } else {
            super::monitors::min_ttc_ahead(obs, job)
        };
        self.fcw = ttc < super::monitors::REFERENCE_FCW_TTC;
        Ok(Control { accel, steer })
    }

    fn monitor_names(&self) -> Vec<String> {
        vec!["fcw".to_owned()]
    }

    fn active_monitors(&self) -> crate::MonitorMask {
        crate::MonitorMask::NONE.with(0, self.fcw)
    }
}
