//! `--emit postfix-access`: ready-to-review Postfix access maps that lock the flagged accounts
//! and block the flagged IPs, each entry preceded by its evidence as comments.
//!
//! Two tables, because Postfix looks them up by different keys:
//! - `check_sasl_access` (access(5)): the key is the SASL login name exactly as the client
//!   authenticated (`sasl_username=` in the log), the value `REJECT text`;
//! - `check_client_access` with a `cidr:` table (cidr_table(5)): the key is
//!   `address/prefix` (`/32`, `/128` for one host), the value `REJECT text`.
//!
//! Everything that came from a log (account names, evidence quoting senders) is hostile: a key
//! is only written when it is a single token of printable ASCII (whitespace would split it,
//! a leading `#` would turn it into a comment); comment text and reply text have every other
//! character escaped, so no newline or control character can start a line of its own.

use std::fmt::Write;

use super::human;
use super::signals::{AccountVerdict, IpVerdict, Judgement};
use super::stats::Timestamp;

/// The two tables' texts, to be saved as separate files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessMaps {
    /// For `/etc/postfix/sasl_access` (hash or lmdb; run postmap on it).
    pub sasl_access: String,
    /// For `/etc/postfix/client_access.cidr` (cidr tables are read as text, no postmap).
    pub client_access: String,
}

impl AccessMaps {
    /// Both tables in one text, each headed by the file it belongs in, for `--emit` to stdout.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}",
            self.sasl_access.trim_end_matches('\n').to_string() + "\n",
            self.client_access
        )
    }
}

/// Writes `text` so that it stays on one line and shows only printable ASCII: controls,
/// bidi overrides and every other non-ASCII character become `\u{..}` escapes.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' '..='~' => out.push(c),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    out
}

/// A login name usable as a lookup key: one token of printable ASCII, not starting a comment.
fn key_is_safe(key: &str) -> bool {
    !key.is_empty() && !key.starts_with('#') && key.bytes().all(|b| b.is_ascii_graphic())
}

/// SMTP reply text must stay short and plain: the summary is ours (numbers and codes only),
/// but is still escaped and clipped.
fn reply_text(text: &str) -> String {
    let t = one_line(text);
    if t.len() > 300 {
        let cut = (0..=300)
            .rev()
            .find(|&i| t.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}...", &t[..cut])
    } else {
        t
    }
}

fn comment(out: &mut String, text: &str) {
    let _ = writeln!(out, "# {}", one_line(text));
}

fn account_entry(out: &mut String, a: &AccountVerdict, date: &str) {
    let _ = writeln!(out);
    comment(out, &format!("{} (score {:.2})", a.account, a.score));
    for s in &a.signals {
        comment(out, &format!("  {}: {}", s.code, s.message));
    }
    if key_is_safe(&a.account) {
        let _ = writeln!(
            out,
            "{} REJECT compromised account, locked by mailsleuth {date}; evidence: {}",
            a.account,
            reply_text(&a.summary)
        );
    } else {
        comment(
            out,
            "NOT WRITTEN: this login name has whitespace, control or non-ASCII characters and \
             cannot be an access-table key; lock it in the user database instead",
        );
    }
}

fn ip_entry(out: &mut String, i: &IpVerdict, date: &str) {
    let _ = writeln!(out);
    let country = i.country.map(|c| format!(" ({c})")).unwrap_or_default();
    comment(out, &format!("{}{country}", i.ip));
    for s in &i.signals {
        comment(out, &format!("  {}: {}", s.code, s.message));
    }
    let prefix = if i.ip.is_ipv4() { 32 } else { 128 };
    let _ = writeln!(
        out,
        "{}/{prefix} REJECT login abuse from this address, blocked by mailsleuth {date}; \
         evidence: {} failed logins as {} accounts",
        i.ip,
        human::count(i.auth_failures),
        human::count(i.accounts_failed)
    );
}

/// The access maps for the flagged accounts and IPs of `judgement`, dated `now`.
pub fn postfix_access(judgement: &Judgement, now: Timestamp) -> AccessMaps {
    let date = human::date(now);
    let mut sasl = String::new();
    let flagged: Vec<&AccountVerdict> = judgement.flagged_accounts().collect();
    for line in [
        "==== /etc/postfix/sasl_access ==== (check_sasl_access; key = SASL login name)".to_string(),
        format!(
            "Written by mailsleuth on {date}: {} flagged account(s). REVIEW before use:",
            flagged.len()
        ),
        "delete the entry of any account you do not want to lock.".to_string(),
        "Install:".to_string(),
        "  postmap hash:/etc/postfix/sasl_access".to_string(),
        "  main.cf, before permit_sasl_authenticated (and likewise in the -o overrides of the"
            .to_string(),
        "  submission and smtps services in master.cf, which replace main.cf's lists):".to_string(),
        "    smtpd_sender_restrictions = check_sasl_access hash:/etc/postfix/sasl_access,"
            .to_string(),
        "        permit_sasl_authenticated, ...".to_string(),
        "  postfix reload".to_string(),
        "Also change each account's password: this stops sending through Postfix only, not"
            .to_string(),
        "IMAP/POP logins.".to_string(),
    ] {
        comment(&mut sasl, &line);
    }
    for a in &flagged {
        account_entry(&mut sasl, a, &date);
    }

    let mut client = String::new();
    let ips: Vec<&IpVerdict> = judgement.flagged_ips().collect();
    for line in [
        "==== /etc/postfix/client_access.cidr ==== (check_client_access; cidr_table(5))"
            .to_string(),
        format!("Written by mailsleuth on {date}: {} flagged address(es). REVIEW before use.", ips.len()),
        "Install (cidr tables are read as text; no postmap):".to_string(),
        "  main.cf:".to_string(),
        "    smtpd_client_restrictions = check_client_access cidr:/etc/postfix/client_access.cidr, ..."
            .to_string(),
        "  With smtpd_delay_reject = yes (the default) the REJECT comes at RCPT TO, after AUTH;"
            .to_string(),
        "  to refuse the AUTH attempts themselves set -o smtpd_delay_reject=no on the submission"
            .to_string(),
        "  and smtps services, or put the same addresses in a firewall. IMAP/POP brute force"
            .to_string(),
        "  needs a Dovecot-side block (e.g. auth_policy or a firewall).".to_string(),
        "  postfix reload".to_string(),
    ] {
        comment(&mut client, &line);
    }
    for i in &ips {
        ip_entry(&mut client, i, &date);
    }
    AccessMaps {
        sasl_access: sasl,
        client_access: client,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Geo;
    use crate::logs::config::JudgeConfig;
    use crate::logs::signals::{judge, Signal, ACCOUNT_MANY_IPS, IP_REVERSE_BRUTE_FORCE};
    use crate::logs::stats::{IpStats, LogStats};

    fn verdict(account: &str) -> AccountVerdict {
        AccountVerdict {
            account: account.to_string(),
            flagged: true,
            score: 3.2,
            summary: "5,366 recipients in 2 h 10 m from 26 IPs".into(),
            messages: 100,
            recipients: 5366,
            peak_recipients_1h: 0,
            peak_1h_start: None,
            peak_recipients_10m: 0,
            distinct_ips: 26,
            distinct_nets: 26,
            distinct_countries: None,
            countries: vec![],
            foreign_share: None,
            auth_failures: 0,
            bounce_rate: None,
            first_seen: None,
            last_seen: None,
            top_ips: vec![],
            signals: vec![Signal {
                code: ACCOUNT_MANY_IPS,
                message: "sent as evil@x\n\u{1b}[2Jpwned\u{202e}".into(),
            }],
        }
    }

    fn judgement(accounts: Vec<AccountVerdict>) -> Judgement {
        let mut stats = LogStats::default();
        stats.ips.push(IpStats {
            ip: "203.0.113.7".parse().unwrap(),
            auth_failures: 163,
            accounts_tried: 130,
            ..IpStats::default()
        });
        stats.ips.push(IpStats {
            ip: "2001:db8::7".parse().unwrap(),
            auth_failures: 5,
            accounts_tried: 4,
            ..IpStats::default()
        });
        let mut j = judge(&stats, &Geo::none(), &JudgeConfig::default());
        j.accounts = accounts;
        j
    }

    /// 2026-11-22 10:00 UTC.
    const NOW: Timestamp = 1_795_341_600;

    #[test]
    fn flagged_accounts_and_ips_become_entries() {
        let mut quiet = verdict("quiet@example.org");
        quiet.flagged = false;
        let j = judgement(vec![verdict("user@example.org"), quiet]);
        let maps = postfix_access(&j, NOW);
        let sasl_entries: Vec<&str> = maps
            .sasl_access
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        assert_eq!(
            sasl_entries,
            [
                "user@example.org REJECT compromised account, locked by mailsleuth 2026-11-22; \
              evidence: 5,366 recipients in 2 h 10 m from 26 IPs"
            ]
        );
        assert!(maps
            .sasl_access
            .contains("# user@example.org (score 3.20)\n"));
        assert!(maps
            .sasl_access
            .contains("#   account.many_ips: sent as evil@x\\n\\u{1b}[2Jpwned\\u{202e}\n"));
        let cidr: Vec<&str> = maps
            .client_access
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        assert_eq!(
            cidr,
            [
                "203.0.113.7/32 REJECT login abuse from this address, blocked by mailsleuth \
                 2026-11-22; evidence: 163 failed logins as 130 accounts",
                "2001:db8::7/128 REJECT login abuse from this address, blocked by mailsleuth \
                 2026-11-22; evidence: 5 failed logins as 4 accounts",
            ]
        );
        assert!(maps
            .client_access
            .contains(&format!("#   {IP_REVERSE_BRUTE_FORCE}: 163 failed")));
        let text = maps.to_text();
        assert!(text.starts_with("# ==== /etc/postfix/sasl_access ===="));
        assert!(text.contains("\n\n# ==== /etc/postfix/client_access.cidr ===="));
    }

    #[test]
    fn hostile_login_names_never_become_keys() {
        let names = [
            "evil\nroot REJECT",
            "a b@example.org",
            "#hidden",
            "m\u{fc}ller@example.org",
            "",
            "x\u{1b}[31m",
        ];
        let j = judgement(names.iter().map(|n| verdict(n)).collect());
        let maps = postfix_access(&j, NOW);
        for line in maps.sasl_access.lines() {
            assert!(
                line.is_empty() || line.starts_with('#'),
                "entry written: {line:?}"
            );
            assert!(line.bytes().all(|b| (b' '..=b'~').contains(&b)), "{line:?}");
        }
        assert_eq!(
            maps.sasl_access.matches("# NOT WRITTEN:").count(),
            names.len()
        );
        assert!(maps
            .sasl_access
            .contains("# evil\\nroot REJECT (score 3.20)\n"));
    }

    #[test]
    fn reply_text_is_clipped_and_one_line() {
        let long = "x".repeat(400) + "\u{e9}";
        let r = reply_text(&long);
        assert_eq!(r.len(), 303);
        assert!(r.ends_with("..."));
        assert_eq!(reply_text("a\r\nb"), "a\\r\\nb");
    }
}
