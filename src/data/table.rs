//! The format-neutral middle of the data layer: rows of raw values, each
//! with its line, fed to a [`RowSink`] after the header row; column
//! matching; cell conversion.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::cells::{normalize, parse_cell, quick_cell, trim};
use super::decode::decode;
use super::error::{CellError, DataError, DataErrorKind, DataNotice, NoticeKind, MAX_ERRORS};
use super::layout::{split_unit, HeaderUnit, Key, KeyNames};
use super::{csv_rows, detect_format, json, Cell, FieldSpec, Format, Layout, ReadOptions};
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
    /// 1-based index in the JSON array, when other elements start on the
    /// same line (errors then name it).
    pub element: Option<usize>,
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
    /// A line of plain fields, split where it lies (see [`Split`]).
    Line {
        line: usize,
        fields: Split<'a>,
    },
}

impl<'a> RowRef<'a> {
    /// 1-based line where the row starts.
    pub(crate) fn line(self) -> usize {
        match self {
            RowRef::Json(row) => row.line,
            RowRef::Csv { line, .. } | RowRef::Line { line, .. } => line,
        }
    }

    /// The trimmed text of column `col`; `Ok(None)` for missing or blank
    /// (what [`Value::text`] says of the same cell).
    pub(crate) fn text(self, col: usize) -> Result<Option<&'a str>, CellError> {
        let field = match self {
            RowRef::Json(row) => return row.values.get(col).unwrap_or(&Value::Missing).text(),
            RowRef::Csv { record, .. } => record.field(col),
            RowRef::Line { fields, .. } => fields.field(col),
        };
        Ok(field.map(trim).filter(|s| !s.is_empty()))
    }
}

/// The fields of a line of delimited text without quotes: the line, and
/// where each field ends in it (the next starts one delimiter later).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split<'a> {
    pub(crate) text: &'a str,
    pub(crate) ends: &'a [usize],
}

/// A record's fields, however they were read.
pub(crate) trait Fields<'a>: Copy {
    fn count(self) -> usize;
    fn field(self, i: usize) -> Option<&'a str>;
}

impl<'a> Fields<'a> for &'a csv::StringRecord {
    fn count(self) -> usize {
        self.len()
    }

    fn field(self, i: usize) -> Option<&'a str> {
        self.get(i)
    }
}

impl<'a> Fields<'a> for Split<'a> {
    fn count(self) -> usize {
        self.ends.len()
    }

    fn field(self, i: usize) -> Option<&'a str> {
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before)? + 1,
            None => 0,
        };
        self.text.get(start..*self.ends.get(i)?)
    }
}

/// Receives a data file row by row: first the header, then every row that
/// has the right shape (rows with the wrong number of fields, and syntax
/// errors, are reported by the reader and never reach the sink).
pub(crate) trait RowSink {
    /// Whether a row (trimmed fields) is the header: it names the columns
    /// the sink cannot do without. Rows above it are titles and notes.
    fn is_header(&self, fields: &[&str]) -> bool;
    /// The header row, on `line`.
    fn header(&mut self, line: usize, headers: &[String], errors: &mut Vec<DataError>);
    fn row(&mut self, row: RowRef<'_>, errors: &mut Vec<DataError>);
    /// What the sink has to tell beyond errors (a default used for a text
    /// cell), taken once at the end.
    fn take_notices(&mut self) -> Vec<DataNotice> {
        Vec::new()
    }
}

/// A sink whose rows may be read in parallel: each part of a file (whole
/// rows below the header) goes to a [`ForkSink::fork`] of it on another
/// thread, and the parts come back, in file order, to
/// [`ForkSink::join`]. What the sink ends with, errors and notices
/// included, is what reading every row in order would give.
pub(crate) trait ForkSink: RowSink {
    type Part: RowSink + Send;
    /// A sink for one part, after the header.
    fn fork(&self) -> Self::Part;
    /// Takes a part back, in file order; the part's own errors are
    /// already in `errors`, and what the join finds goes after them.
    fn join(&mut self, part: Self::Part, errors: &mut Vec<DataError>);
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

/// What reading a whole file gave: the sink's result, every error (sorted
/// and capped) and the notices.
pub(crate) struct Collected<T> {
    pub value: T,
    pub errors: Vec<DataError>,
    pub notices: Vec<DataNotice>,
}

/// Reads a whole file (any format, see [`detect_format`]) into `sink`,
/// then takes the result out of it with `done`. Errors are sorted by line
/// and capped; the result of the good rows comes back with them (never use
/// it for results when there are errors). A JSON `[]` gives `empty`.
pub(crate) fn collect_all<S: RowSink, T>(
    file: &str,
    bytes: &[u8],
    layout: &Layout,
    sink: S,
    empty: T,
    done: impl FnOnce(S) -> T,
) -> Collected<T> {
    collect_with(file, sink, empty, done, |errors, sink| {
        read_rows(file, bytes, layout, errors, sink)
    })
}

/// [`collect_all`] with the rows of delimited text read in parallel
/// parts (see [`csv_rows::read_parallel`]); the same result.
pub(crate) fn collect_all_parallel<S: ForkSink, T>(
    file: &str,
    bytes: &[u8],
    layout: &Layout,
    sink: S,
    parallel: super::Parallel,
    empty: T,
    done: impl FnOnce(S) -> T,
) -> Collected<T> {
    collect_with(file, sink, empty, done, |errors, sink| {
        read_rows_with(file, bytes, layout, errors, sink, |text, errors, sink| {
            csv_rows::read_parallel(file, text, errors, sink, parallel)
        })
    })
}

/// [`collect_all`] for UTF-8 delimited text read from `input` a block at a
/// time: in order (see [`csv_rows::read_stream`]) on one thread, else its
/// rows in parallel parts as they are read (see
/// [`csv_rows::read_stream_parallel`]); the same result.
pub(crate) fn collect_stream<S: ForkSink, T>(
    file: &str,
    input: impl std::io::Read,
    sink: S,
    parallel: super::Parallel,
    empty: T,
    done: impl FnOnce(S) -> T,
) -> Collected<T> {
    collect_with(file, sink, empty, done, |errors, sink| {
        let (loaded, notices) = if parallel.threads > 1 {
            csv_rows::read_stream_parallel(file, input, errors, sink, parallel)
        } else {
            csv_rows::read_stream(file, input, errors, sink)
        };
        if loaded == Loaded::NoTable && errors.is_empty() {
            errors.push(DataError::new(file, 0, None, DataErrorKind::Empty));
        }
        (loaded, notices)
    })
}

fn collect_with<S: RowSink, T>(
    file: &str,
    mut sink: S,
    empty: T,
    done: impl FnOnce(S) -> T,
    read: impl FnOnce(&mut Vec<DataError>, &mut S) -> (Loaded, Vec<DataNotice>),
) -> Collected<T> {
    let mut errors = Vec::new();
    let (loaded, mut notices) = read(&mut errors, &mut sink);
    let value = match loaded {
        Loaded::NoTable => empty,
        Loaded::NoRows => {
            return Collected {
                value: empty,
                errors: Vec::new(),
                notices,
            }
        }
        Loaded::Rows => {
            notices.extend(sink.take_notices());
            done(sink)
        }
    };
    notices.sort_by_key(|n| n.line);
    Collected {
        value,
        errors: finish(file, errors),
        notices,
    }
}

/// Reads any data file and feeds it to `sink`. Delimited text is streamed
/// (never held as a table); JSON is parsed whole first; spreadsheets are
/// read row by row.
pub(crate) fn read_rows<S: RowSink>(
    file: &str,
    bytes: &[u8],
    layout: &Layout,
    errors: &mut Vec<DataError>,
    sink: &mut S,
) -> (Loaded, Vec<DataNotice>) {
    read_rows_with(file, bytes, layout, errors, sink, |text, errors, sink| {
        csv_rows::read(file, text, errors, sink)
    })
}

/// [`read_rows`], with delimited text (decoded) read by `delimited`.
fn read_rows_with<S: RowSink>(
    file: &str,
    bytes: &[u8],
    layout: &Layout,
    errors: &mut Vec<DataError>,
    sink: &mut S,
    delimited: impl FnOnce(&str, &mut Vec<DataError>, &mut S) -> (Loaded, Vec<DataNotice>),
) -> (Loaded, Vec<DataNotice>) {
    let mut notices = Vec::new();
    let loaded = match detect_format(file, bytes) {
        Format::Sheet => {
            #[cfg(feature = "spreadsheets")]
            {
                let (loaded, n) =
                    super::sheet::read(file, bytes, layout.sheet.as_deref(), errors, sink);
                notices = n;
                loaded
            }
            #[cfg(not(feature = "spreadsheets"))]
            {
                errors.push(DataError::new(file, 0, None, DataErrorKind::SheetsNotBuilt));
                Loaded::NoTable
            }
        }
        Format::HtmlTable => {
            errors.push(DataError::new(file, 0, None, DataErrorKind::HtmlTable));
            Loaded::NoTable
        }
        format => match decode(file, bytes, layout.encoding) {
            Err(e) => {
                errors.push(*e);
                Loaded::NoTable
            }
            Ok(decoded) => {
                if decoded.guessed {
                    notices.push(DataNotice {
                        file: file.to_string(),
                        sheet: None,
                        line: 0,
                        kind: NoticeKind::Encoding {
                            name: decoded.encoding.name().to_string(),
                        },
                    });
                }
                if format == Format::Json {
                    read_json(file, &decoded.text, errors, sink)
                } else {
                    let (loaded, n) = delimited(&decoded.text, errors, sink);
                    notices.extend(n);
                    loaded
                }
            }
        },
    };
    if loaded == Loaded::NoTable && errors.is_empty() {
        errors.push(DataError::new(file, 0, None, DataErrorKind::Empty));
    }
    (loaded, notices)
}

fn read_json(
    file: &str,
    text: &str,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> Loaded {
    match json::load(file, text, errors) {
        None => Loaded::NoTable,
        Some(table) if table.rows.is_empty() && errors.is_empty() => Loaded::NoRows,
        Some(table) => {
            sink.header(1, &table.headers, errors);
            for row in &table.rows {
                let before = errors.len();
                sink.row(RowRef::Json(row), errors);
                if let Some(n) = row.element {
                    for e in errors.iter_mut().skip(before) {
                        e.element = Some(n);
                    }
                }
            }
            Loaded::Rows
        }
    }
}

/// Whether `header` (trimmed, unit removed) names key column `key`.
pub(crate) fn names_key(header: &str, key: Key, extra: &KeyNames) -> bool {
    key.tiers(extra)
        .iter()
        .flatten()
        .any(|n| header_is(header, n))
}

/// Whether `header` is `name`, exactly after trimming (ASCII case aside),
/// with or without a unit in brackets.
fn header_is(header: &str, name: &str) -> bool {
    let (base, _) = split_unit(header);
    let name = name.trim();
    name.eq_ignore_ascii_case(header.trim()) || name.eq_ignore_ascii_case(base)
}

/// The headers naming key column `key`: with kpi's own names, every
/// matching header (two are an error); else, with the export words, the
/// headers of the first word, in order of preference, that is present.
fn key_hits(headers: &[String], key: Key, extra: &KeyNames) -> Option<Vec<usize>> {
    let hits_of = |names: &[&str]| -> Vec<usize> {
        headers
            .iter()
            .enumerate()
            .filter(|(_, h)| names.iter().any(|n| header_is(h, n)))
            .map(|(i, _)| i)
            .collect()
    };
    let [own, export] = key.tiers(extra);
    Some(hits_of(&own))
        .filter(|h| !h.is_empty())
        .or_else(|| export.iter().map(|n| hits_of(&[n])).find(|h| !h.is_empty()))
}

/// The column of each key (employee, period, team) among `headers`.
pub(crate) fn key_column(headers: &[String], key: Key, extra: &KeyNames) -> Option<usize> {
    key_hits(headers, key, extra).and_then(|h| h.first().copied())
}

/// Which column holds what (indexes into the headers).
#[derive(Debug, Default, Clone)]
pub(crate) struct Columns {
    pub employee: Option<usize>,
    pub period: Option<usize>,
    pub team: Option<usize>,
    /// One per field spec.
    pub fields: Vec<Option<usize>>,
    /// The unit in each field's header, if any (one per field spec).
    pub units: Vec<Option<HeaderUnit>>,
}

/// Matches headers to the key columns in `keys` and to the fields (by id,
/// label or alias, exact after trimming, with or without a unit in
/// brackets). Unmatched headers are ignored. Reports, on the header's
/// `line`: a missing required key column (`required`), a field without
/// column or default (with the nearest header), two columns for the same
/// thing, a header unit that does not fit its input.
#[allow(clippy::too_many_arguments)]
pub(crate) fn match_columns(
    file: &str,
    line: usize,
    headers: &[String],
    fields: &[FieldSpec],
    keys: &[Key],
    required: &[Key],
    extra: &KeyNames,
    errors: &mut Vec<DataError>,
) -> Columns {
    let mut cols = Columns {
        fields: vec![None; fields.len()],
        units: vec![None; fields.len()],
        ..Columns::default()
    };
    // Key columns: the best-ranked name present wins, so an export with
    // both `employee` and `旺旺昵称` uses `employee`.
    let mut taken = vec![false; headers.len()];
    for &key in keys {
        let found = key_hits(headers, key, extra);
        let Some(hits) = found else {
            continue;
        };
        if let [first, second, ..] = hits.as_slice() {
            let second_name = header(headers, *second);
            errors.push(DataError::cell(
                file,
                line,
                *second,
                second_name,
                DataErrorKind::DuplicateColumn {
                    first: header(headers, *first).to_string(),
                    second: second_name.to_string(),
                    target: key.name().to_string(),
                },
            ));
        }
        for &h in &hits {
            if let Some(t) = taken.get_mut(h) {
                *t = true;
            }
        }
        let slot = match key {
            Key::Employee => &mut cols.employee,
            Key::Period => &mut cols.period,
            Key::Team => &mut cols.team,
        };
        *slot = hits.first().copied();
    }
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() || taken.get(i) == Some(&true) {
            continue;
        }
        let (base, unit) = split_unit(h);
        let names = |f: &FieldSpec| {
            std::iter::once(f.id.as_str())
                .chain(f.label.as_deref())
                .chain(f.aliases.iter().map(String::as_str))
                .map(str::trim)
                .any(|n| n == h || n == base)
        };
        // the first field with this name, its column and its header unit
        let found = fields
            .iter()
            .zip(cols.fields.iter_mut().zip(cols.units.iter_mut()))
            .find(|(f, _)| names(f));
        let Some((field, (col, col_unit))) = found else {
            continue;
        };
        match *col {
            Some(first) => errors.push(DataError::cell(
                file,
                line,
                i,
                h,
                DataErrorKind::DuplicateColumn {
                    first: header(headers, first).to_string(),
                    second: h.to_string(),
                    target: field.id.clone(),
                },
            )),
            None => {
                *col = Some(i);
                if let Some(u) = unit {
                    if !u.fits(&field.ty) {
                        errors.push(DataError::cell(
                            file,
                            line,
                            i,
                            h,
                            DataErrorKind::HeaderUnit {
                                header: h.to_string(),
                                unit: u.text().to_string(),
                                id: field.id.clone(),
                                ty: field.ty.to_string(),
                            },
                        ));
                    }
                    *col_unit = Some(u);
                }
            }
        }
    }
    for &key in required {
        let present = match key {
            Key::Employee => cols.employee,
            Key::Period => cols.period,
            Key::Team => cols.team,
        };
        if present.is_none() {
            errors.push(DataError::new(
                file,
                line,
                None,
                DataErrorKind::MissingColumn {
                    name: key.name(),
                    aliases: key.aliases_text(),
                },
            ));
        }
    }
    let unmatched: Vec<&str> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            !h.trim().is_empty() && taken.get(*i) != Some(&true) && !cols.fields.contains(&Some(*i))
        })
        .map(|(_, h)| h.as_str())
        .collect();
    for (f, col) in fields.iter().zip(&cols.fields) {
        if col.is_none() && f.default.is_none() {
            let wanted = f.label.as_deref().unwrap_or(&f.id);
            let suggestion = suggest(wanted, unmatched.iter().copied())
                .or_else(|| suggest(&f.id, unmatched.iter().copied()));
            errors.push(DataError::new(
                file,
                line,
                None,
                DataErrorKind::MissingInput {
                    id: f.id.clone(),
                    label: f.label.clone(),
                    suggestion,
                },
            ));
        }
    }
    cols
}

/// The header in `headers` nearest to `wanted`: by edit distance on the
/// name without its unit, close enough to be a likely misspelling, or one
/// containing the other (`平均响应时间` / `平均响应(秒)`).
fn suggest<'a>(wanted: &str, headers: impl Iterator<Item = &'a str> + Clone) -> Option<String> {
    let wanted = split_unit(wanted).0;
    let contains = headers.clone().find(|h| {
        let base = split_unit(h).0;
        !base.is_empty() && (wanted.contains(base) || base.contains(wanted))
    });
    contains
        .map(str::to_string)
        .or_else(|| crate::check::suggest(wanted, headers))
}

/// Converts the field cells of one row; reports each bad or missing cell.
/// Text where a number belongs (`延迟统计`) takes the input's default, if it
/// has one, with a notice (§5.3). The cells go to `cells` (cleared first,
/// so that one buffer serves every row); `false` when any cell failed (or a
/// field has neither column nor default, which `match_columns` already
/// reported).
#[allow(clippy::too_many_arguments)]
pub(crate) fn row_cells(
    file: &str,
    headers: &[String],
    row: RowRef<'_>,
    cols: &Columns,
    fields: &[FieldSpec],
    opts: &ReadOptions,
    errors: &mut Vec<DataError>,
    notices: &mut Vec<DataNotice>,
    cells: &mut Vec<Cell>,
) -> bool {
    cells.clear();
    let mut ok = true;
    for ((f, col), unit) in fields.iter().zip(&cols.fields).zip(&cols.units) {
        let Some(c) = *col else {
            match &f.default {
                Some(d) => cells.push(d.clone()),
                None => ok = false,
            }
            continue;
        };
        let text = row.text(c);
        if let (Ok(Some(t)), None) = (&text, unit) {
            // a plain number, in range: the common case, kept lean
            if let Some(cell) = quick_cell(t, f, opts) {
                cells.push(cell);
                continue;
            }
        }
        let parsed = text.and_then(|t| match t {
            None => Ok(None),
            Some(t) => match unit {
                Some(u) => parse_cell(&u.apply(t), f, opts),
                None => parse_cell(t, f, opts),
            },
        });
        match parsed {
            Ok(Some(cell)) => cells.push(cell),
            Ok(None) => match &f.default {
                Some(d) => cells.push(d.clone()),
                None => {
                    ok = false;
                    errors.push(DataError::cell(
                        file,
                        row.line(),
                        c,
                        header(headers, c),
                        DataErrorKind::MissingValue { id: f.id.clone() },
                    ));
                }
            },
            Err(CellError::NotANumber { raw }) if f.default.is_some() && !has_digit(&raw) => {
                if let Some(d) = &f.default {
                    cells.push(d.clone());
                }
                notices.push(DataNotice {
                    file: file.to_string(),
                    sheet: None,
                    line: row.line(),
                    kind: NoticeKind::DefaultForText {
                        id: f.id.clone(),
                        column: header(headers, c).to_string(),
                        col: c,
                        raw,
                    },
                });
            }
            Err(e) => {
                ok = false;
                errors.push(DataError::cell(
                    file,
                    row.line(),
                    c,
                    header(headers, c),
                    e.into(),
                ));
            }
        }
    }
    ok
}

/// Text with a digit (`1O`, `12.5.3`) is a mistyped number, never a note.
fn has_digit(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
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
        Ok(Some(t)) => match parse_period_cell(&normalize(t)) {
            Some(p) => return Some(p),
            None => DataErrorKind::BadPeriod {
                raw: super::error::quoted(t),
            },
        },
        Err(e) => e.into(),
    };
    errors.push(DataError::cell(
        file,
        row.line(),
        col,
        header(headers, col),
        kind,
    ));
    None
}

/// A month as exports write it in a period column: `2026-10`, a date in
/// that month (`2026-10-01`, `2026/10/31`), `2026/10`, `2026.10`,
/// `2026年10月`, `202610`.
pub(crate) fn parse_period_cell(s: &str) -> Option<Period> {
    if let Some(p) = Period::parse(s) {
        return Some(p);
    }
    let s = s.trim().trim_end_matches('月');
    let digits: Vec<&str> = s
        .split(['-', '/', '.', '年', ' ', 'T'])
        .filter(|p| !p.is_empty())
        .collect();
    let (year, month) = match digits.as_slice() {
        [ym] if ym.len() == 6 => (ym.get(..4)?, ym.get(4..)?),
        [y, m] | [y, m, _] if y.len() == 4 && (1..=2).contains(&m.len()) => (*y, *m),
        // a date with a time (`2026-10-01 00:00:00`)
        [y, m, _, _] if y.len() == 4 && (1..=2).contains(&m.len()) => (*y, *m),
        _ => return None,
    };
    let month: u8 = month.parse().ok()?;
    Period::parse(&format!("{year}-{month:02}"))
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
        errors.push(DataError::cell(
            file,
            row.line(),
            col,
            header(headers, col),
            e.into(),
        ));
    })
}

/// The header of column `col`, for messages. Columns are found among the
/// headers, so there is always one; a row's cells past the last header
/// have none (empty).
pub(crate) fn header(headers: &[String], col: usize) -> &str {
    headers.get(col).map_or("", String::as_str)
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
