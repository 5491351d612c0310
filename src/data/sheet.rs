//! Spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) read with
//! calamine, row by row into the same [`RowStream`] as delimited text.
//!
//! Cells become the text a person sees, exactly: a number is the shortest
//! decimal that round-trips the stored double (`0.1`, never
//! `0.1000000000000000055`), a percent-formatted number (xlsx) is that
//! decimal times 100 with `%`, a date is its month (`2026-10`), an error
//! cell is its code (`#DIV/0!`). Errors name the sheet and the cell (`B7`).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, DataRef, Reader, Sheets, Xlsx};
use rust_decimal::Decimal;

use super::error::{DataError, DataErrorKind, DataNotice};
use super::rows::RowStream;
use super::table::{Loaded, RowSink};

/// Reads sheet `wanted` (else the first sheet with data) of the workbook
/// in `bytes` into `sink`.
pub(crate) fn read(
    file: &str,
    bytes: &[u8],
    wanted: Option<&str>,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> (Loaded, Vec<DataNotice>) {
    let first_error = errors.len();
    let result = if bytes.starts_with(b"PK\x03\x04") && !is_ods(bytes) {
        read_xlsx(file, bytes, wanted, errors, sink)
    } else {
        read_other(file, bytes, wanted, errors, sink)
    };
    let (loaded, mut notices, sheet) = match result {
        Ok(r) => r,
        Err(kind) => {
            errors.push(DataError::new(file, 0, None, kind));
            return (Loaded::NoTable, Vec::new());
        }
    };
    // the sink's own notices (defaults for text cells) are the sheet's too
    notices.extend(sink.take_notices());
    for e in errors.iter_mut().skip(first_error) {
        e.sheet = Some(sheet.clone());
    }
    for n in &mut notices {
        n.sheet = Some(sheet.clone());
    }
    (loaded, notices)
}

type SheetResult = Result<(Loaded, Vec<DataNotice>, String), DataErrorKind>;

/// An OpenDocument file is a zip too; its first entry is `mimetype`.
fn is_ods(bytes: &[u8]) -> bool {
    bytes
        .get(30..120)
        .is_some_and(|b| b.windows(11).any(|w| w == b"opendocumen"))
}

fn bad(e: impl std::fmt::Display) -> DataErrorKind {
    DataErrorKind::BadWorkbook {
        message: e.to_string(),
    }
}

/// The sheet to read: `wanted` if it exists, else every sheet in order
/// (the caller takes the first with data).
fn candidates(names: Vec<String>, wanted: Option<&str>) -> Result<Vec<String>, DataErrorKind> {
    match wanted {
        None => Ok(names),
        Some(w) => match names.iter().find(|n| n.trim() == w.trim()) {
            Some(n) => Ok(vec![n.clone()]),
            None => Err(DataErrorKind::NoSuchSheet {
                name: w.to_string(),
                sheets: names,
            }),
        },
    }
}

/// `.xlsx`/`.xlsm`: streamed cell by cell, with each cell's number format
/// (to tell percents).
fn read_xlsx(
    file: &str,
    bytes: &[u8],
    wanted: Option<&str>,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> SheetResult {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(bad)?;
    let names = candidates(book.sheet_names(), wanted)?;
    let Some(last) = names.last().cloned() else {
        return Err(bad("the workbook has no sheets"));
    };
    for name in &names {
        let mut cells = book.worksheet_cells_reader(name).map_err(bad)?;
        let percent: Vec<bool> = cells
            .styles()
            .iter()
            .map(|s| {
                s.number_format
                    .as_ref()
                    .is_some_and(|f| is_percent_format(&f.format_code))
            })
            .collect();
        let mut rows = Rows::new(file, sink);
        loop {
            match cells.next_cell_with_style_id() {
                Ok(Some((cell, style))) => {
                    let (row, col) = cell.get_position();
                    let pct = percent.get(style).copied().unwrap_or(false);
                    rows.cell(row, col, text_ref(cell.get_value(), pct), errors);
                }
                Ok(None) => break,
                Err(e) => return Err(bad(e)),
            }
        }
        if rows.any || name == &last || wanted.is_some() {
            let (loaded, notices) = rows.finish(errors);
            return Ok((loaded, notices, name.clone()));
        }
    }
    Err(bad("the workbook has no sheets"))
}

/// `.xls`, `.xlsb`, `.ods`: read a sheet at a time. These readers give no
/// number formats: percents come as fractions (`--percent-fractions`).
fn read_other(
    file: &str,
    bytes: &[u8],
    wanted: Option<&str>,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> SheetResult {
    let mut book: Sheets<_> = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let names = candidates(book.sheet_names(), wanted)?;
    let Some(last) = names.last().cloned() else {
        return Err(bad("the workbook has no sheets"));
    };
    for name in &names {
        let range = book.worksheet_range(name).map_err(bad)?;
        if range.is_empty() && name != &last && wanted.is_none() {
            continue;
        }
        let mut rows = Rows::new(file, sink);
        for (row, col, value) in range.used_cells() {
            let (row, col) = (
                u32::try_from(row).unwrap_or(u32::MAX),
                u32::try_from(col).unwrap_or(u32::MAX),
            );
            let start = range.start().unwrap_or((0, 0));
            rows.cell(row + start.0, col + start.1, text(value), errors);
        }
        let (loaded, notices) = rows.finish(errors);
        return Ok((loaded, notices, name.clone()));
    }
    Err(bad("the workbook has no sheets"))
}

/// Assembles cells (in row order) into rows for the stream; a row's line
/// is its number in the sheet (1-based).
struct Rows<'a, S: RowSink> {
    stream: RowStream<'a, S>,
    row: Option<u32>,
    fields: Vec<String>,
    record: csv::StringRecord,
    /// A cell with a value was seen.
    any: bool,
}

impl<'a, S: RowSink> Rows<'a, S> {
    fn new(file: &'a str, sink: &'a mut S) -> Rows<'a, S> {
        let mut stream = RowStream::new(file, sink);
        stream.pad_short_rows();
        Rows {
            stream,
            row: None,
            fields: Vec::new(),
            record: csv::StringRecord::new(),
            any: false,
        }
    }

    fn cell(&mut self, row: u32, col: u32, text: String, errors: &mut Vec<DataError>) {
        if self.row != Some(row) {
            self.flush(errors);
            self.row = Some(row);
        }
        if text.is_empty() {
            return;
        }
        self.any = true;
        let col = usize::try_from(col).unwrap_or(usize::MAX);
        if col >= self.fields.len() {
            // bounded by the sheet's 16 384 columns
            self.fields
                .resize(col.saturating_add(1).min(1 << 14), String::new());
        }
        if let Some(f) = self.fields.get_mut(col) {
            *f = text;
        }
    }

    fn flush(&mut self, errors: &mut Vec<DataError>) {
        let Some(row) = self.row.take() else {
            return;
        };
        self.record.clear();
        for f in self.fields.drain(..) {
            self.record.push_field(&f);
        }
        let line = usize::try_from(row).unwrap_or(usize::MAX).saturating_add(1);
        self.stream.push(line, &self.record, errors);
    }

    fn finish(mut self, errors: &mut Vec<DataError>) -> (Loaded, Vec<DataNotice>) {
        self.flush(errors);
        self.stream.finish(errors)
    }
}

/// Whether an Excel number format shows a percent: a `%` outside quotes
/// and escapes (`0.00%`, `0%`; not `0.00"%"`).
fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

fn text_ref(v: &DataRef<'_>, percent: bool) -> String {
    match v {
        DataRef::Int(i) => number_text(&i.to_string(), percent),
        DataRef::Float(f) => float_text(*f, percent),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => {
            let (y, m, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}")
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

fn text(v: &Data) -> String {
    match v {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f, false),
        Data::String(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let (y, m, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}")
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// The shortest decimal that round-trips `f` (Rust prints floats that
/// way, without exponent), as a percent when the cell shows one.
fn float_text(f: f64, percent: bool) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    number_text(&format!("{f}"), percent)
}

/// `0.4567` shown as a percent is `45.67%`: times 100, exactly.
fn number_text(plain: &str, percent: bool) -> String {
    if !percent {
        return plain.to_string();
    }
    match Decimal::from_str_exact(plain)
        .ok()
        .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
    {
        Some(p) => format!("{}%", p.normalize()),
        // too many digits for a decimal: the cell parser says so
        None => format!("{plain}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_their_shortest_decimal() {
        assert_eq!(float_text(0.1, false), "0.1");
        assert_eq!(float_text(0.1 + 0.2, false), "0.30000000000000004");
        assert_eq!(float_text(1826.0, false), "1826");
        assert_eq!(float_text(0.9676, true), "96.76%");
        // the XML's `0.008699999999999999` is the double nearest 0.0087
        let stored: f64 = "0.008699999999999999".parse().unwrap();
        assert_eq!(float_text(stored, true), "0.87%");
        assert_eq!(float_text(1e-7, false), "0.0000001");
    }

    #[test]
    fn percent_formats() {
        for code in ["0%", "0.00%", "0.0%;[Red]-0.0%", "#,##0.0\\ %"] {
            assert!(is_percent_format(code), "{code}");
        }
        for code in ["General", "0.00", "0.00\"%\"", "¥#,##0.00", "\\%0"] {
            assert!(!is_percent_format(code), "{code}");
        }
    }
}
