//! The GitHub Actions example (`examples/ci/github/gauntlet-nightly.yml`)
//! run for real, night after night, by a small local stand-in for the
//! runner: every `run:` step is executed with bash as GitHub does, in the
//! order of the workflow, under its `if:` conditions, with `GITHUB_ENV`,
//! `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`; the actions the workflow
//! uses (artefacts, cache, JUnit) are emulated over folders; `gh` answers
//! from the stored artefacts of earlier nights. Only the build job's
//! `cargo build` is not re-run: its artefact is the binary under test.
//!
//! A step, expression or action this stand-in does not know fails the test,
//! so the workflow cannot grow a step that goes untested.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn workflow() -> Yaml {
    let text =
        std::fs::read_to_string(repo().join("examples/ci/github/gauntlet-nightly.yml")).expect("reads");
    YamlLoader::load_from_str(&text).expect("the workflow is YAML").remove(0)
}

/// The scenarios of the nights: a small library the reference driver passes.
const LIBRARY: [&str; 3] = ["cut_out.highway.ron", "cut_in.highway.ron", "pedestrian.urban_crossing.ron"];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("reads dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copies");
        }
    }
}

/// How one job of one night ended.
#[derive(Debug, Default)]
struct JobRun {
    failed: bool,
    /// `steps.ID.outputs`.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// What the steps printed, for failure messages.
    log: String,
    /// The step summary (`GITHUB_STEP_SUMMARY`).
    summary: String,
}

/// The stand-in: folders for the artefact store (by run id and name), the
/// cache, and stubs of `gh` and `date`.
struct Runner {
    root: PathBuf,
    store: PathBuf,
    cache: PathBuf,
    stubs: PathBuf,
    workflow: Yaml,
}

impl Runner {
    fn new(root: &Path) -> Self {
        let runner = Runner {
            root: root.to_path_buf(),
            store: root.join("artifacts"),
            cache: root.join("cache"),
            stubs: root.join("stubs"),
            workflow: workflow(),
        };
        std::fs::create_dir_all(&runner.stubs).expect("mkdir");
        // `gh run list … --jq …` lists the earlier runs, newest first, without this
        // one; `gh run download RUN --name N --dir D` fails when RUN has no N.
        let gh = r#"#!/bin/sh
set -e
case "$1 $2" in
  "run list") ls "$STORE" | sort -rn | grep -vx "$GITHUB_RUN_ID" || true ;;
  "run download")
    run=$3; shift 3
    while [ $# -gt 0 ]; do
      case "$1" in --name) name=$2; shift 2 ;; --dir) dir=$2; shift 2 ;; *) shift ;; esac
    done
    [ -d "$STORE/$run/$name" ] || { echo "no artifact $name in run $run" >&2; exit 1; }
    mkdir -p "$dir"; cp -r "$STORE/$run/$name/." "$dir/" ;;
  *) echo "gh stub: unknown call $*" >&2; exit 3 ;;
esac
"#;
        // The night's date: `date -u +%F` names tonight's history file.
        let date = "#!/bin/sh\nif [ \"$*\" = \"-u +%F\" ]; then echo \"$NIGHT_DATE\"; else exec /bin/date \"$@\"; fi\n";
        for (name, text) in [("gh", gh), ("date", date)] {
            let path = runner.stubs.join(name);
            std::fs::write(&path, text).expect("writes stub");
            Command::new("chmod").arg("+x").arg(&path).status().expect("chmod");
        }
        runner
    }

    /// A fresh checkout for one job: the small library, the taxonomy, the
    /// gate file (without the top-risk coverage check, which a three-file
    /// library cannot meet).
    fn checkout(&self, job: &str, run: u64) -> PathBuf {
        let work = self.root.join(format!("runs/{run}/{job}"));
        std::fs::create_dir_all(work.join("scenarios/library")).expect("mkdir");
        for file in LIBRARY {
            std::fs::copy(
                repo().join("scenarios/library").join(file),
                work.join("scenarios/library").join(file),
            )
            .expect("copies a scenario");
        }
        copy_dir(&repo().join("taxonomy"), &work.join("taxonomy"));
        std::fs::create_dir_all(work.join("examples/ci")).expect("mkdir");
        let gate = std::fs::read_to_string(repo().join("examples/ci/gauntlet.toml")).expect("gate file");
        let gate: String = gate
            .lines()
            .filter(|l| !l.starts_with("min_top_risk_coverage"))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(work.join("examples/ci/gauntlet.toml"), gate).expect("writes gate");
        work
    }

    /// `${{ … }}` in `text`, for the expressions the workflow uses.
    fn expand(&self, text: &str, run: u64, matrix: Option<i64>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("the expression ends") + start;
            let expr = rest[start + 3..end].trim();
            let value = match expr {
                "matrix.shard" => matrix.expect("a matrix job").to_string(),
                "github.token" => "stand-in-token".to_string(),
                "github.run_id" => run.to_string(),
                e if e.starts_with("env.") => self.workflow["env"][&e[4..]]
                    .as_i64()
                    .map(|v| v.to_string())
                    .expect("a workflow env value"),
                other => panic!("the stand-in runner does not know the expression {other:?}"),
            };
            out.push_str(&value);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// A step's or a job's `if:`, for the forms the workflow uses.
    fn condition(&self, cond: &Yaml, job: &JobRun, needs: &BTreeMap<String, bool>) -> bool {
        let Some(cond) = cond.as_str() else { return !job.failed };
        let mut always = false;
        let mut holds = true;
        for term in cond.split("&&").map(str::trim) {
            if term == "always()" {
                always = true;
            } else if let Some((lhs, rhs)) = term.split_once("==").or_else(|| term.split_once("!=")) {
                let equal = term.contains("==");
                let rhs = rhs.trim().trim_matches('\'');
                let parts: Vec<&str> = lhs.trim().split('.').collect();
                let value = match parts.as_slice() {
                    ["steps", id, "outputs", key] => {
                        job.outputs.get(*id).and_then(|o| o.get(*key)).cloned().unwrap_or_default()
                    }
                    ["needs", need, "result"] => {
                        if needs.get(*need).copied().unwrap_or(false) { "success" } else { "failure" }
                            .to_string()
                    }
                    _ => panic!("the stand-in runner does not know {lhs:?}"),
                };
                holds &= (value == rhs) == equal;
            } else {
                panic!("the stand-in runner does not know the condition {term:?}");
            }
        }
        holds && (always || !job.failed)
    }

    /// Runs one job of the workflow in `work`.
    fn job(
        &self,
        name: &str,
        run: u64,
        matrix: Option<i64>,
        needs: &BTreeMap<String, bool>,
        env: &[(&str, &str)],
    ) -> JobRun {
        let spec = &self.workflow["jobs"][name];
        let mut job = JobRun::default();
        assert!(self.condition(&spec["if"], &job, needs), "job {name} would not run");
        let work = self.checkout(&format!("{name}-{}", matrix.unwrap_or(0)), run);
        let github = self.root.join(format!("runs/{run}/github-{name}-{}", matrix.unwrap_or(0)));
        std::fs::create_dir_all(&github).expect("mkdir");
        let (env_file, output_file, summary_file) =
            (github.join("env"), github.join("output"), github.join("summary"));
        for f in [&env_file, &summary_file] {
            std::fs::write(f, "").expect("writes");
        }
        let mut job_env: BTreeMap<String, String> = BTreeMap::new();
        for step in spec["steps"].as_vec().expect("steps") {
            if !self.condition(&step["if"], &job, needs) {
                continue;
            }
            let ok = if let Some(script) = step["run"].as_str() {
                std::fs::write(&output_file, "").expect("writes");
                let script = self.expand(script, run, matrix);
                let path = format!("{}:{}", self.stubs.display(), std::env::var("PATH").unwrap_or_default());
                let mut cmd = Command::new("bash");
                cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
                    .current_dir(&work)
                    .env("PATH", path)
                    .env("STORE", &self.store)
                    .env("GITHUB_ENV", &env_file)
                    .env("GITHUB_OUTPUT", &output_file)
                    .env("GITHUB_STEP_SUMMARY", &summary_file)
                    .env("GITHUB_REPOSITORY", "example/stack")
                    .env("GITHUB_REF_NAME", "main")
                    .env("GITHUB_RUN_ID", run.to_string())
                    .envs(env.iter().copied())
                    .envs(&job_env);
                if let Some(vars) = self.workflow["env"].as_hash() {
                    for (k, v) in vars {
                        let value = v.as_str().map(str::to_string).or(v.as_i64().map(|i| i.to_string()));
                        let key = k.as_str().expect("env name");
                        if !env.iter().any(|(name, _)| *name == key) {
                            cmd.env(key, value.expect("an env value"));
                        }
                    }
                }
                if let Some(vars) = step["env"].as_hash() {
                    for (k, v) in vars {
                        cmd.env(
                            k.as_str().expect("env name"),
                            self.expand(v.as_str().expect("env value"), run, matrix),
                        );
                    }
                }
                let out = cmd.output().expect("bash runs");
                job.log.push_str(&format!(
                    "--- {}\n{}{}",
                    step["name"].as_str().unwrap_or("run"),
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ));
                // GITHUB_ENV and GITHUB_OUTPUT take effect after the step.
                for line in std::fs::read_to_string(&env_file).expect("reads").lines() {
                    if let Some((k, v)) = line.split_once('=') {
                        job_env.insert(k.to_string(), v.to_string());
                    }
                }
                if let Some(id) = step["id"].as_str() {
                    let outputs = job.outputs.entry(id.to_string()).or_default();
                    for line in std::fs::read_to_string(&output_file).expect("reads").lines() {
                        if let Some((k, v)) = line.split_once('=') {
                            outputs.insert(k.to_string(), v.to_string());
                        }
                    }
                }
                out.status.success()
            } else {
                self.action(step, &work, run, matrix, &mut job)
            };
            if !ok {
                job.failed = true;
            }
        }
        job.summary = std::fs::read_to_string(&summary_file).expect("reads");
        job
    }

    /// The actions the workflow uses, over folders.
    fn action(&self, step: &Yaml, work: &Path, run: u64, matrix: Option<i64>, job: &mut JobRun) -> bool {
        let uses = step["uses"].as_str().expect("a step runs or uses");
        let with = |key: &str| {
            let value = &step["with"][key];
            let text = value.as_str().map(str::to_string);
            let text =
                text.or(value.as_bool().map(|b| b.to_string())).or(value.as_i64().map(|i| i.to_string()));
            text.map(|v| self.expand(&v, run, matrix))
        };
        let action = uses.split('@').next().expect("name");
        match action {
            "actions/checkout" | "Swatinem/rust-cache" => true,
            "actions/upload-artifact" => {
                let name = with("name").expect("name");
                let path = work.join(with("path").expect("path"));
                let target = self.store.join(run.to_string()).join(&name);
                if path.is_dir() {
                    copy_dir(&path, &target);
                } else if path.is_file() {
                    std::fs::create_dir_all(&target).expect("mkdir");
                    std::fs::copy(&path, target.join(path.file_name().expect("file"))).expect("copies");
                } else {
                    // The action's default: warn, upload nothing.
                    job.log.push_str(&format!("upload-artifact: no files at {}\n", path.display()));
                }
                true
            }
            "actions/download-artifact" => {
                let dest = work.join(with("path").expect("path"));
                let runs = self.store.join(run.to_string());
                let names: Vec<String> = match (with("name"), with("pattern")) {
                    (Some(name), None) => vec![name],
                    (None, Some(pattern)) => {
                        let prefix = pattern.strip_suffix('*').expect("a prefix pattern").to_string();
                        assert_eq!(
                            with("merge-multiple").as_deref(),
                            Some("true"),
                            "one folder for all shards"
                        );
                        let mut names: Vec<String> = std::fs::read_dir(&runs)
                            .expect("artefacts of this run")
                            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                            .filter(|n| n.starts_with(&prefix))
                            .collect();
                        names.sort();
                        names
                    }
                    other => panic!("download-artifact with {other:?}"),
                };
                for name in names {
                    let from = runs.join(&name);
                    if !from.is_dir() {
                        return false;
                    }
                    copy_dir(&from, &dest);
                }
                if dest.join("gauntlet").is_file() {
                    // The build job's artefact is the binary under test.
                    std::fs::remove_file(dest.join("gauntlet")).expect("rm");
                    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_gauntlet"), dest.join("gauntlet"))
                        .expect("link");
                }
                true
            }
            "actions/cache/restore" => {
                let path = work.join(with("path").expect("path"));
                let prefix = with("restore-keys").expect("restore-keys");
                let mut keys: Vec<String> = std::fs::read_dir(&self.cache)
                    .map(|d| {
                        d.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect()
                    })
                    .unwrap_or_default();
                keys.retain(|k| k.starts_with(prefix.trim()));
                // The newest cache whose key has the prefix (run ids grow).
                keys.sort_by_key(|k| k[prefix.trim().len()..].parse::<u64>().unwrap_or(0));
                if let Some(key) = keys.last() {
                    copy_dir(&self.cache.join(key), &path);
                }
                true
            }
            "actions/cache/save" => {
                let path = work.join(with("path").expect("path"));
                copy_dir(&path, &self.cache.join(with("key").expect("key")));
                true
            }
            "mikepenz/action-junit-report" => {
                let report = work.join(with("report_paths").expect("report_paths"));
                let xml = std::fs::read_to_string(&report).unwrap_or_default();
                roxmltree::Document::parse(&xml).is_ok()
            }
            other => panic!("the stand-in runner does not know the action {other:?}"),
        }
    }

    /// One night: the build job's artefact, every shard of the matrix, an
    /// optional extra shard artefact (`tamper`), then the report job.
    fn night(&self, run: u64, date: &str, tamper: Option<&dyn Fn(&Path)>) -> JobRun {
        let build = &self.workflow["jobs"]["build"];
        let builds = build["steps"]
            .as_vec()
            .expect("steps")
            .iter()
            .any(|s| s["run"].as_str().is_some_and(|r| r.contains("cargo build --release")));
        assert!(builds, "the build job builds the release binary once");
        let binary = self.store.join(format!("{run}/gauntlet-binary"));
        std::fs::create_dir_all(&binary).expect("mkdir");
        std::fs::copy(env!("CARGO_BIN_EXE_gauntlet"), binary.join("gauntlet")).expect("copies binary");

        let env = [("SEEDS", "2"), ("NIGHT_DATE", date)];
        let mut needs = BTreeMap::from([("build".to_string(), true)]);
        let shards = self.workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"].as_vec().expect("matrix");
        let mut shards_ok = true;
        for shard in shards {
            let job = self.job("shard", run, shard.as_i64(), &needs, &env);
            assert!(!job.failed, "shard {shard:?} failed:\n{}", job.log);
            shards_ok &= !job.failed;
        }
        if let Some(tamper) = tamper {
            tamper(&self.store.join(run.to_string()));
        }
        needs.insert("shard".to_string(), shards_ok);
        self.job("report", run, None, &needs, &env)
    }
}

/// A shard artefact holding one record of another shard with another trace:
/// the same job twice with different results.
fn conflicting_shard(store: &Path) {
    let first = (1..=8)
        .filter_map(|k| {
            std::fs::read_to_string(store.join(format!("records-shard-{k}/shard-{k}.jsonl"))).ok()
        })
        .find_map(|text| text.lines().next().map(str::to_string))
        .expect("a shard has a record");
    let mut record: serde_json::Value = serde_json::from_str(&first).expect("json");
    record["trace_hash"] = serde_json::json!("0".repeat(64));
    std::fs::create_dir_all(store.join("records-shard-99")).expect("mkdir");
    std::fs::write(store.join("records-shard-99/shard-99.jsonl"), format!("{record}\n")).expect("writes");
}

#[test]
fn three_nights_of_the_github_workflow_clean_conflicting_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let runner = Runner::new(dir.path());

    // Night 1: clean, no earlier night.
    let night = runner.night(101, "2026-11-01", None);
    assert!(!night.failed, "{}", night.log);
    assert!(night.log.contains("No earlier complete night"), "{}", night.log);
    assert!(
        night.summary.contains("Gauntlet nightly"),
        "the step summary is the report's Markdown:\n{}",
        night.log
    );
    for artefact in ["gauntlet-records/records.jsonl", "gauntlet-dashboard/dashboard.html"] {
        assert!(runner.store.join("101").join(artefact).is_file(), "{artefact}:\n{}", night.log);
    }

    // Night 2: two shards disagree on one job. The merge says so, the report,
    // summary, dashboard and JUnit are still made, the night fails, and its
    // records never become a baseline.
    let night = runner.night(102, "2026-11-02", Some(&conflicting_shard));
    assert!(night.failed, "a conflicting merge fails the night:\n{}", night.log);
    let merge_status = night.outputs.get("merge").and_then(|o| o.get("status")).map(String::as_str);
    assert_eq!(merge_status, Some("1"), "the merge step records its exit status:\n{}", night.log);
    assert!(night.log.contains("the night fails"), "{}", night.log);
    assert!(!night.summary.is_empty(), "the summary is written after a failed merge:\n{}", night.log);
    assert!(runner.store.join("102/gauntlet-dashboard/dashboard.html").is_file(), "{}", night.log);
    assert!(!runner.store.join("102/gauntlet-records").exists(), "a conflicting night is no baseline");

    // Night 3: clean again. Its baseline is night 1, the last complete one,
    // and its trend holds all three nights, tonight included.
    let night = runner.night(103, "2026-11-03", None);
    assert!(!night.failed, "{}", night.log);
    assert!(night.log.contains("baseline: run 101"), "{}", night.log);
    let history: Vec<String> = std::fs::read_dir(runner.cache.join("gauntlet-history-103"))
        .expect("tonight's history is cached")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let mut history = history;
    history.sort();
    assert_eq!(history, ["2026-11-01.jsonl", "2026-11-02.jsonl", "2026-11-03.jsonl"]);
    assert!(runner.store.join("103/gauntlet-records/records.jsonl").is_file());
}
