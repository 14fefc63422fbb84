//! Raw taxonomy file → validated [`Taxonomy`], with a located diagnostic for the first problem.

use std::collections::{BTreeMap, BTreeSet};

use gauntlet_ron_source::{Diagnostic, FieldPath, SourceFile, closest_match};

use crate::Check;
use crate::model::EvidencePolicy;
use crate::raw::{CellFile, TaxonomyFile};
use crate::{
    Cell, Dimension, DimensionValue, Exclusion, Hazard, Rationale, Requirement, Taxonomy,
    TriggeringCondition, asil,
};

pub(crate) fn validate(source: &SourceFile, file: TaxonomyFile) -> Result<Taxonomy, Diagnostic> {
    let v = Validator { source };
    let root = FieldPath::root();
    let retired = v.retired(&root, &file.retired)?;
    let dimensions = v.dimensions(&root, file.dimensions)?;
    let exclusions = v.exclusions(&root, &dimensions, file.exclusions)?;
    let hazards = v.hazards(&root, &dimensions, &exclusions, &retired, file.hazards)?;
    let requirements = v.requirements(&root, &hazards, &retired, file.requirements)?;
    let evidence = v.evidence(&root, file.evidence)?;
    let triggering_conditions =
        v.triggering_conditions(&root, &dimensions, &hazards, &retired, file.triggering_conditions)?;
    Ok(Taxonomy {
        dimensions,
        exclusions,
        hazards,
        requirements,
        evidence,
        retired: file.retired,
        triggering_conditions,
    })
}

struct Validator<'a> {
    source: &'a SourceFile,
}

/// "unknown {what} (did you mean `x`?); expected one of `a`, `b`" for a name not among `candidates`.
fn unknown(what: &str, name: &str, candidates: &[&str]) -> String {
    let mut message = format!("unknown {what}");
    if let Some(best) = suggest(name, candidates.iter().copied()) {
        message.push_str(&format!(" (did you mean `{best}`?)"));
    }
    let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    message.push_str(&format!("; expected one of {}", list.join(", ")));
    message
}

pub(crate) fn is_snake_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The closest candidate to a misspelt name. A well-formed numbered id (`H-003`) is never a
/// typo of its neighbour `H-001`, only a missing entry, so it gets no suggestion.
pub(crate) fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if is_numbered_id(name, "H") || is_numbered_id(name, "SR") || is_numbered_id(name, "TC") {
        return None;
    }
    closest_match(name, candidates)
}

/// `PREFIX-` and at least three digits: `H-001`, `SR-012`.
pub(crate) fn is_numbered_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|digits| digits.len() >= 3 && digits.chars().all(|c| c.is_ascii_digit()))
}

impl Validator<'_> {
    fn error(&self, path: FieldPath, message: impl Into<String>) -> Diagnostic {
        self.source.error_at(path, message)
    }

    /// " (first defined at line N)" for a duplicate whose original is at `first`.
    fn first_defined(&self, first: &FieldPath) -> String {
        self.source.locate(first).map(|p| format!(" (first defined at line {})", p.line)).unwrap_or_default()
    }

    fn non_empty(&self, path: FieldPath, text: &str, what: &str) -> Result<(), Diagnostic> {
        if text.trim().is_empty() { Err(self.error(path, format!("the {what} is empty"))) } else { Ok(()) }
    }

    fn retired(&self, root: &FieldPath, retired: &[String]) -> Result<BTreeSet<String>, Diagnostic> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, id) in retired.iter().enumerate() {
            let path = root.field("retired").index(i);
            if !is_numbered_id(id, "H") && !is_numbered_id(id, "SR") && !is_numbered_id(id, "TC") {
                return Err(self.error(
                    path,
                    format!(
                        "retired id `{id}` is neither a hazard id (`H-001`), a requirement id (`SR-001`) \
                         nor a triggering-condition id (`TC-001`)"
                    ),
                ));
            }
            if let Some(&first) = seen.get(id.as_str()) {
                let first = self.first_defined(&root.field("retired").index(first));
                return Err(self.error(path, format!("`{id}` is retired twice{first}")));
            }
            seen.insert(id, i);
        }
        Ok(retired.iter().cloned().collect())
    }

    fn dimensions(
        &self,
        root: &FieldPath,
        raw: Vec<crate::raw::DimensionFile>,
    ) -> Result<Vec<Dimension>, Diagnostic> {
        if raw.is_empty() {
            return Err(self.error(root.field("dimensions"), "the taxonomy declares no dimension"));
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut dimensions = Vec::with_capacity(raw.len());
        for (i, d) in raw.into_iter().enumerate() {
            let path = root.field("dimensions").index(i);
            if !is_snake_id(&d.id) {
                return Err(self.error(
                    path.field("id"),
                    format!("dimension id `{}` must be lowercase snake_case, like `ego_speed`", d.id),
                ));
            }
            if let Some(&first) = seen.get(&d.id) {
                let first = self.first_defined(&root.field("dimensions").index(first).field("id"));
                return Err(self.error(path.field("id"), format!("duplicate dimension id `{}`{first}", d.id)));
            }
            seen.insert(d.id.clone(), i);
            self.non_empty(path.field("title"), &d.title, "title")?;
            if d.values.is_empty() {
                return Err(self.error(path.field("values"), format!("dimension `{}` has no values", d.id)));
            }
            let mut value_seen: BTreeMap<&str, usize> = BTreeMap::new();
            for (j, value) in d.values.iter().enumerate() {
                let vpath = path.field("values").index(j);
                if !is_snake_id(&value.id) {
                    return Err(self.error(
                        vpath.field("id"),
                        format!("value id `{}` must be lowercase snake_case, like `lead_braking`", value.id),
                    ));
                }
                if let Some(&first) = value_seen.get(value.id.as_str()) {
                    let first = self.first_defined(&path.field("values").index(first).field("id"));
                    return Err(self.error(
                        vpath.field("id"),
                        format!("duplicate value `{}` in dimension `{}`{first}", value.id, d.id),
                    ));
                }
                value_seen.insert(&value.id, j);
                self.non_empty(vpath.field("title"), &value.title, "title")?;
            }
            let values = d.values.into_iter().map(|v| DimensionValue { id: v.id, title: v.title }).collect();
            dimensions.push(Dimension { id: d.id, title: d.title, values });
        }
        Ok(dimensions)
    }

    /// Resolves a cell as written against the dimensions.
    fn cell(&self, path: &FieldPath, dimensions: &[Dimension], raw: &CellFile) -> Result<Cell, Diagnostic> {
        let dimension_ids: Vec<&str> = dimensions.iter().map(|d| d.id.as_str()).collect();
        let mut constraints = BTreeMap::new();
        for (dimension_id, values) in raw {
            let dpath = path.field(dimension_id);
            let Some(dimension) = dimensions.iter().find(|d| &d.id == dimension_id) else {
                return Err(self.error(
                    dpath,
                    unknown(&format!("dimension `{dimension_id}`"), dimension_id, &dimension_ids),
                ));
            };
            if values.is_empty() {
                return Err(self.error(dpath, format!("no values listed for dimension `{dimension_id}` (leave the dimension out to allow any value)")));
            }
            let value_ids: Vec<&str> = dimension.values.iter().map(|v| v.id.as_str()).collect();
            let mut set = BTreeSet::new();
            for (k, value) in values.iter().enumerate() {
                if dimension.value(value).is_none() {
                    return Err(self.error(
                        dpath.index(k),
                        unknown(&format!("value `{value}` of dimension `{dimension_id}`"), value, &value_ids),
                    ));
                }
                if !set.insert(value.clone()) {
                    return Err(self.error(dpath.index(k), format!("value `{value}` is listed twice")));
                }
            }
            constraints.insert(dimension_id.clone(), set);
        }
        Ok(Cell { constraints })
    }

    fn exclusions(
        &self,
        root: &FieldPath,
        dimensions: &[Dimension],
        raw: Vec<crate::raw::ExclusionFile>,
    ) -> Result<Vec<Exclusion>, Diagnostic> {
        let mut exclusions = Vec::with_capacity(raw.len());
        for (i, x) in raw.into_iter().enumerate() {
            let path = root.field("exclusions").index(i);
            let when = self.cell(&path.field("when"), dimensions, &x.when)?;
            if when.constraints.len() < 2 {
                return Err(self.error(
                    path.field("when"),
                    "an exclusion must constrain at least two dimensions (a value that can never occur should not be declared)",
                ));
            }
            self.non_empty(path.field("reason"), &x.reason, "reason")?;
            exclusions.push(Exclusion { when, reason: x.reason });
        }
        Ok(exclusions)
    }

    fn hazards(
        &self,
        root: &FieldPath,
        dimensions: &[Dimension],
        exclusions: &[Exclusion],
        retired: &BTreeSet<String>,
        raw: Vec<crate::raw::HazardFile>,
    ) -> Result<Vec<Hazard>, Diagnostic> {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut hazards = Vec::with_capacity(raw.len());
        for (i, h) in raw.into_iter().enumerate() {
            let path = root.field("hazards").index(i);
            if !is_numbered_id(&h.id, "H") {
                return Err(
                    self.error(path.field("id"), format!("hazard id `{}` must look like `H-001`", h.id))
                );
            }
            if let Some(&first) = seen.get(&h.id) {
                let first = self.first_defined(&root.field("hazards").index(first).field("id"));
                return Err(self.error(path.field("id"), format!("duplicate hazard id `{}`{first}", h.id)));
            }
            if retired.contains(&h.id) {
                return Err(self.error(
                    path.field("id"),
                    format!("hazard id `{}` is retired and must not be reused; take a new id", h.id),
                ));
            }
            seen.insert(h.id.clone(), i);
            self.non_empty(path.field("title"), &h.title, "title")?;
            if h.cells.is_empty() {
                return Err(self.error(
                    path.field("cells"),
                    format!(
                        "hazard `{}` lists no cells (write `cells: [{{}}]` if it can arise anywhere)",
                        h.id
                    ),
                ));
            }
            let rationale = self.rationale(&path.field("rationale"), &h.id, h.rationale)?;
            let mut cells = Vec::with_capacity(h.cells.len());
            for (j, raw_cell) in h.cells.iter().enumerate() {
                let cpath = path.field("cells").index(j);
                let cell = self.cell(&cpath, dimensions, raw_cell)?;
                if let Some(x) = exclusions.iter().find(|x| lies_within(&cell, &x.when)) {
                    return Err(self.error(
                        cpath,
                        format!("this cell lies wholly inside an exclusion ({}), so the hazard could never arise there", x.reason),
                    ));
                }
                cells.push(cell);
            }
            hazards.push(Hazard {
                asil: asil(h.severity, h.exposure, h.controllability),
                id: h.id,
                title: h.title,
                severity: h.severity,
                exposure: h.exposure,
                controllability: h.controllability,
                rationale: rationale.joined(),
                rationale_by_rating: rationale,
                cells,
            });
        }
        if hazards.is_empty() {
            return Err(self.error(root.field("hazards"), "the taxonomy declares no hazard"));
        }
        Ok(hazards)
    }

    fn evidence(
        &self,
        root: &FieldPath,
        raw: Option<crate::raw::EvidenceFile>,
    ) -> Result<EvidencePolicy, Diagnostic> {
        let Some(raw) = raw else { return Ok(EvidencePolicy::default()) };
        let path = root.field("evidence");
        let m = raw.min_passing_runs;
        let runs = [m.qm, m.a, m.b, m.c, m.d];
        if runs.windows(2).any(|w| w[0] > w[1]) {
            return Err(self.error(
                path.field("min_passing_runs"),
                "a riskier class must not need fewer passing runs than a less risky one",
            ));
        }
        if !(raw.max_violation_rate > 0.0 && raw.max_violation_rate < 1.0) {
            return Err(self.error(
                path.field("max_violation_rate"),
                format!("expected a rate strictly between 0 and 1, found {}", raw.max_violation_rate),
            ));
        }
        Ok(EvidencePolicy { min_passing_runs: runs, max_violation_rate: raw.max_violation_rate })
    }

    fn requirements(
        &self,
        root: &FieldPath,
        hazards: &[Hazard],
        retired: &BTreeSet<String>,
        raw: Vec<crate::raw::RequirementFile>,
    ) -> Result<Vec<Requirement>, Diagnostic> {
        let hazard_ids: Vec<&str> = hazards.iter().map(|h| h.id.as_str()).collect();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut requirements = Vec::with_capacity(raw.len());
        for (i, r) in raw.into_iter().enumerate() {
            let path = root.field("requirements").index(i);
            if !is_numbered_id(&r.id, "SR") {
                return Err(self
                    .error(path.field("id"), format!("requirement id `{}` must look like `SR-001`", r.id)));
            }
            if let Some(&first) = seen.get(&r.id) {
                let first = self.first_defined(&root.field("requirements").index(first).field("id"));
                return Err(
                    self.error(path.field("id"), format!("duplicate requirement id `{}`{first}", r.id))
                );
            }
            if retired.contains(&r.id) {
                return Err(self.error(
                    path.field("id"),
                    format!("requirement id `{}` is retired and must not be reused; take a new id", r.id),
                ));
            }
            seen.insert(r.id.clone(), i);
            self.non_empty(path.field("text"), &r.text, "text")?;
            if r.hazards.is_empty() {
                return Err(
                    self.error(path.field("hazards"), format!("requirement `{}` mitigates no hazard", r.id))
                );
            }
            for (j, hazard) in r.hazards.iter().enumerate() {
                if retired.contains(hazard) {
                    return Err(self.error(
                        path.field("hazards").index(j),
                        format!("hazard `{hazard}` is retired and can no longer be referenced"),
                    ));
                }
                if !hazard_ids.contains(&hazard.as_str()) {
                    return Err(self.error(
                        path.field("hazards").index(j),
                        unknown(&format!("hazard `{hazard}`"), hazard, &hazard_ids),
                    ));
                }
                if r.hazards[..j].contains(hazard) {
                    return Err(self.error(
                        path.field("hazards").index(j),
                        format!("hazard `{hazard}` is listed twice"),
                    ));
                }
            }
            if r.criteria.is_some() {
                return Err(self.error(
                    path.field("criteria"),
                    format!(
                        "requirement `{}` names bare criteria; requirements now state checks with their \
                         thresholds, e.g. `checks: [NoCollision, MinTtc(min: 2.0)]`",
                        r.id
                    ),
                ));
            }
            if r.checks.is_empty() {
                return Err(
                    self.error(path.field("checks"), format!("requirement `{}` states no check", r.id))
                );
            }
            for (j, check) in r.checks.iter().enumerate() {
                if let Some(x) = check.threshold()
                    && (!x.is_finite() || x < 0.0)
                {
                    return Err(self.error(
                        path.field("checks").index(j),
                        format!("the threshold of `{check}` must be a finite number ≥ 0"),
                    ));
                }
                if let Check::Formula { stl, .. } = check
                    && let Err(e) = gauntlet_stl::parse(stl)
                {
                    return Err(self.source.error_in_string(
                        path.field("checks").index(j).field("stl"),
                        e.offset,
                        e.message,
                    ));
                }
                if r.checks[..j].iter().any(|c| c.criterion() == check.criterion()) {
                    return Err(self.error(
                        path.field("checks").index(j),
                        format!("criterion `{}` is checked twice", check.criterion()),
                    ));
                }
            }
            requirements.push(Requirement { id: r.id, text: r.text, hazards: r.hazards, checks: r.checks });
        }
        if requirements.is_empty() {
            return Err(self.error(root.field("requirements"), "the taxonomy declares no requirement"));
        }
        Ok(requirements)
    }
}

impl Validator<'_> {
    /// The rationale of hazard `id`: each of the three reasons written.
    fn rationale(
        &self,
        path: &FieldPath,
        id: &str,
        raw: crate::raw::RationaleFile,
    ) -> Result<Rationale, Diagnostic> {
        for (field, text) in [
            ("severity", &raw.severity),
            ("exposure", &raw.exposure),
            ("controllability", &raw.controllability),
        ] {
            if text.trim().is_empty() {
                return Err(self.error(
                    path.field(field),
                    format!("hazard `{id}` gives no reason for its {field} rating"),
                ));
            }
        }
        Ok(Rationale { severity: raw.severity, exposure: raw.exposure, controllability: raw.controllability })
    }

    fn triggering_conditions(
        &self,
        root: &FieldPath,
        dimensions: &[Dimension],
        hazards: &[Hazard],
        retired: &BTreeSet<String>,
        raw: Vec<crate::raw::TriggeringConditionFile>,
    ) -> Result<Vec<TriggeringCondition>, Diagnostic> {
        let hazard_ids: Vec<&str> = hazards.iter().map(|h| h.id.as_str()).collect();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut out = Vec::with_capacity(raw.len());
        for (i, t) in raw.into_iter().enumerate() {
            let path = root.field("triggering_conditions").index(i);
            if !is_numbered_id(&t.id, "TC") {
                return Err(self.error(
                    path.field("id"),
                    format!("triggering-condition id `{}` must look like `TC-001`", t.id),
                ));
            }
            if let Some(&first) = seen.get(&t.id) {
                let first = self.first_defined(&root.field("triggering_conditions").index(first).field("id"));
                return Err(self.error(
                    path.field("id"),
                    format!("duplicate triggering-condition id `{}`{first}", t.id),
                ));
            }
            if retired.contains(&t.id) {
                return Err(self.error(
                    path.field("id"),
                    format!(
                        "triggering-condition id `{}` is retired and must not be reused; take a new id",
                        t.id
                    ),
                ));
            }
            seen.insert(t.id.clone(), i);
            self.non_empty(path.field("title"), &t.title, "title")?;
            if t.expressed_by.is_empty() {
                return Err(self.error(
                    path.field("expressed_by"),
                    format!("triggering condition `{}` names no dimension values that express it", t.id),
                ));
            }
            let mut cells = Vec::with_capacity(t.expressed_by.len());
            for (j, raw_cell) in t.expressed_by.iter().enumerate() {
                let cpath = path.field("expressed_by").index(j);
                let cell = self.cell(&cpath, dimensions, raw_cell)?;
                if cell.constraints.is_empty() {
                    return Err(self.error(
                        cpath,
                        "a condition expressed everywhere (`{}`) is not a condition: name the values that express it",
                    ));
                }
                cells.push(cell);
            }
            if t.hazards.is_empty() {
                return Err(self.error(
                    path.field("hazards"),
                    format!("triggering condition `{}` leads to no hazard", t.id),
                ));
            }
            for (j, hazard) in t.hazards.iter().enumerate() {
                let hpath = path.field("hazards").index(j);
                if retired.contains(hazard) {
                    return Err(self.error(
                        hpath,
                        format!("hazard `{hazard}` is retired and can no longer be referenced"),
                    ));
                }
                let Some(h) = hazards.iter().find(|h| &h.id == hazard) else {
                    return Err(
                        self.error(hpath, unknown(&format!("hazard `{hazard}`"), hazard, &hazard_ids))
                    );
                };
                if t.hazards[..j].contains(hazard) {
                    return Err(self.error(hpath, format!("hazard `{hazard}` is listed twice")));
                }
                if !h.cells.iter().any(|hc| cells.iter().any(|tc| overlap(hc, tc))) {
                    return Err(self.error(
                        hpath,
                        format!(
                            "hazard `{hazard}` cannot arise under this condition: none of its cells meets a cell of `expressed_by`"
                        ),
                    ));
                }
            }
            out.push(TriggeringCondition {
                id: t.id,
                title: t.title,
                expressed_by: cells,
                hazards: t.hazards,
                note: t.note,
            });
        }
        Ok(out)
    }
}

/// Whether some situation lies in both cells: every dimension both constrain has a value both
/// allow.
fn overlap(a: &Cell, b: &Cell) -> bool {
    a.constraints.iter().all(|(d, va)| b.constraints.get(d).is_none_or(|vb| !va.is_disjoint(vb)))
}

/// Whether every situation in `cell` is also in `exclusion`: each dimension the exclusion
/// constrains is constrained by the cell to a subset of the excluded values.
fn lies_within(cell: &Cell, exclusion: &Cell) -> bool {
    exclusion
        .constraints
        .iter()
        .all(|(d, excluded)| cell.constraints.get(d).is_some_and(|allowed| allowed.is_subset(excluded)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shapes() {
        assert!(is_snake_id("ego_speed") && is_snake_id("a1") && !is_snake_id("Road") && !is_snake_id("1a"));
        assert!(!is_snake_id("") && !is_snake_id("cut-in"));
        assert!(is_numbered_id("H-001", "H") && is_numbered_id("SR-1234", "SR"));
        assert!(
            !is_numbered_id("H-01", "H") && !is_numbered_id("H001", "H") && !is_numbered_id("SR-001", "H")
        );
        assert!(!is_numbered_id("H-00a", "H"));
    }

    #[test]
    fn lies_within_needs_every_excluded_dimension_narrowed() {
        let cell = |pairs: &[(&str, &[&str])]| Cell {
            constraints: pairs
                .iter()
                .map(|(d, vs)| (d.to_string(), vs.iter().map(|v| v.to_string()).collect()))
                .collect(),
        };
        let exclusion = cell(&[("road", &["crosswalk"]), ("event", &["curve"])]);
        assert!(lies_within(
            &cell(&[("road", &["crosswalk"]), ("event", &["curve"]), ("actor", &["cyclist"])]),
            &exclusion
        ));
        assert!(!lies_within(&cell(&[("road", &["crosswalk"])]), &exclusion));
        assert!(!lies_within(&cell(&[("road", &["crosswalk", "urban"]), ("event", &["curve"])]), &exclusion));
    }
}
