//! Diagnostics in the reader's language.
//!
//! Errors and warnings hold data; each has a `report(lang)` that writes its
//! text in English or Chinese, in one place. A [`Report`] is that text: a
//! stable code, a message, labelled spans (the first one is the primary
//! span) and an optional help line. It implements [`miette::Diagnostic`],
//! so it renders like any other diagnostic.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::syntax::ast::Span;
use miette::{Diagnostic, LabeledSpan, Severity};
use std::fmt;

/// The language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `zh` when `LC_ALL`, `LC_MESSAGES` or `LANG` (the first one set)
    /// starts with `zh`.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if !v.is_empty() {
                    return if v.starts_with("zh") {
                        Lang::Zh
                    } else {
                        Lang::En
                    };
                }
            }
        }
        Lang::En
    }

    /// `zh` or `en`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the English or the Chinese text (`t` for short in reports).
    pub fn t<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        self.pick(en, zh)
    }

    /// Picks the English or the Chinese text.
    pub fn pick<T>(self, en: T, zh: T) -> T {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// A rendered diagnostic: what an error or a warning says in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Labelled spans; the first is the primary one. An empty text marks
    /// the span without a label.
    pub labels: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl Report {
    /// An error report.
    pub fn error(
        code: &'static str,
        message: String,
        labels: Vec<(Span, String)>,
        help: Option<String>,
    ) -> Report {
        Report {
            code,
            severity: Severity::Error,
            message,
            labels,
            help,
        }
    }

    /// The labels as miette spans, the first one marked primary.
    pub fn labeled_spans(&self) -> Vec<LabeledSpan> {
        self.labels
            .iter()
            .enumerate()
            .map(|(i, (s, t))| {
                let span: miette::SourceSpan = (*s).into();
                let text = (!t.is_empty()).then(|| t.clone());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            })
            .collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display + 'a>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labeled_spans().into_iter()))
    }
}

/// Implements `Display`, `Error` and `miette::Diagnostic` for a type with a
/// `report(&self, Lang) -> Report` method: in English, so that the type can
/// be rendered or printed where no language is at hand.
macro_rules! english_diagnostic {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.report($crate::diag::Lang::En).message)
            }
        }

        impl std::error::Error for $t {}

        impl miette::Diagnostic for $t {
            fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
                Some(Box::new(self.report($crate::diag::Lang::En).code))
            }
            fn severity(&self) -> Option<miette::Severity> {
                Some(self.report($crate::diag::Lang::En).severity)
            }
            fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
                self.report($crate::diag::Lang::En)
                    .help
                    .map(|h| Box::new(h) as Box<dyn std::fmt::Display + 'a>)
            }
            fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
                let labels = self.report($crate::diag::Lang::En).labeled_spans();
                Some(Box::new(labels.into_iter()))
            }
        }
    };
}

pub(crate) use english_diagnostic;

/// Quoted items joined for a sentence: `` `a`, `b` or `c` `` in English
/// (`last_en` is the last joining word), `` `a`、`b` 或 `c` `` in Chinese
/// (`last_zh`).
pub(crate) fn code_list(items: &[String], lang: Lang, last_en: &str, last_zh: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match lang {
        Lang::Zh => join_zh(&quoted, last_zh),
        Lang::En => match quoted.split_last() {
            None => String::new(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} {last_en} {last}", rest.join(", ")),
        },
    }
}

/// Joins Chinese list items with `、` and `last` (或, 和) before the last
/// one; `last` is set off by spaces only next to code or Latin text.
pub(crate) fn join_zh<S: AsRef<str>>(items: &[S], last: &str) -> String {
    let Some((tail, rest)) = items.split_last() else {
        return String::new();
    };
    let tail = tail.as_ref();
    if rest.is_empty() {
        return tail.to_string();
    }
    let head = rest
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<&str>>()
        .join("、");
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii() && c != ' ');
    let before = if latin(head.chars().next_back()) {
        " "
    } else {
        ""
    };
    let after = if latin(tail.chars().next()) { " " } else { "" };
    format!("{head}{before}{last}{after}{tail}")
}

/// How a type reads in a message: "a duration (seconds)", "money", …;
/// in Chinese 时长(秒)、金额 ….
pub fn ty_name(ty: &crate::types::Ty, lang: Lang) -> String {
    use crate::types::{DurUnit, NumKind, Ty};
    match lang {
        Lang::En => match ty {
            Ty::Number(NumKind::Plain) => "a number".into(),
            Ty::Number(NumKind::Count) => "a count".into(),
            Ty::Number(NumKind::Points) => "points".into(),
            Ty::Number(NumKind::Percent) => "a percent".into(),
            Ty::Duration(u) => format!("a duration ({})", Ty::Duration(*u)),
            Ty::Money => "money".into(),
            Ty::Bool => "a bool".into(),
            Ty::Text => "text".into(),
            Ty::Grade(levels) => format!("a grade ({})", levels.join(", ")),
        },
        Lang::Zh => match ty {
            Ty::Number(NumKind::Plain) => "数字".into(),
            Ty::Number(NumKind::Count) => "次数".into(),
            Ty::Number(NumKind::Points) => "分数".into(),
            Ty::Number(NumKind::Percent) => "百分比".into(),
            Ty::Duration(u) => format!(
                "时长({})",
                match u {
                    DurUnit::Seconds => "秒",
                    DurUnit::Minutes => "分钟",
                    DurUnit::Hours => "小时",
                    DurUnit::Days => "天",
                }
            ),
            Ty::Money => "金额".into(),
            Ty::Bool => "是否值".into(),
            Ty::Text => "文字".into(),
            Ty::Grade(levels) => format!("等级({})", levels.join("、")),
        },
    }
}

/// "did you mean `x`?" / "是不是想写 `x`？"
pub(crate) fn did_you_mean(s: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("did you mean `{s}`?"),
        Lang::Zh => format!("是不是想写 `{s}`？"),
    }
}

/// Names longer than this (in characters) get no "did you mean": nobody
/// misspells a name that long, and edit distance is quadratic in length.
pub const SUGGEST_MAX_CHARS: usize = 64;

/// The number of characters of `s`, counting no further than `cap + 1`
/// (so that a megabyte-long name costs no more than a short one).
pub fn chars_capped(s: &str, cap: usize) -> usize {
    s.chars().take(cap.saturating_add(1)).count()
}
