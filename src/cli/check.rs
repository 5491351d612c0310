//! `kpi check POLICY... [--deny-warnings] [--format human|json]`

use super::{read_source, render_diagnostic, render_json_diagnostic, DiagFormat, Exit};
use crate::check::check;
use std::path::PathBuf;

pub fn run(paths: &[PathBuf], deny_warnings: bool, format: DiagFormat) -> Exit {
    let mut errors = 0usize;
    let mut warnings = 0usize;
    let mut json = Vec::new();
    let mut usage = false;
    for path in paths {
        let src = match read_source(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                usage = true;
                continue;
            }
        };
        let mut diags: Vec<Box<dyn miette::Diagnostic>> = Vec::new();
        match crate::syntax::parse(&src.text) {
            Err(e) => {
                errors += 1;
                diags.push(Box::new(e));
            }
            Ok(policy) => match check(&policy) {
                Ok(c) => {
                    warnings += c.warnings.len();
                    diags.extend(
                        c.warnings
                            .into_iter()
                            .map(|w| Box::new(w) as Box<dyn miette::Diagnostic>),
                    );
                }
                Err(f) => {
                    errors += f.errors.len();
                    warnings += f.warnings.len();
                    diags.extend(
                        f.errors
                            .into_iter()
                            .map(|e| Box::new(e) as Box<dyn miette::Diagnostic>),
                    );
                    diags.extend(
                        f.warnings
                            .into_iter()
                            .map(|w| Box::new(w) as Box<dyn miette::Diagnostic>),
                    );
                }
            },
        }
        for d in &diags {
            match format {
                DiagFormat::Human => eprint!("{}", render_diagnostic(d.as_ref(), Some(&src))),
                DiagFormat::Json => json.push(render_json_diagnostic(d.as_ref(), Some(&src))),
            }
        }
    }
    match format {
        DiagFormat::Json => println!("{}", serde_json::Value::Array(json)),
        DiagFormat::Human => {
            if errors == 0 && warnings == 0 && !usage {
                eprintln!(
                    "ok: {} polic{} checked, no problems",
                    paths.len(),
                    if paths.len() == 1 { "y" } else { "ies" }
                );
            } else {
                eprintln!("{errors} error(s), {warnings} warning(s)");
            }
        }
    }
    if usage {
        Exit::Usage
    } else if errors > 0 || (deny_warnings && warnings > 0) {
        Exit::Failure
    } else {
        Exit::Success
    }
}
