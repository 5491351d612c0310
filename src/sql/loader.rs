//! The loader: SQL that creates `records` and `context` with the typed
//! columns the compiled query reads (REQUIREMENTS §10), from CSV or Parquet
//! files whose columns are the input ids with values in base units
//! (percents as fractions, durations in seconds, money in yuan; grades as
//! level names; an empty cell is missing).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{column_scale, column_type, Dialect, Options};
use crate::ir::{Field, Program};
use crate::types::{NumKind, Ty};

/// The file format the loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Parquet,
}

impl FileFormat {
    /// From a file name: `.parquet` (or `.pq`) is Parquet, anything else CSV.
    pub fn of(path: &str) -> FileFormat {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".parquet") || lower.ends_with(".pq") {
            FileFormat::Parquet
        } else {
            FileFormat::Csv
        }
    }
}

/// Statements (each ending with `;` and a newline) that create the
/// relations `opts.records` and `opts.context` from the given files.
pub fn loader(
    program: &Program,
    opts: &Options,
    records_file: &str,
    context_file: Option<&str>,
) -> String {
    let d = opts.dialect;
    let mut out = format!(
        "-- {}: load `{}`{} for the query of `kpi compile --to sql --dialect {}`.\n",
        program.name,
        opts.records,
        if program.context.is_empty() {
            String::new()
        } else {
            format!(" and `{}`", opts.context)
        },
        match d {
            Dialect::DuckDb => "duckdb",
            Dialect::Spark => "spark",
        }
    );
    out.push_str("-- Columns: the input ids, values in base units (45 % = 0.45, durations in seconds, money in yuan).\n");
    let key = |name: &str| (name.to_string(), text_type(d).to_string(), u32::MAX);
    let mut cols = vec![key("employee"), key("period"), key("team")];
    cols.extend(typed(&program.inputs, d));
    out.push_str(&table(d, &opts.records, records_file, &cols));
    if !program.context.is_empty() {
        let mut cols = vec![key("period")];
        cols.extend(typed(&program.context, d));
        let file = context_file.unwrap_or("context.csv");
        out.push_str(&table(d, &opts.context, file, &cols));
    }
    out
}

fn text_type(d: Dialect) -> &'static str {
    match d {
        Dialect::DuckDb => "VARCHAR",
        Dialect::Spark => "STRING",
    }
}

fn typed(fields: &[Field], d: Dialect) -> Vec<(String, String, u32)> {
    fields
        .iter()
        .map(|f| {
            let scale = match f.ty {
                Ty::Number(NumKind::Count) | Ty::Bool | Ty::Text | Ty::Grade(_) => None,
                Ty::Number(_) | Ty::Money | Ty::Duration(_) => Some(column_scale(&f.ty).0),
            };
            (f.id.clone(), column_type(f, d), scale.unwrap_or(u32::MAX))
        })
        .collect()
}

/// Columns: (id, SQL type, decimal places or `u32::MAX` for non-decimals).
fn table(d: Dialect, name: &str, file: &str, cols: &[(String, String, u32)]) -> String {
    let select = cols
        .iter()
        .map(|(c, ty, scale)| {
            let id = d.ident(c);
            if *scale == u32::MAX {
                return format!("CAST({id} AS {ty}) AS {id}");
            }
            // A value with more places than the column keeps would be
            // rounded by the cast: refuse it instead (a pattern on the text
            // is cheaper than a second, wider cast).
            let pattern = format!("'^ *[-+]?[0-9]*([.][0-9]{{0,{scale}}})?0* *$'");
            let text = d.text(&id);
            let ok = match d {
                Dialect::DuckDb => format!("regexp_matches({text}, {pattern})"),
                Dialect::Spark => format!("{text} RLIKE {pattern}"),
            };
            format!(
                "CASE WHEN {id} IS NOT NULL AND NOT {ok} THEN {} ELSE CAST({id} AS {ty}) END AS {id}",
                d.error(&format!("`{c}` has more than {scale} decimal places"))
            )
        })
        .collect::<Vec<_>>()
        .join(",\n       ");
    let path = d.str_lit(file);
    match (d, FileFormat::of(file)) {
        (Dialect::DuckDb, FileFormat::Csv) => format!(
            "CREATE OR REPLACE TABLE {name} AS\nSELECT {select}\nFROM read_csv({path}, header = true, all_varchar = true);\n"
        ),
        (Dialect::DuckDb, FileFormat::Parquet) => format!(
            "CREATE OR REPLACE TABLE {name} AS\nSELECT {select}\nFROM read_parquet({path});\n"
        ),
        (Dialect::Spark, format) => {
            let raw = d.ident(&format!("{name}_file"));
            let using = match format {
                FileFormat::Csv => format!(
                    "USING csv OPTIONS (path {path}, header 'true', inferSchema 'false', encoding 'UTF-8')"
                ),
                FileFormat::Parquet => format!("USING parquet OPTIONS (path {path})"),
            };
            format!(
                "CREATE OR REPLACE TEMPORARY VIEW {raw} {using};\nCREATE OR REPLACE TEMPORARY VIEW {name} AS\nSELECT {select}\nFROM {raw};\n"
            )
        }
    }
}
