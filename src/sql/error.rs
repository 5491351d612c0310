//! Why a policy cannot be compiled to exact SQL.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::diag::{Lang, Report};
use crate::syntax::ast::Span;

/// A construct the SQL back end refuses, with the span that causes it.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlError {
    /// An intermediate value may need more than 38 digits. `inputs` are the
    /// inputs without a declared range that feed it.
    Magnitude { span: Span, inputs: Vec<String> },
    /// A team function over a value that is a fraction of two columns
    /// (`team.avg(a / b)`): engines cannot sum or order fractions exactly.
    TeamFraction { span: Span, what: &'static str },
    /// The compiled form contradicts its types: a bug in kpi.
    Internal { span: Span },
}

impl SqlError {
    /// The stable code of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            SqlError::Magnitude { .. } => "kpi::sql::unbounded",
            SqlError::TeamFraction { .. } => "kpi::sql::team_fraction",
            SqlError::Internal { .. } => "kpi::sql::internal",
        }
    }

    pub fn span(&self) -> Span {
        match self {
            SqlError::Magnitude { span, .. }
            | SqlError::TeamFraction { span, .. }
            | SqlError::Internal { span } => *span,
        }
    }

    /// The diagnostic in `lang`.
    pub fn report(&self, lang: Lang) -> Report {
        let span = self.span();
        match self {
            SqlError::Magnitude { inputs, .. } => {
                let names = inputs
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let (message, label) = match lang {
                    Lang::En => (
                        "this value may need more than 38 digits in SQL, so it cannot be computed exactly"
                            .to_string(),
                        "its magnitude cannot be bounded".to_string(),
                    ),
                    Lang::Zh => (
                        "该值在 SQL 中可能超过 38 位数字，无法精确计算".to_string(),
                        "无法确定其数量级上限".to_string(),
                    ),
                };
                let help = if inputs.is_empty() {
                    lang.pick(
                        "simplify the expression, or round an intermediate value with `round(…, n)`"
                            .to_string(),
                        "请简化该表达式，或用 `round(…, n)` 对中间值取整".to_string(),
                    )
                } else {
                    lang.pick(
                        format!("declare a valid range for {names} (e.g. `: money in 0..1000000`)"),
                        format!("请为 {names} 声明取值范围（例如 `: money in 0..1000000`）"),
                    )
                };
                Report::error(self.code(), message, vec![(span, label)], Some(help))
            }
            SqlError::TeamFraction { what, .. } => {
                let message = lang.pick(
                    format!("`{what}` over a quotient cannot be compiled to exact SQL"),
                    format!("对商的 `{what}` 无法编译为精确的 SQL"),
                );
                let label = lang
                    .pick("a quotient of two values", "两个值的商")
                    .to_string();
                let help = lang.pick(
                    "round the argument first (`round(…, 4)`), or compare its parts".to_string(),
                    "请先对参数取整（`round(…, 4)`），或分别比较其分子分母".to_string(),
                );
                Report::error(self.code(), message, vec![(span, label)], Some(help))
            }
            SqlError::Internal { .. } => Report::error(
                self.code(),
                lang.pick(
                    "internal error while compiling to SQL (a bug in kpi, please report it)"
                        .to_string(),
                    "编译为 SQL 时发生内部错误（kpi 的缺陷，请报告）".to_string(),
                ),
                vec![(
                    span,
                    lang.pick("while compiling this", "编译此处时出错")
                        .to_string(),
                )],
                None,
            ),
        }
    }
}
