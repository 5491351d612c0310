//! Type checking and lowering of expressions.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{Checker, Def};
use crate::check::error::{suggest, CheckError, Expected, Hint, Op, Problem, UnitHint};
use crate::check::lint::Lint;
use crate::eval::num::Num;
use crate::ir::*;
use crate::syntax::ast::{BinOp, CmpOp, Expr, ExprKind, LitUnit, Span};
use crate::types::{Dim, NumKind, Ty};

pub(super) type Lowered = Option<(IExpr, Ty)>;

/// The literal's text with a unit suffix: the "did you mean" for `2` where money is meant.
fn with_unit(e: &Expr, other: &Ty) -> Option<String> {
    let ExprKind::Number {
        value,
        unit: LitUnit::None,
    } = &e.kind
    else {
        return None;
    };
    Some(match other {
        Ty::Money => format!("{value}元"),
        Ty::Duration(u) => format!("{value}{}", u.suffix()),
        Ty::Number(NumKind::Percent) => format!("{value}%"),
        _ => return None,
    })
}

fn is_bare_number(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Number { unit: LitUnit::None, value } if !value.is_zero())
}

pub(super) fn mk(kind: IKind, span: Span) -> IExpr {
    IExpr { kind, span }
}

/// `avg_response + 5%` on a duration or money means "5 % more": the likely
/// fix is `avg_response * 105%` (`- 5%`: `* 95%`).
fn scaled(op: Op, lt: &Ty, l: Option<&Expr>, r: &Expr) -> Option<String> {
    let sign = match op {
        Op::Add => 1,
        Op::Subtract => -1,
        Op::Multiply | Op::Divide | Op::Compare => return None,
    };
    if !matches!(lt, Ty::Duration(_) | Ty::Money) {
        return None;
    }
    let ExprKind::Number {
        value,
        unit: LitUnit::Percent,
    } = &r.kind
    else {
        return None;
    };
    let left = match l.map(|l| &l.kind) {
        Some(ExprKind::Name(n)) => n.clone(),
        _ => return None,
    };
    let factor = rust_decimal::Decimal::ONE_HUNDRED
        .checked_add(value * rust_decimal::Decimal::from(sign))?;
    Some(format!("{left} * {}%", factor.normalize()))
}

/// Joins the types of two arms; `None` when their dimensions differ.
pub(crate) fn join(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Number(x), Ty::Number(y)) => {
            Some(Ty::Number(if x == y { *x } else { NumKind::Plain }))
        }
        (Ty::Grade(x), Ty::Grade(y)) => (x == y).then(|| a.clone()),
        _ => (a.dim() == b.dim()).then(|| a.clone()),
    }
}

impl<'a> Checker<'a> {
    /// Checks `e`, lowering it to IR. `expect` guides string literals and
    /// bare level names towards a grade type; it is not enforced here.
    pub(crate) fn expr(&mut self, e: &Expr, expect: Option<&Ty>) -> Lowered {
        let span = e.span;
        match &e.kind {
            ExprKind::Number { value, unit } => {
                let v = Num::from_decimal(*value);
                let (v, ty) = match unit {
                    LitUnit::None => (Some(v), Ty::Number(NumKind::Plain)),
                    LitUnit::Percent => (v.over(Num::int(100)).ok(), Ty::Number(NumKind::Percent)),
                    LitUnit::Permille => {
                        (v.over(Num::int(1000)).ok(), Ty::Number(NumKind::Percent))
                    }
                    LitUnit::Yuan => (Some(v), Ty::Money),
                    LitUnit::Duration(u) => (
                        v.times(Num::from_decimal(u.seconds())).ok(),
                        Ty::Duration(*u),
                    ),
                };
                let Some(v) = v else {
                    self.errors.push(CheckError::Invalid {
                        problem: Problem::NumberTooLarge,
                        span,
                    });
                    return None;
                };
                Some((mk(IKind::Const(Value::Num(v)), span), ty))
            }
            ExprKind::Str(s) => match expect {
                Some(Ty::Grade(levels)) => {
                    let idx = self.level_index(s, levels, span)?;
                    Some((
                        mk(IKind::Const(Value::Level(idx)), span),
                        Ty::Grade(levels.clone()),
                    ))
                }
                _ => Some((
                    mk(IKind::Const(Value::Text(s.as_str().into())), span),
                    Ty::Text,
                )),
            },
            ExprKind::Bool(b) => Some((mk(IKind::Const(Value::Bool(*b)), span), Ty::Bool)),
            ExprKind::Name(n) => self.name(n, span, expect),
            ExprKind::Neg(a) => {
                let (x, ty) = self.expr(a, expect)?;
                if !ty.is_numeric() {
                    return self.mismatch(Expected::Number, &ty, a.span, Hint::Negate);
                }
                Some((mk(IKind::Neg(Box::new(x)), span), ty))
            }
            ExprKind::Not(a) => {
                let x = self.bool_expr(a)?;
                Some((mk(IKind::Not(Box::new(x)), span), Ty::Bool))
            }
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.binary(*op, *op_span, lhs, rhs, span, expect),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.bool_expr(cond);
                let t = self.expr(then, expect);
                let hint = expect.cloned().or_else(|| t.as_ref().map(|t| t.1.clone()));
                let o = self.expr(otherwise, hint.as_ref());
                let (c, (t, tt), (o, ot)) = (c?, t?, o?);
                let ty = self.join_arms(&tt, then.span, &ot, otherwise.span)?;
                Some((
                    mk(IKind::If(Box::new(c), Box::new(t), Box::new(o)), span),
                    ty,
                ))
            }
            ExprKind::Call { func, args } => self.call(func, args, span, expect),
            ExprKind::Band { subject, arms } => self.band(subject, arms, span, expect),
            ExprKind::Match { subject, arms } => self.match_expr(subject, arms, span, expect),
            ExprKind::Cases { arms } => {
                let mut out = Vec::new();
                let mut ty: Option<(Ty, Span)> = None;
                let mut ok = true;
                for arm in arms {
                    let c = match &arm.cond {
                        Some(c) => match self.bool_expr(c) {
                            Some(c) => Some(c),
                            None => {
                                ok = false;
                                None
                            }
                        },
                        None => None,
                    };
                    let hint = expect.cloned().or_else(|| ty.as_ref().map(|t| t.0.clone()));
                    let Some((v, vt)) = self.expr(&arm.value, hint.as_ref()) else {
                        ok = false;
                        continue;
                    };
                    ok &= self.join_arm(&mut ty, vt, arm.value.span);
                    out.push((c, v));
                }
                if !ok {
                    return None;
                }
                let Some((ty, _)) = ty else {
                    self.errors.push(CheckError::Invalid {
                        problem: Problem::NoRules,
                        span,
                    });
                    return None;
                };
                Some((mk(IKind::Cases { arms: out }, span), ty))
            }
            ExprKind::Steps { subject, arms } => self.steps(subject, arms, span),
            ExprKind::Scale { subject, from, to } => {
                let (s, st) = self.numeric(subject)?;
                let a = self.same_dim(&from.0, &st, subject.span);
                let b = self.same_dim(&from.1, &st, subject.span);
                let c = self.expr(&to.0, None);
                let d = self.expr(&to.1, None);
                let (a, b, (c, ct), (d, dt)) = (a?, b?, c?, d?);
                let ty = self.join_arms(&ct, to.0.span, &dt, to.1.span)?;
                if !ty.is_numeric() {
                    return self.mismatch(Expected::Number, &ty, to.0.span, Hint::ScaleTarget);
                }
                Some((
                    mk(
                        IKind::Scale {
                            subject: Box::new(s),
                            from: Box::new((a, b)),
                            to: Box::new((c, d)),
                        },
                        span,
                    ),
                    ty,
                ))
            }
            ExprKind::Distribute {
                subject,
                order,
                arms,
            } => {
                if !self.pure_call("distribute", span) {
                    return None;
                }
                self.distribute(subject, *order, arms, span, expect)
            }
        }
    }

    pub(super) fn name(&mut self, n: &str, span: Span, expect: Option<&Ty>) -> Lowered {
        if let Some((i, ty)) = self.param(n) {
            return Some((mk(IKind::Read(Source::Input(i)), span), ty));
        }
        if let Some(def) = self.names.get(n).copied() {
            if !self.pure_read(def, n, span) {
                return None;
            }
        }
        match self.names.get(n).copied() {
            Some(Def::Fn(_)) => self.fn_as_value(n, span),
            Some(Def::Input(i)) => {
                let ty = self.inputs.get(i)?.ty.clone();
                Some((mk(IKind::Read(Source::Input(i)), span), ty))
            }
            Some(Def::Context(i)) => {
                let ty = self.context.get(i)?.ty.clone();
                Some((mk(IKind::Read(Source::Context(i)), span), ty))
            }
            Some(Def::Slot(s)) => {
                let ty = self.resolve_slot(s, span)?;
                Some((mk(IKind::Read(Source::Slot(s)), span), ty))
            }
            None => {
                // A bare level name where a grade is expected: `else -> A`.
                if let Some(Ty::Grade(levels)) = expect {
                    if let Some(i) = levels.iter().position(|l| l == n) {
                        return Some((
                            mk(IKind::Const(Value::Level(i as u16)), span),
                            Ty::Grade(levels.clone()),
                        ));
                    }
                }
                let mut candidates: Vec<&str> = self.names.keys().map(|s| s.as_str()).collect();
                if let Some(Ty::Grade(levels)) = expect {
                    candidates.extend(levels.iter().map(|s| s.as_str()));
                }
                let s = suggest(n, candidates);
                self.errors.push(CheckError::unknown_name(n, span, s));
                None
            }
        }
    }

    pub(crate) fn level_index(
        &mut self,
        level: &str,
        levels: &[String],
        span: Span,
    ) -> Option<u16> {
        if let Some(i) = levels.iter().position(|l| l == level) {
            return Some(i as u16);
        }
        self.errors.push(CheckError::UnknownLevel {
            level: level.to_string(),
            levels: levels.to_vec(),
            span,
            suggestion: suggest(level, levels.iter().map(|s| s.as_str())),
        });
        None
    }

    pub(super) fn mismatch(
        &mut self,
        expected: Expected,
        found: &Ty,
        span: Span,
        hint: Hint,
    ) -> Lowered {
        self.errors.push(CheckError::TypeMismatch {
            expected,
            found: found.clone(),
            span,
            because: None,
            hint,
        });
        None
    }

    pub(crate) fn bool_expr(&mut self, e: &Expr) -> Option<IExpr> {
        let (x, ty) = self.expr(e, None)?;
        if ty != Ty::Bool {
            self.mismatch(Expected::Condition, &ty, e.span, Hint::Condition);
            return None;
        }
        Some(x)
    }

    pub(super) fn numeric(&mut self, e: &Expr) -> Lowered {
        let (x, ty) = self.expr(e, None)?;
        if !ty.is_numeric() {
            return self.mismatch(Expected::Quantity, &ty, e.span, Hint::Quantity);
        }
        Some((x, ty))
    }

    /// Lowers `e`, requiring the dimension of `want` (the value at `want_span`).
    pub(super) fn same_dim(&mut self, e: &Expr, want: &Ty, want_span: Span) -> Option<IExpr> {
        let (x, ty) = self.expr(e, Some(want))?;
        if ty.dim() != want.dim() {
            self.unit_mismatch(Op::Compare, want, want_span, None, &ty, e);
            return None;
        }
        self.percent_lint(want, want_span, e);
        Some(x)
    }

    /// Reports two operands of different dimensions. `l` is the left
    /// operand's expression when there is one (a band's subject has none).
    pub(super) fn unit_mismatch(
        &mut self,
        op: Op,
        lt: &Ty,
        lspan: Span,
        l: Option<&Expr>,
        rt: &Ty,
        r: &Expr,
    ) {
        // A bare literal on either side probably lacks its unit: `2` → `2元`.
        let literal = with_unit(r, lt).or_else(|| l.and_then(|l| with_unit(l, rt)));
        let hint = match (literal, scaled(op, lt, l, r)) {
            (Some(s), _) => UnitHint::WithUnit(s),
            (None, Some(s)) => UnitHint::Scale(s),
            (None, None) => match (lt, rt) {
                (Ty::Duration(_), Ty::Number(NumKind::Plain))
                | (Ty::Number(NumKind::Plain), Ty::Duration(_)) => {
                    UnitHint::NeedsUnit(Dim::Duration)
                }
                (Ty::Money, Ty::Number(NumKind::Plain))
                | (Ty::Number(NumKind::Plain), Ty::Money) => UnitHint::NeedsUnit(Dim::Money),
                // Both sides carry a unit (a percent is one, too).
                _ => UnitHint::SameUnit,
            },
        };
        self.errors.push(CheckError::UnitMismatch {
            op,
            left: lt.clone(),
            right: rt.clone(),
            left_span: lspan,
            right_span: r.span,
            hint,
        });
    }

    /// Warns when a bare number meets a percent: `0.1` is 10 %.
    pub(super) fn percent_lint(&mut self, pct: &Ty, pct_span: Span, other: &Expr) {
        if *pct != Ty::Number(NumKind::Percent) {
            return;
        }
        // `const target = 99` compared with a percent: the bare number is
        // in the constant's definition (§3.1).
        let literal = match &other.kind {
            ExprKind::Name(name) => self.const_literal(name),
            _ => Some(other),
        };
        if let Some(lit) = literal {
            self.bare_number_lint(lit, pct_span);
        }
    }

    /// The bare-number literal a `const` is defined as, if it is one.
    fn const_literal(&self, name: &str) -> Option<&'a Expr> {
        let policy = self.policy;
        policy.decls.iter().find_map(|d| match d {
            crate::syntax::ast::Decl::Const(c) if c.name.name == name => Some(&c.expr),
            _ => None,
        })
    }

    /// Warns, once per literal, that a bare number met a percent.
    pub(crate) fn bare_number_lint(&mut self, lit: &Expr, pct_span: Span) {
        if !is_bare_number(lit) {
            return;
        }
        if let ExprKind::Number { value, .. } = &lit.kind {
            let said = self.warnings.iter().any(
                |w| matches!(w, Lint::BareNumberWithPercent { span, .. } if *span == lit.span),
            );
            if said {
                return;
            }
            let as_pct = value * rust_decimal::Decimal::from(100);
            self.warnings.push(Lint::BareNumberWithPercent {
                literal: value.to_string(),
                percent: format!("{}%", as_pct.normalize()),
                span: lit.span,
                other: pct_span,
            });
        }
    }

    /// Folds one more arm's type into the arms' common type (`None`
    /// before the first arm); false when it does not fit, reported.
    pub(super) fn join_arm(&mut self, ty: &mut Option<(Ty, Span)>, vt: Ty, span: Span) -> bool {
        match ty.take() {
            None => {
                *ty = Some((vt, span));
                true
            }
            Some((t, first)) => match self.join_arms(&t, first, &vt, span) {
                Some(j) => {
                    *ty = Some((j, first));
                    true
                }
                None => {
                    *ty = Some((t, first));
                    false
                }
            },
        }
    }

    pub(super) fn join_arms(&mut self, a: &Ty, aspan: Span, b: &Ty, bspan: Span) -> Option<Ty> {
        match join(a, b) {
            Some(t) => Some(t),
            None => {
                self.errors.push(CheckError::ArmTypeMismatch {
                    first: a.clone(),
                    found: b.clone(),
                    span: bspan,
                    first_span: aspan,
                });
                None
            }
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinOp,
        op_span: Span,
        l: &Expr,
        r: &Expr,
        span: Span,
        expect: Option<&Ty>,
    ) -> Lowered {
        match op {
            BinOp::And | BinOp::Or => {
                let a = self.bool_expr(l);
                let b = self.bool_expr(r);
                let (a, b) = (Box::new(a?), Box::new(b?));
                let kind = if op == BinOp::And {
                    IKind::And(a, b)
                } else {
                    IKind::Or(a, b)
                };
                Some((mk(kind, span), Ty::Bool))
            }
            BinOp::Cmp(c) => self.compare(c, l, r, span),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let _ = op_span;
                let hint = expect.filter(|t| t.is_numeric());
                let left = self.expr(l, hint);
                let right = self.expr(r, hint);
                let ((a, lt), (b, rt)) = (left?, right?);
                for (t, e) in [(&lt, l), (&rt, r)] {
                    if !t.is_numeric() {
                        return self.mismatch(Expected::Quantity, t, e.span, Hint::Arithmetic);
                    }
                }
                let ty = match op {
                    BinOp::Add | BinOp::Sub => {
                        if lt.dim() != rt.dim() {
                            let op = if op == BinOp::Add {
                                Op::Add
                            } else {
                                Op::Subtract
                            };
                            self.unit_mismatch(op, &lt, l.span, Some(l), &rt, r);
                            return None;
                        }
                        self.percent_lint(&lt, l.span, r);
                        self.percent_lint(&rt, r.span, l);
                        join(&lt, &rt).unwrap_or(lt.clone())
                    }
                    BinOp::Mul => match (&lt, &rt) {
                        (Ty::Number(a), Ty::Number(b)) => Ty::Number(mul_kind(*a, *b)),
                        (Ty::Number(_), other) | (other, Ty::Number(_)) => other.clone(),
                        _ => {
                            self.errors.push(CheckError::UnitMismatch {
                                op: Op::Multiply,
                                left: lt.clone(),
                                right: rt.clone(),
                                left_span: l.span,
                                right_span: r.span,
                                hint: UnitHint::MultiplyByNumber,
                            });
                            return None;
                        }
                    },
                    _ => match (&lt, &rt) {
                        (Ty::Number(_), Ty::Number(_)) => Ty::Number(NumKind::Plain),
                        (other, Ty::Number(_)) => other.clone(),
                        (a, b) if a.dim() == b.dim() => Ty::Number(NumKind::Plain),
                        _ => {
                            self.errors.push(CheckError::UnitMismatch {
                                op: Op::Divide,
                                left: lt.clone(),
                                right: rt.clone(),
                                left_span: l.span,
                                right_span: r.span,
                                hint: UnitHint::DivideBy,
                            });
                            return None;
                        }
                    },
                };
                let aop = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                Some((mk(IKind::Arith(aop, Box::new(a), Box::new(b)), span), ty))
            }
        }
    }

    pub(super) fn compare(&mut self, c: CmpOp, l: &Expr, r: &Expr, span: Span) -> Lowered {
        // Check the side that is not a bare string first, so `"优秀" == level`
        // knows which grade the string belongs to.
        let l_is_str = matches!(l.kind, ExprKind::Str(_));
        let (left, right) = if l_is_str {
            let right = self.expr(r, None);
            let hint = right.as_ref().map(|x| x.1.clone());
            (self.expr(l, hint.as_ref()), right)
        } else {
            let left = self.expr(l, None);
            let hint = left.as_ref().map(|x| x.1.clone());
            (left, self.expr(r, hint.as_ref()))
        };
        let ((a, lt), (b, rt)) = (left?, right?);
        if lt.dim() != rt.dim() || (matches!(lt, Ty::Grade(_)) && lt != rt) {
            self.unit_mismatch(Op::Compare, &lt, l.span, Some(l), &rt, r);
            return None;
        }
        if !lt.is_numeric() && !matches!(c, CmpOp::Eq | CmpOp::Ne) {
            return self.mismatch(Expected::Quantity, &lt, l.span, Hint::Order);
        }
        self.percent_lint(&lt, l.span, r);
        self.percent_lint(&rt, r.span, l);
        Some((mk(IKind::Cmp(c, Box::new(a), Box::new(b)), span), Ty::Bool))
    }
}

fn mul_kind(a: NumKind, b: NumKind) -> NumKind {
    match (a, b) {
        (NumKind::Percent, k) | (k, NumKind::Percent) => k,
        (x, y) if x == y => x,
        (NumKind::Plain, k) | (k, NumKind::Plain) => k,
        _ => NumKind::Plain,
    }
}
