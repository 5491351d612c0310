//! The arithmetic behind a value, with the record's figures substituted:
//! `10 - 5 × 0 - 3 - 10 × (0 + 0) = 7`, `35% × 80 + 15% × 100 + … = 91`.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Matches over IR enums name every variant: a new variant fails to build
// here until it is handled.
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::show::{infer, literal, with_unit};
use super::trace::Walker;
use crate::eval::expr::eval;
use crate::ir::{ArithOp, Func, IExpr, IKind, Source};
use serde::Serialize;

/// A formula: the rule as written, the same with figures, and the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Formula {
    /// The rule's source text, e.g. `perf_pay_base * pay_ratio`.
    pub rule: String,
    /// The rule with this record's figures, e.g. `¥2000.00 × 80%`.
    pub figures: String,
    /// The result as `kpi eval` shows it (with unit).
    pub result: String,
}

/// Follows taken arms and branches down to the expression that produced
/// the value.
pub(crate) fn resolve<'e>(w: &Walker<'_>, mut e: &'e IExpr) -> &'e IExpr {
    loop {
        let next = match &e.kind {
            IKind::If(_, t, o) => match w.branch(e) {
                Some(true) => Some(&**t),
                Some(false) => Some(&**o),
                None => None,
            },
            IKind::Band { arms, .. } => w.taken(e).and_then(|k| arms.get(k)).map(|a| &a.value),
            IKind::Match { values, .. } => w.taken(e).and_then(|k| values.get(k)),
            IKind::Cases { arms } => w.taken(e).and_then(|k| arms.get(k)).map(|a| &a.1),
            IKind::Const(_)
            | IKind::Read(_)
            | IKind::Neg(_)
            | IKind::Not(_)
            | IKind::Arith(..)
            | IKind::Cmp(..)
            | IKind::And(..)
            | IKind::Or(..)
            | IKind::Call(..)
            | IKind::Steps { .. }
            | IKind::Scale { .. } => None,
        };
        match next {
            Some(n) => e = n,
            None => return e,
        }
    }
}

/// The formula of `e` if it is arithmetic (a bare value has none).
pub(crate) fn formula(w: &Walker<'_>, e: &IExpr, result: &str) -> Option<Formula> {
    let e = resolve(w, e);
    match &e.kind {
        IKind::Arith(..) | IKind::Neg(_) | IKind::Call(..) => {}
        IKind::Const(_)
        | IKind::Read(_)
        | IKind::Not(_)
        | IKind::Cmp(..)
        | IKind::And(..)
        | IKind::Or(..)
        | IKind::If(..)
        | IKind::Band { .. }
        | IKind::Match { .. }
        | IKind::Cases { .. }
        | IKind::Steps { .. }
        | IKind::Scale { .. } => return None,
    }
    let mut constant = true;
    e.walk(&mut |x| {
        if !matches!(
            x.kind,
            IKind::Const(_) | IKind::Neg(_) | IKind::Arith(..) | IKind::Call(..)
        ) {
            constant = false;
        }
    });
    if constant {
        return None;
    }
    let (figures, _) = render(w, e, true, Mode::Figures);
    let (rule, _) = render(w, e, true, Mode::Names);
    Some(Formula {
        rule,
        figures,
        result: result.to_string(),
    })
}

/// `e` with this record's figures (`¥2000.00 × 80%`).
pub(crate) fn figures(w: &Walker<'_>, e: &IExpr) -> String {
    render(w, e, true, Mode::Figures).0
}

/// Binding strength, for parentheses.
fn prec(op: ArithOp) -> u8 {
    match op {
        ArithOp::Add | ArithOp::Sub => 1,
        ArithOp::Mul | ArithOp::Div => 2,
    }
}

const LEAF: u8 = 9;

/// What leaves show: the record's figures, or the names in the rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Figures,
    Names,
}

/// Renders `e`; returns the text and its binding strength.
fn render(w: &Walker<'_>, e: &IExpr, first: bool, mode: Mode) -> (String, u8) {
    match &e.kind {
        IKind::Arith(op, a, b) => {
            let p = prec(*op);
            let (l, lp) = render(w, a, first, mode);
            let (r, rp) = render(w, b, false, mode);
            let l = if lp < p { format!("({l})") } else { l };
            let tight = matches!(op, ArithOp::Sub | ArithOp::Div);
            let r = if rp < p || (tight && rp == p) {
                format!("({r})")
            } else {
                r
            };
            let sym = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "×",
                ArithOp::Div => "/",
            };
            (format!("{l} {sym} {r}"), p)
        }
        IKind::Neg(a) => {
            let (x, xp) = render(w, a, false, mode);
            let neg = if xp < LEAF || x.starts_with('-') {
                format!("-({x})")
            } else {
                format!("-{x}")
            };
            if first {
                (neg, 3)
            } else {
                (format!("({neg})"), LEAF)
            }
        }
        IKind::Call(f, args) => {
            let name = crate::builtins::info(crate::builtins::of_func(*f)).name();
            let mut parts: Vec<String> = args.iter().map(|a| render(w, a, true, mode).0).collect();
            if let Func::Round(p) = f {
                parts.push(p.to_string());
            }
            (format!("{name}({})", parts.join(", ")), LEAF)
        }
        IKind::Const(_)
        | IKind::Read(_)
        | IKind::Not(_)
        | IKind::Cmp(..)
        | IKind::And(..)
        | IKind::Or(..)
        | IKind::If(..)
        | IKind::Band { .. }
        | IKind::Match { .. }
        | IKind::Cases { .. }
        | IKind::Steps { .. }
        | IKind::Scale { .. } => {
            if mode == Mode::Names {
                return (name(w, e), LEAF);
            }
            let text = leaf(w, e);
            if !first && text.starts_with('-') {
                (format!("({text})"), LEAF)
            } else {
                (text, LEAF)
            }
        }
    }
}

/// A value in a formula: a literal as written, anything else evaluated.
fn leaf(w: &Walker<'_>, e: &IExpr) -> String {
    let Ok(v) = eval(e, w.env, &mut None) else {
        return "?".into();
    };
    match &e.kind {
        IKind::Const(c) => literal(w.text.slice(e.span), c),
        IKind::Read(_)
        | IKind::Neg(_)
        | IKind::Not(_)
        | IKind::Arith(..)
        | IKind::Cmp(..)
        | IKind::And(..)
        | IKind::Or(..)
        | IKind::If(..)
        | IKind::Call(..)
        | IKind::Band { .. }
        | IKind::Match { .. }
        | IKind::Cases { .. }
        | IKind::Steps { .. }
        | IKind::Scale { .. } => with_unit(&v, &infer(e, w.program)),
    }
}

/// A leaf of the rule as written: a name, a literal, or a short form of a
/// table (`steps refund_dispute_rate {…}`).
pub(crate) fn name(w: &Walker<'_>, e: &IExpr) -> String {
    let subject = |s: &IExpr| name(w, s);
    if let Some(call) = table_use(w, e) {
        return call;
    }
    match &e.kind {
        IKind::Read(Source::Input(i)) => w.program.inputs.get(*i).map(|f| f.id.clone()),
        IKind::Read(Source::Context(i)) => w.program.context.get(*i).map(|f| f.id.clone()),
        IKind::Read(Source::Slot(s)) => w
            .program
            .slots
            .get(*s)
            .filter(|s| !s.name.contains('#'))
            .map(|s| s.name.clone()),
        IKind::Const(c) => Some(literal(w.text.slice(e.span), c)),
        IKind::Band { subject: s, .. } => Some(format!("band {} {{…}}", subject(s))),
        IKind::Steps { subject: s, .. } => Some(format!("steps {} {{…}}", subject(s))),
        IKind::Match { subject: s, .. } => Some(format!("match {} {{…}}", subject(s))),
        IKind::Scale { subject: s, .. } => Some(format!("scale {} …", subject(s))),
        IKind::Cases { .. } => Some("cases {…}".into()),
        IKind::If(..) => Some(format!("({})", w.text.quote_expr(e.span))),
        IKind::Neg(_)
        | IKind::Not(_)
        | IKind::Arith(..)
        | IKind::Cmp(..)
        | IKind::And(..)
        | IKind::Or(..)
        | IKind::Call(..) => None,
    }
    .unwrap_or_else(|| w.text.quote_expr(e.span))
}

/// A use of a `table` or `fn` (the root of its inlined body) as written at
/// the use: `place_prize(rank(amount, desc))` when the body is a table over
/// its one parameter, else `place_prize(…)`.
fn table_use(w: &Walker<'_>, e: &IExpr) -> Option<String> {
    let f = w.program.function_at(e.span)?;
    if f.body.span != e.span {
        return None;
    }
    let over_param = |declared: &IExpr| {
        f.params.len() == 1
            && matches!(declared.kind, IKind::Read(Source::Input(i)) if i == f.first_param)
    };
    let arg = match (&f.body.kind, &e.kind) {
        (IKind::Band { subject: d, .. }, IKind::Band { subject: s, .. })
        | (IKind::Match { subject: d, .. }, IKind::Match { subject: s, .. })
        | (IKind::Steps { subject: d, .. }, IKind::Steps { subject: s, .. })
        | (IKind::Scale { subject: d, .. }, IKind::Scale { subject: s, .. })
            if over_param(d) =>
        {
            name(w, s)
        }
        _ => "…".to_string(),
    };
    Some(format!("{}({arg})", f.name))
}
