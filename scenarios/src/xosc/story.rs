//! `Storyboard` stories and the stop trigger, translated into each actor's
//! behaviour sequence and the run's duration.
//!
//! Gauntlet runs an actor's steps in order, each waiting for its trigger
//! once the previous one has started; events of one actor are taken in
//! document order. Conditions are judged as levels (a `rising` edge of a
//! condition that is false at the start is the same thing).

use super::entities::Entity;
use super::odr::Road;
use super::xml::{El, Res, Xml, name};
use crate::param::Num;
use crate::raw::{BehaviourFile, StepFile, TriggerFile};

/// The rate a `step` speed change is given, m/s²: the largest Gauntlet
/// accepts; the chassis' limits and μ·g then bound it.
pub(crate) const STEP_RATE: f64 = 15.0;

/// A start condition, before it is read from one actor's point of view.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cond {
    /// Simulation time ≥ t.
    Time(f64),
    /// Entities `a` and `b` within `d` m (centre to centre).
    Distance { a: usize, b: usize, d: f64 },
    /// Entity `from`'s time headway to `to` below `t` s.
    Headway { from: usize, to: usize, t: f64 },
}

/// What a story does to each entity, as it goes.
pub(crate) struct Scripts {
    /// Steps per entity, in entity order.
    pub steps: Vec<Vec<StepFile>>,
    lane: Vec<Option<i64>>,
    speed: Vec<f64>,
    last_time: Vec<Option<f64>>,
}

impl Scripts {
    pub fn new(ents: &[Entity]) -> Self {
        Self {
            steps: vec![Vec::new(); ents.len()],
            lane: ents.iter().map(|e| e.placed.and_then(|p| p.lane)).collect(),
            speed: ents.iter().map(|e| e.speed).collect(),
            last_time: vec![None; ents.len()],
        }
    }
}

/// Reads every `Story` into `scripts`.
pub(crate) fn stories(
    xml: &Xml<'_>,
    board: El<'_>,
    road: &Road,
    ents: &[Entity],
    ego: usize,
    scripts: &mut Scripts,
) -> Res<()> {
    for story in xml.all(board, "Story") {
        xml.only(story, &["ParameterDeclarations", "Act"])?;
        if let Some(p) = xml.child(story, "ParameterDeclarations")?
            && !xml.kids(p).is_empty()
        {
            return Err(xml.unsupported(p, "story-level `ParameterDeclarations`"));
        }
        for act in xml.all(story, "Act") {
            xml.only(act, &["ManeuverGroup", "StartTrigger", "StopTrigger"])?;
            if let Some(stop) = xml.child(act, "StopTrigger")? {
                return Err(xml.unsupported(stop, "an Act's `StopTrigger`"));
            }
            let act_cond = match xml.child(act, "StartTrigger")? {
                Some(t) => trigger(xml, t, ents)?,
                None => None,
            };
            for group in xml.all(act, "ManeuverGroup") {
                maneuver_group(xml, group, act_cond, road, ents, ego, scripts)?;
            }
        }
    }
    Ok(())
}

fn once(xml: &Xml<'_>, node: El<'_>) -> Res<()> {
    if let Some(n) = xml.opt_num(node, "maximumExecutionCount")?
        && n != 1.0
    {
        return Err(xml.unsupported(node, "a `maximumExecutionCount` other than 1"));
    }
    Ok(())
}

fn maneuver_group(
    xml: &Xml<'_>,
    group: El<'_>,
    act_cond: Option<(Cond, El<'_>)>,
    road: &Road,
    ents: &[Entity],
    ego: usize,
    scripts: &mut Scripts,
) -> Res<()> {
    xml.only(group, &["Actors", "Maneuver"])?;
    once(xml, group)?;
    let actors = xml.need(group, "Actors")?;
    xml.only(actors, &["EntityRef"])?;
    if xml.opt_bool(actors, "selectTriggeringEntities")? == Some(true) {
        return Err(xml.unsupported(actors, "`selectTriggeringEntities`"));
    }
    let mut who = Vec::new();
    for r in xml.all(actors, "EntityRef") {
        let k = super::entities::index_of(xml, r, ents, &xml.req(r, "entityRef")?)?;
        if k == ego {
            return Err(
                xml.err(r, "the ego is driven by the system under test; it cannot be an actor of a story")
            );
        }
        who.push(k);
    }
    for maneuver in xml.all(group, "Maneuver") {
        xml.only(maneuver, &["ParameterDeclarations", "Event"])?;
        if let Some(p) = xml.child(maneuver, "ParameterDeclarations")?
            && !xml.kids(p).is_empty()
        {
            return Err(xml.unsupported(p, "maneuver-level `ParameterDeclarations`"));
        }
        for event in xml.all(maneuver, "Event") {
            xml.only(event, &["Action", "StartTrigger"])?;
            once(xml, event)?;
            match xml.attr(event, "priority")?.as_deref() {
                Some("overwrite" | "override") | None => {}
                Some(other) => return Err(xml.unsupported(event, &format!("event priority {other:?}"))),
            }
            let ev_cond = match xml.child(event, "StartTrigger")? {
                Some(t) => trigger(xml, t, ents)?,
                None => None,
            };
            let cond = combine(xml, event, act_cond, ev_cond)?;
            let actions = xml.all(event, "Action");
            let action = match actions.as_slice() {
                [one] => *one,
                [] => return Err(xml.err(event, "expected an `Action`")),
                [_, second, ..] => {
                    return Err(xml.unsupported(*second, "a second action in one event"));
                }
            };
            for &me in &who {
                let at = match cond {
                    None => TriggerFile::Immediately,
                    Some((c, node)) => {
                        let t = for_actor(xml, node, c, me, ego, ents)?;
                        if let Cond::Time(time) = c {
                            if let Some(before) = scripts.last_time[me]
                                && time < before
                            {
                                return Err(xml.unsupported(
                                    node,
                                    &format!(
                                        "a start time ({time} s) before the {}'s previous event's ({before} s)",
                                        ents[me].name
                                    ),
                                ));
                            }
                            scripts.last_time[me] = Some(time);
                        }
                        t
                    }
                };
                let behaviour = private_action(xml, action, road, ents, me, scripts)?;
                scripts.steps[me].push(StepFile { at, action: behaviour });
            }
        }
    }
    Ok(())
}

/// An event's condition inside its act's.
fn combine<'a>(
    xml: &Xml<'a>,
    event: El<'a>,
    act: Option<(Cond, El<'a>)>,
    ev: Option<(Cond, El<'a>)>,
) -> Res<Option<(Cond, El<'a>)>> {
    Ok(match (act, ev) {
        (None, ev) => ev,
        (Some((Cond::Time(t), _)), ev) if t <= 0.0 => ev,
        (act, None) => act,
        (Some((Cond::Time(a), _)), Some((Cond::Time(b), node))) => Some((Cond::Time(a.max(b)), node)),
        (Some(_), Some(_)) => {
            return Err(
                xml.unsupported(event, "an event condition inside an act that starts on another condition")
            );
        }
    })
}

/// `StartTrigger`/`StopTrigger`: one group of one condition (or none).
fn trigger<'a>(xml: &Xml<'a>, node: El<'a>, ents: &[Entity]) -> Res<Option<(Cond, El<'a>)>> {
    xml.only(node, &["ConditionGroup"])?;
    let groups = xml.all(node, "ConditionGroup");
    let group = match groups.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        [_, second, ..] => {
            return Err(xml.unsupported(*second, "a second `ConditionGroup` (OR of conditions)"));
        }
    };
    xml.only(group, &["Condition"])?;
    let conds = xml.all(group, "Condition");
    let cond = match conds.as_slice() {
        [one] => *one,
        [] => return Err(xml.err(group, "expected a `Condition`")),
        [_, second, ..] => return Err(xml.unsupported(*second, "a second `Condition` (AND of conditions)")),
    };
    if xml.opt_num(cond, "delay")?.unwrap_or(0.0) != 0.0 {
        return Err(xml.unsupported(cond, "a condition `delay`"));
    }
    match xml.attr(cond, "conditionEdge")?.as_deref() {
        Some("none" | "rising") | None => {}
        Some(other) => return Err(xml.unsupported(cond, &format!("conditionEdge {other:?}"))),
    }
    let by = xml.single(cond)?;
    let c = match name(by) {
        "ByValueCondition" => {
            let v = xml.single(by)?;
            if name(v) != "SimulationTimeCondition" {
                return Err(xml.unsupported(v, &format!("`{}`", name(v))));
            }
            greater(xml, v)?;
            Cond::Time(xml.num(v, "value")?)
        }
        "ByEntityCondition" => {
            xml.only(by, &["TriggeringEntities", "EntityCondition"])?;
            let te = xml.need(by, "TriggeringEntities")?;
            xml.only(te, &["EntityRef"])?;
            let refs = xml.all(te, "EntityRef");
            let trig = match refs.as_slice() {
                [one] => super::entities::index_of(xml, *one, ents, &xml.req(*one, "entityRef")?)?,
                [] => return Err(xml.err(te, "expected an `EntityRef`")),
                [_, second, ..] => return Err(xml.unsupported(*second, "a second triggering entity")),
            };
            let ec = xml.single(xml.need(by, "EntityCondition")?)?;
            entity_condition(xml, ec, trig, ents)?
        }
        other => return Err(xml.err(by, format!("unknown condition `{other}`"))),
    };
    Ok(Some((c, cond)))
}

fn greater(xml: &Xml<'_>, node: El<'_>) -> Res<()> {
    match xml.req(node, "rule")?.as_str() {
        "greaterThan" | "greaterOrEqual" => Ok(()),
        other => {
            Err(xml.unsupported(node, &format!("rule {other:?} here (only greaterThan, greaterOrEqual)")))
        }
    }
}

fn less(xml: &Xml<'_>, node: El<'_>) -> Res<()> {
    match xml.req(node, "rule")?.as_str() {
        "lessThan" | "lessOrEqual" => Ok(()),
        other => Err(xml.unsupported(node, &format!("rule {other:?} here (only lessThan, lessOrEqual)"))),
    }
}

fn entity_condition(xml: &Xml<'_>, ec: El<'_>, trig: usize, ents: &[Entity]) -> Res<Cond> {
    let reference = |node| super::entities::index_of(xml, node, ents, &xml.req(node, "entityRef")?);
    if xml.opt_bool(ec, "freespace")? == Some(true) {
        return Err(xml.unsupported(ec, "`freespace` distances (Gauntlet measures between centres)"));
    }
    match name(ec) {
        "RelativeDistanceCondition" => {
            less(xml, ec)?;
            match xml.req(ec, "relativeDistanceType")?.as_str() {
                "cartesianDistance" | "euclidianDistance" => {}
                other => return Err(xml.unsupported(ec, &format!("relativeDistanceType {other:?}"))),
            }
            Ok(Cond::Distance { a: trig, b: reference(ec)?, d: xml.num(ec, "value")? })
        }
        "TimeHeadwayCondition" => {
            less(xml, ec)?;
            if xml.opt_bool(ec, "alongRoute")? == Some(false) {
                return Err(xml.unsupported(ec, "a headway not along the route (`alongRoute=\"false\"`)"));
            }
            match xml.attr(ec, "coordinateSystem")?.as_deref() {
                None | Some("road" | "lane") => {}
                Some(other) => return Err(xml.unsupported(ec, &format!("coordinateSystem {other:?}"))),
            }
            Ok(Cond::Headway { from: trig, to: reference(ec)?, t: xml.num(ec, "value")? })
        }
        other => Err(xml.unsupported(ec, &format!("`{other}` (no Gauntlet trigger yet)"))),
    }
}

/// The condition as a trigger of actor `me`'s step.
fn for_actor(
    xml: &Xml<'_>,
    node: El<'_>,
    c: Cond,
    me: usize,
    ego: usize,
    ents: &[Entity],
) -> Res<TriggerFile> {
    match c {
        Cond::Time(t) => Ok(TriggerFile::Time(Num::Fixed(t))),
        Cond::Distance { a, b, d } => {
            let other = if a == me {
                b
            } else if b == me {
                a
            } else {
                return Err(
                    xml.unsupported(node, "a distance condition between two entities other than the actor")
                );
            };
            if other == me {
                return Err(xml.err(node, "a distance condition between an entity and itself"));
            }
            Ok(if other == ego {
                TriggerFile::EgoDistance(Num::Fixed(d))
            } else {
                TriggerFile::ActorDistance { actor: ents[other].name.clone(), distance: Num::Fixed(d) }
            })
        }
        Cond::Headway { from, to, t } if from == ego && to == me => {
            Ok(TriggerFile::EgoTimeToArrival(Num::Fixed(t)))
        }
        Cond::Headway { .. } => {
            Err(xml.unsupported(node, "a headway condition other than the ego's headway to the actor"))
        }
    }
}

fn private_action(
    xml: &Xml<'_>,
    action: El<'_>,
    road: &Road,
    ents: &[Entity],
    me: usize,
    scripts: &mut Scripts,
) -> Res<BehaviourFile> {
    let pa = xml.single(action)?;
    if name(pa) != "PrivateAction" {
        return Err(xml.unsupported(pa, &format!("`{}`", name(pa))));
    }
    let kind = xml.single(pa)?;
    let inner = xml.single(kind)?;
    match (name(kind), name(inner)) {
        ("LongitudinalAction", "SpeedAction") => speed_action(xml, inner, me, scripts),
        ("LateralAction", "LaneChangeAction") => lane_change(xml, inner, road, ents, me, scripts),
        (_, other) => Err(xml.unsupported(inner, &format!("`{other}`"))),
    }
}

fn speed_action(xml: &Xml<'_>, node: El<'_>, me: usize, scripts: &mut Scripts) -> Res<BehaviourFile> {
    xml.only(node, &["SpeedActionDynamics", "SpeedActionTarget"])?;
    let dyn_ = xml.need(node, "SpeedActionDynamics")?;
    let target = xml.single(xml.need(node, "SpeedActionTarget")?)?;
    if name(target) != "AbsoluteTargetSpeed" {
        return Err(xml.unsupported(target, &format!("`{}`", name(target))));
    }
    let v1 = xml.num(target, "value")?;
    let v0 = scripts.speed[me];
    let value = xml.num(dyn_, "value")?;
    let rate = match xml.req(dyn_, "dynamicsShape")?.as_str() {
        "step" => {
            xml.note(dyn_, "a `step` speed change runs at the largest rate the chassis and μ·g allow");
            STEP_RATE
        }
        "linear" => {
            let rate = match xml.req(dyn_, "dynamicsDimension")?.as_str() {
                "rate" => value.abs(),
                "time" => (v1 - v0).abs() / value,
                "distance" => (v1 * v1 - v0 * v0).abs() / (2.0 * value),
                other => return Err(xml.err(dyn_, format!("unknown dynamicsDimension {other:?}"))),
            };
            if !(rate.is_finite() && rate > 0.0) {
                return Err(xml.err(
                    dyn_,
                    format!("gives no positive rate (from {v0} m/s to {v1} m/s with value {value})"),
                ));
            }
            rate
        }
        other => return Err(xml.unsupported(dyn_, &format!("dynamicsShape {other:?} for a speed change"))),
    };
    scripts.speed[me] = v1;
    Ok(BehaviourFile::ChangeSpeed { speed: Num::Fixed(v1), rate: Num::Fixed(rate) })
}

fn lane_change(
    xml: &Xml<'_>,
    node: El<'_>,
    road: &Road,
    ents: &[Entity],
    me: usize,
    scripts: &mut Scripts,
) -> Res<BehaviourFile> {
    xml.only(node, &["LaneChangeActionDynamics", "LaneChangeTarget"])?;
    if xml.opt_num(node, "targetLaneOffset")?.unwrap_or(0.0) != 0.0 {
        return Err(xml.unsupported(node, "a `targetLaneOffset`"));
    }
    let dyn_ = xml.need(node, "LaneChangeActionDynamics")?;
    if xml.req(dyn_, "dynamicsShape")? != "sinusoidal" {
        return Err(xml.unsupported(
            dyn_,
            "a lane change shape other than `sinusoidal` (Gauntlet's lateral profile is ½(1 − cos πp))",
        ));
    }
    let value = xml.num(dyn_, "value")?;
    let speed = scripts.speed[me];
    let duration = match xml.req(dyn_, "dynamicsDimension")?.as_str() {
        "time" => value,
        "distance" if speed > 0.0 => value / speed,
        "distance" => return Err(xml.err(dyn_, "a lane change over a distance needs a moving actor")),
        other => return Err(xml.unsupported(dyn_, &format!("dynamicsDimension {other:?} for a lane change"))),
    };
    let target = xml.single(xml.need(node, "LaneChangeTarget")?)?;
    let lane = match name(target) {
        "AbsoluteTargetLane" => {
            let id: i64 = xml
                .req(target, "value")?
                .parse()
                .map_err(|_| xml.err(target, "`value` must be a lane id"))?;
            road.lane_of_id(id).ok_or_else(|| {
                xml.err(target, format!("lane {id} is not a driving lane (-1 … -{})", road.lanes))
            })?
        }
        "RelativeTargetLane" => {
            let k = super::entities::index_of(xml, target, ents, &xml.req(target, "entityRef")?)?;
            let step: i64 = xml
                .req(target, "value")?
                .parse()
                .map_err(|_| xml.err(target, "`value` must be an integer"))?;
            let Some(base) = scripts.lane[k] else {
                return Err(xml.unsupported(target, "a lane relative to an entity placed off a lane"));
            };
            let lane = base + step;
            if !(0..road.lanes as i64).contains(&lane) {
                return Err(xml.err(target, format!("leaves the road's {} driving lanes", road.lanes)));
            }
            lane
        }
        other => return Err(xml.err(target, format!("unknown lane target `{other}`"))),
    };
    scripts.lane[me] = Some(lane);
    Ok(BehaviourFile::ChangeLane {
        lane: Num::Fixed(lane as f64),
        duration: Num::Fixed(duration),
        speed: Num::Fixed(speed),
    })
}

/// `Storyboard/StopTrigger`: the run's duration.
pub(crate) fn duration(xml: &Xml<'_>, board: El<'_>, ents: &[Entity]) -> Res<f64> {
    let missing = || {
        xml.err(
            board,
            "expected a `StopTrigger` with a `SimulationTimeCondition` (Gauntlet runs have a duration)",
        )
    };
    let stop = xml.child(board, "StopTrigger")?.ok_or_else(missing)?;
    match trigger(xml, stop, ents)? {
        Some((Cond::Time(t), _)) => Ok(t),
        Some((_, node)) => {
            Err(xml.unsupported(node, "a stop condition other than `SimulationTimeCondition`"))
        }
        None => Err(missing()),
    }
}
