//! Running genomes through the sweep machinery: each genome becomes a job
//! of its fuzz space, and [`execute`] runs them on the worker pool and hands
//! their records back in order, whatever the thread count.

use std::convert::Infallible;
use std::sync::Arc;

use gauntlet_reports::record::{JobSource, RunRecord};
use gauntlet_scenarios::mutation::{FuzzSpace, Genome};

use super::FuzzError;
use crate::adapter::AdapterFactory;
use crate::checks::requirement_checks;
use crate::execute::{ExecOptionsSweep, execute};
use crate::job::{AdapterIdentity, Job};

/// Where and how genomes run.
pub(crate) struct Machine<'a> {
    /// One adapter per worker.
    pub factory: &'a AdapterFactory,
    /// The adapter, as resolved once for the command.
    pub identity: &'a AdapterIdentity,
    /// Worker threads.
    pub threads: usize,
    /// The taxonomy whose requirement checks every job is scored against
    /// too; `None`: the scenarios' own criteria only (the search benchmark).
    pub taxonomy: Option<&'a gauntlet_taxonomy::Taxonomy>,
    /// Triage failing genomes. Off for every fuzz run: shrink probes would
    /// pay up to [`crate::triage::MAX_RUNS`] re-runs each, and a campaign's
    /// generations fail by the hundred; the saved regression is triaged
    /// whenever a sweep or `replay` runs it.
    pub triage: bool,
}

/// What became of one genome.
#[derive(Debug, Clone)]
pub(crate) enum Ran {
    /// It ran; its record.
    Record(Box<RunRecord>),
    /// It does not describe a valid scenario (it could not be run).
    Invalid,
}

impl Ran {
    /// The record, if it ran.
    pub fn record(&self) -> Option<&RunRecord> {
        match self {
            Ran::Record(r) => Some(r),
            Ran::Invalid => None,
        }
    }
}

impl Machine<'_> {
    /// Runs each genome of `probes` as a job of its space whose source
    /// `source` makes (a fuzz instance); one result per probe, in order.
    pub fn run(
        &self,
        probes: &[(&Arc<FuzzSpace>, &Genome)],
        source: &dyn Fn(&Genome) -> JobSource,
    ) -> Result<Vec<Ran>, FuzzError> {
        let mut jobs = Vec::with_capacity(probes.len());
        let mut slots = Vec::with_capacity(probes.len());
        for (space, genome) in probes {
            // A genome that describes no valid scenario is not run at all.
            match space.instantiate(genome) {
                Ok(_) => {
                    let checks = self
                        .taxonomy
                        .map(|t| requirement_checks(t, space.scenario().hazards()))
                        .unwrap_or_default();
                    let job = Job::given(Arc::clone(space), source(genome))
                        .unwrap_or_else(|_| unreachable!("a fuzz source has an instance"))
                        .with_checks(checks.into());
                    jobs.push(job);
                    slots.push(Ok(jobs.len() - 1));
                }
                Err(_) => slots.push(Err(())),
            }
        }
        let mut records = Vec::with_capacity(jobs.len());
        if !jobs.is_empty() {
            execute(
                &jobs,
                self.factory,
                self.identity,
                ExecOptionsSweep { threads: self.threads, triage: self.triage },
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
            .map(|slot| match slot {
                Ok(k) => Ran::Record(Box::new(
                    records[k].take().unwrap_or_else(|| unreachable!("each job has one record")),
                )),
                Err(()) => Ran::Invalid,
            })
            .collect())
    }
}
