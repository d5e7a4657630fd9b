//! The DNS answers one message's verification uses, fetched through `dns::Resolve` before
//! mail-auth and viadkim run, and served to both from memory, so both judge the same DNS and
//! `--dns-record` records every answer used.
//!
//! mail-auth asks its `ResolverCache`s before it queries; [`Answers`] is that cache. A name
//! that was not fetched is noted as a miss, and the verifiers' own resolver has no name
//! servers at all ([`offline_authenticator`]), so a miss fails at once as a resolver error
//! (temperror) and never reaches the network; the caller fetches the missed names and runs
//! the verification again (see `auth::analyse`).

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::{Atps, DomainKeyReport};
use mail_auth::dmarc::Dmarc;
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::{DnsError, Error, MessageAuthenticator, ResolverCache, Txt};

use crate::dns::{LookupError, Rdata, RecordType, Resolve};

/// What DNS said for one name and type.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// The records, shared by every message of the run that asks this name.
    Txt(Arc<TxtRecords>),
    Failed(LookupError),
}

/// The TXT records of one name (each record's character-strings joined, RFC 6376 section
/// 3.6.2.2), with what is parsed from them made once per run, not once per message: a folder
/// of 10,000 messages signed with one key decoded and checked that key 30,000 times (base64,
/// DER, an RSA modulus check or an ed25519 point decompression).
pub struct TxtRecords {
    records: Vec<Vec<u8>>,
    /// What mail-auth's look-up of this name gets (`parse_for`).
    parsed: OnceLock<Txt>,
    /// The first record that parses as a DKIM key, for the report's key facts.
    key: OnceLock<Option<DomainKey>>,
}

impl TxtRecords {
    pub fn new(records: Vec<Vec<u8>>) -> Self {
        TxtRecords {
            records,
            parsed: OnceLock::new(),
            key: OnceLock::new(),
        }
    }

    /// The first record that is a DKIM key record, if any.
    pub fn dkim_key(&self) -> Option<&DomainKey> {
        self.key
            .get_or_init(|| self.records.iter().find_map(|r| DomainKey::parse(r).ok()))
            .as_ref()
    }
}

impl std::ops::Deref for TxtRecords {
    type Target = [Vec<u8>];

    fn deref(&self) -> &[Vec<u8>] {
        &self.records
    }
}

impl std::fmt::Debug for TxtRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.records.iter()).finish()
    }
}

/// The TXT answers for one message, keyed by absolute lower-case name (`name.`, the form
/// mail-auth asks with). Only TXT is needed: SPF is evaluated by our own code.
#[derive(Default)]
pub struct Answers {
    txt: HashMap<String, Fetched>,
    missed: Mutex<HashSet<String>>,
    /// Every name in the order it was first fetched, for the report's DNS evidence.
    order: Vec<String>,
}

/// Definitive answers (records, NXDOMAIN, NODATA) shared by the messages of one run, so an
/// mbox of 100,000 messages from a few senders asks each key and `_dmarc` name once, and every
/// message is judged on the same DNS. Temporary failures are not kept: the next message asks
/// again. Bounded: past [`RunCache::MAX_NAMES`] names, new answers are not kept.
#[derive(Default)]
pub struct RunCache {
    answers: Mutex<HashMap<String, Fetched>>,
}

impl RunCache {
    pub const MAX_NAMES: usize = 100_000;

    fn get(&self, name: &str) -> Option<Fetched> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.get(name).cloned()
    }

    fn put(&self, name: &str, answer: &Fetched) {
        if matches!(answer, Fetched::Failed(e) if e.is_temporary()) {
            return;
        }
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.len() < Self::MAX_NAMES {
            answers.insert(name.to_string(), answer.clone());
        }
    }
}

/// The key under which a name is stored: lower case, with the trailing dot.
pub fn fqdn(name: &str) -> String {
    let mut key = name.trim_end_matches('.').to_ascii_lowercase();
    key.push('.');
    key
}

impl Answers {
    /// The TXT answer for a name (any case, with or without the dot), if it was fetched.
    pub fn txt(&self, name: &str) -> Option<&Fetched> {
        self.txt.get(&fqdn(name))
    }

    /// Every fetched name with its answer, in fetch order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Fetched)> {
        self.order
            .iter()
            .filter_map(|n| self.txt.get(n).map(|f| (n.as_str(), f)))
    }

    /// Fetches the TXT records of every name not yet known, concurrently, through our resolver;
    /// a definitive answer another message of the run already had is taken from `cache`.
    pub async fn fetch(
        &mut self,
        resolver: &Arc<dyn Resolve>,
        cache: &RunCache,
        names: impl IntoIterator<Item = String>,
    ) {
        let mut wanted: Vec<String> = names
            .into_iter()
            .map(|n| fqdn(&n))
            .filter(|n| !self.txt.contains_key(n))
            .collect();
        wanted.sort();
        wanted.dedup();
        wanted.retain(|name| match cache.get(name) {
            Some(answer) => {
                self.order.push(name.clone());
                self.txt.insert(name.clone(), answer);
                false
            }
            None => true,
        });
        let mut tasks = tokio::task::JoinSet::new();
        for (position, name) in wanted.iter().enumerate() {
            let resolver = resolver.clone();
            let name = name.clone();
            tasks.spawn(async move {
                let answer = resolver
                    .lookup(name.trim_end_matches('.'), RecordType::Txt)
                    .await;
                (position, answer)
            });
        }
        let mut answers: Vec<Option<Fetched>> = vec![None; wanted.len()];
        while let Some(joined) = tasks.join_next().await {
            let Ok((position, answer)) = joined else {
                continue;
            };
            answers[position] = Some(match answer {
                Err(e) => Fetched::Failed(e),
                Ok(answer) => Fetched::Txt(Arc::new(TxtRecords::new(
                    answer
                        .records
                        .iter()
                        .filter_map(|r| match &r.data {
                            Rdata::Txt(strings) => Some(strings.concat()),
                            _ => None,
                        })
                        .collect(),
                ))),
            });
        }
        for (name, answer) in wanted.into_iter().zip(answers) {
            // A task that panicked left no answer: treat it as a failed look-up.
            let answer = answer.unwrap_or_else(|| {
                Fetched::Failed(LookupError::Other("look-up task failed".into()))
            });
            cache.put(&name, &answer);
            self.order.push(name.clone());
            self.txt.insert(name, answer);
        }
    }

    /// The names a verifier asked for that were not fetched; clears the list.
    pub fn take_missed(&self) -> Vec<String> {
        let mut missed = self.missed.lock().unwrap_or_else(|e| e.into_inner());
        let mut list: Vec<_> = missed.drain().collect();
        list.sort();
        list
    }

    fn miss(&self, name: &str) {
        self.missed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(fqdn(name));
    }
}

/// mail-auth's error for a failed look-up, decided once: NXDOMAIN and NODATA are "record not
/// found" (a definitive answer), everything else a resolver failure (temperror).
pub fn lookup_error(error: &LookupError) -> Error {
    match error {
        LookupError::NxDomain => Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain)),
        LookupError::NoData => Error::Dns(DnsError::RecordNotFound(ResponseCode::NoError)),
        other => Error::Dns(DnsError::Resolver(other.to_string())),
    }
}

/// Parses TXT records as mail-auth's `txt_lookup::<T>` does: the first that parses wins;
/// no record at all is `InvalidRecordType`; otherwise the last record's parse error.
fn parse_as<T: TxtRecordParser + Into<Txt>>(records: &[Vec<u8>]) -> Txt {
    let mut result = Err(Error::Dns(DnsError::InvalidRecordType));
    for record in records {
        result = T::parse(record);
        if result.is_ok() {
            break;
        }
    }
    result.into()
}

/// mail-auth asks a name with the record type it expects; the name says which one.
fn parse_for(name: &str, records: &[Vec<u8>]) -> Txt {
    if name.starts_with("_report._domainkey.") {
        parse_as::<DomainKeyReport>(records)
    } else if name.contains("._domainkey.") {
        parse_as::<DomainKey>(records)
    } else if name.contains("._atps.") {
        parse_as::<Atps>(records)
    } else {
        // `_dmarc.DOMAIN.` and the report-authorisation names `D._report._dmarc.R.`.
        parse_as::<Dmarc>(records)
    }
}

impl ResolverCache<Box<str>, Txt> for Answers {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        let name = fqdn(&as_str(name)?);
        match self.txt.get(&name) {
            Some(Fetched::Txt(records)) => Some(
                records
                    .parsed
                    .get_or_init(|| parse_for(&name, records))
                    .clone(),
            ),
            Some(Fetched::Failed(e)) => Some(Txt::Error(lookup_error(e))),
            None => {
                self.miss(&name);
                None
            }
        }
    }

    fn remove<Q>(&self, _: &Q) -> Option<Txt>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        None
    }

    fn insert(&self, _: Box<str>, _: Txt, _: std::time::Instant) {}
}

/// The text of a cache key. mail-auth's cache trait hands over a generic `Q` that `Box<str>`
/// borrows as, which in practice is always `str`; the only safe way to read it back is to
/// let it hash itself into a hasher that keeps the bytes (`str` writes its bytes then 0xff).
fn as_str<Q: std::hash::Hash + ?Sized>(key: &Q) -> Option<String> {
    #[derive(Default)]
    struct Capture(Vec<u8>);
    impl std::hash::Hasher for Capture {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }
    let mut capture = Capture::default();
    key.hash(&mut capture);
    let mut bytes = capture.0;
    (bytes.pop() == Some(0xff)).then_some(())?;
    String::from_utf8(bytes).ok()
}

/// viadkim's key look-ups, answered from the same fetched answers.
#[derive(Clone)]
pub struct ViaLookup(pub Arc<Answers>);

impl viadkim::verifier::LookupTxt for ViaLookup {
    type Answer = Vec<io::Result<Vec<u8>>>;
    type Query<'a> = Pin<Box<dyn Future<Output = io::Result<Self::Answer>> + Send + 'a>>;

    fn lookup_txt(&self, domain: &str) -> Self::Query<'_> {
        let answer = match self.0.txt.get(&fqdn(domain)) {
            Some(Fetched::Txt(records)) => Ok(records.iter().cloned().map(Ok).collect()),
            Some(Fetched::Failed(LookupError::NxDomain | LookupError::NoData)) => {
                Err(io::Error::from(io::ErrorKind::NotFound))
            }
            Some(Fetched::Failed(LookupError::Timeout)) => {
                Err(io::Error::from(io::ErrorKind::TimedOut))
            }
            Some(Fetched::Failed(e)) => Err(io::Error::other(e.to_string())),
            None => {
                self.0.miss(domain);
                Err(io::Error::other("not fetched"))
            }
        };
        Box::pin(async move { answer })
    }
}

/// mail-auth's authenticator with a resolver that has no name servers: everything it needs
/// comes from [`Answers`]; anything else fails at once as a resolver error.
pub fn offline_authenticator() -> MessageAuthenticator {
    static AUTH: std::sync::OnceLock<MessageAuthenticator> = std::sync::OnceLock::new();
    AUTH.get_or_init(|| {
        let config = ResolverConfig::from_parts(None, vec![], vec![]);
        let mut options = ResolverOpts::default();
        options.cache_size = 0;
        MessageAuthenticator::new(config, options)
            .expect("a resolver without name servers needs no I/O to build")
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name that was not fetched never reaches the network: mail-auth's resolver has no
    /// servers, so both verifiers give temperror at once and the name is noted as missed.
    #[test]
    fn a_name_not_fetched_is_temperror_without_a_query() {
        let text = include_str!("../../tests/fixtures/conformance/dkim/mail-auth/001.txt");
        let (_, message) = text.split_once("\n\n").unwrap();
        let bytes = message.replace('\n', "\r\n").into_bytes();
        let parsed = mail_auth::AuthenticatedMessage::parse(&bytes).unwrap();
        let answers = Arc::new(Answers::default());
        let runtime = crate::dns::runtime().unwrap();
        let started = std::time::Instant::now();
        let (outcome, _) =
            runtime.block_on(crate::auth::dkim::verify(&parsed, &answers, 1_667_843_664));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(outcome.signatures.len(), 2);
        for sig in &outcome.signatures {
            assert_eq!(sig.mail_auth.result, "temperror", "{sig:?}");
            assert_eq!(sig.viadkim.as_ref().unwrap().result, "temperror", "{sig:?}");
        }
        assert_eq!(
            answers.take_missed(),
            [
                "brisbane._domainkey.football.example.com.",
                "test._domainkey.football.example.com."
            ]
        );
    }

    /// Definitive answers are shared across the run's messages; temporary failures are not.
    #[test]
    fn the_run_cache_keeps_definitive_answers_only() {
        use crate::dns::{Faults, Resolver, ResolverOptions, ZoneServer};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut faults = Faults::new();
        faults
            .add_line(&format!(
                "; {} servfail _dmarc.example.com TXT",
                crate::dns::FAULT_MARKER
            ))
            .unwrap();
        let server = ZoneServer::start(&[root.join("auth/dns")], faults).unwrap();
        let resolver: Arc<dyn Resolve> = Arc::new(
            Resolver::new(ResolverOptions {
                servers: vec![server.addr()],
                timeout: std::time::Duration::from_millis(300),
                attempts: 1,
                concurrency: 8,
            })
            .unwrap(),
        );
        let runtime = crate::dns::runtime().unwrap();
        let cache = RunCache::default();
        let names = || {
            vec![
                "sel._domainkey.example.com".to_string(),
                "_dmarc.example.com".to_string(),
                "nothing.example.com".to_string(),
            ]
        };
        let mut first = Answers::default();
        runtime.block_on(first.fetch(&resolver, &cache, names()));
        drop(server);
        // The server is gone: what the second message gets, it gets from the cache.
        let mut second = Answers::default();
        runtime.block_on(second.fetch(&resolver, &cache, names()));
        assert!(
            matches!(second.txt("sel._domainkey.example.com"), Some(Fetched::Txt(r)) if r.len() == 1)
        );
        assert!(matches!(
            second.txt("nothing.example.com"),
            Some(Fetched::Failed(LookupError::NxDomain))
        ));
        // The SERVFAIL was asked again (the server is gone now), never served from the cache.
        let again = second.txt("_dmarc.example.com");
        assert!(
            matches!(again, Some(Fetched::Failed(e)) if e.is_temporary() && *e != LookupError::ServFail),
            "{again:?}"
        );
    }

    #[test]
    fn cache_keys_are_read_back_from_their_hash() {
        assert_eq!(
            as_str("a._domainkey.example.com.").as_deref(),
            Some("a._domainkey.example.com.")
        );
        let boxed: Box<str> = "x.".into();
        assert_eq!(as_str(&boxed).as_deref(), Some("x."));
    }
}
