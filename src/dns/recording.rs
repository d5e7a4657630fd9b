//! Recording the DNS answers a run used into one zone file, so the run can be replayed offline
//! with [`ZoneServer`](super::ZoneServer) and give the same verdicts (evidence that does not
//! change when the live DNS does).
//!
//! The file serves the root zone `.` with an SOA, so a name absent from it is NXDOMAIN and a
//! name present with other types is NODATA, as recorded. Where the data alone cannot say it,
//! fault lines do: a recorded NXDOMAIN for a name that has data below it becomes
//! `nxdomain NAME TYPE`; temporary failures become `drop` (timeout), `servfail` or `refused`
//! (other failures, e.g. network errors, replay as `servfail`: still a temporary error). A
//! NODATA name with no other data gets a placeholder `HINFO` record, a type mailsleuth never
//! asks for. Answers reached through CNAMEs are written as one CNAME from the asked name to the
//! records' owner. Known limit: NS answers below the root become delegations on replay.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use super::faults::{Fault, FAULT_MARKER};
use super::{LookupError, LookupResult, Rdata, RecordType, Resolve};

/// A [`Resolve`] wrapper that remembers the last outcome of every (name, type) asked.
pub struct Recording<R: Resolve> {
    inner: R,
    seen: Mutex<BTreeMap<(String, RecordType), (LookupResult, SystemTime)>>,
}

impl<R: Resolve> Recording<R> {
    /// Wraps `inner`; nothing is recorded until look-ups run.
    pub fn new(inner: R) -> Recording<R> {
        Recording {
            inner,
            seen: Mutex::new(BTreeMap::new()),
        }
    }

    /// Number of distinct (name, type) look-ups recorded.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True before the first look-up.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the recording as one zone file (see the module docs for what replays how).
    pub fn write_zone(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.zone_text(SystemTime::now()))
    }

    /// The zone file text, stamped with `now`.
    pub fn zone_text(&self, now: SystemTime) -> String {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "; DNS answers recorded by mailsleuth {} at {}\n; {} look-ups. Replay with --dns-zone (mailsleuth's in-process server).",
            env!("CARGO_PKG_VERSION"),
            utc_text(now),
            seen.len()
        );
        out.push_str("$ORIGIN .\n. 0 IN SOA recording.mailsleuth.invalid. hostmaster.mailsleuth.invalid. 1 3600 600 86400 0\n");

        let mut lines = BTreeSet::new();
        let mut owners = BTreeSet::new();
        for ((name, _), (result, _)) in seen.iter() {
            if let Ok(answer) = result {
                for record in &answer.records {
                    let owner = normalize(&record.name);
                    if owner != *name {
                        lines.insert(format!(
                            "{} {} IN CNAME {}",
                            zone_name(name),
                            record.ttl,
                            zone_name(&owner)
                        ));
                        owners.insert(name.clone());
                    }
                    lines.insert(format!(
                        "{} {} IN {}",
                        zone_name(&owner),
                        record.ttl,
                        rdata_text(&record.data)
                    ));
                    owners.insert(owner);
                }
            }
        }
        for ((name, _), (result, _)) in seen.iter() {
            if result == &Err(LookupError::NoData) && !owners.contains(name) {
                lines.insert(format!(
                    "{} 0 IN HINFO \"mailsleuth\" \"nodata\"",
                    zone_name(name)
                ));
            }
        }
        let mut faults = Vec::new();
        let mut log = Vec::new();
        for ((name, rtype), (result, at)) in seen.iter() {
            let outcome = match result {
                Ok(a) => format!("{} records", a.records.len()),
                Err(e) => e.to_string(),
            };
            let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
            log.push(format!("; {name} {rtype}: {outcome} (at {secs})"));
            let fault = match result {
                Ok(_) | Err(LookupError::NoData) => None,
                Err(LookupError::NxDomain) => {
                    let below = format!(".{name}");
                    owners
                        .iter()
                        .any(|o| o == name || o.ends_with(&below))
                        .then_some(Fault::NxDomain)
                }
                Err(LookupError::Timeout) => Some(Fault::Drop),
                Err(LookupError::Refused) => Some(Fault::Refused),
                Err(LookupError::ServFail | LookupError::Other(_)) => Some(Fault::ServFail),
            };
            if let Some(fault) = fault {
                faults.push(format!(
                    "; {FAULT_MARKER} {} {} {rtype}",
                    fault.keyword(),
                    abs(name)
                ));
            }
        }
        for line in lines.iter().chain(&faults).chain(&log) {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

impl<R: Resolve> Resolve for Recording<R> {
    fn lookup<'a>(
        &'a self,
        name: &'a str,
        rtype: RecordType,
    ) -> Pin<Box<dyn Future<Output = LookupResult> + Send + 'a>> {
        Box::pin(async move {
            let result = self.inner.lookup(name, rtype).await;
            self.seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    (normalize(name), rtype),
                    (result.clone(), SystemTime::now()),
                );
            result
        })
    }
}

fn normalize(name: &str) -> String {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    if n.is_empty() {
        ".".into()
    } else {
        n
    }
}

/// Absolute form for the zone file.
fn abs(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

/// Absolute form for a record line: labels with bytes other than letters, digits, `-`, `_`
/// and `*` (names SPF macros build, e.g. `foo:bar/baz.example.com`) are written with RFC 1035
/// escapes, which the zone reader takes back (`dns/escaped_names.rs`). Fault lines keep the
/// plain form, which is what faults are matched against.
fn zone_name(name: &str) -> String {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'*' | b'.');
    if name.bytes().all(plain) {
        return abs(name);
    }
    let labels: Vec<String> = super::record::labels_of(name.trim_end_matches('.'))
        .iter()
        .map(|label| {
            let mut text = String::new();
            for &b in label {
                match b {
                    _ if plain(b) && b != b'.' => text.push(char::from(b)),
                    0x21..=0x7e => {
                        text.push('\\');
                        text.push(char::from(b));
                    }
                    _ => {
                        let _ = write!(text, "\\{b:03}");
                    }
                }
            }
            text
        })
        .collect();
    format!("{}.", labels.join("."))
}

/// `TYPE RDATA` in zone-file presentation format.
fn rdata_text(data: &Rdata) -> String {
    match data {
        Rdata::A(ip) => format!("A {ip}"),
        Rdata::Aaaa(ip) => format!("AAAA {ip}"),
        Rdata::Ptr(n) => format!("PTR {}", zone_name(n)),
        Rdata::Cname(n) => format!("CNAME {}", zone_name(n)),
        Rdata::Ns(n) => format!("NS {}", zone_name(n)),
        Rdata::Mx {
            preference,
            exchange,
        } => format!("MX {preference} {}", zone_name(exchange)),
        Rdata::Txt(strings) => {
            let mut text = String::from("TXT");
            if strings.is_empty() {
                text.push_str(" \"\"");
            }
            for s in strings {
                // A character-string holds at most 255 bytes (RFC 1035 §3.3).
                let mut chunks = s.chunks(255).peekable();
                if chunks.peek().is_none() {
                    text.push_str(" \"\"");
                }
                for chunk in chunks {
                    text.push_str(" \"");
                    for &b in chunk {
                        match b {
                            b'"' | b'\\' => {
                                text.push('\\');
                                text.push(char::from(b));
                            }
                            0x20..=0x7e => text.push(char::from(b)),
                            _ => {
                                let _ = write!(text, "\\{b:03}");
                            }
                        }
                    }
                    text.push('"');
                }
            }
            text
        }
        Rdata::Other { rtype, text } => format!("{rtype} {text}"),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a system time.
fn utc_text(t: SystemTime) -> String {
    crate::civil::rfc3339_utc(
        t.duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::resolver::tests::{zone_dir, ZONE};
    use crate::dns::{runtime, Faults, Resolver, ResolverOptions, ZoneServer};
    use std::time::Duration;

    #[test]
    fn txt_is_split_and_escaped() {
        let data = Rdata::Txt(vec![
            vec![b'x'; 300],
            b"a\"b\\c\x00\xff".to_vec(),
            Vec::new(),
        ]);
        let text = rdata_text(&data);
        let x255 = "x".repeat(255);
        assert_eq!(
            text,
            format!(
                "TXT \"{x255}\" \"{}\" \"a\\\"b\\\\c\\000\\255\" \"\"",
                "x".repeat(45)
            )
        );
    }

    #[test]
    fn odd_names_are_escaped_and_replay() {
        assert_eq!(zone_name("mail.example.com"), "mail.example.com.");
        assert_eq!(
            zone_name("foo:bar/b\\.z.a b\\001.example"),
            "foo\\:bar\\/b\\.z.a\\032b\\001.example."
        );
        let zone = format!(
            "{ZONE}foo\\:bar\\/baz IN A 192.0.2.9\nfoo\\:bar\\/baz IN MX 0 foo\\:bar\\/baz\n"
        );
        let dir = zone_dir("odd", &[("example.test.zone", &zone)]);
        let server = ZoneServer::start(std::slice::from_ref(&dir), Faults::new()).unwrap();
        let opts = |addr| ResolverOptions {
            servers: vec![addr],
            timeout: Duration::from_millis(500),
            attempts: 1,
            concurrency: 8,
        };
        let rec = Recording::new(Resolver::new(opts(server.addr())).unwrap());
        let rt = runtime().unwrap();
        let name = "foo:bar/baz.example.test";
        let questions = [(name, RecordType::A), (name, RecordType::Mx)];
        let before: Vec<LookupResult> = questions
            .iter()
            .map(|(n, t)| rt.block_on(rec.lookup(n, *t)))
            .collect();
        assert!(before.iter().all(Result::is_ok), "{before:?}");
        drop(server);
        let file = dir.join("odd-replay.zone");
        rec.write_zone(&file).unwrap();
        let replay = ZoneServer::start(&[file], Faults::new()).unwrap();
        let res = Resolver::new(opts(replay.addr())).unwrap();
        for ((n, t), want) in questions.iter().zip(&before) {
            assert_eq!(&rt.block_on(res.lookup(n, *t)), want);
        }
    }

    #[test]
    fn utc_formatting() {
        let t = UNIX_EPOCH + Duration::from_secs(1_793_491_200 + 3661);
        assert_eq!(utc_text(t), "2026-11-01T01:01:01Z");
        assert_eq!(utc_text(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn record_write_reload_gives_the_same_answers() {
        let zone = format!(
            "{ZONE}bin IN TXT \"\\000\\255 \\\"quoted\\\" back\\\\slash\" \"second\"\n\
             sub.ent IN A 192.0.2.7\n"
        );
        let dir = zone_dir("record", &[("example.test.zone", &zone)]);
        let server = ZoneServer::start(std::slice::from_ref(&dir), Faults::new()).unwrap();
        let opts = |addr| ResolverOptions {
            servers: vec![addr],
            timeout: Duration::from_millis(200),
            attempts: 1,
            concurrency: 8,
        };
        let rec = Recording::new(Resolver::new(opts(server.addr())).unwrap());
        let questions = [
            ("a.example.test", RecordType::A),
            ("v6.example.test", RecordType::Aaaa),
            ("txt.example.test", RecordType::Txt),
            ("bin.example.test", RecordType::Txt),
            ("example.test", RecordType::Mx),
            ("alias2.example.test", RecordType::A),
            ("nope.example.test", RecordType::A),
            ("a.example.test", RecordType::Mx),
            ("ent.example.test", RecordType::A),
            ("sub.ent.example.test", RecordType::A),
            ("broken.example.test", RecordType::A),
            ("refused.example.test", RecordType::Txt),
            ("timeout.example.test", RecordType::A),
            ("trunc.example.test", RecordType::A),
        ];
        let rt = runtime().unwrap();
        let before: Vec<LookupResult> = questions
            .iter()
            .map(|(n, t)| rt.block_on(rec.lookup(n, *t)))
            .collect();
        assert_eq!(rec.len(), questions.len());
        assert_eq!(before[6], Err(LookupError::NxDomain));
        assert_eq!(before[7], Err(LookupError::NoData));
        assert_eq!(before[8], Err(LookupError::NoData), "empty non-terminal");
        assert_eq!(before[12], Err(LookupError::Timeout));
        drop(server);

        let file = dir.join("replay").with_extension("zone");
        rec.write_zone(&file).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with(&format!(
            "; DNS answers recorded by mailsleuth {}",
            env!("CARGO_PKG_VERSION")
        )));
        let replay = ZoneServer::start(&[file], Faults::new()).unwrap();
        let res = Resolver::new(opts(replay.addr())).unwrap();
        for ((name, rtype), want) in questions.iter().zip(&before) {
            let got = rt.block_on(res.lookup(name, *rtype));
            assert_eq!(&got, want, "{name} {rtype}\n{text}");
        }
    }
}
