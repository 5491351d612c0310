//! Errors and warnings of the checker. The wording of every message lives
//! here; the checker only fills in data.

use crate::syntax::ast::Span;
use miette::Diagnostic;
use thiserror::Error;

/// Formats an optional "did you mean" suggestion as help text.
fn did_you_mean(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("did you mean `{s}`?"),
        None => String::new(),
    }
}

#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum CheckError {
    #[error("unknown name `{name}`")]
    #[diagnostic(code(kpi::unknown_name))]
    UnknownName {
        name: String,
        #[label("not declared in this policy")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("unknown type `{name}`")]
    #[diagnostic(code(kpi::unknown_type))]
    UnknownType {
        name: String,
        #[label("not a type")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("unknown function `{name}`")]
    #[diagnostic(code(kpi::unknown_function))]
    UnknownFunction {
        name: String,
        #[label("not a function")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{name}` is defined twice")]
    #[diagnostic(
        code(kpi::duplicate_definition),
        help("rename one of them; every input, value, item and output needs its own name")
    )]
    Duplicate {
        name: String,
        #[label("defined again here")]
        span: Span,
        #[label("first defined here")]
        first: Span,
    },

    #[error("level `{level}` is listed twice")]
    #[diagnostic(code(kpi::duplicate_level), help("remove the second `{level}`"))]
    DuplicateLevel {
        level: String,
        #[label("listed again here")]
        span: Span,
    },

    #[error("`{level}` is not a level of {ty}")]
    #[diagnostic(code(kpi::unknown_level))]
    UnknownLevel {
        level: String,
        ty: String,
        #[label("not one of the levels")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("cannot {verb} {left} and {right}")]
    #[diagnostic(code(kpi::unit_mismatch))]
    UnitMismatch {
        verb: &'static str,
        left: String,
        right: String,
        #[label("this is {left}")]
        left_span: Span,
        #[label("this is {right}")]
        right_span: Span,
        #[help]
        help: String,
    },

    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(kpi::type_mismatch))]
    TypeMismatch {
        expected: String,
        found: String,
        #[label("this is {found}")]
        span: Span,
        #[label("{expected} expected because of this")]
        because: Option<Span>,
        #[help]
        help: String,
    },

    #[error("band arms give different types: {first} and {found}")]
    #[diagnostic(code(kpi::arm_type_mismatch))]
    ArmTypeMismatch {
        first: String,
        found: String,
        #[label("this arm gives {found}")]
        span: Span,
        #[label("the first arm gives {first}")]
        first_span: Span,
        #[help]
        help: String,
    },

    #[error("this match does not cover {missing}")]
    #[diagnostic(code(kpi::match_not_exhaustive))]
    NotExhaustive {
        missing: String,
        #[label("missing {missing}")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{name}` depends on itself")]
    #[diagnostic(code(kpi::cyclic_definition))]
    Cycle {
        name: String,
        #[label("`{name}` is defined here")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{func}` takes {expected}, found {found} argument(s)")]
    #[diagnostic(code(kpi::wrong_arguments))]
    WrongArity {
        func: String,
        expected: &'static str,
        found: usize,
        #[label("called here")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("{what} must be a constant")]
    #[diagnostic(
        code(kpi::not_constant),
        help("write a literal such as `35%` or `¥500`, or the name of a `const`")
    )]
    NotConstant {
        what: &'static str,
        #[label("depends on record data")]
        span: Span,
    },

    #[error("{what}")]
    #[diagnostic(code(kpi::invalid))]
    Invalid {
        what: String,
        #[label("here")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("test `{test}`: {what}")]
    #[diagnostic(code(kpi::bad_test))]
    BadTest {
        test: String,
        what: String,
        #[label("here")]
        span: Span,
        #[help]
        help: Option<String>,
    },
}

impl CheckError {
    pub fn unknown_name(name: &str, span: Span, suggestion: Option<String>) -> CheckError {
        let help = suggestion.as_ref().map(|_| did_you_mean(&suggestion));
        CheckError::UnknownName {
            name: name.to_string(),
            span,
            help,
        }
    }
}

/// The closest candidate to `name`, if any is close enough to be a typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = strsim::levenshtein(name, c);
        let lower = strsim::levenshtein(&name.to_lowercase(), &c.to_lowercase());
        let d = d.min(lower);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}
