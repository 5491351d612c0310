//! Reading per-employee metric records.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::error::{DataError, DataErrorKind, DataNotice};
use super::first_rows::FirstLines;
use super::layout::Key;
use super::table::{
    collect_all, collect_all_parallel, collect_stream, match_columns, names_key, row_cells,
    row_period, row_text, Columns, ForkSink, RowRef, RowSink,
};
use super::{Cell, FieldSpec, Ids, Layout, ReadOptions, Record};
use crate::packed::Inputs;
use crate::types::Period;

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

/// Where [`stream_records_file`] hands records on, and how many at a time
/// (at most `rows`, or one part when read in parallel).
pub struct ChunkSink<'a> {
    pub rows: usize,
    /// How delimited text is read in parallel (the chunks still come in
    /// file order).
    pub parallel: Parallel,
    pub deliver: &'a mut dyn FnMut(Vec<Record>),
}

/// How the rows of a large delimited text are read in parallel: by up to
/// `threads` threads, in parts of about `part_bytes` bytes, when there
/// are more than four parts' worth below the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallel {
    pub threads: usize,
    pub part_bytes: usize,
}

impl Parallel {
    /// Parts of 512 KiB (several thousand rows) on up to `threads`
    /// threads.
    pub fn threads(threads: usize) -> Parallel {
        Parallel {
            threads,
            part_bytes: 512 << 10,
        }
    }
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
    let parallel = chunk.parallel;
    let c = collect_all_parallel(
        file_name,
        bytes,
        layout,
        sink(file_name, fields, opts, layout, Some(chunk)),
        parallel,
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
/// in memory, read from `input` a block at a time (see [`DataInput`]), in
/// parallel parts when `chunk.parallel` has more than one thread.
pub fn stream_records_reader(
    file_name: &str,
    input: impl std::io::Read,
    fields: &[FieldSpec],
    opts: &ReadOptions,
    layout: &Layout,
    chunk: ChunkSink<'_>,
) -> RecordsRead {
    let parallel = chunk.parallel;
    let sink = sink(file_name, fields, opts, layout, Some(chunk));
    let c = collect_stream(file_name, input, sink, parallel, (), |mut s| s.flush());
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
    Reader {
        reader: Box<dyn std::io::Read + 'a>,
        /// Whether its rows are read in parallel parts (on as many threads
        /// as the batch's rows are) or on one thread.
        in_parts: bool,
    },
}

fn sink<'a, 'c>(
    file_name: &'a str,
    fields: &'a [FieldSpec],
    opts: &'a ReadOptions,
    layout: &'a Layout,
    chunk: Option<ChunkSink<'c>>,
) -> Records<'a, 'c> {
    Records {
        rows: RowReader {
            file: file_name,
            fields,
            opts,
            layout,
            headers: Vec::new(),
            cols: Columns::default(),
            cells: Vec::new(),
        },
        notices: Vec::new(),
        first_lines: FirstLines::default(),
        records: Vec::new(),
        chunk,
    }
}

/// What turns a row into a record: the file, its header and columns,
/// and the policy's inputs.
#[derive(Clone)]
struct RowReader<'a> {
    file: &'a str,
    fields: &'a [FieldSpec],
    opts: &'a ReadOptions,
    layout: &'a Layout,
    headers: Vec<String>,
    cols: Columns,
    /// A row's cells on their way to being packed (one buffer for all).
    cells: Vec<Cell>,
}

/// A row read: its employee and period, when both are good (for the
/// duplicate check), and its record when every cell is good.
struct RowRead<'r> {
    employee: &'r str,
    period: Period,
    record: Option<Record>,
}

impl RowReader<'_> {
    /// Reads a row, reporting every bad cell; `None` when its employee or
    /// period is bad.
    fn read<'r>(
        &mut self,
        row: RowRef<'r>,
        errors: &mut Vec<DataError>,
        notices: &mut Vec<DataNotice>,
    ) -> Option<RowRead<'r>> {
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
        let good = row_cells(
            file,
            headers,
            row,
            &self.cols,
            self.fields,
            self.opts,
            errors,
            notices,
            &mut self.cells,
        );
        let (Some(employee), Some(period)) = (employee, period) else {
            return None;
        };
        let record = (ok && good).then(|| Record {
            ids: Ids::new(employee, team),
            period,
            line: row.line(),
            inputs: Inputs::from_cells(self.cells.drain(..)),
        });
        Some(RowRead {
            employee,
            period,
            record,
        })
    }
}

/// Turns rows into records as they arrive.
struct Records<'a, 'c> {
    rows: RowReader<'a>,
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
                let next = Vec::with_capacity(chunk.rows.min(self.records.len()));
                (chunk.deliver)(std::mem::replace(&mut self.records, next));
            }
        }
    }

    /// Whether this is the first row of `employee` in `period`; a row
    /// that repeats one seen before is an error.
    fn first(
        &mut self,
        employee: &str,
        period: Period,
        line: usize,
        errors: &mut Vec<DataError>,
    ) -> bool {
        let Some(first) = self.first_lines.first(employee, period, line) else {
            return true;
        };
        errors.push(DataError::new(
            self.rows.file,
            line,
            None,
            DataErrorKind::DuplicateRow {
                employee: employee.to_string(),
                period: period.to_string(),
                first_line: first,
            },
        ));
        false
    }

    /// Keeps a record, handing full chunks on.
    fn push(&mut self, record: Record) {
        self.records.push(record);
        if self
            .chunk
            .as_ref()
            .is_some_and(|c| self.records.len() >= c.rows)
        {
            self.flush();
        }
    }
}

impl RowSink for Records<'_, '_> {
    fn is_header(&self, fields: &[&str]) -> bool {
        fields
            .iter()
            .any(|f| names_key(f, Key::Employee, &self.rows.layout.keys))
    }

    fn take_notices(&mut self) -> Vec<DataNotice> {
        std::mem::take(&mut self.notices)
    }

    fn header(&mut self, line: usize, headers: &[String], errors: &mut Vec<DataError>) {
        let rows = &mut self.rows;
        rows.headers = headers.to_vec();
        // a file without a period column is one month: `--period`
        let required: &[Key] = if rows.layout.period.is_some() {
            &[Key::Employee]
        } else {
            &[Key::Employee, Key::Period]
        };
        rows.cols = match_columns(
            rows.file,
            line,
            headers,
            rows.fields,
            &[Key::Employee, Key::Period, Key::Team],
            required,
            &rows.layout.keys,
            errors,
        );
    }

    fn row(&mut self, row: RowRef<'_>, errors: &mut Vec<DataError>) {
        let Some(read) = self.rows.read(row, errors, &mut self.notices) else {
            return;
        };
        if self.first(read.employee, read.period, row.line(), errors) {
            if let Some(record) = read.record {
                self.push(record);
            }
        }
    }
}

/// Rows of a part of a file read on another thread: records and the
/// (employee, period) of bad rows, checked for duplicates when joined.
struct RecordsPart<'a> {
    rows: RowReader<'a>,
    notices: Vec<DataNotice>,
    records: Vec<Record>,
    /// (employee, period, line) of the rows with a bad cell.
    bad: Vec<(String, Period, usize)>,
}

impl RowSink for RecordsPart<'_> {
    fn is_header(&self, _: &[&str]) -> bool {
        false
    }

    fn header(&mut self, _: usize, _: &[String], _: &mut Vec<DataError>) {}

    fn row(&mut self, row: RowRef<'_>, errors: &mut Vec<DataError>) {
        let Some(read) = self.rows.read(row, errors, &mut self.notices) else {
            return;
        };
        match read.record {
            Some(record) => self.records.push(record),
            None => self
                .bad
                .push((read.employee.to_string(), read.period, row.line())),
        }
    }
}

impl<'a> ForkSink for Records<'a, '_> {
    type Part = RecordsPart<'a>;

    fn fork(&self) -> RecordsPart<'a> {
        RecordsPart {
            rows: self.rows.clone(),
            notices: Vec::new(),
            records: Vec::new(),
            bad: Vec::new(),
        }
    }

    fn join(&mut self, mut part: RecordsPart<'a>, errors: &mut Vec<DataError>) {
        self.notices.append(&mut part.notices);
        // good and bad rows in line order, as `row` would have seen them
        let mut bad = part.bad.into_iter().peekable();
        let mut records = part.records;
        records.retain(|record| {
            while let Some((employee, period, line)) =
                bad.next_if(|(_, _, line)| *line < record.line)
            {
                self.first(&employee, period, line, errors);
            }
            self.first(record.employee(), record.period, record.line, errors)
        });
        for (employee, period, line) in bad {
            self.first(&employee, period, line, errors);
        }
        let rows = self.chunk.as_ref().map_or(usize::MAX, |c| c.rows);
        if self.records.is_empty() && records.len() >= rows / 2 {
            // a part about a chunk long is handed on as it is
            self.records = records;
            self.flush();
        } else {
            for record in records {
                self.push(record);
            }
        }
    }
}
