//! `kpi whatif POLICY --data FILE [--context FILE] --employee ID
//! [--period P] --target 'grade = B'`: the smallest change of each single
//! input that reaches a target, verified by evaluation.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::eval::Batch;
use super::explain::{print_report, PersonArgs};
use super::{output, DiagFormat, Exit};
use crate::diag::Lang;
use crate::report::whatif::{parse_target, whatif, InputChange, WhatIf};
use std::fmt::Write as _;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub person: PersonArgs,
    /// `OUTPUT OP VALUE`, OP one of = >= <= > <: `grade = A`,
    /// `total >= 90`, `perf_pay >= 5000`.
    #[arg(long, value_name = "TARGET")]
    pub target: String,
    #[arg(long, value_parser = ["zh", "en"])]
    pub lang: Option<String>,
    #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
    pub format: DiagFormat,
}

pub fn run(args: &Args, l: Lang) -> Exit {
    let (
        Batch {
            src,
            program,
            rows,
            context,
            ..
        },
        row,
    ) = match args.person.load(l) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let target = match parse_target(&program, &args.target) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    print_report(
        whatif(&program, &rows, &context, row, &target),
        &src,
        args.format,
        l,
        |w| render(w, l),
    )
}

/// The human report: the current distance, then one line per input.
pub fn render(w: &WhatIf, l: Lang) -> String {
    let mut o = String::new();
    let team = w.team.clone().unwrap_or_else(|| "-".into());
    let _ = writeln!(
        o,
        "{}: {} · {} {} · {} {team}",
        l.t("What-if", "假设分析"),
        w.policy,
        w.employee,
        w.period,
        l.t("team", "团队")
    );
    let now = match (&w.gap, w.levels_apart, l) {
        (Some(g), _, Lang::En) => format!(" (needs {g})"),
        (Some(g), _, Lang::Zh) => format!(" (差 {g})"),
        (None, Some(n), Lang::En) => format!(" ({n} level(s) away)"),
        (None, Some(n), Lang::Zh) => format!(" (相差 {n} 级)"),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "{}: {} — {} {} = {}{}",
        l.t("target", "目标"),
        w.target,
        l.t("now", "当前"),
        w.output,
        w.current,
        if w.met { String::new() } else { now }
    );
    if w.met {
        let _ = writeln!(o, "{}", l.t("The target is already met.", "已达到目标。"));
        return o;
    }
    let mut table = vec![vec![
        l.t("input", "输入").to_string(),
        l.t("current", "当前值").to_string(),
        l.t("needed", "需要").to_string(),
        l.t("change", "变化").to_string(),
        format!("{} {}", l.t("then", "届时"), w.output),
    ]];
    for c in &w.inputs {
        table.push(row(c, w, l));
    }
    o.push('\n');
    o.push_str(&align(&table));
    o
}

fn row(c: &InputChange, w: &WhatIf, l: Lang) -> Vec<String> {
    let name = match (&c.label, l) {
        (Some(lb), Lang::En) => format!("{} ({lb})", c.id),
        (Some(lb), Lang::Zh) => format!("{lb} ({})", c.id),
        (None, _) => c.id.clone(),
    };
    let mut r = vec![name, c.current.clone()];
    match &c.best {
        Some(f) => {
            r.push(f.needed.clone());
            r.push(f.change.clone());
            let check = if f.verified { " ✓" } else { " ?" };
            r.push(format!("{}{check}", f.result));
        }
        None => {
            let why = match (c.outcome.as_str(), l) {
                ("no_effect", Lang::En) => format!("does not affect {}", w.output),
                ("no_effect", Lang::Zh) => format!("不影响 {}", w.output),
                (_, Lang::En) => "not reachable by this input alone".to_string(),
                (_, Lang::Zh) => "仅调整此项无法达到".to_string(),
            };
            r.push(why);
        }
    }
    r
}

/// Aligns columns by display width (CJK counts double).
pub(super) fn align(table: &[Vec<String>]) -> String {
    let cols = table.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            table
                .iter()
                .filter(|r| r.len() > c + 1)
                .filter_map(|r| r.get(c))
                .map(|s| output::width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in table {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if c + 1 < row.len() {
                line.push_str(
                    &" ".repeat(
                        widths
                            .get(c)
                            .copied()
                            .unwrap_or(0)
                            .saturating_sub(output::width(cell)),
                    ),
                );
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
