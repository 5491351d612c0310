//! `kpi compile --to sql` computes exactly what `kpi eval` computes.
//!
//! For every seed policy (with its example data) and every case under
//! `tests/data/sql/` (generated edges: boundaries after a division, team
//! averages of 100/9 and 100/11, ties in ranks and forced distribution,
//! missing months, year boundaries), the compiled query's result must equal
//! `kpi eval --format csv` byte for byte, in DuckDB and in Spark (local
//! mode, one session for the whole run). The engines run in Python
//! (`tests/sql/run.py`, packages pinned in `tests/sql/requirements.txt`).
//! Without Python or the packages the tests fail when `CI` is set, and
//! say they were skipped otherwise.

use kpi::data::{read_context_file, read_records_file, Cell, FieldSpec, Layout, ReadOptions};
use kpi::ir::Program;
use kpi::sql::{compile, loader, Dialect, Options};
use kpi::types::Ty;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Case {
    name: String,
    policy: PathBuf,
    records: PathBuf,
    context: Option<PathBuf>,
    /// `kpi eval` fails on this data (file `expect-error`): the query must
    /// stop with a `kpi: …` error too, never return rows.
    fails: bool,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let root = Path::new(ROOT);
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(root.join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kpi"))
        .collect();
    seeds.sort();
    for p in seeds {
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        let dir = root.join("examples").join(&stem);
        let context = dir.join("context.csv");
        out.push(Case {
            name: format!("seed_{stem}"),
            policy: p.clone(),
            records: dir.join("records.csv"),
            context: context.exists().then_some(context),
            fails: false,
        });
    }
    // the SQL edge cases, and the evaluator's own data-driven cases
    let mut dirs: Vec<PathBuf> = ["tests/data/sql", "tests/data/eval"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.join("records.csv").exists())
        .collect();
    dirs.sort();
    for dir in dirs {
        let context = dir.join("context.csv");
        let group = if dir.parent().is_some_and(|p| p.ends_with("eval")) {
            "eval_"
        } else {
            ""
        };
        out.push(Case {
            name: format!("{group}{}", dir.file_name().unwrap().to_string_lossy()),
            policy: dir.join("policy.kpi"),
            records: dir.join("records.csv"),
            context: context.exists().then_some(context),
            fails: dir.join("expect-error").exists(),
        });
    }
    out
}

/// A small deterministic generator (no dependency, same data everywhere).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A cell in `kpi eval`'s own format (declared units, `%`, `s` suffix)
/// for an input of type `ty` with valid range `range` (base units).
fn random_cell(rng: &mut Rng, f: &kpi::ir::Field, last: &mut Option<String>) -> String {
    use kpi::types::NumKind;
    // Ties: every third cell repeats the previous value of the column.
    if let Some(l) = last.as_ref() {
        if rng.below(3) == 0 {
            return l.clone();
        }
    }
    let (lo, hi) = f.range.unwrap_or_else(|| match f.ty {
        Ty::Number(NumKind::Percent) => (0.into(), 1.into()),
        Ty::Money => (0.into(), 20000.into()),
        Ty::Duration(_) => (0.into(), 300.into()),
        Ty::Number(NumKind::Count) => (0.into(), 30.into()),
        _ => (0.into(), 100.into()),
    });
    // `steps` values between lo and hi inclusive, in units of 10^-places.
    let pick = |rng: &mut Rng, places: u32| {
        let scale = rust_decimal::Decimal::from(10i64.pow(places));
        let (a, b) = ((lo * scale).ceil(), (hi * scale).floor());
        let span = (b - a).to_string().parse::<u64>().unwrap_or(0);
        let k = a + rust_decimal::Decimal::from(rng.below(span + 1));
        (k / scale).normalize()
    };
    let cell = match &f.ty {
        Ty::Number(NumKind::Count) => pick(rng, 0).to_string(),
        Ty::Number(NumKind::Percent) => {
            format!(
                "{}%",
                (pick(rng, 4) * rust_decimal::Decimal::from(100)).normalize()
            )
        }
        Ty::Number(_) => pick(rng, 1).to_string(),
        Ty::Money => pick(rng, 2).to_string(),
        Ty::Duration(_) => format!("{}s", pick(rng, 1)),
        Ty::Bool => ["true", "false"][rng.below(2) as usize].to_string(),
        Ty::Text => ["甲", "b", "好评"][rng.below(3) as usize].to_string(),
        Ty::Grade(levels) => levels[rng.below(levels.len() as u64) as usize].clone(),
    };
    *last = Some(cell.clone());
    cell
}

/// Random records (and context) for a seed policy: three teams and rows
/// without one, months with gaps across a year boundary, ties.
fn random_case(policy: &Path, dir: &Path, seed: u64) -> Case {
    let program = program(policy);
    let mut rng = Rng(seed);
    let stem = policy.file_stem().unwrap().to_string_lossy().to_string();
    let periods = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-04"];
    let mut header: Vec<String> = vec!["employee".into(), "period".into(), "team".into()];
    header.extend(program.inputs.iter().map(|f| f.id.clone()));
    let mut rows = Vec::new();
    let mut last: Vec<Option<String>> = vec![None; program.inputs.len()];
    for e in 0..24 {
        let team = ["A", "B", "C", ""][e % 4];
        for p in periods {
            if rng.below(5) == 0 {
                continue; // a missing month
            }
            let mut row = vec![format!("R{e:02}"), p.to_string(), team.to_string()];
            for (f, l) in program.inputs.iter().zip(last.iter_mut()) {
                row.push(random_cell(&mut rng, f, l));
            }
            rows.push(row);
        }
    }
    let records = dir.join(format!("gen_{stem}.csv"));
    write_csv(&records, &header, &rows);
    let context = (!program.context.is_empty()).then(|| {
        let mut header: Vec<String> = vec!["period".into()];
        header.extend(program.context.iter().map(|f| f.id.clone()));
        let mut last = vec![None; program.context.len()];
        let rows: Vec<Vec<String>> = periods
            .iter()
            .map(|p| {
                let mut row = vec![p.to_string()];
                for (f, l) in program.context.iter().zip(last.iter_mut()) {
                    row.push(random_cell(&mut rng, f, l));
                }
                row
            })
            .collect();
        let path = dir.join(format!("gen_{stem}.ctx.csv"));
        write_csv(&path, &header, &rows);
        path
    });
    let mut case = Case {
        name: format!("random_{stem}"),
        policy: policy.to_path_buf(),
        records,
        context,
        fails: false,
    };
    // Random data may make `kpi eval` stop (a value no band matches): the
    // query must then stop too.
    case.fails = !eval_succeeds(&case);
    case
}

fn eval_succeeds(case: &Case) -> bool {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.arg("eval")
        .arg(&case.policy)
        .arg("--data")
        .arg(&case.records);
    if let Some(c) = &case.context {
        cmd.arg("--context").arg(c);
    }
    cmd.args(["--format", "csv"])
        .output()
        .unwrap()
        .status
        .success()
}

fn program(path: &Path) -> Program {
    let text = std::fs::read_to_string(path).unwrap();
    kpi::check::check(&kpi::syntax::parse(&text).unwrap())
        .unwrap_or_else(|_| panic!("{} does not check", path.display()))
        .program
}

fn cell_text(c: &Cell, ty: &Ty) -> String {
    match (c, ty) {
        (Cell::Num(d), _) => d.normalize().to_string(),
        (Cell::Bool(b), _) => b.to_string(),
        (Cell::Text(t), _) => t.clone(),
        (Cell::Level(l), Ty::Grade(levels)) => levels[usize::from(*l)].clone(),
        (Cell::Level(l), _) => l.to_string(),
    }
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// The records and context of a case as the loader's typed tables: one
/// column per input id, values in base units (what the README's loader
/// expects), read by kpi's own data layer so both sides see the same data;
/// returns the loader's statements.
fn tables(case: &Case, program: &Program, dir: &Path) -> (String, Option<String>) {
    let specs: Vec<FieldSpec> = program.inputs.iter().map(FieldSpec::of).collect();
    let layout = Layout {
        keys: program.keys.clone(),
        ..Layout::default()
    };
    let bytes = std::fs::read(&case.records).unwrap();
    let name = case.records.display().to_string();
    let read = read_records_file(&name, &bytes, &specs, &ReadOptions::default(), &layout);
    if !read.errors.is_empty() {
        // Data kpi refuses (an `expect-error` case): written in the
        // loader's form already, it goes to the engine as it is.
        assert!(case.fails, "{}: {:?}", case.name, read.errors);
        let rec_csv = dir.join(format!("{}.records.csv", case.name));
        std::fs::copy(&case.records, &rec_csv).unwrap();
        return (rec_csv.display().to_string(), None);
    }
    let mut header: Vec<String> = vec!["employee".into(), "period".into(), "team".into()];
    header.extend(program.inputs.iter().map(|f| f.id.clone()));
    let rows: Vec<Vec<String>> = read
        .records
        .iter()
        .map(|r| {
            let mut row = vec![
                r.employee().to_string(),
                r.period.to_string(),
                r.team().map(str::to_string).unwrap_or_default(),
            ];
            row.extend(
                r.cells()
                    .iter()
                    .zip(&program.inputs)
                    .map(|(c, f)| cell_text(c, &f.ty)),
            );
            row
        })
        .collect();
    let rec_csv = dir.join(format!("{}.records.csv", case.name));
    write_csv(&rec_csv, &header, &rows);
    let ctx_csv = case.context.as_ref().map(|ctx| {
        let specs: Vec<FieldSpec> = program.context.iter().map(FieldSpec::of).collect();
        let bytes = std::fs::read(ctx).unwrap();
        let (read, _) = read_context_file(
            &ctx.display().to_string(),
            &bytes,
            &specs,
            &ReadOptions::default(),
            &Layout::default(),
        );
        let read = read.unwrap();
        let mut header: Vec<String> = vec!["period".into()];
        header.extend(program.context.iter().map(|f| f.id.clone()));
        let rows: Vec<Vec<String>> = read
            .iter()
            .map(|(p, cells)| {
                let mut row = vec![p.to_string()];
                row.extend(
                    cells
                        .iter()
                        .zip(&program.context)
                        .map(|(c, f)| cell_text(c, &f.ty)),
                );
                row
            })
            .collect();
        let ctx_csv = dir.join(format!("{}.context.csv", case.name));
        write_csv(&ctx_csv, &header, &rows);
        ctx_csv.display().to_string()
    });
    (rec_csv.display().to_string(), ctx_csv)
}

/// Statements that copy a CSV file (all text) to a Parquet file.
fn to_parquet(dialect: Dialect, csv: &str, parquet: &str, n: usize) -> String {
    match dialect {
        Dialect::DuckDb => format!(
            "COPY (SELECT * FROM read_csv('{csv}', header = true, all_varchar = true)) TO '{parquet}' (FORMAT parquet);\n"
        ),
        Dialect::Spark => format!(
            "CREATE OR REPLACE TEMPORARY VIEW parquet_src_{n} USING csv OPTIONS (path '{csv}', header 'true');\n\
             INSERT OVERWRITE DIRECTORY '{parquet}' USING parquet SELECT * FROM parquet_src_{n};\n"
        ),
    }
}

fn expected(case: &Case) -> String {
    if case.fails {
        return "ERROR".into();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.arg("eval")
        .arg(&case.policy)
        .arg("--data")
        .arg(&case.records);
    if let Some(c) = &case.context {
        cmd.arg("--context").arg(c);
    }
    let out = cmd.args(["--format", "csv"]).output().unwrap();
    assert_eq!(out.status.success(), !case.fails, "{}", case.name);
    assert!(
        out.status.success(),
        "{}: kpi eval failed: {}",
        case.name,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `python3` can import the engine's package: in CI it must.
fn engine_available(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 cannot import {module}: run `python3 -m pip install -r tests/sql/requirements.txt`"
        );
        eprintln!(
            "SKIPPED: python3 cannot import {module} (pip install -r tests/sql/requirements.txt)"
        );
    }
    ok
}

fn run_engine(dialect: Dialect, engine: &str, module: &str) {
    if !engine_available(module) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cases = cases();
    let seeds: Vec<PathBuf> = cases
        .iter()
        .filter(|c| c.name.starts_with("seed_"))
        .map(|c| c.policy.clone())
        .collect();
    for (i, policy) in seeds.iter().enumerate() {
        cases.push(random_case(policy, dir.path(), 1000 + i as u64));
    }
    let mut job = Vec::new();
    let mut want = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        let program = program(&case.policy);
        let sql = match compile(&program, &Options::new(dialect)) {
            Ok(sql) => sql,
            Err(e) => {
                failures.push(format!("{} does not compile: {e:?}", case.name));
                continue;
            }
        };
        let out = dir.path().join(format!("{}.out.csv", case.name));
        let (rec, ctx) = tables(case, &program, dir.path());
        let opts = Options::new(dialect);
        // The README's loader, as `kpi compile --to loader` writes it.
        job.push(serde_json::json!({
            "name": case.name,
            "sql": sql,
            "out": out,
            "setup": loader(&program, &opts, &rec, ctx.as_deref()),
        }));
        let expect = expected(case);
        want.push((case.name.clone(), expect.clone(), out, case.fails));
        // The same case from Parquet files.
        if case.name == "arith_edges" {
            let mut setup = String::new();
            let rec_pq = format!("{rec}.parquet");
            setup.push_str(&to_parquet(dialect, &rec, &rec_pq, 0));
            let ctx_pq = ctx.as_ref().map(|c| {
                let pq = format!("{c}.parquet");
                setup.push_str(&to_parquet(dialect, c, &pq, 1));
                pq
            });
            setup.push_str(&loader(&program, &opts, &rec_pq, ctx_pq.as_deref()));
            let name = format!("{}_parquet", case.name);
            let out = dir.path().join(format!("{name}.out.csv"));
            job.push(serde_json::json!({
                "name": name, "sql": sql, "out": out, "setup": setup,
            }));
            want.push((name, expect, out, false));
        }
    }
    let job_path = dir.path().join("job.json");
    std::fs::write(&job_path, serde_json::to_string(&job).unwrap()).unwrap();
    let status = Command::new("python3")
        .arg(Path::new(ROOT).join("tests/sql/run.py"))
        .arg(engine)
        .arg(&job_path)
        .status()
        .unwrap();
    assert!(status.success(), "tests/sql/run.py {engine} failed");
    for (name, want, out, fails) in &want {
        let got = std::fs::read_to_string(out).unwrap_or_else(|e| format!("ERROR: {e}"));
        if *fails {
            if !(got.starts_with("ERROR") && got.contains("kpi: ")) {
                failures.push(format!(
                    "{name}: kpi eval fails, the query must stop with a `kpi:` error, got:\n{}",
                    &got[..got.len().min(1500)]
                ));
            }
            continue;
        }
        if &got != want {
            let diff: Vec<String> = want
                .lines()
                .zip(got.lines().chain(std::iter::repeat("<missing>")))
                .filter(|(w, g)| w != g)
                .take(5)
                .map(|(w, g)| format!("    kpi eval: {w}\n    {engine}:   {g}"))
                .collect();
            failures.push(format!(
                "{name}:\n{}{}",
                diff.join("\n"),
                if got.starts_with("ERROR") {
                    format!("\n    {}", &got[..got.len().min(1500)])
                } else {
                    String::new()
                }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ in {engine}:\n{}",
        failures.len(),
        want.len(),
        failures.join("\n")
    );
    let stopped: Vec<&str> = want.iter().filter(|w| w.3).map(|w| w.0.as_str()).collect();
    eprintln!(
        "{engine}: {} cases equal to kpi eval; {} stop with an error in both: {stopped:?}",
        want.len(),
        stopped.len()
    );
}

#[test]
fn duckdb_equals_kpi_eval() {
    run_engine(Dialect::DuckDb, "duckdb", "duckdb");
}

#[test]
fn spark_equals_kpi_eval() {
    run_engine(Dialect::Spark, "spark", "pyspark");
}

fn compile_src(src: &str, dialect: Dialect) -> Result<String, Vec<kpi::sql::SqlError>> {
    let program = kpi::check::check(&kpi::syntax::parse(src).unwrap())
        .unwrap()
        .program;
    compile(&program, &Options::new(dialect))
}

/// A product of unranged inputs could need more than 38 digits: refused
/// with a code, the span of the expression and a help naming the inputs.
#[test]
fn unbounded_magnitudes_are_refused_naming_the_inputs() {
    let src = "policy \"p\"\ninput a \"a\" : number\ninput b \"b\" : number in 0..10\n\
               output o : number = a * a * a * b\n";
    let errors = compile_src(src, Dialect::DuckDb).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    let r = e.report(kpi::diag::Lang::En);
    assert_eq!(r.code, "kpi::sql::unbounded");
    let span = r.labels[0].0;
    assert!(src[span.start..span.end].starts_with("a * a"), "{span:?}");
    let help = r.help.unwrap();
    assert!(help.contains("`a`") && !help.contains("`b`"), "{help}");
    let zh = e.report(kpi::diag::Lang::Zh);
    assert!(zh.help.unwrap().contains("取值范围"));
    // With a range, the same policy compiles for both engines.
    let ranged = src.replace(": number\n", ": number in 0..1000\n");
    assert!(compile_src(&ranged, Dialect::DuckDb).is_ok());
    assert!(compile_src(&ranged, Dialect::Spark).is_ok());
}

#[test]
fn a_team_function_over_a_quotient_is_refused() {
    let src = "policy \"p\"\ninput a \"a\" : number in 0..10\ninput b \"b\" : number in 1..10\n\
               output o : number = team.avg(a / b)\n";
    let errors = compile_src(src, Dialect::Spark).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code(), "kpi::sql::team_fraction");
    // Rounded first, it compiles.
    let ok = src.replace("team.avg(a / b)", "team.avg(round(a / b, 4))");
    assert!(compile_src(&ok, Dialect::Spark).is_ok());
}

/// `kpi compile` prints the diagnostic and exits 1; the query goes to stdout.
#[test]
fn compile_cli_reports_refusals_and_prints_queries() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.kpi");
    std::fs::write(
        &bad,
        "policy \"p\"\ninput a \"a\" : number\noutput o : number = a * a * a * a\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args([
            "compile",
            "--to",
            "sql",
            "--dialect",
            "duckdb",
            "--lang",
            "en",
        ])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kpi::sql::unbounded") && err.contains("declare a valid range for `a`"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let policy = Path::new(ROOT).join("policies/tmall_after_sales.kpi");
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args([
            "compile",
            "--to",
            "sql",
            "--dialect",
            "spark",
            "--records",
            "wh.recs",
        ])
        .arg(&policy)
        .output()
        .unwrap();
    assert!(out.status.success());
    let sql = String::from_utf8(out.stdout).unwrap();
    assert!(sql.contains("FROM wh.recs r"), "{sql}");
    // CTEs named after the policy's items, each commented with its declaration
    assert!(sql.contains("_discipline_order_accuracy_"), "{sql}");
    assert!(
        sql.contains("-- item discipline \"工作纪律\" : points"),
        "{sql}"
    );
}

/// Engines round decimal division: the DuckDB queries divide only whole
/// numbers that divide exactly (`//` after subtracting the remainder), and
/// the Spark queries only inside that same floor-division pattern.
#[test]
fn compiled_queries_never_use_engine_division() {
    for case in cases() {
        let program = program(&case.policy);
        for dialect in [Dialect::DuckDb, Dialect::Spark] {
            let sql = compile(&program, &Options::new(dialect)).unwrap();
            let code: String = sql
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n");
            let code = match dialect {
                Dialect::DuckDb => code.replace("//", ""),
                // CAST((a - pmod(a, b)) / (b) AS DECIMAL(38,0))
                Dialect::Spark => code.replace("/ (", ""),
            };
            let code = code.replace("'0+$'", "");
            assert!(
                !code.contains('/'),
                "{} ({dialect:?}) divides: {}",
                case.name,
                &code[code.find('/').unwrap().saturating_sub(200)..][..300]
            );
        }
    }
}
