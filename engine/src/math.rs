//! Small deterministic 2-D math. Everything that feeds the simulation goes
//! through `libm`, never the platform's libm, so results do not depend on the
//! machine (see `RUST_STACK.md`, "Determinism beyond rapier").

pub use std::f64::consts::PI;

/// A planar vector in metres (or m/s), f64.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct V2 {
    /// x component.
    pub x: f64,
    /// y component.
    pub y: f64,
}

impl V2 {
    /// A vector from components.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
    /// Unit vector at `angle` rad from +x.
    pub fn from_angle(angle: f64) -> Self {
        Self::new(cos(angle), sin(angle))
    }
    /// Dot product.
    pub fn dot(self, o: V2) -> f64 {
        self.x * o.x + self.y * o.y
    }
    /// z of the 3-D cross product.
    pub fn cross(self, o: V2) -> f64 {
        self.x * o.y - self.y * o.x
    }
    /// Euclidean norm.
    pub fn norm(self) -> f64 {
        libm::hypot(self.x, self.y)
    }
    /// The vector turned 90° to the left.
    pub fn perp(self) -> V2 {
        V2::new(-self.y, self.x)
    }
    /// Whether both components are finite.
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

impl std::ops::Add for V2 {
    type Output = V2;
    fn add(self, o: V2) -> V2 {
        V2::new(self.x + o.x, self.y + o.y)
    }
}
impl std::ops::Sub for V2 {
    type Output = V2;
    fn sub(self, o: V2) -> V2 {
        V2::new(self.x - o.x, self.y - o.y)
    }
}
impl std::ops::Mul<f64> for V2 {
    type Output = V2;
    fn mul(self, k: f64) -> V2 {
        V2::new(self.x * k, self.y * k)
    }
}
impl std::ops::Neg for V2 {
    type Output = V2;
    fn neg(self) -> V2 {
        V2::new(-self.x, -self.y)
    }
}

/// Deterministic sine.
pub fn sin(x: f64) -> f64 {
    libm::sin(x)
}
/// Deterministic cosine.
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}
/// Deterministic two-argument arctangent.
pub fn atan2(y: f64, x: f64) -> f64 {
    libm::atan2(y, x)
}
/// Deterministic arctangent.
pub fn atan(x: f64) -> f64 {
    libm::atan(x)
}
/// Deterministic tangent.
pub fn tan(x: f64) -> f64 {
    libm::tan(x)
}
/// Deterministic square root (IEEE-exact everywhere, named for symmetry).
pub fn sqrt(x: f64) -> f64 {
    libm::sqrt(x)
}

/// Wraps an angle into (-π, π].
pub fn wrap_angle(a: f64) -> f64 {
    let mut a = libm::fmod(a + PI, 2.0 * PI);
    if a < 0.0 {
        a += 2.0 * PI;
    }
    let w = a - PI;
    if w <= -PI { w + 2.0 * PI } else { w }
}

/// An oriented rectangle in the plane (a body's footprint).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obb {
    /// Centre.
    pub centre: V2,
    /// Unit vector along the length.
    pub axis: V2,
    /// Half length, m.
    pub half_length: f64,
    /// Half width, m.
    pub half_width: f64,
}

impl Obb {
    /// A rectangle from centre, heading and full dimensions.
    #[cfg(test)]
    pub fn new(centre: V2, yaw: f64, length: f64, width: f64) -> Self {
        Self { centre, axis: V2::from_angle(yaw), half_length: length * 0.5, half_width: width * 0.5 }
    }

    /// Radius of the circumscribed circle.
    pub fn radius(&self) -> f64 {
        libm::hypot(self.half_length, self.half_width)
    }

    fn corners(&self) -> [V2; 4] {
        let a = self.axis * self.half_length;
        let b = self.axis.perp() * self.half_width;
        let c = self.centre;
        [c + a + b, c + a - b, c - a - b, c - a + b]
    }

    /// Signed distance from a point to this rectangle (negative inside): the
    /// plain definition `clearance` is tested against.
    pub fn signed_distance_to_point(&self, p: V2) -> f64 {
        let rel = p - self.centre;
        let lx = rel.dot(self.axis).abs() - self.half_length;
        let ly = rel.dot(self.axis.perp()).abs() - self.half_width;
        self.outside_offset(p).norm() + lx.max(ly).min(0.0)
    }

    /// Signed clearance between two rectangles: the gap when apart, minus the
    /// smallest penetration depth along a separating axis when they overlap.
    pub fn clearance(&self, other: &Obb) -> f64 {
        // Penetration along the four candidate axes (SAT).
        let axes = [self.axis, self.axis.perp(), other.axis, other.axis.perp()];
        let d = other.centre - self.centre;
        let mut min_overlap = f64::INFINITY;
        for ax in axes {
            let ra =
                self.half_length * self.axis.dot(ax).abs() + self.half_width * self.axis.perp().dot(ax).abs();
            let rb = other.half_length * other.axis.dot(ax).abs()
                + other.half_width * other.axis.perp().dot(ax).abs();
            let overlap = ra + rb - d.dot(ax).abs();
            if overlap <= 0.0 {
                min_overlap = f64::NEG_INFINITY;
                break;
            }
            min_overlap = min_overlap.min(overlap);
        }
        if min_overlap.is_finite() {
            return -min_overlap;
        }
        // Apart: the closest pair involves a vertex of one of them, and every
        // vertex lies outside the other rectangle, so each distance is the norm
        // of its outside offset. Rank the eight offsets by their squared norms
        // and take the norm (`hypot`, as the plain vertex distance does) only of
        // those within rounding of the least: the same value as the minimum over
        // all eight norms, with one or two square roots instead of eight.
        let mut offsets = [V2::default(); 8];
        for (k, c) in self.corners().into_iter().enumerate() {
            offsets[k] = other.outside_offset(c);
        }
        for (k, c) in other.corners().into_iter().enumerate() {
            offsets[4 + k] = self.outside_offset(c);
        }
        let least = offsets.iter().map(|o| o.dot(*o)).fold(f64::INFINITY, f64::min);
        let bound = least * (1.0 + 1e-9);
        offsets.iter().filter(|o| o.dot(**o) <= bound).map(|o| o.norm()).fold(f64::INFINITY, f64::min)
    }

    /// How far `p` lies outside the rectangle along its two axes (zero along an
    /// axis where it is within the rectangle's extent).
    fn outside_offset(&self, p: V2) -> V2 {
        let rel = p - self.centre;
        let lx = rel.dot(self.axis).abs() - self.half_length;
        let ly = rel.dot(self.axis.perp()).abs() - self.half_width;
        V2::new(lx.max(0.0), ly.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_angle_range() {
        for k in -20..20 {
            let a = k as f64 * 0.7;
            let w = wrap_angle(a);
            assert!(w > -PI && w <= PI, "{a} -> {w}");
            assert!((sin(w) - sin(a)).abs() < 1e-9 && (cos(w) - cos(a)).abs() < 1e-9);
        }
        assert_eq!(wrap_angle(PI), PI);
        assert_eq!(wrap_angle(-PI), PI);
    }

    #[test]
    fn obb_clearance_apart_and_overlapping() {
        let a = Obb::new(V2::new(0.0, 0.0), 0.0, 4.0, 2.0);
        let b = Obb::new(V2::new(10.0, 0.0), 0.0, 4.0, 2.0);
        assert!((a.clearance(&b) - 6.0).abs() < 1e-12);
        let c = Obb::new(V2::new(3.0, 0.0), 0.0, 4.0, 2.0);
        assert!((a.clearance(&c) + 1.0).abs() < 1e-12);
        // Diagonal: corner (2,1) to corner (5,4) of a box rotated 0 at (7,5).
        let d = Obb::new(V2::new(7.0, 5.0), 0.0, 4.0, 2.0);
        assert!((a.clearance(&d) - libm::hypot(3.0, 3.0)).abs() < 1e-12);
        // Rotated 90°: symmetric.
        let e = Obb::new(V2::new(0.0, 5.0), std::f64::consts::FRAC_PI_2, 4.0, 2.0);
        assert!((a.clearance(&e) - 2.0).abs() < 1e-9);
        assert!((e.clearance(&a) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn clearance_of_apart_rectangles_is_bit_for_bit_the_least_vertex_distance() {
        // The square-root-saving ranking in `clearance` against the plain
        // minimum over the eight vertex distances, on 20,000 rectangle pairs.
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut apart = 0;
        for _ in 0..20_000 {
            let a = Obb::new(V2::new(0.0, 0.0), next() * 6.3, 1.0 + 5.0 * next(), 0.5 + 2.0 * next());
            let c = V2::new(40.0 * next() - 20.0, 40.0 * next() - 20.0);
            let b = Obb::new(c, next() * 6.3, 1.0 + 5.0 * next(), 0.5 + 2.0 * next());
            let got = a.clearance(&b);
            if got < 0.0 {
                continue;
            }
            apart += 1;
            let want = a
                .corners()
                .into_iter()
                .map(|p| b.signed_distance_to_point(p))
                .chain(b.corners().into_iter().map(|p| a.signed_distance_to_point(p)))
                .fold(f64::INFINITY, f64::min);
            assert_eq!(got.to_bits(), want.to_bits(), "{a:?} {b:?}");
        }
        assert!(apart > 15_000, "{apart}");
    }
}
