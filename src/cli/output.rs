//! Writing results as JSON (§4.1), CSV or an aligned table.

use super::{Exit, ResultFormat};
use crate::eval::format::{show, Shown};
use crate::eval::{Evaluated, Row};
use crate::ir::Program;
use std::fmt::Write as _;
use std::io::Write as _;

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The outputs of one row, formatted.
fn shown_row<'a>(
    program: &'a Program,
    ev: &'a Evaluated,
    row: usize,
) -> impl Iterator<Item = (&'a str, Shown)> + 'a {
    program.outputs.iter().map(move |o| {
        let ty = &program.slots[o.slot].ty;
        let v = ev
            .value(row, o.slot)
            .map(|v| show(v, ty))
            .unwrap_or(Shown::Text(String::new()));
        (o.name.as_str(), v)
    })
}

pub fn render(program: &Program, rows: &[Row], ev: &Evaluated, format: ResultFormat) -> String {
    let mut out = String::new();
    match format {
        ResultFormat::Json => {
            let _ = write!(
                out,
                "{{\"policy\": {}, \"results\": [",
                json_str(&program.name)
            );
            for (k, &r) in ev.order.iter().enumerate() {
                let row = &rows[r];
                out.push_str(if k == 0 { "\n  " } else { ",\n  " });
                let team = row
                    .team
                    .as_deref()
                    .map(json_str)
                    .unwrap_or_else(|| "null".into());
                let _ = write!(
                    out,
                    "{{\"employee\": {}, \"period\": \"{}\", \"team\": {team}, \"outputs\": {{",
                    json_str(&row.employee),
                    row.period
                );
                for (i, (name, v)) in shown_row(program, ev, r).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let v = match v {
                        Shown::Text(s) => json_str(&s),
                        Shown::Bool(b) => b.to_string(),
                    };
                    let _ = write!(out, "{}: {v}", json_str(name));
                }
                out.push_str("}}");
            }
            out.push_str(if ev.order.is_empty() {
                "]}\n"
            } else {
                "\n]}\n"
            });
        }
        ResultFormat::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            let mut header = vec!["employee".to_string(), "period".into(), "team".into()];
            header.extend(program.outputs.iter().map(|o| o.name.clone()));
            let _ = w.write_record(&header);
            for &r in &ev.order {
                let row = &rows[r];
                let mut rec = vec![
                    row.employee.clone(),
                    row.period.to_string(),
                    row.team.clone().unwrap_or_default(),
                ];
                rec.extend(shown_row(program, ev, r).map(|(_, v)| v.as_text()));
                let _ = w.write_record(&rec);
            }
            out = w
                .into_inner()
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_default();
        }
        ResultFormat::Table => {
            let mut table: Vec<Vec<String>> = Vec::new();
            let mut header = vec!["employee".to_string(), "period".into(), "team".into()];
            header.extend(program.outputs.iter().map(|o| o.name.clone()));
            table.push(header);
            for &r in &ev.order {
                let row = &rows[r];
                let mut rec = vec![
                    row.employee.clone(),
                    row.period.to_string(),
                    row.team.clone().unwrap_or_default(),
                ];
                rec.extend(shown_row(program, ev, r).map(|(_, v)| v.as_text()));
                table.push(rec);
            }
            out = align(&table);
        }
    }
    out
}

/// Display width: CJK and full-width characters take two columns.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

fn align(table: &[Vec<String>]) -> String {
    let cols = table.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            table
                .iter()
                .map(|r| r.get(c).map(|s| width(s)).unwrap_or(0))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in table.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.push_str(&" ".repeat(widths[c] - width(cell)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

/// Writes results to stdout, or to `path` through a temporary file and a
/// rename, so a reader never sees half a file.
pub fn emit(text: &str, path: Option<&std::path::Path>) -> Exit {
    let Some(path) = path else {
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
        {
            Ok(()) => Exit::Success,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
            Err(e) => {
                eprintln!("error: cannot write results: {e}");
                Exit::Failure
            }
        };
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.kpi-tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path));
    match result {
        Ok(()) => Exit::Success,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            eprintln!("error: cannot write `{}`: {e}", path.display());
            Exit::Failure
        }
    }
}
