//! Reverse DNS of a checked address: its PTR names, forward confirmation (FCrDNS), and whether
//! the name looks like a dynamic or residential pool.
//!
//! FCrDNS (RFC 8601 2.7.3 "iprev"): some PTR name has an A/AAAA record equal to the address.
//! `fcrdns` is `Some(true)` when one does, `Some(false)` when none does and every answer was
//! definitive (including "no PTR at all"), and `None` when a temporary failure left it open.

use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;

use crate::dns::{reverse_name, LookupError, Rdata, RecordType, Resolve};

/// At most this many PTR names are forward-checked: RFC 7208 4.6.4 sets the same bound for
/// SPF's `ptr`, and a hostile PTR set must not fan out into unbounded queries.
pub const MAX_PTR_NAMES: usize = 10;

/// The dynamic/residential judgement on the PTR name(s), with the reason shown to the analyst.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dynamic {
    pub looks_dynamic: bool,
    pub reason: String,
}

/// PTR names, forward confirmation and the dynamic judgement of one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reverse {
    pub ptr: Vec<String>,
    pub fcrdns: Option<bool>,
    /// Temporary failures met on the way (PTR or forward look-ups), typed by the DNS layer.
    pub error: Option<String>,
    pub dynamic: Dynamic,
}

/// Looks up the PTR names of `ip` and forward-confirms each (up to [`MAX_PTR_NAMES`]).
pub async fn reverse(resolver: Arc<dyn Resolve>, ip: IpAddr) -> Reverse {
    let ptr_name = reverse_name(ip);
    let names: Vec<String> = match resolver.lookup(&ptr_name, RecordType::Ptr).await {
        Ok(answer) => {
            let mut names: Vec<String> = Vec::new();
            for record in &answer.records {
                if let Rdata::Ptr(name) = &record.data {
                    let name = name.trim_end_matches('.').to_string();
                    if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                        names.push(name);
                    }
                }
            }
            names
        }
        Err(LookupError::NxDomain | LookupError::NoData) => Vec::new(),
        Err(e) => {
            return Reverse {
                ptr: Vec::new(),
                fcrdns: None,
                error: Some(format!("PTR look-up for {ip} failed: {e}")),
                dynamic: Dynamic {
                    looks_dynamic: false,
                    reason: "not judged: the PTR look-up failed".into(),
                },
            }
        }
    };
    let rtype = if ip.is_ipv4() {
        RecordType::A
    } else {
        RecordType::Aaaa
    };
    let mut confirmed = false;
    let mut errors: Vec<String> = Vec::new();
    for name in names.iter().take(MAX_PTR_NAMES) {
        match resolver.lookup(name, rtype).await {
            Ok(answer) => {
                let hit = answer.records.iter().any(|r| match r.data {
                    Rdata::A(a) => IpAddr::V4(a) == ip,
                    Rdata::Aaaa(a) => IpAddr::V6(a) == ip,
                    _ => false,
                });
                if hit {
                    confirmed = true;
                    break;
                }
            }
            Err(LookupError::NxDomain | LookupError::NoData) => {}
            Err(e) => errors.push(format!("{rtype:?} look-up for {name} failed: {e}")),
        }
    }
    let fcrdns = if confirmed {
        Some(true)
    } else if errors.is_empty() {
        Some(false)
    } else {
        None
    };
    let error = if confirmed || errors.is_empty() {
        None
    } else {
        Some(errors.join("; "))
    };
    Reverse {
        dynamic: judge(ip, &names),
        ptr: names,
        fcrdns,
        error,
    }
}

/// Words in PTR names that ISPs use for dynamic or end-user pools, matched as whole words
/// (a run of letters between digits or punctuation, so "dsl" matches "dsl203-..." but
/// "resolver" does not match "res").
const DYNAMIC_WORDS: &[&str] = &[
    "dyn",
    "dynamic",
    "dynamicip",
    "dynip",
    "dip",
    "dsl",
    "adsl",
    "vdsl",
    "xdsl",
    "sdsl",
    "pool",
    "pools",
    "dhcp",
    "ppp",
    "pppoe",
    "dial",
    "dialup",
    "dialin",
    "cable",
    "cust",
    "customer",
    "customers",
    "client",
    "clients",
    "broadband",
    "bb",
    "res",
    "resi",
    "residential",
    "home",
    "user",
    "users",
    "subscriber",
    "ftth",
    "fttb",
    "fttc",
    "cpe",
    "mobile",
    "wireless",
    "nat",
    "unassigned",
    "unused",
];

/// Words saying the address is fixed. A static address can still be end-user space (a "static"
/// DSL line): such names are reported as not dynamic, with the residential hints in the reason.
const STATIC_WORDS: &[&str] = &["static", "sta", "fixed", "fix"];

/// The heuristic over all PTR names: the first name that looks dynamic decides, otherwise the
/// first name's reason is given. No PTR gives `looks_dynamic: false` (nothing to judge), with
/// a reason that says so, since a missing PTR is itself a mark against a mail source.
pub fn judge(ip: IpAddr, names: &[String]) -> Dynamic {
    if names.is_empty() {
        return Dynamic {
            looks_dynamic: false,
            reason: "no PTR record, so no name to judge (a missing PTR is itself a bad sign for a mail server)".into(),
        };
    }
    let judged: Vec<Dynamic> = names.iter().map(|n| judge_name(ip, n)).collect();
    let pick = judged
        .iter()
        .find(|d| d.looks_dynamic)
        .or_else(|| judged.first())
        .cloned();
    pick.unwrap_or(Dynamic {
        looks_dynamic: false,
        reason: "no PTR record".into(),
    })
}

/// The judgement of one name. A name that embeds the address or uses a pool word looks dynamic
/// (generic names are what ISPs give pools); a static word overrides that to "not dynamic" but
/// the reason keeps the other signs.
pub fn judge_name(ip: IpAddr, name: &str) -> Dynamic {
    let lower = name.to_ascii_lowercase();
    let embedded = embedded_address(ip, &lower);
    let words = alpha_words(&lower);
    let dynamic: Vec<&str> = DYNAMIC_WORDS
        .iter()
        .copied()
        .filter(|w| words.contains(w))
        .collect();
    let fixed: Option<&str> = STATIC_WORDS.iter().copied().find(|w| words.contains(w));
    let mut signs: Vec<String> = Vec::new();
    if let Some(text) = &embedded {
        signs.push(format!("the address ({text})"));
    }
    signs.extend(dynamic.iter().map(|w| format!("'{w}'")));
    let listed = join_and(&signs);
    match fixed {
        Some(word) if signs.is_empty() => Dynamic {
            looks_dynamic: false,
            reason: format!("{name}: contains '{word}': a fixed address"),
        },
        Some(word) => Dynamic {
            looks_dynamic: false,
            reason: format!(
                "{name}: contains '{word}' (a fixed address) but also {listed}: a generic, likely end-user name"
            ),
        },
        None if signs.is_empty() => Dynamic {
            looks_dynamic: false,
            reason: format!("{name}: no embedded address or pool words"),
        },
        None => Dynamic {
            looks_dynamic: true,
            reason: format!("{name}: name contains {listed}"),
        },
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Runs of ASCII letters.
fn alpha_words(name: &str) -> Vec<&str> {
    name.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The part of `name` (lower-case) that spells the address, if any:
/// IPv4 as four consecutive numbers equal to its octets in any order ("203-0-113-7",
/// "7.113.0.203", "113-7-0-203", zero-padded "203-000-113-007"), as 12 digits with
/// zero padding ("203000113007", either order), or as 8 hex digits ("cb007107");
/// IPv6 as its 32 hex digits (separators ignored) or its text form with ':' as '-'.
fn embedded_address(ip: IpAddr, name: &str) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => {
            let octets = v4.octets();
            let mut want: Vec<u32> = octets.iter().map(|o| u32::from(*o)).collect();
            want.sort_unstable();
            let runs = digit_runs(name);
            for window in runs.windows(4) {
                if window.iter().any(|(_, _, text)| text.len() > 3) {
                    continue;
                }
                let mut got: Vec<u32> = window.iter().map(|(v, _, _)| *v).collect();
                got.sort_unstable();
                if got == want {
                    let (start, end) = (window[0].1, window[3].1 + window[3].2.len());
                    return name.get(start..end).map(str::to_string);
                }
            }
            let padded = format!(
                "{:03}{:03}{:03}{:03}",
                octets[0], octets[1], octets[2], octets[3]
            );
            let reversed = format!(
                "{:03}{:03}{:03}{:03}",
                octets[3], octets[2], octets[1], octets[0]
            );
            if let Some((_, _, text)) = runs.iter().find(|(_, _, t)| *t == padded || *t == reversed)
            {
                return Some((*text).to_string());
            }
            let hex = format!("{:08x}", u32::from(v4));
            name.split(|c: char| !c.is_ascii_alphanumeric())
                .find(|w| w.contains(&hex))
                .map(|_| hex)
        }
        IpAddr::V6(v6) => {
            let hex = format!("{:032x}", u128::from(v6));
            let squashed: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if squashed.contains(&hex) {
                return Some(hex);
            }
            let dashed = v6.to_string().replace(':', "-");
            name.contains(&dashed).then_some(dashed)
        }
    }
}

/// Maximal runs of digits: (value, start, text). Values of long runs saturate; only runs of up
/// to 3 digits are compared as octets.
fn digit_runs(name: &str) -> Vec<(u32, usize, &str)> {
    let bytes = name.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let text = &name[start..i];
            let value = text.parse::<u32>().unwrap_or(u32::MAX);
            runs.push((value, start, text));
        } else {
            i += 1;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dnsbl::fake::FakeResolver;

    fn ip(s: &str) -> IpAddr {
        match s.parse() {
            Ok(ip) => ip,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn dynamic_heuristic_on_real_looking_names() {
        let v4 = ip("203.0.113.7");
        let cases: &[(&str, bool, &str)] = &[
            ("203-0-113-7.dsl.example.net", true, "name contains the address (203-0-113-7) and 'dsl'"),
            ("dsl-203-0-113-7.example.net", true, "name contains the address (203-0-113-7) and 'dsl'"),
            ("7.113.0.203.dynamic.example.net", true, "name contains the address (7.113.0.203) and 'dynamic'"),
            ("host-203-000-113-007.example.net", true, "name contains the address (203-000-113-007)"),
            ("cpe-7-113-0-203.cable.example.com", true, "name contains the address (7-113-0-203), 'cable' and 'cpe'"),
            ("ip203000113007.example.net", true, "name contains the address (203000113007)"),
            ("cb007107.pool.example.de", true, "name contains the address (cb007107) and 'pool'"),
            ("ppp-113-7.example.org", true, "name contains 'ppp'"),
            ("dhcp123.example.edu", true, "name contains 'dhcp'"),
            ("cust7.broadband.example.net", true, "name contains 'cust' and 'broadband'"),
            ("mail.example.net", false, "no embedded address or pool words"),
            ("mx1.mail.example.com", false, "no embedded address or pool words"),
            ("resolver1.example.net", false, "no embedded address or pool words"),
            ("203-0-113-7.static.example.net", false, "contains 'static' (a fixed address) but also the address (203-0-113-7): a generic, likely end-user name"),
            ("static.example.net", false, "contains 'static': a fixed address"),
            ("203-0-113-8.example.net", false, "no embedded address or pool words"),
        ];
        for (name, looks, reason) in cases {
            let d = judge_name(v4, name);
            assert_eq!(d.looks_dynamic, *looks, "{name}: {}", d.reason);
            assert_eq!(d.reason, format!("{name}: {reason}"), "{name}");
        }
        let v6 = ip("2001:db8::7");
        assert!(judge_name(v6, "2001-db8--7.dyn.example.net").looks_dynamic);
        let d = judge_name(v6, "20010db8000000000000000000000007.example.net");
        assert_eq!(
            d.reason,
            "20010db8000000000000000000000007.example.net: name contains the address (20010db8000000000000000000000007)"
        );
        assert!(!judge_name(v6, "mail.example.net").looks_dynamic);
    }

    #[test]
    fn judgement_over_several_names_and_none() {
        let v4 = ip("203.0.113.7");
        let none = judge(v4, &[]);
        assert!(!none.looks_dynamic);
        assert!(none.reason.starts_with("no PTR record"));
        let names = vec![
            "mail.example.net".to_string(),
            "dsl7.example.net".to_string(),
        ];
        let d = judge(v4, &names);
        assert!(d.looks_dynamic);
        assert_eq!(d.reason, "dsl7.example.net: name contains 'dsl'");
    }

    #[tokio::test]
    async fn fcrdns_true_false_and_undetermined() {
        let fake = FakeResolver::new()
            .ptr("192.0.2.10", &["mail.example.net"])
            .a("mail.example.net", &["192.0.2.10"])
            .ptr("192.0.2.11", &["liar.example.net"])
            .a("liar.example.net", &["192.0.2.99"])
            .ptr("192.0.2.12", &["gone.example.net", "mail12.example.net"])
            .a("mail12.example.net", &["192.0.2.12"])
            .ptr("192.0.2.13", &["slow.example.net"])
            .fail("slow.example.net", RecordType::A, LookupError::Timeout)
            .fail(
                &reverse_name(ip("192.0.2.14")),
                RecordType::Ptr,
                LookupError::ServFail,
            )
            .ptr("2001:db8::10", &["v6.example.net."])
            .aaaa("v6.example.net", &["2001:db8::10"]);
        let r: Arc<dyn Resolve> = Arc::new(fake);

        let ok = reverse(r.clone(), ip("192.0.2.10")).await;
        assert_eq!(
            (ok.ptr.as_slice(), ok.fcrdns, ok.error.as_deref()),
            (&["mail.example.net".to_string()][..], Some(true), None)
        );

        let liar = reverse(r.clone(), ip("192.0.2.11")).await;
        assert_eq!((liar.fcrdns, liar.error.as_deref()), (Some(false), None));

        // One name without A records, the other confirms: true.
        let two = reverse(r.clone(), ip("192.0.2.12")).await;
        assert_eq!(two.ptr.len(), 2);
        assert_eq!(two.fcrdns, Some(true));

        let slow = reverse(r.clone(), ip("192.0.2.13")).await;
        assert_eq!(slow.fcrdns, None);
        assert_eq!(
            slow.error.as_deref(),
            Some("A look-up for slow.example.net failed: timed out")
        );

        let broken = reverse(r.clone(), ip("192.0.2.14")).await;
        assert_eq!((broken.ptr.len(), broken.fcrdns), (0, None));
        assert_eq!(
            broken.error.as_deref(),
            Some("PTR look-up for 192.0.2.14 failed: server failure (SERVFAIL)")
        );
        assert_eq!(broken.dynamic.reason, "not judged: the PTR look-up failed");

        let missing = reverse(r.clone(), ip("192.0.2.15")).await;
        assert_eq!(
            (missing.ptr.len(), missing.fcrdns, missing.error),
            (0, Some(false), None)
        );

        let v6 = reverse(r, ip("2001:db8::10")).await;
        assert_eq!(
            (v6.ptr.as_slice(), v6.fcrdns),
            (&["v6.example.net".to_string()][..], Some(true))
        );
    }
}
