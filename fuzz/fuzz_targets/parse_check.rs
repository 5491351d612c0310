//! Any text through the parser and the checker, every diagnostic rendered
//! for people in both languages: never a panic, never a hang.
#![no_main]

use kpi::cli::{render_diagnostic, Source};
use kpi::diag::Lang;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let src = Source {
        path: "fuzz.kpi".into(),
        text: text.to_string(),
    };
    for lang in [Lang::En, Lang::Zh] {
        match kpi::syntax::parse(text) {
            Err(e) => {
                render_diagnostic(&e.report(lang), Some(&src));
            }
            Ok(policy) => match kpi::check::check(&policy) {
                Ok(checked) => {
                    for w in &checked.warnings {
                        render_diagnostic(&w.report(lang), Some(&src));
                    }
                }
                Err(failure) => {
                    for e in &failure.errors {
                        render_diagnostic(&e.report(lang), Some(&src));
                    }
                    for w in &failure.warnings {
                        render_diagnostic(&w.report(lang), Some(&src));
                    }
                }
            },
        }
    }
});
