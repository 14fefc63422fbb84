//! OpenDRIVE (1.4–1.8) roads, the supported subset: roads linked end to end
//! into one route, reference lines of `line`, `arc`, `spiral` (clothoid)
//! `paramPoly3` (parametric cubic, `pRange` `normalized` or `arcLength`)
//! and the deprecated `poly3` (a cubic `v(u)`, as a parametric cubic over
//! `u ∈ [0, u_end]` of arc length `length`) geometries, lane sections of
//! driving lanes on both sides with shoulders and sidewalks ([`lanes`]),
//! constant lane offsets, and speed records. Junctions are refused.
//!
//! Gauntlet's route runs along the centre of its rightmost lane (lane 0)
//! from the origin heading +x; OpenDRIVE's reference line lies `-t0` to the
//! left of lane 0's centre (`t0 = offset − (n − ½)·w`). Every position is
//! mapped through that offset: arc lengths along an arc scale by
//! `1 − κ·t0`, radii grow or shrink by `t0`, and a spiral becomes the
//! engine's spiral segment with its clothoid `-t0` to the left
//! ([`gauntlet_engine::road::Spiral`]), and a `paramPoly3` the engine's
//! cubic segment with its cubic `-t0` to the left
//! ([`gauntlet_engine::road::ParamPoly3`]): the route follows the reference
//! line exactly, curvature included.

mod lanes;

use std::path::Path;

use gauntlet_engine::V2;
use gauntlet_engine::road::{ParamPoly3, Path as RoutePath, Poly3Curve, SegmentSpec, Spiral};

use super::xml::{El, Res, Xml, name, parse, read};
use crate::param::Num;
use crate::raw::{Direction, EdgeFile, LayoutFile, Poly3File, RoadFile, SegmentFile};

pub(crate) use lanes::WIDTH_TOLERANCE;

/// How far a linked road may start from where the previous one ends, m (and rad).
pub(crate) const LINK_TOLERANCE: f64 = 1e-3;

/// One piece of the reference line.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Piece {
    /// The reference line's true arc length over the piece, m.
    length: f64,
    /// The file's `s` the piece covers (its geometries' `length`s), m: the
    /// same as `length` except for a cubic whose `length` attribute is not
    /// its arc length.
    span: f64,
    curvature: f64,
    /// A spiral's curvature at its end.
    curvature_end: Option<f64>,
    /// A `paramPoly3`'s coefficients (`u`, `v`; normalised, `p ∈ [0, 1]`).
    poly: Option<([f64; 4], [f64; 4])>,
}

impl Piece {
    /// Rate of curvature along a spiral, 1/m² (0 otherwise).
    fn rate(&self) -> f64 {
        self.curvature_end.map_or(0.0, |k1| (k1 - self.curvature) / self.length)
    }

    /// A `paramPoly3`'s cubic with its line at `t0` (`None`: not a cubic, or irregular there).
    fn cubic(&self, t0: f64) -> Option<Poly3Curve> {
        self.poly.and_then(|(u, v)| ParamPoly3 { u, v, reference_offset: -t0 }.curve())
    }

    /// Reference arc length under the first `ds` m of the file's `s` on
    /// this piece: proportional to the arc length, as esmini's `S2P` maps
    /// a cubic's `ds` (exact at both ends; the identity unless `span`
    /// differs from `length`).
    fn file_to_ref(&self, ds: f64) -> f64 {
        if self.span == self.length { ds } else { ds * self.length / self.span }
    }

    /// The file's `s` under the first `u` m of reference arc length (inverse of `file_to_ref`).
    fn ref_to_file(&self, u: f64) -> f64 {
        if self.span == self.length { u } else { u * self.span / self.length }
    }

    /// Whether the piece is a straight line.
    fn is_line(&self) -> bool {
        self.curvature == 0.0 && self.curvature_end.is_none() && self.poly.is_none()
    }

    /// Length of the line at `t0` over the first `u` m of this piece.
    fn line_len(&self, u: f64, t0: f64) -> f64 {
        if let (Some(r), Some(l)) = (self.cubic(0.0), self.cubic(t0)) {
            return l.s_at(r.p_at(u));
        }
        u - t0 * (self.curvature * u + 0.5 * self.rate() * u * u)
    }

    /// Reference length under the first `s` m of the line at `t0` (inverse of `line_len`).
    fn ref_len(&self, s: f64, t0: f64) -> f64 {
        if let (Some(r), Some(l)) = (self.cubic(0.0), self.cubic(t0)) {
            return r.s_at(l.p_at(s));
        }
        let (p, q) = (1.0 - t0 * self.curvature, t0 * self.rate());
        if q == 0.0 {
            return s / p;
        }
        2.0 * s / (p + (p * p - 2.0 * q * s).max(0.0).sqrt())
    }

    /// The piece as an engine segment of the reference line itself.
    fn reference_segment(&self) -> SegmentSpec {
        SegmentSpec {
            length: self.length,
            curvature: self.curvature,
            spiral: self.curvature_end.map(|k1| Spiral { curvature_end: k1, reference_offset: 0.0 }),
            poly3: self.poly.map(|(u, v)| ParamPoly3 { u, v, reference_offset: 0.0 }),
        }
    }
}

/// The imported road (roads linked end to end are one).
#[derive(Debug, Clone)]
pub(crate) struct Road {
    /// The OpenDRIVE road id (of the first road of a chain).
    pub id: String,
    /// Driving lanes on the right (ids -1 … -n).
    pub lanes: u32,
    /// Their width, m.
    pub lane_width: f64,
    /// Width of the non-driving lanes right of them, m.
    pub shoulder: f64,
    /// Speed limit, m/s.
    pub speed_limit: f64,
    /// Driving lanes on the left (ids 1 … m), the oncoming lanes.
    pub oncoming: u32,
    /// A sidewalk bounds the road: a kerbed edge.
    pub kerb: bool,
    /// Constant lane offset, m (+ left).
    pub offset: f64,
    /// Reference line pieces (consecutive straights merged).
    pieces: Vec<Piece>,
    /// Start of the reference line: x, y, heading.
    start: (f64, f64, f64),
    /// Every road of the chain: id and the file's `s` of its start along the chain.
    chain: Vec<(String, f64)>,
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

/// One `<road>` as read.
struct One<'a> {
    el: El<'a>,
    id: String,
    lanes: lanes::Lanes,
    offset: f64,
    speed_limit: Option<f64>,
    pieces: Vec<Piece>,
    start: (f64, f64, f64),
    /// (element, id) of the successor road, if linked.
    successor: Option<(El<'a>, String)>,
    predecessor: Option<String>,
}

/// Reads and checks the OpenDRIVE file at `path`; `roadId`s of positions
/// must name the (first) road returned.
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
    if roads.is_empty() {
        return Err(xml.err(root, "expected a `road`"));
    }
    let ones = roads.iter().map(|r| road_of(&xml, *r)).collect::<Res<Vec<_>>>()?;
    chain(&xml, ones)
}

/// Links the roads end to end: the first is the one no other road leads
/// into; each next one is its predecessor's successor, entered at its start.
fn chain(xml: &Xml<'_>, ones: Vec<One<'_>>) -> Res<Road> {
    let ids: Vec<&str> = ones.iter().map(|o| o.id.as_str()).collect();
    let heads: Vec<usize> = (0..ones.len())
        .filter(|&k| ones[k].predecessor.as_deref().is_none_or(|p| !ids.contains(&p)))
        .collect();
    let first = match heads.as_slice() {
        [one] => *one,
        _ => {
            return Err(xml.unsupported(
                ones[heads.get(1).copied().unwrap_or(0)].el,
                "roads that do not link into one chain (every road but the first must be its predecessor's successor)",
            ));
        }
    };
    let mut order = vec![first];
    while let Some((link, next)) = &ones[*order.last().expect("one road")].successor {
        let k = ids
            .iter()
            .position(|i| i == next)
            .ok_or_else(|| xml.err(*link, format!("successor road {next:?} is not in the file")))?;
        if order.contains(&k) {
            return Err(xml.unsupported(*link, "a loop of roads"));
        }
        order.push(k);
    }
    if let Some(k) = (0..ones.len()).find(|k| !order.contains(k)) {
        return Err(xml.unsupported(ones[k].el, "a road not linked into the route"));
    }
    let head = &ones[first];
    let mut pieces: Vec<Piece> = Vec::new();
    let mut chain = Vec::new();
    let mut speed_limit = head.speed_limit.or(head.lanes.speed);
    let mut s = 0.0;
    for &k in &order {
        let one = &ones[k];
        if k != first {
            if !lanes::same(&one.lanes, &head.lanes) || (one.offset - head.offset).abs() > WIDTH_TOLERANCE {
                return Err(xml.unsupported(one.el, "linked roads with different lanes"));
            }
            // It must start where the chain ends.
            let route = RoutePath::new(
                V2::new(head.start.0, head.start.1),
                head.start.2,
                &pieces.iter().map(Piece::reference_segment).collect::<Vec<_>>(),
            );
            let (end, h) = route.pose(route.length(), 0.0);
            let dh = libm::atan2(libm::sin(one.start.2 - h), libm::cos(one.start.2 - h));
            if (end - V2::new(one.start.0, one.start.1)).norm() > LINK_TOLERANCE || dh.abs() > LINK_TOLERANCE
            {
                return Err(xml.err(
                    one.el,
                    format!(
                        "starts at ({:.3}, {:.3}) heading {:.4}, but its predecessor ends at ({:.3}, {:.3}) heading {:.4}",
                        one.start.0, one.start.1, one.start.2, end.x, end.y, h
                    ),
                ));
            }
            let v = one.speed_limit.or(one.lanes.speed);
            if v.is_some() && speed_limit.is_some() && v != speed_limit {
                return Err(xml.unsupported(one.el, "linked roads with different speed limits"));
            }
            speed_limit = speed_limit.or(v);
        }
        chain.push((one.id.clone(), s));
        for p in &one.pieces {
            s += p.span;
            match pieces.last_mut() {
                Some(last) if last.is_line() && p.is_line() => {
                    last.length += p.length;
                    last.span += p.span;
                }
                _ => pieces.push(*p),
            }
        }
    }
    let speed_limit = speed_limit.ok_or_else(|| {
        xml.err(
            head.el,
            "no speed record: Gauntlet needs the road's speed limit (add \
             <type s=\"0\" type=\"motorway\"><speed max=\"…\" unit=\"km/h\"/></type>)",
        )
    })?;
    let l = &head.lanes;
    let r = Road {
        id: head.id.clone(),
        lanes: l.count,
        lane_width: l.width,
        shoulder: l.shoulder,
        speed_limit,
        oncoming: l.oncoming,
        kerb: l.kerb,
        offset: head.offset,
        pieces,
        start: head.start,
        chain,
    };
    // The line of lane 0 (and the oncoming lanes' far edge) must never
    // reach a centre of curvature of the reference line.
    let far = r.t0() + (f64::from(r.lanes + r.oncoming) - 0.5) * r.lane_width;
    for p in &r.pieces {
        if p.poly.is_some() && (p.cubic(r.t0()).is_none() || p.cubic(far).is_none()) {
            return Err(xml.unsupported(
                xml.need(head.el, "planView")?,
                "a `paramPoly3` sharper than the road is wide (a lane passes its centre of curvature)",
            ));
        }
        let range = p.cubic(0.0).map(|c| c.curvature_range());
        let cubic = range.map_or([None, None], |(lo, hi)| [Some(lo), Some(hi)]);
        for k in [Some(p.curvature), p.curvature_end, cubic[0], cubic[1]].into_iter().flatten() {
            if 1.0 - k * r.t0() <= 0.0 || 1.0 - k * far <= 0.0 {
                return Err(xml.unsupported(
                    xml.need(head.el, "planView")?,
                    "a curve sharper than the road is wide (a lane passes its centre of curvature)",
                ));
            }
        }
    }
    Ok(r)
}

fn road_of<'a>(xml: &Xml<'a>, road: El<'a>) -> Res<One<'a>> {
    if let Some(j) = xml.attr(road, "junction")?
        && j != "-1"
    {
        return Err(xml.unsupported(road, "a road inside a junction"));
    }
    let id = xml.req(road, "id")?;
    let mut speed_limit = None;
    let (mut successor, mut predecessor) = (None, None);
    for c in xml.kids(road) {
        match name(c) {
            "planView" | "lanes" => {}
            "link" => {
                xml.only(c, &["predecessor", "successor"])?;
                for l in xml.kids(c) {
                    if xml.attr(l, "elementType")?.as_deref().unwrap_or("road") != "road" {
                        return Err(xml.unsupported(l, "a road linked to a junction"));
                    }
                    let other = xml.req(l, "elementId")?;
                    let contact = xml.attr(l, "contactPoint")?;
                    let want = if name(l) == "successor" { "start" } else { "end" };
                    if contact.as_deref().is_some_and(|c| c != want) {
                        return Err(xml.unsupported(
                            l,
                            &format!(
                                "a {} linked at its {:?} (roads run on end to start)",
                                name(l),
                                contact.unwrap_or_default()
                            ),
                        ));
                    }
                    if name(l) == "successor" {
                        successor = Some((l, other));
                    } else {
                        predecessor = Some(other);
                    }
                }
            }
            "type" => {
                xml.only(c, &["speed"])?;
                if let Some(sp) = xml.child(c, "speed")? {
                    let v = xml.num(sp, "max")?;
                    let v = speed_in(xml, sp, v, xml.attr(sp, "unit")?.as_deref())?;
                    if speed_limit.is_some_and(|s| s != v) {
                        return Err(xml.unsupported(c, "a second speed record with another speed"));
                    }
                    speed_limit = Some(v);
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
    // The file's `s` along the road (lane sections and offsets are given in it).
    let length: f64 = pieces.iter().map(|p| p.span).sum();
    let lanes_el = xml.need(road, "lanes")?;
    xml.only(lanes_el, &["laneOffset", "laneSection"])?;
    let offset = lanes::lane_offset(xml, lanes_el, length)?;
    let sections = xml.all(lanes_el, "laneSection");
    if sections.is_empty() {
        return Err(xml.err(lanes_el, "expected a `laneSection`"));
    }
    let mut lanes: Option<lanes::Lanes> = None;
    for (k, sec) in sections.iter().enumerate() {
        let s0 = xml.opt_num(*sec, "s")?.unwrap_or(0.0);
        let s1 = match sections.get(k + 1) {
            Some(next) => xml.opt_num(*next, "s")?.unwrap_or(0.0),
            None => length,
        };
        let l = lanes::section(xml, *sec, (s1 - s0).max(0.0))?;
        match &lanes {
            Some(first) if !lanes::same(first, &l) => {
                return Err(xml.unsupported(
                    *sec,
                    "lane sections with different lanes (Gauntlet's lanes run the whole road)",
                ));
            }
            Some(_) => {}
            None => lanes = Some(l),
        }
    }
    let lanes = lanes.expect("a section");
    Ok(One { el: road, id, lanes, offset, speed_limit, pieces, start, successor, predecessor })
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
        let mut poly = None;
        let span = length;
        let mut length = length;
        let (curvature, curvature_end) = match name(kind) {
            "line" => (0.0, None),
            "arc" => (xml.num(kind, "curvature")?, None),
            "spiral" => {
                let (k0, k1) = (xml.num(kind, "curvStart")?, xml.num(kind, "curvEnd")?);
                (k0, (k1 != k0).then_some(k1))
            }
            "paramPoly3" => {
                let (u, v, len) = param_poly3(xml, kind, length)?;
                poly = Some((u, v));
                length = len;
                (0.0, None)
            }
            "poly3" => {
                let (u, v, len) = poly3(xml, kind, length)?;
                poly = Some((u, v));
                length = len;
                (0.0, None)
            }
            other => return Err(xml.err(kind, format!("unknown geometry `{other}`"))),
        };
        let piece = Piece { length, span, curvature, curvature_end, poly };
        match pieces.last_mut() {
            Some(last)
                if last.curvature_end.is_none()
                    && last.poly.is_none()
                    && curvature_end.is_none()
                    && poly.is_none()
                    && last.curvature == curvature =>
            {
                last.length += length;
                last.span += span;
            }
            _ => pieces.push(piece),
        }
    }
    let start = start.ok_or_else(|| xml.err(pv, "expected at least one `geometry`"))?;
    Ok((pieces, start))
}

/// A `paramPoly3`'s coefficients, normalised to `p ∈ [0, 1]`, and its
/// exact arc length. The geometry covers `p ∈ [0, length]` (`arcLength`)
/// or `[0, 1]` (`normalized`), as the standard defines `pRange`, whatever
/// the arc length over that range: when it differs from `length`, the
/// route takes the true arc length and the file's `s` maps onto it in
/// proportion (as esmini does). Refused: a cubic that does not start at
/// its geometry's `x`, `y` along `hdg` (non-zero `aU`, `aV` or `bV`), and
/// one with a cusp or too sharp for the road.
fn param_poly3(xml: &Xml<'_>, kind: El<'_>, length: f64) -> Res<([f64; 4], [f64; 4], f64)> {
    let c = |n: &str| -> Res<f64> { Ok(xml.opt_num(kind, n)?.unwrap_or(0.0)) };
    let mut u = [c("aU")?, c("bU")?, c("cU")?, c("dU")?];
    let mut v = [c("aV")?, c("bV")?, c("cV")?, c("dV")?];
    match xml.attr(kind, "pRange")?.as_deref().unwrap_or("normalized") {
        "normalized" => {}
        "arcLength" => {
            for k in 1..4 {
                let scale = length.powi(k as i32);
                u[k] *= scale;
                v[k] *= scale;
            }
        }
        other => return Err(xml.err(kind, format!("unknown `pRange` {other:?} (normalized or arcLength)"))),
    }
    if u[0].abs() > LINK_TOLERANCE
        || v[0].abs() > LINK_TOLERANCE
        || libm::atan2(v[1], u[1]).abs() > LINK_TOLERANCE
    {
        return Err(xml.unsupported(
            kind,
            "a `paramPoly3` that does not start at its geometry's x, y along hdg (aU, aV and bV must be 0)",
        ));
    }
    let pp = ParamPoly3 { u, v, reference_offset: 0.0 };
    let Some(n) = pp.normalised() else {
        return Err(xml.err(kind, "a `paramPoly3` with no start tangent (bU = bV = 0)"));
    };
    let Some(curve) = n.curve() else {
        return Err(xml.unsupported(kind, "a `paramPoly3` with a cusp (its tangent vanishes)"));
    };
    Ok((n.u, n.v, curve.length()))
}

/// How close the arc length of a deprecated `poly3` must come to its
/// geometry's `length`, m.
const POLY3_LENGTH_TOLERANCE: f64 = 1e-9;

/// A deprecated `poly3` (`v(u) = a + b·u + c·u² + d·u³`, `u` along `hdg`)
/// as a parametric cubic `U(p) = u_end·p`, `V(p) = v(u_end·p)`, normalised
/// to `p ∈ [0, 1]`, and its arc length: `u_end` is where the curve's arc
/// length from `u = 0` reaches the geometry's `length` (to
/// [`POLY3_LENGTH_TOLERANCE`]), found by Newton's method on the engine
/// cubic's own arc-length integral, kept in the bracket `[0, length]` by
/// bisection (the arc length over `[0, u]` is at least `u`, so
/// `u_end ≤ length`). Refused as a `paramPoly3` is: a curve that does not
/// start at its geometry's `x`, `y` along `hdg` (`a` or `b` not 0 within
/// [`LINK_TOLERANCE`]), or for which no `u_end` is found (non-finite
/// coefficients, or an arc length the integral cannot reach). `v` is a
/// function of `u` by construction, so the curve never turns back.
fn poly3(xml: &Xml<'_>, kind: El<'_>, length: f64) -> Res<([f64; 4], [f64; 4], f64)> {
    let c = |n: &str| -> Res<f64> { Ok(xml.opt_num(kind, n)?.unwrap_or(0.0)) };
    let k = [c("a")?, c("b")?, c("c")?, c("d")?];
    if k.iter().any(|x| !x.is_finite()) {
        return Err(xml.err(kind, "a `poly3` with a coefficient that is not a finite number"));
    }
    if k[0].abs() > LINK_TOLERANCE || k[1].abs() > LINK_TOLERANCE {
        return Err(xml.unsupported(
            kind,
            "a `poly3` that does not start at its geometry's x, y along hdg (a and b must be 0)",
        ));
    }
    // The cubic over u ∈ [0, u_end], as a parametric cubic in p = u / u_end.
    let spec = |ue: f64| {
        ParamPoly3 {
            u: [0.0, ue, 0.0, 0.0],
            v: [k[0], k[1] * ue, k[2] * ue * ue, k[3] * ue * ue * ue],
            reference_offset: 0.0,
        }
        .normalised()
    };
    let arc = |ue: f64| spec(ue).and_then(|s| s.curve()).map(|c| c.length());
    let slope = |ue: f64| {
        let dv = (3.0 * k[3] * ue + 2.0 * k[2]) * ue + k[1];
        libm::sqrt(1.0 + dv * dv)
    };
    let no_end = || {
        xml.err(
            kind,
            format!("a `poly3` whose arc length from u = 0 never reaches its geometry's `length` {length} (no end u found)"),
        )
    };
    let (mut lo, mut hi) = (0.0, length);
    let mut ue = length;
    let mut found = None;
    for _ in 0..200 {
        let g = arc(ue).ok_or_else(no_end)? - length;
        if !g.is_finite() {
            return Err(no_end());
        }
        if g.abs() <= POLY3_LENGTH_TOLERANCE {
            found = Some(ue);
            break;
        }
        if g > 0.0 {
            hi = ue;
        } else {
            lo = ue;
        }
        let mut next = ue - g / slope(ue);
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if hi - lo <= f64::EPSILON * length {
            break;
        }
        ue = next;
    }
    let ue = found.ok_or_else(no_end)?;
    let n = spec(ue).ok_or_else(no_end)?;
    let curve = n.curve().ok_or_else(no_end)?;
    Ok((n.u, n.v, curve.length()))
}

impl Road {
    /// OpenDRIVE's reference line relative to lane 0's centre.
    pub(crate) fn t0(&self) -> f64 {
        self.offset - (self.lanes as f64 - 0.5) * self.lane_width
    }

    /// The Gauntlet road: lane 0's centre line as the route.
    pub fn road_file(&self) -> RoadFile {
        let fixed = Num::Fixed;
        let layout = match self.pieces.as_slice() {
            [line] if line.is_line() => LayoutFile::Straight { length: fixed(line.length) },
            [a, arc, b]
                if [a, b].iter().all(|p| p.is_line())
                    && arc.curvature != 0.0
                    && arc.curvature_end.is_none()
                    && arc.poly.is_none() =>
            {
                let k = arc.curvature;
                LayoutFile::Curve {
                    approach: fixed(a.length),
                    radius: fixed(self.radius(k)),
                    angle_deg: fixed((arc.length * k.abs()).to_degrees()),
                    direction: if k > 0.0 { Direction::Left } else { Direction::Right },
                    exit: fixed(b.length),
                }
            }
            _ => LayoutFile::Segments {
                segments: self
                    .segments()
                    .iter()
                    .map(|s| match s.poly3 {
                        Some(pp) => SegmentFile {
                            length: fixed(s.length),
                            curvature: fixed(0.0),
                            curvature_end: None,
                            reference_offset: fixed(pp.reference_offset),
                            param_poly3: Some(Poly3File { u: pp.u.map(fixed), v: pp.v.map(fixed) }),
                        },
                        None => SegmentFile {
                            length: fixed(s.length),
                            curvature: fixed(s.curvature),
                            curvature_end: s.spiral.map(|sp| fixed(sp.curvature_end)),
                            reference_offset: fixed(s.spiral.map_or(0.0, |sp| sp.reference_offset)),
                            param_poly3: None,
                        },
                    })
                    .collect(),
            },
        };
        RoadFile {
            lanes: fixed(self.lanes as f64),
            lane_width: fixed(self.lane_width),
            speed_limit: fixed(self.speed_limit),
            layout,
            edge: if self.kerb { EdgeFile::Kerb } else { EdgeFile::Open },
            shoulder: fixed(self.shoulder),
            oncoming_lanes: fixed(self.oncoming as f64),
            lane_drop: None,
        }
    }

    /// Radius of lane 0's centre on an arc of reference curvature `k`.
    fn radius(&self, k: f64) -> f64 {
        1.0 / k.abs() - k.signum() * self.t0()
    }

    /// The route's pieces as Gauntlet builds them (lane 0's centre line).
    fn segments(&self) -> Vec<SegmentSpec> {
        let t0 = self.t0();
        self.pieces
            .iter()
            .map(|p| match p.curvature_end {
                _ if p.poly.is_some() => {
                    let (u, v) = p.poly.expect("a cubic");
                    let pp = ParamPoly3 { u, v, reference_offset: -t0 };
                    // `chain` checked that the line at t0 is regular.
                    let c = pp.curve().expect("a regular cubic");
                    SegmentSpec {
                        length: c.length(),
                        curvature: c.curvature_at(0.0),
                        spiral: None,
                        poly3: Some(pp),
                    }
                }
                Some(k1) => {
                    let k0 = p.curvature;
                    SegmentSpec {
                        length: p.line_len(p.length, t0),
                        curvature: k0 / (1.0 - k0 * t0),
                        spiral: Some(Spiral { curvature_end: k1 / (1.0 - k1 * t0), reference_offset: -t0 }),
                        poly3: None,
                    }
                }
                None if p.curvature == 0.0 => SegmentSpec::new(p.length, 0.0),
                None => {
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

    /// Route distance of the file's `s` along the chain of roads (the
    /// reference line's arc length, except along a cubic whose `length`
    /// is not its arc length: there `s` runs in proportion to it, see
    /// [`Piece::file_to_ref`]); monotone, and exact at every geometry's
    /// start and end.
    pub fn route_s(&self, s: f64) -> f64 {
        let t0 = self.t0();
        let (mut at, mut out) = (0.0, 0.0);
        for (p, seg) in self.pieces.iter().zip(self.segments()) {
            let take = (s - at).clamp(0.0, p.span);
            out += match p.curvature_end {
                Some(_) => p.line_len(take, t0),
                None if p.poly.is_some() => p.line_len(p.file_to_ref(take), t0),
                None => take * seg.length / p.length,
            };
            at += p.span;
        }
        if s > at {
            out += s - at;
        }
        out
    }

    /// Route distance of distance `s` along road `road_id`'s reference line,
    /// if the road is part of the route.
    pub fn route_s_on(&self, road_id: &str, s: f64) -> Option<f64> {
        let (_, start) = self.chain.iter().find(|(id, _)| id == road_id)?;
        Some(self.route_s(start + s))
    }

    /// The ids of the route's roads, in driving order.
    pub fn road_ids(&self) -> Vec<&str> {
        self.chain.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// The file's `s` along the chain of route distance `s` (the inverse of [`Road::route_s`]).
    pub fn ref_s(&self, s: f64) -> f64 {
        let t0 = self.t0();
        let (mut at, mut out) = (0.0, 0.0);
        for (p, seg) in self.pieces.iter().zip(self.segments()) {
            let take = (s - at).clamp(0.0, seg.length);
            out += match p.curvature_end {
                Some(_) => p.ref_len(take, t0),
                None if p.poly.is_some() => p.ref_to_file(p.ref_len(take, t0)),
                None => take * p.length / seg.length,
            };
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

    fn fixture(name: &str) -> Road {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xosc").join(name);
        load(&p).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_spiral_becomes_a_route_that_follows_the_reference_line_exactly() {
        // Line 100 m, spiral 0 → 0.01 over 60 m, arc 80 m, spiral back over 60 m, line 200 m;
        // lane 0 (OpenDRIVE lane -2) is 5.25 m right of the reference line.
        let road = fixture("spiral_road.xodr");
        let t0 = road.t0();
        assert_eq!(t0, -5.25);
        let route = RoutePath::new(V2::new(0.0, 0.0), 0.0, &road.segments());
        // The reference curvature, recovered from the route's, is linear in the reference s.
        for u in [100.0, 115.0, 130.0, 159.9] {
            let c = route.curvature_at(road.route_s(u));
            let k = c / (1.0 + c * t0);
            assert!((k - 0.01 * (u - 100.0) / 60.0).abs() < 1e-12, "u={u}: {k}");
        }
        // The reference line (at d = -t0; the route frame is the world shifted by t0 in y)
        // reaches the points mpmath integrates (the fixture's geometry records, 30 digits).
        for (u, x, y, h) in [
            (160.0, 159.4622453326616, 5.961538852573769, 0.3),
            (240.0, 219.0309606726712, 56.13557562257663, 1.1),
            (500.0, 269.00581405492954, 310.80930950178686, 1.4),
        ] {
            let (p, hp) = route.pose(road.route_s(u), -t0);
            assert!((p.x - x).abs() < 1e-9 && (p.y + t0 - y).abs() < 1e-9, "u={u}: {p:?}");
            assert!((hp - h).abs() < 1e-12);
        }
        // The centre of lane -1 at u = 130 (mpmath) lies on Gauntlet's lane 1.
        let (s, d, rel) = road.world_to_route(130.11425638168814, -0.9953817170544904, 0.075);
        assert!((s - road.route_s(130.0)).abs() < 1e-9 && (d - 3.5).abs() < 1e-9, "{s} {d}");
        assert!(rel.abs() < 1e-12);
        for u in [0.0, 120.0, 200.0, 280.0, 450.0] {
            assert!((road.ref_s(road.route_s(u)) - u).abs() < 1e-9);
        }
        assert!(
            matches!(road.road_file().layout, LayoutFile::Segments { ref segments } if segments.len() == 5)
        );
    }

    #[test]
    fn param_poly3_geometries_become_a_route_that_follows_the_reference_line_exactly() {
        // Line 100 m, an arcLength cubic of 80 m, a normalized cubic of 58.09 m, line 200 m;
        // lane 0 (OpenDRIVE lane -2) is 5.25 m right of the reference line.
        let road = fixture("poly3_road.xodr");
        let t0 = road.t0();
        assert_eq!(t0, -5.25);
        let segs = road.segments();
        assert_eq!(segs.iter().filter(|s| s.poly3.is_some()).count(), 2);
        let route = RoutePath::new(V2::new(0.0, 0.0), 0.0, &segs);
        // The reference line reaches the fixture's geometry records (the cubics' end
        // points and headings, by a 200,000-step Simpson rule in Python) within 1 mm.
        for (u, x, y, h) in [
            (180.0, 179.69246174515882, 6.3999999999999995, 0.11988541477738116),
            (238.08962667636015, 236.91736251123746, 16.31517686743166, 0.13683294458378606),
        ] {
            let (p, hp) = route.pose(road.route_s(u), -t0);
            assert!((p.x - x).abs() < 1e-3 && (p.y + t0 - y).abs() < 1e-3, "u={u}: {p:?}");
            assert!((hp - h).abs() < 1e-9, "u={u}: {hp} vs {h}");
        }
        // The arcLength cubic: reference points against the closed form at p = s·(80 / length).
        let (bu, cv, dv) = (0.9961557718144853f64, 0.0015f64, -6.25e-06f64);
        for pp in [10.0f64, 40.0, 79.0] {
            let (x, y) = (100.0 + bu * pp, cv * pp * pp + dv * pp * pp * pp);
            // Its reference s, by projecting onto the reference line itself.
            let world =
                RoutePath::new(V2::new(0.0, 0.0), 0.0, &[segs[0], Piece::reference_segment(&road.pieces[1])]);
            let foot = world.project(V2::new(x, y));
            assert!(
                foot.d.abs() < 1e-9,
                "p={pp}: the closed-form point lies on the reference line ({foot:?})"
            );
            let (p, _) = route.pose(road.route_s(foot.s), -t0);
            assert!((p.x - x).abs() < 1e-9 && (p.y + t0 - y).abs() < 1e-9, "p={pp}: {p:?} vs ({x}, {y})");
        }
        for u in [0.0, 120.0, 179.0, 200.0, 237.0, 300.0] {
            assert!((road.ref_s(road.route_s(u)) - u).abs() < 1e-9, "{u}");
        }
        let f = road.road_file();
        assert!(matches!(f.layout, LayoutFile::Segments { ref segments } if segments.len() == 4));
    }

    /// `∫ f` over `[a, b]` by a 20,000-panel Simpson rule (an independent check of the engine's quadrature).
    fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
        let n = 20_000;
        let h = (b - a) / n as f64;
        let mut sum = f(a) + f(b);
        for i in 1..n {
            sum += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        sum * h / 3.0
    }

    #[test]
    fn a_deprecated_poly3_becomes_a_cubic_of_its_length_that_follows_v_of_u() {
        // Line 100 m, poly3 v(u) = 0.0012·u² − 4e-6·u³ of length 90 m, line 200 m;
        // lane 0 (OpenDRIVE lane -2) is 5.25 m right of the reference line.
        let road = fixture("poly3_legacy.xodr");
        let t0 = road.t0();
        assert_eq!(t0, -5.25);
        let (c, d) = (0.0012f64, -4e-6f64);
        let v = |u: f64| c * u * u + d * u * u * u;
        let dv = |u: f64| 2.0 * c * u + 3.0 * d * u * u;
        let ddv = |u: f64| 2.0 * c + 6.0 * d * u;
        // The cubic's arc length from u = 0 is the geometry's `length`, so the
        // reference line is as long as the geometries together.
        let reference: Vec<SegmentSpec> = road.pieces.iter().map(Piece::reference_segment).collect();
        let reference_len: f64 = reference.iter().map(|s| s.length).sum();
        assert!((reference_len - 390.0).abs() < 1e-9, "{reference_len}");
        assert!((road.ref_s(road.route_length()) - 390.0).abs() < 1e-9);
        // The end u (mpmath: 89.69048952798789) and the end heading atan v'(u_end),
        // which lengthens lane 0 (5.25 m outside the left turn) by −t0·θ.
        let u_end = 89.690_489_527_987_89f64;
        let theta_end = libm::atan(dv(u_end));
        assert!((road.route_length() - (390.0 - t0 * theta_end)).abs() < 1e-9, "{}", road.route_length());
        let segs = road.segments();
        assert_eq!(segs.iter().filter(|s| s.poly3.is_some()).count(), 1);
        let route = RoutePath::new(V2::new(0.0, 0.0), 0.0, &segs);
        for u in [10.0, 45.0, 80.0, u_end] {
            // The reference s of u, by an independent quadrature of √(1 + v′²).
            let s = 100.0 + simpson(|x| libm::sqrt(1.0 + dv(x) * dv(x)), 0.0, u);
            let (p, h) = route.pose(road.route_s(s), -t0);
            assert!((p.x - (100.0 + u)).abs() < 1e-6 && (p.y + t0 - v(u)).abs() < 1e-6, "u={u}: {p:?}");
            assert!((h - libm::atan(dv(u))).abs() < 1e-9, "u={u}: {h}");
            // The reference curvature, recovered from lane 0's.
            let k_line = route.curvature_at(road.route_s(s));
            let k = k_line / (1.0 + k_line * t0);
            let expected = ddv(u) / (1.0 + dv(u) * dv(u)).powf(1.5);
            assert!((k - expected).abs() < 1e-9, "u={u}: {k} vs {expected}");
        }
        assert!((road.route_s(190.0) - (segs[0].length + segs[1].length)).abs() < 1e-9);
        for s in [0.0, 120.0, 150.0, 189.0, 300.0] {
            assert!((road.ref_s(road.route_s(s)) - s).abs() < 1e-9, "{s}");
        }
    }

    #[test]
    fn an_arc_length_cubic_longer_than_its_arc_maps_the_files_s_as_esmini_does() {
        // Line 100 m; an arcLength paramPoly3 U = bU·p, V = 0.001·p² − 4e-6·p³ over
        // p ∈ [0, 80] (its `length`), whose arc length is 80 / 1.02 m; line 200 m.
        let road = fixture("param_poly3_stretched.xodr");
        let t0 = road.t0();
        let (bu, cv, dv) = (0.978_571_037_201_504_4f64, 0.001f64, -4e-6f64);
        let (len, arc) = (80.0, 80.0 / 1.02);
        let speed = |p: f64| libm::sqrt(bu * bu + (2.0 * cv * p + 3.0 * dv * p * p).powi(2));
        // The route takes the cubic over p ∈ [0, 80] with its true arc length.
        let reference: Vec<SegmentSpec> = road.pieces.iter().map(Piece::reference_segment).collect();
        assert!((reference[1].length - arc).abs() < 1e-9, "{}", reference[1].length);
        assert!((simpson(speed, 0.0, len) - arc).abs() < 1e-9);
        let segs = road.segments();
        let route = RoutePath::new(V2::new(0.0, 0.0), 0.0, &segs);
        // Geometry boundaries map exactly: s = 100 to the cubic's start, the next
        // geometry's s = 180 to its end, and the line after keeps its metres.
        assert_eq!(road.route_s(100.0), 100.0);
        let end = segs[0].length + segs[1].length;
        assert!((road.route_s(180.0) - end).abs() < 1e-9, "{} vs {end}", road.route_s(180.0));
        assert!((road.route_s(330.0) - (end + 150.0)).abs() < 1e-9);
        let (p_end, h_end) = route.pose(end, -t0);
        let x_end = 100.0 + bu * len;
        let y_end = cv * len * len + dv * len * len * len;
        assert!((p_end.x - x_end).abs() < 1e-6 && (p_end.y + t0 - y_end).abs() < 1e-6, "{p_end:?}");
        assert!((h_end - 0.084_817_948_976_081_65).abs() < 1e-9);
        // Inside it, as esmini's S2P: the file's s − 100 is that share of the
        // arc length, s − 100 = 80 · arc(p) / arc(80); bisection for p here.
        for s in [110.0, 140.0, 175.0] {
            let target = (s - 100.0) * arc / len;
            let (mut lo, mut hi) = (0.0, len);
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                if simpson(speed, 0.0, mid) < target {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let p = 0.5 * (lo + hi);
            let (x, y) = (100.0 + bu * p, cv * p * p + dv * p * p * p);
            let (pt, _) = route.pose(road.route_s(s), -t0);
            assert!((pt.x - x).abs() < 1e-6 && (pt.y + t0 - y).abs() < 1e-6, "s={s}: {pt:?} vs ({x}, {y})");
        }
        // Monotone over the whole road, and ref_s inverts it.
        let mut prev = -1.0;
        for i in 0..=760 {
            let s = i as f64 * 0.5;
            let r = road.route_s(s);
            assert!(r > prev, "s={s}: {r} after {prev}");
            prev = r;
            assert!((road.ref_s(r) - s).abs() < 1e-9, "s={s}: {}", road.ref_s(r));
        }
    }

    #[test]
    fn linked_roads_make_one_route_with_oncoming_lanes_an_offset_and_a_kerb() {
        let road = fixture("linked.xodr");
        assert_eq!(road.road_ids(), ["1", "2"]);
        assert_eq!((road.lanes, road.oncoming, road.kerb), (2, 1, true));
        assert_eq!((road.lane_width, road.shoulder, road.offset), (3.5, 0.5, 0.25));
        assert!((road.speed_limit - 60.0 / 3.6).abs() < 1e-12);
        // Reference length 400 m = 200 + 200; lane 0 lies t0 = 0.25 − 1.5·3.5 = −5 m off it:
        // line 100, arc 100·(1 + 5·0.005), spiral 50 + 5·(0.005·50 − 0.0001·50²/2), line 150.
        assert_eq!(road.t0(), -5.0);
        assert!(
            (road.route_length() - (100.0 + 102.5 + 50.625 + 150.0)).abs() < 1e-9,
            "{}",
            road.route_length()
        );
        assert!((road.ref_s(road.route_length()) - 400.0).abs() < 1e-9);
        assert_eq!(road.route_s_on("2", 20.0), Some(road.route_s(220.0)));
        assert_eq!(road.route_s_on("3", 0.0), None);
        let f = road.road_file();
        assert_eq!(f.edge, EdgeFile::Kerb);
        assert!(matches!(f.oncoming_lanes, Num::Fixed(n) if n == 1.0));
        assert!(matches!(f.layout, LayoutFile::Segments { ref segments } if segments.len() == 4));
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
