//! `kpi eval`'s engines and thread counts agree byte for byte on batches
//! large enough to be split: the one-pass engine hands records to its
//! workers in chunks of 8192, the batch engine splits at 20 000 rows.
//! (The small CLI cases in tests/cli.rs compare the engines on every case.)

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The example records of `name`, copied `times` times with the employees
/// renamed (`E01` → `E01-k`), and teams spread over 7 names, so that the
/// output order differs from the input order.
fn enlarged(name: &str, times: usize, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(format!("{ROOT}/examples/{name}/records.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let mut out = format!("{header}\n");
    for k in 0..times {
        for row in &rows {
            let (employee, rest) = row.split_once(',').unwrap();
            let (period, rest) = rest.split_once(',').unwrap();
            let (_, rest) = rest.split_once(',').unwrap();
            out.push_str(&format!(
                "{employee}-{k},{period},T{},{rest}\n",
                (k * 31) % 7
            ));
        }
    }
    let path = dir.join(format!("{name}.csv"));
    std::fs::write(&path, out).unwrap();
    path
}

fn eval(name: &str, data: &Path, extra: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(["eval", &format!("{ROOT}/policies/{name}.kpi"), "--data"])
        .arg(data)
        .args(["--context", &format!("{ROOT}/examples/{name}/context.csv")])
        .args(if extra.contains(&"--format") {
            &[][..]
        } else {
            &["--format", "csv"][..]
        })
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{extra:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn per_record_policy_same_bytes_for_every_engine_and_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    // 20 rows × 1200 = 24 000 records: three chunks, two batch threads
    let data = enlarged("tmall_after_sales", 1200, dir.path());
    let reference = eval(
        "tmall_after_sales",
        &data,
        &["--engine", "batch", "--threads", "1"],
    );
    assert_eq!(
        String::from_utf8_lossy(&reference).lines().count(),
        24_001,
        "header and every record"
    );
    let json = |extra: &[&str]| {
        let mut args = vec!["--format", "json"];
        args.extend(extra);
        eval("tmall_after_sales", &data, &args)
    };
    assert!(
        json(&["--engine", "stream", "--spill-bytes", "100000"]) == json(&["--engine", "batch"])
    );
    for extra in [
        ["--engine", "batch", "--threads", "2"],
        ["--engine", "stream", "--threads", "1"],
        ["--engine", "stream", "--threads", "2"],
        ["--engine", "stream", "--threads", "5"],
        // results sorted in runs on disk (about 40 runs), merged
        ["--engine", "stream", "--spill-bytes", "60000"],
        ["--engine", "stream", "--spill-bytes", "1"],
    ] {
        assert!(
            eval("tmall_after_sales", &data, &extra) == reference,
            "{extra:?} differs from --engine batch --threads 1"
        );
    }
}

#[test]
fn team_policy_same_bytes_for_every_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let data = enlarged("tmall_bonus_sheet", 800, dir.path());
    let reference = eval("tmall_bonus_sheet", &data, &["--threads", "1"]);
    assert_eq!(String::from_utf8_lossy(&reference).lines().count(), 22_401);
    assert!(eval("tmall_bonus_sheet", &data, &["--threads", "2"]) == reference);
    // a team policy cannot stream: said so, as a usage error
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args([
            "eval",
            &format!("{ROOT}/policies/tmall_bonus_sheet.kpi"),
            "--data",
        ])
        .arg(&data)
        .args([
            "--context",
            &format!("{ROOT}/examples/tmall_bonus_sheet/context.csv"),
        ])
        .args(["--engine", "stream"])
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("`--engine stream` needs a policy without team or history rules"));
}
