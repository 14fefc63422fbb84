//! Giving way at a junction: a scripted vehicle holds at its movement's
//! give-way line (or stop line) until the ego leaves it a gap.

use super::Junction;
use crate::road::{Path, Road};
use crate::traffic_light::STOP_LINE_SETBACK;
use crate::world::BodyState;

/// Speed below which the ego counts as standing (it waits), m/s.
const STANDING: f64 = 0.5;

/// Whether the ego leaves a vehicle waiting at the junction the gap it
/// accepts: the ego's front would reach the junction area no sooner than
/// `min_gap` s at its current speed, or its rear has left the area, or it
/// stands outside the area. Distances are along the ego's lane.
pub(crate) fn clear_to_go(j: &Junction, route: &Path, ego: &BodyState, min_gap: f64) -> bool {
    let (enter, leave) = j.area_s;
    let half = 0.5 * ego.length;
    let (vs, _) = ego.frame_velocity(&ego.route);
    if ego.route.s - half > leave {
        return true;
    }
    let to_area = route.along(ego.route.s, enter, ego.route.d) - half;
    if to_area <= 0.0 {
        return false;
    }
    if vs < STANDING {
        return true;
    }
    to_area / vs >= min_gap
}

/// The give-way line of a vehicle on a junction movement as a standing
/// leader `(gap, 0)`, while the ego does not leave it `min_gap` s (and its
/// front has not passed the line).
pub(crate) fn hold_leader(road: &Road, me: &BodyState, ego: &BodyState, min_gap: f64) -> Option<(f64, f64)> {
    let j = road.junction()?;
    let m = j.movement_of(me.path)?;
    let line = m.mouth_in - STOP_LINE_SETBACK;
    let gap = m.path.along(me.own.s, line, me.own.d) - 0.5 * me.length;
    if gap <= 0.0 || clear_to_go(j, road.route(), ego, min_gap) {
        return None;
    }
    Some((gap, 0.0))
}
