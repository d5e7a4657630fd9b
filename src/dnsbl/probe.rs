//! The RFC 5782 section 5 probe: before checking anything, each zone must list its test entry
//! (127.0.0.2, or a domain list's test name) and must not list the other (127.0.0.1, `invalid`).
//!
//! Every run probes every zone it will use (two queries per zone, cheap next to even one
//! address's checks). A zone that fails is stopped for the run: a resolver that rewrites
//! NXDOMAIN would make every address "listed", and a list that refuses the resolver (Spamhaus
//! 127.255.255.254) would make every address an error, so one clear message beats thousands.

use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;

use crate::dns::reverse_prefix;
use crate::dns::{RecordType, Resolve};
use crate::dnsbl::catalogue::Zone;
use crate::dnsbl::decode::{decode, Decoded};

/// How a zone's probe went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeStatus {
    /// Both test entries answered as RFC 5782 requires.
    Ok,
    /// The zone is stopped for this run; `reason` says why.
    Failed,
    /// The zone has no test entries; it is used unprobed.
    Skipped,
}

/// The probe of one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeResult {
    pub zone: String,
    pub status: ProbeStatus,
    pub reason: Option<String>,
}

/// Probes one zone with its two test entries.
pub async fn probe(resolver: Arc<dyn Resolve>, zone: Arc<Zone>) -> ProbeResult {
    let result = |status, reason: Option<String>| ProbeResult {
        zone: zone.name.clone(),
        status,
        reason,
    };
    let Some((listed, not_listed)) = zone.probe.clone() else {
        return result(
            ProbeStatus::Skipped,
            Some("no RFC 5782 test entries are known for this zone".into()),
        );
    };
    let key = |entry: &str| match entry.parse::<IpAddr>() {
        Ok(ip) => reverse_prefix(ip),
        Err(_) => entry.to_string(),
    };
    let answer = resolver
        .lookup(&zone.query_name(&key(&listed)), RecordType::A)
        .await;
    match decode(&zone, &answer) {
        Decoded::Listed { .. } => {}
        Decoded::NotListed => {
            return result(
                ProbeStatus::Failed,
                Some(format!(
                    "test entry {listed} is not listed: the zone is not answering as a DNS list \
                     (dead, renamed, or refusing this resolver)"
                )),
            )
        }
        Decoded::Error { error, .. } => {
            return result(
                ProbeStatus::Failed,
                Some(format!("test entry {listed}: {error}")),
            )
        }
    }
    let answer = resolver
        .lookup(&zone.query_name(&key(&not_listed)), RecordType::A)
        .await;
    match decode(&zone, &answer) {
        Decoded::NotListed => result(ProbeStatus::Ok, None),
        Decoded::Listed { codes, .. } => {
            let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
            result(
                ProbeStatus::Failed,
                Some(format!(
                    "{not_listed} must never be listed but answered {}: the resolver rewrites \
                     NXDOMAIN answers or the zone lists everything, so its answers cannot be trusted",
                    codes.join(", ")
                )),
            )
        }
        Decoded::Error { codes, error } => {
            let rewriting = if codes.is_empty() {
                ""
            } else {
                " (an answer where NXDOMAIN is required: the resolver may rewrite NXDOMAIN)"
            };
            result(
                ProbeStatus::Failed,
                Some(format!("test entry {not_listed}: {error}{rewriting}")),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::LookupError;
    use crate::dnsbl::catalogue::Catalogue;
    use crate::dnsbl::fake::FakeResolver;

    fn zone(id: &str) -> Arc<Zone> {
        let catalogue = match Catalogue::builtin() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        match catalogue.zones().iter().find(|z| z.id == id) {
            Some(z) => Arc::new(z.clone()),
            None => panic!("no zone {id}"),
        }
    }

    async fn run(fake: FakeResolver, id: &str) -> ProbeResult {
        probe(Arc::new(fake), zone(id)).await
    }

    #[tokio::test]
    async fn a_healthy_zone_passes() {
        let fake =
            FakeResolver::new().a("2.0.0.127.zen.spamhaus.org", &["127.0.0.2", "127.0.0.10"]);
        let p = run(fake, "zen").await;
        assert_eq!((p.status, p.reason), (ProbeStatus::Ok, None));
        let fake = FakeResolver::new().a("dbltest.com.dbl.spamhaus.org", &["127.0.1.2"]);
        assert_eq!(run(fake, "dbl").await.status, ProbeStatus::Ok);
    }

    #[tokio::test]
    async fn missing_test_entry_stops_the_zone() {
        let p = run(FakeResolver::new(), "spamcop").await;
        assert_eq!(p.status, ProbeStatus::Failed);
        assert_eq!(
            p.reason.as_deref(),
            Some("test entry 127.0.0.2 is not listed: the zone is not answering as a DNS list (dead, renamed, or refusing this resolver)")
        );
    }

    #[tokio::test]
    async fn public_resolver_refusal_stops_the_zone() {
        let fake = FakeResolver::new().a("2.0.0.127.zen.spamhaus.org", &["127.255.255.254"]);
        let p = run(fake, "zen").await;
        assert_eq!(p.status, ProbeStatus::Failed);
        let reason = p.reason.unwrap_or_default();
        assert!(reason.starts_with("test entry 127.0.0.2: 127.255.255.254: Spamhaus: query sent through a public/open resolver"), "{reason}");
    }

    #[tokio::test]
    async fn nxdomain_rewriting_is_detected() {
        // A listed-looking answer for 127.0.0.1: the resolver or zone answers everything.
        let fake = FakeResolver::new()
            .a("2.0.0.127.bl.spamcop.net", &["127.0.0.2"])
            .a("1.0.0.127.bl.spamcop.net", &["127.0.0.2"]);
        let p = run(fake, "spamcop").await;
        assert_eq!(p.status, ProbeStatus::Failed);
        assert_eq!(
            p.reason.as_deref(),
            Some("127.0.0.1 must never be listed but answered 127.0.0.2: the resolver rewrites NXDOMAIN answers or the zone lists everything, so its answers cannot be trusted")
        );
        // An ISP resolver answering NXDOMAIN with its search page address.
        let fake = FakeResolver::new()
            .a("2.0.0.127.bl.spamcop.net", &["127.0.0.2"])
            .a("1.0.0.127.bl.spamcop.net", &["198.51.100.80"]);
        let reason = run(fake, "spamcop").await.reason.unwrap_or_default();
        assert!(
            reason.contains("unexpected answer 198.51.100.80") && reason.contains("rewrit"),
            "{reason}"
        );
        let fake = FakeResolver::new()
            .a("2.0.0.127.bl.spamcop.net", &["198.51.100.80"])
            .a("1.0.0.127.bl.spamcop.net", &["198.51.100.80"]);
        let reason = run(fake, "spamcop").await.reason.unwrap_or_default();
        assert!(
            reason.starts_with("test entry 127.0.0.2: unexpected answer 198.51.100.80"),
            "{reason}"
        );
    }

    #[tokio::test]
    async fn timeouts_stop_the_zone_too() {
        let fake = FakeResolver::new().fail(
            "2.0.0.127.psbl.surriel.com",
            RecordType::A,
            LookupError::Timeout,
        );
        let p = run(fake, "psbl").await;
        assert_eq!(p.status, ProbeStatus::Failed);
        assert_eq!(
            p.reason.as_deref(),
            Some("test entry 127.0.0.2: psbl.surriel.com look-up failed: timed out")
        );
    }

    #[tokio::test]
    async fn zones_without_test_entries_are_skipped_with_a_reason() {
        let mut c = Catalogue::default();
        let toml = "[[zone]]\nid = \"rhs\"\nname = \"rhs.example.net\"\nkind = \"domain_block\"\ndecode = \"codes\"\ncodes = [{ code = \"127.0.0.2\", meaning = \"m\" }]\n";
        assert_eq!(c.add_toml("z.toml", toml), Ok(()));
        let z = Arc::new(c.zones()[0].clone());
        let fake = Arc::new(FakeResolver::new());
        let p = probe(fake.clone(), z).await;
        assert_eq!(p.status, ProbeStatus::Skipped);
        assert!(fake.queries().is_empty());
    }
}
