//! One checked expression as exact SQL.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Every match on an IR enum names each variant: a new construct fails to
// build here until the SQL back end decides how to compile it.
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::error::SqlError;
use super::num::{Arith, NumV};
use crate::eval::num::Num;
use crate::ir::*;
use crate::syntax::ast::{CmpOp, Direction, Span, StepRounding};

/// A compiled value.
#[derive(Debug, Clone)]
pub enum Val {
    Num(NumV),
    /// A SQL boolean expression.
    Bool(String),
    /// A SQL string expression.
    Text(String),
    /// A SQL integer: the index of a grade level.
    Level(String),
}

/// Where reads of inputs, context values and slots come from.
pub trait Columns {
    fn read(&self, s: Source, span: Span) -> Result<Val, SqlError>;
}

pub struct Compiler<'a, C: Columns> {
    pub a: Arith,
    pub cols: &'a C,
    /// The slot being compiled, for error messages.
    pub slot: &'a str,
}

fn internal(span: Span) -> SqlError {
    SqlError::Internal { span }
}

/// A constant number.
pub fn num_const(a: &Arith, n: Num) -> NumV {
    a.num(n)
}

impl<C: Columns> Compiler<'_, C> {
    pub fn num(&self, e: &IExpr) -> Result<NumV, SqlError> {
        match self.expr(e)? {
            Val::Num(v) => Ok(v),
            Val::Bool(_) | Val::Text(_) | Val::Level(_) => Err(internal(e.span)),
        }
    }

    pub fn cond(&self, e: &IExpr) -> Result<String, SqlError> {
        match self.expr(e)? {
            Val::Bool(b) => Ok(b),
            Val::Num(_) | Val::Text(_) | Val::Level(_) => Err(internal(e.span)),
        }
    }

    fn msg(&self, what: &str) -> String {
        format!("{what} in `{}`", self.slot)
    }

    pub fn expr(&self, e: &IExpr) -> Result<Val, SqlError> {
        let a = &self.a;
        let span = e.span;
        Ok(match &e.kind {
            IKind::Const(v) => match v {
                Value::Num(n) => Val::Num(num_const(a, *n)),
                Value::Bool(b) => Val::Bool(if *b { "TRUE" } else { "FALSE" }.into()),
                Value::Text(t) => Val::Text(a.d.str_lit(t)),
                Value::Level(l) => Val::Level(l.to_string()),
            },
            IKind::Read(s) => self.cols.read(*s, span)?,
            IKind::Neg(x) => Val::Num(a.neg(&self.num(x)?)),
            IKind::Not(x) => Val::Bool(format!("(NOT {})", self.cond(x)?)),
            IKind::Arith(op, x, y) => {
                let (x, y) = (self.num(x)?, self.num(y)?);
                Val::Num(match op {
                    ArithOp::Add => a.add(&x, &y, false, span)?,
                    ArithOp::Sub => a.add(&x, &y, true, span)?,
                    ArithOp::Mul => a.mul(&x, &y, span)?,
                    ArithOp::Div => a.div(&x, &y, span)?,
                })
            }
            IKind::Cmp(op, x, y) => {
                Val::Bool(self.compare(*op, &self.expr(x)?, &self.expr(y)?, span)?)
            }
            // CASE keeps the short circuit: the right side is only
            // evaluated (and can only fail) when it decides.
            IKind::And(x, y) => Val::Bool(format!(
                "(CASE WHEN {} THEN {} ELSE FALSE END)",
                self.cond(x)?,
                self.cond(y)?
            )),
            IKind::Or(x, y) => Val::Bool(format!(
                "(CASE WHEN {} THEN TRUE ELSE {} END)",
                self.cond(x)?,
                self.cond(y)?
            )),
            IKind::If(c, t, o) => {
                let c = self.cond(c)?;
                self.choose(vec![(c, self.expr(t)?)], Some(self.expr(o)?), "", span)?
            }
            IKind::Call(f, args) => self.call(*f, args, span)?,
            IKind::Band {
                subject,
                subject_ty: _,
                arms,
            } => {
                let v = self.expr(subject)?;
                let mut out = Vec::new();
                let mut other = None;
                for arm in arms {
                    if arm.tests.is_empty() {
                        other = Some(self.expr(&arm.value)?);
                        break;
                    }
                    let mut conds = Vec::new();
                    for (op, bound) in &arm.tests {
                        conds.push(self.compare(*op, &v, &self.expr(bound)?, bound.span)?);
                    }
                    out.push((conds.join(" AND "), self.expr(&arm.value)?));
                }
                if out.is_empty() {
                    // only `else`: the subject is still evaluated, as `kpi
                    // eval` evaluates it (a division in it may fail)
                    // (compared with 0 as the tests compare with a bound, which
                    // evaluates the divisor's check too: always one holds)
                    if let Some(value) = other.take() {
                        let zero = self.expr(&IExpr {
                            kind: IKind::Const(Value::Num(Num::ZERO)),
                            span,
                        })?;
                        let (ge, lt) = (
                            self.compare(CmpOp::Ge, &v, &zero, span)?,
                            self.compare(CmpOp::Lt, &v, &zero, span)?,
                        );
                        out.push((format!("({ge} OR {lt})"), value));
                    }
                }
                self.choose(out, other, &self.msg("no band matched"), span)?
            }
            IKind::Match {
                subject,
                table,
                values,
            } => {
                let key = match self.expr(subject)? {
                    Val::Level(l) => l,
                    Val::Bool(b) => format!("(CASE WHEN {b} THEN 1 ELSE 0 END)"),
                    Val::Num(_) | Val::Text(_) => return Err(internal(span)),
                };
                let mut out = Vec::new();
                for (k, arm) in table.iter().enumerate() {
                    if let Some(i) = arm {
                        let v = values.get(*i).ok_or_else(|| internal(span))?;
                        out.push((format!("({key} = {k})"), self.expr(v)?));
                    }
                }
                self.choose(out, None, &self.msg("no level matched"), span)?
            }
            IKind::Cases { arms } => {
                let mut out = Vec::new();
                let mut other = None;
                for (c, v) in arms {
                    match c {
                        Some(c) => out.push((self.cond(c)?, self.expr(v)?)),
                        None => {
                            other = Some(self.expr(v)?);
                            break;
                        }
                    }
                }
                self.choose(out, other, &self.msg("no rule matched"), span)?
            }
            IKind::Steps { subject, arms } => Val::Num(self.steps(subject, arms, span)?),
            IKind::Scale { subject, from, to } => Val::Num(self.scale(subject, from, to, span)?),
        })
    }

    fn compare(&self, op: CmpOp, x: &Val, y: &Val, span: Span) -> Result<String, SqlError> {
        let sym = match op {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
        };
        match (x, y) {
            (Val::Num(x), Val::Num(y)) => self.a.cmp(op, x, y, span),
            (Val::Bool(x), Val::Bool(y))
            | (Val::Text(x), Val::Text(y))
            | (Val::Level(x), Val::Level(y)) => Ok(format!("({x} {sym} {y})")),
            _ => Err(internal(span)),
        }
    }

    /// `cond ? yes : no` over values of one type.
    pub fn pick(&self, cond: String, yes: Val, no: Val, span: Span) -> Result<Val, SqlError> {
        self.choose(vec![(cond, yes)], Some(no), "", span)
    }

    /// `CASE` over values of one type; `other: None` stops with `err`.
    fn choose(
        &self,
        arms: Vec<(String, Val)>,
        other: Option<Val>,
        err: &str,
        span: Span,
    ) -> Result<Val, SqlError> {
        if arms.is_empty() {
            // only an `else` (`CASE ELSE … END` is not SQL)
            return other.ok_or_else(|| internal(span));
        }
        let first = arms
            .first()
            .map(|(_, v)| v)
            .or(other.as_ref())
            .ok_or_else(|| internal(span))?;
        if let Val::Num(_) = first {
            let mut nums = Vec::new();
            for (c, v) in arms {
                match v {
                    Val::Num(v) => nums.push((c, v)),
                    Val::Bool(_) | Val::Text(_) | Val::Level(_) => return Err(internal(span)),
                }
            }
            let other = match other {
                Some(Val::Num(v)) => Some(v),
                None => None,
                Some(Val::Bool(_) | Val::Text(_) | Val::Level(_)) => return Err(internal(span)),
            };
            let v = self.a.choose(&nums, other.as_ref(), err);
            return Ok(Val::Num(self.a.check(v, span)?));
        }
        let mut s = String::from("(CASE");
        let mut make: Option<fn(String) -> Val> = None;
        let has_else = other.is_some();
        for (c, v) in arms
            .into_iter()
            .map(|(c, v)| (Some(c), v))
            .chain(other.map(|v| (None, v)))
        {
            let (text, m): (String, fn(String) -> Val) = match v {
                Val::Bool(t) => (t, Val::Bool),
                Val::Text(t) => (t, Val::Text),
                Val::Level(t) => (t, Val::Level),
                Val::Num(_) => return Err(internal(span)),
            };
            make = Some(m);
            match c {
                Some(c) => s.push_str(&format!(" WHEN {c} THEN {text}")),
                None => s.push_str(&format!(" ELSE {text}")),
            }
        }
        if !has_else {
            s.push_str(&format!(" ELSE {}", self.a.d.error(err)));
        }
        s.push_str(" END)");
        let make = make.ok_or_else(|| internal(span))?;
        Ok(make(s))
    }

    fn call(&self, f: Func, args: &[IExpr], span: Span) -> Result<Val, SqlError> {
        let a = &self.a;
        let mut nums = Vec::with_capacity(args.len());
        for x in args {
            nums.push(self.num(x)?);
        }
        let (first, rest) = nums.split_first().ok_or_else(|| internal(span))?;
        let v = match f {
            Func::Min | Func::Max => {
                // The later value replaces the best so far only when it is
                // strictly smaller (larger), like the evaluator.
                let op = if f == Func::Min { CmpOp::Lt } else { CmpOp::Gt };
                let mut best = first.clone();
                for x in rest {
                    let c = a.cmp(op, x, &best, span)?;
                    best = a.check(a.choose(&[(c, x.clone())], Some(&best), ""), span)?;
                }
                best
            }
            Func::Clamp => {
                let (lo, hi) = match rest {
                    [lo, hi, ..] => (lo, hi),
                    _ => return Err(internal(span)),
                };
                let below = a.cmp(CmpOp::Lt, first, lo, span)?;
                let above = a.cmp(CmpOp::Gt, first, hi, span)?;
                a.check(
                    a.choose(&[(below, lo.clone()), (above, hi.clone())], Some(first), ""),
                    span,
                )?
            }
            Func::Abs => a.abs(first),
            Func::Floor => a.floor(first, false),
            Func::Ceil => a.floor(first, true),
            Func::Round(p) => a.round(first, u32::from(p), span)?,
        };
        Ok(Val::Num(v))
    }

    fn steps(&self, subject: &IExpr, arms: &[IStepArm], span: Span) -> Result<NumV, SqlError> {
        let a = &self.a;
        let v = self.num(subject)?;
        let mut total: Option<NumV> = None;
        for arm in arms {
            let step = self.num(&arm.step)?;
            let reference = self.num(&arm.reference)?;
            let points = self.num(&arm.points)?;
            let diff = match arm.direction {
                Direction::Above => a.add(&v, &reference, true, arm.span)?,
                Direction::Below => a.add(&reference, &v, true, arm.span)?,
            };
            // whole steps: floor((diff.n · step.d) / (diff.d · step.n)), step > 0
            let num = a.mul(
                &diff,
                &NumV {
                    n: a.den(&step),
                    den: super::num::Den::Scale(0),
                    nb: step.db,
                    db: 0.0,
                    blame: step.blame.clone(),
                    konst: None,
                },
                arm.span,
            )?;
            let den_bound = diff.db + step.nb;
            if den_bound > super::num::LIMIT {
                return Err(SqlError::Magnitude {
                    span: arm.span,
                    inputs: diff.blame.union(&step.blame).cloned().collect(),
                });
            }
            let den = match step.konst {
                Some(Num::Dec { m, .. }) => a.times(&a.den(&diff), m),
                Some(Num::Frac { n, .. }) => a.times(&a.den(&diff), n),
                None => format!("({} * {})", a.den(&diff), step.n),
            };
            let q = match arm.rounding {
                StepRounding::Floor => a.d.fdiv(&num.n, &den),
                StepRounding::Ceil => format!("(-{})", a.d.fdiv(&format!("-{}", num.n), &den)),
            };
            let steps = NumV {
                n: format!("({q})"),
                den: super::num::Den::Scale(0),
                nb: num.nb,
                db: 0.0,
                blame: num.blame.clone(),
                konst: None,
            };
            let mut got = a.mul(&steps, &points, arm.span)?;
            if let Some(cap) = &arm.cap {
                let cap = a.abs(&self.num(cap)?);
                let over = a.cmp(CmpOp::Gt, &a.abs(&got), &cap, arm.span)?;
                let neg = a.sign(&got, "<");
                got = a.check(
                    a.choose(
                        &[
                            (format!("{over} AND {neg}"), a.neg(&cap)),
                            (over, cap.clone()),
                        ],
                        Some(&got),
                        "",
                    ),
                    arm.span,
                )?;
            }
            let zero = a.konst(0, 0);
            let positive = a.sign(&diff, ">");
            let bad_step = a.sign(&step, "<=");
            let mut part = a.choose(&[(positive, got)], Some(&zero), "");
            // A step that is not positive stops evaluation, whatever the value
            // (a positive constant needs no check).
            if step.konst.is_none_or(|k| k.signum() <= 0) {
                part.n = format!(
                    "(CASE WHEN {bad_step} THEN {} ELSE {} END)",
                    a.d.error(&self.msg("a step is not positive")),
                    part.n
                );
            }
            let part = a.check(part, arm.span)?;
            total = Some(match total {
                None => part,
                Some(t) => a.add(&t, &part, false, span)?,
            });
        }
        Ok(total.unwrap_or_else(|| a.konst(0, 0)))
    }

    fn scale(
        &self,
        subject: &IExpr,
        from: &(IExpr, IExpr),
        to: &(IExpr, IExpr),
        span: Span,
    ) -> Result<NumV, SqlError> {
        let a = &self.a;
        let v = self.num(subject)?;
        let lo = self.num(&from.0)?;
        let hi = self.num(&from.1)?;
        let c = self.num(&to.0)?;
        let d = self.num(&to.1)?;
        let width = a.add(&hi, &lo, true, span)?;
        let mut t = a.div(&a.add(&v, &lo, true, span)?, &width, span)?;
        let zero = a.konst(0, 0);
        let one = a.konst(1, 0);
        let below = a.sign(&t, "<");
        let above = a.cmp(CmpOp::Gt, &t, &one, span)?;
        t = a.check(a.choose(&[(below, zero), (above, one)], Some(&t), ""), span)?;
        // 0 <= t <= 1: the numerator is at most the denominator.
        t.nb = t.nb.min(t.db);
        let mut out = a.add(
            &c,
            &a.mul(&t, &a.add(&d, &c, true, span)?, span)?,
            false,
            span,
        )?;
        let empty = format!("({} = 0)", width.n);
        out.n = format!(
            "(CASE WHEN {empty} THEN {} ELSE {} END)",
            a.d.error(&self.msg("empty scale")),
            out.n
        );
        Ok(out)
    }
}
