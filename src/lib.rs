//! `kpi`: a declarative language for employee KPI policies.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod data;
pub mod diag;
pub mod eval;
pub mod ir;
pub mod report;
pub mod syntax;
pub mod types;
