//! The library's reports as LSP diagnostics: the code (`kpi::…`), the
//! severity, the message with its help line, the primary label's range, and
//! the other labels as related information.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::analysis::Analysis;
use super::documents::Document;
use crate::diag::{Lang, Report};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};
use miette::Severity;

/// Every error and warning of a document, in `lang`.
pub fn of(uri: &Uri, doc: &Document, analysis: &Analysis, lang: Lang) -> Vec<Diagnostic> {
    let reports: Vec<Report> = match (&analysis.parsed, &analysis.checked) {
        (Err(e), _) => vec![e.report(lang)],
        (Ok(_), Some(Ok(c))) => c.warnings.iter().map(|w| w.report(lang)).collect(),
        (Ok(_), Some(Err(f))) => f
            .errors
            .iter()
            .map(|e| e.report(lang))
            .chain(f.warnings.iter().map(|w| w.report(lang)))
            .collect(),
        (Ok(_), None) => Vec::new(),
    };
    reports
        .iter()
        .map(|r| diagnostic(uri, doc, r, lang))
        .collect()
}

/// One report as a diagnostic.
pub fn diagnostic(uri: &Uri, doc: &Document, r: &Report, lang: Lang) -> Diagnostic {
    let (primary, rest) = match r.labels.split_first() {
        Some((p, rest)) => (Some(p), rest),
        None => (None, &[][..]),
    };
    let range = doc.range(primary.map(|(s, _)| *s).unwrap_or_default());
    let mut message = r.message.clone();
    if let Some((_, label)) = primary {
        if !label.is_empty() && !message.contains(label.as_str()) {
            message.push_str(&format!("\n{label}"));
        }
    }
    if let Some(help) = &r.help {
        message.push_str(&format!("\n{}{help}", lang.pick("help: ", "提示：")));
    }
    let related: Vec<DiagnosticRelatedInformation> = rest
        .iter()
        .map(|(span, label)| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), doc.range(*span)),
            message: if label.is_empty() {
                r.message.clone()
            } else {
                label.clone()
            },
        })
        .collect();
    Diagnostic {
        range,
        severity: Some(match r.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Advice => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(r.code.to_string())),
        code_description: None,
        source: Some("kpi".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
