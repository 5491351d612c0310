//! Expressions: minimal parentheses from precedence; bodies are printed by
//! [`super::arms`].
//!
//! Every printer takes `flat`: in flat mode an expression must fit on the
//! current line, and a body that has to be broken fails with [`Break`] so
//! that the caller can choose another layout.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::arms::{Arm, Body, Lhs, Rhs};
use super::{quote, width, Printer, MAX_WIDTH};
use crate::syntax::ast::*;
use crate::syntax::narrow_digit;
use rust_decimal::Decimal;

/// The expression cannot be printed on one line.
pub(super) struct Break;

type R = Result<(), Break>;

/// Binding strength; the grammar's levels from `if` (0) to primaries (8).
pub(super) fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::If { .. } => 0,
        ExprKind::Binary { op, .. } => bin_prec(*op),
        ExprKind::Not(_) => 3,
        ExprKind::Neg(_) => 7,
        _ => 8,
    }
}

pub(super) fn bin_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Cmp(_) => 4,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div => 6,
    }
}

/// The least precedence the operands of `op` may have without parentheses.
/// Operators are left-associative, so a right operand of the same level
/// keeps its parentheses; a comparison takes one comparison only.
pub(super) fn operand_mins(op: BinOp, rhs: &Expr) -> (u8, u8) {
    operand_mins_in(op, rhs, false)
}

/// [`operand_mins`]; with `minimal`, only what the grammar needs.
pub(super) fn operand_mins_in(op: BinOp, rhs: &Expr, minimal: bool) -> (u8, u8) {
    let p = bin_prec(op);
    let (l, r) = match op {
        BinOp::Cmp(_) => (5, 5),
        _ => (p, p + 1),
    };
    // `a - (-b)` reads better than `a - -b`.
    let neg_rhs = matches!(op, BinOp::Add | BinOp::Sub) && matches!(rhs.kind, ExprKind::Neg(_));
    let r = if neg_rhs && !minimal {
        8
    } else {
        operand_min_in(rhs, r, minimal)
    };
    (l, r)
}

/// `scale … to c..d` ends in an open expression: it is parenthesised
/// whenever it is an operand, or `d` could swallow what follows.
pub(super) fn operand_min(e: &Expr, min: u8) -> u8 {
    operand_min_in(e, min, false)
}

/// [`operand_min`]; with `minimal`, a `scale` is parenthesised only when
/// an arithmetic operator follows it (decided in [`Printer::expr`]).
pub(super) fn operand_min_in(e: &Expr, min: u8, minimal: bool) -> u8 {
    if matches!(e.kind, ExprKind::Scale { .. }) && !minimal {
        9
    } else {
        min
    }
}

/// Whether `op` is `+ - * /`, which a `scale`'s last bound would take in.
fn is_arithmetic(op: BinOp) -> bool {
    matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div)
}

/// Whether the expression holds a body (band, match, …) anywhere.
pub(super) fn has_body(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Band { .. }
        | ExprKind::Match { .. }
        | ExprKind::Cases { .. }
        | ExprKind::Steps { .. }
        | ExprKind::Distribute { .. } => true,
        ExprKind::Neg(x) | ExprKind::Not(x) => has_body(x),
        ExprKind::Binary { lhs, rhs, .. } => has_body(lhs) || has_body(rhs),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => has_body(cond) || has_body(then) || has_body(otherwise),
        ExprKind::Call { args, .. } => args.iter().any(|a| match a {
            Arg::Expr(e) => has_body(e),
            Arg::Order(..) => false,
        }),
        ExprKind::Scale { subject, from, to } => [subject, &from.0, &from.1, &to.0, &to.1]
            .iter()
            .any(|e| has_body(e)),
        _ => false,
    }
}

impl Printer<'_> {
    /// The expression on one line, if it can be.
    pub fn flat(&self, e: &Expr, min: u8) -> Option<String> {
        let mut p = self.sub(0, e.span.start, "");
        p.expr(e, min, true).ok()?;
        p.lines.pop().map(|l| l.text)
    }

    /// Flat when possible (a `match` only when it also fits the line),
    /// otherwise with its bodies broken.
    pub fn auto(&mut self, e: &Expr, min: u8) {
        if let Some(s) = self.flat(e, min) {
            if !has_body(e) || self.width() + width(&s) <= MAX_WIDTH {
                self.write(&s);
                return;
            }
        }
        let _ = self.expr(e, min, false);
    }

    pub fn child(&mut self, e: &Expr, min: u8, flat: bool) -> R {
        if flat {
            self.expr(e, min, true)
        } else {
            self.auto(e, min);
            Ok(())
        }
    }

    /// Indentation of the line being written.
    pub fn cur_indent(&self) -> usize {
        self.lines.last().map_or(0, |l| l.indent)
    }

    pub fn expr(&mut self, e: &Expr, min: u8, flat: bool) -> R {
        let open_scale = matches!(e.kind, ExprKind::Scale { .. })
            && self.scan.minimal
            && self.scan.before_arithmetic.get();
        // Brackets the author wrote around an operator expression aid
        // reading (`band (dsr / prev_dsr - 1) {`): kept, unless only what
        // the grammar needs is printed.
        let written = !self.scan.minimal && prec(e) < 7 && self.scan.parenthesized(e.span);
        let paren = prec(e) < min || open_scale || written;
        if !paren {
            return self.kind(e, flat);
        }
        self.write("(");
        self.followed_by_arithmetic(false, |p| p.kind(e, flat))?;
        self.write(")");
        Ok(())
    }

    /// Runs `f` with [`super::Run::before_arithmetic`] set to `yes`, then
    /// restores it (also when `f` fails).
    pub(super) fn followed_by_arithmetic(
        &mut self,
        yes: bool,
        f: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let outer = self.scan.before_arithmetic.replace(yes);
        let r = f(self);
        self.scan.before_arithmetic.set(outer);
        r
    }

    fn kind(&mut self, e: &Expr, flat: bool) -> R {
        // An operator expression ends with its last operand, which is
        // followed by what follows the expression; inside a closed form
        // (a call, a body) nothing follows.
        let open = matches!(
            e.kind,
            ExprKind::Neg(_)
                | ExprKind::Not(_)
                | ExprKind::Binary { .. }
                | ExprKind::If { .. }
                | ExprKind::Scale { .. }
        );
        if open {
            self.form(e, flat)
        } else {
            self.followed_by_arithmetic(false, |p| p.form(e, flat))
        }
    }

    fn form(&mut self, e: &Expr, flat: bool) -> R {
        let minimal = self.scan.minimal;
        match &e.kind {
            ExprKind::Number { value, unit } => {
                let t = self.number(e.span, *value, *unit);
                self.write(&t);
            }
            ExprKind::Str(s) => self.write(&quote(s)),
            ExprKind::Bool(b) => self.write(if *b { "true" } else { "false" }),
            ExprKind::Name(n) => self.write(n),
            ExprKind::Neg(x) => {
                // `- -a`: a sign may follow a sign without parentheses.
                self.write(if matches!(x.kind, ExprKind::Neg(_)) {
                    "- "
                } else {
                    "-"
                });
                self.child(x, operand_min_in(x, 7, minimal), flat)?;
            }
            ExprKind::Not(x) => {
                self.write("not ");
                self.child(x, operand_min_in(x, 3, minimal), flat)?;
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let (l, r) = operand_mins_in(*op, rhs, minimal);
                let l = operand_min_in(lhs, l, minimal);
                self.followed_by_arithmetic(is_arithmetic(*op), |p| p.child(lhs, l, flat))?;
                self.write(&format!(" {} ", op.symbol()));
                self.child(rhs, r, flat)?;
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                // `if if a …` and `then if b …` parse, but read badly.
                let inner = if minimal { 0 } else { 1 };
                self.write("if ");
                self.followed_by_arithmetic(false, |p| p.child(cond, inner, flat))?;
                self.write(" then ");
                self.followed_by_arithmetic(false, |p| p.child(then, inner, flat))?;
                self.write(" else ");
                self.child(otherwise, 0, flat)?;
            }
            ExprKind::Scale { subject, from, to } => {
                self.followed_by_arithmetic(false, |p| {
                    p.write("scale ");
                    p.child(subject, 0, flat)?;
                    p.write(" from ");
                    p.child(&from.0, 5, flat)?;
                    p.write("..");
                    p.child(&from.1, 5, flat)?;
                    p.write(" to ");
                    p.child(&to.0, 5, flat)?;
                    p.write("..");
                    Ok(())
                })?;
                self.child(&to.1, 5, flat)?;
            }
            ExprKind::Call { func, args } => {
                self.write(&func.name);
                self.write("(");
                for (k, a) in args.iter().enumerate() {
                    if k > 0 {
                        self.write(", ");
                    }
                    match a {
                        Arg::Expr(x) => self.child(x, 0, flat)?,
                        Arg::Order(o, _) => self.write(order(*o)),
                    }
                }
                self.write(")");
            }
            ExprKind::Match { subject, arms } => {
                let arms: Vec<Arm> = arms
                    .iter()
                    .map(|a| Arm {
                        anchor: a.span.start,
                        lhs: Lhs::Patterns(a),
                        rhs: Rhs::Value(&a.value),
                    })
                    .collect();
                self.write("match ");
                self.body(e.span, subject, Body::Match, &arms, flat)?;
            }
            ExprKind::Band { subject, arms } => {
                let arms: Vec<Arm> = arms
                    .iter()
                    .map(|a| Arm {
                        anchor: a.span.start,
                        lhs: Lhs::Cond(&a.cond),
                        rhs: Rhs::Value(&a.value),
                    })
                    .collect();
                self.write("band ");
                self.body(e.span, subject, Body::Band, &arms, flat)?;
            }
            ExprKind::Cases { arms } => {
                if flat {
                    return Err(Break);
                }
                self.write("cases {");
                let arms: Vec<Arm> = arms
                    .iter()
                    .map(|a| Arm {
                        anchor: a.span.start,
                        lhs: Lhs::Case(a.cond.as_ref()),
                        rhs: Rhs::Value(&a.value),
                    })
                    .collect();
                self.arms(&arms, self.scan.close_of(e.span.end));
            }
            ExprKind::Distribute {
                subject,
                order: o,
                arms,
            } => {
                let arms: Vec<Arm> = arms
                    .iter()
                    .map(|a| Arm {
                        anchor: a.span.start,
                        lhs: Lhs::Quota(a.quota.as_ref()),
                        rhs: Rhs::Level(&a.level),
                    })
                    .collect();
                self.write("distribute ");
                self.body(e.span, subject, Body::Distribute(*o), &arms, flat)?;
            }
            ExprKind::Steps { subject, arms } => {
                if flat {
                    return Err(Break);
                }
                self.write("steps ");
                self.auto(subject, 0);
                self.write(" {");
                self.step_arms(arms, self.scan.close_of(e.span.end));
            }
        }
        Ok(())
    }

    /// A number literal as written (full-width digits, `％`, `￥` made
    /// ASCII), or from its value when the source text is not at hand.
    fn number(&self, span: Span, value: Decimal, unit: LitUnit) -> String {
        let raw = self.scan.src.get(span.start..span.end).unwrap_or("");
        let t: String = raw
            .chars()
            .map(|c| match c {
                '％' => '%',
                '￥' => '¥',
                c => narrow_digit(c),
            })
            .collect();
        let looks_right = t.starts_with(|c: char| c.is_ascii_digit() || c == '¥')
            && !t.contains(char::is_whitespace);
        if looks_right {
            return t;
        }
        match unit {
            LitUnit::None => value.to_string(),
            LitUnit::Percent => format!("{value}%"),
            LitUnit::Permille => format!("{value}‰"),
            LitUnit::Duration(d) => format!("{value}{}", d.suffix()),
            LitUnit::Yuan => format!("¥{value}"),
        }
    }
}

pub(super) fn order(o: Order) -> &'static str {
    match o {
        Order::Asc => "asc",
        Order::Desc => "desc",
    }
}
