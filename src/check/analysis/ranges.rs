//! Interval analysis: the values every slot can take, from the inputs'
//! valid ranges (declared, or a default per type).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::interval::{End, Interval};
use crate::eval::expr::{eval, Env};
use crate::eval::num::Num;
use crate::ir::*;
use crate::syntax::ast::{CmpOp, Direction, StepRounding};
use crate::types::{NumKind, Ty};

/// The values an input can take. A declared range always holds (the data
/// layer enforces it), and so does "counts are whole and ≥ 0". With
/// `defaults`, an input without a declared range is also assumed to be a
/// typical one: percents 0–100 %, points, durations and money ≥ 0. Gaps are
/// looked for over the typical values; an arm is called unreachable only
/// when no value the data layer accepts can reach it.
pub fn field_range(f: &Field, defaults: bool) -> Option<Interval> {
    if let Some((lo, hi)) = f.range {
        let iv = if hi == rust_decimal::Decimal::MAX {
            // `in 0..`: open above
            Interval::at_least(Num::from_decimal(lo))
        } else {
            Interval::closed(Num::from_decimal(lo), Num::from_decimal(hi))
        };
        return Some(iv.integral(f.ty == Ty::Number(NumKind::Count)));
    }
    Some(match (&f.ty, defaults) {
        (Ty::Number(NumKind::Count), _) => Interval::at_least(Num::ZERO).integral(true),
        (Ty::Number(NumKind::Percent), true) => Interval::closed(Num::ZERO, Num::ONE),
        // Money and points may be negative (a loss in a gross-margin
        // column, a deduction): the data reader accepts them, so gaps are
        // looked for below 0 too. Durations are refused below 0.
        (Ty::Duration(_), true) => Interval::at_least(Num::ZERO),
        (Ty::Number(_) | Ty::Duration(_) | Ty::Money, _) => Interval::ALL,
        _ => return None,
    })
}

/// Ranges of inputs, context values and slots.
pub struct Ranges<'p> {
    pub program: &'p Program,
    pub inputs: Vec<Option<Interval>>,
    pub context: Vec<Option<Interval>>,
    pub slots: Vec<Option<Interval>>,
    /// Exact values of `const` slots.
    pub consts: Vec<Option<Value>>,
}

impl Env for Ranges<'_> {
    fn read(&self, s: Source) -> Option<&Value> {
        match s {
            Source::Slot(i) => self.consts.get(i).and_then(|v| v.as_ref()),
            Source::Input(_) | Source::Context(_) => None,
        }
    }
}

impl<'p> Ranges<'p> {
    /// Ranges under the typical-input assumptions (see [`field_range`]).
    pub fn new(program: &'p Program) -> Ranges<'p> {
        Ranges::with(program, true)
    }

    /// Ranges that hold for every record the data layer accepts.
    pub fn certain(program: &'p Program) -> Ranges<'p> {
        Ranges::with(program, false)
    }

    fn with(program: &'p Program, defaults: bool) -> Ranges<'p> {
        let mut r = Ranges {
            program,
            inputs: program
                .inputs
                .iter()
                .map(|f| field_range(f, defaults))
                .collect(),
            context: program
                .context
                .iter()
                .map(|f| field_range(f, defaults))
                .collect(),
            slots: vec![None; program.slots.len()],
            consts: vec![None; program.slots.len()],
        };
        for &s in &program.order {
            // `consts` and `slots` have an entry for every slot
            let Some(slot) = program.slots.get(s) else {
                continue;
            };
            if slot.kind == SlotKind::Const {
                if let Compute::Expr(e) = &slot.compute {
                    let value = eval(e, &r, &mut None).ok();
                    if let Some(c) = r.consts.get_mut(s) {
                        *c = value;
                    }
                }
            }
            let range = r.slot_range(slot);
            if let Some(x) = r.slots.get_mut(s) {
                *x = range;
            }
        }
        r
    }

    /// The exact value of an expression made of constants only.
    pub fn constant(&self, e: &IExpr) -> Option<Num> {
        match eval(e, self, &mut None) {
            Ok(Value::Num(n)) => Some(n),
            _ => None,
        }
    }

    fn slot_range(&self, slot: &Slot) -> Option<Interval> {
        if !slot.ty.is_numeric() {
            return None;
        }
        match &slot.compute {
            Compute::Expr(e) => Some(self.range(e)),
            Compute::Team(TeamFn::Agg { kind, arg }) => Some(match kind {
                AggKind::Count => Interval::at_least(Num::ONE).integral(true),
                AggKind::Sum => match self.slots.get(*arg).copied().flatten() {
                    Some(a) if a.lo.is_some_and(|e| e.v.signum() >= 0) => {
                        Interval::at_least(Num::ZERO)
                    }
                    _ => Interval::ALL,
                },
                AggKind::Avg | AggKind::Min | AggKind::Max => self
                    .slots
                    .get(*arg)
                    .copied()
                    .flatten()
                    .unwrap_or(Interval::ALL)
                    .integral(false),
            }),
            Compute::Team(TeamFn::Rank { .. }) => Some(Interval::at_least(Num::ONE).integral(true)),
            Compute::Team(TeamFn::Distribute { .. }) => None,
            Compute::History(HistoryFn::Prev { arg, default }) => {
                let a = self
                    .slots
                    .get(*arg)
                    .copied()
                    .flatten()
                    .unwrap_or(Interval::ALL);
                let d = self
                    .slots
                    .get(*default)
                    .copied()
                    .flatten()
                    .unwrap_or(Interval::ALL);
                Some(a.hull(&d))
            }
            Compute::History(HistoryFn::HasPrev { .. }) => None,
            Compute::History(HistoryFn::Streak { .. }) => {
                Some(Interval::at_least(Num::ZERO).integral(true))
            }
        }
    }

    /// The interval of an arm's condition, when all its bounds are constant.
    pub fn arm_interval(&self, tests: &[(CmpOp, IExpr)]) -> Option<Interval> {
        let mut iv = Interval::ALL;
        for (op, bound) in tests {
            let v = self.constant(bound)?;
            let t = match op {
                CmpOp::Lt => Interval::new(None, Some(End { v, closed: false })),
                CmpOp::Le => Interval::new(None, Some(End { v, closed: true })),
                CmpOp::Gt => Interval::new(Some(End { v, closed: false }), None),
                CmpOp::Ge => Interval::new(Some(End { v, closed: true }), None),
                CmpOp::Eq => Interval::point(v),
                // `!=` is not an interval: leave it to the evaluator.
                CmpOp::Ne => return None,
            };
            iv = iv.intersect(&t);
        }
        Some(iv)
    }

    /// An over-approximation of the values `e` can take.
    pub fn range(&self, e: &IExpr) -> Interval {
        let all = Interval::ALL;
        match &e.kind {
            IKind::Const(Value::Num(n)) => {
                let int = n
                    .floor()
                    .ok()
                    .is_some_and(|f| f.exact_cmp(*n).is_ok_and(|o| o.is_eq()));
                Interval::point(*n).integral(int)
            }
            IKind::Const(_) => all,
            IKind::Read(Source::Input(i)) => self.inputs.get(*i).copied().flatten().unwrap_or(all),
            IKind::Read(Source::Context(i)) => {
                self.context.get(*i).copied().flatten().unwrap_or(all)
            }
            IKind::Read(Source::Slot(i)) => self.slots.get(*i).copied().flatten().unwrap_or(all),
            IKind::Neg(a) => self.range(a).neg(),
            IKind::Arith(op, a, b) => {
                let (x, y) = (self.range(a), self.range(b));
                match op {
                    ArithOp::Add => x.add(&y),
                    ArithOp::Sub => x.sub(&y),
                    ArithOp::Mul => x.mul(&y),
                    ArithOp::Div => x.div(&y),
                }
            }
            IKind::If(_, t, o) => self.range(t).hull(&self.range(o)),
            IKind::Call(f, args) => {
                let rs: Vec<Interval> = args.iter().map(|a| self.range(a)).collect();
                let first = rs.first().copied().unwrap_or(all);
                match f {
                    Func::Min => rs.iter().skip(1).fold(first, |a, b| a.min(b)),
                    Func::Max => rs.iter().skip(1).fold(first, |a, b| a.max(b)),
                    Func::Clamp => match (rs.get(1), rs.get(2)) {
                        (Some(lo), Some(hi)) => first.max(lo).min(hi),
                        _ => all,
                    },
                    Func::Abs => {
                        let z = Interval::at_least(Num::ZERO);
                        first.max(&first.neg()).intersect(&z)
                    }
                    Func::Floor => first.map_monotone(|v| v.floor().ok()),
                    Func::Ceil => first.map_monotone(|v| v.ceil().ok()),
                    Func::Round(p) => {
                        let mut r = first.map_monotone(|v| v.round(*p).ok());
                        r.int = *p == 0;
                        r
                    }
                }
            }
            IKind::Band { subject, arms, .. } => {
                let dom = self.range(subject);
                let mut out: Option<Interval> = None;
                for arm in arms {
                    let reachable = match self.arm_interval(&arm.tests) {
                        Some(iv) => !iv.intersect(&dom).is_empty(),
                        None => true,
                    };
                    if reachable {
                        let v = self.range(&arm.value);
                        out = Some(match out {
                            None => v,
                            Some(o) => o.hull(&v),
                        });
                    }
                }
                out.unwrap_or(all)
            }
            IKind::Match { values, .. } => hull_all(values.iter().map(|v| self.range(v))),
            IKind::Cases { arms } => hull_all(arms.iter().map(|(_, v)| self.range(v))),
            IKind::Steps { subject, arms } => {
                let s = self.range(subject);
                let mut total = Interval::point(Num::ZERO).integral(true);
                for arm in arms {
                    total = total.add(&self.step_range(&s, arm));
                }
                total
            }
            IKind::Scale { to, .. } => {
                let (c, d) = (self.range(&to.0), self.range(&to.1));
                c.hull(&d)
            }
            IKind::Not(_) | IKind::Cmp(..) | IKind::And(..) | IKind::Or(..) => all,
        }
    }

    /// Points one step arm can give: 0 up to `max steps × points`, capped.
    fn step_range(&self, subject: &Interval, arm: &IStepArm) -> Interval {
        let all = Interval::ALL;
        let (Some(step), Some(points)) = (self.constant(&arm.step), self.constant(&arm.points))
        else {
            return all;
        };
        let r = self.range(&arm.reference);
        // The largest distance on the counted side.
        let dist = match arm.direction {
            Direction::Above => match (subject.hi, r.lo) {
                (Some(a), Some(b)) => a.v.minus(b.v).ok(),
                _ => None,
            },
            Direction::Below => match (r.hi, subject.lo) {
                (Some(a), Some(b)) => a.v.minus(b.v).ok(),
                _ => None,
            },
        };
        let max_steps = dist.and_then(|d| {
            let q = d.over(step).ok()?;
            let n = match arm.rounding {
                StepRounding::Floor => q.floor().ok()?,
                StepRounding::Ceil => q.ceil().ok()?,
            };
            Some(if n.signum() < 0 { Num::ZERO } else { n })
        });
        let cap = arm
            .cap
            .as_ref()
            .and_then(|c| self.constant(c))
            .and_then(|c| c.abs().ok());
        let extreme = match (max_steps, cap) {
            (Some(n), Some(c)) => n.times(points).ok().and_then(|p| p.abs().ok()).map(|p| {
                if p.exact_cmp(c).is_ok_and(|o| o.is_gt()) {
                    c
                } else {
                    p
                }
            }),
            (Some(n), None) => n.times(points).ok().and_then(|p| p.abs().ok()),
            (None, Some(c)) => Some(c),
            (None, None) => None,
        };
        let z = Some(End {
            v: Num::ZERO,
            closed: true,
        });
        let int = points
            .floor()
            .ok()
            .is_some_and(|f| f.exact_cmp(points).is_ok_and(|o| o.is_eq()))
            && cap.is_none();
        let out = match (extreme, points.signum() >= 0) {
            (Some(x), true) => Interval::new(z, Some(End { v: x, closed: true })),
            (Some(x), false) => Interval::new(x.negate().ok().map(|v| End { v, closed: true }), z),
            (None, true) => Interval::new(z, None),
            (None, false) => Interval::new(None, z),
        };
        out.integral(int)
    }
}

fn hull_all(mut it: impl Iterator<Item = Interval>) -> Interval {
    let Some(first) = it.next() else {
        return Interval::ALL;
    };
    it.fold(first, |a, b| a.hull(&b))
}
