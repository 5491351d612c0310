//! Document symbols: the outline of a policy — its declarations in order
//! (a grade with its levels, a grade-typed input with its levels), the key
//! columns and the embedded tests.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::analysis::Analysis;
use super::documents::Document;
use crate::syntax::ast::{Decl, Span, TotalBody};
use lsp_types::{DocumentSymbol, SymbolKind};

/// The outline of a document (empty when not even a part of it parses).
pub fn outline(doc: &Document, a: &Analysis) -> Vec<DocumentSymbol> {
    let Some(policy) = &a.policy else {
        return Vec::new();
    };
    let mut out: Vec<(usize, DocumentSymbol)> = Vec::new();
    for (i, d) in policy.decls.iter().enumerate() {
        let name = d.name();
        let span = decl_span(doc, d);
        let (kind, detail) = match d {
            Decl::Input(x) => (
                if x.context {
                    SymbolKind::PROPERTY
                } else {
                    SymbolKind::FIELD
                },
                Some(describe(
                    doc,
                    x.label.as_ref().map(|l| l.value.as_str()),
                    Some(x.ty.span()),
                )),
            ),
            Decl::Const(_) => (SymbolKind::CONSTANT, None),
            Decl::Let(x) => (
                SymbolKind::VARIABLE,
                x.ty.as_ref().map(|t| describe(doc, None, Some(t.span()))),
            ),
            Decl::Item(x) => (
                SymbolKind::METHOD,
                Some(describe(
                    doc,
                    x.label.as_ref().map(|l| l.value.as_str()),
                    x.weight.as_ref().map(|w| w.span),
                )),
            ),
            Decl::Total(x) => (
                SymbolKind::FUNCTION,
                x.label.as_ref().map(|l| l.value.clone()),
            ),
            Decl::Grade(x) => (SymbolKind::ENUM, x.label.as_ref().map(|l| l.value.clone())),
            Decl::Fn(x) => (
                SymbolKind::FUNCTION,
                Some(describe(
                    doc,
                    x.label.as_ref().map(|l| l.value.as_str()),
                    Some(x.ty.span()),
                )),
            ),
            Decl::Output(x) => (
                SymbolKind::EVENT,
                Some(describe(
                    doc,
                    x.label.as_ref().map(|l| l.value.as_str()),
                    Some(x.ty.span()),
                )),
            ),
        };
        let children: Vec<DocumentSymbol> = a
            .index
            .levels_of(i)
            .iter()
            .map(|l| {
                symbol(
                    doc,
                    l.name.clone(),
                    None,
                    SymbolKind::ENUM_MEMBER,
                    l.def,
                    l.def,
                    None,
                )
            })
            .collect();
        out.push((
            span.start,
            symbol(
                doc,
                name.name.clone(),
                detail.filter(|d| !d.is_empty()),
                kind,
                span,
                name.span,
                (!children.is_empty()).then_some(children),
            ),
        ));
    }
    for k in &policy.keys {
        let name = format!("key {}", k.column);
        out.push((
            k.span.start,
            symbol(doc, name, None, SymbolKind::KEY, k.span, k.span, None),
        ));
    }
    for t in &policy.tests {
        out.push((
            t.span.start,
            symbol(
                doc,
                t.name.value.clone(),
                Some("test".into()),
                SymbolKind::NAMESPACE,
                t.span,
                t.name.span,
                None,
            ),
        ));
    }
    out.sort_by_key(|(start, _)| *start);
    out.into_iter().map(|(_, s)| s).collect()
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be given
fn symbol(
    doc: &Document,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    selection: Span,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    let name = if name.is_empty() { "?".into() } else { name };
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: doc.range(span),
        selection_range: doc.range(selection),
        children,
    }
}

/// `询单人数 · count`: a label and the source text of a type or weight.
fn describe(doc: &Document, label: Option<&str>, span: Option<Span>) -> String {
    let text = span
        .and_then(|s| doc.text.get(s.start..s.end))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
    [label.map(str::to_string), text]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The span of a whole declaration, from its keyword to its end.
pub fn decl_span(doc: &Document, d: &Decl) -> Span {
    let name = d.name().span;
    let end = match d {
        Decl::Input(x) => return x.span,
        Decl::Grade(x) => return x.span,
        Decl::Fn(x) => return x.span,
        Decl::Const(x) => x.expr.span.end,
        Decl::Let(x) => x.expr.span.end,
        Decl::Item(x) => x.expr.span.end,
        Decl::Output(x) => x.expr.span.end,
        Decl::Total(x) => match &x.body {
            TotalBody::SumOfItems { span, .. } => span.end,
            TotalBody::Expr(e) => e.span.end,
        },
    };
    Span::new(keyword_before(&doc.text, name.start), end.max(name.end))
}

/// The start of the word before `at` (the declaration keyword before a
/// name), or `at` itself when the name is the keyword (`total = …`).
fn keyword_before(src: &str, at: usize) -> usize {
    let before = src.get(..at).unwrap_or("");
    let trimmed = before.trim_end();
    let word_len: usize = trimmed
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    let word = trimmed.get(trimmed.len() - word_len..).unwrap_or("");
    if super::grammar::words()
        .declarations
        .iter()
        .any(|k| k == word)
    {
        trimmed.len() - word_len
    } else {
        at
    }
}
