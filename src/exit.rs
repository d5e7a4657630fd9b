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

impl Outcome {
    /// A run's outcome from its counts, by the contract's precedence: an unreadable input (2)
    /// over anything flagged (1) over a verdict left open by a look-up (3) over clean (0).
    pub fn from_counts(errors: usize, flagged: usize, incomplete: usize) -> Outcome {
        if errors > 0 {
            Outcome::Error
        } else if flagged > 0 {
            Outcome::Flagged
        } else if incomplete > 0 {
            Outcome::Incomplete
        } else {
            Outcome::Clean
        }
    }

    /// Prints the note every message-reading command gives when some input was unreadable.
    pub fn note_unreadable(errors: usize, quiet: bool) {
        if errors > 0 && !quiet {
            eprintln!(
                "mailsleuth: note: {errors} input(s) or message(s) could not be read; the exit code is 2"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn precedence_is_error_then_flagged_then_incomplete() {
        assert_eq!(Outcome::from_counts(1, 1, 1), Outcome::Error);
        assert_eq!(Outcome::from_counts(0, 1, 1), Outcome::Flagged);
        assert_eq!(Outcome::from_counts(0, 0, 1), Outcome::Incomplete);
        assert_eq!(Outcome::from_counts(0, 0, 0), Outcome::Clean);
    }
}
