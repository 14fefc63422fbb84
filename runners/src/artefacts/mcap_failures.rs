//! `gauntlet run --mcap-failures DIR`: one MCAP file per failing job.
//!
//! Records keep only the trace hash, so once the sweep is over every
//! failing job is run again with its frames streamed into an MCAP file
//! ([`McapTrace`]), on the sweep's adapter, as the dashboard's trace
//! re-runs do ([`super::traces`]). A re-run whose trace hash differs from
//! the record's (a nondeterministic adapter) is the picture of another run:
//! its file is removed and a note says why.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use gauntlet_reports::record::{JobKey, Outcome, RunRecord};
use rayon::prelude::*;

use super::McapTrace;
use crate::adapter::AdapterFactory;
use crate::error::RunnerError;
use crate::job::{AdapterIdentity, Job, Tracing, run_job};

/// The MCAP files of a sweep's failing jobs.
#[derive(Debug, Clone, Default)]
pub struct McapFailures {
    /// The folder.
    pub dir: PathBuf,
    /// Each file written, with its job id, in job order.
    pub written: Vec<(String, PathBuf)>,
    /// Why the other failing jobs have no file, one sentence each.
    pub notes: Vec<String>,
}

impl McapFailures {
    /// One line: how many files were written, and where.
    pub fn render_text(&self) -> String {
        format!("mcap: {} file(s) of failing jobs in {}\n", self.written.len(), self.dir.display())
    }
}

/// A file name for the job `id`: every character but ASCII letters, digits,
/// `.`, `-` and `_` becomes `_`, and `.mcap` is added.
pub fn mcap_file_name(id: &str) -> String {
    let stem: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    format!("{stem}.mcap")
}

/// Re-runs the failing jobs among `records` (those of `jobs`, the sweep's
/// plan) on `factory`'s adapter with `threads` workers, each writing
/// `DIR/<job id>.mcap`.
pub fn write_failure_mcaps(
    dir: &Path,
    jobs: &[Job],
    records: &[RunRecord],
    factory: &AdapterFactory,
    identity: &AdapterIdentity,
    threads: usize,
) -> Result<McapFailures, RunnerError> {
    std::fs::create_dir_all(dir).map_err(|source| RunnerError::Io { path: dir.to_path_buf(), source })?;
    let mut out = McapFailures { dir: dir.to_path_buf(), ..McapFailures::default() };
    let failing: BTreeMap<JobKey, &RunRecord> =
        records.iter().filter(|r| r.outcome == Outcome::Fail).map(|r| (r.key(), r)).collect();
    let by_key: BTreeMap<JobKey, &Job> = jobs.iter().map(|j| (j.key(), j)).collect();

    // File names in job order; a name that sanitising made twice gets a suffix.
    let mut taken = std::collections::BTreeSet::new();
    let mut reruns = Vec::new();
    for (key, record) in &failing {
        let Some(job) = by_key.get(key) else {
            out.notes
                .push(format!("{}: no MCAP file, since the job is not in this sweep's plan.", record.id));
            continue;
        };
        let mut name = mcap_file_name(&record.id);
        let mut n = 1;
        while !taken.insert(name.clone()) {
            n += 1;
            name = format!("{}-{n}.mcap", mcap_file_name(&record.id).trim_end_matches(".mcap"));
        }
        reruns.push((*record, *job, dir.join(name)));
    }

    let results: Vec<Result<PathBuf, String>> = match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("gauntlet-mcap-{i}"))
        .build()
    {
        Ok(pool) => pool.install(|| {
            reruns.par_iter().map(|(record, job, path)| rerun(record, job, path, factory, identity)).collect()
        }),
        Err(e) => reruns.iter().map(|_| Err(format!("no worker thread could start ({e})"))).collect(),
    };
    for ((record, _, _), result) in reruns.iter().zip(results) {
        match result {
            Ok(path) => out.written.push((record.id.clone(), path)),
            Err(why) => out.notes.push(format!("{}: no MCAP file, since {why}.", record.id)),
        }
    }
    Ok(out)
}

/// Runs `job` again into the MCAP file at `path`; removes the file unless
/// the re-run is the recorded run.
fn rerun(
    record: &RunRecord,
    job: &Job,
    path: &Path,
    factory: &AdapterFactory,
    identity: &AdapterIdentity,
) -> Result<PathBuf, String> {
    let world = job.instance().map_err(|e| format!("its instance no longer builds ({e})"))?.world;
    let mut mcap = McapTrace::create(path, &world).map_err(|e| e.to_string())?;
    let mut adapter = factory.make();
    let ran = catch_unwind(AssertUnwindSafe(|| {
        run_job(job, adapter.as_mut(), identity, Tracing::Sink(&mut |f| mcap.push(&f)), false)
    }));
    let checked = match ran {
        Err(_) => Err("the re-run panicked".to_owned()),
        Ok(run) if run.record.trace_hash != record.trace_hash => Err(format!(
            "the re-run gave trace hash {}, not the record's {} (a nondeterministic adapter?)",
            short(&run.record.trace_hash),
            short(&record.trace_hash)
        )),
        Ok(_) => Ok(()),
    };
    let written = checked.and_then(|()| mcap.finish().map_err(|e| e.to_string()));
    if written.is_err() {
        // A partial or foreign file must not pass for the job's trace.
        let _ = std::fs::remove_file(path);
    }
    written
}

/// The first 12 characters of a hash.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_become_plain_file_names() {
        assert_eq!(mcap_file_name("cut_in.highway/fuzz/3/ab12"), "cut_in.highway_fuzz_3_ab12.mcap");
        assert_eq!(mcap_file_name("a b:c\\d"), "a_b_c_d.mcap");
    }
}
