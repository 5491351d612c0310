//! The VS Code extension's TextMate grammar keeps step with the pest
//! grammar: every keyword the parser knows (the `k_*` and `kw_*` rules, the
//! `keyword` rule, `key_column` and `weighted`) is highlighted as a keyword,
//! and every unit suffix of a number is highlighted as a unit.

use serde_json::Value;
use std::collections::BTreeMap;

fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The string literals of each rule of a pest grammar (`name = … { … }`,
/// bodies over several lines, `//` comments skipped).
fn pest_literals(grammar: &str) -> BTreeMap<String, Vec<String>> {
    let mut rules = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut depth = 0usize;
    for line in grammar.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        if depth == 0 {
            if let Some((name, _)) = code.split_once('=') {
                let name = name.trim();
                if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    current = Some(name.to_string());
                }
            }
        }
        let mut chars = code.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    let mut lit = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => lit.extend(chars.next()),
                            '"' => break,
                            c => lit.push(c),
                        }
                    }
                    if let Some(r) = &current {
                        rules.entry(r.clone()).or_insert_with(Vec::new).push(lit);
                    }
                }
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    rules
}

/// The words of the alternatives in a TextMate `match` of the shape
/// `\b(a|b|c)\b` or `(且|或)`.
fn alternatives(pattern: &str) -> Vec<String> {
    let inner = pattern
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inner, _)| inner)
        .unwrap_or("");
    inner.split('|').map(str::to_string).collect()
}

/// Every `match` under a repository entry, with its scope name.
fn patterns(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| patterns(x, out)),
        Value::Object(o) => {
            if let (Some(Value::String(name)), Some(Value::String(m))) =
                (o.get("name"), o.get("match"))
            {
                out.push((name.clone(), m.clone()));
            }
            o.values().for_each(|x| patterns(x, out));
        }
        _ => {}
    }
}

fn tm_grammar() -> Value {
    serde_json::from_str(&read("editors/vscode/syntaxes/kpi.tmLanguage.json")).expect("valid JSON")
}

#[test]
fn every_pest_keyword_is_highlighted() {
    let rules = pest_literals(&read("grammar/kpi.pest"));
    let mut keywords: Vec<String> = rules
        .iter()
        .filter(|(name, _)| {
            name.starts_with("k_")
                || name.starts_with("kw_")
                || matches!(name.as_str(), "keyword" | "key_column" | "weighted")
        })
        .flat_map(|(_, lits)| lits.iter().cloned())
        .filter(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric))
        .collect();
    keywords.sort();
    keywords.dedup();
    // The extraction found the rules (a changed grammar layout fails here).
    for k in [
        "policy", "input", "match", "weighted", "employee", "uncapped", "且", "或",
    ] {
        assert!(
            keywords.contains(&k.to_string()),
            "{k} not read from kpi.pest"
        );
    }

    let g = tm_grammar();
    let mut found = Vec::new();
    patterns(&g["repository"]["keywords"], &mut found);
    let highlighted: Vec<String> = found
        .iter()
        .filter(|(name, _)| {
            name.starts_with("keyword.")
                || name.starts_with("storage.")
                || name.starts_with("constant.language")
        })
        .flat_map(|(_, m)| alternatives(m))
        .collect();
    let missing: Vec<&String> = keywords
        .iter()
        .filter(|k| !highlighted.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "keywords of kpi.pest not highlighted in kpi.tmLanguage.json: {missing:?}"
    );
}

#[test]
fn every_unit_suffix_is_highlighted() {
    let rules = pest_literals(&read("grammar/kpi.pest"));
    let units = rules.get("unit").cloned().unwrap_or_default();
    assert!(units.len() >= 8, "{units:?}");
    let g = tm_grammar();
    let mut found = Vec::new();
    patterns(&g["repository"]["numbers"], &mut found);
    let unit_pattern = found
        .iter()
        .find(|(_, m)| m.contains("分钟"))
        .map(|(_, m)| m.clone())
        .unwrap_or_default();
    // The suffix group: the second parenthesised group.
    let suffixes = unit_pattern
        .split_once(")(")
        .map(|(_, rest)| rest)
        .unwrap_or("");
    let alts: Vec<String> = suffixes
        .split('|')
        .map(|a| a.split("(?!").next().unwrap_or("").to_string())
        .collect();
    for u in &units {
        assert!(
            alts.contains(u),
            "unit {u} not highlighted (alternatives: {alts:?})"
        );
    }
}

#[test]
fn the_extension_declares_the_language_and_its_settings() {
    let pkg: Value =
        serde_json::from_str(&read("editors/vscode/package.json")).expect("valid JSON");
    assert_eq!(pkg["contributes"]["languages"][0]["id"], "kpi");
    assert_eq!(pkg["contributes"]["languages"][0]["extensions"][0], ".kpi");
    assert_eq!(pkg["activationEvents"][0], "onLanguage:kpi");
    assert!(pkg["contributes"]["configuration"]["properties"]["kpi.path"].is_object());
    assert!(pkg["contributes"]["configuration"]["properties"]["kpi.lang"].is_object());
    assert!(pkg["dependencies"]["vscode-languageclient"].is_string());
    let conf: Value = serde_json::from_str(&read("editors/vscode/language-configuration.json"))
        .expect("valid JSON");
    assert_eq!(conf["comments"]["lineComment"], "#");
    let pairs = conf["autoClosingPairs"].to_string();
    assert!(pairs.contains('“') && pairs.contains('”'), "{pairs}");
    let js = read("editors/vscode/extension.js");
    assert!(js.contains("args: ['lsp']"));
}
