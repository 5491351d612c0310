//! Hover: what a name is (an input's type, unit, labels, range and
//! default; an item's weight and score range from the interval analysis; a
//! grade's bands), a function's signature and help, and what a number with
//! a unit means.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::analysis::Analysis;
use super::documents::Document;
use super::resolve::{Kind, Literal, Symbol};
use super::tokens::{lex, span_text, Lex};
use crate::check::analysis::{self, ranges::field_range, show::show_interval, Ranges};
use crate::diag::{ty_name, Lang};
use crate::ir::{Program, SlotKind};
use crate::syntax::ast::{BandCond, Decl, InputDecl, LitUnit, Policy, Span, TotalBody, TypeExpr};
use crate::types::{DurUnit, Ty};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use rust_decimal::Decimal;

/// The hover at a byte offset, if there is anything to say.
pub fn hover(doc: &Document, a: &Analysis, offset: usize, lang: Lang) -> Option<Hover> {
    let (text, span) = if let Some(o) = a.index.at(offset) {
        let sym = a.index.symbols.get(o.symbol)?;
        (symbol(doc, a, sym, lang)?, o.span)
    } else if let Some((name, span)) = function_at(&doc.text, offset) {
        let b = crate::builtins::lookup(&name)?;
        (
            format!("```kpi\n{}\n```\n{}", b.signature, b.help(lang)),
            span,
        )
    } else {
        let lit = a.index.literal_at(offset)?;
        (literal(lit, lang)?, lit.span)
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(doc.range(span)),
    })
}

/// The function name (`min`, `team.avg`) written at `offset`, followed by
/// `(`.
pub fn function_at(src: &str, offset: usize) -> Option<(String, Span)> {
    let toks = lex(src);
    let i = toks
        .iter()
        .position(|t| t.kind == Lex::Word && t.span.start <= offset && offset <= t.span.end)?;
    let text = |k: usize| toks.get(k).map(|t| span_text(src, t.span));
    let word = |k: usize| toks.get(k).is_some_and(|t| t.kind == Lex::Word);
    // `team.avg`: the cursor may be on either word.
    let (first, last) = if text(i + 1) == Some(".") && word(i + 2) {
        (i, i + 2)
    } else if i >= 2 && text(i - 1) == Some(".") && word(i - 2) {
        (i - 2, i)
    } else {
        (i, i)
    };
    if text(last + 1) != Some("(") {
        return None;
    }
    let span = Span::new(toks.get(first)?.span.start, toks.get(last)?.span.end);
    let name = src.get(span.start..span.end)?.to_string();
    crate::builtins::lookup(&name)?;
    Some((name, span))
}

/// The source text of a span, on one line.
fn source(doc: &Document, span: Span) -> String {
    let text = doc.text.get(span.start..span.end).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn code(s: &str) -> String {
    format!("`{s}`")
}

/// What a declaration or level is, in Markdown.
fn symbol(doc: &Document, a: &Analysis, sym: &Symbol, lang: Lang) -> Option<String> {
    let policy = a.policy.as_ref()?;
    if sym.kind == Kind::Level {
        return Some(level(doc, a, policy, sym, lang));
    }
    let decl = policy.decls.get(sym.decl?)?;
    let program = a.program();
    let mut lines = Vec::new();
    let what = match sym.kind {
        Kind::Input => lang.pick("input", "输入"),
        Kind::Context => lang.pick("context input", "背景输入"),
        Kind::Const => lang.pick("constant", "常量"),
        Kind::Let => lang.pick("value", "中间值"),
        Kind::Item => lang.pick("score item", "考核项"),
        Kind::Total => lang.pick("total", "总分"),
        Kind::Grade => lang.pick("grade", "等级"),
        Kind::Output => lang.pick("output", "输出"),
        Kind::Function => lang.pick("table / function", "表 / 函数"),
        Kind::Level => lang.pick("level", "等级档"),
    };
    lines.push(format!("**{what}** {}", code(&sym.name)));
    match decl {
        Decl::Input(d) => input(doc, d, program, lang, &mut lines),
        Decl::Const(d) => {
            lines.push(format!("= {}", code(&source(doc, d.expr.span))));
            if let Some(v) = program.and_then(|p| const_value(p, &sym.name)) {
                lines.push(format!("{}{}", lang.pick("value: ", "值："), code(&v)));
            }
        }
        Decl::Fn(d) => {
            let params: Vec<String> = d.params.iter().map(|p| source(doc, p.span)).collect();
            lines.push(code(&format!(
                "{}({}) : {}",
                d.name.name,
                params.join(", "),
                source(doc, d.ty.span())
            )));
            // its range, once, over its parameters' declared ranges
            computed(doc, decl, &sym.name, program, lang, &mut lines);
        }
        Decl::Let(_) | Decl::Item(_) | Decl::Total(_) | Decl::Output(_) | Decl::Grade(_) => {
            computed(doc, decl, &sym.name, program, lang, &mut lines);
        }
    }
    Some(lines.join("  \n"))
}

/// Type, unit, labels, range and default of an input.
fn input(
    doc: &Document,
    d: &InputDecl,
    program: Option<&Program>,
    lang: Lang,
    lines: &mut Vec<String>,
) {
    let declared = source(doc, d.ty.span());
    let ty = match &d.ty {
        TypeExpr::Named(n) => Ty::from_name(&n.name),
        TypeExpr::Grade { levels, .. } => {
            Some(Ty::Grade(levels.iter().map(|l| l.value.clone()).collect()))
        }
    };
    let type_line = match &ty {
        Some(t @ (Ty::Number(_) | Ty::Duration(_) | Ty::Money | Ty::Bool | Ty::Text)) => format!(
            "{}{} — {}",
            lang.pick("type: ", "类型："),
            code(&declared),
            ty_name(t, lang)
        ),
        _ => format!("{}{}", lang.pick("type: ", "类型："), code(&declared)),
    };
    lines.push(type_line);
    if let Some(u) = ty.as_ref().and_then(|t| unit(t, lang)) {
        lines.push(format!("{}{u}", lang.pick("unit: ", "单位：")));
    }
    let mut labels: Vec<String> = d.label.iter().map(|l| code(&l.value)).collect();
    labels.extend(d.aliases.iter().map(|l| code(&l.value)));
    if !labels.is_empty() {
        lines.push(format!(
            "{}{}",
            lang.pick("column headers: ", "表头："),
            labels.join(" | ")
        ));
    }
    let field = program.and_then(|p| {
        p.inputs
            .iter()
            .chain(p.context.iter())
            .find(|f| f.id == d.name.name)
    });
    match (&d.range, field) {
        (Some(r), _) => lines.push(format!(
            "{}{}",
            lang.pick("range: ", "取值范围："),
            code(&source(doc, r.span))
        )),
        (None, Some(f)) => {
            if let Some(iv) = field_range(f, true) {
                lines.push(format!(
                    "{}{} {}",
                    lang.pick("range: ", "取值范围："),
                    show_interval(&iv, &f.ty),
                    lang.pick(
                        "(none declared; the analysis assumes typical values)",
                        "（未声明；分析按常见取值假定）"
                    )
                ));
            }
        }
        (None, None) => {}
    }
    match &d.default {
        Some(e) => lines.push(format!(
            "{}{}",
            lang.pick("default (empty cell): ", "默认值（空单元格）："),
            code(&source(doc, e.span))
        )),
        None => lines.push(
            lang.pick(
                "no default: an empty cell is an error",
                "无默认值：空单元格会报错",
            )
            .to_string(),
        ),
    }
}

/// What a unit means for data cells and literals.
fn unit(ty: &Ty, lang: Lang) -> Option<String> {
    use crate::types::NumKind;
    Some(match ty {
        Ty::Number(NumKind::Percent) => lang
            .pick(
                "percent, cells written `99.5%`",
                "百分比，单元格写作 `99.5%`",
            )
            .into(),
        Ty::Number(NumKind::Count) => lang.pick("a whole number ≥ 0", "不小于 0 的整数").into(),
        Ty::Duration(u) => format!(
            "{} ({})",
            match (u, lang) {
                (DurUnit::Seconds, Lang::En) => "seconds",
                (DurUnit::Minutes, Lang::En) => "minutes",
                (DurUnit::Hours, Lang::En) => "hours",
                (DurUnit::Days, Lang::En) => "days",
                (DurUnit::Seconds, Lang::Zh) => "秒",
                (DurUnit::Minutes, Lang::Zh) => "分钟",
                (DurUnit::Hours, Lang::Zh) => "小时",
                (DurUnit::Days, Lang::Zh) => "天",
            },
            code(u.suffix())
        ),
        Ty::Money => lang
            .pick("yuan (`¥500`, `500元`)", "元（`¥500`、`500元`）")
            .into(),
        _ => return None,
    })
}

/// The exact value of a constant.
fn const_value(p: &Program, name: &str) -> Option<String> {
    let (i, slot) = p
        .slots
        .iter()
        .enumerate()
        .find(|(_, s)| s.name == name && s.kind == SlotKind::Const)?;
    let ranges = Ranges::new(p);
    match ranges.consts.get(i)? {
        Some(crate::ir::Value::Num(n)) => Some(analysis::show::show_value(*n, &slot.ty)),
        Some(other) => Some(format!("{other:?}")),
        None => None,
    }
}

/// Label, type, weight, grade bands and the reachable range of a computed
/// declaration.
fn computed(
    doc: &Document,
    decl: &Decl,
    name: &str,
    program: Option<&Program>,
    lang: Lang,
    lines: &mut Vec<String>,
) {
    let (label, weight) = match decl {
        Decl::Item(d) => (d.label.as_ref(), d.weight.as_ref()),
        Decl::Let(d) => (d.label.as_ref(), None),
        Decl::Total(d) => (d.label.as_ref(), None),
        Decl::Grade(d) => (d.label.as_ref(), None),
        Decl::Output(d) => (d.label.as_ref(), None),
        Decl::Fn(d) => (d.label.as_ref(), None),
        _ => (None, None),
    };
    if let Some(l) = label {
        lines.push(format!(
            "{}{}",
            lang.pick("label: ", "标签："),
            code(&l.value)
        ));
    }
    let slot = program.and_then(|p| {
        p.slots
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == name && s.kind != SlotKind::Hidden)
    });
    if let Some((_, s)) = slot {
        lines.push(format!(
            "{}{}",
            lang.pick("type: ", "类型："),
            ty_name(&s.ty, lang)
        ));
    }
    if let Some(w) = weight {
        lines.push(format!(
            "{}{}",
            lang.pick("weight: ", "权重："),
            code(&source(doc, w.span))
        ));
    }
    match decl {
        Decl::Total(d) => {
            let body = match &d.body {
                TotalBody::SumOfItems { span, .. } => *span,
                TotalBody::Expr(e) => e.span,
            };
            lines.push(format!("= {}", code(&source(doc, body))));
        }
        Decl::Grade(g) => {
            lines.push(format!(
                "{}{}",
                lang.pick("by ", "依据 "),
                code(&source(doc, g.subject.span))
            ));
            for arm in &g.arms {
                lines.push(format!(
                    "- {} → {}",
                    code(&source(doc, arm.cond.span())),
                    code(&arm.level.value)
                ));
            }
        }
        _ => {}
    }
    let Some(p) = program else {
        return;
    };
    let summary = analysis::summary(p);
    let reach = summary
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, r)| r.clone());
    let reach = reach.or_else(|| {
        let (i, s) = slot?;
        let iv = Ranges::new(p).slots.get(i).copied().flatten()?;
        Some(show_interval(&iv, &s.ty))
    });
    // A grade output the analysis says nothing about repeats its type.
    let ty_text = slot.map(|(_, s)| s.ty.to_string());
    if let Some(r) = reach.filter(|r| Some(r) != ty_text.as_ref()) {
        let what = match decl {
            Decl::Item(_) | Decl::Total(_) => lang.pick("score range: ", "得分范围："),
            _ => lang.pick("range: ", "取值范围："),
        };
        lines.push(format!("{what}{}", localise_range(&r, lang)));
    }
}

/// `one of A, B` from the analysis summary, in the reader's language.
fn localise_range(r: &str, lang: Lang) -> String {
    match (lang, r.strip_prefix("one of ")) {
        (Lang::Zh, Some(levels)) => format!("可能为 {}", levels.replace(", ", "、")),
        _ => r.to_string(),
    }
}

/// A level: which declaration lists it, and for a grade the bands that
/// give it.
fn level(doc: &Document, a: &Analysis, policy: &Policy, sym: &Symbol, lang: Lang) -> String {
    let mut lines = vec![format!(
        "**{}** {}",
        lang.pick("level", "等级档"),
        code(&sym.name)
    )];
    let Some(owner) = sym.owner.and_then(|o| a.index.symbols.get(o)) else {
        return lines.join("  \n");
    };
    let levels: Vec<String> = a
        .index
        .levels_of(sym.owner.unwrap_or(usize::MAX))
        .iter()
        .map(|l| l.name.clone())
        .collect();
    lines.push(format!(
        "{}{} — {}",
        lang.pick("of ", "属于 "),
        code(&owner.name),
        levels.join(lang.pick(", ", "、"))
    ));
    if let Some(Decl::Grade(g)) = owner.decl.and_then(|d| policy.decls.get(d)) {
        for arm in g.arms.iter().filter(|arm| arm.level.value == sym.name) {
            let cond = match &arm.cond {
                BandCond::Else(_) => lang.pick("otherwise", "其余情况").to_string(),
                c => format!("{} {}", source(doc, g.subject.span), source(doc, c.span())),
            };
            lines.push(format!("- {}", code(&cond)));
        }
    }
    lines.join("  \n")
}

/// What a number with a unit means: `45%` is 0.45, `5min` is 300 s.
fn literal(lit: &Literal, lang: Lang) -> Option<String> {
    let v = lit.value;
    let (what, exact) = match lit.unit {
        LitUnit::None => return None,
        LitUnit::Percent => (
            lang.pick("percent", "百分比"),
            format!(
                "{v}% = {}",
                v.checked_div(Decimal::ONE_HUNDRED)?.normalize()
            ),
        ),
        LitUnit::Permille => (
            lang.pick("per mille", "千分比"),
            format!(
                "{v}‰ = {}% = {}",
                v.checked_div(Decimal::TEN)?.normalize(),
                v.checked_div(Decimal::ONE_THOUSAND)?.normalize()
            ),
        ),
        LitUnit::Duration(u) => {
            let seconds = v.checked_mul(u.seconds())?.normalize();
            let name = |d: DurUnit| match (d, lang) {
                (DurUnit::Seconds, Lang::En) => "seconds",
                (DurUnit::Minutes, Lang::En) => "minutes",
                (DurUnit::Hours, Lang::En) => "hours",
                (DurUnit::Days, Lang::En) => "days",
                (DurUnit::Seconds, Lang::Zh) => "秒",
                (DurUnit::Minutes, Lang::Zh) => "分钟",
                (DurUnit::Hours, Lang::Zh) => "小时",
                (DurUnit::Days, Lang::Zh) => "天",
            };
            let mut text = format!("{v}{} = {v} {}", u.suffix(), name(u));
            if u != DurUnit::Seconds {
                text.push_str(&format!(" = {seconds} {}", name(DurUnit::Seconds)));
            }
            (lang.pick("duration", "时长"), text)
        }
        LitUnit::Yuan => (
            lang.pick("money", "金额"),
            format!("¥{}", v.round_dp(2).normalize()),
        ),
    };
    Some(format!("**{what}** {}", code(&exact)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_qualified_function_names() {
        let src = "let a = team.avg(x) + min(1, 2) + min";
        let at = src.find("avg").unwrap_or(0);
        assert_eq!(
            function_at(src, at).map(|f| f.0).as_deref(),
            Some("team.avg")
        );
        let at = src.find("team").unwrap_or(0);
        assert_eq!(
            function_at(src, at).map(|f| f.0).as_deref(),
            Some("team.avg")
        );
        assert!(function_at(src, src.len()).is_none());
    }

    #[test]
    fn explains_units_of_literals() {
        let lit = |value: i64, unit| Literal {
            span: Span::default(),
            value: Decimal::from(value),
            unit,
        };
        let t = literal(&lit(5, LitUnit::Duration(DurUnit::Minutes)), Lang::En);
        assert_eq!(
            t.as_deref(),
            Some("**duration** `5min = 5 minutes = 300 seconds`")
        );
        let t = literal(&lit(45, LitUnit::Percent), Lang::Zh);
        assert_eq!(t.as_deref(), Some("**百分比** `45% = 0.45`"));
        let t = literal(&lit(3, LitUnit::Permille), Lang::En);
        assert_eq!(t.as_deref(), Some("**per mille** `3‰ = 0.3% = 0.003`"));
    }
}
