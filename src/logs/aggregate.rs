//! Per-account and per-IP counters that the join feeds as facts become known, folded into
//! `LogStats` at the end. Memory grows with accounts, IPs and (account, IP) pairs, never with
//! lines or messages.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;

use super::keys::{Fingerprints, FxMap, FxSet};
use super::stats::{
    AccountStats, HourBucket, IpStats, IpUse, LogStats, SuccessAfterFailure, Timestamp, Totals,
};

/// Sample queue ids kept per account.
const SAMPLE_QIDS: usize = 10;
/// Distinct mismatching senders remembered per account (the rest are only counted).
const MAX_SENDERS: usize = 1000;
/// Top mismatching senders reported per account.
const TOP_SENDERS: usize = 20;
/// Success-after-failure events kept per account.
const MAX_SAF: usize = 100;
/// IPs of one account from which on they are found through a hash index (see `AccountIps`).
const INDEX_IPS: usize = 8;

/// The spans of the two peak windows: 1 hour and 10 minutes.
const SPANS: [i64; 2] = [3600, 600];

/// Exact peaks of a sum over the sliding windows of `SPANS`. One queue holds the longest
/// window's messages; each shorter window is a tail of it, marked by an index, so an account's
/// windows touch one buffer.
#[derive(Debug, Clone)]
struct Windows {
    q: VecDeque<(Timestamp, u64)>,
    /// The newest time added (the back of `q` while it holds anything), kept here: most
    /// accounts send less than a message an hour, so a new message finds every entry out of
    /// every window, and the queue is emptied without reading its (cold) buffer.
    newest: Timestamp,
    /// Index in `q` of the first entry of each window (0 for the longest).
    start: [usize; 2],
    sum: [u64; 2],
    peak: [u64; 2],
    peak_start: [Option<Timestamp>; 2],
}

impl Default for Windows {
    fn default() -> Self {
        Windows {
            q: VecDeque::new(),
            newest: Timestamp::MIN,
            start: [0; 2],
            sum: [0; 2],
            peak: [0; 2],
            peak_start: [None; 2],
        }
    }
}

impl Windows {
    /// Add `n` at `t`. Times arrive nearly in order; a slightly late one is inserted in place.
    /// A window is `(newest - span, newest]`, i.e. any two entries less than `span` apart.
    fn add(&mut self, t: Timestamp, n: u64) {
        let in_order = t >= self.newest;
        if t.saturating_sub(self.newest) >= SPANS[0] {
            // Every entry is at least the longest span older than `t`: in no window any more.
            self.q.clear();
            self.start = [0; 2];
            self.sum = [0; 2];
        }
        self.newest = self.newest.max(t);
        let pos = if in_order {
            self.q.push_back((t, n));
            self.q.len() - 1
        } else {
            let pos = self.q.iter().rposition(|e| e.0 <= t).map_or(0, |p| p + 1);
            self.q.insert(pos, (t, n));
            pos
        };
        let newest = self.newest;
        let q = &self.q;
        for ((span, start), sum) in SPANS.iter().zip(&mut self.start).zip(&mut self.sum) {
            // Entries before a window's start are older than it (the queue is sorted), so an
            // entry inserted there is outside it.
            if pos < *start {
                *start += 1;
            } else {
                *sum += n;
            }
            while let Some(&(ft, fnum)) = q.get(*start) {
                if ft > newest - span {
                    break;
                }
                *sum -= fnum;
                *start += 1;
            }
        }
        // The longest window's old entries are in no window any more.
        let drop = self.start[0];
        self.q.drain(..drop);
        for s in &mut self.start {
            *s -= drop;
        }
        for w in 0..SPANS.len() {
            if self.sum[w] > self.peak[w] {
                self.peak[w] = self.sum[w];
                self.peak_start[w] = self.q.get(self.start[w]).map(|e| e.0);
            }
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct FailIp {
    total: u64,
    /// Failures since the last success from this IP.
    pending: u64,
    last: Timestamp,
}

/// Whether a sender (or header From) belongs to the account; bare-username accounts need the
/// hosted domains, which are only all known at the end, so their senders wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    Envelope,
    Header,
}

/// The counters that an account's messages, logins and failures update, folded into its
/// `AccountStats` at the end: kept together at the head of `Account` instead of spread over
/// the report struct's dozen cache lines (thousands of accounts do not stay in cache).
#[derive(Debug, Default)]
struct Hot {
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
    messages: u64,
    recipients: u64,
    sent: u64,
    bounced: u64,
    deferred: u64,
    expired: u64,
    imap_logins: u64,
    auth_failures: u64,
    rcpt_rejected: u64,
    /// Sample queue ids kept: `s.sample_queue_ids.len()`, counted here so that the check on
    /// every message reads no line of the boxed report.
    samples: usize,
    /// `Fingerprints::folded` of the account's name: its messages' envelope senders are
    /// compared with it, not with the name's text.
    folded: u64,
}

/// `repr(C)`: the fields every event touches first, in this order (see `Hot`).
#[derive(Debug)]
#[repr(C)]
struct Account {
    hot: Hot,
    /// The hour bucket being filled, folded into `hours` when another hour comes (or at
    /// the end): an account's messages mostly fall in the same hour.
    hour: Option<(Timestamp, HourBucket)>,
    /// The IPs the account logged in from or failed from, moved into `s.ips` and
    /// `s.failed_ips` at the end.
    ips: AccountIps,
    windows: Windows,
    /// A bare username (no `@domain`): see `Which`.
    bare: bool,
    /// The report's fields (the hot counters are folded in at the end).
    s: Box<AccountStats>,
    /// Finished hour buckets in time order, moved into `s.hourly` at the end: hours come in
    /// order, so a flush is mostly an append to one warm cache line instead of a descent
    /// through a tree whose nodes are cold (most accounts send a message an hour or less).
    hours: Vec<(Timestamp, HourBucket)>,
    mismatched: HashMap<String, u64>,
    /// Bare accounts: (kind, lower-cased address) → count, judged at the end.
    /// Indexed by `Which as usize`.
    undecided: [HashMap<String, u64>; 2],
}

impl Account {
    /// The bucket of the hour holding `t` (see `hour`).
    fn hour_bucket(&mut self, t: Timestamp) -> &mut HourBucket {
        let h = t - t.rem_euclid(3600);
        if self.hour.is_some_and(|(cur, _)| cur != h) {
            self.flush_hour();
        }
        &mut self.hour.get_or_insert((h, HourBucket::default())).1
    }

    fn flush_hour(&mut self) {
        let Some((h, b)) = self.hour.take() else {
            return;
        };
        let i = match self.hours.last() {
            Some(&(last, _)) if last < h => self.hours.len(),
            None => 0,
            // A late message: its hour may be there already.
            Some(_) => match self.hours.binary_search_by_key(&h, |e| e.0) {
                Ok(i) => {
                    let e = &mut self.hours[i].1;
                    e.messages += b.messages;
                    e.recipients += b.recipients;
                    return;
                }
                Err(i) => i,
            },
        };
        self.hours.insert(i, (h, b));
    }
}

/// What an account did from one IP: its logins (`used`, all zero before the first) and its
/// failed attempts, and the IP's index in `Aggregator::ip_list`.
#[derive(Debug)]
struct Pair {
    ip: IpAddr,
    slot: u32,
    used: IpUse,
    fail: FailIp,
}

impl Pair {
    fn logged_in(&self) -> bool {
        self.used.smtp + self.used.imap > 0
    }
}

/// The IPs an account logged in or failed from, in order of first sight. Most accounts use
/// one to three addresses: a scan of one cache line finds them, where a hash map per account
/// (one for logins, one for failures) cost cold table probes per login and per failure. An
/// account under attack or used as a relay gets an index for its dozens of bot IPs (keyed
/// SipHash: the addresses are the bots' choice).
#[derive(Debug, Default)]
struct AccountIps {
    list: Vec<Pair>,
    /// `ip_tag` of the first `INDEX_IPS` entries, inline: a look-up that misses, or hits
    /// another entry than the last, reads no pair it does not return (a pair is over a
    /// cache line's worth of counters).
    tags: [u32; INDEX_IPS],
    index: Option<HashMap<IpAddr, u32>>,
    /// Position in `list` of the last login's IP: a user mostly logs in again from it.
    /// Kept with its address, so that the next message of a session is found to come from
    /// a login IP without reading the pair.
    last: Option<(IpAddr, u32)>,
}

impl AccountIps {
    /// Position in `list` of `ip`, if the account logged in or failed from it.
    fn find(&self, ip: IpAddr) -> Option<usize> {
        if let Some((last, i)) = self.last {
            if last == ip {
                return Some(i as usize);
            }
        }
        match &self.index {
            Some(ix) => ix.get(&ip).map(|&i| i as usize),
            None => {
                let tag = ip_tag(ip);
                let n = self.list.len().min(INDEX_IPS);
                (0..n).find(|&i| self.tags[i] == tag && self.list[i].ip == ip)
            }
        }
    }

    /// Whether the account logged in from `ip` (the last login's IP without reading a pair).
    fn logged_in_from(&self, ip: IpAddr) -> bool {
        self.last.is_some_and(|(last, _)| last == ip)
            || self.find(ip).is_some_and(|i| self.list[i].logged_in())
    }

    /// Add `ip` (not yet in the list) with its `ip_list` index; returns its position.
    fn add(&mut self, ip: IpAddr, slot: u32) -> usize {
        let i = self.list.len();
        if let Some(t) = self.tags.get_mut(i) {
            *t = ip_tag(ip);
        }
        self.list.push(Pair {
            ip,
            slot,
            used: IpUse::default(),
            fail: FailIp::default(),
        });
        match &mut self.index {
            Some(ix) => {
                ix.insert(ip, i as u32);
            }
            None if self.list.len() >= INDEX_IPS => {
                let ix = self
                    .list
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.ip, i as u32))
                    .collect();
                self.index = Some(ix);
            }
            None => {}
        }
        i
    }
}

/// 32 bits of an address for `AccountIps::tags` (a multiply of its folded bits). Equal tags
/// are confirmed against the address, so addresses chosen to collide only cost that compare.
fn ip_tag(ip: IpAddr) -> u32 {
    let x = match ip {
        IpAddr::V4(v4) => u64::from(v4.to_bits()),
        IpAddr::V6(v6) => {
            let b = v6.to_bits();
            (b as u64) ^ ((b >> 64) as u64).rotate_left(32) ^ 0x6_0000_0000
        }
    };
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as u32
}

#[derive(Debug, Default)]
struct Ip {
    auth_failures: u64,
    /// Indices of the accounts tried (ours, so a fast hasher is safe).
    tried: FxSet<u32>,
    successes: u64,
    succeeded: Vec<u32>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
}

fn seen(first: &mut Option<Timestamp>, last: &mut Option<Timestamp>, t: Timestamp) {
    *first = Some(first.map_or(t, |f| f.min(t)));
    *last = Some(last.map_or(t, |l| l.max(t)));
}

/// The address inside a header From value: `Name <a@b>` → `a@b`.
fn header_address(v: &[u8]) -> &[u8] {
    if let Some(open) = memchr::memrchr(b'<', v) {
        if let Some(close) = memchr::memchr(b'>', &v[open..]) {
            return &v[open + 1..open + close];
        }
    }
    v.trim_ascii()
}

/// How a login happened, for `IpUse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKind {
    Smtp,
    Mailbox,
}

/// All counters of a run.
#[derive(Debug)]
pub struct Aggregator {
    accounts: Vec<Account>,
    /// Account name fingerprint (`keys::Fingerprints`) → index.
    index: FxMap<u64, u32>,
    names: Vec<Arc<str>>,
    /// IP → index into `ip_list`.
    ips: HashMap<IpAddr, u32>,
    ip_list: Vec<(IpAddr, Ip)>,
    local_domains: HashSet<Box<[u8]>>,
    /// The domain `learn_local_domain` saw last: local deliveries repeat a few domains, and
    /// an equal one needs no set lookup.
    last_domain: Vec<u8>,
    saf_window: i64,
    pub totals: Totals,
    /// The run's fingerprint key, shared with the workers (see `keys::Fingerprints`).
    pub fps: Fingerprints,
}

impl Aggregator {
    pub fn new(saf_window: i64) -> Self {
        Aggregator {
            accounts: Vec::new(),
            index: FxMap::default(),
            names: Vec::new(),
            ips: HashMap::new(),
            ip_list: Vec::new(),
            local_domains: HashSet::new(),
            last_domain: Vec::new(),
            saf_window,
            totals: Totals::default(),
            fps: Fingerprints::default(),
        }
    }

    /// The index of an account (created on first sight) by the fingerprint of its name; the
    /// name is kept as logged.
    pub fn account(&mut self, fp: u64, name: &[u8]) -> u32 {
        if let Some(&i) = self.index.get(&fp) {
            return i;
        }
        let i = self.accounts.len() as u32;
        let s = String::from_utf8_lossy(name).into_owned();
        if let Some(at) = memchr::memrchr(b'@', name) {
            self.learn_local_domain(&name[at + 1..]);
        }
        self.names.push(Arc::from(s.as_str()));
        self.accounts.push(Account {
            hot: Hot {
                folded: self.fps.folded(name),
                ..Hot::default()
            },
            bare: memchr::memchr(b'@', name).is_none(),
            s: Box::new(AccountStats {
                account: s,
                ..AccountStats::default()
            }),
            windows: Windows::default(),
            hour: None,
            hours: Vec::new(),
            ips: AccountIps::default(),
            mismatched: HashMap::new(),
            undecided: [HashMap::new(), HashMap::new()],
        });
        self.index.insert(fp, i);
        i
    }

    /// Whether `on_message` keeps the next message of `a` as a sample (its `host` is only
    /// read then).
    pub fn wants_sample(&self, a: u32) -> bool {
        self.accounts[a as usize].hot.samples < SAMPLE_QIDS
    }

    pub fn name(&self, a: u32) -> &Arc<str> {
        &self.names[a as usize]
    }

    /// A domain that receives mail into mailboxes here (or an account's domain).
    pub fn learn_local_domain(&mut self, d: &[u8]) {
        if d.is_empty() || d == self.last_domain.as_slice() {
            return;
        }
        self.last_domain.clear();
        self.last_domain.extend_from_slice(d);
        if self.local_domains.contains(d) {
            return;
        }
        if d.iter().any(u8::is_ascii_uppercase) {
            let lower = d.to_ascii_lowercase();
            if !self.local_domains.contains(&lower[..]) {
                self.local_domains.insert(lower.into());
            }
        } else {
            self.local_domains.insert(d.into());
        }
    }

    /// The index in `ip_list` of `ip`'s counters (created on first sight).
    fn ip_slot(&mut self, ip: IpAddr) -> u32 {
        let list = &mut self.ip_list;
        *self.ips.entry(ip).or_insert_with(|| {
            list.push((ip, Ip::default()));
            (list.len() - 1) as u32
        })
    }

    fn acc(&mut self, a: u32) -> &mut Account {
        &mut self.accounts[a as usize]
    }

    /// The position of `ip` in the IPs of account `a`, added (with the IP's counters) on
    /// first sight: the only time the IP's list of accounts tried changes.
    fn pair(&mut self, a: u32, ip: IpAddr) -> usize {
        if let Some(i) = self.accounts[a as usize].ips.find(ip) {
            return i;
        }
        let slot = self.ip_slot(ip);
        self.ip_list[slot as usize].1.tried.insert(a);
        self.accounts[a as usize].ips.add(ip, slot)
    }

    /// A successful login (SMTP AUTH session or mailbox login) from `ip`.
    pub fn on_login(&mut self, a: u32, ip: IpAddr, t: Timestamp, kind: LoginKind) {
        let window = self.saf_window;
        let i = self.pair(a, ip);
        let acc = &mut self.accounts[a as usize];
        seen(&mut acc.hot.first_seen, &mut acc.hot.last_seen, t);
        if kind == LoginKind::Mailbox {
            acc.hot.imap_logins += 1;
            self.totals.mailbox_logins += 1;
        }
        acc.ips.last = Some((ip, i as u32));
        let p = &mut acc.ips.list[i];
        if p.fail.pending > 0 {
            if t - p.fail.last <= window && acc.s.success_after_failure.len() < MAX_SAF {
                acc.s.success_after_failure.push(SuccessAfterFailure {
                    ip,
                    at: t,
                    failures_before: p.fail.pending,
                });
            }
            p.fail.pending = 0;
        }
        let first_login = !p.logged_in();
        let u = &mut p.used;
        if first_login {
            (u.first, u.last) = (t, t);
        }
        match kind {
            LoginKind::Smtp => u.smtp += 1,
            LoginKind::Mailbox => u.imap += 1,
        }
        u.first = u.first.min(t);
        u.last = u.last.max(t);
        let ipa = &mut self.ip_list[p.slot as usize].1;
        if first_login && !ipa.succeeded.contains(&a) {
            ipa.succeeded.push(a);
        }
        ipa.successes += 1;
        seen(&mut ipa.first, &mut ipa.last, t);
    }

    /// A message submitted by the account (`client=... sasl_username=`, Exim `A=`).
    /// `new_login`: the first message of its SMTP session, which counts as a login.
    pub fn on_message(
        &mut self,
        a: u32,
        t: Timestamp,
        ip: Option<IpAddr>,
        host: &str,
        qid: &[u8],
        new_login: bool,
    ) {
        self.totals.authenticated_messages += 1;
        if let Some(ip) = ip {
            if new_login || !self.accounts[a as usize].ips.logged_in_from(ip) {
                self.on_login(a, ip, t, LoginKind::Smtp);
            }
        }
        let acc = self.acc(a);
        acc.hot.messages += 1;
        seen(&mut acc.hot.first_seen, &mut acc.hot.last_seen, t);
        acc.hour_bucket(t).messages += 1;
        if acc.hot.samples < SAMPLE_QIDS {
            acc.hot.samples += 1;
            acc.s
                .sample_queue_ids
                .push((host.to_string(), String::from_utf8_lossy(qid).into_owned()));
        }
    }

    /// The recipients of one of the account's messages (nrcpt of its first qmgr line),
    /// at the message's submission time.
    pub fn on_recipients(&mut self, a: u32, t: Timestamp, n: u32) {
        self.totals.authenticated_recipients += u64::from(n);
        let acc = self.acc(a);
        let n = u64::from(n);
        acc.hot.recipients += n;
        acc.hour_bucket(t).recipients += n;
        acc.windows.add(t, n);
    }

    /// `folded`: `Fingerprints::folded` of `addr` when the caller has it (compared with the
    /// account's instead of the texts).
    fn judge(&mut self, a: u32, which: Which, addr: &[u8], folded: Option<u64>) {
        let acc = &mut self.accounts[a as usize];
        let mismatch = if !acc.bare {
            match folded {
                Some(f) => f != acc.hot.folded,
                None => !addr.eq_ignore_ascii_case(acc.s.account.as_bytes()),
            }
        } else {
            let account = acc.s.account.as_bytes();
            let room = acc.undecided[0].len() + acc.undecided[1].len() < MAX_SENDERS;
            if bump(&mut acc.undecided[which as usize], addr, 1, room) {
                return;
            }
            !bare_matches(account, addr, &self.local_domains)
        };
        if mismatch {
            count_mismatch(acc, which, addr, 1);
        }
    }

    /// The envelope sender of one of the account's messages, and its `Fingerprints::folded`
    /// (keyed like the aggregator's `fps`).
    pub fn on_sender(&mut self, a: u32, sender: &[u8], folded: u64) {
        self.judge(a, Which::Envelope, sender, Some(folded));
    }

    /// The header From of one of the account's messages (header_checks WARN/INFO line).
    pub fn on_header_from(&mut self, a: u32, value: &[u8]) {
        self.judge(a, Which::Header, header_address(value), None);
    }

    /// Final per-recipient statuses of one message (or of its hop) of the account.
    pub fn on_statuses(&mut self, a: u32, sent: u64, bounced: u64, deferred: u64, expired: u64) {
        let s = &mut self.acc(a).hot;
        s.sent += sent;
        s.bounced += bounced;
        s.deferred += deferred;
        s.expired += expired;
    }

    pub fn on_rcpt_rejected(&mut self, a: u32) {
        self.acc(a).hot.rcpt_rejected += 1;
    }

    /// One failed authentication attempt, naming an account when the log does.
    pub fn on_auth_failure(&mut self, a: Option<u32>, ip: IpAddr, t: Timestamp) {
        self.totals.auth_failures += 1;
        let slot = match a {
            Some(a) => {
                let i = self.pair(a, ip);
                let acc = self.acc(a);
                acc.hot.auth_failures += 1;
                seen(&mut acc.hot.first_seen, &mut acc.hot.last_seen, t);
                let p = &mut acc.ips.list[i];
                p.fail.total += 1;
                p.fail.pending += 1;
                p.fail.last = t;
                p.slot
            }
            None => self.ip_slot(ip),
        };
        let ipa = &mut self.ip_list[slot as usize].1;
        ipa.auth_failures += 1;
        seen(&mut ipa.first, &mut ipa.last, t);
    }

    /// Fold everything into the contract types.
    pub fn finish(mut self) -> LogStats {
        let mut domains: Vec<String> = self
            .local_domains
            .iter()
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .collect();
        domains.sort();
        let mut accounts = Vec::with_capacity(self.accounts.len());
        for mut acc in std::mem::take(&mut self.accounts) {
            acc.flush_hour();
            let h = &acc.hot;
            let s = &mut acc.s;
            (s.first_seen, s.last_seen) = (h.first_seen, h.last_seen);
            (s.messages, s.recipients, s.rcpt_rejected) =
                (h.messages, h.recipients, h.rcpt_rejected);
            (s.sent, s.bounced, s.deferred, s.expired) = (h.sent, h.bounced, h.deferred, h.expired);
            (s.imap_logins, s.auth_failures) = (h.imap_logins, h.auth_failures);
            for p in std::mem::take(&mut acc.ips.list) {
                if p.logged_in() {
                    acc.s.ips.insert(p.ip, p.used);
                }
                if p.fail.total > 0 {
                    acc.s.failed_ips.insert(p.ip, p.fail.total);
                }
            }
            acc.s.hourly = std::mem::take(&mut acc.hours);
            let [env, hdr] = std::mem::take(&mut acc.undecided);
            let undecided = (env.into_iter().map(|e| (Which::Envelope, e)))
                .chain(hdr.into_iter().map(|e| (Which::Header, e)));
            for (which, (addr, n)) in undecided {
                if !bare_matches(
                    acc.s.account.as_bytes(),
                    addr.as_bytes(),
                    &self.local_domains,
                ) {
                    count_mismatch(&mut acc, which, addr.as_bytes(), n);
                }
            }
            let mut top: Vec<(String, u64)> = acc.mismatched.into_iter().collect();
            top.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
            top.truncate(TOP_SENDERS);
            acc.s.mismatched_senders = top;
            let w = &acc.windows;
            acc.s.peak_recipients_1h = w.peak[0];
            acc.s.peak_1h_start = w.peak_start[0];
            acc.s.peak_recipients_10m = w.peak[1];
            acc.s.peak_10m_start = w.peak_start[1];
            accounts.push(*acc.s);
        }
        let mut ips: Vec<IpStats> = self
            .ip_list
            .into_iter()
            .map(|(ip, x)| IpStats {
                ip,
                auth_failures: x.auth_failures,
                accounts_tried: x.tried.len() as u64,
                successes: x.successes,
                accounts_succeeded: x
                    .succeeded
                    .iter()
                    .map(|a| accounts[*a as usize].account.clone())
                    .collect(),
                first_seen: x.first,
                last_seen: x.last,
            })
            .collect();
        ips.sort_by_key(|x| x.ip);
        accounts.sort_by(|x, y| x.account.cmp(&y.account));
        LogStats {
            accounts,
            ips,
            local_domains: domains,
            totals: self.totals,
        }
    }
}

fn count_mismatch(acc: &mut Account, which: Which, addr: &[u8], n: u64) {
    match which {
        Which::Envelope => {
            acc.s.sender_mismatch += n;
            let room = acc.mismatched.len() < MAX_SENDERS;
            bump(&mut acc.mismatched, addr, n, room);
        }
        Which::Header => acc.s.header_from_mismatch += n,
    }
}

/// Add `n` to the count of lower-cased `addr` in `map`; a new address is only added when
/// `room`. Allocates only for a new address (senders repeat: spam runs, mailing lists).
/// Returns whether `addr` was counted.
fn bump(map: &mut HashMap<String, u64>, addr: &[u8], n: u64, room: bool) -> bool {
    // Addresses are mostly ASCII: checked in place, without the lossy decoder's chunking.
    let text = match std::str::from_utf8(addr) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(addr),
    };
    let key = if text.bytes().any(|c| c.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(text.to_ascii_lowercase())
    } else {
        text
    };
    if let Some(v) = map.get_mut(key.as_ref()) {
        *v += n;
        return true;
    }
    if room {
        map.insert(key.into_owned(), n);
    }
    room
}

/// A bare username account `user` sends as `user@D` where D is a hosted domain.
fn bare_matches(account: &[u8], addr: &[u8], local: &HashSet<Box<[u8]>>) -> bool {
    match memchr::memrchr(b'@', addr) {
        Some(at) => {
            addr[..at].eq_ignore_ascii_case(account)
                && local.contains(&addr[at + 1..].to_ascii_lowercase()[..])
        }
        None => addr.eq_ignore_ascii_case(account),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn acct(g: &mut Aggregator, name: &[u8]) -> u32 {
        let fp = crate::logs::keys::Fingerprints::default().of(name);
        g.account(fp, name)
    }

    #[test]
    fn window_peak_is_exact() {
        let mut w = Windows::default();
        w.add(0, 10);
        w.add(1000, 5);
        w.add(3599, 1); // still within 3600 of 0
        assert_eq!((w.peak[0], w.peak_start[0]), (16, Some(0)));
        assert_eq!((w.peak[1], w.peak_start[1]), (10, Some(0)));
        w.add(3600, 20); // 0 drops out: 5 + 1 + 20
        assert_eq!((w.peak[0], w.peak_start[0]), (26, Some(1000)));
        assert_eq!((w.peak[1], w.peak_start[1]), (21, Some(3599)));
        w.add(3500, 7); // late arrival inserted in order
        assert_eq!(w.sum, [33, 28]);
        assert_eq!(w.peak, [33, 28]);
        assert_eq!(w.peak_start, [Some(1000), Some(3500)]);
    }

    /// The one-queue windows against one queue per window (the straightforward version), on
    /// times that arrive mostly in order with late ones, as in logs.
    /// Exact peak of a sum over a sliding time window. Entries older than the window are dropped,
    /// so the queue holds one window's worth of messages.
    #[derive(Debug, Clone)]
    struct RefWindow {
        span: i64,
        q: VecDeque<(Timestamp, u64)>,
        sum: u64,
        peak: u64,
        peak_start: Option<Timestamp>,
    }

    impl RefWindow {
        fn new(span: i64) -> Self {
            RefWindow {
                span,
                q: VecDeque::new(),
                sum: 0,
                peak: 0,
                peak_start: None,
            }
        }

        /// Add `n` at `t`. Times arrive nearly in order; a slightly late one is inserted in place.
        /// The window is `(newest - span, newest]`, i.e. any two entries less than `span` apart.
        fn add(&mut self, t: Timestamp, n: u64) {
            if self.q.back().is_none_or(|e| e.0 <= t) {
                self.q.push_back((t, n));
            } else {
                let pos = self.q.iter().rposition(|e| e.0 <= t).map_or(0, |p| p + 1);
                self.q.insert(pos, (t, n));
            }
            self.sum += n;
            let newest = self.q.back().map_or(t, |e| e.0);
            while let Some(&(ft, fnum)) = self.q.front() {
                if ft > newest - self.span {
                    break;
                }
                self.sum -= fnum;
                self.q.pop_front();
            }
            if self.sum > self.peak {
                self.peak = self.sum;
                self.peak_start = self.q.front().map(|e| e.0);
            }
        }
    }

    #[test]
    fn windows_match_one_queue_per_window() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20 {
            let mut w = Windows::default();
            let mut refs = [RefWindow::new(3600), RefWindow::new(600)];
            let mut t = 0i64;
            for _ in 0..3000 {
                // Mostly minutes apart, sometimes hours (every entry leaves every window).
                t += if next() % 40 == 0 {
                    3000 + (next() % 5000) as i64
                } else {
                    (next() % 120) as i64
                };
                let at = if next() % 10 == 0 {
                    t - (next() % 900) as i64
                } else {
                    t
                };
                let n = next() % 50;
                w.add(at, n);
                for r in &mut refs {
                    r.add(at, n);
                }
                for (i, r) in refs.iter().enumerate() {
                    assert_eq!((w.sum[i], w.peak[i]), (r.sum, r.peak));
                    assert_eq!(w.peak_start[i], r.peak_start);
                }
            }
        }
    }

    #[test]
    fn sender_mismatch_full_and_bare_accounts() {
        let mut g = Aggregator::new(3600);
        // An envelope sender, fingerprinted as the workers do.
        let sender = |g: &mut Aggregator, a: u32, addr: &[u8]| {
            let folded = g.fps.folded(addr);
            g.on_sender(a, addr, folded);
        };
        let a = acct(&mut g, b"Alice@Example.org");
        sender(&mut g, a, b"alice@example.org");
        sender(&mut g, a, b"billing@evil.example");
        sender(&mut g, a, b"billing@evil.example");
        let b = acct(&mut g, b"bob");
        sender(&mut g, b, b"bob@hosted.example");
        sender(&mut g, b, b"Bob@other.example");
        sender(&mut g, b, b"info@hosted.example");
        // The hosted domain is learnt after the messages: still judged right.
        g.learn_local_domain(b"Hosted.Example");
        g.on_header_from(a, b"\"Bank\" <secure@bank.example>");
        let s = g.finish();
        let alice = &s.accounts[0];
        assert_eq!(alice.account, "Alice@Example.org");
        assert_eq!(alice.sender_mismatch, 2);
        assert_eq!(
            alice.mismatched_senders,
            vec![("billing@evil.example".to_string(), 2)]
        );
        assert_eq!(alice.header_from_mismatch, 1);
        let bob = &s.accounts[1];
        assert_eq!(bob.sender_mismatch, 2);
        assert!(s.local_domains.contains(&"hosted.example".to_string()));
        assert!(s.local_domains.contains(&"example.org".to_string()));
    }

    #[test]
    fn success_after_failure_within_window() {
        let mut g = Aggregator::new(3600);
        let a = acct(&mut g, b"carol@x.example");
        let bad = ip("203.0.113.5");
        g.on_auth_failure(Some(a), bad, 100);
        g.on_auth_failure(Some(a), bad, 200);
        g.on_login(a, bad, 300, LoginKind::Mailbox);
        g.on_auth_failure(Some(a), bad, 400);
        g.on_login(a, bad, 400 + 3601, LoginKind::Smtp);
        g.on_auth_failure(None, ip("198.51.100.1"), 500);
        // Failures only, from another IP: a failed IP of the account, not one it used.
        let other = ip("203.0.113.99");
        g.on_auth_failure(Some(a), other, 600);
        g.on_message(a, 700, Some(other), "mail", b"Q1", false);
        let s = g.finish();
        let c = &s.accounts[0];
        assert_eq!(c.failed_ips.get(&other), Some(&1));
        assert_eq!(
            c.ips[&other].smtp, 1,
            "a message from a failed-only IP is a login"
        );
        assert_eq!(c.ips[&bad].imap, 1);
        assert_eq!(c.ips.len(), 2);
        assert_eq!(c.success_after_failure.len(), 2);
        assert_eq!(c.success_after_failure[0].failures_before, 2);
        let second = &c.success_after_failure[1];
        assert_eq!(
            (second.ip, second.at, second.failures_before),
            (other, 700, 1)
        );
        assert_eq!(c.auth_failures, 4);
        assert_eq!(c.failed_ips.get(&bad), Some(&3));
        assert_eq!(c.imap_logins, 1);
        assert_eq!(s.ips.len(), 3);
        let i = s.ips.iter().find(|x| x.ip == bad).expect("ip");
        assert_eq!((i.auth_failures, i.successes, i.accounts_tried), (3, 2, 1));
        let o = s.ips.iter().find(|x| x.ip == other).expect("ip");
        assert_eq!((o.auth_failures, o.successes, o.accounts_tried), (1, 1, 1));
        assert_eq!(o.accounts_succeeded, vec!["carol@x.example".to_string()]);
        assert_eq!(s.totals.auth_failures, 5);
    }

    /// An account with more IPs than the scan covers (the index path) counts each pair once
    /// per login and keeps every IP's first and last time, whatever the login order.
    #[test]
    fn many_ips_of_one_account() {
        let mut g = Aggregator::new(3600);
        let a = acct(&mut g, b"gina@x.example");
        let n = INDEX_IPS as u8 * 3;
        for round in 0..3i64 {
            for k in 0..n {
                let t = 1000 * round + i64::from(k);
                let kind = if k % 2 == 0 {
                    LoginKind::Smtp
                } else {
                    LoginKind::Mailbox
                };
                g.on_login(a, ip(&format!("198.51.100.{k}")), t, kind);
            }
        }
        g.on_message(a, 5000, Some(ip("198.51.100.3")), "mail", b"Q1", false);
        g.on_message(a, 5001, Some(ip("203.0.113.77")), "mail", b"Q2", false);
        let s = g.finish();
        let d = &s.accounts[0];
        assert_eq!(d.ips.len(), usize::from(n) + 1);
        for k in 0..n {
            let u = &d.ips[&ip(&format!("198.51.100.{k}"))];
            let (smtp, imap) = if k % 2 == 0 { (3, 0) } else { (0, 3) };
            assert_eq!((u.smtp, u.imap), (smtp, imap), "{k}");
            assert_eq!((u.first, u.last), (i64::from(k), 2000 + i64::from(k)));
        }
        // A message from a known IP is no new login; from a new one it is.
        assert_eq!(d.ips[&ip("198.51.100.3")].imap, 3);
        assert_eq!(d.ips[&ip("203.0.113.77")].smtp, 1);
        let x = s
            .ips
            .iter()
            .find(|x| x.ip == ip("198.51.100.5"))
            .expect("ip");
        assert_eq!((x.successes, x.accounts_tried), (3, 1));
    }

    fn hour(d: &AccountStats, h: Timestamp) -> HourBucket {
        let i = d.hourly.binary_search_by_key(&h, |e| e.0).expect("hour");
        d.hourly[i].1
    }

    #[test]
    fn messages_and_hourly() {
        let mut g = Aggregator::new(3600);
        let a = acct(&mut g, b"dave@x.example");
        let i = ip("192.0.2.9");
        g.on_message(a, 7200 + 5, Some(i), "mail", b"ABCDEF123", true);
        g.on_recipients(a, 7205, 3);
        g.on_message(a, 7200 + 65, Some(i), "mail", b"ABCDEF124", false);
        g.on_recipients(a, 7265, 2);
        let s = g.finish();
        let d = &s.accounts[0];
        assert_eq!((d.messages, d.recipients), (2, 5));
        assert_eq!(d.ips[&i].smtp, 1);
        assert_eq!(hour(d, 7200).messages, 2);
        assert_eq!(hour(d, 7200).recipients, 5);
        assert_eq!(d.peak_recipients_10m, 5);
        assert_eq!(d.sample_queue_ids[1], ("mail".into(), "ABCDEF124".into()));
    }

    #[test]
    fn hours_interleaved_and_repeated_logins_count_once_per_fact() {
        let mut g = Aggregator::new(3600);
        let a = acct(&mut g, b"erin@x.example");
        let b = acct(&mut g, b"frank@x.example");
        let (i, j) = (ip("192.0.2.10"), ip("2001:db8::7"));
        // A late recipient count lands in an hour the bucket cache has already left.
        g.on_message(a, 3600 + 10, Some(i), "mail", b"Q1", true);
        g.on_message(a, 7200 + 10, Some(i), "mail", b"Q2", true);
        g.on_recipients(a, 3600 + 10, 4);
        g.on_recipients(a, 7200 + 10, 1);
        g.on_message(a, 7200 + 20, Some(j), "mail", b"Q3", false);
        g.on_login(a, i, 7300, LoginKind::Mailbox);
        g.on_login(b, i, 7400, LoginKind::Mailbox);
        g.on_login(a, i, 7500, LoginKind::Mailbox);
        let s = g.finish();
        let d = &s.accounts[0];
        assert_eq!(d.hourly.len(), 2);
        assert_eq!((hour(d, 3600).messages, hour(d, 3600).recipients), (1, 4));
        assert_eq!((hour(d, 7200).messages, hour(d, 7200).recipients), (2, 1));
        assert_eq!((d.ips[&i].smtp, d.ips[&i].imap), (2, 2));
        assert_eq!(d.ips[&j].smtp, 1);
        let x = s.ips.iter().find(|x| x.ip == i).expect("ip");
        assert_eq!((x.successes, x.accounts_tried), (5, 2));
        assert_eq!(
            x.accounts_succeeded,
            vec!["erin@x.example".to_string(), "frank@x.example".to_string()]
        );
        let y = s.ips.iter().find(|x| x.ip == j).expect("ip");
        assert_eq!(
            (y.successes, y.first_seen, y.last_seen),
            (1, Some(7220), Some(7220))
        );
    }
}
