//! Facts about the language read from `grammar/kpi.pest` itself (compiled
//! into the binary), so that the editor's keywords and units can never
//! drift from what the parser accepts: the words of the keyword rules, the
//! words that start a declaration, and the unit suffixes of numbers.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The grammar, as the parser is generated from it.
const GRAMMAR: &str = include_str!("../../grammar/kpi.pest");

/// What the editor needs from the grammar.
#[derive(Debug)]
pub struct Words {
    /// Every reserved or contextual word (`input`, `match`, `weighted`,
    /// `employee`, `且`, …), sorted.
    pub keywords: Vec<String>,
    /// The words of expressions (the `keyword` rule and the `kw_*` rules:
    /// `if`, `match`, `above`, `desc`, `cap`, …), sorted.
    pub expression: Vec<String>,
    /// The words a declaration starts with (`input`, `item`, `test`, …).
    pub declarations: Vec<String>,
    /// The unit suffixes of number literals (`%`, `‰`, `s`, `min`, `元`, …).
    pub units: Vec<String>,
}

/// The words of the grammar, read once.
pub fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| read(GRAMMAR))
}

/// Reads [`Words`] from a pest grammar.
fn read(grammar: &str) -> Words {
    let rules = rules(grammar);
    let is_word = |s: &&String| !s.is_empty() && s.chars().all(char::is_alphanumeric);
    let words_of = |name: &str| -> Vec<String> {
        rules
            .get(name)
            .map(|r| r.literals.iter().filter(is_word).cloned().collect())
            .unwrap_or_default()
    };
    let mut keywords: Vec<String> = rules
        .iter()
        .filter(|(name, _)| {
            name.starts_with("k_")
                || name.starts_with("kw_")
                || matches!(name.as_str(), "keyword" | "key_column" | "weighted")
        })
        .flat_map(|(_, r)| r.literals.iter().filter(is_word).cloned())
        .collect();
    keywords.sort();
    keywords.dedup();
    let mut declarations: Vec<String> = rules
        .iter()
        .filter(|(name, _)| name.ends_with("_decl"))
        .filter_map(|(_, r)| r.first_rule.as_deref())
        .filter(|first| first.starts_with("k_"))
        .flat_map(words_of)
        .collect();
    declarations.sort();
    declarations.dedup();
    let mut units = rules
        .get("unit")
        .map(|r| r.literals.clone())
        .unwrap_or_default();
    units.dedup();
    let mut expression: Vec<String> = rules
        .iter()
        .filter(|(name, _)| name.starts_with("kw_") || name.as_str() == "keyword")
        .flat_map(|(_, r)| r.literals.iter().filter(is_word).cloned())
        .collect();
    expression.sort();
    expression.dedup();
    Words {
        keywords,
        expression,
        declarations,
        units,
    }
}

/// One rule of the grammar: its string literals and the first rule its
/// body names.
#[derive(Debug, Default)]
struct RuleText {
    literals: Vec<String>,
    first_rule: Option<String>,
}

/// The rules of a pest grammar by name. Understands just enough of pest:
/// `name = modifier? { body }` with bodies that may span lines, `"…"`
/// literals with `\` escapes, and `//` comments.
fn rules(grammar: &str) -> BTreeMap<String, RuleText> {
    let mut out = BTreeMap::new();
    let mut chars = grammar.chars().peekable();
    let mut current: Option<(String, RuleText)> = None;
    let mut depth = 0usize;
    let mut line_start = true;
    let mut pending_name = String::new();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                line_start = true;
                continue;
            }
            '"' => {
                let mut lit = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(e) = chars.next() {
                                lit.push('\\');
                                lit.push(e);
                            }
                        }
                        '"' => break,
                        c => lit.push(c),
                    }
                }
                if let Some((_, r)) = current.as_mut() {
                    r.literals.push(lit);
                }
            }
            '{' => {
                depth += 1;
                if depth == 1 && !pending_name.is_empty() {
                    current = Some((std::mem::take(&mut pending_name), RuleText::default()));
                }
            }
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some((name, r)) = current.take() {
                        out.insert(name, r);
                    }
                }
            }
            c if depth == 0 && (c.is_alphanumeric() || c == '_') && line_start => {
                let mut name = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                pending_name = name;
            }
            c if depth >= 1 && (c.is_alphanumeric() || c == '_') => {
                let mut name = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if let Some((_, r)) = current.as_mut() {
                    if r.first_rule.is_none() && r.literals.is_empty() {
                        r.first_rule = Some(name);
                    }
                }
            }
            _ => {}
        }
        line_start = c == '\n' || (line_start && c.is_whitespace());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_keywords_of_every_kind() {
        let w = words();
        for k in [
            "input", "context", "match", "band", "weighted", "employee", "team", "uncapped", "且",
            "或", "asc", "default",
        ] {
            assert!(w.keywords.iter().any(|x| x == k), "{k} missing");
        }
        assert!(!w.keywords.iter().any(|x| x == "&&"));
        assert!(w.expression.iter().any(|x| x == "distribute"));
        assert!(w.expression.iter().any(|x| x == "desc"));
        assert!(!w.expression.iter().any(|x| x == "input" || x == "weight"));
    }

    #[test]
    fn reads_the_declaration_keywords() {
        let w = words();
        assert_eq!(
            w.declarations,
            [
                "const", "context", "fn", "grade", "input", "item", "key", "let", "output",
                "table", "test", "total"
            ]
        );
    }

    #[test]
    fn reads_the_units() {
        let w = words();
        for u in ["%", "‰", "元", "min", "h", "d", "s", "分钟"] {
            assert!(w.units.iter().any(|x| x == u), "{u} missing");
        }
    }
}
