//! `kpi lsp` spoken to over its real stdio: a small JSON-RPC client
//! (Content-Length framing) drives the binary through every feature on the
//! seed policies and on broken, half-typed text. Every read has a 10 s
//! guard, so a server that hangs fails the test instead of CI.
#![cfg(feature = "lsp")]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

/// A client talking to one `kpi lsp` process.
struct Client {
    child: Child,
    /// Messages for the server's stdin, written by a thread of their own so
    /// that a server that stops reading cannot block the test (its replies
    /// then time out). Dropping it closes stdin.
    stdin: Option<mpsc::Sender<Vec<u8>>>,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    notifications: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    /// Starts the server and initializes it; `lang` goes in the
    /// initialization options (`None`: the environment's `LANG` decides).
    fn start(lang: Option<&str>) -> Client {
        Client::start_with_env(lang, "C")
    }

    fn start_with_env(lang: Option<&str>, env_lang: &str) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .arg("lsp")
            .env("LANG", env_lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn kpi lsp");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take().map(|pipe| {
            let (tx, rx) = mpsc::channel::<Vec<u8>>();
            std::thread::spawn(move || writer(pipe, rx));
            tx
        });
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            incoming,
            notifications: VecDeque::new(),
            next_id: 1,
        };
        let options = match lang {
            Some(l) => json!({ "lang": l }),
            None => Value::Null,
        };
        let init = c.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {},
                    "initializationOptions": options }),
        );
        assert!(init["result"]["capabilities"]["hoverProvider"] == json!(true));
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let stdin = self.stdin.as_ref().expect("stdin open");
        stdin
            .send(framed.into_bytes())
            .expect("writer thread alive");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next message from the server, or a failed test after 10 s.
    fn next(&mut self) -> Value {
        match self.incoming.recv_timeout(TIMEOUT) {
            Ok(v) => v,
            Err(e) => panic!("no message from kpi lsp within {TIMEOUT:?}: {e}"),
        }
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let msg = self.next();
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                return msg;
            }
            self.notifications.push_back(msg);
        }
    }

    /// The result of a request that must succeed.
    fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// Waits for the diagnostics of `uri` (of `version`, when given).
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == json!(v))
        };
        if let Some(i) = self.notifications.iter().position(matches) {
            let m = self.notifications.remove(i).unwrap_or_default();
            return m["params"]["diagnostics"].clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(Instant::now() < deadline, "no diagnostics for {uri}");
            let m = self.next();
            if matches(&m) {
                return m["params"]["diagnostics"].clone();
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "kpi", "version": 1, "text": text } }),
        );
    }

    /// Replaces `range` of the document by `text` (an incremental change).
    fn change(&mut self, uri: &str, version: i64, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": range, "text": text }] }),
        );
    }

    /// shutdown, exit, and the exit status within 10 s.
    fn shutdown(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null);
        self.notify("exit", Value::Null);
        self.stdin = None;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "kpi lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes the queued messages to the server's stdin until the queue closes.
fn writer(mut pipe: ChildStdin, rx: Receiver<Vec<u8>>) {
    for bytes in rx {
        if pipe.write_all(&bytes).and_then(|()| pipe.flush()).is_err() {
            break;
        }
    }
}

/// Reads one Content-Length framed message.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The LSP position (line, UTF-16 column) of the `nth` occurrence of
/// `needle` in `text`, plus `shift` characters.
fn pos(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let mut at = 0;
    for _ in 0..=nth {
        let i = text[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not found"));
        at += i + needle.len();
    }
    let start = at - needle.len();
    let start = start
        + text[start..]
            .chars()
            .take(shift)
            .map(char::len_utf8)
            .sum::<usize>();
    let line = text[..start].matches('\n').count();
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..start].encode_utf16().count();
    json!({ "line": line, "character": col })
}

fn at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

fn seed(name: &str) -> String {
    let path = format!("{}/policies/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("seed policy")
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

const S2: &str = "file:///policies/presales_team.kpi";

/// The text of an LSP range (single line) in `text`.
fn text_of(text: &str, range: &Value) -> String {
    let line = range["start"]["line"].as_u64().unwrap_or(0) as usize;
    let a = range["start"]["character"].as_u64().unwrap_or(0) as usize;
    let b = range["end"]["character"].as_u64().unwrap_or(0) as usize;
    let units: Vec<u16> = text
        .lines()
        .nth(line)
        .unwrap_or("")
        .encode_utf16()
        .collect();
    String::from_utf16_lossy(units.get(a..b.max(a)).unwrap_or(&[]))
}

/// `L12:7 daily_rating` per location: 1-based line, UTF-16 column, text.
fn show_locations(text: &str, locations: &Value) -> String {
    locations
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let r = &l["range"];
            format!(
                "  L{}:{} {}",
                r["start"]["line"].as_u64().unwrap_or(0) + 1,
                r["start"]["character"],
                text_of(text, r)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A hover as text: what was hovered (the range's text) and the Markdown.
fn show_hover(what: &str, text: &str, hover: &Value) -> String {
    format!(
        "## {what}: `{}`\n{}\n",
        text_of(text, &hover["range"]),
        hover["contents"]["value"].as_str().unwrap_or("(none)")
    )
}

/// A small policy with Chinese names and an unknown name on a Chinese line.
const BROKEN: &str = "policy \"演示\"
input 询单人数 \"询单人数\" : count
input 付款人数 : count
input 响应 : seconds
item 转化 weight 100% = 付款人数 / 询单人 * 100
total = weighted sum of items
";

#[test]
fn diagnostics_on_open_and_after_incremental_changes() {
    let uri = "file:///demo.kpi";
    let mut c = Client::start(Some("en"));
    c.open(uri, BROKEN);
    let d = c.diagnostics(uri, Some(1));
    assert_eq!(d[0]["code"], "kpi::unknown_name");
    // The column counts UTF-16 units: `item 转化 weight 100% = 付款人数 / ` is 29
    // (in bytes it would be 41).
    let col = "item 转化 weight 100% = 付款人数 / ".encode_utf16().count();
    assert_eq!(
        d[0]["range"]["start"],
        json!({ "line": 4, "character": col })
    );
    assert_eq!(d[0]["range"]["end"]["character"], json!(col + 3));
    insta::assert_snapshot!("lsp_diagnostics_open", pretty(&d));

    // Fix the name: replace `询单人` by `询单人数` (an insertion of one character).
    c.change(
        uri,
        2,
        json!({ "start": pos(BROKEN, "询单人 *", 0, 3), "end": pos(BROKEN, "询单人 *", 0, 3) }),
        "数",
    );
    assert_eq!(c.diagnostics(uri, Some(2)), json!([]));

    // Add a unit mismatch on a Chinese line: two labels → related information.
    let fixed = BROKEN.replace("询单人 *", "询单人数 *");
    let end = pos(&fixed, "* 100", 0, 5);
    c.change(uri, 3, json!({ "start": end, "end": end }), " + 响应");
    let d = c.diagnostics(uri, Some(3));
    assert_eq!(d[0]["code"], "kpi::unit_mismatch");
    assert!(d[0]["relatedInformation"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    insta::assert_snapshot!("lsp_diagnostics_change", pretty(&d));

    // A syntax error is a diagnostic too, and the server carries on.
    let with_unit = fixed.replace("* 100", "* 100 + 响应");
    let end = pos(&with_unit, "+ 响应", 0, 4);
    c.change(uri, 4, json!({ "start": end, "end": end }), " *");
    let d = c.diagnostics(uri, Some(4));
    assert_eq!(d[0]["code"], "kpi::syntax_error");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn diagnostics_in_chinese_with_help() {
    let uri = "file:///demo.kpi";
    let mut c = Client::start(Some("zh"));
    c.open(uri, BROKEN);
    let d = c.diagnostics(uri, Some(1));
    insta::assert_snapshot!("lsp_diagnostics_zh", pretty(&d));
    // Without an option the environment decides.
    let mut c = Client::start_with_env(None, "zh_CN.UTF-8");
    c.open(uri, BROKEN);
    let d = c.diagnostics(uri, Some(1));
    assert!(
        d[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("提示：")),
        "{d}"
    );
}

#[test]
fn seed_policies_have_no_errors() {
    let mut c = Client::start(Some("en"));
    let dir = format!("{}/policies", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("policies")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".kpi"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 8);
    for n in &names {
        let uri = format!("file:///policies/{n}");
        c.open(&uri, &seed(n));
        let d = c.diagnostics(&uri, Some(1));
        let errors: Vec<&Value> = d
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["severity"] == 1)
            .collect();
        assert!(errors.is_empty(), "{n}: {errors:?}");
        let outline = c.result(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        );
        assert!(outline.as_array().is_some_and(|o| o.len() > 3), "{n}");
    }
}

#[test]
fn hover_on_inputs_items_grades_levels_functions_and_units() {
    let s2 = seed("presales_team.kpi");
    let s3 = seed("tmall_bonus_sheet.kpi");
    let s4 = seed("shop_staff_pay.kpi");
    let s8 = seed("dept_gate.kpi");
    let s3_uri = "file:///policies/tmall_bonus_sheet.kpi";
    let mut c = Client::start(Some("en"));
    c.open(S2, &s2);
    c.open(s3_uri, &s3);
    c.open("file:///policies/shop_staff_pay.kpi", &s4);
    c.open("file:///policies/dept_gate.kpi", &s8);
    let mut out = Vec::new();
    for (what, uri, text, needle, nth) in [
        ("input", S2, &s2, "avg_response", 0),
        ("grade input", S2, &s2, "daily_rating", 0),
        ("item", S2, &s2, "conversion_score", 0),
        ("total", S2, &s2, "total", 1),
        ("grade", S2, &s2, "grade by", 0),
        ("grade used", S2, &s2, "match grade", 0),
        ("level", S2, &s2, "B -> 80%", 0),
        ("output", S2, &s2, "dist_level", 0),
        ("unit s", S2, &s2, "35s", 0),
        ("unit %", S2, &s2, ">= 55%", 0),
        (
            "constant",
            "file:///policies/dept_gate.kpi",
            &s8,
            "max_refund_days",
            0,
        ),
        (
            "let",
            "file:///policies/shop_staff_pay.kpi",
            &s4,
            "let reward",
            0,
        ),
        ("function", s3_uri, &s3, "team.avg", 0),
        ("function second word", s3_uri, &s3, "avg(daily", 0),
        ("context", s3_uri, &s3, "industry_", 0),
    ] {
        let shift = match what {
            "grade used" => 6,
            "unit %" => 3,
            "let" => 4,
            _ => 0,
        };
        let r = c.result("textDocument/hover", at(uri, pos(text, needle, nth, shift)));
        out.push(show_hover(what, text, &r));
    }
    // Nothing to say on a keyword or in a comment.
    let r = c.result("textDocument/hover", at(S2, pos(&s2, "policy \"", 0, 0)));
    assert_eq!(r, Value::Null);
    insta::assert_snapshot!("lsp_hover", out.join("\n"));
    // In Chinese.
    let mut c = Client::start(Some("zh"));
    c.open(S2, &s2);
    let mut out = Vec::new();
    for (what, needle) in [
        ("item", "conversion_score"),
        ("input", "avg_response"),
        ("level", "B -> 80%"),
        ("unit", "35s"),
    ] {
        let r = c.result("textDocument/hover", at(S2, pos(&s2, needle, 0, 0)));
        out.push(show_hover(what, &s2, &r));
    }
    insta::assert_snapshot!("lsp_hover_zh", out.join("\n"));
}

#[test]
fn definition_and_references() {
    let s2 = seed("presales_team.kpi");
    let mut c = Client::start(Some("en"));
    c.open(S2, &s2);
    // `band conversion {` → `output conversion`.
    let r = c.result(
        "textDocument/definition",
        at(S2, pos(&s2, "band conversion", 0, 6)),
    );
    assert_eq!(r["range"]["start"], pos(&s2, "conversion \"", 0, 0));
    // A level: `A -> 100%` in the match → `-> A` in the grade.
    let r = c.result(
        "textDocument/definition",
        at(S2, pos(&s2, "A -> 100%", 0, 0)),
    );
    assert_eq!(r["range"]["start"], pos(&s2, "-> A", 0, 3));
    // The implicit total: its keyword.
    let r = c.result(
        "textDocument/definition",
        at(S2, pos(&s2, "by total", 0, 3)),
    );
    assert_eq!(r["range"]["start"], pos(&s2, "total \"", 0, 0));
    let refs = |c: &mut Client, needle: &str, nth: usize, decl: bool| {
        let mut p = at(S2, pos(&s2, needle, nth, 0));
        p["context"] = json!({ "includeDeclaration": decl });
        c.result("textDocument/references", p)
    };
    let daily = refs(&mut c, "daily_rating", 0, true);
    // Declared, matched, and set in three tests' rows (given blocks).
    assert!(daily.as_array().is_some_and(|a| a.len() >= 4), "{daily}");
    let levels = refs(&mut c, "优秀 -> 100", 0, false);
    let mut p = at(S2, pos(&s2, "-> A", 0, 3));
    p["context"] = json!({ "includeDeclaration": true });
    let grade_a = c.result("textDocument/references", p);
    let out = [
        format!("daily_rating:\n{}", show_locations(&s2, &daily)),
        format!(
            "优秀 (without its declaration):\n{}",
            show_locations(&s2, &levels)
        ),
        format!("A of the grade:\n{}", show_locations(&s2, &grade_a)),
    ];
    insta::assert_snapshot!("lsp_references", out.join("\n"));
    // Nothing on a keyword.
    let r = c.result("textDocument/definition", at(S2, pos(&s2, "weight", 0, 0)));
    assert_eq!(r, Value::Null);
}

#[test]
fn rename_and_refusals() {
    let s2 = seed("presales_team.kpi");
    let mut c = Client::start(Some("en"));
    c.open(S2, &s2);
    let rename = |c: &mut Client, needle: &str, new: &str| {
        let shift = if needle == "by total" { 3 } else { 0 };
        let mut p = at(S2, pos(&s2, needle, 0, shift));
        p["newName"] = json!(new);
        c.request("textDocument/rename", p)
    };
    let prepared = c.result(
        "textDocument/prepareRename",
        at(S2, pos(&s2, "avg_response", 0, 2)),
    );
    assert_eq!(prepared["placeholder"], "avg_response");
    let ok = rename(&mut c, "avg_response", "平均响应");
    let edits = ok["result"]["changes"][S2]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // The declaration, the band and two tests' rows (and the 5-person test).
    assert!(edits.len() >= 3, "{ok}");
    assert!(edits.iter().all(|e| e["newText"] == "平均响应"));
    // Renaming the implicit total inserts a name after the keyword.
    let total = rename(&mut c, "by total", "总分");
    let total_edits = total["result"]["changes"][S2].clone();
    assert_eq!(total_edits[0]["newText"], " 总分", "{total}");
    let shown: Vec<String> = total_edits
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let r = &e["range"];
            format!(
                "L{}:{}-{} `{}` → `{}`",
                r["start"]["line"].as_u64().unwrap_or(0) + 1,
                r["start"]["character"],
                r["end"]["character"],
                text_of(&s2, r),
                e["newText"].as_str().unwrap_or("")
            )
        })
        .collect();
    insta::assert_snapshot!("lsp_rename_total", shown.join("\n"));
    // A level.
    let level = rename(&mut c, "良好 -> 80", "Good");
    let level_edits = level["result"]["changes"][S2]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(level_edits.len() >= 3, "{level}");
    let mut refused = serde_json::Map::new();
    for (what, needle, new) in [
        ("clash", "avg_response", "inquiries"),
        ("clash with a level", "avg_response", "良好"),
        ("level clash", "良好 -> 80", "优秀"),
        ("not a name", "avg_response", "1abc"),
        ("keyword", "avg_response", "match"),
        ("two words", "avg_response", "a b"),
        ("not a symbol", "weight", "w"),
    ] {
        let r = rename(&mut c, needle, new);
        assert_eq!(r["error"]["code"], json!(-32803), "{what}: {r}");
        refused.insert(what.into(), r["error"]["message"].clone());
    }
    insta::assert_snapshot!("lsp_rename_refused", pretty(&Value::Object(refused)));
    // Refused while the text does not parse.
    let uri = "file:///broken.kpi";
    c.open(uri, "policy \"p\"\ninput a : count\nitem b = a +\n");
    let mut p = at(uri, pos("policy \"p\"\ninput a", "a", 0, 0));
    p["newName"] = json!("c");
    let r = c.request("textDocument/rename", p);
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("syntax error")),
        "{r}"
    );
}

/// The labels of a completion response.
fn labels(r: &Value) -> Vec<String> {
    r.as_array()
        .into_iter()
        .flatten()
        .map(|i| i["label"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn completion_of_names_levels_units_functions_and_types() {
    let text = "policy \"p\"
input rating \"评级\" : grade(优秀, 良好, 差)
input 询单人数 : count
input wait : seconds
let fast = wait < 30
item a = match rating {
  优秀 -> 10,
  
}
output o : text = if rating == 
output p : number = 询单人数 + 
output q : seconds = 30
input r : 
";
    let uri = "file:///complete.kpi";
    let mut c = Client::start(Some("en"));
    c.open(uri, text);
    let mut complete = |position: Value| c.result("textDocument/completion", at(uri, position));
    let mut out = serde_json::Map::new();
    // After a number: the units.
    let units = complete(pos(text, "= 30", 0, 4));
    assert!(
        ["%", "‰", "s", "min", "h", "d", "元"]
            .iter()
            .all(|u| labels(&units).contains(&u.to_string())),
        "{units}"
    );
    out.insert("units".into(), units);
    // A match arm: the subject's levels and `else`.
    let arms = complete(pos(text, "10,\n  ", 0, 6));
    assert_eq!(labels(&arms), ["优秀", "良好", "差", "else"]);
    out.insert("match arm".into(), arms);
    // After `==`: the levels, quoted.
    let compared = complete(pos(text, "rating == ", 0, 10));
    assert_eq!(compared[0]["insertText"], "\"优秀\"");
    out.insert("after ==".into(), compared);
    // After `:`: the types.
    let types = complete(pos(text, "input r : ", 0, 10));
    assert!(labels(&types).contains(&"percent".to_string()));
    out.insert("types".into(), types);
    // In an expression: names, functions with signatures, keywords.
    let expr = complete(pos(text, "询单人数 + ", 0, 7));
    let l = labels(&expr);
    for want in [
        "rating",
        "询单人数",
        "fast",
        "a",
        "min",
        "team.avg",
        "if",
        "band",
    ] {
        assert!(l.contains(&want.to_string()), "{want} missing: {l:?}");
    }
    let min = expr
        .as_array()
        .and_then(|a| a.iter().find(|i| i["label"] == "min"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(min["detail"], "min(a, b, …)");
    out.insert("expression (labels)".into(), json!(l));
    // At the start of a line: the declaration keywords.
    let decl = complete(json!({ "line": 13, "character": 0 }));
    assert!(labels(&decl).contains(&"item".to_string()));
    out.insert("line start".into(), json!(labels(&decl)));
    insta::assert_snapshot!("lsp_completion", pretty(&Value::Object(out)));
    // After `team.`: the team functions.
    let uri2 = "file:///team.kpi";
    let t2 = "policy \"p\"\ninput x : number\nitem y = team.";
    c.open(uri2, t2);
    let r = c.result("textDocument/completion", at(uri2, pos(t2, "team.", 0, 5)));
    assert!(labels(&r).contains(&"avg".to_string()), "{r}");
    // In a comment: nothing.
    let r = c.result(
        "textDocument/completion",
        at(uri2, json!({ "line": 0, "character": 3 })),
    );
    assert!(labels(&r).iter().all(|l| l != "x"));
}

#[test]
fn formatting_is_kpi_fmt() {
    let text = "policy \"p\"\ninput   x:number\nitem y=band x{>=1->2,else->0}\n";
    let uri = "file:///fmt.kpi";
    let mut c = Client::start(Some("en"));
    c.open(uri, text);
    let r = c.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let expected = kpi::syntax::fmt::format_policy(text).expect("formats");
    assert_eq!(r[0]["newText"], json!(expected));
    assert_eq!(r[0]["range"]["end"], json!({ "line": 3, "character": 0 }));
    insta::assert_snapshot!("lsp_formatting", r[0]["newText"].as_str().unwrap_or(""));
    // Already formatted: no edit.
    let uri2 = "file:///fmt2.kpi";
    c.open(uri2, &expected);
    let r = c.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri2 }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(r, json!([]));
    // A syntax error: a proper error, not a crash.
    let uri3 = "file:///fmt3.kpi";
    c.open(uri3, "policy \"p\"\nitem y = \n");
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri3 }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(r["error"]["code"], json!(-32803), "{r}");
}

#[test]
fn semantic_tokens_classify_every_kind_of_word() {
    let text = "policy \"p\" # 注释
input 评级 : grade(优秀, 良好)
context 行业 : percent
const 目标 = 45%
let weight = 30s
item a = match 评级 { 优秀 -> max(1, 2), else -> team.avg(weight) / 1s }
output o : bool = 评级 == \"优秀\" and 行业 >= 目标
";
    let uri = "file:///tokens.kpi";
    let mut c = Client::start(Some("en"));
    let init_legend = {
        let r = c.request(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": "file:///none.kpi" } }),
        );
        assert!(r.get("error").is_some());
        [
            "keyword",
            "string",
            "number",
            "comment",
            "operator",
            "function",
            "type",
            "parameter",
            "variable",
            "property",
            "enumMember",
        ]
    };
    c.open(uri, text);
    let r = c.result(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let data: Vec<u64> = r["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|v| v.as_u64().unwrap_or(0))
        .collect();
    // Decode: (line, column, text, type, modifiers).
    let lines: Vec<&str> = text.lines().collect();
    let (mut line, mut col) = (0usize, 0usize);
    let mut decoded = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0] as usize;
            col = t[1] as usize;
        } else {
            col += t[1] as usize;
        }
        let units: Vec<u16> = lines[line].encode_utf16().collect();
        let word = String::from_utf16_lossy(&units[col..col + t[2] as usize]);
        decoded.push(format!(
            "{line}:{col} {word} {} {}",
            init_legend[t[3] as usize], t[4]
        ));
    }
    let joined = decoded.join("\n");
    // An input named like a keyword is still the input.
    assert!(joined.contains("weight variable"), "{joined}");
    assert!(joined.contains("team.avg function"), "{joined}");
    insta::assert_snapshot!("lsp_semantic_tokens", joined);
}

#[test]
fn document_symbols_are_the_outline() {
    let s2 = seed("presales_team.kpi");
    let mut c = Client::start(Some("en"));
    c.open(S2, &s2);
    let r = c.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": S2 } }),
    );
    // name, kind, detail, children's names.
    let outline: Vec<Value> = r
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            json!([
                s["name"],
                s["kind"],
                s["detail"],
                s["range"]["start"]["line"],
                s["children"]
                    .as_array()
                    .map(|c| c.iter().map(|x| x["name"].clone()).collect::<Vec<_>>())
            ])
        })
        .collect();
    insta::assert_snapshot!("lsp_document_symbols", pretty(&json!(outline)));
    // A broken declaration leaves the rest of the outline.
    let uri = "file:///broken.kpi";
    c.open(
        uri,
        "policy \"p\"\ninput a : count\nitem b = a +\nitem c = a * 2\n",
    );
    let r = c.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let names: Vec<&str> = r
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["a", "c"]);
}

#[test]
fn a_flood_of_half_typed_edits_never_kills_the_server() {
    let s2 = seed("presales_team.kpi");
    let uri = "file:///typing.kpi";
    let mut c = Client::start(Some("en"));
    c.open(uri, "");
    // Type the whole policy a character at a time, asking for hover and
    // completion now and then, as an editor does.
    let (mut line, mut col) = (0u32, 0u32);
    let mut version = 1;
    for (i, ch) in s2.chars().enumerate() {
        version += 1;
        let p = json!({ "line": line, "character": col });
        c.change(
            uri,
            version,
            json!({ "start": p, "end": p }),
            &ch.to_string(),
        );
        if ch == '\n' {
            line += 1;
            col = 0;
        } else {
            col += ch.len_utf16() as u32;
        }
        if i % 151 == 0 {
            let p = json!({ "line": line, "character": col });
            let r = c.request("textDocument/completion", at(uri, p.clone()));
            assert!(r.get("result").is_some(), "{r}");
            let r = c.request("textDocument/hover", at(uri, p));
            assert!(r.get("result").is_some(), "{r}");
        }
        if i % 499 == 0 {
            let r = c.request(
                "textDocument/semanticTokens/full",
                json!({ "textDocument": { "uri": uri } }),
            );
            assert!(r.get("result").is_some(), "{r}");
        }
    }
    // Nonsense positions and a change past the end are survived too.
    let far = json!({ "line": 9999, "character": 9999 });
    c.change(uri, version + 1, json!({ "start": far, "end": far }), "\n");
    let r = c.request("textDocument/hover", at(uri, far.clone()));
    assert!(r.get("result").is_some(), "{r}");
    // The final text is the seed: no errors once typing stops.
    let d = c.diagnostics(uri, Some(version + 1));
    assert!(
        d.as_array()
            .is_some_and(|d| d.iter().all(|x| x["severity"] != 1)),
        "{d}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn unknown_requests_get_an_error_and_exit_without_shutdown_is_a_failure() {
    let mut c = Client::start(Some("en"));
    let r = c.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": "file:///x.kpi" } }),
    );
    assert_eq!(r["error"]["code"], json!(-32601));
    let r = c.request("textDocument/hover", json!({ "bogus": true }));
    assert_eq!(r["error"]["code"], json!(-32602));
    c.notify("exit", Value::Null);
    c.stdin = None;
    let deadline = Instant::now() + TIMEOUT;
    let code = loop {
        if let Ok(Some(status)) = c.child.try_wait() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "kpi lsp did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(1));
}

/// Issue 15: a table is a symbol of the outline, its uses find it (go to
/// definition, references), and hovering a use shows its signature and its
/// range (once, over its parameter's range).
#[test]
fn tables_in_the_editor() {
    let s5 = seed("reward_punish_30.kpi");
    let uri = "file:///policies/reward_punish_30.kpi";
    let mut c = Client::start(Some("en"));
    c.open(uri, &s5);
    // a use → the declaration's name
    let r = c.result(
        "textDocument/definition",
        at(uri, pos(&s5, "place_points(rank(churn", 0, 2)),
    );
    assert_eq!(r["range"]["start"], pos(&s5, "place_points \"", 0, 0));
    let mut p = at(uri, pos(&s5, "place_points \"", 0, 0));
    p["context"] = json!({ "includeDeclaration": true });
    let refs = c.result("textDocument/references", p);
    assert_eq!(refs.as_array().map(Vec::len), Some(4), "{refs}");
    let hover = c.result(
        "textDocument/hover",
        at(uri, pos(&s5, "place_points(rank(order", 0, 0)),
    );
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("table / function"), "{text}");
    assert!(
        text.contains("place_points(place: count in 1..) : points"),
        "{text}"
    );
    assert!(text.contains("[0, 5]"), "{text}");
    let outline = c.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(
        outline
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "place_points" && s["kind"] == 12),
        "{outline}"
    );
    // A parameter hides an input of the same name inside the body.
    let text = "policy \"p\"\ninput x : points\ntable t(x: points) : points = band x { >= 1 -> 1, else -> 0 }\nitem i = t(x)\n";
    let uri = "file:///shadow.kpi";
    c.open(uri, text);
    let mut p = at(uri, pos(text, "x : points", 0, 0));
    p["context"] = json!({ "includeDeclaration": true });
    let refs = c.result("textDocument/references", p);
    assert_eq!(refs.as_array().map(Vec::len), Some(2), "{refs}");
}
