//! Is the message authentic? SPF (our own evaluator, for its trace), and DKIM, DMARC and ARC on
//! top of mail-auth, all speaking one result vocabulary and all asking DNS through `dns::Resolve`.
//!
//! One message's flow ([`analyse`]): the `headers` analysis finds the original message, the
//! origin hop (client IP, HELO), the identities and the arrival time; every TXT name the
//! verifiers will ask is fetched concurrently through our resolver ([`txt::Answers`]); DKIM
//! (mail-auth and viadkim), ARC and DMARC then run over those answers only. A name they ask
//! that was not foreseen is fetched and the verification runs again (at most
//! [`MAX_ROUNDS`] times), so nothing ever reaches DNS except through our resolver.

pub mod arc;
pub mod dkim;
pub mod dmarc;
pub mod recorded;
pub mod render;
pub mod result;
pub mod spf;
pub mod txt;

use std::net::IpAddr;
use std::sync::Arc;

use mail_auth::AuthenticatedMessage;
use serde::Serialize;

pub use result::AuthResult;

use crate::dns::Resolve;
use crate::findings::{self, Finding};
use crate::headers::{self, AnalyseError};
use crate::message::identities::domain_of;
use crate::message::source::RawMessage;
use crate::message::unwrap::Wrapper;
use spf::{Identity, SpfOutcome, SpfQuery, SpfReport};
pub use txt::RunCache;
use txt::{Answers, Fetched};

/// The JSON schema of `auth` reports.
pub const SCHEMA: &str = "mailsleuth.auth/1";

/// Verification passes per message: the first over the foreseen names, the others over the
/// names a verifier asked for beyond them.
pub const MAX_ROUNDS: usize = 3;

/// Which checks to run (`--checks`).
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    pub spf: bool,
    pub dkim: bool,
    pub dmarc: bool,
    pub arc: bool,
}

/// The time at which signature expiry (x=) is judged.
#[derive(Debug, Clone, Copy)]
pub enum At {
    /// The message's arrival: the top Received hop, else its Date, else now.
    Arrival,
    Now,
    /// A time given with `--at`, Unix seconds.
    Given(i64),
}

/// What decides the analysis, from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub headers: headers::Settings,
    pub checks: Checks,
    pub at: At,
    pub ip: Option<IpAddr>,
    pub helo: Option<String>,
    pub mail_from: Option<String>,
}

/// The time used, and why.
#[derive(Debug, Clone, Serialize)]
pub struct JudgedAt {
    pub time: String,
    /// `arrival` (top Received hop), `date` (the Date header), `now`, or `given` (--at).
    pub source: &'static str,
    pub reason: String,
}

/// The SPF inputs and where they came from.
#[derive(Debug, Clone, Serialize)]
pub struct SpfInputs {
    pub ip: Option<IpAddr>,
    pub helo: Option<String>,
    pub mail_from: Option<String>,
    /// `flags`, or which inputs came from the message (`ip from the origin hop, ...`).
    pub source: String,
}

/// One DNS answer the verdicts used (the same evidence `--dns-record` writes).
#[derive(Debug, Clone, Serialize)]
pub struct DnsUse {
    pub name: String,
    /// The TXT records, or the error (NXDOMAIN, NODATA, timed out...).
    pub answer: Vec<String>,
    pub error: Option<String>,
}

/// The report on one message.
#[derive(Debug, Clone, Serialize)]
pub struct AuthReport {
    pub input: String,
    pub index: usize,
    pub wrappers: Vec<Wrapper>,
    pub subject: Option<String>,
    pub judged_at: JudgedAt,
    pub spf_inputs: SpfInputs,
    pub spf: Option<SpfOutcome>,
    pub dkim: Vec<dkim::DkimSignature>,
    /// DKIM-Signature fields in the message (those over the limit are listed, not verified).
    pub dkim_total: usize,
    pub dmarc: Option<dmarc::DmarcOutcome>,
    pub arc: Option<arc::ArcOutcome>,
    /// What the message's own fields recorded on arrival, each beside today's verdict.
    pub recorded: Vec<recorded::Recorded>,
    /// True when any recorded verdict differs from today's for the same method and identifier.
    pub differs: bool,
    pub findings: Vec<Finding>,
    pub dns: Vec<DnsUse>,
    /// The message has no header fields, so every verdict from it is none (`auth` warns).
    #[serde(skip)]
    pub empty_header_section: bool,
}

impl AuthReport {
    /// Exit-code contribution: DMARC fails (or, without a DMARC record, SPF fails and no DKIM
    /// signature passes).
    pub fn flagged(&self) -> bool {
        let spf_fail = self
            .spf
            .as_ref()
            .is_some_and(|s| s.mail_from.result == AuthResult::Fail);
        let dkim_pass = self.dkim.iter().any(|d| d.result == AuthResult::Pass);
        match &self.dmarc {
            Some(d) if d.result == AuthResult::Fail => true,
            Some(d) if d.result != AuthResult::None => false,
            _ => spf_fail && !dkim_pass,
        }
    }

    /// A DNS failure left some verdict as temperror.
    pub fn incomplete(&self) -> bool {
        let t = AuthResult::TempError;
        self.spf.as_ref().is_some_and(|s| {
            s.mail_from.result == t || s.helo.as_ref().is_some_and(|h| h.result == t)
        }) || self.dkim.iter().any(|d| d.result == t)
            || self.dmarc.as_ref().is_some_and(|d| d.result == t)
            || self.arc.as_ref().is_some_and(|a| a.result == t)
    }
}

/// Analyses one message: headers first, then every check asked for.
pub async fn analyse(
    raw: &RawMessage<'_>,
    settings: &Settings,
    resolver: &Arc<dyn Resolve>,
    cache: &RunCache,
) -> Result<AuthReport, AnalyseError> {
    let report = headers::analyse(raw, &settings.headers)?;
    let original = report.unwrapped.as_deref().unwrap_or(&raw.bytes);
    // Signatures are computed over the message as sent, with CRLF line ends (RFC 5322
    // section 2.1); files on disk often have LF only.
    let bytes = crlf(original);
    let judged_at = judgement_time(&report, &bytes, settings.at);
    let at = u64::try_from(judged_at.1).unwrap_or(0);

    // Why a verdict has nothing to judge, when the message gives it nothing.
    const NO_FIELDS: &str = "the message has no header fields";
    let (no_ip, unread) = if report.empty_header_section {
        (NO_FIELDS, NO_FIELDS)
    } else {
        (
            "the origin hop has none",
            "no header fields mail-auth could read",
        )
    };
    let spf_inputs = spf_inputs(&report, settings);
    let mut answers = Answers::default();
    let spf = if settings.checks.spf {
        Some(run_spf(resolver, &spf_inputs, no_ip).await)
    } else {
        None
    };

    // DKIM's view parses `l=` signatures (and says what they leave unsigned); ARC's refuses
    // them, as mail-auth's strict parse does for an AMS.
    let dkim_message = AuthenticatedMessage::parse_with_opts(&bytes, None, false);
    let arc_message = if settings.checks.arc {
        AuthenticatedMessage::parse(&bytes)
    } else {
        None
    };
    let mut dkim_message = dkim_message;
    if let Some(m) = dkim_message.as_mut() {
        dkim::bound(m);
    }

    let from_domain = report
        .identities
        .dmarc_domain
        .clone()
        .map(|d| d.to_ascii_lowercase());
    let spf_domain = spf_domain(&spf_inputs);

    // Every name the verifiers are expected to ask.
    let mut names: Vec<String> = Vec::new();
    if let Some(m) = &dkim_message {
        if settings.checks.dkim || settings.checks.dmarc {
            names.extend(dkim::key_names(m));
        }
        if settings.checks.dmarc {
            let mut domains: Vec<String> = from_domain.iter().cloned().collect();
            domains.extend(spf_domain.clone());
            domains.extend(
                m.dkim_headers
                    .iter()
                    .map(|h| h.header.d.to_ascii_lowercase()),
            );
            domains.sort();
            domains.dedup();
            for d in &domains {
                names.extend(dmarc::walk_names(d));
            }
        }
    }
    if let Some(m) = &arc_message {
        names.extend(arc::key_names(m));
    }
    answers.fetch(resolver, cache, names).await;
    let mut answers = Arc::new(answers);

    let mut round = 0;
    let (dkim_outcome, dmarc_outcome, arc_outcome) = loop {
        round += 1;
        let outcome = verify_all(
            settings.checks,
            dkim_message.as_ref(),
            arc_message.as_ref(),
            &answers,
            at,
            spf.as_ref(),
            &spf_domain,
            from_domain.as_deref(),
            unread,
        )
        .await;
        let missed = answers.take_missed();
        if missed.is_empty() || round >= MAX_ROUNDS {
            break outcome;
        }
        match Arc::get_mut(&mut answers) {
            Some(a) => a.fetch(resolver, cache, missed).await,
            None => break outcome,
        }
    };

    let (mut dkim_signatures, dkim_total) = match dkim_outcome {
        Some(d) => (d.signatures, d.total),
        None => (Vec::new(), 0),
    };
    if report.wrappers.iter().any(|w| w.headers_only) {
        for sig in &mut dkim_signatures {
            sig.notes.push(
                "the report carries the original's header fields only (text/rfc822-headers): \
                 its body is not here, so no body hash can match"
                    .into(),
            );
        }
    }
    let fields = dkim_message
        .as_ref()
        .map(|m| {
            m.headers
                .iter()
                .map(|(n, v)| {
                    (
                        String::from_utf8_lossy(n).into_owned(),
                        String::from_utf8_lossy(v).into_owned(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut recorded = recorded::parse(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    compare(
        &mut recorded,
        spf.as_ref(),
        &dkim_signatures,
        dmarc_outcome.as_ref(),
        arc_outcome.as_ref(),
    );
    let differs = recorded.iter().any(|r| r.differs);

    let mut findings = Vec::new();
    for d in dkim_signatures.iter().filter(|d| !d.agree) {
        let via = d.viadkim.as_ref();
        findings.push(findings::DKIM_VERIFIERS_DISAGREE.finding(
            format!(
                "signature {} (d={}): mail-auth says {} ({}), viadkim says {} ({})",
                d.index,
                d.domain.as_deref().unwrap_or("-"),
                d.mail_auth.result,
                d.mail_auth.reason,
                via.map_or("-", |v| v.result),
                via.map_or("-", |v| v.reason.as_str()),
            ),
            None,
        ));
    }
    if dkim_total > dkim::MAX_SIGNATURES {
        findings.push(findings::DKIM_TOO_MANY_SIGNATURES.finding(
            format!(
                "{dkim_total} DKIM signatures; the first {} were verified",
                dkim::MAX_SIGNATURES
            ),
            None,
        ));
    }
    for r in recorded.iter().filter(|r| r.differs) {
        findings.push(findings::AUTH_RESULTS_DIFFER.finding(
            format!(
                "{} by {} recorded {}={}; today it is {}",
                r.header,
                r.authserv_id.as_deref().unwrap_or("-"),
                r.method,
                r.result,
                r.today.map_or("-", AuthResult::as_str)
            ),
            None,
        ));
    }

    let dns = answers
        .iter()
        .map(|(name, fetched)| match fetched {
            Fetched::Txt(records) => DnsUse {
                name: name.trim_end_matches('.').to_string(),
                answer: records
                    .iter()
                    .map(|r| crate::received::chain::clip(&String::from_utf8_lossy(r)))
                    .collect(),
                error: None,
            },
            Fetched::Failed(e) => DnsUse {
                name: name.trim_end_matches('.').to_string(),
                answer: Vec::new(),
                error: Some(e.to_string()),
            },
        })
        .collect();

    Ok(AuthReport {
        input: report.input,
        index: report.index,
        wrappers: report.wrappers,
        subject: report.summary.subject,
        judged_at: judged_at.0,
        spf_inputs,
        spf,
        dkim: dkim_signatures,
        dkim_total,
        dmarc: dmarc_outcome,
        arc: arc_outcome,
        recorded,
        differs,
        findings,
        dns,
        empty_header_section: report.empty_header_section,
    })
}

/// One pass of DKIM, ARC and DMARC over the answers fetched so far. `unread` says why when
/// mail-auth read no header field (so there is no From, no signature, no ARC set).
#[allow(clippy::too_many_arguments)]
async fn verify_all(
    checks: Checks,
    dkim_message: Option<&AuthenticatedMessage<'_>>,
    arc_message: Option<&AuthenticatedMessage<'_>>,
    answers: &Arc<Answers>,
    at: u64,
    spf: Option<&SpfOutcome>,
    spf_domain: &Option<String>,
    from_domain: Option<&str>,
    unread: &str,
) -> (
    Option<dkim::DkimOutcome>,
    Option<dmarc::DmarcOutcome>,
    Option<arc::ArcOutcome>,
) {
    let mut dkim_outcome = None;
    let mut dmarc_outcome = None;
    if let Some(m) = dkim_message.filter(|_| checks.dkim || checks.dmarc) {
        let (outcome, outputs) = dkim::verify(m, answers, at).await;
        if checks.dmarc {
            let spf_result = spf.map_or(AuthResult::None, |s| s.mail_from.result);
            let inputs = dmarc::Inputs {
                message: m,
                dkim: &outputs,
                signatures: outcome
                    .signatures
                    .iter()
                    .filter_map(|s| Some((s.domain.clone()?, s.result)))
                    .collect(),
                spf_domain: spf_domain.as_deref().unwrap_or(""),
                spf: spf_result,
                from_domain,
            };
            dmarc_outcome = Some(dmarc::verify(inputs, answers).await);
        }
        if checks.dkim {
            dkim_outcome = Some(outcome);
        }
    } else if checks.dmarc {
        dmarc_outcome = Some(dmarc::none(&format!(
            "no From domain: DMARC does not apply ({unread})"
        )));
    }
    let arc_outcome = match arc_message {
        Some(m) => Some(arc::verify(m, answers).await),
        None if checks.arc => Some(arc::ArcOutcome {
            result: AuthResult::None,
            reason: format!("no ARC sets ({unread})"),
            instances: 0,
            sets: Vec::new(),
            broken_at: None,
        }),
        None => None,
    };
    (dkim_outcome, dmarc_outcome, arc_outcome)
}

/// The message with every bare LF made CRLF.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut previous = 0u8;
    for &b in bytes {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

fn judgement_time(report: &headers::MessageReport, bytes: &[u8], at: At) -> (JudgedAt, i64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let make = |t: i64, source: &'static str, reason: String| {
        (
            JudgedAt {
                time: crate::civil::rfc3339_utc(t),
                source,
                reason,
            },
            t,
        )
    };
    match at {
        At::Now => make(now, "now", "--at now".into()),
        At::Given(t) => make(t, "given", "--at".into()),
        At::Arrival => {
            // Hops are oldest first: the top Received field is the last hop.
            if let Some(hop) = report.hops.last() {
                if let Some(t) = hop.timestamp {
                    return make(
                        t,
                        "arrival",
                        format!("the top Received field (hop {})", hop.index),
                    );
                }
            }
            let date = crate::message::header_parser()
                .parse_headers(bytes)
                .and_then(|m| m.date().map(|d| d.to_timestamp()));
            match date {
                Some(t) => make(t, "date", "no dated Received field; the Date header".into()),
                None => make(
                    now,
                    "now",
                    "no dated Received field and no readable Date".into(),
                ),
            }
        }
    }
}

fn spf_inputs(report: &headers::MessageReport, settings: &Settings) -> SpfInputs {
    let mut from_message = Vec::new();
    let ip = settings.ip.or_else(|| {
        let ip = report.origin.ip;
        from_message.push(if ip.is_some() {
            "ip from the origin hop"
        } else {
            "no client ip in the Received chain"
        });
        ip
    });
    let helo = settings.helo.clone().or_else(|| {
        let helo = report.origin.helo.clone();
        from_message.push(if helo.is_some() {
            "helo from the origin hop"
        } else {
            "no helo in the Received chain"
        });
        helo
    });
    let mail_from = settings.mail_from.clone().or_else(|| {
        let path = report.identities.return_path.as_deref().map(|r| {
            r.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        });
        from_message.push(if path.is_some() {
            "mail from from Return-Path"
        } else {
            "no Return-Path, so no mail from"
        });
        path
    });
    let source = if from_message.is_empty() {
        "flags".to_string()
    } else {
        from_message.join(", ")
    };
    SpfInputs {
        ip,
        helo,
        mail_from,
        source,
    }
}

/// The SPF domain DMARC aligns: MAIL FROM's, or HELO's for the null sender (RFC 7208
/// section 2.4); none when MAIL FROM is unknown.
fn spf_domain(inputs: &SpfInputs) -> Option<String> {
    let domain = match inputs.mail_from.as_deref()? {
        "" => inputs.helo.clone()?,
        address => domain_of(address)?.to_string(),
    };
    Some(domain.to_ascii_lowercase())
}

/// A verdict of `none` for an identity SPF could not be asked about (no client IP, for the
/// reason `no_ip`).
fn missing_report(identity: Identity, no_ip: &str) -> SpfReport {
    SpfReport {
        identity,
        domain: String::new(),
        result: AuthResult::None,
        reason: format!("no client IP: {no_ip}; give --ip"),
        sender: String::new(),
        record: None,
        mechanism: None,
        explanation: None,
        lookups: 0,
        void_lookups: 0,
        trace: Vec::new(),
    }
}

async fn run_spf(resolver: &Arc<dyn Resolve>, inputs: &SpfInputs, no_ip: &str) -> SpfOutcome {
    let Some(ip) = inputs.ip else {
        return SpfOutcome {
            mail_from: missing_report(Identity::MailFrom, no_ip),
            helo: inputs
                .helo
                .as_ref()
                .map(|_| missing_report(Identity::Helo, no_ip)),
        };
    };
    let query = SpfQuery {
        ip,
        helo: inputs.helo.clone(),
        mail_from: inputs.mail_from.clone(),
    };
    let mut outcome = spf::evaluate(resolver.as_ref(), &query).await;
    if inputs.mail_from.is_none() {
        // Unknown is not the null sender: judging postmaster@HELO as MAIL FROM would invent
        // an identity the message does not show.
        outcome.mail_from = SpfReport {
            domain: String::new(),
            result: AuthResult::None,
            reason: "MAIL FROM unknown: the message has no Return-Path; give --mail-from".into(),
            ..missing_report(Identity::MailFrom, no_ip)
        };
    }
    outcome
}

/// Sets `today` and `differs` on each recorded result whose method and identifier today's
/// verdicts cover.
fn compare(
    recorded: &mut [recorded::Recorded],
    spf: Option<&SpfOutcome>,
    dkim: &[dkim::DkimSignature],
    dmarc: Option<&dmarc::DmarcOutcome>,
    arc: Option<&arc::ArcOutcome>,
) {
    for r in recorded.iter_mut() {
        let property = |key: &str| {
            r.properties
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.to_ascii_lowercase())
        };
        r.today = match r.method.as_str() {
            "spf" => spf.map(|s| s.mail_from.result),
            "dmarc" => dmarc.map(|d| d.result),
            "arc" => arc.map(|a| a.result),
            "dkim" => {
                let d = property("header.d").or_else(|| {
                    property("header.i").and_then(|i| domain_of(&i).map(str::to_string))
                });
                let s = property("header.s");
                let matching: Vec<&dkim::DkimSignature> = dkim
                    .iter()
                    .filter(|sig| {
                        d.as_deref().is_none_or(|d| {
                            sig.domain
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case(d))
                        }) && s.as_deref().is_none_or(|s| {
                            sig.selector
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case(s))
                        })
                    })
                    .collect();
                match matching.as_slice() {
                    [one] => Some(one.result),
                    _ => None,
                }
            }
            _ => None,
        };
        r.differs = r
            .today
            .is_some_and(|t| !t.as_str().eq_ignore_ascii_case(&r.result));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{Faults, Resolver, ResolverOptions, ZoneServer};
    use crate::received::{boundary::Boundary, chain::Limits};

    /// A mutation fuzzer in miniature, as for `headers`: signed messages (DKIM, and an ARC
    /// chain) cut, flipped and spliced, verified against a real zone server, never panic.
    #[test]
    fn mutated_signed_messages_never_panic() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let server = ZoneServer::start(&[root.join("auth/dns")], Faults::new()).unwrap();
        let resolver: Arc<dyn Resolve> = Arc::new(
            Resolver::new(ResolverOptions {
                servers: vec![server.addr()],
                timeout: std::time::Duration::from_millis(500),
                attempts: 1,
                concurrency: 64,
            })
            .unwrap(),
        );
        let arc =
            std::fs::read_to_string(root.join("conformance/arc/arc-draft-validation-tests.yml"))
                .unwrap();
        let arc_message: String = arc[arc.find("  cv_pass_i2_1:").unwrap()..]
            .lines()
            .skip_while(|l| !l.contains("message:"))
            .skip(1)
            .take_while(|l| !l.trim_start().starts_with("cv:"))
            .map(|l| format!("{}\n", l.get(6..).unwrap_or("")))
            .collect();
        let seeds: Vec<Vec<u8>> = vec![
            std::fs::read(root.join("auth/signed.eml")).unwrap(),
            std::fs::read(root.join("auth/tampered.eml")).unwrap(),
            arc_message.into_bytes(),
        ];
        let settings = Settings {
            headers: headers::Settings {
                boundary: Boundary::new(&[]).unwrap(),
                limits: Limits {
                    max_delay: 3600,
                    max_skew: 300,
                },
                max_date_skew: 7200,
                empty: crate::message::EmptyHeaders::Accept,
            },
            checks: Checks {
                spf: false,
                dkim: true,
                dmarc: true,
                arc: true,
            },
            at: At::Arrival,
            ip: None,
            helo: None,
            mail_from: None,
        };
        let runtime = crate::dns::runtime().unwrap();
        let cache = RunCache::default();
        let mut mutator = crate::mutate::Mutator::new(0x2545_f491_4f6c_dd1du64);
        const NASTY: &[&[u8]] = &[
            b";",
            b"=",
            b";;",
            b"\n",
            b"\r\n",
            b"\n\t",
            b"\xff",
            b"\x00",
            b"d=",
            b"h=",
            b"l=1;",
            b"x=1;",
            b"i=0;",
            b"cv=fail;",
            b"b=;",
            b"a=rsa-sha1;",
            b":",
            b"DKIM-Signature: v=1;\n",
            b"ARC-Seal: i=1;\n",
        ];
        let mut analysed = 0;
        assert!(
            seeds[2].starts_with(b"MIME-Version"),
            "the ARC seed was not found"
        );
        for round in 0..3000 {
            let seed = &seeds[round % seeds.len()];
            let data = mutator.mutate(seed, NASTY, 6);
            let raw = RawMessage {
                input: "fuzz",
                index: round,
                bytes: data,
                truncated: false,
            };
            if let Ok(report) = runtime.block_on(analyse(&raw, &settings, &resolver, &cache)) {
                analysed += 1;
                serde_json::to_string(&report).unwrap();
            }
        }
        assert!(analysed > 2500, "{analysed}");
    }
}
