//! Exact numbers: decimals while they terminate, reduced fractions when a
//! division does not (100/9). All arithmetic is checked; nothing rounds
//! except the explicit `round`/`floor`/`ceil` and output display.
//!
//! `rust_decimal` is the exchange format at the edges (literals, data cells,
//! display); inside, the mantissa and scale are kept as an `i128` so that no
//! operation can silently drop digits the way a 28-digit decimal rounds
//! `100/9`.
//!
//! Nothing here may panic, whatever the operands (the fields of [`Num`] are
//! public): every operation on values that come from input is checked, and
//! the few unchecked ones say why they cannot overflow.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use rust_decimal::Decimal;
use std::cmp::Ordering;

/// An exact rational number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    /// `m × 10^-s`.
    Dec { m: i128, s: u8 },
    /// `n / d`, reduced, `d > 1`, `d` not of the form 2^a·5^b (those are `Dec`).
    Frac { n: i128, d: i128 },
}

/// Arithmetic failure; the caller attaches employee, period and span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumError {
    Overflow,
    DivisionByZero,
}

type R = Result<Num, NumError>;

/// Largest scale kept before trailing zeros are stripped or a fraction is used.
const MAX_SCALE: u8 = 30;

/// Powers of ten that fit in an i128 (10^0 ..= 10^38).
// invariant: evaluated at compile time, where an index out of range (or an
// overflow) is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

fn pow10(s: u8) -> Option<i128> {
    POW10.get(usize::from(s)).copied()
}

/// Greatest common divisor of |a| and |b| (binary GCD; 64-bit when both fit,
/// since 128-bit division is slow and most values are small).
fn gcd(a: i128, b: i128) -> i128 {
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    if let (Ok(x), Ok(y)) = (u64::try_from(a), u64::try_from(b)) {
        return gcd64(x, y) as i128;
    }
    let (mut a, mut b) = (a, b);
    if a == 0 {
        return b as i128;
    }
    if b == 0 {
        return a as i128;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        #[allow(clippy::arithmetic_side_effects)] // invariant: a <= b after the swap
        {
            b -= a;
        }
        if b == 0 {
            // The result divides both inputs, which fit in i128.
            return (a << shift) as i128;
        }
    }
}

/// `n/d` (d > 0) in lowest terms.
fn lowest((n, d): (i128, i128)) -> Result<(i128, i128), NumError> {
    let g = gcd(n, d).max(1);
    Ok((div(n, g)?, div(d, g)?))
}

/// `a / b`, truncating, with the two cases that would panic (`b == 0`,
/// `i128::MIN / -1`) as errors. As fast as `/`, which checks both anyway;
/// every divisor here is a positive gcd or denominator, so the errors are
/// for hand-made values that break [`Num`]'s invariants.
#[inline]
fn div(a: i128, b: i128) -> Result<i128, NumError> {
    a.checked_div(b).ok_or(NumError::Overflow)
}

/// `(floor(n / d), n mod d == 0)` for `d > 0`, in 64 bits when the values
/// fit; a zero or negative `d` (not a valid [`Num`]) is an error.
#[inline]
fn euclid(n: i128, d: i128) -> Result<(i128, bool), NumError> {
    if d <= 0 {
        return Err(NumError::DivisionByZero);
    }
    if let (Ok(a), Ok(b)) = (i64::try_from(n), i64::try_from(d)) {
        if let (Some(q), Some(r)) = (a.checked_div_euclid(b), a.checked_rem_euclid(b)) {
            return Ok((i128::from(q), r == 0));
        }
    }
    match (n.checked_div_euclid(d), n.checked_rem_euclid(d)) {
        (Some(q), Some(r)) => Ok((q, r == 0)),
        _ => Err(NumError::Overflow),
    }
}

/// Checked product; two 64-bit factors use one widening multiply, which
/// cannot overflow an i128.
#[inline]
fn mul(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        // invariant: |x·y| <= 2^126 < i128::MAX for two i64 factors.
        #[allow(clippy::arithmetic_side_effects)]
        (Ok(x), Ok(y)) => Some(i128::from(x) * i128::from(y)),
        _ => a.checked_mul(b),
    }
}

/// The full 256-bit product of two u128 as `(high, low)` halves, which
/// compare in tuple order like the product itself.
// invariant: every sum and product below is bounded as its comment says.
#[allow(clippy::arithmetic_side_effects)]
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    let low64 = u128::from(u64::MAX);
    let (a1, a0) = (a >> 64, a & low64);
    let (b1, b0) = (b >> 64, b & low64);
    // Each partial product of two 64-bit halves fits in a u128.
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // At most 3·(2^64 − 1): no overflow.
    let mid = (p00 >> 64) + (p01 & low64) + (p10 & low64);
    let low = (p00 & low64) | (mid << 64);
    // The product is below 2^256, so the high half cannot overflow.
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (high, low)
}

fn gcd64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        #[allow(clippy::arithmetic_side_effects)] // invariant: a <= b after the swap
        {
            b -= a;
        }
        if b == 0 {
            return a << shift;
        }
    }
}

impl Num {
    pub const ZERO: Num = Num::Dec { m: 0, s: 0 };
    pub const ONE: Num = Num::Dec { m: 1, s: 0 };

    pub fn int(i: i64) -> Num {
        Num::Dec {
            m: i128::from(i),
            s: 0,
        }
    }

    #[inline]
    pub fn from_decimal(d: Decimal) -> Num {
        // A Decimal's mantissa is 96 bits and its scale at most 28: always fits.
        Num::Dec {
            m: d.mantissa(),
            s: d.scale() as u8,
        }
    }

    /// As a rational `(numerator, denominator > 0)`.
    #[inline]
    fn ratio(self) -> Result<(i128, i128), NumError> {
        match self {
            Num::Dec { m, s } => Ok((m, pow10(s).ok_or(NumError::Overflow)?)),
            Num::Frac { n, d } => Ok((n, d)),
        }
    }

    /// Builds the canonical form of `n / d`.
    fn from_ratio(n: i128, d: i128) -> R {
        if d == 0 {
            return Err(NumError::DivisionByZero);
        }
        let (mut n, mut d) = if d < 0 {
            (
                n.checked_neg().ok_or(NumError::Overflow)?,
                d.checked_neg().ok_or(NumError::Overflow)?,
            )
        } else {
            (n, d)
        };
        if d == 1 {
            return Ok(Num::Dec { m: n, s: 0 });
        }
        let g = gcd(n, d);
        if g > 1 {
            (n, d) = match (i64::try_from(n), i64::try_from(d), i64::try_from(g)) {
                // 64-bit division is several times faster than 128-bit.
                (Ok(a), Ok(b), Ok(c)) => (
                    i128::from(a.checked_div(c).ok_or(NumError::Overflow)?),
                    i128::from(b.checked_div(c).ok_or(NumError::Overflow)?),
                ),
                _ => (div(n, g)?, div(d, g)?),
            };
        }
        // d = 2^a 5^b  →  terminating decimal with scale max(a, b).
        let twos = d.trailing_zeros() as u8;
        let mut rest = d >> twos;
        let mut fives = 0u8;
        if let Ok(mut r) = u64::try_from(rest) {
            while r % 5 == 0 {
                r /= 5;
                // at most 54 (5^55 > 2^127): never saturates
                fives = fives.saturating_add(1);
            }
            rest = i128::from(r);
        } else {
            while rest % 5 == 0 {
                rest /= 5;
                fives = fives.saturating_add(1);
            }
        }
        if rest != 1 {
            return Ok(Num::Frac { n, d });
        }
        let s = twos.max(fives);
        let factor = div(pow10(s).ok_or(NumError::Overflow)?, d)?;
        match mul(n, factor) {
            Some(m) => Ok(Num::Dec { m, s }.trimmed()),
            None => Ok(Num::Frac { n, d }),
        }
    }

    /// Strips trailing zeros once the scale grows large.
    #[inline]
    fn trimmed(self) -> Num {
        match self {
            Num::Dec { mut m, mut s } if s > 0 => {
                if let Ok(mut small) = i64::try_from(m) {
                    while s > 0 && small % 10 == 0 {
                        small /= 10;
                        s = s.saturating_sub(1); // s > 0
                    }
                    return Num::Dec {
                        m: i128::from(small),
                        s,
                    };
                }
                while s > 0 && m % 10 == 0 {
                    m /= 10;
                    s = s.saturating_sub(1); // s > 0
                }
                Num::Dec { m, s }
            }
            Num::Dec { .. } | Num::Frac { .. } => self,
        }
    }

    #[inline]
    fn keep(self) -> Num {
        match self {
            Num::Dec { s, .. } if s > MAX_SCALE / 2 => self.trimmed(),
            Num::Dec { .. } | Num::Frac { .. } => self,
        }
    }

    #[inline]
    pub fn is_zero(self) -> bool {
        match self {
            Num::Dec { m, .. } => m == 0,
            Num::Frac { n, .. } => n == 0,
        }
    }

    #[inline]
    pub fn signum(self) -> i32 {
        let v = match self {
            Num::Dec { m, .. } => m,
            Num::Frac { n, .. } => n,
        };
        v.signum() as i32
    }

    #[inline]
    pub fn negate(self) -> R {
        Ok(match self {
            Num::Dec { m, s } => Num::Dec {
                m: m.checked_neg().ok_or(NumError::Overflow)?,
                s,
            },
            Num::Frac { n, d } => Num::Frac {
                n: n.checked_neg().ok_or(NumError::Overflow)?,
                d,
            },
        })
    }

    #[inline]
    pub fn abs(self) -> R {
        if self.signum() < 0 {
            self.negate()
        } else {
            Ok(self)
        }
    }

    /// Aligns two decimals to a common scale.
    #[inline]
    fn align(m1: i128, s1: u8, m2: i128, s2: u8) -> Option<(i128, i128, u8)> {
        match s1.cmp(&s2) {
            Ordering::Equal => Some((m1, m2, s1)),
            Ordering::Less => Some((mul(m1, pow10(s2.abs_diff(s1))?)?, m2, s2)),
            Ordering::Greater => Some((m1, mul(m2, pow10(s1.abs_diff(s2))?)?, s1)),
        }
    }

    #[inline]
    pub fn plus(self, o: Num) -> R {
        if let (Num::Dec { m: m1, s: s1 }, Num::Dec { m: m2, s: s2 }) = (self, o) {
            if let Some((a, b, s)) = Num::align(m1, s1, m2, s2) {
                if let Some(m) = a.checked_add(b) {
                    return Ok(Num::Dec { m, s }.keep());
                }
            }
        }
        // Lowest terms first: a decimal's ratio is m/10^s unreduced, and a
        // zero with 10 places (0/10^10) must not overflow the cross products.
        let (n1, d1) = lowest(self.ratio()?)?;
        let (n2, d2) = lowest(o.ratio()?)?;
        let g = gcd(d1, d2).max(1);
        let l1 = div(d2, g)?;
        let l2 = div(d1, g)?;
        let n = n1
            .checked_mul(l1)
            .and_then(|a| n2.checked_mul(l2).and_then(|b| a.checked_add(b)))
            .ok_or(NumError::Overflow)?;
        let d = d1.checked_mul(l1).ok_or(NumError::Overflow)?;
        Num::from_ratio(n, d)
    }

    #[inline]
    pub fn minus(self, o: Num) -> R {
        self.plus(o.negate()?)
    }

    #[inline]
    pub fn times(self, o: Num) -> R {
        if let (Num::Dec { m: m1, s: s1 }, Num::Dec { m: m2, s: s2 }) = (self, o) {
            if let (Some(m), Some(s)) = (mul(m1, m2), s1.checked_add(s2)) {
                if s <= MAX_SCALE {
                    return Ok(Num::Dec { m, s }.keep());
                }
            }
        }
        let (n1, d1) = self.ratio()?;
        let (n2, d2) = o.ratio()?;
        // Cross-reduce first to keep the products small.
        let g1 = gcd(n1, d2).max(1);
        let g2 = gcd(n2, d1).max(1);
        let n = div(n1, g1)?
            .checked_mul(div(n2, g2)?)
            .ok_or(NumError::Overflow)?;
        let d = div(d1, g2)?
            .checked_mul(div(d2, g1)?)
            .ok_or(NumError::Overflow)?;
        Num::from_ratio(n, d)
    }

    pub fn over(self, o: Num) -> R {
        if o.is_zero() {
            return Err(NumError::DivisionByZero);
        }
        let (n1, d1) = self.ratio()?;
        let (n2, d2) = o.ratio()?;
        // Usually the cross products fit and one reduction suffices.
        if let (Some(n), Some(d)) = (mul(n1, d2), mul(d1, n2)) {
            return Num::from_ratio(n, d);
        }
        let g1 = gcd(n1, n2).max(1);
        let g2 = gcd(d1, d2).max(1);
        let n = div(n1, g1)?
            .checked_mul(div(d2, g2)?)
            .ok_or(NumError::Overflow)?;
        let d = div(d1, g2)?
            .checked_mul(div(n2, g1)?)
            .ok_or(NumError::Overflow)?;
        Num::from_ratio(n, d)
    }

    /// How `self / o` compares with `c`, exactly, without forming the
    /// quotient (its reduction to lowest terms is most of a division's
    /// cost): `Some` only where [`Num::over`] surely succeeds (see
    /// [`Num::quotient_terms`]) and the products compared fit.
    #[inline]
    pub fn quotient_cmp(self, o: Num, c: Num) -> Option<Ordering> {
        let (num, den) = self.quotient_terms(o)?;
        let (cn, cd) = c.ratio().ok()?;
        // num/den against cn/cd (cd > 0): num·cd against cn·den, the other
        // way round when den < 0
        let (l, r) = (num.checked_mul(cd)?, cn.checked_mul(den)?);
        Some(if den < 0 { r.cmp(&l) } else { l.cmp(&r) })
    }

    /// `self / o` as [`Num::over`] forms it before reducing it, `(n1·d2,
    /// d1·n2)`, when `over` surely succeeds: the divisor is not zero, both
    /// products fit, and the denominator is below 2^39, so the reduced
    /// one's decimal scale, when it terminates, is at most 38.
    #[inline]
    pub fn quotient_terms(self, o: Num) -> Option<(i128, i128)> {
        let (n1, d1) = self.ratio().ok()?;
        let (n2, d2) = o.ratio().ok()?;
        let (num, den) = (mul(n1, d2)?, mul(d1, n2)?);
        (den != 0 && den.unsigned_abs() < 1 << 39 && num != i128::MIN).then_some((num, den))
    }

    /// Exact comparison. Never overflows: two decimals at a common scale
    /// when that fits, else the signs, then the magnitudes cross-multiplied
    /// in 256 bits (`|n1|·d2` against `|n2|·d1`, denominators positive), so
    /// `7.9e28` against `1e-28` needs no common scale. The error is only for
    /// a scale beyond 10^38, which no operation produces.
    #[inline]
    pub fn exact_cmp(self, o: Num) -> Result<Ordering, NumError> {
        if let (Num::Dec { m: m1, s: s1 }, Num::Dec { m: m2, s: s2 }) = (self, o) {
            if let Some((a, b, _)) = Num::align(m1, s1, m2, s2) {
                return Ok(a.cmp(&b));
            }
        }
        let (n1, d1) = self.ratio()?;
        let (n2, d2) = o.ratio()?;
        if let (Some(a), Some(b)) = (mul(n1, d2), mul(n2, d1)) {
            return Ok(a.cmp(&b));
        }
        let by_sign = n1.signum().cmp(&n2.signum());
        if by_sign != Ordering::Equal || n1 == 0 {
            return Ok(by_sign);
        }
        // Same sign, not zero: compare the magnitudes, reversed if negative.
        let a = wide_mul(n1.unsigned_abs(), d2.unsigned_abs());
        let b = wide_mul(n2.unsigned_abs(), d1.unsigned_abs());
        Ok(if n1 < 0 { b.cmp(&a) } else { a.cmp(&b) })
    }

    /// `(floor(n / d), n mod d == 0)`, in 64 bits when the values fit.
    fn floor_div(self) -> Result<(i128, bool), NumError> {
        if let Num::Dec { m, s: 0 } = self {
            return Ok((m, true));
        }
        let (n, d) = self.ratio()?;
        euclid(n, d)
    }

    /// `floor(self / o)` or `ceil(self / o)` as a whole number, with one
    /// integer division and no intermediate fraction (the step counter).
    pub fn quotient(self, o: Num, ceil: bool) -> R {
        let (n1, d1) = self.ratio()?;
        let (n2, d2) = o.ratio()?;
        let (Some(mut num), Some(mut den)) = (mul(n1, d2), mul(d1, n2)) else {
            let q = self.over(o)?;
            return if ceil { q.ceil() } else { q.floor() };
        };
        if den == 0 {
            return Err(NumError::DivisionByZero);
        }
        if den < 0 {
            num = num.checked_neg().ok_or(NumError::Overflow)?;
            den = den.checked_neg().ok_or(NumError::Overflow)?;
        }
        let (q, exact) = euclid(num, den)?;
        let q = if ceil && !exact {
            q.checked_add(1).ok_or(NumError::Overflow)?
        } else {
            q
        };
        Ok(Num::Dec { m: q, s: 0 })
    }

    pub fn floor(self) -> R {
        let (q, _) = self.floor_div()?;
        Ok(Num::Dec { m: q, s: 0 })
    }

    pub fn ceil(self) -> R {
        let (q, exact) = self.floor_div()?;
        let q = if exact {
            q
        } else {
            q.checked_add(1).ok_or(NumError::Overflow)?
        };
        Ok(Num::Dec { m: q, s: 0 })
    }

    /// Rounds half away from zero (四舍五入) to `places` decimals.
    pub fn round(self, places: u8) -> R {
        if let Num::Dec { s, .. } = self {
            if s <= places {
                return Ok(self);
            }
        }
        let (n, d) = self.ratio()?;
        let scale = pow10(places).ok_or(NumError::Overflow)?;
        let scaled = n.checked_mul(scale).ok_or(NumError::Overflow)?;
        let q = div(scaled, d)?; // truncates toward zero
        let r = scaled.checked_rem(d).ok_or(NumError::Overflow)?;
        let twice = r.unsigned_abs().checked_mul(2).ok_or(NumError::Overflow)?;
        let q = if twice >= d.unsigned_abs() {
            q.checked_add(scaled.signum()).ok_or(NumError::Overflow)?
        } else {
            q
        };
        Ok(Num::Dec { m: q, s: places })
    }

    /// True when the value has a finite decimal expansion.
    pub fn is_terminating(self) -> bool {
        matches!(self, Num::Dec { .. })
    }

    /// The exact value as a Decimal when it terminates and fits.
    pub fn to_decimal(self) -> Option<Decimal> {
        match self.trimmed() {
            Num::Dec { m, s } if s <= 28 => Decimal::try_from_i128_with_scale(m, u32::from(s)).ok(),
            Num::Dec { .. } | Num::Frac { .. } => None,
        }
    }

    /// Plain text: exact when terminating, else rounded to 10 places
    /// (half away from zero), trailing zeros kept for non-terminating values.
    pub fn to_plain_string(self) -> String {
        let mut out = String::new();
        self.write_plain(&mut out);
        out
    }

    /// Appends [`Num::to_plain_string`] to `out` (no allocation).
    pub fn write_plain(self, out: &mut String) {
        match self {
            Num::Dec { m, s } => write_dec(m, s, None, out),
            Num::Frac { .. } => match self.round(10) {
                Ok(Num::Dec { m, s }) => write_dec(m, s, Some(10), out),
                _ => out.push_str("overflow"),
            },
        }
    }

    /// Text with exactly `places` decimals, rounded half away from zero.
    pub fn to_fixed_string(self, places: u8) -> String {
        let mut out = String::new();
        self.write_fixed(places, &mut out);
        out
    }

    /// Appends [`Num::to_fixed_string`] to `out`.
    pub fn write_fixed(self, places: u8, out: &mut String) {
        match self.round(places) {
            Ok(Num::Dec { m, s }) => write_dec(m, s, Some(places), out),
            _ => out.push_str("overflow"),
        }
    }
}

/// Appends `m × 10^-s`. With `fixed`, pads or cuts to exactly that many
/// decimals; without, strips trailing zeros. Never prints `-0`.
fn write_dec(m: i128, s: u8, fixed: Option<u8>, out: &mut String) {
    let mut buf = itoa::Buffer::new();
    // (most mantissas fit 64 bits, whose digits come faster)
    let text = match u64::try_from(m.unsigned_abs()) {
        Ok(small) => buf.format(small),
        Err(_) => buf.format(m.unsigned_abs()),
    };
    if s == 0 && fixed.is_none() {
        // a whole number (most scores): its digits, signed unless zero
        if m < 0 {
            out.push('-');
        }
        out.push_str(text);
        return;
    }
    let digits = text.as_bytes();
    let s = usize::from(s);
    // Integer part and fraction digits (left-padded with zeros).
    let (int, frac_zeros, frac) = match digits.len().checked_sub(s) {
        Some(k) if k > 0 => {
            let (int, frac) = digits.split_at_checked(k).unwrap_or((digits, &[]));
            (int, 0, frac)
        }
        _ => (&b"0"[..], s.saturating_sub(digits.len()), digits),
    };
    let frac_len = frac_zeros.saturating_add(frac.len());
    // The i-th fraction digit; zeros past the end.
    let frac_at = |i: usize| match i.checked_sub(frac_zeros) {
        Some(j) => frac.get(j).copied().unwrap_or(b'0'),
        None => b'0',
    };
    let shown = match fixed {
        Some(p) => usize::from(p),
        None => (0..frac_len)
            .rev()
            .find(|&i| frac_at(i) != b'0')
            .map_or(0, |i| i.saturating_add(1)),
    };
    let nonzero =
        int.iter().any(|d| *d != b'0') || (0..shown.min(frac_len)).any(|i| frac_at(i) != b'0');
    if m < 0 && nonzero {
        out.push('-');
    }
    out.extend(int.iter().map(|d| char::from(*d)));
    if shown > 0 {
        out.push('.');
        out.extend((0..shown).map(|i| char::from(frac_at(i))));
    }
}

/// [`Num`]'s arithmetic for two decimals `(mantissa, scale)` whose
/// mantissas fit an `i64` (nearly every score, count, rate and sum of
/// money), without 128-bit arithmetic: the same result, in the same
/// representation, as the `Num` operation gives, or `None` when the result
/// needs more (a mantissa past `i64`, a scale at which `Num` starts
/// trimming zeros); the caller then uses `Num`. For the compiled per-record
/// code (`eval::compiled`).
pub mod small {
    use super::MAX_SCALE;
    use std::cmp::Ordering;

    /// A decimal `m × 10^-s`.
    pub type Dec = (i64, u8);

    /// Past this scale `Num` trims trailing zeros (see `Num::keep`).
    const KEPT: u8 = MAX_SCALE / 2;

    /// 10^0 ..= 10^18, every power of ten an i64 holds.
    // invariant: evaluated at compile time, where an index out of range (or
    // an overflow) is a build error, not a panic.
    #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
    const POW10: [i64; 19] = {
        let mut t = [1i64; 19];
        let mut i = 1;
        while i < 19 {
            t[i] = t[i - 1] * 10;
            i += 1;
        }
        t
    };

    /// `10^s`, when an `i64` holds it.
    #[inline(always)]
    pub fn pow10(s: u8) -> Option<i64> {
        POW10.get(usize::from(s)).copied()
    }

    /// Both mantissas at the larger scale, as `Num::align` does.
    #[inline(always)]
    fn align((m1, s1): Dec, (m2, s2): Dec) -> Option<(i64, i64, u8)> {
        match s1.cmp(&s2) {
            Ordering::Equal => Some((m1, m2, s1)),
            Ordering::Less => Some((
                m1.checked_mul(*POW10.get(usize::from(s2.abs_diff(s1)))?)?,
                m2,
                s2,
            )),
            Ordering::Greater => Some((
                m1,
                m2.checked_mul(*POW10.get(usize::from(s1.abs_diff(s2)))?)?,
                s1,
            )),
        }
    }

    /// `Num::plus`.
    #[inline(always)]
    pub fn plus(a: Dec, b: Dec) -> Option<Dec> {
        let (x, y, s) = align(a, b)?;
        let m = x.checked_add(y)?;
        (s <= KEPT).then_some((m, s))
    }

    /// `Num::minus`: `a` plus the negation of `b`.
    #[inline(always)]
    pub fn minus(a: Dec, (m, s): Dec) -> Option<Dec> {
        plus(a, (m.checked_neg()?, s))
    }

    /// `Num::times`.
    #[inline(always)]
    pub fn times((m1, s1): Dec, (m2, s2): Dec) -> Option<Dec> {
        let m = m1.checked_mul(m2)?;
        let s = s1.checked_add(s2)?;
        (s <= KEPT).then_some((m, s))
    }

    /// `Num::negate`.
    #[inline(always)]
    pub fn negate((m, s): Dec) -> Option<Dec> {
        Some((m.checked_neg()?, s))
    }

    /// `Num::exact_cmp`.
    #[inline(always)]
    pub fn cmp(a: Dec, b: Dec) -> Option<Ordering> {
        let (x, y, _) = align(a, b)?;
        Some(x.cmp(&y))
    }

    /// How `num / den` (whole numbers, `den` not zero) compares with `c`,
    /// without dividing ([`super::Num::quotient_cmp`] for small terms).
    #[inline(always)]
    pub fn quotient_cmp(num: i64, den: i64, c: Dec) -> Option<Ordering> {
        let up = pow10(c.1)?;
        // invariant: a product of two i64 factors is within ±2^126
        #[allow(clippy::arithmetic_side_effects)]
        let (l, r) = (
            i128::from(num) * i128::from(up),
            i128::from(c.0) * i128::from(den),
        );
        Some(if den < 0 { r.cmp(&l) } else { l.cmp(&r) })
    }

    /// `Num::abs`.
    #[inline(always)]
    pub fn abs(a: Dec) -> Option<Dec> {
        if a.0 < 0 {
            negate(a)
        } else {
            Some(a)
        }
    }

    /// `Num::quotient`: `floor(a / b)` (or `ceil`) as a whole number; `None`
    /// for a zero `b`, as for anything that does not fit.
    #[inline(always)]
    pub fn quotient(a: Dec, b: Dec, ceil: bool) -> Option<Dec> {
        let (mut x, mut y, _) = align(a, b)?;
        if y < 0 {
            (x, y) = (x.checked_neg()?, y.checked_neg()?);
        }
        let q = x.checked_div_euclid(y)?;
        let exact = x.checked_rem_euclid(y)? == 0;
        let q = if ceil && !exact { q.checked_add(1)? } else { q };
        Some((q, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn n(s: &str) -> Num {
        Num::from_decimal(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn hundred_ninths_is_exact() {
        let avg = n("100").over(n("9")).unwrap();
        assert!(matches!(avg, Num::Frac { n: 100, d: 9 }));
        let ratio = n("10").over(avg).unwrap();
        assert_eq!(ratio, n("0.9"));
        assert_eq!(ratio.exact_cmp(n("0.9")).unwrap(), Ordering::Equal);
    }

    #[test]
    fn steps_are_exact() {
        let steps = n("0.30").minus(n("0.25")).unwrap().over(n("0.01")).unwrap();
        assert_eq!(steps.floor().unwrap(), Num::int(5));
        let third = n("1").over(n("3")).unwrap();
        assert_eq!(third.times(n("3")).unwrap(), Num::ONE);
        assert_eq!(third.floor().unwrap(), Num::ZERO);
        assert_eq!(third.ceil().unwrap(), Num::ONE);
        assert_eq!(third.negate().unwrap().floor().unwrap(), Num::int(-1));
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(n("2.345").round(2).unwrap().to_plain_string(), "2.35");
        assert_eq!(n("-2.345").round(2).unwrap().to_plain_string(), "-2.35");
        assert_eq!(n("2.344").round(2).unwrap().to_plain_string(), "2.34");
        assert_eq!(n("2").to_fixed_string(2), "2.00");
        assert_eq!(n("-0.001").to_fixed_string(2), "0.00");
        let two_thirds = n("2").over(n("3")).unwrap();
        assert_eq!(two_thirds.to_plain_string(), "0.6666666667");
        assert_eq!(
            n("100").over(n("3")).unwrap().to_plain_string(),
            "33.3333333333"
        );
    }

    #[test]
    fn display_strips_zeros() {
        assert_eq!(n("87.50").to_plain_string(), "87.5");
        assert_eq!(n("-2").to_plain_string(), "-2");
        assert_eq!(n("0.05").to_plain_string(), "0.05");
        assert_eq!(n("0.000").to_plain_string(), "0");
    }

    #[test]
    fn overflow_and_zero_division_are_errors() {
        let big = Num::Dec {
            m: i128::MAX / 2,
            s: 0,
        };
        assert_eq!(big.times(big), Err(NumError::Overflow));
        assert_eq!(n("1").over(Num::ZERO), Err(NumError::DivisionByZero));
    }

    #[test]
    fn comparison_of_very_different_magnitudes_never_overflows() {
        let max = n("79228162514264337593543950335");
        let tiny = n("0.0000000000000000000000000001");
        assert_eq!(max.exact_cmp(tiny), Ok(Ordering::Greater));
        assert_eq!(tiny.exact_cmp(max), Ok(Ordering::Less));
        // Negative values: the larger magnitude is the smaller number.
        let neg_max = max.negate().unwrap();
        let neg_tiny = tiny.negate().unwrap();
        assert_eq!(neg_max.exact_cmp(neg_tiny), Ok(Ordering::Less));
        assert_eq!(neg_tiny.exact_cmp(neg_max), Ok(Ordering::Greater));
        assert_eq!(neg_max.exact_cmp(tiny), Ok(Ordering::Less));
        assert_eq!(max.exact_cmp(neg_tiny), Ok(Ordering::Greater));
        assert_eq!(Num::ZERO.exact_cmp(neg_tiny), Ok(Ordering::Greater));
        assert_eq!(Num::ZERO.exact_cmp(max), Ok(Ordering::Less));
        // A fraction against a decimal whose cross products overflow.
        let third = n("1").over(n("3")).unwrap();
        assert_eq!(third.exact_cmp(tiny), Ok(Ordering::Greater));
        assert_eq!(max.exact_cmp(third), Ok(Ordering::Greater));
        let big_frac = max.over(n("11")).unwrap();
        assert!(matches!(big_frac, Num::Frac { .. }));
        assert_eq!(big_frac.exact_cmp(tiny), Ok(Ordering::Greater));
        assert_eq!(
            big_frac.negate().unwrap().exact_cmp(neg_tiny),
            Ok(Ordering::Less)
        );
    }

    #[test]
    fn equal_values_at_different_scales_compare_equal() {
        assert_eq!(n("2").exact_cmp(n("2.000")), Ok(Ordering::Equal));
        assert_eq!(n("-0.50").exact_cmp(n("-0.5")), Ok(Ordering::Equal));
        // Scales 0 and 30 with a mantissa too large to align.
        let a = Num::Dec {
            m: 79228162514264337593543950335,
            s: 0,
        };
        let b = Num::Dec {
            m: 79228162514264337593543950335,
            s: 30,
        };
        assert_eq!(a.exact_cmp(b), Ok(Ordering::Greater));
        assert_eq!(b.exact_cmp(a), Ok(Ordering::Less));
        assert_eq!(b.exact_cmp(b), Ok(Ordering::Equal));
        // Equal fractions whose cross products overflow.
        let big = Num::Frac {
            n: i128::MAX / 3,
            d: 7,
        };
        assert_eq!(big.exact_cmp(big), Ok(Ordering::Equal));
        let near = Num::Frac {
            n: i128::MAX / 3 - 1,
            d: 7,
        };
        assert_eq!(near.exact_cmp(big), Ok(Ordering::Less));
        assert_eq!(big.exact_cmp(near), Ok(Ordering::Greater));
    }

    #[test]
    fn wide_products_compare_like_the_products() {
        assert_eq!(wide_mul(0, u128::MAX), (0, 0));
        assert_eq!(wide_mul(u128::MAX, 1), (0, u128::MAX));
        assert_eq!(wide_mul(1 << 64, 1 << 64), (1, 0));
        // (2^128 − 1)² = 2^256 − 2^129 + 1.
        assert_eq!(wide_mul(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert!(wide_mul(u128::MAX, 3) > wide_mul(u128::MAX - 1, 3));
    }

    /// Rounding a fraction whose remainder is over 2^126: twice the
    /// remainder does not fit an i128, which used to be reported as an
    /// overflow instead of rounding.
    #[test]
    fn rounding_a_fraction_with_a_huge_denominator() {
        // 2^127 − 1 is prime: (d − 1)/d is a reduced fraction just below 1.
        let d = i128::MAX;
        let x = Num::from_ratio(d - 1, d).unwrap();
        assert_eq!(x, Num::Frac { n: d - 1, d });
        assert_eq!(x.round(0), Ok(Num::ONE));
        assert_eq!(x.negate().unwrap().round(0), Ok(Num::int(-1)));
        let small = Num::from_ratio(1, d).unwrap();
        assert_eq!(small.round(0), Ok(Num::Dec { m: 0, s: 0 }));
    }

    /// `round(1 - 1/a - 1/b, 0)` for a, b near 1.2e19 (a policy's inputs):
    /// the fraction's denominator is over 2^126; this was "arithmetic
    /// overflow" instead of 1.
    #[test]
    fn rounding_one_minus_two_tiny_fractions() {
        let a = n("12000000000000000001");
        let b = n("12000000000000000007");
        let x = Num::ONE
            .minus(Num::ONE.over(a).unwrap())
            .unwrap()
            .minus(Num::ONE.over(b).unwrap())
            .unwrap();
        assert!(matches!(x, Num::Frac { .. }));
        assert_eq!(x.round(0), Ok(Num::ONE));
    }

    /// Hand-made values that break the invariants (a zero or negative
    /// denominator, a scale beyond 10^38) give errors, never a panic.
    #[test]
    fn malformed_values_never_panic() {
        let bad = [
            Num::Frac { n: 1, d: 0 },
            Num::Frac {
                n: i128::MIN,
                d: -1,
            },
            Num::Frac { n: 5, d: -3 },
            Num::Dec { m: i128::MIN, s: 0 },
            Num::Dec {
                m: i128::MAX,
                s: 200,
            },
            Num::Dec { m: 1, s: 255 },
        ];
        for a in bad {
            for b in bad.iter().copied().chain([Num::ONE, Num::ZERO]) {
                let _ = (a.plus(b), a.minus(b), a.times(b), a.over(b));
                let _ = (a.exact_cmp(b), a.quotient(b, false), a.quotient(b, true));
            }
            let _ = (a.floor(), a.ceil(), a.round(2), a.abs(), a.negate());
            let _ = (a.to_plain_string(), a.to_fixed_string(3), a.to_decimal());
        }
    }

    #[test]
    fn display_of_extremes() {
        let max = Num::Dec { m: i128::MAX, s: 0 };
        assert_eq!(max.to_plain_string(), i128::MAX.to_string());
        let min = Num::Dec { m: i128::MIN, s: 0 };
        assert_eq!(min.to_plain_string(), i128::MIN.to_string());
        let tiny = Num::Dec { m: -1, s: 38 };
        assert_eq!(tiny.to_plain_string(), format!("-0.{}1", "0".repeat(37)));
        assert_eq!(tiny.to_fixed_string(2), "0.00");
        assert_eq!(Num::Dec { m: 12345, s: 2 }.to_fixed_string(5), "123.45000");
        assert_eq!(Num::Dec { m: 5, s: 3 }.to_plain_string(), "0.005");
        assert_eq!(Num::Dec { m: 1200, s: 2 }.to_plain_string(), "12");
    }

    #[test]
    fn fractions_collapse_back_to_decimals() {
        let a = n("1").over(n("3")).unwrap();
        let b = n("2").over(n("3")).unwrap();
        assert_eq!(a.plus(b).unwrap(), Num::ONE);
        assert_eq!(n("1").over(n("8")).unwrap(), n("0.125"));
    }
}

#[cfg(test)]
mod quotient_tests {
    use super::*;
    use std::str::FromStr;

    fn n(s: &str) -> Num {
        Num::from_decimal(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn quotient_matches_floor_and_ceil_of_the_exact_division() {
        let cases = [
            ("0.3", "0.1"),
            ("0.29", "0.1"),
            ("-0.29", "0.1"),
            ("0.05", "0.01"),
            ("1", "3"),
            ("-7", "2"),
            ("0.7", "0.5"),
            ("100", "9"),
        ];
        for (a, b) in cases {
            let q = n(a).over(n(b)).unwrap();
            for ceil in [false, true] {
                let want = if ceil {
                    q.ceil().unwrap()
                } else {
                    q.floor().unwrap()
                };
                let got = n(a).quotient(n(b), ceil).unwrap();
                assert!(
                    got.exact_cmp(want).unwrap().is_eq(),
                    "{a}/{b} ceil={ceil}: {got:?} vs {want:?}"
                );
            }
        }
        let third = n("1").over(n("3")).unwrap();
        assert!(third
            .quotient(third, false)
            .unwrap()
            .exact_cmp(Num::ONE)
            .unwrap()
            .is_eq());
        assert_eq!(
            n("1").quotient(Num::ZERO, false),
            Err(NumError::DivisionByZero)
        );
    }

    /// A zero with 10 places plus a fraction with a 29-digit denominator:
    /// the decimal's unreduced 10^10 must not overflow the cross products
    /// (found by the property tests).
    #[test]
    fn zero_with_places_plus_a_large_fraction() {
        let x = Num::from_ratio(-449, 24_657_260_067_718_393_462_241_999_349).unwrap();
        let zero = Num::Dec { m: 0, s: 10 };
        assert_eq!(zero.plus(x).unwrap(), x);
        assert_eq!(x.plus(zero).unwrap(), x);
        assert_eq!(x.minus(zero).unwrap(), x);
    }
}

#[cfg(test)]
mod small_tests {
    use super::*;

    /// Comparing a quotient through its terms orders it exactly as the
    /// quotient `over` forms; where `over` fails (a zero divisor), the terms
    /// are refused; the small path agrees with `Num`'s.
    #[test]
    fn quotients_compare_as_divided() {
        let nums = [
            Num::ZERO,
            Num::int(1),
            Num::int(-1),
            Num::int(10),
            Num::int(-7),
            Num::Dec { m: 11, s: 1 },
            Num::Dec { m: 9, s: 1 },
            Num::Dec { m: -125, s: 3 },
            Num::Frac { n: 100, d: 9 },
            Num::Frac { n: -1, d: 3 },
            Num::Frac { n: 7, d: 6 },
            Num::Dec {
                m: i128::from(i64::MAX),
                s: 0,
            },
            Num::Dec {
                m: i128::from(i64::MIN),
                s: 2,
            },
        ];
        let mut compared = 0;
        for &n in &nums {
            for &d in &nums {
                let terms = n.quotient_terms(d);
                let q = n.over(d);
                if d.is_zero() {
                    assert!(terms.is_none() && q.is_err());
                    continue;
                }
                if terms.is_some() {
                    assert!(q.is_ok(), "{n:?} / {d:?}: terms but no quotient");
                }
                for &c in &nums {
                    let Some(o) = n.quotient_cmp(d, c) else {
                        continue;
                    };
                    let q = q.unwrap();
                    assert_eq!(o, q.exact_cmp(c).unwrap(), "{n:?} / {d:?} against {c:?}");
                    compared += 1;
                    let (Some((tn, td)), Num::Dec { m, s }) = (terms, c) else {
                        continue;
                    };
                    if let (Ok(tn), Ok(td), Ok(m)) =
                        (i64::try_from(tn), i64::try_from(td), i64::try_from(m))
                    {
                        assert_eq!(small::quotient_cmp(tn, td, (m, s)), Some(o));
                    }
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    /// Every fast path gives exactly `Num`'s result, representation
    /// included, or declines; near the edges of `i64` and of the scale
    /// at which `Num` trims, and at ordinary values.
    #[test]
    fn small_agrees_with_num() {
        let ms = [
            0i64,
            1,
            -1,
            7,
            10,
            -25,
            100,
            995,
            123_456_789,
            i64::MAX / 10,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
            3_037_000_499,
            -3_037_000_500,
        ];
        let mut declined = 0;
        let mut agreed = 0;
        for &m1 in &ms {
            for s1 in [0u8, 1, 2, 4, 8, 15, 18] {
                for &m2 in &ms {
                    for s2 in [0u8, 1, 3, 7, 15] {
                        let (a, b) = ((m1, s1), (m2, s2));
                        let (x, y) = (
                            Num::Dec {
                                m: i128::from(m1),
                                s: s1,
                            },
                            Num::Dec {
                                m: i128::from(m2),
                                s: s2,
                            },
                        );
                        let dec = |r: Option<small::Dec>| {
                            r.map(|(m, s)| Num::Dec {
                                m: i128::from(m),
                                s,
                            })
                        };
                        for (fast, slow) in [
                            (dec(small::plus(a, b)), x.plus(y)),
                            (dec(small::minus(a, b)), x.minus(y)),
                            (dec(small::times(a, b)), x.times(y)),
                            (dec(small::negate(a)), x.negate()),
                        ] {
                            match fast {
                                Some(f) => {
                                    assert_eq!(Ok(f), slow, "{a:?} {b:?}");
                                    agreed += 1;
                                }
                                None => declined += 1,
                            }
                        }
                        if let Some(o) = small::cmp(a, b) {
                            assert_eq!(Ok(o), x.exact_cmp(y), "{a:?} {b:?}");
                        }
                        if let Some(f) = small::abs(a) {
                            assert_eq!(Ok(dec(Some(f)).unwrap()), x.abs());
                        }
                        for ceil in [false, true] {
                            if let Some(q) = small::quotient(a, b, ceil) {
                                let slow = x.quotient(y, ceil);
                                assert_eq!(Ok(dec(Some(q)).unwrap()), slow, "{a:?} {b:?} {ceil}");
                            }
                        }
                    }
                }
            }
        }
        assert!(agreed > 10_000 && declined > 1_000, "{agreed} {declined}");
    }
}
