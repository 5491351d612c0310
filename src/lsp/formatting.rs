//! Formatting: `kpi fmt` on the editor's text, as one edit of the whole
//! document (none when it is already formatted).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::documents::Document;
use crate::diag::Lang;
use crate::syntax::fmt::format_policy;
use lsp_types::TextEdit;

/// The edits that format a document, or why it cannot be formatted.
pub fn format(doc: &Document, lang: Lang) -> Result<Vec<TextEdit>, String> {
    match format_policy(&doc.text) {
        Ok(formatted) if formatted == doc.text => Ok(Vec::new()),
        Ok(formatted) => Ok(vec![TextEdit::new(doc.full_range(), formatted)]),
        Err(e) => {
            let r = e.report(lang);
            let line = r
                .labels
                .first()
                .map(|(s, _)| doc.range(*s).start.line + 1)
                .unwrap_or(1);
            Err(match lang {
                Lang::En => format!("cannot format: line {line}: {}", r.message),
                Lang::Zh => format!("无法格式化：第 {line} 行：{}", r.message),
            })
        }
    }
}
