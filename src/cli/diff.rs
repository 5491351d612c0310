//! `kpi diff OLD NEW --data FILE [--context FILE] [--format json|csv|table]`:
//! two versions of a policy on the same data. OLD and NEW are paths or
//! git `REV:path` (read with `git show` in the current directory; an
//! existing file whose name contains `:` is a path).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::eval::{load_rows, report_eval, DataArgs};
use super::{load, output, read_source, Exit, Loaded, ResultFormat, Source};
use crate::diag::Lang;
use crate::eval::{evaluate, Evaluated, Row};
use crate::ir::Program;
use crate::report::diff::{diff, field_changes, Diff, FieldChanges, Side};
use crate::report::ContextValues;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old policy: a path or git `REV:path`.
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new policy: a path or git `REV:path`.
    #[arg(value_name = "NEW")]
    pub new: String,
    #[command(flatten)]
    pub data: DataArgs,
    /// The period (YYYY-MM) of data files without a period column.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
    pub format: ResultFormat,
}

/// Reads a policy from a path or from git (`REV:path`).
fn read_policy(spec: &str, lang: Lang) -> Result<Source, Exit> {
    let path = Path::new(spec);
    if path.is_file() || !spec.contains(':') {
        return read_source(path, lang).map_err(|e| {
            eprintln!("{e}");
            Exit::Usage
        });
    }
    let out = std::process::Command::new("git")
        .arg("show")
        .arg(spec)
        .output();
    match out {
        Ok(o) if o.status.success() => match String::from_utf8(o.stdout) {
            Ok(text) => Ok(Source {
                path: spec.to_string(),
                text,
            }),
            Err(_) => {
                eprintln!("error: `{spec}` is not UTF-8 text");
                Err(Exit::Usage)
            }
        },
        Ok(o) => {
            let why = String::from_utf8_lossy(&o.stderr);
            eprintln!(
                "error: cannot read `{spec}` with `git show`: {}",
                why.trim()
            );
            Err(Exit::Usage)
        }
        Err(e) => {
            eprintln!("error: cannot run `git show {spec}`: {e}");
            Err(Exit::Usage)
        }
    }
}

/// One version: its source and checked program.
fn program(which: &str, spec: &str, lang: Lang) -> Result<(Source, Program), Exit> {
    let src = read_policy(spec, lang)?;
    match load(&src, lang) {
        Loaded::Ok(c) => Ok((src, c.program)),
        Loaded::Failed(msgs) => {
            eprintln!("error: the {which} version `{spec}` does not check:");
            for m in msgs {
                eprint!("{m}");
            }
            Err(Exit::Failure)
        }
    }
}

fn field_notes(which: &str, c: &FieldChanges, kind: &str) {
    for f in &c.added {
        eprintln!(
            "  note: {kind} `{}` is new in the NEW version ({which} needs it)",
            f.id
        );
    }
    for f in &c.removed {
        eprintln!("  note: {kind} `{}` was removed in the NEW version", f.id);
    }
}

type Evaluation = (Vec<Row>, ContextValues, Evaluated);

fn evaluate_version(
    which: &str,
    spec: &str,
    src: &Source,
    program: &Program,
    args: &Args,
    lang: Lang,
) -> Result<Evaluation, Exit> {
    let (rows, context) = load_rows(
        program,
        &args.data,
        args.period.as_deref(),
        crate::eval::default_threads(),
        lang,
    )
    .inspect_err(|_| {
        eprintln!("error: the data does not fit the {which} version `{spec}` (see above)");
    })?;
    match evaluate(program, &rows, &context, None) {
        Ok(ev) => Ok((rows, context, ev)),
        Err(errors) => {
            eprintln!("error: the {which} version `{spec}` cannot be evaluated:");
            report_eval(&errors, src, lang);
            Err(Exit::Failure)
        }
    }
}

pub fn run(args: &Args, lang: Lang) -> Exit {
    let (old_src, old_p) = match program("OLD", &args.old, lang) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let (new_src, new_p) = match program("NEW", &args.new, lang) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let evaluated =
        evaluate_version("OLD", &args.old, &old_src, &old_p, args, lang).and_then(|o| {
            evaluate_version("NEW", &args.new, &new_src, &new_p, args, lang).map(|n| (o, n))
        });
    let ((orows, _, oev), (nrows, _, nev)) = match evaluated {
        Ok(x) => x,
        Err(e) => {
            field_notes(
                "the data",
                &field_changes(&old_p.inputs, &new_p.inputs),
                "input",
            );
            let ctx = field_changes(&old_p.context, &new_p.context);
            field_notes("the context file", &ctx, "context input");
            return e;
        }
    };
    let d = diff(
        &Side {
            source: &args.old,
            program: &old_p,
            rows: &orows,
            ev: &oev,
        },
        &Side {
            source: &args.new,
            program: &new_p,
            rows: &nrows,
            ev: &nev,
        },
    );
    let text = match args.format {
        ResultFormat::Json => match output::pretty_json(&d) {
            Ok(s) => s,
            Err(e) => return e,
        },
        ResultFormat::Csv => csv_text(&d),
        ResultFormat::Table => table(&d),
    };
    output::emit(text.as_bytes(), None)
}

fn change_rows(d: &Diff) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for r in &d.changed {
        for c in &r.changes {
            out.push(vec![
                r.employee.clone(),
                r.period.clone(),
                r.team.clone().unwrap_or_default(),
                c.output.clone(),
                c.status.clone(),
                c.old.clone().unwrap_or_default(),
                c.new.clone().unwrap_or_default(),
                c.delta.clone().unwrap_or_default(),
            ]);
        }
    }
    out
}

const HEADER: [&str; 8] = [
    "employee", "period", "team", "output", "status", "old", "new", "delta",
];

/// One line per changed output of a record.
fn csv_text(d: &Diff) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(HEADER);
    for r in change_rows(d) {
        let _ = w.write_record(&r);
    }
    w.into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

fn fields_text(o: &mut String, c: &FieldChanges, kind: &str) {
    for f in &c.added {
        let _ = writeln!(o, "{kind} added in NEW: {} : {}", f.id, f.ty);
    }
    for f in &c.removed {
        let _ = writeln!(o, "{kind} removed in NEW: {} : {}", f.id, f.ty);
    }
    for f in &c.retyped {
        let _ = writeln!(o, "{kind} retyped: {} : {} → {}", f.name, f.old, f.new);
    }
}

fn table(d: &Diff) -> String {
    let mut o = String::new();
    let v = |x: &crate::report::diff::Version| {
        format!(
            "{} ({}{})",
            x.source,
            x.policy,
            x.version
                .as_ref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default()
        )
    };
    let _ = writeln!(o, "OLD {}\nNEW {}", v(&d.old), v(&d.new));
    fields_text(&mut o, &d.inputs, "input");
    fields_text(&mut o, &d.context, "context input");
    if !d.outputs.added.is_empty() {
        let _ = writeln!(o, "outputs added: {}", d.outputs.added.join(", "));
    }
    if !d.outputs.removed.is_empty() {
        let _ = writeln!(o, "outputs removed: {}", d.outputs.removed.join(", "));
    }
    for r in &d.outputs.retyped {
        let _ = writeln!(o, "output retyped: {} : {} → {}", r.name, r.old, r.new);
    }
    o.push('\n');
    let rows = change_rows(d);
    if rows.is_empty() {
        o.push_str("no output changes\n");
    } else {
        let mut t = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
        t.extend(rows);
        o.push_str(&super::whatif::align(&t));
    }
    let s = &d.summary;
    let _ = writeln!(o, "\nsummary");
    let _ = writeln!(
        o,
        "  records: {} evaluated, {} with changes",
        d.records,
        d.changed.len()
    );
    if !s.grade_outputs.is_empty() {
        let moves: Vec<String> = s
            .transitions
            .iter()
            .map(|t| format!("{} {} → {} ×{}", t.output, t.from, t.to, t.count))
            .collect();
        let _ = writeln!(
            o,
            "  grade ({}): {} record(s), {} people change grade{}",
            s.grade_outputs.join(", "),
            s.grade_changes,
            s.grade_people,
            if moves.is_empty() {
                String::new()
            } else {
                format!(": {}", moves.join(", "))
            }
        );
    }
    let p = &s.payroll;
    if p.outputs.is_empty() {
        let _ = writeln!(o, "  payroll: no money output in both versions");
    } else {
        let _ = writeln!(
            o,
            "  payroll (sum of {}): {} → {} ({})",
            p.outputs.join(" + "),
            p.before,
            p.after,
            p.delta
        );
        if p.per_output.len() > 1 {
            for l in &p.per_output {
                let _ = writeln!(
                    o,
                    "    {}: {} → {} ({})",
                    l.output, l.before, l.after, l.delta
                );
            }
        }
    }
    if !p.excluded.is_empty() {
        let _ = writeln!(
            o,
            "  not summed (money in one version only): {}",
            p.excluded.join(", ")
        );
    }
    if !s.movers.is_empty() {
        let _ = writeln!(o, "  biggest movers:");
        for m in &s.movers {
            let total = match (&m.total_delta, &s.total_output) {
                (Some(dt), Some(name)) => format!(
                    ", {name} {dt} ({} → {})",
                    m.total_before.clone().unwrap_or_default(),
                    m.total_after.clone().unwrap_or_default()
                ),
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "    {} {} {}: money {} ({} → {}){total}",
                m.employee,
                m.period,
                m.team.clone().unwrap_or_default(),
                m.money_delta,
                m.money_before,
                m.money_after
            );
        }
    }
    o
}
