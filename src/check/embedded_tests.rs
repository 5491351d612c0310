//! Resolving embedded tests (L15) against the policy's inputs and outputs.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{Checker, Def};
use crate::check::error::{suggest, CheckError, ConstUse, TestTarget};
use crate::check::lint::Lint;
use crate::ir::{TestCase, TestRecord, Value};
use crate::syntax::ast::{Assignment, TestDecl};
use crate::types::Ty;

impl Checker<'_> {
    pub(crate) fn test_case(&mut self, t: &TestDecl) {
        let mut contexts = Vec::new();
        for c in &t.contexts {
            let values = self.assignments(t, &c.values, TestTarget::Context);
            contexts.push((
                c.period,
                values.into_iter().map(|(i, v, _)| (i, v)).collect(),
            ));
        }
        let mut rows = Vec::new();
        let context_missing: Vec<String> = self
            .context
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                f.default.is_none()
                    && !contexts.iter().any(|(_, vals): &(_, Vec<(usize, Value)>)| {
                        vals.iter().any(|(j, _)| j == i)
                    })
            })
            .map(|(_, f)| f.id.clone())
            .collect();
        if !context_missing.is_empty() && !t.rows.is_empty() {
            self.warnings.push(Lint::TestInputMissing {
                test: t.name.value.clone(),
                names: context_missing,
                span: t.name.span,
            });
        }
        for r in &t.rows {
            let given = self.assignments(t, &r.given, TestTarget::Input);
            // §3.1: an input without a default must be given, or `kpi test`
            // fails on it; say so now.
            let missing: Vec<String> = self
                .inputs
                .iter()
                .enumerate()
                .filter(|(i, f)| {
                    f.default.is_none()
                        && !given.iter().any(|(j, _, _)| j == i)
                        && !r.given.iter().any(|a| a.name.name == f.id)
                })
                .map(|(_, f)| f.id.clone())
                .collect();
            if !missing.is_empty() {
                self.warnings.push(Lint::TestInputMissing {
                    test: t.name.value.clone(),
                    names: missing,
                    span: r.span,
                });
            }
            let expect = self.assignments(t, &r.expect, TestTarget::Output);
            rows.push(TestRecord {
                employee: r.employee.clone(),
                period: r.period,
                team: r.team.clone(),
                given,
                expect,
                span: r.span,
            });
        }
        self.tests.push(TestCase {
            name: t.name.value.clone(),
            span: t.span,
            rows,
            contexts,
        });
    }

    fn assignments(
        &mut self,
        t: &TestDecl,
        list: &[Assignment],
        target: TestTarget,
    ) -> Vec<(usize, Value, crate::syntax::ast::Span)> {
        let mut out = Vec::new();
        for a in list {
            let name = a.name.name.as_str();
            let found: Option<(usize, Ty)> = match target {
                TestTarget::Input => match self.names.get(name) {
                    Some(Def::Input(i)) => self.inputs.get(*i).map(|f| (*i, f.ty.clone())),
                    _ => None,
                },
                TestTarget::Context => match self.names.get(name) {
                    Some(Def::Context(i)) => self.context.get(*i).map(|f| (*i, f.ty.clone())),
                    _ => None,
                },
                TestTarget::Output => match self
                    .outputs
                    .iter()
                    .enumerate()
                    .find(|(_, o)| o.name == name)
                {
                    Some((i, o)) => match self.slots.get(o.slot).and_then(|s| s.as_ref()) {
                        Some(s) => Some((i, s.ty.clone())),
                        // The output failed to check; that error is reported already.
                        None => continue,
                    },
                    None => None,
                },
            };
            let Some((idx, ty)) = found else {
                let candidates: Vec<String> = match target {
                    TestTarget::Input => self.inputs.iter().map(|f| f.id.clone()).collect(),
                    TestTarget::Context => self.context.iter().map(|f| f.id.clone()).collect(),
                    TestTarget::Output => self.outputs.iter().map(|o| o.name.clone()).collect(),
                };
                self.errors.push(CheckError::BadTest {
                    test: t.name.value.clone(),
                    name: name.to_string(),
                    target,
                    span: a.name.span,
                    suggestion: suggest(name, candidates.iter().map(|s| s.as_str())),
                });
                continue;
            };
            if target != TestTarget::Output && ty == Ty::Number(crate::types::NumKind::Percent) {
                self.bare_number_lint(&a.value, a.name.span);
            }
            if let Some((v, _)) = self.fold(&a.value, Some(&ty), ConstUse::TestValue) {
                let field = match target {
                    TestTarget::Input => self.inputs.get(idx).cloned(),
                    TestTarget::Context => self.context.get(idx).cloned(),
                    TestTarget::Output => None,
                };
                if let Some(field) = field {
                    self.check_value(&field, &v, ConstUse::TestValue, a.value.span);
                }
                out.push((idx, v, a.value.span));
            }
        }
        out
    }
}
