//! The results workbook (`kpi eval … --output results.xlsx`, §4.2): a
//! results sheet with typed, formatted cells, a summary per team and
//! period, and a provenance sheet naming the policy and the SHA-256 of
//! every file that went in.
//!
//! Values stay exact decimals up to this edge: each is converted to the
//! nearest `f64` once, from its decimal text, when the cell is written, and
//! its number format shows as many decimal places as the text of
//! `kpi eval --format csv`, so what Excel displays is that text. The output
//! is deterministic: the document's creation time is fixed (the zip
//! entries' times are fixed by the writer), so the same report gives the
//! same bytes.

use super::results::{ColumnKind, ResultCell, ResultsReport, TeamSummary};
use crate::diag::Lang;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;

/// The bytes of the results workbook of `report`, with sheet names and
/// headings in `lang`. The error is the xlsx writer's message (too many
/// rows or columns for a worksheet, for instance).
pub fn render(report: &ResultsReport, lang: Lang) -> Result<Vec<u8>, String> {
    workbook(report, lang)
        .and_then(|mut wb| wb.save_to_buffer())
        .map_err(|e| e.to_string())
}

/// The workbook, not yet saved.
fn workbook(report: &ResultsReport, lang: Lang) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties(report)?);
    let mut formats = Formats::new();
    results_sheet(wb.add_worksheet(), report, lang, &mut formats)?;
    summary_sheet(wb.add_worksheet(), report, lang, &mut formats)?;
    provenance_sheet(wb.add_worksheet(), report, lang, &formats)?;
    Ok(wb)
}

/// The document properties: the policy as title, the tool as comment, and
/// a fixed creation time (the default is "now", which would make every
/// run's bytes differ).
fn properties(report: &ResultsReport) -> Result<DocProperties, XlsxError> {
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    Ok(DocProperties::new()
        .set_title(report.policy.as_str())
        .set_comment(report.generated_by.as_str())
        .set_creation_datetime(&created))
}

/// Sheet 1: one row per person, one column per output.
fn results_sheet(
    ws: &mut Worksheet,
    report: &ResultsReport,
    lang: Lang,
    formats: &mut Formats,
) -> Result<(), XlsxError> {
    ws.set_name(lang.pick("Results", "结果"))?;
    let mut sheet = Sheet::new(ws);
    let mut headers = vec![
        lang.pick("Employee", "员工"),
        lang.pick("Period", "月份"),
        lang.pick("Team", "团队"),
    ];
    headers.extend(report.columns.iter().map(|c| c.title()));
    sheet.header(0, &headers, formats)?;
    for (i, row) in report.rows.iter().enumerate() {
        let r = i + 1;
        sheet.text(r, 0, &row.employee, None)?;
        sheet.text(r, 1, &row.period, None)?;
        if let Some(team) = &row.team {
            sheet.text(r, 2, team, None)?;
        }
        for (j, (cell, column)) in row.cells.iter().zip(&report.columns).enumerate() {
            sheet.result(r, 3 + j, cell, &column.kind, formats)?;
        }
    }
    let (last_row, last_col) = at(report.rows.len(), headers.len() - 1)?;
    sheet.ws.set_freeze_panes(1, 1)?;
    sheet.ws.autofilter(0, 0, last_row, last_col)?;
    sheet.fit()
}

/// Sheet 2: one row per (period, team), then the totals over all of them.
fn summary_sheet(
    ws: &mut Worksheet,
    report: &ResultsReport,
    lang: Lang,
    formats: &mut Formats,
) -> Result<(), XlsxError> {
    ws.set_name(lang.pick("Summary", "汇总"))?;
    let mut sheet = Sheet::new(ws);
    sheet.header(0, &summary_headers(report, lang), formats)?;
    for (i, team) in report.teams.iter().enumerate() {
        let label = SummaryLabel {
            period: &team.period,
            team: team.team.as_deref(),
        };
        let line = SummaryLine::of(team, report);
        sheet.summary(i + 1, label, &line, formats, false)?;
    }
    let all = SummaryLabel {
        period: lang.pick("All", "全部"),
        team: None,
    };
    let totals = SummaryLine::all(report);
    sheet.summary(report.teams.len() + 1, all, &totals, formats, true)?;
    sheet.ws.set_freeze_panes(1, 0)?;
    sheet.fit()
}

/// The summary sheet's header: period, team, headcount, one column per
/// grade level, the average total, one column per payout.
fn summary_headers(report: &ResultsReport, lang: Lang) -> Vec<String> {
    let mut headers: Vec<String> = vec![
        lang.pick("Period", "月份").into(),
        lang.pick("Team", "团队").into(),
        lang.pick("Headcount", "人数").into(),
    ];
    if let Some(g) = report.grade.and_then(|g| report.columns.get(g)) {
        // `grade by` makes a column named `grade`: say it in `lang`.
        let title = match &g.label {
            Some(label) => label.as_str(),
            None if g.role == "grade" => lang.pick("Grade", "等级"),
            None => g.name.as_str(),
        };
        let levels = report.grade_levels();
        headers.extend(levels.iter().map(|l| format!("{title} {l}")));
    }
    if let Some(t) = report.total.and_then(|t| report.columns.get(t)) {
        headers.push(match lang {
            Lang::En => format!("Average {}", t.title()),
            Lang::Zh => format!("平均{}", t.title()),
        });
    }
    for c in report.payouts.iter().filter_map(|&p| report.columns.get(p)) {
        headers.push(match lang {
            Lang::En => format!("Total {}", c.title()),
            Lang::Zh => format!("{}合计", c.title()),
        });
    }
    headers
}

/// Which rows a summary line covers.
#[derive(Clone, Copy)]
struct SummaryLabel<'a> {
    period: &'a str,
    team: Option<&'a str>,
}

/// The figures of one summary line.
struct SummaryLine {
    headcount: usize,
    /// People per grade level, best first.
    grades: Vec<usize>,
    /// Whether the policy has a total (and the sheet its average column).
    has_total: bool,
    average_total: Option<Decimal>,
    /// One sum per payout; `None` where it does not fit a decimal.
    payroll: Vec<Option<Decimal>>,
}

impl SummaryLine {
    /// One team in one period.
    fn of(team: &TeamSummary, report: &ResultsReport) -> SummaryLine {
        SummaryLine {
            headcount: team.headcount,
            grades: team.grades.iter().map(|(_, n)| *n).collect(),
            has_total: report.total.is_some(),
            average_total: team.average_total,
            payroll: team.payroll.clone(),
        }
    }

    /// Everybody: the teams' counts and payroll added up, the average of
    /// every total computed again from the rows (exactly, then rounded to
    /// 2 places half away from zero like the teams' averages).
    fn all(report: &ResultsReport) -> SummaryLine {
        let mut grades = vec![0; report.grade_levels().len()];
        let mut payroll = vec![Some(Decimal::ZERO); report.payouts.len()];
        for team in &report.teams {
            for (sum, (_, n)) in grades.iter_mut().zip(&team.grades) {
                *sum += n;
            }
            for (sum, p) in payroll.iter_mut().zip(&team.payroll) {
                *sum = sum.zip(*p).and_then(|(a, b)| a.checked_add(b));
            }
        }
        SummaryLine {
            headcount: report.teams.iter().map(|t| t.headcount).sum(),
            grades,
            has_total: report.total.is_some(),
            average_total: overall_average(report),
            payroll,
        }
    }
}

/// The average of the total column over every row, to 2 places (half away
/// from zero); `None` without a total or without any numeric total.
fn overall_average(report: &ResultsReport) -> Option<Decimal> {
    let t = report.total?;
    let values: Vec<Decimal> = report
        .rows
        .iter()
        .filter_map(|r| match r.cells.get(t) {
            Some(ResultCell::Number { value, .. }) => Some(*value),
            _ => None,
        })
        .collect();
    let sum = values
        .iter()
        .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))?;
    let avg = sum.checked_div(Decimal::from(values.len()))?;
    Some(avg.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// Sheet 3: where the results came from, and the checker's warnings.
fn provenance_sheet(
    ws: &mut Worksheet,
    report: &ResultsReport,
    lang: Lang,
    formats: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(lang.pick("Provenance", "来源"))?;
    let mut sheet = Sheet::new(ws);
    let facts = [
        (lang.pick("Policy", "考核方案"), report.policy.as_str()),
        (
            lang.pick("Version", "版本"),
            report.version.as_deref().unwrap_or(""),
        ),
        (lang.pick("Generated by", "生成工具"), &report.generated_by),
    ];
    for (r, (label, value)) in facts.into_iter().enumerate() {
        sheet.text(r, 0, label, Some(&formats.bold))?;
        sheet.text(r, 1, value, None)?;
    }
    let mut r = facts.len() + 1;
    let headers = [
        lang.pick("Role", "类型"),
        lang.pick("File", "文件"),
        "SHA-256",
    ];
    sheet.header(r, &headers, formats)?;
    for p in &report.provenance {
        r += 1;
        sheet.text(r, 0, role_name(&p.role, lang), None)?;
        sheet.text(r, 1, &p.path, None)?;
        sheet.text(r, 2, &p.sha256, None)?;
    }
    r += 2;
    sheet.text(r, 0, lang.pick("Warnings", "检查警告"), Some(&formats.bold))?;
    if report.warnings.is_empty() {
        sheet.note(r + 1, lang.pick("(none)", "（无）"))?;
    }
    for (i, w) in report.warnings.iter().enumerate() {
        sheet.note(r + 1 + i, w)?;
    }
    sheet.fit()
}

/// A provenance role (`policy`, `data`, `context`) in `lang`.
fn role_name(role: &str, lang: Lang) -> &str {
    match role {
        "policy" => lang.pick("policy", "考核方案"),
        "data" => lang.pick("data", "数据"),
        "context" => lang.pick("context", "上下文"),
        other => other,
    }
}

/// The formats of one workbook, each made once.
struct Formats {
    header: Format,
    bold: Format,
    /// Number formats by format code, plain and bold.
    numbers: HashMap<String, Format>,
    bold_numbers: HashMap<String, Format>,
}

impl Formats {
    fn new() -> Formats {
        let bold = Format::new().set_bold();
        let header = bold
            .clone()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border_bottom(FormatBorder::Thin);
        Formats {
            header,
            bold,
            numbers: HashMap::new(),
            bold_numbers: HashMap::new(),
        }
    }

    /// The format showing numbers with `code`, bold or not.
    fn number(&mut self, code: &str, bold: bool) -> &Format {
        let map = if bold {
            &mut self.bold_numbers
        } else {
            &mut self.numbers
        };
        if !map.contains_key(code) {
            let format = Format::new().set_num_format(code);
            map.insert(
                code.to_string(),
                if bold { format.set_bold() } else { format },
            );
        }
        &map[code]
    }
}

/// The number format that shows a value of a column of `kind` as its text
/// `text` (`kpi eval --format csv`), no digit lost: money `¥#,##0.00`,
/// percents `0.0%`, anything else `0`, each with more places if the text
/// has them.
fn number_format(kind: &ColumnKind, text: &str) -> String {
    let places = decimal_places(text);
    match kind {
        ColumnKind::Money => format!("¥#,##0{}", fraction(places.max(2))),
        ColumnKind::Percent => format!("0{}%", fraction(places.max(1))),
        _ => format!("0{}", fraction(places)),
    }
}

/// How many digits a number's text has after the point: `45.37%` → 2.
fn decimal_places(text: &str) -> usize {
    text.trim_end_matches('%')
        .split_once('.')
        .map_or(0, |(_, f)| f.len())
}

/// The fraction part of a number format: `.00` for 2 places, nothing for 0.
fn fraction(places: usize) -> String {
    if places == 0 {
        String::new()
    } else {
        format!(".{}", "0".repeat(places))
    }
}

/// The `f64` nearest to an exact decimal, read from its decimal text.
fn to_f64(value: &Decimal) -> Option<f64> {
    value.to_string().parse().ok()
}

/// How wide a text looks: CJK and full-width characters count double.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Hangul, CJK, full-width forms: two columns wide.
fn is_wide(c: char) -> bool {
    matches!(
        c as u32,
        0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD
    )
}

/// How wide a number looks once formatted with `code` (roughly: the
/// currency sign and thousands separators of money, the padded places of
/// percents).
fn shown_width(code: &str, text: &str) -> usize {
    let int_digits = text
        .trim_start_matches('-')
        .split(['.', '%'])
        .next()
        .map_or(0, str::len);
    let mut w = display_width(text);
    if code.starts_with('¥') {
        w += 1 + int_digits.saturating_sub(1) / 3;
    }
    if code.ends_with('%') && !text.contains('.') {
        w += 2;
    }
    w
}

/// A row and column index as the writer's types.
fn at(row: usize, col: usize) -> Result<(u32, u16), XlsxError> {
    let row = u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)?;
    let col = u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)?;
    Ok((row, col))
}

/// Column widths, in characters, are kept within these bounds (a SHA-256
/// in hex fits).
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 66;

/// A worksheet being written, with the width each column needs.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet) -> Sheet<'a> {
        Sheet {
            ws,
            widths: Vec::new(),
        }
    }

    /// Notes that column `col` shows something `width` characters wide.
    fn widen(&mut self, col: usize, width: usize) {
        if self.widths.len() <= col {
            self.widths.resize(col.saturating_add(1), 0);
        }
        if let Some(w) = self.widths.get_mut(col) {
            *w = (*w).max(width);
        }
    }

    /// A header row: bold, filled, room for the filter button.
    fn header<S: AsRef<str>>(
        &mut self,
        row: usize,
        titles: &[S],
        formats: &Formats,
    ) -> Result<(), XlsxError> {
        for (col, title) in titles.iter().enumerate() {
            let title = title.as_ref();
            self.text(row, col, title, Some(&formats.header))?;
            self.widen(col, display_width(title) + 3);
        }
        Ok(())
    }

    /// A text cell.
    fn text(
        &mut self,
        row: usize,
        col: usize,
        text: &str,
        format: Option<&Format>,
    ) -> Result<(), XlsxError> {
        let (r, c) = at(row, col)?;
        match format {
            Some(f) => self.ws.write_string_with_format(r, c, text, f)?,
            None => self.ws.write_string(r, c, text)?,
        };
        self.widen(col, display_width(text));
        Ok(())
    }

    /// A long text that may run over the empty cells to its right: it does
    /// not widen its column.
    fn note(&mut self, row: usize, text: &str) -> Result<(), XlsxError> {
        let (r, c) = at(row, 0)?;
        self.ws.write_string(r, c, text)?;
        Ok(())
    }

    /// A number cell showing `value` (whose exact text is `text`) with the
    /// number format `code`.
    fn number(
        &mut self,
        row: usize,
        col: usize,
        value: &Decimal,
        text: &str,
        format: &Format,
        code: &str,
    ) -> Result<(), XlsxError> {
        let Some(f) = to_f64(value) else {
            return self.text(row, col, text, None);
        };
        let (r, c) = at(row, col)?;
        self.ws.write_number_with_format(r, c, f, format)?;
        self.widen(col, shown_width(code, text));
        Ok(())
    }

    /// One value of the results sheet, typed by its cell and its column.
    fn result(
        &mut self,
        row: usize,
        col: usize,
        cell: &ResultCell,
        kind: &ColumnKind,
        formats: &mut Formats,
    ) -> Result<(), XlsxError> {
        match cell {
            ResultCell::Empty => Ok(()),
            ResultCell::Text(t) => self.text(row, col, t, None),
            ResultCell::Bool(b) => {
                let (r, c) = at(row, col)?;
                self.ws.write_boolean(r, c, *b)?;
                self.widen(col, 5);
                Ok(())
            }
            ResultCell::Number { text, value } => {
                let code = number_format(kind, text);
                let format = formats.number(&code, false);
                self.number(row, col, value, text, format, &code)
            }
        }
    }

    /// A count, a decimal or a money sum of the summary sheet.
    fn figure(
        &mut self,
        row: usize,
        col: usize,
        value: Decimal,
        code: &str,
        bold: bool,
        formats: &mut Formats,
    ) -> Result<(), XlsxError> {
        let format = formats.number(code, bold);
        self.number(row, col, &value, &value.to_string(), format, code)
    }

    /// One line of the summary sheet (bold for the totals).
    fn summary(
        &mut self,
        row: usize,
        label: SummaryLabel,
        line: &SummaryLine,
        formats: &mut Formats,
        bold: bool,
    ) -> Result<(), XlsxError> {
        let text_format = bold.then(|| formats.bold.clone());
        self.text(row, 0, label.period, text_format.as_ref())?;
        if let Some(team) = label.team {
            self.text(row, 1, team, text_format.as_ref())?;
        }
        let mut col = 2;
        let counts = std::iter::once(line.headcount).chain(line.grades.iter().copied());
        for n in counts {
            self.figure(row, col, Decimal::from(n), "0", bold, formats)?;
            col += 1;
        }
        if line.has_total {
            if let Some(avg) = line.average_total {
                self.figure(row, col, avg, "0.00", bold, formats)?;
            }
            col += 1;
        }
        for sum in &line.payroll {
            if let Some(sum) = sum {
                let code = number_format(&ColumnKind::Money, &sum.to_string());
                self.figure(row, col, *sum, &code, bold, formats)?;
            }
            col += 1;
        }
        Ok(())
    }

    /// Sets every column's width to what its cells need.
    fn fit(self) -> Result<(), XlsxError> {
        for (col, w) in self.widths.iter().enumerate() {
            let (_, c) = at(0, col)?;
            let width = (w + 2).clamp(MIN_WIDTH, MAX_WIDTH);
            self.ws.set_column_width(c, width as f64)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::results::{Column, Provenance, ResultRow};
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// A number cell as `build` makes it: `45.37%` is 0.4537.
    fn num(text: &str) -> ResultCell {
        let value = match text.strip_suffix('%') {
            Some(p) => dec(p) / Decimal::ONE_HUNDRED,
            None => dec(text),
        };
        ResultCell::Number {
            text: text.into(),
            value,
        }
    }

    fn column(name: &str, label: Option<&str>, kind: ColumnKind, role: &str) -> Column {
        Column {
            name: name.into(),
            label: label.map(str::to_string),
            kind,
            role: role.into(),
        }
    }

    fn row(employee: &str, team: Option<&str>, cells: Vec<ResultCell>) -> ResultRow {
        ResultRow {
            employee: employee.into(),
            period: "2026-10".into(),
            team: team.map(str::to_string),
            cells,
        }
    }

    fn team(team: Option<&str>, n: usize, grades: [usize; 3], avg: &str, pay: &str) -> TeamSummary {
        TeamSummary {
            period: "2026-10".into(),
            team: team.map(str::to_string),
            headcount: n,
            grades: ["A", "B", "C"]
                .iter()
                .map(|l| l.to_string())
                .zip(grades)
                .collect(),
            average_total: Some(dec(avg)),
            payroll: vec![Some(dec(pay))],
        }
    }

    /// Every kind of column and cell; the totals 90.5, 61.01 and 75.725
    /// average 75.745 overall, a midpoint (75.75 half away from zero).
    fn report() -> ResultsReport {
        let levels = vec!["A".to_string(), "B".into(), "C".into()];
        ResultsReport {
            policy: "单元测试方案".into(),
            version: Some("2026.1".into()),
            provenance: vec![
                Provenance {
                    role: "policy".into(),
                    path: "policies/t.kpi".into(),
                    sha256: "ab".repeat(32),
                },
                Provenance {
                    role: "data".into(),
                    path: "data.csv".into(),
                    sha256: "cd".repeat(32),
                },
            ],
            generated_by: "kpi 0.1.0".into(),
            columns: vec![
                column("pay", Some("绩效工资"), ColumnKind::Money, "output"),
                column("ratio", Some("系数"), ColumnKind::Percent, "output"),
                column("total", Some("总分"), ColumnKind::Points, "total"),
                column("grade", None, ColumnKind::Grade(levels), "grade"),
                column("star", None, ColumnKind::Bool, "output"),
                column("note", Some("备注"), ColumnKind::Text, "output"),
                column("share", None, ColumnKind::Number, "output"),
            ],
            rows: vec![
                row(
                    "E1",
                    Some("A"),
                    vec![
                        num("1234.50"),
                        num("45.37%"),
                        num("90.5"),
                        ResultCell::Text("A".into()),
                        ResultCell::Bool(true),
                        ResultCell::Text("好".into()),
                        num("0.3333333333"),
                    ],
                ),
                row(
                    "E2",
                    Some("A"),
                    vec![
                        num("-20.00"),
                        num("100%"),
                        num("61.01"),
                        ResultCell::Text("C".into()),
                        ResultCell::Bool(false),
                        ResultCell::Empty,
                        num("2"),
                    ],
                ),
                row(
                    "E3",
                    None,
                    vec![
                        num("1000000.00"),
                        num("66.6666666667%"),
                        num("75.725"),
                        ResultCell::Text("B".into()),
                        ResultCell::Bool(false),
                        ResultCell::Text("x".into()),
                        ResultCell::Empty,
                    ],
                ),
            ],
            total: Some(2),
            grade: Some(3),
            payouts: vec![0],
            teams: vec![
                team(Some("A"), 2, [1, 0, 1], "75.76", "1214.50"),
                team(None, 1, [0, 1, 0], "75.73", "1000000.00"),
            ],
            warnings: vec!["W101: 分档表有空隙".into(), "W102: unused input".into()],
            explanations: Vec::new(),
        }
    }

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes)).unwrap()
    }

    /// A sheet's cells, as text: numbers as their shortest round-trip
    /// decimal, blanks as "".
    fn grid(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<String>> {
        let range = wb.worksheet_range(sheet).unwrap();
        let (h, w) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
        (0..h)
            .map(|r| {
                (0..w)
                    .map(|c| match range.get_value((r, c)) {
                        None | Some(Data::Empty) => String::new(),
                        Some(Data::Float(f)) => format!("{f}"),
                        Some(Data::String(s)) => s.clone(),
                        Some(Data::Bool(b)) => format!("bool:{b}"),
                        Some(other) => panic!("unexpected cell {other:?}"),
                    })
                    .collect()
            })
            .collect()
    }

    /// The number format of every cell of a sheet ("" without one).
    fn formats(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, h: u32, w: u32) -> Vec<Vec<String>> {
        let styles = wb.worksheet_style(sheet).unwrap();
        (0..h)
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
            .collect()
    }

    #[test]
    fn number_formats_keep_every_digit() {
        let cases = [
            (ColumnKind::Money, "1234.50", "¥#,##0.00"),
            (ColumnKind::Money, "12", "¥#,##0.00"),
            (ColumnKind::Money, "0.125", "¥#,##0.000"),
            (ColumnKind::Percent, "45.3%", "0.0%"),
            (ColumnKind::Percent, "50%", "0.0%"),
            (ColumnKind::Percent, "45.37%", "0.00%"),
            (ColumnKind::Percent, "66.6666666667%", "0.0000000000%"),
            (ColumnKind::Points, "91", "0"),
            (ColumnKind::Points, "-90.5", "0.0"),
            (ColumnKind::Count, "3", "0"),
            (ColumnKind::Number, "0.3333333333", "0.0000000000"),
            (
                ColumnKind::Duration(crate::types::DurUnit::Seconds),
                "25.5",
                "0.0",
            ),
        ];
        for (kind, text, code) in cases {
            assert_eq!(number_format(&kind, text), code, "{kind:?} {text}");
        }
    }

    #[test]
    fn widths_count_cjk_twice() {
        assert_eq!(display_width("绩效A"), 5);
        assert_eq!(display_width("ＡＢ"), 4);
        assert_eq!(shown_width("¥#,##0.00", "1234567.50"), 10 + 1 + 2);
        assert_eq!(shown_width("0.0%", "50%"), 5);
        assert_eq!(shown_width("0.0%", "45.3%"), 5);
    }

    #[test]
    fn results_sheet_has_typed_formatted_cells() {
        let mut wb = open(render(&report(), Lang::En).unwrap());
        assert_eq!(wb.sheet_names(), ["Results", "Summary", "Provenance"]);
        let want: Vec<Vec<&str>> = vec![
            vec![
                "Employee",
                "Period",
                "Team",
                "绩效工资",
                "系数",
                "总分",
                "grade",
                "star",
                "备注",
                "share",
            ],
            vec![
                "E1",
                "2026-10",
                "A",
                "1234.5",
                "0.4537",
                "90.5",
                "A",
                "bool:true",
                "好",
                "0.3333333333",
            ],
            vec![
                "E2",
                "2026-10",
                "A",
                "-20",
                "1",
                "61.01",
                "C",
                "bool:false",
                "",
                "2",
            ],
            vec![
                "E3",
                "2026-10",
                "",
                "1000000",
                "0.666666666667",
                "75.725",
                "B",
                "bool:false",
                "x",
                "",
            ],
        ];
        assert_eq!(grid(&mut wb, "Results"), want);
        let f = |s: &str| s.to_string();
        let none = String::new;
        let want_formats = vec![
            vec![none(); 10],
            vec![
                none(),
                none(),
                none(),
                f("¥#,##0.00"),
                f("0.00%"),
                f("0.0"),
                none(),
                none(),
                none(),
                f("0.0000000000"),
            ],
            vec![
                none(),
                none(),
                none(),
                f("¥#,##0.00"),
                f("0.0%"),
                f("0.00"),
                none(),
                none(),
                none(),
                f("0"),
            ],
            vec![
                none(),
                none(),
                none(),
                f("¥#,##0.00"),
                f("0.0000000000%"),
                f("0.000"),
                none(),
                none(),
                none(),
                none(),
            ],
        ];
        assert_eq!(formats(&mut wb, "Results", 4, 10), want_formats);
    }

    #[test]
    fn numbers_read_back_exactly() {
        let report = report();
        let mut wb = open(render(&report, Lang::En).unwrap());
        let range = wb.worksheet_range("Results").unwrap();
        for (r, row) in report.rows.iter().enumerate() {
            for (c, cell) in row.cells.iter().enumerate() {
                if let ResultCell::Number { value, .. } = cell {
                    let Some(Data::Float(f)) = range.get_value((r as u32 + 1, c as u32 + 3)) else {
                        panic!("row {r} column {c}: not a number");
                    };
                    assert_eq!(dec(&format!("{f}")), *value, "row {r} column {c}");
                }
            }
        }
    }

    #[test]
    fn header_is_bold_filled_and_filtered() {
        let mut wb = open(render(&report(), Lang::En).unwrap());
        let styles = wb.worksheet_style("Results").unwrap();
        for c in 0..10 {
            let style = styles.get((0, c)).unwrap();
            assert!(style.font.as_ref().unwrap().is_bold(), "column {c}");
            assert!(style.fill.as_ref().unwrap().is_visible(), "column {c}");
        }
        assert!(styles
            .get((1, 0))
            .is_none_or(|s| s.font.as_ref().is_none_or(|f| !f.is_bold())));
    }

    #[test]
    fn summary_per_team_and_all() {
        let mut wb = open(render(&report(), Lang::En).unwrap());
        let want: Vec<Vec<&str>> = vec![
            vec![
                "Period",
                "Team",
                "Headcount",
                "Grade A",
                "Grade B",
                "Grade C",
                "Average 总分",
                "Total 绩效工资",
            ],
            vec!["2026-10", "A", "2", "1", "0", "1", "75.76", "1214.5"],
            vec!["2026-10", "", "1", "0", "1", "0", "75.73", "1000000"],
            vec!["All", "", "3", "1", "1", "1", "75.75", "1001214.5"],
        ];
        assert_eq!(grid(&mut wb, "Summary"), want);
        let formats = formats(&mut wb, "Summary", 4, 8);
        for (r, line) in formats.iter().enumerate().skip(1) {
            assert_eq!(
                line[2..],
                ["0", "0", "0", "0", "0.00", "¥#,##0.00"],
                "row {r}"
            );
        }
        let styles = wb.worksheet_style("Summary").unwrap();
        let bold = |r, c| {
            styles
                .get((r, c))
                .and_then(|s| s.font.as_ref())
                .is_some_and(|f| f.is_bold())
        };
        assert!(bold(3, 0) && bold(3, 7));
        assert!(!bold(2, 0) && !bold(2, 7));
    }

    #[test]
    fn summary_without_total_grade_or_payout() {
        let mut r = report();
        r.total = None;
        r.grade = None;
        r.payouts.clear();
        for t in &mut r.teams {
            t.grades.clear();
            t.average_total = None;
            t.payroll.clear();
        }
        let mut wb = open(render(&r, Lang::En).unwrap());
        let want: Vec<Vec<&str>> = vec![
            vec!["Period", "Team", "Headcount"],
            vec!["2026-10", "A", "2"],
            vec!["2026-10", "", "1"],
            vec!["All", "", "3"],
        ];
        assert_eq!(grid(&mut wb, "Summary"), want);
    }

    #[test]
    fn provenance_names_policy_files_and_warnings() {
        let mut wb = open(render(&report(), Lang::En).unwrap());
        let ab = "ab".repeat(32);
        let cd = "cd".repeat(32);
        let want: Vec<Vec<&str>> = vec![
            vec!["Policy", "单元测试方案", ""],
            vec!["Version", "2026.1", ""],
            vec!["Generated by", "kpi 0.1.0", ""],
            vec!["", "", ""],
            vec!["Role", "File", "SHA-256"],
            vec!["policy", "policies/t.kpi", &ab],
            vec!["data", "data.csv", &cd],
            vec!["", "", ""],
            vec!["Warnings", "", ""],
            vec!["W101: 分档表有空隙", "", ""],
            vec!["W102: unused input", "", ""],
        ];
        assert_eq!(grid(&mut wb, "Provenance"), want);
    }

    #[test]
    fn chinese_names() {
        let mut r = report();
        r.warnings.clear();
        let mut wb = open(render(&r, Lang::Zh).unwrap());
        assert_eq!(wb.sheet_names(), ["结果", "汇总", "来源"]);
        assert_eq!(
            grid(&mut wb, "结果")[0][..4],
            ["员工", "月份", "团队", "绩效工资"]
        );
        let summary = grid(&mut wb, "汇总");
        assert_eq!(
            summary[0],
            [
                "月份",
                "团队",
                "人数",
                "等级 A",
                "等级 B",
                "等级 C",
                "平均总分",
                "绩效工资合计"
            ]
        );
        assert_eq!(summary[3][0], "全部");
        let provenance = grid(&mut wb, "来源");
        let first: Vec<&str> = provenance.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            first,
            [
                "考核方案",
                "版本",
                "生成工具",
                "",
                "类型",
                "考核方案",
                "数据",
                "",
                "检查警告",
                "（无）"
            ]
        );
    }

    #[test]
    fn same_report_same_bytes() {
        let r = report();
        let bytes = render(&r, Lang::En).unwrap();
        assert_eq!(bytes, render(&r, Lang::En).unwrap());
        // not "now": a fixed creation time
        let props = open(bytes).workbook_properties().unwrap();
        assert_eq!(props.created.as_deref(), Some("1980-01-01T00:00:00Z"));
        assert_eq!(props.modified.as_deref(), Some("1980-01-01T00:00:00Z"));
        assert_eq!(props.title.as_deref(), Some("单元测试方案"));
        assert_eq!(props.description.as_deref(), Some("kpi 0.1.0"));
    }

    #[test]
    fn empty_report() {
        let mut r = report();
        r.rows.clear();
        r.teams.clear();
        let mut wb = open(render(&r, Lang::En).unwrap());
        assert_eq!(grid(&mut wb, "Results").len(), 1);
        let summary = grid(&mut wb, "Summary");
        assert_eq!(summary[1][..3], ["All", "", "0"]);
        // no total to average: the cell stays blank
        assert_eq!(summary[1][6], "");
    }
}
