//! No process outlives a sweep.
//!
//! Adapters run in process groups of their own, which Gauntlet kills when
//! it ends them; a descendant that leaves the group (`setsid`, a daemon's
//! double fork) would escape that. So the `gauntlet` binary makes itself a
//! *child subreaper* (`PR_SET_CHILD_SUBREAPER`, unprivileged): such a
//! descendant is re-parented to Gauntlet instead of init when its parent
//! exits, and [`end_orphans`] kills and reaps every child still there once
//! the command's adapters have ended.
//!
//! What remains possible: if Gauntlet itself is killed with `SIGKILL`, the
//! adapters die with it (`PR_SET_PDEATHSIG`), but a descendant that had
//! already detached is re-parented to init and survives — nothing in user
//! space can outlive a `SIGKILL` to clean up after it.

use std::path::Path;

use rustix::process::{Pid, Signal, WaitOptions, getpid, kill_process, set_child_subreaper, waitpid};

/// Most rounds of [`end_orphans`]: an orphan's own children are re-parented
/// to Gauntlet when it dies, so each round may find the next generation.
const MAX_ROUNDS: usize = 16;

/// Makes this process the subreaper of its descendants.
pub fn become_subreaper() -> std::io::Result<()> {
    set_child_subreaper(Some(getpid())).map_err(std::io::Error::from)
}

/// Kills and reaps every child process still running (after every adapter
/// was ended, those are descendants that detached from their adapter).
/// Returns how many were killed.
pub fn end_orphans() -> usize {
    let mut killed = 0;
    for _ in 0..MAX_ROUNDS {
        let children = children_of(getpid());
        if children.is_empty() {
            break;
        }
        for pid in &children {
            if kill_process(*pid, Signal::KILL).is_ok() {
                killed += 1;
            }
        }
        for pid in &children {
            let _ = waitpid(Some(*pid), WaitOptions::empty());
        }
    }
    // Zombies of orphans that exited on their own.
    while let Ok(Some(_)) = waitpid(None, WaitOptions::NOHANG) {}
    killed
}

/// The pids whose parent is `parent`, from `/proc/*/stat`.
fn children_of(parent: Pid) -> Vec<Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<i32>().ok()).and_then(Pid::from_raw) else {
            continue;
        };
        if parent_of(&entry.path()) == Some(parent.as_raw_nonzero().get()) {
            out.push(pid);
        }
    }
    out
}

/// Field 4 of `/proc/PID/stat` (after the command name, which may hold spaces and parentheses).
fn parent_of(proc_dir: &Path) -> Option<i32> {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    let mut fields = after.split_whitespace();
    let _state = fields.next()?;
    fields.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_is_read_past_a_command_name_with_spaces_and_parentheses() {
        let dir = std::env::temp_dir().join(format!("gauntlet-orphans-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("stat"), "42 (a) b (c) S 7 42 42 0 -1").expect("write");
        assert_eq!(parent_of(&dir), Some(7));
        std::fs::remove_dir_all(&dir).expect("cleans up");
        // This test process is a child of its parent.
        let me = Pid::from_raw(std::process::id() as i32).expect("a pid");
        assert!(children_of(rustix::process::getppid().expect("a parent")).contains(&me));
    }
}
