//! The workbench's data: uploaded files, kept in memory only (never
//! written, never logged), and one run of the pipeline on them — the
//! policy text of the editor checked, the files read for it, the batch
//! evaluated — with every diagnostic as JSON.

use super::api::ApiError;
use crate::check::{check, Checked};
use crate::cli::{render_diagnostic, render_json_diagnostic, Source};
use crate::data::{self, Cell, Layout, ReadOptions};
use crate::diag::Lang;
use crate::eval::{evaluate, Evaluated, Row};
use crate::ir::Program;
use crate::report::ContextValues;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use std::sync::Arc;

/// At most this many records files at once.
pub const MAX_RECORDS_FILES: usize = 16;

/// One uploaded file.
#[derive(Clone)]
pub struct Upload {
    /// The file name the browser gave (for messages and provenance).
    pub name: String,
    pub bytes: Arc<Vec<u8>>,
}

/// Everything uploaded: records files and the context file.
#[derive(Clone, Default)]
pub struct Workspace {
    pub records: Vec<Upload>,
    pub context: Option<Upload>,
}

/// What the page shows of the uploads: names and sizes.
#[derive(Serialize)]
pub struct Listing {
    pub records: Vec<(String, usize)>,
    pub context: Option<(String, usize)>,
}

impl Workspace {
    pub fn listing(&self) -> Listing {
        Listing {
            records: self
                .records
                .iter()
                .map(|u| (u.name.clone(), u.bytes.len()))
                .collect(),
            context: self
                .context
                .as_ref()
                .map(|u| (u.name.clone(), u.bytes.len())),
        }
    }

    /// Adds a records file (a file of the same name is replaced).
    pub fn add_records(&mut self, up: Upload) -> Result<(), ApiError> {
        if let Some(old) = self.records.iter_mut().find(|u| u.name == up.name) {
            *old = up;
            return Ok(());
        }
        if self.records.len() >= MAX_RECORDS_FILES {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("at most {MAX_RECORDS_FILES} records files at once; clear some first"),
            ));
        }
        self.records.push(up);
        Ok(())
    }
}

/// The policy and the options of a request that runs it.
#[derive(Deserialize, Default, Clone)]
pub struct PolicyReq {
    /// The editor's text.
    pub text: String,
    /// The file it came from (relative to DIR), for messages only.
    #[serde(default)]
    pub path: Option<String>,
    /// `zh` or `en`.
    #[serde(default)]
    pub lang: Option<String>,
    /// The period of data files without a period column.
    #[serde(default)]
    pub period: Option<String>,
    /// Bare numbers in percent columns are fractions.
    #[serde(default)]
    pub percent_fractions: bool,
}

impl PolicyReq {
    /// The request's language, else the server's.
    pub fn lang(&self, default: Lang) -> Lang {
        self.lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or(default)
    }

    /// The policy as a source for diagnostics.
    pub fn source(&self) -> Source {
        Source {
            path: self.path.clone().unwrap_or_else(|| "policy.kpi".into()),
            text: self.text.clone(),
        }
    }
}

/// A policy checked: its program and warnings, or its diagnostics.
pub fn check_source(src: &Source, lang: Lang) -> Result<(Checked, Vec<Json>), Vec<Json>> {
    let policy = crate::syntax::parse(&src.text)
        .map_err(|e| vec![render_json_diagnostic(&e.report(lang), Some(src))])?;
    match check(&policy) {
        Ok(c) => {
            let warnings = c
                .warnings
                .iter()
                .map(|w| render_json_diagnostic(&w.report(lang), Some(src)))
                .collect();
            Ok((c, warnings))
        }
        Err(f) => Err(f
            .errors
            .iter()
            .map(|e| render_json_diagnostic(&e.report(lang), Some(src)))
            .chain(
                f.warnings
                    .iter()
                    .map(|w| render_json_diagnostic(&w.report(lang), Some(src))),
            )
            .collect()),
    }
}

/// A batch evaluated: what eval, explain, what-if, diff and export start
/// from.
pub struct Run {
    pub src: Source,
    pub program: Program,
    pub rows: Vec<Row>,
    pub context: ContextValues,
    pub ev: Evaluated,
    /// The checker's warnings, as JSON and as `kpi check` prints them.
    pub warnings: Vec<Json>,
    pub warnings_text: Vec<String>,
    /// Skipped rows, guessed encodings, defaults taken.
    pub notices: Vec<String>,
}

/// Why a run stopped: `stage` is `policy`, `data` or `eval`.
pub fn failed(
    stage: &str,
    message: String,
    diagnostics: Vec<Json>,
    notices: &[String],
) -> ApiError {
    ApiError::with_body(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": message,
            "stage": stage,
            "diagnostics": diagnostics,
            "notices": notices,
        }),
    )
}

/// Checks the policy of `req`, reads the workspace's files for it and
/// evaluates them. `check_src` replaces the request's text (diff runs an
/// older version on the same data).
pub fn run(ws: &Workspace, req: &PolicyReq, src: Source, default: Lang) -> Result<Run, ApiError> {
    let lang = req.lang(default);
    let (checked, warnings) = check_source(&src, lang).map_err(|d| {
        failed(
            "policy",
            lang.pick(
                format!("`{}` has errors; fix them first", src.path),
                format!("`{}` 有错误，请先修正", src.path),
            ),
            d,
            &[],
        )
    })?;
    let warnings_text = checked
        .warnings
        .iter()
        .map(|w| render_diagnostic(&w.report(lang), Some(&src)))
        .collect();
    let program = checked.program;
    if ws.records.is_empty() {
        return Err(failed(
            "data",
            lang.pick(
                "no records file yet: drop one on the data pane".into(),
                "还没有数据文件：请把数据文件拖到数据区".into(),
            ),
            vec![],
            &[],
        ));
    }
    let period = match req
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(p) => Some(crate::types::Period::parse(p).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                lang.pick(
                    format!("`{p}` is not a month; write YYYY-MM, e.g. 2026-10"),
                    format!("`{p}` 不是月份；请写成 YYYY-MM，例如 2026-10"),
                ),
            )
        })?),
    };
    let layout = Layout {
        period,
        ..Layout::default()
    };
    let opts = ReadOptions {
        percent_fractions: req.percent_fractions,
    };
    let files: Vec<(String, &[u8])> = ws
        .records
        .iter()
        .map(|u| (u.name.clone(), u.bytes.as_slice()))
        .collect();
    let context = ws
        .context
        .as_ref()
        .map(|u| (u.name.as_str(), u.bytes.as_slice()));
    let read = data::read_batch(&program, &files, context, &opts, &layout);
    let notices = data::notice_lines(&read.notices, lang);
    if !read.missing_context.is_empty() {
        let ids = read.missing_context.join(", ");
        return Err(failed(
            "data",
            lang.pick(
                format!("the policy uses context inputs ({ids}): drop a context file"),
                format!("方案用到了 context 输入（{ids}）：请拖入 context 文件"),
            ),
            vec![],
            &notices,
        ));
    }
    if !read.errors.is_empty() {
        let diags = read
            .errors
            .iter()
            .map(|e| render_json_diagnostic(&e.report(lang), None))
            .collect();
        return Err(failed(
            "data",
            lang.pick(
                format!(
                    "{} data error(s); no results",
                    crate::data::error_count(&read.errors)
                ),
                format!("{} 处数据错误，没有结果", read.errors.len()),
            ),
            diags,
            &notices,
        ));
    }
    let rows: Vec<Row> = read.records.into_iter().map(Row::from).collect();
    let context: ContextValues = read
        .context
        .into_iter()
        .map(|(p, cells)| (p, cells.into_iter().map(Cell::into_value).collect()))
        .collect();
    let ev = evaluate(&program, &rows, &context, None).map_err(|errors| {
        let diags = errors
            .iter()
            .map(|e| render_json_diagnostic(&e.report(lang), Some(&src)))
            .collect();
        failed(
            "eval",
            lang.pick(
                format!("{} evaluation error(s); no results", errors.len()),
                format!("{} 处计算错误，没有结果", errors.len()),
            ),
            diags,
            &notices,
        )
    })?;
    Ok(Run {
        src,
        program,
        rows,
        context,
        ev,
        warnings,
        warnings_text,
        notices,
    })
}
