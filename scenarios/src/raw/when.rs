//! `at: When([[(cond: …), …], …])`: start conditions judged while running,
//! an OR (the outer list) of ANDs (each inner list), each condition with an
//! edge and a delay; and the transition shapes of `ShapedSpeed` and
//! `LaneOffset`. Entities are named: `"ego"` or an actor's name.

use serde::Deserialize;

use super::fixed;
use crate::param::Num;

/// One condition of a `When` trigger: `(cond: Speed(entity: "ego", rule: Below, value: 9.0), edge: Rising, delay: 0.5)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgedFile {
    /// The condition.
    pub cond: ConditionFile,
    /// Its edge (default `None`: the level).
    #[serde(default)]
    pub edge: ConditionEdgeFile,
    /// Delay, s (default 0): it holds from `delay` s after it first held.
    #[serde(default = "fixed::<0, 1>")]
    pub delay: Num,
}

/// A condition's edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
pub enum ConditionEdgeFile {
    /// The level itself (true at the start fires at once).
    #[default]
    None,
    /// False on the step before, true now.
    Rising,
    /// True on the step before, false now.
    Falling,
    /// Either change.
    RisingOrFalling,
}

/// Which side of the value the quantity must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum RuleFile {
    /// At or above.
    Above,
    /// At or below.
    Below,
}

/// A transition's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum ShapeFile {
    /// `3p² − 2p³`.
    Cubic,
    /// `½(1 − cos πp)`.
    Sinusoidal,
    /// `p` (not for `LaneOffset`: its lateral acceleration would be unbounded).
    Linear,
}

/// A condition on the world state.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum ConditionFile {
    /// Simulated time at least this, s.
    Time(Num),
    /// The entity's speed, m/s.
    Speed {
        /// `"ego"` or an actor's name.
        entity: String,
        /// Above or below.
        rule: RuleFile,
        /// m/s.
        value: Num,
    },
    /// The entity's speed less the other's, m/s.
    RelativeSpeed {
        /// `"ego"` or an actor's name.
        entity: String,
        /// The other entity.
        to: String,
        /// Above or below.
        rule: RuleFile,
        /// m/s.
        value: Num,
    },
    /// The entity's longitudinal acceleration, m/s².
    Acceleration {
        /// `"ego"` or an actor's name.
        entity: String,
        /// Above or below.
        rule: RuleFile,
        /// m/s².
        value: Num,
    },
    /// The entity has stood still for at least `duration` s.
    StandStill {
        /// `"ego"` or an actor's name.
        entity: String,
        /// s.
        duration: Num,
    },
    /// The entity has travelled at least `distance` m since the start.
    TraveledDistance {
        /// `"ego"` or an actor's name.
        entity: String,
        /// m.
        distance: Num,
    },
    /// The entity's centre (or, with `freespace: true`, its footprint)
    /// within (`Below`) or beyond (`Above`) `distance` m of the route
    /// position (`s`, `d`), measured as `measure` says.
    Position {
        /// `"ego"` or an actor's name.
        entity: String,
        /// Route distance, m.
        s: Num,
        /// Lateral offset on the route, m (+ left).
        d: Num,
        /// Within or beyond.
        rule: RuleFile,
        /// m.
        distance: Num,
        /// Measure from the entity's footprint (default false: its centre;
        /// with `Euclidean` the signed distance, negative inside it).
        #[serde(default)]
        freespace: bool,
        /// Straight line (default), or along or across the route.
        #[serde(default)]
        measure: MeasureFile,
    },
    /// Distance between the two centres (or, with `freespace: true`,
    /// between their footprints: the gap between the rectangles), m; with
    /// `at`, from the entity to the point at that offset from `to`, which
    /// moves with `to` (as `Position` measures to a fixed point).
    Distance {
        /// `"ego"` or an actor's name.
        entity: String,
        /// The other entity.
        to: String,
        /// Within or beyond.
        rule: RuleFile,
        /// m.
        distance: Num,
        /// Measure between the footprints (default false: the centres).
        #[serde(default)]
        freespace: bool,
        /// Straight line (default), or along or across the route.
        #[serde(default)]
        measure: MeasureFile,
        /// A point relative to `to` to measure to (default `None`: `to` itself).
        #[serde(default)]
        at: Option<OffsetFile>,
    },
    /// Time to collision of the entity with the other ahead along the route's lanes, s.
    TimeToCollision {
        /// `"ego"` or an actor's name (the follower).
        entity: String,
        /// The entity ahead.
        to: String,
        /// Whether the gap is bumper to bumper (default true; false: centre to centre).
        #[serde(default = "super::yes")]
        freespace: bool,
        /// Above or below.
        rule: RuleFile,
        /// s.
        value: Num,
    },
    /// Time headway of the entity to the other ahead along the route, s.
    Headway {
        /// `"ego"` or an actor's name (the follower).
        entity: String,
        /// The entity ahead.
        to: String,
        /// Above or below.
        rule: RuleFile,
        /// s.
        value: Num,
        /// Whether the gap is bumper to bumper (default false: centre to centre).
        #[serde(default)]
        freespace: bool,
    },
}

/// How a distance is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
pub enum MeasureFile {
    /// The straight line in the plane.
    #[default]
    Euclidean,
    /// Along the route: the difference of route distance `s`.
    Longitudinal,
    /// Across the route: the difference of lateral offset `d`.
    Lateral,
}

/// A point relative to an entity, moving with it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum OffsetFile {
    /// In the entity's own frame: `dx` m ahead along its heading, `dy` m to its left.
    Object {
        /// m, forward.
        dx: Num,
        /// m, left.
        dy: Num,
    },
    /// On the route: `ds` m further along and `dt` m further left than the entity.
    Road {
        /// m along the route.
        ds: Num,
        /// m across (+ left).
        dt: Num,
    },
    /// On the lane `dlane` lanes left of the entity's (negative: right),
    /// `ds` m further along, `offset` m left of that lane's centre.
    Lane {
        /// Lanes to the left.
        dlane: Num,
        /// m along the route.
        ds: Num,
        /// m left of the lane's centre.
        offset: Num,
    },
}
