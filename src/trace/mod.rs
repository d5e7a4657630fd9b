//! `trace`: from a complaint to the login that sent it. Picks the hops our hosts added to a
//! complaint's Received chain, finds their queue ids (else the Message-ID) in our logs, and
//! reports the submitting account and client IP, the account's activity around that time, and
//! the log lines that prove it — or that the message is not ours, or that a hop claiming our
//! host is a likely forgery.
//!
//! Time: a hop's timestamp must fall inside the matched record's log lifetime (first to last
//! line), widened by the clock skew allowed between the header's clock and the log's
//! (`Settings::skew`, `--clock-skew`, 300 s by default). That is also how a reused queue id
//! (Postfix reuses short ids after `removed`) is resolved: the message alive at the hop's time
//! is the one.

pub mod collect;
pub mod hosts;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use serde::Serialize;

use crate::civil::rfc3339_utc;
use crate::geo::Geo;
use crate::headers::MessageReport;
use crate::logs::{MessageRecord, Status};
use crate::output::evidence::InputInfo;
use crate::output::sanitize::escape;
use crate::received::chain::Hop;
use collect::{norm_message_id, Collected, Wanted};
use hosts::{same_host, OurHosts};

/// The JSON schema name of `trace` reports.
pub const SCHEMA: &str = "mailsleuth.trace/1";

/// A hop is only called forged when the logs show some mail within this many seconds of its
/// time (or the clock skew, if larger): our own message would have been logged then.
const QUIET_WINDOW: i64 = 15 * 60;

/// What decides the correlation, from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Given with `--our-host`; empty: learnt from the logs' host names.
    pub our: OurHosts,
    /// Seconds a hop's time may lie outside a record's log lifetime.
    pub skew: i64,
    /// Width in seconds of the activity window, centred on the message's time.
    pub window: i64,
}

/// What a complaint offers to the search: its Received chain and Message-ID.
#[derive(Debug, Clone)]
pub struct Complaint {
    pub input: String,
    pub index: usize,
    /// Layers taken off (`forward`, `arf`), outermost first.
    pub unwrapped: Vec<&'static str>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    /// Oldest first.
    pub hops: Vec<Hop>,
}

impl Complaint {
    pub fn from_report(r: MessageReport) -> Complaint {
        Complaint {
            input: r.input,
            index: r.index,
            unwrapped: r.wrappers.iter().map(|w| w.kind).collect(),
            subject: r.summary.subject,
            message_id: r.summary.message_id.map(|m| norm_message_id(&m)),
            hops: r.hops,
        }
    }

    fn times(&self) -> impl Iterator<Item = i64> + '_ {
        self.hops.iter().filter_map(|h| h.timestamp)
    }
}

/// What to keep from the logs for these complaints: every hop's queue id (which hops are
/// ours may only be known once the logs have named their hosts), the Message-IDs, and the
/// activity windows around the complaints' times.
pub fn wanted(complaints: &[Complaint], settings: &Settings) -> Wanted {
    let half = settings.window / 2 + settings.skew;
    let mut spans = Some(Vec::new());
    for c in complaints {
        let (lo, hi) = c
            .times()
            .fold((None, None), |(lo, hi): (Option<i64>, Option<i64>), t| {
                (
                    Some(lo.map_or(t, |l| l.min(t))),
                    Some(hi.map_or(t, |h| h.max(t))),
                )
            });
        match (lo, hi, &mut spans) {
            (Some(lo), Some(hi), Some(s)) => s.push((lo - half, hi + half)),
            _ => spans = None,
        }
    }
    Wanted {
        queue_ids: complaints
            .iter()
            .flat_map(|c| c.hops.iter().filter_map(|h| h.id.clone()))
            .collect(),
        message_ids: complaints
            .iter()
            .filter_map(|c| c.message_id.clone())
            .collect(),
        spans,
    }
}

/// The answer for one complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// It passed through our hosts and its log record was found.
    Ours,
    /// No hop of ours, and its Message-ID is not in the logs.
    NotOurs,
    /// A hop of ours, but outside the time the given logs cover (or without queue id/time).
    NotFound,
    /// A hop claims our host with a queue id the logs covering its time do not have.
    Forged,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ours => "ours",
            Verdict::NotOurs => "not ours",
            Verdict::NotFound => "ours but not found in the given logs",
            Verdict::Forged => "likely forged",
        }
    }
}

/// A hop our hosts added, as the complaint shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OurHopView {
    /// 1 is the oldest hop.
    pub hop: usize,
    pub by: Option<String>,
    pub id: Option<String>,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub time: Option<String>,
    /// Named for sure (see `hosts::OurHop::sure`).
    pub sure: bool,
}

/// One recipient and how its delivery ended.
#[derive(Debug, Clone, Serialize)]
pub struct RecipientView {
    pub address: String,
    pub status: Status,
    pub dsn: String,
    /// The queue id whose delivery line this is.
    pub queue_id: String,
}

/// The message as the logs show it: the submission and its relay hops on our hosts.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub host: String,
    /// The queue ids from submission to the last hop on our host.
    pub queue_ids: Vec<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub sender: Option<String>,
    pub header_from: Option<String>,
    pub size: Option<u64>,
    pub recipients: Vec<RecipientView>,
}

/// One client IP of an account in the window.
#[derive(Debug, Clone, Serialize)]
pub struct IpCount {
    pub ip: IpAddr,
    pub messages: u64,
    pub country: Option<String>,
}

/// An account's submissions in the window around the traced message.
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub from: String,
    pub to: String,
    pub messages: u64,
    pub recipients: u64,
    pub ips: Vec<IpCount>,
    /// Countries of those IPs (with --geoip / --rir), most messages first.
    pub countries: Vec<String>,
}

/// One log line of the evidence, control characters escaped.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceLine {
    /// `file:line`.
    pub location: String,
    pub text: String,
}

/// The report on one complaint.
#[derive(Debug, Clone, Serialize)]
pub struct Traced {
    pub input: String,
    /// 1-based position in the input (mbox order).
    pub index: usize,
    pub unwrapped: Vec<&'static str>,
    pub subject: Option<String>,
    pub verdict: Verdict,
    /// Why, in a sentence.
    pub reason: String,
    /// The authenticated (SASL) account that submitted it.
    pub account: Option<String>,
    pub client_ip: Option<IpAddr>,
    pub sasl_method: Option<String>,
    /// How it entered our system: `smtp_auth`, `smtp` (no login) or `local` (pickup, e.g.
    /// webmail or sendmail on the host).
    pub origin: Option<&'static str>,
    /// The queue id that matched (the submission's when it came through a relay hop).
    pub queue_id: Option<String>,
    /// The complaint's Message-ID.
    pub message_id: Option<String>,
    /// `queue_id` or `message_id`.
    pub matched_by: Option<&'static str>,
    pub our_hops: Vec<OurHopView>,
    pub message: Option<MessageView>,
    pub activity: Option<Activity>,
    pub evidence: Vec<EvidenceLine>,
}

/// What judging needs besides the complaint.
pub struct Context<'a> {
    pub collected: &'a Collected,
    pub our: &'a OurHosts,
    /// First and last timestamp of the logs read.
    pub coverage: Option<(i64, i64)>,
    pub settings: &'a Settings,
    pub geo: &'a Geo,
    /// The log files in reading order (as the evidence lines name them).
    pub files: &'a [String],
}

/// A record's host for a sentence: Exim's own log has no host name on its lines.
pub fn host_label(host: &str) -> &str {
    if host.is_empty() {
        "the host whose log has no host names"
    } else {
        host
    }
}

fn inside(t: i64, r: &MessageRecord, skew: i64) -> bool {
    r.first_seen - skew <= t && t <= r.last_seen + skew
}

/// Judges one complaint against what the logs gave.
pub fn judge(c: &Complaint, cx: &Context<'_>) -> Traced {
    let skew = cx.settings.skew;
    let our = cx.our.our_hops(&c.hops);
    let mut traced = Traced {
        input: c.input.clone(),
        index: c.index,
        unwrapped: c.unwrapped.clone(),
        subject: c.subject.clone(),
        verdict: Verdict::NotOurs,
        reason: String::new(),
        account: None,
        client_ip: None,
        sasl_method: None,
        origin: None,
        queue_id: None,
        message_id: c.message_id.clone(),
        matched_by: None,
        our_hops: our
            .iter()
            .map(|o| {
                let h = &c.hops[o.pos];
                OurHopView {
                    hop: h.index,
                    by: h.by.clone(),
                    id: h.id.clone(),
                    for_: h.for_.clone(),
                    time: h.time.clone(),
                    sure: o.sure,
                }
            })
            .collect(),
        message: None,
        activity: None,
        evidence: Vec::new(),
    };

    // 1. Queue ids of our hops, oldest hop first (the submission hop is the oldest of ours).
    let mut misses: Vec<String> = Vec::new();
    let mut forged: Option<String> = None;
    let mut outside: Option<String> = None;
    for o in &our {
        let h = &c.hops[o.pos];
        let by = h.by.as_deref().unwrap_or("?");
        let Some(id) = h.id.as_deref() else {
            if o.sure {
                outside.get_or_insert_with(|| format!("hop {} by {by} has no queue id", h.index));
            }
            continue;
        };
        let same_id: Vec<&MessageRecord> = cx.collected.with_queue_id(id).collect();
        let on_host: Vec<&MessageRecord> = same_id
            .iter()
            .copied()
            .filter(|r| same_host(by, &r.host))
            .collect();
        let cands = if on_host.is_empty() { same_id } else { on_host };
        let hit = match h.timestamp {
            Some(t) => cands.iter().copied().find(|r| inside(t, r, skew)),
            None if cands.len() == 1 => Some(cands[0]),
            None => None,
        };
        if let Some(r) = hit {
            let how = match h.timestamp {
                Some(t) => format!(
                    "hop {} by {by} at {} falls inside its log lifetime ({} to {})",
                    h.index,
                    rfc3339_utc(t),
                    rfc3339_utc(r.first_seen),
                    rfc3339_utc(r.last_seen)
                ),
                None => format!(
                    "hop {} by {by} has no time; the queue id is unique",
                    h.index
                ),
            };
            traced.reason = format!("queue id {id} found on {}: {how}", host_label(&r.host));
            found(&mut traced, r, "queue_id", cx);
            return traced;
        }
        let miss = match (h.timestamp, cands.is_empty()) {
            (None, false) => format!(
                "queue id {id} is in the logs {} times and the hop has no time to tell which",
                cands.len()
            ),
            (_, false) => format!(
                "queue id {id} is in the logs only at other times ({})",
                cands
                    .iter()
                    .map(|r| format!(
                        "{} to {}",
                        rfc3339_utc(r.first_seen),
                        rfc3339_utc(r.last_seen)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (_, true) => format!("queue id {id} is not in the logs"),
        };
        if !o.sure {
            continue;
        }
        match (h.timestamp, cx.coverage) {
            // Inside the span but in a stretch where the logs show no mail at all (a missing
            // rotated file, a host that did not log): not evidence of forgery.
            (Some(t), Some((a, b)))
                if a - skew <= t
                    && t <= b + skew
                    && !cx.collected.mail_logged_between(
                        t - QUIET_WINDOW.max(skew),
                        t + QUIET_WINDOW.max(skew),
                    ) =>
            {
                outside.get_or_insert_with(|| {
                    format!(
                        "{miss}, but the logs show no mail at all within {} minutes of hop {}                          ({}): a gap in the logs, so no verdict of forgery",
                        QUIET_WINDOW.max(skew) / 60,
                        h.index,
                        rfc3339_utc(t)
                    )
                });
            }
            (Some(t), Some((a, b))) if a - skew <= t && t <= b + skew => {
                forged.get_or_insert_with(|| {
                    format!(
                        "hop {} claims our host {by} at {}, but {miss}, which cover {} to {}: \
                         likely a forged Received header",
                        h.index,
                        rfc3339_utc(t),
                        rfc3339_utc(a),
                        rfc3339_utc(b)
                    )
                });
            }
            (Some(t), Some((a, b))) => {
                outside.get_or_insert_with(|| {
                    format!(
                        "hop {} by {by} at {} is outside the time the logs cover ({} to {})",
                        h.index,
                        rfc3339_utc(t),
                        rfc3339_utc(a),
                        rfc3339_utc(b)
                    )
                });
            }
            (None, _) => {
                outside.get_or_insert_with(|| format!("{miss}; the hop has no time"));
            }
            (Some(_), None) => {
                outside.get_or_insert_with(|| format!("{miss}; the logs have no timestamps"));
            }
        }
        misses.push(format!("hop {}: {miss}", h.index));
    }

    // 2. The Message-ID: the submission (an own login) first, then the record nearest in time.
    if let Some(mid) = &c.message_id {
        let first_time = c.times().next();
        let mut cands: Vec<&MessageRecord> = cx.collected.with_message_id(mid).collect();
        cands.sort_by_key(|r| {
            (
                r.relayed_from.is_some(),
                r.account.is_none(),
                first_time.map_or(0, |t| (r.first_seen - t).abs()),
            )
        });
        match cands.first() {
            // A hop forging our name, and the Message-ID known only from mail that came in
            // without a login (a copy delivered to our users): still the forgery.
            Some(r) if forged.is_some() && r.account.is_none() => {
                if let Some(f) = &mut forged {
                    f.push_str(&format!(
                        "; its Message-ID is in the logs only as mail that came in without a \
                         login (queue id {} on {})",
                        r.queue_id,
                        host_label(&r.host)
                    ));
                }
            }
            Some(r) => {
                traced.reason = format!(
                    "Message-ID <{mid}> found on {} (queue id {}){}",
                    host_label(&r.host),
                    r.queue_id,
                    if misses.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", misses.join("; "))
                    }
                );
                found(&mut traced, r, "message_id", cx);
                return traced;
            }
            None => {}
        }
    }

    // 3. Not found: a forgery when a hop claims our host inside the logs' time.
    if let Some(reason) = forged {
        traced.verdict = Verdict::Forged;
        traced.reason = reason;
    } else if let Some(reason) = outside {
        traced.verdict = Verdict::NotFound;
        traced.reason = reason;
    } else {
        traced.verdict = Verdict::NotOurs;
        traced.reason = format!(
            "no hop by our hosts ({}){}",
            cx.our.names().join(", "),
            match &c.message_id {
                Some(m) => format!(" and Message-ID <{m}> is not in the logs"),
                None => " and no Message-ID".to_string(),
            }
        );
    }
    traced
}

/// Fills in a found record: the submission it came from, its relay hops, the account's
/// activity and the evidence.
fn found(traced: &mut Traced, hit: &MessageRecord, how: &'static str, cx: &Context<'_>) {
    let skew = cx.settings.skew;
    let col = cx.collected;
    // Up to the submission, then down to the last relay hop.
    let parent_of = |r: &MessageRecord| {
        r.relayed_from.as_ref().and_then(|p| {
            col.with_queue_id(p)
                .filter(|x| x.host == r.host)
                .filter(|x| x.first_seen <= r.first_seen + skew)
                .max_by_key(|x| x.first_seen)
        })
    };
    let child_of = |r: &MessageRecord| {
        col.relayed_from(&r.queue_id)
            .filter(|x| x.host == r.host)
            .filter(|x| x.first_seen >= r.first_seen - skew && x.first_seen <= r.last_seen + skew)
            .min_by_key(|x| x.first_seen)
    };
    let mut family = vec![hit];
    while let Some(p) = parent_of(family[0]) {
        if family.len() > 8 || family.iter().any(|x| std::ptr::eq(*x, p)) {
            break;
        }
        family.insert(0, p);
    }
    while let Some(ch) = child_of(family[family.len() - 1]) {
        if family.len() > 8 || family.iter().any(|x| std::ptr::eq(*x, ch)) {
            break;
        }
        family.push(ch);
    }
    let root = family[0];
    traced.verdict = Verdict::Ours;
    traced.matched_by = Some(how);
    traced.queue_id = Some(root.queue_id.clone());
    traced.account = root
        .account
        .as_deref()
        .or(hit.account.as_deref())
        .map(str::to_owned);
    traced.client_ip = root.client_ip;
    traced.sasl_method = root.sasl_method.clone();
    traced.origin = Some(if root.sasl_method.is_some() || root.account.is_some() {
        "smtp_auth"
    } else if root.client_ip.is_none() {
        "local"
    } else {
        "smtp"
    });
    match traced.origin {
        Some("smtp") => traced.reason.push_str(
            "; it came in over SMTP without a login (mail delivered to us, or relayed for a \
             trusted network)",
        ),
        Some("local") => traced
            .reason
            .push_str("; it was submitted on the host itself (pickup: webmail, scripts)"),
        _ => {}
    }
    traced.message = Some(MessageView {
        host: root.host.to_string(),
        queue_ids: family.iter().map(|r| r.queue_id.clone()).collect(),
        first_seen: rfc3339_utc(root.first_seen),
        last_seen: rfc3339_utc(family.iter().map(|r| r.last_seen).max().unwrap_or(0)),
        sender: root.sender.clone(),
        header_from: root.header_from.clone(),
        size: root.size,
        recipients: family
            .iter()
            .flat_map(|r| {
                r.recipients
                    .iter()
                    .filter(|x| x.status != Status::Relayed)
                    .map(|x| RecipientView {
                        address: x.address.clone(),
                        status: x.status,
                        dsn: x.dsn.clone(),
                        queue_id: r.queue_id.clone(),
                    })
            })
            .collect(),
    });
    let mut lines: Vec<&crate::logs::DetailLine> =
        family.iter().flat_map(|r| r.lines.iter()).collect();
    // Log order: the files in reading order, then line numbers.
    let rank = |f: &str| cx.files.iter().position(|x| x == f).unwrap_or(usize::MAX);
    lines.sort_by_key(|l| (rank(&l.location.file), l.location.line));
    lines.dedup_by(|a, b| a.location == b.location);
    traced.evidence = lines
        .iter()
        .map(|l| EvidenceLine {
            location: l.location.to_string(),
            text: escape(&String::from_utf8_lossy(&l.text)).into_owned(),
        })
        .collect();
    if let Some(account) = &traced.account {
        traced.activity = Some(activity(account, root.first_seen, cx));
    }
}

/// The account's submissions from `t - window/2` to `t + window/2`.
fn activity(account: &str, t: i64, cx: &Context<'_>) -> Activity {
    let half = cx.settings.window / 2;
    let (from, to) = (t - half, t + half);
    let mut messages = 0;
    let mut recipients = 0;
    let mut ips: BTreeMap<IpAddr, u64> = BTreeMap::new();
    for s in cx.collected.submissions_of(account) {
        if s.at < from || s.at > to {
            continue;
        }
        messages += 1;
        recipients += s.recipients;
        if let Some(ip) = s.ip {
            *ips.entry(ip).or_default() += 1;
        }
    }
    let mut countries: BTreeMap<String, u64> = BTreeMap::new();
    let ips: Vec<IpCount> = ips
        .into_iter()
        .map(|(ip, n)| {
            let country = cx.geo.country(ip).map(|c| c.as_str().to_string());
            if let Some(c) = &country {
                *countries.entry(c.clone()).or_default() += n;
            }
            IpCount {
                ip,
                messages: n,
                country,
            }
        })
        .collect();
    let mut countries: Vec<(String, u64)> = countries.into_iter().collect();
    countries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Activity {
        from: rfc3339_utc(from),
        to: rfc3339_utc(to),
        messages,
        recipients,
        ips,
        countries: countries.into_iter().map(|(c, _)| c).collect(),
    }
}

/// The complaints traced to one account: the list a support team acts on.
#[derive(Debug, Clone, Serialize)]
pub struct AccountGroup {
    pub account: String,
    pub complaints: usize,
    /// `input#index` of each complaint.
    pub inputs: Vec<String>,
    pub client_ips: Vec<IpAddr>,
}

/// Groups the traced complaints by account, most complaints first.
pub fn by_account(traced: &[Traced]) -> Vec<AccountGroup> {
    let mut groups: BTreeMap<String, (String, Vec<String>, BTreeSet<IpAddr>)> = BTreeMap::new();
    for t in traced {
        let Some(account) = &t.account else { continue };
        let g = groups
            .entry(account.to_ascii_lowercase())
            .or_insert_with(|| (account.clone(), Vec::new(), BTreeSet::new()));
        g.1.push(format!("{}#{}", t.input, t.index));
        g.2.extend(t.client_ip);
    }
    let mut out: Vec<AccountGroup> = groups
        .into_values()
        .map(|(account, inputs, ips)| AccountGroup {
            account,
            complaints: inputs.len(),
            inputs,
            client_ips: ips.into_iter().collect(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.complaints
            .cmp(&a.complaints)
            .then_with(|| a.account.cmp(&b.account))
    });
    out
}

/// Counts of a run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Totals {
    pub complaints: usize,
    pub ours: usize,
    pub not_ours: usize,
    pub not_found: usize,
    pub forged: usize,
    /// Distinct accounts the complaints were traced to.
    pub accounts: usize,
    /// Complaint inputs or messages that could not be read.
    pub errors: usize,
}

/// The time the logs cover.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub from: String,
    pub to: String,
}

/// The end of a run: the grouping, the totals, and every input as evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub by_account: Vec<AccountGroup>,
    pub totals: Totals,
    /// The host names and networks taken as ours.
    pub our_hosts: Vec<String>,
    /// `given` (--our-host) or `learnt` (the host names in the logs).
    pub our_hosts_from: &'static str,
    pub logs_cover: Option<Coverage>,
    pub clock_skew_s: i64,
    pub window_s: i64,
    /// Complaints first, then logs; each with path, size and SHA-256.
    pub inputs: Vec<InputInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traced(input: &str, account: Option<&str>, ip: Option<&str>) -> Traced {
        Traced {
            input: input.into(),
            index: 1,
            unwrapped: Vec::new(),
            subject: None,
            verdict: if account.is_some() {
                Verdict::Ours
            } else {
                Verdict::NotOurs
            },
            reason: String::new(),
            account: account.map(str::to_owned),
            client_ip: ip.map(|i| i.parse().unwrap()),
            sasl_method: None,
            origin: None,
            queue_id: None,
            message_id: None,
            matched_by: None,
            our_hops: Vec::new(),
            message: None,
            activity: None,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn grouped_by_account_case_insensitively_most_complaints_first() {
        let groups = by_account(&[
            traced("a", Some("bob@example.org"), Some("192.0.2.1")),
            traced("b", Some("alice@example.org"), Some("192.0.2.2")),
            traced("c", None, None),
            traced("d", Some("Alice@Example.org"), Some("192.0.2.3")),
        ]);
        let got: Vec<(&str, usize, usize)> = groups
            .iter()
            .map(|g| (g.account.as_str(), g.complaints, g.client_ips.len()))
            .collect();
        assert_eq!(
            got,
            vec![("alice@example.org", 2, 2), ("bob@example.org", 1, 1)]
        );
        assert_eq!(groups[0].inputs, vec!["b#1", "d#1"]);
    }

    #[test]
    fn message_ids_lose_their_brackets() {
        assert_eq!(norm_message_id(" <a@b> "), "a@b");
        assert_eq!(norm_message_id("a@b"), "a@b");
    }
}
