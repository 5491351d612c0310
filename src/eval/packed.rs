//! Values packed in 16 bytes instead of a [`Value`]'s 48, for what a batch
//! holds per record: its inputs ([`Inputs`]) and its computed values (the
//! matrix). A decimal whose mantissa fits an `i64` (nearly every score,
//! count, rate and sum of money), a bool or a grade level is stored in
//! place; anything else (a fraction like 100/9, a wider decimal, a text)
//! goes to a side table and the cell holds its index. Unpacking gives back
//! exactly the value stored, representation included.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::ir::Value;
use crate::num::Num;

/// One value: 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Packed {
    /// `Num::Dec { m, s }` with `m` in `i64`.
    Dec {
        m: i64,
        s: u8,
    },
    Bool(bool),
    Level(u16),
    /// Index into the side table.
    Side(usize),
}

/// What a cell holds before anything is stored in it.
pub(super) const UNSET: Value = Value::Bool(false);

/// The value of `p`, whose side table is `side`.
#[inline]
pub(super) fn unpack(p: Packed, side: &[Value]) -> Value {
    match p {
        Packed::Dec { m, s } => Value::Num(Num::Dec {
            m: i128::from(m),
            s,
        }),
        Packed::Bool(b) => Value::Bool(b),
        Packed::Level(l) => Value::Level(l),
        // an index the side table handed out
        Packed::Side(i) => side.get(i).cloned().unwrap_or(UNSET),
    }
}

/// `v` packed, with what does not fit put in `side`.
#[inline]
pub(super) fn pack(v: &Value, side: &mut Vec<Value>) -> Packed {
    let aside = |side: &mut Vec<Value>| {
        side.push(v.clone());
        Packed::Side(side.len() - 1)
    };
    match v {
        Value::Num(Num::Dec { m, s }) => match i64::try_from(*m) {
            Ok(m) => Packed::Dec { m, s: *s },
            Err(_) => aside(side),
        },
        Value::Bool(b) => Packed::Bool(*b),
        Value::Level(l) => Packed::Level(*l),
        Value::Num(Num::Frac { .. }) | Value::Text(_) => aside(side),
    }
}

/// A record's inputs, packed: 16 bytes each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    cells: Vec<Packed>,
    side: Vec<Value>,
}

impl Inputs {
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Input `i`'s value.
    pub fn get(&self, i: usize) -> Option<Value> {
        self.cells.get(i).map(|&p| unpack(p, &self.side))
    }

    /// Sets input `i` (nothing happens when there is no input `i`).
    pub fn set(&mut self, i: usize, v: Value) {
        if i < self.cells.len() {
            let p = pack(&v, &mut self.side);
            if let Some(cell) = self.cells.get_mut(i) {
                *cell = p;
            }
        }
    }

    /// Every input's value.
    pub fn to_vec(&self) -> Vec<Value> {
        let mut out = Vec::new();
        self.unpack_into(&mut out);
        out
    }

    /// Every input's value into `out`, reusing its allocation.
    pub fn unpack_into(&self, out: &mut Vec<Value>) {
        out.clear();
        out.extend(self.cells.iter().map(|&p| unpack(p, &self.side)));
    }

    /// A record's cells, packed as their values would be
    /// (`cell.into_value()`), without making those values first.
    pub fn from_cells(cells: Vec<crate::data::Cell>) -> Inputs {
        use crate::data::Cell;
        let mut side = Vec::new();
        let cells = cells
            .into_iter()
            .map(|c| match c {
                Cell::Num(d) => match i64::try_from(d.mantissa()) {
                    // `Num::from_decimal`'s mantissa and scale
                    Ok(m) => Packed::Dec {
                        m,
                        s: d.scale() as u8,
                    },
                    Err(_) => pack(&Cell::Num(d).into_value(), &mut side),
                },
                Cell::Bool(b) => Packed::Bool(b),
                Cell::Level(l) => Packed::Level(l),
                Cell::Text(_) => pack(&c.into_value(), &mut side),
            })
            .collect();
        Inputs { cells, side }
    }
}

impl FromIterator<Value> for Inputs {
    fn from_iter<I: IntoIterator<Item = Value>>(values: I) -> Inputs {
        let mut side = Vec::new();
        let cells = values.into_iter().map(|v| pack(&v, &mut side)).collect();
        Inputs { cells, side }
    }
}

impl From<Vec<Value>> for Inputs {
    fn from(values: Vec<Value>) -> Inputs {
        values.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells packed straight are packed as their values are.
    #[test]
    fn from_cells_packs_as_values_do() {
        use crate::data::Cell;
        use rust_decimal::Decimal;
        let cells = vec![
            Cell::Num(Decimal::new(12345, 2)),
            Cell::Num(Decimal::new(-7, 0)),
            Cell::Num(Decimal::new(i64::MAX, 28)),
            Cell::Num(Decimal::new(i64::MIN, 3)),
            Cell::Num(Decimal::MAX),
            Cell::Num(Decimal::MIN),
            Cell::Num(-Decimal::ZERO),
            Cell::Bool(true),
            Cell::Level(3),
            Cell::Text("甲".into()),
        ];
        let straight = Inputs::from_cells(cells.clone());
        let through: Inputs = cells.into_iter().map(Cell::into_value).collect();
        assert_eq!(straight, through);
        assert_eq!(straight.side.len(), 3, "two wide decimals and a text aside");
    }

    /// Every kind of value comes back exactly as stored.
    #[test]
    fn inputs_round_trip() {
        assert_eq!(std::mem::size_of::<Packed>(), 16);
        let values = vec![
            Value::Num(Num::Dec { m: 12345, s: 2 }),
            Value::Num(Num::Dec { m: 123450, s: 3 }),
            Value::Num(Num::Dec {
                m: i128::from(i64::MAX) + 1,
                s: 4,
            }),
            Value::Num(Num::Frac { n: 100, d: 9 }),
            Value::Bool(true),
            Value::Level(3),
            Value::Text("客服".into()),
        ];
        let mut inputs = Inputs::from(values.clone());
        assert_eq!(inputs.to_vec(), values);
        assert_eq!(inputs.len(), 7);
        assert_eq!(inputs.get(3), Some(Value::Num(Num::Frac { n: 100, d: 9 })));
        assert_eq!(inputs.get(7), None);
        inputs.set(0, Value::Text("x".into()));
        inputs.set(9, Value::Bool(true));
        assert_eq!(inputs.get(0), Some(Value::Text("x".into())));
        assert_eq!(inputs.len(), 7);
    }
}
