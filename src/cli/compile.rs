//! `kpi compile POLICY --to sql --dialect duckdb|spark [--records NAME] [--context NAME] [-o FILE]`
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{load_program, render_diagnostic, Exit};
use crate::check::Lang;
use crate::sql::{compile, Dialect, Options};
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    Sql,
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
    /// Write the query here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &Args, lang: Lang) -> Exit {
    let (src, program) = match load_program(&args.policy, lang) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let Target::Sql = args.to;
    let opts = Options {
        dialect: match args.dialect {
            DialectArg::Duckdb => Dialect::DuckDb,
            DialectArg::Spark => Dialect::Spark,
        },
        records: args.records.clone(),
        context: args.context.clone(),
    };
    match compile(&program, &opts) {
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
