//! Built-in adapters, selected on the command line as `builtin:NAME`.

mod reference;

pub use reference::{ReferenceAdapter, ReferenceTuning};

use crate::adapter::AutonomyAdapter;

/// Names accepted by [`builtin`].
pub const BUILTIN_NAMES: &[&str] = &["reference"];

/// A fresh instance of the built-in adapter `name`, if there is one.
pub fn builtin(name: &str) -> Option<Box<dyn AutonomyAdapter>> {
    match name {
        "reference" => Some(Box::new(ReferenceAdapter::default())),
        _ => None,
    }
}
