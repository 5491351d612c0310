//! Duplicate detection for records: the first line of each (employee,
//! period), kept cheaply for files of millions of rows.
//!
//! Employees are numbered in order of first appearance; their ids are kept
//! end to end in one string. A row's employee is first guessed, without
//! hashing: the same as the row before (rows grouped by employee), or the
//! next one (rows grouped by period, employees in the same order in every
//! period); only when both guesses miss is the id looked up in a map.
//!
//! The lines are kept in blocks, one per (employee, year), twelve months
//! side by side; each employee remembers the block of the year it was last
//! seen in. The maps hash with a fast, deterministic hasher (foldhash): the keys come
//! from the user's own data file, so the DoS resistance of the default
//! (randomly keyed SipHash) buys nothing here, and it costs a good part of
//! the time.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use std::collections::HashMap;

use crate::types::Period;

type FastMap<K, V> = HashMap<K, V, FixedState>;

#[derive(Default)]
pub(crate) struct FirstLines {
    /// Every distinct employee id, end to end, in order of first appearance.
    ids: String,
    /// Per employee number.
    employees: Vec<Employee>,
    /// Employee numbers, found by their ids' fingerprints and ids (no copy
    /// of the id is kept here), for when the guesses miss.
    numbers: HashTable<usize>,
    /// The number of the previous call's employee.
    last: Option<usize>,
    /// (employee number, year) → index into `blocks`, for every block.
    block_index: FastMap<(usize, u16), usize>,
    /// One block per (employee, year): per month (January first), 1 + the
    /// line of the first row, or 0 while there is none; [`FAR`] when that
    /// does not fit in 32 bits, and then the line is in `far`.
    blocks: Vec<[u32; 12]>,
    /// (block, month index) → line, for lines past 32 bits.
    far: FastMap<(usize, usize), usize>,
}

/// In a block: the line is in `FirstLines::far`.
const FAR: u32 = u32::MAX;

struct Employee {
    /// A hash of its id, to turn down most wrong guesses without reading
    /// the id itself (which may not be in the cache).
    fingerprint: u64,
    /// Where its id is in `ids`.
    start: usize,
    end: usize,
    /// The year it was last seen in, and the index of that year's block.
    current: Option<(u16, usize)>,
}

impl FirstLines {
    /// The line of the first row seen with `employee` and `period`; `None`
    /// if this is the first, and then `line` is remembered as its line.
    pub(crate) fn first(&mut self, employee: &str, period: Period, line: usize) -> Option<usize> {
        let number = self.number(employee);
        // (`number` numbers an entry of `employees`; without one, the block
        // is just looked up)
        let current = self.employees.get(number).and_then(|e| e.current);
        let block = match current {
            Some((year, block)) if year == period.year => block,
            _ => {
                let blocks = &mut self.blocks;
                let block = *self
                    .block_index
                    .entry((number, period.year))
                    .or_insert_with(|| {
                        blocks.push([0; 12]);
                        blocks.len() - 1
                    });
                if let Some(e) = self.employees.get_mut(number) {
                    e.current = Some((period.year, block));
                }
                block
            }
        };
        // `Period::parse` makes every month 1..=12, and `block` is an index
        // `block_index` handed out: the slot is always there.
        let month = usize::from(period.month).checked_sub(1)?;
        let slot = self.blocks.get_mut(block)?.get_mut(month)?;
        match *slot {
            0 => {
                match u32::try_from(line + 1) {
                    Ok(l) if l != FAR => *slot = l,
                    _ => {
                        *slot = FAR;
                        self.far.insert((block, month), line);
                    }
                }
                None
            }
            FAR => self.far.get(&(block, month)).copied(),
            first => Some(first as usize - 1),
        }
    }

    /// The number of an employee id, numbering it if it is new.
    fn number(&mut self, employee: &str) -> usize {
        let fingerprint = fingerprint(employee);
        let guesses = self.last.map(|last| [last, last + 1]);
        for guess in guesses.into_iter().flatten() {
            if self.employees.get(guess).is_some_and(|e| {
                e.fingerprint == fingerprint && self.ids.get(e.start..e.end) == Some(employee)
            }) {
                self.last = Some(guess);
                return guess;
            }
        }
        let (ids, employees) = (&self.ids, &self.employees);
        let found = self.numbers.find(fingerprint, |&n| {
            employees
                .get(n)
                .is_some_and(|e| ids.get(e.start..e.end) == Some(employee))
        });
        let number = match found {
            Some(&number) => number,
            None => {
                let number = self.employees.len();
                let start = self.ids.len();
                self.ids.push_str(employee);
                self.employees.push(Employee {
                    fingerprint,
                    start,
                    end: self.ids.len(),
                    current: None,
                });
                let employees = &self.employees;
                self.numbers.insert_unique(fingerprint, number, |&n| {
                    employees.get(n).map_or(0, |e| e.fingerprint)
                });
                number
            }
        };
        self.last = Some(number);
        number
    }
}

/// A 64-bit hash of an employee id.
fn fingerprint(id: &str) -> u64 {
    std::hash::BuildHasher::hash_one(&FixedState::default(), id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn first_lines_per_employee_and_period() {
        let mut seen = FirstLines::default();
        assert_eq!(seen.first("E1", p("2026-01"), 2), None);
        assert_eq!(seen.first("E1", p("2026-02"), 3), None);
        assert_eq!(seen.first("E2", p("2026-01"), 4), None);
        assert_eq!(seen.first("E1", p("2026-01"), 5), Some(2));
        assert_eq!(seen.first("E1", p("2026-01"), 6), Some(2));
        assert_eq!(seen.first("E2", p("2026-01"), 7), Some(4));
        assert_eq!(seen.first("E2", p("2026-02"), 8), None);
        assert_eq!(seen.first("E1", p("0000-01"), 9), None);
        assert_eq!(seen.first("E1", p("9999-12"), 10), None);
        assert_eq!(seen.first("E1", p("9999-12"), 11), Some(10));
        // employee ids are compared exactly
        assert_eq!(seen.first("e1", p("2026-01"), 12), None);
        assert_eq!(seen.first("E1 ", p("2026-01"), 13), None);
        // line 0 (no position) is a line like any other
        assert_eq!(seen.first("E3", p("2026-03"), 0), None);
        assert_eq!(seen.first("E3", p("2026-03"), 14), Some(0));
    }

    /// Lines past 32 bits are kept exactly too.
    #[test]
    fn lines_past_32_bits() {
        let mut seen = FirstLines::default();
        let far = u32::MAX as usize + 5;
        assert_eq!(seen.first("E1", p("2026-01"), far), None);
        assert_eq!(seen.first("E1", p("2026-02"), u32::MAX as usize - 1), None);
        assert_eq!(seen.first("E1", p("2026-03"), u32::MAX as usize - 2), None);
        assert_eq!(seen.first("E1", p("2026-01"), far + 1), Some(far));
        assert_eq!(
            seen.first("E1", p("2026-02"), far + 2),
            Some(u32::MAX as usize - 1)
        );
        assert_eq!(
            seen.first("E1", p("2026-03"), far + 3),
            Some(u32::MAX as usize - 2)
        );
    }

    /// Same answers as the obvious map, over rows in no particular order
    /// (employees and years interleaved, coming back to earlier ones).
    #[test]
    fn agrees_with_a_plain_map() {
        let mut seen = FirstLines::default();
        let mut model: HashMap<(String, Period), usize> = HashMap::new();
        let mut state: u64 = 12345;
        for line in 0..20_000 {
            // a small linear congruential generator: deterministic rows
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let r = state >> 33;
            let employee = format!("E{}", r % 37);
            let period = Period {
                year: 2020 + (r / 37 % 4) as u16,
                month: 1 + (r / 148 % 12) as u8,
            };
            let expected = match model.get(&(employee.clone(), period)) {
                Some(&first) => Some(first),
                None => {
                    model.insert((employee.clone(), period), line);
                    None
                }
            };
            assert_eq!(seen.first(&employee, period, line), expected, "line {line}");
        }
    }
}
