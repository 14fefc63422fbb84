//! `When` triggers written back as RON and visited number by number (the
//! writer's and the path walker's share of [`crate::raw::JudgedFile`]).

use gauntlet_ron_source::FieldPath;

use super::write::{num, string};
use crate::param::Num;
use crate::raw::{ConditionEdgeFile, ConditionFile, JudgedFile, MeasureFile, OffsetFile};

/// `When([[(cond: …, edge: …, delay: …), …], …])`.
pub(crate) fn when_text(groups: &[Vec<JudgedFile>]) -> String {
    format!("When({})", groups_text(groups))
}

/// `[[(cond: …, edge: …, delay: …), …], …]` (a `When`'s groups, a scenario's `stop`).
pub(crate) fn groups_text(groups: &[Vec<JudgedFile>]) -> String {
    let groups: Vec<String> = groups
        .iter()
        .map(|g| {
            let conds: Vec<String> = g
                .iter()
                .map(|j| {
                    let mut text = format!("(cond: {}", condition_text(&j.cond));
                    if j.edge != ConditionEdgeFile::None {
                        text.push_str(&format!(", edge: {:?}", j.edge));
                    }
                    if !matches!(j.delay, Num::Fixed(v) if v == 0.0) {
                        text.push_str(&format!(", delay: {}", num(&j.delay)));
                    }
                    text.push(')');
                    text
                })
                .collect();
            format!("[{}]", conds.join(", "))
        })
        .collect();
    format!("[{}]", groups.join(", "))
}

fn condition_text(c: &ConditionFile) -> String {
    match c {
        ConditionFile::Time(n) => format!("Time({})", num(n)),
        ConditionFile::Speed { entity, rule, value } => {
            format!("Speed(entity: {}, rule: {rule:?}, value: {})", string(entity), num(value))
        }
        ConditionFile::RelativeSpeed { entity, to, rule, value } => format!(
            "RelativeSpeed(entity: {}, to: {}, rule: {rule:?}, value: {})",
            string(entity),
            string(to),
            num(value)
        ),
        ConditionFile::Acceleration { entity, rule, value } => {
            format!("Acceleration(entity: {}, rule: {rule:?}, value: {})", string(entity), num(value))
        }
        ConditionFile::StandStill { entity, duration } => {
            format!("StandStill(entity: {}, duration: {})", string(entity), num(duration))
        }
        ConditionFile::TraveledDistance { entity, distance } => {
            format!("TraveledDistance(entity: {}, distance: {})", string(entity), num(distance))
        }
        ConditionFile::Position { entity, s, d, rule, distance, freespace, measure } => format!(
            "Position(entity: {}, s: {}, d: {}, rule: {rule:?}, distance: {}{})",
            string(entity),
            num(s),
            num(d),
            num(distance),
            how(*freespace, *measure)
        ),
        ConditionFile::Distance { entity, to, rule, distance, freespace, measure, at } => format!(
            "Distance(entity: {}, to: {}, rule: {rule:?}, distance: {}{}{})",
            string(entity),
            string(to),
            num(distance),
            how(*freespace, *measure),
            at.as_ref().map(|o| format!(", at: {}", offset_text(o))).unwrap_or_default()
        ),
        ConditionFile::TimeToCollision { entity, to, freespace, rule, value } => format!(
            "TimeToCollision(entity: {}, to: {}, freespace: {freespace}, rule: {rule:?}, value: {})",
            string(entity),
            string(to),
            num(value)
        ),
        ConditionFile::Headway { entity, to, rule, value, freespace } => format!(
            "Headway(entity: {}, to: {}, rule: {rule:?}, value: {}{})",
            string(entity),
            string(to),
            num(value),
            if *freespace { ", freespace: true" } else { "" }
        ),
    }
}

/// `, freespace: true` and `, measure: …` where they differ from their defaults.
fn how(freespace: bool, measure: MeasureFile) -> String {
    let mut text = String::new();
    if freespace {
        text.push_str(", freespace: true");
    }
    if measure != MeasureFile::Euclidean {
        text.push_str(&format!(", measure: {measure:?}"));
    }
    text
}

/// `Object(dx: …, dy: …)`, `Road(ds: …, dt: …)` or `Lane(dlane: …, ds: …, offset: …)`.
fn offset_text(o: &OffsetFile) -> String {
    match o {
        OffsetFile::Object { dx, dy } => format!("Object(dx: {}, dy: {})", num(dx), num(dy)),
        OffsetFile::Road { ds, dt } => format!("Road(ds: {}, dt: {})", num(ds), num(dt)),
        OffsetFile::Lane { dlane, ds, offset } => {
            format!("Lane(dlane: {}, ds: {}, offset: {})", num(dlane), num(ds), num(offset))
        }
    }
}

/// Visits every number of a `When` trigger at `at`.
pub(crate) fn visit_when(
    at: &FieldPath,
    groups: &mut [Vec<JudgedFile>],
    f: &mut dyn FnMut(&FieldPath, &mut Num),
) {
    for (g, group) in groups.iter_mut().enumerate() {
        for (k, j) in group.iter_mut().enumerate() {
            let jp = at.index(g).index(k);
            let cp = jp.field("cond");
            match &mut j.cond {
                ConditionFile::Time(n) => f(&cp, n),
                ConditionFile::Speed { value, .. }
                | ConditionFile::RelativeSpeed { value, .. }
                | ConditionFile::Acceleration { value, .. }
                | ConditionFile::TimeToCollision { value, .. }
                | ConditionFile::Headway { value, .. } => f(&cp.field("value"), value),
                ConditionFile::StandStill { duration, .. } => f(&cp.field("duration"), duration),
                ConditionFile::TraveledDistance { distance, .. } => f(&cp.field("distance"), distance),
                ConditionFile::Distance { distance, at, .. } => {
                    f(&cp.field("distance"), distance);
                    let ap = cp.field("at");
                    match at {
                        None => {}
                        Some(OffsetFile::Object { dx, dy }) => {
                            f(&ap.field("dx"), dx);
                            f(&ap.field("dy"), dy);
                        }
                        Some(OffsetFile::Road { ds, dt }) => {
                            f(&ap.field("ds"), ds);
                            f(&ap.field("dt"), dt);
                        }
                        Some(OffsetFile::Lane { dlane, ds, offset }) => {
                            f(&ap.field("dlane"), dlane);
                            f(&ap.field("ds"), ds);
                            f(&ap.field("offset"), offset);
                        }
                    }
                }
                ConditionFile::Position { s, d, distance, .. } => {
                    f(&cp.field("s"), s);
                    f(&cp.field("d"), d);
                    f(&cp.field("distance"), distance);
                }
            }
            f(&jp.field("delay"), &mut j.delay);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::RuleFile;

    fn groups() -> Vec<Vec<JudgedFile>> {
        let fixed = Num::Fixed;
        vec![
            vec![
                JudgedFile {
                    cond: ConditionFile::Headway {
                        entity: "ego".into(),
                        to: "lead".into(),
                        rule: RuleFile::Below,
                        value: fixed(2.0),
                        freespace: true,
                    },
                    edge: ConditionEdgeFile::Rising,
                    delay: fixed(0.5),
                },
                JudgedFile {
                    cond: ConditionFile::Time(fixed(3.0)),
                    edge: ConditionEdgeFile::None,
                    delay: fixed(0.0),
                },
            ],
            vec![JudgedFile {
                cond: ConditionFile::Position {
                    entity: "lead".into(),
                    s: fixed(100.0),
                    d: fixed(3.5),
                    rule: RuleFile::Below,
                    distance: fixed(2.0),
                    freespace: false,
                    measure: MeasureFile::Euclidean,
                },
                edge: ConditionEdgeFile::None,
                delay: fixed(0.0),
            }],
            vec![JudgedFile {
                cond: ConditionFile::Distance {
                    entity: "ego".into(),
                    to: "lead".into(),
                    rule: RuleFile::Above,
                    distance: fixed(1.5),
                    freespace: true,
                    measure: MeasureFile::Longitudinal,
                    at: Some(OffsetFile::Lane { dlane: fixed(-1.0), ds: fixed(10.0), offset: fixed(0.25) }),
                },
                edge: ConditionEdgeFile::None,
                delay: fixed(0.0),
            }],
        ]
    }

    #[test]
    fn a_when_trigger_is_written_with_edges_and_delays_only_where_set() {
        assert_eq!(
            when_text(&groups()),
            "When([[(cond: Headway(entity: \"ego\", to: \"lead\", rule: Below, value: 2.0, freespace: true), edge: Rising, delay: 0.5), \
             (cond: Time(3.0))], [(cond: Position(entity: \"lead\", s: 100.0, d: 3.5, rule: Below, distance: 2.0))], \
             [(cond: Distance(entity: \"ego\", to: \"lead\", rule: Above, distance: 1.5, freespace: true, measure: Longitudinal, \
             at: Lane(dlane: -1.0, ds: 10.0, offset: 0.25)))]])"
        );
    }

    #[test]
    fn every_number_of_a_when_trigger_is_visited_with_its_path() {
        let mut g = groups();
        let mut seen = Vec::new();
        visit_when(&FieldPath::root().field("at"), &mut g, &mut |p, n| {
            seen.push((p.to_string(), n.nominal()))
        });
        let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "at[0][0].cond.value",
                "at[0][0].delay",
                "at[0][1].cond",
                "at[0][1].delay",
                "at[1][0].cond.s",
                "at[1][0].cond.d",
                "at[1][0].cond.distance",
                "at[1][0].delay",
                "at[2][0].cond.distance",
                "at[2][0].cond.at.dlane",
                "at[2][0].cond.at.ds",
                "at[2][0].cond.at.offset",
                "at[2][0].delay",
            ]
        );
        assert_eq!(seen[0].1, 2.0);
    }
}
