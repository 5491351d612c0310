//! Values and intervals as a user writes them: `37.5s`, `92%`, `¥500`.

use super::interval::Interval;
use crate::eval::num::Num;
use crate::types::{NumKind, Ty};

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
        _ => v.to_plain_string(),
    }
}

/// `(35s, 40s]`, `(-∞, 65)`, or a single value.
pub fn show_interval(iv: &Interval, ty: &Ty) -> String {
    if iv.is_point() {
        if let Some(w) = iv.witness() {
            return show_value(w, ty);
        }
    }
    let lo = match iv.lo {
        Some(e) => format!(
            "{}{}",
            if e.closed { "[" } else { "(" },
            show_value(e.v, ty)
        ),
        None => "(-∞".into(),
    };
    let hi = match iv.hi {
        Some(e) => format!(
            "{}{}",
            show_value(e.v, ty),
            if e.closed { "]" } else { ")" }
        ),
        None => "+∞)".into(),
    };
    format!("{lo}, {hi}")
}
