//! Postfix lines, any instance (`postfix`, `postfix-out`) and any service (`postfix/smtpd`,
//! `postfix/submission/smtpd`): the daemon is the tag's last `/` component.
//!
//! Only the shapes the join needs are parsed; other lines of known daemons are `Ignored`, and a
//! shape that is recognised but malformed (a truncated `client=` line) is `Unparsed`.

use super::line::{bracket_ip, find, number, until, Kind, Span, Status};

/// The Postfix daemons whose lines we read (others are recognised and ignored).
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
    Quiet,
}

impl Service {
    pub fn of(name: &[u8]) -> Option<Service> {
        Some(match name {
            b"smtpd" => Service::Smtpd,
            b"cleanup" => Service::Cleanup,
            b"qmgr" | b"oqmgr" => Service::Qmgr,
            b"lmtp" | b"local" | b"virtual" => Service::Delivery { local: true },
            b"smtp" | b"pipe" | b"error" | b"discard" | b"retry" => {
                Service::Delivery { local: false }
            }
            b"bounce" => Service::Bounce,
            b"pickup" => Service::Pickup,
            b"postscreen" | b"dnsblog" | b"anvil" | b"master" | b"tlsmgr" | b"scache"
            | b"verify" | b"trivial-rewrite" | b"postsuper" | b"sendmail" | b"postdrop"
            | b"postqueue" | b"tlsproxy" | b"proxymap" | b"showq" | b"flush" | b"spawn"
            | b"postfix-script" | b"postlog" | b"postmap" | b"postmulti" => Service::Quiet,
            _ => return None,
        })
    }
}

/// A Postfix queue id: short (hex, 6–15 upper-case digits) or long (`enable_long_queue_ids`:
/// 10 base-52 characters, `z`, the inode in base 51).
pub fn is_qid(t: &[u8]) -> bool {
    let short = (6..=15).contains(&t.len())
        && t.iter()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c));
    short
        || ((12..=24).contains(&t.len())
            && t[10] == b'z'
            && t.iter().all(u8::is_ascii_alphanumeric))
}

/// `QID: rest` → (qid, rest).
fn qid_prefix(msg: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = msg.iter().take(25).position(|&c| c == b':')?;
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
                return Kind::Ignored;
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
                let v = match memchr::memmem::rfind(v, b" from ") {
                    Some(n) => &v[..n],
                    None => v,
                };
                return Kind::HeaderFrom {
                    qid: sp(qid),
                    from: sp(v),
                };
            }
            Kind::Ignored
        }
        Service::Qmgr => {
            let Some((qid, rest)) = qid_prefix(msg) else {
                return Kind::Ignored;
            };
            if rest == b"removed" {
                return Kind::Removed { qid: sp(qid) };
            }
            let Some(v) = rest.strip_prefix(b"from=") else {
                return Kind::Ignored;
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
                return Kind::Ignored;
            };
            let Some(v) = rest.strip_prefix(b"to=") else {
                return Kind::Ignored;
            };
            delivery(line, qid, v, local).unwrap_or(Kind::Unparsed)
        }
        Service::Bounce => {
            let Some((_, rest)) = qid_prefix(msg) else {
                return Kind::Ignored;
            };
            let tail = rest
                .strip_prefix(b"sender non-delivery notification: ")
                .or_else(|| rest.strip_prefix(b"sender delivery status notification: "))
                .or_else(|| rest.strip_prefix(b"postmaster non-delivery notification: "));
            match tail {
                Some(b) if is_qid(b) => Kind::Born { qid: sp(b) },
                Some(_) => Kind::Unparsed,
                None => Kind::Ignored,
            }
        }
        Service::Pickup => match qid_prefix(msg) {
            Some((qid, rest)) if rest.starts_with(b"uid=") => Kind::Born { qid: sp(qid) },
            _ => Kind::Ignored,
        },
        Service::Quiet => Kind::Ignored,
    }
}

fn smtpd(line: &[u8], msg: &[u8]) -> Kind {
    let sp = |sub: &[u8]| Span::of(line, sub);
    if let Some(c) = msg.strip_prefix(b"connect from ") {
        return match bracket_ip(c) {
            Some(ip) => Kind::Connect { ip },
            None => Kind::Unparsed,
        };
    }
    if msg.starts_with(b"disconnect from ") {
        return Kind::Disconnect;
    }
    if let Some(w) = msg.strip_prefix(b"warning: ") {
        // `NAME[IP][:PORT]: SASL METHOD authentication failed: REASON[, sasl_username=U]`
        let Some(at) = find(w, b": SASL ") else {
            return Kind::Ignored;
        };
        if find(&w[at..], b" authentication failed").is_none() {
            return Kind::Ignored;
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
            Kind::Ignored
        };
    }
    let Some((qid, rest)) = qid_prefix(msg) else {
        return Kind::Ignored;
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
    Kind::Ignored
}

/// `to=<R>, [orig_to=<..>, ]relay=R, delay=.., delays=.., dsn=X.Y.Z, status=S (reply)`
fn delivery(line: &[u8], qid: &[u8], v: &[u8], local: bool) -> Option<Kind> {
    let sp = |sub: &[u8]| Span::of(line, sub);
    let rcpt = angle(v)?;
    let tail = &v[rcpt.len() + 2..];
    let relay = field(tail, b", relay=")?;
    let dsn = field(tail, b", dsn=").unwrap_or_default();
    let st_at = find(tail, b", status=")? + 9;
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
    if status == Status::Sent && bracket_ip(relay).is_some_and(|ip| ip.is_loopback()) {
        if let Some(n) = memchr::memmem::rfind(st, b"queued as ") {
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::line::{parse_line, Event};

    fn ev(s: &str) -> (Event, Vec<u8>) {
        let b = s.as_bytes().to_vec();
        (parse_line(&b, &mut ([0; 15], 0)), b)
    }

    fn text(b: &[u8], s: Span) -> &str {
        std::str::from_utf8(s.get(b)).expect("utf8")
    }

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
        assert_eq!(
            e.kind,
            Kind::Connect {
                ip: "89.6.64.167".parse().expect("ip")
            }
        );
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
        let (e, _) = ev("Nov 16 00:02:38 mail postfix/cleanup[1]: warning: header Subject: =?iso-8859-1?Q?Gr=FC=DFe?= AAAA from localhost[127.0.0.1]");
        assert_eq!(e.kind, Kind::Ignored);
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
    }
}
