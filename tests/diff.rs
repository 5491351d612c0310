//! `kpi diff`: two versions of S2 (售前客服团队绩效考核) from a git history
//! the test builds (`git init`, commit v1, lower the A threshold, commit
//! v2, move weight from 平时表现 to 响应时间, commit v3), compared on the
//! same records with exact counts and payroll deltas.
//!
//! The expected figures are worked out by hand in the comments: every
//! total moves by 5 % × (response_score − daily_score) between v2 and v3.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/diff");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, program: &str, args: &[&str]) -> Run {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn git(dir: &Path, args: &[&str]) {
    let mut all = vec![
        "-c",
        "user.name=kpi test",
        "-c",
        "user.email=kpi@example.invalid",
        "-c",
        "commit.gpgsign=false",
    ];
    all.extend_from_slice(args);
    let r = run_in(dir, "git", &all);
    assert_eq!(r.code, 0, "git {args:?}: {}", r.stderr);
}

fn v1() -> String {
    std::fs::read_to_string(Path::new(DIR).join("presales_v1.kpi")).expect("v1")
}

/// v2: A from 90 (was 91).
fn v2() -> String {
    v1().replace(">= 91 -> A", ">= 90 -> A")
}

/// v3: response 15 % → 20 %, daily 10 % → 5 %.
fn v3() -> String {
    v2().replace(
        "item response_score \"响应时间得分\" weight 15%",
        "item response_score \"响应时间得分\" weight 20%",
    )
    .replace(
        "item daily_score \"平时表现得分\" weight 10%",
        "item daily_score \"平时表现得分\" weight 5%",
    )
}

/// A repository with v1, v2, v3 committed; the working tree holds v3.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    git(&dir, &["init", "-q"]);
    for (i, text) in [v1(), v2(), v3()].iter().enumerate() {
        std::fs::write(dir.join("policy.kpi"), text).expect("write");
        git(&dir, &["add", "policy.kpi"]);
        git(&dir, &["commit", "-q", "-m", &format!("v{}", i + 1)]);
    }
    assert_ne!(v1(), v2());
    assert_ne!(v2(), v3());
    (tmp, dir)
}

fn records() -> String {
    Path::new(DIR).join("records.csv").display().to_string()
}

fn kpi(dir: &Path, args: &[&str]) -> Run {
    run_in(dir, env!("CARGO_BIN_EXE_kpi"), args)
}

fn diff_json(dir: &Path, old: &str, new: &str) -> Value {
    let data = records();
    let r = kpi(
        dir,
        &["diff", old, new, "--data", &data, "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("JSON")
}

#[test]
fn lowering_the_a_threshold() {
    let (_tmp, dir) = repo();
    let d = diff_json(&dir, "HEAD~2:policy.kpi", "HEAD~1:policy.kpi");
    assert_eq!(d["old"]["source"], "HEAD~2:policy.kpi");
    assert_eq!(d["records"], 24);
    // Only A05 2026-09 (total 90.5) crosses the new edge: B → A.
    let changed = d["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["employee"], "A05");
    assert_eq!(changed[0]["period"], "2026-09");
    let changes: Vec<(String, String, String)> = changed[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["output"].as_str().unwrap().to_string(),
                format!(
                    "{} → {}",
                    c["old"].as_str().unwrap(),
                    c["new"].as_str().unwrap()
                ),
                c["delta"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            ("grade".into(), "B → A".into(), String::new()),
            ("pay_ratio".into(), "80% → 100%".into(), "+20%".into()),
            (
                "perf_pay".into(),
                "1600.00 → 2000.00".into(),
                "+400.00".into()
            ),
        ]
    );
    let s = &d["summary"];
    assert_eq!(s["grade_outputs"], serde_json::json!(["grade"]));
    assert_eq!(s["grade_changes"], 1);
    assert_eq!(s["grade_people"], 1);
    assert_eq!(
        s["transitions"],
        serde_json::json!([{"output": "grade", "from": "B", "to": "A", "count": 1}])
    );
    // Σ perf_pay over the 24 records: 11217.29 + 3600 + 7400 + 5200.
    let p = &s["payroll"];
    assert_eq!(p["outputs"], serde_json::json!(["perf_pay"]));
    assert_eq!(p["before"], "27417.29");
    assert_eq!(p["after"], "27817.29");
    assert_eq!(p["delta"], "+400.00");
    assert_eq!(s["movers"][0]["employee"], "A05");
    assert_eq!(s["movers"][0]["money_delta"], "+400.00");
    assert_eq!(s["movers"].as_array().unwrap().len(), 1);
}

#[test]
fn moving_weight_between_items() {
    let (_tmp, dir) = repo();
    let d = diff_json(&dir, "HEAD~1:policy.kpi", "HEAD:policy.kpi");
    // Every record with response_score ≠ daily_score changes total.
    assert_eq!(d["changed"].as_array().unwrap().len(), 12);
    let s = &d["summary"];
    // A05 2026-09: 90.5 → 89 (A → B, −¥400); A03 2026-09: 76 → 75 (C → D,
    // ¥900 → ¥750).
    assert_eq!(s["grade_changes"], 2);
    assert_eq!(s["grade_people"], 2);
    assert_eq!(
        s["transitions"],
        serde_json::json!([
            {"output": "grade", "from": "A", "to": "B", "count": 1},
            {"output": "grade", "from": "C", "to": "D", "count": 1},
        ])
    );
    assert_eq!(s["payroll"]["before"], "27817.29");
    assert_eq!(s["payroll"]["after"], "27267.29");
    assert_eq!(s["payroll"]["delta"], "-550.00");
    assert_eq!(s["total_output"], "total");
    // Money first, then |Δ total| (ties in output order: team, period, employee).
    let movers: Vec<String> = s["movers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {} {} {}",
                m["employee"].as_str().unwrap(),
                m["period"].as_str().unwrap(),
                m["money_delta"].as_str().unwrap(),
                m["total_delta"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        movers,
        vec![
            "A05 2026-09 -400.00 -1.5",
            "A03 2026-09 -150.00 -1",
            "A01 2026-09 0.00 +1",
            "A07 2026-09 0.00 +1",
            "A08 2026-09 0.00 -1",
        ]
    );
    // The same in a table and in CSV.
    let data = records();
    let t = kpi(
        &dir,
        &[
            "diff",
            "HEAD~1:policy.kpi",
            "HEAD:policy.kpi",
            "--data",
            &data,
        ],
    );
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(t
        .stdout
        .contains("payroll (sum of perf_pay): 27817.29 → 27267.29 (-550.00)"));
    assert!(t
        .stdout
        .contains("grade (grade): 2 record(s), 2 people change grade"));
    let c = kpi(
        &dir,
        &[
            "diff",
            "HEAD~1:policy.kpi",
            "HEAD:policy.kpi",
            "--data",
            &data,
            "--format",
            "csv",
        ],
    );
    let lines: Vec<&str> = c.stdout.lines().collect();
    assert_eq!(lines[0], "employee,period,team,output,status,old,new,delta");
    assert!(lines.contains(&"A05,2026-09,A,perf_pay,changed,2000.00,1600.00,-400.00"));
    assert!(lines.contains(&"A05,2026-09,A,total,changed,90.5,89,-1.5"));
}

#[test]
fn added_input_is_reported_with_its_version() {
    let (_tmp, dir) = repo();
    let with_input = v3().replace(
        "input perf_pay_base \"绩效工资基数\" : money",
        "input perf_pay_base \"绩效工资基数\" : money\ninput bonus_extra \"额外奖金\" : money",
    );
    std::fs::write(dir.join("policy.kpi"), &with_input).expect("write");
    let data = records();
    let r = kpi(
        &dir,
        &["diff", "HEAD:policy.kpi", "policy.kpi", "--data", &data],
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .contains("the data does not fit the NEW version `policy.kpi`"),
        "{}",
        r.stderr
    );
    assert!(r
        .stderr
        .contains("input `bonus_extra` is new in the NEW version"));

    // With a default the data fits; the new input is listed.
    std::fs::write(
        dir.join("policy.kpi"),
        with_input.replace(
            ": money\ninput bonus_extra \"额外奖金\" : money",
            ": money\ninput bonus_extra \"额外奖金\" : money default ¥0",
        ),
    )
    .expect("write");
    let d = diff_json(&dir, "HEAD:policy.kpi", "policy.kpi");
    assert_eq!(d["inputs"]["added"][0]["id"], "bonus_extra");
    assert_eq!(d["changed"].as_array().unwrap().len(), 0);
    assert_eq!(d["summary"]["payroll"]["delta"], "0.00");
    let t = kpi(
        &dir,
        &["diff", "HEAD:policy.kpi", "policy.kpi", "--data", &data],
    );
    assert!(t.stdout.contains("input added in NEW: bonus_extra : money"));
    assert!(t.stdout.contains("no output changes"));
}

#[test]
fn paths_revisions_and_errors() {
    let (_tmp, dir) = repo();
    // A file whose name has a colon is a path, not REV:path.
    std::fs::write(dir.join("v1:old.kpi"), v1()).expect("write");
    let d = diff_json(&dir, "v1:old.kpi", "policy.kpi");
    assert_eq!(d["old"]["source"], "v1:old.kpi");
    // v1 → v3: A05 stays B (90.5 → 89); only A03's C → D moves money.
    assert_eq!(d["summary"]["payroll"]["delta"], "-150.00");
    let data = records();
    let bad = kpi(
        &dir,
        &["diff", "HEAD~9:policy.kpi", "policy.kpi", "--data", &data],
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("git show"), "{}", bad.stderr);
    std::fs::write(dir.join("broken.kpi"), "policy \"x\"\nitem a = nope\n").expect("write");
    let broken = kpi(&dir, &["diff", "broken.kpi", "policy.kpi", "--data", &data]);
    assert_eq!(broken.code, 1);
    assert!(broken
        .stderr
        .contains("the OLD version `broken.kpi` does not check"));
}

/// Issue 15: S5 written with one table instead of three copies of the band
/// gives the same outputs on its example data; an edit of the one table
/// moves every ranking that uses it.
#[test]
fn saying_a_table_once_changes_no_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("examples/reward_punish_30/records.csv");
    let data = data.display().to_string();
    let old = Path::new(DIR).join("s5_three_bands.kpi");
    let r = kpi(
        root,
        &[
            "diff",
            &old.display().to_string(),
            "policies/reward_punish_30.kpi",
            "--data",
            &data,
            "--lang",
            "en",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("no output changes"), "{}", r.stdout);
    assert!(r
        .stdout
        .contains("payroll (sum of bonus): 21066.00 → 21066.00 (0.00)"));

    let dir = tempfile::tempdir().unwrap();
    let edited = std::fs::read_to_string(root.join("policies/reward_punish_30.kpi"))
        .unwrap()
        .replacen("  == 2 -> 3,", "  == 2 -> 4,", 1);
    let new = dir.path().join("new.kpi");
    std::fs::write(&new, edited).unwrap();
    let r = kpi(
        root,
        &[
            "diff",
            "policies/reward_punish_30.kpi",
            &new.display().to_string(),
            "--data",
            &data,
            "--lang",
            "en",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A02 in 2026-10 is second on all three rankings: +1 point each.
    let a02 = r
        .stdout
        .lines()
        .find(|l| l.starts_with("A02") && l.contains("rank_points"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        a02.contains("9") && a02.contains("12") && a02.contains("+3"),
        "{a02}"
    );
    assert!(r
        .stdout
        .contains("payroll (sum of bonus): 21066.00 → 21182.00 (+116.00)"));
}
