//! Reading per-employee metric records.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::error::{DataError, DataErrorKind, DataNotice};
use super::first_rows::FirstLines;
use super::layout::Key;
use super::table::{
    collect_all, collect_stream, match_columns, names_key, row_cells, row_period, row_text,
    Columns, RowRef, RowSink,
};
use super::{FieldSpec, Layout, ReadOptions, Record};

/// What reading records gave. When `errors` is not empty, `records` holds
/// the good rows only: use them for further checks (a period missing from
/// the context), never for results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordsRead {
    pub records: Vec<Record>,
    pub errors: Vec<DataError>,
    pub notices: Vec<DataNotice>,
}

/// Reads a records file of any format (delimited text in any encoding,
/// JSON, spreadsheets). Every problem is reported, ordered by line.
pub fn read_records_file(
    file_name: &str,
    bytes: &[u8],
    fields: &[FieldSpec],
    opts: &ReadOptions,
    layout: &Layout,
) -> RecordsRead {
    let c = collect_all(
        file_name,
        bytes,
        layout,
        sink(file_name, fields, opts, layout, None),
        Vec::new(),
        |s| s.records,
    );
    RecordsRead {
        records: c.value,
        errors: c.errors,
        notices: c.notices,
    }
}

/// Where [`stream_records_file`] hands records on, and how many at a time.
pub struct ChunkSink<'a> {
    pub rows: usize,
    pub deliver: &'a mut dyn FnMut(Vec<Record>),
}

/// Like [`read_records_file`], but the good records are handed on in
/// chunks of `chunk.rows`, in file order, as they are read, instead of
/// being kept: a large file is never held as records. `records` in the
/// result is empty; errors and notices are as [`read_records_file`]'s.
pub fn stream_records_file(
    file_name: &str,
    bytes: &[u8],
    fields: &[FieldSpec],
    opts: &ReadOptions,
    layout: &Layout,
    chunk: ChunkSink<'_>,
) -> RecordsRead {
    let c = collect_all(
        file_name,
        bytes,
        layout,
        sink(file_name, fields, opts, layout, Some(chunk)),
        (),
        |mut s| s.flush(),
    );
    RecordsRead {
        records: Vec::new(),
        errors: c.errors,
        notices: c.notices,
    }
}

/// Reads records from text (CSV or JSON). Every problem is reported,
/// ordered by line; no records are returned if there is any.
pub fn read_records(
    file_name: &str,
    text: &str,
    fields: &[FieldSpec],
    opts: &ReadOptions,
) -> Result<Vec<Record>, Vec<DataError>> {
    let (records, errors) = read_records_partial(file_name, text, fields, opts);
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

/// Like [`read_records`], but returns the records of the good rows along
/// with every error, so that later checks (a period missing from the
/// context) can still report on them. Never use these records for results
/// when there are errors.
pub fn read_records_partial(
    file_name: &str,
    text: &str,
    fields: &[FieldSpec],
    opts: &ReadOptions,
) -> (Vec<Record>, Vec<DataError>) {
    let read = read_records_file(file_name, text.as_bytes(), fields, opts, &Layout::default());
    (read.records, read.errors)
}

/// [`stream_records_file`] for a delimited UTF-8 file too large to hold
/// in memory, read from `input` a block at a time (see [`DataInput`]).
pub fn stream_records_reader(
    file_name: &str,
    input: impl std::io::Read,
    fields: &[FieldSpec],
    opts: &ReadOptions,
    layout: &Layout,
    chunk: ChunkSink<'_>,
) -> RecordsRead {
    let c = collect_stream(
        file_name,
        input,
        sink(file_name, fields, opts, layout, Some(chunk)),
        (),
        |mut s| s.flush(),
    );
    RecordsRead {
        records: Vec::new(),
        errors: c.errors,
        notices: c.notices,
    }
}

/// A records file for [`super::stream_batch`]: its bytes, or (for a large
/// delimited UTF-8 file) a reader that gives them a block at a time.
pub enum DataInput<'a> {
    Bytes(&'a [u8]),
    Reader(Box<dyn std::io::Read + 'a>),
}

fn sink<'a, 'c>(
    file_name: &'a str,
    fields: &'a [FieldSpec],
    opts: &'a ReadOptions,
    layout: &'a Layout,
    chunk: Option<ChunkSink<'c>>,
) -> Records<'a, 'c> {
    Records {
        file: file_name,
        fields,
        opts,
        layout,
        headers: Vec::new(),
        cols: Columns::default(),
        notices: Vec::new(),
        first_lines: FirstLines::default(),
        records: Vec::new(),
        chunk,
    }
}

/// Turns rows into records as they arrive.
struct Records<'a, 'c> {
    file: &'a str,
    fields: &'a [FieldSpec],
    opts: &'a ReadOptions,
    layout: &'a Layout,
    headers: Vec<String>,
    cols: Columns,
    /// Defaults used for text cells.
    notices: Vec<DataNotice>,
    /// The line of the first row of each (employee, period).
    first_lines: FirstLines,
    records: Vec<Record>,
    /// Where full chunks of records go (streaming), if anywhere.
    chunk: Option<ChunkSink<'c>>,
}

impl Records<'_, '_> {
    /// Hands the records kept so far on to the chunk sink, if there is one.
    fn flush(&mut self) {
        if let Some(chunk) = self.chunk.as_mut() {
            if !self.records.is_empty() {
                (chunk.deliver)(std::mem::take(&mut self.records));
            }
        }
    }
}

impl RowSink for Records<'_, '_> {
    fn is_header(&self, fields: &[&str]) -> bool {
        fields
            .iter()
            .any(|f| names_key(f, Key::Employee, &self.layout.keys))
    }

    fn take_notices(&mut self) -> Vec<DataNotice> {
        std::mem::take(&mut self.notices)
    }

    fn header(&mut self, line: usize, headers: &[String], errors: &mut Vec<DataError>) {
        self.headers = headers.to_vec();
        // a file without a period column is one month: `--period`
        let required: &[Key] = if self.layout.period.is_some() {
            &[Key::Employee]
        } else {
            &[Key::Employee, Key::Period]
        };
        self.cols = match_columns(
            self.file,
            line,
            headers,
            self.fields,
            &[Key::Employee, Key::Period, Key::Team],
            required,
            &self.layout.keys,
            errors,
        );
    }

    fn row(&mut self, row: RowRef<'_>, errors: &mut Vec<DataError>) {
        let (file, headers) = (self.file, self.headers.as_slice());
        let mut ok = true;
        let employee = match self.cols.employee {
            Some(c) => match row_text(file, headers, row, c, errors) {
                Ok(Some(e)) => Some(e),
                Ok(None) => {
                    errors.push(DataError::cell(
                        file,
                        row.line(),
                        c,
                        super::table::header(headers, c),
                        DataErrorKind::EmptyEmployee,
                    ));
                    None
                }
                Err(()) => None,
            },
            None => None,
        };
        let period = match self.cols.period {
            Some(c) => row_period(file, headers, row, c, errors),
            None => self.layout.period,
        };
        let team = match self.cols.team {
            Some(c) => row_text(file, headers, row, c, errors).unwrap_or_else(|()| {
                ok = false;
                None
            }),
            None => None,
        };
        let cells = row_cells(
            file,
            headers,
            row,
            &self.cols,
            self.fields,
            self.opts,
            errors,
            &mut self.notices,
        );
        let (Some(employee), Some(period)) = (employee, period) else {
            return;
        };
        if let Some(first) = self.first_lines.first(employee, period, row.line()) {
            errors.push(DataError::new(
                file,
                row.line(),
                None,
                DataErrorKind::DuplicateRow {
                    employee: employee.to_string(),
                    period: period.to_string(),
                    first_line: first,
                },
            ));
            return;
        }
        if let (true, Some(cells)) = (ok, cells) {
            self.records.push(Record {
                employee: employee.to_string(),
                period,
                team: team.map(str::to_string),
                line: row.line(),
                cells,
            });
            if self
                .chunk
                .as_ref()
                .is_some_and(|c| self.records.len() >= c.rows)
            {
                self.flush();
            }
        }
    }
}
