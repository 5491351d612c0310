//! Resets every span in a policy, so that two parses of differently laid
//! out sources compare equal exactly when they mean the same.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::syntax::ast::*;

const Z: Span = Span { start: 0, end: 0 };

/// Sets every span in the policy to `0..0`.
pub fn erase_spans(p: &mut Policy) {
    text(&mut p.name);
    p.version.iter_mut().for_each(text);
    p.description.iter_mut().for_each(text);
    p.decls.iter_mut().for_each(decl);
    p.tests.iter_mut().for_each(test);
    for k in &mut p.keys {
        k.span = Z;
        k.headers.iter_mut().for_each(text);
    }
}

fn text(t: &mut Text) {
    t.span = Z;
}

fn ident(i: &mut Ident) {
    i.span = Z;
}

fn ty(t: &mut TypeExpr) {
    match t {
        TypeExpr::Named(i) => ident(i),
        TypeExpr::Grade { levels, span } => {
            levels.iter_mut().for_each(text);
            *span = Z;
        }
    }
}

fn decl(d: &mut Decl) {
    match d {
        Decl::Fn(d) => {
            ident(&mut d.name);
            d.label.iter_mut().for_each(text);
            for p in &mut d.params {
                ident(&mut p.name);
                ty(&mut p.ty);
                if let Some(r) = &mut p.range {
                    expr(&mut r.lo);
                    r.hi.iter_mut().for_each(expr);
                    r.span = Z;
                }
                p.span = Z;
            }
            ty(&mut d.ty);
            expr(&mut d.body);
            d.span = Z;
        }
        Decl::Input(d) => {
            ident(&mut d.name);
            d.label.iter_mut().for_each(text);
            d.aliases.iter_mut().for_each(text);
            ty(&mut d.ty);
            if let Some(r) = &mut d.range {
                expr(&mut r.lo);
                r.hi.iter_mut().for_each(expr);
                r.span = Z;
            }
            d.default.iter_mut().for_each(expr);
            d.span = Z;
        }
        Decl::Const(d) => {
            ident(&mut d.name);
            expr(&mut d.expr);
        }
        Decl::Let(d) => {
            ident(&mut d.name);
            d.label.iter_mut().for_each(text);
            d.ty.iter_mut().for_each(ty);
            expr(&mut d.expr);
        }
        Decl::Item(d) => {
            ident(&mut d.name);
            d.label.iter_mut().for_each(text);
            d.ty.iter_mut().for_each(ty);
            d.weight.iter_mut().for_each(expr);
            expr(&mut d.expr);
        }
        Decl::Total(d) => {
            ident(&mut d.name);
            d.label.iter_mut().for_each(text);
            match &mut d.body {
                TotalBody::SumOfItems { span, .. } => *span = Z,
                TotalBody::Expr(e) => expr(e),
            }
        }
        Decl::Grade(d) => {
            ident(&mut d.name);
            d.label.iter_mut().for_each(text);
            expr(&mut d.subject);
            for a in &mut d.arms {
                cond(&mut a.cond);
                text(&mut a.level);
                a.span = Z;
            }
            d.span = Z;
        }
        Decl::Output(d) => {
            ident(&mut d.name);
            d.label.iter_mut().for_each(text);
            ty(&mut d.ty);
            expr(&mut d.expr);
        }
    }
}

fn cond(c: &mut BandCond) {
    match c {
        BandCond::Else(s) => *s = Z,
        BandCond::Tests { tests, span } => {
            for t in tests {
                expr(&mut t.bound);
            }
            *span = Z;
        }
    }
}

fn expr(e: &mut Expr) {
    e.span = Z;
    match &mut e.kind {
        ExprKind::Number { .. } | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Name(_) => {}
        ExprKind::Neg(x) | ExprKind::Not(x) => expr(x),
        ExprKind::Binary {
            op_span, lhs, rhs, ..
        } => {
            *op_span = Z;
            expr(lhs);
            expr(rhs);
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            expr(cond);
            expr(then);
            expr(otherwise);
        }
        ExprKind::Call { func, args } => {
            ident(func);
            for a in args {
                match a {
                    Arg::Expr(x) => expr(x),
                    Arg::Order(_, s) => *s = Z,
                }
            }
        }
        ExprKind::Band { subject, arms } => {
            expr(subject);
            for a in arms {
                cond(&mut a.cond);
                expr(&mut a.value);
                a.span = Z;
            }
        }
        ExprKind::Match { subject, arms } => {
            expr(subject);
            for a in arms {
                for p in &mut a.patterns {
                    match p {
                        Pattern::Level(t) => text(t),
                        Pattern::Bool(_, s) => *s = Z,
                    }
                }
                expr(&mut a.value);
                a.span = Z;
            }
        }
        ExprKind::Cases { arms } => {
            for a in arms {
                a.cond.iter_mut().for_each(expr);
                expr(&mut a.value);
                a.span = Z;
            }
        }
        ExprKind::Steps { subject, arms } => {
            expr(subject);
            for a in arms {
                expr(&mut a.step);
                expr(&mut a.reference);
                expr(&mut a.points);
                a.cap.iter_mut().for_each(expr);
                a.span = Z;
            }
        }
        ExprKind::Scale { subject, from, to } => {
            for x in [subject, &mut from.0, &mut from.1, &mut to.0, &mut to.1] {
                expr(x);
            }
        }
        ExprKind::Distribute { subject, arms, .. } => {
            expr(subject);
            for a in arms {
                a.quota.iter_mut().for_each(expr);
                text(&mut a.level);
                a.span = Z;
            }
        }
    }
}

fn test(t: &mut TestDecl) {
    text(&mut t.name);
    for c in &mut t.contexts {
        c.values.iter_mut().for_each(assignment);
        c.span = Z;
    }
    for r in &mut t.rows {
        r.given.iter_mut().for_each(assignment);
        r.expect.iter_mut().for_each(assignment);
        r.span = Z;
    }
    t.span = Z;
}

fn assignment(a: &mut Assignment) {
    ident(&mut a.name);
    expr(&mut a.value);
}
