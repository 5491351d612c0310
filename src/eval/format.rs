//! Output display: the exact value of each output as text (§4.1).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::eval::num::Num;
use crate::ir::Value;
use crate::types::{NumKind, Ty};

/// One output value as written to JSON, CSV or a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    Text(String),
    Bool(bool),
}

impl Shown {
    pub fn as_text(&self) -> String {
        match self {
            Shown::Text(s) => s.clone(),
            Shown::Bool(b) => b.to_string(),
        }
    }
}

/// Formats a value of type `ty`: money to the fen, percents with `%`,
/// durations in their declared unit, non-terminating values to 10 places.
pub fn show(v: &Value, ty: &Ty) -> Shown {
    match v {
        Value::Bool(b) => Shown::Bool(*b),
        Value::Num(_) | Value::Text(_) | Value::Level(_) => {
            let mut s = String::new();
            write_text(v, ty, &mut s);
            Shown::Text(s)
        }
    }
}

/// Appends the text of a value (bools as `true`/`false`) to `out`, without
/// allocating: the output writers call this once per cell.
pub fn write_text(v: &Value, ty: &Ty, out: &mut String) {
    match (v, ty) {
        (Value::Num(n), Ty::Money) => n.write_fixed(2, out),
        (Value::Num(n), Ty::Number(NumKind::Percent)) => match n.times(Num::int(100)) {
            Ok(p) => {
                p.write_plain(out);
                out.push('%');
            }
            Err(_) => out.push_str("overflow"),
        },
        (Value::Num(n), Ty::Duration(u)) => match n.over(Num::from_decimal(u.seconds())) {
            Ok(x) => x.write_plain(out),
            Err(_) => out.push_str("overflow"),
        },
        (Value::Num(n), _) => n.write_plain(out),
        (Value::Bool(b), _) => out.push_str(if *b { "true" } else { "false" }),
        (Value::Text(t), _) => out.push_str(t),
        (Value::Level(i), Ty::Grade(levels)) => out.push_str(
            levels
                .get(usize::from(*i))
                .map(String::as_str)
                .unwrap_or(""),
        ),
        (Value::Level(i), _) => out.push_str(&i.to_string()),
    }
}

/// [`write_text`]'s text when it is a whole number written plain (most
/// scores: a plain number, count or points with no decimals), appended to
/// `out`: true; else nothing is written and false. The text is digits and
/// perhaps a minus sign, which need no quoting in CSV or escaping in JSON.
#[inline]
pub fn write_whole(v: &Value, ty: &Ty, out: &mut String) -> bool {
    let (
        Value::Num(Num::Dec { m, s: 0 }),
        Ty::Number(NumKind::Plain | NumKind::Count | NumKind::Points),
    ) = (v, ty)
    else {
        return false;
    };
    let Ok(digits) = u64::try_from(m.unsigned_abs()) else {
        return false;
    };
    if *m < 0 {
        out.push('-');
    }
    out.push_str(itoa::Buffer::new().format(digits));
    true
}

/// The value as it will be shown, for exact comparison in tests: money is
/// rounded to the fen first.
pub fn displayed_num(v: &Value, ty: &Ty) -> Option<Num> {
    match (v, ty) {
        (Value::Num(n), Ty::Money) => n.round(2).ok(),
        (Value::Num(n), _) => Some(*n),
        _ => None,
    }
}

/// A value of type `ty` in the unit a policy writes it.
pub fn show_value(v: Num, ty: &Ty) -> String {
    let plain = |x: Result<Num, _>| {
        x.map(|n: Num| n.to_plain_string())
            .unwrap_or_else(|_| "?".into())
    };
    match ty {
        Ty::Number(NumKind::Percent) => format!("{}%", plain(v.times(Num::int(100)))),
        Ty::Duration(u) => format!(
            "{}{}",
            plain(v.over(Num::from_decimal(u.seconds()))),
            u.suffix()
        ),
        Ty::Money => format!("¥{}", v.to_fixed_string(2)),
        Ty::Number(_) | Ty::Bool | Ty::Text | Ty::Grade(_) => v.to_plain_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DurUnit;

    /// The whole-number shortcut writes what `write_text` writes, or nothing.
    #[test]
    fn write_whole_is_write_text_or_nothing() {
        let values = [
            Value::Num(Num::int(0)),
            Value::Num(Num::int(-5)),
            Value::Num(Num::int(106)),
            Value::Num(Num::Dec { m: 100, s: 1 }),
            Value::Num(Num::Dec {
                m: i128::from(u64::MAX) + 1,
                s: 0,
            }),
            Value::Num(Num::Dec {
                m: -i128::from(u64::MAX),
                s: 0,
            }),
            Value::Num(Num::Frac { n: 100, d: 9 }),
            Value::Bool(true),
            Value::Level(1),
            Value::Text("甲".into()),
        ];
        let types = [
            Ty::Number(NumKind::Plain),
            Ty::Number(NumKind::Count),
            Ty::Number(NumKind::Points),
            Ty::Number(NumKind::Percent),
            Ty::Money,
            Ty::Duration(DurUnit::Minutes),
            Ty::Bool,
            Ty::Text,
        ];
        let mut wrote = 0;
        for v in &values {
            for ty in &types {
                let (mut whole, mut text) = (String::from("x"), String::from("x"));
                write_text(v, ty, &mut text);
                if write_whole(v, ty, &mut whole) {
                    assert_eq!(whole, text, "{v:?} as {ty:?}");
                    wrote += 1;
                } else {
                    assert_eq!(whole, "x", "{v:?} as {ty:?}: nothing written");
                }
            }
        }
        // 0, -5, 106 and -(2^64 - 1) as plain numbers, counts and points
        assert_eq!(wrote, 12);
    }
}
