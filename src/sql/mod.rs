//! `kpi compile --to sql`: a checked [`Program`] as one SQL query that
//! computes exactly what `kpi eval` computes, for DuckDB and Spark SQL.
//!
//! The query reads two relations, `records` and `context` (names
//! overridable), whose columns are the input ids typed as in
//! [`column_type`] (see the README), and returns `employee`, `period`, `team` and one text
//! column per output, spelled like `kpi eval --format csv`.
//!
//! Exactness: no engine division is ever used on a value. Every number is an
//! integer numerator over a positive integer denominator ([`num`]); a
//! comparison with a quotient becomes a comparison of products; floor, ceil,
//! round and the output spelling are integer arithmetic. Magnitudes are
//! bounded from the inputs' ranges (inputs without a range get the bound of
//! their column type, which the query checks); a value that might need more
//! than 38 digits is refused with `kpi::sql::unbounded`.
//!
//! Stages: one CTE per slot, named after it, in evaluation order; team
//! functions are window functions over (team, period), history is a join on
//! the same employee's previous calendar month.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

#[cfg(feature = "duckdb")]
pub mod embedded;
pub mod error;
mod expr;
mod loader;
mod num;

pub use error::{DuckDbError, NotHeld, SqlError};
pub use loader::{loader, FileFormat};

use crate::ir::*;
use crate::syntax::ast::{Order, Span};
use crate::types::{NumKind, Ty};
use expr::{Columns, Compiler, Val};
use num::{pow10, Arith, Den, NumV};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashSet};

/// The SQL engine a query is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    DuckDb,
    Spark,
}

/// What to compile for.
#[derive(Debug, Clone)]
pub struct Options {
    pub dialect: Dialect,
    /// The relation holding one row per employee and period.
    pub records: String,
    /// The relation holding one row per period (context inputs).
    pub context: String,
}

impl Options {
    pub fn new(dialect: Dialect) -> Options {
        Options {
            dialect,
            records: "records".into(),
            context: "context".into(),
        }
    }
}

/// Most members a team (same team and period) may have: team sums are
/// bounded with it, and the query checks it.
const TEAM_DIGITS: f64 = 6.0;
const TEAM_MAX: i64 = 1_000_000;

/// Decimal places of an input column in base units (percent as a
/// fraction, durations in seconds, money in yuan), and the magnitude
/// assumed (and checked) when the input declares no range.
pub fn column_scale(ty: &Ty) -> (u32, i64) {
    match ty {
        Ty::Number(NumKind::Count) => (0, 1_000_000_000),
        Ty::Number(NumKind::Percent) => (6, 10_000),
        Ty::Number(NumKind::Plain | NumKind::Points) => (6, 1_000_000_000),
        Ty::Money => (4, 1_000_000_000_000),
        Ty::Duration(_) => (3, 1_000_000_000),
        Ty::Bool | Ty::Text | Ty::Grade(_) => (0, 0),
    }
}

/// The SQL type of an input column, as the loaders create it.
/// Decimals take `DECIMAL(18,s)` (fast in both engines) unless the input's
/// range needs more digits.
pub fn column_type(f: &Field, dialect: Dialect) -> String {
    let text = match dialect {
        Dialect::DuckDb => "VARCHAR",
        Dialect::Spark => "STRING",
    };
    match &f.ty {
        Ty::Number(NumKind::Count) => "BIGINT".into(),
        Ty::Number(_) | Ty::Money | Ty::Duration(_) => {
            let (p, s) = decimal_type(f).unwrap_or((38, column_scale(&f.ty).0));
            format!("DECIMAL({p},{s})")
        }
        Ty::Bool => "BOOLEAN".into(),
        Ty::Text | Ty::Grade(_) => text.into(),
    }
}

/// The `(precision, scale)` of a decimal input column ([`column_type`]);
/// `None` for counts and the other types.
pub fn decimal_type(f: &Field) -> Option<(u32, u32)> {
    match &f.ty {
        Ty::Number(NumKind::Count) | Ty::Bool | Ty::Text | Ty::Grade(_) => None,
        Ty::Number(_) | Ty::Money | Ty::Duration(_) => {
            let (s, bound) = column_scale(&f.ty);
            let mag = match f.range {
                Some((lo, hi)) => lo.abs().max(hi.abs()),
                None => Decimal::from(bound),
            };
            let digits = mag.trunc().to_string().trim_start_matches('-').len();
            let p = if digits + s as usize <= 18 { 18 } else { 38 };
            Some((p, s))
        }
    }
}

/// A computed column.
#[derive(Debug, Clone)]
enum Col {
    Num {
        n: String,
        /// The denominator; `Dyn` names the column holding it.
        den: Den,
        nb: f64,
        db: f64,
        blame: BTreeSet<String>,
    },
    Bool(String),
    Text(String),
    Level(String),
}

struct Cols {
    d: Dialect,
    inputs: Vec<Col>,
    context: Vec<Col>,
    slots: Vec<Option<Col>>,
    /// Table alias the reads are qualified with.
    qual: Option<&'static str>,
}

impl Cols {
    fn col_val(&self, c: &Col, qual: Option<&str>) -> Val {
        let q = |name: &str| match qual {
            Some(t) => format!("{t}.{}", self.d.ident(name)),
            None => self.d.ident(name),
        };
        match c {
            Col::Num {
                n,
                den,
                nb,
                db,
                blame,
            } => Val::Num(NumV {
                n: q(n),
                den: match den {
                    Den::Dyn(col) => Den::Dyn(q(col)),
                    Den::Scale(_) | Den::Const(_) => den.clone(),
                },
                nb: *nb,
                db: *db,
                blame: blame.clone(),
                konst: None,
            }),
            Col::Bool(n) => Val::Bool(q(n)),
            Col::Text(n) => Val::Text(q(n)),
            Col::Level(n) => Val::Level(q(n)),
        }
    }

    fn slot(&self, s: usize, span: Span) -> Result<&Col, SqlError> {
        self.slots
            .get(s)
            .and_then(Option::as_ref)
            .ok_or(SqlError::Internal { span })
    }
}

impl Columns for Cols {
    fn read(&self, s: Source, span: Span) -> Result<Val, SqlError> {
        let c = match s {
            Source::Input(i) => self.inputs.get(i),
            Source::Context(i) => self.context.get(i),
            Source::Slot(i) => self.slots.get(i).and_then(Option::as_ref),
        }
        .ok_or(SqlError::Internal { span })?;
        Ok(self.col_val(c, self.qual))
    }
}

/// Column names: unique (case-insensitively), readable where possible.
struct Names {
    used: HashSet<String>,
}

impl Names {
    fn new() -> Names {
        let used = ["employee", "period", "team", "_pidx"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        Names { used }
    }

    fn take(&mut self, want: &str, fallback: String) -> String {
        let ok = |s: &str, used: &HashSet<String>| {
            !s.is_empty()
                && !s.contains("__")
                && !used.contains(&s.to_lowercase())
                && !used.contains(&format!("{}__d", s.to_lowercase()))
        };
        let name = if ok(want, &self.used) {
            want.to_string()
        } else {
            fallback
        };
        for suffix in ["", "__d", "__q", "__x", "__s", "__r", "__c", "__g"] {
            self.used.insert(format!("{}{suffix}", name.to_lowercase()));
        }
        name
    }
}

/// The query under construction: a chain of CTEs.
struct Query {
    d: Dialect,
    ctes: Vec<String>,
    last: String,
}

impl Query {
    /// Adds `SELECT *, cols FROM last` as a CTE named `name`.
    fn project(&mut self, name: &str, comment: &str, cols: &[(String, String)]) {
        let mut body = String::from("  SELECT *");
        for (e, alias) in cols {
            body.push_str(&format!(",\n    {e} AS {}", self.d.ident(alias)));
        }
        body.push_str(&format!("\n  FROM {}", self.last));
        self.cte(name, comment, body);
    }

    fn cte(&mut self, name: &str, comment: &str, body: String) {
        let id = self.d.ident(&format!("{:02}_{name}", self.ctes.len()));
        let mut s = String::new();
        for line in comment.lines() {
            s.push_str(&format!("-- {line}\n"));
        }
        s.push_str(&format!("{id} AS (\n{body}\n)"));
        self.ctes.push(s);
        self.last = id;
    }
}

/// Per-record slots waiting to be written as one CTE.
#[derive(Default)]
struct Batch {
    cols: Vec<(String, String)>,
    names: Vec<String>,
    comments: Vec<String>,
    slots: BTreeSet<usize>,
}

impl Batch {
    fn flush(&mut self, q: &mut Query) {
        if self.cols.is_empty() {
            return;
        }
        let mut name = String::new();
        for n in &self.names {
            if name.chars().count() > 40 {
                name.push_str("_etc");
                break;
            }
            if !name.is_empty() {
                name.push('_');
            }
            name.push_str(n);
        }
        q.project(&name, &self.comments.join("\n"), &self.cols);
        *self = Batch::default();
    }
}

/// Compiles a checked program to one SQL query.
pub fn compile(program: &Program, opts: &Options) -> Result<String, Vec<SqlError>> {
    let d = opts.dialect;
    let a = Arith { d };
    let mut names = Names::new();
    let mut q = Query {
        d,
        ctes: Vec::new(),
        last: String::new(),
    };

    // ---- the inputs, checked and as exact integers
    let mut cols: Vec<(String, String)> = Vec::new();
    let mut inputs = Vec::new();
    for (i, f) in program.inputs.iter().enumerate() {
        let name = names.take(&f.id, format!("_in{i}"));
        let src = format!("r.{}", d.ident(&f.id));
        cols.push((input_expr(&a, f, &src, None), name.clone()));
        inputs.push(field_col(f, name));
    }
    let mut context = Vec::new();
    for (i, f) in program.context.iter().enumerate() {
        let name = names.take(&f.id, format!("_cx{i}"));
        let src = format!("c.{}", d.ident(&f.id));
        cols.push((
            input_expr(&a, f, &src, Some("c.period IS NULL")),
            name.clone(),
        ));
        context.push(field_col(f, name));
    }
    // A malformed period, or two rows for one employee and period (in the
    // records, or through two context rows of a period), stop the query like
    // `kpi eval`; `employee` carries the check, as every row's output does.
    // `_pidx`: months since year 0 (consecutive months differ by 1).
    let mut body = format!(
        "  SELECT CASE WHEN length(r.period) <> 7 OR substr(r.period, 5, 1) <> '-' \
         OR CAST(substr(r.period, 6, 2) AS INTEGER) NOT BETWEEN 1 AND 12 THEN {} \
         WHEN COUNT(*) OVER (PARTITION BY r.employee, r.period) > 1 THEN {} \
         ELSE r.employee END AS employee,\n    r.period, r.team,\n    \
         CAST(substr(r.period, 1, 4) AS INTEGER) * 12 + CAST(substr(r.period, 6, 2) AS INTEGER) - 1 AS _pidx",
        d.error("a period is not YYYY-MM"),
        d.error("two rows for one employee and period (records, or context rows of one period)")
    );
    for (e, alias) in &cols {
        body.push_str(&format!(",\n    {e} AS {}", d.ident(alias)));
    }
    body.push_str(&format!("\n  FROM {} r", opts.records));
    if !program.context.is_empty() {
        body.push_str(&format!(
            "\n  LEFT JOIN {} c ON c.period = r.period",
            opts.context
        ));
    }
    q.cte(
        "inputs",
        &format!(
            "{}: the inputs as exact integers (value = column / 10^scale), checked",
            program.name
        ),
        body,
    );

    let mut cx = Cols {
        d,
        inputs,
        context,
        slots: vec![None; program.slots.len()],
        qual: None,
    };
    let mut errors = Vec::new();
    let mut failed = BTreeSet::new();
    let mut batch = Batch::default();

    // ---- the slots, stage by stage, in evaluation order
    for stage in 0..=program.max_stage {
        let in_stage: Vec<usize> = program
            .order
            .iter()
            .copied()
            .filter(|&s| program.slots.get(s).is_some_and(|x| x.stage == stage))
            .collect();
        let grouped = in_stage.iter().copied().filter(|&s| {
            program
                .slots
                .get(s)
                .is_some_and(|x| !matches!(x.compute, Compute::Expr(_)))
        });
        let per_record = in_stage.iter().copied().filter(|&s| {
            program
                .slots
                .get(s)
                .is_some_and(|x| matches!(x.compute, Compute::Expr(_)))
        });
        for s in grouped.chain(per_record).collect::<Vec<_>>() {
            let Some(slot) = program.slots.get(s) else {
                continue;
            };
            let name = match slot.kind {
                SlotKind::Hidden => names.take("", format!("_s{s}")),
                SlotKind::Const
                | SlotKind::Let
                | SlotKind::Item
                | SlotKind::Total
                | SlotKind::Grade
                | SlotKind::Output => names.take(&slot.name, format!("_s{s}")),
            };
            let deps = slot.compute.dependencies();
            if deps.iter().any(|dep| failed.contains(dep)) {
                failed.insert(s);
                continue;
            }
            // Per-record slots share a CTE until one reads another of the
            // batch (a shallow query: Spark's analyzer has an iteration limit).
            // (Team aggregates and ranks are window columns of the batch;
            // forced distribution and history need CTEs of their own.)
            let own = matches!(
                slot.compute,
                Compute::History(_) | Compute::Team(TeamFn::Distribute { .. })
            );
            if own || deps.iter().any(|dep| batch.slots.contains(dep)) {
                batch.flush(&mut q);
            }
            let r = match &slot.compute {
                Compute::Expr(e) => {
                    let c = Compiler {
                        a,
                        cols: &cx,
                        slot: &slot.name,
                    };
                    c.expr(e).map(|v| {
                        let (cols, col) = materialize(v, &name);
                        batch.cols.extend(cols);
                        batch.names.push(name.clone());
                        batch.comments.push(describe(slot));
                        batch.slots.insert(s);
                        col
                    })
                }
                Compute::Team(f) => {
                    let r = team(&a, &cx, &mut q, &mut batch, f, slot, &name);
                    if r.is_ok() {
                        batch.slots.insert(s);
                    }
                    r
                }
                Compute::History(f) => history(&a, &cx, &mut q, f, slot, &name),
            };
            match r {
                Ok(col) => {
                    if let Some(x) = cx.slots.get_mut(s) {
                        *x = Some(col);
                    }
                }
                Err(e) => {
                    failed.insert(s);
                    errors.push(e);
                }
            }
        }
        batch.flush(&mut q);
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // ---- outputs spelled like `kpi eval --format csv`: a number is shown
    // from its integer part and its fraction's digits, computed apart so
    // that only the remainder (below the denominator) is scaled up.
    let mut spelled: Vec<(String, Spell)> = Vec::new();
    let (mut parts, mut split, mut digits) = (Vec::new(), Vec::new(), Vec::new());
    for (i, o) in program.outputs.iter().enumerate() {
        let Some(slot) = program.slots.get(o.slot) else {
            return Err(vec![SqlError::Internal {
                span: Span::default(),
            }]);
        };
        let col = cx.slot(o.slot, slot.span).map_err(|e| vec![e])?;
        let v = cx.col_val(col, None);
        // a refusal points at the output's formula
        let at = match &slot.compute {
            Compute::Expr(e) => e.span,
            Compute::Team(_) | Compute::History(_) => slot.span,
        };
        let sp = spell(&a, v, &slot.ty, at).map_err(|e| vec![e])?;
        if let Spell::Number {
            x,
            places,
            min_places,
            ..
        } = &sp
        {
            let o = |c: &str| format!("_o{i}__{c}");
            parts.push((format!("abs({})", x.n), o("a")));
            parts.push((a.den(x), o("b")));
            parts.push((format!("({} < 0)", x.n), o("neg")));
            let (av, bv) = (d.ident(&o("a")), d.ident(&o("b")));
            split.push((d.fdiv(&av, &bv), o("i")));
            split.push((d.pmod(&av, &bv), o("r")));
            let r = d.ident(&o("r"));
            match places {
                Places::Fixed(k) => {
                    // a decimal: the remainder is the fraction's digits
                    let pad = min_places.saturating_sub(*k);
                    digits.push((d.ident(&o("i")), o("int")));
                    digits.push((a.up(&r, pad), o("frac")));
                }
                Places::Exact(k) => {
                    // exact within k places, else rounded half away from zero
                    // to 10 (a carry goes to the integer part)
                    let scaled = a.up(&r, *k);
                    let exact = format!("({} = 0)", d.pmod(&scaled, &bv));
                    let two = d.lit(2);
                    let rounded = d.fdiv(
                        &format!("{two} * {} + {bv}", a.up(&r, 10)),
                        &format!("{two} * {bv}"),
                    );
                    digits.push((exact.clone(), o("x")));
                    digits.push((
                        format!(
                            "CASE WHEN {exact} THEN {} ELSE {rounded} END",
                            d.fdiv(&scaled, &bv)
                        ),
                        o("f0"),
                    ));
                }
            }
        }
        spelled.push((o.name.clone(), sp));
    }
    if !parts.is_empty() {
        q.project(
            "spell",
            "outputs: magnitude, denominator and sign of each number",
            &parts,
        );
        q.project(
            "spell_split",
            "integer part and remainder of each number",
            &split,
        );
        q.project(
            "spell_digits",
            "the fraction's digits: exact, or rounded to 10 places",
            &digits,
        );
    }
    // Every input is checked (missing, decimals, range) like `kpi eval`
    // checks every cell, even those no output reads: reading them here keeps
    // the engine from pruning their checks.
    let checked: Vec<String> = cols
        .iter()
        .map(|(_, alias)| format!("{} IS NULL", d.ident(alias)))
        .collect();
    let employee = if checked.is_empty() {
        "employee".to_string()
    } else {
        format!(
            "CASE WHEN {} THEN {} ELSE employee END AS employee",
            checked.join(" OR "),
            d.error("an input is missing")
        )
    };
    let mut body = format!("  SELECT {employee}, period, team");
    for (i, (name, sp)) in spelled.iter().enumerate() {
        let text = match sp {
            Spell::Text(t) => t.clone(),
            Spell::Number {
                places,
                min_places,
                strip,
                suffix,
                ..
            } => number_text(d, i, places, *min_places, *strip, suffix),
        };
        body.push_str(&format!(",\n    {text} AS {}", d.ident(name)));
    }
    body.push_str(&format!(
        "\n  FROM {}\n  ORDER BY team NULLS FIRST, period, employee",
        q.last
    ));

    let mut out = format!(
        "-- {}{}: compiled by kpi for {}. Exact: integer arithmetic only.\n-- Reads `{}` (one row per employee and period) and `{}` (one row per period).\n",
        program.name,
        program
            .version
            .as_ref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default(),
        match d {
            Dialect::DuckDb => "DuckDB",
            Dialect::Spark => "Spark SQL",
        },
        opts.records,
        opts.context
    );
    out.push_str("WITH\n");
    out.push_str(&q.ctes.join(",\n"));
    out.push_str(&format!(
        "\n-- the outputs, spelled as `kpi eval --format csv` spells them\n{body}\n"
    ));
    Ok(out)
}

fn describe(slot: &Slot) -> String {
    let kind = match slot.kind {
        SlotKind::Const => "const",
        SlotKind::Let => "let",
        SlotKind::Item => "item",
        SlotKind::Total => "total",
        SlotKind::Grade => "grade",
        SlotKind::Output => "output",
        SlotKind::Hidden => "computed",
    };
    match &slot.label {
        Some(l) => format!("{kind} {} \"{l}\" : {}", slot.name, slot.ty),
        None => format!("{kind} {} : {}", slot.name, slot.ty),
    }
}

/// The columns that store a value, and how to read it back.
fn materialize(v: Val, name: &str) -> (Vec<(String, String)>, Col) {
    match v {
        Val::Num(x) => {
            let mut cols = vec![(x.n, name.to_string())];
            let den = match x.den {
                Den::Dyn(e) => {
                    let dn = format!("{name}__d");
                    cols.push((e, dn.clone()));
                    Den::Dyn(dn)
                }
                other @ (Den::Scale(_) | Den::Const(_)) => other,
            };
            (
                cols,
                Col::Num {
                    n: name.to_string(),
                    den,
                    nb: x.nb,
                    db: x.db,
                    blame: x.blame,
                },
            )
        }
        Val::Bool(e) => (vec![(e, name.into())], Col::Bool(name.into())),
        Val::Text(e) => (vec![(e, name.into())], Col::Text(name.into())),
        Val::Level(e) => (vec![(e, name.into())], Col::Level(name.into())),
    }
}

fn field_col(f: &Field, name: String) -> Col {
    match &f.ty {
        Ty::Number(_) | Ty::Money | Ty::Duration(_) => {
            let (k, default) = column_scale(&f.ty);
            let (mag, blame) = match f.range {
                Some((lo, hi)) => (lo.abs().max(hi.abs()), BTreeSet::new()),
                None => (Decimal::from(default), BTreeSet::from([f.id.clone()])),
            };
            let m = mag.to_f64().unwrap_or(f64::MAX);
            let nb = if m <= 1.0 { 0.0 } else { m.log10() } + f64::from(k);
            Col::Num {
                n: name,
                den: Den::Scale(k),
                nb,
                db: f64::from(k),
                blame,
            }
        }
        Ty::Bool => Col::Bool(name),
        Ty::Text => Col::Text(name),
        Ty::Grade(_) => Col::Level(name),
    }
}

/// One input column, checked (missing, decimals, range) and converted.
fn input_expr(a: &Arith, f: &Field, src: &str, absent: Option<&str>) -> String {
    let d = a.d;
    let mut s = String::from("CASE");
    if let Some(c) = absent {
        s.push_str(&format!(
            " WHEN {c} THEN {}",
            d.error(&format!("no context row for the period (`{}`)", f.id))
        ));
    }
    let missing = d.error(&format!("missing value for `{}`", f.id));
    match &f.ty {
        Ty::Number(_) | Ty::Money | Ty::Duration(_) => {
            let (k, bound) = column_scale(&f.ty);
            let (lo, hi) = match f.range {
                Some(r) => r,
                // The bound the magnitudes were computed with; the data
                // layer checks signs.
                None => (-Decimal::from(bound), Decimal::from(bound)),
            };
            let default = match &f.default {
                Some(Value::Num(n)) => expr::num_const(a, *n),
                Some(Value::Bool(_) | Value::Text(_) | Value::Level(_)) | None => NumV {
                    n: missing.clone(),
                    den: Den::Scale(k),
                    nb: 0.0,
                    db: 0.0,
                    blame: BTreeSet::new(),
                    konst: None,
                },
            };
            // The default in the column's scale (defaults are checked
            // against the type, so they have at most `k` places).
            let default_n = match default.den {
                Den::Scale(dk) if dk <= k => a.up(&default.n, k - dk),
                Den::Scale(_) | Den::Const(_) | Den::Dyn(_) => {
                    d.error(&format!("default of `{}`", f.id))
                }
            };
            let scaled = format!("CAST({src} AS DECIMAL(38,{k}))");
            s.push_str(&format!(
                " WHEN {src} IS NULL THEN {default_n} WHEN {scaled} <> {src} THEN {} WHEN {src} < {lo} OR {src} > {hi} THEN {} ELSE CAST({scaled} * {} AS {}) END",
                d.error(&format!("`{}` has more than {k} decimal places", f.id)),
                d.error(&format!("`{}` is outside {lo}..{hi}", f.id)),
                pow10(k).unwrap_or(1),
                d.int_ty()
            ));
        }
        Ty::Bool => {
            let default = match &f.default {
                Some(Value::Bool(b)) => if *b { "TRUE" } else { "FALSE" }.to_string(),
                Some(Value::Num(_) | Value::Text(_) | Value::Level(_)) | None => missing,
            };
            s.push_str(&format!(
                " WHEN {src} IS NULL THEN {default} ELSE {src} END"
            ));
        }
        Ty::Text => {
            let default = match &f.default {
                Some(Value::Text(t)) => d.str_lit(t),
                Some(Value::Num(_) | Value::Bool(_) | Value::Level(_)) | None => missing,
            };
            s.push_str(&format!(
                " WHEN {src} IS NULL THEN {default} ELSE {src} END"
            ));
        }
        Ty::Grade(levels) => {
            let default = match &f.default {
                Some(Value::Level(l)) => l.to_string(),
                Some(Value::Num(_) | Value::Bool(_) | Value::Text(_)) | None => missing,
            };
            s.push_str(&format!(" WHEN {src} IS NULL THEN {default}"));
            for (i, l) in levels.iter().enumerate() {
                s.push_str(&format!(" WHEN {src} = {} THEN {i}", d.str_lit(l)));
            }
            s.push_str(&format!(
                " ELSE {} END",
                d.error(&format!("`{}` is not one of its levels", f.id))
            ));
        }
    }
    s
}

const TEAM: &str = "PARTITION BY team, period";

/// The scale of a slot holding a decimal, or a refusal for a quotient.
fn decimal_arg<'c>(
    cx: &'c Cols,
    arg: usize,
    slot: &Slot,
    what: &'static str,
) -> Result<(&'c str, u32, f64, BTreeSet<String>), SqlError> {
    match cx.slot(arg, slot.span)? {
        Col::Num {
            n,
            den: Den::Scale(k),
            nb,
            blame,
            ..
        } => Ok((n.as_str(), *k, *nb, blame.clone())),
        Col::Num {
            den: Den::Const(_) | Den::Dyn(_),
            ..
        } => Err(SqlError::TeamFraction {
            span: slot.span,
            what,
        }),
        Col::Bool(_) | Col::Text(_) | Col::Level(_) => Err(SqlError::Internal { span: slot.span }),
    }
}

fn team(
    a: &Arith,
    cx: &Cols,
    q: &mut Query,
    batch: &mut Batch,
    f: &TeamFn,
    slot: &Slot,
    name: &str,
) -> Result<Col, SqlError> {
    let d = a.d;
    let ty = d.int_ty();
    let guard = |e: String| {
        format!(
            "CASE WHEN COUNT(*) OVER ({TEAM}) > {TEAM_MAX} THEN {} ELSE {e} END",
            d.error("a team has more than 1000000 members")
        )
    };
    let comment = describe(slot);
    let mut add = |cols: Vec<(String, String)>| {
        batch.cols.extend(cols);
        batch.names.push(name.to_string());
        batch.comments.push(comment.clone());
    };
    let num = |n: &str, den: Den, nb: f64, db: f64, blame| Col::Num {
        n: n.to_string(),
        den,
        nb,
        db,
        blame,
    };
    let order = |o: Order| match o {
        Order::Desc => "DESC",
        Order::Asc => "ASC",
    };
    match f {
        TeamFn::Agg { kind, arg } => {
            let (what, e) = match kind {
                AggKind::Count => {
                    let e = format!("CAST(COUNT(*) OVER ({TEAM}) AS {ty})");
                    add(vec![(e, name.into())]);
                    return Ok(num(name, Den::Scale(0), TEAM_DIGITS, 0.0, BTreeSet::new()));
                }
                AggKind::Sum => ("team.sum", "SUM"),
                AggKind::Avg => ("team.avg", "SUM"),
                AggKind::Min => ("team.min", "MIN"),
                AggKind::Max => ("team.max", "MAX"),
            };
            let (col, k, nb, blame) = decimal_arg(cx, *arg, slot, what)?;
            let agg = format!("{e}({}) OVER ({TEAM})", d.ident(col));
            match kind {
                AggKind::Avg => {
                    let dn = format!("{name}__d");
                    let den = format!(
                        "CAST(COUNT(*) OVER ({TEAM}) AS {ty}) * {}",
                        d.lit(pow10(k).unwrap_or(1))
                    );
                    q.project(
                        name,
                        &comment,
                        &[(guard(agg), name.into()), (den, dn.clone())],
                    );
                    Ok(num(
                        name,
                        Den::Dyn(dn),
                        nb + TEAM_DIGITS,
                        f64::from(k) + TEAM_DIGITS,
                        blame,
                    ))
                }
                AggKind::Sum => {
                    add(vec![(guard(agg), name.into())]);
                    Ok(num(
                        name,
                        Den::Scale(k),
                        nb + TEAM_DIGITS,
                        f64::from(k),
                        blame,
                    ))
                }
                AggKind::Min | AggKind::Max | AggKind::Count => {
                    add(vec![(agg, name.into())]);
                    Ok(num(name, Den::Scale(k), nb, f64::from(k), blame))
                }
            }
        }
        TeamFn::Rank { arg, order: o } => {
            let (col, ..) = decimal_arg(cx, *arg, slot, "rank")?;
            let e = format!(
                "CAST(RANK() OVER ({TEAM} ORDER BY {} {}) AS {ty})",
                d.ident(col),
                order(*o)
            );
            add(vec![(e, name.into())]);
            Ok(num(name, Den::Scale(0), TEAM_DIGITS, 0.0, BTreeSet::new()))
        }
        TeamFn::Distribute {
            arg,
            order: o,
            quotas,
            levels,
            else_level,
            span: _,
        } => {
            let (col, ..) = decimal_arg(cx, *arg, slot, "distribute")?;
            let r = format!("{name}__r");
            let c = format!("{name}__c");
            q.project(
                &format!("{name} (ranks)"),
                &comment,
                &[
                    (
                        format!(
                            "CAST(RANK() OVER ({TEAM} ORDER BY {} {}) AS {ty})",
                            d.ident(col),
                            order(*o)
                        ),
                        r.clone(),
                    ),
                    (format!("CAST(COUNT(*) OVER ({TEAM}) AS {ty})"), c.clone()),
                ],
            );
            // cumulative cut i: round(quota_i × n), half away from zero
            let mut e = String::from("CASE");
            for (quota, level) in quotas.iter().zip(levels) {
                let (qn, qd) = match quota {
                    crate::eval::num::Num::Dec { m, s } => (*m, pow10(u32::from(*s)).unwrap_or(1)),
                    crate::eval::num::Num::Frac { n, d } => (*n, *d),
                };
                let two_d = d.lit(qd.saturating_mul(2));
                let cut = if qn < 0 {
                    format!(
                        "(-{})",
                        d.fdiv(
                            &format!(
                                "{} * {} + {}",
                                d.lit(qn.saturating_mul(-2)),
                                d.ident(&c),
                                d.lit(qd)
                            ),
                            &two_d
                        )
                    )
                } else {
                    d.fdiv(
                        &format!(
                            "{} * {} + {}",
                            d.lit(qn.saturating_mul(2)),
                            d.ident(&c),
                            d.lit(qd)
                        ),
                        &two_d,
                    )
                };
                e.push_str(&format!(" WHEN {} <= {cut} THEN {level}", d.ident(&r)));
            }
            match else_level {
                Some(l) => e.push_str(&format!(" ELSE {l} END")),
                None => e.push_str(&format!(
                    " ELSE {} END",
                    d.error(&format!("no level for a rank in `{}`", slot.name))
                )),
            }
            q.project(name, &comment, &[(e, name.into())]);
            Ok(Col::Level(name.into()))
        }
    }
}

fn history(
    a: &Arith,
    cx: &Cols,
    q: &mut Query,
    f: &HistoryFn,
    slot: &Slot,
    name: &str,
) -> Result<Col, SqlError> {
    let d = a.d;
    let comment = describe(slot);
    match f {
        HistoryFn::Prev { arg, default } => {
            let prev = cx.col_val(cx.slot(*arg, slot.span)?, Some("p"));
            let other = cx.col_val(cx.slot(*default, slot.span)?, Some("c"));
            let c = Compiler {
                a: *a,
                cols: cx,
                slot: &slot.name,
            };
            let v = c.pick("(p.employee IS NOT NULL)".into(), prev, other, slot.span)?;
            let (cols, col) = materialize(v, name);
            let mut body = String::from("  SELECT c.*");
            for (e, alias) in &cols {
                body.push_str(&format!(",\n    {e} AS {}", d.ident(alias)));
            }
            body.push_str(&format!(
                "\n  FROM {last} c\n  LEFT JOIN {last} p ON p.employee = c.employee AND p._pidx = c._pidx - 1",
                last = q.last
            ));
            q.cte(
                name,
                &format!("{comment}\nthe previous calendar month of the same employee"),
                body,
            );
            Ok(col)
        }
        HistoryFn::HasPrev { .. } => {
            let body = format!(
                "  SELECT c.*,\n    (p.employee IS NOT NULL) AS {}\n  FROM {last} c\n  LEFT JOIN {last} p ON p.employee = c.employee AND p._pidx = c._pidx - 1",
                d.ident(name),
                last = q.last
            );
            q.cte(
                name,
                &format!("{comment}\nwhether the same employee has a record in the previous calendar month"),
                body,
            );
            Ok(Col::Bool(name.into()))
        }
        HistoryFn::Streak { arg } => {
            let held = match cx.slot(*arg, slot.span)? {
                Col::Bool(b) => d.ident(b),
                Col::Num { .. } | Col::Text(_) | Col::Level(_) => {
                    return Err(SqlError::Internal { span: slot.span })
                }
            };
            let g = format!("{name}__g");
            q.project(
                &format!("{name} (runs)"),
                &comment,
                &[(
                    format!(
                        "CASE WHEN {held} THEN _pidx - ROW_NUMBER() OVER (PARTITION BY employee, {held} ORDER BY _pidx) END"
                    ),
                    g.clone(),
                )],
            );
            q.project(
                name,
                "months in the run of consecutive calendar months ending here",
                &[(
                    format!(
                        "CAST(CASE WHEN {held} THEN ROW_NUMBER() OVER (PARTITION BY employee, {} ORDER BY _pidx) ELSE 0 END AS {})",
                        d.ident(&g),
                        d.int_ty()
                    ),
                    name.into(),
                )],
            );
            Ok(Col::Num {
                n: name.into(),
                den: Den::Scale(0),
                nb: 5.0,
                db: 0.0,
                blame: BTreeSet::new(),
            })
        }
    }
}

/// How many decimals an output shows.
enum Places {
    /// A decimal with this scale: always exact.
    Fixed(u32),
    /// A quotient: exact when it terminates within this many places,
    /// else rounded to 10.
    Exact(u32),
}

/// How an output is spelled.
enum Spell {
    Text(String),
    Number {
        x: NumV,
        places: Places,
        /// Decimals always shown (money: 2); more are shown without
        /// trailing zeros when `strip`.
        min_places: u32,
        strip: bool,
        suffix: &'static str,
    },
}

/// The text of number output `i` from its `spell` columns.
fn number_text(
    d: Dialect,
    i: usize,
    places: &Places,
    min_places: u32,
    strip: bool,
    suffix: &str,
) -> String {
    let c = |n: &str| d.ident(&format!("_o{i}__{n}"));
    let one = d.lit(1);
    let ten = d.lit(pow10(10).unwrap_or(1));
    // integer part, fraction digits, their count, whether zeros go
    let (int, frac, count, trim) = match places {
        Places::Fixed(k) => (
            c("int"),
            c("frac"),
            (*k).max(min_places).to_string(),
            if strip {
                "TRUE".to_string()
            } else {
                "FALSE".to_string()
            },
        ),
        Places::Exact(k) => {
            let carry = format!("(NOT {} AND {} = {ten})", c("x"), c("f0"));
            (
                format!("({} + CASE WHEN {carry} THEN {one} ELSE 0 END)", c("i")),
                format!("(CASE WHEN {carry} THEN 0 ELSE {} END)", c("f0")),
                format!("(CASE WHEN {} THEN {k} ELSE 10 END)", c("x")),
                c("x"),
            )
        }
    };
    let sign = format!(
        "(CASE WHEN {} AND ({int} <> 0 OR {frac} <> 0) THEN '-' ELSE '' END)",
        c("neg")
    );
    let suffix = if suffix.is_empty() {
        String::new()
    } else {
        format!(" || '{suffix}'")
    };
    if count == "0" {
        return format!("{sign} || {}{suffix}", d.text(&int));
    }
    let digits = format!("lpad({}, CAST({count} AS INTEGER), '0')", d.text(&frac));
    let trimmed = format!("regexp_replace({digits}, '0+$', '')");
    format!(
        "{sign} || {} || (CASE WHEN {trim} THEN (CASE WHEN {trimmed} = '' THEN '' ELSE '.' || {trimmed} END) ELSE '.' || {digits} END){suffix}",
        d.text(&int)
    )
}

fn spell(a: &Arith, v: Val, ty: &Ty, span: Span) -> Result<Spell, SqlError> {
    let d = a.d;
    match v {
        Val::Bool(b) => Ok(Spell::Text(format!(
            "(CASE WHEN {b} THEN 'true' ELSE 'false' END)"
        ))),
        Val::Text(t) => Ok(Spell::Text(t)),
        Val::Level(l) => {
            let Ty::Grade(levels) = ty else {
                return Ok(Spell::Text(d.text(&l)));
            };
            let mut s = format!("(CASE {l}");
            for (i, name) in levels.iter().enumerate() {
                s.push_str(&format!(" WHEN {i} THEN {}", d.str_lit(name)));
            }
            s.push_str(" END)");
            Ok(Spell::Text(s))
        }
        Val::Num(x) => {
            let suffix = match ty {
                Ty::Number(NumKind::Percent) => "%",
                Ty::Number(_)
                | Ty::Money
                | Ty::Duration(_)
                | Ty::Bool
                | Ty::Text
                | Ty::Grade(_) => "",
            };
            let (x, min_places, strip) = match ty {
                // to the fen, half away from zero, always two places
                Ty::Money => (a.round(&x, 2, span)?, 2, false),
                Ty::Number(NumKind::Percent) => (a.mul(&x, &a.konst(100, 0), span)?, 0, true),
                Ty::Duration(u) => {
                    let secs = u.seconds().to_i64().unwrap_or(1);
                    let x = if secs == 1 {
                        x
                    } else {
                        a.div(&x, &a.konst(i128::from(secs), 0), span)?
                    };
                    (x, 0, true)
                }
                Ty::Number(_) | Ty::Bool | Ty::Text | Ty::Grade(_) => (x, 0, true),
            };
            let places = match x.den {
                Den::Scale(k) => Places::Fixed(k),
                Den::Const(_) | Den::Dyn(_) => {
                    // The remainder is below the denominator: scaled by 10^k
                    // it must fit. Up to 30 places (kpi's decimals), at
                    // least 10.
                    let room = (num::LIMIT - x.db - 1.0).floor();
                    if room < 10.0 {
                        return Err(SqlError::Magnitude {
                            span,
                            inputs: x.blame.iter().cloned().collect(),
                        });
                    }
                    Places::Exact(if room >= 30.0 { 30 } else { room as u32 })
                }
            };
            Ok(Spell::Number {
                x,
                places,
                min_places,
                strip,
                suffix,
            })
        }
    }
}
