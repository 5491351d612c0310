//! Diagnostics in Chinese (`--lang zh`): snapshots of what an HR reader
//! sees for each kind of error, through the real binary, plus the ways the
//! language is chosen (`--lang` before or after the subcommand, `LANG`,
//! `LC_ALL`) and a check of the Chinese punctuation.
//!
//! Snapshots live in `tests/snapshots/lang__*.snap`; after an intended
//! wording change run `INSTA_UPDATE=always cargo test --test lang` and
//! review every changed file.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `kpi ARGS…` in `dir` with English in the environment.
fn kpi(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.current_dir(dir)
        .env_remove("LANG")
        .env_remove("LC_MESSAGES")
        .env("LC_ALL", "C")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// `kpi check --lang zh policy.kpi` on `src`: its stderr.
fn check_zh(src: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.kpi"), src).unwrap();
    let out = kpi(dir.path(), &["check", "--lang", "zh", "policy.kpi"], &[]);
    assert_eq!(out.status.code(), Some(1), "{src}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_chinese_punctuation(&stderr);
    stderr
}

/// `kpi eval --lang zh policy.kpi --data records.csv`: its stderr.
fn eval_zh(policy: &str, records: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.kpi"), policy).unwrap();
    std::fs::write(dir.path().join("records.csv"), records).unwrap();
    let args = [
        "eval",
        "--lang",
        "zh",
        "policy.kpi",
        "--data",
        "records.csv",
    ];
    let out = kpi(dir.path(), &args, &[]);
    assert_eq!(out.status.code(), Some(1), "{policy}");
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_chinese_punctuation(&stderr);
    stderr
}

/// Snapshots `kpi check --lang zh` on a policy text.
macro_rules! assert_diag_zh {
    ($src:expr) => {
        insta::assert_snapshot!(check_zh($src))
    };
}

/// Snapshots `kpi eval --lang zh` on a policy and its records.
macro_rules! assert_eval_zh {
    ($policy:expr, $records:expr) => {
        insta::assert_snapshot!(eval_zh($policy, $records))
    };
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

/// Chinese prose uses full-width `，：；？`: in a line with Chinese text,
/// ASCII `,` `:` `;` `?` only between Latin text or numbers (`(30s, 40s]`),
/// or in code between backticks.
fn assert_chinese_punctuation(text: &str) {
    for line in text.lines() {
        let trimmed = line.trim_start();
        // Quoted policy lines and the `╭─[file:line:col]` header are code.
        let quoted = trimmed.starts_with(|c: char| c.is_ascii_digit()) && trimmed.contains('│');
        if quoted || trimmed.contains("╭─[") {
            continue;
        }
        let line = trimmed.strip_prefix("help:").unwrap_or(trimmed);
        // Code between backticks keeps its ASCII punctuation.
        let prose: String = line
            .split('`')
            .enumerate()
            .map(|(i, part)| if i % 2 == 0 { part } else { "x" })
            .collect::<Vec<_>>()
            .join("");
        let chars: Vec<char> = prose.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if !matches!(c, ',' | ':' | ';' | '?') {
                continue;
            }
            // Fine between Latin text or numbers: `(30s, 40s]`.
            let before = chars[..i].iter().rev().find(|c| **c != ' ');
            let after = chars[i + 1..].iter().find(|c| **c != ' ');
            let latin = |c: Option<&char>| c.is_some_and(|c| !is_cjk(*c));
            assert!(
                !chars.iter().any(|c| is_cjk(*c)) || (latin(before) && latin(after)),
                "ASCII `{c}` in Chinese text: {line}"
            );
        }
    }
}

// ----------------------------------------------------------------- syntax

#[test]
fn syntax_error_missing_then() {
    assert_diag_zh!("policy \"p\"\ninput a : seconds\nitem x = if a > 3s 5 else 0");
}

#[test]
fn syntax_error_fullwidth_comma() {
    assert_diag_zh!("policy \"p\"\ninput a : points\nitem x = max(a，3)");
}

#[test]
fn syntax_error_unclosed_brace_at_end_of_file() {
    assert_diag_zh!(
        "policy \"p\"\ninput a : points\nitem x = band a {\n  >= 5 -> 1\n  else -> 0\n"
    );
}

#[test]
fn syntax_error_reserved_word_as_name() {
    assert_diag_zh!("policy \"p\"\ninput if : points\nitem x = 1");
}

// ------------------------------------------------------------------ names

#[test]
fn unknown_name_did_you_mean() {
    assert_diag_zh!(
        "policy \"售后\"\ninput 退款纠纷率 : percent\nitem 得分 = if 退款率 > 1% then 1 else 0"
    );
}

#[test]
fn duplicate_definition() {
    assert_diag_zh!(
        "policy \"p\"\ninput 得分 : points\nlet 系数 = 2\noutput 系数 : number = 得分 * 2"
    );
}

#[test]
fn unknown_level() {
    assert_diag_zh!(
        "policy \"p\"\ninput r : grade(优秀, 良好, 合格, 差)\nitem x = match r { 优秀 -> 100, 良好 -> 80, 合格 -> 70, 差劲 -> 50 }"
    );
}

// ------------------------------------------------------------------ types

#[test]
fn unit_mismatch_money_minus_number() {
    assert_diag_zh!("policy \"p\"\ninput 销售额 : money\noutput 提成 : money = 销售额 - 2");
}

#[test]
fn unit_mismatch_duration_plus_percent() {
    assert_diag_zh!("policy \"p\"\ninput a : seconds\nitem x = a + 5%");
}

#[test]
fn output_type_mismatch() {
    assert_diag_zh!("policy \"p\"\ninput a : points\noutput x : money = a * 2");
}

#[test]
fn band_arm_of_the_wrong_type() {
    assert_diag_zh!(
        "policy \"p\"\ninput a : seconds\nitem x = band a {\n  <= 30s -> 10\n  else -> 5s\n}"
    );
}

#[test]
fn match_not_exhaustive() {
    assert_diag_zh!(
        "policy \"p\"\ninput 评级 : grade(优秀, 良好, 合格, 差)\nitem 得分 = match 评级 { 优秀 -> 100, 良好 -> 80 }"
    );
}

#[test]
fn cyclic_definition() {
    assert_diag_zh!("policy \"p\"\nlet a = b + 1\nlet b = a * 2\nitem x = a");
}

#[test]
fn wrong_number_of_arguments() {
    assert_diag_zh!("policy \"p\"\ninput a : points\nitem x = clamp(a, 1)");
}

// ------------------------------------------------------- data and eval

const POLICY: &str = "policy \"p\"
input refund_rate \"退款纠纷率\" : percent
input paid  \"付款人数\" : count
input asked \"询单人数\" : count
input t \"平均响应时间\" : seconds
output conversion : percent = paid / asked
item response = band t { <= 25s -> 100, (25s, 30s] -> 80, > 40s -> 50 }
";

#[test]
fn data_error_bad_cells() {
    assert_eval_zh!(
        POLICY,
        "employee,period,退款纠纷率,付款人数,询单人数,平均响应时间\nE1,2026-10,0.5,1,2,20\nE2,2026-10,1%,x1,2,20\n"
    );
}

#[test]
fn eval_error_division_by_zero() {
    assert_eval_zh!(
        POLICY,
        "employee,period,退款纠纷率,付款人数,询单人数,平均响应时间\nE1,2026-10,1%,0,0,20\n"
    );
}

#[test]
fn eval_error_value_in_no_band() {
    assert_eval_zh!(
        POLICY,
        "employee,period,退款纠纷率,付款人数,询单人数,平均响应时间\nE1,2026-10,1%,1,2,38\n"
    );
}

// ------------------------------------------------- choosing the language

#[test]
fn lang_option_before_or_after_the_subcommand_and_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.kpi"),
        "policy \"p\"\ninput salary : money\noutput x : money = salary - 2",
    )
    .unwrap();
    let stderr = |args: &[&str], env: &[(&str, &str)]| {
        String::from_utf8(kpi(dir.path(), args, env).stderr).unwrap()
    };
    let zh = stderr(&["check", "--lang", "zh", "policy.kpi"], &[]);
    assert!(zh.contains("不能把金额和普通数字相减"), "{zh}");
    assert!(zh.contains("1 个错误，0 个警告"), "{zh}");
    assert_eq!(stderr(&["--lang", "zh", "check", "policy.kpi"], &[]), zh);
    // LC_ALL wins over LANG; --lang wins over both.
    assert_eq!(
        stderr(
            &["check", "policy.kpi"],
            &[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")]
        ),
        zh
    );
    let en = stderr(&["check", "policy.kpi"], &[("LANG", "zh_CN.UTF-8")]);
    assert!(en.contains("cannot subtract a number from money"), "{en}");
    assert_eq!(
        stderr(
            &["check", "--lang", "en", "policy.kpi"],
            &[("LC_ALL", "zh_CN.UTF-8")]
        ),
        en
    );
}

#[test]
fn json_diagnostics_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.kpi"),
        "policy \"p\"\ninput a : points\nitem a = 1",
    )
    .unwrap();
    let args = ["check", "--format", "json", "--lang", "zh", "policy.kpi"];
    let out = kpi(dir.path(), &args, &[]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v[0];
    assert_eq!(d["code"], "kpi::duplicate_definition");
    assert_eq!(d["message"], "`a` 定义了两次");
    assert_eq!(d["labels"][0]["label"], "这里又定义了一次");
    assert_eq!(d["labels"][0]["primary"], true);
    assert_eq!(d["labels"][1]["primary"], false);
    assert_eq!(d["labels"][0]["line"], 3);
}

#[test]
fn eval_summary_and_band_value_in_english() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.kpi"), POLICY).unwrap();
    std::fs::write(
        dir.path().join("records.csv"),
        "employee,period,退款纠纷率,付款人数,询单人数,平均响应时间\nE1,2026-10,1%,1,2,38\n",
    )
    .unwrap();
    let out = kpi(
        dir.path(),
        &["eval", "policy.kpi", "--data", "records.csv"],
        &[],
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("the value `38s` matches no band"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 evaluation error(s); no results were written"),
        "{stderr}"
    );
}

#[test]
fn test_subcommand_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.kpi"),
        "policy \"p\"\ninput a : points\nitem x = a\noutput y : number = x\ntest \"t\" { given { a = 1 } expect { y = 2 } }",
    )
    .unwrap();
    let out = kpi(dir.path(), &["test", "--lang", "zh", "policy.kpi"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("`y`：应为 2，实际为 1"), "{stdout}");
    // a Chinese summary, then the English line CI systems parse (§4)
    assert!(
        stdout.ends_with("0 个通过，1 个失败\n0 passed, 1 failed\n"),
        "{stdout}"
    );
}

#[test]
fn the_punctuation_check_finds_ascii_commas_and_colons() {
    for bad in ["为 x 补上一档,或加上", "空档位: 没有", "是不是想写 `x`?"] {
        let caught = std::panic::catch_unwind(|| assert_chinese_punctuation(bad));
        assert!(caught.is_err(), "{bad}");
    }
    assert_chinese_punctuation("help: 是不是想写 `a, b: c?`？");
}

// ------------------------------------------- every diagnostic, both languages

mod every_variant {
    use super::{assert_chinese_punctuation, is_cjk};
    use kpi::check::{
        Arity, CheckError, ConstUse, Expected, Hint, NumberUse, Op, Problem, TestTarget, UnitHint,
        ValueFault,
    };
    use kpi::data::{CellError, DataError, DataErrorKind};
    use kpi::diag::{Lang, Report};
    use kpi::eval::expr::FaultKind;
    use kpi::eval::EvalError;
    use kpi::sql::{DuckDbError, NotHeld, SqlError};
    use kpi::syntax::ast::Span;
    use kpi::syntax::{Expect, Found, Nesting, SyntaxError, SyntaxHint};
    use kpi::types::{Dim, DurUnit, NumKind, Ty};

    fn sp(a: usize) -> Span {
        Span::new(a, a + 1)
    }

    fn check_errors() -> Vec<CheckError> {
        let grade = Ty::Grade(vec!["优秀".into(), "差".into()]);
        let mut v = vec![
            CheckError::unknown_name("退款率", sp(0), Some("退款纠纷率".into())),
            CheckError::unknown_name("x", sp(0), None),
            CheckError::UnknownType {
                name: "secnds".into(),
                span: sp(0),
                suggestion: None,
            },
            CheckError::UnknownFunction {
                name: "foo".into(),
                span: sp(0),
                suggestion: None,
            },
            CheckError::Duplicate {
                name: "a".into(),
                span: sp(5),
                first: sp(0),
            },
            CheckError::DuplicateLevel {
                level: "A".into(),
                span: sp(0),
            },
            CheckError::UnknownLevel {
                level: "良".into(),
                levels: vec!["优秀".into(), "良好".into()],
                span: sp(0),
                suggestion: None,
            },
            CheckError::PatternMismatch {
                subject: grade.clone(),
                span: sp(3),
                because: sp(0),
            },
            CheckError::ArmTypeMismatch {
                first: Ty::Number(NumKind::Plain),
                found: Ty::Duration(DurUnit::Days),
                span: sp(3),
                first_span: sp(0),
            },
            CheckError::NotExhaustive {
                missing: vec!["合格".into()],
                span: sp(0),
            },
            CheckError::Cycle {
                members: vec![("a".into(), sp(0)), ("b".into(), sp(3))],
            },
            CheckError::BadTest {
                test: "t".into(),
                name: "b".into(),
                target: TestTarget::Context,
                span: sp(0),
                suggestion: None,
            },
        ];
        for op in [Op::Add, Op::Subtract, Op::Multiply, Op::Divide, Op::Compare] {
            for hint in [
                UnitHint::WithUnit("2元".into()),
                UnitHint::NeedsUnit(Dim::Money),
                UnitHint::NeedsUnit(Dim::Duration),
                UnitHint::SameUnit,
                UnitHint::MultiplyByNumber,
                UnitHint::DivideBy,
            ] {
                for (left, right) in [
                    (Ty::Money, Ty::Number(NumKind::Plain)),
                    (grade.clone(), Ty::Text),
                    (Ty::Bool, Ty::Number(NumKind::Count)),
                ] {
                    v.push(CheckError::UnitMismatch {
                        op,
                        left,
                        right,
                        left_span: sp(0),
                        right_span: sp(3),
                        hint: hint.clone(),
                    });
                }
            }
        }
        let hints = [
            Hint::Convert,
            Hint::Negate,
            Hint::Condition,
            Hint::Quantity,
            Hint::ScaleTarget,
            Hint::Arithmetic,
            Hint::Order,
            Hint::MatchSubject,
            Hint::PlainNumber(NumberUse::PointsPerStep),
            Hint::PlainNumber(NumberUse::Cap),
            Hint::MinMax,
            Hint::RoundDuration,
            Hint::Quota,
            Hint::Weight,
            Hint::GradeSubject,
        ];
        let expected = [
            Expected::Ty(Ty::Money),
            Expected::Ty(Ty::Number(NumKind::Points)),
            Expected::Ty(Ty::Duration(DurUnit::Seconds)),
            Expected::Ty(Ty::Text),
            Expected::Ty(grade.clone()),
            Expected::Number,
            Expected::Quantity,
            Expected::Condition,
            Expected::GradeOrBool,
            Expected::NumberOrPercent,
            Expected::NumberOrMoney,
            Expected::Percent,
        ];
        for hint in hints {
            for e in &expected {
                for found in [
                    Ty::Number(NumKind::Plain),
                    Ty::Money,
                    grade.clone(),
                    Ty::Text,
                ] {
                    v.push(CheckError::TypeMismatch {
                        expected: e.clone(),
                        found,
                        span: sp(3),
                        because: Some(sp(0)),
                        hint,
                    });
                }
            }
        }
        for (func, expected) in [
            ("max", Arity::OneOrMore),
            ("clamp", Arity::Three),
            ("round", Arity::OneOrTwo),
            ("team.count", Arity::None),
            ("team.avg", Arity::One),
            ("rank", Arity::ValueAndOrder),
            ("prev", Arity::Two),
            ("streak", Arity::One),
        ] {
            v.push(CheckError::WrongArity {
                func: func.into(),
                expected,
                found: 5,
                span: sp(0),
            });
        }
        let uses = [
            ConstUse::Const,
            ConstUse::Default,
            ConstUse::RangeBound,
            ConstUse::Weight,
            ConstUse::Quota,
            ConstUse::TestValue,
        ];
        for what in uses {
            v.push(CheckError::NotConstant { what, span: sp(0) });
            v.push(CheckError::Invalid {
                problem: Problem::NotTerminating { what },
                span: sp(0),
            });
        }
        let faults = [
            FaultKind::Overflow,
            FaultKind::DivisionByZero,
            FaultKind::NoBandMatched("38s".into()),
            FaultKind::NoCaseMatched,
            FaultKind::NoLevel,
            FaultKind::ZeroStep,
            FaultKind::EmptyScale,
            FaultKind::Unavailable,
            FaultKind::Internal,
        ];
        for fault in faults {
            v.push(CheckError::Invalid {
                problem: Problem::ConstFault {
                    what: ConstUse::Weight,
                    fault,
                },
                span: sp(0),
            });
        }
        for problem in [
            Problem::NumberTooLarge,
            Problem::NoRules,
            Problem::NoArms,
            Problem::RangeNotNumeric {
                name: "a".into(),
                ty: Ty::Bool,
            },
            Problem::EmptyRange,
            Problem::NoItems,
            Problem::ItemNotNumber {
                name: "a".into(),
                ty: Ty::Text,
            },
            Problem::NoWeight { name: "a".into() },
            Problem::WeightNotPercent {
                weight: "40".into(),
            },
            Problem::BadValue {
                what: ConstUse::Default,
                name: "c".into(),
                value: "1.5".into(),
                fault: ValueFault::NotWhole,
            },
            Problem::BadValue {
                what: ConstUse::TestValue,
                name: "t".into(),
                value: "-5s".into(),
                fault: ValueFault::Negative {
                    ty: Ty::Duration(DurUnit::Seconds),
                },
            },
            Problem::BadValue {
                what: ConstUse::TestValue,
                name: "p".into(),
                value: "11".into(),
                fault: ValueFault::OutOfRange {
                    lo: "0".into(),
                    hi: "10".into(),
                },
            },
            Problem::NoOrder { func: "max".into() },
            Problem::NotPure {
                func: "place_prize".into(),
                name: "sales".into(),
            },
            Problem::BuiltinName { name: "max".into() },
            Problem::NotCalled {
                name: "place_prize".into(),
            },
            Problem::BadPlaces,
            Problem::QuotasOver100,
            Problem::Internal,
        ] {
            v.push(CheckError::Invalid {
                problem,
                span: sp(0),
            });
        }
        v
    }

    fn syntax_errors() -> Vec<SyntaxError> {
        let mut v = vec![
            SyntaxError::TooLarge {
                size: 2_000_000,
                span: sp(0),
            },
            SyntaxError::TooDeep {
                span: sp(0),
                max: 64,
                what: Nesting::Brackets,
            },
            SyntaxError::TooDeep {
                span: sp(0),
                max: 250,
                what: Nesting::Chain { ops: 300 },
            },
            SyntaxError::TooDeep {
                span: sp(0),
                max: 256,
                what: Nesting::Expression,
            },
            SyntaxError::FormattedTooLarge {
                size: 2_000_000,
                span: sp(0),
            },
            SyntaxError::BadNumber {
                text: "1e99".into(),
                span: sp(0),
            },
            SyntaxError::BadPeriod {
                text: "2026/10".into(),
                span: sp(0),
            },
            SyntaxError::Internal { span: sp(0) },
        ];
        let all = vec![
            Expect::Code("`then`"),
            Expect::EndOfFile,
            Expect::Name,
            Expect::Text,
            Expect::Number,
            Expect::Period,
            Expect::Expression,
            Expect::Comparison,
            Expect::Operator,
            Expect::Type,
            Expect::BandCondition,
            Expect::BandArm,
            Expect::MatchArm,
            Expect::Rule,
            Expect::StepRule,
            Expect::StepOption,
            Expect::Quota,
            Expect::Level,
            Expect::Direction,
            Expect::Order,
            Expect::Declaration,
            Expect::EmployeeId,
            Expect::Call,
            Expect::Unit,
        ];
        let hints = [
            None,
            Some(SyntaxHint::FullWidth {
                c: '，',
                ascii: ",",
            }),
            Some(SyntaxHint::AssignForCompare),
            Some(SyntaxHint::MissingElse),
            Some(SyntaxHint::ReservedWord("if".into())),
        ];
        for (i, hint) in hints.into_iter().enumerate() {
            for found in [Found::EndOfFile, Found::EndOfLine, Found::Token("x".into())] {
                v.push(SyntaxError::Unexpected {
                    expected: all[..(i * 6 + 1).min(all.len())].to_vec(),
                    found,
                    span: sp(0),
                    unclosed: Some(sp(3)),
                    hint: hint.clone(),
                });
            }
        }
        v.push(SyntaxError::Unexpected {
            expected: all,
            found: Found::Token("y".into()),
            span: sp(0),
            unclosed: None,
            hint: None,
        });
        v
    }

    /// Every refusal of `kpi compile --to sql`.
    fn sql_errors() -> Vec<SqlError> {
        vec![
            SqlError::Magnitude {
                span: sp(0),
                inputs: vec!["sales".into()],
            },
            SqlError::Magnitude {
                span: sp(0),
                inputs: Vec::new(),
            },
            SqlError::TeamFraction {
                span: sp(0),
                what: "team.avg",
            },
            SqlError::Internal { span: sp(0) },
        ]
    }

    fn duckdb_errors() -> Vec<DuckDbError> {
        vec![
            DuckDbError::NotBuilt,
            DuckDbError::Unrepresentable(Box::new(NotHeld {
                line: Some(3),
                employee: Some("E2".into()),
                period: "2026-10".into(),
                input: "refund_rate".into(),
                value: "0.1234567".into(),
                column: "DECIMAL(18,6)".into(),
            })),
            DuckDbError::Unrepresentable(Box::new(NotHeld {
                line: None,
                employee: None,
                period: "2026-10".into(),
                input: "industry_rate".into(),
                value: "0.1234567".into(),
                column: "DECIMAL(18,6)".into(),
            })),
            DuckDbError::QueryStopped {
                message: "kpi: division by zero".into(),
            },
            DuckDbError::Engine {
                message: "Out of Memory Error: failed to allocate".into(),
            },
        ]
    }

    fn eval_errors() -> Vec<EvalError> {
        let mut v = vec![
            EvalError::MissingContext {
                employee: "E1".into(),
                period: "2026-10".into(),
                line: 2,
            },
            EvalError::Internal,
        ];
        for kind in [
            FaultKind::Overflow,
            FaultKind::DivisionByZero,
            FaultKind::NoBandMatched("38s".into()),
            FaultKind::NoCaseMatched,
            FaultKind::NoLevel,
            FaultKind::ZeroStep,
            FaultKind::EmptyScale,
            FaultKind::Unavailable,
            FaultKind::Internal,
        ] {
            v.push(EvalError::Fault {
                employee: "E1".into(),
                period: "2026-10".into(),
                line: 2,
                slot: "x".into(),
                kind: kind.clone(),
                span: sp(0),
            });
            v.push(EvalError::TeamFault {
                team: "A".into(),
                period: "2026-10".into(),
                kind,
                span: sp(0),
            });
        }
        v
    }

    fn data_errors() -> Vec<DataError> {
        let raw = || "0.5".to_string();
        let cells = vec![
            CellError::NotANumber { raw: raw() },
            CellError::BadSeparators { raw: raw() },
            CellError::TooManyDigits { raw: raw() },
            CellError::NoPercentSign { raw: raw() },
            CellError::WrongUnit {
                raw: raw(),
                ty: "count".into(),
                expected: "?".into(),
            },
            CellError::WrongUnit {
                raw: raw(),
                ty: "days".into(),
                expected: "?".into(),
            },
            CellError::WrongUnit {
                raw: raw(),
                ty: "money".into(),
                expected: "?".into(),
            },
            CellError::UnknownDurationUnit {
                raw: raw(),
                unit: "weeks".into(),
                declared: "days".into(),
            },
            CellError::NotWhole { raw: raw() },
            CellError::Negative { raw: raw() },
            CellError::NegativeQuantity {
                raw: raw(),
                ty: "seconds".into(),
            },
            CellError::NotABool { raw: raw() },
            CellError::NotALevel {
                raw: raw(),
                levels: "优秀, 良好".into(),
            },
            CellError::NotAScalar { found: "array" },
            CellError::NotAScalar { found: "object" },
            CellError::OutOfRange {
                raw: raw(),
                lo: "0".into(),
                hi: "10".into(),
            },
        ];
        let mut kinds: Vec<DataErrorKind> = cells.into_iter().map(DataErrorKind::from).collect();
        kinds.extend([
            DataErrorKind::Empty,
            DataErrorKind::Syntax {
                format: "CSV",
                message: "bad".into(),
            },
            DataErrorKind::Syntax {
                format: "JSON",
                message: "bad".into(),
            },
            DataErrorKind::MissingColumn {
                name: "employee",
                aliases: "`员工` or `工号`",
            },
            DataErrorKind::MissingInput {
                id: "a".into(),
                label: Some("甲".into()),
                suggestion: None,
            },
            DataErrorKind::MissingInput {
                id: "a".into(),
                label: None,
                suggestion: None,
            },
            DataErrorKind::DuplicateColumn {
                first: "a".into(),
                second: "甲".into(),
                target: "a".into(),
            },
            DataErrorKind::FieldCount {
                found: 3,
                expected: 4,
            },
            DataErrorKind::NotAnObject { found: "a string" },
            DataErrorKind::DuplicateKey { key: "a".into() },
            DataErrorKind::MissingValue { id: "a".into() },
            DataErrorKind::EmptyEmployee,
            DataErrorKind::EmptyPeriod,
            DataErrorKind::BadPeriod {
                raw: "2026/10".into(),
            },
            DataErrorKind::DuplicateRow {
                employee: "E1".into(),
                period: "2026-10".into(),
                first_line: 2,
            },
            DataErrorKind::DuplicatePeriod {
                period: "2026-10".into(),
                first_line: 2,
            },
            DataErrorKind::MissingPeriod {
                period: "2026-10".into(),
                context_file: "context.csv".into(),
            },
            DataErrorKind::TooMany { more: 5 },
            DataErrorKind::MissingInput {
                id: "avg_response".into(),
                label: Some("平均响应时间".into()),
                suggestion: Some("平均响应(秒)".into()),
            },
            DataErrorKind::BadEncoding {
                encoding: "gb18030".into(),
                guessed: true,
            },
            DataErrorKind::BadEncoding {
                encoding: "UTF-8".into(),
                guessed: false,
            },
            DataErrorKind::BadWorkbook {
                message: "invalid zip".into(),
            },
            DataErrorKind::NoSuchSheet {
                name: "明细".into(),
                sheets: vec!["售前明细".into(), "Sheet2".into()],
            },
            DataErrorKind::HtmlTable,
            DataErrorKind::SheetsNotBuilt,
            DataErrorKind::HeaderUnit {
                header: "销售额(秒)".into(),
                unit: "秒".into(),
                id: "sales".into(),
                ty: "money".into(),
            },
            DataErrorKind::DuplicateAcrossFiles {
                employee: "E1".into(),
                period: "2026-10".into(),
                first_file: "shop_a.csv".into(),
                first_line: 4,
            },
        ]);
        kinds
            .into_iter()
            .enumerate()
            .map(|(i, k)| {
                let column = (i % 2 == 0).then_some("退款纠纷率");
                DataError::new("records.csv", i % 3, column, k)
            })
            .collect()
    }

    /// Both languages say something; the Chinese says it in Chinese, with
    /// Chinese punctuation; codes and spans do not depend on the language.
    fn assert_both(en: &Report, zh: &Report) {
        assert_eq!(en.code, zh.code);
        let en_spans: Vec<Span> = en.labels.iter().map(|l| l.0).collect();
        let zh_spans: Vec<Span> = zh.labels.iter().map(|l| l.0).collect();
        assert_eq!(en_spans, zh_spans, "{en:?}");
        assert_eq!(en.help.is_some(), zh.help.is_some(), "{en:?}");
        let texts = std::iter::once((&en.message, &zh.message))
            .chain(
                en.labels
                    .iter()
                    .map(|l| &l.1)
                    .zip(zh.labels.iter().map(|l| &l.1)),
            )
            .chain(en.help.iter().zip(zh.help.iter()));
        for (e, z) in texts {
            assert!(!e.is_empty() && !z.is_empty(), "{en:?}");
            assert!(z.chars().any(is_cjk), "not translated: {z}");
            assert_chinese_punctuation(z);
        }
    }

    /// One example of every lint, from checking the repository's policies
    /// (seed defects and analysis cases included).
    fn lint_reports() -> Vec<(Report, Report)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("policies"), root.join("tests/data")];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "kpi") {
                    files.push(p);
                }
            }
        }
        files.sort();
        let mut seen = std::collections::BTreeMap::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let Ok(policy) = kpi::syntax::parse(&text) else {
                continue;
            };
            let warnings = match kpi::check::check(&policy) {
                Ok(c) => c.warnings,
                Err(e) => e.warnings,
            };
            for w in warnings {
                seen.entry(w.report(Lang::En).code)
                    .or_insert_with(|| (w.report(Lang::En), w.report(Lang::Zh)));
            }
        }
        seen.into_values().collect()
    }

    /// Every code once: (code, English report, Chinese report).
    fn every_code() -> Vec<(&'static str, Report, Report)> {
        let mut all: Vec<(Report, Report)> = Vec::new();
        all.extend(
            check_errors()
                .iter()
                .map(|e| (e.report(Lang::En), e.report(Lang::Zh))),
        );
        all.extend(
            syntax_errors()
                .iter()
                .map(|e| (e.report(Lang::En), e.report(Lang::Zh))),
        );
        all.extend(
            eval_errors()
                .iter()
                .map(|e| (e.report(Lang::En), e.report(Lang::Zh))),
        );
        all.extend(
            data_errors()
                .iter()
                .map(|e| (e.report(Lang::En), e.report(Lang::Zh))),
        );
        all.extend(
            sql_errors()
                .iter()
                .map(|e| (e.report(Lang::En), e.report(Lang::Zh))),
        );
        all.extend(
            duckdb_errors()
                .iter()
                .map(|e| (e.report(Lang::En), e.report(Lang::Zh))),
        );
        all.extend(lint_reports());
        let mut seen = std::collections::BTreeMap::new();
        for (en, zh) in all {
            seen.entry(en.code).or_insert((en, zh));
        }
        seen.into_iter().map(|(c, (en, zh))| (c, en, zh)).collect()
    }

    /// Every diagnostic code has a rendered example in both languages, in
    /// one snapshot (`kpi::…` sorted), and the README lists exactly these
    /// codes.
    #[test]
    fn every_code_has_a_snapshot_in_both_languages_and_a_readme_entry() {
        let codes = every_code();
        let mut text = String::new();
        for (code, en, zh) in &codes {
            text.push_str(&format!("{code}\n  en: {}\n", en.message));
            if let Some(h) = &en.help {
                text.push_str(&format!("      help: {h}\n"));
            }
            text.push_str(&format!("  zh: {}\n", zh.message));
            if let Some(h) = &zh.help {
                text.push_str(&format!("      help: {h}\n"));
            }
        }
        insta::assert_snapshot!("every_code", text);
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let listed: std::collections::BTreeSet<String> = readme
            .split('`')
            .filter(|w| {
                w.starts_with("kpi::")
                    && w.len() > 5
                    && w[5..].chars().all(|c| {
                        c.is_ascii_lowercase() || c == '_' || c == ':' || c.is_ascii_digit()
                    })
            })
            .map(str::to_string)
            .collect();
        let known: std::collections::BTreeSet<String> =
            codes.iter().map(|(c, _, _)| c.to_string()).collect();
        let missing: Vec<&String> = known.difference(&listed).collect();
        let unknown: Vec<&String> = listed.difference(&known).collect();
        assert!(
            missing.is_empty(),
            "codes missing from the README: {missing:?}"
        );
        assert!(
            unknown.is_empty(),
            "README codes that no error has: {unknown:?}"
        );
    }

    #[test]
    fn every_diagnostic_has_chinese_text() {
        let mut n = 0;
        let mut all = String::new();
        let mut add = |en: Report, zh: Report| {
            assert_both(&en, &zh);
            all.push_str(&format!(
                "{}\n  {}\n  {:?}\n  {:?}\n",
                zh.code, zh.message, zh.labels, zh.help
            ));
            n += 1;
        };
        for e in check_errors() {
            add(e.report(Lang::En), e.report(Lang::Zh));
        }
        for e in syntax_errors() {
            add(e.report(Lang::En), e.report(Lang::Zh));
        }
        for e in eval_errors() {
            add(e.report(Lang::En), e.report(Lang::Zh));
        }
        for e in data_errors() {
            add(e.report(Lang::En), e.report(Lang::Zh));
        }
        for e in sql_errors() {
            add(e.report(Lang::En), e.report(Lang::Zh));
        }
        for e in duckdb_errors() {
            add(e.report(Lang::En), e.report(Lang::Zh));
        }
        if std::env::var_os("KPI_SHOW_ZH").is_some() {
            println!("{all}");
        }
        assert!(n > 500, "{n}");
    }
}

/// One language per run (issue 10, item 14): with a Chinese environment,
/// `explain`'s score sheet and its loading messages are both Chinese; with
/// `--lang en`, both English.
#[test]
fn explain_uses_one_language_for_report_and_messages() {
    let root = env!("CARGO_MANIFEST_DIR");
    let run = |args: &[&str], env: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
            .args(args)
            .env_remove("LANG")
            .env_remove("LC_MESSAGES")
            .env("LC_ALL", env)
            .current_dir(root)
            .output()
            .unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let base = [
        "explain",
        "policies/tmall_after_sales.kpi",
        "--data",
        "examples/tmall_after_sales/records.csv",
        "--context",
        "examples/tmall_after_sales/context.csv",
        "--employee",
        "E01",
    ];
    let (zh, _) = run(&base, "zh_CN.UTF-8");
    assert!(zh.contains("第 ") && zh.contains(" 行"), "{zh}");
    let (en, _) = run(&[&base[..], &["--lang", "en"]].concat(), "zh_CN.UTF-8");
    assert!(en.contains("line "), "{en}");
    assert!(!en.contains("第 "), "{en}");
    // a data problem under LC_ALL=zh: the message is Chinese too
    let (_, err) = run(
        &[
            "explain",
            "policies/tmall_after_sales.kpi",
            "--data",
            "no_such_file.csv",
            "--employee",
            "E01",
        ],
        "zh_CN.UTF-8",
    );
    assert!(err.contains("无法读取"), "{err}");
}
