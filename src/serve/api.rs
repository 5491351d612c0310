//! The JSON API of the workbench. Every handler calls the library: the
//! checker (`/api/check`), the formatter, the data readers and evaluator
//! (`/api/eval`), the reports (`explain`, `whatif`, `diff`, the people
//! report of xlsx/HTML exports) and git. Heavy work runs on the blocking
//! pool; uploads are held in memory by the [`Workspace`].

use super::security::{existing_file, read_body, writable_file, DATA_LIMIT, POLICY_LIMIT};
use super::workspace::{self, check_source, PolicyReq, Run, Upload, Workspace};
use super::{git, AppState};
use crate::check::analysis;
use crate::cli::{render_explanation, render_results, ResultFormat, Source};
use crate::diag::Lang;
use crate::report::results::{build, Provenance, ResultsReport};
use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Shared = State<Arc<AppState>>;
type ApiResult = Result<Response, ApiError>;

/// A refusal or failure: a status and a JSON body with at least `error`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Json,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({ "error": message.into() }),
        }
    }

    pub fn with_body(status: StatusCode, body: Json) -> ApiError {
        ApiError { status, body }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

fn ok(body: Json) -> ApiResult {
    Ok(axum::Json(body).into_response())
}

/// A JSON body of at most `limit` bytes.
async fn json_body<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let bytes = read_body(body, limit).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the request is not the JSON expected: {e}"),
        )
    })
}

/// Runs `f` on the blocking pool (the checker and evaluator are CPU work).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: the request's worker stopped",
        )
    })?
}

/// A copy of the uploads (the bytes are shared, not copied).
fn snapshot(state: &AppState) -> Workspace {
    match state.workspace.lock() {
        Ok(ws) => ws.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

fn with_workspace<T>(state: &AppState, f: impl FnOnce(&mut Workspace) -> T) -> T {
    match state.workspace.lock() {
        Ok(mut ws) => f(&mut ws),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    }
}

// ------------------------------------------------------------------ policies

/// `GET /api/info`: the folder, the default language, the limits.
pub async fn info(State(state): Shared) -> ApiResult {
    let name = state
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    ok(json!({
        "dir": name,
        "lang": match state.lang { Lang::Zh => "zh", Lang::En => "en" },
        "version": env!("CARGO_PKG_VERSION"),
        "limits": { "policy": POLICY_LIMIT, "data": DATA_LIMIT },
    }))
}

/// At most this many policies are listed, this deep.
const MAX_LISTED: usize = 2000;
const MAX_DEPTH: usize = 6;

/// `GET /api/policies`: every `.kpi` file under DIR (not in hidden
/// folders, not through symlinks leaving DIR), sorted.
pub async fn policies(State(state): Shared) -> ApiResult {
    let root = state.root.clone();
    let list = blocking(move || Ok(list_policies(&root))).await?;
    ok(json!({ "policies": list }))
}

fn list_policies(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<(PathBuf, usize)> = vec![(root.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "node_modules" || name == "target" {
                continue;
            }
            let path = e.path();
            // symlinks only when they stay inside DIR
            let Ok(real) = std::fs::canonicalize(&path) else {
                continue;
            };
            if !real.starts_with(root) {
                continue;
            }
            if real.is_dir() {
                let is_link = e.file_type().map(|t| t.is_symlink()).unwrap_or(true);
                if depth < MAX_DEPTH && !is_link {
                    stack.push((path, depth + 1));
                }
            } else if name.ends_with(".kpi") {
                if let Ok(rel) = path.strip_prefix(root) {
                    let parts: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    out.push(parts.join("/"));
                }
            }
            if out.len() >= MAX_LISTED {
                break;
            }
        }
    }
    out.sort();
    out
}

#[derive(Deserialize)]
pub struct PathQuery {
    path: String,
}

/// `GET /api/policy?path=P`: a policy's text.
pub async fn get_policy(State(state): Shared, Query(q): Query<PathQuery>) -> ApiResult {
    let file = existing_file(&state.root, &q.path)?;
    let text = blocking(move || read_policy_file(&file)).await?;
    ok(json!({ "path": q.path, "text": text }))
}

fn read_policy_file(file: &Path) -> Result<String, ApiError> {
    let len = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    if len > POLICY_LIMIT as u64 {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the file is larger than 1 MiB, the limit for a policy",
        ));
    }
    let bytes = std::fs::read(file)
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, format!("cannot read the file: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the file is not UTF-8 text"))
}

#[derive(Deserialize)]
struct SaveReq {
    path: String,
    text: String,
}

/// `PUT /api/policy {path, text}`: writes the policy (inside DIR only,
/// through a temporary file and a rename) and returns its `git diff`.
pub async fn save_policy(State(state): Shared, body: Body) -> ApiResult {
    let req: SaveReq = json_body(body, POLICY_LIMIT).await?;
    let target = writable_file(&state.root, &req.path)?;
    let root = state.root.clone();
    let rel = super::security::relative(&req.path)?;
    let (diff, note) = blocking(move || {
        write_atomically(&target, req.text.as_bytes())?;
        Ok(match git::diff(&root, &rel) {
            Ok(d) => (d, None),
            Err(why) => (String::new(), Some(why)),
        })
    })
    .await?;
    ok(json!({ "saved": true, "path": req.path, "diff": diff, "note": note }))
}

fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.kpi-serve-{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, target))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot write the file: {e}"),
            )
        })
}

// ------------------------------------------------------------- check, format

/// `POST /api/check {text, path?, lang?}`: the diagnostics of `kpi check
/// --format json`, the reachable ranges of `--verbose`, and the declared
/// names (for hover).
pub async fn check(State(state): Shared, body: Body) -> ApiResult {
    let req: PolicyReq = json_body(body, POLICY_LIMIT).await?;
    let lang = req.lang(state.lang);
    blocking(move || {
        let src = req.source();
        let (diagnostics, ranges, symbols) = match check_source(&src, lang) {
            Ok((c, warnings)) => {
                let ranges: BTreeMap<String, String> =
                    analysis::summary(&c.program).into_iter().collect();
                let symbols = symbols(&c.program, &ranges);
                (warnings, ranges, symbols)
            }
            Err(d) => (d, BTreeMap::new(), Vec::new()),
        };
        let errors = diagnostics
            .iter()
            .filter(|d| d["severity"] == "error")
            .count();
        ok(json!({
            "diagnostics": diagnostics,
            "errors": errors,
            "warnings": diagnostics.len() - errors,
            "ranges": ranges,
            "symbols": symbols,
        }))
    })
    .await
}

/// Every declared name with what hover shows: kind, type, label, range.
fn symbols(p: &crate::ir::Program, ranges: &BTreeMap<String, String>) -> Vec<Json> {
    let field = |f: &crate::ir::Field, kind: &str| json!({"name": f.id, "kind": kind, "type": f.ty.to_string(), "label": f.label});
    let mut out: Vec<Json> = p.inputs.iter().map(|f| field(f, "input")).collect();
    out.extend(p.context.iter().map(|f| field(f, "context")));
    for s in &p.slots {
        let kind = format!("{:?}", s.kind).to_lowercase();
        out.push(json!({
            "name": s.name,
            "kind": kind,
            "type": s.ty.to_string(),
            "label": s.label,
            "range": ranges.get(&s.name),
        }));
    }
    out
}

/// `POST /api/format {text}`: `kpi fmt`'s layout, or the syntax errors.
pub async fn format(State(state): Shared, body: Body) -> ApiResult {
    let req: PolicyReq = json_body(body, POLICY_LIMIT).await?;
    let lang = req.lang(state.lang);
    blocking(move || match crate::syntax::fmt::format_policy(&req.text) {
        Ok(text) => ok(json!({ "text": text })),
        Err(e) => {
            let src = req.source();
            let d = crate::cli::render_json_diagnostic(&e.report(lang), Some(&src));
            Err(workspace::failed(
                "policy",
                lang.pick("fix the syntax errors first", "请先修正语法错误")
                    .into(),
                vec![d],
                &[],
            ))
        }
    })
    .await
}

// ----------------------------------------------------------------------- data

#[derive(Deserialize)]
pub struct NameQuery {
    name: String,
}

/// `POST /api/data/records?name=F` and `/api/data/context?name=F`: the
/// body is the file (any format of §5.3), kept in memory.
pub async fn upload(
    State(state): Shared,
    UrlPath(role): UrlPath<String>,
    Query(q): Query<NameQuery>,
    body: Body,
) -> ApiResult {
    let bytes = read_body(body, DATA_LIMIT).await?;
    let name: String = q
        .name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if name.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the file has no name",
        ));
    }
    let up = Upload {
        name,
        bytes: Arc::new(bytes.to_vec()),
    };
    let listing = with_workspace(&state, |ws| {
        match role.as_str() {
            "records" => ws.add_records(up)?,
            "context" => ws.context = Some(up),
            _ => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "upload to /api/data/records or /api/data/context",
                ))
            }
        }
        Ok(ws.listing())
    })?;
    ok(json!(listing))
}

/// `GET /api/data`: the uploaded files' names and sizes.
pub async fn list_data(State(state): Shared) -> ApiResult {
    ok(json!(snapshot(&state).listing()))
}

/// `DELETE /api/data`: forgets every uploaded file.
pub async fn clear_data(State(state): Shared) -> ApiResult {
    let listing = with_workspace(&state, |ws| {
        *ws = Workspace::default();
        ws.listing()
    });
    ok(json!(listing))
}

// ------------------------------------------------------------------- results

/// Runs the request's policy on the uploads, on the blocking pool.
async fn run_batch<T: Send + 'static>(
    state: &Arc<AppState>,
    req: PolicyReq,
    f: impl FnOnce(Run, Lang) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let ws = snapshot(state);
    let default = state.lang;
    blocking(move || {
        let lang = req.lang(default);
        let run = workspace::run(&ws, &req, req.source(), default)?;
        f(run, lang)
    })
    .await
}

/// `POST /api/eval {text, …}`: the results model (columns, rows, team
/// summaries, payroll), the charts of the HTML report per team, notices.
pub async fn eval(State(state): Shared, body: Body) -> ApiResult {
    let req: PolicyReq = json_body(body, POLICY_LIMIT).await?;
    let ws = snapshot(&state);
    run_batch(&state, req, move |run, lang| {
        let report = people_report(&run, &ws, Vec::new());
        let charts = charts(&report, lang);
        let teams: Vec<String> = {
            let mut t: Vec<String> = report.rows.iter().filter_map(|r| r.team.clone()).collect();
            t.sort();
            t.dedup();
            t
        };
        ok(json!({
            "report": report,
            "teams": teams,
            "charts": charts,
            "warnings": run.warnings,
            "notices": run.notices,
        }))
    })
    .await
}

/// The grade and histogram charts (SVG) of everybody (key `""`) and of
/// each team.
fn charts(report: &ResultsReport, lang: Lang) -> BTreeMap<String, Vec<String>> {
    use crate::report::html::{grades_chart, histogram_chart};
    let draw = |r: &ResultsReport| -> Vec<String> {
        [grades_chart(r, lang), histogram_chart(r, lang)]
            .into_iter()
            .flatten()
            .collect()
    };
    let mut out = BTreeMap::new();
    out.insert(String::new(), draw(report));
    let mut teams: Vec<&str> = report
        .rows
        .iter()
        .filter_map(|r| r.team.as_deref())
        .collect();
    teams.sort_unstable();
    teams.dedup();
    for t in teams {
        let mut one = report.clone();
        one.rows.retain(|r| r.team.as_deref() == Some(t));
        one.teams.retain(|s| s.team.as_deref() == Some(t));
        out.insert(t.to_string(), draw(&one));
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The people report of a run, with provenance (the policy text and every
/// uploaded file, hashed).
fn people_report(run: &Run, ws: &Workspace, explanations: Vec<String>) -> ResultsReport {
    let mut provenance = vec![Provenance {
        role: "policy".into(),
        path: run.src.path.clone(),
        sha256: sha256_hex(run.src.text.as_bytes()),
    }];
    for (role, up) in ws
        .records
        .iter()
        .map(|u| ("data", u))
        .chain(ws.context.iter().map(|u| ("context", u)))
    {
        provenance.push(Provenance {
            role: role.into(),
            path: up.name.clone(),
            sha256: sha256_hex(&up.bytes),
        });
    }
    build(
        &run.program,
        &run.rows,
        &run.ev,
        provenance,
        run.warnings_text.clone(),
        explanations,
    )
}

#[derive(Deserialize)]
struct PersonReq {
    #[serde(flatten)]
    policy: PolicyReq,
    employee: String,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    target: Option<String>,
}

/// The row of the person asked for, or a 404 that names the nearest id.
fn person_row(run: &Run, employee: &str, at: Option<&str>, lang: Lang) -> Result<usize, ApiError> {
    use crate::report::{find_row, NotFound};
    let period = at.map(str::trim).filter(|p| !p.is_empty());
    let period = match period {
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
    find_row(&run.rows, employee, period).map_err(|e| {
        let message = match e {
            NotFound::Employee { suggestion } => {
                let hint = suggestion.map(|s| {
                    lang.pick(
                        format!("; did you mean `{s}`?"),
                        format!("；是不是 `{s}`？"),
                    )
                });
                lang.pick(
                    format!(
                        "no record for employee `{employee}`{}",
                        hint.clone().unwrap_or_default()
                    ),
                    format!("数据中没有员工 `{employee}`{}", hint.unwrap_or_default()),
                )
            }
            NotFound::Period { available } => {
                let list: Vec<String> = available.iter().map(|p| p.to_string()).collect();
                lang.pick(
                    format!(
                        "employee `{employee}` has no record then; their periods: {}",
                        list.join(", ")
                    ),
                    format!(
                        "员工 `{employee}` 在该月份没有记录；有记录的月份：{}",
                        list.join("、")
                    ),
                )
            }
        };
        ApiError::new(StatusCode::NOT_FOUND, message)
    })
}

fn eval_failed(errors: Vec<crate::eval::EvalError>, src: &Source, lang: Lang) -> ApiError {
    let diags = errors
        .iter()
        .map(|e| crate::cli::render_json_diagnostic(&e.report(lang), Some(src)))
        .collect();
    let n = errors.len();
    workspace::failed(
        "eval",
        lang.pick(
            format!("{n} evaluation error(s)"),
            format!("{n} 处计算错误"),
        ),
        diags,
        &[],
    )
}

/// `POST /api/explain {text, …, employee, at?}`: `kpi explain` of one
/// person, as text and as the JSON model.
pub async fn explain(State(state): Shared, body: Body) -> ApiResult {
    let req: PersonReq = json_body(body, POLICY_LIMIT).await?;
    let PersonReq {
        policy,
        employee,
        at,
        ..
    } = req;
    run_batch(&state, policy, move |run, lang| {
        let row = person_row(&run, &employee, at.as_deref(), lang)?;
        let x = crate::report::explain::explain(
            &run.program,
            &run.src.text,
            &run.rows,
            &run.context,
            row,
        )
        .map_err(|e| eval_failed(e, &run.src, lang))?;
        ok(json!({ "text": render_explanation(&x, lang), "explanation": x }))
    })
    .await
}

/// `POST /api/whatif {text, …, employee, at?, target}`: the smallest
/// change of each input that reaches the target (`grade = B`).
pub async fn whatif(State(state): Shared, body: Body) -> ApiResult {
    let req: PersonReq = json_body(body, POLICY_LIMIT).await?;
    let PersonReq {
        policy,
        employee,
        at,
        target,
    } = req;
    run_batch(&state, policy, move |run, lang| {
        let row = person_row(&run, &employee, at.as_deref(), lang)?;
        let target =
            crate::report::whatif::parse_target(&run.program, target.as_deref().unwrap_or(""))
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
        let w = crate::report::whatif::whatif(&run.program, &run.rows, &run.context, row, &target)
            .map_err(|e| eval_failed(e, &run.src, lang))?;
        ok(json!({ "whatif": w }))
    })
    .await
}

// ------------------------------------------------------------------ versions

/// `GET /api/history?path=P`: the commits that changed the policy.
pub async fn history(State(state): Shared, Query(q): Query<PathQuery>) -> ApiResult {
    existing_file(&state.root, &q.path)?;
    let rel = super::security::relative(&q.path)?;
    let root = state.root.clone();
    let (revs, note) = blocking(move || Ok(git::log(&root, &rel))).await?;
    ok(json!({ "revisions": revs, "note": note }))
}

#[derive(Deserialize)]
struct DiffReq {
    #[serde(flatten)]
    policy: PolicyReq,
    /// The old version: a commit of the policy's history.
    rev: String,
}

/// `POST /api/diff {text, path, rev, …}`: the policy at `rev` against the
/// editor's text on the uploaded data (`kpi diff REV:path NEW`).
pub async fn diff(State(state): Shared, body: Body) -> ApiResult {
    let req: DiffReq = json_body(body, POLICY_LIMIT).await?;
    let path = req.policy.path.clone().unwrap_or_default();
    let rel = super::security::relative(&path)?;
    if !git::is_commit_id(&req.rev) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "`{}` is not a commit id",
                req.rev.chars().take(80).collect::<String>()
            ),
        ));
    }
    let root = state.root.clone();
    let ws = snapshot(&state);
    let default = state.lang;
    blocking(move || {
        let old_text = git::show(&root, &req.rev, &rel)
            .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e))?;
        let short: String = req.rev.chars().take(7).collect();
        let old_label = format!("{short}:{path}");
        let old_src = Source {
            path: old_label.clone(),
            text: old_text,
        };
        let old = workspace::run(&ws, &req.policy, old_src, default)?;
        let new = workspace::run(&ws, &req.policy, req.policy.source(), default)?;
        let d = crate::report::diff::diff(
            &crate::report::diff::Side {
                source: &old_label,
                program: &old.program,
                rows: &old.rows,
                ev: &old.ev,
            },
            &crate::report::diff::Side {
                source: &path,
                program: &new.program,
                rows: &new.rows,
                ev: &new.ev,
            },
        );
        ok(json!({ "diff": d }))
    })
    .await
}

// -------------------------------------------------------------------- export

#[derive(Deserialize)]
struct ExportReq {
    #[serde(flatten)]
    policy: PolicyReq,
    /// `csv`, `json`, `xlsx` or `html`.
    format: String,
    /// CSV headers are the outputs' labels.
    #[serde(default)]
    labels: bool,
}

/// `POST /api/export {text, …, format}`: the results as `kpi eval
/// --output results.FORMAT` writes them, as a download.
pub async fn export(State(state): Shared, body: Body) -> ApiResult {
    let req: ExportReq = json_body(body, POLICY_LIMIT).await?;
    let ExportReq {
        policy,
        format,
        labels,
    } = req;
    let ws = snapshot(&state);
    let stem = policy
        .path
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|n| n.strip_suffix(".kpi"))
        .unwrap_or("results")
        .to_string();
    let (bytes, mime, ext) = run_batch(&state, policy, move |run, lang| {
        let (p, rows, ev) = (&run.program, &run.rows, &run.ev);
        Ok(match format.as_str() {
            "json" => (
                // (an evaluated batch holds every row: always rendered)
                render_results(p, rows, ev, ResultFormat::Json, false)
                    .unwrap_or_default()
                    .into_bytes(),
                "application/json; charset=utf-8",
                "json",
            ),
            "csv" => {
                // Excel reads a CSV file as UTF-8 only with a BOM
                let mut b = "\u{feff}".as_bytes().to_vec();
                let csv = render_results(p, rows, ev, ResultFormat::Csv, labels);
                b.extend(csv.unwrap_or_default().into_bytes());
                (b, "text/csv; charset=utf-8", "csv")
            }
            "html" => {
                let explanations =
                    crate::report::explain::explain_each(p, &run.src.text, rows, &run.context, ev)
                        .iter()
                        .map(|x| render_explanation(x, lang))
                        .collect();
                let report = people_report(&run, &ws, explanations);
                (
                    crate::report::html::render(&report, lang).into_bytes(),
                    "text/html; charset=utf-8",
                    "html",
                )
            }
            "xlsx" => (
                xlsx(&people_report(&run, &ws, Vec::new()), lang)?,
                XLSX_MIME,
                "xlsx",
            ),
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("unknown export format `{other}`: csv, json, xlsx or html"),
                ))
            }
        })
    })
    .await?;
    let file = format!("{stem}-results.{ext}");
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"results.{ext}\"; filename*=UTF-8''{}",
        percent_encode(&file)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[cfg(feature = "spreadsheets")]
fn xlsx(report: &ResultsReport, lang: Lang) -> Result<Vec<u8>, ApiError> {
    crate::report::xlsx::render(report, lang).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot write the xlsx file: {e}"),
        )
    })
}

#[cfg(not(feature = "spreadsheets"))]
fn xlsx(_: &ResultsReport, _: Lang) -> Result<Vec<u8>, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "this kpi was built without xlsx support (feature `spreadsheets`)",
    ))
}

/// RFC 5987 encoding of a file name.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
