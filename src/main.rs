//! The mailsleuth binary: parse the command line, run, and turn the result into an exit code.

use std::io;
use std::process::ExitCode;

use clap::Parser;
use mailsleuth::{cli::Cli, commands, exit::Outcome};

/// mimalloc rather than the system allocator: see its line in Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // clap exits with 2 on a usage error and 0 for --help/--version.
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(outcome) => outcome.into(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            mailsleuth::output::sanitize::print_error(format_args!("{err:#}"));
            Outcome::Error.into()
        }
    }
}

/// `mailsleuth headers big.mbox | head` closes the pipe early; that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
