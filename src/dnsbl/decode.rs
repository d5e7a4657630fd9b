//! Reading one zone's answer: listed (with decoded meaning), not listed, or error.
//!
//! Three states, never two (RFC 5782 2.1, 2.3): NXDOMAIN or NODATA is "not listed"; documented
//! codes are "listed"; documented error codes, answers outside the zone's documented codes and
//! every temporary DNS failure are errors, so a refused or broken query is never read as either.

use std::net::Ipv4Addr;

use crate::dns::{LookupError, LookupResult, Rdata};
use crate::dnsbl::catalogue::{Decoding, Zone};

/// The reading of one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    Listed {
        codes: Vec<Ipv4Addr>,
        meaning: String,
    },
    NotListed,
    Error {
        /// The answers that made it an error (empty for DNS failures).
        codes: Vec<Ipv4Addr>,
        error: String,
    },
}

/// Reads the result of the A query for one key in `zone`.
pub fn decode(zone: &Zone, result: &LookupResult) -> Decoded {
    let answer = match result {
        Ok(answer) => answer,
        Err(LookupError::NxDomain | LookupError::NoData) => return Decoded::NotListed,
        Err(e) => {
            return Decoded::Error {
                codes: Vec::new(),
                error: format!("{} look-up failed: {e}", zone.name),
            }
        }
    };
    let mut codes: Vec<Ipv4Addr> = answer
        .records
        .iter()
        .filter_map(|r| match r.data {
            Rdata::A(a) => Some(a),
            _ => None,
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    if codes.is_empty() {
        // A positive answer without A records is NODATA in effect (e.g. only a CNAME).
        return Decoded::NotListed;
    }
    let errors: Vec<String> = codes
        .iter()
        .filter_map(|code| {
            zone.errors
                .iter()
                .find(|e| e.value == *code)
                .map(|e| format!("{code}: {}", e.meaning))
        })
        .collect();
    if !errors.is_empty() {
        return Decoded::Error {
            codes,
            error: errors.join("; "),
        };
    }
    let mut meanings: Vec<String> = Vec::with_capacity(codes.len());
    for code in &codes {
        match listing_meaning(&zone.decoding, *code) {
            Some(meaning) => {
                if !meanings.contains(&meaning) {
                    meanings.push(meaning);
                }
            }
            None => {
                let hint = if code.octets()[0] == 127 {
                    ""
                } else {
                    " (outside 127.0.0.0/8: the resolver may be rewriting NXDOMAIN answers)"
                };
                return Decoded::Error {
                    error: format!("unexpected answer {code} for zone {}{hint}", zone.name),
                    codes,
                };
            }
        }
    }
    Decoded::Listed {
        codes,
        meaning: meanings.join("; "),
    }
}

/// The documented meaning of a listing answer, or None when the zone does not use that code.
pub(crate) fn listing_meaning(decoding: &Decoding, answer: Ipv4Addr) -> Option<String> {
    let [a, b, c, d] = answer.octets();
    match decoding {
        Decoding::Codes(codes) => codes
            .iter()
            .find(|k| k.value == answer)
            .map(|k| k.meaning.clone()),
        Decoding::Bitmask(bits) => {
            if [a, b, c] != [127, 0, 0] || d == 0 {
                return None;
            }
            let known = bits.iter().fold(0u8, |acc, bit| acc | bit.value);
            if d & !known != 0 {
                return None;
            }
            let parts: Vec<&str> = bits
                .iter()
                .filter(|bit| d & bit.value != 0)
                .map(|bit| bit.meaning.as_str())
                .collect();
            Some(parts.join("; "))
        }
        Decoding::Dnswl { categories, trust } => {
            if [a, b] != [127, 0] {
                return None;
            }
            let category = categories.iter().find(|k| k.value == c)?;
            let level = trust.iter().find(|k| k.value == d)?;
            Some(format!("{}, {}", category.meaning, level.meaning))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{Answer, Record, RecordType};
    use crate::dnsbl::catalogue::Catalogue;

    fn zone(id: &str) -> Zone {
        let catalogue = match Catalogue::builtin() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        match catalogue.zones().iter().find(|z| z.id == id) {
            Some(z) => z.clone(),
            None => panic!("no zone {id}"),
        }
    }

    fn answer(codes: &[&str]) -> LookupResult {
        let records = codes
            .iter()
            .map(|c| Record {
                name: "x".into(),
                ttl: 60,
                data: Rdata::A(c.parse().unwrap_or(Ipv4Addr::UNSPECIFIED)),
            })
            .collect();
        Ok(Answer {
            name: "x".into(),
            rtype: RecordType::A,
            records,
        })
    }

    fn listed(zone: &Zone, codes: &[&str]) -> String {
        match decode(zone, &answer(codes)) {
            Decoded::Listed { meaning, .. } => meaning,
            other => panic!("{codes:?} on {}: {other:?}", zone.name),
        }
    }

    fn error(zone: &Zone, codes: &[&str]) -> String {
        match decode(zone, &answer(codes)) {
            Decoded::Error { error, .. } => error,
            other => panic!("{codes:?} on {}: {other:?}", zone.name),
        }
    }

    #[test]
    fn zen_decodes_every_documented_code() {
        let zen = zone("zen");
        let cases = [
            ("127.0.0.2", "SBL:"),
            ("127.0.0.3", "CSS:"),
            ("127.0.0.4", "XBL:"),
            ("127.0.0.5", "XBL:"),
            ("127.0.0.6", "XBL:"),
            ("127.0.0.7", "XBL:"),
            ("127.0.0.9", "DROP:"),
            ("127.0.0.10", "PBL (ISP maintained)"),
            ("127.0.0.11", "PBL (Spamhaus maintained)"),
        ];
        for (code, prefix) in cases {
            let meaning = listed(&zen, &[code]);
            assert!(meaning.starts_with(prefix), "{code}: {meaning}");
        }
        // Several answers: codes sorted, meanings joined in code order.
        match decode(&zen, &answer(&["127.0.0.10", "127.0.0.2", "127.0.0.4"])) {
            Decoded::Listed { codes, meaning } => {
                assert_eq!(
                    codes,
                    [
                        Ipv4Addr::new(127, 0, 0, 2),
                        Ipv4Addr::new(127, 0, 0, 4),
                        Ipv4Addr::new(127, 0, 0, 10)
                    ]
                );
                assert!(
                    meaning.starts_with("SBL:")
                        && meaning.contains("; XBL:")
                        && meaning.contains("; PBL (ISP"),
                    "{meaning}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn spamhaus_error_codes_are_errors_never_listings() {
        let zen = zone("zen");
        assert!(error(&zen, &["127.255.255.252"]).contains("typing error"));
        assert!(error(&zen, &["127.255.255.254"]).contains("public/open resolver"));
        assert!(error(&zen, &["127.255.255.255"]).contains("excessive number of queries"));
        // An error code beside a listing code still makes the whole answer an error.
        match decode(&zen, &answer(&["127.0.0.2", "127.255.255.254"])) {
            Decoded::Error { codes, error } => {
                assert_eq!(codes.len(), 2);
                assert!(error.starts_with("127.255.255.254: Spamhaus"), "{error}");
            }
            other => panic!("{other:?}"),
        }
        let dbl = zone("dbl");
        assert!(error(&dbl, &["127.0.1.255"]).contains("IP queries prohibited"));
        assert!(error(&dbl, &["127.255.255.254"]).contains("public/open resolver"));
    }

    #[test]
    fn unexpected_answers_are_errors_with_a_hint_for_nxdomain_rewriting() {
        let zen = zone("zen");
        assert_eq!(
            error(&zen, &["127.0.0.8"]),
            "unexpected answer 127.0.0.8 for zone zen.spamhaus.org"
        );
        assert_eq!(
            error(&zen, &["198.51.100.80"]),
            "unexpected answer 198.51.100.80 for zone zen.spamhaus.org (outside 127.0.0.0/8: the resolver may be rewriting NXDOMAIN answers)"
        );
        assert!(error(&zen, &["127.0.0.2", "127.0.0.99"]).contains("127.0.0.99"));
        assert!(error(&zone("spamcop"), &["127.0.0.3"]).contains("bl.spamcop.net"));
    }

    #[test]
    fn dbl_decodes_every_documented_code() {
        let dbl = zone("dbl");
        for (code, want) in [
            ("127.0.1.2", "DBL: spam domain"),
            ("127.0.1.4", "DBL: phishing domain"),
            ("127.0.1.5", "DBL: malware domain"),
            ("127.0.1.6", "DBL: botnet C&C domain"),
            ("127.0.1.102", "DBL: abused legitimate domain (spam)"),
            (
                "127.0.1.103",
                "DBL: abused legitimate spammed redirector domain",
            ),
            ("127.0.1.104", "DBL: abused legitimate domain (phishing)"),
            ("127.0.1.105", "DBL: abused legitimate domain (malware)"),
            ("127.0.1.106", "DBL: abused legitimate domain (botnet C&C)"),
        ] {
            assert_eq!(listed(&dbl, &[code]), want);
        }
        assert!(error(&dbl, &["127.0.1.3"]).starts_with("unexpected answer 127.0.1.3"));
    }

    #[test]
    fn bitmask_zones_decode_each_set_bit_and_refuse_unknown_bits() {
        let surbl = zone("surbl");
        assert_eq!(listed(&surbl, &["127.0.0.8"]), "SURBL PH: phishing");
        assert_eq!(
            listed(&surbl, &["127.0.0.80"]),
            "SURBL MW: malware; SURBL ABUSE: spam and other abuse"
        );
        assert!(listed(&surbl, &["127.0.0.254"]).contains("SURBL CR"));
        assert!(error(&surbl, &["127.0.0.1"]).starts_with("unexpected answer 127.0.0.1"));
        assert!(error(&surbl, &["127.0.0.9"]).starts_with("unexpected answer"));
        assert!(error(&surbl, &["127.0.1.8"]).starts_with("unexpected answer"));

        let uribl = zone("uribl");
        assert_eq!(
            listed(&uribl, &["127.0.0.2"]),
            "URIBL black: actively used in spam"
        );
        assert_eq!(
            listed(&uribl, &["127.0.0.14"]),
            "URIBL black: actively used in spam; URIBL grey: seen in bulk mail, may be solicited; URIBL red: new domain seen in spam"
        );
        assert!(error(&uribl, &["127.0.0.1"]).contains("query refused"));
        assert!(error(&uribl, &["127.0.0.16"]).starts_with("unexpected answer 127.0.0.16"));
    }

    #[test]
    fn dnswl_decodes_category_and_trust_and_255_is_an_error() {
        let dnswl = zone("dnswl");
        assert_eq!(
            listed(&dnswl, &["127.0.10.0"]),
            "special case, trust none (only avoid outright blocking)"
        );
        assert_eq!(
            listed(&dnswl, &["127.0.3.3"]),
            "email service provider, trust high"
        );
        assert_eq!(
            listed(&dnswl, &["127.0.15.1"]),
            "email marketing provider, trust low"
        );
        assert!(error(&dnswl, &["127.0.0.255"]).contains("DNSWL: query refused"));
        assert!(error(&dnswl, &["127.0.3.4"]).starts_with("unexpected answer 127.0.3.4"));
        assert!(error(&dnswl, &["127.0.1.2"]).starts_with("unexpected answer"));
        assert!(error(&dnswl, &["127.1.3.2"]).starts_with("unexpected answer"));
    }

    #[test]
    fn simple_lists_decode_127_0_0_2() {
        for id in [
            "spamcop",
            "barracuda",
            "psbl",
            "mailspike",
            "uceprotect1",
            "uceprotect2",
            "uceprotect3",
            "s5h",
        ] {
            let z = zone(id);
            assert!(!listed(&z, &["127.0.0.2"]).is_empty(), "{id}");
            assert!(
                error(&z, &["127.0.0.1"]).starts_with("unexpected answer 127.0.0.1"),
                "{id}"
            );
        }
        assert_eq!(
            listed(&zone("mailspike"), &["127.0.0.10"]),
            "Mailspike L5: worst possible reputation"
        );
    }

    #[test]
    fn nxdomain_and_nodata_are_not_listed_and_failures_are_errors() {
        let zen = zone("zen");
        assert_eq!(
            decode(&zen, &Err(LookupError::NxDomain)),
            Decoded::NotListed
        );
        assert_eq!(decode(&zen, &Err(LookupError::NoData)), Decoded::NotListed);
        assert_eq!(decode(&zen, &answer(&[])), Decoded::NotListed);
        for (e, text) in [
            (
                LookupError::Timeout,
                "zen.spamhaus.org look-up failed: timed out",
            ),
            (
                LookupError::ServFail,
                "zen.spamhaus.org look-up failed: server failure (SERVFAIL)",
            ),
            (
                LookupError::Refused,
                "zen.spamhaus.org look-up failed: query refused (REFUSED)",
            ),
            (
                LookupError::Other("network unreachable".into()),
                "zen.spamhaus.org look-up failed: network unreachable",
            ),
        ] {
            assert_eq!(
                decode(&zen, &Err(e)),
                Decoded::Error {
                    codes: vec![],
                    error: text.into()
                }
            );
        }
    }
}
