//! `mailsleuth dnsbl`: is an address (or a host name) on DNS block or allow lists, and what do
//! its PTR names say about it.
//!
//! Flow: [`targets`] parses and expands the input (and skips non-public addresses),
//! [`catalogue`] picks the zones, [`run::run`] probes them (RFC 5782 5), resolves host names,
//! queries every address and name concurrently and streams each result as it completes;
//! [`decode`] reads each answer into one of three states and [`reverse`] adds PTR, FCrDNS and
//! the dynamic-pool judgement. The report types below are the JSON contract.

pub mod catalogue;
pub mod decode;
pub mod probe;
pub mod render;
pub mod reverse;
pub mod run;
pub mod targets;

// Also the table resolver of the SPF unit tests.
#[cfg(test)]
pub(crate) mod fake;

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use crate::exit::Outcome;

pub use catalogue::{apply_dqs_key, Catalogue, Zone, ZoneKind, DQS_KEY_ENV};
pub use probe::{ProbeResult, ProbeStatus};
pub use reverse::Dynamic;
pub use run::{run, Observer, Progress, RunOptions};
pub use targets::{parse_arg, read_list, Plan, Sourced, Target, TargetError, DEFAULT_MAX_IPS};

/// The three states of a zone check; an error is never read as listed or not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Listed,
    NotListed,
    Error,
}

/// One zone's verdict on one address or name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneResult {
    /// The zone's public name (e.g. `zen.spamhaus.org`, also when queried through DQS).
    pub zone: String,
    pub kind: ZoneKind,
    pub status: Status,
    /// The A answers: listing codes, or the error codes that made it an error.
    pub codes: Vec<Ipv4Addr>,
    /// Decoded meaning of the listing codes (listed only).
    pub meaning: Option<String>,
    /// The zone's TXT reason (listed only, when asked for).
    pub txt: Option<String>,
    /// Why the check failed (error only).
    pub error: Option<String>,
}

/// Everything found about one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpResult {
    pub ip: IpAddr,
    /// The input item it came from (the address itself, a range, or a host name).
    pub source: String,
    /// PTR names, as received (trailing dot removed).
    pub ptr: Vec<String>,
    /// Forward-confirmed reverse DNS: null when a temporary failure left it undecided.
    pub fcrdns: Option<bool>,
    /// Temporary failures of the PTR or forward look-ups.
    pub ptr_error: Option<String>,
    pub dynamic: Dynamic,
    /// One entry per IP zone covering the address's family, in zone order.
    pub zones: Vec<ZoneResult>,
    /// Why the address was not queried at all (private, loopback...); `zones` is then empty.
    pub skipped: Option<String>,
    #[serde(skip)]
    pub(crate) order: (usize, u128),
}

/// Everything found about one host name: its addresses (each also gets an [`IpResult`]) and
/// the domain lists' verdicts on the name itself (queried as given, not reduced to the
/// registered domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameResult {
    pub name: String,
    pub addresses: Vec<IpAddr>,
    /// A temporary failure resolving the addresses, or addresses left out by --max-ips.
    /// A name without addresses (NXDOMAIN/NODATA) is not an error: domain lists still apply.
    pub error: Option<String>,
    pub zones: Vec<ZoneResult>,
    #[serde(skip)]
    pub(crate) order: usize,
}

/// One streamed result, tagged for NDJSON (`"type": "ip"` or `"type": "name"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Item {
    Ip(IpResult),
    Name(NameResult),
}

/// One zone's totals for the run (over addresses for IP zones, names for domain zones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneSummary {
    pub zone: String,
    pub kind: ZoneKind,
    pub listed: usize,
    pub not_listed: usize,
    pub error: usize,
    /// Why the zone was stopped for the run (failed probe); its checks are all errors.
    pub stopped: Option<String>,
}

/// The whole run, with results in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsblReport {
    pub probes: Vec<ProbeResult>,
    /// Every address, in input order; empty when the run did not keep results
    /// ([`RunOptions::keep_results`] off: they were streamed to the observer instead).
    pub ips: Vec<IpResult>,
    /// Every host name, in input order; empty when the run did not keep results.
    pub names: Vec<NameResult>,
    /// Counted as results finish, so it covers every result whether kept or not.
    pub summary: Vec<ZoneSummary>,
    /// Host names whose resolution failed or lost addresses to --max-ips, counted as they
    /// finish: with the summary, all [`DnsblReport::outcome`] needs when results are not kept.
    #[serde(skip)]
    pub(crate) name_errors: usize,
}

impl DnsblReport {
    /// The exit-code verdict: any hit on a block list flags (allow-list hits never do);
    /// otherwise any error (zone error, stopped zone, failed name resolution) leaves the run
    /// incomplete; otherwise clean. PTR/FCrDNS failures are reported but do not change it:
    /// they are context, not the question asked. Read from the per-zone counts rather than
    /// the results, which a streaming run does not keep.
    pub fn outcome(&self) -> Outcome {
        if self
            .summary
            .iter()
            .any(|s| s.listed > 0 && s.kind.is_block())
        {
            Outcome::Flagged
        } else if self.summary.iter().any(|s| s.error > 0) || self.name_errors > 0 {
            Outcome::Incomplete
        } else {
            Outcome::Clean
        }
    }
}
