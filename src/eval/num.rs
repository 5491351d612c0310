//! Exact numbers: decimals while they terminate, reduced fractions when a
//! division does not (100/9). All arithmetic is checked; nothing rounds
//! except the explicit `round`/`floor`/`ceil` and output display.
//!
//! `rust_decimal` is the exchange format at the edges (literals, data cells,
//! display); inside, the mantissa and scale are kept as an `i128` so that no
//! operation can silently drop digits the way a 28-digit decimal rounds
//! `100/9`.

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

fn pow10(s: u8) -> Option<i128> {
    10i128.checked_pow(u32::from(s))
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
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

    pub fn from_decimal(d: Decimal) -> Num {
        // A Decimal's mantissa is 96 bits and its scale at most 28: always fits.
        Num::Dec {
            m: d.mantissa(),
            s: d.scale() as u8,
        }
    }

    /// As a rational `(numerator, denominator > 0)`.
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
        let g = gcd(n, d);
        if g > 1 {
            n /= g;
            d /= g;
        }
        // d = 2^a 5^b  →  terminating decimal with scale max(a, b).
        let (mut rest, mut twos, mut fives) = (d, 0u8, 0u8);
        while rest % 2 == 0 {
            rest /= 2;
            twos += 1;
        }
        while rest % 5 == 0 {
            rest /= 5;
            fives += 1;
        }
        if rest != 1 {
            return Ok(Num::Frac { n, d });
        }
        let s = twos.max(fives);
        let factor = pow10(s).ok_or(NumError::Overflow)? / d;
        match n.checked_mul(factor) {
            Some(m) => Ok(Num::Dec { m, s }.trimmed()),
            None => Ok(Num::Frac { n, d }),
        }
    }

    /// Strips trailing zeros once the scale grows large.
    fn trimmed(self) -> Num {
        match self {
            Num::Dec { mut m, mut s } if s > 0 => {
                while s > 0 && m % 10 == 0 {
                    m /= 10;
                    s -= 1;
                }
                Num::Dec { m, s }
            }
            other => other,
        }
    }

    fn keep(self) -> Num {
        match self {
            Num::Dec { s, .. } if s > MAX_SCALE / 2 => self.trimmed(),
            other => other,
        }
    }

    pub fn is_zero(self) -> bool {
        match self {
            Num::Dec { m, .. } => m == 0,
            Num::Frac { n, .. } => n == 0,
        }
    }

    pub fn signum(self) -> i32 {
        let v = match self {
            Num::Dec { m, .. } => m,
            Num::Frac { n, .. } => n,
        };
        v.signum() as i32
    }

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

    pub fn abs(self) -> R {
        if self.signum() < 0 {
            self.negate()
        } else {
            Ok(self)
        }
    }

    /// Aligns two decimals to a common scale.
    fn align(m1: i128, s1: u8, m2: i128, s2: u8) -> Option<(i128, i128, u8)> {
        match s1.cmp(&s2) {
            Ordering::Equal => Some((m1, m2, s1)),
            Ordering::Less => Some((m1.checked_mul(pow10(s2 - s1)?)?, m2, s2)),
            Ordering::Greater => Some((m1, m2.checked_mul(pow10(s1 - s2)?)?, s1)),
        }
    }

    pub fn plus(self, o: Num) -> R {
        if let (Num::Dec { m: m1, s: s1 }, Num::Dec { m: m2, s: s2 }) = (self, o) {
            if let Some((a, b, s)) = Num::align(m1, s1, m2, s2) {
                if let Some(m) = a.checked_add(b) {
                    return Ok(Num::Dec { m, s }.keep());
                }
            }
        }
        let (n1, d1) = self.ratio()?;
        let (n2, d2) = o.ratio()?;
        let g = gcd(d1, d2).max(1);
        let l1 = d2 / g;
        let l2 = d1 / g;
        let n = n1
            .checked_mul(l1)
            .and_then(|a| n2.checked_mul(l2).and_then(|b| a.checked_add(b)))
            .ok_or(NumError::Overflow)?;
        let d = d1.checked_mul(l1).ok_or(NumError::Overflow)?;
        Num::from_ratio(n, d)
    }

    pub fn minus(self, o: Num) -> R {
        self.plus(o.negate()?)
    }

    pub fn times(self, o: Num) -> R {
        if let (Num::Dec { m: m1, s: s1 }, Num::Dec { m: m2, s: s2 }) = (self, o) {
            if let Some(m) = m1.checked_mul(m2) {
                let s = s1 + s2;
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
        let n = (n1 / g1).checked_mul(n2 / g2).ok_or(NumError::Overflow)?;
        let d = (d1 / g2).checked_mul(d2 / g1).ok_or(NumError::Overflow)?;
        Num::from_ratio(n, d)
    }

    pub fn over(self, o: Num) -> R {
        if o.is_zero() {
            return Err(NumError::DivisionByZero);
        }
        let (n1, d1) = self.ratio()?;
        let (n2, d2) = o.ratio()?;
        let g1 = gcd(n1, n2).max(1);
        let g2 = gcd(d1, d2).max(1);
        let n = (n1 / g1).checked_mul(d2 / g2).ok_or(NumError::Overflow)?;
        let d = (d1 / g2).checked_mul(n2 / g1).ok_or(NumError::Overflow)?;
        Num::from_ratio(n, d)
    }

    /// Exact comparison (cross-multiplication for fractions).
    pub fn exact_cmp(self, o: Num) -> Result<Ordering, NumError> {
        if let (Num::Dec { m: m1, s: s1 }, Num::Dec { m: m2, s: s2 }) = (self, o) {
            if let Some((a, b, _)) = Num::align(m1, s1, m2, s2) {
                return Ok(a.cmp(&b));
            }
        }
        let (n1, d1) = self.ratio()?;
        let (n2, d2) = o.ratio()?;
        let a = n1.checked_mul(d2).ok_or(NumError::Overflow)?;
        let b = n2.checked_mul(d1).ok_or(NumError::Overflow)?;
        Ok(a.cmp(&b))
    }

    pub fn floor(self) -> R {
        let (n, d) = self.ratio()?;
        Ok(Num::Dec {
            m: n.div_euclid(d),
            s: 0,
        })
    }

    pub fn ceil(self) -> R {
        let (n, d) = self.ratio()?;
        let q = n.div_euclid(d);
        let q = if n.rem_euclid(d) == 0 {
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
        let q = scaled / d; // truncates toward zero
        let r = (scaled % d).abs();
        let twice = r.checked_mul(2).ok_or(NumError::Overflow)?;
        let q = if twice >= d { q + scaled.signum() } else { q };
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
            _ => None,
        }
    }

    /// Plain text: exact when terminating, else rounded to 10 places
    /// (half away from zero), trailing zeros kept for non-terminating values.
    pub fn to_plain_string(self) -> String {
        match self {
            Num::Dec { m, s } => dec_string(m, s, None),
            Num::Frac { .. } => match self.round(10) {
                Ok(Num::Dec { m, s }) => dec_string(m, s, Some(10)),
                _ => "overflow".into(),
            },
        }
    }

    /// Text with exactly `places` decimals, rounded half away from zero.
    pub fn to_fixed_string(self, places: u8) -> String {
        match self.round(places) {
            Ok(Num::Dec { m, s }) => dec_string(m, s, Some(places)),
            _ => "overflow".into(),
        }
    }

    pub fn to_i128_floor(self) -> Option<i128> {
        let (n, d) = self.ratio().ok()?;
        Some(n.div_euclid(d))
    }
}

/// Formats `m × 10^-s`. With `fixed`, pads or keeps exactly that many
/// decimals; without, strips trailing zeros.
fn dec_string(m: i128, s: u8, fixed: Option<u8>) -> String {
    let neg = m < 0;
    let digits = m.unsigned_abs().to_string();
    let s = usize::from(s);
    let (int, frac) = if digits.len() > s {
        (
            digits[..digits.len() - s].to_string(),
            digits[digits.len() - s..].to_string(),
        )
    } else {
        (
            "0".to_string(),
            format!("{}{}", "0".repeat(s - digits.len()), digits),
        )
    };
    let frac = match fixed {
        Some(p) => {
            let p = usize::from(p);
            let mut f = frac;
            while f.len() < p {
                f.push('0');
            }
            f.truncate(p);
            f
        }
        None => frac.trim_end_matches('0').to_string(),
    };
    let is_zero = int == "0" && frac.chars().all(|c| c == '0');
    let mut out = String::new();
    if neg && !is_zero {
        out.push('-');
    }
    out.push_str(&int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac);
    }
    out
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
    fn fractions_collapse_back_to_decimals() {
        let a = n("1").over(n("3")).unwrap();
        let b = n("2").over(n("3")).unwrap();
        assert_eq!(a.plus(b).unwrap(), Num::ONE);
        assert_eq!(n("1").over(n("8")).unwrap(), n("0.125"));
    }
}
