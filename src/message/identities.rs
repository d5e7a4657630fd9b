//! Who a message says it is from: the envelope sender (Return-Path), the author (From), the
//! Sender, Reply-To and Resent-* fields, the Purported Responsible Address (RFC 4407) and the
//! DMARC author domain (RFC 7489 section 3.1), and how each relates to the author.

use mail_parser::{Address, HeaderName, HeaderValue, Message};
use serde::Serialize;

/// An address as a header gives it, with its display name.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: Option<String>,
}

/// The topmost Resent-* block (RFC 5322 section 3.6.6): the latest re-sending.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Resent {
    pub from: Vec<Mailbox>,
    pub sender: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub date: Option<String>,
    pub message_id: Option<String>,
}

/// How an identity relates to the author (From) address.
#[derive(Debug, Clone, Serialize)]
pub struct Relation {
    pub identity: &'static str,
    pub address: String,
    /// `same_address`, `same_domain`, `same_org_domain` or `different`.
    pub relation: &'static str,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Identities {
    /// The envelope sender from the topmost Return-Path; `<>` is the null sender of bounces.
    pub return_path: Option<String>,
    pub from: Vec<Mailbox>,
    pub sender: Option<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub resent: Option<Resent>,
    /// Purported Responsible Address, RFC 4407 section 2.
    pub pra: Option<String>,
    /// The domain DMARC would evaluate: the From domain when the From header names exactly
    /// one domain.
    pub dmarc_domain: Option<String>,
    /// The account that authenticated (SMTP AUTH) at a hop, when one shows it.
    pub authenticated: Option<String>,
    pub relations: Vec<Relation>,
}

/// Reads identities from a parsed header block. `authenticated` comes from the Received chain.
pub fn identities(message: &Message<'_>, authenticated: Option<String>) -> Identities {
    let mut ids = Identities::default();
    let mut resent_open = true;
    let mut resent = Resent::default();
    let mut resent_seen = false;
    for header in message.headers() {
        match &header.name {
            HeaderName::ReturnPath if ids.return_path.is_none() => {
                ids.return_path = Some(return_path(&header.value));
            }
            HeaderName::From => ids.from.extend(mailboxes(&header.value)),
            HeaderName::Sender if ids.sender.is_none() => {
                ids.sender = mailboxes(&header.value).into_iter().next();
            }
            HeaderName::ReplyTo => ids.reply_to.extend(mailboxes(&header.value)),
            HeaderName::ResentFrom
            | HeaderName::ResentSender
            | HeaderName::ResentTo
            | HeaderName::ResentDate
            | HeaderName::ResentMessageId
                if resent_open =>
            {
                resent_seen = true;
                match header.name {
                    HeaderName::ResentFrom => resent.from.extend(mailboxes(&header.value)),
                    HeaderName::ResentSender => {
                        resent.sender = mailboxes(&header.value).into_iter().next()
                    }
                    HeaderName::ResentTo => resent.to.extend(mailboxes(&header.value)),
                    HeaderName::ResentDate => {
                        resent.date = header.value.as_datetime().map(|d| d.to_rfc3339())
                    }
                    _ => resent.message_id = header.value.as_text().map(str::to_owned),
                }
            }
            // The first block ends at the first other trace field after it.
            HeaderName::Received | HeaderName::ReturnPath if resent_seen => resent_open = false,
            _ => {}
        }
    }
    if resent_seen {
        ids.resent = Some(resent);
    }
    ids.pra = pra(message);
    ids.dmarc_domain = dmarc_domain(&ids.from);
    ids.authenticated = authenticated;
    ids.relations = relations(&ids);
    ids
}

fn return_path(value: &HeaderValue<'_>) -> String {
    let text = match value {
        HeaderValue::Text(t) => t.to_string(),
        HeaderValue::Address(a) => a
            .first()
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    };
    let bare = text
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    if bare.is_empty() {
        "<>".into()
    } else {
        bare.into()
    }
}

fn mailboxes(value: &HeaderValue<'_>) -> Vec<Mailbox> {
    let HeaderValue::Address(address) = value else {
        return Vec::new();
    };
    let to_mailbox = |a: &mail_parser::Addr<'_>| Mailbox {
        name: a.name().map(str::to_owned),
        address: a.address().map(str::to_owned),
    };
    match address {
        Address::List(list) => list.iter().map(to_mailbox).collect(),
        Address::Group(groups) => groups
            .iter()
            .flat_map(|g| g.addresses.iter().map(to_mailbox))
            .collect(),
    }
}

/// RFC 4407 section 2: Resent-Sender, else Resent-From, else Sender, else From; the field
/// must hold exactly one mailbox, and a Resent-Sender only counts when no Received or
/// Return-Path stands between it and a Resent-From above it.
fn pra(message: &Message<'_>) -> Option<String> {
    let headers = message.headers();
    let non_empty = |name: HeaderName<'static>| {
        headers
            .iter()
            .enumerate()
            .find(|(_, h)| h.name == name && !mailboxes(&h.value).is_empty())
    };
    let single = |value: &HeaderValue<'_>| {
        let list = mailboxes(value);
        match list.as_slice() {
            [one] => one.address.clone(),
            _ => None,
        }
    };
    if let Some((i, sender)) = non_empty(HeaderName::ResentSender) {
        let interrupted = non_empty(HeaderName::ResentFrom).is_some_and(|(j, _)| {
            j < i
                && headers[j + 1..i]
                    .iter()
                    .any(|h| matches!(h.name, HeaderName::Received | HeaderName::ReturnPath))
        });
        if !interrupted {
            return single(&sender.value);
        }
    }
    if let Some((_, from)) = non_empty(HeaderName::ResentFrom) {
        return single(&from.value);
    }
    let senders: Vec<_> = headers
        .iter()
        .filter(|h| h.name == HeaderName::Sender && !mailboxes(&h.value).is_empty())
        .collect();
    match senders.as_slice() {
        [one] => return single(&one.value),
        [] => {}
        _ => return None,
    }
    let froms: Vec<_> = headers
        .iter()
        .filter(|h| h.name == HeaderName::From && !mailboxes(&h.value).is_empty())
        .collect();
    match froms.as_slice() {
        [one] => single(&one.value),
        _ => None,
    }
}

/// RFC 7489 section 6.6.1: the author domain, when all From addresses share one domain.
fn dmarc_domain(from: &[Mailbox]) -> Option<String> {
    let mut domains = from
        .iter()
        .filter_map(|m| m.address.as_deref().and_then(domain_of))
        .map(|d| d.to_ascii_lowercase());
    let first = domains.next()?;
    domains.all(|d| d == first).then_some(first)
}

/// The domain of an address (after the last `@`), without a trailing dot.
pub fn domain_of(address: &str) -> Option<&str> {
    let (_, domain) = address.rsplit_once('@')?;
    let domain = domain.trim_end_matches(['.', '>']);
    (!domain.is_empty()).then_some(domain)
}

/// The organisational domain (the registrable domain under the Public Suffix List), the
/// unit of DMARC relaxed alignment.
pub fn org_domain(domain: &str) -> String {
    let lower = domain.to_ascii_lowercase();
    psl::domain_str(&lower).unwrap_or(&lower).to_string()
}

/// How `address` relates to the author address `author`.
pub fn relation(address: &str, author: &str) -> &'static str {
    if address.eq_ignore_ascii_case(author) {
        return "same_address";
    }
    match (domain_of(address), domain_of(author)) {
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => "same_domain",
        (Some(a), Some(b)) if org_domain(a) == org_domain(b) => "same_org_domain",
        _ => "different",
    }
}

fn relations(ids: &Identities) -> Vec<Relation> {
    let Some(author) = ids.from.first().and_then(|m| m.address.as_deref()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |identity: &'static str, address: Option<&str>| {
        if let Some(address) = address.filter(|a| *a != "<>") {
            out.push(Relation {
                identity,
                address: address.to_string(),
                relation: relation(address, author),
            });
        }
    };
    add("return_path", ids.return_path.as_deref());
    add(
        "sender",
        ids.sender.as_ref().and_then(|m| m.address.as_deref()),
    );
    for r in &ids.reply_to {
        add("reply_to", r.address.as_deref());
    }
    if let Some(resent) = &ids.resent {
        for r in &resent.from {
            add("resent_from", r.address.as_deref());
        }
    }
    add("pra", ids.pra.as_deref());
    add("authenticated", ids.authenticated.as_deref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn ids(raw: &str) -> Identities {
        let m = MessageParser::new().parse_headers(raw.as_bytes()).unwrap();
        identities(&m, None)
    }

    #[test]
    fn pra_prefers_resent_sender_then_resent_from_then_sender_then_from() {
        let base = "From: a@example.com\nSender: s@example.com\n";
        assert_eq!(ids(base).pra.as_deref(), Some("s@example.com"));
        assert_eq!(
            ids("From: a@example.com\n").pra.as_deref(),
            Some("a@example.com")
        );
        assert_eq!(ids("From: a@example.com, b@example.com\n").pra, None);
        let resent = format!("Resent-From: r@example.org\nResent-Sender: rs@example.org\n{base}");
        assert_eq!(ids(&resent).pra.as_deref(), Some("rs@example.org"));
        // A Received between Resent-From and Resent-Sender breaks the block: step 2 applies.
        let broken = format!(
            "Resent-From: r@example.org\nReceived: from x by y; Sat, 21 Nov 2026 10:00:00 +0000\nResent-Sender: rs@example.org\n{base}"
        );
        assert_eq!(ids(&broken).pra.as_deref(), Some("r@example.org"));
    }

    #[test]
    fn return_path_null_sender() {
        assert_eq!(
            ids("Return-Path: <>\nFrom: a@b.example\n")
                .return_path
                .as_deref(),
            Some("<>")
        );
        assert_eq!(
            ids("Return-Path: <bounce@mail.example.com>\n")
                .return_path
                .as_deref(),
            Some("bounce@mail.example.com")
        );
    }

    #[test]
    fn relations_use_organisational_domains() {
        assert_eq!(relation("a@example.com", "A@Example.com"), "same_address");
        assert_eq!(relation("b@example.com", "a@example.com"), "same_domain");
        assert_eq!(
            relation("b@mail.example.co.uk", "a@example.co.uk"),
            "same_org_domain"
        );
        assert_eq!(relation("b@other.co.uk", "a@example.co.uk"), "different");
    }

    #[test]
    fn dmarc_domain_needs_one_domain() {
        assert_eq!(
            ids("From: a@Example.com, b@example.com\n")
                .dmarc_domain
                .as_deref(),
            Some("example.com")
        );
        assert_eq!(
            ids("From: a@example.com, b@example.net\n").dmarc_domain,
            None
        );
    }
}
