//! Showing values the way people write them: `0.8%`, `2.5d`, `¥5000.00`.
//!
//! The number itself always comes from [`crate::eval::format::show`] (the
//! function `kpi eval` uses); this module only adds the unit that `eval`'s
//! columns leave to the header.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::eval::format::show;
use crate::eval::num::Num;
use crate::ir::{ArithOp, IExpr, IKind, Program, Source, Value};
use crate::types::{NumKind, Ty};

/// The value exactly as `kpi eval` prints it (no unit for money/durations).
pub fn plain(v: &Value, ty: &Ty) -> String {
    show(v, ty).as_text()
}

/// The value with its unit: `¥5000.00`, `-¥5.00`, `2.5d`, `30s`, `0.8%`.
pub fn with_unit(v: &Value, ty: &Ty) -> String {
    let text = plain(v, ty);
    match (v, ty) {
        (Value::Num(_), Ty::Money) => match text.strip_prefix('-') {
            Some(rest) => format!("-¥{rest}"),
            None => format!("¥{text}"),
        },
        (Value::Num(_), Ty::Duration(u)) => format!("{text}{}", u.suffix()),
        _ => text,
    }
}

/// A number with its unit, adding an explicit `+` to positive values (for
/// changes: `+0.5%`, `-¥20.00`).
pub fn signed(n: Num, ty: &Ty) -> String {
    let text = with_unit(&Value::Num(n), ty);
    if n.signum() > 0 {
        format!("+{text}")
    } else {
        text
    }
}

/// A type for showing an expression's value, when the compiled form does
/// not say: reads have their declared type, arithmetic follows the unit
/// rules (§2.1), everything else is a plain number.
pub(crate) fn infer(e: &IExpr, program: &Program) -> Ty {
    let plain = Ty::Number(NumKind::Plain);
    match &e.kind {
        IKind::Read(Source::Input(i)) => program.inputs.get(*i).map(|f| f.ty.clone()),
        IKind::Read(Source::Context(i)) => program.context.get(*i).map(|f| f.ty.clone()),
        IKind::Read(Source::Slot(s)) => program.slots.get(*s).map(|s| s.ty.clone()),
        IKind::Neg(a) => Some(infer(a, program)),
        IKind::Not(_) | IKind::Cmp(..) | IKind::And(..) | IKind::Or(..) => Some(Ty::Bool),
        IKind::Arith(op, a, b) => {
            let (x, y) = (infer(a, program), infer(b, program));
            Some(match op {
                ArithOp::Add | ArithOp::Sub => {
                    if x == plain {
                        y
                    } else {
                        x
                    }
                }
                ArithOp::Mul => match (&x, &y) {
                    (Ty::Money | Ty::Duration(_), _) => x,
                    (_, Ty::Money | Ty::Duration(_)) => y,
                    _ => plain.clone(),
                },
                ArithOp::Div => match (&x, &y) {
                    (Ty::Money, Ty::Money) => plain.clone(),
                    (Ty::Duration(_), Ty::Duration(_)) => plain.clone(),
                    (Ty::Money | Ty::Duration(_), _) => x,
                    _ => plain.clone(),
                },
            })
        }
        IKind::Call(_, args) => args.first().map(|a| infer(a, program)),
        IKind::If(_, t, _) => Some(infer(t, program)),
        IKind::Band { arms, .. } => arms.first().map(|a| infer(&a.value, program)),
        IKind::Match { values, .. } => values.first().map(|v| infer(v, program)),
        IKind::Cases { arms } => arms.first().map(|a| infer(&a.1, program)),
        IKind::Steps { .. } | IKind::Scale { .. } => Some(Ty::Number(NumKind::Points)),
        IKind::Const(Value::Bool(_)) => Some(Ty::Bool),
        IKind::Const(Value::Text(_)) => Some(Ty::Text),
        IKind::Const(_) => None,
    }
    .unwrap_or(plain)
}

/// Like [`infer`], but a plain number compared with percent literals
/// (`band a / b { >= 110% … }`) is shown as a percent.
pub(crate) fn infer_against(e: &IExpr, program: &Program, bounds: &[&str]) -> Ty {
    percent_if(infer(e, program), bounds)
}

/// `ty`, or percent when it is a plain number written against percents.
pub(crate) fn percent_if(ty: Ty, bounds: &[&str]) -> Ty {
    if ty == Ty::Number(NumKind::Plain) && bounds.iter().any(|b| b.contains('%')) {
        Ty::Number(NumKind::Percent)
    } else {
        ty
    }
}

/// Shows a constant as it was written when the source is a literal
/// (`35%`, `¥60`, `0.5d`), else as a plain number.
pub(crate) fn literal(source: &str, v: &Value) -> String {
    let s = source.trim();
    let literal_like = !s.is_empty()
        && s.chars().next().is_some_and(|c| {
            c.is_ascii_digit() || matches!(c, '¥' | '.' | '-' | '+' | '０'..='９')
        })
        && !s.contains(char::is_whitespace);
    if literal_like {
        s.to_string()
    } else {
        plain(v, &Ty::Number(NumKind::Plain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DurUnit;

    fn n(s: &str) -> Value {
        Value::Num(Num::from_decimal(s.parse().unwrap()))
    }

    #[test]
    fn units() {
        assert_eq!(with_unit(&n("5000"), &Ty::Money), "¥5000.00");
        assert_eq!(with_unit(&n("-5"), &Ty::Money), "-¥5.00");
        assert_eq!(
            with_unit(&n("216000"), &Ty::Duration(DurUnit::Days)),
            "2.5d"
        );
        assert_eq!(
            with_unit(&n("0.008"), &Ty::Number(NumKind::Percent)),
            "0.8%"
        );
        let pct = Ty::Number(NumKind::Percent);
        assert_eq!(
            signed(Num::from_decimal("0.005".parse().unwrap()), &pct),
            "+0.5%"
        );
    }

    #[test]
    fn literals() {
        assert_eq!(literal("35%", &n("0.35")), "35%");
        assert_eq!(literal("max_rate", &n("0.05")), "0.05");
    }
}
