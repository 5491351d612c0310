//! `diff`: two versions of a policy evaluated on the same data — who
//! changes, by how much, and what it does to grades and payroll.
//!
//! Values are compared as `kpi eval` shows them (money to the fen), and
//! every sum is exact ([`Num`]).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::eval::format::{displayed_num, show};
use crate::eval::num::Num;
use crate::eval::{Evaluated, Row};
use crate::ir::{Field, Program, SlotKind, Value};
use crate::types::{Period, Ty};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One evaluated version.
pub struct Side<'a> {
    /// Where the policy came from (`HEAD~1:policy.kpi`, a path).
    pub source: &'a str,
    pub program: &'a Program,
    pub rows: &'a [Row],
    pub ev: &'a Evaluated,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub old: Version,
    pub new: Version,
    pub inputs: FieldChanges,
    pub context: FieldChanges,
    pub outputs: OutputChanges,
    /// Records evaluated (employee × period).
    pub records: usize,
    /// Records with at least one change, in output order.
    pub changed: Vec<RecordDiff>,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    pub source: String,
    pub policy: String,
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChanges {
    pub added: Vec<FieldInfo>,
    pub removed: Vec<FieldInfo>,
    pub retyped: Vec<Retyped>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldInfo {
    pub id: String,
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retyped {
    pub name: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub retyped: Vec<Retyped>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordDiff {
    pub employee: String,
    pub period: String,
    pub team: Option<String>,
    pub changes: Vec<Change>,
}

/// One output of one record: changed, added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub output: String,
    /// `changed`, `added` or `removed`.
    pub status: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// new − old, for numbers of one type (`+400.00`, `-2`, `+5%`).
    pub delta: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// `grade` if both versions have it, else every grade-typed output.
    pub grade_outputs: Vec<String>,
    /// Records whose grade changes.
    pub grade_changes: usize,
    /// Distinct employees among them.
    pub grade_people: usize,
    pub transitions: Vec<Transition>,
    pub payroll: Payroll,
    /// The output used for "total change".
    pub total_output: Option<String>,
    /// Top 5 by absolute money change, then by absolute total change.
    pub movers: Vec<Mover>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub output: String,
    pub from: String,
    pub to: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payroll {
    /// Money outputs present (as money) in both versions: these are summed.
    pub outputs: Vec<String>,
    /// Money outputs of only one version: not summed.
    pub excluded: Vec<String>,
    pub before: String,
    pub after: String,
    pub delta: String,
    pub per_output: Vec<PayrollLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayrollLine {
    pub output: String,
    pub before: String,
    pub after: String,
    pub delta: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mover {
    pub employee: String,
    pub period: String,
    pub team: Option<String>,
    pub money_before: String,
    pub money_after: String,
    pub money_delta: String,
    pub total_before: Option<String>,
    pub total_after: Option<String>,
    pub total_delta: Option<String>,
}

/// Inputs (or context inputs) added, removed or retyped between versions.
pub fn field_changes(old: &[Field], new: &[Field]) -> FieldChanges {
    let info = |f: &Field| FieldInfo {
        id: f.id.clone(),
        label: f.label.clone(),
        ty: f.ty.to_string(),
    };
    let find = |list: &[Field], id: &str| list.iter().find(|f| f.id == id).cloned();
    FieldChanges {
        added: new
            .iter()
            .filter(|f| find(old, &f.id).is_none())
            .map(info)
            .collect(),
        removed: old
            .iter()
            .filter(|f| find(new, &f.id).is_none())
            .map(info)
            .collect(),
        retyped: old
            .iter()
            .filter_map(|o| {
                let n = find(new, &o.id)?;
                (n.ty != o.ty).then(|| Retyped {
                    name: o.id.clone(),
                    old: o.ty.to_string(),
                    new: n.ty.to_string(),
                })
            })
            .collect(),
    }
}

/// An output's slot and type in one version.
fn output(p: &Program, name: &str) -> Option<(usize, Ty)> {
    let o = p.outputs.iter().find(|o| o.name == name)?;
    Some((o.slot, p.slots.get(o.slot)?.ty.clone()))
}

fn money(n: Num) -> String {
    n.to_fixed_string(2)
}

fn signed_text(n: Num, ty: &Ty) -> String {
    let t = show(&Value::Num(n), ty).as_text();
    if n.signum() > 0 {
        format!("+{t}")
    } else {
        t
    }
}

fn abs_cmp(a: Num, b: Num) -> Ordering {
    let (a, b) = (a.abs().unwrap_or(a), b.abs().unwrap_or(b));
    a.exact_cmp(b).unwrap_or(Ordering::Equal)
}

/// Compares the two versions record by record.
pub fn diff(old: &Side<'_>, new: &Side<'_>) -> Diff {
    let (op, np) = (old.program, new.program);
    let names = |p: &Program| -> Vec<String> { p.outputs.iter().map(|o| o.name.clone()).collect() };
    let (on, nn) = (names(op), names(np));
    let common: Vec<String> = on.iter().filter(|n| nn.contains(n)).cloned().collect();
    let outputs = OutputChanges {
        added: nn.iter().filter(|n| !on.contains(n)).cloned().collect(),
        removed: on.iter().filter(|n| !nn.contains(n)).cloned().collect(),
        retyped: common
            .iter()
            .filter_map(|n| {
                let (a, b) = (output(op, n)?.1, output(np, n)?.1);
                (a != b).then(|| Retyped {
                    name: n.clone(),
                    old: a.to_string(),
                    new: b.to_string(),
                })
            })
            .collect(),
    };
    let is_money = |p: &Program, n: &str| output(p, n).is_some_and(|(_, t)| t == Ty::Money);
    let pay: Vec<String> = common
        .iter()
        .filter(|n| is_money(op, n) && is_money(np, n))
        .cloned()
        .collect();
    let excluded: Vec<String> = on
        .iter()
        .chain(nn.iter())
        .filter(|n| (is_money(op, n) || is_money(np, n)) && !pay.contains(n))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let is_grade =
        |p: &Program, n: &str| output(p, n).is_some_and(|(_, t)| matches!(t, Ty::Grade(_)));
    let grade_outputs: Vec<String> = if common.iter().any(|n| n == "grade") {
        vec!["grade".into()]
    } else {
        common
            .iter()
            .filter(|n| is_grade(op, n) && is_grade(np, n))
            .cloned()
            .collect()
    };
    let total_of = |p: &Program| {
        p.outputs
            .iter()
            .find(|o| {
                p.slots
                    .get(o.slot)
                    .is_some_and(|s| s.kind == SlotKind::Total)
            })
            .map(|o| o.name.clone())
    };
    let total_output = match (total_of(op), total_of(np)) {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => common.iter().find(|n| *n == "total").cloned(),
    };

    let index: HashMap<(&str, Period), usize> = new
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.employee(), r.period), i))
        .collect();
    let mut changed = Vec::new();
    let mut records = 0;
    let mut per_output: BTreeMap<&str, (Num, Num)> = pay
        .iter()
        .map(|n| (n.as_str(), (Num::ZERO, Num::ZERO)))
        .collect();
    let mut transitions: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut grade_records = 0;
    let mut grade_people = BTreeSet::new();
    let mut movers = Vec::new();
    for &ro in &old.ev.order {
        let Some(r) = old.rows.get(ro) else {
            continue;
        };
        let Some(&rn) = index.get(&(r.employee(), r.period)) else {
            continue;
        };
        records += 1;
        let value = |side: &Side<'_>, row: usize, name: &str| {
            let (slot, ty) = output(side.program, name)?;
            let v = side.ev.value(row, slot)?;
            Some((v, ty))
        };
        let mut changes = Vec::new();
        let mut grade_moved = false;
        for name in on.iter().chain(outputs.added.iter()) {
            let a = value(old, ro, name);
            let b = value(new, rn, name);
            let text = |x: &Option<(Value, Ty)>| x.as_ref().map(|(v, t)| show(v, t).as_text());
            let (at, bt) = (text(&a), text(&b));
            let (status, delta) = match (&a, &b) {
                (Some((va, ta)), Some((vb, tb))) => {
                    let nums = match (displayed_num(va, ta), displayed_num(vb, tb)) {
                        (Some(x), Some(y)) if ta == tb => Some((x, y)),
                        _ => None,
                    };
                    let same = match nums {
                        Some((x, y)) => x.exact_cmp(y).is_ok_and(|o| o == Ordering::Equal),
                        None => at == bt,
                    };
                    if same {
                        continue;
                    }
                    if grade_outputs.contains(name) {
                        grade_moved = true;
                        let key = (
                            name.clone(),
                            at.clone().unwrap_or_default(),
                            bt.clone().unwrap_or_default(),
                        );
                        *transitions.entry(key).or_default() += 1;
                    }
                    let delta = nums
                        .and_then(|(x, y)| y.minus(x).ok())
                        .map(|d| signed_text(d, ta));
                    ("changed", delta)
                }
                (None, Some(_)) => ("added", None),
                (Some(_), None) => ("removed", None),
                (None, None) => continue,
            };
            changes.push(Change {
                output: name.clone(),
                status: status.into(),
                old: at,
                new: bt,
                delta,
            });
        }
        if grade_moved {
            grade_records += 1;
            grade_people.insert(r.employee().to_string());
        }
        let money_of = |side: &Side<'_>, row: usize, name: &str| {
            value(side, row, name)
                .and_then(|(v, t)| displayed_num(&v, &t))
                .unwrap_or(Num::ZERO)
        };
        let (mut before, mut after) = (Num::ZERO, Num::ZERO);
        for name in &pay {
            let (x, y) = (money_of(old, ro, name), money_of(new, rn, name));
            before = before.plus(x).unwrap_or(before);
            after = after.plus(y).unwrap_or(after);
            if let Some(acc) = per_output.get_mut(name.as_str()) {
                acc.0 = acc.0.plus(x).unwrap_or(acc.0);
                acc.1 = acc.1.plus(y).unwrap_or(acc.1);
            }
        }
        let money_delta = after.minus(before).unwrap_or(Num::ZERO);
        let totals = total_output.as_ref().and_then(|t| {
            let x = value(old, ro, t).and_then(|(v, ty)| displayed_num(&v, &ty))?;
            let y = value(new, rn, t).and_then(|(v, ty)| displayed_num(&v, &ty))?;
            Some((x, y, y.minus(x).ok()?))
        });
        let total_delta = totals.map(|t| t.2).unwrap_or(Num::ZERO);
        if !money_delta.is_zero() || !total_delta.is_zero() {
            movers.push((money_delta, total_delta, before, after, totals, r));
        }
        if !changes.is_empty() {
            changed.push(RecordDiff {
                employee: r.employee().to_string(),
                period: r.period.to_string(),
                team: r.team().map(str::to_string),
                changes,
            });
        }
    }
    // Stable sort: ties keep output order (team, period, employee).
    movers.sort_by(|a, b| abs_cmp(b.0, a.0).then_with(|| abs_cmp(b.1, a.1)));
    let total_ty = Ty::Number(crate::types::NumKind::Points);
    let movers = movers
        .into_iter()
        .take(5)
        .map(|(md, _, before, after, totals, r)| Mover {
            employee: r.employee().to_string(),
            period: r.period.to_string(),
            team: r.team().map(str::to_string),
            money_before: money(before),
            money_after: money(after),
            money_delta: signed_text(md, &Ty::Money),
            total_before: totals.map(|t| t.0.to_plain_string()),
            total_after: totals.map(|t| t.1.to_plain_string()),
            total_delta: totals.map(|t| signed_text(t.2, &total_ty)),
        })
        .collect();
    let (before, after) = per_output
        .values()
        .fold((Num::ZERO, Num::ZERO), |(a, b), (x, y)| {
            (a.plus(*x).unwrap_or(a), b.plus(*y).unwrap_or(b))
        });
    let payroll = Payroll {
        before: money(before),
        after: money(after),
        delta: signed_text(after.minus(before).unwrap_or(Num::ZERO), &Ty::Money),
        per_output: pay
            .iter()
            .filter_map(|n| {
                let (x, y) = per_output.get(n.as_str())?;
                Some(PayrollLine {
                    output: n.clone(),
                    before: money(*x),
                    after: money(*y),
                    delta: signed_text(y.minus(*x).unwrap_or(Num::ZERO), &Ty::Money),
                })
            })
            .collect(),
        outputs: pay,
        excluded,
    };
    Diff {
        old: version(old),
        new: version(new),
        inputs: field_changes(&op.inputs, &np.inputs),
        context: field_changes(&op.context, &np.context),
        outputs,
        records,
        changed,
        summary: Summary {
            grade_outputs,
            grade_changes: grade_records,
            grade_people: grade_people.len(),
            transitions: transitions
                .into_iter()
                .map(|((output, from, to), count)| Transition {
                    output,
                    from,
                    to,
                    count,
                })
                .collect(),
            payroll,
            total_output,
            movers,
        },
    }
}

fn version(s: &Side<'_>) -> Version {
    Version {
        source: s.source.to_string(),
        policy: s.program.name.clone(),
        version: s.program.version.clone(),
    }
}
