//! Data errors: every user-facing message of the data layer lives here.
//!
//! A [`DataError`] places a problem in a file (`file:line`, optionally the
//! column header); its [`DataErrorKind`] says what is wrong. Problems with a
//! single cell are [`CellError`]s, which the policy's embedded tests reuse.

use miette::Diagnostic;
use thiserror::Error;

/// At most this many errors are reported for one file; the rest are counted
/// in a final [`DataErrorKind::TooMany`].
pub const MAX_ERRORS: usize = 1000;

/// A problem in a data file, with its place.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
#[error("{}", self.render())]
#[diagnostic(forward(kind))]
pub struct DataError {
    /// The file name as given by the caller.
    pub file: String,
    /// 1-based line (the header is line 1); 0 when the error has no line.
    pub line: usize,
    /// The column header as written in the file, when the error is about one cell.
    pub column: Option<String>,
    pub kind: DataErrorKind,
}

impl DataError {
    pub fn new(file: &str, line: usize, column: Option<&str>, kind: DataErrorKind) -> DataError {
        DataError {
            file: file.to_string(),
            line,
            column: column.map(str::to_string),
            kind,
        }
    }

    /// The stable diagnostic code, e.g. `kpi::data::bad_cell`.
    pub fn code_name(&self) -> String {
        Diagnostic::code(self)
            .map(|c| c.to_string())
            .unwrap_or_default()
    }

    /// The help line, if any.
    pub fn help_text(&self) -> Option<String> {
        Diagnostic::help(self).map(|h| h.to_string())
    }

    fn render(&self) -> String {
        let mut s = self.file.clone();
        if self.line > 0 {
            s.push_str(&format!(":{}", self.line));
        }
        s.push_str(": ");
        if let Some(col) = &self.column {
            s.push_str(&format!("column `{col}`: "));
        }
        s.push_str(&self.kind.to_string());
        s
    }
}

/// What is wrong, without its place.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum DataErrorKind {
    #[error("the file is empty; expected a header row")]
    #[diagnostic(
        code(kpi::data::empty),
        help("the first line must name the columns, e.g. `employee,period,...`")
    )]
    Empty,

    #[error("invalid {format}: {message}")]
    #[diagnostic(code(kpi::data::syntax), help("{}", syntax_help(format)))]
    Syntax {
        format: &'static str,
        message: String,
    },

    #[error("no `{name}` column")]
    #[diagnostic(
        code(kpi::data::missing_column),
        help("add a column headed `{name}` (or {aliases})")
    )]
    MissingColumn {
        name: &'static str,
        aliases: &'static str,
    },

    #[error("no column for input `{id}`{}, and it has no default", label_suffix(.label))]
    #[diagnostic(
        code(kpi::data::missing_column),
        help("add a column headed {}, or declare a default for `{id}` in the policy", headers_for(.id, .label))
    )]
    MissingInput { id: String, label: Option<String> },

    #[error("columns `{first}` and `{second}` both match `{target}`")]
    #[diagnostic(
        code(kpi::data::duplicate_column),
        help("keep only one of the two columns")
    )]
    DuplicateColumn {
        first: String,
        second: String,
        target: String,
    },

    #[error("the row has {found} fields but the header has {expected}")]
    #[diagnostic(
        code(kpi::data::bad_row),
        help("a field that contains `,` or `\"` must be quoted: `\"1,234\"`")
    )]
    FieldCount { found: usize, expected: usize },

    #[error("array element is {found}, not an object")]
    #[diagnostic(
        code(kpi::data::bad_row),
        help(
            "each element is one row: `{{\"employee\": \"E001\", \"period\": \"2026-10\", ...}}`"
        )
    )]
    NotAnObject { found: &'static str },

    #[error("key `{key}` appears twice in this object")]
    #[diagnostic(code(kpi::data::bad_row), help("keep only one `{key}`"))]
    DuplicateKey { key: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Cell(#[from] CellError),

    #[error("empty cell, and input `{id}` has no default")]
    #[diagnostic(
        code(kpi::data::missing_value),
        help("fill in a value, or declare a default for `{id}` in the policy")
    )]
    MissingValue { id: String },

    #[error("empty employee id")]
    #[diagnostic(code(kpi::data::missing_value), help("every row needs an employee id"))]
    EmptyEmployee,

    #[error("empty period")]
    #[diagnostic(
        code(kpi::data::missing_value),
        help("every row needs a period written `YYYY-MM`, e.g. `2026-10`")
    )]
    EmptyPeriod,

    #[error("`{raw}` is not a period")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("write the period as `YYYY-MM`, e.g. `2026-10`")
    )]
    BadPeriod { raw: String },

    #[error("employee `{employee}` already has a row for `{period}` on line {first_line}")]
    #[diagnostic(
        code(kpi::data::duplicate_row),
        help("keep one row per employee and period")
    )]
    DuplicateRow {
        employee: String,
        period: String,
        first_line: usize,
    },

    #[error("period `{period}` already has a row on line {first_line}")]
    #[diagnostic(code(kpi::data::duplicate_row), help("keep one row per period"))]
    DuplicatePeriod { period: String, first_line: usize },

    #[error("period `{period}` has no row in the context file `{context_file}`")]
    #[diagnostic(
        code(kpi::data::missing_period),
        help("add a row for `{period}` to `{context_file}`")
    )]
    MissingPeriod {
        period: String,
        context_file: String,
    },

    #[error("… and {more} more errors")]
    #[diagnostic(
        code(kpi::data::too_many_errors),
        help("fix the errors above and run again")
    )]
    TooMany { more: usize },
}

fn syntax_help(format: &str) -> &'static str {
    if format == "JSON" {
        "data in JSON is an array of objects: `[{\"employee\": \"E001\", \"period\": \"2026-10\", ...}]`"
    } else {
        "save the sheet as UTF-8 CSV: one header row, then one row per line"
    }
}

fn label_suffix(label: &Option<String>) -> String {
    match label {
        Some(l) => format!(" (`{l}`)"),
        None => String::new(),
    }
}

fn headers_for(id: &str, label: &Option<String>) -> String {
    match label {
        Some(l) => format!("`{l}` or `{id}`"),
        None => format!("`{id}`"),
    }
}

/// A cell that does not fit its input. Messages name the raw text, not the
/// column: the caller knows where the cell is.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum CellError {
    #[error("`{raw}` is not a number")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("write a plain decimal such as `12` or `0.5` (no exponents, no NaN or infinity)")
    )]
    NotANumber { raw: String },

    #[error("`{raw}` has misplaced thousands separators")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("group digits by threes (`1,234.5`) or leave the commas out (`1234.5`)")
    )]
    BadSeparators { raw: String },

    #[error("`{raw}` has too many digits")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("at most 28 significant digits are supported")
    )]
    TooManyDigits { raw: String },

    #[error("`{raw}` in a percent column has no `%`; write `{raw}%`")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("percents are written with `%`; if the export holds fractions (`0.995` for 99.5%), read it with percent fractions enabled")
    )]
    NoPercentSign { raw: String },

    #[error("`{raw}` has a unit that does not fit a {ty} column")]
    #[diagnostic(code(kpi::data::bad_cell), help("{expected}"))]
    WrongUnit {
        raw: String,
        ty: String,
        expected: String,
    },

    #[error("`{raw}` has an unknown duration unit `{unit}`")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("use one of s, min, h, d, 秒, 分钟, 小时, 天, or a plain number in {declared}")
    )]
    UnknownDurationUnit {
        raw: String,
        unit: String,
        declared: String,
    },

    #[error("`{raw}` is not a whole number")]
    #[diagnostic(code(kpi::data::bad_cell), help("counts are whole numbers ≥ 0"))]
    NotWhole { raw: String },

    #[error("`{raw}` is negative")]
    #[diagnostic(code(kpi::data::bad_cell), help("counts are whole numbers ≥ 0"))]
    Negative { raw: String },

    #[error("`{raw}` is not a bool")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("write `true` or `false`, `是` or `否`, `1` or `0`")
    )]
    NotABool { raw: String },

    #[error("`{raw}` is not one of the levels {levels}")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("write one of the declared levels exactly: {levels}")
    )]
    NotALevel { raw: String, levels: String },

    #[error("a JSON {found} is not a cell value")]
    #[diagnostic(
        code(kpi::data::bad_cell),
        help("cells are JSON strings, numbers, booleans or null")
    )]
    NotAScalar { found: &'static str },

    #[error("`{raw}` is outside the range {lo}..{hi}")]
    #[diagnostic(
        code(kpi::data::out_of_range),
        help("the input's declared range is {lo}..{hi}, both ends included")
    )]
    OutOfRange { raw: String, lo: String, hi: String },
}
