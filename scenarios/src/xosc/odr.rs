//! OpenDRIVE (1.4–1.8) roads, the supported subset: one `<road>` whose
//! reference line is a straight or straight–arc–straight, one lane section
//! of constant-width driving lanes on the right, and a speed record.
//!
//! Gauntlet's route runs along the centre of its rightmost lane (lane 0)
//! from the origin heading +x; OpenDRIVE's reference line is the road's
//! centre line, `t0 = -(n - ½)·w` to the left of lane 0. Every position is
//! mapped through that offset: arc lengths along an arc scale by
//! `1 − κ·t0`, radii grow or shrink by `t0`.

use std::path::Path;

use gauntlet_engine::V2;
use gauntlet_engine::road::{Path as RoutePath, SegmentSpec};

use super::xml::{El, Res, Xml, name, parse, read};
use crate::param::Num;
use crate::raw::{Direction, EdgeFile, LayoutFile, RoadFile};

/// One piece of the reference line.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Piece {
    length: f64,
    curvature: f64,
}

/// The imported road.
#[derive(Debug, Clone)]
pub(crate) struct Road {
    /// The OpenDRIVE road id.
    pub id: String,
    /// Driving lanes on the right (ids -1 … -n).
    pub lanes: u32,
    /// Their width, m.
    pub lane_width: f64,
    /// Width of the non-driving lanes right of them, m.
    pub shoulder: f64,
    /// Speed limit, m/s.
    pub speed_limit: f64,
    /// Reference line pieces (consecutive straights merged).
    pieces: Vec<Piece>,
    /// Start of the reference line: x, y, heading.
    start: (f64, f64, f64),
}

/// Units OpenDRIVE speeds come in.
fn speed_in(xml: &Xml<'_>, node: El<'_>, value: f64, unit: Option<&str>) -> Res<f64> {
    match unit.unwrap_or("m/s") {
        "m/s" => Ok(value),
        "km/h" => Ok(value / 3.6),
        "mph" => Ok(value * 0.44704),
        other => Err(xml.err(node, format!("unknown speed unit {other:?}"))),
    }
}

fn all_zero(xml: &Xml<'_>, node: El<'_>, coeffs: &[&str]) -> Res<bool> {
    for c in coeffs {
        if xml.opt_num(node, c)?.unwrap_or(0.0).abs() > 1e-12 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reads and checks the OpenDRIVE file at `path`; `roadId`s of positions
/// must name the road returned.
pub(crate) fn load(path: &Path) -> Res<Road> {
    let text = read(path)?;
    let doc = parse(path, &text)?;
    let xml = Xml::new(path, &doc);
    let root = doc.root_element();
    if name(root) != "OpenDRIVE" {
        return Err(xml.err(root, "expected an OpenDRIVE document"));
    }
    for c in xml.kids(root) {
        match name(c) {
            "header" | "road" => {}
            "junction" => return Err(xml.unsupported(c, "`junction`")),
            "controller" => return Err(xml.unsupported(c, "`controller` (signal controllers)")),
            other => return Err(xml.unsupported(c, &format!("`{other}`"))),
        }
    }
    let roads = xml.all(root, "road");
    let road = match roads.as_slice() {
        [one] => *one,
        [] => return Err(xml.err(root, "expected a `road`")),
        [_, second, ..] => {
            return Err(xml.unsupported(*second, "a second `road` (roads linked into one route)"));
        }
    };
    road_of(&xml, road)
}

fn road_of(xml: &Xml<'_>, road: El<'_>) -> Res<Road> {
    if let Some(j) = xml.attr(road, "junction")?
        && j != "-1"
    {
        return Err(xml.unsupported(road, "a road inside a junction"));
    }
    let id = xml.req(road, "id")?;
    let mut speed_limit = None;
    for c in xml.kids(road) {
        match name(c) {
            "planView" | "lanes" => {}
            "link" => {
                if !xml.kids(c).is_empty() {
                    return Err(xml.unsupported(c, "a road linked to other roads"));
                }
            }
            "type" => {
                xml.only(c, &["speed"])?;
                if let Some(sp) = xml.child(c, "speed")? {
                    if speed_limit.is_some() {
                        return Err(xml.unsupported(c, "a second speed record"));
                    }
                    let v = xml.num(sp, "max")?;
                    speed_limit = Some(speed_in(xml, sp, v, xml.attr(sp, "unit")?.as_deref())?);
                }
            }
            "elevationProfile" | "lateralProfile" => {
                for e in xml.kids(c) {
                    if !all_zero(xml, e, &["a", "b", "c", "d"])? {
                        return Err(xml.unsupported(e, "a non-flat road (Gauntlet's roads are flat)"));
                    }
                }
            }
            "objects" | "signals" => {
                if !xml.kids(c).is_empty() {
                    return Err(xml.unsupported(c, &format!("road `{}`", name(c))));
                }
            }
            other => return Err(xml.unsupported(c, &format!("`{other}`"))),
        }
    }
    let (pieces, start) = plan_view(xml, xml.need(road, "planView")?)?;
    let lanes = lanes_of(xml, xml.need(road, "lanes")?)?;
    let speed_limit = match (speed_limit, lanes.speed) {
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => {
            return Err(xml.err(
                road,
                "no speed record: Gauntlet needs the road's speed limit (add \
                 <type s=\"0\" type=\"motorway\"><speed max=\"…\" unit=\"km/h\"/></type>)",
            ));
        }
    };
    let r = Road {
        id,
        lanes: lanes.count,
        lane_width: lanes.width,
        shoulder: lanes.shoulder,
        speed_limit,
        pieces,
        start,
    };
    // The layouts Gauntlet has: a straight, or straight–arc–straight.
    match r.pieces.as_slice() {
        [line] if line.curvature == 0.0 => {}
        [a, arc, b] if a.curvature == 0.0 && arc.curvature != 0.0 && b.curvature == 0.0 => {}
        _ => {
            return Err(xml.unsupported(
                xml.need(road, "planView")?,
                "this reference line shape (Gauntlet's routes are one `line`, or `line`, `arc`, `line`)",
            ));
        }
    }
    Ok(r)
}

fn plan_view(xml: &Xml<'_>, pv: El<'_>) -> Res<(Vec<Piece>, (f64, f64, f64))> {
    xml.only(pv, &["geometry"])?;
    let mut pieces: Vec<Piece> = Vec::new();
    let mut start = None;
    let mut s_end = 0.0;
    for g in xml.all(pv, "geometry") {
        let (s, x, y, hdg, length) =
            (xml.num(g, "s")?, xml.num(g, "x")?, xml.num(g, "y")?, xml.num(g, "hdg")?, xml.num(g, "length")?);
        if length <= 0.0 {
            return Err(xml.err(g, format!("`length` must be positive, found {length}")));
        }
        if start.is_none() {
            start = Some((x, y, hdg));
        } else if (s - s_end).abs() > 1e-6 {
            return Err(xml.err(g, format!("starts at s = {s}, but the previous geometry ends at {s_end}")));
        }
        s_end = s + length;
        let kind = xml.single(g)?;
        let curvature = match name(kind) {
            "line" => 0.0,
            "arc" => xml.num(kind, "curvature")?,
            "spiral" => return Err(xml.unsupported(kind, "`spiral`")),
            "poly3" => return Err(xml.unsupported(kind, "`poly3`")),
            "paramPoly3" => return Err(xml.unsupported(kind, "`paramPoly3`")),
            other => return Err(xml.err(kind, format!("unknown geometry `{other}`"))),
        };
        match pieces.last_mut() {
            Some(last) if last.curvature == curvature => last.length += length,
            _ => pieces.push(Piece { length, curvature }),
        }
    }
    let start = start.ok_or_else(|| xml.err(pv, "expected at least one `geometry`"))?;
    Ok((pieces, start))
}

struct Lanes {
    count: u32,
    width: f64,
    shoulder: f64,
    speed: Option<f64>,
}

fn lanes_of(xml: &Xml<'_>, lanes: El<'_>) -> Res<Lanes> {
    xml.only(lanes, &["laneOffset", "laneSection"])?;
    for o in xml.all(lanes, "laneOffset") {
        if !all_zero(xml, o, &["a", "b", "c", "d"])? {
            return Err(xml.unsupported(o, "a non-zero `laneOffset`"));
        }
    }
    let sections = xml.all(lanes, "laneSection");
    let section = match sections.as_slice() {
        [one] => *one,
        [] => return Err(xml.err(lanes, "expected a `laneSection`")),
        [_, second, ..] => return Err(xml.unsupported(*second, "a second `laneSection`")),
    };
    xml.only(section, &["left", "center", "right"])?;
    if let Some(left) = xml.child(section, "left")? {
        for lane in xml.all(left, "lane") {
            if xml.attr(lane, "type")?.as_deref() == Some("driving") {
                return Err(xml.unsupported(lane, "a driving lane on the left (two-way roads)"));
            }
            xml.note(lane, "a non-driving lane left of the centre line (outside Gauntlet's carriageway)");
        }
    }
    let right = xml.need(section, "right")?;
    xml.only(right, &["lane"])?;
    let mut rows = Vec::new();
    for lane in xml.all(right, "lane") {
        let id: i64 = xml.req(lane, "id")?.parse().map_err(|_| xml.err(lane, "`id` must be an integer"))?;
        rows.push((id, lane));
    }
    // Innermost first: -1, -2, …
    rows.sort_by_key(|(id, _)| -id);
    let (mut count, mut width, mut shoulder, mut speed) = (0u32, None::<f64>, 0.0, None);
    let mut outside = false;
    for (k, (id, lane)) in rows.iter().enumerate() {
        if *id != -(k as i64) - 1 {
            return Err(xml.err(*lane, format!("right lanes must be numbered -1, -2, …; found {id}")));
        }
        let ty = xml.req(*lane, "type")?;
        let mut w = None;
        for c in xml.kids(*lane) {
            match name(c) {
                "link" | "roadMark" | "userData" => {}
                "material" => xml.note(c, "lane material (friction comes from the scenario's RoadCondition)"),
                "width" => {
                    if xml.num(c, "sOffset")? != 0.0 || w.is_some() {
                        return Err(xml.unsupported(c, "a lane width that changes along the road"));
                    }
                    if !all_zero(xml, c, &["b", "c", "d"])? {
                        return Err(xml.unsupported(c, "a polynomial lane width (non-zero b, c or d)"));
                    }
                    w = Some(xml.num(c, "a")?);
                }
                "speed" => {
                    let v = xml.num(c, "max")?;
                    let v = speed_in(xml, c, v, xml.attr(c, "unit")?.as_deref())?;
                    if speed.is_some_and(|s| s != v) {
                        return Err(xml.unsupported(c, "lanes with different speed limits"));
                    }
                    speed = Some(v);
                }
                other => return Err(xml.unsupported(c, &format!("lane `{other}`"))),
            }
        }
        let w = w.ok_or_else(|| xml.err(*lane, "expected a `width`"))?;
        if ty == "driving" {
            if outside {
                return Err(xml.unsupported(*lane, "a driving lane outside a non-driving one"));
            }
            if width.is_some_and(|x| x != w) {
                return Err(xml.unsupported(*lane, "driving lanes of different widths"));
            }
            width = Some(w);
            count += 1;
        } else {
            outside = true;
            shoulder += w;
        }
    }
    let width = width.ok_or_else(|| xml.err(right, "expected at least one driving lane on the right"))?;
    Ok(Lanes { count, width, shoulder, speed })
}

impl Road {
    /// OpenDRIVE's reference line relative to lane 0's centre.
    fn t0(&self) -> f64 {
        -(self.lanes as f64 - 0.5) * self.lane_width
    }

    /// The Gauntlet road: lane 0's centre line as the route.
    pub fn road_file(&self) -> RoadFile {
        let fixed = Num::Fixed;
        let layout = match self.pieces.as_slice() {
            [a, arc, b] => {
                let k = arc.curvature;
                LayoutFile::Curve {
                    approach: fixed(a.length),
                    radius: fixed(self.radius(k)),
                    angle_deg: fixed((arc.length * k.abs()).to_degrees()),
                    direction: if k > 0.0 { Direction::Left } else { Direction::Right },
                    exit: fixed(b.length),
                }
            }
            pieces => LayoutFile::Straight { length: fixed(pieces.iter().map(|p| p.length).sum()) },
        };
        RoadFile {
            lanes: fixed(self.lanes as f64),
            lane_width: fixed(self.lane_width),
            speed_limit: fixed(self.speed_limit),
            layout,
            edge: EdgeFile::Open,
            shoulder: fixed(self.shoulder),
            oncoming_lanes: fixed(0.0),
        }
    }

    /// Radius of lane 0's centre on an arc of reference curvature `k`.
    fn radius(&self, k: f64) -> f64 {
        1.0 / k.abs() - k.signum() * self.t0()
    }

    /// The route's pieces as Gauntlet builds them (lane 0's centre line).
    fn segments(&self) -> Vec<SegmentSpec> {
        self.pieces
            .iter()
            .map(|p| {
                if p.curvature == 0.0 {
                    SegmentSpec::new(p.length, 0.0)
                } else {
                    let r = self.radius(p.curvature);
                    let angle = (p.length * p.curvature.abs()).to_degrees();
                    SegmentSpec::new(r * angle.to_radians(), p.curvature.signum() / r)
                }
            })
            .collect()
    }

    /// Length of the Gauntlet route, m.
    pub fn route_length(&self) -> f64 {
        self.segments().iter().map(|s| s.length).sum()
    }

    /// Route distance of reference-line distance `s`.
    pub fn route_s(&self, s: f64) -> f64 {
        let (mut at, mut out) = (0.0, 0.0);
        for (p, seg) in self.pieces.iter().zip(self.segments()) {
            let take = (s - at).clamp(0.0, p.length);
            out += take * seg.length / p.length;
            at += p.length;
        }
        if s > at {
            out += s - at;
        }
        out
    }

    /// Reference-line distance of route distance `s` (the inverse of [`Road::route_s`]).
    pub fn ref_s(&self, s: f64) -> f64 {
        let (mut at, mut out) = (0.0, 0.0);
        for (p, seg) in self.pieces.iter().zip(self.segments()) {
            let take = (s - at).clamp(0.0, seg.length);
            out += take * p.length / seg.length;
            at += seg.length;
        }
        if s > at {
            out += s - at;
        }
        out
    }

    /// Gauntlet lane of OpenDRIVE lane `id` (-n … -1), if it is a driving lane.
    pub fn lane_of_id(&self, id: i64) -> Option<i64> {
        (-(self.lanes as i64)..=-1).contains(&id).then(|| self.lanes as i64 + id)
    }

    /// A world pose (x, y, heading) as route (s, d, heading relative to the route).
    pub fn world_to_route(&self, x: f64, y: f64, h: f64) -> (f64, f64, f64) {
        let (x0, y0, h0) = self.start;
        let (c, s) = (libm::cos(h0), libm::sin(h0));
        let (dx, dy) = (x - x0, y - y0);
        // The reference line's frame, then lane 0's (the route starts at its centre).
        let local = V2::new(c * dx + s * dy, -s * dx + c * dy - self.t0());
        let route = RoutePath::new(V2::new(0.0, 0.0), 0.0, &self.segments());
        let p = route.project(local);
        let a = h - h0 - p.heading;
        let rel = libm::atan2(libm::sin(a), libm::cos(a));
        (p.s, p.d, rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> Road {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xosc/curve2.xodr");
        load(&p).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_arc_maps_onto_lane_zeros_radius_and_length() {
        let road = curve();
        // Left arc of reference radius 200 m; lane 0's centre is 1.5 lanes right of it.
        let LayoutFile::Curve { radius: Num::Fixed(r), angle_deg: Num::Fixed(a), direction, .. } =
            road.road_file().layout
        else {
            panic!("a curve");
        };
        assert!((r - (200.0 + 1.5 * 3.5)).abs() < 1e-9, "{r}");
        assert!((a - (150.0 * 0.005f64).to_degrees()).abs() < 1e-9, "{a}");
        assert_eq!(direction, Direction::Left);
        // Along the arc, route distances scale by 1 − κ·t0; straights keep theirs.
        assert!((road.route_s(60.0) - 60.0).abs() < 1e-12);
        let end_of_arc = road.route_s(250.0);
        assert!((end_of_arc - (100.0 + 150.0 * (1.0 + 0.005 * 5.25))).abs() < 1e-9, "{end_of_arc}");
        for s in [0.0, 60.0, 130.0, 249.0, 400.0, 549.0] {
            assert!((road.ref_s(road.route_s(s)) - s).abs() < 1e-9, "{s}");
        }
    }

    #[test]
    fn world_points_project_onto_the_route() {
        let road = curve();
        let (x0, y0, h0) = (10.0f64, 5.0f64, 0.5f64);
        // On the arc, 40 m in, at the centre of lane -1 (t = -1.75).
        let (k, along, t) = (0.005f64, 40.0f64, -1.75f64);
        let (x1, y1) = (x0 + 100.0 * h0.cos(), y0 + 100.0 * h0.sin());
        let h = h0 + k * along;
        let (xc, yc) = (x1 - h0.sin() / k, y1 + h0.cos() / k);
        let (x, y) = (xc + h.sin() * (1.0 / k - t), yc - h.cos() * (1.0 / k - t));
        let (s, d, rel) = road.world_to_route(x, y, h);
        assert!((s - road.route_s(140.0)).abs() < 1e-6, "{s}");
        assert!((d - 3.5).abs() < 1e-6, "{d}");
        assert!(rel.abs() < 1e-9, "{rel}");
    }
}
