//! Gaps, overlaps, empty and unreachable arms in band tables and grade
//! bands; unreachable grades; match arms shadowed by earlier ones.

use super::interval::Interval;
use super::ranges::Ranges;
use super::show::{show_interval, show_value};
use crate::check::lint::Lint;
use crate::ir::*;
use crate::syntax::ast::Span;
use crate::types::Ty;

/// Checks every band and match in the program.
pub fn check_bands(r: &Ranges, lints: &mut Vec<Lint>) {
    for slot in &r.program.slots {
        let Compute::Expr(e) = &slot.compute else {
            continue;
        };
        let grade_slot = slot.kind == SlotKind::Grade;
        crate::check::visit(e, &mut |x| match &x.kind {
            IKind::Band {
                subject,
                subject_ty,
                arms,
            } => {
                // A grade declaration is a band at the top of its slot.
                let is_grade = grade_slot && std::ptr::eq(x, e);
                let subject_name = match subject.kind {
                    IKind::Read(Source::Slot(s)) => r.program.slots.get(s).map(|s| s.name.clone()),
                    IKind::Read(Source::Input(i)) => r.program.inputs.get(i).map(|f| f.id.clone()),
                    _ => None,
                };
                band(
                    r,
                    subject,
                    subject_ty,
                    arms,
                    x.span,
                    is_grade,
                    subject_name,
                    &slot.ty,
                    lints,
                );
            }
            IKind::Match { table, values, .. } => {
                for (i, v) in values.iter().enumerate() {
                    if !table.contains(&Some(i)) {
                        lints.push(Lint::DeadArm {
                            span: v.span,
                            shadow: None,
                            is_else: false,
                        });
                    }
                }
            }
            _ => {}
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn band(
    r: &Ranges,
    subject: &IExpr,
    sty: &Ty,
    arms: &[IBandArm],
    span: Span,
    is_grade: bool,
    subject_name: Option<String>,
    slot_ty: &Ty,
    lints: &mut Vec<Lint>,
) {
    let dom = r.range(subject);
    let int = dom.int;
    // Arms with bounds that are not constants (e.g. an industry figure)
    // cannot be analysed statically.
    let mut raws: Vec<Option<Interval>> = Vec::new();
    for arm in arms {
        if arm.tests.is_empty() {
            raws.push(None);
            continue;
        }
        match r.arm_interval(&arm.tests) {
            Some(iv) => raws.push(Some(iv.integral(int))),
            None => return,
        }
    }
    let mut seen: Vec<(Interval, Span)> = Vec::new();
    let mut has_else = false;
    for (arm, raw) in arms.iter().zip(&raws) {
        let covered: Vec<Interval> = seen.iter().map(|(iv, _)| *iv).collect();
        let Some(raw) = raw else {
            has_else = true;
            if dom.minus(&covered).is_empty() && !seen.is_empty() {
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
        let eff = raw.intersect(&dom);
        if eff.is_empty() {
            if is_grade {
                let level = level_name(&arm.value, slot_ty);
                lints.push(Lint::UnreachableGrade {
                    level,
                    subject: subject_name.clone().unwrap_or_else(|| "total".into()),
                    range: show_interval(&dom, sty),
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
                let ov = raw.intersect(prev).intersect(&dom);
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
    }
    if !has_else {
        let covered: Vec<Interval> = seen.iter().map(|(iv, _)| *iv).collect();
        for gap in dom.minus(&covered) {
            if let Some(w) = gap.witness() {
                lints.push(Lint::BandGap {
                    witness: show_value(w, sty),
                    interval: show_interval(&gap, sty),
                    span,
                    grade: is_grade,
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
