//! Scenario errors: one or more diagnostics, each with file, line, column
//! and field path where known.

use gauntlet_ron_source::Diagnostic;

/// A scenario that cannot be used, and every reason why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl ScenarioError {
    /// An error with one diagnostic.
    pub fn single(d: Diagnostic) -> Self {
        Self { diagnostics: vec![d] }
    }
}

impl From<Diagnostic> for ScenarioError {
    fn from(d: Diagnostic) -> Self {
        Self::single(d)
    }
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}
