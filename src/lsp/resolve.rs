//! The one resolver of names for the editor: walks the AST once and lists
//! every symbol (inputs, context values, constants, lets, items, the total,
//! the grade, outputs, and grade levels) with its definition and every
//! occurrence, each with its byte span. Definition, references, rename,
//! hover, highlighting and the outline all read this index.
//!
//! Names are global in a policy (a declaration may be used before it). A
//! grade level belongs to the declaration whose type lists it (`input r :
//! grade(优秀, 良好)`, `output d : grade(A, B) = distribute …`) or to the
//! `grade … by` declaration whose arms name it; a level written elsewhere
//! (`match r { 优秀 -> … }`, `grade == "A"`, `else -> A`, test values) is
//! resolved through what it is compared with or matched against.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::syntax::ast::*;
use std::collections::HashMap;

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Input,
    Context,
    Const,
    Let,
    Item,
    Total,
    Grade,
    Output,
    /// A `table` or `fn` declaration.
    Function,
    Level,
}

/// A declared name.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub kind: Kind,
    /// The defining occurrence: the declared name, or a level as written
    /// (without its quotes).
    pub def: Span,
    /// The index of the declaration in `Policy::decls` (not for levels).
    pub decl: Option<usize>,
    /// A level's declaration: the symbol whose type or arms list it.
    pub owner: Option<usize>,
    /// `total = …` or `grade by …` without a name: `def` is the keyword, and
    /// a rename inserts a name after it.
    pub implicit: bool,
}

/// One place a symbol is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub span: Span,
    pub symbol: usize,
    pub def: bool,
}

/// A number literal with a unit, for hover.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub span: Span,
    pub value: rust_decimal::Decimal,
    pub unit: LitUnit,
}

/// Every symbol and occurrence of a policy.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub symbols: Vec<Symbol>,
    /// Sorted by position.
    pub occurrences: Vec<Occurrence>,
    /// Number literals written with a unit.
    pub literals: Vec<Literal>,
}

impl Index {
    /// Resolves the names of a policy parsed from `src`.
    pub fn build(policy: &Policy, src: &str) -> Index {
        let mut b = Builder {
            src,
            policy,
            index: Index::default(),
            names: HashMap::new(),
            levels: HashMap::new(),
        };
        b.declare();
        b.walk_all();
        let mut index = b.index;
        index
            .occurrences
            .sort_by_key(|o| (o.span.start, o.span.end));
        index.occurrences.dedup_by_key(|o| o.span);
        index
    }

    /// The occurrence at a byte offset (a cursor just after a name counts).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let inside = self
            .occurrences
            .iter()
            .find(|o| o.span.start <= offset && offset < o.span.end);
        inside.or_else(|| self.occurrences.iter().find(|o| o.span.end == offset))
    }

    /// Every occurrence of a symbol, the definition included.
    pub fn occurrences_of(&self, symbol: usize) -> impl Iterator<Item = &Occurrence> + '_ {
        self.occurrences.iter().filter(move |o| o.symbol == symbol)
    }

    /// The symbols declared by declarations (no levels), in source order.
    pub fn declared(&self) -> impl Iterator<Item = &Symbol> + '_ {
        self.symbols.iter().filter(|s| s.kind != Kind::Level)
    }

    /// The first declaration of a name.
    pub fn named(&self, name: &str) -> Option<usize> {
        self.symbols
            .iter()
            .position(|s| s.kind != Kind::Level && s.name == name)
    }

    /// The level symbols of a declaration, in order.
    pub fn levels_of(&self, owner: usize) -> Vec<&Symbol> {
        self.symbols
            .iter()
            .filter(|s| s.kind == Kind::Level && s.owner == Some(owner))
            .collect()
    }

    /// The literal at a byte offset.
    pub fn literal_at(&self, offset: usize) -> Option<&Literal> {
        self.literals
            .iter()
            .find(|l| l.span.start <= offset && offset <= l.span.end)
    }
}

fn has_levels(symbols: &[Symbol], s: usize) -> bool {
    symbols
        .iter()
        .any(|l| l.kind == Kind::Level && l.owner == Some(s))
}

fn owner_of(symbols: &[Symbol], policy: &Policy, expr: &Expr, depth: usize) -> Option<usize> {
    if depth > 16 {
        return None;
    }
    match &expr.kind {
        ExprKind::Name(n) => {
            let s = symbols
                .iter()
                .position(|s| s.kind != Kind::Level && &s.name == n)?;
            if has_levels(symbols, s) {
                return Some(s);
            }
            // An untyped `let x = other_grade` passes its levels on.
            let body = match policy.decls.get(symbols.get(s)?.decl?)? {
                Decl::Let(d) if d.ty.is_none() => &d.expr,
                Decl::Item(d) if d.ty.is_none() => &d.expr,
                _ => return None,
            };
            owner_of(symbols, policy, body, depth + 1)
        }
        ExprKind::Call { func, args } if func.name == "prev" => match args.first() {
            Some(Arg::Expr(e)) => owner_of(symbols, policy, e, depth + 1),
            _ => None,
        },
        ExprKind::If {
            then, otherwise, ..
        } => owner_of(symbols, policy, then, depth + 1)
            .or_else(|| owner_of(symbols, policy, otherwise, depth + 1)),
        _ => None,
    }
}

struct Builder<'a> {
    src: &'a str,
    policy: &'a Policy,
    index: Index,
    /// The first declaration of each name.
    names: HashMap<String, usize>,
    /// (owner, level) → level symbol.
    levels: HashMap<(usize, String), usize>,
}

impl Builder<'_> {
    fn symbol(&mut self, sym: Symbol) -> usize {
        let id = self.index.symbols.len();
        self.index.occurrences.push(Occurrence {
            span: sym.def,
            symbol: id,
            def: true,
        });
        self.index.symbols.push(sym);
        id
    }

    fn occurrence(&mut self, span: Span, symbol: usize) {
        self.index.occurrences.push(Occurrence {
            span,
            symbol,
            def: false,
        });
    }

    /// Declarations first (names may be used before they are declared),
    /// then the levels their types and grade arms declare.
    fn declare(&mut self) {
        let policy = self.policy;
        for (i, d) in policy.decls.iter().enumerate() {
            let name = d.name();
            let (kind, implicit) = match d {
                Decl::Input(x) => (
                    if x.context {
                        Kind::Context
                    } else {
                        Kind::Input
                    },
                    false,
                ),
                Decl::Const(_) => (Kind::Const, false),
                Decl::Let(_) => (Kind::Let, false),
                Decl::Item(_) => (Kind::Item, false),
                Decl::Total(_) => (Kind::Total, self.implicit_total(name.span)),
                Decl::Grade(g) => (Kind::Grade, g.name.span.start == g.span.start),
                Decl::Output(_) => (Kind::Output, false),
                Decl::Fn(_) => (Kind::Function, false),
            };
            let id = self.symbol(Symbol {
                name: name.name.clone(),
                kind,
                def: name.span,
                decl: Some(i),
                owner: None,
                implicit,
            });
            self.names.entry(name.name.clone()).or_insert(id);
        }
        for (i, d) in policy.decls.iter().enumerate() {
            let owner = i; // declarations are the first symbols, in order
            let ty = match d {
                Decl::Input(x) => Some(&x.ty),
                Decl::Let(x) => x.ty.as_ref(),
                Decl::Item(x) => x.ty.as_ref(),
                Decl::Output(x) => Some(&x.ty),
                _ => None,
            };
            if let Some(TypeExpr::Grade { levels, .. }) = ty {
                for l in levels {
                    self.level_def(owner, l);
                }
            }
            if let Decl::Grade(g) = d {
                for arm in &g.arms {
                    self.level_def(owner, &arm.level);
                }
            }
        }
    }

    /// Declares a level of `owner`, or records another mention of it.
    fn level_def(&mut self, owner: usize, text: &Text) {
        let span = inner(self.src, text.span);
        match self.levels.get(&(owner, text.value.clone())) {
            Some(&id) => self.occurrence(span, id),
            None => {
                let id = self.symbol(Symbol {
                    name: text.value.clone(),
                    kind: Kind::Level,
                    def: span,
                    decl: None,
                    owner: Some(owner),
                    implicit: false,
                });
                self.levels.insert((owner, text.value.clone()), id);
            }
        }
    }

    /// Whether `total` at `span` is the keyword itself (no name follows it):
    /// a named total has the keyword just before its name.
    fn implicit_total(&self, span: Span) -> bool {
        let before = self.src.get(..span.start).unwrap_or("").trim_end();
        let keyword_before = before.strip_suffix("total").is_some_and(|rest| {
            !rest
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        });
        !keyword_before && self.src.get(span.start..span.end) == Some("total")
    }

    /// The level `name` as meant where `hint`'s levels are expected.
    fn level(&self, name: &str, hint: Option<usize>, fallback: bool) -> Option<usize> {
        if let Some(h) = hint {
            if let Some(&id) = self.levels.get(&(h, name.to_string())) {
                return Some(id);
            }
        }
        if !fallback {
            return None;
        }
        self.index
            .symbols
            .iter()
            .position(|s| s.kind == Kind::Level && s.name == name)
    }

    fn level_ref(&mut self, text: &Text, hint: Option<usize>) {
        if let Some(id) = self.level(&text.value, hint, true) {
            self.occurrence(inner(self.src, text.span), id);
        }
    }

    fn owner(&self, e: &Expr) -> Option<usize> {
        owner_of(&self.index.symbols, self.policy, e, 0)
    }

    /// The declaration whose levels a value of `decl` is drawn from.
    fn own_levels(&self, decl: usize) -> Option<usize> {
        has_levels(&self.index.symbols, decl).then_some(decl)
    }

    fn walk_all(&mut self) {
        let policy = self.policy;
        for (i, d) in policy.decls.iter().enumerate() {
            let hint = self.own_levels(i);
            match d {
                Decl::Input(x) => {
                    if let Some(r) = &x.range {
                        self.expr(&r.lo, None);
                        if let Some(hi) = &r.hi {
                            self.expr(hi, None);
                        }
                    }
                    if let Some(e) = &x.default {
                        self.expr(e, hint);
                    }
                }
                Decl::Const(x) => self.expr(&x.expr, hint),
                Decl::Let(x) => self.expr(&x.expr, hint),
                Decl::Item(x) => {
                    if let Some(w) = &x.weight {
                        self.expr(w, None);
                    }
                    self.expr(&x.expr, hint);
                }
                Decl::Total(x) => {
                    if let TotalBody::Expr(e) = &x.body {
                        self.expr(e, None);
                    }
                }
                Decl::Grade(x) => {
                    self.expr(&x.subject, None);
                    for arm in &x.arms {
                        self.cond(&arm.cond);
                    }
                }
                Decl::Output(x) => self.expr(&x.expr, hint),
                Decl::Fn(x) => {
                    for p in &x.params {
                        if let Some(r) = &p.range {
                            self.expr(&r.lo, None);
                            if let Some(hi) = &r.hi {
                                self.expr(hi, None);
                            }
                        }
                    }
                    // Parameters hide declarations of the same name in the body.
                    let hidden: Vec<(String, usize)> = x
                        .params
                        .iter()
                        .filter_map(|p| {
                            self.names
                                .remove(&p.name.name)
                                .map(|id| (p.name.name.clone(), id))
                        })
                        .collect();
                    self.expr(&x.body, hint);
                    self.names.extend(hidden);
                }
            }
        }
        for t in &policy.tests {
            for c in &t.contexts {
                self.assignments(&c.values);
            }
            for r in &t.rows {
                self.assignments(&r.given);
                self.assignments(&r.expect);
            }
        }
    }

    /// `name = value` in a test: the name is a declaration, the value may
    /// be one of its levels.
    fn assignments(&mut self, list: &[Assignment]) {
        for a in list {
            let target = self.names.get(&a.name.name).copied();
            if let Some(id) = target {
                self.occurrence(a.name.span, id);
            }
            let hint = target.and_then(|t| self.own_levels(t));
            self.expr(&a.value, hint);
        }
    }

    fn cond(&mut self, c: &BandCond) {
        if let BandCond::Tests { tests, .. } = c {
            for t in tests {
                self.expr(&t.bound, None);
            }
        }
    }

    /// Walks an expression; `hint` is the declaration whose levels a bare
    /// level here would be one of.
    fn expr(&mut self, e: &Expr, hint: Option<usize>) {
        match &e.kind {
            ExprKind::Number { value, unit } => {
                if *unit != LitUnit::None {
                    self.index.literals.push(Literal {
                        span: e.span,
                        value: *value,
                        unit: *unit,
                    });
                }
            }
            ExprKind::Bool(_) => {}
            ExprKind::Str(s) => {
                if let Some(id) = self.level(s, hint, false) {
                    self.occurrence(inner(self.src, e.span), id);
                }
            }
            ExprKind::Name(n) => match self.names.get(n) {
                Some(&id) => self.occurrence(e.span, id),
                None => {
                    if let Some(id) = self.level(n, hint, true) {
                        self.occurrence(e.span, id);
                    }
                }
            },
            ExprKind::Neg(a) | ExprKind::Not(a) => self.expr(a, hint),
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let h = match op {
                    BinOp::Cmp(CmpOp::Eq | CmpOp::Ne) => {
                        self.owner(lhs).or_else(|| self.owner(rhs)).or(hint)
                    }
                    _ => None,
                };
                self.expr(lhs, h);
                self.expr(rhs, h);
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond, None);
                self.expr(then, hint);
                self.expr(otherwise, hint);
            }
            ExprKind::Call { func, args } => {
                let first = args.first().and_then(|a| match a {
                    Arg::Expr(x) => self.owner(x),
                    Arg::Order(..) => None,
                });
                let h = if func.name == "prev" {
                    first.or(hint)
                } else {
                    None
                };
                // A `table` or `fn` of this policy.
                if let Some(&id) = self.names.get(&func.name) {
                    self.occurrence(func.span, id);
                }
                for a in args {
                    if let Arg::Expr(x) = a {
                        self.expr(x, h);
                    }
                }
            }
            ExprKind::Band { subject, arms } => {
                self.expr(subject, None);
                for arm in arms {
                    self.cond(&arm.cond);
                    self.expr(&arm.value, hint);
                }
            }
            ExprKind::Match { subject, arms } => {
                self.expr(subject, None);
                let h = self.owner(subject);
                for arm in arms {
                    for p in &arm.patterns {
                        if let Pattern::Level(t) = p {
                            self.level_ref(t, h);
                        }
                    }
                    self.expr(&arm.value, hint);
                }
            }
            ExprKind::Cases { arms } => {
                for arm in arms {
                    if let Some(c) = &arm.cond {
                        self.expr(c, None);
                    }
                    self.expr(&arm.value, hint);
                }
            }
            ExprKind::Steps { subject, arms } => {
                self.expr(subject, None);
                for arm in arms {
                    self.expr(&arm.step, None);
                    self.expr(&arm.reference, None);
                    self.expr(&arm.points, None);
                    if let Some(c) = &arm.cap {
                        self.expr(c, None);
                    }
                }
            }
            ExprKind::Scale { subject, from, to } => {
                for x in [subject, &from.0, &from.1, &to.0, &to.1] {
                    self.expr(x, None);
                }
            }
            ExprKind::Distribute { subject, arms, .. } => {
                self.expr(subject, None);
                for arm in arms {
                    if let Some(q) = &arm.quota {
                        self.expr(q, None);
                    }
                    self.level_ref(&arm.level, hint);
                }
            }
        }
    }
}

/// A text's span without its quotes (`"…"` or `“…”`); a level written as a
/// bare word is its own span.
pub fn inner(src: &str, span: Span) -> Span {
    let Some(text) = src.get(span.start..span.end) else {
        return span;
    };
    for (open, close) in [("\"", "\""), ("“", "”")] {
        if text.len() >= open.len() + close.len() && text.starts_with(open) && text.ends_with(close)
        {
            return Span::new(span.start + open.len(), span.end - close.len());
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"policy "p"
input r "评级" : grade(优秀, 良好)
input n : count
let m = n * 2
item a weight 50% = match r { 优秀 -> 10, 良好 -> m }
total = sum of items
grade by total { >= 5 -> A, else -> B }
output pay : number = if grade == "A" then 1 else 0
test "t" { given { r = 良好, n = 1 } expect { grade = B, a = 2 } }
"#;

    fn index() -> (Policy, Index) {
        let p = crate::syntax::parse(SRC).unwrap_or_else(|e| panic!("{e:?}"));
        let ix = Index::build(&p, SRC);
        (p, ix)
    }

    fn texts(ix: &Index, name: &str) -> Vec<(String, bool)> {
        let s = ix
            .symbols
            .iter()
            .position(|s| s.name == name)
            .unwrap_or(usize::MAX);
        ix.occurrences_of(s)
            .map(|o| (SRC[o.span.start..o.span.end].to_string(), o.def))
            .collect()
    }

    #[test]
    fn resolves_declarations_and_their_uses() {
        let (_, ix) = index();
        assert_eq!(texts(&ix, "m").len(), 2);
        assert_eq!(
            texts(&ix, "n"),
            [("n".into(), true), ("n".into(), false), ("n".into(), false)]
        );
        let total = ix.named("total").unwrap_or(usize::MAX);
        assert!(ix.symbols[total].implicit);
        assert_eq!(ix.occurrences_of(total).count(), 2);
        let grade = ix.named("grade").unwrap_or(usize::MAX);
        assert!(ix.symbols[grade].implicit);
        assert_eq!(ix.occurrences_of(grade).count(), 3);
    }

    #[test]
    fn resolves_levels_through_what_they_are_matched_with() {
        let (_, ix) = index();
        assert_eq!(
            texts(&ix, "良好"),
            [
                ("良好".into(), true),
                ("良好".into(), false),
                ("良好".into(), false)
            ]
        );
        // `"A"` compared with the grade: the quotes are not part of it.
        assert_eq!(texts(&ix, "A"), [("A".into(), true), ("A".into(), false)]);
        assert_eq!(texts(&ix, "B").len(), 2);
    }

    #[test]
    fn finds_the_occurrence_under_the_cursor() {
        let (_, ix) = index();
        let at = SRC.find("m }").unwrap_or(0);
        let o = ix.at(at).map(|o| ix.symbols[o.symbol].name.clone());
        assert_eq!(o.as_deref(), Some("m"));
        assert_eq!(ix.at(at + 1).map(|o| o.symbol), ix.at(at).map(|o| o.symbol));
        assert!(ix.literal_at(SRC.find("50%").unwrap_or(0)).is_some());
    }
}
