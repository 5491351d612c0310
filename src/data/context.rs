//! Reading per-period context values and checking them against records.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use super::error::{DataError, DataErrorKind};
use super::table::{finish, load, match_columns, row_cells, row_period, PERIOD};
use super::{detect_format, Cell, FieldSpec, Format, ReadOptions, Record};
use crate::types::Period;

/// Reads the context file: one row per period, one column per context
/// input. Every problem is reported, ordered by line.
pub fn read_context(
    file_name: &str,
    text: &str,
    fields: &[FieldSpec],
    opts: &ReadOptions,
) -> Result<BTreeMap<Period, Vec<Cell>>, Vec<DataError>> {
    let mut errors = Vec::new();
    let format = detect_format(file_name, text);
    let Some(table) = load(file_name, text, format, &mut errors) else {
        return Err(finish(file_name, errors));
    };
    if format == Format::Json && table.rows.is_empty() && errors.is_empty() {
        return Ok(BTreeMap::new());
    }
    let cols = match_columns(file_name, &table.headers, fields, &[PERIOD], &mut errors);
    let mut first_line: BTreeMap<Period, usize> = BTreeMap::new();
    let mut context = BTreeMap::new();
    for row in &table.rows {
        let period = cols
            .period
            .and_then(|c| row_period(file_name, &table, row, c, &mut errors));
        let cells = row_cells(file_name, &table, row, &cols, fields, opts, &mut errors);
        let Some(period) = period else {
            continue;
        };
        match first_line.entry(period) {
            Entry::Occupied(first) => errors.push(DataError::new(
                file_name,
                row.line,
                None,
                DataErrorKind::DuplicatePeriod {
                    period: period.to_string(),
                    first_line: *first.get(),
                },
            )),
            Entry::Vacant(slot) => {
                slot.insert(row.line);
                if let Some(cells) = cells {
                    context.insert(period, cells);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(context)
    } else {
        Err(finish(file_name, errors))
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
