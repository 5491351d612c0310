//! The header and first rows of a data file as text, for `kpi init`: the
//! same readers and layout rules as records (encodings, title rows, totals
//! rows, sheets), without any policy.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::error::{DataError, DataNotice};
use super::layout::Key;
use super::table::{collect_all, names_key, RowRef, RowSink};
use super::Layout;

/// What [`sample_file`] read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sample {
    pub headers: Vec<String>,
    /// Up to the requested number of rows, one text per header.
    pub rows: Vec<Vec<String>>,
    pub notices: Vec<DataNotice>,
}

/// Reads the header (the first row naming an employee column, else the
/// first row) and up to `max_rows` rows of a data file.
pub fn sample_file(
    file_name: &str,
    bytes: &[u8],
    layout: &Layout,
    max_rows: usize,
) -> Result<Sample, Vec<DataError>> {
    let sink = Sampler {
        layout,
        max_rows,
        sample: Sample::default(),
    };
    let c = collect_all(file_name, bytes, layout, sink, Sample::default(), |s| {
        s.sample
    });
    if c.errors.is_empty() {
        Ok(Sample {
            notices: c.notices,
            ..c.value
        })
    } else {
        Err(c.errors)
    }
}

struct Sampler<'a> {
    layout: &'a Layout,
    max_rows: usize,
    sample: Sample,
}

impl RowSink for Sampler<'_> {
    fn is_header(&self, fields: &[&str]) -> bool {
        fields
            .iter()
            .any(|f| names_key(f, Key::Employee, &self.layout.keys))
    }

    fn header(&mut self, _line: usize, headers: &[String], _errors: &mut Vec<DataError>) {
        self.sample.headers = headers.to_vec();
    }

    fn row(&mut self, row: RowRef<'_>, _errors: &mut Vec<DataError>) {
        if self.sample.rows.len() >= self.max_rows {
            return;
        }
        let cells = (0..self.sample.headers.len())
            .map(|c| {
                row.text(c)
                    .ok()
                    .flatten()
                    .map(str::to_string)
                    .unwrap_or_default()
            })
            .collect();
        self.sample.rows.push(cells);
    }
}
