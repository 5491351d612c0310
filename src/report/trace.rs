//! Turning the evaluator's trace of one row into decisions a person can
//! check against the policy: which band, arm, branch or step rule applied,
//! quoting the policy's source.
//!
//! The walk follows the path evaluation took (the taken branch of every
//! `if`, the matched arm of every band), so it reports exactly the decision
//! points that produced the value, in evaluation order.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Matches over IR enums name every variant: a new variant fails to build
// here until it is handled.
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::show::{infer, infer_against, percent_if, plain, signed, with_unit};
use super::{RowEnv, Text};
use crate::eval::expr::{compare, eval, TraceEvent};
use crate::eval::num::Num;
use crate::ir::{IExpr, IKind, IStepArm, Program, Value};
use crate::syntax::ast::{Direction, Span, StepRounding};
use crate::types::{NumKind, Ty};
use serde::Serialize;

/// One decision point on the evaluation path.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// A band table: the subject's value and the first arm it matched.
    Band {
        line: usize,
        /// The `table`/`fn` this rule belongs to, when it is a use of one.
        #[serde(skip_serializing_if = "Option::is_none")]
        table: Option<String>,
        rule: String,
        subject: String,
        value: String,
        arm: usize,
        is_else: bool,
        result: String,
    },
    /// An enum table: the subject's level and its arm.
    Match {
        line: usize,
        /// The `table`/`fn` this rule belongs to, when it is a use of one.
        #[serde(skip_serializing_if = "Option::is_none")]
        table: Option<String>,
        rule: String,
        subject: String,
        value: String,
        arm: usize,
        result: String,
    },
    /// A first-match rule list.
    Case {
        line: usize,
        /// The `table`/`fn` this rule belongs to, when it is a use of one.
        #[serde(skip_serializing_if = "Option::is_none")]
        table: Option<String>,
        rule: String,
        arm: usize,
        is_else: bool,
        result: String,
    },
    /// `if … then … else …`.
    If {
        line: usize,
        condition: String,
        taken: bool,
        branch: String,
        /// Each comparison of the condition with this record's figures.
        checks: Vec<Check>,
    },
    /// A step rule: every arm, applied or not.
    Steps {
        line: usize,
        /// The `table`/`fn` this rule belongs to, when it is a use of one.
        #[serde(skip_serializing_if = "Option::is_none")]
        table: Option<String>,
        subject: String,
        value: String,
        arms: Vec<StepArm>,
        points: String,
    },
    /// A condition and the comparisons in it (a rule that did not apply,
    /// or a yes/no output).
    Condition {
        line: usize,
        /// The rule-list arm (0-based) that did not apply; `None` for the
        /// condition of a yes/no output.
        arm: Option<usize>,
        rule: String,
        holds: bool,
        checks: Vec<Check>,
    },
    /// A linear scale.
    Scale {
        line: usize,
        /// The `table`/`fn` this rule belongs to, when it is a use of one.
        #[serde(skip_serializing_if = "Option::is_none")]
        table: Option<String>,
        rule: String,
        subject: String,
        value: String,
        result: String,
    },
}

/// One arm of a step rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepArm {
    pub line: usize,
    pub rule: String,
    /// `above` or `below`.
    pub direction: String,
    pub reference: String,
    pub step: String,
    pub per_step: String,
    /// `floor` (whole steps) or `ceil` (a partial step counts).
    pub rounding: String,
    pub cap: Option<String>,
    /// Whether the value is on this arm's side of the reference.
    pub applied: bool,
    /// How far beyond the reference (in the subject's unit).
    pub difference: Option<String>,
    /// difference / step, exact.
    pub quotient: Option<String>,
    pub steps: Option<String>,
    pub points: Option<String>,
    pub capped: bool,
}

/// One comparison inside a condition, with the record's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub rule: String,
    /// Both sides with figures, e.g. `120min <= 1h`.
    pub figures: String,
    pub holds: Option<bool>,
}

/// Walks one slot's expression along the traced path.
pub(crate) struct Walker<'a> {
    pub program: &'a Program,
    pub text: Text<'a>,
    pub env: &'a RowEnv<'a>,
    pub out: Vec<Decision>,
}

impl Walker<'_> {
    /// The value of a sub-expression for this row, shown with `ty`.
    pub(crate) fn show(&self, e: &IExpr, ty: &Ty) -> String {
        match eval(e, self.env, &mut None) {
            Ok(v) => with_unit(&v, ty),
            Err(_) => "?".into(),
        }
    }

    fn num(&self, e: &IExpr) -> Option<Num> {
        match eval(e, self.env, &mut None) {
            Ok(Value::Num(n)) => Some(n),
            _ => None,
        }
    }

    fn line(&self, span: Span) -> usize {
        self.text.line(span.start)
    }

    /// The `table` or `fn` whose body holds `span`: a use inlined here.
    fn table_of(&self, span: Span) -> Option<String> {
        self.program.function_at(span).map(|f| f.name.clone())
    }

    /// The arm a band/match/case node takes for this record. Worked out
    /// here rather than looked up by span in the trace: a table used twice
    /// in one slot has the same spans at both uses.
    pub(crate) fn taken(&self, e: &IExpr) -> Option<usize> {
        let env = self.env;
        let value = |x: &IExpr| eval(x, env, &mut None).ok();
        match &e.kind {
            IKind::Band { subject, arms, .. } => {
                let v = value(subject)?;
                arms.iter().position(|arm| {
                    arm.tests.iter().all(|(op, b)| {
                        value(b).is_some_and(|b| compare(*op, &v, &b, e.span).unwrap_or(false))
                    })
                })
            }
            IKind::Match { subject, table, .. } => {
                let key = match value(subject)? {
                    Value::Level(l) => usize::from(l),
                    Value::Bool(b) => usize::from(b),
                    Value::Num(_) | Value::Text(_) => return None,
                };
                table.get(key).copied().flatten()
            }
            IKind::Cases { arms } => arms.iter().position(|(c, _)| match c {
                None => true,
                Some(c) => matches!(value(c), Some(Value::Bool(true))),
            }),
            IKind::Const(_)
            | IKind::Read(_)
            | IKind::Neg(_)
            | IKind::Not(_)
            | IKind::Arith(..)
            | IKind::Cmp(..)
            | IKind::And(..)
            | IKind::Or(..)
            | IKind::If(..)
            | IKind::Call(..)
            | IKind::Steps { .. }
            | IKind::Scale { .. } => None,
        }
    }

    /// The branch an `if` node takes for this record (see [`Self::taken`]).
    pub(crate) fn branch(&self, e: &IExpr) -> Option<bool> {
        let IKind::If(c, _, _) = &e.kind else {
            return None;
        };
        match eval(c, self.env, &mut None).ok()? {
            Value::Bool(b) => Some(b),
            Value::Num(_) | Value::Text(_) | Value::Level(_) => None,
        }
    }

    /// Walks `e`; `ty` is the type of its value when the caller knows it.
    pub(crate) fn walk(&mut self, e: &IExpr, ty: Option<&Ty>) {
        let result_ty = || ty.cloned().unwrap_or_else(|| infer(e, self.program));
        match &e.kind {
            IKind::Const(_) | IKind::Read(_) => {}
            IKind::Neg(a) | IKind::Not(a) => self.walk(a, None),
            IKind::Arith(_, a, b) | IKind::Cmp(_, a, b) | IKind::And(a, b) | IKind::Or(a, b) => {
                self.walk(a, None);
                self.walk(b, None);
            }
            IKind::Call(_, args) => args.iter().for_each(|a| self.walk(a, None)),
            IKind::If(c, t, o) => {
                self.walk(c, None);
                let Some(taken) = self.branch(e) else {
                    return;
                };
                let next = if taken { t } else { o };
                let checks = self.checks(c);
                self.out.push(Decision::If {
                    line: self.line(e.span),
                    condition: self.text.quote_expr(c.span),
                    taken,
                    branch: super::formula::name(self, next),
                    checks,
                });
                self.walk(next, ty);
            }
            IKind::Band {
                subject,
                arms,
                subject_ty,
            } => {
                self.walk(subject, None);
                let Some(k) = self.taken(e) else {
                    return;
                };
                let Some(arm) = arms.get(k) else {
                    return;
                };
                let bounds: Vec<&str> = arms
                    .iter()
                    .flat_map(|a| a.tests.iter().map(|(_, b)| self.text.slice(b.span)))
                    .collect();
                let sty = percent_if(subject_ty.clone(), &bounds);
                let rty = result_ty();
                self.out.push(Decision::Band {
                    table: self.table_of(e.span),
                    line: self.line(arm.span),
                    rule: self.text.quote(arm.span),
                    subject: self.text.quote_expr(subject.span),
                    value: self.show(subject, &sty),
                    arm: k,
                    is_else: arm.tests.is_empty(),
                    result: self.show(&arm.value, &rty),
                });
                self.walk(&arm.value, ty);
            }
            IKind::Match {
                subject, values, ..
            } => {
                self.walk(subject, None);
                let Some(k) = self.taken(e) else {
                    return;
                };
                let Some(v) = values.get(k) else {
                    return;
                };
                let rty = result_ty();
                self.out.push(Decision::Match {
                    table: self.table_of(e.span),
                    line: self.line(v.span),
                    rule: self.text.quote_expr(v.span),
                    subject: self.text.quote_expr(subject.span),
                    value: self.show(subject, &infer(subject, self.program)),
                    arm: k,
                    result: self.show(v, &rty),
                });
                self.walk(v, ty);
            }
            IKind::Cases { arms } => {
                let Some(k) = self.taken(e) else {
                    return;
                };
                for (cond, _) in arms.iter().take(k + 1) {
                    if let Some(c) = cond {
                        self.walk(c, None);
                    }
                }
                for (j, (cond, _)) in arms.iter().take(k).enumerate() {
                    if let Some(c) = cond {
                        self.condition(c, Some(j));
                    }
                }
                let Some((cond, value)) = arms.get(k) else {
                    return;
                };
                let rule = match cond {
                    Some(c) => format!(
                        "{} -> {}",
                        self.text.quote_expr(c.span),
                        self.text.quote_expr(value.span)
                    ),
                    None => format!("else -> {}", self.text.quote_expr(value.span)),
                };
                let rty = result_ty();
                self.out.push(Decision::Case {
                    table: self.table_of(e.span),
                    line: self.line(cond.as_ref().map(|c| c.span).unwrap_or(value.span)),
                    rule,
                    arm: k,
                    is_else: cond.is_none(),
                    result: self.show(value, &rty),
                });
                self.walk(value, ty);
            }
            IKind::Steps { subject, arms } => {
                self.walk(subject, None);
                let bounds: Vec<&str> = arms.iter().map(|a| self.text.slice(a.step.span)).collect();
                let sty = infer_against(subject, self.program, &bounds);
                let value = self.num(subject);
                let arms = arms
                    .iter()
                    .map(|a| self.step_arm(e, a, value, &sty))
                    .collect();
                self.out.push(Decision::Steps {
                    table: self.table_of(e.span),
                    line: self.line(e.span),
                    subject: self.text.quote_expr(subject.span),
                    value: self.show(subject, &sty),
                    arms,
                    points: self.show(e, &Ty::Number(NumKind::Points)),
                });
            }
            IKind::Scale { subject, .. } => {
                self.walk(subject, None);
                self.out.push(Decision::Scale {
                    table: self.table_of(e.span),
                    line: self.line(e.span),
                    rule: self.text.quote(e.span),
                    subject: self.text.quote_expr(subject.span),
                    value: self.show(subject, &infer(subject, self.program)),
                    result: self.show(e, &result_ty()),
                });
            }
        }
    }

    /// Records a condition with its comparisons.
    pub(crate) fn condition(&mut self, c: &IExpr, arm: Option<usize>) {
        let checks = self.checks(c);
        let holds = eval(c, self.env, &mut None).ok();
        self.out.push(Decision::Condition {
            line: self.line(c.span),
            arm,
            rule: self.text.quote_expr(c.span),
            holds: matches!(holds, Some(Value::Bool(true))),
            checks,
        });
    }

    /// One side of a comparison with this record's figures: a value as
    /// it is (`91`), a computation with its result (`(70% × 130 = 91)`).
    fn side(&self, e: &IExpr) -> String {
        let figures = super::formula::figures(self, e);
        match &e.kind {
            IKind::Read(_) | IKind::Const(_) | IKind::Neg(_) => figures,
            IKind::Not(_)
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
            | IKind::Scale { .. } => {
                let ty = super::show::infer(e, self.program);
                let value = self.show(e, &ty);
                if value == figures {
                    figures
                } else {
                    format!("({figures} = {value})")
                }
            }
        }
    }

    /// The comparisons of a condition, each with its figures and outcome.
    fn checks(&self, c: &IExpr) -> Vec<Check> {
        let mut cmps = Vec::new();
        let mut stack = vec![c];
        while let Some(e) = stack.pop() {
            match &e.kind {
                IKind::And(a, b) | IKind::Or(a, b) => stack.extend([&**b, &**a]),
                IKind::Not(a) => stack.push(a),
                IKind::Cmp(..) => cmps.push(e),
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
                | IKind::Scale { .. } => {}
            }
        }
        let holds = |e: &IExpr| match eval(e, self.env, &mut None) {
            Ok(Value::Bool(b)) => Some(b),
            _ => None,
        };
        cmps.into_iter()
            .map(|e| {
                let figures = match &e.kind {
                    IKind::Cmp(op, a, b) => {
                        format!("{} {} {}", self.side(a), op.symbol(), self.side(b))
                    }
                    IKind::Const(_)
                    | IKind::Read(_)
                    | IKind::Neg(_)
                    | IKind::Not(_)
                    | IKind::Arith(..)
                    | IKind::And(..)
                    | IKind::Or(..)
                    | IKind::If(..)
                    | IKind::Call(..)
                    | IKind::Band { .. }
                    | IKind::Match { .. }
                    | IKind::Cases { .. }
                    | IKind::Steps { .. }
                    | IKind::Scale { .. } => String::new(),
                };
                Check {
                    rule: self.text.quote_expr(e.span),
                    figures,
                    holds: holds(e),
                }
            })
            .collect()
    }

    fn step_arm(&self, node: &IExpr, arm: &IStepArm, value: Option<Num>, sty: &Ty) -> StepArm {
        let span = node.span;
        // This node's own events: a table used twice in one slot has the
        // same spans at both uses, so the slot's trace cannot tell them
        // apart. The node's last event for an arm is its own (a use of the
        // same table inside its subject is recorded before it).
        let mut own: crate::eval::expr::Trace = Some(Vec::new());
        let _ = eval(node, self.env, &mut own);
        let own = own.unwrap_or_default();
        let event = own.iter().rev().find_map(|ev| {
            let TraceEvent::Step {
                span: s,
                arm_span,
                steps,
                points,
                capped,
            } = ev
            else {
                return None;
            };
            (*s == span && *arm_span == arm.span).then_some((*steps, *points, *capped))
        });
        let reference = self.num(&arm.reference);
        let step = self.num(&arm.step);
        let difference = match (value, reference) {
            (Some(v), Some(r)) if event.is_some() => match arm.direction {
                Direction::Above => v.minus(r).ok(),
                Direction::Below => r.minus(v).ok(),
            },
            _ => None,
        };
        let quotient = match (difference, step) {
            (Some(d), Some(s)) => d.over(s).ok(),
            _ => None,
        };
        let points_ty = Ty::Number(NumKind::Points);
        StepArm {
            line: self.line(arm.span),
            rule: self.text.quote(arm.span),
            direction: match arm.direction {
                Direction::Above => "above".into(),
                Direction::Below => "below".into(),
            },
            reference: self.show(&arm.reference, sty),
            step: self.show(&arm.step, sty),
            per_step: match self.num(&arm.points) {
                Some(p) => signed(p, &points_ty),
                None => "?".into(),
            },
            rounding: match arm.rounding {
                StepRounding::Floor => "floor".into(),
                StepRounding::Ceil => "ceil".into(),
            },
            cap: arm.cap.as_ref().map(|c| self.show(c, &points_ty)),
            applied: event.is_some(),
            difference: difference.map(|d| with_unit(&Value::Num(d), sty)),
            quotient: quotient.map(|q| plain(&Value::Num(q), &Ty::Number(NumKind::Plain))),
            steps: event.map(|(s, _, _)| plain(&Value::Num(s), &points_ty)),
            points: event.map(|(_, p, _)| plain(&Value::Num(p), &points_ty)),
            capped: event.is_some_and(|(_, _, c)| c),
        }
    }
}
