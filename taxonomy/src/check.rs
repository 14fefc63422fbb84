//! The executable checks a requirement states: a criterion and its
//! threshold, in the criterion's unit, as scenario files write criteria.

use serde::{Deserialize, Serialize};

/// One check of a requirement: a criterion at the requirement's threshold.
///
/// Written like a scenario's criterion: `NoCollision`, `MinTtc(min: 2.0)`,
/// `MinGap(min: 2.0)`, `StayOnRoad`, `SpeedLimit(tolerance: 0.0)`,
/// `MaxDecel(max: 6.0)`, `MaxJerk(max: 10.0)`, `ReachGoal` (the scenario's
/// own deadline: a requirement cannot know it), `StopAtRed`, or a Signal
/// Temporal Logic formula `Formula(name: "headway_recovery", stl: "always (…)")`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Check {
    /// No contact between the ego and any road user.
    NoCollision,
    /// Time-to-collision never below `min`, s.
    MinTtc {
        /// Threshold, s.
        min: f64,
    },
    /// Gap to the road user ahead never below `min`, m.
    MinGap {
        /// Threshold, m.
        min: f64,
    },
    /// The ego stays on the carriageway.
    StayOnRoad,
    /// Speed never above the limit plus `tolerance`, m/s.
    SpeedLimit {
        /// Allowed excess, m/s.
        tolerance: f64,
    },
    /// Deceleration never above `max`, m/s².
    MaxDecel {
        /// Threshold, m/s².
        max: f64,
    },
    /// Jerk never above `max` in magnitude, m/s³.
    MaxJerk {
        /// Threshold, m/s³.
        max: f64,
    },
    /// The ego reaches its goal by the scenario's own deadline.
    ReachGoal,
    /// The ego never crosses a red light's stop line.
    StopAtRed,
    /// The ego stands at a stop sign's line before crossing it.
    StopAtSign,
    /// A formula over the engine's signal library, judged by its robustness
    /// (a verdict named `name`).
    Formula {
        /// The verdict's name.
        name: String,
        /// The formula.
        stl: String,
    },
}

/// How a scenario's criterion compares with a requirement's check of the same criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// The same threshold: the scenario's verdict is the requirement's evidence.
    Same,
    /// Stricter than the requirement (allowed): the requirement is judged apart, at its own threshold.
    Stricter,
    /// Looser than the requirement: refused by validation.
    Looser,
}

impl Check {
    /// The criterion's name, as records and scenario files name it.
    pub fn criterion(&self) -> &str {
        match self {
            Check::Formula { name, .. } => name,
            Check::NoCollision => "no_collision",
            Check::MinTtc { .. } => "min_ttc",
            Check::MinGap { .. } => "min_gap",
            Check::StayOnRoad => "stay_on_road",
            Check::SpeedLimit { .. } => "speed_limit",
            Check::MaxDecel { .. } => "max_decel",
            Check::MaxJerk { .. } => "max_jerk",
            Check::ReachGoal => "reach_goal",
            Check::StopAtRed => "stop_at_red",
            Check::StopAtSign => "stop_at_sign",
        }
    }

    /// The threshold, in the criterion's unit; `None` for checks without one.
    pub fn threshold(&self) -> Option<f64> {
        match *self {
            Check::NoCollision
            | Check::StayOnRoad
            | Check::ReachGoal
            | Check::StopAtRed
            | Check::StopAtSign
            | Check::Formula { .. } => None,
            Check::MinTtc { min } | Check::MinGap { min } => Some(min),
            Check::SpeedLimit { tolerance } => Some(tolerance),
            Check::MaxDecel { max } | Check::MaxJerk { max } => Some(max),
        }
    }

    /// How a scenario's criterion called `criterion` with `threshold`
    /// compares with this check; `None` when it is another criterion.
    ///
    /// Higher `min` (time-to-collision, gap) is stricter; lower `max`
    /// (deceleration, jerk) and lower speed `tolerance` are stricter; checks
    /// without a threshold, and `reach_goal` (whose deadline is the
    /// scenario's), are the same.
    pub fn compare(&self, criterion: &str, threshold: Option<f64>) -> Option<Strictness> {
        if criterion != self.criterion() {
            return None;
        }
        let (Some(mine), Some(theirs)) = (self.threshold(), threshold) else {
            return Some(Strictness::Same);
        };
        let stricter_when_higher = matches!(self, Check::MinTtc { .. } | Check::MinGap { .. });
        Some(if theirs == mine {
            Strictness::Same
        } else if (theirs > mine) == stricter_when_higher {
            Strictness::Stricter
        } else {
            Strictness::Looser
        })
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Check::NoCollision => f.write_str("NoCollision"),
            Check::MinTtc { min } => write!(f, "MinTtc(min: {min:?})"),
            Check::MinGap { min } => write!(f, "MinGap(min: {min:?})"),
            Check::StayOnRoad => f.write_str("StayOnRoad"),
            Check::SpeedLimit { tolerance } => write!(f, "SpeedLimit(tolerance: {tolerance:?})"),
            Check::MaxDecel { max } => write!(f, "MaxDecel(max: {max:?})"),
            Check::MaxJerk { max } => write!(f, "MaxJerk(max: {max:?})"),
            Check::ReachGoal => f.write_str("ReachGoal"),
            Check::StopAtRed => f.write_str("StopAtRed"),
            Check::StopAtSign => f.write_str("StopAtSign"),
            Check::Formula { ref name, ref stl } => write!(f, "Formula(name: {name:?}, stl: {stl:?})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness_follows_the_direction_of_each_threshold() {
        let ttc = Check::MinTtc { min: 2.0 };
        assert_eq!(ttc.compare("min_ttc", Some(2.0)), Some(Strictness::Same));
        assert_eq!(ttc.compare("min_ttc", Some(2.5)), Some(Strictness::Stricter));
        assert_eq!(ttc.compare("min_ttc", Some(1.0)), Some(Strictness::Looser));
        assert_eq!(ttc.compare("min_gap", Some(1.0)), None);
        let decel = Check::MaxDecel { max: 6.0 };
        assert_eq!(decel.compare("max_decel", Some(9.5)), Some(Strictness::Looser));
        assert_eq!(decel.compare("max_decel", Some(5.0)), Some(Strictness::Stricter));
        let speed = Check::SpeedLimit { tolerance: 0.0 };
        assert_eq!(speed.compare("speed_limit", Some(1.0)), Some(Strictness::Looser));
        assert_eq!(Check::NoCollision.compare("no_collision", None), Some(Strictness::Same));
        assert_eq!(Check::ReachGoal.compare("reach_goal", Some(30.0)), Some(Strictness::Same));
    }
}
