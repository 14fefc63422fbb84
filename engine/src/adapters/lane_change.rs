//! What the reference driver does when its lane ends (protocol 1.4's
//! `road.lane_drop`): from [`SEEK_TIME`] before the taper it looks for a gap
//! in the next lane (gaps ahead and behind along the road, the closing
//! speed of the road user behind and its own closing on the one ahead) and
//! changes lane over [`CHANGE_TIME`] along a smooth lateral reference; while
//! no gap comes it slows to the speed of the road user blocking the gap, so
//! that it drops in behind it, and if none opens it stops a few metres
//! before the taper instead of running off its lane's end.

use crate::adapter::{EgoObservation, JobStart, ObjectObservation};
use crate::lane_drop::{GapAcceptance, LaneDrop};
use crate::math::{PI, cos, sin};

/// Seconds of driving before the taper from which it looks for a gap.
pub const SEEK_TIME: f64 = 10.0;
/// Duration of its lane change, s.
pub const CHANGE_TIME: f64 = 4.0;
/// The gaps it accepts in the target lane: 6 m at a standstill, 0.8 s to
/// the road user ahead, 1.0 s left to the one behind, closing speeds
/// counted over 3 s.
const GAPS: GapAcceptance = GapAcceptance { min: 6.0, ahead_time: 0.8, behind_time: 1.0, closing_time: 3.0 };
/// Where it stops when no gap comes: this far before the taper's start, m.
pub const STOP_BEFORE: f64 = 3.0;
/// Deceleration from which it starts braking for the end of its lane, m/s².
const END_DECEL: f64 = 1.5;
/// How far along the road a road user in the target lane blocks the gap it aims for, m.
const BLOCK_REACH: f64 = 40.0;
/// How much slower than the blocking road user it drives to drop in behind it, m/s.
const DROP_BACK: f64 = 2.0;

/// What the lane drop asks of one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LaneDropStep {
    /// The lateral offset to steer to, m.
    pub d_ref: f64,
    /// Its rate, m/s (fed forward to the steering).
    pub vd_ref: f64,
    /// Highest speed it may aim at, m/s.
    pub desired: f64,
    /// Highest acceleration (braking for the end of its lane), m/s².
    pub accel_cap: f64,
}

/// The reference driver's handling of one lane drop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LaneDropDriver {
    drop: LaneDrop,
    /// The running lane change: start time, from, to (m).
    change: Option<(f64, f64, f64)>,
}

impl LaneDropDriver {
    /// Prepares for `drop`.
    pub(crate) fn new(drop: LaneDrop) -> Self {
        Self { drop, change: None }
    }

    /// One step at time `t`: `lane` is the lane it keeps (changed here to the
    /// target lane when it commits to a gap), `desired` its speed before the lane drop.
    pub(crate) fn step<'a>(
        &mut self,
        objects: impl Iterator<Item = &'a ObjectObservation> + Clone,
        ego: &EgoObservation,
        job: &JobStart,
        t: f64,
        lane: &mut i32,
        desired: f64,
    ) -> LaneDropStep {
        let w = job.road.lane_width;
        let mut out =
            LaneDropStep { d_ref: *lane as f64 * w, vd_ref: 0.0, desired, accel_cap: f64::INFINITY };
        if let Some((since, from, to)) = self.change {
            let p = (t - since) / CHANGE_TIME;
            if p >= 1.0 {
                self.change = None;
                return out;
            }
            let p = p.max(0.0);
            out.d_ref = from + (to - from) * 0.5 * (1.0 - cos(PI * p));
            out.vd_ref = (to - from) * 0.5 * PI * sin(PI * p) / CHANGE_TIME;
            return out;
        }
        if *lane != self.drop.lane as i32 {
            return out;
        }
        let front = ego.s + 0.5 * job.ego.length;
        let v = ego.vs.max(0.0);
        let to_start = self.drop.start_s - front;
        if to_start > SEEK_TIME * v.max(5.0) || front >= self.drop.end_s {
            return out;
        }
        let target = self.drop.target_lane() as i32;
        let target_d = target as f64 * w;
        if gap_ok(objects.clone(), ego, job, target_d) {
            self.change = Some((t, out.d_ref, target_d));
            *lane = target;
            return out;
        }
        // Drop in behind the moving road user that blocks the gap beside it
        // (beside a standing queue it drives on to the end of its lane and waits there).
        let mut blocker: Option<(f64, f64)> = None;
        for o in objects.filter(|o| in_lane(o, target_d, w) && o.vs > DROP_BACK) {
            let along = o.s - ego.s;
            if along.abs() <= BLOCK_REACH && blocker.is_none_or(|(a, _)| along.abs() < a) {
                blocker = Some((along.abs(), o.vs));
            }
        }
        if let Some((_, vs)) = blocker {
            out.desired = out.desired.min((vs - DROP_BACK).max(0.0));
        }
        // And stop before the taper if the gap never comes.
        let room = to_start - STOP_BEFORE;
        if room <= 0.5 {
            out.accel_cap = -job.ego.max_decel;
        } else {
            let need = v * v / (2.0 * room);
            if need > END_DECEL {
                out.accel_cap = -(need * 1.2).min(job.ego.max_decel);
            }
        }
        out
    }
}

/// Whether road user `o` is in the lane centred at `d` (width `w`).
fn in_lane(o: &ObjectObservation, d: f64, w: f64) -> bool {
    (o.d - d).abs() < 0.5 * (w + o.width)
}

/// Whether the gap beside it in the lane centred at `target_d` is big enough:
/// every road user in that lane is far enough ahead (its own closing speed
/// counted) or behind (theirs counted).
fn gap_ok<'a>(
    objects: impl Iterator<Item = &'a ObjectObservation>,
    ego: &EgoObservation,
    job: &JobStart,
    target_d: f64,
) -> bool {
    let v = ego.vs.max(0.0);
    for o in objects.filter(|o| in_lane(o, target_d, job.road.lane_width)) {
        let ahead = o.s >= ego.s;
        let bumpers = if ahead {
            super::gap_ahead(ego, o, job.ego.length)
        } else {
            (ego.s - o.s) - 0.5 * (job.ego.length + o.length)
        };
        if bumpers < GAPS.needed(ahead, v, o.vs) {
            return false;
        }
    }
    true
}
