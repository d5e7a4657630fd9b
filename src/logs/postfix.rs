//! Postfix lines, any instance (`postfix`, `postfix-out`) and any service (`postfix/smtpd`,
//! `postfix/submission/smtpd`): the daemon is the tag's last `/` component.
//!
//! The shapes the join needs become events. Shapes Postfix writes routinely and that carry
//! nothing the counts need (TLS notes, `lost connection`, postscreen verdicts, anvil
//! statistics, header_checks actions...) are `Ignored`, each one listed below. Everything
//! else — a shape not in these lists, or a listed shape that is malformed (a truncated
//! `client=` line) — is `Unparsed`, so it is counted under its program and can be shown
//! (`--show-unparsed`), never silently dropped.

use super::line::{
    bracket_ip, bracketed, find, find_byte, ip, number, rfind, until, word, Kind, Span, Status, HI,
    LO,
};

/// The Postfix daemons whose lines we read. Daemons not listed here have no shapes we know:
/// all their lines are unparsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Smtpd,
    Cleanup,
    Qmgr,
    /// smtp, lmtp, local, virtual, pipe, error, discard, relay... `local`: final delivery into
    /// a mailbox here (lmtp, local, virtual), which teaches us the hosted domains.
    Delivery {
        local: bool,
    },
    Bounce,
    Pickup,
    /// Daemons whose routine lines are all irrelevant to the counts; each has its own list of
    /// known shapes.
    Quiet(Quiet),
}

/// The daemons of `Service::Quiet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quiet {
    Postscreen,
    Dnsblog,
    /// anvil and scache: `statistics:` lines.
    Stats,
    Master,
    Script,
    Postsuper,
    Tlsproxy,
}

impl Service {
    pub fn of(name: &[u8]) -> Option<Service> {
        Some(match name {
            b"smtpd" => Service::Smtpd,
            b"cleanup" => Service::Cleanup,
            b"qmgr" | b"oqmgr" => Service::Qmgr,
            b"lmtp" | b"local" | b"virtual" => Service::Delivery { local: true },
            b"smtp" | b"pipe" | b"error" | b"discard" | b"retry" | b"relay" => {
                Service::Delivery { local: false }
            }
            b"bounce" => Service::Bounce,
            b"pickup" => Service::Pickup,
            b"postscreen" => Service::Quiet(Quiet::Postscreen),
            b"dnsblog" => Service::Quiet(Quiet::Dnsblog),
            b"anvil" | b"scache" => Service::Quiet(Quiet::Stats),
            b"master" => Service::Quiet(Quiet::Master),
            b"postfix-script" => Service::Quiet(Quiet::Script),
            b"postsuper" => Service::Quiet(Quiet::Postsuper),
            b"tlsproxy" => Service::Quiet(Quiet::Tlsproxy),
            _ => return None,
        })
    }
}

/// Known irrelevant shapes: `Ignored` when `msg` starts with one of `prefixes`.
fn known(msg: &[u8], prefixes: &[&[u8]]) -> Kind {
    if prefixes.iter().any(|p| msg.starts_with(p)) {
        Kind::Ignored
    } else {
        Kind::Unparsed
    }
}

/// Actions of access maps, header/body checks and milters, logged as `QID: ACTION: ...` by
/// smtpd and cleanup (or `NOQUEUE: ACTION: ...` before a queue id exists). `reject: RCPT` is
/// parsed before these are consulted.
const ACTIONS: &[&[u8]] = &[
    b"reject: ",
    b"reject_warning: ",
    b"warning: header ",
    b"warning: body ",
    b"info: ",
    b"filter: ",
    b"hold: ",
    b"discard: ",
    b"warn: ",
    b"redirect: ",
    b"prepend: ",
    b"replace: ",
    b"bcc: ",
    b"milter-reject: ",
    b"milter-discard: ",
    b"milter-hold: ",
];

/// smtpd lines without a queue id that carry nothing for the counts.
const SMTPD_NOTES: &[&[u8]] = &[
    b"lost connection after ",
    b"timeout after ",
    b"too many errors after ",
    b"improper command pipelining after ",
    b"Anonymous TLS connection established from ",
    b"Untrusted TLS connection established from ",
    b"Trusted TLS connection established from ",
    b"Verified TLS connection established from ",
    b"SSL_accept error from ",
    b"discarding EHLO keywords",
];

/// smtpd/smtp `warning:` texts Postfix writes routinely (DNS mismatches, TLS noise, limits).
const ROUTINE_WARNINGS: &[&[u8]] = &[
    b"hostname ",
    b"TLS library problem",
    b"Connection rate limit exceeded",
    b"Connection concurrency limit exceeded",
    b"Message delivery request rate limit exceeded",
    b"Recipient address rate limit exceeded",
    b"New TLS session rate limit exceeded",
    b"non-SMTP command from ",
    b"numeric hostname",
    b"SASL authentication failure: ",
];

/// smtp/lmtp/... lines about a delivery attempt that precede its `to=` line.
const DELIVERY_NOTES: &[&[u8]] = &[
    b"host ",
    b"lost connection with ",
    b"conversation with ",
    b"enabling PIX workarounds",
    b"Cannot start TLS",
];

/// smtp/lmtp/... lines without a queue id that carry nothing for the counts.
const CLIENT_NOTES: &[&[u8]] = &[
    b"connect to ",
    b"Anonymous TLS connection established to ",
    b"Untrusted TLS connection established to ",
    b"Trusted TLS connection established to ",
    b"Verified TLS connection established to ",
    b"SSL_connect error to ",
    b"warning: TLS library problem",
];

const POSTSCREEN: &[&[u8]] = &[
    b"CONNECT from ",
    b"PASS NEW ",
    b"PASS OLD ",
    b"DNSBL rank ",
    b"PREGREET ",
    b"DISCONNECT ",
    b"HANGUP ",
    b"COMMAND PIPELINING ",
    b"COMMAND TIME LIMIT ",
    b"COMMAND COUNT LIMIT ",
    b"COMMAND LENGTH LIMIT ",
    b"BARE NEWLINE ",
    b"NON-SMTP COMMAND ",
    b"NOQUEUE: reject: ",
    b"WHITELISTED ",
    b"ALLOWLISTED ",
    b"WHITELIST VETO ",
    b"ALLOWLIST VETO ",
    b"BLACKLISTED ",
    b"DENYLISTED ",
    b"cache ",
];

const MASTER: &[&[u8]] = &[b"daemon started", b"reload ", b"terminating on signal"];

const SCRIPT: &[&[u8]] = &[
    b"starting the Postfix",
    b"stopping the Postfix",
    b"refreshing the Postfix",
    b"waiting for the Postfix",
    b"the Postfix mail system is running",
];

const POSTSUPER: &[&[u8]] = &[
    b"Deleted: ",
    b"Requeued: ",
    b"Placed on hold: ",
    b"Released from hold: ",
];

const POSTSUPER_QID: &[&[u8]] = &[
    b"removed",
    b"requeued",
    b"placed on hold",
    b"released from hold",
];

/// A Postfix queue id: short (hex, 6–15 upper-case digits) or long (`enable_long_queue_ids`:
/// 10 base-52 characters, `z`, the inode in base 51).
pub fn is_qid(t: &[u8]) -> bool {
    let n = t.len();
    // Short ids a word at a time (two overlapping words cover 8 to 15 bytes; two halves 6
    // or 7): most lines of a Postfix log start with one.
    let short = match n {
        6..=7 => {
            let half =
                |at: usize| u64::from(u32::from_le_bytes([t[at], t[at + 1], t[at + 2], t[at + 3]]));
            upper_hex(half(0) | half(n - 4) << 32)
        }
        8..=15 => upper_hex(word(t, 0)) && upper_hex(word(t, n - 8)),
        _ => false,
    };
    short || ((12..=24).contains(&n) && t[10] == b'z' && t.iter().all(u8::is_ascii_alphanumeric))
}

/// Whether each of the eight bytes of `w` is `0`-`9` or `A`-`F` (SWAR).
fn upper_hex(w: u64) -> bool {
    if w & HI != 0 {
        return false;
    }
    // For a byte x < 0x80, `x + (0x80 - lo)` has its high bit set when x >= lo and
    // `x + (0x7f - hi)` when x > hi; the sums stay under 0x100, so bytes never carry.
    let within =
        |lo: u8, hi: u8| (w + LO * u64::from(0x80 - lo)) & !(w + LO * u64::from(0x7f - hi));
    (within(b'0', b'9') | within(b'A', b'F')) & HI == HI
}

/// `QID: rest` → (qid, rest).
fn qid_prefix(msg: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = find_byte(&msg[..msg.len().min(25)], b':')?;
    let (qid, rest) = (&msg[..n], &msg[n..]);
    if !is_qid(qid) {
        return None;
    }
    Some((qid, rest.strip_prefix(b": ")?))
}

/// Value of `key` (e.g. `, relay=`) up to the next `,`.
fn field<'a>(s: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = find(s, key)? + key.len();
    Some(until(&s[at..], b','))
}

/// `<addr>` at the start of `s`: the address (`>` followed by `,` or the end ends it).
fn angle(s: &[u8]) -> Option<&[u8]> {
    let s = s.strip_prefix(b"<")?;
    let end = find(s, b">,").or_else(|| s.iter().rposition(|&c| c == b'>'))?;
    Some(&s[..end])
}

pub fn parse(line: &[u8], msg: &[u8], svc: Service) -> Kind {
    let sp = |sub: &[u8]| Span::of(line, sub);
    match svc {
        Service::Smtpd => smtpd(line, msg),
        Service::Cleanup => {
            let Some((qid, rest)) = qid_prefix(msg) else {
                return Kind::Unparsed;
            };
            if let Some(v) = rest.strip_prefix(b"message-id=") {
                let id = v.strip_prefix(b"<").map_or(v, |x| until(x, b'>'));
                return Kind::MessageId {
                    qid: sp(qid),
                    id: sp(id),
                };
            }
            let h = rest
                .strip_prefix(b"warning: header From: ")
                .or_else(|| rest.strip_prefix(b"info: header From: "));
            if let Some(h) = h {
                // `VALUE from CLIENT; from=<..> to=<..> proto=.. helo=<..>`
                let end = find(h, b"; from=<").unwrap_or(h.len());
                let v = &h[..end];
                let v = match rfind(v, b" from ") {
                    Some(n) => &v[..n],
                    None => v,
                };
                return Kind::HeaderFrom {
                    qid: sp(qid),
                    from: sp(v),
                };
            }
            if rest.starts_with(b"resent-message-id=") {
                return Kind::Ignored;
            }
            known(rest, ACTIONS)
        }
        Service::Qmgr => {
            let Some((qid, rest)) = qid_prefix(msg) else {
                return Kind::Unparsed;
            };
            if rest == b"removed" {
                return Kind::Removed { qid: sp(qid) };
            }
            if let Some(v) = rest.strip_prefix(b"to=") {
                // qmgr itself defers or bounces when no transport can be tried.
                return delivery(line, qid, v, false).unwrap_or(Kind::Unparsed);
            }
            let Some(v) = rest.strip_prefix(b"from=") else {
                return known(rest, &[b"skipped, still being delivered"]);
            };
            let Some(from) = angle(v) else {
                return Kind::Unparsed;
            };
            let tail = &v[from.len() + 2..];
            if tail.starts_with(b", status=expired") {
                return Kind::Expired { qid: sp(qid) };
            }
            let size = field(tail, b", size=").and_then(number);
            let nrcpt = field(tail, b", nrcpt=").and_then(number);
            match (size, nrcpt) {
                (Some(size), Some(n)) => Kind::QueueFrom {
                    qid: sp(qid),
                    from: sp(from),
                    size,
                    nrcpt: n.min(u64::from(u32::MAX)) as u32,
                },
                _ => Kind::Unparsed,
            }
        }
        Service::Delivery { local } => {
            let Some((qid, rest)) = qid_prefix(msg) else {
                return known(msg, CLIENT_NOTES);
            };
            let Some(v) = rest.strip_prefix(b"to=") else {
                return known(rest, DELIVERY_NOTES);
            };
            delivery(line, qid, v, local).unwrap_or(Kind::Unparsed)
        }
        Service::Bounce => {
            let Some((_, rest)) = qid_prefix(msg) else {
                return Kind::Unparsed;
            };
            let tail = rest
                .strip_prefix(b"sender non-delivery notification: ")
                .or_else(|| rest.strip_prefix(b"sender delivery status notification: "))
                .or_else(|| rest.strip_prefix(b"sender delay notification: "))
                .or_else(|| rest.strip_prefix(b"postmaster non-delivery notification: "));
            match tail {
                Some(b) if is_qid(b) => Kind::Born { qid: sp(b) },
                _ => Kind::Unparsed,
            }
        }
        Service::Pickup => match qid_prefix(msg) {
            Some((qid, rest)) if rest.starts_with(b"uid=") => Kind::Born { qid: sp(qid) },
            _ => Kind::Unparsed,
        },
        Service::Quiet(q) => quiet(msg, q),
    }
}

fn quiet(msg: &[u8], q: Quiet) -> Kind {
    match q {
        Quiet::Postscreen => known(msg, POSTSCREEN),
        Quiet::Dnsblog => match msg.strip_prefix(b"addr ") {
            Some(r) if find(r, b" listed by domain ").is_some() => Kind::Ignored,
            _ => Kind::Unparsed,
        },
        Quiet::Stats => known(msg, &[b"statistics: "]),
        Quiet::Master => known(msg, MASTER),
        Quiet::Script => known(msg, SCRIPT),
        Quiet::Postsuper => match qid_prefix(msg) {
            Some((_, rest)) => known(rest, POSTSUPER_QID),
            None => known(msg, POSTSUPER),
        },
        Quiet::Tlsproxy => known(msg, &[b"CONNECT ", b"DISCONNECT "]),
    }
}

fn smtpd(line: &[u8], msg: &[u8]) -> Kind {
    let sp = |sub: &[u8]| Span::of(line, sub);
    if let Some(c) = msg.strip_prefix(b"connect from ") {
        // `NAME[IP]` or `NAME[IP]:PORT`: only the shape is checked. Nothing reads the address
        // (a session's messages carry it on their `client=` lines), and parsing it took half
        // of the cost of a line that is one in eleven of a busy log.
        return if bracketed(c).is_some_and(|a| !a.is_empty()) {
            Kind::Connect
        } else {
            Kind::Unparsed
        };
    }
    if msg.starts_with(b"disconnect from ") {
        return Kind::Disconnect;
    }
    if let Some(w) = msg.strip_prefix(b"warning: ") {
        // `NAME[IP][:PORT]: SASL METHOD authentication failed: REASON[, sasl_username=U]`
        let Some(at) = find(w, b": SASL ") else {
            return known(w, ROUTINE_WARNINGS);
        };
        if find(&w[at..], b" authentication failed").is_none() {
            return Kind::Unparsed;
        }
        let Some(ip) = bracket_ip(&w[..at]) else {
            return Kind::Unparsed;
        };
        let user = match find(&w[at..], b", sasl_username=") {
            Some(n) => sp(&w[at + n + 16..]),
            None => Span::default(),
        };
        return Kind::SaslFail { ip, user };
    }
    if let Some(r) = msg.strip_prefix(b"NOQUEUE: ") {
        return if r.starts_with(b"reject: RCPT from ") {
            Kind::RcptReject {
                qid: Span::default(),
            }
        } else {
            known(r, ACTIONS)
        };
    }
    let Some((qid, rest)) = qid_prefix(msg) else {
        return known(msg, SMTPD_NOTES);
    };
    if let Some(c) = rest.strip_prefix(b"client=") {
        let Some(ip) = bracket_ip(until(c, b',')) else {
            return Kind::Unparsed;
        };
        let method = field(c, b", sasl_method=").map_or(Span::default(), sp);
        let user = field(c, b", sasl_username=").map_or(Span::default(), sp);
        return Kind::Client {
            qid: sp(qid),
            ip,
            method,
            user,
        };
    }
    if rest.starts_with(b"reject: RCPT from ") {
        return Kind::RcptReject { qid: sp(qid) };
    }
    known(rest, ACTIONS)
}

/// Whether `NAME[IP]:PORT` names a loopback address. Most relays are remote: the address is
/// only parsed when it can be loopback (`127.*`, or IPv6 for `::1`).
fn loopback(relay: &[u8]) -> bool {
    let Some(inner) = bracketed(relay) else {
        return false;
    };
    // `127.0.0.1`, a content filter's usual address, is known without parsing it.
    inner == b"127.0.0.1"
        || ((inner.starts_with(b"127.") || find_byte(inner, b':').is_some())
            && ip(inner).is_some_and(|ip| ip.is_loopback()))
}

/// `to=<R>, [orig_to=<..>, ]relay=R, delay=.., delays=.., dsn=X.Y.Z, status=S (reply)`
fn delivery(line: &[u8], qid: &[u8], v: &[u8], local: bool) -> Option<Kind> {
    let sp = |sub: &[u8]| Span::of(line, sub);
    let rcpt = angle(v)?;
    let tail = &v[rcpt.len() + 2..];
    // The fields come in this order: each search starts where the previous field ended.
    // `relay=` mostly follows the recipient at once (unless `orig_to=` comes between).
    let r_at = if tail.starts_with(b", relay=") {
        8
    } else {
        find(tail, b", relay=")? + 8
    };
    let relay = until(&tail[r_at..], b',');
    let mut at = r_at + relay.len();
    let dsn = match find(&tail[at..], b", dsn=") {
        Some(n) => {
            let d = until(&tail[at + n + 6..], b',');
            at += n + 6 + d.len();
            d
        }
        None => &[],
    };
    let st_at = at + find(&tail[at..], b", status=")? + 9;
    let st = &tail[st_at..];
    let word = st
        .iter()
        .position(|&c| c == b' ' || c == b',')
        .map_or(st, |n| &st[..n]);
    let status = match word {
        b"sent" | b"delivered" => Status::Sent,
        b"bounced" | b"undeliverable" => Status::Bounced,
        b"deferred" => Status::Deferred,
        b"expired" => Status::Expired,
        _ => return None,
    };
    let mut next_qid = Span::default();
    if status == Status::Sent && loopback(relay) {
        if let Some(n) = rfind(st, b"queued as ") {
            let q = &st[n + 10..];
            let q = q
                .iter()
                .position(|c| !c.is_ascii_alphanumeric())
                .map_or(q, |e| &q[..e]);
            if !q.is_empty() {
                next_qid = sp(q);
            }
        }
    }
    Some(Kind::Delivery {
        qid: sp(qid),
        rcpt: sp(rcpt),
        status: if next_qid.is_empty() {
            status
        } else {
            Status::Relayed
        },
        dsn: sp(dsn),
        next_qid,
        local: local || relay == b"local" || relay == b"virtual" || relay == b"dovecot",
        domain_seen: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::line::test_support::{ev, text};

    #[test]
    fn queue_ids() {
        assert!(is_qid(b"9B99E87D78E"));
        assert!(is_qid(b"4Xk2Lm3Q9Zz8wB"));
        assert!(is_qid(b"55cNr20vTHzMd"));
        assert!(!is_qid(b"NOQUEUE"));
        assert!(!is_qid(b"warning"));
        assert!(!is_qid(b"9b99e87d78e"));
    }

    #[test]
    fn short_queue_ids_word_at_a_time() {
        let naive = |t: &[u8]| {
            (6..=15).contains(&t.len())
                && t.iter()
                    .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
        };
        for n in 5..=16 {
            for pos in 0..n {
                for b in 0..=255u8 {
                    let mut t = vec![b'7'; n];
                    t[pos] = b;
                    // Long ids (a `z` at 10) are the other branch.
                    if n > 10 && t[10] == b'z' {
                        continue;
                    }
                    assert_eq!(is_qid(&t), naive(&t), "{t:?}");
                }
            }
        }
    }

    #[test]
    fn smtpd_client_with_sasl() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/submission/smtpd[19808]: 9B99E87D78E: client=24-177-251-225.pool.ovh.example[24.177.251.225], sasl_method=PLAIN, sasl_username=paul.weber89@tekterpix-gmbh.example");
        let Kind::Client {
            qid,
            ip,
            method,
            user,
        } = e.kind
        else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, qid), "9B99E87D78E");
        assert_eq!(ip.to_string(), "24.177.251.225");
        assert_eq!(text(&b, method), "PLAIN");
        assert_eq!(text(&b, user), "paul.weber89@tekterpix-gmbh.example");
    }

    #[test]
    fn smtps_client_with_port_and_ipv6() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/smtps/smtpd[1]: 4Xk2Lm3Q9Zz8wB: client=unknown[2a01:4f8::1]:51234, sasl_method=LOGIN, sasl_username=bob");
        let Kind::Client { ip, user, .. } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(ip.to_string(), "2a01:4f8::1");
        assert_eq!(text(&b, user), "bob");
    }

    #[test]
    fn truncated_client_is_unparsed() {
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[185.2");
        assert_eq!(e.kind, Kind::Unparsed);
    }

    #[test]
    fn connect_and_disconnect() {
        let (e, _) =
            ev("Nov 16 00:02:38 mail postfix/smtpd[7]: connect from mail.x.es[89.6.64.167]");
        assert_eq!(e.kind, Kind::Connect);
        let (e, _) =
            ev("Nov 16 00:02:38 mail postfix/smtps/smtpd[7]: connect from x.es[2001:db8::7]:63945");
        assert_eq!(e.kind, Kind::Connect);
        for bad in [
            "connect from mail.x.es",
            "connect from mail.x.es[89.6.64.167",
            "connect from ]",
            "connect from x[]:25",
        ] {
            let (e, _) = ev(&format!("Nov 16 00:02:38 mail postfix/smtpd[7]: {bad}"));
            assert_eq!(e.kind, Kind::Unparsed, "{bad}");
        }
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/smtpd[7]: disconnect from mail.x.es[89.6.64.167] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5");
        assert_eq!(e.kind, Kind::Disconnect);
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/smtpd[7]: lost connection after AUTH from unknown[1.2.3.4]");
        assert_eq!(e.kind, Kind::Ignored);
    }

    #[test]
    fn sasl_failures_with_and_without_username() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/submission/smtpd[7318]: warning: unknown[133.243.1.108]: SASL LOGIN authentication failed: authentication failure, sasl_username=mia.schmidt@x.example");
        let Kind::SaslFail { ip, user } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(ip.to_string(), "133.243.1.108");
        assert_eq!(text(&b, user), "mia.schmidt@x.example");
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/smtps/smtpd[1]: warning: unknown[184.39.150.193]:5763: SASL PLAIN authentication failed: ");
        assert_eq!(
            e.kind,
            Kind::SaslFail {
                ip: "184.39.150.193".parse().expect("ip"),
                user: Span::default()
            }
        );
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/smtpd[1]: warning: hostname x.example does not resolve to address 1.2.3.4: Name or service not known");
        assert_eq!(e.kind, Kind::Ignored);
    }

    #[test]
    fn rejects() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/submission/smtpd[1]: 9B99E87D78E: reject: RCPT from unknown[1.2.3.4]: 450 4.7.1 <a@b.c>: Recipient address rejected: Rate limit exceeded; from=<x@y.z> to=<a@b.c> proto=ESMTP helo=<User>");
        let Kind::RcptReject { qid } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, qid), "9B99E87D78E");
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[1.2.3.4]: 554 5.7.1 <a@b.c>: Relay access denied; from=<x@y.z> to=<a@b.c> proto=ESMTP helo=<h>");
        assert_eq!(
            e.kind,
            Kind::RcptReject {
                qid: Span::default()
            }
        );
    }

    #[test]
    fn cleanup_lines() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix-out/cleanup[59269]: 55cNr20vTHzMd: message-id=<CA+nRvwDv6DSlxf0M1fv4cQ@mail.gmail.com>");
        let Kind::MessageId { qid, id } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, qid), "55cNr20vTHzMd");
        assert_eq!(text(&b, id), "CA+nRvwDv6DSlxf0M1fv4cQ@mail.gmail.com");
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/cleanup[1]: 9B99E87D78E: warning: header From: \"Bank\" <secure@bank.example> from unknown[1.2.3.4]; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>");
        let Kind::HeaderFrom { from, .. } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, from), "\"Bank\" <secure@bank.example>");
        // header_checks lines always carry the queue id: without one the line is garbled.
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/cleanup[1]: warning: header Subject: =?iso-8859-1?Q?Gr=FC=DFe?= AAAA from localhost[127.0.0.1]");
        assert_eq!(e.kind, Kind::Unparsed);
    }

    #[test]
    fn qmgr_lines() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/qmgr[1850]: 9B99E87D78E: from=<paul@x.example>, size=2039, nrcpt=3 (queue active)");
        let Kind::QueueFrom {
            from, size, nrcpt, ..
        } = e.kind
        else {
            panic!("{:?}", e.kind)
        };
        assert_eq!((text(&b, from), size, nrcpt), ("paul@x.example", 2039, 3));
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/qmgr[1850]: 9B99E87D78E: from=<>, size=3000, nrcpt=1 (queue active)");
        let Kind::QueueFrom { from, .. } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, from), "");
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/qmgr[1850]: 9B99E87D78E: removed");
        assert!(matches!(e.kind, Kind::Removed { .. }));
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/qmgr[1850]: 9B99E87D78E: from=<a@b.c>, status=expired, returned to sender");
        assert!(matches!(e.kind, Kind::Expired { .. }));
    }

    #[test]
    fn deliveries() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/smtp[61138]: 9B99E87D78E: to=<nina@lexinka.example>, relay=127.0.0.1[127.0.0.1]:10025, delay=0.3, delays=0.1/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 55cNr20vTHzMd)");
        let Kind::Delivery {
            rcpt,
            status,
            dsn,
            next_qid,
            local,
            ..
        } = e.kind
        else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, rcpt), "nina@lexinka.example");
        assert_eq!(status, Status::Relayed);
        assert_eq!(text(&b, dsn), "2.0.0");
        assert_eq!(text(&b, next_qid), "55cNr20vTHzMd");
        assert!(!local);
        // A remote "queued as" is a final sent.
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/smtp[1]: 9B99E87D78E: to=<a@b.example>, relay=mx.b.example[192.0.2.7]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4AB3C)");
        assert!(matches!(
            e.kind,
            Kind::Delivery {
                status: Status::Sent,
                ..
            }
        ));
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/lmtp[39733]: 55cNr20vTHzMd: to=<nina@l.example>, relay=mail.example.net[private/dovecot-lmtp], delay=0.2, delays=0.1/0/0/0.05, dsn=2.0.0, status=sent (250 2.0.0 <nina@l.example> c1e15e71 Saved)");
        assert!(matches!(
            e.kind,
            Kind::Delivery {
                status: Status::Sent,
                local: true,
                ..
            }
        ));
        let (e, _) = ev("Nov 16 00:02:38 mail postfix-out/smtp[1]: 55cNr20vTHzMd: to=<a@qq.com>, relay=none, delay=31, delays=1/0.02/30/0, dsn=4.4.1, status=deferred (connect to mx3.qq.com[203.205.219.57]:25: Connection timed out)");
        assert!(matches!(
            e.kind,
            Kind::Delivery {
                status: Status::Deferred,
                ..
            }
        ));
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/smtp[1]: 9B99E87D78E: to=<a@b.example>, relay=mx[192.0.2.7]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host mx[192.0.2.7] said: 550 5.1.1 <a@b.example>: Recipient address rejected: User unknown (in reply to RCPT TO command))");
        assert!(matches!(
            e.kind,
            Kind::Delivery {
                status: Status::Bounced,
                ..
            }
        ));
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/local[1]: 9B99E87D78E: to=<root@mail.example.net>, orig_to=<root>, relay=local, delay=0.03, delays=0.02/0/0/0.01, dsn=2.0.0, status=sent (delivered to mailbox)");
        let Kind::Delivery { rcpt, local, .. } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!((text(&b, rcpt), local), ("root@mail.example.net", true));
    }

    #[test]
    fn born_lines() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/bounce[1]: 9B99E87D78E: sender non-delivery notification: 0A1B2C3D4E5");
        let Kind::Born { qid } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, qid), "0A1B2C3D4E5");
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/pickup[1]: 0A1B2C3D4E5: uid=0 from=<root>");
        let Kind::Born { qid } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, qid), "0A1B2C3D4E5");
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/postscreen[1]: PASS OLD [1.2.3.4]:5678");
        assert_eq!(e.kind, Kind::Ignored);
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/weird[1]: x");
        assert_eq!(e.kind, Kind::Unparsed);
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/bounce[1]: 9B99E87D78E: sender delay notification: 0A1B2C3D4E6");
        let Kind::Born { qid } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, qid), "0A1B2C3D4E6");
    }

    #[test]
    fn loopback_relays() {
        assert!(loopback(b"127.0.0.1[127.0.0.1]:10025"));
        assert!(loopback(b"localhost[127.0.0.2]:10025"));
        assert!(loopback(b"localhost[::1]:10025"));
        assert!(loopback(b"localhost[IPv6:::1]:10025"));
        assert!(!loopback(b"mx.example[192.0.2.7]:25"));
        assert!(!loopback(b"mx.example[2001:db8::1]:25"));
        assert!(!loopback(b"127.0.0.1.example[192.0.2.7]:25"));
        assert!(!loopback(b"none"));
        assert!(!loopback(b"mx[127.0.0"));
        assert!(!loopback(b"mx[127.0.0.1"));
        assert!(!loopback(b"mx[127.0.0.1:25"));
        assert!(loopback(b"localhost[127.0.0.1]"));
    }

    #[test]
    fn qmgr_deferral_without_transport() {
        let (e, b) = ev("Nov 16 00:02:38 mail postfix/qmgr[1]: 9B99E87D78E: to=<a@b.example>, relay=none, delay=3600, delays=3600/0/0/0, dsn=4.3.0, status=deferred (delivery temporarily suspended: x)");
        let Kind::Delivery { rcpt, status, .. } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!((text(&b, rcpt), status), ("a@b.example", Status::Deferred));
    }

    /// Shapes Postfix writes routinely that the counts do not need.
    #[test]
    fn routine_shapes_are_ignored() {
        for s in [
            "postfix/smtpd[7]: lost connection after CONNECT from unknown[1.2.3.4]",
            "postfix/smtpd[7]: timeout after DATA (0 bytes) from unknown[1.2.3.4]",
            "postfix/submission/smtpd[7]: Anonymous TLS connection established from unknown[1.2.3.4]: TLSv1.3 with cipher X",
            "postfix/smtpd[7]: NOQUEUE: reject: CONNECT from unknown[1.2.3.4]: 554 5.7.1 go away",
            "postfix/smtpd[7]: 9B99E87D78E: reject: DATA from unknown[1.2.3.4]: 550 no",
            "postfix/smtpd[7]: warning: hostname x.example does not resolve to address 1.2.3.4: Name or service not known",
            "postfix/smtpd[7]: warning: TLS library problem: error:0A000102",
            "postfix/cleanup[7]: 9B99E87D78E: warning: header Subject: Rechnung from x[1.2.3.4]; from=<a@b> to=<c@d>",
            "postfix/cleanup[7]: 9B99E87D78E: milter-reject: END-OF-MESSAGE from x[1.2.3.4]: 5.7.1 spam",
            "postfix/qmgr[7]: 9B99E87D78E: skipped, still being delivered",
            "postfix/smtp[7]: connect to mx.example[192.0.2.7]:25: Connection timed out",
            "postfix/smtp[7]: Untrusted TLS connection established to mx.example[192.0.2.7]:25: TLSv1.3",
            "postfix/smtp[7]: 9B99E87D78E: host mx.example[192.0.2.7] said: 451 try later (in reply to RCPT TO command)",
            "postfix/postscreen[7]: CONNECT from [1.2.3.4]:5678 to [192.0.2.1]:25",
            "postfix/postscreen[7]: PASS OLD [1.2.3.4]:5678",
            "postfix/postscreen[7]: NOQUEUE: reject: RCPT from [1.2.3.4]:5678: 550 5.7.1 Service unavailable",
            "postfix/dnsblog[7]: addr 1.2.3.4 listed by domain zen.spamhaus.org as 127.0.0.3",
            "postfix/anvil[7]: statistics: max connection rate 3/60s for (smtp:1.2.3.4) at Nov 16 00:02:38",
            "postfix/scache[7]: statistics: start interval Nov 16 00:02:38",
            "postfix/master[7]: daemon started -- version 3.7.11, configuration /etc/postfix",
            "postfix/postfix-script[7]: starting the Postfix mail system",
            "postfix/postsuper[7]: 9B99E87D78E: removed",
            "postfix/postsuper[7]: Deleted: 3 messages",
        ] {
            let (e, _) = ev(&format!("Nov 16 00:02:38 mail {s}"));
            assert_eq!(e.kind, Kind::Ignored, "{s}");
        }
    }

    /// Lines of known daemons in shapes we do not know are counted as unparsed, not dropped.
    #[test]
    fn unknown_shapes_are_unparsed() {
        for s in [
            "postfix/smtpd[77]: \x1b[2Jsomething new",
            "postfix/smtpd[77]: warning: something we have never seen",
            "postfix/smtpd[77]: warning: unknown[1.2.3.4]: SASL LOGIN authentication aborted",
            "postfix/smtpd[77]: NOQUEUE: something new",
            "postfix/smtpd[77]: 9B99E87D78E: something new",
            "postfix/smtpd[77]: fatal: no SASL authentication mechanisms",
            "postfix/cleanup[7]: warning: header Subject: no queue id from localhost[127.0.0.1]",
            "postfix/cleanup[7]: 9B99E87D78E: something new",
            "postfix/qmgr[7]: warning: mail for [x] is using up 20000 of 20000 active queue entries",
            "postfix/qmgr[7]: 9B99E87D78E: something new",
            "postfix/smtp[7]: 9B99E87D78E: something new",
            "postfix/smtp[7]: warning: no MX host for x.example has a valid address record",
            "postfix/bounce[7]: 9B99E87D78E: something new",
            "postfix/pickup[7]: 9B99E87D78E: something new",
            "postfix/postscreen[7]: something new",
            "postfix/anvil[7]: something new",
            "postfix/dnsblog[7]: addr 1.2.3.4 something new",
            "postfix/tlsmgr[7]: warning: request to update table btree:/x in non-postfix directory",
            "postfix/verify[7]: anything",
        ] {
            let (e, _) = ev(&format!("Nov 16 00:02:38 mail {s}"));
            assert_eq!(e.kind, Kind::Unparsed, "{s}");
        }
    }
}
