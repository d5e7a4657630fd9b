//! check_host() (RFC 7208 sections 4 to 6) over `dns::Resolve`, recording the trace.
//!
//! One [`Checker`] evaluates one identity: the lookup and void-lookup counters are shared by
//! the whole evaluation, includes and redirects included (section 4.6.4).

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use super::macros::{MacroString, Values};
use super::record::{self, Cidr, Directive, Mechanism, Record};
use super::trace::{Evaluation, Query, Term, TermOutcome};
use crate::auth::AuthResult;
use crate::dns::{LookupError, Rdata, RecordType, Resolve};

/// DNS-querying terms allowed in one evaluation (section 4.6.4).
pub const MAX_LOOKUPS: u32 = 10;
/// Look-ups answering NXDOMAIN or no records allowed in one evaluation (section 4.6.4).
pub const MAX_VOID_LOOKUPS: u32 = 2;
/// MX records, and PTR names, looked at by one `mx` or `ptr` (section 4.6.4).
const MAX_NAMES: usize = 10;
/// The longest domain name in text form (section 7.3 truncates expansions to it).
const MAX_NAME_LEN: usize = 253;

/// The verdict of one check_host() run, with what decided it.
pub struct Verdict {
    pub result: AuthResult,
    pub reason: String,
    /// The record whose term decided the result (after redirects).
    pub record: Option<String>,
    pub mechanism: Option<String>,
    pub explanation: Option<String>,
    /// The innermost reason (the leaf of nested includes and redirects), so that outer
    /// reasons quote it once instead of nesting every level.
    pub cause: String,
    pub trace: Evaluation,
}

/// Why evaluation stopped early.
enum Stop {
    Temp(String),
    Perm(String),
}

impl Stop {
    fn result(&self) -> AuthResult {
        match self {
            Stop::Temp(_) => AuthResult::TempError,
            Stop::Perm(_) => AuthResult::PermError,
        }
    }

    fn reason(&self) -> &str {
        match self {
            Stop::Temp(r) | Stop::Perm(r) => r,
        }
    }
}

/// What one term gave.
struct Tried {
    matched: bool,
    detail: String,
    queries: Vec<Query>,
    child: Option<Box<Evaluation>>,
}

/// A term that stopped the evaluation, with what it had found.
struct Failed {
    stop: Stop,
    /// The innermost reason, when the failure comes from an included evaluation.
    cause: Option<String>,
    queries: Vec<Query>,
    child: Option<Box<Evaluation>>,
}

/// The state of one identity's evaluation.
pub struct Checker<'a> {
    resolver: &'a dyn Resolve,
    ip: IpAddr,
    local: String,
    sender_domain: String,
    helo: String,
    pub lookups: u32,
    pub void_lookups: u32,
    timestamp: u64,
}

impl<'a> Checker<'a> {
    /// `ip` should be canonical (IPv4-mapped IPv6 as IPv4).
    pub fn new(
        resolver: &'a dyn Resolve,
        ip: IpAddr,
        local: &str,
        sender_domain: &str,
        helo: &str,
    ) -> Checker<'a> {
        Checker {
            resolver,
            ip,
            local: local.to_string(),
            sender_domain: sender_domain.to_string(),
            helo: helo.to_string(),
            lookups: 0,
            void_lookups: 0,
            timestamp: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }

    fn values<'v>(&'v self, domain: &'v str, validated: Option<&'v str>) -> Values<'v> {
        Values {
            sender_local: &self.local,
            sender_domain: &self.sender_domain,
            domain,
            ip: self.ip,
            helo: &self.helo,
            validated_name: validated,
            receiver: "unknown",
            timestamp: self.timestamp,
        }
    }

    /// check_host() for `domain`. `want_exp` is false inside `include`, whose explanation
    /// is never used (section 5.2).
    pub fn check_host<'s>(
        &'s mut self,
        domain: &'s str,
        want_exp: bool,
    ) -> Pin<Box<dyn Future<Output = Verdict> + Send + 's>> {
        Box::pin(async move {
            let mut eval = Evaluation {
                domain: domain.to_string(),
                record: None,
                queries: Vec::new(),
                terms: Vec::new(),
                result: AuthResult::None,
                reason: String::new(),
            };
            // Section 4.3: a malformed domain gives "none" at once.
            if let Err(why) = check_domain(domain) {
                return finish(eval, AuthResult::None, why, None);
            }
            let (query, answer) = self.lookup(domain, RecordType::Txt).await;
            eval.queries.push(query);
            let records = match answer {
                Ok(records) => records,
                Err(e) if e.is_temporary() => {
                    let why = format!("the TXT look-up of {domain} failed: {e}");
                    return finish(eval, AuthResult::TempError, why, None);
                }
                Err(LookupError::NxDomain) => {
                    let why = format!("{domain} does not exist (NXDOMAIN)");
                    return finish(eval, AuthResult::None, why, None);
                }
                Err(_) => {
                    let why = format!("{domain} has no TXT records, so no SPF record");
                    return finish(eval, AuthResult::None, why, None);
                }
            };
            // Section 4.5: only records starting with "v=spf1"; exactly one may.
            let texts: Vec<Vec<u8>> = records
                .into_iter()
                .filter_map(|d| match d {
                    Rdata::Txt(strings) => Some(strings.concat()),
                    _ => None,
                })
                .filter(|t| record::is_spf1(t))
                .collect();
            let text = match texts.as_slice() {
                [] => {
                    let why =
                        format!("{domain} has no SPF record (no TXT record starts with v=spf1)");
                    return finish(eval, AuthResult::None, why, None);
                }
                [one] => one,
                more => {
                    let why = format!(
                        "{domain} publishes {} SPF records; exactly one is allowed (RFC 7208 4.5)",
                        more.len()
                    );
                    return finish(eval, AuthResult::PermError, why, None);
                }
            };
            let shown = String::from_utf8_lossy(text).into_owned();
            eval.record = Some(shown.clone());
            let parsed = match record::parse(text) {
                Ok(r) => r,
                Err(e) => {
                    let why = format!("syntax error in {domain}'s record: {e}");
                    return finish(eval, AuthResult::PermError, why, Some(shown));
                }
            };
            self.evaluate_record(domain, &parsed, shown, eval, want_exp)
                .await
        })
    }

    async fn evaluate_record(
        &mut self,
        domain: &str,
        record: &Record,
        text: String,
        mut eval: Evaluation,
        want_exp: bool,
    ) -> Verdict {
        for directive in &record.directives {
            let tried = match self.try_directive(domain, directive).await {
                Ok(tried) => tried,
                Err(Failed {
                    stop,
                    cause,
                    queries,
                    child,
                }) => {
                    eval.terms.push(Term {
                        term: directive.text.clone(),
                        outcome: TermOutcome::Error,
                        detail: stop.reason().to_string(),
                        queries,
                        child,
                    });
                    let why = format!("{} in {domain}'s record: {}", directive.text, stop.reason());
                    let mut v = finish(eval, stop.result(), why, Some(text));
                    v.mechanism = Some(directive.text.clone());
                    v.cause = cause.unwrap_or_else(|| stop.reason().to_string());
                    return v;
                }
            };
            let matched = tried.matched;
            eval.terms.push(Term {
                term: directive.text.clone(),
                outcome: if matched {
                    TermOutcome::Match
                } else {
                    TermOutcome::NoMatch
                },
                detail: tried.detail,
                queries: tried.queries,
                child: tried.child,
            });
            if !matched {
                continue;
            }
            let result = directive.qualifier.result();
            let mut explanation = None;
            if result == AuthResult::Fail && want_exp {
                if let Some((spec, term)) = &record.exp {
                    let (exp_term, text) = self.explanation(domain, spec, term).await;
                    eval.terms.push(exp_term);
                    explanation = text;
                }
            }
            let why = format!("{} matched in {domain}'s record", directive.text);
            let mut v = finish(eval, result, why, Some(text));
            v.mechanism = Some(directive.text.clone());
            v.explanation = explanation;
            return v;
        }
        // Section 6.1: redirect= applies only when no mechanism matched.
        if let Some((spec, term)) = &record.redirect {
            if let Err(stop) = self.count_lookup() {
                eval.terms.push(Term {
                    term: term.clone(),
                    outcome: TermOutcome::Error,
                    detail: stop.reason().to_string(),
                    queries: Vec::new(),
                    child: None,
                });
                let why = format!("{term} in {domain}'s record: {}", stop.reason());
                return finish(eval, stop.result(), why, Some(text));
            }
            let (target, queries) = self.expand_target(spec, domain).await;
            let child = self.check_host(&target, want_exp).await;
            let (result, detail) = match child.result {
                // Section 6.1: a redirect to a domain without a record is a permerror.
                AuthResult::None => (
                    AuthResult::PermError,
                    format!(
                        "{target} has no SPF record, a permerror (RFC 7208 6.1): {}",
                        child.cause
                    ),
                ),
                r => (r, child.cause.clone()),
            };
            eval.terms.push(Term {
                term: term.clone(),
                outcome: TermOutcome::Applied,
                detail: format!("result {}", child.result),
                queries,
                child: Some(Box::new(child.trace)),
            });
            let why = format!("{domain}'s record redirects to {target}: {detail}");
            let mut v = finish(eval, result, why, child.record.or(Some(text)));
            v.mechanism = child.mechanism;
            v.explanation = child.explanation;
            v.cause = detail;
            return v;
        }
        let why = format!(
            "no mechanism matched in {domain}'s record and it has no redirect= (default neutral)"
        );
        finish(eval, AuthResult::Neutral, why, Some(text))
    }

    /// Counts one DNS-querying term against the limit of 10.
    fn count_lookup(&mut self) -> Result<(), Stop> {
        self.lookups += 1;
        if self.lookups > MAX_LOOKUPS {
            return Err(Stop::Perm(format!(
                "more than {MAX_LOOKUPS} DNS-querying terms (include, a, mx, ptr, exists, redirect) in this evaluation (RFC 7208 4.6.4)"
            )));
        }
        Ok(())
    }

    /// Expands a target domain-spec, computing `%{p}` first when it is used.
    async fn expand_target(&mut self, spec: &MacroString, domain: &str) -> (String, Vec<Query>) {
        let mut queries = Vec::new();
        let validated = if spec.uses_validated_name() {
            self.validated_name(domain, &mut queries).await
        } else {
            None
        };
        let expanded = spec.expand(&self.values(domain, validated.as_deref()));
        (query_name(&expanded), queries)
    }

    async fn try_directive(
        &mut self,
        domain: &str,
        directive: &Directive,
    ) -> Result<Tried, Failed> {
        if directive.mechanism.queries_dns() {
            self.count_lookup().map_err(|stop| Failed {
                stop,
                cause: None,
                queries: Vec::new(),
                child: None,
            })?;
        }
        let ip = self.ip;
        let plain = |matched: bool, detail: String| Tried {
            matched,
            detail,
            queries: Vec::new(),
            child: None,
        };
        match &directive.mechanism {
            Mechanism::All => Ok(plain(true, String::new())),
            Mechanism::Ip4(net, len) => Ok(match ip {
                IpAddr::V4(_) => {
                    let m = in_network(ip, IpAddr::V4(*net), *len);
                    plain(
                        m,
                        format!("{ip} {} {net}/{len}", if m { "in" } else { "not in" }),
                    )
                }
                IpAddr::V6(_) => plain(false, "the client is IPv6".into()),
            }),
            Mechanism::Ip6(net, len) => Ok(match ip {
                IpAddr::V6(_) => {
                    let m = in_network(ip, IpAddr::V6(*net), *len);
                    plain(
                        m,
                        format!("{ip} {} {net}/{len}", if m { "in" } else { "not in" }),
                    )
                }
                IpAddr::V4(_) => plain(false, "the client is IPv4".into()),
            }),
            Mechanism::A(spec, cidr) => {
                let (target, mut queries) = self.target(spec.as_ref(), domain).await;
                let res = self
                    .addresses_match(&target, *cidr, true, &mut queries)
                    .await;
                finish_term(res, queries, |m| {
                    format!(
                        "{target}'s addresses {} {ip}",
                        if m { "include" } else { "do not include" }
                    )
                })
            }
            Mechanism::Mx(spec, cidr) => {
                let (target, mut queries) = self.target(spec.as_ref(), domain).await;
                let res = self.mx_match(&target, *cidr, &mut queries).await;
                finish_term(res, queries, |m| {
                    format!(
                        "{target}'s MX hosts {} {ip}",
                        if m { "include" } else { "do not include" }
                    )
                })
            }
            Mechanism::Ptr(spec) => {
                let (target, mut queries) = self.target(spec.as_ref(), domain).await;
                let res = self.ptr_match(&target, &mut queries).await;
                finish_term(res, queries, |m| {
                    if m {
                        format!("{ip} has a validated name in {target}")
                    } else {
                        format!("{ip} has no validated name in {target}")
                    }
                })
            }
            Mechanism::Exists(spec) => {
                let (target, mut queries) = self.expand_target(spec, domain).await;
                let res = match self
                    .void_counted(&target, RecordType::A, &mut queries)
                    .await
                {
                    Ok(records) => Ok(!records.is_empty()),
                    Err(stop) => Err(stop),
                };
                finish_term(res, queries, |m| {
                    format!("{target} {}", if m { "exists" } else { "has no A record" })
                })
            }
            Mechanism::Include(spec) => {
                let (target, queries) = self.expand_target(spec, domain).await;
                let child = self.check_host(&target, false).await;
                let tree = Some(Box::new(child.trace));
                // Section 5.2: how the included result maps.
                match child.result {
                    AuthResult::Pass => Ok(Tried {
                        matched: true,
                        detail: format!("{target} gave pass"),
                        queries,
                        child: tree,
                    }),
                    AuthResult::Fail | AuthResult::SoftFail | AuthResult::Neutral => Ok(Tried {
                        matched: false,
                        detail: format!("{target} gave {}", child.result),
                        queries,
                        child: tree,
                    }),
                    AuthResult::TempError => Err(Failed {
                        stop: Stop::Temp(format!(
                            "included {target} gave temperror: {}",
                            child.cause
                        )),
                        cause: Some(child.cause.clone()),
                        queries,
                        child: tree,
                    }),
                    AuthResult::PermError => Err(Failed {
                        stop: Stop::Perm(format!(
                            "included {target} gave permerror: {}",
                            child.cause
                        )),
                        cause: Some(child.cause.clone()),
                        queries,
                        child: tree,
                    }),
                    AuthResult::None => Err(Failed {
                        stop: Stop::Perm(format!(
                            "included {target} has no SPF record, a permerror (RFC 7208 5.2): {}",
                            child.cause
                        )),
                        cause: Some(child.cause.clone()),
                        queries,
                        child: tree,
                    }),
                }
            }
        }
    }

    /// The target of `a`, `mx` or `ptr`: the expanded domain-spec, or the current domain.
    async fn target(&mut self, spec: Option<&MacroString>, domain: &str) -> (String, Vec<Query>) {
        match spec {
            Some(spec) => self.expand_target(spec, domain).await,
            None => (domain.to_string(), Vec::new()),
        }
    }

    /// `a`: any of `target`'s addresses of the client's family within the prefix.
    async fn addresses_match(
        &mut self,
        target: &str,
        cidr: Cidr,
        count_void: bool,
        queries: &mut Vec<Query>,
    ) -> Result<bool, Stop> {
        let (rtype, len) = match self.ip {
            IpAddr::V4(_) => (RecordType::A, cidr.v4.unwrap_or(32)),
            IpAddr::V6(_) => (RecordType::Aaaa, cidr.v6.unwrap_or(128)),
        };
        let records = if count_void {
            self.void_counted(target, rtype, queries).await?
        } else {
            let (q, answer) = self.lookup(target, rtype).await;
            queries.push(q);
            match answer {
                Ok(r) => r,
                Err(e) if e.is_temporary() => {
                    return Err(Stop::Temp(format!("{rtype} look-up of {target}: {e}")))
                }
                Err(_) => Vec::new(),
            }
        };
        Ok(records
            .iter()
            .filter_map(address)
            .any(|a| in_network(self.ip, a, len)))
    }

    async fn mx_match(
        &mut self,
        target: &str,
        cidr: Cidr,
        queries: &mut Vec<Query>,
    ) -> Result<bool, Stop> {
        let records = self.void_counted(target, RecordType::Mx, queries).await?;
        let hosts: Vec<String> = records
            .into_iter()
            .filter_map(|r| match r {
                Rdata::Mx { exchange, .. } => Some(exchange),
                _ => None,
            })
            .collect();
        if hosts.len() > MAX_NAMES {
            return Err(Stop::Perm(format!(
                "{target} has {} MX records, more than the {MAX_NAMES} allowed (RFC 7208 4.6.4)",
                hosts.len()
            )));
        }
        for host in hosts {
            // A null MX (".") names no host.
            if host == "." || host.is_empty() {
                continue;
            }
            if self.addresses_match(&host, cidr, false, queries).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `ptr` (section 5.5): a validated name of the client equal to or under `target`.
    async fn ptr_match(&mut self, target: &str, queries: &mut Vec<Query>) -> Result<bool, Stop> {
        let reverse = crate::dns::reverse_name(self.ip);
        let (q, answer) = self.lookup(&reverse, RecordType::Ptr).await;
        let mut q = q;
        let names = match answer {
            Ok(records) => names_of(records),
            // "If a DNS error occurs while doing the PTR RR lookup, then this mechanism
            // fails to match."
            Err(e) if e.is_temporary() => {
                queries.push(q);
                return Ok(false);
            }
            Err(_) => {
                q.void = true;
                queries.push(q);
                self.count_void()?;
                return Ok(false);
            }
        };
        queries.push(q);
        for name in names.iter().take(MAX_NAMES) {
            if !is_within(name, target) {
                continue;
            }
            if self.confirms(name, queries).await {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// True when `name`'s addresses include the client (DNS errors skip the name, 5.5).
    async fn confirms(&mut self, name: &str, queries: &mut Vec<Query>) -> bool {
        let rtype = match self.ip {
            IpAddr::V4(_) => RecordType::A,
            IpAddr::V6(_) => RecordType::Aaaa,
        };
        let (q, answer) = self.lookup(name, rtype).await;
        queries.push(q);
        answer.is_ok_and(|records| records.iter().filter_map(address).any(|a| a == self.ip))
    }

    /// `%{p}` (section 7.3): a validated name of the client, preferring `domain` itself, then a
    /// name under it, then any other; "unknown" when there is none.
    async fn validated_name(&mut self, domain: &str, queries: &mut Vec<Query>) -> Option<String> {
        let reverse = crate::dns::reverse_name(self.ip);
        let (q, answer) = self.lookup(&reverse, RecordType::Ptr).await;
        queries.push(q);
        let names = names_of(answer.ok()?);
        let mut candidates: Vec<&String> = names.iter().take(MAX_NAMES).collect();
        candidates.sort_by_key(|n| {
            if n.eq_ignore_ascii_case(domain) {
                0
            } else if is_within(n, domain) {
                1
            } else {
                2
            }
        });
        for name in candidates {
            if self.confirms(name, queries).await {
                return Some(name.clone());
            }
        }
        None
    }

    /// The explanation of a fail (section 6.2): fetched only now, counted against no limit;
    /// any problem means no explanation.
    async fn explanation(
        &mut self,
        domain: &str,
        spec: &MacroString,
        term: &str,
    ) -> (Term, Option<String>) {
        let (target, mut queries) = self.expand_target(spec, domain).await;
        let (q, answer) = self.lookup(&target, RecordType::Txt).await;
        queries.push(q);
        let mut term = Term {
            term: term.to_string(),
            outcome: TermOutcome::Applied,
            detail: String::new(),
            queries,
            child: None,
        };
        let texts: Vec<Vec<u8>> = match answer {
            Ok(records) => records
                .into_iter()
                .filter_map(|r| match r {
                    Rdata::Txt(s) => Some(s.concat()),
                    _ => None,
                })
                .collect(),
            Err(e) => {
                term.detail = format!("no explanation: the TXT look-up of {target}: {e}");
                return (term, None);
            }
        };
        let text = match texts.as_slice() {
            [one] => one,
            other => {
                term.detail = format!(
                    "no explanation: {target} has {} TXT records, not one",
                    other.len()
                );
                return (term, None);
            }
        };
        let parsed = std::str::from_utf8(text)
            .ok()
            .filter(|t| t.is_ascii())
            .ok_or_else(|| "it is not ASCII".to_string())
            .and_then(|t| MacroString::parse(t, super::macros::Context::Explanation));
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                term.detail = format!("no explanation: the text of {target} is invalid: {e}");
                return (term, None);
            }
        };
        let validated = if parsed.uses_validated_name() {
            self.validated_name(domain, &mut term.queries).await
        } else {
            None
        };
        let explanation = parsed.expand(&self.values(domain, validated.as_deref()));
        term.detail = format!("explanation: {explanation}");
        (term, Some(explanation))
    }

    fn count_void(&mut self) -> Result<(), Stop> {
        self.void_lookups += 1;
        if self.void_lookups > MAX_VOID_LOOKUPS {
            return Err(Stop::Perm(format!(
                "more than {MAX_VOID_LOOKUPS} void look-ups (NXDOMAIN or no records) in this evaluation (RFC 7208 4.6.4)"
            )));
        }
        Ok(())
    }

    /// A term's own look-up: temporary failures stop with temperror, NXDOMAIN and NODATA count
    /// as void look-ups and give no records.
    async fn void_counted(
        &mut self,
        name: &str,
        rtype: RecordType,
        queries: &mut Vec<Query>,
    ) -> Result<Vec<Rdata>, Stop> {
        let (mut q, answer) = self.lookup(name, rtype).await;
        match answer {
            Ok(records) => {
                queries.push(q);
                Ok(records)
            }
            Err(e) if e.is_temporary() => {
                queries.push(q);
                Err(Stop::Temp(format!(
                    "the {rtype} look-up of {name} failed: {e}"
                )))
            }
            Err(_) if q.status == "not_queried" => {
                queries.push(q);
                Ok(Vec::new())
            }
            Err(_) => {
                q.void = true;
                queries.push(q);
                self.count_void()?;
                Ok(Vec::new())
            }
        }
    }

    /// One DNS question, with its trace entry. A name that no query can carry (an empty
    /// label or one over 63 bytes, e.g. from a macro) is not asked and reads as NXDOMAIN
    /// (as section 4.3 does for the initial domain).
    async fn lookup(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> (Query, Result<Vec<Rdata>, LookupError>) {
        let mut query = Query {
            name: name.to_string(),
            rtype,
            status: "answer",
            answers: Vec::new(),
            void: false,
        };
        if !is_queryable(name) {
            query.status = "not_queried";
            return (query, Err(LookupError::NxDomain));
        }
        let answer = self
            .resolver
            .lookup(name, rtype)
            .await
            .map(|a| a.records.into_iter().map(|r| r.data).collect::<Vec<_>>());
        match &answer {
            Ok(records) => query.answers = records.iter().map(presentation).collect(),
            Err(e) => {
                query.status = match e {
                    LookupError::NxDomain => "nxdomain",
                    LookupError::NoData => "nodata",
                    LookupError::Timeout => "timeout",
                    LookupError::ServFail => "servfail",
                    LookupError::Refused => "refused",
                    LookupError::Other(_) => "error",
                }
            }
        }
        (query, answer)
    }
}

fn finish_term(
    res: Result<bool, Stop>,
    queries: Vec<Query>,
    detail: impl FnOnce(bool) -> String,
) -> Result<Tried, Failed> {
    match res {
        Ok(matched) => Ok(Tried {
            matched,
            detail: detail(matched),
            queries,
            child: None,
        }),
        Err(stop) => Err(Failed {
            stop,
            cause: None,
            queries,
            child: None,
        }),
    }
}

fn finish(
    mut eval: Evaluation,
    result: AuthResult,
    reason: String,
    record: Option<String>,
) -> Verdict {
    eval.result = result;
    eval.reason.clone_from(&reason);
    Verdict {
        result,
        cause: reason.clone(),
        reason,
        record,
        mechanism: None,
        explanation: None,
        trace: eval,
    }
}

/// Section 4.3: a domain check_host() can evaluate: at most 253 characters, at least two
/// labels of 1 to 63 letters, digits, hyphens or underscores, and a top label that is not
/// all digits (so that an address literal is not taken for a domain).
pub fn check_domain(domain: &str) -> Result<(), String> {
    let name = domain.strip_suffix('.').unwrap_or(domain);
    let labels: Vec<&str> = name.split('.').collect();
    let bad = if name.is_empty() {
        Some("it is empty")
    } else if name.len() > MAX_NAME_LEN {
        Some("it is longer than 253 characters")
    } else if labels.len() < 2 {
        Some("it is not a multi-label domain name")
    } else if labels.iter().any(|l| l.is_empty()) {
        Some("it has an empty label")
    } else if labels.iter().any(|l| l.len() > 63) {
        Some("it has a label longer than 63 characters")
    } else if !labels.iter().all(|l| {
        l.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        Some("it has characters outside letters, digits, '-' and '_'")
    } else if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        Some("its top-level label is all digits")
    } else {
        None
    };
    match bad {
        Some(why) => Err(format!("{domain:?} is not a valid domain name ({why}), so there is no SPF record to check (RFC 7208 4.3)")),
        None => Ok(()),
    }
}

/// The query form of an expanded domain-spec: without a trailing dot, and truncated from the
/// left to 253 characters by whole labels (section 7.3).
fn query_name(expanded: &str) -> String {
    let mut name = expanded.strip_suffix('.').unwrap_or(expanded);
    while name.len() > MAX_NAME_LEN {
        match name.split_once('.') {
            Some((_, rest)) => name = rest,
            None => break,
        }
    }
    name.to_string()
}

/// True when `name` can be put in a DNS question: labels of 1 to 63 bytes, 253 in all.
fn is_queryable(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.split('.').all(|l| !l.is_empty() && l.len() <= 63)
}

/// `name` equals `domain` or is under it (case-insensitive, trailing dots ignored).
fn is_within(name: &str, domain: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    name == domain || name.ends_with(&format!(".{domain}"))
}

fn names_of(records: Vec<Rdata>) -> Vec<String> {
    records
        .into_iter()
        .filter_map(|r| match r {
            Rdata::Ptr(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn address(r: &Rdata) -> Option<IpAddr> {
    match r {
        Rdata::A(a) => Some(IpAddr::V4(*a)),
        Rdata::Aaaa(a) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

/// True when `ip` is within `net/len` (same family only).
pub fn in_network(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(len.min(32)))
                .unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(len.min(128)))
                .unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A record's data as text for the trace.
fn presentation(r: &Rdata) -> String {
    match r {
        Rdata::A(a) => a.to_string(),
        Rdata::Aaaa(a) => a.to_string(),
        Rdata::Ptr(n) | Rdata::Cname(n) | Rdata::Ns(n) => n.clone(),
        Rdata::Txt(strings) => String::from_utf8_lossy(&strings.concat()).into_owned(),
        Rdata::Mx {
            preference,
            exchange,
        } => format!("{preference} {exchange}"),
        Rdata::Other { rtype, text } => format!("{rtype} {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_network(ip("192.0.2.7"), ip("192.0.2.0"), 24));
        assert!(!in_network(ip("192.0.3.7"), ip("192.0.2.0"), 24));
        assert!(in_network(ip("1.2.3.4"), ip("9.9.9.9"), 0));
        assert!(in_network(ip("2001:db8::1"), ip("2001:db8::"), 32));
        assert!(!in_network(ip("2001:db9::1"), ip("2001:db8::"), 32));
        assert!(!in_network(ip("1.2.3.4"), ip("::"), 0));
    }

    #[test]
    fn initial_domain_checks() {
        assert!(check_domain("example.com").is_ok());
        assert!(check_domain("example.com.").is_ok());
        assert!(check_domain("_spf.example.com").is_ok());
        for bad in [
            "",
            "A2345678",
            "[1.2.3.5]",
            "A...example.com",
            "1.2.3.4",
            &format!("{}.example.com", "a".repeat(64)),
        ] {
            assert!(check_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn long_expansions_are_truncated_by_labels() {
        let long = format!("{}example.com.", "abcdefghi.".repeat(30));
        let name = query_name(&long);
        assert!(name.len() <= 253, "{}", name.len());
        assert!(name.ends_with("abcdefghi.example.com"));
        assert!(name.starts_with("abcdefghi."));
        assert!(!is_queryable("mail.example...com"));
        assert!(is_queryable("foo:bar/baz.example.com"));
    }
}
