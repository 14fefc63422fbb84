//! A release's evidence, tied together: the traceability matrix, the hazard
//! log, the assurance case (Goal Structuring Notation) and the manifest of an
//! evidence pack.
//!
//! Everything here is a pure function of the taxonomy, its
//! [`CoverageReport`](gauntlet_taxonomy::CoverageReport) and the records:
//! every status shown (hazard status, trace status of a requirement for a
//! hazard) is the coverage report's own figure, so the matrix, the hazard
//! log, the case and `gauntlet coverage` cannot disagree. The runner
//! (`gauntlet evidence`) reads and writes the files.
//!
//! - [`EvidenceIndex`]: which jobs evidence each requirement for each hazard
//!   in each scenario, their worst margin, and the triage of failing jobs;
//! - [`matrix`]: the traceability matrix (CSV for Jama, Polarion or DOORS,
//!   and Markdown);
//! - [`hazard_log`]: the hazard log (Markdown and CSV);
//! - [`case`]: the assurance case, rendered by [`render_case_markdown`] and
//!   [`render_case_html`] (a self-contained page with the GSN graph as
//!   inline SVG);
//! - [`manifest`]: the pack's manifest, which hashes every file.

pub mod case;
mod case_html;
mod case_markdown;
mod csv;
pub mod hazard_log;
mod index;
pub mod manifest;
pub mod matrix;

pub use case::{
    AssuranceCase, CaseInput, CaseSummary, GsnNode, NodeKind, NodeLink, NodeStatus, assurance_case,
};
pub use case_html::render_case_html;
pub use case_markdown::render_case_markdown;
pub use hazard_log::{HazardLogEntry, hazard_log, render_hazard_log_csv, render_hazard_log_markdown};
pub use index::{CellEvidence, EvidenceIndex, MarginEvidence};
pub use manifest::{
    EngineBuild, FileEntry, FileKind, MANIFEST_FORMAT, MANIFEST_NAME, Manifest, manifest_digest,
};
pub use matrix::{MatrixRow, render_matrix_csv, render_matrix_markdown, traceability_matrix};
