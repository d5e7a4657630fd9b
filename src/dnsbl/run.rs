//! The bulk runner: probe the zones, resolve host names, then check every address and name
//! concurrently, handing each result to the caller the moment it is complete.
//!
//! Concurrency: one window of at most `RunOptions::concurrency` DNS tasks (a zone query, a
//! PTR + forward check, a host resolution, a probe), fed in input order, so an address's checks
//! run side by side and addresses complete roughly in input order. The resolver applies its own
//! limit on top. Memory: an address's checks are created only when the window reaches it and
//! its result leaves as soon as its last check ends, so at most `concurrency` addresses are
//! pending at any time, however long the input; with [`RunOptions::keep_results`] off the
//! finished results are not kept either. Ordering: [`Observer::result`] sees results as they
//! complete (for NDJSON and progress); the returned report has addresses and names sorted back
//! into input order (ranges in address order, a host name's addresses where the name was given).

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use tokio::task::{Id, JoinSet};

use crate::dns::reverse_prefix;
use crate::dns::{LookupError, Rdata, RecordType, Resolve};
use crate::dnsbl::catalogue::{Zone, ZoneKind};
use crate::dnsbl::decode::{decode, Decoded};
use crate::dnsbl::probe::{probe, ProbeResult, ProbeStatus};
use crate::dnsbl::reverse::{reverse, Dynamic, Reverse};
use crate::dnsbl::targets::{skip_reason, Plan, Planned, DEFAULT_MAX_IPS};
use crate::dnsbl::{DnsblReport, IpResult, Item, NameResult, Status, ZoneResult, ZoneSummary};

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// DNS tasks in flight at once (at least 1).
    pub concurrency: usize,
    /// Fetch the TXT reason of every listing (one more query per hit).
    pub txt: bool,
    /// The limit also applied to host names' addresses (ranges are checked by [`Plan::new`]).
    pub max_ips: usize,
    /// Keep every finished address and name in the returned report (default): JSON and tables
    /// need them all, sorted back into input order. Off, results go to [`Observer::result`]
    /// only, so a streaming run (NDJSON) holds memory for the addresses in flight rather than
    /// for the whole input; the report's `ips` and `names` are then empty, while its summary
    /// and [`DnsblReport::outcome`] still count every result.
    pub keep_results: bool,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            concurrency: 64,
            txt: false,
            max_ips: DEFAULT_MAX_IPS,
            keep_results: true,
        }
    }
}

/// Results delivered so far, out of the total known (the total is final once host names are
/// resolved, which happens before the first address result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Receives the run's events as they happen (stream NDJSON, drive a progress bar).
/// Every method has an empty default.
pub trait Observer: Send {
    /// A zone's probe finished (a failed probe means the zone is stopped for the run).
    fn probed(&mut self, _probe: &ProbeResult) {}
    /// The number of results to come is known.
    fn started(&mut self, _total: usize) {}
    /// One address or name is complete.
    fn result(&mut self, _item: &Item, _progress: Progress) {}
}

/// For callers that only want the final report.
impl Observer for () {}

type Task<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Runs the jobs `next` hands out with at most `limit` in flight, handing each outcome (or the
/// task's failure, e.g. a panic inside the resolver) to `done` with the job's key. `next` is
/// asked for a job only when the window has room, and both see `state`: work is created from
/// what has finished, never all up front.
async fn drive<S, K, T: Send + 'static>(
    state: &mut S,
    limit: usize,
    mut next: impl FnMut(&mut S) -> Option<(K, Task<T>)>,
    mut done: impl FnMut(&mut S, K, Result<T, String>),
) {
    let mut set = JoinSet::new();
    let mut keys: HashMap<Id, K> = HashMap::new();
    loop {
        while set.len() < limit.max(1) {
            let Some((key, task)) = next(state) else {
                break;
            };
            let handle = set.spawn(task);
            keys.insert(handle.id(), key);
        }
        match set.join_next_with_id().await {
            None => break,
            Some(Ok((id, value))) => {
                if let Some(key) = keys.remove(&id) {
                    done(state, key, Ok(value));
                }
            }
            Some(Err(e)) => {
                if let Some(key) = keys.remove(&e.id()) {
                    done(state, key, Err(format!("internal error: {e}")));
                }
            }
        }
    }
}

enum Setup {
    Probe(ProbeResult),
    Host(Vec<IpAddr>, Option<String>),
}

#[derive(Clone, Copy)]
enum SetupKey {
    Probe(usize),
    Host(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CheckKey {
    Zone { ip: usize, zone: usize },
    Reverse { ip: usize },
    Name { name: usize, zone: usize },
}

enum Check {
    Zone(ZoneResult),
    Reverse(Reverse),
}

struct Pending<T> {
    result: T,
    /// (zone index, result when known), in zone order.
    slots: Vec<(usize, Option<ZoneResult>)>,
    left: usize,
}

/// Probes `zones`, resolves `plan`'s host names, and checks everything; see the module docs
/// for concurrency, memory and ordering. `zones` come from [`crate::dnsbl::Catalogue::select`]
/// (with the DQS key applied); IP zones are used for addresses, domain zones for host names.
pub async fn run(
    resolver: Arc<dyn Resolve>,
    zones: Vec<Zone>,
    plan: Plan,
    options: &RunOptions,
    observer: &mut dyn Observer,
) -> DnsblReport {
    let zones: Vec<Arc<Zone>> = zones.into_iter().map(Arc::new).collect();
    let any_ip = !plan.ips.is_empty() || !plan.hosts.is_empty();
    let any_host = !plan.hosts.is_empty();
    let used: Vec<usize> = (0..zones.len())
        .filter(|&z| {
            if zones[z].kind.is_ip() {
                any_ip
            } else {
                any_host
            }
        })
        .collect();

    // Phase 1: probes and host names, side by side.
    let mut setup_jobs: Vec<(SetupKey, Task<Setup>)> = Vec::new();
    for &z in &used {
        let (r, zone) = (resolver.clone(), zones[z].clone());
        setup_jobs.push((
            SetupKey::Probe(z),
            Box::pin(async move { Setup::Probe(probe(r, zone).await) }),
        ));
    }
    for (h, (_, name)) in plan.hosts.iter().enumerate() {
        let (r, name) = (resolver.clone(), name.clone());
        setup_jobs.push((
            SetupKey::Host(h),
            Box::pin(async move {
                let (addrs, error) = resolve_host(r, &name).await;
                Setup::Host(addrs, error)
            }),
        ));
    }
    let mut probes: Vec<(usize, ProbeResult)> = Vec::new();
    let mut hosts: Vec<(Vec<IpAddr>, Option<String>)> = vec![(Vec::new(), None); plan.hosts.len()];
    drive(
        &mut setup_jobs.into_iter(),
        options.concurrency,
        Iterator::next,
        |_, key, outcome| match (key, outcome) {
            (SetupKey::Probe(z), Ok(Setup::Probe(p))) => {
                observer.probed(&p);
                probes.push((z, p));
            }
            (SetupKey::Probe(z), outcome) => {
                let reason = match outcome {
                    Err(e) => e,
                    Ok(_) => "internal error: wrong probe result".into(),
                };
                let p = ProbeResult {
                    zone: zones[z].name.clone(),
                    status: ProbeStatus::Failed,
                    reason: Some(reason),
                };
                observer.probed(&p);
                probes.push((z, p));
            }
            (SetupKey::Host(h), Ok(Setup::Host(addrs, error))) => hosts[h] = (addrs, error),
            (SetupKey::Host(h), outcome) => {
                let error = match outcome {
                    Err(e) => e,
                    Ok(_) => "internal error: wrong host result".into(),
                };
                hosts[h] = (Vec::new(), Some(error));
            }
        },
    )
    .await;
    probes.sort_by_key(|(z, _)| *z);
    let mut stopped: Vec<Option<String>> = vec![None; zones.len()];
    for (z, p) in &probes {
        if p.status == ProbeStatus::Failed {
            stopped[*z] = Some(format!(
                "zone stopped for this run: probe failed: {}",
                p.reason.as_deref().unwrap_or("no reason given")
            ));
        }
    }

    // The addresses: the plan's, then host names' new ones, within --max-ips.
    let mut planned: Vec<Planned> = plan.ips;
    // Only host names can repeat an address (the plan has each once): without them, no set.
    let mut seen: HashSet<IpAddr> = if plan.hosts.is_empty() {
        HashSet::new()
    } else {
        planned.iter().map(|p| p.ip).collect()
    };
    let mut names: Vec<Pending<NameResult>> = Vec::with_capacity(plan.hosts.len());
    for ((position, name), (addrs, error)) in plan.hosts.into_iter().zip(hosts) {
        let mut dropped = 0usize;
        for (k, ip) in addrs.iter().enumerate() {
            if seen.contains(ip) {
                continue;
            }
            if planned.len() >= options.max_ips {
                dropped += 1;
                continue;
            }
            seen.insert(*ip);
            planned.push(Planned {
                ip: *ip,
                source: name.clone(),
                order: (position, k as u128),
            });
        }
        let mut error = error;
        if dropped > 0 {
            let note = format!(
                "{dropped} addresses not checked: more than --max-ips {}",
                options.max_ips
            );
            error = Some(match error {
                Some(e) => format!("{e}; {note}"),
                None => note,
            });
        }
        let slots = slots_for(&zones, &stopped, |z| z.kind == ZoneKind::DomainBlock);
        names.push(Pending {
            left: slots.iter().filter(|(_, r)| r.is_none()).count(),
            slots,
            result: NameResult {
                name,
                addresses: addrs,
                error,
                zones: Vec::new(),
                order: position,
            },
        });
    }
    drop(seen);

    // Phase 2: the checks, created as the window reaches them.
    let mut checks = Checks::new(resolver, zones, stopped, &used, options, observer);
    checks.start(planned, names);
    drive(
        &mut checks,
        options.concurrency,
        Checks::next_job,
        Checks::done,
    )
    .await;
    checks.into_report(probes.into_iter().map(|(_, p)| p).collect())
}

/// The check phase: the addresses not reached yet, the pending ones (each has a check in
/// flight, so there are at most as many as the window holds), the host names (few, pending
/// from the start), and the running totals.
struct Checks<'o> {
    resolver: Arc<dyn Resolve>,
    zones: Vec<Arc<Zone>>,
    /// Per zone, why it is stopped (a failed probe): its slots start filled with that error.
    stopped: Vec<Option<String>>,
    txt: bool,
    keep_results: bool,
    /// The addresses not reached yet, with their index in the plan.
    planned: std::iter::Enumerate<std::vec::IntoIter<Planned>>,
    /// Checks created but not started: the rest of the address being fed, then the names'.
    queue: VecDeque<CheckKey>,
    /// The names' checks, queued once every address has been reached.
    name_jobs: Vec<CheckKey>,
    ips: HashMap<usize, Pending<IpResult>>,
    names: Vec<Option<Pending<NameResult>>>,
    observer: &'o mut dyn Observer,
    done: usize,
    total: usize,
    finished_ips: Vec<IpResult>,
    finished_names: Vec<NameResult>,
    summary: Vec<ZoneSummary>,
    /// Per zone, its entry in `summary` (zones unused by this run have none).
    summary_of: Vec<Option<usize>>,
    /// Finished names with an error (kept apart for [`DnsblReport::outcome`]).
    name_errors: usize,
}

impl<'o> Checks<'o> {
    /// `used` are the zones that apply to some address or name: they get a summary entry.
    fn new(
        resolver: Arc<dyn Resolve>,
        zones: Vec<Arc<Zone>>,
        stopped: Vec<Option<String>>,
        used: &[usize],
        options: &RunOptions,
        observer: &'o mut dyn Observer,
    ) -> Checks<'o> {
        let mut summary_of = vec![None; zones.len()];
        let mut summary = Vec::with_capacity(used.len());
        for &z in used {
            if let (Some(slot), Some(zone)) = (summary_of.get_mut(z), zones.get(z)) {
                *slot = Some(summary.len());
                summary.push(ZoneSummary {
                    zone: zone.name.clone(),
                    kind: zone.kind,
                    listed: 0,
                    not_listed: 0,
                    error: 0,
                    stopped: stopped.get(z).cloned().flatten(),
                });
            }
        }
        Checks {
            resolver,
            zones,
            stopped,
            txt: options.txt,
            keep_results: options.keep_results,
            planned: Vec::new().into_iter().enumerate(),
            queue: VecDeque::new(),
            name_jobs: Vec::new(),
            ips: HashMap::new(),
            names: Vec::new(),
            observer,
            done: 0,
            total: 0,
            finished_ips: Vec::new(),
            finished_names: Vec::new(),
            summary,
            summary_of,
            name_errors: 0,
        }
    }

    /// Takes the work, announces the total, and delivers the names that need no query (every
    /// domain zone stopped, or none selected).
    fn start(&mut self, planned: Vec<Planned>, names: Vec<Pending<NameResult>>) {
        self.total = planned.len() + names.len();
        self.observer.started(self.total);
        if self.keep_results {
            self.finished_ips.reserve(planned.len());
            self.finished_names.reserve(names.len());
        }
        self.planned = planned.into_iter().enumerate();
        for (n, pending) in names.iter().enumerate() {
            self.name_jobs.extend(
                pending
                    .slots
                    .iter()
                    .filter(|(_, r)| r.is_none())
                    .map(|(z, _)| CheckKey::Name { name: n, zone: *z }),
            );
        }
        self.names = names.into_iter().map(Some).collect();
        for n in 0..self.names.len() {
            if self.names[n].as_ref().is_some_and(|p| p.left == 0) {
                self.finish_name(n);
            }
        }
    }

    /// The next check to start, creating the next address's checks when the current one's are
    /// all started; `None` once everything has been started.
    fn next_job(&mut self) -> Option<(CheckKey, Task<Check>)> {
        loop {
            match self.queue.pop_front() {
                Some(key) => {
                    if let Some(task) = self.task(key) {
                        return Some((key, task));
                    }
                }
                None => {
                    if !self.refill() {
                        return None;
                    }
                }
            }
        }
    }

    /// Queues the checks of the next address (delivering skipped ones on the way), or the
    /// names' once the addresses are done; false when nothing is left.
    fn refill(&mut self) -> bool {
        while let Some((i, p)) = self.planned.next() {
            let mut result = IpResult {
                ip: p.ip,
                source: p.source,
                ptr: Vec::new(),
                fcrdns: None,
                ptr_error: None,
                dynamic: Dynamic {
                    looks_dynamic: false,
                    reason: "not checked".into(),
                },
                zones: Vec::new(),
                skipped: None,
                order: p.order,
            };
            if let Some(reason) = skip_reason(p.ip) {
                result.skipped = Some(format!("{reason}: not queried"));
                result.dynamic.reason = format!("not checked: {reason}");
                self.deliver(Item::Ip(result));
                continue;
            }
            let slots = slots_for(&self.zones, &self.stopped, |z| z.covers(p.ip));
            let zone_checks = slots
                .iter()
                .filter(|(_, r)| r.is_none())
                .map(|(z, _)| CheckKey::Zone { ip: i, zone: *z });
            self.queue.push_back(CheckKey::Reverse { ip: i });
            self.queue.extend(zone_checks);
            let left = 1 + slots.iter().filter(|(_, r)| r.is_none()).count();
            self.ips.insert(
                i,
                Pending {
                    left,
                    slots,
                    result,
                },
            );
            return true;
        }
        let names = std::mem::take(&mut self.name_jobs);
        let any = !names.is_empty();
        self.queue.extend(names);
        any
    }

    /// The look-up behind `key`; `None` if its address or name is not pending (cannot happen:
    /// a key is queued with its pending entry, which stays until the key's outcome arrives).
    fn task(&self, key: CheckKey) -> Option<Task<Check>> {
        let r = self.resolver.clone();
        let txt = self.txt;
        let task: Task<Check> = match key {
            CheckKey::Reverse { ip } => {
                let ip = self.ips.get(&ip)?.result.ip;
                Box::pin(async move { Check::Reverse(reverse(r, ip).await) })
            }
            CheckKey::Zone { ip, zone } => {
                let qkey = reverse_prefix(self.ips.get(&ip)?.result.ip);
                let zone = self.zones.get(zone)?.clone();
                Box::pin(async move { Check::Zone(check_zone(r, zone, qkey, txt).await) })
            }
            CheckKey::Name { name, zone } => {
                let qkey = self.names.get(name)?.as_ref()?.result.name.clone();
                let zone = self.zones.get(zone)?.clone();
                Box::pin(async move { Check::Zone(check_zone(r, zone, qkey, txt).await) })
            }
        };
        Some(task)
    }

    /// Files one check's outcome; the address or name is delivered with its last one.
    fn done(&mut self, key: CheckKey, outcome: Result<Check, String>) {
        match key {
            CheckKey::Reverse { ip } => {
                let Some(p) = self.ips.get_mut(&ip) else {
                    return;
                };
                match outcome {
                    Ok(Check::Reverse(rev)) => {
                        p.result.ptr = rev.ptr;
                        p.result.fcrdns = rev.fcrdns;
                        p.result.ptr_error = rev.error;
                        p.result.dynamic = rev.dynamic;
                    }
                    Ok(Check::Zone(_)) => {
                        p.result.ptr_error = Some("internal error: wrong check result".into())
                    }
                    Err(e) => {
                        p.result.ptr_error = Some(e);
                        p.result.dynamic.reason = "not judged: the PTR check failed".into();
                    }
                }
                p.left = p.left.saturating_sub(1);
                if p.left == 0 {
                    self.finish_ip(ip);
                }
            }
            CheckKey::Zone { ip, zone } => {
                let (Some(p), Some(z)) = (self.ips.get_mut(&ip), self.zones.get(zone)) else {
                    return;
                };
                fill(&mut p.slots, zone, zone_outcome(z, outcome));
                p.left = p.left.saturating_sub(1);
                if p.left == 0 {
                    self.finish_ip(ip);
                }
            }
            CheckKey::Name { name, zone } => {
                let (Some(p), Some(z)) = (
                    self.names.get_mut(name).and_then(Option::as_mut),
                    self.zones.get(zone),
                ) else {
                    return;
                };
                fill(&mut p.slots, zone, zone_outcome(z, outcome));
                p.left = p.left.saturating_sub(1);
                if p.left == 0 {
                    self.finish_name(name);
                }
            }
        }
    }

    fn finish_ip(&mut self, ip: usize) {
        if let Some(p) = self.ips.remove(&ip) {
            let mut result = p.result;
            result.zones = self.count(p.slots);
            self.deliver(Item::Ip(result));
        }
    }

    fn finish_name(&mut self, name: usize) {
        if let Some(p) = self.names.get_mut(name).and_then(Option::take) {
            let mut result = p.result;
            result.zones = self.count(p.slots);
            self.deliver(Item::Name(result));
        }
    }

    /// Adds one address's or name's zone results to the summary; returns them in zone order.
    fn count(&mut self, slots: Vec<(usize, Option<ZoneResult>)>) -> Vec<ZoneResult> {
        let mut results = Vec::with_capacity(slots.len());
        for (z, result) in slots {
            let Some(result) = result else {
                continue;
            };
            let entry = self.summary_of.get(z).copied().flatten();
            if let Some(s) = entry.and_then(|i| self.summary.get_mut(i)) {
                match result.status {
                    Status::Listed => s.listed += 1,
                    Status::NotListed => s.not_listed += 1,
                    Status::Error => s.error += 1,
                }
            }
            results.push(result);
        }
        results
    }

    fn deliver(&mut self, item: Item) {
        self.done += 1;
        if let Item::Name(n) = &item {
            if n.error.is_some() {
                self.name_errors += 1;
            }
        }
        let progress = Progress {
            done: self.done,
            total: self.total,
        };
        self.observer.result(&item, progress);
        if self.keep_results {
            match item {
                Item::Ip(r) => self.finished_ips.push(r),
                Item::Name(n) => self.finished_names.push(n),
            }
        }
    }

    fn into_report(mut self, probes: Vec<ProbeResult>) -> DnsblReport {
        self.finished_ips.sort_by_key(|r| r.order);
        self.finished_names.sort_by_key(|r| r.order);
        DnsblReport {
            probes,
            ips: self.finished_ips,
            names: self.finished_names,
            summary: self.summary,
            name_errors: self.name_errors,
        }
    }
}

/// Zone slots for one address or name: the zones `applies` selects, stopped ones already
/// answered with their error.
fn slots_for(
    zones: &[Arc<Zone>],
    stopped: &[Option<String>],
    applies: impl Fn(&Zone) -> bool,
) -> Vec<(usize, Option<ZoneResult>)> {
    (0..zones.len())
        .filter(|&z| applies(&zones[z]))
        .map(|z| {
            let result = stopped[z].as_ref().map(|reason| ZoneResult {
                zone: zones[z].name.clone(),
                kind: zones[z].kind,
                status: Status::Error,
                codes: Vec::new(),
                meaning: None,
                txt: None,
                error: Some(reason.clone()),
            });
            (z, result)
        })
        .collect()
}

fn fill(slots: &mut [(usize, Option<ZoneResult>)], zone: usize, result: ZoneResult) {
    if let Some((_, slot)) = slots.iter_mut().find(|(z, _)| *z == zone) {
        *slot = Some(result);
    }
}

fn zone_outcome(zone: &Zone, outcome: Result<Check, String>) -> ZoneResult {
    match outcome {
        Ok(Check::Zone(result)) => result,
        Ok(Check::Reverse(_)) => error_result(zone, "internal error: wrong check result".into()),
        Err(e) => error_result(zone, e),
    }
}

fn error_result(zone: &Zone, error: String) -> ZoneResult {
    ZoneResult {
        zone: zone.name.clone(),
        kind: zone.kind,
        status: Status::Error,
        codes: Vec::new(),
        meaning: None,
        txt: None,
        error: Some(error),
    }
}

/// Queries one key (reversed address or domain name) in one zone, with its TXT when listed
/// and asked for. A failed TXT look-up leaves `txt` empty: the listing itself stands.
async fn check_zone(
    resolver: Arc<dyn Resolve>,
    zone: Arc<Zone>,
    key: String,
    txt: bool,
) -> ZoneResult {
    let name = zone.query_name(&key);
    let answer = resolver.lookup(&name, RecordType::A).await;
    let mut result = ZoneResult {
        zone: zone.name.clone(),
        kind: zone.kind,
        status: Status::NotListed,
        codes: Vec::new(),
        meaning: None,
        txt: None,
        error: None,
    };
    match decode(&zone, &answer) {
        Decoded::NotListed => {}
        Decoded::Listed { codes, meaning } => {
            result.status = Status::Listed;
            result.codes = codes;
            result.meaning = Some(meaning);
            if txt {
                if let Ok(answer) = resolver.lookup(&name, RecordType::Txt).await {
                    let texts: Vec<String> = answer
                        .records
                        .iter()
                        .filter_map(|r| match &r.data {
                            Rdata::Txt(parts) => {
                                Some(String::from_utf8_lossy(&parts.concat()).into_owned())
                            }
                            _ => None,
                        })
                        .collect();
                    if !texts.is_empty() {
                        result.txt = Some(texts.join("; "));
                    }
                }
            }
        }
        Decoded::Error { codes, error } => {
            result.status = Status::Error;
            result.codes = codes;
            result.error = Some(error);
        }
    }
    result
}

/// The A and AAAA addresses of a host name. NXDOMAIN/NODATA just mean no addresses of that
/// family; temporary failures are reported (the name then counts as incomplete).
async fn resolve_host(resolver: Arc<dyn Resolve>, name: &str) -> (Vec<IpAddr>, Option<String>) {
    let mut addrs: Vec<IpAddr> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for rtype in [RecordType::A, RecordType::Aaaa] {
        match resolver.lookup(name, rtype).await {
            Ok(answer) => {
                for record in &answer.records {
                    let ip = match record.data {
                        Rdata::A(a) => IpAddr::V4(a),
                        Rdata::Aaaa(a) => IpAddr::V6(a),
                        _ => continue,
                    };
                    if !addrs.contains(&ip) {
                        addrs.push(ip);
                    }
                }
            }
            Err(LookupError::NxDomain | LookupError::NoData) => {}
            Err(e) => errors.push(format!("{rtype:?} look-up for {name} failed: {e}")),
        }
    }
    let error = (!errors.is_empty()).then(|| errors.join("; "));
    (addrs, error)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::dns::LookupResult;
    use crate::dnsbl::catalogue::Catalogue;
    use crate::dnsbl::fake::FakeResolver;
    use crate::dnsbl::targets::parse_arg;
    use crate::exit::Outcome;

    fn zones(ids: &[&str]) -> Vec<Zone> {
        let catalogue = match Catalogue::builtin() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let picks: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        match catalogue.select(&picks) {
            Ok(z) => z,
            Err(e) => panic!("{e}"),
        }
    }

    fn plan(items: &[&str]) -> Plan {
        let sourced: Vec<_> = items
            .iter()
            .map(|s| match parse_arg(s) {
                Ok(t) => t,
                Err(e) => panic!("{e}"),
            })
            .collect();
        match Plan::new(&sourced, DEFAULT_MAX_IPS) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    /// Healthy test entries for the zones used below.
    fn healthy() -> FakeResolver {
        FakeResolver::new()
            .a(
                "2.0.0.127.zen.spamhaus.org",
                &["127.0.0.2", "127.0.0.4", "127.0.0.10"],
            )
            .a("2.0.0.127.bl.spamcop.net", &["127.0.0.2"])
            .a("2.0.0.127.list.dnswl.org", &["127.0.10.0"])
            .a("dbltest.com.dbl.spamhaus.org", &["127.0.1.2"])
    }

    #[derive(Default)]
    struct Recorder {
        probes: Vec<ProbeResult>,
        total: Option<usize>,
        items: Vec<(String, Progress)>,
    }

    impl Observer for Recorder {
        fn probed(&mut self, probe: &ProbeResult) {
            self.probes.push(probe.clone());
        }
        fn started(&mut self, total: usize) {
            self.total = Some(total);
        }
        fn result(&mut self, item: &Item, progress: Progress) {
            let label = match item {
                Item::Ip(r) => r.ip.to_string(),
                Item::Name(n) => n.name.clone(),
            };
            self.items.push((label, progress));
        }
    }

    fn status_of(result: &IpResult, zone: &str) -> (Status, Option<String>, Option<String>) {
        match result.zones.iter().find(|z| z.zone == zone) {
            Some(z) => (z.status, z.meaning.clone(), z.error.clone()),
            None => panic!("{} has no {zone} result: {:?}", result.ip, result.zones),
        }
    }

    #[tokio::test]
    async fn bulk_run_decodes_streams_and_sorts_back_into_input_order() {
        let fake = healthy()
            .a("7.113.0.203.zen.spamhaus.org", &["127.0.0.2", "127.0.0.9"])
            .txt(
                "7.113.0.203.zen.spamhaus.org",
                "https://check.spamhaus.org/sbl/query/SBL1",
            )
            .a("7.113.0.203.bl.spamcop.net", &["127.0.0.2"])
            .a("1.2.0.192.zen.spamhaus.org", &["127.0.0.11"])
            .fail(
                "2.2.0.192.bl.spamcop.net",
                RecordType::A,
                LookupError::Timeout,
            )
            .a("3.2.0.192.list.dnswl.org", &["127.0.3.2"])
            .ptr("203.0.113.7", &["203-0-113-7.dsl.example.net"])
            .a("203-0-113-7.dsl.example.net", &["203.0.113.7"]);
        let fake = Arc::new(fake);
        let mut rec = Recorder::default();
        let options = RunOptions {
            txt: true,
            ..RunOptions::default()
        };
        let report = run(
            fake.clone(),
            zones(&["zen", "spamcop", "dnswl"]),
            plan(&["203.0.113.7", "192.0.2.0/30", "10.0.0.1"]),
            &options,
            &mut rec,
        )
        .await;

        let order: Vec<String> = report.ips.iter().map(|r| r.ip.to_string()).collect();
        assert_eq!(
            order,
            [
                "203.0.113.7",
                "192.0.2.0",
                "192.0.2.1",
                "192.0.2.2",
                "192.0.2.3",
                "10.0.0.1"
            ]
        );
        assert_eq!(rec.total, Some(6));
        assert_eq!(rec.items.len(), 6);
        // The skipped address is delivered first (no queries), and progress counts up to the total.
        assert_eq!(rec.items[0].0, "10.0.0.1");
        let dones: Vec<usize> = rec.items.iter().map(|(_, p)| p.done).collect();
        assert_eq!(dones, [1, 2, 3, 4, 5, 6]);
        assert!(rec.items.iter().all(|(_, p)| p.total == 6));
        assert_eq!(rec.probes.len(), 3);
        assert!(report.probes.iter().all(|p| p.status == ProbeStatus::Ok));

        let listed = &report.ips[0];
        let zen = &listed.zones[0];
        assert_eq!(
            (zen.zone.as_str(), zen.status),
            ("zen.spamhaus.org", Status::Listed)
        );
        assert_eq!(
            zen.codes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            ["127.0.0.2", "127.0.0.9"]
        );
        assert!(zen
            .meaning
            .as_deref()
            .is_some_and(|m| m.starts_with("SBL:") && m.contains("; DROP:")));
        assert_eq!(
            zen.txt.as_deref(),
            Some("https://check.spamhaus.org/sbl/query/SBL1")
        );
        assert_eq!(status_of(listed, "bl.spamcop.net").0, Status::Listed);
        assert_eq!(status_of(listed, "list.dnswl.org").0, Status::NotListed);
        assert_eq!(listed.ptr, ["203-0-113-7.dsl.example.net"]);
        assert_eq!(listed.fcrdns, Some(true));
        assert!(listed.dynamic.looks_dynamic);
        assert_eq!(listed.source, "203.0.113.7");

        let pbl = &report.ips[2];
        assert_eq!(pbl.source, "192.0.2.0/30");
        assert!(status_of(pbl, "zen.spamhaus.org")
            .1
            .is_some_and(|m| m.starts_with("PBL (Spamhaus")));
        assert_eq!(pbl.fcrdns, Some(false));
        // A timeout is an error, never "not listed".
        let (status, _, error) = status_of(&report.ips[3], "bl.spamcop.net");
        assert_eq!(
            (status, error.as_deref()),
            (
                Status::Error,
                Some("bl.spamcop.net look-up failed: timed out")
            )
        );
        assert_eq!(
            status_of(&report.ips[4], "list.dnswl.org").0,
            Status::Listed
        );

        let skipped = &report.ips[5];
        assert_eq!(
            skipped.skipped.as_deref(),
            Some("private address (RFC 1918): not queried")
        );
        assert!(skipped.zones.is_empty() && skipped.ptr.is_empty() && skipped.fcrdns.is_none());
        assert!(
            fake.queries()
                .iter()
                .all(|(name, _)| !name.starts_with("1.0.0.10.")),
            "a skipped address was queried"
        );

        let summary: Vec<(&str, usize, usize, usize)> = report
            .summary
            .iter()
            .map(|s| (s.zone.as_str(), s.listed, s.not_listed, s.error))
            .collect();
        assert_eq!(
            summary,
            [
                ("zen.spamhaus.org", 2, 3, 0),
                ("bl.spamcop.net", 1, 3, 1),
                ("list.dnswl.org", 1, 4, 0)
            ]
        );
        assert_eq!(report.outcome(), Outcome::Flagged);
    }

    #[tokio::test]
    async fn a_failed_probe_stops_the_zone_for_every_address() {
        let fake = healthy().a("2.0.0.127.zen.spamhaus.org", &["127.255.255.254"]);
        let fake = Arc::new(fake);
        let mut rec = Recorder::default();
        let report = run(
            fake.clone(),
            zones(&["zen", "spamcop"]),
            plan(&["192.0.2.1", "192.0.2.2"]),
            &RunOptions::default(),
            &mut rec,
        )
        .await;
        assert_eq!(
            rec.probes
                .iter()
                .find(|p| p.zone == "zen.spamhaus.org")
                .map(|p| p.status),
            Some(ProbeStatus::Failed)
        );
        for r in &report.ips {
            let (status, _, error) = status_of(r, "zen.spamhaus.org");
            assert_eq!(status, Status::Error);
            let error = error.unwrap_or_default();
            assert!(error.starts_with("zone stopped for this run: probe failed: test entry 127.0.0.2: 127.255.255.254: Spamhaus: query sent through a public/open resolver"), "{error}");
            assert_eq!(status_of(r, "bl.spamcop.net").0, Status::NotListed);
        }
        // The stopped zone is never queried for the addresses.
        assert!(fake
            .queries()
            .iter()
            .all(|(n, _)| !(n.ends_with(".0.192.zen.spamhaus.org"))));
        let zen = &report.summary[0];
        assert_eq!((zen.error, zen.listed, zen.not_listed), (2, 0, 0));
        assert!(zen.stopped.is_some());
        assert_eq!(report.outcome(), Outcome::Incomplete);
    }

    #[tokio::test]
    async fn allow_list_hits_never_flag_and_clean_runs_are_clean() {
        let fake = healthy().a("1.2.0.192.list.dnswl.org", &["127.0.5.3"]);
        let report = run(
            Arc::new(fake),
            zones(&["zen", "dnswl"]),
            plan(&["192.0.2.1"]),
            &RunOptions::default(),
            &mut (),
        )
        .await;
        assert_eq!(
            status_of(&report.ips[0], "list.dnswl.org").0,
            Status::Listed
        );
        assert_eq!(report.outcome(), Outcome::Clean);
    }

    #[tokio::test]
    async fn ipv6_uses_nibble_names_and_only_ipv6_zones() {
        let v6key = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2";
        let fake = healthy().a(&format!("{v6key}.zen.spamhaus.org"), &["127.0.0.3"]);
        let report = run(
            Arc::new(fake),
            zones(&["zen", "spamcop", "dnswl"]),
            plan(&["2001:db8::1"]),
            &RunOptions::default(),
            &mut (),
        )
        .await;
        let r = &report.ips[0];
        let names: Vec<&str> = r.zones.iter().map(|z| z.zone.as_str()).collect();
        assert_eq!(names, ["zen.spamhaus.org", "list.dnswl.org"]);
        assert!(status_of(r, "zen.spamhaus.org")
            .1
            .is_some_and(|m| m.starts_with("CSS:")));
    }

    #[tokio::test]
    async fn host_names_are_resolved_and_checked_against_domain_lists() {
        let fake = healthy()
            .a("mail.example.net", &["192.0.2.10", "10.1.1.1"])
            .aaaa("mail.example.net", &["2001:db8::10"])
            .a("mail.example.net.dbl.spamhaus.org", &["127.0.1.2"])
            .a("10.2.0.192.zen.spamhaus.org", &["127.0.0.4"])
            .fail("broken.example.net", RecordType::A, LookupError::ServFail)
            .txt("nomail.example.net", "v=spf1 -all");
        let mut rec = Recorder::default();
        let report = run(
            Arc::new(fake),
            zones(&["zen", "dbl"]),
            plan(&[
                "mail.example.net",
                "192.0.2.99",
                "broken.example.net",
                "nomail.example.net",
            ]),
            &RunOptions::default(),
            &mut rec,
        )
        .await;
        let ips: Vec<(String, &str)> = report
            .ips
            .iter()
            .map(|r| (r.ip.to_string(), r.source.as_str()))
            .collect();
        assert_eq!(
            ips,
            [
                ("192.0.2.10".to_string(), "mail.example.net"),
                ("10.1.1.1".to_string(), "mail.example.net"),
                ("2001:db8::10".to_string(), "mail.example.net"),
                ("192.0.2.99".to_string(), "192.0.2.99"),
            ]
        );
        assert_eq!(rec.total, Some(7));
        assert!(report.ips[1].skipped.is_some());
        assert_eq!(
            status_of(&report.ips[0], "zen.spamhaus.org").0,
            Status::Listed
        );
        // Domain lists are not queried with addresses.
        assert!(report.ips[0].zones.iter().all(|z| z.kind.is_ip()));

        let names: Vec<&str> = report.names.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "mail.example.net",
                "broken.example.net",
                "nomail.example.net"
            ]
        );
        let mail = &report.names[0];
        assert_eq!(mail.addresses.len(), 3);
        assert_eq!(
            (mail.zones[0].zone.as_str(), mail.zones[0].status),
            ("dbl.spamhaus.org", Status::Listed)
        );
        assert_eq!(mail.zones[0].meaning.as_deref(), Some("DBL: spam domain"));
        assert_eq!(
            report.names[1].error.as_deref(),
            Some("A look-up for broken.example.net failed: server failure (SERVFAIL)")
        );
        // No addresses at all is an answer, not an error: the domain list still applies.
        let nomail = &report.names[2];
        assert_eq!((nomail.addresses.len(), nomail.error.as_deref()), (0, None));
        assert_eq!(nomail.zones[0].status, Status::NotListed);
        assert_eq!(report.outcome(), Outcome::Flagged);
        let dbl = report
            .summary
            .iter()
            .find(|s| s.zone == "dbl.spamhaus.org")
            .map(|s| (s.listed, s.not_listed, s.error));
        assert_eq!(dbl, Some((1, 2, 0)));
    }

    #[tokio::test]
    async fn host_addresses_beyond_max_ips_are_an_error_on_the_name() {
        let fake = healthy().a("big.example.net", &["192.0.2.1", "192.0.2.2", "192.0.2.3"]);
        let options = RunOptions {
            max_ips: 2,
            ..RunOptions::default()
        };
        let report = run(
            Arc::new(fake),
            zones(&["spamcop"]),
            plan(&["192.0.2.9", "big.example.net"]),
            &options,
            &mut (),
        )
        .await;
        assert_eq!(report.ips.len(), 2);
        assert_eq!(
            report.names[0].error.as_deref(),
            Some("2 addresses not checked: more than --max-ips 2")
        );
        assert_eq!(report.outcome(), Outcome::Incomplete);
    }

    #[test]
    fn the_run_future_is_send_so_the_binary_may_spawn_it() {
        fn assert_send<T: Send>(_: &T) {}
        let mut observer = ();
        let options = RunOptions::default();
        let resolver: Arc<dyn Resolve> = Arc::new(FakeResolver::new());
        let future = run(
            resolver,
            Vec::new(),
            Plan::default(),
            &options,
            &mut observer,
        );
        assert_send(&future);
    }

    #[tokio::test]
    async fn a_window_of_one_still_checks_everything() {
        let mut rec = Recorder::default();
        let options = RunOptions {
            concurrency: 1,
            ..RunOptions::default()
        };
        let report = run(
            Arc::new(healthy()),
            zones(&["zen", "spamcop"]),
            plan(&["198.51.100.0/28"]),
            &options,
            &mut rec,
        )
        .await;
        assert_eq!(report.ips.len(), 16);
        assert_eq!(
            rec.items.last().map(|(_, p)| *p),
            Some(Progress {
                done: 16,
                total: 16
            })
        );
        assert!(report
            .ips
            .iter()
            .all(|r| r.zones.len() == 2 && r.zones.iter().all(|z| z.status == Status::NotListed)));
        assert_eq!(report.outcome(), Outcome::Clean);
    }

    #[tokio::test]
    async fn serialized_shape_matches_the_contract() {
        let fake = healthy().a("1.2.0.192.zen.spamhaus.org", &["127.255.255.255"]);
        let report = run(
            Arc::new(fake),
            zones(&["zen"]),
            plan(&["192.0.2.1"]),
            &RunOptions::default(),
            &mut (),
        )
        .await;
        let json = match serde_json::to_string(&report.ips[0]) {
            Ok(j) => j,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            json,
            concat!(
                r#"{"ip":"192.0.2.1","source":"192.0.2.1","ptr":[],"fcrdns":false,"ptr_error":null,"#,
                r#""dynamic":{"looks_dynamic":false,"reason":"no PTR record, so no name to judge (a missing PTR is itself a bad sign for a mail server)"},"#,
                r#""zones":[{"zone":"zen.spamhaus.org","kind":"ip_block","status":"error","codes":["127.255.255.255"],"meaning":null,"txt":null,"#,
                r#""error":"127.255.255.255: Spamhaus: excessive number of queries from this resolver; refused (use DQS or a data feed)"}],"skipped":null}"#
            )
        );
        let item = match serde_json::to_value(Item::Name(NameResult {
            name: "x.example".into(),
            addresses: vec![],
            error: None,
            zones: vec![],
            order: 0,
        })) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(item["type"], "name");
        let summary = match serde_json::to_string(&report.summary) {
            Ok(j) => j,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            summary,
            r#"[{"zone":"zen.spamhaus.org","kind":"ip_block","listed":0,"not_listed":0,"error":1,"stopped":null}]"#
        );
        let zone = &report.ips[0].zones[0];
        assert_eq!(zone.status, Status::Error);
        assert_eq!(
            zone.codes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            ["127.255.255.255"]
        );
        assert!(zone
            .error
            .as_deref()
            .is_some_and(|e| e.contains("excessive number of queries")));
        assert_eq!(report.outcome(), Outcome::Incomplete);
    }

    #[tokio::test]
    async fn without_keep_results_the_report_has_only_counts_and_the_outcome_holds() {
        let fake = || {
            healthy()
                .a("1.2.0.192.zen.spamhaus.org", &["127.0.0.2"])
                .fail(
                    "2.2.0.192.bl.spamcop.net",
                    RecordType::A,
                    LookupError::Timeout,
                )
                .a("mail.example.net", &["192.0.2.1", "192.0.2.9"])
                .fail("broken.example.net", RecordType::A, LookupError::ServFail)
        };
        let targets = [
            "192.0.2.0/30",
            "10.0.0.1",
            "mail.example.net",
            "broken.example.net",
        ];
        let picks = ["zen", "spamcop", "dbl"];
        let streamed = RunOptions {
            keep_results: false,
            ..RunOptions::default()
        };
        let mut kept_rec = Recorder::default();
        let kept = run(
            Arc::new(fake()),
            zones(&picks),
            plan(&targets),
            &RunOptions::default(),
            &mut kept_rec,
        )
        .await;
        let mut rec = Recorder::default();
        let report = run(
            Arc::new(fake()),
            zones(&picks),
            plan(&targets),
            &streamed,
            &mut rec,
        )
        .await;
        assert!(report.ips.is_empty() && report.names.is_empty());
        assert_eq!(kept.ips.len(), 6);
        // Every result still reached the observer, with the same progress.
        assert_eq!(rec.total, Some(8));
        let mut labels: Vec<String> = rec.items.iter().map(|(l, _)| l.clone()).collect();
        labels.sort();
        let mut kept_labels: Vec<String> = kept_rec.items.iter().map(|(l, _)| l.clone()).collect();
        kept_labels.sort();
        assert_eq!(labels, kept_labels);
        assert_eq!(labels.len(), 8);
        assert_eq!(
            rec.items.last().map(|(_, p)| *p),
            Some(Progress { done: 8, total: 8 })
        );
        let summary: Vec<(&str, usize, usize, usize)> = report
            .summary
            .iter()
            .map(|s| (s.zone.as_str(), s.listed, s.not_listed, s.error))
            .collect();
        assert_eq!(
            summary,
            [
                ("zen.spamhaus.org", 1, 4, 0),
                ("bl.spamcop.net", 0, 4, 1),
                ("dbl.spamhaus.org", 0, 2, 0)
            ]
        );
        assert_eq!(report.summary, kept.summary);
        assert_eq!(report.outcome(), Outcome::Flagged);
        assert_eq!(kept.outcome(), Outcome::Flagged);

        // Without the listing, the zone error and the failed name each leave it incomplete.
        let unlisted = || {
            healthy()
                .fail(
                    "2.2.0.192.bl.spamcop.net",
                    RecordType::A,
                    LookupError::Timeout,
                )
                .fail("broken.example.net", RecordType::A, LookupError::ServFail)
        };
        let zone_error = run(
            Arc::new(unlisted()),
            zones(&["spamcop"]),
            plan(&["192.0.2.2"]),
            &streamed,
            &mut (),
        )
        .await;
        assert_eq!(zone_error.outcome(), Outcome::Incomplete);
        let name_error = run(
            Arc::new(unlisted()),
            zones(&["zen"]),
            plan(&["192.0.2.1", "broken.example.net"]),
            &streamed,
            &mut (),
        )
        .await;
        assert!(name_error.names.is_empty());
        assert!(name_error.summary.iter().all(|s| s.error == 0));
        assert_eq!(name_error.outcome(), Outcome::Incomplete);
        let clean = run(
            Arc::new(unlisted()),
            zones(&["zen", "spamcop"]),
            plan(&["192.0.2.1", "192.0.2.3"]),
            &streamed,
            &mut (),
        )
        .await;
        assert_eq!(clean.outcome(), Outcome::Clean);
    }

    /// Counts the look-ups in flight around a table resolver, yielding once inside each so
    /// that every task the window allows starts before any ends.
    struct Counting {
        inner: FakeResolver,
        now: AtomicUsize,
        peak: AtomicUsize,
    }

    impl Resolve for Counting {
        fn lookup<'a>(
            &'a self,
            name: &'a str,
            rtype: RecordType,
        ) -> Pin<Box<dyn Future<Output = LookupResult> + Send + 'a>> {
            Box::pin(async move {
                let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
                self.peak.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                let answer = self.inner.lookup(name, rtype).await;
                self.now.fetch_sub(1, Ordering::SeqCst);
                answer
            })
        }
    }

    #[tokio::test]
    async fn pending_addresses_and_lookups_stay_within_the_window() {
        let limit = 8;
        let resolver = Arc::new(Counting {
            inner: healthy().a("7.100.51.198.zen.spamhaus.org", &["127.0.0.2"]),
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });
        let options = RunOptions {
            concurrency: limit,
            keep_results: false,
            ..RunOptions::default()
        };
        let zones: Vec<Arc<Zone>> = zones(&["zen", "spamcop"])
            .into_iter()
            .map(Arc::new)
            .collect();
        let mut rec = Recorder::default();
        let mut checks = Checks::new(
            resolver.clone(),
            zones,
            vec![None, None],
            &[0, 1],
            &options,
            &mut rec,
        );
        checks.start(plan(&["198.51.100.0/24"]).ips, Vec::new());
        let mut peak_pending = 0;
        drive(
            &mut checks,
            limit,
            |c| {
                let job = c.next_job();
                peak_pending = peak_pending.max(c.ips.len());
                job
            },
            Checks::done,
        )
        .await;
        let report = checks.into_report(Vec::new());
        // Three checks per address (PTR, two zones) in a window of 8: addresses overlap, but
        // never more are pending than checks in flight, out of 256.
        assert!(
            (2..=limit).contains(&peak_pending),
            "peak pending {peak_pending}"
        );
        assert_eq!(resolver.peak.load(Ordering::SeqCst), limit);
        assert_eq!(resolver.now.load(Ordering::SeqCst), 0);
        assert_eq!(rec.items.len(), 256);
        assert!(report.ips.is_empty());
        let summary: Vec<(usize, usize, usize)> = report
            .summary
            .iter()
            .map(|s| (s.listed, s.not_listed, s.error))
            .collect();
        assert_eq!(summary, [(1, 255, 0), (0, 256, 0)]);
        assert_eq!(report.outcome(), Outcome::Flagged);
    }
}

/// The zone fixtures the integration tests serve, run through the same logic with a table
/// resolver: keeps tests/fixtures/dns/EXPECTED.md true.
#[cfg(test)]
mod fixture_tests {
    use std::path::Path;

    use super::*;
    use crate::dnsbl::catalogue::Catalogue;
    use crate::dnsbl::fake::FakeResolver;
    use crate::dnsbl::targets::parse_arg;
    use crate::exit::Outcome;

    fn fixtures() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dns")
    }

    async fn check(items: &[&str], picks: &[&str]) -> DnsblReport {
        let resolver = match FakeResolver::from_zone_files(&fixtures()) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let mut catalogue = match Catalogue::builtin() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        if let Err(e) = catalogue.add_file(&fixtures().join("custom-zones.toml")) {
            panic!("{e}");
        }
        let picks: Vec<String> = picks.iter().map(|s| s.to_string()).collect();
        let zones = match catalogue.select(&picks) {
            Ok(z) => z,
            Err(e) => panic!("{e}"),
        };
        let sourced: Vec<_> = items.iter().filter_map(|s| parse_arg(s).ok()).collect();
        assert_eq!(sourced.len(), items.len());
        let plan = match Plan::new(&sourced, DEFAULT_MAX_IPS) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        let options = RunOptions {
            txt: true,
            ..RunOptions::default()
        };
        run(Arc::new(resolver), zones, plan, &options, &mut ()).await
    }

    /// The non-"not listed" zone results of one address or name, as `zone=status[codes]`.
    fn hits(zones: &[ZoneResult]) -> Vec<String> {
        zones
            .iter()
            .filter(|z| z.status != Status::NotListed)
            .map(|z| {
                let codes: Vec<String> = z.codes.iter().map(|c| c.to_string()).collect();
                format!("{}={:?}[{}]", z.zone, z.status, codes.join(","))
            })
            .collect()
    }

    #[tokio::test]
    async fn default_zones_over_the_fixture_addresses() {
        let report = check(
            &[
                "192.0.2.1",
                "192.0.2.2",
                "192.0.2.3",
                "192.0.2.4",
                "192.0.2.5",
                "192.0.2.6",
                "192.0.2.7",
                "192.0.2.8",
                "192.0.2.9",
                "192.0.2.10",
                "192.0.2.11",
                "192.0.2.12",
                "198.51.100.10",
                "198.51.100.20",
                "198.51.100.21",
                "198.51.100.22",
                "203.0.113.7",
                "2001:db8::25",
                "2001:db8::26",
                "10.0.0.1",
            ],
            &[],
        )
        .await;
        assert!(
            report.probes.iter().all(|p| p.status == ProbeStatus::Ok),
            "{:?}",
            report.probes
        );
        let got: Vec<(String, Vec<String>, Option<bool>, bool)> = report
            .ips
            .iter()
            .map(|r| {
                (
                    r.ip.to_string(),
                    hits(&r.zones),
                    r.fcrdns,
                    r.dynamic.looks_dynamic,
                )
            })
            .collect();
        let want: Vec<(&str, Vec<&str>, Option<bool>, bool)> = vec![
            (
                "192.0.2.1",
                vec![
                    "zen.spamhaus.org=Listed[127.0.0.2]",
                    "bl.spamcop.net=Listed[127.0.0.2]",
                ],
                Some(true),
                false,
            ),
            (
                "192.0.2.2",
                vec!["zen.spamhaus.org=Listed[127.0.0.4,127.0.0.10]"],
                Some(true),
                true,
            ),
            (
                "192.0.2.3",
                vec!["zen.spamhaus.org=Listed[127.0.0.11]"],
                Some(false),
                false,
            ),
            (
                "192.0.2.4",
                vec!["zen.spamhaus.org=Error[127.255.255.254]"],
                Some(false),
                false,
            ),
            (
                "192.0.2.5",
                vec!["zen.spamhaus.org=Error[127.0.0.99]"],
                Some(false),
                false,
            ),
            ("192.0.2.6", vec![], Some(true), false),
            (
                "192.0.2.7",
                vec!["list.dnswl.org=Listed[127.0.5.2]"],
                Some(true),
                false,
            ),
            (
                "192.0.2.8",
                vec!["zen.spamhaus.org=Listed[127.0.0.2,127.0.0.9]"],
                Some(false),
                true,
            ),
            (
                "192.0.2.9",
                vec!["list.dnswl.org=Error[127.0.0.255]"],
                Some(true),
                false,
            ),
            (
                "192.0.2.10",
                vec!["zen.spamhaus.org=Error[127.255.255.255]"],
                Some(false),
                false,
            ),
            ("192.0.2.11", vec![], Some(false), false),
            ("192.0.2.12", vec![], Some(false), false),
            (
                "198.51.100.10",
                vec!["bl.spamcop.net=Listed[127.0.0.2]"],
                Some(false),
                true,
            ),
            (
                "198.51.100.20",
                vec!["psbl.surriel.com=Listed[127.0.0.2]"],
                Some(false),
                true,
            ),
            (
                "198.51.100.21",
                vec!["bl.mailspike.net=Listed[127.0.0.2,127.0.0.10]"],
                Some(false),
                false,
            ),
            (
                "198.51.100.22",
                vec!["dnsbl-1.uceprotect.net=Listed[127.0.0.2]"],
                Some(false),
                false,
            ),
            (
                "203.0.113.7",
                vec!["zen.spamhaus.org=Listed[127.0.0.10]"],
                Some(false),
                true,
            ),
            (
                "2001:db8::25",
                vec!["zen.spamhaus.org=Listed[127.0.0.3]"],
                Some(true),
                false,
            ),
            (
                "2001:db8::26",
                vec!["list.dnswl.org=Listed[127.0.3.3]"],
                Some(false),
                false,
            ),
            ("10.0.0.1", vec![], None, false),
        ];
        let want: Vec<(String, Vec<String>, Option<bool>, bool)> = want
            .into_iter()
            .map(|(ip, hits, f, d)| {
                (
                    ip.to_string(),
                    hits.into_iter().map(String::from).collect(),
                    f,
                    d,
                )
            })
            .collect();
        assert_eq!(got, want);

        let by_ip = |ip: &str| report.ips.iter().find(|r| r.ip.to_string() == ip);
        let one = by_ip("192.0.2.1").map(|r| r.zones[0].txt.clone());
        assert_eq!(
            one,
            Some(Some(
                "https://check.spamhaus.org/sbl/query/SBL100001".to_string()
            ))
        );
        assert_eq!(
            by_ip("192.0.2.2").map(|r| r.dynamic.reason.as_str()),
            Some("192-0-2-2.dsl.example.net: name contains the address (192-0-2-2) and 'dsl'")
        );
        assert_eq!(
            by_ip("192.0.2.6").map(|r| r.dynamic.reason.as_str()),
            Some("static-192-0-2-6.example.net: contains 'static' (a fixed address) but also the address (192-0-2-6): a generic, likely end-user name")
        );
        assert_eq!(by_ip("192.0.2.9").map(|r| r.ptr.len()), Some(2));
        assert_eq!(by_ip("2001:db8::25").map(|r| r.zones.len()), Some(2));
        assert_eq!(report.outcome(), Outcome::Flagged);
    }

    #[tokio::test]
    async fn fixture_names_against_domain_lists() {
        let report = check(
            &[
                "mail.example.net",
                "spammy.example.net",
                "phish.example.net",
                "redirect.example.net",
                "weird.example.net",
                "malware.example.net",
                "grey.example.net",
                "refused.example.net",
                "internal.example.net",
            ],
            &["dbl", "surbl", "uribl", "zen"],
        )
        .await;
        let got: Vec<(String, usize, Vec<String>)> = report
            .names
            .iter()
            .map(|n| (n.name.clone(), n.addresses.len(), hits(&n.zones)))
            .collect();
        let want = [
            ("mail.example.net", 2, vec![]),
            (
                "spammy.example.net",
                1,
                vec!["dbl.spamhaus.org=Listed[127.0.1.2]"],
            ),
            (
                "phish.example.net",
                0,
                vec!["dbl.spamhaus.org=Listed[127.0.1.4]"],
            ),
            (
                "redirect.example.net",
                0,
                vec!["dbl.spamhaus.org=Listed[127.0.1.103]"],
            ),
            (
                "weird.example.net",
                0,
                vec!["dbl.spamhaus.org=Error[127.0.1.3]"],
            ),
            (
                "malware.example.net",
                0,
                vec!["multi.surbl.org=Listed[127.0.0.16]"],
            ),
            (
                "grey.example.net",
                0,
                vec!["multi.uribl.com=Listed[127.0.0.4]"],
            ),
            (
                "refused.example.net",
                0,
                vec!["multi.uribl.com=Error[127.0.0.1]"],
            ),
            ("internal.example.net", 2, vec![]),
        ];
        let want: Vec<(String, usize, Vec<String>)> = want
            .into_iter()
            .map(|(n, a, h)| (n.to_string(), a, h.into_iter().map(String::from).collect()))
            .collect();
        assert_eq!(got, want);
        let ips: Vec<(String, bool)> = report
            .ips
            .iter()
            .map(|r| (r.ip.to_string(), r.skipped.is_some()))
            .collect();
        assert_eq!(
            ips,
            [
                ("192.0.2.1".to_string(), false),
                ("2001:db8::25".to_string(), false),
                ("198.51.100.10".to_string(), false),
                ("10.0.0.5".to_string(), true),
                ("192.0.2.6".to_string(), false),
            ]
        );
        let spammy = report
            .names
            .iter()
            .find(|n| n.name == "spammy.example.net")
            .map(|n| n.zones[0].txt.clone());
        assert_eq!(
            spammy,
            Some(Some(
                "https://www.spamhaus.org/query/domain/spammy.example.net".to_string()
            ))
        );
    }

    #[tokio::test]
    async fn custom_zones_from_the_fixture_file() {
        let report = check(&["192.0.2.6", "192.0.2.1"], &["local", "broken"]).await;
        let probes: Vec<(&str, ProbeStatus)> = report
            .probes
            .iter()
            .map(|p| (p.zone.as_str(), p.status))
            .collect();
        assert_eq!(
            probes,
            [
                ("bl.local.example", ProbeStatus::Ok),
                ("bl.broken.example", ProbeStatus::Failed)
            ]
        );
        assert_eq!(
            hits(&report.ips[0].zones),
            [
                "bl.local.example=Listed[127.0.0.3]",
                "bl.broken.example=Error[]"
            ]
        );
        assert_eq!(
            report.ips[0].zones[0].meaning.as_deref(),
            Some("local: listed by hand")
        );
        assert!(report.ips[1].zones[1]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("127.0.0.1 must never be listed but answered 127.0.0.2")));
        assert_eq!(report.outcome(), Outcome::Flagged);
        let only_broken = check(&["192.0.2.1"], &["broken"]).await;
        assert_eq!(only_broken.outcome(), Outcome::Incomplete);
    }
}
