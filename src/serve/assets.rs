//! The single-page app, compiled into the binary: `web/` bundled by
//! `npm run build --prefix web` into `src/serve/assets/` (committed, so
//! `cargo build` needs no npm). Only these files are served: no request
//! path ever reaches the file system.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// (name, content type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/app.css"),
    ),
    (
        "LICENSES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("assets/LICENSES.txt"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("assets/favicon.svg"),
    ),
];

const INDEX: &str = include_str!("assets/index.html");

/// `GET /`: the page.
pub async fn index() -> Response {
    with_type(INDEX.as_bytes(), "text/html; charset=utf-8")
}

/// `GET /assets/NAME`: one embedded file.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, bytes)) => with_type(bytes, mime),
        None => not_found().await,
    }
}

/// Anything else.
pub async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({ "error": "not found" })),
    )
        .into_response()
}

fn with_type(bytes: &'static [u8], mime: &'static str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}
