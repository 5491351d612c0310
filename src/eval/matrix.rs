//! The values of a batch: one per (record, kept slot), stored in row
//! chunks so that each evaluation thread allocates and touches its own
//! memory. Cells are packed in 16 bytes (see [`super::packed`]).
//!
//! A matrix keeps every slot, or only some (the outputs and what later
//! stages read, when nothing will be explained): a slot that is not kept
//! has no column, reads as absent, and writes to it are dropped.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub(super) use super::packed::UNSET;
use super::packed::{pack, unpack, Packed};
use crate::ir::Value;
#[cfg(test)]
use crate::num::Num;

/// The rows of one thread: `width` cells per row, and the side table.
#[derive(Debug, Default)]
pub(super) struct Chunk {
    /// Per slot, its column, if it is kept.
    columns: Vec<Option<usize>>,
    /// Columns per row.
    width: usize,
    cells: Vec<Packed>,
    side: Vec<Value>,
}

impl Chunk {
    fn new(rows: usize, columns: Vec<Option<usize>>, width: usize) -> Chunk {
        Chunk {
            columns,
            width,
            cells: vec![Packed::Bool(false); rows.saturating_mul(width)],
            side: Vec::new(),
        }
    }

    fn rows(&self) -> usize {
        self.cells.len() / self.width.max(1)
    }

    /// Where slot `slot` of row `row` is, if it is kept.
    fn at(&self, row: usize, slot: usize) -> Option<usize> {
        let column = (*self.columns.get(slot)?)?;
        row.checked_mul(self.width)?
            .checked_add(column)
            .filter(|&a| a < self.cells.len())
    }

    pub(super) fn get(&self, row: usize, slot: usize) -> Option<Value> {
        let p = *self.cells.get(self.at(row, slot)?)?;
        Some(unpack(p, &self.side))
    }

    pub(super) fn set(&mut self, row: usize, slot: usize, v: Value) {
        if let Some(at) = self.at(row, slot) {
            let p = pack(&v, &mut self.side);
            if let Some(cell) = self.cells.get_mut(at) {
                *cell = p;
            }
        }
    }

    /// Stores `cells[s]` (a row's values, one per slot) for each kept slot
    /// `s` of `slots`.
    pub(super) fn store(&mut self, row: usize, cells: &[Value], slots: &[usize]) {
        for &s in slots {
            if let (Some(at), Some(v)) = (self.at(row, s), cells.get(s)) {
                let p = pack(v, &mut self.side);
                if let Some(cell) = self.cells.get_mut(at) {
                    *cell = p;
                }
            }
        }
    }

    /// Row `row`'s kept values into `out` (one value per slot).
    fn load_kept(&self, row: usize, out: &mut [Value]) {
        let start = row.saturating_mul(self.width);
        for (o, column) in out.iter_mut().zip(&self.columns) {
            if let Some(&p) = column.and_then(|c| self.cells.get(start.saturating_add(c))) {
                *o = unpack(p, &self.side);
            }
        }
    }

    /// Row `row`'s values of `slots` into `out` (one value per slot).
    pub(super) fn load(&self, row: usize, out: &mut [Value], slots: &[usize]) {
        for &s in slots {
            if let (Some(o), Some(&p)) = (
                out.get_mut(s),
                self.at(row, s).and_then(|a| self.cells.get(a)),
            ) {
                *o = unpack(p, &self.side);
            }
        }
    }
}

#[derive(Debug)]
pub struct Matrix {
    /// Slots per row (kept or not).
    slots: usize,
    /// Rows per chunk (every chunk but the last is full).
    per: usize,
    chunks: Vec<Chunk>,
}

impl Matrix {
    /// `rows × width` cells in `parts` chunks, every slot kept.
    #[cfg(test)]
    pub(super) fn new(rows: usize, width: usize, parts: usize) -> Matrix {
        Matrix::keeping(rows, &vec![true; width], parts)
    }

    /// A matrix for `rows` rows of `keep.len()` slots that keeps the slots
    /// `keep` marks, in `parts` chunks, each allocated on its own thread
    /// when there are several (first touch in parallel).
    pub(super) fn keeping(rows: usize, keep: &[bool], parts: usize) -> Matrix {
        let mut width = 0;
        let columns: Vec<Option<usize>> = keep
            .iter()
            .map(|&k| {
                k.then(|| {
                    width += 1;
                    width - 1
                })
            })
            .collect();
        let per = rows.div_ceil(parts.max(1)).max(1);
        let sizes: Vec<usize> = (0..rows.div_ceil(per))
            .map(|c| (rows - c * per).min(per))
            .collect();
        let chunk = |s: usize| Chunk::new(s, columns.clone(), width);
        let chunks = if sizes.len() <= 1 {
            sizes.iter().map(|&s| chunk(s)).collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = sizes
                    .iter()
                    .map(|&s| {
                        let columns = columns.clone();
                        std::thread::Builder::new()
                            .spawn_scoped(scope, move || Chunk::new(s, columns, width))
                    })
                    .collect();
                // A thread that could not allocate takes the process down
                // like any allocation failure; join only fails then. Without
                // a thread, the chunk is allocated here.
                handles
                    .into_iter()
                    .zip(&sizes)
                    .map(|(h, &s)| match h {
                        Ok(h) => h.join().unwrap_or_else(|_| chunk(s)),
                        Err(_) => chunk(s),
                    })
                    .collect()
            })
        };
        Matrix {
            slots: keep.len(),
            per,
            chunks,
        }
    }

    /// Rows per chunk.
    pub(super) fn per(&self) -> usize {
        self.per
    }

    /// The chunks, for one thread each.
    pub(super) fn chunks_mut(&mut self) -> impl Iterator<Item = &mut Chunk> {
        self.chunks.iter_mut()
    }

    /// Slot `slot` of row `row`; `None` out of range or when not kept.
    pub fn get(&self, row: usize, slot: usize) -> Option<Value> {
        self.chunks.get(row / self.per)?.get(row % self.per, slot)
    }

    /// All values of one row (empty for a row out of range; a slot not kept
    /// reads as `false`).
    pub fn row(&self, row: usize) -> Vec<Value> {
        let mut out = Vec::new();
        self.row_into(row, &mut out);
        out
    }

    /// [`Matrix::row`] into `out`, reusing its allocation.
    pub fn row_into(&self, row: usize, out: &mut Vec<Value>) {
        match self.chunks.get(row / self.per) {
            Some(c) if row % self.per < c.rows() => {
                out.clear();
                out.resize(self.slots, UNSET);
                c.load_kept(row % self.per, out);
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

    /// Slots not kept have no column: absent, and writes are dropped.
    #[test]
    fn slots_not_kept_are_absent() {
        let mut m = Matrix::keeping(4, &[true, false, true], 2);
        for r in 0..4 {
            for s in 0..3 {
                m.set(r, s, Value::Level((r * 3 + s) as u16));
            }
        }
        assert_eq!(m.get(3, 2), Some(Value::Level(11)));
        assert_eq!(m.get(3, 1), None);
        assert_eq!(m.row(1), vec![Value::Level(3), UNSET, Value::Level(5)]);
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
