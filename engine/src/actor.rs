//! Actors: the bodies that share the road with the ego.

use serde::{Deserialize, Serialize};

/// Class of a road user, as reported to adapters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    /// A car, van or truck.
    Vehicle,
    /// A person on foot.
    Pedestrian,
    /// A person on a bicycle.
    Cyclist,
    /// Anything that does not move (debris, a parked object, a cone).
    Static,
    /// A powered two-wheeler (protocol 1.3): narrow, fast, a vehicle's
    /// dynamics without lean, with its own braking limit
    /// ([`MOTORCYCLE_MAX_DECEL`]).
    Motorcycle,
    /// An animal on the road (protocol 1.3): a kinematic mover like a
    /// pedestrian, with its own sizes and a quicker gait ([`ANIMAL_MAX_ACCEL`]).
    Animal,
}

impl ActorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ActorKind; 6] = [
        ActorKind::Vehicle,
        ActorKind::Pedestrian,
        ActorKind::Cyclist,
        ActorKind::Static,
        ActorKind::Motorcycle,
        ActorKind::Animal,
    ];
}

/// Hardest braking a motorcycle delivers, m/s² (below a car's 10: one
/// wheel's share of the load and no lean, the rider's limit on a dry road).
pub const MOTORCYCLE_MAX_DECEL: f64 = 8.0;
/// Strongest acceleration of a motorcycle, m/s².
pub const MOTORCYCLE_MAX_ACCEL: f64 = 6.0;
/// Largest change of velocity per second of an animal's gait, m/s² (a deer
/// reaches 10 m/s from a stand in under 2 s, and stops as abruptly).
pub const ANIMAL_MAX_ACCEL: f64 = 6.0;

impl ActorKind {
    /// The protocol spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Vehicle => "vehicle",
            ActorKind::Pedestrian => "pedestrian",
            ActorKind::Cyclist => "cyclist",
            ActorKind::Static => "static",
            ActorKind::Motorcycle => "motorcycle",
            ActorKind::Animal => "animal",
        }
    }

    /// Default bounding box (length, width), m, of an actor of this kind:
    /// a car, a person, a bicycle, a 1 m obstacle, a motorcycle with rider
    /// (2.2 × 0.8), a deer (1.5 × 0.5).
    pub fn default_size(self) -> (f64, f64) {
        match self {
            ActorKind::Vehicle => (4.5, 1.8),
            ActorKind::Pedestrian => (0.5, 0.5),
            ActorKind::Cyclist => (1.8, 0.6),
            ActorKind::Static => (1.0, 1.0),
            ActorKind::Motorcycle => (2.2, 0.8),
            ActorKind::Animal => (1.5, 0.5),
        }
    }

    /// Whether it is driven like a car (friction-limited tyres, IDM and
    /// Stanley): vehicles and motorcycles.
    pub fn is_vehicle_like(self) -> bool {
        matches!(self, ActorKind::Vehicle | ActorKind::Motorcycle)
    }

    /// Whether it moves as a kinematic mover (pedestrians, cyclists, animals).
    pub fn is_mover(self) -> bool {
        matches!(self, ActorKind::Pedestrian | ActorKind::Cyclist | ActorKind::Animal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_the_lowercase_names() {
        for k in ActorKind::ALL {
            assert_eq!(k.as_str(), format!("{k:?}").to_lowercase());
        }
        assert!(ActorKind::Motorcycle.default_size().1 < 1.0);
        assert!(ActorKind::Motorcycle.is_vehicle_like() && ActorKind::Animal.is_mover());
    }
}
