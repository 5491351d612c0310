//! `kpi fmt POLICY... [--check]`: rewrites policies in the canonical layout
//! (see [`crate::syntax::fmt`]); with `--check`, only reports the files that
//! would change, with a short diff, and exits 1 if there are any.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{read_source, render_diagnostic, Exit};
use crate::syntax::fmt::format_policy;
use std::path::{Path, PathBuf};

/// Lines of context around each change in the diff.
const CONTEXT: usize = 2;
/// Larger changes are shown without aligning old and new lines.
const MAX_DIFF_CELLS: usize = 4_000_000;

pub fn run(paths: &[PathBuf], check: bool, lang: crate::diag::Lang) -> Exit {
    let mut exit = Exit::Success;
    let mut worse = |e: Exit| {
        if e as u8 > exit as u8 {
            exit = e;
        }
    };
    let (files, errors) = super::files::policy_files(paths, lang);
    for e in errors {
        eprintln!("{e}");
        worse(Exit::Usage);
    }
    for path in files {
        let src = match read_source(&path, lang) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                worse(Exit::Usage);
                continue;
            }
        };
        let formatted = match format_policy(&src.text) {
            Ok(f) => f,
            Err(e) => {
                eprint!("{}", render_diagnostic(&e.report(lang), Some(&src)));
                worse(Exit::Failure);
                continue;
            }
        };
        if formatted == src.text {
            continue;
        }
        if check {
            println!("would reformat {}", src.path);
            print!("{}", diff(&src.path, &src.text, &formatted));
            worse(Exit::Failure);
        } else if let Err(e) = write_atomically(&path, &formatted) {
            eprintln!("error: cannot write `{}`: {e}", src.path);
            worse(Exit::Failure);
        } else {
            println!("formatted {}", src.path);
        }
    }
    exit
}

/// Directories stand for the `.kpi` files in them, sorted.
/// Writes a sibling temporary file and renames it over `path`, so that a
/// failure never leaves a half-written policy.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    let tmp = path.with_file_name(format!(".{}.fmt.tmp", name.unwrap_or_default()));
    let result = std::fs::write(&tmp, text)
        .and_then(|()| {
            let perms = std::fs::metadata(path)?.permissions();
            std::fs::set_permissions(&tmp, perms)
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
}

/// A unified diff of `old` → `new` with a little context.
fn diff(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = line_ops(&a, &b);
    let mut out = format!("--- {path}\n+++ {path} (formatted)\n");
    // Positions (old line, new line) before each op.
    let mut pos = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0, 0);
    for op in &ops {
        pos.push((i, j));
        match op {
            Op::Same => {
                i += 1;
                j += 1;
            }
            Op::Del => i += 1,
            Op::Add => j += 1,
        }
    }
    let mut k = 0;
    while k < ops.len() {
        if ops.get(k) == Some(&Op::Same) {
            k += 1;
            continue;
        }
        // A hunk: from CONTEXT lines before this change to CONTEXT lines
        // after the last change that is at most 2·CONTEXT lines further.
        let start = k.saturating_sub(CONTEXT);
        let mut end = k;
        let mut same_run = 0;
        while end < ops.len() && same_run <= 2 * CONTEXT {
            same_run = if ops.get(end) == Some(&Op::Same) {
                same_run + 1
            } else {
                0
            };
            end += 1;
        }
        let end = end - same_run.saturating_sub(CONTEXT);
        let (Some(hunk_ops), Some(hunk_pos)) = (ops.get(start..end), pos.get(start..end)) else {
            break;
        };
        let (oi, nj) = hunk_pos.first().copied().unwrap_or((0, 0));
        let dels = hunk_ops.iter().filter(|o| **o != Op::Add).count();
        let adds = hunk_ops.iter().filter(|o| **o != Op::Del).count();
        out.push_str(&format!("@@ -{},{dels} +{},{adds} @@\n", oi + 1, nj + 1));
        for (op, (i, j)) in hunk_ops.iter().zip(hunk_pos) {
            match op {
                Op::Same => out.push_str(&format!(" {}\n", line(&a, *i))),
                Op::Del => out.push_str(&format!("-{}\n", line(&a, *i))),
                Op::Add => out.push_str(&format!("+{}\n", line(&b, *j))),
            }
        }
        k = end;
    }
    out
}

/// Line `i` of `v`, empty past the end.
fn line<'a>(v: &[&'a str], i: usize) -> &'a str {
    v.get(i).copied().unwrap_or_default()
}

/// Line operations turning `a` into `b`: common prefix and suffix, and a
/// longest common subsequence in between when it is small enough.
fn line_ops(a: &[&str], b: &[&str]) -> Vec<Op> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a_rest, b_rest) = (
        a.get(pre..).unwrap_or_default(),
        b.get(pre..).unwrap_or_default(),
    );
    let suf = a_rest
        .iter()
        .rev()
        .zip(b_rest.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let ma = a_rest.get(..a_rest.len() - suf).unwrap_or_default();
    let mb = b_rest.get(..b_rest.len() - suf).unwrap_or_default();
    let mut ops = vec![Op::Same; pre];
    if (ma.len() + 1) * (mb.len() + 1) > MAX_DIFF_CELLS {
        ops.extend(std::iter::repeat_n(Op::Del, ma.len()));
        ops.extend(std::iter::repeat_n(Op::Add, mb.len()));
    } else {
        // lcs[i * w + j]: LCS length of ma[i..] and mb[j..]; 0 past the ends.
        let w = mb.len() + 1;
        let mut lcs = vec![0u32; (ma.len() + 1) * w];
        let cell = |lcs: &[u32], i: usize, j: usize| lcs.get(i * w + j).copied().unwrap_or(0);
        for (i, x) in ma.iter().enumerate().rev() {
            for (j, y) in mb.iter().enumerate().rev() {
                let v = if x == y {
                    cell(&lcs, i + 1, j + 1) + 1
                } else {
                    cell(&lcs, i + 1, j).max(cell(&lcs, i, j + 1))
                };
                if let Some(c) = lcs.get_mut(i * w + j) {
                    *c = v;
                }
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ma.len() || j < mb.len() {
            let (x, y) = (ma.get(i), mb.get(j));
            if x.is_some() && x == y {
                ops.push(Op::Same);
                i += 1;
                j += 1;
            } else if x.is_some() && (y.is_none() || cell(&lcs, i + 1, j) >= cell(&lcs, i, j + 1)) {
                ops.push(Op::Del);
                i += 1;
            } else {
                ops.push(Op::Add);
                j += 1;
            }
        }
    }
    ops.extend(std::iter::repeat_n(Op::Same, suf));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\n";
        let d = diff("p.kpi", old, new);
        assert_eq!(
            d,
            "--- p.kpi\n+++ p.kpi (formatted)\n@@ -2,5 +2,5 @@\n b\n c\n-d\n+D\n e\n f\n"
        );
    }

    #[test]
    fn diff_of_insertions_and_deletions() {
        let d = diff("p", "x\ny\n", "x\nz\ny\nw\n");
        assert!(d.contains("+z\n") && d.contains("+w\n") && !d.contains("-x"));
    }
}
