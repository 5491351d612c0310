//! `table` and `fn` declarations: each body is checked once, with its
//! parameters typed as declared, then every use is inlined: the body with
//! the parameters replaced by the arguments (expressions are pure, so this
//! is exactly applying the function). Analysis, explanations and editors
//! find the declaration again from the spans the inlined body keeps.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::expr::Lowered;
use super::{Checker, Def, FnScope, FnState};
use crate::builtins::Arity;
use crate::check::error::{CheckError, Problem};
use crate::ir::*;
use crate::syntax::ast::{self, Arg, Decl, Span};
use crate::types::Ty;

impl Checker<'_> {
    /// Lowers the function `fi` if not done yet; `None` if it failed (its
    /// errors are reported once, at the declaration).
    pub(super) fn resolve_fn(&mut self, fi: usize) -> Option<UserFn> {
        match self.functions.get(fi).cloned()? {
            FnState::Done(f) => Some(f),
            FnState::Failed => None,
            FnState::InProgress(_) => {
                let start = self.fn_stack.iter().position(|f| *f == fi).unwrap_or(0);
                let on_cycle: Vec<usize> = self.fn_stack.iter().skip(start).copied().collect();
                let members = on_cycle
                    .iter()
                    .filter_map(|f| match self.functions.get(*f) {
                        Some(FnState::InProgress(di)) => self
                            .policy
                            .decls
                            .get(*di)
                            .map(|d| (d.name().name.clone(), d.name().span)),
                        _ => None,
                    })
                    .collect();
                self.errors.push(CheckError::Cycle { members });
                for f in on_cycle {
                    if let Some(s) = self.functions.get_mut(f) {
                        *s = FnState::Failed;
                    }
                }
                None
            }
            FnState::Pending(di) => {
                self.set_fn(fi, FnState::InProgress(di));
                self.fn_stack.push(fi);
                // A function body never sees the slot being lowered.
                let outer = std::mem::take(&mut self.current);
                let built = self.lower_fn(fi, di);
                self.current = outer;
                self.fn_stack.pop();
                if matches!(self.functions.get(fi), Some(FnState::Failed)) {
                    return None;
                }
                match built {
                    Some(f) => {
                        self.set_fn(fi, FnState::Done(f.clone()));
                        Some(f)
                    }
                    None => {
                        self.set_fn(fi, FnState::Failed);
                        None
                    }
                }
            }
        }
    }

    fn set_fn(&mut self, fi: usize, state: FnState) {
        if let Some(s) = self.functions.get_mut(fi) {
            *s = state;
        }
    }

    fn lower_fn(&mut self, fi: usize, di: usize) -> Option<UserFn> {
        let policy = self.policy;
        let Some(Decl::Fn(d)) = policy.decls.get(di) else {
            return None;
        };
        let first = self.inputs.len() + self.fn_offsets.get(fi).copied().unwrap_or(0);
        let mut params = Vec::new();
        let mut scope = Vec::new();
        let mut ok = true;
        let mut seen: Vec<&ast::Ident> = Vec::new();
        for (i, p) in d.params.iter().enumerate() {
            if let Some(prev) = seen.iter().find(|s| s.name == p.name.name) {
                self.errors.push(CheckError::Duplicate {
                    name: p.name.name.clone(),
                    span: p.name.span,
                    first: prev.span,
                });
                ok = false;
            }
            seen.push(&p.name);
            let Some(ty) = self.type_expr(&p.ty) else {
                ok = false;
                continue;
            };
            let range = p
                .range
                .as_ref()
                .and_then(|r| self.declared_range(&p.name.name, &ty, r));
            params.push(Field {
                id: p.name.name.clone(),
                label: None,
                aliases: Vec::new(),
                ty: ty.clone(),
                range,
                default: None,
                span: p.span,
            });
            scope.push((p.name.name.clone(), first + i, ty));
        }
        let want = self.type_expr(&d.ty);
        if !ok {
            return None;
        }
        self.scopes.push(FnScope {
            name: d.name.name.clone(),
            params: scope,
        });
        let body = self.expr(&d.body, want.as_ref());
        self.scopes.pop();
        let (body, ty) = body?;
        let ty = self.assign(&want?, &ty, d.body.span, Some(d.ty.span()))?;
        Some(UserFn {
            name: d.name.name.clone(),
            table: d.table,
            params,
            first_param: first,
            ty,
            body,
            span: d.span,
        })
    }

    /// A name inside a function body: a parameter, or `None` when not in a
    /// body or not a parameter.
    pub(super) fn param(&self, n: &str) -> Option<(usize, Ty)> {
        let scope = self.scopes.last()?;
        scope
            .params
            .iter()
            .find(|(p, _, _)| p == n)
            .map(|(_, i, t)| (*i, t.clone()))
    }

    /// Inside a function body only parameters, constants and other
    /// functions may be used: reports `name` (read at `span`) otherwise.
    pub(super) fn pure_read(&mut self, def: Def, name: &str, span: Span) -> bool {
        let Some(scope) = self.scopes.last() else {
            return true;
        };
        let allowed = match def {
            Def::Slot(s) => {
                matches!(
                    self.states.get(s),
                    Some(super::SlotState::Pending(di) | super::SlotState::InProgress(di))
                        if matches!(self.policy.decls.get(*di), Some(Decl::Const(_)))
                ) || self.consts.contains_key(&s)
            }
            Def::Fn(_) => true,
            Def::Input(_) | Def::Context(_) => false,
        };
        if !allowed {
            let func = scope.name.clone();
            self.errors.push(CheckError::Invalid {
                problem: Problem::NotPure {
                    func,
                    name: name.to_string(),
                },
                span,
            });
        }
        allowed
    }

    /// Team and history functions need a record's neighbours: not inside
    /// a function body.
    pub(super) fn pure_call(&mut self, name: &str, span: Span) -> bool {
        let Some(scope) = self.scopes.last() else {
            return true;
        };
        let func = scope.name.clone();
        self.errors.push(CheckError::Invalid {
            problem: Problem::NotPure {
                func,
                name: format!("{name}(…)"),
            },
            span,
        });
        false
    }

    /// `place_prize(rank_amount)`: the arguments checked against the
    /// parameters' types, then the body with the parameters replaced.
    pub(super) fn user_call(
        &mut self,
        fi: usize,
        func: &ast::Ident,
        args: &[Arg],
        span: Span,
    ) -> Lowered {
        if let Some(Arg::Order(_, ospan)) = args.iter().find(|a| matches!(a, Arg::Order(..))) {
            self.errors.push(CheckError::Invalid {
                problem: Problem::NoOrder {
                    func: func.name.clone(),
                },
                span: *ospan,
            });
            return None;
        }
        let f = self.resolve_fn(fi)?;
        if args.len() != f.params.len() {
            self.errors.push(CheckError::WrongArity {
                func: func.name.clone(),
                expected: Arity::Exactly(f.params.len()),
                found: args.len(),
                span,
            });
            return None;
        }
        let mut values = Vec::new();
        let mut ok = true;
        for (a, p) in args.iter().zip(&f.params) {
            let Arg::Expr(e) = a else { continue };
            match self.expr(e, Some(&p.ty)) {
                Some((v, vt)) => {
                    ok &= self.assign(&p.ty, &vt, e.span, Some(p.span)).is_some();
                    values.push(v);
                }
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some((f.body.substitute(f.first_param, &values), f.ty))
    }

    /// A function's name used as a value (`place_prize` without arguments).
    pub(super) fn fn_as_value(&mut self, name: &str, span: Span) -> Lowered {
        self.errors.push(CheckError::Invalid {
            problem: Problem::NotCalled {
                name: name.to_string(),
            },
            span,
        });
        None
    }
}
