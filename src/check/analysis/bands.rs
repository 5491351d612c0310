//! Gaps, overlaps, empty and unreachable arms in band tables and grade
//! bands; unreachable grades; match arms shadowed by earlier ones.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::interval::{End, Interval};
use super::ranges::Ranges;
use super::show::{show_interval, show_value};
use crate::check::lint::Lint;
use crate::ir::*;
use crate::syntax::ast::Span;
use crate::types::Ty;

/// Checks every band and match in the program. Gaps are looked for over
/// the typical values (`typical`); arms are called empty, overlapping or
/// unreachable only on values the data layer accepts (`certain`), so a
/// defensive arm for unusual data is never a false alarm.
pub fn check_bands(typical: &Ranges, certain: &Ranges, base: usize, lints: &mut Vec<Lint>) {
    for (si, slot) in typical.program.slots.iter().enumerate() {
        let Compute::Expr(e) = &slot.compute else {
            continue;
        };
        let grade_slot = slot.kind == SlotKind::Grade;
        e.walk(&mut |x| match &x.kind {
            // a table's use: analysed once, at the table
            IKind::Band { .. } if super::inlined(typical.program, base, si, x.span) => {}
            IKind::Band {
                subject,
                subject_ty,
                arms,
            } => {
                // A grade declaration is a band at the top of its slot.
                let is_grade = grade_slot && std::ptr::eq(x, e);
                let subject_name = match subject.kind {
                    IKind::Read(Source::Slot(s)) => {
                        typical.program.slots.get(s).map(|s| s.name.clone())
                    }
                    IKind::Read(Source::Input(i)) => {
                        typical.program.inputs.get(i).map(|f| f.id.clone())
                    }
                    IKind::Read(Source::Context(_))
                    | IKind::Const(_)
                    | IKind::Neg(_)
                    | IKind::Not(_)
                    | IKind::Arith(..)
                    | IKind::Cmp(..)
                    | IKind::And(..)
                    | IKind::Or(..)
                    | IKind::If(..)
                    | IKind::Call(..)
                    | IKind::Band { .. }
                    | IKind::Match { .. }
                    | IKind::Cases { .. }
                    | IKind::Steps { .. }
                    | IKind::Scale { .. } => None,
                };
                let table = Table {
                    subject_ty,
                    arms,
                    span: x.span,
                    is_grade,
                    subject_name,
                    slot_ty: &slot.ty,
                };
                band(
                    &table,
                    typical.range(subject),
                    certain.range(subject),
                    typical,
                    lints,
                );
            }
            // Arms a match never takes are found by the checker, which
            // has the arms' spans.
            IKind::Match { .. } => {}
            // not a table
            IKind::Const(_)
            | IKind::Read(_)
            | IKind::Neg(_)
            | IKind::Not(_)
            | IKind::Arith(..)
            | IKind::Cmp(..)
            | IKind::And(..)
            | IKind::Or(..)
            | IKind::If(..)
            | IKind::Call(..)
            | IKind::Cases { .. }
            | IKind::Steps { .. }
            | IKind::Scale { .. } => {}
        });
    }
}

/// One band table and what the messages need to say about it.
struct Table<'a> {
    subject_ty: &'a Ty,
    arms: &'a [IBandArm],
    span: Span,
    is_grade: bool,
    subject_name: Option<String>,
    slot_ty: &'a Ty,
}

fn band(t: &Table, dom: Interval, hard: Interval, r: &Ranges, lints: &mut Vec<Lint>) {
    let int = hard.int;
    let sty = t.subject_ty;
    // Arms with bounds that are not constants (e.g. an industry figure)
    // cannot be analysed statically.
    let mut raws: Vec<Option<Interval>> = Vec::new();
    for arm in t.arms {
        if arm.tests.is_empty() {
            raws.push(None);
            continue;
        }
        match r.arm_interval(&arm.tests) {
            Some(iv) => raws.push(Some(iv.integral(int))),
            None => return,
        }
    }
    // What earlier arms took, on certain and on typical values.
    let mut seen: Vec<(Interval, Span)> = Vec::new();
    let mut typical_cover: Vec<Interval> = Vec::new();
    let mut cover_spans: Vec<(Interval, Span)> = Vec::new();
    let mut has_else = false;
    for (arm, raw) in t.arms.iter().zip(&raws) {
        let covered: Vec<Interval> = seen.iter().map(|(iv, _)| *iv).collect();
        let Some(raw) = raw else {
            has_else = true;
            if hard.minus(&covered).is_empty() && !seen.is_empty() {
                lints.push(Lint::DeadArm {
                    span: arm.span,
                    shadow: None,
                    is_else: true,
                });
            }
            break;
        };
        if raw.is_empty() {
            lints.push(Lint::EmptyArm { span: arm.span });
            continue;
        }
        let eff = raw.intersect(&hard);
        if eff.is_empty() {
            if t.is_grade {
                lints.push(Lint::UnreachableGrade {
                    level: level_name(&arm.value, t.slot_ty),
                    subject: t.subject_name.clone().unwrap_or_else(|| "total".into()),
                    range: show_interval(&hard, sty),
                    span: arm.span,
                });
            } else {
                lints.push(Lint::DeadArm {
                    span: arm.span,
                    shadow: None,
                    is_else: false,
                });
            }
            continue;
        }
        if eff.minus(&covered).is_empty() {
            let shadow = seen
                .iter()
                .find(|(iv, _)| !iv.intersect(&eff).is_empty())
                .map(|(_, s)| *s);
            lints.push(Lint::DeadArm {
                span: arm.span,
                shadow,
                is_else: false,
            });
        } else {
            // Overlap: a shared edge, or two explicit intervals sharing values.
            // A one-sided arm after a one-sided arm (`>= 91`, `>= 86`) is the
            // usual staircase and relies on first-match on purpose.
            for (prev, pspan) in &seen {
                let ov = raw.intersect(prev).intersect(&hard);
                if !ov.is_empty() && (ov.is_point() || (raw.is_bounded() && prev.is_bounded())) {
                    if let Some(w) = ov.witness() {
                        lints.push(Lint::BandOverlap {
                            witness: show_value(w, sty),
                            span: arm.span,
                            earlier: *pspan,
                        });
                    }
                    break;
                }
            }
        }
        seen.push((eff, arm.span));
        typical_cover.push(raw.intersect(&dom));
        cover_spans.push((*raw, arm.span));
    }
    if !has_else {
        for gap in dom.minus(&typical_cover) {
            if let Some(w) = gap.witness() {
                // §3.1: the two arms around the gap, not the whole table.
                let meets = |a: Option<End>, b: Option<End>| match (a, b) {
                    (Some(a), Some(b)) => a.v.exact_cmp(b.v).is_ok_and(|o| o.is_eq()),
                    _ => false,
                };
                let below = cover_spans
                    .iter()
                    .find(|(iv, _)| meets(iv.hi, gap.lo))
                    .map(|(_, s)| *s);
                let above = cover_spans
                    .iter()
                    .find(|(iv, _)| meets(iv.lo, gap.hi))
                    .map(|(_, s)| *s);
                lints.push(Lint::BandGap {
                    witness: show_value(w, sty),
                    interval: show_interval(&gap, sty),
                    span: t.span,
                    below,
                    above,
                    grade: t.is_grade,
                });
            }
        }
    }
}

fn level_name(value: &IExpr, ty: &Ty) -> String {
    match (&value.kind, ty) {
        (IKind::Const(Value::Level(i)), Ty::Grade(levels)) => {
            levels.get(usize::from(*i)).cloned().unwrap_or_default()
        }
        _ => String::new(),
    }
}
