//! The `kpi` binary: parses the command line and runs it on a thread with
//! a large stack, so deeply nested (but size-limited) input cannot
//! overflow it.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use clap::Parser;
use kpi::cli::{run, Cli, Exit};
use std::process::ExitCode;

/// Records cross threads (read on one, evaluated and freed on another):
/// mimalloc frees them without the locking glibc's malloc needs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    let exit = match worker {
        Ok(handle) => handle.join().unwrap_or(Exit::Failure),
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            Exit::Failure
        }
    };
    exit.into()
}
