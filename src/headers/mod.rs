//! `headers`: where a message really came from. Turns one raw message into a typed report:
//! the unwrapped original, its Received chain and origin, its identities, and findings.

mod checks;
pub mod render;

use std::net::IpAddr;

use mail_parser::{HeaderName, Message, MessagePart};
use serde::Serialize;

use crate::findings::{self, Finding};
use crate::message::identities::{self, Identities};
use crate::message::source::RawMessage;
use crate::message::unwrap::{self, Wrapper};
use crate::message::EmptyHeaders;
use crate::received::boundary::Boundary;
use crate::received::chain::{self, Hop, Limits, Origin};

pub use render::RunSummary;

/// The JSON schema name of `headers` reports.
pub const SCHEMA: &str = "mailsleuth.headers/1";

/// What decides the analysis, from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub boundary: Boundary,
    pub limits: Limits,
    pub max_date_skew: i64,
    /// A message with an empty header section: an error, or analysed (no fields to read).
    pub empty: EmptyHeaders,
}

/// Headers that claim the client's address; reported beside the origin, never trusted.
const CLAIM_HEADERS: &[&str] = &[
    "x-originating-ip",
    "x-sender-ip",
    "x-source-ip",
    "x-client-ip",
    "x-forwarded-for",
    "x-ms-exchange-organization-originalclientipaddress",
    "x-get-message-sender-via",
    "x-authenticated-sender",
    "x-authenticated-user",
];

/// A header's claim about where the message came from.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    pub header: String,
    pub value: String,
    pub ip: Option<IpAddr>,
}

/// Subject, Date and Message-ID, for recognising the message.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub subject: Option<String>,
    pub date: Option<String>,
    pub message_id: Option<String>,
}

/// The report on one message.
#[derive(Debug, Clone, Serialize)]
pub struct MessageReport {
    /// The input's path as given.
    pub input: String,
    /// 1-based position in the input (mbox order).
    pub index: usize,
    /// Layers taken off to reach the original (forward, ARF report), outermost first.
    pub wrappers: Vec<Wrapper>,
    pub summary: Summary,
    pub hops: Vec<Hop>,
    pub origin: Origin,
    pub claims: Vec<Claim>,
    pub identities: Identities,
    pub findings: Vec<Finding>,
    /// The original message taken out of its wrappers (None when there were none): what
    /// `auth` verifies.
    #[serde(skip)]
    pub unwrapped: Option<Vec<u8>>,
    /// The message has no header fields (accepted by [`EmptyHeaders::Accept`]).
    #[serde(skip)]
    pub empty_header_section: bool,
}

/// Why a message could not be analysed at all.
#[derive(Debug, thiserror::Error)]
pub enum AnalyseError {
    #[error("{input}: message {index}: no header fields found; not an email message")]
    NotAMessage { input: String, index: usize },
}

/// Analyses one message.
pub fn analyse(raw: &RawMessage<'_>, settings: &Settings) -> Result<MessageReport, AnalyseError> {
    let not_a_message = || AnalyseError::NotAMessage {
        input: raw.input.to_string(),
        index: raw.index,
    };
    let (top, empty_header_section) = match header_block(&raw.bytes) {
        Some(top) => (top, false),
        None if settings.empty == EmptyHeaders::Accept && has_empty_header_section(&raw.bytes) => {
            (no_fields(&raw.bytes), true)
        }
        None => return Err(not_a_message()),
    };
    let unwrapped = unwrap::unwrap(&raw.bytes, &top);
    // An enclosed "message" with no header fields is not worth more than its wrapper: then the
    // wrapper itself is analysed, as if nothing had been enclosed.
    let inner = unwrapped
        .original
        .as_deref()
        .and_then(|original| header_block(original).map(|m| (original, m)));
    let (bytes, message, wrappers) = match inner {
        Some((original, message)) => (original, message, unwrapped.wrappers),
        None => (&raw.bytes[..], top, Vec::new()),
    };
    let is_wrapped = !wrappers.is_empty();

    let received: Vec<String> = message
        .headers()
        .iter()
        .filter(|h| h.name == HeaderName::Received)
        .map(|h| raw_value(bytes, h.offset_start, h.offset_end))
        .collect();
    let chain = chain::analyse(&received, &settings.boundary, settings.limits);
    let submitter = chain.hops.iter().find_map(|h| h.authenticated.clone());
    let identities = identities::identities(&message, submitter);

    let mut findings = chain.findings;
    if raw.truncated {
        findings.push(findings::MESSAGE_TOO_LARGE.finding(
            format!(
                "message over {} MiB; only its start was analysed",
                crate::message::source::MAX_MESSAGE_BYTES >> 20
            ),
            None,
        ));
    }
    checks::structure(&message, bytes, &mut findings);
    checks::dates(&message, &chain.hops, settings.max_date_skew, &mut findings);
    checks::identities(&identities, &mut findings);
    let claims = claims(&message, bytes);
    checks::claims(&claims, &chain.origin, &mut findings);
    // Worst first, for the analyst reading top-down; the order within a severity is the
    // order of discovery, which follows the message.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));

    let mut report = MessageReport {
        input: raw.input.to_string(),
        index: raw.index,
        wrappers,
        summary: Summary {
            subject: message.subject().map(str::to_owned),
            date: message.date().map(|d| d.to_rfc3339()),
            message_id: message.message_id().map(str::to_owned),
        },
        hops: chain.hops,
        origin: chain.origin,
        claims,
        identities,
        findings,
        unwrapped: None,
        empty_header_section,
    };
    if is_wrapped {
        report.unwrapped = unwrapped.original;
    }
    Ok(report)
}

/// The parsed header block of `bytes`, if it has at least one real header field.
fn header_block(bytes: &[u8]) -> Option<Message<'_>> {
    crate::message::header_parser()
        .parse_headers(bytes)
        .filter(|m| m.headers().iter().any(|h| is_field_name(h.name.as_str())))
}

/// True when `bytes` is a message with an empty header section: nothing at all, or a blank
/// first line (the CRLF that ends the header section, with no field before it). A text that
/// merely has no field in it is not one: it is not a message.
fn has_empty_header_section(bytes: &[u8]) -> bool {
    bytes.is_empty() || bytes.starts_with(b"\n") || bytes.starts_with(b"\r\n")
}

/// The header block of a message with no header fields, all of `bytes` its body; as
/// mail-parser would give it if it gave one (it returns none).
fn no_fields(bytes: &[u8]) -> Message<'_> {
    Message {
        parts: vec![MessagePart::default()],
        raw_message: bytes.into(),
        ..Message::default()
    }
}

/// RFC 5322 section 2.2: a field name is printable US-ASCII without a colon. Binary junk
/// gives mail-parser "headers" whose names are not.
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

/// The raw text of a header value from its offsets (mail-parser's own view of a Received
/// header drops what it cannot read; ours must see everything).
fn raw_value(bytes: &[u8], start: u32, end: u32) -> String {
    String::from_utf8_lossy(bytes.get(start as usize..end as usize).unwrap_or_default())
        .into_owned()
}

fn claims(message: &Message<'_>, bytes: &[u8]) -> Vec<Claim> {
    message
        .headers()
        .iter()
        .filter(|h| {
            CLAIM_HEADERS
                .iter()
                .any(|c| h.name.as_str().eq_ignore_ascii_case(c))
        })
        .map(|h| {
            let value = raw_value(bytes, h.offset_start, h.offset_end)
                .trim()
                .to_string();
            let ip = value
                .split(|c: char| {
                    c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']')
                })
                .find_map(|token| token.parse::<IpAddr>().ok());
            Claim {
                header: h.name.as_str().to_string(),
                value: chain::clip(&value),
                ip,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::received::chain::Limits;

    fn settings(empty: EmptyHeaders) -> Settings {
        Settings {
            boundary: Boundary::new(&[]).unwrap(),
            limits: Limits {
                max_delay: 3600,
                max_skew: 300,
            },
            max_date_skew: 7200,
            empty,
        }
    }

    fn raw(bytes: &[u8]) -> RawMessage<'static> {
        RawMessage {
            input: "t",
            index: 1,
            bytes: bytes.to_vec(),
            truncated: false,
        }
    }

    /// RFC 5322 allows zero header fields (nothing, or a blank first line): accepted only when
    /// the command asks. Text with no field and no blank first line is never a message.
    #[test]
    fn an_empty_header_section_is_a_message_only_when_accepted() {
        for bytes in [&b""[..], b"\n", b"\nbody\n", b"\r\nFrom: a@example.com\r\n"] {
            let refused = analyse(&raw(bytes), &settings(EmptyHeaders::Refuse));
            assert!(refused.is_err(), "{bytes:?}");
            let report = analyse(&raw(bytes), &settings(EmptyHeaders::Accept)).unwrap();
            assert!(report.empty_header_section, "{bytes:?}");
            assert!(report.hops.is_empty() && report.identities.from.is_empty());
            assert!(report.summary.subject.is_none() && report.wrappers.is_empty());
        }
        for bytes in [
            &b"a log line, no field\n"[..],
            b" \nbody\n",
            b"\x00\x01\n\n",
        ] {
            let refused = analyse(&raw(bytes), &settings(EmptyHeaders::Accept));
            assert!(refused.is_err(), "{bytes:?}");
        }
        let fields = analyse(
            &raw(b"Subject: x\n\nbody\n"),
            &settings(EmptyHeaders::Accept),
        );
        assert!(!fields.unwrap().empty_header_section);
    }

    /// A mutation fuzzer in miniature (no nightly toolchain here for cargo-fuzz): every
    /// fixture, cut, flipped and spliced thousands of ways, must analyse without a panic.
    #[test]
    fn mutated_fixtures_never_panic() {
        let seeds: &[&[u8]] = &[
            include_bytes!("../../tests/fixtures/messages/arf.eml"),
            include_bytes!("../../tests/fixtures/messages/forwarded-complaint.eml"),
            include_bytes!("../../tests/fixtures/messages/relay-abuse.eml"),
            include_bytes!("../../tests/fixtures/received/office365.eml"),
            include_bytes!("../../tests/fixtures/received/qmail.eml"),
            include_bytes!("../../tests/fixtures/received/courier.eml"),
        ];
        let settings = Settings {
            boundary: Boundary::new(&["198.51.100.0/24".into()]).unwrap(),
            limits: Limits {
                max_delay: 3600,
                max_skew: 300,
            },
            max_date_skew: 7200,
            empty: EmptyHeaders::Refuse,
        };
        let mut mutator = crate::mutate::Mutator::new(0x9e37_79b9_7f4a_7c15u64);
        const NASTY: &[&[u8]] = &[
            b"(",
            b")",
            b"[",
            b"]",
            b"<",
            b">",
            b";",
            b":",
            b"\n",
            b"\r\n",
            b"\n\t",
            b"=?",
            b"?=",
            b"\xff",
            b"\x00",
            b"--",
            b"boundary=",
            b"message/rfc822",
            b"from ",
            b" by ",
            b"[IPv6:",
            b"::ffff:",
            b"\xe2\x80\xae",
        ];
        let mut analysed = 0;
        for round in 0..20_000 {
            let seed = seeds[round % seeds.len()];
            let data = mutator.mutate(seed, NASTY, 8);
            let raw = RawMessage {
                input: "fuzz",
                index: round,
                bytes: data,
                truncated: false,
            };
            if let Ok(report) = analyse(&raw, &settings) {
                analysed += 1;
                serde_json::to_string(&report).unwrap();
            }
        }
        // Most mutants are still messages; a fuzzer that analyses nothing proves nothing.
        assert!(analysed > 15_000, "{analysed}");
    }
}
