//! A policy's history through the `git` binary, as `kpi diff REV:path`
//! reads it: `git log` of the file, `git show REV:./path`, `git diff`.
//! Every command runs in DIR with a path already confined to it; a
//! revision must be a commit id (hex), so nothing the page sends can be
//! taken for an option.

use serde::Serialize;
use std::path::Path;
use std::process::{Command, Output};

/// At most this many revisions are listed.
const MAX_REVISIONS: usize = 200;

/// One commit that changed the file.
#[derive(Debug, Serialize)]
pub struct Revision {
    pub commit: String,
    pub short: String,
    pub author: String,
    /// ISO 8601.
    pub date: String,
    pub subject: String,
}

/// `git` in `dir`, without prompts, pagers or external diff tools.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .arg("-c")
        .arg("core.quotepath=off");
    c
}

fn run(mut c: Command) -> Result<Output, String> {
    c.output().map_err(|e| format!("cannot run git: {e}"))
}

/// `./path` with `/` separators: git reads it relative to the working
/// directory (DIR).
fn dot_path(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("./{}", parts.join("/"))
}

/// Whether `s` is a commit id as `git log` prints it.
pub fn is_commit_id(s: &str) -> bool {
    (4..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The commits that changed `rel` (newest first), following renames; an
/// empty list outside a git repository, with the reason.
pub fn log(dir: &Path, rel: &Path) -> (Vec<Revision>, Option<String>) {
    let mut c = git(dir);
    c.args([
        "log",
        "--follow",
        "--no-color",
        &format!("--max-count={MAX_REVISIONS}"),
        "--format=%H%x1f%h%x1f%an%x1f%aI%x1f%s%x1e",
        "--",
    ])
    .arg(dot_path(rel));
    let out = match run(c) {
        Ok(o) => o,
        Err(e) => return (Vec::new(), Some(e)),
    };
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return (Vec::new(), Some(why));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let revs = text
        .split('\u{1e}')
        .filter_map(|rec| {
            let mut f = rec.trim_matches(['\n', '\r']).split('\u{1f}');
            Some(Revision {
                commit: f.next()?.to_string(),
                short: f.next()?.to_string(),
                author: f.next()?.to_string(),
                date: f.next()?.to_string(),
                subject: f.next()?.to_string(),
            })
        })
        .filter(|r| is_commit_id(&r.commit))
        .collect();
    (revs, None)
}

/// The text of `rel` at commit `rev`.
pub fn show(dir: &Path, rev: &str, rel: &Path) -> Result<String, String> {
    if !is_commit_id(rev) {
        return Err(format!("`{rev}` is not a commit id"));
    }
    let mut c = git(dir);
    c.arg("show").arg(format!("{rev}:{}", dot_path(rel)));
    let out = run(c)?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    String::from_utf8(out.stdout).map_err(|_| "the file is not UTF-8 text at that commit".into())
}

/// `git diff` of the file against the index and HEAD (what saving
/// changed), or why there is none.
pub fn diff(dir: &Path, rel: &Path) -> Result<String, String> {
    let mut tracked = git(dir);
    tracked
        .args(["ls-files", "--error-unmatch", "--"])
        .arg(dot_path(rel));
    let t = run(tracked)?;
    if !t.status.success() {
        return Err("the file is not tracked by git (new, or DIR is not a git repository)".into());
    }
    let mut c = git(dir);
    c.args(["diff", "--no-color", "--no-ext-diff", "HEAD", "--"])
        .arg(dot_path(rel));
    let out = run(c)?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_ids() {
        assert!(is_commit_id("a1b2c3d"));
        assert!(is_commit_id(&"f".repeat(40)));
        for bad in ["HEAD", "--output=/tmp/x", "a1b", "main", "a1b2c3d:../x", ""] {
            assert!(!is_commit_id(bad), "{bad}");
        }
    }

    #[test]
    fn dot_paths() {
        assert_eq!(dot_path(Path::new("a/b.kpi")), "./a/b.kpi");
    }
}
