//! Team (same team and period) and history (same employee) passes.

use super::matrix::Matrix;
use super::{EvalError, Row};
use crate::eval::expr::{cmp_num, Fault, FaultKind};
use crate::eval::num::Num;
use crate::ir::*;
use crate::syntax::ast::Order;
use std::cmp::Ordering;

/// Row indices grouped once per batch.
#[derive(Default)]
pub(super) struct Groups {
    /// Runs of `team_order` with equal (team, period).
    teams: Vec<Vec<usize>>,
    /// Each employee's rows in period order.
    people: Vec<Vec<usize>>,
}

impl Groups {
    pub(super) fn new(rows: &[Row], order: &[usize]) -> Groups {
        let mut teams: Vec<Vec<usize>> = Vec::new();
        let mut start = 0;
        for i in 1..=order.len() {
            let split = i == order.len() || {
                let (a, b) = (&rows[order[i - 1]], &rows[order[i]]);
                a.team != b.team || a.period != b.period
            };
            if split && i > start {
                teams.push(order[start..i].to_vec());
                start = i;
            }
        }
        let by_person = super::order::person_order(rows);
        let mut people = Vec::new();
        let mut start = 0;
        for i in 1..=by_person.len() {
            if i == by_person.len()
                || rows[by_person[i - 1]].employee != rows[by_person[i]].employee
            {
                if i > start {
                    people.push(by_person[start..i].to_vec());
                }
                start = i;
            }
        }
        Groups { teams, people }
    }
}

fn num_at(values: &Matrix, row: usize, slot: usize) -> Option<Num> {
    match values.get(row, slot) {
        Some(Value::Num(n)) => Some(*n),
        _ => None,
    }
}

/// Competition ranks (1, 2, 2, 4) of `members` by slot `arg`.
fn ranks(
    members: &[usize],
    arg: usize,
    order: Order,
    values: &Matrix,
    span: crate::syntax::ast::Span,
) -> Result<Vec<usize>, Fault> {
    let mut keyed: Vec<(Num, usize)> = Vec::with_capacity(members.len());
    for (i, &r) in members.iter().enumerate() {
        let v = num_at(values, r, arg).ok_or(Fault {
            kind: FaultKind::Internal,
            span,
        })?;
        keyed.push((v, i));
    }
    let mut err = None;
    keyed.sort_by(|a, b| {
        let o = a.0.exact_cmp(b.0).unwrap_or_else(|_| {
            err = Some(Fault {
                kind: FaultKind::Overflow,
                span,
            });
            Ordering::Equal
        });
        match order {
            Order::Desc => o.reverse(),
            Order::Asc => o,
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    let mut out = vec![0; members.len()];
    for k in 0..keyed.len() {
        let rank = if k > 0 && cmp_num(keyed[k - 1].0, keyed[k].0, span)? == Ordering::Equal {
            out[keyed[k - 1].1]
        } else {
            k + 1
        };
        out[keyed[k].1] = rank;
    }
    Ok(out)
}

pub(super) fn team(
    f: &TeamFn,
    slot: usize,
    groups: &Groups,
    rows: &[Row],
    values: &mut Matrix,
    errors: &mut Vec<EvalError>,
) {
    let span = Default::default();
    for members in &groups.teams {
        let result = team_group(f, members, values, span);
        match result {
            Ok(out) => {
                for (&r, v) in members.iter().zip(out) {
                    values.set(r, slot, v);
                }
            }
            Err(fault) => {
                if let Some(&r) = members.first() {
                    errors.push(EvalError::team_fault(&rows[r], fault));
                }
            }
        }
    }
}

fn team_group(
    f: &TeamFn,
    members: &[usize],
    values: &Matrix,
    span: crate::syntax::ast::Span,
) -> Result<Vec<Value>, Fault> {
    let n = members.len();
    let ne = |r: Result<Num, crate::eval::num::NumError>| r.map_err(|e| Fault::from((e, span)));
    Ok(match f {
        TeamFn::Agg { kind, arg } => {
            if *kind == AggKind::Count {
                return Ok(vec![Value::Num(Num::int(n as i64)); n]);
            }
            let mut acc: Option<Num> = None;
            for &r in members {
                let v = num_at(values, r, *arg).ok_or(Fault {
                    kind: FaultKind::Internal,
                    span,
                })?;
                acc = Some(match (acc, kind) {
                    (None, _) => v,
                    (Some(a), AggKind::Sum | AggKind::Avg) => ne(a.plus(v))?,
                    (Some(a), AggKind::Min) => {
                        if cmp_num(v, a, span)? == Ordering::Less {
                            v
                        } else {
                            a
                        }
                    }
                    (Some(a), _) => {
                        if cmp_num(v, a, span)? == Ordering::Greater {
                            v
                        } else {
                            a
                        }
                    }
                });
            }
            let mut v = acc.unwrap_or(Num::ZERO);
            if *kind == AggKind::Avg {
                v = ne(v.over(Num::int(n as i64)))?;
            }
            vec![Value::Num(v); n]
        }
        TeamFn::Rank { arg, order } => ranks(members, *arg, *order, values, span)?
            .into_iter()
            .map(|r| Value::Num(Num::int(r as i64)))
            .collect(),
        TeamFn::Distribute {
            arg,
            order,
            quotas,
            levels,
            else_level,
            span,
        } => {
            let span = *span;
            let rk = ranks(members, *arg, *order, values, span)?;
            // Cumulative counts: round(quota × n), half up.
            let mut cuts = Vec::with_capacity(quotas.len());
            for q in quotas {
                let c = q
                    .times(Num::int(n as i64))
                    .and_then(|x| x.round(0))
                    .map_err(|e| Fault::from((e, span)))?;
                cuts.push(c);
            }
            let mut out = Vec::with_capacity(n);
            for r in rk {
                let r = Num::int(r as i64);
                let mut level = *else_level;
                for (c, l) in cuts.iter().zip(levels) {
                    if cmp_num(r, *c, span)? != Ordering::Greater {
                        level = Some(*l);
                        break;
                    }
                }
                out.push(Value::Level(level.ok_or(Fault {
                    kind: FaultKind::NoLevel,
                    span,
                })?));
            }
            out
        }
    })
}

pub(super) fn history(
    f: &HistoryFn,
    slot: usize,
    groups: &Groups,
    rows: &[Row],
    values: &mut Matrix,
) {
    for person in &groups.people {
        for (k, &r) in person.iter().enumerate() {
            // The previous record counts only if it is the previous calendar month.
            let prev = k
                .checked_sub(1)
                .map(|j| person[j])
                .filter(|&p| rows[p].period.index() + 1 == rows[r].period.index());
            let v = match f {
                HistoryFn::Prev { arg, default } => match prev {
                    Some(p) => values.get(p, *arg).cloned().unwrap_or(Value::Bool(false)),
                    None => values
                        .get(r, *default)
                        .cloned()
                        .unwrap_or(Value::Bool(false)),
                },
                HistoryFn::Streak { arg } => {
                    let held = matches!(values.get(r, *arg), Some(Value::Bool(true)));
                    let before = match prev {
                        Some(p) => match values.get(p, slot) {
                            Some(Value::Num(n)) => *n,
                            _ => Num::ZERO,
                        },
                        None => Num::ZERO,
                    };
                    if held {
                        Value::Num(before.plus(Num::ONE).unwrap_or(before))
                    } else {
                        Value::Num(Num::ZERO)
                    }
                }
            };
            values.set(r, slot, v);
        }
    }
}
