//! Reading a records file a block at a time (`kpi eval` does so for large
//! UTF-8 CSV files) gives exactly what reading it whole gives: the same
//! records in the same order, the same errors on the same lines, the same
//! notices. The corpus is every CLI case's records (tests/data/cli) with
//! each kind of line end, read through a reader that hands out a few bytes
//! at a time, delivered in chunks of 1 and of 3 records.

use kpi::data::{
    read_records_file, stream_records_file, stream_records_reader, ChunkSink, DataErrorKind,
    FieldSpec, Layout, Parallel, ReadOptions, Record, RecordsRead,
};
use std::io::Read;
use std::path::Path;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cli");

/// Hands out at most `step` bytes per read (cycling 1..=step).
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
    n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.n = self.n % self.step + 1;
        let k = self.n.min(buf.len()).min(self.bytes.len());
        buf[..k].copy_from_slice(&self.bytes[..k]);
        self.bytes = &self.bytes[k..];
        Ok(k)
    }
}

fn fields(policy: &Path) -> Option<Vec<FieldSpec>> {
    let text = std::fs::read_to_string(policy).ok()?;
    let program = kpi::check::check(&kpi::syntax::parse(&text).ok()?)
        .ok()?
        .program;
    Some(program.inputs.iter().map(FieldSpec::of).collect())
}

/// The records of a streaming read, gathered from its chunks.
fn gathered(read: impl FnOnce(ChunkSink<'_>) -> RecordsRead, rows: usize) -> RecordsRead {
    gathered_in_parts(read, rows, Parallel::threads(1))
}

/// [`gathered`], with delimited text read in parallel parts.
fn gathered_in_parts(
    read: impl FnOnce(ChunkSink<'_>) -> RecordsRead,
    rows: usize,
    parallel: Parallel,
) -> RecordsRead {
    let mut records: Vec<Record> = Vec::new();
    let mut deliver = |chunk: Vec<Record>| {
        // (in parallel, a part may come as it is, a little longer)
        assert!(
            !chunk.is_empty() && (chunk.len() <= rows || parallel.threads > 1),
            "chunk of {}",
            chunk.len()
        );
        records.extend(chunk);
    };
    let mut r = read(ChunkSink {
        rows,
        parallel,
        deliver: &mut deliver,
    });
    assert!(r.records.is_empty());
    r.records = records;
    r
}

#[test]
fn streamed_reading_equals_whole_reading() {
    let mut compared = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(CASES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let (Some(specs), Ok(original)) = (
            fields(&dir.join("policy.kpi")),
            std::fs::read_to_string(dir.join("records.csv")),
        ) else {
            continue;
        };
        let lf = original.replace("\r\n", "\n");
        let variants = [
            ("LF", lf.clone()),
            ("CRLF", lf.replace('\n', "\r\n")),
            ("CR", lf.replace('\n', "\r")),
            ("BOM", format!("\u{feff}{lf}")),
            ("title row", format!("客服绩效 2026年10月\n{lf}")),
            ("quoted", quoted(&lf)),
            // past the lines a reader of blocks reads before the header's
            // rows are cut into parts (the repeats are duplicate rows)
            ("long", longer(&lf)),
            ("long CRLF", longer(&lf).replace('\n', "\r\n")),
            ("long quoted", quoted(&longer(&lf))),
        ];
        let opts = ReadOptions::default();
        let layout = Layout::default();
        for (variant, text) in &variants {
            let bytes = text.as_bytes();
            let name = format!("{}/{variant}", dir.file_name().unwrap().to_string_lossy());
            let whole = read_records_file(&name, bytes, &specs, &opts, &layout);
            for (rows, step) in [(1, 7), (3, 1), (8192, 4096)] {
                let streamed = gathered(
                    |chunk| {
                        let input = Trickle { bytes, step, n: 0 };
                        stream_records_reader(&name, input, &specs, &opts, &layout, chunk)
                    },
                    rows,
                );
                assert_eq!(
                    streamed, whole,
                    "{name}, chunks of {rows}, reads of ≤{step}"
                );
                let from_bytes = gathered(
                    |chunk| stream_records_file(&name, bytes, &specs, &opts, &layout, chunk),
                    rows,
                );
                assert_eq!(from_bytes, whole, "{name}, bytes, chunks of {rows}");
            }
            // in parallel parts of one record and up, on 1 to 3 threads
            for (threads, part_bytes) in [(3, 1), (2, 40), (1, 1)] {
                let parallel = Parallel {
                    threads,
                    part_bytes,
                };
                let in_parts = gathered_in_parts(
                    |chunk| stream_records_file(&name, bytes, &specs, &opts, &layout, chunk),
                    3,
                    parallel,
                );
                assert_eq!(in_parts, whole, "{name}, {parallel:?}");
                let read_in_parts = gathered_in_parts(
                    |chunk| {
                        let input = Trickle {
                            bytes,
                            step: 7,
                            n: 0,
                        };
                        stream_records_reader(&name, input, &specs, &opts, &layout, chunk)
                    },
                    3,
                    parallel,
                );
                assert_eq!(read_in_parts, whole, "{name}, read, {parallel:?}");
            }
            compared += 1;
        }
    }
    assert!(compared >= 100, "compared only {compared} files");
}

/// The text with its rows below the first line repeated to 40 lines or more.
fn longer(text: &str) -> String {
    let (first, rows) = text.split_once('\n').unwrap_or((text, ""));
    let mut out = format!("{first}\n");
    while !rows.trim().is_empty() && out.lines().count() < 40 {
        out.push_str(rows);
        if !rows.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The text with quotes where a reader of parts must not cut: every
/// other line's first field quoted (a doubled quote inside), every third
/// with a line end inside its quotes, every fifth with a bare quote in an
/// unquoted field.
fn quoted(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        match line.split_once(',') {
            Some((first, rest)) if i % 3 == 2 => out.push_str(&format!("\"{first}\n\",{rest}")),
            Some((first, rest)) if i % 2 == 1 => out.push_str(&format!("\"{first}\"\"\",{rest}")),
            Some((first, rest)) if i % 5 == 4 => out.push_str(&format!("{first}\"x,{rest}")),
            _ => out.push_str(line),
        }
    }
    out
}

/// The `format_csv` CLI case's fields, header and first row: the stuff
/// of large files made here.
fn format_csv_case() -> (Vec<FieldSpec>, String, String) {
    let specs = fields(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/cli/format_csv/policy.kpi"
    )))
    .unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/cli/format_csv/records.csv"
    ))
    .unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let row = lines.next().unwrap().to_string();
    (specs, header, row)
}

/// Records far apart in a large file keep their exact line numbers: a
/// quoted cell spanning lines, lone `\r`s and `\r\n`s before a bad cell
/// 100 000 lines down.
#[test]
fn line_numbers_hold_far_into_a_file() {
    let (specs, header, row) = format_csv_case();
    let mut text = format!("{header}\r\n");
    for i in 0..100_000 {
        let (employee, rest) = row.split_once(',').unwrap();
        let end = if i % 3 == 0 { "\r" } else { "\r\n" };
        text.push_str(&format!("{employee}{i},{rest}{end}"));
    }
    let bad = row.replacen(',', ",\"x\ny\",", 1);
    text.push_str(&format!("{bad}\n"));
    let opts = ReadOptions::default();
    let layout = Layout::default();
    let whole = read_records_file("big.csv", text.as_bytes(), &specs, &opts, &layout);
    assert!(!whole.errors.is_empty());
    assert_eq!(whole.errors[0].line, 100_002);
    let streamed = gathered(
        |chunk| stream_records_reader("big.csv", text.as_bytes(), &specs, &opts, &layout, chunk),
        8192,
    );
    assert_eq!(streamed, whole);
    for part_bytes in [4096, 256 << 10] {
        let in_parts = gathered_in_parts(
            |chunk| stream_records_file("big.csv", text.as_bytes(), &specs, &opts, &layout, chunk),
            8192,
            Parallel {
                threads: 2,
                part_bytes,
            },
        );
        assert_eq!(in_parts, whole, "parts of {part_bytes} bytes");
        let read_in_parts = gathered_in_parts(
            |chunk| {
                stream_records_reader("big.csv", text.as_bytes(), &specs, &opts, &layout, chunk)
            },
            8192,
            Parallel {
                threads: 2,
                part_bytes,
            },
        );
        assert_eq!(read_in_parts, whole, "read in parts of {part_bytes} bytes");
    }
}

/// Bytes that are not UTF-8 far down a file read from a reader: the same
/// error on the same line whether it is read in order or in parts.
#[test]
fn bytes_not_utf8_far_down_are_the_same_error_in_parts() {
    let (specs, header, row) = format_csv_case();
    let mut bytes = format!("{header}\n").into_bytes();
    for i in 0..2000 {
        let (employee, rest) = row.split_once(',').unwrap();
        bytes.extend_from_slice(format!("{employee}{i},").as_bytes());
        if i == 1500 {
            // 客 in GBK
            bytes.extend_from_slice(b"\xbf\xcd");
        }
        bytes.extend_from_slice(format!("{rest}\n").as_bytes());
    }
    let opts = ReadOptions::default();
    let layout = Layout::default();
    let read = |parallel| {
        gathered_in_parts(
            |chunk| {
                stream_records_reader("gbk.csv", bytes.as_slice(), &specs, &opts, &layout, chunk)
            },
            8192,
            parallel,
        )
    };
    let in_order = read(Parallel::threads(1));
    assert_eq!(in_order.errors.len(), 1, "{:?}", in_order.errors);
    assert_eq!(in_order.errors[0].line, 1502);
    assert_eq!(
        in_order.errors[0].kind,
        DataErrorKind::BadEncoding {
            encoding: "UTF-8".into(),
            guessed: false
        }
    );
    for part_bytes in [64, 4096] {
        let in_parts = read(Parallel {
            threads: 2,
            part_bytes,
        });
        assert_eq!(in_parts, in_order, "parts of {part_bytes} bytes");
    }
}
