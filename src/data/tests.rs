//! End-to-end tests of the data layer: records and context files.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::packed::Inputs;
use crate::types::{DurUnit, NumKind};

/// A record as the reader gives it, from its cells.
fn record(
    employee: &str,
    period: &str,
    team: Option<&str>,
    line: usize,
    cells: Vec<Cell>,
) -> Record {
    Record {
        ids: Ids::new(employee, team),
        period: p(period),
        line,
        inputs: Inputs::from_cells(cells.into_iter()),
    }
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn p(s: &str) -> Period {
    Period::parse(s).unwrap()
}

fn field(id: &str, label: Option<&str>, ty: Ty) -> FieldSpec {
    FieldSpec {
        id: id.into(),
        label: label.map(Into::into),
        aliases: Vec::new(),
        ty,
        range: None,
        default: None,
    }
}

/// The inputs of a small after-sales policy.
fn fields() -> Vec<FieldSpec> {
    let mut violations = field("violations", Some("违纪次数"), Ty::Number(NumKind::Count));
    violations.default = Some(Cell::Num(d("0")));
    let mut attitude = field("attitude", Some("服务态度"), Ty::Number(NumKind::Points));
    attitude.range = Some((d("0"), d("10")));
    vec![
        field(
            "refund_dispute_rate",
            Some("退款纠纷率"),
            Ty::Number(NumKind::Percent),
        ),
        violations,
        attitude,
        field(
            "avg_response",
            Some("平均响应时间"),
            Ty::Duration(DurUnit::Seconds),
        ),
        field(
            "daily",
            Some("平时表现"),
            Ty::Grade(vec![
                "优秀".into(),
                "良好".into(),
                "合格".into(),
                "差".into(),
            ]),
        ),
        field("praised", Some("好评表扬"), Ty::Bool),
        field("sales", Some("销售额"), Ty::Money),
    ]
}

const STRICT: ReadOptions = ReadOptions {
    percent_fractions: false,
};

fn read(text: &str) -> Result<Vec<Record>, Vec<DataError>> {
    read_records("records.csv", text, &fields(), &STRICT)
}

fn errors(text: &str) -> Vec<DataError> {
    match read(text) {
        Ok(r) => panic!("expected errors, got {r:?}"),
        Err(e) => e,
    }
}

/// (line, column, code, message) of each error, for compact assertions.
fn summary(errors: &[DataError]) -> Vec<(usize, Option<String>, String, String)> {
    errors
        .iter()
        .map(|e| (e.line, e.column.clone(), e.code_name(), e.to_string()))
        .collect()
}

fn one(
    line: usize,
    column: Option<&str>,
    code: &str,
    message: &str,
) -> (usize, Option<String>, String, String) {
    (line, column.map(Into::into), code.into(), message.into())
}

const HEADER: &str =
    "employee,period,退款纠纷率,违纪次数,服务态度,平均响应时间,平时表现,好评表扬,销售额";

#[test]
fn bom_labels_ids_extra_columns_and_defaults() {
    let text = "\u{feff}员工,月份,团队,退款纠纷率,违纪次数,attitude,avg_response,平时表现,好评表扬,销售额,备注\n\
                E001,2026-10,A,0.5%,,9.5,32s,优秀,是,\"¥1,234.50\",hello\n\
                E002,2026-10,B,1%,2,10,1min,差,false,88元,\n";
    let records = read(text).unwrap();
    assert_eq!(
        records,
        vec![
            record(
                "E001",
                "2026-10",
                Some("A"),
                2,
                vec![
                    Cell::Num(d("0.005")),
                    Cell::Num(d("0")),
                    Cell::Num(d("9.5")),
                    Cell::Num(d("32")),
                    Cell::Level(0),
                    Cell::Bool(true),
                    Cell::Num(d("1234.5")),
                ],
            ),
            record(
                "E002",
                "2026-10",
                Some("B"),
                3,
                vec![
                    Cell::Num(d("0.01")),
                    Cell::Num(d("2")),
                    Cell::Num(d("10")),
                    Cell::Num(d("60")),
                    Cell::Level(3),
                    Cell::Bool(false),
                    Cell::Num(d("88")),
                ],
            ),
        ]
    );
}

#[test]
fn no_team_column_and_missing_defaulted_column() {
    // `违纪次数` has no column but a default; `team` is optional
    let text = "工号,期间,退款纠纷率,服务态度,平均响应时间,平时表现,好评表扬,销售额\n\
                E9,2026-01,0%,0,0,合格,0,0\n";
    let records = read(text).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].team(), None);
    assert_eq!(records[0].employee(), "E9");
    assert_eq!(records[0].period, p("2026-01"));
    assert_eq!(records[0].cells()[1], Cell::Num(d("0")));
    assert_eq!(records[0].cells()[4], Cell::Level(2));
    assert_eq!(records[0].cells()[5], Cell::Bool(false));
}

#[test]
fn header_only_and_blank_rows() {
    assert_eq!(read(&format!("{HEADER}\n")).unwrap(), vec![]);
    let text = format!("{HEADER}\n\n,,,,,,,,\nE1,2026-10,1%,0,5,30,良好,1,100\n");
    let r = read(&text).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].line, 4);
}

#[test]
fn chinese_and_padded_headers_and_cells() {
    let text = " employee , period ,退款纠纷率 , 违纪次数,服务态度,平均响应时间,平时表现,好评表扬,销售额\n\
                 张三 , 2026-10 , ９９．５％ ,１,  ８ ,2分钟, 良好 ,TRUE,\" ￥5,000元 \"\n";
    let r = read(text).unwrap();
    assert_eq!(r[0].employee(), "张三");
    assert_eq!(
        r[0].cells(),
        vec![
            Cell::Num(d("0.995")),
            Cell::Num(d("1")),
            Cell::Num(d("8")),
            Cell::Num(d("120")),
            Cell::Level(1),
            Cell::Bool(true),
            Cell::Num(d("5000")),
        ]
    );
}

#[test]
fn every_bad_row_is_reported_with_line_and_column() {
    let text = format!(
        "{HEADER}\n\
         E1,2026-10,abc,0,5,30,良好,1,100\n\
         E2,2026-10,1%,0,5,30,良好,1,100\n\
         E3,2026-10,99.5,2.5,11,30,好,maybe,\"1,23\"\n"
    );
    let e = errors(&text);
    assert_eq!(
        summary(&e),
        vec![
            one(
                2,
                Some("退款纠纷率"),
                "kpi::data::bad_cell",
                "records.csv:2: column `退款纠纷率`: `abc` is not a number"
            ),
            one(
                4,
                Some("退款纠纷率"),
                "kpi::data::bad_cell",
                "records.csv:4: column `退款纠纷率`: `99.5` in a percent column has no `%`; write `99.5%`"
            ),
            one(
                4,
                Some("违纪次数"),
                "kpi::data::bad_cell",
                "records.csv:4: column `违纪次数`: `2.5` is not a whole number"
            ),
            one(
                4,
                Some("服务态度"),
                "kpi::data::out_of_range",
                "records.csv:4: column `服务态度`: `11` is outside the range 0..10"
            ),
            one(
                4,
                Some("平时表现"),
                "kpi::data::bad_cell",
                "records.csv:4: column `平时表现`: `好` is not one of the levels 优秀, 良好, 合格, 差"
            ),
            one(
                4,
                Some("好评表扬"),
                "kpi::data::bad_cell",
                "records.csv:4: column `好评表扬`: `maybe` is not a bool"
            ),
            one(
                4,
                Some("销售额"),
                "kpi::data::bad_cell",
                "records.csv:4: column `销售额`: `1,23` has misplaced thousands separators"
            ),
        ]
    );
    assert_eq!(
        e[0].help_text().as_deref(),
        Some("write a plain decimal such as `12` or `0.5` (no exponents, no NaN or infinity)")
    );
    assert_eq!(
        e[3].help_text().as_deref(),
        Some("the input's declared range is 0..10, both ends included")
    );
}

#[test]
fn negative_count() {
    let e = errors(&format!("{HEADER}\nE1,2026-10,1%,-1,5,30,良好,1,100\n"));
    assert_eq!(
        summary(&e),
        vec![one(
            2,
            Some("违纪次数"),
            "kpi::data::bad_cell",
            "records.csv:2: column `违纪次数`: `-1` is negative"
        )]
    );
}

#[test]
fn missing_columns() {
    let e = errors("name,month,服务态度\nE1,2026-10,5\n");
    assert_eq!(
        summary(&e),
        vec![
            one(1, None, "kpi::data::missing_column", "records.csv:1: no `employee` column"),
            one(1, None, "kpi::data::missing_column", "records.csv:1: no `period` column"),
            one(
                1,
                None,
                "kpi::data::missing_column",
                "records.csv:1: no column for input `refund_dispute_rate` (`退款纠纷率`), and it has no default"
            ),
            one(
                1,
                None,
                "kpi::data::missing_column",
                "records.csv:1: no column for input `avg_response` (`平均响应时间`), and it has no default"
            ),
            one(
                1,
                None,
                "kpi::data::missing_column",
                "records.csv:1: no column for input `daily` (`平时表现`), and it has no default"
            ),
            one(
                1,
                None,
                "kpi::data::missing_column",
                "records.csv:1: no column for input `praised` (`好评表扬`), and it has no default"
            ),
            one(
                1,
                None,
                "kpi::data::missing_column",
                "records.csv:1: no column for input `sales` (`销售额`), and it has no default"
            ),
        ]
    );
    assert_eq!(
        e[0].help_text().as_deref(),
        Some("add a column headed `employee` (or `员工`, `工号`, `客服`, `客服昵称`, `子账号` or `旺旺`); or name the column with `--employee-column HEADER`")
    );
    assert_eq!(
        e[2].help_text().as_deref(),
        Some("add a column headed `退款纠纷率` or `refund_dispute_rate`, or declare a default for `refund_dispute_rate` in the policy")
    );
}

#[test]
fn cells_are_still_checked_when_a_column_is_missing() {
    let text = "employee,period,退款纠纷率,服务态度,平均响应时间,平时表现,好评表扬\nE1,2026-10,x,5,30,良好,1\n";
    let e = errors(text);
    assert_eq!(
        summary(&e),
        vec![
            one(
                1,
                None,
                "kpi::data::missing_column",
                "records.csv:1: no column for input `sales` (`销售额`), and it has no default"
            ),
            one(
                2,
                Some("退款纠纷率"),
                "kpi::data::bad_cell",
                "records.csv:2: column `退款纠纷率`: `x` is not a number"
            ),
        ]
    );
}

#[test]
fn duplicate_columns() {
    let text = "employee,员工,period,退款纠纷率,refund_dispute_rate,违纪次数,服务态度,平均响应时间,平时表现,好评表扬,销售额\n";
    let e = errors(text);
    assert_eq!(
        summary(&e),
        vec![
            one(
                1,
                Some("员工"),
                "kpi::data::duplicate_column",
                "records.csv:1: column `员工`: columns `employee` and `员工` both match `employee`"
            ),
            one(
                1,
                Some("refund_dispute_rate"),
                "kpi::data::duplicate_column",
                "records.csv:1: column `refund_dispute_rate`: columns `退款纠纷率` and `refund_dispute_rate` both match `refund_dispute_rate`"
            ),
        ]
    );
}

#[test]
fn duplicate_rows_name_the_first() {
    let text = format!(
        "{HEADER}\n\
         E1,2026-10,1%,0,5,30,良好,1,100\n\
         E2,2026-10,1%,0,5,30,良好,1,100\n\
         E1,2026-11,1%,0,5,30,良好,1,100\n\
         E1,2026-10,1%,0,5,30,良好,1,100\n"
    );
    let e = errors(&text);
    assert_eq!(
        summary(&e),
        vec![one(
            5,
            None,
            "kpi::data::duplicate_row",
            "records.csv:5: employee `E1` already has a row for `2026-10` on line 2"
        )]
    );
}

#[test]
fn empty_cells_employee_and_bad_periods() {
    let text = format!(
        "{HEADER}\n\
         E1,2026-10,,0,5,30,良好,1,100\n\
         ,2026-10,1%,0,5,30,良好,1,100\n\
         E3,10/2026,1%,0,5,30,良好,1,100\n\
         E4,,1%,0,5,30,良好,1,100\n\
         E5,2026-13,1%,0,5,30,良好,1,100\n"
    );
    let e = errors(&text);
    assert_eq!(
        summary(&e),
        vec![
            one(
                2,
                Some("退款纠纷率"),
                "kpi::data::missing_value",
                "records.csv:2: column `退款纠纷率`: empty cell, and input `refund_dispute_rate` has no default"
            ),
            one(
                3,
                Some("employee"),
                "kpi::data::missing_value",
                "records.csv:3: column `employee`: empty employee id"
            ),
            one(
                4,
                Some("period"),
                "kpi::data::bad_cell",
                "records.csv:4: column `period`: `10/2026` is not a period"
            ),
            one(
                5,
                Some("period"),
                "kpi::data::missing_value",
                "records.csv:5: column `period`: empty period"
            ),
            one(
                6,
                Some("period"),
                "kpi::data::bad_cell",
                "records.csv:6: column `period`: `2026-13` is not a period"
            ),
        ]
    );
    assert_eq!(
        e[2].help_text().as_deref(),
        Some("write the period as `YYYY-MM`, e.g. `2026-10`")
    );
}

#[test]
fn rows_with_wrong_field_counts() {
    let text = format!(
        "{HEADER}\n\
         E1,2026-10,1%,0,5,30\n\
         E2,2026-10,1%,0,5,30,良好,1,100,,\n\
         E3,2026-10,1%,0,5,30,良好,1,100,extra\n\
         E4,2026-10,\"multi\nline\",0,5,30,良好,1,100\n\
         E5,2026-10,1%,0,5,30,良好,1,x\n"
    );
    let e = errors(&text);
    assert_eq!(
        summary(&e),
        vec![
            one(
                2,
                None,
                "kpi::data::bad_row",
                "records.csv:2: the row has 6 fields but the header has 9"
            ),
            one(
                4,
                None,
                "kpi::data::bad_row",
                "records.csv:4: the row has 10 fields but the header has 9"
            ),
            one(
                5,
                Some("退款纠纷率"),
                "kpi::data::bad_cell",
                "records.csv:5: column `退款纠纷率`: `multi\nline` is not a number"
            ),
            // the quoted newline moves the next row to line 7
            one(
                7,
                Some("销售额"),
                "kpi::data::bad_cell",
                "records.csv:7: column `销售额`: `x` is not a number"
            ),
        ]
    );
}

#[test]
fn empty_file() {
    let e = errors("");
    assert_eq!(
        summary(&e),
        vec![one(
            0,
            None,
            "kpi::data::empty",
            "records.csv: the file is empty; expected a header row"
        )]
    );
    assert_eq!(errors("\u{feff}\n\n").len(), 1);
}

#[test]
fn percent_fractions_option() {
    let text = format!(
        "{HEADER}\nE1,2026-10,0.995,0,5,30,良好,1,100\nE2,2026-10,99.5%,0,5,30,良好,1,100\n"
    );
    let opts = ReadOptions {
        percent_fractions: true,
    };
    let r = read_records("records.csv", &text, &fields(), &opts).unwrap();
    assert_eq!(r[0].cells()[0], Cell::Num(d("0.995")));
    assert_eq!(r[1].cells()[0], Cell::Num(d("0.995")));
    let e = read_records("records.csv", &text, &fields(), &STRICT).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 2);
}

#[test]
fn durations_in_a_days_column() {
    let fields = vec![field(
        "close",
        Some("退款时长"),
        Ty::Duration(DurUnit::Days),
    )];
    let text = "employee,period,退款时长\nA,2026-10,2.5\nB,2026-10,2.5d\nC,2026-10,12h\nD,2026-10,30分钟\n";
    let r = read_records("r.csv", text, &fields, &STRICT).unwrap();
    let got: Vec<_> = r.iter().map(|r| r.cells()[0].clone()).collect();
    assert_eq!(
        got,
        vec![
            Cell::Num(d("216000")),
            Cell::Num(d("216000")),
            Cell::Num(d("43200")),
            Cell::Num(d("1800")),
        ]
    );
}

#[test]
fn text_fields_and_defaults_for_empty_cells() {
    let mut note = field("note", Some("备注"), Ty::Text);
    note.default = Some(Cell::Text("无".into()));
    let mut level = field("level", None, Ty::Grade(vec!["A".into(), "B".into()]));
    level.default = Some(Cell::Level(1));
    let fields = vec![note, level];
    let text = "employee,period,备注,level\nA,2026-10,  好  ,A\nB,2026-10,,\n";
    let r = read_records("r.csv", text, &fields, &STRICT).unwrap();
    assert_eq!(r[0].cells(), vec![Cell::Text("好".into()), Cell::Level(0)]);
    assert_eq!(r[1].cells(), vec![Cell::Text("无".into()), Cell::Level(1)]);
}

#[test]
fn json_records_with_lines() {
    let text = r#"[
  {"employee": "E001", "period": "2026-10", "team": "A",
   "退款纠纷率": "0.5%", "服务态度": 9.5, "平均响应时间": "32s",
   "平时表现": "优秀", "好评表扬": true, "销售额": 1234.50, "其他": {"x": 1}},
  {"员工": 1002, "月份": "2026-10", "退款纠纷率": "1%", "违纪次数": 3,
   "服务态度": 10, "平均响应时间": 40, "平时表现": "差", "好评表扬": "否",
   "销售额": "¥88", "团队": null}
]"#;
    let r = read_records("records.json", text, &fields(), &STRICT);
    // `员工`/`employee` in one file are two columns for the same thing
    let e = r.unwrap_err();
    assert_eq!(e[0].code_name(), "kpi::data::duplicate_column");

    let text = r#"[
  {"employee": "E001", "period": "2026-10", "team": "A",
   "退款纠纷率": "0.5%", "服务态度": 9.5, "平均响应时间": "32s",
   "平时表现": "优秀", "好评表扬": true, "销售额": 1234.50, "其他": {"x": 1}},
  {"employee": 1002, "period": "2026-10", "退款纠纷率": "1%", "违纪次数": 3,
   "服务态度": 10, "平均响应时间": 40, "平时表现": "差", "好评表扬": "否",
   "销售额": "¥88", "team": null}
]"#;
    let r = read_records("records.json", text, &fields(), &STRICT).unwrap();
    assert_eq!(
        r,
        vec![
            record(
                "E001",
                "2026-10",
                Some("A"),
                2,
                vec![
                    Cell::Num(d("0.005")),
                    Cell::Num(d("0")),
                    Cell::Num(d("9.5")),
                    Cell::Num(d("32")),
                    Cell::Level(0),
                    Cell::Bool(true),
                    Cell::Num(d("1234.5")),
                ],
            ),
            record(
                "1002",
                "2026-10",
                None,
                5,
                vec![
                    Cell::Num(d("0.01")),
                    Cell::Num(d("3")),
                    Cell::Num(d("10")),
                    Cell::Num(d("40")),
                    Cell::Level(3),
                    Cell::Bool(false),
                    Cell::Num(d("88")),
                ],
            ),
        ]
    );
}

#[test]
fn json_errors_with_lines() {
    let text = r#"[
  {"employee": "E1", "period": "2026-10", "退款纠纷率": 0.5, "服务态度": 5,
   "平均响应时间": 30, "平时表现": "良好", "好评表扬": 1, "销售额": 100},
  {"employee": "E2", "period": "2026-10", "退款纠纷率": "1%", "服务态度": [5],
   "平均响应时间": 30, "平时表现": "良好", "好评表扬": 1},
  {"employee": "E3", "period": "2026-10", "退款纠纷率": "1%", "服务态度": 5,
   "平均响应时间": 1e3, "平时表现": "良好", "好评表扬": 1, "销售额": 100}
]"#;
    let e = read_records("records.json", text, &fields(), &STRICT).unwrap_err();
    assert_eq!(
        summary(&e),
        vec![
            one(
                2,
                Some("退款纠纷率"),
                "kpi::data::bad_cell",
                "records.json:2: column `退款纠纷率`: `0.5` in a percent column has no `%`; write `0.5%`"
            ),
            one(
                4,
                Some("服务态度"),
                "kpi::data::bad_cell",
                "records.json:4: column `服务态度`: a JSON array is not a cell value"
            ),
            one(
                4,
                Some("销售额"),
                "kpi::data::missing_value",
                "records.json:4: column `销售额`: empty cell, and input `sales` has no default"
            ),
            one(
                6,
                Some("平均响应时间"),
                "kpi::data::bad_cell",
                "records.json:6: column `平均响应时间`: `1e3` is not a number"
            ),
        ]
    );
    // percent_fractions accepts the bare JSON number as a fraction
    let opts = ReadOptions {
        percent_fractions: true,
    };
    let e = read_records("records.json", text, &fields(), &opts).unwrap_err();
    assert_eq!(e.len(), 3);
    assert_eq!(e[0].line, 4);
}

#[test]
fn json_detected_without_extension_and_empty_array() {
    assert_eq!(
        detect_format("data.txt", "  \n[{}]".as_bytes()),
        Format::Json
    );
    assert_eq!(detect_format("data", "\u{feff}{".as_bytes()), Format::Json);
    assert_eq!(detect_format("DATA.JSON", "".as_bytes()), Format::Json);
    assert_eq!(
        detect_format("data.csv", "employee,period".as_bytes()),
        Format::Csv
    );
    assert_eq!(read_records("r.json", "[]", &fields(), &STRICT), Ok(vec![]));
    let e = read_records("r.json", "[", &fields(), &STRICT).unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "r.json:1: invalid JSON: expected a value, found the end of the file"
    );
    assert!(e[0]
        .help_text()
        .is_some_and(|h| h.starts_with("data in JSON is an array of objects")));
}

#[test]
fn error_cap() {
    let mut text = String::from("employee,period,x\n");
    for i in 0..1200 {
        text.push_str(&format!("E{i},2026-10,bad\n"));
    }
    let fields = vec![field("x", None, Ty::Number(NumKind::Plain))];
    let e = read_records("r.csv", &text, &fields, &STRICT).unwrap_err();
    assert_eq!(e.len(), MAX_ERRORS + 1);
    assert_eq!(e[999].line, 1001);
    assert_eq!(e[1000].to_string(), "r.csv: … and 200 more errors");
    assert_eq!(e[1000].code_name(), "kpi::data::too_many_errors");
}

fn context_fields() -> Vec<FieldSpec> {
    let mut target = field("target", Some("目标"), Ty::Money);
    target.default = Some(Cell::Num(d("1000")));
    vec![
        field(
            "industry_rate",
            Some("行业退款纠纷率"),
            Ty::Number(NumKind::Percent),
        ),
        target,
    ]
}

#[test]
fn context_reads_periods() {
    let text = "\u{feff}月份,行业退款纠纷率,目标,备注\n2026-10,0.8%,,x\n2026-11,1.2%,\"¥2,000\",\n";
    let c = read_context("context.csv", text, &context_fields(), &STRICT).unwrap();
    let mut want = BTreeMap::new();
    want.insert(
        p("2026-10"),
        vec![Cell::Num(d("0.008")), Cell::Num(d("1000"))],
    );
    want.insert(
        p("2026-11"),
        vec![Cell::Num(d("0.012")), Cell::Num(d("2000"))],
    );
    assert_eq!(c, want);

    let json = "[{\"period\": \"2026-10\", \"industry_rate\": \"0.8%\"}]";
    let c = read_context("context.json", json, &context_fields(), &STRICT).unwrap();
    assert_eq!(
        c.get(&p("2026-10")),
        Some(&vec![Cell::Num(d("0.008")), Cell::Num(d("1000"))])
    );
}

#[test]
fn context_errors() {
    let text = "period,行业退款纠纷率\n2026-10,0.8%\n2026-11,abc\n2026-10,0.9%\n,1%\n";
    let e = read_context("context.csv", text, &context_fields(), &STRICT).unwrap_err();
    assert_eq!(
        summary(&e),
        vec![
            one(
                3,
                Some("行业退款纠纷率"),
                "kpi::data::bad_cell",
                "context.csv:3: column `行业退款纠纷率`: `abc` is not a number"
            ),
            one(
                4,
                None,
                "kpi::data::duplicate_row",
                "context.csv:4: period `2026-10` already has a row on line 2"
            ),
            one(
                5,
                Some("period"),
                "kpi::data::missing_value",
                "context.csv:5: column `period`: empty period"
            ),
        ]
    );
    let e = read_context("context.csv", "目标\n5\n", &context_fields(), &STRICT).unwrap_err();
    assert_eq!(
        summary(&e),
        vec![
            one(1, None, "kpi::data::missing_column", "context.csv:1: no `period` column"),
            one(
                1,
                None,
                "kpi::data::missing_column",
                "context.csv:1: no column for input `industry_rate` (`行业退款纠纷率`), and it has no default"
            ),
        ]
    );
}

#[test]
fn missing_context_periods() {
    let text = format!(
        "{HEADER}\n\
         E1,2026-10,1%,0,5,30,良好,1,100\n\
         E1,2026-12,1%,0,5,30,良好,1,100\n\
         E2,2026-11,1%,0,5,30,良好,1,100\n\
         E2,2026-12,1%,0,5,30,良好,1,100\n\
         E3,2026-11,1%,0,5,30,良好,1,100\n"
    );
    let records = read(&text).unwrap();
    let context = read_context(
        "context.csv",
        "period,行业退款纠纷率\n2026-10,0.8%\n",
        &context_fields(),
        &STRICT,
    )
    .unwrap();
    let e = check_context_periods("records.csv", &records, &context, "context.csv");
    assert_eq!(
        summary(&e),
        vec![
            one(
                3,
                Some("period"),
                "kpi::data::missing_period",
                "records.csv:3: column `period`: period `2026-12` has no row in the context file `context.csv`"
            ),
            one(
                4,
                Some("period"),
                "kpi::data::missing_period",
                "records.csv:4: column `period`: period `2026-11` has no row in the context file `context.csv`"
            ),
        ]
    );
    assert_eq!(
        e[0].help_text().as_deref(),
        Some("add a row for `2026-12` to `context.csv`")
    );
    let full: BTreeMap<Period, Vec<Cell>> = ["2026-10", "2026-11", "2026-12"]
        .iter()
        .map(|s| (p(s), vec![]))
        .collect();
    assert!(check_context_periods("records.csv", &records, &full, "context.csv").is_empty());
}

#[test]
fn data_error_is_a_miette_diagnostic() {
    let e = errors(&format!("{HEADER}\nE1,2026-10,abc,0,5,30,良好,1,100\n"));
    let diag: &dyn miette::Diagnostic = &e[0];
    assert_eq!(
        diag.code().map(|c| c.to_string()).as_deref(),
        Some("kpi::data::bad_cell")
    );
    assert!(diag.help().is_some());
    assert_eq!(e[0].file, "records.csv");
    assert_eq!(e[0].line, 2);
    assert_eq!(e[0].column.as_deref(), Some("退款纠纷率"));
}

#[test]
fn crlf_line_endings() {
    let text = format!(
        "{HEADER}\r\nE1,2026-10,1%,0,5,30,良好,1,100\r\nE2,2026-10,1,0,5,30,良好,1,100\r\n"
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 3);
    assert_eq!(e[0].column.as_deref(), Some("退款纠纷率"));
}

#[test]
fn cr_only_and_mixed_line_endings() {
    let text =
        format!("{HEADER}\rE1,2026-10,1%,0,5,30,良好,1,100\rE2,2026-10,1,0,5,30,良好,1,100\r");
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 3);
    let text = format!(
        "{HEADER}\n\r\nE1,2026-10,\"1\r\nx\",0,5,30,良好,1,100\r\n\nE2,2026-10,1,0,5,30,良好,1,100"
    );
    let e = errors(&text);
    assert_eq!(
        summary(&e),
        vec![
            one(
                3,
                Some("退款纠纷率"),
                "kpi::data::bad_cell",
                "records.csv:3: column `退款纠纷率`: `1\r\nx` is not a number"
            ),
            one(
                6,
                Some("退款纠纷率"),
                "kpi::data::bad_cell",
                "records.csv:6: column `退款纠纷率`: `1` in a percent column has no `%`; write `1%`"
            ),
        ]
    );
}

#[test]
fn text_in_a_number_column_takes_the_default_with_a_notice() {
    use super::{read_records_file, Layout};
    let fields = vec![FieldSpec {
        id: "avg_response".into(),
        label: Some("平均响应时间".into()),
        aliases: Vec::new(),
        ty: Ty::Duration(DurUnit::Seconds),
        range: None,
        default: Some(Cell::Num(Decimal::from(60))),
    }];
    let text = "客服,月份,平均响应时间\nA,2026-10,30\nB,2026-10,延迟统计\nC,2026-10,3O\n";
    let read = read_records_file(
        "r.csv",
        text.as_bytes(),
        &fields,
        &STRICT,
        &Layout::default(),
    );
    // `延迟统计` is a note: the default; `3O` is a mistyped number: an error
    assert_eq!(read.records.len(), 2);
    assert_eq!(read.records[1].cells(), vec![Cell::Num(Decimal::from(60))]);
    assert_eq!(read.errors.len(), 1);
    assert_eq!(read.errors[0].line, 4);
    assert_eq!(
        super::notice_lines(&read.notices, crate::diag::Lang::En),
        vec!["notice: r.csv: line 3 (`平均响应时间`) holds `延迟统计`, not a number: used the default of `avg_response`"]
    );
}

/// A percent input whose range ends beyond what a decimal can hold as a
/// percent (`in 0% .. 79228162514264337593543950334`, a plain number is a
/// fraction): a cell out of range used to panic ("Multiplication
/// overflowed") while writing the range into the message.
#[test]
fn out_of_range_message_for_a_huge_percent_range() {
    let mut f = field("x", None, Ty::Number(NumKind::Percent));
    f.range = Some((d("0"), Decimal::MAX - Decimal::ONE));
    let text = "employee,period,x\nA,2026-10,-5%\n";
    let errors = read_records("r.csv", text, &[f], &STRICT).unwrap_err();
    assert_eq!(
        summary(&errors),
        vec![one(
            2,
            Some("x"),
            "kpi::data::out_of_range",
            "r.csv:2: column `x`: `-5%` is outside the range 0%..7922816251426433759354395033400%"
        )]
    );
}

/// Issue 10 item 13: a huge bad cell is quoted by its first 40 characters,
/// not echoed whole.
#[test]
fn a_huge_bad_cell_is_quoted_short() {
    let huge = format!("x{}", "9".repeat(5_000_000));
    let e = errors(&format!("{HEADER}\nE1,2026-10,1%,{huge},5,30,良好,1,100\n"));
    let shown = format!("`x{}…` is not a number", "9".repeat(39));
    assert_eq!(
        summary(&e),
        vec![one(
            2,
            Some("违纪次数"),
            "kpi::data::bad_cell",
            &format!("records.csv:2: column `违纪次数`: {shown}")
        )]
    );
}

/// Issue 10 item 13: a JSON file on one line names the element of each
/// error, or every error would say `records.json:1`.
#[test]
fn json_on_one_line_names_the_element() {
    let text = r#"[{"employee": "E1", "period": "2026-10", "退款纠纷率": "1%", "服务态度": 5, "平均响应时间": 30, "平时表现": "良好", "好评表扬": 1, "销售额": 100}, {"employee": "E2", "period": "2026-10", "退款纠纷率": "1%", "服务态度": 5, "平均响应时间": "x", "平时表现": "良好", "好评表扬": 1, "销售额": 100}, 7]"#;
    let e = read_records("records.json", text, &fields(), &STRICT).unwrap_err();
    assert_eq!(
        summary(&e),
        vec![
            one(
                1,
                None,
                "kpi::data::bad_row",
                "records.json:1 (element 3): array element is a number, not an object"
            ),
            one(
                1,
                Some("平均响应时间"),
                "kpi::data::bad_cell",
                "records.json:1 (element 2): column `平均响应时间`: `x` is not a number"
            ),
        ]
    );
    assert_eq!(
        e[1].report(crate::diag::Lang::Zh).message,
        "records.json 第 1 行（第 2 个元素），`平均响应时间` 列：`x` 不是数字"
    );
}

/// Room for the rows is reserved from delimited text's line ends only:
/// JSON and spreadsheets tell nothing of their records that way.
#[test]
fn records_at_most_counts_lines_of_delimited_text_only() {
    let csv = "employee,period\nE1,2026-01\r\nE2,2026-01\n";
    assert_eq!(records_at_most("records.csv", csv.as_bytes()), Some(4));
    assert_eq!(records_at_most("records.txt", b""), Some(1));
    assert_eq!(records_at_most("records.json", b"[\n{}\n]"), None);
    assert_eq!(records_at_most("data", b"  [\n{}\n]"), None);
    assert_eq!(records_at_most("records.xlsx", b"PK\x03\x04\n\n"), None);
}
