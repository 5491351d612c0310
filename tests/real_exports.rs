//! Real exports (§5.3): the S1 example records saved the ways HR gets them
//! — an xlsx with a title row, date periods, percent-formatted cells,
//! units in headers and totals rows; a GBK CSV from Excel's zh-CN "CSV
//! (逗号分隔)"; a UTF-16 tab-separated "Unicode text" — each give
//! byte-identical `kpi eval --format json` output to the clean UTF-8 CSV.
//! The fixtures are made here, from `examples/tmall_after_sales/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example(name: &str) -> PathBuf {
    Path::new(ROOT)
        .join("examples/tmall_after_sales")
        .join(name)
}

fn kpi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .expect("run kpi")
}

/// `kpi eval` of S1 on `data` (JSON on stdout), after checking it worked.
fn eval_json(data: &Path, extra: &[&str]) -> (String, String) {
    let policy = format!("{ROOT}/policies/tmall_after_sales.kpi");
    let context = example("context.csv");
    let mut args = vec![
        "eval",
        policy.as_str(),
        "--data",
        data.to_str().expect("utf-8 path"),
        "--context",
        context.to_str().expect("utf-8 path"),
    ];
    args.extend(extra);
    let out = kpi(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{data:?}: {stderr}");
    (String::from_utf8(out.stdout).expect("utf-8 JSON"), stderr)
}

/// The example records as a table of strings (header first).
fn records() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(example("records.csv")).expect("records.csv");
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// The clean CSV's output: what every other layout must give.
fn expected() -> String {
    eval_json(&example("records.csv"), &[]).0
}

/// Column index of `header` in the example file.
fn col(table: &[Vec<String>], header: &str) -> usize {
    table[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}"))
}

/// The records as an export writes them: export words for the key columns,
/// `退款完结时长(小时)` in hours, a title row above, a `合计` row below.
fn export_rows() -> Vec<Vec<String>> {
    let mut t = records();
    let days = col(&t, "refund_close_days");
    for row in t.iter_mut().skip(1) {
        // cells with a unit (`12h`, `1.5d`) keep it; bare days become hours
        if let Ok(d) = row[days].parse::<f64>() {
            // exact for the example's values (2.7, 2.49, …): tenths of an hour
            row[days] = format!("{}", (d * 2400.0).round() / 100.0);
        }
    }
    t[0][0] = "客服".into();
    t[0][1] = "月份".into();
    t[0][2] = "组别".into();
    t[0][days] = "退款完结时长(小时)".into();
    let width = t[0].len();
    let mut total = vec![String::new(); width];
    total[0] = "合计".into();
    total[3] = "160".into();
    t.push(total);
    let mut title = vec![String::new(); width];
    title[0] = "售后客服绩效 2026年9-10月".into();
    t.insert(0, title);
    t.insert(1, vec![String::new(); width]);
    t
}

/// Diagnostics without white space and box drawing: miette wraps long
/// messages anywhere. Compare with [`flat_str`] of the expected text.
fn flat(stderr: &[u8]) -> String {
    flat_str(&String::from_utf8_lossy(stderr))
}

fn flat_str(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '│' | '×'))
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

#[test]
fn gbk_csv_with_title_units_and_totals_matches_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text: String = export_rows().iter().map(|r| r.join(",") + "\r\n").collect();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let path = write(dir.path(), "生意参谋.csv", &gbk);
    let (json, stderr) = eval_json(&path, &[]);
    assert_eq!(json, expected());
    assert!(stderr.contains("read as gb18030"), "{stderr}");
    assert!(
        stderr.contains("skipped totals rows, not people: line 24 (`合计`)"),
        "{stderr}"
    );
    assert!(stderr.contains("the header is on line 3"), "{stderr}");
}

#[test]
fn utf16_tab_separated_matches_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text: String = records().iter().map(|r| r.join("\t") + "\r\n").collect();
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let path = write(dir.path(), "unicode.txt", &bytes);
    assert_eq!(eval_json(&path, &[]).0, expected());
}

#[test]
fn several_files_report_duplicates_with_both_places() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = records();
    let csv =
        |rows: &[Vec<String>]| -> String { rows.iter().map(|r| r.join(",") + "\n").collect() };
    // split by period: the two halves give the same results as the whole
    let (sep, oct): (Vec<_>, Vec<_>) = t[1..].iter().cloned().partition(|r| r[1] == "2026-09");
    let a = write(
        dir.path(),
        "a.csv",
        csv(&[vec![t[0].clone()], sep].concat()).as_bytes(),
    );
    let b = write(
        dir.path(),
        "b.csv",
        csv(&[vec![t[0].clone()], oct.clone()].concat()).as_bytes(),
    );
    let b_str = b.to_str().expect("utf-8");
    assert_eq!(eval_json(&a, &["--data", b_str]).0, expected());
    // the same month twice: an error on the second file naming the first
    let policy = format!("{ROOT}/policies/tmall_after_sales.kpi");
    let context = example("context.csv");
    let out = kpi(&[
        "eval",
        &policy,
        "--data",
        b_str,
        b_str,
        "--context",
        context.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = flat(&out.stderr);
    let first = &oct[0][0];
    assert!(
        stderr.contains(&flat_str(&format!(
            "{b_str}:2: employee `{first}` already has a row for `2026-10` in {b_str}:2"
        ))),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

/// `kpi init` on an export writes a policy that `kpi check` accepts and
/// that evaluates the same export.
fn init_checks_and_evaluates(export: &Path, expected_lines: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("init.kpi");
    let p = policy.to_str().expect("utf-8");
    let out = kpi(&["init", export.to_str().expect("utf-8"), "--output", p]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&policy).expect("policy written");
    for line in expected_lines {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "no line starting {line:?} in\n{text}"
        );
    }
    let check = kpi(&["check", "--deny-warnings", p]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let eval = kpi(&[
        "eval",
        p,
        "--data",
        export.to_str().expect("utf-8"),
        "--format",
        "csv",
    ]);
    assert!(
        eval.status.success(),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    // never over an existing policy
    let again = kpi(&["init", export.to_str().expect("utf-8"), "--output", p]);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn init_from_a_gbk_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text: String = export_rows().iter().map(|r| r.join(",") + "\r\n").collect();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let path = write(dir.path(), "export.csv", &gbk);
    init_checks_and_evaluates(
        &path,
        &[
            "key employee \"客服\"",
            "key period \"月份\"",
            "key team \"组别\"",
            "input 沟通技巧 \"沟通技巧\"",
            "input 退款纠纷率 \"退款纠纷率\"                 : percent  # 猜测依据：单元格带 %",
            "input 退款完结时长 \"退款完结时长(小时)\"       : hours    # 猜测依据：表头里的单位",
            "input 投诉维权数 \"投诉维权数\"                 : count    # 猜测依据：都是非负整数",
            "input 旺旺昵称 \"旺旺昵称\"                     : text",
        ],
    );
}

#[cfg(feature = "spreadsheets")]
mod xlsx {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    /// The export rows as an xlsx: periods as date cells shown `yyyy-mm`,
    /// percents as percent-formatted numbers, counts as numbers.
    fn workbook(rows: &[Vec<String>], bad: &[(usize, usize, &str)]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("售后明细").expect("name");
        let pct = Format::new().set_num_format("0.00%");
        let month = Format::new().set_num_format("yyyy-mm");
        let header = 2; // after the title and the blank row
        for (r, row) in rows.iter().enumerate() {
            let r32 = u32::try_from(r).expect("row");
            for (c, cell) in row.iter().enumerate() {
                let c16 = u16::try_from(c).expect("col");
                if let Some(&(_, _, text)) = bad.iter().find(|&&(br, bc, _)| br == r && bc == c) {
                    sheet.write_string(r32, c16, text).expect("write");
                } else if cell.is_empty() {
                    continue;
                } else if r > header && c == 1 && cell.len() == 7 {
                    let (y, m) = cell.split_once('-').expect("period");
                    let date =
                        ExcelDateTime::from_ymd(y.parse().expect("y"), m.parse().expect("m"), 1)
                            .expect("date");
                    sheet
                        .write_datetime_with_format(r32, c16, &date, &month)
                        .expect("write");
                } else if let Some(p) = cell.strip_suffix('%').filter(|_| r > header) {
                    // the double nearest p/100, as Excel stores a typed percent
                    let v: f64 = format!("{p}e-2").parse().expect("pct");
                    sheet
                        .write_number_with_format(r32, c16, v, &pct)
                        .expect("write");
                } else if let (true, Ok(v)) = (r > header && c > 2, cell.parse::<f64>()) {
                    sheet.write_number(r32, c16, v).expect("write");
                } else {
                    sheet.write_string(r32, c16, cell).expect("write");
                }
            }
        }
        book.save_to_buffer().expect("xlsx")
    }

    #[test]
    fn xlsx_with_title_dates_percents_units_and_totals_matches_utf8() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "赤兔.xlsx", &workbook(&export_rows(), &[]));
        let (json, stderr) = eval_json(&path, &[]);
        assert_eq!(json, expected());
        assert!(
            stderr.contains("[售后明细]: skipped totals rows, not people: row 24 (`合计`)"),
            "{stderr}"
        );
    }

    #[test]
    fn xlsx_bad_cells_are_all_reported_by_cell_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let rows = export_rows();
        let refund = col(&rows[2..], "退款纠纷率");
        let days = col(&rows[2..], "退款完结时长(小时)");
        // rows 4 and 9 of the sheet (0-based 3 and 8)
        let bad = [(3, refund, "延迟统计"), (8, days, "-"), (8, 4, "九")];
        let path = write(dir.path(), "bad.xlsx", &workbook(&rows, &bad));
        let out_file = dir.path().join("out.json");
        let policy = format!("{ROOT}/policies/tmall_after_sales.kpi");
        let context = example("context.csv");
        let out = kpi(&[
            "eval",
            &policy,
            "--data",
            path.to_str().expect("utf-8"),
            "--context",
            context.to_str().expect("utf-8"),
            "--output",
            out_file.to_str().expect("utf-8"),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(!out_file.exists(), "nothing may be written");
        let stderr = flat(&out.stderr);
        let p = path.display();
        for line in [
            format!("{p} [售后明细] N4 (`退款纠纷率`): `延迟统计` is not a number"),
            format!("{p} [售后明细] E9 (`服务态度`): `九` is not a number"),
            format!("{p} [售后明细] O9 (`退款完结时长(小时)`): `-` is not a number"),
            "3 data error(s); no results were written".to_string(),
        ] {
            assert!(
                stderr.contains(&flat_str(&line)),
                "missing {line:?} in\n{stderr}"
            );
        }
    }

    #[test]
    fn init_from_an_xlsx_export() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "赤兔.xlsx", &workbook(&export_rows(), &[]));
        init_checks_and_evaluates(
            &path,
            &["input 退款纠纷率 \"退款纠纷率\"                 : percent  # 猜测依据：单元格带 %"],
        );
    }

    #[test]
    fn sheet_choice() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "a.xlsx", &workbook(&export_rows(), &[]));
        let (json, _) = eval_json(&path, &["--sheet", "售后明细"]);
        assert_eq!(json, expected());
        let policy = format!("{ROOT}/policies/tmall_after_sales.kpi");
        let out = kpi(&[
            "eval",
            &policy,
            "--data",
            path.to_str().expect("utf-8"),
            "--context",
            example("context.csv").to_str().expect("utf-8"),
            "--sheet",
            "明细",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = flat(&out.stderr);
        assert!(
            stderr.contains(&flat_str("no sheet named `明细` (sheets: 售后明细)")),
            "{stderr}"
        );
    }
}
