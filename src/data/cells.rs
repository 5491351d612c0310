//! Parsing one cell for one input into its base-unit value.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Numbers here come straight from the data file: no unchecked arithmetic
// (`Decimal`'s operators panic on overflow; its `checked_*` methods do not).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::error::CellError;
use super::plain_number::quick_number;
use super::{Cell, FieldSpec, ReadOptions};
use crate::eval::num::Num;
use crate::types::{DurUnit, NumKind, Ty};

/// Parses one cell for `field`. Empty (or blank) text is `Ok(None)`;
/// defaults are the caller's business.
///
/// Quantities come back in base units: percents as fractions, durations in
/// seconds, money in yuan. The declared range is checked in base units.
pub fn parse_cell(
    raw: &str,
    field: &FieldSpec,
    opts: &ReadOptions,
) -> Result<Option<Cell>, CellError> {
    let trimmed = trim(raw);
    if trimmed.is_empty() {
        return Ok(None);
    }
    if let Some(cell) = quick_cell(trimmed, field, opts) {
        return Ok(Some(cell));
    }
    let cell = parse_general(trimmed, &field.ty, opts).map_err(CellError::shortened)?;
    in_range(cell, trimmed, field)
        .map(Some)
        .map_err(CellError::shortened)
}

/// The cells that make up the bulk of any file, fast: a plain ASCII number
/// (see [`quick_number`]) within the field's range. `None` for anything
/// else, errors included: [`parse_cell`] then takes the general path.
pub(crate) fn quick_cell(trimmed: &str, field: &FieldSpec, opts: &ReadOptions) -> Option<Cell> {
    let v = quick_number(trimmed, &field.ty, opts)?;
    match &field.range {
        Some((lo, hi)) if fast_cmp(v, *lo).is_lt() || fast_cmp(v, *hi).is_gt() => None,
        None if v.is_sign_negative() && !v.is_zero() && never_negative(&field.ty) => None,
        _ => Some(Cell::Num(v)),
    }
}

/// `a.cmp(&b)`, on the mantissas brought to one scale in 128 bits (what
/// `Decimal`'s own comparison does with 96-bit words, slowly), or by
/// `Decimal` when that does not fit.
fn fast_cmp(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    let up = |m: i128, by: u32| {
        let p = crate::num::small::pow10(u8::try_from(by).ok()?)?;
        m.checked_mul(i128::from(p))
    };
    let aligned = if sa <= sb {
        up(a.mantissa(), sb.saturating_sub(sa)).map(|x| (x, b.mantissa()))
    } else {
        up(b.mantissa(), sa.saturating_sub(sb)).map(|y| (a.mantissa(), y))
    };
    match aligned {
        Some((x, y)) => x.cmp(&y),
        None => a.cmp(&b),
    }
}

/// Durations without a declared range are never negative (the checker's
/// analysis assumes so too); counts never are, range or not. Money may be
/// (a loss in a gross-margin column).
fn never_negative(ty: &Ty) -> bool {
    matches!(ty, Ty::Duration(_) | Ty::Number(NumKind::Count))
}

/// Parses a trimmed, non-empty cell for type `ty`, any way it may be written
/// (full-width digits, separators, units, currency signs), without the
/// range check.
pub(crate) fn parse_general(trimmed: &str, ty: &Ty, opts: &ReadOptions) -> Result<Cell, CellError> {
    Ok(match ty {
        Ty::Text => Cell::Text(trimmed.to_string()),
        Ty::Bool => Cell::Bool(parse_bool(trimmed)?),
        Ty::Grade(levels) => Cell::Level(parse_level(trimmed, levels)?),
        Ty::Number(kind) => Cell::Num(parse_number(&normalize(trimmed), trimmed, *kind, opts)?),
        Ty::Duration(unit) => Cell::Num(parse_duration(&normalize(trimmed), trimmed, *unit)?),
        Ty::Money => Cell::Num(parse_money(&normalize(trimmed), trimmed)?),
    })
}

/// `str::trim`, with a shortcut for the usual cell, which starts and ends
/// with a visible ASCII character (never whitespace, nor part of a longer
/// UTF-8 character), so that there is nothing to trim.
pub(crate) fn trim(s: &str) -> &str {
    let visible = |b: &u8| (0x21..0x7f).contains(b);
    let b = s.as_bytes();
    if b.first().is_some_and(visible) && b.last().is_some_and(visible) {
        s
    } else {
        s.trim()
    }
}

/// Checks a number against the field's declared range, in base units.
fn in_range(cell: Cell, raw: &str, field: &FieldSpec) -> Result<Cell, CellError> {
    match (&cell, &field.range) {
        (Cell::Num(v), Some((lo, hi))) if v < lo || v > hi => {
            return Err(CellError::OutOfRange {
                raw: raw.to_string(),
                lo: display_base(*lo, &field.ty),
                // `in 0..` is open above (the largest decimal)
                hi: if *hi == Decimal::MAX {
                    String::new()
                } else {
                    display_base(*hi, &field.ty)
                },
            });
        }
        (Cell::Num(v), None)
            if v.is_sign_negative() && !v.is_zero() && never_negative(&field.ty) =>
        {
            return Err(CellError::NegativeQuantity {
                raw: raw.to_string(),
                ty: field.ty.to_string(),
            });
        }
        _ => {}
    }
    Ok(cell)
}

/// Writes a base-unit value the way a user would write it in a cell of type
/// `ty` (`0.995` percent → `99.5%`, `120` seconds in a minutes column → `2min`).
pub fn display_base(v: Decimal, ty: &Ty) -> String {
    match ty {
        Ty::Number(NumKind::Percent) => match v.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => format!("{}%", p.normalize()),
            // beyond a decimal's 96 bits: exactly, through the 128 of a `Num`
            None => match Num::from_decimal(v).times(Num::int(100)) {
                Ok(p) => format!("{}%", p.to_plain_string()),
                Err(_) => v.normalize().to_string(),
            },
        },
        Ty::Duration(unit) => match v.checked_div(unit.seconds()) {
            Some(q) => format!("{}{}", q.normalize(), unit.suffix()),
            None => format!("{}s", v.normalize()),
        },
        _ => v.normalize().to_string(),
    }
}

/// Maps full-width digits, signs, point and percent sign to ASCII. Borrows
/// when there is nothing to map (always so for ASCII text).
pub(crate) fn normalize(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(|c| ascii_equivalent(c) != c) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().map(ascii_equivalent).collect())
    }
}

/// The ASCII character a full-width digit, sign, point or percent sign
/// stands for; any other character is itself.
fn ascii_equivalent(c: char) -> char {
    match c {
        '０'..='９' => u32::from(c)
            .checked_sub(u32::from('０'))
            .and_then(|d| char::from_digit(d, 10))
            .unwrap_or(c),
        '％' => '%',
        '．' => '.',
        '，' => ',',
        '－' | '−' => '-',
        '＋' => '+',
        _ => c,
    }
}

fn too_many_digits(raw: &str) -> CellError {
    CellError::TooManyDigits {
        raw: raw.to_string(),
    }
}

/// A unit conversion `original → converted` must be exact: it overflowed
/// (`None`) or lost digits (converting back does not give `original`) only
/// for absurdly long numbers, which are reported rather than rounded.
fn exact(
    converted: Option<Decimal>,
    original: Decimal,
    raw: &str,
    back: impl Fn(Decimal) -> Option<Decimal>,
) -> Result<Decimal, CellError> {
    match converted {
        Some(v) if back(v) == Some(original) => Ok(v.normalize()),
        _ => Err(too_many_digits(raw)),
    }
}

fn not_a_number(raw: &str) -> CellError {
    CellError::NotANumber {
        raw: raw.to_string(),
    }
}

/// Parses `[+-]digits[.digits]` with optional `,` thousands separators
/// (grouped by threes) into an exact decimal. `raw` is for messages.
fn parse_decimal(s: &str, raw: &str) -> Result<Decimal, CellError> {
    let s = s.trim();
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let int_digits = strip_separators(int, raw)?;
    if !int_digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_number(raw));
    }
    let frac = frac.unwrap_or("");
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_number(raw));
    }
    if int_digits.is_empty() && frac.is_empty() {
        return Err(not_a_number(raw));
    }
    match small_decimal(neg, &int_digits, frac) {
        Some(d) => Ok(d),
        None => exact_decimal(neg, &int_digits, frac, raw),
    }
}

/// `±int.frac` (ASCII digits, already checked) through
/// `Decimal::from_str_exact`: normalized, zero never negative.
fn exact_decimal(neg: bool, int_digits: &str, frac: &str, raw: &str) -> Result<Decimal, CellError> {
    let mut text = String::with_capacity(
        int_digits
            .len()
            .saturating_add(frac.len())
            .saturating_add(3),
    );
    if neg {
        text.push('-');
    }
    text.push_str(if int_digits.is_empty() {
        "0"
    } else {
        int_digits
    });
    if !frac.is_empty() {
        text.push('.');
        text.push_str(frac);
    }
    let mut d = Decimal::from_str_exact(&text).map_err(|_| too_many_digits(raw))?;
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    Ok(d.normalize())
}

/// Digits that always fit an `i64` mantissa (and a scale of at most 18).
const SMALL_DIGITS: usize = 18;

/// The common case of [`parse_decimal`], without building a string for
/// `Decimal::from_str_exact`: `±int.frac` (ASCII digits, already checked)
/// with at most [`SMALL_DIGITS`] digits in all, which is always exact.
/// Same result, to the bit, as [`exact_decimal`]: normalized, zero never
/// negative.
fn small_decimal(neg: bool, int: &str, frac: &str) -> Option<Decimal> {
    if int.len().saturating_add(frac.len()) > SMALL_DIGITS {
        return None;
    }
    // at most 18 digits: the checks never fail (the general path if they did)
    let mantissa = int.bytes().chain(frac.bytes()).try_fold(0i64, |m, b| {
        m.checked_mul(10)?
            .checked_add(i64::from(b.checked_sub(b'0')?))
    })?;
    let scale = u32::try_from(frac.len()).ok()?;
    let d = Decimal::new(
        if neg {
            mantissa.checked_neg()?
        } else {
            mantissa
        },
        scale,
    );
    Some(d.normalize())
}

/// Removes `,` separators from the integer part, checking they group by
/// threes. Borrows when there are none.
fn strip_separators<'a>(int: &'a str, raw: &str) -> Result<Cow<'a, str>, CellError> {
    if !int.contains(',') {
        return Ok(Cow::Borrowed(int));
    }
    let groups: Vec<&str> = int.split(',').collect();
    let ok = groups.iter().enumerate().all(|(i, g)| {
        g.bytes().all(|b| b.is_ascii_digit())
            && if i == 0 {
                (1..=3).contains(&g.len())
            } else {
                g.len() == 3
            }
    });
    if !int.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return Err(not_a_number(raw));
    }
    if !ok {
        return Err(CellError::BadSeparators {
            raw: raw.to_string(),
        });
    }
    Ok(Cow::Owned(groups.concat()))
}

fn wrong_unit(raw: &str, ty: &Ty, expected: &str) -> CellError {
    CellError::WrongUnit {
        raw: raw.to_string(),
        ty: ty.to_string(),
        expected: expected.to_string(),
    }
}

fn parse_number(
    s: &str,
    raw: &str,
    kind: NumKind,
    opts: &ReadOptions,
) -> Result<Decimal, CellError> {
    let ty = Ty::Number(kind);
    if kind == NumKind::Percent {
        return match s.strip_suffix('%') {
            Some(n) => {
                let v = parse_decimal(n, raw)?;
                percent_to_fraction(v, raw)
            }
            None => {
                let v = parse_decimal(s, raw)?;
                if opts.percent_fractions {
                    Ok(v)
                } else {
                    Err(CellError::NoPercentSign {
                        raw: raw.to_string(),
                    })
                }
            }
        };
    }
    if s.ends_with('%') {
        return Err(wrong_unit(
            raw,
            &ty,
            &format!("a {ty} column holds plain numbers, without `%`"),
        ));
    }
    let v = parse_decimal(s, raw)?;
    if kind == NumKind::Count {
        // (a decimal of scale 0 has no fraction: skip the costlier test)
        if v.scale() != 0 && !v.fract().is_zero() {
            return Err(CellError::NotWhole {
                raw: raw.to_string(),
            });
        }
        if v.is_sign_negative() && !v.is_zero() {
            return Err(CellError::Negative {
                raw: raw.to_string(),
            });
        }
    }
    Ok(v)
}

fn parse_duration(s: &str, raw: &str, declared: DurUnit) -> Result<Decimal, CellError> {
    let split = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+')))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let suffix = suffix.trim();
    let unit = if suffix.is_empty() {
        declared
    } else if num.trim().is_empty() {
        return Err(not_a_number(raw));
    } else if suffix == "%" {
        return Err(wrong_unit(
            raw,
            &Ty::Duration(declared),
            &format!(
                "write a number of {}, or a number with a unit such as `32s` or `2.5d`",
                Ty::Duration(declared)
            ),
        ));
    } else {
        match DurUnit::from_suffix(&suffix.to_ascii_lowercase()) {
            Some(u) => u,
            None => {
                // `12abc` and friends: say "unknown unit" only when the tail
                // looks like a word, otherwise it is just not a number.
                if suffix.chars().all(char::is_alphabetic) {
                    return Err(CellError::UnknownDurationUnit {
                        raw: raw.to_string(),
                        unit: suffix.to_string(),
                        declared: Ty::Duration(declared).to_string(),
                    });
                }
                return Err(not_a_number(raw));
            }
        }
    };
    let n = parse_decimal(num, raw)?;
    to_seconds(n, unit, raw)
}

/// `v` percent as a fraction (`v / 100`), exactly.
fn percent_to_fraction(v: Decimal, raw: &str) -> Result<Decimal, CellError> {
    // Dividing by 100 only moves the decimal point two places: while the
    // scale has room, do just that (exact, and much cheaper than a division).
    let mut f = v;
    if f.set_scale(v.scale().saturating_add(2)).is_ok() {
        return Ok(f.normalize());
    }
    let hundred = Decimal::ONE_HUNDRED;
    exact(v.checked_div(hundred), v, raw, |f| f.checked_mul(hundred))
}

/// `n` durations of `unit` in seconds, exactly.
fn to_seconds(n: Decimal, unit: DurUnit, raw: &str) -> Result<Decimal, CellError> {
    let secs = unit.seconds();
    let seconds = n.checked_mul(secs);
    // A product whose mantissa fits in 96 bits was not rounded: it needs no
    // check by dividing back. (Only absurdly long numbers go the slow way.)
    let fits = n
        .mantissa()
        .unsigned_abs()
        .checked_mul(secs.mantissa().unsigned_abs())
        .is_some_and(|m| m >> 96 == 0);
    match seconds {
        Some(v) if fits => Ok(v.normalize()),
        _ => exact(seconds, n, raw, |v| v.checked_div(secs)),
    }
}

fn parse_money(s: &str, raw: &str) -> Result<Decimal, CellError> {
    let mut t = s.trim();
    let mut neg = false;
    if let Some(rest) = t.strip_prefix('-') {
        neg = true;
        t = rest.trim_start();
    } else if let Some(rest) = t.strip_prefix('+') {
        t = rest.trim_start();
    }
    let had_symbol = t.starts_with(['¥', '￥']);
    if had_symbol {
        t = t.trim_start_matches(['¥', '￥']).trim_start();
    }
    if let Some(rest) = t.strip_suffix('元') {
        t = rest.trim_end();
    }
    if t.ends_with('%') {
        return Err(wrong_unit(
            raw,
            &Ty::Money,
            "a money column holds amounts in yuan, e.g. `1234.5`, `¥1,234.50` or `1234.5元`",
        ));
    }
    if had_symbol || neg {
        // a sign after the currency symbol (`¥-5`) is fine, two signs are not
        if neg && t.starts_with(['-', '+']) {
            return Err(not_a_number(raw));
        }
    }
    let v = parse_decimal(t, raw)?;
    Ok(if neg { negated(v) } else { v })
}

/// `-v`: a `Decimal`'s sign is a bit of its own, so negating never
/// overflows (and `-0` stays as `Neg` makes it).
#[allow(clippy::arithmetic_side_effects)]
fn negated(v: Decimal) -> Decimal {
    -v
}

fn parse_bool(s: &str) -> Result<bool, CellError> {
    match s {
        "是" | "1" => Ok(true),
        "否" | "0" => Ok(false),
        _ if s.eq_ignore_ascii_case("true") => Ok(true),
        _ if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(CellError::NotABool { raw: s.to_string() }),
    }
}

fn parse_level(s: &str, levels: &[String]) -> Result<u16, CellError> {
    levels
        .iter()
        .position(|l| l.trim() == s)
        .and_then(|i| u16::try_from(i).ok())
        .ok_or_else(|| CellError::NotALevel {
            raw: s.to_string(),
            levels: levels.join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The range check's comparison is `Decimal`'s, at every scale, sign
    /// and size, the largest and smallest decimals included.
    #[test]
    fn fast_cmp_is_decimal_cmp() {
        let mut values = vec![Decimal::MAX, Decimal::MIN, Decimal::ZERO, -Decimal::ZERO];
        for m in [
            0i64,
            1,
            -1,
            5,
            10,
            99,
            100,
            101,
            -250,
            123_456_789,
            i64::MAX,
            i64::MIN,
        ] {
            for scale in [0u32, 1, 2, 3, 9, 18, 27, 28] {
                values.push(Decimal::new(m, scale));
            }
        }
        for a in &values {
            for b in &values {
                assert_eq!(fast_cmp(*a, *b), a.cmp(b), "{a} vs {b}");
            }
        }
    }
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn spec(ty: Ty) -> FieldSpec {
        FieldSpec {
            id: "x".into(),
            label: None,
            aliases: Vec::new(),
            ty,
            range: None,
            default: None,
        }
    }

    const STRICT: ReadOptions = ReadOptions {
        percent_fractions: false,
    };
    const FRACTIONS: ReadOptions = ReadOptions {
        percent_fractions: true,
    };

    fn num(raw: &str, ty: Ty) -> Decimal {
        match parse_cell(raw, &spec(ty), &STRICT) {
            Ok(Some(Cell::Num(v))) => v,
            other => panic!("{raw}: {other:?}"),
        }
    }

    fn err(raw: &str, ty: Ty) -> CellError {
        parse_cell(raw, &spec(ty), &STRICT).unwrap_err()
    }

    #[test]
    fn empty_is_none() {
        assert_eq!(parse_cell("", &spec(Ty::Money), &STRICT), Ok(None));
        assert_eq!(parse_cell("   ", &spec(Ty::Text), &STRICT), Ok(None));
        assert_eq!(parse_cell("\u{3000}", &spec(Ty::Bool), &STRICT), Ok(None));
    }

    #[test]
    fn plain_numbers() {
        let plain = Ty::Number(NumKind::Plain);
        assert_eq!(num("12", plain.clone()), d("12"));
        assert_eq!(num(" -0.5 ", plain.clone()), d("-0.5"));
        assert_eq!(num("+3.25", plain.clone()), d("3.25"));
        assert_eq!(num(".5", plain.clone()), d("0.5"));
        assert_eq!(num("1,234.5", plain.clone()), d("1234.5"));
        assert_eq!(num("-0", plain.clone()).to_string(), "0");
        assert_eq!(num("0.10", plain.clone()).to_string(), "0.1");
        // exact beyond f64 precision
        assert_eq!(
            num("0.30000000000000000001", plain.clone()).to_string(),
            "0.30000000000000000001"
        );
        for bad in [
            "abc", "NaN", "inf", "-inf", "1e5", "1E-2", "1.2.3", "--1", "-", ".", "0x10", "1 2",
        ] {
            assert_eq!(
                err(bad, plain.clone()),
                CellError::NotANumber { raw: bad.into() },
                "{bad}"
            );
        }
        assert_eq!(
            err("1,5", plain.clone()),
            CellError::BadSeparators { raw: "1,5".into() }
        );
        assert!(matches!(
            err("123456789012345678901234567890123", plain.clone()),
            CellError::TooManyDigits { .. }
        ));
        assert!(matches!(err("5%", plain), CellError::WrongUnit { .. }));
    }

    /// The fast path builds exactly the decimal the general path parses:
    /// same value, scale and sign bit.
    #[test]
    fn small_decimals_match_the_general_path() {
        let cases = [
            ("", "5"),
            ("0", ""),
            ("0", "0"),
            ("000", "000"),
            ("12", "50"),
            ("", "000100"),
            ("999999999999999999", ""),
            ("", "999999999999999999"),
            ("123456789", "123456789"),
            ("100", ""),
            ("7", "0000000000000001"),
        ];
        for (int, frac) in cases {
            for neg in [false, true] {
                let fast = small_decimal(neg, int, frac).unwrap();
                let general = exact_decimal(neg, int, frac, "raw").unwrap();
                assert_eq!(fast.serialize(), general.serialize(), "{neg} {int}.{frac}");
            }
        }
        assert_eq!(small_decimal(false, "1234567890", "123456789"), None);
    }

    /// The cheap unit conversions give, to the bit, what the checked
    /// division and multiplication give.
    #[test]
    fn fast_conversions_match_checked_arithmetic() {
        let hundred = Decimal::ONE_HUNDRED;
        let values = [
            "0",
            "1",
            "-1",
            "0.5",
            "99.5",
            "100",
            "-2.5",
            "0.0012",
            "123456789012345678",
            "0.000000000000000000000000001",
            "79228162514264337593543950335",
        ];
        for v in values.map(d) {
            let slow = exact(v.checked_div(hundred), v, "", |f| f.checked_mul(hundred));
            let fast = percent_to_fraction(v, "");
            assert_eq!(
                fast.map(|f| f.serialize()),
                slow.map(|f| f.serialize()),
                "{v}%"
            );
            for unit in [DurUnit::Seconds, DurUnit::Minutes, DurUnit::Days] {
                let secs = unit.seconds();
                let slow = exact(v.checked_mul(secs), v, "", |f| f.checked_div(secs));
                let fast = to_seconds(v, unit, "");
                assert_eq!(
                    fast.map(|f| f.serialize()),
                    slow.map(|f| f.serialize()),
                    "{v} {unit:?}"
                );
            }
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "\u{3000}５\u{3000}",
            "é",
            "a\u{a0}",
            "\u{1f}x",
            "x\u{1c}",
            "~",
            "!",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn normalize_borrows_unless_it_maps() {
        assert!(matches!(normalize("12.5%"), Cow::Borrowed(_)));
        assert!(matches!(normalize("2.5 天"), Cow::Borrowed(_)));
        assert_eq!(normalize("９９．５％"), "99.5%");
        assert_eq!(normalize("－１，０００"), "-1,000");
    }

    #[test]
    fn full_width_digits() {
        assert_eq!(num("９９．５％", Ty::Number(NumKind::Percent)), d("0.995"));
        assert_eq!(num("１２", Ty::Number(NumKind::Count)), d("12"));
    }

    #[test]
    fn points() {
        let mut f = spec(Ty::Number(NumKind::Points));
        f.range = Some((d("0"), d("10")));
        assert_eq!(
            parse_cell("9.5", &f, &STRICT),
            Ok(Some(Cell::Num(d("9.5"))))
        );
        assert_eq!(parse_cell("10", &f, &STRICT), Ok(Some(Cell::Num(d("10")))));
        let e = parse_cell("11", &f, &STRICT).unwrap_err();
        assert_eq!(
            e,
            CellError::OutOfRange {
                raw: "11".into(),
                lo: "0".into(),
                hi: "10".into()
            }
        );
        assert_eq!(e.to_string(), "`11` is outside the range 0..10");
    }

    #[test]
    fn percents() {
        let p = Ty::Number(NumKind::Percent);
        assert_eq!(num("99.5%", p.clone()), d("0.995"));
        assert_eq!(num("100%", p.clone()), d("1"));
        assert_eq!(num("-2.5%", p.clone()), d("-0.025"));
        assert_eq!(num("0.12 %", p.clone()), d("0.0012"));
        let e = err("99.5", p.clone());
        assert_eq!(e, CellError::NoPercentSign { raw: "99.5".into() });
        assert_eq!(
            e.to_string(),
            "`99.5` in a percent column has no `%`; write `99.5%`"
        );
        assert_eq!(
            parse_cell("0.995", &spec(p.clone()), &FRACTIONS),
            Ok(Some(Cell::Num(d("0.995"))))
        );
        assert_eq!(
            parse_cell("99.5%", &spec(p.clone()), &FRACTIONS),
            Ok(Some(Cell::Num(d("0.995"))))
        );
        assert_eq!(
            err("abc%", p.clone()),
            CellError::NotANumber { raw: "abc%".into() }
        );
        // range in base units, shown as percents
        let mut f = spec(p);
        f.range = Some((d("0"), d("1")));
        assert_eq!(
            parse_cell("101%", &f, &STRICT).unwrap_err().to_string(),
            "`101%` is outside the range 0%..100%"
        );
    }

    #[test]
    fn counts() {
        let c = Ty::Number(NumKind::Count);
        assert_eq!(num("3", c.clone()), d("3"));
        assert_eq!(num("3.0", c.clone()), d("3"));
        assert_eq!(num("1,234", c.clone()), d("1234"));
        assert_eq!(num("-0", c.clone()), d("0"));
        assert_eq!(
            err("2.5", c.clone()),
            CellError::NotWhole { raw: "2.5".into() }
        );
        assert_eq!(
            err("-1", c.clone()),
            CellError::Negative { raw: "-1".into() }
        );
        assert_eq!(err("-1.5", c), CellError::NotWhole { raw: "-1.5".into() });
    }

    #[test]
    fn money() {
        assert_eq!(num("¥1,234.50", Ty::Money), d("1234.5"));
        assert_eq!(num("￥ 88", Ty::Money), d("88"));
        assert_eq!(num("1,000,000元", Ty::Money), d("1000000"));
        assert_eq!(num("¥1,234.5元", Ty::Money), d("1234.5"));
        assert_eq!(num("-¥20", Ty::Money), d("-20"));
        assert_eq!(num("¥-20", Ty::Money), d("-20"));
        assert_eq!(num("3.14", Ty::Money), d("3.14"));
        assert_eq!(
            err("¥1,23", Ty::Money),
            CellError::BadSeparators {
                raw: "¥1,23".into()
            }
        );
        assert_eq!(
            err("-¥-20", Ty::Money),
            CellError::NotANumber {
                raw: "-¥-20".into()
            }
        );
        assert_eq!(
            err("¥", Ty::Money),
            CellError::NotANumber { raw: "¥".into() }
        );
        assert!(matches!(err("5%", Ty::Money), CellError::WrongUnit { .. }));
    }

    #[test]
    fn durations() {
        let days = Ty::Duration(DurUnit::Days);
        let mins = Ty::Duration(DurUnit::Minutes);
        let secs = Ty::Duration(DurUnit::Seconds);
        assert_eq!(num("2.5", days.clone()), d("216000"));
        assert_eq!(num("2.5d", days.clone()), d("216000"));
        assert_eq!(num("2.5 天", days.clone()), d("216000"));
        assert_eq!(num("12h", days.clone()), d("43200"));
        assert_eq!(num("32s", mins.clone()), d("32"));
        assert_eq!(num("1.5", mins.clone()), d("90"));
        assert_eq!(num("3min", secs.clone()), d("180"));
        assert_eq!(num("2分钟", secs.clone()), d("120"));
        assert_eq!(num("1小时", secs.clone()), d("3600"));
        assert_eq!(num("45秒", secs.clone()), d("45"));
        assert_eq!(num("2.5s", secs.clone()), d("2.5"));
        assert_eq!(
            err("3weeks", days.clone()),
            CellError::UnknownDurationUnit {
                raw: "3weeks".into(),
                unit: "weeks".into(),
                declared: "days".into()
            }
        );
        assert_eq!(
            err("d", days.clone()),
            CellError::NotANumber { raw: "d".into() }
        );
        assert_eq!(
            err("1e5", days.clone()),
            CellError::NotANumber { raw: "1e5".into() }
        );
        assert!(matches!(err("5%", days), CellError::WrongUnit { .. }));
        // range shown in the declared unit
        let mut f = spec(mins);
        f.range = Some((d("0"), d("600")));
        assert_eq!(
            parse_cell("11", &f, &STRICT).unwrap_err().to_string(),
            "`11` is outside the range 0min..10min"
        );
        assert_eq!(
            parse_cell("600s", &f, &STRICT),
            Ok(Some(Cell::Num(d("600"))))
        );
    }

    #[test]
    fn bools() {
        for (raw, v) in [
            ("true", true),
            ("TRUE", true),
            ("True", true),
            ("是", true),
            ("1", true),
            ("false", false),
            ("False", false),
            ("否", false),
            ("0", false),
        ] {
            assert_eq!(
                parse_cell(raw, &spec(Ty::Bool), &STRICT),
                Ok(Some(Cell::Bool(v))),
                "{raw}"
            );
        }
        assert_eq!(
            err("yes", Ty::Bool),
            CellError::NotABool { raw: "yes".into() }
        );
        assert_eq!(err("2", Ty::Bool), CellError::NotABool { raw: "2".into() });
    }

    #[test]
    fn grades_and_text() {
        let g = Ty::Grade(vec![
            "优秀".into(),
            "良好".into(),
            "合格".into(),
            "差".into(),
        ]);
        assert_eq!(
            parse_cell(" 良好 ", &spec(g.clone()), &STRICT),
            Ok(Some(Cell::Level(1)))
        );
        assert_eq!(
            parse_cell("差", &spec(g.clone()), &STRICT),
            Ok(Some(Cell::Level(3)))
        );
        let e = err("优", g);
        assert_eq!(
            e.to_string(),
            "`优` is not one of the levels 优秀, 良好, 合格, 差"
        );
        assert_eq!(
            parse_cell("  hello world ", &spec(Ty::Text), &STRICT),
            Ok(Some(Cell::Text("hello world".into())))
        );
    }

    #[test]
    fn display_base_units() {
        assert_eq!(
            display_base(d("0.995"), &Ty::Number(NumKind::Percent)),
            "99.5%"
        );
        assert_eq!(
            display_base(d("216000"), &Ty::Duration(DurUnit::Days)),
            "2.5d"
        );
        assert_eq!(display_base(d("10.00"), &Ty::Money), "10");
        // beyond a decimal as a percent: exact all the same, never a panic
        assert_eq!(
            display_base(Decimal::MIN, &Ty::Number(NumKind::Percent)),
            "-7922816251426433759354395033500%"
        );
    }
}
