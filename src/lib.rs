//! `kpi`: a declarative language for employee KPI policies.
//!
//! The pipeline is `syntax` (pest grammar → AST) → `check` (names, types
//! and units, static analysis → compiled [`ir::Program`]) → `eval` (exact
//! evaluation over a batch of records); `data` reads CSV/JSON records,
//! `report` builds explanations, diffs and what-ifs, `cli` is the `kpi`
//! binary. See README.md ("Architecture") for the code map and invariants.
//!
//! ```
//! use kpi::eval::{evaluate, format::show, num::Num, Row};
//! use kpi::ir::Value;
//! use kpi::types::Period;
//!
//! let src = r#"
//! policy "demo"
//! input tickets "日均问题单处理数" : number
//! item ratio_score = band tickets / team.avg(tickets) {
//!   >= 110% -> 10, <= 90% -> -10, else -> 0
//! }
//! "#;
//! let program = kpi::check::check(&kpi::syntax::parse(src).unwrap()).unwrap().program;
//! // A team whose average is 100/9: 10 is exactly 90 % of it.
//! let row = |e: &str, t: i64| {
//!     let period = Period::parse("2026-10").unwrap();
//!     Row::new(e, period, None, 0, vec![Value::Num(Num::int(t))])
//! };
//! let rows = vec![row("A", 10), row("B", 10), row("C", 10), row("D", 10), row("E", 10),
//!                 row("F", 10), row("G", 10), row("H", 10), row("I", 20)];
//! let ev = evaluate(&program, &rows, &Default::default(), None).unwrap();
//! let slot = program.outputs[0].slot;
//! let score = show(&ev.value(0, slot).unwrap(), &program.slots[slot].ty);
//! assert_eq!(score.as_text(), "-10");
//! ```
#![forbid(unsafe_code)]
// "Never panic" (README, Architecture): library code may not unwrap, expect
// or panic; tests may. Indexing is denied module by module (each module
// file says `deny(clippy::indexing_slicing)`), as is a wildcard arm over the
// IR's and the builtins' enums where they are matched.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented,
        clippy::unreachable
    )
)]

pub mod builtins;
pub mod check;
pub mod cli;
pub mod data;
pub mod diag;
pub mod eval;
pub mod ir;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod num;
pub mod packed;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod span;
pub mod sql;
mod stack;
pub mod syntax;
pub mod types;
