//! A lane that ends in scenario files: `road: (…, lane_drop: (lane: 0,
//! start_s: …, end_s: …))`. Its schema, its validation in the walk (with
//! the field path), and its numbers for the fuzzer's visitor and writer.
//! What a lane drop does is the engine's ([`gauntlet_engine::lane_drop`]).

use gauntlet_engine::lane_drop::LaneDrop;
use gauntlet_engine::road::RoadSpec;
use gauntlet_ron_source::FieldPath;
use serde::Deserialize;

use crate::param::Num;
use crate::resolve::{Accepts, Walk, fmt_num};

/// `lane_drop: (lane: 0, start_s: …, end_s: …)`: a lane of the route's
/// carriageway that ends, its edge moving in by one lane width over the taper.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LaneDropFile {
    /// The lane that ends: 0 (the rightmost) or `lanes - 1` (the leftmost, on
    /// a one-way road).
    pub lane: Num,
    /// Route distance where the taper starts, m.
    pub start_s: Num,
    /// Route distance where the lane has ended, m (after `start_s`).
    pub end_s: Num,
}

impl Walk<'_> {
    /// The road's lane drop, checked against the road (`p`: `road.lane_drop`).
    pub(crate) fn lane_drop(&mut self, p: &FieldPath, f: &LaneDropFile, road: &RoadSpec) -> Option<LaneDrop> {
        let lane = self.num(&p.field("lane"), &f.lane, Accepts::int(0.0, 7.0, "a lane index")) as u32;
        let place = Accepts::between(0.0, 50_000.0, "a route distance in m");
        let start_s = self.num(&p.field("start_s"), &f.start_s, place);
        let end_s = self.num(&p.field("end_s"), &f.end_s, place);
        let mut ok = true;
        if road.lanes < 2 {
            self.error(&p.field("lane"), "a lane drop needs a road with at least 2 lanes (one must go on)");
            ok = false;
        } else if lane != 0 && lane != road.lanes - 1 {
            self.error(
                &p.field("lane"),
                format!(
                    "expected the rightmost (0) or leftmost ({}) lane: only an outer lane can end, found {lane}",
                    road.lanes - 1
                ),
            );
            ok = false;
        } else if lane != 0 && road.oncoming_lanes > 0 {
            self.error(
                &p.field("lane"),
                "the leftmost lane can end only on a one-way road (no `oncoming_lanes`)",
            );
            ok = false;
        }
        if road.junction.is_some() {
            self.error(p, "a lane drop is not supported on a road with a `Junction` layout");
            ok = false;
        }
        // Over every value the ranges allow, not only this instance's.
        let (latest_start, earliest_end, latest_end) = (
            f.start_s.extremes().into_iter().fold(start_s, f64::max),
            f.end_s.extremes().into_iter().fold(end_s, f64::min),
            f.end_s.extremes().into_iter().fold(end_s, f64::max),
        );
        if earliest_end <= latest_start {
            self.error(
                &p.field("end_s"),
                format!(
                    "expected the end after the start ({}), found {}",
                    fmt_num(latest_start),
                    fmt_num(earliest_end)
                ),
            );
            ok = false;
        } else if latest_end > road.length() {
            self.error(
                &p.field("end_s"),
                format!(
                    "expected the end on the road (≤ {} m), found {}",
                    fmt_num(road.length()),
                    fmt_num(latest_end)
                ),
            );
            ok = false;
        }
        ok.then_some(LaneDrop { lane, start_s, end_s })
    }
}

/// The lane drop as the writer spells it (empty when there is none).
pub(crate) fn lane_drop_text(f: &Option<LaneDropFile>, num: fn(&Num) -> String) -> String {
    match f {
        None => String::new(),
        Some(l) => format!(
            ", lane_drop: (lane: {}, start_s: {}, end_s: {})",
            num(&l.lane),
            num(&l.start_s),
            num(&l.end_s)
        ),
    }
}

/// Calls `f` for every number of the lane drop (`p`: `road.lane_drop`).
pub(crate) fn visit_lane_drop(
    p: &FieldPath,
    l: &mut Option<LaneDropFile>,
    f: &mut dyn FnMut(&FieldPath, &mut Num),
) {
    if let Some(l) = l {
        f(&p.field("lane"), &mut l.lane);
        f(&p.field("start_s"), &mut l.start_s);
        f(&p.field("end_s"), &mut l.end_s);
    }
}
