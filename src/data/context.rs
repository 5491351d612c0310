//! Reading per-period context values and checking them against records.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use super::error::{DataError, DataErrorKind, DataNotice};
use super::layout::{split_unit, Key};
use super::table::{
    collect_all, finish, match_columns, names_key, row_cells, row_period, Columns, RowRef, RowSink,
};
use super::{Cell, FieldSpec, Layout, ReadOptions, Record};
use crate::types::Period;

/// Context values per period, one per context input.
pub type ContextCells = BTreeMap<Period, Vec<Cell>>;

/// Reads the context file (any format): one row per period, one column per
/// context input; a file without a period column holds one row for
/// `layout.period`. Every problem is reported, ordered by line.
pub fn read_context_file(
    file_name: &str,
    bytes: &[u8],
    fields: &[FieldSpec],
    opts: &ReadOptions,
    layout: &Layout,
) -> (Result<ContextCells, Vec<DataError>>, Vec<DataNotice>) {
    let sink = Context {
        file: file_name,
        fields,
        opts,
        layout,
        headers: Vec::new(),
        cols: Columns::default(),
        notices: Vec::new(),
        first_line: BTreeMap::new(),
        context: BTreeMap::new(),
    };
    let c = collect_all(file_name, bytes, layout, sink, BTreeMap::new(), |s| {
        s.context
    });
    let result = if c.errors.is_empty() {
        Ok(c.value)
    } else {
        Err(c.errors)
    };
    (result, c.notices)
}

/// Reads a context file from text (CSV or JSON).
pub fn read_context(
    file_name: &str,
    text: &str,
    fields: &[FieldSpec],
    opts: &ReadOptions,
) -> Result<ContextCells, Vec<DataError>> {
    read_context_file(file_name, text.as_bytes(), fields, opts, &Layout::default()).0
}

/// Collects the context rows as they arrive.
struct Context<'a> {
    file: &'a str,
    fields: &'a [FieldSpec],
    opts: &'a ReadOptions,
    layout: &'a Layout,
    headers: Vec<String>,
    cols: Columns,
    /// Defaults used for text cells.
    notices: Vec<DataNotice>,
    /// Line of the first row of each period.
    first_line: BTreeMap<Period, usize>,
    context: BTreeMap<Period, Vec<Cell>>,
}

impl RowSink for Context<'_> {
    fn is_header(&self, fields: &[&str]) -> bool {
        fields.iter().any(|f| {
            let (base, _) = split_unit(f);
            names_key(f, Key::Period, &self.layout.keys)
                || self.fields.iter().any(|s| {
                    s.id == base
                        || s.label.as_deref() == Some(base)
                        || s.aliases.iter().any(|a| a == f || a == base)
                })
        })
    }

    fn take_notices(&mut self) -> Vec<DataNotice> {
        std::mem::take(&mut self.notices)
    }

    fn header(&mut self, line: usize, headers: &[String], errors: &mut Vec<DataError>) {
        self.headers = headers.to_vec();
        let required: &[Key] = if self.layout.period.is_some() {
            &[]
        } else {
            &[Key::Period]
        };
        self.cols = match_columns(
            self.file,
            line,
            headers,
            self.fields,
            &[Key::Period],
            required,
            &self.layout.keys,
            errors,
        );
    }

    fn row(&mut self, row: RowRef<'_>, errors: &mut Vec<DataError>) {
        let (file, headers) = (self.file, self.headers.as_slice());
        let period = match self.cols.period {
            Some(c) => row_period(file, headers, row, c, errors),
            None => self.layout.period,
        };
        let mut cells = Vec::with_capacity(self.fields.len());
        let good = row_cells(
            file,
            headers,
            row,
            &self.cols,
            self.fields,
            self.opts,
            errors,
            &mut self.notices,
            &mut cells,
        );
        let cells = good.then_some(cells);
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
