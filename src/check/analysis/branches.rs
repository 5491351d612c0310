//! Unreachable branches outside band tables (§3.1): `if` branches and
//! `cases` rules no valid record can reach, and constant mistakes that
//! make a rule fail for every record (a step of 0, an empty scale, a
//! division by 0).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::interval::{End, Interval};
use super::ranges::Ranges;
use crate::check::lint::{Branch, Lint, Mistake};
use crate::eval::num::Num;
use crate::ir::*;
use crate::syntax::ast::CmpOp;

/// Looks at every `if`, `cases`, step rule, scale and division. Branches
/// are judged on `certain` ranges (what the data layer accepts), like
/// unreachable band arms.
pub fn check_branches(certain: &Ranges, base: usize, lints: &mut Vec<Lint>) {
    for (si, slot) in certain.program.slots.iter().enumerate() {
        let Compute::Expr(e) = &slot.compute else {
            continue;
        };
        e.walk(&mut |x| {
            // a function's use: analysed once, at the function
            if super::inlined(certain.program, base, si, x.span) {
                return;
            }
            branch(certain, x, lints)
        });
    }
}

fn branch(certain: &Ranges, x: &IExpr, lints: &mut Vec<Lint>) {
    {
        match &x.kind {
            IKind::If(c, t, o) => match truth(certain, c) {
                Some(false) => lints.push(Lint::Unreached {
                    span: t.span,
                    cond: c.span,
                    always: false,
                    what: Branch::Then,
                }),
                Some(true) => lints.push(Lint::Unreached {
                    span: o.span,
                    cond: c.span,
                    always: true,
                    what: Branch::Else,
                }),
                None => {}
            },
            IKind::Cases { arms } => {
                let mut always_true = None;
                for (cond, value) in arms {
                    let span = cond.as_ref().map_or(value.span, |c| c.span.to(value.span));
                    if let Some(earlier) = always_true {
                        lints.push(Lint::Unreached {
                            span,
                            cond: earlier,
                            always: true,
                            what: Branch::RuleAfter,
                        });
                        continue;
                    }
                    let Some(c) = cond else { continue };
                    match truth(certain, c) {
                        Some(false) => lints.push(Lint::Unreached {
                            span,
                            cond: c.span,
                            always: false,
                            what: Branch::Rule,
                        }),
                        Some(true) => always_true = Some(c.span),
                        None => {}
                    }
                }
            }
            IKind::Steps { arms, .. } => {
                for arm in arms {
                    if certain.constant(&arm.step).is_some_and(|s| s.signum() <= 0) {
                        lints.push(Lint::ConstantMistake {
                            span: arm.step.span,
                            what: Mistake::ZeroStep,
                        });
                    }
                }
            }
            IKind::Scale { from, .. } => {
                let (a, b) = (certain.constant(&from.0), certain.constant(&from.1));
                if let (Some(a), Some(b)) = (a, b) {
                    if a.exact_cmp(b).is_ok_and(|o| o.is_eq()) {
                        lints.push(Lint::ConstantMistake {
                            span: from.0.span.to(from.1.span),
                            what: Mistake::EmptyScale,
                        });
                    }
                }
            }
            IKind::Arith(ArithOp::Div, _, d) => {
                if certain.constant(d).is_some_and(Num::is_zero) {
                    lints.push(Lint::ConstantMistake {
                        span: d.span,
                        what: Mistake::DivideByZero,
                    });
                }
            }
            IKind::Arith(ArithOp::Add | ArithOp::Sub | ArithOp::Mul, ..)
            | IKind::Const(_)
            | IKind::Read(_)
            | IKind::Neg(_)
            | IKind::Not(_)
            | IKind::Cmp(..)
            | IKind::And(..)
            | IKind::Or(..)
            | IKind::Call(..)
            | IKind::Band { .. }
            | IKind::Match { .. } => {}
        }
    }
}

/// `Some(b)` when condition `c` is `b` for every valid record; `None` when
/// it can go either way or cannot be told.
pub fn truth(r: &Ranges, c: &IExpr) -> Option<bool> {
    match &c.kind {
        IKind::Const(Value::Bool(b)) => Some(*b),
        IKind::Not(a) => truth(r, a).map(|b| !b),
        IKind::And(a, b) => match (truth(r, a), truth(r, b)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        IKind::Or(a, b) => match (truth(r, a), truth(r, b)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        IKind::Cmp(op, a, b) => {
            // a op b ⟺ a − b op 0, on an over-approximation of a − b: a
            // verdict on the whole interval holds for every real value.
            let d = r.range(a).sub(&r.range(b));
            if d.lo.is_none() && d.hi.is_none() {
                return None;
            }
            let zero = |closed| {
                Some(End {
                    v: Num::ZERO,
                    closed,
                })
            };
            let holds = |t: Interval| {
                if d.minus(&[t]).is_empty() {
                    Some(true)
                } else if d.intersect(&t).is_empty() {
                    Some(false)
                } else {
                    None
                }
            };
            match op {
                CmpOp::Lt => holds(Interval::new(None, zero(false))),
                CmpOp::Le => holds(Interval::new(None, zero(true))),
                CmpOp::Gt => holds(Interval::new(zero(false), None)),
                CmpOp::Ge => holds(Interval::new(zero(true), None)),
                CmpOp::Eq => holds(Interval::point(Num::ZERO)),
                CmpOp::Ne => holds(Interval::point(Num::ZERO)).map(|b| !b),
            }
        }
        IKind::Const(_)
        | IKind::Read(_)
        | IKind::Neg(_)
        | IKind::Arith(..)
        | IKind::If(..)
        | IKind::Call(..)
        | IKind::Band { .. }
        | IKind::Match { .. }
        | IKind::Cases { .. }
        | IKind::Steps { .. }
        | IKind::Scale { .. } => None,
    }
}
