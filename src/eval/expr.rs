//! Evaluation of one compiled expression against one record.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Every match on an IR enum names each variant: a new kind of expression
// fails to build here until it is evaluated.
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use crate::eval::num::{small, Num, NumError};
use crate::ir::*;
use crate::syntax::ast::{CmpOp, Direction, Span, StepRounding};
use std::cmp::Ordering;

/// Where an expression reads inputs, context values and slots from.
pub trait Env {
    fn read(&self, s: Source) -> Option<&Value>;
}

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    Overflow,
    DivisionByZero,
    NoBandMatched(Box<str>),
    NoCaseMatched,
    NoLevel,
    ZeroStep,
    EmptyScale,
    /// A value the expression needs is not available (a constant
    /// expression reading record data, or an unset test input).
    Unavailable,
    /// The compiled form contradicts its types: a bug in kpi.
    Internal,
}

impl FaultKind {
    /// The stable code of an evaluation error of this kind.
    pub fn code(&self) -> &'static str {
        match self {
            FaultKind::Overflow => "kpi::overflow",
            FaultKind::DivisionByZero => "kpi::division_by_zero",
            FaultKind::NoBandMatched(_) => "kpi::no_band_matched",
            FaultKind::NoCaseMatched => "kpi::no_rule_matched",
            FaultKind::NoLevel => "kpi::no_level",
            FaultKind::ZeroStep => "kpi::bad_step",
            FaultKind::EmptyScale => "kpi::empty_scale",
            FaultKind::Unavailable => "kpi::value_unavailable",
            FaultKind::Internal => "kpi::internal",
        }
    }

    /// What went wrong, in English; see [`crate::eval::error::fault_text`].
    pub fn describe(&self) -> String {
        crate::eval::error::fault_text(self, crate::diag::Lang::En)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub span: Span,
}

impl From<(NumError, Span)> for Fault {
    fn from((e, span): (NumError, Span)) -> Fault {
        let kind = match e {
            NumError::Overflow => FaultKind::Overflow,
            NumError::DivisionByZero => FaultKind::DivisionByZero,
        };
        Fault { kind, span }
    }
}

/// What a decision point chose, for `explain`.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceEvent {
    Band {
        span: Span,
        arm: usize,
        arm_span: Span,
    },
    Match {
        span: Span,
        arm: usize,
    },
    Case {
        span: Span,
        arm: usize,
        arm_span: Span,
    },
    If {
        span: Span,
        taken: bool,
    },
    Step {
        span: Span,
        arm_span: Span,
        steps: Num,
        points: Num,
        capped: bool,
    },
}

pub type Trace = Option<Vec<TraceEvent>>;

fn record(trace: &mut Trace, ev: impl FnOnce() -> TraceEvent) {
    if let Some(t) = trace {
        t.push(ev());
    }
}

fn num(v: &Value, span: Span) -> Result<Num, Fault> {
    match v {
        Value::Num(n) => Ok(*n),
        Value::Bool(_) | Value::Text(_) | Value::Level(_) => Err(Fault {
            kind: FaultKind::Internal,
            span,
        }),
    }
}

fn boolean(v: &Value, span: Span) -> Result<bool, Fault> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Num(_) | Value::Text(_) | Value::Level(_) => Err(Fault {
            kind: FaultKind::Internal,
            span,
        }),
    }
}

/// A literal or a number read from the row, without a call (most operands
/// are one); `None` for anything else, and for a read that is not a
/// number, which [`num_of`] then reports.
#[inline(always)]
fn leaf_num<E: Env>(e: &IExpr, env: &E) -> Option<Num> {
    match &e.kind {
        IKind::Const(Value::Num(n)) => Some(*n),
        IKind::Read(s) => match env.read(*s) {
            Some(Value::Num(n)) => Some(*n),
            Some(Value::Bool(_) | Value::Text(_) | Value::Level(_)) | None => None,
        },
        IKind::Const(_)
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
    }
}

/// A numeric operand: a leaf directly, anything else through [`num_of`].
#[inline(always)]
fn operand<E: Env>(e: &IExpr, env: &E, trace: &mut Trace) -> Result<Num, Fault> {
    match leaf_num(e, env) {
        Some(n) => Ok(n),
        None => num_of(e, env, trace),
    }
}

/// Evaluates a numeric expression. The common shapes (literals, reads,
/// arithmetic) are handled here without wrapping every intermediate result
/// in a `Value`; the rest goes through [`eval`].
fn num_of<E: Env>(e: &IExpr, env: &E, trace: &mut Trace) -> Result<Num, Fault> {
    let span = e.span;
    match &e.kind {
        IKind::Const(Value::Num(n)) => Ok(*n),
        IKind::Read(s) => match env.read(*s) {
            Some(Value::Num(n)) => Ok(*n),
            Some(_) => Err(Fault {
                kind: FaultKind::Internal,
                span,
            }),
            None => Err(Fault {
                kind: FaultKind::Unavailable,
                span,
            }),
        },
        IKind::Arith(op, a, b) => {
            let x = operand(a, env, trace)?;
            let y = operand(b, env, trace)?;
            let r = match op {
                ArithOp::Add => x.plus(y),
                ArithOp::Sub => x.minus(y),
                ArithOp::Mul => x.times(y),
                ArithOp::Div => x.over(y),
            };
            r.map_err(|err| Fault::from((err, span)))
        }
        IKind::Neg(a) => operand(a, env, trace)?
            .negate()
            .map_err(|err| Fault::from((err, span))),
        IKind::Steps { subject, arms } => steps(subject, arms, env, trace, span),
        IKind::Scale { subject, from, to } => scale(subject, from, to, env, trace, span),
        IKind::Call(f, args) => call(*f, args, env, trace, span),
        IKind::Const(_)
        | IKind::Not(_)
        | IKind::Cmp(..)
        | IKind::And(..)
        | IKind::Or(..)
        | IKind::If(..)
        | IKind::Band { .. }
        | IKind::Match { .. }
        | IKind::Cases { .. } => num(&eval(e, env, trace)?, span),
    }
}

/// Evaluates a condition; comparisons of numbers skip `Value` wrapping.
fn bool_of<E: Env>(e: &IExpr, env: &E, trace: &mut Trace) -> Result<bool, Fault> {
    match &e.kind {
        IKind::Cmp(op, a, b) if leaf_num(a, env).is_some() => {
            let x = operand(a, env, trace)?;
            let ord = cmp_num(x, operand(b, env, trace)?, e.span)?;
            Ok(op.holds(ord))
        }
        IKind::Cmp(op, a, b) => match eval(a, env, trace)? {
            // Numbers: the right side skips `Value` wrapping.
            Value::Num(x) => {
                let ord = cmp_num(x, operand(b, env, trace)?, e.span)?;
                Ok(op.holds(ord))
            }
            x @ (Value::Bool(_) | Value::Text(_) | Value::Level(_)) => {
                compare(*op, &x, &eval(b, env, trace)?, e.span)
            }
        },
        IKind::And(a, b) => Ok(bool_of(a, env, trace)? && bool_of(b, env, trace)?),
        IKind::Or(a, b) => Ok(bool_of(a, env, trace)? || bool_of(b, env, trace)?),
        IKind::Not(a) => Ok(!bool_of(a, env, trace)?),
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
        | IKind::Scale { .. } => boolean(&eval(e, env, trace)?, e.span),
    }
}

/// Exact comparison of two numbers.
pub fn cmp_num(a: Num, b: Num, span: Span) -> Result<Ordering, Fault> {
    a.exact_cmp(b).map_err(|e| Fault::from((e, span)))
}

/// Compares two values of one type (the checker guarantees it).
pub fn compare(op: CmpOp, a: &Value, b: &Value, span: Span) -> Result<bool, Fault> {
    let ord = match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.exact_cmp(*y).map_err(|e| Fault::from((e, span)))?,
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Level(x), Value::Level(y)) => x.cmp(y),
        _ => {
            return Err(Fault {
                kind: FaultKind::Internal,
                span,
            })
        }
    };
    Ok(op.holds(ord))
}

/// Evaluates `e`. Decision points are appended to `trace` when it is `Some`.
///
/// This is a small dispatcher: numbers go through [`num_of`], conditions
/// through [`bool_of`], and each table form has its own function, so the hot
/// path (reads, literals, arithmetic) stays small.
pub fn eval<E: Env>(e: &IExpr, env: &E, trace: &mut Trace) -> Result<Value, Fault> {
    let span = e.span;
    match &e.kind {
        IKind::Const(v) => Ok(v.clone()),
        IKind::Read(s) => env.read(*s).cloned().ok_or(Fault {
            kind: FaultKind::Unavailable,
            span,
        }),
        IKind::Neg(_)
        | IKind::Arith(..)
        | IKind::Steps { .. }
        | IKind::Scale { .. }
        | IKind::Call(..) => num_of(e, env, trace).map(Value::Num),
        IKind::Not(_) | IKind::And(..) | IKind::Or(..) | IKind::Cmp(..) => {
            bool_of(e, env, trace).map(Value::Bool)
        }
        IKind::If(c, t, o) => {
            let taken = bool_of(c, env, trace)?;
            record(trace, || TraceEvent::If { span, taken });
            if taken {
                eval(t, env, trace)
            } else {
                eval(o, env, trace)
            }
        }
        IKind::Band {
            subject,
            subject_ty,
            arms,
        } => band(subject, subject_ty, arms, env, trace, span),
        IKind::Match {
            subject,
            table,
            values,
        } => match_arm(subject, table, values, env, trace, span),
        IKind::Cases { arms } => cases(arms, env, trace, span),
    }
}

#[inline(never)]
fn band<E: Env>(
    subject: &IExpr,
    subject_ty: &crate::types::Ty,
    arms: &[IBandArm],
    env: &E,
    trace: &mut Trace,
    span: Span,
) -> Result<Value, Fault> {
    let v = eval(subject, env, trace)?;
    'arms: for (i, arm) in arms.iter().enumerate() {
        for (op, bound) in &arm.tests {
            let b = eval(bound, env, trace)?;
            if !compare(*op, &v, &b, bound.span)? {
                continue 'arms;
            }
        }
        record(trace, || TraceEvent::Band {
            span,
            arm: i,
            arm_span: arm.span,
        });
        return eval(&arm.value, env, trace);
    }
    let shown = match &v {
        // In the unit the policy writes it: `38s`, `92%`.
        Value::Num(n) => crate::eval::format::show_value(*n, subject_ty),
        other @ (Value::Bool(_) | Value::Text(_) | Value::Level(_)) => format!("{other:?}"),
    };
    Err(Fault {
        kind: FaultKind::NoBandMatched(shown.into()),
        span,
    })
}

#[inline(never)]
fn match_arm<E: Env>(
    subject: &IExpr,
    table: &[Option<usize>],
    values: &[IExpr],
    env: &E,
    trace: &mut Trace,
    span: Span,
) -> Result<Value, Fault> {
    let key = match eval(subject, env, trace)? {
        Value::Level(l) => usize::from(l),
        Value::Bool(b) => usize::from(b),
        Value::Num(_) | Value::Text(_) => {
            return Err(Fault {
                kind: FaultKind::Internal,
                span,
            })
        }
    };
    let arm = table.get(key).copied().flatten().ok_or(Fault {
        kind: FaultKind::Internal,
        span,
    })?;
    record(trace, || TraceEvent::Match { span, arm });
    let v = values.get(arm).ok_or(Fault {
        kind: FaultKind::Internal,
        span,
    })?;
    eval(v, env, trace)
}

#[inline(never)]
fn cases<E: Env>(
    arms: &[(Option<IExpr>, IExpr)],
    env: &E,
    trace: &mut Trace,
    span: Span,
) -> Result<Value, Fault> {
    for (i, (cond, value)) in arms.iter().enumerate() {
        let hit = match cond {
            Some(c) => bool_of(c, env, trace)?,
            None => true,
        };
        if hit {
            record(trace, || TraceEvent::Case {
                span,
                arm: i,
                arm_span: value.span,
            });
            return eval(value, env, trace);
        }
    }
    Err(Fault {
        kind: FaultKind::NoCaseMatched,
        span,
    })
}

#[inline(never)]
fn steps<E: Env>(
    subject: &IExpr,
    arms: &[IStepArm],
    env: &E,
    trace: &mut Trace,
    span: Span,
) -> Result<Num, Fault> {
    let v = operand(subject, env, trace)?;
    let mut total = Num::ZERO;
    for arm in arms {
        let step = operand(&arm.step, env, trace)?;
        let reference = operand(&arm.reference, env, trace)?;
        let points = operand(&arm.points, env, trace)?;
        let cap = || match &arm.cap {
            Some(cap) => num_of(cap, env, trace).map(Some),
            None => Ok(None),
        };
        let Some((steps, got, capped)) = step_arm(v, step, reference, points, cap, arm)? else {
            continue;
        };
        record(trace, || TraceEvent::Step {
            span,
            arm_span: arm.span,
            steps,
            points: got,
            capped,
        });
        total = total
            .plus(got)
            .map_err(|err| Fault::from((err, arm.span)))?;
    }
    Ok(total)
}

/// A `steps` subject for [`step_arm_small`].
#[derive(Debug, Clone, Copy)]
pub(super) enum SmallSubject {
    /// A decimal held in an `i64`.
    Dec(small::Dec),
    /// A fraction `n / d` (`d > 0`), as [`Num::Frac`] holds it.
    Ratio(i128, i128),
}

/// [`step_arm`] for a subject and operands held small (decimals in an
/// `i64`; the subject may be a fraction, with a denominator below 2^31):
/// the same result, in the same representation, or `None` when anything
/// needs more (or fails); then `step_arm` decides. A fraction's whole
/// steps are counted with one integer division of the same products
/// [`Num`]'s arithmetic forms (so nothing fits here that overflows there).
#[inline]
pub(super) fn step_arm_small(
    v: SmallSubject,
    step: small::Dec,
    reference: small::Dec,
    points: small::Dec,
    cap: Option<small::Dec>,
    arm: &IStepArm,
) -> Option<Option<small::Dec>> {
    if step.0 <= 0 {
        return None;
    }
    let ceil = arm.rounding == StepRounding::Ceil;
    let steps = match v {
        SmallSubject::Dec(v) => {
            let diff = match arm.direction {
                Direction::Above => small::minus(v, reference)?,
                Direction::Below => small::minus(reference, v)?,
            };
            if diff.0 <= 0 {
                return Some(None);
            }
            small::quotient(diff, step, ceil)?
        }
        SmallSubject::Ratio(n, d) => {
            // (`Num` fails where v − reference is a decimal past 38 places,
            // as it may be for a denominator with many factors 2 or 5: with
            // `d` below 2^31 and the reference at most 8 places, it never is)
            if !(1..1 << 31).contains(&d) || reference.1 > 8 {
                return None;
            }
            // v − reference = (n·10^rs − rm·d) / (d·10^rs)
            let p = i128::from(small::pow10(reference.1)?);
            let (scaled, reference_d) =
                (n.checked_mul(p)?, i128::from(reference.0).checked_mul(d)?);
            let diff = match arm.direction {
                Direction::Above => scaled.checked_sub(reference_d)?,
                Direction::Below => reference_d.checked_sub(scaled)?,
            };
            if diff <= 0 {
                return Some(None);
            }
            // diff / step = diff·10^ss / (d·10^rs·sm), both positive
            let num = diff.checked_mul(i128::from(small::pow10(step.1)?))?;
            let den = d.checked_mul(p)?.checked_mul(i128::from(step.0))?;
            let q = num.checked_div(den)?;
            let q = if ceil && num.checked_rem(den)? != 0 {
                q.checked_add(1)?
            } else {
                q
            };
            (i64::try_from(q).ok()?, 0)
        }
    };
    step_points(steps, points, cap)
}

/// The points of `steps` whole steps, capped, as [`step_arm`] gives them.
#[inline(always)]
fn step_points(
    steps: small::Dec,
    points: small::Dec,
    cap: Option<small::Dec>,
) -> Option<Option<small::Dec>> {
    let mut got = small::times(steps, points)?;
    if let Some(cap) = cap {
        let cap = small::abs(cap)?;
        if small::cmp(small::abs(got)?, cap)? == Ordering::Greater {
            got = if got.0 < 0 { small::negate(cap)? } else { cap };
        }
    }
    Some(Some(got))
}

/// One arm of `steps` over its evaluated operands: `(whole steps, points,
/// capped)`, or `None` when `v` is not past the reference in the arm's
/// direction. `cap` gives the arm's cap, if it has one; it is asked for
/// only when the points could be capped. Shared by the tree walker and
/// the compiled code ([`super::compiled`]).
pub(super) fn step_arm(
    v: Num,
    step: Num,
    reference: Num,
    points: Num,
    cap: impl FnOnce() -> Result<Option<Num>, Fault>,
    arm: &IStepArm,
) -> Result<Option<(Num, Num, bool)>, Fault> {
    let ne = |r: Result<Num, NumError>| r.map_err(|err| Fault::from((err, arm.span)));
    if step.signum() <= 0 {
        return Err(Fault {
            kind: FaultKind::ZeroStep,
            span: arm.step.span,
        });
    }
    let diff = match arm.direction {
        Direction::Above => ne(v.minus(reference))?,
        Direction::Below => ne(reference.minus(v))?,
    };
    if diff.signum() <= 0 {
        return Ok(None);
    }
    let steps = ne(diff.quotient(step, arm.rounding == StepRounding::Ceil))?;
    let mut got = ne(steps.times(points))?;
    let mut capped = false;
    if let Some(cap) = cap()? {
        let cap = ne(cap.abs())?;
        if cmp_num(ne(got.abs())?, cap, arm.span)? == Ordering::Greater {
            got = if got.signum() < 0 {
                ne(cap.negate())?
            } else {
                cap
            };
            capped = true;
        }
    }
    Ok(Some((steps, got, capped)))
}

#[inline(never)]
fn scale<E: Env>(
    subject: &IExpr,
    from: &(IExpr, IExpr),
    to: &(IExpr, IExpr),
    env: &E,
    trace: &mut Trace,
    span: Span,
) -> Result<Num, Fault> {
    let v = num_of(subject, env, trace)?;
    let a = num_of(&from.0, env, trace)?;
    let b = num_of(&from.1, env, trace)?;
    let c = num_of(&to.0, env, trace)?;
    let d = num_of(&to.1, env, trace)?;
    scale_of(v, [a, b], [c, d], span)
}

/// `scale v from a..b to c..d` over evaluated operands (shared by the tree
/// walker and the compiled code).
pub(super) fn scale_of(
    v: Num,
    [a, b]: [Num; 2],
    [c, d]: [Num; 2],
    span: Span,
) -> Result<Num, Fault> {
    let ne = |r: Result<Num, NumError>| r.map_err(|err| Fault::from((err, span)));
    let width = ne(b.minus(a))?;
    if width.is_zero() {
        return Err(Fault {
            kind: FaultKind::EmptyScale,
            span,
        });
    }
    let mut t = ne(ne(v.minus(a))?.over(width))?;
    if t.signum() < 0 {
        t = Num::ZERO;
    } else if cmp_num(t, Num::ONE, span)? == Ordering::Greater {
        t = Num::ONE;
    }
    let out = ne(c.plus(ne(t.times(ne(d.minus(c))?))?))?;
    Ok(out)
}

#[inline(never)]
fn call<E: Env>(
    f: Func,
    args: &[IExpr],
    env: &E,
    trace: &mut Trace,
    span: Span,
) -> Result<Num, Fault> {
    let mut nums = Vec::with_capacity(args.len());
    for a in args {
        nums.push(num_of(a, env, trace)?);
    }
    apply(f, &nums, span)
}

/// A builtin function over its evaluated arguments (shared by the tree
/// walker and the compiled code).
pub(super) fn apply(f: Func, nums: &[Num], span: Span) -> Result<Num, Fault> {
    let ne = |r: Result<Num, NumError>| r.map_err(|err| Fault::from((err, span)));
    let Some((&first, rest)) = nums.split_first() else {
        return Err(Fault {
            kind: FaultKind::Internal,
            span,
        });
    };
    let pick = |want: Ordering| -> Result<Num, Fault> {
        let mut best = first;
        for x in rest {
            if cmp_num(*x, best, span)? == want {
                best = *x;
            }
        }
        Ok(best)
    };
    let v = match f {
        Func::Min => pick(Ordering::Less)?,
        Func::Max => pick(Ordering::Greater)?,
        Func::Clamp => {
            let &[lo, hi, ..] = rest else {
                return Err(Fault {
                    kind: FaultKind::Internal,
                    span,
                });
            };
            if cmp_num(first, lo, span)? == Ordering::Less {
                lo
            } else if cmp_num(first, hi, span)? == Ordering::Greater {
                hi
            } else {
                first
            }
        }
        Func::Abs => ne(first.abs())?,
        Func::Floor => ne(first.floor())?,
        Func::Ceil => ne(first.ceil())?,
        Func::Round(p) => ne(first.round(p))?,
    };
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast paths of `steps` give what [`step_arm`] gives, to the
    /// representation, wherever they answer (and they do answer for the
    /// usual operands): decimal subjects and fraction subjects (n / d).
    #[test]
    fn step_fast_paths_agree_with_step_arm() {
        let lit = |v: small::Dec| IExpr {
            kind: IKind::Const(Value::Num(Num::Dec {
                m: i128::from(v.0),
                s: v.1,
            })),
            span: Span::default(),
        };
        let decs: [small::Dec; 9] = [
            (0, 0),
            (1, 0),
            (-3, 0),
            (99, 2),
            (1, 3),
            (125, 1),
            (-7, 2),
            (4_800_000, 6),
            (i64::MAX, 0),
        ];
        let fracs: [(i128, i128); 7] = [
            (1, 3),
            (-1, 480),
            (100, 9),
            (-22, 7),
            (5, 6),
            (1_000_000_007, 3 << 20),
            (i128::from(i64::MAX), 3),
        ];
        let steps: [small::Dec; 5] = [(1, 0), (1, 3), (10, 0), (5, 1), (0, 0)];
        let points: [small::Dec; 3] = [(-1, 0), (2, 0), (5, 1)];
        let caps: [Option<small::Dec>; 2] = [None, Some((3, 0))];
        let (mut answered, mut asked) = (0, 0);
        for direction in [Direction::Above, Direction::Below] {
            for rounding in [StepRounding::Floor, StepRounding::Ceil] {
                for &step in &steps {
                    for &reference in &decs {
                        for &p in &points {
                            for &cap in &caps {
                                let arm = IStepArm {
                                    step: lit(step),
                                    direction,
                                    reference: lit(reference),
                                    points: lit(p),
                                    rounding,
                                    cap: cap.map(lit),
                                    span: Span::default(),
                                };
                                let n = |v: small::Dec| Num::Dec {
                                    m: i128::from(v.0),
                                    s: v.1,
                                };
                                let walked = |v: Num| {
                                    step_arm(
                                        v,
                                        n(step),
                                        n(reference),
                                        n(p),
                                        || Ok(cap.map(n)),
                                        &arm,
                                    )
                                    .ok()
                                    .map(|got| got.map(|(_, got, _)| got))
                                };
                                let fast = |got: Option<small::Dec>| got.map(n);
                                for &v in &decs {
                                    asked += 1;
                                    if let Some(got) = step_arm_small(
                                        SmallSubject::Dec(v),
                                        step,
                                        reference,
                                        p,
                                        cap,
                                        &arm,
                                    ) {
                                        answered += 1;
                                        assert_eq!(Some(fast(got)), walked(n(v)), "{v:?} {arm:?}");
                                    }
                                }
                                for &(fn_, fd) in &fracs {
                                    asked += 1;
                                    let v = Num::Frac { n: fn_, d: fd };
                                    if let Some(got) = step_arm_small(
                                        SmallSubject::Ratio(fn_, fd),
                                        step,
                                        reference,
                                        p,
                                        cap,
                                        &arm,
                                    ) {
                                        answered += 1;
                                        assert_eq!(Some(fast(got)), walked(v), "{v:?} {arm:?}");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // most combinations are answered fast (not those with a zero step
        // or a huge operand)
        assert!(answered * 10 > asked * 6, "{answered} of {asked}");
    }
}
