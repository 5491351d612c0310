//! pest pairs → AST. Parsing never panics: every unexpected shape becomes a
//! [`SyntaxError`] (the grammar guarantees the shapes, so those are bugs,
//! but a bug must still not take payroll down).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::ast::*;
use super::error::{Nesting, SyntaxError};
use crate::types::{DurUnit, Period};
use pest::iterators::Pair;
use pest::Parser as _;
use rust_decimal::Decimal;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/kpi.pest"]
pub struct KpiParser;

/// Policies larger than this are refused before parsing.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;
/// Deepest bracket nesting accepted (checked on the text, before pest).
pub const MAX_DEPTH: usize = 64;
/// Deepest syntax tree accepted: an `if` in an `if`, a sign, an operator
/// of a chain (`a + b + c` is two levels) each add one; brackets add none.
/// Everything after the parser (checker, evaluator, formatter) recurses
/// along the tree, on threads of 2 MiB (tests/robustness.rs).
pub const MAX_TREE_DEPTH: usize = 256;

type PResult<T> = Result<T, SyntaxError>;

/// Parses a whole policy file.
pub fn parse_policy(src: &str) -> PResult<Policy> {
    if src.len() > MAX_SOURCE_BYTES {
        return Err(SyntaxError::TooLarge {
            size: src.len(),
            span: Span::new(0, 0),
        });
    }
    if let Some(span) = too_deep(src) {
        return Err(SyntaxError::TooDeep {
            span,
            max: MAX_DEPTH,
            what: Nesting::Brackets,
        });
    }
    // Bounds the work of pathological backtracking; ordinary policies use
    // a tiny fraction of it.
    pest::set_call_limit(std::num::NonZeroUsize::new(50_000_000));
    let mut pairs = KpiParser::parse(Rule::file, src).map_err(|e| detailed_error(src, e))?;
    let file = pairs.next().ok_or_else(|| internal(Span::new(0, 0)))?;
    let b = Builder { depth: 0 };
    b.file(file)
}

/// pest places an error at the furthest *rule* it tried, so a declaration
/// that fails on a literal (`let a "x" "y" = 1` fails at the second text,
/// where only `=` or `:` fit) is reported at its start, as "expected a
/// declaration, found `let`". Parsing again with pest's detailed tracking
/// finds the furthest position any token was tried at, and the tokens that
/// fit there. (Only on an error: the tracking costs time.)
fn detailed_error(src: &str, e: pest::error::Error<Rule>) -> SyntaxError {
    let base = SyntaxError::from_pest(e);
    pest::set_error_detail(true);
    let again = KpiParser::parse(Rule::file, src);
    pest::set_error_detail(false);
    match again.err().and_then(|e| e.parse_attempts()) {
        Some(attempts) => {
            let tokens: Vec<String> = attempts
                .expected_tokens()
                .into_iter()
                .map(|t| t.to_string())
                .collect();
            let rules: Vec<Rule> = attempts
                .call_stacks()
                .into_iter()
                .filter_map(|c| c.deepest.get_rule().copied())
                .collect();
            // Only the start of a token after a finished one counts:
            // attempts inside a lookahead (`!keyword` after `if`) or an
            // atomic token (`2026/10`) reach into white space or the
            // middle of a token, where pest's own position is better.
            let pos = attempts.max_position;
            let at = src.get(pos..).and_then(|r| r.chars().next());
            let before = src.get(..pos).and_then(|r| r.chars().next_back());
            let token_start = at.is_some_and(|c| !c.is_whitespace())
                && before
                    .is_some_and(|c| c.is_whitespace() || matches!(c, '"' | '”' | ')' | ']' | '}'));
            if !token_start {
                return base;
            }
            base.further(pos, &tokens, &rules)
        }
        None => base,
    }
}

/// Finds the first bracket nested deeper than [`MAX_DEPTH`], skipping
/// strings and comments, so that deep input is refused before recursion.
fn too_deep(src: &str) -> Option<Span> {
    let mut depth = 0usize;
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if matches!(chars.peek(), Some((_, '/'))) => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' | '（' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(Span::new(i, i + c.len_utf8()));
                }
            }
            ')' | ']' | '}' | '）' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The pair's span without trailing white space (pest may include the
/// white space a failed repetition skipped).
fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    let trimmed = p
        .as_str()
        .trim_end_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    Span::new(s.start(), s.start() + trimmed.len())
}

fn internal(span: Span) -> SyntaxError {
    SyntaxError::Internal { span }
}

/// Takes the next inner pair or reports an internal error at `span`.
fn next<'a>(it: &mut pest::iterators::Pairs<'a, Rule>, span: Span) -> PResult<Pair<'a, Rule>> {
    it.next().ok_or_else(|| internal(span))
}

struct Builder {
    depth: usize,
}

impl Builder {
    fn file(&self, file: Pair<Rule>) -> PResult<Policy> {
        let mut name = None;
        let mut version = None;
        let mut description = None;
        let mut decls = Vec::new();
        let mut tests = Vec::new();
        let mut keys = Vec::new();
        for p in file.into_inner() {
            match p.as_rule() {
                Rule::header => {
                    for h in p.into_inner() {
                        match h.as_rule() {
                            Rule::string => name = Some(text(h)?),
                            Rule::version => version = Some(self.tagged_string(h)?),
                            Rule::description => description = Some(self.tagged_string(h)?),
                            _ => {}
                        }
                    }
                }
                Rule::test_decl => tests.push(self.test_decl(p)?),
                Rule::key_decl => keys.push(key_decl(p)?),
                Rule::EOI => {}
                _ => decls.push(self.decl(p)?),
            }
        }
        let name = name.ok_or_else(|| internal(Span::new(0, 0)))?;
        Ok(Policy {
            name,
            version,
            description,
            decls,
            tests,
            keys,
        })
    }

    fn tagged_string(&self, p: Pair<Rule>) -> PResult<Text> {
        let span = span_of(&p);
        let s = p
            .into_inner()
            .find(|q| q.as_rule() == Rule::string)
            .ok_or_else(|| internal(span))?;
        text(s)
    }

    fn decl(&self, p: Pair<Rule>) -> PResult<Decl> {
        let span = span_of(&p);
        let rule = p.as_rule();
        let mut name = None;
        let mut label = None;
        let mut aliases = Vec::new();
        let mut ty = None;
        let mut range = None;
        let mut default = None;
        let mut weight = None;
        let mut expr = None;
        let mut total_body = None;
        let mut grade_arms = Vec::new();
        let mut kw_span = span;
        let mut params = Vec::new();
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::k_total | Rule::k_grade => kw_span = span_of(&q),
                Rule::param => params.push(self.param(q)?),
                Rule::ident => name = Some(ident(&q)),
                Rule::label => label = Some(text(next(&mut q.into_inner(), span)?)?),
                Rule::alias => aliases.push(text(next(&mut q.into_inner(), span)?)?),
                Rule::type_expr => ty = Some(self.type_expr(q)?),
                Rule::range => {
                    let rs = span_of(&q);
                    let mut it = q.into_inner().filter(|x| x.as_rule() == Rule::unary);
                    let lo = self.expr(next_f(&mut it, rs)?)?;
                    let hi = it.next().map(|h| self.expr(h)).transpose()?;
                    range = Some(RangeExpr { lo, hi, span: rs });
                }
                Rule::default => {
                    let ds = span_of(&q);
                    let u = q
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::unary)
                        .ok_or_else(|| internal(ds))?;
                    default = Some(self.expr(u)?);
                }
                Rule::weight => {
                    let ws = span_of(&q);
                    let u = q
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::unary)
                        .ok_or_else(|| internal(ws))?;
                    weight = Some(self.expr(u)?);
                }
                Rule::sum_items => {
                    let weighted = q
                        .clone()
                        .into_inner()
                        .any(|x| x.as_rule() == Rule::weighted);
                    total_body = Some(TotalBody::SumOfItems {
                        weighted,
                        span: span_of(&q),
                    });
                }
                Rule::expr => expr = Some(self.expr(q)?),
                Rule::grade_body => {
                    for arm in q.into_inner() {
                        let arm_span = span_of(&arm);
                        let mut it = arm.into_inner();
                        let cond = self.band_cond(next(&mut it, arm_span)?)?;
                        let level = level_ref(next(&mut it, arm_span)?)?;
                        grade_arms.push(GradeArm {
                            cond,
                            level,
                            span: arm_span,
                        });
                    }
                }
                _ => {}
            }
        }
        let need_expr = |e: Option<Expr>| e.ok_or_else(|| internal(span));
        Ok(match rule {
            Rule::input_decl | Rule::context_decl => Decl::Input(InputDecl {
                context: rule == Rule::context_decl,
                name: name.ok_or_else(|| internal(span))?,
                label,
                aliases,
                ty: ty.ok_or_else(|| internal(span))?,
                range,
                default,
                span,
            }),
            Rule::const_decl => Decl::Const(ConstDecl {
                name: name.ok_or_else(|| internal(span))?,
                expr: need_expr(expr)?,
            }),
            Rule::let_decl => Decl::Let(LetDecl {
                name: name.ok_or_else(|| internal(span))?,
                label,
                ty,
                expr: need_expr(expr)?,
            }),
            Rule::item_decl => Decl::Item(ItemDecl {
                name: name.ok_or_else(|| internal(span))?,
                label,
                ty,
                weight,
                expr: need_expr(expr)?,
            }),
            Rule::total_decl => Decl::Total(TotalDecl {
                name: name.unwrap_or_else(|| Ident {
                    name: "total".into(),
                    span: kw_span,
                }),
                label,
                body: match (total_body, expr) {
                    (Some(b), _) => b,
                    (None, Some(e)) => TotalBody::Expr(e),
                    (None, None) => return Err(internal(span)),
                },
            }),
            Rule::grade_decl => Decl::Grade(GradeDecl {
                name: name.unwrap_or_else(|| Ident {
                    name: "grade".into(),
                    span: kw_span,
                }),
                label,
                subject: need_expr(expr)?,
                arms: grade_arms,
                span,
            }),
            Rule::output_decl => Decl::Output(OutputDecl {
                name: name.ok_or_else(|| internal(span))?,
                label,
                ty: ty.ok_or_else(|| internal(span))?,
                expr: need_expr(expr)?,
            }),
            Rule::table_decl | Rule::fn_decl => Decl::Fn(FnDecl {
                table: rule == Rule::table_decl,
                name: name.ok_or_else(|| internal(span))?,
                label,
                params,
                ty: ty.ok_or_else(|| internal(span))?,
                body: need_expr(expr)?,
                span,
            }),
            _ => return Err(internal(span)),
        })
    }

    /// `place: number in 1..`.
    fn param(&self, p: Pair<Rule>) -> PResult<Param> {
        let span = span_of(&p);
        let mut name = None;
        let mut ty = None;
        let mut range = None;
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::ident => name = Some(ident(&q)),
                Rule::type_expr => ty = Some(self.type_expr(q)?),
                Rule::range => {
                    let rs = span_of(&q);
                    let mut it = q.into_inner().filter(|x| x.as_rule() == Rule::unary);
                    let lo = self.expr(next_f(&mut it, rs)?)?;
                    let hi = it.next().map(|h| self.expr(h)).transpose()?;
                    range = Some(RangeExpr { lo, hi, span: rs });
                }
                _ => {}
            }
        }
        Ok(Param {
            name: name.ok_or_else(|| internal(span))?,
            ty: ty.ok_or_else(|| internal(span))?,
            range,
            span,
        })
    }

    fn type_expr(&self, p: Pair<Rule>) -> PResult<TypeExpr> {
        let span = span_of(&p);
        let inner = next(&mut p.into_inner(), span)?;
        match inner.as_rule() {
            Rule::ident => Ok(TypeExpr::Named(ident(&inner))),
            Rule::grade_type => {
                let gspan = span_of(&inner);
                let levels = inner
                    .into_inner()
                    .filter(|x| x.as_rule() == Rule::level_ref)
                    .map(level_ref)
                    .collect::<PResult<Vec<_>>>()?;
                Ok(TypeExpr::Grade {
                    levels,
                    span: gspan,
                })
            }
            _ => Err(internal(span)),
        }
    }

    /// Fails when `extra` more levels below this one exceed the limit.
    fn check_depth(&self, extra: usize, span: Span) -> PResult<()> {
        if self.depth + extra > MAX_TREE_DEPTH {
            return Err(SyntaxError::TooDeep {
                span,
                max: MAX_TREE_DEPTH,
                what: Nesting::Expression,
            });
        }
        Ok(())
    }

    /// Fails when a chain of `ops` operators here exceeds the limit.
    fn check_chain(&self, ops: usize, span: Span) -> PResult<()> {
        if self.depth + ops > MAX_TREE_DEPTH {
            return Err(SyntaxError::TooDeep {
                span,
                max: MAX_TREE_DEPTH.saturating_sub(self.depth),
                what: Nesting::Chain { ops },
            });
        }
        Ok(())
    }

    fn nested(&self, span: Span) -> PResult<Builder> {
        if self.depth >= MAX_TREE_DEPTH {
            return Err(SyntaxError::TooDeep {
                span,
                max: MAX_TREE_DEPTH,
                what: Nesting::Expression,
            });
        }
        Ok(Builder {
            depth: self.depth + 1,
        })
    }

    fn boxed(&self, p: Pair<Rule>) -> PResult<Box<Expr>> {
        Ok(Box::new(self.expr(p)?))
    }

    /// Any expression-level pair (expr, or_expr, …, primary forms).
    ///
    /// `depth` counts levels of the syntax tree, not of the grammar: a
    /// bracket or an operator group with one operand adds none, so the
    /// limit is the same for `(((a)))` and `a`. A chain (`a + b + c`) and
    /// signs nest one level per operator.
    fn expr(&self, p: Pair<Rule>) -> PResult<Expr> {
        let span = span_of(&p);
        let rule = p.as_rule();
        let b = match rule {
            Rule::expr
            | Rule::paren
            | Rule::wide_paren
            | Rule::or_expr
            | Rule::and_expr
            | Rule::add_expr
            | Rule::mul_expr
            | Rule::cmp_expr
            | Rule::not_expr
            | Rule::unary => Builder { depth: self.depth },
            _ => self.nested(span)?,
        };
        match rule {
            Rule::expr | Rule::paren | Rule::wide_paren => b.expr(next(&mut p.into_inner(), span)?),
            Rule::number => number(p),
            Rule::string => Ok(Expr {
                kind: ExprKind::Str(text(p)?.value),
                span,
            }),
            Rule::kw_true => Ok(Expr {
                kind: ExprKind::Bool(true),
                span,
            }),
            Rule::kw_false => Ok(Expr {
                kind: ExprKind::Bool(false),
                span,
            }),
            Rule::ident => Ok(Expr {
                kind: ExprKind::Name(p.as_str().to_string()),
                span,
            }),
            Rule::call => b.call(p),
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr | Rule::cmp_expr => {
                b.chain(p, span)
            }
            Rule::not_expr => b.not_expr(p, span),
            Rule::unary => b.unary(p, span),
            _ => b.compound(p, span),
        }
    }

    /// An operator group: `a + b - c`, `x and y`, one comparison.
    /// (The arms of [`Builder::expr`] live in functions of their own: in a
    /// debug build one big match took 75 KB of stack per call, nine calls
    /// per bracket.)
    #[inline(never)]
    fn chain(&self, p: Pair<Rule>, span: Span) -> PResult<Expr> {
        let b = self;
        match p.as_rule() {
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr | Rule::cmp_expr => {
                // `a + b + c` is `(a + b) + c`: one level per operator, the
                // operands below them all.
                let ops = p.clone().into_inner().count() / 2;
                if let Some(op) = p.clone().into_inner().nth(1) {
                    b.check_chain(ops, span_of(&op))?;
                }
                let b = Builder {
                    depth: b.depth + ops,
                };
                let mut it = p.into_inner();
                let mut lhs = b.expr(next(&mut it, span)?)?;
                while let Some(op) = it.next() {
                    let op_span = span_of(&op);
                    let op = bin_op(&op).ok_or_else(|| internal(op_span))?;
                    let rhs = b.expr(next(&mut it, span)?)?;
                    let sp = lhs.span.to(rhs.span);
                    lhs = Expr {
                        kind: ExprKind::Binary {
                            op,
                            op_span,
                            lhs: Box::new(lhs),
                            rhs: Box::new(rhs),
                        },
                        span: sp,
                    };
                }
                Ok(lhs)
            }
            _ => Err(internal(span)),
        }
    }

    /// `not x`, or the comparison below it.
    #[inline(never)]
    fn not_expr(&self, p: Pair<Rule>, span: Span) -> PResult<Expr> {
        let b = self;
        match p.as_rule() {
            Rule::not_expr => {
                let mut it = p.into_inner();
                let first = next(&mut it, span)?;
                if first.as_rule() == Rule::kw_not {
                    let inner = b.nested(span)?.boxed(next(&mut it, span)?)?;
                    Ok(Expr {
                        kind: ExprKind::Not(inner),
                        span,
                    })
                } else {
                    b.expr(first)
                }
            }
            _ => Err(internal(span)),
        }
    }

    /// Signs before a primary: `-x`, `+x`.
    #[inline(never)]
    fn unary(&self, p: Pair<Rule>, span: Span) -> PResult<Expr> {
        let b = self;
        match p.as_rule() {
            Rule::unary => {
                let mut negs = Vec::new();
                let mut primary = None;
                for q in p.into_inner() {
                    if q.as_rule() == Rule::neg {
                        negs.push((q.as_str() == "-", span_of(&q)));
                    } else {
                        primary = Some(q);
                    }
                }
                b.check_depth(negs.len(), span)?;
                let below = Builder {
                    depth: b.depth + negs.len(),
                };
                let mut e = below.expr(primary.ok_or_else(|| internal(span))?)?;
                for (minus, s) in negs.into_iter().rev() {
                    if minus {
                        e = Expr {
                            span: s.to(e.span),
                            kind: ExprKind::Neg(Box::new(e)),
                        };
                    }
                }
                Ok(e)
            }
            _ => Err(internal(span)),
        }
    }

    /// `if`, `band`, `match`, `cases`, `steps`, `scale`, `distribute`.
    #[inline(never)]
    fn compound(&self, p: Pair<Rule>, span: Span) -> PResult<Expr> {
        let b = self;
        match p.as_rule() {
            Rule::if_expr => {
                let mut it = p.into_inner().filter(|x| x.as_rule() == Rule::expr);
                let cond = b.boxed(next_f(&mut it, span)?)?;
                let then = b.boxed(next_f(&mut it, span)?)?;
                let otherwise = b.boxed(next_f(&mut it, span)?)?;
                Ok(Expr {
                    kind: ExprKind::If {
                        cond,
                        then,
                        otherwise,
                    },
                    span,
                })
            }
            Rule::band_expr => {
                let mut it = p.into_inner().filter(|x| x.as_rule() != Rule::kw_band);
                let subject = b.boxed(next_f(&mut it, span)?)?;
                let body = next_f(&mut it, span)?;
                let mut arms = Vec::new();
                for arm in body.into_inner() {
                    let arm_span = span_of(&arm);
                    let mut ai = arm.into_inner();
                    let cond = b.band_cond(next(&mut ai, arm_span)?)?;
                    let value = b.expr(next(&mut ai, arm_span)?)?;
                    arms.push(BandArm {
                        cond,
                        value,
                        span: arm_span,
                    });
                }
                Ok(Expr {
                    kind: ExprKind::Band { subject, arms },
                    span,
                })
            }
            Rule::match_expr => {
                let mut it = p.into_inner().filter(|x| x.as_rule() != Rule::kw_match);
                let subject = b.boxed(next_f(&mut it, span)?)?;
                let mut arms = Vec::new();
                for arm in it {
                    let arm_span = span_of(&arm);
                    let mut patterns = Vec::new();
                    let mut is_else = false;
                    let mut value = None;
                    for q in arm.into_inner() {
                        match q.as_rule() {
                            Rule::kw_else => is_else = true,
                            Rule::pattern => {
                                let inner = next(&mut q.into_inner(), arm_span)?;
                                patterns.push(match inner.as_rule() {
                                    Rule::kw_true => Pattern::Bool(true, span_of(&inner)),
                                    Rule::kw_false => Pattern::Bool(false, span_of(&inner)),
                                    Rule::string => Pattern::Level(text(inner)?),
                                    _ => Pattern::Level(Text {
                                        value: inner.as_str().to_string(),
                                        span: span_of(&inner),
                                    }),
                                });
                            }
                            _ => value = Some(b.expr(q)?),
                        }
                    }
                    let value = value.ok_or_else(|| internal(arm_span))?;
                    arms.push(MatchArm {
                        patterns,
                        is_else,
                        value,
                        span: arm_span,
                    });
                }
                Ok(Expr {
                    kind: ExprKind::Match { subject, arms },
                    span,
                })
            }
            Rule::cases_expr => {
                let mut arms = Vec::new();
                for arm in p.into_inner().filter(|x| x.as_rule() == Rule::case_arm) {
                    let arm_span = span_of(&arm);
                    let mut it = arm.into_inner();
                    let first = next(&mut it, arm_span)?;
                    let cond = if first.as_rule() == Rule::kw_else {
                        None
                    } else {
                        Some(b.expr(first)?)
                    };
                    let value = b.expr(next(&mut it, arm_span)?)?;
                    arms.push(CaseArm {
                        cond,
                        value,
                        span: arm_span,
                    });
                }
                Ok(Expr {
                    kind: ExprKind::Cases { arms },
                    span,
                })
            }
            Rule::steps_expr => {
                let mut it = p.into_inner().filter(|x| x.as_rule() != Rule::kw_steps);
                let subject = b.boxed(next_f(&mut it, span)?)?;
                let arms = it.map(|a| b.step_arm(a)).collect::<PResult<Vec<_>>>()?;
                Ok(Expr {
                    kind: ExprKind::Steps { subject, arms },
                    span,
                })
            }
            Rule::scale_expr => {
                let mut it = p
                    .into_inner()
                    .filter(|x| matches!(x.as_rule(), Rule::expr | Rule::add_expr));
                let subject = b.boxed(next_f(&mut it, span)?)?;
                let a = b.boxed(next_f(&mut it, span)?)?;
                let bb = b.boxed(next_f(&mut it, span)?)?;
                let c = b.boxed(next_f(&mut it, span)?)?;
                let d = b.boxed(next_f(&mut it, span)?)?;
                Ok(Expr {
                    kind: ExprKind::Scale {
                        subject,
                        from: (a, bb),
                        to: (c, d),
                    },
                    span,
                })
            }
            Rule::distribute_expr => {
                let mut subject = None;
                let mut order = Order::Desc;
                let mut arms = Vec::new();
                for q in p.into_inner() {
                    match q.as_rule() {
                        Rule::expr => subject = Some(b.boxed(q)?),
                        Rule::order => order = order_of(&q),
                        Rule::dist_arm => {
                            let arm_span = span_of(&q);
                            let mut quota = None;
                            let mut level = None;
                            for r in q.into_inner() {
                                match r.as_rule() {
                                    Rule::add_expr => quota = Some(b.expr(r)?),
                                    Rule::level_ref => level = Some(level_ref(r)?),
                                    _ => {}
                                }
                            }
                            let level = level.ok_or_else(|| internal(arm_span))?;
                            arms.push(DistArm {
                                quota,
                                level,
                                span: arm_span,
                            });
                        }
                        _ => {}
                    }
                }
                let subject = subject.ok_or_else(|| internal(span))?;
                Ok(Expr {
                    kind: ExprKind::Distribute {
                        subject,
                        order,
                        arms,
                    },
                    span,
                })
            }
            _ => Err(internal(span)),
        }
    }

    fn call(&self, p: Pair<Rule>) -> PResult<Expr> {
        let span = span_of(&p);
        let mut it = p.into_inner();
        let func = next(&mut it, span)?;
        let func = Ident {
            name: func.as_str().to_string(),
            span: span_of(&func),
        };
        let mut args = Vec::new();
        for a in it {
            if a.as_rule() == Rule::order {
                args.push(Arg::Order(order_of(&a), span_of(&a)));
            } else {
                args.push(Arg::Expr(self.expr(a)?));
            }
        }
        Ok(Expr {
            kind: ExprKind::Call { func, args },
            span,
        })
    }

    fn step_arm(&self, p: Pair<Rule>) -> PResult<StepArm> {
        let span = span_of(&p);
        let mut exprs = Vec::new();
        let mut direction = Direction::Above;
        let mut rounding = StepRounding::Floor;
        let mut cap = None;
        let mut uncapped = false;
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::add_expr => exprs.push(self.expr(q)?),
                Rule::direction => {
                    let d = next(&mut q.into_inner(), span)?;
                    direction = if d.as_rule() == Rule::kw_below {
                        Direction::Below
                    } else {
                        Direction::Above
                    };
                }
                Rule::step_opt => {
                    for o in q.into_inner() {
                        match o.as_rule() {
                            Rule::kw_ceil => rounding = StepRounding::Ceil,
                            Rule::kw_floor => rounding = StepRounding::Floor,
                            Rule::kw_uncapped => uncapped = true,
                            Rule::add_expr => cap = Some(self.expr(o)?),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let mut it = exprs.into_iter();
        let step = it.next().ok_or_else(|| internal(span))?;
        let reference = it.next().ok_or_else(|| internal(span))?;
        let points = it.next().ok_or_else(|| internal(span))?;
        Ok(StepArm {
            step,
            direction,
            reference,
            points,
            rounding,
            cap,
            uncapped,
            span,
        })
    }

    fn band_cond(&self, p: Pair<Rule>) -> PResult<BandCond> {
        let span = span_of(&p);
        let inner = next(&mut p.into_inner(), span)?;
        let kind = inner.as_rule();
        if kind == Rule::kw_else {
            return Ok(BandCond::Else(span));
        }
        let parts: Vec<Pair<Rule>> = inner.into_inner().collect();
        let mut tests = Vec::new();
        match kind {
            Rule::interval => {
                // [ lo , hi ]
                let [open, lo, hi, close] =
                    <[Pair<Rule>; 4]>::try_from(parts).map_err(|_| internal(span))?;
                let lo_op = if open.as_str() == "[" {
                    CmpOp::Ge
                } else {
                    CmpOp::Gt
                };
                let hi_op = if close.as_str() == "]" {
                    CmpOp::Le
                } else {
                    CmpOp::Lt
                };
                tests.push(BoundTest {
                    op: lo_op,
                    bound: self.expr(lo)?,
                });
                tests.push(BoundTest {
                    op: hi_op,
                    bound: self.expr(hi)?,
                });
            }
            Rule::chain_cond => {
                // a OP1 x OP2 b  ==  x flip(OP1) a  and  x OP2 b
                let [a, op1, _x, op2, bnd] =
                    <[Pair<Rule>; 5]>::try_from(parts).map_err(|_| internal(span))?;
                tests.push(BoundTest {
                    op: cmp_op(&op1).ok_or_else(|| internal(span))?.flip(),
                    bound: self.expr(a)?,
                });
                tests.push(BoundTest {
                    op: cmp_op(&op2).ok_or_else(|| internal(span))?,
                    bound: self.expr(bnd)?,
                });
            }
            Rule::subject_cond => {
                let [_x, op, bnd] =
                    <[Pair<Rule>; 3]>::try_from(parts).map_err(|_| internal(span))?;
                tests.push(BoundTest {
                    op: cmp_op(&op).ok_or_else(|| internal(span))?,
                    bound: self.expr(bnd)?,
                });
            }
            Rule::rev_cond => {
                let [a, op, _x] = <[Pair<Rule>; 3]>::try_from(parts).map_err(|_| internal(span))?;
                tests.push(BoundTest {
                    op: cmp_op(&op).ok_or_else(|| internal(span))?.flip(),
                    bound: self.expr(a)?,
                });
            }
            Rule::cmp_cond => {
                let [op, bnd] = <[Pair<Rule>; 2]>::try_from(parts).map_err(|_| internal(span))?;
                tests.push(BoundTest {
                    op: cmp_op(&op).ok_or_else(|| internal(span))?,
                    bound: self.expr(bnd)?,
                });
            }
            _ => return Err(internal(span)),
        }
        Ok(BandCond::Tests { tests, span })
    }

    fn test_decl(&self, p: Pair<Rule>) -> PResult<TestDecl> {
        let span = span_of(&p);
        let mut name = None;
        let mut contexts = Vec::new();
        let mut rows = Vec::new();
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::string => name = Some(text(q)?),
                Rule::test_ctx => {
                    let cspan = span_of(&q);
                    let mut period = None;
                    let mut values = Vec::new();
                    for r in q.into_inner() {
                        match r.as_rule() {
                            Rule::period_lit => period = Some(period_of(&r)?),
                            Rule::assignments => values = self.assignments(r)?,
                            _ => {}
                        }
                    }
                    contexts.push(TestContext {
                        period,
                        values,
                        span: cspan,
                    });
                }
                Rule::test_single => {
                    let rspan = span_of(&q);
                    let mut blocks = q.into_inner().filter(|x| x.as_rule() == Rule::assignments);
                    let given = self.assignments(next_f(&mut blocks, rspan)?)?;
                    let expect = self.assignments(next_f(&mut blocks, rspan)?)?;
                    rows.push(TestRow {
                        employee: "test".into(),
                        period: DEFAULT_TEST_PERIOD,
                        team: None,
                        given,
                        expect,
                        span: rspan,
                    });
                }
                Rule::test_row => {
                    let rspan = span_of(&q);
                    let mut ids = Vec::new();
                    let mut period = None;
                    let mut blocks = Vec::new();
                    for r in q.into_inner() {
                        match r.as_rule() {
                            Rule::row_id => ids.push(row_id(r)?),
                            Rule::period_lit => period = Some(period_of(&r)?),
                            Rule::assignments => blocks.push(self.assignments(r)?),
                            _ => {}
                        }
                    }
                    let mut ids = ids.into_iter();
                    let employee = ids.next().ok_or_else(|| internal(rspan))?;
                    let team = ids.next();
                    let mut blocks = blocks.into_iter();
                    let given = blocks.next().unwrap_or_default();
                    let expect = blocks.next().unwrap_or_default();
                    rows.push(TestRow {
                        employee,
                        period: period.ok_or_else(|| internal(rspan))?,
                        team,
                        given,
                        expect,
                        span: rspan,
                    });
                }
                _ => {}
            }
        }
        Ok(TestDecl {
            name: name.ok_or_else(|| internal(span))?,
            contexts,
            rows,
            span,
        })
    }

    fn assignments(&self, p: Pair<Rule>) -> PResult<Vec<Assignment>> {
        let mut out = Vec::new();
        for a in p.into_inner() {
            let aspan = span_of(&a);
            let mut it = a.into_inner();
            let name = ident(&next(&mut it, aspan)?);
            let value = self.expr(next(&mut it, aspan)?)?;
            out.push(Assignment { name, value });
        }
        Ok(out)
    }
}

/// The period of a single-record `given … expect …` test.
pub const DEFAULT_TEST_PERIOD: Period = Period {
    year: 2000,
    month: 1,
};

fn next_f<'a>(
    it: &mut impl Iterator<Item = Pair<'a, Rule>>,
    span: Span,
) -> PResult<Pair<'a, Rule>> {
    it.next().ok_or_else(|| internal(span))
}

fn ident(p: &Pair<Rule>) -> Ident {
    Ident {
        name: p.as_str().to_string(),
        span: span_of(p),
    }
}

fn row_id(p: Pair<Rule>) -> PResult<String> {
    let span = span_of(&p);
    let inner = next(&mut p.into_inner(), span)?;
    Ok(if inner.as_rule() == Rule::string {
        text(inner)?.value
    } else {
        inner.as_str().to_string()
    })
}

fn period_of(p: &Pair<Rule>) -> PResult<Period> {
    Period::parse(p.as_str()).ok_or_else(|| SyntaxError::BadPeriod {
        text: p.as_str().to_string(),
        span: span_of(p),
    })
}

fn level_ref(p: Pair<Rule>) -> PResult<Text> {
    let span = span_of(&p);
    let inner = next(&mut p.into_inner(), span)?;
    if inner.as_rule() == Rule::string {
        text(inner)
    } else {
        Ok(Text {
            value: inner.as_str().to_string(),
            span: span_of(&inner),
        })
    }
}

fn order_of(p: &Pair<Rule>) -> Order {
    if p.as_str().starts_with("asc") {
        Order::Asc
    } else {
        Order::Desc
    }
}

/// A `string` pair: quotes removed, `\"` and `\\` unescaped.
fn text(p: Pair<Rule>) -> PResult<Text> {
    let span = span_of(&p);
    let raw = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
    let mut value = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some(other) => value.push(other),
                None => {}
            }
        } else {
            value.push(c);
        }
    }
    Ok(Text { value, span })
}

fn cmp_op(p: &Pair<Rule>) -> Option<CmpOp> {
    Some(match p.as_str() {
        ">=" | "≥" => CmpOp::Ge,
        "<=" | "≤" => CmpOp::Le,
        "==" => CmpOp::Eq,
        "!=" | "≠" => CmpOp::Ne,
        "<" | "＜" => CmpOp::Lt,
        ">" | "＞" => CmpOp::Gt,
        _ => return None,
    })
}

fn bin_op(p: &Pair<Rule>) -> Option<BinOp> {
    Some(match p.as_rule() {
        Rule::kw_and => BinOp::And,
        Rule::kw_or => BinOp::Or,
        Rule::cmp_op => BinOp::Cmp(cmp_op(p)?),
        _ => match p.as_str() {
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" | "×" => BinOp::Mul,
            "/" | "÷" => BinOp::Div,
            _ => return None,
        },
    })
}

/// A number literal: `¥500`, `45%`, `30s`, `４５％` (full-width digits are
/// read as the ASCII digits they stand for).
fn number(p: Pair<Rule>) -> PResult<Expr> {
    let span = span_of(&p);
    let mut digits = String::new();
    let mut unit = LitUnit::None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::yuan_sign => unit = LitUnit::Yuan,
            Rule::decimal => digits.push_str(q.as_str()),
            Rule::wide_number => digits.extend(q.as_str().chars().map(narrow_digit)),
            Rule::unit => {
                unit = match q.as_str() {
                    "%" | "％" => LitUnit::Percent,
                    "‰" => LitUnit::Permille,
                    "元" => LitUnit::Yuan,
                    other => match DurUnit::from_suffix(other) {
                        Some(d) => LitUnit::Duration(d),
                        None => return Err(internal(span)),
                    },
                }
            }
            _ => {}
        }
    }
    let value = Decimal::from_str_exact(&digits).map_err(|_| SyntaxError::BadNumber {
        text: digits.clone(),
        span,
    })?;
    Ok(Expr {
        kind: ExprKind::Number { value, unit },
        span,
    })
}

/// Maps a full-width digit or point to ASCII.
pub fn narrow_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        '．' => '.',
        other => other,
    }
}

/// `key employee "客服" | "客服昵称"`.
fn key_decl(p: Pair<Rule>) -> PResult<KeyDecl> {
    let span = span_of(&p);
    let mut column = None;
    let mut headers = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::key_column => column = Some(q.as_str().to_string()),
            Rule::label | Rule::alias => headers.push(text(next(&mut q.into_inner(), span)?)?),
            _ => {}
        }
    }
    Ok(KeyDecl {
        column: column.ok_or_else(|| internal(span))?,
        headers,
        span,
    })
}
