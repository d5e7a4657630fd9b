//! ARC (RFC 8617): each set's instance and cv, the chain verdict from mail-auth, and which
//! instance broke the chain.

use mail_auth::arc::{ArcError, ChainValidation};
use mail_auth::{AuthenticatedMessage, Error, Parameters};
use serde::Serialize;

use crate::auth::dkim::{error_text, split};
use crate::auth::txt::Answers;
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
    ArcOutcome {
        result,
        reason,
        instances,
        sets,
        broken_at,
    }
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
