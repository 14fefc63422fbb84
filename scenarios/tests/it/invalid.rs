//! The malformed-scenario corpus: every file under `tests/fixtures/invalid/`
//! must be rejected, without a panic, with the message fragment its first
//! line announces (`// expect: …`).

use std::path::Path;

use gauntlet_scenarios::Scenario;

/// Files that cannot carry their expectation in a comment.
const EXPECT_OUT_OF_BAND: &[(&str, &str)] = &[("not_utf8.ron", "UTF-8")];

#[test]
fn every_malformed_file_is_rejected_with_its_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("fixture folder").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus holds at least 15 files, found {}", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let bytes = std::fs::read(file).expect("readable fixture");
        let expect = match EXPECT_OUT_OF_BAND.iter().find(|(n, _)| *n == name) {
            Some((_, e)) => (*e).to_owned(),
            None => {
                let text = String::from_utf8_lossy(&bytes);
                let first = text.lines().next().unwrap_or_default();
                first
                    .strip_prefix("// expect: ")
                    .unwrap_or_else(|| panic!("{name}: first line must be `// expect: …`"))
                    .to_owned()
            }
        };
        let outcome = std::panic::catch_unwind(|| Scenario::load(file));
        match outcome {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(_)) => failures.push(format!("{name}: was accepted")),
            Ok(Err(e)) => {
                let msg = e.to_string();
                if !msg.contains(&expect) {
                    failures.push(format!("{name}: expected {expect:?} in:\n    {msg}"));
                }
                if !msg.starts_with(&file.display().to_string()) {
                    failures.push(format!("{name}: the message does not start with the file name: {msg}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
