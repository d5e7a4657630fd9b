//! The Received chain as a whole: hops put oldest first, delays between them, the trust
//! boundary walked from the newest hop down to the origin, and the findings only the whole
//! chain can show (time running backwards, long delays, hops that do not chain).

use std::net::IpAddr;

use serde::Serialize;

use super::boundary::{self, Boundary};
use super::parse::{self, FromPart, Parsed};
use crate::findings::{self, Finding};

/// More Received headers than this is a loop or padding (RFC 5321 section 6.3 suggests loop
/// detection at about 100 hops; real paths have fewer than 20).
const TOO_MANY_HOPS: usize = 50;

/// Limits that decide findings about time.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_delay: i64,
    pub max_skew: i64,
}

/// One hop in the report, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    /// 1 is the oldest hop, the one nearest the sender.
    pub index: usize,
    /// `relay` (a host handed the message on), `local` (a comment-only hand-off such as
    /// qmail's "invoked by uid"), or `unparseable`.
    pub kind: &'static str,
    /// The client side of the hop, as the receiving host recorded it.
    pub from: FromPart,
    pub by: Option<String>,
    pub via: Option<String>,
    pub with: Option<String>,
    pub id: Option<String>,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub tls: Option<String>,
    /// SMTP AUTH was used (ESMTPA, ESMTPSA, LMTPA... or a comment saying so).
    pub smtp_auth: bool,
    /// The authenticated identity, when the header names it.
    pub authenticated: Option<String>,
    pub envelope_from: Option<String>,
    /// RFC 3339, in the offset the header was written in.
    pub time: Option<String>,
    /// Seconds since the previous hop; negative when this hop's clock is behind.
    pub delay_s: Option<i64>,
    /// Inside the trust boundary (added by a host we believe).
    pub trusted: bool,
    /// The comment of a local hop.
    pub comment: Option<String>,
    pub notes: Vec<String>,
    /// The header's text, unfolded.
    pub raw: String,
    #[serde(skip)]
    pub timestamp: Option<i64>,
}

/// The first hop outside the trust boundary, and why it was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    pub hop: Option<usize>,
    pub ip: Option<IpAddr>,
    pub helo: Option<String>,
    pub rdns: Option<String>,
    /// The identity that authenticated at the origin hop, when it shows one.
    pub authenticated: Option<String>,
    pub reason: String,
}

/// The analysed chain.
pub struct Chain {
    pub hops: Vec<Hop>,
    pub origin: Origin,
    pub findings: Vec<Finding>,
}

/// Analyses Received header values given in header order (newest first).
pub fn analyse(values: &[String], boundary: &Boundary, limits: Limits) -> Chain {
    let mut hops: Vec<Hop> = values
        .iter()
        .rev()
        .enumerate()
        .map(|(i, raw)| to_hop(i + 1, raw))
        .collect();
    let mut findings = Vec::new();

    if hops.len() > TOO_MANY_HOPS {
        findings.push(findings::RECEIVED_TOO_MANY.finding(
            format!(
                "{} Received headers; real paths have fewer than 20",
                hops.len()
            ),
            None,
        ));
    }
    for hop in &hops {
        match hop.kind {
            "unparseable" => findings.push(findings::RECEIVED_UNPARSEABLE.finding(
                format!(
                    "hop {}: Received header not understood ({})",
                    hop.index,
                    hop.notes.join("; ")
                ),
                Some(clip(&hop.raw)),
            )),
            _ if hop.timestamp.is_none() => findings.push(findings::RECEIVED_NO_DATE.finding(
                format!("hop {}: no readable date", hop.index),
                Some(clip(&hop.raw)),
            )),
            _ => {}
        }
    }
    timing(&mut hops, limits, &mut findings);
    chaining(&hops, &mut findings);
    let (origin, undetermined) = walk(&mut hops, boundary);
    if undetermined {
        findings.push(findings::ORIGIN_UNKNOWN.finding(origin.reason.clone(), None));
    }
    Chain {
        hops,
        origin,
        findings,
    }
}

fn to_hop(index: usize, raw: &str) -> Hop {
    let unfolded = unfold(raw);
    let mut hop = Hop {
        index,
        kind: "relay",
        from: FromPart::default(),
        by: None,
        via: None,
        with: None,
        id: None,
        for_: None,
        tls: None,
        smtp_auth: false,
        authenticated: None,
        envelope_from: None,
        time: None,
        delay_s: None,
        trusted: false,
        comment: None,
        notes: Vec::new(),
        raw: unfolded,
        timestamp: None,
    };
    match parse::parse(raw) {
        Parsed::Hop(p) => {
            hop.from = p.from;
            hop.by = p.by;
            hop.via = p.via;
            hop.with = p.with;
            hop.id = p.id;
            hop.for_ = p.for_;
            hop.tls = p.tls;
            hop.smtp_auth = p.smtp_auth;
            hop.authenticated = p.authenticated;
            hop.envelope_from = p.envelope_from;
            hop.notes = p.notes;
            set_time(&mut hop, p.time);
        }
        Parsed::CommentOnly { comment, time } => {
            hop.kind = "local";
            hop.comment = Some(comment);
            set_time(&mut hop, time);
        }
        Parsed::Unparseable { reason } => {
            hop.kind = "unparseable";
            hop.notes.push(reason);
        }
    }
    hop
}

fn set_time(hop: &mut Hop, time: Option<mail_parser::DateTime>) {
    if let Some(t) = time.filter(|t| t.is_valid()) {
        hop.time = Some(t.to_rfc3339());
        hop.timestamp = Some(t.to_timestamp());
    }
}

/// Delays between dated hops, and the findings about them. A hop without a date is skipped:
/// the delay is measured from the last hop that had one.
fn timing(hops: &mut [Hop], limits: Limits, findings: &mut Vec<Finding>) {
    let mut previous: Option<(usize, i64)> = None;
    for hop in hops.iter_mut() {
        let Some(t) = hop.timestamp else { continue };
        if let Some((prev_index, prev_t)) = previous {
            let delay = t - prev_t;
            hop.delay_s = Some(delay);
            if delay < -limits.max_skew {
                findings.push(findings::RECEIVED_TIME_BACKWARDS.finding(
                    format!(
                        "hop {} is dated {} before hop {}",
                        hop.index,
                        human_duration(-delay),
                        prev_index
                    ),
                    hop.time.clone(),
                ));
            } else if delay > limits.max_delay {
                findings.push(findings::RECEIVED_DELAY_LONG.finding(
                    format!(
                        "hop {} came {} after hop {}",
                        hop.index,
                        human_duration(delay),
                        prev_index
                    ),
                    hop.time.clone(),
                ));
            }
        }
        previous = Some((hop.index, t));
    }
}

/// Each relay's client should be the host that wrote the previous hop's `by`. Only pairs of
/// consecutive relay hops where both sides name something are judged.
fn chaining(hops: &[Hop], findings: &mut Vec<Finding>) {
    for pair in hops.windows(2) {
        let (prev, hop) = (&pair[0], &pair[1]);
        if prev.kind != "relay" || hop.kind != "relay" {
            continue;
        }
        let Some(by) = prev.by.as_deref() else {
            continue;
        };
        let names: Vec<&str> = [hop.from.helo.as_deref(), hop.from.rdns.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if names.is_empty() && hop.from.ip.is_none() {
            continue;
        }
        if !same_host(by, &names, hop.from.ip) {
            let claimed = [
                hop.from.helo.clone(),
                hop.from.rdns.clone(),
                hop.from.ip.map(|ip| ip.to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
            findings.push(findings::RECEIVED_CHAIN_BREAK.finding(
                format!(
                    "hop {} was received from {claimed}, but hop {} was received by {by}",
                    hop.index, prev.index
                ),
                Some(clip(&hop.raw)),
            ));
        }
    }
}

fn same_host(by: &str, names: &[&str], ip: Option<IpAddr>) -> bool {
    let by = normal(by);
    if let Ok(by_ip) = by.trim_start_matches("ipv6:").parse::<IpAddr>() {
        return ip == Some(by_ip) || names.iter().any(|n| normal(n) == by);
    }
    let by_first = by.split('.').next().unwrap_or_default();
    names.iter().any(|n| {
        let n = normal(n);
        n == by || (!by_first.is_empty() && n.split('.').next() == Some(by_first))
    })
}

fn normal(name: &str) -> String {
    name.trim_matches(['[', ']'])
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Walks from the newest hop down while the hop's client is inside the boundary; the first
/// one outside is the origin. Hops above it are marked trusted. The flag is true when the
/// origin could not be determined (no hops, or an unreadable hop in the way), as opposed to
/// found, or every hop being inside.
fn walk(hops: &mut [Hop], boundary: &Boundary) -> (Origin, bool) {
    let mut inside: Vec<String> = Vec::new();
    for hop in hops.iter_mut().rev() {
        let why_inside = match hop.kind {
            "unparseable" => {
                let reason = format!(
                    "hop {} cannot be read, so the chain cannot be followed past it{}",
                    hop.index,
                    listed(&inside)
                );
                return (unknown(reason), true);
            }
            "local" => Some("a local hand-off".to_string()),
            // RFC 2033 section 1: LMTP is for delivery inside one site, never across the
            // Internet; the hop is the receiving site talking to itself.
            _ if hop.with.as_deref().is_some_and(is_lmtp) => {
                Some("LMTP delivery inside the receiving site".to_string())
            }
            _ if hop_to_itself(hop) => Some("the host handed the message to itself".to_string()),
            _ => match hop.from.ip {
                None => Some("no client address recorded".to_string()),
                Some(ip) if boundary::is_internal(ip) => Some(format!("{ip} is internal")),
                Some(ip) if boundary.trusts_ip(ip) => Some(format!("{ip} is trusted")),
                Some(_) => hop
                    .from
                    .rdns
                    .as_deref()
                    .filter(|name| boundary.trusts_host(name))
                    .map(|name| format!("{name} is trusted")),
            },
        };
        match why_inside {
            Some(why) => {
                hop.trusted = true;
                inside.push(format!("hop {}: {why}", hop.index));
            }
            None => {
                let ip = hop.from.ip;
                let by = hop.by.as_deref().unwrap_or("an unnamed host");
                let auth = if hop.smtp_auth {
                    match &hop.authenticated {
                        Some(who) => format!(", authenticated as {who}"),
                        None => ", with SMTP AUTH".to_string(),
                    }
                } else {
                    String::new()
                };
                let origin = Origin {
                    hop: Some(hop.index),
                    ip,
                    helo: hop.from.helo.clone(),
                    rdns: hop.from.rdns.clone(),
                    authenticated: hop.authenticated.clone(),
                    reason: format!(
                        "hop {} ({by} received it from {}{auth}) is the first whose client is outside the trusted boundary{}",
                        hop.index,
                        ip.map(|ip| ip.to_string()).unwrap_or_default(),
                        listed(&inside)
                    ),
                };
                return (origin, false);
            }
        }
    }
    if hops.is_empty() {
        return (unknown("the message has no Received headers".into()), true);
    }
    let reason = format!(
        "every hop is inside the trusted boundary: the message started on an internal or trusted host{}",
        listed(&inside)
    );
    (unknown(reason), false)
}

fn is_lmtp(with: &str) -> bool {
    let w = with.to_ascii_uppercase();
    w.starts_with("LMTP") || w.starts_with("UTF8LMTP")
}

/// `from mx.example.org ... by mx.example.org`: a content filter or a second instance on the
/// same host.
fn hop_to_itself(hop: &Hop) -> bool {
    let Some(by) = hop.by.as_deref().map(normal) else {
        return false;
    };
    let names = [hop.from.helo.as_deref(), hop.from.rdns.as_deref()];
    hop.from.ip.is_none_or(boundary::is_internal) && names.iter().flatten().any(|n| normal(n) == by)
}

fn unknown(reason: String) -> Origin {
    Origin {
        hop: None,
        ip: None,
        helo: None,
        rdns: None,
        authenticated: None,
        reason,
    }
}

fn listed(inside: &[String]) -> String {
    if inside.is_empty() {
        String::new()
    } else {
        format!("; above it: {}", inside.join(", "))
    }
}

/// Folded header text as one line.
fn unfold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.trim().chars() {
        if c == '\r' || c == '\n' || c == '\t' || c == ' ' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Evidence quoted from a header is clipped, so a 10 MB header does not become a 10 MB finding.
pub fn clip(text: &str) -> String {
    const MAX: usize = 300;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// "3 h 5 m", "42 s": durations an analyst reads at a glance.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let sign = if seconds < 0 { "-" } else { "" };
    match s {
        0..=119 => format!("{sign}{s} s"),
        120..=7199 => format!("{sign}{} m {} s", s / 60, s % 60),
        7200..=172_799 => format!("{sign}{} h {} m", s / 3600, s % 3600 / 60),
        _ => format!("{sign}{} d {} h", s / 86400, s % 86400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(42), "42 s");
        assert_eq!(human_duration(-3700), "-61 m 40 s");
        assert_eq!(human_duration(3 * 3600 + 300), "3 h 5 m");
        assert_eq!(human_duration(90000 * 3), "3 d 3 h");
    }

    #[test]
    fn unfold_joins_folded_lines() {
        assert_eq!(
            unfold(" from a\r\n\tby b\n  with c; x "),
            "from a by b with c; x"
        );
    }

    #[test]
    fn clip_keeps_char_boundaries() {
        let long = "é".repeat(400);
        let c = clip(&long);
        assert!(c.ends_with("(800 bytes)"));
    }

    #[test]
    fn host_matching() {
        assert!(same_host("mx.example.net", &["MX.example.net."], None));
        assert!(same_host("mx", &["mx.example.net"], None));
        assert!(same_host("[192.0.2.1]", &[], "192.0.2.1".parse().ok()));
        assert!(!same_host("mx.example.net", &["relay.example.org"], None));
    }
}
