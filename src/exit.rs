//! The exit-code contract every subcommand keeps (scripts depend on it).

use std::process::ExitCode;

/// What a run's exit code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// 0: ran, and found nothing to flag.
    Clean = 0,
    /// 1: ran, and flagged something.
    Flagged = 1,
    /// 2: usage error, or an input could not be read.
    Error = 2,
    /// 3: incomplete: a look-up failed, so a verdict could not be given.
    Incomplete = 3,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome as u8)
    }
}
