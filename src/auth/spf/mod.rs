//! SPF (RFC 7208) evaluated by our own code over `dns::Resolve`, because the explain view needs
//! what mail-auth does not give: the record text, the matched mechanism, the lookup and
//! void-lookup counts and the whole evaluation trace.
//!
//! CONTRACT (shared with `auth`): the public items below keep these names and fields; the SPF
//! work may add fields and items.
//!
//! - `record.rs` parses a record (section 4.6 and 5), `macros.rs` parses and expands macro
//!   strings (section 7), `eval.rs` is check_host() with its limits (sections 4 to 6), and
//!   `trace.rs` holds the trace it records.
//! - [`evaluate`] holds no state outside its future: dropping it cancels the evaluation
//!   cleanly, and the future is `Send`.

mod eval;
mod macros;
mod record;
mod trace;

use std::net::IpAddr;

use serde::Serialize;

use crate::auth::AuthResult;
use crate::dns::Resolve;

pub use eval::{MAX_LOOKUPS, MAX_VOID_LOOKUPS};
pub use trace::{render_tree, Evaluation, Outcome, Query, Term};

/// Which identity was checked (RFC 7208 section 2.3 / 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    MailFrom,
    Helo,
}

/// The inputs of check_host(): the client address, the HELO name, the MAIL FROM address
/// (empty for the null sender `<>`, which is then checked as `postmaster@HELO`).
#[derive(Debug, Clone)]
pub struct SpfQuery {
    pub ip: IpAddr,
    pub helo: Option<String>,
    pub mail_from: Option<String>,
}

/// One identity's verdict with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct SpfReport {
    pub identity: Identity,
    /// The domain whose policy was evaluated.
    pub domain: String,
    pub result: AuthResult,
    /// One sentence saying why ("ip4:192.0.2.0/24 matched in example.com's record").
    pub reason: String,
    /// The sender checked: `local@domain`, `postmaster@HELO` for the null sender and HELO.
    pub sender: String,
    /// The text of the record whose term decided the result (after any redirect).
    pub record: Option<String>,
    /// The term that decided the result, as written (`-all`, `include:_spf.example.com`).
    pub mechanism: Option<String>,
    /// The domain's explanation (exp=), fetched and expanded only for fail.
    pub explanation: Option<String>,
    /// DNS-querying terms evaluated, against [`MAX_LOOKUPS`].
    pub lookups: u32,
    /// Look-ups that found nothing, against [`MAX_VOID_LOOKUPS`].
    pub void_lookups: u32,
    /// The evaluation tree: the identity's domain, with includes and redirects nested.
    pub trace: Vec<Evaluation>,
}

/// SPF for the MAIL FROM identity and, when a HELO name is known, for HELO separately.
#[derive(Debug, Clone, Serialize)]
pub struct SpfOutcome {
    pub mail_from: SpfReport,
    pub helo: Option<SpfReport>,
}

/// Evaluates SPF for both identities of `query`. The MAIL FROM identity of the null sender
/// (`mail_from` empty, `<>` or absent) is `postmaster@HELO` (RFC 7208 2.4).
pub async fn evaluate(resolver: &dyn Resolve, query: &SpfQuery) -> SpfOutcome {
    let ip = crate::ip::canonical(query.ip);
    let helo = query.helo.as_deref().unwrap_or("");
    let mail_from = query
        .mail_from
        .as_deref()
        .map(|m| m.trim().trim_start_matches('<').trim_end_matches('>'))
        .unwrap_or("");
    let (local, domain) = if mail_from.is_empty() {
        ("postmaster", helo)
    } else {
        match mail_from.rsplit_once('@') {
            // Section 4.3: an empty local-part is "postmaster".
            Some(("", domain)) => ("postmaster", domain),
            Some((local, domain)) => (local, domain),
            None => ("postmaster", mail_from),
        }
    };
    let mail_from = check_identity(resolver, ip, Identity::MailFrom, local, domain, helo).await;
    let helo = match &query.helo {
        Some(name) => {
            Some(check_identity(resolver, ip, Identity::Helo, "postmaster", name, name).await)
        }
        None => None,
    };
    SpfOutcome { mail_from, helo }
}

async fn check_identity(
    resolver: &dyn Resolve,
    ip: IpAddr,
    identity: Identity,
    local: &str,
    domain: &str,
    helo: &str,
) -> SpfReport {
    let mut checker = eval::Checker::new(resolver, ip, local, domain, helo);
    let verdict = checker.check_host(domain, true).await;
    SpfReport {
        identity,
        domain: domain.to_string(),
        result: verdict.result,
        reason: verdict.reason,
        sender: format!("{local}@{domain}"),
        record: verdict.record,
        mechanism: verdict.mechanism,
        explanation: verdict.explanation,
        lookups: checker.lookups,
        void_lookups: checker.void_lookups,
        trace: vec![verdict.trace],
    }
}
