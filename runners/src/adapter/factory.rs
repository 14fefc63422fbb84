//! [`AdapterFactory`]: one adapter per worker, from an [`AdapterSpec`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use gauntlet_engine::adapters::{BUILTIN_NAMES, builtin};
use gauntlet_engine::{AdapterFault, AdapterInfo, AutonomyAdapter};

use super::child::ChildProcess;
use super::exec::{ExecAdapter, HandshakeError, open_log};
use super::log::AdapterLog;
use super::options::ExecOptions;
use super::protocol::PROTOCOL_VERSION;
use super::spec::{AdapterSpec, ExecCommand};

/// Makes the adapters of a sweep: one per worker thread.
///
/// The runner calls [`preflight`](Self::preflight) once before planning work
/// (an adapter that cannot start refuses the sweep), then
/// [`make`](Self::make) on each worker. The factory is `Sync`.
pub struct AdapterFactory {
    spec: AdapterSpec,
    kind: Kind,
}

enum Kind {
    Builtin(&'static str),
    Exec(Box<ExecShared>),
}

struct ExecShared {
    command: Arc<ExecCommand>,
    options: ExecOptions,
    log: Option<Arc<AdapterLog>>,
    /// Name and version from the latest handshake.
    info: Mutex<Option<AdapterInfo>>,
    /// The preflight's process, handed to the first adapter made, so that a
    /// stack that loads models for 30 s does so once less.
    spare: Mutex<Option<ChildProcess>>,
}

impl AdapterFactory {
    /// A factory for `spec`. Checks a built-in name and opens the adapter log;
    /// starts no process.
    pub fn new(spec: &AdapterSpec, options: &ExecOptions) -> Result<Self, AdapterSetupError> {
        let kind = match spec {
            AdapterSpec::Builtin(name) => {
                let Some(&known) = BUILTIN_NAMES.iter().find(|known| **known == name.as_str()) else {
                    return Err(AdapterSetupError::UnknownBuiltin {
                        name: name.clone(),
                        known: BUILTIN_NAMES.join(", "),
                    });
                };
                Kind::Builtin(known)
            }
            AdapterSpec::Exec(command) => Kind::Exec(Box::new(ExecShared {
                command: Arc::new(command.clone()),
                options: options.clone(),
                log: open_log(options.adapter_log.as_deref())?,
                info: Mutex::new(None),
                spare: Mutex::new(None),
            })),
        };
        Ok(Self { spec: spec.clone(), kind })
    }

    /// The specification this factory was made from.
    pub fn spec(&self) -> &AdapterSpec {
        &self.spec
    }

    /// Checks that the adapter can run at all: for `exec:`, starts one process
    /// and does the `hello` handshake (within the start-up timeout). A process
    /// that cannot start, exits, times out, answers with another protocol
    /// version or with an `error` refuses the sweep. Returns the adapter's name
    /// and version; the process is kept for the first [`make`](Self::make).
    ///
    /// The kernel kills an adapter when the thread that started it exits, so
    /// call this from a thread that outlives the sweep (e.g. `main`); should
    /// the kept process die anyway, the first job simply starts a fresh one.
    pub fn preflight(&self) -> Result<AdapterInfo, AdapterSetupError> {
        match &self.kind {
            Kind::Builtin(name) => Ok(make_builtin(name).info()),
            Kind::Exec(shared) => {
                let mut adapter = ExecAdapter::with_parts(
                    Arc::clone(&shared.command),
                    shared.options.clone(),
                    shared.log.clone(),
                    None,
                    None,
                );
                let command = shared.command.to_string();
                adapter.start_process().map_err(|e| match e {
                    HandshakeError::Spawn(source) => {
                        AdapterSetupError::Spawn { command: command.clone(), source }
                    }
                    HandshakeError::Failed(fault) => {
                        AdapterSetupError::Handshake { command: command.clone(), fault }
                    }
                    HandshakeError::Refused(message) => AdapterSetupError::Refused {
                        command: command.clone(),
                        message: message.unwrap_or_else(|| "(no message)".to_owned()),
                    },
                    HandshakeError::Version(found) => AdapterSetupError::ProtocolVersion {
                        command: command.clone(),
                        found,
                        expected: PROTOCOL_VERSION,
                    },
                })?;
                let info = gauntlet_engine::AutonomyAdapter::info(&adapter);
                *lock(&shared.info) = Some(info.clone());
                let old = std::mem::replace(&mut *lock(&shared.spare), adapter.take_process());
                drop(old);
                Ok(info)
            }
        }
    }

    /// A fresh adapter for one worker thread. An `exec:` adapter starts its
    /// process lazily, at its first `reset`, on the worker's thread (unless it
    /// takes over the preflight's process).
    pub fn make(&self) -> Box<dyn AutonomyAdapter> {
        match &self.kind {
            Kind::Builtin(name) => make_builtin(name),
            Kind::Exec(shared) => Box::new(ExecAdapter::with_parts(
                Arc::clone(&shared.command),
                shared.options.clone(),
                shared.log.clone(),
                lock(&shared.info).clone(),
                lock(&shared.spare).take(),
            )),
        }
    }

    /// Flushes the adapter log, if any, and reports the first failure to write it.
    pub fn finish_log(&self) -> Result<(), AdapterSetupError> {
        match &self.kind {
            Kind::Exec(shared) if let Some(log) = &shared.log => {
                log.finish().map_err(|(path, source)| AdapterSetupError::Log { path, source })
            }
            _ => Ok(()),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn make_builtin(name: &'static str) -> Box<dyn AutonomyAdapter> {
    // `name` was found in BUILTIN_NAMES, which lists exactly what `builtin` makes.
    builtin(name)
        .unwrap_or_else(|| panic!("gauntlet_engine lists built-in adapter `{name}` but cannot make it"))
}

/// Why a sweep cannot start with this adapter (nothing could be run).
#[derive(Debug, thiserror::Error)]
pub enum AdapterSetupError {
    /// `builtin:NAME` with a name the engine does not have.
    #[error("unknown built-in adapter `{name}` (built-in adapters: {known})")]
    UnknownBuiltin {
        /// The name given.
        name: String,
        /// The names there are, comma-separated.
        known: String,
    },
    /// The adapter process could not be started.
    #[error("failed to start adapter `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The process exited, timed out or printed an invalid line during `hello`.
    #[error("adapter `{command}` failed the hello handshake: {fault}")]
    Handshake {
        /// The command line.
        command: String,
        /// What went wrong, with the stderr tail.
        fault: AdapterFault,
    },
    /// The adapter answered `hello` with `{"type":"error"}`.
    #[error("adapter `{command}` refused the hello handshake: {message}")]
    Refused {
        /// The command line.
        command: String,
        /// The adapter's message.
        message: String,
    },
    /// The adapter speaks another protocol version.
    #[error("adapter `{command}` speaks protocol {found}; this gauntlet speaks protocol {expected}")]
    ProtocolVersion {
        /// The command line.
        command: String,
        /// The version in its `hello`.
        found: u64,
        /// Ours.
        expected: u64,
    },
    /// The `--adapter-log` file could not be created or written.
    #[error("failed to write adapter log {}: {source}", path.display())]
    Log {
        /// The log file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}
