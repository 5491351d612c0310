//! Regression tests for the findings of fuzzing (issue 11), through the
//! real binary: each failed before its fix.
//!
//! 1. a diagnostic past column 65 535 panicked inside miette;
//! 2. `kpi fmt` printed valid policies it could not parse again;
//! 3. "did you mean" compared long names quadratically;
//! 4. `round(x, 2.000)` overflowed, `round(x, 10.00)` rounded to 2 places;
//! 5. comparing 7.9e28 with 1e-28 was an "arithmetic overflow".
//!
//! No test here is timed: the slow cases simply complete (CI's time limit
//! catches a regression), and the unit tests assert on the work done.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `kpi ARGS…` in `dir`, in English.
fn kpi(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpi"))
        .current_dir(dir)
        .env_remove("LANG")
        .env_remove("LC_MESSAGES")
        .env("LC_ALL", "C")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// At most the first 2 000 bytes of `s`, for assertion messages.
fn head(s: &str) -> &str {
    let mut end = s.len().min(2000);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A temporary directory holding `p.kpi` with `text`.
fn policy_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.kpi");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn assert_no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{}", head(&err));
    assert_ne!(out.status.code(), Some(101), "{}", head(&err));
    assert!(out.status.code().is_some(), "killed by a signal");
}

// ------------------------------------------------- 1. diagnostics rendering

#[test]
fn a_label_past_column_65535_is_rendered_with_its_place() {
    let text = format!("policy \"p\"{}@\n", " ".repeat(65_540));
    let (dir, _) = policy_file(&text);
    for cmd in ["check", "fmt", "test"] {
        let out = kpi(dir.path(), &[cmd, "p.kpi"]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = stderr(&out);
        assert!(err.contains("kpi::syntax_error"), "{cmd}: {}", head(&err));
        // Line 1, column 65 551 in characters: the `@`.
        assert!(err.contains("p.kpi:1:65551"), "{cmd}: {}", head(&err));
        // The source line is cut around the label, not echoed whole.
        assert!(
            err.contains('@') && err.contains('…'),
            "{cmd}: {}",
            head(&err)
        );
        assert!(err.len() < 4_000, "{cmd}: {} bytes", err.len());
    }
}

#[test]
fn a_megabyte_long_name_with_a_misspelt_type_is_rendered_cut() {
    let name = "x".repeat(1_000_000);
    let text = format!("policy \"p\"\ninput {name} : numbr\n");
    let (dir, _) = policy_file(&text);
    let out = kpi(dir.path(), &["check", "p.kpi"]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("kpi::unknown_type"), "{}", head(&err));
    // `input ` (6) + the name + ` : ` (3): `numbr` starts at column 1 000 010.
    assert!(err.contains("p.kpi:2:1000010"), "{}", head(&err));
    assert!(err.contains(": numbr"), "{}", head(&err));
    assert!(err.contains("did you mean `number`?"), "{}", head(&err));
    assert!(err.len() < 4_000, "{} bytes", err.len());
}

#[test]
fn an_unknown_name_a_megabyte_long_is_named_by_its_ends() {
    let name = format!("a{}z", "y".repeat(1_000_000));
    let text = format!("policy \"p\"\ninput a : number\nitem s = a + {name}\n");
    let (dir, _) = policy_file(&text);
    let out = kpi(dir.path(), &["check", "p.kpi"]);
    assert_no_panic(&out);
    let err = stderr(&out);
    assert!(err.contains("kpi::unknown_name"), "{}", head(&err));
    assert!(err.contains("p.kpi:3:14"), "{}", head(&err));
    assert!(err.contains("unknown name `ayyy"), "{}", head(&err));
    assert!(err.contains("yyyz`"), "{}", head(&err));
    assert!(err.len() < 4_000, "{} bytes", err.len());
    // JSON diagnostics are unchanged: the exact place, in characters.
    let out = kpi(dir.path(), &["check", "--format", "json", "p.kpi"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["labels"][0]["line"], 3);
    assert_eq!(json[0]["labels"][0]["column"], 14);
}

// ------------------------------------------------------------- 2. kpi fmt

/// Formats `text` in place; returns the output and the new text.
fn fmt(text: &str) -> (Output, String) {
    let (dir, path) = policy_file(text);
    let out = kpi(dir.path(), &["fmt", "p.kpi"]);
    let after = std::fs::read_to_string(&path).unwrap();
    (out, after)
}

/// `kpi fmt` succeeds on `text`, and its result checks and is stable.
fn assert_formats(text: &str) -> String {
    let (dir, _) = policy_file(text);
    let out = kpi(dir.path(), &["check", "p.kpi"]);
    assert_eq!(out.status.code(), Some(0), "{}", head(&stderr(&out)));
    let (out, formatted) = fmt(text);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", head(&stderr(&out)));
    let (dir, _) = policy_file(&formatted);
    let out = kpi(dir.path(), &["check", "p.kpi"]);
    assert_eq!(out.status.code(), Some(0), "{}", head(&stderr(&out)));
    let out = kpi(dir.path(), &["fmt", "--check", "p.kpi"]);
    assert_eq!(out.status.code(), Some(0), "{}", head(&stdout(&out)));
    formatted
}

fn item(expr: &str) -> String {
    format!("policy \"p\"\n\ninput a : number\nitem s = {expr}\n")
}

#[test]
fn fmt_prints_many_minus_signs_without_parentheses() {
    let formatted = assert_formats(&item(&format!("{}a", "-".repeat(29))));
    assert!(
        formatted.contains(&format!("item s = {}-a\n", "- ".repeat(28))),
        "{formatted}"
    );
    assert!(!formatted.contains('('), "{formatted}");
    let formatted = assert_formats(&item(&format!("{}a{}", "-(".repeat(20), ")".repeat(20))));
    assert!(!formatted.contains('('), "{formatted}");
}

#[test]
fn fmt_output_never_nests_deeper_than_its_input() {
    // Each would get a pair of parentheses per level for reading
    // (`a - (-b)`, `1 + (scale …)`, `if (if …) then`): too deep to parse.
    let mut neg = "a".to_string();
    let mut scale = "a".to_string();
    for _ in 0..22 {
        neg = format!("a - -({neg})");
        scale = format!("1 + scale {scale} from 0..1 to 0..2");
    }
    let mut cond = "a > 1".to_string();
    let mut then = "1".to_string();
    for _ in 0..70 {
        cond = format!("if {cond} then true else false");
        then = format!("if a > 1 then {then} else 2");
    }
    for expr in [neg, scale, format!("if {cond} then {then} else 3")] {
        assert_formats(&item(&expr));
    }
    // Shallow enough: the parentheses for reading stay.
    let formatted = assert_formats(&item("a - -a + (1 + scale a from 0..1 to 0..2)"));
    assert!(
        formatted.contains("item s = a - (-a) + (1 + (scale a from 0..1 to 0..2))"),
        "{formatted}"
    );
}

#[test]
fn fmt_refuses_to_grow_a_policy_past_the_size_limit() {
    // 42 kB, but the inputs' names are aligned to the longest: 2 MB.
    let mut text = format!("policy \"p\"\n\ninput {} : number\n", "n".repeat(1_000));
    for k in 0..2_000 {
        text.push_str(&format!("input a{k} : number\n"));
    }
    let (dir, _) = policy_file(&text);
    let out = kpi(dir.path(), &["check", "p.kpi"]);
    assert_eq!(out.status.code(), Some(0), "{}", head(&stderr(&out)));
    let (out, after) = fmt(&text);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("kpi::fmt_too_large"), "{}", head(&err));
    assert!(err.contains("left unchanged"), "{}", head(&err));
    assert!(!err.contains("kpi::internal"), "{}", head(&err));
    assert!(!err.contains("bug"), "{}", head(&err));
    assert_eq!(after, text, "the file is left as it was");
    let out = kpi(dir.path(), &["--lang", "zh", "fmt", "--check", "p.kpi"]);
    let err = stderr(&out);
    assert!(err.contains("kpi::fmt_too_large"), "{}", head(&err));
    assert!(err.contains("格式化后的方案文件会太大"), "{}", head(&err));
}

// ------------------------------------------------------- 3. did you mean

#[test]
fn a_hundred_long_unknown_names_are_checked_without_suggestions() {
    // Before: 100 × 100 edit distances of 2 000 × 2 000 characters (67 s).
    let mut text = String::from("policy \"p\"\n");
    for k in 0..100 {
        text.push_str(&format!("input i{k:03}{} : number\n", "n".repeat(2_000)));
    }
    for k in 0..100 {
        // One character away from an input's name.
        text.push_str(&format!("item s{k} = i{k:03}{}m\n", "n".repeat(1_999)));
    }
    let (dir, _) = policy_file(&text);
    let out = kpi(dir.path(), &["check", "p.kpi"]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(
        err.matches("kpi::unknown_name").count(),
        100,
        "{}",
        head(&err)
    );
    assert!(!err.contains("did you mean"), "{}", head(&err));
}

#[test]
fn explain_suggests_no_employee_for_a_very_long_id() {
    // Before: 11.7 s of edit distances between 60 000-character ids.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.kpi"),
        "policy \"p\"\n\ninput x : number\n\noutput y : number = x + 1\n",
    )
    .unwrap();
    let mut csv = String::from("employee,period,x\n");
    for c in ['A', 'B', 'C', 'D'] {
        csv.push_str(&format!("{},2026-10,1\n", c.to_string().repeat(60_000)));
    }
    std::fs::write(dir.path().join("r.csv"), csv).unwrap();
    let wanted = format!("{}B", "A".repeat(59_999));
    let args = ["explain", "p.kpi", "--data", "r.csv", "--employee", &wanted];
    let out = kpi(dir.path(), &args);
    assert_no_panic(&out);
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("no record for employee"), "{}", head(&err));
    assert!(!err.contains("did you mean"), "{}", head(&err));
    // Short ids still get their suggestion.
    std::fs::write(
        dir.path().join("r.csv"),
        "employee,period,x\nE01,2026-10,1\n",
    )
    .unwrap();
    let args = ["explain", "p.kpi", "--data", "r.csv", "--employee", "e01"];
    let out = kpi(dir.path(), &args);
    assert!(
        stderr(&out).contains("did you mean `E01`?"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------- 4. round

/// `kpi eval --format json` of `policy` on `csv`: the outputs of the first
/// record.
fn eval_outputs(policy: &str, csv: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kpi"), policy).unwrap();
    std::fs::write(dir.path().join("r.csv"), csv).unwrap();
    let out = kpi(
        dir.path(),
        &["eval", "p.kpi", "--data", "r.csv", "--format", "json"],
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", head(&stderr(&out)));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["results"][0]["outputs"].clone()
}

#[test]
fn round_places_may_be_written_with_trailing_zeros() {
    let policy = "policy \"p\"\n\ninput x : number\n\n\
                  output two : number = round(x / 3, 2.000)\n\
                  output ten : number = round(x / 3, 10.00)\n\
                  output most : number = round(x / 3, 28)\n";
    let outputs = eval_outputs(policy, "employee,period,x\nE1,2026-10,1\n");
    assert_eq!(outputs["two"], "0.33");
    assert_eq!(outputs["ten"], "0.3333333333");
    assert_eq!(outputs["most"], "0.3333333333333333333333333333");
}

#[test]
fn round_places_that_are_not_whole_numbers_up_to_28_are_errors() {
    for (places, col) in [("2.5", 30), ("29", 30), ("-1", 30), ("1%", 30)] {
        let text =
            format!("policy \"p\"\ninput x : number\noutput o : number = round(x, {places})\n");
        let (dir, _) = policy_file(&text);
        let out = kpi(dir.path(), &["check", "p.kpi"]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{places}");
        let err = stderr(&out);
        assert!(err.contains("kpi::bad_round_places"), "{places}: {err}");
        assert!(err.contains(&format!("p.kpi:3:{col}")), "{places}: {err}");
        assert!(
            err.contains("the number of decimal places must be a whole number from 0 to 28"),
            "{places}: {err}"
        );
        assert!(err.contains("help: e.g. `round(x, 2)`"), "{places}: {err}");
        let out = kpi(dir.path(), &["check", "--lang", "zh", "p.kpi"]);
        let err = stderr(&out);
        assert!(
            err.contains("小数位数必须是 0 到 28 之间的整数"),
            "{places}: {err}"
        );
        assert!(err.contains("例如 `round(x, 2)`"), "{places}: {err}");
    }
}

// ------------------------------------------------ 5. very different magnitudes

#[test]
fn comparing_the_largest_and_the_smallest_decimals_gives_an_answer() {
    let policy = "policy \"p\"\n\ninput x : number\n\n\
                  const tiny = 0.0000000000000000000000000001\n\n\
                  output bigger : bool   = x > tiny\n\
                  output low    : number = min(x, tiny)\n\
                  output high   : number = max(tiny, x)\n\
                  output kept   : number = clamp(x, tiny, 1)\n";
    let max = "79228162514264337593543950335";
    let outputs = eval_outputs(policy, &format!("employee,period,x\nE1,2026-10,{max}\n"));
    assert_eq!(outputs["bigger"], true);
    assert_eq!(outputs["low"], "0.0000000000000000000000000001");
    assert_eq!(outputs["high"], max);
    assert_eq!(outputs["kept"], "1");
    let outputs = eval_outputs(policy, &format!("employee,period,x\nE1,2026-10,-{max}\n"));
    assert_eq!(outputs["bigger"], false);
    assert_eq!(outputs["low"], format!("-{max}"));
    assert_eq!(outputs["high"], "0.0000000000000000000000000001");
    assert_eq!(outputs["kept"], "0.0000000000000000000000000001");
}
