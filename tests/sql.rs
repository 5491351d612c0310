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
        });
    }
    let gen = root.join("tests/data/sql");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&gen)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let context = dir.join("context.csv");
        out.push(Case {
            name: dir.file_name().unwrap().to_string_lossy().to_string(),
            policy: dir.join("policy.kpi"),
            records: dir.join("records.csv"),
            context: context.exists().then_some(context),
        });
    }
    out
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
fn tables(case: &Case, program: &Program, dialect: Dialect, dir: &Path) -> String {
    let specs: Vec<FieldSpec> = program.inputs.iter().map(FieldSpec::of).collect();
    let layout = Layout {
        keys: program.keys.clone(),
        ..Layout::default()
    };
    let bytes = std::fs::read(&case.records).unwrap();
    let name = case.records.display().to_string();
    let read = read_records_file(&name, &bytes, &specs, &ReadOptions::default(), &layout);
    assert!(read.errors.is_empty(), "{}: {:?}", case.name, read.errors);
    let mut header: Vec<String> = vec!["employee".into(), "period".into(), "team".into()];
    header.extend(program.inputs.iter().map(|f| f.id.clone()));
    let rows: Vec<Vec<String>> = read
        .records
        .iter()
        .map(|r| {
            let mut row = vec![
                r.employee.clone(),
                r.period.to_string(),
                r.team.clone().unwrap_or_default(),
            ];
            row.extend(
                r.cells
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
    // The README's loader, as `kpi compile --to loader` writes it.
    loader(
        program,
        &Options::new(dialect),
        &rec_csv.display().to_string(),
        ctx_csv.as_deref(),
    )
}

fn expected(case: &Case) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.arg("eval")
        .arg(&case.policy)
        .arg("--data")
        .arg(&case.records);
    if let Some(c) = &case.context {
        cmd.arg("--context").arg(c);
    }
    let out = cmd.args(["--format", "csv"]).output().unwrap();
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
    let cases = cases();
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
        job.push(serde_json::json!({
            "name": case.name,
            "sql": sql,
            "out": out,
            "setup": tables(case, &program, dialect, dir.path()),
        }));
        want.push((case.name.clone(), expected(case), out));
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
    for (name, want, out) in &want {
        let got = std::fs::read_to_string(out).unwrap_or_else(|e| format!("ERROR: {e}"));
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
        cases.len(),
        failures.join("\n")
    );
    eprintln!("{engine}: {} cases equal to kpi eval", want.len());
}

#[test]
fn duckdb_equals_kpi_eval() {
    run_engine(Dialect::DuckDb, "duckdb", "duckdb");
}

#[test]
fn spark_equals_kpi_eval() {
    run_engine(Dialect::Spark, "spark", "pyspark");
}
