//! Errors of the checker. Each error holds data (names, types, spans, a
//! suggestion); [`CheckError::report`] writes its text in English or
//! Chinese. All the wording of the checker's errors lives in this file.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::calls::MAX_ROUND_PLACES;
use crate::diag::{
    chars_capped, did_you_mean, english_diagnostic, ty_name, Lang, Report, SUGGEST_MAX_CHARS,
};
use crate::eval::expr::FaultKind;
use crate::syntax::ast::Span;
use crate::types::{Dim, NumKind, Ty};

/// An error found by `kpi check`.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckError {
    UnknownName {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    UnknownType {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    UnknownFunction {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A name declared twice: `span` is the second declaration.
    Duplicate {
        name: String,
        span: Span,
        first: Span,
    },
    DuplicateLevel {
        level: String,
        span: Span,
    },
    /// A level that is not one of `levels`.
    UnknownLevel {
        level: String,
        levels: Vec<String>,
        span: Span,
        suggestion: Option<String>,
    },
    /// Two operands of different units.
    UnitMismatch {
        op: Op,
        left: Ty,
        right: Ty,
        left_span: Span,
        right_span: Span,
        hint: UnitHint,
    },
    /// A value of the wrong type; `because` points at what demands `expected`.
    TypeMismatch {
        expected: Expected,
        found: Ty,
        span: Span,
        because: Option<Span>,
        hint: Hint,
    },
    /// A `match` arm whose pattern is not a value of the subject's type.
    PatternMismatch {
        subject: Ty,
        span: Span,
        because: Span,
    },
    /// Branches (band arms, `if`, `cases`, …) giving values of different types.
    ArmTypeMismatch {
        first: Ty,
        found: Ty,
        span: Span,
        first_span: Span,
    },
    /// A `match` without an arm for each of `missing`.
    NotExhaustive {
        missing: Vec<String>,
        span: Span,
    },
    /// Declarations defined in terms of each other: every member of the
    /// loop in order (name, span of its name), each using the next and the
    /// last using the first.
    Cycle {
        members: Vec<(String, Span)>,
    },
    WrongArity {
        func: String,
        expected: Arity,
        found: usize,
        span: Span,
    },
    NotConstant {
        what: ConstUse,
        span: Span,
    },
    /// Something not allowed, with no better category.
    Invalid {
        problem: Problem,
        span: Span,
    },
    /// An embedded test naming something the policy does not have.
    BadTest {
        test: String,
        name: String,
        target: TestTarget,
        span: Span,
        suggestion: Option<String>,
    },
}

/// The operation of a unit mismatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Subtract,
    Multiply,
    Divide,
    Compare,
}

/// The help of a unit mismatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitHint {
    /// A bare literal that probably lacks its unit: `2` → `2元`.
    WithUnit(String),
    /// A unitless number meets a duration or money (the dimension named).
    NeedsUnit(Dim),
    /// Both sides carry units, and they differ.
    SameUnit,
    /// `*` of two values with units.
    MultiplyByNumber,
    /// `avg_response + 5%`: the whole suggested expression
    /// (`avg_response * 105%`).
    Scale(String),
    /// `/` of two values with different units.
    DivideBy,
}

/// What a value was expected to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A declared type.
    Ty(Ty),
    Number,
    /// A number, money or a duration.
    Quantity,
    /// A condition (true or false).
    Condition,
    GradeOrBool,
    NumberOrPercent,
    NumberOrMoney,
    Percent,
}

/// The help of a type mismatch: why the value must have that type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// How to turn the found type into the declared one.
    Convert,
    Negate,
    Condition,
    /// Bands, steps and scales compare quantities.
    Quantity,
    ScaleTarget,
    Arithmetic,
    Order,
    MatchSubject,
    PlainNumber(NumberUse),
    MinMax,
    RoundDuration,
    Quota,
    Weight,
    GradeSubject,
}

/// Where a plain number is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberUse {
    PointsPerStep,
    Cap,
}

/// How many arguments a function takes.
pub use crate::builtins::Arity;

/// What must be a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstUse {
    Const,
    Default,
    RangeBound,
    Weight,
    Quota,
    TestValue,
}

/// What an embedded test names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestTarget {
    Input,
    Context,
    Output,
}

/// Problems with one construct, each with its own code ([`Problem::code`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    NumberTooLarge,
    NoRules,
    NoArms,
    RangeNotNumeric {
        name: String,
        ty: Ty,
    },
    EmptyRange,
    NoItems,
    ItemNotNumber {
        name: String,
        ty: Ty,
    },
    NoWeight {
        name: String,
    },
    /// A default or test value its input's type or range refuses
    /// (`count default 1.5`, `p = 11` for `points in 0..10`).
    BadValue {
        what: ConstUse,
        name: String,
        value: String,
        fault: ValueFault,
    },
    /// `weight 40` under `weighted sum of items`: it would multiply the
    /// item's score by 40.
    WeightNotPercent {
        weight: String,
    },
    NoOrder {
        func: String,
    },
    BadPlaces,
    QuotasOver100,
    ConstFault {
        what: ConstUse,
        fault: FaultKind,
    },
    NotTerminating {
        what: ConstUse,
    },
    /// A `table`/`fn` body reads something other than its parameters,
    /// constants and other functions.
    NotPure {
        func: String,
        name: String,
    },
    /// A `table`/`fn` named like a built-in function.
    BuiltinName {
        name: String,
    },
    /// A `table`/`fn` used as a value, without arguments.
    NotCalled {
        name: String,
    },
    Internal,
}

impl Problem {
    /// The stable code, one per problem.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::NumberTooLarge => "kpi::number_too_large",
            Problem::NoRules => "kpi::empty_cases",
            Problem::NoArms => "kpi::empty_band_table",
            Problem::RangeNotNumeric { .. } => "kpi::range_not_numeric",
            Problem::EmptyRange => "kpi::empty_range",
            Problem::NoItems => "kpi::no_items",
            Problem::ItemNotNumber { .. } => "kpi::item_not_number",
            Problem::NoWeight { .. } => "kpi::missing_weight",
            Problem::WeightNotPercent { .. } => "kpi::weight_not_percent",
            Problem::BadValue { .. } => "kpi::invalid_value",
            Problem::NoOrder { .. } => "kpi::order_not_allowed",
            Problem::BadPlaces => "kpi::bad_round_places",
            Problem::QuotasOver100 => "kpi::quotas_over_100",
            Problem::ConstFault { .. } => "kpi::constant_fault",
            Problem::NotTerminating { .. } => "kpi::not_terminating",
            Problem::NotPure { .. } => "kpi::function_not_pure",
            Problem::BuiltinName { .. } => "kpi::builtin_name",
            Problem::NotCalled { .. } => "kpi::function_not_called",
            Problem::Internal => "kpi::internal",
        }
    }
}

impl CheckError {
    pub fn unknown_name(name: &str, span: Span, suggestion: Option<String>) -> CheckError {
        CheckError::UnknownName {
            name: name.to_string(),
            span,
            suggestion,
        }
    }

    /// The stable code, e.g. `kpi::unknown_name`.
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::UnknownName { .. } => "kpi::unknown_name",
            CheckError::UnknownType { .. } => "kpi::unknown_type",
            CheckError::UnknownFunction { .. } => "kpi::unknown_function",
            CheckError::Duplicate { .. } => "kpi::duplicate_definition",
            CheckError::DuplicateLevel { .. } => "kpi::duplicate_level",
            CheckError::UnknownLevel { .. } => "kpi::unknown_level",
            CheckError::UnitMismatch { .. } => "kpi::unit_mismatch",
            CheckError::TypeMismatch { .. } | CheckError::PatternMismatch { .. } => {
                "kpi::type_mismatch"
            }
            CheckError::ArmTypeMismatch { .. } => "kpi::arm_type_mismatch",
            CheckError::NotExhaustive { .. } => "kpi::match_not_exhaustive",
            CheckError::Cycle { .. } => "kpi::cyclic_definition",
            CheckError::WrongArity { .. } => "kpi::wrong_arguments",
            CheckError::NotConstant { .. } => "kpi::not_constant",
            CheckError::Invalid { problem, .. } => problem.code(),
            CheckError::BadTest { .. } => "kpi::bad_test",
        }
    }

    /// The error's text in `lang`.
    pub fn report(&self, lang: Lang) -> Report {
        let zh = lang == Lang::Zh;
        let t = |ty: &Ty| ty_name(ty, lang);
        let (message, labels, help): (String, Vec<(Span, String)>, Option<String>) = match self {
            CheckError::UnknownName {
                name,
                span,
                suggestion,
            } => (
                lang.pick(
                    format!("unknown name `{name}`"),
                    format!("方案里没有叫 `{name}` 的数据项"),
                ),
                vec![(
                    *span,
                    lang.pick("not declared in this policy", "方案中没有定义这个名字")
                        .into(),
                )],
                suggestion.as_deref().map(|s| did_you_mean(s, lang)),
            ),
            CheckError::UnknownType {
                name,
                span,
                suggestion,
            } => (
                lang.pick(
                    format!("unknown type `{name}`"),
                    format!("没有叫 `{name}` 的类型"),
                ),
                vec![(*span, lang.pick("not a type", "不是类型").into())],
                Some(match suggestion {
                    Some(s) => did_you_mean(s, lang),
                    None => lang.pick(
                        format!(
                            "types are {}, and `grade(L1, L2, …)`",
                            Ty::NAMES.join(", ")
                        ),
                        format!(
                            "可用的类型有 {}，以及 `grade(L1, L2, …)`",
                            Ty::NAMES.join("、")
                        ),
                    ),
                }),
            ),
            CheckError::UnknownFunction {
                name,
                span,
                suggestion,
            } => (
                lang.pick(
                    format!("unknown function `{name}`"),
                    format!("没有叫 `{name}` 的函数"),
                ),
                vec![(*span, lang.pick("not a function", "不是函数").into())],
                Some(match suggestion {
                    Some(s) => did_you_mean(s, lang),
                    None => lang.pick(
                        format!("functions are {}", crate::builtins::names().collect::<Vec<_>>().join(", ")),
                        format!("可用的函数有 {}", crate::builtins::names().collect::<Vec<_>>().join("、")),
                    ),
                }),
            ),
            CheckError::Duplicate { name, span, first } => (
                lang.pick(
                    format!("`{name}` is defined twice"),
                    format!("`{name}` 定义了两次"),
                ),
                vec![
                    (
                        *span,
                        lang.pick("defined again here", "这里又定义了一次").into(),
                    ),
                    (
                        *first,
                        lang.pick("first defined here", "第一次在这里定义").into(),
                    ),
                ],
                Some(
                    lang.pick(
                        "rename one of them; every input, value, item and output needs its own name",
                        "请给其中一个改名：每个输入、取值、得分项和输出都要有自己的名字",
                    )
                    .into(),
                ),
            ),
            CheckError::DuplicateLevel { level, span } => (
                lang.pick(
                    format!("level `{level}` is listed twice"),
                    format!("等级 `{level}` 写了两次"),
                ),
                vec![(*span, lang.pick("listed again here", "这里重复了").into())],
                Some(lang.pick(
                    format!("remove the second `{level}`"),
                    format!("删掉第二个 `{level}`"),
                )),
            ),
            CheckError::UnknownLevel {
                level,
                levels,
                span,
                suggestion,
            } => (
                lang.pick(
                    format!(
                        "`{level}` is not a level of {}",
                        t(&Ty::Grade(levels.clone()))
                    ),
                    format!(
                        "`{level}` 不是可选的等级（{}）",
                        levels
                            .iter()
                            .map(|l| format!("`{l}`"))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ),
                vec![(
                    *span,
                    lang.pick("not one of the levels", "不在等级列表里").into(),
                )],
                Some(match suggestion {
                    Some(s) => did_you_mean(s, lang),
                    None => lang.pick(
                        format!("the levels are {}", levels.join(", ")),
                        "请从上面的等级中选一个".to_string(),
                    ),
                }),
            ),
            CheckError::UnitMismatch {
                op,
                left,
                right,
                left_span,
                right_span,
                hint,
            } => {
                let (l, r) = (operand(left, lang), operand(right, lang));
                let message = match (zh, op) {
                    (false, Op::Add) => format!("cannot add {l} and {r}"),
                    (false, Op::Subtract) => format!("cannot subtract {r} from {l}"),
                    (false, Op::Multiply) => format!("cannot multiply {l} by {r}"),
                    (false, Op::Divide) => format!("cannot divide {l} by {r}"),
                    (false, Op::Compare) => format!("cannot compare {l} with {r}"),
                    (true, Op::Add) => format!("不能把{l}和{r}相加"),
                    (true, Op::Subtract) => format!("不能把{l}和{r}相减"),
                    (true, Op::Multiply) => format!("不能把{l}和{r}相乘"),
                    (true, Op::Divide) => format!("不能用{l}除以{r}"),
                    (true, Op::Compare) => format!("不能把{l}和{r}作比较"),
                };
                let this = |s: &str| lang.pick(format!("this is {s}"), format!("这是{s}"));
                (
                    message,
                    vec![(*left_span, this(&l)), (*right_span, this(&r))],
                    Some(unit_hint(hint, *op, left, lang)),
                )
            }
            CheckError::TypeMismatch {
                expected,
                found,
                span,
                because,
                hint,
            } => {
                let e = expected_name(expected, lang);
                let f = t(found);
                let mut labels = vec![(
                    *span,
                    lang.pick(format!("this is {f}"), format!("这是{f}")),
                )];
                if let Some(b) = because {
                    labels.push((
                        *b,
                        lang.pick(
                            format!("{e} expected because of this"),
                            format!("因为这里要求{e}"),
                        ),
                    ));
                }
                (
                    lang.pick(
                        format!("expected {e}, found {f}"),
                        format!("这里需要{e}，但这是{f}"),
                    ),
                    labels,
                    Some(type_hint(*hint, expected, found, lang)),
                )
            }
            CheckError::PatternMismatch {
                subject,
                span,
                because,
            } => {
                let s = t(subject);
                (
                    lang.pick(
                        format!("expected {s}, found a pattern of another type"),
                        format!("这里需要{s}的取值，但这个分支写的是别的类型"),
                    ),
                    vec![
                        (
                            *span,
                            lang.pick(
                                "this is a pattern of another type".to_string(),
                                "这个分支的类型不对".to_string(),
                            ),
                        ),
                        (
                            *because,
                            lang.pick(
                                format!("{s} expected because of this"),
                                format!("因为这里要求{s}"),
                            ),
                        ),
                    ],
                    Some(lang.pick(
                        format!("the arms must be levels of {s}"),
                        format!("每个分支都必须是{s}的取值"),
                    )),
                )
            }
            CheckError::ArmTypeMismatch {
                first,
                found,
                span,
                first_span,
            } => {
                let (a, b) = (t(first), t(found));
                (
                    lang.pick(
                        format!("band arms give different types: {a} and {b}"),
                        format!("各个分支给出的值类型不同：{a}和{b}"),
                    ),
                    vec![
                        (
                            *span,
                            lang.pick(format!("this arm gives {b}"), format!("这个分支给出{b}")),
                        ),
                        (
                            *first_span,
                            lang.pick(
                                format!("the first arm gives {a}"),
                                format!("第一个分支给出{a}"),
                            ),
                        ),
                    ],
                    Some(
                        lang.pick(
                            "every branch must give the same kind of value",
                            "每个分支都要给出同一类的值",
                        )
                        .into(),
                    ),
                )
            }
            CheckError::NotExhaustive { missing, span } => {
                let or = crate::diag::code_list(missing, lang, "or", "或");
                let and = crate::diag::code_list(missing, lang, "and", "和");
                let arms: Vec<String> = missing.iter().map(|m| format!("{m} -> …")).collect();
                let arms = crate::diag::code_list(&arms, lang, "and", "和");
                (
                    lang.pick(
                        format!("this match has no arm for {or}"),
                        format!("这个 `match` 漏掉了 {and} 的情况"),
                    ),
                    vec![(
                        *span,
                        lang.pick(format!("missing {and}"), format!("缺少 {and}")),
                    )],
                    Some(lang.pick(
                        format!("add {arms}, or `else -> …`"),
                        format!("补上 {arms}，或加上 `else -> …`"),
                    )),
                )
            }
            CheckError::Cycle { members } => {
                let names: Vec<String> = members.iter().map(|(n, _)| format!("`{n}`")).collect();
                let first = names.first().cloned().unwrap_or_default();
                let message = match names.as_slice() {
                    [] | [_] => lang.pick(
                        format!("{first} depends on itself"),
                        format!("{first} 的计算用到了它自己"),
                    ),
                    [init @ .., last] => lang.pick(
                        format!("{} and {last} depend on each other", init.join(", ")),
                        format!("{}、{last} 的计算相互依赖", init.join("、")),
                    ),
                };
                let mut chain = names.clone();
                chain.push(first.clone());
                let labels = members
                    .iter()
                    .enumerate()
                    .map(|(i, (_, span))| {
                        let this = chain.get(i).cloned().unwrap_or_default();
                        let next = chain.get(i + 1).cloned().unwrap_or_default();
                        (
                            *span,
                            lang.pick(
                                format!("{this} is defined using {next}"),
                                format!("{this} 的定义用到了 {next}"),
                            ),
                        )
                    })
                    .collect();
                (
                    message,
                    labels,
                    Some(lang.pick(
                        format!("the loop {} never ends; define one of these values without the others", chain.join(" → ")),
                        format!("{} 形成了循环；请让其中一个不再依赖其他几个", chain.join(" → ")),
                    )),
                )
            }
            CheckError::WrongArity {
                func,
                expected,
                found,
                span,
            } => (
                lang.pick(
                    format!(
                        "`{func}` takes {}, found {found} argument(s)",
                        arity_en(*expected)
                    ),
                    format!(
                        "`{func}` {}，但这里有 {found} 个参数",
                        arity_zh(*expected)
                    ),
                ),
                vec![(*span, lang.pick("called here", "在这里调用").into())],
                Some(arity_help(func, lang)),
            ),
            CheckError::NotConstant { what, span } => (
                lang.pick(
                    format!("{} must be a constant", const_use(*what, lang)),
                    format!("{}不能用到每个人的数据", const_use(*what, lang)),
                ),
                vec![(
                    *span,
                    lang.pick("depends on record data", "这里用到了每个人的数据").into(),
                )],
                Some(
                    lang.pick(
                        "write a literal such as `35%` or `¥500`, or the name of a `const`",
                        "写一个具体的值，例如 `35%` 或 `¥500`，或者一个 `const` 的名字",
                    )
                    .into(),
                ),
            ),
            CheckError::Invalid { problem, span } => {
                let (what, help) = problem_text(problem, lang);
                (
                    what,
                    vec![(*span, lang.pick("here", "这里").into())],
                    Some(help),
                )
            }
            CheckError::BadTest {
                test,
                name,
                target,
                span,
                suggestion,
            } => {
                let kind = match (target, zh) {
                    (TestTarget::Input, false) => "an input",
                    (TestTarget::Context, false) => "a context input",
                    (TestTarget::Output, false) => "an output",
                    (TestTarget::Input, true) => "输入",
                    (TestTarget::Context, true) => "期间参数（context）",
                    (TestTarget::Output, true) => "输出",
                };
                (
                    lang.pick(
                        format!("test `{test}`: `{name}` is not {kind} of this policy"),
                        format!("测试 `{test}`：`{name}` 不是本方案的{kind}"),
                    ),
                    vec![(*span, lang.pick("here", "这里").into())],
                    suggestion.as_deref().map(|s| did_you_mean(s, lang)),
                )
            }
        };
        Report::error(self.code(), message, labels, help)
    }
}

english_diagnostic!(CheckError);

/// An operand's type in a unit mismatch: a unitless number is 普通数字.
fn operand(ty: &Ty, lang: Lang) -> String {
    match (lang, ty) {
        (Lang::Zh, Ty::Number(NumKind::Plain)) => "普通数字".into(),
        _ => ty_name(ty, lang),
    }
}

fn unit_hint(hint: &UnitHint, op: Op, left: &Ty, lang: Lang) -> String {
    match hint {
        UnitHint::WithUnit(s) => did_you_mean(s, lang),
        UnitHint::NeedsUnit(Dim::Money) => lang
            .pick(
                "money needs a unit: `¥500` or `500元`",
                "金额要写单位，例如 `¥500` 或 `500元`",
            )
            .into(),
        UnitHint::NeedsUnit(_) => lang
            .pick(
                "durations need a unit: `30s`, `5min`, `2d`",
                "时长要写单位，例如 `30s`、`5min`、`2d`",
            )
            .into(),
        UnitHint::SameUnit => {
            let (en, zh) = match left.dim() {
                Dim::Number => ("a number", "数字"),
                Dim::Duration => ("a duration", "时长"),
                Dim::Money => ("money", "金额"),
                Dim::Bool => ("a bool", "是否值"),
                Dim::Text => ("text", "文字"),
                Dim::Grade => ("a grade", "等级"),
            };
            let (en_other, zh_other) = match left.dim() {
                Dim::Number => ("a number or a percent", "数字或百分比"),
                Dim::Grade => ("a level of the same grade", "同一种等级"),
                _ => (en, zh),
            };
            match lang {
                Lang::En => {
                    let verb = match op {
                        Op::Add => "added to",
                        Op::Subtract => "subtracted from",
                        Op::Multiply => "multiplied by",
                        Op::Divide => "divided by",
                        Op::Compare => "compared with",
                    };
                    format!(
                        "both sides must have the same unit: {en} can only be {verb} {en_other}"
                    )
                }
                Lang::Zh => {
                    let verb = match op {
                        Op::Add => "相加",
                        Op::Subtract => "相减",
                        Op::Multiply => "相乘",
                        Op::Divide => "相除",
                        Op::Compare => "比较",
                    };
                    format!("两边的单位必须一致：{zh}只能和{zh_other}{verb}")
                }
            }
        }
        UnitHint::Scale(s) => lang.pick(
            format!("to add a percentage of it, multiply: did you mean `{s}`?"),
            format!("要按百分比增减，请用乘法：是不是想写 `{s}`？"),
        ),
        UnitHint::MultiplyByNumber => lang
            .pick(
                "one side of `*` must be a plain number or percent",
                "相乘时至少有一边要是普通数字或百分比",
            )
            .into(),
        UnitHint::DivideBy => lang
            .pick(
                "divide by a plain number, or by a value of the same unit to get a ratio",
                "请除以普通数字；或除以单位相同的值，得到一个比例",
            )
            .into(),
    }
}

fn expected_name(e: &Expected, lang: Lang) -> String {
    let (en, zh) = match e {
        Expected::Ty(t) => return ty_name(t, lang),
        Expected::Number => ("a number", "数字"),
        Expected::Quantity => ("a number, money or a duration", "数字、金额或时长"),
        Expected::Condition => ("a condition (true or false)", "一个条件（成立或不成立）"),
        Expected::GradeOrBool => ("a grade or a bool", "等级或是否值"),
        Expected::NumberOrPercent => ("a number or percent", "数字或百分比"),
        Expected::NumberOrMoney => ("a number or money", "数字或金额"),
        Expected::Percent => ("a percent", "百分比"),
    };
    lang.pick(en, zh).into()
}

fn type_hint(hint: Hint, expected: &Expected, found: &Ty, lang: Lang) -> String {
    let (en, zh): (&str, &str) = match hint {
        Hint::Convert => {
            return match expected {
                Expected::Ty(want) => conversion_help(want, found, lang),
                other => lang.pick(
                    format!(
                        "write {} here, or change the expression",
                        expected_name(other, lang)
                    ),
                    format!("这里请写{}，或修改公式", expected_name(other, lang)),
                ),
            }
        }
        Hint::Negate => (
            "only numbers, money and durations can be negated",
            "只有数字、金额和时长可以取负数",
        ),
        Hint::Condition => (
            "compare values to get a condition, e.g. `x >= 90`",
            "用比较得到条件，例如 `x >= 90`",
        ),
        Hint::Quantity => (
            "only quantities can be compared in bands, steps and scales",
            "分档（band）、按步计分（steps）和线性换算（scale）只能用于数字、金额或时长",
        ),
        Hint::ScaleTarget => (
            "a scale maps onto numbers, money or durations",
            "`scale` 只能换算成数字、金额或时长",
        ),
        Hint::Arithmetic => (
            "arithmetic works on quantities only",
            "只有数字、金额和时长可以加减乘除",
        ),
        Hint::Order => (
            "only quantities can be ordered; use `==` or `!=` here",
            "只有数字、金额和时长能比大小；这里请用 `==` 或 `!=`",
        ),
        Hint::MatchSubject => (
            "`match` picks a value per level; use `band` for numbers",
            "`match` 按等级取值；数字请用 `band` 分档",
        ),
        Hint::PlainNumber(NumberUse::PointsPerStep) => (
            "points per step must be a plain number",
            "每一步加减的分数必须是普通数字",
        ),
        Hint::PlainNumber(NumberUse::Cap) => {
            ("a cap must be a plain number", "封顶分数必须是普通数字")
        }
        Hint::MinMax => (
            "`min` and `max` compare quantities",
            "`min` 和 `max` 只能比较数字、金额或时长",
        ),
        Hint::RoundDuration => (
            "divide by a unit first, e.g. `floor(x / 1d)`",
            "先除以一个单位，例如 `floor(x / 1d)`",
        ),
        Hint::Quota => (
            "quotas are shares of the team, e.g. `15% -> A`",
            "名额是占团队人数的比例，例如 `15% -> A`",
        ),
        Hint::Weight => (
            "write the weight as a percent, e.g. `weight 35%`",
            "权重请写成百分比，例如 `weight 35%`",
        ),
        Hint::GradeSubject => (
            "grades are given by a numeric total",
            "等级要按数字形式的总分来评定",
        ),
    };
    lang.pick(en, zh).into()
}

/// A help line for storing `found` where `want` is declared.
fn conversion_help(want: &Ty, found: &Ty, lang: Lang) -> String {
    let (en, zh) = match (want.dim(), found.dim()) {
        (Dim::Money, Dim::Number) => (
            "multiply by an amount of money, e.g. `perf_pay_base * 80%`, or write `¥500`",
            "乘以一个金额，例如 `perf_pay_base * 80%`，或直接写 `¥500`",
        ),
        (Dim::Number, Dim::Money) => (
            "divide money by money to get a number, e.g. `sales / sales_target`",
            "金额除以金额才得到数字，例如 `sales / sales_target`",
        ),
        (Dim::Number, Dim::Duration) => (
            "divide by a duration to get a number, e.g. `avg_response / 1s`",
            "除以一个时长才得到数字，例如 `avg_response / 1s`",
        ),
        (Dim::Duration, Dim::Number) => (
            "write the unit on the number, e.g. `30s` or `2d`",
            "在数字后面写上单位，例如 `30s` 或 `2d`",
        ),
        (Dim::Text, Dim::Grade) | (Dim::Grade, Dim::Text) => (
            "grades and free text do not mix; declare the output as the same grade type",
            "等级和文字不能混用；请把输出声明为同一种等级",
        ),
        _ => {
            let w = ty_name(want, lang);
            return lang.pick(
                format!("the declared type is {w}; change the declaration or the expression"),
                format!("声明的类型是{w}；请修改声明或公式"),
            );
        }
    };
    lang.pick(en, zh).into()
}

fn arity_en(a: Arity) -> String {
    let s = match a {
        Arity::Exactly(1) => "one",
        Arity::Exactly(2) => "two",
        Arity::Exactly(3) => "three",
        Arity::Exactly(n) => return format!("{n}"),
        Arity::None => "no",
        Arity::One => "one",
        Arity::OneOrTwo => "one or two",
        Arity::OneOrMore => "one or more",
        Arity::Two => "two",
        Arity::Three => "three",
        Arity::ValueAndOrder => "one value and an optional order",
    };
    s.to_string()
}

fn arity_zh(a: Arity) -> String {
    let s = match a {
        Arity::Exactly(n) => return format!("需要 {n} 个参数"),
        Arity::None => "不接受参数",
        Arity::One => "需要 1 个参数",
        Arity::OneOrTwo => "需要 1 到 2 个参数",
        Arity::OneOrMore => "需要至少 1 个参数",
        Arity::Two => "需要 2 个参数",
        Arity::Three => "需要 3 个参数",
        Arity::ValueAndOrder => "需要 1 个值，以及可选的顺序（`asc` 或 `desc`）",
    };
    s.to_string()
}

/// How to call `func`.
fn arity_help(func: &str, lang: Lang) -> String {
    match crate::builtins::lookup(func) {
        Some(b) => b.example(lang).to_string(),
        // a `table` or `fn` of the policy
        None => lang
            .pick(
                format!("pass `{func}` one value for each parameter it declares"),
                format!("`{func}` 声明了几个参数，就传几个值"),
            )
            .to_string(),
    }
}

fn const_use(w: ConstUse, lang: Lang) -> &'static str {
    let (en, zh) = match w {
        ConstUse::Const => ("a `const`", "`const` 的值"),
        ConstUse::Default => ("a default", "默认值"),
        ConstUse::RangeBound => ("a range bound", "取值范围的边界"),
        ConstUse::Weight => ("a weight", "权重"),
        ConstUse::Quota => ("a quota", "名额比例"),
        ConstUse::TestValue => ("a test value", "测试里的值"),
    };
    lang.pick(en, zh)
}

/// Why a written value does not fit its input.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueFault {
    /// A count that is not whole.
    NotWhole,
    /// A count or duration below 0 (with no range allowing it).
    Negative { ty: Ty },
    /// Outside the declared range `lo..hi`.
    OutOfRange { lo: String, hi: String },
}

/// The message and help of a [`Problem`].
fn problem_text(p: &Problem, lang: Lang) -> (String, String) {
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_string();
    match p {
        Problem::NumberTooLarge => (
            s("this number is too large", "这个数太大了"),
            s("numbers have at most 28 digits", "数字最多 28 位"),
        ),
        Problem::NoRules => (
            s("`cases` needs at least one rule", "`cases` 里至少要有一条规则"),
            s(
                "write `cases { CONDITION -> VALUE, else -> VALUE }`",
                "写成 `cases { CONDITION -> VALUE, else -> VALUE }`",
            ),
        ),
        Problem::NoArms => (
            s("this band has no arms", "这个 `band` 一个档位都没有"),
            s(
                "write `band VALUE { >= 90 -> 10, else -> 0 }`",
                "写成 `band VALUE { >= 90 -> 10, else -> 0 }`",
            ),
        ),
        Problem::RangeNotNumeric { name, ty } => (
            lang.pick(
                format!(
                    "a range needs a numeric input, but `{name}` is {}",
                    ty_name(ty, lang)
                ),
                format!(
                    "只有数字、金额或时长才能设取值范围，而 `{name}` 是{}",
                    ty_name(ty, lang)
                ),
            ),
            s(
                "remove the `in LOW..HIGH` range",
                "删掉 `in LOW..HIGH` 这个范围",
            ),
        ),
        Problem::EmptyRange => (
            s(
                "the range is empty: its low end is above its high end",
                "取值范围是空的：下限比上限还大",
            ),
            s(
                "write the smaller value first: `in LOW..HIGH`",
                "把小的值写在前面：`in LOW..HIGH`",
            ),
        ),
        Problem::NoItems => (
            s("there are no items to sum", "没有可以合计的得分项"),
            s(
                "declare score items with `item NAME = …`",
                "用 `item NAME = …` 声明得分项",
            ),
        ),
        Problem::ItemNotNumber { name, ty } => (
            lang.pick(
                format!(
                    "item `{name}` is {}, it cannot be added to a total",
                    ty_name(ty, lang)
                ),
                format!("得分项 `{name}` 是{}，不能计入总分", ty_name(ty, lang)),
            ),
            s(
                "only number items (points) can be summed",
                "只有数字（分数）类的得分项才能相加",
            ),
        ),
        Problem::NoWeight { name } => (
            lang.pick(
                format!("item `{name}` has no weight"),
                format!("得分项 `{name}` 没有权重"),
            ),
            lang.pick(
                format!("add `weight N%` to `{name}`, or use `total = sum of items`"),
                format!("给 `{name}` 加上 `weight N%`，或改用 `total = sum of items`"),
            ),
        ),
        Problem::BadValue {
            what,
            name,
            value,
            fault,
        } => {
            let what = const_use(*what, lang);
            match fault {
                ValueFault::NotWhole => (
                    lang.pick(
                        format!("{what} of `{name}` is `{value}`, not a whole number"),
                        format!("`{name}` 的{what}是 `{value}`，不是整数"),
                    ),
                    lang.pick(
                        format!("`{name}` is a count: counts are whole numbers ≥ 0"),
                        format!("`{name}` 是次数：次数必须是大于等于 0 的整数"),
                    ),
                ),
                ValueFault::Negative { ty } => {
                    let (en, zh) = match ty {
                        Ty::Duration(_) => ("durations are", "时长"),
                        Ty::Money => ("amounts of money are", "金额"),
                        Ty::Number(_) | Ty::Bool | Ty::Text | Ty::Grade(_) => {
                            ("counts are", "次数")
                        }
                    };
                    (
                        lang.pick(
                            format!("{what} of `{name}` is `{value}`, below 0"),
                            format!("`{name}` 的{what}是 `{value}`，小于 0"),
                        ),
                        lang.pick(
                            format!("{en} never negative in the data; if `{name}` can be, declare a range that allows it (`in -100..100`)"),
                            format!("数据里的{zh}不会是负数；如果 `{name}` 可以为负，请声明取值范围（`in -100..100`）"),
                        ),
                    )
                }
                ValueFault::OutOfRange { lo, hi } => (
                    lang.pick(
                        format!("{what} of `{name}` is `{value}`, outside its range {lo}..{hi}"),
                        format!("`{name}` 的{what}是 `{value}`，超出了取值范围 {lo}..{hi}"),
                    ),
                    lang.pick(
                        format!("write a value from {lo} to {hi}, or widen the range of `{name}`"),
                        format!("请写 {lo} 到 {hi} 之间的值，或放宽 `{name}` 的取值范围"),
                    ),
                ),
            }
        }
        Problem::WeightNotPercent { weight } => (
            lang.pick(
                format!("weight `{weight}` is not a percent: a weighted sum would multiply the score by {weight}"),
                format!("权重 `{weight}` 不是百分比：加权求和会把得分乘以 {weight}"),
            ),
            lang.pick(
                format!("write `{weight}%`; weights of a weighted sum are percents that add up to 100%"),
                format!("请写 `{weight}%`；加权求和的权重是百分比，合计应为 100%"),
            ),
        ),
        Problem::NotPure { func, name } => (
            lang.pick(
                format!("`{func}` reads `{name}`, which is not one of its parameters"),
                format!("`{func}` 用到了 `{name}`，它不是 `{func}` 的参数"),
            ),
            lang.pick(
                format!("a table or function sees only its parameters and constants: add a parameter and pass `{name}` where `{func}` is used"),
                format!("表和函数只能用自己的参数和常量：请加一个参数，在使用 `{func}` 的地方把 `{name}` 传进去"),
            ),
        ),
        Problem::BuiltinName { name } => (
            lang.pick(
                format!("`{name}` is a built-in function"),
                format!("`{name}` 是内置函数的名字"),
            ),
            s(
                "give the table or function another name",
                "请给这个表或函数另起一个名字",
            ),
        ),
        Problem::NotCalled { name } => (
            lang.pick(
                format!("`{name}` is a table or function, not a value"),
                format!("`{name}` 是表或函数，不是一个值"),
            ),
            lang.pick(
                format!("apply it to a value: `{name}(…)`"),
                format!("请把它用在一个值上：`{name}(…)`"),
            ),
        ),
        Problem::NoOrder { func } => (
            lang.pick(
                format!("`{func}` takes no `asc`/`desc`"),
                format!("`{func}` 不能指定 `asc`/`desc`"),
            ),
            s(
                "only `rank(x, desc)` and `distribute` take an order",
                "只有 `rank(x, desc)` 和 `distribute` 需要指定顺序",
            ),
        ),
        Problem::BadPlaces => (
            lang.pick(
                format!("the number of decimal places must be a whole number from 0 to {MAX_ROUND_PLACES}"),
                format!("小数位数必须是 0 到 {MAX_ROUND_PLACES} 之间的整数"),
            ),
            s("e.g. `round(x, 2)`", "例如 `round(x, 2)`"),
        ),
        Problem::QuotasOver100 => (
            s(
                "the quotas add up to more than 100%",
                "各档名额加起来超过了 100%",
            ),
            s(
                "quotas are increments: `15% -> A, 45% -> B` gives A to the top 15% and B to the next 45%",
                "名额是逐档累加的：`15% -> A, 45% -> B` 表示前 15% 得 A，接下来的 45% 得 B",
            ),
        ),
        Problem::ConstFault { what, fault } => (
            lang.pick(
                format!(
                    "{} cannot be computed: {}",
                    const_use(*what, lang),
                    crate::eval::error::fault_text(fault, lang)
                ),
                format!(
                    "{}算不出来：{}",
                    const_use(*what, lang),
                    crate::eval::error::fault_text(fault, lang)
                ),
            ),
            s("fix the constant expression", "请修改这个固定值的算式"),
        ),
        Problem::NotTerminating { what } => (
            lang.pick(
                format!("{} must be a terminating decimal", const_use(*what, lang)),
                format!("{}必须是有限小数", const_use(*what, lang)),
            ),
            s(
                "write the bound as a decimal number",
                "请把边界写成小数",
            ),
        ),
        Problem::Internal => (
            s("internal checker error", "检查器内部错误"),
            s("this is a bug in kpi", "这是 kpi 的缺陷，请反馈给维护者"),
        ),
    }
}

/// The closest candidate to `name`, if any is close enough to be a typo,
/// else the shortest candidate `name` abbreviates (`退款率` for `退款纠纷率`:
/// its characters in order, and at least half of the candidate's).
///
/// The work is bounded: names and candidates longer than
/// [`SUGGEST_MAX_CHARS`] are never compared, and edit distances are
/// computed only for candidates whose length is close enough to `name`'s
/// ([`typo_candidates`]).
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let len = chars_capped(name, SUGGEST_MAX_CHARS);
    if len > SUGGEST_MAX_CHARS {
        return None;
    }
    let candidates: Vec<(&str, usize)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (c, chars_capped(c, SUGGEST_MAX_CHARS)))
        .filter(|(_, n)| *n <= SUGGEST_MAX_CHARS)
        .collect();
    let limit = (len / 3).max(1);
    let lower_name = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for (c, lower) in typo_candidates(name, &lower_name, limit, &candidates) {
        let d = strsim::levenshtein(name, c).min(strsim::levenshtein(&lower_name, &lower));
        // Ties go to the first in order, so the choice never depends on
        // the candidates' (hash map) order.
        if d <= limit && best.is_none_or(|b| (d, c) < b) {
            best = Some((d, c));
        }
    }
    if let Some((_, c)) = best {
        return Some(c.to_string());
    }
    if len < 2 {
        return None;
    }
    candidates
        .into_iter()
        .filter(|&(c, n)| n <= 2 * len && is_subsequence(name, c))
        .min_by_key(|&(c, n)| (n, c))
        .map(|(c, _)| c.to_string())
}

/// The candidates (with their character counts) that can be within
/// `limit` edits of `name`, as written or lowercased, each with its
/// lowercase form: an edit distance is at least the difference in length,
/// so the others are skipped before any distance is computed.
fn typo_candidates<'a>(
    name: &str,
    lower_name: &str,
    limit: usize,
    candidates: &[(&'a str, usize)],
) -> Vec<(&'a str, String)> {
    let len = name.chars().count();
    let lower_len = lower_name.chars().count();
    candidates
        .iter()
        .filter_map(|&(c, n)| {
            let lower = c.to_lowercase();
            let close =
                len.abs_diff(n) <= limit || lower_len.abs_diff(lower.chars().count()) <= limit;
            close.then_some((c, lower))
        })
        .collect()
}

/// Whether the characters of `short` appear in `long`, in order.
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|l| l == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggest_finds_typos_and_abbreviations() {
        let names = ["refund_rate", "response", "退款纠纷率"];
        assert_eq!(suggest("refund_rat", names).as_deref(), Some("refund_rate"));
        assert_eq!(
            suggest("REFUND_RATE", names).as_deref(),
            Some("refund_rate")
        );
        assert_eq!(suggest("退款率", names).as_deref(), Some("退款纠纷率"));
        assert_eq!(suggest("zzz", names), None);
    }

    #[test]
    fn suggest_gives_up_at_once_on_over_long_names() {
        let long = "x".repeat(SUGGEST_MAX_CHARS + 1);
        // Even the candidate one edit away is not looked at.
        let near = format!("{long}y");
        assert_eq!(suggest(&long, [near.as_str(), "x"]), None);
        // A long candidate is never offered for a short name.
        let at_limit = "x".repeat(SUGGEST_MAX_CHARS);
        assert_eq!(
            suggest(&at_limit, [long.as_str()]),
            None,
            "a candidate past the limit is skipped"
        );
        assert_eq!(
            suggest(&at_limit[1..], [at_limit.as_str()]).as_deref(),
            Some(at_limit.as_str())
        );
    }

    #[test]
    fn only_candidates_of_a_close_length_get_an_edit_distance() {
        let candidates = [("abd", 3), ("abcd", 4), ("abcdef", 6), ("a", 1), ("ab", 2)];
        let kept: Vec<&str> = typo_candidates("abc", "abc", 1, &candidates)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(kept, ["abd", "abcd", "ab"]);
        // The lowercase form counts too: `İ` lowercases to two characters.
        let kept = typo_candidates("aİ", &"aİ".to_lowercase(), 0, &[("ai\u{307}", 3)]);
        assert_eq!(kept.len(), 1);
    }
}
