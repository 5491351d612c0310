//! Band, match and step tables: checking their arms and lowering them.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::expr::{mk, Lowered};
use super::Checker;
use crate::check::error::{CheckError, Expected, Hint, NumberUse, Problem};
use crate::ir::*;
use crate::syntax::ast::{self, BandCond, CmpOp, Expr, Pattern, Span};
use crate::types::{Dim, NumKind, Ty};

impl Checker<'_> {
    /// Lowers the tests of a band condition against a subject of type `sty`.
    pub(crate) fn band_tests(
        &mut self,
        cond: &BandCond,
        sty: &Ty,
        subject: &Expr,
    ) -> Option<Vec<(CmpOp, IExpr)>> {
        match cond {
            BandCond::Else(_) => Some(Vec::new()),
            BandCond::Tests { tests, .. } => {
                let mut out = Vec::new();
                let mut ok = true;
                for t in tests {
                    match self.same_dim(&t.bound, sty, subject.span) {
                        Some(b) => out.push((t.op, b)),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
        }
    }

    pub(super) fn band(
        &mut self,
        subject: &Expr,
        arms: &[ast::BandArm],
        span: Span,
        expect: Option<&Ty>,
    ) -> Lowered {
        let (s, sty) = self.numeric(subject)?;
        let mut out = Vec::new();
        let mut ty: Option<(Ty, Span)> = None;
        let mut ok = true;
        for arm in arms {
            let tests = self.band_tests(&arm.cond, &sty, subject);
            let hint = expect.cloned().or_else(|| ty.as_ref().map(|t| t.0.clone()));
            let value = self.expr(&arm.value, hint.as_ref());
            let (Some(tests), Some((v, vt))) = (tests, value) else {
                ok = false;
                continue;
            };
            ok &= self.join_arm(&mut ty, vt, arm.value.span);
            out.push(IBandArm {
                tests,
                value: v,
                span: arm.span,
            });
        }
        if !ok {
            return None;
        }
        let Some((ty, _)) = ty else {
            self.errors.push(CheckError::Invalid {
                problem: Problem::NoArms,
                span,
            });
            return None;
        };
        Some((
            mk(
                IKind::Band {
                    subject: Box::new(s),
                    subject_ty: sty,
                    arms: out,
                },
                span,
            ),
            ty,
        ))
    }

    pub(super) fn match_expr(
        &mut self,
        subject: &Expr,
        arms: &[ast::MatchArm],
        span: Span,
        expect: Option<&Ty>,
    ) -> Lowered {
        let (s, sty) = self.expr(subject, None)?;
        let names: Vec<String> = match &sty {
            Ty::Grade(levels) => levels.clone(),
            Ty::Bool => vec!["false".into(), "true".into()],
            other => {
                return self.mismatch(
                    Expected::GradeOrBool,
                    other,
                    subject.span,
                    Hint::MatchSubject,
                )
            }
        };
        let mut table: Vec<Option<usize>> = vec![None; names.len()];
        let mut values = Vec::new();
        let mut ty: Option<(Ty, Span)> = None;
        let mut ok = true;
        for arm in arms {
            let idx = values.len();
            for p in &arm.patterns {
                let slot = match (p, &sty) {
                    (Pattern::Level(t), Ty::Grade(levels)) => {
                        self.level_index(&t.value, levels, t.span).map(usize::from)
                    }
                    (Pattern::Bool(b, _), Ty::Bool) => Some(usize::from(*b)),
                    (p, _) => {
                        let pspan = match p {
                            Pattern::Level(t) => t.span,
                            Pattern::Bool(_, s) => *s,
                        };
                        self.errors.push(CheckError::PatternMismatch {
                            subject: sty.clone(),
                            span: pspan,
                            because: subject.span,
                        });
                        None
                    }
                };
                match slot {
                    Some(i) => {
                        if let Some(t) = table.get_mut(i) {
                            if t.is_none() {
                                *t = Some(idx);
                            }
                        }
                    }
                    None => ok = false,
                }
            }
            if arm.is_else {
                for t in table.iter_mut() {
                    if t.is_none() {
                        *t = Some(idx);
                    }
                }
            }
            let hint = expect.cloned().or_else(|| ty.as_ref().map(|t| t.0.clone()));
            let Some((v, vt)) = self.expr(&arm.value, hint.as_ref()) else {
                ok = false;
                values.push(mk(IKind::Const(Value::Bool(false)), arm.span));
                continue;
            };
            ok &= self.join_arm(&mut ty, vt, arm.value.span);
            values.push(v);
        }
        if !ok {
            return None;
        }
        let missing: Vec<String> = names
            .iter()
            .zip(&table)
            .filter(|(_, t)| t.is_none())
            .map(|(n, _)| n.clone())
            .collect();
        if !missing.is_empty() {
            self.errors
                .push(CheckError::NotExhaustive { missing, span });
            return None;
        }
        // Arms whose levels earlier arms all take, the whole arm underlined
        // (`else -> 3`, not just `3`).
        for (idx, arm) in arms.iter().enumerate() {
            if !table.contains(&Some(idx)) {
                self.warnings.push(crate::check::Lint::DeadMatchArm {
                    span: arm.span,
                    is_else: arm.is_else,
                });
            }
        }
        let (ty, _) = ty?;
        Some((
            mk(
                IKind::Match {
                    subject: Box::new(s),
                    table,
                    values,
                },
                span,
            ),
            ty,
        ))
    }

    pub(super) fn steps(&mut self, subject: &Expr, arms: &[ast::StepArm], span: Span) -> Lowered {
        let (s, sty) = self.numeric(subject)?;
        let mut out = Vec::new();
        let mut ok = true;
        for arm in arms {
            let step = self.same_dim(&arm.step, &sty, subject.span);
            let reference = self.same_dim(&arm.reference, &sty, subject.span);
            let points = self.number_expr(&arm.points, NumberUse::PointsPerStep);
            let cap = match &arm.cap {
                Some(c) => self.number_expr(c, NumberUse::Cap).map(Some),
                None => Some(None),
            };
            match (step, reference, points, cap) {
                (Some(step), Some(reference), Some(points), Some(cap)) => out.push(IStepArm {
                    step,
                    direction: arm.direction,
                    reference,
                    points,
                    rounding: arm.rounding,
                    cap,
                    span: arm.span,
                }),
                _ => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some((
            mk(
                IKind::Steps {
                    subject: Box::new(s),
                    arms: out,
                },
                span,
            ),
            Ty::Number(NumKind::Points),
        ))
    }

    pub(super) fn number_expr(&mut self, e: &Expr, what: NumberUse) -> Option<IExpr> {
        let (x, ty) = self.expr(e, None)?;
        if ty.dim() != Dim::Number {
            self.mismatch(Expected::Number, &ty, e.span, Hint::PlainNumber(what));
            return None;
        }
        Some(x)
    }
}
