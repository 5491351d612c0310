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

/// One value in two 64-bit words: a decimal's `i64` mantissa and its
/// scale, a bool, a level, or an index into a side table (where what does
/// not fit is kept). No byte-sized fields: copying one is two word moves,
/// so a value just computed and stored is loaded again without a stall
/// (an enum with a tag byte was written piecewise and read whole, which
/// the processor cannot forward: that stall was a fifth of the compiled
/// code's time). Read it with [`Packed::kind`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packed {
    word: u64,
    /// A decimal's scale (below 256), or [`Packed::BOOL`], [`Packed::LEVEL`], [`Packed::SIDE`].
    tag: u64,
}

/// What a [`Packed`] holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
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

impl Packed {
    const BOOL: u64 = 0x100;
    const LEVEL: u64 = 0x101;
    const SIDE: u64 = 0x102;

    #[inline(always)]
    pub(crate) const fn dec(m: i64, s: u8) -> Packed {
        Packed {
            word: m as u64,
            tag: s as u64,
        }
    }

    #[inline(always)]
    pub(crate) const fn boolean(b: bool) -> Packed {
        Packed {
            word: b as u64,
            tag: Packed::BOOL,
        }
    }

    #[inline(always)]
    pub(crate) const fn level(l: u16) -> Packed {
        Packed {
            word: l as u64,
            tag: Packed::LEVEL,
        }
    }

    #[inline(always)]
    pub(crate) const fn side(i: usize) -> Packed {
        Packed {
            word: i as u64,
            tag: Packed::SIDE,
        }
    }

    /// The decimal held in place, if that is what this is.
    #[inline(always)]
    pub(crate) fn as_dec(self) -> Option<(i64, u8)> {
        match u8::try_from(self.tag) {
            Ok(s) => Some((self.word as i64, s)),
            Err(_) => None,
        }
    }

    #[inline(always)]
    pub(crate) fn kind(self) -> Kind {
        match self.tag {
            Packed::BOOL => Kind::Bool(self.word != 0),
            // (made from a `u16` and a `usize`)
            Packed::LEVEL => Kind::Level(self.word as u16),
            Packed::SIDE => Kind::Side(self.word as usize),
            s => Kind::Dec {
                m: self.word as i64,
                s: s as u8,
            },
        }
    }
}

/// Registers of packed values, words and tags apart: every access is one
/// 64-bit move, so a register just written is read back without a stall
/// (a 16-byte load of what two 8-byte stores wrote is not forwarded).
#[derive(Debug, Default)]
pub(crate) struct Regs {
    words: Vec<u64>,
    tags: Vec<u64>,
}

impl Regs {
    /// At least `n` registers.
    pub(crate) fn reserve(&mut self, n: usize) {
        if self.words.len() < n {
            self.words.resize(n, 0);
            self.tags.resize(n, Packed::BOOL);
        }
    }

    #[inline(always)]
    pub(crate) fn get(&self, i: usize) -> Option<Packed> {
        Some(Packed {
            word: *self.words.get(i)?,
            tag: *self.tags.get(i)?,
        })
    }

    #[inline(always)]
    pub(crate) fn set(&mut self, i: usize, p: Packed) -> Option<()> {
        *self.words.get_mut(i)? = p.word;
        *self.tags.get_mut(i)? = p.tag;
        Some(())
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.kind().fmt(f)
    }
}

/// What a cell holds before anything is stored in it.
pub(crate) const UNSET: Value = Value::Bool(false);

/// The value of `p`, whose side table is `side`.
#[inline]
pub(crate) fn unpack(p: Packed, side: &[Value]) -> Value {
    match p.kind() {
        Kind::Dec { m, s } => Value::Num(Num::Dec {
            m: i128::from(m),
            s,
        }),
        Kind::Bool(b) => Value::Bool(b),
        Kind::Level(l) => Value::Level(l),
        // an index the side table handed out
        Kind::Side(i) => side.get(i).cloned().unwrap_or(UNSET),
    }
}

/// [`unpack`] into `cell`, written in place field by field. (A value
/// made elsewhere and then copied is written piecewise and read back
/// whole, which the processor cannot forward: a stall per value.)
#[inline(always)]
pub(crate) fn unpack_to(p: Packed, side: &[Value], cell: &mut Value) {
    match p.kind() {
        Kind::Dec { m, s } => {
            *cell = Value::Num(Num::Dec {
                m: i128::from(m),
                s,
            })
        }
        Kind::Bool(b) => *cell = Value::Bool(b),
        Kind::Level(l) => *cell = Value::Level(l),
        Kind::Side(i) => *cell = side.get(i).cloned().unwrap_or(UNSET),
    }
}

/// The number `p` holds, whose side table is `side` (`None` for
/// anything else): no [`Value`] is made on the way.
#[inline(always)]
pub(crate) fn unpack_num(p: Packed, side: &[Value]) -> Option<Num> {
    match p.kind() {
        Kind::Dec { m, s } => Some(Num::Dec {
            m: i128::from(m),
            s,
        }),
        Kind::Side(i) => match side.get(i)? {
            Value::Num(n) => Some(*n),
            Value::Bool(_) | Value::Text(_) | Value::Level(_) => None,
        },
        Kind::Bool(_) | Kind::Level(_) => None,
    }
}

/// `v` packed, with what does not fit put in `side`.
#[inline]
pub(crate) fn pack(v: &Value, side: &mut Vec<Value>) -> Packed {
    let aside = |side: &mut Vec<Value>| {
        side.push(v.clone());
        Packed::side(side.len() - 1)
    };
    match v {
        Value::Num(Num::Dec { m, s }) => match i64::try_from(*m) {
            Ok(m) => Packed::dec(m, *s),
            Err(_) => aside(side),
        },
        Value::Bool(b) => Packed::boolean(*b),
        Value::Level(l) => Packed::level(*l),
        Value::Num(Num::Frac { .. }) | Value::Text(_) => aside(side),
    }
}

/// A record's inputs, packed in one allocation of 5 bytes per input (a
/// batch holds a million of them): each input's 32-bit word, then its
/// tag byte, four tags to a word. A tag is a decimal's scale (its word
/// the mantissa, when that fits an `i32`: nearly every count, rate, score
/// and amount read), [`BOOL`], [`LEVEL`] or [`SIDE`] (the word an index
/// into `side`, where what does not fit is kept). Unpacking gives back
/// exactly the value stored, representation included.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// `len` words, then `len.div_ceil(4)` words of tags.
    words: Box<[u32]>,
    /// What does not fit a word, if anything (rarely: behind one pointer,
    /// not two words in every record). Never an empty vector.
    side: Aside,
}

/// What [`Inputs`] keep aside: 8 bytes where a `Vec` takes 24.
#[allow(clippy::box_collection)]
type Aside = Option<Box<Vec<Value>>>;

/// Tags beyond the scales of a decimal (at most 28).
const BOOL: u8 = 0x80;
const LEVEL: u8 = 0x81;
const SIDE: u8 = 0x82;

/// The word and tag of `p`; `None` when it does not fit them (a mantissa
/// beyond `i32`, a scale where the tags are).
#[inline]
fn encode(p: Packed) -> Option<(u32, u8)> {
    match p.kind() {
        Kind::Dec { m, s } if s < BOOL => Some((i32::try_from(m).ok()? as u32, s)),
        Kind::Dec { .. } => None,
        Kind::Bool(b) => Some((u32::from(b), BOOL)),
        Kind::Level(l) => Some((u32::from(l), LEVEL)),
        Kind::Side(i) => Some((u32::try_from(i).ok()?, SIDE)),
    }
}

/// [`encode`] undone (`None` for a tag it never gives).
#[inline(always)]
fn decode(word: u32, tag: u8) -> Option<Packed> {
    // (the usual tag first: a decimal's scale; its mantissa an `i32`)
    if tag < BOOL {
        return Some(Packed::dec(i64::from(word as i32), tag));
    }
    Some(match tag {
        BOOL => Packed::boolean(word != 0),
        // a level was a `u16`
        LEVEL => Packed::level(u16::try_from(word).ok()?),
        SIDE => Packed::side(word as usize),
        _ => return None,
    })
}

/// The word and tag of `p`, with what does not fit them put in `side`.
fn encode_or_aside(p: Packed, side: &mut Vec<Value>) -> (u32, u8) {
    if let Some(encoded) = encode(p) {
        return encoded;
    }
    side.push(unpack(p, side));
    // (a record has far fewer than 2^32 inputs)
    encode(Packed::side(side.len() - 1)).unwrap_or((0, SIDE))
}

/// One value per record in 5 bytes, a word and a tag as [`Inputs`] keeps
/// them: a column a batch gathers (see `eval::group::Columns`). Allocated
/// zeroed, so its memory is first touched where its stretches are filled.
#[derive(Debug, Default)]
pub(crate) struct Column {
    words: Vec<u32>,
    tags: Vec<u8>,
}

/// A stretch of a [`Column`], filled on its own thread.
pub(crate) struct Stretch<'a> {
    words: &'a mut [u32],
    tags: &'a mut [u8],
}

impl Column {
    /// `n` cells (each the decimal 0 until set).
    pub(crate) fn zeroed(n: usize) -> Column {
        Column {
            words: vec![0; n],
            tags: vec![0; n],
        }
    }

    /// Its stretches of `per` cells, in order.
    pub(crate) fn stretches(&mut self, per: usize) -> impl Iterator<Item = Stretch<'_>> {
        let per = per.max(1);
        self.words
            .chunks_mut(per)
            .zip(self.tags.chunks_mut(per))
            .map(|(words, tags)| Stretch { words, tags })
    }

    /// Cell `i`, whose side entries (if any) are in the side table of its
    /// stretch.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<Packed> {
        decode(*self.words.get(i)?, *self.tags.get(i)?)
    }
}

impl Stretch<'_> {
    /// Sets cell `i` of the stretch to `p`, with what does not fit in `side`.
    #[inline]
    pub(crate) fn set(&mut self, i: usize, p: Packed, side: &mut Vec<Value>) {
        let (word, tag) = encode_or_aside(p, side);
        if let (Some(w), Some(t)) = (self.words.get_mut(i), self.tags.get_mut(i)) {
            (*w, *t) = (word, tag);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }
}

/// `side` as [`Inputs`] keeps it: `None` when empty.
fn kept_aside(side: Vec<Value>) -> Aside {
    (!side.is_empty()).then(|| Box::new(side))
}

impl Inputs {
    /// `len` inputs, the `i`th packed by `cell(i, side)` (which puts what
    /// does not fit in `side`).
    fn build(len: usize, mut cell: impl FnMut(usize, &mut Vec<Value>) -> Packed) -> Inputs {
        let mut words = vec![0u32; len + len.div_ceil(4)];
        let (values, tags) = words.split_at_mut(len);
        let mut side = Vec::new();
        for (i, word) in values.iter_mut().enumerate() {
            let p = cell(i, &mut side);
            let (w, tag) = encode_or_aside(p, &mut side);
            *word = w;
            if let Some(t) = tags.get_mut(i / 4) {
                *t |= u32::from(tag) << (8 * (i % 4));
            }
        }
        Inputs {
            words: words.into_boxed_slice(),
            side: kept_aside(side),
        }
    }

    /// What is kept aside (see [`Packed`]).
    #[inline(always)]
    fn side(&self) -> &[Value] {
        self.side.as_deref().map_or(&[], Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        // `len` words and `len.div_ceil(4)` more: 5 of every 4
        let n = self.words.len();
        n - n.div_ceil(5)
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    #[inline(always)]
    fn packed(&self, i: usize) -> Option<Packed> {
        let len = self.len();
        if i >= len {
            return None;
        }
        let word = *self.words.get(i)?;
        let tags = *self.words.get(len + i / 4)?;
        decode(word, (tags >> (8 * (i % 4))) as u8)
    }

    /// Input `i`'s value.
    pub fn get(&self, i: usize) -> Option<Value> {
        self.packed(i).map(|p| unpack(p, self.side()))
    }

    /// Input `i` packed, with what does not fit copied to `side`.
    #[inline(always)]
    pub(crate) fn packed_into(&self, i: usize, side: &mut Vec<Value>) -> Option<Packed> {
        let p = self.packed(i)?;
        Some(match p.kind() {
            Kind::Side(j) => pack(self.side().get(j)?, side),
            Kind::Dec { .. } | Kind::Bool(_) | Kind::Level(_) => p,
        })
    }

    /// Input `i`'s value when it is a number.
    #[inline]
    pub(crate) fn num(&self, i: usize) -> Option<Num> {
        unpack_num(self.packed(i)?, self.side())
    }

    /// Sets input `i` (nothing happens when there is no input `i`).
    pub fn set(&mut self, i: usize, v: Value) {
        let len = self.len();
        if i >= len {
            return;
        }
        let mut side = self.side.take().map_or_else(Vec::new, |side| *side);
        let p = pack(&v, &mut side);
        let (word, tag) = encode_or_aside(p, &mut side);
        self.side = kept_aside(side);
        if let Some(w) = self.words.get_mut(i) {
            *w = word;
        }
        if let Some(t) = self.words.get_mut(len + i / 4) {
            let shift = 8 * (i % 4);
            *t = (*t & !(0xff << shift)) | (u32::from(tag) << shift);
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
        let (words, tags) = self.words.split_at(self.len());
        out.extend(words.iter().enumerate().map(|(i, &word)| {
            let tag = tags.get(i / 4).map_or(0, |t| (t >> (8 * (i % 4))) as u8);
            decode(word, tag).map_or(UNSET, |p| unpack(p, self.side()))
        }));
    }

    /// A record's cells, packed as their values would be
    /// (`cell.into_value()`), without making those values first.
    pub fn from_cells(mut cells: impl ExactSizeIterator<Item = crate::data::Cell>) -> Inputs {
        use crate::data::Cell;
        let len = cells.len();
        Inputs::build(len, |_, side| match cells.next() {
            Some(Cell::Num(d)) => match i64::try_from(d.mantissa()) {
                // `Num::from_decimal`'s mantissa and scale
                Ok(m) => Packed::dec(m, d.scale() as u8),
                Err(_) => pack(&Cell::Num(d).into_value(), side),
            },
            Some(Cell::Bool(b)) => Packed::boolean(b),
            Some(Cell::Level(l)) => Packed::level(l),
            Some(c @ Cell::Text(_)) => pack(&c.into_value(), side),
            // (there are `len` cells)
            None => Packed::boolean(false),
        })
    }
}

impl FromIterator<Value> for Inputs {
    fn from_iter<I: IntoIterator<Item = Value>>(values: I) -> Inputs {
        let values: Vec<Value> = values.into_iter().collect();
        Inputs::build(values.len(), |i, side| match values.get(i) {
            Some(v) => pack(v, side),
            None => Packed::boolean(false),
        })
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
        let straight = Inputs::from_cells(cells.clone().into_iter());
        let through: Inputs = cells.into_iter().map(Cell::into_value).collect();
        assert_eq!(straight, through);
        assert_eq!(
            straight.side().len(),
            5,
            "four mantissas beyond i32 and a text aside"
        );
    }

    /// Each kind of packed value reads back as what it was made from, and
    /// registers keep it.
    #[test]
    fn packed_kinds_round_trip() {
        let kinds = [
            Kind::Dec { m: i64::MIN, s: 0 },
            Kind::Dec { m: -1, s: 28 },
            Kind::Dec {
                m: i64::MAX,
                s: 255,
            },
            Kind::Bool(true),
            Kind::Bool(false),
            Kind::Level(u16::MAX),
            Kind::Side(7),
        ];
        let mut regs = Regs::default();
        regs.reserve(kinds.len());
        for (r, k) in kinds.into_iter().enumerate() {
            let p = match k {
                Kind::Dec { m, s } => Packed::dec(m, s),
                Kind::Bool(b) => Packed::boolean(b),
                Kind::Level(l) => Packed::level(l),
                Kind::Side(i) => Packed::side(i),
            };
            assert_eq!(p.kind(), k);
            assert_eq!(p.as_dec().is_some(), matches!(k, Kind::Dec { .. }));
            regs.set(r, p).unwrap();
        }
        for (r, k) in kinds.into_iter().enumerate() {
            assert_eq!(regs.get(r).map(Packed::kind), Some(k));
        }
        assert_eq!(regs.get(kinds.len()), None);
        assert_eq!(regs.set(kinds.len(), Packed::boolean(true)), None);
    }

    /// A column's cells read back as set, stretch by stretch, each stretch
    /// keeping what does not fit in its own side table.
    #[test]
    fn column_round_trip() {
        let values = [
            Value::Num(Num::Dec { m: 12345, s: 2 }),
            Value::Num(Num::Dec {
                m: i128::from(i32::MAX) + 1,
                s: 0,
            }),
            Value::Num(Num::Dec {
                m: i128::from(i64::MAX) + 1,
                s: 4,
            }),
            Value::Num(Num::Frac { n: 100, d: 9 }),
            Value::Num(Num::Dec { m: -7, s: 28 }),
            Value::Bool(false),
            Value::Level(3),
        ];
        let mut column = Column::zeroed(values.len());
        assert_eq!(unpack(column.get(0).unwrap(), &[]), Value::Num(Num::ZERO));
        let sides: Vec<Vec<Value>> = column
            .stretches(3)
            .enumerate()
            .map(|(k, mut stretch)| {
                let mut side = Vec::new();
                for i in 0..stretch.len() {
                    let mut scratch = Vec::new();
                    let p = pack(&values[3 * k + i], &mut scratch);
                    let p = match p.kind() {
                        Kind::Side(j) => pack(&scratch[j], &mut side),
                        _ => p,
                    };
                    stretch.set(i, p, &mut side);
                }
                side
            })
            .collect();
        assert_eq!(sides.len(), 3);
        for (i, v) in values.iter().enumerate() {
            assert_eq!(
                &unpack(column.get(i).unwrap(), &sides[i / 3]),
                v,
                "cell {i}"
            );
        }
        assert_eq!(column.get(values.len()), None);
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
            // a scale no number has, where the tags are: kept aside
            Value::Num(Num::Dec { m: 5, s: 0x80 }),
            // a word's edges, in place and aside
            Value::Num(Num::Dec {
                m: i32::MAX.into(),
                s: 2,
            }),
            Value::Num(Num::Dec {
                m: i32::MIN.into(),
                s: 0,
            }),
            Value::Num(Num::Dec {
                m: i128::from(i32::MAX) + 1,
                s: 1,
            }),
            Value::Num(Num::Dec {
                m: i128::from(i32::MIN) - 1,
                s: 3,
            }),
        ];
        let mut inputs = Inputs::from(values.clone());
        assert_eq!(inputs.to_vec(), values);
        assert_eq!(inputs.len(), 12);
        assert_eq!(
            inputs.side().len(),
            6,
            "a wide decimal, a fraction, a text, a scale at the tags, two beyond i32"
        );
        assert_eq!(inputs.get(3), Some(Value::Num(Num::Frac { n: 100, d: 9 })));
        assert_eq!(inputs.get(12), None);
        inputs.set(0, Value::Text("x".into()));
        inputs.set(1, Value::Num(Num::Dec { m: 1 << 40, s: 2 }));
        inputs.set(13, Value::Bool(true));
        assert_eq!(inputs.get(0), Some(Value::Text("x".into())));
        assert_eq!(
            inputs.get(1),
            Some(Value::Num(Num::Dec { m: 1 << 40, s: 2 }))
        );
        assert_eq!(inputs.num(1), Some(Num::Dec { m: 1 << 40, s: 2 }));
        assert_eq!(inputs.len(), 12);
    }

    /// Every length is told back, and inputs are small.
    #[test]
    fn inputs_lengths() {
        assert_eq!(std::mem::size_of::<Inputs>(), 24);
        for len in 0..300 {
            let values: Vec<Value> = (0..len).map(|i| Value::Level(i as u16)).collect();
            let inputs = Inputs::from(values.clone());
            assert_eq!(inputs.len(), len);
            assert_eq!(inputs.to_vec(), values);
        }
    }
}
