//! ARC (RFC 8617): each set's instance and cv, the chain verdict from mail-auth, and which
//! instance broke the chain.

use mail_auth::arc::{ArcError, ChainValidation};
use mail_auth::{AuthenticatedMessage, Error, Parameters};
use serde::Serialize;

use crate::auth::dkim::{error_text, split};
use crate::auth::txt::{Answers, Fetched};
use crate::auth::AuthResult;

/// One ARC set as the message carries it.
#[derive(Debug, Clone, Serialize)]
pub struct ArcSet {
    pub instance: u32,
    /// The seal's `cv=`: what this hop said of the chain before it.
    pub cv: &'static str,
    /// ARC-Message-Signature and ARC-Seal signers, `selector._domainkey.domain`.
    pub signature_key: String,
    pub seal_key: String,
}

/// The chain verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ArcOutcome {
    /// pass, fail or none (RFC 8617 section 4.4: the chain validation status).
    pub result: AuthResult,
    pub reason: String,
    /// Number of ARC sets.
    pub instances: usize,
    pub sets: Vec<ArcSet>,
    /// The instance at which the chain broke, when it did and that is known.
    pub broken_at: Option<u32>,
}

/// Every key name the chain needs: each set's AMS and AS signer.
pub fn key_names(message: &AuthenticatedMessage<'_>) -> Vec<String> {
    let ams = message
        .ams_headers
        .iter()
        .map(|h| format!("{}._domainkey.{}", h.header.s, h.header.d));
    let seals = message
        .as_headers
        .iter()
        .map(|h| format!("{}._domainkey.{}", h.header.s, h.header.d));
    ams.chain(seals).collect()
}

/// Validates the chain of `message` (parsed strictly: an AMS with `l=` is refused).
pub async fn verify(message: &AuthenticatedMessage<'_>, answers: &Answers) -> ArcOutcome {
    let auth = crate::auth::txt::offline_authenticator();
    let output = auth
        .verify_arc(Parameters::new(message).with_txt_cache(answers))
        .await;
    let sets: Vec<ArcSet> = output
        .sets()
        .iter()
        .map(|set| ArcSet {
            instance: set.seal.header.i,
            cv: match set.seal.header.cv {
                ChainValidation::None => "none",
                ChainValidation::Fail => "fail",
                ChainValidation::Pass => "pass",
            },
            signature_key: format!(
                "{}._domainkey.{}",
                set.signature.header.s, set.signature.header.d
            ),
            seal_key: format!("{}._domainkey.{}", set.seal.header.s, set.seal.header.d),
        })
        .collect();
    let instances = message.as_headers.len().max(message.ams_headers.len());
    let (result, error) = split(output.result());
    // RFC 8617 section 4.4: the chain validation status is none, fail or pass. mail-auth's
    // neutral (a malformed or expired ARC field) and permerror are a failed chain; a DNS
    // failure stays temperror, so it is retried rather than read as a broken chain.
    let result = match result {
        AuthResult::Pass | AuthResult::None | AuthResult::TempError => result,
        _ => AuthResult::Fail,
    };
    let last = sets.last().map(|s| s.instance);
    let broken_at = match error {
        Some(Error::Arc(ArcError::InvalidInstance(i))) => Some(*i),
        Some(Error::Arc(ArcError::FailedBodyHashMatch | ArcError::SignatureExpired)) => last,
        Some(Error::Arc(ArcError::InvalidCV)) => sets
            .iter()
            .enumerate()
            .find(|(pos, s)| (*pos == 0) != (s.cv == "none") || (*pos > 0 && s.cv != "pass"))
            .map(|(_, s)| s.instance),
        _ => None,
    };
    let reason = match (result, error) {
        (AuthResult::Pass, _) => {
            format!("{} set(s), every seal and the last AMS verify", sets.len())
        }
        (AuthResult::None, _) => "no ARC sets".to_string(),
        (_, Some(e)) => arc_reason(e),
        (_, None) => "chain not validated".to_string(),
    };
    let mut outcome = ArcOutcome {
        result,
        reason,
        instances,
        sets,
        broken_at,
    };
    // RFC 8617 section 5.2 checks the chain's structure before any signature; mail-auth is
    // lenient where the RFC is not, so a chain it passes (or finds empty) is checked here too.
    if outcome.result != AuthResult::Fail {
        if let Some((why, instance)) = structure(message).or_else(|| weak_key(message, answers)) {
            outcome.result = AuthResult::Fail;
            outcome.reason = why;
            outcome.broken_at = instance;
        }
    }
    outcome
}

/// The first structural fault of the ARC fields (RFC 8617 sections 4.1 and 5.2, tag lists
/// as RFC 6376 section 3.2 defines them), with the instance it is in when known.
fn structure(message: &AuthenticatedMessage<'_>) -> Option<(String, Option<u32>)> {
    let mut seals = 0;
    let mut signatures = 0;
    let mut results = 0;
    for (name, value) in &message.headers {
        let name = String::from_utf8_lossy(name.trim_ascii()).to_ascii_lowercase();
        let (kind, required): (&str, &[&str]) = match name.as_str() {
            "arc-seal" => {
                seals += 1;
                ("ARC-Seal", &["a", "b", "cv", "d", "i", "s"])
            }
            "arc-message-signature" => {
                signatures += 1;
                (
                    "ARC-Message-Signature",
                    &["a", "b", "bh", "d", "h", "i", "s"],
                )
            }
            "arc-authentication-results" => {
                results += 1;
                continue;
            }
            _ => continue,
        };
        let text = String::from_utf8_lossy(value);
        let tags = match tag_list(&text) {
            Ok(tags) => tags,
            Err(why) => return Some((format!("{kind}: {why}"), None)),
        };
        let get = |t: &str| tags.iter().find(|(k, _)| k == t).map(|(_, v)| v.as_str());
        let instance = get("i").and_then(|i| i.parse().ok());
        let fault = |why: String| {
            Some((
                format!("{kind} i={}: {why}", get("i").unwrap_or("?")),
                instance,
            ))
        };
        if let Some(missing) = required.iter().find(|t| get(t).is_none()) {
            return fault(format!("no {missing}= tag"));
        }
        if get("a") != Some("rsa-sha256") {
            return fault(format!(
                "a={} (ARC signs with rsa-sha256 only)",
                get("a").unwrap_or_default()
            ));
        }
        if !valid_domain(get("d").unwrap_or_default()) {
            return fault(format!(
                "d={} is not a domain name",
                get("d").unwrap_or_default()
            ));
        }
        if kind == "ARC-Seal" && get("h").is_some() {
            return fault("h= is not allowed in an ARC-Seal".into());
        }
        if kind == "ARC-Message-Signature"
            && get("h")
                .unwrap_or_default()
                .split(':')
                .any(|h| h.trim().eq_ignore_ascii_case("arc-seal"))
        {
            return fault("h= signs ARC-Seal, which an AMS must not".into());
        }
    }
    if signatures == 0 && (seals > 0 || results > 0) {
        return Some((
            "ARC-Seal or ARC-Authentication-Results without ARC-Message-Signature".into(),
            None,
        ));
    }
    None
}

/// RFC 8617 section 5.2 verifies with DKIM's rules, and RFC 8301 section 3.2 refuses RSA keys
/// under 1024 bits; mail-auth accepts them.
fn weak_key(
    message: &AuthenticatedMessage<'_>,
    answers: &Answers,
) -> Option<(String, Option<u32>)> {
    for name in key_names(message) {
        if let Some(Fetched::Txt(records)) = answers.txt(&name) {
            if let Some(key) = records.dkim_key() {
                let bits = key.p.public_key_bits();
                if bits < 1024 {
                    return Some((
                        format!("{name}: a {bits}-bit key (under 1024, RFC 8301)"),
                        None,
                    ));
                }
            }
        }
    }
    None
}

/// An RFC 6376 section 3.2 tag list: `tag=value` pairs separated by `;` (one trailing `;`
/// allowed), tag names ALPHA *(ALPHA / DIGIT / "_"), case-sensitive, none twice.
fn tag_list(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut tags: Vec<(String, String)> = Vec::new();
    let parts: Vec<&str> = text.split(';').collect();
    for (position, part) in parts.iter().enumerate() {
        if part.trim().is_empty() {
            if position + 1 == parts.len() {
                break;
            }
            return Err("an empty tag (`;;`)".into());
        }
        let Some((name, value)) = part.split_once('=') else {
            return Err(format!(
                "`{}` is not tag=value",
                crate::received::chain::clip(part.trim())
            ));
        };
        let name = name.trim();
        let mut chars = name.chars();
        let well_formed = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            return Err(format!("`{name}` is not a tag name"));
        }
        if tags.iter().any(|(k, _)| k == name) {
            return Err(format!("{name}= given twice"));
        }
        let value: String = value.split_whitespace().collect::<Vec<_>>().join(" ");
        tags.push((name.to_string(), value));
    }
    Ok(tags)
}

/// Letters, digits, hyphens (and underscores, as DNS allows) in dot-separated labels of 1 to
/// 63 characters.
fn valid_domain(domain: &str) -> bool {
    let domain = domain.trim_end_matches('.');
    !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

fn arc_reason(error: &Error) -> String {
    match error {
        Error::Arc(ArcError::InvalidInstance(i)) => format!("set {i}: missing or wrong i="),
        Error::Arc(ArcError::InvalidCV) => "a seal's cv= is wrong for its position".into(),
        Error::Arc(ArcError::BrokenChain) => {
            "broken chain: ARC fields missing, duplicated or malformed".into()
        }
        Error::Arc(ArcError::ChainTooLong) => "more than 50 ARC sets".into(),
        Error::Arc(ArcError::HasHeaderTag) => "an ARC-Seal carries h=".into(),
        Error::Arc(ArcError::FailedBodyHashMatch) => "last AMS: body hash mismatch".into(),
        Error::Arc(ArcError::SignatureExpired) => "last AMS: signature expired".into(),
        Error::Arc(ArcError::SignatureLength) => "an AMS carries l= (refused)".into(),
        other => error_text(other),
    }
}
