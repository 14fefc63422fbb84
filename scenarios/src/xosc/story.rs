//! `Storyboard` stories and the stop trigger, translated into each actor's
//! behaviour sequence and the run's duration.
//!
//! Gauntlet runs an actor's steps in order, each waiting for its trigger
//! once the previous one has started; events of one actor are taken in
//! document order. Conditions judged while running keep their edges and
//! delays; see [`super::condition`] for what triggers map.

use super::condition::{Cond, Element, Elements, record, trigger};
use super::entities::Entity;
use super::odr::Road;
use super::xml::{El, Loc, Res, Xml, name};
use crate::param::Num;
use crate::raw::{BehaviourFile, ConditionFile, ShapeFile, StepFile, TriggerFile};
use gauntlet_engine::Half;

/// The rate a `step` speed change is given, m/s²: the largest Gauntlet
/// accepts; the chassis' limits and μ·g then bound it.
pub(crate) const STEP_RATE: f64 = 15.0;

/// What a story does to each entity, as it goes.
pub(crate) struct Scripts {
    /// Steps per entity, in entity order.
    pub steps: Vec<Vec<StepFile>>,
    pub(crate) lane: Vec<Option<i64>>,
    pub(crate) speed: Vec<f64>,
    /// Offset from the lane's centre, m (+ left).
    pub(crate) offset: Vec<f64>,
    last_time: Vec<Option<f64>>,
    /// The storyboard elements read so far.
    elements: Elements,
}

impl Scripts {
    pub fn new(ents: &[Entity]) -> Self {
        Self {
            steps: vec![Vec::new(); ents.len()],
            lane: ents.iter().map(|e| e.placed.and_then(|p| p.lane)).collect(),
            speed: ents.iter().map(|e| e.speed).collect(),
            offset: ents.iter().map(|e| e.placed.map_or(0.0, |p| p.offset)).collect(),
            last_time: vec![None; ents.len()],
            elements: Elements::new(),
        }
    }
}

/// What the story reader needs besides the file.
pub(crate) struct Cast<'r> {
    pub road: &'r Road,
    pub ents: &'r [Entity],
    pub ego: usize,
}

/// Reads every `Story` into `scripts`.
pub(crate) fn stories(xml: &Xml<'_>, board: El<'_>, cast: &Cast<'_>, scripts: &mut Scripts) -> Res<()> {
    for story in xml.all(board, "Story") {
        xml.only(story, &["ParameterDeclarations", "Act"])?;
        if let Some(p) = xml.child(story, "ParameterDeclarations")?
            && !xml.kids(p).is_empty()
        {
            return Err(xml.unsupported(p, "story-level `ParameterDeclarations`"));
        }
        let mut acts = Vec::new();
        for act in xml.all(story, "Act") {
            xml.only(act, &["ManeuverGroup", "StartTrigger", "StopTrigger"])?;
            if let Some(stop) = xml.child(act, "StopTrigger")? {
                return Err(xml.unsupported(stop, "an Act's `StopTrigger`"));
            }
            let act_cond = match xml.child(act, "StartTrigger")? {
                Some(t) => trigger(xml, t, cast.road, cast.ents, &scripts.elements)?,
                None => None,
            };
            let mut groups = Vec::new();
            for group in xml.all(act, "ManeuverGroup") {
                groups.push(maneuver_group(xml, group, act_cond.clone(), cast, scripts)?);
            }
            let mut e = Element::of(&groups);
            e.start = match &act_cond {
                None => Some(0.0),
                Some((Cond::Time(t), _)) => Some(t.max(0.0)),
                Some(_) => None,
            };
            record(&mut scripts.elements, "act", xml.req(act, "name")?, e.clone());
            acts.push(e);
        }
        record(&mut scripts.elements, "story", xml.req(story, "name")?, Element::of(&acts));
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
    act_cond: Option<(Cond, Loc)>,
    cast: &Cast<'_>,
    scripts: &mut Scripts,
) -> Res<Element> {
    xml.only(group, &["Actors", "Maneuver", "CatalogReference"])?;
    once(xml, group)?;
    let actors = xml.need(group, "Actors")?;
    xml.only(actors, &["EntityRef"])?;
    if xml.opt_bool(actors, "selectTriggeringEntities")? == Some(true) {
        return Err(xml.unsupported(actors, "`selectTriggeringEntities`"));
    }
    let mut who = Vec::new();
    for r in xml.all(actors, "EntityRef") {
        let k = super::entities::index_of(xml, r, cast.ents, &xml.req(r, "entityRef")?)?;
        if k == cast.ego {
            return Err(
                xml.err(r, "the ego is driven by the system under test; it cannot be an actor of a story")
            );
        }
        who.push(k);
    }
    let mut maneuvers = Vec::new();
    for m in xml.kids(group) {
        let e = match name(m) {
            "Maneuver" => maneuver(xml, m, &who, &act_cond, cast, scripts, false)?,
            "CatalogReference" => super::catalog::with_entry(xml, m, &["ManeuverCatalog"], |cx, entry| {
                if name(entry) != "Maneuver" {
                    return Err(
                        cx.err(entry, format!("a `{}` entry where a maneuver is referenced", name(entry)))
                    );
                }
                maneuver(cx, entry, &who, &act_cond, cast, scripts, true)
            })?,
            _ => continue,
        };
        maneuvers.push(e);
    }
    let e = Element::of(&maneuvers);
    record(&mut scripts.elements, "maneuverGroup", xml.req(group, "name")?, e.clone());
    Ok(e)
}

fn maneuver(
    xml: &Xml<'_>,
    maneuver: El<'_>,
    who: &[usize],
    act_cond: &Option<(Cond, Loc)>,
    cast: &Cast<'_>,
    scripts: &mut Scripts,
    in_catalog: bool,
) -> Res<Element> {
    xml.only(maneuver, &["ParameterDeclarations", "Event"])?;
    // A catalog entry's declarations were read with the reference.
    if let Some(p) = xml.child(maneuver, "ParameterDeclarations")?
        && !in_catalog
        && !xml.kids(p).is_empty()
    {
        return Err(xml.unsupported(p, "maneuver-level `ParameterDeclarations`"));
    }
    let mut events = Vec::new();
    for event in xml.all(maneuver, "Event") {
        events.push(self::event(xml, event, who, act_cond, cast, scripts)?);
    }
    let e = Element::of(&events);
    record(&mut scripts.elements, "maneuver", xml.req(maneuver, "name")?, e.clone());
    Ok(e)
}

fn event(
    xml: &Xml<'_>,
    event: El<'_>,
    who: &[usize],
    act_cond: &Option<(Cond, Loc)>,
    cast: &Cast<'_>,
    scripts: &mut Scripts,
) -> Res<Element> {
    xml.only(event, &["Action", "StartTrigger"])?;
    once(xml, event)?;
    match xml.attr(event, "priority")?.as_deref() {
        Some("overwrite" | "override") | None => {}
        Some(other) => return Err(xml.unsupported(event, &format!("event priority {other:?}"))),
    }
    let ev_cond = match xml.child(event, "StartTrigger")? {
        Some(t) => trigger(xml, t, cast.road, cast.ents, &scripts.elements)?,
        None => None,
    };
    let cond = combine(xml, event, act_cond.clone(), ev_cond)?;
    let actions = ordered_actions(xml, event)?;
    let mut parts = Vec::new();
    let mut action_parts = vec![Vec::new(); actions.len()];
    for &me in who {
        let at = match &cond {
            None => TriggerFile::Immediately,
            Some((c, loc)) => {
                let t = for_actor(loc, c, me, cast, scripts)?;
                if let Cond::Time(time) = c {
                    if let Some(before) = scripts.last_time[me]
                        && *time < before
                    {
                        return Err(loc.unsupported(&format!(
                            "a start time ({time} s) before the {}'s previous event's ({before} s)",
                            cast.ents[me].name
                        )));
                    }
                    scripts.last_time[me] = Some(*time);
                }
                t
            }
        };
        // A step that starts at once starts at 0 s when it is the actor's first.
        let start = match (&cond, scripts.steps[me].is_empty()) {
            (Some((Cond::Time(t), _)), _) => Some(t.max(0.0)),
            (None, true) => Some(0.0),
            _ => None,
        };
        // The event's actions start together; each drives its half of the
        // motion, leaving the other half to the action that drives it
        // (OpenSCENARIO's longitudinal and lateral actions run side by side).
        let mut at = Some(at);
        for (k, &(_, kind)) in actions.iter().enumerate() {
            let (behaviour, duration) = private_action(xml, kind, cast, me, scripts)?;
            let parallel = !scripts.steps[me].is_empty();
            let at = at.take().unwrap_or(TriggerFile::Immediately);
            scripts.steps[me].push(StepFile { at, action: behaviour, parallel });
            let part = Element {
                start,
                end: start.zip(duration).map(|(s, d)| s + d),
                steps: vec![(me, scripts.steps[me].len() - 1)],
            };
            action_parts[k].push(part.clone());
            parts.push(part);
        }
    }
    let made = Element::of(&parts);
    record(&mut scripts.elements, "event", xml.req(event, "name")?, made.clone());
    for ((action, _), made) in actions.iter().zip(&action_parts) {
        record(&mut scripts.elements, "action", xml.req(*action, "name")?, Element::of(made));
    }
    Ok(made)
}

/// An event's actions with their `PrivateAction`'s one child, at most one
/// per half of the motion, in the order they start in: a teleport last (the
/// step after a teleport starts a tick later, from where it landed).
fn ordered_actions<'a>(xml: &Xml<'a>, event: El<'a>) -> Res<Vec<(El<'a>, El<'a>)>> {
    let mut actions: Vec<(El<'a>, El<'a>, Half)> = Vec::new();
    for action in xml.all(event, "Action") {
        let kind = private_kind(xml, action)?;
        let half = half_of(xml, kind)?;
        if actions.iter().any(|&(_, _, h)| h == half) {
            return Err(xml.unsupported(
                action,
                &format!(
                    "a second {} action in one event (OpenSCENARIO's later one overrides the first at once)",
                    if half == Half::Longitudinal { "longitudinal" } else { "lateral" }
                ),
            ));
        }
        actions.push((action, kind, half));
    }
    if actions.is_empty() {
        return Err(xml.err(event, "expected an `Action`"));
    }
    // Stable: a teleport (lateral) goes after the speed action of its event.
    actions.sort_by_key(|&(_, kind, _)| name(kind) == "TeleportAction");
    Ok(actions.into_iter().map(|(action, kind, _)| (action, kind)).collect())
}

/// The one child of an `Action`'s `PrivateAction` (other actions are refused).
fn private_kind<'a>(xml: &Xml<'a>, action: El<'a>) -> Res<El<'a>> {
    let pa = xml.single(action)?;
    if name(pa) != "PrivateAction" {
        return Err(xml.unsupported(pa, &format!("`{}`", name(pa))));
    }
    xml.single(pa)
}

/// The half of the motion a private action drives; its details are read
/// by [`private_action`].
fn half_of(xml: &Xml<'_>, kind: El<'_>) -> Res<Half> {
    Ok(match name(kind) {
        "LongitudinalAction" => Half::Longitudinal,
        "LateralAction" | "TeleportAction" => Half::Lateral,
        _ => {
            let inner = xml.single(kind)?;
            return Err(xml.unsupported(inner, &format!("`{}`", name(inner))));
        }
    })
}

/// An event's condition inside its act's.
fn combine(
    xml: &Xml<'_>,
    event: El<'_>,
    act: Option<(Cond, Loc)>,
    ev: Option<(Cond, Loc)>,
) -> Res<Option<(Cond, Loc)>> {
    Ok(match (act, ev) {
        (None, ev) => ev,
        (Some((Cond::Time(t), _)), ev) if t <= 0.0 => ev,
        (act, None) => act,
        (Some((Cond::Time(a), _)), Some((Cond::Time(b), loc))) => Some((Cond::Time(a.max(b)), loc)),
        (Some(_), Some(_)) => {
            return Err(
                xml.unsupported(event, "an event condition inside an act that starts on another condition")
            );
        }
    })
}

/// The condition as a trigger of actor `me`'s step.
fn for_actor(loc: &Loc, c: &Cond, me: usize, cast: &Cast<'_>, scripts: &Scripts) -> Res<TriggerFile> {
    let (ego, ents) = (cast.ego, cast.ents);
    match *c {
        Cond::Time(t) => Ok(TriggerFile::Time(Num::Fixed(t.max(0.0)))),
        Cond::Distance { a, b, d } => {
            let other = if a == me {
                b
            } else if b == me {
                a
            } else {
                return Err(loc.unsupported("a distance condition between two entities other than the actor"));
            };
            if other == me {
                return Err(loc.err("a distance condition between an entity and itself"));
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
            Err(loc.unsupported("a headway condition other than the ego's headway to the actor"))
        }
        Cond::Runtime(ref groups) => Ok(TriggerFile::When(ego_renamed(groups, ents, ego, loc)?)),
        Cond::Started(ref steps) => {
            // Right after the actor's own previous step: Gauntlet's `Immediately`.
            let previous = scripts.steps[me].len().checked_sub(1);
            if steps.iter().any(|&(e, k)| e == me && Some(k) == previous) {
                Ok(TriggerFile::Immediately)
            } else {
                Err(loc.unsupported(
                    "the start of an element started by a condition judged while running, other than the actor's own previous event",
                ))
            }
        }
    }
}

/// A private action (`kind`: the `PrivateAction`'s child, its half
/// already known from [`half_of`]) as a behaviour, and how long it takes
/// when that is fixed.
fn private_action(
    xml: &Xml<'_>,
    kind: El<'_>,
    cast: &Cast<'_>,
    me: usize,
    scripts: &mut Scripts,
) -> Res<(BehaviourFile, Option<f64>)> {
    let (road, ents) = (cast.road, cast.ents);
    if name(kind) == "TeleportAction" {
        return teleport(xml, kind, cast, me, scripts);
    }
    let inner = xml.single(kind)?;
    match (name(kind), name(inner)) {
        ("LongitudinalAction", "SpeedAction") => speed_action(xml, inner, ents, me, scripts),
        ("LateralAction", "LaneChangeAction") => lane_change(xml, inner, road, ents, me, scripts),
        ("LateralAction", "LaneOffsetAction") => {
            super::lane_offset::lane_offset(xml, inner, road, ents, me, scripts)
        }
        (_, other) => Err(xml.unsupported(inner, &format!("`{other}`"))),
    }
}

/// A `TeleportAction` in a story: `Teleport` to an absolute position (its
/// box centre placed as in `Init`), keeping the actor's speed.
fn teleport(
    xml: &Xml<'_>,
    node: El<'_>,
    cast: &Cast<'_>,
    me: usize,
    scripts: &mut Scripts,
) -> Res<(BehaviourFile, Option<f64>)> {
    xml.only(node, &["Position"])?;
    let pos = xml.single(xml.need(node, "Position")?)?;
    if name(pos).starts_with("Relative") {
        return Err(xml.unsupported(
            pos,
            "a position relative to an entity in a story's `TeleportAction` (where it is while running is not known when the file is read)",
        ));
    }
    let p = super::position::position(xml, pos, cast.road, cast.ents)?;
    let (s, d) = super::centre_on_route(&cast.ents[me], p, cast.road.lane_width);
    scripts.lane[me] = p.lane;
    scripts.offset[me] = p.offset;
    let jump = BehaviourFile::Teleport {
        s: Num::Fixed(s),
        d: Num::Fixed(d),
        heading_deg: Num::Fixed(p.heading.to_degrees()),
    };
    Ok((jump, Some(0.0)))
}

/// A `SpeedAction` and how long it takes (when fixed).
fn speed_action(
    xml: &Xml<'_>,
    node: El<'_>,
    ents: &[Entity],
    me: usize,
    scripts: &mut Scripts,
) -> Res<(BehaviourFile, Option<f64>)> {
    xml.only(node, &["SpeedActionDynamics", "SpeedActionTarget"])?;
    let dyn_ = xml.need(node, "SpeedActionDynamics")?;
    let target = xml.single(xml.need(node, "SpeedActionTarget")?)?;
    let v0 = scripts.speed[me];
    let v1 = match name(target) {
        "AbsoluteTargetSpeed" => xml.num(target, "value")?,
        "RelativeTargetSpeed" => {
            let k = super::entities::index_of(xml, target, ents, &xml.req(target, "entityRef")?)?;
            if k != me {
                return Err(xml.unsupported(
                    target,
                    "a speed relative to another entity's (known only while running; relative to the actor itself is)",
                ));
            }
            if xml.opt_bool(target, "continuous")? == Some(true) {
                return Err(xml.unsupported(target, "a `continuous` relative speed"));
            }
            let value = xml.num(target, "value")?;
            let v = match xml.req(target, "speedTargetValueType")?.as_str() {
                "delta" => v0 + value,
                "factor" => v0 * value,
                other => return Err(xml.err(target, format!("unknown speedTargetValueType {other:?}"))),
            };
            if v < 0.0 {
                return Err(xml.err(target, format!("gives a negative speed ({v} m/s from {v0} m/s)")));
            }
            v
        }
        other => return Err(xml.err(target, format!("unknown speed target `{other}`"))),
    };
    let value = xml.num(dyn_, "value")?;
    let rate = match xml.req(dyn_, "dynamicsShape")?.as_str() {
        "step" => {
            xml.note(dyn_, "a `step` speed change runs at the largest rate the chassis and μ·g allow");
            STEP_RATE
        }
        "linear" if xml.req(dyn_, "dynamicsDimension")? == "rate" => {
            let rate = value.abs();
            if !(rate.is_finite() && rate > 0.0) {
                return Err(xml.err(
                    dyn_,
                    format!("gives no positive rate (from {v0} m/s to {v1} m/s with value {value})"),
                ));
            }
            rate
        }
        // A linear change over a time or a distance starts from the speed
        // the actor has when it starts (known only while running).
        shape @ ("cubic" | "sinusoidal" | "linear") => {
            let duration = match xml.req(dyn_, "dynamicsDimension")?.as_str() {
                "time" => value,
                "rate" => (v1 - v0).abs() / value.abs(),
                // Both shapes are symmetric: the mean speed is that of the ends.
                "distance" => 2.0 * value / (v0 + v1),
                other => return Err(xml.err(dyn_, format!("unknown dynamicsDimension {other:?}"))),
            };
            if v1 == v0 {
                scripts.speed[me] = v1;
                let hold = BehaviourFile::ChangeSpeed { speed: Num::Fixed(v1), rate: Num::Fixed(STEP_RATE) };
                return Ok((hold, Some(0.0)));
            }
            if !(duration.is_finite() && duration > 0.0) {
                return Err(xml.err(
                    dyn_,
                    format!("gives no positive duration (from {v0} m/s to {v1} m/s with value {value})"),
                ));
            }
            let shape = match shape {
                "cubic" => ShapeFile::Cubic,
                "linear" => ShapeFile::Linear,
                _ => ShapeFile::Sinusoidal,
            };
            scripts.speed[me] = v1;
            let b =
                BehaviourFile::ShapedSpeed { speed: Num::Fixed(v1), duration: Num::Fixed(duration), shape };
            return Ok((b, Some(duration)));
        }
        other => return Err(xml.err(dyn_, format!("unknown dynamicsShape {other:?}"))),
    };
    scripts.speed[me] = v1;
    // A step's duration depends on the chassis and μ: not fixed.
    let duration = (rate != STEP_RATE || v1 == v0).then(|| (v1 - v0).abs() / rate);
    Ok((BehaviourFile::ChangeSpeed { speed: Num::Fixed(v1), rate: Num::Fixed(rate) }, duration))
}

fn lane_change(
    xml: &Xml<'_>,
    node: El<'_>,
    road: &Road,
    ents: &[Entity],
    me: usize,
    scripts: &mut Scripts,
) -> Res<(BehaviourFile, Option<f64>)> {
    xml.only(node, &["LaneChangeActionDynamics", "LaneChangeTarget"])?;
    if xml.opt_num(node, "targetLaneOffset")?.unwrap_or(0.0) != 0.0 {
        return Err(xml.unsupported(node, "a `targetLaneOffset`"));
    }
    let dyn_ = xml.need(node, "LaneChangeActionDynamics")?;
    let shape = match xml.req(dyn_, "dynamicsShape")?.as_str() {
        "sinusoidal" => ShapeFile::Sinusoidal,
        "cubic" => ShapeFile::Cubic,
        "linear" => ShapeFile::Linear,
        "step" => {
            return Err(xml.unsupported(
                dyn_,
                "a `step` lane change (an instant jump sideways: write it as a `TeleportAction`)",
            ));
        }
        other => return Err(xml.err(dyn_, format!("unknown dynamicsShape {other:?}"))),
    };
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
    scripts.offset[me] = 0.0;
    let change = BehaviourFile::ChangeLane {
        lane: Num::Fixed(lane as f64),
        duration: Num::Fixed(duration),
        speed: Num::Fixed(speed),
        shape,
    };
    Ok((change, Some(duration)))
}

/// Conditions judged while running with the ego named as Gauntlet names it
/// (`"ego"`); refused when another entity already has that name.
fn ego_renamed(
    groups: &[Vec<crate::raw::JudgedFile>],
    ents: &[Entity],
    ego: usize,
    loc: &Loc,
) -> Res<StopGroups> {
    let ego_name = &ents[ego].name;
    if let Some(e) = ents.iter().enumerate().find(|(k, e)| *k != ego && e.name == crate::resolve::EGO_NAME) {
        return Err(loc.unsupported(&format!(
            "a condition judged while running in a file with an entity other than the ego named {:?} (the name Gauntlet gives the ego)",
            e.1.name
        )));
    }
    let rename = |n: &mut String| {
        if n == ego_name {
            *n = crate::resolve::EGO_NAME.to_owned();
        }
    };
    let mut groups = groups.to_vec();
    for j in groups.iter_mut().flatten() {
        match &mut j.cond {
            ConditionFile::Time(_) => {}
            ConditionFile::Speed { entity, .. }
            | ConditionFile::Acceleration { entity, .. }
            | ConditionFile::StandStill { entity, .. }
            | ConditionFile::TraveledDistance { entity, .. }
            | ConditionFile::Position { entity, .. } => rename(entity),
            ConditionFile::RelativeSpeed { entity, to, .. }
            | ConditionFile::Distance { entity, to, .. }
            | ConditionFile::TimeToCollision { entity, to, .. }
            | ConditionFile::Headway { entity, to, .. } => {
                rename(entity);
                rename(to);
            }
        }
    }
    Ok(groups)
}

/// A stop trigger judged while running, as a scenario's `stop` groups.
pub(crate) type StopGroups = Vec<Vec<crate::raw::JudgedFile>>;

/// `Storyboard/StopTrigger`: the run's duration, and the trigger itself when
/// it is judged while running (then the duration is its earliest group made
/// only of `SimulationTimeCondition`s: a Gauntlet run needs a time bound).
pub(crate) fn duration(
    xml: &Xml<'_>,
    board: El<'_>,
    road: &Road,
    ents: &[Entity],
    ego: usize,
    scripts: &Scripts,
) -> Res<(f64, Option<StopGroups>)> {
    let missing = || {
        xml.err(
            board,
            "expected a `StopTrigger` with a `SimulationTimeCondition` (Gauntlet runs have a duration)",
        )
    };
    let stop = xml.child(board, "StopTrigger")?.ok_or_else(missing)?;
    match trigger(xml, stop, road, ents, &scripts.elements)? {
        Some((Cond::Time(t), _)) => Ok((t, None)),
        Some((Cond::Runtime(groups), loc)) => match time_bound(&groups) {
            Some(t) => Ok((t, Some(ego_renamed(&groups, ents, ego, &loc)?))),
            None => Err(loc.unsupported(UNBOUNDED_STOP)),
        },
        Some((_, loc)) => Err(loc.unsupported(UNBOUNDED_STOP)),
        None => Err(missing()),
    }
}

const UNBOUNDED_STOP: &str = "a stop trigger judged while running with no `ConditionGroup` of only \
     `SimulationTimeCondition`s (Gauntlet runs need a time bound: add one as a group of its own)";

/// The earliest time at which a group made only of fixed time conditions
/// (edge `none` or `rising`) holds: each condition's value plus its delay.
fn time_bound(groups: &[Vec<crate::raw::JudgedFile>]) -> Option<f64> {
    use crate::raw::ConditionEdgeFile as E;
    groups
        .iter()
        .filter_map(|g| {
            g.iter()
                .map(|j| match (&j.cond, &j.delay, j.edge) {
                    (ConditionFile::Time(Num::Fixed(t)), Num::Fixed(d), E::None | E::Rising) => Some(t + d),
                    _ => None,
                })
                .try_fold(f64::NEG_INFINITY, |m, t| t.map(|t| m.max(t)))
        })
        .reduce(f64::min)
}
