//! `kpi eval POLICY --data FILE… [--context FILE] [--format …] [--output FILE]`,
//! and the loading of records and context that `explain`, `whatif` and
//! `diff` share.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{load_program_warned, output, render_diagnostic, Exit, ResultFormat, Source};
use crate::data::{self, BatchRead, Cell, KeyNames, Layout, ReadOptions};
use crate::diag::Lang;
use crate::eval::default_threads;
use crate::eval::Row;
use crate::ir::{Program, Value};
use crate::types::Period;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Context values per period, in input order.
pub(crate) type ContextValues = BTreeMap<Period, Vec<Value>>;

pub struct Args {
    pub policy: PathBuf,
    pub data: DataArgs,
    /// `--period` for files without a period column.
    pub period: Option<String>,
    pub format: Option<OutputFormat>,
    pub output: Option<PathBuf>,
    pub headers: HeaderStyle,
    pub engine: Engine,
    /// `--threads`: `None` chooses (one per core for large batches).
    pub threads: Option<usize>,
    /// Results held in memory before sorting to disk (one-pass engine).
    pub spill_bytes: Option<usize>,
}

/// How `kpi eval` evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Engine {
    /// One pass (`stream`) when the policy and format allow it, else `batch`.
    #[default]
    Auto,
    /// Read every record, then evaluate the batch.
    Batch,
    /// One pass, a chunk of records at a time: policies without team or
    /// history rules, CSV or JSON out.
    Stream,
    /// The compiled SQL query (`kpi compile --to sql`) in embedded DuckDB
    /// (a build with the cargo feature `duckdb`); CSV, JSON or table out.
    Duckdb,
}

/// Where the records and context come from, and how to read them: shared
/// by `eval`, `explain`, `whatif` and `diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Records: CSV/TSV (UTF-8, UTF-16, GBK…), JSON, or a spreadsheet
    /// (.xlsx .xlsm .xls .ods). Repeat for several files; `-` reads stdin.
    #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
    pub data: Vec<PathBuf>,
    /// Context values per period (any format of `--data`).
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,
    /// Read bare numbers in percent columns as fractions (0.995 = 99.5%).
    #[arg(long)]
    pub percent_fractions: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How to read an export: shared by the data commands and `init`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// Text encoding of the data files (default: detected): gbk, gb18030, utf-8, utf-16le…
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// The worksheet to read (default: the first with data).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Header of the employee column, e.g. `客服` (tried before the built-in names).
    #[arg(long, value_name = "HEADER")]
    pub employee_column: Vec<String>,
    /// Header of the period column, e.g. `统计月份`.
    #[arg(long, value_name = "HEADER")]
    pub period_column: Vec<String>,
    /// Header of the team column, e.g. `小组`.
    #[arg(long, value_name = "HEADER")]
    pub team_column: Vec<String>,
}

/// What `kpi eval` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Json,
    Csv,
    Table,
    Xlsx,
    Html,
}

impl OutputFormat {
    /// The format a file name asks for: `.json`, `.csv`, `.xlsx`, `.html`.
    pub fn from_path(path: &std::path::Path) -> Option<OutputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "json" => OutputFormat::Json,
            "csv" => OutputFormat::Csv,
            "txt" => OutputFormat::Table,
            "xlsx" => OutputFormat::Xlsx,
            "html" | "htm" => OutputFormat::Html,
            _ => return None,
        })
    }
}

/// Column headers of CSV and table output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum HeaderStyle {
    /// Output names (`refund_dispute`): stable, for programs.
    #[default]
    Ids,
    /// Labels where declared (`退款纠纷`): for people.
    Labels,
}

/// A data file's name (for messages) and bytes; `-` is standard input.
pub(crate) fn read(path: &std::path::Path, lang: Lang) -> Result<(String, Vec<u8>), Exit> {
    let result = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map(|_| bytes)
    } else {
        std::fs::read(path)
    };
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    result.map(|b| (name, b)).map_err(|e| {
        match lang {
            Lang::En => eprintln!("error: cannot read `{}`: {e}", path.display()),
            Lang::Zh => eprintln!("error: 无法读取 `{}`：{e}", path.display()),
        }
        Exit::Usage
    })
}

/// Records files at least this large are read a block at a time when
/// they are delimited UTF-8 text (see [`open`]).
const LARGE_FILE_BYTES: u64 = 64 << 20;

/// A records file: its bytes, or a large one's reader.
pub(crate) enum DataFile {
    Bytes(Vec<u8>),
    /// Delimited UTF-8 text read a block at a time, never held whole.
    Large {
        /// (taken when the file is read)
        reader: Option<Box<dyn std::io::Read>>,
        /// About how many records it holds, from its first block.
        records_about: usize,
    },
}

impl DataFile {
    /// What [`data::stream_batch`] reads (a large file's reader only once,
    /// its rows in parallel parts when `in_parts`).
    pub(crate) fn input(&mut self, in_parts: bool) -> data::DataInput<'_> {
        match self {
            DataFile::Bytes(bytes) => data::DataInput::Bytes(bytes.as_slice()),
            DataFile::Large { reader, .. } => match reader.take() {
                Some(reader) => data::DataInput::Reader { reader, in_parts },
                None => data::DataInput::Bytes(&[]),
            },
        }
    }

    /// At most (bytes) or about (a large file) how many records it holds,
    /// to reserve room for them; `None` when its bytes do not tell.
    fn records(&self, name: &str) -> Option<usize> {
        match self {
            DataFile::Bytes(bytes) => data::records_at_most(name, bytes),
            DataFile::Large { records_about, .. } => Some(*records_about),
        }
    }
}

/// Opens a records file. A large delimited file whose first 64 KiB are
/// UTF-8 (and no other `--encoding` is asked for) is read a block at a
/// time, so memory does not grow with its size; anything else is read
/// whole, where its encoding is detected from all of it.
pub(crate) fn open(
    path: &std::path::Path,
    layout: &data::Layout,
    lang: Lang,
) -> Result<(String, DataFile), Exit> {
    let len = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map_or(0, |m| m.len());
    let large = path.as_os_str() != "-"
        && len >= LARGE_FILE_BYTES
        && layout.encoding.is_none_or(|e| e == encoding_rs::UTF_8);
    if large {
        if let Ok(mut f) = std::fs::File::open(path) {
            let name = path.display().to_string();
            let mut head = Vec::with_capacity(64 * 1024);
            let read =
                std::io::Read::read_to_end(&mut std::io::Read::take(&mut f, 64 * 1024), &mut head);
            let utf8 = match std::str::from_utf8(&head) {
                Ok(_) => true,
                // a character cut at the end of the block is fine
                Err(e) => e.error_len().is_none(),
            };
            let utf16_bom = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
            if read.is_ok()
                && utf8
                && !utf16_bom
                && data::detect_format(&name, &head) == data::Format::Csv
            {
                // as many as the first block's lines say, and a tenth more
                let lines = memchr::memchr_iter(b'\n', &head).count() as u128 + 1;
                let about = u128::from(len) * lines / (head.len().max(1) as u128);
                let records_about = usize::try_from(about + about / 10).unwrap_or(usize::MAX);
                // (reads of a part's size pass this buffer by)
                let rest = std::io::BufReader::with_capacity(64 << 10, f);
                let reader: Box<dyn std::io::Read> =
                    Box::new(std::io::Read::chain(std::io::Cursor::new(head), rest));
                return Ok((
                    name,
                    DataFile::Large {
                        reader: Some(reader),
                        records_about,
                    },
                ));
            }
        }
    }
    read(path, lang).map(|(name, bytes)| (name, DataFile::Bytes(bytes)))
}

/// Prints data errors and their count, in `lang`.
pub(crate) fn report_data(errors: &[data::DataError], lang: Lang) {
    for e in errors {
        eprint!("{}", render_diagnostic(&e.report(lang), None));
    }
    let n = data::error_count(errors);
    match lang {
        Lang::En => eprintln!("{n} data error(s); no results were written"),
        Lang::Zh => eprintln!("{n} 处数据错误，未写出任何结果"),
    }
}

impl ReadArgs {
    /// The layout options, checked: a bad `--encoding` or `--period` is a
    /// usage error.
    pub(crate) fn layout(&self, period: Option<&str>) -> Result<Layout, Exit> {
        let encoding = match &self.encoding {
            None => None,
            Some(label) => match data::encoding_for_label(label) {
                Some(e) => Some(e),
                None => {
                    eprintln!(
                        "error: unknown encoding `{label}`; use e.g. gbk, gb18030, utf-8, utf-16le, big5"
                    );
                    return Err(Exit::Usage);
                }
            },
        };
        let period = match period {
            None => None,
            Some(p) => match crate::types::Period::parse(p.trim()) {
                Some(p) => Some(p),
                None => {
                    eprintln!("error: `--period {p}` is not a month; write YYYY-MM, e.g. 2026-10");
                    return Err(Exit::Usage);
                }
            },
        };
        Ok(Layout {
            keys: KeyNames {
                employee: self.employee_column.clone(),
                period: self.period_column.clone(),
                team: self.team_column.clone(),
            },
            period,
            encoding,
            sheet: self.sheet.clone(),
        })
    }
}

impl DataArgs {
    /// Every input file, for provenance: (role, path).
    pub(crate) fn files(&self) -> Vec<(&'static str, &std::path::Path)> {
        let mut files: Vec<(&'static str, &std::path::Path)> =
            self.data.iter().map(|p| ("data", p.as_path())).collect();
        if let Some(c) = &self.context {
            files.push(("context", c.as_path()));
        }
        files
    }
}

/// Reads records and context, validated against the program's inputs;
/// every error of every file is reported, and notices (skipped rows, a
/// guessed encoding) are printed.
pub(crate) fn load_rows(
    program: &Program,
    args: &DataArgs,
    period: Option<&str>,
    threads: usize,
    lang: Lang,
) -> Result<(Vec<Row>, ContextValues), Exit> {
    // records become rows a chunk at a time: a batch is never held twice
    let rows: std::cell::RefCell<Vec<Row>> = Default::default();
    let context = read_data(
        program,
        args,
        period,
        threads,
        lang,
        // (room not to be had is no error: the rows grow as they come)
        Some(&mut |expected| drop(rows.borrow_mut().try_reserve_exact(expected))),
        &mut |records| rows.borrow_mut().extend(records.into_iter().map(Row::from)),
    )?;
    let rows = rows.into_inner();
    let context = context
        .into_iter()
        .map(|(p, cells)| (p, cells.into_iter().map(Cell::into_value).collect()))
        .collect();
    Ok((rows, context))
}

/// [`load_rows`]'s reading: the good records are handed to `on_records` a
/// chunk at a time as they are read (usable only when this returns `Ok`),
/// the context cells are returned; errors and notices are reported.
/// Large delimited files are read by up to `threads` threads. Before any
/// record, `expect` (if given) is told how many there can be at most, when
/// the files tell (delimited text: its lines), to reserve room for them.
pub(crate) fn read_data(
    program: &Program,
    args: &DataArgs,
    period: Option<&str>,
    threads: usize,
    lang: Lang,
    expect: Option<&mut dyn FnMut(usize)>,
    on_records: &mut dyn FnMut(Vec<data::Record>),
) -> Result<BTreeMap<Period, Vec<Cell>>, Exit> {
    // the command line's key names; the policy's `key` declarations follow
    let layout = args.read.layout(period)?;
    let opts = ReadOptions {
        percent_fractions: args.percent_fractions,
    };
    let mut files = Vec::new();
    for path in &args.data {
        files.push(open(path, &layout, lang)?);
    }
    let context_file = match args.context.as_deref() {
        Some(cpath) if !program.context.is_empty() => Some(read(cpath, lang)?),
        _ => None,
    };
    if let Some(expect) = expect {
        let records: Option<usize> = files.iter().map(|(name, f)| f.records(name)).sum();
        if let Some(n) = records {
            expect(n);
        }
    }
    let inputs: Vec<(String, data::DataInput<'_>)> = files
        .iter_mut()
        .map(|(name, file)| (name.clone(), file.input(true)))
        .collect();
    let context_file = context_file
        .as_ref()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()));
    let BatchRead {
        context,
        errors,
        notices,
        missing_context,
        ..
    } = data::stream_batch(
        program,
        inputs,
        context_file,
        &opts,
        &layout,
        8192,
        threads,
        &mut |_, records| on_records(records),
    );
    drop(files);
    if !missing_context.is_empty() {
        report_missing_context(&missing_context, lang);
        return Err(Exit::Usage);
    }
    for line in data::notice_lines(&notices, lang) {
        eprintln!("{line}");
    }
    if !errors.is_empty() {
        report_data(&errors, lang);
        return Err(Exit::Failure);
    }
    Ok(context)
}

/// Says that the policy's context inputs `ids` need `--context`.
pub(crate) fn report_missing_context(ids: &[String], lang: Lang) {
    let ids: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    match lang {
        Lang::En => eprintln!(
            "error: the policy uses context inputs ({}); pass them with `--context FILE`",
            ids.join(", ")
        ),
        Lang::Zh => eprintln!(
            "error: 方案用到了 context 输入（{}），请用 `--context FILE` 提供",
            ids.join("、")
        ),
    }
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
    data: &DataArgs,
    period: Option<&str>,
    lang: Lang,
) -> Result<Batch, Exit> {
    let (src, program, _) = load_program_warned(policy, lang)?;
    let (rows, context) = load_rows(&program, data, period, default_threads(), lang)?;
    Ok(Batch {
        src,
        program,
        rows,
        context,
    })
}

pub fn run(args: &Args, lang: Lang) -> Exit {
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(OutputFormat::from_path))
        .unwrap_or(OutputFormat::Json);
    let (src, program, warnings) = match load_program_warned(&args.policy, lang) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if args.engine == Engine::Duckdb {
        return super::eval_duckdb::run(args, lang, &src, &program, format);
    }
    if args.engine != Engine::Batch {
        if super::stream::eligible(&program, format) {
            return super::stream::run(args, lang, &src, &program, format);
        }
        if args.engine == Engine::Stream {
            match lang {
                Lang::En => eprintln!("error: `--engine stream` needs a policy without team or history rules, and csv or json output"),
                Lang::Zh => eprintln!("error: `--engine stream` 只适用于没有团队或历史规则的方案，且输出为 csv 或 json"),
            }
            return Exit::Usage;
        }
    }
    let reading_threads = args.threads.unwrap_or_else(default_threads);
    let (rows, context) = match load_rows(
        &program,
        &args.data,
        args.period.as_deref(),
        reading_threads,
        lang,
    ) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let threads = args
        .threads
        .unwrap_or_else(|| crate::eval::threads_for(rows.len()));
    let labels = args.headers == HeaderStyle::Labels;
    if let OutputFormat::Json | OutputFormat::Csv | OutputFormat::Table = format {
        return write_results(
            args, &src, &program, rows, &context, threads, format, labels, lang,
        );
    }
    let evaluated =
        match crate::eval::evaluate_with_threads(&program, &rows, &context, None, threads) {
            Ok(e) => e,
            Err(errors) => {
                report_eval(&errors, &src, lang);
                return Exit::Failure;
            }
        };
    let report = people_report(
        args, &src, &program, &rows, &context, &evaluated, warnings, lang,
    );
    let bytes = match report_bytes(format, &report, lang) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let exit = output::emit(&bytes, args.output.as_deref());
    // The process ends here: freeing a million rows one by one only costs time.
    std::mem::forget((rows, evaluated, bytes));
    exit
}

/// JSON, CSV or table results, written out. The batch holds only its team
/// and history figures; each row's values are computed as it is written
/// ([`crate::eval::Replay`]). When any row cannot be evaluated, nothing
/// is written and the batch's errors are reported as the batch that keeps
/// its values finds them ([`crate::eval::evaluate_outputs`]).
#[allow(clippy::too_many_arguments)]
fn write_results(
    args: &Args,
    src: &Source,
    program: &Program,
    rows: Vec<Row>,
    context: &BTreeMap<Period, Vec<Value>>,
    threads: usize,
    format: OutputFormat,
    labels: bool,
    lang: Lang,
) -> Exit {
    // (written in output order by index: moving the rows into that order
    // first cost more, serially, than the scattered reads it saves)
    let replay = crate::eval::evaluate_replayed(program, &rows, context, threads).ok();
    let bom = format == OutputFormat::Csv && args.output.is_some();
    let mut failed = false;
    if let (Some(replay), Some(path), OutputFormat::Json | OutputFormat::Csv) =
        (&replay, args.output.as_deref(), format)
    {
        // to a file: each part written as soon as it and those before it are
        // rendered (through a temporary file, so a row that fails leaves none)
        let json = format == OutputFormat::Json;
        let written = output::write_file(path, |w| {
            if bom {
                w.write_all("\u{feff}".as_bytes())?;
            }
            w.write_all(output::results_head(program, json, labels).as_bytes())?;
            let each = &mut |part: &mut String| w.write_all(part.as_bytes());
            if output::render_each(program, &rows, replay, json, each)?.is_none() {
                failed = true;
                return Err(std::io::Error::other("a row could not be evaluated"));
            }
            w.write_all(output::results_tail(json, rows.is_empty()).as_bytes())
        });
        match written {
            Ok(()) => {
                // The process ends here: freeing a million rows one by one only costs time.
                std::mem::forget(rows);
                return Exit::Success;
            }
            Err(_) if failed => {}
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Failure;
            }
        }
    }
    // (a replay that failed writing to a file fails again: not tried twice)
    let written = replay
        .filter(|_| !failed)
        .and_then(|replay| render_as(program, &rows, &replay, format, labels));
    let parts = match written {
        Some(parts) => parts,
        // A row could not be evaluated: the batch that keeps its values
        // finds the errors (and, were the replay ever wrong, the results).
        None => match crate::eval::evaluate_outputs(program, &rows, context, threads) {
            Ok(ev) => match render_as(program, &rows, &ev, format, labels) {
                Some(parts) => parts,
                None => {
                    report_eval(&[crate::eval::EvalError::internal()], src, lang);
                    return Exit::Failure;
                }
            },
            Err(errors) => {
                report_eval(&errors, src, lang);
                return Exit::Failure;
            }
        },
    };
    let exit = output::emit_with(args.output.as_deref(), |w| {
        if bom {
            // Excel reads a CSV file as UTF-8 only with a BOM
            w.write_all("\u{feff}".as_bytes())?;
        }
        parts.iter().try_for_each(|p| w.write_all(p.as_bytes()))
    });
    // The process ends here: freeing a million rows one by one only costs time.
    std::mem::forget((rows, parts));
    exit
}

/// JSON or CSV results as parts, or the table as one.
fn render_as(
    program: &Program,
    rows: &[Row],
    ev: &impl crate::eval::Results,
    format: OutputFormat,
    labels: bool,
) -> Option<Vec<String>> {
    match format {
        OutputFormat::Table => {
            output::render(program, rows, ev, ResultFormat::Table, labels).map(|t| vec![t])
        }
        _ => output::render_parts(program, rows, ev, format == OutputFormat::Json, labels),
    }
}

/// The results model behind the xlsx and HTML outputs, with provenance and
/// every person's explanation.
#[allow(clippy::too_many_arguments)]
fn people_report(
    args: &Args,
    src: &Source,
    program: &Program,
    rows: &[Row],
    context: &ContextValues,
    ev: &crate::eval::Evaluated,
    warnings: Vec<String>,
    lang: Lang,
) -> crate::report::results::ResultsReport {
    use crate::report::results::{build, Provenance};
    let mut provenance = vec![Provenance {
        role: "policy".into(),
        path: src.path.clone(),
        sha256: sha256_hex(src.text.as_bytes()),
    }];
    for (role, path) in args.data.files() {
        // read again: the loader does not keep the bytes of large files
        let sha256 = std::fs::read(path)
            .map(|b| sha256_hex(&b))
            .unwrap_or_default();
        provenance.push(Provenance {
            role: role.into(),
            path: path.display().to_string(),
            sha256,
        });
    }
    let explanations = if matches!(
        args.format
            .or_else(|| args.output.as_deref().and_then(OutputFormat::from_path)),
        Some(OutputFormat::Html)
    ) {
        crate::report::explain::explain_each(program, &src.text, rows, context, ev)
            .iter()
            .map(|x| super::explain::render(x, lang))
            .collect()
    } else {
        Vec::new()
    };
    build(program, rows, ev, provenance, warnings, explanations)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Renders the xlsx or HTML report.
fn report_bytes(
    format: OutputFormat,
    report: &crate::report::results::ResultsReport,
    lang: Lang,
) -> Result<Vec<u8>, Exit> {
    match format {
        OutputFormat::Html => Ok(crate::report::html::render(report, lang).into_bytes()),
        #[cfg(feature = "spreadsheets")]
        _ => crate::report::xlsx::render(report, lang).map_err(|e| {
            eprintln!("error: cannot write the xlsx file: {e}");
            Exit::Failure
        }),
        #[cfg(not(feature = "spreadsheets"))]
        _ => {
            eprintln!("error: this kpi was built without xlsx support (feature `spreadsheets`)");
            Err(Exit::Usage)
        }
    }
}

/// Prints evaluation errors and their count, in `lang`.
pub(crate) fn report_eval(errors: &[crate::eval::EvalError], src: &Source, lang: Lang) {
    for e in errors {
        eprint!("{}", render_diagnostic(&e.report(lang), Some(src)));
    }
    let n = errors.len();
    match lang {
        Lang::En => eprintln!("{n} evaluation error(s); no results were written"),
        Lang::Zh => eprintln!("{n} 处计算错误，未写出任何结果"),
    }
}
