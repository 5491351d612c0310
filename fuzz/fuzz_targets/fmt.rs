//! The formatter on any policy that parses: its output parses to the same
//! policy and formats to itself; it never calls a valid policy a bug.
#![no_main]

use kpi::syntax::fmt::{format_policy, same_ast};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(before) = kpi::syntax::parse(text) else {
        return;
    };
    let formatted = match format_policy(text) {
        Ok(f) => f,
        Err(e) => {
            // a clear refusal (the output would be too large) is fine;
            // an internal error is a bug
            let code = e.report(kpi::diag::Lang::En).code;
            assert_ne!(code, "kpi::internal", "fmt failed on a valid policy: {e:?}");
            return;
        }
    };
    let after = kpi::syntax::parse(&formatted).expect("formatted output parses");
    assert!(same_ast(&before, &after), "fmt changed the policy:\n{formatted}");
    let again = format_policy(&formatted).expect("formats again");
    assert_eq!(again, formatted, "fmt is not idempotent");
});
