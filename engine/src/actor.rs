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
}

impl ActorKind {
    /// The protocol spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Vehicle => "vehicle",
            ActorKind::Pedestrian => "pedestrian",
            ActorKind::Cyclist => "cyclist",
            ActorKind::Static => "static",
        }
    }
}
