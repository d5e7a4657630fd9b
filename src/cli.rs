//! The command line: every flag of every subcommand is defined here, once, and this one
//! definition also feeds the man pages and shell completions (see `docs.rs`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::findings;

/// Email-abuse forensics: where a message really came from, whether it is authentic, and which
/// account sent it.
#[derive(Debug, Parser)]
#[command(
    name = "mailsleuth",
    version,
    about,
    long_about = "Email-abuse forensics for abuse desks and mail operators.\n\n\
        Human tables by default, stable JSON with --json or --format json|ndjson.\n\n\
        Exit codes: 0 ran and found nothing to flag; 1 ran and flagged something; \
        2 usage error or unreadable input; 3 incomplete because a look-up failed.",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand shares.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format: human tables, one JSON document, or one JSON object per line.
    #[arg(long, value_enum, global = true, default_value_t = Format::Table)]
    pub format: Format,

    /// Short for --format json.
    #[arg(long, global = true, conflicts_with = "format")]
    pub json: bool,

    /// When to colour tables. NO_COLOR in the environment turns colour off for `auto`.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print no notes or warnings on stderr; errors are still printed.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// How a report is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for a person at a terminal.
    Table,
    /// One JSON document for the whole run.
    Json,
    /// One JSON object per line, written as soon as each result is ready.
    Ndjson,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Where a message really came from: Received chain, origin, identities, red flags.
    #[command(
        long_about = "Where a message really came from.\n\n\
            Reads .eml files, mbox files, Maildir folders (or folders of messages) and `-` \
            for stdin. Forwarded complaints (message/rfc822 parts) and ARF feedback reports \
            (RFC 5965) are unwrapped, and the original message is analysed.\n\n\
            For each message: the Received chain oldest hop first (from HELO / rDNS / IP, by, \
            with, id, for, TLS, time, delay), the origin (the first hop outside the trusted \
            boundary, and why), the identities (Return-Path, From, Sender, Reply-To, Resent-*, \
            PRA, DMARC domain) and their relations, and findings with stable codes.",
        after_long_help = findings::CATALOGUE_HELP
    )]
    Headers(HeadersArgs),

    /// Write the man pages and shell completions generated from this command line.
    #[command(hide = true)]
    GenerateDocs {
        /// Folder that receives `man/` and `completions/`.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

/// Arguments of `mailsleuth headers`.
#[derive(Debug, Args)]
pub struct HeadersArgs {
    /// Messages to read: .eml files, mbox files, Maildir folders or folders of messages; `-`
    /// reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// A network (CIDR or address) or host name whose hops are ours, and so trusted. Repeatable.
    /// Private, loopback and link-local addresses are always trusted. A host name matches the
    /// reverse-DNS name our own hop recorded for its client, or any name under it.
    #[arg(long, value_name = "CIDR|HOST")]
    pub trusted: Vec<String>,

    /// Flag a hop that took longer than this many seconds after the previous one.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub max_delay: i64,

    /// Tolerated clock difference between hops, in seconds, before time is said to run
    /// backwards.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub max_skew: i64,

    /// Flag a Date header further than this many seconds from the first hop's time.
    #[arg(long, value_name = "SECONDS", default_value_t = 7200)]
    pub max_date_skew: i64,

    /// Lowest finding severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Medium)]
    pub fail_on: FailOn,
}

/// The lowest severity that counts as "flagged" for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Low,
    Medium,
    High,
    /// Never exit 1 because of findings.
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
