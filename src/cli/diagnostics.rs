//! Rendering diagnostics: miette's graphical report for people, one JSON
//! object per diagnostic for editors and CI.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::Source;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, Severity, SourceCode, SourceSpan, SpanContents,
};
use std::borrow::Cow;
use std::fmt;

/// Width used for rendered diagnostics (fixed, so output is reproducible).
pub const WIDTH: usize = 100;

/// Source lines longer than this (in characters) are shown cut around the
/// labels: miette cannot place a label past column 65 535, and nobody
/// wants a megabyte-long line echoed.
const MAX_LINE_CHARS: usize = 300;
/// Characters kept on each side of a label's start and end in a cut line.
const CUT_CONTEXT: usize = 40;
/// A word (no white space) longer than this in a message, label or help is
/// shown by its two ends.
const MAX_WORD_CHARS: usize = 80;
/// A message, label or help longer than this is shown by its two ends.
const MAX_TEXT_CHARS: usize = 2000;
/// What stands for the text left out.
const ELLIPSIS: &str = "…";

/// A diagnostic made ready for miette: texts cut to a readable length,
/// labels on the source (or on its [`Excerpt`]).
struct Prepared<'a> {
    message: String,
    code: Option<String>,
    severity: Option<Severity>,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    src: Option<Shown<'a>>,
}

/// The source text miette reads.
enum Shown<'a> {
    Whole(WholeSource),
    Cut(Excerpt<'a>),
}

/// The whole source, with the header's column in characters (miette
/// counts bytes, so `得分 = foo` would put `foo` at column 9, not 6), the
/// way `--format json` and editors count.
struct WholeSource {
    name: String,
    inner: NamedSource<String>,
}

impl SourceCode for WholeSource {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let c = self.inner.inner().as_str().read_span(
            span,
            context_lines_before,
            context_lines_after,
        )?;
        let column = if context_lines_before == 0 {
            let text = self.inner.inner().as_str();
            let before = text.get(..c.span().offset()).unwrap_or("");
            let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            before.get(line_start..).map_or(0, |l| l.chars().count())
        } else {
            c.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line(),
            column,
            c.line_count(),
        )))
    }
}

impl fmt::Debug for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Prepared<'_> {}

impl Diagnostic for Prepared<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display + 'b>)
    }
    fn severity(&self) -> Option<Severity> {
        self.severity
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.src.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self.src.as_ref()? {
            Shown::Whole(s) => Some(s),
            Shown::Cut(e) => Some(e),
        }
    }
}

/// Renders a diagnostic as text (unicode, no colour, fixed width). Long
/// source lines are cut around the labels (the header still names the
/// line and the column, in characters, of the primary label) and very long
/// words in the texts are shortened, so that rendering never fails and
/// never echoes a huge line.
pub fn render_diagnostic(diag: &dyn Diagnostic, src: Option<&Source>) -> String {
    let prepared = prepare(diag, src);
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(WIDTH);
    let mut out = String::new();
    if handler.render_report(&mut out, &prepared).is_err() {
        out = plain(&prepared, src);
    }
    out
}

/// The diagnostic's texts and labels, ready for miette.
fn prepare<'a>(diag: &dyn Diagnostic, src: Option<&'a Source>) -> Prepared<'a> {
    let labels: Vec<LabeledSpan> = match src {
        Some(_) => diag.labels().map(|l| l.collect()).unwrap_or_default(),
        None => Vec::new(),
    };
    let labels: Vec<LabeledSpan> = labels
        .into_iter()
        .map(|l| {
            let text = l.label().map(|t| shorten(t).into_owned());
            relabel(&l, text, *l.inner())
        })
        .collect();
    let (labels, shown) = match src {
        None => (labels, None),
        Some(s) => {
            let points: Vec<usize> = labels
                .iter()
                .flat_map(|l| [l.offset(), l.offset().saturating_add(l.len())])
                .collect();
            match Excerpt::new(&s.path, &s.text, &points) {
                None => (
                    labels,
                    Some(Shown::Whole(WholeSource {
                        name: s.path.clone(),
                        inner: NamedSource::new(s.path.clone(), s.text.clone()),
                    })),
                ),
                Some(e) => {
                    let labels = labels
                        .iter()
                        .map(|l| {
                            let start = e.to_cut(l.offset());
                            let end = e.to_cut(l.offset().saturating_add(l.len()));
                            let span = SourceSpan::new(start.into(), end.saturating_sub(start));
                            relabel(l, l.label().map(str::to_string), span)
                        })
                        .collect();
                    (labels, Some(Shown::Cut(e)))
                }
            }
        }
    };
    Prepared {
        message: shorten(&diag.to_string()).into_owned(),
        code: diag.code().map(|c| c.to_string()),
        severity: diag.severity(),
        help: diag.help().map(|h| shorten(&h.to_string()).into_owned()),
        labels,
        src: shown,
    }
}

/// `l` with another text and span, primary if `l` is.
fn relabel(l: &LabeledSpan, text: Option<String>, span: SourceSpan) -> LabeledSpan {
    if l.primary() {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

/// The last resort if miette fails: `× message`, `file:line:col: label`
/// per label, then the help.
fn plain(d: &Prepared<'_>, src: Option<&Source>) -> String {
    let mut out = match &d.code {
        Some(c) => format!("{c}\n\n  × {}\n", d.message),
        None => format!("  × {}\n", d.message),
    };
    if let (Some(s), Some(shown)) = (src, &d.src) {
        for l in &d.labels {
            let offset = match shown {
                Shown::Whole(_) => l.offset(),
                Shown::Cut(e) => e.to_source(l.offset()),
            };
            let (line, col) = line_col(&s.text, offset);
            out.push_str(&format!(
                "  {}:{line}:{col}: {}\n",
                s.path,
                l.label().unwrap_or("")
            ));
        }
    }
    if let Some(h) = &d.help {
        out.push_str(&format!("  help: {h}\n"));
    }
    out
}

/// `text` with each word longer than [`MAX_WORD_CHARS`] cut to its two
/// ends, and the whole cut likewise past [`MAX_TEXT_CHARS`].
fn shorten(text: &str) -> Cow<'_, str> {
    let long_word = text
        .split(char::is_whitespace)
        .any(|w| w.len() > MAX_WORD_CHARS && chars_over(w, MAX_WORD_CHARS));
    let text: Cow<'_, str> = if long_word {
        let mut out = String::new();
        let mut word = String::new();
        for c in text.chars() {
            if c.is_whitespace() {
                out.push_str(&ends(&word, MAX_WORD_CHARS));
                word.clear();
                out.push(c);
            } else {
                word.push(c);
            }
        }
        out.push_str(&ends(&word, MAX_WORD_CHARS));
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    };
    if text.len() > MAX_TEXT_CHARS && chars_over(&text, MAX_TEXT_CHARS) {
        Cow::Owned(ends(&text, MAX_TEXT_CHARS).into_owned())
    } else {
        text
    }
}

/// Whether `s` has more than `n` characters (counting no further).
fn chars_over(s: &str, n: usize) -> bool {
    s.chars().nth(n).is_some()
}

/// `s` if it has at most `max` characters, else its first and last
/// `max / 2` characters around an ellipsis.
fn ends(s: &str, max: usize) -> Cow<'_, str> {
    if !chars_over(s, max) {
        return Cow::Borrowed(s);
    }
    let half = max / 2;
    let head_end = s.char_indices().nth(half).map_or(s.len(), |(i, _)| i);
    let tail_start = s
        .char_indices()
        .rev()
        .nth(half.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let head = s.get(..head_end).unwrap_or("");
    let tail = s.get(tail_start.max(head_end)..).unwrap_or("");
    Cow::Owned(format!("{head}{ELLIPSIS}{tail}"))
}

/// A piece of the source kept in an [`Excerpt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    /// Where it starts in the source.
    source: usize,
    /// Where it starts in the excerpt.
    cut: usize,
    len: usize,
}

/// The source with every line longer than [`MAX_LINE_CHARS`] cut to the
/// text around the labels' ends ([`CUT_CONTEXT`] characters on each side)
/// or, without a label, to its beginning; [`ELLIPSIS`] stands for what is
/// left out. Line breaks are all kept, so line numbers do not change; the
/// column miette shows in the header is recomputed on the source, in
/// characters.
#[derive(Debug)]
struct Excerpt<'a> {
    name: String,
    source: &'a str,
    text: String,
    /// In order, both in the source and in the excerpt.
    pieces: Vec<Piece>,
}

impl<'a> Excerpt<'a> {
    /// `None` when no line of `source` is too long.
    fn new(name: &str, source: &'a str, points: &[usize]) -> Option<Excerpt<'a>> {
        let lines = line_ranges(source);
        let long = |&(a, b): &(usize, usize)| {
            b - a > MAX_LINE_CHARS && chars_over(source.get(a..b).unwrap_or(""), MAX_LINE_CHARS)
        };
        if !lines.iter().any(long) {
            return None;
        }
        let mut points: Vec<usize> = points.iter().map(|&p| floor_boundary(source, p)).collect();
        points.sort_unstable();
        let mut e = Excerpt {
            name: name.to_string(),
            source,
            text: String::new(),
            pieces: Vec::new(),
        };
        // Kept ranges of the source, in order; the gaps become ellipses.
        let mut kept: Vec<(usize, usize)> = Vec::new();
        let mut from = 0;
        for range in &lines {
            let &(a, b) = range;
            if !long(range) {
                continue;
            }
            kept.push((from, a));
            let at = points.partition_point(|&p| p < a);
            let mut windows: Vec<(usize, usize)> = points
                .get(at..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&p| p <= b)
                .map(|&p| {
                    (
                        back(source, a, p, CUT_CONTEXT),
                        ahead(source, p, b, CUT_CONTEXT),
                    )
                })
                .collect();
            if windows.is_empty() {
                windows.push((a, ahead(source, a, b, 2 * CUT_CONTEXT)));
            }
            for w in windows {
                match kept.last_mut() {
                    Some(last) if w.0 <= last.1 => last.1 = last.1.max(w.1),
                    _ => kept.push(w),
                }
            }
            from = b;
        }
        kept.push((from, source.len()));
        for (a, b) in kept {
            if a >= b {
                continue;
            }
            if e.pieces.last().is_some_and(|p| p.source + p.len < a)
                || (e.pieces.is_empty() && a > 0)
            {
                e.text.push_str(ELLIPSIS);
            }
            e.pieces.push(Piece {
                source: a,
                cut: e.text.len(),
                len: b - a,
            });
            e.text.push_str(source.get(a..b).unwrap_or(""));
        }
        if e.pieces
            .last()
            .is_some_and(|p| p.source + p.len < source.len())
        {
            e.text.push_str(ELLIPSIS);
        }
        Some(e)
    }

    /// Where a source offset is in the excerpt (a left-out offset: at the
    /// ellipsis that stands for it).
    fn to_cut(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.source <= offset);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(p) => p.cut + (offset - p.source).min(p.len),
            None => 0,
        }
    }

    /// Where an excerpt offset is in the source (inside an ellipsis: the
    /// end of the piece before it).
    fn to_source(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.cut <= offset);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(p) => p.source + (offset - p.cut).min(p.len),
            None => 0,
        }
    }
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let c = self
            .text
            .as_str()
            .read_span(span, context_lines_before, context_lines_after)?;
        // Without context the column is the label's own (shown in the
        // header): count it on the source, in characters.
        let column = if context_lines_before == 0 {
            let at = self.to_source(c.span().offset());
            let before = self.source.get(..at).unwrap_or("");
            let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            before.get(line_start..).map_or(0, |l| l.chars().count())
        } else {
            c.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line(),
            column,
            c.line_count(),
        )))
    }
}

/// The lines of `s` as byte ranges without their breaks; `\r` and `\n`
/// both end a line, as for miette.
fn line_ranges(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'\n' || b == b'\r' {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, s.len()));
    out
}

/// `p` moved back to a character boundary of `s` (and into it).
fn floor_boundary(s: &str, p: usize) -> usize {
    let mut p = p.min(s.len());
    while !s.is_char_boundary(p) {
        p -= 1;
    }
    p
}

/// The offset `n` characters before `p`, not before `start`.
fn back(s: &str, start: usize, p: usize, n: usize) -> usize {
    s.get(start..p)
        .and_then(|t| t.char_indices().rev().nth(n.saturating_sub(1)))
        .map_or(start, |(i, _)| start + i)
}

/// The offset `n` characters after `p`, not after `end`.
fn ahead(s: &str, p: usize, end: usize, n: usize) -> usize {
    s.get(p..end)
        .and_then(|t| t.char_indices().nth(n))
        .map_or(end, |(i, _)| p + i)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// One diagnostic as a JSON object: code, severity, message, file, spans.
pub fn render_json_diagnostic(diag: &dyn Diagnostic, src: Option<&Source>) -> serde_json::Value {
    let severity = match diag.severity().unwrap_or(Severity::Error) {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "advice",
    };
    // The first label is the primary span unless one is marked.
    let spans: Vec<miette::LabeledSpan> = diag.labels().map(|ls| ls.collect()).unwrap_or_default();
    let marked = spans.iter().any(|l| l.primary());
    let labels: Vec<serde_json::Value> = Some(spans.into_iter().enumerate())
        .map(|ls| {
            ls.map(|(i, l)| {
                let start = l.offset();
                let end = start + l.len();
                let (line, column, end_line, end_column) = match src {
                    Some(s) => {
                        let (a, b) = line_col(&s.text, start);
                        let (c, d) = line_col(&s.text, end);
                        (a, b, c, d)
                    }
                    None => (0, 0, 0, 0),
                };
                serde_json::json!({
                    "label": l.label(),
                    "primary": l.primary() || (!marked && i == 0),
                    "start": start, "end": end,
                    "line": line, "column": column, "end_line": end_line, "end_column": end_column,
                })
            })
            .collect()
        })
        .unwrap_or_default();
    serde_json::json!({
        "code": diag.code().map(|c| c.to_string()),
        "severity": severity,
        "message": diag.to_string(),
        "file": src.map(|s| s.path.clone()),
        "labels": labels,
        "help": diag.help().map(|h| h.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Report;
    use crate::syntax::ast::Span;

    fn source(text: String) -> Source {
        Source {
            path: "p.kpi".into(),
            text,
        }
    }

    fn report(labels: Vec<(Span, String)>) -> Report {
        Report::error("kpi::test", "something".into(), labels, Some("help".into()))
    }

    #[test]
    fn a_label_past_column_65535_is_shown_in_a_cut_line() {
        let src = source(format!("policy \"p\"{}@\nnext\n", " ".repeat(65_540)));
        let at = src.text.find('@').unwrap();
        let r = report(vec![(Span::new(at, at + 1), "here".into())]);
        let out = render_diagnostic(&r, Some(&src));
        assert!(out.contains("[p.kpi:1:65551]"), "{out}");
        assert!(out.contains("… "), "{out}");
        assert!(out.contains("@\n"), "{out}");
        assert!(out.contains("╰── here"), "{out}");
        assert!(out.contains(" 2 │ next"), "{out}");
        assert!(out.len() < 2_000, "{out}");
    }

    #[test]
    fn columns_of_cut_lines_are_counted_in_characters() {
        let src = source(format!("{}x = 1\n", "退".repeat(70_000)));
        let at = src.text.find('x').unwrap();
        let r = report(vec![(Span::new(at, at + 1), "x".into())]);
        let out = render_diagnostic(&r, Some(&src));
        assert!(out.contains("[p.kpi:1:70001]"), "{out}");
    }

    #[test]
    fn short_lines_are_rendered_as_they_are() {
        let text = "policy \"p\"\nitem s = a + b\n".to_string();
        assert!(Excerpt::new("p.kpi", &text, &[20, 21]).is_none());
        let src = source(text);
        let r = report(vec![(Span::new(20, 21), "b".into())]);
        let out = render_diagnostic(&r, Some(&src));
        assert!(out.contains("[p.kpi:2:10]"), "{out}");
        assert!(out.contains(" 2 │ item s = a + b\n"), "{out}");
    }

    #[test]
    fn an_excerpt_keeps_every_line_and_the_text_around_the_labels() {
        let long = "a".repeat(1_000);
        let text = format!("short\n{long}X{long}\r\nshort again\n{long}\n");
        let x = text.find('X').unwrap();
        let e = Excerpt::new("p.kpi", &text, &[x, x + 1]).unwrap();
        // `lines` takes `\r\n` as one break.
        assert_eq!(e.text.lines().count(), text.lines().count());
        assert_eq!(e.text.matches('\r').count(), 1);
        let lines: Vec<&str> = e.text.lines().collect();
        assert_eq!(lines[0], "short");
        assert_eq!(
            lines[1],
            format!("…{}X{}…", "a".repeat(CUT_CONTEXT), "a".repeat(CUT_CONTEXT))
        );
        assert_eq!(lines[2], "short again");
        assert_eq!(lines[3], format!("{}…", "a".repeat(2 * CUT_CONTEXT)));
        // Kept offsets map both ways.
        let cut = e.to_cut(x);
        assert_eq!(e.text.get(cut..cut + 1), Some("X"));
        assert_eq!(e.to_source(cut), x);
        assert_eq!(e.to_source(e.to_cut(0)), 0);
        // A left-out offset maps to the ellipsis that stands for it.
        let gap = e.to_cut(3_000);
        assert_eq!(e.text.get(gap..gap + ELLIPSIS.len()), Some(ELLIPSIS));
    }

    #[test]
    fn long_words_in_texts_are_shown_by_their_ends() {
        let name = format!("a{}z", "y".repeat(1_000_000));
        let text = format!("unknown name `{name}` here");
        let short = shorten(&text);
        assert!(short.starts_with("unknown name `ayyy"), "{short}");
        assert!(short.ends_with("yyyz` here"), "{short}");
        assert!(short.contains(ELLIPSIS));
        assert!(short.chars().count() < 100, "{short}");
        assert_eq!(shorten("short text"), "short text");
        let many = "word ".repeat(1_000);
        assert!(shorten(&many).chars().count() <= MAX_TEXT_CHARS + 1);
    }
}
