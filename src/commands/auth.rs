//! `mailsleuth auth`: read messages, verify each through the run's resolver, stream the reports.

use std::io::{self, Write};

use anyhow::{bail, Context};

use crate::auth::{self, render::RunSummary, render::Totals, At, Checks, Settings};
use crate::cli::{AuthArgs, Check};
use crate::commands::dns::DnsSession;
use crate::exit::Outcome;
use crate::headers;
use crate::message::source::{Reader, SourceError};
use crate::output::{Emitter, OutputConfig};
use crate::received::{boundary::Boundary, chain::Limits};

pub fn run(
    args: &AuthArgs,
    output: OutputConfig,
    quiet: bool,
    out: impl Write,
) -> anyhow::Result<Outcome> {
    let settings = settings(args)?;
    let session = DnsSession::new(&args.dns)?;
    let runtime = crate::dns::runtime().context("starting the DNS runtime")?;
    let cache = auth::RunCache::default();

    let mut emitter =
        Emitter::new(output, out, auth::SCHEMA, "messages").context("writing the report")?;
    let mut reader = Reader::default();
    let mut totals = Totals::default();
    for path in &args.paths {
        let mut visit = |raw: crate::message::source::RawMessage<'_>| -> io::Result<()> {
            match runtime.block_on(auth::analyse(&raw, &settings, &session.resolver, &cache)) {
                Ok(report) => {
                    totals.messages += 1;
                    if report.flagged() {
                        totals.flagged += 1;
                    } else if report.incomplete() {
                        totals.incomplete += 1;
                    }
                    emitter.item(&report)
                }
                Err(e) => {
                    totals.errors += 1;
                    eprintln!("mailsleuth: {e}");
                    Ok(())
                }
            }
        };
        let mut read_errors = 0;
        let mut on_error = |e: SourceError| -> io::Result<()> {
            read_errors += 1;
            eprintln!("mailsleuth: {e}");
            Ok(())
        };
        match reader.read(path, &mut visit, &mut on_error) {
            Err(SourceError::Output(e)) => return Err(e).context("writing the report"),
            Err(e) => {
                read_errors += 1;
                eprintln!("mailsleuth: {e}");
            }
            Ok(()) => {}
        }
        totals.errors += read_errors;
    }
    session.finish()?;
    if totals.errors > 0 && !quiet {
        eprintln!(
            "mailsleuth: note: {} input(s) or message(s) could not be read; the exit code is 2",
            totals.errors
        );
    }
    let outcome = if totals.errors > 0 {
        Outcome::Error
    } else if totals.flagged > 0 {
        Outcome::Flagged
    } else if totals.incomplete > 0 {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    };
    emitter
        .finish(&RunSummary {
            inputs: reader.inputs,
            totals,
        })
        .context("writing the report")?;
    Ok(outcome)
}

fn settings(args: &AuthArgs) -> anyhow::Result<Settings> {
    let at = match args.at.as_deref() {
        None => At::Arrival,
        Some(t) if t.eq_ignore_ascii_case("now") => At::Now,
        Some(t) => match mail_parser::DateTime::parse_rfc3339(t) {
            Some(d) if d.is_valid() => At::Given(d.to_timestamp()),
            _ => bail!("--at {t:?}: not `now` nor an RFC 3339 time (2022-11-07T17:54:24Z)"),
        },
    };
    let has = |c| args.checks.contains(&c);
    let mail_from = args.mail_from.as_deref().map(|m| {
        m.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string()
    });
    Ok(Settings {
        headers: headers::Settings {
            boundary: Boundary::new(&args.trusted)?,
            limits: Limits {
                max_delay: 3600,
                max_skew: 300,
            },
            max_date_skew: 7200,
        },
        checks: Checks {
            spf: has(Check::Spf),
            dkim: has(Check::Dkim),
            dmarc: has(Check::Dmarc),
            arc: has(Check::Arc),
        },
        at,
        ip: args.ip,
        helo: args.helo.clone(),
        mail_from,
    })
}
