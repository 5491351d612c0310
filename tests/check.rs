//! Snapshot tests of the diagnostics `kpi check` prints (miette: unicode,
//! no colour, width 100), and a check that every policy in `policies/` is
//! clean. Everything goes through the real binary, in English (`LC_ALL=C`),
//! on a file named `policy.kpi`.
//!
//! Snapshots live in `tests/snapshots/`. After an intended wording change,
//! run `INSTA_UPDATE=always cargo test --test check` and review every
//! changed `.snap` file before committing it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `kpi check ARGS… policy.kpi` on `src` in a fresh directory.
fn kpi_check(src: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.kpi"), src).unwrap();
    run_check(dir.path(), args, Path::new("policy.kpi"))
}

fn run_check(dir: &Path, args: &[&str], policy: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpi"))
        .current_dir(dir)
        .env("LC_ALL", "C")
        .arg("check")
        .args(args)
        .arg(policy)
        .output()
        .unwrap()
}

/// What `kpi check` prints for `src`: every error, then every warning,
/// then the count. There must be at least one diagnostic.
fn diagnostics(src: &str) -> String {
    let out = kpi_check(src, &[]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains('×') || stderr.contains('⚠'),
        "no diagnostic for:\n{src}\n{stderr}"
    );
    stderr
}

/// `kpi check --format json`: one object per diagnostic.
fn json_diagnostics(src: &str) -> Vec<Value> {
    let out = kpi_check(src, &["--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().clone()
}

/// Snapshots the diagnostics of a policy text.
macro_rules! assert_diag {
    ($src:expr) => {
        insta::assert_snapshot!(diagnostics($src))
    };
}

// ------------------------------------------------------------------ syntax

#[test]
fn syntax_error_missing_then() {
    assert_diag!("policy \"p\"\ninput a : seconds\nitem x = if a > 3s 5 else 0");
}

#[test]
fn syntax_error_fullwidth_comma() {
    assert_diag!("policy \"p\"\ninput a : points\nitem x = max(a，3)");
}

/// Issue 10 item 10: `let` takes a label, and a range may be open above;
/// both check cleanly and the open range bounds the analysis from below
/// only (no gap above 10).
#[test]
fn let_label_and_open_range_check_cleanly() {
    let src = "policy \"p\"\ninput s : points in 0..\nlet half \"一半\" = s / 2\nitem x = band half { < 10 -> 1, >= 10 -> 2 }";
    let out = kpi_check(src, &["--deny-warnings"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains('⚠'), "{stderr}");
}

/// An open range still bounds from below: an arm below 0 is dead.
#[test]
fn open_range_bounds_from_below() {
    let json = json_diagnostics(
        "policy \"p\"\ninput s : points in 0..\nitem x = band s { < 0 -> 0, < 10 -> 1, else -> 2 }",
    );
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["code"], "kpi::unreachable_arm");
}

/// Issue 10 item 13: the header's column counts characters, as
/// `--format json` does (`item 得分 = 退款 + foo`: `foo` is at column 16,
/// byte 24).
#[test]
fn human_and_json_columns_agree_in_characters() {
    let src = "policy \"p\"\ninput 退款 : points\nitem 得分 = 退款 + foo";
    let human = diagnostics(src);
    assert!(human.contains("╭─[policy.kpi:3:16]"), "{human}");
    let json = json_diagnostics(src);
    assert_eq!(json[0]["labels"][0]["column"], 16, "{json:?}");
}

// ------------------------------------------------------------------- names

#[test]
fn unknown_name_did_you_mean() {
    assert_diag!(
        "policy \"p\"\ninput refund_rate : percent\nitem x = if refund_rat > 1% then 1 else 0"
    );
}

#[test]
fn unknown_name_chinese_did_you_mean() {
    assert_diag!(
        "policy \"售后\"\ninput 退款纠纷率 \"退款纠纷率\" : percent\nitem 得分 = if 退款纠纷律 > 1% then 1 else 0"
    );
}

#[test]
fn unknown_name_without_suggestion() {
    assert_diag!("policy \"p\"\ninput a : points\nitem x = completely_different + a");
}

#[test]
fn unknown_function_did_you_mean() {
    assert_diag!("policy \"p\"\ninput a : points\nitem x = mx(a, 1)");
}

#[test]
fn duplicate_definition() {
    assert_diag!("policy \"p\"\ninput a : points\nitem a = 1");
}

#[test]
fn duplicate_definition_chinese() {
    assert_diag!(
        "policy \"p\"\ninput 得分 : points\nlet 系数 = 2\noutput 系数 : number = 得分 * 2"
    );
}

#[test]
fn duplicate_grade_level() {
    assert_diag!("policy \"p\"\ninput a : grade(A, B, A)");
}

#[test]
fn unknown_type_did_you_mean() {
    assert_diag!("policy \"p\"\ninput a : secnds");
}

#[test]
fn unknown_grade_level_did_you_mean() {
    assert_diag!(
        "policy \"p\"\ninput r : grade(优秀, 良好, 合格, 差)\nitem x = match r { 优秀 -> 100, 良好 -> 80, 合格 -> 70, 差劲 -> 50 }"
    );
}

#[test]
fn unknown_level_of_the_grade_by_total() {
    assert_diag!(
        "policy \"p\"\ninput a : points\nitem x = a\ntotal = sum of items\ngrade by total { >= 90 -> A, >= 80 -> B, else -> C }\noutput r : percent = match grade { A -> 100%, b -> 50%, else -> 0% }"
    );
}

#[test]
fn unknown_input_in_embedded_test() {
    assert_diag!(
        "policy \"p\"\ninput a : points\nitem x = a\ntest \"t\" { given { b = 1 } expect { x = 1 } }"
    );
}

// ------------------------------------------------------------------- units

#[test]
fn unit_mismatch_duration_plus_percent() {
    assert_diag!("policy \"p\"\ninput a : points\nitem x = 30s + 5%");
}

#[test]
fn unit_mismatch_duration_input_plus_percent() {
    assert_diag!("policy \"p\"\ninput a : seconds\nitem x = a + 5%");
}

#[test]
fn unit_mismatch_money_compared_with_days() {
    assert_diag!("policy \"p\"\ninput sales : money\nitem x = if sales > 3d then 1 else 0");
}

#[test]
fn unit_mismatch_money_minus_bare_number() {
    assert_diag!("policy \"p\"\ninput salary : money\noutput x : money = salary - 2");
}

#[test]
fn unit_mismatch_chinese_names() {
    assert_diag!("policy \"p\"\ninput 销售额 : money\noutput 提成 : money = 销售额 - 2");
}

#[test]
fn unit_mismatch_seconds_compared_with_bare_number() {
    assert_diag!("policy \"p\"\ninput a : seconds\nitem x = if a > 30 then 1 else 0");
}

#[test]
fn output_type_mismatch() {
    assert_diag!("policy \"p\"\ninput a : points\noutput x : money = a * 2");
}

#[test]
fn condition_is_not_a_bool() {
    assert_diag!("policy \"p\"\ninput a : points\nitem x = if a then 1 else 0");
}

// ----------------------------------------------------- bands and matches

#[test]
fn band_arm_of_the_wrong_type() {
    assert_diag!(
        "policy \"p\"\ninput a : seconds\nitem x = band a {\n  <= 30s -> 10\n  else -> 5s\n}"
    );
}

#[test]
fn match_missing_a_level() {
    assert_diag!(
        "policy \"p\"\ninput r : grade(优秀, 良好, 合格, 差)\nitem x = match r { 优秀 -> 100, 良好 -> 80, 合格 -> 70 }"
    );
}

#[test]
fn match_missing_two_levels_chinese() {
    assert_diag!(
        "policy \"p\"\ninput 评级 : grade(优秀, 良好, 合格, 差)\nitem 得分 = match 评级 { 优秀 -> 100, 良好 -> 80 }"
    );
}

// ------------------------------------------------------------------ cycles

const CYCLE: &str = "policy \"p\"\nlet a = b + 1\nlet b = a * 2\nitem x = a";

/// What is certainly right about the cycle diagnostic today.
#[test]
fn cyclic_let_is_an_error() {
    let out = kpi_check(CYCLE, &[]);
    assert_eq!(out.status.code(), Some(1));
    let json = json_diagnostics(CYCLE);
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["code"], "kpi::cyclic_definition");
    assert_eq!(json[0]["severity"], "error");
    assert_eq!(json[0]["message"], "`a` and `b` depend on each other");
    // §3.1: every member of the loop is named, each with a label.
    let labels = json[0]["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 2, "{json:?}");
    assert_eq!(labels[0]["label"], "`a` is defined using `b`");
    assert_eq!(labels[1]["label"], "`b` is defined using `a`");
}

#[test]
fn cycle_of_three_names_every_member() {
    assert_diag!("policy \"p\"\nlet a = b + 1\nlet b = c * 2\nlet c = a - 1\nitem x = a");
}

#[test]
fn self_cycle() {
    assert_diag!("policy \"p\"\nlet a = a + 1\nitem x = a");
}

/// The label says "`a` is defined here"; it must therefore underline the
/// name in `let a = …` (line 2), not the use of `a` in `let b = a * 2`.
#[test]

fn cyclic_let() {
    assert_diag!(CYCLE);
}

// ---------------------------------------------------------------- warnings

#[test]
fn percent_added_to_bare_number_warns() {
    assert_diag!(
        "policy \"p\"\ninput refund_rate : percent\ncontext industry : percent\nitem x = if refund_rate > industry + 0.1 then -2 else 0"
    );
}

#[test]
fn percent_compared_with_bare_number_warns() {
    assert_diag!(
        "policy \"p\"\ninput reply_rate \"旺旺回复率\" : percent\nitem x = if reply_rate >= 0.99 then 10 else 0"
    );
}

/// Band bounds on a percent subject are compared with it, too.
#[test]
fn percent_band_bounds_as_bare_numbers_warn() {
    assert_diag!(
        "policy \"p\"\ninput rate : percent\nitem x = band rate { >= 0.55 -> 100, [0.5, 0.55) -> 80, else -> 0 }"
    );
}

/// §3.1: the lint covers every place a number meets a percent.
#[test]
fn percent_range_in_bare_numbers_warns() {
    assert_diag!("policy \"p\"\ninput p : percent in 0..100\nitem x = if p > 50% then 1 else 0");
}

#[test]
fn percent_default_as_a_bare_number_warns() {
    assert_diag!("policy \"p\"\ninput q : percent default 99\nitem x = if q > 50% then 1 else 0");
}

#[test]
fn const_compared_with_a_percent_warns() {
    assert_diag!(
        "policy \"p\"\ninput reply : percent\nconst target = 99\nitem x = if reply >= target then 10 else 0"
    );
}

#[test]
fn percent_test_value_as_a_bare_number_warns() {
    let src = "policy \"p\"\ninput reply : percent\nitem x = if reply >= 99% then 10 else 0\ntest \"t\" { given { reply = 99 } expect { x = 10 } }";
    let json = json_diagnostics(src);
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["code"], "kpi::bare_number_with_percent");
    assert_eq!(
        json[0]["message"],
        "`99` is 9900%; the other side is a percent"
    );
}

/// §3.1 unreachable branches everywhere: a `cases` rule after one that
/// always holds, given `x in 0..10`.
#[test]
fn cases_rule_after_an_always_true_one_warns() {
    assert_diag!(
        "policy \"p\"\ninput x : points in 0..10\nitem a = cases { x >= 0 -> 1, x > 5 -> 2, else -> 3 }"
    );
}

#[test]
fn if_branch_never_taken_warns() {
    assert_diag!("policy \"p\"\ninput x : points in 0..10\nitem b = if x > 20 then 1 else 0");
}

/// Constant mistakes: `each 0% above …`, `scale … from 25s..25s`.
#[test]
fn zero_step_and_empty_scale_warn() {
    assert_diag!(
        "policy \"p\"\ninput x : percent\ninput t : seconds\nitem c = steps x { each 0% above 5%: -1 }\nitem d = scale t from 25s..25s to 100..20"
    );
}

/// Issue 10 items 7 and 13: a dead `else` of a match is no "band", and the
/// whole arm is underlined, not only its result.
#[test]
fn dead_match_else_is_named_and_underlined_whole() {
    assert_diag!(
        "policy \"p\"\ninput r : grade(A, B)\nitem x = match r { A -> 1, B -> 2, else -> 3 }"
    );
}

// ------------------------------------------- §3 analysis (seed defects, §7)

#[test]
fn band_gap_warns() {
    assert_diag!(
        "policy \"p\"\ninput t : seconds\nitem x = band t {\n  <= 25s -> 100\n  (25s, 30s] -> 80\n  (30s, 35s] -> 60\n  > 40s -> 50\n}"
    );
}

#[test]
fn band_overlap_warns() {
    assert_diag!(
        "policy \"p\"\ninput r : percent\nitem x = band r {\n  <= 10% -> 100\n  [10%, 15%) -> 80\n  else -> 0\n}"
    );
}

#[test]
fn weights_not_summing_to_100_warn() {
    assert_diag!(
        "policy \"p\"\ninput a : points\ninput b : points\nitem x weight 60% = a\nitem y weight 35% = b\ntotal = weighted sum of items"
    );
}

/// §3.1: `weight 40` is not multiplied into a total of 5000.
#[test]
fn point_weights_in_a_weighted_sum_are_an_error() {
    assert_diag!(
        "policy \"p\"\ninput a : points in 0..100\ninput b : points in 0..100\nitem x weight 40 = a\nitem y weight 60 = b\ntotal = weighted sum of items"
    );
}

/// `40%` + `60`: only the bare `60` is wrong (total 6040 before).
#[test]
fn mixed_weights_name_the_bare_one() {
    let src = "policy \"p\"\ninput a : points in 0..100\ninput b : points in 0..100\nitem x weight 40% = a\nitem y weight 60 = b\ntotal = weighted sum of items";
    let json = json_diagnostics(src);
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["code"], "kpi::weight_not_percent");
    assert_eq!(json[0]["severity"], "error");
    assert_eq!(json[0]["labels"][0]["line"], 5, "{json:?}");
}

/// §3.1: weights under a plain `sum of items` are ignored: a warning.
#[test]
fn weights_with_a_plain_sum_warn() {
    assert_diag!(
        "policy \"p\"\ninput a : points in 0..100\ninput b : points in 0..100\nitem x weight 40% = a\nitem y weight 60% = b\ntotal = sum of items"
    );
}

/// §3.1 no false alarms: pay is short by 2 yuan only for a salary under
/// ¥2, the edge of money's default domain; an HR expert calls this right.
#[test]
fn deduction_from_a_salary_is_no_false_alarm() {
    let src = "policy \"p\"\ninput salary : money\ninput perf_pay : money\noutput net_pay : money = salary - 2元 + perf_pay";
    let out = kpi_check(src, &["--deny-warnings"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains('⚠'), "{stderr}");
}

/// A declared range is probed in full: ¥0 is then a value the policy
/// itself calls valid.
#[test]
fn deduction_from_a_salary_of_declared_range_warns() {
    let src = "policy \"p\"\ninput salary : money in 0..50000\ninput perf_pay : money in 0..20000\noutput net_pay : money = salary - 2元 + perf_pay";
    let json = json_diagnostics(src);
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["code"], "kpi::payout_negative");
}

/// §3.1 one notion of a valid value: the reader accepts a negative amount
/// (a loss), so a band over money that starts at ¥0 has a gap below it.
#[test]
fn money_band_without_negatives_has_a_gap() {
    let json =
        json_diagnostics("policy \"p\"\ninput margin : money\nitem x = band margin { >= ¥0 -> 1 }");
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["code"], "kpi::band_gap");
    assert_eq!(json[0]["message"], "¥-1.00 matches no band");
}

/// ... and so does a band over points of undeclared range; `in 0..` says
/// they are never negative (the reader then refuses `-1`), and the gap goes.
#[test]
fn points_band_without_negatives_has_a_gap_unless_declared() {
    let json =
        json_diagnostics("policy \"p\"\ninput adj : points\nitem x = band adj { >= 0 -> 1 }");
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["message"], "-1 matches no band");
    let out = kpi_check(
        "policy \"p\"\ninput adj : points in 0..\nitem x = band adj { >= 0 -> 1 }",
        &["--deny-warnings"],
    );
    assert_eq!(out.status.code(), Some(0));
}

/// §3.1 values are checked where they are written: a default.
#[test]
fn fractional_count_default_is_an_error() {
    assert_diag!("policy \"p\"\ninput c : count default 1.5\nitem x = c");
}

/// ... and embedded-test values, against type and range.
#[test]
fn test_values_outside_type_and_range_are_errors() {
    assert_diag!(
        "policy \"p\"\ninput c : count\ninput p : points in 0..10\nitem x = c + p\ntest \"t\" { given { c = 1.5, p = 11 } expect { x = 12.5 } }"
    );
}

/// ... and an input a test does not give (no default) is a warning at check,
/// not only in `kpi test`.
#[test]
fn input_missing_from_a_test_warns() {
    assert_diag!(
        "policy \"p\"\ninput c : count\ninput p : points in 0..10\nitem x = c + p\ntest \"t\" { given { c = 1 } expect { x = 1 } }"
    );
}

/// §3: "Each diagnostic has a code, a primary span, labels, and help";
/// `--format json` is for editors, which need to know which span it is.
#[test]

fn json_diagnostic_marks_one_primary_label() {
    let json =
        json_diagnostics("policy \"p\"\ninput salary : money\noutput x : money = salary - 2");
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["code"], "kpi::unit_mismatch");
    let labels = json[0]["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 2, "{json:?}");
    let primary = labels.iter().filter(|l| l["primary"] == true).count();
    assert_eq!(primary, 1, "{json:?}");
}

// ------------------------------------------------------- the seed policies

/// Every policy in `policies/` checks with no errors and no warnings
/// (`kpi check --deny-warnings` exits 0 and prints no diagnostic).
#[test]
fn seed_policies_check_cleanly() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"));
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "kpi"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    for file in &files {
        let out = run_check(&dir, &["--deny-warnings"], file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}:\n{stderr}", file.display());
        assert!(!stderr.contains('⚠'), "{}:\n{stderr}", file.display());
        assert!(!stderr.contains('×'), "{}:\n{stderr}", file.display());
    }
}

// ------------------------------------------------------ tables and functions

#[test]
fn functions_calling_each_other_are_a_cycle() {
    assert_diag!(
        "policy \"p\"\ninput a : points\nfn f(x: points) : points = g(x) + 1\nfn g(x: points) : points = f(x) - 1\nitem i = f(a)"
    );
}

#[test]
fn a_function_reads_only_its_parameters() {
    assert_diag!(
        "policy \"p\"\ninput a : points\ninput b : points\nfn f(x: points) : points = x + b\nitem i = f(a)"
    );
}

#[test]
fn a_function_has_no_team_figures() {
    assert_diag!(
        "policy \"p\"\ninput a : points\ntable top(x: points) : money = band rank(x, desc) { == 1 -> ¥100, else -> ¥0 }\noutput o : money = top(a)"
    );
}

#[test]
fn a_table_named_like_a_builtin() {
    assert_diag!("policy \"p\"\ninput a : points\nfn max(x: points) : points = x\nitem i = a");
}

#[test]
fn a_table_used_without_arguments() {
    assert_diag!(
        "policy \"p\"\ninput a : points\ntable t(x: points) : points = band x { >= 1 -> 1, else -> 0 }\nitem i = t + a"
    );
}

#[test]
fn a_table_applied_to_the_wrong_unit() {
    assert_diag!(
        "policy \"p\"\ninput a : money\ntable t(x: points) : points = band x { >= 1 -> 1, else -> 0 }\nitem i = t(a)"
    );
}

#[test]
fn a_table_applied_to_two_values() {
    assert_diag!(
        "policy \"p\"\ninput a : points\ntable t(x: points) : points = band x { >= 1 -> 1, else -> 0 }\nitem i = t(a, a)"
    );
}

/// An error in a table's body is reported once, however often it is used.
#[test]
fn an_error_in_a_table_is_reported_once() {
    let out = kpi_check(
        "policy \"p\"\ninput a : points\ninput b : points\ntable t(x: points) : points = band x { >= 1s -> 1, else -> 0 }\nitem i = t(a)\nitem j = t(b)",
        &["--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["kpi::unit_mismatch"]);
}

/// Issue 15 item 3: `1 -> ¥300` in a band gets a help line saying to write
/// `== 1` (or `>= 1`).
#[test]
fn band_arm_without_a_comparison() {
    assert_diag!(
        "policy \"p\"\ninput r : count\noutput o : money = band r { == 1 -> ¥300, 2 -> ¥200, else -> ¥0 }"
    );
}

/// `check --verbose` gives a table's range once, over its parameter's
/// declared range, beside the ranges of its uses.
#[test]
fn verbose_ranges_of_a_table() {
    let src = "policy \"p\"\ninput a : money\ninput b : money\n\
        table place_prize(place: count in 1..) : money = band place { == 1 -> ¥300, == 2 -> ¥200, == 3 -> ¥100, else -> ¥0 }\n\
        output pa : money = place_prize(rank(a, desc))\n\
        output pb : money = place_prize(rank(b, desc) + 1)";
    let out = kpi_check(src, &["--verbose"]);
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for want in [
        "place_prize [¥0.00, ¥300.00]",
        "pa [¥0.00, ¥300.00]",
        "pb [¥0.00, ¥200.00]",
    ] {
        assert!(lines.iter().any(|l| l == want), "{want}\n{text}");
    }
}

/// A match table missing a level, used for two ratings: one error, at the
/// table.
#[test]
fn a_match_table_missing_a_level_is_reported_once() {
    assert_diag!(
        "policy \"p\"\ninput r1 : grade(优, 良, 差)\ninput r2 : grade(优, 良, 差)\ntable pts(r: grade(优, 良, 差)) : points = match r { 优 -> 20, 良 -> 15 }\nitem a = pts(r1)\nitem b = pts(r2)"
    );
}
