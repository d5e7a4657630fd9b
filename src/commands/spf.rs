//! `mailsleuth spf`: evaluate SPF for an IP and a sender (and a HELO name) through the run's
//! resolver, and print the verdicts with their evaluation trees.

use std::io::Write;

use anyhow::{bail, Context};
use serde::Serialize;

use crate::auth::spf::{self, Evaluation, SpfQuery, SpfReport};
use crate::auth::AuthResult;
use crate::cli::{Format, SpfArgs};
use crate::commands::dns::DnsSession;
use crate::exit::Outcome;
use crate::output::{OutputConfig, VERSION};

/// The JSON schema of an `spf` report.
pub const SCHEMA: &str = "mailsleuth.spf/1";

pub fn run(args: &SpfArgs, output: OutputConfig, mut out: impl Write) -> anyhow::Result<Outcome> {
    let mail_from = args.mail_from.trim();
    let null_sender = mail_from.is_empty() || mail_from == "<>";
    if null_sender && args.helo.is_none() {
        bail!("--mail-from: the null sender is checked as postmaster@HELO; give --helo NAME");
    }
    let query = SpfQuery {
        ip: args.ip,
        helo: args.helo.clone(),
        mail_from: (!null_sender).then(|| mail_from.to_string()),
    };
    let session = DnsSession::new(&args.dns)?;
    let runtime = crate::dns::runtime().context("starting the DNS runtime")?;
    let outcome = runtime.block_on(spf::evaluate(session.resolver.as_ref(), &query));
    session.finish()?;

    let doc = Document {
        schema: SCHEMA,
        version: VERSION,
        query: QueryOut {
            ip: args.ip.to_string(),
            mail_from,
            helo: args.helo.as_deref(),
        },
        mail_from: Identity::of(&outcome.mail_from),
        helo: outcome.helo.as_ref().map(Identity::of),
    };
    match output.format {
        // One document either way: NDJSON's one line per result is this one line.
        Format::Json | Format::Ndjson => {
            serde_json::to_writer(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Table => out.write_all(spf::render::text(&outcome, output.color).as_bytes())?,
    }
    out.flush().context("writing the report")?;
    let reports = std::iter::once(&outcome.mail_from).chain(outcome.helo.as_ref());
    Ok(exit_outcome(reports.map(|r| r.result)))
}

/// 1 when an identity fails (fail, softfail, permerror); else 3 when one is temperror; else 0.
fn exit_outcome(results: impl Iterator<Item = AuthResult>) -> Outcome {
    let mut outcome = Outcome::Clean;
    for result in results {
        match result {
            AuthResult::Fail | AuthResult::SoftFail | AuthResult::PermError => {
                return Outcome::Flagged
            }
            AuthResult::TempError => outcome = Outcome::Incomplete,
            AuthResult::Pass | AuthResult::Neutral | AuthResult::None => {}
        }
    }
    outcome
}

/// The `mailsleuth.spf/1` document: the MAIL FROM verdict at the top level, HELO beside it.
#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    version: &'static str,
    query: QueryOut<'a>,
    #[serde(flatten)]
    mail_from: Identity<'a>,
    helo: Option<Identity<'a>>,
}

#[derive(Serialize)]
struct QueryOut<'a> {
    ip: String,
    mail_from: &'a str,
    helo: Option<&'a str>,
}

#[derive(Serialize)]
struct Identity<'a> {
    result: AuthResult,
    domain: &'a str,
    sender: &'a str,
    reason: &'a str,
    mechanism: Option<&'a str>,
    record: Option<&'a str>,
    explanation: Option<&'a str>,
    lookups: u32,
    void_lookups: u32,
    trace: &'a [Evaluation],
}

impl<'a> Identity<'a> {
    fn of(r: &'a SpfReport) -> Identity<'a> {
        Identity {
            result: r.result,
            domain: &r.domain,
            sender: &r.sender,
            reason: &r.reason,
            mechanism: r.mechanism.as_deref(),
            record: r.record.as_deref(),
            explanation: r.explanation.as_deref(),
            lookups: r.lookups,
            void_lookups: r.void_lookups,
            trace: &r.trace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        use AuthResult::*;
        assert_eq!(exit_outcome([Pass].into_iter()), Outcome::Clean);
        assert_eq!(exit_outcome([None, Neutral].into_iter()), Outcome::Clean);
        assert_eq!(exit_outcome([TempError].into_iter()), Outcome::Incomplete);
        assert_eq!(
            exit_outcome([TempError, SoftFail].into_iter()),
            Outcome::Flagged
        );
        assert_eq!(exit_outcome([PermError].into_iter()), Outcome::Flagged);
    }
}
