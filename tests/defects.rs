//! The seed defects D1–D9 (REQUIREMENTS §7), transcribed as written under
//! `tests/data/defects/`: each must produce the warning its header names,
//! rendered (unicode, no colour, fixed width) in English and Chinese.

use kpi::check::{check, Lang};
use kpi::cli::{render_diagnostic, Source};
use std::path::Path;

/// Renders every warning of a defect file in `lang`.
fn render(path: &Path, lang: Lang) -> (Vec<&'static str>, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let policy = kpi::syntax::parse(&text).unwrap();
    let checked = check(&policy).unwrap_or_else(|f| panic!("{}: {:?}", path.display(), f.errors));
    let src = Source {
        path: format!(
            "tests/data/defects/{}",
            path.file_name().unwrap().to_string_lossy()
        ),
        text,
    };
    let codes = checked.warnings.iter().map(|w| w.code()).collect();
    let out = checked
        .warnings
        .iter()
        .map(|w| render_diagnostic(&w.report(lang), Some(&src)))
        .collect();
    (codes, out)
}

/// The codes named on the file's `# Expected:` line.
fn expected_codes(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("# Expected:"))
        .unwrap_or_else(|| panic!("{} has no `# Expected:` line", path.display()));
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '_'))
        .filter(|w| w.starts_with("kpi::"))
        .map(str::to_string)
        .collect()
}

macro_rules! defect {
    ($name:ident, $file:literal) => {
        #[test]
        fn $name() {
            let path = Path::new(concat!("tests/data/defects/", $file));
            let (codes, en) = render(path, Lang::En);
            for want in expected_codes(path) {
                assert!(
                    codes.contains(&want.as_str()),
                    "{}: expected {want}, got {codes:?}",
                    $file
                );
            }
            let (_, zh) = render(path, Lang::Zh);
            insta::assert_snapshot!(concat!(stringify!($name), "_en"), en);
            insta::assert_snapshot!(concat!(stringify!($name), "_zh"), zh);
        }
    };
}

defect!(d1_response_gap, "d1_response_gap.kpi");
defect!(d2_conversion_empty, "d2_conversion_empty.kpi");
defect!(d3_reply_rate_gap, "d3_reply_rate_gap.kpi");
defect!(d4_return_rate_overlap, "d4_return_rate_overlap.kpi");
defect!(d5_violations_overlap, "d5_violations_overlap.kpi");
defect!(d6_sales_share_gap, "d6_sales_share_gap.kpi");
defect!(d7_grade_gaps, "d7_grade_gaps.kpi");
defect!(d8_weights_95, "d8_weights_95.kpi");
defect!(d9_reward_sign, "d9_reward_sign.kpi");

#[test]
fn every_defect_file_has_a_test() {
    let n = std::fs::read_dir("tests/data/defects")
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "kpi")
        })
        .count();
    assert_eq!(n, 9);
}

#[test]
fn deny_warnings_fails_on_a_defect_and_passes_on_the_policies() {
    let kpi = env!("CARGO_BIN_EXE_kpi");
    let out = std::process::Command::new(kpi)
        .args([
            "check",
            "--deny-warnings",
            "tests/data/defects/d1_response_gap.kpi",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kpi::band_gap"), "{stderr}");
    let mut args = vec!["check".to_string(), "--deny-warnings".into()];
    for e in std::fs::read_dir("policies").unwrap() {
        args.push(e.unwrap().path().display().to_string());
    }
    let out = std::process::Command::new(kpi)
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn json_diagnostics_name_code_span_and_position() {
    let kpi = env!("CARGO_BIN_EXE_kpi");
    let out = std::process::Command::new(kpi)
        .args([
            "check",
            "--format",
            "json",
            "tests/data/defects/d3_reply_rate_gap.kpi",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v[0];
    assert_eq!(d["code"], "kpi::band_gap");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["message"], "92% matches no band");
    assert_eq!(d["file"], "tests/data/defects/d3_reply_rate_gap.kpi");
    // §3.1: the arm just below the gap (`x < 92%`), not the table's start
    assert_eq!(d["labels"][0]["line"], 11);
    assert_eq!(d["labels"][0]["column"], 3);
    assert_eq!(d["labels"][1]["line"], 10);
}
