//! The typed vocabulary of DNS answers and the `Resolve` seam that every capability codes against.

use std::fmt;
use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::pin::Pin;

use serde::Serialize;

/// The record types mailsleuth asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    A,
    Aaaa,
    Ptr,
    Txt,
    Mx,
    Cname,
    Ns,
    Soa,
}

/// One record's data, typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Rdata {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    /// Absolute name without the trailing dot, as received (not lower-cased).
    Ptr(String),
    /// The character-strings of one TXT record, in order (join them for SPF/DKIM text).
    Txt(Vec<Vec<u8>>),
    Mx {
        preference: u16,
        exchange: String,
    },
    Cname(String),
    Ns(String),
    /// Anything else, in presentation format.
    Other {
        rtype: String,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Owner name, without the trailing dot.
    pub name: String,
    pub ttl: u32,
    pub data: Rdata,
}

/// A positive answer: the records of the asked type (after following CNAMEs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub name: String,
    pub rtype: RecordType,
    pub records: Vec<Record>,
}

/// Why a look-up gave no records. NXDOMAIN and NODATA are definitive answers ("not listed");
/// the rest are temporary failures ("temperror"), never to be read as a negative answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum LookupError {
    NxDomain,
    NoData,
    Timeout,
    ServFail,
    Refused,
    /// Any other failure (network error, malformed reply, other rcode), with its text.
    Other(String),
}

impl LookupError {
    /// True for failures that say nothing about the name (retry later; report temperror).
    pub fn is_temporary(&self) -> bool {
        !matches!(self, LookupError::NxDomain | LookupError::NoData)
    }
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NxDomain => f.write_str("NXDOMAIN"),
            LookupError::NoData => f.write_str("no records of that type (NODATA)"),
            LookupError::Timeout => f.write_str("timed out"),
            LookupError::ServFail => f.write_str("server failure (SERVFAIL)"),
            LookupError::Refused => f.write_str("query refused (REFUSED)"),
            LookupError::Other(text) => f.write_str(text),
        }
    }
}

pub type LookupResult = Result<Answer, LookupError>;

/// The one resolver abstraction. Object-safe so commands hold an `Arc<dyn Resolve>`
/// (the hickory-backed resolver, or a recording wrapper around it).
pub trait Resolve: Send + Sync {
    fn lookup<'a>(
        &'a self,
        name: &'a str,
        rtype: RecordType,
    ) -> Pin<Box<dyn Future<Output = LookupResult> + Send + 'a>>;
}

impl RecordType {
    /// The mnemonic used in zone files and messages (`A`, `AAAA`, `PTR`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Ptr => "PTR",
            RecordType::Txt => "TXT",
            RecordType::Mx => "MX",
            RecordType::Cname => "CNAME",
            RecordType::Ns => "NS",
            RecordType::Soa => "SOA",
        }
    }

    /// Reads a mnemonic (any case), so fault lines and command lines can name a type.
    pub fn from_mnemonic(text: &str) -> Option<RecordType> {
        const ALL: [RecordType; 8] = [
            RecordType::A,
            RecordType::Aaaa,
            RecordType::Ptr,
            RecordType::Txt,
            RecordType::Mx,
            RecordType::Cname,
            RecordType::Ns,
            RecordType::Soa,
        ];
        ALL.into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
