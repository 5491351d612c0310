//! `cargo bench`: times `kpi eval` end to end on generated data (1 M rows by
//! default, `KPI_BENCH_ROWS` to change), CSV in and out, for S1 (per-record
//! rules) and S3 (team averages and rankings), and each phase in-process.
//! Wall-clock figures on a shared machine vary; run it on an idle one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn months(i: usize) -> String {
    format!("2026-{:02}", 1 + i % 12)
}

/// S1 records: 12 months per employee, 50 teams.
fn s1(rows: usize, dir: &Path) -> (PathBuf, PathBuf) {
    let mut r = Rng(0x5eed);
    let mut out = String::with_capacity(rows * 80);
    out.push_str("employee,period,team,沟通技巧,服务态度,团队协作,违纪次数,迟到早退次数,迟到30分钟以上次数,旷工次数,整单出错数,补件单出错数,赠品单出错数,退款纠纷率,退款完结时长,退款自主完结率,投诉维权数\n");
    for i in 0..rows {
        let _ = writeln!(
            out,
            "E{:07},{},T{},{},{},{},{},{},{},{},{},{},{},{}.{:02}%,{}.{},{}.{}%,{}",
            i / 12,
            months(i),
            i / 12 % 50,
            r.below(11),
            r.below(11),
            r.below(11),
            r.below(3),
            r.below(6),
            r.below(2),
            r.below(2),
            r.below(3),
            r.below(3),
            r.below(3),
            r.below(2),
            r.below(100),
            r.below(5),
            r.below(10),
            95 + r.below(5),
            r.below(10),
            r.below(5)
        );
    }
    let data = dir.join("s1.csv");
    std::fs::write(&data, out).unwrap();
    let ctx = dir.join("s1_context.csv");
    let mut c = String::from("period,行业退款纠纷率,行业退款完结时长\n");
    for m in 0..12 {
        let _ = writeln!(c, "{},0.5%,2", months(m));
    }
    std::fs::write(&ctx, c).unwrap();
    (data, ctx)
}

/// S3 records: teams of 10 per period, so team averages and ranks matter.
fn s3(rows: usize, dir: &Path) -> (PathBuf, PathBuf) {
    let mut r = Rng(0xbeef);
    let mut out = String::with_capacity(rows * 90);
    out.push_str("employee,period,team,退款完结时长,旺旺回复率,下单转化率,平均响应时间,联营售后漏记次数,日均问题单处理数,服务态度投诉次数,DSR服务评分,点名好评数,索要好评次数,下单金额,考试成绩,leader_rating,纠纷退款率\n");
    for i in 0..rows {
        let person = i / 12;
        let _ = writeln!(
            out,
            "E{:07},{},T{},{}.{},{}%,{}%,{},{},{},{},4.{},{},{},{}.{:02},{},{},0.{:02}%",
            person,
            months(i),
            person / 10,
            r.below(5),
            r.below(10),
            90 + r.below(11),
            20 + r.below(20),
            10 + r.below(60),
            r.below(3),
            5 + r.below(20),
            r.below(2),
            60 + r.below(40),
            r.below(4),
            r.below(2),
            1000 + r.below(9000),
            r.below(100),
            r.below(11),
            r.below(31),
            r.below(50)
        );
    }
    let data = dir.join("s3.csv");
    std::fs::write(&data, out).unwrap();
    let ctx = dir.join("s3_context.csv");
    let mut c = String::from("period,行业退款完结时长,industry_dsr,行业纠纷退款率\n");
    for m in 0..12 {
        let _ = writeln!(c, "{},2.5,4.8,0.12%", months(m));
    }
    std::fs::write(&ctx, c).unwrap();
    (data, ctx)
}

/// Best of `runs` wall-clock times of the release binary.
fn time_cli(policy: &str, data: &Path, ctx: &Path, out: &Path, runs: usize) -> Duration {
    let kpi = env!("CARGO_BIN_EXE_kpi");
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let status = Command::new(kpi)
            .args(["eval", policy, "--data"])
            .arg(data)
            .arg("--context")
            .arg(ctx)
            .args(["--format", "csv", "--output"])
            .arg(out)
            .status()
            .unwrap();
        assert!(status.success(), "kpi eval failed");
        best = best.min(t.elapsed());
    }
    best
}

/// Reads records and context the way `kpi eval` does.
fn load(
    program: &kpi::ir::Program,
    data: &Path,
    ctx: &Path,
) -> (
    Vec<kpi::eval::Row>,
    std::collections::BTreeMap<kpi::types::Period, Vec<kpi::ir::Value>>,
) {
    use kpi::data::{Cell, FieldSpec, ReadOptions};
    use kpi::ir::Value;
    let spec = |f: &kpi::ir::Field| FieldSpec {
        id: f.id.clone(),
        label: f.label.clone(),
        aliases: Vec::new(),
        ty: f.ty.clone(),
        range: f.range,
        default: None,
    };
    let value = |c: Cell| match c {
        Cell::Num(d) => Value::Num(kpi::eval::num::Num::from_decimal(d)),
        Cell::Bool(b) => Value::Bool(b),
        Cell::Text(t) => Value::Text(t.into()),
        Cell::Level(l) => Value::Level(l),
    };
    let opts = ReadOptions::default();
    let specs: Vec<FieldSpec> = program.inputs.iter().map(spec).collect();
    let text = std::fs::read_to_string(data).unwrap();
    let records = kpi::data::read_records("data", &text, &specs, &opts).unwrap();
    let cspecs: Vec<FieldSpec> = program.context.iter().map(spec).collect();
    let ctext = std::fs::read_to_string(ctx).unwrap();
    let context = kpi::data::read_context("context", &ctext, &cspecs, &opts).unwrap();
    let rows = records
        .into_iter()
        .map(|r| kpi::eval::Row {
            employee: r.employee,
            period: r.period,
            team: r.team,
            line: r.line,
            inputs: r.cells.into_iter().map(value).collect(),
        })
        .collect();
    let context = context
        .into_iter()
        .map(|(p, cells)| (p, cells.into_iter().map(value).collect()))
        .collect();
    (rows, context)
}

/// In-process phases: parse + check, read records, evaluate.
fn phases(policy: &str, data: &Path, ctx: &Path) -> [Duration; 3] {
    let t = Instant::now();
    let text = std::fs::read_to_string(policy).unwrap();
    let program = kpi::check::check(&kpi::syntax::parse(&text).unwrap())
        .unwrap()
        .program;
    let check = t.elapsed();
    let t = Instant::now();
    let (rows, context) = load(&program, data, ctx);
    let load = t.elapsed();
    let t = Instant::now();
    let ev = kpi::eval::evaluate(&program, &rows, &context, None).unwrap();
    let eval = t.elapsed();
    assert_eq!(ev.order.len(), rows.len());
    [check, load, eval]
}

fn main() {
    // `cargo test` runs benches in test mode with `--bench` absent: skip.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rows: usize = std::env::var("KPI_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("kpi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("kpi eval, {rows} rows, CSV in and out, best of 3 (wall clock)");
    for (name, policy, (data, ctx)) in [
        ("S1", "policies/tmall_after_sales.kpi", s1(rows, &dir)),
        ("S3", "policies/tmall_bonus_sheet.kpi", s3(rows, &dir)),
    ] {
        let total = time_cli(policy, &data, &ctx, &dir.join("out.csv"), 3);
        let [check, load, eval] = phases(policy, &data, &ctx);
        println!(
            "{name}: {:>7.3} s total  (in-process: check {:.1} ms, read {:.3} s, evaluate {:.3} s)",
            total.as_secs_f64(),
            check.as_secs_f64() * 1e3,
            load.as_secs_f64(),
            eval.as_secs_f64()
        );
    }
    // A 100-row file must take a few milliseconds.
    let (data, ctx) = s1(100, &dir);
    let small = time_cli(
        "policies/tmall_after_sales.kpi",
        &data,
        &ctx,
        &dir.join("out.csv"),
        5,
    );
    println!("S1, 100 rows: {:.1} ms total", small.as_secs_f64() * 1e3);
    let _ = std::fs::remove_dir_all(&dir);
}
