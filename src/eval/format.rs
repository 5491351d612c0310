//! Output display: the exact value of each output as text (§4.1).

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
    match (v, ty) {
        (Value::Num(n), Ty::Money) => Shown::Text(n.to_fixed_string(2)),
        (Value::Num(n), Ty::Number(NumKind::Percent)) => {
            Shown::Text(match n.times(Num::int(100)) {
                Ok(p) => format!("{}%", p.to_plain_string()),
                Err(_) => "overflow".into(),
            })
        }
        (Value::Num(n), Ty::Duration(u)) => {
            Shown::Text(match n.over(Num::from_decimal(u.seconds())) {
                Ok(x) => x.to_plain_string(),
                Err(_) => "overflow".into(),
            })
        }
        (Value::Num(n), _) => Shown::Text(n.to_plain_string()),
        (Value::Bool(b), _) => Shown::Bool(*b),
        (Value::Text(t), _) => Shown::Text(t.to_string()),
        (Value::Level(i), Ty::Grade(levels)) => {
            Shown::Text(levels.get(usize::from(*i)).cloned().unwrap_or_default())
        }
        (Value::Level(i), _) => Shown::Text(i.to_string()),
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
