//! The rows of a delimited file or a worksheet, on their way to a
//! [`RowSink`]: the header is the first row that names the key columns
//! (title and note rows above it are skipped), totals rows are skipped with
//! a notice, and rows of the wrong shape are reported here.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::cells::trim;
use super::error::{DataError, DataErrorKind, DataNotice, NoticeKind};
use super::layout::is_totals;
use super::table::{Fields, Loaded, RowRef, RowSink, Split};

/// Rows looked at for a header before the first row is taken as the header.
const MAX_ROWS_ABOVE_HEADER: usize = 20;

/// Feeds records, in file order, to a sink.
pub(crate) struct RowStream<'a, S: RowSink> {
    file: &'a str,
    sink: &'a mut S,
    /// Rows seen before the header was found.
    above: Vec<(usize, csv::StringRecord)>,
    /// Number of header fields, once the header has been read.
    width: Option<usize>,
    /// Rows shorter than the header are padded with empty cells (a
    /// worksheet row ends at its last filled cell) instead of reported.
    pad: bool,
    pub(crate) notices: Vec<DataNotice>,
}

impl<'a, S: RowSink> RowStream<'a, S> {
    pub(crate) fn new(file: &'a str, sink: &'a mut S) -> RowStream<'a, S> {
        RowStream {
            file,
            sink,
            above: Vec::new(),
            width: None,
            pad: false,
            notices: Vec::new(),
        }
    }

    /// A stream for rows below a header of `width` fields that was already
    /// read (by another stream over the same file): a part of the file
    /// read on its own, in parallel with the rest.
    pub(crate) fn after_header(file: &'a str, sink: &'a mut S, width: usize) -> RowStream<'a, S> {
        RowStream {
            width: Some(width),
            ..RowStream::new(file, sink)
        }
    }

    /// The number of header fields, once the header has been read.
    pub(crate) fn width(&self) -> Option<usize> {
        self.width
    }

    /// The sink the rows go to.
    pub(crate) fn sink(&mut self) -> &mut S {
        self.sink
    }

    /// Pads short rows instead of reporting them (worksheets).
    #[cfg(feature = "spreadsheets")]
    pub(crate) fn pad_short_rows(&mut self) {
        self.pad = true;
    }

    /// The next record of the file, on `line`.
    pub(crate) fn push(
        &mut self,
        line: usize,
        record: &csv::StringRecord,
        errors: &mut Vec<DataError>,
    ) {
        if record.iter().all(|f| trim(f).is_empty()) {
            // blank lines and the `,,,,` rows spreadsheets leave behind
            return;
        }
        if self.width.is_some() {
            self.row(line, record, errors);
            return;
        }
        let fields: Vec<&str> = record.iter().map(trim).collect();
        if self.sink.is_header(&fields) {
            if !self.above.is_empty() {
                self.notices.push(DataNotice {
                    file: self.file.to_string(),
                    sheet: None,
                    line,
                    kind: NoticeKind::AboveHeader {
                        count: self.above.len(),
                    },
                });
                self.above.clear();
            }
            self.header(line, record, errors);
            return;
        }
        self.above.push((line, record.clone()));
        if self.above.len() > MAX_ROWS_ABOVE_HEADER {
            self.first_row_is_header(errors);
        }
    }

    /// Ends the file: what the sink saw.
    pub(crate) fn finish(mut self, errors: &mut Vec<DataError>) -> (Loaded, Vec<DataNotice>) {
        if self.width.is_none() && !self.above.is_empty() {
            self.first_row_is_header(errors);
        }
        let loaded = if self.width.is_some() {
            Loaded::Rows
        } else {
            Loaded::NoTable
        };
        (loaded, self.notices)
    }

    /// No row names the key columns: the first row is the header (the sink
    /// reports what it lacks), the rest are rows.
    fn first_row_is_header(&mut self, errors: &mut Vec<DataError>) {
        let above = std::mem::take(&mut self.above);
        let mut rows = above.into_iter();
        if let Some((line, header)) = rows.next() {
            self.header(line, &header, errors);
        }
        for (line, record) in rows {
            self.row(line, &record, errors);
        }
    }

    fn header(&mut self, line: usize, record: &csv::StringRecord, errors: &mut Vec<DataError>) {
        let headers: Vec<String> = record.iter().map(|f| trim(f).to_string()).collect();
        self.width = Some(headers.len());
        self.sink.header(line, &headers, errors);
    }

    /// A line of plain fields below the header (read without the `csv`
    /// crate: see [`Split`]), as [`RowStream::push`] takes a record.
    pub(crate) fn push_split(
        &mut self,
        line: usize,
        fields: Split<'_>,
        errors: &mut Vec<DataError>,
    ) {
        if self.width.is_none() {
            let record: csv::StringRecord = (0..fields.count())
                .filter_map(|i| fields.field(i))
                .collect();
            return self.push(line, &record, errors);
        }
        if self.checked(line, fields, errors) {
            self.sink.row(RowRef::Line { line, fields }, errors);
        }
    }

    /// Whether a row below the header goes to the sink: not blank, not a
    /// totals row (noticed), with as many fields as the header (else
    /// reported; a worksheet's shorter rows pass, to be padded).
    fn checked<'r>(
        &mut self,
        line: usize,
        fields: impl Fields<'r>,
        errors: &mut Vec<DataError>,
    ) -> bool {
        let n = self.width.unwrap_or(0);
        let count = fields.count();
        let mut filled = (0..count)
            .filter_map(|i| fields.field(i))
            .map(trim)
            .filter(|f| !f.is_empty());
        let Some(first) = filled.next() else {
            // blank lines and the `,,,,` rows spreadsheets leave behind
            return false;
        };
        if is_totals(first) {
            self.notices.push(DataNotice {
                file: self.file.to_string(),
                sheet: None,
                line,
                kind: NoticeKind::TotalsRow {
                    label: first.to_string(),
                },
            });
            return false;
        }
        if self.pad && count < n {
            return true;
        }
        let extra_filled = (n..count).any(|i| fields.field(i).is_some_and(|f| !trim(f).is_empty()));
        if count < n || extra_filled {
            errors.push(DataError::new(
                self.file,
                line,
                None,
                DataErrorKind::FieldCount {
                    found: count,
                    expected: n,
                },
            ));
            return false;
        }
        true
    }

    fn row(&mut self, line: usize, record: &csv::StringRecord, errors: &mut Vec<DataError>) {
        let n = self.width.unwrap_or(0);
        if !self.checked(line, record, errors) {
            return;
        }
        if self.pad && record.len() < n {
            let mut padded = record.clone();
            while padded.len() < n {
                padded.push_field("");
            }
            self.sink.row(
                RowRef::Csv {
                    line,
                    record: &padded,
                },
                errors,
            );
            return;
        }
        self.sink.row(RowRef::Csv { line, record }, errors);
    }
}
