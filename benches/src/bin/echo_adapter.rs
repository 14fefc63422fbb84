//! A trivial external adapter for the round-trip benchmark: speaks protocol v1
//! and answers every `observe` with the same control, so that a benchmark of
//! `ExecAdapter::step` measures the transport, not a driver.

use std::borrow::Cow;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

#[derive(serde::Deserialize)]
struct Message<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

fn serve() -> io::Result<()> {
    let stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    for line in stdin.lines() {
        let line = line?;
        let answer: &[u8] = match serde_json::from_str::<Message<'_>>(&line).map(|m| m.kind) {
            Ok(kind) if kind == "hello" => {
                b"{\"type\":\"hello\",\"protocol\":1,\"name\":\"echo\",\"version\":\"1\"}\n"
            }
            Ok(kind) if kind == "reset" => b"{\"type\":\"ready\"}\n",
            Ok(kind) if kind == "observe" => b"{\"type\":\"control\",\"accel\":0.5,\"steer\":-0.01}\n",
            // `end` and unknown types get no answer.
            Ok(_) => continue,
            Err(e) => {
                eprintln!("echo_adapter: ignoring a line that is not a message: {e}");
                continue;
            }
        };
        stdout.write_all(answer)?;
        stdout.flush()?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match serve() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo_adapter: {e}");
            ExitCode::FAILURE
        }
    }
}
