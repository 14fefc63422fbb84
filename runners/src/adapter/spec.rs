//! `--adapter` specifications: which autonomy stack a sweep drives.

use std::fmt;
use std::str::FromStr;

/// Which adapter a sweep drives, as written after `--adapter`.
///
/// Two forms:
///
/// - `builtin:NAME` — an adapter compiled into Gauntlet (e.g. `builtin:reference`);
/// - `exec:COMMAND ARGS…` — an external process speaking the stdio JSON-lines
///   protocol v1. The command line is split the way a POSIX shell would split
///   it (quotes, backslash escapes) but no shell is run.
///
/// [`Display`](fmt::Display) writes a form that parses back to an equal value;
/// records and replay commands carry it as `adapter.spec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdapterSpec {
    /// An in-process adapter from `gauntlet_engine::adapters`.
    Builtin(String),
    /// An external process.
    Exec(ExecCommand),
}

/// The command line of an external adapter: a program and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecCommand {
    program: String,
    args: Vec<String>,
}

impl ExecCommand {
    /// A command from a program (a path, or a name looked up in `PATH`) and its arguments.
    pub fn new(program: impl Into<String>, args: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self { program: program.into(), args: args.into_iter().map(Into::into).collect() }
    }

    /// Splits a command line as a shell would (quotes, escapes), without running a shell.
    pub fn parse(command_line: &str) -> Result<Self, AdapterSpecError> {
        let mut words = shell_words::split(command_line)
            .map_err(|source| AdapterSpecError::Quoting { command: command_line.to_owned(), source })?;
        if words.is_empty() || words[0].is_empty() {
            return Err(AdapterSpecError::EmptyCommand);
        }
        let program = words.remove(0);
        Ok(Self { program, args: words })
    }

    /// The program to run.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// Its arguments.
    pub fn args(&self) -> &[String] {
        &self.args
    }
}

impl fmt::Display for ExecCommand {
    /// The command line, quoted so that [`ExecCommand::parse`] gives it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&shell_words::quote(&self.program))?;
        for arg in &self.args {
            f.write_str(" ")?;
            f.write_str(&shell_words::quote(arg))?;
        }
        Ok(())
    }
}

impl fmt::Display for AdapterSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdapterSpec::Builtin(name) => write!(f, "builtin:{name}"),
            AdapterSpec::Exec(command) => write!(f, "exec:{command}"),
        }
    }
}

impl FromStr for AdapterSpec {
    type Err = AdapterSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let Some((kind, rest)) = spec.split_once(':') else {
            return Err(AdapterSpecError::MissingKind { spec: spec.to_owned() });
        };
        match kind {
            "builtin" => {
                let name = rest.trim();
                if name.is_empty() {
                    return Err(AdapterSpecError::EmptyBuiltin);
                }
                Ok(AdapterSpec::Builtin(name.to_owned()))
            }
            "exec" => Ok(AdapterSpec::Exec(ExecCommand::parse(rest)?)),
            other => Err(AdapterSpecError::UnknownKind { kind: other.to_owned() }),
        }
    }
}

/// Why an `--adapter` string could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum AdapterSpecError {
    /// No `builtin:` or `exec:` prefix.
    #[error("invalid adapter `{spec}`: expected `builtin:NAME` or `exec:COMMAND ARGS…`")]
    MissingKind {
        /// The whole specification.
        spec: String,
    },
    /// A prefix other than `builtin` or `exec`.
    #[error("unknown adapter kind `{kind}:`: expected `builtin:NAME` or `exec:COMMAND ARGS…`")]
    UnknownKind {
        /// The prefix before the first `:`.
        kind: String,
    },
    /// `builtin:` with no name.
    #[error("`builtin:` needs an adapter name, e.g. `builtin:reference`")]
    EmptyBuiltin,
    /// `exec:` with no command.
    #[error("`exec:` needs a command, e.g. `exec:python3 my_stack.py`")]
    EmptyCommand,
    /// Unbalanced quotes or a trailing backslash.
    #[error("failed to split adapter command `{command}`: {source}")]
    Quoting {
        /// The command line after `exec:`.
        command: String,
        /// What `shell-words` found.
        #[source]
        source: shell_words::ParseError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> AdapterSpec {
        match s.parse() {
            Ok(spec) => spec,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn builtin_parses() {
        assert_eq!(parse("builtin:reference"), AdapterSpec::Builtin("reference".into()));
    }

    #[test]
    fn exec_splits_like_a_shell() {
        let AdapterSpec::Exec(cmd) = parse(r#"exec:python3 "my stack.py" --model 'a b' c\ d"#) else {
            panic!("not exec");
        };
        assert_eq!(cmd.program(), "python3");
        assert_eq!(cmd.args(), ["my stack.py", "--model", "a b", "c d"]);
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "builtin:reference",
            "exec:python3 my_stack.py",
            r#"exec:python3 "my stack.py" --x 'it''s' "$HOME" a\"b"#,
            "exec:./stack --empty ''",
            "exec:'/opt/my tools/stack' ünïcode *",
        ] {
            let spec = parse(s);
            let shown = spec.to_string();
            assert_eq!(parse(&shown), spec, "{s:?} displayed as {shown:?}");
        }
        assert_eq!(parse("exec:python3   my_stack.py").to_string(), "exec:python3 my_stack.py");
    }

    #[test]
    fn errors_are_specific() {
        let err = |s: &str| match s.parse::<AdapterSpec>() {
            Ok(spec) => panic!("{s:?} parsed as {spec:?}"),
            Err(e) => e,
        };
        assert!(matches!(err("reference"), AdapterSpecError::MissingKind { .. }));
        assert!(matches!(err("docker:foo"), AdapterSpecError::UnknownKind { kind } if kind == "docker"));
        assert!(matches!(err("builtin:"), AdapterSpecError::EmptyBuiltin));
        assert!(matches!(err("exec:"), AdapterSpecError::EmptyCommand));
        assert!(matches!(err("exec:   "), AdapterSpecError::EmptyCommand));
        assert!(matches!(err("exec:''"), AdapterSpecError::EmptyCommand));
        let quoting = err("exec:python3 'unclosed");
        assert!(matches!(quoting, AdapterSpecError::Quoting { .. }));
        assert!(quoting.to_string().contains("python3 'unclosed"), "{quoting}");
    }
}
