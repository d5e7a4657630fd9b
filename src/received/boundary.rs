//! The trust boundary: which hops are ours (or internal to someone's network) and so can be
//! believed, and which are the outside world's.

use std::net::IpAddr;

use thiserror::Error;

/// Networks and host names given with `--trusted`, plus the always-internal ranges.
#[derive(Debug, Clone, Default)]
pub struct Boundary {
    nets: Vec<(IpAddr, u8)>,
    hosts: Vec<String>,
}

/// A `--trusted` value that is neither a network nor a host name.
#[derive(Debug, Error)]
#[error("--trusted {value:?}: {reason}")]
pub struct BoundaryError {
    value: String,
    reason: &'static str,
}

impl Boundary {
    /// Builds the boundary from `--trusted` values: `CIDR`, an address, or a host name.
    pub fn new(values: &[String]) -> Result<Boundary, BoundaryError> {
        let mut boundary = Boundary::default();
        for value in values {
            let err = |reason| BoundaryError {
                value: value.clone(),
                reason,
            };
            let v = value.trim();
            if let Some((addr, len)) = v.split_once('/') {
                let ip: IpAddr = addr.parse().map_err(|_| err("not a network address"))?;
                let len: u8 = len
                    .parse()
                    .map_err(|_| err("prefix length is not a number"))?;
                let max = if ip.is_ipv4() { 32 } else { 128 };
                if len > max {
                    return Err(err("prefix length too long for the address family"));
                }
                boundary.nets.push((ip, len));
            } else if let Ok(ip) = v.trim_matches(['[', ']']).parse::<IpAddr>() {
                boundary
                    .nets
                    .push((ip, if ip.is_ipv4() { 32 } else { 128 }));
            } else if is_host_name(v) {
                boundary
                    .hosts
                    .push(v.trim_end_matches('.').to_ascii_lowercase());
            } else {
                return Err(err("expected a CIDR network, an address, or a host name"));
            }
        }
        Ok(boundary)
    }

    /// True for an address in a `--trusted` network.
    pub fn trusts_ip(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets
            .iter()
            .any(|&(net, len)| in_network(ip, canonical(net), len))
    }

    /// True for a host name equal to, or under, a `--trusted` host name.
    pub fn trusts_host(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.iter().any(|h| {
            name == *h
                || (name.ends_with(h.as_str()) && name[..name.len() - h.len()].ends_with('.'))
        })
    }
}

use crate::ip::canonical;
pub use crate::ip::is_internal;

fn in_network(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn is_host_name(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 253
        && v.trim_end_matches('.').split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(v: &[&str]) -> Boundary {
        Boundary::new(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn networks_match_by_prefix() {
        let t = b(&["198.51.100.0/24", "2001:db8:1::/48", "203.0.113.7"]);
        assert!(t.trusts_ip("198.51.100.200".parse().unwrap()));
        assert!(!t.trusts_ip("198.51.101.1".parse().unwrap()));
        assert!(t.trusts_ip("2001:db8:1:ff::1".parse().unwrap()));
        assert!(!t.trusts_ip("2001:db8:2::1".parse().unwrap()));
        assert!(t.trusts_ip("::ffff:203.0.113.7".parse().unwrap()));
        assert!(!t.trusts_ip("203.0.113.8".parse().unwrap()));
        assert!(b(&["0.0.0.0/0"]).trusts_ip("192.0.2.1".parse().unwrap()));
    }

    #[test]
    fn host_names_match_themselves_and_below() {
        let t = b(&["mx.example.net."]);
        assert!(t.trusts_host("MX.example.net"));
        assert!(t.trusts_host("a.mx.example.net"));
        assert!(!t.trusts_host("evilmx.example.net"));
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in ["10.0.0.0/33", "10.0.0.0/x", "nonsense/8", "a b", ""] {
            assert!(Boundary::new(&[bad.to_string()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn internal_ranges() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["192.0.2.1", "8.8.8.8", "2001:db8::1", "100.128.0.1"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }
}
