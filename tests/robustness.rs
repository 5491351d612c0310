//! No input makes `kpi` panic, hang or overflow its stack (REQUIREMENTS §8):
//! deep nesting and huge files get clear errors.

use std::process::Command;

fn check_text(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.kpi");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn policy(expr: &str) -> String {
    format!("policy \"p\"\ninput a : number\nitem s = {expr}\n")
}

#[test]
fn deep_or_long_expressions_are_refused_cleanly() {
    let cases = [
        format!("{}a{}", "(".repeat(5000), ")".repeat(5000)),
        vec!["a"; 60_000].join(" + "),
        format!("{}a", "-".repeat(100_000)),
        format!("{}true", "not ".repeat(100_000)),
        format!("{}0", "if true then 1 else ".repeat(20_000)),
    ];
    for expr in cases {
        let (code, stderr) = check_text(&policy(&expr));
        assert_eq!(code, 1, "{}", &stderr[..stderr.len().min(500)]);
        assert!(
            stderr.contains("kpi::too_deep") || stderr.contains("kpi::too_large"),
            "{}",
            &stderr[..stderr.len().min(500)]
        );
    }
}

#[test]
fn a_reasonable_long_sum_still_works() {
    let (code, stderr) = check_text(&policy(&vec!["a"; 200].join(" + ")));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn huge_policies_are_refused() {
    let big = format!("policy \"p\"\n{}", "# padding\n".repeat(200_000));
    let (code, stderr) = check_text(&big);
    assert_eq!(code, 1);
    assert!(stderr.contains("kpi::too_large"), "{stderr}");
}

#[test]
fn garbage_never_panics() {
    // Deterministic pseudo-random bytes, valid and invalid UTF-8 alike.
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..30 {
        let mut bytes = b"policy \"p\"\n".to_vec();
        for _ in 0..400 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let alphabet: &[u8] = b" (){}[]<>=-+*/%,.:#\"0123456789abcxyz\n\xe5\x85\xac";
            bytes.push(alphabet[(x % alphabet.len() as u64) as usize]);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.kpi");
        std::fs::write(&path, &bytes).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "exit {code:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}
