//! Team (same team and period) and history (same employee) passes.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Every match on an IR enum names each variant: a new team or history
// function, or a new aggregate, fails to build here until it is computed.
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::matrix::Matrix;
use super::{EvalError, Row};
use crate::eval::expr::{cmp_num, Fault, FaultKind};
use crate::eval::num::Num;
use crate::ir::*;
use crate::packed::{unpack_num, Column, Packed, Stretch};
use crate::syntax::ast::{Order, Span};
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
    /// Runs of rows with equal (team, period), in output order.
    pub(super) fn teams(&self) -> &[Vec<usize>] {
        &self.teams
    }

    /// The groups of a batch whose output order is `order`: the teams'
    /// months when `teams`, each employee's months when `people`.
    pub(super) fn new(rows: &[Row], order: &[usize], teams: bool, people: bool) -> Groups {
        // Runs of consecutive indices whose rows agree on `same`.
        let runs = |order: &[usize], same: fn(&Row, &Row) -> bool| -> Vec<Vec<usize>> {
            order
                .chunk_by(|&a, &b| match (rows.get(a), rows.get(b)) {
                    (Some(a), Some(b)) => same(a, b),
                    _ => false,
                })
                .map(<[usize]>::to_vec)
                .collect()
        };
        Groups {
            teams: if teams {
                runs(order, |a, b| a.team() == b.team() && a.period == b.period)
            } else {
                Vec::new()
            },
            people: if people {
                runs(&super::output_order::person_order(rows), |a, b| {
                    a.employee() == b.employee()
                })
            } else {
                Vec::new()
            },
        }
    }
}

/// Where a team or history function reads its argument slots: the
/// matrix, or, for a slot that only reads an input and that the matrix
/// does not hold ([`Args::inputs`]), the row's input itself.
#[derive(Clone, Copy)]
pub(super) struct Args<'a> {
    pub values: &'a Matrix,
    pub rows: &'a [Row],
    /// Per slot, the input it reads, when it is read from the row.
    pub inputs: &'a [Option<usize>],
    /// Such inputs gathered into columns, when they are.
    pub columns: Option<&'a Columns>,
}

impl Args<'_> {
    fn get(&self, row: usize, slot: usize) -> Option<Value> {
        match self.inputs.get(slot).copied().flatten() {
            Some(i) => self.rows.get(row)?.inputs.get(i),
            None => self.values.get(row, slot),
        }
    }

    /// The number in slot `slot` of row `row` (`None` for anything else).
    fn num(&self, row: usize, slot: usize) -> Option<Num> {
        if let Some(n) = self.columns.and_then(|c| c.num(row, slot)) {
            return n;
        }
        match self.inputs.get(slot).copied().flatten() {
            Some(i) => self.rows.get(row)?.inputs.num(i),
            None => self.values.num(row, slot),
        }
    }
}

/// The inputs that a stage's team figures read (slots that only read an
/// input, see [`Args`]), gathered from the rows into one column each, in
/// one pass over the batch (in parallel parts): the figures then read
/// adjacent values instead of each going to every row's inputs again
/// (S3's five figures over two inputs went to a million rows' inputs five
/// times).
pub(super) struct Columns {
    /// Per slot, its column's index, when it has one.
    of_slot: Vec<Option<usize>>,
    /// Rows per part (each part gathered on its own thread).
    per: usize,
    /// Per column, one value per row (5 bytes each).
    columns: Vec<Column>,
    /// Per part, what its values keep aside (see [`Packed`]).
    sides: Vec<Vec<Value>>,
}

impl Columns {
    /// The columns of `slots` (each with the input it reads) over `rows`,
    /// gathered on up to `threads` threads.
    pub(super) fn gather(
        rows: &[Row],
        slots: &[(usize, usize)],
        width: usize,
        threads: usize,
    ) -> Columns {
        let mut of_slot = vec![None; width];
        for (k, &(s, _)) in slots.iter().enumerate() {
            if let Some(c) = of_slot.get_mut(s) {
                *c = Some(k);
            }
        }
        let per = rows.len().div_ceil(threads.max(1)).max(1);
        let mut columns: Vec<Column> = slots.iter().map(|_| Column::zeroed(rows.len())).collect();
        // per part: its rows and its stretch of each column
        let mut parts: Vec<(&[Row], Vec<Stretch<'_>>)> =
            rows.chunks(per).map(|rs| (rs, Vec::new())).collect();
        for column in &mut columns {
            for ((_, stretches), stretch) in parts.iter_mut().zip(column.stretches(per)) {
                stretches.push(stretch);
            }
        }
        let part = |(rows, mut stretches): (&[Row], Vec<Stretch<'_>>)| {
            let mut side = Vec::new();
            for (&(_, i), stretch) in slots.iter().zip(&mut stretches) {
                for (k, r) in rows.iter().enumerate().take(stretch.len()) {
                    // (a record has every input; were one missing, it reads as no number)
                    let p = r.inputs.packed_into(i, &mut side);
                    stretch.set(k, p.unwrap_or(Packed::boolean(false)), &mut side);
                }
            }
            side
        };
        let sides = if threads > 1 && parts.len() > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> = parts
                    .into_iter()
                    .map(|p| std::thread::Builder::new().spawn_scoped(scope, move || part(p)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.ok().and_then(|h| h.join().ok()))
                    .collect::<Option<Vec<_>>>()
            })
        } else {
            Some(parts.into_iter().map(part).collect())
        };
        match sides {
            Some(sides) => Columns {
                of_slot,
                per,
                columns,
                sides,
            },
            // (a part whose thread could not start or failed: all gathered here)
            None => Columns::gather(rows, slots, width, 1),
        }
    }

    /// Slot `slot`'s column, when it has one.
    fn column(&self, slot: usize) -> Option<&Column> {
        let column = (*self.of_slot.get(slot)?)?;
        self.columns.get(column)
    }

    /// The decimal in row `row` of slot `slot`'s column, when it is one
    /// whose mantissa fits an `i64`.
    #[inline]
    fn dec(&self, row: usize, slot: usize) -> Option<(i64, u8)> {
        match self.num(row, slot)?? {
            Num::Dec { m, s } => Some((i64::try_from(m).ok()?, s)),
            Num::Frac { .. } => None,
        }
    }

    /// `None` when slot `slot` has no column; else the number in row
    /// `row` (`None` for anything else).
    fn num(&self, row: usize, slot: usize) -> Option<Option<Num>> {
        let p = self.column(slot)?.get(row)?;
        Some(match p.as_dec() {
            Some((m, s)) => Some(Num::Dec {
                m: i128::from(m),
                s,
            }),
            None => unpack_num(p, self.sides.get(row / self.per)?),
        })
    }
}

/// The inputs the team figures among `slots` read (see [`Columns`]): each
/// argument slot that is read from the rows, with its input, once.
pub(super) fn team_inputs(
    slots: &[(usize, &Slot)],
    inputs: &[Option<usize>],
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (_, slot) in slots {
        let arg = match &slot.compute {
            Compute::Team(TeamFn::Agg { kind, arg }) if *kind != AggKind::Count => *arg,
            Compute::Team(TeamFn::Rank { arg, .. } | TeamFn::Distribute { arg, .. }) => *arg,
            Compute::Team(TeamFn::Agg { .. }) | Compute::Expr(_) | Compute::History(_) => continue,
        };
        if let Some(i) = inputs.get(arg).copied().flatten() {
            if !out.iter().any(|&(s, _)| s == arg) {
                out.push((arg, i));
            }
        }
    }
    out
}

/// Competition ranks (1, 2, 2, 4) of `members` by slot `arg`.
fn ranks(
    members: &[usize],
    arg: usize,
    order: Order,
    values: Args<'_>,
    span: Span,
) -> Result<Vec<usize>, Fault> {
    let mut keyed: Vec<(Num, usize)> = Vec::with_capacity(members.len());
    for (i, &r) in members.iter().enumerate() {
        let v = values.num(r, arg).ok_or(Fault {
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
    // The previous value in rank order, and its rank.
    let mut prev: Option<(Num, usize)> = None;
    for (k, &(v, i)) in keyed.iter().enumerate() {
        let rank = match prev {
            Some((p, r)) if cmp_num(p, v, span)? == Ordering::Equal => r,
            _ => k + 1,
        };
        // `i` numbers `members`, whose length `out` has.
        *out.get_mut(i).ok_or(Fault {
            kind: FaultKind::Internal,
            span,
        })? = rank;
        prev = Some((v, rank));
    }
    Ok(out)
}

/// Team figure `f` into slot `slot` of every row, group by group; the
/// groups are worked out on up to `threads` threads (each a run of them),
/// then stored: an aggregate once per group, ranks and levels by every
/// matrix chunk's thread ([`Matrix::set_each`]). Faults are reported in
/// group order. The arguments are read through `inputs` (see [`Args`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn team(
    f: &TeamFn,
    slot: usize,
    groups: &Groups,
    rows: &[Row],
    values: &mut Matrix,
    inputs: &[Option<usize>],
    columns: Option<&Columns>,
    errors: &mut Vec<EvalError>,
    threads: usize,
) {
    let span = Default::default();
    let args = Args {
        values,
        rows,
        inputs,
        columns,
    };
    let work = |teams: &[Vec<usize>]| -> Vec<Result<Figures, Fault>> {
        let mut keys = Vec::new();
        teams
            .iter()
            .map(|members| team_group(f, members, args, span, &mut keys))
            .collect()
    };
    let runs = team_runs(&groups.teams, threads);
    let results: Vec<Result<Figures, Fault>> = if runs.len() > 1 {
        std::thread::scope(|scope| {
            let handles: Vec<_> = runs
                .iter()
                .map(|&run| {
                    (
                        run,
                        std::thread::Builder::new().spawn_scoped(scope, move || work(run)),
                    )
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|(run, handle)| match handle {
                    // (a thread that could not start leaves its run to this one)
                    Ok(h) => h.join().unwrap_or_else(|_| {
                        run.iter()
                            .map(|_| {
                                Err(Fault {
                                    kind: FaultKind::Internal,
                                    span,
                                })
                            })
                            .collect()
                    }),
                    Err(_) => work(run),
                })
                .collect()
        })
    } else {
        work(&groups.teams)
    };
    let mut per_member = false;
    for (members, result) in groups.teams.iter().zip(&results) {
        match result {
            // (an aggregate is stored once for the group: a fraction such as
            // 100/9 is then one entry of the side table, not one per member)
            Ok(Figures::Same(n)) => values.set_all(members, slot, Value::Num(*n)),
            Ok(Figures::Ranks(_) | Figures::Levels(_)) => per_member = true,
            Err(fault) => {
                if let Some(row) = members.first().and_then(|&r| rows.get(r)) {
                    errors.push(EvalError::team_fault(row, fault.clone()));
                }
            }
        }
    }
    if per_member {
        values.set_each(slot, &|set| {
            for (members, figures) in groups.teams.iter().zip(&results) {
                if let Ok(figures @ (Figures::Ranks(_) | Figures::Levels(_))) = figures {
                    for (k, &r) in members.iter().enumerate() {
                        if let Some(v) = figures.value(k) {
                            set(r, v);
                        }
                    }
                }
            }
        });
    }
}

/// A team figure of one group, per member, held small until stored.
#[cfg_attr(test, derive(Debug, PartialEq))]
enum Figures {
    /// The same number for every member (an aggregate).
    Same(Num),
    /// Each member's rank.
    Ranks(Vec<usize>),
    /// Each member's level.
    Levels(Vec<u16>),
}

impl Figures {
    /// The `k`th member's value.
    fn value(&self, k: usize) -> Option<Value> {
        match self {
            Figures::Same(n) => Some(Value::Num(*n)),
            Figures::Ranks(r) => r.get(k).map(|&r| Value::Num(Num::int(r as i64))),
            Figures::Levels(l) => l.get(k).map(|&l| Value::Level(l)),
        }
    }
}

/// The groups cut into up to `threads` runs of about as many rows each
/// (one run when the groups are few or small).
fn team_runs(teams: &[Vec<usize>], threads: usize) -> Vec<&[Vec<usize>]> {
    const PARALLEL_MIN_ROWS: usize = 20_000;
    let total: usize = teams.iter().map(Vec::len).sum();
    if threads < 2 || teams.len() < 2 || total < PARALLEL_MIN_ROWS {
        return vec![teams];
    }
    let per = total.div_ceil(threads);
    let mut runs = Vec::with_capacity(threads);
    let (mut start, mut rows) = (0, 0);
    for (i, members) in teams.iter().enumerate() {
        rows += members.len();
        if rows >= per {
            runs.push(teams.get(start..=i).unwrap_or_default());
            (start, rows) = (i + 1, 0);
        }
    }
    if start < teams.len() {
        runs.push(teams.get(start..).unwrap_or_default());
    }
    runs
}

/// Slot `arg` of `members` folded with `step(acc, value)` from the first
/// value (zero when there are none).
fn fold(
    members: &[usize],
    arg: usize,
    values: Args<'_>,
    span: Span,
    step: impl Fn(Num, Num) -> Result<Num, Fault>,
) -> Result<Num, Fault> {
    let mut acc: Option<Num> = None;
    for &r in members {
        let v = values.num(r, arg).ok_or(Fault {
            kind: FaultKind::Internal,
            span,
        })?;
        acc = Some(match acc {
            None => v,
            Some(a) => step(a, v)?,
        });
    }
    Ok(acc.unwrap_or(Num::ZERO))
}

/// The numbers of `members` in slot `arg` as integers at one scale (the
/// largest of theirs), into `keys`, with that scale: when the slot has a
/// gathered column and every one of them is a decimal held in place with
/// at most 15 places. Their sum is then the integers' sum at that scale,
/// exactly what adding them as `Num`s gives (`Num::plus` aligns scales
/// the same way and keeps up to 15 places as they are), and they compare
/// as the integers do.
fn scaled(members: &[usize], arg: usize, args: Args<'_>, keys: &mut Vec<i128>) -> Option<u8> {
    const KEPT: u8 = 15;
    let columns = args.columns?;
    let mut scale = 0;
    for &r in members {
        let (_, s) = columns.dec(r, arg)?;
        scale = scale.max(s);
    }
    if scale > KEPT {
        return None;
    }
    keys.clear();
    for &r in members {
        let (m, s) = columns.dec(r, arg)?;
        let up = crate::num::small::pow10(scale - s)?;
        keys.push(i128::from(m) * i128::from(up));
    }
    Some(scale)
}

/// Where the smallest (`want` is `Less`) or largest (`Greater`) of `keys`
/// first is: what folding `Num`s with a strict comparison keeps.
fn extreme(keys: &[i128], want: Ordering) -> usize {
    let mut best = 0;
    for (k, key) in keys.iter().enumerate() {
        if keys.get(best).is_some_and(|b| key.cmp(b) == want) {
            best = k;
        }
    }
    best
}

/// [`ranks`] over [`scaled`] keys.
fn ranks_of_keys(keys: &[i128], order: Order) -> Vec<usize> {
    let mut sorted: Vec<(i128, usize)> = keys.iter().copied().zip(0..).collect();
    match order {
        Order::Desc => sorted.sort_unstable_by_key(|&(key, _)| std::cmp::Reverse(key)),
        Order::Asc => sorted.sort_unstable_by_key(|&(key, _)| key),
    }
    let mut out = vec![0; keys.len()];
    let mut prev: Option<(i128, usize)> = None;
    for (k, &(key, i)) in sorted.iter().enumerate() {
        let rank = match prev {
            Some((p, r)) if p == key => r,
            _ => k + 1,
        };
        if let Some(o) = out.get_mut(i) {
            *o = rank;
        }
        prev = Some((key, rank));
    }
    out
}

/// [`team_group`] over [`scaled`] keys; `None` where they do not serve.
fn team_group_scaled(
    f: &TeamFn,
    members: &[usize],
    values: Args<'_>,
    keys: &mut Vec<i128>,
) -> Option<Figures> {
    let (kind, arg) = match f {
        TeamFn::Agg { kind, arg } if *kind != AggKind::Count => (*kind, *arg),
        TeamFn::Rank { arg, order } => {
            scaled(members, *arg, values, keys)?;
            return Some(Figures::Ranks(ranks_of_keys(keys, *order)));
        }
        TeamFn::Agg { .. } | TeamFn::Distribute { .. } => return None,
    };
    if members.is_empty() {
        return None;
    }
    let scale = scaled(members, arg, values, keys)?;
    let sum = || {
        let m = keys.iter().try_fold(0i128, |a, &k| a.checked_add(k))?;
        Some(Num::Dec { m, s: scale })
    };
    let at = |k: usize| values.num(*members.get(k)?, arg);
    Some(Figures::Same(match kind {
        AggKind::Sum => sum()?,
        AggKind::Avg => sum()?.over(Num::int(members.len() as i64)).ok()?,
        AggKind::Min => at(extreme(keys, Ordering::Less))?,
        AggKind::Max => at(extreme(keys, Ordering::Greater))?,
        AggKind::Count => return None,
    }))
}

/// Team figure `f` of one group, through [`scaled`] keys where it can
/// (`keys` is scratch room for them), else with `Num`s.
fn team_group(
    f: &TeamFn,
    members: &[usize],
    values: Args<'_>,
    span: Span,
    keys: &mut Vec<i128>,
) -> Result<Figures, Fault> {
    let n = members.len();
    if let Some(figures) = team_group_scaled(f, members, values, keys) {
        return Ok(figures);
    }
    let ne = |r: Result<Num, crate::eval::num::NumError>| r.map_err(|e| Fault::from((e, span)));
    Ok(match f {
        TeamFn::Agg { kind, arg } => {
            let arg = *arg;
            let sum = |a: Num, v: Num| ne(a.plus(v));
            // the later value when it compares `want` to the running one
            let pick = |want: Ordering| {
                move |a: Num, v: Num| Ok(if cmp_num(v, a, span)? == want { v } else { a })
            };
            let v = match kind {
                AggKind::Count => Num::int(n as i64),
                AggKind::Sum => fold(members, arg, values, span, sum)?,
                AggKind::Avg => {
                    ne(fold(members, arg, values, span, sum)?.over(Num::int(n as i64)))?
                }
                AggKind::Min => fold(members, arg, values, span, pick(Ordering::Less))?,
                AggKind::Max => fold(members, arg, values, span, pick(Ordering::Greater))?,
            };
            Figures::Same(v)
        }
        TeamFn::Rank { arg, order } => Figures::Ranks(ranks(members, *arg, *order, values, span)?),
        TeamFn::Distribute {
            arg,
            order,
            quotas,
            levels,
            else_level,
            span,
        } => {
            let span = *span;
            let rk = match scaled(members, *arg, values, keys) {
                Some(_) => ranks_of_keys(keys, *order),
                None => ranks(members, *arg, *order, values, span)?,
            };
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
                out.push(level.ok_or(Fault {
                    kind: FaultKind::NoLevel,
                    span,
                })?);
            }
            Figures::Levels(out)
        }
    })
}

pub(super) fn history(
    f: &HistoryFn,
    slot: usize,
    groups: &Groups,
    rows: &[Row],
    values: &mut Matrix,
    inputs: &[Option<usize>],
) {
    for person in &groups.people {
        let mut last: Option<usize> = None;
        for &r in person {
            // The previous record counts only if it is the previous calendar month.
            let prev = last.filter(|&p| match (rows.get(p), rows.get(r)) {
                (Some(p), Some(r)) => p.period.index() + 1 == r.period.index(),
                _ => false,
            });
            last = Some(r);
            let args = Args {
                values,
                rows,
                inputs,
                columns: None,
            };
            let v = match f {
                HistoryFn::Prev { arg, default } => match prev {
                    Some(p) => args.get(p, *arg).unwrap_or(Value::Bool(false)),
                    None => args.get(r, *default).unwrap_or(Value::Bool(false)),
                },
                HistoryFn::HasPrev { .. } => Value::Bool(prev.is_some()),
                HistoryFn::Streak { arg } => {
                    let held = matches!(args.get(r, *arg), Some(Value::Bool(true)));
                    let before = match prev {
                        Some(p) => match values.get(p, slot) {
                            Some(Value::Num(n)) => n,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Period;

    /// Gathered columns read what the rows' inputs hold, in every part,
    /// values kept aside (a wide decimal, a fraction) included.
    #[test]
    fn columns_read_as_inputs_do() {
        let rows: Vec<Row> = (0..7i64)
            .map(|k| Row {
                ids: crate::data::Ids::new(&format!("E{k}"), Some("A")),
                period: Period::parse("2026-10").unwrap(),
                line: 0,
                inputs: vec![
                    Value::Num(Num::Dec {
                        m: i128::from(k) * 125,
                        s: 2,
                    }),
                    match k % 3 {
                        0 => Value::Num(Num::Dec {
                            m: i128::from(i64::MAX) + i128::from(k),
                            s: 1,
                        }),
                        1 => Value::Num(Num::Frac {
                            n: 100 + i128::from(k),
                            d: 9,
                        }),
                        _ => Value::Text("甲".into()),
                    },
                ]
                .into(),
            })
            .collect();
        // slot 3 reads input 1, slot 1 input 0; slot 0 has no column
        for threads in 1..=4 {
            let columns = Columns::gather(&rows, &[(3, 1), (1, 0)], 5, threads);
            for (r, row) in rows.iter().enumerate() {
                assert_eq!(columns.num(r, 1), Some(row.inputs.num(0)));
                assert_eq!(columns.num(r, 3), Some(row.inputs.num(1)));
                assert_eq!(columns.num(r, 0), None);
            }
            assert_eq!(columns.num(7, 1), None, "no row 7");
        }
    }

    /// Team figures through integer keys (`scaled`) give what `Num`s give,
    /// representation included (ties of 1.5 and 1.50: the first is kept),
    /// and groups they do not serve (16 places, a fraction, a text) fall
    /// back to `Num`s.
    #[test]
    fn scaled_figures_agree_with_nums() {
        let dec = |m: i128, s: u8| Value::Num(Num::Dec { m, s });
        let groups: Vec<Vec<Value>> = vec![
            vec![dec(15, 1), dec(150, 2), dec(-3, 0), dec(7, 3), dec(150, 2)],
            vec![dec(42, 0)],
            vec![dec(5, 0), dec(50, 1), dec(500, 2)],
            vec![
                dec(-1, 2),
                dec(2, 0),
                dec(-1, 2),
                dec(9, 1),
                dec(0, 4),
                dec(2, 0),
            ],
            vec![dec(1, 16), dec(2, 0)],
            vec![dec(1, 0), Value::Num(Num::Frac { n: 100, d: 9 })],
            vec![dec(i128::from(i64::MAX), 0), dec(i128::from(i64::MAX), 0)],
        ];
        let rows: Vec<Row> = groups
            .iter()
            .flatten()
            .enumerate()
            .map(|(k, v)| Row {
                ids: crate::data::Ids::new(&format!("E{k}"), Some("A")),
                period: Period::parse("2026-10").unwrap(),
                line: 0,
                inputs: vec![v.clone()].into(),
            })
            .collect();
        let mut start = 0;
        let members: Vec<Vec<usize>> = groups
            .iter()
            .map(|g| {
                start += g.len();
                (start - g.len()..start).collect()
            })
            .collect();
        let matrix = Matrix::new(rows.len(), 2, 1);
        let columns = Columns::gather(&rows, &[(1, 0)], 2, 1);
        let inputs = [None, Some(0)];
        let through = |columns| Args {
            values: &matrix,
            rows: &rows,
            inputs: &inputs,
            columns,
        };
        let mut figures: Vec<TeamFn> = [
            AggKind::Sum,
            AggKind::Avg,
            AggKind::Min,
            AggKind::Max,
            AggKind::Count,
        ]
        .into_iter()
        .map(|kind| TeamFn::Agg { kind, arg: 1 })
        .collect();
        figures.extend([Order::Asc, Order::Desc].map(|order| TeamFn::Rank { arg: 1, order }));
        figures.push(TeamFn::Distribute {
            arg: 1,
            order: Order::Desc,
            quotas: vec![Num::Dec { m: 3, s: 1 }],
            levels: vec![0],
            else_level: Some(1),
            span: Span::default(),
        });
        let mut keys = Vec::new();
        let mut served = 0;
        for f in &figures {
            for m in &members {
                let fast = team_group(f, m, through(Some(&columns)), Span::default(), &mut keys);
                let slow = team_group(f, m, through(None), Span::default(), &mut keys);
                assert_eq!(fast, slow, "{f:?} over {m:?}");
                served += usize::from(
                    team_group_scaled(f, m, through(Some(&columns)), &mut keys).is_some(),
                );
            }
        }
        // sums, averages, extremes and ranks of all groups but the two with
        // 16 places and a fraction (counts and distributions are not served)
        assert_eq!(served, 6 * 5);
        // (figure, group, what it gives)
        let expected = [
            (0, 0, Figures::Same(Num::Dec { m: 1507, s: 3 })),
            (2, 3, Figures::Same(Num::Dec { m: -1, s: 2 })),
            (3, 0, Figures::Same(Num::Dec { m: 15, s: 1 })),
            (6, 0, Figures::Ranks(vec![1, 1, 5, 4, 1])),
        ];
        for (f, m, want) in expected {
            let got = team_group(
                &figures[f],
                &members[m],
                through(Some(&columns)),
                Span::default(),
                &mut keys,
            );
            assert_eq!(got, Ok(want), "figure {f}, group {m}");
        }
    }
}
