//! The findings `headers` makes beyond the Received chain: header structure, dates,
//! identities, and claimed client addresses.

use mail_parser::{HeaderName, HeaderValue, Message};
use unicode_script::{Script, UnicodeScript};

use crate::findings::{self, Finding};
use crate::message::identities::{domain_of, relation, Identities};
use crate::received::chain::{clip, human_duration, Hop, Origin};

use super::Claim;

/// Lines of the header block that are not header fields (mail-parser skips them; an analyst
/// must see them), and a header block that never ends.
pub fn structure(message: &Message<'_>, bytes: &[u8], findings: &mut Vec<Finding>) {
    let headers = message.headers();
    let mut expected = 0usize;
    for h in headers {
        let gap = bytes
            .get(expected..h.offset_field as usize)
            .unwrap_or_default();
        let text = String::from_utf8_lossy(gap);
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            findings.push(findings::HEADER_MALFORMED_LINE.finding(
                "a line in the header block is not a header field",
                Some(clip(line)),
            ));
        }
        expected = h.offset_end as usize;
    }
    let header_end =
        memchr::memmem::find(bytes, b"\n\n").or_else(|| memchr::memmem::find(bytes, b"\n\r\n"));
    if header_end.is_none() {
        findings.push(findings::MESSAGE_NO_BODY.finding(
            "no empty line ends the header block: headers only, or a truncated message",
            None,
        ));
    }
}

/// Date and Message-ID presence, and the Date against the first hop's time.
pub fn dates(message: &Message<'_>, hops: &[Hop], max_skew: i64, findings: &mut Vec<Finding>) {
    let date_header = message
        .headers()
        .iter()
        .find(|h| h.name == HeaderName::Date);
    match (date_header, message.date()) {
        (None, _) => {
            findings.push(findings::DATE_MISSING.finding("the message has no Date header", None))
        }
        (Some(h), None) => findings.push(
            findings::DATE_INVALID
                .finding("the Date header is not a date", h.value.as_text().map(clip)),
        ),
        (Some(_), Some(date)) if date.is_valid() => {
            let first = hops.iter().find(|h| h.timestamp.is_some());
            if let Some((hop, t)) = first.and_then(|h| h.timestamp.map(|t| (h, t))) {
                let skew = t - date.to_timestamp();
                if skew.abs() > max_skew {
                    findings.push(findings::DATE_SKEW.finding(
                        format!(
                            "Date is {} {} the first hop (hop {})",
                            human_duration(skew.abs()),
                            if skew > 0 { "before" } else { "after" },
                            hop.index
                        ),
                        Some(format!(
                            "Date {} / hop {} {}",
                            date.to_rfc3339(),
                            hop.index,
                            hop.time.as_deref().unwrap_or_default()
                        )),
                    ));
                }
            }
        }
        (Some(h), Some(_)) => findings.push(findings::DATE_INVALID.finding(
            "the Date header holds an impossible date",
            h.value.as_text().map(clip),
        )),
    }
    let has_id = message
        .headers()
        .iter()
        .any(|h| h.name == HeaderName::MessageId && !matches!(h.value, HeaderValue::Empty));
    if !has_id {
        findings.push(findings::MESSAGE_ID_MISSING.finding("the message has no Message-ID", None));
    }
}

/// Findings about who the message claims to be from.
pub fn identities(ids: &Identities, findings: &mut Vec<Finding>) {
    let author = ids.from.first().and_then(|m| m.address.as_deref());
    if author.is_none() {
        findings.push(findings::FROM_MISSING.finding("the message has no From address", None));
    }
    if ids.from.len() > 1 && ids.sender.is_none() {
        findings.push(
            findings::FROM_MULTIPLE_WITHOUT_SENDER.finding(
                format!("{} From addresses and no Sender", ids.from.len()),
                Some(
                    ids.from
                        .iter()
                        .filter_map(|m| m.address.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ),
        );
    }
    for mailbox in &ids.from {
        let (Some(name), Some(address)) = (&mailbox.name, &mailbox.address) else {
            continue;
        };
        if let Some(shown) = addresses_in(name)
            .into_iter()
            .find(|a| !a.eq_ignore_ascii_case(address))
        {
            findings.push(findings::FROM_DISPLAY_NAME_ADDRESS.finding(
                format!("the display name shows {shown}, but the address is {address}"),
                Some(format!("\"{name}\" <{address}>")),
            ));
        }
    }
    if let Some(author) = author {
        for reply in ids.reply_to.iter().filter_map(|m| m.address.as_deref()) {
            if relation(reply, author) == "different" {
                findings.push(findings::REPLY_TO_OTHER_DOMAIN.finding(
                    format!("replies go to {reply}, outside the From domain of {author}"),
                    Some(format!("Reply-To: {reply}")),
                ));
            }
        }
        if let Some(who) = &ids.authenticated {
            let matches = if who.contains('@') {
                relation(who, author) != "different"
            } else {
                author
                    .split('@')
                    .next()
                    .is_some_and(|local| local.eq_ignore_ascii_case(who))
            };
            if !matches {
                findings.push(findings::AUTH_SUBMITTER_MISMATCH.finding(
                    format!("the message was submitted by account {who}, but From is {author}"),
                    None,
                ));
            }
        }
    }
    domains(ids, findings);
}

/// Punycode and mixed-script domains among the identities.
fn domains(ids: &Identities, findings: &mut Vec<Finding>) {
    let mut seen: Vec<String> = Vec::new();
    let addresses = ids
        .from
        .iter()
        .chain(&ids.reply_to)
        .chain(ids.sender.as_ref())
        .filter_map(|m| m.address.as_deref())
        .chain(ids.return_path.as_deref())
        .chain(ids.pra.as_deref());
    for domain in addresses.filter_map(domain_of) {
        let lower = domain.to_lowercase();
        if seen.contains(&lower) {
            continue;
        }
        seen.push(lower.clone());
        let unicode = if lower.split('.').any(|l| l.starts_with("xn--")) {
            let (decoded, result) = idna::domain_to_unicode(&lower);
            findings.push(findings::DOMAIN_PUNYCODE.finding(
                if result.is_ok() {
                    format!("{domain} is the internationalised name {decoded}")
                } else {
                    format!("{domain} is an invalid internationalised name")
                },
                Some(domain.to_string()),
            ));
            decoded
        } else {
            lower
        };
        if let Some(label) = unicode.split('.').find(|l| mixed_script(l)) {
            findings.push(findings::DOMAIN_MIXED_SCRIPT.finding(
                format!(
                    "the label {label} of {domain} mixes scripts ({})",
                    scripts_of(label).join(", ")
                ),
                Some(unicode.clone()),
            ));
        }
    }
}

fn scripts_of(label: &str) -> Vec<String> {
    let mut scripts: Vec<Script> = Vec::new();
    for c in label.chars() {
        let s = c.script();
        if !matches!(s, Script::Common | Script::Inherited | Script::Unknown)
            && !scripts.contains(&s)
        {
            scripts.push(s);
        }
    }
    scripts.iter().map(|s| s.full_name().to_string()).collect()
}

/// A label mixes scripts unless it keeps to one script, or to Latin plus one of the CJK
/// combinations Unicode's "highly restrictive" profile allows (UTS #39 section 5.2).
fn mixed_script(label: &str) -> bool {
    let scripts = scripts_of(label);
    if scripts.len() <= 1 {
        return false;
    }
    const ALLOWED: &[&[&str]] = &[
        &["Latin", "Han", "Hiragana", "Katakana"],
        &["Latin", "Han", "Bopomofo"],
        &["Latin", "Han", "Hangul"],
    ];
    !ALLOWED
        .iter()
        .any(|set| scripts.iter().all(|s| set.contains(&s.as_str())))
}

/// Things that look like addresses inside a display name.
fn addresses_in(name: &str) -> Vec<String> {
    name.split(|c: char| c.is_whitespace() || "<>()[]\"',;:".contains(c))
        .filter(|t| {
            t.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'))
        })
        .map(str::to_owned)
        .collect()
}

/// Claimed client addresses that differ from the origin the chain shows.
pub fn claims(claims: &[Claim], origin: &Origin, findings: &mut Vec<Finding>) {
    for claim in claims {
        if let Some(ip) = claim.ip.filter(|ip| Some(*ip) != origin.ip) {
            findings.push(findings::ORIGIN_CLAIMED_IP.finding(
                format!("{} claims the client was {ip}", claim.header),
                Some(format!("{}: {}", claim.header, claim.value)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_scripts() {
        assert!(!mixed_script("paypal"));
        assert!(mixed_script("pаypal")); // Cyrillic а
        assert!(!mixed_script("例え"));
        assert!(!mixed_script("bücher"));
        assert!(!mixed_script("日本語abc"));
        assert!(mixed_script("αpple"));
    }

    #[test]
    fn addresses_in_display_names() {
        assert_eq!(
            addresses_in("PayPal <service@paypal.com>"),
            vec!["service@paypal.com"]
        );
        assert_eq!(
            addresses_in("ceo@example.com via LinkedIn"),
            vec!["ceo@example.com"]
        );
        assert!(addresses_in("Alice @ home").is_empty());
    }
}
