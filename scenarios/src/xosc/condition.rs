//! Start and stop triggers: `ConditionGroup`s (an OR of ANDs) of
//! conditions with their rules, edges and delays, read into the one trigger
//! a Gauntlet step waits for.
//!
//! What maps: any OR of ANDs of conditions that are fixed times
//! (`SimulationTimeCondition`, and `StoryboardElementStateCondition`s on
//! elements whose start or end time is known when the file is read), as
//! the earliest of the groups' latest times, plus `delay`; or one condition
//! on distances or headways judged while running (no delay). Everything
//! else is refused with its element path and line.

use std::collections::BTreeMap;

use super::entities::{Entity, index_of};
use super::xml::{El, Loc, Res, Xml, name};

/// A start condition, before it is read from one actor's point of view.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    /// Simulation time ≥ t.
    Time(f64),
    /// Entities `a` and `b` within `d` m (centre to centre).
    Distance { a: usize, b: usize, d: f64 },
    /// Entity `from`'s time headway to `to` below `t` s.
    Headway { from: usize, to: usize, t: f64 },
    /// As soon as one of these steps (entity, index) starts.
    Started(Vec<(usize, usize)>),
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
enum Rule {
    Greater,
    Less,
    Equal,
    NotEqual,
}

fn rule(xml: &Xml<'_>, node: El<'_>) -> Res<Rule> {
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

/// `StartTrigger`/`StopTrigger` as one condition, or none when it has no group.
pub(crate) fn trigger(
    xml: &Xml<'_>,
    node: El<'_>,
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
            read.push((condition(xml, c, ents, elements)?, xml.loc(c)));
        }
        groups.push(read);
    }
    let Some(first) = groups.first().and_then(|g| g.first()).cloned() else { return Ok(None) };
    // Fixed times: the group whose last condition holds first.
    let times: Option<Vec<f64>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|(c, _)| match c {
                    Cond::Time(t) => Some(*t),
                    _ => None,
                })
                .collect::<Option<Vec<f64>>>()
                .map(|ts| ts.into_iter().fold(f64::NEG_INFINITY, f64::max))
        })
        .collect();
    if let Some(times) = times {
        let t = times.into_iter().fold(f64::INFINITY, f64::min);
        return Ok(Some((Cond::Time(t), first.1)));
    }
    if groups.len() == 1 && groups[0].len() == 1 {
        return Ok(Some(first));
    }
    let (_, loc) = groups.iter().flatten().find(|(c, _)| !matches!(c, Cond::Time(_))).expect("not all times");
    Err(loc.unsupported(
        "an AND or OR of conditions judged while running (only fixed times combine; a Gauntlet step waits for one trigger)",
    ))
}

/// One `Condition`, its delay and edge applied.
fn condition(xml: &Xml<'_>, cond: El<'_>, ents: &[Entity], elements: &Elements) -> Res<Cond> {
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
    let by = xml.single(cond)?;
    let c = match name(by) {
        "ByValueCondition" => {
            let v = xml.single(by)?;
            match name(v) {
                "SimulationTimeCondition" => time_condition(xml, v, edge)?,
                "StoryboardElementStateCondition" => state_condition(xml, v, edge, elements)?,
                other => return Err(xml.unsupported(v, &format!("`{other}`"))),
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
            // A level that is false at the start rises when it first holds.
            if !matches!(edge, Edge::None | Edge::Rising) {
                return Err(xml.unsupported(
                    cond,
                    "a `falling` or `risingOrFalling` edge on a condition judged while running",
                ));
            }
            let ec = xml.single(xml.need(by, "EntityCondition")?)?;
            entity_condition(xml, ec, trig, ents)?
        }
        other => return Err(xml.err(by, format!("unknown condition `{other}`"))),
    };
    match c {
        Cond::Time(t) => Ok(Cond::Time(t + delay)),
        _ if delay == 0.0 => Ok(c),
        _ => Err(xml.unsupported(cond, "a `delay` on a condition judged while running")),
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

fn entity_condition(xml: &Xml<'_>, ec: El<'_>, trig: usize, ents: &[Entity]) -> Res<Cond> {
    let reference = |node| index_of(xml, node, ents, &xml.req(node, "entityRef")?);
    if xml.opt_bool(ec, "freespace")? == Some(true) {
        return Err(xml.unsupported(ec, "`freespace` distances (Gauntlet measures between centres)"));
    }
    let less = || -> Res<()> {
        match rule(xml, ec)? {
            Rule::Less => Ok(()),
            r => Err(xml.unsupported(ec, &format!("rule {r:?} here (only lessThan, lessOrEqual)"))),
        }
    };
    match name(ec) {
        "RelativeDistanceCondition" => {
            less()?;
            match xml.req(ec, "relativeDistanceType")?.as_str() {
                "cartesianDistance" | "euclidianDistance" => {}
                other => return Err(xml.unsupported(ec, &format!("relativeDistanceType {other:?}"))),
            }
            Ok(Cond::Distance { a: trig, b: reference(ec)?, d: xml.num(ec, "value")? })
        }
        "TimeHeadwayCondition" => {
            less()?;
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
