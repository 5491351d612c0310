//! Static analysis as a new user meets it: planted defects are flagged with
//! the right code at the right place, and clean policies (including
//! defensive arms for unusual data) produce no warning at all.

use kpi::check::check;

/// The warning codes of a policy, with the source text each one points at.
fn warnings(src: &str) -> Vec<(&'static str, String)> {
    let policy = kpi::syntax::parse(src).unwrap();
    let checked = check(&policy).unwrap_or_else(|f| panic!("{:?}", f.errors));
    checked
        .warnings
        .iter()
        .map(|w| (w.code(), src[w.span().start..w.span().end].to_string()))
        .collect()
}

fn policy(body: &str) -> String {
    format!("policy \"p\"\n{body}\n")
}

#[test]
fn clean_policies_have_no_warnings() {
    let clean = [
        // staircase grades relying on first match
        "input s : points in 0..100\nitem a = s\ntotal = sum of items\ngrade by total { >= 90 -> A, >= 80 -> B, >= 60 -> C, else -> D }",
        // whole numbers: no gap between 2 and 3 violations
        "input v : count\nitem a = band v { == 0 -> 10, [1, 2] -> 6, [3, 5] -> 4, > 5 -> 0 }",
        // a defensive arm above 100% for a percent that may exceed it
        "input rate : percent\nitem a = band rate { > 100% -> 12, >= 95% -> 10, [90%, 95%) -> 5, < 90% -> 0 }",
        // a deduction that lowers pay throughout is not a falling payout
        "input deduction : points\ninput base : money\noutput pay : money = max(¥0, base - deduction * ¥10)",
        // bands against a context figure cannot be analysed: no false gap
        "input r : percent\ncontext industry : percent\nitem a = band r { <= industry -> 10, > industry + 0.5% -> 0 }",
        // weights adding up to 100%
        "input x : points in 0..100\ninput y : points in 0..100\nitem a weight 60% = x\nitem b weight 40% = y\ntotal = weighted sum of items\ngrade by total { >= 60 -> P, else -> F }\noutput pay : money = match grade { P -> ¥1000, F -> ¥0 }",
    ];
    for body in clean {
        let src = policy(body);
        assert_eq!(warnings(&src), vec![], "{src}");
    }
}

#[test]
fn planted_defects_are_flagged_where_they_are() {
    let cases: [(&str, &str, &str); 6] = [
        ("input s : points in 0..100\nitem a = band s { >= 80 -> 1, >= 90 -> 2, else -> 0 }", "kpi::unreachable_arm", ">= 90 -> 2"),
        ("input x : points in 0..10\ninput y : points in 0..10\nitem a = x\nitem b = y\ntotal = sum of items\ngrade by total { >= 90 -> A, >= 10 -> B, else -> C }", "kpi::unreachable_grade", ">= 90 -> A"),
        ("input s : points\nitem a = band s { >= 90 -> 1, < 90 -> 0, else -> 5 }", "kpi::unreachable_arm", "else -> 5"),
        ("input rate : percent\nitem a = band rate { >= 95% -> 10, [90%, 94%) -> 5, < 90% -> 0 }", "kpi::band_gap", "[90%, 94%) -> 5"),
        ("input x : points in 0..100\nitem a weight 60% = x\nitem b weight 30% = x\ntotal = weighted sum of items", "kpi::weights_sum", "60%"),
        ("input s : points in 0..100\nitem a = s\ntotal = sum of items\ngrade by total { >= 90 -> A, >= 60 -> B, else -> C }\noutput pay : money = match grade { A -> ¥500, B -> ¥800, C -> ¥0 }", "kpi::payout_not_monotone", "¥500"),
    ];
    for (body, code, at) in cases {
        let src = policy(body);
        let found = warnings(&src);
        assert!(
            found.iter().any(|(c, text)| *c == code && text == at),
            "{src}\nexpected {code} at `{at}`, got {found:?}"
        );
    }
}
