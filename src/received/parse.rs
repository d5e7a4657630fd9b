//! Parses one raw `Received:` header value into a typed [`Hop`], tolerant of the forms real MTAs write.
//
// Approach: a single linear tokenizer (words, `[literals]`, `<angle addresses>`, parenthesised
// comments with nesting and quoted pairs, `;`), then the RFC 5321 §4.4 clauses (`from`, `by`,
// `via`, `with`, `id`, `for`) are read by keyword outside comments, the date is whatever follows
// the last top-level `;`, and the comments are scanned for what MTAs put there (reverse DNS,
// IP, HELO, SMTP AUTH identity, TLS, envelope sender). Nothing recurses, so deeply nested
// comments cost no stack, and every byte is looked at a bounded number of times.

use std::net::IpAddr;

use mail_parser::DateTime;

/// One Received header, as the receiving host wrote it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hop {
    /// The `from` clause: HELO name, the reverse-DNS name and IP the receiver recorded.
    pub from: FromPart,
    /// `by` host name (or address literal text, as written).
    pub by: Option<String>,
    /// `via` clause (e.g. Exchange "Frontend Transport").
    pub via: Option<String>,
    /// Protocol word(s) as written, normalised to upper case for the standard ones (ESMTPSA, LMTP, SMTPS, HTTP, "Microsoft SMTP Server", "mapi", "local"...).
    pub with: Option<String>,
    /// Queue id (`id` clause). Never interpreted as an address.
    /// Courier writes it after the date (`; date id X`); that form is read too.
    pub id: Option<String>,
    /// `for` clause, the envelope recipient, without angle brackets.
    pub for_: Option<String>,
    /// TLS details found anywhere in the header (protocol and cipher), e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384".
    /// Protocol and cipher are given as the MTA wrote them ("TLS1_2", "TLSv1.3", "TLS1.3").
    pub tls: Option<String>,
    /// True when the protocol (ESMTPA, ESMTPSA, LMTPA, UTF8SMTPA...) or a comment says SMTP AUTH was used.
    pub smtp_auth: bool,
    /// The authenticated identity when the header carries it: Postfix "(Authenticated sender: x)", Exim "(authenticated as x)"/"authenticated id x", Courier "(AUTH: LOGIN x, ...)", qmail "(user@ip)" is NOT an auth identity unless marked, Sendmail "(authenticated bits=0)" sets smtp_auth but no identity, Exchange "(Authenticated sender: ...)".
    pub authenticated: Option<String>,
    /// `(envelope-from <x>)` when present (Exim, Dovecot), without angle brackets;
    /// the null reverse path `<>` gives an empty string.
    pub envelope_from: Option<String>,
    /// The date after the final `;`.
    pub time: Option<DateTime>,
    /// Notes on what could not be read, e.g. "no date after ';'", "date not parseable: ...", "from clause has no host".
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct FromPart {
    /// The name the client gave in HELO/EHLO (from the `from` word itself, or a `(HELO x)` / `(helo=x)` comment when the `from` word is "unknown" or an address).
    /// An address literal given as HELO keeps its brackets, e.g. "[192.168.1.20]".
    pub helo: Option<String>,
    /// The reverse-DNS name the receiver recorded (the name inside the parenthesised comment, e.g. `(client.example.com [192.0.2.10])`). None when absent or "unknown".
    /// A trailing dot is removed. For Exim and qmail, whose `from` word is the looked-up name
    /// when the HELO name is given separately (`helo=x`, `(HELO x)`), that word is the rDNS name.
    pub rdns: Option<String>,
    /// The connecting IP as recorded (bracketed, bare in parentheses, `[IPv6:...]`, `::ffff:` mapped → map to IPv4). Never taken from an `id`, a build number or a `by` clause.
    pub ip: Option<IpAddr>,
}

/// What one Received header turned out to be.
// `Hop` is much larger than the other variants; the interface keeps it unboxed on purpose.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A hop with at least a `from` or `by` clause.
    Hop(Hop),
    /// A header that holds only a comment and maybe a date, e.g. `(qmail 123 invoked by uid 1001); date` — a local hand-off, not a hop with a host. Keep the comment text and the date.
    CommentOnly {
        comment: String,
        time: Option<DateTime>,
    },
    /// Nothing recognisable: neither a from nor a by clause. `reason` says why in a few words.
    Unparseable { reason: String },
}

/// Longest piece of input quoted back in a note.
const NOTE_QUOTE_MAX: usize = 60;

/// Parses one unfolded Received header value (everything after `Received:`). Folding whitespace (CRLF/LF + WSP) may still be present and must be treated as a space.
pub fn parse(value: &str) -> Parsed {
    let toks = tokenize(value);
    if toks.is_empty() {
        return Parsed::Unparseable {
            reason: "empty value".to_string(),
        };
    }
    let last_semi = toks.iter().rposition(|t| t.kind == Kind::Semi);
    let (clause_toks, date_toks) = match last_semi {
        Some(i) => (&toks[..i], &toks[i + 1..]),
        None => (&toks[..], &toks[toks.len()..]),
    };

    let has_from_or_by = clause_toks
        .iter()
        .any(|t| matches!(keyword(t), Some(Clause::From) | Some(Clause::By)));

    if !has_from_or_by {
        let only_comments = clause_toks.iter().any(|t| t.kind == Kind::Comment)
            && clause_toks
                .iter()
                .all(|t| matches!(t.kind, Kind::Comment | Kind::Semi));
        if only_comments {
            let comment = clause_toks
                .iter()
                .filter(|t| t.kind == Kind::Comment)
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let (time, _, _) = read_date(value, last_semi.map(|i| toks[i].end), date_toks);
            return Parsed::CommentOnly { comment, time };
        }
        let reason = if clause_toks.iter().all(|t| t.kind == Kind::Semi) {
            "nothing before the date"
        } else {
            "no from or by clause"
        };
        return Parsed::Unparseable {
            reason: reason.to_string(),
        };
    }

    let mut hop = Hop::default();
    let mut scan = CommentScan::default();
    read_clauses(clause_toks, &mut hop, &mut scan);

    let (time, notes, trailing_id) = read_date(value, last_semi.map(|i| toks[i].end), date_toks);
    hop.time = time;
    if hop.id.is_none() {
        hop.id = trailing_id;
    }

    // What the comments said.
    if scan.auth {
        hop.smtp_auth = true;
    }
    if hop.authenticated.is_none() {
        hop.authenticated = scan.auth_id;
    }
    if hop.authenticated.is_some() {
        hop.smtp_auth = true;
    }
    if hop.envelope_from.is_none() {
        hop.envelope_from = scan.envelope_from;
    }
    hop.tls = match (scan.tls_proto, scan.tls_cipher) {
        (Some(p), Some(c)) => Some(format!("{p} {c}")),
        (Some(p), None) => Some(p),
        (None, Some(c)) => Some(c),
        (None, None) => None,
    };
    if scan.forged {
        hop.notes
            .push("may be forged: the receiver could not confirm the client's name".to_string());
    }
    hop.notes.extend(notes);
    hop.notes.extend(scan.notes);
    Parsed::Hop(hop)
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run of characters other than white space and `;()[]<>`.
    Word,
    /// The inside of `[...]`.
    Literal,
    /// The inside of `<...>`.
    Angle,
    /// The inside of a top-level `(...)`, nested comments kept as text, white space collapsed.
    Comment,
    /// A `;` outside comments.
    Semi,
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    text: String,
    /// Byte offset of the token's first byte in the tokenized text.
    start: usize,
    /// Byte offset just past the token.
    end: usize,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0b' | b'\x0c')
}

fn is_special(b: u8) -> bool {
    matches!(b, b';' | b'(' | b')' | b'[' | b']' | b'<' | b'>')
}

/// Bytes to String: the input is valid UTF-8 and only ASCII bytes are ever dropped or
/// replaced, so this never loses anything; the lossy path is only a safety net.
fn bytes_to_string(v: Vec<u8>) -> String {
    match String::from_utf8(v) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// One pass over the input; every byte is visited once.
fn tokenize(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = b[i];
        if is_ws(c) {
            i += 1;
            continue;
        }
        let start = i;
        match c {
            b';' => {
                i += 1;
                out.push(Tok {
                    kind: Kind::Semi,
                    text: String::new(),
                    start,
                    end: i,
                });
            }
            b'(' => {
                i += 1;
                let mut depth: usize = 1;
                let mut buf: Vec<u8> = Vec::new();
                while i < n {
                    let c = b[i];
                    if c == b'\\' && i + 1 < n && b[i + 1].is_ascii() {
                        // Quoted pair: the next (ASCII) byte is taken literally.
                        let q = b[i + 1];
                        buf.push(if is_ws(q) { b' ' } else { q });
                        i += 2;
                        continue;
                    }
                    i += 1;
                    match c {
                        b'(' => {
                            depth += 1;
                            buf.push(c);
                        }
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            buf.push(c);
                        }
                        _ if is_ws(c) => {
                            if buf.last().is_some_and(|&l| l != b' ') {
                                buf.push(b' ');
                            }
                        }
                        _ => buf.push(c),
                    }
                }
                while buf.last() == Some(&b' ') {
                    buf.pop();
                }
                out.push(Tok {
                    kind: Kind::Comment,
                    text: bytes_to_string(buf),
                    start,
                    end: i,
                });
            }
            b'[' | b'<' => {
                let close = if c == b'[' { b']' } else { b'>' };
                i += 1;
                let inner_start = i;
                // Unterminated literals stop at white space or a delimiter, so a stray
                // bracket cannot swallow the rest of the header (and its date).
                while i < n && b[i] != close && !is_ws(b[i]) && !matches!(b[i], b';' | b'(' | b')')
                {
                    i += 1;
                }
                let inner = &s[inner_start..i];
                if i < n && b[i] == close {
                    i += 1;
                }
                out.push(Tok {
                    kind: if c == b'[' {
                        Kind::Literal
                    } else {
                        Kind::Angle
                    },
                    text: inner.to_string(),
                    start,
                    end: i,
                });
            }
            b')' | b']' | b'>' => {
                // Stray closing bracket: ignored.
                i += 1;
            }
            _ => {
                while i < n && !is_ws(b[i]) && !is_special(b[i]) {
                    i += 1;
                }
                out.push(Tok {
                    kind: Kind::Word,
                    text: s[start..i].to_string(),
                    start,
                    end: i,
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Clauses

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clause {
    Lead,
    From,
    By,
    Via,
    With,
    Id,
    For,
}

impl Clause {
    fn name(self) -> &'static str {
        match self {
            Clause::Lead => "",
            Clause::From => "from",
            Clause::By => "by",
            Clause::Via => "via",
            Clause::With => "with",
            Clause::Id => "id",
            Clause::For => "for",
        }
    }
}

fn keyword(t: &Tok) -> Option<Clause> {
    if t.kind != Kind::Word || t.text.len() > 4 {
        return None;
    }
    let w = t.text.as_str();
    if w.eq_ignore_ascii_case("from") {
        Some(Clause::From)
    } else if w.eq_ignore_ascii_case("by") {
        Some(Clause::By)
    } else if w.eq_ignore_ascii_case("via") {
        Some(Clause::Via)
    } else if w.eq_ignore_ascii_case("with") {
        Some(Clause::With)
    } else if w.eq_ignore_ascii_case("id") {
        Some(Clause::Id)
    } else if w.eq_ignore_ascii_case("for") {
        Some(Clause::For)
    } else {
        None
    }
}

/// The `from` word itself.
enum FromHost {
    Missing,
    Unknown,
    Name(String),
    /// An address; the text as written (brackets kept for a literal).
    Addr(IpAddr, String),
}

/// The protocols written in upper case; the `A` forms (RFC 3848, RFC 6531) mean SMTP AUTH.
const STANDARD_PROTOCOLS: &[&str] = &[
    "SMTP",
    "ESMTP",
    "ESMTPA",
    "ESMTPS",
    "ESMTPSA",
    "LMTP",
    "LMTPA",
    "LMTPS",
    "LMTPSA",
    "UTF8SMTP",
    "UTF8SMTPA",
    "UTF8SMTPS",
    "UTF8SMTPSA",
    "UTF8LMTP",
    "UTF8LMTPA",
    "UTF8LMTPS",
    "UTF8LMTPSA",
    "SMTPS",
    "HTTP",
    "HTTPS",
    "IMAP",
    "POP3",
    "ASMTP",
];

fn protocol_is_auth(p: &str) -> bool {
    let u = p.to_ascii_uppercase();
    matches!(
        u.as_str(),
        "ESMTPA"
            | "ESMTPSA"
            | "LMTPA"
            | "LMTPSA"
            | "UTF8SMTPA"
            | "UTF8SMTPSA"
            | "UTF8LMTPA"
            | "UTF8LMTPSA"
            | "ASMTP"
    )
}

fn read_clauses(toks: &[Tok], hop: &mut Hop, scan: &mut CommentScan) {
    let mut cur = Clause::Lead;
    let mut seen: Vec<Clause> = Vec::new();
    let mut repeated: Vec<Clause> = Vec::new();
    let mut first_value = false; // the current clause has its value already
    let mut from_seen = false;
    let mut from_host = FromHost::Missing;
    let mut from_comments: Vec<&str> = Vec::new();
    let mut from_extra_literal: Option<IpAddr> = None;
    let mut with_words: Vec<&str> = Vec::new();
    let mut with_closed = false;
    let mut via_words: Vec<&str> = Vec::new();
    let mut lead_junk = false;
    let mut prev_word_tls = false;

    for t in toks {
        if let Some(k) = keyword(t) {
            // A keyword right after `id`/`for`/`by`/`from` is a value only if the clause has
            // none yet and the word could not start a clause; treat it as a keyword always.
            if seen.contains(&k) {
                if !repeated.contains(&k) {
                    repeated.push(k);
                    scan.notes.push(format!(
                        "repeated '{}' clause; the first one is used",
                        k.name()
                    ));
                }
                // Read nothing from the repeated clause.
                cur = Clause::Lead;
                first_value = true;
                lead_junk = true; // suppress the "text before" note for its words
            } else {
                seen.push(k);
                cur = k;
                first_value = false;
                if k == Clause::From {
                    from_seen = true;
                }
            }
            prev_word_tls = false;
            continue;
        }
        if t.kind == Kind::Comment {
            scan.comment(&t.text);
            match cur {
                Clause::From => from_comments.push(&t.text),
                Clause::With => with_closed = with_closed || !with_words.is_empty(),
                _ => {}
            }
            prev_word_tls = false;
            continue;
        }
        if t.kind == Kind::Semi {
            continue;
        }
        match cur {
            Clause::Lead => {
                if !first_value && !lead_junk {
                    lead_junk = true;
                    scan.notes
                        .push(format!("text before the first clause: {}", quote(&t.text)));
                }
            }
            Clause::From => {
                if !first_value {
                    first_value = true;
                    from_host = from_host_of(t);
                } else if t.kind == Kind::Literal && from_extra_literal.is_none() {
                    // `from helo [192.0.2.1]` without parentheses.
                    from_extra_literal = parse_ip(&t.text);
                }
            }
            Clause::By => {
                if !first_value {
                    first_value = true;
                    hop.by = Some(match t.kind {
                        Kind::Literal => format!("[{}]", t.text),
                        _ => t.text.clone(),
                    });
                }
            }
            Clause::Via => {
                if t.kind == Kind::Word || via_words.is_empty() {
                    via_words.push(&t.text);
                }
            }
            Clause::With => {
                if t.kind == Kind::Word && !with_closed {
                    with_words.push(&t.text);
                } else if t.kind == Kind::Word {
                    // Exim: `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`.
                    if prev_word_tls {
                        scan.set_cipher(&t.text);
                    }
                    prev_word_tls = t.text.eq_ignore_ascii_case("tls");
                    continue;
                } else {
                    with_closed = with_closed || !with_words.is_empty();
                }
            }
            Clause::Id => {
                if !first_value {
                    first_value = true;
                    hop.id = Some(t.text.clone());
                }
            }
            Clause::For => {
                if !first_value {
                    first_value = true;
                    let v = t.text.trim_end_matches(',');
                    let v = v.trim_start_matches('<').trim_end_matches('>');
                    hop.for_ = Some(v.to_string());
                }
            }
        }
        prev_word_tls = false;
    }

    if !with_words.is_empty() {
        let joined = with_words.join(" ");
        if with_words.len() == 1 && protocol_is_auth(&joined) {
            hop.smtp_auth = true;
        }
        let upper = joined.to_ascii_uppercase();
        hop.with = Some(if STANDARD_PROTOCOLS.contains(&upper.as_str()) {
            upper
        } else {
            joined
        });
    }
    if !via_words.is_empty() {
        hop.via = Some(via_words.join(" "));
    }

    if from_seen {
        hop.from = read_from(
            from_host,
            &from_comments,
            from_extra_literal,
            &mut hop.notes,
        );
    }
}

fn from_host_of(t: &Tok) -> FromHost {
    match t.kind {
        Kind::Literal => match parse_ip(&t.text) {
            Some(ip) => FromHost::Addr(ip, format!("[{}]", t.text)),
            None => FromHost::Name(format!("[{}]", t.text)),
        },
        Kind::Word if t.text.eq_ignore_ascii_case("unknown") => FromHost::Unknown,
        _ => match parse_ip(&t.text) {
            Some(ip) => FromHost::Addr(ip, t.text.clone()),
            None => FromHost::Name(t.text.clone()),
        },
    }
}

/// Combines the `from` word with what its comments say.
fn read_from(
    host: FromHost,
    comments: &[&str],
    extra_literal: Option<IpAddr>,
    notes: &mut Vec<String>,
) -> FromPart {
    let mut c_ip: Option<IpAddr> = extra_literal;
    let mut c_rdns: Option<Option<String>> = None; // Some(None): recorded as "unknown"
    let mut c_helo: Option<String> = None;

    for text in comments {
        let inner = tokenize(text);
        // `(rdns [ip] ...)`: Postfix, Sendmail, Gmail, Courier.
        if let [a, l, ..] = inner.as_slice() {
            if a.kind == Kind::Word && l.kind == Kind::Literal && c_rdns.is_none() {
                if let Some(ip) = parse_ip(&l.text) {
                    if c_ip.is_none() {
                        c_ip = Some(ip);
                    }
                    c_rdns = Some(clean_name(&a.text));
                }
            }
        }
        let mut k = 0;
        while k < inner.len() {
            let t = &inner[k];
            match t.kind {
                Kind::Literal if c_ip.is_none() => c_ip = parse_ip(&t.text),
                Kind::Word => {
                    let w = t.text.as_str();
                    if w.eq_ignore_ascii_case("helo") || w.eq_ignore_ascii_case("ehlo") {
                        // qmail: `(HELO laptop)`
                        if let Some(next) = inner.get(k + 1) {
                            if matches!(next.kind, Kind::Word | Kind::Literal) {
                                if c_helo.is_none() {
                                    c_helo = Some(token_as_written(next));
                                }
                                k += 1;
                            }
                        }
                    } else if let Some(rest) = strip_prefix_ci(w, "helo=") {
                        // Exim: `(helo=laptop)`, `([192.0.2.1] helo=laptop)`; `helo=[1.2.3.4]`
                        // splits into `helo=` and a literal.
                        if c_helo.is_none() {
                            if !rest.is_empty() {
                                c_helo = Some(rest.to_string());
                            } else if let Some(next) = inner.get(k + 1) {
                                if next.kind == Kind::Literal && next.start == t.end {
                                    c_helo = Some(token_as_written(next));
                                    k += 1;
                                }
                            }
                        }
                    } else if c_ip.is_none() {
                        c_ip = parse_ip_word(w);
                    }
                }
                _ => {}
            }
            k += 1;
        }
    }

    let host_is_missing = matches!(host, FromHost::Missing);
    let mut part = FromPart {
        ip: c_ip,
        helo: c_helo.clone(),
        rdns: c_rdns.clone().flatten(),
    };
    match host {
        FromHost::Missing => {}
        FromHost::Unknown => {}
        FromHost::Name(n) => {
            if c_helo.is_some() {
                // Exim `from host ([ip] helo=x)`, qmail `from host (HELO x) (ip)`: the word
                // is the name the receiver looked up.
                if part.rdns.is_none() && c_rdns.is_none() {
                    part.rdns = clean_name(&n);
                }
            } else {
                part.helo = Some(n);
            }
        }
        FromHost::Addr(ip, written) => {
            if c_ip.is_some() {
                // Gmail `from [192.168.1.20] ([198.51.100.4])`: the literal is what the
                // client said in EHLO; the comment has the address it connected from.
                if part.helo.is_none() {
                    part.helo = Some(written);
                }
            } else {
                // Exim `from [198.51.100.7] (helo=laptop)`: the receiver's own record.
                part.ip = Some(ip);
            }
        }
    }
    if host_is_missing {
        notes.push("from clause has no host".to_string());
    }
    part
}

fn token_as_written(t: &Tok) -> String {
    match t.kind {
        Kind::Literal => format!("[{}]", t.text),
        Kind::Angle => format!("<{}>", t.text),
        _ => t.text.clone(),
    }
}

/// A recorded host name: trailing dot removed, "unknown" (and empty) is no name.
fn clean_name(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('.');
    if s.is_empty() || s.eq_ignore_ascii_case("unknown") {
        None
    } else {
        Some(s.to_string())
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// An address as MTAs write it: `192.0.2.1`, `IPv6:2001:db8::1`, `::ffff:192.0.2.1`
/// (mapped to IPv4), `fe80::1%5` (zone dropped).
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let s = strip_prefix_ci(s, "ipv6:").unwrap_or(s);
    let s = match s.split_once('%') {
        Some((a, _)) => a,
        None => s,
    };
    let ip: IpAddr = s.parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    })
}

/// An address in a comment word: bare, after an ident (`user@198.51.100.20`), or IPv4 with a
/// port (`192.0.2.1:25`).
fn parse_ip_word(w: &str) -> Option<IpAddr> {
    let w = w.trim_end_matches(',');
    if let Some(ip) = parse_ip(w) {
        return Some(ip);
    }
    if let Some((_, after)) = w.rsplit_once('@') {
        return parse_ip(after);
    }
    if let Some((a, port)) = w.rsplit_once(':') {
        if !a.contains(':') && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
            if let Some(ip @ IpAddr::V4(_)) = parse_ip(a) {
                return Some(ip);
            }
        }
    }
    None
}

fn quote(s: &str) -> String {
    let mut out: String = s.chars().take(NOTE_QUOTE_MAX).collect();
    if s.chars().nth(NOTE_QUOTE_MAX).is_some() {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Comments: auth, TLS, envelope sender

#[derive(Default)]
struct CommentScan {
    auth: bool,
    auth_id: Option<String>,
    envelope_from: Option<String>,
    tls_proto: Option<String>,
    tls_cipher: Option<String>,
    forged: bool,
    notes: Vec<String>,
}

/// An address-ish value: angle brackets, trailing `,` `;` `)` removed.
fn clean_value(s: &str) -> String {
    let s = s.trim_end_matches([',', ';', ')']);
    let s = s.strip_prefix('<').unwrap_or(s);
    let s = s.strip_suffix('>').unwrap_or(s);
    s.to_string()
}

/// `TLS1.3`, `TLSv1.2`, `SSLv3`, `TLS1_2`: a TLS protocol version word.
fn looks_like_tls_version(w: &str) -> bool {
    let rest = strip_prefix_ci(w, "tls").or_else(|| strip_prefix_ci(w, "ssl"));
    match rest {
        Some(r) => {
            let r = r
                .strip_prefix('v')
                .or_else(|| r.strip_prefix('V'))
                .unwrap_or(r);
            r.bytes().next().is_some_and(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

impl CommentScan {
    fn set_proto(&mut self, p: &str) {
        let p = p.trim_end_matches([',', ';']);
        if self.tls_proto.is_none() && !p.is_empty() {
            self.tls_proto = Some(p.to_string());
        }
    }

    fn set_cipher(&mut self, c: &str) {
        let c = c.trim_end_matches([',', ';']);
        if self.tls_cipher.is_none() && !c.is_empty() {
            self.tls_cipher = Some(c.to_string());
        }
    }

    fn set_id(&mut self, id: Option<&&str>) {
        self.auth = true;
        if let Some(id) = id {
            let v = clean_value(id);
            if self.auth_id.is_none() && !v.is_empty() {
                self.auth_id = Some(v);
            }
        }
    }

    /// Looks at one top-level comment (nested comments included as text).
    fn comment(&mut self, text: &str) {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
            .collect();

        // Exim: `(TLS1.3)`, older `(TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256)`.
        if let [only] = words.as_slice() {
            if looks_like_tls_version(only) {
                let mut parts = only.split(':');
                if let Some(p) = parts.next() {
                    self.set_proto(p);
                }
                if let Some(c) = parts.next() {
                    self.set_cipher(c);
                }
            }
        }

        let mut i = 0;
        while i < words.len() {
            let w = words[i];
            let lw = w.to_ascii_lowercase();
            let next = words.get(i + 1);
            match lw.as_str() {
                "authenticated" => {
                    let n = next.map(|s| s.to_ascii_lowercase()).unwrap_or_default();
                    match n.as_str() {
                        // Postfix/Exchange `Authenticated sender: x`, `authenticated user: x`,
                        // Exim `authenticated as x` / `authenticated id x`.
                        "sender:" | "user:" | "as" | "id" | "user" | "sender" => {
                            self.set_id(words.get(i + 2));
                            i += 2;
                        }
                        // Sendmail `(authenticated bits=0)`, bare `(authenticated)`.
                        _ => self.auth = true,
                    }
                }
                // Courier `(AUTH: LOGIN alice@example.com, TLS: ...)`.
                "auth:" => {
                    if let Some(mech) = next {
                        if mech.ends_with(',') {
                            self.auth = true;
                        } else {
                            self.set_id(words.get(i + 2));
                            i += 2;
                        }
                    } else {
                        self.auth = true;
                    }
                }
                "envelope-from" | "envelope-sender" => {
                    if let Some(v) = next {
                        if self.envelope_from.is_none() {
                            self.envelope_from = Some(clean_value(v));
                        }
                        i += 1;
                    }
                }
                // Postfix `using TLSv1.3 with cipher X`.
                "using" => {
                    if let Some(v) = next {
                        if looks_like_tls_version(v) {
                            self.set_proto(v);
                            i += 1;
                        }
                    }
                }
                "cipher" => {
                    if let Some(v) = next {
                        self.set_cipher(v);
                        i += 1;
                    }
                }
                // Courier `TLS: TLSv1.3,256bits,TLS_AES_256_GCM_SHA384`.
                "tls:" => {
                    if let Some(v) = next {
                        let parts: Vec<&str> = v.split(',').filter(|p| !p.is_empty()).collect();
                        if let Some(p) = parts.first() {
                            self.set_proto(p);
                        }
                        if let Some(c) = parts
                            .iter()
                            .skip(1)
                            .find(|p| !p.to_ascii_lowercase().ends_with("bits"))
                        {
                            self.set_cipher(c);
                        }
                        i += 1;
                    }
                }
                "may" => {
                    if next.is_some_and(|n| n.eq_ignore_ascii_case("be"))
                        && words
                            .get(i + 2)
                            .is_some_and(|n| n.trim_end_matches(')').eq_ignore_ascii_case("forged"))
                    {
                        self.forged = true;
                        i += 2;
                    }
                }
                _ => {
                    // Sendmail/Gmail `version=TLSv1.3 cipher=X`, Exchange `version=TLS1_2, cipher=X`.
                    if let Some(v) = strip_prefix_ci(w, "version=") {
                        if looks_like_tls_version(v.trim_end_matches(',')) {
                            self.set_proto(v);
                        }
                    } else if let Some(v) = strip_prefix_ci(w, "cipher=") {
                        self.set_cipher(v);
                    } else if let Some(v) = strip_prefix_ci(w, "envelope-from=") {
                        if self.envelope_from.is_none() {
                            self.envelope_from = Some(clean_value(v));
                        }
                    }
                }
            }
            i += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Date

/// Reads the date after the last top-level `;` (from byte `date_start`). Courier writes its
/// queue id after the date (`; date id X`), which is returned separately.
fn read_date(
    value: &str,
    date_start: Option<usize>,
    date_toks: &[Tok],
) -> (Option<DateTime>, Vec<String>, Option<String>) {
    let mut notes = Vec::new();
    let Some(start) = date_start else {
        notes.push("no date (no ';' in the header)".to_string());
        return (None, notes, None);
    };
    let mut end = value.len();
    let mut trailing_id = None;
    for (k, t) in date_toks.iter().enumerate() {
        if t.kind == Kind::Word && t.text.eq_ignore_ascii_case("id") {
            if let Some(next) = date_toks.get(k + 1) {
                if next.kind == Kind::Word {
                    trailing_id = Some(next.text.clone());
                    end = t.start;
                    break;
                }
            }
        }
    }
    let text = value.get(start..end).unwrap_or("").trim();
    if text.is_empty() {
        notes.push("no date after ';'".to_string());
        return (None, notes, trailing_id);
    }
    // mail-parser stops at a bare LF that is not folding; make all white space plain spaces.
    let norm: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    match DateTime::parse_rfc822(&norm) {
        Some(dt) if dt.is_valid() => (Some(dt), notes, trailing_id),
        _ => {
            notes.push(format!("date not parseable: {}", quote(&norm)));
            (None, notes, trailing_id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};
    use std::time::{Duration, Instant};

    fn hop(v: &str) -> Hop {
        match parse(v) {
            Parsed::Hop(h) => h,
            other => panic!("expected a hop for {v:?}, got {other:?}"),
        }
    }

    fn time(h: &Hop) -> String {
        h.time.as_ref().map(|t| t.to_rfc3339()).unwrap_or_default()
    }

    fn v4(a: u8, b: u8, c: u8, d: u8) -> Option<IpAddr> {
        Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
    }

    fn v6(s: &str) -> Option<IpAddr> {
        Some(IpAddr::V6(s.parse::<Ipv6Addr>().expect("test address")))
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    const POSTFIX_TLS: &str = "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n\t(No client certificate requested)";

    // ---- postfix.eml ---------------------------------------------------------------------

    #[test]
    fn postfix_relay_with_tls() {
        let v = format!(" from smtp.example.com (smtp.example.com [203.0.113.25])\n\t{POSTFIX_TLS}\n\tby mx.example.org (Postfix) with ESMTPS id 4XyZ1k2LmNz3abc\n\tfor <bob@example.org>; Sat, 21 Nov 2026 10:00:03 +0000 (UTC)");
        let h = hop(&v);
        assert_eq!(h.from.helo, s("smtp.example.com"));
        assert_eq!(h.from.rdns, s("smtp.example.com"));
        assert_eq!(h.from.ip, v4(203, 0, 113, 25));
        assert_eq!(h.by, s("mx.example.org"));
        assert_eq!(h.via, None);
        assert_eq!(h.with, s("ESMTPS"));
        assert_eq!(h.id, s("4XyZ1k2LmNz3abc"));
        assert_eq!(h.for_, s("bob@example.org"));
        assert_eq!(h.tls, s("TLSv1.3 TLS_AES_256_GCM_SHA384"));
        assert!(!h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(h.envelope_from, None);
        assert_eq!(time(&h), "2026-11-21T10:00:03Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn postfix_submission_esmtpsa() {
        let v = format!(" from laptop.example.com (unknown [198.51.100.20])\n\t{POSTFIX_TLS}\n\t(Authenticated sender: user@example.com)\n\tby smtp.example.com (Postfix) with ESMTPSA id 4XyZ1j0QrSz9def\n\tfor <bob@example.org>; Sat, 21 Nov 2026 10:00:02 +0000 (UTC)");
        let h = hop(&v);
        assert_eq!(h.from.helo, s("laptop.example.com"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(198, 51, 100, 20));
        assert_eq!(h.by, s("smtp.example.com"));
        assert_eq!(h.with, s("ESMTPSA"));
        assert_eq!(h.id, s("4XyZ1j0QrSz9def"));
        assert_eq!(h.for_, s("bob@example.org"));
        assert_eq!(h.tls, s("TLSv1.3 TLS_AES_256_GCM_SHA384"));
        assert!(h.smtp_auth);
        assert_eq!(h.authenticated, s("user@example.com"));
        assert_eq!(h.envelope_from, None);
        assert_eq!(time(&h), "2026-11-21T10:00:02Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn postfix_local_pickup_has_no_from() {
        let h = hop(" by laptop.example.com (Postfix, from userid 1000)\n\tid 2F1A3C0042; Sat, 21 Nov 2026 11:00:00 +0100 (CET)");
        assert_eq!(h.from, FromPart::default());
        assert_eq!(h.by, s("laptop.example.com"));
        assert_eq!(h.with, None);
        assert_eq!(h.id, s("2F1A3C0042"));
        assert_eq!(h.for_, None);
        assert_eq!(h.tls, None);
        assert!(!h.smtp_auth);
        assert_eq!(time(&h), "2026-11-21T11:00:00+01:00");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn postfix_ipv6_literal_unknown_rdns() {
        let h = hop("from [IPv6:2001:db8::1] (unknown [IPv6:2001:db8::1]) by mx.example.org (Postfix) with ESMTP id 1; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v6("2001:db8::1"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.helo, s("[IPv6:2001:db8::1]"));
    }

    // ---- exim.eml ------------------------------------------------------------------------

    #[test]
    fn exim_esmtpsa_address_with_helo() {
        let h = hop(" from [198.51.100.7] (helo=laptop)\n\tby mail.example.net with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <x@example.net>)\n\tid 1tAbCd-000123-4x\n\tfor y@example.org; Sat, 21 Nov 2026 11:00:00 +0100");
        assert_eq!(h.from.helo, s("laptop"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(198, 51, 100, 7));
        assert_eq!(h.by, s("mail.example.net"));
        assert_eq!(h.via, None);
        assert_eq!(h.with, s("ESMTPSA"));
        assert_eq!(h.id, s("1tAbCd-000123-4x"));
        assert_eq!(h.for_, s("y@example.org"));
        assert_eq!(h.tls, s("TLS1.3 TLS_AES_256_GCM_SHA384"));
        assert!(h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(h.envelope_from, s("x@example.net"));
        assert_eq!(time(&h), "2026-11-21T11:00:00+01:00");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn exim_one_line_form() {
        let h = hop("from [198.51.100.7] (helo=laptop) by mail.example.net with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <x@example.net>) id 1tAbCd-000123-4x for y@example.org; Sat, 21 Nov 2026 11:00:00 +0100");
        assert_eq!(h.from.helo, s("laptop"));
        assert_eq!(h.from.ip, v4(198, 51, 100, 7));
        assert_eq!(h.with, s("ESMTPSA"));
        assert_eq!(h.tls, s("TLS1.3 TLS_AES_256_GCM_SHA384"));
        assert_eq!(h.id, s("1tAbCd-000123-4x"));
        assert_eq!(h.for_, s("y@example.org"));
    }

    #[test]
    fn exim_esmtps_name_and_literal() {
        let h = hop(" from mail.example.net ([203.0.113.9])\n\tby mx.example.org with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <x@example.net>)\n\tid 1tAbCe-000456-7y\n\tfor y@example.org; Sat, 21 Nov 2026 10:00:02 +0000");
        assert_eq!(h.from.helo, s("mail.example.net"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(203, 0, 113, 9));
        assert_eq!(h.by, s("mx.example.org"));
        assert_eq!(h.with, s("ESMTPS"));
        assert_eq!(h.id, s("1tAbCe-000456-7y"));
        assert_eq!(h.for_, s("y@example.org"));
        assert_eq!(h.tls, s("TLS1.3 TLS_AES_256_GCM_SHA384"));
        assert!(!h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(h.envelope_from, s("x@example.net"));
        assert_eq!(time(&h), "2026-11-21T10:00:02Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn exim_authenticated_as_with_port_and_helo() {
        let h = hop(" from mx.example.org ([192.0.2.44]:50412 helo=relay-out.example.org)\n\tby store.example.org with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(authenticated as bob)\n\t(envelope-from <x@example.net>)\n\tid 1tAbCf-000789-9z\n\tfor y@example.org; Sat, 21 Nov 2026 10:00:03 +0000");
        assert_eq!(h.from.helo, s("relay-out.example.org"));
        assert_eq!(h.from.rdns, s("mx.example.org"));
        assert_eq!(h.from.ip, v4(192, 0, 2, 44));
        assert_eq!(h.by, s("store.example.org"));
        assert_eq!(h.with, s("ESMTPSA"));
        assert_eq!(h.id, s("1tAbCf-000789-9z"));
        assert_eq!(h.for_, s("y@example.org"));
        assert_eq!(h.tls, s("TLS1.3 TLS_AES_256_GCM_SHA384"));
        assert!(h.smtp_auth);
        assert_eq!(h.authenticated, s("bob"));
        assert_eq!(h.envelope_from, s("x@example.net"));
        assert_eq!(time(&h), "2026-11-21T10:00:03Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn exim_older_tls_comment_and_authenticated_id() {
        let h = hop("from host.example.com ([192.0.2.8] helo=pc) by mx.example.org with esmtpa (TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256) (authenticated id carol) id 1a; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.tls, s("TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384"));
        assert_eq!(h.authenticated, s("carol"));
        assert!(h.smtp_auth);
        assert_eq!(h.with, s("ESMTPA"));
        assert_eq!(h.from.rdns, s("host.example.com"));
        assert_eq!(h.from.helo, s("pc"));
    }

    // ---- sendmail.eml --------------------------------------------------------------------

    #[test]
    fn sendmail_esmtpsa_authenticated_bits() {
        let h = hop(" from client.example.com (client.example.com [192.0.2.10])\n\t(authenticated bits=0)\n\tby mx.example.org (8.17.1/8.17.1) with ESMTPSA id 4AB1c2d3012345\n\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)\n\tfor <u@example.org>; Sat, 21 Nov 2026 05:00:00 -0500");
        assert_eq!(h.from.helo, s("client.example.com"));
        assert_eq!(h.from.rdns, s("client.example.com"));
        assert_eq!(h.from.ip, v4(192, 0, 2, 10));
        assert_eq!(h.by, s("mx.example.org"));
        assert_eq!(h.with, s("ESMTPSA"));
        assert_eq!(h.id, s("4AB1c2d3012345"));
        assert_eq!(h.for_, s("u@example.org"));
        assert_eq!(h.tls, s("TLSv1.3 TLS_AES_256_GCM_SHA384"));
        assert!(h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(h.envelope_from, None);
        assert_eq!(time(&h), "2026-11-21T05:00:00-05:00");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn sendmail_ipv6_literal() {
        let h = hop(" from mx.example.org (mx.example.org [IPv6:2001:db8::5])\n\tby mailhub.example.org (8.17.1/8.17.1) with ESMTP id 4AB1c2d4012399\n\tfor <u@example.org>; Sat, 21 Nov 2026 05:00:02 -0500");
        assert_eq!(h.from.helo, s("mx.example.org"));
        assert_eq!(h.from.rdns, s("mx.example.org"));
        assert_eq!(h.from.ip, v6("2001:db8::5"));
        assert_eq!(h.by, s("mailhub.example.org"));
        assert_eq!(h.with, s("ESMTP"));
        assert_eq!(h.id, s("4AB1c2d4012399"));
        assert_eq!(h.for_, s("u@example.org"));
        assert_eq!(h.tls, None);
        assert!(!h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(time(&h), "2026-11-21T05:00:02-05:00");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn sendmail_may_be_forged() {
        let h = hop(" from mailhub.example.org (mailhub.example.net [198.51.100.60] (may be forged))\n\tby store.example.org (8.17.1/8.17.1) with ESMTP id 4AB1c2e5012400\n\tfor <u@example.org>; Sat, 21 Nov 2026 05:00:03 -0500");
        assert_eq!(h.from.helo, s("mailhub.example.org"));
        assert_eq!(h.from.rdns, s("mailhub.example.net"));
        assert_eq!(h.from.ip, v4(198, 51, 100, 60));
        assert_eq!(h.by, s("store.example.org"));
        assert_eq!(h.with, s("ESMTP"));
        assert_eq!(h.id, s("4AB1c2e5012400"));
        assert_eq!(h.for_, s("u@example.org"));
        assert_eq!(h.tls, None);
        assert!(!h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(time(&h), "2026-11-21T05:00:03-05:00");
        assert_eq!(h.notes.len(), 1);
        assert!(h.notes[0].starts_with("may be forged"));
    }

    // ---- qmail.eml -----------------------------------------------------------------------

    #[test]
    fn qmail_comment_only_invoked_by_uid() {
        match parse(" (qmail 12345 invoked by uid 1001); 21 Nov 2026 10:00:00 -0000") {
            Parsed::CommentOnly { comment, time } => {
                assert_eq!(comment, "qmail 12345 invoked by uid 1001");
                let t = time.expect("date");
                assert_eq!(
                    (t.year, t.month, t.day, t.hour, t.minute),
                    (2026, 11, 21, 10, 0)
                );
                assert_eq!((t.tz_hour, t.tz_minute), (0, 0));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn qmail_comment_only_invoked_from_network() {
        match parse(" (qmail 2345 invoked from network); 21 Nov 2026 10:00:03 -0000") {
            Parsed::CommentOnly { comment, time } => {
                assert_eq!(comment, "qmail 2345 invoked from network");
                assert_eq!(time.map(|t| t.second), Some(3));
            }
            other => panic!("{other:?}"),
        }
        // Without a date it is still a comment-only header.
        assert_eq!(
            parse("(qmail 1 invoked by alias)"),
            Parsed::CommentOnly {
                comment: "qmail 1 invoked by alias".to_string(),
                time: None
            }
        );
    }

    #[test]
    fn qmail_helo_and_ident() {
        let h = hop(" from unknown (HELO laptop) (user@198.51.100.20)\n  by mail.example.com with SMTP; 21 Nov 2026 10:00:01 -0000");
        assert_eq!(h.from.helo, s("laptop"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(198, 51, 100, 20));
        assert_eq!(h.by, s("mail.example.com"));
        assert_eq!(h.with, s("SMTP"));
        assert_eq!(h.id, None);
        assert_eq!(h.for_, None);
        assert_eq!(h.tls, None);
        assert!(!h.smtp_auth, "the qmail ident is not SMTP AUTH");
        assert_eq!(h.authenticated, None);
        assert_eq!(h.envelope_from, None);
        assert_eq!(
            h.time.map(|t| (t.hour, t.minute, t.second)),
            Some((10, 0, 1))
        );
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn qmail_helo_and_bracketed_ip() {
        let h = hop(" from unknown (HELO mail.example.com) ([203.0.113.5])\n  by mx.example.org with SMTP; 21 Nov 2026 10:00:03 -0000");
        assert_eq!(h.from.helo, s("mail.example.com"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(203, 0, 113, 5));
        assert_eq!(h.by, s("mx.example.org"));
        assert_eq!(h.with, s("SMTP"));
        assert_eq!(h.id, None);
        assert!(!h.smtp_auth);
        assert_eq!(h.time.map(|t| t.second), Some(3));
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn qmail_named_host_is_rdns() {
        let h = hop("from host.example.net (HELO x) (198.51.100.2) by mx.example.org with SMTP; 21 Nov 2026 10:00:03 -0000");
        assert_eq!(h.from.rdns, s("host.example.net"));
        assert_eq!(h.from.helo, s("x"));
        assert_eq!(h.from.ip, v4(198, 51, 100, 2));
    }

    // ---- office365.eml / office365-inbound.eml -------------------------------------------

    #[test]
    fn exchange_internal_build_number_is_not_an_ip() {
        let h = hop(" from AM0PR01MB1234.eurprd01.prod.exchangelabs.com\n (2603:10a6:208:ac::12) by AM0PR01MB5678.eurprd01.prod.exchangelabs.com\n (2603:10a6:20b:ef::34) with Microsoft SMTP Server (version=TLS1_2,\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7270.28; Sat, 21 Nov\n 2026 10:00:04 +0000");
        assert_eq!(
            h.from.helo,
            s("AM0PR01MB1234.eurprd01.prod.exchangelabs.com")
        );
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v6("2603:10a6:208:ac::12"));
        assert_eq!(h.by, s("AM0PR01MB5678.eurprd01.prod.exchangelabs.com"));
        assert_eq!(h.via, None);
        assert_eq!(h.with, s("Microsoft SMTP Server"));
        assert_eq!(h.id, s("15.20.7270.28"));
        assert_eq!(h.for_, None);
        assert_eq!(h.tls, s("TLS1_2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        assert!(!h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(time(&h), "2026-11-21T10:00:04Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn exchange_outbound_protection_via_frontend() {
        let h = hop(" from EUR01-HE1-obe.outbound.protection.outlook.com (40.92.1.2) by\n AM4PEPF00027A6C.eurprd04.prod.outlook.com (2603:10a6:20b:3c::a) with\n Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id\n 15.20.7270.28 via Frontend Transport; Sat, 21 Nov 2026 10:00:02 +0000");
        assert_eq!(
            h.from.helo,
            s("EUR01-HE1-obe.outbound.protection.outlook.com")
        );
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(40, 92, 1, 2));
        assert_eq!(h.by, s("AM4PEPF00027A6C.eurprd04.prod.outlook.com"));
        assert_eq!(h.via, s("Frontend Transport"));
        assert_eq!(h.with, s("Microsoft SMTP Server"));
        assert_eq!(h.id, s("15.20.7270.28"));
        assert_eq!(h.tls, s("TLS1_3 TLS_AES_256_GCM_SHA384"));
        assert!(!h.smtp_auth);
        assert_eq!(time(&h), "2026-11-21T10:00:02Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn exchange_inbound_from_external_via_frontend() {
        let h = hop(" from mail.example.com (198.51.100.3) by\n DB5PEPF00014B8F.eurprd02.prod.outlook.com (2603:10a6:10:2c::7) with Microsoft\n SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.7270.28\n via Frontend Transport; Sat, 21 Nov 2026 10:00:02 +0000");
        assert_eq!(h.from.helo, s("mail.example.com"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(198, 51, 100, 3));
        assert_eq!(h.by, s("DB5PEPF00014B8F.eurprd02.prod.outlook.com"));
        assert_eq!(h.via, s("Frontend Transport"));
        assert_eq!(h.with, s("Microsoft SMTP Server"));
        assert_eq!(h.id, s("15.20.7270.28"));
        assert_eq!(h.tls, s("TLS1_3 TLS_AES_256_GCM_SHA384"));
        assert_eq!(time(&h), "2026-11-21T10:00:02Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn exchange_mapi_with_zone_index() {
        let h = hop(" from AM9PR01MB4321.eurprd01.prod.exchangelabs.com\n ([2001:db8:10a6::21]) by AM9PR01MB4321.eurprd01.prod.exchangelabs.com\n ([2001:db8:10a6::21%5]) with mapi id 15.20.7270.28; Sat, 21 Nov 2026 10:00:00\n +0000");
        assert_eq!(
            h.from.helo,
            s("AM9PR01MB4321.eurprd01.prod.exchangelabs.com")
        );
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v6("2001:db8:10a6::21"));
        assert_eq!(h.by, s("AM9PR01MB4321.eurprd01.prod.exchangelabs.com"));
        assert_eq!(h.with, s("mapi"));
        assert_eq!(h.id, s("15.20.7270.28"));
        assert_eq!(h.tls, None);
        assert!(!h.smtp_auth);
        assert_eq!(time(&h), "2026-11-21T10:00:00Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn build_number_alone_gives_no_ip() {
        let h = hop("from EXCH01 by EXCH02 (10.0.0.1) with Microsoft SMTP Server id 15.20.7270.28; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(
            h.from.ip, None,
            "neither the id nor the by comment is the client"
        );
        assert_eq!(h.id, s("15.20.7270.28"));
    }

    #[test]
    fn exchange_authenticated_sender() {
        let h = hop("from [192.0.2.7] (Authenticated sender: eve@example.com) by mail.example.com with ESMTPSA id 1; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.authenticated, s("eve@example.com"));
        assert!(h.smtp_auth);
        assert_eq!(h.from.ip, v4(192, 0, 2, 7));
        assert_eq!(h.from.helo, None);
    }

    // ---- gmail.eml -----------------------------------------------------------------------

    #[test]
    fn gmail_mx_from_google_sender() {
        let h = hop(" from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\n        by mx.google.com with SMTPS id a1-20020a05.123\n        for <x@example.org>\n        (Google Transport Security);\n        Sat, 21 Nov 2026 02:00:01 -0800 (PST)");
        assert_eq!(h.from.helo, s("mail-sor-f41.google.com"));
        assert_eq!(h.from.rdns, s("mail-sor-f41.google.com"));
        assert_eq!(h.from.ip, v4(209, 85, 220, 41));
        assert_eq!(h.by, s("mx.google.com"));
        assert_eq!(h.with, s("SMTPS"));
        assert_eq!(h.id, s("a1-20020a05.123"));
        assert_eq!(h.for_, s("x@example.org"));
        assert_eq!(h.tls, None);
        assert!(!h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(time(&h), "2026-11-21T02:00:01-08:00");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn gmail_by_only_ipv6_host() {
        let h = hop(" by 2002:a05:6a10:b1a3:b0:5a1:2b3c:4d5e with SMTP id q3csp123456pxb;\n        Sat, 21 Nov 2026 02:00:02 -0800 (PST)");
        assert_eq!(h.from, FromPart::default());
        assert_eq!(h.by, s("2002:a05:6a10:b1a3:b0:5a1:2b3c:4d5e"));
        assert_eq!(h.with, s("SMTP"));
        assert_eq!(h.id, s("q3csp123456pxb"));
        assert_eq!(h.for_, None);
        assert_eq!(h.tls, None);
        assert!(!h.smtp_auth);
        assert_eq!(time(&h), "2026-11-21T02:00:02-08:00");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn gmail_submission_literal_helo() {
        let h = hop(" from [192.168.1.20] ([198.51.100.4])\n        by smtp.gmail.com with ESMTPSA id a640c23a62f3a-a9e8f2c1b3dsm1234567a.12.2026.11.21.02.00.00\n        for <x@example.org>\n        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n        Sat, 21 Nov 2026 02:00:00 -0800 (PST)");
        assert_eq!(h.from.helo, s("[192.168.1.20]"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(198, 51, 100, 4));
        assert_eq!(h.by, s("smtp.gmail.com"));
        assert_eq!(h.with, s("ESMTPSA"));
        assert_eq!(
            h.id,
            s("a640c23a62f3a-a9e8f2c1b3dsm1234567a.12.2026.11.21.02.00.00")
        );
        assert_eq!(h.for_, s("x@example.org"));
        assert_eq!(h.tls, s("TLS1_3 TLS_AES_256_GCM_SHA384"));
        assert!(h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(time(&h), "2026-11-21T02:00:00-08:00");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    // ---- courier.eml ---------------------------------------------------------------------

    #[test]
    fn courier_auth_tls_mapped_ip_and_trailing_id() {
        let h = hop(" from host.example.com (host.example.com [::ffff:192.0.2.30])\n  (AUTH: LOGIN alice@example.com, TLS: TLSv1.3,256bits,TLS_AES_256_GCM_SHA384)\n  by mail.example.com with ESMTPSA; Sat, 21 Nov 2026 10:00:00 +0000\n  id 0000000A.6540ABCD.00001234");
        assert_eq!(h.from.helo, s("host.example.com"));
        assert_eq!(h.from.rdns, s("host.example.com"));
        assert_eq!(h.from.ip, v4(192, 0, 2, 30));
        assert_eq!(h.by, s("mail.example.com"));
        assert_eq!(h.with, s("ESMTPSA"));
        assert_eq!(h.id, s("0000000A.6540ABCD.00001234"));
        assert_eq!(h.for_, None);
        assert_eq!(h.tls, s("TLSv1.3 TLS_AES_256_GCM_SHA384"));
        assert!(h.smtp_auth);
        assert_eq!(h.authenticated, s("alice@example.com"));
        assert_eq!(h.envelope_from, None);
        assert_eq!(time(&h), "2026-11-21T10:00:00Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    // ---- dovecot-lmtp.eml ----------------------------------------------------------------

    #[test]
    fn dovecot_lmtp_without_address() {
        let h = hop(" from mail.example.com\n\tby mail.example.com with LMTP\n\tid Yb2cAhQGP2fqBAAAWDsNsg\n\t(envelope-from <a@example.net>)\n\tfor <b@example.com>; Sat, 21 Nov 2026 10:00:04 +0000");
        assert_eq!(h.from.helo, s("mail.example.com"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, None);
        assert_eq!(h.by, s("mail.example.com"));
        assert_eq!(h.with, s("LMTP"));
        assert_eq!(h.id, s("Yb2cAhQGP2fqBAAAWDsNsg"));
        assert_eq!(h.for_, s("b@example.com"));
        assert_eq!(h.tls, None);
        assert!(!h.smtp_auth);
        assert_eq!(h.authenticated, None);
        assert_eq!(h.envelope_from, s("a@example.net"));
        assert_eq!(time(&h), "2026-11-21T10:00:04Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn dovecot_lmtp_with_loopback() {
        let h = hop(" from mail.example.com ([127.0.0.1])\n\tby mail.example.com with LMTP\n\tid kLmNoPqRsTuVwXyZ0123ab\n\t(envelope-from <a@example.net>)\n\tfor <b@example.com>; Sat, 21 Nov 2026 10:00:03 +0000");
        assert_eq!(h.from.helo, s("mail.example.com"));
        assert_eq!(h.from.rdns, None);
        assert_eq!(h.from.ip, v4(127, 0, 0, 1));
        assert_eq!(h.by, s("mail.example.com"));
        assert_eq!(h.with, s("LMTP"));
        assert_eq!(h.id, s("kLmNoPqRsTuVwXyZ0123ab"));
        assert_eq!(h.for_, s("b@example.com"));
        assert!(!h.smtp_auth);
        assert_eq!(h.envelope_from, s("a@example.net"));
        assert_eq!(time(&h), "2026-11-21T10:00:03Z");
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn null_envelope_from_is_empty() {
        let h = hop("from a by b with LMTP id 1 (envelope-from <>) for <c@example.com>; Sat, 21 Nov 2026 10:00:03 +0000");
        assert_eq!(h.envelope_from, s(""));
    }

    // ---- unparseable.eml and other failures ----------------------------------------------

    #[test]
    fn garbage_is_unparseable() {
        assert_eq!(
            parse(" this is not a received header at all"),
            Parsed::Unparseable {
                reason: "no from or by clause".to_string()
            }
        );
    }

    #[test]
    fn missing_date() {
        let h = hop(" from mail.example.com (mail.example.com [192.0.2.99])\n\tby mx.example.org (Postfix) with ESMTP id 4XyZ0AbCdEf\n\tfor <dave@example.org>");
        assert_eq!(h.from.helo, s("mail.example.com"));
        assert_eq!(h.from.rdns, s("mail.example.com"));
        assert_eq!(h.from.ip, v4(192, 0, 2, 99));
        assert_eq!(h.by, s("mx.example.org"));
        assert_eq!(h.with, s("ESMTP"));
        assert_eq!(h.id, s("4XyZ0AbCdEf"));
        assert_eq!(h.for_, s("dave@example.org"));
        assert_eq!(h.time, None);
        assert_eq!(h.notes, vec!["no date (no ';' in the header)".to_string()]);
    }

    #[test]
    fn empty_date_and_bad_date() {
        let h = hop("from a by b;");
        assert_eq!(h.time, None);
        assert_eq!(h.notes, vec!["no date after ';'".to_string()]);

        let h = hop(" from laptop by mail.example.com; sometime yesterday");
        assert_eq!(h.from.helo, s("laptop"));
        assert_eq!(h.by, s("mail.example.com"));
        assert_eq!(h.time, None);
        assert_eq!(
            h.notes,
            vec!["date not parseable: sometime yesterday".to_string()]
        );
    }

    #[test]
    fn empty_and_semicolon_only() {
        assert!(matches!(parse(""), Parsed::Unparseable { .. }));
        assert!(matches!(parse(" \r\n\t "), Parsed::Unparseable { .. }));
        assert!(matches!(parse(";"), Parsed::Unparseable { .. }));
        assert!(matches!(parse(" ; ; "), Parsed::Unparseable { .. }));
        assert!(matches!(
            parse("; Sat, 21 Nov 2026 10:00:00 +0000"),
            Parsed::Unparseable { .. }
        ));
    }

    #[test]
    fn from_without_host() {
        let h = hop("from by mx.example.org with ESMTP; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from, FromPart::default());
        assert_eq!(h.by, s("mx.example.org"));
        assert_eq!(h.notes, vec!["from clause has no host".to_string()]);
    }

    #[test]
    fn text_before_first_clause_and_repeated_clause_are_noted() {
        let h = hop("junk from a by b id 1 id 2; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.id, s("1"));
        assert_eq!(h.notes.len(), 2, "{:?}", h.notes);
    }

    // ---- forms and spellings -------------------------------------------------------------

    #[test]
    fn keywords_are_case_insensitive() {
        let lower = hop("from a.example.com (a.example.com [192.0.2.1]) by b.example.com with esmtpa id X for <c@example.com>; sat, 21 nov 2026 10:00:00 +0000");
        let upper = hop("FROM a.example.com (a.example.com [192.0.2.1]) BY b.example.com WITH ESMTPA ID X FOR <c@example.com>; SAT, 21 NOV 2026 10:00:00 +0000");
        assert_eq!(lower, upper);
        assert_eq!(lower.with, s("ESMTPA"));
        assert!(lower.smtp_auth);
        assert_eq!(lower.id, s("X"));
        assert_eq!(time(&lower), "2026-11-21T10:00:00Z");
    }

    #[test]
    fn ipv6_forms() {
        // `[IPv6:...]` literal
        let h = hop("from a (b [IPv6:2001:db8::1]) by c; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v6("2001:db8::1"));
        // lower-case prefix, bare literal
        let h = hop("from a ([ipv6:2001:db8::2]) by c; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v6("2001:db8::2"));
        let h = hop("from a ([2001:db8::3]) by c; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v6("2001:db8::3"));
        // bare in parentheses
        let h = hop("from a (2001:db8::4) by c; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v6("2001:db8::4"));
        // `::ffff:` mapped, in every spelling
        let h = hop("from a (b [::ffff:192.0.2.30]) by c; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v4(192, 0, 2, 30));
        let h = hop("from a ([IPv6:::ffff:192.0.2.31]) by c; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v4(192, 0, 2, 31));
        let h = hop("from a (::ffff:192.0.2.32) by c; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v4(192, 0, 2, 32));
        // the `by` address is never the client's
        let h = hop("from a by c ([2001:db8::9]); Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, None);
    }

    #[test]
    fn crlf_folding_is_white_space() {
        let h = hop(" from a.example.com (a.example.com\r\n [192.0.2.1])\r\n\tby b.example.com\r\n with ESMTP id 1\r\n for <c@example.com>;\r\n Sat, 21 Nov\r\n 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v4(192, 0, 2, 1));
        assert_eq!(h.from.rdns, s("a.example.com"));
        assert_eq!(h.with, s("ESMTP"));
        assert_eq!(h.for_, s("c@example.com"));
        assert_eq!(time(&h), "2026-11-21T10:00:00Z");
    }

    #[test]
    fn literal_without_parentheses_and_bare_ip_from() {
        let h = hop("from helo.example.com [192.0.2.5] by b; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.helo, s("helo.example.com"));
        assert_eq!(h.from.ip, v4(192, 0, 2, 5));
        let h = hop("from 192.0.2.6 by b; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v4(192, 0, 2, 6));
        assert_eq!(h.from.helo, None);
    }

    #[test]
    fn quoted_pairs_and_nested_comments() {
        let h = hop(
            r"from a (b [192.0.2.1] (note \) (deeper))) by c (x\(y) with SMTP; Sat, 21 Nov 2026 10:00:00 +0000",
        );
        assert_eq!(h.from.ip, v4(192, 0, 2, 1));
        assert_eq!(h.by, s("c"));
        assert_eq!(h.with, s("SMTP"));
        assert!(h.time.is_some());
    }

    // ---- robustness ----------------------------------------------------------------------

    fn quick(v: &str) -> Parsed {
        let start = Instant::now();
        let p = parse(v);
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "took {:?} for {} bytes",
            start.elapsed(),
            v.len()
        );
        p
    }

    #[test]
    fn ten_megabyte_values() {
        let mut v =
            String::from("from a.example.com (a.example.com [192.0.2.1]) by b.example.com with ");
        while v.len() < 10_000_000 {
            v.push_str("ESMTP (c (d) e) [x] <y> id ");
        }
        v.push_str("; Sat, 21 Nov 2026 10:00:00 +0000");
        match quick(&v) {
            Parsed::Hop(h) => {
                assert_eq!(h.from.ip, v4(192, 0, 2, 1));
                assert!(h.time.is_some());
            }
            other => panic!("{other:?}"),
        }
        // One 10 MB word, one 10 MB comment, one 10 MB literal, one 10 MB date.
        let big = "x".repeat(10_000_000);
        assert!(matches!(quick(&big), Parsed::Unparseable { .. }));
        assert!(matches!(
            quick(&format!("from a ({big}) by b; x")),
            Parsed::Hop(_)
        ));
        assert!(matches!(
            quick(&format!("from [{big} by b")),
            Parsed::Hop(_)
        ));
        assert!(matches!(
            quick(&format!("from a by b; {big}")),
            Parsed::Hop(_)
        ));
        let semis = ";".repeat(10_000_000);
        assert!(matches!(quick(&semis), Parsed::Unparseable { .. }));
        let words = "by ".repeat(3_000_000);
        match quick(&words) {
            Parsed::Hop(h) => assert_eq!(h.notes.len(), 2, "{:?}", h.notes),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn deeply_nested_parentheses() {
        let open = "(".repeat(100_000);
        assert!(matches!(quick(&open), Parsed::CommentOnly { .. }));
        match quick(&format!("from a.example.com {open} by b")) {
            Parsed::Hop(h) => assert_eq!(h.from.helo, s("a.example.com")),
            other => panic!("{other:?}"),
        }
        let balanced = format!(
            "from a {}{} by b; Sat, 21 Nov 2026 10:00:00 +0000",
            open,
            ")".repeat(100_000)
        );
        match quick(&balanced) {
            Parsed::Hop(h) => {
                assert_eq!(h.by, s("b"));
                assert!(h.time.is_some());
            }
            other => panic!("{other:?}"),
        }
        let close = ")".repeat(100_000);
        assert!(matches!(quick(&close), Parsed::Unparseable { .. }));
    }

    #[test]
    fn unbalanced_brackets_do_not_swallow_the_date() {
        let h = hop("from [192.0.2.1 by <a@b for <c; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.from.ip, v4(192, 0, 2, 1));
        assert!(h.time.is_some());
        let h = hop("from a ] > ) by b]]; Sat, 21 Nov 2026 10:00:00 +0000");
        assert_eq!(h.by, s("b"));
        assert!(h.time.is_some());
        // An unclosed comment runs to the end; it must not panic.
        let _ = parse("from a (b [192.0.2.1] by c; Sat, 21 Nov 2026 10:00:00 +0000");
        let _ = parse("from a \\");
        let _ = parse("(\\");
        let _ = parse("(a\\\u{e9}b)");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // Deterministic xorshift, so failures reproduce.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let alphabet: &[u8] =
            b"()[]<>;\\ \t\r\n:@.=,-fromybwithdvaIPv6:ffff0123456789Sat, Nov +-\xc3\xa9\xff\x00";
        for round in 0..3000 {
            let len = (round % 200) + 1;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let pick = (x % (alphabet.len() as u64 + 32)) as usize;
                bytes.push(match alphabet.get(pick) {
                    Some(&b) => b,
                    None => (x >> 24) as u8,
                });
            }
            let v = String::from_utf8_lossy(&bytes);
            let _ = parse(&v);
        }
        let header = "from a.example.com (b.example.com [192.0.2.1] helo=c) (AUTH: LOGIN d, TLS: TLSv1.3,256bits,X) (Authenticated sender: e) by f with ESMTPSA id g for <h>; Sat, 21 Nov 2026 10:00:00 +0000 id i";
        for cut in 0..=header.len() {
            if let Some(prefix) = header.get(..cut) {
                let _ = parse(prefix);
            }
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(parse_ip("IPv6:2001:db8::1"), v6("2001:db8::1"));
        assert_eq!(parse_ip("fe80::1%eth0"), v6("fe80::1"));
        assert_eq!(parse_ip("15.20.7270.28"), None);
        assert_eq!(parse_ip_word("user@198.51.100.20"), v4(198, 51, 100, 20));
        assert_eq!(parse_ip_word("192.0.2.1:25"), v4(192, 0, 2, 1));
        assert_eq!(parse_ip_word("alice@example.com,"), None);
        assert_eq!(clean_name("unknown"), None);
        assert_eq!(clean_name("a.example.com."), s("a.example.com"));
        assert_eq!(quote(&"é".repeat(100)).chars().count(), NOTE_QUOTE_MAX + 1);
    }
}
