//! Function calls: arithmetic helpers, team aggregates and ranks, forced
//! distribution, and history (`prev`, `streak`).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Every match on a builtin or an IR enum names each variant: a new builtin
// fails to build here until it is typed and lowered.
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::expr::{join, mk, Lowered};
use super::{Checker, Shared};
use crate::builtins::{self, Builtin};
use crate::check::error::{suggest, CheckError, ConstUse, Expected, Hint, Op, Problem};
use crate::eval::num::Num;
use crate::ir::*;
use crate::syntax::ast::{self, Arg, CmpOp, Expr, ExprKind, LitUnit, Order, Span};
use crate::types::{Dim, NumKind, Ty};

/// Most decimal places `round(x, places)` accepts: a decimal's full scale.
pub(crate) const MAX_ROUND_PLACES: u8 = 28;

/// The places of `round(x, places)` when the literal is a whole number from
/// 0 to [`MAX_ROUND_PLACES`], however it is written (`2`, `2.000`).
fn round_places(value: rust_decimal::Decimal) -> Option<u8> {
    let whole = value.normalize();
    if whole.scale() != 0 {
        return None;
    }
    u8::try_from(whole.mantissa())
        .ok()
        .filter(|p| *p <= MAX_ROUND_PLACES)
}

impl Checker<'_> {
    pub(super) fn call(
        &mut self,
        func: &ast::Ident,
        args: &[Arg],
        span: Span,
        expect: Option<&Ty>,
    ) -> Lowered {
        let name = func.name.as_str();
        if let Some(super::Def::Fn(fi)) = self.names.get(name).copied() {
            return self.user_call(fi, func, args, span);
        }
        let Some(builtin) = builtins::lookup(name) else {
            self.errors.push(CheckError::UnknownFunction {
                name: name.to_string(),
                span: func.span,
                suggestion: suggest(name, builtins::names()),
            });
            return None;
        };
        // Team and history figures read other records: not in a function.
        let neighbours = builtin.figure.is_some() || builtin.name().starts_with("team.");
        if neighbours && !self.pure_call(name, func.span) {
            return None;
        }
        let exprs: Vec<&Expr> = args
            .iter()
            .filter_map(|a| if let Arg::Expr(e) = a { Some(e) } else { None })
            .collect();
        let order = args.iter().find_map(|a| {
            if let Arg::Order(o, _) = a {
                Some(*o)
            } else {
                None
            }
        });
        if let Some(Arg::Order(_, ospan)) = args.iter().find(|a| matches!(a, Arg::Order(..))) {
            if !builtin.takes_order() {
                self.errors.push(CheckError::Invalid {
                    problem: Problem::NoOrder {
                        func: name.to_string(),
                    },
                    span: *ospan,
                });
                return None;
            }
        }
        if !builtin.arity.accepts(exprs.len()) {
            self.errors.push(CheckError::WrongArity {
                func: name.to_string(),
                expected: builtin.arity,
                found: args.len(),
                span,
            });
            return None;
        }
        match builtin.builtin {
            Builtin::Min | Builtin::Max => {
                let mut lowered = Vec::new();
                let mut ty: Option<(Ty, Span)> = None;
                for e in &exprs {
                    let (x, t) = self.expr(e, expect)?;
                    if !t.is_numeric() {
                        return self.mismatch(Expected::Quantity, &t, e.span, Hint::MinMax);
                    }
                    ty = match ty {
                        None => Some((t, e.span)),
                        Some((a, s)) => {
                            if a.dim() != t.dim() {
                                self.unit_mismatch(Op::Compare, &a, s, None, &t, e);
                                return None;
                            }
                            Some((join(&a, &t).unwrap_or(a), s))
                        }
                    };
                    lowered.push(x);
                }
                let f = if builtin.builtin == Builtin::Min {
                    Func::Min
                } else {
                    Func::Max
                };
                Some((mk(IKind::Call(f, lowered), span), ty?.0))
            }
            Builtin::Clamp => {
                let [x0, lo, hi] = self.args(&exprs, span)?;
                let (x, t) = self.numeric(x0)?;
                let lo = self.same_dim(lo, &t, x0.span)?;
                let hi = self.same_dim(hi, &t, x0.span)?;
                Some((mk(IKind::Call(Func::Clamp, vec![x, lo, hi]), span), t))
            }
            Builtin::Abs | Builtin::Floor | Builtin::Ceil | Builtin::Round => {
                let Some((&x0, rest)) = exprs.split_first() else {
                    return self.internal(span);
                };
                let (x, t) = self.numeric(x0)?;
                if builtin.builtin != Builtin::Abs && matches!(t, Ty::Duration(_)) {
                    return self.mismatch(
                        Expected::NumberOrMoney,
                        &t,
                        x0.span,
                        Hint::RoundDuration,
                    );
                }
                let f = match builtin.builtin {
                    Builtin::Abs => Func::Abs,
                    Builtin::Floor => Func::Floor,
                    Builtin::Ceil => Func::Ceil,
                    Builtin::Min
                    | Builtin::Max
                    | Builtin::Clamp
                    | Builtin::TeamAvg
                    | Builtin::TeamSum
                    | Builtin::TeamMin
                    | Builtin::TeamMax
                    | Builtin::TeamCount
                    | Builtin::TeamFirst
                    | Builtin::TeamLast
                    | Builtin::Rank
                    | Builtin::Prev
                    | Builtin::Streak
                    | Builtin::HasPrev => return self.internal(span),
                    Builtin::Round => {
                        let places = match rest.first() {
                            None => 0,
                            Some(p) => {
                                // only a plain number literal
                                let places = if let ExprKind::Number {
                                    value,
                                    unit: LitUnit::None,
                                } = &p.kind
                                {
                                    round_places(*value)
                                } else {
                                    None
                                };
                                let Some(places) = places else {
                                    self.errors.push(CheckError::Invalid {
                                        problem: Problem::BadPlaces,
                                        span: p.span,
                                    });
                                    return None;
                                };
                                places
                            }
                        };
                        Func::Round(places)
                    }
                };
                Some((mk(IKind::Call(f, vec![x]), span), t))
            }
            Builtin::TeamAvg
            | Builtin::TeamSum
            | Builtin::TeamMin
            | Builtin::TeamMax
            | Builtin::TeamCount => {
                let kind = builtins::aggregate(builtin.builtin)?;
                if kind == AggKind::Count {
                    let slot = self.hidden(
                        "team.count",
                        Ty::Number(NumKind::Count),
                        Compute::Team(TeamFn::Agg {
                            kind,
                            arg: usize::MAX,
                        }),
                        span,
                    );
                    return Some((
                        mk(IKind::Read(Source::Slot(slot)), span),
                        Ty::Number(NumKind::Count),
                    ));
                }
                let [x0] = self.args(&exprs, span)?;
                let (x, t) = self.numeric(x0)?;
                let arg = self.arg_slot(x, t.clone(), x0.span);
                let ty = match kind {
                    // the average of counts need not be whole
                    AggKind::Avg if t == Ty::Number(NumKind::Count) => Ty::Number(NumKind::Plain),
                    AggKind::Avg | AggKind::Sum | AggKind::Min | AggKind::Max | AggKind::Count => t,
                };
                let slot = self.hidden(
                    name,
                    ty.clone(),
                    Compute::Team(TeamFn::Agg { kind, arg }),
                    span,
                );
                Some((mk(IKind::Read(Source::Slot(slot)), span), ty))
            }
            Builtin::Rank => {
                let [x0] = self.args(&exprs, span)?;
                let (x, t) = self.numeric(x0)?;
                let arg = self.arg_slot(x, t, x0.span);
                let order = order.unwrap_or(Order::Desc);
                let slot = self.hidden(
                    "rank",
                    Ty::Number(NumKind::Count),
                    Compute::Team(TeamFn::Rank { arg, order }),
                    span,
                );
                Some((
                    mk(IKind::Read(Source::Slot(slot)), span),
                    Ty::Number(NumKind::Count),
                ))
            }
            Builtin::Prev => {
                let [x0, d0] = self.args(&exprs, span)?;
                let (x, t) = self.expr(x0, expect)?;
                let (d, dt) = self.expr(d0, Some(&t))?;
                let ty = self.join_arms(&t, x0.span, &dt, d0.span)?;
                let arg = self.arg_slot(x, t, x0.span);
                let default = self.arg_slot(d, dt, d0.span);
                let slot = self.hidden(
                    "prev",
                    ty.clone(),
                    Compute::History(HistoryFn::Prev { arg, default }),
                    span,
                );
                Some((mk(IKind::Read(Source::Slot(slot)), span), ty))
            }
            Builtin::HasPrev => {
                let [x0] = self.args(&exprs, span)?;
                let (x, t) = self.expr(x0, None)?;
                let arg = self.arg_slot(x, t, x0.span);
                let slot = self.hidden(
                    "has_prev",
                    Ty::Bool,
                    Compute::History(HistoryFn::HasPrev { arg }),
                    span,
                );
                Some((mk(IKind::Read(Source::Slot(slot)), span), Ty::Bool))
            }
            Builtin::Streak => {
                let [c0] = self.args(&exprs, span)?;
                let c = self.bool_expr(c0)?;
                let arg = self.arg_slot(c, Ty::Bool, c0.span);
                let slot = self.hidden(
                    "streak",
                    Ty::Number(NumKind::Count),
                    Compute::History(HistoryFn::Streak { arg }),
                    span,
                );
                Some((
                    mk(IKind::Read(Source::Slot(slot)), span),
                    Ty::Number(NumKind::Count),
                ))
            }
            Builtin::TeamFirst | Builtin::TeamLast => {
                // Sugar over aggregates, with S3's tie rules:
                // everyone tied for the top (bottom) value is first (last),
                // but nobody is in a team of one or where everyone ties.
                let [x0] = self.args(&exprs, span)?;
                let (x, t) = self.numeric(x0)?;
                let arg = self.arg_slot(x, t.clone(), x0.span);
                let count = self.hidden(
                    "team.count",
                    Ty::Number(NumKind::Count),
                    Compute::Team(TeamFn::Agg {
                        kind: AggKind::Count,
                        arg: usize::MAX,
                    }),
                    span,
                );
                let max = self.hidden(
                    "team.max",
                    t.clone(),
                    Compute::Team(TeamFn::Agg {
                        kind: AggKind::Max,
                        arg,
                    }),
                    span,
                );
                let min = self.hidden(
                    "team.min",
                    t,
                    Compute::Team(TeamFn::Agg {
                        kind: AggKind::Min,
                        arg,
                    }),
                    span,
                );
                let read = |s: usize| Box::new(mk(IKind::Read(Source::Slot(s)), span));
                let one = || Box::new(mk(IKind::Const(Value::Num(Num::ONE)), span));
                // Ranked first (competition ranking, ties share the rank) is
                // nobody above: the value is the team's maximum (for last,
                // its minimum). No per-record rank is computed or kept.
                let extreme = if builtin.builtin == Builtin::TeamFirst {
                    max
                } else {
                    min
                };
                let at_extreme = mk(IKind::Cmp(CmpOp::Eq, read(arg), read(extreme)), span);
                let several = mk(IKind::Cmp(CmpOp::Gt, read(count), one()), span);
                let not_all_tied = mk(IKind::Cmp(CmpOp::Ne, read(max), read(min)), span);
                let both = mk(IKind::And(Box::new(at_extreme), Box::new(several)), span);
                Some((
                    mk(IKind::And(Box::new(both), Box::new(not_all_tied)), span),
                    Ty::Bool,
                ))
            }
        }
    }

    /// The value arguments of a call as the array its lowering takes. The
    /// builtin table's arity, checked first, fixes their number, so a
    /// mismatch is a bug in kpi: an internal error, not a panic.
    fn args<'e, const N: usize>(
        &mut self,
        exprs: &[&'e Expr],
        span: Span,
    ) -> Option<[&'e Expr; N]> {
        match <[&Expr; N]>::try_from(exprs) {
            Ok(args) => Some(args),
            Err(_) => self.internal(span),
        }
    }

    /// Reports a contradiction in the checker itself.
    fn internal<T>(&mut self, span: Span) -> Option<T> {
        self.errors.push(CheckError::Invalid {
            problem: Problem::Internal,
            span,
        });
        None
    }

    /// A slot holding `x` per record, reusing an existing slot when `x` is
    /// just a read of one, and one slot per input or context value read
    /// (not a parameter of a `table` or `fn`, which stands for its argument).
    pub(super) fn arg_slot(&mut self, x: IExpr, ty: Ty, span: Span) -> usize {
        let key = match x.kind {
            IKind::Read(Source::Slot(s)) => return s,
            IKind::Read(s @ Source::Input(i)) if i < self.inputs.len() => Some(Shared::Arg(s)),
            IKind::Read(s @ Source::Context(_)) => Some(Shared::Arg(s)),
            // a parameter, or a computed argument: a slot of its own
            IKind::Read(Source::Input(_))
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
            | IKind::Scale { .. } => None,
        };
        self.shared_slot(key, |c| c.hidden("arg", ty, Compute::Expr(x), span))
    }

    pub(super) fn distribute(
        &mut self,
        subject: &Expr,
        order: Order,
        arms: &[ast::DistArm],
        span: Span,
        expect: Option<&Ty>,
    ) -> Lowered {
        let (x, t) = self.numeric(subject)?;
        let levels: Vec<String> = match expect {
            Some(Ty::Grade(l)) => l.clone(),
            _ => {
                let mut l: Vec<String> = Vec::new();
                for a in arms {
                    if !l.contains(&a.level.value) {
                        l.push(a.level.value.clone());
                    }
                }
                l
            }
        };
        let ty = Ty::Grade(levels.clone());
        let mut quotas = Vec::new();
        let mut arm_levels = Vec::new();
        let mut else_level = None;
        let mut cumulative = Num::ZERO;
        for a in arms {
            let idx = self.level_index(&a.level.value, &levels, a.level.span)?;
            match &a.quota {
                None => else_level = Some(idx),
                Some(q) => {
                    let (v, qty) = self.fold(q, None, ConstUse::Quota)?;
                    let Value::Num(n) = v else {
                        return self.mismatch(Expected::Percent, &qty, q.span, Hint::Quota);
                    };
                    if qty.dim() != Dim::Number || n.signum() < 0 {
                        return self.mismatch(Expected::Percent, &qty, q.span, Hint::Quota);
                    }
                    cumulative = cumulative.plus(n).ok()?;
                    if cumulative.exact_cmp(Num::ONE).ok()? == std::cmp::Ordering::Greater {
                        self.errors.push(CheckError::Invalid {
                            problem: Problem::QuotasOver100,
                            span: q.span,
                        });
                        return None;
                    }
                    quotas.push(cumulative);
                    arm_levels.push(idx);
                }
            }
        }
        let arg = self.arg_slot(x, t, subject.span);
        let slot = self.hidden(
            "distribute",
            ty.clone(),
            Compute::Team(TeamFn::Distribute {
                arg,
                order,
                quotas,
                levels: arm_levels,
                else_level,
                span,
            }),
            span,
        );
        Some((mk(IKind::Read(Source::Slot(slot)), span), ty))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn places(s: &str) -> Option<u8> {
        round_places(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn round_places_are_whole_numbers_however_written() {
        assert_eq!(places("2"), Some(2));
        assert_eq!(places("2.000"), Some(2));
        assert_eq!(places("10.00"), Some(10));
        assert_eq!(places("0.0"), Some(0));
        assert_eq!(places("28"), Some(28));
        assert_eq!(places("28.0000000000000000000000000"), Some(28));
        assert_eq!(places("2.5"), None);
        assert_eq!(places("29"), None);
        assert_eq!(places("-1"), None);
        assert_eq!(places("256"), None);
        assert_eq!(places("79228162514264337593543950335"), None);
    }
}
