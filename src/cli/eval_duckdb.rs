//! `kpi eval --engine duckdb`: the compiled query of `kpi compile --to sql
//! --dialect duckdb` run in embedded DuckDB (cargo feature `duckdb`).
//!
//! The records and context are read by kpi's own data layer, so encodings,
//! spreadsheets, header names and every validation (all bad rows reported,
//! exit 1, nothing written) are those of the other engines; the validated
//! values go into DuckDB exactly (`crate::sql::embedded`), the query
//! runs, and its rows are written as `kpi eval` writes results: CSV and
//! JSON byte for byte as the native engines write them, or the table.
//! xlsx and HTML reports need every person's figures, which the query does
//! not return: they are refused.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::eval::{Args, OutputFormat};
use super::{Exit, Source};
use crate::diag::Lang;
use crate::ir::Program;

pub fn run(args: &Args, lang: Lang, src: &Source, program: &Program, format: OutputFormat) -> Exit {
    #[cfg(not(feature = "duckdb"))]
    {
        let _ = (args, src, program, format);
        let report = crate::sql::DuckDbError::NotBuilt.report(lang);
        eprint!("{}", super::render_diagnostic(&report, None));
        Exit::Usage
    }
    #[cfg(feature = "duckdb")]
    {
        if matches!(format, OutputFormat::Xlsx | OutputFormat::Html) {
            match lang {
                Lang::En => eprintln!("error: `--engine duckdb` writes csv, json or table; for xlsx or html use `--engine batch`"),
                Lang::Zh => eprintln!("error: `--engine duckdb` 只输出 csv、json 或 table；xlsx 或 html 请用 `--engine batch`"),
            }
            return Exit::Usage;
        }
        embedded::run(args, lang, src, program, format)
    }
}

#[cfg(feature = "duckdb")]
mod embedded {
    use super::super::eval::{read_data, Args, HeaderStyle, OutputFormat};
    use super::super::output::{
        align, emit, emit_with, push_csv_field, push_json_str, results_head, results_separator,
        results_tail, table_header,
    };
    use super::super::{render_diagnostic, Exit, Source};
    use crate::diag::Lang;
    use crate::ir::Program;
    use crate::sql::embedded::Database;
    use crate::sql::{compile, Dialect, DuckDbError, Options};
    use crate::types::Ty;

    /// Prints DuckDB-engine diagnostics, then that nothing was written
    /// (`total`: how many problems there were in all, at least as many as shown).
    fn report(errors: &[DuckDbError], total: usize, lang: Lang) {
        for e in errors {
            eprint!("{}", render_diagnostic(&e.report(lang), None));
        }
        let hidden = total.saturating_sub(errors.len());
        if hidden > 0 {
            match lang {
                Lang::En => eprintln!("… and {hidden} more"),
                Lang::Zh => eprintln!("……另有 {hidden} 处"),
            }
        }
        match lang {
            Lang::En => eprintln!("{total} error(s); no results were written"),
            Lang::Zh => eprintln!("{total} 处错误，未写出任何结果"),
        }
    }

    pub fn run(
        args: &Args,
        lang: Lang,
        src: &Source,
        program: &Program,
        format: OutputFormat,
    ) -> Exit {
        let sql = match compile(program, &Options::new(Dialect::DuckDb)) {
            Ok(sql) => sql,
            Err(errors) => {
                for e in errors {
                    eprint!("{}", render_diagnostic(&e.report(lang), Some(src)));
                }
                return Exit::Failure;
            }
        };
        let mut db = match Database::open(program, args.threads) {
            Ok(db) => db,
            Err(e) => {
                report(&[e], 1, lang);
                return Exit::Failure;
            }
        };
        let context = match read_data(
            program,
            &args.data,
            args.period.as_deref(),
            args.threads.unwrap_or_else(crate::eval::default_threads),
            lang,
            None,
            &mut |records| db.append_records(&records),
        ) {
            Ok(c) => c,
            Err(e) => return e,
        };
        db.set_context(&context);
        let (errors, total) = db.load_errors();
        if !errors.is_empty() {
            report(&errors, total, lang);
            return Exit::Failure;
        }
        let labels = args.headers == HeaderStyle::Labels;
        // which outputs JSON writes as booleans
        let bools: Vec<bool> = program
            .outputs
            .iter()
            .map(|o| {
                program
                    .slots
                    .get(o.slot)
                    .is_some_and(|s| matches!(s.ty, Ty::Bool))
            })
            .collect();
        let want = 3 + program.outputs.len();
        let rendered = match format {
            OutputFormat::Table => {
                let mut table = vec![table_header(program, labels)];
                let ran = db.query(&sql, &mut |cells| {
                    table.push(cells.iter().map(|c| c.unwrap_or("").to_string()).collect())
                });
                ran.map(|n| (n, align(&table)))
            }
            OutputFormat::Json | OutputFormat::Csv | OutputFormat::Xlsx | OutputFormat::Html => {
                let json = format == OutputFormat::Json;
                let mut out = results_head(program, json, labels);
                let mut n = 0;
                let ran = db.query(&sql, &mut |cells| {
                    out.push_str(results_separator(json, n));
                    push_result(program, &bools, cells, json, &mut out);
                    n += 1;
                });
                out.push_str(results_tail(json, n == 0));
                ran.map(|columns| (columns, out))
            }
        };
        let text = match rendered {
            Ok((columns, text)) if columns == want => text,
            Ok((columns, _)) => {
                let e = DuckDbError::Engine {
                    message: format!("the query returned {columns} columns, not {want}"),
                };
                report(&[e], 1, lang);
                return Exit::Failure;
            }
            Err(e) => {
                report(&[e], 1, lang);
                return Exit::Failure;
            }
        };
        if format == OutputFormat::Csv && args.output.is_some() {
            // Excel reads a CSV file as UTF-8 only with a BOM
            return emit_with(args.output.as_deref(), |w| {
                w.write_all("\u{feff}".as_bytes())?;
                w.write_all(text.as_bytes())
            });
        }
        emit(text.as_bytes(), args.output.as_deref())
    }

    /// Appends one result row of the query (employee, period, team, then
    /// the outputs as text) as `kpi eval` writes it: a JSON object without
    /// separator, or a CSV record with its line end.
    fn push_result(
        program: &Program,
        bools: &[bool],
        cells: &[Option<&str>],
        json: bool,
        out: &mut String,
    ) {
        let cell = |i: usize| cells.get(i).copied().flatten();
        if json {
            out.push_str("{\"employee\": ");
            push_json_str(out, cell(0).unwrap_or(""));
            out.push_str(", \"period\": ");
            push_json_str(out, cell(1).unwrap_or(""));
            out.push_str(", \"team\": ");
            match cell(2) {
                Some(t) => push_json_str(out, t),
                None => out.push_str("null"),
            }
            out.push_str(", \"outputs\": {");
            for (i, (o, is_bool)) in program.outputs.iter().zip(bools).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_json_str(out, &o.name);
                out.push_str(": ");
                match cell(3 + i) {
                    Some(v @ ("true" | "false")) if *is_bool => out.push_str(v),
                    v => push_json_str(out, v.unwrap_or("")),
                }
            }
            out.push_str("}}");
        } else {
            for i in 0..3 + program.outputs.len() {
                if i > 0 {
                    out.push(',');
                }
                push_csv_field(out, cell(i).unwrap_or(""));
            }
            out.push('\n');
        }
    }
}
