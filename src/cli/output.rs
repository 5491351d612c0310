//! Writing results as JSON (§4.1), CSV or an aligned table.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{Exit, ResultFormat};
use crate::eval::format::{write_text, write_whole};
use crate::eval::{Results, Row, RowScratch};
use crate::ir::Program;
use crate::ir::Value;
use std::fmt::Write as _;
use std::io::Write as _;

/// Appends `s` as a JSON string literal.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `YYYY-MM` without going through the formatting machinery.
fn push_period(out: &mut String, p: crate::types::Period) {
    let digit = |d: u16| char::from(b'0' + (d % 10) as u8);
    out.extend([
        digit(p.year / 1000),
        digit(p.year / 100),
        digit(p.year / 10),
        digit(p.year),
        '-',
        digit(u16::from(p.month) / 10),
        digit(u16::from(p.month)),
    ]);
}

/// Appends one CSV field, quoted only when it must be.
pub(crate) fn push_csv_field(out: &mut String, s: &str) {
    // (the four are ASCII: a byte scan finds them, never inside a character)
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Rows per rendering chunk; chunks are rendered in parallel.
const CHUNK_ROWS: usize = 50_000;

/// Renders the rows of `order` (a slice of the output order) as JSON lines
/// or CSV records into `out` (emptied first, its room reused), reusing one
/// scratch buffer for every cell.
fn render_rows(
    program: &Program,
    rows: &[Row],
    ev: &impl Results,
    order: &[usize],
    json: bool,
    first: bool,
    mut out: String,
) -> Option<String> {
    out.clear();
    let mut cell = String::new();
    let mut values = Vec::new();
    let mut scratch = RowScratch::default();
    for (k, &r) in order.iter().enumerate() {
        // `order` is a permutation of row indices; skip rather than panic.
        let Some(row) = rows.get(r) else { continue };
        out.push_str(results_separator(json, if first { k } else { k + 1 }));
        if !ev.row_into(r, &mut values, &mut scratch) {
            return None;
        }
        render_row(program, row, &values, json, &mut out, &mut cell);
        if k == 0 {
            // room for the rest, at the first row's length and a little more
            let rest = (out.len() + 8).saturating_mul(order.len() - 1);
            out.reserve(rest.saturating_add(rest / 8));
        }
    }
    Some(out)
}

/// Appends one result: a JSON object (without separator) or a CSV record
/// (with its line end). `values` are the row's slots; `cell` is scratch.
pub(crate) fn render_row(
    program: &Program,
    row: &Row,
    values: &[Value],
    json: bool,
    out: &mut String,
    cell: &mut String,
) {
    if json {
        out.push_str("{\"employee\": ");
        push_json_str(out, row.employee());
        out.push_str(", \"period\": \"");
        push_period(out, row.period);
        out.push_str("\", \"team\": ");
        match row.team() {
            Some(t) => push_json_str(out, t),
            None => out.push_str("null"),
        }
        out.push_str(", \"outputs\": {");
    } else {
        push_csv_field(out, row.employee());
        out.push(',');
        push_period(out, row.period);
        out.push(',');
        push_csv_field(out, row.team().unwrap_or(""));
    }
    for (i, o) in program.outputs.iter().enumerate() {
        let value = values.get(o.slot);
        let ty = program.slots.get(o.slot).map(|slot| &slot.ty);
        if json {
            if i > 0 {
                out.push_str(", ");
            }
            push_json_str(out, &o.name);
            out.push_str(": ");
        } else {
            out.push(',');
        }
        // a whole number straight into the output (no quoting or escaping)
        if let (Some(v), Some(ty)) = (value, ty) {
            let (mark, quote) = (out.len(), if json { "\"" } else { "" });
            out.push_str(quote);
            if write_whole(v, ty, out) {
                out.push_str(quote);
                continue;
            }
            out.truncate(mark);
        }
        cell.clear();
        if let (Some(v), Some(ty)) = (value, ty) {
            write_text(v, ty, cell);
        }
        match (json, value) {
            (true, Some(Value::Bool(_))) => out.push_str(cell),
            (true, _) => push_json_str(out, cell),
            (false, _) => push_csv_field(out, cell),
        }
    }
    out.push_str(if json { "}}" } else { "\n" });
}

/// Renders all rows, chunks in parallel, in order (one part per chunk);
/// `None` when a row cannot be evaluated.
fn render_all(
    program: &Program,
    rows: &[Row],
    ev: &impl Results,
    json: bool,
) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let done = render_each(program, rows, ev, json, &mut |part| {
        parts.push(std::mem::take(part));
        Ok(())
    });
    match done {
        Ok(Some(())) => Some(parts),
        Ok(None) | Err(_) => None,
    }
}

/// Renders all rows a chunk at a time, the chunks on up to one thread per
/// core (at most a few ahead of the one being handed on), and hands each
/// part to `each` in order as soon as it and those before it are done.
/// `Ok(None)` when a row cannot be evaluated (nothing more is handed on);
/// `each`'s error stops the rendering and is returned. A part `each`
/// leaves in place is rendered into again (a few buffers in turn, not a
/// fresh one per chunk that another thread frees).
pub(crate) fn render_each(
    program: &Program,
    rows: &[Row],
    ev: &impl Results,
    json: bool,
    each: &mut dyn FnMut(&mut String) -> std::io::Result<()>,
) -> std::io::Result<Option<()>> {
    let threads = std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1)
        .clamp(1, 8);
    render_chunks(program, rows, ev, json, CHUNK_ROWS, threads, each)
}

/// [`render_each`] with `chunk_rows` rows per part, on up to `threads`
/// threads.
fn render_chunks(
    program: &Program,
    rows: &[Row],
    ev: &impl Results,
    json: bool,
    chunk_rows: usize,
    threads: usize,
    each: &mut dyn FnMut(&mut String) -> std::io::Result<()>,
) -> std::io::Result<Option<()>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex, PoisonError};
    let order = ev.order();
    let chunks: Vec<&[usize]> = order.chunks(chunk_rows.max(1)).collect();
    let render = |i: usize, out: String| {
        let chunk = chunks.get(i).copied().unwrap_or_default();
        render_rows(program, rows, ev, chunk, json, i == 0, out)
    };
    let threads = threads.min(chunks.len());
    if threads <= 1 {
        let mut out = String::new();
        for i in 0..chunks.len() {
            match render(i, out) {
                Some(mut part) => {
                    each(&mut part)?;
                    out = part;
                }
                None => return Ok(None),
            }
        }
        return Ok(Some(()));
    }
    // What the renderers and the thread handing parts on share.
    struct Shared {
        /// Parts done and not yet handed on, by chunk.
        done: std::collections::BTreeMap<usize, Option<String>>,
        /// Parts handed on, to render into again.
        spare: Vec<String>,
        /// Chunks handed on so far.
        handed: usize,
        stop: bool,
    }
    let ahead = threads;
    let next = AtomicUsize::new(0);
    let shared = Mutex::new(Shared {
        done: Default::default(),
        spare: Vec::new(),
        handed: 0,
        stop: false,
    });
    let changed = Condvar::new();
    let lock = || shared.lock().unwrap_or_else(PoisonError::into_inner);
    // Takes chunks in turn until there are none (or it must stop), never
    // more than `ahead` past the one being handed on.
    let renderer = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= chunks.len() {
            return;
        }
        let out = {
            let mut s = lock();
            while !s.stop && i >= s.handed + ahead {
                s = changed.wait(s).unwrap_or_else(PoisonError::into_inner);
            }
            if s.stop {
                return;
            }
            s.spare.pop().unwrap_or_default()
        };
        // (were rendering ever to panic, the chunk would count as failed:
        // the caller then reports the batch's errors its own way)
        let part = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(i, out)))
            .unwrap_or(None);
        lock().done.insert(i, part);
        changed.notify_all();
    };
    std::thread::scope(|scope| {
        let started = (0..threads)
            .filter(|_| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, renderer)
                    .is_ok()
            })
            .count();
        let stop = |s: &mut Shared| {
            s.stop = true;
            changed.notify_all();
        };
        for i in 0..chunks.len() {
            let part = if started == 0 {
                // no thread to be had: rendered here
                render(i, lock().spare.pop().unwrap_or_default())
            } else {
                let mut s = lock();
                loop {
                    if let Some(part) = s.done.remove(&i) {
                        break part;
                    }
                    s = changed.wait(s).unwrap_or_else(PoisonError::into_inner);
                }
            };
            let Some(mut part) = part else {
                stop(&mut lock());
                return Ok(None);
            };
            if let Err(e) = each(&mut part) {
                stop(&mut lock());
                return Err(e);
            }
            let mut s = lock();
            s.handed = i + 1;
            if part.capacity() > 0 {
                s.spare.push(part);
            }
            drop(s);
            changed.notify_all();
        }
        Ok(Some(()))
    })
}

/// The first line of the results table: the keys, then each output's header.
pub(crate) fn table_header(program: &Program, labels: bool) -> Vec<String> {
    let mut header = vec!["employee".to_string(), "period".into(), "team".into()];
    header.extend(
        program
            .outputs
            .iter()
            .map(|o| output_header(program, o, labels)),
    );
    header
}

/// The header of output `o`: its label when `labels` and it has one.
pub(crate) fn output_header(program: &Program, o: &crate::ir::Output, labels: bool) -> String {
    match (
        program.slots.get(o.slot).and_then(|s| s.label.as_ref()),
        labels,
    ) {
        (Some(l), true) => l.clone(),
        _ => o.name.clone(),
    }
}

/// Renders results; `labels`: CSV and table headers are the outputs'
/// labels (where declared) instead of their names.
pub fn render(
    program: &Program,
    rows: &[Row],
    ev: &impl Results,
    format: ResultFormat,
    labels: bool,
) -> Option<String> {
    match format {
        ResultFormat::Json | ResultFormat::Csv => {
            Some(render_parts(program, rows, ev, format == ResultFormat::Json, labels)?.concat())
        }
        ResultFormat::Table => render_table(program, rows, ev, labels),
    }
}

/// JSON (§4.1) or CSV results as parts to write one after the other (a
/// large batch is never one string twice).
pub fn render_parts(
    program: &Program,
    rows: &[Row],
    ev: &impl Results,
    json: bool,
    labels: bool,
) -> Option<Vec<String>> {
    let mut parts = vec![results_head(program, json, labels)];
    parts.extend(render_all(program, rows, ev, json)?);
    parts.push(results_tail(json, ev.order().is_empty()).to_string());
    Some(parts)
}

/// What comes before the results: JSON's opening, or the CSV header line.
pub(crate) fn results_head(program: &Program, json: bool, labels: bool) -> String {
    let mut head = String::new();
    if json {
        head.push_str("{\"policy\": ");
        push_json_str(&mut head, &program.name);
        head.push_str(", \"results\": [");
    } else {
        head.push_str("employee,period,team");
        for o in &program.outputs {
            head.push(',');
            push_csv_field(&mut head, &output_header(program, o, labels));
        }
        head.push('\n');
    }
    head
}

/// What comes after the results (JSON's closing); results are separated
/// by [`results_separator`].
pub(crate) fn results_tail(json: bool, empty: bool) -> &'static str {
    match (json, empty) {
        (false, _) => "",
        (true, true) => "]}\n",
        (true, false) => "\n]}\n",
    }
}

/// What goes before the `n`-th result.
pub(crate) fn results_separator(json: bool, n: usize) -> &'static str {
    match (json, n) {
        (false, _) => "",
        (true, 0) => "\n  ",
        (true, _) => ",\n  ",
    }
}

/// The aligned table of results.
fn render_table(
    program: &Program,
    rows: &[Row],
    ev: &impl Results,
    labels: bool,
) -> Option<String> {
    let mut table: Vec<Vec<String>> = vec![table_header(program, labels)];
    let (mut values, mut scratch) = (Vec::new(), RowScratch::default());
    for &r in ev.order() {
        let Some(row) = rows.get(r) else { continue };
        if !ev.row_into(r, &mut values, &mut scratch) {
            return None;
        }
        let mut rec = vec![
            row.employee().to_string(),
            row.period.to_string(),
            row.team().map(str::to_string).unwrap_or_default(),
        ];
        for o in &program.outputs {
            let mut cell = String::new();
            if let (Some(v), Some(slot)) = (values.get(o.slot), program.slots.get(o.slot)) {
                write_text(v, &slot.ty, &mut cell);
            }
            rec.push(cell);
        }
        table.push(rec);
    }
    Some(align(&table))
}

/// Display width: CJK and full-width characters take two columns.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

pub(crate) fn align(table: &[Vec<String>]) -> String {
    let cols = table.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            table
                .iter()
                .map(|r| r.get(c).map(|s| width(s)).unwrap_or(0))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in table.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            let w = widths.get(c).copied().unwrap_or(0);
            line.push_str(&" ".repeat(w.saturating_sub(width(cell))));
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

/// A report as pretty JSON with a final newline.
pub(crate) fn pretty_json<T: serde::Serialize>(value: &T) -> Result<String, Exit> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| {
            eprintln!("error: cannot write JSON: {e}");
            Exit::Failure
        })
}

/// Writes results to stdout, or to `path` through a temporary file and a
/// rename, so a reader never sees half a file.
pub fn emit(bytes: &[u8], path: Option<&std::path::Path>) -> Exit {
    emit_with(path, |w| w.write_all(bytes))
}

/// Writes what `write` writes to `path` (through a temporary file renamed
/// at the end, so a failed write leaves no half file) or to stdout.
pub(crate) fn emit_with(
    path: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Exit {
    let Some(path) = path else {
        let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        return match write(&mut stdout).and_then(|_| stdout.flush()) {
            Ok(()) => Exit::Success,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
            Err(e) => {
                eprintln!("error: cannot write results: {e}");
                Exit::Failure
            }
        };
    };
    match write_file(path, write) {
        Ok(()) => Exit::Success,
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            Exit::Failure
        }
    }
}

/// Writes what `write` writes to `path`, through a temporary file renamed
/// at the end: when `write` fails, nothing is left at `path`.
pub(crate) fn write_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.kpi-tmp-{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
            write(&mut w)?;
            w.flush()
        })
        .and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Inputs;
    use crate::num::Num;

    /// Results whose row `fail` cannot be evaluated.
    struct Fake {
        order: Vec<usize>,
        fail: Option<usize>,
    }

    impl Results for Fake {
        fn order(&self) -> &[usize] {
            &self.order
        }
        fn row_into(&self, row: usize, out: &mut Vec<Value>, _: &mut RowScratch) -> bool {
            out.clear();
            out.push(Value::Num(Num::int(row as i64)));
            Some(row) != self.fail
        }
    }

    /// Parts come in order, whatever the threads and chunks, and make the
    /// same text as one pass over the rows; a row that fails stops the
    /// parts before its chunk, and so does a failed write.
    #[test]
    fn parts_in_order_and_stopped_where_they_fail() {
        let program = crate::check::check(
            &crate::syntax::parse(
                "policy \"p\"\ninput x : number\nitem a = x\ntotal = sum of items\n",
            )
            .unwrap(),
        )
        .unwrap()
        .program;
        let n = 23;
        let rows: Vec<Row> = (0..n)
            .map(|i| Row {
                ids: crate::data::Ids::new(&format!("E{i:02}"), None),
                period: crate::types::Period::parse("2026-01").unwrap(),
                line: i + 2,
                inputs: Inputs::from(vec![Value::Num(Num::int(i as i64))]),
            })
            .collect();
        // (outputs read the slots the fake fills: slot 0 for every one)
        let order: Vec<usize> = (0..n).rev().collect();
        for json in [false, true] {
            let whole = render_rows(
                &program,
                &rows,
                &Fake {
                    order: order.clone(),
                    fail: None,
                },
                &order,
                json,
                true,
                String::new(),
            )
            .unwrap();
            for threads in [1, 2, 3, 5] {
                for chunk_rows in [1, 3, 7, 50] {
                    let mut parts = Vec::new();
                    let ev = Fake {
                        order: order.clone(),
                        fail: None,
                    };
                    let done =
                        render_chunks(&program, &rows, &ev, json, chunk_rows, threads, &mut |p| {
                            parts.push(std::mem::take(p));
                            Ok(())
                        });
                    assert_eq!(done.unwrap(), Some(()));
                    assert_eq!(parts.len(), n.div_ceil(chunk_rows));
                    assert_eq!(
                        parts.concat(),
                        whole,
                        "{threads} threads, {chunk_rows} rows"
                    );
                    // row 9 is the 14th in order: chunks before its own are handed on
                    let mut parts = Vec::new();
                    let ev = Fake {
                        order: order.clone(),
                        fail: Some(9),
                    };
                    let done =
                        render_chunks(&program, &rows, &ev, json, chunk_rows, threads, &mut |p| {
                            parts.push(std::mem::take(p));
                            Ok(())
                        });
                    assert_eq!(done.unwrap(), None);
                    assert_eq!(parts.len(), 13 / chunk_rows);
                    // a write that fails stops it all
                    let mut writes = 0;
                    let ev = Fake {
                        order: order.clone(),
                        fail: None,
                    };
                    let done =
                        render_chunks(&program, &rows, &ev, json, chunk_rows, threads, &mut |_| {
                            writes += 1;
                            Err(std::io::Error::other("disk full"))
                        });
                    assert_eq!(done.unwrap_err().to_string(), "disk full");
                    assert_eq!(writes, 1);
                }
            }
        }
    }
}
