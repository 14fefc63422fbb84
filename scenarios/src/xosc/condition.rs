//! Start and stop triggers: `ConditionGroup`s (an OR of ANDs) of
//! conditions with their rules, edges and delays, read into the one trigger
//! a Gauntlet step waits for.
//!
//! What maps: any OR of ANDs of conditions that are fixed times
//! (`SimulationTimeCondition`, and `StoryboardElementStateCondition`s on
//! elements whose start or end time is known when the file is read), as
//! the earliest of the groups' latest times, plus `delay`; one distance or
//! headway condition below a value with no edge and no delay, as the
//! matching Gauntlet trigger; and any other OR of ANDs (at most
//! [`MAX_CONDITIONS`]) of conditions judged while running (entity
//! conditions, simulation times from a value on), with their edges and
//! delays, as a `When` trigger ([`gauntlet_engine::trigger`]). Distances
//! may be `freespace` (from the bounding boxes), along or across the route
//! (`alongRoute`, `relativeDistanceType` `longitudinal`/`lateral` in the
//! `road` or `lane` coordinate system), and to positions relative to an
//! entity, which move with it and are judged from its state every step.
//! Everything else is refused with its element path and line.

use std::collections::BTreeMap;

use gauntlet_engine::trigger::MAX_CONDITIONS;

use super::entities::{Entity, index_of};
use super::odr::Road;
use super::xml::{El, Loc, Res, Xml, name};
use crate::param::Num;
use crate::raw::{
    ConditionEdgeFile, ConditionFile, JudgedFile, LayoutFile, MeasureFile, OffsetFile, RuleFile,
};

/// A start condition, before it is read from one actor's point of view.
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    /// Simulation time ≥ t.
    Time(f64),
    /// Entities `a` and `b` within `d` m (centre to centre).
    Distance { a: usize, b: usize, d: f64 },
    /// Entity `from`'s time headway to `to` below `t` s.
    Headway { from: usize, to: usize, t: f64 },
    /// As soon as one of these steps (entity, index) starts.
    Started(Vec<(usize, usize)>),
    /// An OR of ANDs judged while running (entities by their names in the file).
    Runtime(Vec<Vec<JudgedFile>>),
}

/// One `Condition` read both ways: as a Gauntlet trigger of its own (when
/// it is one), and as a condition of a `When` trigger (or why it is not).
struct Reading {
    simple: Option<Cond>,
    runtime: Result<JudgedFile, String>,
}

/// A storyboard element already read: when it starts and ends, when those
/// times are fixed, and the steps it made.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Element {
    /// Start time, s, when fixed.
    pub start: Option<f64>,
    /// End time, s, when fixed.
    pub end: Option<f64>,
    /// The steps (entity, index) it made.
    pub steps: Vec<(usize, usize)>,
}

impl Element {
    /// The element made of `parts`: starts with the first, ends with the last.
    pub fn of(parts: &[Element]) -> Element {
        let all = |f: fn(&Element) -> Option<f64>| parts.iter().map(f).collect::<Option<Vec<f64>>>();
        Element {
            start: all(|e| e.start).and_then(|v| v.into_iter().reduce(f64::min)),
            end: all(|e| e.end).and_then(|v| v.into_iter().reduce(f64::max)),
            steps: parts.iter().flat_map(|e| e.steps.iter().copied()).collect(),
        }
    }
}

/// Storyboard elements by (type, name); `None` where two share a name.
pub(crate) type Elements = BTreeMap<(&'static str, String), Option<Element>>;

/// Records element `name` of type `kind` (`event`, `maneuver`, …).
pub(crate) fn record(elements: &mut Elements, kind: &'static str, name: String, e: Element) {
    elements.entry((kind, name)).and_modify(|slot| *slot = None).or_insert(Some(e));
}

/// A comparison rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    Greater,
    Less,
    Equal,
    NotEqual,
}

pub(crate) fn rule(xml: &Xml<'_>, node: El<'_>) -> Res<Rule> {
    Ok(match xml.req(node, "rule")?.as_str() {
        "greaterThan" | "greaterOrEqual" => Rule::Greater,
        "lessThan" | "lessOrEqual" => Rule::Less,
        "equalTo" => Rule::Equal,
        "notEqualTo" => Rule::NotEqual,
        other => return Err(xml.err(node, format!("unknown rule {other:?}"))),
    })
}

/// A condition's edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    None,
    Rising,
    Falling,
    Both,
}

impl Edge {
    fn file(self) -> ConditionEdgeFile {
        match self {
            Edge::None => ConditionEdgeFile::None,
            Edge::Rising => ConditionEdgeFile::Rising,
            Edge::Falling => ConditionEdgeFile::Falling,
            Edge::Both => ConditionEdgeFile::RisingOrFalling,
        }
    }
}

/// A rule on a quantity judged while running (an equality would hold only for an instant).
fn side(xml: &Xml<'_>, node: El<'_>) -> Res<RuleFile> {
    match rule(xml, node)? {
        Rule::Greater => Ok(RuleFile::Above),
        Rule::Less => Ok(RuleFile::Below),
        r => Err(xml.unsupported(
            node,
            &format!("rule {r:?} on a quantity judged while running (it would hold only for an instant)"),
        )),
    }
}

/// `StartTrigger`/`StopTrigger` as one condition, or none when it has no group.
pub(crate) fn trigger(
    xml: &Xml<'_>,
    node: El<'_>,
    road: &Road,
    ents: &[Entity],
    elements: &Elements,
) -> Res<Option<(Cond, Loc)>> {
    xml.only(node, &["ConditionGroup"])?;
    let mut groups = Vec::new();
    for group in xml.all(node, "ConditionGroup") {
        xml.only(group, &["Condition"])?;
        let conds = xml.all(group, "Condition");
        if conds.is_empty() {
            return Err(xml.err(group, "expected a `Condition`"));
        }
        let mut read = Vec::new();
        for c in conds {
            read.push((condition(xml, c, road, ents, elements)?, xml.loc(c)));
        }
        groups.push(read);
    }
    let Some(first_loc) = groups.first().and_then(|g| g.first()).map(|(_, loc)| loc.clone()) else {
        return Ok(None);
    };
    // Fixed times: the group whose last condition holds first.
    let times: Option<Vec<f64>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|(c, _)| match c.simple {
                    Some(Cond::Time(t)) => Some(t),
                    _ => None,
                })
                .collect::<Option<Vec<f64>>>()
                .map(|ts| ts.into_iter().fold(f64::NEG_INFINITY, f64::max))
        })
        .collect();
    if let Some(times) = times {
        let t = times.into_iter().fold(f64::INFINITY, f64::min);
        return Ok(Some((Cond::Time(t), first_loc)));
    }
    if groups.len() == 1
        && groups[0].len() == 1
        && let Some(c) = groups[0][0].0.simple.clone()
    {
        return Ok(Some((c, first_loc)));
    }
    let total: usize = groups.iter().map(Vec::len).sum();
    if total > MAX_CONDITIONS {
        return Err(first_loc.unsupported(&format!(
            "{total} conditions in one trigger (a Gauntlet `When` trigger holds at most {MAX_CONDITIONS})"
        )));
    }
    let mut out = Vec::new();
    for g in groups {
        let mut and = Vec::new();
        for (c, loc) in g {
            match c.runtime {
                Ok(j) => and.push(j),
                Err(why) => return Err(loc.unsupported(&why)),
            }
        }
        out.push(and);
    }
    Ok(Some((Cond::Runtime(out), first_loc)))
}

/// One `Condition`, read both ways (its delay and edge applied).
fn condition(xml: &Xml<'_>, cond: El<'_>, road: &Road, ents: &[Entity], elements: &Elements) -> Res<Reading> {
    let delay = xml.opt_num(cond, "delay")?.unwrap_or(0.0);
    if delay < 0.0 {
        return Err(xml.err(cond, "a negative `delay`"));
    }
    let edge = match xml.attr(cond, "conditionEdge")?.as_deref() {
        Some("none") | None => Edge::None,
        Some("rising") => Edge::Rising,
        Some("falling") => Edge::Falling,
        Some("risingOrFalling") => Edge::Both,
        Some(other) => return Err(xml.err(cond, format!("unknown conditionEdge {other:?}"))),
    };
    let judged = |c: ConditionFile| JudgedFile { cond: c, edge: edge.file(), delay: Num::Fixed(delay) };
    let by = xml.single(cond)?;
    match name(by) {
        "ByValueCondition" => {
            let v = xml.single(by)?;
            match name(v) {
                "SimulationTimeCondition" => {
                    let t = xml.num(v, "value")?;
                    let runtime = match rule(xml, v)? {
                        Rule::Greater => Ok(judged(ConditionFile::Time(Num::Fixed(t)))),
                        _ => Err("a simulation time condition other than `greater…` among conditions judged while running".to_owned()),
                    };
                    let simple = match (time_condition(xml, v, edge), &runtime) {
                        (Ok(Cond::Time(t)), _) => Some(Cond::Time(t + delay)),
                        (Ok(c), _) => Some(c),
                        (Err(e), Err(_)) => return Err(e),
                        (Err(_), Ok(_)) => None,
                    };
                    Ok(Reading { simple, runtime })
                }
                "StoryboardElementStateCondition" => {
                    let simple = match state_condition(xml, v, edge, elements)? {
                        Cond::Time(t) => Cond::Time(t + delay),
                        _ if delay != 0.0 => {
                            return Err(xml.unsupported(
                                cond,
                                "a `delay` on the start of an element started while running",
                            ));
                        }
                        c => c,
                    };
                    let why = "a storyboard state among conditions judged while running".to_owned();
                    Ok(Reading { simple: Some(simple), runtime: Err(why) })
                }
                other => Err(xml.unsupported(v, &format!("`{other}`"))),
            }
        }
        "ByEntityCondition" => {
            xml.only(by, &["TriggeringEntities", "EntityCondition"])?;
            let te = xml.need(by, "TriggeringEntities")?;
            xml.only(te, &["EntityRef"])?;
            let refs = xml.all(te, "EntityRef");
            let trig = match refs.as_slice() {
                [one] => index_of(xml, *one, ents, &xml.req(*one, "entityRef")?)?,
                [] => return Err(xml.err(te, "expected an `EntityRef`")),
                [_, second, ..] => return Err(xml.unsupported(*second, "a second triggering entity")),
            };
            let ec = xml.single(xml.need(by, "EntityCondition")?)?;
            let (simple, c) = entity_condition(xml, ec, trig, road, ents)?;
            // A Gauntlet trigger of its own is a level without a delay.
            let simple = simple.filter(|_| edge == Edge::None && delay == 0.0);
            Ok(Reading { simple, runtime: Ok(judged(c)) })
        }
        other => Err(xml.err(by, format!("unknown condition `{other}`"))),
    }
}

/// `SimulationTimeCondition`: time passes `value` (the level and the rising
/// edge of `greater…` hold from then; a `less…` level holds at once).
fn time_condition(xml: &Xml<'_>, node: El<'_>, edge: Edge) -> Res<Cond> {
    let t = xml.num(node, "value")?;
    match (rule(xml, node)?, edge) {
        (Rule::Greater, Edge::None | Edge::Rising | Edge::Both) => Ok(Cond::Time(t)),
        (Rule::Less, Edge::None) if t > 0.0 => Ok(Cond::Time(0.0)),
        (Rule::Less, Edge::Falling | Edge::Both) => Ok(Cond::Time(t)),
        (r, e) => Err(xml.unsupported(
            node,
            &format!("a simulation time condition with rule {r:?} and edge {e:?} (it never holds, or only for an instant)"),
        )),
    }
}

/// `StoryboardElementStateCondition` on an element read before: its start
/// or end, when fixed; or the start of the steps it made.
fn state_condition(xml: &Xml<'_>, node: El<'_>, edge: Edge, elements: &Elements) -> Res<Cond> {
    let kind = match xml.req(node, "storyboardElementType")?.as_str() {
        "story" => "story",
        "act" => "act",
        "maneuverGroup" => "maneuverGroup",
        "maneuver" => "maneuver",
        "event" => "event",
        "action" => "action",
        other => return Err(xml.err(node, format!("unknown storyboardElementType {other:?}"))),
    };
    let element = xml.req(node, "storyboardElementRef")?;
    let state = xml.req(node, "state")?;
    let found = match elements.get(&(kind, element.clone())) {
        Some(Some(e)) => e,
        Some(None) => return Err(xml.err(node, format!("two {kind}s are named {element:?}"))),
        None => {
            return Err(xml.unsupported(
                node,
                &format!("a condition on {kind} {element:?}, which is not read before it (a later or unknown element)"),
            ));
        }
    };
    if !matches!(edge, Edge::None | Edge::Rising) {
        return Err(xml.unsupported(node, "a `falling` or `risingOrFalling` edge on a storyboard state"));
    }
    match state.as_str() {
        "startTransition" | "runningState" => match found.start {
            Some(t) => Ok(Cond::Time(t)),
            None => Ok(Cond::Started(found.steps.clone())),
        },
        "endTransition" | "completeState" => found.end.map(Cond::Time).ok_or_else(|| {
            xml.unsupported(node, &format!("the end of {kind} {element:?}, known only while running"))
        }),
        "standbyState" | "stopTransition" | "skipTransition" => {
            Err(xml.unsupported(node, &format!("the state {state:?}")))
        }
        other => Err(xml.err(node, format!("unknown state {other:?}"))),
    }
}

/// An `EntityCondition` of entity `trig`: the Gauntlet trigger of its own
/// it is (distances and headways below a value), and the `When` condition.
fn entity_condition(
    xml: &Xml<'_>,
    ec: El<'_>,
    trig: usize,
    road: &Road,
    ents: &[Entity],
) -> Res<(Option<Cond>, ConditionFile)> {
    let reference = |node| index_of(xml, node, ents, &xml.req(node, "entityRef")?);
    let entity = ents[trig].name.clone();
    let no_direction = || -> Res<()> {
        if ec.attribute("direction").is_some() {
            return Err(xml.unsupported(ec, "a `direction` (Gauntlet judges the speed along the heading)"));
        }
        xml.only(ec, &[])
    };
    match name(ec) {
        "RelativeDistanceCondition" => {
            // `freespace`: between the bounding boxes (judged while running only).
            let freespace = xml.opt_bool(ec, "freespace")?.unwrap_or(false);
            xml.req(ec, "relativeDistanceType")?;
            let measure = measure_of(xml, ec, false)?;
            let (other, d, rule) = (reference(ec)?, xml.num(ec, "value")?, side(xml, ec)?);
            let simple = (rule == RuleFile::Below && !freespace && measure == MeasureFile::Euclidean)
                .then_some(Cond::Distance { a: trig, b: other, d });
            let c = ConditionFile::Distance {
                entity,
                to: ents[other].name.clone(),
                rule,
                distance: Num::Fixed(d),
                freespace,
                measure,
                at: None,
            };
            Ok((simple, c))
        }
        "TimeHeadwayCondition" => {
            // `freespace`: bumper to bumper (judged while running only).
            let freespace = xml.opt_bool(ec, "freespace")?.unwrap_or(false);
            if xml.opt_bool(ec, "alongRoute")? == Some(false) {
                return Err(xml.unsupported(ec, "a headway not along the route (`alongRoute=\"false\"`)"));
            }
            match xml.attr(ec, "coordinateSystem")?.as_deref() {
                None | Some("road" | "lane") => {}
                Some(other) => return Err(xml.unsupported(ec, &format!("coordinateSystem {other:?}"))),
            }
            let (other, t, rule) = (reference(ec)?, xml.num(ec, "value")?, side(xml, ec)?);
            let simple =
                (rule == RuleFile::Below && !freespace).then_some(Cond::Headway { from: trig, to: other, t });
            let c = ConditionFile::Headway {
                entity,
                to: ents[other].name.clone(),
                rule,
                value: Num::Fixed(t),
                freespace,
            };
            Ok((simple, c))
        }
        "TimeToCollisionCondition" => {
            xml.only(ec, &["TimeToCollisionConditionTarget"])?;
            if xml.opt_bool(ec, "alongRoute")? == Some(false) {
                return Err(
                    xml.unsupported(ec, "a time to collision not along the route (`alongRoute=\"false\"`)")
                );
            }
            match xml.attr(ec, "relativeDistanceType")?.as_deref() {
                None | Some("longitudinal") => {}
                Some(other) => return Err(xml.unsupported(ec, &format!("relativeDistanceType {other:?}"))),
            }
            match xml.attr(ec, "coordinateSystem")?.as_deref() {
                None | Some("road" | "lane" | "entity") => {}
                Some(other) => return Err(xml.unsupported(ec, &format!("coordinateSystem {other:?}"))),
            }
            let freespace = xml.opt_bool(ec, "freespace")?.unwrap_or(false);
            let target = xml.single(xml.need(ec, "TimeToCollisionConditionTarget")?)?;
            if name(target) != "EntityRef" {
                return Err(
                    xml.unsupported(target, "a time to collision with a position (only with an entity)")
                );
            }
            let other = reference(target)?;
            let c = ConditionFile::TimeToCollision {
                entity,
                to: ents[other].name.clone(),
                freespace,
                rule: side(xml, ec)?,
                value: Num::Fixed(xml.num(ec, "value")?),
            };
            Ok((None, c))
        }
        "SpeedCondition" => {
            no_direction()?;
            Ok((
                None,
                ConditionFile::Speed {
                    entity,
                    rule: side(xml, ec)?,
                    value: Num::Fixed(xml.num(ec, "value")?),
                },
            ))
        }
        "AccelerationCondition" => {
            no_direction()?;
            let value = Num::Fixed(xml.num(ec, "value")?);
            Ok((None, ConditionFile::Acceleration { entity, rule: side(xml, ec)?, value }))
        }
        "RelativeSpeedCondition" => {
            no_direction()?;
            let other = reference(ec)?;
            let c = ConditionFile::RelativeSpeed {
                entity,
                to: ents[other].name.clone(),
                rule: side(xml, ec)?,
                value: Num::Fixed(xml.num(ec, "value")?),
            };
            Ok((None, c))
        }
        "StandStillCondition" => {
            xml.only(ec, &[])?;
            Ok((None, ConditionFile::StandStill { entity, duration: Num::Fixed(xml.num(ec, "duration")?) }))
        }
        "TraveledDistanceCondition" => {
            xml.only(ec, &[])?;
            Ok((
                None,
                ConditionFile::TraveledDistance { entity, distance: Num::Fixed(xml.num(ec, "value")?) },
            ))
        }
        "ReachPositionCondition" => {
            // `freespace` (OpenSCENARIO 1.2 has none here, but readers meet it): from the footprint.
            let freespace = xml.opt_bool(ec, "freespace")?.unwrap_or(false);
            let tolerance = Num::Fixed(xml.num(ec, "tolerance")?);
            let c = point_condition(
                target(xml, ec, road, ents)?,
                entity,
                RuleFile::Below,
                tolerance,
                freespace,
                MeasureFile::Euclidean,
            );
            Ok((None, c))
        }
        "DistanceCondition" => {
            let freespace = xml.opt_bool(ec, "freespace")?.unwrap_or(false);
            let along = xml.opt_bool(ec, "alongRoute")?.unwrap_or(false);
            let measure = measure_of(xml, ec, along)?;
            let (rule, value) = (side(xml, ec)?, Num::Fixed(xml.num(ec, "value")?));
            let c = point_condition(target(xml, ec, road, ents)?, entity, rule, value, freespace, measure);
            Ok((None, c))
        }
        other => Err(xml.unsupported(ec, &format!("`{other}` (no Gauntlet condition yet)"))),
    }
}

/// How a distance condition measures (`relativeDistanceType` in
/// `coordinateSystem`, or the deprecated `alongRoute`): a straight line,
/// or the difference of route `s` or `d`.
fn measure_of(xml: &Xml<'_>, ec: El<'_>, along_route: bool) -> Res<MeasureFile> {
    let system = xml.attr(ec, "coordinateSystem")?;
    let kind = xml.attr(ec, "relativeDistanceType")?;
    let on_route = match system.as_deref() {
        Some("road" | "lane") => true,
        // The standard's default is the entity's own frame; `alongRoute` means the road's.
        None => along_route,
        Some("entity" | "trajectory") => false,
        Some(other) => return Err(xml.err(ec, format!("unknown coordinateSystem {other:?}"))),
    };
    match (kind.as_deref(), on_route) {
        (None | Some("cartesianDistance" | "euclidianDistance"), _) if along_route => Ok(MeasureFile::Longitudinal),
        (None | Some("cartesianDistance" | "euclidianDistance"), _) => Ok(MeasureFile::Euclidean),
        (Some("longitudinal"), true) => Ok(MeasureFile::Longitudinal),
        (Some("lateral"), true) => Ok(MeasureFile::Lateral),
        (Some(k @ ("longitudinal" | "lateral")), false) => Err(xml.unsupported(
            ec,
            &format!(
                "relativeDistanceType {k:?} in coordinateSystem {:?} (Gauntlet measures along and across the route: `road` or `lane`)",
                system.as_deref().unwrap_or("entity")
            ),
        )),
        (Some(other), _) => Err(xml.err(ec, format!("unknown relativeDistanceType {other:?}"))),
    }
}

/// Where a position condition measures to: a fixed route point, or a point
/// that moves with an entity.
enum Target {
    /// Route distance and lateral offset, m.
    Fixed(f64, f64),
    /// The offset from the named entity.
    Relative(String, OffsetFile),
}

/// The condition that `entity` is within (beyond) `value` of `target`.
fn point_condition(
    target: Target,
    entity: String,
    rule: RuleFile,
    value: Num,
    freespace: bool,
    measure: MeasureFile,
) -> ConditionFile {
    match target {
        Target::Fixed(s, d) => ConditionFile::Position {
            entity,
            s: Num::Fixed(s),
            d: Num::Fixed(d),
            rule,
            distance: value,
            freespace,
            measure,
        },
        Target::Relative(to, at) => {
            ConditionFile::Distance { entity, to, rule, distance: value, freespace, measure, at: Some(at) }
        }
    }
}

/// The `Position` child of `node`: a route point, or (`RelativeObjectPosition`,
/// `RelativeRoadPosition`, `RelativeLanePosition`) a point that moves with
/// its entity, judged from the entity's state on every step.
fn target(xml: &Xml<'_>, node: El<'_>, road: &Road, ents: &[Entity]) -> Res<Target> {
    xml.only(node, &["Position"])?;
    let pos = xml.single(xml.need(node, "Position")?)?;
    let fixed = Num::Fixed;
    let straight = || -> Res<()> {
        if matches!(road.road_file().layout, LayoutFile::Straight { .. }) {
            Ok(())
        } else {
            Err(xml.unsupported(
                pos,
                &format!("`{}` in a condition on a curved road (its `ds` is along the reference line; straight roads only)", name(pos)),
            ))
        }
    };
    let relative = |offset: OffsetFile| -> Res<Target> {
        // Only a point matters: an `Orientation` cannot change a distance.
        xml.only(pos, &["Orientation"])?;
        let who = xml.req(pos, "entityRef")?;
        let k = index_of(xml, pos, ents, &who)?;
        Ok(Target::Relative(ents[k].name.clone(), offset))
    };
    match name(pos) {
        "RelativeObjectPosition" => {
            if xml.opt_num(pos, "dz")?.unwrap_or(0.0) != 0.0 {
                return Err(xml.unsupported(pos, "a non-zero `dz` (Gauntlet's roads are flat)"));
            }
            let (dx, dy) = (xml.num(pos, "dx")?, xml.opt_num(pos, "dy")?.unwrap_or(0.0));
            relative(OffsetFile::Object { dx: fixed(dx), dy: fixed(dy) })
        }
        "RelativeRoadPosition" => {
            straight()?;
            let (ds, dt) = (xml.num(pos, "ds")?, xml.num(pos, "dt")?);
            relative(OffsetFile::Road { ds: fixed(ds), dt: fixed(dt) })
        }
        "RelativeLanePosition" => {
            straight()?;
            if pos.attribute("dsLane").is_some() {
                return Err(xml.unsupported(pos, "`dsLane`"));
            }
            let d_lane: i64 =
                xml.req(pos, "dLane")?.parse().map_err(|_| xml.err(pos, "`dLane` must be an integer"))?;
            let (ds, offset) =
                (xml.opt_num(pos, "ds")?.unwrap_or(0.0), xml.opt_num(pos, "offset")?.unwrap_or(0.0));
            relative(OffsetFile::Lane { dlane: fixed(d_lane as f64), ds: fixed(ds), offset: fixed(offset) })
        }
        other if other.starts_with("Relative") => {
            Err(xml.unsupported(pos, &format!("`{other}` in a condition")))
        }
        _ => {
            let p = super::position::position(xml, pos, road, ents)?;
            let d = p.lane.map_or(0.0, |l| l as f64 * road.lane_width) + p.offset;
            Ok(Target::Fixed(p.s, d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_element_of_parts_starts_first_and_ends_last_when_all_are_fixed() {
        let a = Element { start: Some(1.0), end: Some(4.0), steps: vec![(1, 0)] };
        let b = Element { start: Some(2.0), end: Some(3.0), steps: vec![(2, 0)] };
        let e = Element::of(&[a.clone(), b]);
        assert_eq!((e.start, e.end, e.steps.len()), (Some(1.0), Some(4.0), 2));
        let open = Element { start: Some(0.5), end: None, steps: vec![] };
        let e = Element::of(&[a, open]);
        assert_eq!((e.start, e.end), (Some(0.5), None));
    }

    #[test]
    fn a_name_shared_by_two_elements_is_ambiguous() {
        let mut elements = Elements::new();
        record(&mut elements, "event", "go".into(), Element::default());
        record(&mut elements, "event", "stop".into(), Element::default());
        record(&mut elements, "event", "go".into(), Element::default());
        assert_eq!(elements[&("event", "go".to_owned())], None);
        assert!(elements[&("event", "stop".to_owned())].is_some());
    }
}
