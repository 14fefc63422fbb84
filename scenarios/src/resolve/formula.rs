//! Formula criteria of a scenario file: names checked, formulas parsed and
//! compiled for the scenario's step; an error inside a formula keeps its
//! byte offset so the loader can point at the very character.

use gauntlet_engine::{CRITERION_NAMES, FormulaSpec};
use gauntlet_ron_source::FieldPath;

use super::{Accepts, Walk};
use crate::raw::CriterionFile;

impl Walk<'_> {
    /// The `Formula(…)` entries of `criteria`, compiled for steps of `dt` s.
    pub(crate) fn formulas(&mut self, p: &FieldPath, list: &[CriterionFile], dt: f64) -> Vec<FormulaSpec> {
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let CriterionFile::Formula { name, stl, unit, scale } = c else { continue };
            let cp = p.index(i);
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.error(
                    &cp.field("name"),
                    format!("expected a name of letters, digits and `_`, found {name:?}"),
                );
            } else if CRITERION_NAMES.contains(&name.as_str()) {
                self.error(
                    &cp.field("name"),
                    format!("`{name}` is a built-in criterion's name; choose another"),
                );
            }
            let scale = self.num(&cp.field("scale"), scale, Accepts::positive(1e6, "a scale"));
            match FormulaSpec::new(name, stl, dt, unit, scale) {
                Ok(f) => out.push(f),
                Err(e) => self.formula_errors.push((cp.field("stl"), e.offset(), e.message().to_owned())),
            }
        }
        out
    }
}

impl Walk<'_> {
    /// Whether the walk found any problem.
    pub(crate) fn failed(&self) -> bool {
        !self.errors.is_empty() || !self.formula_errors.is_empty()
    }

    /// Every problem as a diagnostic of `source`: field errors at their
    /// value, formula errors at their character inside the string.
    pub(crate) fn diagnostics(
        self,
        source: &gauntlet_ron_source::SourceFile,
    ) -> Vec<gauntlet_ron_source::Diagnostic> {
        let fields = self.errors.into_iter().map(|(path, msg)| source.error_at(path, msg));
        let formulas = self
            .formula_errors
            .into_iter()
            .map(|(path, offset, msg)| source.error_in_string(path, offset, msg));
        fields.chain(formulas).collect()
    }
}
