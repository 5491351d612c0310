//! `kpi serve [DIR] [--port N] [--host ADDR]`: the HR workbench, a local
//! web application over a folder of policies (REQUIREMENTS §9).
//!
//! The server (axum on tokio) serves a single-page app compiled into the
//! binary ([`assets`]) and a JSON API ([`api`]) that calls the library —
//! the same parser, checker, data readers, evaluator and reports as the
//! command line. It binds loopback by default; [`security`] refuses
//! foreign Host and Origin headers, oversized bodies and any path outside
//! DIR. Uploaded data lives in memory only ([`workspace`]); history comes
//! from the `git` binary ([`git`]).
//!
//! Modules: `routes` (the router), `api` (handlers), `security`,
//! `workspace` (uploads and one batch run), `assets`, `git`.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod api;
mod assets;
mod git;
mod routes;
mod security;
mod workspace;

use crate::cli::Exit;
use crate::diag::Lang;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The default port of `kpi serve`.
pub const DEFAULT_PORT: u16 = 8700;

/// `kpi serve`'s command line.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder of policies to work on (default: the current directory).
    /// Nothing outside it can be read or written.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The port to listen on; 0 picks a free one (printed).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// The address to listen on. Anything but loopback exposes the
    /// workbench to the network (a warning is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: String,
}

/// What every request handler shares.
pub(crate) struct AppState {
    /// DIR, canonical: every path served or written is inside it.
    pub root: PathBuf,
    /// Which Host and Origin headers are this server's own.
    pub allowed: security::Allowed,
    /// The uploaded data files, in memory only.
    pub workspace: Mutex<workspace::Workspace>,
    /// The language of the page until it picks one.
    pub lang: Lang,
}

/// Runs `kpi serve` until Ctrl-C (SIGINT) or SIGTERM.
pub fn run(args: &Args, lang: Lang) -> Exit {
    let root = match std::fs::canonicalize(&args.dir) {
        Ok(r) if r.is_dir() => r,
        Ok(_) => {
            eprintln!(
                "{}",
                lang.pick(
                    format!("error: `{}` is not a folder", args.dir.display()),
                    format!("error: `{}` 不是文件夹", args.dir.display()),
                )
            );
            return Exit::Usage;
        }
        Err(e) => {
            eprintln!(
                "{}",
                lang.pick(
                    format!("error: cannot open `{}`: {e}", args.dir.display()),
                    format!("error: 无法打开 `{}`：{e}", args.dir.display()),
                )
            );
            return Exit::Usage;
        }
    };
    let ip = match resolve_host(&args.host) {
        Some(ip) => ip,
        None => {
            eprintln!(
                "{}",
                lang.pick(
                    format!(
                        "error: `--host {}` is not an IP address (use e.g. 127.0.0.1, ::1 or 0.0.0.0)",
                        args.host
                    ),
                    format!(
                        "error: `--host {}` 不是 IP 地址（例如 127.0.0.1、::1 或 0.0.0.0）",
                        args.host
                    ),
                )
            );
            return Exit::Usage;
        }
    };
    if !ip.is_loopback() {
        eprintln!(
            "{}",
            lang.pick(
                format!(
                    "warning: listening on {ip}, not loopback: anyone who can reach this machine \
                     can read and change the policies in `{}`",
                    root.display()
                ),
                format!(
                    "warning: 监听地址 {ip} 不是本机回环地址：能访问本机的任何人都能读取和修改 `{}` 中的方案",
                    root.display()
                ),
            )
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(8)
        // the checker and evaluator recurse over (size-limited) policies,
        // like the CLI's worker thread
        .thread_stack_size(STACK_BYTES)
        .enable_io()
        .enable_time()
        .build();
    let runtime = match runtime {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            return Exit::Failure;
        }
    };
    let served = runtime.block_on(serve(root, SocketAddr::new(ip, args.port), lang));
    match served {
        Ok(()) => Exit::Success,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Failure
        }
    }
}

/// Stack of each server thread: as large as the CLI's worker.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// `--host`: an IP address, or `localhost`.
fn resolve_host(host: &str) -> Option<IpAddr> {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::from([127, 0, 0, 1]));
    }
    h.parse().ok()
}

/// Binds, prints the URL, serves until a signal, then stops cleanly.
async fn serve(root: PathBuf, addr: SocketAddr, lang: Lang) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let state = Arc::new(AppState {
        allowed: security::Allowed::new(bound),
        root: root.clone(),
        workspace: Mutex::new(workspace::Workspace::default()),
        lang,
    });
    let url = security::url_of(bound);
    println!(
        "{}",
        lang.pick(
            format!(
                "kpi workbench: {url}  (policies in {}; Ctrl-C stops it)",
                root.display()
            ),
            format!(
                "kpi 工作台：{url}  （方案目录 {}；按 Ctrl-C 停止）",
                root.display()
            ),
        )
    );
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("the server stopped: {e}"))?;
    println!("{}", lang.pick("kpi workbench stopped", "kpi 工作台已停止"));
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
