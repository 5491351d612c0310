//! Streaming delimited text (comma, tab or semicolon): records are read
//! one at a time into a single reused buffer and handed on straight away,
//! so a large file never exists as a table of strings.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::error::{DataError, DataErrorKind, DataNotice};
use super::layout::sniff_delimiter;
use super::rows::RowStream;
use super::table::{Loaded, RowSink};
use std::io::Read as _;

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
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    read_records(file, reader, |p| lines.line(p), errors, sink)
}

/// The first bytes of a streamed file, looked at for its BOM and its
/// delimiter.
const PREFIX_BYTES: usize = 64 * 1024;

/// Like [`read`], for UTF-8 text too large to hold: `input` is read a
/// block at a time and only the bytes around the current record are kept
/// (for line numbers). Rows, errors and notices are as [`read`] gives for
/// the same text; bytes that are not UTF-8 are an error on their line.
pub(crate) fn read_stream(
    file: &str,
    mut input: impl std::io::Read,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> (Loaded, Vec<DataNotice>) {
    let mut prefix = Vec::with_capacity(PREFIX_BYTES);
    if let Err(e) = (&mut input)
        .take(PREFIX_BYTES as u64)
        .read_to_end(&mut prefix)
    {
        errors.push(DataError::new(
            file,
            0,
            None,
            DataErrorKind::Syntax {
                format: "CSV",
                message: e.to_string(),
            },
        ));
        return (Loaded::NoTable, Vec::new());
    }
    let bom = if prefix.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let head = prefix.get(bom..).unwrap_or_default();
    // (a character cut at the end of the prefix is not an error)
    let valid = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => {
            std::str::from_utf8(head.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or("")
        }
    };
    let delimiter = sniff_delimiter(valid);
    let window = std::rc::Rc::new(std::cell::RefCell::new(Window::default()));
    let tap = Tap {
        inner: std::io::Cursor::new(head.to_vec()).chain(input),
        window: window.clone(),
    };
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(tap);
    let mut lines = StreamLines { window, line: 1 };
    read_records(file, reader, |p| lines.line(p), errors, sink)
}

/// The records of `reader` into `sink`, each on the line `line_of` gives
/// for its position.
fn read_records<R: std::io::Read>(
    file: &str,
    mut reader: csv::Reader<R>,
    mut line_of: impl FnMut(Option<&csv::Position>) -> usize,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> (Loaded, Vec<DataNotice>) {
    let mut record = csv::StringRecord::new();
    let mut stream = RowStream::new(file, sink);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                errors.push(DataError::new(
                    file,
                    line_of(e.position()),
                    None,
                    DataErrorKind::Syntax {
                        format: "CSV",
                        message: e.to_string(),
                    },
                ));
                continue;
            }
        }
        let line = line_of(record.position());
        stream.push(line, &record, errors);
    }
    stream.finish(errors)
}

/// The bytes read from a streamed file that have not been counted into
/// line numbers yet, from absolute offset `base`.
#[derive(Default)]
struct Window {
    base: u64,
    bytes: Vec<u8>,
    /// `bytes[..start]` are counted (dropped in blocks, not one by one).
    start: usize,
}

/// A reader that keeps what it reads in a [`Window`].
struct Tap<R> {
    inner: R,
    window: std::rc::Rc<std::cell::RefCell<Window>>,
}

impl<R: std::io::Read> std::io::Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.window
            .borrow_mut()
            .bytes
            .extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// [`Lines`] over a [`Window`]: records arrive in order, and the reader
/// has always read past the start of the record it hands out.
struct StreamLines {
    window: std::rc::Rc<std::cell::RefCell<Window>>,
    /// The line of the window's first uncounted byte.
    line: usize,
}

impl StreamLines {
    fn line(&mut self, pos: Option<&csv::Position>) -> usize {
        let Some(at) = pos.map(csv::Position::byte) else {
            return 0;
        };
        let mut w = self.window.borrow_mut();
        let w = &mut *w;
        let Some(mut i) = at.checked_sub(w.base).and_then(|i| usize::try_from(i).ok()) else {
            // (never: positions only grow)
            return self.line;
        };
        i = i.min(w.bytes.len());
        while matches!(w.bytes.get(i), Some(b'\r' | b'\n')) {
            i += 1;
        }
        if i > w.start {
            let chunk = w.bytes.get(w.start..i).unwrap_or_default();
            self.line += chunk.iter().filter(|&&c| c == b'\n').count();
            if chunk.contains(&b'\r') {
                let tail = w.bytes.get(w.start..).unwrap_or_default();
                self.line += chunk
                    .iter()
                    .enumerate()
                    .filter(|&(k, &c)| c == b'\r' && tail.get(k + 1) != Some(&b'\n'))
                    .count();
            }
            w.start = i;
        }
        if w.start >= 1 << 20 {
            w.bytes.drain(..w.start);
            w.base += w.start as u64;
            w.start = 0;
        }
        self.line
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
