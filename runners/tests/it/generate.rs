//! Coverage-gap generation (issue 16): a planted weakness that needs both
//! values of a pair the library never exercises (`builtin:short-memory`:
//! once its slip detector reads a low-friction road it drops the track of
//! the road user it follows on the first frame that misses it, and ignores
//! it until it has seen it 5 frames in a row — harmless on dry or wet roads,
//! where the detector never fires, and on ice without dropout, where no
//! frame misses it). It passes the default library sweep; it passes the
//! generated icy-dropout scenario's dry-dropout and icy-clean variants and
//! fails the icy-dropout one (fixtures in `tests/fixtures/gapflaw/`); plain
//! fuzzing of the library finds nothing the reference driver does not fail
//! too; `fuzz --fill-gaps --against builtin:reference` finds it (failures
//! the reference does not share) only in generated icy scenarios whose
//! sensor drops detections, shrinks the first and saves it. Generated
//! files validate and carry their provenance into records.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gauntlet_engine::adapters::builtin;
use gauntlet_engine::{RunOptions, Simulation};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::mutation::FuzzSpace;

use gauntlet_reports::provenance::EvidenceSource;
use gauntlet_reports::record::{Outcome, read_records};
use gauntlet_runners::adapter::ExecOptions;
use gauntlet_runners::commands::fuzz::{Differential, FillGaps, FuzzConfig, fuzz};
use gauntlet_runners::commands::run::{RunConfig, run};
use gauntlet_runners::commands::validate::validate;
use gauntlet_runners::fuzz::{ShrinkOptions, StrategyKind};
use gauntlet_runners::generate::{GapOptions, PairOutcome, fill_gaps};
use gauntlet_scenarios::regression::{Regression, Saved};
use gauntlet_taxonomy::{Realisations, Taxonomy};

fn library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library")
}

fn taxonomy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../taxonomy/default.ron")
}

fn realisations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../taxonomy/realisations.ron")
}

/// Simulations of plain fuzzing the library is given (and misses the weakness in).
const PLAIN_BUDGET: usize = 400;
/// Simulations `fuzz --fill-gaps` is given: the gap generation's fairness runs, then the campaign.
const FILL_GAPS_BUDGET: usize = 1500;
/// Seeds each fixture variant runs over.
const VARIANT_SEEDS: u64 = 8;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gapflaw").join(name)
}

fn fuzz_config(dir: &Path, budget: usize, fill_gaps: bool) -> FuzzConfig {
    FuzzConfig {
        paths: vec![library()],
        budget,
        seed: 1,
        strategy: StrategyKind::Search,
        threads: 2,
        adapter: "builtin:short-memory".parse().expect("valid adapter spec"),
        exec: ExecOptions::default(),
        out: dir.join("fuzz.jsonl"),
        regressions: Some(dir.join("regressions")),
        taxonomy: Some(taxonomy()),
        coverage_from: None,
        shrink: ShrinkOptions { max_shrinks: Some(1), budget: 200 },
        formulas: None,
        fill_gaps: fill_gaps.then(|| FillGaps {
            out: dir.join("generated"),
            realisations: Some(realisations()),
            command: "test".into(),
        }),
        against: fill_gaps.then(|| Differential {
            adapter: "builtin:reference".parse().expect("valid adapter spec"),
            tolerance: None,
            out: None,
        }),
    }
}

#[test]
fn the_short_memory_passes_the_default_library_sweep() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = RunConfig {
        paths: vec![library()],
        seeds: 8,
        adapter: "builtin:short-memory".parse().expect("valid adapter spec"),
        ..sweep_config(&dir.path().join("records.jsonl"))
    };
    let report = run(&config).expect("the sweep runs");
    let t = &report.summary.totals;
    assert_eq!((t.fail, t.error), (0, 0), "short-memory fails the library: {t:?}");
    assert!(t.pass >= 700, "{t:?}");
}

/// `(pass, fail, error)` of `adapter` over the fixture `name`.
fn totals(name: &str, adapter: &str) -> (u64, u64, u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = RunConfig {
        paths: vec![fixture(name)],
        seeds: VARIANT_SEEDS,
        adapter: adapter.parse().expect("valid adapter spec"),
        ..sweep_config(&dir.path().join("records.jsonl"))
    };
    let t = run(&config).expect("the fixture runs").summary.totals;
    (t.pass, t.fail, t.error)
}

#[test]
fn the_short_memory_needs_ice_and_dropout_together() {
    let n = VARIANT_SEEDS;
    // The generated icy-dropout scenario at μ 0.12 and 25 % dropout: the flaw fails it, the reference does not.
    let (_, fail, error) = totals("icy_dropout.ron", "builtin:short-memory");
    assert!(fail >= 1 && error == 0, "short-memory on ice with dropout: {fail} failures, {error} errors");
    assert_eq!(
        totals("icy_dropout.ron", "builtin:reference"),
        (n, 0, 0),
        "the reference on ice with dropout"
    );
    // The same dropout on a dry road, and the same ice without dropout: it passes every seed.
    assert_eq!(totals("dry_dropout.ron", "builtin:short-memory"), (n, 0, 0), "dry with dropout");
    assert_eq!(totals("icy_clean.ron", "builtin:short-memory"), (n, 0, 0), "ice without dropout");
}

#[test]
fn plain_fuzzing_misses_the_short_memory_and_fill_gaps_finds_shrinks_and_saves_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = fuzz(&fuzz_config(dir.path(), PLAIN_BUDGET, false)).expect("plain campaign runs");
    assert_eq!(plain.campaign.simulations, PLAIN_BUDGET);
    // Whatever plain fuzzing finds, the reference driver fails too: none of it is the planted flaw.
    for f in &plain.campaign.failures {
        let scenario =
            Scenario::load(&library().join(format!("{}.ron", f.scenario))).expect("library scenario");
        let space = FuzzSpace::new(Arc::new(scenario)).expect("fuzz space");
        let world = space.instantiate(&f.original).expect("valid instance").instance(f.original.seed).world;
        let mut reference = builtin("reference").expect("the reference driver");
        let result = Simulation::run(&world, reference.as_mut(), RunOptions::default());
        assert!(
            result.verdicts.iter().any(|v| v.criterion == f.criterion && !v.passed),
            "plain fuzzing found a failure of the short memory alone: {} {}",
            f.scenario,
            f.criterion
        );
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let filled = fuzz(&fuzz_config(dir.path(), FILL_GAPS_BUDGET, true)).expect("fill-gaps campaign runs");
    let gaps = filled.gaps.as_ref().expect("gap generation ran");
    // The pair the weakness needs was uncovered and is now reached: generated for it, or held by
    // a file generated for a riskier pair first (its tags hold this pair too).
    let icy_dropout = gaps
        .pairs
        .iter()
        .find(|p| {
            let names = [(&p.a.dimension, &p.a.value), (&p.b.dimension, &p.b.value)];
            names.iter().any(|(d, v)| *d == "friction" && *v == "icy")
                && names.iter().any(|(d, v)| *d == "perception" && *v == "dropout")
        })
        .expect("icy × dropout is an uncovered pair of the library");
    assert!(
        matches!(icy_dropout.outcome, PairOutcome::Generated(_) | PairOutcome::CoveredBy(_)),
        "{:?}",
        icy_dropout.outcome
    );
    assert!(gaps.simulations + filled.campaign.simulations <= FILL_GAPS_BUDGET);

    // The differential campaign (failures the reference does not share) fails a generated icy
    // scenario with dropout, shrinks the first failure and saves it.
    let failure = filled
        .campaign
        .failures
        .iter()
        .find(|f| f.shrunk.is_some())
        .expect("fill-gaps finds a failure of the short memory alone and shrinks it");
    assert!(failure.scenario.contains(".gen_"), "{}", failure.scenario);
    let shrunk = failure.shrunk.as_ref().expect("the failure is shrunk");
    let Some(Saved::New(path)) = &shrunk.saved else {
        panic!("the shrunk failure is saved: {:?}", shrunk.saved)
    };
    let saved = Regression::load(path).expect("the regression loads");
    assert_eq!(saved.adapter.spec, "builtin:short-memory");
    let scenario = saved.scenario_file(path);
    let text = std::fs::read_to_string(&scenario).expect("the generated scenario is on disk");
    // Ice, and a sensor that drops detections: i.i.d. or bursty dropout, or a condition that adds
    // dropout (low sun's glare, night, fog, spray: README "Operating conditions").
    assert!(text.contains("\"friction\": \"icy\""), "{text}");
    let drops = ["\"dropout\"", "\"burst_dropout\"", "\"low_sun\"", "\"night\"", "\"fog\"", "\"spray\""];
    assert!(drops.iter().any(|d| text.contains(d)), "{text}");
    // And the reference driver holds the criterion on the saved instance.
    let generated_space =
        FuzzSpace::new(Arc::new(Scenario::load(&scenario).expect("generated scenario loads")))
            .expect("space");
    let world = generated_space
        .instantiate(&saved.instance)
        .expect("valid instance")
        .instance(saved.instance.seed)
        .world;
    let mut reference = builtin("reference").expect("the reference driver");
    let result = Simulation::run(&world, reference.as_mut(), RunOptions::default());
    assert!(
        result.verdicts.iter().any(|v| v.criterion == saved.criterion && v.passed),
        "the reference fails the saved instance too: {}",
        saved.criterion
    );

    // Generated files are ordinary scenario files that validate.
    let generated: Vec<PathBuf> = gaps.generated().map(|g| g.path.clone()).collect();
    let checked =
        validate(&generated, Some(&Taxonomy::load(&taxonomy()).expect("taxonomy"))).expect("validate runs");
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    assert_eq!(checked.valid.len(), generated.len());

    // Records of the generated scenarios carry their provenance.
    let records: Vec<_> = read_records(&dir.path().join("fuzz.jsonl")).map(|r| r.expect("record")).collect();
    let from_generated = records.iter().filter(|r| r.scenario.contains(".gen_")).collect::<Vec<_>>();
    assert!(!from_generated.is_empty());
    assert!(
        from_generated
            .iter()
            .all(|r| r.provenance.is_some() && EvidenceSource::of(r) == EvidenceSource::Fuzz)
    );
    assert!(records.iter().any(|r| r.outcome == Outcome::Fail && r.scenario == failure.scenario));
}

/// A two-scenario library: `generate`'s gaps are many, its output small.
fn small_library() -> Vec<Arc<Scenario>> {
    ["lead_braking.highway_dropout.ron", "following.urban_icy.ron"]
        .iter()
        .map(|f| Arc::new(Scenario::load(&library().join(f)).expect("library scenario")))
        .collect()
}

fn gap_options(out: &Path, budget: Option<usize>) -> GapOptions {
    GapOptions {
        out: out.to_path_buf(),
        budget,
        time_budget: None,
        seeds_per_file: 0,
        command: "test".into(),
    }
}

#[test]
fn gap_generation_is_deterministic_and_honours_its_budget() {
    let taxonomy = Taxonomy::load(&taxonomy()).expect("taxonomy");
    let realisations = Realisations::load(&realisations(), &taxonomy).expect("realisations");
    let library = small_library();
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let first = fill_gaps(&library, &taxonomy, &realisations, &gap_options(a.path(), None)).expect("runs");
    let second = fill_gaps(&library, &taxonomy, &realisations, &gap_options(b.path(), None)).expect("runs");
    let files = |g: &gauntlet_runners::generate::GapGeneration| -> Vec<(String, String)> {
        g.generated()
            .map(|x| {
                let text = std::fs::read_to_string(&x.path).expect("written");
                // The `file:` line names the source relative to the output folder.
                let text: String = text.lines().filter(|l| !l.trim_start().starts_with("file:")).collect();
                (x.id.clone(), text)
            })
            .collect()
    };
    assert!(!files(&first).is_empty());
    assert_eq!(files(&first), files(&second));
    assert_eq!(first.simulations, second.simulations);
    // The icy following realises dropout for friction icy × perception dropout.
    assert!(
        first.generated().any(|g| g.id == "following.urban_icy.gen_perception_dropout"),
        "{}",
        first.render()
    );
    // Pairs no transform reaches say why.
    assert!(
        first.pairs.iter().any(
            |p| matches!(&p.outcome, PairOutcome::NeedsHandWritten(why) if why.contains("not realisable"))
        )
    );

    // A budget of a few simulations keeps the riskiest pairs and leaves the rest.
    let c = tempfile::tempdir().expect("dir");
    let capped =
        fill_gaps(&library, &taxonomy, &realisations, &gap_options(c.path(), Some(3))).expect("runs");
    assert!(capped.generated().count() <= 3);
    assert!(capped.pairs.iter().any(|p| matches!(p.outcome, PairOutcome::OverBudget)));
    // Riskiest first: what the budget allowed is the start of what no budget gives.
    let ids = |g: &gauntlet_runners::generate::GapGeneration| {
        g.generated().map(|x| x.id.clone()).collect::<Vec<_>>()
    };
    let (all, some) = (ids(&first), ids(&capped));
    assert_eq!(&all[..some.len()], &some[..]);
}

/// A two-thread sweep into `out` with the default taxonomy, without triage
/// (callers set paths, seeds and adapter).
fn sweep_config(out: &std::path::Path) -> RunConfig {
    RunConfig { threads: 2, taxonomy: Some(taxonomy()), triage: false, ..crate::support::fixture_sweep(out) }
}
