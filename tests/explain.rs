//! `kpi explain`: snapshots of the score sheet (Chinese and English) for an
//! S1 and an S3 employee, and checks that every explained figure is the
//! one `kpi eval` prints.
//!
//! The policies and data of the snapshots are frozen copies in
//! `tests/data/explain/` (so that editing a seed policy does not move the
//! quoted line numbers); snapshots live in `tests/data/explain/snapshots/`.
//! After an intended change run `INSTA_UPDATE=always cargo test --test
//! explain` and review the changed `.snap` files.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/explain");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn kpi(args: &[&str], lang_env: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.args(args).current_dir(DIR).env_remove("LANG");
    if let Some(l) = lang_env {
        cmd.env("LANG", l);
    }
    let out = cmd.output().expect("run kpi");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `kpi explain` of a frozen seed policy (`s1` or `s3`).
fn explain(policy: &str, employee: &str, period: &str, extra: &[&str]) -> Run {
    let kpi_file = format!("{policy}.kpi");
    let data = format!("{policy}_records.csv");
    let ctx = format!("{policy}_context.csv");
    let mut args = vec![
        "explain",
        &kpi_file,
        "--data",
        &data,
        "--context",
        &ctx,
        "--employee",
        employee,
        "--period",
        period,
    ];
    args.extend_from_slice(extra);
    let run = kpi(&args, None);
    assert_eq!(run.code, 0, "explain failed: {}", run.stderr);
    run
}

macro_rules! snapshot {
    ($name:expr, $text:expr) => {
        insta::with_settings!({
            snapshot_path => "data/explain/snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

#[test]
fn s1_score_sheet_english() {
    let run = explain("s1", "E01", "2026-09", &["--lang", "en"]);
    let out = &run.stdout;
    assert!(out.contains("total = 8 + 9 + 7 + 7 + 8 + 9 + 19 + 11 + 0 = 78"));
    assert!(out
        .contains("0.3% above 0.5% → 0.3% / 0.1% = 3 → 3 step(s) (floor: whole steps) × -2 = -6"));
    assert!(out.contains("if `late_count <= 3`: yes → `late_count`"));
    assert!(out.contains("refund_dispute_rate (退款纠纷率) = 0.8%"));
    snapshot!("s1_e01_en", run.stdout);
}

#[test]
fn s1_score_sheet_chinese() {
    let run = explain("s1", "E02", "2026-09", &["--lang", "zh"]);
    let out = &run.stdout;
    assert!(out.starts_with("评分明细: 售后KPI考核报表"));
    // E02: 0.29% against 0.5% is 0.21% below: two whole steps, +4.
    assert!(out.contains("比 0.5% 低 0.21% → 0.21% / 0.1% = 2.1 → 2 步 (只计整步) × +2 = 4"));
    // 2.7 d against 2 d: one whole 0.5 d step above, −2.
    assert!(out.contains("比 2d 高 0.7d → 0.7d / 0.5d = 1.4 → 1 步 (只计整步) × -2 = -2"));
    snapshot!("s1_e02_zh", run.stdout);
}

#[test]
fn s3_team_rules_english() {
    let run = explain("s3", "A01", "2026-09", &["--lang", "en"]);
    let out = &run.stdout;
    // tickets: 15 against a team average of (15 + 12 + 10 + 13) / 4 = 12.5 → 120%.
    assert!(
        out.contains("team average team.avg(daily_tickets) = 12.5 (team A, 2026-09, 4 records)")
    );
    assert!(
        out.contains("band on `daily_tickets / team_avg_tickets` = 120%: arm 1 `>= 110% -> 10`")
    );
    // order amount ¥8000 ties for first (A01 and A02).
    assert!(out.contains("rank rank(order_amount, desc) = 1 of 4"));
    assert!(out.contains("rule 2 applies: `rank(order_amount, desc) == 1 -> 5`"));
    // refund close: 3.5 d against 3 d, a partial day counts (ceil).
    assert!(out.contains("0.5d / 1d = 0.5 → 1 step(s) (ceil: a partial step counts) × -1 = -1"));
    snapshot!("s3_a01_en", run.stdout);
}

#[test]
fn s3_team_rules_chinese() {
    let run = explain("s3", "A03", "2026-09", &["--lang", "zh"]);
    let out = &run.stdout;
    // 10 against 12.5 is exactly 80%: ≤ 90% → −10.
    assert!(
        out.contains("分档 `daily_tickets / team_avg_tickets` = 80%: 命中第 2 档 `<= 90% -> -10`")
    );
    assert!(
        out.contains("排名 rank(order_amount, desc) = 第 3 名 / 共 4 人 (降序; 团队 A, 2026-09)")
    );
    snapshot!("s3_a03_zh", run.stdout);
}

#[test]
fn language_defaults_to_lang_env() {
    let args = [
        "explain",
        "s1.kpi",
        "--data",
        "s1_records.csv",
        "--context",
        "s1_context.csv",
        "--employee",
        "E03",
    ];
    let zh = kpi(&args, Some("zh_CN.UTF-8"));
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    assert!(zh.stdout.starts_with("评分明细"));
    let en = kpi(&args, Some("C.UTF-8"));
    assert!(en.stdout.starts_with("Score sheet"));
    // Without --period: the employee's latest period.
    assert!(en.stdout.contains("Employee E03 · period 2026-10 · team A"));
}

#[test]
fn unknown_employee_suggests_the_nearest_id() {
    let run = kpi(
        &[
            "explain",
            "s1.kpi",
            "--data",
            "s1_records.csv",
            "--context",
            "s1_context.csv",
            "--employee",
            "E1O",
        ],
        None,
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no record for employee `E1O`"));
    assert!(run.stderr.contains("did you mean `E10`?"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn missing_period_lists_the_employees_periods() {
    let run = kpi(
        &[
            "explain",
            "s1.kpi",
            "--data",
            "s1_records.csv",
            "--context",
            "s1_context.csv",
            "--employee",
            "E01",
            "--period",
            "2026-11",
        ],
        None,
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("their periods are 2026-09, 2026-10"));
    let bad = kpi(
        &[
            "explain",
            "s1.kpi",
            "--data",
            "s1_records.csv",
            "--context",
            "s1_context.csv",
            "--employee",
            "E01",
            "--period",
            "2026-13",
        ],
        None,
    );
    assert_eq!(bad.code, 2);
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// For every record: `explain --format json` shows, for every output,
/// exactly the text `eval --format json` writes.
fn explained_equals_eval(policy: &Path, data: &Path, context: Option<&Path>) -> usize {
    let p = policy.to_str().expect("path");
    let d = data.to_str().expect("path");
    let mut base = vec![p, "--data", d];
    if let Some(c) = context {
        base.extend(["--context", c.to_str().expect("path")]);
    }
    let mut eval_args = vec!["eval"];
    eval_args.extend(&base);
    eval_args.extend(["--format", "json"]);
    let eval = kpi(&eval_args, None);
    assert_eq!(eval.code, 0, "{}", eval.stderr);
    let results = json(&eval.stdout)["results"]
        .as_array()
        .expect("results")
        .clone();
    for r in &results {
        let (emp, period) = (
            r["employee"].as_str().unwrap(),
            r["period"].as_str().unwrap(),
        );
        let mut args = vec!["explain"];
        args.extend(&base);
        args.extend(["--employee", emp, "--period", period, "--format", "json"]);
        let x = kpi(&args, None);
        assert_eq!(x.code, 0, "{}", x.stderr);
        let x = json(&x.stdout);
        let outputs = r["outputs"].as_object().expect("outputs");
        let entries = x["outputs"].as_array().expect("entries");
        let names: Vec<&str> = entries
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = outputs.keys().map(String::as_str).collect();
        assert_eq!(names, want, "{p}: outputs in declaration order");
        for e in entries {
            let name = e["name"].as_str().unwrap();
            let expected = match &outputs[name] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(
                e["shown"].as_str().unwrap(),
                expected,
                "{p} {emp} {period} `{name}`"
            );
        }
    }
    results.len()
}

#[test]
fn explained_figures_equal_eval_on_the_frozen_copies() {
    let dir = Path::new(DIR);
    for s in ["s1", "s3"] {
        let n = explained_equals_eval(
            &dir.join(format!("{s}.kpi")),
            &dir.join(format!("{s}_records.csv")),
            Some(&dir.join(format!("{s}_context.csv"))),
        );
        assert!(n >= 20);
    }
}

#[test]
fn explained_figures_equal_eval_for_every_seed_policy() {
    let root = Path::new(ROOT);
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(root.join("policies"))
        .expect("policies/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "kpi"))
        .collect();
    entries.sort();
    for policy in entries {
        let stem = policy.file_stem().unwrap().to_str().unwrap().to_string();
        let data = root.join("examples").join(&stem).join("records.csv");
        if !data.exists() {
            continue;
        }
        let ctx = root.join("examples").join(&stem).join("context.csv");
        checked += explained_equals_eval(&policy, &data, ctx.exists().then_some(ctx.as_path()));
    }
    assert!(checked > 100, "only {checked} records checked");
}

/// A comparison with a computed side shows that side's value
/// (`91 >= (70% × 130 = 91)`), not only its figures.
#[test]
fn comparison_shows_the_value_of_a_computed_side() {
    let run = kpi(
        &[
            "explain",
            "computed_side.kpi",
            "--data",
            "computed_side_records.csv",
            "--employee",
            "E1",
            "--lang",
            "en",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("✓ score >= 70% * base: 91 >= (70% × 130 = 91)"),
        "{}",
        run.stdout
    );
}

/// Issue 10 item 9: `has_prev(x)` is explained with the month it looked
/// for, in both languages, and agrees with eval.
#[test]
fn has_prev_is_explained() {
    let case = Path::new(ROOT).join("tests/data/eval/history_has_prev");
    let (policy, data) = (case.join("policy.kpi"), case.join("records.csv"));
    let args = |e: &str, p: &str| {
        vec![
            "explain".to_string(),
            policy.display().to_string(),
            "--data".into(),
            data.display().to_string(),
            "--employee".into(),
            e.into(),
            "--period".into(),
            p.into(),
        ]
    };
    let gap = args("E1", "2026-04");
    let gap: Vec<&str> = gap.iter().map(String::as_str).collect();
    let en = kpi(&gap, Some("C"));
    assert_eq!(en.code, 0, "{}", en.stderr);
    assert!(
        en.stdout
            .contains("previous month has_prev(dsr) = false (2026-03 has no record)"),
        "{}",
        en.stdout
    );
    assert!(
        en.stdout.contains("if `has_prev(dsr)`: no → `0%`"),
        "{}",
        en.stdout
    );
    let next = args("E1", "2026-02");
    let next: Vec<&str> = next.iter().map(String::as_str).collect();
    let zh = kpi(&next, Some("zh_CN.UTF-8"));
    assert!(
        zh.stdout
            .contains("上月有记录 has_prev(dsr) = true (2026-01 有记录)"),
        "{}",
        zh.stdout
    );
    assert!(explained_equals_eval(&policy, &data, None) >= 4);
}

/// Issue 15: each use of a table names the table and the arm it took, in
/// both languages (the rank shows the argument the use passed).
#[test]
fn a_table_used_four_times_is_named_at_each_use() {
    let args = |lang| {
        [
            "explain",
            "pk_tables.kpi",
            "--data",
            "pk_tables_records.csv",
            "--employee",
            "A1",
            "--lang",
            lang,
        ]
    };
    let en = kpi(&args("en"), None);
    assert_eq!(en.code, 0, "{}", en.stderr);
    for line in [
        "table `place_prize`: band on `rank(amount, desc)` = 1: arm 1 `== 1 -> ¥300` (line 11) → ¥300.00",
        "table `place_prize`: band on `rank(conversion, desc)` = 2: arm 2 `== 2 -> ¥200` (line 12) → ¥200.00",
        "table `place_prize`: band on `rank(response, asc)` = 2: arm 2 `== 2 -> ¥200` (line 12) → ¥200.00",
        "table `place_prize`: band on `rank(rating, desc)` = 2: arm 2 `== 2 -> ¥200` (line 12) → ¥200.00",
        "table `place_prize`: band on `rank(amount, desc) + 1` = 2: arm 2 `== 2 -> ¥200` (line 12) → ¥200.00",
    ] {
        assert!(en.stdout.contains(line), "{line}\n{}", en.stdout);
    }
    let zh = kpi(&args("zh"), None);
    assert!(zh.stdout.contains(
        "表 `place_prize`: 分档 `rank(amount, desc)` = 1: 命中第 1 档 `== 1 -> ¥300` (第 11 行) → ¥300.00"
    ));
    let run = kpi(
        &[
            "explain",
            "pk_tables.kpi",
            "--data",
            "pk_tables_records.csv",
            "--employee",
            "A1",
            "--format",
            "json",
        ],
        None,
    );
    let v = json(&run.stdout);
    assert_eq!(v["outputs"][0]["decisions"][0]["table"], "place_prize");
}

/// `kpi explain --lang en` of employee `E` in a policy and records given
/// as text (written to a temporary directory); its stdout.
fn explain_inline(policy: &str, records: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kpi"), policy).unwrap();
    std::fs::write(dir.path().join("r.csv"), records).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .current_dir(dir.path())
        .args([
            "explain",
            "p.kpi",
            "--data",
            "r.csv",
            "--employee",
            "E",
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// One table used twice in one formula: each use shows its own arm (the
/// uses share the table's spans), and the formula names the table.
#[test]
fn a_table_used_twice_in_one_formula() {
    let text = explain_inline(
        "policy \"p\"\ninput a : points\ninput b : points\n\
         table lvl(x: points) : points = band x { >= 90 -> 10, >= 60 -> 5, else -> 0 }\n\
         item both = lvl(a) + lvl(b)\n",
        "employee,period,a,b\nE,2026-10,95,70\n",
    );
    for line in [
        "table `lvl`: band on `a` = 95: arm 1 `>= 90 -> 10` (line 4) → 10",
        "table `lvl`: band on `b` = 70: arm 2 `>= 60 -> 5` (line 4) → 5",
        "formula: lvl(a) + lvl(b)",
        "= 10 + 5 = 15",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

/// A step table used twice in one formula: each use shows its own steps.
#[test]
fn a_step_table_used_twice_in_one_formula() {
    let text = explain_inline(
        "policy \"p\"\ninput a : percent\ninput b : percent\n\
         table penalty(rate: percent) : points = steps rate { each 1% below 99%: -1, uncapped }\n\
         item both = 20 + penalty(a) + penalty(b)\n",
        "employee,period,a,b\nE,2026-10,97%,95.5%\n",
    );
    for line in [
        "table `penalty`: steps on `a` = 97% (line 4):",
        "2% below 99% → 2% / 1% = 2 → 2 step(s) (floor: whole steps) × -1 = -2",
        "table `penalty`: steps on `b` = 95.5% (line 4):",
        "3.5% below 99% → 3.5% / 1% = 3.5 → 3 step(s) (floor: whole steps) × -1 = -3",
        "formula: 20 + penalty(a) + penalty(b)",
        "= 20 + (-2) + (-3) = 15",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}
