//! DMARC: the record (also when invalid, with why), the policy, the alignment of SPF and of
//! each DKIM signature, the result from mail-auth, and what a receiver would do.
//!
//! mail-auth 0.13.3 implements the DMARCbis DNS tree walk (RFC 9989 section 4.10): it asks
//! `_dmarc.` at the From domain and at each parent up to the top-level domain, and finds the
//! organisational domain from the records it meets (psd= tags) rather than from the Public
//! Suffix List. [`walk_names`] lists those names so they can be fetched first. The report shows
//! the organisational domain by the PSL beside it, as RFC 7489 receivers compute it.
//!
//! Not applied: `np=`, the policy for a From domain that does not exist. mail-auth decides
//! that from an A look-up, and its A cache can hold addresses but not NXDOMAIN; the look-up
//! then fails (no name servers) and mail-auth applies `sp=`, as it does for any existing
//! subdomain.

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::dmarc::{Alignment, Dmarc, Policy};
use mail_auth::{AuthenticatedMessage, DkimOutput, DmarcResult, Parameters, SpfOutput, SpfResult};
use serde::Serialize;

use crate::auth::dkim::error_text;
use crate::auth::txt::{Answers, Fetched};
use crate::auth::AuthResult;
use crate::message::identities::org_domain;

/// The `_dmarc` names the tree walk from `domain` asks, in order (RFC 9989 section 4.10.1:
/// the domain itself, then at most 7 labels, then one label less at a time).
pub fn walk_names(domain: &str) -> Vec<String> {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let total = labels.len();
    let mut names = Vec::new();
    if total < 2 {
        return names;
    }
    let mut count = total;
    loop {
        names.push(format!("_dmarc.{}", labels[total - count..].join(".")));
        if count == 1 {
            break;
        }
        count = if count >= 8 { 7 } else { count - 1 };
    }
    names
}

/// How one identifier aligns with the From domain.
#[derive(Debug, Clone, Serialize)]
pub struct Aligned {
    /// `spf` or `dkim`.
    pub method: &'static str,
    /// The MAIL FROM domain, or the signature's d=.
    pub domain: String,
    /// The verdict of that method for this identifier.
    pub result: AuthResult,
    /// strict or relaxed, as the record's aspf=/adkim= says.
    pub mode: &'static str,
    /// Same domain (strict), or same organisational domain (relaxed).
    pub aligned: bool,
}

/// The DMARC record as published.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub name: String,
    pub text: String,
    pub valid: bool,
    /// What is wrong with it, tag by tag.
    pub problems: Vec<String>,
}

/// The DMARC verdict on a message.
#[derive(Debug, Clone, Serialize)]
pub struct DmarcOutcome {
    pub result: AuthResult,
    /// The RFC5322.From domain.
    pub domain: Option<String>,
    /// The organisational domain by the Public Suffix List.
    pub org_domain: Option<String>,
    /// The policy that applies to this From domain (p=, or sp= for a subdomain; test mode
    /// t=y lowers it one step), as mail-auth chose it.
    pub policy: Option<&'static str>,
    pub p: Option<String>,
    pub sp: Option<String>,
    pub pct: Option<String>,
    pub record: Option<Record>,
    /// Other records met on the walk that did not parse.
    pub invalid_records: Vec<Record>,
    pub alignment: Vec<Aligned>,
    /// What a receiver applying the policy would do: deliver, quarantine or reject.
    pub disposition: &'static str,
    pub reason: String,
}

/// What DMARC is given.
pub struct Inputs<'a, 'x> {
    pub message: &'x AuthenticatedMessage<'x>,
    pub dkim: &'x [DkimOutput<'x>],
    /// The DKIM signatures' (d=, headline verdict), for the alignment table.
    pub signatures: Vec<(String, AuthResult)>,
    /// MAIL FROM domain (or HELO domain for the null sender) and our SPF verdict.
    pub spf_domain: &'a str,
    pub spf: AuthResult,
    pub from_domain: Option<&'a str>,
}

/// Evaluates DMARC with mail-auth over the fetched answers.
pub async fn verify(inputs: Inputs<'_, '_>, answers: &Answers) -> DmarcOutcome {
    let auth = crate::auth::txt::offline_authenticator();
    let spf_output = SpfOutput::new(inputs.spf_domain.to_string()).with_result(match inputs.spf {
        AuthResult::Pass => SpfResult::Pass,
        AuthResult::Fail => SpfResult::Fail,
        AuthResult::SoftFail => SpfResult::SoftFail,
        AuthResult::Neutral => SpfResult::Neutral,
        AuthResult::None => SpfResult::None,
        AuthResult::TempError => SpfResult::TempError,
        AuthResult::PermError => SpfResult::PermError,
    });
    let output = auth
        .verify_dmarc(
            Parameters::new(DmarcParameters::new(
                inputs.message,
                inputs.dkim,
                inputs.spf_domain,
                &spf_output,
            ))
            .with_txt_cache(answers),
        )
        .await;

    let Some(from) = inputs.from_domain.map(str::to_ascii_lowercase) else {
        return none("no single From domain: DMARC does not apply (RFC 7489 section 6.6.1)");
    };
    let org = org_domain(&from);
    let walk = walk_names(&from);
    let mut records: Vec<Record> = Vec::new();
    for name in &walk {
        if let Some(Fetched::Txt(txts)) = answers.txt(name) {
            for txt in txts.iter() {
                let text = String::from_utf8_lossy(txt).into_owned();
                if text
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("v=dmarc1")
                {
                    records.push(Record {
                        name: name.clone(),
                        valid: Dmarc::parse(txt).is_ok(),
                        problems: check_record(&text),
                        text: crate::received::chain::clip(&text),
                    });
                }
            }
        }
    }
    let dns_failure = walk.iter().find_map(|n| match answers.txt(n) {
        Some(Fetched::Failed(e)) if e.is_temporary() => Some(format!("{n}: {e}")),
        _ => None,
    });
    // The record mail-auth applied: the author domain's, else the organisational domain's,
    // else the shortest name's.
    let author_name = format!("_dmarc.{from}");
    let org_name = format!("_dmarc.{org}");
    let valid = |r: &&Record| r.valid;
    let record = records
        .iter()
        .filter(valid)
        .find(|r| r.name == author_name)
        .or_else(|| records.iter().filter(valid).find(|r| r.name == org_name))
        .or_else(|| records.iter().rev().find(|r| r.valid))
        .cloned();
    let invalid_records: Vec<Record> = records.iter().filter(|r| !r.valid).cloned().collect();

    let mechanism = output.result();
    let record_used = output.dmarc_record();
    let result = match (&mechanism, record_used) {
        (DmarcResult::Pass, _) => AuthResult::Pass,
        (DmarcResult::TempError(_), _) => AuthResult::TempError,
        (DmarcResult::PermError(_), _) => AuthResult::PermError,
        (DmarcResult::Fail(_), _) => AuthResult::Fail,
        (DmarcResult::None, _) if dns_failure.is_some() => AuthResult::TempError,
        (DmarcResult::None, _) => AuthResult::None,
    };
    let policy = record_used.map(|_| policy_word(output.policy()));
    let (aspf, adkim) = record_used.map_or(("relaxed", "relaxed"), |r| {
        (mode_word(r.aspf), mode_word(r.adkim))
    });
    let mut alignment = Vec::new();
    if !inputs.spf_domain.is_empty() {
        alignment.push(Aligned {
            method: "spf",
            domain: inputs.spf_domain.to_string(),
            result: inputs.spf,
            mode: aspf,
            aligned: aligned(inputs.spf_domain, &from, aspf),
        });
    }
    for (d, verdict) in &inputs.signatures {
        alignment.push(Aligned {
            method: "dkim",
            domain: d.clone(),
            result: *verdict,
            mode: adkim,
            aligned: aligned(d, &from, adkim),
        });
    }
    let disposition = match (result, policy) {
        (AuthResult::Fail, Some("reject")) => "reject",
        (AuthResult::Fail, Some("quarantine")) => "quarantine",
        _ => "deliver",
    };
    let reason = match (result, &mechanism) {
        (AuthResult::Pass, _) => {
            let how: Vec<String> = alignment
                .iter()
                .filter(|a| a.aligned && a.result == AuthResult::Pass)
                .map(|a| format!("{} {} ({})", a.method, a.domain, a.mode))
                .collect();
            format!("aligned pass: {}", how.join(", "))
        }
        (AuthResult::TempError, _) => match &dns_failure {
            Some(why) => format!("DNS temperror: {why}"),
            None => format!("temperror: {}", mechanism_text(&mechanism)),
        },
        (AuthResult::None, _) if !invalid_records.is_empty() => format!(
            "no valid DMARC record: {} does not parse ({})",
            invalid_records[0].name,
            if invalid_records[0].problems.is_empty() {
                "mail-auth refuses it".to_string()
            } else {
                invalid_records[0].problems.join("; ")
            }
        ),
        (AuthResult::None, _) => format!("no DMARC record for {from} or its parents"),
        (AuthResult::Fail, _) => {
            "neither SPF nor any DKIM signature passes aligned with the From domain".to_string()
        }
        (_, m) => mechanism_text(m),
    };
    let tag = |name: &str| record.as_ref().and_then(|r| tag_value(&r.text, name));
    let mut reason = reason;
    if let Some(pct) = tag("pct").and_then(|p| p.parse::<u8>().ok()) {
        if pct < 100 && disposition != "deliver" {
            // RFC 7489 section 6.6.4 samples failing mail by pct=; DMARCbis (RFC 9989), which
            // mail-auth follows, dropped the tag and applies the policy to all of it.
            reason.push_str(&format!(
                "; pct={pct}: an RFC 7489 receiver applies {disposition} to {pct}% of \
                 failing mail (DMARCbis to all)"
            ));
        }
    }
    DmarcOutcome {
        result,
        domain: Some(from.clone()),
        org_domain: Some(org),
        policy,
        p: tag("p"),
        sp: tag("sp"),
        pct: tag("pct"),
        record,
        invalid_records,
        alignment,
        disposition,
        reason,
    }
}

/// A `none` verdict for `reason`, with nothing else known.
pub fn none(reason: &str) -> DmarcOutcome {
    DmarcOutcome {
        result: AuthResult::None,
        domain: None,
        org_domain: None,
        policy: None,
        p: None,
        sp: None,
        pct: None,
        record: None,
        invalid_records: Vec::new(),
        alignment: Vec::new(),
        disposition: "deliver",
        reason: reason.to_string(),
    }
}

fn mechanism_text(result: &DmarcResult) -> String {
    match result {
        DmarcResult::Pass => "pass".into(),
        DmarcResult::None => "none".into(),
        DmarcResult::Fail(e) | DmarcResult::TempError(e) | DmarcResult::PermError(e) => {
            error_text(e)
        }
    }
}

/// Identifier alignment (RFC 7489 section 3.1): the same domain for strict, the same
/// organisational domain (PSL) for relaxed.
fn aligned(domain: &str, from: &str, mode: &str) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    if domain == from {
        return true;
    }
    mode == "relaxed" && !domain.is_empty() && org_domain(&domain) == org_domain(from)
}

fn policy_word(policy: Policy) -> &'static str {
    match policy {
        Policy::None | Policy::Unspecified => "none",
        Policy::Quarantine => "quarantine",
        Policy::Reject => "reject",
    }
}

fn mode_word(alignment: Alignment) -> &'static str {
    match alignment {
        Alignment::Relaxed => "relaxed",
        Alignment::Strict => "strict",
    }
}

/// A tag's value in a record (`p`, `sp`, `pct`), as written.
fn tag_value(text: &str, name: &str) -> Option<String> {
    text.split(';').find_map(|pair| {
        let (tag, value) = pair.split_once('=')?;
        tag.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

/// The problems of a DMARC record, tag by tag (RFC 7489 section 6.3, RFC 9989 section 4.7).
pub fn check_record(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (position, pair) in text.split(';').enumerate() {
        let pair = pair.trim();
        if pair.is_empty() {
            continue;
        }
        let Some((tag, value)) = pair.split_once('=') else {
            problems.push(format!("`{}` is not tag=value", clip(pair)));
            continue;
        };
        let (tag, value) = (tag.trim().to_ascii_lowercase(), value.trim());
        if seen.contains(&tag) {
            problems.push(format!("{tag}= given twice"));
        }
        seen.push(tag.clone());
        let one_of = |allowed: &[&str]| allowed.iter().any(|a| a.eq_ignore_ascii_case(value));
        let bad = match tag.as_str() {
            "v" => (position != 0 || value != "DMARC1").then_some("must come first and be DMARC1"),
            "p" | "sp" | "np" => {
                (!one_of(&["none", "quarantine", "reject"])).then_some("not none/quarantine/reject")
            }
            "adkim" | "aspf" => (!one_of(&["r", "s"])).then_some("not r or s"),
            "pct" => (!value.parse::<u8>().is_ok_and(|n| n <= 100)).then_some("not 0-100"),
            "t" | "psd" => (!one_of(&["y", "n", "u"])).then_some("not y/n"),
            "fo" => (!value
                .split(':')
                .all(|o| matches!(o.trim(), "0" | "1" | "d" | "s")))
            .then_some("not a list of 0/1/d/s"),
            "rf" | "ri" | "rua" | "ruf" => None,
            _ => Some("unknown tag (ignored)"),
        };
        if let Some(why) = bad {
            problems.push(format!("{tag}={}: {why}", clip(value)));
        }
    }
    if !seen.iter().any(|t| t == "v") {
        problems.push("no v=DMARC1".into());
    }
    if !seen.iter().any(|t| t == "p") {
        problems.push("no p= (required)".into());
    }
    problems
}

fn clip(text: &str) -> String {
    crate::received::chain::clip(text)
}
