//! Driving laws shared by scripted actors and the built-in reference
//! adapter: lane keeping (Stanley) and car following (IDM).

use crate::math::{atan, sqrt};

/// Steering angle that brings a vehicle onto a lateral target (Stanley
/// controller with curvature feed-forward).
///
/// `lateral_err`: offset from the target line, m, + left; `heading_err`: yaw
/// minus the path tangent, rad; `curvature`: of the target line, 1/m.
pub fn stanley_steer(
    lateral_err: f64,
    heading_err: f64,
    speed: f64,
    curvature: f64,
    wheelbase: f64,
    max_steer: f64,
) -> f64 {
    const GAIN: f64 = 0.8;
    const SOFTENING: f64 = 2.0; // m/s: keeps the law gentle near standstill
    let steer =
        atan(wheelbase * curvature) - heading_err - atan(GAIN * lateral_err / (speed.abs() + SOFTENING));
    steer.clamp(-max_steer, max_steer)
}

/// Parameters of the Intelligent Driver Model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Idm {
    /// Maximum acceleration, m/s².
    pub accel: f64,
    /// Comfortable deceleration, m/s².
    pub decel: f64,
    /// Standstill gap, m.
    pub min_gap: f64,
    /// Desired time headway, s.
    pub headway: f64,
}

impl Default for Idm {
    fn default() -> Self {
        Self { accel: 1.5, decel: 2.5, min_gap: 2.5, headway: 1.4 }
    }
}

impl Idm {
    /// Acceleration at `speed` towards `desired`, behind a leader `gap` metres
    /// ahead (bumper to bumper) moving at `lead_speed`; `None` for a free road.
    pub fn accel(&self, speed: f64, desired: f64, leader: Option<(f64, f64)>) -> f64 {
        let v = speed.max(0.0);
        let free = if desired <= 0.01 {
            // Asked to stop: brake softly to a standstill.
            -self.decel.min(v * 2.0)
        } else {
            let r = v / desired;
            self.accel * (1.0 - r * r * r * r)
        };
        match leader {
            None => free,
            Some((gap, lead_speed)) => {
                let dv = v - lead_speed;
                let s_star = self.min_gap
                    + (v * self.headway + v * dv / (2.0 * sqrt(self.accel * self.decel))).max(0.0);
                let gap = gap.max(0.1);
                let interaction = (s_star / gap) * (s_star / gap);
                free - self.accel * interaction
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idm_cruises_at_desired_speed_and_brakes_for_a_close_leader() {
        let idm = Idm::default();
        assert!(idm.accel(20.0, 20.0, None).abs() < 1e-9);
        assert!(idm.accel(10.0, 20.0, None) > 0.0);
        assert!(idm.accel(20.0, 20.0, Some((10.0, 0.0))) < -5.0);
        assert!(idm.accel(20.0, 20.0, Some((500.0, 20.0))) > -0.1);
    }

    #[test]
    fn stanley_steers_towards_the_line() {
        assert!(stanley_steer(1.0, 0.0, 10.0, 0.0, 2.8, 0.5) < 0.0, "left of the line steers right");
        assert!(stanley_steer(-1.0, 0.0, 10.0, 0.0, 2.8, 0.5) > 0.0);
        assert!(stanley_steer(0.0, 0.0, 10.0, 0.01, 2.8, 0.5) > 0.0, "feed-forward on a left curve");
        assert_eq!(stanley_steer(100.0, 0.0, 0.0, 0.0, 2.8, 0.5), -0.5);
    }
}
