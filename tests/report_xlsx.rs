//! End-to-end tests of the results workbook (§4.2): `kpi eval … --output
//! results.xlsx` on every seed policy with an example under `examples/`,
//! read back with calamine and compared with what `kpi eval --format csv`
//! prints for the same input.
//!
//! - Results sheet: same shape as the CSV; every number cell, read as the
//!   shortest decimal that round-trips its `f64`, equals the CSV's value
//!   exactly (percents as fractions), with a number format that shows the
//!   CSV's digits (`¥#,##0.00` money, `0.0%` percents, more places when
//!   the text has them); bools and text cells equal the CSV text; empty
//!   CSV cells are blank.
//! - Summary sheet: per (period, team) in the results' order, and a final
//!   "All" line: headcount, grade counts, the average total (to 2 places,
//!   half away from zero) and the payroll sums, recomputed from the CSV
//!   with exact decimals.
//! - Provenance sheet: the policy's name and version, and the SHA-256 of
//!   the policy and data files, computed here.
//! - For S2 (presales_team) also exact headers, formats, frozen panes and
//!   the autofilter (from the sheet XML, when `unzip` is installed), the
//!   Chinese sheet names, and identical bytes from two runs.
#![cfg(feature = "spreadsheets")]

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_decimal::{Decimal, RoundingStrategy};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One seed policy with its example files (paths relative to the crate).
struct Case {
    name: String,
    policy: String,
    data: String,
    context: Option<String>,
}

impl Case {
    fn new(name: &str) -> Case {
        let context = format!("examples/{name}/context.csv");
        Case {
            name: name.to_string(),
            policy: format!("policies/{name}.kpi"),
            data: format!("examples/{name}/records.csv"),
            context: Path::new(ROOT).join(&context).exists().then_some(context),
        }
    }

    /// `eval POLICY --data DATA [--context CONTEXT]`.
    fn eval_args(&self) -> Vec<String> {
        let mut args = vec!["eval".into(), self.policy.clone(), "--data".into()];
        args.push(self.data.clone());
        if let Some(c) = &self.context {
            args.extend(["--context".into(), c.clone()]);
        }
        args
    }
}

/// Every example directory that has a seed policy of the same name.
fn cases() -> Vec<Case> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            Path::new(ROOT).join(format!("policies/{n}.kpi")).exists()
                && Path::new(ROOT)
                    .join(format!("examples/{n}/records.csv"))
                    .exists()
        })
        .collect();
    names.sort();
    assert!(names.len() >= 2, "seed examples not found: {names:?}");
    names.iter().map(|n| Case::new(n)).collect()
}

/// Runs `kpi` in the crate directory; panics unless it succeeds.
fn kpi(args: &[String]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(args)
        .current_dir(ROOT)
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kpi {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The CSV results: header and rows.
fn csv_results(case: &Case) -> (Vec<String>, Vec<Vec<String>>) {
    let mut args = case.eval_args();
    args.extend(["--format".into(), "csv".into()]);
    let stdout = kpi(&args);
    let text = String::from_utf8(stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Writes the workbook of `case` in `lang` and returns its path.
fn xlsx(case: &Case, lang: &str, dir: &Path) -> PathBuf {
    let out = dir.join(format!("{}-{lang}.xlsx", case.name));
    let mut args = case.eval_args();
    args.extend([
        "--output".into(),
        out.display().to_string(),
        "--lang".into(),
        lang.into(),
    ]);
    kpi(&args);
    out
}

/// A cell as read back.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Blank,
    Num(f64),
    Text(String),
    Bool(bool),
}

/// One worksheet: its cells and their number formats ("" for General).
struct Sheet {
    cells: Vec<Vec<Cell>>,
    formats: Vec<Vec<String>>,
}

impl Sheet {
    fn text(&self, r: usize, c: usize) -> &str {
        match &self.cells[r][c] {
            Cell::Text(s) => s,
            Cell::Blank => "",
            other => panic!("({r}, {c}) is not text: {other:?}"),
        }
    }

    fn num(&self, r: usize, c: usize) -> Decimal {
        match &self.cells[r][c] {
            Cell::Num(f) => exact(*f),
            other => panic!("({r}, {c}) is not a number: {other:?}"),
        }
    }

    fn column(&self, title: &str) -> usize {
        self.cells[0]
            .iter()
            .position(|c| *c == Cell::Text(title.into()))
            .unwrap_or_else(|| panic!("no column `{title}` in {:?}", self.cells[0]))
    }
}

fn read_sheet(wb: &mut Xlsx<BufReader<File>>, name: &str) -> Sheet {
    let range = wb.worksheet_range(name).unwrap();
    let styles = wb.worksheet_style(name).unwrap();
    let (h, w) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
    let cells = (0..h)
        .map(|r| {
            (0..w)
                .map(|c| match range.get_value((r, c)) {
                    None | Some(Data::Empty) => Cell::Blank,
                    Some(Data::Float(f)) => Cell::Num(*f),
                    Some(Data::Int(i)) => Cell::Num(*i as f64),
                    Some(Data::String(s)) => Cell::Text(s.clone()),
                    Some(Data::Bool(b)) => Cell::Bool(*b),
                    Some(other) => panic!("{name} ({r}, {c}): unexpected {other:?}"),
                })
                .collect()
        })
        .collect();
    let formats = (0..h)
        .map(|r| {
            (0..w)
                .map(|c| {
                    styles
                        .get((r, c))
                        .and_then(|s| s.number_format.as_ref())
                        .map(|f| f.format_code.clone())
                        .filter(|f| f != "General")
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    Sheet { cells, formats }
}

/// The exact decimal a read-back `f64` stands for: its shortest
/// round-trip text.
fn exact(f: f64) -> Decimal {
    Decimal::from_str(&format!("{f}")).unwrap()
}

/// The value of a CSV quantity (`45.3%` → 0.453), if it is one.
fn csv_number(text: &str) -> Option<Decimal> {
    match text.strip_suffix('%') {
        Some(p) => Decimal::from_str_exact(p)
            .ok()
            .map(|d| d / Decimal::ONE_HUNDRED),
        None => Decimal::from_str_exact(text).ok(),
    }
}

/// Digits after the point of a number text or format code.
fn places(s: &str) -> usize {
    s.trim_end_matches('%')
        .split_once('.')
        .map_or(0, |(_, f)| f.len())
}

/// A number format shows `text` without losing a digit: a percent format
/// for a percent, at least as many places as the text (1 for percents, 2
/// for money), no more than needed.
fn assert_shows(code: &str, text: &str, at: &str) {
    assert_eq!(
        code.ends_with('%'),
        text.ends_with('%'),
        "{at}: {code} for {text}"
    );
    let min = if code.starts_with('¥') {
        assert!(code.starts_with("¥#,##0"), "{at}: {code}");
        2
    } else if code.ends_with('%') {
        1
    } else {
        0
    };
    assert_eq!(
        places(code),
        places(text).max(min),
        "{at}: {code} for {text}"
    );
    let digits = code.trim_start_matches("¥#,##0").trim_start_matches('0');
    let digits = digits.trim_end_matches('%').trim_start_matches('.');
    assert!(digits.chars().all(|c| c == '0'), "{at}: {code}");
}

/// The results sheet holds exactly the CSV's values, typed and formatted.
fn check_results(case: &Case, results: &Sheet, header: &[String], rows: &[Vec<String>]) {
    let name = &case.name;
    assert_eq!(results.cells.len(), rows.len() + 1, "{name}: rows");
    assert_eq!(results.cells[0].len(), header.len(), "{name}: columns");
    assert_eq!(
        results.cells[0][..3],
        [
            Cell::Text("Employee".into()),
            Cell::Text("Period".into()),
            Cell::Text("Team".into())
        ]
    );
    for (i, row) in rows.iter().enumerate() {
        let r = i + 1;
        for (c, text) in row.iter().enumerate() {
            let at = format!("{name} row {r} `{}`", header[c]);
            let format = &results.formats[r][c];
            match &results.cells[r][c] {
                Cell::Blank => assert_eq!(text, "", "{at}"),
                Cell::Text(s) => {
                    assert_eq!(s, text, "{at}");
                    assert_eq!(format, "", "{at}");
                }
                Cell::Bool(b) => assert_eq!(b.to_string(), *text, "{at}"),
                Cell::Num(f) => {
                    let want = csv_number(text).unwrap_or_else(|| panic!("{at}: {text}"));
                    assert_eq!(exact(*f), want, "{at}: {f} for {text}");
                    assert_shows(format, text, &at);
                }
            }
        }
        // period as text, never a date
        assert_eq!(
            results.cells[r][1],
            Cell::Text(row[1].clone()),
            "{name} row {r}"
        );
    }
}

/// The expected figures of one summary line, from the CSV.
#[derive(Default)]
struct Tally {
    headcount: usize,
    /// CSV column → values.
    values: BTreeMap<usize, Vec<String>>,
}

/// Checks one summary line against the rows it covers. A summary column
/// names a results column by its title; the CSV has the same column at the
/// same position.
fn check_summary_line(summary: &Sheet, results: &Sheet, r: usize, tally: &Tally, at: &str) {
    assert_eq!(
        summary.num(r, 2),
        Decimal::from(tally.headcount),
        "{at}: headcount"
    );
    let header: Vec<&str> = (0..summary.cells[0].len())
        .map(|c| summary.text(0, c))
        .collect();
    for (c, h) in header.iter().enumerate().skip(3) {
        let at = format!("{at} `{h}`");
        if let Some(title) = h.strip_prefix("Total ") {
            let sum: Decimal = tally.values[&results.column(title)]
                .iter()
                .map(|t| csv_number(t).unwrap())
                .sum();
            assert_eq!(summary.num(r, c), sum, "{at}");
            assert_eq!(summary.formats[r][c], "¥#,##0.00", "{at}");
        } else if let Some(title) = h.strip_prefix("Average ") {
            let values: Vec<Decimal> = tally.values[&results.column(title)]
                .iter()
                .filter_map(|t| csv_number(t))
                .collect();
            let avg = values.iter().sum::<Decimal>() / Decimal::from(values.len());
            let avg = avg.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            assert_eq!(summary.num(r, c), avg, "{at}");
            assert_eq!(summary.formats[r][c], "0.00", "{at}");
        } else {
            // `GRADE LEVEL`: people of that level
            let (title, level) = h.rsplit_once(' ').unwrap();
            let title = if title == "Grade" { "grade" } else { title };
            let col = results.column(title);
            let n = tally.values[&col].iter().filter(|t| *t == level).count();
            assert_eq!(summary.num(r, c), Decimal::from(n), "{at}");
        }
    }
}

/// The summary sheet: one line per (period, team) in the rows' order, then
/// everybody.
fn check_summary(case: &Case, summary: &Sheet, results: &Sheet, rows: &[Vec<String>]) {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for row in rows {
        let key = (row[1].clone(), row[2].clone());
        if !tallies.contains_key(&key) {
            order.push(key.clone());
        }
        for tally in [tallies.entry(key).or_default(), &mut all] {
            tally.headcount += 1;
            for (c, v) in row.iter().enumerate() {
                tally.values.entry(c).or_default().push(v.clone());
            }
        }
    }
    assert_eq!(
        summary.cells.len(),
        order.len() + 2,
        "{}: summary lines",
        case.name
    );
    for (i, key) in order.iter().enumerate() {
        let at = format!("{} summary {key:?}", case.name);
        assert_eq!(
            (summary.text(i + 1, 0), summary.text(i + 1, 1)),
            (&*key.0, &*key.1),
            "{at}"
        );
        check_summary_line(summary, results, i + 1, &tallies[key], &at);
    }
    let last = order.len() + 1;
    assert_eq!(summary.text(last, 0), "All");
    check_summary_line(
        summary,
        results,
        last,
        &all,
        &format!("{} summary All", case.name),
    );
}

fn sha256(path: &str) -> String {
    let bytes = std::fs::read(Path::new(ROOT).join(path)).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The policy's name and version, and a row per input file with its hash.
fn check_provenance(case: &Case, provenance: &Sheet) {
    let src = std::fs::read_to_string(Path::new(ROOT).join(&case.policy)).unwrap();
    let quoted = |key: &str| {
        src.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|rest| rest.trim().split('"').nth(1))
            .map(String::from)
    };
    assert_eq!(provenance.text(0, 0), "Policy");
    assert_eq!(Some(provenance.text(0, 1).to_string()), quoted("policy "));
    assert_eq!(provenance.text(1, 0), "Version");
    assert_eq!(
        provenance.text(1, 1),
        quoted("version ").unwrap_or_default()
    );
    let mut files = vec![("policy", &case.policy), ("data", &case.data)];
    if let Some(c) = &case.context {
        files.push(("context", c));
    }
    for (role, path) in files {
        let hash = sha256(path);
        let file = Path::new(path).file_name().unwrap().to_str().unwrap();
        let found = (0..provenance.cells.len()).any(|r| {
            provenance.cells[r].len() >= 3
                && provenance.text(r, 0) == role
                && provenance.text(r, 1).ends_with(file)
                && provenance.text(r, 2) == hash
        });
        assert!(
            found,
            "{}: no {role} row for {path} with sha256 {hash}",
            case.name
        );
    }
}

#[test]
fn every_seed_workbook_matches_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases() {
        let (header, rows) = csv_results(&case);
        let path = xlsx(&case, "en", dir.path());
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(
            wb.sheet_names(),
            ["Results", "Summary", "Provenance"],
            "{}",
            case.name
        );
        let results = read_sheet(&mut wb, "Results");
        check_results(&case, &results, &header, &rows);
        let summary = read_sheet(&mut wb, "Summary");
        check_summary(&case, &summary, &results, &rows);
        check_provenance(&case, &read_sheet(&mut wb, "Provenance"));
    }
}

#[test]
fn presales_headers_formats_and_summary() {
    let case = Case::new("presales_team");
    let dir = tempfile::tempdir().unwrap();
    let mut wb: Xlsx<_> = open_workbook(xlsx(&case, "en", dir.path())).unwrap();
    let results = read_sheet(&mut wb, "Results");
    let header: Vec<&str> = (0..results.cells[0].len())
        .map(|c| results.text(0, c))
        .collect();
    assert_eq!(
        header,
        [
            "Employee",
            "Period",
            "Team",
            "订单转化率",
            "订单转化率得分",
            "响应时间得分",
            "平时表现得分",
            "销售目标完成率",
            "销售完成得分",
            "绩效考核分值",
            "grade",
            "绩效工资系数",
            "绩效工资",
            "人员比例等级",
            "绩效工资考核系数"
        ]
    );
    let pay = results.column("绩效工资");
    let ratio = results.column("绩效工资系数");
    let conversion = results.column("订单转化率");
    let total = results.column("绩效考核分值");
    for r in 1..results.cells.len() {
        assert_eq!(results.formats[r][pay], "¥#,##0.00", "row {r}");
        assert_eq!(results.formats[r][ratio], "0.0%", "row {r}");
    }
    // A04 2026-09: ¥1234.57 × 50% = 617.285 → 617.29 (half away from zero)
    assert_eq!(results.text(4, 0), "A04");
    assert_eq!(results.num(4, pay), Decimal::new(61729, 2));
    // A06 2026-09: 20/30 = 66.6666666667%, shown to 10 places
    assert_eq!(results.text(6, 0), "A06");
    assert_eq!(results.num(6, conversion), Decimal::new(666666666667, 12));
    assert_eq!(results.formats[6][conversion], "0.0000000000%");
    // A05 2026-09: a total of 90.5 keeps its place
    assert_eq!(results.num(5, total), Decimal::new(905, 1));
    assert_eq!(results.formats[5][total], "0.0");
    assert_eq!(results.formats[1][total], "0");

    let summary = read_sheet(&mut wb, "Summary");
    let lines: Vec<Vec<String>> = summary
        .cells
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Cell::Num(f) => exact(*f).to_string(),
                    Cell::Text(s) => s.clone(),
                    Cell::Blank => String::new(),
                    Cell::Bool(b) => b.to_string(),
                })
                .collect()
        })
        .collect();
    let want = [
        "Period,Team,Headcount,Grade A,Grade B,Grade C,Grade D,Grade E,Average 绩效考核分值,Total 绩效工资",
        "2026-09,A,8,3,2,1,1,1,80.75,11217.29",
        "2026-10,A,8,3,0,1,0,4,73.44,7400",
        "2026-09,B,3,1,1,0,0,1,74.33,3600",
        "2026-10,B,5,1,2,0,0,2,72.7,5200",
        "All,,24,8,5,2,1,8,75.83,27417.29",
    ];
    assert_eq!(lines.iter().map(|l| l.join(",")).collect::<Vec<_>>(), want);
}

#[test]
fn presales_in_chinese() {
    let case = Case::new("presales_team");
    let dir = tempfile::tempdir().unwrap();
    let mut wb: Xlsx<_> = open_workbook(xlsx(&case, "zh", dir.path())).unwrap();
    assert_eq!(wb.sheet_names(), ["结果", "汇总", "来源"]);
    let results = read_sheet(&mut wb, "结果");
    assert_eq!(
        results.cells[0][..4],
        ["员工", "月份", "团队", "订单转化率"].map(|s| Cell::Text(s.into()))
    );
    let summary = read_sheet(&mut wb, "汇总");
    assert_eq!(summary.text(0, 2), "人数");
    assert_eq!(summary.text(0, 3), "等级 A");
    assert_eq!(summary.text(0, 8), "平均绩效考核分值");
    assert_eq!(summary.text(0, 9), "绩效工资合计");
    assert_eq!(summary.text(summary.cells.len() - 1, 0), "全部");
    let provenance = read_sheet(&mut wb, "来源");
    assert_eq!(provenance.text(0, 0), "考核方案");
    assert_eq!(provenance.text(0, 1), "售前客服团队绩效考核");
    let hash = sha256(&case.policy);
    assert!((0..provenance.cells.len()).any(|r| provenance.text(r, 2) == hash));
}

#[test]
fn same_input_same_bytes() {
    let case = Case::new("presales_team");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = std::fs::read(xlsx(&case, "en", a.path())).unwrap();
    let second = std::fs::read(xlsx(&case, "en", b.path())).unwrap();
    assert!(first == second, "two runs wrote different workbooks");
}

/// A part of the xlsx package, via `unzip` (calamine does not read panes).
fn package_part(xlsx: &Path, part: &str) -> Option<String> {
    let out = Command::new("unzip")
        .arg("-p")
        .arg(xlsx)
        .arg(part)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn frozen_header_and_autofilter() {
    let case = Case::new("presales_team");
    let dir = tempfile::tempdir().unwrap();
    let path = xlsx(&case, "en", dir.path());
    let Some(results) = package_part(&path, "xl/worksheets/sheet1.xml") else {
        eprintln!("skipped: `unzip` is not installed");
        return;
    };
    // header row and employee column frozen; a filter over the whole table
    assert!(
        results.contains(r#"<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>"#),
        "{results}"
    );
    assert!(
        results.contains(r#"<autoFilter ref="A1:O25"/>"#),
        "{results}"
    );
    let summary = package_part(&path, "xl/worksheets/sheet2.xml").unwrap();
    assert!(summary
        .contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#));
}
