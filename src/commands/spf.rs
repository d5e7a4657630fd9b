//! `mailsleuth spf`: evaluate SPF for an IP and a sender (and a HELO name) through the run's
//! resolver, and print the verdicts with their evaluation trees.

use std::io::Write;

use anyhow::{bail, Context};
use serde::Serialize;

use crate::auth::spf::{self, Evaluation, SpfQuery, SpfReport, MAX_LOOKUPS, MAX_VOID_LOOKUPS};
use crate::auth::AuthResult;
use crate::cli::{Format, SpfArgs};
use crate::commands::dns::DnsSession;
use crate::exit::Outcome;
use crate::output::sanitize::escape;
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
        Format::Table => {
            let mut text = String::new();
            render_summary("MAIL FROM", &outcome.mail_from, output.color, &mut text);
            if let Some(helo) = &outcome.helo {
                text.push('\n');
                render_summary("HELO", helo, output.color, &mut text);
            }
            for (label, report) in [
                ("MAIL FROM", Some(&outcome.mail_from)),
                ("HELO", outcome.helo.as_ref()),
            ] {
                let Some(report) = report else { continue };
                text.push_str(&format!("\nEvaluation ({label}):\n"));
                for e in &report.trace {
                    spf::render_tree(e, &mut text);
                }
            }
            out.write_all(text.as_bytes())?;
        }
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

fn render_summary(label: &str, r: &SpfReport, color: bool, out: &mut String) {
    let word = r.result.as_str();
    let shown = if color {
        let code = match r.result {
            AuthResult::Pass => "32",
            AuthResult::Fail | AuthResult::PermError => "31",
            AuthResult::SoftFail | AuthResult::TempError => "33",
            AuthResult::Neutral | AuthResult::None => "36",
        };
        format!("\x1b[{code}m{word}\x1b[0m")
    } else {
        word.to_string()
    };
    let none = "-";
    out.push_str(&format!("{label}: {shown} ({})\n", escape(&r.sender)));
    let rows = [
        ("reason", Some(r.reason.as_str())),
        ("mechanism", r.mechanism.as_deref()),
        ("record", r.record.as_deref()),
        ("explanation", r.explanation.as_deref()),
    ];
    for (name, value) in rows {
        out.push_str(&format!("  {name:<12} {}\n", escape(value.unwrap_or(none))));
    }
    out.push_str(&format!(
        "  {:<12} {}/{MAX_LOOKUPS}, void {}/{MAX_VOID_LOOKUPS}\n",
        "lookups", r.lookups, r.void_lookups
    ));
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
