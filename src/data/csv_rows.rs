//! Streaming delimited text (comma, tab or semicolon): records are read
//! one at a time into a single reused buffer and handed on straight away,
//! so a large file never exists as a table of strings.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::error::{DataError, DataErrorKind, DataNotice};
use super::layout::sniff_delimiter;
use super::rows::RowStream;
use super::table::{Loaded, RowSink};

/// Reads `text` (already decoded, BOM removed) into `sink` through a
/// [`RowStream`]: the header is found below any title rows, totals rows
/// are skipped, rows of the wrong shape are reported.
pub(crate) fn read(
    file: &str,
    text: &str,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> (Loaded, Vec<DataNotice>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    let mut record = csv::StringRecord::new();
    let mut stream = RowStream::new(file, sink);
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
        let line = lines.line(record.position());
        stream.push(line, &record, errors);
    }
    stream.finish(errors)
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
        let chunk = b.get(self.pos..i).unwrap_or_default();
        self.line += chunk.iter().filter(|&&c| c == b'\n').count();
        if chunk.contains(&b'\r') {
            // lone `\r`s (a `\r\n` is counted at its `\n`)
            let tail = b.get(self.pos..).unwrap_or_default();
            self.line += chunk
                .iter()
                .enumerate()
                .filter(|&(k, &c)| c == b'\r' && tail.get(k + 1) != Some(&b'\n'))
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
