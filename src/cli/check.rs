//! `kpi check POLICY... [--deny-warnings] [--format human|json] [--verbose]`
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{read_source, render_diagnostic, render_json_diagnostic, DiagFormat, Exit, Source};
use crate::check::{analysis, check, Lang};
use miette::Diagnostic;
use std::path::PathBuf;

pub struct Args<'a> {
    pub paths: &'a [PathBuf],
    pub deny_warnings: bool,
    pub format: DiagFormat,
    pub verbose: bool,
    pub lang: Lang,
}

/// What checking one policy found.
struct Findings {
    diags: Vec<Box<dyn Diagnostic>>,
    errors: usize,
    warnings: usize,
    /// Each output's reachable range (with `--verbose`).
    ranges: Vec<(String, String)>,
}

/// Errors and warnings of one policy, rendered in `lang`.
fn diagnose(src: &Source, lang: Lang, verbose: bool) -> Findings {
    let mut diags: Vec<Box<dyn Diagnostic>> = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    let mut ranges = Vec::new();
    match crate::syntax::parse(&src.text) {
        Err(e) => {
            errors += 1;
            diags.push(Box::new(e.report(lang)));
        }
        Ok(policy) => match check(&policy) {
            Ok(c) => {
                warnings += c.warnings.len();
                diags.extend(
                    c.warnings
                        .iter()
                        .map(|w| Box::new(w.report(lang)) as Box<dyn Diagnostic>),
                );
                if verbose {
                    ranges = analysis::summary(&c.program);
                }
            }
            Err(f) => {
                errors += f.errors.len();
                warnings += f.warnings.len();
                diags.extend(
                    f.errors
                        .iter()
                        .map(|e| Box::new(e.report(lang)) as Box<dyn Diagnostic>),
                );
                diags.extend(
                    f.warnings
                        .iter()
                        .map(|w| Box::new(w.report(lang)) as Box<dyn Diagnostic>),
                );
            }
        },
    }
    Findings {
        diags,
        errors,
        warnings,
        ranges,
    }
}

pub fn run(args: &Args) -> Exit {
    let (mut errors, mut warnings) = (0usize, 0usize);
    let mut json = Vec::new();
    let (files, dir_errors) = super::files::policy_files(args.paths, args.lang);
    let mut usage = !dir_errors.is_empty();
    for e in dir_errors {
        eprintln!("{e}");
    }
    for path in &files {
        let src = match read_source(path, args.lang) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                usage = true;
                continue;
            }
        };
        let Findings {
            diags,
            errors: e,
            warnings: w,
            ranges,
        } = diagnose(&src, args.lang, args.verbose);
        errors += e;
        warnings += w;
        for d in &diags {
            match args.format {
                DiagFormat::Human => eprint!("{}", render_diagnostic(d.as_ref(), Some(&src))),
                DiagFormat::Json => json.push(render_json_diagnostic(d.as_ref(), Some(&src))),
            }
        }
        if args.verbose && args.format == DiagFormat::Human && !ranges.is_empty() {
            println!("{}:", src.path);
            let width = ranges
                .iter()
                .map(|(n, _)| super::output::width(n))
                .max()
                .unwrap_or(0);
            for (name, range) in &ranges {
                println!(
                    "  {name}{}  {range}",
                    " ".repeat(width - super::output::width(name))
                );
            }
        }
    }
    match args.format {
        DiagFormat::Json => println!("{}", serde_json::Value::Array(json)),
        DiagFormat::Human => {
            let zh = args.lang == Lang::Zh;
            if errors == 0 && warnings == 0 && !usage {
                let n = files.len();
                if zh {
                    eprintln!("ok: 已检查 {n} 个方案，没有发现问题");
                } else {
                    eprintln!(
                        "ok: {n} polic{} checked, no problems",
                        if n == 1 { "y" } else { "ies" }
                    );
                }
            } else if zh {
                eprintln!("{errors} 个错误，{warnings} 个警告");
            } else {
                eprintln!("{errors} error(s), {warnings} warning(s)");
            }
        }
    }
    if usage {
        Exit::Usage
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        Exit::Failure
    } else {
        Exit::Success
    }
}
