//! `kpi eval --engine duckdb` gives what the native engines give.
//!
//! With the cargo feature `duckdb` (`.ci/run` builds it against the
//! DuckDB 1.5.6 that PyPI's wheel carries, see `tests/sql/libduckdb.sh`):
//! every seed policy on its example data (csv, json and table; an output
//! file with its BOM; one thread), the SQL back end's edge cases and the
//! evaluator's cases of `tests/sql.rs`, and every `eval` case of
//! `tests/data/cli/` (bad data among them: the same diagnostics, exit 1,
//! nothing written), GBK and xlsx exports; where the native engine stops
//! with an evaluation error the query stops too
//! (`kpi::duckdb::query_stopped`, exit 1, nothing written). Without the
//! feature, the engine is a diagnostic saying how to build it.

use std::path::Path;
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn kpi(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("LC_ALL", "C")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[cfg(not(feature = "duckdb"))]
#[test]
fn without_the_feature_the_engine_says_how_to_build_it() {
    let policy = format!("{ROOT}/policies/tmall_after_sales.kpi");
    let data = format!("{ROOT}/examples/tmall_after_sales/records.csv");
    let context = format!("{ROOT}/examples/tmall_after_sales/context.csv");
    let args = [
        "eval",
        policy.as_str(),
        "--data",
        data.as_str(),
        "--context",
        context.as_str(),
        "--engine",
        "duckdb",
    ];
    let out = kpi(&args, Path::new(ROOT));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kpi::duckdb::not_built") && err.contains("--features duckdb"),
        "{err}"
    );
}

#[cfg(feature = "duckdb")]
mod engine {
    use super::*;
    use std::path::PathBuf;

    /// A policy and its data: a seed with its example, or a case directory.
    struct Case {
        name: String,
        policy: PathBuf,
        records: PathBuf,
        context: Option<PathBuf>,
    }

    impl Case {
        fn args(&self) -> Vec<String> {
            let mut a = vec![
                "eval".to_string(),
                self.policy.display().to_string(),
                "--data".into(),
                self.records.display().to_string(),
            ];
            if let Some(c) = &self.context {
                a.extend(["--context".into(), c.display().to_string()]);
            }
            a
        }
    }

    fn run(args: &[String], extra: &[&str]) -> Output {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend(extra);
        kpi(&all, Path::new(ROOT))
    }

    fn seeds() -> Vec<Case> {
        let mut seeds: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("policies"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "kpi"))
            .collect();
        seeds.sort();
        seeds
            .into_iter()
            .map(|p| {
                let stem = p.file_stem().unwrap().to_string_lossy().to_string();
                let dir = Path::new(ROOT).join("examples").join(&stem);
                let context = dir.join("context.csv");
                Case {
                    name: format!("seed_{stem}"),
                    policy: p,
                    records: dir.join("records.csv"),
                    context: context.exists().then_some(context),
                }
            })
            .collect()
    }

    /// The cases of `tests/sql.rs`: SQL edges and the evaluator's cases.
    fn sql_cases() -> Vec<Case> {
        let mut dirs: Vec<PathBuf> = ["tests/data/sql", "tests/data/eval"]
            .iter()
            .flat_map(|d| std::fs::read_dir(Path::new(ROOT).join(d)).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir() && p.join("records.csv").exists())
            .collect();
        dirs.sort();
        dirs.into_iter()
            .map(|dir| {
                let context = dir.join("context.csv");
                Case {
                    name: dir.file_name().unwrap().to_string_lossy().to_string(),
                    policy: dir.join("policy.kpi"),
                    records: dir.join("records.csv"),
                    context: context.exists().then_some(context),
                }
            })
            .collect()
    }

    /// Whether the native run stopped on an evaluation error (not on data).
    fn eval_error(native: &Output) -> bool {
        String::from_utf8_lossy(&native.stderr).contains("evaluation error(s)")
    }

    /// Compares `--engine duckdb` with the native engine for `extra`
    /// arguments; returns the differences.
    fn compare(name: &str, args: &[String], extra: &[&str]) -> Vec<String> {
        let native = run(args, extra);
        let mut with = extra.to_vec();
        with.extend(["--engine", "duckdb"]);
        let duck = run(args, &with);
        let what = format!("{name} {}", extra.join(" "));
        let mut problems = Vec::new();
        if duck.status.code() != native.status.code() {
            problems.push(format!(
                "{what}: exit {:?}, native {:?}\n{}",
                duck.status.code(),
                native.status.code(),
                String::from_utf8_lossy(&duck.stderr)
            ));
            return problems;
        }
        if duck.stdout != native.stdout {
            let (d, n) = (
                String::from_utf8_lossy(&duck.stdout),
                String::from_utf8_lossy(&native.stdout),
            );
            let diff: Vec<String> = n
                .lines()
                .zip(d.lines().chain(std::iter::repeat("<missing>")))
                .filter(|(a, b)| a != b)
                .take(3)
                .map(|(a, b)| format!("    native: {a}\n    duckdb: {b}"))
                .collect();
            problems.push(format!("{what}: stdout differs\n{}", diff.join("\n")));
        }
        let (d_err, n_err) = (
            String::from_utf8_lossy(&duck.stderr),
            String::from_utf8_lossy(&native.stderr),
        );
        if eval_error(&native) {
            // the query stops too, with its own diagnostic
            if !(d_err.contains("kpi::duckdb::query_stopped") && d_err.contains("kpi: ")) {
                problems.push(format!("{what}: the query did not stop:\n{d_err}"));
            }
            if !duck.stdout.is_empty() {
                problems.push(format!("{what}: results after an error"));
            }
        } else if d_err != n_err {
            problems.push(format!(
                "{what}: stderr differs\n--- native\n{n_err}--- duckdb\n{d_err}"
            ));
        }
        problems
    }

    #[test]
    fn seeds_and_the_sql_cases_equal_the_native_engine() {
        let mut problems = Vec::new();
        let mut n = 0;
        for case in seeds() {
            let args = case.args();
            for extra in [
                &["--format", "csv"][..],
                &["--format", "json"],
                &["--format", "table"],
                &["--format", "csv", "--headers", "labels"],
                &["--format", "csv", "--threads", "1"],
            ] {
                problems.extend(compare(&case.name, &args, extra));
                n += 1;
            }
        }
        let mut stopped = Vec::new();
        for case in sql_cases() {
            let args = case.args();
            problems.extend(compare(&case.name, &args, &["--format", "csv"]));
            problems.extend(compare(&case.name, &args, &["--format", "json"]));
            n += 2;
            if !run(&args, &["--format", "csv"]).status.success() {
                stopped.push(case.name);
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // the SQL tests' error cases stop in both (kpi eval's error cases)
        assert_eq!(
            stopped,
            [
                "error_division",
                "error_duplicate",
                "error_else_band",
                "error_missing",
                "error_no_band"
            ]
        );
        eprintln!("{n} runs equal; stopped in both: {stopped:?}");
    }

    /// An output file: the same bytes (CSV with its BOM); a failed run
    /// writes nothing.
    #[test]
    fn output_files_are_the_same_and_written_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        for case in seeds() {
            for ext in ["csv", "json", "txt"] {
                let native = dir.path().join(format!("{}.native.{ext}", case.name));
                let duck = dir.path().join(format!("{}.duckdb.{ext}", case.name));
                let n = run(&case.args(), &["--output", native.to_str().unwrap()]);
                let d = run(
                    &case.args(),
                    &["--output", duck.to_str().unwrap(), "--engine", "duckdb"],
                );
                assert!(n.status.success() && d.status.success(), "{}", case.name);
                let (n, d) = (
                    std::fs::read(&native).unwrap(),
                    std::fs::read(&duck).unwrap(),
                );
                assert_eq!(n, d, "{} .{ext}", case.name);
                if ext == "csv" {
                    assert!(d.starts_with("\u{feff}employee,".as_bytes()));
                }
            }
        }
    }

    /// Every `eval` case of `tests/data/cli/` (bad cells, bad rows, missing
    /// columns, duplicates, periods missing from the context, JSON records,
    /// labels as headers…) runs with `--engine duckdb` as with the native
    /// engine: the same exit code, stderr and output file; where the native
    /// engine stops on an evaluation error, the query stops.
    #[test]
    fn the_cli_cases_run_as_with_the_native_engine() {
        let cases = Path::new(ROOT).join("tests/data/cli");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&cases)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        let mut problems = Vec::new();
        let (mut ran, mut bad_data) = (0, 0);
        for dir in dirs {
            let expect = std::fs::read_to_string(dir.join("expect")).unwrap();
            let extra: Vec<String> = expect
                .lines()
                .filter_map(|l| l.trim().strip_prefix("args "))
                .flat_map(|a| a.split_whitespace().map(String::from))
                .collect();
            let custom = expect.lines().any(|l| l.trim().starts_with("cmd "));
            let Some(data) = ["records.csv", "records.json"]
                .into_iter()
                .find(|f| dir.join(f).exists())
            else {
                continue;
            };
            if custom || extra.iter().any(|a| a == "--engine") {
                continue;
            }
            let tmp = tempfile::tempdir().unwrap();
            let go = |engine: &str| {
                let out = tmp.path().join(format!("{engine}.json"));
                let mut args: Vec<String> = vec!["eval".into(), "policy.kpi".into()];
                args.extend(["--data".into(), data.into()]);
                if dir.join("context.csv").exists() {
                    args.extend(["--context".into(), "context.csv".into()]);
                }
                args.extend(["--output".into(), out.display().to_string()]);
                args.extend(extra.iter().cloned());
                args.extend(["--engine".into(), engine.into()]);
                let a: Vec<&str> = args.iter().map(String::as_str).collect();
                let o = kpi(&a, &dir);
                (o, std::fs::read(&out).ok(), out.display().to_string())
            };
            let (native, n_file, n_path) = go("batch");
            let (duck, d_file, d_path) = go("duckdb");
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            ran += 1;
            let n_err = String::from_utf8_lossy(&native.stderr).replace(&n_path, "OUT");
            let d_err = String::from_utf8_lossy(&duck.stderr).replace(&d_path, "OUT");
            if duck.status.code() != native.status.code() {
                problems.push(format!(
                    "{name}: exit {:?}, native {:?}\n{d_err}",
                    duck.status.code(),
                    native.status.code()
                ));
                continue;
            }
            if d_file != n_file {
                problems.push(format!("{name}: output files differ"));
            }
            if !native.status.success() && d_file.is_some() {
                problems.push(format!("{name}: a failed run wrote its output"));
            }
            if eval_error(&native) {
                if !d_err.contains("kpi::duckdb::query_stopped") {
                    problems.push(format!("{name}: the query did not stop:\n{d_err}"));
                }
            } else if d_err != n_err {
                problems.push(format!(
                    "{name}: stderr differs\n--- native\n{n_err}--- duckdb\n{d_err}"
                ));
            }
            if n_err.contains("data error(s); no results were written") {
                bad_data += 1;
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(
            ran >= 30 && bad_data >= 15,
            "{ran} cases, {bad_data} with bad data"
        );
        eprintln!("{ran} cli cases as native, {bad_data} of them with bad data");
    }

    /// S1's records as the exports HR has: GBK text with the labels as
    /// headers, and an xlsx; the results are the UTF-8 file's.
    #[test]
    fn gbk_and_xlsx_exports_give_the_same_results() {
        let case = seeds()
            .into_iter()
            .find(|c| c.name == "seed_tmall_after_sales")
            .unwrap();
        let text = std::fs::read_to_string(&case.records).unwrap();
        let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let header: Vec<String> = csv::Reader::from_reader(text.as_bytes())
            .headers()
            .unwrap()
            .iter()
            .map(String::from)
            .collect();
        // the inputs' labels as headers, as exports name their columns
        let policy = std::fs::read_to_string(&case.policy).unwrap();
        let program = kpi::check::check(&kpi::syntax::parse(&policy).unwrap())
            .unwrap()
            .program;
        let labelled: Vec<String> = header
            .iter()
            .map(|h| {
                program
                    .inputs
                    .iter()
                    .find(|f| &f.id == h)
                    .and_then(|f| f.label.clone())
                    .unwrap_or_else(|| h.clone())
            })
            .collect();
        assert!(labelled.iter().any(|h| !h.is_ascii()), "{labelled:?}");
        let dir = tempfile::tempdir().unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&labelled).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        let utf8 = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(&utf8);
        assert!(!unmappable);
        let gbk_path = dir.path().join("生意参谋.csv");
        std::fs::write(&gbk_path, &gbk).unwrap();
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        rows.insert(0, labelled);
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
        let xlsx_path = dir.path().join("赤兔.xlsx");
        std::fs::write(&xlsx_path, book.save_to_buffer().unwrap()).unwrap();
        let want = run(&case.args(), &["--format", "csv"]);
        assert!(want.status.success());
        for path in [&gbk_path, &xlsx_path] {
            let mut args = case.args();
            args[3] = path.display().to_string();
            let mut problems = compare(&case.name, &args, &["--format", "csv"]);
            let duck = run(&args, &["--format", "csv", "--engine", "duckdb"]);
            if duck.stdout != want.stdout {
                problems.push(format!("{}: not the UTF-8 file's results", path.display()));
            }
            assert!(problems.is_empty(), "{}", problems.join("\n"));
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A policy whose query raises an error (division by zero): a
    /// diagnostic with DuckDB's message, exit 1, no output file; the native
    /// engine names the person.
    #[test]
    fn a_query_error_is_a_diagnostic_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let policy = write(
            dir.path(),
            "p.kpi",
            "policy \"p\"\ninput a \"a\" : number in 0..100\ninput b \"b\" : number in 0..100\n\
             output o : number = a / b\n",
        );
        let records = write(
            dir.path(),
            "r.csv",
            "employee,period,a,b\nE1,2026-10,1,2\nE2,2026-10,3,0\n",
        );
        let out = dir.path().join("out.csv");
        let args = [
            "eval",
            policy.to_str().unwrap(),
            "--data",
            records.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ];
        let native = kpi(&args, dir.path());
        assert_eq!(native.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&native.stderr).contains("kpi::division_by_zero"));
        let mut with = args.to_vec();
        with.extend(["--engine", "duckdb"]);
        let duck = kpi(&with, dir.path());
        let err = String::from_utf8_lossy(&duck.stderr);
        assert_eq!(duck.status.code(), Some(1), "{err}");
        assert!(duck.stdout.is_empty());
        assert!(!out.exists());
        assert!(
            err.contains("kpi::duckdb::query_stopped")
                && err.contains("kpi: division by zero")
                && err.contains("--engine batch")
                && err.ends_with("1 error(s); no results were written\n"),
            "{err}"
        );
        // the same in Chinese
        let zh = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .env("LC_ALL", "zh_CN.UTF-8")
            .args(&with)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&zh.stderr);
        assert!(
            err.contains("查询在 DuckDB 中中止") && err.contains("未写出任何结果"),
            "{err}"
        );
    }

    /// A value kpi reads exactly but the query's column cannot hold (a
    /// percent with 7 places: the column keeps 6 of the fraction) is
    /// refused, every one with its line, never rounded.
    #[test]
    fn values_the_columns_cannot_hold_are_refused_not_rounded() {
        let dir = tempfile::tempdir().unwrap();
        let policy = write(
            dir.path(),
            "p.kpi",
            "policy \"p\"\ninput r \"r\" : percent\ninput m \"m\" : money in 0..1000\n\
             output o : percent = r\noutput p : money = m\n",
        );
        let records = write(
            dir.path(),
            "r.csv",
            "employee,period,r,m\nE1,2026-10,12.3456%,1.5\nE2,2026-10,12.34567%,2\n\
             E3,2026-10,1%,0.00001\n",
        );
        let args = [
            "eval",
            policy.to_str().unwrap(),
            "--data",
            records.to_str().unwrap(),
        ];
        let native = kpi(&args, dir.path());
        assert!(native.status.success());
        let mut with = args.to_vec();
        with.extend(["--engine", "duckdb"]);
        let duck = kpi(&with, dir.path());
        let err = String::from_utf8_lossy(&duck.stderr);
        assert_eq!(duck.status.code(), Some(1), "{err}");
        assert!(duck.stdout.is_empty());
        assert_eq!(
            err.matches("kpi::duckdb::unrepresentable").count(),
            2,
            "{err}"
        );
        assert!(
            err.contains("line 3, employee `E2`, 2026-10: `r` is `0.1234567`")
                && err.contains("DECIMAL(18,6)")
                && err.contains("line 4, employee `E3`, 2026-10: `m` is `0.00001`")
                && err.contains("DECIMAL(18,4)")
                && err.ends_with("2 error(s); no results were written\n"),
            "{err}"
        );
        // six places fit
        let fine = write(
            dir.path(),
            "ok.csv",
            "employee,period,r,m\nE1,2026-10,12.3456%,1.5\n",
        );
        let out = kpi(
            &[
                "eval",
                policy.to_str().unwrap(),
                "--data",
                fine.to_str().unwrap(),
                "--engine",
                "duckdb",
                "--format",
                "csv",
            ],
            dir.path(),
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "employee,period,team,o,p\nE1,2026-10,,12.3456%,1.50\n"
        );
    }

    /// The library linked is the DuckDB the duckdb crate was made for.
    #[test]
    fn the_engine_is_duckdb_1_5_6() {
        assert_eq!(kpi::sql::embedded::library_version().unwrap(), "v1.5.6");
    }

    #[test]
    fn xlsx_and_html_are_refused() {
        let case = &seeds()[0];
        for f in ["xlsx", "html"] {
            let out = run(&case.args(), &["--format", f, "--engine", "duckdb"]);
            assert_eq!(out.status.code(), Some(2));
            assert!(out.stdout.is_empty());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("--engine batch"), "{err}");
        }
    }

    /// A policy the SQL back end refuses is refused with its diagnostic.
    #[test]
    fn a_policy_that_does_not_compile_to_sql_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let policy = write(
            dir.path(),
            "p.kpi",
            "policy \"p\"\ninput a \"a\" : number\noutput o : number = a * a * a * a\n",
        );
        let records = write(dir.path(), "r.csv", "employee,period,a\nE1,2026-10,2\n");
        let args = [
            "eval",
            policy.to_str().unwrap(),
            "--data",
            records.to_str().unwrap(),
            "--engine",
            "duckdb",
        ];
        let out = kpi(&args, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("kpi::sql::unbounded"), "{err}");
        assert!(out.stdout.is_empty());
    }
}
