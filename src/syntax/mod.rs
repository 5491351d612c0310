//! Surface syntax: the pest grammar (`grammar/kpi.pest`) and the AST it
//! produces. Parsing is pure and never panics.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod ast;
mod error;
pub mod fmt;
mod parser;

pub use error::{Expect, Found, SyntaxError, SyntaxHint};
pub use parser::{narrow_digit, DEFAULT_TEST_PERIOD, MAX_DEPTH, MAX_SOURCE_BYTES};

/// Parses a policy; the error carries what was found at its position.
pub fn parse(src: &str) -> Result<ast::Policy, SyntaxError> {
    parser::parse_policy(src).map_err(|e| e.with_source(src))
}
