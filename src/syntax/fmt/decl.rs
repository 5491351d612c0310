//! The header, the declarations in source order, and the layout of a
//! declaration that does not fit on one line.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::arms::{level, Arm, Lhs, Rhs};
use super::expr::{bin_prec, has_body, operand_min, operand_mins};
use super::{pad, quote, width, Line, Printer, INDENT, MAX_WIDTH};
use crate::syntax::ast::*;

/// A top-level declaration or test, in source order.
enum Top<'p> {
    Decl(&'p Decl),
    Test(&'p TestDecl),
    Key(&'p KeyDecl),
}

impl Printer<'_> {
    pub fn policy(&mut self, p: &Policy) {
        let mut header = vec![(
            self.scan.kw_start(p.name.span.start, "policy"),
            format!("policy {}", quote(&p.name.value)),
        )];
        for (kw, t) in [("version", &p.version), ("description", &p.description)] {
            if let Some(t) = t {
                let at = self.scan.kw_start(t.span.start, kw);
                header.push((at, format!("{kw} {}", quote(&t.value))));
            }
        }
        header.sort_by_key(|h| h.0);
        for (at, text) in header {
            self.open_item(0, at, false);
            self.write(&text);
        }

        let mut top: Vec<(usize, Top)> = p
            .decls
            .iter()
            .map(|d| (self.decl_start(d), Top::Decl(d)))
            .chain(p.tests.iter().map(|t| (t.span.start, Top::Test(t))))
            .chain(p.keys.iter().map(|k| (k.span.start, Top::Key(k))))
            .collect();
        top.sort_by_key(|t| t.0);
        let widths = run_widths(&top);
        for (k, ((at, item), w)) in top.iter().zip(widths).enumerate() {
            let force = k == 0 || matches!(item, Top::Test(_));
            match item {
                Top::Decl(d) => self.decl(d, *at, force, w),
                Top::Test(t) => self.test_decl(t, force),
                Top::Key(k) => {
                    let mut h = self.head(*at, force);
                    let headers: Vec<String> = k.headers.iter().map(|t| quote(&t.value)).collect();
                    h.write(&format!("key {} {}", k.column, headers.join(" | ")));
                    self.lines.extend(h.lines);
                }
            }
        }
    }

    /// Where a declaration's keyword is in the source.
    fn decl_start(&self, d: &Decl) -> usize {
        let s = self.scan;
        match d {
            Decl::Input(d) => d.span.start,
            Decl::Grade(d) => d.span.start,
            Decl::Fn(d) => d.span.start,
            Decl::Const(d) => s.kw_start(d.name.span.start, "const"),
            Decl::Let(d) => s.kw_start(d.name.span.start, "let"),
            Decl::Item(d) => s.kw_start(d.name.span.start, "item"),
            Decl::Output(d) => s.kw_start(d.name.span.start, "output"),
            Decl::Total(d) => {
                let n = d.name.span;
                // Without a name, the name's span is the keyword itself.
                if s.src.get(n.start..n.end) == Some("total") {
                    n.start
                } else {
                    s.kw_start(n.start, "total")
                }
            }
        }
    }

    fn decl(&mut self, d: &Decl, at: usize, force: bool, (wn, wl): (usize, usize)) {
        let mut h = self.head(at, force);
        match d {
            Decl::Input(d) => {
                h.write(if d.context { "context " } else { "input " });
                h.write(&pad(&d.name.name, wn));
                if wl > 0 {
                    h.write(" ");
                    h.write(&pad(&input_labels(d).unwrap_or_default(), wl));
                }
                h.write(" : ");
                h.write(&type_text(&d.ty));
                if let Some(r) = &d.range {
                    h.write(" in ");
                    h.auto(&r.lo, operand_min(&r.lo, 7));
                    h.write("..");
                    if let Some(hi) = &r.hi {
                        h.auto(hi, operand_min(hi, 7));
                    }
                }
                if let Some(v) = &d.default {
                    h.write(" default ");
                    h.auto(v, operand_min(v, 7));
                }
                self.lines.extend(h.lines);
            }
            Decl::Const(d) => {
                h.write(&format!("const {}", pad(&d.name.name, wn)));
                self.unit(h, &d.expr);
            }
            Decl::Let(d) => {
                h.write(&format!("let {}", d.name.name));
                label(&mut h, &d.label);
                if let Some(t) = &d.ty {
                    h.write(&format!(" : {}", type_text(t)));
                }
                self.unit(h, &d.expr);
            }
            Decl::Item(d) => {
                h.write(&format!("item {}", d.name.name));
                label(&mut h, &d.label);
                if let Some(t) = &d.ty {
                    h.write(&format!(" : {}", type_text(t)));
                }
                if let Some(w) = &d.weight {
                    h.write(" weight ");
                    h.auto(w, operand_min(w, 7));
                }
                self.unit(h, &d.expr);
            }
            Decl::Total(d) => {
                h.write("total");
                if d.name.name != "total" {
                    h.write(&format!(" {}", d.name.name));
                }
                label(&mut h, &d.label);
                match &d.body {
                    TotalBody::SumOfItems { weighted, .. } => {
                        h.write(if *weighted {
                            " = weighted sum of items"
                        } else {
                            " = sum of items"
                        });
                        self.lines.extend(h.lines);
                    }
                    TotalBody::Expr(e) => self.unit(h, e),
                }
            }
            Decl::Grade(d) => {
                h.write("grade");
                if d.name.name != "grade" {
                    h.write(&format!(" {}", d.name.name));
                }
                label(&mut h, &d.label);
                h.write(" by ");
                h.auto(&d.subject, 0);
                let arms: Vec<Arm> = d
                    .arms
                    .iter()
                    .map(|a| Arm {
                        anchor: a.span.start,
                        lhs: Lhs::Cond(&a.cond),
                        rhs: Rhs::Level(&a.level),
                    })
                    .collect();
                let mut one = Printer {
                    scan: self.scan,
                    lines: h.lines.clone(),
                };
                let quiet = !self.scan.comment_inside(d.span.start, d.span.end);
                if quiet && one.arms_inline(&arms).is_ok() && one.width() <= MAX_WIDTH {
                    self.lines.extend(one.lines);
                } else {
                    h.write(" {");
                    self.lines.extend(h.lines);
                    self.arms(&arms, self.scan.close_of(d.span.end));
                }
            }
            Decl::Output(d) => {
                h.write(&format!("output {}", d.name.name));
                label(&mut h, &d.label);
                h.write(&format!(" : {}", type_text(&d.ty)));
                self.unit(h, &d.expr);
            }
            Decl::Fn(d) => {
                h.write(if d.table { "table " } else { "fn " });
                h.write(&d.name.name);
                label(&mut h, &d.label);
                h.write(if d.label.is_some() { " (" } else { "(" });
                for (i, p) in d.params.iter().enumerate() {
                    if i > 0 {
                        h.write(", ");
                    }
                    h.write(&format!("{}: {}", p.name.name, type_text(&p.ty)));
                    if let Some(r) = &p.range {
                        h.write(" in ");
                        h.auto(&r.lo, operand_min(&r.lo, 7));
                        h.write("..");
                        if let Some(hi) = &r.hi {
                            h.auto(hi, operand_min(hi, 7));
                        }
                    }
                }
                h.write(&format!(") : {}", type_text(&d.ty)));
                self.unit(h, &d.body);
            }
        }
    }

    /// `HEAD = EXPR`, choosing the first layout that fits: one line; the
    /// bodies broken after an opening line that fits; `HEAD =` and the
    /// expression on the next line; `if`/`else` lines; one operand a line.
    fn unit(&mut self, mut head: Printer, e: &Expr) {
        let flat = self.flat(e, 0);
        if let Some(s) = &flat {
            if head.width() + 3 + width(s) <= MAX_WIDTH {
                head.write(" = ");
                head.write(s);
                self.lines.extend(head.lines);
                return;
            }
        }
        if has_body(e) {
            let mut p = Printer {
                scan: self.scan,
                lines: head.lines.clone(),
            };
            let first = p.lines.len().saturating_sub(1);
            p.write(" = ");
            let _ = p.expr(e, 0, false);
            let fits = |l: &Line| l.indent + width(&l.text) <= MAX_WIDTH;
            if p.lines.get(first).is_some_and(fits) {
                self.lines.extend(p.lines);
                return;
            }
        }
        head.write(" =");
        self.lines.extend(head.lines);
        if let Some(s) = &flat {
            if INDENT + width(s) <= MAX_WIDTH {
                self.open(INDENT, e.span.start);
                self.write(s);
                return;
            }
        }
        match &e.kind {
            ExprKind::If { .. } => self.if_split(e, INDENT),
            ExprKind::Binary { op, .. } if !matches!(op, BinOp::Cmp(_)) => {
                self.chain_split(e, INDENT)
            }
            _ => {
                self.open(INDENT, e.span.start);
                self.auto(e, 0);
            }
        }
    }

    /// `if C then T` / `else if C2 then T2` / `else E`, one per line.
    fn if_split(&mut self, e: &Expr, indent: usize) {
        self.open(indent, e.span.start);
        let mut cur = e;
        while let ExprKind::If {
            cond,
            then,
            otherwise,
        } = &cur.kind
        {
            // An `else (if …)` whose brackets the author wrote stays one
            // bracketed branch: the one-line layout kept them, so dropping
            // them here would lay the result out differently the next time.
            let kept = !self.scan.minimal && self.scan.parenthesized(cur.span);
            if !std::ptr::eq(cur, e) && kept {
                break;
            }
            self.write("if ");
            self.auto(cond, 1);
            self.write(" then ");
            self.auto(then, 1);
            let at = self
                .scan
                .find_word(then.span.end, otherwise.span.start, "else")
                .unwrap_or(otherwise.span.start);
            self.open(indent, at);
            self.write("else ");
            cur = otherwise;
        }
        self.auto(cur, 0);
    }

    /// `a + b - c` as one operand per line, the operator in front.
    fn chain_split(&mut self, e: &Expr, indent: usize) {
        let ExprKind::Binary { op: top, .. } = &e.kind else {
            return;
        };
        let p = bin_prec(*top);
        let mut rest = Vec::new();
        let mut first = e;
        while let ExprKind::Binary {
            op,
            op_span,
            lhs,
            rhs,
        } = &first.kind
        {
            if bin_prec(*op) != p {
                break;
            }
            rest.push((*op, *op_span, rhs.as_ref()));
            first = lhs;
        }
        rest.reverse();
        self.open(indent, e.span.start);
        self.write(&" ".repeat(top.symbol().len() + 1));
        self.auto(first, operand_min(first, p));
        for (op, op_span, rhs) in rest {
            let (_, r) = operand_mins(op, rhs);
            self.open(indent, op_span.start);
            self.write(op.symbol());
            self.write(" ");
            self.auto(rhs, r);
        }
    }
}

fn label(h: &mut Printer, label: &Option<Text>) {
    if let Some(l) = label {
        h.write(" ");
        h.write(&quote(&l.value));
    }
}

fn type_text(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Named(i) => i.name.clone(),
        TypeExpr::Grade { levels, .. } => {
            let levels: Vec<String> = levels.iter().map(level).collect();
            format!("grade({})", levels.join(", "))
        }
    }
}

/// Column widths for runs of `input`, of `context` and of `const`
/// declarations: (name width, label width).
fn run_widths(top: &[(usize, Top)]) -> Vec<(usize, usize)> {
    let kind = |t: &Top| match t {
        Top::Decl(Decl::Input(d)) => Some(u8::from(d.context)),
        Top::Decl(Decl::Const(_)) => Some(2),
        _ => None,
    };
    let mut out = Vec::with_capacity(top.len());
    for run in top.chunk_by(|a, b| kind(&a.1) == kind(&b.1)) {
        let (mut wn, mut wl) = (0, 0);
        for (_, t) in run {
            match t {
                Top::Decl(Decl::Input(d)) => {
                    wn = wn.max(width(&d.name.name));
                    let l = input_labels(d).map_or(0, |l| width(&l));
                    wl = wl.max(l);
                }
                Top::Decl(Decl::Const(d)) => wn = wn.max(width(&d.name.name)),
                _ => {}
            }
        }
        out.extend(std::iter::repeat_n((wn, wl), run.len()));
    }
    out
}

/// An input's label and aliases as written: `"平均响应时间" | "平均响应(秒)"`.
fn input_labels(d: &crate::syntax::ast::InputDecl) -> Option<String> {
    let label = quote(&d.label.as_ref()?.value);
    Some(
        std::iter::once(label)
            .chain(d.aliases.iter().map(|a| quote(&a.value)))
            .collect::<Vec<_>>()
            .join(" | "),
    )
}
