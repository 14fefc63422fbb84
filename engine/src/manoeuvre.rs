//! Manoeuvres of the catalogues that the lane-keeping behaviours cannot
//! express: a vehicle **backing** (reversing straight along its heading,
//! e.g. out of a driveway into the ego's path) and a vehicle **drifting**
//! partly into the next lane at a given lateral speed and depth, then
//! recovering or not (NHTSA pre-crash typology: backing, drifting).
//!
//! Backing: the behaviour asks for a longitudinal acceleration towards
//! `−speed` (gently, [`REVERSE_ACCEL`]) and brakes at [`REVERSE_STOP_DECEL`]
//! to stand after `distance` m; the tyres deliver it within the friction
//! circle with the wheels straight ([`reverse_response`]).
//!
//! Drifting: the lateral reference moves from the start offset to the
//! drift target at exactly `lateral_speed` (a ramp, not a smoothed lane
//! change), holds, and comes back at the same speed; the steering gets the
//! reference's lateral speed as a feed-forward heading so the body follows
//! the ramp closely ([`drift_reference`]).

use crate::dynamics::{G, SLIP_TIME};
use crate::world::VehicleParams;

/// Acceleration with which a vehicle sets off backwards, m/s².
pub const REVERSE_ACCEL: f64 = 1.5;
/// Braking with which a reversing vehicle comes to a stand at the end of its distance, m/s².
pub const REVERSE_STOP_DECEL: f64 = 3.0;

/// The longitudinal acceleration a reversing vehicle asks for: towards
/// `−speed` while more than its stopping distance is left of `distance`
/// (`travelled` so far), then towards a stand. `u` is its speed along its
/// heading (negative when reversing).
pub(crate) fn reverse_accel(u: f64, speed: f64, distance: f64, travelled: f64, dt: f64) -> f64 {
    let left = distance - travelled;
    let stopping = u * u / (2.0 * REVERSE_STOP_DECEL);
    let target = if left > stopping + 0.05 { -speed } else { 0.0 };
    let rate = if target == 0.0 { REVERSE_STOP_DECEL } else { REVERSE_ACCEL };
    ((target - u) / dt.max(1e-6)).clamp(-rate, rate)
}

/// Planar acceleration (longitudinal, lateral) the tyres deliver to a
/// vehicle reversing with the wheels straight: the requested longitudinal
/// acceleration (within the vehicle's limits) and the lateral one that
/// kills side slip share the friction circle μ·g; no yaw.
pub(crate) fn reverse_response(accel: f64, w: f64, params: &VehicleParams, friction: f64) -> (f64, f64) {
    let ax = accel.clamp(-params.max_accel.max(params.max_decel), params.max_accel.max(params.max_decel));
    let ay = -w / SLIP_TIME;
    let limit = friction * G;
    let demand = libm::hypot(ax, ay);
    let scale = if demand > limit { limit / demand } else { 1.0 };
    (ax * scale, ay * scale)
}

/// Where a drift into a lane centred at `lane_d` (lanes `lane_width` wide)
/// takes the centre of a body `width` wide that starts at `from_d`: its
/// near side `depth` m past the lane line.
pub(crate) fn drift_target(from_d: f64, lane_d: f64, lane_width: f64, width: f64, depth: f64) -> f64 {
    let toward = if lane_d >= from_d { 1.0 } else { -1.0 };
    let line = lane_d - toward * 0.5 * lane_width;
    line + toward * (depth - 0.5 * width)
}

/// The drift's lateral reference and its lateral speed at `elapsed` s
/// into it: out from `from_d` to `target_d` at `lateral_speed`, held for
/// `hold` s, back at the same speed if `recover`.
pub(crate) fn drift_reference(
    elapsed: f64,
    from_d: f64,
    target_d: f64,
    lateral_speed: f64,
    hold: f64,
    recover: bool,
) -> (f64, f64) {
    let span = target_d - from_d;
    let v = lateral_speed.max(1e-6);
    let t_move = span.abs() / v;
    let sign = span.signum();
    if elapsed < t_move {
        (from_d + sign * v * elapsed, sign * v)
    } else if !recover || elapsed < t_move + hold {
        (target_d, 0.0)
    } else if elapsed < 2.0 * t_move + hold {
        (target_d - sign * v * (elapsed - t_move - hold), -sign * v)
    } else {
        (from_d, 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAR: VehicleParams =
        VehicleParams { wheelbase: 2.8, max_accel: 4.0, max_decel: 10.0, max_steer: 0.6 };

    #[test]
    fn drift_target_puts_the_near_side_depth_past_the_line() {
        // From lane 0 (d = 0) into lane 1 (d = 3.5): line at 1.75, a 1.8 m wide
        // car's left side 0.6 m past it puts its centre at 1.75 + 0.6 − 0.9.
        let d = drift_target(0.0, 3.5, 3.5, 1.8, 0.6);
        assert!((d - 1.45).abs() < 1e-12);
        // And to the right, from lane 1 into lane 0.
        let d = drift_target(3.5, 0.0, 3.5, 1.8, 0.6);
        assert!((d - 2.05).abs() < 1e-12);
    }

    #[test]
    fn drift_reference_ramps_holds_and_recovers() {
        let (d, v) = drift_reference(1.0, 0.0, 1.5, 0.5, 2.0, true);
        assert!((d - 0.5).abs() < 1e-12 && (v - 0.5).abs() < 1e-12);
        assert_eq!(drift_reference(4.0, 0.0, 1.5, 0.5, 2.0, true), (1.5, 0.0));
        let (d, v) = drift_reference(6.0, 0.0, 1.5, 0.5, 2.0, true);
        assert!((d - 1.0).abs() < 1e-12 && (v + 0.5).abs() < 1e-12);
        assert_eq!(drift_reference(20.0, 0.0, 1.5, 0.5, 2.0, true), (0.0, 0.0));
        assert_eq!(drift_reference(20.0, 0.0, 1.5, 0.5, 2.0, false), (1.5, 0.0));
    }

    #[test]
    fn reversing_sets_off_backwards_and_stops_at_the_distance() {
        assert_eq!(reverse_accel(0.0, 2.0, 6.0, 0.0, 0.05), -REVERSE_ACCEL);
        // Going back at 2 m/s with 0.5 m left: brake to a stand.
        assert_eq!(reverse_accel(-2.0, 2.0, 6.0, 5.5, 0.05), REVERSE_STOP_DECEL);
        // Reversing is friction-limited.
        let (ax, _) = reverse_response(-10.0, 0.0, &CAR, 0.3);
        assert!((ax + 0.3 * G).abs() < 1e-9);
    }
}
