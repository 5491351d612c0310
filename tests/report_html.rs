//! The HTML report of `kpi eval --output report.html` (§4.2), tested in a
//! real headless browser: the binary writes the report of a seed policy's
//! example data, then `tests/browser/report.mjs` opens it in Chromium with
//! Playwright (no console errors, every employee, the charts drawn, a click
//! opens a person's explanation, sorting, printing) and saves a screenshot
//! in `target/browser-artifacts/`.
//!
//! Needs `node`, `/usr/bin/chromium` (or `KPI_CHROMIUM`) and
//! `npm ci --prefix tests/browser`. Without them the test is skipped, except
//! on CI (`CI` set), where it fails. `KPI_UPDATE_SCREENSHOTS=1` also
//! refreshes `docs/report.png`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> PathBuf {
    std::env::var_os("KPI_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Whether the browser test can run here. What is missing fails the test
/// on CI and skips it elsewhere.
fn browser_available() -> bool {
    let mut missing = Vec::new();
    if !chromium().exists() {
        missing.push(format!(
            "{} (apt-get install chromium)",
            chromium().display()
        ));
    }
    if !root()
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        missing.push("tests/browser/node_modules (npm ci --prefix tests/browser)".to_string());
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        missing.push("node (Node.js 18 or later)".to_string());
    }
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(", ");
    if std::env::var_os("CI").is_some() {
        panic!("the browser test must run on CI, but this is missing: {what}");
    }
    eprintln!(
        "skipped: the browser test needs {what}; run `npm ci --prefix tests/browser` and install chromium"
    );
    false
}

/// `target/browser-artifacts/`, where the report and its screenshot go.
fn artifacts() -> PathBuf {
    let dir = root().join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/browser-artifacts");
    dir
}

/// Runs `kpi eval POLICY --data DATA [--context CONTEXT] --output OUT` in
/// the language of `locale` and returns the report's text.
fn eval_html(policy: &str, data: &str, context: Option<&str>, out: &Path, locale: &str) -> String {
    let _ = std::fs::remove_file(out);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.current_dir(root())
        .args(["eval", policy, "--data", data])
        .env("LC_ALL", locale)
        .env("LANG", locale);
    if let Some(c) = context {
        cmd.args(["--context", c]);
    }
    let run = cmd.arg("--output").arg(out).output().expect("run kpi");
    assert!(
        run.status.success(),
        "kpi eval failed:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(out).expect("read the report");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "`kpi eval --output {}` did not write an HTML report; it starts with:\n{}",
        out.display(),
        html.chars().take(300).collect::<String>()
    );
    html
}

/// Opens the report in Chromium (tests/browser/report.mjs).
fn browse(html: &Path, records: &str, extra: &[&str]) {
    let started = std::time::Instant::now();
    let run = Command::new("node")
        .current_dir(root())
        .arg("tests/browser/report.mjs")
        .arg(html)
        .args(["--records", records])
        .args(extra)
        .output()
        .expect("run node");
    println!("{}", String::from_utf8_lossy(&run.stdout));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        run.status.success(),
        "the browser test of {} failed (see above)",
        html.display()
    );
    println!("browser test took {:.1} s", started.elapsed().as_secs_f64());
}

/// S1 (售后KPI考核报表): a total, no grade, no money; two teams, two months.
#[test]
fn tmall_after_sales_report_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let out = artifacts().join("report.html");
    let records = "examples/tmall_after_sales/records.csv";
    let html = eval_html(
        "policies/tmall_after_sales.kpi",
        records,
        Some("examples/tmall_after_sales/context.csv"),
        &out,
        "C.UTF-8",
    );
    assert!(html.contains("售后KPI考核报表"));
    // the README's picture (docs/report.png, with KPI_UPDATE_SCREENSHOTS=1)
    browse(&out, records, &["--name", "report"]);
}

/// S2 (售前客服团队绩效考核): a grade chart and payroll, in Chinese.
#[test]
fn presales_team_report_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let out = artifacts().join("report-presales.html");
    let records = "examples/presales_team/records.csv";
    let html = eval_html(
        "policies/presales_team.kpi",
        records,
        None,
        &out,
        "zh_CN.UTF-8",
    );
    assert!(html.contains("等级分布"), "the report is not in Chinese");
    browse(
        &out,
        records,
        &["--grades", "--name", "report-presales", "--docs", "report"],
    );
}
