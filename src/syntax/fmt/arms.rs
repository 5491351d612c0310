//! Bodies: band conditions, the arms of band, match, cases, distribute
//! and grade bodies, and step rules.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::expr::{order, Break};
use super::{is_ident, pad, quote, Printer, ALIGN_LIMIT, INDENT};
use crate::syntax::ast::*;

type R = Result<(), Break>;

/// Arm results are `if …` or an arithmetic expression.
pub(super) fn arm_min(e: &Expr) -> u8 {
    if matches!(e.kind, ExprKind::If { .. }) {
        0
    } else {
        5
    }
}

/// A level name: bare when it is a valid name, quoted otherwise.
pub(super) fn level(t: &Text) -> String {
    if is_ident(&t.value) {
        t.value.clone()
    } else {
        quote(&t.value)
    }
}

/// The left side of an arm.
pub(super) enum Lhs<'e> {
    Cond(&'e BandCond),
    Patterns(&'e MatchArm),
    Case(Option<&'e Expr>),
    Quota(Option<&'e Expr>),
}

/// The right side of an arm.
pub(super) enum Rhs<'e> {
    Value(&'e Expr),
    Level(&'e Text),
}

/// Which body [`Printer::body`] prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Body {
    Band,
    Match,
    Distribute(Order),
}

/// One arm of a body, with the source offset of its start.
pub(super) struct Arm<'e> {
    pub anchor: usize,
    pub lhs: Lhs<'e>,
    pub rhs: Rhs<'e>,
}

impl Printer<'_> {
    /// `SUBJECT [ORDER] { arms }` of a band, match or distribute: one arm
    /// per line, but a match may be inline in flat mode when no comment
    /// sits inside it.
    pub fn body(&mut self, span: Span, subject: &Expr, kind: Body, arms: &[Arm], flat: bool) -> R {
        let inline = kind == Body::Match && !self.scan.comment_inside(span.start, span.end);
        if flat && !inline {
            return Err(Break);
        }
        self.child(subject, 0, flat)?;
        if let Body::Distribute(o) = kind {
            self.write(" ");
            self.write(order(o));
        }
        if flat {
            self.arms_inline(arms)
        } else {
            self.write(" {");
            self.arms(arms, self.scan.close_of(span.end));
            Ok(())
        }
    }

    /// `>= v`, `[a, b)`, `a < x <= b` or `else`: re-parses to the same tests.
    fn band_cond(&mut self, c: &BandCond, flat: bool) -> R {
        let tests = match c {
            BandCond::Else(_) => {
                self.write("else");
                return Ok(());
            }
            BandCond::Tests { tests, .. } => tests,
        };
        match tests.as_slice() {
            [t] => {
                self.write(t.op.symbol());
                self.write(" ");
                self.child(&t.bound, 5, flat)?;
            }
            [lo, hi]
                if matches!(lo.op, CmpOp::Ge | CmpOp::Gt)
                    && matches!(hi.op, CmpOp::Le | CmpOp::Lt) =>
            {
                self.write(if lo.op == CmpOp::Ge { "[" } else { "(" });
                self.child(&lo.bound, 5, flat)?;
                self.write(", ");
                self.child(&hi.bound, 5, flat)?;
                self.write(if hi.op == CmpOp::Le { "]" } else { ")" });
            }
            // A chain `a OP1 x OP2 b` parses to [flip(OP1) a, OP2 b].
            [a, b, ..] => {
                self.child(&a.bound, 5, flat)?;
                self.write(&format!(" {} x {} ", a.op.flip().symbol(), b.op.symbol()));
                self.child(&b.bound, 5, flat)?;
            }
            // The parser never makes an empty test list; the result check
            // reports it if it ever did.
            [] => self.write("else"),
        }
        Ok(())
    }

    fn lhs(&mut self, l: &Lhs, flat: bool) -> R {
        match l {
            Lhs::Cond(c) => self.band_cond(c, flat),
            Lhs::Patterns(arm) => {
                if arm.is_else {
                    self.write("else");
                }
                for (k, p) in arm.patterns.iter().enumerate() {
                    if k > 0 {
                        self.write(" | ");
                    }
                    match p {
                        Pattern::Level(t) => self.write(&level(t)),
                        Pattern::Bool(b, _) => self.write(if *b { "true" } else { "false" }),
                    }
                }
                Ok(())
            }
            Lhs::Case(None) | Lhs::Quota(None) => {
                self.write("else");
                Ok(())
            }
            Lhs::Case(Some(c)) => self.child(c, 0, flat),
            Lhs::Quota(Some(q)) => self.child(q, 5, flat),
        }
    }

    fn rhs(&mut self, r: &Rhs, flat: bool) -> R {
        match r {
            Rhs::Value(v) => self.child(v, arm_min(v), flat),
            Rhs::Level(t) => {
                self.write(&level(t));
                Ok(())
            }
        }
    }

    /// ` { a -> 1, b -> 2 }` on the current line.
    pub fn arms_inline(&mut self, arms: &[Arm]) -> R {
        if arms.is_empty() {
            self.write(" {}");
            return Ok(());
        }
        self.write(" { ");
        for (k, a) in arms.iter().enumerate() {
            if k > 0 {
                self.write(", ");
            }
            self.lhs(&a.lhs, true)?;
            self.write(" -> ");
            self.rhs(&a.rhs, true)?;
        }
        self.write(" }");
        Ok(())
    }

    /// One arm per line after the `{` already written, arrows aligned,
    /// then `}` (at `close` in the source) on a line of its own.
    pub fn arms(&mut self, arms: &[Arm], close: usize) {
        let outer = self.cur_indent();
        let inner = outer + INDENT;
        let lhs: Vec<Printer> = arms
            .iter()
            .map(|a| {
                let mut p = self.sub(inner, a.anchor, "");
                let _ = p.lhs(&a.lhs, false);
                p
            })
            .collect();
        // Conditions wider than ALIGN_LIMIT are left out of the alignment.
        let narrow = |p: &Printer| p.lines.len() == 1 && p.width() - inner <= ALIGN_LIMIT;
        let align = lhs
            .iter()
            .filter(|p| narrow(p))
            .map(|p| p.width() - inner)
            .max()
            .unwrap_or(0);
        for (k, (a, mut p)) in arms.iter().zip(lhs).enumerate() {
            if narrow(&p) {
                if let Some(only) = p.lines.first_mut() {
                    only.text = pad(&only.text, align);
                }
            }
            self.open_item(inner, a.anchor, false);
            self.splice(p);
            self.write(" -> ");
            let _ = self.rhs(&a.rhs, false);
            if k + 1 < arms.len() {
                self.write(",");
            }
        }
        self.open(outer, close);
        self.write("}");
    }

    /// `each STEP above|below REF: ±POINTS[, ceil][, cap N][, uncapped]`,
    /// one a line; arms start with `each`, so they need no separator.
    pub fn step_arms(&mut self, arms: &[StepArm], close: usize) {
        let outer = self.cur_indent();
        for a in arms {
            self.open_item(outer + INDENT, a.span.start, false);
            self.write("each ");
            self.auto(&a.step, 5);
            self.write(match a.direction {
                Direction::Above => " above ",
                Direction::Below => " below ",
            });
            self.auto(&a.reference, 5);
            self.write(": ");
            // Points carry their sign, as the sheets write them: `+2`.
            if matches!(&a.points.kind, ExprKind::Number { value, .. } if !value.is_zero()) {
                self.write("+");
            }
            self.auto(&a.points, 5);
            if a.rounding == StepRounding::Ceil {
                self.write(", ceil");
            }
            if let Some(cap) = &a.cap {
                self.write(", cap ");
                self.auto(cap, 5);
            }
            if a.uncapped {
                self.write(", uncapped");
            }
        }
        self.open(outer, close);
        self.write("}");
    }
}
