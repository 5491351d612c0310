//! Go to definition, find references and rename, all from the name index.
//! A rename is refused, with a message, when the text does not parse, when
//! the new name is not a name (asked of the parser), when it clashes with
//! another declaration or level, or when the renamed policy would not check
//! as well as before.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::analysis::Analysis;
use super::documents::Document;
use super::resolve::{Kind, Occurrence, Symbol};
use crate::diag::Lang;
use crate::syntax::parse;
use lsp_types::{Location, PrepareRenameResponse, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

/// Where the name at `offset` is declared.
pub fn definition(uri: &Uri, doc: &Document, a: &Analysis, offset: usize) -> Option<Location> {
    let o = a.index.at(offset)?;
    let sym = a.index.symbols.get(o.symbol)?;
    Some(Location::new(uri.clone(), doc.range(sym.def)))
}

/// Every place the name at `offset` is written.
pub fn references(
    uri: &Uri,
    doc: &Document,
    a: &Analysis,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(o) = a.index.at(offset) else {
        return Vec::new();
    };
    a.index
        .occurrences_of(o.symbol)
        .filter(|r| include_declaration || !r.def)
        .map(|r| Location::new(uri.clone(), doc.range(r.span)))
        .collect()
}

/// The symbol at `offset` when it can be renamed.
fn renamable(a: &Analysis, offset: usize, lang: Lang) -> Result<(&Occurrence, &Symbol), String> {
    if a.parsed.is_err() {
        return Err(lang
            .pick(
                "cannot rename while the policy has a syntax error: fix it first",
                "方案有语法错误，暂不能重命名：请先改正",
            )
            .into());
    }
    let o = a.index.at(offset).ok_or_else(|| {
        lang.pick(
            "nothing to rename here: put the cursor on a name or a grade level",
            "这里没有可重命名的名字：请把光标放在名字或等级档上",
        )
        .to_string()
    })?;
    let sym = a
        .index
        .symbols
        .get(o.symbol)
        .ok_or_else(|| "internal error: unknown symbol".to_string())?;
    Ok((o, sym))
}

/// The range and current name of what would be renamed at `offset`.
pub fn prepare_rename(
    doc: &Document,
    a: &Analysis,
    offset: usize,
    lang: Lang,
) -> Result<PrepareRenameResponse, String> {
    let (o, sym) = renamable(a, offset, lang)?;
    Ok(PrepareRenameResponse::RangeWithPlaceholder {
        range: doc.range(o.span),
        placeholder: sym.name.clone(),
    })
}

/// Whether the parser reads `name` as one name.
pub fn is_name(name: &str) -> bool {
    let probe = format!("policy \"p\"\nconst {name} = 0\n");
    matches!(parse(&probe), Ok(p) if matches!(p.decls.as_slice(), [d] if d.name().name == name))
}

/// The edits that rename the symbol at `offset` to `new_name`.
// `WorkspaceEdit::changes` is keyed by lsp-types' `Uri`, whose parsed form
// caches data in a `Cell`; it is never mutated while in the map.
#[allow(clippy::mutable_key_type)]
pub fn rename(
    uri: &Uri,
    doc: &Document,
    a: &Analysis,
    offset: usize,
    new_name: &str,
    lang: Lang,
) -> Result<WorkspaceEdit, String> {
    let (o, sym) = renamable(a, offset, lang)?;
    let new = new_name.trim();
    let mut edits = Vec::new();
    if new != sym.name {
        if !is_name(new) {
            return Err(match lang {
                Lang::En => format!(
                    "`{new}` is not a name: a name is letters (Chinese or ASCII), digits and `_`, starts with a letter or `_`, and is not a keyword"
                ),
                Lang::Zh => format!(
                    "`{new}` 不能用作名字：名字由汉字、字母、数字和 `_` 组成，以汉字、字母或 `_` 开头，且不能是关键字"
                ),
            });
        }
        if let Some(other) = clash(a, o.symbol, sym, new) {
            let line = doc.range(other.def).start.line + 1;
            let owner = other
                .owner
                .and_then(|o| a.index.symbols.get(o))
                .map(|o| o.name.as_str());
            return Err(match (lang, owner) {
                (Lang::En, None) => format!("`{new}` is already declared on line {line}"),
                (Lang::Zh, None) => format!("`{new}` 已在第 {line} 行声明"),
                (Lang::En, Some(o)) => {
                    format!("`{new}` is already a level of `{o}` (line {line})")
                }
                (Lang::Zh, Some(o)) => format!("`{new}` 已是 `{o}` 的等级档（第 {line} 行）"),
            });
        }
        for r in a.index.occurrences_of(o.symbol) {
            let range = doc.range(r.span);
            if sym.implicit && r.def {
                // `total = …` → `total NEW = …`
                let end = doc.range(r.span).end;
                edits.push(TextEdit::new(
                    lsp_types::Range::new(end, end),
                    format!(" {new}"),
                ));
            } else {
                edits.push(TextEdit::new(range, new.to_string()));
            }
        }
        verify(doc, a, &edits, lang)?;
    }
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), edits);
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

/// Another symbol the new name would be confused with: a declaration (a
/// bare level name would resolve to it) or a level of the same declaration.
fn clash<'a>(a: &'a Analysis, id: usize, sym: &Symbol, new: &str) -> Option<&'a Symbol> {
    a.index.symbols.iter().enumerate().find_map(|(j, s)| {
        let same_scope = match (sym.kind, s.kind) {
            (Kind::Level, Kind::Level) => s.owner == sym.owner,
            _ => true,
        };
        (j != id && s.name == new && same_scope).then_some(s)
    })
}

/// Refuses a rename after which the policy no longer parses, or checks with
/// more errors than before.
fn verify(doc: &Document, a: &Analysis, edits: &[TextEdit], lang: Lang) -> Result<(), String> {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                doc.offset(e.range.start),
                doc.offset(e.range.end),
                e.new_text.as_str(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut text = doc.text.clone();
    for (start, end, new) in spans {
        if start > end || end > text.len() {
            return Err("internal error: bad edit".into());
        }
        text.replace_range(start..end, new);
    }
    let policy = parse(&text).map_err(|e| {
        let r = e.report(lang);
        match lang {
            Lang::En => format!("after the rename the policy would not parse: {}", r.message),
            Lang::Zh => format!("重命名后方案无法解析：{}", r.message),
        }
    })?;
    let before = match &a.checked {
        Some(Err(f)) => f.errors.len(),
        _ => 0,
    };
    if let Err(f) = crate::check::check(&policy) {
        if f.errors.len() > before {
            let first = f
                .errors
                .first()
                .map(|e| e.report(lang).message)
                .unwrap_or_default();
            return Err(match lang {
                Lang::En => format!("after the rename the policy would not check: {first}"),
                Lang::Zh => format!("重命名后方案检查不通过：{first}"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_the_parser_accepts() {
        for ok in ["a", "询单人数", "_x1", "weight", "total"] {
            assert!(is_name(ok), "{ok}");
        }
        for bad in [
            "",
            "1a",
            "a b",
            "if",
            "match",
            "a-b",
            "a # c",
            "\"a\"",
            "a = 1 const b",
        ] {
            assert!(!is_name(bad), "{bad}");
        }
    }
}
