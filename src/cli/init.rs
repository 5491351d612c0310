//! `kpi init EXPORT [--output POLICY]`: a starting policy from an export's
//! header — one input per column, its type guessed from the header's unit
//! and the cells, the header as its label, and a commented skeleton of
//! items, total, grade and payout that HR completes. `kpi check` accepts
//! the result as it is.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::eval::{read, report_data, ReadArgs};
use super::{output, Exit};
use crate::data::{self, Guess};
use crate::diag::Lang;
use crate::types::{NumKind, Ty};
use std::path::{Path, PathBuf};

/// Rows looked at to guess the types.
const SAMPLE_ROWS: usize = 2000;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The export: CSV/TSV in any encoding, JSON, or a spreadsheet.
    #[arg(value_name = "EXPORT")]
    pub export: PathBuf,
    /// Write the policy here (never over an existing file); default: stdout.
    #[arg(long, short, value_name = "POLICY")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

pub fn run(args: &Args, lang: Lang) -> Exit {
    if let Some(out) = &args.output {
        if out.exists() {
            eprintln!(
                "error: `{}` exists; kpi init never overwrites a policy",
                out.display()
            );
            return Exit::Usage;
        }
    }
    let layout = match args.read.layout(None) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let (name, bytes) = match read(&args.export, lang) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let sample = match data::sample_file(&name, &bytes, &layout, SAMPLE_ROWS) {
        Ok(s) => s,
        Err(errors) => {
            report_data(&errors, lang);
            return Exit::Failure;
        }
    };
    for line in data::notice_lines(&sample.notices, lang) {
        eprintln!("{line}");
    }
    let guesses = data::guess_columns(&sample.headers, &sample.rows, &layout.keys);
    let title = Path::new(&args.export)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "考核方案".into());
    let text = starting_policy(&title, &name, &guesses, &sample.rows);
    let exit = output::emit(text.as_bytes(), args.output.as_deref());
    if exit == Exit::Success {
        if let Some(out) = &args.output {
            match lang {
                Lang::En => eprintln!(
                    "wrote {}: check the guessed types, then write the items (`kpi check {}`)",
                    out.display(),
                    out.display()
                ),
                Lang::Zh => eprintln!(
                    "已写出 {}：请核对猜测的类型，再补上计分项目（`kpi check {}`）",
                    out.display(),
                    out.display()
                ),
            }
        }
    }
    exit
}

/// One input declaration to write.
struct Input {
    id: String,
    label: String,
    ty: Option<Ty>,
    note: String,
}

/// The policy text (comments in Chinese, for the HR staff who finish it).
fn starting_policy(title: &str, file: &str, guesses: &[Guess], rows: &[Vec<String>]) -> String {
    let mut taken: Vec<String> = Vec::new();
    let mut inputs = Vec::new();
    let mut keys = Vec::new();
    for (c, g) in guesses.iter().enumerate() {
        if g.header.trim().is_empty() {
            continue;
        }
        if let Some(key) = g.key {
            keys.push(format!("key {key} {}", quote(&g.header)));
            continue;
        }
        let id = unique_id(&g.header, &mut taken);
        let mut note = match &g.ty {
            None => "每个单元格都是空的：请确认类型，或删掉这一行".to_string(),
            Some(_) => format!("猜测依据：{}", reason_zh(g.reason)),
        };
        if g.ty.is_some() && g.readable < g.filled {
            let bad = rows
                .iter()
                .filter_map(|r| r.get(c))
                .find(|v| !v.trim().is_empty() && !readable_as(v, g))
                .cloned()
                .unwrap_or_default();
            note.push_str(&format!(
                "；{} 个单元格中有 {} 个读不出（如 `{}`）：可加 `default`",
                g.filled,
                g.filled - g.readable,
                bad
            ));
        }
        inputs.push(Input {
            id,
            label: g.header.clone(),
            ty: g.ty.clone(),
            note,
        });
    }
    let mut o = String::new();
    o.push_str(&format!(
        "# 由 `kpi init` 根据导出文件 {file} 的表头生成。\n\
         # 请逐项核对每个输入的类型（行末注释说明了猜测依据），删掉考核用不到的列，\n\
         # 再按考核表写出下面的计分项目、总分、等级和绩效。写完后运行 `kpi check`。\n"
    ));
    o.push_str(&format!("policy {}\n", quote(title)));
    o.push_str("version \"0.1\"\n\n");
    if keys.is_empty() {
        o.push_str("# 没有找到员工列：请加一行 `key employee \"表头\"` 指明。\n");
    } else {
        o.push_str("# 关键列：员工（employee）、月份（period）、团队（team）各在哪一列\n");
        for k in &keys {
            o.push_str(k);
            o.push('\n');
        }
    }
    if !guesses.iter().any(|g| g.key == Some("period")) {
        o.push_str("# 没有月份列：eval 时请加 `--period YYYY-MM`。\n");
    }
    o.push('\n');
    let width = inputs
        .iter()
        .map(|i| super::output::width(&i.id) + super::output::width(&quote(&i.label)) + 1)
        .max()
        .unwrap_or(0);
    for i in &inputs {
        let head = format!("{} {}", i.id, quote(&i.label));
        let pad = " ".repeat(width.saturating_sub(super::output::width(&head)));
        match &i.ty {
            Some(ty) => o.push_str(&format!(
                "input {head}{pad} : {:<8} # {}\n",
                ty.to_string(),
                i.note
            )),
            None => o.push_str(&format!("# input {head}{pad} : number   # {}\n", i.note)),
        }
    }
    o.push_str(&skeleton(&inputs));
    o
}

/// A commented example of each kind of rule, on the policy's own inputs.
fn skeleton(inputs: &[Input]) -> String {
    let find = |pred: &dyn Fn(&Ty) -> bool| {
        inputs
            .iter()
            .find(|i| i.ty.as_ref().is_some_and(pred))
            .map(|i| i.id.clone())
    };
    let duration = find(&|t| matches!(t, Ty::Duration(_)));
    let percent = find(&|t| *t == Ty::Number(NumKind::Percent));
    let count = find(&|t| *t == Ty::Number(NumKind::Count));
    let mut o = String::from("\n# ---- 计分项目（示例，去掉 # 并按考核表修改）----\n");
    if let Some(d) = duration {
        o.push_str(&format!(
            "# item 响应得分 weight 30% = band {d} {{ <= 30s -> 100, (30s, 40s] -> 80, else -> 60 }}\n"
        ));
    }
    if let Some(p) = percent {
        o.push_str(&format!(
            "# item 转化得分 weight 70% = scale {p} from 40%..60% to 60..100\n"
        ));
    }
    if let Some(c) = count {
        o.push_str(&format!(
            "# item 扣分 = -2 * {c}            # 每次扣 2 分\n"
        ));
    }
    o.push_str(
        "#\n\
         # total = weighted sum of items      # 各项带 weight 时；否则 `sum of items`\n\
         # grade by total { >= 90 -> A, >= 80 -> B, >= 60 -> C, else -> D }\n\
         # output 绩效系数 : percent = match grade { A -> 120%, B -> 100%, C -> 80%, D -> 0% }\n\
         #\n\
         # test \"一个例子\" {\n\
         #   given  { … }\n\
         #   expect { total = … }\n\
         # }\n",
    );
    o
}

fn readable_as(cell: &str, g: &Guess) -> bool {
    let Some(ty) = &g.ty else {
        return false;
    };
    let spec = data::FieldSpec {
        id: String::new(),
        label: None,
        aliases: Vec::new(),
        ty: ty.clone(),
        range: None,
        default: None,
    };
    let header_unit_applied = data::apply_header_unit(&g.header, cell);
    data::parse_cell(&header_unit_applied, &spec, &data::ReadOptions::default()).is_ok()
}

fn reason_zh(reason: &str) -> &'static str {
    match reason {
        "the unit in the header" => "表头里的单位",
        "cells written with %" => "单元格带 %",
        "cells with ¥ or 元" => "单元格带 ¥ 或 元",
        "whole numbers ≥ 0" => "都是非负整数",
        "numbers under a time header (seconds assumed: check)" => {
            "时间类表头下的数字（按秒计，请核对单位）"
        }
        "numbers under a money header" => "金额类表头下的数字",
        "numbers" => "都是数字",
        "yes/no cells" => "是/否",
        _ => "文字",
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// An identifier for a header: its name without the unit, with characters
/// an identifier cannot hold turned into `_` (`询单->最终付款成功率` →
/// `询单_最终付款成功率`), checked with the policy grammar itself, unique.
fn unique_id(header: &str, taken: &mut Vec<String>) -> String {
    let base = data::header_name(header);
    let mut id = String::new();
    for c in base.chars() {
        if c.is_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('_') {
            id.push('_');
        }
    }
    let mut id = id.trim_matches('_').to_string();
    if !id.is_empty() && !is_ident(&id) {
        id = format!("c_{id}");
    }
    if !is_ident(&id) {
        id = format!("column_{}", taken.len() + 1);
    }
    let mut unique = id.clone();
    let mut n = 2;
    while taken.contains(&unique) {
        unique = format!("{id}_{n}");
        n += 1;
    }
    taken.push(unique.clone());
    unique
}

/// Whether `id` is an identifier of the policy language (not a keyword).
fn is_ident(id: &str) -> bool {
    !id.is_empty() && crate::syntax::parse(&format!("policy \"p\"\ninput {id} : number\n")).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_from_headers() {
        let mut taken = Vec::new();
        assert_eq!(
            unique_id("询单->最终付款成功率", &mut taken),
            "询单_最终付款成功率"
        );
        assert_eq!(unique_id("平均响应(秒)", &mut taken), "平均响应");
        assert_eq!(unique_id("平均响应（秒）", &mut taken), "平均响应_2");
        assert_eq!(unique_id("if", &mut taken), "c_if");
        assert_eq!(unique_id("3日回复率", &mut taken), "c_3日回复率");
        assert_eq!(unique_id("%", &mut taken), "column_6");
    }
}
