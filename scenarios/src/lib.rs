//! Scenario files: the RON schema, validation with precise errors,
//! parameter spaces, and the expansion of (scenario file, seed) into one
//! concrete [`gauntlet_engine::WorldSpec`].
//!
//! ```
//! use gauntlet_ron_source::SourceFile;
//! use gauntlet_scenarios::Scenario;
//!
//! let text = r#"Scenario(
//!     id: "doc.straight", title: "Empty straight road",
//!     duration: 10.0,
//!     road: (lanes: 2, speed_limit: 25.0, layout: Straight(length: 400.0)),
//!     ego: (speed: Range(min: 15.0, max: 25.0, nominal: 20.0), goal: (s: 150.0)),
//!     criteria: [NoCollision, ReachGoal(within: 10.0)],
//! )"#;
//! let scenario = Scenario::from_source(SourceFile::new("doc.ron", text)).unwrap();
//! assert_eq!(scenario.instance(0).world.ego.speed, 20.0); // seed 0 is nominal
//! assert_eq!(scenario.instance(7), scenario.instance(7)); // deterministic
//! ```
#![warn(missing_docs)]

pub mod boundary;
pub mod conditions;
pub mod control_loss;
mod error;
pub mod lane_drop;
pub mod mutation;
mod param;
pub mod raw;
pub mod regression;
mod resolve;
mod scenario;
mod start;
pub mod traffic;
pub mod xosc;

pub use error::ScenarioError;
pub use param::Num;
pub use resolve::{MAX_ACTORS, MAX_DURATION, Parameter};
pub use scenario::{DiscoverWarning, Discovered, Instance, Scenario, discover, discover_all};
pub use start::CHECKED_SEEDS;
