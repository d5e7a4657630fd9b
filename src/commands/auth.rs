//! `mailsleuth auth`: read messages, verify each through the run's resolver, stream the reports.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::Arc;

use anyhow::{bail, Context};
use tokio::task::JoinHandle;

use crate::auth::{self, render::RunSummary, render::Totals, At, AuthResult, Checks, Settings};
use crate::cli::{AuthArgs, Check};
use crate::commands::dns::DnsSession;
use crate::exit::Outcome;
use crate::headers;
use crate::message::source::{RawMessage, Reader};
use crate::message::EmptyHeaders;
use crate::output::{sanitize::escape, Emitter, OutputConfig};
use crate::received::{boundary::Boundary, chain::Limits};

/// Messages being verified at once: enough to keep every core busy while some wait for DNS,
/// few enough that memory stays a few messages per core.
const IN_FLIGHT: usize = 64;
/// And at most this many bytes of them: a run of 64 MiB messages must not hold 64 at once.
const IN_FLIGHT_BYTES: usize = 256 << 20;

type Analysed = Result<auth::AuthReport, headers::AnalyseError>;

pub fn run(
    args: &AuthArgs,
    output: OutputConfig,
    quiet: bool,
    out: impl Write,
) -> anyhow::Result<Outcome> {
    let settings = Arc::new(settings(args)?);
    let session = DnsSession::new(&args.dns)?;
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    // Verification is CPU work (RSA above all): messages are analysed concurrently on every
    // core, and reported in input order.
    let runtime = crate::dns::runtime_multi(cores).context("starting the DNS runtime")?;
    let cache = Arc::new(auth::RunCache::default());

    let mut emitter =
        Emitter::new(output, out, auth::SCHEMA, "messages").context("writing the report")?;
    let mut reader = Reader::new(settings.headers.empty);
    let mut totals = Totals::default();
    // Each pending message with its size, oldest first.
    let mut pending: VecDeque<(JoinHandle<Analysed>, usize)> = VecDeque::new();
    let mut pending_bytes = 0usize;
    for path in &args.paths {
        let mut visit = |raw: RawMessage<'_>| -> io::Result<()> {
            let size = raw.bytes.len();
            let owned = (raw.input.to_string(), raw.index, raw.bytes, raw.truncated);
            let (settings, cache) = (settings.clone(), cache.clone());
            let resolver = session.resolver.clone();
            let task = runtime.spawn(async move {
                let raw = RawMessage {
                    input: &owned.0,
                    index: owned.1,
                    bytes: owned.2,
                    truncated: owned.3,
                };
                auth::analyse(&raw, &settings, &resolver, &cache).await
            });
            pending.push_back((task, size));
            pending_bytes += size;
            while pending.len() >= IN_FLIGHT || pending_bytes > IN_FLIGHT_BYTES {
                let (next, size) = pending.pop_front().expect("the queue is not empty");
                pending_bytes -= size;
                report(runtime.block_on(next), &mut emitter, &mut totals, quiet)?;
            }
            Ok(())
        };
        let read_errors = reader
            .read_reporting(path, &mut visit)
            .context("writing the report")?;
        totals.errors += read_errors;
    }
    while let Some((next, _)) = pending.pop_front() {
        report(runtime.block_on(next), &mut emitter, &mut totals, quiet)
            .context("writing the report")?;
    }
    session.finish()?;
    Outcome::note_unreadable(totals.errors, quiet);
    let outcome = Outcome::from_counts(totals.errors, totals.flagged, totals.incomplete);
    emitter
        .finish(&RunSummary {
            inputs: reader.inputs,
            totals,
        })
        .context("writing the report")?;
    Ok(outcome)
}

/// Counts one finished message and writes its report (or its error, on stderr).
fn report<W: Write>(
    joined: Result<Analysed, tokio::task::JoinError>,
    emitter: &mut Emitter<W>,
    totals: &mut Totals,
    quiet: bool,
) -> io::Result<()> {
    let analysed = match joined {
        Ok(analysed) => analysed,
        // A panic in a verifier is a bug; it must not pass as a verdict.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    match analysed {
        Ok(report) => {
            if report.empty_header_section && !quiet {
                // Judged, as RFC 5322 allows, but an empty file is more often a mistake. Only
                // SPF can have a verdict then, from an envelope given by --ip and --mail-from.
                let judged = report.spf.as_ref().is_some_and(|s| {
                    s.mail_from.result != AuthResult::None
                        || s.helo
                            .as_ref()
                            .is_some_and(|h| h.result != AuthResult::None)
                });
                eprintln!(
                    "mailsleuth: warning: {}: message {} has no header fields; {}",
                    escape(&report.input),
                    report.index,
                    if judged {
                        "only SPF, from the flags, has a verdict"
                    } else {
                        "every verdict is none"
                    }
                );
            }
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
            crate::output::sanitize::print_error(e);
            Ok(())
        }
    }
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
            // RFC 5322 allows a message with no header fields; its verdicts are all none.
            empty: EmptyHeaders::Accept,
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
