//! Reads RON files into serde types with precise diagnostics: file, line, column and field path.
//!
//! ```
//! use gauntlet_ron_source::{FieldPath, SourceFile};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Actor {
//!     speed: f64,
//! }
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Scenario {
//!     actors: Vec<Actor>,
//! }
//!
//! let file = SourceFile::new("x.ron", "(\n  actors: [\n    (speed: 3.0),\n    (sped: 2.0),\n  ],\n)\n");
//! let error = file.parse::<Scenario>().err().unwrap();
//! assert_eq!(error.position.map(|p| p.line), Some(4));
//! assert!(error.to_string().contains("unknown field `sped` (did you mean `speed`?)"));
//!
//! // Semantic errors found after parsing point at the value too.
//! let file = SourceFile::new("x.ron", "(actors: [(speed: -3.0)])");
//! let path = FieldPath::root().field("actors").index(0).field("speed");
//! let error = file.error_at(path, "expected a speed ≥ 0, found -3");
//! assert_eq!(error.to_string(), "x.ron:1:19: at `actors[0].speed`: expected a speed ≥ 0, found -3");
//! ```
#![warn(missing_docs)]

mod diagnostic;
mod locate;
mod path;
mod scan;
mod source;
mod string_offset;
mod suggest;

pub use diagnostic::{Diagnostic, Position};
pub use path::{FieldPath, Segment};
pub use source::{RECURSION_LIMIT, SourceFile};
pub use suggest::closest_match;
