//! The built-in functions, in one table: each one's names, arity, signature,
//! help and (for team and history figures) how `explain` names it, in
//! English and Chinese. The checker types and lowers a call by its
//! [`Builtin`] (an exhaustive match: a new entry does not build until it is
//! lowered); "did you mean", the arity help, `explain` and the editor read
//! this table. Evaluation works on the lowered IR (`ir::Func`, `AggKind`,
//! `TeamFn`, `HistoryFn`), whose matches are exhaustive too.
//!
//! Adding a builtin: an entry here, its lowering in `check/calls.rs`, its
//! evaluation (an IR variant and its case in `eval/`), a test.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use crate::diag::Lang;
use crate::ir::AggKind;

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    Min,
    Max,
    Clamp,
    Abs,
    Floor,
    Ceil,
    Round,
    TeamAvg,
    TeamSum,
    TeamMin,
    TeamMax,
    TeamCount,
    TeamFirst,
    TeamLast,
    Rank,
    Prev,
    Streak,
    HasPrev,
}

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    None,
    One,
    OneOrTwo,
    OneOrMore,
    Two,
    Three,
    /// One value, and optionally `asc`/`desc`.
    ValueAndOrder,
    /// Exactly this many (a `table` or `fn` of the policy).
    Exactly(usize),
}

impl Arity {
    /// Whether `n` value arguments fit.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::None => n == 0,
            Arity::One | Arity::ValueAndOrder => n == 1,
            Arity::OneOrTwo => matches!(n, 1 | 2),
            Arity::OneOrMore => n >= 1,
            Arity::Two => n == 2,
            Arity::Three => n == 3,
            Arity::Exactly(k) => n == k,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinInfo {
    pub builtin: Builtin,
    /// The name, then any other accepted spelling (`team.rank`).
    pub names: &'static [&'static str],
    pub arity: Arity,
    /// How it is called: `clamp(value, low, high)`.
    pub signature: &'static str,
    /// What it does (English, Chinese).
    pub help: (&'static str, &'static str),
    /// How to call it, for arity errors (English, Chinese).
    pub example: (&'static str, &'static str),
    /// How `explain` names its figure (English, Chinese); `None` for the
    /// plain arithmetic functions, which have no figure.
    pub figure: Option<(&'static str, &'static str)>,
}

impl BuiltinInfo {
    /// The function's name as written in policies.
    pub fn name(&self) -> &'static str {
        self.names.first().copied().unwrap_or("")
    }

    pub fn help(&self, lang: Lang) -> &'static str {
        lang.pick(self.help.0, self.help.1)
    }

    pub fn example(&self, lang: Lang) -> &'static str {
        lang.pick(self.example.0, self.example.1)
    }

    /// Whether `asc`/`desc` may follow its value.
    pub fn takes_order(&self) -> bool {
        self.arity == Arity::ValueAndOrder
    }
}

/// Every built-in function.
pub const BUILTINS: &[BuiltinInfo] = &[
    BuiltinInfo {
        builtin: Builtin::Min,
        names: &["min"],
        arity: Arity::OneOrMore,
        signature: "min(a, b, …)",
        help: ("the smallest of the values", "几个值中最小的"),
        example: ("e.g. `min(10, score)`", "例如 `min(10, score)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::Max,
        names: &["max"],
        arity: Arity::OneOrMore,
        signature: "max(a, b, …)",
        help: ("the largest of the values", "几个值中最大的"),
        example: ("e.g. `max(0, score)`", "例如 `max(0, score)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::Clamp,
        names: &["clamp"],
        arity: Arity::Three,
        signature: "clamp(value, low, high)",
        help: ("the value, kept between low and high", "把值限制在 low 与 high 之间"),
        example: ("write `clamp(value, low, high)`", "写成 `clamp(value, low, high)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::Abs,
        names: &["abs"],
        arity: Arity::One,
        signature: "abs(x)",
        help: ("the absolute value", "绝对值"),
        example: ("e.g. `abs(x)`", "例如 `abs(x)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::Floor,
        names: &["floor"],
        arity: Arity::One,
        signature: "floor(x)",
        help: ("the largest whole number ≤ x", "不大于 x 的最大整数（向下取整）"),
        example: ("e.g. `floor(x)`", "例如 `floor(x)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::Ceil,
        names: &["ceil"],
        arity: Arity::One,
        signature: "ceil(x)",
        help: ("the smallest whole number ≥ x", "不小于 x 的最小整数（向上取整）"),
        example: ("e.g. `ceil(x)`", "例如 `ceil(x)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::Round,
        names: &["round"],
        arity: Arity::OneOrTwo,
        signature: "round(x) / round(x, places)",
        help: (
            "x rounded half away from zero (四舍五入), to 0–28 decimal places",
            "四舍五入，保留 0 到 28 位小数",
        ),
        example: ("e.g. `round(x)` or `round(x, 2)`", "例如 `round(x)` 或 `round(x, 2)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::TeamAvg,
        names: &["team.avg"],
        arity: Arity::One,
        signature: "team.avg(x)",
        help: (
            "the average of x over the same team and period",
            "同团队同月份 x 的平均值",
        ),
        example: ("e.g. `team.avg(daily_tickets)`", "例如 `team.avg(daily_tickets)`"),
        figure: Some(("team average", "团队平均")),
    },
    BuiltinInfo {
        builtin: Builtin::TeamSum,
        names: &["team.sum"],
        arity: Arity::One,
        signature: "team.sum(x)",
        help: ("the total of x over the same team and period", "同团队同月份 x 的合计"),
        example: ("e.g. `team.sum(sales)`", "例如 `team.sum(sales)`"),
        figure: Some(("team total", "团队合计")),
    },
    BuiltinInfo {
        builtin: Builtin::TeamMin,
        names: &["team.min"],
        arity: Arity::One,
        signature: "team.min(x)",
        help: ("the lowest x in the same team and period", "同团队同月份 x 的最低值"),
        example: ("e.g. `team.min(total)`", "例如 `team.min(total)`"),
        figure: Some(("team minimum", "团队最低")),
    },
    BuiltinInfo {
        builtin: Builtin::TeamMax,
        names: &["team.max"],
        arity: Arity::One,
        signature: "team.max(x)",
        help: ("the highest x in the same team and period", "同团队同月份 x 的最高值"),
        example: ("e.g. `team.max(total)`", "例如 `team.max(total)`"),
        figure: Some(("team maximum", "团队最高")),
    },
    BuiltinInfo {
        builtin: Builtin::TeamCount,
        names: &["team.count"],
        arity: Arity::None,
        signature: "team.count()",
        help: ("how many records the team has in the period", "同团队同月份的人数"),
        example: ("write `team.count()`", "写成 `team.count()`"),
        figure: Some(("team size", "团队人数")),
    },
    BuiltinInfo {
        builtin: Builtin::TeamFirst,
        names: &["team.first"],
        arity: Arity::One,
        signature: "team.first(x)",
        help: (
            "true for everyone tied for the highest x of the team (false in a team of one or an all-tie)",
            "x 在团队里并列最高时为真（一个人的团队或全员并列时为假）",
        ),
        example: ("e.g. `team.first(order_amount)`", "例如 `team.first(order_amount)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::TeamLast,
        names: &["team.last"],
        arity: Arity::One,
        signature: "team.last(x)",
        help: (
            "true for everyone tied for the lowest x of the team (false in a team of one or an all-tie)",
            "x 在团队里并列最低时为真（一个人的团队或全员并列时为假）",
        ),
        example: ("e.g. `team.last(order_amount)`", "例如 `team.last(order_amount)`"),
        figure: None,
    },
    BuiltinInfo {
        builtin: Builtin::Rank,
        names: &["rank", "team.rank"],
        arity: Arity::ValueAndOrder,
        signature: "rank(x, desc|asc)",
        help: (
            "competition rank of x in the team and period (1, 2, 2, 4); desc by default",
            "x 在同团队同月份的排名（并列占名次：1, 2, 2, 4）；默认从高到低",
        ),
        example: (
            "write `rank(total, desc)` or `rank(churn_rate, asc)`",
            "写成 `rank(total, desc)` 或 `rank(churn_rate, asc)`",
        ),
        figure: Some(("rank", "排名")),
    },
    BuiltinInfo {
        builtin: Builtin::Prev,
        names: &["prev"],
        arity: Arity::Two,
        signature: "prev(x, default)",
        help: (
            "x in the employee's previous calendar month, else the default",
            "该员工上一个自然月的 x；上月无记录时取默认值",
        ),
        example: (
            "write `prev(x, DEFAULT)`: DEFAULT is used when last month has no record",
            "写成 `prev(x, DEFAULT)`：上个月没有记录时取 DEFAULT",
        ),
        figure: Some(("previous month", "上月")),
    },
    BuiltinInfo {
        builtin: Builtin::Streak,
        names: &["streak"],
        arity: Arity::One,
        signature: "streak(condition)",
        help: (
            "how many consecutive months, ending with this one, the condition held",
            "截至本月，条件连续成立的月数（缺一个月即中断）",
        ),
        example: ("write `streak(level == \"差\")`", "写成 `streak(level == \"差\")`"),
        figure: Some(("streak", "连续")),
    },
    BuiltinInfo {
        builtin: Builtin::HasPrev,
        names: &["has_prev"],
        arity: Arity::One,
        signature: "has_prev(x)",
        help: (
            "whether the employee has a record in the previous calendar month (so that `prev(x, …)` reads it)",
            "该员工上一个自然月是否有记录（有记录时 `prev(x, …)` 读到的是上月的值）",
        ),
        example: (
            "write `if has_prev(dsr) then dsr - prev(dsr, 0) else 0`",
            "写成 `if has_prev(dsr) then dsr - prev(dsr, 0) else 0`",
        ),
        figure: Some(("previous month on record", "上月有记录")),
    },
];

/// The entry called `name` (any of its spellings).
pub fn lookup(name: &str) -> Option<&'static BuiltinInfo> {
    BUILTINS.iter().find(|b| b.names.contains(&name))
}

/// The entry of a builtin.
pub fn info(builtin: Builtin) -> &'static BuiltinInfo {
    // invariant: a constant, evaluated at compile time: an empty table is a
    // build error, not a panic.
    #[allow(clippy::indexing_slicing)]
    const FIRST: &BuiltinInfo = &BUILTINS[0];
    // every builtin has its entry (a test holds the table to the enum)
    BUILTINS
        .iter()
        .find(|b| b.builtin == builtin)
        .unwrap_or(FIRST)
}

/// The first name of every builtin, in table order.
pub fn names() -> impl Iterator<Item = &'static str> + Clone {
    BUILTINS.iter().map(BuiltinInfo::name)
}

/// The team aggregate a builtin lowers to, if it is one.
pub fn aggregate(builtin: Builtin) -> Option<AggKind> {
    match builtin {
        Builtin::TeamAvg => Some(AggKind::Avg),
        Builtin::TeamSum => Some(AggKind::Sum),
        Builtin::TeamMin => Some(AggKind::Min),
        Builtin::TeamMax => Some(AggKind::Max),
        Builtin::TeamCount => Some(AggKind::Count),
        Builtin::Min
        | Builtin::Max
        | Builtin::Clamp
        | Builtin::Abs
        | Builtin::Floor
        | Builtin::Ceil
        | Builtin::Round
        | Builtin::TeamFirst
        | Builtin::TeamLast
        | Builtin::Rank
        | Builtin::Prev
        | Builtin::Streak
        | Builtin::HasPrev => None,
    }
}

/// The builtin an arithmetic function comes from (for `explain`).
pub fn of_func(f: crate::ir::Func) -> Builtin {
    use crate::ir::Func;
    match f {
        Func::Min => Builtin::Min,
        Func::Max => Builtin::Max,
        Func::Clamp => Builtin::Clamp,
        Func::Abs => Builtin::Abs,
        Func::Floor => Builtin::Floor,
        Func::Ceil => Builtin::Ceil,
        Func::Round(_) => Builtin::Round,
    }
}

/// The builtin an aggregate comes from (for `explain`).
pub fn of_aggregate(kind: AggKind) -> Builtin {
    match kind {
        AggKind::Avg => Builtin::TeamAvg,
        AggKind::Sum => Builtin::TeamSum,
        AggKind::Min => Builtin::TeamMin,
        AggKind::Max => Builtin::TeamMax,
        AggKind::Count => Builtin::TeamCount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_one_entry_and_unique_names() {
        let all = [
            Builtin::Min,
            Builtin::Max,
            Builtin::Clamp,
            Builtin::Abs,
            Builtin::Floor,
            Builtin::Ceil,
            Builtin::Round,
            Builtin::TeamAvg,
            Builtin::TeamSum,
            Builtin::TeamMin,
            Builtin::TeamMax,
            Builtin::TeamCount,
            Builtin::TeamFirst,
            Builtin::TeamLast,
            Builtin::Rank,
            Builtin::Prev,
            Builtin::Streak,
            Builtin::HasPrev,
        ];
        assert_eq!(all.len(), BUILTINS.len());
        for b in all {
            assert_eq!(
                BUILTINS.iter().filter(|i| i.builtin == b).count(),
                1,
                "{b:?}"
            );
            assert_eq!(info(b).builtin, b);
        }
        let mut names: Vec<&str> = BUILTINS
            .iter()
            .flat_map(|b| b.names.iter().copied())
            .collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a name is listed twice");
        for kind in [
            AggKind::Avg,
            AggKind::Sum,
            AggKind::Min,
            AggKind::Max,
            AggKind::Count,
        ] {
            assert_eq!(aggregate(of_aggregate(kind)), Some(kind));
        }
    }
}
