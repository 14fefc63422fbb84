//! `gauntlet validate` and `gauntlet list`.

use std::fmt::Write as _;
use std::path::PathBuf;

use gauntlet_reports::fit;
use gauntlet_ron_source::FieldPath;
use gauntlet_scenarios::regression::is_regression_file;
use gauntlet_scenarios::{Scenario, discover_all};
use gauntlet_taxonomy::Taxonomy;

use crate::checks::{looser_criteria, requirement_checks};
use crate::error::RunnerError;
use crate::plan::SavedRegression;

/// The result of validating files.
#[derive(Debug, Clone, Default)]
pub struct ValidateReport {
    /// Files that are valid.
    pub valid: Vec<PathBuf>,
    /// Every problem, one line each (`file:line:column: at `path`: message`).
    pub problems: Vec<String>,
    /// Things worth a look that do not make a file invalid.
    pub warnings: Vec<String>,
}

/// Validates every scenario file under `paths`, and its tags and hazards
/// against `taxonomy` when given; and every regression file: that it parses,
/// that its scenario file loads, and that its instance still fits it.
pub fn validate(paths: &[PathBuf], taxonomy: Option<&Taxonomy>) -> Result<ValidateReport, RunnerError> {
    let mut report = ValidateReport::default();
    let discovered = discover_all(paths)?;
    report.warnings.extend(discovered.warnings.iter().map(ToString::to_string));
    // Scenario id → its first file: a sweep refuses two files with one id, so validate does too.
    let mut ids: std::collections::BTreeMap<String, PathBuf> = std::collections::BTreeMap::new();
    for file in discovered.files {
        if is_regression_file(&file) {
            match SavedRegression::load(&file, &[], true) {
                Ok(saved) => {
                    if saved.file_changed() {
                        report.warnings.push(format!(
                            "{}: its scenario {} changed since it was saved; it may no longer fail the same way",
                            file.display(),
                            saved.space.scenario().path().display()
                        ));
                    }
                    report.valid.push(file);
                }
                Err(e) => report.problems.extend(e.diagnostics.iter().map(|d| d.to_string())),
            }
            continue;
        }
        // One scenario, or one per run of an OpenSCENARIO parameter distribution.
        let scenarios = match Scenario::load_all(&file) {
            Ok(s) => s,
            Err(e) => {
                report.problems.extend(e.diagnostics.iter().map(|d| d.to_string()));
                continue;
            }
        };
        let mut all_ok = true;
        for scenario in scenarios {
            // What an OpenSCENARIO import ignored (visual elements).
            report.warnings.extend(scenario.notes().iter().cloned());
            let mut ok = true;
            if let Some(first) = ids.get(scenario.id()) {
                ok = false;
                report.problems.push(format!(
                    "{}: scenario id {:?} is also used by {}; scenario ids must be unique",
                    file.display(),
                    scenario.id(),
                    first.display()
                ));
            } else {
                ids.insert(scenario.id().to_owned(), file.clone());
            }
            if let Some(taxonomy) = taxonomy {
                let root = FieldPath::root();
                for problem in looser_than_requirements(&scenario, taxonomy) {
                    ok = false;
                    report.problems.push(problem);
                }
                // The requirements' formulas must compile for this scenario's step and signals.
                let world = scenario.instance(0).world;
                let checks = requirement_checks(taxonomy, scenario.hazards());
                if let Err(e) = crate::checks::missing_formulas(&world.formulas, &checks, world.dt) {
                    ok = false;
                    report.problems.push(format!("{}: {e}", file.display()));
                }
                for problem in taxonomy.check_tags(scenario.tags(), scenario.hazards()) {
                    let path = problem.path(&root.field("tags"), &root.field("hazards"));
                    let diagnostic = scenario.source().error_at(path, problem.to_string());
                    if problem.is_warning() {
                        report.warnings.push(diagnostic.to_string());
                    } else {
                        ok = false;
                        report.problems.push(diagnostic.to_string());
                    }
                }
            }
            all_ok &= ok;
        }
        if all_ok {
            report.valid.push(file);
        }
    }
    Ok(report)
}

/// The default sweep's seeds: a criterion given as a parameter is checked at
/// the values these seeds draw.
const CHECKED_SEEDS: u64 = 8;

/// The scenario's criteria that are looser than a check of a requirement of
/// a hazard it names, at any of the default sweep's seeds, as diagnostics
/// at the criterion's position.
fn looser_than_requirements(scenario: &Scenario, taxonomy: &Taxonomy) -> Vec<String> {
    let checks = requirement_checks(taxonomy, scenario.hazards());
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for seed in 0..CHECKED_SEEDS {
        let criteria = scenario.instance(seed).world.criteria;
        for looser in looser_criteria(&criteria, &checks) {
            if !seen.insert(looser.index) {
                continue;
            }
            let required: Vec<String> =
                looser.requirements.iter().map(|(id, check)| format!("{id} requires `{check}`")).collect();
            let at =
                looser.threshold.map_or_else(String::new, |t| format!(" (threshold {t} at seed {seed})"));
            // The world's criteria are the file's without its formulas.
            let index = scenario
                .file()
                .criteria
                .iter()
                .enumerate()
                .filter(|(_, c)| !matches!(c, gauntlet_scenarios::raw::CriterionFile::Formula { .. }))
                .nth(looser.index)
                .map_or(looser.index, |(i, _)| i);
            let path = FieldPath::root().field("criteria").index(index);
            let message = format!(
                "criterion `{}` is looser than the requirements of the hazards this scenario names{at}: {}; \
                 a scenario may be stricter than a requirement, never looser",
                criteria[looser.index].name(),
                required.join(", ")
            );
            out.push(scenario.source().error_at(path, message).to_string());
        }
    }
    out
}

/// One line per scenario: id, parameters, tags, title, file; then one line
/// per regression: scenario, criterion, the adapter it failed, file.
pub fn list(paths: &[PathBuf]) -> Result<String, RunnerError> {
    list_with_warnings(paths).map(|(text, _)| text)
}

/// [`list`], and what the walk of the folders passed over (symlink loops,
/// FIFOs named `*.ron`, …), one line each.
pub fn list_with_warnings(paths: &[PathBuf]) -> Result<(String, Vec<String>), RunnerError> {
    let report = list_report(paths)?;
    Ok((report.render_text(), report.warnings))
}

/// One scenario of a listing.
#[derive(Debug, Clone)]
pub struct ListedScenario {
    /// Scenario id.
    pub id: String,
    /// Number of parameters.
    pub parameters: usize,
    /// Title.
    pub title: String,
    /// The file.
    pub file: PathBuf,
    /// Tags (dimension → value).
    pub tags: std::collections::BTreeMap<String, String>,
}

/// One saved regression of a listing.
#[derive(Debug, Clone)]
pub struct ListedRegression {
    /// Scenario id.
    pub scenario: String,
    /// The criterion it violated.
    pub criterion: String,
    /// Its margin when saved.
    pub margin: f64,
    /// The adapter spec it failed against.
    pub adapter: String,
    /// The file.
    pub file: PathBuf,
}

/// What `gauntlet list` found.
#[derive(Debug, Clone, Default)]
pub struct ListReport {
    /// Saved regressions, in file order.
    pub regressions: Vec<ListedRegression>,
    /// Scenarios, in library order.
    pub scenarios: Vec<ListedScenario>,
    /// Things worth a look (skipped entries, …).
    pub warnings: Vec<String>,
}

/// Lists the scenarios and regressions under `paths`.
pub fn list_report(paths: &[PathBuf]) -> Result<ListReport, RunnerError> {
    let library = crate::plan::Library::load(paths)?;
    let warnings = library.warnings.iter().map(ToString::to_string).collect();
    let regressions = library
        .regressions
        .iter()
        .map(|r| ListedRegression {
            scenario: r.regression.scenario.clone(),
            criterion: r.regression.criterion.clone(),
            margin: r.regression.margin,
            adapter: r.regression.adapter.spec.clone(),
            file: r.path.clone(),
        })
        .collect();
    let scenarios = library
        .scenarios
        .iter()
        .map(|s| ListedScenario {
            id: s.id().to_owned(),
            parameters: s.parameters().len(),
            title: s.title().to_owned(),
            file: s.path().to_path_buf(),
            tags: s.tags().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        })
        .collect();
    Ok(ListReport { regressions, scenarios, warnings })
}

impl ListReport {
    /// One line per regression, then one per scenario.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for g in &self.regressions {
            let _ = writeln!(
                out,
                "{:<32} regression: fails {} (margin {:.3}) against {}  {}",
                fit(&g.scenario, 48),
                g.criterion,
                g.margin,
                g.adapter,
                g.file.display()
            );
        }
        for s in &self.scenarios {
            let tags: Vec<String> = s.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                out,
                "{:<32} {:>2} params  {:<60}  {}  [{}]",
                fit(&s.id, 48),
                s.parameters,
                fit(&s.title, 60),
                fit(&s.file.display().to_string(), 80),
                fit(&tags.join(" "), 120)
            );
        }
        out
    }
}
