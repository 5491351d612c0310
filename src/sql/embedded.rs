//! The compiled query run in embedded DuckDB (feature `duckdb`), for
//! `kpi eval --engine duckdb`.
//!
//! The records and context, already validated by kpi's own data layer, go
//! into the tables `records` and `context` with the column types the query
//! reads ([`column_type`], REQUIREMENTS §10), exactly: a decimal as its
//! decimal text (DuckDB's cast of text to `DECIMAL` is exact when the
//! column keeps as many places, and a value with more places or digits
//! than its column is refused before, never rounded), a count as a 64-bit
//! integer; never a float. The query's rows come back as the text columns
//! it returns, spelled like `kpi eval --format csv`.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::error::{DuckDbError, NotHeld};
use super::{column_type, decimal_type, Dialect};
use crate::data::{Cell, Record};
use crate::ir::{Field, Program};
use crate::types::{NumKind, Period, Ty};
use duckdb::types::{Value, ValueRef};
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;

/// The relations the compiled query reads (`Options::new`'s names).
const RECORDS: &str = "records";
const CONTEXT: &str = "context";

/// At most this many values that do not fit their column are reported
/// one by one (the rest are counted).
pub const MAX_REPORTED: usize = 100;

/// How a column's cells become DuckDB values.
enum Kind<'p> {
    Count,
    Decimal { precision: u32, scale: u32 },
    Bool,
    Text,
    Grade(&'p [String]),
}

/// An input's column.
struct Column<'p> {
    id: &'p str,
    kind: Kind<'p>,
    /// Its SQL type, for messages.
    sql_type: String,
}

/// Whose values a row holds, for messages: the record's line and employee
/// (`None` for context), and the period.
type Whose<'r> = (Option<usize>, Option<&'r str>, Period);

/// Appends to `row` each cell as its column holds it; a value that does
/// not fit is refused (with whose it is) and the row is then not to be
/// appended (false).
fn push_values(
    columns: &[Column<'_>],
    cells: &[Cell],
    (line, employee, period): Whose<'_>,
    row: &mut Vec<Value>,
    refused: &mut Vec<DuckDbError>,
) -> bool {
    let mut fits = true;
    for (c, cell) in columns.iter().zip(cells) {
        match c.value(cell) {
            Ok(v) => row.push(v),
            Err(value) => {
                fits = false;
                refused.push(DuckDbError::Unrepresentable(Box::new(NotHeld {
                    line,
                    employee: employee.map(str::to_string),
                    period: period.to_string(),
                    input: c.id.to_string(),
                    value,
                    column: c.sql_type.clone(),
                })));
            }
        }
    }
    fits
}

impl<'p> Column<'p> {
    fn of(f: &'p Field) -> Column<'p> {
        let kind = match &f.ty {
            Ty::Number(NumKind::Count) => Kind::Count,
            Ty::Number(_) | Ty::Money | Ty::Duration(_) => {
                let (precision, scale) = decimal_type(f).unwrap_or((38, 6));
                Kind::Decimal { precision, scale }
            }
            Ty::Bool => Kind::Bool,
            Ty::Text => Kind::Text,
            Ty::Grade(levels) => Kind::Grade(levels),
        };
        Column {
            id: &f.id,
            kind,
            sql_type: column_type(f, Dialect::DuckDb),
        }
    }

    /// The cell as the value its column holds; `Err(text)`: the value (as
    /// text) does not fit the column.
    fn value(&self, cell: &Cell) -> Result<Value, String> {
        match (&self.kind, cell) {
            (Kind::Count, Cell::Num(d)) => match d.fract().is_zero().then(|| d.to_i64()) {
                Some(Some(n)) => Ok(Value::BigInt(n)),
                _ => Err(d.normalize().to_string()),
            },
            (Kind::Decimal { precision, scale }, Cell::Num(d)) => {
                let d = d.normalize();
                let whole = d.trunc().abs();
                let digits = if whole.is_zero() {
                    0
                } else {
                    whole.to_string().len()
                };
                let fits =
                    d.scale() <= *scale && digits <= precision.saturating_sub(*scale) as usize;
                if fits {
                    Ok(Value::Text(d.to_string()))
                } else {
                    Err(d.to_string())
                }
            }
            (Kind::Bool, Cell::Bool(b)) => Ok(Value::Boolean(*b)),
            (Kind::Text, Cell::Text(t)) => Ok(Value::Text(t.clone())),
            (Kind::Grade(levels), Cell::Level(l)) => levels
                .get(usize::from(*l))
                .map(|name| Value::Text(name.clone()))
                .ok_or_else(|| l.to_string()),
            // the data layer reads each input as its type
            (_, cell) => Err(format!("{cell:?}")),
        }
    }
}

/// An in-memory DuckDB database holding one run's records and context.
pub struct Database<'p> {
    conn: duckdb::Connection,
    inputs: Vec<Column<'p>>,
    context: Vec<Column<'p>>,
    /// The values that do not fit their column (at most [`MAX_REPORTED`]).
    unrepresentable: Vec<DuckDbError>,
    /// How many values did not fit.
    unrepresentable_count: usize,
    /// DuckDB's first failure while filling the tables.
    failed: Option<DuckDbError>,
}

/// DuckDB's message: its first line, from `kpi: ` on when the query raised
/// it (`Invalid Input Error: kpi: division by zero` → `kpi: division by zero`).
fn message(e: &duckdb::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    match first.find("kpi: ") {
        Some(i) => first.get(i..).unwrap_or(first).to_string(),
        None => first.to_string(),
    }
}

fn engine(e: duckdb::Error) -> DuckDbError {
    DuckDbError::Engine {
        message: message(&e),
    }
}

impl<'p> Database<'p> {
    /// An in-memory database with empty `records` (and, when the program
    /// has context inputs, `context`) tables typed for `program`.
    /// `threads`: DuckDB's worker threads (`None`: its default, one per core).
    pub fn open(program: &'p Program, threads: Option<usize>) -> Result<Database<'p>, DuckDbError> {
        let conn = duckdb::Connection::open_in_memory().map_err(engine)?;
        let inputs: Vec<Column<'p>> = program.inputs.iter().map(Column::of).collect();
        let context: Vec<Column<'p>> = program.context.iter().map(Column::of).collect();
        let d = Dialect::DuckDb;
        let columns = |cols: &[Column<'_>]| -> String {
            cols.iter()
                .map(|c| format!(", {} {}", d.ident(c.id), c.sql_type))
                .collect()
        };
        let mut ddl = String::new();
        if let Some(n) = threads {
            ddl.push_str(&format!("SET threads = {};\n", n.max(1)));
        }
        ddl.push_str(&format!(
            "CREATE TABLE {RECORDS} (employee VARCHAR, period VARCHAR, team VARCHAR{});\n",
            columns(&inputs)
        ));
        if !context.is_empty() {
            ddl.push_str(&format!(
                "CREATE TABLE {CONTEXT} (period VARCHAR{});\n",
                columns(&context)
            ));
        }
        conn.execute_batch(&ddl).map_err(engine)?;
        Ok(Database {
            conn,
            inputs,
            context,
            unrepresentable: Vec::new(),
            unrepresentable_count: 0,
            failed: None,
        })
    }

    /// Notes a value that does not fit its column.
    fn refuse(&mut self, error: DuckDbError) {
        self.unrepresentable_count += 1;
        if self.unrepresentable.len() < MAX_REPORTED {
            self.unrepresentable.push(error);
        }
    }

    /// Appends validated records to `records`. Problems are kept for
    /// [`Database::load_errors`]; after DuckDB fails, nothing more is appended.
    pub fn append_records(&mut self, records: &[Record]) {
        self.append_rows(
            RECORDS,
            false,
            records.iter().map(|r| {
                let keys = [
                    Value::Text(r.employee().to_string()),
                    Value::Text(r.period.to_string()),
                    r.team().map_or(Value::Null, |t| Value::Text(t.to_string())),
                ];
                let whose = (Some(r.line), Some(r.employee()), r.period);
                (keys, r.cells(), whose)
            }),
        );
    }

    /// Fills `context` with one row per period.
    pub fn set_context(&mut self, context: &BTreeMap<Period, Vec<Cell>>) {
        if self.context.is_empty() {
            return;
        }
        self.append_rows(
            CONTEXT,
            true,
            context.iter().map(|(p, cells)| {
                (
                    [Value::Text(p.to_string())],
                    cells.as_slice(),
                    (None, None, *p),
                )
            }),
        );
    }

    /// Appends to `table` one row per item: its key columns, then its cells
    /// as the table's columns (the context's, or the records') hold them. A
    /// row with a value that does not fit is refused; the rest are appended.
    fn append_rows<'r, K: IntoIterator<Item = Value>, C: AsRef<[Cell]>>(
        &mut self,
        table: &str,
        context: bool,
        rows: impl Iterator<Item = (K, C, Whose<'r>)>,
    ) {
        if self.failed.is_some() {
            return;
        }
        let columns = if context { &self.context } else { &self.inputs };
        let mut refused = Vec::new();
        let result = (|| -> duckdb::Result<()> {
            let mut app = self.conn.appender(table)?;
            let mut row: Vec<Value> = Vec::with_capacity(3 + columns.len());
            for (keys, cells, whose) in rows {
                row.clear();
                row.extend(keys);
                if push_values(columns, cells.as_ref(), whose, &mut row, &mut refused) {
                    app.append_row(duckdb::appender_params_from_iter(row.iter()))?;
                }
            }
            app.flush()
        })();
        for e in refused {
            self.refuse(e);
        }
        if let Err(e) = result {
            self.failed = Some(engine(e));
        }
    }

    /// What went wrong while filling the tables: DuckDB's failure, else
    /// every value that does not fit its column (at most [`MAX_REPORTED`];
    /// the second value is how many there were). Empty: the tables hold
    /// the data.
    pub fn load_errors(&mut self) -> (Vec<DuckDbError>, usize) {
        if let Some(e) = self.failed.take() {
            return (vec![e], 1);
        }
        (
            std::mem::take(&mut self.unrepresentable),
            self.unrepresentable_count,
        )
    }

    /// Runs `sql`, handing each result row (its columns as text, `None`
    /// for NULL) to `on_row`; returns how many columns the rows have.
    pub fn query(
        &self,
        sql: &str,
        on_row: &mut dyn FnMut(&[Option<&str>]),
    ) -> Result<usize, DuckDbError> {
        let stopped = |e: duckdb::Error| DuckDbError::QueryStopped {
            message: message(&e),
        };
        let mut stmt = self.conn.prepare(sql).map_err(engine)?;
        let mut rows = stmt.query([]).map_err(stopped)?;
        let columns = rows.as_ref().map_or(0, |s| s.column_count());
        while let Some(row) = rows.next().map_err(stopped)? {
            let mut texts: Vec<Option<&str>> = Vec::with_capacity(columns);
            for i in 0..columns {
                // DuckDB's value types grow with its versions: anything but
                // text or NULL is an error
                #[allow(clippy::wildcard_enum_match_arm)]
                let text = match row.get_ref(i).map_err(engine)? {
                    ValueRef::Null => None,
                    ValueRef::Text(bytes) => {
                        Some(std::str::from_utf8(bytes).map_err(|e| DuckDbError::Engine {
                            message: format!("result column {i}: {e}"),
                        })?)
                    }
                    other => {
                        return Err(DuckDbError::Engine {
                            message: format!(
                                "result column {i} is {:?}, not text",
                                other.data_type()
                            ),
                        })
                    }
                };
                texts.push(text);
            }
            on_row(&texts);
        }
        Ok(columns)
    }
}

/// The version of the DuckDB library kpi runs on (`v1.5.6`).
pub fn library_version() -> Result<String, DuckDbError> {
    let conn = duckdb::Connection::open_in_memory().map_err(engine)?;
    conn.query_row("SELECT version()", [], |r| r.get::<_, String>(0))
        .map_err(engine)
}
