//! Stop signs: a junction approach where the ego must come to a standstill
//! at the stop line before it enters, and the judgement of `stop_at_sign`.
//!
//! The stop line is where a signalised approach would have its line
//! ([`crate::traffic_light::STOP_LINE_SETBACK`] before the approach's
//! mouth), and distances to it are measured along the ego's lane, as the
//! red light's are. A standstill counts when the ego's longitudinal speed
//! is at most [`STANDSTILL`] with its front bumper at most [`STOP_ZONE`]
//! before the line: stopping further back (say, behind a queue) does not
//! release it from stopping again at the line.

use crate::road::{Path, Road};
use crate::traffic_light::STOP_LINE_SETBACK;
use crate::world::BodyState;

/// Speed at or under which the ego stands, m/s.
pub const STANDSTILL: f64 = 0.1;
/// How far before the stop line a standstill of the ego's front counts, m.
pub const STOP_ZONE: f64 = 5.0;
/// `stop_at_sign` margin once the ego has stopped, or on roads without a stop sign, m.
pub const STOP_HORIZON: f64 = crate::traffic_light::STOP_HORIZON;

/// The route's stop line and how far the junction area reaches past it
/// (route distances, m), when the route's approach has a stop sign.
pub(crate) fn route_stop_sign(road: &Road) -> Option<(f64, f64)> {
    let j = road.junction().filter(|j| j.spec.stop_sign)?;
    let line = j.spec.entry_s - STOP_LINE_SETBACK;
    Some((line, (j.area_s.1 - line).max(0.0)))
}

/// The running judgement of `stop_at_sign`.
///
/// Margin per step: the distance from the ego's front bumper to the stop
/// line while it has not yet stood at the line ([`STOP_HORIZON`] once it
/// has). Crossing the line without that standstill makes it negative: how
/// far past the line the ego drives without stopping, until it stops or
/// leaves the junction area (then it is held), so the worst margin of a
/// run through is minus the depth of the junction area past the line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StopSignJudge {
    stopped: bool,
    held: Option<f64>,
}

impl StopSignJudge {
    /// This step's margin. `line` is [`route_stop_sign`]; `route` the
    /// road's route, along whose lanes the distance is measured.
    pub(crate) fn margin(&mut self, line: Option<(f64, f64)>, route: &Path, ego: &BodyState) -> f64 {
        let Some((line, depth)) = line else {
            return STOP_HORIZON;
        };
        if self.stopped {
            return STOP_HORIZON;
        }
        if let Some(held) = self.held {
            return held;
        }
        let to_line = route.along(ego.route.s, line, ego.route.d) - 0.5 * ego.length;
        let standing = ego.speed_long.abs() <= STANDSTILL;
        if to_line >= 0.0 {
            if standing && to_line <= STOP_ZONE {
                self.stopped = true;
                return STOP_HORIZON;
            }
            return to_line.min(STOP_HORIZON);
        }
        let past = to_line.max(-depth);
        if standing || past <= -depth {
            self.held = Some(past);
        }
        past
    }
}
