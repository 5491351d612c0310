//! Unit tests of the formatter.

use super::*;

fn fmt(src: &str) -> String {
    match format_policy(src) {
        Ok(s) => s,
        Err(e) => panic!("format failed: {e:?}\n{src}"),
    }
}

#[test]
fn smoke() {
    let out = fmt("policy \"p\"\ninput a : count\nitem b = a + 1\n");
    assert_eq!(out, "policy \"p\"\n\ninput a : count\nitem b = a + 1\n");
}
