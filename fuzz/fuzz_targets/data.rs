//! Any bytes as a records file, a context file and an export to sample,
//! read against the inputs of the seed policies, as CSV (any encoding),
//! JSON or a spreadsheet; every error rendered: never a panic.
#![no_main]

use kpi::cli::render_diagnostic;
use kpi::data::{self, FieldSpec, Layout, ReadOptions};
use kpi::diag::Lang;
use kpi::ir::Program;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const POLICIES: [&str; 8] = [
    include_str!("../../policies/tmall_after_sales.kpi"),
    include_str!("../../policies/presales_team.kpi"),
    include_str!("../../policies/tmall_bonus_sheet.kpi"),
    include_str!("../../policies/shop_staff_pay.kpi"),
    include_str!("../../policies/reward_punish_30.kpi"),
    include_str!("../../policies/cs_pay_structure.kpi"),
    include_str!("../../policies/platform_after_sales_level.kpi"),
    include_str!("../../policies/dept_gate.kpi"),
];

fn programs() -> &'static Vec<Program> {
    static P: OnceLock<Vec<Program>> = OnceLock::new();
    P.get_or_init(|| {
        POLICIES
            .iter()
            .filter_map(|src| kpi::syntax::parse(src).ok())
            .filter_map(|p| kpi::check::check(&p).ok())
            .map(|c| c.program)
            .collect()
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, bytes)) = input.split_first() else {
        return;
    };
    let programs = programs();
    let Some(program) = programs.get(usize::from(selector) % programs.len().max(1)) else {
        return;
    };
    let name = match selector / 8 % 4 {
        0 => "records.csv",
        1 => "records.json",
        2 => "records.xlsx",
        _ => "records.txt",
    };
    let opts = ReadOptions {
        percent_fractions: selector & 0x40 != 0,
    };
    let layout = Layout {
        period: (selector & 0x80 != 0).then(|| kpi::types::Period::parse("2026-10")).flatten(),
        ..Layout::default()
    };
    let specs: Vec<FieldSpec> = program.inputs.iter().map(FieldSpec::of).collect();
    let read = data::read_records_file(name, bytes, &specs, &opts, &layout);
    for e in &read.errors {
        render_diagnostic(&e.report(Lang::En), None);
        render_diagnostic(&e.report(Lang::Zh), None);
    }
    data::notice_lines(&read.notices, Lang::Zh);
    let cspecs: Vec<FieldSpec> = program.context.iter().map(FieldSpec::of).collect();
    let (context, notices) = data::read_context_file(name, bytes, &cspecs, &opts, &layout);
    if let Err(errors) = context {
        for e in &errors {
            render_diagnostic(&e.report(Lang::En), None);
        }
    }
    data::notice_lines(&notices, Lang::En);
    if let Ok(sample) = data::sample_file(name, bytes, &layout, 100) {
        data::guess_columns(&sample.headers, &sample.rows, &layout.keys);
    }
});
