//! Static analysis over a compiled policy (§3): interval analysis of every
//! value from the inputs' valid ranges, then band gaps, overlaps, empty and
//! unreachable arms, unreachable grades, weights, and payout sanity.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod bands;
mod branches;
pub mod interval;
mod payout;
pub mod ranges;
pub mod show;

use crate::check::lint::Lint;
use crate::ir::{Program, SlotKind};
use crate::syntax::ast::Span;
pub use interval::Interval;
pub use ranges::Ranges;

/// Every warning for a checked program, sorted by position.
pub fn analyze(program: &Program) -> Vec<Lint> {
    let base = program.slots.len();
    let with_fns = with_functions(program);
    let ranges = Ranges::new(&with_fns);
    let certain = Ranges::certain(&with_fns);
    let mut lints = Vec::new();
    bands::check_bands(&ranges, &certain, base, &mut lints);
    branches::check_branches(&certain, base, &mut lints);
    let ranges = Ranges::new(program);
    payout::check_weights(program, &mut lints);
    payout::check_payouts(&ranges, &mut lints);
    lints.sort_by_key(|l| l.span().start);
    lints.dedup();
    lints
}

/// The program with each `table` and `fn` as one more slot (at `base +
/// index`, `base` the program's own slot count) and its parameters as more
/// inputs, ranged as declared: a table is analysed once, there, whatever
/// values its uses pass.
pub fn with_functions(program: &Program) -> Program {
    let mut p = program.clone();
    for f in &program.functions {
        // parameters are read as inputs `first_param + i`
        p.inputs.truncate(f.first_param);
        while p.inputs.len() < f.first_param {
            p.inputs.push(crate::ir::Field {
                id: String::new(),
                label: None,
                aliases: Vec::new(),
                ty: crate::types::Ty::Bool,
                range: None,
                default: None,
                span: f.span,
            });
        }
        p.inputs.extend(f.params.iter().cloned());
    }
    for f in &program.functions {
        p.order.push(p.slots.len());
        p.slots.push(crate::ir::Slot {
            name: f.name.clone(),
            label: None,
            kind: SlotKind::Hidden,
            ty: f.ty.clone(),
            compute: crate::ir::Compute::Expr(f.body.clone()),
            span: f.span,
            stage: 0,
            weight: None,
        });
    }
    p
}

/// Whether the node at `span`, in slot `slot` of [`with_functions`]'s
/// program, is a use of a table or function inlined into that slot: those
/// are analysed once, in the function's own slot.
pub(crate) fn inlined(program: &Program, base: usize, slot: usize, span: Span) -> bool {
    match program.functions.iter().position(|f| f.contains(span)) {
        None => false,
        Some(fi) => slot.checked_sub(base) != Some(fi),
    }
}

/// Each numeric `table` or `fn`'s reachable range over its parameters'
/// declared ranges (the same for every use), by name.
fn function_ranges(program: &Program) -> Vec<(String, String)> {
    if program.functions.is_empty() {
        return Vec::new();
    }
    let base = program.slots.len();
    let with_fns = with_functions(program);
    let ranges = Ranges::new(&with_fns);
    program
        .functions
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let iv = ranges.slots.get(base + i).and_then(Option::as_ref)?;
            Some((f.name.clone(), show::show_interval(iv, &f.ty)))
        })
        .collect()
}

/// What `kpi check --verbose` prints: each item's, total's and payout's
/// reachable range, and the reachable grades.
pub fn summary(program: &Program) -> Vec<(String, String)> {
    let ranges = Ranges::new(program);
    let mut out = Vec::new();
    out.extend(function_ranges(program));
    for o in &program.outputs {
        let Some(slot) = program.slots.get(o.slot) else {
            continue;
        };
        let text = match (
            ranges.slots.get(o.slot).and_then(Option::as_ref),
            &slot.ty,
            slot.kind,
        ) {
            (Some(iv), ty, _) => show::show_interval(iv, ty),
            (None, crate::types::Ty::Grade(levels), SlotKind::Grade) => {
                let reachable = reachable_levels(&ranges, o.slot, levels);
                format!("one of {}", reachable.join(", "))
            }
            (None, ty, _) => format!("{ty}"),
        };
        out.push((o.name.clone(), text));
    }
    out
}

fn reachable_levels(r: &Ranges, slot: usize, levels: &[String]) -> Vec<String> {
    use crate::ir::{Compute, IKind, Value};
    let Some(Compute::Expr(e)) = r.program.slots.get(slot).map(|s| &s.compute) else {
        return levels.to_vec();
    };
    let IKind::Band { subject, arms, .. } = &e.kind else {
        return levels.to_vec();
    };
    let dom = r.range(subject);
    let mut out = Vec::new();
    for arm in arms {
        let reachable = match r.arm_interval(&arm.tests) {
            Some(iv) => !iv.intersect(&dom).is_empty(),
            None => true,
        };
        if let (true, IKind::Const(Value::Level(i))) = (reachable, &arm.value.kind) {
            if let Some(l) = levels.get(usize::from(*i)) {
                if !out.contains(l) {
                    out.push(l.clone());
                }
            }
        }
    }
    out
}
