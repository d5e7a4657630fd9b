//! The resolver every command uses: a lean stub client (asks the configured recursive or
//! authoritative servers, never recurses itself) with typed outcomes, retries, a concurrency
//! limit and CNAME following.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, Query, ResponseCode};
use hickory_proto::rr::Name;
use tokio::sync::{OnceCell, Semaphore};

use super::record::from_wire;
use super::transport::{self, Transport, WireError, PER_SOCKET, UDP_PAYLOAD};
use super::{Answer, LookupError, LookupResult, RecordType, Resolve};

/// CNAME hops followed before giving up (a loop, or a chain no real zone needs).
const MAX_CNAME_HOPS: usize = 8;

/// How to reach DNS. Commands fill it from `--resolver`, `--dns-timeout` and the like.
#[derive(Debug, Clone)]
pub struct ResolverOptions {
    /// Servers to ask, tried in turn on timeouts; empty means the system's
    /// `/etc/resolv.conf` name servers (no search domains, no hosts file either way).
    pub servers: Vec<SocketAddr>,
    /// Time to wait for one reply before retrying.
    pub timeout: Duration,
    /// Tries per look-up (at least 1), rotating over `servers`.
    pub attempts: usize,
    /// Look-ups in flight at once; bulk runs stay fast without flooding the server.
    pub concurrency: usize,
}

impl Default for ResolverOptions {
    fn default() -> Self {
        ResolverOptions {
            servers: Vec::new(),
            timeout: Duration::from_secs(2),
            attempts: 3,
            concurrency: 256,
        }
    }
}

/// Why a resolver could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DnsSetupError {
    #[error("cannot read the system DNS configuration (/etc/resolv.conf): {0}; use --resolver IP")]
    SystemConfig(String),
    #[error("no DNS server configured; use --resolver IP")]
    NoServers,
    #[error("invalid DNS option: {0}")]
    Invalid(String),
}

/// The tokio runtime commands should run look-ups on. Measured on 2 cores with
/// `benches/dns_bulk.rs`: a current-thread runtime is the fastest for bulk look-ups (the
/// work per reply is tiny, so cross-thread wake-ups cost more than a second core gives).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// A runtime whose worker threads also carry CPU work: `auth` verifies many messages' signatures
/// at once on every core, while all of them share one resolver (and its sockets).
pub fn runtime_multi(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()
}

/// The hickory-free resolver behind [`Resolve`]. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Resolver {
    inner: Arc<Inner>,
}

struct Inner {
    servers: Vec<SocketAddr>,
    timeout: Duration,
    attempts: usize,
    limit: Semaphore,
    sockets_per_server: usize,
    transport: OnceCell<Transport>,
    next_server: AtomicUsize,
}

impl Resolver {
    /// Validates the options (and reads `/etc/resolv.conf` when no server is given). Sockets
    /// are opened on the first look-up, inside the caller's runtime.
    pub fn new(opts: ResolverOptions) -> Result<Resolver, DnsSetupError> {
        if opts.timeout.is_zero() {
            return Err(DnsSetupError::Invalid("timeout must be above zero".into()));
        }
        if opts.attempts == 0 || opts.concurrency == 0 {
            return Err(DnsSetupError::Invalid(
                "attempts and concurrency must be at least 1".into(),
            ));
        }
        let servers = if opts.servers.is_empty() {
            system_servers()?
        } else {
            opts.servers
        };
        if servers.is_empty() {
            return Err(DnsSetupError::NoServers);
        }
        Ok(Resolver {
            inner: Arc::new(Inner {
                servers,
                timeout: opts.timeout,
                attempts: opts.attempts,
                limit: Semaphore::new(opts.concurrency),
                sockets_per_server: opts.concurrency.div_ceil(PER_SOCKET),
                transport: OnceCell::new(),
                next_server: AtomicUsize::new(0),
            }),
        })
    }

    /// The servers in use (after reading the system configuration).
    pub fn servers(&self) -> &[SocketAddr] {
        &self.inner.servers
    }
}

/// The name servers of `/etc/resolv.conf` (read by hickory, which knows its quirks).
fn system_servers() -> Result<Vec<SocketAddr>, DnsSetupError> {
    let (config, _) = hickory_resolver::system_conf::read_system_conf()
        .map_err(|e| DnsSetupError::SystemConfig(e.to_string()))?;
    let mut servers = Vec::new();
    for ns in config.name_servers() {
        let port = ns.connections.first().map_or(53, |c| c.port);
        let addr = SocketAddr::new(ns.ip, port);
        if !servers.contains(&addr) {
            servers.push(addr);
        }
    }
    Ok(servers)
}

impl Resolve for Resolver {
    fn lookup<'a>(
        &'a self,
        name: &'a str,
        rtype: RecordType,
    ) -> Pin<Box<dyn Future<Output = LookupResult> + Send + 'a>> {
        Box::pin(self.inner.lookup(name, rtype))
    }
}

impl Inner {
    async fn lookup(&self, name: &str, rtype: RecordType) -> LookupResult {
        let _permit = self
            .limit
            .acquire()
            .await
            .map_err(|e| LookupError::Other(e.to_string()))?;
        let trimmed = name.trim_end_matches('.');
        // Labels are octets (RFC 2181 §11): names built by SPF macros may hold ':', '/', '%'
        // or spaces, which hickory's presentation-format parser rejects; read them as
        // `record::name_text` writes them.
        let ascii = if trimmed.contains('\\') {
            // hickory reads `\DDD` as octal; RFC 1035 says decimal.
            Err(())
        } else {
            Name::from_ascii(trimmed).map_err(|_| ())
        };
        let mut current = ascii
            .or_else(|()| Name::from_labels(super::record::labels_of(trimmed)))
            .map_err(|e| LookupError::Other(format!("invalid DNS name {name:?}: {e}")))?;
        current.set_fqdn(true);
        for _ in 0..MAX_CNAME_HOPS {
            let reply = self.query(&current, rtype).await?;
            match reply.metadata.response_code {
                ResponseCode::NoError => {}
                ResponseCode::NXDomain => return Err(LookupError::NxDomain),
                ResponseCode::ServFail => return Err(LookupError::ServFail),
                ResponseCode::Refused => return Err(LookupError::Refused),
                other => return Err(LookupError::Other(format!("server answered {other}"))),
            }
            let (records, end) = follow(&reply, &current, rtype);
            if !records.is_empty() {
                return Ok(Answer {
                    name: name.trim_end_matches('.').to_string(),
                    rtype,
                    records,
                });
            }
            if end == current {
                return Err(LookupError::NoData);
            }
            // The chain leaves this reply (e.g. into another zone): ask for its end.
            current = end;
        }
        Err(LookupError::Other(format!(
            "more than {MAX_CNAME_HOPS} CNAME hops from {name}"
        )))
    }

    /// One question, with retries over the servers, TCP on truncation.
    async fn query(&self, name: &Name, rtype: RecordType) -> Result<Message, LookupError> {
        let mut message = Message::query();
        message.metadata.recursion_desired = true;
        message.add_query(Query::query(name.clone(), rtype.to_wire()));
        let mut edns = Edns::new();
        edns.set_max_payload(UDP_PAYLOAD);
        message.set_edns(edns);
        let mut wire = message
            .to_vec()
            .map_err(|e| LookupError::Other(format!("cannot encode query for {name}: {e}")))?;
        let transport = self
            .transport
            .get_or_try_init(|| Transport::connect(&self.servers, self.sockets_per_server))
            .await
            .map_err(|e| LookupError::Other(format!("cannot open a UDP socket: {e}")))?;
        let first = self.next_server.fetch_add(1, Ordering::Relaxed);
        let mut last = LookupError::Timeout;
        for attempt in 0..self.attempts {
            let server = (first + attempt) % self.servers.len();
            let reply = match transport.udp(server, &mut wire, self.timeout).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    last = wire_error(e);
                    continue;
                }
            };
            let reply = match check(&reply, &wire, name, rtype) {
                Ok(reply) if reply.metadata.truncation => {
                    match transport::tcp(self.servers[server], &wire, self.timeout).await {
                        Ok(bytes) => check(&bytes, &wire, name, rtype),
                        Err(e) => Err(wire_error(e)),
                    }
                }
                other => other,
            };
            match reply {
                Ok(reply) => return Ok(reply),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

fn wire_error(e: WireError) -> LookupError {
    match e {
        WireError::Timeout => LookupError::Timeout,
        WireError::Io(text) => LookupError::Other(text),
    }
}

/// Decodes a reply and checks that it answers our query (id and question).
fn check(
    bytes: &[u8],
    query: &[u8],
    name: &Name,
    rtype: RecordType,
) -> Result<Message, LookupError> {
    let reply = Message::from_vec(bytes)
        .map_err(|e| LookupError::Other(format!("malformed reply for {name}: {e}")))?;
    let id_matches = query.get(..2) == Some(&reply.metadata.id.to_be_bytes()[..]);
    let question_matches = reply.queries.is_empty()
        && reply.metadata.response_code != ResponseCode::NoError
        || reply
            .queries
            .first()
            .is_some_and(|q| q.name == *name && q.query_type == rtype.to_wire());
    if reply.metadata.message_type != MessageType::Response || !id_matches || !question_matches {
        return Err(LookupError::Other(format!(
            "reply does not match the query for {name} {rtype}"
        )));
    }
    Ok(reply)
}

/// Follows CNAMEs from `start` through the answer section. Returns the records of `rtype`
/// found at the end of the chain, and the chain's last name.
fn follow(reply: &Message, start: &Name, rtype: RecordType) -> (Vec<super::Record>, Name) {
    let wire_type = rtype.to_wire();
    let mut current = start.clone();
    for _ in 0..=MAX_CNAME_HOPS {
        let records: Vec<_> = reply
            .answers
            .iter()
            .filter(|r| r.name == current && r.record_type() == wire_type)
            .map(from_wire)
            .collect();
        if !records.is_empty() {
            return (records, current);
        }
        let next = reply.answers.iter().find_map(|r| match &r.data {
            hickory_proto::rr::RData::CNAME(c) if r.name == current => Some(c.0.clone()),
            _ => None,
        });
        match next {
            Some(target) if target != current => current = target,
            _ => break,
        }
    }
    (Vec::new(), current)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dns::{reverse_name, Faults, Rdata, ZoneServer};
    use std::path::PathBuf;

    pub(crate) const ZONE: &str = r#"$ORIGIN example.test.
$TTL 300
@       IN SOA ns1 hostmaster 1 3600 600 86400 60
@       IN NS ns1
ns1     IN A 127.0.0.1
a       IN A 192.0.2.1
a       IN A 192.0.2.2
v6      IN AAAA 2001:db8::1
txt     IN TXT "v=spf1 " "ip4:192.0.2.0/24 -all"
@       IN MX 10 mx1
@       IN MX 20 mx2.example.test.
alias   IN CNAME a
alias2  IN CNAME alias
trunc   IN A 192.0.2.9
; mailsleuth-fault: drop timeout.example.test
; mailsleuth-fault: servfail broken.example.test
; mailsleuth-fault: refused refused.example.test
; mailsleuth-fault: truncate trunc.example.test
"#;

    const REVERSE: &str = "$TTL 300\n@ IN SOA ns1.example.test. h.example.test. 1 2 3 4 5\n\
        1 IN PTR a.example.test.\n";

    /// A fresh directory with the test zones (no tempfile dependency in the library).
    pub(crate) fn zone_dir(tag: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mailsleuth-dns-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
    }

    fn resolver(server: &ZoneServer, timeout_ms: u64) -> Resolver {
        Resolver::new(ResolverOptions {
            servers: vec![server.addr()],
            timeout: Duration::from_millis(timeout_ms),
            attempts: 2,
            concurrency: 16,
        })
        .unwrap()
    }

    #[test]
    fn every_outcome_end_to_end() {
        let dir = zone_dir(
            "outcomes",
            &[
                ("example.test.zone", ZONE),
                ("2.0.192.in-addr.arpa.zone", REVERSE),
            ],
        );
        let server = ZoneServer::start(&[dir], Faults::new()).unwrap();
        let res = resolver(&server, 300);
        let rt = runtime().unwrap();
        let q = |name: &str, t: RecordType| rt.block_on(res.lookup(name, t));
        let data = |r: LookupResult| -> Vec<Rdata> {
            r.unwrap().records.into_iter().map(|r| r.data).collect()
        };

        let a = q("a.example.test", RecordType::A).unwrap();
        assert_eq!(a.name, "a.example.test");
        assert_eq!(a.records[0].ttl, 300);
        let mut ips = data(Ok(a));
        ips.sort_by_key(|d| format!("{d:?}"));
        assert_eq!(
            ips,
            vec![
                Rdata::A("192.0.2.1".parse().unwrap()),
                Rdata::A("192.0.2.2".parse().unwrap())
            ]
        );
        assert_eq!(
            data(q("V6.Example.Test.", RecordType::Aaaa)),
            vec![Rdata::Aaaa("2001:db8::1".parse().unwrap())]
        );
        let ptr = reverse_name("192.0.2.1".parse().unwrap());
        assert_eq!(
            data(q(&ptr, RecordType::Ptr)),
            vec![Rdata::Ptr("a.example.test".into())]
        );
        assert_eq!(
            data(q("txt.example.test", RecordType::Txt)),
            vec![Rdata::Txt(vec![
                b"v=spf1 ".to_vec(),
                b"ip4:192.0.2.0/24 -all".to_vec()
            ])]
        );
        let mut mx = data(q("example.test", RecordType::Mx));
        mx.sort_by_key(|d| format!("{d:?}"));
        assert_eq!(
            mx,
            vec![
                Rdata::Mx {
                    preference: 10,
                    exchange: "mx1.example.test".into()
                },
                Rdata::Mx {
                    preference: 20,
                    exchange: "mx2.example.test".into()
                },
            ]
        );
        // Two CNAME hops; the records keep their real owner.
        let via = q("alias2.example.test", RecordType::A).unwrap();
        assert_eq!(via.name, "alias2.example.test");
        assert_eq!(via.records.len(), 2);
        assert!(via.records.iter().all(|r| r.name == "a.example.test"));
        assert_eq!(
            data(q("alias.example.test", RecordType::Cname)),
            vec![Rdata::Cname("a.example.test".into())]
        );

        assert_eq!(
            q("nope.example.test", RecordType::A),
            Err(LookupError::NxDomain)
        );
        assert_eq!(
            q("a.example.test", RecordType::Txt),
            Err(LookupError::NoData)
        );
        assert_eq!(
            q("broken.example.test", RecordType::A),
            Err(LookupError::ServFail)
        );
        assert_eq!(
            q("refused.example.test", RecordType::A),
            Err(LookupError::Refused)
        );
        assert_eq!(
            q("elsewhere.invalid", RecordType::A),
            Err(LookupError::Refused)
        );
        let started = std::time::Instant::now();
        assert_eq!(
            q("timeout.example.test", RecordType::A),
            Err(LookupError::Timeout)
        );
        assert!(
            started.elapsed() >= Duration::from_millis(600),
            "two attempts of 300 ms"
        );
        // The UDP reply is truncated and empty; the TCP retry gets the record.
        assert_eq!(
            data(q("trunc.example.test", RecordType::A)),
            vec![Rdata::A("192.0.2.9".parse().unwrap())]
        );
        assert!(matches!(
            q("bad..name", RecordType::A),
            Err(LookupError::Other(text)) if text.contains("invalid DNS name")
        ));
    }

    #[test]
    fn bulk_lookups_count_every_answer() {
        let mut zone = String::from("$TTL 60\n@ IN SOA ns. h. 1 2 3 4 5\n");
        for i in 0..2000 {
            if i % 3 == 0 {
                zone.push_str(&format!("h{i} IN A 10.0.{}.{}\n", i / 256, i % 256));
            }
        }
        let server = ZoneServer::from_text("bulk.test.zone", &zone, Faults::new()).unwrap();
        let res = Resolver::new(ResolverOptions {
            servers: vec![server.addr()],
            timeout: Duration::from_secs(2),
            attempts: 3,
            concurrency: 300,
        })
        .unwrap();
        let rt = runtime().unwrap();
        let results = rt.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            for i in 0..2000 {
                let res = res.clone();
                set.spawn(async move {
                    (
                        i,
                        res.lookup(&format!("h{i}.bulk.test"), RecordType::A).await,
                    )
                });
            }
            let mut out = Vec::new();
            while let Some(r) = set.join_next().await {
                out.push(r.unwrap());
            }
            out
        });
        assert_eq!(results.len(), 2000);
        for (i, r) in results {
            if i % 3 == 0 {
                let want = Rdata::A(format!("10.0.{}.{}", i / 256, i % 256).parse().unwrap());
                assert_eq!(r.unwrap().records[0].data, want, "h{i}");
            } else {
                assert_eq!(r, Err(LookupError::NxDomain), "h{i}");
            }
        }
    }

    #[test]
    fn options_are_checked() {
        let bad = ResolverOptions {
            servers: vec!["127.0.0.1:53".parse().unwrap()],
            attempts: 0,
            ..ResolverOptions::default()
        };
        let err = Resolver::new(bad).err().unwrap().to_string();
        assert!(err.contains("attempts"), "{err}");
    }
}
