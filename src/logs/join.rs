//! The order-dependent part: events of all inputs, in file order, joined into SMTP sessions
//! (host + syslog tag + pid) and messages (host + queue id), and fed to the aggregator.
//!
//! * A message is born at `client=` (or pickup, a bounce notice, Exim `<=`; or at its first
//!   qmgr line if its birth was not seen) and ends at `removed` / `Completed`, after which the
//!   queue id may be reused for a new message. A second birth of an open id ends the old one.
//! * Recipients of a message are the `nrcpt=` of its first qmgr `from=` line (qmgr repeats the
//!   line on every retry); statuses are counted per delivery line: every `sent`/`bounced` line
//!   is one final status, `deferred` recipients are counted once each, `status=expired` turns
//!   the recipients still deferred into expired.
//! * A `sent ... queued as QID2` reply from a loopback relay (content filter, second
//!   instance) is a hop: QID2 on the same host inherits the account, and its statuses are the
//!   final ones; the hop line itself counts as neither sent nor bounced.
//! * Authentication failures are counted from Dovecot's `auth` lines, one per attempt. The
//!   MTA's own warning (`SASL ... authentication failed`, Exim `535`) for the same attempt
//!   follows Dovecot's line from the same IP within `DOVECOT_PAIR` seconds and is not counted
//!   again; a warning without such a Dovecot line (Cyrus SASL, or Dovecot logging elsewhere)
//!   counts as a failure by itself.
//! * Stale records are evicted (and still counted) when the log time passes their idle limit,
//!   so memory follows the number of open sessions and queued messages, not the log size.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use super::aggregate::{Aggregator, LoginKind};
use super::evidence::{DetailCollector, DetailLine, UnparsedSample, PENDING_LINES};
use super::exim;
use super::keys::{session_key, Fingerprints, FxMap, MsgKey, Qid};
use super::line::{Event, Kind, Status, Wanted};
use super::record::{LineRef, MessageRecord, Recipient};
use super::stats::Timestamp;
use super::time::ClassicClock;

/// Seconds within which an MTA's auth-failure warning is the echo of Dovecot's failure line.
const DOVECOT_PAIR: i64 = 30;
/// Idle limits (log time) after which open records are dropped.
const SESSION_IDLE: i64 = 3600;
const MESSAGE_IDLE: i64 = 86_400;
const HOP_IDLE: i64 = 3600;
/// How often (log time) stale records are swept.
const SWEEP_EVERY: i64 = 600;
/// Recipients of one message from which on they are found through a hash index.
const INDEX_RCPTS: usize = 16;
/// Recipient lists kept for reuse, and the largest capacity kept (see `Join::recycle`).
const RCPT_POOL: usize = 1024;
const POOLED_RCPTS: usize = 64;
/// Interned hosts / programs beyond this share one catch-all id.
const MAX_NAMES: usize = 60_000;
/// Evidence lines kept per record (session lines up to its birth, then its own lines) when a
/// sink wants records.
const RECORD_LINES: usize = 100;

/// A function the join hands every finished message to.
pub type Sink<'a> = &'a mut dyn FnMut(&MessageRecord);

#[derive(Debug, Clone, Copy)]
struct Rcpt {
    hash: u64,
    status: Status,
    deferrals: u32,
}

/// Fields kept only when a sink wants message records: outside `Msg`, so the open-message
/// map of a run without records stays small and its lookups touch fewer cache lines.
#[derive(Debug, Default)]
struct MsgText {
    inst: u16,
    first_line: (usize, u64),
    ip: Option<IpAddr>,
    size: Option<u64>,
    parent: Option<Qid>,
    method: Option<String>,
    sender: Option<String>,
    message_id: Option<String>,
    header_from: Option<String>,
    /// Address and dsn, parallel to `Msg::rcpts`.
    rcpts: Vec<(String, String)>,
    /// Evidence: its smtpd session's lines up to its birth, then its own (`RECORD_LINES`).
    lines: Vec<DetailLine>,
}

#[derive(Debug)]
struct Msg {
    born: Timestamp,
    last: Timestamp,
    acct: Option<u32>,
    /// The account's own submission (not inherited over a hop): counts as its message.
    own: bool,
    exim: bool,
    nrcpt: Option<u32>,
    sent: u64,
    bounced: u64,
    expired: u64,
    /// Recipients by address hash: every one when records are kept and for Exim, else only
    /// those deferred at least once (see `record_status`).
    rcpts: Vec<Rcpt>,
    /// Recipient hash → index into `rcpts`, built once a message has many recipients so that
    /// a spam run's deliveries do not each scan all the recipients before them.
    rcpt_index: Option<Box<FxMap<u64, u32>>>,
    /// Inherits its account over a hop (its parent's id is in `text`).
    hopped: bool,
    text: Option<Box<MsgText>>,
    /// Evidence lines buffered until the account is known (only with `--account`).
    pending: Vec<DetailLine>,
}

#[derive(Debug)]
struct Session {
    last: Timestamp,
    acct: Option<u32>,
    pending: Vec<DetailLine>,
    /// Only with a sink (boxed, so that a run without one keeps sessions small).
    trace: Option<Box<SessionTrace>>,
}

impl Session {
    fn new(t: Timestamp) -> Self {
        Session {
            last: t,
            acct: None,
            pending: Vec::new(),
            trace: None,
        }
    }
}

/// A session's evidence for the records born in it.
#[derive(Debug, Default)]
struct SessionTrace {
    /// The session's lines so far (connect, and lines of no message).
    lines: Vec<DetailLine>,
    /// The messages born in it (they receive the `disconnect` line while still open).
    msgs: Vec<MsgKey>,
}

#[derive(Debug, Clone, Copy)]
struct Hop {
    acct: Option<u32>,
    parent: Qid,
    at: Timestamp,
}

/// Names (hosts, tags, instances) → small ids, by fingerprint.
#[derive(Debug, Default)]
struct Names {
    ids: FxMap<u64, u16>,
    names: Vec<Arc<str>>,
    last: Option<(u64, u16)>,
}

impl Names {
    fn id(&mut self, fp: u64, b: &[u8]) -> u16 {
        if let Some((lfp, id)) = self.last {
            if lfp == fp {
                return id;
            }
        }
        let id = match self.ids.get(&fp) {
            Some(&id) => id,
            None if self.names.len() >= MAX_NAMES => {
                if self.names.len() == MAX_NAMES {
                    self.names.push(Arc::from("(other)"));
                }
                MAX_NAMES as u16
            }
            None => {
                let id = self.names.len() as u16;
                self.names
                    .push(Arc::from(String::from_utf8_lossy(b).as_ref()));
                self.ids.insert(fp, id);
                id
            }
        };
        self.last = Some((fp, id));
        id
    }

    /// The name interned under fingerprint `fp` (see `id`).
    fn name_of(&self, fp: u64) -> Arc<str> {
        match self.ids.get(&fp) {
            Some(&id) => self.name(id),
            None => self.name(MAX_NAMES as u16),
        }
    }

    fn name_str(&self, id: u16) -> &str {
        self.names.get(usize::from(id)).map_or("?", |n| n)
    }

    fn name(&self, id: u16) -> Arc<str> {
        self.names
            .get(usize::from(id))
            .cloned()
            .unwrap_or_else(|| Arc::from("?"))
    }
}

/// The state of the join across all inputs.
pub struct Join<'s> {
    pub agg: Aggregator,
    /// The run's name fingerprints; the workers use the same key.
    pub fps: Fingerprints,
    hosts: Names,
    progs: Names,
    /// The MTA instance of each interned syslog tag.
    prog_inst: Vec<Option<u16>>,
    insts: Names,
    exim_inst: u16,
    sessions: FxMap<u64, Session>,
    messages: FxMap<MsgKey, Msg>,
    hops: FxMap<MsgKey, Hop>,
    /// Emptied recipient lists of finished messages, reused by new ones: a message's list is
    /// then allocated once per pool slot, not grown from nothing per message.
    rcpt_pool: Vec<Vec<Rcpt>>,
    /// Dovecot failures per IP not yet matched by an MTA warning: (count, last time).
    dovecot_fails: HashMap<IpAddr, (u32, Timestamp)>,
    now: Timestamp,
    next_sweep: Timestamp,
    detail: Option<DetailCollector>,
    detail_acct: Option<u32>,
    unparsed_limit: usize,
    pub unparsed: Vec<UnparsedSample>,
    /// Unparsed lines per program: (tag fingerprint, no tag but an Exim stamp) → (name, count).
    unparsed_counts: FxMap<(u64, bool), (String, u64)>,
    sink: Option<Sink<'s>>,
    // The current input.
    input: usize,
    file: Arc<str>,
    files: Vec<Arc<str>>,
    clock: ClassicClock,
}

impl<'s> Join<'s> {
    pub fn new(
        saf_window: i64,
        account: Option<&str>,
        unparsed_limit: usize,
        sink: Option<Sink<'s>>,
    ) -> Self {
        let agg = Aggregator::new(saf_window);
        let fps = agg.fps.clone();
        let mut insts = Names::default();
        let exim_inst = insts.id(fps.of(b"exim"), b"exim");
        Join {
            agg,
            fps,
            hosts: Names::default(),
            progs: Names::default(),
            prog_inst: Vec::new(),
            insts,
            exim_inst,
            sessions: FxMap::default(),
            messages: FxMap::default(),
            hops: FxMap::default(),
            rcpt_pool: Vec::new(),
            dovecot_fails: HashMap::new(),
            now: i64::MIN,
            next_sweep: i64::MIN,
            detail: account.map(DetailCollector::new),
            detail_acct: None,
            unparsed_limit,
            unparsed: Vec::new(),
            unparsed_counts: FxMap::default(),
            sink,
            input: 0,
            file: Arc::from(""),
            files: Vec::new(),
            clock: ClassicClock::new(None, None, 0),
        }
    }

    /// The events this run needs besides those every run needs: ignored lines are only
    /// evidence, message ids only text of records or evidence.
    pub fn wanted(&self) -> Wanted {
        Wanted {
            ignored: self.detail.is_some(),
            message_ids: self.detail.is_some() || self.sink.is_some(),
            connects: self.detail.is_some() || self.sink.is_some(),
        }
    }

    /// Start the next input (its lines follow the previous input's in time).
    pub fn begin_input(&mut self, index: usize, name: &str, clock: ClassicClock) {
        self.input = index;
        self.file = Arc::from(name);
        self.files.push(Arc::clone(&self.file));
        self.clock = clock;
    }

    /// Account counts of a chunk's lines (`ChunkCounts`).
    pub fn count_lines(&mut self, lines: u64, quiet: u64) {
        self.agg.totals.lines += lines;
        self.agg.totals.parsed += quiet;
    }

    fn account(&mut self, fp: u64, name: &[u8]) -> u32 {
        let a = self.agg.account(fp, name);
        if self.detail_acct.is_none() && self.detail.as_ref().is_some_and(|d| d.is_wanted(name)) {
            self.detail_acct = Some(a);
        }
        a
    }

    /// The MTA instance (`postfix-out` of `postfix-out/smtpd`) of a syslog tag.
    fn instance(&mut self, fp: u64, tag: &[u8]) -> u16 {
        let i = usize::from(self.progs.id(fp, tag));
        if let Some(Some(inst)) = self.prog_inst.get(i) {
            return *inst;
        }
        let inst_name = memchr::memchr(b'/', tag).map_or(tag, |n| &tag[..n]);
        let inst = self.insts.id(self.fps.of(inst_name), inst_name);
        if self.prog_inst.len() <= i {
            self.prog_inst.resize(i + 1, None);
        }
        self.prog_inst[i] = Some(inst);
        inst
    }

    fn line_ref(&self, line_no: u64) -> LineRef {
        LineRef {
            file: Arc::clone(&self.file),
            line: line_no,
        }
    }

    fn evidence(&self, text: &[u8], line_no: u64) -> DetailLine {
        DetailLine {
            location: self.line_ref(line_no),
            text: text.to_vec(),
        }
    }

    fn add_detail(&mut self, d: DetailLine) {
        let input = self.input;
        if let Some(c) = &mut self.detail {
            c.add(input, d);
        }
    }

    /// Buffer or keep an evidence line of a message/session whose account is `acct`.
    fn note(
        &mut self,
        acct: Option<u32>,
        pending: &mut Vec<DetailLine>,
        text: &[u8],
        line_no: u64,
    ) {
        if self.detail.is_none() {
            return;
        }
        match acct {
            Some(a) if Some(a) == self.detail_acct => {
                for d in std::mem::take(pending) {
                    self.add_detail(d);
                }
                let d = self.evidence(text, line_no);
                self.add_detail(d);
            }
            Some(_) => pending.clear(),
            None if pending.len() < PENDING_LINES => pending.push(self.evidence(text, line_no)),
            None => {}
        }
    }

    /// One event of the current input. `chunk` holds its line; `line_no` is 1-based.
    pub fn event(&mut self, ev: &Event, chunk: &[u8], line_no: u64) {
        let start = ev.start as usize;
        let line = chunk
            .get(start..start + ev.len as usize)
            .unwrap_or_default();
        let t = match ev.stamp {
            Some(s) => self.clock.resolve(s),
            None => self.now,
        };
        if ev.stamp.is_some() {
            let tot = &mut self.agg.totals;
            tot.first = Some(tot.first.map_or(t, |f| f.min(t)));
            tot.last = Some(tot.last.map_or(t, |l| l.max(t)));
            if t > self.now {
                self.now = t;
                if t >= self.next_sweep {
                    self.sweep();
                    self.next_sweep = t + SWEEP_EVERY;
                }
            }
        }
        if matches!(ev.kind, Kind::Unparsed) {
            self.unparsed_line(ev, line, line_no);
            return;
        }
        self.agg.totals.parsed += u64::from(!matches!(ev.kind, Kind::Ignored));
        // Hosts and tags are keyed by their fingerprints: names are only interned when a
        // record or a sample shows them.
        let host = ev.host_fp;
        let exim = ev.prog.is_empty() || is_exim_kind(&ev.kind);
        let skey = session_key(host, if exim { u64::MAX } else { ev.prog_fp }, ev.pid);
        let key = ev.qid().map(|qid| MsgKey { host, qid });
        match ev.kind {
            Kind::Unparsed => {}
            Kind::Ignored => {
                if let Some(mut s) = self.sessions.remove(&skey) {
                    let mut p = std::mem::take(&mut s.pending);
                    self.note(s.acct, &mut p, line, line_no);
                    s.pending = p;
                    s.last = t;
                    if let Some(tr) = &mut s.trace {
                        keep(&mut tr.lines, &self.file, line, line_no);
                    }
                    self.sessions.insert(skey, s);
                }
            }
            Kind::Connect => {
                // Only sent when evidence or records are kept (`wanted`): the session's lines
                // start here. Its account, if a missing disconnect left one, stays, as in a
                // run without evidence, which sees no connect lines.
                let trace = self.sink.is_some().then(|| {
                    Box::new(SessionTrace {
                        lines: vec![self.evidence(line, line_no)],
                        msgs: Vec::new(),
                    })
                });
                let s = self.sessions.entry(skey).or_insert_with(|| Session::new(t));
                s.last = t;
                s.trace = trace;
                let (acct, mut p) = (s.acct, std::mem::take(&mut s.pending));
                self.note(acct, &mut p, line, line_no);
                if let Some(s) = self.sessions.get_mut(&skey) {
                    s.pending = p;
                }
            }
            Kind::Disconnect => {
                if let Some(mut s) = self.sessions.remove(&skey) {
                    self.note(s.acct, &mut s.pending, line, line_no);
                    for k in s.trace.map(|tr| tr.msgs).unwrap_or_default() {
                        self.keep_line(k, line, line_no);
                    }
                }
            }
            Kind::Client {
                qid,
                ip,
                method,
                user,
            } => {
                let Some(k) = key else { return };
                let acct = (!user.is_empty()).then(|| self.account(ev.name_fp, user.get(line)));
                let mut m = self.born(k, ev, line, t, line_no);
                if let Some(text) = &mut m.text {
                    text.ip = Some(ip);
                    text.method = (!method.is_empty())
                        .then(|| String::from_utf8_lossy(method.get(line)).into_owned());
                    if let Some(tr) = self.sessions.get_mut(&skey).and_then(|s| s.trace.as_mut()) {
                        text.lines.extend(tr.lines.iter().cloned());
                        if tr.msgs.len() < RECORD_LINES {
                            tr.msgs.push(k);
                        }
                    }
                    keep(&mut text.lines, &self.file, line, line_no);
                }
                let mut sess_pending = Vec::new();
                if let Some(a) = acct {
                    m.acct = Some(a);
                    m.own = true;
                    // A session opens at its first authenticated message (connect lines only
                    // reach the join when evidence is kept).
                    let s = self.sessions.entry(skey).or_insert_with(|| Session::new(t));
                    s.last = t;
                    sess_pending = std::mem::take(&mut s.pending);
                    let new_login = s.acct.replace(a) != Some(a);
                    let host_name = sample_host(&self.agg, &mut self.hosts, a, ev, line);
                    self.agg
                        .on_message(a, t, Some(ip), host_name, qid.get(line), new_login);
                }
                self.note(m.acct, &mut sess_pending, line, line_no);
                let mut p = std::mem::take(&mut m.pending);
                self.note(m.acct, &mut p, line, line_no);
                m.pending = p;
                self.insert_msg(k, m);
            }
            Kind::Born { .. } => {
                let Some(k) = key else { return };
                let mut m = self.born(k, ev, line, t, line_no);
                self.note(m.acct, &mut m.pending, line, line_no);
                self.insert_msg(k, m);
                self.keep_line(k, line, line_no);
            }
            Kind::SaslFail { ip, user } | Kind::EximAuthFail { ip, user } => {
                if self.echo_of_dovecot(ip, t) {
                    if !user.is_empty()
                        && self
                            .detail
                            .as_ref()
                            .is_some_and(|d| d.is_wanted(user.get(line)))
                    {
                        let d = self.evidence(line, line_no);
                        self.add_detail(d);
                    }
                    return;
                }
                let acct = (!user.is_empty()).then(|| self.account(ev.name_fp, user.get(line)));
                self.agg.on_auth_failure(acct, ip, t);
                if acct.is_some() && acct == self.detail_acct {
                    let d = self.evidence(line, line_no);
                    self.add_detail(d);
                }
            }
            Kind::DovecotFail { user, ip } => {
                let e = self.dovecot_fails.entry(ip).or_insert((0, t));
                if t - e.1 > DOVECOT_PAIR {
                    e.0 = 0;
                }
                *e = (e.0.saturating_add(1), t);
                let a = self.account(ev.name_fp, user.get(line));
                self.agg.on_auth_failure(Some(a), ip, t);
                if Some(a) == self.detail_acct {
                    let d = self.evidence(line, line_no);
                    self.add_detail(d);
                }
            }
            Kind::MailboxLogin { user, ip } => {
                let a = self.account(ev.name_fp, user.get(line));
                self.agg.on_login(a, ip, t, LoginKind::Mailbox);
                if Some(a) == self.detail_acct {
                    let d = self.evidence(line, line_no);
                    self.add_detail(d);
                }
            }
            Kind::RcptReject { qid } => {
                let acct = if qid.is_empty() {
                    self.sessions.get(&skey).and_then(|s| s.acct)
                } else {
                    key.and_then(|k| self.messages.get(&k))
                        .and_then(|m| m.acct.filter(|_| m.own))
                };
                if let Some(a) = acct {
                    self.agg.on_rcpt_rejected(a);
                }
                self.with_msg(key, line, line_no, t, |_, _| {});
            }
            Kind::EximReject { user } => {
                let a = self.account(ev.name_fp, user.get(line));
                self.agg.on_rcpt_rejected(a);
            }
            Kind::MessageId { id, .. } => {
                self.with_msg(key, line, line_no, t, |_, m| {
                    if let Some(text) = &mut m.text {
                        text.message_id = Some(String::from_utf8_lossy(id.get(line)).into_owned());
                    }
                });
            }
            Kind::HeaderFrom { from, .. } => {
                let mut own = None;
                self.with_msg(key, line, line_no, t, |_, m| {
                    if let Some(text) = &mut m.text {
                        text.header_from =
                            Some(String::from_utf8_lossy(from.get(line)).into_owned());
                    }
                    own = m.acct.filter(|_| m.own);
                });
                if let Some(a) = own {
                    self.agg.on_header_from(a, from.get(line));
                }
            }
            Kind::QueueFrom {
                from, size, nrcpt, ..
            } => {
                let Some(k) = key else { return };
                if !self.messages.contains_key(&k) {
                    let m = self.born(k, ev, line, t, line_no);
                    self.insert_msg(k, m);
                }
                let mut first = None;
                self.with_msg(Some(k), line, line_no, t, |_, m| {
                    if m.nrcpt.is_none() {
                        m.nrcpt = Some(nrcpt);
                        if let Some(text) = &mut m.text {
                            text.size = Some(size);
                            text.sender =
                                Some(String::from_utf8_lossy(from.get(line)).into_owned());
                        }
                        first = m.acct.filter(|_| m.own).map(|a| (a, m.born));
                    }
                });
                if let Some((a, born)) = first {
                    self.agg.on_recipients(a, born, nrcpt);
                    // The worker fingerprinted the sender (`line::name_fp`).
                    self.agg.on_sender(a, from.get(line), ev.name_fp);
                }
            }
            Kind::Expired { .. } => {
                self.with_msg(key, line, line_no, t, |_, m| {
                    for r in &mut m.rcpts {
                        if r.status == Status::Deferred {
                            r.status = Status::Expired;
                            m.expired += 1;
                        }
                    }
                });
            }
            Kind::Removed { .. } => {
                let Some(k) = key else { return };
                self.keep_line(k, line, line_no);
                if let Some(mut m) = self.messages.remove(&k) {
                    m.last = t;
                    let mut p = std::mem::take(&mut m.pending);
                    self.note(m.acct, &mut p, line, line_no);
                    self.finish(k, m, true);
                }
            }
            Kind::Delivery {
                rcpt,
                status,
                dsn,
                next_qid,
                local,
                domain_seen,
                ..
            } => {
                let addr = rcpt.get(line);
                if local && status == Status::Sent && !domain_seen {
                    if let Some(at) = memchr::memrchr(b'@', addr) {
                        self.agg.learn_local_domain(&addr[at + 1..]);
                    }
                }
                let mut hop = None;
                self.with_msg(key, line, line_no, t, |k, m| {
                    record_status(m, ev.name_fp, addr, status, dsn.get(line));
                    if status == Status::Relayed {
                        let (at, len) = (next_qid.off as usize, next_qid.len as usize);
                        if let Some(q) = Qid::at(line, at, len) {
                            hop = Some((
                                MsgKey {
                                    host: k.host,
                                    qid: q,
                                },
                                m.acct,
                                k.qid,
                            ));
                        }
                    }
                });
                if let Some((child, acct, parent)) = hop {
                    self.link_hop(child, acct, parent, t);
                }
            }
            Kind::EximArrival {
                id,
                ip,
                user,
                nrcpt,
            } => {
                let Some(k) = key else { return };
                let acct = (!user.is_empty()).then(|| self.account(ev.name_fp, user.get(line)));
                let mut m = self.born(k, ev, line, t, line_no);
                m.exim = true;
                m.nrcpt = nrcpt;
                let (sender, size, msgid) = exim::arrival_fields(line, id);
                if let Some(text) = &mut m.text {
                    text.ip = ip;
                    text.size = Some(size);
                    text.sender = Some(String::from_utf8_lossy(sender).into_owned());
                    text.message_id =
                        (!msgid.is_empty()).then(|| String::from_utf8_lossy(msgid).into_owned());
                }
                if let Some(a) = acct {
                    m.acct = Some(a);
                    m.own = true;
                    let host_name = sample_host(&self.agg, &mut self.hosts, a, ev, line);
                    self.agg.on_message(a, t, ip, host_name, id.get(line), true);
                    if let Some(n) = nrcpt {
                        self.agg.on_recipients(a, t, n);
                    }
                    let folded = self.fps.folded(sender);
                    self.agg.on_sender(a, sender, folded);
                }
                let mut p = std::mem::take(&mut m.pending);
                self.note(m.acct, &mut p, line, line_no);
                m.pending = p;
                self.insert_msg(k, m);
                self.keep_line(k, line, line_no);
            }
        }
    }

    /// Keep a line as evidence of an open message (only when a sink wants records).
    fn keep_line(&mut self, k: MsgKey, line: &[u8], line_no: u64) {
        if self.sink.is_none() {
            return;
        }
        if let Some(text) = self.messages.get_mut(&k).and_then(|m| m.text.as_mut()) {
            keep(&mut text.lines, &self.file, line, line_no);
        }
    }

    fn unparsed_line(&mut self, ev: &Event, line: &[u8], line_no: u64) {
        self.agg.totals.unparsed += 1;
        // Exim's own format: a stamp, no host and no tag.
        let exim_own = ev.stamp.is_some() && ev.host.is_empty();
        let program = || {
            let tag = ev.prog.get(line);
            if !tag.is_empty() {
                String::from_utf8_lossy(tag).into_owned()
            } else if exim_own {
                "exim".to_string()
            } else {
                "?".to_string()
            }
        };
        if self.unparsed.len() < self.unparsed_limit {
            self.unparsed.push(UnparsedSample {
                program: program(),
                location: self.line_ref(line_no),
                text: line.to_vec(),
            });
        }
        // Counted by the tag's fingerprint (0 without a tag: Exim's own format, or no syslog
        // prefix at all), so that a program's name is decoded once, not per line.
        self.unparsed_counts
            .entry((ev.prog_fp, ev.prog_fp == 0 && exim_own))
            .or_insert_with(|| (program(), 0))
            .1 += 1;
    }

    /// A message born at `k` (ending an open message with the same id, which missed its
    /// `removed`), taking the account of a pending hop.
    fn born(&mut self, k: MsgKey, ev: &Event, line: &[u8], t: Timestamp, line_no: u64) -> Msg {
        if let Some(old) = self.messages.remove(&k) {
            self.finish(k, old, false);
        }
        // The instance and host names are only shown in records.
        let inst = if self.sink.is_none() {
            0
        } else {
            self.hosts.id(ev.host_fp, ev.host.get(line));
            if ev.prog.is_empty() || is_exim_kind(&ev.kind) {
                self.exim_inst
            } else {
                self.instance(ev.prog_fp, ev.prog.get(line))
            }
        };
        let mut m = Msg {
            born: t,
            last: t,
            acct: None,
            own: false,
            exim: false,
            nrcpt: None,
            sent: 0,
            bounced: 0,
            expired: 0,
            rcpts: self.rcpt_pool.pop().unwrap_or_default(),
            rcpt_index: None,
            hopped: false,
            text: self.sink.is_some().then(|| {
                Box::new(MsgText {
                    inst,
                    first_line: (self.input, line_no),
                    ..MsgText::default()
                })
            }),
            pending: Vec::new(),
        };
        // Hops are few (loopback relays in flight): most births skip hashing the key.
        if let Some(h) = (!self.hops.is_empty())
            .then(|| self.hops.remove(&k))
            .flatten()
        {
            m.acct = h.acct;
            m.hopped = true;
            if let Some(text) = &mut m.text {
                text.parent = Some(h.parent);
            }
        }
        m
    }

    fn insert_msg(&mut self, k: MsgKey, m: Msg) {
        self.messages.insert(k, m);
    }

    /// Apply `f` to an open message, and note the line as its evidence.
    fn with_msg(
        &mut self,
        k: Option<MsgKey>,
        line: &[u8],
        line_no: u64,
        t: Timestamp,
        f: impl FnOnce(MsgKey, &mut Msg),
    ) {
        let Some(k) = k else { return };
        let Some(m) = self.messages.get_mut(&k) else {
            return;
        };
        m.last = t;
        f(k, m);
        if let Some(text) = &mut m.text {
            keep(&mut text.lines, &self.file, line, line_no);
        }
        if self.detail.is_some() {
            if let Some(mut m) = self.messages.remove(&k) {
                let mut p = std::mem::take(&mut m.pending);
                self.note(m.acct, &mut p, line, line_no);
                m.pending = p;
                self.messages.insert(k, m);
            }
        }
    }

    /// A loopback relay answered `queued as CHILD`: the child inherits the account.
    fn link_hop(&mut self, child: MsgKey, acct: Option<u32>, parent: Qid, t: Timestamp) {
        match self.messages.get_mut(&child) {
            Some(c) if !c.hopped && !c.own => {
                c.acct = acct;
                c.hopped = true;
                if let Some(text) = &mut c.text {
                    text.parent = Some(parent);
                }
            }
            Some(_) => {}
            None => {
                if acct.is_some() || self.sink.is_some() {
                    self.hops.insert(
                        child,
                        Hop {
                            acct,
                            parent,
                            at: t,
                        },
                    );
                }
            }
        }
    }

    /// Is this MTA warning the echo of a Dovecot failure line just logged for the same IP?
    fn echo_of_dovecot(&mut self, ip: IpAddr, t: Timestamp) -> bool {
        match self.dovecot_fails.get_mut(&ip) {
            Some(e) if e.0 > 0 && t - e.1 <= DOVECOT_PAIR => {
                e.0 -= 1;
                true
            }
            _ => false,
        }
    }

    /// A message is finished (removed, evicted, replaced or still open at the end).
    fn finish(&mut self, k: MsgKey, mut m: Msg, complete: bool) {
        if m.exim && m.nrcpt.is_none() {
            let n = m.rcpts.len() as u32;
            m.nrcpt = Some(n);
            if let (Some(a), true) = (m.acct, m.own) {
                self.agg.on_recipients(a, m.born, n);
            }
        }
        if let Some(a) = m.acct {
            let deferred = m.rcpts.iter().filter(|r| r.deferrals > 0).count() as u64;
            self.agg
                .on_statuses(a, m.sent, m.bounced, deferred, m.expired);
        }
        self.agg.totals.messages += 1;
        self.agg.totals.recipients += u64::from(m.nrcpt.unwrap_or(0));
        if self.sink.is_none() {
            self.recycle(std::mem::take(&mut m.rcpts));
            return;
        }
        let rec = self.record(k, m, complete);
        if let Some(sink) = &mut self.sink {
            sink(&rec);
        }
    }

    /// Keep an emptied recipient list for a new message, unless the pool is full or the list
    /// is a spam run's (large lists are freed, so the pool stays a few hundred kilobytes).
    fn recycle(&mut self, mut rcpts: Vec<Rcpt>) {
        if self.rcpt_pool.len() < RCPT_POOL && rcpts.capacity() <= POOLED_RCPTS {
            rcpts.clear();
            self.rcpt_pool.push(rcpts);
        }
    }

    fn record(&self, k: MsgKey, m: Msg, complete: bool) -> MessageRecord {
        let text = m.text.unwrap_or_default();
        let recipients = m
            .rcpts
            .iter()
            .zip(text.rcpts)
            .map(|(r, (address, dsn))| Recipient {
                address,
                status: r.status,
                dsn,
                deferrals: r.deferrals,
            })
            .collect();
        MessageRecord {
            host: self.hosts.name_of(k.host),
            instance: self.insts.name(text.inst),
            queue_id: k.qid.to_string_lossy(),
            first_seen: m.born,
            last_seen: m.last,
            first_line: LineRef {
                file: self
                    .files
                    .get(text.first_line.0)
                    .cloned()
                    .unwrap_or_else(|| Arc::clone(&self.file)),
                line: text.first_line.1,
            },
            client_ip: text.ip,
            sasl_method: text.method,
            account: m.acct.map(|a| Arc::clone(self.agg.name(a))),
            relayed_from: text.parent.map(|q| q.to_string_lossy()),
            sender: text.sender,
            size: text.size,
            nrcpt: m.nrcpt,
            message_id: text.message_id,
            header_from: text.header_from,
            recipients,
            complete,
            lines: text.lines,
        }
    }

    /// Drop records idle past their limits (messages are still counted).
    fn sweep(&mut self) {
        let now = self.now;
        self.sessions.retain(|_, s| now - s.last <= SESSION_IDLE);
        self.hops.retain(|_, h| now - h.at <= HOP_IDLE);
        self.dovecot_fails.retain(|_, e| now - e.1 <= DOVECOT_PAIR);
        let stale: Vec<MsgKey> = self
            .messages
            .iter()
            .filter(|(_, m)| now - m.last > MESSAGE_IDLE)
            .map(|(k, _)| *k)
            .collect();
        for k in stale {
            if let Some(m) = self.messages.remove(&k) {
                self.finish(k, m, false);
            }
        }
    }

    /// Finish every open message and return the per-program unparsed counts.
    pub fn close(&mut self) {
        let open: Vec<MsgKey> = self.messages.keys().copied().collect();
        for k in open {
            if let Some(m) = self.messages.remove(&k) {
                self.finish(k, m, false);
            }
        }
        let by_program = &mut self.agg.totals.unparsed_by_program;
        for (_, (name, n)) in self.unparsed_counts.drain() {
            // A tag spelled like `exim` or `?` adds to those lines' count.
            *by_program.entry(name).or_insert(0) += n;
        }
    }

    pub fn take_detail(&mut self) -> Option<super::evidence::AccountDetail> {
        self.detail.take().map(DetailCollector::finish)
    }
}

/// The host name of an event's line, interned, when the account's next message is kept as a
/// sample (the aggregator reads it only then); else empty, without touching the name table.
/// Borrowed, not an `Arc`: two atomic operations per message for a name mostly unread.
fn sample_host<'a>(
    agg: &Aggregator,
    hosts: &'a mut Names,
    a: u32,
    ev: &Event,
    line: &[u8],
) -> &'a str {
    if !agg.wants_sample(a) {
        return "";
    }
    let id = hosts.id(ev.host_fp, ev.host.get(line));
    hosts.name_str(id)
}

/// Appends an evidence line to a record's lines, up to `RECORD_LINES`.
fn keep(lines: &mut Vec<DetailLine>, file: &Arc<str>, line: &[u8], line_no: u64) {
    if lines.len() < RECORD_LINES {
        lines.push(DetailLine {
            location: LineRef {
                file: Arc::clone(file),
                line: line_no,
            },
            text: line.to_vec(),
        });
    }
}

fn is_exim_kind(k: &Kind) -> bool {
    matches!(
        k,
        Kind::EximArrival { .. } | Kind::EximAuthFail { .. } | Kind::EximReject { .. }
    )
}

/// One delivery line's status for one recipient of `m`.
fn record_status(m: &mut Msg, h: u64, addr: &[u8], status: Status, dsn: &[u8]) {
    match status {
        Status::Sent => m.sent += 1,
        Status::Bounced => m.bounced += 1,
        Status::Expired => m.expired += 1,
        Status::Deferred | Status::Relayed => {}
    }
    if m.text.is_none() && !m.exim && status != Status::Deferred {
        // Without records, and outside Exim (whose recipient count is its distinct
        // recipients), only recipients that were deferred need an identity: the deferred
        // count and `status=expired` read them, and a final status of a recipient never
        // deferred changes neither. Most messages have none, and skip the look-up.
        if !m.rcpts.is_empty() {
            if let Some(i) = find_rcpt(m, h) {
                m.rcpts[i].status = status;
            }
        }
        return;
    }
    let i = match &mut m.rcpt_index {
        // One probe finds the recipient or makes its slot.
        Some(ix) => {
            let next = m.rcpts.len();
            let i = *ix.entry(h).or_insert(next as u32) as usize;
            if i == next {
                push_rcpt(m, h, status);
            }
            i
        }
        None => match find_rcpt(m, h) {
            Some(i) => i,
            None => {
                push_rcpt(m, h, status);
                if m.rcpts.len() >= INDEX_RCPTS {
                    m.rcpt_index = Some(Box::new(
                        m.rcpts
                            .iter()
                            .enumerate()
                            .map(|(i, r)| (r.hash, i as u32))
                            .collect(),
                    ));
                }
                m.rcpts.len() - 1
            }
        },
    };
    let r = &mut m.rcpts[i];
    r.status = status;
    if status == Status::Deferred {
        r.deferrals += 1;
    }
    if let Some(text) = &mut m.text {
        if let Some(slot) = text.rcpts.get_mut(i) {
            *slot = (
                String::from_utf8_lossy(addr).into_owned(),
                String::from_utf8_lossy(dsn).into_owned(),
            );
        }
    }
}

/// The position of the recipient hashed `h` in `m.rcpts`.
fn find_rcpt(m: &Msg, h: u64) -> Option<usize> {
    match &m.rcpt_index {
        Some(ix) => ix.get(&h).map(|&i| i as usize),
        None => m.rcpts.iter().rposition(|r| r.hash == h),
    }
}

/// A recipient first seen in a delivery line of `m`.
fn push_rcpt(m: &mut Msg, h: u64, status: Status) {
    m.rcpts.push(Rcpt {
        hash: h,
        status,
        deferrals: 0,
    });
    if let Some(text) = &mut m.text {
        text.rcpts.push((String::new(), String::new()));
    }
}
