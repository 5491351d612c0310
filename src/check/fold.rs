//! Compile-time values: constants, weights, ranges, defaults, quotas and
//! test data are evaluated once, with the evaluator itself.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::Checker;
use crate::check::error::{CheckError, ConstUse, Problem};
use crate::eval::expr::{eval, Env};
use crate::ir::{IExpr, IKind, SlotKind, Source, Value};
use crate::syntax::ast::Expr;
use crate::types::Ty;
use rust_decimal::Decimal;

/// Reads only the folded constants.
struct ConstEnv<'a> {
    consts: &'a std::collections::HashMap<usize, Value>,
}

impl Env for ConstEnv<'_> {
    fn read(&self, s: Source) -> Option<&Value> {
        match s {
            Source::Slot(i) => self.consts.get(&i),
            _ => None,
        }
    }
}

impl Checker<'_> {
    /// Evaluates a lowered expression that may only use constants.
    pub(crate) fn const_value(&mut self, e: &IExpr, what: ConstUse) -> Option<Value> {
        let mut constant = true;
        e.walk(&mut |x| {
            if let IKind::Read(src) = x.kind {
                let ok = match src {
                    Source::Slot(s) => self
                        .slots
                        .get(s)
                        .and_then(|s| s.as_ref())
                        .is_some_and(|s| s.kind == SlotKind::Const),
                    _ => false,
                };
                constant &= ok;
            }
        });
        if !constant {
            self.errors
                .push(CheckError::NotConstant { what, span: e.span });
            return None;
        }
        match eval(
            e,
            &ConstEnv {
                consts: &self.consts,
            },
            &mut None,
        ) {
            Ok(v) => Some(v),
            Err(f) => {
                self.errors.push(CheckError::Invalid {
                    problem: Problem::ConstFault {
                        what,
                        fault: f.kind,
                    },
                    span: f.span,
                });
                None
            }
        }
    }

    /// Checks, lowers and evaluates a constant expression.
    pub(crate) fn fold(
        &mut self,
        e: &Expr,
        expect: Option<&Ty>,
        what: ConstUse,
    ) -> Option<(Value, Ty)> {
        let (x, ty) = self.expr(e, expect)?;
        if let Some(want) = expect {
            self.assign(want, &ty, e.span, None)?;
        }
        let v = self.const_value(&x, what)?;
        Some((v, expect.cloned().unwrap_or(ty)))
    }

    /// A numeric constant of `ty`'s dimension, in base units.
    pub(crate) fn fold_num(&mut self, e: &Expr, ty: &Ty, what: ConstUse) -> Option<Decimal> {
        let (v, _) = self.fold(e, Some(ty), what)?;
        match v {
            Value::Num(n) => match n.to_decimal() {
                Some(d) => Some(d),
                None => {
                    self.errors.push(CheckError::Invalid {
                        problem: Problem::NotTerminating { what },
                        span: e.span,
                    });
                    None
                }
            },
            _ => None,
        }
    }
}
