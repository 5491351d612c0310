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

/// Why `kpi eval --engine duckdb` gives no results. (The type exists in
/// every build: without the `duckdb` feature the engine is [`NotBuilt`].)
///
/// [`NotBuilt`]: DuckDbError::NotBuilt
#[derive(Debug, Clone, PartialEq)]
pub enum DuckDbError {
    /// This kpi was built without the cargo feature `duckdb`.
    NotBuilt,
    /// A value kpi reads exactly does not fit the SQL column the compiled
    /// query reads it from: more decimal places (or digits) than the column
    /// keeps.
    Unrepresentable(Box<NotHeld>),
    /// The query stopped with an error: one the compiled query raises
    /// (`kpi: division by zero`) or DuckDB's own (an overflow).
    QueryStopped { message: String },
    /// DuckDB failed otherwise: opening the database, creating or filling
    /// the tables, reading the results.
    Engine { message: String },
}

/// A value and the SQL column that cannot hold it exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct NotHeld {
    /// The record's line and employee; `None` for a context value.
    pub line: Option<usize>,
    pub employee: Option<String>,
    pub period: String,
    /// The input's id.
    pub input: String,
    /// The value, exactly.
    pub value: String,
    /// The column's SQL type (`DECIMAL(18,6)`).
    pub column: String,
}

impl DuckDbError {
    /// The stable code of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            DuckDbError::NotBuilt => "kpi::duckdb::not_built",
            DuckDbError::Unrepresentable(_) => "kpi::duckdb::unrepresentable",
            DuckDbError::QueryStopped { .. } => "kpi::duckdb::query_stopped",
            DuckDbError::Engine { .. } => "kpi::duckdb::engine",
        }
    }

    /// The diagnostic in `lang` (no spans: it is about data or the engine).
    pub fn report(&self, lang: Lang) -> Report {
        let (message, help) = match self {
            DuckDbError::NotBuilt => (
                lang.pick(
                    "this kpi was built without DuckDB: `--engine duckdb` needs the cargo feature `duckdb`".to_string(),
                    "此 kpi 构建时未包含 DuckDB：`--engine duckdb` 需要 cargo 特性 `duckdb`".to_string(),
                ),
                lang.pick(
                    "rebuild with `cargo build --release --features duckdb` (links libduckdb 1.5.6 from `DUCKDB_LIB_DIR`) or `--features duckdb-bundled` (compiles DuckDB, slow); or use `--engine batch`".to_string(),
                    "请用 `cargo build --release --features duckdb` 重新构建（从 `DUCKDB_LIB_DIR` 链接 libduckdb 1.5.6），或用 `--features duckdb-bundled`（编译 DuckDB，较慢）；也可改用 `--engine batch`".to_string(),
                ),
            ),
            DuckDbError::Unrepresentable(v) => {
                let NotHeld {
                    line,
                    employee,
                    period,
                    input,
                    value,
                    column,
                } = v.as_ref();
                let place = match (lang, line, employee) {
                    (Lang::En, Some(l), Some(e)) => format!("line {l}, employee `{e}`, {period}"),
                    (Lang::Zh, Some(l), Some(e)) => format!("第 {l} 行，员工 `{e}`，{period}"),
                    (Lang::En, _, _) => format!("context of {period}"),
                    (Lang::Zh, _, _) => format!("{period} 的 context"),
                };
                (
                    lang.pick(
                        format!("{place}: `{input}` is `{value}`, which its SQL column `{column}` cannot hold exactly"),
                        format!("{place}：`{input}` 的值 `{value}` 无法在其 SQL 列 `{column}` 中精确保存"),
                    ),
                    lang.pick(
                        "the query's columns keep 6 decimal places for numbers and percents (as fractions), 4 for money (yuan), 3 for durations (seconds): round the value in the file, or use `--engine batch`".to_string(),
                        "查询的列对数值和百分比（按小数）保留 6 位小数，金额（元）4 位，时长（秒）3 位：请在文件中舍入该值，或改用 `--engine batch`".to_string(),
                    ),
                )
            }
            DuckDbError::QueryStopped { message } => (
                lang.pick(
                    format!("the compiled query stopped in DuckDB: `{message}`"),
                    format!("编译出的查询在 DuckDB 中中止：`{message}`"),
                ),
                lang.pick(
                    "`kpi eval --engine batch` on the same files names the employee, period and rule".to_string(),
                    "对同样的文件运行 `kpi eval --engine batch` 可看到是哪位员工、哪个月份和哪条规则".to_string(),
                ),
            ),
            DuckDbError::Engine { message } => (
                lang.pick(
                    format!("DuckDB failed: `{message}`"),
                    format!("DuckDB 出错：`{message}`"),
                ),
                lang.pick(
                    "`--engine batch` evaluates without DuckDB".to_string(),
                    "`--engine batch` 不经 DuckDB 计算".to_string(),
                ),
            ),
        };
        Report::error(self.code(), message, Vec::new(), Some(help))
    }
}

crate::diag::english_diagnostic!(DuckDbError);
