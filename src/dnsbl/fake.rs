//! A table-driven `Resolve` for unit tests: name and type to a fixed result, NXDOMAIN for
//! names it does not hold (NODATA when the name holds other types), and a log of every query.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Mutex;

use crate::dns::{
    reverse_name, Answer, LookupError, LookupResult, Rdata, Record, RecordType, Resolve,
};

#[derive(Default)]
pub struct FakeResolver {
    table: HashMap<(String, RecordType), LookupResult>,
    /// `*.suffix` records, answered for names under the suffix that have no records of their own.
    wildcards: HashMap<(String, RecordType), LookupResult>,
    log: Mutex<Vec<(String, RecordType)>>,
}

impl FakeResolver {
    pub fn new() -> FakeResolver {
        FakeResolver::default()
    }

    fn records(mut self, name: &str, rtype: RecordType, data: Vec<Rdata>) -> FakeResolver {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let records = data
            .into_iter()
            .map(|data| Record {
                name: name.clone(),
                ttl: 300,
                data,
            })
            .collect();
        self.table.insert(
            (name.clone(), rtype),
            Ok(Answer {
                name,
                rtype,
                records,
            }),
        );
        self
    }

    /// Appends one record (zone-file loading); a `*.` owner makes a wildcard.
    pub fn push(&mut self, name: &str, rtype: RecordType, data: Rdata) {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let (table, key) = match name.strip_prefix("*.") {
            Some(suffix) => (&mut self.wildcards, (suffix.to_string(), rtype)),
            None => (&mut self.table, (name.clone(), rtype)),
        };
        let entry = table.entry(key).or_insert_with(|| {
            Ok(Answer {
                name: name.clone(),
                rtype,
                records: Vec::new(),
            })
        });
        if let Ok(answer) = entry {
            answer.records.push(Record {
                name,
                ttl: 300,
                data,
            });
        }
    }

    /// Loads the `*.zone` fixtures of `dir` (the simple one-record-per-line form they use:
    /// `$ORIGIN`, `$TTL`, `;` comments, `owner IN TYPE data`; SOA and NS lines are skipped).
    pub fn from_zone_files(dir: &std::path::Path) -> Result<FakeResolver, String> {
        let mut fake = FakeResolver::new();
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("zone") {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut origin = String::new();
            for (n, line) in text.lines().enumerate() {
                let at = || format!("{}:{}: {line:?}", path.display(), n + 1);
                let line = line.trim();
                if let Some(o) = line.strip_prefix("$ORIGIN") {
                    origin = o.trim().trim_end_matches('.').to_string();
                    continue;
                }
                if line.is_empty()
                    || line.starts_with(';')
                    || line.starts_with('$')
                    || line.starts_with('@')
                {
                    continue;
                }
                let fields: Vec<&str> = line.split_whitespace().collect();
                let [owner, "IN", rtype, first, ..] = fields[..] else {
                    return Err(format!("{}: expected `owner IN TYPE data`", at()));
                };
                let name = match owner.strip_suffix('.') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("{owner}.{origin}"),
                };
                let (rtype, data) = match rtype {
                    "A" => (
                        RecordType::A,
                        first
                            .parse()
                            .map(Rdata::A)
                            .map_err(|e| format!("{}: {e}", at()))?,
                    ),
                    "AAAA" => (
                        RecordType::Aaaa,
                        first
                            .parse()
                            .map(Rdata::Aaaa)
                            .map_err(|e| format!("{}: {e}", at()))?,
                    ),
                    "PTR" => (
                        RecordType::Ptr,
                        Rdata::Ptr(first.trim_end_matches('.').to_string()),
                    ),
                    "TXT" => {
                        let quoted = line
                            .split_once('"')
                            .and_then(|(_, rest)| rest.rsplit_once('"'));
                        let Some((inner, _)) = quoted else {
                            return Err(format!("{}: TXT without quotes", at()));
                        };
                        (RecordType::Txt, Rdata::Txt(vec![inner.as_bytes().to_vec()]))
                    }
                    other => return Err(format!("{}: type {other} not supported here", at())),
                };
                fake.push(&name, rtype, data);
            }
        }
        Ok(fake)
    }

    pub fn a(self, name: &str, addrs: &[&str]) -> FakeResolver {
        let data = addrs
            .iter()
            .filter_map(|a| a.parse().ok().map(Rdata::A))
            .collect();
        self.records(name, RecordType::A, data)
    }

    pub fn aaaa(self, name: &str, addrs: &[&str]) -> FakeResolver {
        let data = addrs
            .iter()
            .filter_map(|a| a.parse().ok().map(Rdata::Aaaa))
            .collect();
        self.records(name, RecordType::Aaaa, data)
    }

    pub fn txt(self, name: &str, text: &str) -> FakeResolver {
        self.records(
            name,
            RecordType::Txt,
            vec![Rdata::Txt(vec![text.as_bytes().to_vec()])],
        )
    }

    pub fn ptr(self, ip: &str, names: &[&str]) -> FakeResolver {
        let owner = match ip.parse::<IpAddr>() {
            Ok(ip) => reverse_name(ip),
            Err(_) => ip.to_string(),
        };
        let data = names.iter().map(|n| Rdata::Ptr(n.to_string())).collect();
        self.records(&owner, RecordType::Ptr, data)
    }

    pub fn fail(mut self, name: &str, rtype: RecordType, error: LookupError) -> FakeResolver {
        self.table
            .insert((name.to_ascii_lowercase(), rtype), Err(error));
        self
    }

    /// Every query asked so far, in order.
    pub fn queries(&self) -> Vec<(String, RecordType)> {
        match self.log.lock() {
            Ok(log) => log.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl Resolve for FakeResolver {
    fn lookup<'a>(
        &'a self,
        name: &'a str,
        rtype: RecordType,
    ) -> Pin<Box<dyn Future<Output = LookupResult> + Send + 'a>> {
        let key = (name.trim_end_matches('.').to_ascii_lowercase(), rtype);
        match self.log.lock() {
            Ok(mut log) => log.push(key.clone()),
            Err(poisoned) => poisoned.into_inner().push(key.clone()),
        }
        let exists = |name: &str| self.table.keys().any(|(n, _)| n == name);
        let wildcard = || {
            self.wildcards.iter().find_map(|((suffix, t), result)| {
                let under = key.0.strip_suffix(suffix.as_str())?.ends_with('.');
                (under && *t == rtype && !exists(&key.0)).then(|| result.clone())
            })
        };
        let result = match self.table.get(&key) {
            Some(result) => result.clone(),
            None => match wildcard() {
                Some(result) => result,
                None if exists(&key.0) => Err(LookupError::NoData),
                None => Err(LookupError::NxDomain),
            },
        };
        Box::pin(async move { result })
    }
}
