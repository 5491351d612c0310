//! Evaluation of a compiled [`Program`] over a batch of records.
//!
//! Records are sorted by (team, period, employee) once. Slots are computed
//! stage by stage: within a stage every per-record slot is evaluated row by
//! row; before it, the stage's team and history slots are filled by one
//! pass per group, so an aggregate costs O(n log n) per batch, not per record.

pub mod error;
pub mod expr;
pub mod format;
mod group;
pub mod num;

pub use error::EvalError;

use crate::ir::*;
use crate::types::Period;
use expr::{eval, Env, Trace, TraceEvent};
use std::collections::BTreeMap;

/// One record's inputs, already validated and in base units.
#[derive(Debug, Clone)]
pub struct Row {
    pub employee: String,
    pub period: Period,
    pub team: Option<String>,
    /// Line in the data file (for error messages); 0 when not from a file.
    pub line: usize,
    pub inputs: Vec<Value>,
}

/// The result of evaluating a batch.
#[derive(Debug)]
pub struct Evaluated {
    /// Row indices in output order: by team, period, employee.
    pub order: Vec<usize>,
    /// `values[row * slots + slot]`.
    pub values: Vec<Value>,
    pub slots: usize,
    /// Decision points per (row, slot), for the traced row only.
    pub trace: Vec<(usize, Vec<TraceEvent>)>,
}

impl Evaluated {
    pub fn value(&self, row: usize, slot: usize) -> Option<&Value> {
        self.values.get(row * self.slots + slot)
    }
}

struct RowEnv<'a> {
    inputs: &'a [Value],
    ctx: &'a [Value],
    slots: &'a [Value],
}

impl Env for RowEnv<'_> {
    #[inline]
    fn read(&self, s: Source) -> Option<&Value> {
        match s {
            Source::Input(i) => self.inputs.get(i),
            Source::Context(i) => self.ctx.get(i),
            Source::Slot(i) => self.slots.get(i),
        }
    }
}

/// Stop collecting errors after this many.
const MAX_ERRORS: usize = 1000;

/// Evaluates every row. `context` maps each period to its context values
/// (every row's period must be present when the program has context
/// inputs). `trace_row` records the decisions made for one row.
pub fn evaluate(
    program: &Program,
    rows: &[Row],
    context: &BTreeMap<Period, Vec<Value>>,
    trace_row: Option<usize>,
) -> Result<Evaluated, Vec<EvalError>> {
    let n = rows.len();
    let width = program.slots.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| {
        let (x, y) = (&rows[*a], &rows[*b]);
        (&x.team, x.period, &x.employee).cmp(&(&y.team, y.period, &y.employee))
    });
    let empty: Vec<Value> = Vec::new();
    let ctx_of = |r: &Row| -> Option<&Vec<Value>> {
        if program.context.is_empty() {
            return Some(&empty);
        }
        context.get(&r.period)
    };
    let mut values = vec![Value::Bool(false); n * width];
    let mut errors = Vec::new();
    let mut trace = Vec::new();
    let groups = group::Groups::new(rows, &order);
    for stage in 0..=program.max_stage {
        let stage_slots: Vec<usize> = program
            .order
            .iter()
            .copied()
            .filter(|s| program.slots[*s].stage == stage)
            .collect();
        for &s in &stage_slots {
            let slot = &program.slots[s];
            match &slot.compute {
                Compute::Expr(_) => {}
                Compute::Team(f) => {
                    group::team(f, s, &groups, rows, &mut values, width, &mut errors)
                }
                Compute::History(f) => group::history(f, s, &groups, rows, &mut values, width),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for (r, row) in rows.iter().enumerate() {
            let Some(ctx) = ctx_of(row) else {
                if errors.len() < MAX_ERRORS {
                    errors.push(EvalError::missing_context(row));
                }
                continue;
            };
            let tracing = trace_row == Some(r);
            let base = r * width;
            for &s in &stage_slots {
                let Compute::Expr(e) = &program.slots[s].compute else {
                    continue;
                };
                let mut t: Trace = if tracing { Some(Vec::new()) } else { None };
                let env = RowEnv {
                    inputs: &row.inputs,
                    ctx,
                    slots: &values[base..base + width],
                };
                match eval(e, &env, &mut t) {
                    Ok(v) => values[base + s] = v,
                    Err(f) => {
                        if errors.len() < MAX_ERRORS {
                            errors.push(EvalError::fault(row, &program.slots[s].name, f));
                        }
                        break;
                    }
                }
                if let Some(t) = t {
                    trace.push((s, t));
                }
            }
        }
        if !errors.is_empty() {
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
