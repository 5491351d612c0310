//! Times `kpi::data::read_records` on a large records file.
//!
//! ```text
//! cargo run --release --example data_bench -- /tmp/s1_1m.csv [runs]
//! ```
//!
//! The field specs are those of the S1 policy (`policies/tmall_after_sales.kpi`),
//! built by hand so the bench depends on the data layer only. Prints each of
//! `runs` (default 3) timings, the best, and a digest of the result, so that
//! two versions of the data layer can be checked to read the same thing.
//!
//! The first run is "cold": the ~500 bytes per row of the result come from
//! fresh pages. Later runs reuse the memory the previous result freed.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use kpi::data::{read_records, Cell, DataError, FieldSpec, ReadOptions, Record};
use kpi::types::{DurUnit, NumKind, Ty};
use rust_decimal::Decimal;

fn field(id: &str, label: &str, ty: Ty, range: Option<(i64, i64)>) -> FieldSpec {
    FieldSpec {
        id: id.to_string(),
        label: Some(label.to_string()),
        aliases: Vec::new(),
        ty,
        range: range.map(|(lo, hi)| (Decimal::from(lo), Decimal::from(hi))),
        default: None,
    }
}

/// The inputs of S1, in declaration order.
fn s1_fields() -> Vec<FieldSpec> {
    let points = Ty::Number(NumKind::Points);
    let count = Ty::Number(NumKind::Count);
    let percent = Ty::Number(NumKind::Percent);
    vec![
        field(
            "communication_rating",
            "沟通技巧",
            points.clone(),
            Some((0, 10)),
        ),
        field("attitude_rating", "服务态度", points.clone(), Some((0, 10))),
        field("teamwork_rating", "团队协作", points, Some((0, 10))),
        field("violations", "违纪次数", count.clone(), None),
        field("late_count", "迟到早退次数", count.clone(), None),
        field("late_over_30min", "迟到30分钟以上次数", count.clone(), None),
        field("absences", "旷工次数", count.clone(), None),
        field("whole_order_errors", "整单出错数", count.clone(), None),
        field("part_order_errors", "补件单出错数", count.clone(), None),
        field("gift_order_errors", "赠品单出错数", count.clone(), None),
        field("refund_dispute_rate", "退款纠纷率", percent.clone(), None),
        field(
            "refund_close_days",
            "退款完结时长",
            Ty::Duration(DurUnit::Days),
            None,
        ),
        field("self_close_rate", "退款自主完结率", percent, None),
        field("complaints", "投诉维权数", count, None),
    ]
}

/// A deterministic digest of the outcome (`DefaultHasher::new` has fixed keys).
fn digest(result: &Result<Vec<Record>, Vec<DataError>>) -> u64 {
    let mut h = DefaultHasher::new();
    match result {
        Ok(records) => {
            0u8.hash(&mut h);
            for r in records {
                r.employee().hash(&mut h);
                r.period.hash(&mut h);
                r.team().hash(&mut h);
                r.line.hash(&mut h);
                for c in &r.cells() {
                    match c {
                        Cell::Num(d) => d.to_string().hash(&mut h),
                        Cell::Bool(b) => b.hash(&mut h),
                        Cell::Text(t) => t.hash(&mut h),
                        Cell::Level(l) => l.hash(&mut h),
                    }
                }
            }
        }
        Err(errors) => {
            1u8.hash(&mut h);
            for e in errors {
                e.to_string().hash(&mut h);
            }
        }
    }
    h.finish()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "/tmp/s1_1m.csv".to_string());
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let text = std::fs::read_to_string(&path).expect("cannot read the records file");
    let fields = s1_fields();
    let opts = ReadOptions::default();
    let mut best = Duration::MAX;
    let mut last = None;
    for run in 1..=runs {
        drop(last.take());
        let start = Instant::now();
        let result = read_records(&path, &text, &fields, &opts);
        let took = start.elapsed();
        println!("run {run}: {:.3} s", took.as_secs_f64());
        best = best.min(took);
        last = Some(result);
    }
    let Some(result) = last else {
        return;
    };
    match &result {
        Ok(records) => println!("{} records", records.len()),
        Err(errors) => {
            println!("{} errors; first ones:", errors.len());
            for e in errors.iter().take(5) {
                println!("  {e}");
            }
        }
    }
    println!("digest {:016x}", digest(&result));
    println!("best of {runs}: {:.3} s", best.as_secs_f64());
}
