//! The `Junction` layout's parts: its arms and the names that pick them.

use serde::Deserialize;

use super::fixed;
use crate::param::Num;

/// An arm of a junction, named from the ego's approach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum ArmName {
    /// Where the ego comes from.
    Approach,
    /// On the ego's left.
    Left,
    /// Straight ahead.
    Ahead,
    /// On the ego's right.
    Right,
}

/// `left: (…)`, `ahead: (…)`, `right: (…)`: one arm besides the approach.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArmFile {
    /// Heading away from the junction relative to the ego's direction of
    /// travel, degrees (+ left; default 90 for `left`, 0 for `ahead`, -90 for `right`).
    #[serde(default)]
    pub heading_deg: Option<Num>,
    /// Lanes driven towards the junction (integer, default 1; 0: exit only).
    #[serde(default = "fixed::<1, 1>")]
    pub lanes_in: Num,
    /// Lanes driven away from the junction (integer, default 1; 0: entry only).
    #[serde(default = "fixed::<1, 1>")]
    pub lanes_out: Num,
    /// Length from the junction's mouth, m (default 100).
    #[serde(default = "fixed::<100, 1>")]
    pub length: Num,
}
