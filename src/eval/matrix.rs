//! The values of a batch: one per (record, kept slot), stored in row
//! chunks so that each evaluation thread allocates and touches its own
//! memory. Cells are packed in 16 bytes (see [`super::packed`]).
//!
//! A matrix keeps every slot, or only some (the outputs and what later
//! stages read, when nothing will be explained): a slot that is not kept
//! has no column, reads as absent, and writes to it are dropped.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::ir::Value;
use crate::num::Num;
pub(super) use crate::packed::UNSET;
use crate::packed::{pack, unpack, unpack_num, unpack_to, Packed};

/// The rows of one thread: `width` cells per row, and the side table.
#[derive(Debug, Default)]
pub(super) struct Chunk {
    /// Per slot, its column, if it is kept.
    columns: Vec<Option<usize>>,
    /// Columns per row.
    width: usize,
    rows: usize,
    cells: Vec<Packed>,
    side: Vec<Value>,
}

impl Chunk {
    fn new(rows: usize, columns: Vec<Option<usize>>, width: usize) -> Chunk {
        Chunk {
            columns,
            width,
            rows,
            cells: vec![Packed::boolean(false); rows.saturating_mul(width)],
            side: Vec::new(),
        }
    }

    /// Its rows (which have no cells here when every slot kept is held
    /// per group).
    fn rows(&self) -> usize {
        self.rows
    }

    /// Where slot `slot` of row `row` is, if it is kept.
    fn at(&self, row: usize, slot: usize) -> Option<usize> {
        let column = (*self.columns.get(slot)?)?;
        row.checked_mul(self.width)?
            .checked_add(column)
            .filter(|&a| a < self.cells.len())
    }

    pub(super) fn get(&self, row: usize, slot: usize) -> Option<Value> {
        Some(unpack(self.cell(row, slot)?, &self.side))
    }

    /// [`Chunk::get`] when the value is a number.
    pub(super) fn num(&self, row: usize, slot: usize) -> Option<Num> {
        unpack_num(self.cell(row, slot)?, &self.side)
    }

    /// The packed cell of row `row`, slot `slot`, when the slot is kept.
    fn cell(&self, row: usize, slot: usize) -> Option<Packed> {
        self.cells.get(self.at(row, slot)?).copied()
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
                unpack_to(p, &self.side, o);
            }
        }
    }

    /// Row `row`'s values of `slots` into `out` (one value per slot).
    pub(super) fn load(&self, row: usize, out: &mut [Value], slots: &[usize]) {
        for &s in slots {
            if let (Some(o), Some(p)) = (out.get_mut(s), self.cell(row, s)) {
                unpack_to(p, &self.side, o);
            }
        }
    }
}

/// What [`Matrix::set_each`] calls with each (row, value) it is to set.
pub(super) type Setter<'s> = &'s mut dyn FnMut(usize, Value);

#[derive(Debug)]
pub struct Matrix {
    /// Slots per row (kept or not).
    slots: usize,
    /// Rows per chunk (every chunk but the last is full).
    per: usize,
    chunks: Vec<Chunk>,
    /// The slots held once per group instead of once per row.
    groups: GroupCells,
}

/// Slots whose value is the same for every row of a group (a team's
/// aggregates): one cell per group, found through the row's group.
#[derive(Debug, Default)]
pub(super) struct GroupCells {
    /// Per row, its group.
    group_of: Vec<u32>,
    /// Per slot, its column, if it is held here.
    columns: Vec<Option<usize>>,
    /// The slots held here.
    held: Vec<usize>,
    width: usize,
    cells: Vec<Packed>,
    side: Vec<Value>,
}

impl GroupCells {
    /// Where slot `slot` of row `row` is, if it is held here.
    fn at(&self, row: usize, slot: usize) -> Option<usize> {
        let column = (*self.columns.get(slot)?)?;
        let group = usize::try_from(*self.group_of.get(row)?).ok()?;
        group
            .checked_mul(self.width)?
            .checked_add(column)
            .filter(|&a| a < self.cells.len())
    }

    fn get(&self, row: usize, slot: usize) -> Option<Value> {
        Some(unpack(self.cell(row, slot)?, &self.side))
    }

    fn num(&self, row: usize, slot: usize) -> Option<Option<Num>> {
        Some(unpack_num(self.cell(row, slot)?, &self.side))
    }

    /// The packed cell of row `row`'s group, slot `slot`, when held here.
    fn cell(&self, row: usize, slot: usize) -> Option<Packed> {
        self.cells.get(self.at(row, slot)?).copied()
    }

    /// Whether slot `slot` is held here.
    fn holds(&self, slot: usize) -> bool {
        self.columns.get(slot).copied().flatten().is_some()
    }

    /// Sets the value of row `row`'s group (false when the slot is not
    /// held here).
    fn set(&mut self, row: usize, slot: usize, v: &Value) -> bool {
        let Some(at) = self.at(row, slot) else {
            return false;
        };
        let p = pack(v, &mut self.side);
        if let Some(cell) = self.cells.get_mut(at) {
            *cell = p;
        }
        true
    }

    /// Row `row`'s values of the slots `slots` held here into `out` (one
    /// value per slot).
    pub(super) fn load(&self, row: usize, out: &mut [Value], slots: &[usize]) {
        if self.width == 0 {
            return;
        }
        for &s in slots {
            if let (Some(o), Some(p)) = (out.get_mut(s), self.cell(row, s)) {
                unpack_to(p, &self.side, o);
            }
        }
    }

    /// Every slot held here, of row `row`, into `out`.
    fn load_all(&self, row: usize, out: &mut [Value]) {
        self.load(row, out, &self.held);
    }
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
    #[cfg(test)]
    pub(super) fn keeping(rows: usize, keep: &[bool], parts: usize) -> Matrix {
        Matrix::grouped(rows, keep, parts, &[], &[])
    }

    /// [`Matrix::keeping`] with the kept slots `per_group` marks held once
    /// per group of `groups` (row indices; each row in at most one).
    /// Rows in no group read those slots as absent.
    pub(super) fn grouped(
        rows: usize,
        keep: &[bool],
        parts: usize,
        per_group: &[bool],
        groups: &[Vec<usize>],
    ) -> Matrix {
        let grouped = |s: usize| keep.get(s) == Some(&true) && per_group.get(s) == Some(&true);
        let mut group_cells = GroupCells::default();
        if u32::try_from(groups.len()).is_ok() && (0..keep.len()).any(grouped) {
            let mut group_of = vec![u32::MAX; rows];
            for (g, members) in groups.iter().enumerate() {
                for &r in members {
                    if let (Some(x), Ok(g)) = (group_of.get_mut(r), u32::try_from(g)) {
                        *x = g;
                    }
                }
            }
            let mut width = 0;
            group_cells.columns = (0..keep.len())
                .map(|s| {
                    grouped(s).then(|| {
                        width += 1;
                        width - 1
                    })
                })
                .collect();
            group_cells.width = width;
            group_cells.held = (0..keep.len()).filter(|&s| grouped(s)).collect();
            group_cells.cells = vec![Packed::boolean(false); groups.len().saturating_mul(width)];
            group_cells.group_of = group_of;
        }
        let mut width = 0;
        let columns: Vec<Option<usize>> = keep
            .iter()
            .enumerate()
            .map(|(s, &k)| {
                (k && !group_cells.holds(s)).then(|| {
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
            groups: group_cells,
        }
    }

    /// Rows per chunk.
    pub(super) fn per(&self) -> usize {
        self.per
    }

    /// The chunks, for one thread each, and the slots held per group
    /// (which the chunks' rows read too).
    pub(super) fn chunks_mut(&mut self) -> (impl Iterator<Item = &mut Chunk>, &GroupCells) {
        (self.chunks.iter_mut(), &self.groups)
    }

    /// Slot `slot` of row `row`; `None` out of range or when not kept.
    pub fn get(&self, row: usize, slot: usize) -> Option<Value> {
        self.groups
            .get(row, slot)
            .or_else(|| self.chunks.get(row / self.per)?.get(row % self.per, slot))
    }

    /// [`Matrix::get`] when the value is a number (`None` for anything else).
    pub(super) fn num(&self, row: usize, slot: usize) -> Option<Num> {
        match self.groups.num(row, slot) {
            Some(n) => n,
            None => self.chunks.get(row / self.per)?.num(row % self.per, slot),
        }
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
                self.groups.load_all(row, out);
            }
            _ => out.clear(),
        }
    }

    /// [`Matrix::row_into`] into an `out` that already has a value per
    /// slot: the held ones are written, the others left as they are (for
    /// a caller that computes every other slot anyway).
    pub(super) fn held_into(&self, row: usize, out: &mut Vec<Value>) {
        if out.len() != self.slots {
            return self.row_into(row, out);
        }
        match self.chunks.get(row / self.per) {
            Some(c) if row % self.per < c.rows() => {
                c.load_kept(row % self.per, out);
                self.groups.load_all(row, out);
            }
            _ => out.clear(),
        }
    }

    /// Sets slot `slot` of every row of `members` to `v`: once, when the
    /// slot is held per group and `members` are its group.
    pub(super) fn set_all(&mut self, members: &[usize], slot: usize, v: Value) {
        if let Some(&first) = members.first() {
            if self.groups.set(first, slot, &v) {
                return;
            }
        }
        for &r in members {
            self.set(r, slot, v.clone());
        }
    }

    /// Sets slot `slot` of the rows `each` names: it calls what it is
    /// given with each (row, value). Every chunk is set on a thread of its
    /// own, taking the rows it holds (each chunk's thread goes through all
    /// of them: cheap, beside storing a million values on one thread).
    pub(super) fn set_each(&mut self, slot: usize, each: &(dyn Fn(Setter<'_>) + Sync)) {
        if self.groups.holds(slot) || self.chunks.len() <= 1 {
            return each(&mut |r, v| self.set(r, slot, v));
        }
        let per = self.per;
        let set_chunk = |c: usize, chunk: &mut Chunk| {
            let first = c.saturating_mul(per);
            each(&mut |r, v| {
                if let Some(r) = r.checked_sub(first).filter(|&r| r < chunk.rows) {
                    chunk.set(r, slot, v);
                }
            })
        };
        let started: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .chunks
                .iter_mut()
                .enumerate()
                .map(|(c, chunk)| {
                    std::thread::Builder::new().spawn_scoped(scope, move || set_chunk(c, chunk))
                })
                .collect();
            // (a thread that panicked took the process down; one that did
            // not start leaves its chunk to this thread)
            handles
                .into_iter()
                .map(|h| h.is_ok_and(|h| h.join().is_ok()))
                .collect()
        });
        for ((c, chunk), started) in self.chunks.iter_mut().enumerate().zip(started) {
            if !started {
                set_chunk(c, chunk);
            }
        }
    }

    pub(super) fn set(&mut self, row: usize, slot: usize, v: Value) {
        if self.groups.set(row, slot, &v) {
            return;
        }
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

    /// Setting rows from every chunk's thread sets each row once, where
    /// one thread would (rows in any order, some not named, one past the end).
    #[test]
    fn set_each_sets_what_set_would() {
        let named = [6, 0, 3, 5, 1, 9];
        for parts in [1, 2, 3, 7] {
            let mut m = Matrix::new(7, 2, parts);
            m.set_each(1, &|set| {
                for r in named {
                    set(r, Value::Level(r as u16 + 100));
                }
            });
            for r in 0..7 {
                let want = if named.contains(&r) {
                    Value::Level(r as u16 + 100)
                } else {
                    UNSET
                };
                assert_eq!(m.get(r, 1), Some(want), "row {r} in {parts} parts");
                assert_eq!(m.get(r, 0), Some(UNSET));
            }
        }
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

    /// Slots held per group: one value for all of a group's rows, absent
    /// for a row in no group; the other slots stay per row.
    #[test]
    fn slots_held_per_group() {
        let groups = vec![vec![0, 3], vec![1], vec![4, 2]];
        for parts in [1, 2, 3] {
            let mut m = Matrix::grouped(
                6,
                &[true, true, false],
                parts,
                &[false, true, true],
                &groups,
            );
            for r in 0..6 {
                m.set(r, 0, Value::Level(r as u16));
            }
            m.set(3, 1, Value::Level(30));
            m.set(1, 1, Value::Level(10));
            m.set(2, 1, Value::Text("乙".into()));
            assert_eq!(m.get(0, 1), Some(Value::Level(30)), "set through row 3");
            assert_eq!(m.get(4, 1), Some(Value::Text("乙".into())));
            assert_eq!(m.get(5, 1), None, "row 5 is in no group");
            assert_eq!(m.get(0, 2), None, "not kept");
            assert_eq!(m.row(3), vec![Value::Level(3), Value::Level(30), UNSET]);
            assert_eq!(m.row(5), vec![Value::Level(5), UNSET, UNSET]);
            // a fraction set for a whole group: one side entry, read by all
            let ninth = Value::Num(Num::Frac { n: 100, d: 9 });
            m.set_all(&[4, 2], 1, ninth.clone());
            m.set_all(&[4, 2], 0, Value::Level(42));
            assert_eq!(
                (m.get(2, 1), m.get(4, 1)),
                (Some(ninth.clone()), Some(ninth))
            );
            assert_eq!(
                m.groups.side.len(),
                2,
                "the text set before, and the fraction"
            );
            assert_eq!(
                (m.get(2, 0), m.get(4, 0)),
                (Some(Value::Level(42)), Some(Value::Level(42)))
            );
            let mut only_groups =
                Matrix::grouped(6, &[false, true], parts, &[false, true], &groups);
            only_groups.set(0, 1, Value::Level(7));
            assert_eq!(only_groups.row(3), vec![UNSET, Value::Level(7)], "no cells");
            assert!(only_groups.row(6).is_empty(), "out of range");
            let (_, cells) = m.chunks_mut();
            let mut out = vec![UNSET; 3];
            cells.load(1, &mut out, &[0, 1]);
            assert_eq!(out, vec![UNSET, Value::Level(10), UNSET]);
        }
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
