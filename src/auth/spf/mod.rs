//! SPF (RFC 7208) evaluated by our own code over `dns::Resolve`, because the explain view needs
//! what mail-auth does not give: the record text, the matched mechanism, the lookup and
//! void-lookup counts and the whole evaluation trace.
//!
//! CONTRACT (shared with `auth`): the public items below keep these names and fields; the SPF
//! work may add fields and items.

use std::net::IpAddr;

use serde::Serialize;

use crate::auth::AuthResult;
use crate::dns::Resolve;

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
}

/// SPF for the MAIL FROM identity and, when a HELO name is known, for HELO separately.
#[derive(Debug, Clone, Serialize)]
pub struct SpfOutcome {
    pub mail_from: SpfReport,
    pub helo: Option<SpfReport>,
}

/// Evaluates SPF for both identities of `query`.
pub async fn evaluate(resolver: &dyn Resolve, query: &SpfQuery) -> SpfOutcome {
    let _ = (resolver, query);
    unimplemented!("SPF evaluator: being written (issue 4)")
}
