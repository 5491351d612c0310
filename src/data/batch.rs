//! One run's data read from bytes: every records file and the context file,
//! validated against a compiled policy's inputs, with every error and
//! notice. The files are already in memory (read from disk by the command
//! line, or uploaded to the workbench), so this does no IO.

use super::{
    check_context_periods, merge_files, read_context_file, read_records_file, Cell, DataError,
    DataNotice, FieldSpec, Layout, ReadOptions, Record, RecordsRead,
};
use crate::ir::Program;
use crate::types::Period;
use std::collections::BTreeMap;

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
/// policy's `key` declarations.
pub fn read_batch(
    program: &Program,
    files: &[(String, &[u8])],
    context: Option<(&str, &[u8])>,
    opts: &ReadOptions,
    layout: &Layout,
) -> BatchRead {
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
    if !program.context.is_empty() && context.is_none() {
        return BatchRead {
            missing_context: program.context.iter().map(|f| f.id.clone()).collect(),
            ..BatchRead::default()
        };
    }
    let specs: Vec<FieldSpec> = program.inputs.iter().map(FieldSpec::of).collect();
    let read: Vec<(String, RecordsRead)> = files
        .iter()
        .map(|(name, bytes)| {
            let r = read_records_file(name, bytes, &specs, opts, &layout);
            (name.clone(), r)
        })
        .collect();
    let first_name = files.first().map(|(n, _)| n.clone()).unwrap_or_default();
    let RecordsRead {
        records,
        mut errors,
        mut notices,
    } = merge_files(read);
    let mut out_context = BTreeMap::new();
    if let (false, Some((ctx_name, ctx_bytes))) = (program.context.is_empty(), context) {
        let cspecs: Vec<FieldSpec> = program.context.iter().map(FieldSpec::of).collect();
        let ctx_layout = Layout {
            sheet: None,
            ..layout.clone()
        };
        let (read, ctx_notices) =
            read_context_file(ctx_name, ctx_bytes, &cspecs, opts, &ctx_layout);
        notices.extend(ctx_notices);
        match read {
            Ok(c) => {
                errors.extend(check_context_periods(&first_name, &records, &c, ctx_name));
                out_context = c;
            }
            Err(e) => errors.extend(e),
        }
    }
    BatchRead {
        records,
        context: out_context,
        errors,
        notices,
        missing_context: Vec::new(),
    }
}
