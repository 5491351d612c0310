//! Evaluation of a compiled [`Program`] over a batch of records.
//!
//! Records are sorted by (team, period, employee) once. Slots are computed
//! stage by stage: within a stage every per-record slot is evaluated row by
//! row; before it, the stage's team and history slots are filled by one
//! pass per group, so an aggregate costs O(n log n) per batch, not per record.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

mod compiled;
pub mod error;
pub mod expr;
pub mod format;
mod group;
pub mod matrix;
/// Exact numbers live in [`crate::num`], shared with the checker and the data layer.
pub use crate::num;
use crate::packed;
pub use crate::packed::Inputs;
mod output_order;

pub use error::EvalError;

use crate::data::Ids;
use crate::ir::*;
use crate::types::Period;
use expr::{eval, Env, Trace, TraceEvent};
use std::collections::BTreeMap;

/// One record's inputs, already validated and in base units.
#[derive(Debug, Clone)]
pub struct Row {
    /// The employee id and team name.
    pub ids: Ids,
    pub period: Period,
    /// Line in the data file (for error messages); 0 when not from a file.
    pub line: usize,
    /// One value per input of the program, packed (5 bytes each).
    pub inputs: Inputs,
}

impl Row {
    pub fn new(
        employee: &str,
        period: Period,
        team: Option<&str>,
        line: usize,
        inputs: impl Into<Inputs>,
    ) -> Row {
        Row {
            ids: Ids::new(employee, team),
            period,
            line,
            inputs: inputs.into(),
        }
    }

    pub fn employee(&self) -> &str {
        self.ids.employee()
    }

    pub fn team(&self) -> Option<&str> {
        self.ids.team()
    }
}

impl From<crate::data::Record> for Row {
    /// A validated record of the data layer, ready to evaluate.
    fn from(r: crate::data::Record) -> Row {
        Row {
            ids: r.ids,
            period: r.period,
            line: r.line,
            inputs: r.inputs,
        }
    }
}

/// The result of evaluating a batch.
#[derive(Debug)]
pub struct Evaluated {
    /// Row indices in output order: by team, period, employee.
    pub order: Vec<usize>,
    /// One value per (row, slot).
    pub values: matrix::Matrix,
    pub slots: usize,
    /// Decision points per (row, slot), for the traced row only.
    pub trace: Vec<(usize, Vec<TraceEvent>)>,
}

impl Evaluated {
    pub fn value(&self, row: usize, slot: usize) -> Option<Value> {
        self.values.get(row, slot)
    }

    /// Every slot's value for one row.
    pub fn row(&self, row: usize) -> Vec<Value> {
        self.values.row(row)
    }

    /// [`Evaluated::row`] into a buffer that is reused row after row.
    pub fn row_into(&self, row: usize, out: &mut Vec<Value>) {
        self.values.row_into(row, out);
    }
}

/// A record's inputs as a pass is given them: as a batch holds them
/// ([`Inputs`], packed: compiled code reads them so, and the walker only
/// once they are unpacked), or as values.
trait RowInputs {
    /// Input `i` as a value (`None` when the inputs are packed).
    fn value(&self, i: usize) -> Option<&Value>;
    /// Input `i` packed; what does not fit goes to `side`.
    fn packed(&self, i: usize, side: &mut Vec<Value>) -> Option<packed::Packed>;
    /// Every input as a value, unpacked into `buffer` if need be.
    fn values<'b>(&'b self, buffer: &'b mut Vec<Value>) -> &'b [Value];
}

impl RowInputs for Inputs {
    fn value(&self, _: usize) -> Option<&Value> {
        None
    }

    #[inline(always)]
    fn packed(&self, i: usize, side: &mut Vec<Value>) -> Option<packed::Packed> {
        self.packed_into(i, side)
    }

    fn values<'b>(&'b self, buffer: &'b mut Vec<Value>) -> &'b [Value] {
        self.unpack_into(buffer);
        buffer
    }
}

impl RowInputs for [Value] {
    #[inline]
    fn value(&self, i: usize) -> Option<&Value> {
        self.get(i)
    }

    #[inline(always)]
    fn packed(&self, i: usize, side: &mut Vec<Value>) -> Option<packed::Packed> {
        Some(packed::pack(self.get(i)?, side))
    }

    fn values<'b>(&'b self, _: &'b mut Vec<Value>) -> &'b [Value] {
        self
    }
}

struct RowEnv<'a, I: RowInputs + ?Sized> {
    inputs: &'a I,
    ctx: &'a [Value],
    slots: &'a [Value],
}

impl<I: RowInputs + ?Sized> Env for RowEnv<'_, I> {
    #[inline]
    fn read(&self, s: Source) -> Option<&Value> {
        match s {
            Source::Input(i) => self.inputs.value(i),
            Source::Context(i) => self.ctx.get(i),
            Source::Slot(i) => self.slots.get(i),
        }
    }
}

impl<I: RowInputs + ?Sized> compiled::Record for RowEnv<'_, I> {
    #[inline(always)]
    fn input(&self, i: usize, side: &mut Vec<Value>) -> Option<packed::Packed> {
        self.inputs.packed(i, side)
    }
}

/// Stop collecting errors after this many.
const MAX_ERRORS: usize = 1000;

/// Stack of each evaluation thread.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Batches smaller than this are evaluated on one thread.
const PARALLEL_MIN_ROWS: usize = 20_000;

/// What one stage's per-record pass needs to know.
struct StagePass<'a> {
    program: &'a Program,
    context: &'a BTreeMap<Period, Vec<Value>>,
    /// The stage's slots in evaluation order, with their indices.
    slots: &'a [(usize, &'a Slot)],
    /// Each of `slots`' expression compiled (`None`: the walker evaluates
    /// it); empty to walk every slot.
    codes: &'a [Option<compiled::Code>],
    /// All of the stage's per-record slots compiled as one program, tried
    /// first (`None`: slot by slot).
    row_code: Option<&'a compiled::RowCode>,
    /// The slots the stage may read that are already in the matrix:
    /// those of earlier stages and its own team and history figures.
    known: &'a [usize],
    width: usize,
    trace_row: Option<usize>,
}

impl StagePass<'_> {
    /// Evaluates the stage's slots for `rows` (starting at row index
    /// `first`), reading and writing their part of the matrix.
    fn run(
        &self,
        rows: &[Row],
        first: usize,
        values: &mut matrix::Chunk,
        groups: &matrix::GroupCells,
    ) -> (Vec<EvalError>, Vec<(usize, Vec<TraceEvent>)>) {
        let mut errors = Vec::new();
        let mut trace = Vec::new();
        // each row is evaluated unpacked, then its new values packed
        let mut cells = vec![matrix::UNSET; self.width];
        let computed: Vec<usize> = self
            .slots
            .iter()
            .filter(|(_, slot)| matches!(slot.compute, Compute::Expr(_)))
            .map(|&(s, _)| s)
            .collect();
        let mut inputs = Vec::new();
        let mut scratch = compiled::Scratch::default();
        for (k, row) in rows.iter().enumerate() {
            values.load(k, &mut cells, self.known);
            groups.load(first + k, &mut cells, self.known);
            let tracing = self.trace_row == Some(first + k);
            if self.row(
                row,
                &row.inputs,
                &mut inputs,
                &mut cells,
                tracing,
                &mut scratch,
                &mut errors,
                &mut trace,
            ) {
                values.store(k, &cells, &computed);
            }
        }
        (errors, trace)
    }

    /// Evaluates the stage's slots for one row (given its `inputs`; packed
    /// ones are unpacked into `unpacked` if the walker must run) into
    /// `cells` (the row's values, one per slot); false after an error
    /// (pushed to `errors`).
    #[allow(clippy::too_many_arguments)]
    fn row<I: RowInputs + ?Sized>(
        &self,
        row: &Row,
        inputs: &I,
        unpacked: &mut Vec<Value>,
        cells: &mut [Value],
        tracing: bool,
        scratch: &mut compiled::Scratch,
        errors: &mut Vec<EvalError>,
        trace: &mut Vec<(usize, Vec<TraceEvent>)>,
    ) -> bool {
        let empty: &[Value] = &[];
        let ctx = if self.program.context.is_empty() {
            empty
        } else if let Some(c) = self.context.get(&row.period) {
            c
        } else {
            if errors.len() < MAX_ERRORS {
                errors.push(EvalError::missing_context(row));
            }
            return false;
        };
        // The whole record in one program when it gives its values; else
        // slot by slot.
        if let Some(code) = self.row_code.filter(|_| !tracing) {
            let env = RowEnv {
                inputs,
                ctx,
                slots: cells,
            };
            if code.run(&env, scratch).is_some() && code.store(scratch, cells).is_some() {
                return true;
            }
        }
        let inputs = inputs.values(unpacked);
        for (i, &(s, slot)) in self.slots.iter().enumerate() {
            let Compute::Expr(e) = &slot.compute else {
                continue;
            };
            let env = RowEnv {
                inputs,
                ctx,
                slots: cells,
            };
            // The compiled code when it gives a value; else the walker,
            // which explains, and reports any error with its span.
            let code = self.codes.get(i).and_then(Option::as_ref);
            if let Some(p) = code.filter(|_| !tracing).and_then(|c| c.run(&env, scratch)) {
                if let Some(cell) = cells.get_mut(s) {
                    scratch.store(p, cell);
                    continue;
                }
            }
            let env = RowEnv {
                inputs,
                ctx,
                slots: cells,
            };
            let mut t: Trace = if tracing { Some(Vec::new()) } else { None };
            match (eval(e, &env, &mut t), cells.get_mut(s)) {
                // (`s` indexes `program.slots`, as many as a row's cells)
                (Ok(v), Some(cell)) => *cell = v,
                (Ok(_), None) => {
                    if errors.len() < MAX_ERRORS {
                        errors.push(EvalError::internal());
                    }
                    return false;
                }
                (Err(f), _) => {
                    if errors.len() < MAX_ERRORS {
                        errors.push(EvalError::fault(row, &slot.name, f));
                    }
                    return false;
                }
            }
            if let Some(t) = t {
                trace.push((s, t));
            }
        }
        true
    }
}

/// Each slot's expression compiled, in the order of `slots`.
fn compile(slots: &[(usize, &Slot)]) -> Vec<Option<compiled::Code>> {
    slots
        .iter()
        .map(|(_, slot)| match &slot.compute {
            Compute::Expr(e) => compiled::Code::new(e),
            Compute::Team(_) | Compute::History(_) => None,
        })
        .collect()
}

/// Whether every slot of `program` is computed from its own record alone
/// (no team or history figures): then records can be evaluated one at a
/// time, in any grouping, with [`RowEvaluator`].
pub fn per_record(program: &Program) -> bool {
    program
        .slots
        .iter()
        .all(|s| matches!(s.compute, Compute::Expr(_)))
}

/// Evaluates the records of a per-record program (see [`per_record`]) one
/// at a time into one reused row of values: the same values as
/// [`evaluate`] gives, without holding a batch.
pub struct RowEvaluator<'a> {
    program: &'a Program,
    slots: Vec<(usize, &'a Slot)>,
    codes: Vec<Option<compiled::Code>>,
    row_code: Option<compiled::RowCode>,
    scratch: compiled::Scratch,
    /// The inputs unpacked, when the walker needs them.
    unpacked: Vec<Value>,
    values: Vec<Value>,
}

impl<'a> RowEvaluator<'a> {
    /// `None` when the program has team or history figures.
    pub fn new(program: &'a Program) -> Option<RowEvaluator<'a>> {
        if !per_record(program) {
            return None;
        }
        let mut slots = Vec::with_capacity(program.order.len());
        for &s in &program.order {
            slots.push((s, program.slots.get(s)?));
        }
        Some(RowEvaluator {
            program,
            codes: compile(&slots),
            row_code: compiled::RowCode::new(&slots),
            slots,
            scratch: compiled::Scratch::default(),
            unpacked: Vec::new(),
            values: vec![matrix::UNSET; program.slots.len()],
        })
    }

    /// [`RowEvaluator::new`] evaluating every slot with the tree walker
    /// alone: the reference the compiled code is tested against.
    #[doc(hidden)]
    pub fn walking(program: &'a Program) -> Option<RowEvaluator<'a>> {
        let mut e = RowEvaluator::new(program)?;
        e.codes.clear();
        e.row_code = None;
        Some(e)
    }

    /// Every slot's value for `row` (valid until the next call), or the
    /// first error, as [`evaluate`] reports it. The compiled code reads
    /// the inputs packed; they are unpacked only for the tree walker.
    pub fn eval(
        &mut self,
        row: &Row,
        context: &BTreeMap<Period, Vec<Value>>,
    ) -> Result<&[Value], EvalError> {
        let pass = StagePass {
            program: self.program,
            context,
            slots: &self.slots,
            codes: &self.codes,
            row_code: self.row_code.as_ref(),
            known: &[],
            width: self.values.len(),
            trace_row: None,
        };
        let mut errors = Vec::new();
        if pass.row(
            row,
            &row.inputs,
            &mut self.unpacked,
            &mut self.values,
            false,
            &mut self.scratch,
            &mut errors,
            &mut Vec::new(),
        ) {
            return Ok(&self.values);
        }
        Err(errors
            .into_iter()
            .next()
            .unwrap_or_else(EvalError::internal))
    }
}

/// The decisions made for row `row` of an evaluated batch, as
/// `evaluate(…, Some(row))` records them, without evaluating the batch
/// again: the row's per-record slots are replayed over its computed values
/// (team and history figures included), so explaining every row of a batch
/// costs one more pass, not one batch per row.
pub fn trace_row(
    program: &Program,
    rows: &[Row],
    context: &BTreeMap<Period, Vec<Value>>,
    ev: &Evaluated,
    row: usize,
) -> Vec<(usize, Vec<TraceEvent>)> {
    let values = ev.values.row(row);
    let Some(r) = rows.get(row).filter(|_| !values.is_empty()) else {
        return Vec::new();
    };
    let values = values.as_slice();
    let inputs = r.inputs.to_vec();
    let empty: Vec<Value> = Vec::new();
    let ctx = context.get(&r.period).unwrap_or(&empty);
    let env = RowEnv {
        inputs: inputs.as_slice(),
        ctx,
        slots: values,
    };
    let mut trace = Vec::new();
    for &s in &program.order {
        let Some(Compute::Expr(e)) = program.slots.get(s).map(|slot| &slot.compute) else {
            continue;
        };
        let mut t: Trace = Some(Vec::new());
        // The batch evaluated without errors, so neither does the replay.
        if eval(e, &env, &mut t).is_ok() {
            if let Some(t) = t {
                trace.push((s, t));
            }
        }
    }
    trace
}

/// Evaluates every row. `context` maps each period to its context values
/// (every row's period must be present when the program has context
/// inputs). `trace_row` records the decisions made for one row.
/// Batches of 20 000 rows or more are evaluated on up to one thread per
/// core (at most 8); smaller ones on one thread.
pub fn evaluate(
    program: &Program,
    rows: &[Row],
    context: &BTreeMap<Period, Vec<Value>>,
    trace_row: Option<usize>,
) -> Result<Evaluated, Vec<EvalError>> {
    evaluate_with_threads(program, rows, context, trace_row, threads_for(rows.len()))
}

/// The threads [`evaluate`] uses for a batch of `rows` records: one below
/// 20 000, else one per core (at most 8).
pub fn threads_for(rows: usize) -> usize {
    if rows >= PARALLEL_MIN_ROWS {
        default_threads()
    } else {
        1
    }
}

/// Threads for a large batch: one per core, at most 8.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1)
        .min(8)
}

/// [`evaluate`] on `threads` threads (one contiguous chunk of rows each;
/// 0 counts as 1, and at most one per row), whatever the batch size: the
/// result is the same for every thread count. For tests and benchmarks;
/// [`evaluate`] chooses by itself.
pub fn evaluate_with_threads(
    program: &Program,
    rows: &[Row],
    context: &BTreeMap<Period, Vec<Value>>,
    trace_row: Option<usize>,
    threads: usize,
) -> Result<Evaluated, Vec<EvalError>> {
    let keep = vec![true; program.slots.len()];
    evaluate_keeping(
        program,
        rows,
        context,
        trace_row,
        threads,
        Keeping::compiled(&keep),
    )
}

/// [`evaluate_with_threads`] for results that are only written out: the
/// batch keeps the outputs' values and what later stages read, not every
/// slot, so [`Evaluated::value`] is `None` for the others (nothing can be
/// explained from it).
pub fn evaluate_outputs(
    program: &Program,
    rows: &[Row],
    context: &BTreeMap<Period, Vec<Value>>,
    threads: usize,
) -> Result<Evaluated, Vec<EvalError>> {
    let keep = kept_for_output(program);
    evaluate_keeping(
        program,
        rows,
        context,
        None,
        threads,
        Keeping::compiled(&keep),
    )
}

/// [`evaluate_with_threads`] evaluating every slot with the tree walker
/// alone: the reference the compiled code is tested against.
#[doc(hidden)]
pub fn evaluate_walking(
    program: &Program,
    rows: &[Row],
    context: &BTreeMap<Period, Vec<Value>>,
    threads: usize,
) -> Result<Evaluated, Vec<EvalError>> {
    let keep = vec![true; program.slots.len()];
    let walking = Keeping {
        compiled: false,
        ..Keeping::compiled(&keep)
    };
    evaluate_keeping(program, rows, context, None, threads, walking)
}

/// A row's slot values, however a batch holds them: all stored
/// ([`Evaluated`]) or computed when the row is written ([`Replay`]).
pub trait Results: Sync {
    /// Row indices in output order: by team, period, employee.
    fn order(&self) -> &[usize];
    /// Every slot's value for row `row` into `out`; false when the row
    /// cannot be evaluated (the batch's errors are then what
    /// [`evaluate_outputs`] reports).
    fn row_into(&self, row: usize, out: &mut Vec<Value>, scratch: &mut RowScratch) -> bool;
}

/// What computing a row reuses from one row to the next.
#[derive(Default)]
pub struct RowScratch {
    inputs: Vec<Value>,
    code: compiled::Scratch,
    errors: Vec<EvalError>,
}

impl Results for Evaluated {
    fn order(&self) -> &[usize] {
        &self.order
    }

    fn row_into(&self, row: usize, out: &mut Vec<Value>, _: &mut RowScratch) -> bool {
        Evaluated::row_into(self, row, out);
        true
    }
}

/// A batch for writing out in memory that does not hold its results: only
/// the team and history figures and what they are computed from are kept,
/// and each row's other values are computed again, with the compiled code,
/// when the row is written (the rows are independent, given those
/// figures). The values are those of [`evaluate_outputs`].
pub struct Replay<'a> {
    program: &'a Program,
    rows: &'a [Row],
    context: &'a BTreeMap<Period, Vec<Value>>,
    groups: Evaluated,
    /// Every per-record slot, in evaluation order.
    slots: Vec<(usize, &'a Slot)>,
    codes: Vec<Option<compiled::Code>>,
    row_code: Option<compiled::RowCode>,
}

impl Results for Replay<'_> {
    fn order(&self) -> &[usize] {
        &self.groups.order
    }

    fn row_into(&self, row: usize, out: &mut Vec<Value>, scratch: &mut RowScratch) -> bool {
        let Some(r) = self.rows.get(row) else {
            return false;
        };
        // (every slot not held is computed below)
        self.groups.values.held_into(row, out);
        out.resize(self.program.slots.len(), matrix::UNSET);
        let pass = StagePass {
            program: self.program,
            context: self.context,
            slots: &self.slots,
            codes: &self.codes,
            row_code: self.row_code.as_ref(),
            known: &[],
            width: out.len(),
            trace_row: None,
        };
        scratch.errors.clear();
        pass.row(
            r,
            &r.inputs,
            &mut scratch.inputs,
            out,
            false,
            &mut scratch.code,
            &mut scratch.errors,
            &mut Vec::new(),
        )
    }
}

/// The batch as [`Replay`] holds it: its team and history figures, with
/// what they read; `Err` when those cannot be computed (then
/// [`evaluate_outputs`] reports the batch's errors).
pub fn evaluate_replayed<'a>(
    program: &'a Program,
    rows: &'a [Row],
    context: &'a BTreeMap<Period, Vec<Value>>,
    threads: usize,
) -> Result<Replay<'a>, Vec<EvalError>> {
    let kept = kept_for_groups(program);
    let keeping = Keeping {
        only: Some(&kept.needed),
        inputs: &kept.inputs,
        ..Keeping::compiled(&kept.keep)
    };
    let groups = evaluate_keeping(program, rows, context, None, threads, keeping)?;
    let mut slots = Vec::with_capacity(program.order.len());
    for &s in &program.order {
        match program.slots.get(s) {
            Some(slot) if matches!(slot.compute, Compute::Expr(_)) => slots.push((s, slot)),
            Some(_) => {}
            None => return Err(vec![EvalError::internal()]),
        }
    }
    Ok(Replay {
        program,
        rows,
        context,
        groups,
        codes: compile(&slots),
        row_code: compiled::RowCode::new(&slots),
        slots,
    })
}

/// What a batch must hold to compute its team and history figures.
struct KeptForGroups {
    /// The per-record slots the stage passes must compute for them: what
    /// they read, directly or through other per-record slots.
    needed: Vec<bool>,
    /// What is kept from pass to pass: those figures, what they read, and
    /// the needed slots.
    keep: Vec<bool>,
    /// Per slot, the input it reads, for a slot that only reads an input
    /// and is read by team and history figures alone: neither computed nor
    /// kept, the figures read the input instead.
    inputs: Vec<Option<usize>>,
}

fn kept_for_groups(program: &Program) -> KeptForGroups {
    let n = program.slots.len();
    let mut keep = vec![false; n];
    let mut needed = vec![false; n];
    let mut todo = Vec::new();
    // slots that read an input and nothing else, unless a needed slot
    // reads them (below); expressions computed only as rows are written
    // compute such a slot themselves
    let mut inputs: Vec<Option<usize>> = program
        .slots
        .iter()
        .map(|slot| match &slot.compute {
            Compute::Expr(IExpr {
                kind: IKind::Read(Source::Input(i)),
                ..
            }) => Some(*i),
            Compute::Expr(_) | Compute::Team(_) | Compute::History(_) => None,
        })
        .collect();
    for (s, slot) in program.slots.iter().enumerate() {
        if !matches!(slot.compute, Compute::Expr(_)) {
            if let Some(k) = keep.get_mut(s) {
                *k = true;
            }
            for d in slot.compute.dependencies() {
                if inputs.get(d).copied().flatten().is_some() {
                    continue;
                }
                if let Some(k) = keep.get_mut(d) {
                    *k = true;
                }
                todo.push(d);
            }
        }
    }
    while let Some(s) = todo.pop() {
        let Some(slot) = program.slots.get(s) else {
            continue;
        };
        let Compute::Expr(e) = &slot.compute else {
            continue; // read from the batch
        };
        if needed.get(s) == Some(&false) {
            if let Some(x) = needed.get_mut(s) {
                *x = true;
            }
            // kept too: a later stage's pass may read it
            if let Some(k) = keep.get_mut(s) {
                *k = true;
            }
            for d in e.slots_read() {
                // (computed in the pass, then read by the figures from the batch too)
                if let Some(i) = inputs.get_mut(d) {
                    *i = None;
                }
                todo.push(d);
            }
        }
    }
    KeptForGroups {
        needed,
        keep,
        inputs,
    }
}

/// The slots whose values outlive their stage's pass: the outputs, team
/// and history figures (a streak reads its own value of the month
/// before), what those read, and what a later stage reads.
fn kept_for_output(program: &Program) -> Vec<bool> {
    let mut keep = vec![false; program.slots.len()];
    let mut mark = |s: usize| {
        if let Some(k) = keep.get_mut(s) {
            *k = true;
        }
    };
    for o in &program.outputs {
        mark(o.slot);
    }
    for (s, slot) in program.slots.iter().enumerate() {
        let grouped = !matches!(slot.compute, Compute::Expr(_));
        if grouped {
            mark(s);
        }
        for d in slot.compute.dependencies() {
            let earlier = program.slots.get(d).is_some_and(|x| x.stage != slot.stage);
            if grouped || earlier {
                mark(d);
            }
        }
    }
    keep
}

/// What a batch keeps and computes, and how.
#[derive(Clone, Copy)]
struct Keeping<'k> {
    /// The slots whose values are kept from pass to pass.
    keep: &'k [bool],
    /// Compiled code where there is some; else the tree walker alone.
    compiled: bool,
    /// The per-record slots computed, when not all (team and history
    /// figures always are).
    only: Option<&'k [bool]>,
    /// Per slot, the input team and history figures read instead of it
    /// (see [`KeptForGroups::inputs`]).
    inputs: &'k [Option<usize>],
}

impl<'k> Keeping<'k> {
    /// Every slot computed with compiled code, `keep` kept.
    fn compiled(keep: &'k [bool]) -> Keeping<'k> {
        Keeping {
            keep,
            compiled: true,
            only: None,
            inputs: &[],
        }
    }
}

fn evaluate_keeping(
    program: &Program,
    rows: &[Row],
    context: &BTreeMap<Period, Vec<Value>>,
    trace_row: Option<usize>,
    threads: usize,
    how: Keeping<'_>,
) -> Result<Evaluated, Vec<EvalError>> {
    let Keeping {
        keep,
        compiled,
        only,
        inputs,
    } = how;
    let n = rows.len();
    let width = program.slots.len();
    let order = output_order::output_order(rows);

    let mut errors = Vec::new();
    let mut trace = Vec::new();
    let has = |team: bool| {
        program.slots.iter().any(|s| match s.compute {
            Compute::Expr(_) => false,
            Compute::Team(_) => team,
            Compute::History(_) => !team,
        })
    };
    let groups = group::Groups::new(rows, &order, has(true), has(false));
    let threads = threads.clamp(1, n.max(1));
    // a team's aggregates are held once per team and month
    let per_group: Vec<bool> = program
        .slots
        .iter()
        .map(|s| matches!(s.compute, Compute::Team(TeamFn::Agg { .. })))
        .collect();
    let mut values = matrix::Matrix::grouped(n, keep, threads, &per_group, groups.teams());
    for stage in 0..=program.max_stage {
        let mut stage_slots: Vec<(usize, &Slot)> = Vec::new();
        for &s in &program.order {
            // The checker orders slots by their indices.
            let Some(slot) = program.slots.get(s) else {
                return Err(vec![EvalError::internal()]);
            };
            // (team and history figures always; per-record slots as asked)
            let wanted = !matches!(slot.compute, Compute::Expr(_))
                || only.is_none_or(|o| o.get(s).copied().unwrap_or(true));
            if slot.stage == stage && wanted {
                stage_slots.push((s, slot));
            }
        }
        let gathered = group::team_inputs(&stage_slots, inputs);
        let columns = (!gathered.is_empty())
            .then(|| group::Columns::gather(rows, &gathered, program.slots.len(), threads));
        for &(s, slot) in &stage_slots {
            match &slot.compute {
                Compute::Expr(_) => {}
                Compute::Team(f) => group::team(
                    f,
                    s,
                    &groups,
                    rows,
                    &mut values,
                    inputs,
                    columns.as_ref(),
                    &mut errors,
                    threads,
                ),
                Compute::History(f) => group::history(f, s, &groups, rows, &mut values, inputs),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if !stage_slots
            .iter()
            .any(|(_, slot)| matches!(slot.compute, Compute::Expr(_)))
        {
            // a stage of team and history figures only: no per-record pass
            continue;
        }
        let known: Vec<usize> = program
            .slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| {
                slot.stage < stage
                    || (slot.stage == stage && !matches!(slot.compute, Compute::Expr(_)))
            })
            .map(|(s, _)| s)
            .collect();
        let (codes, row_code) = if compiled {
            (compile(&stage_slots), compiled::RowCode::new(&stage_slots))
        } else {
            (Vec::new(), None)
        };
        let pass = StagePass {
            program,
            context,
            slots: &stage_slots,
            codes: &codes,
            row_code: row_code.as_ref(),
            known: &known,
            width,
            trace_row,
        };
        let per = values.per();
        let (chunks, group_cells) = values.chunks_mut();
        if threads <= 1 || width == 0 {
            for (i, (rs, vs)) in rows.chunks(per).zip(chunks).enumerate() {
                let (e, t) = pass.run(rs, i * per, vs, group_cells);
                errors.extend(e);
                trace.extend(t);
            }
        } else {
            // Rows are independent within a stage: one contiguous chunk of
            // rows (and of the matrix) per thread; results merge in row order.
            let results: Vec<_> = std::thread::scope(|scope| {
                let handles: Vec<_> = rows
                    .chunks(per)
                    .zip(chunks)
                    .enumerate()
                    .map(|(i, (rs, vs))| {
                        let pass = &pass;
                        // Expressions are depth-limited by the parser; the
                        // stack is generous anyway, like the main thread's.
                        std::thread::Builder::new()
                            .stack_size(WORKER_STACK_BYTES)
                            .spawn_scoped(scope, move || pass.run(rs, i * per, vs, group_cells))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.map_err(|_| ()).and_then(|h| h.join().map_err(|_| ())))
                    .collect()
            });
            for r in results {
                match r {
                    Ok((e, t)) => {
                        errors.extend(e);
                        trace.extend(t);
                    }
                    Err(_) => errors.push(EvalError::internal()),
                }
            }
        }
        if !errors.is_empty() {
            errors.truncate(MAX_ERRORS);
            return Err(errors);
        }
    }
    Ok(Evaluated {
        order,
        values,
        slots: width,
        trace,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch holds a million rows: each is 64 bytes (with one block for
    /// its inputs and one for its two texts).
    #[test]
    fn rows_are_small() {
        assert_eq!(std::mem::size_of::<Row>(), 64);
    }

    /// Rounding a fraction whose denominator is over 2^126 (here
    /// 1 − 1/a − 1/b for a, b near 1.2e19) gave "arithmetic overflow".
    #[test]
    fn round_of_a_fraction_with_a_huge_denominator() {
        let src = "policy \"p\"\ninput a \"a\" : number\ninput b \"b\" : number\n\
                   output o \"o\" : number = round(1 - 1 / a - 1 / b, 0)\n";
        let program = crate::check::check(&crate::syntax::parse(src).unwrap())
            .unwrap()
            .program;
        let num = |s: &str| Value::Num(num::Num::from_decimal(s.parse().unwrap()));
        let row = Row::new(
            "A",
            Period::parse("2026-01").unwrap(),
            None,
            2,
            vec![num("12000000000000000001"), num("12000000000000000007")],
        );
        let ev = evaluate(&program, &[row], &BTreeMap::new(), None).unwrap();
        let o = program.outputs[0].slot;
        assert_eq!(ev.value(0, o), Some(Value::Num(num::Num::ONE)));
    }
}
