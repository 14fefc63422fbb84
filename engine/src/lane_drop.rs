//! Lane drops: a lane of the route's carriageway that ends. Over the taper
//! `[start_s, end_s]` the carriageway's edge on the ending lane's side moves
//! in by one lane width (linearly in route `s`), and stays there: the edge
//! colliders, `stay_on_road`, the edge-margin signal and the replay's road
//! follow it, so a body still in the ended lane past `end_s` is off the road
//! and meets the edge. Lane numbers do not change (the route frame of the
//! protocol stays as it is): lane 0 ending leaves lanes `1..lanes`.
//!
//! Scripted route vehicles in the ending lane merge before it ends
//! ([`merge_reference`]): from [`SEEK_TIME`] of driving before the taper's
//! start they accept a gap in the next lane (lane-true gaps ahead and
//! behind, closing speeds), change lane over [`MERGE_DURATION`], and while
//! no gap comes they keep their lane and stop just before the taper (a
//! standing leader there, [`end_leader`]). A road without a lane drop runs none of
//! this: every function here answers exactly what the road did before.

use serde::Serialize;

use crate::math::{PI, cos};
use crate::road::{PathId, RoadSpec};
use crate::world::{BodyState, Script};

/// A lane of the route's carriageway that ends (protocol 1.4's `road.lane_drop`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LaneDrop {
    /// The lane that ends: 0 (the rightmost) or `lanes - 1` (the leftmost,
    /// on a one-way road).
    pub lane: u32,
    /// Route distance where the taper starts (the lane is full width before it), m.
    pub start_s: f64,
    /// Route distance where the lane has ended (its width is 0 after it), m.
    pub end_s: f64,
}

impl LaneDrop {
    /// Share of the lane's width gone at route distance `s` (0 before the
    /// taper, 1 after it, linear in between).
    pub fn progress(&self, s: f64) -> f64 {
        ((s - self.start_s) / (self.end_s - self.start_s)).clamp(0.0, 1.0)
    }

    /// The lane its vehicles merge into: the one next to it, inwards.
    pub fn target_lane(&self) -> u32 {
        if self.lane == 0 { 1 } else { self.lane - 1 }
    }

    /// Whether the ending lane is the carriageway's rightmost one.
    pub fn on_right(&self) -> bool {
        self.lane == 0
    }
}

impl RoadSpec {
    /// Lateral offset of the right edge of the carriageway at route distance
    /// `s` (moved in over a lane drop's taper), m.
    pub fn right_edge_at(&self, s: f64) -> f64 {
        match self.lane_drop {
            Some(drop) if drop.on_right() => self.right_edge() + self.lane_width * drop.progress(s),
            _ => self.right_edge(),
        }
    }

    /// Lateral offset of the left edge of the carriageway at route distance
    /// `s` (moved in over a lane drop's taper), m.
    pub fn left_edge_at(&self, s: f64) -> f64 {
        match self.lane_drop {
            Some(drop) if !drop.on_right() => self.left_edge() - self.lane_width * drop.progress(s),
            _ => self.left_edge(),
        }
    }

    /// Whether lane `lane` still has width at route distance `s`.
    pub fn lane_open_at(&self, lane: u32, s: f64) -> bool {
        self.lane_drop.is_none_or(|drop| drop.lane != lane || s < drop.end_s)
    }
}

/// How far a footprint of half-width `half` at (`s`, `d`), reaching `along`
/// ahead and behind, lies inside the right and left edges (negative: over
/// one). The edges are monotone in `s`, so the tightest is at one end of the
/// footprint.
pub(crate) fn edge_margins(road: &RoadSpec, s: f64, along: f64, d: f64, half: f64) -> (f64, f64) {
    if road.lane_drop.is_none() {
        return (d - half - road.right_edge(), road.left_edge() - (d + half));
    }
    let right = road.right_edge_at(s - along).max(road.right_edge_at(s + along));
    let left = road.left_edge_at(s - along).min(road.left_edge_at(s + along));
    (d - half - right, left - (d + half))
}

/// How much an edge at base offset `d` (the right edge's side when `right`)
/// moves at route distance `s`, m (0 without a lane drop on that side).
pub(crate) fn edge_shift(road: &RoadSpec, right: bool, s: f64) -> f64 {
    match road.lane_drop {
        Some(drop) if drop.on_right() == right => {
            let w = road.lane_width * drop.progress(s);
            if right { w } else { -w }
        }
        _ => 0.0,
    }
}

/// The first taper end (start or end) strictly after `s`, where an edge
/// piece on the right (`right`) or left side must break.
pub(crate) fn next_break(road: &RoadSpec, right: bool, s: f64) -> Option<f64> {
    let drop = road.lane_drop.filter(|d| d.on_right() == right)?;
    [drop.start_s, drop.end_s].into_iter().find(|&b| b > s + 1e-9)
}

/// Seconds before the taper's start a scripted vehicle in the ending lane starts looking for a gap.
pub const SEEK_TIME: f64 = 8.0;
/// Duration of a scripted vehicle's merge, s.
pub const MERGE_DURATION: f64 = 4.0;
/// The gaps a scripted vehicle accepts: 6 m at standstill, 0.6 s ahead,
/// 0.8 s behind, closing speeds counted over 2.5 s.
const SCRIPTED_GAPS: GapAcceptance =
    GapAcceptance { min: 6.0, ahead_time: 0.6, behind_time: 0.8, closing_time: 2.5 };

/// The bumper-to-bumper gaps a lane change into a neighbouring lane needs,
/// shared by scripted vehicles and the reference driver (each with its own figures).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GapAcceptance {
    /// Gap ahead and behind at a standstill, m.
    pub min: f64,
    /// Time gap to the road user ahead, s.
    pub ahead_time: f64,
    /// Time gap left to the road user behind, s.
    pub behind_time: f64,
    /// Time over which a closing speed counts against a gap (ahead: its own
    /// closing on the road user; behind: the road user's closing on it), s.
    pub closing_time: f64,
}

impl GapAcceptance {
    /// The gap needed to a road user at speed `vo` ahead (`ahead`) or behind,
    /// changing lanes at speed `v`, m.
    pub(crate) fn needed(&self, ahead: bool, v: f64, vo: f64) -> f64 {
        if ahead {
            self.min + self.ahead_time * v + self.closing_time * (v - vo).max(0.0)
        } else {
            self.min + self.behind_time * vo.max(0.0) + self.closing_time * (vo - v).max(0.0)
        }
    }
}
/// Where a waiting vehicle stops: this far before the taper's start, m.
const STOP_BEFORE: f64 = 2.0;

/// A scripted vehicle's merge out of an ending lane.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) enum Merge {
    /// Not in an ending lane's merge zone (or no lane drop).
    #[default]
    Idle,
    /// In the zone, waiting for a gap in the target lane.
    Waiting,
    /// Changing lane since `since`, from `from_d` to `to_d`.
    Moving {
        /// Start time, s.
        since: f64,
        /// Lateral offset at the start, m.
        from_d: f64,
        /// Centre of the target lane, m.
        to_d: f64,
    },
}

/// Whether a gap in lane `target` at `me`'s position is acceptable: lane-true
/// gaps (along the target lane's line) to the nearest road users in that
/// lane ahead and behind, and the follower's closing speed.
pub(crate) fn gap_accepted(
    road: &crate::road::Road,
    me: &BodyState,
    bodies: &[BodyState],
    target: u32,
) -> bool {
    let spec = &road.spec;
    let route = road.route();
    let d = spec.lane_centre(f64::from(target));
    let half_lane = 0.5 * spec.lane_width;
    let v = me.frame_velocity(&me.route).0.max(0.0);
    for o in bodies {
        if o.id == me.id || o.path != PathId::Route || (o.route.d - d).abs() >= half_lane + 0.5 * o.width {
            continue;
        }
        let between = route.along(me.route.s, o.route.s, d);
        let bumpers = between.abs() - 0.5 * (me.length + o.length);
        let vo = o.frame_velocity(&o.route).0;
        if bumpers < SCRIPTED_GAPS.needed(between >= 0.0, v, vo) {
            return false;
        }
    }
    true
}

/// The lateral reference of a scripted route vehicle, with its merge out of
/// an ending lane: `d_ref` unchanged unless the road has a lane drop, the
/// vehicle holds the ending lane (`lateral` says whether its running
/// behaviour steers on its own, which it then leaves alone) and is within
/// [`SEEK_TIME`] of the taper's start (and has not passed its end).
pub(crate) fn merge_reference(
    road: &crate::road::Road,
    me: &BodyState,
    bodies: &[BodyState],
    script: &mut Script,
    lateral: bool,
    t: f64,
    d_ref: f64,
) -> f64 {
    let Some(drop) = road.spec.lane_drop else { return d_ref };
    if me.path != PathId::Route || !me.kind.is_vehicle_like() {
        return d_ref;
    }
    let spec = &road.spec;
    if let Merge::Moving { since, from_d, to_d } = script.merge {
        let p = ((t - since) / MERGE_DURATION).clamp(0.0, 1.0);
        if p >= 1.0 {
            script.merge = Merge::Idle;
            script.target_d = to_d;
            return to_d;
        }
        return from_d + (to_d - from_d) * 0.5 * (1.0 - cos(PI * p));
    }
    let holds_lane = spec.lane_of(script.target_d) == drop.lane as i32;
    let v = me.frame_velocity(&me.route).0.max(0.0);
    let front = me.route.s + 0.5 * me.length;
    let seeking =
        holds_lane && !lateral && front < drop.end_s && drop.start_s - front <= SEEK_TIME * v.max(5.0);
    if !seeking {
        script.merge = Merge::Idle;
        return d_ref;
    }
    let target = drop.target_lane();
    if gap_accepted(road, me, bodies, target) {
        let to_d = spec.lane_centre(f64::from(target));
        script.merge = Merge::Moving { since: t, from_d: me.own.d, to_d };
        return me.own.d;
    }
    script.merge = Merge::Waiting;
    d_ref
}

/// While a scripted vehicle waits for a gap, the end of its lane as a
/// standing leader (gap from its front bumper to [`STOP_BEFORE`] before the
/// taper starts, never less than 0.1 m).
pub(crate) fn end_leader(road: &RoadSpec, me: &BodyState, script: &Script) -> Option<(f64, f64)> {
    let drop = road.lane_drop?;
    (script.merge == Merge::Waiting)
        .then(|| ((drop.start_s - STOP_BEFORE - (me.route.s + 0.5 * me.length)).max(0.1), 0.0))
}

#[cfg(test)]
#[path = "lane_drop_tests.rs"]
mod tests;
