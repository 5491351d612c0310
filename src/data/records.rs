//! Reading per-employee metric records.

use std::collections::HashMap;

use super::error::{DataError, DataErrorKind};
use super::table::{
    finish, load, match_columns, row_cells, row_period, row_text, EMPLOYEE, PERIOD, TEAM,
};
use super::{detect_format, FieldSpec, Format, ReadOptions, Record};
use crate::types::Period;

/// Reads records (CSV or JSON, see [`detect_format`]). Every problem is
/// reported, ordered by line; no records are returned if there is any.
pub fn read_records(
    file_name: &str,
    text: &str,
    fields: &[FieldSpec],
    opts: &ReadOptions,
) -> Result<Vec<Record>, Vec<DataError>> {
    let mut errors = Vec::new();
    let format = detect_format(file_name, text);
    let Some(table) = load(file_name, text, format, &mut errors) else {
        return Err(finish(file_name, errors));
    };
    if format == Format::Json && table.rows.is_empty() && errors.is_empty() {
        // `[]`: no rows, so no columns to check
        return Ok(Vec::new());
    }
    let cols = match_columns(
        file_name,
        &table.headers,
        fields,
        &[EMPLOYEE, PERIOD, TEAM],
        &mut errors,
    );
    let mut first_line: HashMap<(String, Period), usize> = HashMap::new();
    let mut records = Vec::new();
    for row in &table.rows {
        let mut ok = true;
        let employee = match cols.employee {
            Some(c) => match row_text(file_name, &table, row, c, &mut errors) {
                Ok(Some(e)) => Some(e),
                Ok(None) => {
                    errors.push(DataError::new(
                        file_name,
                        row.line,
                        Some(&table.headers[c]),
                        DataErrorKind::EmptyEmployee,
                    ));
                    None
                }
                Err(()) => None,
            },
            None => None,
        };
        let period = cols
            .period
            .and_then(|c| row_period(file_name, &table, row, c, &mut errors));
        let team = match cols.team {
            Some(c) => row_text(file_name, &table, row, c, &mut errors).unwrap_or_else(|()| {
                ok = false;
                None
            }),
            None => None,
        };
        let cells = row_cells(file_name, &table, row, &cols, fields, opts, &mut errors);
        let (Some(employee), Some(period)) = (employee, period) else {
            continue;
        };
        match first_line.get(&(employee.clone(), period)) {
            Some(&first) => {
                errors.push(DataError::new(
                    file_name,
                    row.line,
                    None,
                    DataErrorKind::DuplicateRow {
                        employee,
                        period: period.to_string(),
                        first_line: first,
                    },
                ));
                continue;
            }
            None => {
                first_line.insert((employee.clone(), period), row.line);
            }
        }
        if let (true, Some(cells)) = (ok, cells) {
            records.push(Record {
                employee,
                period,
                team,
                line: row.line,
                cells,
            });
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(finish(file_name, errors))
    }
}
