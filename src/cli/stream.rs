//! `kpi eval` in one pass, for policies whose every figure comes from its
//! own record (no team or history rules) and results as CSV or JSON.
//!
//! The reader hands records on in chunks as it validates them; worker
//! threads evaluate each chunk a record at a time ([`RowEvaluator`]) and
//! render its results straight into text. No batch of records and no
//! matrix of values is ever held: what stays is the rendered results and
//! their sort keys, since results come out in (team, period, employee)
//! order. Output is byte-identical to the batch path's
//! ([`super::eval::run`] with `--engine batch`), and nothing is written
//! when any record is bad or any evaluation fails.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::eval::{
    open, read, report_data, report_eval, Args, ContextValues, HeaderStyle, OutputFormat,
};
use super::output::{render_row, results_head, results_separator, results_tail};
use super::{spill, Exit, Source};
use crate::data::{self, BatchRead, Cell, DataInput, ReadOptions, Record};
use crate::diag::Lang;
use crate::eval::{EvalError, Row, RowEvaluator};
use crate::ir::Program;
use crate::types::Period;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Mutex, OnceLock};

/// Records per chunk handed from the reader to the workers.
const CHUNK_ROWS: usize = 8192;

/// Whether `kpi eval` can run in one pass for this program and format.
pub(crate) fn eligible(program: &Program, format: OutputFormat) -> bool {
    matches!(format, OutputFormat::Csv | OutputFormat::Json) && crate::eval::per_record(program)
}

/// Where one rendered result is in its [`Rendered`] chunk (offsets in 32
/// bits: a chunk's results are far smaller than 4 GiB).
struct Key {
    /// End of its text in `text` (it starts where the previous one ends).
    text_end: u32,
    /// End of its employee id in `names`; its team follows, up to `name_end`.
    employee_end: u32,
    name_end: u32,
    /// The period's index, or [`NO_TEAM`] set when there is no team.
    period: u32,
}

/// In [`Key::period`]: the result has no team.
const NO_TEAM: u32 = 1 << 31;

/// One chunk's results, rendered, in input order.
#[derive(Default)]
struct Rendered {
    text: String,
    names: String,
    /// In input order, then (see [`Rendered::sort`]) in output order.
    keys: Vec<Key>,
    errors: Vec<EvalError>,
}

/// A result's place in the output order: (team, period, employee).
type OrderKey<'a> = (Option<&'a str>, u32, &'a str);

impl Rendered {
    fn key(&self, k: usize) -> OrderKey<'_> {
        (self.team(k), self.period(k), self.employee(k))
    }

    /// Puts the results in output order, in place: the merge then reads
    /// each chunk from start to end.
    fn sort(&mut self) {
        // Each key is worked out once, not twice per comparison.
        let mut keyed: Vec<(OrderKey<'_>, usize)> =
            (0..self.keys.len()).map(|k| (self.key(k), k)).collect();
        keyed.sort_unstable();
        let order: Vec<usize> = keyed.into_iter().map(|(_, k)| k).collect();
        let mut sorted = Rendered {
            text: String::with_capacity(self.text.len()),
            names: String::with_capacity(self.names.len()),
            keys: Vec::with_capacity(self.keys.len()),
            errors: std::mem::take(&mut self.errors),
        };
        for k in order {
            let Some(key) = self.keys.get(k) else {
                continue;
            };
            sorted.text.push_str(self.text(k));
            // (no longer than the chunk's texts were, which fit)
            if !sorted.end_result(self.employee(k), self.team(k), key.period) {
                break;
            }
        }
        *self = sorted;
    }

    /// Ends the result whose text was just pushed: its employee and team
    /// names and its key (`period` as [`Key::period`] holds it). False,
    /// with an internal error, when the chunk outgrows 32-bit offsets.
    fn end_result(&mut self, employee: &str, team: Option<&str>, period: u32) -> bool {
        self.names.push_str(employee);
        let employee_end = self.names.len();
        if let Some(t) = team {
            self.names.push_str(t);
        }
        let (Ok(text_end), Ok(employee_end), Ok(name_end)) = (
            u32::try_from(self.text.len()),
            u32::try_from(employee_end),
            u32::try_from(self.names.len()),
        ) else {
            self.errors.push(EvalError::internal());
            return false;
        };
        self.keys.push(Key {
            text_end,
            employee_end,
            name_end,
            period,
        });
        true
    }

    fn period(&self, k: usize) -> u32 {
        self.keys.get(k).map_or(0, |key| key.period & !NO_TEAM)
    }

    fn text(&self, k: usize) -> &str {
        let start = k
            .checked_sub(1)
            .and_then(|p| self.keys.get(p))
            .map_or(0, |p| p.text_end as usize);
        let end = self.keys.get(k).map_or(start, |key| key.text_end as usize);
        self.text.get(start..end).unwrap_or("")
    }

    fn name_start(&self, k: usize) -> usize {
        k.checked_sub(1)
            .and_then(|p| self.keys.get(p))
            .map_or(0, |p| p.name_end as usize)
    }

    fn employee(&self, k: usize) -> &str {
        let start = self.name_start(k);
        let end = self
            .keys
            .get(k)
            .map_or(start, |key| key.employee_end as usize);
        self.names.get(start..end).unwrap_or("")
    }

    fn team(&self, k: usize) -> Option<&str> {
        let key = self.keys.get(k)?;
        if key.period & NO_TEAM != 0 {
            return None;
        }
        self.names
            .get(key.employee_end as usize..key.name_end as usize)
    }
}

/// A chunk of records on its way to a worker: its number and records.
type Job = (usize, Vec<Record>);

/// Evaluates and renders chunks until the reader is done.
fn work(
    program: &Program,
    json: bool,
    jobs: &Mutex<Receiver<Job>>,
    context: &OnceLock<ContextValues>,
    done: SyncSender<(usize, Rendered)>,
) {
    let Some(mut evaluator) = RowEvaluator::new(program) else {
        return;
    };
    let empty = ContextValues::new();
    let mut cell = String::new();
    // the text of the chunk before: most chunks' are about as long
    let mut text_len = 0;
    loop {
        // A poisoned lock means another worker died; stop like at the end.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok((index, records)) = job else { break };
        let context = context.get().unwrap_or(&empty);
        let mut out = Rendered {
            text: String::with_capacity(text_len + text_len / 16),
            keys: Vec::with_capacity(records.len()),
            ..Rendered::default()
        };
        for record in records {
            let row = Row::from(record);
            match evaluator.eval(&row, context) {
                Ok(values) => {
                    render_row(program, &row, values, json, &mut out.text, &mut cell);
                    let Ok(period) = u32::try_from(row.period.index()) else {
                        out.errors.push(EvalError::internal());
                        break;
                    };
                    let period = if row.team().is_some() {
                        period
                    } else {
                        period | NO_TEAM
                    };
                    if !out.end_result(row.employee(), row.team(), period) {
                        break;
                    }
                }
                Err(e) => {
                    if out.errors.len() < data::MAX_ERRORS {
                        out.errors.push(e);
                    }
                }
            }
        }
        text_len = out.text.len();
        out.sort();
        if done.send((index, out)).is_err() {
            break;
        }
    }
}

/// The results of `chunks` (each sorted) in output order, merged:
/// `each(chunk, position)`. Keys are unique, so the order is total.
fn merge_sorted<'a>(
    chunks: &'a [Rendered],
    each: impl FnMut(&'a Rendered, usize) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let whole: Vec<(usize, usize)> = chunks.iter().map(|r| (0, r.keys.len())).collect();
    merge_range(chunks, &whole, each)
}

/// [`merge_sorted`] of the results at sorted positions `bounds[c].0 ..
/// bounds[c].1` of each chunk `c`.
fn merge_range<'a>(
    chunks: &'a [Rendered],
    bounds: &[(usize, usize)],
    mut each: impl FnMut(&'a Rendered, usize) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut heap: BinaryHeap<Reverse<(OrderKey<'a>, usize, usize)>> = BinaryHeap::new();
    for (c, (r, &(from, to))) in chunks.iter().zip(bounds).enumerate() {
        if from < to {
            heap.push(Reverse((r.key(from), c, from)));
        }
    }
    while let Some(Reverse((_, c, i))) = heap.pop() {
        let (Some(r), Some(&(_, to))) = (chunks.get(c), bounds.get(c)) else {
            continue;
        };
        each(r, i)?;
        if i + 1 < to {
            heap.push(Reverse((r.key(i + 1), c, i + 1)));
        }
    }
    Ok(())
}

/// Below this many results, they are merged on one thread.
const PARALLEL_MERGE_MIN: usize = 10_000;

/// Writes the results of `chunks` in output order, each after its
/// separator (`separator(n)` before the `n`th): the order is cut into
/// `threads` ranges of keys, the first merged straight into `w` while
/// the others are merged into buffers on threads of their own, written
/// after it in turn.
fn write_merged(
    chunks: &[Rendered],
    threads: usize,
    separator: &(dyn Fn(usize) -> &'static [u8] + Sync),
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let total: usize = chunks.iter().map(|r| r.keys.len()).sum();
    let ranges = if threads > 1 && total >= PARALLEL_MERGE_MIN {
        key_ranges(chunks, threads)
    } else {
        vec![chunks.iter().map(|r| (0, r.keys.len())).collect()]
    };
    let mut ranges = ranges.into_iter();
    let Some(first) = ranges.next() else {
        return Ok(());
    };
    // where each range starts in the output's count of results
    let mut starts = Vec::new();
    let mut n = first.iter().map(|(a, b)| b - a).sum::<usize>();
    let rest: Vec<_> = ranges
        .inspect(|bounds| {
            starts.push(n);
            n += bounds.iter().map(|(a, b)| b - a).sum::<usize>();
        })
        .collect();
    std::thread::scope(|scope| {
        let merged: Vec<_> = rest
            .iter()
            .zip(&starts)
            .map(|(bounds, &start)| {
                let merge = move || {
                    let mut buf = Vec::with_capacity(range_bytes(chunks, bounds));
                    write_range(chunks, bounds, start, separator, &mut buf).map(|()| buf)
                };
                match std::thread::Builder::new()
                    .name("kpi-merge".into())
                    .spawn_scoped(scope, merge)
                {
                    Ok(handle) => Merged::Thread(handle),
                    Err(_) => Merged::Here(bounds, start),
                }
            })
            .collect();
        write_range(chunks, &first, 0, separator, w)?;
        for m in merged {
            match m {
                Merged::Thread(handle) => {
                    let buf = handle
                        .join()
                        .map_err(|_| std::io::Error::other("a merging thread failed"))??;
                    w.write_all(&buf)?;
                }
                Merged::Here(bounds, start) => write_range(chunks, bounds, start, separator, w)?,
            }
        }
        Ok(())
    })
}

/// Writes the results at `bounds` in output order, each after its
/// separator; the first of them is the `start`th result of the output.
fn write_range(
    chunks: &[Rendered],
    bounds: &[(usize, usize)],
    start: usize,
    separator: &(dyn Fn(usize) -> &'static [u8] + Sync),
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut n = start;
    merge_range(chunks, bounds, |r, k| {
        w.write_all(separator(n))?;
        n += 1;
        w.write_all(r.text(k).as_bytes())
    })
}

/// About how long the results at `bounds` are, written (their texts and a
/// separator of up to 4 bytes each).
fn range_bytes(chunks: &[Rendered], bounds: &[(usize, usize)]) -> usize {
    chunks
        .iter()
        .zip(bounds)
        .map(|(r, &(from, to))| {
            let start = |i: usize| {
                i.checked_sub(1)
                    .and_then(|p| r.keys.get(p))
                    .map_or(0, |k| k.text_end as usize)
            };
            start(to).saturating_sub(start(from)) + 4 * to.saturating_sub(from)
        })
        .sum()
}

/// A range of results merged on another thread, or to merge here.
enum Merged<'s, 'b> {
    Thread(std::thread::ScopedJoinHandle<'s, std::io::Result<Vec<u8>>>),
    Here(&'b [(usize, usize)], usize),
}

/// The output order cut into about `parts` ranges of keys of about equal
/// size: per range, the sorted positions of each chunk it holds.
fn key_ranges(chunks: &[Rendered], parts: usize) -> Vec<Vec<(usize, usize)>> {
    // pivots: quantiles of a sample of every chunk's keys
    const SAMPLES: usize = 16;
    let mut sample: Vec<OrderKey<'_>> = chunks
        .iter()
        .flat_map(|r| {
            let len = r.keys.len();
            (0..SAMPLES)
                .map(move |q| q * len / SAMPLES)
                .filter(move |&k| k < len)
                .map(|k| r.key(k))
        })
        .collect();
    sample.sort_unstable();
    let pivots: Vec<OrderKey<'_>> = (1..parts)
        .filter_map(|p| sample.get(p * sample.len() / parts).copied())
        .collect();
    // per chunk, the first position at or past each pivot
    let cuts: Vec<Vec<usize>> = chunks
        .iter()
        .map(|r| {
            let mut at: Vec<usize> = vec![0];
            at.extend(pivots.iter().map(|pivot| {
                let (mut lo, mut hi) = (0, r.keys.len());
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if r.key(mid) < *pivot {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                lo
            }));
            at.push(r.keys.len());
            at
        })
        .collect();
    (0..=pivots.len())
        .map(|p| {
            cuts.iter()
                .map(|at| {
                    let from = at.get(p).copied().unwrap_or(0);
                    (from, at.get(p + 1).copied().unwrap_or(from).max(from))
                })
                .collect()
        })
        .collect()
}

/// Results held in memory before a sorted run of them goes to disk (about
/// a million S1 results, ~80 B each).
const SPILL_BYTES: usize = 128 << 20;

/// What the collector kept: results in memory, the runs on disk, and the
/// evaluation errors with their chunk numbers.
#[derive(Default)]
struct Collected {
    chunks: Vec<Rendered>,
    runs: Option<spill::Runs>,
    errors: Vec<(usize, Vec<EvalError>)>,
    /// A run that could not be written.
    failed: Option<std::io::Error>,
}

impl Collected {
    /// What a chunk's results take in memory, allocations included.
    fn bytes(r: &Rendered) -> usize {
        r.text.capacity() + r.names.capacity() + r.keys.capacity() * std::mem::size_of::<Key>()
    }

    /// The results held, sorted, as one run on disk.
    fn spill(&mut self) -> std::io::Result<()> {
        let runs = match &mut self.runs {
            Some(r) => r,
            None => self.runs.insert(spill::Runs::new()?),
        };
        // straight from the merge into the file
        let mut run = runs.start()?;
        merge_sorted(&self.chunks, |r, k| {
            run.push(&spill::Item {
                team: r.team(k),
                period: r.period(k),
                employee: r.employee(k),
                text: r.text(k),
            })
        })?;
        runs.finish(run)?;
        self.chunks.clear();
        Ok(())
    }
}

/// Gathers the workers' results, spilling sorted runs past [`SPILL_BYTES`].
fn collect(done: Receiver<(usize, Rendered)>, spill_bytes: usize) -> Collected {
    let mut c = Collected::default();
    let mut held = 0;
    for (index, mut r) in done {
        if !r.errors.is_empty() {
            c.errors.push((index, std::mem::take(&mut r.errors)));
        }
        if !c.errors.is_empty() {
            // nothing will be written: keep the errors only
            c.chunks.clear();
            continue;
        }
        held += Collected::bytes(&r);
        c.chunks.push(r);
        if held >= spill_bytes && c.failed.is_none() {
            if let Err(e) = c.spill() {
                c.failed = Some(e);
            }
            held = 0;
        }
    }
    c
}

/// `kpi eval` in one pass; the program is checked and [`eligible`].
pub(crate) fn run(
    args: &Args,
    lang: Lang,
    src: &Source,
    program: &Program,
    format: OutputFormat,
) -> Exit {
    let layout = match args.data.read.layout(args.period.as_deref()) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let opts = ReadOptions {
        percent_fractions: args.data.percent_fractions,
    };
    let mut files = Vec::new();
    for path in &args.data.data {
        match open(path, &layout, lang) {
            Ok(f) => files.push(f),
            Err(e) => return e,
        }
    }
    let context_file = match args.data.context.as_deref() {
        Some(cpath) if !program.context.is_empty() => match read(cpath, lang) {
            Ok(f) => Some(f),
            Err(e) => return e,
        },
        _ => None,
    };
    let inputs: Vec<(String, DataInput<'_>)> = files
        .iter_mut()
        // A large file's rows are read on one thread: the workers keep the
        // cores busy, and reading in parallel parts only held more memory
        // (S1 at 10 M rows: 315 -> 400 MB, in the same time).
        .map(|(name, file)| (name.clone(), file.input(false)))
        .collect();
    let context_file = context_file
        .as_ref()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()));
    let json = format == OutputFormat::Json;
    let workers = args
        .threads
        .unwrap_or_else(crate::eval::default_threads)
        .max(1);
    let context: OnceLock<ContextValues> = OnceLock::new();
    let (tx, rx) = sync_channel::<Job>(workers * 2);
    // The workers share the receiving end; when the last of them ends, for
    // whatever reason, it goes and the reader's sends fail instead of block.
    let jobs = std::sync::Arc::new(Mutex::new(rx));
    let (read, collected, lost) = std::thread::scope(|scope| {
        let (done_tx, done_rx) = sync_channel(workers * 2);
        let spill_bytes = args.spill_bytes.unwrap_or(SPILL_BYTES);
        let spawn = || std::thread::Builder::new().name("kpi-eval".into());
        let Ok(collector) = spawn().spawn_scoped(scope, move || collect(done_rx, spill_bytes))
        else {
            return (BatchRead::default(), Collected::default(), true);
        };
        let handles: Vec<_> = (0..workers)
            .filter_map(|_| {
                let done = done_tx.clone();
                let (jobs, context) = (jobs.clone(), &context);
                spawn()
                    .spawn_scoped(scope, move || work(program, json, &jobs, context, done))
                    .ok()
            })
            .collect();
        drop(jobs);
        if handles.is_empty() {
            drop(done_tx);
            let _ = collector.join();
            return (BatchRead::default(), Collected::default(), true);
        }
        drop(done_tx);
        let mut next = 0;
        let read = data::stream_batch(
            program,
            inputs,
            context_file,
            &opts,
            &layout,
            CHUNK_ROWS,
            workers,
            &mut |cells: &std::collections::BTreeMap<Period, Vec<Cell>>, records| {
                context.get_or_init(|| {
                    cells
                        .iter()
                        .map(|(p, c)| (*p, c.iter().cloned().map(Cell::into_value).collect()))
                        .collect()
                });
                // the workers only stop when `tx` is dropped, below
                let _ = tx.send((next, records));
                next += 1;
            },
        );
        drop(tx);
        let mut lost = false;
        for h in handles {
            lost |= h.join().is_err();
        }
        let collected = collector.join().unwrap_or_else(|_| {
            lost = true;
            Collected::default()
        });
        (read, collected, lost)
    });
    drop(files);
    let BatchRead {
        errors,
        notices,
        missing_context,
        ..
    } = read;
    if !missing_context.is_empty() {
        super::eval::report_missing_context(&missing_context, lang);
        return Exit::Usage;
    }
    for line in data::notice_lines(&notices, lang) {
        eprintln!("{line}");
    }
    if !errors.is_empty() {
        report_data(&errors, lang);
        return Exit::Failure;
    }
    let Collected {
        chunks,
        runs,
        mut errors,
        failed,
    } = collected;
    errors.sort_by_key(|(i, _)| *i);
    let mut eval_errors: Vec<EvalError> = errors.into_iter().flat_map(|(_, e)| e).collect();
    if lost {
        eval_errors.insert(0, EvalError::internal());
    }
    if !eval_errors.is_empty() {
        eval_errors.truncate(data::MAX_ERRORS);
        report_eval(&eval_errors, src, lang);
        return Exit::Failure;
    }
    let mut collected = Collected {
        chunks,
        runs,
        ..Collected::default()
    };
    let spilled = collected.runs.is_some();
    if let Some(e) = failed.or_else(|| spilled.then(|| collected.spill().err()).flatten()) {
        match lang {
            Lang::En => eprintln!("error: cannot write a temporary file of sorted results: {e}"),
            Lang::Zh => eprintln!("error: 无法写入排序用的临时文件：{e}"),
        }
        return Exit::Failure;
    }
    let chunks = &collected.chunks;
    let labels = args.headers == HeaderStyle::Labels;
    let mut head = results_head(program, json, labels);
    if !json && args.output.is_some() {
        // Excel reads a CSV file as UTF-8 only with a BOM
        head.insert(0, '\u{feff}');
    }
    let empty = chunks.iter().all(|r| r.keys.is_empty())
        && collected.runs.as_ref().is_none_or(spill::Runs::is_empty);
    let tail = results_tail(json, empty);
    let separator = |n: usize| results_separator(json, n).as_bytes();
    super::output::emit_with(args.output.as_deref(), |w| {
        w.write_all(head.as_bytes())?;
        match &collected.runs {
            Some(runs) => runs.merge(|n, text| {
                w.write_all(separator(n))?;
                w.write_all(text.as_bytes())
            })?,
            None => write_merged(chunks, workers, &separator, w)?,
        }
        w.write_all(tail.as_bytes())
    })
}
