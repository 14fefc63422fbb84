//! Self-contained HTML: the dashboard of a sweep and the replay viewer of
//! one job.
//!
//! Both pages are single files with inline CSS, SVG and (small,
//! dependency-free) JavaScript: no network, no CDN, no external fonts, so
//! they can be archived as CI artefacts and opened anywhere. Both are
//! deterministic: the same input gives the same bytes (no clock is read;
//! maps iterate in key order; numbers have fixed decimals).
//!
//! Every string that comes from a scenario, record, taxonomy or trace is
//! escaped, in text and in attributes; data embedded for the scripts is one
//! JSON blob in which `<`, `>` and `&` are written as `\u003c`, `\u003e`
//! and `\u0026`, so it cannot close its `<script>` element. The markup is
//! also well-formed XML.
//!
//! - [`render_dashboard`] takes a [`DashboardInput`]: the records, the
//!   taxonomy and its coverage, the gate checks, the baseline diff, the
//!   [`HistoryPoint`]s of earlier sweeps, and a [`TraceView`] for each
//!   failing job the runner re-ran;
//! - [`render_replay`] takes one record and its [`TraceView`].

mod chart;
mod dashboard;
mod escape;
mod format;
mod input;
mod page;
mod replay;
mod scene;

pub use dashboard::render_dashboard;
pub use escape::escape;
pub use input::{BodyInfo, DashboardInput, FrameView, HistoryPoint, RoadView, TraceView};
pub use replay::render_replay;
