//! `whatif`: for one record and a target (`grade = A`, `total >= 90`,
//! `perf_pay >= 5000`), the smallest change of each single numeric input
//! that reaches the target, everything else fixed. Every suggestion is
//! verified by evaluating it.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::show::{signed, with_unit};
use super::whatif_search::Search;
use super::ContextValues;
use crate::data::{parse_cell, Cell, FieldSpec, ReadOptions};
use crate::eval::format::displayed_num;
use crate::eval::num::Num;
use crate::eval::{EvalError, Row};
use crate::ir::{Output, Program, Value};
use crate::syntax::ast::CmpOp;
use crate::types::{DurUnit, Ty};
use serde::Serialize;
use std::cmp::Ordering;

/// A parsed `OUTPUT OP VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Index into `program.outputs`.
    pub output: usize,
    pub op: CmpOp,
    pub value: Value,
    /// The target as given, normalised (`total >= 90`).
    pub text: String,
}

/// The output a target names.
// Invariant: `target.output` is a position in `program.outputs`, as
// `parse_target` produces it.
#[allow(clippy::indexing_slicing)]
pub(crate) fn output_of<'p>(program: &'p Program, target: &Target) -> &'p Output {
    &program.outputs[target.output]
}

/// Parses a target against the policy's outputs. Grades compare by level:
/// levels declared first are better, so `grade >= B` means B or better.
pub fn parse_target(program: &Program, text: &str) -> Result<Target, String> {
    const OPS: [(&str, CmpOp); 9] = [
        (">=", CmpOp::Ge),
        ("<=", CmpOp::Le),
        ("==", CmpOp::Eq),
        ("!=", CmpOp::Ne),
        ("≥", CmpOp::Ge),
        ("≤", CmpOp::Le),
        ("=", CmpOp::Eq),
        (">", CmpOp::Gt),
        ("<", CmpOp::Lt),
    ];
    let found = OPS
        .iter()
        .filter_map(|(sym, op)| text.find(sym).map(|at| (at, *sym, *op)))
        .min_by_key(|(at, sym, _)| (*at, usize::MAX - sym.len()));
    let Some((at, sym, op)) = found else {
        return Err(format!(
            "cannot read the target `{text}`: write `OUTPUT OP VALUE` with OP one of = >= <= > <, e.g. `grade = A` or `total >= 90`"
        ));
    };
    let name = text[..at].trim();
    let raw = text[at + sym.len()..].trim();
    let Some((output, out)) = program.outputs.iter().enumerate().find(|(_, o)| {
        o.name == name
            || program
                .slots
                .get(o.slot)
                .is_some_and(|s| s.label.as_deref() == Some(name))
    }) else {
        let names = program.outputs.iter().map(|o| o.name.as_str());
        let hint = match super::nearest(name, names) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => String::new(),
        };
        return Err(format!("the policy has no output `{name}`{hint}"));
    };
    let oname = &out.name;
    let ty = &super::slot_of(program, out.slot).ty;
    let value = target_value(raw, ty).map_err(|e| format!("target `{text}`: {e}"))?;
    if !ty.is_numeric() && !matches!(ty, Ty::Grade(_)) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return Err(format!(
            "target `{text}`: `{oname}` is {ty}; only `=` and `!=` compare it"
        ));
    }
    Ok(Target {
        output,
        op,
        value,
        text: format!(
            "{oname} {} {raw}",
            if op == CmpOp::Eq { "=" } else { op.symbol() }
        ),
    })
}

fn target_value(raw: &str, ty: &Ty) -> Result<Value, String> {
    let unquoted = raw.trim_matches(|c| c == '"' || c == '\'' || c == '“' || c == '”');
    if let Ty::Grade(levels) = ty {
        return match levels.iter().position(|l| l == unquoted) {
            Some(i) => Ok(Value::Level(i as u16)),
            None => Err(format!("`{raw}` is not a level ({})", levels.join(", "))),
        };
    }
    if *ty == Ty::Text {
        return Ok(Value::Text(unquoted.into()));
    }
    let spec = FieldSpec {
        id: "target".into(),
        label: None,
        aliases: Vec::new(),
        ty: ty.clone(),
        range: None,
        default: None,
    };
    match parse_cell(raw, &spec, &ReadOptions::default()) {
        Ok(Some(Cell::Num(d))) => Ok(Value::Num(Num::from_decimal(d))),
        Ok(Some(Cell::Bool(b))) => Ok(Value::Bool(b)),
        Ok(Some(_)) | Ok(None) => Err(format!("`{raw}` is not a value of type {ty}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether `got` (an output of type `ty`) meets the target. Money is
/// compared as shown (to the fen).
pub fn meets(got: &Value, ty: &Ty, t: &Target) -> bool {
    let ord = match (got, &t.value) {
        (Value::Level(a), Value::Level(b)) => b.cmp(a), // earlier level = better
        (Value::Num(_), Value::Num(b)) => match displayed_num(got, ty).map(|a| a.exact_cmp(*b)) {
            Some(Ok(o)) => o,
            _ => return false,
        },
        (a, b) => {
            let eq = a == b;
            return match t.op {
                CmpOp::Eq => eq,
                CmpOp::Ne => !eq,
                _ => false,
            };
        }
    };
    t.op.holds(ord)
}

/// The what-if report for one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    pub policy: String,
    pub employee: String,
    pub period: String,
    pub team: Option<String>,
    pub target: String,
    pub output: String,
    /// The output's current value (with unit).
    pub current: String,
    pub met: bool,
    /// Numeric targets: target − current, with unit.
    pub gap: Option<String>,
    /// Grade targets: how many levels apart.
    pub levels_apart: Option<usize>,
    /// One entry per numeric input, in declaration order.
    pub inputs: Vec<InputChange>,
}

/// What one input would have to be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputChange {
    pub id: String,
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    pub current: String,
    /// `reachable`, `unreachable` (not by this input alone, within its
    /// range) or `no_effect` (the target does not depend on it).
    pub outcome: String,
    /// The smaller of the two directions.
    pub best: Option<Found>,
    pub up: Option<Found>,
    pub down: Option<Found>,
    /// The range searched (declared, or implied by the type).
    pub searched: Searched,
}

/// The bounds of a search; `None` is unbounded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Searched {
    pub min: Option<String>,
    pub max: Option<String>,
}

/// A verified value that reaches the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub needed: String,
    pub change: String,
    /// The target output's value with this input (verified by evaluation).
    pub result: String,
    pub verified: bool,
}

/// Runs the search for every numeric input of record `row`.
pub fn whatif(
    program: &Program,
    rows: &[Row],
    context: &ContextValues,
    row: usize,
    target: &Target,
) -> Result<WhatIf, Vec<EvalError>> {
    let mut search = Search::new(program, rows, context, row, target)?;
    let out = output_of(program, target);
    let ty = super::slot_of(program, out.slot).ty.clone();
    let current = search.current().clone();
    let met = meets(&current, &ty, target);
    let (gap, levels_apart) = match (&current, &target.value) {
        (Value::Num(_), Value::Num(t)) => (
            displayed_num(&current, &ty)
                .and_then(|c| t.minus(c).ok())
                .map(|d| signed(d, &ty)),
            None,
        ),
        (Value::Level(a), Value::Level(b)) => (None, Some(usize::from(a.abs_diff(*b)))),
        _ => (None, None),
    };
    let mut inputs = Vec::new();
    for (i, f) in program.inputs.iter().enumerate() {
        let x0 = match super::row_of(rows, row).inputs.get(i) {
            Some(Value::Num(x0)) if f.ty.is_numeric() => x0,
            Some(v @ (Value::Level(_) | Value::Bool(_))) => {
                inputs.push(choice(&mut search, i, f, &v, met, &ty, target));
                continue;
            }
            _ => continue,
        };
        let current = show_input(x0, &f.ty);
        let (lo, hi) = search.domain(i, x0);
        let searched = Searched {
            min: lo.map(|n| show_input(n, &f.ty)),
            max: hi.map(|n| show_input(n, &f.ty)),
        };
        let mut change = InputChange {
            id: f.id.clone(),
            label: f.label.clone(),
            ty: f.ty.to_string(),
            current,
            outcome: "no_effect".into(),
            best: None,
            up: None,
            down: None,
            searched,
        };
        if met || !search.depends(i) {
            change.outcome = if met {
                "met".into()
            } else {
                "no_effect".into()
            };
            inputs.push(change);
            continue;
        }
        let up = search.find(i, x0, 1);
        let down = search.find(i, x0, -1);
        let mut found = |x: Num| {
            let result = search.verify(i, x);
            Found {
                needed: show_input(x, &f.ty),
                change: x.minus(x0).map(|d| signed(d, &f.ty)).unwrap_or_default(),
                verified: result.as_ref().is_some_and(|v| meets(v, &ty, target)),
                result: result.map(|v| with_unit(&v, &ty)).unwrap_or_default(),
            }
        };
        change.up = up.map(&mut found);
        change.down = down.map(&mut found);
        let dist = |x: Option<Num>| x.and_then(|x| x.minus(x0).and_then(Num::abs).ok());
        change.best = match (dist(up), dist(down)) {
            (Some(u), Some(d)) if d.exact_cmp(u).is_ok_and(|o| o == Ordering::Less) => {
                change.down.clone()
            }
            (Some(_), _) => change.up.clone(),
            (None, _) => change.down.clone(),
        };
        change.outcome = if change.best.is_some() {
            "reachable".into()
        } else {
            "unreachable".into()
        };
        inputs.push(change);
    }
    let r = super::row_of(rows, row);
    Ok(WhatIf {
        policy: program.name.clone(),
        employee: r.employee().to_string(),
        period: r.period.to_string(),
        team: r.team().map(str::to_string),
        target: target.text.clone(),
        output: out.name.clone(),
        current: with_unit(&current, &ty),
        met,
        gap,
        levels_apart,
        inputs,
    })
}

/// An input value with its unit; a duration that is not a whole number of
/// its declared unit also shows the seconds (`3.0000115741d (259201s)`).
/// What-if for an input that takes one of a few values (a grade level, a
/// bool): every other value is tried, the nearest levels first; `up` is a
/// better level (declared earlier), `down` a worse one.
fn choice(
    search: &mut Search<'_>,
    i: usize,
    f: &crate::ir::Field,
    now: &Value,
    met: bool,
    ty: &Ty,
    target: &Target,
) -> InputChange {
    let show = |v: &Value| with_unit(v, &f.ty);
    let (levels, searched) = match (&f.ty, now) {
        (Ty::Grade(levels), Value::Level(_)) => (
            levels.len(),
            Searched {
                min: levels.last().cloned(),
                max: levels.first().cloned(),
            },
        ),
        _ => (
            2,
            Searched {
                min: Some("false".into()),
                max: Some("true".into()),
            },
        ),
    };
    let mut change = InputChange {
        id: f.id.clone(),
        label: f.label.clone(),
        ty: f.ty.to_string(),
        current: show(now),
        outcome: if met { "met" } else { "no_effect" }.into(),
        best: None,
        up: None,
        down: None,
        searched,
    };
    if met || !search.depends(i) {
        return change;
    }
    let mut found = |v: Value| {
        let result = search.verify_value(i, v.clone())?;
        meets(&result, ty, target).then(|| Found {
            needed: show(&v),
            change: format!("{} → {}", show(now), show(&v)),
            verified: true,
            result: with_unit(&result, ty),
        })
    };
    match now {
        Value::Level(l0) => {
            let l0 = usize::from(*l0);
            let mut at = |k: usize| {
                let v = Value::Level(u16::try_from(k).ok()?);
                found(v).map(|f| (k.abs_diff(l0), f))
            };
            let up = (0..l0).rev().find_map(&mut at);
            let down = (l0 + 1..levels).find_map(&mut at);
            // the nearer of the two, a better level on a tie
            change.best = match (&up, &down) {
                (Some((u, _)), Some((d, f))) if d < u => Some(f.clone()),
                (Some((_, f)), _) | (None, Some((_, f))) => Some(f.clone()),
                (None, None) => None,
            };
            change.up = up.map(|(_, f)| f);
            change.down = down.map(|(_, f)| f);
        }
        Value::Bool(b) => change.best = found(Value::Bool(!b)),
        Value::Num(_) | Value::Text(_) => {}
    }
    change.outcome = if change.best.is_some() {
        "reachable"
    } else {
        "unreachable"
    }
    .into();
    change
}

fn show_input(x: Num, ty: &Ty) -> String {
    let text = with_unit(&Value::Num(x), ty);
    if let Ty::Duration(u) = ty {
        if *u != DurUnit::Seconds {
            let exact = x
                .over(Num::from_decimal(u.seconds()))
                .is_ok_and(|q| q.is_terminating() && q.to_plain_string().len() <= 12);
            if !exact {
                return format!("{text} ({}s)", x.to_plain_string());
            }
        }
    }
    text
}
