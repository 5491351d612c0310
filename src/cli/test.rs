//! `kpi test POLICY_OR_DIR...`: runs the embedded tests (L15).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{load_program, Exit};
use crate::diag::Lang;
use crate::eval::format::{displayed_num, show};
use crate::eval::{evaluate, Row};
use crate::ir::{Program, TestCase, Value};
use crate::types::Period;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn run(paths: &[PathBuf], lang: Lang) -> Exit {
    let (files, errors) = super::files::policy_files(paths, lang);
    if !errors.is_empty() {
        for e in errors {
            eprintln!("{e}");
        }
        return Exit::Usage;
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        let program = match load_program(file, lang) {
            Ok((_, p)) => p,
            Err(Exit::Usage) => return Exit::Usage,
            Err(_) => {
                match lang {
                    Lang::En => println!("FAIL {}: the policy does not check", file.display()),
                    Lang::Zh => println!("FAIL {}：方案没有通过检查", file.display()),
                }
                failed += 1;
                continue;
            }
        };
        for t in &program.tests {
            match run_case(&program, t, lang) {
                Ok(()) => {
                    println!("ok   {} :: {}", file.display(), t.name);
                    passed += 1;
                }
                Err(problems) => {
                    println!("FAIL {} :: {}", file.display(), t.name);
                    for p in problems {
                        println!("       {p}");
                    }
                    failed += 1;
                }
            }
        }
    }
    // The last line is English in every language: CI systems parse it
    // (§4); Chinese readers get their summary just before it.
    if lang == Lang::Zh {
        println!("{passed} 个通过，{failed} 个失败");
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        Exit::Failure
    } else {
        Exit::Success
    }
}

/// Runs one test; returns a line per differing output or problem, in
/// `lang`.
pub(crate) fn run_case(program: &Program, t: &TestCase, lang: Lang) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for r in &t.rows {
        let mut inputs: Vec<Option<Value>> =
            program.inputs.iter().map(|f| f.default.clone()).collect();
        for (i, v, _) in &r.given {
            if let Some(slot) = inputs.get_mut(*i) {
                *slot = Some(v.clone());
            }
        }
        let mut full = Vec::with_capacity(inputs.len());
        for (f, v) in program.inputs.iter().zip(inputs) {
            match v {
                Some(v) => full.push(v),
                None => {
                    problems.push(match lang {
                        Lang::En => format!(
                            "row `{}` {}: input `{}` is not given and has no default",
                            r.employee, r.period, f.id
                        ),
                        Lang::Zh => format!(
                            "`{}` {} 这一行：没有给出输入 `{}`，它也没有默认值",
                            r.employee, r.period, f.id
                        ),
                    });
                    full.push(Value::Bool(false));
                }
            }
        }
        rows.push(Row::new(&r.employee, r.period, r.team.as_deref(), 0, full));
    }
    let context = test_context(program, t, lang, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let ev = match evaluate(program, &rows, &context, None) {
        Ok(ev) => ev,
        Err(errors) => {
            return Err(errors
                .iter()
                .map(|e| {
                    let m = e.report(lang).message;
                    match lang {
                        Lang::En => format!("evaluation failed: {m}"),
                        Lang::Zh => format!("计算失败：{m}"),
                    }
                })
                .collect())
        }
    };
    for (ri, r) in t.rows.iter().enumerate() {
        for (oi, want, _) in &r.expect {
            let Some(out) = program.outputs.get(*oi) else {
                continue;
            };
            let Some(ty) = program.slots.get(out.slot).map(|s| &s.ty) else {
                continue;
            };
            let Some(got) = ev.value(ri, out.slot) else {
                continue;
            };
            let got = &got;
            let same = match (displayed_num(want, ty), displayed_num(got, ty)) {
                (Some(a), Some(b)) => a.exact_cmp(b).is_ok_and(|o| o.is_eq()),
                _ => want == got,
            };
            if !same {
                let who = match (t.rows.len() > 1, lang) {
                    (false, _) => String::new(),
                    (true, Lang::En) => format!("row `{}` {}: ", r.employee, r.period),
                    (true, Lang::Zh) => format!("`{}` {} 这一行：", r.employee, r.period),
                };
                let (want, got) = (show(want, ty).as_text(), show(got, ty).as_text());
                problems.push(match lang {
                    Lang::En => format!("{who}`{}`: expected {want}, got {got}", out.name),
                    Lang::Zh => format!("{who}`{}`：应为 {want}，实际为 {got}", out.name),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn test_context(
    program: &Program,
    t: &TestCase,
    lang: Lang,
    problems: &mut Vec<String>,
) -> BTreeMap<Period, Vec<Value>> {
    let mut out = BTreeMap::new();
    if program.context.is_empty() {
        return out;
    }
    let periods: std::collections::BTreeSet<Period> = t.rows.iter().map(|r| r.period).collect();
    for p in periods {
        let mut vals: Vec<Option<Value>> =
            program.context.iter().map(|f| f.default.clone()).collect();
        for (period, values) in &t.contexts {
            if period.is_none() || *period == Some(p) {
                for (i, v) in values {
                    if let Some(slot) = vals.get_mut(*i) {
                        *slot = Some(v.clone());
                    }
                }
            }
        }
        let mut full = Vec::new();
        for (f, v) in program.context.iter().zip(vals) {
            match v {
                Some(v) => full.push(v),
                None => {
                    problems.push(match lang {
                        Lang::En => format!("context `{}` has no value for {p}", f.id),
                        Lang::Zh => format!("context `{}` 没有 {p} 的值", f.id),
                    });
                    full.push(Value::Bool(false));
                }
            }
        }
        out.insert(p, full);
    }
    out
}
