//! Per-account and per-IP aggregates of a log run: what the judgement (signals, scores) reads.
//!
//! CONTRACT between the log engine (readers, parsers, join, aggregation: fills these) and the
//! judgement (signals.rs, score, access-map: reads these). Fields may be ADDED by either side
//! after telling the lead; none may be renamed or removed. Times are Unix seconds (UTC) as i64.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use serde::Serialize;

/// Unix time in seconds (UTC). Classic syslog stamps are converted with the run's offset.
pub type Timestamp = i64;

/// Everything known about one authenticated (SASL) account.
#[derive(Debug, Default, Clone, Serialize)]
pub struct AccountStats {
    /// The SASL username as logged (lower-cased? no: exactly as logged).
    pub account: String,
    /// Messages submitted: `QID: client=..., sasl_username=U` lines (one per queue id).
    pub messages: u64,
    /// Recipients counted by RCPT: nrcpt= of the FIRST qmgr `from=` line of each message (qmgr
    /// repeats it on every retry of a deferred message), or the number of accepted RCPTs.
    pub recipients: u64,
    /// RCPT commands rejected (NOQUEUE/QID reject lines) in this account's sessions.
    pub rcpt_rejected: u64,
    /// Highest recipients in any sliding 1-hour window, and where that window starts.
    pub peak_recipients_1h: u64,
    pub peak_1h_start: Option<Timestamp>,
    /// Highest recipients in any sliding 10-minute window, and where that window starts.
    pub peak_recipients_10m: u64,
    pub peak_10m_start: Option<Timestamp>,
    /// First and last time the account was seen (login, message or failure).
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Client IPs that authenticated successfully as this account (SMTP AUTH sessions, and
    /// Dovecot logins), with counts.
    #[serde(serialize_with = "sorted")]
    pub ips: HashMap<IpAddr, IpUse>,
    /// Failed authentication attempts naming this account, and the IPs they came from.
    pub auth_failures: u64,
    #[serde(serialize_with = "sorted")]
    pub failed_ips: HashMap<IpAddr, u64>,
    /// A successful login from an IP that had failed against this account just before
    /// (within the engine's window, default 1 h).
    pub success_after_failure: Vec<SuccessAfterFailure>,
    /// Messages whose envelope sender is not the account itself (nor, for a bare username
    /// account, a local part at one of the hosted domains seen); top senders with counts.
    pub sender_mismatch: u64,
    pub mismatched_senders: Vec<(String, u64)>,
    /// Messages whose logged header From (header_checks/cleanup warning) differs likewise.
    pub header_from_mismatch: u64,
    /// Final status per recipient of this account's messages (after a relay hop when the
    /// message went through a second instance): sent, bounced, expired; deferred counts
    /// recipients that were deferred at least once.
    pub sent: u64,
    pub bounced: u64,
    pub deferred: u64,
    pub expired: u64,
    /// Per hour (start of the hour, Unix seconds), in time order, each hour once: messages,
    /// recipients, distinct IPs that hour. A sorted list, not a map: the aggregator keeps it
    /// sorted anyway, and a map per account cost milliseconds to build and free at the end of
    /// every run. Serialized as a map (hour → bucket).
    #[serde(serialize_with = "as_map")]
    pub hourly: Vec<(Timestamp, HourBucket)>,
    /// Up to N sample queue ids (host, queue id) of this account's messages, earliest first.
    pub sample_queue_ids: Vec<(String, String)>,
    /// IMAP/POP logins (Dovecot), counted apart from SMTP submissions.
    pub imap_logins: u64,
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct IpUse {
    /// SMTP AUTH sessions (or messages) from this IP as this account.
    pub smtp: u64,
    /// Dovecot (IMAP/POP) logins from this IP as this account.
    pub imap: u64,
    pub first: Timestamp,
    pub last: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuccessAfterFailure {
    pub ip: IpAddr,
    pub at: Timestamp,
    /// Failures from that IP against this account before the success.
    pub failures_before: u64,
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct HourBucket {
    pub messages: u64,
    pub recipients: u64,
}

/// Everything known about one client IP's authentication behaviour.
#[derive(Debug, Clone, Serialize)]
pub struct IpStats {
    pub ip: IpAddr,
    pub auth_failures: u64,
    /// Distinct account names this IP failed (or succeeded) to log in as.
    pub accounts_tried: u64,
    /// Successful logins from this IP, and the accounts they were for.
    pub successes: u64,
    pub accounts_succeeded: Vec<String>,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
}

// `IpAddr` has no `Default`, so the derive above cannot be used; the unspecified address
// stands in (engine note: the contract as first written did not compile).
impl Default for IpStats {
    fn default() -> Self {
        IpStats {
            ip: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            auth_failures: 0,
            accounts_tried: 0,
            successes: 0,
            accounts_succeeded: Vec::new(),
            first_seen: None,
            last_seen: None,
        }
    }
}

/// The whole run's aggregates.
#[derive(Debug, Default, Clone, Serialize)]
pub struct LogStats {
    pub accounts: Vec<AccountStats>,
    pub ips: Vec<IpStats>,
    /// Domains the site hosts, learnt from the logs (local recipients, `sasl_username`
    /// domains); used to tell "sender is one of the account's domains".
    pub local_domains: Vec<String>,
    pub totals: Totals,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Totals {
    pub lines: u64,
    pub parsed: u64,
    pub unparsed: u64,
    /// Unparsed line counts per program (`postfix/smtpd`, `CRON`, `?` when no program).
    pub unparsed_by_program: BTreeMap<String, u64>,
    pub messages: u64,
    pub recipients: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Added by the engine: messages submitted by authenticated accounts (the sum of
    /// `AccountStats::messages`) and their recipients (sum of `AccountStats::recipients`).
    pub authenticated_messages: u64,
    pub authenticated_recipients: u64,
    /// Added by the engine: failed authentication attempts (each attempt once, whether or not
    /// it named an account) and mailbox (IMAP/POP) logins.
    pub auth_failures: u64,
    pub mailbox_logins: u64,
}

/// Maps keyed by address serialise in address order, so the same logs give the same bytes.
fn as_map<K: Serialize, V: Serialize, S: serde::Serializer>(
    pairs: &[(K, V)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

fn sorted<V: Serialize, S: serde::Serializer>(
    map: &HashMap<IpAddr, V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(map.iter().collect::<BTreeMap<_, _>>())
}
