//! The abstract syntax tree: what the policy says, with byte spans.
//!
//! The AST is close to the source (the formatter and `explain` quote it) but
//! already normalised where the surface has several spellings: every band
//! condition is a list of `x OP bound` tests, every literal carries its unit.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::types::{DurUnit, Period};
use rust_decimal::Decimal;

/// Spans are shared by every phase; they live in [`crate::span`].
pub use crate::span::Span;

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string as written (quotes removed), with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: Text,
    pub version: Option<Text>,
    pub description: Option<Text>,
    pub decls: Vec<Decl>,
    pub tests: Vec<TestDecl>,
    /// `key employee "客服" | "客服昵称"`: headers of the key columns.
    pub keys: Vec<KeyDecl>,
}

/// `key employee "客服" | "客服昵称"`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDecl {
    /// `employee`, `period` or `team`.
    pub column: String,
    /// The headers, in order of preference.
    pub headers: Vec<Text>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decl {
    Input(InputDecl),
    Const(ConstDecl),
    Let(LetDecl),
    Item(ItemDecl),
    Total(TotalDecl),
    Grade(GradeDecl),
    Output(OutputDecl),
    /// `table name(p: type) : type = …` / `fn name(…) : type = …`.
    Fn(FnDecl),
}

impl Decl {
    /// The name this declaration defines.
    pub fn name(&self) -> &Ident {
        match self {
            Decl::Input(d) => &d.name,
            Decl::Const(d) => &d.name,
            Decl::Let(d) => &d.name,
            Decl::Item(d) => &d.name,
            Decl::Total(d) => &d.name,
            Decl::Grade(d) => &d.name,
            Decl::Output(d) => &d.name,
            Decl::Fn(d) => &d.name,
        }
    }
}

/// `input` (per record) or `context` (per period) declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct InputDecl {
    pub context: bool,
    pub name: Ident,
    pub label: Option<Text>,
    /// Further column headers (`| "平均响应(秒)"`), after the label.
    pub aliases: Vec<Text>,
    pub ty: TypeExpr,
    pub range: Option<RangeExpr>,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RangeExpr {
    pub lo: Expr,
    /// `None`: open above (`in 0..`).
    pub hi: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `count`, `percent`, `days`, …
    Named(Ident),
    /// `grade(优秀, 良好, 合格, 差)`
    Grade { levels: Vec<Text>, span: Span },
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(i) => i.span,
            TypeExpr::Grade { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    /// `let conversion "转化率" = …`: how explanations and exports name it.
    pub label: Option<Text>,
    pub ty: Option<TypeExpr>,
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemDecl {
    pub name: Ident,
    pub label: Option<Text>,
    pub ty: Option<TypeExpr>,
    pub weight: Option<Expr>,
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TotalDecl {
    /// `total` unless renamed (`total 总分 = …`).
    pub name: Ident,
    pub label: Option<Text>,
    pub body: TotalBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TotalBody {
    /// `sum of items` / `weighted sum of items`
    SumOfItems {
        weighted: bool,
        span: Span,
    },
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct GradeDecl {
    /// `grade` unless renamed (`grade 档位 by total {…}`).
    pub name: Ident,
    pub label: Option<Text>,
    pub subject: Expr,
    pub arms: Vec<GradeArm>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GradeArm {
    pub cond: BandCond,
    pub level: Text,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputDecl {
    pub name: Ident,
    pub label: Option<Text>,
    pub ty: TypeExpr,
    pub expr: Expr,
}

/// `table place_prize(place: number) : money = band place { … }`: a named
/// pure function of its parameters, declared once and applied like a
/// built-in function (`place_prize(rank_amount)`).
#[derive(Debug, Clone, PartialEq)]
pub struct FnDecl {
    /// Written `table` (true) or `fn` (false); the meaning is the same.
    pub table: bool,
    pub name: Ident,
    pub label: Option<Text>,
    pub params: Vec<Param>,
    pub ty: TypeExpr,
    pub body: Expr,
    pub span: Span,
}

/// `place: number in 1..`: a parameter, its type and optional range.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
    pub range: Option<RangeExpr>,
    pub span: Span,
}

/// The unit written on a number literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LitUnit {
    None,
    Percent,
    Permille,
    Duration(DurUnit),
    Yuan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    And,
    Or,
    Cmp(CmpOp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
    /// Whether `a OP b` holds when `a` compares to `b` as `ord`: the one
    /// definition of the comparison operators, for evaluation, what-if and
    /// the analysis.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        match self {
            CmpOp::Lt => ord.is_lt(),
            CmpOp::Le => ord.is_le(),
            CmpOp::Gt => ord.is_gt(),
            CmpOp::Ge => ord.is_ge(),
            CmpOp::Eq => ord.is_eq(),
            CmpOp::Ne => ord.is_ne(),
        }
    }

    /// The operator with its operands swapped: `a < x` is `x > a`.
    pub fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Cmp(c) => c.symbol(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Number {
        value: Decimal,
        unit: LitUnit,
    },
    Str(String),
    Bool(bool),
    Name(String),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary {
        op: BinOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `min(…)`, `team.avg(x)`, `rank(x, desc)`, …
    Call {
        func: Ident,
        args: Vec<Arg>,
    },
    Band {
        subject: Box<Expr>,
        arms: Vec<BandArm>,
    },
    Match {
        subject: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    Cases {
        arms: Vec<CaseArm>,
    },
    Steps {
        subject: Box<Expr>,
        arms: Vec<StepArm>,
    },
    Scale {
        subject: Box<Expr>,
        from: (Box<Expr>, Box<Expr>),
        to: (Box<Expr>, Box<Expr>),
    },
    Distribute {
        subject: Box<Expr>,
        order: Order,
        arms: Vec<DistArm>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Expr(Expr),
    Order(Order, Span),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Expr(e) => e.span,
            Arg::Order(_, s) => *s,
        }
    }
}

/// A band condition: `else`, or tests `x OP bound` that must all hold.
#[derive(Debug, Clone, PartialEq)]
pub enum BandCond {
    Else(Span),
    Tests { tests: Vec<BoundTest>, span: Span },
}

impl BandCond {
    pub fn span(&self) -> Span {
        match self {
            BandCond::Else(s) => *s,
            BandCond::Tests { span, .. } => *span,
        }
    }
}

/// `x OP bound`.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundTest {
    pub op: CmpOp,
    pub bound: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BandArm {
    pub cond: BandCond,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Level(Text),
    Bool(bool, Span),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchArm {
    /// Empty for `else`.
    pub patterns: Vec<Pattern>,
    pub is_else: bool,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseArm {
    /// `None` for `else`.
    pub cond: Option<Expr>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Above,
    Below,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepRounding {
    /// whole steps only (the default)
    Floor,
    /// a partial step counts as a whole one (不满一步按一步计算)
    Ceil,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepArm {
    pub step: Expr,
    pub direction: Direction,
    pub reference: Expr,
    pub points: Expr,
    pub rounding: StepRounding,
    pub cap: Option<Expr>,
    pub uncapped: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DistArm {
    /// `None` for `else`.
    pub quota: Option<Expr>,
    pub level: Text,
    pub span: Span,
}

/// An embedded test (L15).
#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    pub name: Text,
    pub contexts: Vec<TestContext>,
    pub rows: Vec<TestRow>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestContext {
    /// `None`: applies to every period of the test.
    pub period: Option<Period>,
    pub values: Vec<Assignment>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestRow {
    pub employee: String,
    pub period: Period,
    pub team: Option<String>,
    pub given: Vec<Assignment>,
    pub expect: Vec<Assignment>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub name: Ident,
    pub value: Expr,
}
