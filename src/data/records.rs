//! Reading per-employee metric records.

use super::error::{DataError, DataErrorKind};
use super::seen::FirstLines;
use super::table::{
    collect, collect_all, match_columns, row_cells, row_period, row_text, Columns, RowRef, RowSink,
    EMPLOYEE, PERIOD, TEAM,
};
use super::{FieldSpec, ReadOptions, Record};

/// Reads records (CSV or JSON, see [`detect_format`]). Every problem is
/// reported, ordered by line; no records are returned if there is any.
pub fn read_records(
    file_name: &str,
    text: &str,
    fields: &[FieldSpec],
    opts: &ReadOptions,
) -> Result<Vec<Record>, Vec<DataError>> {
    collect(
        file_name,
        text,
        sink(file_name, fields, opts),
        Vec::new(),
        |s| s.records,
    )
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
    collect_all(
        file_name,
        text,
        sink(file_name, fields, opts),
        Vec::new(),
        |s| s.records,
    )
}

fn sink<'a>(file_name: &'a str, fields: &'a [FieldSpec], opts: &'a ReadOptions) -> Records<'a> {
    Records {
        file: file_name,
        fields,
        opts,
        headers: Vec::new(),
        cols: Columns::default(),
        first_lines: FirstLines::default(),
        records: Vec::new(),
    }
}

/// Turns rows into records as they arrive.
struct Records<'a> {
    file: &'a str,
    fields: &'a [FieldSpec],
    opts: &'a ReadOptions,
    headers: Vec<String>,
    cols: Columns,
    /// The line of the first row of each (employee, period).
    first_lines: FirstLines,
    records: Vec<Record>,
}

impl RowSink for Records<'_> {
    fn header(&mut self, headers: &[String], errors: &mut Vec<DataError>) {
        self.headers = headers.to_vec();
        self.cols = match_columns(
            self.file,
            headers,
            self.fields,
            &[EMPLOYEE, PERIOD, TEAM],
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
                    errors.push(DataError::new(
                        file,
                        row.line(),
                        Some(&headers[c]),
                        DataErrorKind::EmptyEmployee,
                    ));
                    None
                }
                Err(()) => None,
            },
            None => None,
        };
        let period = self
            .cols
            .period
            .and_then(|c| row_period(file, headers, row, c, errors));
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
        }
    }
}
