//! Streaming CSV: records are read one at a time into a single reused
//! buffer and handed to a [`RowSink`] straight away, so a large file never
//! exists as a table of strings.

use super::cells::trim;
use super::error::{DataError, DataErrorKind};
use super::table::{Loaded, RowRef, RowSink};

/// Reads `text` as CSV: the first non-blank record is the header, every
/// later non-blank record a row. Rows with too few fields, or with filled
/// fields beyond the header, are reported here and not passed on.
pub(crate) fn read(
    file: &str,
    text: &str,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> Loaded {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    let mut record = csv::StringRecord::new();
    // number of header fields, once the header has been read
    let mut width: Option<usize> = None;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                errors.push(DataError::new(
                    file,
                    lines.line(e.position()),
                    None,
                    DataErrorKind::Syntax {
                        format: "CSV",
                        message: e.to_string(),
                    },
                ));
                continue;
            }
        }
        if record.iter().all(|f| trim(f).is_empty()) {
            // blank lines and the `,,,,` rows spreadsheets leave behind
            continue;
        }
        let line = lines.line(record.position());
        let Some(n) = width else {
            let headers: Vec<String> = record.iter().map(|f| trim(f).to_string()).collect();
            width = Some(headers.len());
            sink.header(&headers, errors);
            continue;
        };
        let extra_filled = record.iter().skip(n).any(|f| !trim(f).is_empty());
        if record.len() < n || extra_filled {
            errors.push(DataError::new(
                file,
                line,
                None,
                DataErrorKind::FieldCount {
                    found: record.len(),
                    expected: n,
                },
            ));
            continue;
        }
        sink.row(
            RowRef::Csv {
                line,
                record: &record,
            },
            errors,
        );
    }
    if width.is_some() {
        Loaded::Rows
    } else {
        Loaded::NoTable
    }
}

/// Line numbers from byte offsets. The `csv` crate's own line count is off
/// for `\r\n` and `\r` line ends, so lines are counted here: a line ends at
/// `\n`, `\r\n` or a lone `\r`.
///
/// Records arrive in file order, so the count is kept incrementally: each
/// query only scans the bytes since the previous one (linear overall).
struct Lines<'a> {
    bytes: &'a [u8],
    /// Every line terminator before `pos` has been counted...
    pos: usize,
    /// ... and `line` is the 1-based line of byte `pos`.
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The line of the record the `csv` crate places at `pos`: its byte
    /// offset may sit on the terminator of the line before, so skip those.
    /// 0 when there is no position.
    fn line(&mut self, pos: Option<&csv::Position>) -> usize {
        let Some(start) = pos.and_then(|p| usize::try_from(p.byte()).ok()) else {
            return 0;
        };
        let b = self.bytes;
        let mut i = start.min(b.len());
        while matches!(b.get(i), Some(b'\r' | b'\n')) {
            i += 1;
        }
        if i < self.pos {
            // never for records in order; count again from the start
            self.pos = 0;
            self.line = 1;
        }
        let chunk = &b[self.pos..i];
        self.line += chunk.iter().filter(|&&c| c == b'\n').count();
        if chunk.contains(&b'\r') {
            // lone `\r`s (a `\r\n` is counted at its `\n`)
            self.line += (self.pos..i)
                .filter(|&at| b[at] == b'\r' && b.get(at + 1) != Some(&b'\n'))
                .count();
        }
        self.pos = i;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of line end counts; the blank line 5 has no record.
    #[test]
    fn lines_count_every_line_end() {
        let text = "a\nb\r\nc\rd\n\ne";
        let mut lines = Lines::new(text);
        for (byte, line) in [(0, 1), (2, 2), (5, 3), (7, 4), (10, 6)] {
            assert_eq!(lines.line(Some(&position(byte))), line, "byte {byte}");
        }
        // going back recounts from the start
        assert_eq!(lines.line(Some(&position(2))), 2);
        // a position on a terminator belongs to the line after it
        let mut lines = Lines::new(text);
        assert_eq!(lines.line(Some(&position(3))), 3);
        assert_eq!(lines.line(Some(&position(8))), 6);
        assert_eq!(lines.line(None), 0);
    }

    fn position(byte: u64) -> csv::Position {
        let mut p = csv::Position::new();
        p.set_byte(byte);
        p
    }
}
