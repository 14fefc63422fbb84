//! Friction patches along the route: black ice on a bridge, standing water,
//! a diesel spill. Each patch sets the tyre–road friction over a stretch of
//! route distance (optionally only on some lanes); outside every patch the
//! scenario's μ holds. Every vehicle's friction circle
//! ([`crate::dynamics`]) uses the μ at its own position: its route `s` and
//! the lane of its route offset `d`, both already in the step's snapshot.
//!
//! **Order with the weather** ([`crate::conditions`]): a patch replaces the
//! road's own μ over its stretch, then rain and spray cap it as they cap
//! the road's μ everywhere (`Conditions::friction(patch μ)`): an icy patch
//! stays icy in the rain, a dry patch under rain is only as good as the wet
//! road. Where patches overlap the lowest μ holds.
//!
//! **The adapter is not told** where the patches are: black ice and a
//! diesel film are not visible, and the protocol carries no friction at
//! all. A driver learns of a patch only through what its tyres deliver
//! (the `accel` and `yaw_rate` it measures).
//!
//! The list is a small fixed array ([`MAX_PATCHES`]), looked up linearly:
//! no allocation, and a world without patches takes the exact code path
//! (and floating-point results) it took before patches existed.

/// Most patches one scenario holds.
pub const MAX_PATCHES: usize = 8;

/// One stretch of road with its own friction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Patch {
    /// Where it starts, route distance, m.
    pub from_s: f64,
    /// Where it ends, m (> `from_s`).
    pub to_s: f64,
    /// Its tyre–road friction coefficient μ (> 0).
    pub friction: f64,
    /// The lanes it covers, first and last (inclusive, as `lane_of` numbers
    /// them); `None`: the whole carriageway and beyond.
    pub lanes: Option<(u32, u32)>,
}

impl Patch {
    const NONE: Patch = Patch { from_s: 0.0, to_s: 0.0, friction: 1.0, lanes: None };

    /// Whether a point at route distance `s` in lane `lane` (-1 off the
    /// carriageway) lies on the patch.
    pub fn covers(&self, s: f64, lane: i32) -> bool {
        if s < self.from_s || s >= self.to_s {
            return false;
        }
        match self.lanes {
            None => true,
            Some((lo, hi)) => lane >= lo as i32 && lane <= hi as i32,
        }
    }
}

/// A scenario's friction patches (at most [`MAX_PATCHES`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surface {
    patches: [Patch; MAX_PATCHES],
    len: usize,
}

impl Default for Surface {
    fn default() -> Self {
        Self { patches: [Patch::NONE; MAX_PATCHES], len: 0 }
    }
}

/// Why a list of patches is not a surface.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurfaceError {
    /// More than [`MAX_PATCHES`].
    #[error("{0} friction patches: at most {MAX_PATCHES}")]
    TooMany(usize),
}

impl Surface {
    /// The surface of `patches` (their values are checked by the scenario's
    /// validation; this checks only that they fit).
    pub fn new(patches: &[Patch]) -> Result<Self, SurfaceError> {
        if patches.len() > MAX_PATCHES {
            return Err(SurfaceError::TooMany(patches.len()));
        }
        let mut out = Self::default();
        out.patches[..patches.len()].copy_from_slice(patches);
        out.len = patches.len();
        Ok(out)
    }

    /// Its patches, in the scenario's order.
    pub fn patches(&self) -> &[Patch] {
        &self.patches[..self.len]
    }

    /// Whether there is no patch.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The same patches with each μ passed through `f` (the weather's cap).
    pub fn map_friction(mut self, f: impl Fn(f64) -> f64) -> Self {
        for p in &mut self.patches[..self.len] {
            p.friction = f(p.friction);
        }
        self
    }

    /// The friction at route distance `s` in lane `lane` (-1 off the
    /// carriageway): the lowest μ of the patches covering it, else `base`.
    pub fn friction_at(&self, base: f64, s: f64, lane: i32) -> f64 {
        let mut mu = f64::INFINITY;
        for p in self.patches() {
            if p.covers(s, lane) && p.friction < mu {
                mu = p.friction;
            }
        }
        if mu.is_finite() { mu } else { base }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(from_s: f64, to_s: f64, friction: f64) -> Patch {
        Patch { from_s, to_s, friction, lanes: None }
    }

    #[test]
    fn outside_every_patch_the_road_mu_holds() {
        let s = Surface::new(&[patch(100.0, 150.0, 0.15)]).expect("fits");
        assert_eq!(s.friction_at(0.9, 99.9, 0), 0.9);
        assert_eq!(s.friction_at(0.9, 100.0, 0), 0.15);
        assert_eq!(s.friction_at(0.9, 149.9, 0), 0.15);
        assert_eq!(s.friction_at(0.9, 150.0, 0), 0.9);
        assert_eq!(Surface::default().friction_at(0.7, 120.0, 0), 0.7);
        assert!(Surface::default().is_empty());
    }

    #[test]
    fn overlapping_patches_take_the_lowest_mu() {
        let s = Surface::new(&[patch(0.0, 100.0, 0.5), patch(50.0, 80.0, 0.2), patch(60.0, 70.0, 0.4)])
            .expect("fits");
        assert_eq!(s.friction_at(0.9, 40.0, 0), 0.5);
        assert_eq!(s.friction_at(0.9, 65.0, 0), 0.2);
        assert_eq!(s.friction_at(0.9, 90.0, 0), 0.5);
    }

    #[test]
    fn a_lane_patch_covers_only_its_lanes() {
        let spill = Patch { lanes: Some((1, 2)), ..patch(0.0, 50.0, 0.25) };
        let s = Surface::new(&[spill]).expect("fits");
        assert_eq!(s.friction_at(0.9, 10.0, 0), 0.9);
        assert_eq!(s.friction_at(0.9, 10.0, 1), 0.25);
        assert_eq!(s.friction_at(0.9, 10.0, 2), 0.25);
        assert_eq!(s.friction_at(0.9, 10.0, 3), 0.9);
        assert_eq!(s.friction_at(0.9, 10.0, -1), 0.9);
    }

    #[test]
    fn the_weather_caps_the_patches() {
        let s = Surface::new(&[patch(0.0, 10.0, 0.9), patch(20.0, 30.0, 0.15)]).expect("fits");
        let wet = s.map_friction(|mu| mu.min(0.6));
        assert_eq!(wet.friction_at(0.6, 5.0, 0), 0.6);
        assert_eq!(wet.friction_at(0.6, 25.0, 0), 0.15);
    }

    #[test]
    fn at_most_max_patches() {
        let many = vec![patch(0.0, 1.0, 0.5); MAX_PATCHES + 1];
        assert_eq!(Surface::new(&many), Err(SurfaceError::TooMany(MAX_PATCHES + 1)));
        assert_eq!(Surface::new(&many[..MAX_PATCHES]).expect("fits").patches().len(), MAX_PATCHES);
    }
}
