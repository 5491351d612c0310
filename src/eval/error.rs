//! Evaluation errors: which employee, which period, which rule, and why.

use super::Row;
use crate::eval::expr::Fault;
use crate::syntax::ast::Span;
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum EvalError {
    #[error("cannot evaluate `{slot}` for employee `{employee}` in {period}: {what}")]
    #[diagnostic(code(kpi::eval_error))]
    Fault {
        employee: String,
        period: String,
        line: usize,
        slot: String,
        what: String,
        #[label("{what}")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("no context values for period {period} (employee `{employee}`)")]
    #[diagnostic(
        code(kpi::missing_context),
        help("add a row for {period} to the context file")
    )]
    MissingContext {
        employee: String,
        period: String,
        line: usize,
    },

    #[error("internal error: an evaluation thread stopped unexpectedly")]
    #[diagnostic(
        code(kpi::internal),
        help("this is a bug in kpi; please report it with the policy and data")
    )]
    Internal,

    #[error("cannot evaluate a team rule for team `{team}` in {period}: {what}")]
    #[diagnostic(code(kpi::eval_error))]
    TeamFault {
        team: String,
        period: String,
        what: String,
        #[label("{what}")]
        span: Span,
    },
}

fn help_for(f: &Fault) -> String {
    use crate::eval::expr::FaultKind::*;
    match &f.kind {
        DivisionByZero => "guard the division: `if d == 0 then … else x / d`".into(),
        Overflow => "the numbers are too large to compute exactly; check the data".into(),
        NoBandMatched(_) => "add an arm that covers this value, or an `else -> …` arm".into(),
        NoCaseMatched => "add an `else -> …` rule".into(),
        _ => "check the rule and the record's data".into(),
    }
}

impl EvalError {
    pub(crate) fn fault(row: &Row, slot: &str, f: Fault) -> EvalError {
        EvalError::Fault {
            employee: row.employee.clone(),
            period: row.period.to_string(),
            line: row.line,
            slot: slot.split('#').next().unwrap_or(slot).to_string(),
            what: f.kind.describe(),
            help: help_for(&f),
            span: f.span,
        }
    }

    pub(crate) fn team_fault(row: &Row, f: Fault) -> EvalError {
        EvalError::TeamFault {
            team: row.team.clone().unwrap_or_default(),
            period: row.period.to_string(),
            what: f.kind.describe(),
            span: f.span,
        }
    }

    pub(crate) fn internal() -> EvalError {
        EvalError::Internal
    }

    pub(crate) fn missing_context(row: &Row) -> EvalError {
        EvalError::MissingContext {
            employee: row.employee.clone(),
            period: row.period.to_string(),
            line: row.line,
        }
    }
}
