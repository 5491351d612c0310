//! Duplicate detection for records: the first line of each (employee,
//! period), kept cheaply for files of millions of rows.
//!
//! Each distinct employee id is copied once and numbered. The lines are kept
//! per (employee, year), twelve months side by side: rows usually come
//! employee by employee, so consecutive rows hit the same slots, and a
//! one-entry cache skips the hash lookups altogether. The maps hash with a
//! fast, deterministic hasher: the keys come from the user's own data file,
//! so the DoS resistance of the default (randomly keyed SipHash) buys
//! nothing here, and it costs a good part of the time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::types::Period;

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[derive(Default)]
pub(crate) struct FirstLines {
    /// Each distinct employee id, numbered in order of first appearance.
    employees: FastMap<String, u64>,
    /// The employee of the previous call and its number.
    last_employee: Option<(String, u64)>,
    /// [`year_key`] → index into `months`.
    years: FastMap<u64, usize>,
    /// The year key of the previous call and its index.
    last_year: Option<(u64, usize)>,
    /// For one employee and year, per month (January first): 1 + the line
    /// of the first row, or 0 while there is none.
    months: Vec<[usize; 12]>,
}

/// The key of (employee number, year).
fn year_key(employee: u64, period: Period) -> u64 {
    employee << 16 | u64::from(period.year)
}

impl FirstLines {
    /// The line of the first row seen with `employee` and `period`; `None`
    /// if this is the first, and then `line` is remembered as its line.
    pub(crate) fn first(&mut self, employee: &str, period: Period, line: usize) -> Option<usize> {
        let key = year_key(self.number(employee), period);
        let index = match self.last_year {
            Some((last, index)) if last == key => index,
            _ => {
                let months = &mut self.months;
                let index = *self.years.entry(key).or_insert_with(|| {
                    months.push([0; 12]);
                    months.len() - 1
                });
                self.last_year = Some((key, index));
                index
            }
        };
        // `Period::parse` makes every month 1..=12
        let slot = &mut self.months[index][usize::from(period.month) - 1];
        match *slot {
            0 => {
                *slot = line + 1;
                None
            }
            first => Some(first - 1),
        }
    }

    /// The number of an employee id, numbering it if it is new.
    fn number(&mut self, employee: &str) -> u64 {
        if let Some((last, number)) = &self.last_employee {
            if last == employee {
                return *number;
            }
        }
        let next = self.employees.len() as u64;
        let number = *self.employees.entry(employee.to_string()).or_insert(next);
        // reuse the buffer of the previous employee id
        let (last, n) = self.last_employee.get_or_insert_with(|| (String::new(), 0));
        last.clear();
        last.push_str(employee);
        *n = number;
        number
    }
}

/// FxHash-style word mixing (as in rustc), with the MurmurHash3 finaliser so
/// that both the low bits (the bucket) and the high bits (the tag) that a
/// `HashMap` uses depend on every input bit.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        fmix64(self.hash)
    }
}

/// The 64-bit finaliser of MurmurHash3: every input bit affects every
/// output bit.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
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

    #[test]
    fn year_keys_are_distinct() {
        let periods = [p("0000-01"), p("0001-01"), p("2026-12"), p("9999-12")];
        let mut keys: Vec<u64> = (0..3)
            .flat_map(|e| periods.iter().map(move |&q| year_key(e, q)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 12);
    }
}
