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
pub use interval::Interval;
pub use ranges::Ranges;

/// Every warning for a checked program, sorted by position.
pub fn analyze(program: &Program) -> Vec<Lint> {
    let ranges = Ranges::new(program);
    let certain = Ranges::certain(program);
    let mut lints = Vec::new();
    bands::check_bands(&ranges, &certain, &mut lints);
    branches::check_branches(&certain, &mut lints);
    payout::check_weights(program, &mut lints);
    payout::check_payouts(&ranges, &mut lints);
    lints.sort_by_key(|l| l.span().start);
    lints.dedup();
    lints
}

/// What `kpi check --verbose` prints: each item's, total's and payout's
/// reachable range, and the reachable grades.
pub fn summary(program: &Program) -> Vec<(String, String)> {
    let ranges = Ranges::new(program);
    let mut out = Vec::new();
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
