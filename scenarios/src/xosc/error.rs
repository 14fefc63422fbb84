//! The import's error: file, line, column and the element's path.

use std::path::PathBuf;

use gauntlet_ron_source::{Diagnostic, Position};

/// Why an OpenSCENARIO or OpenDRIVE file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XoscError {
    /// The file cannot be read.
    #[error("{}: cannot read: {message}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error, in words.
        message: String,
    },
    /// The file is not well-formed XML.
    #[error("{}:{line}:{column}: not well-formed XML: {message}", file.display())]
    Xml {
        /// The file.
        file: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// An element that is invalid or outside the supported subset.
    #[error("{}:{line}:{column}: {element}: {message}", file.display())]
    At {
        /// The file.
        file: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// The element's path, e.g. `OpenSCENARIO/Storyboard/Story[1]/Act[1]`.
        element: String,
        /// What is wrong.
        message: String,
    },
}

impl XoscError {
    /// The same problem as a scenario diagnostic (for `validate` and the loaders).
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            XoscError::Read { file, message } => Diagnostic::new(file, format!("cannot read: {message}")),
            XoscError::Xml { file, line, column, message } => {
                Diagnostic::new(file, format!("not well-formed XML: {message}"))
                    .with_position(Some(Position { line: *line, column: *column }))
            }
            XoscError::At { file, line, column, element, message } => {
                Diagnostic::new(file, format!("{element}: {message}"))
                    .with_position(Some(Position { line: *line, column: *column }))
            }
        }
    }
}
