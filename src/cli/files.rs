//! Policy arguments: files as given, directories as the `.kpi` files in
//! them (sorted). Shared by `check`, `test` and `fmt`.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::diag::Lang;
use std::path::PathBuf;

/// The policy files named by `paths`, and a message for each directory
/// that could not be read.
pub(crate) fn policy_files(paths: &[PathBuf], lang: Lang) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        match std::fs::read_dir(p) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "kpi"))
                    .collect();
                found.sort();
                files.extend(found);
            }
            Err(e) => errors.push(lang.pick(
                format!("error: cannot read directory `{}`: {e}", p.display()),
                format!("error: 无法读取目录 `{}`：{e}", p.display()),
            )),
        }
    }
    (files, errors)
}
