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
use crate::types::{NumKind, Ty};

/// Digits that always fit a `u64` (and hence the mantissa of a `Decimal`).
const MAX_DIGITS: u32 = 18;

/// The value of `s` (already trimmed) in base units for a numeric `ty`, if
/// `s` is `[+-]digits[.digits][%]` with at most [`MAX_DIGITS`] digits and
/// fits `ty` without any question; `None` sends it down the general path.
pub(crate) fn quick_number(s: &str, ty: &Ty, opts: &ReadOptions) -> Option<Decimal> {
    if !matches!(ty, Ty::Number(_) | Ty::Duration(_) | Ty::Money) {
        return None;
    }
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
    let mut mantissa: u64 = 0;
    let mut digits = 0u32;
    // digits after the point, once there is a point
    let mut frac: Option<u32> = None;
    for &c in b {
        match c {
            b'0'..=b'9' => {
                if digits == MAX_DIGITS {
                    return None;
                }
                // at most MAX_DIGITS (18) digits: nothing below can overflow
                // (so the checks cost nothing but a never-taken branch)
                digits = digits.saturating_add(1);
                mantissa = mantissa
                    .checked_mul(10)?
                    .checked_add(u64::from(c.saturating_sub(b'0')))?;
                if let Some(f) = &mut frac {
                    *f = f.saturating_add(1);
                }
            }
            b'.' if frac.is_none() => frac = Some(0),
            _ => return None,
        }
    }
    // no digits (`.`, `-`, `%`), or a negative zero (the general path
    // knows which types keep its sign)
    if digits == 0 || (neg && mantissa == 0) {
        return None;
    }
    let mut scale = frac.unwrap_or(0);
    match (ty, percent) {
        (Ty::Number(NumKind::Percent), true) => scale = scale.saturating_add(2),
        (Ty::Number(NumKind::Percent), false) if !opts.percent_fractions => return None,
        (Ty::Number(_) | Ty::Money, false) => {}
        (Ty::Duration(unit), false) => {
            mantissa = mantissa.checked_mul(u64::try_from(unit.seconds()).ok()?)?;
        }
        _ => return None,
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
