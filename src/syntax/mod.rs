//! Surface syntax: the pest grammar (`grammar/kpi.pest`) and the AST it
//! produces. Parsing is pure and never panics.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod ast;
mod error;
pub mod fmt;
mod parser;

pub use error::{Expect, Found, Nesting, SyntaxError, SyntaxHint};
pub use parser::{narrow_digit, DEFAULT_TEST_PERIOD, MAX_DEPTH, MAX_SOURCE_BYTES, MAX_TREE_DEPTH};

/// Parses a policy; the error carries what was found at its position.
///
/// Runs on a stack of its own ([`crate::stack::on_big_stack`]): the
/// deepest policy accepted parses on any caller's thread.
pub fn parse(src: &str) -> Result<ast::Policy, SyntaxError> {
    crate::stack::on_big_stack(|| parser::parse_policy(src)).map_err(|e| e.with_source(src))
}
