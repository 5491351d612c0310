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
