//! DKIM (RFC 6376): every signature verified twice, by mail-auth and by viadkim, over the same
//! prefetched key records, each verdict with its precise reason; a disagreement is a finding.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mail_auth::common::crypto::Algorithm;
use mail_auth::dkim::{Canonicalization, DkimError, Signature};
use mail_auth::{AuthenticatedMessage, DkimOutput, DkimResult, DnsError, Error, Parameters};
use serde::Serialize;
use viadkim::verifier::{Config, VerificationError, VerificationStatus, Verifier};

use crate::auth::txt::{Answers, Fetched, ViaLookup};
use crate::auth::AuthResult;
use crate::dns::LookupError;

/// Signatures verified per message; more are listed as not verified. Each costs a key
/// look-up and a public-key operation, so a message with thousands of signatures must not
/// cost thousands of them.
pub const MAX_SIGNATURES: usize = 20;
/// Header names listed per signature's `h=` (the count is always given).
pub const MAX_LISTED_HEADERS: usize = 64;

/// One verifier's verdict on one signature.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The RFC 8601 word (viadkim may also say `policy`).
    pub result: &'static str,
    pub reason: String,
}

/// The public key a signature named, as published.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// `selector._domainkey.domain`.
    pub name: String,
    /// The TXT record (the first one, when several were published), or why there is none.
    pub record: Option<String>,
    pub dns: Option<String>,
    /// Key type and size, when the record holds a readable key.
    pub key_type: Option<&'static str>,
    pub bits: Option<usize>,
}

/// One DKIM-Signature and both verdicts.
#[derive(Debug, Clone, Serialize)]
pub struct DkimSignature {
    /// Position among the message's DKIM-Signature fields, 1 = topmost.
    pub index: usize,
    pub domain: Option<String>,
    pub selector: Option<String>,
    pub algorithm: Option<&'static str>,
    /// Header/body canonicalization, `c=`.
    pub canonicalization: Option<String>,
    /// `i=`, the agent or user identifier.
    pub identity: Option<String>,
    /// `h=`, at most [`MAX_LISTED_HEADERS`] names.
    pub headers: Vec<String>,
    pub headers_total: usize,
    /// `l=`: only this many body bytes are signed (the rest can be anything).
    pub body_length: Option<u64>,
    /// `t=` and `x=` as Unix times.
    pub timestamp: Option<u64>,
    pub expiration: Option<u64>,
    /// The headline verdict: mail-auth's, except where it judged expiry at the wall clock
    /// and the judgement time says otherwise (then viadkim's, judged at that time).
    pub result: AuthResult,
    pub reason: String,
    pub mail_auth: Verdict,
    /// None when viadkim could not run on this message (reason in `notes`).
    pub viadkim: Option<Verdict>,
    /// Both verifiers say pass, or both say not pass (expiry judged at different clocks
    /// excepted, see `notes`).
    pub agree: bool,
    pub key: Option<KeyInfo>,
    pub notes: Vec<String>,
}

/// All signatures of a message.
#[derive(Debug, Clone, Serialize)]
pub struct DkimOutcome {
    pub signatures: Vec<DkimSignature>,
    /// DKIM-Signature fields in the message; beyond [`MAX_SIGNATURES`] they are listed as
    /// not verified.
    pub total: usize,
}

/// Cuts the signatures mail-auth will verify to [`MAX_SIGNATURES`]; the rest are listed.
pub fn bound(message: &mut AuthenticatedMessage<'_>) {
    message.dkim_headers.truncate(MAX_SIGNATURES);
}

/// The `selector._domainkey.domain` name of each signature mail-auth understood.
pub fn key_names(message: &AuthenticatedMessage<'_>) -> Vec<String> {
    message
        .dkim_headers
        .iter()
        .map(|h| format!("{}._domainkey.{}", h.header.s, h.header.d))
        .collect()
}

/// Verifies the signatures of `message` with both verifiers at `at` (Unix seconds), and gives
/// mail-auth's outputs for DMARC (a signature whose headline verdict is pass counts as pass).
/// `message` is the CRLF form of the message, parsed without mail-auth's strict `l=` refusal
/// (viadkim verifies `l=` signatures too; the note says what `l=` leaves unsigned), with its
/// `dkim_headers` cut to [`MAX_SIGNATURES`] by [`bound`].
pub async fn verify<'x>(
    message: &'x AuthenticatedMessage<'x>,
    answers: &'x Arc<Answers>,
    at: u64,
) -> (DkimOutcome, Vec<DkimOutput<'x>>) {
    let auth = crate::auth::txt::offline_authenticator();
    let outputs = auth
        .verify_dkim(Parameters::new(message).with_txt_cache(answers.as_ref()))
        .await;
    let via = run_viadkim(message, answers, at).await;

    let wall = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut signatures = Vec::new();
    let mut dmarc_inputs = Vec::new();
    // Every DKIM-Signature field in header order: understood ones and malformed ones.
    let mut position = 0;
    for (header_index, (name, value)) in message.headers.iter().enumerate() {
        if !is_dkim_signature(name) {
            continue;
        }
        position += 1;
        let parsed = message
            .dkim_headers
            .iter()
            .position(|h| h.value.as_ptr() == value.as_ptr());
        let via_verdict = match &via {
            Ok(results) => results
                .iter()
                .find(|r| r.index == header_index)
                .map(|r| Ok(viadkim_verdict(&r.status))),
            Err(why) => Some(Err(why.clone())),
        };
        let mut notes = Vec::new();
        let via_verdict = match via_verdict {
            Some(Ok(v)) => Some(v),
            Some(Err(why)) => {
                notes.push(format!("viadkim did not run: {why}"));
                None
            }
            None => None,
        };
        let malformed = message
            .errors
            .iter()
            .find(|h| h.value.as_ptr() == value.as_ptr())
            .map(|h| h.header.clone());
        let signature = match (parsed, malformed) {
            (Some(i), _) => {
                let header = &message.dkim_headers[i];
                let output = outputs.iter().find(|o| {
                    o.signature()
                        .is_some_and(|s| std::ptr::eq(s, &header.header))
                });
                let (ma_result, ma_error) = match output.map(|o| o.result()) {
                    Some(r) => split(r),
                    None => (AuthResult::None, None),
                };
                let sig = &header.header;
                let judged_expired = sig.x != 0 && (sig.x <= sig.t || sig.x <= at);
                let wall_expired = sig.x != 0 && (sig.x <= sig.t || sig.x <= wall);
                let ma_expired = matches!(ma_error, Some(Error::Dkim(DkimError::SignatureExpired)));
                let mail_auth = Verdict {
                    result: ma_result.as_str(),
                    reason: ma_error.map_or_else(|| "verified".into(), |e| reason(e, sig)),
                };
                let clocks_differ = judged_expired != wall_expired;
                if ma_expired && !judged_expired {
                    notes.push(format!(
                        "mail-auth judges x= at the wall clock ({}), where the signature has \
                         expired; at the judgement time ({}) it had not, so the headline \
                         verdict is viadkim's, judged at that time",
                        unix_text(wall),
                        unix_text(at)
                    ));
                }
                if sig.l != 0 {
                    let body = message.raw_body().len() as u64;
                    notes.push(format!(
                        "l={}: only the first {} body bytes are signed (the body has {body}); \
                         anything after them can be added without breaking the signature",
                        sig.l, sig.l
                    ));
                }
                let passes = |v: &Verdict| v.result == "pass";
                let agree = match &via_verdict {
                    Some(v) => passes(v) == passes(&mail_auth) || clocks_differ,
                    None => true,
                };
                let (result, reason) = match &via_verdict {
                    Some(v) if ma_expired && !judged_expired => (
                        AuthResult::from_word(v.result).unwrap_or(AuthResult::Neutral),
                        format!("{} (viadkim, at the judgement time)", v.reason),
                    ),
                    _ => (ma_result, mail_auth.reason.clone()),
                };
                dmarc_inputs.push(if result == AuthResult::Pass {
                    DkimOutput::pass().with_signature(sig)
                } else {
                    output.cloned().unwrap_or_else(|| {
                        DkimOutput::neutral(Error::MissingParameters).with_signature(sig)
                    })
                });
                DkimSignature {
                    index: position,
                    domain: Some(sig.d.clone()),
                    selector: Some(sig.s.clone()),
                    algorithm: Some(algorithm_name(sig.a)),
                    canonicalization: Some(format!("{}/{}", canon(sig.ch), canon(sig.cb))),
                    identity: (!sig.i.is_empty()).then(|| sig.i.clone()),
                    headers: sig.h.iter().take(MAX_LISTED_HEADERS).cloned().collect(),
                    headers_total: sig.h.len(),
                    body_length: (sig.l != 0).then_some(sig.l),
                    timestamp: (sig.t != 0).then_some(sig.t),
                    expiration: (sig.x != 0).then_some(sig.x),
                    result,
                    reason,
                    mail_auth,
                    viadkim: via_verdict,
                    agree,
                    key: Some(key_info(sig, answers)),
                    notes,
                }
            }
            (None, None) => not_verified(position, value, "over the limit of signatures verified"),
            (None, error) => {
                // mail-auth refused the field before verification: its parse error is the
                // verdict (neutral, RFC 6376 section 6.1.1: a malformed signature is ignored).
                let tags = loose_tags(value);
                let mail_auth = Verdict {
                    result: "neutral",
                    reason: error.map_or_else(
                        || "malformed signature".into(),
                        |e| format!("malformed signature: {}", error_text(&e)),
                    ),
                };
                let agree = via_verdict.as_ref().is_none_or(|v| v.result != "pass");
                DkimSignature {
                    index: position,
                    domain: tags.get("d").cloned(),
                    selector: tags.get("s").cloned(),
                    algorithm: None,
                    canonicalization: None,
                    identity: tags.get("i").cloned(),
                    headers: Vec::new(),
                    headers_total: 0,
                    body_length: None,
                    timestamp: None,
                    expiration: None,
                    result: AuthResult::Neutral,
                    reason: mail_auth.reason.clone(),
                    mail_auth,
                    viadkim: via_verdict,
                    agree,
                    key: None,
                    notes,
                }
            }
        };
        signatures.push(signature);
    }
    let total = signatures.len();
    (DkimOutcome { signatures, total }, dmarc_inputs)
}

fn not_verified(index: usize, value: &[u8], why: &str) -> DkimSignature {
    let tags = loose_tags(value);
    let verdict = Verdict {
        result: "none",
        reason: format!("not verified: {why} ({MAX_SIGNATURES})"),
    };
    DkimSignature {
        index,
        domain: tags.get("d").cloned(),
        selector: tags.get("s").cloned(),
        algorithm: None,
        canonicalization: None,
        identity: tags.get("i").cloned(),
        headers: Vec::new(),
        headers_total: 0,
        body_length: None,
        timestamp: None,
        expiration: None,
        result: AuthResult::None,
        reason: verdict.reason.clone(),
        mail_auth: verdict.clone(),
        viadkim: None,
        agree: true,
        key: None,
        notes: Vec::new(),
    }
}

/// `tag=value` pairs read loosely, to name a signature that does not parse.
fn loose_tags(value: &[u8]) -> std::collections::HashMap<String, String> {
    String::from_utf8_lossy(value)
        .split(';')
        .filter_map(|pair| {
            let (tag, value) = pair.split_once('=')?;
            let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            Some((
                tag.trim().to_ascii_lowercase(),
                crate::received::chain::clip(&value),
            ))
        })
        .collect()
}

fn is_dkim_signature(name: &[u8]) -> bool {
    name.trim_ascii().eq_ignore_ascii_case(b"DKIM-Signature")
}

/// mail-auth's result split into our word and its error.
pub fn split(result: &DkimResult) -> (AuthResult, Option<&Error>) {
    match result {
        DkimResult::Pass => (AuthResult::Pass, None),
        DkimResult::Neutral(e) => (AuthResult::Neutral, Some(e)),
        DkimResult::Fail(e) => (AuthResult::Fail, Some(e)),
        DkimResult::PermError(e) => (AuthResult::PermError, Some(e)),
        DkimResult::TempError(e) => (AuthResult::TempError, Some(e)),
        DkimResult::None => (AuthResult::None, None),
    }
}

/// The precise reason behind a mail-auth error, in the words an analyst uses.
fn reason(error: &Error, sig: &Signature) -> String {
    let key = format!("{}._domainkey.{}", sig.s, sig.d);
    match error {
        Error::Dns(DnsError::Resolver(why)) => format!("DNS temperror looking up {key}: {why}"),
        Error::Dns(DnsError::RecordNotFound(code)) => {
            format!("no key record at {key} ({code})")
        }
        Error::Dns(DnsError::InvalidRecordType) => {
            format!("no readable DKIM key record at {key}")
        }
        other => error_text(other),
    }
}

/// A mail-auth error as a short reason.
pub fn error_text(error: &Error) -> String {
    use mail_auth::common::crypto::CryptoError;
    match error {
        Error::Dkim(DkimError::FailedBodyHashMatch) => "body hash mismatch".into(),
        Error::Dkim(DkimError::RevokedPublicKey) => "key revoked (empty p=)".into(),
        Error::Dkim(DkimError::SignatureExpired) => "signature expired (x=)".into(),
        Error::Dkim(DkimError::UnsupportedAlgorithm) => "unsupported algorithm".into(),
        Error::Dkim(DkimError::UnsupportedVersion) => "unsupported version (v=)".into(),
        Error::Dkim(DkimError::UnsupportedCanonicalization) => {
            "unsupported canonicalization (c=)".into()
        }
        Error::Dkim(DkimError::UnsupportedKeyType) => "unsupported key type (k=)".into(),
        Error::Dkim(DkimError::FailedAuidMatch) => {
            "i= is not in d= exactly, as the key's t=s flag requires".into()
        }
        Error::Dkim(DkimError::SignatureLength) => "l= refused".into(),
        Error::Crypto(CryptoError::FailedVerification) => "signature mismatch".into(),
        Error::Crypto(CryptoError::IncompatibleAlgorithms) => {
            "algorithm does not match the key type".into()
        }
        Error::Crypto(CryptoError::Library(why)) => format!("unusable key: {why}"),
        Error::ParseError => "malformed tag".into(),
        Error::Base64 => "malformed base64 in b= or bh=".into(),
        Error::MissingParameters => "required tag missing".into(),
        other => other.to_string(),
    }
}

fn viadkim_verdict(status: &VerificationStatus) -> Verdict {
    let result = match status.to_dkim_result() {
        viadkim::verifier::DkimResult::None => "none",
        viadkim::verifier::DkimResult::Pass => "pass",
        viadkim::verifier::DkimResult::Fail => "fail",
        viadkim::verifier::DkimResult::Policy => "policy",
        viadkim::verifier::DkimResult::Neutral => "neutral",
        viadkim::verifier::DkimResult::Temperror => "temperror",
        viadkim::verifier::DkimResult::Permerror => "permerror",
    };
    let reason = match status {
        VerificationStatus::Success => "verified".to_string(),
        VerificationStatus::Failure(error) => match error {
            VerificationError::BodyHashMismatch => "body hash mismatch".into(),
            VerificationError::VerificationFailure(e) => match e {
                viadkim::crypto::VerificationError::VerificationFailure => {
                    "signature mismatch".into()
                }
                viadkim::crypto::VerificationError::InsufficientKeySize => {
                    "key too short (under 1024 bits, RFC 8301)".into()
                }
                // The rsa crate under viadkim refuses moduli over 4096 bits.
                viadkim::crypto::VerificationError::InvalidKey => {
                    "unusable key (viadkim's RSA accepts at most 4096 bits)".into()
                }
            },
            VerificationError::KeyRevoked => "key revoked (empty p=)".into(),
            VerificationError::Policy(p) => p.to_string(),
            VerificationError::DkimSignatureFormat(e) => format!("malformed signature: {e}"),
            VerificationError::KeyRecordFormat(e) => format!("unusable key record: {e}"),
            VerificationError::Timeout => "DNS temperror: key look-up timed out".into(),
            VerificationError::KeyLookup => "DNS temperror: key look-up failed".into(),
            other => other.to_string(),
        },
    };
    Verdict { result, reason }
}

/// viadkim over the same header fields and body, with x= judged at `at`.
async fn run_viadkim(
    message: &AuthenticatedMessage<'_>,
    answers: &Arc<Answers>,
    at: u64,
) -> Result<Vec<viadkim::verifier::VerificationResult>, String> {
    let fields: Vec<(String, Vec<u8>)> = message
        .headers
        .iter()
        .map(|(name, value)| {
            let value = value
                .strip_suffix(b"\r\n")
                .or_else(|| value.strip_suffix(b"\n"))
                .unwrap_or(value);
            (
                String::from_utf8_lossy(name.trim_ascii_end()).into_owned(),
                value.to_vec(),
            )
        })
        .collect();
    let headers = viadkim::header::HeaderFields::from_vec(fields)
        .map_err(|_| "a header field it cannot accept (control characters or bare LF)")?;
    let config = Config {
        max_signatures: MAX_SIGNATURES,
        // Judged as RFC 6376 alone, like mail-auth: no extra local policy on From.
        headers_forbidden_to_be_unsigned: Vec::new(),
        fixed_system_time: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(at)),
        // The judgement time is for x=; a message's Date or first hop often precedes the
        // signer's t= (and mail-auth does not judge t= against any clock), so a "future" t=
        // is not held against the signature.
        allow_timestamp_in_future: true,
        lookup_timeout: Duration::from_secs(5),
        ..Config::default()
    };
    let lookup = ViaLookup(answers.clone());
    let Some(mut verifier) = Verifier::verify_header(&lookup, &headers, &config).await else {
        return Ok(Vec::new());
    };
    let _ = verifier.process_body_chunk(message.raw_body());
    Ok(verifier.finish())
}

fn key_info(sig: &Signature, answers: &Answers) -> KeyInfo {
    let name = format!("{}._domainkey.{}", sig.s, sig.d);
    let mut info = KeyInfo {
        name: name.clone(),
        record: None,
        dns: None,
        key_type: None,
        bits: None,
    };
    match answers.txt(&name) {
        Some(Fetched::Txt(records)) => {
            if let Some(first) = records.first() {
                info.record = Some(crate::received::chain::clip(&String::from_utf8_lossy(
                    first,
                )));
            } else {
                info.dns = Some("no TXT record".into());
            }
            if let Some(key) = records.dkim_key() {
                let ed25519 = records.iter().any(|r| {
                    String::from_utf8_lossy(r)
                        .replace([' ', '\t'], "")
                        .to_ascii_lowercase()
                        .contains("k=ed25519")
                });
                // RFC 8463: an Ed25519 public key is 256 bits (mail-auth reports no size).
                info.bits = Some(if ed25519 {
                    256
                } else {
                    key.p.public_key_bits()
                });
                info.key_type = Some(if ed25519 { "ed25519" } else { "rsa" });
            }
        }
        Some(Fetched::Failed(e)) => {
            info.dns = Some(match e {
                LookupError::NxDomain => "NXDOMAIN".into(),
                other => other.to_string(),
            })
        }
        None => info.dns = Some("not looked up".into()),
    }
    info
}

fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::RsaSha1 => "rsa-sha1",
        Algorithm::RsaSha256 => "rsa-sha256",
        Algorithm::Ed25519Sha256 => "ed25519-sha256",
    }
}

fn canon(c: Canonicalization) -> &'static str {
    match c {
        Canonicalization::Relaxed => "relaxed",
        Canonicalization::Simple => "simple",
    }
}

/// A Unix time as RFC 3339 UTC, for notes.
pub fn unix_text(t: u64) -> String {
    crate::civil::rfc3339_utc(t as i64)
}
