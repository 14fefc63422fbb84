//! Running genomes through the sweep machinery: each genome becomes a
//! concrete scenario and a job, and [`execute`] runs them on the worker
//! pool and hands their records back in order, whatever the thread count.

use std::convert::Infallible;
use std::sync::Arc;

use gauntlet_reports::record::{AdapterRef, JobKind, ParamValue, RunRecord};
use gauntlet_scenarios::mutation::{FuzzSpace, Genome};

use super::FuzzError;
use crate::adapter::AdapterFactory;
use crate::execute::{ExecOptionsSweep, execute};
use crate::plan::Job;

/// Where and how genomes run.
pub(crate) struct Machine<'a> {
    /// One adapter per worker.
    pub factory: &'a AdapterFactory,
    /// The adapter as records name it.
    pub adapter: &'a AdapterRef,
    /// Worker threads.
    pub threads: usize,
}

/// What became of one genome.
#[derive(Debug, Clone)]
pub(crate) enum Ran {
    /// It ran; its record.
    Record(Box<RunRecord>),
    /// It does not describe a valid scenario (it could not be run).
    Invalid(String),
}

impl Ran {
    /// The record, if it ran.
    pub fn record(&self) -> Option<&RunRecord> {
        match self {
            Ran::Record(r) => Some(r),
            Ran::Invalid(_) => None,
        }
    }
}

impl Machine<'_> {
    /// Runs `probes` as jobs of `kind`; one result per probe, in order.
    pub fn run(&self, probes: &[(&FuzzSpace, &Genome)], kind: JobKind) -> Result<Vec<Ran>, FuzzError> {
        let mut scenarios = Vec::with_capacity(probes.len());
        let mut jobs = Vec::with_capacity(probes.len());
        let mut slots = Vec::with_capacity(probes.len());
        for (space, genome) in probes {
            match space.instantiate(genome) {
                Ok(s) => {
                    scenarios.push(Arc::new(s));
                    jobs.push(Job::seeded(scenarios.len() - 1, genome.seed, kind));
                    slots.push(Ok(jobs.len() - 1));
                }
                Err(e) => slots.push(Err(e.to_string())),
            }
        }
        let mut records = Vec::with_capacity(jobs.len());
        if !jobs.is_empty() {
            execute(
                &scenarios,
                &jobs,
                self.factory,
                self.adapter,
                ExecOptionsSweep { threads: self.threads },
                &|| true,
                |record| {
                    records.push(record);
                    Ok::<(), Infallible>(())
                },
            )
            .map_err(|e| FuzzError::Execute(e.to_string()))?;
        }
        if records.len() != jobs.len() {
            return Err(FuzzError::Execute(format!("{} of {} jobs ran", records.len(), jobs.len())));
        }
        let mut records = records.into_iter().map(Some).collect::<Vec<_>>();
        Ok(slots
            .into_iter()
            .zip(probes)
            .map(|(slot, (space, genome))| match slot {
                Ok(k) => {
                    let mut record =
                        records[k].take().unwrap_or_else(|| unreachable!("each job has one record"));
                    describe(&mut record, space, genome);
                    Ran::Record(Box::new(record))
                }
                Err(message) => Ran::Invalid(message),
            })
            .collect())
    }
}

/// Makes the record of a fuzzed job describe the scenario file on disk
/// (its hash, its parameter values) and carry the mutations in `extra.fuzz`.
pub(crate) fn describe(record: &mut RunRecord, space: &FuzzSpace, genome: &Genome) {
    let scenario = space.scenario();
    record.file = scenario.path().display().to_string();
    record.file_hash = scenario.file_hash().to_owned();
    record.params = genome.values.iter().map(|(k, v)| (k.clone(), ParamValue::Number(*v))).collect();
    let mutations = serde_json::to_value(&genome.mutations).unwrap_or(serde_json::Value::Null);
    record.extra.insert("fuzz".to_owned(), serde_json::json!({ "mutations": mutations }));
}

/// Adds `key: value` to a record's `extra.fuzz` object.
pub(crate) fn annotate(record: &mut RunRecord, key: &str, value: serde_json::Value) {
    let entry = record.extra.entry("fuzz".to_owned()).or_insert_with(|| serde_json::json!({}));
    if let Some(map) = entry.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}
