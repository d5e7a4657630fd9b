//! Unwrapping complaints: a forwarded message (a `message/rfc822` part) or an ARF feedback
//! report (RFC 5965) carries the message that was really sent; that one is analysed, and the
//! wrapper's own facts (who forwarded it, the report's fields) are kept beside it.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use serde::Serialize;

/// How deep forwards of forwards are followed; deeper nesting is left wrapped.
const MAX_DEPTH: usize = 4;

/// A layer that was taken off to reach the original message.
#[derive(Debug, Clone, Serialize)]
pub struct Wrapper {
    /// `forward` (a message/rfc822 part) or `arf` (a feedback report).
    pub kind: &'static str,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub date: Option<String>,
    /// The report's own fields, for an ARF report.
    pub feedback: Option<FeedbackReport>,
    /// True when the original came as `text/rfc822-headers`: headers only, no body.
    pub headers_only: bool,
}

/// The machine-readable part of an ARF report (RFC 5965 section 3.1), every field in order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FeedbackReport {
    pub feedback_type: Option<String>,
    pub user_agent: Option<String>,
    pub source_ip: Option<String>,
    pub reported_domain: Vec<String>,
    pub arrival_date: Option<String>,
    pub original_mail_from: Option<String>,
    pub original_rcpt_to: Vec<String>,
    /// All fields as given, including those above, as `[name, value]` pairs.
    pub fields: Vec<(String, String)>,
}

/// The message to analyse and the layers taken off it, outermost first.
pub struct Unwrapped {
    /// The original message's bytes, when a layer was taken off; `None` means the input
    /// itself is the message.
    pub original: Option<Vec<u8>>,
    pub wrappers: Vec<Wrapper>,
}

/// Takes forwards and ARF reports off `raw`, whose header block is `headers`. Only messages
/// whose top-level type can carry another message are parsed in full; the rest cost nothing.
pub fn unwrap(raw: &[u8], headers: &Message<'_>) -> Unwrapped {
    let mut wrappers = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    // Each layer's header block is read once: the caller's for the outermost, ours after.
    let mut wraps = may_wrap(headers);
    while wraps && wrappers.len() < MAX_DEPTH {
        let bytes = current.as_deref().unwrap_or(raw);
        let Some((wrapper, inner)) = peel(bytes) else {
            break;
        };
        wraps = super::header_parser()
            .parse_headers(&inner)
            .is_some_and(|h| may_wrap(&h));
        wrappers.push(wrapper);
        current = Some(inner);
    }
    Unwrapped {
        original: current,
        wrappers,
    }
}

/// Whether a top-level Content-Type may hold a complaint's original message.
fn may_wrap(headers: &Message<'_>) -> bool {
    headers.content_type().is_some_and(|ct| {
        let sub = ct.subtype().unwrap_or_default();
        (ct.ctype().eq_ignore_ascii_case("multipart")
            && (sub.eq_ignore_ascii_case("mixed") || sub.eq_ignore_ascii_case("report")))
            || (ct.ctype().eq_ignore_ascii_case("message") && sub.eq_ignore_ascii_case("rfc822"))
    })
}

/// Takes one layer off `raw`, whose top-level type [`may_wrap`], if there is one.
fn peel(raw: &[u8]) -> Option<(Wrapper, Vec<u8>)> {
    let message = MessageParser::default().parse(raw)?;
    let root = message.root_part();
    let is_arf = root.content_type().is_some_and(|ct| {
        ct.subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|t| t.eq_ignore_ascii_case("feedback-report"))
    });

    let mut feedback = None;
    let mut original: Option<(Vec<u8>, bool)> = None;
    // This message's own MIME parts; parts of an enclosed message are the next layer's.
    for part in message.parts.iter().skip(1) {
        let (ctype, subtype) = part
            .content_type()
            .map(|ct| {
                (
                    ct.ctype().to_ascii_lowercase(),
                    ct.subtype().unwrap_or_default().to_ascii_lowercase(),
                )
            })
            .unwrap_or_default();
        match (ctype.as_str(), subtype.as_str(), &part.body) {
            ("message", "feedback-report", body) if is_arf => {
                feedback = Some(parse_report(&body_bytes(body)));
            }
            ("message", "rfc822" | "global", PartType::Message(inner)) if original.is_none() => {
                original = Some((inner.raw_message().to_vec(), false));
            }
            ("text", "rfc822-headers", body) if original.is_none() => {
                original = Some((body_bytes(body), true));
            }
            _ => {}
        }
    }
    let (inner, headers_only) = original?;
    let text = |v: Option<&str>| v.map(str::to_owned);
    let wrapper = Wrapper {
        kind: if is_arf { "arf" } else { "forward" },
        from: message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_owned),
        subject: text(message.subject()),
        date: message.date().map(|d| d.to_rfc3339()),
        feedback,
        headers_only,
    };
    Some((wrapper, inner))
}

fn body_bytes(body: &PartType<'_>) -> Vec<u8> {
    match body {
        PartType::Text(t) | PartType::Html(t) => t.as_bytes().to_vec(),
        PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
        PartType::Message(m) => m.raw_message().to_vec(),
        PartType::Multipart(_) => Vec::new(),
    }
}

/// Reads the `name: value` fields of a message/feedback-report part (folded lines joined).
fn parse_report(bytes: &[u8]) -> FeedbackReport {
    let text = String::from_utf8_lossy(bytes);
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let first = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let all = |name: &str| {
        fields
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    };
    FeedbackReport {
        feedback_type: first("Feedback-Type"),
        user_agent: first("User-Agent"),
        source_ip: first("Source-IP"),
        reported_domain: all("Reported-Domain"),
        arrival_date: first("Arrival-Date").or_else(|| first("Received-Date")),
        original_mail_from: first("Original-Mail-From"),
        original_rcpt_to: all("Original-Rcpt-To"),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_message_is_not_parsed_or_unwrapped() {
        let raw = b"From: a@example.com\nSubject: hi\n\nbody\n";
        let headers = crate::message::header_parser().parse_headers(raw).unwrap();
        let u = unwrap(raw, &headers);
        assert!(u.original.is_none());
        assert!(u.wrappers.is_empty());
    }

    #[test]
    fn report_fields_unfold() {
        let r = parse_report(
            b"Feedback-Type: abuse\nUser-Agent: SomeFBL/1.0\nVersion: 1\nSource-IP: 192.0.2.1\nReported-Domain: example.com\nReported-Domain: example.net\nOriginal-Rcpt-To: a@b\n  more\n",
        );
        assert_eq!(r.feedback_type.as_deref(), Some("abuse"));
        assert_eq!(r.source_ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(r.reported_domain, vec!["example.com", "example.net"]);
        assert_eq!(r.original_rcpt_to, vec!["a@b more"]);
        assert_eq!(r.fields.len(), 7);
    }
}
