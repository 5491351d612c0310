//! Reports built on one evaluation: `explain` (why one person got their
//! score), `diff` (what a policy change does to everybody) and `whatif`
//! (the smallest change of one input that reaches a target).
//!
//! Everything here is free of IO: the command line reads the files, these
//! modules compute models (plain data, `Serialize`) that the command line
//! renders. Every figure is produced by the evaluator and formatted with
//! [`crate::eval::format`], so a report shows exactly what `kpi eval` shows.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod diff;
pub mod explain;
mod formula;
pub mod html;
pub mod results;
pub mod show;
mod trace;
pub mod whatif;
mod whatif_search;
#[cfg(feature = "spreadsheets")]
pub mod xlsx;

use crate::diag::{chars_capped, SUGGEST_MAX_CHARS};
use crate::eval::expr::Env;
use crate::eval::Row;
use crate::ir::{Program, Slot, Source, Value};
use crate::syntax::ast::Span;
use crate::types::Period;
use std::collections::BTreeMap;

/// Context values per period, in context-input order.
pub type ContextValues = BTreeMap<Period, Vec<Value>>;

/// Reports are written in the one message language of the run.
pub use crate::diag::Lang;

/// Reads the values of one evaluated row (inputs, context, slots).
pub(crate) struct RowEnv<'a> {
    pub inputs: &'a [Value],
    pub ctx: &'a [Value],
    pub slots: &'a [Value],
}

impl Env for RowEnv<'_> {
    fn read(&self, s: Source) -> Option<&Value> {
        match s {
            Source::Input(i) => self.inputs.get(i),
            Source::Context(i) => self.ctx.get(i),
            Source::Slot(i) => self.slots.get(i),
        }
    }
}

/// The context values of a row's period (empty when the policy has none).
pub(crate) fn row_context<'a>(
    program: &Program,
    context: &'a ContextValues,
    row: &Row,
) -> &'a [Value] {
    if program.context.is_empty() {
        return &[];
    }
    context.get(&row.period).map(Vec::as_slice).unwrap_or(&[])
}

/// Where to find the source text of a policy, for quoting rules.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a>(pub &'a str);

impl<'a> Text<'a> {
    /// The text under `span` (empty if the span is out of bounds).
    pub fn slice(self, span: Span) -> &'a str {
        self.0.get(span.start..span.end).unwrap_or("")
    }

    /// The 1-based line of a byte offset.
    pub fn line(self, offset: usize) -> usize {
        let upto = self.0.get(..offset.min(self.0.len())).unwrap_or("");
        upto.bytes().filter(|b| *b == b'\n').count() + 1
    }

    /// The text under `span` on one line: comments removed, runs of
    /// whitespace collapsed, trailing commas dropped.
    pub fn quote(self, span: Span) -> String {
        squash(self.slice(span))
    }

    /// An expression's text: like [`Text::quote`], with the closing
    /// parentheses its span leaves out restored.
    pub fn quote_expr(self, span: Span) -> String {
        let mut s = self.quote(span);
        let mut depth = 0i32;
        let mut in_str = false;
        for c in s.chars() {
            match c {
                '"' => in_str = !in_str,
                '(' if !in_str => depth += 1,
                ')' if !in_str => depth -= 1,
                _ => {}
            }
        }
        for _ in 0..depth.max(0) {
            s.push(')');
        }
        s
    }

    /// The whole (trimmed) source line holding `offset`, comment removed.
    pub fn line_text(self, offset: usize) -> String {
        let offset = offset.min(self.0.len());
        let start = self.0[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let end = self.0[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(self.0.len());
        squash(self.0.get(start..end).unwrap_or(""))
    }
}

/// Removes `#` and `//` comments (outside string literals), joins lines and
/// collapses whitespace.
fn squash(s: &str) -> String {
    let mut words = Vec::new();
    for line in s.lines() {
        let mut in_str = false;
        let mut cut = line.len();
        let mut prev = '\0';
        for (i, c) in line.char_indices() {
            match c {
                '"' => in_str = !in_str,
                '#' if !in_str => {
                    cut = i;
                    break;
                }
                '/' if !in_str && prev == '/' => {
                    cut = i - 1;
                    break;
                }
                _ => {}
            }
            prev = c;
        }
        words.extend(line[..cut].split_whitespace().map(str::to_string));
    }
    let mut out = words.join(" ");
    while out.ends_with(',') {
        out.pop();
    }
    out
}

/// The nearest of `candidates` to `wanted` (case-insensitive first, then
/// by edit distance), for "did you mean".
///
/// The work is bounded: a name longer than [`SUGGEST_MAX_CHARS`] only
/// matches a candidate equal to it but for case, edit distances are
/// computed between short names only, and a candidate whose length alone
/// puts it further than the best so far is skipped.
pub fn nearest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = wanted.to_lowercase();
    let short = chars_capped(&lower, SUGGEST_MAX_CHARS) <= SUGGEST_MAX_CHARS;
    let len = lower.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let better = |d: usize| best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc));
        let c_lower = c.to_lowercase();
        let d = if c_lower == lower {
            0
        } else if !short || chars_capped(&c_lower, SUGGEST_MAX_CHARS) > SUGGEST_MAX_CHARS {
            continue;
        } else if !better(len.abs_diff(c_lower.chars().count()) + 1) {
            // The edit distance is at least the difference in length.
            continue;
        } else {
            strsim::levenshtein(&lower, &c_lower) + 1
        };
        if better(d) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Slot `slot` of a checked program.
// Invariant: every slot index the checker emits (outputs, `Source::Slot`,
// team and history arguments) is below `program.slots.len()`.
#[allow(clippy::indexing_slicing)]
fn slot_of(program: &Program, slot: usize) -> &Slot {
    &program.slots[slot]
}

/// Record `row` of the batch a report was asked about.
// Invariant: `row` comes from `find_row` or the evaluation's `order`, both
// indices into `rows`.
#[allow(clippy::indexing_slicing)]
fn row_of(rows: &[Row], row: usize) -> &Row {
    &rows[row]
}

/// Why a record could not be picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFound {
    /// No record of this employee; the nearest id, if any.
    Employee { suggestion: Option<String> },
    /// The employee has no record for that period; the periods they have.
    Period { available: Vec<Period> },
}

/// The row of `employee` in `period`, or in their latest period.
pub fn find_row(rows: &[Row], employee: &str, period: Option<Period>) -> Result<usize, NotFound> {
    let theirs: Vec<(usize, &Row)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.employee() == employee)
        .collect();
    if theirs.is_empty() {
        let suggestion = nearest(employee, rows.iter().map(|r| r.employee()));
        return Err(NotFound::Employee {
            suggestion: suggestion.map(str::to_string),
        });
    }
    let found = match period {
        Some(p) => theirs.iter().find(|(_, r)| r.period == p),
        None => theirs.iter().max_by_key(|(_, r)| r.period),
    };
    found.map(|&(i, _)| i).ok_or_else(|| {
        let mut available: Vec<Period> = theirs.iter().map(|(_, r)| r.period).collect();
        available.sort();
        NotFound::Period { available }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squash_drops_comments_and_space() {
        assert_eq!(
            squash("  >= 55%   -> 100   # full marks\n"),
            ">= 55% -> 100".to_string()
        );
        assert_eq!(squash("\"#1\" -> 2, // note"), "\"#1\" -> 2");
    }

    #[test]
    fn nearest_prefers_case_and_distance() {
        let ids = ["E01", "E02", "E10"];
        assert_eq!(nearest("e01", ids.iter().copied()), Some("E01"));
        assert_eq!(nearest("E011", ids.iter().copied()), Some("E01"));
        assert_eq!(nearest("E1", ids.iter().copied()), Some("E01"));
    }

    #[test]
    fn nearest_compares_no_long_names() {
        let long = "E".repeat(60_000);
        let ids = ["E01", long.as_str()];
        // A long id only matches itself, whatever the case.
        assert_eq!(
            nearest(&long.to_lowercase(), ids.iter().copied()),
            Some(long.as_str())
        );
        assert_eq!(nearest(&format!("{long}1"), ids.iter().copied()), None);
        // A long candidate is never offered for a short id.
        assert_eq!(nearest("E0", [long.as_str()].into_iter()), None);
        assert_eq!(nearest("E0", ids.iter().copied()), Some("E01"));
    }

    #[test]
    fn line_numbers() {
        let t = Text("a\nbc\nd");
        assert_eq!(t.line(0), 1);
        assert_eq!(t.line(3), 2);
        assert_eq!(t.line(5), 3);
        assert_eq!(t.line_text(3), "bc");
    }
}
