//! What to check: addresses, CIDR ranges and host names from arguments, files or stdin, and
//! which addresses are never queried.
//!
//! Skip rule: addresses that cannot be a public mail source are skipped with a note and never
//! sent to a DNSBL (the query would leak internal addressing and the answer is meaningless):
//! IPv4 0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.168/16,
//! 198.18/15, 224/4 (multicast), 240/4 (reserved) and 255.255.255.255 (broadcast); IPv6 ::,
//! ::1, ::/8 (reserved, incl. IPv4-compatible), fc00::/7 (ULA), fe80::/10 (link-local),
//! fec0::/10 (old site-local), ff00::/8 (multicast). The documentation ranges 192.0.2.0/24,
//! 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 are NOT skipped: the test suite and the
//! README examples run against local zone fixtures that use them. IPv4-mapped IPv6 addresses
//! (::ffff:a.b.c.d) are checked as the IPv4 address they carry.

use std::collections::HashSet;
use std::io::BufRead;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::dnsbl::catalogue::is_domain_name;
use crate::ip::canonical;

/// The default limit on addresses one run may check (`--max-ips`): a /20 of IPv4, so a typo
/// like `/8` or an IPv6 /64 is a clear error instead of hours of queries.
pub const DEFAULT_MAX_IPS: usize = 4096;

/// One item to check, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ip(IpAddr),
    /// A network address (host bits zero) and prefix length.
    Net(IpAddr, u8),
    /// A host name, lower-cased, without trailing dot.
    Host(String),
}

/// An input item that cannot be used, naming where it came from.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TargetError {
    /// `origin` is `argument`, or `FILE:LINE` (`-:LINE` for stdin).
    #[error("{origin}: {text:?}: {reason}")]
    Bad {
        origin: String,
        text: String,
        reason: String,
    },
    #[error("{origin}: {source}")]
    Read {
        origin: String,
        source: std::sync::Arc<std::io::Error>,
    },
    #[error("{what} would check {count} addresses, more than --max-ips {max}")]
    TooMany {
        what: String,
        count: u128,
        max: usize,
    },
}

/// A target with where it came from, for reports and errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    pub target: Target,
    /// The text as given (argument or line).
    pub text: String,
}

/// Parses one command-line argument (not `-` or `-f`, which the caller reads with [`read_list`]).
pub fn parse_arg(text: &str) -> Result<Sourced, TargetError> {
    Target::parse(text)
        .map(|target| Sourced {
            target,
            text: text.trim().to_string(),
        })
        .map_err(|reason| TargetError::Bad {
            origin: "argument".into(),
            text: text.to_string(),
            reason,
        })
}

/// Reads one item per line; `#` starts a comment, blank lines are ignored. `origin` is the
/// file name (`-` for stdin); the first bad line is an error naming `origin:line` and its text.
pub fn read_list(reader: impl BufRead, origin: &str) -> Result<Vec<Sourced>, TargetError> {
    let mut out = Vec::new();
    for (index, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| TargetError::Read {
            origin: origin.to_string(),
            source: std::sync::Arc::new(e),
        })?;
        let line = String::from_utf8_lossy(&line);
        let item = line.split('#').next().unwrap_or_default().trim();
        if item.is_empty() {
            continue;
        }
        let target = Target::parse(item).map_err(|reason| TargetError::Bad {
            origin: format!("{origin}:{}", index + 1),
            text: item.to_string(),
            reason,
        })?;
        out.push(Sourced {
            target,
            text: item.to_string(),
        });
    }
    Ok(out)
}

impl Target {
    /// Parses an address, a CIDR range or a host name.
    pub fn parse(text: &str) -> Result<Target, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty item".into());
        }
        if let Some((addr, len)) = text.split_once('/') {
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| format!("{addr:?} is not an IP address"))?;
            let ip = canonical(ip);
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let len: u8 = len
                .parse()
                .ok()
                .filter(|l| *l <= max)
                .ok_or_else(|| format!("prefix length {len:?} is not 0..={max}"))?;
            let network = mask(ip, len);
            if network != ip {
                return Err(format!("host bits are set; the network is {network}/{len}"));
            }
            return Ok(if len == max {
                Target::Ip(ip)
            } else {
                Target::Net(ip, len)
            });
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(Target::Ip(canonical(ip)));
        }
        if text.contains(':') {
            return Err("not a valid IPv6 address".into());
        }
        let name = text.trim_end_matches('.').to_ascii_lowercase();
        let last = name.rsplit('.').next().unwrap_or_default();
        if !name.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
            return Err("not a valid IPv4 address".into());
        }
        if !is_domain_name(&name) || name.starts_with('-') {
            return Err("not an IP address, CIDR range or host name".into());
        }
        if !name.contains('.') {
            return Err("a host name needs at least one dot (no search domains are used)".into());
        }
        Ok(Target::Host(name))
    }

    /// How many addresses the target stands for (host names count as none until resolved).
    pub fn size(&self) -> u128 {
        match self {
            Target::Ip(_) => 1,
            Target::Net(ip, len) => {
                let bits = if ip.is_ipv4() { 32 } else { 128 } - u32::from(*len);
                1u128.checked_shl(bits).unwrap_or(u128::MAX)
            }
            Target::Host(_) => 0,
        }
    }
}

fn mask(ip: IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let m = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & m))
        }
        IpAddr::V6(v6) => {
            let m = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & m))
        }
    }
}

/// One address to check, with its place in the input (results are sorted back into it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub ip: IpAddr,
    /// The input item it came from (an address, a range, or a host name).
    pub source: String,
    pub order: (usize, u128),
}

/// The targets, expanded: addresses to check (each once, at its first appearance) and host
/// names to resolve. Ranges include every address: a /24 gives 256 (network and broadcast
/// addresses too, since lists do list them), a /31 two (RFC 3021).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub ips: Vec<Planned>,
    /// Host names with their input position.
    pub hosts: Vec<(usize, String)>,
}

impl Plan {
    /// Expands ranges, refusing a run of more than `max_ips` addresses before any query.
    pub fn new(targets: &[Sourced], max_ips: usize) -> Result<Plan, TargetError> {
        let mut total: u128 = 0;
        for t in targets {
            let size = t.target.size();
            if size > max_ips as u128 {
                return Err(TargetError::TooMany {
                    what: t.text.clone(),
                    count: size,
                    max: max_ips,
                });
            }
            total = total.saturating_add(size);
        }
        if total > max_ips as u128 {
            return Err(TargetError::TooMany {
                what: "the input".into(),
                count: total,
                max: max_ips,
            });
        }
        let mut plan = Plan::default();
        let mut seen = HashSet::new();
        for (position, t) in targets.iter().enumerate() {
            let mut push = |ip: IpAddr, sub: u128| {
                if seen.insert(ip) {
                    plan.ips.push(Planned {
                        ip,
                        source: t.text.clone(),
                        order: (position, sub),
                    });
                }
            };
            match &t.target {
                Target::Ip(ip) => push(*ip, 0),
                Target::Net(IpAddr::V4(base), _) => {
                    let start = u32::from(*base);
                    for i in 0..t.target.size() {
                        // size() <= max_ips here, so the offset fits in the range.
                        push(IpAddr::V4(Ipv4Addr::from(start.wrapping_add(i as u32))), i);
                    }
                }
                Target::Net(IpAddr::V6(base), _) => {
                    let start = u128::from(*base);
                    for i in 0..t.target.size() {
                        push(IpAddr::V6(Ipv6Addr::from(start.wrapping_add(i))), i);
                    }
                }
                Target::Host(name) => {
                    if !plan.hosts.iter().any(|(_, h)| h == name) {
                        plan.hosts.push((position, name.clone()));
                    }
                }
            }
        }
        Ok(plan)
    }
}

/// Why an address is never queried (see the module docs), or None for a public address.
pub fn skip_reason(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            if v4.is_broadcast() {
                Some("broadcast address")
            } else if a == 0 {
                Some("\"this network\" address (0.0.0.0/8)")
            } else if v4.is_private() {
                Some("private address (RFC 1918)")
            } else if a == 100 && (64..128).contains(&b) {
                Some("shared address space / CGNAT (100.64.0.0/10)")
            } else if v4.is_loopback() {
                Some("loopback address")
            } else if v4.is_link_local() {
                Some("link-local address")
            } else if v4.is_multicast() {
                Some("multicast address")
            } else if a >= 240 {
                Some("reserved address (240.0.0.0/4)")
            } else if [a, b, c] == [192, 0, 0] {
                Some("IETF protocol assignment (192.0.0.0/24)")
            } else if a == 198 && (b == 18 || b == 19) {
                Some("benchmarking address (198.18.0.0/15)")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_unspecified() {
                Some("unspecified address")
            } else if v6.is_loopback() {
                Some("loopback address")
            } else if first & 0xfe00 == 0xfc00 {
                Some("unique local address (fc00::/7)")
            } else if first & 0xffc0 == 0xfe80 {
                Some("link-local address")
            } else if first & 0xffc0 == 0xfec0 {
                Some("site-local address (fec0::/10, deprecated)")
            } else if first & 0xff00 == 0xff00 {
                Some("multicast address")
            } else if first & 0xff00 == 0 {
                Some("reserved address (::/8)")
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        match s.parse() {
            Ok(ip) => ip,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn sourced(items: &[&str]) -> Vec<Sourced> {
        items
            .iter()
            .map(|s| match parse_arg(s) {
                Ok(t) => t,
                Err(e) => panic!("{e}"),
            })
            .collect()
    }

    #[test]
    fn parses_addresses_ranges_and_names() {
        assert_eq!(
            Target::parse("203.0.113.7"),
            Ok(Target::Ip(ip("203.0.113.7")))
        );
        assert_eq!(
            Target::parse(" 2001:DB8::1 "),
            Ok(Target::Ip(ip("2001:db8::1")))
        );
        assert_eq!(
            Target::parse("::ffff:192.0.2.1"),
            Ok(Target::Ip(ip("192.0.2.1")))
        );
        assert_eq!(
            Target::parse("203.0.113.0/24"),
            Ok(Target::Net(ip("203.0.113.0"), 24))
        );
        assert_eq!(
            Target::parse("203.0.113.9/32"),
            Ok(Target::Ip(ip("203.0.113.9")))
        );
        assert_eq!(
            Target::parse("2001:db8::/120"),
            Ok(Target::Net(ip("2001:db8::"), 120))
        );
        assert_eq!(
            Target::parse("Mail.Example.NET."),
            Ok(Target::Host("mail.example.net".into()))
        );
        assert_eq!(
            Target::parse("_dmarc.example.net"),
            Ok(Target::Host("_dmarc.example.net".into()))
        );
    }

    #[test]
    fn bad_items_say_why() {
        let cases = [
            (
                "203.0.113.7/24",
                "host bits are set; the network is 203.0.113.0/24",
            ),
            ("203.0.113.0/33", "prefix length \"33\" is not 0..=32"),
            ("203.0.113.0/x", "prefix length \"x\" is not 0..=32"),
            ("2001:db8::/129", "prefix length \"129\" is not 0..=128"),
            ("203.0.113.256", "not a valid IPv4 address"),
            ("203.0.113", "not a valid IPv4 address"),
            ("2001:db8:::1", "not a valid IPv6 address"),
            (
                "bad name.example",
                "not an IP address, CIDR range or host name",
            ),
            ("-x.example", "not an IP address, CIDR range or host name"),
            ("a..b", "not an IP address, CIDR range or host name"),
            (
                "localhost",
                "a host name needs at least one dot (no search domains are used)",
            ),
            ("nonsense/24", "\"nonsense\" is not an IP address"),
        ];
        for (text, want) in cases {
            assert_eq!(Target::parse(text), Err(want.to_string()), "{text}");
        }
        let long = format!("{}.example", "a".repeat(64));
        assert!(Target::parse(&long).is_err());
    }

    #[test]
    fn lists_allow_comments_and_blank_lines_and_name_file_and_line() {
        let text =
            "# our outbound\n203.0.113.7   # mx1\n\n  \n198.51.100.0/30\nmail.example.net\r\n";
        let items = match read_list(text.as_bytes(), "ips.txt") {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        };
        let texts: Vec<&str> = items.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            ["203.0.113.7", "198.51.100.0/30", "mail.example.net"]
        );

        let bad = "203.0.113.7\n# fine\n203.0.113.300 # typo\n";
        match read_list(bad.as_bytes(), "ips.txt") {
            Err(e) => assert_eq!(
                e.to_string(),
                "ips.txt:3: \"203.0.113.300\": not a valid IPv4 address"
            ),
            Ok(items) => panic!("accepted {items:?}"),
        }
        // Invalid UTF-8 is an error for that line, not a panic.
        match read_list(&b"\xff\xfe\n"[..], "-") {
            Err(TargetError::Bad { origin, .. }) => assert_eq!(origin, "-:1"),
            other => panic!("{other:?}"),
        }
        match parse_arg("x y") {
            Err(e) => assert_eq!(
                e.to_string(),
                "argument: \"x y\": not an IP address, CIDR range or host name"
            ),
            Ok(t) => panic!("{t:?}"),
        }
    }

    #[test]
    fn cidr_expansion_covers_every_address() {
        let plan = |items: &[&str]| match Plan::new(&sourced(items), DEFAULT_MAX_IPS) {
            Ok(p) => p.ips.iter().map(|p| p.ip.to_string()).collect::<Vec<_>>(),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(plan(&["192.0.2.9/32"]), ["192.0.2.9"]);
        assert_eq!(plan(&["192.0.2.8/31"]), ["192.0.2.8", "192.0.2.9"]);
        let c24 = plan(&["203.0.113.0/24"]);
        assert_eq!(c24.len(), 256);
        assert_eq!(
            (c24[0].as_str(), c24[255].as_str()),
            ("203.0.113.0", "203.0.113.255")
        );
        let v6 = plan(&["2001:db8::/120"]);
        assert_eq!(v6.len(), 256);
        assert_eq!(
            (v6[0].as_str(), v6[255].as_str()),
            ("2001:db8::", "2001:db8::ff")
        );
        // Duplicates are checked once, at their first appearance.
        assert_eq!(
            plan(&["192.0.2.9", "192.0.2.8/31", "192.0.2.9"]),
            ["192.0.2.9", "192.0.2.8"]
        );
    }

    #[test]
    fn max_ips_is_enforced_before_any_query() {
        let err = |items: &[&str], max| match Plan::new(&sourced(items), max) {
            Err(e) => e.to_string(),
            Ok(p) => panic!("accepted {} addresses", p.ips.len()),
        };
        assert_eq!(
            err(&["10.0.0.0/8"], DEFAULT_MAX_IPS),
            "10.0.0.0/8 would check 16777216 addresses, more than --max-ips 4096"
        );
        assert_eq!(
            err(&["2001:db8::/64"], DEFAULT_MAX_IPS),
            "2001:db8::/64 would check 18446744073709551616 addresses, more than --max-ips 4096"
        );
        assert!(err(&["::/0"], 10).contains(&u128::MAX.to_string()));
        assert_eq!(
            err(&["192.0.2.0/24", "198.51.100.0/24"], 300),
            "the input would check 512 addresses, more than --max-ips 300"
        );
        assert!(Plan::new(&sourced(&["192.0.2.0/24"]), 256).is_ok());
    }

    #[test]
    fn hosts_are_kept_in_order_once() {
        match Plan::new(
            &sourced(&["a.example", "192.0.2.1", "a.example", "b.example"]),
            10,
        ) {
            Ok(p) => assert_eq!(
                p.hosts,
                [(0, "a.example".to_string()), (3, "b.example".to_string())]
            ),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn skip_rule_skips_non_public_but_not_documentation_ranges() {
        for (addr, why) in [
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "CGNAT"),
            ("127.0.0.1", "loopback"),
            ("169.254.1.1", "link-local"),
            ("224.0.0.1", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
            ("0.1.2.3", "this network"),
            ("192.0.0.8", "IETF"),
            ("198.18.0.1", "benchmarking"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("fd00::1", "unique local"),
            ("fe80::1", "link-local"),
            ("fec0::1", "site-local"),
            ("ff02::1", "multicast"),
            ("::ffff:10.0.0.1", "private"),
            ("::10.0.0.1", "reserved"),
        ] {
            match skip_reason(ip(addr)) {
                Some(reason) => assert!(reason.contains(why), "{addr}: {reason}"),
                None => panic!("{addr} not skipped"),
            }
        }
        for addr in [
            "192.0.2.1",
            "198.51.100.1",
            "203.0.113.1",
            "2001:db8::1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2a00:1450::1",
        ] {
            assert_eq!(skip_reason(ip(addr)), None, "{addr}");
        }
    }
}
