//! Duplicate detection for records: the first line of each (employee,
//! period), kept cheaply for files of millions of rows.
//!
//! Each distinct employee id is copied once and numbered; a row's key is then
//! a single `u64` (employee number and period). Both maps use fast,
//! deterministic hashers: the keys come from the user's own data file, so
//! the DoS resistance of the default (randomly keyed SipHash) buys nothing
//! here, and it costs a good part of the time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::types::Period;

#[derive(Default)]
pub(crate) struct FirstLines {
    /// Each distinct employee id, numbered in order of first appearance.
    employees: HashMap<String, u64, BuildHasherDefault<FxHasher>>,
    /// The employee of the previous call and its number: rows of the same
    /// employee usually come one after another.
    last: Option<(String, u64)>,
    /// [`key`] → line of the first row with that key.
    lines: HashMap<u64, usize, BuildHasherDefault<KeyHasher>>,
}

/// Bits of a key that hold the period (`Period::index` < 65536 * 12 < 2^20).
const PERIOD_BITS: u32 = 20;

/// The key of (employee number, period).
fn key(employee: u64, period: Period) -> u64 {
    // months since year 0: never negative, below 2^PERIOD_BITS
    let month = u64::from(period.index().unsigned_abs());
    employee << PERIOD_BITS | month
}

impl FirstLines {
    /// The line of the first row seen with `employee` and `period`; `None`
    /// if this is the first, and then `line` is remembered as its line.
    pub(crate) fn first(&mut self, employee: &str, period: Period, line: usize) -> Option<usize> {
        let number = match &mut self.last {
            Some((last, number)) if last == employee => *number,
            _ => {
                let next = self.employees.len() as u64;
                let number = *self.employees.entry(employee.to_string()).or_insert(next);
                // reuse the buffer of the previous employee id
                let (last, n) = self.last.get_or_insert_with(|| (String::new(), 0));
                last.clear();
                last.push_str(employee);
                *n = number;
                number
            }
        };
        match self.lines.entry(key(number, period)) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(line);
                None
            }
        }
    }
}

/// FxHash-style word mixing (as in rustc), with the MurmurHash3 finaliser so
/// that both the low bits (the bucket) and the high bits (the tag) a
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

/// Hashes a [`key`] so that the rows of one employee land in neighbouring
/// buckets: the low 8 bits (where a `HashMap` starts probing) are the low
/// bits of the period, the rest is a thorough mix of everything else. The
/// periods of one employee then share a few cache lines instead of costing
/// a cache miss each. (Only speed depends on this, never correctness.)
#[derive(Default)]
struct KeyHasher {
    hash: u64,
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        // only `u64` keys are hashed here; anything else still works
        for &b in bytes {
            self.hash = fmix64(self.hash ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.hash = (fmix64(key >> 8) & !0xff) | (key & 0xff);
    }

    fn finish(&self) -> u64 {
        self.hash
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
    }

    #[test]
    fn keys_are_distinct() {
        let periods = [p("0000-01"), p("0000-02"), p("2026-12"), p("9999-12")];
        let mut keys: Vec<u64> = (0..3)
            .flat_map(|e| periods.iter().map(move |&q| key(e, q)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 12);
    }
}
