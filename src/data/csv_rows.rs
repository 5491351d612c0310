//! Streaming delimited text (comma, tab or semicolon): records are read
//! one at a time into a single reused buffer and handed on straight away,
//! so a large file never exists as a table of strings.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::error::{DataError, DataErrorKind, DataNotice};
use super::layout::sniff_delimiter;
use super::rows::RowStream;
use super::table::{ForkSink, Loaded, RowSink, Split};
use super::Parallel;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read as _;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::{Arc, Mutex};

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
    let reader = reader_of(sniff_delimiter(text), text.as_bytes());
    let mut lines = Lines::new(text.as_bytes());
    read_records(file, reader, |p| lines.line(p), errors, sink)
}

/// The reader of delimited text, every record as it is (the header is
/// found by [`RowStream`], rows may have any number of fields).
fn reader_of<R: std::io::Read>(delimiter: u8, input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(input)
}

/// Below the header, text of more than this many parts is read in
/// parallel.
const PARALLEL_MIN_PARTS: usize = 4;

/// Parts read or being read and not yet joined, per thread.
const PARTS_AHEAD_PER_THREAD: usize = 3;

/// [`read`], with the rows below the header read in parts by up to
/// `parallel.threads` threads: the text is cut at records' ends (found by the
/// `csv` crate's own state machine where there are quotes), each part is
/// read into a fork of `sink` with its true line numbers, and the parts
/// are joined in file order. Rows, errors and notices are [`read`]'s.
pub(crate) fn read_parallel<S: ForkSink>(
    file: &str,
    text: &str,
    errors: &mut Vec<DataError>,
    sink: &mut S,
    parallel: Parallel,
) -> (Loaded, Vec<DataNotice>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = sniff_delimiter(text);
    let bytes = text.as_bytes();
    let mut lines = Lines::new(bytes);
    let mut rows = CsvRows::new(reader_of(delimiter, bytes), |p| lines.line(p));
    let mut stream = RowStream::new(file, sink);
    // the rows down to the header, in order
    let width = loop {
        if let Some(width) = stream.width() {
            break width;
        }
        if !rows.next_into(file, errors, &mut stream) {
            return stream.finish(errors);
        }
    };
    let start = usize::try_from(rows.reader.position().byte()).unwrap_or(bytes.len());
    let Parallel {
        threads,
        part_bytes,
    } = parallel;
    let part_bytes = part_bytes.max(1);
    let below = bytes.len().saturating_sub(start);
    if threads < 2 || below / part_bytes < PARALLEL_MIN_PARTS {
        // the rest in order, by the same reader
        while rows.next_into(file, errors, &mut stream) {}
        return stream.finish(errors);
    }
    let parts = Parts {
        file,
        delimiter,
        width,
    };
    let cuts = Cuts::new(bytes, start, delimiter, part_bytes)
        .map(|(range, line)| (Cow::Borrowed(bytes.get(range).unwrap_or_default()), line));
    parts.read(cuts, threads, errors, &mut stream, &Default::default());
    stream.finish(errors)
}

/// The text below the header, read in parts.
struct Parts<'a> {
    file: &'a str,
    delimiter: u8,
    /// The header's number of fields.
    width: usize,
}

/// A part to read: its number, its bytes (whole records) and the line it
/// starts on.
struct PartJob<'b, P> {
    index: usize,
    bytes: Cow<'b, [u8]>,
    line: usize,
    sink: P,
}

/// A part read: its sink, with what its rows gave.
struct PartRead<P> {
    index: usize,
    sink: P,
    errors: Vec<DataError>,
    notices: Vec<DataNotice>,
    /// The part's own buffer, when it had one, emptied: to read another
    /// part into (one allocation of a part's size each time is slow).
    spent: Option<Vec<u8>>,
}

impl Parts<'_> {
    /// Reads the parts `cuts` gives (each with the line it starts on, in
    /// file order, the first just below the header) on `threads` threads
    /// into forks of the stream's sink, and joins them into the stream in
    /// file order. `cuts` is drawn on this thread, no more than a few parts
    /// ahead of the joining.
    fn read<'b, S: ForkSink>(
        &self,
        cuts: impl Iterator<Item = (Cow<'b, [u8]>, usize)>,
        threads: usize,
        errors: &mut Vec<DataError>,
        stream: &mut RowStream<'_, S>,
        spent: &std::cell::RefCell<Vec<Vec<u8>>>,
    ) {
        let ahead = threads * PARTS_AHEAD_PER_THREAD;
        std::thread::scope(|scope| {
            let (jobs, jobs_rx) = sync_channel::<PartJob<'b, S::Part>>(ahead);
            // the workers share the receiving end: when the last of them
            // ends, for whatever reason, sending fails instead of blocking
            let jobs_rx = Arc::new(Mutex::new(jobs_rx));
            let (done, done_rx) = channel::<PartRead<S::Part>>();
            for _ in 0..threads {
                let (jobs_rx, done) = (jobs_rx.clone(), done.clone());
                let spawned = std::thread::Builder::new()
                    .name("kpi-read".into())
                    .spawn_scoped(scope, move || loop {
                        let job = match jobs_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => break,
                        };
                        let Ok(job) = job else { break };
                        if done.send(self.read_part(job)).is_err() {
                            break;
                        }
                    });
                // (a thread that cannot start leaves its parts to the others,
                // or to this one)
                drop(spawned);
            }
            drop((jobs_rx, done));
            let mut joined = Joined {
                next: 0,
                waiting: BTreeMap::new(),
                spent,
            };
            let mut unsent: Vec<PartJob<'b, S::Part>> = Vec::new();
            for (index, (bytes, line)) in cuts.enumerate() {
                // at most `ahead` parts out at a time
                while index >= joined.next + ahead {
                    match done_rx.recv() {
                        Ok(read) => joined.take(read, errors, stream),
                        Err(_) => break,
                    }
                }
                let job = PartJob {
                    index,
                    bytes,
                    line,
                    sink: stream.sink().fork(),
                };
                if let Err(e) = jobs.send(job) {
                    // no thread left to read it
                    unsent.push(e.0);
                }
            }
            drop(jobs);
            for read in done_rx {
                joined.take(read, errors, stream);
            }
            // Parts no thread was left to read are read here. (A thread
            // that panics takes the process down when the scope ends.)
            for job in unsent {
                let read = self.read_part(job);
                joined.take(read, errors, stream);
            }
        });
    }

    /// Reads one part into its sink.
    fn read_part<P: RowSink>(&self, job: PartJob<'_, P>) -> PartRead<P> {
        let PartJob {
            index,
            bytes,
            line,
            mut sink,
        } = job;
        let mut errors = Vec::new();
        let mut stream = RowStream::after_header(self.file, &mut sink, self.width);
        if let Some(text) = plain_lines(&bytes, self.delimiter) {
            // no quotes: each line is a record, its fields what lies
            // between delimiters (what the `csv` crate reads there too)
            let b = text.as_bytes();
            let mut ends: Vec<usize> = Vec::new();
            let (mut start, mut k) = (0, 0);
            let mut line_end = |end: usize, ends: &mut Vec<usize>, start: usize, k: usize| {
                // (a `\r` here is the `\r` of a `\r\n`: `plain_lines`)
                let end = if end > start && b.get(end - 1) == Some(&b'\r') {
                    end - 1
                } else {
                    end
                };
                // (the `csv` crate skips empty lines)
                if end > start {
                    ends.push(end - start);
                    let fields = Split {
                        text: text.get(start..end).unwrap_or_default(),
                        ends,
                    };
                    stream.push_split(line + k, fields, &mut errors);
                }
                ends.clear();
            };
            for i in memchr::memchr2_iter(self.delimiter, b'\n', b) {
                if b.get(i) == Some(&b'\n') {
                    line_end(i, &mut ends, start, k);
                    (start, k) = (i + 1, k + 1);
                } else {
                    ends.push(i - start);
                }
            }
            if start < b.len() {
                line_end(b.len(), &mut ends, start, k);
            }
        } else {
            let mut lines = Lines::new(&bytes);
            // lines counted from the part's first, which is `line`
            let mut rows = CsvRows::new(reader_of(self.delimiter, &*bytes), |p| {
                match lines.line(p) {
                    0 => 0,
                    l => l + line - 1,
                }
            });
            while rows.next_into(self.file, &mut errors, &mut stream) {}
        }
        let (_, notices) = stream.finish(&mut errors);
        let spent = match bytes {
            Cow::Owned(mut buffer) => {
                buffer.clear();
                Some(buffer)
            }
            Cow::Borrowed(_) => None,
        };
        PartRead {
            index,
            sink,
            errors,
            notices,
            spent,
        }
    }
}

/// `bytes` as text whose every line is one record of plain fields, when it
/// is: valid UTF-8 without a quote, whose only `\r`s end lines (the `csv`
/// crate ends a record at a lone `\r`), with an ASCII delimiter. Those
/// lines are split at delimiters without the `csv` crate's state machine
/// (a sixth of the instructions spent reading a large file).
fn plain_lines(bytes: &[u8], delimiter: u8) -> Option<&str> {
    if !delimiter.is_ascii() || memchr::memchr(b'"', bytes).is_some() {
        return None;
    }
    let crlf_only = memchr::memchr_iter(b'\r', bytes).all(|i| bytes.get(i + 1) == Some(&b'\n'));
    if !crlf_only {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// The parts read, joined in file order as they come in.
struct Joined<'s, P> {
    /// The number of the next part to join.
    next: usize,
    waiting: BTreeMap<usize, PartRead<P>>,
    /// The parts' own buffers, given back.
    spent: &'s std::cell::RefCell<Vec<Vec<u8>>>,
}

impl<P: RowSink + Send> Joined<'_, P> {
    fn take<S: ForkSink<Part = P>>(
        &mut self,
        mut read: PartRead<P>,
        errors: &mut Vec<DataError>,
        stream: &mut RowStream<'_, S>,
    ) {
        if let Some(buffer) = read.spent.take() {
            self.spent.borrow_mut().push(buffer);
        }
        self.waiting.insert(read.index, read);
        while let Some(read) = self.waiting.remove(&self.next) {
            errors.extend(read.errors);
            stream.notices.extend(read.notices);
            stream.sink().join(read.sink, errors);
            self.next += 1;
        }
    }
}

/// Cuts text into parts of whole records, each with its first line.
struct Cuts<'a> {
    bytes: &'a [u8],
    /// Where the next part starts (a record's start).
    at: usize,
    /// The line of byte `at`.
    line: usize,
    part_bytes: usize,
    core: csv_core::Reader,
}

impl<'a> Cuts<'a> {
    fn new(bytes: &'a [u8], start: usize, delimiter: u8, part_bytes: usize) -> Cuts<'a> {
        Cuts {
            bytes,
            at: start,
            line: 1 + line_ends(bytes, 0, start),
            part_bytes,
            core: record_ends(delimiter),
        }
    }

    /// Where the part from `self.at` ends (see [`part_end`]).
    fn end(&mut self) -> usize {
        let (bytes, from) = (self.bytes, self.at);
        let rest = bytes.get(from..).unwrap_or_default();
        match part_end(rest, self.part_bytes, &mut self.core, true) {
            Some(end) => from + end,
            None => bytes.len(),
        }
    }
}

/// Where a part of text starting at a record's start, `bytes[0]`, ends: at
/// the end of the first record that ends `target` bytes or more in (found
/// by `core`, the `csv` crate's state machine, where there are quotes), or
/// at the end of the text. `None` when `bytes` are not `whole` (more text
/// follows) and do not tell yet.
fn part_end(
    bytes: &[u8],
    target: usize,
    core: &mut csv_core::Reader,
    whole: bool,
) -> Option<usize> {
    use csv_core::ReadRecordResult as R;
    let to_the_end = whole.then_some(bytes.len());
    let Some(nl) = bytes
        .get(target..)
        .and_then(|past| memchr::memchr(b'\n', past))
    else {
        return to_the_end;
    };
    let line_end = target + nl + 1;
    if memchr::memchr(b'"', bytes.get(..line_end).unwrap_or_default()).is_none() {
        // no quotes: every line end ends a record
        return Some(line_end);
    }
    // a line end may be inside a quoted field
    core.reset();
    let (mut out, mut ends) = ([0u8; 4096], [0usize; 256]);
    let mut at = 0;
    // (never called with no input left: that would end the last record)
    while at < bytes.len() {
        let input = bytes.get(at..).unwrap_or_default();
        let (result, read, _, _) = core.read_record(input, &mut out, &mut ends);
        at += read;
        match result {
            R::Record if at >= target => return Some(at),
            R::Record | R::OutputFull | R::OutputEndsFull | R::InputEmpty if read > 0 => {}
            R::Record | R::OutputFull | R::OutputEndsFull | R::InputEmpty | R::End => break,
        }
    }
    // the last record ends with the text
    to_the_end
}

impl Iterator for Cuts<'_> {
    type Item = (std::ops::Range<usize>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let (from, line) = (self.at, self.line);
        let end = self.end().max(from + 1).min(self.bytes.len());
        self.line += line_ends(self.bytes, from, end);
        self.at = end;
        Some((from..end, line))
    }
}

/// The line ends in `bytes[from..to]` as [`Lines`] counts them: `\n`, and
/// `\r` not followed by `\n`.
fn line_ends(bytes: &[u8], from: usize, to: usize) -> usize {
    let chunk = bytes.get(from..to).unwrap_or_default();
    let mut n = memchr::memchr_iter(b'\n', chunk).count();
    if memchr::memchr(b'\r', chunk).is_some() {
        n += chunk
            .iter()
            .enumerate()
            .filter(|&(k, &c)| c == b'\r' && bytes.get(from + k + 1) != Some(&b'\n'))
            .count();
    }
    n
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
        errors.push(read_error(file, 0, &e));
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
    let reader = reader_of(delimiter, tap);
    let mut lines = StreamLines { window, line: 1 };
    read_records(file, reader, |p| lines.line(p), errors, sink)
}

/// Non-blank lines the delimiter is sniffed from ([`sniff_delimiter`]).
const SNIFF_LINES: usize = 30;

/// [`read_parallel`] for UTF-8 text read from `input` a block at a time,
/// never held whole: the text down to the header is read first (more of
/// it until the header's record and the lines the delimiter is sniffed
/// from are whole), then parts of whole records are read here, a few ahead
/// of the `parallel.threads` threads that read their rows, and each part
/// is dropped once read. Rows, errors and notices are what [`read_stream`]
/// gives for the same text, which reads a text whose head is not UTF-8;
/// a text that ends within its head is read as [`read_parallel`] reads it.
pub(crate) fn read_stream_parallel<S: ForkSink>(
    file: &str,
    mut input: impl std::io::Read,
    errors: &mut Vec<DataError>,
    sink: &mut S,
    parallel: Parallel,
) -> (Loaded, Vec<DataNotice>) {
    let part_bytes = parallel.part_bytes.max(1);
    let mut head: Vec<u8> = Vec::new();
    loop {
        // (twice as much each time round: linear in all)
        let more = head.len().max(part_bytes);
        let eof = match fill(&mut input, &mut head, more) {
            Ok(eof) => eof,
            Err(e) => {
                errors.push(read_error(file, 0, &e));
                return (Loaded::NoTable, Vec::new());
            }
        };
        let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        if eof {
            return match std::str::from_utf8(body) {
                Ok(text) => read_parallel(file, text, errors, sink, parallel),
                Err(_) => read_stream(file, head.as_slice(), errors, sink),
            };
        }
        // whole lines, UTF-8, enough of them to sniff the delimiter from
        let lines_end = memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
        let Ok(text) = std::str::from_utf8(body.get(..lines_end).unwrap_or_default()) else {
            return read_stream(file, std::io::Cursor::new(head).chain(input), errors, sink);
        };
        let non_blank = text.lines().filter(|l| !l.trim().is_empty());
        if non_blank.take(SNIFF_LINES).count() < SNIFF_LINES {
            continue;
        }
        let delimiter = sniff_delimiter(text);
        // whole records: the header found in them is the one of the whole text
        let records_end = whole_records(text.as_bytes(), delimiter);
        let text = text.get(..records_end).unwrap_or_default();
        let mut lines = Lines::new(text.as_bytes());
        let mut rows = CsvRows::new(reader_of(delimiter, text.as_bytes()), |p| lines.line(p));
        // (errors above a header not found yet are found again next time)
        let mut head_errors = Vec::new();
        let mut stream = RowStream::new(file, sink);
        let width = loop {
            if let Some(width) = stream.width() {
                break Some(width);
            }
            if !rows.next_into(file, &mut head_errors, &mut stream) {
                break None;
            }
        };
        let Some(width) = width else {
            // no header yet: the sink has seen nothing
            continue;
        };
        errors.append(&mut head_errors);
        let start = usize::try_from(rows.reader.position().byte()).unwrap_or(text.len());
        let spent = std::cell::RefCell::new(Vec::new());
        let mut blocks = Blocks {
            pending: body.get(start..).unwrap_or_default().to_vec(),
            spent: &spent,
            input,
            line: 1 + line_ends(body, 0, start),
            part_bytes,
            core: record_ends(delimiter),
            eof: false,
            failed: None,
        };
        let parts = Parts {
            file,
            delimiter,
            width,
        };
        parts.read(
            blocks.by_ref(),
            parallel.threads,
            errors,
            &mut stream,
            &spent,
        );
        if let Some(e) = &blocks.failed {
            errors.push(read_error(file, blocks.line, e));
        }
        return stream.finish(errors);
    }
}

/// Reads up to `n` more bytes of `input` into `buf`; whether it ended.
fn fill(input: &mut impl std::io::Read, buf: &mut Vec<u8>, n: usize) -> std::io::Result<bool> {
    let want = u64::try_from(n).unwrap_or(u64::MAX);
    let got = input.take(want).read_to_end(buf)?;
    Ok(got < n)
}

/// A file that could not be read further, on `line`.
fn read_error(file: &str, line: usize, e: &std::io::Error) -> DataError {
    DataError::new(
        file,
        line,
        None,
        DataErrorKind::Syntax {
            format: "CSV",
            message: e.to_string(),
        },
    )
}

/// A state machine that finds records' ends as the `csv` crate does.
fn record_ends(delimiter: u8) -> csv_core::Reader {
    csv_core::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv_core::Terminator::CRLF)
        .build()
}

/// The end of the last record of `bytes` that ends before the bytes do (0
/// when none does).
fn whole_records(bytes: &[u8], delimiter: u8) -> usize {
    use csv_core::ReadRecordResult as R;
    if memchr::memchr(b'"', bytes).is_none() {
        // every line end ends a record
        return memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1);
    }
    let mut core = record_ends(delimiter);
    let (mut out, mut ends) = ([0u8; 4096], [0usize; 256]);
    let (mut at, mut last) = (0, 0);
    // (never called with no input left: that would end the last record)
    while at < bytes.len() {
        let (result, read, _, _) =
            core.read_record(bytes.get(at..).unwrap_or_default(), &mut out, &mut ends);
        at += read;
        match result {
            R::Record => last = at,
            R::OutputFull | R::OutputEndsFull if read > 0 => {}
            R::OutputFull | R::OutputEndsFull | R::InputEmpty | R::End => break,
        }
    }
    last
}

/// The parts of a text read a block at a time, from a record's start: each
/// ends where a [`Cuts`] part would, at the end of the first record that
/// ends `part_bytes` or more past its start, and comes with its first line.
struct Blocks<'s, R> {
    input: R,
    /// Buffers of parts read, to read more into.
    spent: &'s std::cell::RefCell<Vec<Vec<u8>>>,
    /// Read and not yet handed out: from the start of the next part.
    pending: Vec<u8>,
    /// The line the next part starts on.
    line: usize,
    part_bytes: usize,
    core: csv_core::Reader,
    eof: bool,
    /// Why reading stopped before the end, if it did.
    failed: Option<std::io::Error>,
}

/// Bytes read at a time past a part's size, looking for its last record's end.
const BLOCK_STEP: usize = 8 << 10;

impl<R: std::io::Read> Blocks<'_, R> {
    /// Reads up to `n` more bytes into `pending`.
    fn more(&mut self, n: usize) {
        if self.eof {
            return;
        }
        match fill(&mut self.input, &mut self.pending, n) {
            Ok(eof) => self.eof = eof,
            Err(e) => {
                self.failed = Some(e);
                self.eof = true;
            }
        }
    }

    /// Where the next part ends in `pending` ([`part_end`]), reading as
    /// much as that takes.
    fn part_end(&mut self) -> usize {
        self.more((self.part_bytes + 1).saturating_sub(self.pending.len()));
        loop {
            if let Some(end) = part_end(&self.pending, self.part_bytes, &mut self.core, self.eof) {
                return end;
            }
            // (read on by as much as was read past the part's size: a long
            // quoted field is looked through a number of times that only
            // grows with its length's logarithm)
            let past = self.pending.len().saturating_sub(self.part_bytes);
            self.more(BLOCK_STEP.max(past));
        }
    }
}

impl<R: std::io::Read> Iterator for Blocks<'_, R> {
    type Item = (Cow<'static, [u8]>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let end = self.part_end().min(self.pending.len());
        if end == 0 {
            return None;
        }
        let line = self.line;
        // (the byte after the part tells whether a `\r` it ends with is a line end)
        self.line += line_ends(&self.pending, 0, end);
        let mut rest = self
            .spent
            .borrow_mut()
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(self.part_bytes + 2 * BLOCK_STEP));
        rest.extend_from_slice(self.pending.get(end..).unwrap_or_default());
        let mut part = std::mem::replace(&mut self.pending, rest);
        part.truncate(end);
        Some((Cow::Owned(part), line))
    }
}

/// The records of `reader` into `sink`, each on the line `line_of` gives
/// for its position.
fn read_records<R: std::io::Read>(
    file: &str,
    reader: csv::Reader<R>,
    line_of: impl FnMut(Option<&csv::Position>) -> usize,
    errors: &mut Vec<DataError>,
    sink: &mut impl RowSink,
) -> (Loaded, Vec<DataNotice>) {
    let mut rows = CsvRows::new(reader, line_of);
    let mut stream = RowStream::new(file, sink);
    while rows.next_into(file, errors, &mut stream) {}
    stream.finish(errors)
}

/// The records of a CSV reader, one at a time into one buffer, each on the
/// line `line_of` gives for its position.
struct CsvRows<R, L> {
    reader: csv::Reader<R>,
    record: csv::StringRecord,
    line_of: L,
}

impl<R: std::io::Read, L: FnMut(Option<&csv::Position>) -> usize> CsvRows<R, L> {
    fn new(reader: csv::Reader<R>, line_of: L) -> Self {
        CsvRows {
            reader,
            record: csv::StringRecord::new(),
            line_of,
        }
    }

    /// The next record into `stream`, or its error into `errors`; `false`
    /// at the end.
    fn next_into<S: RowSink>(
        &mut self,
        file: &str,
        errors: &mut Vec<DataError>,
        stream: &mut RowStream<'_, S>,
    ) -> bool {
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {
                let line = (self.line_of)(self.record.position());
                stream.push(line, &self.record, errors);
            }
            Ok(false) => return false,
            Err(e) => {
                let kind = match e.kind() {
                    // bytes that are not UTF-8 in a file read as UTF-8 (a
                    // large one, judged on its head): on their line, with
                    // the help to name the encoding
                    csv::ErrorKind::Utf8 { .. } => DataErrorKind::BadEncoding {
                        encoding: "UTF-8".into(),
                        guessed: false,
                    },
                    _ => DataErrorKind::Syntax {
                        format: "CSV",
                        message: e.to_string(),
                    },
                };
                errors.push(DataError::new(
                    file,
                    (self.line_of)(e.position()),
                    None,
                    kind,
                ))
            }
        }
        true
    }
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
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
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
        self.line += memchr::memchr_iter(b'\n', chunk).count();
        if memchr::memchr(b'\r', chunk).is_some() {
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
        let mut lines = Lines::new(text.as_bytes());
        for (byte, line) in [(0, 1), (2, 2), (5, 3), (7, 4), (10, 6)] {
            assert_eq!(lines.line(Some(&position(byte))), line, "byte {byte}");
        }
        // going back recounts from the start
        assert_eq!(lines.line(Some(&position(2))), 2);
        // a position on a terminator belongs to the line after it
        let mut lines = Lines::new(text.as_bytes());
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
