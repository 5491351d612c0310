//! Completion, decided by what is just before the cursor (the text is
//! usually half-typed, so it is looked at as tokens, not parsed):
//! - right after a number: units (`%`, `‰`, `s`, `min`, `h`, `d`, `元`, …);
//! - after `==`/`!=`: the levels of what is compared, quoted;
//! - where a `match` arm starts: the levels of the subject, and `else`;
//! - after `->` in a `grade … by` or `distribute` block: the levels;
//! - after `:` in a declaration: the type names;
//! - at the start of a line outside braces: the declaration keywords;
//! - elsewhere: the names in scope, the functions with their signatures,
//!   and the keywords; after `team.` the team functions.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::grammar;
use super::resolve::{Index, Kind};
use super::tokens::{lex, Lex, Tok};
use crate::diag::Lang;
use crate::types::{DurUnit, Ty};
use lsp_types::{
    CompletionItem, CompletionItemKind, Documentation, InsertTextFormat, MarkupContent, MarkupKind,
};

/// The completions at a byte offset. `index` names what is in scope: the
/// document's own, or the last one that parsed when this one does not.
pub fn complete(src: &str, index: &Index, offset: usize, lang: Lang) -> Vec<CompletionItem> {
    let toks = lex(src);
    let offset = offset.min(src.len());
    // The token the cursor is in or just after.
    let cur = toks
        .iter()
        .position(|t| t.span.start < offset && offset <= t.span.end);
    let cur_tok = cur.and_then(|i| toks.get(i)).copied();
    if let Some(t) = cur_tok {
        match t.kind {
            Lex::Comment => return Vec::new(),
            Lex::Str if offset < t.span.end || !closed(src, t) => {
                let before = cur
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| toks.get(i))
                    .map(|t| text(src, *t));
                return if matches!(before, Some("==" | "!=" | "≠")) {
                    compared_levels(src, &toks, cur.unwrap_or(0), index, false, lang)
                } else {
                    Vec::new()
                };
            }
            _ => {}
        }
    }
    // The word being typed is replaced; what matters is before it.
    let (word_start, prev) = match cur_tok {
        Some(t) if t.kind == Lex::Word => (t.span.start, cur.and_then(|i| i.checked_sub(1))),
        _ => (offset, toks.iter().rposition(|t| t.span.end <= offset)),
    };
    let prev_tok = prev.and_then(|i| toks.get(i)).copied();
    // `30` + unit, or `5m` + `in`.
    if let Some(p) = prev_tok {
        if p.kind == Lex::Number && p.span.end == word_start && is_bare_number(text(src, p)) {
            return units(lang);
        }
    }
    let prev_text = prev_tok.map(|t| text(src, t));
    if let (Some(i), Some("==" | "!=" | "≠")) = (prev, prev_text) {
        return compared_levels(src, &toks, i + 1, index, true, lang);
    }
    if let (Some(i), Some(".")) = (prev, prev_text) {
        let before = i.checked_sub(1).and_then(|k| toks.get(k));
        if before.is_some_and(|t| text(src, *t) == "team") {
            return functions(lang, true);
        }
    }
    let block = enclosing_block(src, &toks, prev.map_or(0, |i| i + 1));
    if let Some(b) = &block {
        match b.keyword.as_str() {
            "match" if at_arm_start(src, &toks, prev, word_start) => {
                let owner = b.subject.as_deref().and_then(|s| index.named(s));
                let mut items = levels(index, owner, false, lang);
                items.push(keyword("else", "2"));
                return items;
            }
            "by" | "distribute" if prev_text.is_some_and(is_arrow) => {
                let owner = declaration_at(index, word_start);
                return levels(index, owner, false, lang);
            }
            _ => {}
        }
    }
    // `word_start` is a token start or the (clamped) cursor; `get` keeps a
    // cursor that is not on a char boundary from panicking.
    let before_word = src.get(..word_start).unwrap_or("");
    let line_start = before_word.rfind('\n').map_or(0, |i| i + 1);
    let first_on_line = before_word
        .get(line_start..)
        .unwrap_or("")
        .trim()
        .is_empty();
    if block.is_none() && first_on_line {
        return grammar::words()
            .declarations
            .iter()
            .map(|k| keyword(k, "0"))
            .collect();
    }
    if block.is_none() && matches!(prev_text, Some(":" | "：")) {
        return types();
    }
    let mut items = names(index, lang);
    items.extend(functions(lang, false));
    let words = grammar::words();
    items.extend(
        words
            .expression
            .iter()
            .filter(|k| k.is_ascii() && crate::builtins::lookup(k).is_none())
            .map(|k| keyword(k, "2")),
    );
    items
}

fn text(src: &str, t: Tok) -> &str {
    src.get(t.span.start..t.span.end).unwrap_or("")
}

fn closed(src: &str, t: Tok) -> bool {
    let s = text(src, t);
    s.chars().count() >= 2 && (s.ends_with('"') || s.ends_with('”'))
}

fn is_arrow(s: &str) -> bool {
    matches!(s, "->" | "=>" | "→")
}

/// A number without a unit yet (`30`, `0.5`, not `¥500` or `45%`).
fn is_bare_number(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// The block the cursor is in: the word that opened it (`match`, `by` of
/// a grade, `distribute`, `band`, `steps`, `cases`, …) and, for `match`,
/// its subject when it is a single name.
struct Block {
    keyword: String,
    subject: Option<String>,
}

fn enclosing_block(src: &str, toks: &[Tok], end: usize) -> Option<Block> {
    let mut depth = 0usize;
    let before = toks.get(..end.min(toks.len())).unwrap_or_default();
    for (i, &tok) in before.iter().enumerate().rev() {
        match text(src, tok) {
            "}" => depth += 1,
            "{" if depth > 0 => depth -= 1,
            "{" => {
                // Back to the word that opened the block.
                let mut subject = Vec::new();
                for &tj in before.get(..i).unwrap_or_default().iter().rev() {
                    let w = text(src, tj);
                    if matches!(w, "{" | "}") {
                        break;
                    }
                    if tj.kind == Lex::Word
                        && matches!(
                            w,
                            "match"
                                | "band"
                                | "cases"
                                | "steps"
                                | "distribute"
                                | "by"
                                | "given"
                                | "expect"
                                | "context"
                                | "test"
                        )
                    {
                        let subject = match subject.as_slice() {
                            [one] => Some(text(src, *one).to_string()),
                            _ => None,
                        };
                        return Some(Block {
                            keyword: w.to_string(),
                            subject,
                        });
                    }
                    subject.insert(0, tj);
                }
                return Some(Block {
                    keyword: String::new(),
                    subject: None,
                });
            }
            _ => {}
        }
    }
    None
}

/// Whether the cursor is where a `match` arm's patterns go: after `{`,
/// `,` or `|`, or first on a line that has no `->` yet.
fn at_arm_start(src: &str, toks: &[Tok], prev: Option<usize>, word_start: usize) -> bool {
    let Some(&p) = prev.and_then(|p| toks.get(p)) else {
        return false;
    };
    if matches!(text(src, p), "{" | "," | "|") {
        return true;
    }
    let line_start = src
        .get(..word_start)
        .unwrap_or("")
        .rfind('\n')
        .map_or(0, |i| i + 1);
    p.span.end <= line_start
}

/// The declaration the cursor is in: the last one declared before it.
fn declaration_at(index: &Index, offset: usize) -> Option<usize> {
    index
        .symbols
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind != Kind::Level && s.def.start <= offset)
        .max_by_key(|(_, s)| s.def.start)
        .map(|(i, _)| i)
}

/// The levels of what is compared with `==` before token `op_end - 1`.
fn compared_levels(
    src: &str,
    toks: &[Tok],
    op_end: usize,
    index: &Index,
    quoted: bool,
    lang: Lang,
) -> Vec<CompletionItem> {
    let lhs = op_end
        .checked_sub(2)
        .and_then(|i| toks.get(i))
        .filter(|t| t.kind == Lex::Word)
        .map(|t| text(src, *t));
    let owner = lhs.and_then(|n| index.named(n));
    levels(index, owner, quoted, lang)
}

/// The levels of `owner`, or of every declaration when it is unknown.
fn levels(index: &Index, owner: Option<usize>, quoted: bool, lang: Lang) -> Vec<CompletionItem> {
    let owned = owner.filter(|o| !index.levels_of(*o).is_empty());
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (n, s) in index.symbols.iter().enumerate() {
        if s.kind != Kind::Level
            || owned.is_some_and(|o| s.owner != Some(o))
            || seen.contains(&s.name)
        {
            continue;
        }
        seen.push(s.name.clone());
        let of = s
            .owner
            .and_then(|o| index.symbols.get(o))
            .map(|o| o.name.clone())
            .unwrap_or_default();
        out.push(CompletionItem {
            label: s.name.clone(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(format!("{}{of}", lang.pick("level of ", "等级档，属于 "))),
            insert_text: quoted.then(|| format!("\"{}\"", s.name)),
            sort_text: Some(format!("0_{n:04}")),
            ..CompletionItem::default()
        });
    }
    out
}

/// The names declared in the policy.
fn names(index: &Index, lang: Lang) -> Vec<CompletionItem> {
    index
        .declared()
        .enumerate()
        .map(|(n, s)| {
            let (kind, what) = match s.kind {
                Kind::Input => (CompletionItemKind::FIELD, lang.pick("input", "输入")),
                Kind::Context => (
                    CompletionItemKind::FIELD,
                    lang.pick("context input", "背景输入"),
                ),
                Kind::Const => (CompletionItemKind::CONSTANT, lang.pick("constant", "常量")),
                Kind::Let => (CompletionItemKind::VARIABLE, lang.pick("value", "中间值")),
                Kind::Item => (
                    CompletionItemKind::PROPERTY,
                    lang.pick("score item", "考核项"),
                ),
                Kind::Total => (CompletionItemKind::PROPERTY, lang.pick("total", "总分")),
                Kind::Grade => (CompletionItemKind::ENUM, lang.pick("grade", "等级")),
                Kind::Output => (CompletionItemKind::PROPERTY, lang.pick("output", "输出")),
                Kind::Function => (
                    CompletionItemKind::FUNCTION,
                    lang.pick("table / function", "表 / 函数"),
                ),
                Kind::Level => (
                    CompletionItemKind::ENUM_MEMBER,
                    lang.pick("level", "等级档"),
                ),
            };
            CompletionItem {
                label: s.name.clone(),
                kind: Some(kind),
                detail: Some(what.to_string()),
                sort_text: Some(format!("0_{n:04}")),
                ..CompletionItem::default()
            }
        })
        .collect()
}

/// The built-in functions with their signatures and help (from the one
/// table, `builtins::BUILTINS`); after `team.` only the team ones, without
/// the prefix.
fn functions(lang: Lang, team_members: bool) -> Vec<CompletionItem> {
    crate::builtins::BUILTINS
        .iter()
        .flat_map(|b| {
            let labels: Vec<&str> = if team_members {
                b.names
                    .iter()
                    .filter_map(|n| n.strip_prefix("team."))
                    .collect()
            } else {
                vec![b.name()]
            };
            labels.into_iter().map(move |label| CompletionItem {
                label: label.to_string(),
                kind: Some(CompletionItemKind::FUNCTION),
                detail: Some(b.signature.to_string()),
                documentation: Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: b.help(lang).to_string(),
                })),
                insert_text: Some(format!("{label}($0)")),
                insert_text_format: Some(InsertTextFormat::SNIPPET),
                sort_text: Some(format!("1_{label}")),
                ..CompletionItem::default()
            })
        })
        .collect()
}

fn keyword(k: &str, group: &str) -> CompletionItem {
    CompletionItem {
        label: k.to_string(),
        kind: Some(CompletionItemKind::KEYWORD),
        sort_text: Some(format!("{group}_{k}")),
        ..CompletionItem::default()
    }
}

/// The type names of a declaration, and `grade(…)`.
fn types() -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = Ty::NAMES
        .iter()
        .map(|t| CompletionItem {
            label: t.to_string(),
            kind: Some(CompletionItemKind::TYPE_PARAMETER),
            sort_text: Some(format!("0_{t}")),
            ..CompletionItem::default()
        })
        .collect();
    out.push(CompletionItem {
        label: "grade(…)".into(),
        kind: Some(CompletionItemKind::TYPE_PARAMETER),
        insert_text: Some("grade($1)".into()),
        insert_text_format: Some(InsertTextFormat::SNIPPET),
        sort_text: Some("1_grade".into()),
        ..CompletionItem::default()
    });
    out
}

/// The units a number may carry, from the grammar (the full-width `％` an
/// IME types is left out): `%`, `‰`, the durations, `元`, then the Chinese
/// spellings of the durations.
fn units(lang: Lang) -> Vec<CompletionItem> {
    grammar::words()
        .units
        .iter()
        .filter(|u| u.as_str() != "％")
        .map(|u| {
            let duration = DurUnit::from_suffix(u);
            let (rank, detail) = match (u.as_str(), duration) {
                ("%", _) => (
                    0,
                    lang.pick("percent: 45% = 0.45", "百分比：45% = 0.45")
                        .to_string(),
                ),
                ("‰", _) => (
                    1,
                    lang.pick("per mille: 3‰ = 0.003", "千分比：3‰ = 0.003")
                        .to_string(),
                ),
                ("元", _) => (
                    10,
                    lang.pick("money: 500元 = ¥500", "金额：500元 = ¥500")
                        .to_string(),
                ),
                (_, Some(d)) => {
                    let chinese = !u.is_ascii();
                    let rank = if chinese { 20 } else { 2 } + d.seconds().to_string().len();
                    (rank, duration_detail(d, lang))
                }
                (_, None) => (30, String::new()),
            };
            CompletionItem {
                label: u.clone(),
                kind: Some(CompletionItemKind::UNIT),
                detail: Some(detail),
                sort_text: Some(format!("{rank:02}_{u}")),
                ..CompletionItem::default()
            }
        })
        .collect()
}

/// `minutes: 1min = 60s`.
fn duration_detail(d: DurUnit, lang: Lang) -> String {
    let name = match (d, lang) {
        (DurUnit::Seconds, Lang::En) => "seconds",
        (DurUnit::Minutes, Lang::En) => "minutes",
        (DurUnit::Hours, Lang::En) => "hours",
        (DurUnit::Days, Lang::En) => "days",
        (DurUnit::Seconds, Lang::Zh) => "秒",
        (DurUnit::Minutes, Lang::Zh) => "分钟",
        (DurUnit::Hours, Lang::Zh) => "小时",
        (DurUnit::Days, Lang::Zh) => "天",
    };
    format!(
        "{name}{}1{} = {}s",
        lang.pick(": ", "："),
        d.suffix(),
        d.seconds()
    )
}
