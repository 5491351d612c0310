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

use super::eval::{read, report_data, report_eval, Args, ContextValues, HeaderStyle, OutputFormat};
use super::output::{output_header, push_csv_field, push_json_str, render_row};
use super::{Exit, Source};
use crate::data::{self, BatchRead, Cell, ReadOptions, Record};
use crate::diag::Lang;
use crate::eval::{order_by_keys, EvalError, Row, RowEvaluator};
use crate::ir::Program;
use crate::types::Period;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Mutex, OnceLock};

/// Records per chunk handed from the reader to the workers.
const CHUNK_ROWS: usize = 8192;

/// Whether `kpi eval` can run in one pass for this program and format.
pub(crate) fn eligible(program: &Program, format: OutputFormat) -> bool {
    matches!(format, OutputFormat::Csv | OutputFormat::Json) && crate::eval::per_record(program)
}

/// Where one rendered result is in its [`Rendered`] chunk.
struct Key {
    /// End of its text in `text` (it starts where the previous one ends).
    text_end: usize,
    /// End of its employee id in `names`; its team follows, up to `name_end`.
    employee_end: usize,
    name_end: usize,
    has_team: bool,
    period: u32,
}

/// One chunk's results, rendered, in input order.
#[derive(Default)]
struct Rendered {
    text: String,
    names: String,
    keys: Vec<Key>,
    errors: Vec<EvalError>,
}

impl Rendered {
    fn text(&self, k: usize) -> &str {
        let start = k
            .checked_sub(1)
            .and_then(|p| self.keys.get(p))
            .map_or(0, |p| p.text_end);
        let end = self.keys.get(k).map_or(start, |key| key.text_end);
        self.text.get(start..end).unwrap_or("")
    }

    fn name_start(&self, k: usize) -> usize {
        k.checked_sub(1)
            .and_then(|p| self.keys.get(p))
            .map_or(0, |p| p.name_end)
    }

    fn employee(&self, k: usize) -> &str {
        let start = self.name_start(k);
        let end = self.keys.get(k).map_or(start, |key| key.employee_end);
        self.names.get(start..end).unwrap_or("")
    }

    fn team(&self, k: usize) -> Option<&str> {
        let key = self.keys.get(k)?;
        if !key.has_team {
            return None;
        }
        self.names.get(key.employee_end..key.name_end)
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
) -> Vec<(usize, Rendered)> {
    let Some(mut evaluator) = RowEvaluator::new(program) else {
        return Vec::new();
    };
    let empty = ContextValues::new();
    let mut done = Vec::new();
    let mut cell = String::new();
    loop {
        // A poisoned lock means another worker died; stop like at the end.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok((index, records)) = job else { break };
        let context = context.get().unwrap_or(&empty);
        let mut out = Rendered {
            text: String::with_capacity(records.len() * 64),
            ..Rendered::default()
        };
        for record in records {
            let row = Row::from(record);
            match evaluator.eval(&row, context) {
                Ok(values) => {
                    render_row(program, &row, values, json, &mut out.text, &mut cell);
                    out.names.push_str(&row.employee);
                    let employee_end = out.names.len();
                    if let Some(t) = &row.team {
                        out.names.push_str(t);
                    }
                    out.keys.push(Key {
                        text_end: out.text.len(),
                        employee_end,
                        name_end: out.names.len(),
                        has_team: row.team.is_some(),
                        period: row.period.index() as u32,
                    });
                }
                Err(e) => {
                    if out.errors.len() < data::MAX_ERRORS {
                        out.errors.push(e);
                    }
                }
            }
        }
        done.push((index, out));
    }
    done
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
        match read(path, lang) {
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
    let borrowed: Vec<(String, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (name.clone(), bytes.as_slice()))
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
    let jobs = Mutex::new(rx);
    let (read, mut chunks) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| work(program, json, &jobs, &context)))
            .collect();
        let mut next = 0;
        let read = data::stream_batch(
            program,
            &borrowed,
            context_file,
            &opts,
            &layout,
            CHUNK_ROWS,
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
        let mut chunks = Vec::new();
        let mut lost = false;
        for h in handles {
            match h.join() {
                Ok(done) => chunks.extend(done),
                Err(_) => lost = true,
            }
        }
        if lost {
            chunks.clear();
            chunks.push((
                0,
                Rendered {
                    errors: vec![EvalError::internal()],
                    ..Rendered::default()
                },
            ));
        }
        (read, chunks)
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
    chunks.sort_by_key(|(i, _)| *i);
    let mut eval_errors: Vec<EvalError> = Vec::new();
    for (_, c) in &mut chunks {
        eval_errors.append(&mut c.errors);
    }
    if !eval_errors.is_empty() {
        eval_errors.truncate(data::MAX_ERRORS);
        report_eval(&eval_errors, src, lang);
        return Exit::Failure;
    }
    // every result, as (chunk, index in chunk), then in output order
    let at: Vec<(usize, usize)> = chunks
        .iter()
        .enumerate()
        .flat_map(|(c, (_, r))| (0..r.keys.len()).map(move |k| (c, k)))
        .collect();
    let chunk = |i: usize| at.get(i).and_then(|&(c, k)| Some((&chunks.get(c)?.1, k)));
    let order = order_by_keys(
        at.len(),
        |i| chunk(i).and_then(|(r, k)| r.team(k)),
        |i| {
            chunk(i)
                .and_then(|(r, k)| r.keys.get(k))
                .map_or(0, |key| key.period)
        },
        |i| chunk(i).map_or("", |(r, k)| r.employee(k)),
    );
    let labels = args.headers == HeaderStyle::Labels;
    let mut head = String::new();
    if json {
        head.push_str("{\"policy\": ");
        push_json_str(&mut head, &program.name);
        head.push_str(", \"results\": [");
    } else {
        if args.output.is_some() {
            // Excel reads a CSV file as UTF-8 only with a BOM
            head.push('\u{feff}');
        }
        head.push_str("employee,period,team");
        for o in &program.outputs {
            head.push(',');
            push_csv_field(&mut head, &output_header(program, o, labels));
        }
        head.push('\n');
    }
    let tail = match (json, order.is_empty()) {
        (false, _) => "",
        (true, true) => "]}\n",
        (true, false) => "\n]}\n",
    };
    super::output::emit_with(args.output.as_deref(), |w| {
        w.write_all(head.as_bytes())?;
        for (n, &i) in order.iter().enumerate() {
            if json {
                w.write_all(if n == 0 { b"\n  " } else { b",\n  " })?;
            }
            if let Some((r, k)) = chunk(i) {
                w.write_all(r.text(k).as_bytes())?;
            }
        }
        w.write_all(tail.as_bytes())
    })
}
