//! Every artefact of the fixture sweep against its golden file, computed
//! from records in two different orders.

use std::collections::BTreeMap;

use gauntlet_reports::markdown::MarkdownOptions;
use gauntlet_reports::{
    BaselineDiff, DiffOptions, GateConfig, GateInputs, MergeOptions, RecordWriter, RunRecord, Totals, diff,
    evaluate, merge, render_gate, render_junit, render_markdown, render_summary, summarize,
};

use crate::support::{check_golden, fixture, nights, records};

/// Tonight's records as written (completion order) and reversed.
fn both_orders() -> [Vec<RunRecord>; 2] {
    let (_, new) = nights();
    let mut reversed = new.clone();
    reversed.reverse();
    [new, reversed]
}

fn baseline_diff(new: &[RunRecord]) -> BaselineDiff {
    let (old, _) = nights();
    diff(&old, new, &DiffOptions::default())
}

fn gate_inputs<'a>(new: &[RunRecord], diff: &'a BaselineDiff) -> GateInputs<'a> {
    GateInputs {
        totals: Totals::from_records(new),
        diff: Some(diff),
        top_risk_coverage: Some(0.75),
        risk_classes: BTreeMap::from([
            ("cut_in.highway".to_owned(), "C".to_owned()),
            ("lane_keep.curve".to_owned(), "B".to_owned()),
            ("pedestrian.zebra".to_owned(), "D".to_owned()),
        ]),
        ..GateInputs::default()
    }
}

#[test]
fn summary() {
    for new in both_orders() {
        check_golden("summary.txt", &render_summary(&summarize(&new)));
    }
}

#[test]
fn junit() {
    for new in both_orders() {
        check_golden("junit.xml", &render_junit("gauntlet", &new).unwrap());
    }
}

#[test]
fn baseline_diff_json() {
    for new in both_orders() {
        let d = baseline_diff(&new);
        // The fixture sweep has one job of every class.
        let c = d.counts;
        assert_eq!(
            [c.regressions, c.fixed, c.still_failing, c.flaky, c.margin_regressions, c.new_jobs, c.removed],
            [1, 1, 1, 1, 1, 2, 1]
        );
        check_golden("diff.json", &(serde_json::to_string_pretty(&d).unwrap() + "\n"));
    }
}

#[test]
fn gate() {
    let config = GateConfig::load(fixture("gate/gauntlet.toml")).unwrap();
    for new in both_orders() {
        let d = baseline_diff(&new);
        check_golden("gate.txt", &render_gate(&evaluate(&config, &gate_inputs(&new, &d))));
    }
}

#[test]
fn markdown() {
    let config = GateConfig::load(fixture("gate/gauntlet.toml")).unwrap();
    let extra = [("Top-risk coverage gaps".to_owned(), "- H-004 at night: untested\n".to_owned())];
    let options = MarkdownOptions { max_items: 3, ..MarkdownOptions::default() };
    for new in both_orders() {
        let d = baseline_diff(&new);
        let checks = evaluate(&config, &gate_inputs(&new, &d));
        check_golden("summary.md", &render_markdown(&new, &checks, Some(&d), &extra, &options));
    }
}

#[test]
fn merged_shards() {
    let shards = || [records("shard_a.jsonl"), records("shard_b.jsonl")];
    let mut outputs = Vec::new();
    for streams in [shards(), {
        let [a, b] = shards();
        [b, a]
    }] {
        let out = merge(streams, &MergeOptions::default()).unwrap();
        assert_eq!((out.stats.read, out.stats.written, out.stats.duplicates), (10, 9, 1));
        assert!(out.conflicts.is_empty());
        let mut w = RecordWriter::new(Vec::new());
        for r in &out.records {
            w.write(r).unwrap();
        }
        let text = String::from_utf8(w.into_inner()).unwrap();
        check_golden("merged.jsonl", &text);
        outputs.push(text);
    }
    // The merged shards are tonight's records, sorted.
    let (_, mut new) = nights();
    new.sort_by_key(RunRecord::key);
    let merged: Vec<RunRecord> = outputs[0].lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(merged, new);
}
