//! One module per subcommand: each turns its clap arguments into settings, runs the
//! capability, and hands the reports to the output layer.

pub mod auth;
pub mod dns;
pub mod dnsbl;
pub mod headers;
pub mod logs;
pub mod spf;
pub mod trace;

use std::io;

use crate::cli::{Cli, Command, Format};
use crate::exit::Outcome;
use crate::output::OutputConfig;

/// Runs the command line's subcommand.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let format = if cli.global.json {
        Format::Json
    } else {
        cli.global.format
    };
    let output = OutputConfig::new(format, cli.global.color);
    let out = io::BufWriter::with_capacity(64 << 10, io::stdout());
    match cli.command {
        Command::Headers(args) => headers::run(&args, output, cli.global.quiet, out),
        Command::Auth(args) => auth::run(&args, output, cli.global.quiet, out),
        Command::Dnsbl(args) => dnsbl::run(&args, output, cli.global.quiet, out),
        Command::Logs(args) => logs::run(&args, output, cli.global.quiet, out),
        Command::Spf(args) => spf::run(&args, output, out),
        Command::Trace(args) => trace::run(&args, output, cli.global.quiet, out),
        Command::GenerateDocs { dir } => {
            crate::docs::write_all(&dir)?;
            Ok(Outcome::Clean)
        }
    }
}
