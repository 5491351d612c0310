//! The values of a batch: one per (record, slot), stored in row chunks so
//! that each evaluation thread allocates and touches its own memory.
//!
//! Cells are packed in 16 bytes (see [`super::packed`]).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub(super) use super::packed::UNSET;
use super::packed::{pack, unpack, Packed};
use crate::ir::Value;
#[cfg(test)]
use crate::num::Num;

/// The rows of one thread: `width` cells per row, and the side table.
#[derive(Debug, Default)]
pub(super) struct Chunk {
    width: usize,
    cells: Vec<Packed>,
    side: Vec<Value>,
}

impl Chunk {
    fn new(rows: usize, width: usize) -> Chunk {
        Chunk {
            width,
            cells: vec![Packed::Bool(false); rows.saturating_mul(width)],
            side: Vec::new(),
        }
    }

    fn unpack(&self, p: Packed) -> Value {
        unpack(p, &self.side)
    }

    pub(super) fn get(&self, row: usize, slot: usize) -> Option<Value> {
        if slot >= self.width {
            return None;
        }
        let p = *self
            .cells
            .get(row.checked_mul(self.width)?.checked_add(slot)?)?;
        Some(self.unpack(p))
    }

    pub(super) fn set(&mut self, row: usize, slot: usize, v: Value) {
        if slot >= self.width {
            return;
        }
        let Some(at) = row
            .checked_mul(self.width)
            .and_then(|a| a.checked_add(slot))
            .filter(|&a| a < self.cells.len())
        else {
            return;
        };
        let p = pack(&v, &mut self.side);
        if let Some(cell) = self.cells.get_mut(at) {
            *cell = p;
        }
    }

    /// Stores `cells[s]` (a row's values) for each slot `s` of `slots`.
    pub(super) fn store(&mut self, row: usize, cells: &[Value], slots: &[usize]) {
        let start = row.saturating_mul(self.width);
        for &s in slots {
            if let Some(v) = cells.get(s).filter(|_| s < self.width) {
                let p = pack(v, &mut self.side);
                if let Some(cell) = self.cells.get_mut(start.saturating_add(s)) {
                    *cell = p;
                }
            }
        }
    }

    /// Row `row`'s values of `slots` into `out` (which has `width` values).
    pub(super) fn load(&self, row: usize, out: &mut [Value], slots: &[usize]) {
        let start = row.saturating_mul(self.width);
        let cells = self
            .cells
            .get(start..start.saturating_add(self.width))
            .unwrap_or_default();
        for &s in slots {
            if let (Some(o), Some(&p)) = (out.get_mut(s), cells.get(s)) {
                *o = self.unpack(p);
            }
        }
    }

    /// Row `row`'s values into `out` (which has `width` values).
    fn load_all(&self, row: usize, out: &mut [Value]) {
        let start = row.saturating_mul(self.width);
        let cells = self
            .cells
            .get(start..start.saturating_add(self.width))
            .unwrap_or_default();
        for (o, &p) in out.iter_mut().zip(cells) {
            *o = self.unpack(p);
        }
    }
}

#[derive(Debug)]
pub struct Matrix {
    width: usize,
    /// Rows per chunk (every chunk but the last is full).
    per: usize,
    chunks: Vec<Chunk>,
}

impl Matrix {
    /// `rows × width` cells in `parts` chunks, each allocated on its own
    /// thread when there are several (first touch in parallel).
    pub(super) fn new(rows: usize, width: usize, parts: usize) -> Matrix {
        let per = rows.div_ceil(parts.max(1)).max(1);
        let sizes: Vec<usize> = (0..rows.div_ceil(per))
            .map(|c| (rows - c * per).min(per))
            .collect();
        let chunks = if sizes.len() <= 1 {
            sizes.iter().map(|&s| Chunk::new(s, width)).collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = sizes
                    .iter()
                    .map(|&s| {
                        std::thread::Builder::new()
                            .spawn_scoped(scope, move || Chunk::new(s, width))
                    })
                    .collect();
                // A thread that could not allocate takes the process down
                // like any allocation failure; join only fails then. Without
                // a thread, the chunk is allocated here.
                handles
                    .into_iter()
                    .zip(&sizes)
                    .map(|(h, &s)| match h {
                        Ok(h) => h.join().unwrap_or_else(|_| Chunk::new(s, width)),
                        Err(_) => Chunk::new(s, width),
                    })
                    .collect()
            })
        };
        Matrix { width, per, chunks }
    }

    /// Rows per chunk.
    pub(super) fn per(&self) -> usize {
        self.per
    }

    /// The chunks, for one thread each.
    pub(super) fn chunks_mut(&mut self) -> impl Iterator<Item = &mut Chunk> {
        self.chunks.iter_mut()
    }

    pub fn get(&self, row: usize, slot: usize) -> Option<Value> {
        self.chunks.get(row / self.per)?.get(row % self.per, slot)
    }

    /// All values of one row (empty for a row out of range).
    pub fn row(&self, row: usize) -> Vec<Value> {
        let mut out = Vec::new();
        self.row_into(row, &mut out);
        out
    }

    /// [`Matrix::row`] into `out`, reusing its allocation.
    pub fn row_into(&self, row: usize, out: &mut Vec<Value>) {
        match self.chunks.get(row / self.per) {
            Some(c) if row % self.per < c.cells.len() / self.width.max(1) => {
                out.resize(self.width, UNSET);
                c.load_all(row % self.per, out);
            }
            _ => out.clear(),
        }
    }

    pub(super) fn set(&mut self, row: usize, slot: usize, v: Value) {
        if let Some(c) = self.chunks.get_mut(row / self.per) {
            c.set(row % self.per, slot, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_map_to_chunks() {
        for parts in [1, 2, 3] {
            let mut m = Matrix::new(7, 3, parts);
            for r in 0..7 {
                for s in 0..3 {
                    m.set(r, s, Value::Level((r * 3 + s) as u16));
                }
            }
            for r in 0..7 {
                assert_eq!(
                    m.row(r),
                    &[
                        Value::Level((r * 3) as u16),
                        Value::Level((r * 3 + 1) as u16),
                        Value::Level((r * 3 + 2) as u16)
                    ]
                );
            }
            assert_eq!(m.get(6, 2), Some(Value::Level(20)));
            assert_eq!(m.get(7, 0), None);
            assert_eq!(m.get(0, 3), None);
        }
        assert!(Matrix::new(0, 5, 2).get(0, 0).is_none());
        assert!(Matrix::new(0, 5, 2).row(0).is_empty());
    }

    /// Every kind of value comes back exactly as stored.
    #[test]
    fn values_round_trip_packed_or_not() {
        let values = [
            Value::Num(Num::Dec { m: 12345, s: 2 }),
            Value::Num(Num::Dec { m: -7, s: 0 }),
            // the same number at another scale stays at that scale
            Value::Num(Num::Dec { m: 123450, s: 3 }),
            Value::Num(Num::Dec {
                m: i128::from(i64::MAX) + 1,
                s: 4,
            }),
            Value::Num(Num::Dec {
                m: i128::from(i64::MIN),
                s: 0,
            }),
            Value::Num(Num::Frac { n: 100, d: 9 }),
            Value::Bool(true),
            Value::Level(3),
            Value::Text("客服".into()),
        ];
        let mut m = Matrix::new(2, values.len(), 1);
        for (s, v) in values.iter().enumerate() {
            m.set(1, s, v.clone());
        }
        assert_eq!(m.row(1), values);
        assert_eq!(m.row(0), vec![UNSET; values.len()]);
    }
}
