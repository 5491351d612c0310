//! Weights, and payout sanity: money outputs that can go negative or fall
//! as a score rises. Payouts are probed by evaluating the policy on
//! synthetic records: a warning always comes with a real example.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::interval::Interval;
use super::ranges::Ranges;
use super::show::show_value;
use crate::check::lint::Lint;
use crate::eval::expr::{eval, Env, Trace, TraceEvent};
use crate::eval::num::Num;
use crate::ir::*;
use crate::syntax::ast::Span;
use crate::types::{NumKind, Ty};
use std::cmp::Ordering;

/// Warns when item weights do not add up to 100 % (or 100 points).
pub fn check_weights(program: &Program, lints: &mut Vec<Lint>) {
    let weights: Vec<Weight> = program.slots.iter().filter_map(|s| s.weight).collect();
    let Some(percent) = weights.first().map(|w| w.percent) else {
        return;
    };
    if weights.iter().any(|w| w.percent != percent) {
        return;
    }
    let mut sum = Num::ZERO;
    for w in &weights {
        match sum.plus(w.value) {
            Ok(s) => sum = s,
            Err(_) => return,
        }
    }
    let expected = if percent { Num::ONE } else { Num::int(100) };
    if sum.exact_cmp(expected).is_ok_and(|o| o.is_ne()) {
        let ty = if percent {
            Ty::Number(NumKind::Percent)
        } else {
            Ty::Number(NumKind::Points)
        };
        lints.push(Lint::WeightsSum {
            sum: show_value(sum, &ty),
            expected: show_value(expected, &ty),
            spans: weights.iter().map(|w| w.span).collect(),
        });
    }
}

/// One synthetic record: inputs, context, and the slots computed from them.
struct Probe<'p> {
    program: &'p Program,
    inputs: Vec<Value>,
    context: Vec<Value>,
    slots: Vec<Option<Value>>,
    /// The rules the last run took (band and `cases` arms).
    taken: Vec<TraceEvent>,
}

impl Env for Probe<'_> {
    fn read(&self, s: Source) -> Option<&Value> {
        match s {
            Source::Input(i) => self.inputs.get(i),
            Source::Context(i) => self.context.get(i),
            Source::Slot(i) => self.slots.get(i).and_then(|v| v.as_ref()),
        }
    }
}

impl Probe<'_> {
    /// Computes every per-record slot in order; `forced` replaces one.
    fn run(&mut self, forced: Option<(usize, &Value)>) {
        for v in self.slots.iter_mut() {
            *v = None;
        }
        let mut trace: Trace = Some(Vec::new());
        for &s in &self.program.order {
            let value = match forced {
                Some((fs, fv)) if fs == s => Some(fv.clone()),
                _ => match self.program.slots.get(s).map(|slot| &slot.compute) {
                    Some(Compute::Expr(e)) => eval(e, self, &mut trace).ok(),
                    Some(Compute::Team(_) | Compute::History(_)) | None => continue,
                },
            };
            if let Some(v) = self.slots.get_mut(s) {
                *v = value;
            }
        }
        self.taken = trace.unwrap_or_default();
    }
}

/// The last decision (the nearest to the payout) that went another way in
/// `high` than in `low`: the arm taken at each (band arms, `cases` rules,
/// match arms).
fn switched(program: &Program, low: &[TraceEvent], high: &[TraceEvent]) -> Option<(Span, Span)> {
    let arm = |e: &TraceEvent| match e {
        TraceEvent::Band { span, arm_span, .. } | TraceEvent::Case { span, arm_span, .. } => {
            Some((*span, *arm_span))
        }
        TraceEvent::Match { span, arm } => match_arm(program, *span, *arm).map(|a| (*span, a)),
        TraceEvent::If { .. } | TraceEvent::Step { .. } => None,
    };
    low.iter().rev().filter_map(arm).find_map(|(at, a)| {
        high.iter()
            .filter_map(arm)
            .find(|(h, b)| *h == at && *b != a)
            .map(|(_, b)| (a, b))
    })
}

/// The span of arm `arm`'s result in the match at `span`.
fn match_arm(program: &Program, span: Span, arm: usize) -> Option<Span> {
    let mut found = None;
    for slot in &program.slots {
        if let Compute::Expr(e) = &slot.compute {
            e.walk(&mut |x| {
                if let IKind::Match { values, .. } = &x.kind {
                    if x.span == span && found.is_none() {
                        found = values.get(arm).map(|v| v.span);
                    }
                }
            });
        }
    }
    found
}

/// Typical values of a field for probing: low end, middle, high end.
fn samples(iv: Option<Interval>, ty: &Ty) -> Vec<Value> {
    match ty {
        Ty::Bool => vec![Value::Bool(false), Value::Bool(true)],
        Ty::Grade(levels) => (0..levels.len().min(8))
            .map(|i| Value::Level(i as u16))
            .collect(),
        Ty::Text => vec![Value::Text("".into())],
        Ty::Number(_) | Ty::Duration(_) | Ty::Money => {
            let iv = iv.unwrap_or(Interval::ALL);
            let lo = iv.lo.map(|e| e.v);
            let hi = iv.hi.map(|e| e.v);
            let typical = match ty {
                Ty::Money => Num::int(10000),
                Ty::Duration(_) => Num::int(3600),
                Ty::Number(NumKind::Count) => Num::int(2),
                Ty::Number(_) | Ty::Bool | Ty::Text | Ty::Grade(_) => Num::int(50),
            };
            let (lo, hi) = match (lo, hi) {
                (Some(a), Some(b)) => (a, b),
                (Some(a), None) => (
                    a,
                    a.plus(typical).and_then(|x| x.plus(typical)).unwrap_or(a),
                ),
                (None, Some(b)) => (
                    b.minus(typical).and_then(|x| x.minus(typical)).unwrap_or(b),
                    b,
                ),
                (None, None) => (Num::ZERO, typical.plus(typical).unwrap_or(typical)),
            };
            let mid = lo.plus(hi).and_then(|s| s.over(Num::int(2))).unwrap_or(lo);
            let mid = if iv.int {
                mid.floor().unwrap_or(mid)
            } else {
                mid
            };
            vec![Value::Num(mid), Value::Num(lo), Value::Num(hi)]
        }
    }
}

/// Candidate values of a score variable: every constant of the policy in
/// its range, a hair either side, the ends, and an even grid.
fn candidates(iv: Interval, consts: &[Num]) -> Vec<Num> {
    let step = if iv.int {
        Num::ONE
    } else {
        Num::from_decimal(rust_decimal::Decimal::new(1, 2))
    };
    let lo = iv.lo.map(|e| e.v).or_else(|| {
        consts
            .iter()
            .copied()
            .min_by(|a, b| a.exact_cmp(*b).unwrap_or(Ordering::Equal))
    });
    let hi = iv.hi.map(|e| e.v).or_else(|| {
        consts
            .iter()
            .copied()
            .max_by(|a, b| a.exact_cmp(*b).unwrap_or(Ordering::Equal))
    });
    let mut out = Vec::new();
    for c in consts {
        for v in [c.minus(step), Ok(*c), c.plus(step)].into_iter().flatten() {
            out.push(v);
        }
    }
    if let (Some(lo), Some(hi)) = (lo, hi) {
        out.push(lo);
        out.push(hi);
        if let Ok(width) = hi.minus(lo) {
            for k in 1..20 {
                if let Ok(v) = width
                    .times(Num::int(k))
                    .and_then(|w| w.over(Num::int(20)))
                    .and_then(|w| lo.plus(w))
                {
                    out.push(if iv.int { v.floor().unwrap_or(v) } else { v });
                }
            }
        }
    }
    out.retain(|v| iv.contains(*v));
    out.sort_by(|a, b| a.exact_cmp(*b).unwrap_or(Ordering::Equal));
    out.dedup_by(|a, b| a.exact_cmp(*b).is_ok_and(|o| o.is_eq()));
    out.truncate(400);
    out
}

/// Slots `slot` reads, transitively (including itself).
fn closure(program: &Program, slot: usize) -> Vec<bool> {
    let mut seen = vec![false; program.slots.len()];
    let mut stack = vec![slot];
    while let Some(s) = stack.pop() {
        let Some(flag) = seen.get_mut(s) else {
            continue;
        };
        if std::mem::replace(flag, true) {
            continue;
        }
        let mut deps = Vec::new();
        match program.slots.get(s).map(|slot| &slot.compute) {
            Some(Compute::Expr(e)) => deps.extend(e.slots_read()),
            Some(Compute::Team(_) | Compute::History(_)) | None => {}
        }
        stack.extend(deps.into_iter().filter(|d| *d < seen.len()));
    }
    seen
}

fn reads_inputs(program: &Program, within: &[bool]) -> Vec<bool> {
    let mut used = vec![false; program.inputs.len()];
    for (inside, slot) in within.iter().zip(&program.slots) {
        if let (true, Compute::Expr(e)) = (*inside, &slot.compute) {
            e.walk(&mut |x| {
                if let IKind::Read(Source::Input(i)) = x.kind {
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                }
            });
        }
    }
    used
}

/// A value a payout is probed along: an input, or a slot forced to a value.
struct ScoreVar {
    name: String,
    input: Option<usize>,
    slot: Option<usize>,
    range: Interval,
    ty: Ty,
}

fn is_score(slot: &Slot) -> bool {
    slot.ty == Ty::Number(NumKind::Points)
        && matches!(
            slot.kind,
            SlotKind::Item | SlotKind::Total | SlotKind::Let | SlotKind::Output
        )
}

/// Probes every money output for negative values and for falling as a
/// score (a points input, an item, a total) rises.
pub fn check_payouts(r: &Ranges, lints: &mut Vec<Lint>) {
    let program = r.program;
    let mut consts: Vec<Num> = Vec::new();
    for slot in &program.slots {
        if let Compute::Expr(e) = &slot.compute {
            e.walk(&mut |x| {
                if let IKind::Const(Value::Num(n)) = x.kind {
                    consts.push(n);
                }
            });
        }
    }
    let input_samples: Vec<Vec<Value>> = program
        .inputs
        .iter()
        .zip(&r.inputs)
        .map(|(f, iv)| samples(*iv, &f.ty))
        .collect();
    let context_samples: Vec<Vec<Value>> = program
        .context
        .iter()
        .zip(&r.context)
        .map(|(f, iv)| samples(*iv, &f.ty))
        .collect();
    for out in &program.outputs {
        let Some(slot) = program.slots.get(out.slot) else {
            continue;
        };
        if slot.ty != Ty::Money {
            continue;
        }
        let within = closure(program, out.slot);
        // Team and history values need other records: not probed.
        if within
            .iter()
            .zip(&program.slots)
            .any(|(w, s)| *w && !matches!(s.compute, Compute::Expr(_)))
        {
            continue;
        }
        let used = reads_inputs(program, &within);
        // Base records: every input at its middle, low, then high sample.
        let bases: Vec<(Vec<Value>, Vec<Value>)> = (0..3)
            .map(|k| {
                let pick = |s: &Vec<Value>| {
                    s.get(k)
                        .or_else(|| s.first())
                        .cloned()
                        .unwrap_or(Value::Bool(false))
                };
                (
                    input_samples.iter().map(pick).collect(),
                    context_samples.iter().map(pick).collect(),
                )
            })
            .collect();
        let mut probe = Probe {
            program,
            inputs: Vec::new(),
            context: Vec::new(),
            slots: vec![None; program.slots.len()],
            taken: Vec::new(),
        };
        let pay = |p: &Probe| match p.slots.get(out.slot).cloned().flatten() {
            Some(Value::Num(n)) => Some(n),
            _ => None,
        };
        // Score variables: points inputs the payout reads, and points slots.
        let mut vars: Vec<ScoreVar> = Vec::new();
        let inputs = program.inputs.iter().zip(used.iter().zip(&r.inputs));
        for (i, (f, (&used, range))) in inputs.enumerate() {
            if used && f.ty.is_numeric() {
                vars.push(ScoreVar {
                    name: f.id.clone(),
                    input: Some(i),
                    slot: None,
                    range: range.unwrap_or(Interval::ALL),
                    ty: f.ty.clone(),
                });
            }
        }
        let slots = program.slots.iter().zip(within.iter().zip(&r.slots));
        for (s, (sl, (&inside, range))) in slots.enumerate() {
            if inside && s != out.slot && is_score(sl) {
                vars.push(ScoreVar {
                    name: sl.name.clone(),
                    input: None,
                    slot: Some(s),
                    range: range.unwrap_or(Interval::ALL),
                    ty: sl.ty.clone(),
                });
            }
        }
        // §3.1: a salary of ¥0 is the edge of money's default domain, not
        // a case HR must handle. Negative pay is looked for with amounts
        // of undeclared range at a typical level or above (¥10000), so
        // `salary - 2元 + bonus` is no false alarm; a declared range is
        // probed in full.
        let floors = |fields: &[Field], samples: &[Vec<Value>]| -> Vec<Option<Num>> {
            fields
                .iter()
                .zip(samples)
                .map(|(f, s)| match (&f.ty, f.range, s.first()) {
                    (Ty::Money, None, Some(Value::Num(mid))) => Some(*mid),
                    _ => None,
                })
                .collect()
        };
        let input_floors = floors(&program.inputs, &input_samples);
        let context_floors = floors(&program.context, &context_samples);
        let realistic = |p: &Probe| {
            let above = |values: &[Value], floors: &[Option<Num>]| {
                values.iter().zip(floors).all(|(v, f)| match (v, f) {
                    (Value::Num(v), Some(f)) => v.exact_cmp(*f).is_ok_and(|o| o.is_ge()),
                    _ => true,
                })
            };
            above(&p.inputs, &input_floors) && above(&p.context, &context_floors)
        };
        let mut negative: Option<Lint> = None;
        let mut falls: Option<Lint> = None;
        'bases: for (inputs, context) in &bases {
            for ScoreVar {
                name,
                input,
                slot: forced_slot,
                range: iv,
                ty,
            } in &vars
            {
                let mut prev: Option<(Num, Num)> = None;
                let mut prev_taken: Vec<TraceEvent> = Vec::new();
                // Along this variable: did pay ever rise, and where did it first fall?
                let mut rose = false;
                let mut fall: Option<Lint> = None;
                for v in candidates(*iv, &consts) {
                    probe.inputs = inputs.clone();
                    probe.context = context.clone();
                    let value = Value::Num(v);
                    if let Some(cell) = input.and_then(|i| probe.inputs.get_mut(i)) {
                        *cell = value.clone();
                    }
                    probe.run(forced_slot.map(|s| (s, &value)));
                    let Some(p) = pay(&probe) else { continue };
                    if negative.is_none() && p.signum() < 0 && realistic(&probe) {
                        negative = Some(Lint::PayoutNegative {
                            output: out.name.clone(),
                            value: show_value(p.round(2).unwrap_or(p), &Ty::Money),
                            when: describe_when(
                                program,
                                &probe.inputs,
                                &used,
                                name,
                                &show_value(v, ty),
                            ),
                            span: slot.span,
                        });
                    }
                    let scoreish = forced_slot.is_some() || *ty == Ty::Number(NumKind::Points);
                    if let (true, Some((_, pp))) = (scoreish, prev) {
                        rose |= p.exact_cmp(pp).is_ok_and(|o| o.is_gt());
                    }
                    if let (true, None, Some((pv, pp))) = (scoreish, &fall, prev) {
                        if p.exact_cmp(pp).is_ok_and(|o| o.is_lt()) {
                            fall = Some(Lint::PayoutFalls {
                                output: out.name.clone(),
                                var: name.clone(),
                                low: show_value(pv, ty),
                                high: show_value(v, ty),
                                arms: switched(program, &prev_taken, &probe.taken),
                                pay_low: show_value(pp.round(2).unwrap_or(pp), &Ty::Money),
                                pay_high: show_value(p.round(2).unwrap_or(p), &Ty::Money),
                                span: slot.span,
                            });
                        }
                    }
                    prev = Some((v, p));
                    prev_taken = std::mem::take(&mut probe.taken);
                }
                // A score (an item, a total) must never lower pay. A points
                // input may be a deduction that lowers pay throughout; it is
                // only suspicious when pay also rises with it somewhere.
                if falls.is_none() && (forced_slot.is_some() || rose) {
                    falls = fall.take();
                }
                if negative.is_some() && falls.is_some() {
                    break 'bases;
                }
            }
        }
        lints.extend(negative);
        lints.extend(falls);
    }
}

/// `kpi_score = 91, salary = ¥10000`: the varied input first.
fn describe_when(
    program: &Program,
    inputs: &[Value],
    used: &[bool],
    varied: &str,
    varied_value: &str,
) -> String {
    let mut parts = vec![format!("{varied} = {varied_value}")];
    for (i, (f, &used)) in program.inputs.iter().zip(used).enumerate() {
        if used && f.id != varied && parts.len() < 4 {
            if let Some(Value::Num(n)) = inputs.get(i) {
                parts.push(format!("{} = {}", f.id, show_value(*n, &f.ty)));
            }
        }
    }
    parts.join(", ")
}
