//! What the AST does not keep: comments, and where braces, keywords and
//! blank lines are in the source. [`render`] merges the comments into the
//! printed lines.
//!
//! Each comment is attached by byte offset: a comment on a line of its own
//! goes before the first printed line that starts after it (indented like
//! that line); a comment after code stays at the end of the printed line
//! holding the code before it. Comments never change order: one that would
//! land before an earlier comment is moved after it. Trailing comments on
//! adjacent lines of the same indentation are aligned.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{width, Line};
use crate::syntax::ast::Span;

/// A `#` or `//` comment.
#[derive(Debug, Clone)]
pub(super) struct Comment {
    pub start: usize,
    /// The end of its line.
    pub end: usize,
    /// Text from `#`/`//` to the end of the line, trailing space removed.
    pub text: String,
    /// Nothing but white space before it on its line.
    pub own_line: bool,
    /// An own-line comment with a blank line right before it.
    pub blank_before: bool,
}

/// The source with its comments and strings located.
pub(super) struct Scan<'a> {
    pub src: &'a str,
    pub comments: Vec<Comment>,
    /// Byte ranges of strings and comments, in order.
    skips: Vec<(usize, usize)>,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{3000}' | '\u{FEFF}')
}

impl<'a> Scan<'a> {
    /// Whether the expression at `span` is written in brackets of its own.
    /// The span of an operator expression leaves out its operands'
    /// brackets (`(a + b) * (c + d)` spans `a + b) * (c + d`), so: walk
    /// left over the `(` before it to the first whose matching `)` comes at
    /// or after its end with only `)` in between; that is the group, unless
    /// it is a call's (`streak(level == "差")`).
    pub fn parenthesized(&self, span: Span) -> bool {
        let mut at = span.start;
        loop {
            let before = self.src.get(..at).unwrap_or("").trim_end_matches(is_space);
            let Some(open) = before.strip_suffix(['(', '（']) else {
                return false;
            };
            let open_at = open.len();
            let Some(close) = self.matching(open_at) else {
                return false;
            };
            if close >= span.end {
                let between = self.src.get(span.end..close).unwrap_or("");
                if !between
                    .chars()
                    .all(|c| is_space(c) || c == ')' || c == '）')
                {
                    return false;
                }
                return !self.is_call(open) && !self.is_whole_value(open);
            }
            // this `(` is an operand's own: look further left
            at = open_at;
        }
    }

    /// Whether the `(` after `before` opens a call's arguments: a name
    /// (not a keyword such as `band` or `if`) stands right before it.
    fn is_call(&self, before: &str) -> bool {
        let word: String = before
            .trim_end_matches(is_space)
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        const KEYWORDS: [&str; 22] = [
            "if",
            "then",
            "else",
            "and",
            "or",
            "not",
            "band",
            "match",
            "steps",
            "scale",
            "from",
            "to",
            "distribute",
            "by",
            "above",
            "below",
            "each",
            "cap",
            "weight",
            "default",
            "且",
            "或",
        ];
        !word.is_empty() && !KEYWORDS.contains(&word.as_str())
    }

    /// Whether the `(` after `before` starts a whole value: a
    /// declaration's (`item x = (…`), an arm's (`-> (…`) or an argument's
    /// (`, (…`). Brackets there are not kept: the printer lays such values
    /// out on lines of its own. (Decided on what comes before only, which
    /// the printer reproduces, so formatting stays idempotent.)
    fn is_whole_value(&self, before: &str) -> bool {
        // `= ((a + b) + c)`: the outer group is a whole value, dropped,
        // so the inner one starts the value once printed.
        let mut b = before.trim_end_matches(is_space);
        while let Some(rest) = b.strip_suffix(['(', '（']) {
            if self.is_call(rest) {
                // a call's first argument: `max((a + b), c)`
                return true;
            }
            b = rest.trim_end_matches(is_space);
        }
        let arrow = b.ends_with("->") || b.ends_with("=>") || b.ends_with('→');
        let comparison = ["==", "!=", ">=", "<="].iter().any(|op| b.ends_with(op));
        let assign = (b.ends_with('=') && !comparison) || b.ends_with('＝');
        let separator = b.ends_with([',', '，', ':', '：']);
        arrow || assign || separator
    }

    /// The offset of the bracket that closes the one at `open`, counting
    /// every kind together (an interval opens with one and closes with
    /// another: `(42.8, 67.5]`), strings and comments skipped.
    fn matching(&self, open: usize) -> Option<usize> {
        let mut depth: i64 = 0;
        for (i, c) in self.src.get(open..)?.char_indices() {
            let at = open + i;
            let k = self.skips.partition_point(|(a, _)| *a <= at);
            if k > 0 && self.skips.get(k - 1).is_some_and(|(_, b)| at < *b) {
                continue; // in a string or a comment
            }
            match c {
                '(' | '（' | '[' | '【' | '［' | '{' | '｛' => depth += 1,
                ')' | '）' | ']' | '】' | '］' | '}' | '｝' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(at);
                    }
                }
                _ => {}
            }
        }
        None
    }

    pub fn new(src: &'a str) -> Scan<'a> {
        let mut skips = Vec::new();
        let mut spans = Vec::new();
        let mut it = src.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            let close = match c {
                '"' => Some('"'),
                '“' => Some('”'),
                _ => None,
            };
            if let Some(close) = close {
                let mut end = src.len();
                while let Some((j, d)) = it.next() {
                    if d == '\\' && close == '"' {
                        it.next();
                    } else if d == close {
                        end = j + d.len_utf8();
                        break;
                    }
                }
                skips.push((i, end));
            } else if c == '#' || (c == '/' && matches!(it.peek(), Some((_, '/')))) {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                while it.peek().is_some_and(|(j, _)| *j < end) {
                    it.next();
                }
                skips.push((i, end));
                spans.push((i, end));
            }
        }
        let mut scan = Scan {
            src,
            comments: Vec::new(),
            skips,
        };
        scan.comments = spans
            .into_iter()
            .map(|(start, end)| {
                let own_line = scan.starts_line(start);
                Comment {
                    start,
                    end,
                    text: src[start..end].trim_end().to_string(),
                    own_line,
                    blank_before: scan.blank_before(start),
                }
            })
            .collect();
        scan
    }

    /// Only white space before `pos` on its line.
    pub fn starts_line(&self, pos: usize) -> bool {
        let before = self.src.get(..pos).unwrap_or("");
        let line = before.rfind('\n').map_or(before, |n| &before[n + 1..]);
        line.chars().all(is_space)
    }

    /// `pos` starts its line and the line before it is blank.
    pub fn blank_before(&self, pos: usize) -> bool {
        if !self.starts_line(pos) {
            return false;
        }
        let before = self.src.get(..pos).unwrap_or("");
        let Some(n) = before.rfind('\n') else {
            return false;
        };
        let prev = &before[..n];
        let line = prev.rfind('\n').map_or(prev, |m| &prev[m + 1..]);
        // The first line of the file has nothing before it to separate.
        prev.contains('\n') && line.chars().all(is_space)
    }

    /// A comment starts strictly inside `start..end`.
    pub fn comment_inside(&self, start: usize, end: usize) -> bool {
        let k = self.comments.partition_point(|c| c.start <= start);
        self.comments.get(k).is_some_and(|c| c.start < end)
    }

    /// Characters of `from..to` outside strings and comments.
    fn code(&self, from: usize, to: usize) -> impl Iterator<Item = (usize, char)> + '_ {
        let to = to.min(self.src.len());
        let from = from.min(to);
        let mut k = self.skips.partition_point(|s| s.1 <= from);
        self.src
            .get(from..to)
            .unwrap_or("")
            .char_indices()
            .map(move |(i, c)| (i + from, c))
            .filter(move |(i, _)| {
                while self.skips.get(k).is_some_and(|s| s.1 <= *i) {
                    k += 1;
                }
                self.skips.get(k).is_none_or(|s| s.0 > *i)
            })
    }

    /// The first `ch` in code at or after `from`, before `to`.
    pub fn find_char(&self, from: usize, to: usize, ch: char) -> Option<usize> {
        self.code(from, to).find(|(_, c)| *c == ch).map(|(i, _)| i)
    }

    /// The `}` closing the `{` at `open`.
    pub fn matching_close(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (i, c) in self.code(open, self.src.len()) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The first whole word `word` in code within `from..to`.
    pub fn find_word(&self, from: usize, to: usize, word: &str) -> Option<usize> {
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        self.code(from, to)
            .find(|(i, _)| {
                self.src[*i..].starts_with(word)
                    && boundary(self.src[*i + word.len()..].chars().next())
                    && boundary(self.src[..*i].chars().next_back())
            })
            .map(|(i, _)| i)
    }

    /// Where the keyword `kw` written just before `pos` (white space and
    /// comments between) starts; `pos` if there is none.
    pub fn kw_start(&self, pos: usize, kw: &str) -> usize {
        let mut end = pos.min(self.src.len());
        loop {
            end = self.src[..end].trim_end_matches(is_space).len();
            let k = self.comments.partition_point(|c| c.start < end);
            match k.checked_sub(1).and_then(|k| self.comments.get(k)) {
                Some(c) if end <= c.end => end = c.start,
                _ => break,
            }
        }
        let before = &self.src[..end];
        match before.strip_suffix(kw) {
            Some(rest) if !rest.ends_with(|c: char| c.is_alphanumeric() || c == '_') => rest.len(),
            _ => pos,
        }
    }

    /// The offset of the `}` ending a construct spanning `start..end`.
    pub fn close_of(&self, end: usize) -> usize {
        if end > 0 && self.src.as_bytes().get(end - 1) == Some(&b'}') {
            end - 1
        } else {
            end
        }
    }
}

/// An output line: code with an optional trailing comment, a comment, or
/// a blank line.
struct Row {
    indent: usize,
    text: String,
    trailing: Option<String>,
    code: bool,
}

/// Merges the comments into the lines and produces the file text.
pub(super) fn render(lines: &[Line], scan: &Scan) -> String {
    let n = lines.len();
    // Anchors made non-decreasing so that the slots can be binary-searched.
    let mut mono = Vec::with_capacity(n);
    let mut top = 0;
    for l in lines {
        top = top.max(l.anchor);
        mono.push(top);
    }
    // Slot 2i: before line i; slot 2i+1: at the end of line i.
    let mut leading: Vec<Vec<&Comment>> = vec![Vec::new(); n + 1];
    let mut trailing: Vec<Option<&Comment>> = vec![None; n];
    let mut cursor = 0;
    for c in &scan.comments {
        let natural = if c.own_line {
            2 * mono.partition_point(|a| *a <= c.start)
        } else {
            match mono.partition_point(|a| *a <= c.start) {
                0 => 0,
                i => 2 * (i - 1) + 1,
            }
        };
        let mut slot = natural.max(cursor);
        if slot % 2 == 1 && trailing.get(slot / 2).is_some_and(Option::is_some) {
            slot += 1;
        }
        // Slots run to 2n (before the end), so there is always one; were
        // there not, the comment would go last rather than be lost.
        let placed = if slot % 2 == 1 {
            trailing.get_mut(slot / 2).map(|t| *t = Some(c))
        } else {
            leading.get_mut(slot / 2).map(|l| l.push(c))
        };
        if placed.is_none() {
            if let Some(last) = leading.last_mut() {
                last.push(c);
            }
        }
        cursor = slot;
    }

    let mut rows: Vec<Row> = Vec::new();
    let blank = |rows: &mut Vec<Row>, want: bool| {
        let after_open = rows.last().is_some_and(|r| r.code && r.text.ends_with('{'));
        let after_blank = rows.last().is_none_or(|r| !r.code && r.text.is_empty());
        if want && !after_blank && !after_open {
            rows.push(Row {
                indent: 0,
                text: String::new(),
                trailing: None,
                code: false,
            });
        }
    };
    for (i, lead) in leading.iter().enumerate() {
        let line = lines.get(i);
        let force = line.is_some_and(|l| l.force_blank);
        let indent = match line {
            Some(l) if l.text.starts_with('}') => l.indent + super::INDENT,
            Some(l) => l.indent,
            None => 0,
        };
        for (k, c) in lead.iter().enumerate() {
            blank(&mut rows, c.blank_before || (force && k == 0));
            rows.push(Row {
                indent,
                text: c.text.clone(),
                trailing: None,
                code: false,
            });
        }
        if let Some(l) = line {
            let closes = l.text.starts_with('}');
            let want = (l.keep_blank && scan.blank_before(l.anchor)) || (force && lead.is_empty());
            blank(&mut rows, want && !closes);
            rows.push(Row {
                indent: l.indent,
                text: l.text.clone(),
                trailing: trailing.get(i).copied().flatten().map(|c| c.text.clone()),
                code: true,
            });
        }
    }
    align_and_join(&rows)
}

/// Code lines longer than the median of their block by more than this
/// do not push the block's comment column further right.
const OUTLIER: usize = 16;

/// Aligns trailing comments of adjacent code lines with the same indent:
/// two columns after the longest code of the block, outliers left out.
/// Other trailing comments follow their code after two spaces.
fn align_and_join(rows: &[Row]) -> String {
    let mut cols = vec![0usize; rows.len()];
    // A comment after a closing brace is about the whole construct: it is
    // not aligned with its neighbours.
    let alignable = |r: &Row| r.code && r.trailing.is_some() && !r.text.starts_with('}');
    let mut i = 0;
    while let Some(r) = rows.get(i) {
        if !alignable(r) {
            i += 1;
            continue;
        }
        // the block: this row and the alignable rows after it at its indent
        let block = rows
            .iter()
            .skip(i)
            .take_while(|b| alignable(b) && b.indent == r.indent)
            .count();
        let mut widths: Vec<usize> = rows
            .iter()
            .skip(i)
            .take(block)
            .map(|r| r.indent + width(&r.text))
            .collect();
        widths.sort_unstable();
        let median = widths.get(widths.len() / 2).copied().unwrap_or(0);
        let col = widths
            .iter()
            .filter(|w| **w <= median + OUTLIER)
            .max()
            .map_or(0, |w| w + 2);
        for c in cols.iter_mut().skip(i).take(block) {
            *c = col;
        }
        i += block.max(1);
    }
    let mut out = String::new();
    for (r, col) in rows.iter().zip(cols) {
        if !r.text.is_empty() {
            out.extend(std::iter::repeat_n(' ', r.indent));
            out.push_str(&r.text);
        }
        if let Some(t) = &r.trailing {
            let w = r.indent + width(&r.text);
            out.extend(std::iter::repeat_n(' ', col.saturating_sub(w).max(2)));
            out.push_str(t);
        }
        out.push('\n');
    }
    out
}
