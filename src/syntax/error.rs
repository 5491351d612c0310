//! Syntax errors: pest's errors turned into diagnostics in the user's terms.
//! Errors hold data; [`SyntaxError::report`] writes them in English or
//! Chinese.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::ast::Span;
use super::parser::{KpiParser, Rule};
use crate::diag::{english_diagnostic, Lang, Report};

#[derive(Debug, Clone, PartialEq)]
pub enum SyntaxError {
    /// Something other than what the grammar allows at `span`.
    Unexpected {
        /// What would have been accepted, sorted by its English wording.
        expected: Vec<Expect>,
        found: Found,
        span: Span,
        /// At the end of the file: a `{` that is never closed.
        unclosed: Option<Span>,
        hint: Option<SyntaxHint>,
    },
    TooLarge {
        size: usize,
        span: Span,
    },
    TooDeep {
        span: Span,
        max: usize,
        what: Nesting,
    },
    /// `kpi fmt`: the formatted policy would be over the size limit.
    FormattedTooLarge {
        size: usize,
        span: Span,
    },
    BadNumber {
        text: String,
        span: Span,
    },
    BadPeriod {
        text: String,
        span: Span,
    },
    /// The parser contradicts the grammar: a bug in kpi.
    Internal {
        span: Span,
    },
}

/// What nests too deeply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// Brackets `( [ {` (counted on the text).
    Brackets,
    /// One chain of `ops` operators (`a + b + … `).
    Chain { ops: usize },
    /// The syntax tree: `if`s in `if`s, signs, operators.
    Expression,
}

/// What was found where a syntax error is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    EndOfFile,
    EndOfLine,
    /// A word or a single character, as written.
    Token(String),
}

/// A help line for a common slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxHint {
    /// A full-width character typed with a Chinese input method.
    FullWidth { c: char, ascii: &'static str },
    /// `=` where a comparison `==` was meant.
    AssignForCompare,
    /// `if … then …` without `else`.
    MissingElse,
    /// A reserved word where a name is expected.
    ReservedWord(String),
    /// `1 -> ¥300` in a band: a bare value where a condition is expected.
    ArmShorthand(String),
}

/// Something the grammar would accept, in readable terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Literal syntax, the same in every language: `` `then` ``.
    Code(&'static str),
    EndOfFile,
    Name,
    Text,
    Number,
    Period,
    Expression,
    Comparison,
    Operator,
    Type,
    BandCondition,
    BandArm,
    MatchArm,
    Rule,
    StepRule,
    StepOption,
    Quota,
    Level,
    /// `above` or `below`.
    Direction,
    /// `asc` or `desc`.
    Order,
    Declaration,
    EmployeeId,
    Call,
    Unit,
}

impl Expect {
    fn text(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            Expect::Code(c) => (c, c),
            Expect::EndOfFile => ("end of file", "文件结尾"),
            Expect::Name => ("a name", "名字"),
            Expect::Text => ("a quoted text", "带引号的文字"),
            Expect::Number => ("a number", "数字"),
            Expect::Period => ("a period like `2026-10`", "月份（例如 `2026-10`）"),
            Expect::Expression => ("an expression", "算式或取值"),
            Expect::Comparison => (
                "a comparison (`<`, `<=`, `>`, `>=`, `==`)",
                "比较符号（`<`、`<=`、`>`、`>=`、`==`）",
            ),
            Expect::Operator => ("an operator", "运算符"),
            Expect::Type => (
                "a type (`count`, `percent`, `money`, `seconds`, `grade(…)`, …)",
                "类型（`count`、`percent`、`money`、`seconds`、`grade(…)` 等）",
            ),
            Expect::BandCondition => (
                "a band condition (`>= 90`, `[80, 90)`, `else`)",
                "分档条件（`>= 90`、`[80, 90)`、`else`）",
            ),
            Expect::BandArm => ("a band arm (`>= 90 -> A`)", "一个档位（`>= 90 -> A`）"),
            Expect::MatchArm => (
                "a match arm (`优秀 -> 100`)",
                "一个 match 分支（`优秀 -> 100`）",
            ),
            Expect::Rule => (
                "a rule (`CONDITION -> VALUE`)",
                "一条规则（`CONDITION -> VALUE`）",
            ),
            Expect::StepRule => (
                "a step rule (`each 0.1% above REF: -2`)",
                "按步计分规则（`each 0.1% above REF: -2`）",
            ),
            Expect::StepOption => (
                "a step option (`, ceil`, `, cap N`, `, uncapped`)",
                "按步计分选项（`, ceil`、`, cap N`、`, uncapped`）",
            ),
            Expect::Quota => ("a quota (`15% -> A`)", "名额（`15% -> A`）"),
            Expect::Level => ("a level name", "等级名"),
            Expect::Direction => ("`above` or `below`", "`above`/`below`"),
            Expect::Order => ("`asc` or `desc`", "`asc`/`desc`"),
            Expect::Declaration => (
                "a declaration (`input`, `let`, `item`, `output`, …)",
                "声明（`input`、`let`、`item`、`output` 等）",
            ),
            Expect::EmployeeId => ("an employee id", "员工编号"),
            Expect::Call => ("a function call", "函数调用"),
            Expect::Unit => ("a unit", "单位"),
        };
        lang.pick(en, zh)
    }
}

/// `a, b or c` / `a、b 或 c`.
fn join_expected(expected: &[Expect], lang: Lang) -> String {
    let words: Vec<&str> = expected.iter().map(|e| e.text(lang)).collect();
    match (lang, words.split_last()) {
        (_, None) => lang.pick("something else", "别的内容").into(),
        (_, Some((last, []))) => (*last).into(),
        (Lang::En, Some((last, rest))) => format!("{} or {last}", rest.join(", ")),
        (Lang::Zh, Some(_)) => crate::diag::join_zh(&words, "或"),
    }
}

impl SyntaxError {
    /// Converts a pest error, naming what was expected in readable words.
    pub(crate) fn from_pest(e: pest::error::Error<Rule>) -> SyntaxError {
        use pest::error::{ErrorVariant, InputLocation};
        let pos = match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
        let mut expected: Vec<Expect> = match &e.variant {
            ErrorVariant::ParsingError { positives, .. } => {
                positives.iter().filter_map(|r| rule_name(*r)).collect()
            }
            ErrorVariant::CustomError { .. } => Vec::new(),
        };
        expected.sort_unstable_by_key(|e| e.text(Lang::En));
        expected.dedup();
        SyntaxError::Unexpected {
            expected,
            found: Found::EndOfFile,
            span: Span::new(pos, pos),
            unclosed: None,
            hint: None,
        }
    }

    /// Moves the error to `pos` when it is further than where pest put it,
    /// expecting the `rules` and literal `tokens` tried there (see
    /// `parser::detailed_error`).
    pub(crate) fn further(self, pos: usize, tokens: &[String], rules: &[Rule]) -> SyntaxError {
        let SyntaxError::Unexpected { span, .. } = &self else {
            return self;
        };
        if pos <= span.start {
            return self;
        }
        let mut expected: Vec<Expect> = rules.iter().filter_map(|r| rule_name(*r)).collect();
        expected.extend(tokens.iter().filter_map(|t| literal_name(t)));
        // the declaration being parsed is not what is expected inside it
        if expected.iter().any(|e| *e != Expect::Declaration) {
            expected.retain(|e| *e != Expect::Declaration);
        }
        if expected.is_empty() {
            return self;
        }
        expected.sort_unstable_by_key(|e| e.text(Lang::En));
        expected.dedup();
        SyntaxError::Unexpected {
            expected,
            found: Found::EndOfFile,
            span: Span::new(pos, pos),
            unclosed: None,
            hint: None,
        }
    }

    /// Fills in what was found at the error position, and a hint for
    /// common slips (IME punctuation, `=` for `==`, a missing `else`, a
    /// reserved word as a name). At the end of the file the error marks the
    /// last character, and a `{` left open is what is expected.
    pub fn with_source(self, src: &str) -> SyntaxError {
        let SyntaxError::Unexpected {
            mut expected, span, ..
        } = self
        else {
            return self;
        };
        let rest = src.get(span.start..).unwrap_or("");
        let (found, len) = found_token(rest);
        // What was found is never in the list of what would have fitted.
        if let Found::Token(word) = &found {
            // (an entry that names it as an example, such as "a
            // declaration (`input`, `let`, …)", goes too)
            let quoted = format!("`{word}`");
            expected.retain(|e| match e {
                Expect::Code(c) => *c != quoted,
                Expect::Declaration => !DECLARATION_WORDS.contains(&word.as_str()),
                _ => !e.text(Lang::En).contains(&quoted),
            });
            // `default` / `in 0..10` then the next declaration: a value is
            // missing (the grammar refuses the keyword by a lookahead, which
            // names nothing).
            if expected.is_empty() && DECLARATION_WORDS.contains(&word.as_str()) {
                expected.push(Expect::Expression);
            }
        }
        if found == Found::EndOfFile {
            let unclosed = unclosed_brace(src);
            if unclosed.is_some() {
                expected = vec![Expect::Code("`}`")];
            }
            let trimmed = src.trim_end();
            let span = match trimmed.chars().next_back() {
                Some(c) => Span::new(trimmed.len() - c.len_utf8(), trimmed.len()),
                None => Span::new(src.len(), src.len()),
            };
            let hint = hint(src.get(..span.start).unwrap_or(""), rest, &found, &expected);
            return SyntaxError::Unexpected {
                expected,
                found,
                span,
                unclosed,
                hint,
            };
        }
        let hint = hint(src.get(..span.start).unwrap_or(""), rest, &found, &expected);
        SyntaxError::Unexpected {
            expected,
            found,
            span: Span::new(span.start, span.start + len),
            unclosed: None,
            hint,
        }
    }

    /// The stable code, e.g. `kpi::syntax_error`.
    pub fn code(&self) -> &'static str {
        match self {
            SyntaxError::Unexpected { .. } => "kpi::syntax_error",
            SyntaxError::TooLarge { .. } => "kpi::too_large",
            SyntaxError::TooDeep { .. } => "kpi::too_deep",
            SyntaxError::FormattedTooLarge { .. } => "kpi::fmt_too_large",
            SyntaxError::BadNumber { .. } => "kpi::bad_number",
            SyntaxError::BadPeriod { .. } => "kpi::bad_period",
            SyntaxError::Internal { .. } => "kpi::internal",
        }
    }

    /// The error's text in `lang`.
    pub fn report(&self, lang: Lang) -> Report {
        let (message, labels, help): (String, Vec<(Span, String)>, Option<String>) = match self {
            SyntaxError::Unexpected {
                expected,
                found,
                span,
                unclosed,
                hint,
            } => {
                let e = join_expected(expected, lang);
                // Chinese text and code are separated by a space.
                let ze = if e.starts_with('`') {
                    format!(" {e}")
                } else {
                    e.clone()
                };
                let message = match (lang, found) {
                    (Lang::En, Found::EndOfFile) => format!("expected {e}, found end of file"),
                    (Lang::En, Found::EndOfLine) => format!("expected {e}, found end of line"),
                    (Lang::En, Found::Token(t)) => format!("expected {e}, found `{t}`"),
                    (Lang::Zh, Found::EndOfFile) => format!("文件已经结束，但这里还应该有{ze}"),
                    (Lang::Zh, Found::EndOfLine) => format!("这一行已经结束，但这里还应该有{ze}"),
                    (Lang::Zh, Found::Token(t)) => format!("这里应该是{ze}，却写了 `{t}`"),
                };
                let label = match (lang, found) {
                    (Lang::En, Found::EndOfFile) => format!("expected {e} after this"),
                    (Lang::En, _) => format!("expected {e}"),
                    (Lang::Zh, Found::EndOfFile) => format!("这之后应该有{ze}"),
                    (Lang::Zh, _) => format!("这里应该是{ze}"),
                };
                let mut labels = vec![(*span, label)];
                if let Some(u) = unclosed {
                    labels.push((
                        *u,
                        lang.pick(
                            "this `{` is never closed",
                            "这个 `{` 没有对应的 `}`",
                        )
                        .into(),
                    ));
                }
                (message, labels, hint.as_ref().map(|h| hint_text(h, lang)))
            }
            SyntaxError::TooLarge { size, span } => (
                lang.pick(
                    format!("the policy is too large ({size} bytes)"),
                    format!("方案文件太大（{size} 字节）"),
                ),
                vec![(*span, lang.pick("this file", "这个文件").into())],
                Some(
                    lang.pick(
                        "policies are limited to 1 MiB; split the file",
                        "方案文件最大 1 MiB，请拆分成几个文件",
                    )
                    .into(),
                ),
            ),
            SyntaxError::TooDeep {
                span,
                max,
                what: Nesting::Brackets,
            } => (
                lang.pick("brackets nest too deeply", "括号嵌套太深").into(),
                vec![(
                    *span,
                    lang.pick("nested too deeply here", "这里嵌套太深").into(),
                )],
                Some(lang.pick(
                    format!("at most {max} levels of brackets are allowed; use `let` to name parts of the expression"),
                    format!("括号最多嵌套 {max} 层；请用 `let` 给算式的一部分起个名字"),
                )),
            ),
            SyntaxError::TooDeep {
                span,
                max,
                what: Nesting::Chain { ops },
            } => (
                lang.pick(
                    format!("this expression is too long: {ops} operators in a row"),
                    format!("这个算式太长：连续 {ops} 个运算符"),
                ),
                vec![(
                    *span,
                    lang.pick("this chain of operators", "这一串运算").into(),
                )],
                Some(lang.pick(
                    format!("at most {max} operators in a row are allowed here; use `let` to name parts of the sum (`let part1 = a + b + …`)"),
                    format!("这里最多允许连续 {max} 个运算符；请用 `let` 分段求和（`let part1 = a + b + …`）"),
                )),
            ),
            SyntaxError::TooDeep {
                span,
                max,
                what: Nesting::Expression,
            } => (
                lang.pick("this expression nests too deeply", "这个算式嵌套太深").into(),
                vec![(
                    *span,
                    lang.pick("nested too deeply here", "这里嵌套太深").into(),
                )],
                Some(lang.pick(
                    format!("at most {max} levels are allowed (each `if` inside another, sign, `not` or operator adds one); use `let` to name parts of the expression"),
                    format!("最多允许 {max} 层（每个嵌套的 `if`、正负号、`not` 或运算符算一层）；请用 `let` 给算式的一部分起个名字"),
                )),
            ),
            SyntaxError::FormattedTooLarge { size, span } => (
                lang.pick(
                    format!("the formatted policy would be too large ({size} bytes)"),
                    format!("格式化后的方案文件会太大（{size} 字节）"),
                ),
                vec![(*span, lang.pick("this file", "这个文件").into())],
                Some(
                    lang.pick(
                        "policies are limited to 1 MiB and the file was left unchanged; split it, or shorten its longest names",
                        "方案文件最大 1 MiB，这个文件没有改动；请拆分成几个文件，或缩短最长的名字",
                    )
                    .into(),
                ),
            ),
            SyntaxError::BadNumber { text, span } => (
                lang.pick(
                    format!("`{text}` is not a valid number"),
                    format!("`{text}` 不是有效的数字"),
                ),
                vec![(*span, lang.pick("this number", "这个数字").into())],
                Some(
                    lang.pick(
                        "numbers have at most 28 significant digits",
                        "数字最多 28 位有效数字",
                    )
                    .into(),
                ),
            ),
            SyntaxError::BadPeriod { text, span } => (
                lang.pick(
                    format!("`{text}` is not a valid period"),
                    format!("`{text}` 不是有效的月份"),
                ),
                vec![(*span, lang.pick("expected YYYY-MM", "应为 YYYY-MM").into())],
                Some(
                    lang.pick(
                        "write periods as YYYY-MM, e.g. `2026-10`",
                        "月份请写成 YYYY-MM，例如 `2026-10`",
                    )
                    .into(),
                ),
            ),
            SyntaxError::Internal { span } => (
                lang.pick("internal parser error", "解析器内部错误").into(),
                vec![(
                    *span,
                    lang.pick("while reading this", "读到这里时出错").into(),
                )],
                Some(
                    lang.pick(
                        "this is a bug in kpi; please report it with the policy file",
                        "这是 kpi 的缺陷；请连同方案文件一起反馈",
                    )
                    .into(),
                ),
            ),
        };
        Report::error(self.code(), message, labels, help)
    }
}

english_diagnostic!(SyntaxError);

fn hint_text(h: &SyntaxHint, lang: Lang) -> String {
    match h {
        SyntaxHint::FullWidth { c, ascii } => lang.pick(
            format!("`{c}` is a full-width (IME) character; type the ASCII `{ascii}` instead"),
            format!("`{c}` 是全角（中文输入法）字符，请改用半角的 `{ascii}`"),
        ),
        SyntaxHint::AssignForCompare => lang
            .pick(
                "to compare, write `==`; `=` only names a value in a declaration",
                "比较是否相等请写 `==`；`=` 只用于在声明里给值起名字",
            )
            .into(),
        SyntaxHint::MissingElse => lang
            .pick(
                "every `if … then …` needs an `else` branch: `if c then a else b`",
                "每个 `if … then …` 都要有 `else` 分支：`if c then a else b`",
            )
            .into(),
        SyntaxHint::ReservedWord(w) => lang.pick(
            format!("`{w}` is a reserved word; choose another name"),
            format!("`{w}` 是保留字，请换一个名字"),
        ),
        SyntaxHint::ArmShorthand(v) => lang.pick(
            format!("a band arm is a condition on the value: write `== {v} -> …` for exactly {v}, or `>= {v} -> …` for {v} and above"),
            format!("分档的每一档是对取值的条件：恰好等于 {v} 请写 `== {v} -> …`，{v} 及以上请写 `>= {v} -> …`"),
        ),
    }
}

/// Describes the token at the start of `rest` and its byte length.
fn found_token(rest: &str) -> (Found, usize) {
    if rest.trim_start().is_empty() {
        return (Found::EndOfFile, 0);
    }
    let Some(c) = rest.chars().next() else {
        return (Found::EndOfFile, 0);
    };
    if c == '\n' || c == '\r' {
        return (Found::EndOfLine, c.len_utf8());
    }
    let word: String = if c.is_alphanumeric() || c == '_' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect()
    } else {
        c.to_string()
    };
    let len = word.len();
    (Found::Token(word), len)
}

/// Whether `word` is one of the grammar's reserved words (its `keyword` rule).
fn is_keyword(word: &str) -> bool {
    use pest::Parser;
    KpiParser::parse(Rule::keyword, word)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .is_some_and(|p| p.as_str() == word)
}

/// The first `{` (outside strings and comments) that is never closed.
fn unclosed_brace(src: &str) -> Option<Span> {
    let mut open: Vec<usize> = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                for (_, d) in chars.by_ref() {
                    if d == '"' || d == '\n' {
                        break;
                    }
                }
            }
            '#' => {
                for (_, d) in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().is_some_and(|(_, d)| *d == '/') => {
                for (_, d) in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '{' => open.push(i),
            '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.first().map(|&i| Span::new(i, i + 1))
}

fn hint(before: &str, rest: &str, found: &Found, expected: &[Expect]) -> Option<SyntaxHint> {
    // `band r { 1 -> ¥300 }`: the arm is a value, not a condition.
    let arrow = ["->", "→", "=>"].iter().any(|a| rest.starts_with(a));
    if arrow && expected.contains(&Expect::Comparison) {
        let t = before.trim_end();
        let start = t
            .char_indices()
            .rev()
            .take_while(|(_, c)| !c.is_whitespace() && !matches!(c, '{' | ',' | '，'))
            .last()
            .map(|(i, _)| i)
            .unwrap_or(t.len());
        let value = t.get(start..).unwrap_or("").to_string();
        let numeric = value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '¥' | '￥' | '-'));
        if numeric {
            return Some(SyntaxHint::ArmShorthand(value));
        }
    }
    if let Found::Token(word) = found {
        if expected.contains(&Expect::Name) && is_keyword(word) {
            return Some(SyntaxHint::ReservedWord(word.clone()));
        }
    }
    if let Some(c) = rest.chars().next() {
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
        if let Some(ascii) = ascii {
            return Some(SyntaxHint::FullWidth { c, ascii });
        }
    }
    if rest.starts_with('=') && !rest.starts_with("==") && expected.contains(&Expect::Operator) {
        return Some(SyntaxHint::AssignForCompare);
    }
    if expected.contains(&Expect::Code("`else`")) {
        return Some(SyntaxHint::MissingElse);
    }
    None
}

/// The words that start a declaration.
const DECLARATION_WORDS: [&str; 12] = [
    "input", "context", "const", "let", "item", "total", "grade", "output", "test", "key", "table",
    "fn",
];

/// Literal punctuation of the grammar, as a message names it.
fn literal_name(token: &str) -> Option<Expect> {
    Some(Expect::Code(match token {
        "=" => "`=`",
        ":" => "`:`",
        ".." => "`..`",
        "{" => "`{`",
        "}" => "`}`",
        "(" => "`(`",
        ")" => "`)`",
        "[" => "`[`",
        "]" => "`]`",
        "," => "`,`",
        "->" => "`->`",
        "|" => "`|`",
        _ => return None,
    }))
}

/// Readable names for grammar rules; `None` hides a rule from messages.
fn rule_name(r: Rule) -> Option<Expect> {
    Some(match r {
        Rule::EOI => Expect::EndOfFile,
        Rule::ident | Rule::qual_name => Expect::Name,
        Rule::string | Rule::label => Expect::Text,
        Rule::number | Rule::decimal | Rule::wide_number => Expect::Number,
        Rule::period_lit => Expect::Period,
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::unary
        | Rule::if_expr => Expect::Expression,
        Rule::cmp_op => Expect::Comparison,
        Rule::add_op | Rule::mul_op => Expect::Operator,
        Rule::kw_and | Rule::kw_or => Expect::Operator,
        Rule::kw_then => Expect::Code("`then`"),
        Rule::kw_else => Expect::Code("`else`"),
        Rule::kw_if => Expect::Code("`if`"),
        Rule::type_expr | Rule::grade_type => Expect::Type,
        Rule::range => Expect::Code("`in LOW..HIGH`"),
        Rule::default => Expect::Code("`default VALUE`"),
        Rule::weight => Expect::Code("`weight`"),
        Rule::band_cond
        | Rule::interval
        | Rule::chain_cond
        | Rule::subject_cond
        | Rule::rev_cond
        | Rule::cmp_cond => Expect::BandCondition,
        Rule::band_arm | Rule::grade_arm => Expect::BandArm,
        Rule::match_arm | Rule::pattern => Expect::MatchArm,
        Rule::case_arm => Expect::Rule,
        Rule::step_arm | Rule::kw_each => Expect::StepRule,
        Rule::step_opt => Expect::StepOption,
        Rule::direction | Rule::kw_above | Rule::kw_below => Expect::Direction,
        Rule::dist_arm => Expect::Quota,
        Rule::level_ref => Expect::Level,
        Rule::order | Rule::kw_asc | Rule::kw_desc => Expect::Order,
        Rule::header | Rule::k_policy => Expect::Code("`policy \"NAME\"`"),
        Rule::input_decl
        | Rule::context_decl
        | Rule::const_decl
        | Rule::let_decl
        | Rule::item_decl
        | Rule::total_decl
        | Rule::grade_decl
        | Rule::output_decl
        | Rule::table_decl
        | Rule::fn_decl
        | Rule::test_decl => Expect::Declaration,
        Rule::param => Expect::Code("`name: type`"),
        Rule::k_from => Expect::Code("`from`"),
        Rule::k_to => Expect::Code("`to`"),
        Rule::k_by => Expect::Code("`by`"),
        Rule::sum_items => Expect::Code("`sum of items`"),
        Rule::assignment | Rule::assignments => Expect::Code("`name = value`"),
        Rule::test_row | Rule::k_row => Expect::Code("`row EMPLOYEE PERIOD { … }`"),
        Rule::test_single | Rule::k_given => Expect::Code("`given { … }`"),
        Rule::k_expect => Expect::Code("`expect { … }`"),
        Rule::test_ctx => Expect::Code("`context { … }`"),
        Rule::row_id => Expect::EmployeeId,
        Rule::call => Expect::Call,
        Rule::paren => Expect::Code("`(`"),
        Rule::unit => Expect::Unit,
        _ => return None,
    })
}

#[cfg(test)]
mod expected_never_names_the_found_token {
    use super::*;

    /// Issue 10 item 10: "expected … `let`, found `let`" contradicts itself.
    #[test]
    fn on_a_range_of_slips() {
        let cases = [
            "policy \"p\"\nlet a \"x\" \"y\" = 1\n",
            "policy \"p\"\nlet let = 1 +\n",
            "policy \"p\"\ninput a : points\nitem x = steps a { each 1 above above: 1 }\n",
            "policy \"p\"\ninput a : points\nitem x = if a then then 1 else 2\n",
            "policy \"p\"\ninput a : points in 0..10 default\nitem x = a\n",
            "policy \"p\"\ninput a : points\nitem x = rank(a, desc desc)\n",
        ];
        for src in cases {
            let Err(e) = crate::syntax::parse(src) else {
                panic!("parses: {src}");
            };
            let SyntaxError::Unexpected {
                expected,
                found: Found::Token(word),
                ..
            } = &e
            else {
                continue;
            };
            let quoted = format!("`{word}`");
            for x in expected {
                let named = x.text(Lang::En).contains(&quoted)
                    || (*x == Expect::Declaration && DECLARATION_WORDS.contains(&word.as_str()));
                assert!(!named, "{src}: expected {expected:?}, found {word}");
            }
        }
    }
}
