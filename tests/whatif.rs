//! `kpi whatif`: exact answers at band edges and step boundaries, team
//! rules, money targets — each suggestion checked independently by
//! rewriting the record in the data file and running `kpi eval`, and shown
//! minimal by checking that one unit less does not reach the target.
//!
//! Policies and data are frozen copies in `tests/data/whatif/`.

use rust_decimal::Decimal;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/whatif");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn kpi(args: &[&str], dir: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(args)
        .current_dir(dir)
        .env_remove("LANG")
        .output()
        .expect("run kpi");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8"),
        stderr: String::from_utf8(out.stderr).expect("utf-8"),
    }
}

/// A policy with its data files (`NAME.kpi`, `NAME_records.csv`, optional
/// `NAME_context.csv`).
struct Case {
    name: &'static str,
}

impl Case {
    fn context(&self) -> Option<String> {
        let c = format!("{}_context.csv", self.name);
        Path::new(DIR).join(&c).exists().then_some(c)
    }

    /// `kpi whatif … --format json`.
    fn whatif(&self, employee: &str, period: &str, target: &str) -> Value {
        let policy = format!("{}.kpi", self.name);
        let data = format!("{}_records.csv", self.name);
        let ctx = self.context();
        let mut args = vec!["whatif", &policy, "--data", &data];
        if let Some(c) = &ctx {
            args.extend(["--context", c]);
        }
        args.extend([
            "--employee",
            employee,
            "--period",
            period,
            "--target",
            target,
            "--format",
            "json",
        ]);
        let run = kpi(&args, Path::new(DIR));
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str(&run.stdout).expect("JSON")
    }

    /// Evaluates with one cell of one record replaced; returns that
    /// record's outputs.
    fn eval_with(&self, employee: &str, period: &str, column: &str, cell: &str) -> Value {
        let text =
            std::fs::read_to_string(Path::new(DIR).join(format!("{}_records.csv", self.name)))
                .expect("records");
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let headers = rd.headers().expect("header").clone();
        let col = headers
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column}"));
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("records.csv");
        let mut wr = csv::Writer::from_path(&path).expect("write");
        wr.write_record(&headers).expect("write");
        let mut hit = false;
        for rec in rd.records() {
            let rec = rec.expect("record");
            let mut cells: Vec<String> = rec.iter().map(str::to_string).collect();
            if cells[0] == employee && cells[1] == period {
                cells[col] = cell.to_string();
                hit = true;
            }
            wr.write_record(&cells).expect("write");
        }
        wr.flush().expect("flush");
        assert!(hit, "no record {employee} {period}");
        let policy = Path::new(DIR).join(format!("{}.kpi", self.name));
        let mut args = vec![
            "eval".to_string(),
            policy.display().to_string(),
            "--data".into(),
            path.display().to_string(),
            "--format".into(),
            "json".into(),
        ];
        if let Some(c) = self.context() {
            args.extend([
                "--context".into(),
                Path::new(DIR).join(c).display().to_string(),
            ]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = kpi(&args, tmp.path());
        assert_eq!(run.code, 0, "eval with {column} = {cell}: {}", run.stderr);
        let v: Value = serde_json::from_str(&run.stdout).expect("JSON");
        v["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["employee"] == employee && r["period"] == period)
            .expect("record")["outputs"]
            .clone()
    }
}

/// The entry of one input in a what-if report.
fn input<'a>(w: &'a Value, id: &str) -> &'a Value {
    w["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no input {id}"))
}

fn dec(s: &str) -> Decimal {
    let t: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    Decimal::from_str(&t).unwrap_or_else(|_| panic!("not a number: {s}"))
}

/// Checks a suggestion: with the needed value the output meets the target
/// (`>=` on a number, or equality of text), and with `before` (one unit
/// closer to the current value) it does not.
#[allow(clippy::too_many_arguments)]
fn check(
    case: &Case,
    employee: &str,
    period: &str,
    column: &str,
    needed: &str,
    before: &str,
    output: &str,
    meets: impl Fn(&str) -> bool,
) {
    let with = case.eval_with(employee, period, column, needed);
    let got = with[output].as_str().expect("output").to_string();
    assert!(meets(&got), "{column} = {needed}: {output} = {got}");
    let without = case.eval_with(employee, period, column, before);
    let got = without[output].as_str().expect("output").to_string();
    assert!(
        !meets(&got),
        "{column} = {before} already reaches: {output} = {got}"
    );
}

#[test]
fn grade_b_to_a_needs_exactly_91() {
    let case = Case { name: "score" };
    let w = case.whatif("W01", "2026-09", "grade = A");
    assert_eq!(w["current"], "B");
    assert_eq!(w["levels_apart"], 1);
    let k = input(&w, "kpi_score");
    assert_eq!(k["outcome"], "reachable");
    assert_eq!(k["best"]["needed"], "91");
    assert_eq!(k["best"]["change"], "+2.5");
    assert_eq!(k["best"]["result"], "A");
    assert_eq!(k["best"]["verified"], true);
    assert_eq!(input(&w, "perf_pay_base")["outcome"], "no_effect");
    check(
        &case,
        "W01",
        "2026-09",
        "考核分数",
        "91",
        "90.99",
        "grade",
        |g| g == "A",
    );

    // 0.01 below the edge: the smallest step up.
    let w = case.whatif("W02", "2026-09", "grade = A");
    assert_eq!(input(&w, "kpi_score")["best"]["change"], "+0.01");
    // Down to E: just below 65.
    let w = case.whatif("W01", "2026-09", "grade = E");
    assert_eq!(input(&w, "kpi_score")["best"]["needed"], "64.99");
    check(
        &case,
        "W01",
        "2026-09",
        "考核分数",
        "64.99",
        "65",
        "grade",
        |g| g == "E",
    );
    // Levels declared first are better: B already meets `>= C`.
    let w = case.whatif("W01", "2026-09", "grade >= C");
    assert_eq!(w["met"], true);
}

#[test]
fn money_target_on_either_input() {
    let case = Case { name: "score" };
    let w = case.whatif("W01", "2026-09", "perf_pay >= 2000");
    assert_eq!(w["gap"], "+¥400.00");
    assert_eq!(input(&w, "kpi_score")["best"]["needed"], "91");
    let base = input(&w, "perf_pay_base");
    assert_eq!(base["best"]["needed"], "¥2500.00");
    assert_eq!(base["best"]["change"], "+¥500.00");
    assert_eq!(base["best"]["result"], "¥2000.00");
    let ge = |v: &str| dec(v) >= dec("2000");
    check(
        &case,
        "W01",
        "2026-09",
        "绩效工资基数",
        "¥2500.00",
        "¥2499.99",
        "perf_pay",
        ge,
    );
    // E (0%) cannot be paid anything by raising the base alone.
    let w = case.whatif("W03", "2026-09", "perf_pay >= 100");
    assert_eq!(input(&w, "perf_pay_base")["outcome"], "unreachable");
    assert_eq!(input(&w, "kpi_score")["best"]["needed"], "65");
}

#[test]
fn s1_step_boundary_is_exact() {
    let case = Case { name: "s1" };
    // E01: 0.8% against an industry 0.5% → 3 whole steps above → 9.
    // Reaching 13 needs one whole step only: anything below 0.7% (0.2% above
    // is two steps), so 0.69% on the 0.01% grid.
    let w = case.whatif("E01", "2026-09", "refund_dispute >= 13");
    let r = input(&w, "refund_dispute_rate");
    assert_eq!(r["best"]["needed"], "0.69%");
    assert_eq!(r["best"]["change"], "-0.11%");
    let ge13 = |v: &str| dec(v) >= dec("13");
    let col = "退款纠纷率";
    check(
        &case,
        "E01",
        "2026-09",
        col,
        "0.69%",
        "0.7%",
        "refund_dispute",
        ge13,
    );
    // Below the industry the boundary is inclusive: 3 whole steps below
    // (+6 → 21) start at exactly 0.2%.
    // total 78 → 90 needs +12 from refund_dispute: 9 → 21.
    let w = case.whatif("E01", "2026-09", "total >= 90");
    assert_eq!(w["gap"], "+12");
    assert_eq!(input(&w, "refund_dispute_rate")["best"]["needed"], "0.2%");
    assert_eq!(input(&w, "communication_rating")["outcome"], "unreachable");
    let ge90 = |v: &str| dec(v) >= dec("90");
    check(
        &case,
        "E01",
        "2026-09",
        "退款纠纷率",
        "0.2%",
        "0.21%",
        "total",
        ge90,
    );
}

#[test]
fn s3_ceil_step_boundary() {
    let case = Case { name: "s3" };
    // A01: 3.5 d against an industry 3 d; partial days count (ceil) → 9.
    // Back to 10 needs no day above at all: exactly 3 d; 1 s more is a day.
    let w = case.whatif("A01", "2026-09", "refund_close >= 10");
    let r = input(&w, "refund_close_days");
    assert_eq!(r["best"]["needed"], "3d");
    assert_eq!(r["best"]["change"], "-0.5d");
    let ge10 = |v: &str| dec(v) >= dec("10");
    check(
        &case,
        "A01",
        "2026-09",
        "退款完结时长",
        "3d",
        "259201s",
        "refund_close",
        ge10,
    );
}

#[test]
fn s3_team_average_moves_with_the_record() {
    let case = Case { name: "s3" };
    // A02: 12 tickets, team 15 + 10 + 13. x / ((38 + x) / 4) ≥ 110% ⇔
    // x ≥ 41.8 / 2.9 = 14.41…: the smallest value on the 0.01 grid is 14.42.
    let w = case.whatif("A02", "2026-09", "tickets >= 10");
    let t = input(&w, "daily_tickets");
    assert_eq!(t["best"]["needed"], "14.42");
    assert_eq!(input(&w, "reply_rate")["outcome"], "no_effect");
    let ge10 = |v: &str| dec(v) >= dec("10");
    check(
        &case,
        "A02",
        "2026-09",
        "日均问题单处理数",
        "14.42",
        "14.41",
        "tickets",
        ge10,
    );
}

#[test]
fn s2_band_edge_and_money() {
    let case = Case { name: "s2" };
    // A05: total 90.5 (B). A response of 36 s scores 50; (30 s, 35 s] scores
    // 60, +1.5 → 92 (A). The edge is inclusive: exactly 35 s.
    let w = case.whatif("A05", "2026-09", "grade = A");
    let r = input(&w, "avg_response");
    assert_eq!(r["best"]["needed"], "35s");
    assert_eq!(r["best"]["change"], "-1s");
    assert_eq!(input(&w, "perf_pay_base")["outcome"], "no_effect");
    check(
        &case,
        "A05",
        "2026-09",
        "平均响应时间",
        "35",
        "36",
        "grade",
        |g| g == "A",
    );
    // A grade input counts too: 良好 → 优秀 adds 10% × 20 = 2 → 92.5 (A);
    // no worse level reaches A.
    let d = input(&w, "daily_rating");
    assert_eq!(d["outcome"], "reachable");
    assert_eq!(d["best"]["needed"], "优秀");
    assert_eq!(d["best"]["change"], "良好 → 优秀");
    assert_eq!(d["best"]["verified"], true);
    assert!(d["down"].is_null());
    check(
        &case,
        "A05",
        "2026-09",
        "平时表现",
        "优秀",
        "良好",
        "grade",
        |g| g == "A",
    );
    // perf_pay = base × 80%: ≥ ¥5000 needs a base of ¥6250.
    let w = case.whatif("A05", "2026-09", "perf_pay >= 5000");
    assert_eq!(input(&w, "perf_pay_base")["best"]["needed"], "¥6250.00");
    let ge = |v: &str| dec(v) >= dec("5000");
    check(
        &case,
        "A05",
        "2026-09",
        "绩效工资基数",
        "¥6250.00",
        "¥6249.99",
        "perf_pay",
        ge,
    );
}

#[test]
fn human_report_and_usage_errors() {
    let dir = Path::new(DIR);
    let base = [
        "whatif",
        "score.kpi",
        "--data",
        "score_records.csv",
        "--employee",
        "W01",
    ];
    let mut args = base.to_vec();
    args.extend(["--target", "grade = A", "--lang", "en"]);
    let run = kpi(&args, dir);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("target: grade = A — now grade = B (1 level(s) away)"));
    assert!(run.stdout.contains("88.5"));
    assert!(run.stdout.contains("does not affect grade"));
    let mut args = base.to_vec();
    args.extend(["--target", "grade = A", "--lang", "zh"]);
    assert!(kpi(&args, dir)
        .stdout
        .contains("目标: grade = A — 当前 grade = B"));

    let mut args = base.to_vec();
    args.extend(["--target", "grad = A"]);
    let run = kpi(&args, dir);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `grade`?"),
        "{}",
        run.stderr
    );
    let mut args = base.to_vec();
    args.extend(["--target", "grade = Z"]);
    assert_eq!(kpi(&args, dir).code, 2);
    let mut args = base.to_vec();
    args.extend(["--target", "total 90"]);
    assert_eq!(kpi(&args, dir).code, 2);
}

/// Issue 15: what-if through a table used four times (the PK sheet): a tie
/// for first place on any one metric lifts A2 from ¥600 to ¥800.
#[test]
fn through_a_table_used_four_times() {
    let case = Case { name: "pk" };
    let w = case.whatif("A2", "2026-10", "pk_total >= 800");
    assert_eq!(w["current"], "¥600.00");
    let best = |id: &str| input(&w, id)["best"].clone();
    assert_eq!(best("amount")["needed"], "¥900.00");
    assert_eq!(best("response")["needed"], "15s");
    assert_eq!(best("rating")["needed"], "99.5%");
    for id in ["amount", "response", "rating"] {
        assert_eq!(best(id)["result"], "¥800.00");
        assert_eq!(best(id)["verified"], true);
    }
    // first on conversion already: nothing to gain there
    assert_eq!(input(&w, "conversion")["outcome"], "unreachable");
    check(
        &case,
        "A2",
        "2026-10",
        "成交金额",
        "900",
        "899.99",
        "pk_total",
        |v| v == "800.00",
    );
}
