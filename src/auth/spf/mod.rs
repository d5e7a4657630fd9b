//! SPF (RFC 7208) evaluated by our own code over `dns::Resolve`, because the explain view needs
//! what mail-auth does not give: the record text, the matched mechanism, the lookup and
//! void-lookup counts and the whole evaluation trace.
//!
//! CONTRACT (shared with `auth`): the public items below keep these names and fields; the SPF
//! work may add fields and items.
//!
//! - `record.rs` parses a record (section 4.6 and 5), `macros.rs` parses and expands macro
//!   strings (section 7), `eval.rs` is check_host() with its limits (sections 4 to 6),
//!   `trace.rs` holds the trace it records, and `render.rs` draws reports for the terminal.
//! - [`evaluate`] holds no state outside its future: dropping it cancels the evaluation
//!   cleanly, and the future is `Send`.

mod eval;
mod macros;
mod record;
pub mod render;
mod trace;

use std::net::IpAddr;

use serde::Serialize;

use crate::auth::AuthResult;
use crate::dns::Resolve;

pub use eval::{MAX_LOOKUPS, MAX_VOID_LOOKUPS};
pub use trace::{Evaluation, Query, Term, TermOutcome};

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
    let domain = a_labels(domain);
    let helo_ascii = a_labels(helo);
    let mail_from = check_identity(
        resolver,
        ip,
        Identity::MailFrom,
        local,
        &domain,
        &helo_ascii,
    )
    .await;
    let helo = match &query.helo {
        Some(_) => Some(
            check_identity(
                resolver,
                ip,
                Identity::Helo,
                "postmaster",
                &helo_ascii,
                &helo_ascii,
            )
            .await,
        ),
        None => None,
    };
    SpfOutcome { mail_from, helo }
}

/// A domain in the form DNS and SPF records use: internationalised labels (an SMTPUTF8 sender)
/// as A-labels (`xn--...`). Text that is not a valid IDN is kept, and check_host() then finds it
/// malformed.
fn a_labels(domain: &str) -> String {
    if domain.is_ascii() {
        return domain.to_string();
    }
    idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{LookupError, Rdata, RecordType};
    use crate::dnsbl::fake::FakeResolver;

    fn query(ip: &str, mail_from: &str) -> SpfQuery {
        SpfQuery {
            ip: ip.parse().unwrap(),
            helo: None,
            mail_from: Some(mail_from.to_string()),
        }
    }

    async fn check(dns: &FakeResolver, ip: &str, mail_from: &str) -> SpfReport {
        evaluate(dns, &query(ip, mail_from)).await.mail_from
    }

    #[test]
    fn the_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let dns = FakeResolver::new();
        let q = query("192.0.2.1", "a@example.com");
        let future = evaluate(&dns, &q);
        assert_send(&future);
    }

    #[tokio::test]
    async fn lookup_limit_counts_includes_across_records() {
        let mut dns = FakeResolver::new();
        for i in 0..11 {
            dns = dns.txt(
                &format!("d{i}.example.com"),
                &format!("v=spf1 include:d{}.example.com -all", i + 1),
            );
        }
        let r = check(&dns, "192.0.2.1", "a@d0.example.com").await;
        assert_eq!(r.result, AuthResult::PermError, "{}", r.reason);
        assert_eq!(r.lookups, MAX_LOOKUPS + 1);
        assert!(r.reason.contains("more than 10"), "{}", r.reason);
        // Exactly 10 is allowed.
        let dns = FakeResolver::new()
            .txt(
                "ten.example.com",
                "v=spf1 a a a a a a a a a a ip4:192.0.2.1 -all",
            )
            .a("ten.example.com", &["198.51.100.1"]);
        let r = check(&dns, "192.0.2.1", "a@ten.example.com").await;
        assert_eq!((r.result, r.lookups), (AuthResult::Pass, 10));
    }

    #[tokio::test]
    async fn void_lookup_limit() {
        let dns = FakeResolver::new()
            .txt(
                "two.example.com",
                "v=spf1 a:x.example.com mx:y.example.com ?all",
            )
            .txt(
                "three.example.com",
                "v=spf1 a:x.example.com mx:y.example.com exists:z.example.com ?all",
            );
        let r = check(&dns, "192.0.2.1", "a@two.example.com").await;
        assert_eq!((r.result, r.void_lookups), (AuthResult::Neutral, 2));
        let r = check(&dns, "192.0.2.1", "a@three.example.com").await;
        assert_eq!((r.result, r.void_lookups), (AuthResult::PermError, 3));
    }

    #[tokio::test]
    async fn mx_and_ptr_name_limits() {
        let mut dns = FakeResolver::new()
            .txt("many.example.com", "v=spf1 mx -all")
            .txt("ptr.example.com", "v=spf1 ptr -all");
        for i in 0..11 {
            dns.push(
                "many.example.com",
                RecordType::Mx,
                Rdata::Mx {
                    preference: i,
                    exchange: format!("mx{i}.example.com"),
                },
            );
        }
        // The eleventh PTR name would match, but only ten are looked at.
        let names: Vec<String> = (0..11).map(|i| format!("h{i}.ptr.example.com")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let dns = dns
            .ptr("192.0.2.9", &names)
            .a("h10.ptr.example.com", &["192.0.2.9"]);
        let r = check(&dns, "192.0.2.9", "a@many.example.com").await;
        assert_eq!(r.result, AuthResult::PermError);
        assert!(r.reason.contains("11 MX records"), "{}", r.reason);
        let r = check(&dns, "192.0.2.9", "a@ptr.example.com").await;
        assert_eq!(r.result, AuthResult::Fail, "{}", r.reason);
        let lookups = dns
            .queries()
            .iter()
            .filter(|(n, _)| n.starts_with('h'))
            .count();
        assert_eq!(lookups, 10);
    }

    #[tokio::test]
    async fn dns_failures() {
        let dns = FakeResolver::new()
            .txt("t.example.com", "v=spf1 a:down.example.com -all")
            .fail("down.example.com", RecordType::A, LookupError::Timeout)
            .txt("p.example.com", "v=spf1 ptr ?all")
            .fail(
                "1.2.0.192.in-addr.arpa",
                RecordType::Ptr,
                LookupError::ServFail,
            )
            .fail("s.example.com", RecordType::Txt, LookupError::ServFail);
        let r = check(&dns, "192.0.2.1", "a@t.example.com").await;
        assert_eq!(r.result, AuthResult::TempError);
        assert_eq!(r.mechanism.as_deref(), Some("a:down.example.com"));
        // RFC 7208 5.5: a PTR look-up error means no match, not temperror.
        let r = check(&dns, "192.0.2.1", "a@p.example.com").await;
        assert_eq!(r.result, AuthResult::Neutral);
        let r = check(&dns, "192.0.2.1", "a@s.example.com").await;
        assert_eq!(r.result, AuthResult::TempError);
    }

    #[tokio::test]
    async fn explanation_is_fetched_only_on_fail() {
        let dns = FakeResolver::new()
            .txt("soft.example.com", "v=spf1 ~all exp=why.example.com")
            .txt("hard.example.com", "v=spf1 -all exp=why.example.com")
            .txt("why.example.com", "%{i} may not send as %{s}");
        let r = check(&dns, "192.0.2.1", "a@soft.example.com").await;
        assert_eq!(
            (r.result, r.explanation.as_deref()),
            (AuthResult::SoftFail, None)
        );
        assert!(!dns.queries().iter().any(|(n, _)| n == "why.example.com"));
        let r = check(&dns, "192.0.2.1", "a@hard.example.com").await;
        assert_eq!(
            r.explanation.as_deref(),
            Some("192.0.2.1 may not send as a@hard.example.com")
        );
    }

    #[tokio::test]
    async fn identities() {
        let dns = FakeResolver::new()
            .txt("mail.example.com", "v=spf1 a -all")
            .a("mail.example.com", &["192.0.2.1"])
            .txt("example.com", "v=spf1 include:none.example.com -all");
        let q = SpfQuery {
            ip: "::ffff:192.0.2.1".parse().unwrap(),
            helo: Some("mail.example.com".into()),
            mail_from: Some(String::new()),
        };
        let out = evaluate(&dns, &q).await;
        assert_eq!(out.mail_from.sender, "postmaster@mail.example.com");
        assert_eq!(out.mail_from.result, AuthResult::Pass);
        assert_eq!(out.helo.unwrap().result, AuthResult::Pass);
        // An include of a domain without a record is a permerror; a sender without a local
        // part is postmaster.
        let r = check(&dns, "192.0.2.1", "@example.com").await;
        assert_eq!(r.sender, "postmaster@example.com");
        assert_eq!(r.result, AuthResult::PermError, "{}", r.reason);
        let dns = dns.txt("xn--bcher-kva.example", "v=spf1 ip4:192.0.2.1 -all");
        let r = check(&dns, "192.0.2.1", "a@bücher.example").await;
        assert_eq!(
            (r.result, r.domain.as_str()),
            (AuthResult::Pass, "xn--bcher-kva.example")
        );
        let r = check(&dns, "192.0.2.1", "a@[192.0.2.1]").await;
        assert_eq!(r.result, AuthResult::None);
        assert!(dns.queries().iter().all(|(n, _)| !n.contains('[')));
    }
}
