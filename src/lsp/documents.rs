//! Open documents: their text, kept in step with the editor by incremental
//! changes, and the one conversion between the library's byte offsets and
//! LSP positions (line and UTF-16 code unit, as the protocol counts).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::syntax::ast::Span;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// Line starts of a text, for converting byte offsets to positions and back.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The position of a byte offset: its line, and its column in UTF-16
    /// code units. An offset past the end, or inside a character, is moved
    /// back to the nearest character boundary.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset);
        // `starts[0]` is 0, so some start is `<= offset`.
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col: usize = text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(to_u32(line), to_u32(col))
    }

    /// The byte offset of a position. A column past the end of its line
    /// means the end of the line (before its line break), a line past the
    /// end means the end of the text, and a column inside a surrogate pair
    /// means the character's start.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(text.len());
        let line = text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16();
            if next > pos.character as usize {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }

    /// The LSP range of a byte span.
    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end.max(span.start)),
        )
    }
}

/// The largest character boundary at or before `offset`.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub version: i32,
    pub lines: LineIndex,
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        let lines = LineIndex::new(&text);
        Document {
            text,
            version,
            lines,
        }
    }

    /// Applies the editor's changes in order: each one's range is in the
    /// text as the previous changes left it; no range means the whole text.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let a = self.lines.offset(&self.text, range.start);
                    let b = self.lines.offset(&self.text, range.end);
                    let (a, b) = (a.min(b), a.max(b));
                    self.text.replace_range(a..b, &change.text);
                }
            }
            self.lines = LineIndex::new(&self.text);
        }
        self.version = version;
    }

    pub fn range(&self, span: Span) -> Range {
        self.lines.range(&self.text, span)
    }

    pub fn offset(&self, pos: Position) -> usize {
        self.lines.offset(&self.text, pos)
    }

    /// The range of the whole text.
    pub fn full_range(&self) -> Range {
        self.range(Span::new(0, self.text.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn ascii_offsets_and_positions_agree() {
        let text = "policy \"p\"\ninput a : count\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(text, 0), pos(0, 0));
        assert_eq!(ix.position(text, 11), pos(1, 0));
        assert_eq!(ix.position(text, 17), pos(1, 6));
        assert_eq!(ix.offset(text, pos(1, 6)), 17);
        assert_eq!(ix.position(text, text.len()), pos(2, 0));
    }

    #[test]
    fn chinese_counts_one_unit_per_character() {
        // 询单人数: 4 characters, 12 bytes, 4 UTF-16 units.
        let text = "input inquiries \"询单人数\" : count\n";
        let ix = LineIndex::new(text);
        let colon = text.find(':').unwrap_or(0);
        assert_eq!(ix.position(text, colon), pos(0, 23));
        assert_eq!(ix.offset(text, pos(0, 23)), colon);
        // Inside a character: back to its start.
        let ren = text.find('人').unwrap_or(0);
        assert_eq!(ix.position(text, ren + 1), ix.position(text, ren));
    }

    #[test]
    fn astral_characters_count_two_units() {
        let text = "# 😀x\nlet";
        let ix = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(ix.position(text, x), pos(0, 4));
        assert_eq!(ix.offset(text, pos(0, 4)), x);
        // The middle of the surrogate pair is the character's start.
        assert_eq!(ix.offset(text, pos(0, 3)), 2);
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\r\ncd";
        let ix = LineIndex::new(text);
        assert_eq!(ix.offset(text, pos(0, 99)), 2);
        assert_eq!(ix.offset(text, pos(9, 0)), text.len());
        assert_eq!(ix.position(text, 999), pos(1, 2));
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut doc = Document::new("input 人数 : count\n".into(), 1);
        let change = |l1, c1, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(pos(l1, c1), pos(l2, c2))),
            range_length: None,
            text: t.into(),
        };
        doc.apply(
            vec![
                change(0, 6, 0, 8, "询单人数"),
                change(0, 11, 0, 12, "："),
                change(1, 0, 1, 0, "let x = 1"),
            ],
            2,
        );
        assert_eq!(doc.text, "input 询单人数 ： count\nlet x = 1");
        assert_eq!(doc.version, 2);
        assert_eq!(doc.lines.position(&doc.text, doc.text.len()), pos(1, 9));
    }
}
