//! `kpi eval POLICY --data FILE [--context FILE] [--format …] [--output FILE]`

use super::{load_program, message_lang, output, render_diagnostic, Exit, ResultFormat, Source};
use crate::data::{self, Cell, FieldSpec, ReadOptions};
use crate::diag::Lang;
use crate::eval::{evaluate, Row};
use crate::ir::{Field, Program, Value};
use crate::types::Period;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Context values per period, in input order.
pub(crate) type ContextValues = BTreeMap<Period, Vec<Value>>;

pub struct Args {
    pub policy: PathBuf,
    pub data: PathBuf,
    pub context: Option<PathBuf>,
    pub format: ResultFormat,
    pub output: Option<PathBuf>,
    pub percent_fractions: bool,
}

/// The data layer's view of a declared input.
pub(crate) fn field_spec(f: &Field) -> FieldSpec {
    FieldSpec {
        id: f.id.clone(),
        label: f.label.clone(),
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

pub(crate) fn cell_value(c: Cell) -> Value {
    match c {
        Cell::Num(d) => Value::Num(crate::eval::num::Num::from_decimal(d)),
        Cell::Bool(b) => Value::Bool(b),
        Cell::Text(t) => Value::Text(t.into()),
        Cell::Level(l) => Value::Level(l),
    }
}

fn read(path: &std::path::Path) -> Result<(String, String), Exit> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok((path.display().to_string(), t)),
        Err(e) => {
            match message_lang() {
                Lang::En => eprintln!("error: cannot read `{}`: {e}", path.display()),
                Lang::Zh => eprintln!("error: 无法读取 `{}`：{e}", path.display()),
            }
            Err(Exit::Usage)
        }
    }
}

/// Prints data errors and their count, in [`message_lang`].
fn report_data(errors: &[data::DataError]) {
    let lang = message_lang();
    for e in errors {
        eprint!("{}", render_diagnostic(&e.report(lang), None));
    }
    let n = errors.len();
    match lang {
        Lang::En => eprintln!("{n} data error(s); no results were written"),
        Lang::Zh => eprintln!("{n} 处数据错误，未写出任何结果"),
    }
}

/// Reads records and context, validated against the program's inputs.
pub(crate) fn load_rows(
    program: &Program,
    data_path: &std::path::Path,
    context_path: Option<&std::path::Path>,
    opts: &ReadOptions,
) -> Result<(Vec<Row>, ContextValues), Exit> {
    let (data_name, data_text) = read(data_path)?;
    let specs: Vec<FieldSpec> = program.inputs.iter().map(field_spec).collect();
    // The good rows are kept even when others are bad, so that a period
    // missing from the context is reported in the same run.
    let (records, record_errors) = data::read_records_partial(&data_name, &data_text, &specs, opts);
    let mut errors = Vec::new();
    let mut context = BTreeMap::new();
    if !program.context.is_empty() {
        let Some(cpath) = context_path else {
            let ids: Vec<String> = program
                .context
                .iter()
                .map(|f| format!("`{}`", f.id))
                .collect();
            match message_lang() {
                Lang::En => eprintln!(
                    "error: the policy uses context inputs ({}); pass them with `--context FILE`",
                    ids.join(", ")
                ),
                Lang::Zh => eprintln!(
                    "error: 方案用到了 context 输入（{}），请用 `--context FILE` 提供",
                    ids.join("、")
                ),
            }
            return Err(Exit::Usage);
        };
        let (ctx_name, ctx_text) = read(cpath)?;
        let cspecs: Vec<FieldSpec> = program.context.iter().map(field_spec).collect();
        match data::read_context(&ctx_name, &ctx_text, &cspecs, opts) {
            Ok(c) => {
                errors.extend(data::check_context_periods(
                    &data_name, &records, &c, &ctx_name,
                ));
                context = c;
            }
            Err(e) => errors.extend(e),
        }
    }
    if !record_errors.is_empty() || !errors.is_empty() {
        let mut all = record_errors;
        all.extend(errors);
        report_data(&all);
        return Err(Exit::Failure);
    }
    let rows = records
        .into_iter()
        .map(|r| Row {
            employee: r.employee,
            period: r.period,
            team: r.team,
            line: r.line,
            inputs: r.cells.into_iter().map(cell_value).collect(),
        })
        .collect();
    let context = context
        .into_iter()
        .map(|(p, cells)| (p, cells.into_iter().map(cell_value).collect()))
        .collect();
    Ok((rows, context))
}

/// A policy checked and its data read: what eval, explain and whatif start from.
pub(crate) struct Batch {
    pub src: Source,
    pub program: Program,
    pub rows: Vec<Row>,
    pub context: ContextValues,
}

/// Loads the policy, then its records and context; errors are reported.
pub(crate) fn load_batch(
    policy: &std::path::Path,
    data: &std::path::Path,
    context: Option<&std::path::Path>,
    percent_fractions: bool,
) -> Result<Batch, Exit> {
    let (src, program) = load_program(policy)?;
    let (rows, context) = load_rows(&program, data, context, &ReadOptions { percent_fractions })?;
    Ok(Batch {
        src,
        program,
        rows,
        context,
    })
}

pub fn run(args: &Args) -> Exit {
    let Batch {
        src,
        program,
        rows,
        context,
    } = match load_batch(
        &args.policy,
        &args.data,
        args.context.as_deref(),
        args.percent_fractions,
    ) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let evaluated = match evaluate(&program, &rows, &context, None) {
        Ok(e) => e,
        Err(errors) => {
            report_eval(&errors, &src);
            return Exit::Failure;
        }
    };
    let text = output::render(&program, &rows, &evaluated, args.format);
    let exit = output::emit(&text, args.output.as_deref());
    // The process ends here: freeing a million rows one by one only costs time.
    std::mem::forget((rows, evaluated, text));
    exit
}

/// Prints evaluation errors and their count, in [`message_lang`].
pub(crate) fn report_eval(errors: &[crate::eval::EvalError], src: &Source) {
    let lang = message_lang();
    for e in errors {
        eprint!("{}", render_diagnostic(&e.report(lang), Some(src)));
    }
    let n = errors.len();
    match lang {
        Lang::En => eprintln!("{n} evaluation error(s); no results were written"),
        Lang::Zh => eprintln!("{n} 处计算错误，未写出任何结果"),
    }
}
