//! Traffic lights at a signalised intersection: timed phases, stop lines,
//! what the ego observes, where scripted vehicles stop, and the red-light
//! judgement of `stop_at_red`.
//!
//! The route's and the oncoming lanes' lights share one cycle: green, amber,
//! red (from `offset` into the cycle at t = 0). The crossing road's lights are
//! green while the route's are red, less [`ALL_RED`] at each end and its own
//! amber: red for `green + amber + ALL_RED`, green, amber, red for `ALL_RED`.
//!
//! Every distance to a stop line (the ego's observation, a scripted
//! vehicle's stop, the `stop_at_red` margin) is measured along the lane the
//! road user drives on ([`Path::along`]), as the other gaps are.

use serde::Serialize;

use crate::road::{Path, PathId, Road, RoadSpec};
use crate::world::BodyState;

/// Time both directions are red between phases, s.
pub const ALL_RED: f64 = 1.0;
/// Distance from the stop line to the edge of the crossing carriageway, m.
pub const STOP_LINE_SETBACK: f64 = 1.0;
/// Deceleration up to which a scripted vehicle stops for amber, m/s².
pub const AMBER_STOP_DECEL: f64 = 3.0;
/// Deceleration up to which a scripted vehicle stops for red, m/s² (beyond
/// it, it has committed to the crossing and clears it).
pub const RED_STOP_DECEL: f64 = 6.0;
/// `stop_at_red` margin while no red light holds the ego, m.
pub const STOP_HORIZON: f64 = 1000.0;

/// A signalised intersection's timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalSpec {
    /// Green of the route's lights, s (> 0).
    pub green: f64,
    /// Amber, s (> 0; the crossing road's amber too).
    pub amber: f64,
    /// Red of the route's lights, s (> `amber + 2 * ALL_RED`).
    pub red: f64,
    /// Where in the cycle the route's lights are at t = 0, s (0 = green starts).
    pub offset: f64,
}

impl SignalSpec {
    /// Length of one cycle, s.
    pub fn cycle(&self) -> f64 {
        self.green + self.amber + self.red
    }

    /// State and time to the next change of the lights of `path` at time `t`.
    pub fn state(&self, path: PathId, t: f64) -> (SignalState, f64) {
        let cycle = self.cycle();
        let x = (t + self.offset).rem_euclid(cycle);
        let (g, a) = (self.green, self.amber);
        // A junction's `Approach` and `Ahead` arms run the route's phases,
        // `Left` and `Right` the crossing road's.
        let main = match path {
            PathId::Route | PathId::Oncoming => true,
            PathId::CrossNorth | PathId::CrossSouth => false,
            PathId::Movement(from, _) => crate::junction::Junction::main_phase(from),
        };
        match main {
            true => {
                if x < g {
                    (SignalState::Green, g - x)
                } else if x < g + a {
                    (SignalState::Amber, g + a - x)
                } else {
                    (SignalState::Red, cycle - x)
                }
            }
            false => {
                let green_from = g + a + ALL_RED;
                let amber_from = cycle - ALL_RED - a;
                let red_from = cycle - ALL_RED;
                if x < green_from {
                    (SignalState::Red, green_from - x)
                } else if x < amber_from {
                    (SignalState::Green, amber_from - x)
                } else if x < red_from {
                    (SignalState::Amber, red_from - x)
                } else {
                    (SignalState::Red, cycle - x + green_from)
                }
            }
        }
    }
}

/// The colour a light shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignalState {
    /// Go.
    #[default]
    Green,
    /// Stop if you can do so safely.
    Amber,
    /// Stop.
    Red,
}

/// The ego's traffic light, as the protocol's optional `signal` field of
/// `observe` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SignalObservation {
    /// `green`, `amber` or `red`.
    pub state: SignalState,
    /// Distance from the ego's front bumper to the stop line along the
    /// ego's lane, m (negative once the front is past it).
    pub distance: f64,
    /// Time until the light changes, s.
    pub time_to_change: f64,
}

/// The signal timing of a road, if its intersection is signalised.
pub fn signal_of(spec: &RoadSpec) -> Option<(SignalSpec, crate::road::IntersectionSpec)> {
    spec.intersection.and_then(|ix| ix.signal.map(|sig| (sig, ix)))
}

/// Route distance of the route's stop line, m (at an intersection, or at a
/// signalised junction's approach).
pub fn route_stop_line(spec: &RoadSpec) -> Option<f64> {
    signal_of(spec)
        .map(|(_, ix)| ix.at_s - ix.lane_width - STOP_LINE_SETBACK)
        .or_else(|| spec.junction.filter(|j| j.signal.is_some()).map(|j| j.entry_s - STOP_LINE_SETBACK))
}

/// The light timing of the road: its intersection's or its junction's.
fn timing(spec: &RoadSpec) -> Option<SignalSpec> {
    signal_of(spec).map(|(sig, _)| sig).or_else(|| spec.junction.and_then(|j| j.signal))
}

/// Distance along `path` of its stop line, m, if the road is signalised.
pub(crate) fn stop_line(road: &Road, path: PathId) -> Option<f64> {
    let spec = &road.spec;
    if let Some(j) = road.junction().filter(|j| j.spec.signal.is_some()) {
        // Junction movements stop at their arm's mouth; the route's oncoming
        // lanes come from the exit arm and are not signalised.
        return match path {
            PathId::Route => route_stop_line(spec),
            _ => j.movement_of(path).map(|m| m.mouth_in - STOP_LINE_SETBACK),
        };
    }
    let (_, ix) = signal_of(spec)?;
    match path {
        PathId::Route => route_stop_line(spec),
        PathId::Oncoming => {
            let far = ix.at_s + ix.lane_width + STOP_LINE_SETBACK;
            let (p, _) = road.route().pose(far, crate::twoway::oncoming_offset(spec));
            road.path(PathId::Oncoming).map(|o| o.project(p).s)
        }
        PathId::CrossNorth | PathId::CrossSouth => {
            let half = 0.5 * (spec.left_edge() - spec.right_edge()) + spec.shoulder;
            Some(ix.arm_length - half - STOP_LINE_SETBACK)
        }
        PathId::Movement(..) => None,
    }
}

/// Distance, m, from the ego's front bumper to the route's stop line at
/// `line` (route distance) along the ego's lane.
fn front_to_line(route: &Path, line: f64, ego: &BodyState) -> f64 {
    route.along(ego.route.s, line, ego.route.d) - 0.5 * ego.length
}

/// What the ego sees of its light at time `t`: present while the stop line is
/// ahead of its rear bumper.
pub(crate) fn observe(road: &Road, t: f64, ego: &BodyState) -> Option<SignalObservation> {
    let sig = timing(&road.spec)?;
    let line = route_stop_line(&road.spec)?;
    let distance = front_to_line(road.route(), line, ego);
    if distance + ego.length <= 0.0 {
        return None;
    }
    let (state, time_to_change) = sig.state(PathId::Route, t);
    Some(SignalObservation { state, distance, time_to_change })
}

/// A scripted vehicle's stop line as a standing leader `(gap, 0)` when its
/// light says stop: red, or amber, unless stopping would need more than
/// [`RED_STOP_DECEL`] (red) or [`AMBER_STOP_DECEL`] (amber).
pub(crate) fn stop_leader(road: &Road, t: f64, me: &BodyState) -> Option<(f64, f64)> {
    let sig = timing(&road.spec)?;
    let line = stop_line(road, me.path)?;
    let path = road.path(me.path)?;
    let gap = path.along(me.own.s, line, me.own.d) - 0.5 * me.length;
    if gap <= 0.0 {
        return None;
    }
    let v = me.frame_velocity(&me.own).0.max(0.0);
    let needed = v * v / (2.0 * gap);
    let limit = match sig.state(me.path, t).0 {
        SignalState::Green => return None,
        SignalState::Amber => AMBER_STOP_DECEL,
        SignalState::Red => RED_STOP_DECEL,
    };
    (needed <= limit).then_some((gap, 0.0))
}

/// The nearer of two leaders `(gap, speed)`.
pub(crate) fn nearer(a: Option<(f64, f64)>, b: Option<(f64, f64)>) -> Option<(f64, f64)> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The running judgement of `stop_at_red`: whether the current red found
/// the ego's front behind the stop line (then it must stay behind it).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RedLightJudge {
    red: bool,
    held: bool,
}

impl RedLightJudge {
    /// This step's margin: stop line minus front bumper while a red holds
    /// the ego, [`STOP_HORIZON`] otherwise (no signal, not red, or the ego
    /// was already past the line when the red began). `route` is
    /// the road's route, along whose lanes the distance is measured.
    pub(crate) fn margin(&mut self, spec: &RoadSpec, route: &Path, t: f64, ego: &BodyState) -> f64 {
        let (Some(sig), Some(line)) = (timing(spec), route_stop_line(spec)) else {
            return STOP_HORIZON;
        };
        if sig.state(PathId::Route, t).0 != SignalState::Red {
            *self = Self::default();
            return STOP_HORIZON;
        }
        let to_line = front_to_line(route, line, ego);
        if !self.red {
            self.red = true;
            self.held = to_line >= 0.0;
        }
        if self.held { to_line.min(STOP_HORIZON) } else { STOP_HORIZON }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: SignalSpec = SignalSpec { green: 10.0, amber: 3.0, red: 12.0, offset: 0.0 };

    #[test]
    fn route_phases_follow_the_timing_and_the_offset() {
        assert_eq!(SIG.state(PathId::Route, 0.0), (SignalState::Green, 10.0));
        assert_eq!(SIG.state(PathId::Route, 10.5), (SignalState::Amber, 2.5));
        assert_eq!(SIG.state(PathId::Route, 13.0), (SignalState::Red, 12.0));
        assert_eq!(SIG.state(PathId::Route, 25.0), (SignalState::Green, 10.0), "the cycle repeats");
        assert_eq!(SIG.state(PathId::Oncoming, 14.0), SIG.state(PathId::Route, 14.0));
        let late = SignalSpec { offset: 11.0, ..SIG };
        assert_eq!(late.state(PathId::Route, 0.0), (SignalState::Amber, 2.0));
        assert_eq!(late.state(PathId::Route, 2.0).0, SignalState::Red);
    }

    #[test]
    fn crossing_lights_are_green_only_inside_the_routes_red() {
        // Route red over [13, 25); crossing green over [14, 21), amber [21, 24).
        assert_eq!(SIG.state(PathId::CrossNorth, 5.0), (SignalState::Red, 9.0));
        assert_eq!(SIG.state(PathId::CrossNorth, 13.5).0, SignalState::Red, "all red");
        assert_eq!(SIG.state(PathId::CrossSouth, 14.0), (SignalState::Green, 7.0));
        assert_eq!(SIG.state(PathId::CrossNorth, 22.0), (SignalState::Amber, 2.0));
        assert_eq!(SIG.state(PathId::CrossNorth, 24.5), (SignalState::Red, 14.5));
        for i in 0..500 {
            let t = i as f64 * 0.1;
            let route = SIG.state(PathId::Route, t).0;
            let cross = SIG.state(PathId::CrossNorth, t).0;
            assert!(route == SignalState::Red || cross == SignalState::Red, "t={t}: both may go");
        }
    }
}
