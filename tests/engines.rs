//! `kpi eval`'s engines and thread counts agree byte for byte on batches
//! large enough to be split: the one-pass engine hands records to its
//! workers in chunks of 8192, the batch engine splits at 20 000 rows.
//! (The small CLI cases in tests/cli.rs compare the engines on every case.)

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The example records of `name`, copied `times` times with the employees
/// renamed (`E01` → `E01-k`), and teams spread over 7 names, so that the
/// output order differs from the input order.
fn enlarged(name: &str, times: usize, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(format!("{ROOT}/examples/{name}/records.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let mut out = format!("{header}\n");
    for k in 0..times {
        for row in &rows {
            let (employee, rest) = row.split_once(',').unwrap();
            let (period, rest) = rest.split_once(',').unwrap();
            let (_, rest) = rest.split_once(',').unwrap();
            out.push_str(&format!(
                "{employee}-{k},{period},T{},{rest}\n",
                (k * 31) % 7
            ));
        }
    }
    let path = dir.join(format!("{name}.csv"));
    std::fs::write(&path, out).unwrap();
    path
}

fn eval(name: &str, data: &Path, extra: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(["eval", &format!("{ROOT}/policies/{name}.kpi"), "--data"])
        .arg(data)
        .args(["--context", &format!("{ROOT}/examples/{name}/context.csv")])
        .args(if extra.contains(&"--format") {
            &[][..]
        } else {
            &["--format", "csv"][..]
        })
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{extra:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn per_record_policy_same_bytes_for_every_engine_and_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    // 20 rows × 1200 = 24 000 records: three chunks, two batch threads
    let data = enlarged("tmall_after_sales", 1200, dir.path());
    let reference = eval(
        "tmall_after_sales",
        &data,
        &["--engine", "batch", "--threads", "1"],
    );
    assert_eq!(
        String::from_utf8_lossy(&reference).lines().count(),
        24_001,
        "header and every record"
    );
    let json = |extra: &[&str]| {
        let mut args = vec!["--format", "json"];
        args.extend(extra);
        eval("tmall_after_sales", &data, &args)
    };
    let batch_json = json(&["--engine", "batch"]);
    assert!(json(&["--engine", "stream", "--spill-bytes", "100000"]) == batch_json);
    // merged in ranges on several threads, each range's separators right
    for threads in ["2", "5"] {
        assert!(json(&["--engine", "stream", "--threads", threads]) == batch_json);
    }
    for extra in [
        ["--engine", "batch", "--threads", "2"],
        ["--engine", "stream", "--threads", "1"],
        ["--engine", "stream", "--threads", "2"],
        ["--engine", "stream", "--threads", "5"],
        // results sorted in runs on disk (about 40 runs), merged
        ["--engine", "stream", "--spill-bytes", "60000"],
        ["--engine", "stream", "--spill-bytes", "1"],
    ] {
        assert!(
            eval("tmall_after_sales", &data, &extra) == reference,
            "{extra:?} differs from --engine batch --threads 1"
        );
    }
}

#[test]
fn team_policy_same_bytes_for_every_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let data = enlarged("tmall_bonus_sheet", 800, dir.path());
    let reference = eval("tmall_bonus_sheet", &data, &["--threads", "1"]);
    assert_eq!(String::from_utf8_lossy(&reference).lines().count(), 22_401);
    assert!(eval("tmall_bonus_sheet", &data, &["--threads", "2"]) == reference);
    // a team policy cannot stream: said so, as a usage error
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args([
            "eval",
            &format!("{ROOT}/policies/tmall_bonus_sheet.kpi"),
            "--data",
        ])
        .arg(&data)
        .args([
            "--context",
            &format!("{ROOT}/examples/tmall_bonus_sheet/context.csv"),
        ])
        .args(["--engine", "stream"])
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("`--engine stream` needs a policy without team or history rules"));
}

/// The batch that keeps only the outputs (and what later stages read)
/// gives every output the value of the batch that keeps every slot, and so
/// does the batch that computes each row again as it is written: all
/// seed policies on their examples and every evaluator case, on 1 and 2
/// threads.
#[test]
fn batch_keeping_outputs_only_gives_the_same_outputs() {
    use kpi::eval::{
        evaluate_outputs, evaluate_replayed, evaluate_with_threads, Results, RowScratch,
    };
    for (policy, records, context) in policies_with_data() {
        let (program, rows, context) = example_batch(&policy, &records, context.as_deref());
        for threads in [1, 2] {
            let all = evaluate_with_threads(&program, &rows, &context, None, threads).unwrap();
            let some = evaluate_outputs(&program, &rows, &context, threads).unwrap();
            let replay = evaluate_replayed(&program, &rows, &context, threads).unwrap();
            assert_eq!(all.order, some.order);
            assert_eq!(all.order, replay.order());
            let (mut replayed, mut scratch) = (Vec::new(), RowScratch::default());
            for r in 0..rows.len() {
                assert!(replay.row_into(r, &mut replayed, &mut scratch));
                for o in &program.outputs {
                    let (a, b) = (all.value(r, o.slot), some.value(r, o.slot));
                    assert!(a.is_some(), "{}: no value", policy.display());
                    assert_eq!(a, b, "{}: row {r}, `{}`", policy.display(), o.name);
                    assert_eq!(
                        a.as_ref(),
                        replayed.get(o.slot),
                        "{}: row {r}",
                        policy.display()
                    );
                }
            }
        }
    }
}

/// Every policy this repository has: the seeds with their examples and the
/// evaluator cases with theirs.
fn policies_with_data() -> Vec<(PathBuf, PathBuf, Option<PathBuf>)> {
    let mut cases: Vec<(PathBuf, PathBuf, Option<PathBuf>)> = Vec::new();
    for entry in std::fs::read_dir(format!("{ROOT}/policies")).unwrap() {
        let policy = entry.unwrap().path();
        let name = policy.file_stem().unwrap().to_string_lossy().to_string();
        let dir = PathBuf::from(format!("{ROOT}/examples/{name}"));
        let ctx = dir.join("context.csv");
        cases.push((policy, dir.join("records.csv"), ctx.exists().then_some(ctx)));
    }
    for entry in std::fs::read_dir(format!("{ROOT}/tests/data/eval")).unwrap() {
        let dir = entry.unwrap().path();
        let ctx = dir.join("context.csv");
        cases.push((
            dir.join("policy.kpi"),
            dir.join("records.csv"),
            ctx.exists().then_some(ctx),
        ));
    }
    assert!(cases.len() >= 19);
    cases
}

/// A policy checked, with its records and context read as `kpi eval`
/// reads them (no errors allowed).
fn example_batch(
    policy: &Path,
    records: &Path,
    context: Option<&Path>,
) -> (
    kpi::ir::Program,
    Vec<kpi::eval::Row>,
    std::collections::BTreeMap<kpi::types::Period, Vec<kpi::ir::Value>>,
) {
    use kpi::data::{read_batch, Cell, Layout, ReadOptions};
    let text = std::fs::read_to_string(policy).unwrap();
    let program = kpi::check::check(&kpi::syntax::parse(&text).unwrap())
        .unwrap()
        .program;
    let bytes = std::fs::read(records).unwrap();
    let ctx_bytes = context.map(|c| std::fs::read(c).unwrap());
    let read = read_batch(
        &program,
        &[("records.csv".to_string(), bytes.as_slice())],
        ctx_bytes.as_deref().map(|b| ("context.csv", b)),
        &ReadOptions::default(),
        &Layout::default(),
    );
    assert!(
        read.errors.is_empty(),
        "{}: {:?}",
        policy.display(),
        read.errors
    );
    let rows = read.records.into_iter().map(kpi::eval::Row::from).collect();
    let context = read
        .context
        .into_iter()
        .map(|(p, cells)| (p, cells.into_iter().map(Cell::into_value).collect()))
        .collect();
    (program, rows, context)
}

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A random value of `field`'s type: mostly small numbers with 0–4 places
/// (which land on band edges and whole steps), sometimes a negative or
/// large one, inside the declared range when there is one.
fn random_value(field: &kpi::ir::Field, rng: &mut Rng) -> kpi::ir::Value {
    use kpi::ir::Value;
    use kpi::num::Num;
    use kpi::types::Ty;
    use rust_decimal::Decimal;
    match &field.ty {
        Ty::Bool => Value::Bool(rng.below(2) == 1),
        Ty::Grade(levels) => Value::Level(rng.below(levels.len() as u64) as u16),
        Ty::Text => Value::Text(["甲", "乙", "A"][rng.below(3) as usize].into()),
        Ty::Number(_) | Ty::Duration(_) | Ty::Money => {
            const POOL: [i64; 14] = [0, 1, 2, 3, 5, 9, 10, 11, 30, 99, 100, 995, 1000, 86400];
            let m = match rng.below(4) {
                0 => rng.below(200) as i64,
                1 => -(rng.below(50) as i64),
                _ => POOL[rng.below(POOL.len() as u64) as usize],
            };
            let mut d = Decimal::new(m, rng.below(5) as u32);
            if let Some((lo, hi)) = field.range {
                if d < lo || d > hi {
                    d = if rng.below(2) == 0 { lo } else { hi };
                }
            }
            Value::Num(Num::from_decimal(d))
        }
    }
}

/// The compiled per-record code gives exactly what the tree walker gives
/// (values, and the same errors, which the walker reports for it), on every
/// policy's example records and on 600 random records per policy spread
/// over teams and months, with random context values: whole batches
/// (team and history figures included) and one record at a time.
#[test]
fn compiled_code_agrees_with_the_tree_walker() {
    use kpi::eval::{evaluate_walking, evaluate_with_threads, Row, RowEvaluator};
    use kpi::types::Period;
    use std::collections::BTreeMap;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut values_compared, mut errors_compared) = (0usize, 0usize);
    for (policy, records, context) in policies_with_data() {
        let (program, example, example_ctx) = example_batch(&policy, &records, context.as_deref());
        // random records: 40 employees × 3 months × 5 draws, 3 teams
        let periods: Vec<Period> = ["2025-12", "2026-01", "2026-02"]
            .iter()
            .map(|p| Period::parse(p).unwrap())
            .collect();
        for draw in 0..5 {
            let mut rows = Vec::new();
            for e in 0..40 {
                for &period in &periods {
                    if rng.below(8) == 0 {
                        continue; // a missing month breaks streaks
                    }
                    let inputs: Vec<kpi::ir::Value> = program
                        .inputs
                        .iter()
                        .map(|f| random_value(f, &mut rng))
                        .collect();
                    let line = rows.len() + 2;
                    rows.push(Row::new(
                        &format!("E{e:02}"),
                        period,
                        Some(&format!("T{}", (e + draw) % 3)),
                        line,
                        inputs,
                    ));
                }
            }
            let ctx: BTreeMap<Period, Vec<kpi::ir::Value>> = periods
                .iter()
                .map(|&p| {
                    let values = program.context.iter().map(|f| random_value(f, &mut rng));
                    (p, values.collect())
                })
                .collect();
            for (rows, ctx) in [(&rows, &ctx), (&example, &example_ctx)] {
                let walked = evaluate_walking(&program, rows, ctx, 1);
                let compiled = evaluate_with_threads(&program, rows, ctx, None, 1);
                match (&walked, &compiled) {
                    (Ok(w), Ok(c)) => {
                        assert_eq!(w.order, c.order);
                        for r in 0..rows.len() {
                            assert_eq!(w.row(r), c.row(r), "{}: row {r}", policy.display());
                            values_compared += 1;
                        }
                    }
                    (Err(w), Err(c)) => {
                        assert_eq!(w, c, "{}", policy.display());
                        errors_compared += 1;
                    }
                    _ => panic!("{}: {walked:?}\n{compiled:?}", policy.display()),
                }
                // one record at a time, for the one-pass engine
                let (Some(mut walker), Some(mut code)) =
                    (RowEvaluator::walking(&program), RowEvaluator::new(&program))
                else {
                    continue;
                };
                for row in rows {
                    let w = walker.eval(row, ctx).map(<[_]>::to_vec);
                    let c = code.eval(row, ctx).map(<[_]>::to_vec);
                    assert_eq!(
                        w,
                        c,
                        "{}: {} {}",
                        policy.display(),
                        row.employee(),
                        row.period
                    );
                    values_compared += usize::from(w.is_ok());
                    errors_compared += usize::from(w.is_err());
                }
            }
        }
    }
    // the random records reach both outcomes
    assert!(values_compared > 10_000, "{values_compared}");
    assert!(errors_compared > 10, "{errors_compared}");
}
