//! OpenSCENARIO 1.2 `ParameterValueDistribution` files: the scenario file
//! they name and the list of parameter sets to run it with, in a fixed
//! order — a sweep.
//!
//! **Deterministic**: every combination (cartesian product) of the
//! distributions in document order, the first varying slowest:
//! `DistributionSet` (its `Element` values), `DistributionRange` (lower
//! limit, then each `stepWidth` up to the upper limit inclusive, as
//! `lower + k·step`), and `ValueSetDistribution` (each `ParameterValueSet`
//! assigns several parameters together).
//!
//! **Stochastic**: `numberOfTestRuns` runs; in run k each parameter takes
//! the k-th draw of its own ChaCha8 stream, keyed by `randomSeed` (0 when
//! absent) and the parameter's name (blake3 key derivation, like every
//! Gauntlet stream), so adding a parameter never changes another's values.
//! `UniformDistribution` draws uniformly in `[lower, upper)` (53 random
//! bits); `NormalDistribution` draws `expectedValue + √variance · z` (z by
//! Box–Muller with `libm`), redrawn until inside its `Range` when it has
//! one. The same file gives the same runs on every machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use super::error::XoscError;
use super::xml::{El, Res, Xml, name, parse, read};

/// Draws a normal value may take to land inside its range.
const MAX_REDRAWS: usize = 100_000;

/// Runs a distribution may hold (a sweep beyond this is refused).
pub const MAX_RUNS: usize = 100_000;

/// A distribution file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// The scenario file it varies (its `ScenarioFile/@filepath`, relative to the distribution).
    pub scenario: PathBuf,
    /// One parameter set per run: name → value as text.
    pub runs: Vec<BTreeMap<String, String>>,
}

/// Whether the `.xosc` file at `path` holds a `ParameterValueDistribution`.
pub fn is_distribution(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    let Ok(doc) = roxmltree::Document::parse(&text) else { return false };
    doc.root_element()
        .children()
        .any(|c| c.is_element() && c.tag_name().name() == "ParameterValueDistribution")
}

/// Reads the distribution file at `path`.
pub fn read_distribution(path: &Path) -> Result<Distribution, XoscError> {
    let text = read(path)?;
    let doc = parse(path, &text)?;
    let xml = Xml::new(path, &doc);
    let root = doc.root_element();
    if name(root) != "OpenSCENARIO" {
        return Err(xml.err(root, "expected an OpenSCENARIO document"));
    }
    xml.only(root, &["FileHeader", "ParameterValueDistribution"])?;
    let header = xml.need(root, "FileHeader")?;
    let (major, minor) = (xml.num(header, "revMajor")?, xml.num(header, "revMinor")?);
    if major != 1.0 || !(0.0..=2.0).contains(&minor) {
        return Err(xml.unsupported(header, &format!("OpenSCENARIO {major}.{minor} (1.0–1.2 are)")));
    }
    let dist = xml.need(root, "ParameterValueDistribution")?;
    xml.only(dist, &["ScenarioFile", "Deterministic", "Stochastic"])?;
    let file = xml.need(dist, "ScenarioFile")?;
    let scenario = path.parent().unwrap_or(Path::new("")).join(xml.req(file, "filepath")?);
    let declared = declared_parameters(&scenario).map_err(|e| match e {
        XoscError::Read { message, .. } => xml.err(file, format!("cannot read the scenario file: {message}")),
        other => other,
    })?;
    let check = |node: El<'_>, param: &str| -> Res<()> {
        if declared.iter().any(|d| d == param) {
            Ok(())
        } else {
            Err(xml.err(
                node,
                format!("the scenario file declares no parameter {param:?} (declared: {declared:?})"),
            ))
        }
    };
    let runs = match (xml.child(dist, "Deterministic")?, xml.child(dist, "Stochastic")?) {
        (Some(d), None) => deterministic(&xml, d, &check)?,
        (None, Some(s)) => stochastic(&xml, s, &check)?,
        (Some(_), Some(s)) => {
            return Err(xml.err(s, "a distribution is `Deterministic` or `Stochastic`, not both"));
        }
        (None, None) => return Err(xml.err(dist, "expected `Deterministic` or `Stochastic`")),
    };
    Ok(Distribution { scenario, runs })
}

/// Every run of the distribution at `path`, imported: scenario id
/// `xosc.<distribution stem>.<run>` (runs numbered from 0, zero-padded),
/// the title naming the run's parameter values.
pub fn imports(path: &Path) -> Result<Vec<super::Imported>, XoscError> {
    let dist = read_distribution(path)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let width = (dist.runs.len().max(1) - 1).to_string().len();
    let mut out = Vec::with_capacity(dist.runs.len());
    for (k, run) in dist.runs.iter().enumerate() {
        let mut imported = super::import_with(&dist.scenario, None, run)?;
        let values: Vec<String> = run.iter().map(|(p, v)| format!("{p}={v}")).collect();
        let file = &mut imported.file;
        file.id = format!("xosc.{stem}.{k:0width$}");
        file.title = format!("{} [{}]", file.title, values.join(", "));
        file.description = format!(
            "Run {k} of {} runs of the parameter distribution {}. {}",
            dist.runs.len(),
            path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            file.description
        );
        out.push(imported);
    }
    Ok(out)
}

/// The names of the scenario file's top-level parameters.
fn declared_parameters(scenario: &Path) -> Res<Vec<String>> {
    let text = read(scenario)?;
    let doc = parse(scenario, &text)?;
    let xml = Xml::new(scenario, &doc);
    let Some(decls) = xml.child(doc.root_element(), "ParameterDeclarations")? else { return Ok(Vec::new()) };
    xml.all(decls, "ParameterDeclaration").into_iter().map(|p| xml.req(p, "name")).collect()
}

/// A number attribute as the parameter value's text.
fn value_text(v: f64) -> String {
    format!("{v}")
}

fn deterministic(
    xml: &Xml<'_>,
    node: El<'_>,
    check: &dyn Fn(El<'_>, &str) -> Res<()>,
) -> Res<Vec<BTreeMap<String, String>>> {
    xml.only(node, &["DeterministicSingleParameterDistribution", "DeterministicMultiParameterDistribution"])?;
    // Each factor: the parameter sets it offers.
    let mut factors: Vec<Vec<BTreeMap<String, String>>> = Vec::new();
    for d in xml.kids(node) {
        let sets = if name(d) == "DeterministicSingleParameterDistribution" {
            let param = xml.req(d, "parameterName")?;
            check(d, &param)?;
            let kind = xml.single(d)?;
            let values: Vec<String> = match name(kind) {
                "DistributionSet" => {
                    xml.only(kind, &["Element"])?;
                    let v: Vec<String> = xml
                        .all(kind, "Element")
                        .into_iter()
                        .map(|e| xml.req(e, "value"))
                        .collect::<Res<_>>()?;
                    if v.is_empty() {
                        return Err(xml.err(kind, "expected at least one `Element`"));
                    }
                    v
                }
                "DistributionRange" => {
                    let step = xml.num(kind, "stepWidth")?;
                    let range = xml.need(kind, "Range")?;
                    xml.only(kind, &["Range"])?;
                    let (lo, hi) = (xml.num(range, "lowerLimit")?, xml.num(range, "upperLimit")?);
                    if step <= 0.0 || hi < lo {
                        return Err(xml.err(
                            kind,
                            format!(
                                "needs stepWidth > 0 and lowerLimit ≤ upperLimit (found {step}, {lo}, {hi})"
                            ),
                        ));
                    }
                    let n = libm::floor((hi - lo) / step + 1e-9) as usize + 1;
                    if n > MAX_RUNS {
                        return Err(xml.err(kind, format!("gives {n} values (at most {MAX_RUNS})")));
                    }
                    (0..n).map(|k| value_text(lo + k as f64 * step)).collect()
                }
                other => return Err(xml.unsupported(kind, &format!("`{other}`"))),
            };
            values.into_iter().map(|v| BTreeMap::from([(param.clone(), v)])).collect()
        } else {
            let vs = xml.single(d)?;
            if name(vs) != "ValueSetDistribution" {
                return Err(xml.unsupported(vs, &format!("`{}`", name(vs))));
            }
            xml.only(vs, &["ParameterValueSet"])?;
            let mut sets = Vec::new();
            for set in xml.all(vs, "ParameterValueSet") {
                xml.only(set, &["ParameterAssignment"])?;
                let mut one = BTreeMap::new();
                for a in xml.all(set, "ParameterAssignment") {
                    let param = xml.req(a, "parameterRef")?;
                    check(a, &param)?;
                    if one.insert(param.clone(), xml.req(a, "value")?).is_some() {
                        return Err(xml.err(a, format!("parameter {param:?} is assigned twice in one set")));
                    }
                }
                sets.push(one);
            }
            if sets.is_empty() {
                return Err(xml.err(vs, "expected at least one `ParameterValueSet`"));
            }
            sets
        };
        factors.push(sets);
    }
    let mut runs = vec![BTreeMap::new()];
    for (factor, node) in factors.iter().zip(xml.kids(node)) {
        if runs.len() * factor.len() > MAX_RUNS {
            return Err(xml.err(node, format!("the combinations exceed {MAX_RUNS} runs")));
        }
        let mut next = Vec::with_capacity(runs.len() * factor.len());
        for run in &runs {
            for set in factor {
                let mut r: BTreeMap<String, String> = run.clone();
                for (k, v) in set {
                    if r.insert(k.clone(), v.clone()).is_some() {
                        return Err(xml.err(node, format!("parameter {k:?} is varied by two distributions")));
                    }
                }
                next.push(r);
            }
        }
        runs = next;
    }
    Ok(runs)
}

/// The stream of parameter `param` under `seed`.
fn stream(seed: u64, param: &str) -> ChaCha8Rng {
    let mut h = blake3::Hasher::new_derive_key("gauntlet xosc parameter distribution v1");
    h.update(&seed.to_le_bytes());
    h.update(param.as_bytes());
    ChaCha8Rng::from_seed(*h.finalize().as_bytes())
}

/// Uniform in [0, 1) with 53 random bits.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Standard normal (Box–Muller, one value per pair of draws).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - uniform(rng);
    let u2 = uniform(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

fn stochastic(
    xml: &Xml<'_>,
    node: El<'_>,
    check: &dyn Fn(El<'_>, &str) -> Res<()>,
) -> Res<Vec<BTreeMap<String, String>>> {
    xml.only(node, &["StochasticDistribution"])?;
    let n = xml.num(node, "numberOfTestRuns")?;
    if !(n >= 1.0 && n == libm::trunc(n) && n <= MAX_RUNS as f64) {
        return Err(
            xml.err(node, format!("`numberOfTestRuns` must be a whole number in 1 … {MAX_RUNS}, found {n}"))
        );
    }
    let seed = match xml.opt_num(node, "randomSeed")? {
        None => 0,
        Some(s) if s >= 0.0 && s == libm::trunc(s) && s < u64::MAX as f64 => s as u64,
        Some(s) => return Err(xml.err(node, format!("`randomSeed` must be a whole number ≥ 0, found {s}"))),
    };
    let mut runs = vec![BTreeMap::new(); n as usize];
    for d in xml.all(node, "StochasticDistribution") {
        let param = xml.req(d, "parameterName")?;
        check(d, &param)?;
        if runs[0].contains_key(&param) {
            return Err(xml.err(d, format!("parameter {param:?} is varied twice")));
        }
        let kind = xml.single(d)?;
        let bounds = |range: El<'_>| -> Res<(f64, f64)> {
            let (lo, hi) = (xml.num(range, "lowerLimit")?, xml.num(range, "upperLimit")?);
            if hi < lo {
                return Err(xml.err(range, format!("lowerLimit {lo} above upperLimit {hi}")));
            }
            Ok((lo, hi))
        };
        let mut rng = stream(seed, &param);
        match name(kind) {
            "UniformDistribution" => {
                xml.only(kind, &["Range"])?;
                let (lo, hi) = bounds(xml.need(kind, "Range")?)?;
                for run in &mut runs {
                    run.insert(param.clone(), value_text(lo + (hi - lo) * uniform(&mut rng)));
                }
            }
            "NormalDistribution" => {
                xml.only(kind, &["Range"])?;
                let mean = xml.num(kind, "expectedValue")?;
                let variance = xml.num(kind, "variance")?;
                if variance < 0.0 {
                    return Err(xml.err(kind, "a negative `variance`"));
                }
                let range = xml.child(kind, "Range")?.map(bounds).transpose()?;
                let sigma = libm::sqrt(variance);
                for run in &mut runs {
                    let mut tries = 0;
                    let v = loop {
                        let v = mean + sigma * normal(&mut rng);
                        match range {
                            Some((lo, hi)) if !(lo..=hi).contains(&v) => {
                                tries += 1;
                                if tries >= MAX_REDRAWS {
                                    return Err(xml.err(
                                        kind,
                                        format!("no draw within its `Range` after {MAX_REDRAWS} tries"),
                                    ));
                                }
                            }
                            _ => break v,
                        }
                    };
                    run.insert(param.clone(), value_text(v));
                }
            }
            other => return Err(xml.unsupported(kind, &format!("`{other}`"))),
        }
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_fixed_by_seed_and_name() {
        let draw = |seed, p: &str| {
            let mut r = stream(seed, p);
            (0..4).map(|_| uniform(&mut r)).collect::<Vec<f64>>()
        };
        assert_eq!(draw(7, "Speed"), draw(7, "Speed"));
        assert_ne!(draw(7, "Speed"), draw(8, "Speed"));
        assert_ne!(draw(7, "Speed"), draw(7, "Gap"));
        assert!(draw(7, "Speed").iter().all(|u| (0.0..1.0).contains(u)));
    }

    #[test]
    fn normal_draws_have_the_standard_moments() {
        let mut r = stream(1, "z");
        let n = 20_000;
        let zs: Vec<f64> = (0..n).map(|_| normal(&mut r)).collect();
        let mean = zs.iter().sum::<f64>() / n as f64;
        let var = zs.iter().map(|z| (z - mean) * (z - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.05, "{mean} {var}");
    }
}
