//! The format-neutral middle of the data layer: rows of raw values, each
//! with its line, fed to a [`RowSink`] after the header row; column
//! matching; cell conversion.

use super::cells::{normalize, parse_cell, quick_cell, trim};
use super::error::{CellError, DataError, DataErrorKind, MAX_ERRORS};
use super::{csv_rows, json, Cell, FieldSpec, Format, ReadOptions};
use crate::types::Period;

/// A raw value, before it meets its input's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// No value: an absent JSON key or `null`.
    Missing,
    Text(String),
    /// A JSON number's literal text, exactly as written.
    Number(String),
    Bool(bool),
    /// A JSON object or array (`"object"` / `"array"`): never a cell.
    Nested(&'static str),
}

impl Value {
    /// The text to parse; `Ok(None)` for missing or blank.
    pub(crate) fn text(&self) -> Result<Option<&str>, CellError> {
        let s = match self {
            Value::Missing => return Ok(None),
            Value::Text(s) | Value::Number(s) => s.as_str(),
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            Value::Nested(found) => return Err(CellError::NotAScalar { found }),
        };
        let s = s.trim();
        Ok(if s.is_empty() { None } else { Some(s) })
    }
}

#[derive(Debug)]
pub(crate) struct Row {
    /// 1-based line where the row starts.
    pub line: usize,
    /// One value per header.
    pub values: Vec<Value>,
}

/// A whole file of rows. Only JSON is materialised like this; CSV rows are
/// streamed one at a time (see [`super::csv_rows`]).
#[derive(Debug)]
pub(crate) struct Table {
    /// Trimmed column headers.
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One row, wherever it came from: a row of a JSON table, or the CSV record
/// the reader has just read (borrowed from its buffer, valid for one call).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowRef<'a> {
    Json(&'a Row),
    Csv {
        line: usize,
        record: &'a csv::StringRecord,
    },
}

impl<'a> RowRef<'a> {
    /// 1-based line where the row starts.
    pub(crate) fn line(self) -> usize {
        match self {
            RowRef::Json(row) => row.line,
            RowRef::Csv { line, .. } => line,
        }
    }

    /// The trimmed text of column `col`; `Ok(None)` for missing or blank
    /// (what [`Value::text`] says of the same cell).
    pub(crate) fn text(self, col: usize) -> Result<Option<&'a str>, CellError> {
        match self {
            RowRef::Json(row) => row.values.get(col).unwrap_or(&Value::Missing).text(),
            RowRef::Csv { record, .. } => Ok(record.get(col).map(trim).filter(|s| !s.is_empty())),
        }
    }
}

/// Receives a data file row by row: first the header, then every row that
/// has the right shape (rows with the wrong number of fields, and syntax
/// errors, are reported by the reader and never reach the sink).
pub(crate) trait RowSink {
    fn header(&mut self, headers: &[String], errors: &mut Vec<DataError>);
    fn row(&mut self, row: RowRef<'_>, errors: &mut Vec<DataError>);
}

/// What [`read_rows`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loaded {
    /// No table at all (syntax error, empty file): reported in `errors`.
    NoTable,
    /// A JSON `[]` without errors: no rows, hence no columns to check; the
    /// sink saw nothing.
    NoRows,
    /// The sink saw the header and every well-formed row, in file order.
    Rows,
}

/// Reads a whole file into `sink`, then takes the result out of it with
/// `done`: every error is reported (sorted and capped), nothing is returned
/// half-read. A JSON `[]` gives `empty`.
pub(crate) fn collect<S: RowSink, T>(
    file: &str,
    text: &str,
    sink: S,
    empty: T,
    done: impl FnOnce(S) -> T,
) -> Result<T, Vec<DataError>> {
    let (result, errors) = collect_all(file, text, sink, empty, done);
    if errors.is_empty() {
        Ok(result)
    } else {
        Err(errors)
    }
}

/// Like [`collect`], but also returns what the good rows gave when there
/// are errors (for checks that should still report on them).
pub(crate) fn collect_all<S: RowSink, T>(
    file: &str,
    text: &str,
    mut sink: S,
    empty: T,
    done: impl FnOnce(S) -> T,
) -> (T, Vec<DataError>) {
    let mut errors = Vec::new();
    let format = super::detect_format(file, text);
    match read_rows(file, text, format, &mut errors, &mut sink) {
        Loaded::NoTable => return (empty, finish(file, errors)),
        Loaded::NoRows => return (empty, Vec::new()),
        Loaded::Rows => {}
    }
    let errors = if errors.is_empty() {
        errors
    } else {
        finish(file, errors)
    };
    (done(sink), errors)
}

/// Reads CSV or JSON and feeds it to `sink`. CSV is streamed (never held
/// as a table); JSON is parsed whole first.
pub(crate) fn read_rows(
    file: &str,
    text: &str,
    format: Format,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> Loaded {
    let loaded = match format {
        Format::Csv => csv_rows::read(file, text, errors, sink),
        Format::Json => match json::load(file, text, errors) {
            None => Loaded::NoTable,
            Some(table) if table.rows.is_empty() && errors.is_empty() => Loaded::NoRows,
            Some(table) => {
                sink.header(&table.headers, errors);
                for row in &table.rows {
                    sink.row(RowRef::Json(row), errors);
                }
                Loaded::Rows
            }
        },
    };
    if loaded == Loaded::NoTable && errors.is_empty() {
        errors.push(DataError::new(file, 0, None, DataErrorKind::Empty));
    }
    loaded
}

/// Names accepted for the reserved columns.
pub(crate) const EMPLOYEE: (&str, &[&str]) = ("employee", &["employee", "员工", "工号"]);
pub(crate) const PERIOD: (&str, &[&str]) = ("period", &["period", "月份", "期间"]);
pub(crate) const TEAM: (&str, &[&str]) = ("team", &["team", "团队", "组别"]);

fn aliases_text(names: &[&str]) -> &'static str {
    match names.first() {
        Some(&"employee") => "`员工` or `工号`",
        Some(&"period") => "`月份` or `期间`",
        _ => "`团队` or `组别`",
    }
}

/// Which column holds what (indexes into the headers).
#[derive(Debug, Default)]
pub(crate) struct Columns {
    pub employee: Option<usize>,
    pub period: Option<usize>,
    pub team: Option<usize>,
    /// One per field spec.
    pub fields: Vec<Option<usize>>,
}

/// Matches headers to the reserved columns in `reserved` and to the fields
/// (by id or label, exact after trimming). Unmatched headers are ignored.
/// Reports a missing reserved column, a field without column or default,
/// and two columns for the same thing; all on line 1.
pub(crate) fn match_columns(
    file: &str,
    headers: &[String],
    fields: &[FieldSpec],
    reserved: &[(&'static str, &'static [&'static str])],
    errors: &mut Vec<DataError>,
) -> Columns {
    let mut cols = Columns {
        fields: vec![None; fields.len()],
        ..Columns::default()
    };
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        let reserved_hit = reserved
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(h)));
        let (slot, target) = if let Some((name, _)) = reserved_hit {
            let slot = match *name {
                "employee" => &mut cols.employee,
                "period" => &mut cols.period,
                _ => &mut cols.team,
            };
            (slot, name.to_string())
        } else if let Some(f) = fields
            .iter()
            .position(|f| f.id == h || f.label.as_deref().map(str::trim) == Some(h))
        {
            (&mut cols.fields[f], fields[f].id.clone())
        } else {
            continue;
        };
        match slot {
            Some(first) => errors.push(DataError::new(
                file,
                1,
                Some(h),
                DataErrorKind::DuplicateColumn {
                    first: headers[*first].clone(),
                    second: h.to_string(),
                    target,
                },
            )),
            None => *slot = Some(i),
        }
    }
    for (name, names) in reserved {
        let present = match *name {
            "employee" => cols.employee,
            "period" => cols.period,
            _ => continue, // `team` is optional
        };
        if present.is_none() {
            errors.push(DataError::new(
                file,
                1,
                None,
                DataErrorKind::MissingColumn {
                    name,
                    aliases: aliases_text(names),
                },
            ));
        }
    }
    for (f, col) in fields.iter().zip(&cols.fields) {
        if col.is_none() && f.default.is_none() {
            errors.push(DataError::new(
                file,
                1,
                None,
                DataErrorKind::MissingInput {
                    id: f.id.clone(),
                    label: f.label.clone(),
                },
            ));
        }
    }
    cols
}

/// Converts the field cells of one row; reports each bad or missing cell.
/// `None` when any cell failed (or a field has neither column nor default,
/// which `match_columns` already reported).
pub(crate) fn row_cells(
    file: &str,
    headers: &[String],
    row: RowRef<'_>,
    cols: &Columns,
    fields: &[FieldSpec],
    opts: &ReadOptions,
    errors: &mut Vec<DataError>,
) -> Option<Vec<Cell>> {
    let mut cells = Vec::with_capacity(fields.len());
    let mut ok = true;
    for (f, col) in fields.iter().zip(&cols.fields) {
        let Some(c) = *col else {
            match &f.default {
                Some(d) => cells.push(d.clone()),
                None => ok = false,
            }
            continue;
        };
        let text = row.text(c);
        if let Ok(Some(t)) = text {
            // a plain number, in range: the common case, kept lean
            if let Some(cell) = quick_cell(t, f, opts) {
                cells.push(cell);
                continue;
            }
        }
        let parsed = text.and_then(|t| t.map_or(Ok(None), |t| parse_cell(t, f, opts)));
        match parsed {
            Ok(Some(cell)) => cells.push(cell),
            Ok(None) => match &f.default {
                Some(d) => cells.push(d.clone()),
                None => {
                    ok = false;
                    errors.push(DataError::new(
                        file,
                        row.line(),
                        Some(&headers[c]),
                        DataErrorKind::MissingValue { id: f.id.clone() },
                    ));
                }
            },
            Err(e) => {
                ok = false;
                errors.push(DataError::new(
                    file,
                    row.line(),
                    Some(&headers[c]),
                    e.into(),
                ));
            }
        }
    }
    ok.then_some(cells)
}

/// The period of a row (the period column must exist), reporting problems.
pub(crate) fn row_period(
    file: &str,
    headers: &[String],
    row: RowRef<'_>,
    col: usize,
    errors: &mut Vec<DataError>,
) -> Option<Period> {
    let kind = match row.text(col) {
        Ok(None) => DataErrorKind::EmptyPeriod,
        Ok(Some(t)) => match Period::parse(&normalize(t)) {
            Some(p) => return Some(p),
            None => DataErrorKind::BadPeriod { raw: t.to_string() },
        },
        Err(e) => e.into(),
    };
    errors.push(DataError::new(file, row.line(), Some(&headers[col]), kind));
    None
}

/// An optional text column (employee, team): trimmed, `None` when blank.
/// Borrowed from the row: the caller copies it only if it keeps it.
pub(crate) fn row_text<'a>(
    file: &str,
    headers: &[String],
    row: RowRef<'a>,
    col: usize,
    errors: &mut Vec<DataError>,
) -> Result<Option<&'a str>, ()> {
    row.text(col).map_err(|e| {
        errors.push(DataError::new(
            file,
            row.line(),
            Some(&headers[col]),
            e.into(),
        ));
    })
}

/// Orders errors by line (stably) and caps their number.
pub(crate) fn finish(file: &str, mut errors: Vec<DataError>) -> Vec<DataError> {
    errors.sort_by_key(|e| e.line);
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(DataError::new(
            file,
            0,
            None,
            DataErrorKind::TooMany { more },
        ));
    }
    errors
}
