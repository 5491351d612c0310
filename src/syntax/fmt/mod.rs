//! `kpi fmt`: prints a policy in one canonical layout, keeping every comment.
//!
//! The policy is parsed and its AST printed again; comments, which the AST
//! does not keep, are found by re-scanning the source and attached to the
//! printed lines by byte offset ([`comments`]). The result is checked before
//! it is returned: it must parse to the same AST (spans aside) and carry the
//! same comments in the same order, so a formatter bug can never change what
//! a policy means.
//!
//! Layout rules. Each depends only on the AST, on where comments and blank
//! lines sit, and (in test blocks) on where the author broke lines; the
//! formatter keeps all of these, so formatting is idempotent:
//! - header lines first, then one declaration per line, in source order;
//!   one blank line after the header and before each `test`, otherwise the
//!   author's blank lines are kept (at most one in a row);
//! - runs of `input` (and of `context`, and of `const`) declarations align
//!   their names, labels and `:` / `=` (display width: CJK = 2 columns);
//! - bodies put one arm per line, 2 spaces in, each arm but the last ended
//!   by `,`, the `->` arrows aligned (conditions wider than 40 columns are
//!   left out of the alignment); `steps` arms start with `each` and need no
//!   `,`; a `match` or `grade` body stays on one line when the whole line
//!   fits in 100 columns and no comment sits inside it (`band`, `cases`,
//!   `steps` and `distribute` are tables: always one arm per line);
//! - a declaration longer than 100 columns keeps `= … {` on its line when
//!   it has a body and that line fits; otherwise it breaks after `=`: onto
//!   one indented line if that fits, else `if … then …` / `else …` lines,
//!   else one operand per line with the operator in front (`+ x`, `and y`);
//! - single spaces around operators, parentheses only where precedence needs
//!   them (and around a negative right operand of `+`/`-`, a `scale`
//!   operand, an `if` as a condition or `then` branch), repeated signs as
//!   `- -a`, number literals as written (full-width digits and `％` made
//!   ASCII);
//! - tests: `context`/`given`/`expect` blocks on one line when they fit and
//!   hold no comment, otherwise one line per source line of assignments;
//!   `row … { … } expect { … }` on one line, or `expect` on the next line,
//!   or the `given` block broken with `} expect { … }` after it; when one
//!   row of a test needs `expect` on its own line, all its rows do;
//! - trailing comments on adjacent lines are aligned two columns after the
//!   longest code, lines more than 16 columns longer than the median aside.
//!
//! Limits. The output is parsed again, so it must stay within the parser's
//! limits. If the parentheses added for reading would nest it deeper than
//! [`super::MAX_DEPTH`] allows, the policy is printed again with only the
//! parentheses the grammar needs, which never nest deeper than the input
//! did. A result over [`super::MAX_SOURCE_BYTES`] is refused with
//! `kpi::fmt_too_large` (the file is left as it is).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod arms;
mod block;
mod comments;
mod decl;
mod erase;
mod expr;
#[cfg(test)]
mod tests;

use super::ast::{Policy, Span};
use super::{SyntaxError, MAX_SOURCE_BYTES};
use comments::Scan;
use std::cell::Cell;

pub use erase::erase_spans;

/// Lines longer than this (display columns) are broken where a rule allows.
pub const MAX_WIDTH: usize = 100;
/// Arrows in a body are aligned only when the widest condition fits here.
const ALIGN_LIMIT: usize = 40;
/// One level of indentation.
const INDENT: usize = 2;

/// Formats a policy. Fails with the syntax error if `src` does not parse,
/// with `kpi::fmt_too_large` if the result would be over the size limit,
/// or with an internal error if the result would not mean the same.
pub fn format_policy(src: &str) -> Result<String, SyntaxError> {
    crate::stack::on_big_stack(|| format_here(src))
}

fn format_here(src: &str) -> Result<String, SyntaxError> {
    let policy = super::parse(src)?;
    let internal = || SyntaxError::Internal {
        span: Span::new(0, 0),
    };
    let mut failure = internal();
    // First with the parentheses that help reading, then, if the result
    // is too deep or too large, with only those the grammar needs.
    for minimal in [false, true] {
        let run = Run::new(src, minimal);
        let mut printer = Printer::new(&run);
        printer.policy(&policy);
        let out = comments::render(&printer.lines, &run.scan);
        if out.len() > MAX_SOURCE_BYTES {
            failure = SyntaxError::FormattedTooLarge {
                size: out.len(),
                span: Span::new(0, 0),
            };
            continue;
        }
        match super::parse(&out) {
            Ok(again) => {
                let same = same_ast(&policy, &again) && comment_texts(src) == comment_texts(&out);
                return if same { Ok(out) } else { Err(internal()) };
            }
            Err(SyntaxError::TooDeep { .. }) => failure = internal(),
            Err(_) => return Err(internal()),
        }
    }
    Err(failure)
}

/// The comments of a policy source, in order, without trailing white space.
pub fn comment_texts(src: &str) -> Vec<String> {
    Scan::new(src)
        .comments
        .into_iter()
        .map(|c| c.text)
        .collect()
}

/// Whether two policies are the same apart from source positions.
pub fn same_ast(a: &Policy, b: &Policy) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    erase_spans(&mut a);
    erase_spans(&mut b);
    a == b
}

/// What every printer of one formatting run shares: the scanned source
/// (which it dereferences to) and how parentheses are chosen.
struct Run<'s> {
    pub scan: Scan<'s>,
    /// Only the parentheses the grammar needs: `a - -b`, `if a then if b
    /// then 1 else 2 else 3`, and a `scale` operand bare unless an
    /// arithmetic operator follows it.
    pub minimal: bool,
    /// While an expression is printed: whether `+ - * /` follows it
    /// before any closing bracket (a bare `scale … to c..d` would take it
    /// into `d`). Set and restored by [`Printer::followed_by_arithmetic`].
    pub before_arithmetic: Cell<bool>,
}

impl<'s> Run<'s> {
    fn new(src: &'s str, minimal: bool) -> Run<'s> {
        Run {
            scan: Scan::new(src),
            minimal,
            before_arithmetic: Cell::new(false),
        }
    }
}

impl<'s> std::ops::Deref for Run<'s> {
    type Target = Scan<'s>;

    fn deref(&self) -> &Scan<'s> {
        &self.scan
    }
}

/// One printed line, before comments are merged in.
#[derive(Debug, Clone)]
struct Line {
    /// Leading spaces.
    pub indent: usize,
    pub text: String,
    /// Byte offset in the source where this line's content starts.
    pub anchor: usize,
    /// A blank line before it in the source is kept.
    pub keep_blank: bool,
    /// Always preceded by a blank line (before its leading comments).
    pub force_blank: bool,
}

/// Builds [`Line`]s; the last line is the one being written.
struct Printer<'s> {
    pub scan: &'s Run<'s>,
    pub lines: Vec<Line>,
}

impl<'s> Printer<'s> {
    pub fn new(scan: &'s Run<'s>) -> Printer<'s> {
        Printer {
            scan,
            lines: Vec::new(),
        }
    }

    /// A scratch printer whose first line holds `prefix`.
    pub fn sub(&self, indent: usize, anchor: usize, prefix: &str) -> Printer<'s> {
        let mut p = Printer::new(self.scan);
        p.open(indent, anchor);
        p.write(prefix);
        p
    }

    /// A scratch printer for a declaration starting at `anchor`.
    pub fn head(&self, anchor: usize, force_blank: bool) -> Printer<'s> {
        let mut p = Printer::new(self.scan);
        p.open_item(0, anchor, force_blank);
        p
    }

    /// Starts a continuation line (source blank lines before it are dropped).
    pub fn open(&mut self, indent: usize, anchor: usize) {
        self.lines.push(Line {
            indent,
            text: String::new(),
            anchor,
            keep_blank: false,
            force_blank: false,
        });
    }

    /// Starts a line for a declaration, arm, row or assignment group: a
    /// blank line before it in the source is kept.
    pub fn open_item(&mut self, indent: usize, anchor: usize, force_blank: bool) {
        self.lines.push(Line {
            indent,
            text: String::new(),
            anchor,
            keep_blank: true,
            force_blank,
        });
    }

    pub fn write(&mut self, s: &str) {
        if let Some(l) = self.lines.last_mut() {
            l.text.push_str(s);
        }
    }

    /// Display width of the line being written, indentation included.
    pub fn width(&self) -> usize {
        self.lines
            .last()
            .map(|l| l.indent + width(&l.text))
            .unwrap_or(0)
    }

    /// Appends another printer's lines, its first line continuing ours.
    pub fn splice(&mut self, other: Printer<'s>) {
        let mut it = other.lines.into_iter();
        if let Some(first) = it.next() {
            self.write(&first.text);
        }
        self.lines.extend(it);
    }
}

/// Display width in a terminal: CJK and full-width characters take 2.
fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = u32::from(c);
    let wide = matches!(u,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

/// `s` padded with spaces to display width `w`.
fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    for _ in width(s)..w {
        out.push(' ');
    }
    out
}

/// A string literal: `"…"` with `\` `"` newline and tab escaped.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

/// Whether `s` can be written as a bare name (not a keyword).
fn is_ident(s: &str) -> bool {
    use super::parser::{KpiParser, Rule};
    use pest::Parser as _;
    match KpiParser::parse(Rule::ident, s) {
        Ok(mut pairs) => pairs.next().is_some_and(|p| p.as_str().len() == s.len()),
        Err(_) => false,
    }
}
