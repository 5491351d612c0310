//! `explain`: the score sheet of one record: for every output, the inputs
//! it read, the decisions taken (quoting the policy), the team and history
//! figures it used, the arithmetic, and the value `kpi eval` prints.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
// Matches over IR enums name every variant: a new variant fails to build
// here until it is handled.
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

pub use super::formula::Formula;
pub use super::trace::{Check, Decision, StepArm};

use super::formula::{formula, resolve};
use super::show::{plain, with_unit};
use super::trace::Walker;
use super::{row_context, row_of, slot_of, ContextValues, RowEnv, Text};
use crate::builtins;
use crate::eval::expr::TraceEvent;
use crate::eval::{evaluate, EvalError, Evaluated, Row};
use crate::ir::{Compute, HistoryFn, IExpr, IKind, Program, SlotKind, Source, TeamFn};
use crate::syntax::ast::Order;
use crate::types::Ty;
use serde::Serialize;
use std::collections::BTreeSet;

/// The score sheet of one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub policy: String,
    pub version: Option<String>,
    pub employee: String,
    pub period: String,
    pub team: Option<String>,
    /// Every output, in declaration order.
    pub outputs: Vec<Entry>,
    pub summary: Summary,
}

/// Which outputs make up the bottom line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The total (`total = …`), if the policy has one.
    pub total: Option<String>,
    /// Grade outputs (`grade by …` and grade-typed outputs).
    pub grades: Vec<String>,
    /// Money outputs.
    pub payouts: Vec<String>,
}

/// One output explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub name: String,
    pub label: Option<String>,
    /// `item`, `total`, `grade` or `output`.
    pub kind: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// Line of the declaration in the policy.
    pub line: usize,
    /// The value with its unit (`¥1600.00`, `2.5d`).
    pub value: String,
    /// The value exactly as `kpi eval` prints it.
    pub shown: String,
    pub reads: Vec<Read>,
    /// Named intermediate values (`let`) it used.
    pub derived: Vec<Derived>,
    /// Team and history figures it used.
    pub figures: Vec<Figure>,
    pub decisions: Vec<Decision>,
    pub formula: Option<Formula>,
}

/// A value an output read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Read {
    /// `input`, `context`, `const` or `output`.
    pub source: String,
    pub id: String,
    pub label: Option<String>,
    pub value: String,
}

/// A `let` an output used, with how it came about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derived {
    pub name: String,
    pub line: usize,
    pub value: String,
    pub decisions: Vec<Decision>,
    pub formula: Option<Formula>,
}

/// A team or history figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// `team.avg`, `team.sum`, `team.min`, `team.max`, `team.count`,
    /// `rank`, `distribute`, `prev` or `streak`.
    pub kind: String,
    /// The call as written, e.g. `team.avg(daily_tickets)`.
    pub call: String,
    pub value: String,
    /// Team figures: how many records the team has in this period.
    pub team_size: Option<usize>,
    /// `desc` or `asc` for ranks and distributions.
    pub order: Option<String>,
    /// `prev`: the previous month and whether it has a record.
    pub previous: Option<String>,
    pub found: Option<bool>,
}

/// Evaluates the batch and explains row `row`.
pub fn explain(
    program: &Program,
    source: &str,
    rows: &[Row],
    context: &ContextValues,
    row: usize,
) -> Result<Explanation, Vec<EvalError>> {
    let ev = evaluate(program, rows, context, Some(row))?;
    Ok(build(program, source, rows, context, &ev, row))
}

/// Explains row `row` of a batch evaluated with `trace_row = Some(row)`.
pub fn build(
    program: &Program,
    source: &str,
    rows: &[Row],
    context: &ContextValues,
    ev: &Evaluated,
    row: usize,
) -> Explanation {
    build_traced(program, source, rows, context, ev, row, &ev.trace)
}

/// Explains every row of an evaluated batch, in output order: one replay
/// of each row (see [`crate::eval::trace_row`]), not one batch per row.
pub fn explain_each(
    program: &Program,
    source: &str,
    rows: &[Row],
    context: &ContextValues,
    ev: &Evaluated,
) -> Vec<Explanation> {
    ev.order
        .iter()
        .map(|&row| {
            let trace = crate::eval::trace_row(program, rows, context, ev, row);
            build_traced(program, source, rows, context, ev, row, &trace)
        })
        .collect()
}

/// Explains row `row` with the decisions in `trace`.
fn build_traced(
    program: &Program,
    source: &str,
    rows: &[Row],
    context: &ContextValues,
    ev: &Evaluated,
    row: usize,
    trace: &[(usize, Vec<TraceEvent>)],
) -> Explanation {
    let r = row_of(rows, row);
    let slots = ev.row(row);
    let inputs = r.inputs.to_vec();
    let env = RowEnv {
        inputs: &inputs,
        ctx: row_context(program, context, r),
        slots: &slots,
    };
    // The evaluator's trace is no longer read here: each decision is worked
    // out for its node (a table used twice in a slot shares its spans).
    let _ = trace;
    let b = Builder {
        program,
        text: Text(source),
        rows,
        row,
        env: &env,
    };
    let mut summary = Summary {
        total: None,
        grades: Vec::new(),
        payouts: Vec::new(),
    };
    let mut outputs = Vec::new();
    for o in &program.outputs {
        let slot = slot_of(program, o.slot);
        match (&slot.kind, &slot.ty) {
            (SlotKind::Total, _) => summary.total = summary.total.take().or(Some(o.name.clone())),
            (SlotKind::Grade, _) | (_, Ty::Grade(_)) => summary.grades.push(o.name.clone()),
            (_, Ty::Money) => summary.payouts.push(o.name.clone()),
            _ => {}
        }
        outputs.push(b.entry(&o.name, o.slot));
    }
    Explanation {
        policy: program.name.clone(),
        version: program.version.clone(),
        employee: r.employee().to_string(),
        period: r.period.to_string(),
        team: r.team().map(str::to_string),
        outputs,
        summary,
    }
}

struct Builder<'a> {
    program: &'a Program,
    text: Text<'a>,
    rows: &'a [Row],
    row: usize,
    env: &'a RowEnv<'a>,
}

/// What an output's expression reaches, gathered once.
#[derive(Default)]
struct Reach {
    reads: Vec<Read>,
    derived: Vec<Derived>,
    figures: Vec<Figure>,
    seen: BTreeSet<(u8, usize)>,
}

impl Builder<'_> {
    fn walker(&self) -> Walker<'_> {
        Walker {
            program: self.program,
            text: self.text,
            env: self.env,
            out: Vec::new(),
        }
    }

    fn shown(&self, slot: usize) -> (String, String) {
        let ty = &slot_of(self.program, slot).ty;
        match self.env.slots.get(slot) {
            Some(v) => (with_unit(v, ty), plain(v, ty)),
            None => (String::new(), String::new()),
        }
    }

    /// Decisions and formula of a slot computed by an expression.
    fn reasoning(&self, slot: usize, value: &str) -> (Vec<Decision>, Option<Formula>) {
        let s = slot_of(self.program, slot);
        let Compute::Expr(e) = &s.compute else {
            return (Vec::new(), None);
        };
        let mut w = self.walker();
        w.walk(e, Some(&s.ty));
        let f = formula(&w, e, value);
        let last = resolve(&w, e);
        if s.ty == Ty::Bool
            && matches!(
                last.kind,
                IKind::Cmp(..) | IKind::And(..) | IKind::Or(..) | IKind::Not(_)
            )
        {
            w.condition(last, None);
        }
        (w.out, f)
    }

    fn entry(&self, name: &str, slot: usize) -> Entry {
        let s = slot_of(self.program, slot);
        let (value, shown) = self.shown(slot);
        let (decisions, formula) = self.reasoning(slot, &value);
        let mut reach = Reach::default();
        match &s.compute {
            Compute::Expr(e) => self.reach(e, &mut reach),
            Compute::Team(_) | Compute::History(_) => self.read_slot(slot, &mut reach, true),
        }
        Entry {
            name: name.to_string(),
            label: s.label.clone(),
            kind: match s.kind {
                SlotKind::Item => "item",
                SlotKind::Total => "total",
                SlotKind::Grade => "grade",
                SlotKind::Const | SlotKind::Let | SlotKind::Output | SlotKind::Hidden => "output",
            }
            .into(),
            ty: s.ty.to_string(),
            line: self.text.line(s.span.start),
            value,
            shown,
            reads: reach.reads,
            derived: reach.derived,
            figures: reach.figures,
            decisions,
            formula,
        }
    }

    /// Collects every value `e` reads.
    fn reach(&self, e: &IExpr, out: &mut Reach) {
        let mut sources = Vec::new();
        e.walk(&mut |x| {
            if let IKind::Read(src) = x.kind {
                sources.push(src);
            }
        });
        for src in sources {
            self.read(src, out);
        }
    }

    fn read(&self, src: Source, out: &mut Reach) {
        let (fields, kind, tag) = match src {
            Source::Input(i) => (&self.program.inputs, "input", (0u8, i)),
            Source::Context(i) => (&self.program.context, "context", (1u8, i)),
            Source::Slot(s) => return self.read_slot(s, out, false),
        };
        if !out.seen.insert(tag) {
            return;
        }
        let values = if tag.0 == 0 {
            self.env.inputs
        } else {
            self.env.ctx
        };
        if let (Some(f), Some(v)) = (fields.get(tag.1), values.get(tag.1)) {
            out.reads.push(Read {
                source: kind.into(),
                id: f.id.clone(),
                label: f.label.clone(),
                value: with_unit(v, &f.ty),
            });
        }
    }

    /// A slot read by an output (or the output itself when `own`, for
    /// outputs computed by a team or history pass).
    fn read_slot(&self, slot: usize, out: &mut Reach, own: bool) {
        if !out.seen.insert((2, slot)) && !own {
            return;
        }
        let Some(s) = self.program.slots.get(slot) else {
            return;
        };
        match (&s.kind, &s.compute) {
            (SlotKind::Hidden, Compute::Expr(e)) => self.reach(e, out),
            (_, Compute::Team(f)) => {
                out.figures.push(self.team_figure(slot, f));
                let (TeamFn::Agg { arg, .. }
                | TeamFn::Rank { arg, .. }
                | TeamFn::Distribute { arg, .. }) = f;
                self.read_slot(*arg, out, false);
            }
            (_, Compute::History(f)) => {
                out.figures.push(self.history_figure(slot, f));
                match f {
                    HistoryFn::Prev { arg, default } => {
                        self.read_slot(*arg, out, false);
                        self.read_slot(*default, out, false);
                    }
                    HistoryFn::Streak { arg } | HistoryFn::HasPrev { arg } => {
                        self.read_slot(*arg, out, false)
                    }
                }
            }
            (SlotKind::Let, Compute::Expr(e)) => {
                let (value, _) = self.shown(slot);
                let (decisions, formula) = self.reasoning(slot, &value);
                out.derived.push(Derived {
                    name: s.name.clone(),
                    line: self.text.line(s.span.start),
                    value,
                    decisions,
                    formula,
                });
                self.reach(e, out);
            }
            (kind, _) => out.reads.push(Read {
                source: if *kind == SlotKind::Const {
                    "const"
                } else {
                    "output"
                }
                .into(),
                id: s.name.clone(),
                label: s.label.clone(),
                value: self.shown(slot).0,
            }),
        }
    }

    fn figure(&self, slot: usize, kind: &str) -> Figure {
        let s = slot_of(self.program, slot);
        Figure {
            kind: kind.into(),
            call: match self.text.quote_expr(s.span) {
                c if c.contains('{') => {
                    let head = c.split('{').next().unwrap_or("").trim_end();
                    format!("{head} {{…}}")
                }
                c => c,
            },
            value: self.shown(slot).0,
            team_size: None,
            order: None,
            previous: None,
            found: None,
        }
    }

    fn team_figure(&self, slot: usize, f: &TeamFn) -> Figure {
        let me = row_of(self.rows, self.row);
        let size = self
            .rows
            .iter()
            .filter(|r| r.team() == me.team() && r.period == me.period)
            .count();
        let order_name = |o: &Order| match o {
            Order::Desc => "desc".to_string(),
            Order::Asc => "asc".to_string(),
        };
        let (kind, order) = match f {
            TeamFn::Agg { kind, .. } => {
                (builtins::info(builtins::of_aggregate(*kind)).name(), None)
            }
            TeamFn::Rank { order, .. } => ("rank", Some(order_name(order))),
            TeamFn::Distribute { order, .. } => ("distribute", Some(order_name(order))),
        };
        Figure {
            team_size: Some(size),
            order,
            ..self.figure(slot, kind)
        }
    }

    fn history_figure(&self, slot: usize, f: &HistoryFn) -> Figure {
        match f {
            HistoryFn::Prev { .. } | HistoryFn::HasPrev { .. } => {
                let kind = match f {
                    HistoryFn::HasPrev { .. } => "has_prev",
                    HistoryFn::Prev { .. } | HistoryFn::Streak { .. } => "prev",
                };
                let me = row_of(self.rows, self.row);
                let prev = self
                    .rows
                    .iter()
                    .find(|r| {
                        r.employee() == me.employee() && r.period.index() + 1 == me.period.index()
                    })
                    .map(|r| r.period);
                let wanted = prev_month(me.period);
                Figure {
                    previous: Some(wanted.to_string()),
                    found: Some(prev.is_some()),
                    ..self.figure(slot, kind)
                }
            }
            HistoryFn::Streak { .. } => self.figure(slot, "streak"),
        }
    }
}

fn prev_month(p: crate::types::Period) -> crate::types::Period {
    if p.month > 1 {
        crate::types::Period {
            year: p.year,
            month: p.month - 1,
        }
    } else {
        crate::types::Period {
            year: p.year.saturating_sub(1),
            month: 12,
        }
    }
}
