//! `gauntlet adapter check`: the conformance kit passes the example adapters
//! and fails broken ones on the clause of `docs/adapter-protocol.md` they break.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adapters").join(name);
    path.to_str().expect("fixture paths are UTF-8").to_owned()
}

/// Runs `gauntlet adapter check ARGS…`: (exit code, stdout).
fn check(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(["adapter", "check"])
        .args(args)
        .current_dir(root())
        .output()
        .expect("gauntlet runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.code(), format!("{stdout}{stderr}"))
}

/// The report line of clause `id`.
fn line<'a>(output: &'a str, id: &str) -> &'a str {
    output
        .lines()
        .find(|l| l.get(6..).is_some_and(|rest| rest.starts_with(id)))
        .unwrap_or_else(|| panic!("no line for {id} in\n{output}"))
}

fn assert_conforms(adapter: &str) {
    // Generous limits: a loaded CI machine must not flake.
    let (code, output) = check(&["--step-timeout", "5s", adapter]);
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("conforms: 16 of 16 clauses pass"), "{output}");
    for id in [
        "§H1", "§R1", "§R2", "§O1", "§O2", "§O3", "§O4", "§O5", "§U1", "§U2", "§E1", "§S1", "§L1", "§A1",
        "§N1", "§T1",
    ] {
        assert!(line(&output, id).starts_with("pass"), "{output}");
    }
}

#[test]
fn conformance_python_example_passes() {
    assert_conforms("exec:python3 examples/python_adapter/adapter.py");
}

#[test]
fn conformance_rust_example_passes() {
    // The example is a workspace member: build it into this test's own target
    // folder (target/<profile>/deps/it-… → target/<profile>).
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev",
        Some(other) => other,
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "gauntlet-rust-adapter", "--profile", profile])
        .current_dir(root())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building examples/rust_adapter failed");
    let adapter = profile_dir.join("gauntlet-rust-adapter");
    assert!(adapter.exists(), "{} missing", adapter.display());
    assert_conforms(&format!("exec:{}", adapter.display()));
}

#[test]
fn conformance_wrong_protocol_version_fails_hello() {
    let (code, output) = check(&[&format!("exec:python3 {}", fixture("wrong_protocol.py"))]);
    assert_eq!(code, Some(1), "{output}");
    let hello = line(&output, "§H1");
    assert!(hello.starts_with("FAIL") && hello.contains("answered protocol 2"), "{output}");
    assert!(line(&output, "§R1").starts_with("skip"), "{output}");
    assert!(output.contains("does not conform"), "{output}");
}

#[test]
fn conformance_nan_fails_observe_and_finite_numbers() {
    let (code, output) = check(&[&format!("exec:python3 {}", fixture("nan_control.py"))]);
    assert_eq!(code, Some(1), "{output}");
    assert!(line(&output, "§H1").starts_with("pass"), "{output}");
    assert!(line(&output, "§R1").starts_with("pass"), "{output}");
    let observe = line(&output, "§O1");
    assert!(observe.starts_with("FAIL") && observe.contains("NaN") && observe.ends_with("(§N1)"), "{output}");
    assert!(line(&output, "§N1").starts_with("FAIL"), "{output}");
    assert!(line(&output, "§L1").starts_with("pass"), "{output}");
}

#[test]
fn conformance_silent_reset_fails_ready_and_timing() {
    let (code, output) =
        check(&["--startup-timeout", "1s", &format!("exec:python3 {}", fixture("silent_reset.py"))]);
    assert_eq!(code, Some(1), "{output}");
    let ready = line(&output, "§R1");
    assert!(ready.starts_with("FAIL") && ready.contains("no answer within 1 s"), "{output}");
    assert!(line(&output, "§T1").starts_with("FAIL"), "{output}");
    assert!(line(&output, "§O1").starts_with("skip"), "{output}");
    // Shutdown is still checked, on a fresh process.
    assert!(line(&output, "§S1").starts_with("pass"), "{output}");
}

#[test]
fn conformance_crash_on_unknown_field_fails_only_that_clause() {
    let (code, output) = check(&[&format!("exec:python3 {}", fixture("strict_fields.py"))]);
    assert_eq!(code, Some(1), "{output}");
    let unknown = line(&output, "§U1");
    assert!(unknown.starts_with("FAIL") && unknown.contains("KeyError"), "{output}");
    let failed: Vec<&str> = output.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(failed.len(), 1, "{output}");
    // The next probe starts a fresh process.
    assert!(line(&output, "§U2").starts_with("pass"), "{output}");
}

#[test]
fn conformance_builtins_pass_and_usage_errors_exit_two() {
    let (code, output) = check(&["builtin:reference"]);
    assert_eq!(code, Some(0), "{output}");
    assert_eq!(check(&["builtin:no-such-adapter"]).0, Some(2));
    assert_eq!(check(&["python3 adapter.py"]).0, Some(2));
    assert_eq!(check(&["exec:/no/such/program"]).0, Some(2));
    assert_eq!(check(&[]).0, Some(2));
}

#[test]
fn conformance_monitors_declared_and_named_pass() {
    // Declares fcw and aeb, names them at steps 2–4: both monitor clauses hold.
    assert_conforms(&format!("exec:python3 {}", fixture("monitors.py")));
    let (_, output) = check(&["--step-timeout", "5s", &format!("exec:python3 {}", fixture("monitors.py"))]);
    assert!(line(&output, "§R2").contains("declares fcw, aeb"), "{output}");
    assert!(line(&output, "§O5").contains("named fcw, aeb (declared)"), "{output}");
    // An adapter that sends neither field conforms, and says so.
    let (_, output) =
        check(&["--step-timeout", "5s", &format!("exec:python3 {}", fixture("well_behaved.py"))]);
    assert!(line(&output, "§R2").contains("declares no monitor (allowed)"), "{output}");
    assert!(line(&output, "§O5").contains("named no monitor (allowed)"), "{output}");
}

#[test]
fn conformance_bad_monitor_declarations_fail_r2_only() {
    for (defect, says) in [
        ("duplicate", "declares \"fcw\" twice"),
        ("empty", "empty name"),
        ("not_array", "not an array of names"),
    ] {
        let adapter = format!("exec:python3 {} {defect}", fixture("bad_ready_monitors.py"));
        let (code, output) = check(&["--step-timeout", "5s", &adapter]);
        assert_eq!(code, Some(1), "{output}");
        let m1 = line(&output, "§R2");
        assert!(m1.starts_with("FAIL") && m1.contains(says), "{defect}: {output}");
        assert!(line(&output, "§O5").starts_with("skip"), "{output}");
        for id in ["§H1", "§R1", "§O1", "§U1", "§E1", "§S1", "§L1", "§A1", "§N1", "§T1"] {
            assert!(line(&output, id).starts_with("pass"), "{defect}: {id}: {output}");
        }
    }
}

#[test]
fn conformance_an_undeclared_monitor_fails_o5_only() {
    let adapter = format!("exec:python3 {} undeclared", fixture("monitors.py"));
    let (code, output) = check(&["--step-timeout", "5s", &adapter]);
    assert_eq!(code, Some(1), "{output}");
    assert!(line(&output, "§R2").starts_with("pass"), "{output}");
    let m2 = line(&output, "§O5");
    assert!(m2.starts_with("FAIL") && m2.contains("step 1") && m2.contains("\"lidar\""), "{output}");
    for id in ["§H1", "§R1", "§O1", "§U1", "§E1", "§S1", "§L1", "§A1", "§N1", "§T1"] {
        assert!(line(&output, id).starts_with("pass"), "{id}: {output}");
    }
}
