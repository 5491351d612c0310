//! `explain_each` (one replay per row, used by the HTML report) gives the
//! very explanations `explain` gives row by row (one evaluation per row),
//! on every seed example: team and history figures included.
//! (Also the library's records → rows bridge: `FieldSpec::of`, `Row::from`.)

use kpi::data::{read_context, read_records, Cell, FieldSpec, ReadOptions};
use kpi::eval::{evaluate, Row};
use kpi::report::explain::{explain, explain_each};
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn explain_each_equals_explain_on_every_seed_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        let Some(name) = dir.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            continue;
        };
        let policy_path = root.join("policies").join(format!("{name}.kpi"));
        if !dir.is_dir() || !policy_path.exists() {
            continue;
        }
        let source = std::fs::read_to_string(&policy_path).unwrap();
        let program = kpi::check::check(&kpi::syntax::parse(&source).unwrap())
            .unwrap()
            .program;
        let specs: Vec<FieldSpec> = program.inputs.iter().map(FieldSpec::of).collect();
        let text = std::fs::read_to_string(dir.join("records.csv")).unwrap();
        let opts = ReadOptions::default();
        let rows: Vec<Row> = read_records("records.csv", &text, &specs, &opts)
            .unwrap()
            .into_iter()
            .map(Row::from)
            .collect();
        let mut context = BTreeMap::new();
        if !program.context.is_empty() {
            let cspecs: Vec<FieldSpec> = program.context.iter().map(FieldSpec::of).collect();
            let ctext = std::fs::read_to_string(dir.join("context.csv")).unwrap();
            for (p, cells) in read_context("context.csv", &ctext, &cspecs, &opts).unwrap() {
                context.insert(
                    p,
                    cells.into_iter().map(Cell::into_value).collect::<Vec<_>>(),
                );
            }
        }
        let ev = evaluate(&program, &rows, &context, None).unwrap();
        let each = explain_each(&program, &source, &rows, &context, &ev);
        assert_eq!(each.len(), rows.len());
        for (k, &row) in ev.order.iter().enumerate() {
            let one = explain(&program, &source, &rows, &context, row).unwrap();
            assert_eq!(each[k], one, "{name}: row {row}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}
