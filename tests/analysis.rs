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

/// Issue 15: a defect planted in a table used four times is reported once,
/// at the table, and a table analysed over its parameter's declared range
/// is clean however its uses' arguments range.
#[test]
fn a_defect_in_a_table_is_reported_once() {
    let src = policy(
        "input a : money\ninput b : money\ninput c : money\ninput d : money\n\
         table place_prize(place: count in 1..) : money = band place { == 1 -> ¥300, == 2 -> ¥200, [2, 3] -> ¥100, > 4 -> ¥0 }\n\
         output pa : money = place_prize(rank(a, desc))\n\
         output pb : money = place_prize(rank(b, desc))\n\
         output pc : money = place_prize(rank(c, desc))\n\
         output pd : money = place_prize(rank(d, desc))",
    );
    assert_eq!(
        warnings(&src),
        vec![
            ("kpi::band_overlap", "[2, 3] -> ¥100".to_string()),
            // the gap at 4, between the arms around it
            ("kpi::band_gap", "[2, 3] -> ¥100".to_string()),
        ]
    );
    // the same table, fixed: clean
    let fixed = src.replace("[2, 3] -> ¥100, > 4 -> ¥0", "== 3 -> ¥100, else -> ¥0");
    assert_eq!(warnings(&fixed), vec![]);
}

/// A function's `if` that its parameter's range decides is reported once,
/// at the function, not at each use.
#[test]
fn a_function_branch_is_reported_once() {
    let src = policy(
        "input a : points in 0..10\ninput b : points in 0..10\n\
         fn bonus(x: points in 0..10) : points = if x > 20 then 5 else 0\n\
         item ia = bonus(a)\nitem ib = bonus(b)",
    );
    let w = warnings(&src);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].1, "5");
}
