//! Syntax errors: pest's errors turned into diagnostics in the user's terms.

use super::ast::Span;
use super::parser::Rule;
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum SyntaxError {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(kpi::syntax_error))]
    Unexpected {
        expected: String,
        found: String,
        #[label("{label}")]
        span: Span,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("the policy is too large ({size} bytes)")]
    #[diagnostic(
        code(kpi::too_large),
        help("policies are limited to 1 MiB; split the file")
    )]
    TooLarge {
        size: usize,
        #[label("this file")]
        span: Span,
    },

    #[error("nesting is too deep")]
    #[diagnostic(code(kpi::too_deep), help("at most {max} levels of brackets are allowed; use `let` to name parts of the expression"))]
    TooDeep {
        #[label("nested too deeply here")]
        span: Span,
        max: usize,
    },

    #[error("`{text}` is not a valid number")]
    #[diagnostic(
        code(kpi::bad_number),
        help("numbers have at most 28 significant digits")
    )]
    BadNumber {
        text: String,
        #[label("this number")]
        span: Span,
    },

    #[error("`{text}` is not a valid period")]
    #[diagnostic(
        code(kpi::bad_period),
        help("write periods as YYYY-MM, e.g. `2026-10`")
    )]
    BadPeriod {
        text: String,
        #[label("expected YYYY-MM")]
        span: Span,
    },

    #[error("internal parser error")]
    #[diagnostic(
        code(kpi::internal),
        help("this is a bug in kpi; please report it with the policy file")
    )]
    Internal {
        #[label("while reading this")]
        span: Span,
    },
}

impl SyntaxError {
    /// Converts a pest error, naming what was expected in readable words.
    pub(crate) fn from_pest(e: pest::error::Error<Rule>) -> SyntaxError {
        use pest::error::{ErrorVariant, InputLocation};
        let pos = match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
        let mut expected: Vec<&'static str> = match &e.variant {
            ErrorVariant::ParsingError { positives, .. } => {
                positives.iter().filter_map(|r| rule_name(*r)).collect()
            }
            ErrorVariant::CustomError { .. } => Vec::new(),
        };
        expected.sort_unstable();
        expected.dedup();
        let expected = match expected.len() {
            0 => "something else".to_string(),
            1 => expected[0].to_string(),
            n => format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1]),
        };
        SyntaxError::Unexpected {
            label: format!("expected {expected}"),
            expected,
            found: String::new(),
            span: Span::new(pos, pos),
            help: None,
        }
    }

    /// Fills in what was found at the error position, and a hint for
    /// common slips (IME punctuation, `=` for `==`, a missing `else`).
    pub fn with_source(self, src: &str) -> SyntaxError {
        match self {
            SyntaxError::Unexpected {
                expected,
                label,
                span,
                ..
            } => {
                let rest = src.get(span.start..).unwrap_or("");
                let (found, len) = found_token(rest);
                let help = hint(rest, &expected);
                SyntaxError::Unexpected {
                    expected,
                    found,
                    label,
                    span: Span::new(span.start, span.start + len),
                    help,
                }
            }
            other => other,
        }
    }
}

/// Describes the token at the start of `rest` and its byte length.
fn found_token(rest: &str) -> (String, usize) {
    let Some(c) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if c == '\n' || c == '\r' {
        return ("end of line".to_string(), c.len_utf8());
    }
    let word: String = if c.is_alphanumeric() || c == '_' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect()
    } else {
        c.to_string()
    };
    (format!("`{word}`"), word.len())
}

fn hint(rest: &str, expected: &str) -> Option<String> {
    let c = rest.chars().next()?;
    let ascii = match c {
        '，' => Some(","),
        '：' => Some(":"),
        '（' => Some("("),
        '）' => Some(")"),
        '＝' => Some("="),
        '＜' => Some("<"),
        '＞' => Some(">"),
        '％' => Some("%"),
        '【' | '［' => Some("["),
        '】' | '］' => Some("]"),
        '；' => Some(";"),
        '－' | '—' => Some("-"),
        '＋' => Some("+"),
        '｛' => Some("{"),
        '｝' => Some("}"),
        _ => None,
    };
    if let Some(a) = ascii {
        return Some(format!(
            "`{c}` is a full-width (IME) character; type the ASCII `{a}` instead"
        ));
    }
    if rest.starts_with('=') && !rest.starts_with("==") && expected.contains("operator") {
        return Some("to compare, write `==`; `=` only names a value in a declaration".into());
    }
    if expected.contains("`else`") {
        return Some("every `if … then …` needs an `else` branch: `if c then a else b`".into());
    }
    None
}

/// Readable names for grammar rules; `None` hides a rule from messages.
fn rule_name(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "end of file",
        Rule::ident | Rule::qual_name => "a name",
        Rule::string | Rule::label => "a quoted text",
        Rule::number | Rule::decimal | Rule::wide_number => "a number",
        Rule::period_lit => "a period like `2026-10`",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::unary
        | Rule::if_expr => "an expression",
        Rule::cmp_op => "a comparison (`<`, `<=`, `>`, `>=`, `==`)",
        Rule::add_op | Rule::mul_op => "an operator",
        Rule::kw_and | Rule::kw_or => "an operator",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_if => "`if`",
        Rule::type_expr | Rule::grade_type => {
            "a type (`count`, `percent`, `money`, `seconds`, `grade(…)`, …)"
        }
        Rule::range => "`in LOW..HIGH`",
        Rule::default => "`default VALUE`",
        Rule::weight => "`weight`",
        Rule::band_cond
        | Rule::interval
        | Rule::chain_cond
        | Rule::subject_cond
        | Rule::rev_cond
        | Rule::cmp_cond => "a band condition (`>= 90`, `[80, 90)`, `else`)",
        Rule::band_arm | Rule::grade_arm => "a band arm (`>= 90 -> A`)",
        Rule::match_arm | Rule::pattern => "a match arm (`优秀 -> 100`)",
        Rule::case_arm => "a rule (`CONDITION -> VALUE`)",
        Rule::step_arm | Rule::kw_each => "a step rule (`each 0.1% above REF: -2`)",
        Rule::step_opt => "a step option (`, ceil`, `, cap N`, `, uncapped`)",
        Rule::direction | Rule::kw_above | Rule::kw_below => "`above` or `below`",
        Rule::dist_arm => "a quota (`15% -> A`)",
        Rule::level_ref => "a level name",
        Rule::order | Rule::kw_asc | Rule::kw_desc => "`asc` or `desc`",
        Rule::header | Rule::k_policy => "`policy \"NAME\"`",
        Rule::input_decl
        | Rule::context_decl
        | Rule::const_decl
        | Rule::let_decl
        | Rule::item_decl
        | Rule::total_decl
        | Rule::grade_decl
        | Rule::output_decl
        | Rule::test_decl => "a declaration (`input`, `let`, `item`, `output`, …)",
        Rule::k_from => "`from`",
        Rule::k_to => "`to`",
        Rule::k_by => "`by`",
        Rule::sum_items => "`sum of items`",
        Rule::assignment | Rule::assignments => "`name = value`",
        Rule::test_row | Rule::k_row => "`row EMPLOYEE PERIOD { … }`",
        Rule::test_single | Rule::k_given => "`given { … }`",
        Rule::k_expect => "`expect { … }`",
        Rule::test_ctx => "`context { … }`",
        Rule::row_id => "an employee id",
        Rule::call => "a function call",
        Rule::paren => "`(`",
        Rule::unit => "a unit",
        _ => return None,
    })
}
