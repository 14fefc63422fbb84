//! OpenDRIVE `lanes`: lane sections, lane types on both sides, polynomial
//! widths and lane offsets, mapped onto Gauntlet's carriageway (one lane
//! width, `lanes` driving lanes right of the reference line, oncoming lanes
//! left of it, one shoulder, an open or kerbed edge).
//!
//! What maps to what:
//! - `driving` lanes right of the centre line (-1, -2, … innermost first)
//!   are the route's lanes; `driving` lanes left of it (1, 2, …) are the
//!   oncoming lanes (`road.oncoming_lanes`).
//! - `shoulder`, `border`, `none`, `curb`, `stop` and `restricted` lanes
//!   outside the driving lanes widen the shoulder (both sides must agree
//!   when the road has oncoming lanes).
//! - A `sidewalk` makes the edge a kerb at its inner side (`edge: Kerb`);
//!   lanes beyond it are outside the road.
//! - Every other lane type is refused.
//! - A width `a + b·ds + c·ds² + d·ds³` (and a `laneOffset`) must stay
//!   within [`WIDTH_TOLERANCE`] of its value at the start over the whole
//!   road: Gauntlet's lanes have one width and the route one offset, so a
//!   width that varies more is refused, never averaged.

use super::super::xml::{El, Res, Xml, name};
use super::speed_in;

/// How far a lane width or lane offset may vary along the road, m.
pub(crate) const WIDTH_TOLERANCE: f64 = 0.01;

/// Non-driving lane types that widen the shoulder.
const SHOULDER_TYPES: [&str; 6] = ["shoulder", "border", "none", "curb", "stop", "restricted"];

/// A carriageway read from one lane section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lanes {
    /// Driving lanes right of the centre line.
    pub count: u32,
    /// Their width (and the oncoming lanes'), m.
    pub width: f64,
    /// Non-driving width outside the outer driving lane, m.
    pub shoulder: f64,
    /// Driving lanes left of the centre line.
    pub oncoming: u32,
    /// A sidewalk bounds the road (a kerb).
    pub kerb: bool,
    /// Speed limit of the lanes, if they give one, m/s.
    pub speed: Option<f64>,
}

/// The value and the largest deviation from `a` of `a + b·x + c·x² + d·x³`
/// over `x ∈ [0, len]` (the ends and the interior extremes).
fn poly_spread(a: f64, b: f64, c: f64, d: f64, len: f64) -> f64 {
    let f = |x: f64| a + x * (b + x * (c + x * d));
    let mut xs = vec![0.0, len];
    // f'(x) = b + 2c·x + 3d·x².
    if d != 0.0 {
        let disc = 4.0 * c * c - 12.0 * d * b;
        if disc >= 0.0 {
            let r = disc.sqrt();
            xs.extend([(-2.0 * c + r) / (6.0 * d), (-2.0 * c - r) / (6.0 * d)]);
        }
    } else if c != 0.0 {
        xs.push(-b / (2.0 * c));
    }
    xs.iter().filter(|x| (0.0..=len).contains(*x)).map(|&x| (f(x) - a).abs()).fold(0.0, f64::max)
}

/// Checks that the `a, b, c, d` records `rows` (each with its `sOffset`
/// attribute `start`) keep one value over `[0, len]`; returns it.
fn constant_poly(xml: &Xml<'_>, rows: &[El<'_>], start: &str, len: f64, what: &str) -> Res<Option<f64>> {
    let mut value: Option<f64> = None;
    for (k, r) in rows.iter().enumerate() {
        let s0 = xml.opt_num(*r, start)?.unwrap_or(0.0);
        let s1 = match rows.get(k + 1) {
            Some(next) => xml.opt_num(*next, start)?.unwrap_or(0.0),
            None => len,
        };
        let c = |n: &str| -> Res<f64> { Ok(xml.opt_num(*r, n)?.unwrap_or(0.0)) };
        let (a, b, cc, d) = (c("a")?, c("b")?, c("c")?, c("d")?);
        let spread = poly_spread(a, b, cc, d, (s1 - s0).max(0.0));
        let off = value.map_or(0.0, |v| (a - v).abs());
        if spread > WIDTH_TOLERANCE || off > WIDTH_TOLERANCE {
            return Err(xml.unsupported(
                *r,
                &format!(
                    "{what} that varies along the road by {:.3} m (more than {WIDTH_TOLERANCE} m: \
                     Gauntlet's lanes keep one width and one offset)",
                    spread.max(off)
                ),
            ));
        }
        value.get_or_insert(a);
    }
    Ok(value)
}

/// The constant lane offset of `lanes` over a road `len` m long (0 without records).
pub(crate) fn lane_offset(xml: &Xml<'_>, lanes: El<'_>, len: f64) -> Res<f64> {
    let rows = xml.all(lanes, "laneOffset");
    Ok(constant_poly(xml, &rows, "s", len, "a `laneOffset`")?.unwrap_or(0.0))
}

/// One side's lanes, innermost first: (id, element).
fn side<'a>(xml: &Xml<'a>, node: El<'a>, sign: i64) -> Res<Vec<(i64, El<'a>)>> {
    xml.only(node, &["lane"])?;
    let mut rows = Vec::new();
    for lane in xml.all(node, "lane") {
        let id: i64 = xml.req(lane, "id")?.parse().map_err(|_| xml.err(lane, "`id` must be an integer"))?;
        rows.push((id, lane));
    }
    rows.sort_by_key(|(id, _)| id * sign);
    for (k, (id, lane)) in rows.iter().enumerate() {
        if *id != sign * (k as i64 + 1) {
            let first = if sign < 0 { "-1, -2" } else { "1, 2" };
            return Err(xml.err(*lane, format!("lanes must be numbered {first}, …; found {id}")));
        }
    }
    Ok(rows)
}

/// One side of a section: driving lanes, their width, the shoulder outside, a kerb.
struct Side {
    driving: u32,
    width: Option<f64>,
    shoulder: f64,
    kerb: bool,
    speed: Option<f64>,
}

fn read_side(xml: &Xml<'_>, rows: &[(i64, El<'_>)], len: f64) -> Res<Side> {
    let mut out = Side { driving: 0, width: None, shoulder: 0.0, kerb: false, speed: None };
    let mut outside = false;
    for (_, lane) in rows {
        let ty = xml.req(*lane, "type")?;
        let mut widths = Vec::new();
        for c in xml.kids(*lane) {
            match name(c) {
                "link" | "roadMark" | "userData" => {}
                "material" => xml.note(c, "lane material (friction comes from the scenario's RoadCondition)"),
                "width" => widths.push(c),
                "speed" => {
                    let v = xml.num(c, "max")?;
                    let v = speed_in(xml, c, v, xml.attr(c, "unit")?.as_deref())?;
                    if out.speed.is_some_and(|s| s != v) {
                        return Err(xml.unsupported(c, "lanes with different speed limits"));
                    }
                    out.speed = Some(v);
                }
                "border" => return Err(xml.unsupported(c, "lane `border` records (give lane widths)")),
                other => return Err(xml.unsupported(c, &format!("lane `{other}`"))),
            }
        }
        if out.kerb {
            xml.note(*lane, "a lane beyond the sidewalk (outside Gauntlet's road)");
            continue;
        }
        let w = constant_poly(xml, &widths, "sOffset", len, "a lane width")?
            .ok_or_else(|| xml.err(*lane, "expected a `width`"))?;
        match ty.as_str() {
            "driving" => {
                if outside {
                    return Err(xml.unsupported(*lane, "a driving lane outside a non-driving one"));
                }
                if out.width.is_some_and(|x| (x - w).abs() > WIDTH_TOLERANCE) {
                    return Err(xml.unsupported(*lane, "driving lanes of different widths"));
                }
                out.width.get_or_insert(w);
                out.driving += 1;
            }
            "sidewalk" => out.kerb = true,
            t if SHOULDER_TYPES.contains(&t) => {
                outside = true;
                out.shoulder += w;
            }
            other => {
                return Err(xml.unsupported(
                    *lane,
                    &format!("lane type {other:?} (driving, shoulder, border, none, curb, stop, restricted and sidewalk are)"),
                ));
            }
        }
    }
    Ok(out)
}

/// Reads one lane section `len` m long.
pub(crate) fn section(xml: &Xml<'_>, section: El<'_>, len: f64) -> Res<Lanes> {
    xml.only(section, &["left", "center", "right"])?;
    let right_el = xml.need(section, "right")?;
    let right = read_side(xml, &side(xml, right_el, -1)?, len)?;
    let width =
        right.width.ok_or_else(|| xml.err(right_el, "expected at least one driving lane on the right"))?;
    let (mut oncoming, mut shoulder, mut kerb, mut speed) = (0, right.shoulder, right.kerb, right.speed);
    if let Some(left_el) = xml.child(section, "left")? {
        let rows = side(xml, left_el, 1)?;
        let left = read_side(xml, &rows, len)?;
        if left.driving == 0 {
            for (_, lane) in &rows {
                xml.note(
                    *lane,
                    "a non-driving lane left of the centre line (outside Gauntlet's carriageway)",
                );
            }
        } else {
            if left.width.is_some_and(|w| (w - width).abs() > WIDTH_TOLERANCE) {
                return Err(
                    xml.unsupported(rows[0].1, "oncoming lanes of another width than the right lanes")
                );
            }
            if (left.shoulder - shoulder).abs() > WIDTH_TOLERANCE || left.kerb != kerb {
                return Err(xml.unsupported(
                    left_el,
                    "different shoulders or edges on the two sides (Gauntlet's road has one shoulder and one edge)",
                ));
            }
            if left.speed.is_some_and(|v| speed.is_some_and(|s| s != v)) {
                return Err(xml.unsupported(left_el, "lanes with different speed limits"));
            }
            oncoming = left.driving;
            shoulder = shoulder.min(left.shoulder);
            kerb = kerb || left.kerb;
            speed = speed.or(left.speed);
        }
    }
    Ok(Lanes { count: right.driving, width, shoulder, oncoming, kerb, speed })
}

/// Whether two sections describe the same carriageway (within the tolerance).
pub(crate) fn same(a: &Lanes, b: &Lanes) -> bool {
    a.count == b.count
        && a.oncoming == b.oncoming
        && a.kerb == b.kerb
        && (a.width - b.width).abs() <= WIDTH_TOLERANCE
        && (a.shoulder - b.shoulder).abs() <= WIDTH_TOLERANCE
        && a.speed == b.speed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cubic_spreads_by_its_interior_extreme() {
        // 3.5 + 0.03x − 0.001x²: top at x = 15, +0.225.
        assert!((poly_spread(3.5, 0.03, -0.001, 0.0, 20.0) - 0.225).abs() < 1e-12);
        assert!((poly_spread(3.5, 0.0, 0.0, 1e-6, 10.0) - 1e-3).abs() < 1e-15);
        assert_eq!(poly_spread(3.5, 0.0, 0.0, 0.0, 100.0), 0.0);
    }
}
