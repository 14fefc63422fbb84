//! The validating walk's part for junctions: the `Junction` layout (arms,
//! the route's exit), actors' `Movement` paths, and `GiveWay`.

use gauntlet_engine::junction::{self, ArmId, ArmSpec, JunctionSpec};
use gauntlet_engine::road::{PathId, RoadSpec, SegmentSpec};
use gauntlet_ron_source::FieldPath;

use super::{Accepts, Walk};
use crate::param::Num;
use crate::raw::{ArmFile, ArmName, SignalFile};

/// The engine's arm of a file's arm name.
pub(super) fn arm_id(name: ArmName) -> ArmId {
    match name {
        ArmName::Approach => ArmId::Approach,
        ArmName::Left => ArmId::Left,
        ArmName::Ahead => ArmId::Ahead,
        ArmName::Right => ArmId::Right,
    }
}

/// The parts of a `Junction` layout, as the file gives them.
pub(super) struct JunctionLayout<'a> {
    pub approach: &'a Num,
    pub arms: [&'a Option<Box<ArmFile>>; 3],
    pub corner_radius: &'a Num,
    pub route: ArmName,
    pub signal: &'a Option<SignalFile>,
    pub stop_sign: bool,
}

/// Lanes and width of the road the junction ends.
pub(super) struct RoadLanes {
    pub lanes: u32,
    pub oncoming: u32,
    pub lane_width: f64,
}

impl Walk<'_> {
    /// A `Junction` layout: the route's pieces (approach, turn, exit arm) and the junction.
    pub(super) fn junction_layout(
        &mut self,
        lp: &FieldPath,
        l: &JunctionLayout<'_>,
        r: &RoadLanes,
    ) -> (Vec<SegmentSpec>, JunctionSpec) {
        let approach =
            self.num(&lp.field("approach"), l.approach, Accepts::between(10.0, 50_000.0, "a length in m"));
        let mut arms = [None; 3];
        for (k, (name, default)) in [("left", 90.0), ("ahead", 0.0), ("right", -90.0)].into_iter().enumerate()
        {
            let Some(a) = l.arms[k] else { continue };
            let ap = lp.field(name);
            let heading = a.heading_deg.as_ref().map_or(default, |h| {
                self.num(&ap.field("heading_deg"), h, Accepts::between(-160.0, 160.0, "a heading in degrees"))
            });
            let lanes_in =
                self.num(&ap.field("lanes_in"), &a.lanes_in, Accepts::int(0.0, 4.0, "a lane count"));
            let lanes_out =
                self.num(&ap.field("lanes_out"), &a.lanes_out, Accepts::int(0.0, 4.0, "a lane count"));
            if lanes_in + lanes_out < 1.0 {
                self.error(&ap, "an arm needs at least one lane (`lanes_in` or `lanes_out`)");
            }
            let length =
                self.num(&ap.field("length"), &a.length, Accepts::between(20.0, 5000.0, "a length in m"));
            arms[k] = Some(ArmSpec {
                heading: heading.to_radians(),
                lanes_in: lanes_in as u32,
                lanes_out: lanes_out as u32,
                length,
            });
        }
        if arms.iter().all(Option::is_none) {
            self.error(
                lp,
                "a junction needs at least one arm besides the approach (`left`, `ahead`, `right`)",
            );
        }
        let corner_radius = self.num(
            &lp.field("corner_radius"),
            l.corner_radius,
            Accepts::between(2.0, 50.0, "a corner radius in m"),
        );
        let signal = l.signal.as_ref().map(|sig| self.signal(&lp.field("signal"), sig));
        if l.stop_sign && signal.is_some() {
            self.error(&lp.field("stop_sign"), "an approach has traffic lights or a stop sign, not both");
        }
        let spec = JunctionSpec {
            entry_s: approach,
            arms,
            corner_radius,
            exit: arm_id(l.route),
            signal,
            stop_sign: l.stop_sign,
        };
        let pieces = [SegmentSpec::new(approach, 0.0)];
        match junction::route_segments(&pieces, &spec, r.lanes, r.oncoming, r.lane_width) {
            Ok(segments) => (segments, spec),
            Err(e) => {
                self.error(&lp.field("route"), e.to_string());
                (pieces.to_vec(), JunctionSpec { arms: [None; 3], ..spec })
            }
        }
    }

    /// An actor's `Movement(from, to)` path, checked against the road's junction.
    pub(super) fn movement(&mut self, p: &FieldPath, from: ArmName, to: ArmName, road: &RoadSpec) -> PathId {
        let (from, to) = (arm_id(from), arm_id(to));
        let Some(j) = road.junction.filter(|j| j.arms.iter().any(Option::is_some)) else {
            self.error(p, "a `Movement` path needs a `Junction` layout");
            return PathId::Route;
        };
        let approach = [SegmentSpec::new(j.entry_s, 0.0)];
        if let Err(e) =
            junction::check(&approach, &j, road.lanes, road.oncoming_lanes, road.lane_width, from, to)
        {
            self.error(p, e.to_string());
        }
        PathId::Movement(from, to)
    }
}
