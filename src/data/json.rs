//! A small strict JSON reader for data files: an array of flat objects.
//!
//! Hand-written rather than `serde_json::Value` for two reasons: numbers keep
//! their literal text exactly (no trip through `f64`), and every object knows
//! the line it starts on, for error messages.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::collections::HashMap;

use super::error::{DataError, DataErrorKind};
use super::table::{Row, Table, Value};

/// Nesting deeper than this inside a cell is rejected (no stack overflow on
/// hostile input).
const MAX_DEPTH: usize = 64;

struct SyntaxError {
    pos: usize,
    message: String,
}

type PResult<T> = Result<T, SyntaxError>;

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    /// Line cache: `line` is the 1-based line of byte `line_pos`.
    line_pos: usize,
    line: usize,
}

/// Reads a JSON array of objects into a table: the columns are the keys in
/// order of first appearance; a key missing from an object is a missing cell.
pub(crate) fn load(file: &str, text: &str, errors: &mut Vec<DataError>) -> Option<Table> {
    let mut p = Parser {
        src: text,
        pos: 0,
        line_pos: 0,
        line: 1,
    };
    match p.document(file, errors) {
        Ok(t) => t,
        Err(e) => {
            let line = p.line_of(e.pos.min(text.len()));
            errors.push(DataError::new(
                file,
                line,
                None,
                DataErrorKind::Syntax {
                    format: "JSON",
                    message: e.message,
                },
            ));
            None
        }
    }
}

impl<'a> Parser<'a> {
    fn line_of(&mut self, pos: usize) -> usize {
        if pos < self.line_pos {
            self.line_pos = 0;
            self.line = 1;
        }
        let bytes = self.src.as_bytes();
        let end = pos.min(bytes.len());
        self.line += bytes
            .get(self.line_pos..end)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line_pos = end;
        self.line
    }

    fn err<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(SyntaxError {
            pos: self.pos,
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn found(&self) -> String {
        match self.src.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!("`{c}`"),
            None => "the end of the file".to_string(),
        }
    }

    fn expect(&mut self, b: u8, what: &str) -> PResult<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(format!("expected {what}, found {}", self.found()))
        }
    }

    fn document(&mut self, file: &str, errors: &mut Vec<DataError>) -> PResult<Option<Table>> {
        if self.src.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
        self.skip_ws();
        match self.peek() {
            Some(b'[') => self.pos += 1,
            Some(b'{') => return self.err("expected an array of objects, found a single object"),
            None => return Ok(None),
            _ => return self.err(format!("expected `[`, found {}", self.found())),
        }
        let mut headers: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut rows: Vec<Row> = Vec::new();
        // The line each element starts on, and the errors about each.
        let mut element_lines: Vec<usize> = Vec::new();
        let mut element_errors: Vec<(usize, usize)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                let start = self.pos;
                let line = self.line_of(start);
                let element = element_lines.len() + 1;
                element_lines.push(line);
                let errors_before = errors.len();
                if self.peek() == Some(b'{') {
                    let pairs = self.object()?;
                    let mut values: Vec<Value> = Vec::new();
                    let mut seen: HashMap<&str, ()> = HashMap::new();
                    let mut ok = true;
                    for (key, _) in &pairs {
                        if seen.insert(key.as_str(), ()).is_some() {
                            errors.push(DataError::new(
                                file,
                                line,
                                Some(key.trim()),
                                DataErrorKind::DuplicateKey { key: key.clone() },
                            ));
                            ok = false;
                        }
                    }
                    if ok {
                        for (key, value) in pairs {
                            let name = key.trim().to_string();
                            let i = match index.get(&name) {
                                Some(&i) => i,
                                None => {
                                    index.insert(name.clone(), headers.len());
                                    headers.push(name);
                                    headers.len() - 1
                                }
                            };
                            match values.get_mut(i) {
                                Some(v) => *v = value,
                                None => {
                                    values.resize(i, Value::Missing);
                                    values.push(value);
                                }
                            }
                        }
                        rows.push(Row {
                            line,
                            element: Some(element),
                            values,
                        });
                    }
                } else {
                    let v = self.value(0)?;
                    errors.push(DataError::new(
                        file,
                        line,
                        None,
                        DataErrorKind::NotAnObject {
                            found: describe(&v),
                        },
                    ));
                }
                element_errors.extend((errors_before..errors.len()).map(|i| (i, element)));
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.err(format!("expected `,` or `]`, found {}", self.found())),
                }
            }
        }
        self.skip_ws();
        if self.pos < self.src.len() {
            return self.err(format!("unexpected {} after the closing `]`", self.found()));
        }
        // Several elements on one line (a one-line file): errors name the
        // element too, or every one would say `file:1`.
        let mut per_line: HashMap<usize, usize> = HashMap::new();
        for l in &element_lines {
            *per_line.entry(*l).or_insert(0) += 1;
        }
        let shared = |line: usize| per_line.get(&line).is_some_and(|n| *n > 1);
        for row in &mut rows {
            row.values.resize(headers.len(), Value::Missing);
            if !shared(row.line) {
                row.element = None;
            }
        }
        for (i, element) in element_errors {
            if let Some(e) = errors.get_mut(i) {
                if shared(e.line) {
                    e.element = Some(element);
                }
            }
        }
        Ok(Some(Table { headers, rows }))
    }

    /// Parses `{...}` at the cursor into its key/value pairs, in order.
    fn object(&mut self) -> PResult<Vec<(String, Value)>> {
        self.expect(b'{', "`{`")?;
        let mut pairs = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(pairs);
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return self.err(format!(
                    "expected a key in double quotes, found {}",
                    self.found()
                ));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':', "`:`")?;
            self.skip_ws();
            let value = self.value(1)?;
            pairs.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(pairs);
                }
                _ => return self.err(format!("expected `,` or `}}`, found {}", self.found())),
            }
        }
    }

    /// Parses any value; objects and arrays are checked and skipped.
    fn value(&mut self, depth: usize) -> PResult<Value> {
        if depth > MAX_DEPTH {
            return self.err("nesting is too deep");
        }
        match self.peek() {
            Some(b'"') => Ok(Value::Text(self.string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(self.number()?)),
            Some(b't') => self.keyword("true", Value::Bool(true)),
            Some(b'f') => self.keyword("false", Value::Bool(false)),
            Some(b'n') => self.keyword("null", Value::Missing),
            Some(b'{') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Value::Nested("object"));
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return self.err(format!(
                            "expected a key in double quotes, found {}",
                            self.found()
                        ));
                    }
                    self.string()?;
                    self.skip_ws();
                    self.expect(b':', "`:`")?;
                    self.skip_ws();
                    self.value(depth + 1)?;
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::Nested("object"));
                        }
                        _ => {
                            return self
                                .err(format!("expected `,` or `}}`, found {}", self.found()))
                        }
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Value::Nested("array"));
                }
                loop {
                    self.skip_ws();
                    self.value(depth + 1)?;
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::Nested("array"));
                        }
                        _ => {
                            return self.err(format!("expected `,` or `]`, found {}", self.found()))
                        }
                    }
                }
            }
            _ => self.err(format!("expected a value, found {}", self.found())),
        }
    }

    fn keyword(&mut self, word: &str, v: Value) -> PResult<Value> {
        if self.src[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(v)
        } else {
            self.err(format!("expected a value, found {}", self.found()))
        }
    }

    /// A JSON number, returned as its exact literal text.
    fn number(&mut self) -> PResult<String> {
        let start = self.pos;
        let b = self.src.as_bytes();
        let digits = |p: &mut usize| {
            let s = *p;
            while b.get(*p).is_some_and(u8::is_ascii_digit) {
                *p += 1;
            }
            *p - s
        };
        let mut p = self.pos;
        if b.get(p) == Some(&b'-') {
            p += 1;
        }
        match b.get(p) {
            Some(b'0') => p += 1,
            Some(b'1'..=b'9') => {
                digits(&mut p);
            }
            _ => {
                self.pos = p;
                return self.err("a number needs digits");
            }
        }
        if b.get(p) == Some(&b'.') {
            p += 1;
            if digits(&mut p) == 0 {
                self.pos = p;
                return self.err("a number needs digits after `.`");
            }
        }
        if matches!(b.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(b.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            if digits(&mut p) == 0 {
                self.pos = p;
                return self.err("a number needs digits in its exponent");
            }
        }
        self.pos = p;
        Ok(self.src[start..p].to_string())
    }

    /// A JSON string at the cursor (which is on the opening quote).
    fn string(&mut self) -> PResult<String> {
        self.expect(b'"', "`\"`")?;
        let mut out = String::new();
        let bytes = self.src.as_bytes();
        loop {
            let start = self.pos;
            while let Some(&b) = bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.src[start..self.pos]);
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.src[self.pos..].starts_with("\\u") {
                                    return self.err("unpaired surrogate in `\\u` escape");
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.err("unpaired surrogate in `\\u` escape");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(c) => {
                                    out.push(c);
                                    continue;
                                }
                                None => return self.err("unpaired surrogate in `\\u` escape"),
                            }
                        }
                        _ => return self.err(format!("invalid escape `\\{}`", self.found_char())),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(_) => {
                    return self.err("control character in a string (write it as an escape)")
                }
                None => return self.err("unterminated string"),
            }
        }
    }

    fn found_char(&self) -> String {
        self.src
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .map(String::from)
            .unwrap_or_default()
    }

    fn hex4(&mut self) -> PResult<u32> {
        let hex = self.src.get(self.pos..self.pos + 4).unwrap_or("");
        if hex.len() == 4 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            if let Ok(v) = u32::from_str_radix(hex, 16) {
                self.pos += 4;
                return Ok(v);
            }
        }
        self.err("`\\u` needs four hex digits")
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Missing => "null",
        Value::Text(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a bool",
        Value::Nested("array") => "an array",
        Value::Nested(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_ok(text: &str) -> Table {
        let mut errors = Vec::new();
        let t = load("r.json", text, &mut errors);
        assert_eq!(errors, vec![]);
        t.unwrap()
    }

    fn load_err(text: &str) -> Vec<DataError> {
        let mut errors = Vec::new();
        load("r.json", text, &mut errors);
        errors
    }

    #[test]
    fn objects_with_lines_and_exact_numbers() {
        let t = load_ok(
            "[\n  {\"a\": 1, \"b\": \"x\\u00e9\\\"\"},\n  {\"c\": 0.30000000000000000001,\n   \"a\": -2.50, \"d\": null, \"e\": true, \"f\": [1, {\"g\": []}]}\n]\n",
        );
        assert_eq!(t.headers, vec!["a", "b", "c", "d", "e", "f"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[1].line, 3);
        assert_eq!(t.rows[0].values[0], Value::Number("1".into()));
        assert_eq!(t.rows[0].values[1], Value::Text("xé\"".into()));
        assert_eq!(t.rows[0].values[2], Value::Missing);
        assert_eq!(
            t.rows[1].values[2],
            Value::Number("0.30000000000000000001".into())
        );
        assert_eq!(t.rows[1].values[0], Value::Number("-2.50".into()));
        assert_eq!(t.rows[1].values[3], Value::Missing);
        assert_eq!(t.rows[1].values[4], Value::Bool(true));
        assert_eq!(t.rows[1].values[5], Value::Nested("array"));
    }

    #[test]
    fn surrogate_pairs_and_bom() {
        let t = load_ok("\u{feff}[{\"k\": \"\\ud83d\\ude00\"}]");
        assert_eq!(t.rows[0].values[0], Value::Text("😀".into()));
        assert_eq!(t.rows[0].line, 1);
    }

    #[test]
    fn empty_inputs() {
        assert!(load_ok("[]").rows.is_empty());
        let mut errors = Vec::new();
        assert!(load("r.json", "  \n", &mut errors).is_none());
        assert!(errors.is_empty());
    }

    #[test]
    fn syntax_errors_have_lines() {
        let e = load_err("[\n{\"a\": 1},\n{\"a\": 2,}\n]");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 3);
        assert_eq!(
            e[0].to_string(),
            "r.json:3: invalid JSON: expected a key in double quotes, found `}`"
        );
        assert_eq!(e[0].code_name(), "kpi::data::syntax");
        let e = load_err("{\"a\": 1}");
        assert_eq!(
            e[0].to_string(),
            "r.json:1: invalid JSON: expected an array of objects, found a single object"
        );
        let e = load_err("[{\"a\": 1}] x");
        assert_eq!(
            e[0].to_string(),
            "r.json:1: invalid JSON: unexpected `x` after the closing `]`"
        );
        for bad in [
            "[{\"a\": 01}]",
            "[{\"a\": 1.}]",
            "[{\"a\": NaN}]",
            "[{\"a\": \"x}]",
            "[{\"a\": \"\\q\"}]",
            "[{\"a\": \"\\ud800\"}]",
            "[{\"a\": 1},]",
            "[{\"a\" 1}]",
            "[{\"a\": tru}]",
            "[",
        ] {
            let e = load_err(bad);
            assert_eq!(e.len(), 1, "{bad}");
            assert_eq!(e[0].code_name(), "kpi::data::syntax", "{bad}");
        }
        let deep = format!("[{{\"a\": {}{}}}]", "[".repeat(100), "]".repeat(100));
        assert_eq!(load_err(&deep)[0].code_name(), "kpi::data::syntax");
    }

    #[test]
    fn row_errors() {
        let e = load_err("[\n{\"a\": 1},\n 5,\n{\"a\": 1, \"a\": 2}\n]");
        assert_eq!(e.len(), 2);
        assert_eq!(
            e[0].to_string(),
            "r.json:3: array element is a number, not an object"
        );
        assert_eq!(e[0].code_name(), "kpi::data::bad_row");
        assert_eq!(
            e[1].to_string(),
            "r.json:4: column `a`: key `a` appears twice in this object"
        );
    }
}
