//! Evaluation errors: which employee, which period, which rule, and why.
//! Errors hold data; [`EvalError::report`] writes them in English or
//! Chinese.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::Row;
use crate::diag::{english_diagnostic, Lang, Report};
use crate::eval::expr::{Fault, FaultKind};
use crate::syntax::ast::Span;

#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// A rule of one record could not be evaluated.
    Fault {
        employee: String,
        period: String,
        line: usize,
        slot: String,
        kind: FaultKind,
        span: Span,
    },
    MissingContext {
        employee: String,
        period: String,
        line: usize,
    },
    /// The evaluator contradicted itself (a thread stopped, a value it
    /// holds is missing): a bug in kpi.
    Internal,
    /// A team rule (`team.avg`, `rank`, `distribute`, …) could not be evaluated.
    TeamFault {
        team: String,
        period: String,
        kind: FaultKind,
        span: Span,
    },
}

/// What went wrong, as a short phrase ("division by zero", "除数为零").
pub fn fault_text(kind: &FaultKind, lang: Lang) -> String {
    let (en, zh) = match kind {
        FaultKind::Overflow => ("arithmetic overflow", "数值过大，无法精确计算"),
        FaultKind::DivisionByZero => ("division by zero", "除数为零"),
        FaultKind::NoBandMatched(v) => {
            return lang.pick(
                format!("the value `{v}` matches no band"),
                format!("`{v}` 不属于任何档位"),
            )
        }
        FaultKind::NoCaseMatched => ("no rule matched", "没有一条规则适用"),
        FaultKind::NoLevel => ("no level applies", "没有适用的等级"),
        FaultKind::ZeroStep => ("a step is zero or negative", "步长为零或负数"),
        FaultKind::EmptyScale => (
            "the scale's range is empty (from a..a)",
            "`scale` 的区间为空（from a..a）",
        ),
        FaultKind::Unavailable => ("a value it needs is not available", "缺少计算所需的值"),
        FaultKind::Internal => ("internal error", "内部错误"),
    };
    lang.pick(en, zh).to_string()
}

/// How to fix a fault.
fn fault_help(kind: &FaultKind, lang: Lang) -> String {
    let (en, zh) = match kind {
        FaultKind::DivisionByZero => (
            "guard the division: `if d == 0 then … else x / d`",
            "先判断除数是否为零：`if d == 0 then … else x / d`",
        ),
        FaultKind::Overflow => (
            "the numbers are too large to compute exactly; check the data",
            "数字太大，无法精确计算；请检查数据",
        ),
        FaultKind::NoBandMatched(_) => (
            "add an arm that covers this value, or an `else -> …` arm",
            "补上包含这个值的一档，或加上 `else -> …`",
        ),
        FaultKind::NoCaseMatched => ("add an `else -> …` rule", "加上一条 `else -> …` 规则"),
        FaultKind::NoLevel
        | FaultKind::ZeroStep
        | FaultKind::EmptyScale
        | FaultKind::Unavailable
        | FaultKind::Internal => (
            "check the rule and the record's data",
            "请检查这条规则和这个人的数据",
        ),
    };
    lang.pick(en, zh).to_string()
}

impl EvalError {
    pub(crate) fn fault(row: &Row, slot: &str, f: Fault) -> EvalError {
        EvalError::Fault {
            employee: row.employee().to_string(),
            period: row.period.to_string(),
            line: row.line,
            slot: slot.split('#').next().unwrap_or(slot).to_string(),
            kind: f.kind,
            span: f.span,
        }
    }

    pub(crate) fn team_fault(row: &Row, f: Fault) -> EvalError {
        EvalError::TeamFault {
            team: row.team().map(str::to_string).unwrap_or_default(),
            period: row.period.to_string(),
            kind: f.kind,
            span: f.span,
        }
    }

    pub(crate) fn internal() -> EvalError {
        EvalError::Internal
    }

    pub(crate) fn missing_context(row: &Row) -> EvalError {
        EvalError::MissingContext {
            employee: row.employee().to_string(),
            period: row.period.to_string(),
            line: row.line,
        }
    }

    /// The stable code, one per kind of fault, e.g. `kpi::division_by_zero`.
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::Fault { kind, .. } | EvalError::TeamFault { kind, .. } => kind.code(),
            EvalError::MissingContext { .. } => "kpi::missing_context",
            EvalError::Internal => "kpi::internal",
        }
    }

    /// The error's text in `lang`.
    pub fn report(&self, lang: Lang) -> Report {
        let (message, labels, help) = match self {
            EvalError::Fault {
                employee,
                period,
                slot,
                kind,
                span,
                ..
            } => {
                let what = fault_text(kind, lang);
                (
                    lang.pick(
                        format!(
                            "cannot evaluate `{slot}` for employee `{employee}` in {period}: {what}"
                        ),
                        format!("无法计算员工 `{employee}` 在 {period} 的 `{slot}`：{what}"),
                    ),
                    vec![(*span, what)],
                    Some(fault_help(kind, lang)),
                )
            }
            EvalError::MissingContext {
                employee, period, ..
            } => (
                lang.pick(
                    format!("no context values for period {period} (employee `{employee}`)"),
                    format!("没有 {period} 的 context 数据（员工 `{employee}`）"),
                ),
                Vec::new(),
                Some(lang.pick(
                    format!("add a row for {period} to the context file"),
                    format!("在 context 文件里补上 {period} 这一行"),
                )),
            ),
            EvalError::Internal => (
                lang.pick(
                    "internal error: the evaluation stopped unexpectedly",
                    "内部错误：计算意外中止",
                )
                .to_string(),
                Vec::new(),
                Some(
                    lang.pick(
                        "this is a bug in kpi; please report it with the policy and data",
                        "这是 kpi 的缺陷；请连同方案和数据一起反馈",
                    )
                    .to_string(),
                ),
            ),
            EvalError::TeamFault {
                team,
                period,
                kind,
                span,
            } => {
                let what = fault_text(kind, lang);
                (
                    lang.pick(
                        format!(
                            "cannot evaluate a team rule for team `{team}` in {period}: {what}"
                        ),
                        format!("无法计算团队 `{team}` 在 {period} 的团队规则：{what}"),
                    ),
                    vec![(*span, what)],
                    None,
                )
            }
        };
        Report::error(self.code(), message, labels, help)
    }
}

english_diagnostic!(EvalError);
