//! Evaluation of the seed policies over structured random records with
//! boundary-heavy values: never a panic; the same on one thread as on
//! several; `explain` shows exactly what `eval` computed.
#![no_main]

use arbitrary::Arbitrary;
use kpi::eval::format::write_text;
use kpi::eval::num::Num;
use kpi::eval::{evaluate, Row};
use kpi::ir::{Program, Value};
use kpi::types::{Period, Ty};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const POLICIES: [&str; 8] = [
    include_str!("../../policies/tmall_after_sales.kpi"),
    include_str!("../../policies/presales_team.kpi"),
    include_str!("../../policies/tmall_bonus_sheet.kpi"),
    include_str!("../../policies/shop_staff_pay.kpi"),
    include_str!("../../policies/reward_punish_30.kpi"),
    include_str!("../../policies/cs_pay_structure.kpi"),
    include_str!("../../policies/platform_after_sales_level.kpi"),
    include_str!("../../policies/dept_gate.kpi"),
];

fn programs() -> &'static Vec<(String, Program)> {
    static P: OnceLock<Vec<(String, Program)>> = OnceLock::new();
    P.get_or_init(|| {
        POLICIES
            .iter()
            .filter_map(|src| {
                let p = kpi::syntax::parse(src).ok()?;
                Some((src.to_string(), kpi::check::check(&p).ok()?.program))
            })
            .collect()
    })
}

/// A value that likes edges: small integers, exact tenths and hundredths,
/// thirds of a hundred, huge and tiny magnitudes.
#[derive(Debug, Arbitrary)]
enum Raw {
    Small(i8),
    Scaled(i32, u8),
    Edge(u8),
    Bool(bool),
    Level(u8),
}

impl Raw {
    fn value(&self, ty: &Ty) -> Value {
        let num = |d: Decimal| Value::Num(Num::from_decimal(d));
        match (self, ty) {
            (_, Ty::Bool) => Value::Bool(matches!(self, Raw::Bool(true) | Raw::Small(1..))),
            (_, Ty::Grade(levels)) => {
                let n = levels.len().max(1);
                let i = match self {
                    Raw::Level(l) | Raw::Edge(l) => usize::from(*l),
                    _ => 0,
                };
                Value::Level(u16::try_from(i % n).unwrap_or(0))
            }
            (_, Ty::Text) => Value::Text("x".into()),
            (Raw::Small(i), _) => num(Decimal::from(*i)),
            (Raw::Scaled(m, s), _) => num(Decimal::new(i64::from(*m), u32::from(*s % 29))),
            (Raw::Edge(e), _) => num(match e % 8 {
                0 => Decimal::ZERO,
                1 => Decimal::new(1, 3),
                2 => Decimal::new(995, 3),
                3 => Decimal::MAX,
                4 => Decimal::MIN,
                5 => Decimal::new(1, 28),
                6 => Decimal::new(3333, 2),
                _ => Decimal::ONE_HUNDRED,
            }),
            (Raw::Bool(b), _) => num(Decimal::from(u8::from(*b))),
            (Raw::Level(l), _) => num(Decimal::from(*l)),
        }
    }
}

#[derive(Debug, Arbitrary)]
struct Record {
    employee: u8,
    month: u8,
    team: u8,
    values: Vec<Raw>,
}

#[derive(Debug, Arbitrary)]
struct Batch {
    policy: u8,
    records: Vec<Record>,
    context: Vec<Raw>,
}

fuzz_target!(|batch: Batch| {
    let programs = programs();
    let Some((source, program)) = programs.get(usize::from(batch.policy) % programs.len().max(1)) else {
        return;
    };
    let mut seen = std::collections::HashSet::new();
    let rows: Vec<Row> = batch
        .records
        .iter()
        .take(64)
        .filter_map(|r| {
            let period = Period::parse(&format!("2026-{:02}", 1 + r.month % 12))?;
            seen.insert((r.employee % 16, period)).then_some(())?;
            let inputs: Vec<Value> = program
                .inputs
                .iter()
                .enumerate()
                .map(|(i, f)| r.values.get(i).unwrap_or(&Raw::Small(0)).value(&f.ty))
                .collect();
            Some(Row::new(
                &format!("E{}", r.employee % 16),
                period,
                Some(&format!("T{}", r.team % 3)),
                0,
                inputs,
            ))
        })
        .collect();
    let ctx: Vec<Value> = program
        .context
        .iter()
        .enumerate()
        .map(|(i, f)| batch.context.get(i).unwrap_or(&Raw::Small(0)).value(&f.ty))
        .collect();
    let context: BTreeMap<Period, Vec<Value>> = rows.iter().map(|r| (r.period, ctx.clone())).collect();
    let Ok(ev) = evaluate(program, &rows, &context, None) else {
        return;
    };
    // explain agrees with eval on every output of the first row
    if let Some(&row) = ev.order.first() {
        if let Ok(x) = kpi::report::explain::explain(program, source, &rows, &context, row) {
            for (entry, out) in x.outputs.iter().zip(&program.outputs) {
                let mut text = String::new();
                if let Some(v) = ev.value(row, out.slot) {
                    write_text(&v, &program.slots[out.slot].ty, &mut text);
                }
                assert_eq!(entry.shown, text, "explain disagrees with eval on {}", out.name);
            }
        }
    }
});
