//! `kpi explain POLICY --data FILE [--context FILE] --employee ID
//! [--period YYYY-MM] [--lang zh|en] [--format human|json]`: the score
//! sheet of one person, rule by rule.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::eval::{load_batch, report_eval, Batch, DataArgs};
use super::{output, DiagFormat, Exit};
use crate::diag::Lang;
use crate::eval::Row;
use crate::report::explain::{explain, Check, Decision, Entry, Explanation, Figure, StepArm};
use crate::report::{find_row, NotFound};
use crate::types::Period;
use std::fmt::Write as _;
use std::path::PathBuf;

/// One person's record in a batch: what `explain` and `whatif` start from.
#[derive(Debug, clap::Args)]
pub struct PersonArgs {
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// The employee.
    #[arg(long, value_name = "ID")]
    pub employee: String,
    /// The period (default: the employee's latest); also the period of data
    /// files without a period column.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
}

impl PersonArgs {
    /// Loads the batch and finds the person's row in it.
    pub(crate) fn load(&self, lang: Lang) -> Result<(Batch, usize), Exit> {
        let batch = load_batch(&self.policy, &self.data, self.period.as_deref(), lang)?;
        let row = pick_row(&batch.rows, &self.employee, self.period.as_deref())?;
        Ok((batch, row))
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub person: PersonArgs,
    /// Language of the report (default: from `LANG`).
    #[arg(long, value_parser = ["zh", "en"])]
    pub lang: Option<String>,
    #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
    pub format: DiagFormat,
}

/// Picks the record of `--employee` / `--period`, reporting a miss.
pub(crate) fn pick_row(rows: &[Row], employee: &str, period: Option<&str>) -> Result<usize, Exit> {
    let period = match period {
        None => None,
        Some(p) => match Period::parse(p) {
            Some(p) => Some(p),
            None => {
                eprintln!("error: `--period {p}` is not a month; write YYYY-MM, e.g. 2026-09");
                return Err(Exit::Usage);
            }
        },
    };
    find_row(rows, employee, period).map_err(|e| {
        match e {
            NotFound::Employee { suggestion } => {
                eprintln!("error: no record for employee `{employee}` in the data");
                if let Some(s) = suggestion {
                    eprintln!("  help: did you mean `{s}`?");
                }
            }
            NotFound::Period { available } => {
                let list: Vec<String> = available.iter().map(Period::to_string).collect();
                eprintln!(
                    "error: employee `{employee}` has no record for {}",
                    period.map(|p| p.to_string()).unwrap_or_default()
                );
                eprintln!("  help: their periods are {}", list.join(", "));
            }
        }
        Exit::Failure
    })
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
    print_report(
        explain(&program, &src.text, &rows, &context, row),
        &src,
        args.format,
        l,
        |x| render(x, l),
    )
}

/// Prints a report as JSON or as text, or its evaluation errors.
pub(crate) fn print_report<T: serde::Serialize>(
    result: Result<T, Vec<crate::eval::EvalError>>,
    src: &super::Source,
    format: DiagFormat,
    lang: Lang,
    human: impl FnOnce(&T) -> String,
) -> Exit {
    let report = match result {
        Ok(r) => r,
        Err(errors) => {
            report_eval(&errors, src, lang);
            return Exit::Failure;
        }
    };
    let text = match format {
        DiagFormat::Json => match output::pretty_json(&report) {
            Ok(s) => s,
            Err(e) => return e,
        },
        DiagFormat::Human => human(&report),
    };
    output::emit(text.as_bytes(), None)
}

/// `id (label)` in English, `label (id)` in Chinese.
fn named(id: &str, label: Option<&str>, l: Lang) -> String {
    match (label, l) {
        (Some(lb), Lang::En) => format!("{id} ({lb})"),
        (Some(lb), Lang::Zh) => format!("{lb} ({id})"),
        (None, _) => id.to_string(),
    }
}

fn at_line(line: usize, l: Lang) -> String {
    match l {
        Lang::En => format!("line {line}"),
        Lang::Zh => format!("第 {line} 行"),
    }
}

/// The human score sheet.
pub fn render(x: &Explanation, l: Lang) -> String {
    let mut o = String::new();
    let version = x
        .version
        .as_ref()
        .map(|v| format!(" ({} {v})", l.t("version", "版本")))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "{}: {}{version}",
        l.t("Score sheet", "评分明细"),
        x.policy
    );
    let team = x.team.clone().unwrap_or_else(|| "-".into());
    let _ = writeln!(
        o,
        "{} {} · {} {} · {} {team}",
        l.t("Employee", "员工"),
        x.employee,
        l.t("period", "考核期"),
        x.period,
        l.t("team", "团队")
    );
    for (k, e) in x.outputs.iter().enumerate() {
        o.push('\n');
        entry(&mut o, k + 1, e, x, l);
    }
    summary(&mut o, x, l);
    o
}

fn entry(o: &mut String, k: usize, e: &Entry, x: &Explanation, l: Lang) {
    let _ = writeln!(
        o,
        "[{k}] {} = {}   ({})",
        named(&e.name, e.label.as_deref(), l),
        e.value,
        at_line(e.line, l)
    );
    if !e.reads.is_empty() {
        let reads: Vec<String> = e
            .reads
            .iter()
            .map(|r| {
                let ctx = if r.source == "context" {
                    l.t(" [context]", " [环境]")
                } else {
                    ""
                };
                format!("{} = {}{ctx}", named(&r.id, r.label.as_deref(), l), r.value)
            })
            .collect();
        let _ = writeln!(o, "    {}: {}", l.t("reads", "读取"), reads.join("; "));
    }
    for f in &e.figures {
        let _ = writeln!(o, "    {}", figure(f, x, l));
    }
    for d in &e.derived {
        let _ = writeln!(o, "    {} = {}   ({})", d.name, d.value, at_line(d.line, l));
        for dec in &d.decisions {
            decision(o, dec, "      ", l);
        }
        if let Some(f) = &d.formula {
            let _ = writeln!(o, "      = {} = {}", f.figures, f.result);
        }
    }
    for dec in &e.decisions {
        decision(o, dec, "    ", l);
    }
    if let Some(f) = &e.formula {
        let _ = writeln!(o, "    {}: {}", l.t("formula", "公式"), f.rule);
        let _ = writeln!(o, "      = {} = {}", f.figures, f.result);
    }
}

fn figure(f: &Figure, x: &Explanation, l: Lang) -> String {
    let team = match &x.team {
        Some(t) => format!("{} {t}, {}", l.t("team", "团队"), x.period),
        None => format!("{}, {}", l.t("all records", "全部人员"), x.period),
    };
    let n = f.team_size.unwrap_or(0);
    let order = match f.order.as_deref() {
        Some("asc") => l.t("ascending", "升序"),
        _ => l.t("descending", "降序"),
    };
    let what = |en: &str, zh: &str| l.t(en, zh).to_string();
    match f.kind.as_str() {
        "rank" => match l {
            Lang::En => format!("rank {} = {} of {n} ({order}; {team})", f.call, f.value),
            Lang::Zh => format!(
                "排名 {} = 第 {} 名 / 共 {n} 人 ({order}; {team})",
                f.call, f.value
            ),
        },
        "distribute" => match l {
            Lang::En => format!(
                "forced distribution {} = {} among {n} ({team})",
                f.call, f.value
            ),
            Lang::Zh => format!("强制分布 {} = {} (共 {n} 人; {team})", f.call, f.value),
        },
        "prev" => {
            let p = f.previous.clone().unwrap_or_default();
            let note = match (f.found, l) {
                (Some(true), Lang::En) => format!("{p} has a record"),
                (Some(true), Lang::Zh) => format!("{p} 有记录"),
                (_, Lang::En) => format!("{p} has no record: the default applies"),
                (_, Lang::Zh) => format!("{p} 无记录, 取默认值"),
            };
            format!(
                "{} {} = {} ({note})",
                crate::builtins::info(crate::builtins::Builtin::Prev)
                    .figure
                    .map_or("", |(en, zh)| l.t(en, zh)),
                f.call,
                f.value
            )
        }
        "has_prev" => {
            let p = f.previous.clone().unwrap_or_default();
            let note = match (f.found, l) {
                (Some(true), Lang::En) => format!("{p} has a record"),
                (Some(true), Lang::Zh) => format!("{p} 有记录"),
                (_, Lang::En) => format!("{p} has no record"),
                (_, Lang::Zh) => format!("{p} 无记录"),
            };
            match l {
                Lang::En => format!("previous month {} = {} ({note})", f.call, f.value),
                Lang::Zh => format!("上月有记录 {} = {} ({note})", f.call, f.value),
            }
        }
        "streak" => match l {
            Lang::En => format!("streak {} = {} consecutive month(s)", f.call, f.value),
            Lang::Zh => format!("连续 {} = {} 个月", f.call, f.value),
        },
        kind => {
            let name = crate::builtins::lookup(kind)
                .and_then(|b| b.figure)
                .map(|(en, zh)| what(en, zh))
                .unwrap_or_else(|| kind.to_string());
            match l {
                Lang::En => format!("{name} {} = {} ({team}, {n} records)", f.call, f.value),
                Lang::Zh => format!("{name} {} = {} ({team}, 共 {n} 人)", f.call, f.value),
            }
        }
    }
}

/// One line per comparison: `✓ score >= 70% * base: 91 >= (70% × 130 = 91)`.
fn checks_lines(o: &mut String, checks: &[Check], ind: &str) {
    for c in checks {
        let mark = match c.holds {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "?",
        };
        let _ = writeln!(o, "{ind}  {mark} {}: {}", c.rule, c.figures);
    }
}

/// A decision; one taken inside a `table` or `fn` names it first.
fn decision(o: &mut String, d: &Decision, ind: &str, l: Lang) {
    let table = match d {
        Decision::Band { table, .. }
        | Decision::Match { table, .. }
        | Decision::Case { table, .. }
        | Decision::Steps { table, .. }
        | Decision::Scale { table, .. } => table.as_deref(),
        Decision::If { .. } | Decision::Condition { .. } => None,
    };
    let Some(name) = table else {
        decision_body(o, d, ind, l);
        return;
    };
    let mut body = String::new();
    decision_body(&mut body, d, ind, l);
    let rest = body.strip_prefix(ind).unwrap_or(&body);
    let _ = match l {
        Lang::En => write!(o, "{ind}table `{name}`: {rest}"),
        Lang::Zh => write!(o, "{ind}表 `{name}`: {rest}"),
    };
}

fn decision_body(o: &mut String, d: &Decision, ind: &str, l: Lang) {
    let line = |n: &usize| at_line(*n, l);
    let _ = match d {
        Decision::Band {
            line: n,
            rule,
            subject,
            value,
            arm,
            result,
            ..
        } => match l {
            Lang::En => writeln!(
                o,
                "{ind}band on `{subject}` = {value}: arm {} `{rule}` ({}) → {result}",
                arm + 1,
                line(n)
            ),
            Lang::Zh => writeln!(
                o,
                "{ind}分档 `{subject}` = {value}: 命中第 {} 档 `{rule}` ({}) → {result}",
                arm + 1,
                line(n)
            ),
        },
        Decision::Match {
            line: n,
            subject,
            value,
            result,
            ..
        } => match l {
            Lang::En => writeln!(
                o,
                "{ind}match `{subject}` = {value} → {result} ({})",
                line(n)
            ),
            Lang::Zh => writeln!(
                o,
                "{ind}对照 `{subject}` = {value} → {result} ({})",
                line(n)
            ),
        },
        Decision::Case {
            line: n,
            rule,
            arm,
            result,
            ..
        } => match l {
            Lang::En => writeln!(
                o,
                "{ind}rule {} applies: `{rule}` ({}) → {result}",
                arm + 1,
                line(n)
            ),
            Lang::Zh => writeln!(
                o,
                "{ind}适用第 {} 条: `{rule}` ({}) → {result}",
                arm + 1,
                line(n)
            ),
        },
        Decision::If {
            line: n,
            condition,
            taken,
            branch,
            checks,
        } => {
            let yes = if *taken {
                l.t("yes", "是")
            } else {
                l.t("no", "否")
            };
            let word = l.t("if", "如果");
            let _ = writeln!(
                o,
                "{ind}{word} `{condition}`: {yes} → `{branch}` ({})",
                line(n)
            );
            checks_lines(o, checks, ind);
            Ok(())
        }
        Decision::Steps {
            line: n,
            subject,
            value,
            arms,
            points,
            table: _,
        } => {
            let head = match l {
                Lang::En => format!("steps on `{subject}` = {value} ({}):", line(n)),
                Lang::Zh => format!("按步计分 `{subject}` = {value} ({}):", line(n)),
            };
            let _ = writeln!(o, "{ind}{head}");
            for a in arms {
                let _ = writeln!(o, "{ind}  `{}` ({}): {}", a.rule, line(&a.line), step(a, l));
            }
            writeln!(o, "{ind}  {} {points}", l.t("steps add", "步数得分合计"))
        }
        Decision::Condition {
            line: n,
            arm,
            rule,
            holds,
            checks,
        } => {
            let yes = if *holds {
                l.t("yes", "是")
            } else {
                l.t("no", "否")
            };
            let _ = match (arm, l) {
                (Some(k), Lang::En) => {
                    writeln!(
                        o,
                        "{ind}rule {} does not apply: `{rule}` ({})",
                        k + 1,
                        line(n)
                    )
                }
                (Some(k), Lang::Zh) => {
                    writeln!(o, "{ind}第 {} 条不适用: `{rule}` ({})", k + 1, line(n))
                }
                (None, _) => writeln!(o, "{ind}`{rule}`: {yes} ({})", line(n)),
            };
            checks_lines(o, checks, ind);
            Ok(())
        }
        Decision::Scale {
            line: n,
            rule,
            subject,
            value,
            result,
            table: _,
        } => match l {
            Lang::En => writeln!(
                o,
                "{ind}scale `{subject}` = {value}: `{rule}` ({}) → {result}",
                line(n)
            ),
            Lang::Zh => writeln!(
                o,
                "{ind}线性换算 `{subject}` = {value}: `{rule}` ({}) → {result}",
                line(n)
            ),
        },
    };
}

fn step(a: &StepArm, l: Lang) -> String {
    let above = a.direction == "above";
    if !a.applied {
        return match (l, above) {
            (Lang::En, true) => format!("not above {} → 0", a.reference),
            (Lang::En, false) => format!("not below {} → 0", a.reference),
            (Lang::Zh, true) => format!("未高于 {} → 0", a.reference),
            (Lang::Zh, false) => format!("未低于 {} → 0", a.reference),
        };
    }
    let diff = a.difference.clone().unwrap_or_default();
    let q = a.quotient.clone().unwrap_or_default();
    let steps = a.steps.clone().unwrap_or_default();
    let points = a.points.clone().unwrap_or_default();
    let ceil = a.rounding == "ceil";
    let cap = a.cap.clone().unwrap_or_default();
    // `× +2 = 4`, or `× +2, capped at 5 → 5`; an unreached cap is noted.
    let result = match (a.capped, a.cap.is_some(), l) {
        (true, _, Lang::En) => format!("× {}, capped at {cap} → {points}", a.per_step),
        (true, _, Lang::Zh) => format!("× {}, 封顶 {cap} → {points}", a.per_step),
        (false, true, Lang::En) => format!("× {} = {points} (cap {cap})", a.per_step),
        (false, true, Lang::Zh) => format!("× {} = {points} (上限 {cap})", a.per_step),
        (false, false, _) => format!("× {} = {points}", a.per_step),
    };
    match l {
        Lang::En => format!(
            "{diff} {} {} → {diff} / {} = {q} → {steps} step(s) ({}) {result}",
            if above { "above" } else { "below" },
            a.reference,
            a.step,
            if ceil {
                "ceil: a partial step counts"
            } else {
                "floor: whole steps"
            },
        ),
        Lang::Zh => format!(
            "比 {} {}{diff} → {diff} / {} = {q} → {steps} 步 ({}) {result}",
            a.reference,
            if above { "高 " } else { "低 " },
            a.step,
            if ceil {
                "不满一步按一步计"
            } else {
                "只计整步"
            },
        ),
    }
}

fn summary(o: &mut String, x: &Explanation, l: Lang) {
    let find = |n: &str| x.outputs.iter().find(|e| e.name == n);
    let mut lines = Vec::new();
    let formula_line = |e: &Entry| match &e.formula {
        Some(f) => format!("{} = {} = {}", e.name, f.figures, f.result),
        None => format!("{} = {}", e.name, e.value),
    };
    if let Some(e) = x.summary.total.as_deref().and_then(find) {
        lines.push(formula_line(e));
    }
    for e in x.summary.grades.iter().filter_map(|n| find(n)) {
        let why = e.decisions.iter().find_map(|d| match d {
            Decision::Band {
                subject,
                value,
                rule,
                line,
                ..
            } => Some(format!(
                "{subject} = {value}: `{rule}` ({})",
                at_line(*line, l)
            )),
            _ => None,
        });
        let why = why.or_else(|| e.figures.first().map(|f| figure(f, x, l)));
        lines.push(match why {
            Some(w) => format!("{} = {}  ← {w}", e.name, e.value),
            None => format!("{} = {}", e.name, e.value),
        });
    }
    for e in x.summary.payouts.iter().filter_map(|n| find(n)) {
        lines.push(formula_line(e));
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n{}", l.t("== Result ==", "== 结果 =="));
    for line in lines {
        let _ = writeln!(o, "  {line}");
    }
}
