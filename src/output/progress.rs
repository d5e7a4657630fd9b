//! Progress bars on stderr for long runs (bulk DNS look-ups, gigabytes of logs).
//!
//! A bar appears only when it helps: on a terminal (or when forced), and only once a run has
//! lasted a couple of seconds, so quick runs and scripts never see one. Reports go to stdout, so
//! a bar never mixes with them.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ProgressChoice;

/// Runs shorter than this never show a bar.
const SHOW_AFTER: Duration = Duration::from_secs(2);

/// What a bar counts, which decides how its position is printed.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// Bytes read (shown as MiB with a rate).
    Bytes,
    /// Items done (addresses, look-ups).
    Items(&'static str),
}

/// A progress bar that stays hidden (shareable between threads: updates take `&self`) until the run has taken [`SHOW_AFTER`].
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    enabled: bool,
    shown: AtomicBool,
}

impl Progress {
    /// A bar for `total` units (0 when unknown). `quiet` or a non-terminal stderr (with `auto`)
    /// keep it hidden for the whole run.
    pub fn new(choice: ProgressChoice, quiet: bool, total: u64, unit: Unit) -> Progress {
        let enabled = !quiet
            && match choice {
                ProgressChoice::Never => false,
                ProgressChoice::Always => true,
                ProgressChoice::Auto => io::stderr().is_terminal(),
            };
        let bar = ProgressBar::with_draw_target(
            (total > 0).then_some(total),
            ProgressDrawTarget::hidden(),
        );
        let template = match (unit, total > 0) {
            (Unit::Bytes, true) => {
                "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
                    .to_string()
            }
            (Unit::Bytes, false) => "{elapsed_precise} {bytes} {bytes_per_sec}".to_string(),
            (Unit::Items(what), true) => {
                format!("{{elapsed_precise}} [{{wide_bar}}] {{pos}}/{{len}} {what} {{per_sec}} eta {{eta}}")
            }
            (Unit::Items(what), false) => format!("{{elapsed_precise}} {{pos}} {what} {{per_sec}}"),
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress {
            bar,
            started: Instant::now(),
            enabled,
            shown: AtomicBool::new(false),
        }
    }

    /// Sets the position; shows the bar once the run has lasted long enough.
    pub fn set(&self, position: u64) {
        self.bar.set_position(position);
        self.maybe_show();
    }

    /// Sets the total once it is known.
    pub fn set_length(&self, total: u64) {
        self.bar.set_length(total);
    }

    /// Advances the position by `delta`.
    pub fn inc(&self, delta: u64) {
        self.bar.inc(delta);
        self.maybe_show();
    }

    fn maybe_show(&self) {
        if self.enabled
            && !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= SHOW_AFTER
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar from the terminal (before the report's notes are printed).
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
