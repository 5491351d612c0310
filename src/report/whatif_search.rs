//! The search behind `whatif`: exact, on the grid of the input's smallest
//! unit, driven by the policy's own boundaries.
//!
//! For an input `x` (currently `x0`) and a direction, the points tried are,
//! nearest first: the policy's bounds on `x` (band bounds, step boundaries
//! `reference ± k·step`, scale ends, comparison operands, clamp limits —
//! evaluated for this record, so `industry + 0.1%` works), each ± one unit,
//! and doubling probes `x0 ± u·2^k` up to the input's range. At the first
//! point that meets the target, an exact bisection on the unit grid
//! between it and the last point that failed finds the edge. Team and
//! history rules are honoured by re-evaluating the record's team (or the
//! whole batch) with the one value changed.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Matches over IR enums name every variant: a new variant fails to build
// here until it is handled.
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::whatif::{meets, Target};
use super::{row_context, ContextValues, RowEnv};
use crate::eval::expr::eval;
use crate::eval::num::Num;
use crate::eval::{evaluate, EvalError, Row};
use crate::ir::{Compute, HistoryFn, IExpr, IKind, Program, Source, TeamFn, Value};
use crate::types::{NumKind, Ty};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Step boundaries tried on each side of a step rule's reference.
const STEP_CANDIDATES: i64 = 60;
/// Doubling probes: `u·2^k` for k up to this.
const DOUBLINGS: u32 = 48;

pub(crate) struct Search<'a> {
    program: &'a Program,
    context: &'a ContextValues,
    batch: Vec<Row>,
    at: usize,
    slot: usize,
    ty: Ty,
    target: &'a Target,
    current: Value,
    /// The record's slot values before any change (for evaluating bounds).
    base: Vec<Value>,
    /// Inputs the target output depends on.
    deps: BTreeSet<usize>,
}

impl<'a> Search<'a> {
    pub(crate) fn new(
        program: &'a Program,
        rows: &[Row],
        context: &'a ContextValues,
        row: usize,
        target: &'a Target,
    ) -> Result<Search<'a>, Vec<EvalError>> {
        let team = program
            .slots
            .iter()
            .any(|s| matches!(s.compute, Compute::Team(_)));
        let history = program
            .slots
            .iter()
            .any(|s| matches!(s.compute, Compute::History(_)));
        let me = super::row_of(rows, row);
        let mut batch = Vec::new();
        let mut at = 0;
        for (k, r) in rows.iter().enumerate() {
            let keep = match (team, history) {
                (false, false) => k == row,
                (true, false) => r.team() == me.team() && r.period == me.period,
                (false, true) => r.employee() == me.employee(),
                (true, true) => true,
            };
            if keep {
                if k == row {
                    at = batch.len();
                }
                batch.push(r.clone());
            }
        }
        let slot = super::whatif::output_of(program, target).slot;
        let ev = evaluate(program, &batch, context, None)?;
        let base = ev.row(at);
        let current = base.get(slot).cloned().unwrap_or(Value::Bool(false));
        let deps = input_deps(program)
            .into_iter()
            .nth(slot)
            .unwrap_or_default();
        Ok(Search {
            program,
            context,
            batch,
            at,
            slot,
            ty: super::slot_of(program, slot).ty.clone(),
            target,
            current,
            base,
            deps,
        })
    }

    pub(crate) fn current(&self) -> &Value {
        &self.current
    }

    pub(crate) fn depends(&self, input: usize) -> bool {
        self.deps.contains(&input)
    }

    /// The values input `i` may take: its declared range, else ≥ 0 for
    /// counts, percents, money and durations (unless it is negative now)
    /// and ≤ 100 % for percents (unless it is above now).
    pub(crate) fn domain(&self, i: usize, x0: Num) -> (Option<Num>, Option<Num>) {
        let Some(f) = self.program.inputs.get(i) else {
            return (None, None);
        };
        if let Some((lo, hi)) = f.range {
            let open = hi == rust_decimal::Decimal::MAX;
            return (
                Some(Num::from_decimal(lo)),
                (!open).then(|| Num::from_decimal(hi)),
            );
        }
        let nonneg = matches!(
            f.ty,
            Ty::Number(NumKind::Count | NumKind::Percent) | Ty::Money | Ty::Duration(_)
        ) && x0.signum() >= 0;
        let at_most_one = f.ty == Ty::Number(NumKind::Percent)
            && x0.exact_cmp(Num::ONE).is_ok_and(|o| o != Ordering::Greater);
        (nonneg.then_some(Num::ZERO), at_most_one.then_some(Num::ONE))
    }

    /// Evaluates the target output with input `i` set to `x`.
    pub(crate) fn verify(&mut self, i: usize, x: Num) -> Option<Value> {
        self.verify_value(i, Value::Num(x))
    }

    /// Evaluates the target output with input `i` set to `v` (any type:
    /// a grade level, a bool).
    pub(crate) fn verify_value(&mut self, i: usize, v: Value) -> Option<Value> {
        let row = self.batch.get_mut(self.at)?;
        let old = row.inputs.get(i)?;
        row.inputs.set(i, v);
        let got = evaluate(self.program, &self.batch, self.context, None)
            .ok()
            .and_then(|ev| ev.value(self.at, self.slot));
        if let Some(row) = self.batch.get_mut(self.at) {
            row.inputs.set(i, old);
        }
        got
    }

    fn hits(&mut self, i: usize, x: Num) -> bool {
        self.verify(i, x)
            .is_some_and(|v| meets(&v, &self.ty, self.target))
    }

    /// The nearest value of input `i` in direction `dir` (+1 up, −1 down)
    /// that meets the target.
    pub(crate) fn find(&mut self, i: usize, x0: Num, dir: i32) -> Option<Num> {
        let (lo, hi) = self.domain(i, x0);
        let ty = &self.program.inputs.get(i)?.ty;
        let integral = *ty == Ty::Number(NumKind::Count);
        let u = unit(ty, x0);
        let ahead = |p: Num| p.minus(x0).is_ok_and(|d| d.signum() == dir && !d.is_zero());
        let inside = |p: Num| {
            lo.is_none_or(|l| p.exact_cmp(l).is_ok_and(|o| o != Ordering::Less))
                && hi.is_none_or(|h| p.exact_cmp(h).is_ok_and(|o| o != Ordering::Greater))
                && (!integral || is_int(p))
        };
        let mut points = Vec::new();
        for c in self.candidates(i) {
            for p in [c.minus(u), Ok(c), c.plus(u)].into_iter().flatten() {
                if integral {
                    points.extend(p.floor().ok());
                    points.extend(p.ceil().ok());
                } else {
                    points.push(p);
                }
            }
        }
        let bound = if dir > 0 { hi } else { lo };
        let mut stride = u;
        for _ in 0..=DOUBLINGS {
            let Ok(p) = (if dir > 0 {
                x0.plus(stride)
            } else {
                x0.minus(stride)
            }) else {
                break;
            };
            if bound.is_some_and(|b| !ahead_of(b, p, dir)) {
                points.extend(bound);
                break;
            }
            points.push(p);
            match stride.times(Num::int(2)) {
                Ok(s) => stride = s,
                Err(_) => break,
            }
        }
        points.retain(|p| ahead(*p) && inside(*p));
        let dist = |p: &Num| p.minus(x0).and_then(Num::abs).unwrap_or(Num::ZERO);
        points.sort_by(|a, b| dist(a).exact_cmp(dist(b)).unwrap_or(Ordering::Equal));
        points.dedup_by(|a, b| a.exact_cmp(*b).is_ok_and(|o| o == Ordering::Equal));
        let mut fail = x0;
        for p in points {
            if self.hits(i, p) {
                return Some(self.bisect(i, fail, p, u, dir));
            }
            fail = p;
        }
        None
    }

    /// Narrows `[fail, ok]` to the grid point nearest `fail` that meets the
    /// target (exact; assumes one crossing between them).
    fn bisect(&mut self, i: usize, mut fail: Num, mut ok: Num, u: Num, dir: i32) -> Num {
        loop {
            let Some(mid) = fail.plus(ok).and_then(|s| s.over(Num::int(2))).ok() else {
                return ok;
            };
            let between = |m: &Num| ahead_of(*m, fail, dir) && ahead_of(ok, *m, dir);
            let snapped = [grid(mid, u, dir < 0), grid(mid, u, dir > 0)];
            let Some(m) = snapped.into_iter().flatten().find(between) else {
                return ok;
            };
            if self.hits(i, m) {
                ok = m;
            } else {
                fail = m;
            }
        }
    }

    /// The policy's boundaries on input `i`, in base units, for this record.
    fn candidates(&self, i: usize) -> Vec<Num> {
        let Some(r) = self.batch.get(self.at) else {
            return Vec::new();
        };
        let inputs = r.inputs.to_vec();
        let env = RowEnv {
            inputs: &inputs,
            ctx: row_context(self.program, self.context, r),
            slots: &self.base,
        };
        let value = |e: &IExpr| match eval(e, &env, &mut None) {
            Ok(Value::Num(n)) => Some(n),
            _ => None,
        };
        let mut out = Vec::new();
        for slot in &self.program.slots {
            let Compute::Expr(root) = &slot.compute else {
                continue;
            };
            root.walk(&mut |e| match &e.kind {
                IKind::Band { subject, arms, .. } => {
                    if !self.aliases(subject, i) {
                        return;
                    }
                    for (_, b) in arms.iter().flat_map(|a| &a.tests) {
                        out.extend(value(b));
                    }
                }
                IKind::Steps { subject, arms } => {
                    if !self.aliases(subject, i) {
                        return;
                    }
                    for a in arms {
                        let (Some(r), Some(s)) = (value(&a.reference), value(&a.step)) else {
                            continue;
                        };
                        out.push(r);
                        if s.signum() <= 0 {
                            continue;
                        }
                        for k in 1..=STEP_CANDIDATES {
                            if let Ok(d) = s.times(Num::int(k)) {
                                out.extend(r.plus(d).ok());
                                out.extend(r.minus(d).ok());
                            }
                        }
                    }
                }
                IKind::Scale { subject, from, .. } => {
                    if !self.aliases(subject, i) {
                        return;
                    }
                    out.extend(value(&from.0));
                    out.extend(value(&from.1));
                }
                IKind::Cmp(_, a, b) => {
                    if self.aliases(a, i) {
                        out.extend(value(b));
                    }
                    if self.aliases(b, i) {
                        out.extend(value(a));
                    }
                }
                IKind::Call(_, args) => {
                    if args.first().is_some_and(|a| self.aliases(a, i)) {
                        out.extend(args.iter().skip(1).filter_map(value));
                    }
                }
                IKind::Const(_)
                | IKind::Read(_)
                | IKind::Neg(_)
                | IKind::Not(_)
                | IKind::Arith(..)
                | IKind::And(..)
                | IKind::Or(..)
                | IKind::If(..)
                | IKind::Match { .. }
                | IKind::Cases { .. } => {}
            });
        }
        out
    }

    /// Whether `e` is input `i` itself, possibly through named values.
    fn aliases(&self, e: &IExpr, i: usize) -> bool {
        let mut e = e;
        for _ in 0..64 {
            match &e.kind {
                IKind::Read(Source::Input(j)) => return *j == i,
                IKind::Read(Source::Slot(s)) => match self.program.slots.get(*s) {
                    Some(slot) => match &slot.compute {
                        Compute::Expr(next) => e = next,
                        Compute::Team(_) | Compute::History(_) => return false,
                    },
                    None => return false,
                },
                IKind::Read(Source::Context(_))
                | IKind::Const(_)
                | IKind::Neg(_)
                | IKind::Not(_)
                | IKind::Arith(..)
                | IKind::Cmp(..)
                | IKind::And(..)
                | IKind::Or(..)
                | IKind::If(..)
                | IKind::Call(..)
                | IKind::Band { .. }
                | IKind::Match { .. }
                | IKind::Cases { .. }
                | IKind::Steps { .. }
                | IKind::Scale { .. } => return false,
            }
        }
        false
    }
}

/// `a` lies beyond `b` in direction `dir`.
fn ahead_of(a: Num, b: Num, dir: i32) -> bool {
    let want = if dir > 0 {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    a.exact_cmp(b).is_ok_and(|o| o == want)
}

fn is_int(p: Num) -> bool {
    p.floor()
        .is_ok_and(|f| f.exact_cmp(p).is_ok_and(|o| o == Ordering::Equal))
}

/// `x` snapped down (or up) to a multiple of `u`.
fn grid(x: Num, u: Num, up: bool) -> Option<Num> {
    let q = x.over(u).ok()?;
    let k = if up { q.ceil() } else { q.floor() }.ok()?;
    k.times(u).ok()
}

/// The smallest change of an input: 1 for counts, 0.01 % for percents,
/// ¥0.01, 1 s, 0.01 for points and numbers — finer when the current value
/// has more decimals.
fn unit(ty: &Ty, x0: Num) -> Num {
    let dec = |m: i64, s: u8| Num::Dec {
        m: i128::from(m),
        s,
    };
    let base = match ty {
        Ty::Number(NumKind::Count) => return Num::ONE,
        Ty::Number(NumKind::Percent) => dec(1, 4),
        Ty::Duration(_) => Num::ONE,
        Ty::Number(_) | Ty::Money | Ty::Bool | Ty::Text | Ty::Grade(_) => dec(1, 2),
    };
    match x0 {
        Num::Dec { s, .. } if s > 0 => {
            let finer = dec(1, s.min(20));
            if finer.exact_cmp(base).is_ok_and(|o| o == Ordering::Less) {
                finer
            } else {
                base
            }
        }
        Num::Dec { .. } | Num::Frac { .. } => base,
    }
}

/// For every slot, the inputs it depends on (through team and history
/// rules too).
pub(crate) fn input_deps(program: &Program) -> Vec<BTreeSet<usize>> {
    let n = program.slots.len();
    let mut deps: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for &s in &program.order {
        let mut set = BTreeSet::new();
        let from = |t: usize, set: &mut BTreeSet<usize>| {
            if let Some(d) = deps.get(t) {
                set.extend(d.iter().copied());
            }
        };
        let Some(slot) = program.slots.get(s) else {
            continue;
        };
        match &slot.compute {
            Compute::Expr(e) => e.walk(&mut |x| match x.kind {
                IKind::Read(Source::Input(i)) => {
                    set.insert(i);
                }
                IKind::Read(Source::Slot(t)) => from(t, &mut set),
                IKind::Read(Source::Context(_))
                | IKind::Const(_)
                | IKind::Neg(_)
                | IKind::Not(_)
                | IKind::Arith(..)
                | IKind::Cmp(..)
                | IKind::And(..)
                | IKind::Or(..)
                | IKind::If(..)
                | IKind::Call(..)
                | IKind::Band { .. }
                | IKind::Match { .. }
                | IKind::Cases { .. }
                | IKind::Steps { .. }
                | IKind::Scale { .. } => {}
            }),
            Compute::Team(
                TeamFn::Agg { arg, .. } | TeamFn::Rank { arg, .. } | TeamFn::Distribute { arg, .. },
            ) => from(*arg, &mut set),
            Compute::History(HistoryFn::Prev { arg, default }) => {
                from(*arg, &mut set);
                from(*default, &mut set);
            }
            Compute::History(HistoryFn::Streak { arg } | HistoryFn::HasPrev { arg }) => {
                from(*arg, &mut set)
            }
        }
        if let Some(d) = deps.get_mut(s) {
            *d = set;
        }
    }
    deps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DurUnit;

    fn n(s: &str) -> Num {
        Num::from_decimal(s.parse().unwrap())
    }

    fn same(a: Num, b: &str) -> bool {
        a.exact_cmp(n(b)) == Ok(Ordering::Equal)
    }

    #[test]
    fn units_follow_type_and_current_decimals() {
        assert!(same(unit(&Ty::Number(NumKind::Count), n("3")), "1"));
        assert!(same(
            unit(&Ty::Number(NumKind::Percent), n("0.008")),
            "0.0001"
        ));
        assert!(same(unit(&Ty::Money, n("12.5")), "0.01"));
        assert!(same(unit(&Ty::Duration(DurUnit::Days), n("216000")), "1"));
        assert!(same(
            unit(&Ty::Number(NumKind::Plain), n("4.7952")),
            "0.0001"
        ));
        assert!(same(unit(&Ty::Number(NumKind::Points), n("88.5")), "0.01"));
    }

    #[test]
    fn grid_snaps_exactly() {
        let third = n("1").over(n("3")).unwrap();
        assert!(grid(third, n("0.01"), false).is_some_and(|g| same(g, "0.33")));
        assert!(grid(third, n("0.01"), true).is_some_and(|g| same(g, "0.34")));
        assert!(grid(n("0.7"), n("0.01"), true).is_some_and(|g| same(g, "0.7")));
        assert!(is_int(n("3.0")));
        assert!(!is_int(n("3.5")));
        assert!(ahead_of(n("2"), n("1"), 1));
        assert!(ahead_of(n("1"), n("2"), -1));
    }
}
