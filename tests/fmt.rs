//! `kpi fmt`: every policy in `policies/` and every `.kpi` file under
//! `tests/data/` that parses is formatted idempotently, keeps all of its
//! comments and re-parses to the same AST; `policies/` is kept formatted;
//! and the command's file handling and exit codes.

use kpi::syntax::fmt::{comment_texts, format_policy, same_ast};
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn kpi_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            kpi_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "kpi") {
            out.push(p);
        }
    }
}

fn corpus() -> Vec<PathBuf> {
    let mut files = Vec::new();
    kpi_files(&Path::new(ROOT).join("policies"), &mut files);
    kpi_files(&Path::new(ROOT).join("tests/data"), &mut files);
    files
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn formatting_keeps_meaning_and_comments_and_is_idempotent() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in corpus() {
        let name = path.strip_prefix(ROOT).unwrap().display().to_string();
        let src = std::fs::read_to_string(&path).unwrap();
        let Ok(before) = kpi::syntax::parse(&src) else {
            continue;
        };
        let out = match format_policy(&src) {
            Ok(o) => o,
            Err(e) => {
                problems.push(format!("{name}: cannot format: {e:?}"));
                continue;
            }
        };
        match kpi::syntax::parse(&out) {
            Ok(after) if same_ast(&before, &after) => {}
            Ok(_) => problems.push(format!("{name}: the AST changed")),
            Err(e) => problems.push(format!("{name}: the result does not parse: {e:?}")),
        }
        if sorted(comment_texts(&src)) != sorted(comment_texts(&out)) {
            problems.push(format!("{name}: comments were lost or changed"));
        }
        if comment_texts(&src) != comment_texts(&out) {
            problems.push(format!("{name}: comments changed order"));
        }
        match format_policy(&out) {
            Ok(again) if again == out => {}
            Ok(again) => problems.push(format!(
                "{name}: not idempotent\n---- once\n{out}\n---- twice\n{again}"
            )),
            Err(e) => problems.push(format!("{name}: cannot re-format: {e:?}")),
        }
        checked += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // 8 seed policies plus the parsing test data.
    assert!(checked >= 40, "only {checked} files were checked");
}

#[test]
fn the_seed_policies_are_formatted() {
    let mut files = Vec::new();
    kpi_files(&Path::new(ROOT).join("policies"), &mut files);
    assert!(files.len() >= 8);
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        let out = format_policy(&src).unwrap();
        assert!(
            out == src,
            "{} is not formatted; run `kpi fmt {}`",
            path.display(),
            path.display()
        );
    }
}

fn kpi(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

const MESSY: &str = "policy \"p\"  # name\ninput   a:count\nitem b=a*(2+3)   # why\n";
const TIDY: &str = "policy \"p\"  # name\n\ninput a : count\nitem b = a * (2 + 3)  # why\n";

#[test]
fn check_reports_without_writing_and_fmt_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.kpi");
    let tidy = dir.path().join("tidy.kpi");
    std::fs::write(&messy, MESSY).unwrap();
    std::fs::write(&tidy, TIDY).unwrap();
    let (m, t) = (messy.to_str().unwrap(), tidy.to_str().unwrap());

    let (code, stdout, _) = kpi(&["fmt", "--check", t]);
    assert_eq!((code, stdout.as_str()), (0, ""));

    let (code, stdout, _) = kpi(&["fmt", "--check", m, t]);
    assert_eq!(code, 1);
    assert!(stdout.contains(&format!("would reformat {m}")), "{stdout}");
    assert!(!stdout.contains("tidy.kpi"), "{stdout}");
    assert!(stdout.contains("\n-item b=a*(2+3)   # why\n"), "{stdout}");
    assert!(
        stdout.contains("\n+item b = a * (2 + 3)  # why\n"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY);

    let (code, stdout, _) = kpi(&["fmt", m, t]);
    assert_eq!(code, 0);
    assert_eq!(stdout, format!("formatted {m}\n"));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

    // A directory stands for its .kpi files.
    std::fs::write(&messy, MESSY).unwrap();
    let (code, _, _) = kpi(&["fmt", "--check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
}

#[test]
fn syntax_errors_and_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.kpi");
    std::fs::write(&bad, "policy \"p\"\nitem x = if a then b\n").unwrap();
    let (code, _, stderr) = kpi(&["fmt", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("kpi::syntax_error") && stderr.contains("else"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "policy \"p\"\nitem x = if a then b\n"
    );

    let missing = dir.path().join("missing.kpi");
    let (code, _, stderr) = kpi(&["fmt", "--check", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
}

/// A small deterministic generator (no extra dependencies).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// `src` with comments added at the end of, or on a line before, some of
/// its lines.
fn sprinkle(src: &str, rng: &mut Lcg, n: usize) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if rng.below(lines.len()) < n {
            out.push_str(&format!("{}# own {i}\n", " ".repeat(rng.below(6))));
        }
        out.push_str(line);
        if rng.below(lines.len()) < n {
            out.push_str(&format!(" # tail {i}"));
        }
        out.push('\n');
    }
    out
}

#[test]
fn comments_anywhere_survive_and_formatting_stays_idempotent() {
    let mut rng = Lcg(7);
    let mut problems = Vec::new();
    let mut tried = 0;
    for path in corpus() {
        let src = std::fs::read_to_string(&path).unwrap();
        if kpi::syntax::parse(&src).is_err() {
            continue;
        }
        for round in 0..4 {
            let noisy = sprinkle(&src, &mut rng, 3 + 4 * round);
            let Ok(before) = kpi::syntax::parse(&noisy) else {
                continue;
            };
            tried += 1;
            let name = format!("{} (round {round})", path.display());
            let out = match format_policy(&noisy) {
                Ok(o) => o,
                Err(e) => {
                    problems.push(format!("{name}: {e:?}\n{noisy}"));
                    continue;
                }
            };
            let after = kpi::syntax::parse(&out).unwrap();
            assert!(same_ast(&before, &after), "{name}");
            assert_eq!(comment_texts(&noisy), comment_texts(&out), "{name}");
            let again = format_policy(&out).unwrap();
            if again != out {
                problems.push(format!(
                    "{name}: not idempotent\n---- once\n{out}\n---- twice\n{again}"
                ));
            }
        }
    }
    assert!(tried > 100, "only {tried} variants");
    assert!(problems.is_empty(), "{}", problems.join("\n=====\n"));
}
