//! The workbench (`kpi serve`) end to end in a real headless browser: the
//! server runs on a temporary copy of `policies/` made into a git
//! repository with two commits, and `tests/browser/workbench.mjs` drives
//! Chromium through it with Playwright — type an error (diagnostic at the
//! right line), fix it, upload the S1 example data (results equal `kpi
//! eval`), click a person (explanation), what-if, export xlsx, pick the
//! previous revision (diff), save (git diff). Screenshots of each state go
//! to `target/browser-artifacts/workbench-*.png`;
//! `KPI_UPDATE_SCREENSHOTS=1` also refreshes `docs/workbench.png`.
//!
//! Needs `node`, `/usr/bin/chromium` (or `KPI_CHROMIUM`) and
//! `npm ci --prefix tests/browser`: without them the test is skipped,
//! except on CI (`CI` set), where it fails.
#![cfg(feature = "serve")]

mod serve_support;

use serve_support::{kpi, policies_repo, root, Server};
use std::path::PathBuf;
use std::process::Command;

fn chromium() -> PathBuf {
    std::env::var_os("KPI_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Whether the browser test can run here; what is missing fails the test
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
    let git = Command::new("git").arg("--version").output();
    if !git.is_ok_and(|o| o.status.success()) {
        missing.push("git".to_string());
    }
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(", ");
    if std::env::var_os("CI").is_some() {
        panic!("the workbench browser test must run on CI, but this is missing: {what}");
    }
    eprintln!("skipped: the workbench browser test needs {what}");
    false
}

#[test]
fn workbench_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = policies_repo(tmp.path());
    let policy = dir.join("tmall_after_sales.kpi");
    let records = "examples/tmall_after_sales/records.csv";
    let context = "examples/tmall_after_sales/context.csv";
    // what the page must show: `kpi eval` of the file the editor opens
    let expected = tmp.path().join("expected.json");
    let json = kpi(&[
        "eval",
        policy.to_str().expect("path"),
        "--data",
        records,
        "--context",
        context,
        "--format",
        "json",
    ]);
    std::fs::write(&expected, json).expect("write expected.json");

    let server = Server::start(&dir);
    let started = std::time::Instant::now();
    let run = Command::new("node")
        .current_dir(root())
        .arg("tests/browser/workbench.mjs")
        .args(["--url", &format!("http://{}/", server.host())])
        .args(["--policy", "tmall_after_sales.kpi"])
        .arg("--policy-file")
        .arg(&policy)
        .args(["--records", records, "--context", context])
        .arg("--expected")
        .arg(&expected)
        .args(["--docs", "workbench"])
        .output()
        .expect("run node");
    println!("{}", String::from_utf8_lossy(&run.stdout));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        run.status.success(),
        "the workbench browser test failed (see above)"
    );
    println!(
        "workbench browser test took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // the save in the page wrote the file inside DIR
    let saved = std::fs::read_to_string(&policy).expect("read the saved policy");
    assert!(
        saved.ends_with("# 由工作台保存"),
        "the page's save did not reach the file"
    );
}
