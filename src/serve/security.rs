//! What keeps a local server from being an attack surface:
//! - the Host header must name this server (no DNS rebinding: a page of
//!   `evil.example` resolved to 127.0.0.1 sends `Host: evil.example`);
//! - a request that changes anything (not GET/HEAD) must carry the
//!   server's own Origin (no cross-site request forgery);
//! - bodies are bounded (1 MiB for policies, 32 MiB for data), with a
//!   clear 413 whether or not the client sent a length;
//! - a path given by the page is relative to DIR, has no `..`, `\`,
//!   drive, hidden or empty component, and its canonical form (symlinks
//!   followed) stays inside DIR.

use super::api::ApiError;
use super::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest policy request (a policy is at most 1 MiB of text).
pub const POLICY_LIMIT: usize = 1024 * 1024;
/// The largest data file upload.
pub const DATA_LIMIT: usize = 32 * 1024 * 1024;

/// The server's own address, as Host and Origin headers may name it.
#[derive(Debug, Clone)]
pub struct Allowed {
    port: u16,
    /// The address bound.
    ip: IpAddr,
}

impl Allowed {
    pub fn new(bound: SocketAddr) -> Allowed {
        Allowed {
            port: bound.port(),
            ip: bound.ip(),
        }
    }

    /// Whether a Host header value (`127.0.0.1:8700`, `localhost:8700`,
    /// `[::1]:8700`) names this server. Names other than `localhost` are
    /// refused: that is what DNS rebinding sends. Bound to an unspecified
    /// address (`0.0.0.0`), any IP address of the machine is accepted.
    pub fn host_ok(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        if port.unwrap_or(80) != self.port {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return self.ip.is_loopback() || self.ip.is_unspecified();
        }
        match name.parse::<IpAddr>() {
            Ok(ip) if ip == self.ip => true,
            Ok(ip) if self.ip.is_loopback() => ip.is_loopback(),
            Ok(_) => self.ip.is_unspecified(),
            Err(_) => false,
        }
    }

    /// Whether an Origin header value (`http://127.0.0.1:8700`) is this
    /// server's.
    pub fn origin_ok(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| !host.contains('/') && self.host_ok(host))
    }
}

/// `name[:port]` or `[v6][:port]` → (name, port).
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        let (name, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?.parse().ok()?),
        };
        return Some((name, port));
    }
    match host.rsplit_once(':') {
        Some((name, port)) => Some((name, Some(port.parse().ok()?))),
        None => Some((host, None)),
    }
    .filter(|(name, _)| !name.is_empty() && !name.contains(':'))
}

/// The URL to open: `http://127.0.0.1:8700/` (loopback for an unspecified
/// address, which the server also answers on).
pub fn url_of(bound: SocketAddr) -> String {
    let ip = match bound.ip() {
        IpAddr::V4(v) if v.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(v) if v.is_unspecified() => IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, bound.port()))
}

/// The middleware in front of every route: Host, Origin, declared body
/// size; then the response gets headers that keep the page to itself.
pub async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Err(e) = admit(
        &state.allowed,
        req.method(),
        req.uri().path(),
        req.headers(),
    ) {
        return e.into_response();
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The checks of [`guard`], on the request head.
fn admit(
    allowed: &Allowed,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !allowed.host_ok(host) {
        return Err(ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "refused: the Host header `{}` is not this server's (open the URL `kpi serve` printed)",
                shorten(host)
            ),
        ));
    }
    if method != Method::GET && method != Method::HEAD {
        match headers.get(header::ORIGIN).and_then(|h| h.to_str().ok()) {
            Some(o) if allowed.origin_ok(o) => {}
            Some(o) => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    format!(
                        "refused: a {method} request from another site (Origin `{}`)",
                        shorten(o)
                    ),
                ))
            }
            None => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    format!("refused: a {method} request without an Origin header"),
                ))
            }
        }
    }
    let limit = body_limit(path);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    Ok(())
}

/// A header value as shown in a message: at most 80 characters.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().nth(80).is_some() {
        out.push('…');
    }
    out
}

/// The body limit of a route: data uploads get [`DATA_LIMIT`].
pub fn body_limit(path: &str) -> usize {
    if path.starts_with("/api/data/") {
        DATA_LIMIT
    } else {
        POLICY_LIMIT
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "refused: the request is larger than {} MiB, the limit for this kind of request",
            limit / (1024 * 1024)
        ),
    )
}

/// Reads a whole body of at most `limit` bytes (a body sent without a
/// length is cut off there, with the same 413).
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))
}

/// The file of a path relative to DIR, which must exist: see [`relative`]
/// for what is refused; its canonical path (symlinks followed) must be
/// inside `root`.
pub fn existing_file(root: &Path, rel: &str) -> Result<PathBuf, ApiError> {
    let joined = root.join(relative(rel)?);
    let real = std::fs::canonicalize(&joined).map_err(|_| not_found(rel))?;
    if !real.starts_with(root) {
        return Err(outside(rel));
    }
    if !real.is_file() {
        return Err(not_found(rel));
    }
    Ok(real)
}

/// Where a policy may be written: inside an existing folder of DIR, not
/// through a symlink, a `.kpi` file.
pub fn writable_file(root: &Path, rel: &str) -> Result<PathBuf, ApiError> {
    let r = relative(rel)?;
    if r.extension().and_then(|e| e.to_str()) != Some("kpi") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("refused: only `.kpi` policy files can be written, not `{rel}`"),
        ));
    }
    let joined = root.join(&r);
    let parent = joined.parent().ok_or_else(|| outside(rel))?;
    let real_parent = std::fs::canonicalize(parent).map_err(|_| not_found(rel))?;
    if !real_parent.starts_with(root) {
        return Err(outside(rel));
    }
    let name = joined.file_name().ok_or_else(|| outside(rel))?;
    let target = real_parent.join(name);
    match std::fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() || !m.is_file() => Err(outside(rel)),
        _ => Ok(target),
    }
}

/// A path from the page, checked for its form: relative, `/`-separated,
/// every component a plain name (no `..`, `.`, empty, hidden `.x`, `\`,
/// `:` or NUL), at most 1024 bytes.
pub fn relative(rel: &str) -> Result<PathBuf, ApiError> {
    let bad = rel.is_empty()
        || rel.len() > 1024
        || rel.starts_with('/')
        || rel.contains(['\\', ':', '\0'])
        || rel
            .split('/')
            .any(|c| c.is_empty() || c.starts_with('.') || c.trim() != c);
    if bad {
        return Err(outside(rel));
    }
    Ok(rel.split('/').collect())
}

fn outside(rel: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        format!(
            "refused: `{}` is not a path inside the served folder",
            shorten(rel)
        ),
    )
}

fn not_found(rel: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no file `{}` in the served folder", shorten(rel)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(addr: &str) -> Allowed {
        Allowed::new(addr.parse().unwrap())
    }

    #[test]
    fn hosts_of_a_loopback_server() {
        let a = allowed("127.0.0.1:8700");
        for ok in [
            "127.0.0.1:8700",
            "localhost:8700",
            "LOCALHOST:8700",
            "[::1]:8700",
        ] {
            assert!(a.host_ok(ok), "{ok}");
        }
        for bad in [
            "evil.example:8700",
            "127.0.0.1:8701",
            "127.0.0.1",
            "",
            "192.168.1.2:8700",
            "localhost.evil.example:8700",
            "127.0.0.1:8700/x",
        ] {
            assert!(!a.host_ok(bad), "{bad}");
        }
        assert!(a.origin_ok("http://127.0.0.1:8700"));
        assert!(a.origin_ok("http://localhost:8700"));
        assert!(!a.origin_ok("https://127.0.0.1:8700"));
        assert!(!a.origin_ok("http://evil.example:8700"));
        assert!(!a.origin_ok("null"));
    }

    #[test]
    fn hosts_of_an_unspecified_address() {
        let a = allowed("0.0.0.0:80");
        assert!(a.host_ok("10.1.2.3"));
        assert!(a.host_ok("localhost"));
        assert!(!a.host_ok("evil.example"));
    }

    #[test]
    fn relative_paths() {
        for ok in ["a.kpi", "dir/a.kpi", "售后/方案.kpi"] {
            assert!(relative(ok).is_ok(), "{ok}");
        }
        for bad in [
            "../a.kpi",
            "dir/../../a.kpi",
            "/etc/passwd",
            "..\\a.kpi",
            "C:\\x.kpi",
            "c:/x.kpi",
            "./a.kpi",
            "a//b.kpi",
            ".git/config",
            "",
            "a\0.kpi",
        ] {
            assert!(relative(bad).is_err(), "{bad:?}");
        }
    }
}
