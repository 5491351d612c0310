//! The format-neutral middle of the data layer: a header row plus rows of raw
//! values, each row with its line; column matching; cell conversion.

use super::cells::{normalize, parse_cell};
use super::error::{CellError, DataError, DataErrorKind, MAX_ERRORS};
use super::{json, Cell, FieldSpec, Format, ReadOptions};
use crate::types::Period;

/// A raw value, before it meets its input's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// No value: an absent JSON key or `null` (an empty CSV cell is `Text("")`).
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

#[derive(Debug)]
pub(crate) struct Table {
    /// Trimmed column headers.
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// Reads CSV or JSON into a table; `None` when there is no table at all
/// (syntax error, empty file: reported in `errors`).
pub(crate) fn load(
    file: &str,
    text: &str,
    format: Format,
    errors: &mut Vec<DataError>,
) -> Option<Table> {
    let table = match format {
        Format::Json => json::load(file, text, errors),
        Format::Csv => load_csv(file, text, errors),
    };
    if table.is_none() && errors.is_empty() {
        errors.push(DataError::new(file, 0, None, DataErrorKind::Empty));
    }
    table
}

/// Line numbers from byte offsets. The `csv` crate's own line count is off
/// for `\r\n` and `\r` line ends, so lines are counted here: a line ends at
/// `\n`, `\r\n` or a lone `\r`.
struct Lines<'a> {
    text: &'a str,
    /// Byte offsets of the line terminators, ascending.
    ends: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let b = text.as_bytes();
        let ends = (0..b.len())
            .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
            .collect();
        Lines { text, ends }
    }

    /// The line of the record the `csv` crate places at `pos`: its byte
    /// offset may sit on the terminator of the line before, so skip those.
    fn line(&self, pos: Option<&csv::Position>) -> usize {
        let Some(start) = pos.and_then(|p| usize::try_from(p.byte()).ok()) else {
            return 0;
        };
        let b = self.text.as_bytes();
        let mut i = start.min(b.len());
        while matches!(b.get(i), Some(b'\r' | b'\n')) {
            i += 1;
        }
        1 + self.ends.partition_point(|&e| e < i)
    }
}

fn load_csv(file: &str, text: &str, errors: &mut Vec<DataError>) -> Option<Table> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let lines = Lines::new(text);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                errors.push(DataError::new(
                    file,
                    lines.line(e.position()),
                    None,
                    DataErrorKind::Syntax {
                        format: "CSV",
                        message: e.to_string(),
                    },
                ));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            // blank lines and the `,,,,` rows spreadsheets leave behind
            continue;
        }
        let line = lines.line(record.position());
        let Some(h) = &headers else {
            headers = Some(record.iter().map(|f| f.trim().to_string()).collect());
            continue;
        };
        let n = h.len();
        let extra_filled = record.iter().skip(n).any(|f| !f.trim().is_empty());
        if record.len() < n || extra_filled {
            errors.push(DataError::new(
                file,
                line,
                None,
                DataErrorKind::FieldCount {
                    found: record.len(),
                    expected: n,
                },
            ));
            continue;
        }
        let values = record
            .iter()
            .take(n)
            .map(|f| Value::Text(f.to_string()))
            .collect();
        rows.push(Row { line, values });
    }
    headers.map(|headers| Table { headers, rows })
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
    table: &Table,
    row: &Row,
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
        let header = table.headers[c].as_str();
        let value = row.values.get(c).unwrap_or(&Value::Missing);
        let parsed = value
            .text()
            .and_then(|t| t.map_or(Ok(None), |t| parse_cell(t, f, opts)));
        match parsed {
            Ok(Some(cell)) => cells.push(cell),
            Ok(None) => match &f.default {
                Some(d) => cells.push(d.clone()),
                None => {
                    ok = false;
                    errors.push(DataError::new(
                        file,
                        row.line,
                        Some(header),
                        DataErrorKind::MissingValue { id: f.id.clone() },
                    ));
                }
            },
            Err(e) => {
                ok = false;
                errors.push(DataError::new(file, row.line, Some(header), e.into()));
            }
        }
    }
    ok.then_some(cells)
}

/// The period of a row (the period column must exist), reporting problems.
pub(crate) fn row_period(
    file: &str,
    table: &Table,
    row: &Row,
    col: usize,
    errors: &mut Vec<DataError>,
) -> Option<Period> {
    let header = table.headers[col].as_str();
    let value = row.values.get(col).unwrap_or(&Value::Missing);
    let kind = match value.text() {
        Ok(None) => DataErrorKind::EmptyPeriod,
        Ok(Some(t)) => match Period::parse(&normalize(t)) {
            Some(p) => return Some(p),
            None => DataErrorKind::BadPeriod { raw: t.to_string() },
        },
        Err(e) => e.into(),
    };
    errors.push(DataError::new(file, row.line, Some(header), kind));
    None
}

/// An optional text column (employee, team): trimmed, `None` when blank.
pub(crate) fn row_text(
    file: &str,
    table: &Table,
    row: &Row,
    col: usize,
    errors: &mut Vec<DataError>,
) -> Result<Option<String>, ()> {
    let value = row.values.get(col).unwrap_or(&Value::Missing);
    match value.text() {
        Ok(t) => Ok(t.map(str::to_string)),
        Err(e) => {
            errors.push(DataError::new(
                file,
                row.line,
                Some(table.headers[col].as_str()),
                e.into(),
            ));
            Err(())
        }
    }
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
