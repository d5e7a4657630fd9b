//! Exim main-log lines, written by Exim itself (`2026-11-22 04:03:14 ID <= ...`) or through
//! syslog (`... host exim[PID]: [2026-11-22 04:03:14 ]ID <= ...`).
//!
//! Message lines start with the message id and a flag: `<=` arrival, `=>` delivery, `->`
//! further address of the same delivery, `*>` suppressed delivery, `**` bounce, `==` deferral,
//! and `Completed`. Authentication is `A=authenticator:user` on the arrival line; failures are
//! `authenticator failed for ...: 535 Incorrect authentication data (set_id=user)`.
//! Routine lines the counts do not need are `Ignored` (listed below); any other line is
//! `Unparsed`.

use super::line::{bracket_ip, find, number, rfind, until, Kind, Span, Status};
use super::time::parse_exim;

/// Strip Exim's own timestamp (present when syslog_timestamp is on, and in Exim's own files
/// after the prefix split) and a `[pid]` (log_selector `+pid`).
pub fn strip_own_prefix(msg: &[u8]) -> &[u8] {
    let mut m = msg;
    if let Some((_, n)) = parse_exim(m) {
        if m.get(n) == Some(&b' ') {
            m = &m[n + 1..];
        }
    }
    if let Some(r) = m.strip_prefix(b"[") {
        let d = r.iter().take_while(|c| c.is_ascii_digit()).count();
        if d > 0 && r[d..].starts_with(b"] ") {
            m = &r[d + 2..];
        }
    }
    m
}

/// `1tABCD-000123-4X` (classic) or `1tABCD-0001234567-4Xa` style (Exim 4.97+ ids).
pub fn is_id(t: &[u8]) -> bool {
    let mut parts = t.split(|&c| c == b'-');
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    a.len() == 6
        && (6..=11).contains(&b.len())
        && (2..=4).contains(&c.len())
        && t.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
}

/// Lines without a message id that Exim writes routinely and the counts do not need
/// (connections, queue runs, rejections outside authenticated sessions, TLS errors).
const EXIM_NOTES: &[&[u8]] = &[
    b"SMTP connection from ",
    b"SMTP command timeout",
    b"SMTP protocol error",
    b"SMTP protocol synchronization error",
    b"SMTP call from ",
    b"SMTP data timeout",
    b"unexpected disconnection",
    b"no host name found for IP address ",
    b"no IP address found for host ",
    b"Start queue run",
    b"End queue run",
    b"TLS error on connection",
    b"H=",
    b"F=",
    b"exim ",
    b"Connection from ",
    b"DKIM: ",
];

/// Lines of a message (after its id) besides arrivals, deliveries and completion.
const EXIM_MESSAGE_NOTES: &[&[u8]] = &[
    b"SMTP error from remote",
    b"SMTP connection outbound",
    b"DKIM: ",
    b"Frozen",
    b"Unfrozen",
    b"Message is frozen",
    b"removed by ",
    b"Spool file is locked",
    b"H=",
    b"Sender identification",
    b"cancelled by ",
    b"error ignored",
    b"retry time not reached",
];

fn known(msg: &[u8], prefixes: &[&[u8]]) -> Kind {
    if prefixes.iter().any(|p| msg.starts_with(p)) {
        Kind::Ignored
    } else {
        Kind::Unparsed
    }
}

/// ` KEY=value` (value up to the next space).
fn tag<'a>(s: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = find(s, key)? + key.len();
    Some(until(&s[at..], b' '))
}

pub fn parse(line: &[u8], msg: &[u8]) -> Kind {
    let sp = |sub: &[u8]| Span::of(line, sub);
    let id_end = msg.iter().position(|&c| c == b' ').unwrap_or(msg.len());
    let id = &msg[..id_end];
    if !is_id(id) {
        if let Some(n) = find(msg, b"authenticator failed for ") {
            let rest = &msg[n..];
            let Some(ip) = bracket_ip(rest) else {
                return Kind::Unparsed;
            };
            let user = find(rest, b"(set_id=")
                .map(|k| until(&rest[k + 8..], b')'))
                .unwrap_or_default();
            return Kind::EximAuthFail { ip, user: sp(user) };
        }
        if find(msg, b" rejected RCPT ").is_some() {
            if let Some(a) = tag(msg, b" A=") {
                if let Some(c) = a.iter().position(|&x| x == b':') {
                    return Kind::EximReject {
                        user: sp(&a[c + 1..]),
                    };
                }
            }
        }
        return known(msg, EXIM_NOTES);
    }
    let rest = msg.get(id_end + 1..).unwrap_or_default();
    if rest == b"Completed" || rest.starts_with(b"Completed ") {
        return Kind::Removed { qid: sp(id) };
    }
    let (flag, body) = (
        rest.get(..3).unwrap_or_default(),
        rest.get(3..).unwrap_or_default(),
    );
    let status = match flag {
        b"<= " => return arrival(line, id, body),
        b"=> " | b"-> " | b"*> " => Status::Sent,
        b"** " => Status::Bounced,
        b"== " => Status::Deferred,
        _ => return known(rest, EXIM_MESSAGE_NOTES),
    };
    let rcpt = until(body, b' ');
    if rcpt.is_empty() {
        return Kind::Unparsed;
    }
    Kind::Delivery {
        qid: sp(id),
        rcpt: sp(rcpt),
        status,
        dsn: Span::default(),
        next_qid: Span::default(),
        local: false,
        domain_seen: false,
    }
}

/// The fields of an arrival that only the join's text and sender checks read (kept out of
/// the event, which stays small): sender, size and message id, from the line of the arrival
/// whose id is `id`.
pub fn arrival_fields(line: &[u8], id: Span) -> (&[u8], u64, &[u8]) {
    let body = line
        .get((id.off + id.len) as usize + 4..)
        .unwrap_or_default();
    let sender = until(body, b' ');
    let sender = if sender == b"<>" {
        &sender[..0]
    } else {
        sender
    };
    let size = tag(body, b" S=").and_then(number).unwrap_or(0);
    let msgid = tag(body, b" id=").unwrap_or_default();
    (sender, size, msgid)
}

/// `<= sender H=name (helo) [ip]:port ... A=auth:user S=size id=msgid ... for r1 r2`
fn arrival(line: &[u8], id: &[u8], body: &[u8]) -> Kind {
    let sp = |sub: &[u8]| Span::of(line, sub);
    let ip = find(body, b" H=").and_then(|n| {
        let h = &body[n..];
        // The host part ends where the next ` X=` field starts.
        let end = find(&h[3..], b"=").map_or(h.len(), |e| e + 3);
        bracket_ip(&h[..end])
    });
    let user = tag(body, b" A=")
        .and_then(|a| a.iter().position(|&c| c == b':').map(|c| &a[c + 1..]))
        .unwrap_or_default();
    // `for r1 r2 ...` (log_selector +received_recipients) ends the line; a subject (`T="..."`)
    // comes before it, so only look after the last quote.
    let after_quote = memchr::memrchr(b'"', body).map_or(body, |q| &body[q..]);
    let nrcpt = rfind(after_quote, b" for ").map(|n| {
        after_quote[n + 5..]
            .split(|&c| c == b' ')
            .filter(|t| !t.is_empty())
            .count() as u32
    });
    Kind::EximArrival {
        id: sp(id),
        ip,
        user: sp(user),
        nrcpt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::line::test_support::{ev, text};

    #[test]
    fn ids() {
        assert!(is_id(b"1tABCD-000123-4X"));
        assert!(is_id(b"1tABCD-0001234567-4Xab"));
        assert!(!is_id(b"1tABCD-000123"));
        assert!(!is_id(b"dovecot_plain"));
    }

    #[test]
    fn native_arrival_authenticated() {
        let (e, b) = ev("2026-11-22 04:03:14 1tABCD-000123-4X <= alice@example.com H=(helo.example) [203.0.113.5]:51234 I=[192.0.2.1]:587 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_plain:alice S=1234 id=abc@example.com T=\"Invoice for you\" from <alice@example.com> for bob@example.net carol@example.org");
        let Kind::EximArrival {
            id,
            ip,
            user,
            nrcpt,
        } = e.kind
        else {
            panic!("{:?}", e.kind)
        };
        let (sender, size, msgid) = arrival_fields(&b, id);
        assert_eq!(text(&b, id), "1tABCD-000123-4X");
        assert_eq!(sender, b"alice@example.com");
        assert_eq!(ip.map(|i| i.to_string()), Some("203.0.113.5".into()));
        assert_eq!(text(&b, user), "alice");
        assert_eq!((size, nrcpt), (1234, Some(2)));
        assert_eq!(msgid, b"abc@example.com");
    }

    #[test]
    fn syslog_arrival_with_own_stamp_and_pid() {
        let (e, b) = ev("Nov 22 04:03:14 mx exim[4242]: 2026-11-22 04:03:14 [4242] 1tABCD-000124-4X <= <> R=1tABCD-000123-4X U=Debian-exim P=local S=2345");
        let Kind::EximArrival { id, ip, user, .. } = e.kind else {
            panic!("{:?}", e.kind)
        };
        let (sender, size, _) = arrival_fields(&b, id);
        assert_eq!((sender, size), (&b""[..], 2345));
        assert_eq!(ip, None);
        assert_eq!(text(&b, user), "");
    }

    #[test]
    fn deliveries_and_completion() {
        for (flag, st) in [
            ("=>", Status::Sent),
            ("->", Status::Sent),
            ("**", Status::Bounced),
            ("==", Status::Deferred),
        ] {
            let s = format!("2026-11-22 04:03:15 1tABCD-000123-4X {flag} bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.7] C=\"250 OK\"");
            let (e, b) = ev(&s);
            let Kind::Delivery { rcpt, status, .. } = e.kind else {
                panic!("{:?}", e.kind)
            };
            assert_eq!((text(&b, rcpt), status), ("bob@example.net", st));
        }
        let (e, _) = ev("2026-11-22 04:03:16 1tABCD-000123-4X Completed");
        assert!(matches!(e.kind, Kind::Removed { .. }));
    }

    #[test]
    fn auth_failure_and_reject() {
        let (e, b) = ev("2026-11-22 04:03:14 dovecot_plain authenticator failed for (User) [203.0.113.9]:40112 I=[192.0.2.1]:587: 535 Incorrect authentication data (set_id=alice@example.com)");
        let Kind::EximAuthFail { ip, user } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(ip.to_string(), "203.0.113.9");
        assert_eq!(text(&b, user), "alice@example.com");
        let (e, b) = ev("2026-11-22 04:03:14 H=(helo) [203.0.113.5]:51234 I=[192.0.2.1]:587 F=<alice@example.com> A=dovecot_plain:alice rejected RCPT <x@y.example>: rate limit");
        let Kind::EximReject { user } = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(text(&b, user), "alice");
        let (e, _) = ev("2026-11-22 04:03:14 Start queue run: pid=123");
        assert_eq!(e.kind, Kind::Ignored);
    }

    #[test]
    fn unknown_shapes_are_unparsed() {
        for s in [
            "2026-11-22 04:03:14 something new happened",
            "2026-11-22 04:03:14 1tABCD-000123-4X something new",
            "Nov 22 04:03:14 mx exim[1]: \x1b[2J",
        ] {
            assert_eq!(ev(s).0.kind, Kind::Unparsed, "{s}");
        }
        for s in [
            "2026-11-22 04:03:14 SMTP connection from (helo) [203.0.113.5]:51234 lost",
            "2026-11-22 04:03:14 H=(helo) [203.0.113.5] F=<a@b.example> rejected RCPT <x@y.example>: relay not permitted",
            "2026-11-22 04:03:14 1tABCD-000123-4X SMTP error from remote mail server after RCPT TO:<x@y.example>: 550 no",
        ] {
            assert_eq!(ev(s).0.kind, Kind::Ignored, "{s}");
        }
    }
}
