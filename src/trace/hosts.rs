//! Which hops of a Received chain our own hosts added: by the host names and networks given
//! with `--our-host`, or else by the host names our logs were written on.

use std::net::IpAddr;

use crate::received::boundary::Boundary;
use crate::received::chain::Hop;

/// Why an `--our-host` value was refused.
#[derive(Debug, thiserror::Error)]
#[error("--our-host {value:?}: {reason}")]
pub struct OurHostError {
    pub value: String,
    pub reason: &'static str,
}

/// Our hosts: names (a name also matches any host under it, and a syslog short name matches
/// the first label of a fully qualified name) and networks.
#[derive(Debug, Clone, Default)]
pub struct OurHosts {
    names: Vec<String>,
    /// The networks given (a `Boundary` holds and matches CIDRs the same way `--trusted` does).
    nets: Boundary,
    /// The networks as given, for the report.
    net_values: Vec<String>,
    /// Learnt from the logs' host names rather than given.
    learnt: bool,
}

/// One hop our hosts added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OurHop {
    /// 0-based position, oldest first.
    pub pos: usize,
    /// The hop names our host for sure: given with `--our-host`, or learnt and named exactly.
    /// A learnt syslog short name (`mail`) matching the first label of another site's host
    /// (`mail.provider.example`) is not sure: such a hop counts only when its queue id is
    /// found, and is never called a forgery.
    pub sure: bool,
}

impl OurHosts {
    /// Parses `--our-host` values: a CIDR, an address, or a host name.
    pub fn new(values: &[String]) -> Result<OurHosts, OurHostError> {
        let mut our = OurHosts::default();
        for value in values {
            let v = value.trim().trim_end_matches('.');
            if v.contains('/') || v.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
                our.net_values.push(v.to_string());
            } else if !v.is_empty()
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
            {
                our.names.push(v.to_ascii_lowercase());
            } else {
                return Err(OurHostError {
                    value: value.clone(),
                    reason: "expected a host name, an address or a CIDR network",
                });
            }
        }
        for v in &our.net_values {
            Boundary::new(std::slice::from_ref(v)).map_err(|_| OurHostError {
                value: v.clone(),
                reason: "not a CIDR network or an address",
            })?;
        }
        our.nets = Boundary::new(&our.net_values).unwrap_or_default();
        Ok(our)
    }

    /// No host was given: the caller learns them from the logs.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.net_values.is_empty()
    }

    /// Our hosts are the host names the logs were written on.
    pub fn learnt<'a>(hosts: impl IntoIterator<Item = &'a str>) -> OurHosts {
        OurHosts {
            names: hosts.into_iter().map(str::to_ascii_lowercase).collect(),
            nets: Boundary::default(),
            net_values: Vec::new(),
            learnt: true,
        }
    }

    /// The names, for the report.
    pub fn names(&self) -> Vec<String> {
        self.names
            .iter()
            .cloned()
            .chain(self.net_values.iter().cloned())
            .collect()
    }

    /// Does a `by` host name (or address literal) name one of our hosts? `Some(sure)` when it
    /// does (see `OurHop::sure`).
    pub fn is_ours(&self, by: &str) -> Option<bool> {
        let by = by
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.');
        if let Ok(ip) = by
            .strip_prefix("IPv6:")
            .or(Some(by))
            .unwrap_or(by)
            .parse::<IpAddr>()
        {
            return self.nets.trusts_ip(ip).then_some(true);
        }
        if self
            .names
            .iter()
            .any(|name| by.eq_ignore_ascii_case(name) || (!self.learnt && same_host(by, name)))
        {
            return Some(true);
        }
        self.names
            .iter()
            .any(|name| same_host(by, name))
            .then_some(false)
    }

    /// The 0-based positions (oldest first) of the hops our hosts added: their `by` names us,
    /// or the next hop's receiver saw the message come from one of our networks.
    pub fn our_hops(&self, hops: &[Hop]) -> Vec<OurHop> {
        (0..hops.len())
            .filter_map(|pos| {
                let by = hops[pos].by.as_deref().and_then(|by| self.is_ours(by));
                let next = hops
                    .get(pos + 1)
                    .and_then(|next| next.from.ip)
                    .is_some_and(|ip| self.nets.trusts_ip(ip));
                match (by, next) {
                    (Some(true), _) | (_, true) => Some(OurHop { pos, sure: true }),
                    (Some(false), false) => Some(OurHop { pos, sure: false }),
                    (None, false) => None,
                }
            })
            .collect()
    }
}

/// `mail.example.net` is `mail` (a syslog short name), `mail.example.net`, or under
/// `example.net` when that is the name given; ASCII case-insensitive.
pub fn same_host(by: &str, name: &str) -> bool {
    let by = by.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    if by == name {
        return true;
    }
    if by.len() > name.len()
        && by.ends_with(&name)
        && by.as_bytes()[by.len() - name.len() - 1] == b'.'
    {
        return true;
    }
    let first = |s: &str| s.split('.').next().unwrap_or_default().to_string();
    (!name.contains('.') && first(&by) == name) || (!by.contains('.') && first(&name) == by)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_networks_and_short_names() {
        let our = OurHosts::new(&["mail.example.net".into(), "192.0.2.0/24".into()]).unwrap();
        assert_eq!(our.is_ours("MAIL.example.net."), Some(true));
        assert_eq!(our.is_ours("[192.0.2.7]"), Some(true));
        assert_eq!(our.is_ours("mail.example.org"), None);
        assert_eq!(our.is_ours("[198.51.100.1]"), None);
        let learnt = OurHosts::learnt(["mail"]);
        assert_eq!(learnt.is_ours("mail"), Some(true));
        assert_eq!(learnt.is_ours("mail.provider.example"), Some(false));
        assert_eq!(learnt.is_ours("mx.provider.example"), None);
        assert!(same_host("mail.example.net", "mail"));
        assert!(same_host("mx1.example.net", "example.net"));
        assert!(!same_host("mail.example.net", "mai"));
        assert!(!same_host("evilexample.net", "example.net"));
        assert!(OurHosts::new(&["bad host!".into()]).is_err());
    }
}
