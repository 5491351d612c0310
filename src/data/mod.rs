//! Reading metric records and context values (CSV or JSON).
//!
//! Pure functions over text: the caller reads the files. Every value comes
//! back in base units (see [`crate::types`]): percents as fractions,
//! durations in seconds, money in yuan. On bad data, every bad row is
//! reported ([`DataError`], with file, line and column), never just the first.

mod cells;
mod context;
mod csv_rows;
mod error;
mod json;
mod quick;
mod records;
mod seen;
mod table;

#[cfg(test)]
mod tests;

use rust_decimal::Decimal;

use crate::types::{Period, Ty};

pub use cells::{display_base, parse_cell};
pub use context::{check_context_periods, read_context};
pub use error::{CellError, DataError, DataErrorKind, MAX_ERRORS};
pub use records::{read_records, read_records_partial};

/// One declared input (record or context), as the checker hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub id: String,
    pub label: Option<String>,
    pub ty: Ty,
    /// Valid range, inclusive, in base units; `None` = no declared range.
    pub range: Option<(Decimal, Decimal)>,
    /// Value used when the cell is empty or the column is missing.
    pub default: Option<Cell>,
}

/// One parsed cell, in base units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Num(Decimal),
    Bool(bool),
    Text(String),
    /// Index into the levels of a `Ty::Grade`.
    Level(u16),
}

/// One row of the records file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub employee: String,
    pub period: Period,
    pub team: Option<String>,
    /// 1-based line of the row in the file (the header is line 1; for JSON,
    /// the line where the object starts).
    pub line: usize,
    /// One per field spec, in the same order, defaults applied.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// Bare numbers in percent columns are fractions (`0.995`) instead of an error.
    pub percent_fractions: bool,
}

/// JSON if the name ends in `.json` or the text starts (after whitespace and
/// a BOM) with `[` or `{`; CSV otherwise.
pub fn detect_format(file_name: &str, text: &str) -> Format {
    let json_name = file_name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("json"));
    let first = text
        .trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace())
        .chars()
        .next();
    if json_name || matches!(first, Some('[' | '{')) {
        Format::Json
    } else {
        Format::Csv
    }
}
