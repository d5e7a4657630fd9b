//! Name helpers shared by PTR look-ups and DNSBL queries: reversed address names and the
//! `--resolver IP[:PORT]` syntax.

use std::net::{IpAddr, SocketAddr};

/// The reverse-mapping name of an address without the trailing dot: `d.c.b.a.in-addr.arpa`
/// (RFC 1035 §3.5) or 32 nibbles under `ip6.arpa` (RFC 3596 §2.5).
///
/// DNSBL zones use the same reversed form under their own zone (RFC 5782 §2.1, §2.4), so a
/// DNSBL query name is `reverse_prefix(ip) + "." + zone`; see [`reverse_prefix`].
pub fn reverse_name(ip: IpAddr) -> String {
    let suffix = match ip {
        IpAddr::V4(_) => "in-addr.arpa",
        IpAddr::V6(_) => "ip6.arpa",
    };
    format!("{}.{suffix}", reverse_prefix(ip))
}

/// The reversed labels of an address alone (`d.c.b.a`, or 32 nibbles for IPv6), to be placed
/// under `in-addr.arpa`, `ip6.arpa` or a DNSBL zone.
pub fn reverse_prefix(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}")
        }
        IpAddr::V6(v6) => {
            let mut out = String::with_capacity(63);
            for byte in v6.octets().iter().rev() {
                for nibble in [byte & 0x0f, byte >> 4] {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                }
            }
            out
        }
    }
}

/// Parses a `--resolver` value: `IP`, `IP:PORT`, `[IPv6]` or `[IPv6]:PORT`; the port defaults
/// to 53. A bare IPv6 address without brackets is accepted too (it cannot carry a port).
pub fn parse_server(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        if let Ok(ip) = inner.parse::<IpAddr>() {
            return Ok(SocketAddr::new(ip, 53));
        }
    }
    Err(format!(
        "invalid DNS server {s:?}: expected IP, IP:PORT or [IPv6]:PORT (e.g. 127.0.0.1:5353)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_v4() {
        let ip: IpAddr = "192.0.2.10".parse().unwrap();
        assert_eq!(reverse_name(ip), "10.2.0.192.in-addr.arpa");
        assert_eq!(reverse_prefix(ip), "10.2.0.192");
    }

    #[test]
    fn reverse_v6() {
        let ip: IpAddr = "2001:db8::567:89ab".parse().unwrap();
        assert_eq!(
            reverse_name(ip),
            "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
    }

    #[test]
    fn parse_server_forms() {
        assert_eq!(
            parse_server("127.0.0.1"),
            Ok("127.0.0.1:53".parse().unwrap())
        );
        assert_eq!(
            parse_server("127.0.0.1:5353"),
            Ok("127.0.0.1:5353".parse().unwrap())
        );
        assert_eq!(
            parse_server("[::1]:5353"),
            Ok("[::1]:5353".parse().unwrap())
        );
        assert_eq!(parse_server("[::1]"), Ok("[::1]:53".parse().unwrap()));
        assert_eq!(parse_server("::1"), Ok("[::1]:53".parse().unwrap()));
        for bad in ["", "localhost", "1.2.3.4:99999", "[::1", "1.2.3:53"] {
            let err = parse_server(bad).unwrap_err();
            assert!(err.contains("invalid DNS server"), "{bad}: {err}");
        }
    }
}
