//! Output order (team, period, employee) and per-employee order, computed
//! with integer keys: names are ranked once, then rows sort by packed
//! numbers instead of comparing strings a million times.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::Row;
use foldhash::fast::FixedState;
use std::collections::HashMap;

/// The rank of each distinct name in sorted order, per row.
fn name_ranks<'a>(names: impl Iterator<Item = Option<&'a str>> + Clone) -> Vec<u32> {
    let mut ids: HashMap<Option<&str>, u32, FixedState> = HashMap::default();
    let mut distinct: Vec<Option<&str>> = Vec::new();
    let first_ids: Vec<u32> = names
        .map(|n| {
            *ids.entry(n).or_insert_with(|| {
                distinct.push(n);
                (distinct.len() - 1) as u32
            })
        })
        .collect();
    // `None` (no team) sorts first, like `Option`'s order; names are
    // distinct, so ids never decide.
    let mut sorted: Vec<(Option<&str>, u32)> = distinct.into_iter().zip(0..).collect();
    sorted.sort_unstable();
    // Ids are the positions in `distinct`, which `rank` mirrors: every
    // lookup below finds its entry.
    let mut rank = vec![0u32; sorted.len()];
    for (r, (_, id)) in sorted.into_iter().enumerate() {
        if let Some(slot) = rank.get_mut(id as usize) {
            *slot = r as u32;
        }
    }
    first_ids
        .into_iter()
        .map(|id| rank.get(id as usize).copied().unwrap_or_default())
        .collect()
}

/// Row indices sorted by (team, period, employee).
pub(super) fn output_order(rows: &[Row]) -> Vec<usize> {
    fn key(r: &Row) -> (Option<&str>, i32, &str) {
        (r.team(), r.period.index(), r.employee())
    }
    if rows.is_sorted_by(|a, b| key(a) < key(b)) {
        // already in output order
        return (0..rows.len()).collect();
    }
    order_by_keys(
        rows.len(),
        |i| rows.get(i).and_then(|r| r.team()),
        |i| rows.get(i).map(|r| r.period.index() as u32).unwrap_or(0),
        |i| rows.get(i).map(|r| r.employee()).unwrap_or(""),
    )
}

/// The indices `0..n` sorted by (team, period, employee), each given by
/// index.
fn order_by_keys<'a>(
    n: usize,
    team: impl Fn(usize) -> Option<&'a str> + Sync,
    period: impl Fn(usize) -> u32,
    employee: impl Fn(usize) -> &'a str,
) -> Vec<usize> {
    // (the two rankings are independent: on two threads for a large batch)
    let (teams, people) = if n >= PARALLEL_MIN {
        std::thread::scope(|scope| {
            let teams = scope.spawn(|| name_ranks((0..n).map(&team)));
            let people = name_ranks((0..n).map(|i| Some(employee(i))));
            (teams.join(), people)
        })
    } else {
        (
            Ok(name_ranks((0..n).map(&team))),
            name_ranks((0..n).map(|i| Some(employee(i)))),
        )
    };
    let teams = teams.unwrap_or_else(|_| name_ranks((0..n).map(&team)));
    let periods: Vec<u32> = (0..n).map(&period).collect();
    one_word_order(&teams, &periods, &people)
        .unwrap_or_else(|| two_word_order(&teams, &periods, &people))
}

/// The indices sorted by (team, period, person) ranks, with each key in
/// one word and the row's index below it (one sort of 8-byte words instead
/// of 32-byte pairs): the common case; `None` when they do not fit.
fn one_word_order(teams: &[u32], periods: &[u32], people: &[u32]) -> Option<Vec<usize>> {
    let n = teams.len();
    let low = periods.iter().copied().min().unwrap_or(0);
    let high = periods.iter().copied().max().unwrap_or(0);
    let bits = |max: u64| u64::BITS - max.leading_zeros();
    let (team_bits, period_bits, person_bits, index_bits) = (
        bits(teams.iter().copied().max().map_or(0, u64::from)),
        bits(u64::from(high - low)),
        bits(people.iter().copied().max().map_or(0, u64::from)),
        bits(n as u64),
    );
    if team_bits + period_bits + person_bits + index_bits > u64::BITS {
        return None;
    }
    let mut keyed: Vec<u64> = (0..n)
        .zip(teams.iter().zip(periods.iter().zip(people)))
        .map(|(i, (&team, (&period, &person)))| {
            let key = ((u64::from(team) << period_bits | u64::from(period - low)) << person_bits)
                | u64::from(person);
            // (shifts by 64 are not allowed: `checked_shl` keeps a zero-width field empty)
            key.checked_shl(index_bits).unwrap_or(0) | i as u64
        })
        .collect();
    sort_words(&mut keyed);
    let mask = 1u64.checked_shl(index_bits).map_or(u64::MAX, |b| b - 1);
    Some(keyed.into_iter().map(|k| (k & mask) as usize).collect())
}

/// `keys` sorted (all different: each holds its row's index): a large
/// batch's two halves on two threads, then merged in place (with a copy
/// of the first half: the whole is never held twice).
fn sort_words(keys: &mut [u64]) {
    let n = keys.len();
    if n < PARALLEL_MIN {
        keys.sort_unstable();
        return;
    }
    let (a, b) = keys.split_at_mut(n / 2);
    let sorted = std::thread::scope(|scope| {
        let other = scope.spawn(|| b.sort_unstable());
        a.sort_unstable();
        other.join()
    });
    if sorted.is_err() {
        keys.sort_unstable();
        return;
    }
    let front: Vec<u64> = a.to_vec();
    // (writing at `k` never passes the next unread key of the back half,
    // at `k` or after it)
    let (mut i, mut j) = (0, n / 2);
    for k in 0..n {
        let next = match (front.get(i), keys.get(j)) {
            (Some(&x), Some(&y)) if y < x => {
                j += 1;
                y
            }
            (Some(&x), _) => {
                i += 1;
                x
            }
            (None, _) => break, // the rest of the back half is in place
        };
        if let Some(slot) = keys.get_mut(k) {
            *slot = next;
        }
    }
}

/// [`one_word_order`] for any ranks: keys in 128 bits beside the indices.
fn two_word_order(teams: &[u32], periods: &[u32], people: &[u32]) -> Vec<usize> {
    let mut keyed: Vec<(u128, usize)> = teams
        .iter()
        .zip(periods.iter().zip(people))
        .enumerate()
        .map(|(i, (&team, (&period, &person)))| {
            let key = (u128::from(team) << 64) | (u128::from(period) << 32) | u128::from(person);
            (key, i)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Batches this large rank their teams and people on two threads.
const PARALLEL_MIN: usize = 50_000;

/// Row indices sorted by (employee, period).
pub(super) fn person_order(rows: &[Row]) -> Vec<usize> {
    let people = name_ranks(rows.iter().map(|r| Some(r.employee())));
    let mut keyed: Vec<(u64, usize)> = rows
        .iter()
        .zip(&people)
        .enumerate()
        .map(|(i, (r, &person))| {
            (
                (u64::from(person) << 32) | u64::from(r.period.index() as u32),
                i,
            )
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Period;

    fn row(e: &str, p: &str, t: Option<&str>) -> Row {
        Row {
            ids: crate::data::Ids::new(e, t),
            period: Period::parse(p).unwrap(),
            line: 0,
            inputs: Default::default(),
        }
    }

    /// A large batch's keys, sorted in two halves and merged, come out as
    /// one sort gives them (halves of every mix: interleaved, one before
    /// the other, scattered).
    #[test]
    fn halves_merged_are_sorted() {
        let n = PARALLEL_MIN * 2 + 3;
        let mixes: [fn(u64) -> u64; 4] = [
            |i| i,
            |i| u64::MAX - i,
            |i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 8 << 8 | (i & 0xff),
            |i| if i % 2 == 0 { i } else { 1 << 40 | i },
        ];
        for mix in mixes {
            let mut keys: Vec<u64> = (0..n as u64).map(mix).collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_words(&mut keys);
            assert_eq!(keys, want);
        }
    }

    #[test]
    fn matches_sorting_by_strings() {
        let rows = vec![
            row("E2", "2026-10", Some("B")),
            row("E1", "2026-10", Some("B")),
            row("E9", "2025-12", Some("A")),
            row("E1", "2026-09", Some("B")),
            row("员工", "2026-10", None),
            row("E10", "2026-10", Some("B")),
        ];
        let mut want: Vec<usize> = (0..rows.len()).collect();
        want.sort_by(|a, b| {
            (rows[*a].team(), rows[*a].period, rows[*a].employee()).cmp(&(
                rows[*b].team(),
                rows[*b].period,
                rows[*b].employee(),
            ))
        });
        assert_eq!(output_order(&rows), want);
        // both ways of sorting the keys agree, on these and on wide ones
        let (teams, periods, people) = (
            vec![2, 2, 1, 2, 0, 2],
            vec![7, 7, 5, 6, 7, 7],
            vec![2, 0, 3, 0, 4, 1],
        );
        assert_eq!(
            one_word_order(&teams, &periods, &people),
            Some(want.clone())
        );
        assert_eq!(two_word_order(&teams, &periods, &people), want);
        let wide = vec![u32::MAX, 0, u32::MAX];
        assert_eq!(one_word_order(&wide, &wide, &wide), None);
        assert_eq!(two_word_order(&wide, &wide, &wide), vec![1, 0, 2]);
        let mut want: Vec<usize> = (0..rows.len()).collect();
        want.sort_by(|a, b| {
            (rows[*a].employee(), rows[*a].period).cmp(&(rows[*b].employee(), rows[*b].period))
        });
        assert_eq!(person_order(&rows), want);
    }
}
