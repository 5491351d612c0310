//! What the server knows about one version of a document: the library's
//! parse and check, and the name index. Half-typed text is the common case:
//! when the text does not parse, the declarations around each syntax error
//! are blanked out (same byte offsets) and the rest is parsed again, so the
//! outline, highlighting, navigation and completion keep working on
//! everything else.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::grammar;
use super::resolve::Index;
use crate::check::{check, CheckFailure, Checked};
use crate::diag::Lang;
use crate::syntax::ast::{Policy, Span};
use crate::syntax::{parse, SyntaxError};

/// How many broken declarations are blanked before giving up.
const MAX_RECOVERIES: usize = 16;

/// One version of a document, analysed.
pub struct Analysis {
    /// The parse of the text as it is.
    pub parsed: Result<Policy, SyntaxError>,
    /// The policy to navigate: the parse, or the parse of the text with
    /// its broken declarations blanked out.
    pub policy: Option<Policy>,
    /// The check of the parse (only when the text parses).
    pub checked: Option<Result<Checked, CheckFailure>>,
    /// The names of `policy`.
    pub index: Index,
}

impl Analysis {
    pub fn new(text: &str) -> Analysis {
        let parsed = parse(text);
        let (policy, checked) = match &parsed {
            Ok(p) => (Some(p.clone()), Some(check(p))),
            Err(e) => (recover(text, e), None),
        };
        let index = policy
            .as_ref()
            .map(|p| Index::build(p, text))
            .unwrap_or_default();
        Analysis {
            parsed,
            policy,
            checked,
            index,
        }
    }

    /// The compiled program, when the policy checks without errors.
    pub fn program(&self) -> Option<&crate::ir::Program> {
        match &self.checked {
            Some(Ok(c)) => Some(&c.program),
            _ => None,
        }
    }
}

/// The primary span of a syntax error.
fn error_at(e: &SyntaxError) -> usize {
    e.report(Lang::En)
        .labels
        .first()
        .map(|(s, _)| s.start)
        .unwrap_or(0)
}

/// Parses `text` with the declarations around its syntax errors blanked.
/// For each error, the declaration it is in and the one before it (left
/// unfinished, the error only shows in the next one) are tried; the one
/// whose blanking lets the parser get further is blanked.
fn recover(text: &str, first: &SyntaxError) -> Option<Policy> {
    if matches!(
        first,
        SyntaxError::TooLarge { .. } | SyntaxError::TooDeep { .. }
    ) {
        return None;
    }
    let mut text = text.to_string();
    let mut at = error_at(first);
    for _ in 0..MAX_RECOVERIES {
        let starts = declaration_starts(&text);
        let i = starts.iter().rposition(|&s| s <= at)?;
        let mut best: Option<(usize, String, Result<Policy, SyntaxError>)> = None;
        for j in [Some(i), i.checked_sub(1)].into_iter().flatten() {
            let Some(&start) = starts.get(j) else {
                continue;
            };
            let end = starts.get(j + 1).copied().unwrap_or(text.len());
            let mut candidate = text.clone();
            blank(&mut candidate, Span::new(start, end));
            let result = parse(&candidate);
            let reach = match &result {
                Ok(_) => usize::MAX,
                Err(e) => error_at(e),
            };
            if best.as_ref().is_none_or(|(r, _, _)| reach > *r) {
                best = Some((reach, candidate, result));
            }
        }
        let (_, candidate, result) = best?;
        match result {
            Ok(p) => return Some(p),
            Err(e) => {
                text = candidate;
                at = error_at(&e);
            }
        }
    }
    None
}

/// Byte offsets where a declaration starts: a line whose first word is a
/// declaration keyword followed by a name, a quote, `=` or `by` (not
/// `context {` inside a test).
pub fn declaration_starts(text: &str) -> Vec<usize> {
    let words = &grammar::words().declarations;
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t', '\u{3000}', '\u{feff}']);
        let indent = line.len() - trimmed.len();
        let word: String = trimmed
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if words.contains(&word) {
            let next = trimmed
                .get(word.len()..)
                .unwrap_or("")
                .trim_start()
                .chars()
                .next();
            let starts =
                next.is_some_and(|c| c.is_alphabetic() || c == '_' || c == '"' || c == '=');
            if starts {
                out.push(line_start + indent);
            }
        }
        line_start += line.len();
    }
    out
}

/// Replaces every character of `span` but line breaks by spaces of the same
/// byte length, so that the offsets of the rest stay valid.
fn blank(text: &mut String, span: Span) {
    let Some(part) = text.get(span.start..span.end) else {
        return;
    };
    let blanked: String = part
        .chars()
        .map(|c| {
            if c == '\n' {
                "\n".to_string()
            } else {
                " ".repeat(c.len_utf8())
            }
        })
        .collect();
    text.replace_range(span.start..span.end, &blanked);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_declaration_leaves_the_others_navigable() {
        let src = "policy \"p\"\ninput 人数 : count\nitem a = 人数 +\nitem b = 人数 * 2\noutput o : number = b\n";
        let a = Analysis::new(src);
        assert!(a.parsed.is_err());
        let p = a.policy.as_ref().map(|p| p.decls.len());
        // `a` is lost; `人数`, `b` and `o` remain, at their own offsets.
        assert_eq!(p, Some(3));
        let b = a.index.named("b").map(|s| a.index.symbols[s].def);
        let at = src.find("item b").map(|i| i + 5);
        assert_eq!(b.map(|s| s.start), at);
    }

    #[test]
    fn an_unclosed_brace_at_the_end_is_recovered() {
        let src = "policy \"p\"\ninput x : number\nitem a = band x {\n  >= 1 -> 2,\n";
        let a = Analysis::new(src);
        assert_eq!(a.policy.map(|p| p.decls.len()), Some(1));
    }

    #[test]
    fn a_broken_header_is_not_recovered() {
        let a = Analysis::new("policy\ninput x : number\n");
        assert!(a.policy.is_none());
    }

    #[test]
    fn declaration_starts_skip_test_contexts() {
        let src = "policy \"p\"\ncontext c : percent\ntest \"t\" {\n  context { c = 1% }\n  given { } expect { }\n}\n";
        let starts = declaration_starts(src);
        assert_eq!(starts.len(), 2);
    }
}
