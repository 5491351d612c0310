//! Data errors: every user-facing message of the data layer lives here.
//!
//! A [`DataError`] places a problem in a file (`file:line`, optionally the
//! column header); its [`DataErrorKind`] says what is wrong. Problems with a
//! single cell are [`CellError`]s, which the policy's embedded tests reuse.
//! Errors hold data; [`DataError::report`] writes them in English or Chinese.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::diag::{english_diagnostic, ty_name, Lang, Report};
use crate::types::{DurUnit, Ty};
use std::fmt;

/// At most this many errors are reported for one file; the rest are counted
/// in a final [`DataErrorKind::TooMany`].
pub const MAX_ERRORS: usize = 1000;

/// A problem in a data file, with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// The file name as given by the caller.
    pub file: String,
    /// The worksheet, for spreadsheets; `line` is then the sheet's row.
    pub sheet: Option<String>,
    /// 1-based line (the header is line 1); 0 when the error has no line.
    pub line: usize,
    /// The column header as written in the file, when the error is about one cell.
    pub column: Option<String>,
    /// The 0-based column, when known (spreadsheets name the cell: `B7`).
    pub col: Option<usize>,
    /// The 1-based element of a JSON array, when several start on `line`.
    pub element: Option<usize>,
    pub kind: DataErrorKind,
}

/// How many errors `errors` stands for: a capped list ends with a
/// [`DataErrorKind::TooMany`] that counts the ones left out.
pub fn error_count(errors: &[DataError]) -> usize {
    errors
        .iter()
        .map(|e| match e.kind {
            DataErrorKind::TooMany { more } => more,
            _ => 1,
        })
        .fold(0usize, usize::saturating_add)
}

impl DataError {
    pub fn new(file: &str, line: usize, column: Option<&str>, kind: DataErrorKind) -> DataError {
        DataError {
            file: file.to_string(),
            sheet: None,
            line,
            column: column.map(str::to_string),
            col: None,
            element: None,
            kind,
        }
    }

    /// An error about the cell in column `col` (0-based) headed `header`.
    pub fn cell(
        file: &str,
        line: usize,
        col: usize,
        header: &str,
        kind: DataErrorKind,
    ) -> DataError {
        DataError {
            col: Some(col),
            ..DataError::new(file, line, Some(header), kind)
        }
    }

    /// Where the error is, in `lang`: `file:7: column `x`: `, or for a
    /// spreadsheet `file [Sheet1] B7 (`退款纠纷率`): `.
    fn place(&self, lang: Lang) -> String {
        let mut s = self.file.clone();
        if let Some(sheet) = &self.sheet {
            let cell = match (self.col, self.line) {
                (Some(c), l) if l > 0 => Some(format!("{}{l}", column_letters(c))),
                (None, l) if l > 0 => Some(lang.pick(format!("row {l}"), format!("第 {l} 行"))),
                _ => None,
            };
            s.push_str(&format!(" [{sheet}]"));
            if let Some(cell) = cell {
                s.push(' ');
                s.push_str(&cell);
            }
            if let Some(col) = &self.column {
                s.push_str(&lang.pick(format!(" (`{col}`)"), format!("（`{col}`）")));
            }
            s.push_str(lang.pick(": ", "："));
            return s;
        }
        match lang {
            Lang::En => {
                if self.line > 0 {
                    s.push_str(&format!(":{}", self.line));
                }
                if let Some(n) = self.element {
                    s.push_str(&format!(" (element {n})"));
                }
                s.push_str(": ");
                if let Some(col) = &self.column {
                    s.push_str(&format!("column `{col}`: "));
                }
            }
            Lang::Zh => {
                if self.line > 0 {
                    s.push_str(&format!(" 第 {} 行", self.line));
                }
                if let Some(n) = self.element {
                    s.push_str(&format!("（第 {n} 个元素）"));
                }
                if let Some(col) = &self.column {
                    s.push_str(&format!("，`{col}` 列"));
                }
                s.push('：');
            }
        }
        s
    }

    /// The stable diagnostic code, e.g. `kpi::data::bad_cell`.
    pub fn code_name(&self) -> String {
        self.kind.code().to_string()
    }

    /// The help line (in English), if any.
    pub fn help_text(&self) -> Option<String> {
        self.kind.help(Lang::En)
    }

    /// The error's text in `lang`: place, then problem; data errors have no
    /// spans in the policy.
    pub fn report(&self, lang: Lang) -> Report {
        let mut s = self.place(lang);
        s.push_str(&self.kind.message(lang));
        Report::error(self.kind.code(), s, Vec::new(), self.kind.help(lang))
    }
}

english_diagnostic!(DataError);

/// `A`, `B`, …, `Z`, `AA`, …: the spreadsheet name of 0-based column `col`.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        letters.push(char::from(b'A' + d as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Something the reader did that the user should know of, though nothing
/// is wrong: rows it skipped, an encoding it guessed.
#[derive(Debug, Clone, PartialEq)]
pub struct DataNotice {
    pub file: String,
    pub sheet: Option<String>,
    /// The row's line (the sheet's row for spreadsheets).
    pub line: usize,
    pub kind: NoticeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NoticeKind {
    /// A totals row (`合计`, `汇总`, …), never scored as a person.
    TotalsRow { label: String },
    /// Rows above the header (a title, notes): `count` of them.
    AboveHeader { count: usize },
    /// The text encoding was guessed.
    Encoding { name: String },
    /// Text where a number belongs (`延迟统计`): the input's default was used.
    DefaultForText {
        id: String,
        column: String,
        col: usize,
        raw: String,
    },
}

/// The notices of one run as lines for people, one per file and kind:
/// `notice: records.csv: skipped totals rows on lines 12 (`汇总`), 13 (`均值`)`.
pub fn notice_lines(notices: &[DataNotice], lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(n) = notices.get(i) {
        let place = match &n.sheet {
            Some(sheet) => format!("{} [{sheet}]", n.file),
            None => n.file.clone(),
        };
        let row_word = |l: usize| match (&n.sheet, lang) {
            (Some(_), Lang::En) => format!("row {l}"),
            (None, Lang::En) => format!("line {l}"),
            (_, Lang::Zh) => format!("第 {l} 行"),
        };
        match &n.kind {
            NoticeKind::TotalsRow { .. } => {
                let mut rows = Vec::new();
                while let Some(m) = notices.get(i) {
                    let NoticeKind::TotalsRow { label } = &m.kind else {
                        break;
                    };
                    if m.file != n.file || m.sheet != n.sheet {
                        break;
                    }
                    rows.push(format!("{} (`{label}`)", row_word(m.line)));
                    i += 1;
                }
                out.push(lang.pick(
                    format!(
                        "notice: {place}: skipped totals rows, not people: {}",
                        rows.join(", ")
                    ),
                    format!(
                        "提示：{place}：已跳过合计行（不是员工）：{}",
                        rows.join("、")
                    ),
                ));
                continue;
            }
            NoticeKind::AboveHeader { count } => out.push(lang.pick(
                format!(
                    "notice: {place}: the header is on {}; skipped {count} row(s) above it",
                    row_word(n.line)
                ),
                format!(
                    "提示：{place}：表头在{}，已跳过其上方的 {count} 行",
                    row_word(n.line)
                ),
            )),
            NoticeKind::DefaultForText {
                id,
                column,
                col,
                raw,
            } => {
                let cell = match &n.sheet {
                    Some(_) => format!("{}{}", column_letters(*col), n.line),
                    None => row_word(n.line),
                };
                out.push(lang.pick(
                    format!(
                        "notice: {place}: {cell} (`{column}`) holds `{raw}`, not a number: used the default of `{id}`"
                    ),
                    format!(
                        "提示：{place}：{cell}（`{column}`）是 `{raw}`，不是数字：已使用 `{id}` 的默认值"
                    ),
                ))
            }
            NoticeKind::Encoding { name } => out.push(lang.pick(
                format!("notice: {place}: read as {name} (pass `--encoding` if that is wrong)"),
                format!("提示：{place}：按 {name} 编码读取（如不对，请用 `--encoding` 指定）"),
            )),
        }
        i += 1;
    }
    out
}

/// What is wrong, without its place.
#[derive(Debug, Clone, PartialEq)]
pub enum DataErrorKind {
    /// The file is empty: no header row.
    Empty,
    /// The file is not valid CSV or JSON (`format`); `message` is the
    /// reader's own description.
    Syntax {
        format: &'static str,
        message: String,
    },
    /// No `employee`/`period` column (`aliases`: its other accepted headers).
    MissingColumn {
        name: &'static str,
        aliases: &'static str,
    },
    MissingInput {
        id: String,
        label: Option<String>,
        /// The nearest header in the file, for "did you mean".
        suggestion: Option<String>,
    },
    DuplicateColumn {
        first: String,
        second: String,
        target: String,
    },
    FieldCount {
        found: usize,
        expected: usize,
    },
    /// A JSON array element that is not an object (`found`: "a string", …).
    NotAnObject {
        found: &'static str,
    },
    DuplicateKey {
        key: String,
    },
    Cell(CellError),
    MissingValue {
        id: String,
    },
    EmptyEmployee,
    EmptyPeriod,
    BadPeriod {
        raw: String,
    },
    DuplicateRow {
        employee: String,
        period: String,
        first_line: usize,
    },
    DuplicatePeriod {
        period: String,
        first_line: usize,
    },
    MissingPeriod {
        period: String,
        context_file: String,
    },
    TooMany {
        more: usize,
    },
    /// Bytes that are not text in `encoding` (guessed or forced).
    BadEncoding {
        encoding: String,
        guessed: bool,
    },
    /// A spreadsheet that cannot be opened (`message`: the reader's words).
    BadWorkbook {
        message: String,
    },
    /// `--sheet NAME` names no sheet; `sheets`: the ones there are.
    NoSuchSheet {
        name: String,
        sheets: Vec<String>,
    },
    /// A `.xls` that is an HTML page.
    HtmlTable,
    /// Spreadsheets need the `spreadsheets` feature, which this build lacks.
    SheetsNotBuilt,
    /// A unit in a header that does not fit its input's type.
    HeaderUnit {
        header: String,
        unit: String,
        id: String,
        ty: String,
    },
    /// A row of this (employee, period) is already in another file.
    DuplicateAcrossFiles {
        employee: String,
        period: String,
        first_file: String,
        first_line: usize,
    },
}

impl From<CellError> for DataErrorKind {
    fn from(e: CellError) -> DataErrorKind {
        DataErrorKind::Cell(e)
    }
}

impl fmt::Display for DataErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for DataErrorKind {}

/// `` `员工` or `工号` `` → `` `员工` 或 `工号` ``.
fn or_zh(s: &str) -> String {
    s.replace(" or ", " 或 ")
}

/// A JSON value's kind as [`DataErrorKind::NotAnObject`] and
/// [`CellError::NotAScalar`] name it.
fn json_kind_zh(found: &str) -> &'static str {
    match found {
        "null" => "null",
        "a string" => "字符串",
        "a number" => "数字",
        "a bool" => "布尔值",
        "an array" | "array" => "数组",
        _ => "对象",
    }
}

impl DataErrorKind {
    /// The stable diagnostic code.
    pub fn code(&self) -> &'static str {
        match self {
            DataErrorKind::Empty => "kpi::data::empty",
            DataErrorKind::Syntax { .. } => "kpi::data::syntax",
            DataErrorKind::MissingColumn { .. } | DataErrorKind::MissingInput { .. } => {
                "kpi::data::missing_column"
            }
            DataErrorKind::DuplicateColumn { .. } => "kpi::data::duplicate_column",
            DataErrorKind::FieldCount { .. }
            | DataErrorKind::NotAnObject { .. }
            | DataErrorKind::DuplicateKey { .. } => "kpi::data::bad_row",
            DataErrorKind::Cell(c) => c.code(),
            DataErrorKind::MissingValue { .. }
            | DataErrorKind::EmptyEmployee
            | DataErrorKind::EmptyPeriod => "kpi::data::missing_value",
            DataErrorKind::BadPeriod { .. } => "kpi::data::bad_cell",
            DataErrorKind::DuplicateRow { .. } | DataErrorKind::DuplicatePeriod { .. } => {
                "kpi::data::duplicate_row"
            }
            DataErrorKind::MissingPeriod { .. } => "kpi::data::missing_period",
            DataErrorKind::TooMany { .. } => "kpi::data::too_many_errors",
            DataErrorKind::BadEncoding { .. } => "kpi::data::encoding",
            DataErrorKind::BadWorkbook { .. }
            | DataErrorKind::HtmlTable
            | DataErrorKind::SheetsNotBuilt => "kpi::data::workbook",
            DataErrorKind::NoSuchSheet { .. } => "kpi::data::no_such_sheet",
            DataErrorKind::HeaderUnit { .. } => "kpi::data::header_unit",
            DataErrorKind::DuplicateAcrossFiles { .. } => "kpi::data::duplicate_row",
        }
    }

    /// What is wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            DataErrorKind::Empty => lang
                .pick(
                    "the file is empty; expected a header row",
                    "文件是空的；第一行应该是表头",
                )
                .into(),
            DataErrorKind::Syntax { format, message } => lang.pick(
                format!("invalid {format}: {message}"),
                format!("{format} 格式有误：{message}"),
            ),
            DataErrorKind::MissingColumn { name, .. } => {
                lang.pick(format!("no `{name}` column"), format!("缺少 `{name}` 列"))
            }
            DataErrorKind::MissingInput { id, label, .. } => {
                let label_en = label
                    .as_ref()
                    .map(|l| format!(" (`{l}`)"))
                    .unwrap_or_default();
                let label_zh = label
                    .as_ref()
                    .map(|l| format!("（`{l}`）"))
                    .unwrap_or_default();
                lang.pick(
                    format!("no column for input `{id}`{label_en}, and it has no default"),
                    format!("找不到输入 `{id}`{label_zh} 对应的列，而且它没有默认值"),
                )
            }
            DataErrorKind::DuplicateColumn {
                first,
                second,
                target,
            } => lang.pick(
                format!("columns `{first}` and `{second}` both match `{target}`"),
                format!("`{first}` 列和 `{second}` 列都对应 `{target}`"),
            ),
            DataErrorKind::FieldCount { found, expected } => lang.pick(
                format!("the row has {found} fields but the header has {expected}"),
                format!("这一行有 {found} 个单元格，但表头有 {expected} 列"),
            ),
            DataErrorKind::NotAnObject { found } => lang.pick(
                format!("array element is {found}, not an object"),
                format!("数组元素是{}，不是对象", json_kind_zh(found)),
            ),
            DataErrorKind::DuplicateKey { key } => lang.pick(
                format!("key `{key}` appears twice in this object"),
                format!("这个对象里 `{key}` 出现了两次"),
            ),
            DataErrorKind::Cell(c) => c.message(lang),
            DataErrorKind::MissingValue { id } => lang.pick(
                format!("empty cell, and input `{id}` has no default"),
                format!("单元格是空的，而输入 `{id}` 没有默认值"),
            ),
            DataErrorKind::EmptyEmployee => lang.pick("empty employee id", "员工编号是空的").into(),
            DataErrorKind::EmptyPeriod => lang.pick("empty period", "月份是空的").into(),
            DataErrorKind::BadPeriod { raw } => lang.pick(
                format!("`{raw}` is not a period"),
                format!("`{raw}` 不是有效的月份"),
            ),
            DataErrorKind::DuplicateRow {
                employee,
                period,
                first_line,
            } => lang.pick(
                format!(
                    "employee `{employee}` already has a row for `{period}` on line {first_line}"
                ),
                format!("员工 `{employee}` 在 `{period}` 已经有一行数据（第 {first_line} 行）"),
            ),
            DataErrorKind::DuplicatePeriod { period, first_line } => lang.pick(
                format!("period `{period}` already has a row on line {first_line}"),
                format!("`{period}` 已经有一行数据（第 {first_line} 行）"),
            ),
            DataErrorKind::MissingPeriod {
                period,
                context_file,
            } => lang.pick(
                format!("period `{period}` has no row in the context file `{context_file}`"),
                format!("context 文件 `{context_file}` 里没有 `{period}` 这个月"),
            ),
            DataErrorKind::TooMany { more } => lang.pick(
                format!("… and {more} more errors"),
                format!("……还有 {more} 处错误"),
            ),
            DataErrorKind::BadEncoding { encoding, guessed } => match guessed {
                true => lang.pick(
                    format!("the file is not text in any encoding kpi knows (best guess: {encoding})"),
                    format!("文件不是可识别编码的文本（最接近的猜测：{encoding}）"),
                ),
                false => lang.pick(
                    format!("the file is not valid {encoding} text"),
                    format!("文件不是有效的 {encoding} 文本"),
                ),
            },
            DataErrorKind::BadWorkbook { message } => lang.pick(
                format!("cannot read the spreadsheet: {message}"),
                format!("无法读取这个表格文件：{message}"),
            ),
            DataErrorKind::NoSuchSheet { name, sheets } => lang.pick(
                format!("no sheet named `{name}` (sheets: {})", sheets.join(", ")),
                format!("没有名为 `{name}` 的工作表（现有：{}）", sheets.join("、")),
            ),
            DataErrorKind::HtmlTable => lang
                .pick(
                    "this `.xls` is really a web page (an HTML table), not an Excel file",
                    "这个 `.xls` 其实是网页（HTML 表格），不是 Excel 文件",
                )
                .into(),
            DataErrorKind::SheetsNotBuilt => lang
                .pick(
                    "this build of kpi reads no spreadsheets (built without the `spreadsheets` feature)",
                    "这个 kpi 版本不能读取表格文件（编译时没有启用 `spreadsheets` 功能）",
                )
                .into(),
            DataErrorKind::HeaderUnit { header, unit, id, ty } => {
                let zh_ty = Ty::from_name(ty)
                    .map(|t| ty_name(&t, Lang::Zh))
                    .unwrap_or_else(|| ty.clone());
                lang.pick(
                    format!("header `{header}` says `{unit}`, but input `{id}` is {ty}"),
                    format!("表头 `{header}` 的单位是 `{unit}`，但输入 `{id}` 是{zh_ty}"),
                )
            }
            DataErrorKind::DuplicateAcrossFiles {
                employee,
                period,
                first_file,
                first_line,
            } => lang.pick(
                format!(
                    "employee `{employee}` already has a row for `{period}` in {first_file}:{first_line}"
                ),
                format!(
                    "员工 `{employee}` 在 `{period}` 已经有一行数据（{first_file} 第 {first_line} 行）"
                ),
            ),
        }
    }

    /// How to fix it, in `lang`.
    pub fn help(&self, lang: Lang) -> Option<String> {
        let text = match self {
            DataErrorKind::Empty => lang
                .pick(
                    "the first line must name the columns, e.g. `employee,period,...`",
                    "第一行要写各列的名称，例如 `employee,period,...`",
                )
                .into(),
            DataErrorKind::Syntax { format, .. } => {
                let (en, zh) = if *format == "JSON" {
                    (
                        "data in JSON is an array of objects: `[{\"employee\": \"E001\", \"period\": \"2026-10\", ...}]`",
                        "JSON 数据应是由对象组成的数组：`[{\"employee\": \"E001\", \"period\": \"2026-10\", ...}]`",
                    )
                } else {
                    (
                        "save the sheet as UTF-8 CSV: one header row, then one row per line",
                        "请把表格另存为 UTF-8 编码的 CSV：第一行是表头，之后每行一条记录",
                    )
                };
                lang.pick(en, zh).into()
            }
            DataErrorKind::MissingColumn { name, aliases } => {
                let (more_en, more_zh) = match *name {
                    "period" => (
                        "; or give the month of the whole file with `--period 2026-10`",
                        "；或用 `--period 2026-10` 指定整个文件的月份",
                    ),
                    _ => (
                        "; or name the column with `--employee-column HEADER`",
                        "；或用 `--employee-column 表头` 指定这一列",
                    ),
                };
                lang.pick(
                    format!("add a column headed `{name}` (or {aliases}){more_en}"),
                    format!("加一列，表头写 `{name}`（或 {}）{more_zh}", or_zh(aliases)),
                )
            }
            DataErrorKind::MissingInput {
                id,
                label,
                suggestion,
            } => {
                let headers = match label {
                    Some(l) => lang.pick(format!("`{l}` or `{id}`"), format!("`{l}` 或 `{id}`")),
                    None => format!("`{id}`"),
                };
                match suggestion {
                    Some(h) => lang.pick(
                        format!(
                            "did you mean `{h}`? If that column is `{id}`, add its header to the input: `input {id} \"{}\" | \"{h}\" : …`",
                            label.as_deref().unwrap_or(id)
                        ),
                        format!(
                            "是不是 `{h}`？如果这一列就是 `{id}`，请把表头加到输入的标签里：`input {id} \"{}\" | \"{h}\" : …`",
                            label.as_deref().unwrap_or(id)
                        ),
                    ),
                    None => lang.pick(
                        format!(
                            "add a column headed {headers}, or declare a default for `{id}` in the policy"
                        ),
                        format!("加一列，表头写 {headers}；或在方案里给 `{id}` 声明默认值"),
                    ),
                }
            }
            DataErrorKind::DuplicateColumn { .. } => lang
                .pick("keep only one of the two columns", "两列只保留一列")
                .into(),
            DataErrorKind::FieldCount { .. } => lang
                .pick(
                    "a field that contains `,` or `\"` must be quoted: `\"1,234\"`",
                    "含有 `,` 或 `\"` 的单元格要加引号：`\"1,234\"`",
                )
                .into(),
            DataErrorKind::NotAnObject { .. } => lang
                .pick(
                    "each element is one row: `{\"employee\": \"E001\", \"period\": \"2026-10\", ...}`",
                    "每个元素是一行：`{\"employee\": \"E001\", \"period\": \"2026-10\", ...}`",
                )
                .into(),
            DataErrorKind::DuplicateKey { key } => lang.pick(
                format!("keep only one `{key}`"),
                format!("只保留一个 `{key}`"),
            ),
            DataErrorKind::Cell(c) => return c.help(lang),
            DataErrorKind::MissingValue { id } => lang.pick(
                format!("fill in a value, or declare a default for `{id}` in the policy"),
                format!("请填上数值，或在方案里给 `{id}` 声明默认值"),
            ),
            DataErrorKind::EmptyEmployee => lang
                .pick("every row needs an employee id", "每一行都要有员工编号")
                .into(),
            DataErrorKind::EmptyPeriod => lang
                .pick(
                    "every row needs a period written `YYYY-MM`, e.g. `2026-10`",
                    "每一行都要有月份，写成 `YYYY-MM`，例如 `2026-10`",
                )
                .into(),
            DataErrorKind::BadPeriod { .. } => lang
                .pick(
                    "write the period as `YYYY-MM`, e.g. `2026-10`",
                    "月份请写成 `YYYY-MM`，例如 `2026-10`",
                )
                .into(),
            DataErrorKind::DuplicateRow { .. } => lang
                .pick(
                    "keep one row per employee and period",
                    "每个员工每个月只保留一行",
                )
                .into(),
            DataErrorKind::DuplicatePeriod { .. } => lang
                .pick("keep one row per period", "每个月只保留一行")
                .into(),
            DataErrorKind::MissingPeriod {
                period,
                context_file,
            } => lang.pick(
                format!("add a row for `{period}` to `{context_file}`"),
                format!("在 `{context_file}` 里补上 `{period}` 这一行"),
            ),
            DataErrorKind::TooMany { .. } => lang
                .pick(
                    "fix the errors above and run again",
                    "请先改正上面的错误，再重新运行",
                )
                .into(),
            DataErrorKind::BadEncoding { .. } => lang
                .pick(
                    "name the file's encoding with `--encoding` (e.g. `--encoding gbk`), or save it as UTF-8 CSV",
                    "请用 `--encoding` 指定文件编码（例如 `--encoding gbk`），或把文件另存为 UTF-8 CSV",
                )
                .into(),
            DataErrorKind::BadWorkbook { .. } => lang
                .pick(
                    "open it in Excel and save it again as `.xlsx`, or export CSV",
                    "请用 Excel 打开后另存为 `.xlsx`，或导出为 CSV",
                )
                .into(),
            DataErrorKind::NoSuchSheet { .. } => lang
                .pick(
                    "pass one of the sheet names above with `--sheet`",
                    "请用 `--sheet` 指定上面列出的某个工作表",
                )
                .into(),
            DataErrorKind::HtmlTable => lang
                .pick(
                    "open it in Excel and save it as `.xlsx` (文件 → 另存为 → Excel 工作簿), or as CSV",
                    "请用 Excel 打开后另存为 `.xlsx`（文件 → 另存为 → Excel 工作簿）或 CSV",
                )
                .into(),
            DataErrorKind::SheetsNotBuilt => lang
                .pick(
                    "save the sheet as CSV, or use a kpi built with default features",
                    "请把表格另存为 CSV，或使用默认功能编译的 kpi",
                )
                .into(),
            DataErrorKind::HeaderUnit { .. } => lang
                .pick(
                    "check that the column is the right one; the unit in brackets must fit the input's type",
                    "请确认对应的列是否正确；括号里的单位要和输入的类型一致",
                )
                .into(),
            DataErrorKind::DuplicateAcrossFiles { .. } => lang
                .pick(
                    "keep one row per employee and period across all data files",
                    "所有数据文件里，每个员工每个月只保留一行",
                )
                .into(),
        };
        Some(text)
    }
}

/// A cell that does not fit its input. Messages name the raw text, not the
/// column: the caller knows where the cell is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellError {
    NotANumber {
        raw: String,
    },
    BadSeparators {
        raw: String,
    },
    TooManyDigits {
        raw: String,
    },
    NoPercentSign {
        raw: String,
    },
    /// A unit that does not fit the column's type. `ty` is the type's name
    /// (`percent`, `days`, `money`, …); `expected` is the English help, used
    /// only when `ty` is not a type name.
    WrongUnit {
        raw: String,
        ty: String,
        expected: String,
    },
    /// `declared` is the input's duration type (`days`, …).
    UnknownDurationUnit {
        raw: String,
        unit: String,
        declared: String,
    },
    NotWhole {
        raw: String,
    },
    Negative {
        raw: String,
    },
    /// A negative duration or amount in a column whose input declares no
    /// range: exports never hold one, and the checker assumes none.
    NegativeQuantity {
        raw: String,
        ty: String,
    },
    NotABool {
        raw: String,
    },
    NotALevel {
        raw: String,
        levels: String,
    },
    /// A JSON object or array (`found`) where a cell value belongs.
    NotAScalar {
        found: &'static str,
    },
    OutOfRange {
        raw: String,
        lo: String,
        hi: String,
    },
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for CellError {}

fn dur_unit_zh(u: DurUnit) -> &'static str {
    match u {
        DurUnit::Seconds => "秒",
        DurUnit::Minutes => "分钟",
        DurUnit::Hours => "小时",
        DurUnit::Days => "天",
    }
}

/// How many characters of a bad cell a message quotes.
pub const QUOTED_CHARS: usize = 40;

/// The first [`QUOTED_CHARS`] characters of `raw`, then `…` if it is longer.
pub fn quoted(raw: &str) -> String {
    match raw.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", raw.get(..cut).unwrap_or(raw)),
        None => raw.to_string(),
    }
}

impl CellError {
    /// The same error quoting at most [`QUOTED_CHARS`] characters of the
    /// cell: a 50 MB cell is not echoed whole.
    pub fn shortened(mut self) -> CellError {
        if let CellError::UnknownDurationUnit { unit, .. } = &mut self {
            if unit.chars().nth(QUOTED_CHARS).is_some() {
                *unit = quoted(unit);
            }
        }
        let raw = match &mut self {
            CellError::NotANumber { raw }
            | CellError::BadSeparators { raw }
            | CellError::TooManyDigits { raw }
            | CellError::NoPercentSign { raw }
            | CellError::WrongUnit { raw, .. }
            | CellError::UnknownDurationUnit { raw, .. }
            | CellError::NotWhole { raw }
            | CellError::Negative { raw }
            | CellError::NegativeQuantity { raw, .. }
            | CellError::NotABool { raw }
            | CellError::NotALevel { raw, .. }
            | CellError::OutOfRange { raw, .. } => raw,
            CellError::NotAScalar { .. } => return self,
        };
        if raw.chars().nth(QUOTED_CHARS).is_some() {
            *raw = quoted(raw);
        }
        self
    }

    /// The stable diagnostic code.
    pub fn code(&self) -> &'static str {
        match self {
            CellError::OutOfRange { .. } => "kpi::data::out_of_range",
            _ => "kpi::data::bad_cell",
        }
    }

    /// What is wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            CellError::NotANumber { raw } => lang.pick(
                format!("`{raw}` is not a number"),
                format!("`{raw}` 不是数字"),
            ),
            CellError::BadSeparators { raw } => lang.pick(
                format!("`{raw}` has misplaced thousands separators"),
                format!("`{raw}` 的千位分隔符位置不对"),
            ),
            CellError::TooManyDigits { raw } => lang.pick(
                format!("`{raw}` has too many digits"),
                format!("`{raw}` 的位数太多"),
            ),
            CellError::NoPercentSign { raw } => lang.pick(
                format!("`{raw}` in a percent column has no `%`; write `{raw}%`"),
                format!("百分比列里的 `{raw}` 没有写 `%`；应写成 `{raw}%`"),
            ),
            CellError::WrongUnit { raw, ty, .. } => {
                let zh_ty = Ty::from_name(ty)
                    .map(|t| ty_name(&t, Lang::Zh))
                    .unwrap_or_else(|| ty.clone());
                lang.pick(
                    format!("`{raw}` has a unit that does not fit a {ty} column"),
                    format!("`{raw}` 带的单位不适合{zh_ty}列"),
                )
            }
            CellError::UnknownDurationUnit { raw, unit, .. } => lang.pick(
                format!("`{raw}` has an unknown duration unit `{unit}`"),
                format!("`{raw}` 的时间单位 `{unit}` 无法识别"),
            ),
            CellError::NotWhole { raw } => lang.pick(
                format!("`{raw}` is not a whole number"),
                format!("`{raw}` 不是整数"),
            ),
            CellError::Negative { raw } | CellError::NegativeQuantity { raw, .. } => {
                lang.pick(format!("`{raw}` is negative"), format!("`{raw}` 是负数"))
            }
            CellError::NotABool { raw } => lang.pick(
                format!("`{raw}` is not a bool"),
                format!("`{raw}` 不是“是/否”值"),
            ),
            CellError::NotALevel { raw, levels } => lang.pick(
                format!("`{raw}` is not one of the levels {levels}"),
                format!("`{raw}` 不是可选的等级（{}）", levels.replace(", ", "、")),
            ),
            CellError::NotAScalar { found } => lang.pick(
                format!("a JSON {found} is not a cell value"),
                format!("JSON {}不能作为单元格的值", json_kind_zh(found)),
            ),
            CellError::OutOfRange { raw, lo, hi } => lang.pick(
                format!("`{raw}` is outside the range {lo}..{hi}"),
                format!("`{raw}` 超出了范围 {lo}..{hi}"),
            ),
        }
    }

    /// How to fix it, in `lang`.
    pub fn help(&self, lang: Lang) -> Option<String> {
        let text = match self {
            CellError::NotANumber { .. } => lang
                .pick(
                    "write a plain decimal such as `12` or `0.5` (no exponents, no NaN or infinity)",
                    "请写普通的小数，例如 `12` 或 `0.5`（不要用科学计数法，也不能是 NaN 或无穷大）",
                )
                .into(),
            CellError::BadSeparators { .. } => lang
                .pick(
                    "group digits by threes (`1,234.5`) or leave the commas out (`1234.5`)",
                    "每三位一个逗号（`1,234.5`），或者不写逗号（`1234.5`）",
                )
                .into(),
            CellError::TooManyDigits { .. } => lang
                .pick(
                    "at most 28 significant digits are supported",
                    "最多支持 28 位有效数字",
                )
                .into(),
            CellError::NoPercentSign { .. } => lang
                .pick(
                    "percents are written with `%`; if the export holds fractions (`0.995` for 99.5%), pass `--percent-fractions`",
                    "百分比要带 `%`；如果导出的数据是小数（`0.995` 表示 99.5%），请加上 `--percent-fractions` 参数",
                )
                .into(),
            CellError::WrongUnit { ty, expected, .. } => wrong_unit_help(ty, expected, lang),
            CellError::UnknownDurationUnit { declared, .. } => {
                let unit_zh = match Ty::from_name(declared) {
                    Some(Ty::Duration(u)) => dur_unit_zh(u).to_string(),
                    _ => declared.clone(),
                };
                lang.pick(
                    format!(
                        "use one of s, min, h, d, 秒, 分钟, 小时, 天, or a plain number in {declared}"
                    ),
                    format!(
                        "请用 s、min、h、d、秒、分钟、小时、天 之一，或直接写以{unit_zh}为单位的数字"
                    ),
                )
            }
            CellError::NotWhole { .. } | CellError::Negative { .. } => lang
                .pick(
                    "counts are whole numbers ≥ 0",
                    "次数必须是大于等于 0 的整数",
                )
                .into(),
            CellError::NegativeQuantity { ty, .. } => {
                let zh_ty = Ty::from_name(ty)
                    .map(|t| ty_name(&t, Lang::Zh))
                    .unwrap_or_else(|| ty.clone());
                lang.pick(
                    format!(
                        "a {ty} column holds values ≥ 0; if this input can be negative, declare its range (`in -100..100`)"
                    ),
                    format!(
                        "{zh_ty}列的值应大于等于 0；如果这项可以为负，请声明取值范围（`in -100..100`）"
                    ),
                )
            }
            CellError::NotABool { .. } => lang
                .pick(
                    "write `true` or `false`, `是` or `否`, `1` or `0`",
                    "请写 `true`/`false`、`是`/`否` 或 `1`/`0`",
                )
                .into(),
            CellError::NotALevel { levels, .. } => lang.pick(
                format!("write one of the declared levels exactly: {levels}"),
                format!(
                    "请准确填写方案里声明的等级之一：{}",
                    levels.replace(", ", "、")
                ),
            ),
            CellError::NotAScalar { .. } => lang
                .pick(
                    "cells are JSON strings, numbers, booleans or null",
                    "单元格只能是 JSON 的字符串、数字、布尔值或 null",
                )
                .into(),
            CellError::OutOfRange { lo, hi, .. } if hi.is_empty() => lang.pick(
                format!("the input's declared range is {lo}.., from {lo} up, {lo} included"),
                format!("这项输入声明的范围是 {lo}..，即不小于 {lo}"),
            ),
            CellError::OutOfRange { lo, hi, .. } => lang.pick(
                format!("the input's declared range is {lo}..{hi}, both ends included"),
                format!("这项输入声明的范围是 {lo}..{hi}（包含两端）"),
            ),
        };
        Some(text)
    }
}

/// The help for a unit that does not fit a column of type `ty`.
fn wrong_unit_help(ty: &str, expected: &str, lang: Lang) -> String {
    match Ty::from_name(ty) {
        Some(Ty::Number(kind)) => lang.pick(
            format!("a {ty} column holds plain numbers, without `%`"),
            format!(
                "{}列只填数字，不带 `%`",
                ty_name(&Ty::Number(kind), Lang::Zh)
            ),
        ),
        Some(Ty::Duration(u)) => lang.pick(
            format!("write a number of {ty}, or a number with a unit such as `32s` or `2.5d`"),
            format!(
                "请填以{}为单位的数字，或带单位的数，例如 `32s` 或 `2.5d`",
                dur_unit_zh(u)
            ),
        ),
        Some(Ty::Money) => lang
            .pick(
                "a money column holds amounts in yuan, e.g. `1234.5`, `¥1,234.50` or `1234.5元`",
                "金额列填以元为单位的数，例如 `1234.5`、`¥1,234.50` 或 `1234.5元`",
            )
            .into(),
        _ => expected.to_string(),
    }
}
