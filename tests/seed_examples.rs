//! The seed policies on their example data, compared with the independent
//! oracle (`tests/oracle/oracle.py`, exact fractions from REQUIREMENTS §6):
//! each `tests/data/seed_oracle/<policy>/cmd` holds the `kpi` arguments and
//! `expected.json` the oracle's output, which `kpi eval` must match byte for byte.

use std::path::Path;
use std::process::Command;

fn check(case: &Path) {
    let cmd = std::fs::read_to_string(case.join("cmd")).unwrap();
    let expected = std::fs::read_to_string(case.join("expected.json")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(cmd.split_whitespace())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}",
        case.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8(out.stdout).unwrap();
    if got != expected {
        // Show the first differing result line, not two walls of JSON.
        let diff = got
            .lines()
            .zip(expected.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b);
        panic!(
            "{}: output differs from the oracle at line {:?}",
            case.display(),
            diff.map(|(i, (a, b))| format!("{}:\n  kpi:    {a}\n  oracle: {b}", i + 1))
        );
    }
}

#[test]
fn every_seed_policy_matches_the_oracle() {
    let mut cases: Vec<_> = std::fs::read_dir("tests/data/seed_oracle")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 8, "one case per seed policy S1–S8");
    for case in &cases {
        check(case);
    }
}

#[test]
fn every_embedded_test_passes() {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(["test", "policies"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    let passed: usize = last.split_whitespace().next().unwrap().parse().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    assert!(passed >= 16, "{last}");
}

#[test]
fn the_readme_command_runs() {
    // The first command of README.md, without cargo: eval S1's examples as a table.
    let readme = std::fs::read_to_string("README.md").unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- eval"))
        .expect("README's first command");
    let args: Vec<&str> = line
        .trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("employee"), "{table}");
    assert!(table.lines().count() > 3);
}
