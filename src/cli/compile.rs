//! `kpi compile POLICY --to sql|loader --dialect duckdb|spark [--records NAME] [--context NAME] [-o FILE]`
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{load_program, render_diagnostic, Exit};
use crate::check::Lang;
use crate::sql::{compile, loader, Dialect, Options};
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// The query computing the outputs.
    Sql,
    /// Statements creating `records` and `context` from CSV or Parquet files.
    Loader,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    Duckdb,
    Spark,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,
    /// What to compile to.
    #[arg(long, value_enum)]
    pub to: Target,
    /// The SQL engine.
    #[arg(long, value_enum, default_value_t = DialectArg::Duckdb)]
    pub dialect: DialectArg,
    /// The relation with one row per employee and period.
    #[arg(long, value_name = "NAME", default_value = "records")]
    pub records: String,
    /// The relation with one row per period (context inputs).
    #[arg(long, value_name = "NAME", default_value = "context")]
    pub context: String,
    /// With `--to loader`: the records file (.csv or .parquet; columns are
    /// the input ids, values in base units).
    #[arg(long, value_name = "FILE", default_value = "records.csv")]
    pub records_file: String,
    /// With `--to loader`: the context file (.csv or .parquet).
    #[arg(long, value_name = "FILE", default_value = "context.csv")]
    pub context_file: String,
    /// Write the query here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &Args, lang: Lang) -> Exit {
    let (src, program) = match load_program(&args.policy, lang) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let opts = Options {
        dialect: match args.dialect {
            DialectArg::Duckdb => Dialect::DuckDb,
            DialectArg::Spark => Dialect::Spark,
        },
        records: args.records.clone(),
        context: args.context.clone(),
    };
    let result = match args.to {
        Target::Sql => compile(&program, &opts),
        Target::Loader => Ok(loader(
            &program,
            &opts,
            &args.records_file,
            Some(&args.context_file),
        )),
    };
    match result {
        Ok(sql) => match &args.output {
            Some(path) => match std::fs::write(path, sql) {
                Ok(()) => Exit::Success,
                Err(e) => {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    Exit::Failure
                }
            },
            None => {
                print!("{sql}");
                Exit::Success
            }
        },
        Err(errors) => {
            for e in errors {
                eprint!("{}", render_diagnostic(&e.report(lang), Some(&src)));
            }
            Exit::Failure
        }
    }
}
