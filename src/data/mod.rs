//! Reading metric records and context values: CSV/TSV in any of the
//! encodings Excel writes, JSON, and spreadsheets (feature `spreadsheets`),
//! in the layouts real exports have (§5.3).
//!
//! Pure functions over bytes: the caller reads the files. Every value comes
//! back in base units (see [`crate::types`]): percents as fractions,
//! durations in seconds, money in yuan. On bad data, every bad row is
//! reported ([`DataError`], with file, line and column), never just the first.
//!
//! The path of a file: [`decode`] (encoding) → a row source (`csv_rows`,
//! `json`, `sheet`) → `rows` (header found below title rows, totals rows
//! skipped, shape checked) → a `RowSink` (`records`, `context`) that
//! matches columns (`layout`) and converts cells (`cells`).

mod batch;
mod cells;
mod context;
mod csv_rows;
mod decode;
mod error;
mod first_rows;
mod guess;
mod ids;
mod json;
mod layout;
mod plain_number;
mod records;
mod rows;
mod sample;
#[cfg(feature = "spreadsheets")]
mod sheet;
mod table;

#[cfg(test)]
mod tests;

use rust_decimal::Decimal;

use crate::types::{Period, Ty};

pub use batch::{read_batch, stream_batch, BatchRead};
pub use cells::{display_base, parse_cell};
pub use context::{check_context_periods, read_context, read_context_file};
pub use decode::{decode, encoding_for_label, Decoded};
pub use error::{
    error_count, notice_lines, quoted, CellError, DataError, DataErrorKind, DataNotice, MAX_ERRORS,
};
pub use guess::{guess_columns, Guess};
pub use ids::Ids;
pub use layout::{apply_header_unit, header_name, KeyNames, TOTALS_WORDS};
pub use records::{
    read_records, read_records_file, read_records_partial, stream_records_file,
    stream_records_reader, ChunkSink, DataInput, Parallel, RecordsRead,
};
pub use sample::{sample_file, Sample};

/// One declared input (record or context), as the checker hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub id: String,
    pub label: Option<String>,
    /// Further headers that name this input (`"平均响应时间" | "平均响应(秒)"`).
    pub aliases: Vec<String>,
    pub ty: Ty,
    /// Valid range, inclusive, in base units; `None` = no declared range.
    pub range: Option<(Decimal, Decimal)>,
    /// Value used when the cell is empty or the column is missing.
    pub default: Option<Cell>,
}

impl FieldSpec {
    /// The data layer's view of a declared input of a checked program.
    pub fn of(f: &crate::ir::Field) -> FieldSpec {
        use crate::ir::Value;
        FieldSpec {
            id: f.id.clone(),
            label: f.label.clone(),
            aliases: f.aliases.clone(),
            ty: f.ty.clone(),
            range: f.range,
            default: f.default.as_ref().and_then(|v| match v {
                Value::Num(n) => n.to_decimal().map(Cell::Num),
                Value::Bool(b) => Some(Cell::Bool(*b)),
                Value::Text(t) => Some(Cell::Text(t.to_string())),
                Value::Level(l) => Some(Cell::Level(*l)),
            }),
        }
    }
}

/// One parsed cell, in base units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Num(Decimal),
    Bool(bool),
    Text(String),
    /// Index into the levels of a `Ty::Grade`.
    Level(u16),
}

impl Cell {
    /// The cell as an evaluation value. (Inlined, so that the value is
    /// written where it goes: one returned through memory is written
    /// piecewise and read back whole, a stall per cell.)
    #[inline(always)]
    pub fn into_value(self) -> crate::ir::Value {
        use crate::ir::Value;
        match self {
            Cell::Num(d) => Value::Num(crate::eval::num::Num::from_decimal(d)),
            Cell::Bool(b) => Value::Bool(b),
            Cell::Text(t) => text_value(t),
            Cell::Level(l) => Value::Level(l),
        }
    }

    /// [`Cell::into_value`] undone (`None` for a value no cell gives: a fraction).
    pub fn from_value(v: &crate::ir::Value) -> Option<Cell> {
        use crate::ir::Value;
        Some(match v {
            Value::Num(crate::num::Num::Dec { m, s }) => {
                Cell::Num(Decimal::try_from_i128_with_scale(*m, u32::from(*s)).ok()?)
            }
            Value::Num(crate::num::Num::Frac { .. }) => return None,
            Value::Bool(b) => Cell::Bool(*b),
            Value::Text(t) => Cell::Text(t.to_string()),
            Value::Level(l) => Cell::Level(*l),
        })
    }
}

/// A text cell's value (kept out of line: texts are rare among inputs).
#[inline(never)]
fn text_value(t: String) -> crate::ir::Value {
    crate::ir::Value::Text(t.into())
}

/// One row of the records file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The employee id and team name.
    pub ids: Ids,
    pub period: Period,
    /// 1-based line of the row in the file (the header is line 1; for JSON,
    /// the line where the object starts).
    pub line: usize,
    /// One per field spec, in the same order, defaults applied, packed as
    /// their values ([`Cell::into_value`]): built on the reading thread,
    /// evaluated as they are.
    pub inputs: crate::packed::Inputs,
}

impl Record {
    pub fn employee(&self) -> &str {
        self.ids.employee()
    }

    pub fn team(&self) -> Option<&str> {
        self.ids.team()
    }

    /// Its cells, as they were read.
    pub fn cells(&self) -> Vec<Cell> {
        (0..self.inputs.len())
            .filter_map(|i| Cell::from_value(&self.inputs.get(i)?))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text: comma, tab or semicolon (sniffed).
    Csv,
    Json,
    /// `.xlsx`, `.xlsm`, `.xls`, `.ods` (read with the `spreadsheets` feature).
    Sheet,
    /// A `.xls` that is really an HTML table (some exports do that).
    HtmlTable,
}

/// How cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// Bare numbers in percent columns are fractions (`0.995`) instead of an error.
    pub percent_fractions: bool,
}

/// How a file is laid out, beyond what can be sniffed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// Headers that name the key columns, tried before the built-in ones.
    pub keys: KeyNames,
    /// The period of every row of a file without a period column (`--period`).
    pub period: Option<Period>,
    /// The text encoding, when not detected (`--encoding`).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// The worksheet to read (`--sheet`); default: the first with data.
    pub sheet: Option<String>,
}

/// At most how many records a delimited text file holds (its line ends,
/// plus one), for reserving room before reading it; `None` for other
/// formats, whose bytes tell nothing of it.
pub fn records_at_most(file_name: &str, bytes: &[u8]) -> Option<usize> {
    (detect_format(file_name, bytes) == Format::Csv)
        .then(|| memchr::memchr_iter(b'\n', bytes).count() + 1)
}

/// The format of a data file, from its name and first bytes: spreadsheets
/// by extension or signature (zip, OLE), JSON by extension or a leading
/// `[`/`{`, else delimited text.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> Format {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let start: Vec<u8> = bytes
        .iter()
        .copied()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(512)
        .collect();
    let sheet_ext = matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods");
    let zip_or_ole =
        bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if sheet_ext && !zip_or_ole {
        let head = String::from_utf8_lossy(&start).to_ascii_lowercase();
        if head.contains("<html") || head.contains("<table") || head.contains("<!doctype") {
            return Format::HtmlTable;
        }
    }
    if sheet_ext || zip_or_ole {
        return Format::Sheet;
    }
    let text_start = start
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&start);
    if ext == "json" || matches!(text_start.first(), Some(b'[' | b'{')) {
        Format::Json
    } else {
        Format::Csv
    }
}
