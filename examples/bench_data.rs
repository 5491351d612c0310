//! Generates the benchmark's records (`bench/run.py` runs it):
//!
//! ```text
//! cargo run --release --example bench_data -- s1|s3 ROWS DIR
//! ```
//!
//! writes `DIR/s1_ROWS.csv` (or s3) and `DIR/s1_context.csv`, and prints
//! both paths; beside them the same records as the compiled SQL's loader
//! reads them (`s1_ROWS.ids.csv`, `s1_context.ids.csv`: input ids as
//! headers, values in base units: rates as fractions, durations in
//! seconds), for the DuckDB side of `bench/run.py`. The data is the same for the same ROWS on every machine (a
//! fixed-seed xorshift): S1 has 12 months per employee and 50 teams, S3
//! teams of 10 per period, so team averages and rankings matter.

use std::io::Write as _;
use std::path::{Path, PathBuf};

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
fn s1(rows: usize, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let mut r = Rng(0x5eed);
    let data = dir.join(format!("s1_{rows}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&data)?);
    let mut ids = std::io::BufWriter::new(std::fs::File::create(
        dir.join(format!("s1_{rows}.ids.csv")),
    )?);
    ids.write_all(b"employee,period,team,communication_rating,attitude_rating,teamwork_rating,violations,late_count,late_over_30min,absences,whole_order_errors,part_order_errors,gift_order_errors,refund_dispute_rate,refund_close_days,self_close_rate,complaints\n")?;
    out.write_all("employee,period,team,沟通技巧,服务态度,团队协作,违纪次数,迟到早退次数,迟到30分钟以上次数,旷工次数,整单出错数,补件单出错数,赠品单出错数,退款纠纷率,退款完结时长,退款自主完结率,投诉维权数\n".as_bytes())?;
    for i in 0..rows {
        let n: [u64; 10] = std::array::from_fn(|k| r.below([11, 11, 11, 3, 6, 2, 2, 3, 3, 3][k]));
        let (rate_a, rate_b) = (r.below(2), r.below(100));
        let (days_a, days_b) = (r.below(5), r.below(10));
        let (close_a, close_b) = (95 + r.below(5), r.below(10));
        let complaints = r.below(5);
        let key = format!("E{:07},{},T{}", i / 12, months(i), i / 12 % 50);
        let counts = n.map(|v| v.to_string()).join(",");
        writeln!(
            out,
            "{key},{counts},{rate_a}.{rate_b:02}%,{days_a}.{days_b},{close_a}.{close_b}%,{complaints}"
        )?;
        let rate = rate_a * 100 + rate_b; // in 1/10000
        writeln!(
            ids,
            "{key},{counts},{}.{:04},{},0.{:03},{complaints}",
            rate / 10000,
            rate % 10000,
            (days_a * 10 + days_b) * 8640,
            close_a * 10 + close_b
        )?;
    }
    ids.flush()?;
    out.flush()?;
    let ctx = dir.join("s1_context.csv");
    let mut c = String::from("period,行业退款纠纷率,行业退款完结时长\n");
    for m in 0..12 {
        let _ = std::fmt::Write::write_fmt(&mut c, format_args!("{},0.5%,2\n", months(m)));
    }
    std::fs::write(&ctx, c)?;
    let mut c = String::from("period,industry_refund_dispute_rate,industry_refund_close_days\n");
    for m in 0..12 {
        let _ = std::fmt::Write::write_fmt(&mut c, format_args!("{},0.005,172800\n", months(m)));
    }
    std::fs::write(dir.join("s1_context.ids.csv"), c)?;
    Ok((data, ctx))
}

/// S3 records: teams of 10 per period, so team averages and ranks matter.
fn s3(rows: usize, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let mut r = Rng(0xbeef);
    let data = dir.join(format!("s3_{rows}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&data)?);
    out.write_all("employee,period,team,退款完结时长,旺旺回复率,下单转化率,平均响应时间,联营售后漏记次数,日均问题单处理数,服务态度投诉次数,DSR服务评分,点名好评数,索要好评次数,下单金额,考试成绩,leader_rating,纠纷退款率\n".as_bytes())?;
    let mut ids = std::io::BufWriter::new(std::fs::File::create(
        dir.join(format!("s3_{rows}.ids.csv")),
    )?);
    ids.write_all(b"employee,period,team,refund_close_days,reply_rate,order_conversion,avg_response,joint_misses,daily_tickets,attitude_complaints,dsr,named_praise,solicited_praise,order_amount,exam,leader_rating,dispute_refund_rate\n")?;
    for i in 0..rows {
        let person = i / 12;
        let key = format!("E{person:07},{},T{}", months(i), person / 10);
        let (days_a, days_b) = (r.below(5), r.below(10));
        let reply = 90 + r.below(11);
        let conversion = 20 + r.below(20);
        let response = 10 + r.below(60);
        let joint = r.below(3);
        let tickets = 5 + r.below(20);
        let attitude = r.below(2);
        let dsr = 60 + r.below(40);
        let (named, solicited) = (r.below(4), r.below(2));
        let (yuan, fen) = (1000 + r.below(9000), r.below(100));
        let (exam, leader, dispute) = (r.below(11), r.below(31), r.below(50));
        writeln!(
            out,
            "{key},{days_a}.{days_b},{reply}%,{conversion}%,{response},{joint},{tickets},{attitude},4.{dsr},{named},{solicited},{yuan}.{fen:02},{exam},{leader},0.{dispute:02}%"
        )?;
        writeln!(
            ids,
            "{key},{},{}.{:02},0.{conversion:02},{response},{joint},{tickets},{attitude},4.{dsr},{named},{solicited},{yuan}.{fen:02},{exam},{leader},0.{dispute:04}",
            (days_a * 10 + days_b) * 8640,
            reply / 100,
            reply % 100
        )?;
    }
    ids.flush()?;
    out.flush()?;
    let ctx = dir.join("s3_context.csv");
    let mut c = String::from("period,行业退款完结时长,industry_dsr,行业纠纷退款率\n");
    for m in 0..12 {
        let _ = std::fmt::Write::write_fmt(&mut c, format_args!("{},2.5,4.8,0.12%\n", months(m)));
    }
    std::fs::write(&ctx, c)?;
    let mut c = String::from(
        "period,industry_refund_close_days,industry_dsr,industry_dispute_refund_rate\n",
    );
    for m in 0..12 {
        let _ =
            std::fmt::Write::write_fmt(&mut c, format_args!("{},216000,4.8,0.0012\n", months(m)));
    }
    std::fs::write(dir.join("s3_context.ids.csv"), c)?;
    Ok((data, ctx))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(which), Some(rows), Some(dir)) = (
        args.first(),
        args.get(1).and_then(|r| r.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: bench_data s1|s3 ROWS DIR");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    let made = std::fs::create_dir_all(dir).and_then(|_| match which.as_str() {
        "s1" => s1(rows, dir),
        "s3" => s3(rows, dir),
        other => Err(std::io::Error::other(format!("no generator `{other}`"))),
    });
    match made {
        Ok((data, ctx)) => println!("{}\n{}", data.display(), ctx.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
