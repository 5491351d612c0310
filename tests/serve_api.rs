//! The workbench's HTTP API (`kpi serve`), tested against the real binary
//! on a free loopback port (`--port 0`): every endpoint gives what the CLI
//! gives for the same policy and data, and every refusal of the security
//! model happens — foreign Host (DNS rebinding) and Origin (CSRF), bodies
//! over the limits, paths outside DIR (`../`, absolute, symlinks,
//! URL-encoded, `..\`), and uploads that never reach the disk or the logs.
#![cfg(feature = "serve")]

mod serve_support;

use serde_json::{json, Value};
use serve_support::{kpi, policies_repo, read_response, root, Server};
use std::io::Write;
use std::path::Path;

const S1: &str = "tmall_after_sales.kpi";
const RECORDS: &str = "examples/tmall_after_sales/records.csv";
const CONTEXT: &str = "examples/tmall_after_sales/context.csv";

fn s1_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(S1)).expect("S1")
}

fn upload(s: &Server, role: &str, path: &str) -> serve_support::Resp {
    let bytes = std::fs::read(root().join(path)).expect("example file");
    let name = Path::new(path).file_name().unwrap().to_str().unwrap();
    s.call("POST", &format!("/api/data/{role}?name={name}"), &bytes)
}

/// A server on a two-commit copy of `policies/` with the S1 data uploaded.
fn loaded() -> (tempfile::TempDir, std::path::PathBuf, Server) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = policies_repo(tmp.path());
    let s = Server::start(&dir);
    assert_eq!(upload(&s, "records", RECORDS).status, 200);
    assert_eq!(upload(&s, "context", CONTEXT).status, 200);
    (tmp, dir, s)
}

fn policy_req(dir: &Path) -> Value {
    json!({ "text": s1_text(dir), "path": S1, "lang": "en" })
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

// ------------------------------------------------------------------ startup

#[test]
fn prints_the_url_and_stops_cleanly_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Server::start(tmp.path());
    assert!(
        s.banner.starts_with("kpi workbench: http://127.0.0.1:") && s.port != 0,
        "{}",
        s.banner
    );
    assert_eq!(s.get("/api/info").status, 200);
    let pid = s.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "kpi serve did not stop on SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut s.stdout, &mut rest).unwrap();
    assert!(rest.contains("kpi workbench stopped"), "{rest}");
}

#[test]
fn a_host_other_than_loopback_is_warned_about() {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning
    // is printed, then binding fails; nothing is ever listened on.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(["serve", ".", "--host", "192.0.2.1", "--port", "0"])
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: listening on 192.0.2.1, not loopback"),
        "{err}"
    );
    assert!(!out.status.success());
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(["serve", ".", "--host", "evil.example"])
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(["serve", "/no/such/folder"])
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

// ------------------------------------------------------------- page, assets

#[test]
fn serves_the_page_and_its_assets_from_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(tmp.path());
    let page = s.get("/");
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page.text().contains("/assets/app.js"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'self'"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    for (asset, mime) in [
        ("app.js", "text/javascript"),
        ("app.css", "text/css"),
        ("LICENSES.txt", "text/plain"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let r = s.get(&format!("/assets/{asset}"));
        assert_eq!(r.status, 200, "{asset}");
        assert!(
            r.header("content-type").unwrap().starts_with(mime),
            "{asset}"
        );
        assert!(!r.body.is_empty());
    }
    assert!(s
        .get("/assets/LICENSES.txt")
        .text()
        .contains("@codemirror/view"));
    assert_eq!(s.get("/assets/nope.js").status, 404);
    let info = s.get("/api/info").json();
    assert_eq!(info["limits"]["data"], 32 * 1024 * 1024);
}

/// The committed bundle (src/serve/assets/) was built from the sources in
/// web/ as they are: `npm ci --prefix web && npm run build --prefix web`
/// rewrites SOURCE_HASH, which must equal the hash of web/ (computed as
/// web/build.mjs does).
#[test]
fn the_committed_bundle_is_built_from_the_current_sources() {
    use sha2::Digest;
    let web = root().join("web");
    let mut files = vec![
        "index.html".to_string(),
        "build.mjs".into(),
        "package.json".into(),
        "package-lock.json".into(),
    ];
    fn walk(web: &Path, rel: &str, out: &mut Vec<String>) {
        for e in std::fs::read_dir(web.join(rel)).unwrap() {
            let e = e.unwrap();
            let r = format!("{rel}/{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(web, &r, out);
            } else {
                out.push(r);
            }
        }
    }
    walk(&web, "src", &mut files);
    files.sort();
    let mut h = sha2::Sha256::new();
    for f in &files {
        let bytes = std::fs::read(web.join(f)).unwrap();
        h.update(format!("{f}\n{}\n", bytes.len()).as_bytes());
        h.update(&bytes);
    }
    let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let assets = root().join("src/serve/assets");
    let committed = std::fs::read_to_string(assets.join("SOURCE_HASH")).unwrap();
    assert_eq!(
        committed.trim(),
        hash,
        "src/serve/assets/ is older than web/: run `npm ci --prefix web && npm run build --prefix web`"
    );
    assert_eq!(
        std::fs::read(assets.join("index.html")).unwrap(),
        std::fs::read(web.join("index.html")).unwrap()
    );
    assert_eq!(
        std::fs::read(assets.join("app.css")).unwrap(),
        std::fs::read(web.join("src/style.css")).unwrap()
    );
}

// ------------------------------------------------------------------ policies

#[test]
fn lists_reads_and_saves_policies_with_their_git_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = policies_repo(tmp.path());
    std::fs::create_dir(dir.join(".hidden")).unwrap();
    std::fs::write(dir.join(".hidden/x.kpi"), "policy \"h\"").unwrap();
    std::fs::create_dir(dir.join("售后")).unwrap();
    std::fs::write(dir.join("售后/新方案.kpi"), "policy \"n\"\n").unwrap();
    let s = Server::start(&dir);
    let list = s.get("/api/policies").json();
    let names: Vec<&str> = list["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        names.contains(&S1) && names.contains(&"售后/新方案.kpi"),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("hidden")), "{names:?}");

    let got = s.get(&format!("/api/policy?path={S1}")).json();
    assert_eq!(got["text"], s1_text(&dir));
    let nested = s.get("/api/policy?path=%E5%94%AE%E5%90%8E/%E6%96%B0%E6%96%B9%E6%A1%88.kpi");
    assert_eq!(nested.status, 200);
    assert_eq!(s.get("/api/policy?path=nope.kpi").status, 404);

    let text = s1_text(&dir) + "# 由工作台保存\n";
    let saved = s.call(
        "PUT",
        "/api/policy",
        json!({ "path": S1, "text": text }).to_string().as_bytes(),
    );
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(s1_text(&dir), text);
    let diff = saved.json()["diff"].as_str().unwrap().to_string();
    assert!(diff.contains("+# 由工作台保存"), "{diff}");
    // a new policy file may be created inside DIR; no temporary file is left
    let new = s.call(
        "PUT",
        "/api/policy",
        json!({ "path": "售后/另一个.kpi", "text": "policy \"x\"\n" })
            .to_string()
            .as_bytes(),
    );
    assert_eq!(new.status, 200);
    assert!(new.json()["note"].as_str().unwrap().contains("not tracked"));
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("kpi-serve"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// -------------------------------------------------------------- check, fmt

#[test]
fn check_gives_the_diagnostics_of_kpi_check_with_lines_and_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(tmp.path());
    let bad = "policy \"p\"\ninput a : number\nitem x = a + typo\n";
    let r = s
        .post_json("/api/check", &json!({ "text": bad, "lang": "en" }))
        .json();
    assert_eq!(r["errors"], 1);
    let d = &r["diagnostics"][0];
    assert_eq!(d["code"], "kpi::unknown_name");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["labels"][0]["line"], 3);
    assert_eq!(d["labels"][0]["column"], 14);
    // the same object as `kpi check --format json`
    let file = tmp.path().join("p.kpi");
    std::fs::write(&file, bad).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(["check", "--format", "json", "--lang", "en"])
        .arg(&file)
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ours = d.clone();
    ours["file"] = cli[0]["file"].clone();
    assert_eq!(ours, cli[0]);
    // Chinese on request
    let zh = s
        .post_json("/api/check", &json!({ "text": bad, "lang": "zh" }))
        .json();
    assert_ne!(zh["diagnostics"][0]["message"], d["message"]);
    // a clean policy: ranges of `check --verbose` and names for hover
    let good = std::fs::read_to_string(root().join("policies").join(S1)).unwrap();
    let r = s.post_json("/api/check", &json!({ "text": good })).json();
    assert_eq!(r["errors"], 0);
    assert!(r["ranges"]["total"].is_string(), "{}", r["ranges"]);
    let total = r["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "total")
        .unwrap();
    assert_eq!(total["range"], r["ranges"]["total"]);
}

#[test]
fn format_is_kpi_fmt() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(tmp.path());
    let messy = "policy   \"p\"\ninput a:number\nitem x=a+1";
    let r = s.post_json("/api/format", &json!({ "text": messy }));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["text"],
        kpi::syntax::fmt::format_policy(messy).unwrap()
    );
    let r = s.post_json("/api/format", &json!({ "text": "policy (" }));
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["diagnostics"][0]["code"], "kpi::syntax_error");
}

// ---------------------------------------------------------- data, results

#[test]
fn eval_explain_whatif_and_exports_equal_the_cli() {
    let (_tmp, dir, s) = loaded();
    let listing = s.get("/api/data").json();
    assert_eq!(listing["records"][0][0], "records.csv");
    assert_eq!(listing["context"][0], "context.csv");

    let policy = root().join("policies").join(S1);
    let p = policy.to_str().unwrap();
    let cli: Value = serde_json::from_slice(&kpi(&[
        "eval",
        p,
        "--data",
        RECORDS,
        "--context",
        CONTEXT,
        "--format",
        "json",
    ]))
    .unwrap();

    // the editor's text is the seed S1 (not the repository's HEAD)
    let seed = std::fs::read_to_string(&policy).unwrap();
    let req = json!({ "text": seed, "path": S1, "lang": "en" });
    let r = s.post_json("/api/eval", &req);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = r.json();
    let report = &r["report"];
    let columns: Vec<&str> = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let expected = cli["results"].as_array().unwrap();
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for (row, want) in rows.iter().zip(expected) {
        assert_eq!(row["employee"], want["employee"]);
        assert_eq!(row["period"], want["period"]);
        for (k, cell) in row["cells"].as_array().unwrap().iter().enumerate() {
            let text = match cell {
                Value::Object(o) if o.contains_key("Number") => o["Number"]["text"].clone(),
                Value::Object(o) if o.contains_key("Text") => o["Text"].clone(),
                Value::Object(o) if o.contains_key("Bool") => o["Bool"].clone(),
                other => panic!("cell {other}"),
            };
            assert_eq!(
                text, want["outputs"][columns[k]],
                "{} {}",
                want["employee"], columns[k]
            );
        }
    }
    assert_eq!(r["teams"], json!(["A", "B"]));
    let charts = r["charts"].as_object().unwrap();
    assert!(charts[""][0]
        .as_str()
        .unwrap()
        .contains("<svg class=\"chart-histogram\""));
    assert!(charts.contains_key("A") && charts.contains_key("B"));

    // explain: the text of `kpi explain`
    let x = s.post_json(
        "/api/explain",
        &with(req.clone(), json!({ "employee": "E02", "at": "2026-09" })),
    );
    assert_eq!(x.status, 200, "{}", x.text());
    let cli_x = kpi(&[
        "explain",
        p,
        "--data",
        RECORDS,
        "--context",
        CONTEXT,
        "--employee",
        "E02",
        "--period",
        "2026-09",
        "--lang",
        "en",
    ]);
    assert_eq!(
        x.json()["text"].as_str().unwrap(),
        String::from_utf8(cli_x).unwrap()
    );
    let miss = s.post_json(
        "/api/explain",
        &with(req.clone(), json!({ "employee": "E2" })),
    );
    assert_eq!(miss.status, 404);
    assert!(miss.json()["error"]
        .as_str()
        .unwrap()
        .contains("did you mean"));

    // what-if: the model of `kpi whatif --format json`
    let w = s.post_json(
        "/api/whatif",
        &with(
            req.clone(),
            json!({ "employee": "E02", "at": "2026-09", "target": "total >= 60" }),
        ),
    );
    assert_eq!(w.status, 200, "{}", w.text());
    let cli_w: Value = serde_json::from_slice(&kpi(&[
        "whatif",
        p,
        "--data",
        RECORDS,
        "--context",
        CONTEXT,
        "--employee",
        "E02",
        "--period",
        "2026-09",
        "--target",
        "total >= 60",
        "--format",
        "json",
        "--lang",
        "en",
    ]))
    .unwrap();
    assert_eq!(w.json()["whatif"], cli_w);
    let bad_target = s.post_json(
        "/api/whatif",
        &with(
            req.clone(),
            json!({ "employee": "E02", "target": "nonsense" }),
        ),
    );
    assert_eq!(bad_target.status, 400);

    // exports: JSON and CSV byte for byte as `kpi eval` writes them
    let out = tempfile::tempdir().unwrap();
    for (format, mime) in [
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats"),
        ("html", "text/html"),
    ] {
        let e = s.post_json(
            "/api/export",
            &with(req.clone(), json!({ "format": format })),
        );
        assert_eq!(e.status, 200, "{format}: {}", e.text());
        assert!(
            e.header("content-type").unwrap().starts_with(mime),
            "{format}"
        );
        assert!(e
            .header("content-disposition")
            .unwrap()
            .contains(&format!("tmall_after_sales-results.{format}")));
        let file = out.path().join(format!("r.{format}"));
        kpi(&[
            "eval",
            p,
            "--data",
            RECORDS,
            "--context",
            CONTEXT,
            "--output",
            file.to_str().unwrap(),
        ]);
        let cli_bytes = std::fs::read(&file).unwrap();
        match format {
            "json" | "csv" => assert_eq!(e.body, cli_bytes, "{format}"),
            "xlsx" => assert!(e.body.starts_with(b"PK")),
            _ => {
                assert!(e.text().starts_with("<!DOCTYPE html>"));
                assert!(
                    e.text().contains("Score sheet"),
                    "explanations in the HTML report"
                );
            }
        }
    }
    let e = s.post_json("/api/export", &with(req, json!({ "format": "pdf" })));
    assert_eq!(e.status, 400);
    let _ = dir;
}

#[test]
fn data_problems_are_reported_not_evaluated() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = policies_repo(tmp.path());
    let s = Server::start(&dir);
    // no data yet
    let r = s.post_json("/api/eval", &policy_req(&dir));
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["stage"], "data");
    // records without the context the policy needs
    upload(&s, "records", RECORDS);
    let r = s.post_json("/api/eval", &policy_req(&dir)).json();
    assert!(r["error"].as_str().unwrap().contains("context"), "{r}");
    // a bad cell: every error, with its place
    let bad = std::fs::read_to_string(root().join(RECORDS))
        .unwrap()
        .replacen(",0.8%,", ",abc,", 1);
    s.call("POST", "/api/data/records?name=records.csv", bad.as_bytes());
    upload(&s, "context", CONTEXT);
    let r = s.post_json("/api/eval", &policy_req(&dir));
    assert_eq!(r.status, 422);
    let r = r.json();
    assert_eq!(r["stage"], "data");
    assert!(
        r["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("abc"),
        "{r}"
    );
    // a policy with errors
    let r = s.post_json("/api/eval", &json!({ "text": "policy (", "lang": "en" }));
    assert_eq!(r.json()["stage"], "policy");
    // clearing forgets the files
    let cleared = s.call("DELETE", "/api/data", b"").json();
    assert_eq!(cleared["records"], json!([]));
    assert_eq!(
        s.call("POST", "/api/data/other?name=x.csv", b"a").status,
        404
    );
}

#[test]
fn uploads_stay_in_memory_and_out_of_the_logs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = policies_repo(tmp.path());
    let before = tree(tmp.path());
    let s = Server::start(&dir);
    let secret = "employee,period,team,沟通技巧\nSECRET_PERSON_42,2026-09,A,绝密数据\n";
    assert_eq!(
        s.call("POST", "/api/data/records?name=机密.csv", secret.as_bytes())
            .status,
        200
    );
    let r = s.post_json("/api/eval", &policy_req(&dir));
    assert_eq!(r.status, 422);
    assert_eq!(tree(tmp.path()), before, "nothing was written under DIR");
    let mut s = s;
    let _ = s.child.kill();
    let _ = s.child.wait();
    let mut out = String::new();
    let _ = std::io::Read::read_to_string(&mut s.stdout, &mut out);
    if let Some(mut e) = s.child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut out);
    }
    assert!(
        !out.contains("SECRET_PERSON_42") && !out.contains("绝密数据"),
        "{out}"
    );
}

/// Every file under `dir` with its size.
fn tree(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path().display().to_string(), m.len()));
            }
        }
    }
    out.sort();
    out
}

// ------------------------------------------------------------------ versions

#[test]
fn history_and_diff_of_a_revision_on_the_loaded_data() {
    let (_tmp, dir, s) = loaded();
    let h = s.get(&format!("/api/history?path={S1}")).json();
    let revs = h["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2, "{h}");
    assert_eq!(revs[0]["subject"], "退款纠纷率: 每高于行业 0.1% 扣 3 分");
    let old = revs[1]["commit"].as_str().unwrap();
    let r = s.post_json("/api/diff", &with(policy_req(&dir), json!({ "rev": old })));
    assert_eq!(r.status, 200, "{}", r.text());
    let d = &r.json()["diff"];
    // the same as `kpi diff OLD:path NEW` (sources named differently)
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .current_dir(&dir)
        .args(["diff", &format!("{old}:./{S1}"), S1, "--format", "json"])
        .arg("--data")
        .arg(root().join(RECORDS))
        .arg("--context")
        .arg(root().join(CONTEXT))
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["changed"], cli["changed"]);
    assert_eq!(d["summary"], cli["summary"]);
    assert!(!d["changed"].as_array().unwrap().is_empty());
    // only commit ids: nothing git could take for an option or a ref name
    for rev in ["HEAD", "--output=/tmp/kpi-pwned", "main", "HEAD~1"] {
        let r = s.post_json("/api/diff", &with(policy_req(&dir), json!({ "rev": rev })));
        assert_eq!(r.status, 400, "{rev}");
    }
    assert!(!Path::new("/tmp/kpi-pwned").exists());
    // outside a git repository: an empty history with the reason
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("p.kpi"), "policy \"p\"\n").unwrap();
    let s2 = Server::start(plain.path());
    let h = s2.get("/api/history?path=p.kpi").json();
    assert_eq!(h["revisions"], json!([]));
    assert!(h["note"].is_string());
}

// ------------------------------------------------------------------ security

#[test]
fn refuses_a_foreign_host_header() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(tmp.path());
    let port = s.port.to_string();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "127.0.0.1:1".to_string(),
        format!("192.168.0.10:{port}"),
    ] {
        let r = s.raw("GET", "/api/policies", &[("Host", &host)], None);
        assert_eq!(r.status, 421, "{host}");
        assert!(
            r.json()["error"].as_str().unwrap().contains("Host"),
            "{host}"
        );
        let page = s.raw("GET", "/", &[("Host", &host)], None);
        assert_eq!(page.status, 421, "{host}: the page too");
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(
            s.raw("GET", "/api/info", &[("Host", &host)], None).status,
            200,
            "{host}"
        );
    }
}

#[test]
fn refuses_changes_from_another_origin() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = policies_repo(tmp.path());
    let s = Server::start(&dir);
    let host = s.host();
    let before = s1_text(&dir);
    let save = json!({ "path": S1, "text": "policy \"pwned\"\n" }).to_string();
    let check = json!({ "text": "policy \"p\"\n" }).to_string();
    for origin in [
        Some("http://evil.example"),
        Some("null"),
        Some("https://127.0.0.1"),
        None,
    ] {
        let mut headers = vec![
            ("Host", host.as_str()),
            ("Content-Type", "application/json"),
        ];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        for (method, path, body) in [
            ("PUT", "/api/policy", save.as_bytes()),
            ("POST", "/api/check", check.as_bytes()),
            ("POST", "/api/data/records?name=x.csv", b"a,b\n".as_slice()),
            ("DELETE", "/api/data", b"".as_slice()),
        ] {
            let r = s.raw(method, path, &headers, Some(body));
            assert_eq!(r.status, 403, "{method} {path} from {origin:?}");
        }
    }
    assert_eq!(s1_text(&dir), before, "the policy was not written");
    assert_eq!(s.get("/api/data").json()["records"], json!([]));
    // the server's own origin, by any of its names, is accepted
    let own = format!("http://localhost:{}", s.port);
    let r = s.raw(
        "POST",
        "/api/check",
        &[("Host", &host), ("Origin", &own)],
        Some(check.as_bytes()),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn refuses_bodies_over_the_limits_with_a_clear_413() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(tmp.path());
    let host = s.host();
    let origin = s.origin();
    // declared lengths: refused before a byte of the body is read
    for (path, len) in [
        ("/api/check", 1024 * 1024 + 1),
        ("/api/policy", 2 * 1024 * 1024),
        ("/api/data/records?name=big.csv", 32 * 1024 * 1024 + 1),
    ] {
        let method = if path == "/api/policy" { "PUT" } else { "POST" };
        let mut c = s.connect();
        write!(
            c,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let r = read_response(&mut c);
        assert_eq!(r.status, 413, "{path}");
        let msg = r.json()["error"].as_str().unwrap().to_string();
        assert!(msg.contains("larger than") && msg.contains("MiB"), "{msg}");
    }
    // a body sent in chunks, without a length, is cut off at the limit
    let mut c = s.connect();
    write!(
        c,
        "POST /api/check HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..17 {
        if write!(c, "{:x}\r\n", chunk.len()).is_err()
            || c.write_all(&chunk).is_err()
            || c.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = c.write_all(b"0\r\n\r\n");
    let r = read_response(&mut c);
    assert_eq!(r.status, 413);
    // just under the data limit is accepted
    let ok = vec![b'a'; 1024 * 1024];
    assert_eq!(
        s.call("POST", "/api/data/records?name=ok.csv", &ok).status,
        200
    );
}

#[test]
fn no_path_outside_dir_can_be_read_or_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("served");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.kpi"), "policy \"TOP SECRET\"\n").unwrap();
    std::fs::write(dir.join("ok.kpi"), "policy \"ok\"\n").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.join("secret.kpi"), dir.join("link.kpi")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("linkdir")).unwrap();
    }
    let s = Server::start(&dir);
    let secret = outside.join("secret.kpi");
    let abs = secret.to_str().unwrap();
    let reads = [
        "../outside/secret.kpi".to_string(),
        "%2e%2e%2foutside%2fsecret.kpi".to_string(),
        "%2E%2E/outside/secret.kpi".to_string(),
        "..%5coutside%5csecret.kpi".to_string(),
        "..\\outside\\secret.kpi".replace('\\', "%5C"),
        abs.to_string(),
        abs.replace('/', "%2F"),
        "C:%5CWindows%5Cwin.ini".to_string(),
        "ok.kpi/../../outside/secret.kpi".to_string(),
        "link.kpi".to_string(),
        "linkdir/secret.kpi".to_string(),
        "%252e%252e%252foutside%252fsecret.kpi".to_string(),
    ];
    for p in &reads {
        for path in [
            format!("/api/policy?path={p}"),
            format!("/api/history?path={p}"),
        ] {
            let r = s.get(&path);
            assert!(
                r.status == 403 || r.status == 404 || r.status == 400,
                "{path}: {}",
                r.status
            );
            assert!(!r.text().contains("TOP SECRET"), "{path}");
        }
    }
    assert_eq!(s.get("/api/policy?path=ok.kpi").status, 200);
    // the page's paths never reach the file system
    for raw in [
        "/assets/..%2f..%2fCargo.toml",
        "/assets/../../../etc/passwd",
        "/../../outside/secret.kpi",
        "/%2e%2e/%2e%2e/outside/secret.kpi",
        "/assets/%2e%2e%5c%2e%2e%5coutside%5csecret.kpi",
    ] {
        let r = s.raw("GET", raw, &[("Host", &s.host())], None);
        assert!(r.status == 404 || r.status == 400, "{raw}: {}", r.status);
        assert!(!r.text().contains("TOP SECRET"), "{raw}");
    }
    // the listing does not follow links out
    let list = s.get("/api/policies").json();
    assert_eq!(list["policies"], json!(["ok.kpi"]));
    // writes
    let writes = [
        "../outside/secret.kpi",
        "../outside/new.kpi",
        abs,
        "..\\outside\\new.kpi",
        "link.kpi",
        "linkdir/secret.kpi",
        "linkdir/new.kpi",
        "sub/../../outside/new.kpi",
        "nofolder/new.kpi",
        "ok.txt",
        ".hidden.kpi",
    ];
    for p in writes {
        let r = s.call(
            "PUT",
            "/api/policy",
            json!({ "path": p, "text": "policy \"pwned\"\n" })
                .to_string()
                .as_bytes(),
        );
        assert!(
            [400, 403, 404].contains(&r.status),
            "write {p}: {} {}",
            r.status,
            r.text()
        );
    }
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "policy \"TOP SECRET\"\n"
    );
    assert!(!outside.join("new.kpi").exists());
    assert!(!dir.join("ok.txt").exists());
}
