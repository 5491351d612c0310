//! Evaluation order: each slot's stage, dependencies first (the
//! dependencies come from the IR's traversal, [`Compute::dependencies`]).

use super::{Checker, FnState};
use crate::ir::*;

impl Checker<'_> {
    /// Orders slots by stage and dependency; builds the program.
    pub(super) fn finish(&mut self) -> Option<Program> {
        let slots: Vec<Slot> = std::mem::take(&mut self.slots)
            .into_iter()
            .collect::<Option<Vec<_>>>()?;
        let n = slots.len();
        let deps: Vec<Vec<usize>> = slots.iter().map(|s| s.compute.dependencies()).collect();
        // Depth-first post-order: dependencies first. Iterative, so long
        // chains of values cannot overflow the stack.
        let mut post = Vec::with_capacity(n);
        let mut mark = vec![0u8; n]; // 0 new, 1 open, 2 done
        for root in 0..n {
            if mark[root] != 0 {
                continue;
            }
            let mut stack = vec![(root, 0usize)];
            mark[root] = 1;
            while let Some((s, i)) = stack.pop() {
                if let Some(&d) = deps[s].get(i) {
                    stack.push((s, i + 1));
                    if d < n && mark[d] == 0 {
                        mark[d] = 1;
                        stack.push((d, 0));
                    }
                } else {
                    mark[s] = 2;
                    post.push(s);
                }
            }
        }
        let mut slots = slots;
        let mut max_stage = 0;
        for &s in &post {
            let base = deps[s]
                .iter()
                .map(|d| slots.get(*d).map(|x| x.stage).unwrap_or(0))
                .max()
                .unwrap_or(0);
            let stage = match slots[s].compute {
                Compute::Expr(_) => base,
                Compute::Team(_) | Compute::History(_) => base + 1,
            };
            slots[s].stage = stage;
            max_stage = max_stage.max(stage);
        }
        let rank: Vec<usize> = {
            let mut r = vec![0; n];
            for (i, s) in post.iter().enumerate() {
                r[*s] = i;
            }
            r
        };
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|s| (slots[*s].stage, rank[*s]));
        Some(Program {
            name: self.policy.name.value.clone(),
            version: self.policy.version.as_ref().map(|v| v.value.clone()),
            inputs: std::mem::take(&mut self.inputs),
            context: std::mem::take(&mut self.context),
            slots,
            outputs: std::mem::take(&mut self.outputs),
            tests: std::mem::take(&mut self.tests),
            order,
            max_stage,
            keys: key_names(&self.policy.keys),
            functions: std::mem::take(&mut self.functions)
                .into_iter()
                .filter_map(|f| match f {
                    FnState::Done(f) => Some(f),
                    FnState::Pending(_) | FnState::InProgress(_) | FnState::Failed => None,
                })
                .collect(),
        })
    }
}

/// The `key` declarations as the data layer takes them.
fn key_names(keys: &[crate::syntax::ast::KeyDecl]) -> crate::data::KeyNames {
    let mut names = crate::data::KeyNames::default();
    for k in keys {
        let list = match k.column.as_str() {
            "employee" => &mut names.employee,
            "period" => &mut names.period,
            _ => &mut names.team,
        };
        list.extend(k.headers.iter().map(|h| h.value.clone()));
    }
    names
}
