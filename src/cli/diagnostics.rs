//! Rendering diagnostics: miette's graphical report for people, one JSON
//! object per diagnostic for editors and CI.

use super::Source;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, Severity};
use std::fmt;

/// Width used for rendered diagnostics (fixed, so output is reproducible).
pub const WIDTH: usize = 100;

/// Borrows a diagnostic and attaches the policy source to it.
struct WithSource<'a> {
    diag: &'a dyn Diagnostic,
    src: Option<NamedSource<String>>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.diag, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.diag.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.src.as_ref()?;
        self.diag.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
}

/// Renders a diagnostic as text (unicode, no colour, fixed width).
pub fn render_diagnostic(diag: &dyn Diagnostic, src: Option<&Source>) -> String {
    let wrapped = WithSource {
        diag,
        src: src.map(|s| NamedSource::new(s.path.clone(), s.text.clone())),
    };
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(WIDTH);
    let mut out = String::new();
    if handler.render_report(&mut out, &wrapped).is_err() {
        out = format!("{diag}\n");
    }
    out
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
