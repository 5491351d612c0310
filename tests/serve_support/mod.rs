//! Starting `kpi serve` for tests, and a raw HTTP/1.1 client that sends
//! exactly what it is told (any Host, Origin, path bytes or body length),
//! which the security tests need and a polite client would not do.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running `kpi serve DIR --port 0`, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// What it printed first (the URL line).
    pub banner: String,
    pub stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts the binary on `dir` with English messages.
    pub fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    pub fn start_with(dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .arg("serve")
            .arg(dir)
            .args(["--port", "0"])
            .args(extra)
            .env("LC_ALL", "C")
            .env("LANG", "C")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kpi serve");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut banner = String::new();
        stdout.read_line(&mut banner).expect("read the URL line");
        let port = banner
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no URL in the first line: {banner:?}"));
        Server {
            child,
            port,
            banner,
            stdout,
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A request with this server's Host and (unless GET) Origin.
    pub fn call(&self, method: &str, path: &str, body: &[u8]) -> Resp {
        let host = self.host();
        let origin = self.origin();
        let mut headers = vec![("Host", host.as_str())];
        if method != "GET" {
            headers.push(("Origin", origin.as_str()));
        }
        self.raw(method, path, &headers, Some(body))
    }

    pub fn get(&self, path: &str) -> Resp {
        self.call("GET", path, b"")
    }

    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Resp {
        self.call("POST", path, body.to_string().as_bytes())
    }

    /// Sends exactly these headers (plus Content-Length for a body, and
    /// Connection: close) and reads the whole response.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(b) = body {
            head.push_str(&format!("Content-Length: {}\r\n", b.len()));
        }
        head.push_str("\r\n");
        let mut s = self.connect();
        s.write_all(head.as_bytes()).expect("send the head");
        if let Some(b) = body {
            // the server may answer (and close) before reading it all
            let _ = s.write_all(b);
        }
        read_response(&mut s)
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).ok();
        s
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Reads a response to the end of the connection (de-chunking a chunked
/// body).
pub fn read_response(s: &mut TcpStream) -> Resp {
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(&all)));
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = all[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..end])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&b[start..(start + size).min(b.len())]);
        b = &b[(start + size + 2).min(b.len())..];
    }
    out
}

/// Runs `git` in `dir` with a fixed identity (never the machine's).
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=HR", "-c", "user.email=hr@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A copy of `policies/` made into a git repository with two commits: the
/// seeds, then S1 with a steeper refund-dispute deduction (−3 per 0.1 %
/// instead of −2). Returns the folder.
pub fn policies_repo(parent: &Path) -> PathBuf {
    let dir = parent.join("policies");
    std::fs::create_dir_all(&dir).expect("create the folder");
    for e in std::fs::read_dir(root().join("policies")).expect("policies/") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "kpi") {
            std::fs::copy(&p, dir.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "seed policies"]);
    let s1 = dir.join("tmall_after_sales.kpi");
    let text = std::fs::read_to_string(&s1).expect("S1");
    let from = "each 0.1% above industry_refund_dispute_rate: -2";
    assert!(text.contains(from), "S1 changed: update policies_repo");
    std::fs::write(
        &s1,
        text.replace(from, "each 0.1% above industry_refund_dispute_rate: -3"),
    )
    .expect("write S1");
    git(
        &dir,
        &[
            "commit",
            "-q",
            "-a",
            "-m",
            "退款纠纷率: 每高于行业 0.1% 扣 3 分",
        ],
    );
    dir
}

/// `kpi ARGS…` in the repository root with English messages: stdout.
pub fn kpi(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .current_dir(root())
        .args(args)
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .output()
        .expect("run kpi");
    assert!(
        out.status.success(),
        "kpi {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
