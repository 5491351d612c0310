//! Reading per-employee metric records.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::error::{DataError, DataErrorKind};
use super::table::{
    finish, match_columns, read_rows, row_cells, row_period, row_text, Columns, Loaded, RowRef,
    RowSink, EMPLOYEE, PERIOD, TEAM,
};
use super::{detect_format, FieldSpec, ReadOptions, Record};
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
    let mut sink = Records {
        file: file_name,
        fields,
        opts,
        headers: Vec::new(),
        cols: Columns::default(),
        employees: FastMap::default(),
        first_line: FastMap::default(),
        records: Vec::new(),
    };
    match read_rows(file_name, text, format, &mut errors, &mut sink) {
        Loaded::NoTable => return Err(finish(file_name, errors)),
        Loaded::NoRows => return Ok(Vec::new()),
        Loaded::Rows => {}
    }
    if errors.is_empty() {
        Ok(sink.records)
    } else {
        Err(finish(file_name, errors))
    }
}

/// Turns rows into records as they arrive.
struct Records<'a> {
    file: &'a str,
    fields: &'a [FieldSpec],
    opts: &'a ReadOptions,
    headers: Vec<String>,
    cols: Columns,
    /// Each distinct employee id, numbered in order of first appearance, so
    /// that duplicate detection copies an id once per employee, not per row.
    employees: FastMap<String, usize>,
    /// (employee number, period) → line of the first row with that key.
    first_line: FastMap<(usize, Period), usize>,
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
        let next = self.employees.len();
        let number = match self.employees.get(employee) {
            Some(&n) => n,
            None => {
                self.employees.insert(employee.to_string(), next);
                next
            }
        };
        if let Some(&first) = self.first_line.get(&(number, period)) {
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
        self.first_line.insert((number, period), row.line());
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

/// A `HashMap` with a fast, deterministic hasher. The keys come from the
/// user's own data file, so the DoS resistance of the default (randomly
/// keyed SipHash) buys nothing here, and it costs a good part of the time.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// FxHash-style word mixing (as in rustc), with a final avalanche so that
/// the low and high bits the table uses both depend on every input bit.
#[derive(Default)]
struct FastHasher {
    hash: u64,
}

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    /// The 64-bit finaliser of MurmurHash3.
    fn finish(&self) -> u64 {
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}
