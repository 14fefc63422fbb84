//! `Position`s in route coordinates: lane, road and world positions, and
//! positions relative to another entity (by lane, by road, or in its own
//! frame), with a relative `Orientation`.

use super::entities::{Entity, Placed, index_of};
use super::odr::Road;
use super::xml::{El, Res, Xml, name};
use crate::raw::LayoutFile;

/// A `Position`'s one child, in route coordinates.
pub(crate) fn position(xml: &Xml<'_>, pos: El<'_>, road: &Road, ents: &[Entity]) -> Res<Placed> {
    let orientation = |node: El<'_>| -> Res<f64> {
        xml.only(node, &["Orientation"])?;
        match xml.child(node, "Orientation")? {
            None => Ok(0.0),
            Some(o) => {
                if xml.attr(o, "type")?.as_deref() != Some("relative") {
                    return Err(xml.unsupported(o, "an absolute `Orientation` in a lane position"));
                }
                for a in ["p", "r"] {
                    if xml.opt_num(o, a)?.unwrap_or(0.0) != 0.0 {
                        return Err(xml.unsupported(o, "pitch or roll (Gauntlet's roads are flat)"));
                    }
                }
                Ok(xml.opt_num(o, "h")?.unwrap_or(0.0))
            }
        }
    };
    match name(pos) {
        "LanePosition" => {
            let road_id = xml.req(pos, "roadId")?;
            let s = on_road(xml, pos, road, &road_id)?;
            let id: i64 =
                xml.req(pos, "laneId")?.parse().map_err(|_| xml.err(pos, "`laneId` must be an integer"))?;
            let lane = road.lane_of_id(id).ok_or_else(|| {
                xml.unsupported(pos, &format!("laneId {id} (the driving lanes are -1 … -{})", road.lanes))
            })?;
            Ok(Placed {
                lane: Some(lane),
                offset: xml.opt_num(pos, "offset")?.unwrap_or(0.0),
                s,
                heading: orientation(pos)?,
            })
        }
        "RelativeLanePosition" => {
            let who = xml.req(pos, "entityRef")?;
            let k = index_of(xml, pos, ents, &who)?;
            let Some(base) = ents[k].placed else {
                return Err(xml.err(pos, format!("{who:?} has no position yet (place it earlier in `Init`)")));
            };
            let Some(lane) = base.lane else {
                return Err(
                    xml.unsupported(pos, &format!("a lane position relative to {who:?}, placed off a lane"))
                );
            };
            if pos.attribute("dsLane").is_some() {
                return Err(xml.unsupported(pos, "`dsLane`"));
            }
            let d_lane: i64 =
                xml.req(pos, "dLane")?.parse().map_err(|_| xml.err(pos, "`dLane` must be an integer"))?;
            let lane = lane + d_lane;
            if !(0..road.lanes as i64).contains(&lane) {
                return Err(
                    xml.err(pos, format!("dLane {d_lane} leaves the road's {} driving lanes", road.lanes))
                );
            }
            let ds = xml.opt_num(pos, "ds")?.unwrap_or(0.0);
            Ok(Placed {
                lane: Some(lane),
                offset: xml.opt_num(pos, "offset")?.unwrap_or(0.0),
                s: road.route_s(road.ref_s(base.s) + ds),
                heading: orientation(pos)?,
            })
        }
        "WorldPosition" => {
            for a in ["z", "p", "r"] {
                if xml.opt_num(pos, a)?.unwrap_or(0.0) != 0.0 {
                    return Err(
                        xml.unsupported(pos, &format!("a non-zero `{a}` (Gauntlet's roads are flat)"))
                    );
                }
            }
            let (s, d, heading) = road.world_to_route(
                xml.num(pos, "x")?,
                xml.num(pos, "y")?,
                xml.opt_num(pos, "h")?.unwrap_or(0.0),
            );
            Ok(on_lane(road, s, d, heading))
        }
        "RoadPosition" => {
            let road_id = xml.req(pos, "roadId")?;
            let s = on_road(xml, pos, road, &road_id)?;
            let d = xml.num(pos, "t")? - road.t0();
            Ok(on_lane(road, s, d, orientation(pos)?))
        }
        "RelativeRoadPosition" => {
            let (_, base) = base_of(xml, pos, ents)?;
            let d = match base.lane {
                Some(lane) => lane as f64 * road.lane_width + base.offset,
                None => base.offset,
            };
            let s = road.route_s(road.ref_s(base.s) + xml.num(pos, "ds")?);
            Ok(on_lane(road, s, d + xml.num(pos, "dt")?, orientation(pos)?))
        }
        "RelativeObjectPosition" => {
            let (who, base) = base_of(xml, pos, ents)?;
            if !matches!(road.road_file().layout, LayoutFile::Straight { .. }) {
                return Err(xml.unsupported(
                    pos,
                    &format!("a position relative to {who:?} in its own frame on a curved road (straight roads only)"),
                ));
            }
            if xml.opt_num(pos, "dz")?.unwrap_or(0.0) != 0.0 {
                return Err(xml.unsupported(pos, "a non-zero `dz` (Gauntlet's roads are flat)"));
            }
            let (dx, dy) = (xml.num(pos, "dx")?, xml.opt_num(pos, "dy")?.unwrap_or(0.0));
            let (sin, cos) = (libm::sin(base.heading), libm::cos(base.heading));
            let d = match base.lane {
                Some(lane) => lane as f64 * road.lane_width + base.offset,
                None => base.offset,
            };
            // The object's frame turned onto the (straight) route's.
            let heading = base.heading + orientation(pos)?;
            Ok(on_lane(road, base.s + dx * cos - dy * sin, d + dx * sin + dy * cos, heading))
        }
        other => Err(xml.unsupported(pos, &format!("`{other}`"))),
    }
}

/// Route distance of a position's `s` on the route's road `road_id`.
fn on_road(xml: &Xml<'_>, pos: El<'_>, road: &Road, road_id: &str) -> Res<f64> {
    road.route_s_on(road_id, xml.num(pos, "s")?).ok_or_else(|| {
        xml.err(pos, format!("unknown roadId {road_id:?} (the route's roads are {:?})", road.road_ids()))
    })
}

/// A point at route distance `s` and lateral `d` from lane 0's centre: on
/// the lane holding it, with the offset from that lane's centre.
fn on_lane(road: &Road, s: f64, d: f64, heading: f64) -> Placed {
    let lane = libm::round(d / road.lane_width) as i64;
    if (0..road.lanes as i64).contains(&lane) {
        Placed { lane: Some(lane), offset: d - lane as f64 * road.lane_width, s, heading }
    } else {
        Placed { lane: None, offset: d, s, heading }
    }
}

/// The entity a relative position refers to, and where it is.
fn base_of(xml: &Xml<'_>, pos: El<'_>, ents: &[Entity]) -> Res<(String, Placed)> {
    let who = xml.req(pos, "entityRef")?;
    let k = index_of(xml, pos, ents, &who)?;
    match ents[k].placed {
        Some(p) => Ok((who, p)),
        None => Err(xml.err(pos, format!("{who:?} has no position yet (place it earlier in `Init`)"))),
    }
}
