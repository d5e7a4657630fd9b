//! The joined record of one message, handed to a sink when the message is finished: what
//! `trace` (complaint → log lines) and any per-message export need.

use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;

use super::evidence::DetailLine;
use super::line::Status;
use super::stats::Timestamp;

/// `Arc<str>` as a JSON string (serde's `rc` feature is not enabled in main).
fn arc_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

fn opt_arc_str<S: serde::Serializer>(v: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&**v),
        None => s.serialize_none(),
    }
}

/// Where a line is: the input as named, and its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LineRef {
    #[serde(serialize_with = "arc_str")]
    pub file: Arc<str>,
    pub line: u64,
}

impl std::fmt::Display for LineRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One recipient and its last logged status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub address: String,
    pub status: Status,
    pub dsn: String,
    /// Deferred attempts logged for this recipient.
    pub deferrals: u32,
}

/// One message as the join saw it, from birth (`client=`, pickup, bounce, Exim `<=`) to
/// `removed` / `Completed` (or eviction, or the end of the input).
#[derive(Debug, Clone, Serialize)]
pub struct MessageRecord {
    #[serde(serialize_with = "arc_str")]
    pub host: Arc<str>,
    /// MTA instance: `postfix`, `postfix-out`, `exim`...
    #[serde(serialize_with = "arc_str")]
    pub instance: Arc<str>,
    pub queue_id: String,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub first_line: LineRef,
    pub client_ip: Option<IpAddr>,
    pub sasl_method: Option<String>,
    /// The authenticated account: own (SASL login), or inherited from the previous hop.
    #[serde(serialize_with = "opt_arc_str")]
    pub account: Option<Arc<str>>,
    /// Queue id of the previous hop on this host when the message came over a loopback relay.
    pub relayed_from: Option<String>,
    pub sender: Option<String>,
    pub size: Option<u64>,
    pub nrcpt: Option<u32>,
    pub message_id: Option<String>,
    pub header_from: Option<String>,
    pub recipients: Vec<Recipient>,
    /// `removed` / `Completed` was seen (false: evicted as stale, or still queued at the end).
    pub complete: bool,
    /// The evidence: its smtpd session's lines up to its birth (connect, client=), its own
    /// lines, and the session's `disconnect` when the message was still queued then; at most
    /// 100, in log order. Only filled for a sink (`run_with_sink`).
    #[serde(skip)]
    pub lines: Vec<DetailLine>,
}
