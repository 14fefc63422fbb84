//! The validating walk's part for two-way roads, traffic lights and
//! reactive actors: oncoming lanes, signal timing, directions of travel,
//! sight ranges, and `StopAtRed` only where a light exists.

use gauntlet_engine::reactive::Reactions;
use gauntlet_engine::road::RoadSpec;
use gauntlet_engine::traffic_light::{ALL_RED, SignalSpec};
use gauntlet_engine::{ActorKind, CriterionSpec};
use gauntlet_ron_source::FieldPath;

use super::{Accepts, Walk, fmt_num};
use crate::param::Num;
use crate::raw::{ActorFile, SignalFile};

/// Most lanes of both directions together.
const MAX_TOTAL_LANES: f64 = 8.0;

impl Walk<'_> {
    /// `road.oncoming_lanes`: 0–7, and at most 8 lanes in all.
    pub(super) fn oncoming_lanes(&mut self, p: &FieldPath, n: &Num, lanes: u32) -> u32 {
        let v = self.num(p, n, Accepts::int(0.0, 7.0, "an oncoming lane count"));
        if lanes as f64 + n.max_value() > MAX_TOTAL_LANES && n.max_value() <= 7.0 {
            self.error(
                p,
                format!(
                    "expected at most {} lanes in both directions, found {} + {}",
                    MAX_TOTAL_LANES as u32,
                    lanes,
                    fmt_num(n.max_value())
                ),
            );
        }
        v as u32
    }

    /// `layout.signal`: phase durations, with a red long enough for the
    /// crossing road's amber and both all-red intervals.
    pub(super) fn signal(&mut self, p: &FieldPath, s: &SignalFile) -> SignalSpec {
        let green = self.num(&p.field("green"), &s.green, Accepts::positive(600.0, "a duration in s"));
        let amber = self.num(&p.field("amber"), &s.amber, Accepts::positive(10.0, "a duration in s"));
        let red = self.num(&p.field("red"), &s.red, Accepts::positive(600.0, "a duration in s"));
        let offset = self.num(
            &p.field("offset"),
            &s.offset,
            Accepts::between(0.0, 3600.0, "a time in the cycle in s"),
        );
        let shortest_red = s.amber.max_value() + 2.0 * ALL_RED;
        if s.red.min_value() <= shortest_red {
            self.error(
                &p.field("red"),
                format!(
                    "expected a red longer than amber + {} s of all-red ({} s), found {}",
                    fmt_num(2.0 * ALL_RED),
                    fmt_num(shortest_red),
                    fmt_num(s.red.min_value())
                ),
            );
        }
        SignalSpec { green, amber, red, offset }
    }

    /// With oncoming lanes, every left arc must keep the far edge outside its centre.
    pub(super) fn oncoming_fits_curve(&mut self, lp: &FieldPath, road: &RoadSpec) {
        if road.oncoming_lanes == 0 {
            return;
        }
        let far = road.left_edge() + road.shoulder;
        let ends = road.segments.iter().flat_map(|s| {
            let cubic = s.poly3.and_then(|pp| pp.curve()).map(|c| c.curvature_range().1);
            [Some(s.curvature), s.spiral.map(|sp| sp.curvature_end), cubic]
        });
        for curvature in ends.flatten() {
            if curvature > 0.0 && 1.0 / curvature <= far {
                self.error(
                    &lp.field("radius"),
                    format!(
                        "expected a radius above {} m: the oncoming lanes' far edge lies {} m left of lane 0",
                        fmt_num(far),
                        fmt_num(far)
                    ),
                );
            }
        }
    }

    /// A vehicle must drive along its path: one facing backwards would be
    /// steered round; oncoming traffic belongs on the `Oncoming` path.
    pub(super) fn direction(&mut self, p: &FieldPath, kind: ActorKind, heading_deg: &Num) {
        if kind.is_vehicle_like() && heading_deg.extremes().iter().any(|h| h.abs() > 90.0) {
            self.error(
                p,
                "a vehicle faces along its path (|heading| ≤ 90°): put oncoming vehicles on \
                 `path: Oncoming` of a road with `oncoming_lanes`",
            );
        }
    }

    /// `sight_range` and `runs_red`.
    pub(super) fn reactions(&mut self, p: &FieldPath, a: &ActorFile) -> Reactions {
        let sight_range = a.sight_range.as_ref().map_or(f64::INFINITY, |n| {
            self.num(&p.field("sight_range"), n, Accepts::positive(10_000.0, "a sight range in m"))
        });
        Reactions { sight_range, obeys_signals: !a.runs_red }
    }

    /// `StopAtRed` judges a traffic light, `StopAtSign` a stop sign: the road must have one.
    pub(super) fn needs_signal(&mut self, p: &FieldPath, criteria: &[CriterionSpec], road: &RoadSpec) {
        let signalised = gauntlet_engine::traffic_light::route_stop_line(road).is_some();
        for (i, c) in criteria.iter().enumerate() {
            if *c == CriterionSpec::StopAtRed && !signalised {
                self.error(
                    &p.index(i),
                    "`StopAtRed` needs traffic lights: `Intersection(…, signal: (green: …, red: …))`",
                );
            }
            if *c == CriterionSpec::StopAtSign && !road.junction.is_some_and(|j| j.stop_sign) {
                self.error(&p.index(i), "`StopAtSign` needs a stop sign: `Junction(…, stop_sign: true)`");
            }
        }
    }
}
