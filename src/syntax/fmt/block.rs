//! Embedded tests: `test "…" { context … given … expect … }` and rows.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{is_ident, quote, width, Printer, INDENT, MAX_WIDTH};
use crate::syntax::ast::*;
use crate::syntax::DEFAULT_TEST_PERIOD;

/// An employee or team id: bare digits or name, quoted otherwise.
fn row_id(s: &str) -> String {
    if (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())) || is_ident(s) {
        s.to_string()
    } else {
        quote(s)
    }
}

/// A `given { … } expect { … }` test is one row with these fixed values.
fn is_single(r: &TestRow) -> bool {
    r.employee == "test" && r.period == DEFAULT_TEST_PERIOD && r.team.is_none()
}

/// Row layouts, most compact first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `row … { … } expect { … }`
    OneLine,
    /// `row … { … }` and `expect { … }` on the next line.
    ExpectBelow,
    /// `row … {`, assignment lines, `} expect { … }`.
    Broken,
}

struct RowPlan {
    head: String,
    /// The blocks on one line, when they can be.
    given: Option<String>,
    expect: Option<String>,
    has_expect: bool,
    /// Where `expect` and the blocks' braces are in the source.
    kw: usize,
    g_close: usize,
    e_open: usize,
    e_close: usize,
    shape: Shape,
}

impl Printer<'_> {
    pub fn test_decl(&mut self, t: &TestDecl, force: bool) {
        self.open_item(0, t.span.start, force);
        self.write(&format!("test {} {{", quote(&t.name.value)));
        for c in &t.contexts {
            self.open_item(INDENT, c.span.start, false);
            self.write("context ");
            if let Some(p) = c.period {
                self.write(&format!("{p} "));
            }
            let (open, close) = self.braces(c.span.start, c.span.end);
            self.block(&c.values, open, close, 0);
        }
        match t.rows.as_slice() {
            [r] if is_single(r) => self.single(r),
            rows => self.rows(rows),
        }
        self.open(0, self.scan.close_of(t.span.end));
        self.write("}");
    }

    /// The first `{` at or after `from` and its `}`.
    fn braces(&self, from: usize, to: usize) -> (usize, usize) {
        let open = self.scan.find_char(from, to, '{').unwrap_or(from);
        let close = self.scan.matching_close(open).unwrap_or(to);
        (open, close)
    }

    /// `given { … }` and `expect { … }` lines.
    fn single(&mut self, r: &TestRow) {
        let (g_open, g_close) = self.braces(r.span.start, r.span.end);
        self.open_item(INDENT, r.span.start, false);
        self.write("given ");
        self.block(&r.given, g_open, g_close, 0);
        let kw = self
            .scan
            .find_word(g_close, r.span.end, "expect")
            .unwrap_or(g_close);
        let (e_open, e_close) = self.braces(kw, r.span.end);
        self.open_item(INDENT, kw, false);
        self.write("expect ");
        self.block(&r.expect, e_open, e_close, 0);
    }

    /// How a row can be laid out, and the most compact layout that fits.
    fn plan(&self, r: &TestRow) -> RowPlan {
        let mut head = format!("row {} {} ", row_id(&r.employee), r.period);
        if let Some(t) = &r.team {
            head = format!("{}team {} ", head, row_id(t));
        }
        let (g_open, g_close) = self.braces(r.span.start, r.span.end);
        let has_expect = !r.expect.is_empty();
        let kw = self
            .scan
            .find_word(g_close, r.span.end, "expect")
            .unwrap_or(g_close);
        let (e_open, e_close) = self.braces(kw, r.span.end);
        let given = self.inline(&r.given, g_open, g_close);
        let expect = self.inline(&r.expect, e_open, e_close);
        let base = INDENT + width(&head);
        let shape = match (&given, &expect) {
            (Some(g), _) if !has_expect && base + width(g) <= MAX_WIDTH => Shape::OneLine,
            (Some(g), Some(x)) if has_expect => {
                if base + width(g) + " expect ".len() + width(x) <= MAX_WIDTH {
                    Shape::OneLine
                } else if base + width(g) <= MAX_WIDTH
                    && 2 * INDENT + "expect ".len() + width(x) <= MAX_WIDTH
                {
                    Shape::ExpectBelow
                } else {
                    Shape::Broken
                }
            }
            _ => Shape::Broken,
        };
        RowPlan {
            head,
            given,
            expect,
            has_expect,
            kw,
            g_close,
            e_open,
            e_close,
            shape,
        }
    }

    /// The rows of a test; when one of them needs `expect` on its own line,
    /// the others that could be one line do the same, so that the rows
    /// read as a table.
    fn rows(&mut self, rows: &[TestRow]) {
        let plans: Vec<RowPlan> = rows.iter().map(|r| self.plan(r)).collect();
        let below = plans.iter().any(|p| p.shape == Shape::ExpectBelow);
        for (r, mut p) in rows.iter().zip(plans) {
            if below && p.has_expect && p.shape == Shape::OneLine {
                p.shape = Shape::ExpectBelow;
            }
            self.row(r, p);
        }
    }

    /// `row E P [team T] { … } expect { … }` in the planned shape.
    fn row(&mut self, r: &TestRow, p: RowPlan) {
        self.open_item(INDENT, r.span.start, false);
        self.write(&p.head);
        match (p.shape, &p.given, &p.expect) {
            (Shape::OneLine, Some(g), _) if !p.has_expect => self.write(g),
            (Shape::OneLine, Some(g), Some(x)) => self.write(&format!("{g} expect {x}")),
            (Shape::ExpectBelow, Some(g), Some(x)) if p.has_expect => {
                self.write(g);
                self.open(2 * INDENT, p.kw);
                self.write(&format!("expect {x}"));
            }
            _ => {
                let room = if p.has_expect { " expect {".len() } else { 0 };
                match &p.given {
                    Some(g) if self.width() + width(g) + room <= MAX_WIDTH => self.write(g),
                    _ => self.block_lines(&r.given, p.g_close),
                }
                if p.has_expect {
                    self.write(" expect ");
                    self.block(&r.expect, p.e_open, p.e_close, 0);
                }
            }
        }
    }

    /// `{ a = 1, b = 2 }`, unless a comment sits inside the braces or a
    /// value cannot be flat.
    fn inline(&self, asg: &[Assignment], open: usize, close: usize) -> Option<String> {
        if self.scan.comment_inside(open, close) {
            return None;
        }
        if asg.is_empty() {
            return Some("{}".into());
        }
        let parts = asg
            .iter()
            .map(|a| {
                self.flat(&a.value, 0)
                    .map(|v| format!("{} = {v}", a.name.name))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(format!("{{ {} }}", parts.join(", ")))
    }

    /// An assignment block: inline when it fits with `room` columns to
    /// spare, otherwise over several lines.
    fn block(&mut self, asg: &[Assignment], open: usize, close: usize, room: usize) {
        if let Some(s) = self.inline(asg, open, close) {
            if self.width() + width(&s) + room <= MAX_WIDTH {
                self.write(&s);
                return;
            }
        }
        self.block_lines(asg, close);
    }

    /// `{`, the assignments grouped on lines as in the source (a group too
    /// long for a line is split), `}`.
    fn block_lines(&mut self, asg: &[Assignment], close: usize) {
        let outer = self.cur_indent();
        self.write("{");
        let mut broken = false;
        for (k, a) in asg.iter().enumerate() {
            let piece = self
                .flat(&a.value, 0)
                .map(|v| format!("{} = {v}", a.name.name));
            let comma = usize::from(k + 1 < asg.len());
            let fits = piece
                .as_ref()
                .is_some_and(|p| self.width() + 2 + width(p) + comma <= MAX_WIDTH);
            let new_line = k == 0 || broken || !fits || self.scan.starts_line(a.name.span.start);
            if new_line {
                if k > 0 {
                    self.write(",");
                }
                self.open_item(outer + INDENT, a.name.span.start, false);
            } else {
                self.write(", ");
            }
            match piece {
                Some(p) => {
                    self.write(&p);
                    broken = false;
                }
                None => {
                    self.write(&format!("{} = ", a.name.name));
                    self.auto(&a.value, 0);
                    broken = true;
                }
            }
        }
        self.open(outer, close);
        self.write("}");
    }
}
