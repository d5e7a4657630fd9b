//! Address classes every capability agrees on: which client addresses are inside a site
//! (private, shared, loopback, link-local), and one form per client for IPv4-mapped IPv6.

use std::net::IpAddr;

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) as IPv4, so one client is one key.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Addresses that are never the public origin of a message or a login: private (RFC 1918,
/// RFC 4193), shared CGNAT space (RFC 6598), loopback, link-local and unspecified.
pub fn is_internal(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_classes() {
        for inside in [
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "::ffff:192.168.1.1",
            "fd00::1",
            "fe80::1",
            "::1",
            "127.0.0.1",
        ] {
            assert!(is_internal(inside.parse().unwrap()), "{inside}");
        }
        for outside in [
            "100.128.0.1",
            "192.0.2.1",
            "2001:db8::1",
            "::ffff:203.0.113.5",
        ] {
            assert!(!is_internal(outside.parse().unwrap()), "{outside}");
        }
        assert_eq!(
            canonical("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
    }
}
