//! Resolving embedded tests (L15) against the policy's inputs and outputs.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::{Checker, Def};
use crate::check::error::{suggest, CheckError, ConstUse, TestTarget};
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
        for r in &t.rows {
            let given = self.assignments(t, &r.given, TestTarget::Input);
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
            if let Some((v, _)) = self.fold(&a.value, Some(&ty), ConstUse::TestValue) {
                out.push((idx, v, a.value.span));
            }
        }
        out
    }
}
