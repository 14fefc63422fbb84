//! What the reference driver makes of the route ahead (protocol 1.3's
//! `reset.route`): it slows before a turn's curvature instead of in it, and
//! gives way at the junction to road users whose paths cross its own there.

use crate::adapter::{EgoObservation, JobStart, JunctionInfo, ObjectObservation, RouteInfo};
use crate::control::Idm;
use crate::math::{V2, cos, sin, sqrt};
use crate::road::{Path, SegmentSpec};

/// Deceleration it plans with to reach a turn's speed, m/s².
const CURVE_DECEL: f64 = 2.0;
/// Spacing of the points of its path through the junction it checks, m.
const SAMPLE: f64 = 1.0;
/// Speed it assumes for itself and for moving road users when they are
/// slower (it will set off; they are setting off), m/s.
const MIN_SPEED: f64 = 3.0;
/// Speed under which a road user is standing, m/s.
const STANDING: f64 = 0.3;
/// Time gap it keeps to a crossing road user at a conflict point, s.
const GAP: f64 = 1.5;
/// Lateral clearance beyond both half-widths for paths to conflict, m.
const CLEARANCE: f64 = 1.0;
/// How far ahead in time it looks for conflicts, s.
const HORIZON: f64 = 10.0;
/// Speed under which a vehicle at the junction may be turning (its straight
/// line says nothing of where it goes), m/s.
const TURNING_SPEED: f64 = 8.0;
/// How far outside the junction area a slow vehicle may be about to turn, m.
const TURNING_REACH: f64 = 5.0;
/// Speed it assumes a turning vehicle clears the junction at (at least), m/s.
const TURNING_CLEAR_SPEED: f64 = 2.0;
/// Speed under which it has stopped at a stop sign, m/s (under the
/// criterion's [`crate::stop_sign::STANDSTILL`]).
const SIGN_STANDSTILL: f64 = 0.05;
/// Gap it leaves between its front bumper and a stop sign's line, m.
const SIGN_GAP: f64 = 0.3;

/// The route ahead, prepared at `reset`.
#[derive(Debug, Clone)]
pub(crate) struct RouteAhead {
    segments: Vec<(f64, f64, f64)>,
    junction: JunctionInfo,
    /// Points of the route's reference line inside the junction area: (s, point).
    samples: Vec<(f64, V2)>,
}

impl RouteAhead {
    /// Prepares the route of `info` (allocates here, never per step).
    pub(crate) fn new(info: &RouteInfo) -> Self {
        let pieces: Vec<SegmentSpec> =
            info.segments.iter().map(|s| SegmentSpec::new(s.length, s.curvature)).collect();
        let path = Path::new(V2::new(0.0, 0.0), 0.0, &pieces);
        let mut segments = Vec::with_capacity(pieces.len());
        let mut s0 = 0.0;
        for p in &pieces {
            segments.push((s0, s0 + p.length, p.curvature));
            s0 += p.length;
        }
        let j = info.junction;
        let mut samples = Vec::new();
        let mut s = j.enter_s;
        while s <= j.leave_s {
            samples.push((s, path.pose(s, 0.0).0));
            s += SAMPLE;
        }
        Self { segments, junction: j, samples }
    }

    /// The highest speed from which it can still slow to every curve ahead
    /// at `CURVE_DECEL`, with `lateral` m/s² in each curve of its lane `d`.
    pub(crate) fn curve_speed(&self, s: f64, d: f64, lateral: f64) -> f64 {
        let mut v = f64::INFINITY;
        for &(s0, s1, k) in &self.segments {
            if k == 0.0 || s1 <= s {
                continue;
            }
            let k_lane = (k / (1.0 - k * d)).abs();
            let v_curve = sqrt(lateral / k_lane);
            let dist = (s0 - s).max(0.0);
            v = v.min(sqrt(v_curve * v_curve + 2.0 * CURVE_DECEL * dist));
        }
        v
    }

    /// Whether a road user's path crosses the ego's inside the junction at
    /// about the time the ego gets there (within [`GAP`]).
    fn conflicts(&self, o: &ObjectObservation, ego: &EgoObservation, job: &JobStart) -> bool {
        if o.speed < STANDING {
            return false;
        }
        let dir = V2::new(cos(o.yaw), sin(o.yaw));
        let pos = V2::new(o.x, o.y);
        if self.may_be_turning(o, pos, dir, ego, job) {
            return true;
        }
        let v_o = o.speed.max(MIN_SPEED);
        let v_e = ego.vs.max(MIN_SPEED);
        let reach = 0.5 * (o.width + job.ego.width) + CLEARANCE;
        for &(s, p) in &self.samples {
            let rel = p - pos;
            let along = rel.dot(dir);
            if rel.cross(dir).abs() >= reach || along < -0.5 * o.length - job.ego.width {
                continue;
            }
            let t_o = along / v_o;
            let t_e = (s - ego.s) / v_e;
            if t_o > HORIZON || t_e < 0.0 {
                continue;
            }
            let half_o = (0.5 * (o.length + job.ego.width) + CLEARANCE) / v_o;
            let half_e = (0.5 * (job.ego.length + o.width) + CLEARANCE) / v_e;
            if (t_o - t_e).abs() < half_o + half_e + GAP {
                return true;
            }
        }
        false
    }

    /// A slow vehicle moving in or into the junction area may turn across
    /// the ego's path wherever its straight line points: it conflicts while
    /// the ego would enter the area before it can have cleared it.
    fn may_be_turning(
        &self,
        o: &ObjectObservation,
        pos: V2,
        dir: V2,
        ego: &EgoObservation,
        job: &JobStart,
    ) -> bool {
        let j = &self.junction;
        let centre = V2::new(j.x, j.y);
        let from_centre = pos - centre;
        let dist = from_centre.norm();
        let vulnerable = matches!(o.kind, crate::ActorKind::Pedestrian) || o.width < 1.0;
        if vulnerable || o.speed > TURNING_SPEED || dist > j.radius + TURNING_REACH {
            return false;
        }
        // Leaving the area: no longer in the way.
        if dist > j.radius && from_centre.dot(dir) > 0.0 {
            return false;
        }
        // Its own lane ahead of the ego, same direction: a leader, not a turner.
        if (o.d - ego.d).abs() < 0.5 * (o.width + job.ego.width) && o.vs > 0.0 {
            return false;
        }
        let clear = (j.radius + dist) / o.speed.max(TURNING_CLEAR_SPEED);
        let arrive = (j.enter_s - ego.s - 0.5 * job.ego.length).max(0.0) / ego.vs.max(MIN_SPEED);
        arrive < clear + GAP
    }

    /// The acceleration a stop sign allows (`f64::INFINITY` for no limit):
    /// until it has stood at the line (within the criterion's
    /// [`crate::stop_sign::STOP_ZONE`]), it stops there (IDM towards a
    /// standing leader at the line); `stopped` remembers that it has.
    pub(crate) fn stop_sign(
        &self,
        stopped: &mut bool,
        ego: &EgoObservation,
        job: &JobStart,
        idm: &Idm,
        desired: f64,
    ) -> f64 {
        if !self.junction.stop_sign || *stopped {
            return f64::INFINITY;
        }
        let to_line = self.junction.stop_s - (ego.s + 0.5 * job.ego.length);
        if to_line < 0.0 {
            // Past the line without a stop: nothing left to stop for.
            return f64::INFINITY;
        }
        if ego.vs.abs() < SIGN_STANDSTILL && to_line <= crate::stop_sign::STOP_ZONE {
            *stopped = true;
            return f64::INFINITY;
        }
        let stop = Idm { min_gap: SIGN_GAP, ..*idm };
        stop.accel(ego.vs, desired, Some((to_line, 0.0)))
    }

    /// The acceleration giving way allows (`f64::INFINITY` for no limit):
    /// before the junction area, with a road user about to cross its path
    /// there, it stops at the area's edge if it can (within `max_decel`).
    pub(crate) fn give_way<'a>(
        &self,
        objects: impl Iterator<Item = &'a ObjectObservation>,
        ego: &EgoObservation,
        job: &JobStart,
        idm: &Idm,
        desired: f64,
    ) -> f64 {
        let front = ego.s + 0.5 * job.ego.length;
        let to_area = self.junction.enter_s - 0.5 - front;
        if to_area <= 0.0 {
            return f64::INFINITY;
        }
        let v = ego.vs.max(0.0);
        if v * v / (2.0 * to_area) > job.ego.max_decel {
            return f64::INFINITY;
        }
        let mut objects = objects;
        if !objects.any(|o| self.conflicts(o, ego, job)) {
            return f64::INFINITY;
        }
        let stop = Idm { min_gap: 0.5, ..*idm };
        stop.accel(ego.vs, desired, Some((to_area, 0.0)))
    }
}
