//! Deep input on a small stack. The parser and the checker recurse along
//! the syntax tree, and in a debug build a level can take tens of
//! kilobytes; library callers (a server's worker threads, test threads)
//! have 2 MiB. [`on_big_stack`] runs such work on a scoped thread with a
//! stack of its own, big enough for the deepest input the parser accepts
//! (`syntax::MAX_DEPTH` brackets, `MAX_TREE_DEPTH` levels).

/// The stack of the worker thread: virtual memory, committed only as used.
const STACK_BYTES: usize = 256 << 20;

/// Runs `f` on a thread with a [`STACK_BYTES`] stack and returns its
/// result; runs it here if no thread can be started. A panic in `f` is
/// resumed here.
pub(crate) fn on_big_stack<T: Send>(f: impl Fn() -> T + Sync) -> T {
    let f = &f;
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, f);
        match spawned {
            Ok(handle) => match handle.join() {
                Ok(v) => v,
                Err(payload) => std::panic::resume_unwind(payload),
            },
            Err(_) => f(),
        }
    })
}
