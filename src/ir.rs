//! The compiled form of a checked policy: names resolved to slots, types
//! known, literals converted to base units. Evaluation walks this, never
//! the AST, and never looks a name up.

use crate::eval::num::Num;
use crate::syntax::ast::{CmpOp, Direction, Order, Span, StepRounding};
use crate::types::Ty;
use rust_decimal::Decimal;
use std::sync::Arc;

/// A runtime value. Quantities are in base units (see `types`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(Num),
    Bool(bool),
    Text(Arc<str>),
    /// Index into the levels of the value's grade type.
    Level(u16),
}

/// A declared input (record or context).
#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub label: Option<String>,
    /// Further headers naming the input's column.
    pub aliases: Vec<String>,
    pub ty: Ty,
    /// Inclusive valid range in base units.
    pub range: Option<(Decimal, Decimal)>,
    pub default: Option<Value>,
    pub span: Span,
}

/// What a computed slot is, for output and explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    Const,
    Let,
    Item,
    Total,
    Grade,
    Output,
    /// A value the compiler introduced: the argument of a team or history
    /// function, or its per-record result.
    Hidden,
}

/// One computed value per record.
#[derive(Debug, Clone)]
pub struct Slot {
    pub name: String,
    pub label: Option<String>,
    pub kind: SlotKind,
    pub ty: Ty,
    pub compute: Compute,
    pub span: Span,
    /// Evaluation stage: a slot only reads slots of lower or equal stage,
    /// and group results of strictly lower stages.
    pub stage: u32,
    /// An item's declared weight.
    pub weight: Option<Weight>,
}

/// `weight 35%` (a percent) or `weight 10` (points).
#[derive(Debug, Clone, Copy)]
pub struct Weight {
    pub value: Num,
    pub percent: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Compute {
    /// Evaluated per record.
    Expr(IExpr),
    /// Filled by a pass over the record's team (same team and period).
    Team(TeamFn),
    /// Filled by a pass over the employee's months.
    History(HistoryFn),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggKind {
    Avg,
    Sum,
    Min,
    Max,
    Count,
}

#[derive(Debug, Clone)]
pub enum TeamFn {
    /// `team.avg(x)` etc. over slot `arg` (unused for `count`).
    Agg { kind: AggKind, arg: usize },
    /// Competition rank of slot `arg`.
    Rank { arg: usize, order: Order },
    /// Forced distribution: cumulative quotas → level index.
    Distribute {
        arg: usize,
        order: Order,
        quotas: Vec<Num>,
        levels: Vec<u16>,
        else_level: Option<u16>,
        span: Span,
    },
}

#[derive(Debug, Clone)]
pub enum HistoryFn {
    /// Value of slot `arg` in the previous calendar month, else `default`.
    Prev { arg: usize, default: usize },
    /// Consecutive months, ending with this one, in which bool slot `arg` held.
    Streak { arg: usize },
    /// Whether the previous calendar month has a record (whose slot `arg`
    /// `prev(arg, …)` would read): `has_prev(x)`.
    HasPrev { arg: usize },
}

/// Where an expression reads a value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Input(usize),
    Context(usize),
    Slot(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
    Clamp,
    Abs,
    Floor,
    Ceil,
    /// Round half away from zero to this many places.
    Round(u8),
}

#[derive(Debug, Clone)]
pub struct IExpr {
    pub kind: IKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum IKind {
    Const(Value),
    Read(Source),
    Neg(Box<IExpr>),
    Not(Box<IExpr>),
    Arith(ArithOp, Box<IExpr>, Box<IExpr>),
    Cmp(CmpOp, Box<IExpr>, Box<IExpr>),
    And(Box<IExpr>, Box<IExpr>),
    Or(Box<IExpr>, Box<IExpr>),
    If(Box<IExpr>, Box<IExpr>, Box<IExpr>),
    Call(Func, Vec<IExpr>),
    Band {
        subject: Box<IExpr>,
        /// The subject's type, for showing band edges in its unit.
        subject_ty: Ty,
        arms: Vec<IBandArm>,
    },
    /// `table[level]` is the arm index for each level (bool: 0 = false, 1 = true).
    Match {
        subject: Box<IExpr>,
        table: Vec<Option<usize>>,
        values: Vec<IExpr>,
    },
    Cases {
        arms: Vec<(Option<IExpr>, IExpr)>,
    },
    Steps {
        subject: Box<IExpr>,
        arms: Vec<IStepArm>,
    },
    Scale {
        subject: Box<IExpr>,
        from: Box<(IExpr, IExpr)>,
        to: Box<(IExpr, IExpr)>,
    },
}

impl IExpr {
    /// The direct sub-expressions, in source order.
    pub fn children(&self) -> Vec<&IExpr> {
        match &self.kind {
            IKind::Read(_) | IKind::Const(_) => Vec::new(),
            IKind::Neg(a) | IKind::Not(a) => vec![a],
            IKind::Arith(_, a, b) | IKind::Cmp(_, a, b) | IKind::And(a, b) | IKind::Or(a, b) => {
                vec![a, b]
            }
            IKind::If(c, t, o) => vec![c, t, o],
            IKind::Call(_, args) => args.iter().collect(),
            IKind::Band { subject, arms, .. } => {
                let mut v: Vec<&IExpr> = vec![subject];
                for a in arms {
                    v.extend(a.tests.iter().map(|(_, b)| b));
                    v.push(&a.value);
                }
                v
            }
            IKind::Match {
                subject, values, ..
            } => std::iter::once(&**subject).chain(values).collect(),
            IKind::Cases { arms } => arms
                .iter()
                .flat_map(|(c, v)| c.iter().chain(std::iter::once(v)))
                .collect(),
            IKind::Steps { subject, arms } => {
                let mut v: Vec<&IExpr> = vec![subject];
                for a in arms {
                    v.extend([&a.step, &a.reference, &a.points]);
                    v.extend(a.cap.iter());
                }
                v
            }
            IKind::Scale { subject, from, to } => vec![subject, &from.0, &from.1, &to.0, &to.1],
        }
    }

    /// The direct sub-expressions, mutably, in source order.
    pub fn children_mut(&mut self) -> Vec<&mut IExpr> {
        match &mut self.kind {
            IKind::Read(_) | IKind::Const(_) => Vec::new(),
            IKind::Neg(a) | IKind::Not(a) => vec![a],
            IKind::Arith(_, a, b) | IKind::Cmp(_, a, b) | IKind::And(a, b) | IKind::Or(a, b) => {
                vec![a, b]
            }
            IKind::If(c, t, o) => vec![c, t, o],
            IKind::Call(_, args) => args.iter_mut().collect(),
            IKind::Band { subject, arms, .. } => {
                let mut v: Vec<&mut IExpr> = vec![subject];
                for a in arms {
                    v.extend(a.tests.iter_mut().map(|(_, b)| b));
                    v.push(&mut a.value);
                }
                v
            }
            IKind::Match {
                subject, values, ..
            } => std::iter::once(&mut **subject)
                .chain(values.iter_mut())
                .collect(),
            IKind::Cases { arms } => arms
                .iter_mut()
                .flat_map(|(c, v)| c.iter_mut().chain(std::iter::once(v)))
                .collect(),
            IKind::Steps { subject, arms } => {
                let mut v: Vec<&mut IExpr> = vec![subject];
                for a in arms {
                    v.push(&mut a.step);
                    v.push(&mut a.reference);
                    v.push(&mut a.points);
                    v.extend(a.cap.iter_mut());
                }
                v
            }
            IKind::Scale { subject, from, to } => {
                let (f0, f1) = &mut **from;
                let (t0, t1) = &mut **to;
                vec![subject, f0, f1, t0, t1]
            }
        }
    }

    /// A use of a `table` or `fn`: this body with each read of parameter
    /// `i` (`Source::Input(first + i)`) replaced by `args[i]`. Iterative.
    pub fn substitute(mut self, first: usize, args: &[IExpr]) -> IExpr {
        let mut stack: Vec<&mut IExpr> = vec![&mut self];
        while let Some(e) = stack.pop() {
            if let IKind::Read(Source::Input(j)) = e.kind {
                if let Some(arg) = j.checked_sub(first).and_then(|i| args.get(i)) {
                    *e = arg.clone();
                }
                continue;
            }
            stack.extend(e.children_mut());
        }
        self
    }

    /// Calls `f` on this expression and every sub-expression, parents
    /// before children, in source order. Iterative: the depth of the
    /// expression costs no stack.
    pub fn walk<'e>(&'e self, f: &mut impl FnMut(&'e IExpr)) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
            stack.extend(e.children().into_iter().rev());
        }
    }

    /// The slots the expression reads, in source order (with repeats).
    pub fn slots_read(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.walk(&mut |x| {
            if let IKind::Read(Source::Slot(s)) = x.kind {
                out.push(s);
            }
        });
        out
    }
}

impl Compute {
    /// The slots this computation reads: what must be computed before it.
    pub fn dependencies(&self) -> Vec<usize> {
        match self {
            Compute::Expr(e) => e.slots_read(),
            Compute::Team(
                TeamFn::Agg { arg, .. } | TeamFn::Rank { arg, .. } | TeamFn::Distribute { arg, .. },
            ) => vec![*arg],
            Compute::History(HistoryFn::Prev { arg, default }) => vec![*arg, *default],
            Compute::History(HistoryFn::Streak { arg } | HistoryFn::HasPrev { arg }) => vec![*arg],
        }
    }
}

#[derive(Debug, Clone)]
pub struct IBandArm {
    /// Empty for `else`.
    pub tests: Vec<(CmpOp, IExpr)>,
    pub value: IExpr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct IStepArm {
    pub step: IExpr,
    pub direction: Direction,
    pub reference: IExpr,
    pub points: IExpr,
    pub rounding: StepRounding,
    pub cap: Option<IExpr>,
    pub span: Span,
}

/// A named result, in declaration order.
#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub slot: usize,
}

/// Context values of a test: for one period, or every period (`None`).
pub type TestContextValues = (Option<crate::types::Period>, Vec<(usize, Value)>);

/// An embedded test, resolved.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub span: Span,
    pub rows: Vec<TestRecord>,
    /// Context values per period (`None` key: every period).
    pub contexts: Vec<TestContextValues>,
}

#[derive(Debug, Clone)]
pub struct TestRecord {
    pub employee: String,
    pub period: crate::types::Period,
    pub team: Option<String>,
    pub given: Vec<(usize, Value, Span)>,
    /// (output index, expected value, span of the expectation)
    pub expect: Vec<(usize, Value, Span)>,
    pub span: Span,
}

/// A checked, compiled policy.
#[derive(Debug, Clone)]
pub struct Program {
    pub name: String,
    pub version: Option<String>,
    pub inputs: Vec<Field>,
    pub context: Vec<Field>,
    /// In evaluation order (dependencies first, then by stage).
    pub slots: Vec<Slot>,
    pub outputs: Vec<Output>,
    pub tests: Vec<TestCase>,
    /// Slot indices in evaluation order: by stage, dependencies first.
    pub order: Vec<usize>,
    pub max_stage: u32,
    /// Headers of the key columns declared with `key` (tried after the
    /// command line's, before the built-in names).
    pub keys: crate::data::KeyNames,
    /// The policy's `table`s and `fn`s, checked once. Every use is inlined
    /// into the slot that makes it (the body with the parameters replaced
    /// by the arguments), so evaluation and SQL never see these; they are
    /// kept for analysis (each table is analysed once, over its parameters'
    /// declared ranges) and for explanations (an arm whose span lies in a
    /// table's span belongs to that table).
    pub functions: Vec<UserFn>,
}

/// A `table` or `fn` declaration, compiled.
#[derive(Debug, Clone)]
pub struct UserFn {
    pub name: String,
    /// Written `table` (else `fn`).
    pub table: bool,
    /// The parameters, as inputs: parameter `i` is read in `body` as
    /// `Source::Input(first_param + i)` (past the policy's own inputs).
    pub params: Vec<Field>,
    pub first_param: usize,
    pub ty: Ty,
    pub body: IExpr,
    /// The whole declaration.
    pub span: Span,
}

impl UserFn {
    /// Whether `span` lies inside this declaration.
    pub fn contains(&self, span: Span) -> bool {
        self.span.start <= span.start && span.end <= self.span.end
    }
}

impl Program {
    /// The `table` or `fn` whose declaration holds `span` (an inlined arm).
    pub fn function_at(&self, span: Span) -> Option<&UserFn> {
        self.functions.iter().find(|f| f.contains(span))
    }
}
