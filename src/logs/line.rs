//! One log line → one compact event: the syslog prefix (`TIMESTAMP HOST PROGRAM[PID]: `, or
//! Exim's own `YYYY-MM-DD HH:MM:SS ` prefix) and a dispatch to the parser of the program.
//!
//! This runs on the worker threads. Events hold byte spans into the line instead of copies, so
//! parsing allocates nothing; the join thread reads the fields from the same chunk buffer.

use std::net::IpAddr;

use memchr::memchr;

use super::keys::{addr_hash, short_word, Fingerprints, Qid};
use super::time::{parse_classic, parse_exim, parse_rfc3339, Stamp};
use super::{dovecot, exim, postfix};

/// A field of a line: byte offset from the start of the line, and length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub off: u32,
    pub len: u32,
}

impl Span {
    /// The span of `sub`, which must be a subslice of `line`.
    pub fn of(line: &[u8], sub: &[u8]) -> Span {
        Span {
            off: (sub.as_ptr() as usize).saturating_sub(line.as_ptr() as usize) as u32,
            len: sub.len() as u32,
        }
    }

    pub fn get<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        let start = self.off as usize;
        line.get(start..start + self.len as usize)
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Final (or not) delivery status of one recipient, as the MTA logged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Sent,
    Bounced,
    Deferred,
    Expired,
    /// Handed to another instance of this host (a loopback relay answered `queued as`); the
    /// next instance's statuses are the final ones.
    Relayed,
}

/// What a line says, as far as the join and the counts need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// No parser understood the line (no syslog prefix, unknown program, a shape of a known
    /// program that no parser lists, malformed fields): counted per program and shown.
    Unparsed,
    /// A shape a parser positively recognises as of no use to the counts (TLS notes,
    /// postscreen, logouts...); only emitted when an account's evidence lines are wanted.
    Ignored,
    /// smtpd `connect from NAME[IP]`.
    Connect,
    /// smtpd `disconnect from ...`: the session ends.
    Disconnect,
    /// smtpd `QID: client=NAME[IP][, sasl_method=M, sasl_username=U]`: a message is born.
    Client {
        qid: Span,
        ip: IpAddr,
        method: Span,
        user: Span,
    },
    /// `QID: uid=N from=<S>` (pickup) or a bounce's `sender non-delivery notification: QID`:
    /// a message born without a client.
    Born { qid: Span },
    /// smtpd `SASL METHOD authentication failed` warning, with `sasl_username=` when logged.
    SaslFail { ip: IpAddr, user: Span },
    /// RCPT rejected in a transaction (`QID: reject: RCPT`) or before one (`NOQUEUE:`).
    RcptReject { qid: Span },
    /// cleanup `QID: message-id=<...>`.
    MessageId { qid: Span, id: Span },
    /// cleanup `QID: warning|info: header From: ...` (header_checks WARN/INFO).
    HeaderFrom { qid: Span, from: Span },
    /// qmgr `QID: from=<S>, size=N, nrcpt=N` (repeated on every retry).
    QueueFrom {
        qid: Span,
        from: Span,
        size: u64,
        nrcpt: u32,
    },
    /// qmgr `QID: from=<S>, status=expired, returned to sender`.
    Expired { qid: Span },
    /// qmgr `QID: removed` / Exim `Completed`: the queue id is finished.
    Removed { qid: Span },
    /// A delivery attempt for one recipient. `next_qid`: the queue id of a loopback hop.
    Delivery {
        qid: Span,
        rcpt: Span,
        status: Status,
        dsn: Span,
        next_qid: Span,
        local: bool,
        /// Set by `parse_chunk`: nothing for the join to learn from this recipient's domain
        /// (not a local delivery that was sent, no domain, or one an earlier local delivery of
        /// the same chunk had), so the join does not read the address. Parsers leave it false.
        domain_seen: bool,
    },
    /// Dovecot `imap-login: Login: user=<U>, ..., rip=IP` (also pop3).
    MailboxLogin { user: Span, ip: IpAddr },
    /// Dovecot `auth:` / `auth-worker(N):` failure naming `(user,ip)`.
    DovecotFail { user: Span, ip: IpAddr },
    /// Exim `<=` arrival (`A=authenticator:user` when authenticated); its sender, size and
    /// message id: `exim::arrival_fields`.
    EximArrival {
        id: Span,
        ip: Option<IpAddr>,
        user: Span,
        nrcpt: Option<u32>,
    },

    /// Exim `authenticator failed ... (set_id=user)`.
    EximAuthFail { ip: IpAddr, user: Span },
    /// Exim `rejected RCPT` in an authenticated session (`A=...:user`).
    EximReject { user: Span },
}

/// One parsed line.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// Line index within its chunk (the join adds the chunk's first line number).
    pub line: u32,
    /// Byte offset of the line within its chunk, and its length.
    pub start: u32,
    pub len: u32,
    pub stamp: Option<Stamp>,
    pub host: Span,
    /// The syslog tag (`postfix/submission/smtpd`); empty for Exim's own log format.
    pub prog: Span,
    pub pid: u32,
    pub kind: Kind,
    /// Fingerprints (see `keys::Fingerprints`) of the host and the tag, and of the kind's
    /// account name; for a delivery, `keys::addr_hash` of the recipient; for a qmgr `from=`
    /// line, `Fingerprints::folded` of the sender. 0 when absent.
    pub host_fp: u64,
    pub prog_fp: u64,
    pub name_fp: u64,
    /// The kind's queue id (message id for Exim), built here where the line is in cache;
    /// `Qid::NONE` when it has none (see `Event::qid`: no `Option`, to keep events small).
    pub qid: Qid,
}

impl Event {
    /// The queue id of the event's kind, if it has one.
    pub fn qid(&self) -> Option<Qid> {
        (self.qid != Qid::NONE).then_some(self.qid)
    }
}

/// Which parser a program's lines go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prog {
    /// A Postfix daemon: the tag's last `/` component.
    Postfix(postfix::Service),
    Dovecot,
    Exim,
    Other,
}

pub fn classify(tag: &[u8]) -> Prog {
    if let Some(slash) = memchr::memrchr(b'/', tag) {
        return match postfix::Service::of(&tag[slash + 1..]) {
            Some(s) => Prog::Postfix(s),
            None => Prog::Other,
        };
    }
    match tag {
        b"dovecot" => Prog::Dovecot,
        b"exim" | b"exim4" => Prog::Exim,
        _ => Prog::Other,
    }
}

/// The syslog prefix of a line.
#[derive(Debug, Clone, Copy)]
pub struct Prefix {
    pub stamp: Stamp,
    pub host: Span,
    pub prog: Span,
    pub pid: u32,
    /// Offset of the message text.
    pub msg: usize,
    /// Exim's own log format (no host, no tag).
    pub native_exim: bool,
}

/// Split `TIMESTAMP HOST TAG[PID]: MESSAGE` (classic or RFC 3339 stamps) or Exim's
/// `YYYY-MM-DD HH:MM:SS [+ZZZZ] MESSAGE`. `cache` remembers the last classic stamp's bytes, as
/// consecutive lines mostly share the second.
pub fn split(line: &[u8], cache: &mut ([u8; 15], u32)) -> Option<Prefix> {
    let first = *line.first()?;
    let (stamp, mut i) = if first.is_ascii_uppercase() {
        let head: &[u8; 15] = line.get(..15)?.try_into().ok()?;
        // Two overlapping word compares instead of a memcmp call.
        let word = |b: &[u8; 15], at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[at..at + 8]);
            u64::from_ne_bytes(w)
        };
        let same = word(head, 0) == word(&cache.0, 0) && word(head, 7) == word(&cache.0, 7);
        let p = if same {
            cache.1
        } else {
            let p = parse_classic(head)?;
            *cache = (*head, p);
            p
        };
        (Stamp::Classic(p), 15)
    } else if first.is_ascii_digit() {
        match parse_rfc3339(line) {
            Some(x) => x,
            None => {
                let (stamp, n) = parse_exim(line)?;
                let msg = n + 1;
                if line.get(n) != Some(&b' ') {
                    return None;
                }
                return Some(Prefix {
                    stamp,
                    host: Span::default(),
                    prog: Span::default(),
                    pid: 0,
                    msg,
                    native_exim: true,
                });
            }
        }
    } else {
        return None;
    };
    if line.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let rest = &line[i..];
    let sp = find_byte(rest, b' ')?;
    let host = Span::of(line, &rest[..sp]);
    i += sp + 1;
    let tail = &line[i..];
    let end = find_byte3(tail, b'[', b':', b' ')?;
    if end == 0 {
        return None;
    }
    let prog = Span::of(line, &tail[..end]);
    let mut pid = 0u32;
    let mut j = end;
    if tail[j] == b'[' {
        j += 1;
        // One pass: digits accumulate until the first other byte, which must be `]`.
        let start = j;
        while let Some(&c) = tail.get(j).filter(|c| c.is_ascii_digit()) {
            pid = pid.wrapping_mul(10).wrapping_add(u32::from(c - b'0'));
            j += 1;
        }
        let digits = j - start;
        if digits == 0 || digits > 9 || tail.get(j) != Some(&b']') {
            return None;
        }
        j += 1;
    }
    if tail.get(j) != Some(&b':') || tail.get(j + 1) != Some(&b' ') {
        return None;
    }
    Some(Prefix {
        stamp,
        host,
        prog,
        pid,
        msg: i + j + 2,
        native_exim: false,
    })
}

/// An event before its line is parsed: unparsed, every field empty.
const BLANK: Event = Event {
    line: 0,
    start: 0,
    len: 0,
    stamp: None,
    host: Span { off: 0, len: 0 },
    prog: Span { off: 0, len: 0 },
    pid: 0,
    kind: Kind::Unparsed,
    host_fp: 0,
    prog_fp: 0,
    name_fp: 0,
    qid: Qid::NONE,
};

/// Hand the message after the prefix `p` to the parser of `prog`.
fn parse_message(line: &[u8], p: &Prefix, prog: Prog) -> Kind {
    let msg = &line[p.msg..];
    match prog {
        Prog::Postfix(s) => postfix::parse(line, msg, s),
        Prog::Dovecot => dovecot::parse(line, msg),
        Prog::Exim => exim::parse(line, exim::strip_own_prefix(msg)),
        Prog::Other => Kind::Unparsed,
    }
}

/// Parse one line (without its newline) into an event.
pub fn parse_line(line: &[u8], cache: &mut ([u8; 15], u32)) -> Event {
    let mut ev = Event {
        len: line.len() as u32,
        ..BLANK
    };
    if let Some(p) = split(line, cache) {
        let prog = if p.native_exim {
            Prog::Exim
        } else {
            classify(p.prog.get(line))
        };
        ev.stamp = Some(p.stamp);
        ev.host = p.host;
        ev.prog = p.prog;
        ev.pid = p.pid;
        ev.kind = parse_message(line, &p, prog);
    }
    ev
}

/// Per-chunk counts the worker keeps besides the events.
#[derive(Debug, Default, Clone, Copy)]
pub struct ChunkCounts {
    pub lines: u64,
    /// Lines understood that the join does not count itself: `Ignored` lines, and lines not
    /// handed to it (see `Wanted`).
    pub quiet: u64,
}

/// Which events the join wants besides those every run needs.
#[derive(Debug, Default, Clone, Copy)]
pub struct Wanted {
    /// `Ignored` lines (an account's evidence lines).
    pub ignored: bool,
    /// `MessageId` lines (text of message records, evidence lines).
    pub message_ids: bool,
    /// smtpd `connect from` lines (evidence lines, a session's lines in records): the
    /// counts open a session at its first authenticated message.
    pub connects: bool,
}

/// A recent `HOST TAG` pair (one span of the chunk: the host, a space, the syslog tag), the
/// fingerprints of both names and the tag's parser: lines of a chunk share a handful of these,
/// so each is hashed and classified about once per chunk, and a line costs one look-up.
#[derive(Debug, Clone, Copy)]
struct Recent {
    start: usize,
    len: usize,
    host_fp: u64,
    prog_fp: u64,
    prog: Prog,
}

/// A direct-mapped cache of recent `HOST TAG` pairs, indexed by a hash of their length and
/// first and last bytes (no scan over the slots, no call to a hasher on a hit).
#[derive(Debug)]
struct RecentNames {
    slots: [Recent; NAME_SLOTS],
}

/// Slots of `RecentNames`. A log has a few dozen `HOST TAG` pairs (25 make up all but a few
/// hundred of the first 1.3 M lines of the bench file). In 32 slots several of them shared a
/// slot and kept evicting each other: one line in 25 hashed both names again.
const NAME_SLOTS: usize = 256;

impl Default for RecentNames {
    fn default() -> Self {
        RecentNames {
            slots: [Recent {
                start: 0,
                len: 0,
                host_fp: 0,
                prog_fp: 0,
                prog: Prog::Other,
            }; NAME_SLOTS],
        }
    }
}

impl RecentNames {
    /// Fingerprints of the host and the tag, and the tag's parser, for the pair at
    /// `chunk[start..start + len]` whose host is its first `host_len` bytes.
    fn get(
        &mut self,
        chunk: &[u8],
        start: usize,
        host_len: usize,
        len: usize,
        fps: &Fingerprints,
    ) -> (u64, u64, Prog) {
        let pair = &chunk[start..start + len];
        let slot =
            &mut self.slots[(short_hash(pair) >> (64 - NAME_SLOTS.trailing_zeros())) as usize];
        // Equal bytes are an equal host too: a host name has no space.
        let hit = slot.len == len
            && slot.prog_fp != 0
            && same(&chunk[slot.start..slot.start + len], pair);
        if !hit {
            let (host, tag) = (&pair[..host_len], &pair[(host_len + 1).min(len)..]);
            *slot = Recent {
                start,
                len,
                host_fp: if host.is_empty() {
                    0
                } else {
                    fps.of(host).max(1)
                },
                prog_fp: fps.of(tag).max(1),
                prog: classify(tag),
            };
        }
        (slot.host_fp, slot.prog_fp, slot.prog)
    }
}

/// A hash of a short field's length and first and last eight bytes, for the direct-mapped
/// caches of a chunk (`RecentNames`, `RecentDomains`): no call to a hasher; fields that share
/// a slot are told apart by comparing their bytes.
fn short_hash(b: &[u8]) -> u64 {
    let len = b.len();
    let (first, last) = if len >= 8 {
        (word(b, 0), word(b, len - 8))
    } else {
        (short_word(b), 0)
    };
    (first ^ last.rotate_left(23) ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Domains of earlier local deliveries of a chunk (spans in the chunk), direct-mapped by a
/// hash of their length and first and last bytes: a site's mail goes to its hosted domains
/// (25 in genlog's default scenario, more than a short list of recent ones held), so most
/// local deliveries repeat one of these.
#[derive(Debug)]
struct RecentDomains {
    spans: [(usize, usize); 64],
}

impl Default for RecentDomains {
    fn default() -> Self {
        RecentDomains {
            spans: [(0, 0); 64],
        }
    }
}

impl RecentDomains {
    /// Whether the domain at `chunk[start..start + len]` is one seen earlier in the chunk; if
    /// not, it takes its slot.
    fn seen(&mut self, chunk: &[u8], start: usize, len: usize) -> bool {
        let d = &chunk[start..start + len];
        let slot = &mut self.spans[(short_hash(d) >> 58) as usize];
        let (s, l) = *slot;
        if l == len && l > 0 && same(&chunk[s..s + l], d) {
            return true;
        }
        *slot = (start, len);
        false
    }
}

/// Mark a sent local delivery whose domain an earlier local delivery of this chunk had (see
/// `Kind::Delivery::domain_seen`). The join learns the hosted domains from the others, in
/// the same order, and learning is idempotent, so it learns the same set.
fn mark_domain(kind: &mut Kind, chunk: &[u8], line_start: usize, domains: &mut RecentDomains) {
    if let Kind::Delivery {
        rcpt,
        status: Status::Sent,
        local: true,
        domain_seen,
        ..
    } = kind
    {
        let start = line_start + rcpt.off as usize;
        let addr = &chunk[start..start + rcpt.len as usize];
        *domain_seen = match memchr::memrchr(b'@', addr) {
            Some(at) => domains.seen(chunk, start + at + 1, addr.len() - at - 1),
            None => true,
        };
    }
}

/// The little-endian word at `b[at..at + 8]`.
pub(super) fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Every byte's lowest and highest bit, for the SWAR scans here and in the parsers.
pub(super) const LO: u64 = 0x0101_0101_0101_0101;
pub(super) const HI: u64 = 0x8080_8080_8080_8080;

/// Bytes equal to `c` in the word `w`: the high bit of each matching byte set (bits above the
/// first match may be spurious, so only the lowest set bit is meaningful).
#[inline]
fn matches_in(w: u64, c: u8) -> u64 {
    let x = w ^ (LO * u64::from(c));
    x.wrapping_sub(LO) & !x & HI
}

/// How far `find_byte` scans a word at a time before handing over to `memchr`.
const SHORT_SCAN: usize = 64;

/// The first `c` in `b`. Fields of log lines are short: eight bytes at a time (SWAR) for the
/// first few words beats the set-up of a vector `memchr` call; long tails still go to memchr.
#[inline(always)]
pub fn find_byte(b: &[u8], c: u8) -> Option<usize> {
    let n = b.len();
    let mut i = 0;
    while i + 8 <= n {
        if i >= SHORT_SCAN {
            return memchr(c, &b[i..]).map(|p| i + p);
        }
        let z = matches_in(word(b, i), c);
        if z != 0 {
            return Some(i + (z.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..].iter().position(|&x| x == c).map(|p| i + p)
}

/// The first of the bytes `a`, `b2` or `c` in `b` (SWAR, for short fields).
#[inline]
pub fn find_byte3(b: &[u8], a: u8, b2: u8, c: u8) -> Option<usize> {
    let n = b.len();
    let mut i = 0;
    while i + 8 <= n {
        let w = word(b, i);
        let z = matches_in(w, a) | matches_in(w, b2) | matches_in(w, c);
        if z != 0 {
            return Some(i + (z.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&x| x == a || x == b2 || x == c)
        .map(|p| i + p)
}

/// Byte equality of two short fields, a word at a time: names and keys in log lines are a few
/// bytes to a few dozen, where a call to `memcmp` costs more than the compare.
#[inline]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut i = 0;
    while i + 8 <= n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// The queue id field of a kind, if it has one.
fn kind_qid(kind: &Kind) -> Option<Span> {
    match kind {
        Kind::Client { qid, .. }
        | Kind::Born { qid }
        | Kind::RcptReject { qid }
        | Kind::MessageId { qid, .. }
        | Kind::HeaderFrom { qid, .. }
        | Kind::QueueFrom { qid, .. }
        | Kind::Expired { qid }
        | Kind::Removed { qid }
        | Kind::Delivery { qid, .. } => Some(*qid).filter(|q| !q.is_empty()),
        Kind::EximArrival { id, .. } => Some(*id),
        _ => None,
    }
}

/// The name field of a kind, whose fingerprint the join uses.
fn name_fp(line: &[u8], kind: &Kind, fps: &Fingerprints) -> u64 {
    let user = match kind {
        Kind::Client { user, .. }
        | Kind::SaslFail { user, .. }
        | Kind::DovecotFail { user, .. }
        | Kind::MailboxLogin { user, .. }
        | Kind::EximArrival { user, .. }
        | Kind::EximAuthFail { user, .. }
        | Kind::EximReject { user } => *user,
        Kind::Delivery { rcpt, .. } => return addr_hash(rcpt.get(line)),
        Kind::QueueFrom { from, .. } => return fps.folded(from.get(line)),
        _ => return 0,
    };
    if user.is_empty() {
        0
    } else {
        fps.of(user.get(line)).max(1)
    }
}

/// Parse every line of `chunk` into `out`. `skip_first`: the chunk starts in the middle of an
/// over-long line whose beginning the previous chunk already counted. Ignored lines and
/// message ids are dropped unless `want`ed.
pub fn parse_chunk(
    chunk: &[u8],
    skip_first: bool,
    want: Wanted,
    fps: &Fingerprints,
    out: &mut Vec<Event>,
) -> ChunkCounts {
    let mut counts = ChunkCounts::default();
    let mut cache = ([0u8; 15], 0u32);
    let mut names = RecentNames::default();
    let mut domains = RecentDomains::default();
    let mut pos = 0usize;
    if skip_first {
        pos = match memchr(b'\n', chunk) {
            Some(n) => n + 1,
            None => chunk.len(),
        };
    }
    let mut idx = 0u32;
    let base = pos;
    let mut newlines = memchr::memchr_iter(b'\n', &chunk[base..]);
    while pos < chunk.len() {
        let end = newlines.next().map_or(chunk.len(), |n| base + n);
        let mut line = &chunk[pos..end];
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        let (line_idx, start) = (idx, pos);
        idx += 1;
        pos = end + 1;
        counts.lines += 1;
        let Some(p) = split(line, &mut cache) else {
            out.push(Event {
                line: line_idx,
                start: start as u32,
                len: line.len() as u32,
                ..BLANK
            });
            continue;
        };
        let (host_fp, prog_fp, prog) = if p.native_exim {
            (0, 0, Prog::Exim)
        } else {
            // `HOST TAG`: the host, one space and the tag are one span of the line.
            let len = (p.prog.off + p.prog.len - p.host.off) as usize;
            names.get(
                chunk,
                start + p.host.off as usize,
                p.host.len as usize,
                len,
                fps,
            )
        };
        let mut kind = parse_message(line, &p, prog);
        let send = match kind {
            Kind::Ignored => want.ignored,
            Kind::MessageId { .. } => want.message_ids,
            Kind::Connect => want.connects,
            _ => true,
        };
        counts.quiet += u64::from(matches!(kind, Kind::Ignored) || !send);
        if !send {
            continue;
        }
        let qid = kind_qid(&kind)
            .and_then(|q| Qid::at(chunk, start + q.off as usize, q.len as usize))
            .unwrap_or(Qid::NONE);
        mark_domain(&mut kind, chunk, start, &mut domains);
        // Every field at once, written in place: a blank event pushed first and then filled
        // in cost a copy of the whole event per line.
        out.push(Event {
            line: line_idx,
            start: start as u32,
            len: line.len() as u32,
            stamp: Some(p.stamp),
            host: p.host,
            prog: p.prog,
            pid: p.pid,
            name_fp: name_fp(line, &kind, fps),
            kind,
            host_fp,
            prog_fp,
            qid,
        });
    }
    counts
}

/// The last `needle` in `hay`, like `find` from the other end: the fields searched so (`queued
/// as ID)` at the end of a reply, `from` before a header's client) sit near the end, where a
/// `memrchr` for the first byte and a compare beat building a `memmem` searcher per call.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(hay.len());
    };
    let mut end = hay.len();
    while let Some(at) = memchr::memrchr(first, &hay[..end]) {
        if hay
            .get(at + 1..at + 1 + rest.len())
            .is_some_and(|t| same(t, rest))
        {
            return Some(at);
        }
        end = at;
    }
    None
}

/// Dotted-quad IPv4 without the UTF-8 check and generic parser of `str::parse` (most
/// addresses in logs are IPv4). Leading zeros are refused, as `std` does.
fn ipv4(b: &[u8]) -> Option<std::net::Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (n, o) in octets.iter_mut().enumerate() {
        if n > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        // One pass over the octet's digits (at most three).
        let start = i;
        let mut v = 0u32;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start == 3 {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
            i += 1;
        }
        let d = i - start;
        if d == 0 || (d > 1 && b[start] == b'0') {
            return None;
        }
        *o = u8::try_from(v).ok()?;
    }
    (i == b.len()).then(|| std::net::Ipv4Addr::from(octets))
}

/// Parse an IP address from bytes (IPv6 may carry an `IPv6:` prefix as Postfix logs it).
pub fn ip(b: &[u8]) -> Option<IpAddr> {
    if let Some(v4) = ipv4(b) {
        return Some(IpAddr::V4(v4));
    }
    let b = b.strip_prefix(b"IPv6:").unwrap_or(b);
    if b.is_empty() || b.len() > 45 {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Find `needle` in `hay`, returning the index. Log fields are short: a memchr for the first
/// byte and a compare beats building a `memmem` searcher per call.
#[inline(always)]
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let mut i = 0;
    while let Some(p) = find_byte(&hay[i..], first) {
        let at = i + p;
        if hay
            .get(at + 1..at + 1 + rest.len())
            .is_some_and(|t| same(t, rest))
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Bytes up to (not including) the first `stop`, or all of them.
#[inline(always)]
pub fn until(b: &[u8], stop: u8) -> &[u8] {
    match find_byte(b, stop) {
        Some(n) => &b[..n],
        None => b,
    }
}

/// A decimal number at the start of `b`.
pub fn number(b: &[u8]) -> Option<u64> {
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 18 {
        return None;
    }
    Some(
        b[..n]
            .iter()
            .fold(0u64, |a, c| a * 10 + u64::from(c - b'0')),
    )
}

/// `NAME[IP]` or `NAME[IP]:PORT` at the start of `b` (Postfix's client notation): the IP.
pub fn bracket_ip(b: &[u8]) -> Option<IpAddr> {
    ip(bracketed(b)?)
}

/// The bytes between the first `[` of `b` and the next `]` (the address of `NAME[IP]`,
/// unparsed).
pub fn bracketed(b: &[u8]) -> Option<&[u8]> {
    let open = find_byte(b, b'[')? + 1;
    let close = find_byte(&b[open..], b']')? + open;
    Some(&b[open..close])
}

/// Helpers for the parsers' unit tests: one line in, its event and bytes out.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{parse_line, Event, Span};

    /// Parses one line as a worker would.
    pub fn ev(s: &str) -> (Event, Vec<u8>) {
        let b = s.as_bytes().to_vec();
        (parse_line(&b, &mut ([0; 15], 0)), b)
    }

    /// The text of a span of a parsed line.
    pub fn text(b: &[u8], s: Span) -> &str {
        std::str::from_utf8(s.get(b)).expect("utf8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(s: &str) -> Option<Prefix> {
        split(s.as_bytes(), &mut ([0; 15], 0))
    }

    #[test]
    fn classic_prefix() {
        let s = "Nov 22 04:03:14 mail postfix/submission/smtpd[19808]: connect from x[1.2.3.4]";
        let p = prefix(s).expect("prefix");
        assert_eq!(p.host.get(s.as_bytes()), b"mail");
        assert_eq!(p.prog.get(s.as_bytes()), b"postfix/submission/smtpd");
        assert_eq!(p.pid, 19808);
        assert_eq!(&s[p.msg..], "connect from x[1.2.3.4]");
        assert!(!p.native_exim);
    }

    #[test]
    fn rfc3339_prefix_without_pid() {
        let s = "2026-11-22T04:03:14.123456+09:00 mail dovecot: imap-login: Login: user=<a>";
        let p = prefix(s).expect("prefix");
        assert_eq!(p.prog.get(s.as_bytes()), b"dovecot");
        assert_eq!(p.pid, 0);
        assert_eq!(&s[p.msg..], "imap-login: Login: user=<a>");
    }

    #[test]
    fn exim_native_prefix() {
        let s = "2026-11-22 04:03:14 1tABCD-000123-4X Completed";
        let p = prefix(s).expect("prefix");
        assert!(p.native_exim);
        assert_eq!(&s[p.msg..], "1tABCD-000123-4X Completed");
    }

    #[test]
    fn broken_prefixes() {
        assert!(prefix("").is_none());
        assert!(prefix("postfix/smtpd[1]: connect from x[1.2.3.4]").is_none());
        assert!(prefix("Nov 22 04:03:14 mail message repeated 3 times: [ x]").is_none());
        assert!(prefix("Nov 22 04:03:14 mail prog[12x]: y").is_none());
        assert!(prefix("Nov 22 04:03:14 mail").is_none());
        assert!(prefix("Nov 22 04:03:14 mail kernel: [1.2] \u{fffd}").is_some());
    }

    #[test]
    fn ip_addresses() {
        assert_eq!(ip(b"192.0.2.1"), Some("192.0.2.1".parse().expect("ip")));
        assert_eq!(ip(b"0.0.0.0"), Some("0.0.0.0".parse().expect("ip")));
        assert_eq!(
            ip(b"IPv6:2001:db8::1"),
            Some("2001:db8::1".parse().expect("ip"))
        );
        assert_eq!(
            ip(b"::ffff:192.0.2.1"),
            Some("::ffff:192.0.2.1".parse().expect("ip"))
        );
        for bad in [
            &b"256.1.1.1"[..],
            b"1.2.3",
            b"1.2.3.4.",
            b"01.2.3.4",
            b"1..2.3",
            b"",
            b"185.2",
            b"1234.1.1.1",
            b"1.2.3.0044",
            b"1.2.3.4a",
        ] {
            assert_eq!(ip(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn find_substrings() {
        assert_eq!(find(b"a, relay=x, relay=y", b", relay="), Some(1));
        assert_eq!(find(b"abc", b"c"), Some(2));
        assert_eq!(find(b"abc", b"cd"), None);
        assert_eq!(find(b"", b"x"), None);
        assert_eq!(find(b"abc", b""), Some(0));
    }

    #[test]
    fn rfind_agrees_with_memmem() {
        let hays: [&[u8]; 6] = [
            b"250 2.0.0 Ok: queued as 55cNr20vTHzMd",
            b"queued as A queued as qqB",
            b"queued as",
            b"qqqqueued asqueued as ",
            b"",
            b"x from y from z",
        ];
        for h in hays {
            for n in [&b"queued as "[..], b" from ", b"q", b"", b"zz"] {
                assert_eq!(rfind(h, n), memchr::memmem::rfind(h, n), "{h:?} {n:?}");
            }
        }
    }

    #[test]
    fn byte_scans_agree_with_naive_search() {
        let hay: Vec<u8> = (0..200u32)
            .map(|i| b"ab[c: d]x,\x80\xff"[(i % 12) as usize])
            .collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 71, 72, 199, 200] {
            let h = &hay[..len];
            for c in [b'a', b'[', b':', b']', b',', 0x80, 0xff, b'q'] {
                assert_eq!(find_byte(h, c), h.iter().position(|&x| x == c), "{len} {c}");
            }
            assert_eq!(
                find_byte3(h, b':', b']', b','),
                h.iter().position(|&x| x == b':' || x == b']' || x == b','),
                "{len}"
            );
            let tail = &hay[200 - len..];
            assert!(same(h, h));
            assert_eq!(same(h, tail), h == tail, "{len}");
        }
        assert!(!same(
            b"postfix/submission/smtpd",
            b"postfix/submission/smtpX"
        ));
        assert!(!same(
            b"Xostfix/submission/smtpd",
            b"postfix/submission/smtpd"
        ));
        assert!(!same(b"abc", b"abcd"));
    }

    /// The per-chunk `HOST TAG` cache gives every line the fingerprints of its own host and
    /// tag, however the pairs interleave (same host with other tags, same tag on other hosts,
    /// names that share their first and last bytes).
    #[test]
    fn host_and_tag_fingerprints_per_line() {
        let pairs = [
            ("mail", "postfix/smtpd"),
            ("mail", "postfix/submission/smtpd"),
            // Same length, first and last eight bytes as the pair before it: same slot.
            ("mail", "postfix/submisxion/smtpd"),
            ("mx2", "postfix/smtpd"),
            ("mail", "postfix-out/smtpd"),
            ("mail2", "postfix/smtpd"),
            ("mail", "postfix/smtpd"),
        ];
        let mut chunk = String::new();
        for round in 0..3 {
            for (h, t) in pairs {
                chunk += &format!("Nov 16 00:02:3{round} {h} {t}[7]: connect from x[192.0.2.1]\n");
            }
        }
        let fps = Fingerprints::default();
        let mut out = Vec::new();
        let want = Wanted {
            ignored: true,
            message_ids: true,
            connects: true,
        };
        parse_chunk(chunk.as_bytes(), false, want, &fps, &mut out);
        assert_eq!(out.len(), pairs.len() * 3);
        for (ev, (h, t)) in out.iter().zip(pairs.iter().cycle()) {
            assert_eq!(ev.host_fp, fps.of(h.as_bytes()).max(1), "{h} {t}");
            assert_eq!(ev.prog_fp, fps.of(t.as_bytes()).max(1), "{h} {t}");
            assert!(matches!(ev.kind, Kind::Connect), "{h} {t}");
        }
    }

    /// Every event is written by a worker and read by the join: size is throughput.
    #[test]
    fn events_stay_small() {
        assert!(std::mem::size_of::<Kind>() <= 48);
        assert!(std::mem::size_of::<Event>() <= 152);
    }

    #[test]
    fn repeated_local_domains_in_a_chunk_are_marked_seen() {
        let line = |to: &str, relay: &str| {
            format!("Nov 16 00:02:38 mail postfix/lmtp[1]: 9B99E87D78E: to=<{to}>, relay={relay}, delay=0.2, delays=0.1/0/0/0.05, dsn=2.0.0, status=sent (250 2.0.0 Saved)\n")
        };
        let text = [
            line("a@one.example", "m[private/dovecot-lmtp]"),
            line("b@two.example", "m[private/dovecot-lmtp]"),
            line("c@one.example", "m[private/dovecot-lmtp]"),
            line("d@One.example", "m[private/dovecot-lmtp]"),
            line("nodomain", "m[private/dovecot-lmtp]"),
        ]
        .concat();
        let mut out = Vec::new();
        parse_chunk(
            text.as_bytes(),
            false,
            Wanted::default(),
            &Fingerprints::default(),
            &mut out,
        );
        let seen: Vec<bool> = out
            .iter()
            .map(|e| match e.kind {
                Kind::Delivery { domain_seen, .. } => domain_seen,
                _ => panic!("{:?}", e.kind),
            })
            .collect();
        // Byte-equal domains only: the join lower-cases `One.example` itself.
        assert_eq!(seen, [false, false, true, false, true]);
    }

    #[test]
    fn chunk_lines_and_crlf() {
        let text = b"Nov 22 04:03:14 mail CRON[1]: x\r\nNov 22 04:03:15 mail postfix/anvil[2]: statistics: max\nlast";
        let mut out = Vec::new();
        let c = parse_chunk(
            text,
            false,
            Wanted::default(),
            &Fingerprints::default(),
            &mut out,
        );
        assert_eq!(c.lines, 3);
        assert_eq!(c.quiet, 1);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].len, 31);
        assert_eq!(out[1].line, 2);
        assert_eq!(out[1].kind, Kind::Unparsed);
        let mut out = Vec::new();
        let c = parse_chunk(
            b"tail of a long line\nnext\n",
            true,
            Wanted::default(),
            &Fingerprints::default(),
            &mut out,
        );
        assert_eq!(c.lines, 1);
    }
}
