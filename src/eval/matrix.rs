//! The values of a batch: one per (record, slot), stored in row chunks so
//! that each evaluation thread allocates and touches its own memory.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::ir::Value;

#[derive(Debug)]
pub struct Matrix {
    width: usize,
    /// Rows per chunk (every chunk but the last is full).
    per: usize,
    chunks: Vec<Vec<Value>>,
}

/// The value every cell holds before its slot is computed.
pub(super) const UNSET: Value = Value::Bool(false);

impl Matrix {
    /// `rows × width` cells in `parts` chunks, each allocated on its own
    /// thread when there are several (first touch in parallel).
    pub(super) fn new(rows: usize, width: usize, parts: usize) -> Matrix {
        let per = rows.div_ceil(parts.max(1)).max(1);
        let sizes: Vec<usize> = (0..rows.div_ceil(per))
            .map(|c| (rows - c * per).min(per) * width)
            .collect();
        let chunks = if sizes.len() <= 1 {
            sizes.iter().map(|s| vec![UNSET; *s]).collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = sizes
                    .iter()
                    .map(|s| scope.spawn(move || vec![UNSET; *s]))
                    .collect();
                // A thread that could not allocate takes the process down
                // like any allocation failure; join only fails then.
                handles
                    .into_iter()
                    .zip(&sizes)
                    .map(|(h, s)| h.join().unwrap_or_else(|_| vec![UNSET; *s]))
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
    pub(super) fn chunks_mut(&mut self) -> impl Iterator<Item = &mut Vec<Value>> {
        self.chunks.iter_mut()
    }

    pub fn get(&self, row: usize, slot: usize) -> Option<&Value> {
        if slot >= self.width {
            return None;
        }
        self.chunks
            .get(row / self.per)?
            .get((row % self.per) * self.width + slot)
    }

    /// All values of one row (empty for a row out of range).
    pub fn row(&self, row: usize) -> &[Value] {
        let at = (row % self.per) * self.width;
        self.chunks
            .get(row / self.per)
            .and_then(|c| c.get(at..at + self.width))
            .unwrap_or(&[])
    }

    pub(super) fn set(&mut self, row: usize, slot: usize, v: Value) {
        let (per, width) = (self.per, self.width);
        if slot < width {
            if let Some(cell) = self
                .chunks
                .get_mut(row / per)
                .and_then(|c| c.get_mut((row % per) * width + slot))
            {
                *cell = v;
            }
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
            assert_eq!(m.get(6, 2), Some(&Value::Level(20)));
            assert_eq!(m.get(7, 0), None);
            assert_eq!(m.get(0, 3), None);
        }
        assert!(Matrix::new(0, 5, 2).get(0, 0).is_none());
    }
}
