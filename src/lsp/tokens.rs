//! Semantic tokens, and the small lexer they (and completion) share.
//!
//! The lexer only splits text into comments, strings, numbers, words and
//! punctuation — it never decides what is valid; the parser does. Words are
//! classified by the name index first (an input named `weight` is an input,
//! not a keyword), then as function names, keywords from the grammar, and
//! type names.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::analysis::Analysis;
use super::documents::Document;
use super::grammar;
use super::resolve::Kind;
use crate::syntax::ast::Span;
use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};

/// What a piece of text is, as far as a lexer can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lex {
    Comment,
    Str,
    Number,
    Word,
    Punct,
}

/// A lexed piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub kind: Lex,
    pub span: Span,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn is_word_start(c: char) -> bool {
    pest::unicode::XID_START(c) || c == '_'
}

fn is_word_char(c: char) -> bool {
    pest::unicode::XID_CONTINUE(c)
}

/// Punctuation of two characters, tried before single characters.
const PAIRS: &[&str] = &["->", "=>", ">=", "<=", "==", "!=", "&&", "||", ".."];

/// Splits `src` into tokens (white space dropped). Never fails: anything
/// unknown is one character of punctuation.
/// The text of `span` in `src`; empty when the span is out of range or
/// not on char boundaries (the text may have changed under it).
pub fn span_text(src: &str, span: Span) -> &str {
    src.get(span.start..span.end).unwrap_or("")
}

pub fn lex(src: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(rest) = src.get(i..) {
        let Some(c) = rest.chars().next() else {
            break;
        };
        let (kind, len) = if is_space(c) {
            i += c.len_utf8();
            continue;
        } else if c == '#' || rest.starts_with("//") {
            (Lex::Comment, rest.find('\n').unwrap_or(rest.len()))
        } else if c == '"' {
            (Lex::Str, string_len(rest, '"', '"'))
        } else if c == '“' {
            (Lex::Str, string_len(rest, '“', '”'))
        } else if let Some(n) = number_len(rest) {
            (Lex::Number, n)
        } else if is_word_start(c) {
            let n = rest
                .char_indices()
                .find(|&(_, c)| !is_word_char(c))
                .map_or(rest.len(), |(j, _)| j);
            (Lex::Word, n)
        } else if let Some(p) = PAIRS.iter().find(|p| rest.starts_with(**p)) {
            (Lex::Punct, p.len())
        } else {
            (Lex::Punct, c.len_utf8())
        };
        out.push(Tok {
            kind,
            span: Span::new(i, i + len),
        });
        // Always a whole char forward, so `i` stays on a char boundary.
        i += len.max(c.len_utf8());
    }
    out
}

/// The length of a string starting at `rest` (to its closing quote, or the
/// end of the text when it is unclosed).
fn string_len(rest: &str, open: char, close: char) -> usize {
    let mut chars = rest.char_indices().skip(1);
    while let Some((j, c)) = chars.next() {
        if c == '\\' && open == '"' {
            chars.next();
        } else if c == close {
            return j + c.len_utf8();
        }
    }
    rest.len()
}

/// The length of a number literal at the start of `rest`: `¥500`, `0.5`,
/// `45%`, `30s`, `５０％` (units from the grammar).
fn number_len(rest: &str) -> Option<usize> {
    let digits = |s: &str, wide: bool| {
        s.char_indices()
            .find(|&(_, c)| {
                !(c.is_ascii_digit()
                    || c == '.'
                    || (wide && (('０'..='９').contains(&c) || c == '．')))
            })
            .map_or(s.len(), |(j, _)| j)
    };
    let first = rest.chars().next()?;
    let (start, wide) = match first {
        '¥' | '￥' => (first.len_utf8(), false),
        c if c.is_ascii_digit() => (0, false),
        c if ('０'..='９').contains(&c) => (0, true),
        _ => return None,
    };
    let mut n = start + digits(rest.get(start..).unwrap_or(""), wide);
    if n == start {
        return None;
    }
    // `..` of a range is not part of the number.
    if let Some(dots) = rest.get(..n).and_then(|s| s.find("..")) {
        n = dots;
    }
    n = n.min(rest.len());
    if start == 0 {
        let after = rest.get(n..).unwrap_or("");
        let unit = grammar::words()
            .units
            .iter()
            .filter(|u| after.starts_with(u.as_str()))
            .filter(|u| {
                !u.chars().all(|c| c.is_ascii_alphabetic())
                    || !after
                        .get(u.len()..)
                        .and_then(|s| s.chars().next())
                        .is_some_and(is_word_char)
            })
            .map(|u| u.len())
            .max();
        n += unit.unwrap_or(0);
    }
    Some(n)
}

/// The token kinds of the legend, in order.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::TYPE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::ENUM_MEMBER,
];

/// The token modifiers of the legend, in order (bit 0 first).
const MODIFIERS: &[SemanticTokenModifier] = &[
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::READONLY,
    SemanticTokenModifier::DEFAULT_LIBRARY,
];

const DECLARATION: u32 = 1;
const READONLY: u32 = 2;
const DEFAULT_LIBRARY: u32 = 4;

/// The legend announced in the server's capabilities.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

fn type_index(t: &SemanticTokenType) -> u32 {
    TYPES.iter().position(|x| x == t).unwrap_or(0) as u32
}

/// How each kind of symbol is shown.
fn symbol_type(kind: Kind) -> (SemanticTokenType, u32) {
    match kind {
        Kind::Input => (SemanticTokenType::PARAMETER, 0),
        Kind::Context => (SemanticTokenType::PARAMETER, READONLY),
        Kind::Const => (SemanticTokenType::VARIABLE, READONLY),
        Kind::Let => (SemanticTokenType::VARIABLE, 0),
        Kind::Item | Kind::Total | Kind::Grade | Kind::Output => (SemanticTokenType::PROPERTY, 0),
        Kind::Level => (SemanticTokenType::ENUM_MEMBER, 0),
        Kind::Function => (SemanticTokenType::FUNCTION, 0),
    }
}

/// Whether a word is a function's name, `team.` included: the length of
/// the whole name when it is.
fn function_at(src: &str, toks: &[Tok], i: usize) -> Option<usize> {
    let word = span_text(src, toks.get(i)?.span);
    let next = |k: usize| toks.get(k).map(|t| span_text(src, t.span));
    let (name, last) =
        if next(i + 1) == Some(".") && toks.get(i + 2).is_some_and(|t| t.kind == Lex::Word) {
            (format!("{word}.{}", next(i + 2).unwrap_or("")), i + 2)
        } else {
            (word.to_string(), i)
        };
    let called = next(last + 1) == Some("(");
    (called && crate::builtins::lookup(&name).is_some()).then_some(last)
}

/// The semantic tokens of a document.
pub fn semantic_tokens(doc: &Document, analysis: &Analysis) -> SemanticTokens {
    let src = doc.text.as_str();
    let toks = lex(src);
    let words = grammar::words();
    let mut spans: Vec<(Span, SemanticTokenType, u32)> = Vec::new();
    let mut i = 0;
    while let Some(&t) = toks.get(i) {
        let text = span_text(src, t.span);
        match t.kind {
            Lex::Comment => spans.push((t.span, SemanticTokenType::COMMENT, 0)),
            Lex::Number => spans.push((t.span, SemanticTokenType::NUMBER, 0)),
            Lex::Str => {
                let level = analysis
                    .index
                    .occurrences
                    .iter()
                    .find(|o| o.span.start > t.span.start && o.span.end < t.span.end);
                match level {
                    Some(o) => {
                        let m = if o.def { DECLARATION } else { 0 };
                        spans.push((t.span, SemanticTokenType::ENUM_MEMBER, m));
                    }
                    None => spans.push((t.span, SemanticTokenType::STRING, 0)),
                }
            }
            Lex::Word => {
                if let Some(o) = analysis.index.at(t.span.start).filter(|o| o.span == t.span) {
                    if let Some(sym) = analysis.index.symbols.get(o.symbol) {
                        let (ty, m) = symbol_type(sym.kind);
                        let m = m | if o.def { DECLARATION } else { 0 };
                        spans.push((t.span, ty, m));
                    }
                } else if let Some(last) = function_at(src, &toks, i) {
                    let end = toks.get(last).map_or(t.span.end, |l| l.span.end);
                    let span = Span::new(t.span.start, end);
                    spans.push((span, SemanticTokenType::FUNCTION, DEFAULT_LIBRARY));
                    i = last;
                } else if words.keywords.iter().any(|k| k == text) {
                    spans.push((t.span, SemanticTokenType::KEYWORD, 0));
                } else if is_type_name(src, &toks, i) {
                    spans.push((t.span, SemanticTokenType::TYPE, 0));
                }
            }
            Lex::Punct => {
                if matches!(
                    text,
                    "->" | "=>" | "→" | ">=" | "<=" | "==" | "!=" | "<" | ">" | "≥" | "≤" | "≠"
                ) {
                    spans.push((t.span, SemanticTokenType::OPERATOR, 0));
                }
            }
        }
        i += 1;
    }
    SemanticTokens {
        result_id: None,
        data: encode(doc, &spans),
    }
}

/// A type name after `:` (`count`, `percent`, …).
fn is_type_name(src: &str, toks: &[Tok], i: usize) -> bool {
    let Some(tok) = toks.get(i) else {
        return false;
    };
    let text = span_text(src, tok.span);
    let after_colon = i
        .checked_sub(1)
        .and_then(|k| toks.get(k))
        .is_some_and(|t| matches!(span_text(src, t.span), ":" | "："));
    after_colon && crate::types::Ty::from_name(text).is_some()
}

/// Relative encoding of the LSP: each token's line and start relative to
/// the previous one, lengths in UTF-16 units; a token over several lines is
/// cut into one per line.
fn encode(doc: &Document, spans: &[(Span, SemanticTokenType, u32)]) -> Vec<SemanticToken> {
    let mut out = Vec::new();
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for (span, ty, modifiers) in spans {
        let text = span_text(&doc.text, *span);
        let mut offset = span.start;
        for piece in text.split_inclusive('\n') {
            let content = piece.trim_end_matches(['\n', '\r']);
            let len: usize = content.chars().map(char::len_utf16).sum();
            if len > 0 {
                let pos = doc.lines.position(&doc.text, offset);
                let delta_line = pos.line - prev_line;
                let delta_start = if delta_line == 0 {
                    pos.character - prev_start
                } else {
                    pos.character
                };
                out.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: u32::try_from(len).unwrap_or(u32::MAX),
                    token_type: type_index(ty),
                    token_modifiers_bitset: *modifiers,
                });
                prev_line = pos.line;
                prev_start = pos.character;
            }
            offset += piece.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Lex, &str)> {
        lex(src)
            .into_iter()
            .map(|t| (t.kind, &src[t.span.start..t.span.end]))
            .collect()
    }

    #[test]
    fn lexes_units_strings_and_comments() {
        assert_eq!(
            kinds("x >= 45% # 注释\n“优秀” 5min ¥500 500元 3‰ 1.5h 0..3600 2d"),
            [
                (Lex::Word, "x"),
                (Lex::Punct, ">="),
                (Lex::Number, "45%"),
                (Lex::Comment, "# 注释"),
                (Lex::Str, "“优秀”"),
                (Lex::Number, "5min"),
                (Lex::Number, "¥500"),
                (Lex::Number, "500元"),
                (Lex::Number, "3‰"),
                (Lex::Number, "1.5h"),
                (Lex::Number, "0"),
                (Lex::Punct, ".."),
                (Lex::Number, "3600"),
                (Lex::Number, "2d"),
            ]
        );
    }

    #[test]
    fn a_unit_letter_inside_a_word_is_not_a_unit() {
        assert_eq!(
            kinds("3days \"a\\\"b"),
            [
                (Lex::Number, "3"),
                (Lex::Word, "days"),
                (Lex::Str, "\"a\\\"b")
            ]
        );
    }
}
