//! One run's data read from bytes: every records file and the context file,
//! validated against a compiled policy's inputs, with every error and
//! notice. The files are already in memory (read from disk by the command
//! line, or uploaded to the workbench), so this does no IO.

use super::context::ContextCells;
use super::error::DataErrorKind;
use super::records::{stream_records_file, stream_records_reader, ChunkSink, DataInput};
use super::{
    read_context_file, Cell, DataError, DataNotice, FieldSpec, Layout, ReadOptions, Record,
};
use crate::ir::Program;
use crate::types::Period;
use foldhash::fast::FixedState;
use std::collections::{BTreeMap, HashMap};

/// What [`read_batch`] found.
#[derive(Debug, Default)]
pub struct BatchRead {
    /// The good records of every file (kept even when others are bad, so
    /// that a period missing from the context is found in the same run).
    pub records: Vec<Record>,
    /// Context cells per period, in context-input order.
    pub context: BTreeMap<Period, Vec<Cell>>,
    /// Every bad cell, row and missing period; the batch is usable only
    /// when this is empty.
    pub errors: Vec<DataError>,
    /// Skipped rows, a guessed encoding, defaults taken.
    pub notices: Vec<DataNotice>,
    /// The ids of the context inputs, when the policy has some and no
    /// context file was given (nothing else was read then).
    pub missing_context: Vec<String>,
}

/// Reads records files (`(name, bytes)`, any format of §5.3) and the
/// context file for `program`: the layout's key names first, then the
/// policy's `key` declarations. [`stream_batch`] with the records kept.
pub fn read_batch(
    program: &Program,
    files: &[(String, &[u8])],
    context: Option<(&str, &[u8])>,
    opts: &ReadOptions,
    layout: &Layout,
) -> BatchRead {
    let inputs = files
        .iter()
        .map(|(name, bytes)| (name.clone(), DataInput::Bytes(bytes)))
        .collect();
    let mut records = Vec::new();
    let mut read = stream_batch(
        program,
        inputs,
        context,
        opts,
        layout,
        8192,
        1,
        &mut |_, chunk| records.extend(chunk),
    );
    read.records = records;
    read
}

/// The layout's key names first, then the policy's `key` declarations.
fn batch_layout(program: &Program, layout: &Layout) -> Layout {
    let mut layout = layout.clone();
    layout
        .keys
        .employee
        .extend(program.keys.employee.iter().cloned());
    layout
        .keys
        .period
        .extend(program.keys.period.iter().cloned());
    layout.keys.team.extend(program.keys.team.iter().cloned());
    layout
}

/// The context file read for `program` (`layout` already extended).
fn read_batch_context(
    program: &Program,
    name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
    layout: &Layout,
) -> (Result<ContextCells, Vec<DataError>>, Vec<DataNotice>) {
    let cspecs: Vec<FieldSpec> = program.context.iter().map(FieldSpec::of).collect();
    let ctx_layout = Layout {
        sheet: None,
        ..layout.clone()
    };
    read_context_file(name, bytes, &cspecs, opts, &ctx_layout)
}

/// [`read_batch`] for one pass over data larger than memory should hold:
/// the context is read first, then the good records of every file are
/// handed to `deliver` in chunks of about `chunk_rows`, in file order, as
/// they are read. The same checks are made as by [`read_batch`] (a
/// person's month in two files, a period missing from the context) and
/// reported the same way; `records` in the result is empty (`context` is
/// the context read). Delimited text is read by up to `threads` threads.
/// `deliver` gets the context with each chunk and is not called at all
/// when the context is missing or bad (the records are read for their
/// errors then). Records delivered before an error is found are not
/// usable for results: look at `errors` at the end.
#[allow(clippy::too_many_arguments)]
pub fn stream_batch(
    program: &Program,
    files: Vec<(String, DataInput<'_>)>,
    context: Option<(&str, &[u8])>,
    opts: &ReadOptions,
    layout: &Layout,
    chunk_rows: usize,
    threads: usize,
    deliver: &mut dyn FnMut(&ContextCells, Vec<Record>),
) -> BatchRead {
    let layout = batch_layout(program, layout);
    let mut out = BatchRead::default();
    let mut ctx = BTreeMap::new();
    let mut ctx_name = "";
    let mut context_bad = false;
    if !program.context.is_empty() {
        let Some((name, bytes)) = context else {
            out.missing_context = program.context.iter().map(|f| f.id.clone()).collect();
            return out;
        };
        let (read, notices) = read_batch_context(program, name, bytes, opts, &layout);
        out.notices.extend(notices);
        match read {
            Ok(c) => ctx = c,
            // the records are still read, for their own errors
            Err(e) => {
                out.errors.extend(e);
                context_bad = true;
            }
        }
        ctx_name = name;
    }
    let specs: Vec<FieldSpec> = program.inputs.iter().map(FieldSpec::of).collect();
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    // (employee, period) → (file, line) of its first record; one file
    // checks itself (`read_records_file` does), several need this.
    let mut first: HashMap<(String, Period), (usize, usize), FixedState> = HashMap::default();
    // Per file: the first line of each period missing from the context.
    let mut missing: Vec<BTreeMap<Period, usize>> = vec![BTreeMap::new(); files.len()];
    let mut across: Vec<DataError> = Vec::new();
    let check_context = !program.context.is_empty();
    for (i, (name, input)) in files.into_iter().enumerate() {
        let name = name.as_str();
        let mut pass_on = |mut records: Vec<Record>| {
            if names.len() > 1 {
                records.retain(|r| match first.get(&(r.employee().to_string(), r.period)) {
                    Some(&(file, line)) if file != i => {
                        across.push(DataError::new(
                            name,
                            r.line,
                            None,
                            DataErrorKind::DuplicateAcrossFiles {
                                employee: r.employee().to_string(),
                                period: r.period.to_string(),
                                first_file: names
                                    .get(file)
                                    .map(|s| s.to_string())
                                    .unwrap_or_default(),
                                first_line: line,
                            },
                        ));
                        false
                    }
                    _ => {
                        first.insert((r.employee().to_string(), r.period), (i, r.line));
                        true
                    }
                });
            }
            if context_bad {
                return;
            }
            if check_context {
                for r in &records {
                    if !ctx.contains_key(&r.period) {
                        if let Some(m) = missing.get_mut(i) {
                            let line = m.entry(r.period).or_insert(r.line);
                            *line = (*line).min(r.line);
                        }
                    }
                }
            }
            deliver(&ctx, records);
        };
        let mut chunk = ChunkSink {
            rows: chunk_rows.max(1),
            parallel: super::Parallel::threads(threads),
            deliver: &mut pass_on,
        };
        let read = match input {
            DataInput::Bytes(bytes) => {
                stream_records_file(name, bytes, &specs, opts, &layout, chunk)
            }
            DataInput::Reader { reader, in_parts } => {
                if !in_parts {
                    chunk.parallel = super::Parallel::threads(1);
                }
                stream_records_reader(name, reader, &specs, opts, &layout, chunk)
            }
        };
        out.errors.extend(read.errors);
        out.notices.extend(read.notices);
    }
    out.errors.extend(across);
    for (name, periods) in names.iter().zip(missing) {
        let errors = periods
            .into_iter()
            .map(|(period, line)| {
                DataError::new(
                    name,
                    line,
                    Some("period"),
                    DataErrorKind::MissingPeriod {
                        period: period.to_string(),
                        context_file: ctx_name.to_string(),
                    },
                )
            })
            .collect::<Vec<_>>();
        out.errors.extend(errors);
    }
    out.context = ctx;
    out
}
