//! The results of one `kpi eval` run as people read them (§4.2): typed
//! columns with labels, one row per record in output order, a summary per
//! team and period, the checker's warnings, each person's explanation, and
//! where it all came from. The xlsx and HTML writers render this model; it
//! is pure data (no IO), built once from the evaluated batch.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::show::plain;
use crate::eval::format::{displayed_num, write_text};
use crate::eval::{Evaluated, Row};
use crate::ir::{Program, SlotKind, Value};
use crate::types::{DurUnit, NumKind, Ty};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything a people-facing results file shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultsReport {
    pub policy: String,
    pub version: Option<String>,
    /// The policy file and every data file, with their SHA-256.
    pub provenance: Vec<Provenance>,
    /// `kpi 0.1.0`.
    pub generated_by: String,
    /// One per output, in declaration order.
    pub columns: Vec<Column>,
    /// In output order (team, period, employee).
    pub rows: Vec<ResultRow>,
    /// Index into `columns` of the total (`total = …`), if any.
    pub total: Option<usize>,
    /// Index into `columns` of the grade (`grade by …`, else the first
    /// grade-typed output), if any.
    pub grade: Option<usize>,
    /// Indexes into `columns` of the money outputs (payroll).
    pub payouts: Vec<usize>,
    /// One per (period, team), in output order.
    pub teams: Vec<TeamSummary>,
    /// The checker's warnings, rendered as plain text.
    pub warnings: Vec<String>,
    /// Each row's explanation as `kpi explain` prints it, parallel to
    /// `rows`; empty when not asked for.
    pub explanations: Vec<String>,
}

impl ResultsReport {
    /// The levels of the grade column, best first (empty without a grade).
    pub fn grade_levels(&self) -> &[String] {
        match self
            .grade
            .and_then(|g| self.columns.get(g))
            .map(|c| &c.kind)
        {
            Some(ColumnKind::Grade(levels)) => levels,
            _ => &[],
        }
    }
}

/// A file that went into the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// `policy`, `data` or `context`.
    pub role: String,
    pub path: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// One output column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    pub label: Option<String>,
    pub kind: ColumnKind,
    /// `item`, `total`, `grade` or `output`.
    pub role: String,
}

impl Column {
    /// The header people read: the label, else the name.
    pub fn title(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }
}

/// How a column's values are to be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ColumnKind {
    /// Yuan, shown to the fen.
    Money,
    /// A fraction (`0.453`), shown as `45.3%`.
    Percent,
    Points,
    Count,
    Number,
    /// A number of this unit.
    Duration(DurUnit),
    Bool,
    Text,
    /// A grade: its levels, best first.
    Grade(Vec<String>),
}

impl ColumnKind {
    fn of(ty: &Ty) -> ColumnKind {
        match ty {
            Ty::Money => ColumnKind::Money,
            Ty::Number(NumKind::Percent) => ColumnKind::Percent,
            Ty::Number(NumKind::Points) => ColumnKind::Points,
            Ty::Number(NumKind::Count) => ColumnKind::Count,
            Ty::Number(NumKind::Plain) => ColumnKind::Number,
            Ty::Duration(u) => ColumnKind::Duration(*u),
            Ty::Bool => ColumnKind::Bool,
            Ty::Text => ColumnKind::Text,
            Ty::Grade(levels) => ColumnKind::Grade(levels.clone()),
        }
    }
}

/// One record's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub employee: String,
    /// `YYYY-MM`.
    pub period: String,
    pub team: Option<String>,
    /// One per column.
    pub cells: Vec<ResultCell>,
}

/// One value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ResultCell {
    Empty,
    /// A quantity: `text` exactly as `kpi eval --format csv` writes it
    /// (`1234.50`, `45.3%`, `0.3333333333`), `value` the number shown, in
    /// the column's unit (percents as fractions: `45.3%` is `0.453`).
    Number {
        text: String,
        value: Decimal,
    },
    Bool(bool),
    /// Text and grade levels.
    Text(String),
}

impl ResultCell {
    /// The text `kpi eval --format csv` writes.
    pub fn text(&self) -> &str {
        match self {
            ResultCell::Empty => "",
            ResultCell::Number { text, .. } | ResultCell::Text(text) => text,
            ResultCell::Bool(true) => "true",
            ResultCell::Bool(false) => "false",
        }
    }
}

/// The bottom line of one team in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamSummary {
    pub period: String,
    pub team: Option<String>,
    pub headcount: usize,
    /// How many people got each level of the grade column, best first.
    pub grades: Vec<(String, usize)>,
    /// The average of the total column, to 2 decimal places (half away
    /// from zero); `None` without a total.
    pub average_total: Option<Decimal>,
    /// The sum of each payout column (same order as `payouts`), exact;
    /// `None` if it does not fit a decimal.
    pub payroll: Vec<Option<Decimal>>,
}

/// Builds the report of an evaluated batch. `warnings` are the checker's,
/// rendered; `explanations` is parallel to `ev.order` (or empty).
pub fn build(
    program: &Program,
    rows: &[Row],
    ev: &Evaluated,
    provenance: Vec<Provenance>,
    warnings: Vec<String>,
    explanations: Vec<String>,
) -> ResultsReport {
    let columns: Vec<Column> = program
        .outputs
        .iter()
        .map(|o| {
            let slot = super::slot_of(program, o.slot);
            Column {
                name: o.name.clone(),
                label: slot.label.clone(),
                kind: ColumnKind::of(&slot.ty),
                role: match slot.kind {
                    SlotKind::Item => "item",
                    SlotKind::Total => "total",
                    SlotKind::Grade => "grade",
                    _ => "output",
                }
                .to_string(),
            }
        })
        .collect();
    let total = columns.iter().position(|c| c.role == "total");
    let grade = columns.iter().position(|c| c.role == "grade").or_else(|| {
        columns
            .iter()
            .position(|c| matches!(c.kind, ColumnKind::Grade(_)))
    });
    let payouts: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == ColumnKind::Money)
        .map(|(i, _)| i)
        .collect();
    let result_rows: Vec<ResultRow> = ev
        .order
        .iter()
        .map(|&r| {
            let row = super::row_of(rows, r);
            ResultRow {
                employee: row.employee().to_string(),
                period: row.period.to_string(),
                team: row.team().map(str::to_string),
                cells: program
                    .outputs
                    .iter()
                    .map(|o| {
                        cell(
                            ev.value(r, o.slot).as_ref(),
                            &super::slot_of(program, o.slot).ty,
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let teams = summarize(&columns, &result_rows, total, grade, &payouts);
    ResultsReport {
        policy: program.name.clone(),
        version: program.version.clone(),
        provenance,
        generated_by: format!("kpi {}", env!("CARGO_PKG_VERSION")),
        columns,
        rows: result_rows,
        total,
        grade,
        payouts,
        teams,
        warnings,
        explanations,
    }
}

fn cell(v: Option<&Value>, ty: &Ty) -> ResultCell {
    let Some(v) = v else {
        return ResultCell::Empty;
    };
    match v {
        Value::Bool(b) => ResultCell::Bool(*b),
        Value::Text(_) | Value::Level(_) => ResultCell::Text(plain(v, ty)),
        Value::Num(_) => {
            let mut text = String::new();
            write_text(v, ty, &mut text);
            match shown_decimal(&text) {
                Some(value) => ResultCell::Number { text, value },
                // not a decimal (an overflowed display): keep the text
                None => match displayed_num(v, ty).and_then(|n| n.to_decimal()) {
                    Some(value) => ResultCell::Number { text, value },
                    None => ResultCell::Text(text),
                },
            }
        }
    }
}

/// The number a displayed quantity stands for: `45.3%` → 0.453.
fn shown_decimal(text: &str) -> Option<Decimal> {
    match text.strip_suffix('%') {
        Some(p) => Decimal::from_str_exact(p)
            .ok()?
            .checked_div(Decimal::ONE_HUNDRED),
        None => Decimal::from_str_exact(text).ok(),
    }
}

/// One summary per (period, team), in the rows' order.
fn summarize(
    columns: &[Column],
    rows: &[ResultRow],
    total: Option<usize>,
    grade: Option<usize>,
    payouts: &[usize],
) -> Vec<TeamSummary> {
    let levels: Vec<String> = match grade.and_then(|g| columns.get(g)).map(|c| &c.kind) {
        Some(ColumnKind::Grade(levels)) => levels.clone(),
        _ => Vec::new(),
    };
    let mut groups: BTreeMap<(&str, Option<&str>), Vec<&ResultRow>> = BTreeMap::new();
    let mut order: Vec<(&str, Option<&str>)> = Vec::new();
    for r in rows {
        let key = (r.period.as_str(), r.team.as_deref());
        let g = groups.entry(key).or_default();
        if g.is_empty() {
            order.push(key);
        }
        g.push(r);
    }
    order
        .into_iter()
        .map(|key| {
            let members = groups.get(&key).map(Vec::as_slice).unwrap_or_default();
            let number = |r: &ResultRow, c: usize| match r.cells.get(c) {
                Some(ResultCell::Number { value, .. }) => Some(*value),
                _ => None,
            };
            let grades = levels
                .iter()
                .map(|l| {
                    let n = members
                        .iter()
                        .filter(|r| {
                            grade.and_then(|g| r.cells.get(g)).map(ResultCell::text)
                                == Some(l.as_str())
                        })
                        .count();
                    (l.clone(), n)
                })
                .collect();
            let average_total = total.and_then(|t| {
                let values: Vec<Decimal> = members.iter().filter_map(|r| number(r, t)).collect();
                let n = Decimal::from(values.len());
                let sum = values
                    .iter()
                    .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))?;
                sum.checked_div(n).map(|avg| {
                    avg.round_dp_with_strategy(
                        2,
                        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                    )
                })
            });
            let payroll = payouts
                .iter()
                .map(|&c| {
                    members
                        .iter()
                        .filter_map(|r| number(r, c))
                        .try_fold(Decimal::ZERO, |a, v| a.checked_add(v))
                })
                .collect();
            TeamSummary {
                period: key.0.to_string(),
                team: key.1.map(str::to_string),
                headcount: members.len(),
                grades,
                average_total,
                payroll,
            }
        })
        .collect()
}
