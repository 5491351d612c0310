//! End-to-end tests of the `kpi` binary, one directory per case under
//! `tests/data/cli/<case>/`:
//!
//! - `policy.kpi`, `records.csv` or `records.json`, optional `context.csv`;
//! - `expect`, one directive per line (`#` starts a comment):
//!   - `exit N`: the expected exit code (required);
//!   - `stderr TEXT` / `stdout TEXT`: TEXT must appear in stderr / stdout;
//!   - `last-line TEXT`: the last line of stdout is exactly TEXT;
//!   - `args ARG…`: extra arguments after the default command line;
//!   - `cmd ARG…`: the whole command line instead of the default one;
//!     `$OUT` stands for the output file;
//!   - `output FILE`: after success, the output file equals FILE exactly.
//!
//! The default command line is `eval policy.kpi --data records.*
//! [--context context.csv] --output $OUT`, run in the case directory with
//! `LC_ALL=C` (English messages), `$OUT` in a fresh temporary directory.
//! After a failure nothing may be written there; after a successful
//! `eval --output` the file exists and, for JSON, has the shape of §4.1.
//!
//! Every `eval` case runs twice, with the default engine (one pass for
//! policies without team or history rules) and with `--engine batch`: exit
//! code, stdout, stderr and output file must be byte for byte the same.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cli");

#[derive(Default)]
struct Expect {
    exit: Option<i32>,
    stderr: Vec<String>,
    stdout: Vec<String>,
    last_line: Option<String>,
    args: Vec<String>,
    cmd: Option<Vec<String>>,
    output: Option<String>,
}

fn parse_expect(text: &str) -> Expect {
    let mut e = Expect::default();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with('#') {
            continue;
        }
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        let words = || rest.split_whitespace().map(String::from).collect();
        match key {
            "exit" => e.exit = Some(rest.parse().expect("exit code")),
            "stderr" => e.stderr.push(rest.to_string()),
            "stdout" => e.stdout.push(rest.to_string()),
            "last-line" => e.last_line = Some(rest.to_string()),
            "args" => e.args = words(),
            "cmd" => e.cmd = Some(words()),
            "output" => e.output = Some(rest.to_string()),
            other => panic!("unknown directive `{other}`"),
        }
    }
    e
}

/// The §4.1 shape: `{"policy": …, "results": [{"employee", "period",
/// "team", "outputs"}]}`, sorted by team, period, employee; output values
/// are strings or booleans.
fn assert_results_json(text: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = v.as_object().ok_or("not an object")?;
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    if keys != ["policy", "results"] || !obj["policy"].is_string() {
        return Err(format!("top-level keys {keys:?}"));
    }
    let results = obj["results"].as_array().ok_or("results is not an array")?;
    let mut order = Vec::new();
    for r in results {
        let r = r.as_object().ok_or("a result is not an object")?;
        let keys: Vec<&str> = r.keys().map(String::as_str).collect();
        if keys != ["employee", "period", "team", "outputs"] {
            return Err(format!("result keys {keys:?}"));
        }
        let period = r["period"].as_str().ok_or("period is not a string")?;
        let well_formed = period.len() == 7
            && period.as_bytes()[4] == b'-'
            && period
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !well_formed || !r["employee"].is_string() {
            return Err(format!("bad employee or period in {r:?}"));
        }
        if !(r["team"].is_string() || r["team"].is_null()) {
            return Err(format!("bad team in {r:?}"));
        }
        let outputs = r["outputs"].as_object().ok_or("outputs is not an object")?;
        if let Some((k, v)) = outputs
            .iter()
            .find(|(_, v)| !(v.is_string() || v.is_boolean()))
        {
            return Err(format!("output `{k}` is {v}, not a string or bool"));
        }
        order.push((
            r["team"].as_str().map(String::from),
            period.to_string(),
            r["employee"].as_str().unwrap_or_default().to_string(),
        ));
    }
    if !order.is_sorted() {
        return Err(format!(
            "results not sorted by team, period, employee: {order:?}"
        ));
    }
    Ok(())
}

/// Runs one case; returns every way it differs from its `expect` file.
fn check(case: &Path) -> Vec<String> {
    let expect = parse_expect(&std::fs::read_to_string(case.join("expect")).unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.json");
    let out_arg = out.to_string_lossy().to_string();
    let default_cmd = expect.cmd.is_none();
    let argv: Vec<String> = match &expect.cmd {
        Some(cmd) => cmd.iter().map(|a| a.replace("$OUT", &out_arg)).collect(),
        None => {
            let data = ["records.csv", "records.json"]
                .into_iter()
                .find(|f| case.join(f).exists())
                .expect("records.csv or records.json");
            let mut argv: Vec<String> = vec!["eval".into(), "policy.kpi".into()];
            argv.extend(["--data".into(), data.into()]);
            if case.join("context.csv").exists() {
                argv.extend(["--context".into(), "context.csv".into()]);
            }
            argv.extend(["--output".into(), out_arg.clone()]);
            argv.extend(expect.args.iter().cloned());
            argv
        }
    };
    let run = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("LC_ALL", "C")
        .args(&argv)
        .current_dir(case)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let mut problems = Vec::new();
    let exit = expect.exit.expect("an `exit` line");
    if run.status.code() != Some(exit) {
        problems.push(format!("exit {:?}, expected {exit}", run.status.code()));
    }
    for s in expect
        .stderr
        .iter()
        .filter(|s| !stderr.contains(s.as_str()))
    {
        problems.push(format!("stderr lacks `{s}`"));
    }
    for s in expect
        .stdout
        .iter()
        .filter(|s| !stdout.contains(s.as_str()))
    {
        problems.push(format!("stdout lacks `{s}`"));
    }
    if let Some(want) = &expect.last_line {
        let last = stdout.lines().last().unwrap_or("");
        if last != want {
            problems.push(format!("last line `{last}`, expected `{want}`"));
        }
    }
    let writes = argv.contains(&out_arg);
    if exit != 0 {
        let left: Vec<PathBuf> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        if !left.is_empty() {
            problems.push(format!("a failed run wrote {left:?}"));
        }
    } else if writes {
        match std::fs::read_to_string(&out) {
            Err(e) => problems.push(format!("no output file: {e}")),
            Ok(text) => {
                if !stdout.is_empty() {
                    problems.push(format!("stdout not empty with --output: {stdout}"));
                }
                let format = argv
                    .iter()
                    .position(|a| a == "--format")
                    .map_or("json", |i| argv[i + 1].as_str());
                if format == "json" {
                    if let Err(e) = assert_results_json(&text) {
                        problems.push(format!("§4.1: {e}\n{text}"));
                    }
                }
                if let Some(golden) = &expect.output {
                    let want = std::fs::read_to_string(case.join(golden)).unwrap();
                    if text != want {
                        problems.push(format!("output differs from {golden}:\n{text}"));
                    }
                }
            }
        }
    } else if default_cmd || expect.output.is_some() {
        problems.push("an `output` check needs `--output $OUT`".into());
    }
    // (usage errors quote the command line, which differs)
    let usage_error = run.status.code() == Some(2);
    if argv.first().is_some_and(|a| a == "eval")
        && !argv.iter().any(|a| a == "--engine")
        && !usage_error
    {
        problems.extend(engines_agree(case, &argv, &out_arg, &run, &out));
    }
    if problems.is_empty() {
        return problems;
    }
    vec![format!(
        "{}: kpi {}\n  {}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        case.file_name().unwrap().to_string_lossy(),
        argv.join(" "),
        problems.join("\n  ")
    )]
}

/// Runs `argv` again with `--engine batch` (writing to a fresh `$OUT`)
/// and compares everything with the first run's.
fn engines_agree(
    case: &Path,
    argv: &[String],
    out_arg: &str,
    first: &std::process::Output,
    out: &Path,
) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let out2 = tmp.path().join("out.json");
    let out2_arg = out2.to_string_lossy().to_string();
    let mut argv2: Vec<String> = argv.iter().map(|a| a.replace(out_arg, &out2_arg)).collect();
    argv2.extend(["--engine".into(), "batch".into()]);
    let run = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("LC_ALL", "C")
        .args(&argv2)
        .current_dir(case)
        .output()
        .unwrap();
    let mut problems = Vec::new();
    if run.status.code() != first.status.code() {
        problems.push(format!(
            "--engine batch exits {:?}, the default engine {:?}",
            run.status.code(),
            first.status.code()
        ));
    }
    let stderr2 = String::from_utf8_lossy(&run.stderr).replace(&out2_arg, out_arg);
    if stderr2 != String::from_utf8_lossy(&first.stderr) {
        problems.push(format!("--engine batch prints another stderr:\n{stderr2}"));
    }
    if run.stdout != first.stdout {
        problems.push("--engine batch prints another stdout".into());
    }
    if std::fs::read(out).ok() != std::fs::read(&out2).ok() {
        problems.push("--engine batch writes another output file".into());
    }
    problems
}

#[test]
fn cli_cases() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "expected the cases in {DIR}");
    let failures: Vec<String> = cases.iter().flat_map(|c| check(c)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
