//! The error type: what went wrong, and where in which file.

use std::fmt;
use std::path::PathBuf;

use crate::FieldPath;

/// A place in a text file. Both numbers are 1-based; columns count characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub column: usize,
}

impl Position {
    /// The position just after `prefix`, i.e. of the character at byte offset `prefix.len()` of a
    /// text that starts with `prefix`.
    pub fn after(prefix: &str) -> Self {
        let line = 1 + prefix.matches('\n').count();
        let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
        Self { line, column: 1 + prefix[line_start..].chars().count() }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// An error in an input file: the file, where in it (when known) and what is wrong.
///
/// Displays as ``scenarios/x.ron:12:5: at `actors[2].speed`: expected a speed ≥ 0, found -3``;
/// the position and the path are left out when absent, and the path also when it is the root
/// (it would say nothing the position does not).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostic {
    /// The file, as it was named to [`SourceFile`](crate::SourceFile).
    pub file: PathBuf,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// Which value of the file, when known.
    pub path: Option<FieldPath>,
    /// What is wrong, in lowercase, without a trailing period.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic about `file` with neither position nor path.
    pub fn new(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self { file: file.into(), position: None, path: None, message: message.into() }
    }

    /// This diagnostic with `position` set.
    #[must_use]
    pub fn with_position(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }

    /// This diagnostic with `path` set.
    #[must_use]
    pub fn with_path(mut self, path: FieldPath) -> Self {
        self.path = Some(path);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(position) = self.position {
            write!(f, ":{position}")?;
        }
        match &self.path {
            Some(path) if !path.is_root() => write!(f, ": at `{path}`")?,
            _ => {}
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_everything_present() {
        let d = Diagnostic::new("scenarios/x.ron", "expected a speed ≥ 0, found -3")
            .with_position(Some(Position { line: 12, column: 5 }))
            .with_path(FieldPath::root().field("actors").index(2).field("speed"));
        assert_eq!(
            d.to_string(),
            "scenarios/x.ron:12:5: at `actors[2].speed`: expected a speed ≥ 0, found -3"
        );
    }

    #[test]
    fn omits_what_is_absent() {
        let d = Diagnostic::new("x.ron", "the file is empty");
        assert_eq!(d.to_string(), "x.ron: the file is empty");
        let d = d.with_path(FieldPath::root().field("id"));
        assert_eq!(d.to_string(), "x.ron: at `id`: the file is empty");
        let d = Diagnostic::new("x.ron", "m").with_position(Some(Position { line: 1, column: 2 }));
        assert_eq!(d.to_string(), "x.ron:1:2: m");
        let d = d.with_path(FieldPath::root());
        assert_eq!(d.to_string(), "x.ron:1:2: m");
    }

    #[test]
    fn position_after_counts_characters() {
        assert_eq!(Position::after(""), Position { line: 1, column: 1 });
        assert_eq!(Position::after("ab\ncd"), Position { line: 2, column: 3 });
        assert_eq!(Position::after("≥≥\n"), Position { line: 2, column: 1 });
        assert_eq!(Position::after("é"), Position { line: 1, column: 2 });
    }
}
