//! Reading per-period context values and checking them against records.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use super::error::{DataError, DataErrorKind};
use super::table::{
    collect, finish, match_columns, row_cells, row_period, Columns, RowRef, RowSink, PERIOD,
};
use super::{Cell, FieldSpec, ReadOptions, Record};
use crate::types::Period;

/// Reads the context file: one row per period, one column per context
/// input. Every problem is reported, ordered by line.
pub fn read_context(
    file_name: &str,
    text: &str,
    fields: &[FieldSpec],
    opts: &ReadOptions,
) -> Result<BTreeMap<Period, Vec<Cell>>, Vec<DataError>> {
    let sink = Context {
        file: file_name,
        fields,
        opts,
        headers: Vec::new(),
        cols: Columns::default(),
        first_line: BTreeMap::new(),
        context: BTreeMap::new(),
    };
    collect(file_name, text, sink, BTreeMap::new(), |s| s.context)
}

/// Collects the context rows as they arrive.
struct Context<'a> {
    file: &'a str,
    fields: &'a [FieldSpec],
    opts: &'a ReadOptions,
    headers: Vec<String>,
    cols: Columns,
    /// Line of the first row of each period.
    first_line: BTreeMap<Period, usize>,
    context: BTreeMap<Period, Vec<Cell>>,
}

impl RowSink for Context<'_> {
    fn header(&mut self, headers: &[String], errors: &mut Vec<DataError>) {
        self.headers = headers.to_vec();
        self.cols = match_columns(self.file, headers, self.fields, &[PERIOD], errors);
    }

    fn row(&mut self, row: RowRef<'_>, errors: &mut Vec<DataError>) {
        let (file, headers) = (self.file, self.headers.as_slice());
        let period = self
            .cols
            .period
            .and_then(|c| row_period(file, headers, row, c, errors));
        let cells = row_cells(
            file,
            headers,
            row,
            &self.cols,
            self.fields,
            self.opts,
            errors,
        );
        let Some(period) = period else {
            return;
        };
        match self.first_line.entry(period) {
            Entry::Occupied(first) => errors.push(DataError::new(
                file,
                row.line(),
                None,
                DataErrorKind::DuplicatePeriod {
                    period: period.to_string(),
                    first_line: *first.get(),
                },
            )),
            Entry::Vacant(slot) => {
                slot.insert(row.line());
                if let Some(cells) = cells {
                    self.context.insert(period, cells);
                }
            }
        }
    }
}

/// One error for each period that records use but the context lacks, on the
/// line of the first record of that period in `file_name` (the records file).
pub fn check_context_periods(
    file_name: &str,
    records: &[Record],
    context: &BTreeMap<Period, Vec<Cell>>,
    context_file: &str,
) -> Vec<DataError> {
    let mut missing: BTreeMap<Period, usize> = BTreeMap::new();
    for r in records {
        if !context.contains_key(&r.period) {
            let line = missing.entry(r.period).or_insert(r.line);
            *line = (*line).min(r.line);
        }
    }
    let errors = missing
        .into_iter()
        .map(|(period, line)| {
            DataError::new(
                file_name,
                line,
                Some("period"),
                DataErrorKind::MissingPeriod {
                    period: period.to_string(),
                    context_file: context_file.to_string(),
                },
            )
        })
        .collect();
    finish(file_name, errors)
}
