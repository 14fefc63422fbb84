//! Validation and resolution of `When` triggers (conditions judged while
//! running) and of the shaped behaviours `ShapedSpeed` and `LaneOffset`.

use std::collections::BTreeMap;

use gauntlet_engine::profile::Shape;
use gauntlet_engine::trigger::{Condition, Conditions, Edge, Judged, MAX_CONDITIONS, Measure, Offset, Rule};
use gauntlet_engine::{Behaviour, Trigger};
use gauntlet_ron_source::FieldPath;

use super::{Accepts, MAX_DURATION, Walk};
use crate::param::Num;
use crate::raw::{
    ConditionEdgeFile, ConditionFile, JudgedFile, MeasureFile, OffsetFile, RuleFile, ShapeFile,
};

/// The name conditions use for the ego.
pub const EGO: &str = "ego";

const SPEED: Accepts = Accepts::between(-100.0, 100.0, "a speed in m/s");
const ACCEL: Accepts = Accepts::between(-50.0, 50.0, "an acceleration in m/s²");
const DISTANCE: Accepts = Accepts::between(0.0, 100_000.0, "a distance in m");
const TIME: Accepts = Accepts::between(0.0, MAX_DURATION, "a time in s");

const ROUTE_S: Accepts = Accepts::between(-100_000.0, 100_000.0, "a route distance in m");
const LATERAL: Accepts = Accepts::between(-100.0, 100.0, "a lateral offset in m");

fn measure(m: MeasureFile) -> Measure {
    match m {
        MeasureFile::Euclidean => Measure::Euclidean,
        MeasureFile::Longitudinal => Measure::Longitudinal,
        MeasureFile::Lateral => Measure::Lateral,
    }
}

fn rule(r: RuleFile) -> Rule {
    match r {
        RuleFile::Above => Rule::Above,
        RuleFile::Below => Rule::Below,
    }
}

pub(super) fn shape(s: ShapeFile) -> Shape {
    match s {
        ShapeFile::Cubic => Shape::Cubic,
        ShapeFile::Sinusoidal => Shape::Sinusoidal,
        ShapeFile::Linear => Shape::Linear,
    }
}

impl Walk<'_> {
    /// The body id of entity `name` (`"ego"` is 0; actor `j` is `j + 1`).
    fn entity(&mut self, p: &FieldPath, name: &str, names: &BTreeMap<&str, usize>) -> u32 {
        if name == EGO {
            return 0;
        }
        match names.get(name) {
            Some(&j) => j as u32 + 1,
            None => {
                let known: Vec<&str> = std::iter::once(EGO).chain(names.keys().copied()).collect();
                let hint = gauntlet_ron_source::closest_match(name, known.iter().copied())
                    .map(|m| format!("; did you mean {m:?}?"))
                    .unwrap_or_default();
                self.error(p, format!("unknown entity {name:?} (known: {known:?}){hint}"));
                0
            }
        }
    }

    /// A `When([[…], …])` trigger at `p` on a road of `lane_width` m lanes.
    pub(super) fn when(
        &mut self,
        p: &FieldPath,
        groups: &[Vec<JudgedFile>],
        names: &BTreeMap<&str, usize>,
        lane_width: f64,
    ) -> Trigger {
        let mut list = Vec::new();
        if groups.is_empty() {
            self.error(p, "expected at least one group of conditions");
        }
        for (g, group) in groups.iter().enumerate() {
            let gp = p.index(g);
            if group.is_empty() {
                self.error(&gp, "expected at least one condition in the group");
            }
            for (k, j) in group.iter().enumerate() {
                let jp = gp.index(k);
                let condition = self.condition(&jp.field("cond"), &j.cond, names, lane_width);
                let edge = match j.edge {
                    ConditionEdgeFile::None => Edge::None,
                    ConditionEdgeFile::Rising => Edge::Rising,
                    ConditionEdgeFile::Falling => Edge::Falling,
                    ConditionEdgeFile::RisingOrFalling => Edge::Both,
                };
                let delay = self.num(&jp.field("delay"), &j.delay, TIME);
                list.push(Judged { group: g.min(u8::MAX as usize) as u8, condition, edge, delay });
            }
        }
        if list.len() > MAX_CONDITIONS {
            self.error(
                p,
                format!(
                    "{} conditions: a trigger holds at most {MAX_CONDITIONS} over all its groups",
                    list.len()
                ),
            );
        }
        Conditions::new(&list).map_or(Trigger::Immediately, Trigger::When)
    }

    fn condition(
        &mut self,
        p: &FieldPath,
        c: &ConditionFile,
        names: &BTreeMap<&str, usize>,
        lane_width: f64,
    ) -> Condition {
        let ent = |w: &mut Self, field: &str, name: &str| w.entity(&p.field(field), name, names);
        let num = |w: &mut Self, field: &str, n: &Num, a: Accepts| w.num(&p.field(field), n, a);
        match c {
            ConditionFile::Time(n) => Condition::Time { at: self.num(p, n, TIME) },
            ConditionFile::Speed { entity, rule: r, value } => Condition::Speed {
                entity: ent(self, "entity", entity),
                rule: rule(*r),
                value: num(self, "value", value, SPEED),
            },
            ConditionFile::RelativeSpeed { entity, to, rule: r, value } => Condition::RelativeSpeed {
                entity: ent(self, "entity", entity),
                to: ent(self, "to", to),
                rule: rule(*r),
                value: num(self, "value", value, SPEED),
            },
            ConditionFile::Acceleration { entity, rule: r, value } => Condition::Acceleration {
                entity: ent(self, "entity", entity),
                rule: rule(*r),
                value: num(self, "value", value, ACCEL),
            },
            ConditionFile::StandStill { entity, duration } => Condition::StandStill {
                entity: ent(self, "entity", entity),
                duration: num(self, "duration", duration, TIME),
            },
            ConditionFile::TraveledDistance { entity, distance } => Condition::TraveledDistance {
                entity: ent(self, "entity", entity),
                distance: num(self, "distance", distance, DISTANCE),
            },
            ConditionFile::Position { entity, s, d, rule: r, distance, freespace, measure: m } => {
                Condition::Position {
                    entity: ent(self, "entity", entity),
                    s: num(self, "s", s, ROUTE_S),
                    d: num(self, "d", d, LATERAL),
                    rule: rule(*r),
                    distance: num(self, "distance", distance, DISTANCE),
                    freespace: *freespace,
                    measure: measure(*m),
                }
            }
            ConditionFile::Distance { entity, to, rule: r, distance, freespace, measure: m, at: None } => {
                Condition::Distance {
                    entity: ent(self, "entity", entity),
                    to: ent(self, "to", to),
                    rule: rule(*r),
                    distance: num(self, "distance", distance, DISTANCE),
                    freespace: *freespace,
                    measure: measure(*m),
                }
            }
            ConditionFile::Distance {
                entity,
                to,
                rule: r,
                distance,
                freespace,
                measure: m,
                at: Some(at),
            } => Condition::RelativePosition {
                entity: ent(self, "entity", entity),
                to: ent(self, "to", to),
                at: self.offset(&p.field("at"), at, lane_width),
                rule: rule(*r),
                distance: num(self, "distance", distance, DISTANCE),
                freespace: *freespace,
                measure: measure(*m),
            },
            ConditionFile::TimeToCollision { entity, to, freespace, rule: r, value } => {
                Condition::TimeToCollision {
                    entity: ent(self, "entity", entity),
                    to: ent(self, "to", to),
                    freespace: *freespace,
                    rule: rule(*r),
                    value: num(self, "value", value, TIME),
                }
            }
            ConditionFile::Headway { entity, to, rule: r, value, freespace } => Condition::Headway {
                entity: ent(self, "entity", entity),
                to: ent(self, "to", to),
                rule: rule(*r),
                value: num(self, "value", value, TIME),
                freespace: *freespace,
            },
        }
    }

    /// A point relative to an entity (`Object(dx, dy)`, `Road(ds, dt)`,
    /// `Lane(dlane, ds, offset)`) at `p`.
    fn offset(&mut self, p: &FieldPath, o: &OffsetFile, lane_width: f64) -> Offset {
        let mut num = |field: &str, n: &Num, a: Accepts| self.num(&p.field(field), n, a);
        match o {
            OffsetFile::Object { dx, dy } => {
                Offset::Object { dx: num("dx", dx, ROUTE_S), dy: num("dy", dy, LATERAL) }
            }
            OffsetFile::Road { ds, dt } => {
                Offset::Road { ds: num("ds", ds, ROUTE_S), dt: num("dt", dt, LATERAL) }
            }
            OffsetFile::Lane { dlane, ds, offset } => Offset::Lane {
                dlane: num("dlane", dlane, Accepts::int(-20.0, 20.0, "a number of lanes")) as i32,
                ds: num("ds", ds, ROUTE_S),
                offset: num("offset", offset, LATERAL),
                lane_width,
            },
        }
    }

    /// `ShapedSpeed(speed, duration, shape)` at `p`.
    pub(super) fn shaped_speed(
        &mut self,
        p: &FieldPath,
        speed: &Num,
        duration: &Num,
        s: ShapeFile,
    ) -> Behaviour {
        Behaviour::ShapedSpeed {
            speed: self.num(&p.field("speed"), speed, Accepts::between(0.0, 70.0, "a speed in m/s")),
            duration: self.num(&p.field("duration"), duration, Accepts::positive(600.0, "a duration in s")),
            shape: shape(s),
        }
    }

    /// `LaneOffset(lane, offset, shape, max_lateral_accel, speed)` at `p`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lane_offset(
        &mut self,
        p: &FieldPath,
        lanes: u32,
        lane: &Num,
        offset: &Num,
        s: ShapeFile,
        max_lateral_accel: &Num,
        speed: &Num,
    ) -> Behaviour {
        if s == ShapeFile::Linear {
            self.error(
                &p.field("shape"),
                "a `Linear` lane offset jumps its lateral speed (unbounded lateral acceleration): use `Cubic` or `Sinusoidal`",
            );
        }
        Behaviour::LaneOffset {
            lane: self.lane(&p.field("lane"), lane, lanes) as u32,
            offset: self.num(&p.field("offset"), offset, Accepts::between(-10.0, 10.0, "an offset in m")),
            shape: shape(s),
            max_lateral_accel: self.num(
                &p.field("max_lateral_accel"),
                max_lateral_accel,
                Accepts::positive(15.0, "a lateral acceleration in m/s²"),
            ),
            speed: self.num(&p.field("speed"), speed, Accepts::between(0.0, 70.0, "a speed in m/s")),
        }
    }
}
