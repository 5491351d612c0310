//! The fast path for the cells that make up nearly every data file: plain
//! ASCII numbers such as `12`, `-0.5`, `99.5%`.
//!
//! [`quick_number`] accepts only a subset of what the general parser in
//! [`super::cells`] accepts, and for that subset it must give the very same
//! decimal (value, scale and sign bit: the general path always normalizes).
//! Anything else, every error included, is left to the general path. The
//! differential test below holds the two together.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Numbers here come straight from the data file: no unchecked arithmetic.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use rust_decimal::Decimal;

use super::ReadOptions;
use crate::types::{DurUnit, NumKind, Ty};

/// Digits that always fit a `u64` (and hence the mantissa of a `Decimal`).
const MAX_DIGITS: u32 = 18;

/// The value of `s` (already trimmed) in base units for a numeric `ty`, if
/// `s` is `[+-]digits[.digits][%]` with at most [`MAX_DIGITS`] digits and
/// fits `ty` without any question; `None` sends it down the general path.
pub(crate) fn quick_number(s: &str, ty: &Ty, opts: &ReadOptions) -> Option<Decimal> {
    // what the type asks of the text: a `%` (percent), a unit to convert
    let (percent_ty, unit): (bool, u64) = match ty {
        Ty::Number(NumKind::Percent) => (true, 1),
        Ty::Number(_) | Ty::Money => (false, 1),
        Ty::Duration(DurUnit::Seconds) => (false, 1),
        Ty::Duration(DurUnit::Minutes) => (false, 60),
        Ty::Duration(DurUnit::Hours) => (false, 3600),
        Ty::Duration(DurUnit::Days) => (false, 86400),
        Ty::Text | Ty::Bool | Ty::Grade(_) => return None,
    };
    let b = s.as_bytes();
    let (neg, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, b),
    };
    let (b, percent) = match b.split_last() {
        Some((b'%', rest)) => (rest, true),
        _ => (b, false),
    };
    // digits, and where the point is: one pass, no checks per digit (at
    // most MAX_DIGITS digits are kept below, which a `u64` always holds,
    // so the wrapping never happens for a number that is kept)
    let mut mantissa: u64 = 0;
    let mut point: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        } else if c == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let digits = b.len().saturating_sub(usize::from(point.is_some()));
    // no digits (`.`, `-`, `%`), too many, or a negative zero (the general
    // path knows which types keep its sign)
    if digits == 0 || digits > MAX_DIGITS as usize || (neg && mantissa == 0) {
        return None;
    }
    // digits after the point (at most MAX_DIGITS)
    let mut scale = point.map_or(0, |p| b.len().saturating_sub(p).saturating_sub(1)) as u32;
    match (percent_ty, percent) {
        (true, true) => scale = scale.saturating_add(2),
        (true, false) if !opts.percent_fractions => return None,
        (true, false) => {}
        (false, false) => mantissa = mantissa.checked_mul(unit)?,
        (false, true) => return None,
    }
    // normalize: no trailing zeros after the point
    while scale > 0 && mantissa.is_multiple_of(10) {
        mantissa /= 10;
        scale = scale.saturating_sub(1); // scale > 0
    }
    if matches!(ty, Ty::Number(NumKind::Count)) && (scale > 0 || neg) {
        return None; // not whole, or negative: an error, with its message
    }
    // the low and middle 32 bits of the 96-bit mantissa (truncation intended)
    let (lo, mid) = (mantissa as u32, (mantissa >> 32) as u32);
    Some(Decimal::from_parts(lo, mid, 0, neg, scale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::cells::parse_general;
    use crate::data::Cell;
    use crate::types::DurUnit;

    /// Wherever the fast path answers, the general path gives the same
    /// decimal to the bit; and the fast path does answer for plain cells.
    #[test]
    fn agrees_with_the_general_path() {
        let types = [
            Ty::Number(NumKind::Plain),
            Ty::Number(NumKind::Count),
            Ty::Number(NumKind::Points),
            Ty::Number(NumKind::Percent),
            Ty::Duration(DurUnit::Seconds),
            Ty::Duration(DurUnit::Minutes),
            Ty::Duration(DurUnit::Hours),
            Ty::Duration(DurUnit::Days),
            Ty::Money,
        ];
        let cells = [
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.00",
            "7",
            "+7",
            "-7",
            "007",
            "10",
            "100",
            "3.0",
            "2.5",
            "-2.5",
            ".5",
            "5.",
            "-.5",
            "0.10",
            "1.000",
            "99.5%",
            "100%",
            "-2.5%",
            "0%",
            "-0%",
            "0.19%",
            "5.%",
            ".5%",
            "%",
            ".",
            "-",
            "+",
            "-%",
            "..5",
            "1.2.3",
            "1,234",
            "1e5",
            "5 %",
            "--1",
            "+-1",
            "5%%",
            "12d",
            "９９",
            "¥5",
            "5元",
            "999999999999999999",
            "999999999999999999%",
            "-999999999999999999",
            "0.000000000000000001",
            "1000000000000000000",
            "0.0000000000000000001",
            "123456789.123456789",
            "12345678.9123456789",
            "4294967296",
            "-18446744073709.55161",
            "213503982334601",
            "213503982334602",
        ];
        for ty in &types {
            for percent_fractions in [false, true] {
                let opts = ReadOptions { percent_fractions };
                for raw in cells {
                    let general = parse_general(raw, ty, &opts);
                    let Some(fast) = quick_number(raw, ty, &opts) else {
                        continue;
                    };
                    match general {
                        Ok(Cell::Num(v)) => assert_eq!(
                            fast.serialize(),
                            v.serialize(),
                            "{raw} as {ty:?}: fast {fast}, general {v}"
                        ),
                        other => panic!("{raw} as {ty:?}: fast {fast}, general {other:?}"),
                    }
                }
            }
        }
        let strict = ReadOptions::default();
        for (raw, ty) in [
            ("12", Ty::Number(NumKind::Count)),
            ("-0.5", Ty::Number(NumKind::Plain)),
            ("9.5", Ty::Number(NumKind::Points)),
            ("0.19%", Ty::Number(NumKind::Percent)),
            ("2.5", Ty::Duration(DurUnit::Days)),
            ("-1234.5", Ty::Money),
        ] {
            assert!(quick_number(raw, &ty, &strict).is_some(), "{raw} as {ty:?}");
        }
    }
}
