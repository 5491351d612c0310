//! The checker: resolves names, infers and checks types with units, and
//! compiles the policy into the slot-based [`Program`] the evaluator runs.
//!
//! Names may be used before they are declared; each computed declaration is
//! lowered on first use (depth-first), which is also how cycles are found.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod analysis;
mod calls;
mod error;
mod expr;
mod fold;
mod functions;
pub mod lint;
// Not yet free of indexing: to be cleaned with the IR traversal API
// (issue 11, deliverable 4), then this allow goes.
mod embedded_tests;
#[allow(clippy::indexing_slicing)]
mod stages;
mod tables;

pub use error::{
    suggest, Arity, CheckError, ConstUse, Expected, Hint, NumberUse, Op, Problem, TestTarget,
    UnitHint, ValueFault,
};
pub use lint::{Branch, Lang, Lint, Mistake, Report};

use crate::check::analysis::show::show_value;
use crate::eval::num::Num;
use crate::ir::*;
use crate::syntax::ast::{self, Decl, Order, Policy, Span, TypeExpr};
use crate::types::{NumKind, Ty};
use std::collections::HashMap;

/// The result of a successful check.
#[derive(Debug)]
pub struct Checked {
    pub program: Program,
    pub warnings: Vec<Lint>,
}

/// A failed check: at least one error.
#[derive(Debug)]
pub struct CheckFailure {
    pub errors: Vec<CheckError>,
    pub warnings: Vec<Lint>,
}

/// Checks and compiles a parsed policy, on a stack of its own (see
/// [`crate::stack::on_big_stack`]).
pub fn check(policy: &Policy) -> Result<Checked, CheckFailure> {
    crate::stack::on_big_stack(|| check_here(policy))
}

fn check_here(policy: &Policy) -> Result<Checked, CheckFailure> {
    let mut c = Checker::new(policy);
    c.run();
    if c.errors.is_empty() {
        match c.finish() {
            Some(program) => {
                let mut warnings = c.warnings;
                warnings.extend(analysis::analyze(&program));
                return Ok(Checked { program, warnings });
            }
            None => {
                if c.errors.is_empty() {
                    c.errors.push(CheckError::Invalid {
                        problem: Problem::Internal,
                        span: Span::default(),
                    });
                }
            }
        }
    }
    Err(CheckFailure {
        errors: c.errors,
        warnings: c.warnings,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Def {
    Input(usize),
    Context(usize),
    Slot(usize),
    /// A `table` or `fn`: its index in `Checker::functions`.
    Fn(usize),
}

/// The lowering state of a `table` or `fn`.
#[derive(Debug, Clone)]
pub(crate) enum FnState {
    /// Not lowered yet: the index of its declaration.
    Pending(usize),
    /// Being lowered: meeting it again is a cycle.
    InProgress(usize),
    Done(UserFn),
    Failed,
}

/// The parameters in scope while a `table` or `fn` body is lowered.
#[derive(Debug, Clone)]
pub(crate) struct FnScope {
    pub(crate) name: String,
    /// (name, input index it is read as, type)
    pub(crate) params: Vec<(String, usize, Ty)>,
}

#[derive(Debug, Clone)]
enum SlotState {
    /// Not lowered yet: the index of its declaration.
    Pending(usize),
    /// Being lowered (its declaration's index): meeting it again is a cycle.
    InProgress(usize),
    Done,
    /// Lowering failed; its uses are not reported again.
    Failed,
}

/// What makes two hidden slots the same slot (see `Checker::shared`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Shared {
    /// `team.<kind>` over a slot (`usize::MAX` for `team.count`).
    Agg(AggKind, usize),
    Rank(usize, Order),
    /// The per-record argument that is one input or context value.
    Arg(Source),
}

pub(crate) struct Checker<'a> {
    policy: &'a Policy,
    names: HashMap<String, Def>,
    inputs: Vec<Field>,
    context: Vec<Field>,
    states: Vec<SlotState>,
    slots: Vec<Option<Slot>>,
    /// Declared type of each declaration slot, when known before lowering.
    weights: HashMap<usize, ast::Expr>,
    items: Vec<usize>,
    outputs: Vec<Output>,
    tests: Vec<TestCase>,
    /// Folded values of `const` slots.
    consts: HashMap<usize, Value>,
    /// The declaration being lowered, to name hidden slots after it.
    current: Vec<usize>,
    /// Hidden slots computed the same way, shared: a team figure over one
    /// slot (`team.first(x)` and `team.last(x)` both need `x`'s count, max
    /// and min), and the argument slot of one input or context value.
    shared: HashMap<Shared, usize>,
    /// `table` and `fn` declarations, by index.
    functions: Vec<FnState>,
    /// Where each function's parameters start, past the policy's inputs.
    fn_offsets: Vec<usize>,
    /// The functions being lowered, for cycles.
    fn_stack: Vec<usize>,
    /// The parameters of the function body being lowered.
    scopes: Vec<FnScope>,
    pub(crate) errors: Vec<CheckError>,
    pub(crate) warnings: Vec<Lint>,
}

impl<'a> Checker<'a> {
    fn new(policy: &'a Policy) -> Self {
        Checker {
            policy,
            names: HashMap::new(),
            inputs: Vec::new(),
            context: Vec::new(),
            states: Vec::new(),
            slots: Vec::new(),
            weights: HashMap::new(),
            items: Vec::new(),
            outputs: Vec::new(),
            tests: Vec::new(),
            consts: HashMap::new(),
            current: Vec::new(),
            shared: HashMap::new(),
            functions: Vec::new(),
            fn_offsets: Vec::new(),
            fn_stack: Vec::new(),
            scopes: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn run(&mut self) {
        let policy = self.policy;
        let mut first_span: HashMap<String, Span> = HashMap::new();
        let mut n_params = 0;
        // 1. Declare every name, so uses may come before declarations.
        for (di, decl) in policy.decls.iter().enumerate() {
            let name = decl.name();
            if let Some(first) = first_span.get(&name.name) {
                self.errors.push(CheckError::Duplicate {
                    name: name.name.clone(),
                    span: name.span,
                    first: *first,
                });
                continue;
            }
            first_span.insert(name.name.clone(), name.span);
            let def = match decl {
                Decl::Fn(d) => {
                    if crate::builtins::lookup(&d.name.name).is_some() {
                        self.errors.push(CheckError::Invalid {
                            problem: Problem::BuiltinName {
                                name: d.name.name.clone(),
                            },
                            span: d.name.span,
                        });
                    }
                    self.functions.push(FnState::Pending(di));
                    self.fn_offsets.push(n_params);
                    n_params += d.params.len();
                    Def::Fn(self.functions.len() - 1)
                }
                Decl::Input(d) => {
                    let field = self.field(d);
                    if d.context {
                        self.context.push(field);
                        Def::Context(self.context.len() - 1)
                    } else {
                        self.inputs.push(field);
                        Def::Input(self.inputs.len() - 1)
                    }
                }
                _ => {
                    self.states.push(SlotState::Pending(di));
                    self.slots.push(None);
                    let slot = self.slots.len() - 1;
                    match decl {
                        Decl::Item(item) => {
                            self.items.push(slot);
                            if let Some(w) = &item.weight {
                                self.weights.insert(slot, w.clone());
                            }
                            self.outputs.push(Output {
                                name: name.name.clone(),
                                slot,
                            });
                        }
                        Decl::Total(_) | Decl::Grade(_) | Decl::Output(_) => {
                            self.outputs.push(Output {
                                name: name.name.clone(),
                                slot,
                            })
                        }
                        _ => {}
                    }
                    Def::Slot(slot)
                }
            };
            self.names.insert(name.name.clone(), def);
        }
        // 2. Ranges and defaults of inputs (may name constants).
        for decl in &policy.decls {
            if let Decl::Input(d) = decl {
                self.field_values(d);
            }
        }
        // 3. Lower every table and function (once), then every computed
        // declaration.
        for fi in 0..self.functions.len() {
            self.resolve_fn(fi);
        }
        for slot in 0..self.states.len() {
            self.resolve_slot(slot, Span::default());
        }
        // 4. Embedded tests.
        for t in &policy.tests {
            self.test_case(t);
        }
        // 5. Weights only count in a `weighted sum of items`.
        self.weights_used();
    }

    /// Warns about item weights when no total is a weighted sum of items.
    fn weights_used(&mut self) {
        let mut spans = Vec::new();
        let mut weighted = false;
        let mut plain = None;
        for decl in &self.policy.decls {
            match decl {
                Decl::Item(d) => spans.extend(d.weight.as_ref().map(|w| w.span)),
                Decl::Total(d) => match &d.body {
                    ast::TotalBody::SumOfItems { weighted: true, .. } => weighted = true,
                    ast::TotalBody::SumOfItems { span, .. } => plain = Some(*span),
                    ast::TotalBody::Expr(_) => {}
                },
                Decl::Input(_)
                | Decl::Const(_)
                | Decl::Let(_)
                | Decl::Grade(_)
                | Decl::Output(_)
                | Decl::Fn(_) => {}
            }
        }
        if !weighted && !spans.is_empty() {
            self.warnings.push(Lint::WeightsIgnored {
                spans,
                total: plain,
            });
        }
    }

    /// The type and metadata of an input; range and default come later.
    fn field(&mut self, d: &ast::InputDecl) -> Field {
        let ty = self.type_expr(&d.ty).unwrap_or(Ty::Number(NumKind::Plain));
        Field {
            id: d.name.name.clone(),
            label: d.label.as_ref().map(|l| l.value.clone()),
            aliases: d.aliases.iter().map(|a| a.value.clone()).collect(),
            ty,
            range: None,
            default: None,
            span: d.span,
        }
    }

    fn field_values(&mut self, d: &ast::InputDecl) {
        let Some(Def::Input(i) | Def::Context(i)) = self.names.get(&d.name.name).copied() else {
            return;
        };
        let list = if d.context {
            &self.context
        } else {
            &self.inputs
        };
        let Some(field) = list.get(i).cloned() else {
            return;
        };
        let ty = field.ty.clone();
        // §3.1: `: percent in 0..100` is 0 %–10000 %, `default 99` is 9900 %.
        if ty == Ty::Number(NumKind::Percent) {
            let bare = [
                d.range.as_ref().map(|r| &r.lo),
                d.range.as_ref().and_then(|r| r.hi.as_ref()),
            ];
            for e in bare.into_iter().flatten().chain(d.default.as_ref()) {
                self.bare_number_lint(e, d.ty.span());
            }
        }
        let range = d
            .range
            .as_ref()
            .and_then(|r| self.declared_range(&d.name.name, &ty, r));
        let default = d
            .default
            .as_ref()
            .and_then(|e| match (&ty, in_declared_unit(e, &ty)) {
                (_, Some(v)) => Some(Value::Num(v)),
                _ => self.fold(e, Some(&ty), ConstUse::Default).map(|(v, _)| v),
            });
        if let (Some(v), Some(e)) = (&default, &d.default) {
            let probe = Field {
                range,
                ..field.clone()
            };
            self.check_value(&probe, v, ConstUse::Default, e.span);
        }
        let list = if d.context {
            &mut self.context
        } else {
            &mut self.inputs
        };
        if let Some(field) = list.get_mut(i) {
            field.range = range;
            field.default = default;
        }
    }

    /// `in LO..HI` of an input or parameter, in base units.
    pub(crate) fn declared_range(
        &mut self,
        name: &str,
        ty: &Ty,
        r: &ast::RangeExpr,
    ) -> Option<(rust_decimal::Decimal, rust_decimal::Decimal)> {
        if !ty.is_numeric() {
            self.errors.push(CheckError::Invalid {
                problem: Problem::RangeNotNumeric {
                    name: name.to_string(),
                    ty: ty.clone(),
                },
                span: r.span,
            });
            return None;
        }
        let lo = self.fold_bound(&r.lo, ty)?;
        // open above: the largest decimal stands for "no bound"
        let hi = match &r.hi {
            Some(h) => self.fold_bound(h, ty)?,
            None => rust_decimal::Decimal::MAX,
        };
        if lo > hi {
            self.errors.push(CheckError::Invalid {
                problem: Problem::EmptyRange,
                span: r.span,
            });
            return None;
        }
        Some((lo, hi))
    }

    /// §3.1: a default or test value obeys its input's type and range, as
    /// a data cell must.
    pub(crate) fn check_value(&mut self, field: &Field, v: &Value, what: ConstUse, span: Span) {
        let Value::Num(n) = v else { return };
        let n = *n;
        let below_zero = n.signum() < 0;
        let fault = if field.ty == Ty::Number(NumKind::Count)
            && n.floor()
                .is_ok_and(|f| f.exact_cmp(n).is_ok_and(|o| o.is_ne()))
        {
            Some(ValueFault::NotWhole)
        } else if below_zero
            && (field.ty == Ty::Number(NumKind::Count)
                || (field.range.is_none() && matches!(field.ty, Ty::Duration(_))))
        {
            Some(ValueFault::Negative {
                ty: field.ty.clone(),
            })
        } else {
            field.range.and_then(|(lo, hi)| {
                let (lo, hi) = (Num::from_decimal(lo), Num::from_decimal(hi));
                let outside = n.exact_cmp(lo).is_ok_and(|o| o.is_lt())
                    || n.exact_cmp(hi).is_ok_and(|o| o.is_gt());
                let open = hi.to_decimal() == Some(rust_decimal::Decimal::MAX);
                outside.then(|| ValueFault::OutOfRange {
                    lo: show_value(lo, &field.ty),
                    hi: if open {
                        String::new()
                    } else {
                        show_value(hi, &field.ty)
                    },
                })
            })
        };
        if let Some(fault) = fault {
            self.errors.push(CheckError::Invalid {
                problem: Problem::BadValue {
                    what,
                    name: field.id.clone(),
                    value: show_value(n, &field.ty),
                    fault,
                },
                span,
            });
        }
    }

    /// A range bound: a bare number means the input's own unit
    /// (`seconds in 0..3600`, `money in 0..50000`).
    fn fold_bound(&mut self, e: &ast::Expr, ty: &Ty) -> Option<rust_decimal::Decimal> {
        match in_declared_unit(e, ty) {
            Some(v) => v.to_decimal(),
            None => self.fold_num(e, ty, ConstUse::RangeBound),
        }
    }

    pub(crate) fn type_expr(&mut self, t: &TypeExpr) -> Option<Ty> {
        match t {
            TypeExpr::Named(id) => match Ty::from_name(&id.name) {
                Some(ty) => Some(ty),
                None => {
                    self.errors.push(CheckError::UnknownType {
                        name: id.name.clone(),
                        span: id.span,
                        suggestion: suggest(&id.name, Ty::NAMES.iter().copied()),
                    });
                    None
                }
            },
            TypeExpr::Grade { levels, .. } => {
                let mut seen: Vec<String> = Vec::new();
                for l in levels {
                    if seen.contains(&l.value) {
                        self.errors.push(CheckError::DuplicateLevel {
                            level: l.value.clone(),
                            span: l.span,
                        });
                    } else {
                        seen.push(l.value.clone());
                    }
                }
                Some(Ty::Grade(seen))
            }
        }
    }

    /// Lowers a declaration slot if needed; returns its type.
    pub(crate) fn resolve_slot(&mut self, slot: usize, use_span: Span) -> Option<Ty> {
        match self.states.get(slot).cloned() {
            Some(SlotState::Done) => self
                .slots
                .get(slot)
                .and_then(|s| s.as_ref())
                .map(|s| s.ty.clone()),
            Some(SlotState::Failed) | None => None,
            Some(SlotState::InProgress(di)) => {
                let decl_span = self.policy.decls.get(di).map(|d| d.name().span);
                let start = self.current.iter().position(|s| *s == slot);
                let mut members: Vec<(String, Span)> = Vec::new();
                for &s in self.current.iter().skip(start.unwrap_or(usize::MAX)) {
                    let span = match self.states.get(s) {
                        Some(SlotState::InProgress(d)) => {
                            self.policy.decls.get(*d).map(|d| d.name().span)
                        }
                        _ => None,
                    };
                    members.push((self.slot_name(s), span.unwrap_or(use_span)));
                }
                if members.is_empty() {
                    members.push((self.slot_name(slot), decl_span.unwrap_or(use_span)));
                }
                self.errors.push(CheckError::Cycle { members });
                self.mark_cycle(slot);
                None
            }
            Some(SlotState::Pending(di)) => {
                self.set_state(slot, SlotState::InProgress(di));
                self.current.push(slot);
                // A constant read from a function body sees no parameters.
                let scopes = std::mem::take(&mut self.scopes);
                let built = self.lower_decl(slot, di);
                self.scopes = scopes;
                self.current.pop();
                if matches!(self.states.get(slot), Some(SlotState::Failed)) {
                    return None;
                }
                match (built, self.slots.get_mut(slot)) {
                    (Some(s), Some(entry)) => {
                        let ty = s.ty.clone();
                        *entry = Some(s);
                        self.set_state(slot, SlotState::Done);
                        Some(ty)
                    }
                    _ => {
                        self.set_state(slot, SlotState::Failed);
                        None
                    }
                }
            }
        }
    }

    /// Marks every declaration on the current lowering path back to `slot`
    /// as failed, so one cycle is reported once.
    fn mark_cycle(&mut self, slot: usize) {
        if let Some(pos) = self.current.iter().position(|s| *s == slot) {
            for &s in self.current.iter().skip(pos) {
                if let Some(state) = self.states.get_mut(s) {
                    *state = SlotState::Failed;
                }
            }
        }
    }

    /// Sets the lowering state of a declaration slot (one that has a state).
    fn set_state(&mut self, slot: usize, state: SlotState) {
        if let Some(s) = self.states.get_mut(slot) {
            *s = state;
        }
    }

    fn slot_name(&self, slot: usize) -> String {
        match self.states.get(slot) {
            Some(SlotState::Pending(di) | SlotState::InProgress(di)) => self
                .policy
                .decls
                .get(*di)
                .map(|d| d.name().name.clone())
                .unwrap_or_default(),
            _ => self
                .slots
                .get(slot)
                .and_then(|s| s.as_ref().map(|s| s.name.clone()))
                .or_else(|| {
                    self.names
                        .iter()
                        .find(|(_, d)| **d == Def::Slot(slot))
                        .map(|(n, _)| n.clone())
                })
                .unwrap_or_default(),
        }
    }

    fn lower_decl(&mut self, slot: usize, di: usize) -> Option<Slot> {
        let decl = self.policy.decls.get(di)?;
        let name = decl.name();
        let mk = |kind, label: Option<&ast::Text>, ty: Ty, e: IExpr| Slot {
            name: name.name.clone(),
            label: label.map(|l| l.value.clone()),
            kind,
            ty,
            span: name.span,
            compute: Compute::Expr(e),
            stage: 0,
            weight: None,
        };
        match decl {
            Decl::Input(_) | Decl::Fn(_) => None,
            Decl::Const(d) => {
                let (e, ty) = self.expr(&d.expr, None)?;
                let v = self.const_value(&e, ConstUse::Const)?;
                self.consts.insert(slot, v);
                Some(mk(SlotKind::Const, None, ty, e))
            }
            Decl::Let(d) => {
                let want = match &d.ty {
                    Some(t) => Some(self.type_expr(t)?),
                    None => None,
                };
                let (e, ty) = self.expr(&d.expr, want.as_ref())?;
                let ty = match want {
                    Some(w) => {
                        self.assign(&w, &ty, d.expr.span, d.ty.as_ref().map(|t| t.span()))?
                    }
                    None => ty,
                };
                Some(mk(SlotKind::Let, d.label.as_ref(), ty, e))
            }
            Decl::Item(d) => {
                let want = match &d.ty {
                    Some(t) => self.type_expr(t)?,
                    None => Ty::Number(NumKind::Points),
                };
                let (e, ty) = self.expr(&d.expr, Some(&want))?;
                let ty = self.assign(&want, &ty, d.expr.span, d.ty.as_ref().map(|t| t.span()))?;
                let mut weight = None;
                if let Some(w) = &d.weight {
                    let (we, wty) = self.expr(w, None)?;
                    if wty.dim() != crate::types::Dim::Number {
                        self.errors.push(CheckError::TypeMismatch {
                            expected: Expected::NumberOrPercent,
                            found: wty.clone(),
                            span: w.span,
                            because: None,
                            hint: Hint::Weight,
                        });
                    }
                    if let Value::Num(value) = self.const_value(&we, ConstUse::Weight)? {
                        let percent = wty == Ty::Number(NumKind::Percent);
                        weight = Some(Weight {
                            value,
                            percent,
                            span: w.span,
                        });
                    }
                }
                let mut slot = mk(SlotKind::Item, d.label.as_ref(), ty, e);
                slot.weight = weight;
                Some(slot)
            }
            Decl::Total(d) => {
                let (e, ty) = match &d.body {
                    ast::TotalBody::Expr(x) => self.expr(x, Some(&Ty::Number(NumKind::Points)))?,
                    ast::TotalBody::SumOfItems { weighted, span } => (
                        self.sum_of_items(*weighted, *span)?,
                        Ty::Number(NumKind::Points),
                    ),
                };
                let ty = self
                    .assign(&Ty::Number(NumKind::Points), &ty, d.name.span, None)
                    .unwrap_or(ty);
                Some(mk(SlotKind::Total, d.label.as_ref(), ty, e))
            }
            Decl::Grade(d) => {
                let (e, ty) = self.grade_decl(d)?;
                Some(mk(SlotKind::Grade, d.label.as_ref(), ty, e))
            }
            Decl::Output(d) => {
                let want = self.type_expr(&d.ty)?;
                let (e, ty) = self.expr(&d.expr, Some(&want))?;
                let ty = self.assign(&want, &ty, d.expr.span, Some(d.ty.span()))?;
                Some(mk(SlotKind::Output, d.label.as_ref(), ty, e))
            }
        }
    }

    /// `sum of items` / `weighted sum of items`.
    fn sum_of_items(&mut self, weighted: bool, span: Span) -> Option<IExpr> {
        let mut acc: Option<IExpr> = None;
        let mut bad_weight = false;
        if self.items.is_empty() {
            self.errors.push(CheckError::Invalid {
                problem: Problem::NoItems,
                span,
            });
            return None;
        }
        for slot in self.items.clone() {
            let ty = self.resolve_slot(slot, span)?;
            if ty.dim() != crate::types::Dim::Number {
                let name = self.slot_name(slot);
                self.errors.push(CheckError::Invalid {
                    problem: Problem::ItemNotNumber { name, ty },
                    span,
                });
                return None;
            }
            let read = IExpr {
                kind: IKind::Read(Source::Slot(slot)),
                span,
            };
            let term = if weighted {
                let Some(w) = self.weights.get(&slot).cloned() else {
                    let name = self.slot_name(slot);
                    let item_span = self
                        .slots
                        .get(slot)
                        .and_then(|s| s.as_ref())
                        .map(|s| s.span)
                        .unwrap_or(span);
                    self.errors.push(CheckError::Invalid {
                        problem: Problem::NoWeight { name },
                        span: item_span,
                    });
                    return None;
                };
                let (we, wty) = self.expr(&w, None)?;
                if wty != Ty::Number(NumKind::Percent) {
                    if let Some(Value::Num(n)) = self.const_value(&we, ConstUse::Weight) {
                        self.errors.push(CheckError::Invalid {
                            problem: Problem::WeightNotPercent {
                                weight: n.to_plain_string(),
                            },
                            span: w.span,
                        });
                    }
                    bad_weight = true;
                    continue;
                }
                IExpr {
                    kind: IKind::Arith(ArithOp::Mul, Box::new(we), Box::new(read)),
                    span,
                }
            } else {
                read
            };
            acc = Some(match acc {
                None => term,
                Some(a) => IExpr {
                    kind: IKind::Arith(ArithOp::Add, Box::new(a), Box::new(term)),
                    span,
                },
            });
        }
        if bad_weight {
            return None;
        }
        acc
    }

    fn grade_decl(&mut self, d: &ast::GradeDecl) -> Option<(IExpr, Ty)> {
        let (subject, sty) = self.expr(&d.subject, None)?;
        if !sty.is_numeric() {
            self.errors.push(CheckError::TypeMismatch {
                expected: Expected::Number,
                found: sty,
                span: d.subject.span,
                because: None,
                hint: Hint::GradeSubject,
            });
            return None;
        }
        let mut levels: Vec<String> = Vec::new();
        let mut arms = Vec::new();
        let mut ok = true;
        for arm in &d.arms {
            let idx = match levels.iter().position(|l| *l == arm.level.value) {
                Some(i) => i,
                None => {
                    levels.push(arm.level.value.clone());
                    levels.len() - 1
                }
            };
            let tests = match self.band_tests(&arm.cond, &sty, &d.subject) {
                Some(t) => t,
                None => {
                    ok = false;
                    continue;
                }
            };
            let value = IExpr {
                kind: IKind::Const(Value::Level(idx as u16)),
                span: arm.level.span,
            };
            arms.push(IBandArm {
                tests,
                value,
                span: arm.span,
            });
        }
        if !ok {
            return None;
        }
        Some((
            IExpr {
                kind: IKind::Band {
                    subject: Box::new(subject),
                    subject_ty: sty,
                    arms,
                },
                span: d.span,
            },
            Ty::Grade(levels),
        ))
    }

    /// Checks that a value of type `found` may be stored where `want` is declared.
    pub(crate) fn assign(
        &mut self,
        want: &Ty,
        found: &Ty,
        span: Span,
        because: Option<Span>,
    ) -> Option<Ty> {
        let ok = match (want, found) {
            (Ty::Grade(a), Ty::Grade(b)) => a == b,
            _ => want.dim() == found.dim(),
        };
        if ok {
            Some(want.clone())
        } else {
            self.errors.push(CheckError::TypeMismatch {
                expected: Expected::Ty(want.clone()),
                found: found.clone(),
                span,
                because,
                hint: Hint::Convert,
            });
            None
        }
    }

    /// Adds a compiler-made slot and returns its index; a team figure
    /// (an aggregate or a rank) already made the same way is reused.
    pub(crate) fn hidden(&mut self, what: &str, ty: Ty, compute: Compute, span: Span) -> usize {
        let key = match &compute {
            Compute::Team(TeamFn::Agg { kind, arg }) => Some(Shared::Agg(*kind, *arg)),
            Compute::Team(TeamFn::Rank { arg, order }) => Some(Shared::Rank(*arg, *order)),
            Compute::Team(TeamFn::Distribute { .. }) | Compute::History(_) | Compute::Expr(_) => {
                None
            }
        };
        self.shared_slot(key, |c| c.new_hidden(what, ty, compute, span))
    }

    /// The slot already made for `key`, else the one `make` makes (and
    /// remembers for `key`).
    pub(crate) fn shared_slot(
        &mut self,
        key: Option<Shared>,
        make: impl FnOnce(&mut Self) -> usize,
    ) -> usize {
        if let Some(&slot) = key.as_ref().and_then(|k| self.shared.get(k)) {
            return slot;
        }
        let slot = make(self);
        if let Some(k) = key {
            self.shared.insert(k, slot);
        }
        slot
    }

    fn new_hidden(&mut self, what: &str, ty: Ty, compute: Compute, span: Span) -> usize {
        let owner = self
            .current
            .last()
            .map(|s| self.slot_name(*s))
            .unwrap_or_default();
        self.slots.push(Some(Slot {
            name: format!("{owner}#{what}"),
            label: None,
            kind: SlotKind::Hidden,
            ty,
            compute,
            span,
            stage: 0,
            weight: None,
        }));
        self.states.push(SlotState::Done);
        self.slots.len() - 1
    }
}

/// A bare (possibly negated) number literal read in the unit of a money or
/// duration input; `None` for anything else.
fn in_declared_unit(e: &ast::Expr, ty: &Ty) -> Option<crate::eval::num::Num> {
    use crate::eval::num::Num;
    let (value, negative) = match &e.kind {
        ast::ExprKind::Number {
            value,
            unit: ast::LitUnit::None,
        } => (*value, false),
        ast::ExprKind::Neg(inner) => match &inner.kind {
            ast::ExprKind::Number {
                value,
                unit: ast::LitUnit::None,
            } => (*value, true),
            _ => return None,
        },
        _ => return None,
    };
    let v = match ty {
        Ty::Money => Num::from_decimal(value),
        Ty::Duration(u) => Num::from_decimal(value)
            .times(Num::from_decimal(u.seconds()))
            .ok()?,
        _ => return None,
    };
    if negative {
        v.negate().ok()
    } else {
        Some(v)
    }
}
