//! The command line: one file per subcommand; this module holds what they
//! share (exit codes, loading a policy, rendering diagnostics).

mod check;
mod compile;
mod diagnostics;
mod diff;
mod eval;
mod eval_duckdb;
mod explain;
mod files;
mod fmt;
mod init;
mod output;
mod spill;
mod stream;
mod test;
mod whatif;

pub use diagnostics::{render_diagnostic, render_json_diagnostic};
/// `kpi explain`'s score sheet and `kpi eval`'s JSON/CSV/table results, for
/// the workbench (`kpi serve`).
pub use explain::render as render_explanation;
pub use output::render as render_results;

use crate::check::{check, Checked, Lang};
use crate::ir::Program;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// The process exit status (§4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Success = 0,
    /// Policy, data, evaluation errors or failed tests.
    Failure = 1,
    /// The command line was wrong.
    Usage = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug, Parser)]
#[command(name = "kpi", version, about = "Check, evaluate and test KPI policies", long_about = None)]
pub struct Cli {
    // A string, like the `--lang` of `explain` and `whatif`: those keep
    // their own option, and clap passes its value up under the same id.
    /// Language of messages: zh or en (default: from LC_ALL / LANG).
    #[arg(long, global = true, value_parser = ["zh", "en"])]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

/// The message language: `--lang`, else the environment's `LANG`.
pub fn lang(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_env(),
    }
}

/// `zh` or `en` as given on the command line.
fn lang_arg(s: Option<&str>) -> Option<LangArg> {
    match s {
        Some("zh") => Some(LangArg::Zh),
        Some("en") => Some(LangArg::En),
        _ => None,
    }
}

/// `explain` and `whatif` have their own `--lang zh|en` for the report;
/// it sets the diagnostics' language too.
fn own_lang(command: &Command) -> Option<LangArg> {
    match command {
        Command::Explain(a) => lang_arg(a.lang.as_deref()),
        Command::Whatif(a) => lang_arg(a.lang.as_deref()),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResultFormat {
    Json,
    Csv,
    Table,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and type-check policies; report errors and warnings.
    Check {
        #[arg(required = true, value_name = "POLICY")]
        policies: Vec<PathBuf>,
        /// Treat warnings as errors (exit 1).
        #[arg(long)]
        deny_warnings: bool,
        #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
        format: DiagFormat,
        /// Also print every output's reachable range and the reachable grades.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Evaluate a policy against metric records.
    Eval {
        #[arg(value_name = "POLICY")]
        policy: PathBuf,
        #[command(flatten)]
        data: eval::DataArgs,
        /// The period (YYYY-MM) of data files without a period column.
        #[arg(long, value_name = "YYYY-MM")]
        period: Option<String>,
        /// Output format (default: from `--output`'s extension, else json).
        #[arg(long, value_enum)]
        format: Option<eval::OutputFormat>,
        /// Write results here (only when everything succeeded): .json,
        /// .csv (with a BOM, for Excel), .xlsx, .html.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Column headers of csv and table output: output ids, or labels.
        #[arg(long, value_enum, default_value_t = eval::HeaderStyle::Ids)]
        headers: eval::HeaderStyle,
        /// How to evaluate: `auto` streams policies without team or
        /// history rules (CSV and JSON out) and holds the batch otherwise;
        /// `duckdb` runs the compiled SQL in embedded DuckDB.
        #[arg(long, value_enum, default_value_t = eval::Engine::Auto)]
        engine: eval::Engine,
        /// Threads to evaluate on (default: one per core, at most 8). The
        /// results are the same for every number.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: Option<u16>,
        /// Bytes of results the one-pass engine holds before it sorts them
        /// to disk (default 128 MiB); for tests.
        #[arg(long, hide = true, value_name = "BYTES")]
        spill_bytes: Option<usize>,
    },
    /// Run the tests written inside policies.
    Test {
        #[arg(required = true, value_name = "POLICY_OR_DIR")]
        paths: Vec<PathBuf>,
    },
    /// Rewrite policies in the canonical layout, keeping every comment.
    Fmt {
        /// Policy files, or directories of `.kpi` files.
        #[arg(required = true, value_name = "POLICY")]
        policies: Vec<PathBuf>,
        /// Write nothing; list the files that would change and exit 1 if any.
        #[arg(long)]
        check: bool,
    },
    /// Show one person's score sheet: every rule that fired and why.
    Explain(explain::Args),
    /// Compare two versions of a policy (paths or git REV:path) on the same data.
    Diff(diff::Args),
    /// Find the smallest change of each input that reaches a target.
    Whatif(whatif::Args),
    /// Compile a policy to one exact SQL query (DuckDB or Spark).
    Compile(compile::Args),
    /// Write a starting policy from an export's header (types guessed).
    Init(init::Args),
    /// Language server over stdio (for editors).
    #[cfg(feature = "lsp")]
    Lsp,
    /// The HR workbench: a local web app over a folder of policies.
    #[cfg(feature = "serve")]
    Serve(crate::serve::Args),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Exit {
    let Cli {
        lang: given,
        command,
    } = cli;
    // One language for the whole run, messages and reports alike:
    // `--lang` (global, or that of `explain`/`whatif`), else the environment.
    let given = lang_arg(given.as_deref());
    let l = lang(given.or_else(|| own_lang(&command)));
    match command {
        Command::Check {
            policies,
            deny_warnings,
            format,
            verbose,
        } => check::run(&check::Args {
            paths: &policies,
            deny_warnings,
            format,
            verbose,
            lang: l,
        }),
        Command::Eval {
            policy,
            data,
            period,
            format,
            output,
            headers,
            engine,
            threads,
            spill_bytes,
        } => eval::run(
            &eval::Args {
                policy,
                data,
                period,
                format,
                output,
                headers,
                engine,
                threads: threads.map(usize::from),
                spill_bytes,
            },
            l,
        ),
        Command::Test { paths } => test::run(&paths, l),
        Command::Fmt { policies, check } => fmt::run(&policies, check, l),
        Command::Explain(args) => explain::run(&args, l),
        Command::Diff(args) => diff::run(&args, l),
        Command::Init(args) => init::run(&args, l),
        #[cfg(feature = "serve")]
        Command::Serve(args) => crate::serve::run(&args, l),
        Command::Whatif(args) => whatif::run(&args, l),
        Command::Compile(args) => compile::run(&args, l),
        #[cfg(feature = "lsp")]
        Command::Lsp => crate::lsp::run(),
    }
}

/// A policy read from disk.
pub struct Source {
    pub path: String,
    pub text: String,
}

pub(crate) fn read_source(path: &std::path::Path, lang: Lang) -> Result<Source, String> {
    let text = std::fs::read_to_string(path).map_err(|e| match lang {
        Lang::En => format!("error: cannot read `{}`: {e}", path.display()),
        Lang::Zh => format!("error: 无法读取 `{}`：{e}", path.display()),
    })?;
    Ok(Source {
        path: path.display().to_string(),
        text,
    })
}

/// Outcome of parsing and checking one policy.
pub(crate) enum Loaded {
    Ok(Box<Checked>),
    /// Rendered errors and warnings.
    Failed(Vec<String>),
}

/// Parses and checks a policy, rendering diagnostics for humans in
/// `lang`.
pub(crate) fn load(src: &Source, lang: Lang) -> Loaded {
    let policy = match crate::syntax::parse(&src.text) {
        Ok(p) => p,
        Err(e) => return Loaded::Failed(vec![render_diagnostic(&e.report(lang), Some(src))]),
    };
    match check(&policy) {
        Ok(c) => Loaded::Ok(Box::new(c)),
        Err(f) => {
            let mut out: Vec<String> = f
                .errors
                .iter()
                .map(|e| render_diagnostic(&e.report(lang), Some(src)))
                .collect();
            out.extend(
                f.warnings
                    .iter()
                    .map(|w| render_diagnostic(&w.report(lang), Some(src))),
            );
            Loaded::Failed(out)
        }
    }
}

/// Loads a policy for `eval`/`test`: warnings are printed, errors end it.
pub(crate) fn load_program(path: &std::path::Path, lang: Lang) -> Result<(Source, Program), Exit> {
    load_program_warned(path, lang).map(|(src, program, _)| (src, program))
}

/// Like [`load_program`], and also returns the printed warnings.
pub(crate) fn load_program_warned(
    path: &std::path::Path,
    lang: Lang,
) -> Result<(Source, Program, Vec<String>), Exit> {
    let src = read_source(path, lang).map_err(|e| {
        eprintln!("{e}");
        Exit::Usage
    })?;
    match load(&src, lang) {
        Loaded::Ok(c) => {
            let warnings: Vec<String> = c
                .warnings
                .iter()
                .map(|w| render_diagnostic(&w.report(lang), Some(&src)))
                .collect();
            for w in &warnings {
                eprint!("{w}");
            }
            Ok((src, c.program, warnings))
        }
        Loaded::Failed(msgs) => {
            for m in msgs {
                eprint!("{m}");
            }
            Err(Exit::Failure)
        }
    }
}
