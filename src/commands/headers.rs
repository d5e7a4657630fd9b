//! `mailsleuth headers`: read messages, analyse each, stream the reports.

use std::io::{self, Write};

use anyhow::Context;

use crate::cli::{FailOn, HeadersArgs};
use crate::exit::Outcome;
use crate::findings::Severity;
use crate::headers::{self, render::Totals, RunSummary, Settings};
use crate::message::{source::Reader, EmptyHeaders};
use crate::output::{Emitter, OutputConfig};
use crate::received::{boundary::Boundary, chain::Limits};

pub fn run(
    args: &HeadersArgs,
    output: OutputConfig,
    quiet: bool,
    out: impl Write,
) -> anyhow::Result<Outcome> {
    let settings = Settings {
        boundary: Boundary::new(&args.trusted)?,
        limits: Limits {
            max_delay: args.max_delay,
            max_skew: args.max_skew,
        },
        max_date_skew: args.max_date_skew,
        empty: EmptyHeaders::Refuse,
    };
    let fail_on = match args.fail_on {
        FailOn::Info => Some(Severity::Info),
        FailOn::Low => Some(Severity::Low),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::High => Some(Severity::High),
        FailOn::Never => None,
    };

    let mut emitter =
        Emitter::new(output, out, headers::SCHEMA, "messages").context("writing the report")?;
    let mut reader = Reader::new(settings.empty);
    let mut totals = Totals::default();
    for path in &args.paths {
        let (mut messages, mut flagged, mut errors) = (0, 0, 0);
        let mut visit = |raw: crate::message::source::RawMessage<'_>| -> io::Result<()> {
            match headers::analyse(&raw, &settings) {
                Ok(report) => {
                    messages += 1;
                    if fail_on.is_some_and(|min| report.findings.iter().any(|f| f.severity >= min))
                    {
                        flagged += 1;
                    }
                    emitter.item(&report)
                }
                Err(e) => {
                    errors += 1;
                    crate::output::sanitize::print_error(e);
                    Ok(())
                }
            }
        };
        let read_errors = reader
            .read_reporting(path, &mut visit)
            .context("writing the report")?;
        totals.messages += messages;
        totals.flagged += flagged;
        totals.errors += errors + read_errors;
    }
    Outcome::note_unreadable(totals.errors, quiet);
    let outcome = Outcome::from_counts(totals.errors, totals.flagged, 0);
    emitter
        .finish(&RunSummary {
            inputs: reader.inputs,
            totals,
        })
        .context("writing the report")?;
    Ok(outcome)
}
