//! Exact-arithmetic evaluation cases (§2.2, L9–L14), one directory per case
//! under `tests/data/eval/<case>/`: `policy.kpi`, `records.csv`,
//! optional `context.csv`, and `expected.json`, written by hand from the
//! requirements (not from the tool's output). The case is run as
//! `kpi eval policy.kpi --data records.csv [--context context.csv]` and its
//! JSON is compared exactly, including the order of results and outputs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/eval");

/// Runs one case; returns a description of how it differs.
fn check(case: &Path) -> Option<String> {
    let name = case.file_name().unwrap().to_string_lossy().to_string();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
            .unwrap_or_else(|e| panic!("{name}/expected.json: {e}"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.current_dir(case)
        .env("LC_ALL", "C")
        .args(["eval", "policy.kpi", "--data", "records.csv"]);
    if case.join("context.csv").exists() {
        cmd.args(["--context", "context.csv"]);
    }
    let run = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() {
        let stderr = String::from_utf8_lossy(&run.stderr);
        return Some(format!("{name}: exit {:?}\n{stderr}", run.status.code()));
    }
    let actual: Value = match serde_json::from_str(&stdout) {
        Ok(v) => v,
        Err(e) => return Some(format!("{name}: invalid JSON ({e}):\n{stdout}")),
    };
    // serde_json keeps key order here, so the texts compare order as well.
    let (want, got) = (expected.to_string(), actual.to_string());
    if want == got {
        return None;
    }
    let mut diff = Vec::new();
    let rows = |v: &Value| v["results"].as_array().cloned().unwrap_or_default();
    let (w, g) = (rows(&expected), rows(&actual));
    for i in 0..w.len().max(g.len()) {
        if w.get(i) != g.get(i) {
            let show = |r: Option<&Value>| r.map_or("(none)".into(), Value::to_string);
            diff.push(format!(
                "  result {i}:\n    expected {}\n    got      {}",
                show(w.get(i)),
                show(g.get(i))
            ));
        }
    }
    if diff.is_empty() {
        diff.push(format!("  expected {want}\n  got      {got}"));
    }
    Some(format!("{name}:\n{}", diff.join("\n")))
}

#[test]
fn exact_evaluation_cases() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 9, "expected the cases in {DIR}");
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Same policy and data give byte-identical output (§2.2).
#[test]
fn evaluation_is_deterministic() {
    let case = Path::new(DIR).join("team_ratio_boundary");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_kpi"))
            .current_dir(&case)
            .args(["eval", "policy.kpi", "--data", "records.csv"])
            .output()
            .unwrap()
            .stdout
    };
    let first = run();
    assert!(!first.is_empty());
    assert_eq!(first, run());
}
