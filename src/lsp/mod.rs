//! `kpi lsp`: the language server, over stdio (lsp-server + lsp-types).
//!
//! One thread runs the loop below; lsp-server's threads only read and
//! write messages. Every feature reuses the library (parser, checker,
//! analysis, formatter) through a per-version [`analysis::Analysis`].
//! Diagnostics are debounced: changes that arrive while the editor is
//! typing are applied as they come, and the document is checked once they
//! pause. No request can take the server down: a handler returns a result
//! or an LSP error, and a bug that panics is answered as an internal error.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod analysis;
mod completion;
mod diagnostics;
mod documents;
mod formatting;
mod grammar;
mod hover;
mod navigation;
mod resolve;
mod symbols;
mod tokens;

use crate::cli::Exit;
use crate::diag::Lang;
use analysis::Analysis;
use documents::Document;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _, SemanticTokensFullRequest,
};
use lsp_types::*;
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long the editor must pause typing before a document is checked.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// The longest a changed document waits for its diagnostics while changes
/// keep coming.
const MAX_DELAY: Duration = Duration::from_millis(400);

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run() -> Exit {
    let (connection, io_threads) = Connection::stdio();
    let exit = serve(&connection);
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("kpi lsp: {e}");
        return Exit::Failure;
    }
    exit
}

/// The handshake and the main loop.
fn serve(connection: &Connection) -> Exit {
    let caps = match serde_json::to_value(capabilities()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kpi lsp: {e}");
            return Exit::Failure;
        }
    };
    let params = match connection.initialize(caps) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kpi lsp: {e}");
            return Exit::Failure;
        }
    };
    let lang = match params
        .pointer("/initializationOptions/lang")
        .and_then(Value::as_str)
    {
        Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        _ => Lang::from_env(),
    };
    let mut server = Server {
        connection,
        lang,
        docs: HashMap::new(),
        dirty: HashMap::new(),
    };
    server.main_loop()
}

/// What the server offers.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), ":".into(), "|".into(), "=".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: tokens::legend(),
                range: None,
                full: Some(SemanticTokensFullOptions::Bool(true)),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// An open document and what is known about it.
struct Open {
    doc: Document,
    /// The analysis of the current version, made when first needed.
    analysis: Option<Rc<Analysis>>,
    /// The last analysis whose text (at least partly) parsed: completion
    /// offers its names while the current text is too broken to read.
    last_good: Option<Rc<Analysis>>,
}

struct Server<'c> {
    connection: &'c Connection,
    lang: Lang,
    docs: HashMap<Uri, Open>,
    /// Documents changed since their diagnostics were published, with the
    /// time of the first such change.
    dirty: HashMap<Uri, Instant>,
}

/// A failed request: an LSP error code and a message.
type Failure = (ErrorCode, String);

impl Server<'_> {
    fn main_loop(&mut self) -> Exit {
        let connection = self.connection;
        loop {
            let msg = if self.dirty.is_empty() {
                match connection.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Exit::Failure,
                }
            } else {
                let overdue = self.dirty.values().any(|t| t.elapsed() >= MAX_DELAY);
                match connection.receiver.recv_timeout(if overdue {
                    Duration::ZERO
                } else {
                    DEBOUNCE
                }) {
                    Ok(m) => {
                        if overdue {
                            self.publish_dirty();
                        }
                        m
                    }
                    Err(e) if e.is_timeout() => {
                        self.publish_dirty();
                        continue;
                    }
                    Err(_) => return Exit::Failure,
                }
            };
            match msg {
                Message::Request(req) => {
                    match connection.handle_shutdown(&req) {
                        Ok(true) => return Exit::Success,
                        Ok(false) => {}
                        Err(e) => {
                            eprintln!("kpi lsp: {e}");
                            return Exit::Failure;
                        }
                    }
                    self.request(req);
                }
                Message::Notification(n) => {
                    if n.method == "exit" {
                        // `exit` without `shutdown` first.
                        return Exit::Failure;
                    }
                    let method = n.method.clone();
                    if catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                        eprintln!("kpi lsp: internal error handling {method}");
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, msg: Message) {
        // The writer thread only stops when the client is gone.
        let _ = self.connection.sender.send(msg);
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    let doc = Document::new(p.text_document.text, p.text_document.version);
                    let uri = p.text_document.uri;
                    self.docs.insert(
                        uri.clone(),
                        Open {
                            doc,
                            analysis: None,
                            last_good: None,
                        },
                    );
                    self.dirty.entry(uri).or_insert_with(Instant::now);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    if let Some(open) = self.docs.get_mut(&uri) {
                        open.doc.apply(p.content_changes, p.text_document.version);
                        if let Some(a) = open.analysis.take() {
                            if a.policy.is_some() {
                                open.last_good = Some(a);
                            }
                        }
                        self.dirty.entry(uri).or_insert_with(Instant::now);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.docs.remove(&uri);
                    self.dirty.remove(&uri);
                    self.publish(uri, Vec::new(), None);
                }
            }
            _ => {}
        }
    }

    /// Checks every changed document and publishes its diagnostics.
    fn publish_dirty(&mut self) {
        let uris: Vec<Uri> = self.dirty.drain().map(|(u, _)| u).collect();
        for uri in uris {
            let lang = self.lang;
            let found = catch_unwind(AssertUnwindSafe(|| {
                self.analysis(&uri)
                    .map(|(open, a)| (diagnostics::of(&uri, &open.doc, &a, lang), open.doc.version))
            }));
            match found {
                Ok(Some((diags, version))) => self.publish(uri, diags, Some(version)),
                Ok(None) => {}
                Err(_) => eprintln!("kpi lsp: internal error checking {}", uri.as_str()),
            }
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.into(),
            params,
        )));
    }

    /// The document and the analysis of its current version.
    fn analysis(&mut self, uri: &Uri) -> Option<(&Open, Rc<Analysis>)> {
        let open = self.docs.get_mut(uri)?;
        let a = match &open.analysis {
            Some(a) => a.clone(),
            None => {
                let a = Rc::new(Analysis::new(&open.doc.text));
                open.analysis = Some(a.clone());
                a
            }
        };
        Some((open, a))
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        let method = req.method.clone();
        let result = catch_unwind(AssertUnwindSafe(|| self.handle(req)));
        let response = match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("kpi lsp: internal error in {method}"),
            ),
        };
        self.send(Message::Response(response));
    }

    /// Answers one request.
    fn handle(&mut self, req: Request) -> Result<Value, Failure> {
        let lang = self.lang;
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let p: HoverParams = params(req.params)?;
                let pos = p.text_document_position_params;
                let (open, a) = self.document(&pos.text_document.uri)?;
                let offset = open.doc.offset(pos.position);
                json(hover::hover(&open.doc, &a, offset, lang))
            }
            GotoDefinition::METHOD => {
                let p: GotoDefinitionParams = params(req.params)?;
                let pos = p.text_document_position_params;
                let uri = pos.text_document.uri;
                let (open, a) = self.document(&uri)?;
                let offset = open.doc.offset(pos.position);
                json(
                    navigation::definition(&uri, &open.doc, &a, offset)
                        .map(GotoDefinitionResponse::Scalar),
                )
            }
            References::METHOD => {
                let p: ReferenceParams = params(req.params)?;
                let pos = p.text_document_position;
                let uri = pos.text_document.uri;
                let (open, a) = self.document(&uri)?;
                let offset = open.doc.offset(pos.position);
                let include = p.context.include_declaration;
                json(navigation::references(&uri, &open.doc, &a, offset, include))
            }
            PrepareRenameRequest::METHOD => {
                let p: TextDocumentPositionParams = params(req.params)?;
                let (open, a) = self.document(&p.text_document.uri)?;
                let offset = open.doc.offset(p.position);
                navigation::prepare_rename(&open.doc, &a, offset, lang)
                    .map_err(|m| (ErrorCode::RequestFailed, m))
                    .and_then(json)
            }
            Rename::METHOD => {
                let p: RenameParams = params(req.params)?;
                let pos = p.text_document_position;
                let uri = pos.text_document.uri;
                let (open, a) = self.document(&uri)?;
                let offset = open.doc.offset(pos.position);
                navigation::rename(&uri, &open.doc, &a, offset, &p.new_name, lang)
                    .map_err(|m| (ErrorCode::RequestFailed, m))
                    .and_then(json)
            }
            Completion::METHOD => {
                let p: CompletionParams = params(req.params)?;
                let pos = p.text_document_position;
                let (open, a) = self.document(&pos.text_document.uri)?;
                let offset = open.doc.offset(pos.position);
                let index = match (&a.policy, &open.last_good) {
                    (None, Some(good)) => &good.index,
                    _ => &a.index,
                };
                let items = completion::complete(&open.doc.text, index, offset, lang);
                json(CompletionResponse::Array(items))
            }
            Formatting::METHOD => {
                let p: DocumentFormattingParams = params(req.params)?;
                let (open, _) = self.document(&p.text_document.uri)?;
                formatting::format(&open.doc, lang)
                    .map_err(|m| (ErrorCode::RequestFailed, m))
                    .and_then(json)
            }
            SemanticTokensFullRequest::METHOD => {
                let p: SemanticTokensParams = params(req.params)?;
                let (open, a) = self.document(&p.text_document.uri)?;
                json(SemanticTokensResult::Tokens(tokens::semantic_tokens(
                    &open.doc, &a,
                )))
            }
            DocumentSymbolRequest::METHOD => {
                let p: DocumentSymbolParams = params(req.params)?;
                let (open, a) = self.document(&p.text_document.uri)?;
                json(DocumentSymbolResponse::Nested(symbols::outline(
                    &open.doc, &a,
                )))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("kpi lsp does not handle {other}"),
            )),
        }
    }

    /// An open document, or an error for a request about another one.
    fn document(&mut self, uri: &Uri) -> Result<(&Open, Rc<Analysis>), Failure> {
        let lang = self.lang;
        self.analysis(uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                match lang {
                    Lang::En => format!("{} is not open", uri.as_str()),
                    Lang::Zh => format!("{} 未打开", uri.as_str()),
                },
            )
        })
    }
}

/// A request's parameters, or an `InvalidParams` error.
fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, Failure> {
    serde_json::from_value(v).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

/// A result as JSON.
fn json<T: serde::Serialize>(v: T) -> Result<Value, Failure> {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every feature on many prefixes of a seed policy (what an editor sees
    /// while the policy is typed): nothing panics.
    #[test]
    fn every_feature_survives_half_typed_text() {
        let src = include_str!("../../policies/presales_team.kpi");
        let uri: Uri = "file:///t.kpi".parse().unwrap_or_else(|_| panic!("uri"));
        let mut end = 0;
        while end < src.len() {
            end = (end + 37).min(src.len());
            while !src.is_char_boundary(end) {
                end += 1;
            }
            let doc = Document::new(src[..end].to_string(), 1);
            let a = Analysis::new(&doc.text);
            let at = end.saturating_sub(1);
            let _ = diagnostics::of(&uri, &doc, &a, Lang::En);
            let _ = hover::hover(&doc, &a, at, Lang::Zh);
            let _ = navigation::definition(&uri, &doc, &a, at);
            let _ = navigation::references(&uri, &doc, &a, at, true);
            let _ = navigation::rename(&uri, &doc, &a, at, "新名字", Lang::En);
            let _ = completion::complete(&doc.text, &a.index, end, Lang::En);
            let _ = tokens::semantic_tokens(&doc, &a);
            let _ = symbols::outline(&doc, &a);
            let _ = formatting::format(&doc, Lang::En);
        }
    }
}
