//! Warnings of the static analysis, and all their wording in English and
//! Chinese. Lints hold data; the text is made here, in one place.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub use crate::diag::{Lang, Report};
use crate::syntax::ast::Span;
use miette::Severity;

/// Which branch [`Lint::Unreached`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branch {
    /// The `then` of an `if` whose condition is always false.
    Then,
    /// The `else` of an `if` whose condition is always true.
    Else,
    /// A `cases` rule whose condition is always false.
    Rule,
    /// A `cases` rule after one whose condition is always true.
    RuleAfter,
}

/// Which constant mistake [`Lint::ConstantMistake`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mistake {
    /// `each 0% above …`: a step of zero or less.
    ZeroStep,
    /// `scale … from 25s..25s`.
    EmptyScale,
    /// `x / 0`.
    DivideByZero,
}

/// A warning found by `kpi check`.
#[derive(Debug, Clone, PartialEq)]
pub enum Lint {
    /// `refund_rate > industry + 0.1`: the bare number is 10 %.
    BareNumberWithPercent {
        literal: String,
        percent: String,
        span: Span,
        other: Span,
    },
    /// Values of the band's subject that no arm matches.
    BandGap {
        witness: String,
        interval: String,
        /// The table; the arms just below and just above the gap, when
        /// there are (they are underlined instead).
        span: Span,
        below: Option<Span>,
        above: Option<Span>,
        grade: bool,
    },
    /// A later arm claims values an earlier arm already takes.
    BandOverlap {
        witness: String,
        span: Span,
        earlier: Span,
    },
    /// An arm no value can reach: earlier arms take all its values.
    DeadArm {
        span: Span,
        shadow: Option<Span>,
        is_else: bool,
    },
    /// A match arm whose levels earlier arms all take (or an `else` after
    /// every level).
    DeadMatchArm { span: Span, is_else: bool },
    /// An `if` branch or a `cases` rule no record can reach, given the
    /// inputs' ranges: `cond` is always `always` (the `if`'s condition, the
    /// rule's own condition, or an earlier rule's that is always true).
    Unreached {
        span: Span,
        cond: Span,
        always: bool,
        what: Branch,
    },
    /// A constant that makes a rule fail or mean nothing: a step of 0, a
    /// scale from an empty range, a division by 0.
    ConstantMistake { span: Span, what: Mistake },
    /// An arm whose condition no value satisfies (`45% > x >= 50%`).
    EmptyArm { span: Span },
    /// Item weights that do not add up to the expected total.
    WeightsSum {
        sum: String,
        expected: String,
        spans: Vec<Span>,
    },
    /// Item weights while no total is a `weighted sum of items`: they change
    /// nothing. `total` is the plain `sum of items`, if there is one.
    WeightsIgnored {
        spans: Vec<Span>,
        total: Option<Span>,
    },
    /// Inputs without a default that a test record does not give: `kpi
    /// test` would fail on them.
    TestInputMissing {
        test: String,
        names: Vec<String>,
        span: Span,
    },
    /// A grade the total can never reach.
    UnreachableGrade {
        level: String,
        subject: String,
        range: String,
        span: Span,
    },
    /// A money output that can be negative.
    PayoutNegative {
        output: String,
        value: String,
        when: String,
        span: Span,
    },
    /// A money output that falls as a score rises.
    PayoutFalls {
        output: String,
        var: String,
        low: String,
        high: String,
        /// The arms taken at `low` and at `high` where they differ: the
        /// rules that invert the pay (`span` is the output's name).
        arms: Option<(Span, Span)>,
        pay_low: String,
        pay_high: String,
        span: Span,
    },
}

impl Lint {
    pub fn code(&self) -> &'static str {
        match self {
            Lint::BareNumberWithPercent { .. } => "kpi::bare_number_with_percent",
            Lint::BandGap { grade: false, .. } => "kpi::band_gap",
            Lint::BandGap { grade: true, .. } => "kpi::grade_gap",
            Lint::BandOverlap { .. } => "kpi::band_overlap",
            Lint::DeadArm { .. } | Lint::DeadMatchArm { .. } | Lint::Unreached { .. } => {
                "kpi::unreachable_arm"
            }
            Lint::ConstantMistake { .. } => "kpi::constant_mistake",
            Lint::EmptyArm { .. } => "kpi::empty_band",
            Lint::WeightsSum { .. } => "kpi::weights_sum",
            Lint::WeightsIgnored { .. } => "kpi::weights_ignored",
            Lint::TestInputMissing { .. } => "kpi::test_input_missing",
            Lint::UnreachableGrade { .. } => "kpi::unreachable_grade",
            Lint::PayoutNegative { .. } => "kpi::payout_negative",
            Lint::PayoutFalls { .. } => "kpi::payout_not_monotone",
        }
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        match self {
            Lint::BareNumberWithPercent { span, .. }
            | Lint::BandOverlap { span, .. }
            | Lint::DeadArm { span, .. }
            | Lint::DeadMatchArm { span, .. }
            | Lint::Unreached { span, .. }
            | Lint::ConstantMistake { span, .. }
            | Lint::TestInputMissing { span, .. }
            | Lint::EmptyArm { span }
            | Lint::UnreachableGrade { span, .. }
            | Lint::PayoutNegative { span, .. } => *span,
            Lint::PayoutFalls { span, arms, .. } => arms.map_or(*span, |(_, high)| high),
            Lint::WeightsSum { spans, .. } | Lint::WeightsIgnored { spans, .. } => {
                spans.first().copied().unwrap_or_default()
            }
            Lint::BandGap {
                span, below, above, ..
            } => below.or(*above).unwrap_or(*span),
        }
    }

    pub fn report(&self, lang: Lang) -> Report {
        let zh = lang == Lang::Zh;
        let (message, labels, help): (String, Vec<(Span, String)>, String) = match self {
            Lint::BareNumberWithPercent {
                literal,
                percent,
                span,
                other,
            } => (
                if zh {
                    format!("`{literal}` 相当于 {percent}，而另一边是百分比")
                } else {
                    format!("`{literal}` is {percent}; the other side is a percent")
                },
                vec![
                    (
                        *span,
                        if zh {
                            format!("不带单位的数，相当于 {percent}")
                        } else {
                            format!("a bare number: {percent}")
                        },
                    ),
                    (
                        *other,
                        if zh {
                            "百分比".into()
                        } else {
                            "a percent".into()
                        },
                    ),
                ],
                if zh {
                    format!(
                        "如果指百分之 {}，请写 `{percent}`；如果指百分之 {literal}，请写 `{literal}%`",
                        percent.trim_end_matches('%')
                    )
                } else {
                    format!(
                        "write `{percent}` for {} percent, or `{literal}%` for {literal} percent",
                        percent.trim_end_matches('%')
                    )
                },
            ),
            Lint::BandGap {
                witness,
                interval,
                span,
                below,
                above,
                grade,
            } => (
                match (zh, grade) {
                    (false, false) => format!("{witness} matches no band"),
                    (false, true) => format!("a total of {witness} gets no grade"),
                    (true, false) => format!("{witness} 不属于任何档位"),
                    (true, true) => format!("总分 {witness} 得不到任何等级"),
                },
                // §3.1: the arms around the gap.
                match (below, above) {
                    (Some(b), Some(a)) => vec![
                        (
                            *b,
                            if zh {
                                format!("比这一档高的 {interval} 没有档位")
                            } else {
                                format!("no arm covers {interval}, above this one")
                            },
                        ),
                        (
                            *a,
                            if zh {
                                "……直到这一档".into()
                            } else {
                                "… up to this one".into()
                            },
                        ),
                    ],
                    (Some(b), None) => vec![(
                        *b,
                        if zh {
                            format!("比这一档高的 {interval} 没有档位")
                        } else {
                            format!("no arm covers {interval}, above this one")
                        },
                    )],
                    (None, Some(a)) => vec![(
                        *a,
                        if zh {
                            format!("比这一档低的 {interval} 没有档位")
                        } else {
                            format!("no arm covers {interval}, below this one")
                        },
                    )],
                    (None, None) => vec![(
                        *span,
                        if zh {
                            format!("{interval} 内的值都没有对应的档位")
                        } else {
                            format!("no arm covers {interval}")
                        },
                    )],
                },
                if zh {
                    format!("为 {interval} 补上一档，或加上 `else -> …`")
                } else {
                    format!("add an arm for {interval}, or an `else -> …` arm")
                },
            ),
            Lint::BandOverlap {
                witness,
                span,
                earlier,
            } => (
                if zh {
                    format!("{witness} 同时属于两个档位")
                } else {
                    format!("{witness} is claimed by two bands")
                },
                vec![
                    (
                        *span,
                        if zh {
                            format!("这一档也包含 {witness}")
                        } else {
                            format!("this band also claims {witness}")
                        },
                    ),
                    (
                        *earlier,
                        if zh {
                            format!("{witness} 先匹配到这一档")
                        } else {
                            format!("{witness} matches this band first")
                        },
                    ),
                ],
                if zh {
                    format!("先确定 {witness} 属于哪一档，再把另一档的这个边界改为不含（用 `<` 或 `>`）")
                } else {
                    format!("decide which band {witness} belongs to, and exclude it from the other one (`<` or `>` instead of `<=` or `>=`)")
                },
            ),
            Lint::DeadArm {
                span,
                shadow,
                is_else,
            } => {
                let mut labels = vec![(
                    *span,
                    if zh {
                        "这一档永远匹配不到".into()
                    } else {
                        "this arm can never match".to_string()
                    },
                )];
                if let Some(s) = shadow {
                    labels.push((
                        *s,
                        if zh {
                            "它的值都先被这一档取走".into()
                        } else {
                            "its values all match this earlier arm".to_string()
                        },
                    ));
                }
                (
                    match (zh, is_else) {
                        (false, false) => "unreachable band".into(),
                        (false, true) => {
                            "unreachable `else`: the bands above cover every value".into()
                        }
                        (true, false) => "永远匹配不到的档位".into(),
                        (true, true) => "`else` 永远匹配不到：上面的档位已覆盖所有取值".into(),
                    },
                    labels,
                    if zh {
                        "删掉这一档，或调整前面档位的边界".into()
                    } else {
                        "remove this arm or fix the bounds of the arms before it".into()
                    },
                )
            }
            Lint::DeadMatchArm { span, is_else } => (
                match (zh, is_else) {
                    (false, false) => {
                        "unreachable match arm: earlier arms take all its levels".into()
                    }
                    (false, true) => "unreachable `else`: the arms above name every level".into(),
                    (true, false) => {
                        "永远匹配不到的 match 分支：它的等级都已被前面的分支取走".into()
                    }
                    (true, true) => "`else` 永远匹配不到：上面的分支已列出所有等级".into(),
                },
                vec![(
                    *span,
                    if zh {
                        "这个分支永远用不到".into()
                    } else {
                        "this arm is never used".into()
                    },
                )],
                if zh {
                    "删掉这个分支".into()
                } else {
                    "remove this arm".into()
                },
            ),
            Lint::Unreached {
                span,
                cond,
                always,
                what,
            } => {
                let (message, here) = match (what, zh) {
                    (Branch::Then, false) => (
                        "the `then` branch is never taken: the condition is always false",
                        "never taken",
                    ),
                    (Branch::Then, true) => {
                        ("`then` 分支永远不会执行：条件总是不成立", "永远不会执行")
                    }
                    (Branch::Else, false) => (
                        "the `else` branch is never taken: the condition is always true",
                        "never taken",
                    ),
                    (Branch::Else, true) => {
                        ("`else` 分支永远不会执行：条件总是成立", "永远不会执行")
                    }
                    (Branch::Rule, false) => (
                        "this rule never applies: its condition is always false",
                        "never applies",
                    ),
                    (Branch::Rule, true) => {
                        ("这条规则永远不会生效：它的条件总是不成立", "永远不会生效")
                    }
                    (Branch::RuleAfter, false) => (
                        "this rule is never reached: an earlier rule's condition is always true",
                        "never reached",
                    ),
                    (Branch::RuleAfter, true) => (
                        "这条规则永远轮不到：前面一条规则的条件总是成立",
                        "永远轮不到",
                    ),
                };
                let cond_label = match (always, zh) {
                    (true, false) => "always true for the inputs' valid values",
                    (false, false) => "always false for the inputs' valid values",
                    (true, true) => "按输入的取值范围，这个条件总是成立",
                    (false, true) => "按输入的取值范围，这个条件总是不成立",
                };
                (
                    message.into(),
                    vec![(*span, here.into()), (*cond, cond_label.into())],
                    if zh {
                        "对照输入声明的取值范围检查这个条件，或删掉用不到的分支".into()
                    } else {
                        "check the condition against the inputs' declared ranges, or remove the branch that is never used".into()
                    },
                )
            }
            Lint::ConstantMistake { span, what } => {
                let (message, label, help) = match (what, zh) {
                    (Mistake::ZeroStep, false) => (
                        "a step of zero or less: every record fails to evaluate",
                        "this step is not above zero",
                        "write a step above zero, e.g. `each 0.1% above …`",
                    ),
                    (Mistake::ZeroStep, true) => (
                        "步长为零或负数：每条记录都会计算失败",
                        "步长必须大于零",
                        "请写大于零的步长，例如 `each 0.1% above …`",
                    ),
                    (Mistake::EmptyScale, false) => (
                        "the scale's range is empty: every record fails to evaluate",
                        "both ends are the same",
                        "give the scale two different ends, e.g. `from 25s..65s`",
                    ),
                    (Mistake::EmptyScale, true) => (
                        "线性换算的区间为空：每条记录都会计算失败",
                        "两端相同",
                        "请给出两个不同的端点，例如 `from 25s..65s`",
                    ),
                    (Mistake::DivideByZero, false) => (
                        "division by zero: every record that gets here fails to evaluate",
                        "this is always 0",
                        "divide by something that is not 0",
                    ),
                    (Mistake::DivideByZero, true) => (
                        "除以零：算到这里的记录都会计算失败",
                        "这个值总是 0",
                        "请不要除以 0",
                    ),
                };
                (message.into(), vec![(*span, label.into())], help.into())
            }
            Lint::TestInputMissing { test, names, span } => {
                let list = names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(if zh { "、" } else { ", " });
                (
                    if zh {
                        format!("测试 `{test}` 没有给出 {list} 的值，而它没有默认值")
                    } else {
                        format!("test `{test}` gives no value for {list}, which has no default")
                    },
                    vec![(
                        *span,
                        if zh {
                            "`kpi test` 会因此失败".into()
                        } else {
                            "`kpi test` fails on this record".into()
                        },
                    )],
                    if zh {
                        format!("请在这条记录里给出 {list}，或为它声明 `default`")
                    } else {
                        format!("add {list} to this record's values, or declare a `default` for it")
                    },
                )
            }
            Lint::EmptyArm { span } => (
                if zh {
                    "空档位：没有任何值满足这个条件".into()
                } else {
                    "empty band: no value satisfies this condition".into()
                },
                vec![(
                    *span,
                    if zh {
                        "下限高于上限".into()
                    } else {
                        "the lower bound is above the upper bound".into()
                    },
                )],
                if zh {
                    "检查比较方向，例如 `45% > x >= 50%` 应为 `45% <= x < 50%`".into()
                } else {
                    "check the comparison directions, e.g. `45% > x >= 50%` should be `45% <= x < 50%`".into()
                },
            ),
            Lint::WeightsIgnored { spans, total } => {
                let mut labels: Vec<(Span, String)> = spans
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let text = match (i, zh) {
                            (0, false) => "this weight is never used".to_string(),
                            (0, true) => "这个权重没有用到".to_string(),
                            _ => String::new(),
                        };
                        (*s, text)
                    })
                    .collect();
                if let Some(t) = total {
                    labels.push((
                        *t,
                        if zh {
                            "这里直接相加各项得分，不看权重".into()
                        } else {
                            "this adds the items' scores, without weights".into()
                        },
                    ));
                }
                (
                    if zh {
                        "各项的权重被忽略了：总分不是加权求和".into()
                    } else {
                        "the item weights are ignored: the total is not a weighted sum".into()
                    },
                    labels,
                    if zh {
                        "如果要按权重计算，请写 `total = weighted sum of items`；否则删去权重"
                            .into()
                    } else {
                        "write `total = weighted sum of items` to apply them, or remove the weights"
                            .into()
                    },
                )
            }
            Lint::WeightsSum {
                sum,
                expected,
                spans,
            } => (
                if zh {
                    format!("权重合计 {sum}，不是 {expected}")
                } else {
                    format!("the weights add up to {sum}, not {expected}")
                },
                spans
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        (
                            *s,
                            if i == 0 {
                                if zh {
                                    format!("合计 {sum}")
                                } else {
                                    format!("these add up to {sum}")
                                }
                            } else {
                                String::new()
                            },
                        )
                    })
                    .collect(),
                if zh {
                    format!("调整各项权重，使合计为 {expected}")
                } else {
                    format!("adjust the weights so that they add up to {expected}")
                },
            ),
            Lint::UnreachableGrade {
                level,
                subject,
                range,
                span,
            } => (
                if zh {
                    format!("等级 `{level}` 永远达不到")
                } else {
                    format!("grade `{level}` can never be reached")
                },
                vec![(
                    *span,
                    if zh {
                        format!("`{subject}` 的取值范围是 {range}")
                    } else {
                        format!("`{subject}` is always in {range}")
                    },
                )],
                if zh {
                    "调整这一等级的分数线，或检查各项得分的上限".into()
                } else {
                    "lower this grade's threshold, or check the items' maximum scores".into()
                },
            ),
            Lint::PayoutNegative {
                output,
                value,
                when,
                span,
            } => (
                if zh {
                    format!("`{output}` 可能为负：{value}")
                } else {
                    format!("`{output}` can be negative: {value}")
                },
                vec![(
                    *span,
                    if zh {
                        format!("当 {when}")
                    } else {
                        format!("when {when}")
                    },
                )],
                if zh {
                    format!("用 `max(0元, …)` 给 `{output}` 设下限，或检查公式")
                } else {
                    format!("floor it with `max(0元, …)`, or check the formula of `{output}`")
                },
            ),
            Lint::PayoutFalls {
                output,
                var,
                low,
                high,
                arms,
                pay_low,
                pay_high,
                span,
            } => (
                if zh {
                    format!("`{var}` 越高，`{output}` 反而越低")
                } else {
                    format!("`{output}` falls as `{var}` rises")
                },
                match arms {
                    // §3.1: point at the arms that invert the pay.
                    Some((at_low, at_high)) => vec![
                        (
                            *at_high,
                            if zh {
                                format!("`{var}` 为 {high} 时走这条，发 {pay_high}")
                            } else {
                                format!("{pay_high} from this rule at `{var}` = {high}")
                            },
                        ),
                        (
                            *at_low,
                            if zh {
                                format!("`{var}` 为 {low} 时走这条，发 {pay_low}")
                            } else {
                                format!("{pay_low} from this rule at {low}")
                            },
                        ),
                        (
                            *span,
                            if zh {
                                "这项支付".into()
                            } else {
                                "this payout".into()
                            },
                        ),
                    ],
                    None => vec![(
                        *span,
                        if zh {
                            format!("`{var}` 为 {low} 时是 {pay_low}，为 {high} 时却是 {pay_high}")
                        } else {
                            format!("{pay_low} at `{var}` = {low}, but {pay_high} at {high}")
                        },
                    )],
                },
                if zh {
                    "检查各档之间的衔接：分数更高的档位不应发得更少".into()
                } else {
                    "check where the bands meet: a higher score should never pay less".into()
                },
            ),
        };
        Report {
            code: self.code(),
            severity: Severity::Warning,
            message,
            labels,
            help: Some(help),
        }
    }
}
