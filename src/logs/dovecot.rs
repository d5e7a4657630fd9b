//! Dovecot lines (syslog tag `dovecot`): mailbox logins and authentication failures.
//!
//! Every failed attempt, whatever the protocol (IMAP, POP3, or SMTP AUTH that Postfix or Exim
//! hands to Dovecot), writes one `auth:` or `auth-worker(N):` line naming `(user,ip)`; these are
//! the failures we count (see `join.rs` for how the MTA's own warning is matched to it).
//! Routine lines that the counts do not need are `Ignored` (listed below); any other Dovecot
//! line is `Unparsed`.

use super::line::{find, ip, until, Kind, Span};

/// Reasons of a passdb failure (the text after `driver(user,ip,<session>): `).
const FAILURES: &[&[u8]] = &[
    b"Password mismatch",
    b"password mismatch",
    b"unknown user",
    b"User not found",
    b"pam_authenticate() failed",
    b"invalid credentials",
    b"Authentication failure",
];

/// Login processes whose `Login:` lines are mailbox logins.
const MAILBOX_LOGIN: &[&[u8]] = &[b"imap-login: ", b"pop3-login: "];
/// Login processes whose sessions are not mailbox access (their logins are not counted).
const OTHER_LOGIN: &[&[u8]] = &[b"managesieve-login: ", b"submission-login: "];
/// What a login process writes besides `Login:` (failed or aborted connections).
const LOGIN_NOTES: &[&[u8]] = &[
    b"Disconnected",
    b"Aborted login",
    b"Maximum number of connections",
];
/// Mail processes (`imap(user)<pid><session>: ...`): the end of a session and LMTP saves.
const SESSION_PROCS: &[&[u8]] = &[
    b"imap(",
    b"pop3(",
    b"lmtp(",
    b"managesieve(",
    b"submission(",
];
const SESSION_NOTES: &[&[u8]] = &[
    b"Logged out",
    b"Disconnected",
    b"Connection closed",
    b"Connect from ",
    b"Disconnect from ",
    b"saved mail to ",
    b"msgid=",
];
/// The master process: start-up and process limits.
const MASTER_NOTES: &[&[u8]] = &[
    b"Dovecot v",
    b"Warning: service(",
    b"Warning: Killed with signal",
];

fn starts_any(msg: &[u8], prefixes: &[&[u8]]) -> bool {
    prefixes.iter().any(|p| msg.starts_with(p))
}

/// `Ignored` for the shapes Dovecot writes routinely that the counts do not need; anything
/// else from Dovecot is `Unparsed` (counted and shown, never silently dropped).
pub fn parse(line: &[u8], msg: &[u8]) -> Kind {
    let sp = |sub: &[u8]| Span::of(line, sub);
    for proto in MAILBOX_LOGIN {
        if let Some(r) = msg.strip_prefix(*proto) {
            let r = r.strip_prefix(b"Info: ").unwrap_or(r);
            let Some(r) = r.strip_prefix(b"Login: user=<") else {
                return known(r, LOGIN_NOTES);
            };
            let Some(end) = find(r, b">, ") else {
                return Kind::Unparsed;
            };
            let user = &r[..end];
            let Some(at) = find(r, b", rip=") else {
                return Kind::Unparsed;
            };
            return match ip(until(&r[at + 6..], b',')) {
                Some(ip) => Kind::MailboxLogin { user: sp(user), ip },
                None => Kind::Unparsed,
            };
        }
    }
    if let Some(p) = OTHER_LOGIN.iter().find(|p| msg.starts_with(p)) {
        let r = &msg[p.len()..];
        return known(r.strip_prefix(b"Info: ").unwrap_or(r), LOGIN_NOTES);
    }
    if starts_any(msg, SESSION_PROCS) {
        // `imap(user)<pid><session>: [Info: ]TEXT`
        let Some(colon) = find(msg, b": ") else {
            return Kind::Unparsed;
        };
        let r = &msg[colon + 2..];
        return known(r.strip_prefix(b"Info: ").unwrap_or(r), SESSION_NOTES);
    }
    if let Some(r) = msg.strip_prefix(b"master: ") {
        return known(r.strip_prefix(b"Info: ").unwrap_or(r), MASTER_NOTES);
    }
    let rest = if let Some(r) = msg.strip_prefix(b"auth: ") {
        r
    } else if let Some(r) = msg.strip_prefix(b"auth-worker(") {
        match find(r, b"): ") {
            Some(n) if r[..n].iter().all(u8::is_ascii_digit) => &r[n + 3..],
            _ => return Kind::Unparsed,
        }
    } else {
        return Kind::Unparsed;
    };
    let rest = rest.strip_prefix(b"Info: ").unwrap_or(rest);
    // `driver(user,ip[,<session>]): reason`
    let drv = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b'_')
        .count();
    if drv == 0 || rest.get(drv) != Some(&b'(') {
        return Kind::Unparsed;
    }
    let Some(close) = find(rest, b"): ") else {
        return Kind::Unparsed;
    };
    if close < drv {
        return Kind::Unparsed;
    }
    let reason = &rest[close + 3..];
    if !FAILURES.iter().any(|f| reason.starts_with(f)) {
        return Kind::Unparsed;
    }
    let inner = &rest[drv + 1..close];
    let mut parts = inner.splitn(3, |&c| c == b',');
    let user = parts.next().unwrap_or_default();
    let addr = parts.next().map(|a| until(a, b')'));
    // A user with `(` or bytes that are not UTF-8 is a garbled line, not a login name.
    if user.is_empty() || user.contains(&b'(') || std::str::from_utf8(user).is_err() {
        return Kind::Unparsed;
    }
    match addr.and_then(ip) {
        Some(ip) => Kind::DovecotFail { user: sp(user), ip },
        None => Kind::Unparsed,
    }
}

fn known(msg: &[u8], prefixes: &[&[u8]]) -> Kind {
    if starts_any(msg, prefixes) {
        Kind::Ignored
    } else {
        Kind::Unparsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::line::parse_line;

    fn ev(s: &[u8]) -> Kind {
        parse_line(s, &mut ([0; 15], 0)).kind
    }

    fn user_ip(s: &[u8]) -> (String, String) {
        match ev(s) {
            Kind::DovecotFail { user, ip } | Kind::MailboxLogin { user, ip } => (
                String::from_utf8_lossy(user.get(s)).into_owned(),
                ip.to_string(),
            ),
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn logins() {
        let s = b"Nov 16 00:02:32 mail dovecot: imap-login: Login: user=<jan@y.example>, method=PLAIN, rip=217.120.124.194, lip=27.24.10.25, mpid=49469, TLS, session=<jkvX>";
        assert_eq!(
            user_ip(s),
            ("jan@y.example".into(), "217.120.124.194".into())
        );
        assert!(matches!(ev(s), Kind::MailboxLogin { .. }));
        let s = b"Nov 16 00:02:32 mail dovecot: pop3-login: Login: user=<bob>, method=PLAIN, rip=2a01::5, lip=::1, mpid=1, TLS, session=<x>";
        assert_eq!(user_ip(s), ("bob".into(), "2a01::5".into()));
    }

    #[test]
    fn auth_failures() {
        let s = b"Nov 16 06:08:40 mail dovecot: auth-worker(41959): sql(greta@t.example,168.135.50.138,<l6DW>): Password mismatch";
        assert_eq!(
            user_ip(s),
            ("greta@t.example".into(), "168.135.50.138".into())
        );
        let s = b"Nov 16 06:08:40 mail dovecot: auth: passwd-file(backup,62.117.42.237,<kplb>): unknown user";
        assert_eq!(user_ip(s), ("backup".into(), "62.117.42.237".into()));
        let s = b"Nov 16 06:08:40 mail dovecot: auth: pam(alice,192.0.2.9): pam_authenticate() failed: Authentication failure (password mismatch?)";
        assert_eq!(user_ip(s), ("alice".into(), "192.0.2.9".into()));
    }

    #[test]
    fn garbled_and_ignored() {
        let s =
            b"Nov 16 06:08:40 mail dovecot: auth: passwd-file(\xc3(user,1.2.3.4,<x>): unknown user";
        assert_eq!(ev(s), Kind::Unparsed);
        let s = b"Nov 16 06:08:40 mail dovecot: imap-login: Disconnected: Aborted login (auth failed, 2 attempts in 5 secs): user=<a>, method=PLAIN, rip=1.2.3.4, lip=5.6.7.8, TLS, session=<x>";
        assert_eq!(ev(s), Kind::Ignored);
        let s = b"Nov 16 06:08:40 mail dovecot: imap(jan)<49469><jkvX>: Logged out in=1 out=2";
        assert_eq!(ev(s), Kind::Ignored);
        let s = b"Nov 16 06:08:40 mail dovecot: master: Warning: service(imap-login): process_limit (100) reached, client connections are being dropped";
        assert_eq!(ev(s), Kind::Ignored);
        let s = b"Nov 16 06:08:40 mail dovecot: lmtp(nina)<7><x>: msgid=<a@b>: saved mail to INBOX";
        assert_eq!(ev(s), Kind::Ignored);
        let s = b"Nov 16 06:08:40 mail dovecot: pop3-login: Info: Disconnected (no auth attempts in 0 secs): user=<>, rip=1.2.3.4";
        assert_eq!(ev(s), Kind::Ignored);
    }

    #[test]
    fn unknown_shapes_are_unparsed() {
        for s in [
            &b"Nov 16 06:08:40 mail dovecot: imap-login: \x1b[2Jsomething new"[..],
            b"Nov 16 06:08:40 mail dovecot: auth: Error: passdb: connection refused",
            b"Nov 16 06:08:40 mail dovecot: auth: passwd-file(alice,192.0.2.9): a reason never seen",
            b"Nov 16 06:08:40 mail dovecot: config: Warning: obsolete setting",
            b"Nov 16 06:08:40 mail dovecot: imap(jan)<1><x>: Error: mailbox is corrupted",
            b"Nov 16 06:08:40 mail dovecot: master: Fatal: all processes died",
        ] {
            assert_eq!(ev(s), Kind::Unparsed, "{}", String::from_utf8_lossy(s));
        }
    }
}
