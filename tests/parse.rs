//! Golden tests of the parser: every `tests/data/parse/*.kpi` is parsed and
//! its rendered diagnostic (miette, unicode, no colour, width 100) is
//! compared with the `.out` file next to it. A file that must parse has an
//! empty `.out`.
//!
//! To (re)write the `.out` files from the current output, run
//!
//!     KPI_BLESS=1 cargo test --test parse
//!
//! and review the diff before committing it.

use kpi::cli::{render_diagnostic, Source};
use std::path::{Path, PathBuf};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parse");

/// The rendered syntax error for a policy, or "" when it parses.
fn rendered(name: &str, text: &str) -> String {
    match kpi::syntax::parse(text) {
        Ok(_) => String::new(),
        Err(err) => render_diagnostic(
            &err,
            Some(&Source {
                path: name.to_string(),
                text: text.to_string(),
            }),
        ),
    }
}

/// Compares (or, with `KPI_BLESS=1`, rewrites) the golden output of one
/// case; returns a description of the mismatch.
fn check(kpi: &Path, bless: bool) -> Option<String> {
    let name = kpi.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(kpi).unwrap();
    let got = rendered(&name, &text);
    let out = kpi.with_extension("out");
    if bless {
        std::fs::write(&out, &got).unwrap();
        return None;
    }
    let want = match std::fs::read_to_string(&out) {
        Ok(w) => w,
        Err(e) => return Some(format!("{name}: cannot read {}: {e}", out.display())),
    };
    (got != want).then(|| format!("{name}: expected\n{want}\n---- got\n{got}"))
}

fn cases() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "kpi"))
        .collect();
    files.sort();
    files
}

#[test]
fn parse_golden_files() {
    let files = cases();
    assert!(files.len() >= 10, "expected the parse cases in {DIR}");
    let bless = std::env::var_os("KPI_BLESS").is_some_and(|v| v == "1");
    let failures: Vec<String> = files.iter().filter_map(|f| check(f, bless)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The `valid_*` cases parse and the others do not: a blessed `.out` can't
/// silently turn an error case into a passing one or the reverse.
#[test]
fn valid_cases_parse_and_error_cases_do_not() {
    let mut valid = 0;
    let mut invalid = 0;
    for f in cases() {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let ok = kpi::syntax::parse(&text).is_ok();
        if name.starts_with("valid_") {
            assert!(ok, "{name} must parse");
            valid += 1;
        } else {
            assert!(!ok, "{name} must not parse");
            invalid += 1;
        }
    }
    assert!(
        valid >= 3 && invalid >= 10,
        "{valid} valid, {invalid} invalid"
    );
}
