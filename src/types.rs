//! Types and units shared by the checker, the evaluator and the data layer.
//!
//! Internally every quantity is stored in one base unit per dimension, so
//! values of one dimension compare without conversion:
//! percents as fractions (`45%` is `0.45`), durations in seconds, money in
//! yuan. Declared units only matter at the edges (literals, data cells,
//! output display).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use rust_decimal::Decimal;
use std::fmt;

/// Unit of a duration as declared on an input or output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum DurUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl DurUnit {
    /// Seconds in one of this unit.
    pub fn seconds(self) -> Decimal {
        match self {
            DurUnit::Seconds => Decimal::from(1),
            DurUnit::Minutes => Decimal::from(60),
            DurUnit::Hours => Decimal::from(3600),
            DurUnit::Days => Decimal::from(86400),
        }
    }

    /// The short suffix used in literals and data cells.
    pub fn suffix(self) -> &'static str {
        match self {
            DurUnit::Seconds => "s",
            DurUnit::Minutes => "min",
            DurUnit::Hours => "h",
            DurUnit::Days => "d",
        }
    }

    /// Parses a unit suffix (`s`, `min`, `h`, `d`, `秒`, `分钟`, `小时`, `天`).
    pub fn from_suffix(s: &str) -> Option<DurUnit> {
        Some(match s {
            "s" | "秒" => DurUnit::Seconds,
            "min" | "分钟" => DurUnit::Minutes,
            "h" | "小时" => DurUnit::Hours,
            "d" | "天" => DurUnit::Days,
            _ => return None,
        })
    }
}

/// The kind of a plain number. All kinds add and compare freely; the kind
/// drives input validation, display, and the percent-vs-bare-number lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumKind {
    Plain,
    Count,
    Points,
    Percent,
}

/// The static type of an expression, input or output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Number(NumKind),
    Duration(DurUnit),
    Money,
    Bool,
    Text,
    /// An enumeration with its declared levels, in order.
    Grade(Vec<String>),
}

/// The dimension of a type: values of different dimensions never mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Number,
    Duration,
    Money,
    Bool,
    Text,
    Grade,
}

impl Ty {
    pub fn dim(&self) -> Dim {
        match self {
            Ty::Number(_) => Dim::Number,
            Ty::Duration(_) => Dim::Duration,
            Ty::Money => Dim::Money,
            Ty::Bool => Dim::Bool,
            Ty::Text => Dim::Text,
            Ty::Grade(_) => Dim::Grade,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Number(_) | Ty::Duration(_) | Ty::Money)
    }

    /// Parses a type name as written after `:` in a declaration.
    pub fn from_name(name: &str) -> Option<Ty> {
        Some(match name {
            "number" | "数值" => Ty::Number(NumKind::Plain),
            "count" | "次数" | "个数" => Ty::Number(NumKind::Count),
            "points" | "分数" => Ty::Number(NumKind::Points),
            "percent" | "百分比" => Ty::Number(NumKind::Percent),
            "money" | "金额" => Ty::Money,
            "seconds" => Ty::Duration(DurUnit::Seconds),
            "minutes" => Ty::Duration(DurUnit::Minutes),
            "hours" => Ty::Duration(DurUnit::Hours),
            "days" => Ty::Duration(DurUnit::Days),
            "bool" => Ty::Bool,
            "text" => Ty::Text,
            _ => return None,
        })
    }

    /// All names accepted by [`Ty::from_name`], for "did you mean".
    pub const NAMES: &'static [&'static str] = &[
        "number", "count", "points", "percent", "money", "seconds", "minutes", "hours", "days",
        "bool", "text",
    ];
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Number(NumKind::Plain) => f.write_str("number"),
            Ty::Number(NumKind::Count) => f.write_str("count"),
            Ty::Number(NumKind::Points) => f.write_str("points"),
            Ty::Number(NumKind::Percent) => f.write_str("percent"),
            Ty::Duration(DurUnit::Seconds) => f.write_str("seconds"),
            Ty::Duration(DurUnit::Minutes) => f.write_str("minutes"),
            Ty::Duration(DurUnit::Hours) => f.write_str("hours"),
            Ty::Duration(DurUnit::Days) => f.write_str("days"),
            Ty::Money => f.write_str("money"),
            Ty::Bool => f.write_str("bool"),
            Ty::Text => f.write_str("text"),
            Ty::Grade(levels) => write!(f, "grade({})", levels.join(", ")),
        }
    }
}

/// A calendar month `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: u16,
    pub month: u8,
}

impl Period {
    /// Parses `YYYY-MM` (month 01–12); anything else is `None`.
    pub fn parse(s: &str) -> Option<Period> {
        let b = s.as_bytes();
        if b.len() != 7 || b.get(4) != Some(&b'-') || !s.is_char_boundary(4) {
            return None;
        }
        let year: u16 = s[..4].parse().ok()?;
        let month: u8 = s[5..].parse().ok()?;
        if !(1..=12).contains(&month)
            || !s[..4].bytes().all(|c| c.is_ascii_digit())
            || !s[5..].bytes().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        Some(Period { year, month })
    }

    /// Months since year 0: consecutive months differ by exactly 1.
    pub fn index(self) -> i32 {
        i32::from(self.year) * 12 + i32::from(self.month) - 1
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
