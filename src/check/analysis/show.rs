//! Values and intervals as a user writes them: `37.5s`, `92%`, `¥500`.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::interval::Interval;
pub use crate::eval::format::show_value;
use crate::types::Ty;

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
